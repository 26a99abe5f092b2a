"""`/queries/{name}/subscriptions`: webhook subscriptions (stream: true) to a named query."""

from __future__ import annotations

import json
import secrets
from typing import Any
from urllib.parse import quote, urlsplit

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from zhizao.api.epcis.problems import json_body
from zhizao.errors import NoSuchResource, SubscriptionControlsError
from zhizao.event_service import now_text
from zhizao.events.record import parse_time, utc_text
from zhizao.node import Node


def _node(request: Request) -> Node:
    return request.app.state.node


def _public(sub: dict[str, Any]) -> dict[str, Any]:
    out = {"subscriptionID": sub["id"], "dest": sub["dest"], "stream": True}
    out |= {"createdAt": sub["created_at"], "deliveryAttempts": sub["attempts"]}
    if sub["last_error"]:
        out["lastError"] = sub["last_error"]
    return out


async def subscribe(request: Request) -> Response:
    node = _node(request)
    name = request.path_params["name"]
    await run_in_threadpool(node.store.named_query, name)
    try:
        body = json.loads(await request.body())
        dest = body["dest"]
    except (ValueError, KeyError, TypeError):
        raise SubscriptionControlsError('The body must hold "dest"', field="dest") from None
    if urlsplit(str(dest)).scheme not in ("http", "https"):
        raise SubscriptionControlsError("dest must be an http(s) URL", field="dest")
    if body.get("stream") is not True:
        raise SubscriptionControlsError(
            'Only streaming subscriptions ("stream": true) are offered', field="stream"
        )
    token = body.get("signatureToken")
    if token is not None and not isinstance(token, str):
        raise SubscriptionControlsError("signatureToken must be a string", field="signatureToken")
    row: dict[str, Any] = {"id": secrets.token_hex(8), "query_name": name, "dest": dest}
    row |= {"token": token, "created_at": now_text()}
    if "initialRecordTime" in body:
        try:
            start = utc_text(parse_time(str(body["initialRecordTime"])))
        except ValueError:
            raise SubscriptionControlsError(
                "initialRecordTime is not a date-time", field="initialRecordTime"
            ) from None
        row["last_seq"] = await run_in_threadpool(node.store.seq_before, start)
    await run_in_threadpool(node.store.create_subscription, row)
    location = (
        f"{request.scope.get('root_path', '')}/queries/{quote(name)}/subscriptions/{row['id']}"
    )
    return Response(status_code=201, headers={"Location": location})


async def list_subscriptions(request: Request) -> Response:
    node = _node(request)
    name = request.path_params["name"]
    await run_in_threadpool(node.store.named_query, name)
    subs = await run_in_threadpool(node.store.subscriptions, name)
    return json_body([_public(s) for s in subs])


async def get_subscription(request: Request) -> Response:
    node = _node(request)
    subs = await run_in_threadpool(node.store.subscriptions, request.path_params["name"])
    for sub in subs:
        if sub["id"] == request.path_params["subscription_id"]:
            return json_body(_public(sub))
    raise NoSuchResource("No such subscription", field="subscriptionID")


async def unsubscribe(request: Request) -> Response:
    node = _node(request)
    await run_in_threadpool(
        node.store.delete_subscription,
        request.path_params["name"],
        request.path_params["subscription_id"],
    )
    return Response(status_code=204)
