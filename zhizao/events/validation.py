"""Validation: the official EPCIS 2.0 JSON Schema, then the rules the schema does not state.

The schema is compiled once (jsonschema-rs, with `date-time` and `uri` formats checked). Every
problem names where it is: `eventList[3].readPoint.id`, so a sender can fix its document.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

import jsonschema_rs

from zhizao.events.vocab import standard_file

_EVENT_LIST = ("epcisBody", "eventList")


@dataclass(frozen=True, slots=True)
class Problem:
    """One validation failure: the event's index (None for the document) and the field."""

    index: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = f"event {self.index}" if self.index is not None else "document"
        return (
            f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"
        )


@cache
def _validator() -> Any:
    return jsonschema_rs.Draft7Validator(
        standard_file("EPCIS-JSON-Schema.json"), validate_formats=True
    )


def _path_text(parts: list[str | int]) -> str:
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


def _locate(path: list[str | int]) -> tuple[int | None, str]:
    """(event index, field path) of a schema error's instance path."""
    if tuple(path[:2]) == _EVENT_LIST and len(path) > 2 and isinstance(path[2], int):
        return path[2], _path_text(path[3:])
    return None, _path_text(path)


def _short(message: str, instance: Any) -> str:
    # anyOf failures repeat the whole instance; show it only when it is a short value.
    if "is not valid under any of the schemas" in message:
        shown = repr(instance) if isinstance(instance, str | int | float) else "the value"
        return f"{shown[:80]} is not allowed here (a CBV value in JSON is a bare word or a URI)"
    return message if len(message) <= 300 else message[:297] + "..."


def schema_problems(document: dict[str, Any], limit: int = 50) -> list[Problem]:
    """Schema violations, at most one per event (the first), at most `limit` in all."""
    validator = _validator()
    if validator.is_valid(document):
        return []
    seen: set[int | None] = set()
    problems = []
    for error in validator.iter_errors(document):
        index, field = _locate(list(error.instance_path))
        if index in seen:
            continue
        seen.add(index)
        problems.append(Problem(index, field, _short(error.message, error.instance)))
        if len(problems) >= limit:
            break
    return sorted(problems, key=lambda p: -1 if p.index is None else p.index)


def rule_problems(event: dict[str, Any], index: int | None) -> list[Problem]:
    """The standard's rules that its JSON Schema does not express."""
    problems = []
    kind = event.get("type")
    action = event.get("action")
    if kind == "AggregationEvent" and action in ("ADD", "DELETE") and "parentID" not in event:
        problems.append(Problem(index, "parentID", f"an AggregationEvent {action} needs parentID"))
    if (
        kind == "TransactionEvent"
        and action in ("ADD", "DELETE")
        and not event.get("bizTransactionList")
    ):
        problems.append(Problem(index, "bizTransactionList", "needs at least one bizTransaction"))
    return problems
