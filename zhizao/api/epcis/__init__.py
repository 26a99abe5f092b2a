"""The EPCIS 2.0 REST binding, mounted at `/epcis`."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from zhizao.api.epcis import capture, query, subscriptions
from zhizao.api.epcis.problems import HANDLERS, gs1_headers
from zhizao.node import Node


def _options(allow: str):
    async def options(request: Request) -> Response:
        return Response(status_code=204, headers=gs1_headers(Allow=allow))

    return options


def build_epcis_app(node: Node) -> Starlette:
    read = _options("OPTIONS, GET")
    subs = "/queries/{name}/subscriptions"
    routes = [
        Route("/", query.root, methods=["GET"]),
        Route("/", read, methods=["OPTIONS"]),
        Route("/capture", capture.capture, methods=["POST"]),
        Route("/capture", capture.jobs, methods=["GET"]),
        Route("/capture", capture.capture_options, methods=["OPTIONS"]),
        Route("/capture/{capture_id}", capture.job, methods=["GET"]),
        Route("/capture/{capture_id}", read, methods=["OPTIONS"]),
        Route("/events", query.events, methods=["GET"]),
        Route("/events", capture.capture_one, methods=["POST"]),
        Route("/events", _options("OPTIONS, GET, POST"), methods=["OPTIONS"]),
        Route("/events/{event_id:path}", query.event_by_id, methods=["GET"]),
        Route("/events/{event_id:path}", read, methods=["OPTIONS"]),
        Route("/queries", query.list_queries, methods=["GET"]),
        Route("/queries", query.create_query, methods=["POST"]),
        Route("/queries", _options("OPTIONS, GET, POST"), methods=["OPTIONS"]),
        Route("/queries/{name}", query.get_query, methods=["GET"]),
        Route("/queries/{name}", query.delete_query, methods=["DELETE"]),
        Route("/queries/{name}", _options("OPTIONS, GET, DELETE"), methods=["OPTIONS"]),
        Route("/queries/{name}/events", query.query_events, methods=["GET"]),
        Route("/queries/{name}/events", read, methods=["OPTIONS"]),
        Route(subs, subscriptions.subscribe, methods=["POST"]),
        Route(subs, subscriptions.list_subscriptions, methods=["GET"]),
        Route(subs, _options("OPTIONS, GET, POST"), methods=["OPTIONS"]),
        Route(subs + "/{subscription_id}", subscriptions.get_subscription, methods=["GET"]),
        Route(subs + "/{subscription_id}", subscriptions.unsubscribe, methods=["DELETE"]),
        Route("/{collection}", query.collection, methods=["GET"]),
        Route("/{collection}", read, methods=["OPTIONS"]),
        Route("/{collection}/{member:path}/events", query.collection_events, methods=["GET"]),
        Route("/{collection}/{member:path}/events", read, methods=["OPTIONS"]),
        Route("/{collection}/{member:path}", query.collection_member, methods=["GET"]),
    ]
    app = Starlette(routes=routes, exception_handlers=HANDLERS)
    app.state.node = node
    return app
