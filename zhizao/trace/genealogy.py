"""Genealogy: which item was inside which, and when, derived from events.

Links are the facts events state; edges are what follows from all the links of one child:
- AssociationEvent / AggregationEvent ADD: the children go into the parent (also lots, from
  childQuantityList). DELETE takes the listed children out; DELETE without children takes out
  every child the parent holds. OBSERVE changes nothing.
- An item is in one parent at a time: an ADD into a new parent without a DELETE from the old
  one ends the old containment at that moment (the standard leaves this open; this is zhizao's
  documented policy, the physical reading).
- TransformationEvent: each output is made from each input (ids and classes), for good.
  Events sharing a transformationID form one transformation (the storage layer joins them).
- Order is eventTime, not arrival: the edges of a child are recomputed from all its links,
  so a late-arriving event lands where it belongs. Error declarations remove the links of the
  event they correct before that recomputation.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import NamedTuple

from zhizao.events.record import EventRecord, parse_time

FOREVER = 2**62  # an open interval's end, in microseconds
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


def micros(moment_text: str) -> int:
    """Microseconds since the epoch of a stored UTC time."""
    return (parse_time(moment_text) - _EPOCH) // _MICROSECOND


class Link(NamedTuple):  # a tuple: a capture makes one per child, and a tuple is made fast
    kind: str  # "add" | "delete" | "delete_all" | "made"
    parent: str
    child: str | None
    at: int
    seq: int = 0


class Edge(NamedTuple):
    parent: str
    child: str
    valid_from: int
    valid_to: int


def links_of(record: EventRecord, seq: int = 0) -> list[Link]:
    """The genealogy facts one event states."""
    kind = record.event_type
    if kind in ("AssociationEvent", "AggregationEvent") and record.action in ("ADD", "DELETE"):
        parent = next((u.canonical for u in record.ids if u.role == "parent"), None)
        if parent is None:
            return []
        at = micros(record.event_time)
        children = [u.canonical for u in record.ids if u.role in ("child", "child_class")]
        if record.action == "ADD":
            return [Link("add", parent, c, at, seq) for c in children]
        if not children:
            return [Link("delete_all", parent, None, at, seq)]
        return [Link("delete", parent, c, at, seq) for c in children]
    if kind == "TransformationEvent":
        at = micros(record.event_time)
        inputs = [u.canonical for u in record.ids if u.role in ("input", "input_class")]
        outputs = [u.canonical for u in record.ids if u.role in ("output", "output_class")]
        return [Link("made", o, i, at, seq) for o in outputs for i in inputs if o != i]
    return []


_ORDER = {"delete": 0, "delete_all": 0, "add": 1}


def containment(child: str, links: list[Link]) -> list[Edge]:
    """The intervals `child` spent in each parent, from every add/delete touching it.

    `links` holds the child's own add/delete links and the delete_all links of every parent it
    was ever added to, in any order.
    """
    edges = []
    current: tuple[str, int] | None = None
    for link in sorted(links, key=lambda x: (x.at, _ORDER[x.kind], x.seq)):
        if link.kind == "add":
            if current is not None and current[0] == link.parent:
                continue
            if current is not None:
                edges.append(Edge(current[0], child, current[1], link.at))
            current = (link.parent, link.at)
        elif current is not None and current[0] == link.parent:
            if link.kind == "delete_all" or link.child == child:
                edges.append(Edge(current[0], child, current[1], link.at))
                current = None
    if current is not None:
        edges.append(Edge(current[0], child, current[1], FOREVER))
    return [e for e in edges if e.valid_to > e.valid_from]
