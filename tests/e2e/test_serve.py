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
