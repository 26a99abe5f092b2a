"""The node's ASGI application: routes, error answers, the resolution fast lane, counters."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route
from starlette.types import Receive, Scope, Send

from zhizao.api import handle_protocol as hp
from zhizao.api import handles, hrls, prefixes, sessions
from zhizao.api.epcis import build_epcis_app
from zhizao.api.epcis.query import query_document
from zhizao.api.recursion import STALE_WARNING, resolution_body, resolve_elsewhere
from zhizao.api.rsgi import call_asgi
from zhizao.api.v1 import build_v1_app
from zhizao.errors import PrefixNotHomed, ZhizaoError
from zhizao.federation.volume import collect
from zhizao.identifiers.handle import parse_handle
from zhizao.identifiers.registry import ReadRequest
from zhizao.node import Node
from zhizao.settings import Settings, load_settings
from zhizao.web.pages import Dashboard
from zhizao.webhooks import Deliverer

log = logging.getLogger("zhizao")

HANDLE_METHODS = ["GET", "HEAD", "PUT", "DELETE"]
_JSON_HEADER = (b"content-type", hp.JSON_TYPE.encode())
_RSGI_HEADERS = [("content-type", hp.JSON_TYPE)]


async def api_not_found(request: Request, exc: Exception) -> Response:
    """Handle.Net's answers: an unknown method is 501, a known one the path lacks is 405."""
    status = getattr(exc, "status_code", 500)
    if status == 405 and request.method not in ("GET", "HEAD", "PUT", "DELETE", "POST"):
        message, status = f"Unknown method {request.method}", 501
    else:
        message = f"Unknown HTTP API endpoint {request.method} {request.url.path}"
    return hp.json_response({"responseCode": hp.PROTOCOL_ERROR, "message": message}, status)


async def server_error(request: Request, exc: Exception) -> Response:
    log.exception("unexpected error on %s %s", request.method, request.url.path)
    return hp.json_response({"responseCode": hp.ERROR, "message": "Internal error"}, 500)


def build_starlette(node: Node) -> Starlette:
    routes = [
        Route("/api/handles", handles.get_endpoint, methods=["GET"]),
        Route("/api/handles", handles.batch_endpoint, methods=["POST"]),
        Route("/api/handles/{handle:path}", handles.get_endpoint, methods=["GET", "HEAD"]),
        Route("/api/handles/{handle:path}", handles.put_endpoint, methods=["PUT"]),
        Route("/api/handles/{handle:path}", handles.delete_endpoint, methods=["DELETE"]),
        Route("/api/prefixes", prefixes.list_endpoint, methods=["GET"]),
        Route("/api/prefixes", prefixes.home_endpoint, methods=["POST"]),
        Route("/api/prefixes", prefixes.unhome_endpoint, methods=["DELETE"]),
        Route("/api/prefixes/{prefix:path}", prefixes.unhome_endpoint, methods=["DELETE"]),
        Route("/api/site", prefixes.site_endpoint, methods=["GET"]),
        Route("/api/delegations", prefixes.delegations_endpoint, methods=["GET"]),
        Route("/api/delegations", prefixes.delegate_endpoint, methods=["POST"]),
        Route("/api/sessions", sessions.open_session, methods=["POST"]),
        Route("/api/sessions/this", sessions.authenticate_session, methods=["PUT", "POST"]),
        Route("/api/sessions/this", sessions.session_status, methods=["GET"]),
        Route("/api/sessions/this", sessions.close_session, methods=["DELETE"]),
        Route("/hrls/ping", hrls.ping, methods=["GET"]),
        Route("/hrls/handles", hrls.search_endpoint, methods=["GET"]),
        Route("/hrls/handles/{prefix}", hrls.search_endpoint, methods=["GET"]),
        Mount("/epcis", app=build_epcis_app(node)),
        Mount("/v1", app=build_v1_app(node)),
        *Dashboard(node).routes(),
    ]
    app = Starlette(
        routes=routes, exception_handlers={HTTPException: api_not_found, Exception: server_error}
    )
    app.state.node = node
    return app


def plain_resolution(method: str, path: str, query: str | bytes, authorized: bool) -> str | None:
    """The handle of an anonymous, unfiltered `GET /api/handles/{handle}`: the fast lane."""
    if method == "GET" and not query and not authorized and path.startswith(handles.PREFIX):
        return path[len(handles.PREFIX) :]
    return None


