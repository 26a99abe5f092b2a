"""Walks over the genealogy: the tree inside an item, the finished items that use it.

Pure: `step(nodes, down=…, at=…)` is the storage's one-level lookup, returning (from, to)
pairs. Each level is one lookup for all the items found at the level before it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

Step = Callable[..., list[tuple[int, int]]]
MAX_DEPTH = 32  # genealogies are shallow; a deeper chain means a cycle in bad data


@dataclass
class Tree:
    node: int
    children: list[Tree] = field(default_factory=list)

    def distinct(self) -> set[int]:
        out, stack = set(), [self]
        while stack:
            tree = stack.pop()
            out.add(tree.node)
            stack.extend(tree.children)
        return out


def inside(root: int, step: Step, at: int | None) -> Tree:
    """Everything inside `root` at time `at` (None: at any time)."""
    tree = Tree(root)
    level = {root: tree}
    seen = {root}
    for _ in range(MAX_DEPTH):
        if not level:
            break
        found: dict[int, Tree] = {}
        for parent, child in step(list(level), down=True, at=at):
            node = Tree(child)
            level[parent].children.append(node)
            if child not in seen:  # a shared item (a lot) is shown everywhere, expanded once
                seen.add(child)
                found[child] = node
        level = found
    return tree


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
