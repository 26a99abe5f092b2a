"""One contract, both backends: every test here runs on SQLite and on PostgreSQL."""

import sqlite3
import threading

import psycopg
import pytest

from zhizao.identifiers.bulk import default_owner
from zhizao.identifiers.handle import parse_handle
from zhizao.identifiers.record import EncodedBatch, HandleRecord, encode
from zhizao.identifiers.sessions import Session
from zhizao.identifiers.values import Data, HandleValue, Permissions
from zhizao.storage import open_store
from zhizao.storage.sql import migrations


@pytest.fixture
def store(database_url):
    s = open_store(database_url)
    yield s
    s.close()


def rec(text, url="https://example.com/a", public=True):
    h = parse_handle(text)
    perms = Permissions() if public else Permissions(True, True, False, False)
    return HandleRecord(
        h,
        (
            HandleValue(
                1, "URL", Data("string", url), permissions=perms, timestamp="2024-01-01T00:00:00Z"
            ),
            default_owner(h.prefix),
        ),
    )


def created_tables(sql):
    import re

    return re.findall(r"CREATE TABLE (\w+)", sql)


def test_migrations_are_versioned_idempotent_and_upgrade(database_url, store):
    latest = migrations(store.backend)[-1][0]
    assert latest >= 2 and store.schema_version() == latest
    # A database left at version 1 is brought up to date when opened.
    later = [t for v, _, sql in migrations(store.backend) if v > 1 for t in created_tables(sql)]
    with store.transaction() as conn:
        for table in later:
            conn.execute(f"DROP TABLE {table}")
        conn.execute("DELETE FROM schema_migrations WHERE version > 1")
    again = open_store(database_url)
    assert again.schema_version() == latest
    again.put_session(Session("s1", "bm9uY2U=", None, 2**40))
    assert again.get_session("s1", 0) == Session("s1", "bm9uY2U=", None, 2**40)
    again.close()


def test_a_job_accepted_before_the_documents_moved_out_of_the_job_row_still_runs(
    database_url, store
):
    # Migration 8 moved capture documents into their own table: a job acknowledged by an
    # older version keeps its document and can still be claimed and finished.
    with store.transaction() as conn:
        conn.execute("DROP TABLE epcis_capture_documents")
        conn.execute("ALTER TABLE epcis_capture_jobs ADD COLUMN document TEXT")
        conn.execute("ALTER TABLE epcis_capture_jobs DROP COLUMN claimed_by")
        conn.execute(
            "INSERT INTO epcis_capture_jobs (capture_id, created_at, running, success, "
            "behaviour, document) VALUES ('old', '2024-01-01T00:00:00Z', 1, 1, 'rollback', "
            '\'{"type": "EPCISDocument"}\')'
        )
        conn.execute("DELETE FROM schema_migrations WHERE version >= 8")
    again = open_store(database_url)
    assert again.claim_job("old", 60) == ("rollback", '{"type": "EPCISDocument"}')
    again.save_events([], "old", ("2024-01-01T00:00:01Z", True, []))
    assert again.job("old")["running"] is False
    remaining = again.reader().execute("SELECT count(*) FROM epcis_capture_documents")
    assert remaining.fetchone()[0] == 0
    again.close()


def test_sessions_expire_and_close(store):
    store.put_session(Session("a", "bg==", None, 100))
    assert store.get_session("a", 100) is not None
    assert store.get_session("a", 101) is None
    store.put_session(Session("a", "bg==", "300:88.1/x", 200))
    assert store.get_session("a", 150).identity == "300:88.1/x"
    assert store.delete_session("a") and store.get_session("a", 0) is None


def test_put_get_delete_roundtrip(store):
    r = rec("88.1/电池-A")
    with store.write() as tx:
        assert tx.get(r.handle.key) is None
        tx.put(r)
    got = store.get(r.handle.key)
    assert got == r
    assert store.public_json(r.handle.key)[1] == encode(r).rows[0][2]
    hidden = rec("88.1/h", public=False)
    with store.write() as tx:
        tx.put(hidden)
    assert '"URL"' not in store.public_json("88.1/h")[1]
    assert '"URL"' in encode(store.get("88.1/h")).rows[0][2]
    assert store.public_json(r.handle.key)[0] == "88.1/电池-A"
    with store.write() as tx:
        tx.put(rec("88.1/电池-A", "https://b"))
    assert store.search("URL", "*", None, 0, 10) == ["88.1/电池-A"]
    assert store.search("URL", "https://b", None, 0, 10) == ["88.1/电池-A"]
    with store.write() as tx:
        assert tx.delete(r.handle.key)
        assert not tx.delete(r.handle.key)
    assert store.get(r.handle.key) is None
    assert store.search("URL", "*", None, 0, 10) == []


def test_a_failed_transaction_writes_nothing(store):
    with pytest.raises(RuntimeError):
        with store.write() as tx:
            tx.put(rec("88.1/a"))
            raise RuntimeError("boom")
    assert store.get("88.1/a") is None


