"""`/v1` routes of the projects domain: signing events, projects, stages, funds, output,
indicators, parties and keys, contract documents, signatures, the evidence log."""

from __future__ import annotations

import json
from dataclasses import asdict
from decimal import Decimal
from functools import partial
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from zhizao.api.body import read_limited
from zhizao.errors import InvalidProject
from zhizao.project_service import ProjectService
from zhizao.projects.access import Caller
from zhizao.projects.model import amount
from zhizao.stats.period import Period

DOCUMENT_LIMIT = 64 * 1024 * 1024  # a contract with its annexes, scanned


def service(request: Request) -> ProjectService:
    return request.app.state.projects


def reply(body: Any, status: int = 201) -> Response:
    return Response(json.dumps(body, ensure_ascii=False), status, media_type="application/json")


def ok(body: Any) -> Response:
    return reply(body, 200)


async def call(fn: Any, *args: Any) -> Any:
    return await run_in_threadpool(partial(fn, *args))


async def caller(request: Request) -> Caller:
    header = request.headers.get("authorization", "")
    token = header[7:].strip() if header.lower().startswith("bearer ") else None
    return await call(service(request).caller, token)


async def body_of(request: Request) -> Any:
    try:
        return json.loads(await request.body())
    except ValueError:
        raise InvalidProject("the body is not JSON", field="body") from None


async def fields_of(request: Request, *required: str) -> dict[str, Any]:
    body = await body_of(request)
    if not isinstance(body, dict):
        raise InvalidProject("the body must be a JSON object", field="body")
    for name in required:
        if body.get(name) in (None, ""):
            raise InvalidProject(f"{name} is required", field=name)
    return body


# --- signing events ---------------------------------------------------------------------


async def list_signing_events(request: Request) -> Response:
    return ok(await call(service(request).store.signing_events))


async def create_signing_event(request: Request) -> Response:
    who = await caller(request)
    return reply(await call(service(request).create_signing_event, await fields_of(request), who))


async def get_signing_event(request: Request) -> Response:
    return ok(await call(service(request).signing_event, request.path_params["id"]))


async def board(request: Request) -> Response:
    return ok(await call(service(request).board, request.path_params["id"]))


# --- projects ---------------------------------------------------------------------------


async def list_projects(request: Request) -> Response:
    event = request.query_params.get("signingEvent")
    return ok([p.to_json() for p in await call(service(request).projects, event)])


async def create_projects(request: Request) -> Response:
    """One project object, or a list of them created all together or not at all."""
    who = await caller(request)
    body = await body_of(request)
    rows = body if isinstance(body, list) else [body]
    if not all(isinstance(r, dict) for r in rows):
        raise InvalidProject("the body must be a project object or a list of them", field="body")
    created = [p.to_json() for p in await call(service(request).create_projects, rows, who)]
    return reply(created if isinstance(body, list) else created[0])


async def get_project(request: Request) -> Response:
    pid = request.path_params["id"]
    svc = service(request)
    out = (await call(svc.project, pid)).to_json()
    out["documents"] = await call(svc.store.documents_of, pid)
    out["signatures"] = await call(svc.store.signatures_of, pid)
    return ok(out)


async def change_stage(request: Request) -> Response:
    who = await caller(request)
    f = await fields_of(request, "stage", "date")
    pid = request.path_params["id"]
    project = await call(service(request).change_stage, pid, f["stage"], f["date"], who)
    return ok(project.to_json())


async def put_funds(request: Request) -> Response:
    who = await caller(request)
    f = await fields_of(request, "amount")
    yuan: Decimal = amount(f["amount"], "amount", positive=False)
    pid, month = request.path_params["id"], request.path_params["month"]
    return ok((await call(service(request).record_funds, pid, month, yuan, who)).to_json())


async def put_output(request: Request) -> Response:
    who = await caller(request)
    f = await fields_of(request, "units")
    units = amount(f["units"], "units", positive=False)
    pid, month = request.path_params["id"], request.path_params["month"]
    return ok((await call(service(request).record_output, pid, month, units, who)).to_json())


