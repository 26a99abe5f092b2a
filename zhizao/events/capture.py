"""Capture: a document (or one event) → validated records, under the chosen error behaviour.

`rollback` (the default): one problem rejects the whole document. `proceed`: valid events are
kept and each bad one is reported by index.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from zhizao.errors import EventValidationError, WrongCheckDigit
from zhizao.events.hashing import namespaces_of
from zhizao.events.record import EventRecord, build_record, identifier_field
from zhizao.events.validation import Problem, rule_problems, schema_problems

BEHAVIOURS = ("rollback", "proceed")


@dataclass
class Prepared:
    records: list[EventRecord] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def indexes(self) -> list[int | None]:
        """Each record's place in the document."""
        return [r.index for r in self.records]


def document_events(document: Any) -> list[Any]:
    """The event list of an EPCISDocument or EPCISQueryDocument (shape already validated)."""
    body = document.get("epcisBody") or {}
    if "queryResults" in body:
        return list(body["queryResults"].get("resultsBody", {}).get("eventList") or [])
    return list(body.get("eventList") or [])


def check_document_shape(document: Any) -> None:
    """What must hold before a capture job is even accepted (202)."""
    if not isinstance(document, dict):
        raise EventValidationError("The body must be a JSON object (an EPCISDocument)")
    if document.get("type") not in ("EPCISDocument", "EPCISQueryDocument"):
        raise EventValidationError("type must be EPCISDocument or EPCISQueryDocument", field="type")


def prepare_document(
    document: dict[str, Any],
    record_time: datetime,
    behaviour: str,
    progress: Callable[[int], None] | None = None,
) -> Prepared:
    problems = schema_problems(document)
    bad = {p.index for p in problems}
    if None in bad:
        return Prepared(problems=problems)
    events = document_events(document)
    for index, event in enumerate(events):
        if index not in bad:
            found = rule_problems(event, index)
            problems.extend(found)
            if found:
                bad.add(index)
    if problems and behaviour == "rollback":
        return Prepared(problems=sorted(problems, key=lambda p: p.index or 0))
    namespaces = namespaces_of(document.get("@context"))
    prepared = Prepared(problems=problems)
    for index, event in enumerate(events):
        if index not in bad:
            try:
                record = build_record(event, namespaces, record_time)
                record.index = index
                prepared.records.append(record)
            except WrongCheckDigit as exc:  # found while the identifiers are canonicalised
                field = identifier_field(event, exc.value)
                prepared.problems.append(Problem(index, field, exc.message))
        if progress is not None and index % 1000 == 999:
            progress(1000)
    prepared.problems.sort(key=lambda p: p.index or 0)
    if prepared.problems and behaviour == "rollback":
        return Prepared(problems=prepared.problems)
    return prepared


def prepare_event(event: Any, record_time: datetime) -> EventRecord:
    """One event posted on its own (it carries its own @context); raises on any problem."""
    if not isinstance(event, dict):
        raise EventValidationError("The body must be a JSON object (one EPCIS event)")
    problems = schema_problems(event) or rule_problems(event, None)
    if not problems:
        try:
            return build_record(event, namespaces_of(event.get("@context")), record_time)
        except WrongCheckDigit as exc:
            problems = [Problem(None, identifier_field(event, exc.value), str(exc))]
    first = problems[0]
    raise EventValidationError(f"{first.field}: {first.message}", field=first.field or None)
