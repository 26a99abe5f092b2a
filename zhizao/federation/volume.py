"""Resolution volume across the hierarchy.

Every node publishes the daily counts of its subtree (`GET /v1/federation/volume`): its own
and what it collected from the nodes it delegated prefixes to. A parent collects: it asks only
the URLs it delegated to, and keeps only rows under the prefix it delegated there, so no node
hands out credentials and none can claim another's volume. Each report replaces the last one
from that child, so collecting again is safe.
"""

from __future__ import annotations

import json
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from zhizao.federation.delegation import delegations
from zhizao.node import Node


def subtree_counts(node: Node) -> list[tuple[str, str, int]]:
    """(prefix, day, resolutions) of this node and every node below it."""
    totals: Counter[tuple[str, str]] = Counter()
    for prefix, day, n in node.store.resolution_counts(None):
        totals[(prefix, day)] += n
    for _, prefix, day, n in node.store.federated_counts():
        totals[(prefix, day)] += n
    return [(p, d, n) for (p, d), n in sorted(totals.items())]


def under(prefix: str, delegated: str) -> bool:
    return prefix.upper() == delegated or prefix.upper().startswith(delegated + ".")


def rows_from(body: Any, delegated: str) -> list[tuple[str, str, int]]:
    rows = body.get("counts") if isinstance(body, dict) else None
    if not isinstance(rows, list):
        raise ValueError("the answer has no counts list")
    kept = []
    for row in rows:
        if not (isinstance(row, list) and len(row) == 3 and isinstance(row[2], int)):
            raise ValueError(f"a count row is not [prefix, day, count]: {row!r}")
        prefix, day, n = str(row[0]), str(row[1]), row[2]
        if under(prefix, delegated) and n >= 0:
            kept.append((prefix, day, n))
    return kept


@dataclass
class Collected:
    rows: dict[str, int] = field(default_factory=dict)  # delegated prefix → rows stored
    failed: dict[str, str] = field(default_factory=dict)  # delegated prefix → why


def collect(node: Node, timeout: float = 10.0) -> Collected:
    """Ask each child node for its subtree's counts and store them."""
    out = Collected()
    for d in delegations(node):
        for url in d.urls:
            # a few small GETs every few minutes, from a background thread; only the
            # http(s) URLs this node delegated to
            try:
                with urllib.request.urlopen(f"{url}/v1/federation/volume", timeout=timeout) as r:
                    rows = rows_from(json.loads(r.read()), d.prefix)
            except (OSError, ValueError) as exc:
                out.failed[d.prefix] = f"{url}: {exc}"
                continue
            node.store.replace_federated_counts(d.prefix, rows)
            out.rows[d.prefix] = len(rows)
            out.failed.pop(d.prefix, None)
            break
    return out


def by_child(node: Node) -> dict[str, Any]:
    """Monthly volume per delegated child and for this node itself, the total, and the total's
    year-on-year growth per month (the figure a zone reports for its identifier node)."""
    months: dict[str, Counter[str]] = {}
    for _, day, n in node.store.resolution_counts(None):
        months.setdefault("(this node)", Counter())[day[:7]] += n
    for via, _, day, n in node.store.federated_counts():
        months.setdefault(via, Counter())[day[:7]] += n
    total: Counter[str] = Counter()
    for series in months.values():
        total.update(series)
    yoy = {}
    for month, n in total.items():
        before = total.get(f"{int(month[:4]) - 1:04d}{month[4:]}")
        if before:
            yoy[month] = round((n - before) / before * 100, 1)
    return {
        "children": {k: dict(sorted(v.items())) for k, v in sorted(months.items())},
        "total": dict(sorted(total.items())),
        "yoyPercent": dict(sorted(yoy.items())),
    }
