"""Domain errors → Handle responseCodes → HTTP status, as the Handle.Net JSON REST API maps them."""

from __future__ import annotations

import json
import re
from typing import Any

from starlette.responses import Response

from zhizao import errors as e

SUCCESS = 1
ERROR = 2
SERVER_TOO_BUSY = 3
PROTOCOL_ERROR = 4
OPERATION_NOT_SUPPORTED = 5
HANDLE_NOT_FOUND = 100
HANDLE_ALREADY_EXISTS = 101
INVALID_HANDLE = 102
VALUES_NOT_FOUND = 200
VALUE_ALREADY_EXISTS = 201
INVALID_VALUE = 202
RECURSION_COUNT_TOO_HIGH = 6
SERVER_NOT_RESP = 301
PREFIX_REFERRAL = 303
INVALID_ADMIN = 400
INSUFFICIENT_PERMISSIONS = 401
AUTHENTICATION_NEEDED = 402
AUTHENTICATION_FAILED = 403

RESPONSE_CODES: dict[type[e.ZhizaoError], int] = {
    e.MalformedRequest: PROTOCOL_ERROR,
    e.OperationNotSupported: OPERATION_NOT_SUPPORTED,
    e.HandleNotFound: HANDLE_NOT_FOUND,
    e.HandleAlreadyExists: HANDLE_ALREADY_EXISTS,
    e.InvalidHandle: INVALID_HANDLE,
    e.ValuesNotFound: VALUES_NOT_FOUND,
    e.ValueAlreadyExists: VALUE_ALREADY_EXISTS,
    e.InvalidValue: INVALID_VALUE,
    e.PrefixReferral: PREFIX_REFERRAL,
    e.PrefixNotHomed: SERVER_NOT_RESP,
    e.UpstreamUnavailable: SERVER_TOO_BUSY,
    e.ReferralLoop: RECURSION_COUNT_TOO_HIGH,
    e.InvalidAdmin: INVALID_ADMIN,
    e.InsufficientPermissions: INSUFFICIENT_PERMISSIONS,
    e.AuthenticationNeeded: AUTHENTICATION_NEEDED,
    e.AuthenticationFailed: AUTHENTICATION_FAILED,
}

# [HS] BaseHandleRequestProcessingServlet.statusCodeFromResponse
HTTP_STATUS: dict[int, int] = {
    SUCCESS: 200,
    SERVER_TOO_BUSY: 503,  # also: a recursive resolver could not reach the responsible node
    RECURSION_COUNT_TOO_HIGH: 508,
    7: 503,
    PROTOCOL_ERROR: 400,
    OPERATION_NOT_SUPPORTED: 501,
    HANDLE_NOT_FOUND: 404,
    HANDLE_ALREADY_EXISTS: 409,
    VALUE_ALREADY_EXISTS: 409,
    INVALID_HANDLE: 400,
    INVALID_VALUE: 400,
    VALUES_NOT_FOUND: 400,  # 200 on resolution, see `status_for`
    SERVER_NOT_RESP: 400,
    302: 300,
    303: 300,
    AUTHENTICATION_NEEDED: 401,
    INVALID_ADMIN: 403,
    INSUFFICIENT_PERMISSIONS: 403,
    AUTHENTICATION_FAILED: 403,
    404: 403,
}

JSON_TYPE = "application/json;charset=UTF-8"
_CALLBACK_RE = re.compile(r"[A-Za-z_$][A-Za-z0-9_$.]*\Z")


def response_code(exc: e.ZhizaoError) -> int:
    for cls in type(exc).__mro__:
        if cls in RESPONSE_CODES:
            return RESPONSE_CODES[cls]
    return ERROR


def status_for(rc: int, *, resolution: bool = False, created: bool = False) -> int:
    if rc == SUCCESS:
        return 201 if created else 200
    if rc == VALUES_NOT_FOUND and resolution:
        return 200
    return HTTP_STATUS.get(rc, 500)


def dumps(body: Any, pretty: bool = False) -> str:
    if pretty:
        return json.dumps(body, ensure_ascii=False, indent=2)
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"))


def json_response(
    body: dict[str, Any] | list[Any],
    status: int = 200,
    *,
    pretty: bool = False,
    callback: str | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    text = dumps(body, pretty)
    if callback and _CALLBACK_RE.match(callback):
        return Response(
            f"{callback}({text});", status, headers, media_type="application/javascript"
        )
    return Response(text, status, headers, media_type=JSON_TYPE)


def error_body(exc: e.ZhizaoError, handle: str | None) -> dict[str, Any]:
    body: dict[str, Any] = {"responseCode": response_code(exc)}
    if handle is not None:
        body["handle"] = handle
    if isinstance(exc, e.ValuesNotFound):
        body["values"] = []
    if isinstance(exc, e.PrefixReferral):
        body["referralHandle"] = exc.referral_handle
        body["values"] = json.loads(exc.values_json)
    body["message"] = exc.message
    return body


_json_str = json.encoder.encode_basestring  # C, ensure_ascii=False


def resolution_body(handle: str, values_json: str) -> str:
    """`{"responseCode":1,"handle":…,"values":[…]}` around a precomputed values array."""
    return '{"responseCode":1,"handle":' + _json_str(handle) + ',"values":' + values_json + "}"
