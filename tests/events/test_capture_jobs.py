"""Capture jobs are held by one worker at a time, and finished once, on both backends."""

import threading

import pytest

from zhizao.errors import JobAlreadyFinished
from zhizao.node import Node
from zhizao.settings import Settings


@pytest.fixture
def store(database_url):
    node = Node(Settings(database_url=database_url))
    yield node.store
    node.close()


def test_racing_workers_claim_a_job_once(store):
    for round_ in range(20):
        capture_id = f"job{round_}"
        store.create_job(capture_id, "2024-01-01T00:00:00Z", "rollback", "{}")
        start = threading.Barrier(4)
        claims = []

        def claim(capture_id=capture_id, start=start, claims=claims):
            start.wait()
            claims.append(store.claim_job(capture_id, 300.0))

        workers = [threading.Thread(target=claim) for _ in range(4)]
        for w in workers:
            w.start()
        for w in workers:
            w.join()
        assert [c for c in claims if c is not None] == [("rollback", "{}")], round_


def test_a_job_is_finished_once(store):
    store.create_job("job", "2024-01-01T00:00:00Z", "rollback", "{}")
    store.save_events([], "job", ("2024-01-01T00:00:01Z", True, []))
    with pytest.raises(JobAlreadyFinished):
        store.save_events([], "job", ("2024-01-01T00:00:02Z", False, ["late"]))
    assert store.claim_job("job", 300.0) is None
