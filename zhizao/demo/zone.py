"""The demo zone: a Liangjiang-like zone generated deterministically and loaded through
zhizao's own services, so that every figure the dashboard shows is computed from records.

What it writes: subjects (country, city, districts, the zone, 10 automakers, 200+ suppliers
with identifier prefixes, five top-level nodes and a secondary node); monthly statistics
reports 2021–2023; expos 2018–2023 with their projects moving through their stages; KPI
records of transformed enterprises (energy as EPCIS sensor reports); the node's own daily
resolution counts; and event-level traceability for a sample of 2023's vehicles (`scale` = the
sample's share of the zone's 2023 NEV output). Re-running it changes nothing.
"""

from __future__ import annotations

import random
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from zhizao.demo import zone_data as d
from zhizao.demo.zone_projects import load_projects
from zhizao.node import Node
from zhizao.stats.reports import Observation

Progress = Callable[[str, int], None]  # (step, units done)
SOURCE = "demo report"


def month_key(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}"


@dataclass
class Zone:
    """What the generator made, beyond what it stored: for the command's summary."""

    seed: int
    scale: float
    observations: list[Observation] = field(default_factory=list)
    subjects: list[dict[str, Any]] = field(default_factory=list)
    traced_vehicles: int = 0
    events: int = 0
    recall_lot: str | None = None

    def report(self, indicator: str, subject: str, month: str, value: int | Decimal) -> None:
        self.observations.append(Observation(indicator, subject, month, Decimal(value)))


def subjects(zone: Zone) -> None:
    add = zone.subjects.append
    add({"id": "china", "kind": "country", "en": "China", "zh": "中国"})
    add({"id": "chongqing", "kind": "city", "en": "Chongqing", "zh": "重庆市", "parent": "china"})
    for sid, en, zh in [d.ZONE, *d.DISTRICTS]:
        add(
            {
                "id": sid,
                "kind": "district",
                "en": en,
                "zh": zh,
                "parent": "chongqing",
                "role": "zone" if sid == d.ZONE[0] else None,
            }
        )  # the dashboard's subject
    for i, (sid, en, zh) in enumerate(d.AUTOMAKERS):
        add({"id": sid, "kind": "enterprise", "en": en, "zh": zh, "parent": "liangjiang",
             "prefix": f"88.118.{8001 + i}", "role": "automaker"})  # fmt: skip
    for i in range(d.SUPPLIERS):
        kind_en, kind_zh = d.SUPPLIER_KINDS[i % len(d.SUPPLIER_KINDS)]
        add({"id": f"supplier-{i + 1:03d}", "kind": "enterprise",
             "en": f"Liangjiang {kind_en} Parts No. {i + 1}", "zh": f"两江{kind_zh}配套{i + 1}号",
             "parent": "liangjiang", "prefix": f"88.118.{8500 + i}",
             "role": "supplier"})  # fmt: skip
    for sid, en, zh, role, prefix in [(*d.SANY, "machinery", "88.118.8401"),
                                      (*d.BATTERY_MAKER, "supplier", "88.118.8160")]:  # fmt: skip
        add({"id": sid, "kind": "enterprise", "en": en, "zh": zh, "parent": "liangjiang",
             "prefix": prefix, "role": role})  # fmt: skip
    for sid, en, zh, _ in d.TOP_LEVEL_NODES:
        add({"id": sid, "kind": "node", "en": en, "zh": zh, "parent": "china",
             "role": "top-level"})  # fmt: skip
    sid, en, zh, prefix = d.SECONDARY_NODE
    add({"id": sid, "kind": "node", "en": en, "zh": zh, "parent": "node-chongqing",
         "prefix": prefix, "role": "secondary"})  # fmt: skip


