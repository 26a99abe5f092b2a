"""Ed25519 signatures over a contract's SHA-256 and its signing metadata.

What a party signs is a statement, not the file: the document's hash, the project, the party,
the time and the purpose, as canonical JSON (sorted keys, no spaces, UTF-8). Anyone holding the
statement, the signature and the party's public key can check it without zhizao.
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from zhizao.errors import SignatureRejected

PURPOSE = "zhizao cloud signing v1"


def canonical(obj: Any) -> bytes:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def document_hash(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


@dataclass(frozen=True, slots=True)
class Statement:
    document: str  # sha-256 hex of the contract file
    project: str
    party: str
    signed_at: str  # ISO 8601 with offset

    def to_json(self) -> dict[str, str]:
        return {
            "purpose": PURPOSE, "document": f"sha256:{self.document}", "project": self.project,
            "party": self.party, "signedAt": self.signed_at,
        }  # fmt: skip

    def bytes(self) -> bytes:
        return canonical(self.to_json())


def new_private_key() -> tuple[bytes, str]:
    """(private key as PKCS#8 PEM, public key as base64 of its 32 raw bytes)."""
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return pem, public_of(key)


def load_private_key(pem: bytes) -> Ed25519PrivateKey:
    key = serialization.load_pem_private_key(pem, password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise SignatureRejected("the key file does not hold an Ed25519 private key", field="key")
    return key


def public_of(key: Ed25519PrivateKey) -> str:
    raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode()


def key_id(public_key: str) -> str:
    """A short, stable name for a public key: the first 16 hex digits of its SHA-256."""
    return hashlib.sha256(_raw_public(public_key)).hexdigest()[:16]


def sign(key: Ed25519PrivateKey, statement: Statement) -> str:
    return base64.b64encode(key.sign(statement.bytes())).decode()


def _raw_public(public_key: str) -> bytes:
    try:
        raw = base64.b64decode(public_key, validate=True)
    except ValueError:
        raw = b""
    if len(raw) != 32:
        raise SignatureRejected(
            "publicKey must be the base64 of a 32-byte Ed25519 public key", field="publicKey"
        )
    return raw


def check_public_key(public_key: str) -> str:
    Ed25519PublicKey.from_public_bytes(_raw_public(public_key))
    return public_key


def verifies(public_key: str, statement: Statement, signature: str) -> bool:
    try:
        raw_signature = base64.b64decode(signature, validate=True)
        Ed25519PublicKey.from_public_bytes(_raw_public(public_key)).verify(
            raw_signature, statement.bytes()
        )
    except (InvalidSignature, ValueError, SignatureRejected):
        return False
    return True
