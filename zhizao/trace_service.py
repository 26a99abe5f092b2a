"""Trace answers for the edges (HTTP `/v1/trace`, `/v1/recalls`, and the CLI)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from typing import Any

from zhizao.errors import NotInGenealogy, TraceError
from zhizao.events.ids import canonical_id
from zhizao.events.record import parse_time, utc_text
from zhizao.storage import Store
from zhizao.trace.genealogy import micros
from zhizao.trace.walks import inside, where_used

RECALL_COLUMNS = ("item", "contains", "path", "last_location", "owning_party", "last_event_time")


def _at(text: str | None) -> int:
    try:
        moment = parse_time(text) if text else datetime.now(UTC)
    except ValueError:
        raise TraceError(f"at: {text!r} is not a date-time", field="at") from None
    return micros(utc_text(moment))


class TraceService:
    def __init__(self, store: Store) -> None:
        self.store = store

    def _node(self, item: str) -> int:
        return self._found(item)[0]

    def _found(self, item: str) -> tuple[int, str]:
        found = self.store.node_of(canonical_id(item))
        if found is None:
            raise NotInGenealogy(f"{item} appears in no genealogy event", field="id")
        return found

    def inside(self, item: str, at: str | None = None) -> dict[str, Any]:
        root, label = self._found(item)
        edges, labels = self.store.subtree(root, _at(at))
        labels[root] = label
        tree, count = inside(root, edges, labels)
        return {"at": at or "now", "count": count, "tree": tree}

    def where_used(self, items: list[str], scope: str = "current") -> dict[str, Any]:
        if scope not in ("current", "ever"):
            raise TraceError("scope must be current or ever", field="scope")
        starts = [self._node(i) for i in items]
        at = _at(None) if scope == "current" else None
        paths = where_used(starts, self.store.step, at)
        labels = self.store.labels({n for p in paths.values() for n in p})
        used = [
            {"id": labels[top], "path": [labels[n] for n in path]}
            for top, path in sorted(paths.items(), key=lambda kv: labels[kv[0]])
        ]
        return {"scope": scope, "count": len(used), "usedIn": used}

    def recall(self, items: list[str]) -> list[dict[str, Any]]:
        """Every finished item that ever contained any of `items`, with where it is now."""
        if not items:
            raise TraceError("Name at least one lot or item", field="items")
        found = self.where_used(items, "ever")["usedIn"]
        out = []
        for entry in found:
            location, owner, when = self.store.whereabouts(canonical_id(entry["id"]))
            out.append(
                {
                    "item": entry["id"],
                    "contains": entry["path"][-1],
                    "path": entry["path"],
                    "lastLocation": location,
                    "owningParty": owner,
                    "lastEventTime": when,
                }
            )
        return out


def recall_csv(rows: list[dict[str, Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(RECALL_COLUMNS)
    for r in rows:
        writer.writerow(
            [r["item"], r["contains"], " > ".join(r["path"]), r["lastLocation"] or "",
             r["owningParty"] or "", r["lastEventTime"] or ""]
        )  # fmt: skip
    return buffer.getvalue()
