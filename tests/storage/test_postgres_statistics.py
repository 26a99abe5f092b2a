"""PostgreSQL: planner statistics kept up after captures, whether or not autovacuum runs."""

import time

import psycopg

from zhizao.node import Node
from zhizao.settings import Settings


def packing(n: int) -> list[dict]:
    return [
        {"type": "AggregationEvent", "action": "ADD", "eventTime": "2024-01-01T00:00:00Z",
         "eventTimeZoneOffset": "+08:00", "parentID": f"hdl:88.118.8160/PACK-{p}",
         "childEPCs": [f"hdl:88.118.8160/CELL-{p}-{c}" for c in range(96)]}
        for p in range(n)
    ]  # fmt: skip


def analyzed(conn: psycopg.Connection, table: str) -> bool:
    row = conn.execute(
        "SELECT last_analyze IS NOT NULL OR last_autoanalyze IS NOT NULL "
        "FROM pg_stat_user_tables WHERE schemaname = current_schema() AND relname = %s",
        (table,),
    ).fetchone()
    return bool(row and row[0])


def test_captures_analyze_the_tables_they_filled(postgres_url):
    node = Node(Settings(database_url=postgres_url))
    node.store.statistics_check_seconds = 0.0  # check after every capture, not every 5 s
    try:
        node.events.capture_events(packing(5))  # 480 edges
        deadline, more = time.monotonic() + 20, 0
        with psycopg.connect(postgres_url, autocommit=True) as conn:
            # the server counts a transaction's rows within about a second, so it may take a
            # later capture to find the statistics behind and analyze in the background
            while not analyzed(conn, "trace_edges"):
                assert time.monotonic() < deadline, "trace_edges was never analyzed"
                time.sleep(0.5)
                more += 1
                node.events.capture_events(
                    [{**packing(1)[0], "parentID": f"hdl:88.118.8160/MORE-{more}"}]
                )
            assert analyzed(conn, "trace_nodes")
    finally:
        node.close()


def test_close_waits_for_a_running_analyze(postgres_url):
    node = Node(Settings(database_url=postgres_url))
    node.events.capture_events(packing(2))  # the first capture always starts a check
    checking = node.store._statistics
    assert checking is not None
    node.close()
    assert not checking.is_alive()