def nev_output(zone: Zone, rnd: random.Random) -> None:
    """Each automaker's monthly NEV output (summing to the zone's), and the city's total."""
    weights = [rnd.uniform(0.5, 1.5) * (6 if i == 0 else 3 if i == 1 else 1)
               for i in range(len(d.AUTOMAKERS))]  # fmt: skip
    city_h1_2023 = [round(v / rnd.uniform(0.72, 0.765)) for v in d.ZONE_NEV[2023][:6]]
    city_h1_2023[-1] += d.CITY_NEV_H1_2023 - sum(city_h1_2023)
    for year, totals in d.ZONE_NEV.items():
        for month, total in enumerate(totals, start=1):
            wobble = [w * rnd.uniform(0.9, 1.1) for w in weights]
            for (sid, _, _), units in zip(d.AUTOMAKERS, d.split(total, wobble), strict=True):
                zone.report("nev_output", sid, month_key(year, month), units)
            if year == 2023 and month <= 6:
                city = city_h1_2023[month - 1]
            else:
                city = round(total / rnd.uniform(0.62, 0.74))
            zone.report("nev_output", "chongqing", month_key(year, month), city)
    for year, excavators in d.SANY_EXCAVATORS.items():
        for month, n in enumerate(excavators, start=1):
            if n:
                zone.report("excavator_output", d.SANY[0], month_key(year, month), n)


def resolution_volumes(zone: Zone, rnd: random.Random) -> None:
    """The five top-level nodes' monthly resolutions, from their half-year totals."""
    for sid, _, _, growth in d.TOP_LEVEL_NODES:
        h1_2022 = d.CQ_NODE_H1_2022 if sid == "node-chongqing" else rnd.randrange(2, 9) * 10**9
        h1_2021 = int(h1_2022 / rnd.uniform(1.3, 1.7))
        halves = {
            (2021, 1): h1_2021, (2021, 2): int(h1_2021 * 1.2), (2022, 1): h1_2022,
            (2022, 2): int(h1_2022 * 1.3), (2023, 1): round(h1_2022 * (1 + growth)),
            (2023, 2): round(h1_2022 * (1 + growth) * 1.15),
        }  # fmt: skip
        for (year, half), total in halves.items():
            shares = [rnd.uniform(0.8, 1.2) * (1 + 0.05 * m) for m in range(6)]
            for m, n in enumerate(d.split(total, shares)):
                zone.report("resolutions", sid, month_key(year, half * 6 - 5 + m), n)


# (subject, transformation date, efficiency +%, cost per unit −%, energy utilisation +%)
TRANSFORMED = [
    ("seres", date(2022, 1, 10), 10.6, 15.8, 8.4),
    ("avatr", date(2022, 3, 20), 11.9, 16.4, 9.1),
    ("supplier-001", date(2021, 12, 5), 10.3, 15.3, 8.2),
    ("supplier-009", date(2022, 2, 14), 12.4, 17.0, 8.9),
    ("supplier-017", date(2022, 6, 1), 10.8, 15.6, 8.6),
    (d.SANY[0], date(2022, 1, 1), 11.1, 16.1, 8.8),
]


