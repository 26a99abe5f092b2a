"""The PostgreSQL store, for nodes that outgrow one file or run several machines."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import psycopg

from zhizao.errors import StorageError
from zhizao.events.record import EventRecord
from zhizao.identifiers.record import EncodedRow, Term
from zhizao.storage.sql import SqlStore, migrations

# Any fixed number: all zhizao processes migrating one database take turns on it.
log = logging.getLogger("zhizao.storage")

MIGRATION_LOCK = 0x7A68_697A
EVENTS_LOCK = 0x7A68_6576

# autovacuum's own rule (analyze_threshold 50, analyze_scale_factor 0.1), applied by zhizao
# after bulk writes: with autovacuum off or behind, a trace walk planned on an unanalyzed
# 20-million-edge table sorted the whole table, 4 s instead of milliseconds.
STALE_STATISTICS = (
    "SELECT quote_ident(relname) FROM pg_stat_user_tables "
    "WHERE schemaname = current_schema() AND n_mod_since_analyze > 50 + 0.1 * n_live_tup"
)


STATISTICS_CLOSE_WAIT_SECONDS = 60.0


class PostgresStore(SqlStore):
    backend = "postgres"
    placeholder = "%s"
    recursive_walks = True
    statistics_check_seconds = 5.0  # how often captures look for tables to ANALYZE

    def __init__(self, url: str) -> None:
        self.url = url
        self._local = threading.local()
        self._connections: list[psycopg.Connection[Any]] = []
        self._guard = threading.Lock()
        self._statistics_due = 0.0
        self._statistics: threading.Thread | None = None
        try:
            self._migrate()
        except psycopg.Error as exc:
            raise StorageError(f"Cannot open PostgreSQL database: {exc}") from exc

    def _connection(self) -> psycopg.Connection[Any]:
        conn = getattr(self._local, "conn", None)
        if conn is None or conn.closed:
            conn = psycopg.connect(self.url, autocommit=True)
            self._local.conn = conn
            with self._guard:
                self._connections.append(conn)
        return conn

    def _migrate(self) -> None:
        with self.transaction() as conn:
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK,))
            conn.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations ("
                "version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
                "applied_at TIMESTAMPTZ NOT NULL DEFAULT now())"
            )
            done = {r[0] for r in conn.execute("SELECT version FROM schema_migrations")}
            for version, name, sql in migrations("postgres"):
                if version not in done:
                    conn.execute(sql)
                    conn.execute(
                        "INSERT INTO schema_migrations (version, name) VALUES (%s, %s)",
                        (version, name),
                    )

    def reader(self) -> psycopg.Connection[Any]:
        return self._connection()

    @contextmanager
    def transaction(self) -> Iterator[psycopg.Connection[Any]]:
        conn = self._connection()
        with conn.transaction():
            yield conn

    def put_rows(
        self,
        handle_rows: Sequence[EncodedRow],
        term_rows: Sequence[Term],
        *,
        overwrite: bool,
    ) -> tuple[int, int]:
        """New rows go in through COPY, several times faster than row-by-row INSERTs.

        Replacing rows needs the replaced versions' search terms, so overwrites take the
        shared path.
        """
        if overwrite:
            return super().put_rows(handle_rows, term_rows, overwrite=True)
        with self.transaction() as conn, conn.cursor() as cur:
            cur.execute(
                "CREATE TEMP TABLE IF NOT EXISTS staged_handles "
                "(LIKE handles INCLUDING DEFAULTS) ON COMMIT DELETE ROWS"
            )
            cur.execute(
                "CREATE TEMP TABLE IF NOT EXISTS staged_terms "
                "(LIKE handle_search INCLUDING DEFAULTS) ON COMMIT DELETE ROWS"
            )
            with cur.copy("COPY staged_handles (key, handle, vals, public) FROM STDIN") as copy:
                for row in handle_rows:
                    copy.write_row(row)
            with cur.copy("COPY staged_terms (type, value, key) FROM STDIN") as copy:
                for term in term_rows:
                    copy.write_row(term)
            # Only handles that were absent are written, and only their search terms.
            cur.execute(
                "WITH added AS (INSERT INTO handles SELECT * FROM staged_handles "
                "ON CONFLICT (key) DO NOTHING RETURNING key), "
                "terms AS (INSERT INTO handle_search SELECT t.* FROM staged_terms t "
                "JOIN added USING (key) ON CONFLICT DO NOTHING) "
                "SELECT count(*) FROM added"
            )
            counted = cur.fetchone()
            written = int(counted[0]) if counted else 0
        return written, len(handle_rows) - written

    def save_events(
        self,
        records: Sequence[EventRecord],
        capture_id: str | None = None,
        job: tuple[str, bool, list[Any]] | None = None,
    ) -> list[int]:
        seqs = super().save_events(records, capture_id, job)
        now = time.monotonic()
        if now >= self._statistics_due:  # off the capture's path: ANALYZE can take seconds
            self._statistics_due = now + self.statistics_check_seconds
            self._statistics = threading.Thread(target=self._keep_statistics_quietly, daemon=True)
            self._statistics.start()
        return seqs

    def keep_statistics(self) -> list[str]:
        """ANALYZE the tables whose planner statistics lag their rows; the tables done."""
        # A connection of its own: the caller is a short-lived thread.
        with psycopg.connect(self.url, autocommit=True) as conn:
            stale = [r[0] for r in conn.execute(STALE_STATISTICS)]
            if stale:
                conn.execute("ANALYZE " + ", ".join(stale))
        return stale

    def _keep_statistics_quietly(self) -> None:
        try:
            self.keep_statistics()
        except psycopg.Error:  # closed under us (shutdown), or busy: the next capture retries
            log.warning("could not refresh planner statistics", exc_info=True)

    def lock_events(self, conn: Any) -> None:
        # Event seqs are allocated as max(seq)+1: one capturing transaction at a time.
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (EVENTS_LOCK,))

    def lock_key(self, conn: Any, key: str) -> None:
        # Two creators of one new handle must not both see "absent": lock its name.
        conn.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", (key,))

    def close(self) -> None:
        # An ANALYZE still running would outlive the store (and race whoever drops its tables).
        if self._statistics is not None:
            self._statistics.join(STATISTICS_CLOSE_WAIT_SECONDS)
        with self._guard:
            for conn in self._connections:
                conn.close()
            self._connections.clear()
        self._local = threading.local()
