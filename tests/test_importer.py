"""Bulk loads through the writer process, on real SQLite files."""

import multiprocessing as mp
import threading
import time

import pytest

from tests.conftest import PREFIX
from zhizao.importer import ImportFailed, import_lines


def csv_lines(n, prefix=PREFIX):
    return ["handle,URL\n"] + [f"{prefix}/k{i:07d},https://example.com/{i}\n" for i in range(n)]


def test_many_batches_through_the_writer_process(node):
    result = import_lines(node, csv_lines(5_000), "csv", batch_size=1_000)
    assert (result.written, result.skipped) == (5_000, 0)
    assert node.store.count_handles(PREFIX) == 5_001  # and the admin handle
    again = import_lines(node, csv_lines(5_000), "csv", batch_size=1_000, overwrite=True)
    assert (again.written, again.skipped) == (5_000, 0)
    assert node.store.search("URL", "https://example.com/4999", None, 0, 5) == [
        f"{PREFIX}/k0004999"
    ]


def test_a_large_import_starts_its_writer_at_once(node):
    result = import_lines(node, csv_lines(100), "csv", batch_size=1_000, large=True)
    assert (result.written, result.skipped) == (100, 0)


def test_rows_of_a_prefix_not_homed_are_refused_before_writing(node):
    with pytest.raises(ImportFailed, match="not homed"):
        import_lines(node, csv_lines(10, prefix="99.9"), "csv")
    assert node.store.count_handles("99.9") == 0


def test_a_dead_writer_is_reported_not_waited_for(node):
    outcome = {}

    def run():
        try:
            import_lines(node, csv_lines(400_000), "csv", batch_size=1_000)
        except ImportFailed as exc:
            outcome["error"] = exc

    worker = threading.Thread(target=run)
    worker.start()
    deadline = time.monotonic() + 30
    while not mp.active_children() and time.monotonic() < deadline:
        time.sleep(0.01)
    for child in mp.active_children():
        child.kill()
    worker.join(timeout=60)
    assert not worker.is_alive()
    assert "ended unexpectedly" in outcome["error"].message
