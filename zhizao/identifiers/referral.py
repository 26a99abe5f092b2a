"""Prefix referral: where a prefix this node does not home lives, from the delegations it holds.

A parent node delegates a prefix by holding its prefix handle `0.NA/<child>` with an HS_SITE
value (the site that serves `<child>/…`) and an HS_SITE.PREFIX value (the site that knows the
prefixes derived from `<child>`), as the Global Handle Registry does. Asked about
`88.118.8160/x`, a node holding `0.NA/88.118.8160` refers to that record's HS_SITE; one holding
only `0.NA/88.118` refers to its HS_SITE.PREFIX, where the client asks again.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import urlsplit

from zhizao.errors import InvalidValue, PrefixNotHomed, PrefixReferral
from zhizao.identifiers.admin import ALL_PERMS, AdminRecord, AdminRef
from zhizao.identifiers.handle import Handle, check_prefix, parent_prefixes, prefix_handle
from zhizao.identifiers.record import dump_values
from zhizao.identifiers.values import HS_ADMIN, Data, HandleValue, now_stamp

HS_SITE = "HS_SITE"
HS_SITE_PREFIX = "HS_SITE.PREFIX"
# Values of a delegation record (Handle.Net's conventional indexes for site values).
SITE_INDEX, SITE_PREFIX_INDEX, ADMIN_INDEX = 1, 2, 100

ValuesLoader = Callable[[str], Sequence[HandleValue] | None]


def site_data(url: str) -> dict[str, Any]:
    """HS_SITE data for a node reachable at `url` (its HTTP JSON interface)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidValue(f"{url!r} is not an http(s) URL of a node", field="to")
    if parts.path not in ("", "/"):
        raise InvalidValue(f"{url!r}: a node's URL has no path", field="to")
    secure = parts.scheme == "https"
    interface = {
        "query": True,
        "admin": True,
        "protocol": "HTTPS" if secure else "HTTP",
        "port": parts.port or (443 if secure else 80),
    }
    return {
        "version": 1,
        "protocolVersion": "2.10",
        "serialNumber": 1,
        "primarySite": True,
        "multiPrimary": False,
        "attributes": [],
        "servers": [{"serverId": 1, "address": parts.hostname, "interfaces": [interface]}],
    }


def site_urls(data: Any) -> list[str]:
    """The base URLs of a site's HTTP(S) query interfaces, in the order the site lists them."""
    urls = []
    servers = data.get("servers") if isinstance(data, dict) else None
    for server in servers if isinstance(servers, list) else ():
        address = server.get("address") if isinstance(server, dict) else None
        if not isinstance(address, str) or not address:
            continue
        host = f"[{address}]" if ":" in address else address
        for face in server.get("interfaces") or ():
            protocol = str(face.get("protocol", "")).upper()
            if protocol in ("HTTP", "HTTPS") and face.get("query", True):
                urls.append(f"{protocol.lower()}://{host}:{int(face.get('port', 80))}")
    return urls


def delegation_values(url: str, admin: AdminRef) -> list[HandleValue]:
    """The record `0.NA/<child>` a parent holds for a child served at `url`."""
    data = site_data(url)
    stamp = now_stamp()
    admin_data = Data("admin", AdminRecord(admin, ALL_PERMS).to_json())
    return [
        HandleValue(SITE_INDEX, HS_SITE, Data("site", data), timestamp=stamp),
        HandleValue(SITE_PREFIX_INDEX, HS_SITE_PREFIX, Data("site", data), timestamp=stamp),
        HandleValue(ADMIN_INDEX, HS_ADMIN, admin_data, timestamp=stamp),
    ]


def referral_for(handle: Handle, load: ValuesLoader) -> PrefixNotHomed:
    """The answer for a handle whose prefix is not homed here: a referral, or 'not here'.

    The nearest delegation wins: the prefix's own record (its HS_SITE), else the nearest
    ancestor's HS_SITE.PREFIX.
    """
    target = handle.served_prefix
    for prefix in [target, *parent_prefixes(target)]:
        values = load(prefix_handle(prefix).key)
        if not values:
            continue
        wanted = HS_SITE if prefix == target else HS_SITE_PREFIX
        sites = [v for v in values if v.type == wanted and v.is_public]
        urls = [u for v in sites for u in site_urls(v.data.value)]
        if urls:
            return PrefixReferral(
                f"Prefix referral: {target} is served by {urls[0]}",
                dump_values(sites),
                urls,
                referral_handle=f"0.NA/{prefix}",
            )
    return PrefixNotHomed("That prefix doesn't live here")


def delegated_prefix(prefix: str) -> str:
    """A prefix as given on a command line or in a URL (`0.NA/88.118` or `88.118`), checked."""
    return check_prefix(prefix[5:] if prefix.upper().startswith("0.NA/") else prefix)
