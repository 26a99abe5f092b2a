"""The collector is held off while any thread is inside a capture, and only then."""

from __future__ import annotations

import gc
import threading

from zhizao.gc_pause import collection_paused


def test_paused_inside_and_restored_after() -> None:
    assert gc.isenabled()
    with collection_paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_restored_after_an_error() -> None:
    try:
        with collection_paused():
            raise RuntimeError("job failed")
    except RuntimeError:
        pass
    assert gc.isenabled()


def test_stays_paused_until_the_last_thread_leaves() -> None:
    entered, release = threading.Event(), threading.Event()

    def other_job() -> None:
        with collection_paused():
            entered.set()
            release.wait(5)

    thread = threading.Thread(target=other_job)
    with collection_paused():
        thread.start()
        assert entered.wait(5)
    assert not gc.isenabled()  # the other job still runs
    release.set()
    thread.join(5)
    assert gc.isenabled()


def test_leaves_a_disabled_collector_disabled() -> None:
    gc.disable()
    try:
        with collection_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
