"""EPCIS 2.0 query parameters → a `QuerySpec` the storage layer turns into SQL.

Every parameter is checked here: an unknown name or a malformed value is a
QueryParameterException naming the parameter, as the standard requires.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from zhizao.errors import QueryParameterError
from zhizao.events.ids import canonical_id, match_pattern
from zhizao.events.record import SENSOR_FIELDS, parse_time, utc_text
from zhizao.events.vocab import canonical_term

EVENT_TYPES = (
    "ObjectEvent",
    "AggregationEvent",
    "TransactionEvent",
    "TransformationEvent",
    "AssociationEvent",
)
MATCH_ROLES = {
    "MATCH_epc": ("epc", "child"),
    "MATCH_parentID": ("parent",),
    "MATCH_inputEPC": ("input",),
    "MATCH_outputEPC": ("output",),
    "MATCH_anyEPC": ("epc", "child", "parent", "input", "output"),
    "MATCH_epcClass": ("class", "child_class"),
    "MATCH_inputEPCClass": ("input_class",),
    "MATCH_outputEPCClass": ("output_class",),
    "MATCH_anyEPCClass": ("class", "child_class", "input_class", "output_class"),
}
EQ_COLUMNS = {
    "EQ_action": "action",
    "EQ_bizStep": "biz_step",
    "EQ_disposition": "disposition",
    "EQ_readPoint": "read_point",
    "EQ_bizLocation": "biz_location",
    "EQ_transformationID": "transformation_id",
    "EQ_eventID": "event_id",
    "EQ_errorReason": "error_reason",
}
TIME_COLUMNS = {
    "eventTime": "event_time",
    "recordTime": "record_time",
    "errorDeclarationTime": "error_time",
}
COMPARATORS = {"EQ": "=", "GT": ">", "GE": ">=", "LT": "<", "LE": "<="}
_SENSOR_PARAM = re.compile(r"(EQ|GT|GE|LT|LE)_(" + "|".join(SENSOR_FIELDS) + r")_([A-Z0-9]{2,3})")
_QUANTITY_PARAM = re.compile(r"(EQ|GT|GE|LT|LE)_quantity")
PAGING = ("perPage", "nextPageToken")
MAX_PER_PAGE = 1000


@dataclass
class IdMatch:
    roles: tuple[str, ...]
    exact: list[str]
    prefixes: list[str]


@dataclass
class QuerySpec:
    event_types: list[str] = field(default_factory=list)
    times: list[tuple[str, str, str]] = field(default_factory=list)  # (column, op, utc)
    equals: dict[str, list[str]] = field(default_factory=dict)  # column → values
    matches: list[IdMatch] = field(default_factory=list)
    error_declared: bool | None = None
    quantities: list[tuple[str, float]] = field(default_factory=list)
    sensors: list[tuple[str, str, str, float]] = field(default_factory=list)  # field,uom,op,v
    sensor_types: list[str] = field(default_factory=list)
    order_by: str | None = None
    descending: bool = True
    event_count_limit: int | None = None
    max_event_count: int | None = None

    @property
    def order_column(self) -> str:
        return TIME_COLUMNS[self.order_by] if self.order_by else "seq"


def _values(name: str, raw: Any) -> list[str]:
    items = raw if isinstance(raw, list) else str(raw).split("|")
    values = [str(v).strip() for v in items if str(v).strip()]
    if not values:
        raise QueryParameterError(f"{name} needs a value", field=name)
    return values


def _number(name: str, raw: Any) -> float:
    try:
        return float(raw)
    except (TypeError, ValueError):
        raise QueryParameterError(f"{name}: {raw!r} is not a number", field=name) from None


def _count(name: str, raw: Any) -> int:
    try:
        value = int(str(raw))
    except ValueError:
        raise QueryParameterError(f"{name}: {raw!r} is not an integer", field=name) from None
    if value < 1:
        raise QueryParameterError(f"{name} must be at least 1", field=name)
    return value


def _time(name: str, raw: Any) -> str:
    try:
        return utc_text(parse_time(str(raw)))
    except ValueError:
        raise QueryParameterError(f"{name}: {raw!r} is not a date-time", field=name) from None


def _equals(name: str, column: str, values: list[str]) -> list[str]:
    if name == "EQ_action":
        bad = [v for v in values if v not in ("ADD", "OBSERVE", "DELETE")]
        if bad:
            raise QueryParameterError(f"EQ_action: {bad[0]!r} is not ADD, OBSERVE or DELETE")
    if column == "biz_step":
        return [canonical_term("bizStep", v) for v in values]
    if column == "disposition":
        return [canonical_term("disposition", v) for v in values]
    if column == "error_reason":
        return [canonical_term("errorReason", v) for v in values]
    if column in ("read_point", "biz_location"):
        return [canonical_id(v) for v in values]
    return values


def parse_query(params: dict[str, Any]) -> QuerySpec:
    """A QuerySpec from query parameters (strings, `|`-separated) or a named-query body."""
    spec = QuerySpec()
    for name, raw in params.items():
        if name in PAGING:
            continue
        if name == "eventType":
            spec.event_types = _values(name, raw)
        elif name[:3] in ("GE_", "LT_") and name[3:] in TIME_COLUMNS:
            op = ">=" if name.startswith("GE_") else "<"
            spec.times.append((TIME_COLUMNS[name[3:]], op, _time(name, raw)))
        elif name in EQ_COLUMNS:
            column = EQ_COLUMNS[name]
            spec.equals[column] = _equals(name, column, _values(name, raw))
        elif name in MATCH_ROLES:
            exact: list[str] = []
            prefixes: list[str] = []
            for value in _values(name, raw):
                canonical, is_prefix = match_pattern(value)
                (prefixes if is_prefix else exact).append(canonical)
            spec.matches.append(IdMatch(MATCH_ROLES[name], exact, prefixes))
        elif name == "EXISTS_errorDeclaration":
            if str(raw).lower() not in ("", "true"):
                raise QueryParameterError("EXISTS_errorDeclaration takes no value", field=name)
            spec.error_declared = True
        elif m := _QUANTITY_PARAM.fullmatch(name):
            spec.quantities.append((COMPARATORS[m[1]], _number(name, raw)))
        elif m := _SENSOR_PARAM.fullmatch(name):
            spec.sensors.append((m[2], m[3], COMPARATORS[m[1]], _number(name, raw)))
        elif name == "EQ_type":
            spec.sensor_types = [canonical_term("measurementType", v) for v in _values(name, raw)]
        elif name == "orderBy":
            if str(raw) not in ("eventTime", "recordTime"):
                raise QueryParameterError("orderBy must be eventTime or recordTime", field=name)
            spec.order_by = str(raw)
        elif name == "orderDirection":
            if str(raw) not in ("ASC", "DESC"):
                raise QueryParameterError("orderDirection must be ASC or DESC", field=name)
            spec.descending = str(raw) == "DESC"
        elif name == "eventCountLimit":
            spec.event_count_limit = _count(name, raw)
        elif name == "maxEventCount":
            spec.max_event_count = _count(name, raw)
        else:
            raise QueryParameterError(f"Unknown query parameter {name}", field=name)
    if spec.event_count_limit and spec.max_event_count:
        raise QueryParameterError(
            "eventCountLimit and maxEventCount cannot be used together", field="eventCountLimit"
        )
    if spec.event_count_limit and not spec.order_by:
        raise QueryParameterError("eventCountLimit needs orderBy", field="eventCountLimit")
    return spec


def per_page(raw: str | None, default: int = 30) -> int:
    if raw is None:
        return default
    return min(_count("perPage", raw), MAX_PER_PAGE)
