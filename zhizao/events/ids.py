"""One canonical form per identifier, so an event captured in one form is found in any other.

- GS1 keys (EPC URNs, Digital Link URIs on any host) → canonical Digital Link.
- zhizao's handles (`hdl:88.118.8160/x`, `https://hdl.handle.net/…`, a node's resolver URL
  `…/api/handles/88.118.8160/x`) → `hdl:{prefix}/{suffix}`, the prefix folded as Handle does.
- Anything else (a private URN, a VIN URI) is its own canonical form.

EPC pattern URIs (`urn:epc:idpat:sgtin:4012345.098765.*`) are not identifiers but queries:
`match_pattern` turns them into the canonical prefix every matching instance starts with.
"""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import unquote

from zhizao.events.gs1 import canonical_gs1, is_pattern
from zhizao.identifiers.handle import fold_prefix

_HANDLE_URL_MARKERS = ("/api/handles/", "hdl.handle.net/")


def _handle(text: str) -> str | None:
    prefix, sep, suffix = text.partition("/")
    if not sep or not prefix or not suffix:
        return None
    return f"hdl:{_folded(prefix)}/{suffix}"


@lru_cache(maxsize=1024)
def _folded(prefix: str) -> str:
    return fold_prefix(prefix)


def canonical_id(value: str) -> str:
    """The form identifiers are matched in."""
    if value.startswith("hdl:"):
        # Not cached: cheap to fold, and a document's many new item codes would only push the
        # identifiers worth caching (GS1 keys, whose conversion is not cheap) out of it.
        return _handle(value[4:]) or value
    return canonical_other_id(value)


@lru_cache(maxsize=131_072)
def canonical_other_id(value: str) -> str:
    """`canonical_id` of anything but an `hdl:` handle."""
    gs1 = canonical_gs1(value)
    if gs1 is not None:
        return gs1
    if value.startswith(("http://", "https://")):
        for marker in _HANDLE_URL_MARKERS:
            at = value.find(marker)
            if at != -1:
                path = value[at + len(marker) :].split("?", 1)[0].split("#", 1)[0]
                return _handle(unquote(path)) or value
    return value


def match_pattern(value: str) -> tuple[str, bool]:
    """(canonical value, is_prefix) for a MATCH_ query value.

    A pattern such as `urn:epc:idpat:sgtin:4012345.098765.*` matches every serial of that GTIN
    (canonical `https://id.gs1.org/01/04012345987652/21/…`) and the class itself.
    """
    if is_pattern(value):
        base = canonical_gs1(value)
        if base is not None:
            return base, True
    return canonical_id(value), False
