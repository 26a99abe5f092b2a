"""Handle names: `prefix/suffix`, dot-hierarchical prefixes, prefix handles `0.NA/<prefix>`.

Prefixes are ASCII-case-insensitive, suffixes case-sensitive (Handle.Net's default). A handle keeps
the exact text the client sent (`text`) so that answers echo it back unchanged; matching uses `key`.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from functools import lru_cache

from zhizao.errors import InvalidHandle

NA_PREFIX = "0.NA"
MAX_HANDLE_BYTES = 2048

_PREFIX_RE = re.compile(r"[A-Za-z0-9_\-]+(\.[A-Za-z0-9_\-]+)*\Z")
_CONTROL_RE = re.compile("[\x00-\x1f\x7f\ud800-\udfff]")
_ASCII_UPPER = str.maketrans("abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ")


def fold_prefix(prefix: str) -> str:
    """The canonical form of a prefix: ASCII letters upper-cased, everything else untouched."""
    return prefix.translate(_ASCII_UPPER)


@lru_cache(maxsize=4096)
def check_prefix(prefix: str) -> str:
    """Validate a prefix such as `88.118.8160`; return its canonical form."""
    if not prefix:
        raise InvalidHandle("Empty prefix", field="prefix")
    if not _PREFIX_RE.match(prefix):
        raise InvalidHandle(
            f"Invalid prefix {prefix!r}: use letters, digits, '-', '_' in dot-separated segments",
            field="prefix",
        )
    return fold_prefix(prefix)


def parent_prefixes(prefix: str) -> list[str]:
    """`88.118.8160` → [`88.118`, `88`]: the chain a derived prefix hangs from, nearest first."""
    parts = prefix.split(".")
    return [".".join(parts[:i]) for i in range(len(parts) - 1, 0, -1)]


@dataclass(frozen=True, slots=True)
class Handle:
    """A parsed handle. `text` is what the client sent; `key` is the canonical matching form."""

    text: str
    prefix: str  # canonical (folded) prefix of the handle itself, e.g. `0.NA` or `88.118.8160`
    suffix: str
    key: str

    @property
    def is_prefix_handle(self) -> bool:
        return self.prefix == NA_PREFIX

    @property
    def served_prefix(self) -> str:
        """The prefix whose homing decides whether a node answers for this handle.

        For `88.118.8160/x` that is `88.118.8160`; for the prefix handle `0.NA/88.118.8160` it is
        the named prefix itself.
        """
        return self.suffix if self.is_prefix_handle else self.prefix

    def __str__(self) -> str:
        return self.text


def parse_handle(text: str) -> Handle:
    """Parse `prefix/suffix`; bare text names a prefix (`0.NA/<text>`), as resolvers read it."""
    if not text:
        raise InvalidHandle("Empty handle invalid", field="handle")
    if _CONTROL_RE.search(text):
        raise InvalidHandle(
            "Handle contains a control character or is not valid UTF-8", field="handle"
        )
    if len(text) * 4 > MAX_HANDLE_BYTES and len(text.encode("utf-8")) > MAX_HANDLE_BYTES:
        raise InvalidHandle(f"Handle longer than {MAX_HANDLE_BYTES} bytes", field="handle")
    prefix, slash, suffix = text.partition("/")
    if not slash:
        prefix, suffix = NA_PREFIX, text
    if not suffix:
        raise InvalidHandle(f"Handle {text!r} has an empty suffix", field="handle")
    canonical_prefix = check_prefix(prefix)
    if canonical_prefix == NA_PREFIX:
        canonical_suffix = check_prefix(suffix)
    else:
        canonical_suffix = suffix
    return Handle(
        text, canonical_prefix, canonical_suffix, f"{canonical_prefix}/{canonical_suffix}"
    )


def prefix_handle(prefix: str) -> Handle:
    """The handle `0.NA/<prefix>` that holds a prefix's administrators."""
    return parse_handle(f"{NA_PREFIX}/{prefix}")


def mint_handle(base: str) -> Handle:
    """A new handle under `base` (`88.118.8160/` or `88.118.8160/lot-`) with a random suffix."""
    if "/" not in base:
        base += "/"
    return parse_handle(base + str(uuid.uuid4()))
