"""CBV 2.0 event hash IDs (`ni:///sha-256;…?ver=CBV2.0`).

Events of standard fields only (the great majority) are written directly, which is several
times faster than the tree walk in `prehash`; anything else (extensions, ILMD, nested sensor
data) takes the walk. Both give the same string; the test suite compares them on every
official example, and both against the reference implementation.

The direct writer also exists in C (`_prehash_c.c`, built at install when a C compiler is
present): the same steps without the interpreter, several times faster again. Without it the
Python writer runs; the tests compare the two on every example and on generated events.
"""

from __future__ import annotations

import hashlib
from functools import cache
from types import ModuleType
from typing import Any

from zhizao.events.prehash import (
    _FIELD_VOCABULARY,
    SENSOR_METADATA,
    SENSOR_REPORT,
    Context,
    _suffix_index,
    canonical_value,
    general_pre_hash,
    namespaces_of,
    utc_millis,
)
from zhizao.events.vocab import CBV, GS1_VOC, vocabularies

__all__ = ["event_hash", "namespaces_of", "native_pre_hash", "pre_hash", "python_pre_hash"]

_EPC_LISTS = ("epcList", "inputEPCList", "childEPCs")
_QUANTITY_LISTS = ("quantityList", "childQuantityList", "inputQuantityList")
_SIMPLE = ("action", "transformationID", "bizStep", "disposition")
_PAIRS = {"bizTransactionList": "bizTransaction", "sourceList": "source"}
_PAIRS["destinationList"] = "destination"
_FAST_KEYS = frozenset(
    ["type", "eventID", "recordTime", "eventTime", "eventTimeZoneOffset", "certificationInfo",
     "parentID", "outputEPCList", "outputQuantityList", "persistentDisposition", "readPoint",
     "bizLocation", "errorDeclaration", "@context", "sensorElementList",
     *_EPC_LISTS, *_QUANTITY_LISTS, *_SIMPLE, *_PAIRS]
)  # fmt: skip


def _fast_pre_hash(event: dict[str, Any], ctx: Context) -> str | None:
    """The same pre-hash as the tree walk, written directly, for events of standard fields
    only (no extensions, ILMD or nested sensor data); None when it needs the tree walk."""
    if not _FAST_KEYS.issuperset(event):
        return None

    def text(value: Any) -> str:
        return ctx.value(value).strip()

    def canon(value: Any) -> str:
        return canonical_value(text(value))

    parts = [f"eventType={event.get('type', '')}"]
    for name in ("eventTime", "eventTimeZoneOffset"):
        if name in event:
            value = text(event[name])
            if value:
                parts.append(
                    f"{name}={utc_millis(value) if name == 'eventTime' else canonical_value(value)}"
                )
    certificates = event.get("certificationInfo")
    if certificates is not None:
        items = certificates if isinstance(certificates, list) else [certificates]
        parts.extend(sorted(f"certificationInfo={canon(c)}" for c in items))
    if "parentID" in event:
        parts.append(f"parentID={canon(event['parentID'])}")

    def epcs(name: str) -> None:
        values = event.get(name)
        if values:
            parts.append(name + "".join(sorted(f"epc={canon(v)}" for v in values)))

    def quantities(name: str) -> bool:
        elements = event.get(name)
        if not elements:
            return True
        out = []
        for element in elements:
            if not isinstance(element, dict) or not {"epcClass", "quantity", "uom"}.issuperset(
                element
            ):
                return False
            item = "quantityElement"
            for key in ("epcClass", "quantity", "uom"):
                if key in element:
                    item += f"{key}={canon(element[key])}"
            out.append(item)
        parts.append(name + "".join(sorted(out)))
        return True

    for name in _EPC_LISTS:
        epcs(name)
    for name in _QUANTITY_LISTS:
        if not quantities(name):
            return None
    epcs("outputEPCList")
    if not quantities("outputQuantityList"):
        return None
    for name in _SIMPLE:
        if name in event:
            parts.append(f"{name}={canon(event[name])}")
    persistent = event.get("persistentDisposition")
    if persistent is not None:
        if not {"set", "unset"}.issuperset(persistent):
            return None
        inner = "".join(
            "".join(sorted(f"{key}={canon(v)}" for v in persistent.get(key) or ()))
            for key in ("set", "unset")
        )
        if inner:
            parts.append("persistentDisposition" + inner)
    for name in ("readPoint", "bizLocation"):
        place = event.get(name)
        if place is not None:
            if set(place) != {"id"}:
                return None
            parts.append(f"{name}id={canon(place['id'])}")
    rest = []
    for name, key in _PAIRS.items():
        pairs = event.get(name)
        if not pairs:
            continue
        written = []
        for pair in pairs:
            if set(pair) != {"type", key}:
                return None
            written.append("".join(f"{k}={canon(v)}" for k, v in pair.items()))
        rest.append(name + "".join(sorted(written)))
    sensors = _fast_sensors(event.get("sensorElementList"), ctx)
    if sensors is None:
        return None
    # the pair lists are never matched by the property order, so they follow as extensions
    return "".join(parts) + sensors + "".join(sorted(rest))


