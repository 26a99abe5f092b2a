"""The CBV 2.0 pre-hash string, by the reference's tree walk (any event, extensions included).

The pre-hash string follows the algorithm of the reference implementation (PyPI
`epcis-event-hash-generator`, MIT, RalphTro/epcis-event-hash-generator), step for step, because
the hash is only useful if every party computes the same one: the event becomes a tree of
(name, text, children) as its XML form would be, the standard's properties are written in the
canonical order, and what is left (extensions) follows, sorted. What the reference does with a
JSON-LD expansion (bare CBV words → Web URIs) is done here from the official context directly,
which is what makes it ~50× faster. The test suite compares both on every official example.

Deliberate differences, where the reference fails: a timestamp rounding up to the next second
keeps the event (the reference drops it), and `@context` inside an event is not hashed.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any

from zhizao.events.gs1 import canonical_gs1
from zhizao.events.vocab import CBV, GS1_VOC, URN_FORMS, vocabularies

Node = tuple[Any, str, list[Any]]
Order = list[tuple[Any, Any]]

_QUANTITY: Order = [("quantityElement", [("epcClass", None), ("quantity", None), ("uom", None)])]
_EPC: Order = [("epc", None)]
SENSOR_METADATA = ["time", "startTime", "endTime", "deviceID", "deviceMetadata", "rawData"]
SENSOR_METADATA += ["dataProcessingMethod", "bizRules"]
SENSOR_REPORT = ["type", "exception", "deviceID", "deviceMetadata", "rawData"]
SENSOR_REPORT += ["dataProcessingMethod", "time", "microorganism", "chemicalSubstance", "value"]
SENSOR_REPORT += ["component", "stringValue", "booleanValue", "hexBinaryValue", "uriValue"]
SENSOR_REPORT += ["minValue", "maxValue", "meanValue", "sDev", "percRank", "percValue", "uom"]
SENSOR_REPORT += ["coordinateReferenceSystem"]
_PAIR = lambda a, b: [((a, None), (b, None))]  # noqa: E731 - never matched, as in the reference

PROPERTY_ORDER: Order = [
    ("eventTime", None),
    ("eventTimeZoneOffset", None),
    ("certificationInfo", None),
    ("parentID", None),
    ("epcList", _EPC),
    ("inputEPCList", _EPC),
    ("childEPCs", _EPC),
    ("quantityList", _QUANTITY),
    ("childQuantityList", _QUANTITY),
    ("inputQuantityList", _QUANTITY),
    ("outputEPCList", _EPC),
    ("outputQuantityList", _QUANTITY),
    ("action", None),
    ("transformationID", None),
    ("bizStep", None),
    ("disposition", None),
    ("persistentDisposition", [("set", None), ("unset", None)]),
    ("readPoint", [("id", None)]),
    ("bizLocation", [("id", None)]),
    ("bizTransactionList", _PAIR("type", "bizTransaction")),
    ("sourceList", _PAIR("type", "source")),
    ("destinationList", _PAIR("type", "destination")),
    (
        "sensorElementList",
        [
            (
                "sensorElement",
                [
                    ("sensorMetadata", [(n, None) for n in SENSOR_METADATA]),
                    ("sensorReport", [(n, None) for n in SENSOR_REPORT]),
                ],
            )
        ],
    ),
]
_IGNORED = ("recordTime", "eventID", "type", "errorDeclaration")
_UNSORTED_KEYS = ("bizTransaction", "source", "destination")
_PAIR_LISTS = ("sourceList", "destinationList", "bizTransactionList")


_VOCABULARY_URIS = (CBV, GS1_VOC)


class Context:
    """What the JSON-LD step of the reference yields: namespaces and expanded CBV words."""

    def __init__(self, namespaces: dict[str, str]) -> None:
        self.namespaces = namespaces
        self.expanded: set[str] = set()
        self._by_suffix: dict[str, str | None] | None = None

    def collect(self, obj: Any, field: str | None = None) -> None:
        """Every CBV word of the event, as the reference's JSON-LD expansion finds them."""
        if isinstance(obj, dict):
            for key, value in obj.items():
                if isinstance(value, str):
                    self._word(value, key)
                else:
                    self.collect(value, key)
        elif isinstance(obj, list):
            for item in obj:
                if isinstance(item, str):
                    self._word(item, field)
                else:
                    self.collect(item, field)
        elif isinstance(obj, str):
            self._word(obj, field)

    def _word(self, text: str, field: str | None) -> None:
        if text.startswith(_VOCABULARY_URIS):
            self.expanded.add(text)
            self._by_suffix = None
        elif field in _FIELD_VOCABULARY:
            vocab = vocabularies()
            for name in _FIELD_VOCABULARY[field]:
                uri = vocab[name].get(text)
                if uri is not None:
                    self.expanded.add(uri)
                    self._by_suffix = None

    def replace_bare(self, text: str) -> str:
        """The one expanded word that ends in `-text` or `/text`, else the text unchanged."""
        if not self.expanded:
            return text
        if self._by_suffix is None:
            self._by_suffix = _suffix_index(frozenset(self.expanded))
        return self._by_suffix.get(text) or text

    def key(self, text: str) -> str:
        head, sep, rest = text.partition(":")
        return self.namespaces[head] + rest if sep and head in self.namespaces else text

    def value(self, obj: Any) -> str:
        if isinstance(obj, str):
            obj = self.replace_bare(obj)
            head, sep, rest = obj.partition(":")
            if sep and head in self.namespaces:
                return self.namespaces[head].replace("{", "").replace("}", "") + rest
        return str(obj)


