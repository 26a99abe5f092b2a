"""HS_SECKEY secrets, kept only as a salted slow hash (scrypt).

Verification is deliberately slow (~tens of ms), so `SecretVerifier` remembers recent successes
keyed by a fast digest of (stored hash, password): a client sending the same password on every
request pays the slow hash once per process, while a wrong password always pays it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from collections import OrderedDict

_N, _R, _P, _LEN = 2**14, 8, 1, 32
_SCHEME = "scrypt"


def hash_secret(secret: str) -> str:
    salt = os.urandom(16)
    digest = hashlib.scrypt(secret.encode("utf-8"), salt=salt, n=_N, r=_R, p=_P, dklen=_LEN)
    b64 = base64.b64encode
    return f"{_SCHEME}${_N}${_R}${_P}${b64(salt).decode()}${b64(digest).decode()}"


def verify_secret(stored: str, secret: str) -> bool:
    try:
        scheme, n, r, p, salt_b64, digest_b64 = stored.split("$")
        if scheme != _SCHEME:
            return False
        salt, digest = base64.b64decode(salt_b64), base64.b64decode(digest_b64)
        candidate = hashlib.scrypt(
            secret.encode("utf-8"), salt=salt, n=int(n), r=int(r), p=int(p), dklen=len(digest)
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(candidate, digest)


class SecretVerifier:
    """`verify_secret` with a bounded memory of recent successes."""

    def __init__(self, capacity: int = 4096) -> None:
        self._ok: OrderedDict[bytes, None] = OrderedDict()
        self._capacity = capacity
        self._pepper = os.urandom(32)

    def verify(self, stored: str, secret: str) -> bool:
        key = hmac.new(self._pepper, f"{stored}\0{secret}".encode(), hashlib.sha256).digest()
        if key in self._ok:
            self._ok.move_to_end(key)
            return True
        if not verify_secret(stored, secret):
            return False
        self._ok[key] = None
        if len(self._ok) > self._capacity:
            self._ok.popitem(last=False)
        return True