def transformations(
    zone: Zone, rnd: random.Random
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Monthly operating records 12 months either side of each transformation, the meter
    events for energy, and Changan's development cycles (−30%)."""
    events: list[dict[str, Any]] = []
    records: list[dict[str, Any]] = []
    for sid, on, eff, cost, energy in TRANSFORMED:
        records.append({"subject": sid, "on": on.isoformat(), "window": 12,
                        "label": "intelligent transformation (smart factory)"})  # fmt: skip
        units, minutes = rnd.randrange(800, 3000), 30 * 20 * 60  # 30 days × 20 h planned
        unit_cost, kwh = rnd.randrange(20_000, 90_000), rnd.randrange(300, 900)
        first = date(on.year - 1, on.month, 1)
        for i in range(25):
            if i == 12:
                continue  # the month of the transformation itself is in neither window
            year, month = first.year + (first.month - 1 + i) // 12, (first.month - 1 + i) % 12 + 1
            after = i > 12
            u = round(units * (1 + eff / 100)) if after else units
            c = unit_cost * (1 - cost / 100) if after else unit_cost
            e = kwh / (1 + energy / 100) if after else kwh
            key = month_key(year, month)
            operating = round(minutes * (0.86 if after else 0.81))
            for ind, value in [("units_completed", u), ("planned_minutes", minutes),
                               ("operating_minutes", operating), ("good_units", round(u * 0.985)),
                               ("ideal_cycle_minutes", round(operating * 0.9 / u, 3)),
                               ("operating_cost", round(u * c))]:  # fmt: skip
                zone.report(ind, sid, key, Decimal(str(value)))
            events.append(meter_event(sid, year, month, round(u * e, 1)))
    records.append({"subject": "changan", "on": "2021-12-01", "window": 24,
                    "label": "digital R&D platform"})  # fmt: skip
    for key, days in [("2020-03", 610), ("2020-09", 585), ("2021-05", 605),
                      ("2022-04", 430), ("2022-10", 405), ("2023-06", 425)]:  # fmt: skip
        zone.report("development_days", "changan", key, days)
    zone.events += len(events)
    return records, events


def site(subject: str, place: str = "meter") -> str:
    """A subject's location (SGLN): its energy meter, its vehicle plant, its test line."""
    # crc32, not hash(): the same location in every run
    return f"urn:epc:id:sgln:6901234.{zlib.crc32(f'{subject}/{place}'.encode()) % 100000:05d}.0"


def meter_event(subject: str, year: int, month: int, kwh: float) -> dict[str, Any]:
    when = datetime(year, month, 15, 4, tzinfo=UTC).isoformat().replace("+00:00", "Z")
    return {"type": "ObjectEvent", "eventTime": when, "eventTimeZoneOffset": "+08:00",
            "action": "OBSERVE", "bizStep": "sensor_reporting",
            "epcList": [f"urn:epc:id:giai:6901234.{subject}-METER"],
            "readPoint": {"id": site(subject)},
            "sensorElementList": [{"sensorReport": [
                {"type": "gs1:Energy", "value": kwh, "uom": "KWH"}]}]}  # fmt: skip


def node_resolutions(rnd: random.Random) -> dict[tuple[str, str], int]:
    """The node's own daily counters for the zone's busiest prefixes through 2023."""
    counts = {}
    prefixes = ["88.118.8160", *(f"88.118.{8001 + i}" for i in range(len(d.AUTOMAKERS)))]
    day = date(2023, 1, 1)
    while day.year == 2023:
        for p in prefixes:
            counts[(p, day.isoformat())] = rnd.randrange(2_000, 9_000) * (1 + day.month // 4)
        day += timedelta(days=1)
    return counts


def generate(seed: int, scale: float) -> tuple[Zone, list[dict[str, Any]], list[dict[str, Any]]]:
    """The zone, its transformation records and their energy meter events."""
    rnd = random.Random(seed)
    zone = Zone(seed, scale)
    subjects(zone)
    nev_output(zone, rnd)
    resolution_volumes(zone, rnd)
    records, meters = transformations(zone, rnd)
    return zone, records, meters


def load(node: Node, seed: int = 1, scale: float = 0.002, progress: Progress | None = None
         ) -> Zone:  # fmt: skip
    """Generate and store the demo zone; safe to re-run (what is there is left as it is)."""
    from zhizao.demo.zone_trace import load_trace  # the sample's events, by month

    tick = progress or (lambda step, n: None)
    zone, records, meters = generate(seed, scale)
    stats = node.stats
    stats.add_subjects(zone.subjects)
    for s in zone.subjects:
        if s.get("prefix") and s["prefix"].count(".") == 2:
            node.home(s["prefix"])
    for sid, *_ in TRANSFORMED:
        stats.add_site(site(sid), sid, "units_completed")
    stats.put_observations(zone.observations, SOURCE)
    tick("monthly reports", len(zone.observations))
    for record in records:
        stats.record_transformation(record)
    if not node.store.event_counts("sensor_reporting", "OBSERVE"):
        node.events.capture_events(meters)
        node.store.add_resolution_counts(node_resolutions(random.Random(seed)))
    tick("transformation records", len(meters))
    load_projects(node, random.Random(seed + 1), tick)
    load_trace(node, zone, random.Random(seed + 2), tick)
    stats.invalidate()
    return zone
