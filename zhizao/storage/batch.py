"""Set-at-a-time SQL on either backend: many rows in, many keys looked up."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from typing import Any

CHUNK = 900  # below SQLite's older 999-variable limit


def many(conn: Any, sql: str, rows: Sequence[Sequence[Any]]) -> None:
    """executemany on either backend's connection (psycopg's has it on cursors only)."""
    if not rows:
        return
    if hasattr(conn, "executemany"):
        conn.executemany(sql, rows)
    else:
        with conn.cursor() as cur:
            cur.executemany(sql, rows)


ROWS_PER_INSERT = 500


def insert_rows(conn: Any, sql: str, rows: Sequence[Sequence[Any]]) -> None:
    """`many` for a plain `INSERT INTO … VALUES (?, …)`, inside a transaction the caller
    rolls back whole on any error (as every write here is).

    On SQLite, 500 rows go in one statement (`VALUES (…), (…), …`): one statement start, one
    cursor per index and one finish for them all, where a statement a row spent more on those
    than on the rows. The statement is `OR FAIL`: a bad row stops it with the same error but
    leaves its earlier rows to the caller's rollback, so SQLite keeps no statement journal
    (a copy of every page the statement touches, to undo it alone), which made the
    genealogy's random-order index inserts slower in bulk than one by one. The genealogy
    capture's inserts take a third less time than with a statement a row, the light mix's an
    eighth less. psycopg pipelines executemany already.
    """
    if not rows:
        return
    if not hasattr(conn, "getlimit"):  # not sqlite3
        many(conn, sql, rows)
        return
    head, _, group = sql.rpartition(" VALUES ")
    assert head.startswith("INSERT INTO "), sql
    head = "INSERT OR FAIL INTO " + head.removeprefix("INSERT INTO ")
    limit = conn.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    size = max(1, min(ROWS_PER_INSERT, limit // len(rows[0])))
    whole = len(rows) - len(rows) % size
    if whole:
        conn.executemany(
            f"{head} VALUES {','.join([group] * size)}",
            [[v for row in rows[i : i + size] for v in row] for i in range(0, whole, size)],
        )
    if whole < len(rows):
        conn.executemany(f"{head} VALUES {group}", rows[whole:])


def select_in(
    conn: Any, placeholder: str, sql: str, values: Sequence[Any], *after: Any
) -> Iterator[Any]:
    """Rows of `sql` whose `{marks}` is filled with `values`, a chunk at a time.

    Placeholders after `{marks}` take `after`, repeated for every chunk. On PostgreSQL the
    keys go as one array (`= ANY(%s)`): one statement, planned once, whatever their number.
    """
    if not values:
        return
    if placeholder == "%s":
        yield from conn.execute(_as_array(sql), [list(values), *after])
        return
    for i in range(0, len(values), CHUNK):
        chunk = list(values[i : i + CHUNK])
        marks = ",".join([placeholder] * len(chunk))
        yield from conn.execute(sql.format(marks=marks), [*chunk, *after])


def execute_in(conn: Any, placeholder: str, sql: str, values: Sequence[Any], *after: Any) -> None:
    """`select_in` for statements without results (DELETE, UPDATE)."""
    if not values:
        return
    if placeholder == "%s":
        conn.execute(_as_array(sql), [list(values), *after])
        return
    for i in range(0, len(values), CHUNK):
        chunk = list(values[i : i + CHUNK])
        conn.execute(sql.format(marks=",".join([placeholder] * len(chunk))), [*chunk, *after])


def _as_array(sql: str) -> str:
    assert " IN ({marks})" in sql, sql
    return sql.replace(" IN ({marks})", " = ANY(%s)")
