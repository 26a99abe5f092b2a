"""A handle record, and the encoded form storage keeps of it."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from zhizao.identifiers.admin import AdminRecord
from zhizao.identifiers.handle import Handle
from zhizao.identifiers.values import (
    HS_ADMIN,
    HandleValue,
    is_secret,
    value_from_stored,
    value_to_json,
)

# Value types whose data the reverse lookup (`/hrls/handles?URL=...`) can search.
SEARCHABLE_TYPES = ("URL", "CHECKSUM", "EMAIL")


# What storage keeps per handle, as one table row: the canonical key; the handle as written
# when it differs from the key (else None); every value in Handle.Net's output form (secrets as
# their hash); the array anonymous readers get when it differs (else None: no secret, nothing
# private, almost every identifier). Resolution is then one indexed read served as stored.
EncodedRow = tuple[str, str | None, str, str | None]
# (type, value, key): a public value the reverse lookup finds.
Term = tuple[str, str, str]


@dataclass(slots=True)
class EncodedBatch:
    """Records in storage form, ready to be written in one transaction.

    Plain tuples in lists: cheap to build in bulk, to pickle to a writer process and to bind.
    """

    rows: list[EncodedRow] = field(default_factory=list)
    terms: list[Term] = field(default_factory=list)
    prefixes: set[str] = field(default_factory=set)  # canonical prefixes, for the homing check

    def add(self, record: HandleRecord) -> None:
        h = record.handle
        everything = dump_values(record.values)
        public = record.readable(include_private=False)
        public_json = None if len(public) == len(record.values) else dump_values(public)
        self.rows.append((h.key, None if h.text == h.key else h.text, everything, public_json))
        self.terms += record.search_terms()
        self.prefixes.add(h.prefix)

    def __len__(self) -> int:
        return len(self.rows)


def encode(*records: HandleRecord) -> EncodedBatch:
    batch = EncodedBatch()
    for record in records:
        batch.add(record)
    return batch


@dataclass(frozen=True, slots=True)
class HandleRecord:
    handle: Handle
    values: tuple[HandleValue, ...]

    def by_index(self) -> dict[int, HandleValue]:
        return {v.index: v for v in self.values}

    def admins(self) -> list[AdminRecord]:
        return [v.admin for v in self.values if v.type == HS_ADMIN]

    def readable(self, *, include_private: bool) -> list[HandleValue]:
        """Values a reader may see: never an HS_SECKEY, non-public ones only when allowed."""
        return [v for v in self.values if not is_secret(v) and (include_private or v.is_public)]

    def search_terms(self) -> list[Term]:
        """What the reverse lookup finds this handle by: its public URL, CHECKSUM, EMAIL."""
        key = self.handle.key
        return [
            (v.type, v.data.value, key)
            for v in self.values
            if v.type in SEARCHABLE_TYPES and v.data.format == "string" and v.is_public
        ]


def dump_values(values: Iterable[HandleValue]) -> str:
    return json.dumps([value_to_json(v) for v in values], ensure_ascii=False, separators=(",", ":"))


def load_values(values_json: str) -> tuple[HandleValue, ...]:
    return tuple(value_from_stored(v) for v in json.loads(values_json))


def select_values(
    values: Sequence[HandleValue], indexes: Sequence[int], types: Sequence[str]
) -> list[HandleValue]:
    """Handle.Net's filter: a value is kept if its index OR its type is asked for."""
    if not indexes and not types:
        return list(values)
    return [v for v in values if wanted(v.index, v.type, indexes, types)]


def wanted(index: Any, vtype: str, indexes: Sequence[int], types: Sequence[str]) -> bool:
    """Does the filter ask for this value? A type ending in `.` matches its subtypes
    (`HS_SITE.` matches `HS_SITE.PREFIX`)."""
    if index in indexes:
        return True
    return any(t == vtype or (t.endswith(".") and vtype.startswith(t)) for t in types)
