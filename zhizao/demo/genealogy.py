"""A battery genealogy as EPCIS 2.0 events: vehicles ← packs ← modules ← cells ← cell lots.

Cells, modules and packs carry GB/T 34014-2017 codes (24 characters: maker, product type
C/M/P, battery type, spec, traceability code, production date, serial) under the zone's
identifier prefix (`hdl:88.118.8160/{code}`); vehicles are VIN handles; cell lots are GS1 LGTIN
classes. Deterministic for a seed: the same call gives the same events.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

PREFIX = "88.118.8160"
_MONTHS = "123456789ABC"
_DAYS = "123456789ABCDEFGHJKLMNPRSTVWXY0"  # 31 day codes


def battery_code(maker: str, kind: str, spec: str, when: datetime, serial: int) -> str:
    """A GB/T 34014 code: maker(3) type(1) chemistry(1) spec(2) trace(7) date(3) serial(7)."""
    year = "0123456789ABCDEFGHJKLMNPRSTVWXY"[when.year - 2010]
    date = f"{year}{_MONTHS[when.month - 1]}{_DAYS[when.day - 1]}"
    code = f"{maker}{kind}B{spec}{'CQLJ' + kind * 3}{date}{serial:07d}"
    assert len(code) == 24
    return code


def hdl(code: str) -> str:
    return f"hdl:{PREFIX}/{code}"


@dataclass
class Genealogy:
    """What was generated, for checking answers: who is in whom at the end."""

    events: list[dict[str, Any]] = field(default_factory=list)
    lots: list[str] = field(default_factory=list)
    vehicles: list[str] = field(default_factory=list)
    pack_of: dict[str, str] = field(default_factory=dict)  # vehicle → pack
    modules_of: dict[str, list[str]] = field(default_factory=dict)  # pack → modules (final)
    cells_of: dict[str, list[str]] = field(default_factory=dict)  # module → cells
    lot_of: dict[str, str] = field(default_factory=dict)  # cell → lot
    replaced: list[tuple[str, str, str, str]] = field(default_factory=list)  # pack, old, new, at
    serial: dict[str, int] = field(default_factory=lambda: {"C": 0, "M": 0, "P": 0, "V": 0})


def _event(kind: str, when: datetime, **fields: Any) -> dict[str, Any]:
    stamp = when.isoformat(timespec="milliseconds").replace("+00:00", "Z")
    return {"type": kind, "eventTime": stamp, "eventTimeZoneOffset": "+08:00", **fields}


def generate(
    vehicles: int,
    *,
    modules_per_pack: int = 8,
    cells_per_module: int = 12,
    lot_size: int = 5000,
    replace_every: int = 100,
    seed: int = 1,
    start: datetime = datetime(2024, 3, 1, tzinfo=UTC),
    into: Genealogy | None = None,
    battery_site: str | None = None,
    vehicle_plant: str | None = None,
) -> Genealogy:
    """`into` continues an earlier genealogy (serials and lots go on). With `battery_site`,
    every pack is inspected there (conformant, with voltage and temperature sensor reports)
    and failed module inspections name it; with `vehicle_plant`, every vehicle is
    commissioned there."""
    rnd = random.Random(seed)
    g = into or Genealogy()
    serial = g.serial
    clock = start
    at_site = {"readPoint": {"id": battery_site}} if battery_site else {}

    def tick() -> datetime:
        nonlocal clock
        clock += timedelta(seconds=rnd.randint(1, 5))
        return clock

    def code(kind: str) -> str:
        serial[kind] += 1
        return hdl(battery_code("001", kind, "01", clock, serial[kind]))

    cells_left = 0
    lot = ""
    lot_outputs: list[str] = []

    def flush_lot() -> None:
        if lot_outputs:
            g.events.append(
                _event(
                    "TransformationEvent", tick(), bizStep="commissioning",
                    inputQuantityList=[{"epcClass": lot, "quantity": len(lot_outputs)}],
                    outputEPCList=list(lot_outputs),
                )
            )  # fmt: skip
            lot_outputs.clear()

    def new_cell() -> str:
        nonlocal cells_left, lot
        if cells_left == 0:
            flush_lot()
            lot = f"urn:epc:class:lgtin:6901234.012345.L{len(g.lots) + 1:05d}"
            g.lots.append(lot)
            cells_left = lot_size
        cells_left -= 1
        cell = code("C")
        g.lot_of[cell] = lot
        lot_outputs.append(cell)
        return cell

    def new_module() -> str:
        module = code("M")
        cells = [new_cell() for _ in range(cells_per_module)]
        g.cells_of[module] = cells
        g.events.append(
            _event("AssociationEvent", tick(), action="ADD", bizStep="assembling",
                   parentID=module, childEPCs=cells)
        )  # fmt: skip
        return module

    for _ in range(vehicles):
        serial["V"] += 1
        number = serial["V"]
        vin = hdl(f"VIN-LJ{number:011d}")
        pack = code("P")
        modules = [new_module() for _ in range(modules_per_pack)]
        g.events.append(
            _event("AssociationEvent", tick(), action="ADD", bizStep="assembling",
                   parentID=pack, childEPCs=modules)
        )  # fmt: skip
        if replace_every and number % replace_every == 0:
            bad = modules[rnd.randrange(len(modules))]
            g.events.append(
                _event("ObjectEvent", tick(), action="OBSERVE", bizStep="inspecting",
                       disposition="non_conformant", epcList=[bad], **at_site)
            )  # fmt: skip
            removed_at = tick()
            g.events.append(
                _event("AssociationEvent", removed_at, action="DELETE", bizStep="removing",
                       parentID=pack, childEPCs=[bad])
            )  # fmt: skip
            good = new_module()
            g.events.append(
                _event("AssociationEvent", tick(), action="ADD", bizStep="replacing",
                       parentID=pack, childEPCs=[good])
            )  # fmt: skip
            modules = [good if m == bad else m for m in modules]
            g.replaced.append((pack, bad, good, removed_at.isoformat()))
        g.modules_of[pack] = modules
        if battery_site:
            g.events.append(_inspection(tick(), pack, battery_site, rnd))
        g.events.append(
            _event("AssociationEvent", tick(), action="ADD", bizStep="installing",
                   parentID=vin, childEPCs=[pack])
        )  # fmt: skip
        if vehicle_plant:
            g.events.append(
                _event("ObjectEvent", tick(), action="ADD", bizStep="commissioning",
                       epcList=[vin], bizLocation={"id": vehicle_plant})
            )  # fmt: skip
        dealer = f"urn:epc:id:pgln:6901234.{rnd.randint(10000, 10009)}"
        g.events.append(
            _event("ObjectEvent", tick(), action="OBSERVE", bizStep="shipping", epcList=[vin],
                   bizLocation={"id": "urn:epc:id:sgln:6901234.00001.0"},
                   destinationList=[{"type": "owning_party", "destination": dealer}])
        )  # fmt: skip
        g.vehicles.append(vin)
        g.pack_of[vin] = pack
    flush_lot()
    return g


def _inspection(when: datetime, pack: str, site: str, rnd: random.Random) -> dict[str, Any]:
    reports = [
        {"type": "gs1:Voltage", "value": round(rnd.uniform(3.18, 3.34) * 96, 1), "uom": "VLT"},
        {"type": "gs1:Temperature", "value": round(rnd.uniform(22, 28), 1), "uom": "CEL"},
    ]
    return _event("ObjectEvent", when, action="OBSERVE", bizStep="inspecting",
                  disposition="conformant", epcList=[pack], readPoint={"id": site},
                  sensorElementList=[{"sensorReport": reports}])  # fmt: skip


def documents(events: list[dict[str, Any]], size: int) -> Iterator[dict[str, Any]]:
    """EPCISDocuments of at most `size` events each."""
    for i in range(0, len(events), size):
        yield {
            "@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],
            "type": "EPCISDocument",
            "schemaVersion": "2.0",
            "creationDate": datetime.now(UTC).isoformat(),
            "epcisBody": {"eventList": events[i : i + size]},
        }
