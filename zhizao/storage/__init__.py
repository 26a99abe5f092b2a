"""Storage: the repositories each domain needs, on SQLite (default) or PostgreSQL."""

from __future__ import annotations

from zhizao.errors import ConfigurationError
from zhizao.storage.sql import SqlStore

Store = SqlStore


def open_store(url: str) -> SqlStore:
    """Open (and migrate) the database a `ZHIZAO_DATABASE_URL` names."""
    if url.startswith("sqlite:///"):
        from zhizao.storage.sqlite import SqliteStore

        return SqliteStore(url.removeprefix("sqlite:///") or ":memory:")
    if url.startswith(("postgresql://", "postgres://")):
        from zhizao.storage.postgres import PostgresStore

        return PostgresStore(url)
    raise ConfigurationError(
        f"Unsupported database URL {url!r}: use sqlite:///PATH or postgresql://..."
    )
