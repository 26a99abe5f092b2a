"""The SQLite store copies its write-ahead log back into the file after commits, not in them."""

import os
import sqlite3
import threading
import time

from zhizao.storage.checkpoint import Checkpointer
from zhizao.storage.sqlite import SqliteStore

ROWS = 8_000  # ~8 MB of signing events: past the 1,000 pages that trigger SQLite's own


def write_a_lot(store: SqliteStore) -> None:
    with store.transaction() as conn:
        conn.executemany(
            "INSERT INTO signing_events (id, year, body) VALUES (?, 2024, ?)",
            [(f"e{i}", "x" * 1000) for i in range(ROWS)],
        )


def test_a_commit_leaves_the_copy_to_the_checkpoint_thread(tmp_path):
    path = tmp_path / "z.db"
    store = SqliteStore(path)
    try:
        before = os.path.getsize(path)
        write_a_lot(store)
        # Committed and durable in the log, not yet copied (the thread waits DELAY_SECONDS):
        # SQLite's own automatic checkpoint would have grown the file inside the COMMIT.
        assert os.path.getsize(path) < before + 100_000
        assert os.path.getsize(f"{path}-wal") > ROWS * 1000
        deadline = time.monotonic() + 30
        while os.path.getsize(path) < before + ROWS * 1000 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert os.path.getsize(path) >= before + ROWS * 1000, "no checkpoint within 30 s"
        # readers see the rows all along, from the log and then from the file
        assert store.reader().execute("SELECT count(*) FROM signing_events").fetchone()[0] == ROWS
    finally:
        store.close()


def test_closing_the_store_leaves_everything_in_the_file(tmp_path):
    path = tmp_path / "z.db"
    store = SqliteStore(path)
    write_a_lot(store)
    store.close()
    assert not os.path.exists(f"{path}-wal")  # the last connection checkpointed and removed it
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT count(*) FROM signing_events").fetchone()[0] == ROWS


def test_a_store_that_never_writes_starts_no_thread(tmp_path):
    store = SqliteStore(tmp_path / "z.db")
    store.reader().execute("SELECT 1").fetchone()
    store.close()
    assert store._checkpointer._thread is None


def test_a_long_log_is_emptied_once_copied(tmp_path):
    path = tmp_path / "z.db"
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA wal_autocheckpoint = 0")
    conn.execute("CREATE TABLE t (x TEXT)")
    checkpointer = Checkpointer(str(path), 10_000, log_limit_pages=10)
    try:
        conn.executemany("INSERT INTO t VALUES (?)", [("x" * 1000,) for _ in range(200)])
        assert os.path.getsize(f"{path}-wal") > 100_000
        checkpointer.committed()
        deadline = time.monotonic() + 30
        while os.path.getsize(f"{path}-wal") > 0 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert os.path.getsize(f"{path}-wal") == 0  # TRUNCATE: a passive one keeps the file
        assert conn.execute("SELECT count(*) FROM t").fetchone() == (200,)
    finally:
        checkpointer.close()
        conn.close()


class _CloseDuringClear(threading.Event):
    """The checkpoint thread's `due` flag, with a close() arriving at the worst moment: after
    the thread's delay ran out and before it clears the flag (a real race, seen once as a
    process that never exited)."""

    def __init__(self, checkpointer: Checkpointer) -> None:
        super().__init__()
        self.checkpointer = checkpointer
        self.closer: threading.Thread | None = None

    def clear(self) -> None:
        if self.closer is None:
            self.closer = threading.Thread(target=self.checkpointer.close, daemon=True)
            self.closer.start()
            deadline = time.monotonic() + 5
            while not (self.checkpointer._closing.is_set() and self.is_set()):
                assert time.monotonic() < deadline, "close() did not start"
                time.sleep(0.001)
        super().clear()


def test_a_close_during_a_checkpoint_round_is_not_lost(tmp_path):
    path = tmp_path / "z.db"
    sqlite3.connect(path).close()
    checkpointer = Checkpointer(str(path), 1000)
    due = checkpointer._due = _CloseDuringClear(checkpointer)
    checkpointer.committed()  # starts the thread; after DELAY_SECONDS, clear() lets close() in
    deadline = time.monotonic() + 10
    while due.closer is None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert due.closer is not None, "the thread never took its round"
    due.closer.join(10)
    assert not due.closer.is_alive(), "close() waits forever for the checkpoint thread"
