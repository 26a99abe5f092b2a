"""The indicators a zone reports, and the subjects (areas, enterprises, nodes) they describe.

An indicator says how its months combine over a period: flows (output, resolutions, cost)
are summed; levels (a development cycle in days) are averaged over the months reported.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from zhizao.errors import InvalidReport


class Combine(StrEnum):
    SUM = "sum"
    MEAN = "mean"


@dataclass(frozen=True, slots=True)
class Indicator:
    code: str
    unit: str
    en: str
    zh: str
    combine: Combine = Combine.SUM


INDICATORS: dict[str, Indicator] = {
    i.code: i
    for i in (
        Indicator("nev_output", "vehicles", "NEV output", "新能源汽车产量"),
        Indicator("vehicle_output", "vehicles", "Vehicle output", "汽车产量"),
        Indicator("excavator_output", "units", "Excavator output", "挖掘机产量"),
        Indicator("units_completed", "units", "Units completed", "完工数量"),
        Indicator("good_units", "units", "Good units", "合格数量"),
        Indicator("planned_minutes", "minutes", "Planned production time", "计划生产时间"),
        Indicator("operating_minutes", "minutes", "Operating time", "实际运行时间"),
        Indicator("ideal_cycle_minutes", "minutes", "Ideal cycle time", "理想节拍", Combine.MEAN),
        Indicator("operating_cost", "yuan", "Operating cost", "运营成本"),
        Indicator("energy_kwh", "kWh", "Energy used", "能耗"),
        Indicator("inspected", "units", "Units inspected", "检验数量"),
        Indicator("defects", "units", "Defective units", "不合格数量"),
        Indicator(
            "development_days",
            "days",
            "New product development cycle",
            "新产品研制周期",
            Combine.MEAN,
        ),  # fmt: skip
        Indicator("resolutions", "queries", "Identifier resolutions", "标识解析量"),
        Indicator("registrations", "identifiers", "Identifier registrations", "标识注册量"),
        Indicator("signed_amount", "yuan", "Investment signed", "签约金额"),
        Indicator("signed_projects", "projects", "Projects signed", "签约项目数"),
    )
}


class SubjectKind(StrEnum):
    COUNTRY = "country"
    CITY = "city"
    DISTRICT = "district"  # a district or a new area such as Liangjiang
    ENTERPRISE = "enterprise"
    NODE = "node"  # an identifier resolution node


@dataclass(frozen=True, slots=True)
class Subject:
    """What a series describes. Peers share a parent and a kind (the districts of a city,
    the top-level nodes of a country): they are what a rank compares."""

    id: str
    kind: SubjectKind
    en: str
    zh: str
    parent: str | None = None
    prefix: str | None = None  # an enterprise's or node's identifier prefix
    role: str | None = None  # automaker, supplier, machinery, top-level, secondary …

    def to_json(self) -> dict[str, str | None]:
        return {
            "id": self.id, "kind": self.kind.value, "en": self.en, "zh": self.zh,
            "parent": self.parent, "prefix": self.prefix, "role": self.role,
        }  # fmt: skip


def indicator(code: str, row: int | None = None, field: str = "indicator") -> Indicator:
    found = INDICATORS.get((code or "").strip())
    if found is None:
        raise InvalidReport(
            f"{code!r} is not an indicator ({', '.join(INDICATORS)})", field=field, row=row
        )
    return found


def subject_from_json(body: dict[str, str | None]) -> Subject:
    return Subject(
        str(body["id"]), SubjectKind(str(body["kind"])), str(body["en"]), str(body["zh"]),
        body.get("parent"), body.get("prefix"), body.get("role"),
    )  # fmt: skip
