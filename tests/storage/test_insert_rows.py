"""Rows inserted several to a statement arrive whole, in order, with NULLs kept."""

import sqlite3

import pytest

from zhizao.storage.batch import ROWS_PER_INSERT, insert_rows

SQL = "INSERT INTO t (a, b, c) VALUES (?, ?, ?)"


@pytest.mark.parametrize(
    "count", [0, 1, ROWS_PER_INSERT - 1, ROWS_PER_INSERT, 2 * ROWS_PER_INSERT + 7]
)
def test_every_row_arrives_in_order(count):
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE t (a INTEGER, b TEXT, c REAL)")
    rows = [(i, f"r{i}" if i % 3 else None, i / 2) for i in range(count)]
    insert_rows(conn, SQL, rows)
    assert conn.execute("SELECT a, b, c FROM t ORDER BY rowid").fetchall() == rows


def test_a_low_variable_limit_makes_smaller_statements():
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE t (a INTEGER, b TEXT, c REAL)")
    conn.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 10)  # three rows of three
    rows = [(i, "x", 0.5) for i in range(20)]
    insert_rows(conn, SQL, rows)
    assert conn.execute("SELECT count(*), sum(a) FROM t").fetchone() == (20, sum(range(20)))


def test_a_failing_row_fails_and_the_transaction_keeps_nothing():
    conn = sqlite3.connect(":memory:", isolation_level=None)
    conn.execute("CREATE TABLE t (a INTEGER UNIQUE, b TEXT, c REAL)")
    conn.execute("BEGIN")
    with pytest.raises(sqlite3.IntegrityError, match="UNIQUE"):
        insert_rows(conn, SQL, [(i, "x", 0.0) for i in range(600)] + [(1, "again", 0.0)])
    conn.execute("ROLLBACK")
    assert conn.execute("SELECT count(*) FROM t").fetchone() == (0,)
