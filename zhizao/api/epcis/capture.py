"""`/capture` (asynchronous jobs), `/capture/{id}` and `POST /events` (one event, at once)."""

from __future__ import annotations

from urllib.parse import quote

from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from zhizao.api.body import read_limited
from zhizao.api.epcis.problems import gs1_headers, json_body
from zhizao.errors import CaptureLimitExceeded, EventValidationError
from zhizao.events.query import per_page as parse_per_page
from zhizao.node import Node

ACCEPTED_TYPES = ("application/json", "application/ld+json")


def _node(request: Request) -> Node:
    return request.app.state.node


def limit_headers(node: Node) -> dict[str, str]:
    return {
        "GS1-EPCIS-Capture-Limit": str(node.settings.epcis_capture_limit),
        "GS1-EPCIS-Capture-File-Size-Limit": str(node.settings.epcis_capture_bytes),
    }


async def read_body(request: Request, node: Node) -> bytes:
    media = request.headers.get("content-type", "application/json").split(";")[0].strip()
    if media not in ACCEPTED_TYPES:
        raise EventValidationError(
            f"Content-Type {media} is not accepted: use application/json or application/ld+json",
            field="Content-Type",
        )
    limit = node.settings.epcis_capture_bytes
    return await read_limited(
        request, limit, lambda: CaptureLimitExceeded(f"The document is over the {limit}-byte limit")
    )


async def capture(request: Request) -> Response:
    node = _node(request)
    body = await read_body(request, node)
    behaviour = request.headers.get("gs1-capture-error-behaviour", "rollback").strip().lower()
    job = await run_in_threadpool(node.events.submit, body, behaviour)
    # Acknowledged only once the job is committed; processing runs after the answer is sent.
    task = BackgroundTask(
        run_in_threadpool, node.events.run_job, job.capture_id, None, job.document
    )
    root = request.scope.get("root_path", "")
    headers = gs1_headers(Location=f"{root}/capture/{job.capture_id}")
    return Response(status_code=202, headers=headers | limit_headers(node), background=task)


async def capture_options(request: Request) -> Response:
    node = _node(request)
    headers = gs1_headers(Allow="OPTIONS, POST, GET", **limit_headers(node))
    headers |= {
        "GS1-EPCIS-Min": "2.0.0",
        "GS1-EPCIS-Max": "2.0.0",
        "GS1-CBV-Min": "2.0.0",
        "GS1-CBV-Max": "2.0.0",
        "GS1-Capture-Error-Behaviour": "rollback, proceed",
    }
    return Response(status_code=204, headers=headers)


async def job(request: Request) -> Response:
    node = _node(request)
    found = await run_in_threadpool(node.store.job, request.path_params["capture_id"])
    return json_body(found)


async def jobs(request: Request) -> Response:
    node = _node(request)
    per_page = parse_per_page(request.query_params.get("perPage"))
    after = request.query_params.get("nextPageToken")
    found = await run_in_threadpool(node.store.jobs, per_page + 1, after)
    headers = {}
    if len(found) > per_page:
        found = found[:per_page]
        token = found[-1]["captureID"]
        link = f"{request.url.path}?perPage={per_page}&nextPageToken={token}"
        headers["Link"] = f'<{link}>; rel="next"'
    return json_body(found, headers=headers)


async def capture_one(request: Request) -> Response:
    node = _node(request)
    body = await read_body(request, node)
    event_id = await run_in_threadpool(node.events.capture_event, body)
    root = request.scope.get("root_path", "")
    return Response(
        status_code=201, headers=gs1_headers(Location=f"{root}/events/{quote(event_id, safe='')}")
    )
