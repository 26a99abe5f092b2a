"""The monthly statistics forms enterprises and areas file: one row per indicator, subject and
month, read into observations with every bad row named.

Headers may be English or Chinese (`indicator`/`指标`, `subject`/`填报单位`, `month`/`月份`,
`value`/`本月数`, `unit`/`计量单位`). A unit may carry 万 or 亿 (`万辆`, `亿元`, `亿次`): values
are stored in the indicator's base unit. Row numbers are the spreadsheet's (header = 1).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from zhizao.errors import InvalidReport, ReportRejected, StatsError
from zhizao.stats.indicators import indicator

COLUMNS: dict[str, tuple[str, ...]] = {
    "indicator": ("indicator", "指标", "指标代码"),
    "subject": ("subject", "填报单位", "主体", "单位代码"),
    "month": ("month", "月份", "统计月份"),
    "value": ("value", "本月数", "数值"),
    "unit": ("unit", "计量单位", "单位"),
}
HEADERS = ["indicator", "subject", "month", "value", "unit"]
_SCALE = {"万": Decimal(10_000), "亿": Decimal(100_000_000)}
_UNIT_WORDS = {
    "vehicles": {"vehicles", "辆"},
    "units": {"units", "台", "件", "辆", "套"},
    "yuan": {"yuan", "元"},
    "queries": {"queries", "次"},
    "identifiers": {"identifiers", "个"},
    "projects": {"projects", "个"},
    "minutes": {"minutes", "min", "分钟"},
    "kWh": {"kwh", "千瓦时", "度"},
    "days": {"days", "天"},
}
_MONTH = re.compile(r"^(\d{4})[-/.年](\d{1,2})月?$")


@dataclass(frozen=True, slots=True)
class Observation:
    indicator: str
    subject: str
    month: str  # YYYY-MM
    value: Decimal


def month_of(value: Any, row: int | None = None) -> str:
    if isinstance(value, datetime | date):
        return f"{value.year:04d}-{value.month:02d}"
    found = _MONTH.match(str(value or "").strip())
    if found and 1 <= int(found.group(2)) <= 12:
        return f"{found.group(1)}-{int(found.group(2)):02d}"
    raise InvalidReport(f"month {value!r} is not a month (YYYY-MM)", field="month", row=row)


def scale_of(unit: Any, base: str, row: int | None = None) -> Decimal:
    """The multiplier from `unit` (e.g. 万辆) to the indicator's base unit (vehicles)."""
    text = "".join(str(unit or "").split()).lower()
    if not text:
        return Decimal(1)
    scale = _SCALE.get(text[0], Decimal(1))
    word = text[1:] if text[0] in _SCALE else text
    if word in _UNIT_WORDS.get(base, {base.lower()}):
        return scale
    raise InvalidReport(f"unit {unit!r} does not measure {base}", field="unit", row=row)


def observation_from(fields: dict[str, Any], row: int | None = None) -> Observation:
    ind = indicator(str(fields.get("indicator") or ""), row)
    subject = str(fields.get("subject") or "").strip()
    if not subject:
        raise InvalidReport("subject is required", field="subject", row=row)
    month = month_of(fields.get("month"), row)
    raw = fields.get("value")
    try:
        value = Decimal(str(raw).replace(",", "").strip())
    except (InvalidOperation, ValueError):
        raise InvalidReport(f"value {raw!r} is not a number", field="value", row=row) from None
    if not value.is_finite() or value < 0:
        raise InvalidReport(f"value must be zero or more, not {raw}", field="value", row=row)
    value *= scale_of(fields.get("unit"), ind.unit, row)
    return Observation(ind.code, subject, month, value)


def _key(header: Any) -> str:
    return "".join(str(header or "").split()).lower()


def read_rows(
    rows: Iterable[Sequence[Any]], subjects: Collection[str] | None = None
) -> list[tuple[int, Observation]]:
    """(row, observation) for every row of a report, or ReportRejected naming every bad row;
    with `subjects`, a row about any other subject is a bad row too."""
    iterator = iter(rows)
    header = next(iterator, None)
    if header is None:
        raise InvalidReport("the file is empty", field="header", row=1)
    columns: dict[int, str] = {}
    for index, cell in enumerate(header):
        key = _key(cell)
        name = next((n for n, accepted in COLUMNS.items() if key in accepted), None)
        if name is None and key:
            raise InvalidReport(f"unknown column {cell!r}", field=str(cell), row=1)
        if name is not None:
            columns[index] = name
    missing = [n for n in ("indicator", "subject", "month", "value") if n not in columns.values()]
    if missing:
        raise InvalidReport(f"missing columns: {', '.join(missing)}", field=missing[0], row=1)
    out: list[tuple[int, Observation]] = []
    problems: list[StatsError] = []
    seen: dict[tuple[str, str, str], int] = {}
    for number, cells in enumerate(iterator, start=2):
        if all(c is None or str(c).strip() == "" for c in cells):
            continue
        fields = {name: cells[i] if i < len(cells) else None for i, name in columns.items()}
        try:
            obs = observation_from(fields, number)
        except StatsError as exc:
            problems.append(exc)
            continue
        if subjects is not None and obs.subject not in subjects:
            problems.append(InvalidReport(f"no subject {obs.subject!r}", field="subject",
                                          row=number))  # fmt: skip
            continue
        place = (obs.indicator, obs.subject, obs.month)
        if place in seen:
            problems.append(InvalidReport(
                f"{obs.indicator} of {obs.subject} for {obs.month} repeats row {seen[place]}",
                field="month", row=number))  # fmt: skip
            continue
        seen[place] = number
        out.append((number, obs))
    if problems:
        raise problems[0] if len(problems) == 1 else ReportRejected(problems)
    return out