@lru_cache(maxsize=1024)
def _suffix_index(words: frozenset[str]) -> dict[str, str | None]:
    """Every "-" or "/" boundary of every word, so each value costs one lookup; None where
    two words share a suffix. Events of one document expand the same few words, so the
    index is built once per set of words, not once per event."""
    index: dict[str, str | None] = {}
    for word in words:
        for at, char in enumerate(word):
            if char in "-/":
                suffix = word[at + 1 :]
                index[suffix] = word if index.get(suffix, word) == word else None
    return index


_FIELD_VOCABULARY = {
    "bizStep": ("bizStep",),
    "disposition": ("disposition",),
    "set": ("persistentDisposition",),
    "unset": ("persistentDisposition",),
    "type": ("bizTransactionType", "sourceDestType", "measurementType"),
    "exception": ("exception",),
    "component": ("component",),
    "reason": ("errorReason",),
}


def namespaces_of(context: Any) -> dict[str, str]:
    """Extension namespaces a document's `@context` declares, as `{prefix: '{uri}'}`."""
    out: dict[str, str] = {}
    if isinstance(context, list):
        for item in context:
            if isinstance(item, str):
                out[item] = "{" + item + "}"
            elif isinstance(item, dict):
                out.update({k: "{" + v + "}" for k, v in item.items() if isinstance(v, str)})
    return out


def _tree(obj: Any, ctx: Context) -> Node:
    """The reference's JSON → (name, text, children) conversion."""
    if isinstance(obj, dict):
        name = obj.get("type", "")
        text = obj.get("#text", "")
        children: list[Any] = []
        for key, value in obj.items():
            if key in ("#text", "rdfs:comment", "comment", "@context"):
                continue
            child = _tree(value, ctx)
            key = ctx.key(key)
            if isinstance(value, list):
                children.extend((key, e[1], e[2]) for e in child[2])
            else:
                children.append((key, child[1], child[2]))
        if not any(k in obj for k in _UNSORTED_KEYS):
            children.sort()
        return name, text, children
    if isinstance(obj, list):
        items = [_tree(item, ctx) for item in obj]
        items.sort()
        return "", "", items
    return "", ctx.value(obj), []


