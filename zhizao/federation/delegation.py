"""Prefix delegation: a parent node points a derived prefix at the child node that serves it."""

from __future__ import annotations

from dataclasses import dataclass

from zhizao.identifiers.admin import AdminRef
from zhizao.identifiers.handle import NA_PREFIX, parse_handle, prefix_handle
from zhizao.identifiers.referral import (
    HS_SITE,
    delegated_prefix,
    delegation_values,
    site_urls,
)
from zhizao.node import Node


@dataclass(frozen=True, slots=True)
class Delegation:
    prefix: str
    urls: list[str]


def delegate(node: Node, prefix: str, url: str, identity: AdminRef | None) -> Delegation:
    """Create (or repoint) `0.NA/<prefix>` here with the child's site values.

    The registry checks that this node holds the parent prefix and that `identity` may add
    derived prefixes to it (HS_ADMIN's add-derived-prefix bit on the parent's prefix handle).
    """
    canonical = delegated_prefix(prefix)
    handle = prefix_handle(canonical)
    admin = identity or AdminRef(handle.text, 100)
    values = delegation_values(url, admin)
    node.registry.create(handle, values, identity, overwrite=True)
    return Delegation(canonical, site_urls(values[0].data.value))


def delegations(node: Node) -> list[Delegation]:
    """Every prefix this node has delegated, with the child's URLs."""
    out = []
    for name in node.store.list_handles(NA_PREFIX, 0, None):
        record = node.store.get(parse_handle(name).key)
        if record is None:
            continue
        urls = [u for v in record.values if v.type == HS_SITE for u in site_urls(v.data.value)]
        if urls:
            out.append(Delegation(record.handle.suffix, urls))
    return out
