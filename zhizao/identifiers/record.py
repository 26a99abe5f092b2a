"""A handle record: the handle plus its values."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from zhizao.identifiers.admin import AdminRecord
from zhizao.identifiers.handle import Handle
from zhizao.identifiers.values import (
    HS_ADMIN,
    HandleValue,
    is_secret,
    stored_value_from_json,
    stored_value_to_json,
    value_to_json,
)

# Value types whose data the reverse lookup (`/hrls/handles?URL=...`) can search.
SEARCHABLE_TYPES = ("URL", "CHECKSUM", "EMAIL")


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
        return [
            v for v in self.values
            if not is_secret(v) and (include_private or v.is_public)
        ]

    def public_json(self) -> str:
        """The JSON array served to anonymous readers, computed once per write."""
        return dump_values(self.readable(include_private=False))

    def stored_json(self) -> str:
        return json.dumps([stored_value_to_json(v) for v in self.values], ensure_ascii=False,
                          separators=(",", ":"))

    def search_terms(self) -> list[tuple[str, str]]:
        return [
            (v.type, v.data.value) for v in self.values
            if v.type in SEARCHABLE_TYPES and v.data.format == "string" and v.is_public
        ]


def dump_values(values: Iterable[HandleValue]) -> str:
    return json.dumps([value_to_json(v) for v in values], ensure_ascii=False,
                      separators=(",", ":"))


def load_values(stored_json: str) -> tuple[HandleValue, ...]:
    return tuple(stored_value_from_json(v) for v in json.loads(stored_json))


def select_values(values: Sequence[HandleValue], indexes: Sequence[int],
                  types: Sequence[str]) -> list[HandleValue]:
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
