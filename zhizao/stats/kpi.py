"""Transformation KPIs: an enterprise or line before and after its transformation date.

Each KPI is a formula over monthly series (reported, or derived from events: energy from
EPCIS sensor reports of type Energy, defects from inspecting events' dispositions), computed
over the months before and after the transformation and compared as a percentage change.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from zhizao.errors import InvalidReport
from zhizao.stats.figures import Series, change, over_months
from zhizao.stats.indicators import INDICATORS
from zhizao.stats.period import Period

Values = Mapping[str, Decimal | None]


@dataclass(frozen=True, slots=True)
class Calendar:
    """The working calendar an average output interval assumes (the "17 minutes per
    excavator" is annual capacity over 330 days of 24 hours)."""

    days_per_year: int = 330
    hours_per_day: int = 24

    def minutes(self, months: int) -> Decimal:
        return Decimal(self.days_per_year * self.hours_per_day * 60 * months) / 12

    def label(self) -> str:
        return f"{self.days_per_year} days × {self.hours_per_day} h a year"


def output_interval(units: Decimal | None, period: Period, calendar: Calendar) -> Decimal | None:
    """Scheduled minutes ÷ units completed: the average minutes between two units."""
    if not units:
        return None
    return calendar.minutes(len(period.months())) / units


def _ratio(top: Decimal | None, bottom: Decimal | None, scale: int = 1) -> Decimal | None:
    return None if top is None or not bottom else top / bottom * scale


def oee(v: Values) -> Decimal | None:
    """Availability × performance × quality (ISO 22400's OEE index)."""
    availability = _ratio(v.get("operating_minutes"), v.get("planned_minutes"))
    ideal, units = v.get("ideal_cycle_minutes"), v.get("units_completed")
    performance = None if ideal is None or units is None else _ratio(
        ideal * units, v.get("operating_minutes"))  # fmt: skip
    quality = _ratio(v.get("good_units"), units)
    if availability is None or performance is None or quality is None:
        return None
    return availability * performance * quality * 100


@dataclass(frozen=True, slots=True)
class Kpi:
    code: str
    en: str
    zh: str
    unit: str
    better: str  # "up" or "down": which direction is an improvement
    needs: tuple[str, ...]
    formula: Callable[[Values], Decimal | None]


KPIS: dict[str, Kpi] = {
    k.code: k
    for k in (
        Kpi("oee", "OEE", "设备综合效率", "%", "up",
            ("planned_minutes", "operating_minutes", "ideal_cycle_minutes", "units_completed",
             "good_units"), oee),
        Kpi("efficiency", "Production efficiency", "生产效率", "units/h", "up",
            ("units_completed", "planned_minutes"),
            lambda v: _ratio(v.get("units_completed"), v.get("planned_minutes"), 60)),
        Kpi("output_interval", "Average output interval", "平均下线间隔", "min", "down",
            ("planned_minutes", "units_completed"),
            lambda v: _ratio(v.get("planned_minutes"), v.get("units_completed"))),
        Kpi("cost_per_unit", "Operating cost per unit", "单位运营成本", "yuan", "down",
            ("operating_cost", "units_completed"),
            lambda v: _ratio(v.get("operating_cost"), v.get("units_completed"))),
        Kpi("energy_per_unit", "Energy per unit", "单位产品能耗", "kWh", "down",
            ("energy_kwh", "units_completed"),
            lambda v: _ratio(v.get("energy_kwh"), v.get("units_completed"))),
        Kpi("energy_utilisation", "Energy utilisation (units per MWh)", "能源利用率", "units/MWh",
            "up", ("units_completed", "energy_kwh"),
            lambda v: _ratio(v.get("units_completed"), v.get("energy_kwh"), 1000)),
        Kpi("defect_rate", "Defect rate", "不良品率", "%", "down", ("defects", "inspected"),
            lambda v: _ratio(v.get("defects"), v.get("inspected"), 100)),
        Kpi("development_days", "New product development cycle", "新产品研制周期", "days",
            "down", ("development_days",), lambda v: v.get("development_days")),
    )
}  # fmt: skip


def month_span(first: date, months: int) -> list[str]:
    """`months` consecutive months from `first`'s month."""
    out, year, month = [], first.year, first.month
    for _ in range(months):
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


@dataclass(frozen=True, slots=True)
class Transformation:
    """An enterprise's (or line's) intelligent transformation, completed on `on`. The KPIs
    compare the `window` months before its month with the `window` months after it."""

    subject: str
    on: date
    label: str
    window: int = 12

    def before(self) -> list[str]:
        first = self.on.replace(day=1)
        back = (first.year * 12 + first.month - 1) - self.window
        return month_span(date(back // 12, back % 12 + 1, 1), self.window)

    def after(self) -> list[str]:
        first = self.on.replace(day=1)
        ahead = first.year * 12 + first.month  # the month after `on`'s
        return month_span(date(ahead // 12, ahead % 12 + 1, 1), self.window)

    def to_json(self) -> dict[str, Any]:
        return {"subject": self.subject, "on": self.on.isoformat(), "label": self.label,
                "window": self.window}  # fmt: skip


def transformation_from(fields: Mapping[str, Any]) -> Transformation:
    try:
        on = date.fromisoformat(str(fields.get("on", ""))[:10])
    except ValueError:
        raise InvalidReport(f"on {fields.get('on')!r} is not a date", field="on") from None
    window = int(fields.get("window") or 12)
    if not 1 <= window <= 36:
        raise InvalidReport("window must be 1–36 months", field="window")
    subject = str(fields.get("subject") or "").strip()
    if not subject:
        raise InvalidReport("subject is required", field="subject")
    return Transformation(subject, on, str(fields.get("label") or ""), window)


def values_over(series: Mapping[str, Series], months: list[str]) -> dict[str, Decimal | None]:
    return {code: over_months(s, months, INDICATORS[code].combine) for code, s in series.items()}


def compare(t: Transformation, series: Mapping[str, Series]) -> list[dict[str, Any]]:
    """Every KPI the series allow, before and after `t`, with its percentage change and
    whether that change is an improvement."""
    before, after = values_over(series, t.before()), values_over(series, t.after())
    out = []
    for kpi in KPIS.values():
        if not all(n in series for n in kpi.needs):
            continue
        b, a = kpi.formula(before), kpi.formula(after)
        if b is None or a is None:
            continue
        pct = change(a, b)
        out.append({
            "kpi": kpi.code, "en": kpi.en, "zh": kpi.zh, "unit": kpi.unit,
            "before": round(float(b), 3), "after": round(float(a), 3), "change": pct,
            "improved": pct is not None and (pct > 0) == (kpi.better == "up"),
            "beforeMonths": f"{t.before()[0]}..{t.before()[-1]}",
            "afterMonths": f"{t.after()[0]}..{t.after()[-1]}",
        })  # fmt: skip
    return out


def average_changes(per_subject: Mapping[str, list[dict[str, Any]]]) -> dict[str, float]:
    """The mean percentage change of each KPI over the transformed subjects that have it
    (how "operating cost −15% on average" is stated)."""
    sums: dict[str, list[float]] = {}
    for rows in per_subject.values():
        for row in rows:
            if row["change"] is not None:
                sums.setdefault(row["kpi"], []).append(row["change"])
    return {k: round(sum(v) / len(v), 1) for k, v in sums.items()}
