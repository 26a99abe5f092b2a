"""Bulk registration files: CSV or JSON Lines, one identifier per row with its values.

CSV: a header row `handle,URL,PRODUCT,...`; a column header may carry an index (`1:URL`),
otherwise columns are numbered from 1 in order. Cells are string data; an empty cell adds no
value. JSON Lines: `{"handle": "...", "values": [<Handle.Net value JSON>, ...]}` per line.
Rows without an HS_ADMIN get the prefix's admin group as owner (`200:0.NA/<prefix>`), as
pyhandle does for the handles it registers.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from zhizao.errors import IdentifierError, InvalidValue
from zhizao.identifiers.admin import parse_index
from zhizao.identifiers.handle import Handle, parse_handle
from zhizao.identifiers.values import HS_ADMIN, Data, HandleValue, value_from_json

OWNER_INDEX = 100
ADMIN_GROUP_INDEX = 200
DEFAULT_HANDLE_PERMS = "011111110011"  # pyhandle's default: all but list and derived prefixes


def admin_value(index: int, handle: str, admin_index: int, perms: str) -> HandleValue:
    return HandleValue(index, HS_ADMIN, Data("admin", {
        "handle": handle, "index": admin_index, "permissions": perms}))


def default_owner(prefix: str) -> HandleValue:
    return admin_value(OWNER_INDEX, f"0.NA/{prefix}", ADMIN_GROUP_INDEX, DEFAULT_HANDLE_PERMS)


@dataclass(frozen=True, slots=True)
class Row:
    line: int
    handle: Handle
    values: list[HandleValue]


def with_owner(handle: Handle, values: list[HandleValue]) -> list[HandleValue]:
    if any(v.type == HS_ADMIN for v in values):
        return values
    return [default_owner(handle.prefix), *values]


def _row_error(line: int, exc: IdentifierError) -> InvalidValue:
    where = f"line {line}" + (f", {exc.field}" if exc.field else "")
    return InvalidValue(f"{where}: {exc.message}", field=exc.field)


def read_csv(lines: Iterable[str]) -> Iterator[Row]:
    reader = csv.reader(lines)
    try:
        header = next(reader)
    except StopIteration:
        return
    if not header or header[0].strip().lower() != "handle":
        raise InvalidValue("line 1: the first column must be 'handle'", field="handle")
    columns: list[tuple[int, str]] = []
    taken: set[int] = set()
    for pos, name in enumerate(header[1:], start=1):
        index_text, colon, vtype = name.strip().partition(":")
        try:
            index = parse_index(index_text, "index") if colon else pos
        except IdentifierError as exc:
            raise _row_error(1, exc) from None
        if not colon:
            vtype = index_text
        if not vtype or index in taken or index == 0:
            raise InvalidValue(f"line 1: column {pos + 1} ({name!r}) needs a type and a "
                               "unique non-zero index", field=name)
        taken.add(index)
        columns.append((index, vtype))
    width = len(header)
    for row in reader:
        line = reader.line_num
        if not row or (len(row) == 1 and not row[0].strip()):
            continue
        if len(row) != width:
            raise InvalidValue(f"line {line}: {len(row)} columns, the header has {width}",
                               field="row")
        try:
            handle = parse_handle(row[0])
        except IdentifierError as exc:
            raise _row_error(line, exc) from None
        values = [HandleValue(index, vtype, Data("string", cell))
                  for (index, vtype), cell in zip(columns, row[1:]) if cell != ""]
        yield Row(line, handle, with_owner(handle, values))


def read_jsonl(lines: Iterable[str]) -> Iterator[Row]:
    for line_no, text in enumerate(lines, start=1):
        if not text.strip():
            continue
        try:
            obj = json.loads(text)
        except ValueError as exc:
            raise InvalidValue(f"line {line_no}: malformed JSON ({exc})", field="json") from None
        try:
            if not isinstance(obj, dict) or not isinstance(obj.get("handle"), str):
                raise InvalidValue("needs an object with a 'handle' string", field="handle")
            handle = parse_handle(obj["handle"])
            raw_values = obj.get("values")
            if not isinstance(raw_values, list):
                raise InvalidValue("'values' must be a list", field="values")
            values = [value_from_json(v, f"values[{i}]") for i, v in enumerate(raw_values)]
        except IdentifierError as exc:
            raise _row_error(line_no, exc) from None
        yield Row(line_no, handle, with_owner(handle, values))


def read_rows(lines: Iterable[str], fmt: str) -> Iterator[Row]:
    if fmt == "csv":
        return read_csv(lines)
    if fmt in ("jsonl", "ndjson"):
        return read_jsonl(lines)
    raise InvalidValue(f"Unknown import format {fmt!r}: use csv or jsonl", field="format")
