"""The bureau's indicators for any set of projects and any period.

Signed in the period: count and amount, by cluster, sector section and investor origin.
Rates at the period's end, over the projects signed by then (the zone's definitions, see
docs/projects.md): fulfilment (履约率: started, or funds arrived), start (开工率), in
production (投产率), funds in place (资金到位率: funds arrived ÷ contracted amount).
Ranking: areas by amount signed in the period.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from typing import Any

from zhizao.projects.model import YI, Project, Stage
from zhizao.stats.period import Period

ZERO = Decimal(0)


@dataclass
class Tally:
    count: int = 0
    amount: Decimal = ZERO

    def add(self, project: Project) -> None:
        self.count += 1
        self.amount += project.amount

    def to_json(self) -> dict[str, Any]:
        return {"count": self.count, "amount": str(self.amount), "amountYi": yi(self.amount)}


@dataclass
class Indicators:
    period: Period
    signed: Tally = field(default_factory=Tally)
    by_cluster: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    by_section: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    by_origin: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    base: int = 0  # projects signed by the period's end: the rates' denominator
    fulfilling: int = 0
    started: int = 0
    in_production: int = 0
    contracted: Decimal = ZERO
    funds_in_place: Decimal = ZERO
    signed_last_year: Tally = field(default_factory=Tally)

    @property
    def fulfilment_rate(self) -> float | None:
        return _rate(self.fulfilling, self.base)

    @property
    def start_rate(self) -> float | None:
        return _rate(self.started, self.base)

    @property
    def in_production_rate(self) -> float | None:
        return _rate(self.in_production, self.base)

    @property
    def funds_in_place_rate(self) -> float | None:
        return _rate(self.funds_in_place, self.contracted)

    @property
    def amount_yoy(self) -> float | None:
        """Year-on-year change of the amount signed, in percent."""
        last = self.signed_last_year.amount
        return None if not last else round(float((self.signed.amount - last) / last * 100), 1)

    def to_json(self) -> dict[str, Any]:
        def tallies(d: dict[str, Tally]) -> dict[str, Any]:
            return {k: v.to_json() for k, v in sorted(d.items())}

        return {
            "period": str(self.period), "label": self.period.label(),
            "signed": self.signed.to_json(), "byCluster": tallies(self.by_cluster),
            "bySection": tallies(self.by_section), "byOrigin": tallies(self.by_origin),
            "signedYearBefore": self.signed_last_year.to_json(), "amountYoY": self.amount_yoy,
            "projectsSignedByEnd": self.base, "fulfilmentRate": self.fulfilment_rate,
            "startRate": self.start_rate, "inProductionRate": self.in_production_rate,
            "fundsInPlace": str(self.funds_in_place), "contracted": str(self.contracted),
            "fundsInPlaceRate": self.funds_in_place_rate,
        }  # fmt: skip


def _rate(part: Decimal | int, whole: Decimal | int) -> float | None:
    return None if not whole else round(float(Decimal(part) / Decimal(whole) * 100), 1)


def yi(yuan: Decimal) -> str:
    """Yuan as 亿元 with two decimals, as the zone's reports print amounts."""
    return str((yuan / YI).quantize(Decimal("0.01")))


def indicators(projects: Iterable[Project], period: Period) -> Indicators:
    out = Indicators(period)
    last_day = period.end - timedelta(days=1)
    before = period.year_before()
    for p in projects:
        signed = p.signed_on
        if signed is None:
            continue
        if period.contains(signed):
            out.signed.add(p)
            out.by_cluster[p.cluster].add(p)
            out.by_section[p.sector[0]].add(p)
            out.by_origin[p.origin.value].add(p)
        if before.contains(signed):
            out.signed_last_year.add(p)
        if signed > last_day:
            continue
        stage = p.stage_on(last_day)
        funds = p.funds_until(period.end)
        out.base += 1
        out.contracted += p.amount
        out.funds_in_place += funds
        reached_start = stage is not None and stage.rank >= Stage.STARTED.rank
        out.started += reached_start
        out.fulfilling += reached_start or funds > 0
        out.in_production += stage is not None and stage.rank >= Stage.IN_PRODUCTION.rank
    return out


def area_ranking(projects: Iterable[Project], period: Period) -> list[dict[str, Any]]:
    """Areas by amount signed in the period, largest first; equal amounts share a rank."""
    totals: dict[str, Tally] = defaultdict(Tally)
    for p in projects:
        if p.signed_on is not None and period.contains(p.signed_on):
            totals[p.area].add(p)
    ordered = sorted(totals.items(), key=lambda kv: (-kv[1].amount, kv[0]))
    ranking, rank, previous = [], 0, None
    for position, (area, tally) in enumerate(ordered, start=1):
        if tally.amount != previous:
            rank, previous = position, tally.amount
        ranking.append({"area": area, "rank": rank, **tally.to_json()})
    return ranking
