"""CBV 2.0 vocabularies: bare words (`receiving`), URNs and Web URIs as one value.

The words and their URIs come from the official EPCIS 2.0 JSON-LD context shipped in
`standard/`, so they are exactly the ones the standard defines.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

CBV = "https://ref.gs1.org/cbv/"
GS1_VOC = "https://gs1.org/voc/"
URN_FORMS = {
    "urn:epcglobal:cbv:bizstep:": CBV + "BizStep-",
    "urn:epcglobal:cbv:disp:": CBV + "Disp-",
    "urn:epcglobal:cbv:btt:": CBV + "BTT-",
    "urn:epcglobal:cbv:sdt:": CBV + "SDT-",
    "urn:epcglobal:cbv:er:": CBV + "ER-",
}


def standard_file(name: str) -> Any:
    return json.loads((resources.files("zhizao.events") / "standard" / name).read_text("utf-8"))


def _expand(curie: str) -> str:
    prefix, _, rest = curie.partition(":")
    return {"cbv": CBV, "gs1": GS1_VOC}.get(prefix, prefix + ":") + rest


@cache
def vocabularies() -> dict[str, dict[str, str]]:
    """{field: {bare word: full URI}} for every vocabulary-valued field of the context."""
    ctx = standard_file("epcis-context.jsonld")["@context"]

    def words(scoped: dict[str, Any]) -> dict[str, str]:
        return {k: _expand(v) for k, v in scoped.items() if isinstance(v, str) and ":" in v}

    sensor = ctx["sensorElementList"]["@context"]["sensorReport"]["@context"]
    return {
        "bizStep": words(ctx["bizStep"]["@context"]),
        "disposition": words(ctx["disposition"]["@context"]),
        "persistentDisposition": words(ctx["persistentDisposition"]["@context"][0]),
        "bizTransactionType": words(ctx["bizTransactionList"]["@context"]["type"]["@context"]),
        "sourceDestType": words(ctx["sourceList"]["@context"]["type"]["@context"]),
        "measurementType": words(sensor["type"]["@context"]),
        "exception": words(sensor["exception"]["@context"]),
        "component": words(sensor["component"]["@context"]),
        "errorReason": words(ctx["errorDeclaration"]["@context"]["reason"]["@context"]),
    }


GS1_VOC = "https://gs1.org/voc/"


def web_uri(value: str) -> str:
    """A CBV URN in its Web URI form; anything else unchanged."""
    if value.startswith("urn:epcglobal:cbv:"):
        for urn, web in URN_FORMS.items():
            if value.startswith(urn):
                return web + value[len(urn) :]
    return value


@cache
def _bare_words(field: str) -> dict[str, str]:
    """{any accepted spelling: bare word} for one vocabulary."""
    out: dict[str, str] = {}
    for word, uri in vocabularies()[field].items():
        out[word] = out[uri] = word
        if uri.startswith(GS1_VOC):  # the JSON-LD context's compact form, e.g. gs1:Energy
            out["gs1:" + uri.removeprefix(GS1_VOC)] = word
    return out


def canonical_term(field: str, value: str) -> str:
    """The bare word for a standard value in any spelling; a custom URI as it is."""
    return _bare_words(field).get(web_uri(value), value)