class NodeApp:
    """The entry point, for ASGI servers and for granian's RSGI (what `zhizao serve` runs).

    Plain anonymous resolutions (`GET /api/handles/{h}` without query or credentials) are
    answered here directly: they are nearly all of a node's traffic, and routing them through
    the framework's request objects would cost more than the lookup itself. Every other request
    goes to the Starlette application.
    """

    def __init__(self, node: Node) -> None:
        self.node = node
        self.app = build_starlette(node)
        self._flusher: asyncio.Task[None] | None = None
        self.deliverer = Deliverer(node, query_document)

    def start_background(self) -> None:
        """Webhook delivery, the capture jobs a previous process acknowledged but left, and
        collecting resolution counts from the nodes this one delegated to."""
        self.deliverer.start()
        threading.Thread(target=self.node.events.resume_pending, daemon=True).start()
        threading.Thread(target=self._collect_periodically, daemon=True).start()

    def _collect_periodically(self) -> None:
        # Every worker collects; a report replaces the last one, so the repeats are harmless.
        while True:
            try:
                for prefix, why in collect(self.node).failed.items():
                    log.warning("could not collect resolution counts of %s: %s", prefix, why)
            except Exception:  # the store closed under us (shutdown), or a bug: log, go on
                log.exception("collecting resolution counts failed")
            time.sleep(self.node.settings.collect_seconds)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            authorized = any(k == b"authorization" for k, _ in scope["headers"])
            text = plain_resolution(
                scope["method"], scope["path"], scope["query_string"], authorized
            )
            if text is not None:
                status, body, stale = await self.answer(text)
                headers = [_JSON_HEADER, (b"content-length", str(len(body)).encode())]
                if stale:
                    headers.append((STALE_WARNING[0].encode(), STALE_WARNING[1].encode()))
                await send({"type": "http.response.start", "status": status, "headers": headers})
                await send({"type": "http.response.body", "body": body})
                return
        elif scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        await self.app(scope, receive, send)

    async def __rsgi__(self, scope: Any, proto: Any) -> None:
        """granian's native interface: the same fast lane, everything else through ASGI."""
        if scope.proto != "http":
            proto.close()  # no websocket endpoints
            return
        authorized = scope.headers.get("authorization") is not None
        text = plain_resolution(scope.method, scope.path, scope.query_string, authorized)
        if text is not None:
            status, body, stale = await self.answer(text)
            headers = [*_RSGI_HEADERS, STALE_WARNING] if stale else _RSGI_HEADERS
            proto.response_bytes(status, headers, body)
            return
        await call_asgi(self.app, scope, proto)

    def __rsgi_init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._flusher = loop.create_task(self._flush_periodically())
        self.start_background()

    def __rsgi_del__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.deliverer.stop()
        self.node.resolver.close()
        if self._flusher is not None:
            self._flusher.cancel()
        log.info("shutdown: flushed %d resolution counts", self.node.flush_counts())

    async def answer(self, text: str) -> tuple[int, bytes, bool]:
        """(status, body, stale?) for an anonymous, unfiltered resolution of `text`."""
        try:
            req = ReadRequest(parse_handle(text))
            try:
                values_json, stale = self.node.resolve(req).values_json, False
            except PrefixNotHomed as exc:
                values_json, stale = await resolve_elsewhere(self.node, req, exc)
            return 200, resolution_body(text, values_json, stale).encode(), stale
        except ZhizaoError as exc:
            body = hp.dumps(hp.error_body(exc, text)).encode()
            return hp.status_for(hp.response_code(exc), resolution=True), body, False
        except Exception:  # e.g. the database is gone: still a Handle answer, in JSON
            log.exception("resolution of %r failed", text)
            failure = {"responseCode": hp.ERROR, "handle": text, "message": "Server error"}
            return 500, hp.dumps(failure).encode(), False

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                self._flusher = asyncio.create_task(self._flush_periodically())
                self.start_background()
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                self.deliverer.stop()
                await self.node.resolver.aclose()
                if self._flusher is not None:
                    self._flusher.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await self._flusher
                flushed = await run_in_threadpool(self.node.flush_counts)
                log.info("shutdown: flushed %d resolution counts", flushed)
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def _flush_periodically(self) -> None:
        while True:
            await asyncio.sleep(self.node.settings.counts_flush_seconds)
            await run_in_threadpool(self.node.flush_counts)


def create_app(settings: Settings | None = None, node: Node | None = None) -> NodeApp:
    """Application factory; server workers call it with no arguments (settings from env)."""
    return NodeApp(node or Node(settings or load_settings()))