async def indicators(request: Request) -> Response:
    q = request.query_params
    if not q.get("period"):
        raise InvalidProject("period is required (2023-06, 2023-01..06, 2023-H1, 2023)",
                             field="period")  # fmt: skip
    period = Period.parse(q["period"])
    filters = {"signing_event": q.get("signingEvent"), "area": q.get("area"),
               "cluster": q.get("cluster")}  # fmt: skip
    return ok(await run_in_threadpool(partial(service(request).report, period, **filters)))


# --- parties, keys, documents, signatures, evidence -------------------------------------


async def add_party(request: Request) -> Response:
    who = await caller(request)
    f = await fields_of(request, "id", "name", "side")
    await call(service(request).add_party, f["id"], f["name"], f["side"], who)
    return reply({"id": f["id"], "name": f["name"], "side": f["side"]})


async def add_key(request: Request) -> Response:
    who = await caller(request)
    f = await fields_of(request, "publicKey")
    party = request.path_params["party"]
    kid = await call(service(request).register_key, party, f["publicKey"], who)
    return reply({"keyId": kid, "party": party})


async def revoke_key(request: Request) -> Response:
    who = await caller(request)
    await call(service(request).revoke_key, request.path_params["key"], who)
    return Response(status_code=204)


async def add_document(request: Request) -> Response:
    who = await caller(request)
    name = request.query_params.get("name") or "contract"

    def too_large() -> Exception:
        return InvalidProject(f"the document is over {DOCUMENT_LIMIT} bytes", field="document")

    content = await read_limited(request, DOCUMENT_LIMIT, too_large)
    pid = request.path_params["id"]
    sha = await call(service(request).register_document, pid, name, content, who)
    return reply({"sha256": sha, "name": name, "bytes": len(content)})


async def add_signature(request: Request) -> Response:
    who = await caller(request)
    f = await fields_of(request, "document", "party", "signedAt", "signature")
    args = (request.path_params["id"], f["document"], f["party"], f["signedAt"], f["signature"])
    return reply(await call(service(request).sign, *args, who))


async def evidence(request: Request) -> Response:
    try:
        after = int(request.query_params.get("after", 0))
        limit = min(int(request.query_params.get("limit", 1000)), 10_000)
    except ValueError:
        raise InvalidProject("after and limit must be integers", field="after") from None
    entries = await call(service(request).store.evidence, after, limit)
    return ok([asdict(e) for e in entries])


async def verify(request: Request) -> Response:
    return ok((await call(service(request).verify)).to_json())


ROUTES = [
    Route("/signing-events", list_signing_events, methods=["GET"]),
    Route("/signing-events", create_signing_event, methods=["POST"]),
    Route("/signing-events/{id}", get_signing_event, methods=["GET"]),
    Route("/signing-events/{id}/board", board, methods=["GET"]),
    Route("/projects", list_projects, methods=["GET"]),
    Route("/projects", create_projects, methods=["POST"]),
    Route("/projects/{id}", get_project, methods=["GET"]),
    Route("/projects/{id}/stages", change_stage, methods=["POST"]),
    Route("/projects/{id}/funds/{month}", put_funds, methods=["PUT"]),
    Route("/projects/{id}/output/{month}", put_output, methods=["PUT"]),
    Route("/projects/{id}/documents", add_document, methods=["POST"]),
    Route("/projects/{id}/signatures", add_signature, methods=["POST"]),
    Route("/indicators", indicators, methods=["GET"]),
    Route("/parties", add_party, methods=["POST"]),
    Route("/parties/{party}/keys", add_key, methods=["POST"]),
    Route("/keys/{key}", revoke_key, methods=["DELETE"]),
    Route("/evidence", evidence, methods=["GET"]),
    Route("/evidence/verify", verify, methods=["GET"]),
]
