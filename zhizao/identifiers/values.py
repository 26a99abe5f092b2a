"""Handle values and their JSON form, as the Handle.Net JSON REST API reads and writes them."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from zhizao.errors import InvalidValue
from zhizao.identifiers.admin import (
    AdminRecord,
    AdminRef,
    admin_from_json,
    admin_ref_from_json,
    parse_index,
)

DEFAULT_TTL = 86400
HS_ADMIN, HS_VLIST, HS_SECKEY, HS_PUBKEY = "HS_ADMIN", "HS_VLIST", "HS_SECKEY", "HS_PUBKEY"
SITE_TYPES = frozenset({"HS_SITE", "HS_SITE.6", "HS_SITE.PREFIX", "HS_NA_DELEGATE"})
FORMATS = frozenset({"string", "base64", "hex", "admin", "vlist", "site", "key"})
# Internal format of an HS_SECKEY after hashing; never leaves the node.
SECKEY_HASH = "seckey-hash"


@dataclass(frozen=True, slots=True)
class Permissions:
    admin_read: bool = True
    admin_write: bool = True
    public_read: bool = True
    public_write: bool = False

    def to_string(self) -> str:
        bits = (self.admin_read, self.admin_write, self.public_read, self.public_write)
        return "".join("1" if b else "0" for b in bits)

    @classmethod
    def from_json(cls, raw: Any, field: str) -> Permissions:
        if raw == "*":
            return cls(True, True, True, True)
        if not isinstance(raw, str) or not raw or len(raw) > 4 or any(c not in "01" for c in raw):
            raise InvalidValue(
                f"{field}: permissions must be 1-4 characters of 0/1 "
                f"(adminRead adminWrite publicRead publicWrite), got {raw!r}",
                field=field,
            )
        bits = raw.rjust(4, "0")
        return cls(*(c == "1" for c in bits))


DEFAULT_PERMISSIONS = Permissions()
SECRET_PERMISSIONS = Permissions(True, True, False, False)


@dataclass(frozen=True, slots=True)
class Data:
    """A value's data in its JSON form: `format` plus `value` (str, dict or list)."""

    format: str
    value: Any


@dataclass(frozen=True, slots=True)
class HandleValue:
    index: int
    type: str
    data: Data
    ttl: int | str = DEFAULT_TTL
    timestamp: str | None = None
    permissions: Permissions = DEFAULT_PERMISSIONS
    references: tuple[AdminRef, ...] = field(default=())

    @property
    def is_public(self) -> bool:
        return self.permissions.public_read

    @property
    def admin(self) -> AdminRecord:
        return admin_from_json(self.data.value, f"HS_ADMIN@{self.index}")

    def vlist(self) -> list[AdminRef]:
        return [admin_ref_from_json(r, f"HS_VLIST@{self.index}") for r in self.data.value]

    def stamped(self, when: str) -> HandleValue:
        # Direct construction: dataclasses.replace costs several times more in bulk loads.
        return HandleValue(
            self.index, self.type, self.data, self.ttl, when, self.permissions, self.references
        )

    def same_content(self, other: HandleValue) -> bool:
        """Equal apart from the timestamp (unchanged values keep their old stamp)."""
        return replace(self, timestamp=None) == replace(other, timestamp=None)


def now_stamp() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _looks_textual(raw: bytes) -> str | None:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if any(ord(c) < 0x20 and c not in "\t\r\n" for c in text):
        return None
    return text


def _data_from_json(raw: Any, field: str) -> Data:
    if raw is None:
        raise InvalidValue(f"{field}: missing data", field=field)
    if not isinstance(raw, dict):
        if isinstance(raw, list):
            raise InvalidValue(
                f"{field}: data must be a primitive or {{format, value}}", field=field
            )
        # Java's getAsString(): true → "true", 5 → "5".
        text = ("true" if raw else "false") if isinstance(raw, bool) else str(raw)
        return Data("string", text)
    fmt = raw.get("format", "string")
    if not isinstance(fmt, str) or fmt.lower() not in FORMATS:
        raise InvalidValue(f"{field}.format: unknown format {fmt!r}", field=f"{field}.format")
    fmt = fmt.lower()
    value = raw.get("value")
    if fmt == "string":
        if isinstance(value, (dict, list)) or value is None:
            raise InvalidValue(f"{field}.value: a string value is required", field=f"{field}.value")
        return Data("string", value if isinstance(value, str) else str(value))
    if fmt in ("base64", "hex"):
        if not isinstance(value, str):
            raise InvalidValue(f"{field}.value: a {fmt} string is required", field=f"{field}.value")
        try:
            decoded = (
                base64.b64decode(value, validate=True) if fmt == "base64" else bytes.fromhex(value)
            )
        except (binascii.Error, ValueError):
            raise InvalidValue(f"{field}.value: not valid {fmt}", field=f"{field}.value") from None
        as_text = _looks_textual(decoded)
        if as_text is not None:
            return Data("string", as_text)
        return Data("base64", base64.b64encode(decoded).decode("ascii"))
    if fmt == "admin":
        return Data("admin", admin_from_json(value, f"{field}.value").to_json())
    if fmt == "vlist":
        if not isinstance(value, list):
            raise InvalidValue(
                f"{field}.value: a vlist is a list of {{handle, index}}", field=f"{field}.value"
            )
        refs = [admin_ref_from_json(r, f"{field}.value[{i}]") for i, r in enumerate(value)]
        return Data("vlist", [{"handle": r.handle, "index": r.index} for r in refs])
    if fmt == "site":
        if not isinstance(value, dict):
            raise InvalidValue(
                f"{field}.value: site data must be an object", field=f"{field}.value"
            )
        return Data("site", value)
    # key
    if not isinstance(value, (dict, str)):
        raise InvalidValue(
            f"{field}.value: key data must be an object (JWK) or string", field=f"{field}.value"
        )
    return Data("key", value)


