"""Bulk registration files: CSV or JSON Lines, one identifier per row with its values.

CSV: a header row `handle,URL,PRODUCT,...`; a column header may carry an index (`1:URL`),
otherwise columns are numbered from 1 in order. Cells are string data; an empty cell adds no
value; admin, group and key types need JSON Lines. JSON Lines:
`{"handle": "...", "values": [<Handle.Net value JSON>, ...]}` per line.
Rows without an HS_ADMIN get the prefix's admin group as owner (`200:0.NA/<prefix>`), as
pyhandle does for the handles it registers.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from zhizao.errors import IdentifierError, InvalidHandle, InvalidValue, MalformedRequest
from zhizao.identifiers.admin import parse_index
from zhizao.identifiers.handle import Handle, parse_handle
from zhizao.identifiers.record import SEARCHABLE_TYPES, EncodedBatch, dump_values
from zhizao.identifiers.values import (
    DEFAULT_TTL,
    HS_ADMIN,
    HS_PUBKEY,
    HS_SECKEY,
    HS_VLIST,
    Data,
    HandleValue,
    value_from_json,
)

_json_str = json.encoder.encode_basestring  # C, ensure_ascii=False

OWNER_INDEX = 100
ADMIN_GROUP_INDEX = 200
DEFAULT_HANDLE_PERMS = "011111110011"  # pyhandle's default: all but list and derived prefixes


def admin_value(index: int, handle: str, admin_index: int, perms: str) -> HandleValue:
    return HandleValue(
        index,
        HS_ADMIN,
        Data("admin", {"handle": handle, "index": admin_index, "permissions": perms}),
    )


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
    named = f", {exc.field}" if exc.field and exc.field not in exc.message else ""
    return InvalidValue(f"line {line}{named}: {exc.message}", field=exc.field)


def item_from_json(obj: Any, where: str = "") -> tuple[Handle, list[HandleValue]]:
    """`{"handle": "…", "values": [...]}` → the handle and its values, owner added.

    The one reading of a registration item, for JSON Lines files and HTTP batches; errors name
    the field under `where` (e.g. `handles[3].values[0].data`).
    """
    at = f"{where}." if where else ""
    if not isinstance(obj, dict) or not isinstance(obj.get("handle"), str):
        raise MalformedRequest(f"{at}handle: missing or not a string", field=f"{at}handle")
    try:
        handle = parse_handle(obj["handle"])
    except InvalidHandle as exc:
        raise InvalidHandle(f"{at}handle: {exc.message}", field=f"{at}handle") from None
    raw_values = obj.get("values")
    if not isinstance(raw_values, list):
        raise MalformedRequest(f"{at}values: must be a list", field=f"{at}values")
    values = [value_from_json(v, f"{at}values[{i}]") for i, v in enumerate(raw_values)]
    return handle, with_owner(handle, values)


_CSV_FORBIDDEN = frozenset({HS_ADMIN, HS_VLIST, HS_SECKEY, HS_PUBKEY})


@dataclass(frozen=True, slots=True)
class Column:
    index: int
    type: str
    head: str  # the value's JSON up to its data string
    tail: str  # ... and after it
    searchable: bool


class CsvEncoder:
    """Turns CSV rows straight into storage rows, for bulk loads.

    A CSV cell is always string data with default ttl and permissions, so each value's JSON is
    a fixed template around the cell; building it from value objects and `json.dumps` costs
    several times more. `encode` gives byte-for-byte what `HandleRecord.encode` gives for the
    same record (a test holds it to that).
    """

    def __init__(self, header: list[str], stamp: str) -> None:
        if not header or header[0].strip().lower() != "handle":
            raise InvalidValue("line 1: the first column must be 'handle'", field="handle")
        columns: list[Column] = []
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
                raise InvalidValue(
                    f"line 1: column {pos + 1} ({name!r}) needs a type and a unique non-zero index",
                    field=name,
                )
            if index == OWNER_INDEX:
                raise InvalidValue(
                    f"line 1: column {name!r}: index {OWNER_INDEX} is the owner's HS_ADMIN",
                    field=name,
                )
            if vtype in _CSV_FORBIDDEN:
                raise InvalidValue(
                    f"line 1: column {name!r}: {vtype} values need JSON Lines, not CSV text",
                    field=name,
                )
            taken.add(index)
            head = (
                f'{{"index":{index},"type":{_json_str(vtype)},"data":{{"format":"string","value":'
            )
            tail = f'}},"ttl":{DEFAULT_TTL},"timestamp":"{stamp}"}}'
            columns.append(Column(index, vtype, head, tail, vtype in SEARCHABLE_TYPES))
        self.width = len(header)
        self.stamp = stamp
        # (cell position, column) in index order, split around the owner's index 100.
        ordered = sorted(
            ((pos, col) for pos, col in enumerate(columns, start=1)), key=lambda pc: pc[1].index
        )
        self._before = [pc for pc in ordered if pc[1].index < OWNER_INDEX]
        self._after = [pc for pc in ordered if pc[1].index > OWNER_INDEX]
        self._searchable = [(pos, col.type) for pos, col in ordered if col.searchable]
        self._owners: dict[str, str] = {}

    def _owner_json(self, prefix: str) -> str:
        owner = self._owners.get(prefix)
        if owner is None:
            stamped = default_owner(prefix).stamped(self.stamp)
            owner = self._owners[prefix] = dump_values([stamped])[1:-1]
        return owner

    def encode_into(self, row: list[str], line: int, batch: EncodedBatch) -> None:
        if len(row) != self.width:
            raise InvalidValue(
                f"line {line}: {len(row)} columns, the header has {self.width}", field="row"
            )
        try:
            handle = parse_handle(row[0])
        except IdentifierError as exc:
            raise _row_error(line, exc) from None
        key, prefix = handle.key, handle.prefix
        parts = [
            col.head + _json_str(row[pos]) + col.tail for pos, col in self._before if row[pos] != ""
        ]
        parts.append(self._owners.get(prefix) or self._owner_json(prefix))
        parts += [
            col.head + _json_str(row[pos]) + col.tail for pos, col in self._after if row[pos] != ""
        ]
        text = row[0]
        batch.rows.append((key, None if text == key else text, "[" + ",".join(parts) + "]", None))
        for pos, vtype in self._searchable:
            if row[pos] != "":
                batch.terms.append((vtype, row[pos], key))
        batch.prefixes.add(prefix)


def encode_csv(lines: Iterable[str], stamp: str, batch_size: int) -> Iterator[EncodedBatch]:
    """CSV lines as batches of `batch_size` encoded rows."""
    reader = csv.reader(lines)
    try:
        header = next(reader)
    except StopIteration:
        return
    encoder = CsvEncoder(header, stamp)
    batch = EncodedBatch()
    for row in reader:
        if not row or (len(row) == 1 and not row[0].strip()):
            continue
        encoder.encode_into(row, reader.line_num, batch)
        if len(batch.rows) >= batch_size:
            yield batch
            batch = EncodedBatch()
    if batch.rows:
        yield batch


def read_jsonl(lines: Iterable[str]) -> Iterator[Row]:
    for line_no, text in enumerate(lines, start=1):
        if not text.strip():
            continue
        try:
            obj = json.loads(text)
        except (ValueError, RecursionError) as exc:
            raise InvalidValue(f"line {line_no}: malformed JSON ({exc})", field="json") from None
        try:
            handle, values = item_from_json(obj)
        except IdentifierError as exc:
            raise _row_error(line_no, exc) from None
        yield Row(line_no, handle, values)


def check_format(fmt: str) -> str:
    if fmt not in ("csv", "jsonl", "ndjson"):
        raise InvalidValue(f"Unknown import format {fmt!r}: use csv or jsonl", field="format")
    return fmt
