"""Signing events and investment projects, and how a project is read from plain fields.

Plain fields (a JSON body, a spreadsheet row) become a Project only through `project_from`,
which names the field (and row) of every problem. Money is `Decimal` yuan; dates are dates.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from zhizao.errors import InvalidProject
from zhizao.projects.sectors import CLUSTERS, check_cluster, check_sector

YI = Decimal(100_000_000)  # 亿元: how the zone reports amounts


class Origin(StrEnum):
    FOREIGN = "foreign"
    OUT_OF_PROVINCE = "out-of-province"
    IN_PROVINCE = "in-province"
    LOCAL = "local"


class ContractType(StrEnum):
    FRAMEWORK = "framework"  # framework agreement or letter of intent
    FORMAL = "formal"  # formal investment agreement


class Stage(StrEnum):
    """The "seven batches" (七个一批), in order."""

    PLANNED = "planned"
    NEGOTIATING = "negotiating"
    SIGNED = "signed"
    STARTED = "started"
    UNDER_CONSTRUCTION = "under_construction"
    IN_PRODUCTION = "in_production"
    AT_CAPACITY = "at_capacity"

    @property
    def rank(self) -> int:
        return list(Stage).index(self)


@dataclass(slots=True)
class SigningEvent:
    id: str  # e.g. "sce-2023"
    name: str  # e.g. "Smart China Expo 2023"
    year: int
    date: date
    main_venue: str
    online: bool = False
    sub_venues: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id, "name": self.name, "year": self.year, "date": self.date.isoformat(),
            "mainVenue": self.main_venue, "online": self.online, "subVenues": self.sub_venues,
        }  # fmt: skip


@dataclass(slots=True)
class Enterprise:
    name: str
    prefix: str | None = None  # the identifier prefix the enterprise holds, e.g. 88.118.8160


@dataclass(slots=True)
class Project:
    id: str
    name: str
    investor: str
    origin: Origin
    contract_type: ContractType
    amount: Decimal  # contracted investment, yuan
    sector: str  # GB/T 4754-2017 code
    cluster: str
    area: str  # park or functional area
    responsible_unit: str
    signing_event: str | None = None
    investor_party: str | None = None  # the party id whose key signs for the investor
    enterprises: list[Enterprise] = field(default_factory=list)
    history: list[tuple[Stage, date]] = field(default_factory=list)  # oldest first
    funds: dict[str, Decimal] = field(default_factory=dict)  # "YYYY-MM" → yuan in place
    output: dict[str, Decimal] = field(default_factory=dict)  # "YYYY-MM" → units produced
    output_unit: str = "units"

    @property
    def stage(self) -> Stage:
        return self.history[-1][0] if self.history else Stage.PLANNED

    def stage_on(self, day: date) -> Stage | None:
        """The stage the project was in on `day` (None before it was recorded at all)."""
        current = None
        for stage, since in self.history:
            if since <= day:
                current = stage
        return current

    def reached(self, stage: Stage) -> date | None:
        """The day the project first reached `stage` or a later one."""
        for s, since in self.history:
            if s.rank >= stage.rank:
                return since
        return None

    @property
    def signed_on(self) -> date | None:
        return self.reached(Stage.SIGNED)

    def funds_until(self, end: date) -> Decimal:
        """Funds in place in the months before `end` (exclusive)."""
        last = f"{end.year:04d}-{end.month:02d}"
        return sum((v for m, v in self.funds.items() if m < last), Decimal(0))

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id, "name": self.name, "investor": self.investor,
            "origin": self.origin.value, "contractType": self.contract_type.value,
            "amount": str(self.amount), "sector": self.sector, "cluster": self.cluster,
            "area": self.area, "responsibleUnit": self.responsible_unit,
            "signingEvent": self.signing_event, "investorParty": self.investor_party,
            "enterprises": [{"name": e.name, "prefix": e.prefix} for e in self.enterprises],
            "stage": self.stage.value,
            "history": [{"stage": s.value, "date": d.isoformat()} for s, d in self.history],
            "funds": {m: str(v) for m, v in sorted(self.funds.items())},
            "output": {m: str(v) for m, v in sorted(self.output.items())},
            "outputUnit": self.output_unit,
        }  # fmt: skip


# --- reading plain fields ------------------------------------------------------------------


def text(fields: dict[str, Any], name: str, row: int | None, required: bool = True) -> str:
    value = fields.get(name)
    out = "" if value is None else str(value).strip()
    if required and not out:
        raise InvalidProject(f"{name} is required", field=name, row=row)
    return out


def amount(value: Any, name: str, row: int | None = None, *, positive: bool = True) -> Decimal:
    try:
        number = Decimal(str(value).replace(",", "").strip())
    except (InvalidOperation, ValueError):
        raise InvalidProject(f"{name} {value!r} is not a number", field=name, row=row) from None
    if not number.is_finite() or number < 0 or (positive and number == 0):
        raise InvalidProject(
            f"{name} must be {'above' if positive else 'at least'} zero, not {value}",
            field=name,
            row=row,
        )
    return number


def day(value: Any, name: str, row: int | None = None) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        raise InvalidProject(
            f"{name} {value!r} is not a date (YYYY-MM-DD)", field=name, row=row
        ) from None


def choice(enum: type[StrEnum], value: Any, name: str, row: int | None = None) -> Any:
    try:
        return enum(str(value).strip().lower().replace(" ", "_" if enum is Stage else " "))
    except ValueError:
        allowed = ", ".join(e.value for e in enum)
        raise InvalidProject(
            f"{name} {value!r} is not one of: {allowed}", field=name, row=row
        ) from None


def project_from(
    fields: dict[str, Any], *, row: int | None = None, clusters: tuple[str, ...] = CLUSTERS
) -> Project:
    """A new project from plain fields: id, name, investor, origin, contractType, amount
    (yuan), sector, cluster, area, responsibleUnit; optional signingEvent, investorParty,
    signedOn (records the signed stage), enterprises [{name, prefix}]."""
    project = Project(
        id=text(fields, "id", row),
        name=text(fields, "name", row),
        investor=text(fields, "investor", row),
        origin=choice(Origin, text(fields, "origin", row), "origin", row),
        contract_type=choice(ContractType, text(fields, "contractType", row), "contractType", row),
        amount=amount(text(fields, "amount", row), "amount", row),
        sector=check_sector(text(fields, "sector", row), row=row),
        cluster=check_cluster(text(fields, "cluster", row), clusters, row=row),
        area=text(fields, "area", row),
        responsible_unit=text(fields, "responsibleUnit", row),
        signing_event=text(fields, "signingEvent", row, required=False) or None,
        investor_party=text(fields, "investorParty", row, required=False) or None,
    )
    for i, item in enumerate(fields.get("enterprises") or ()):
        if not isinstance(item, dict) or not str(item.get("name") or "").strip():
            raise InvalidProject(
                f"enterprises[{i}] needs a name", field=f"enterprises[{i}]", row=row
            )
        project.enterprises.append(Enterprise(str(item["name"]).strip(), item.get("prefix")))
    signed = fields.get("signedOn")
    if signed not in (None, ""):
        project.history.append((Stage.SIGNED, day(signed, "signedOn", row)))
    return project


def signing_event_from(fields: dict[str, Any]) -> SigningEvent:
    when = day(text(fields, "date", None), "date")
    year = int(fields.get("year") or when.year)
    if year != when.year:
        raise InvalidProject(f"year {year} is not the year of date {when}", field="year")
    venues = fields.get("subVenues") or []
    if not isinstance(venues, list) or not all(isinstance(v, str) for v in venues):
        raise InvalidProject("subVenues must be a list of names", field="subVenues")
    return SigningEvent(
        id=text(fields, "id", None),
        name=text(fields, "name", None),
        year=year,
        date=when,
        main_venue=text(fields, "mainVenue", None),
        online=bool(fields.get("online", False)),
        sub_venues=list(venues),
    )


def project_from_json(body: dict[str, Any]) -> Project:
    """A stored project back (the inverse of `Project.to_json`)."""
    return Project(
        id=body["id"], name=body["name"], investor=body["investor"],
        origin=Origin(body["origin"]), contract_type=ContractType(body["contractType"]),
        amount=Decimal(body["amount"]), sector=body["sector"], cluster=body["cluster"],
        area=body["area"], responsible_unit=body["responsibleUnit"],
        signing_event=body.get("signingEvent"), investor_party=body.get("investorParty"),
        enterprises=[Enterprise(e["name"], e.get("prefix")) for e in body.get("enterprises", [])],
        history=[(Stage(h["stage"]), date.fromisoformat(h["date"])) for h in body["history"]],
        funds={m: Decimal(v) for m, v in body.get("funds", {}).items()},
        output={m: Decimal(v) for m, v in body.get("output", {}).items()},
        output_unit=body.get("outputUnit", "units"),
    )  # fmt: skip


def signing_event_from_json(body: dict[str, Any]) -> SigningEvent:
    return SigningEvent(
        body["id"], body["name"], body["year"], date.fromisoformat(body["date"]),
        body["mainVenue"], body["online"], list(body["subVenues"]),
    )  # fmt: skip
