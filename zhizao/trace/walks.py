"""Walks over the genealogy: the tree inside an item, the finished items that use it.

Pure: `inside` shapes the edges the storage found below an item (`Store.subtree`) into a
tree; `where_used` walks up with `step(nodes, down=…, at=…)`, the storage's one-level lookup of
(from, to) pairs, one lookup per level for all the items found at the level before it, so that
each item remembers the path that reached it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from operator import itemgetter
from typing import Any

Step = Callable[..., list[tuple[int, int]]]
MAX_DEPTH = 32  # genealogies are shallow; a deeper chain means a cycle in bad data

_BY_ID = itemgetter("id")


def inside(
    root: int, edges: Sequence[tuple[int, int]], labels: dict[int, str]
) -> tuple[dict[str, Any], int]:
    """The tree below `root`, as `{"id", "contains": [...]}` sorted by id, and its item count.

    `edges` are the (parent, child) edges reachable from `root`. Breadth first, so each item
    sits at its shallowest place; a shared item (a lot) is shown under every parent but
    expanded once, and a cycle in bad data ends. Built straight into the answer's shape: this
    is on the path of every `inside` call.
    """
    children: dict[int, list[int]] = {}
    for parent, child in edges:
        children.setdefault(parent, []).append(child)
    top: dict[str, Any] = {"id": labels[root]}
    level = [(root, top)]
    seen = {root}
    while level:
        found = []
        for node, out in level:
            below = children.get(node)
            if not below:
                continue
            contains = []
            for child in below:
                entry = {"id": labels[child]}
                contains.append(entry)
                if child not in seen:
                    seen.add(child)
                    found.append((child, entry))
            contains.sort(key=_BY_ID)
            out["contains"] = contains
        level = found
    return top, len(seen) - 1


def where_used(starts: Sequence[int], step: Step, at: int | None) -> dict[int, list[int]]:
    """{finished item: path from it down to a start} for every item above the starts.

    A finished item is one with no parent (at `at`, or ever when `at` is None). Each item is
    reached once, by the first path found, so a lot shared by thousands of cells costs one
    visit per item, not one per path.
    """
    via: dict[int, int | None] = {s: None for s in starts}
    level = list(starts)
    tops: list[int] = []
    for _ in range(MAX_DEPTH):
        if not level:
            break
        pairs = step(level, down=False, at=at)
        has_parent = {child for child, _ in pairs}
        tops.extend(n for n in level if n not in has_parent and via[n] is not None)
        nxt = []
        for child, parent in pairs:
            if parent not in via:
                via[parent] = child
                nxt.append(parent)
        level = nxt
    paths = {}
    for top in tops:
        path, node = [top], via[top]
        while node is not None:
            path.append(node)
            node = via[node]
        paths[top] = path
    return paths
