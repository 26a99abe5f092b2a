"""zhizao's own API, mounted at `/v1`: trace and recall, projects and cloud signing."""

from __future__ import annotations

import json

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from zhizao.api import ceremony, federation, openapi, projects, stats, trace
from zhizao.api.problems import HANDLERS
from zhizao.node import Node
from zhizao.trace_service import TraceService


def build_v1_app(node: Node) -> Starlette:
    routes: list[Route] = [
        *trace.ROUTES,
        *projects.ROUTES,
        *ceremony.ROUTES,
        *stats.ROUTES,
        *federation.ROUTES,
    ]
    spec_text: list[str] = []

    async def spec(request: Request) -> Response:
        if not spec_text:
            spec_text.append(json.dumps(openapi.document(routes), ensure_ascii=False))
        return Response(spec_text[0], media_type="application/json")

    routes.append(Route("/openapi.json", spec, methods=["GET"]))
    app = Starlette(routes=routes, exception_handlers=HANDLERS)
    app.state.node = node
    app.state.trace = TraceService(node.store)
    app.state.projects = node.projects
    app.state.stats = node.stats
    return app
