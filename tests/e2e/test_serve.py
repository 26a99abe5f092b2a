"""`zhizao serve` as a real process: workers, counters flushed on SIGTERM."""

import subprocess

import requests

from tests.conftest import PREFIX, Server, zhizao_cmd


def test_sigterm_flushes_resolution_counts(tmp_path):
    server = Server(
        tmp_path, tls=False, extra=("--workers", "2"), env={"ZHIZAO_COUNTS_FLUSH_SECONDS": "3600"}
    )
    server.setup()
    server.start()
    for _ in range(25):
        assert (
            requests.get(f"{server.url}/api/handles/{PREFIX}/ADMIN", timeout=10).status_code == 200
        )
    server.stop()
    out = subprocess.run(
        zhizao_cmd("-d", server.db, "stats", "resolutions", "--by", "month"),
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert PREFIX in out
    assert out.strip().splitlines()[-1].split()[-1] == "25"


def test_acknowledged_writes_survive_a_kill(tmp_path):
    """SIGKILL right after the replies: every acknowledged write is there after a restart."""
    import base64
    import time

    import pytest

    from tests.conftest import ADMIN, SECRET

    server = Server(tmp_path, tls=False, extra=("--insecure-loopback-auth",))
    server.setup()
    server.start()
    auth = base64.b64encode(f"{ADMIN}:{SECRET}".encode()).decode()
    session = requests.Session()
    session.headers["Authorization"] = f"Basic {auth}"
    for i in range(20):
        r = session.put(
            f"{server.url}/api/handles/{PREFIX}/crash-{i}",
            json=[{"index": 1, "type": "URL", "data": f"https://example.com/{i}"}],
            timeout=10,
        )
        assert r.status_code == 200, r.text
    server.kill()
    time.sleep(0.2)
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{server.url}/api/site", timeout=2)  # nothing left answering
    server.start()
    try:
        for i in range(20):
            r = requests.get(f"{server.url}/api/handles/{PREFIX}/crash-{i}", timeout=10)
            assert r.json()["values"][0]["data"]["value"] == f"https://example.com/{i}"
    finally:
        server.stop()