def _xml_shape(node: Node) -> Node:
    """The reference's JSON/XML model corrections: list items named, childEPCs wrapped."""
    children = list(node[2])
    lists: dict[str, list[Node]] = {}
    kept: list[Any] = []
    child_epcs: list[Node] = []
    for element in children:
        name = element[0]
        if not isinstance(name, tuple) and name.endswith("List"):
            lists.setdefault(name, []).append((name[:-4], element[1], element[2]))
        elif name == "childEPCs":
            child_epcs.append(("epc", element[1], []))
        else:
            kept.append(element)
    for list_name, elements in lists.items():
        if list_name in _PAIR_LISTS:
            # (type, value) pairs; a pair without its type is one plain element.
            pairs = [(e[2][0], e[2][1]) if len(e[2]) > 1 else e[2][0] for e in elements]
            kept.append((list_name, "", pairs))
        else:
            kept.append((list_name, "", elements))
    if child_epcs:
        kept.append(("childEPCs", "", child_epcs))
    corrected = [e if e[0] in _PAIR_LISTS else _xml_shape(e) for e in kept]
    name = node[0]
    if name in ("inputEPC", "outputEPC"):
        name = "epc"
    elif name in ("inputQuantity", "outputQuantity", "childQuantity") or (
        name == "quantity" and corrected
    ):
        name = "quantityElement"
    return name, node[1], corrected


def utc_millis(text: str) -> str:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return text
    if moment.tzinfo is None:
        moment = moment.astimezone()
    moment = moment.astimezone(UTC)
    millis = round(moment.microsecond, -3)
    if millis == 1_000_000:
        moment = moment.replace(microsecond=0) + timedelta(seconds=1)
    else:
        moment = moment.replace(microsecond=millis)
    return moment.isoformat(timespec="milliseconds")[:-6] + "Z"


# how a text float() accepts can start: digits, sign, point, inf, nan, space; any non-ASCII
# character too, as float() takes every Unicode digit
_NUMBER_STARTS = frozenset("0123456789+-.iInN \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f")


def _numeric(text: str) -> str:
    if not text or (text[0] not in _NUMBER_STARTS and text[0].isascii()):
        return text  # most values are URIs; this spares them a raised ValueError
    try:
        number = float(text)
        return str(int(number)) if int(number) == number else str(number)
    except (ValueError, OverflowError):
        return text


@lru_cache(maxsize=65_536)
def canonical_value(text: str) -> str:
    if "urn:epcglobal:cbv:" in text:
        for urn, web in URN_FORMS.items():
            text = text.replace(urn, web)
    text = _numeric(text)
    return canonical_gs1(text) or text


def _generic(children: list[Any]) -> str:
    parts = []
    for child in children:
        if isinstance(child, tuple) and len(child) == 2 and isinstance(child[0], tuple):
            parts.append(_generic(list(child)))
            continue
        text = child[1].strip()
        if text:
            text = "=" + canonical_value(text)
        parts.append(child[0] + text + _generic(child[2]))
    if len(children) > 1 and not any(c[0] in _UNSORTED_KEYS for c in children):
        parts.sort()
    return "".join(parts)


def _child_string(child: Node, order: Order | None) -> str:
    nested = _ordered(child[2], order) if order else ""
    text = child[1].strip() if child[1] else ""
    if text:
        name = child[0].lower()
        text = "=" + (
            utc_millis(text) if "time" in name and "offset" not in name else canonical_value(text)
        )
    return child[0] + text + nested if text or nested else ""


def _user_extensions(children: list[Any]) -> list[Any]:
    if len(children) <= 1 or any("eventTime" in c[0] or "action" in c[0] for c in children):
        return []
    found = [c for c in children if isinstance(c[0], str) and "{" in c[0] and "/}" in c[0]]
    for c in found:
        children.remove(c)
    return found


def _ordered(children: list[Any], order: Order) -> str:
    """Writes (and consumes) the children that `order` names, in that order."""
    out = ""
    extensions = _user_extensions(children)
    for name, sub_order in order:
        values = []
        for child in [c for c in children if c[0] == name]:
            text = _child_string(child, sub_order)
            if text:
                values.append(text)
            if not child[2]:
                children.remove(child)
        values.sort()
        if "".join(values):
            out = "".join([out, *values]) if out else "".join(values)
    if extensions:
        out += _generic(extensions)
    return out


def general_pre_hash(event: dict[str, Any], ctx: Context) -> str:
    name, _, children = _xml_shape(_tree(event, ctx))
    ordered = _ordered(children, PROPERTY_ORDER)
    rest = [c for c in children if c[0] not in _IGNORED]
    return f"eventType={event.get('type', '')}{ordered}{_generic(rest) if rest else ''}"
