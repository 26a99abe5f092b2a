"""What the identifier domain needs from storage: a narrow interface storage/ implements."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager
from typing import Protocol

from zhizao.identifiers.record import EncodedBatch, HandleRecord


class WriteTransaction(Protocol):
    """One atomic unit of writes; reads inside it see its own writes and lock what they read."""

    def get(self, key: str) -> HandleRecord | None: ...

    def put(self, record: HandleRecord) -> None: ...

    def delete(self, key: str) -> bool: ...


class HandleRepository(Protocol):
    def get(self, key: str) -> HandleRecord | None: ...

    def public_json(self, key: str) -> tuple[str, str] | None:
        """(handle as stored, JSON array of public values) — the resolution hot path."""
        ...

    def write(self) -> AbstractContextManager[WriteTransaction]: ...

    def put_many(self, batch: EncodedBatch, *, overwrite: bool) -> tuple[int, int]:
        """Write a batch atomically; returns (written, skipped as present without overwrite)."""
        ...

    def list_handles(self, prefix: str, offset: int, limit: int | None) -> list[str]: ...

    def count_handles(self, prefix: str) -> int: ...

    def search(
        self, vtype: str, pattern: str, prefix: str | None, offset: int, limit: int
    ) -> list[str]:
        """Handles whose public `vtype` value matches `pattern` (`*` is a wildcard)."""
        ...


class PrefixRepository(Protocol):
    def homed_prefixes(self) -> list[str]: ...

    def home(self, prefix: str) -> bool: ...

    def unhome(self, prefix: str) -> bool: ...

    def server_admins(self) -> list[str]: ...

    def add_server_admin(self, identity: str) -> None: ...


class ResolutionCountRepository(Protocol):
    def add_resolution_counts(self, counts: Mapping[tuple[str, str], int]) -> None:
        """Add (prefix, YYYY-MM-DD) → n to the stored daily totals."""
        ...

    def resolution_counts(self, prefix: str | None) -> Iterator[tuple[str, str, int]]:
        """(prefix, day, count) rows, ordered by prefix then day."""
        ...
