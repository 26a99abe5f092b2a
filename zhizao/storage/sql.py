"""SQL shared by the SQLite and PostgreSQL stores.

Both speak the same SQL here (ON CONFLICT upserts, LIKE ... ESCAPE); the subclasses supply
connections, transactions and the placeholder style.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from importlib import resources
from typing import Any

from zhizao.identifiers.handle import Handle
from zhizao.identifiers.record import HandleRecord, load_values

UPSERT_HANDLE = (
    "INSERT INTO handles (key, handle, prefix, stored, public) VALUES (?, ?, ?, ?, ?) "
    "ON CONFLICT (key) DO UPDATE SET handle = excluded.handle, prefix = excluded.prefix, "
    "stored = excluded.stored, public = excluded.public"
)
INSERT_TERM = "INSERT INTO handle_search (type, value, key) VALUES (?, ?, ?) ON CONFLICT DO NOTHING"
BATCH_KEYS = 900  # below SQLite's older 999-variable limit


def migrations(backend: str) -> list[tuple[int, str, str]]:
    """(version, name, sql) for every migration file of a backend, in order."""
    folder = resources.files("zhizao.storage") / "migrations" / backend
    out = []
    for entry in folder.iterdir():
        if entry.name.endswith(".sql"):
            version = int(entry.name.split("_", 1)[0])
            out.append((version, entry.name, entry.read_text(encoding="utf-8")))
    return sorted(out)


def record_row(record: HandleRecord) -> tuple[str, str, str, str, str]:
    h = record.handle
    return (h.key, h.text, h.prefix, record.stored_json(), record.public_json())


def row_record(key: str, text: str, prefix: str, stored: str) -> HandleRecord:
    _, _, suffix = key.partition("/")
    return HandleRecord(Handle(text, prefix, suffix, key), load_values(stored))


def like_pattern(pattern: str) -> str:
    escaped = pattern.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return escaped.replace("*", "%")


class SqlTransaction:
    """The write transaction both backends share; `conn` is already inside BEGIN."""

    def __init__(self, store: SqlStore, conn: Any) -> None:
        self._store = store
        self._conn = conn

    def get(self, key: str) -> HandleRecord | None:
        self._store.lock_key(self._conn, key)
        return self._store.fetch_record(self._conn, key)

    def put(self, record: HandleRecord) -> None:
        self._store.write_records(self._conn, [record], replace_terms=True)

    def delete(self, key: str) -> bool:
        q = self._store.q
        self._conn.execute(q("DELETE FROM handle_search WHERE key = ?"), (key,))
        cur = self._conn.execute(q("DELETE FROM handles WHERE key = ?"), (key,))
        return bool(cur.rowcount)


class SqlStore:
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
            self.q("SELECT key, handle, prefix, stored FROM handles WHERE key = ?"), (key,)
        ).fetchone()
        return row_record(*row) if row else None

    def write_records(self, conn: Any, records: Sequence[HandleRecord], *,
                      replace_terms: bool) -> None:
        rows = [record_row(r) for r in records]
        conn_exec_many(conn, self.q(UPSERT_HANDLE), rows)
        if replace_terms:
            conn_exec_many(conn, self.q("DELETE FROM handle_search WHERE key = ?"),
                           [(r.handle.key,) for r in records])
        terms = [(t, v, r.handle.key) for r in records for t, v in r.search_terms()]
        if terms:
            conn_exec_many(conn, self.q(INSERT_TERM), terms)

    # HandleRepository

    def get(self, key: str) -> HandleRecord | None:
        return self.fetch_record(self.reader(), key)

    def public_json(self, key: str) -> tuple[str, str] | None:
        row = self.reader().execute(
            self.q("SELECT handle, public FROM handles WHERE key = ?"), (key,)
        ).fetchone()
        return (row[0], row[1]) if row else None

    def write(self) -> AbstractContextManager[SqlTransaction]:
        return _TxContext(self)

    def put_many(self, records: Iterable[HandleRecord], *, overwrite: bool) -> tuple[int, int]:
        batch = list(records)
        with self.transaction() as conn:
            skipped = 0
            if not overwrite:
                present = self._present_keys(conn, [r.handle.key for r in batch])
                skipped = sum(1 for r in batch if r.handle.key in present)
                batch = [r for r in batch if r.handle.key not in present]
            self.write_records(conn, batch, replace_terms=overwrite)
        return len(batch), skipped

    def _present_keys(self, conn: Any, keys: list[str]) -> set[str]:
        present: set[str] = set()
        for i in range(0, len(keys), BATCH_KEYS):
            chunk = keys[i:i + BATCH_KEYS]
            marks = ",".join([self.placeholder] * len(chunk))
            rows = conn.execute(f"SELECT key FROM handles WHERE key IN ({marks})", chunk)
            present.update(r[0] for r in rows.fetchall())
        return present

    def list_handles(self, prefix: str, offset: int, limit: int | None) -> list[str]:
        sql = "SELECT handle FROM handles WHERE prefix = ? ORDER BY key"
        params: list[Any] = [prefix]
        if limit is not None:
            sql += " LIMIT ? OFFSET ?"
            params += [limit, offset]
        return [r[0] for r in self.reader().execute(self.q(sql), params).fetchall()]

    def count_handles(self, prefix: str) -> int:
        row = self.reader().execute(
            self.q("SELECT count(*) FROM handles WHERE prefix = ?"), (prefix,)
        ).fetchone()
        return int(row[0])

    def search(self, vtype: str, pattern: str, prefix: str | None, offset: int,
               limit: int) -> list[str]:
        sql = ("SELECT h.handle FROM handle_search s JOIN handles h ON h.key = s.key "
               "WHERE s.type = ? AND s.value LIKE ? ESCAPE '\\'")
        params: list[Any] = [vtype, like_pattern(pattern)]
        if prefix is not None:
            sql += " AND h.prefix = ?"
            params.append(prefix)
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
                self.q("INSERT INTO prefixes (prefix, homed_at) VALUES (?, ?) "
                       "ON CONFLICT DO NOTHING"),
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
            conn.execute(self.q("INSERT INTO server_admins (identity) VALUES (?) "
                                "ON CONFLICT DO NOTHING"), (identity,))

    # ResolutionCountRepository

    def add_resolution_counts(self, counts: Mapping[tuple[str, str], int]) -> None:
        if not counts:
            return
        with self.transaction() as conn:
            conn_exec_many(conn, self.q(
                "INSERT INTO resolution_counts (prefix, day, count) VALUES (?, ?, ?) "
                "ON CONFLICT (prefix, day) DO UPDATE SET "
                "count = resolution_counts.count + excluded.count"),
                [(p, d, n) for (p, d), n in counts.items()])

    def resolution_counts(self, prefix: str | None) -> Iterator[tuple[str, str, int]]:
        sql = "SELECT prefix, day, count FROM resolution_counts"
        params: list[Any] = []
        if prefix is not None:
            sql += " WHERE prefix = ?"
            params.append(prefix)
        sql += " ORDER BY prefix, day"
        for p, d, n in self.reader().execute(self.q(sql), params).fetchall():
            yield p, d, int(n)

    def schema_version(self) -> int:
        row = self.reader().execute("SELECT max(version) FROM schema_migrations").fetchone()
        return int(row[0] or 0)


def conn_exec_many(conn: Any, sql: str, rows: Sequence[Sequence[Any]]) -> None:
    if not rows:
        return
    if hasattr(conn, "executemany"):
        conn.executemany(sql, rows)
    else:
        with conn.cursor() as cur:
            cur.executemany(sql, rows)


class _TxContext:
    def __init__(self, store: SqlStore) -> None:
        self._store = store
        self._cm: AbstractContextManager[Any] | None = None

    def __enter__(self) -> SqlTransaction:
        self._cm = self._store.transaction()
        return SqlTransaction(self._store, self._cm.__enter__())

    def __exit__(self, *exc: Any) -> bool | None:
        assert self._cm is not None
        return self._cm.__exit__(*exc)
