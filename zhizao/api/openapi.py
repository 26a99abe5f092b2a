"""The OpenAPI 3.1 description of `/v1`, built from the routes themselves so it cannot miss
one; the summaries and body schemas are declared here."""

from __future__ import annotations

import re
from typing import Any

from starlette.routing import Route

from zhizao import __version__

_OBJ = {"type": "object"}
_PROJECT_FIELDS = {
    "id": {"type": "string"}, "name": {"type": "string"}, "investor": {"type": "string"},
    "origin": {"enum": ["foreign", "out-of-province", "in-province", "local"]},
    "contractType": {"enum": ["framework", "formal"]},
    "amount": {"type": "string", "description": "contracted investment in yuan (decimal)"},
    "sector": {"type": "string", "description": "GB/T 4754-2017 code, e.g. C3612"},
    "cluster": {"type": "string"}, "area": {"type": "string"},
    "responsibleUnit": {"type": "string"}, "signingEvent": {"type": "string"},
    "investorParty": {"type": "string"}, "signedOn": {"type": "string", "format": "date"},
    "stage": {"type": "string"}, "stageDate": {"type": "string", "format": "date"},
}  # fmt: skip
SCHEMAS: dict[str, Any] = {
    "Problem": {"type": "object", "description": "RFC 7807", "properties": {
        "type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"},
        "detail": {"type": "string"}, "field": {"type": "string"}, "row": {"type": "integer"}}},
    "ProjectInput": {"type": "object", "properties": _PROJECT_FIELDS, "required": [
        "id", "name", "investor", "origin", "contractType", "amount", "sector", "cluster",
        "area", "responsibleUnit"]},
    "SigningEventInput": {"type": "object", "required": ["id", "name", "date", "mainVenue"],
        "properties": {"id": {"type": "string"}, "name": {"type": "string"},
                       "date": {"type": "string", "format": "date"},
                       "mainVenue": {"type": "string"}, "online": {"type": "boolean"},
                       "subVenues": {"type": "array", "items": {"type": "string"}}}},
    "StageChange": {"type": "object", "required": ["stage", "date"], "properties": {
        "stage": {"enum": ["planned", "negotiating", "signed", "started", "under_construction",
                           "in_production", "at_capacity"]},
        "date": {"type": "string", "format": "date"}}},
    "Signature": {"type": "object", "required": ["document", "party", "signedAt", "signature"],
        "properties": {"document": {"type": "string", "description": "sha-256 hex"},
                       "party": {"type": "string"},
                       "signedAt": {"type": "string", "format": "date-time"},
                       "signature": {"type": "string", "description": "base64 Ed25519"}}},
}  # fmt: skip

