"""HS_ADMIN records and their 12 permission bits.

The bit order is the one the Handle.Net server implements (`hdllib/AdminRecord.java`), not the
prose order of RFC 3651: in the 12-character string the rightmost character is bit 0.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntFlag
from typing import Any

from zhizao.errors import InvalidValue


class AdminPerm(IntFlag):
    ADD_HANDLE = 0x001
    DELETE_HANDLE = 0x002
    ADD_DERIVED_PREFIX = 0x004
    DELETE_DERIVED_PREFIX = 0x008
    MODIFY_VALUE = 0x010
    REMOVE_VALUE = 0x020
    ADD_VALUE = 0x040
    MODIFY_ADMIN = 0x080
    REMOVE_ADMIN = 0x100
    ADD_ADMIN = 0x200
    READ_VALUE = 0x400
    LIST_HANDLES = 0x800


ALL_PERMS = AdminPerm(0xFFF)
N_BITS = 12


def perms_to_string(perms: int) -> str:
    return format(perms & 0xFFF, "012b")


def perms_from_json(raw: Any, field: str) -> AdminPerm:
    """What Handle.Net accepts: a bit string, `*`, a boolean, an integer, or 12 truthy values."""
    if isinstance(raw, bool):
        return ALL_PERMS if raw else AdminPerm(0)
    if isinstance(raw, int):
        if not 0 <= raw <= 0xFFF:
            raise InvalidValue(f"{field}: permission mask {raw} outside 0..4095", field=field)
        return AdminPerm(raw)
    if isinstance(raw, str):
        if raw == "*":
            return ALL_PERMS
        if not raw or len(raw) > N_BITS or any(c not in "01" for c in raw):
            raise InvalidValue(
                f"{field}: permissions must be up to 12 characters of 0/1 "
                "(rightmost = add handle), "
                f"got {raw!r}",
                field=field,
            )
        return AdminPerm(int(raw, 2))
    if isinstance(raw, list):
        if len(raw) != N_BITS:
            raise InvalidValue(f"{field}: a permission array needs 12 entries", field=field)
        # The array is in display order: first entry = leftmost character = bit 11.
        return AdminPerm(int("".join("1" if bool(x) else "0" for x in raw), 2))
    raise InvalidValue(f"{field}: unreadable permissions {raw!r}", field=field)


@dataclass(frozen=True, slots=True)
class AdminRef:
    """`index:handle` — an identity, or a pointer to an HS_VLIST / HS_SECKEY / HS_PUBKEY value."""

    handle: str  # as written
    index: int

    def __str__(self) -> str:
        return f"{self.index}:{self.handle}"


@dataclass(frozen=True, slots=True)
class AdminRecord:
    admin: AdminRef
    perms: AdminPerm
    legacy_byte_length: bool = False

    def allows(self, needed: AdminPerm) -> bool:
        return (self.perms & needed) == needed

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "handle": self.admin.handle,
            "index": self.admin.index,
            "permissions": perms_to_string(self.perms),
        }
        if self.legacy_byte_length:
            out["legacyByteLength"] = True
        return out


def parse_index(raw: Any, field: str) -> int:
    """An index as JSON int or numeric string (pyhandle sends `"200"`)."""
    if isinstance(raw, bool):
        raise InvalidValue(f"{field}: index must be an integer", field=field)
    if isinstance(raw, str):
        raw = raw.strip()
        if not raw.lstrip("-").isdigit():
            raise InvalidValue(f"{field}: index {raw!r} is not an integer", field=field)
        raw = int(raw)
    if not isinstance(raw, int):
        raise InvalidValue(f"{field}: index must be an integer", field=field)
    if not 0 <= raw < 2**31:
        raise InvalidValue(f"{field}: index {raw} outside 0..2147483647", field=field)
    return raw


def admin_ref_from_json(raw: Any, field: str) -> AdminRef:
    from zhizao.identifiers.handle import parse_handle  # local: handle imports nothing from here

    if not isinstance(raw, dict):
        raise InvalidValue(f"{field}: expected an object with handle and index", field=field)
    handle = raw.get("handle")
    if not isinstance(handle, str):
        raise InvalidValue(f"{field}.handle: missing or not a string", field=f"{field}.handle")
    parse_handle(handle)
    return AdminRef(handle, parse_index(raw.get("index"), f"{field}.index"))


def admin_from_json(raw: Any, field: str) -> AdminRecord:
    ref = admin_ref_from_json(raw, field)
    perms = perms_from_json(raw.get("permissions", "011111110011"), f"{field}.permissions")
    return AdminRecord(ref, perms, bool(raw.get("legacyByteLength", False)))


def parse_identity(text: str) -> AdminRef:
    """`300:88.118.8160/ADMIN` → AdminRef; without `index:` the index is 0 (any key)."""
    from zhizao.identifiers.handle import parse_handle

    index_text, colon, handle = text.partition(":")
    if colon and index_text.isdigit():
        ref = AdminRef(handle, int(index_text))
    else:
        ref = AdminRef(text, 0)
    parse_handle(ref.handle)
    return ref
