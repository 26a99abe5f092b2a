"""The embedded default store: one SQLite file in WAL mode.

One writer connection (guarded by a lock, BEGIN IMMEDIATE across processes) and one read-only
connection per thread. synchronous=FULL: an acknowledged write has reached the disk. The log
is copied back into the file by a thread of its own (`checkpoint`), not inside commits.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from zhizao.errors import StorageError
from zhizao.storage.checkpoint import Checkpointer
from zhizao.storage.sql import SqlStore, migrations

BUSY_TIMEOUT_MS = 10_000
MMAP_BYTES = 8 << 30  # address space only; the OS pages it in and out as it likes
READ_CACHE_KIB = 65_536
# The writer's page cache. With SQLite's default 2 MB a 10,000-event capture (16 MB of pages)
# spills dirty pages into the log mid-transaction and reads evicted index pages back: 20,068
# preads and 40,860 pwrites over two captures, against 11,216 and 33,604 with 64 MB (strace -c).
WRITE_CACHE_KIB = 65_536


def _null(value: None) -> None:
    return value


# Python 3.11's sqlite3 binds None through its adaptation protocol, which looks up `__adapt__`
# on a type and so formats an AttributeError message for every NULL it binds: 0.3 µs each,
# 170 M instructions of a 10,000-event capture. An adapter registered for None answers first
# (a dictionary lookup and this call). NULL is still bound as NULL.
sqlite3.register_adapter(type(None), _null)


class SqliteStore(SqlStore):
    backend = "sqlite"
    placeholder = "?"

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        if self.path != ":memory:":
            parent = Path(self.path).parent
            if not parent.exists():
                raise StorageError(f"Database folder {parent} does not exist")
        self._local = threading.local()
        self._write_lock = threading.Lock()
        self._checkpointer = Checkpointer(self.path, BUSY_TIMEOUT_MS)
        try:
            self._writer = self._connect(read_only=False)
            self._migrate()
        except sqlite3.Error as exc:
            raise StorageError(f"Cannot open SQLite database {self.path}: {exc}") from exc

    def _connect(self, *, read_only: bool) -> sqlite3.Connection:
        conn = sqlite3.connect(
            self.path, isolation_level=None, check_same_thread=False, timeout=BUSY_TIMEOUT_MS / 1000
        )
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA case_sensitive_like = ON")
        if read_only:
            conn.execute("PRAGMA query_only = ON")
            # Resolution reads random keys: map the file instead of copying pages per read.
            conn.execute(f"PRAGMA mmap_size = {MMAP_BYTES}")
            conn.execute(f"PRAGMA cache_size = -{READ_CACHE_KIB}")
        else:
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = FULL")
            conn.execute(f"PRAGMA cache_size = -{WRITE_CACHE_KIB}")
            if self.path != ":memory:":
                conn.execute("PRAGMA wal_autocheckpoint = 0")  # the Checkpointer's work
        return conn

    def _migrate(self) -> None:
        conn = self._writer
        with self._write_lock:
            conn.execute("BEGIN IMMEDIATE")
            try:
                conn.execute(
                    "CREATE TABLE IF NOT EXISTS schema_migrations ("
                    "version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
                    "applied_at TEXT NOT NULL)"
                )
                done = {r[0] for r in conn.execute("SELECT version FROM schema_migrations")}
                for version, name, sql in migrations("sqlite"):
                    if version in done:
                        continue
                    for statement in sql.split(";"):
                        if statement.strip():
                            conn.execute(statement)
                    conn.execute(
                        "INSERT INTO schema_migrations VALUES (?, ?, ?)",
                        (version, name, datetime.now(UTC).isoformat()),
                    )
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise

    def reader(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._local.conn = self._connect(read_only=True)
        return conn

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        with self._write_lock:
            conn = self._writer
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
        if self.path != ":memory:":
            self._checkpointer.committed()

    def close(self) -> None:
        self._checkpointer.close()
        self._writer.close()
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None
