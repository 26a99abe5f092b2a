"""RFC 7807 problem answers for zhizao's own API (`/v1`): each names the field, and the row
when the input was a batch."""

from __future__ import annotations

import json
import logging
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from zhizao.errors import (
    AccessDenied,
    InvalidPeriod,
    InvalidProject,
    InvalidReport,
    NotInGenealogy,
    ProjectConflict,
    ProjectNotFound,
    SignatureRejected,
    StatsNotFound,
    TokenRequired,
    ZhizaoError,
)

log = logging.getLogger("zhizao.api")
PROBLEM = "application/problem+json"

# most specific first
STATUS: list[tuple[type[ZhizaoError], int, str]] = [
    (TokenRequired, 401, "Authentication required"),
    (AccessDenied, 403, "Forbidden"),
    (ProjectNotFound, 404, "Not found"),
    (NotInGenealogy, 404, "Not found"),
    (StatsNotFound, 404, "Not found"),
    (ProjectConflict, 409, "Conflict"),
    (SignatureRejected, 422, "Signature rejected"),
    (InvalidProject, 422, "Invalid input"),
    (InvalidPeriod, 422, "Invalid input"),
    (InvalidReport, 422, "Invalid input"),
]


def problem(status: int, title: str, detail: str, **extra: Any) -> Response:
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail}
    body.update({k: v for k, v in extra.items() if v is not None})
    headers = {"WWW-Authenticate": 'Bearer realm="zhizao"'} if status == 401 else None
    return Response(json.dumps(body, ensure_ascii=False), status, headers, media_type=PROBLEM)


def status_of(exc: ZhizaoError) -> tuple[int, str]:
    """The HTTP status and title a domain error is answered with."""
    return next(((s, t) for cls, s, t in STATUS if isinstance(exc, cls)), (400, "Bad request"))


async def on_domain_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ZhizaoError)
    status, title = status_of(exc)
    row = getattr(exc, "row", None)
    detail = f"row {row}: {exc.message}" if row else exc.message
    return problem(status, title, detail, field=exc.field, row=row)


async def on_http_error(request: Request, exc: Exception) -> Response:
    status = getattr(exc, "status_code", 500)
    title = str(getattr(exc, "detail", "Error"))
    return problem(status, title, f"{request.method} {request.url.path}")


async def on_server_error(request: Request, exc: Exception) -> Response:
    log.exception("unexpected error on %s %s", request.method, request.url.path)
    return problem(500, "Internal error", "see the server log")


HANDLERS: dict[Any, Any] = {
    ZhizaoError: on_domain_error,
    HTTPException: on_http_error,
    Exception: on_server_error,
}
