"""`/hrls`: reverse lookup (handles whose URL or CHECKSUM matches), as EUDAT's servlet serves it.

pyhandle's `search_handle` calls `GET /hrls/handles?URL=<raw value>` with Basic credentials and
expects a JSON list of handle strings. Authentication is required, as on the original servlet.
"""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from zhizao.api import handle_protocol as hp
from zhizao.api.credentials import Caller
from zhizao.api.handles import endpoint, int_params
from zhizao.errors import AuthenticationNeeded, MalformedRequest
from zhizao.identifiers.handle import check_prefix
from zhizao.identifiers.record import SEARCHABLE_TYPES
from zhizao.node import Node

DEFAULT_LIMIT, MAX_LIMIT = 1000, 100_000


async def search(request: Request, node: Node, caller: Caller) -> Response:
    if caller.identity is None:
        raise AuthenticationNeeded("Reverse lookup needs credentials")
    keys = [k for k in request.query_params if k in SEARCHABLE_TYPES]
    unknown = [
        k for k in request.query_params if k not in SEARCHABLE_TYPES and k not in ("limit", "page")
    ]
    if unknown:
        raise MalformedRequest(
            f"undefined field {unknown[0]}: search by " + " or ".join(SEARCHABLE_TYPES),
            field=unknown[0],
        )
    if len(keys) != 1:
        raise MalformedRequest("Give exactly one of " + ", ".join(SEARCHABLE_TYPES))
    limit = (int_params(request, "limit") or [DEFAULT_LIMIT])[0]
    page = (int_params(request, "page") or [0])[0]
    if not 0 < limit <= MAX_LIMIT or page < 0:
        raise MalformedRequest(f"limit must be 1..{MAX_LIMIT} and page >= 0", field="limit")
    prefix = request.path_params.get("prefix")
    found = await run_in_threadpool(
        node.store.search,
        keys[0],
        request.query_params[keys[0]],
        check_prefix(prefix) if prefix else None,
        page * limit,
        limit,
    )
    return hp.json_response(found)


async def ping(request: Request) -> Response:
    return PlainTextResponse("OK")


search_endpoint = endpoint(search)
