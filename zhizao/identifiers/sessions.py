"""Handle.Net's challenge-response sessions, for clients that hold a private key.

`POST /api/sessions` gives a session id and a nonce; the client signs nonce ‖ cnonce with the
private key whose public half is an HS_PUBKEY value of its identity handle; later requests carry
`Authorization: Handle sessionId="…"`. Secret keys (HS_SECKEY) are kept only as scrypt hashes,
so they authenticate through HTTP Basic, not through a MAC over the challenge.
"""

from __future__ import annotations

import base64
import binascii
import os
import secrets
from dataclasses import dataclass, replace
from typing import Any, Protocol

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa

from zhizao.errors import AuthenticationFailed, InvalidHandle
from zhizao.identifiers.admin import AdminRef, parse_identity
from zhizao.identifiers.handle import parse_handle
from zhizao.identifiers.repository import HandleRepository
from zhizao.identifiers.values import HS_PUBKEY

SESSION_SECONDS = 30 * 60
HASHES: dict[str, type[hashes.HashAlgorithm]] = {
    "SHA256": hashes.SHA256,
    "SHA1": hashes.SHA1,
    "SHA-256": hashes.SHA256,
}


@dataclass(frozen=True, slots=True)
class Session:
    id: str
    nonce: str  # base64
    identity: str | None
    expires_at: int


class SessionRepository(Protocol):
    def put_session(self, session: Session) -> None: ...

    def get_session(self, session_id: str, now: int) -> Session | None:
        """The session, unless missing or expired."""
        ...

    def delete_session(self, session_id: str) -> bool: ...


def _b64(text: str, what: str) -> bytes:
    try:
        return base64.b64decode(
            text + "=" * (-len(text) % 4), altchars=b"-_" if ("-" in text or "_" in text) else None
        )
    except (binascii.Error, ValueError):
        raise AuthenticationFailed(f"{what} is not base64") from None


def _int(text: str) -> int:
    return int.from_bytes(_b64(text, "key"), "big")


def public_key(jwk: Any) -> Any:
    """An HS_PUBKEY value's key (Handle.Net's JWK-like form: RSA; also EC P-256 and Ed25519)."""
    if not isinstance(jwk, dict):
        raise AuthenticationFailed("HS_PUBKEY value is not a JSON key")
    kty = jwk.get("kty")
    if kty == "RSA":
        return rsa.RSAPublicNumbers(_int(jwk["e"]), _int(jwk["n"])).public_key()
    if kty == "EC" and jwk.get("crv") == "P-256":
        return ec.EllipticCurvePublicNumbers(
            _int(jwk["x"]), _int(jwk["y"]), ec.SECP256R1()
        ).public_key()
    if kty == "OKP" and jwk.get("crv") == "Ed25519":
        return ed25519.Ed25519PublicKey.from_public_bytes(_b64(jwk["x"], "key"))
    raise AuthenticationFailed(f"Unsupported HS_PUBKEY key type {kty!r}")


def verify_challenge(key: Any, data: bytes, signature: bytes, alg: str) -> bool:
    algorithm = HASHES.get(alg.upper())
    try:
        if isinstance(key, ed25519.Ed25519PublicKey):
            key.verify(signature, data)
        elif algorithm is None:
            return False
        elif isinstance(key, rsa.RSAPublicKey):
            key.verify(signature, data, padding.PKCS1v15(), algorithm())
        elif isinstance(key, ec.EllipticCurvePublicKey):
            key.verify(signature, data, ec.ECDSA(algorithm()))
        else:
            return False
    except InvalidSignature:
        return False
    return True


class Sessions:
    def __init__(self, repo: SessionRepository, handles: HandleRepository) -> None:
        self.repo = repo
        self.handles = handles

    def open(self, now: int) -> Session:
        session = Session(
            secrets.token_urlsafe(24),
            base64.b64encode(os.urandom(16)).decode(),
            None,
            now + SESSION_SECONDS,
        )
        self.repo.put_session(session)
        return session

    def get(self, session_id: str, now: int) -> Session:
        session = self.repo.get_session(session_id, now)
        if session is None:
            raise AuthenticationFailed("Unknown or expired session")
        return session

    def authenticate(
        self,
        session_id: str,
        identity: str,
        key_type: str,
        cnonce: str,
        alg: str,
        signature: str,
        now: int,
    ) -> Session:
        """Check a signature over nonce ‖ cnonce against the identity's HS_PUBKEY."""
        session = self.get(session_id, now)
        if key_type.upper() != HS_PUBKEY:
            raise AuthenticationFailed(
                "Only HS_PUBKEY challenge-response is supported; use HTTP Basic for HS_SECKEY"
            )
        try:
            ref = parse_identity(identity)
            record = self.handles.get(parse_handle(ref.handle).key)
        except InvalidHandle:
            raise AuthenticationFailed(f"Unusable identity {identity!r}") from None
        data = _b64(session.nonce, "nonce") + _b64(cnonce, "cnonce")
        sig = _b64(signature, "signature")
        for v in record.values if record else ():
            if v.type == HS_PUBKEY and ref.index in (0, v.index) and v.data.format == "key":
                if verify_challenge(public_key(v.data.value), data, sig, alg):
                    done = replace(session, identity=str(ref), expires_at=now + SESSION_SECONDS)
                    self.repo.put_session(done)
                    return done
        raise AuthenticationFailed(f"Signature does not verify for {identity}")

    def identity(self, session_id: str, now: int) -> AdminRef:
        session = self.get(session_id, now)
        if session.identity is None:
            raise AuthenticationFailed("Session not authenticated")
        return parse_identity(session.identity)

    def close(self, session_id: str) -> None:
        self.repo.delete_session(session_id)
