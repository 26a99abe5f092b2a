"""The evidence log: every signing action and every write, chained by SHA-256.

Each entry holds the hash of the one before it, so changing, removing or inserting an entry
breaks every hash after it (Electronic Signature Law Art. 13: later changes must be
detectable). `verify` re-checks the chain, re-hashes each stored contract, and re-verifies each
accepted signature against the key the log itself registered, and names the first failure.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from zhizao.projects.signing import Statement, canonical, document_hash, verifies

GENESIS = "0" * 64

# kinds of entry
KEY_REGISTERED = "key.registered"
KEY_REVOKED = "key.revoked"
DOCUMENT_REGISTERED = "document.registered"
SIGNATURE_ACCEPTED = "signature.accepted"
SIGNATURE_REJECTED = "signature.rejected"


@dataclass(frozen=True, slots=True)
class Entry:
    seq: int
    at: str  # UTC ISO 8601
    actor: str  # who made the write: a token's label and role, or "cli:<user>"
    kind: str
    data: dict[str, Any]
    prev: str
    hash: str


def entry_hash(seq: int, at: str, actor: str, kind: str, data: dict[str, Any], prev: str) -> str:
    body = {"seq": seq, "at": at, "actor": actor, "kind": kind, "data": data, "prev": prev}
    return hashlib.sha256(canonical(body)).hexdigest()


def next_entry(last: Entry | None, at: str, actor: str, kind: str, data: dict[str, Any]) -> Entry:
    seq = 1 if last is None else last.seq + 1
    prev = GENESIS if last is None else last.hash
    return Entry(seq, at, actor, kind, data, prev, entry_hash(seq, at, actor, kind, data, prev))


@dataclass
class Report:
    entries: int = 0
    documents: int = 0
    signatures: int = 0
    failure: tuple[int, str] | None = None  # (seq, why) of the first entry that fails

    @property
    def ok(self) -> bool:
        return self.failure is None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"ok": self.ok, "entries": self.entries}
        out |= {"documents": self.documents, "signatures": self.signatures}
        if self.failure:
            out["firstFailure"] = {"seq": self.failure[0], "reason": self.failure[1]}
        return out


@dataclass
class _Keys:
    public: dict[str, str] = field(default_factory=dict)  # key id → public key
    party: dict[str, str] = field(default_factory=dict)  # key id → party
    revoked: dict[str, str] = field(default_factory=dict)  # key id → when


def verify(
    entries: Iterable[Entry],
    document: Callable[[str], bytes | None],
    signatures: Callable[[str, str], str | None] | None = None,
) -> Report:
    """Check the whole log. `document(sha)` gives a stored contract's bytes; `signatures(sha,
    party)` gives the stored signature, so a signature altered in its table is caught too."""
    report = Report()
    keys = _Keys()
    prev = GENESIS
    for entry in entries:
        report.entries += 1
        why = _check(entry, prev, keys, document, signatures, report)
        if why:
            report.failure = (entry.seq, why)
            return report
        prev = entry.hash
    return report


def _check(
    entry: Entry,
    prev: str,
    keys: _Keys,
    document: Callable[[str], bytes | None],
    signatures: Callable[[str, str], str | None] | None,
    report: Report,
) -> str | None:
    if entry.prev != prev:
        return "its link to the previous entry is broken (an entry was removed or inserted)"
    if entry_hash(entry.seq, entry.at, entry.actor, entry.kind, entry.data, entry.prev) != (
        entry.hash
    ):
        return "its content does not match its hash (the entry was altered)"
    data = entry.data
    if entry.kind == KEY_REGISTERED:
        keys.public[data["keyId"]] = data["publicKey"]
        keys.party[data["keyId"]] = data["party"]
    elif entry.kind == KEY_REVOKED:
        keys.revoked[data["keyId"]] = entry.at
    elif entry.kind == DOCUMENT_REGISTERED:
        content = document(data["sha256"])
        if content is None:
            return f"document {data['sha256'][:12]}… is missing from the store"
        if document_hash(content) != data["sha256"]:
            return f"document {data['name']!r} was altered after it was registered"
        report.documents += 1
    elif entry.kind == SIGNATURE_ACCEPTED:
        key = data["keyId"]
        if key not in keys.public or keys.party[key] != data["party"]:
            return f"signature by key {key}, which the log never registered for {data['party']}"
        if key in keys.revoked:
            return f"signature by key {key}, revoked at {keys.revoked[key]}"
        statement = Statement(data["sha256"], data["project"], data["party"], data["signedAt"])
        if not verifies(keys.public[key], statement, data["signature"]):
            return f"the signature of {data['party']} does not verify"
        if (
            signatures is not None
            and signatures(data["sha256"], data["party"]) != (data["signature"])
        ):
            return f"the stored signature of {data['party']} differs from the one logged"
        report.signatures += 1
    return None
