"""Who is asking: HTTP Basic `index:handle` identities, and Handle.Net's secure-channel rule."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from ipaddress import ip_address
from urllib.parse import unquote

from starlette.requests import HTTPConnection

from zhizao.errors import AuthenticationFailed
from zhizao.identifiers.admin import AdminRef
from zhizao.identifiers.registry import Registry


@dataclass(frozen=True, slots=True)
class Caller:
    identity: AdminRef | None
    # Credentials were sent where they may not be used (plain HTTP): Handle.Net answers
    # "authentication needed" with 403 instead of 401 there.
    insecure: bool = False


def is_loopback(host: str | None) -> bool:
    if not host:
        return False
    try:
        return ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def channel_is_secure(conn: HTTPConnection, allow_insecure_loopback: bool) -> bool:
    if conn.url.scheme == "https":
        return True
    client = conn.client.host if conn.client else None
    return allow_insecure_loopback and is_loopback(client)


def split_basic(header: str) -> tuple[str, str]:
    """`Basic b64(quote(index:handle) + ":" + secret)` → (identity, secret)."""
    try:
        decoded = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        raise AuthenticationFailed("Malformed Basic credentials") from None
    user, colon, password = decoded.partition(":")
    if not colon:
        raise AuthenticationFailed("Malformed Basic credentials")
    if user.isdigit() and ":" in password:
        # An unencoded `300:prefix/ADMIN:secret`, as typed by hand: the index is not the user.
        handle, _, password = password.partition(":")
        user = f"{user}:{handle}"
    return unquote(user), password


def caller_of(conn: HTTPConnection, registry: Registry, allow_insecure_loopback: bool) -> Caller:
    """Authenticate the request's credentials, if any (slow: call it off the event loop)."""
    header = conn.headers.get("authorization")
    if not header:
        return Caller(None)
    if not channel_is_secure(conn, allow_insecure_loopback):
        return Caller(None, insecure=True)
    if header[:6].lower() != "basic ":
        raise AuthenticationFailed(
            "Only HTTP Basic credentials (index:handle) are supported by this node"
        )
    user, password = split_basic(header)
    return Caller(registry.authenticate(user, password))
