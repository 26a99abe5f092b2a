"""`/api/handles`: the Handle.Net JSON REST API for one handle, and listing by prefix."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from zhizao.api import handle_protocol as hp
from zhizao.api.body import read_limited
from zhizao.api.credentials import Caller, caller_of
from zhizao.api.recursion import STALE_WARNING, resolution_body, resolve_elsewhere
from zhizao.errors import (
    AuthenticationFailed,
    AuthenticationNeeded,
    InvalidHandle,
    MalformedRequest,
    PrefixNotHomed,
    ZhizaoError,
)
from zhizao.identifiers.bulk import item_from_json
from zhizao.identifiers.handle import Handle, check_prefix, mint_handle, parse_handle
from zhizao.identifiers.registry import ReadRequest
from zhizao.identifiers.values import HandleValue, value_from_json
from zhizao.node import Node

PREFIX = "/api/handles/"


def flag(request: Request, name: str, default: bool = False) -> bool:
    """Handle.Net's booleans: absent = default, empty or true/yes = true, anything else false."""
    raw = request.query_params.get(name)
    if raw is None:
        return default
    return raw == "" or raw.lower() in ("true", "yes")


def int_params(request: Request, name: str) -> list[int]:
    out = []
    for raw in request.query_params.getlist(name):
        try:
            out.append(int(raw))
        except ValueError:
            raise MalformedRequest(f"Invalid {name} parameter {raw!r}", field=name) from None
    return out


def handle_text(request: Request) -> str:
    return request.url.path[len(PREFIX) :] if request.url.path.startswith(PREFIX) else ""


def error_response(
    exc: ZhizaoError,
    handle: str | None,
    caller: Caller | None,
    request: Request,
    *,
    resolution: bool = False,
) -> Response:
    rc = hp.response_code(exc)
    if isinstance(exc, AuthenticationFailed):
        # As Handle.Net: a failed credential is a bare 401 with the challenge.
        return Response(b"", 401, headers={"WWW-Authenticate": 'Basic realm="handle"'})
    status = hp.status_for(rc, resolution=resolution)
    if isinstance(exc, AuthenticationNeeded) and caller is not None and caller.insecure:
        status = 403
        exc = AuthenticationNeeded("Authentication is refused over an insecure channel: use HTTPS")
    return hp.json_response(
        hp.error_body(exc, handle),
        status,
        pretty=flag(request, "pretty"),
        callback=request.query_params.get("callback"),
    )


async def read_body_json(request: Request, node: Node) -> Any:
    ctype = request.headers.get("content-type", "")
    if ctype.split(";")[0].strip().lower() != "application/json":
        raise MalformedRequest(f"Unsupported media type {ctype or '(none)'}: use application/json")
    limit = node.settings.max_body_bytes
    body = await read_limited(
        request, limit, lambda: BodyTooLarge(f"Request body larger than {limit} bytes")
    )
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise MalformedRequest(f"Malformed JSON body: {exc}") from None
    except RecursionError:
        raise MalformedRequest("Malformed JSON body: nested too deeply") from None


class BodyTooLarge(MalformedRequest):
    pass


def values_from_body(body: Any, handle: Handle) -> list[HandleValue]:
    if isinstance(body, list):
        raw_values, where = body, "values"
    elif isinstance(body, dict) and "values" in body:
        named = body.get("handle")
        if named is not None and (
            not isinstance(named, str) or parse_handle(named).key != handle.key
        ):
            raise MalformedRequest("Mismatched handle in PUT request", field="handle")
        raw_values, where = body["values"], "values"
        if not isinstance(raw_values, list):
            raise MalformedRequest("values: must be a list", field="values")
    elif isinstance(body, dict):
        return [value_from_json(body, "value")]
    else:
        raise MalformedRequest("Body must be a list of values or an object with values")
    return [value_from_json(v, f"{where}[{i}]") for i, v in enumerate(raw_values)]


Handler = Callable[[Request, Node, Caller], Awaitable[Response]]


def endpoint(
    handler: Handler, *, resolution: bool = False
) -> Callable[[Request], Awaitable[Response]]:
    """Authenticate, run, and turn domain errors into Handle.Net answers."""

    async def run(request: Request) -> Response:
        node: Node = request.app.state.node
        caller = None
        try:
            caller = await authenticate(request, node)
            return await handler(request, node, caller)
        except BodyTooLarge as exc:
            return hp.json_response(hp.error_body(exc, handle_text(request) or None), 413)
        except ZhizaoError as exc:
            return error_response(
                exc, handle_text(request) or None, caller, request, resolution=resolution
            )

    return run


async def authenticate(request: Request, node: Node) -> Caller:
    if "authorization" not in request.headers:
        return Caller(None)
    return await run_in_threadpool(caller_of, request, node)


