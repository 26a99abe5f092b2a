"""Resolution volume: resolutions counted per prefix per day, the figure a node reports.

Counting happens in memory on the hot path (a dict increment) and is flushed to storage
periodically and at shutdown, so a crash loses at most one flush interval of counts.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterable
from datetime import UTC, datetime


class ResolutionCounter:
    def __init__(self) -> None:
        self._counts: Counter[tuple[str, str]] = Counter()
        self._lock = threading.Lock()
        self._day = ""
        self._day_until = 0.0

    def _today(self, now: float) -> str:
        # The date string is recomputed once a second at most, not per resolution.
        if now >= self._day_until:
            self._day = datetime.fromtimestamp(now, UTC).strftime("%Y-%m-%d")
            self._day_until = int(now) + 1.0
        return self._day

    def count(self, prefix: str, now: float) -> None:
        key = (prefix, self._today(now))
        self._counts[key] += 1  # a lost race here costs one count, never correctness

    def drain(self) -> dict[tuple[str, str], int]:
        with self._lock:
            counts, self._counts = self._counts, Counter()
        return dict(counts)

    def restore(self, counts: dict[tuple[str, str], int]) -> None:
        """Put back counts whose flush failed, so the next flush retries them."""
        with self._lock:
            self._counts.update(counts)


def roll_up(rows: Iterable[tuple[str, str, int]], by: str) -> list[tuple[str, str, int]]:
    """Daily (prefix, day, n) rows grouped by `day` or `month` (YYYY-MM)."""
    if by not in ("day", "month"):
        raise ValueError(f"by must be day or month, not {by!r}")
    totals: Counter[tuple[str, str]] = Counter()
    for prefix, day, n in rows:
        totals[(prefix, day if by == "day" else day[:7])] += n
    return [(p, period, n) for (p, period), n in sorted(totals.items())]
