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


def test_a_failing_row_fails_the_statement():
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE t (a INTEGER UNIQUE, b TEXT, c REAL)")
    with pytest.raises(sqlite3.IntegrityError):
        insert_rows(conn, SQL, [(1, "x", 0.0), (2, "y", 0.0), (1, "z", 0.0)])
