"""WAL checkpoints off the write path.

SQLite's automatic checkpoint runs inside the COMMIT that takes the write-ahead log past 1,000
pages: that commit then also copies the log back into the database file and syncs it (half
the commit time of a 10,000-event capture). The log is durable before that copy, so the copy
need not hold up the writer: here a thread of its own, with a connection of its own, does it
a moment after writes, while the writer goes on. A PASSIVE checkpoint takes no lock a writer
or reader waits for; one that finds readers in the way copies what it can and the next one
the rest, as the automatic one would.

The log starts over only when a write begins after a complete checkpoint, which back-to-back
captures never leave room for: there the log grew to 181 MB over twelve 10,000-event
captures. So when it holds more than LOG_LIMIT_PAGES, the thread follows with a TRUNCATE
checkpoint: it waits for the current write to end, holds the next one while it finishes the
(mostly done) copy, and empties the log. The log then stays within a few transactions: up to
0.5 GB while 100,000 vehicles' genealogy went in as back-to-back 20,000-event documents.
"""

from __future__ import annotations

import os
import sqlite3
import threading

# How long a checkpoint follows a commit: the commits of a burst share one checkpoint (and its
# sync of the database file), and the log grows by at most what is written meanwhile.
DELAY_SECONDS = 0.5
LOG_LIMIT_PAGES = 8_192  # 32 MiB of 4 KiB pages: about as much as the automatic checkpoint left


class Checkpointer:
    def __init__(
        self, path: str, busy_timeout_ms: int, log_limit_pages: int = LOG_LIMIT_PAGES
    ) -> None:
        self.path = path
        self.busy_timeout_ms = busy_timeout_ms
        self.log_limit_pages = log_limit_pages
        self._due = threading.Event()
        self._closing = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._pid = 0  # the process whose thread runs (a forked child starts its own)

    def committed(self) -> None:
        """A write transaction committed: checkpoint soon."""
        if self._pid != os.getpid():
            with self._lock:
                if self._pid != os.getpid() and not self._closing.is_set():
                    self._thread = threading.Thread(
                        target=self._run, name="zhizao-wal-checkpoint", daemon=True
                    )
                    self._thread.start()
                    self._pid = os.getpid()
        self._due.set()

    def _run(self) -> None:
        conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        try:
            conn.execute(f"PRAGMA busy_timeout = {self.busy_timeout_ms}")
            conn.execute("PRAGMA synchronous = FULL")
            # `closing` is checked on every round, not only in the delay: a close() that lands
            # between the delay's end and the clear below has its wake-up cleared with the
            # commits', and the thread would wait for `due` for ever while close() joins it.
            while not self._closing.is_set():
                self._due.wait()
                if self._closing.wait(DELAY_SECONDS):  # the rest of a burst comes in meanwhile
                    return
                self._due.clear()
                try:
                    _, log_pages, _ = conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
                    if log_pages > self.log_limit_pages:
                        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
                except sqlite3.Error:
                    pass  # e.g. another process checkpointing: the next commit tries again
        finally:
            conn.close()

    def close(self) -> None:
        """Stop the thread; the last connection's close checkpoints what is left."""
        with self._lock:
            self._closing.set()
            running = self._pid == os.getpid()
        self._due.set()
        if running and self._thread is not None:
            self._thread.join()
