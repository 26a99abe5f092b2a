"""`/api/prefixes` (list, home, unhome) and `/api/site` (this node's HS_SITE)."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from zhizao import __version__
from zhizao.api import handle_protocol as hp
from zhizao.api.credentials import Caller
from zhizao.api.handles import endpoint, flag
from zhizao.errors import InvalidHandle, MalformedRequest
from zhizao.federation.delegation import delegate, delegations
from zhizao.identifiers.handle import check_prefix
from zhizao.identifiers.referral import site_data
from zhizao.node import Node


def _prefix_param(request: Request) -> str:
    prefix = request.query_params.get("prefix") or request.path_params.get("prefix", "")
    if prefix.upper().startswith("0.NA/"):
        prefix = prefix[5:]
    if not prefix:
        raise InvalidHandle("Missing prefix parameter", field="prefix")
    return check_prefix(prefix)


async def list_prefixes(request: Request, node: Node, caller: Caller) -> Response:
    prefixes = await run_in_threadpool(node.store.homed_prefixes)
    return hp.json_response(
        {"responseCode": hp.SUCCESS, "prefixes": prefixes}, pretty=flag(request, "pretty")
    )


async def home_prefix(request: Request, node: Node, caller: Caller) -> Response:
    prefix = _prefix_param(request)
    node.registry.require_server_admin(caller.identity, f"home prefix {prefix}")
    await run_in_threadpool(node.home, prefix)
    return hp.json_response({"responseCode": hp.SUCCESS, "prefix": prefix})


async def unhome_prefix(request: Request, node: Node, caller: Caller) -> Response:
    prefix = _prefix_param(request)
    node.registry.require_server_admin(caller.identity, f"unhome prefix {prefix}")
    await run_in_threadpool(node.unhome, prefix)
    return hp.json_response({"responseCode": hp.SUCCESS, "prefix": prefix})


async def list_delegations(request: Request, node: Node, caller: Caller) -> Response:
    found = await run_in_threadpool(delegations, node)
    body = {"responseCode": hp.SUCCESS, "delegations": [{"prefix": d.prefix, "urls": d.urls}
                                                        for d in found]}  # fmt: skip
    return hp.json_response(body, pretty=flag(request, "pretty"))


async def add_delegation(request: Request, node: Node, caller: Caller) -> Response:
    """`POST /api/delegations?prefix=88.118&to=URL`: point a derived prefix at its node."""
    prefix = _prefix_param(request)
    url = request.query_params.get("to")
    if not url:
        raise MalformedRequest("Missing to parameter (the child node's URL)", field="to")
    done = await run_in_threadpool(delegate, node, prefix, url, caller.identity)
    return hp.json_response(
        {"responseCode": hp.SUCCESS, "handle": f"0.NA/{done.prefix}", "urls": done.urls}
    )


async def site(request: Request, node: Node, caller: Caller) -> Response:
    """This node as an HS_SITE value, so a parent node can point referrals at it."""
    secure = request.url.scheme == "https"
    port = request.url.port or (443 if secure else 80)
    host = request.url.hostname or "127.0.0.1"
    host = f"[{host}]" if ":" in host else host  # an IPv6 address
    data = site_data(f"{request.url.scheme}://{host}:{port}")
    data["attributes"] = [{"name": "desc", "value": f"zhizao {__version__} identifier node"}]
    body = {"responseCode": hp.SUCCESS, "site": data}
    return hp.json_response(body, pretty=flag(request, "pretty"))


list_endpoint = endpoint(list_prefixes)
delegations_endpoint = endpoint(list_delegations)
delegate_endpoint = endpoint(add_delegation)
home_endpoint = endpoint(home_prefix)
unhome_endpoint = endpoint(unhome_prefix)
site_endpoint = endpoint(site)
