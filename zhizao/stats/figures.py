"""The figures a zone's report prints from monthly series, each stating its period and base.

For a period (a month, January–N, a half, a year): the value; year-on-year change against the
same period a year earlier; the share of a parent (the zone's share of the city); the rank
among peers by value or by growth; and the "pull" (拉动): how many percentage points of the
parent's growth the subject's own growth accounts for, (now − base) ÷ parent's base.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from zhizao.stats.indicators import Combine, Indicator
from zhizao.stats.period import Period

Series = Mapping[str, Decimal]  # "YYYY-MM" → value


def over(series: Series, period: Period, combine: Combine = Combine.SUM) -> Decimal | None:
    """The period's value from its months; None when no month of it is known."""
    return over_months(series, period.months(), combine)


def over_months(
    series: Series, months: list[str], combine: Combine = Combine.SUM
) -> Decimal | None:
    values = [series[m] for m in months if m in series]
    if not values:
        return None
    total = sum(values, Decimal(0))
    return total if combine is Combine.SUM else total / len(values)


def percent(part: Decimal | None, whole: Decimal | None) -> float | None:
    if part is None or not whole:
        return None
    return round(float(part / whole * 100), 1)


def change(now: Decimal | None, base: Decimal | None) -> float | None:
    """Percentage change from base to now (YoY when base is the year before)."""
    return None if now is None or base is None else percent(now - base, base)


def rank_of(subject: str, values: Mapping[str, float | Decimal | None]) -> int | None:
    """Competition rank, largest first (equal values share a rank); None if not rankable."""
    mine = values.get(subject)
    if mine is None:
        return None
    return 1 + sum(1 for v in values.values() if v is not None and v > mine)


@dataclass
class Figure:
    indicator: Indicator
    subject: str
    period: Period
    value: Decimal | None
    base: Decimal | None  # the same period a year earlier
    missing: list[str] = field(default_factory=list)  # months of the period not reported
    parent: str | None = None
    parent_value: Decimal | None = None
    parent_base: Decimal | None = None
    rank: int | None = None
    peers: int = 0
    rank_by: str = "value"

    @property
    def yoy(self) -> float | None:
        return change(self.value, self.base)

    @property
    def share(self) -> float | None:
        return percent(self.value, self.parent_value)

    @property
    def parent_yoy(self) -> float | None:
        return change(self.parent_value, self.parent_base)

    @property
    def pull(self) -> float | None:
        """Percentage points of the parent's growth that come from this subject."""
        if self.value is None or self.base is None:
            return None
        return percent(self.value - self.base, self.parent_base)

    def statement(self) -> str:
        """One line in the style of the zone's reports, with period and base spelled out."""
        unit = self.indicator.unit
        if self.value is None:
            return f"{self.period.label()}: no {self.indicator.en} reported"
        parts = [f"{self.period.label()}: {_number(self.value)} {unit}"]
        if self.yoy is not None:
            parts.append(f"{self.yoy:+.1f}% YoY (base {self.period.year_before().label()}: "
                         f"{_number(self.base)})")  # fmt: skip
        if self.share is not None:
            parts.append(f"{self.share:.1f}% of {self.parent}")
        if self.rank is not None:
            parts.append(f"rank {self.rank} of {self.peers} by {self.rank_by}")
        if self.missing:
            parts.append(f"months not reported: {', '.join(self.missing)}")
        return "; ".join(parts)

    def to_json(self) -> dict[str, Any]:
        return {
            "indicator": self.indicator.code, "unit": self.indicator.unit,
            "subject": self.subject, "period": str(self.period), "label": self.period.label(),
            "value": _plain(self.value), "basePeriod": str(self.period.year_before()),
            "baseLabel": self.period.year_before().label(), "base": _plain(self.base),
            "yoy": self.yoy, "parent": self.parent, "parentValue": _plain(self.parent_value),
            "parentBase": _plain(self.parent_base), "parentYoY": self.parent_yoy,
            "share": self.share, "pull": self.pull, "rank": self.rank, "peers": self.peers,
            "rankBy": self.rank_by, "missingMonths": self.missing,
            "statement": self.statement(),
        }  # fmt: skip


def figure(
    indicator: Indicator,
    subject: str,
    period: Period,
    series: Series,
    *,
    parent: tuple[str, Series] | None = None,
    peers: Mapping[str, Series] | None = None,
    rank_by: str = "value",
) -> Figure:
    """The figure of `subject` for `period`. `peers` (including the subject) are ranked by
    the period's value or by its YoY growth (`rank_by="growth"`)."""
    how = indicator.combine
    before = period.year_before()
    out = Figure(
        indicator, subject, period, over(series, period, how), over(series, before, how),
        missing=[m for m in period.months() if m not in series], rank_by=rank_by,
    )  # fmt: skip
    if parent is not None:
        out.parent = parent[0]
        out.parent_value = over(parent[1], period, how)
        out.parent_base = over(parent[1], before, how)
    if peers:
        if rank_by == "growth":
            values: dict[str, Any] = {
                p: change(over(s, period, how), over(s, before, how)) for p, s in peers.items()
            }
        else:
            values = {p: over(s, period, how) for p, s in peers.items()}
        out.peers = sum(1 for v in values.values() if v is not None)
        out.rank = rank_of(subject, values) if out.peers > 1 else None
    return out


def monthly(series: Series, period: Period, how: Combine = Combine.SUM) -> list[dict[str, Any]]:
    """Each month of the period: value, cumulative January–month, and YoY of both."""
    rows = []
    for month in period.months():
        year, m = int(month[:4]), int(month[5:])
        this, cumulative = Period(year, m, m, "month"), Period(year, 1, m, "cumulative")
        value, cum = series.get(month), over(series, cumulative, how)
        rows.append({
            "month": month, "value": _plain(value), "yoy": change(value, over(series,
            this.year_before(), how)), "cumulative": _plain(cum),
            "cumulativeYoY": change(cum, over(series, cumulative.year_before(), how)),
        })  # fmt: skip
    return rows


def _plain(number: Decimal | None) -> float | int | None:
    if number is None:
        return None
    return int(number) if number == number.to_integral_value() else float(round(number, 4))


def _number(number: Decimal | None) -> str:
    value = _plain(number)
    return "?" if value is None else f"{value:,}"
