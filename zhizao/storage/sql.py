"""SQL shared by the SQLite and PostgreSQL stores.

Both speak the same SQL here (ON CONFLICT upserts, LIKE ... ESCAPE); the subclasses supply
connections, transactions and the placeholder style.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, datetime
from functools import cached_property
from importlib import resources
from typing import Any

from zhizao.identifiers.handle import Handle
from zhizao.identifiers.record import (
    EncodedBatch,
    EncodedRow,
    HandleRecord,
    Term,
    encode,
    load_values,
)
from zhizao.identifiers.sessions import Session
from zhizao.storage.batch import many as conn_exec_many
from zhizao.storage.batch import select_in
from zhizao.storage.events_sql import EventsSql
from zhizao.storage.projects_sql import ProjectsSql
from zhizao.storage.stats_sql import StatsSql
from zhizao.storage.trace_sql import TraceSql

UPSERT_HANDLE = (
    "INSERT INTO handles (key, handle, vals, public) VALUES (?, ?, ?, ?) "
    "ON CONFLICT (key) DO UPDATE SET handle = excluded.handle, vals = excluded.vals, "
    "public = excluded.public"
)
INSERT_TERM = "INSERT INTO handle_search (type, value, key) VALUES (?, ?, ?) ON CONFLICT DO NOTHING"
DELETE_TERM = "DELETE FROM handle_search WHERE type = ? AND value = ? AND key = ?"


def migrations(backend: str) -> list[tuple[int, str, str]]:
    """(version, name, sql) for every migration file of a backend, in order."""
    folder = resources.files("zhizao.storage") / "migrations" / backend
    out = []
    for entry in folder.iterdir():
        if entry.name.endswith(".sql"):
            version = int(entry.name.split("_", 1)[0])
            out.append((version, entry.name, entry.read_text(encoding="utf-8")))
    return sorted(out)


def row_record(key: str, text: str | None, values_json: str) -> HandleRecord:
    prefix, _, suffix = key.partition("/")
    return HandleRecord(Handle(text or key, prefix, suffix, key), load_values(values_json))


def key_range(prefix: str) -> tuple[str, str]:
    """Keys of handles under `prefix` are exactly those in ['P/', 'P0'): '0' follows '/'."""
    return f"{prefix}/", f"{prefix}0"


def like_pattern(pattern: str) -> str:
    escaped = pattern.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return escaped.replace("*", "%")


class SqlTransaction:
    """The write transaction both backends share; `conn` is already inside BEGIN."""

    def __init__(self, store: SqlStore, conn: Any) -> None:
        self._store = store
        self._conn = conn
        self._read: dict[str, HandleRecord | None] = {}

    def get(self, key: str) -> HandleRecord | None:
        if key not in self._read:
            self._store.lock_key(self._conn, key)
            self._read[key] = self._store.fetch_record(self._conn, key)
        return self._read[key]

    def put(self, record: HandleRecord) -> None:
        old = self.get(record.handle.key)
        batch = encode(record)
        self._store.write_rows(
            self._conn, batch.rows, batch.terms, old.search_terms() if old else []
        )
        self._read[record.handle.key] = record

    def delete(self, key: str) -> bool:
        old = self.get(key)
        if old is None:
            return False
        q = self._store.q
        conn_exec_many(self._conn, q(DELETE_TERM), old.search_terms())
        self._conn.execute(q("DELETE FROM handles WHERE key = ?"), (key,))
        self._read[key] = None
        return True


class SqlStore(EventsSql, TraceSql, ProjectsSql, StatsSql):
    """Queries common to both backends. Subclasses implement the connection handling."""

    placeholder = "?"
    backend = ""

    # --- supplied by the backend ---------------------------------------------------------

    def reader(self) -> Any:
        raise NotImplementedError

    def transaction(self) -> AbstractContextManager[Any]:
        raise NotImplementedError

    def lock_key(self, conn: Any, key: str) -> None:
        """Serialise concurrent writers of one handle (SQLite's single writer already does)."""

    def close(self) -> None:
        raise NotImplementedError

    # --- shared -------------------------------------------------------------------------

    def q(self, sql: str) -> str:
        return sql if self.placeholder == "?" else sql.replace("?", self.placeholder)

    def fetch_record(self, conn: Any, key: str) -> HandleRecord | None:
        row = conn.execute(
            self.q("SELECT key, handle, vals FROM handles WHERE key = ?"), (key,)
        ).fetchone()
        return row_record(*row) if row else None

    def write_rows(
        self,
        conn: Any,
        handle_rows: Sequence[EncodedRow],
        term_rows: Sequence[Term],
        stale_terms: Sequence[Term],
    ) -> None:
        """Upsert rows; `stale_terms` are the search terms of the versions being replaced."""
        conn_exec_many(conn, self.q(UPSERT_HANDLE), handle_rows)
        conn_exec_many(conn, self.q(DELETE_TERM), stale_terms)
        conn_exec_many(conn, self.q(INSERT_TERM), term_rows)

    # HandleRepository

    def get(self, key: str) -> HandleRecord | None:
        return self.fetch_record(self.reader(), key)

    def public_json(self, key: str) -> tuple[str, str] | None:
        row = self.reader().execute(self._public_sql, (key,)).fetchone()
        return (row[0], row[1]) if row else None

    @cached_property
    def _public_sql(self) -> str:
        return self.q(
            "SELECT coalesce(handle, key), coalesce(public, vals) FROM handles WHERE key = ?"
        )

    @contextmanager
    def write(self) -> Iterator[SqlTransaction]:
        with self.transaction() as conn:
            yield SqlTransaction(self, conn)

    def put_many(self, batch: EncodedBatch, *, overwrite: bool) -> tuple[int, int]:
        """Write a batch in one transaction; returns (written, skipped as present)."""
        return self.put_rows(batch.rows, batch.terms, overwrite=overwrite)

    def put_rows(
        self, handle_rows: Sequence[EncodedRow], term_rows: Sequence[Term], *, overwrite: bool
    ) -> tuple[int, int]:
        """`put_many` on a batch's two lists (what a writer process receives)."""
        with self.transaction() as conn:
            present = self._present(conn, [r[0] for r in handle_rows])
            if overwrite:
                stale = [
                    t
                    for k, vals in present.items()
                    for t in row_record(k, None, vals).search_terms()
                ]
                self.write_rows(conn, handle_rows, term_rows, stale)
                return len(handle_rows), 0
            if present:
                handle_rows = [r for r in handle_rows if r[0] not in present]
                term_rows = [t for t in term_rows if t[2] not in present]
            self.write_rows(conn, handle_rows, term_rows, ())
            return len(handle_rows), len(present)

    def _present(self, conn: Any, keys: list[str]) -> dict[str, str]:
        """key → stored values of the keys that exist."""
        present: dict[str, str] = {}
        if not keys:
            return present
        # A bulk load of new, sorted identifiers has nothing stored in its key range: one
        # probe instead of a lookup per key.
        probe = conn.execute(
            self.q("SELECT 1 FROM handles WHERE key >= ? AND key <= ? LIMIT 1"),
            (min(keys), max(keys)),
        ).fetchone()
        if probe is None:
            return present
        sql = "SELECT key, vals FROM handles WHERE key IN ({marks})"
        present.update((k, v) for k, v in select_in(conn, self.placeholder, sql, keys))
        return present

    def list_handles(self, prefix: str, offset: int, limit: int | None) -> list[str]:
        sql = "SELECT coalesce(handle, key) FROM handles WHERE key >= ? AND key < ? ORDER BY key"
        params: list[Any] = list(key_range(prefix))
        if limit is not None:
            sql += " LIMIT ? OFFSET ?"
            params += [limit, offset]
        return [r[0] for r in self.reader().execute(self.q(sql), params).fetchall()]

    def count_handles(self, prefix: str) -> int:
        row = (
            self.reader()
            .execute(
                self.q("SELECT count(*) FROM handles WHERE key >= ? AND key < ?"), key_range(prefix)
            )
            .fetchone()
        )
        return int(row[0])

    def search(
        self, vtype: str, pattern: str, prefix: str | None, offset: int, limit: int
    ) -> list[str]:
        sql = (
            "SELECT coalesce(h.handle, h.key) FROM handle_search s "
            "JOIN handles h ON h.key = s.key WHERE s.type = ? AND s.value LIKE ? ESCAPE '\\'"
        )
        params: list[Any] = [vtype, like_pattern(pattern)]
        if prefix is not None:
            sql += " AND s.key >= ? AND s.key < ?"
            params += list(key_range(prefix))
        sql += " ORDER BY h.key LIMIT ? OFFSET ?"
        params += [limit, offset]
        return [r[0] for r in self.reader().execute(self.q(sql), params).fetchall()]

    # PrefixRepository

    def homed_prefixes(self) -> list[str]:
        rows = self.reader().execute("SELECT prefix FROM prefixes ORDER BY prefix").fetchall()
        return [r[0] for r in rows]

    def home(self, prefix: str) -> bool:
        with self.transaction() as conn:
            cur = conn.execute(
                self.q(
                    "INSERT INTO prefixes (prefix, homed_at) VALUES (?, ?) ON CONFLICT DO NOTHING"
                ),
                (prefix, datetime.now(UTC).isoformat()),
            )
            return bool(cur.rowcount)

    def unhome(self, prefix: str) -> bool:
        with self.transaction() as conn:
            cur = conn.execute(self.q("DELETE FROM prefixes WHERE prefix = ?"), (prefix,))
            return bool(cur.rowcount)

    def server_admins(self) -> list[str]:
        rows = self.reader().execute("SELECT identity FROM server_admins ORDER BY identity")
        return [r[0] for r in rows.fetchall()]

    def add_server_admin(self, identity: str) -> None:
        with self.transaction() as conn:
            conn.execute(
                self.q("INSERT INTO server_admins (identity) VALUES (?) ON CONFLICT DO NOTHING"),
                (identity,),
            )

    # ResolutionCountRepository

    def add_resolution_counts(self, counts: Mapping[tuple[str, str], int]) -> None:
        if not counts:
            return
        with self.transaction() as conn:
            conn_exec_many(
                conn,
                self.q(
                    "INSERT INTO resolution_counts (prefix, day, count) VALUES (?, ?, ?) "
                    "ON CONFLICT (prefix, day) DO UPDATE SET "
                    "count = resolution_counts.count + excluded.count"
                ),
                [(p, d, n) for (p, d), n in counts.items()],
            )

    def resolution_counts(self, prefix: str | None) -> Iterator[tuple[str, str, int]]:
        sql = "SELECT prefix, day, count FROM resolution_counts"
        params: list[Any] = []
        if prefix is not None:
            sql += " WHERE prefix = ?"
            params.append(prefix)
        sql += " ORDER BY prefix, day"
        for p, d, n in self.reader().execute(self.q(sql), params).fetchall():
            yield p, d, int(n)

    def replace_federated_counts(self, via: str, rows: list[tuple[str, str, int]]) -> None:
        """What a child node (delegated `via`) reported: its totals replace the last report."""
        with self.transaction() as conn:
            conn.execute(self.q("DELETE FROM federated_counts WHERE via = ?"), (via,))
            conn_exec_many(
                conn,
                self.q(
                    "INSERT INTO federated_counts (via, prefix, day, count) VALUES (?, ?, ?, ?)"
                ),
                [(via, p, d, n) for p, d, n in rows],
            )

    def federated_counts(self) -> list[tuple[str, str, str, int]]:
        """(via, prefix, day, count) of every child report held."""
        sql = "SELECT via, prefix, day, count FROM federated_counts ORDER BY via, prefix, day"
        return [(v, p, d, int(n)) for v, p, d, n in self.reader().execute(sql).fetchall()]

    # SessionRepository

    def put_session(self, session: Session) -> None:
        with self.transaction() as conn:
            conn.execute(self.q("DELETE FROM sessions WHERE expires_at < ?"), (int(time.time()),))
            conn.execute(
                self.q(
                    "INSERT INTO sessions (id, nonce, identity, expires_at) VALUES (?, ?, ?, ?) "
                    "ON CONFLICT (id) DO UPDATE SET nonce = excluded.nonce, "
                    "identity = excluded.identity, expires_at = excluded.expires_at"
                ),
                (session.id, session.nonce, session.identity, session.expires_at),
            )

    def get_session(self, session_id: str, now: int) -> Session | None:
        row = (
            self.reader()
            .execute(
                self.q(
                    "SELECT id, nonce, identity, expires_at FROM sessions "
                    "WHERE id = ? AND expires_at >= ?"
                ),
                (session_id, now),
            )
            .fetchone()
        )
        return Session(row[0], row[1], row[2], int(row[3])) if row else None

    def delete_session(self, session_id: str) -> bool:
        with self.transaction() as conn:
            cur = conn.execute(self.q("DELETE FROM sessions WHERE id = ?"), (session_id,))
            return bool(cur.rowcount)

    def schema_version(self) -> int:
        row = self.reader().execute("SELECT max(version) FROM schema_migrations").fetchone()
        return int(row[0] or 0)