# each field's place in the standard's order: a report names 3 of its 24 fields, so sorting
# those few beats asking for all 24
_METADATA_RANK = {name: at for at, name in enumerate(SENSOR_METADATA)}
_REPORT_RANK = {name: at for at, name in enumerate(SENSOR_REPORT)}


def _fast_fields(obj: Any, rank: dict[str, int], ctx: Context) -> str | None:
    """`name=value…` of a flat sensor object in the standard's order; None if not flat."""
    if not isinstance(obj, dict) or not rank.keys() >= obj.keys():
        return None
    out = []
    for key in sorted(obj, key=rank.__getitem__):
        value = obj[key]
        if value is None:
            continue
        if isinstance(value, dict | list):
            return None
        text = ctx.value(value).strip()
        if text:
            is_time = "time" in key.lower()
            out.append(f"{key}={utc_millis(text) if is_time else canonical_value(text)}")
    return "".join(out)


def _fast_sensors(elements: Any, ctx: Context) -> str | None:
    """The sensorElementList part of the pre-hash; "" when absent, None when not plain."""
    if not elements:
        return ""
    if not isinstance(elements, list):
        return None
    written = []
    for element in elements:
        if not isinstance(element, dict) or not {"sensorMetadata", "sensorReport"}.issuperset(
            element
        ):
            return None
        metadata = ""
        if "sensorMetadata" in element:
            fields = _fast_fields(element["sensorMetadata"], _METADATA_RANK, ctx)
            if fields is None:
                return None
            metadata = "sensorMetadata" + fields if fields else ""
        reports = element.get("sensorReport") or []
        if not isinstance(reports, list):
            return None
        texts = []
        for report in reports:
            fields = _fast_fields(report, _REPORT_RANK, ctx)
            if fields is None:
                return None
            if fields:
                texts.append("sensorReport" + fields)
        inner = metadata + "".join(sorted(texts))
        if inner:
            written.append("sensorElement" + inner)
    return "sensorElementList" + "".join(sorted(written)) if written else ""


@cache
def native_pre_hash() -> ModuleType | None:
    """The C writer, handed the vocabularies and helpers it calls back; None if not built."""
    try:
        from zhizao.events import _prehash_c  # type: ignore[attr-defined]
    except ImportError:
        return None
    vocab = vocabularies()
    _prehash_c.configure(
        prefixes=(CBV, GS1_VOC),
        field_vocabularies={
            field: tuple(vocab[name] for name in names)
            for field, names in _FIELD_VOCABULARY.items()
        },
        suffix_index=_suffix_index,
        canonical_value=canonical_value,
        utc_millis=utc_millis,
        fast_keys=_FAST_KEYS,
        metadata_rank=_METADATA_RANK,
        report_rank=_REPORT_RANK,
    )
    return _prehash_c


def pre_hash(event: dict[str, Any], namespaces: dict[str, str]) -> str:
    """The canonical pre-hash string of one event."""
    native = native_pre_hash()
    if native is not None and isinstance(event, dict):
        written = native.pre_hash(event, namespaces)
        if isinstance(written, str):
            return written
        # None: extensions or nested data, the tree walk's; NotImplemented: the Python writer's
        return python_pre_hash(event, namespaces, direct=written is not None)
    return python_pre_hash(event, namespaces)


def python_pre_hash(event: dict[str, Any], namespaces: dict[str, str], direct: bool = True) -> str:
    """`pre_hash` without the C writer (`direct=False`: straight to the tree walk)."""
    ctx = Context(namespaces)
    ctx.collect(event)
    fast = _fast_pre_hash(event, ctx) if direct else None
    return fast if fast is not None else general_pre_hash(event, ctx)


def event_hash(event: dict[str, Any], namespaces: dict[str, str] | None = None) -> str:
    """The CBV 2.0 hash ID of an event (sha-256)."""
    digest = hashlib.sha256(pre_hash(event, namespaces or {}).encode("utf-8")).hexdigest()
    return f"ni:///sha-256;{digest}?ver=CBV2.0"
