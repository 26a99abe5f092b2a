"""Garbage collection held off while a large capture is parsed and processed.

A 10,000-event document is half a million live objects. CPython starts a collection after
every few hundred new container objects, and the full ones walk everything alive, so while a
job builds its records the collector walks the same document again and again: a fifth of the
capture time, measured. Reference counting still frees every object the moment it is done
with; only reference cycles (which capture does not make) wait for the job to end.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_holders = 0
_was_enabled = False


@contextmanager
def collection_paused() -> Iterator[None]:
    """No automatic collection until the last of the threads holding this leaves it."""
    global _holders, _was_enabled
    with _lock:
        if _holders == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _holders += 1
    try:
        yield
    finally:
        with _lock:
            _holders -= 1
            if _holders == 0 and _was_enabled:
                gc.enable()
