"""Trace storage: genealogy links and edges, and the walks that answer inside / where-used.

Items are integer nodes (an edge row is four integers), so 20 million edges stay small and
their two covering indexes (down: parent → children, up: child → parents) answer each step of
a walk with one range scan. Walks go level by level with one query per level (IN lists), which
keeps them fast on both backends and lets each found item remember how it was reached.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from zhizao.events.record import EventRecord
from zhizao.storage.batch import execute_in, insert_rows, select_in
from zhizao.trace.genealogy import FOREVER, Link, containment, links_of


class TraceSql:
    q: Any
    reader: Any
    placeholder: str

    # --- writing ------------------------------------------------------------------------

    def node_ids(self, conn: Any, labels: dict[str, str]) -> tuple[dict[str, int], set[int]]:
        """name → node id, creating the missing nodes (`labels`: name → original form); and
        the ids created now, which no earlier event can have linked.

        Runs under the events lock (`lock_events`), like seq allocation: no other writer adds
        nodes meanwhile, so new ones are numbered from max(node) without reading them back.
        """
        names = list(labels)
        found = self._lookup_nodes(conn, names)
        missing = [n for n in names if n not in found]
        if not missing:
            return found, set()
        first = conn.execute("SELECT coalesce(max(node), 0) FROM trace_nodes").fetchone()[0] + 1
        created = dict(zip(missing, range(first, first + len(missing)), strict=True))
        insert_rows(
            conn,
            self.q("INSERT INTO trace_nodes (node, name, label) VALUES (?, ?, ?)"),
            [(node, name, labels[name]) for name, node in created.items()],
        )
        found.update(created)
        return found, set(created.values())

    def _lookup_nodes(self, conn: Any, names: Sequence[str]) -> dict[str, int]:
        sql = "SELECT name, node FROM trace_nodes WHERE name IN ({marks})"
        return {r[0]: r[1] for r in select_in(conn, self.placeholder, sql, names)}

    def derive(self, conn: Any, records: Sequence[EventRecord], seqs: Sequence[int]) -> None:
        """Add the genealogy of newly stored events and recompute what they touch."""
        links: list[Link] = []
        retracted: list[int] = []
        labels: dict[str, str] = {}  # canonical → original form, of the linked items
        for record, seq in zip(records, seqs, strict=True):
            if record.error_declaration is not None:
                original = self.original_seq(conn, record.event_id)  # type: ignore[attr-defined]
                if original is not None:
                    retracted.append(original)
                continue
            stated = links_of(record, seq)
            if stated:
                links += stated
                for use in record.ids:
                    labels.setdefault(use.canonical, use.original)
        groups = {r.transformation_id for r in records if r.transformation_id}
        groups |= self._groups_of(conn, retracted)
        if not links and not retracted and not groups:
            return
        # Items are numbered in the order the events name them (not a set's hash order, which
        # changes with every process): a vehicle's parts get neighbouring numbers, so a walk
        # reads few index pages, the same in every load.
        named = {
            x: labels.get(x, x)
            for link in links
            for x in (link.parent, link.child)
            if x is not None
        }
        ids, new = self.node_ids(conn, named)
        rows = [
            (k.seq, k.kind, ids[k.parent], ids[k.child] if k.child else None, k.at) for k in links
        ]
        insert_rows(conn, self.q("INSERT INTO trace_links VALUES (?, ?, ?, ?, ?)"), rows)
        touched: set[int] = {r[3] for r in rows if r[1] in ("add", "delete") and r[3] is not None}
        for seq in retracted:
            touched |= self._retract(conn, seq)
        touched |= self._children_ever(conn, [r[2] for r in rows if r[1] == "delete_all"])
        self._recompute(conn, touched, rows, min(seqs) if seqs else 0, new)
        made = [(r[2], r[3], r[4], FOREVER, r[0]) for r in rows if r[1] == "made"]
        insert_rows(conn, self.q("INSERT INTO trace_edges VALUES (?, ?, ?, ?, ?)"), made)
        for group in groups:
            self._join_transformation(conn, group)

    def _retract(self, conn: Any, seq: int) -> set[int]:
        """Remove an event's links and edges; the children whose edges must be recomputed.

        The edges an event dates all start at one of its links' parents (what it contains,
        or its outputs, made or joined), so they are found through the parent index. Inputs
        of a transformation step were also joined to the other steps' outputs: those edges go
        too, and the caller joins what is left of the group again.
        """
        p = self.placeholder
        links = conn.execute(
            self.q("SELECT kind, parent, child FROM trace_links WHERE seq = ?"), (seq,)
        ).fetchall()
        inputs = sorted({child for kind, _, child in links if kind == "made"})
        execute_in(
            conn, p,
            f"DELETE FROM trace_edges WHERE child IN ({{marks}}) AND seq IN (SELECT e.seq FROM "
            f"epcis_events e JOIN epcis_events r ON r.transformation_id = e.transformation_id "
            f"WHERE r.seq = {p})",
            inputs, seq,
        )  # fmt: skip
        conn.execute(self.q("DELETE FROM trace_links WHERE seq = ?"), (seq,))
        parents = sorted({parent for _, parent, _ in links})
        execute_in(
            conn, p, f"DELETE FROM trace_edges WHERE parent IN ({{marks}}) AND seq = {p}",
            parents, seq,
        )  # fmt: skip
        emptied = [parent for kind, parent, _ in links if kind == "delete_all"]
        return {child for _, _, child in links if child is not None} | self._children_ever(
            conn, emptied
        )

    def _groups_of(self, conn: Any, seqs: Sequence[int]) -> set[str]:
        """The transformationIDs of stored events (a retracted step's group is joined again)."""
        sql = "SELECT transformation_id FROM epcis_events WHERE seq IN ({marks})"
        return {r[0] for r in select_in(conn, self.placeholder, sql, seqs) if r[0]}

    def _children_ever(self, conn: Any, parents: Sequence[int]) -> set[int]:
        sql = "SELECT child FROM trace_links WHERE kind = 'add' AND parent IN ({marks})"
        return {r[0] for r in select_in(conn, self.placeholder, sql, parents)}

    def _recompute(
        self,
        conn: Any,
        children: set[int],
        batch: list[tuple[Any, ...]],
        first_seq: int,
        new: set[int],
    ) -> None:
        """Replace the containment edges of `children` with those all their links give now.

        The batch's links (`seq >= first_seq`) are in hand; only older ones are read, only for
        items that existed before the batch (`new` ones have none), and only children that had
        such links can have edges to replace.
        """
        if not children:
            return
        p = self.placeholder
        # Link rows stay (seq, kind, parent, child, at) tuples of node ids: most children take
        # the fast path below, and only the others become `Link`s for the interval sweep.
        older = list(
            select_in(
                conn, p,
                "SELECT seq, kind, parent, child, at FROM trace_links WHERE child IN ({marks}) "
                f"AND kind IN ('add', 'delete') AND seq < {p}",
                sorted(children - new), first_seq,
            )
        )  # fmt: skip
        own: dict[int, list[tuple[Any, ...]]] = {}
        for row in [*older, *batch]:
            if row[3] in children and row[1] in ("add", "delete"):
                own.setdefault(row[3], []).append(row)
        parents = sorted({row[2] for rows in own.values() for row in rows} - new)
        emptied: dict[int, list[tuple[Any, ...]]] = {}
        older_emptied = select_in(
            conn, p,
            f"SELECT seq, kind, parent, child, at FROM trace_links WHERE kind = 'delete_all' "
            f"AND parent IN ({{marks}}) AND seq < {p}",
            parents, first_seq,
        )  # fmt: skip
        for row in [*older_emptied, *batch]:
            if row[1] == "delete_all":
                emptied.setdefault(row[2], []).append(row)
        # Edges exist only for children with older links (a retracted event's went with it).
        execute_in(
            conn, p,
            "DELETE FROM trace_edges WHERE child IN ({marks}) AND seq IN (SELECT seq FROM "
            "trace_links WHERE kind = 'add' AND child = trace_edges.child)",
            sorted({row[3] for row in older}),
        )  # fmt: skip
        edges = []
        for child, rows in own.items():
            if len(rows) == 1 and rows[0][1] == "add" and rows[0][2] not in emptied:
                # the common case (an item put in once): one open edge, no interval sweep
                seq, _, parent, _, at = rows[0]
                edges.append((parent, child, at, FOREVER, seq))
                continue
            rows += [d for parent in {row[2] for row in rows} for d in emptied.get(parent, ())]
            links = [
                Link(kind, str(parent), None if of is None else str(of), at, seq)
                for seq, kind, parent, of, at in rows
            ]
            seq_of = {(k.parent, k.at): k.seq for k in links if k.kind == "add"}
            edges += [
                (int(e.parent), child, e.valid_from, e.valid_to, seq_of[(e.parent, e.valid_from)])
                for e in containment(str(child), links)
            ]
        insert_rows(conn, self.q("INSERT INTO trace_edges VALUES (?, ?, ?, ?, ?)"), edges)

    def _join_transformation(self, conn: Any, transformation_id: str) -> None:
        """Events sharing a transformationID: every output is made from every input.

        A group reported over several captures is joined again by each, so only the pairs
        it does not have an edge for yet are added.
        """
        p = self.placeholder
        rows = list(
            conn.execute(
                f"SELECT l.seq, l.parent, l.child, l.at FROM trace_links l JOIN epcis_events e "
                f"ON e.seq = l.seq WHERE e.transformation_id = {p} AND l.kind = 'made'",
                (transformation_id,),
            )
        )
        outputs = {(r[1], r[0], r[3]) for r in rows}
        inputs = {r[2] for r in rows}
        # The group's edges, made or joined, start at an output and carry one of its events'
        # seqs; they are looked up by parent (trace_edges has no index on seq).
        seqs = {r[0] for r in rows}
        sql = "SELECT parent, child, seq FROM trace_edges WHERE parent IN ({marks})"
        found = select_in(conn, p, sql, sorted({out for out, _, _ in outputs}))
        joined = {(r[0], r[1]) for r in found if r[2] in seqs}
        extra: dict[tuple[int, int], tuple[int, int, int, int, int]] = {}
        for out, seq, at in sorted(outputs, key=lambda o: (o[2], o[1])):  # earliest first
            for inp in inputs:
                if (out, inp) not in joined and out != inp:
                    extra.setdefault((out, inp), (out, inp, at, FOREVER, seq))
        insert_rows(
            conn, self.q("INSERT INTO trace_edges VALUES (?, ?, ?, ?, ?)"), list(extra.values())
        )

    # --- reading ------------------------------------------------------------------------

    def node_of(self, name: str) -> tuple[int, str] | None:
        row = (
            self.reader()
            .execute(self.q("SELECT node, label FROM trace_nodes WHERE name = ?"), (name,))
            .fetchone()
        )
        return (row[0], row[1]) if row else None

    def labels(self, nodes: Iterable[int]) -> dict[int, str]:
        sql = "SELECT node, label FROM trace_nodes WHERE node IN ({marks})"
        return {r[0]: r[1] for r in select_in(self.reader(), self.placeholder, sql, list(nodes))}

    # SQLite answers in-process, where a query per level (IN list, covering index) is cheaper
    # than a recursive CTE's de-duplicating queue; on PostgreSQL each level would be a round
    # trip, so there the whole walk is one recursive query.
    recursive_walks = False

    def subtree(self, root: int, at: int) -> tuple[list[tuple[int, int]], dict[int, str]]:
        """Every (parent, child) edge below `root` valid at `at`, and the children's labels.

        Each item is walked from once, so a lot shared by many cells costs one step and a
        cycle in bad data ends.
        """
        p = self.placeholder
        valid = f"e.valid_to > {p} AND e.valid_from <= {p}"
        if self.recursive_walks:
            # UNION (not UNION ALL) keeps each edge once: the same end for shared items and cycles
            sql = (
                "WITH RECURSIVE down(parent, child) AS ("
                f"SELECT e.parent, e.child FROM trace_edges e WHERE e.parent = {p} AND {valid} "
                "UNION SELECT e.parent, e.child FROM trace_edges e JOIN down d "
                f"ON e.parent = d.child WHERE {valid}) "
                "SELECT d.parent, d.child, n.label FROM down d "
                "JOIN trace_nodes n ON n.node = d.child"
            )
            rows = list(self.reader().execute(sql, (root, at, at, at, at)))
        else:
            sql = (
                "SELECT e.parent, e.child, n.label FROM trace_edges e JOIN trace_nodes n "
                f"ON n.node = e.child WHERE e.parent IN ({{marks}}) AND {valid}"
            )
            rows, level, seen = [], [root], {root}
            while level:
                found = list(select_in(self.reader(), p, sql, level, at, at))
                rows += found
                level = []
                for _, child, _ in found:
                    if child not in seen:
                        seen.add(child)
                        level.append(child)
        return [(r[0], r[1]) for r in rows], {r[1]: r[2] for r in rows}

    def step(self, nodes: Sequence[int], *, down: bool, at: int | None) -> list[tuple[int, int]]:
        """(from, to) pairs one level down (children) or up (parents), valid at `at`."""
        src, dst = ("parent", "child") if down else ("child", "parent")
        p = self.placeholder
        sql = f"SELECT {src}, {dst} FROM trace_edges WHERE {src} IN ({{marks}})"
        after: tuple[int, ...] = ()
        if at is not None:
            sql += f" AND valid_to > {p} AND valid_from <= {p}"
            after = (at, at)
        return [(r[0], r[1]) for r in select_in(self.reader(), p, sql, nodes, *after)]

    def whereabouts(self, name: str) -> tuple[str | None, str | None, str | None]:
        """(last bizLocation, last owning party, time of the last event) of an item."""
        rows = (
            self.reader()
            .execute(
                self.q(
                    "SELECT e.biz_location, e.body, e.event_time FROM epcis_ids i "
                    "JOIN epcis_events e ON e.seq = i.seq WHERE i.id = ? AND e.is_error = 0 "
                    "ORDER BY e.event_time DESC, e.seq DESC LIMIT 50"
                ),
                (name,),
            )
            .fetchall()
        )
        location = owner = None
        for canonical_location, body, _ in rows:  # newest first
            event = json.loads(body)
            if location is None and canonical_location:
                location = event["bizLocation"]["id"]  # as captured
            if owner is None:
                owner = next(
                    (d.get("destination") for d in event.get("destinationList") or ()
                     if d.get("type", "").endswith("owning_party")),
                    None,
                )  # fmt: skip
            if location and owner:
                break
        return location, owner, rows[0][2] if rows else None
