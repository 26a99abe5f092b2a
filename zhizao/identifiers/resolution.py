"""Resolution as an ordered chain of small steps (CoreDNS's plugin chain).

Each step gets the request and `next`, the rest of the chain; it answers, raises a domain error,
or passes on. The chain a node runs is declared in one place: `default_chain`. Later steps
(cache, referral to other nodes) slot in there.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from zhizao.errors import HandleNotFound, ValuesNotFound
from zhizao.identifiers.record import dump_values
from zhizao.identifiers.registry import ReadRequest, Registry
from zhizao.identifiers.volume import ResolutionCounter


@dataclass(frozen=True, slots=True)
class Resolution:
    values_json: str  # JSON array of the values the reader may see, never empty


Next = Callable[[ReadRequest], Resolution]
Step = Callable[[ReadRequest, Next], Resolution]


def _end(req: ReadRequest) -> Resolution:
    raise HandleNotFound("Handle Not Found")


def build_chain(steps: Sequence[Step]) -> Next:
    """Compose steps so that `steps[0]` runs first and the last one's `next` says not found."""
    nxt: Next = _end
    for step in reversed(steps):
        nxt = (lambda s, n: lambda req: s(req, n))(step, nxt)
    return nxt


def homing(registry: Registry) -> Step:
    """Answer 'not here' for prefixes this node does not home."""

    def step(req: ReadRequest, nxt: Next) -> Resolution:
        registry.check_served(req.handle)
        return nxt(req)

    return step


def counting(counter: ResolutionCounter) -> Step:
    """Count each resolution of a served prefix: the node's resolution volume."""

    def step(req: ReadRequest, nxt: Next) -> Resolution:
        counter.count(req.handle.served_prefix, time.time())
        return nxt(req)

    return step


def local_store(registry: Registry) -> Step:
    """Answer from this node's own records.

    An anonymous, unfiltered read (almost every read) is served from the public JSON
    precomputed at write time; everything else goes through the registry's read rules.
    """

    def step(req: ReadRequest, nxt: Next) -> Resolution:
        if req.identity is None and not req.indexes and not req.types:
            found = registry.handles.public_json(req.handle.key)
            if found is None:
                return nxt(req)
            if found[1] == "[]":
                raise ValuesNotFound("Values Not Found")
            return Resolution(found[1])
        try:
            return Resolution(dump_values(registry.resolve(req)))
        except HandleNotFound:
            return nxt(req)

    return step


def default_chain(registry: Registry, counter: ResolutionCounter) -> Next:
    return build_chain([homing(registry), counting(counter), local_store(registry)])
