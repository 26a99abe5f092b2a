"""Queries: `GET /events`, `/events/{id}`, the top-level collections and named queries."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote, urlencode

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from zhizao.api.epcis.problems import gs1_headers, json_body
from zhizao.errors import EventValidationError, NoSuchResource
from zhizao.event_service import now_text
from zhizao.events.ids import canonical_id
from zhizao.events.query import EVENT_TYPES, parse_query, per_page
from zhizao.node import Node

CONTEXT = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"
MEMBERS = ["queries", "capture", "events", "eventTypes", "epcs", "readPoints", "bizLocations"]
MEMBERS += ["dispositions", "bizSteps"]
# collection path → (query parameter its members filter on, stored column)
COLLECTIONS = {
    "eventTypes": ("eventType", "event_type"),
    "bizSteps": ("EQ_bizStep", "biz_step"),
    "bizLocations": ("EQ_bizLocation", "biz_location"),
    "readPoints": ("EQ_readPoint", "read_point"),
    "dispositions": ("EQ_disposition", "disposition"),
    "epcs": ("MATCH_anyEPC", None),
}


def _node(request: Request) -> Node:
    return request.app.state.node


def query_document(bodies: list[str], query_name: str | None = None) -> str:
    """An EPCISQueryDocument around stored events (spliced as text: no re-encoding)."""
    head = {
        "@context": CONTEXT,
        "type": "EPCISQueryDocument",
        "schemaVersion": "2.0",
        "creationDate": now_text(),
    }
    name = json.dumps(query_name or "SimpleEventQuery")
    prefix = json.dumps(head, ensure_ascii=False)[:-1]
    events = ",".join(bodies)
    return (
        f'{prefix},"epcisBody":{{"queryResults":{{"queryName":{name},'
        f'"resultsBody":{{"eventList":[{events}]}}}}}}}}'
    )


async def run_query(
    request: Request, params: dict[str, Any], query_name: str | None = None
) -> Response:
    node = _node(request)
    size = per_page(request.query_params.get("perPage"))
    token = request.query_params.get("nextPageToken")
    page = await run_in_threadpool(node.events.query, params, size, token)
    headers = {}
    if page.next_token:
        link = dict(request.query_params) | {"perPage": str(size), "nextPageToken": page.next_token}
        headers["Link"] = f'<{request.url.path}?{urlencode(link)}>; rel="next"'
    return Response(
        query_document(page.bodies, query_name),
        headers=gs1_headers() | headers,
        media_type="application/ld+json",
    )


def _multi(request: Request) -> dict[str, Any]:
    params: dict[str, Any] = {}
    for key, value in request.query_params.multi_items():
        params[key] = f"{params[key]}|{value}" if key in params else value
    return params


async def events(request: Request) -> Response:
    return await run_query(request, _multi(request))


async def event_by_id(request: Request) -> Response:
    node = _node(request)
    event_id = request.path_params["event_id"]
    bodies = await run_in_threadpool(node.store.event_bodies, event_id)
    if not bodies:
        raise NoSuchResource(f"No event {event_id}", field="eventID")
    return Response(query_document(bodies), headers=gs1_headers(), media_type="application/ld+json")


async def root(request: Request) -> Response:
    return json_body({"@context": CONTEXT, "type": "Collection", "member": MEMBERS})


def _collection(request: Request) -> str:
    name: str = request.path_params["collection"]
    if name not in COLLECTIONS:
        raise NoSuchResource(f"No collection {name}", field="collection")
    return name


async def collection(request: Request) -> Response:
    node = _node(request)
    column = COLLECTIONS[_collection(request)][1]
    if column is None:
        members = await run_in_threadpool(node.store.distinct_epcs, 1000)
    elif column == "event_type":
        members = list(EVENT_TYPES)
    else:
        members = await run_in_threadpool(node.store.distinct, column)
    return json_body({"@context": CONTEXT, "type": "Collection", "member": members})


async def collection_member(request: Request) -> Response:
    _collection(request)
    return json_body({"@context": CONTEXT, "type": "Collection", "member": ["events"]})


async def collection_events(request: Request) -> Response:
    name = _collection(request)
    param = COLLECTIONS[name][0]
    value = request.path_params["member"]
    params = _multi(request)
    params[param] = canonical_id(value) if name == "epcs" else value
    return await run_query(request, params)


# --- named queries ------------------------------------------------------------------------


async def create_query(request: Request) -> Response:
    node = _node(request)
    try:
        body = json.loads(await request.body())
        name, query = body["name"], body.get("query", {})
    except (ValueError, KeyError, TypeError):
        raise EventValidationError(
            'The body must be {"name": …, "query": {…}}', field="name"
        ) from None
    if not isinstance(name, str) or not name or not isinstance(query, dict):
        raise EventValidationError("name must be a non-empty string, query an object", field="name")
    parse_query(query)  # every parameter checked now, not when the query first runs
    await run_in_threadpool(node.store.create_query, name, query, now_text())
    root = request.scope.get("root_path", "")
    return Response(status_code=201, headers={"Location": f"{root}/queries/{quote(name)}"})


async def list_queries(request: Request) -> Response:
    node = _node(request)
    names = await run_in_threadpool(node.store.query_names)
    out = []
    for name in names:
        out.append({"name": name, "query": await run_in_threadpool(node.store.named_query, name)})
    return json_body(out)


async def get_query(request: Request) -> Response:
    node = _node(request)
    name = request.path_params["name"]
    query = await run_in_threadpool(node.store.named_query, name)
    return json_body({"name": name, "query": query})


async def delete_query(request: Request) -> Response:
    node = _node(request)
    await run_in_threadpool(node.store.delete_query, request.path_params["name"])
    return Response(status_code=204)


async def query_events(request: Request) -> Response:
    node = _node(request)
    name = request.path_params["name"]
    query = await run_in_threadpool(node.store.named_query, name)
    return await run_query(request, dict(query), query_name=name)
