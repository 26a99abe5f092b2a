"""`/v1/federation/volume`: this node's subtree's resolution counts, for its parent to collect."""

from __future__ import annotations

import json

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from zhizao.federation.volume import by_child, subtree_counts
from zhizao.node import Node


async def volume(request: Request) -> Response:
    node: Node = request.app.state.node
    if request.query_params.get("by") == "child":
        body = await run_in_threadpool(by_child, node)
    else:
        rows = await run_in_threadpool(subtree_counts, node)
        body = {"role": node.settings.role, "counts": [list(r) for r in rows]}
    return Response(json.dumps(body, ensure_ascii=False), media_type="application/json")


ROUTES = [Route("/federation/volume", volume, methods=["GET"])]
