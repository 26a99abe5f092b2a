"""`/api/sessions`: Handle.Net's challenge-response sessions (HTTPS only).

POST opens one (201, `Location: /api/sessions/this`, `{"sessionId", "nonce"}`); PUT on
`/api/sessions/this` with `Authorization: Handle sessionId="S", id="300:88.1/ADMIN",
type="HS_PUBKEY", cnonce="…", alg="SHA256", signature="…"` (or the same keys in a JSON body)
authenticates it; GET reports it; DELETE closes it (204).
"""

from __future__ import annotations

import json
import time
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from zhizao.api import handle_protocol as hp
from zhizao.api.credentials import channel_is_secure, handle_params
from zhizao.errors import AuthenticationFailed, AuthenticationNeeded, MalformedRequest
from zhizao.identifiers.sessions import Session
from zhizao.node import Node

FIELDS = ("sessionId", "id", "type", "cnonce", "alg", "signature")


def _node(request: Request) -> Node:
    node: Node = request.app.state.node
    if not channel_is_secure(request, node.settings.insecure_loopback_auth):
        raise AuthenticationNeeded("Sessions need HTTPS")
    return node


def _status(session: Session) -> dict[str, Any]:
    body: dict[str, Any] = {
        "sessionId": session.id,
        "nonce": session.nonce,
        "authenticated": session.identity is not None,
    }
    if session.identity is not None:
        body["id"] = session.identity
    return body


async def _params(request: Request) -> dict[str, str]:
    params: dict[str, str] = {}
    header = request.headers.get("authorization", "")
    if header[:7].lower() == "handle ":
        params.update(handle_params(header))
    raw = await request.body()
    if raw:
        try:
            body = json.loads(raw)
        except (ValueError, RecursionError):
            raise MalformedRequest("Malformed JSON body") from None
        if isinstance(body, dict):
            params.update({k: str(v) for k, v in body.items() if k in FIELDS})
    params.update({k: v for k, v in request.query_params.items() if k in FIELDS})
    return params


def _answer(exc: Exception) -> Response:
    if isinstance(exc, AuthenticationNeeded):
        return hp.json_response(
            {"responseCode": hp.AUTHENTICATION_NEEDED, "message": str(exc)}, 403
        )
    if isinstance(exc, AuthenticationFailed):
        return hp.json_response({"authenticated": False, "error": str(exc)}, 401)
    return hp.json_response({"responseCode": hp.PROTOCOL_ERROR, "message": str(exc)}, 400)


Handler = Callable[[Request, Node, dict[str, str]], Awaitable[Response]]


def endpoint(handler: Handler) -> Callable[[Request], Awaitable[Response]]:
    """HTTPS check, the request's session parameters, and errors as the sessions API answers."""

    async def run(request: Request) -> Response:
        try:
            node = _node(request)
            return await handler(request, node, await _params(request))
        except (AuthenticationNeeded, AuthenticationFailed, MalformedRequest) as exc:
            return _answer(exc)

    return run


@endpoint
async def open_session(request: Request, node: Node, p: dict[str, str]) -> Response:
    session = await run_in_threadpool(node.sessions.open, int(time.time()))
    return hp.json_response(
        {"sessionId": session.id, "nonce": session.nonce},
        201,
        headers={"Location": "/api/sessions/this"},
    )


@endpoint
async def authenticate_session(request: Request, node: Node, p: dict[str, str]) -> Response:
    missing = [f for f in FIELDS if not p.get(f)]
    if missing:
        raise AuthenticationFailed(f"Missing {', '.join(missing)}")
    session = await run_in_threadpool(
        lambda: node.sessions.authenticate(
            p["sessionId"],
            p["id"],
            p["type"],
            p["cnonce"],
            p["alg"],
            p["signature"],
            int(time.time()),
        )
    )
    return hp.json_response(_status(session))


@endpoint
async def session_status(request: Request, node: Node, p: dict[str, str]) -> Response:
    if not p.get("sessionId"):
        return hp.json_response({"authenticated": False})
    session = await run_in_threadpool(node.sessions.get, p["sessionId"], int(time.time()))
    return hp.json_response(_status(session))


@endpoint
async def close_session(request: Request, node: Node, p: dict[str, str]) -> Response:
    if p.get("sessionId"):
        await run_in_threadpool(node.sessions.close, p["sessionId"])
    return Response(status_code=204)