# (method, path) → (summary, request body schema or media type, needs a token)
OPERATIONS: dict[tuple[str, str], tuple[str, Any, bool]] = {
    ("GET", "/signing-events"): ("List signing events (expos, cloud signings)", None, False),
    ("GET", "/federation/volume"): (
        "Daily resolution counts of this node and its subtree (?by=child: monthly per child)",
        None,
        False,
    ),
    ("POST", "/signing-events"): ("Create a signing event", "SigningEventInput", True),
    ("GET", "/signing-events/{id}"): ("One signing event", None, False),
    ("GET", "/signing-events/{id}/board"): ("Ceremony board: signed so far, totals", None, False),
    ("GET", "/signing-events/{id}/board/stream"): ("The board as server-sent events", None, False),
    ("GET", "/signing-events/{id}/ceremony"): ("The live ceremony board page", None, False),
    ("GET", "/projects"): ("List projects (?signingEvent=)", None, False),
    ("POST", "/projects"): ("Create a project, or a list all-or-nothing", "ProjectInput", True),
    ("GET", "/projects/{id}"): ("One project with documents and signatures", None, False),
    ("POST", "/projects/{id}/stages"): ("Move a project to its next stage", "StageChange", True),
    ("PUT", "/projects/{id}/funds/{month}"): ("Funds in place in a month (yuan)", _OBJ, True),
    ("PUT", "/projects/{id}/output/{month}"): ("Output of the project in a month", _OBJ, True),
    ("POST", "/projects/{id}/documents"): ("Register a contract file (raw body, ?name=)",
                                           "application/octet-stream", True),
    ("POST", "/projects/{id}/signatures"): ("Submit a party's signature", "Signature", True),
    ("GET", "/indicators"): ("Indicators for a period (?period=2023-H1&area=&cluster=)", None,
                             False),
    ("POST", "/parties"): ("Register a party (zone or investor side)", _OBJ, True),
    ("POST", "/parties/{party}/keys"): ("Register a party's Ed25519 public key", _OBJ, True),
    ("DELETE", "/keys/{key}"): ("Revoke a key", None, True),
    ("GET", "/evidence"): ("The evidence log (?after=&limit=)", None, False),
    ("GET", "/evidence/verify"): ("Re-check the whole log, every document and signature", None,
                                  False),
    ("GET", "/trace/{item}/inside"): ("Everything inside an item (?at=)", None, False),
    ("GET", "/trace/{item}/where-used"): ("Finished items using an item (?scope=)", None, False),
    ("POST", "/recalls"): ("Vehicles affected by lots or items (JSON or CSV)", _OBJ, False),
    ("GET", "/stats/subjects"): ("Subjects (?kind=&parent=&role=)", None, False),
    ("GET", "/stats/indicators"): ("Indicators and their units", None, False),
    ("GET", "/stats/figures"): ("A figure: value, YoY, share, rank, pull (?indicator=&subject="
                                "&period=&parent=&rankBy=&source=)", None, False),
    ("GET", "/stats/monthly"): ("Monthly and cumulative values with YoY (?indicator=&subject="
                                "&period=)", None, False),
    ("GET", "/stats/kpis"): ("Transformation KPIs before/after, and their averages", None, False),
    ("GET", "/stats/output-interval"): ("Average output interval for a calendar (?indicator="
                                        "&subject=&period=&daysPerYear=&hoursPerDay=)", None,
                                        False),
    ("GET", "/stats/report"): ("The period's indicator table (?period=&format=xlsx)", None, False),
    ("POST", "/stats/reports"): ("Import a monthly statistics report (CSV body)", None, True),
    ("GET", "/openapi.json"): ("This document", None, False),
}  # fmt: skip


def _path(route: Route) -> str:
    return re.sub(r"\{(\w+)(:\w+)?\}", r"{\1}", route.path)


def document(routes: list[Route]) -> dict[str, Any]:
    paths: dict[str, Any] = {}
    for route in routes:
        path = _path(route)
        for method in sorted((route.methods or set()) - {"HEAD"}):
            summary, body, secured = OPERATIONS[(method, path)]
            op: dict[str, Any] = {"summary": summary, "responses": {
                "2XX": {"description": "success"},
                "default": {"description": "a problem",
                            "content": {"application/problem+json": {
                                "schema": {"$ref": "#/components/schemas/Problem"}}}}}}  # fmt: skip
            params = re.findall(r"\{(\w+)\}", path)
            if params:
                op["parameters"] = [{"name": p, "in": "path", "required": True,
                                     "schema": {"type": "string"}} for p in params]  # fmt: skip
            if isinstance(body, str) and "/" in body:
                binary = {"type": "string", "format": "binary"}
                op["requestBody"] = {"content": {body: {"schema": binary}}}
            elif body is not None:
                schema = {"$ref": f"#/components/schemas/{body}"} if isinstance(body, str) else body
                op["requestBody"] = {"content": {"application/json": {"schema": schema}}}
            if secured:
                op["security"] = [{"token": []}]
            paths.setdefault("/v1" + path, {})[method.lower()] = op
    return {
        "openapi": "3.1.0",
        "info": {"title": "zhizao /v1", "version": __version__,
                 "description": "Projects, cloud signing, indicators and trace."},
        "paths": paths,
        "components": {"schemas": SCHEMAS, "securitySchemes": {
            "token": {"type": "http", "scheme": "bearer"}}},
    }  # fmt: skip