def test_put_many_is_atomic_and_skips_present(store):
    assert store.put_many(encode(rec("88.1/a"), rec("88.1/b")), overwrite=False) == (
        2,
        0,
    )
    assert store.put_many(encode(rec("88.1/b", "https://x"), rec("88.1/c")), overwrite=False) == (
        1,
        1,
    )
    assert store.get("88.1/b").values[0].data.value == "https://example.com/a"
    assert store.search("URL", "https://x", None, 0, 10) == []
    assert store.put_many(encode(rec("88.1/b", "https://x")), overwrite=True) == (1, 0)
    assert store.get("88.1/b").values[0].data.value == "https://x"
    # The replaced version's search term is gone, the new one is there.
    assert store.search("URL", "https://x", None, 0, 10) == ["88.1/b"]
    assert store.search("URL", "*", None, 0, 10) == ["88.1/a", "88.1/b", "88.1/c"]
    assert store.count_handles("88.1") == 3
    with pytest.raises((sqlite3.IntegrityError, psycopg.IntegrityError)):
        store.put_many(
            EncodedBatch([encode(rec("88.1/d")).rows[0], ("88.1/e", None, None, None)]),
            overwrite=False,
        )
    assert store.get("88.1/d") is None  # the failed batch left nothing


def test_listing_in_key_order_with_pages(store):
    store.put_many(
        encode(
            *[rec(f"88.1/h{i:02}") for i in range(25)],
            rec("88.2/z"),
            rec("88.1.5/y"),
            rec("0.NA/88.1"),
        ),
        overwrite=False,
    )
    assert store.count_handles("88.1") == 25
    assert store.list_handles("88.1", 10, 5) == [f"88.1/h{i:02}" for i in range(10, 15)]
    assert len(store.list_handles("88.1", 0, None)) == 25


def test_search_with_wildcards_only_public_values(store):
    store.put_many(
        encode(
            rec("88.1/a", "https://example.com/p1"),
            rec("88.1/b", "https://example.com/p2"),
            rec("88.1/c", "https://example.com/p_3"),
            rec("88.1/d", "https://example.com/hidden", public=False),
        ),
        overwrite=False,
    )
    assert store.search("URL", "https://example.com/p1", None, 0, 10) == ["88.1/a"]
    assert store.search("URL", "https://example.com/*", None, 0, 10) == [
        "88.1/a",
        "88.1/b",
        "88.1/c",
    ]
    assert store.search("URL", "https://example.com/p_*", None, 0, 10) == ["88.1/c"]  # _ literal
    assert store.search("URL", "*P1", None, 0, 10) == []  # case-sensitive
    assert store.search("URL", "*", "88.1", 1, 1) == ["88.1/b"]


def test_prefix_homing_and_server_admins(store):
    assert store.home("88.1") and not store.home("88.1")
    store.home("88.2")
    assert store.homed_prefixes() == ["88.1", "88.2"]
    assert store.unhome("88.1") and store.homed_prefixes() == ["88.2"]
    store.add_server_admin("300:88.2/ADMIN")
    store.add_server_admin("300:88.2/ADMIN")
    assert store.server_admins() == ["300:88.2/ADMIN"]


def test_resolution_counts_add_up(store):
    store.add_resolution_counts({("88.1", "2026-01-01"): 3, ("88.2", "2026-01-01"): 1})
    store.add_resolution_counts({("88.1", "2026-01-01"): 2, ("88.1", "2026-01-02"): 7})
    assert list(store.resolution_counts(None)) == [
        ("88.1", "2026-01-01", 5),
        ("88.1", "2026-01-02", 7),
        ("88.2", "2026-01-01", 1),
    ]
    assert list(store.resolution_counts("88.2")) == [("88.2", "2026-01-01", 1)]


def test_concurrent_writers_do_not_lose_updates(database_url):
    """Two connections adding values to one handle: both values survive."""
    from tests.conftest import ADMIN, PREFIX, SECRET
    from zhizao.identifiers.admin import parse_identity
    from zhizao.node import Node
    from zhizao.provision import create_prefix
    from zhizao.settings import Settings

    nodes = [Node(Settings(database_url=database_url, homed_cache_seconds=0)) for _ in range(2)]
    create_prefix(nodes[0], PREFIX, ADMIN, SECRET)
    h = parse_handle(f"{PREFIX}/shared")
    me = parse_identity(ADMIN)
    nodes[0].registry.create(h, [default_owner(PREFIX)], me, overwrite=False)
    errors = []

    def add(n, start):
        try:
            for i in range(start, start + 10):
                n.registry.add_values(
                    h, [HandleValue(i, "T", Data("string", str(i)))], me, overwrite=False
                )
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=add, args=(n, 1 + 10 * k)) for k, n in enumerate(nodes)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len(nodes[1].store.get(h.key).values) == 21
    for n in nodes:
        n.close()
