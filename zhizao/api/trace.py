"""zhizao's trace extension: `/v1/trace/{id}/inside`, `/v1/trace/{id}/where-used`, `/v1/recalls`."""

from __future__ import annotations

import json

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from zhizao.errors import TraceError
from zhizao.trace_service import TraceService, recall_csv


def _service(request: Request) -> TraceService:
    return request.app.state.trace


def _json(body: object, status: int = 200) -> Response:
    return Response(json.dumps(body, ensure_ascii=False), status, media_type="application/json")


async def inside(request: Request) -> Response:
    item, at = request.path_params["item"], request.query_params.get("at")
    return _json(await run_in_threadpool(_service(request).inside, item, at))


async def where_used(request: Request) -> Response:
    item = request.path_params["item"]
    scope = request.query_params.get("scope", "current")
    return _json(await run_in_threadpool(_service(request).where_used, [item], scope))


async def recall(request: Request) -> Response:
    try:
        body = json.loads(await request.body())
        items = body["items"]
    except (ValueError, KeyError, TypeError):
        raise TraceError('The body must be {"items": [lot or item, …]}', field="items") from None
    if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
        raise TraceError("items must be a list of identifiers", field="items")
    rows = await run_in_threadpool(_service(request).recall, items)
    wants_csv = "text/csv" in request.headers.get("accept", "") or (
        request.query_params.get("format") == "csv"
    )
    if wants_csv:
        return Response(recall_csv(rows), media_type="text/csv")
    return _json({"count": len(rows), "affected": rows})


ROUTES = [
    Route("/trace/{item:path}/inside", inside, methods=["GET"]),
    Route("/trace/{item:path}/where-used", where_used, methods=["GET"]),
    Route("/recalls", recall, methods=["POST"]),
]
