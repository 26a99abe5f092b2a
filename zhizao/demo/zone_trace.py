"""Event-level traceability for a sample of the demo zone's 2023 vehicles: each automaker's
sample month by month (vehicles ← packs ← modules ← cells ← lots, GB/T 34014 codes, pack
inspections with sensor reports, replaced modules), commissioned at its plant, captured
through the EPCIS service; the vehicles get handle records."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from zhizao.demo import zone_data as d
from zhizao.demo.genealogy import Genealogy, generate
from zhizao.identifiers.bulk import default_owner
from zhizao.identifiers.handle import parse_handle
from zhizao.identifiers.values import Data, HandleValue
from zhizao.node import Node

if TYPE_CHECKING:
    from zhizao.demo.zone import Zone

BATCH = 5_000  # events per capture job, under the default capture limit


def sample_sizes(zone: Zone) -> list[tuple[str, int, int]]:
    """(automaker, month of 2023, vehicles to trace) at the zone's scale."""
    out = []
    automakers = {sid for sid, _, _ in d.AUTOMAKERS}
    for o in zone.observations:
        if o.indicator == "nev_output" and o.month.startswith("2023-") and o.subject in automakers:
            n = round(float(o.value) * zone.scale)
            if n:
                out.append((o.subject, int(o.month[5:]), n))
    return sorted(out, key=lambda t: (t[1], t[0]))


def load_trace(node: Node, zone: Zone, rnd: random.Random, tick: Callable[[str, int], None]
               ) -> None:  # fmt: skip
    from zhizao.demo.zone import site

    battery = site(d.BATTERY_MAKER[0], "test line")
    node.stats.add_site(battery, d.BATTERY_MAKER[0], "units_completed")
    for sid, *_ in d.AUTOMAKERS:
        node.stats.add_site(site(sid, "plant"), sid, "nev_output")
    if node.store.event_counts("commissioning", "ADD"):
        tick("traced vehicles (already there)", 0)
        return
    g = Genealogy()
    for maker, month, n in sample_sizes(zone):
        generate(n, modules_per_pack=4, cells_per_module=6, lot_size=600, replace_every=40,
                 seed=rnd.randrange(1 << 30), start=datetime(2023, month, 2, tzinfo=UTC),
                 into=g, battery_site=battery, vehicle_plant=site(maker, "plant"))  # fmt: skip
    zone.traced_vehicles = len(g.vehicles)
    if g.replaced:  # the lot of the first module that failed its inspection
        zone.recall_lot = g.lot_of[g.cells_of[g.replaced[0][1]][0]]
    elif g.lots:
        zone.recall_lot = g.lots[0]
    for start in range(0, len(g.events), BATCH):
        chunk = g.events[start : start + BATCH]
        zone.events += node.events.capture_events(chunk)
        tick("traced events", len(chunk))
    register_vehicles(node, g.vehicles)
    tick("vehicle identifiers", len(g.vehicles))


def register_vehicles(node: Node, vehicles: list[str]) -> None:
    owner = default_owner(d.TRACE_PREFIX)
    items: list[tuple[Any, list[HandleValue]]] = []
    for vin in vehicles:
        handle = parse_handle(vin.removeprefix("hdl:"))
        code = handle.suffix.removeprefix("VIN-")
        items.append((handle, [
            owner,
            HandleValue(1, "URL", Data("string", f"https://demo.zhizao.example/vehicles/{code}")),
            HandleValue(2, "PRODUCT", Data("string", "Intelligent connected NEV")),
        ]))  # fmt: skip
    for i in range(0, len(items), 1000):
        node.registry.create_many(items[i : i + 1000], None, overwrite=True, as_operator=True)