def _ttl_from_json(raw: Any, field: str) -> int | str:
    if raw is None:
        return DEFAULT_TTL
    if isinstance(raw, bool):
        raise InvalidValue(f"{field}: ttl must be seconds or an ISO-8601 time", field=field)
    if isinstance(raw, int):
        if not 0 <= raw < 2**31:
            raise InvalidValue(f"{field}: ttl {raw} outside 0..2147483647", field=field)
        return raw
    if isinstance(raw, str):
        try:
            datetime.fromisoformat(raw.replace("Z", "+00:00"))
        except ValueError:
            raise InvalidValue(
                f"{field}: ttl {raw!r} is not an ISO-8601 time", field=field
            ) from None
        return raw
    raise InvalidValue(f"{field}: ttl must be seconds or an ISO-8601 time", field=field)


def value_from_json(raw: Any, field: str = "value") -> HandleValue:
    """Parse one value of a request body; `field` names it in errors (e.g. `values[2]`)."""
    if not isinstance(raw, dict):
        raise InvalidValue(f"{field}: a value must be a JSON object", field=field)
    if "index" not in raw:
        raise InvalidValue(f"{field}.index: missing", field=f"{field}.index")
    index = parse_index(raw["index"], f"{field}.index")
    if index == 0:
        raise InvalidValue(f"{field}.index: index 0 is reserved", field=f"{field}.index")
    vtype = raw.get("type")
    if not isinstance(vtype, str) or not vtype:
        raise InvalidValue(f"{field}.type: missing or not a string", field=f"{field}.type")
    data = _data_from_json(raw.get("data"), f"{field}.data")
    if vtype == HS_ADMIN and data.format != "admin":
        raise InvalidValue(f"{field}.data: HS_ADMIN needs admin format data", field=f"{field}.data")
    if vtype == HS_VLIST and data.format != "vlist":
        raise InvalidValue(f"{field}.data: HS_VLIST needs vlist format data", field=f"{field}.data")
    if vtype == HS_SECKEY and data.format != "string":
        raise InvalidValue(
            f"{field}.data: HS_SECKEY needs the secret as a string", field=f"{field}.data"
        )
    perms_raw = raw.get("permissions")
    perms = (
        (SECRET_PERMISSIONS if vtype == HS_SECKEY else DEFAULT_PERMISSIONS)
        if perms_raw is None
        else Permissions.from_json(perms_raw, f"{field}.permissions")
    )
    refs_raw = raw.get("references") or []
    if not isinstance(refs_raw, list):
        raise InvalidValue(f"{field}.references: must be a list", field=f"{field}.references")
    refs = tuple(admin_ref_from_json(r, f"{field}.references[{i}]") for i, r in enumerate(refs_raw))
    return HandleValue(
        index, vtype, data, _ttl_from_json(raw.get("ttl"), f"{field}.ttl"), None, perms, refs
    )


def output_format(value: HandleValue) -> str:
    if value.type == HS_ADMIN:
        return "admin"
    if value.type == HS_VLIST:
        return "vlist"
    if value.type in SITE_TYPES and value.data.format == "site":
        return "site"
    if value.type == HS_PUBKEY and value.data.format == "key":
        return "key"
    return value.data.format


def value_to_json(value: HandleValue) -> dict[str, Any]:
    """The value as Handle.Net serialises it (permissions only when unusual)."""
    out: dict[str, Any] = {
        "index": value.index,
        "type": value.type,
        "data": {"format": output_format(value), "value": value.data.value},
        "ttl": value.ttl,
    }
    if value.timestamp:
        out["timestamp"] = value.timestamp
    if value.permissions != DEFAULT_PERMISSIONS:
        out["permissions"] = value.permissions.to_string()
    if value.references:
        out["references"] = [{"handle": r.handle, "index": r.index} for r in value.references]
    return out


def value_from_stored(raw: dict[str, Any]) -> HandleValue:
    """Read back a value stored in its output form (`value_to_json`, secrets hashed)."""
    data = raw["data"]
    refs = tuple(AdminRef(r["handle"], r["index"]) for r in raw.get("references", ()))
    perms = raw.get("permissions")
    return HandleValue(
        raw["index"],
        raw["type"],
        Data(data["format"], data["value"]),
        raw.get("ttl", DEFAULT_TTL),
        raw.get("timestamp"),
        DEFAULT_PERMISSIONS if perms is None else Permissions.from_json(perms, "permissions"),
        refs,
    )


def is_secret(value: HandleValue) -> bool:
    """HS_SECKEY values are never returned by any read."""
    return value.type == HS_SECKEY
