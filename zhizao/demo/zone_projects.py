"""The demo zone's expos 2018–2023: their signing events, the projects the zone and the other
districts signed, and how each project moved on (stages, funds, the Changan park's output)."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from zhizao.demo import zone_data as d
from zhizao.node import Node
from zhizao.projects.access import BUREAU, Caller

DEMO = Caller("demo", BUREAU)
HUNDREDTH_YI = 1_000_000  # yuan in 0.01 亿元
TODAY = date(2023, 12, 31)  # the demo's "now": its projects have moved on until then
PARK_ID = "LJ-2018-01"


def _split(total: int, n: int, rnd: random.Random) -> list[int]:
    return d.split(total, [rnd.uniform(0.3, 2.0) for _ in range(n)])


def _row(pid: str, area: str, expo: str, signed: date, hundredths: int, i: int,
         rnd: random.Random) -> dict[str, Any]:  # fmt: skip
    sector, cluster = d.SECTORS[(i + rnd.randrange(3)) % len(d.SECTORS)]
    return {
        "id": pid, "name": f"{cluster.capitalize()} project {pid}", "investor": f"Investor {pid}",
        "origin": rnd.choice(["foreign", "out-of-province", "out-of-province", "in-province",
                              "local"]),
        "contractType": "formal" if rnd.random() < 0.7 else "framework",
        "amount": str(hundredths * HUNDREDTH_YI), "sector": sector, "cluster": cluster,
        "area": area, "responsibleUnit": f"{area} investment promotion bureau",
        "signingEvent": expo, "signedOn": signed.isoformat(),
    }  # fmt: skip


def expo_rows(rnd: random.Random) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    zone_en = d.ZONE[1]
    for expo, _, signed, _, count in d.EXPOS:
        year = signed.year
        if year == 2018:
            amounts = [d.PARK_AMOUNT_YUAN // HUNDREDTH_YI, *_split(39_000, count - 1, rnd)]
        elif year == 2021:
            amounts = _split(d.EXPO_2021[1], d.EXPO_2021[0], rnd)
        elif year == 2023:
            amounts = _split(d.EXPO_2023[1], d.EXPO_2023[0], rnd)
        else:
            amounts = _split(rnd.randrange(30_000, 60_000), count, rnd)
        for i, hundredths in enumerate(amounts, start=1):
            rows.append(_row(f"LJ-{year}-{i:02d}", zone_en, expo, signed, hundredths, i, rnd))
        # the other districts sign less at the same expo (the zone ranks first)
        for district, en, _ in d.DISTRICTS:
            n = rnd.randrange(2, 8)
            total = rnd.randrange(8_000, min(sum(amounts) - 100, 38_000))
            for i, hundredths in enumerate(_split(total, n, rnd), start=1):
                pid = f"{district.upper()}-{year}-{i:02d}"
                rows.append(_row(pid, en, expo, signed, hundredths, i, rnd))
    rows[0].update(
        name="Changan new energy industrial park",
        investor="Changan Automobile",
        sector="C3612",
        cluster="intelligent connected NEV",
        enterprises=[{"name": "Changan Automobile", "prefix": "88.118.8001"}],
    )
    return rows


def progress_of(row: dict[str, Any], rnd: random.Random) -> list[tuple[str, date]]:
    """The stages a project reached by TODAY, with their dates."""
    signed = date.fromisoformat(row["signedOn"])
    age = (TODAY - signed).days
    steps: list[tuple[str, date]] = []
    if row["id"] == PARK_ID:
        return [("started", date(2018, 9, 20)), ("in_production", date(2018, 10, 1)),
                ("at_capacity", date(2020, 6, 30))]  # fmt: skip
    if age > 90 and rnd.random() < 0.9:
        started = signed + timedelta(days=rnd.randrange(40, 120))
        steps.append(("started", started))
        if age > 400 and rnd.random() < 0.8:
            steps.append(("under_construction", date(started.year + 1, 1, 1)))
            if age > 700 and rnd.random() < 0.75:
                steps.append(("in_production", started + timedelta(days=rnd.randrange(500, 640))))
    return [(s, when) for s, when in steps if when <= TODAY]


def load_projects(node: Node, rnd: random.Random, tick: Callable[[str, int], None]) -> None:
    service = node.projects
    if node.store.signing_event("sce-2023") is not None:
        tick("expos and projects (already there)", 0)
        return
    for expo, name, signed, online, _ in d.EXPOS:
        service.create_signing_event(
            {"id": expo, "name": name, "date": signed.isoformat(),
             "mainVenue": "Yuelai, Liangjiang", "online": online,
             "subVenues": ["Beijing", "Shenzhen"] if online else []}, DEMO,
        )  # fmt: skip
    rows = expo_rows(rnd)
    service.create_projects(rows, DEMO)
    for row in rows:
        steps = progress_of(row, rnd)
        for stage, when in steps:
            service.change_stage(row["id"], stage, when.isoformat(), DEMO)
        if steps and row["id"] != PARK_ID:
            month = date.fromisoformat(row["signedOn"]) + timedelta(days=62)
            funds = Decimal(row["amount"]) * Decimal(rnd.randrange(15, 45)) / 100
            service.record_funds(row["id"], f"{month:%Y-%m}", funds.quantize(Decimal(1)), DEMO)
    # the park's monthly NEV output from its first month to the article (Aug 2021)
    park_months = [f"{y}-{m:02d}" for y in (2018, 2019, 2020, 2021) for m in range(1, 13)
                   if "2018-10" <= f"{y}-{m:02d}" <= "2021-07"]  # fmt: skip
    ramp = [1 + i * 0.08 for i in range(len(park_months))]
    for key, units in zip(park_months, d.split(d.PARK_NEVS_3_YEARS, ramp), strict=True):
        service.record_output(PARK_ID, key, Decimal(units), DEMO)
    tick("expos and projects", len(rows))
