"""A handle record, and the encoded form storage keeps of it."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

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


class EncodedRecord(NamedTuple):
    """What storage keeps per handle.

    `values_json` holds every value in Handle.Net's output form (secrets as their hash);
    `public_json` the array anonymous readers get, or None when that is `values_json` itself
    (no secret, nothing private: almost every identifier), so resolution is one indexed read
    and the bytes are served as stored.
    """

    key: str
    handle: str
    values_json: str
    public_json: str | None
    terms: list[tuple[str, str]]  # (type, value) pairs the reverse lookup finds


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

    def search_terms(self) -> list[tuple[str, str]]:
        return [
            (v.type, v.data.value)
            for v in self.values
            if v.type in SEARCHABLE_TYPES and v.data.format == "string" and v.is_public
        ]

    def encode(self) -> EncodedRecord:
        everything = dump_values(self.values)
        public = self.readable(include_private=False)
        public_json = None if len(public) == len(self.values) else dump_values(public)
        return EncodedRecord(
            self.handle.key, self.handle.text, everything, public_json, self.search_terms()
        )


def dump_values(values: Iterable[HandleValue]) -> str:
    return json.dumps([value_to_json(v) for v in values], ensure_ascii=False, separators=(",", ":"))


def load_values(values_json: str) -> tuple[HandleValue, ...]:
    return tuple(value_from_stored(v) for v in json.loads(values_json))


def select_values(
    values: Sequence[HandleValue], indexes: Sequence[int], types: Sequence[str]
) -> list[HandleValue]:
    """Handle.Net's filter: a value is kept if its index OR its type is asked for.

    A type ending in `.` matches its subtypes (`HS_SITE.` matches `HS_SITE.PREFIX`).
    """
    if not indexes and not types:
        return list(values)
    wanted_idx = set(indexes)

    def type_matches(vtype: str) -> bool:
        for t in types:
            if t == vtype or (t.endswith(".") and vtype.startswith(t)):
                return True
        return False

    return [v for v in values if v.index in wanted_idx or type_matches(v.type)]
