"""RFC 7807 answers and the GS1-* headers every EPCIS response carries."""

from __future__ import annotations

import json
import logging
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from zhizao import __version__
from zhizao.errors import EventsError, NotInGenealogy, TraceError, ZhizaoError
from zhizao.event_service import problem

log = logging.getLogger("zhizao.epcis")
PROBLEM_TYPE = "application/problem+json"
JSON_LD = "application/ld+json"
EPCIS_VERSION = "2.0.0"
CBV_VERSION = "2.0.0"


def gs1_headers(**extra: str) -> dict[str, str]:
    return {
        "GS1-EPCIS-Version": EPCIS_VERSION,
        "GS1-CBV-Version": CBV_VERSION,
        "GS1-EPC-Format": "Never_Translates",
        "GS1-Vendor-Version": f"zhizao {__version__}",
        **extra,
    }


def json_body(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    text = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
    return Response(text, status, {**gs1_headers(), **(headers or {})}, media_type=JSON_LD)


def problem_response(body: dict[str, Any], headers: dict[str, str] | None = None) -> Response:
    text = json.dumps(body, ensure_ascii=False)
    return Response(
        text, body["status"], {**gs1_headers(), **(headers or {})}, media_type=PROBLEM_TYPE
    )


async def on_domain_error(request: Request, exc: Exception) -> Response:
    if isinstance(exc, EventsError):
        return problem_response(problem(exc))
    if isinstance(exc, TraceError | ZhizaoError):
        message = exc.message if isinstance(exc, ZhizaoError) else str(exc)
        status, title = (
            (404, "Not found") if isinstance(exc, NotInGenealogy) else (400, "Bad request")
        )
        body = {"type": "about:blank", "title": title, "status": status, "detail": message}
        if isinstance(exc, ZhizaoError) and exc.field:
            body["field"] = exc.field
        return problem_response(body)
    raise exc


async def on_http_error(request: Request, exc: Exception) -> Response:
    status = getattr(exc, "status_code", 500)
    if status == 404:
        name, title = "NoSuchNameException", "Resource not found"
    elif status == 405:
        name, title = "ImplementationException", "Method not allowed"
    else:
        name, title = "ImplementationException", str(getattr(exc, "detail", "Error"))
    body = {"type": f"epcisException:{name}", "title": title, "status": status}
    body["detail"] = f"{request.method} {request.url.path}"
    return problem_response(body)


async def on_server_error(request: Request, exc: Exception) -> Response:
    log.exception("unexpected error on %s %s", request.method, request.url.path)
    body = {"type": "epcisException:ImplementationException", "title": "Internal error"}
    return problem_response({**body, "status": 500})


HANDLERS: dict[Any, Any] = {
    ZhizaoError: on_domain_error,
    HTTPException: on_http_error,
    Exception: on_server_error,
}
