"""Who is asking: HTTP Basic `index:handle` identities, and Handle.Net's secure-channel rule."""

from __future__ import annotations

import base64
import binascii
import re
import time
from dataclasses import dataclass
from ipaddress import ip_address
from urllib.parse import unquote

from starlette.requests import HTTPConnection

from zhizao.errors import AuthenticationFailed
from zhizao.identifiers.admin import AdminRef
from zhizao.node import Node


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


_HANDLE_PARAM = re.compile(r'(\w+)\s*=\s*(?:"([^"]*)"|([^\s,]*))')


def handle_params(header: str) -> dict[str, str]:
    """`Handle sessionId="S", id="300%3A88.1/x", ...` → {"sessionId": "S", "id": "300:88.1/x"}."""
    params = {
        m.group(1): m.group(2) if m.group(2) is not None else m.group(3)
        for m in _HANDLE_PARAM.finditer(header[7:])
    }
    if "id" in params:
        params["id"] = unquote(params["id"])
    return params


def caller_of(conn: HTTPConnection, node: Node) -> Caller:
    """Authenticate the request's credentials, if any (slow: call it off the event loop)."""
    header = conn.headers.get("authorization")
    if not header:
        return Caller(None)
    if not channel_is_secure(conn, node.settings.insecure_loopback_auth):
        return Caller(None, insecure=True)
    scheme = header[:7].lower()
    if scheme.startswith("basic "):
        user, password = split_basic(header)
        return Caller(node.registry.authenticate(user, password))
    if scheme == "handle ":
        params = handle_params(header)
        if params.get("clientCert", "").lower() == "true":
            raise AuthenticationFailed("TLS client certificates are not supported by this node")
        if "sessionId" in params and "signature" not in params:
            return Caller(node.sessions.identity(params["sessionId"], int(time.time())))
    raise AuthenticationFailed(
        "Use HTTP Basic (index:handle) or a session (Authorization: Handle sessionId=...)"
    )