async def get_handle(request: Request, node: Node, caller: Caller) -> Response:
    text = handle_text(request)
    if not text:
        return await list_handles(request, node, caller)
    public_only = request.query_params.get("publicOnly")
    req = ReadRequest(
        parse_handle(text),
        tuple(int_params(request, "index")),
        tuple(request.query_params.getlist("type")),
        caller.identity,
        None if public_only is None else flag(request, "publicOnly"),
    )
    try:
        resolution = (
            await run_in_threadpool(node.resolve, req) if caller.identity else node.resolve(req)
        )
        values_json, stale = resolution.values_json, False
    except PrefixNotHomed as exc:
        if not flag(request, "recursive", default=True):
            raise
        fresh = flag(request, "auth")
        values_json, stale = await resolve_elsewhere(node, req, exc, fresh=fresh)
    body = resolution_body(text, values_json, stale)
    headers = dict([STALE_WARNING]) if stale else None
    if flag(request, "pretty") or request.query_params.get("callback"):
        return hp.json_response(
            json.loads(body),
            pretty=flag(request, "pretty"),
            callback=request.query_params.get("callback"),
            headers=headers,
        )
    return Response(body, 200, headers, media_type=hp.JSON_TYPE)


async def list_handles(request: Request, node: Node, caller: Caller) -> Response:
    prefix = request.query_params.get("prefix")
    if not prefix:
        raise InvalidHandle("Empty handle invalid")
    check_prefix(prefix)
    page = int_params(request, "page")
    size = int_params(request, "pageSize")
    total, handles = await run_in_threadpool(
        node.registry.list_handles,
        prefix,
        caller.identity,
        page[0] if page else None,
        size[0] if size else None,
    )
    body: dict[str, Any] = {"responseCode": hp.SUCCESS, "prefix": prefix, "totalCount": str(total)}
    if page and size:
        body["page"], body["pageSize"] = page[0], size[0]
    body["handles"] = handles
    return hp.json_response(body, pretty=flag(request, "pretty"))


async def put_handle(request: Request, node: Node, caller: Caller) -> Response:
    text = handle_text(request)
    mint = flag(request, "mintNewSuffix")
    if not text:
        raise InvalidHandle("Empty handle invalid")
    handle = mint_handle(text) if mint else parse_handle(text)
    overwrite = flag(request, "overwrite", default=True)
    values = values_from_body(await read_body_json(request, node), handle)
    index_params = request.query_params.getlist("index")
    if not index_params:
        await run_in_threadpool(
            node.registry.create, handle, values, caller.identity, overwrite=overwrite
        )
        return hp.json_response(
            {"responseCode": hp.SUCCESS, "handle": handle.text},
            hp.status_for(hp.SUCCESS, created=not overwrite),
        )
    if index_params != ["various"]:
        wanted = set(int_params(request, "index"))
        if wanted != {v.index for v in values}:
            raise MalformedRequest("Mismatched indexes in PUT request", field="index")
    await run_in_threadpool(
        node.registry.add_values, handle, values, caller.identity, overwrite=overwrite
    )
    return hp.json_response(
        {"responseCode": hp.SUCCESS, "handle": text},
        hp.status_for(hp.SUCCESS, created=not overwrite),
    )


async def delete_handle(request: Request, node: Node, caller: Caller) -> Response:
    text = handle_text(request)
    handle = parse_handle(text)  # an empty one is "Empty handle invalid", as in Handle.Net
    indexes = int_params(request, "index")
    if indexes:
        await run_in_threadpool(node.registry.remove_values, handle, indexes, caller.identity)
    else:
        await run_in_threadpool(node.registry.delete, handle, caller.identity)
    return hp.json_response({"responseCode": hp.SUCCESS, "handle": text})


MAX_BATCH = 10_000


def batch_from_body(body: Any) -> list[tuple[Handle, list[HandleValue]]]:
    items = body.get("handles") if isinstance(body, dict) else body
    if not isinstance(items, list):
        raise MalformedRequest(
            'Body must be {"handles": [{"handle", "values"}, ...]}', field="handles"
        )
    if len(items) > MAX_BATCH:
        raise MalformedRequest(f"At most {MAX_BATCH} handles per batch", field="handles")
    return [item_from_json(item, f"handles[{i}]") for i, item in enumerate(items)]


async def post_batch(request: Request, node: Node, caller: Caller) -> Response:
    """zhizao's batch registration: many handles in one atomic request (not in Handle.Net)."""
    body = await read_body_json(request, node)
    overwrite = flag(
        request, "overwrite", default=bool(isinstance(body, dict) and body.get("overwrite"))
    )
    items = batch_from_body(body)
    created, skipped = await run_in_threadpool(
        node.registry.create_many, items, caller.identity, overwrite=overwrite
    )
    return hp.json_response({"responseCode": hp.SUCCESS, "created": created, "skipped": skipped})


get_endpoint = endpoint(get_handle, resolution=True)
batch_endpoint = endpoint(post_batch)
put_endpoint = endpoint(put_handle)
delete_endpoint = endpoint(delete_handle)
