"""Resolution as an ordered chain of small steps (CoreDNS's plugin chain).

Each step gets the request and `next`, the rest of the chain; it answers, raises a domain error,
or passes on. The chain a node runs is declared in one place: `default_chain`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from zhizao.errors import HandleNotFound, PrefixNotHomed, PrefixReferral, ValuesNotFound
from zhizao.identifiers.handle import Handle
from zhizao.identifiers.record import dump_values
from zhizao.identifiers.referral import referral_for
from zhizao.identifiers.registry import ReadRequest, Registry
from zhizao.identifiers.values import HandleValue
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


def homing(registry: Registry, memo_seconds: float = 1.0) -> Step:
    """Pass on what this node homes; refer elsewhere what it has delegated; else 'not here'.

    A prefix handle this node could hold but does not (`0.NA/88.118.8160` on the node that
    delegated `88.118`) is referred too, as the Global Handle Registry does. Referral answers
    are remembered for `memo_seconds`: a resolver asks the same few prefixes over and over.
    """
    memo: dict[str, tuple[float, PrefixNotHomed]] = {}

    def refer(handle: Handle) -> PrefixNotHomed:
        now = time.monotonic()
        known = memo.get(handle.served_prefix)
        if known is None or known[0] < now:
            if len(memo) > 10_000:
                memo.clear()
            known = (now + memo_seconds, referral_for(handle, _values_of(registry)))
            memo[handle.served_prefix] = known
        # The remembered answer is one exception object; raising it again would chain each
        # raise's frames onto its traceback (a resolver worker kept ~75,000 frames a second
        # alive and paused 100 ms in the GC), so every raise starts a fresh traceback.
        return known[1].with_traceback(None)

    def step(req: ReadRequest, nxt: Next) -> Resolution:
        if not registry.is_served(req.handle):
            raise refer(req.handle)
        if not req.handle.is_prefix_handle:
            return nxt(req)
        try:
            return nxt(req)
        except HandleNotFound:
            answer = refer(req.handle)
            if isinstance(answer, PrefixReferral):
                raise answer from None
            raise

    return step


def _values_of(registry: Registry) -> Callable[[str], Sequence[HandleValue] | None]:
    def load(key: str) -> Sequence[HandleValue] | None:
        record = registry.handles.get(key)
        return None if record is None else record.values

    return load


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


def default_chain(
    registry: Registry, counter: ResolutionCounter, memo_seconds: float = 1.0
) -> Next:
    """What a node does with a read: its own records, or a referral to the node that has them.

    Following referrals (recursion) is async network work, done at the edge by
    `federation.RecursiveResolver` when this chain refers or says 'not here'.
    """
    return build_chain([homing(registry, memo_seconds), counting(counter), local_store(registry)])
