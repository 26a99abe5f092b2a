"""A federation on loopback: separate `zhizao serve` processes, each with its own database.

top-level (homes 88) → secondary A (88.118, on PostgreSQL where the machine has one) →
enterprise 1 (88.118.8160); top-level → secondary B (88.200) → enterprise 2 (88.200.1);
and a recursive resolver that starts at the top-level node.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time

import pytest
import requests

from tests.conftest import free_port, wait_for_port, zhizao_cmd
from zhizao.federation.delegation import delegate
from zhizao.identifiers.handle import parse_handle
from zhizao.identifiers.values import Data, HandleValue
from zhizao.node import Node
from zhizao.provision import create_prefix
from zhizao.settings import Settings

SECRET = "fed-secret"


class FedNode:
    def __init__(self, name: str, db: str, role: str, prefix: str | None) -> None:
        self.name, self.db, self.role, self.prefix = name, db, role, prefix
        self.port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def admin(self) -> str:
        return f"300:{self.prefix}/ADMIN"

    def setup(self, children: list[FedNode], handles: dict[str, int]) -> None:
        """Home the prefix, delegate to the children, register handles (suffix → TTL)."""
        node = Node(Settings(database_url=self.db, role=self.role))
        try:
            if self.prefix:
                create_prefix(node, self.prefix, self.admin, SECRET, server_admin=True)
                identity = node.registry.authenticate(self.admin, SECRET)
                for child in children:
                    assert child.prefix is not None
                    delegate(node, child.prefix, child.url, identity)
                for suffix, ttl in handles.items():
                    node.registry.create(
                        parse_handle(f"{self.prefix}/{suffix}"),
                        [
                            HandleValue(
                                1, "URL", Data("string", f"https://{self.name}/{suffix}"), ttl=ttl
                            )
                        ],  # fmt: skip
                        identity,
                        overwrite=False,
                    )
        finally:
            node.close()

    def start(self, root: FedNode | None) -> None:
        args = ["-d", self.db, "serve", "--port", str(self.port), "--role", self.role]
        if root is not None:
            args += ["--root", root.url]
        self.proc = subprocess.Popen(
            zhizao_cmd(*args),
            env={
                **os.environ,
                "ZHIZAO_HOMED_CACHE_SECONDS": "0",
                "ZHIZAO_COUNTS_FLUSH_SECONDS": "0.2",
                "ZHIZAO_COLLECT_SECONDS": "0.5",
            },
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        wait_for_port(self.port, self.proc)

    def kill(self) -> None:
        assert self.proc is not None
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                # granian can wait on other nodes' idle keep-alive connections; this is the
                # test's teardown, not a check of shutdown (test_serve.py checks that)
                self.kill()


@pytest.fixture
def federation(tmp_path, request):
    try:
        pg = request.getfixturevalue("postgres_url")
    except pytest.skip.Exception:
        pg = f"sqlite:///{tmp_path / 'sec-a.db'}"  # no PostgreSQL here: the skip reason is shown
    top = FedNode("top", f"sqlite:///{tmp_path / 'top.db'}", "top-level", "88")
    sec_a = FedNode("sec-a", pg, "secondary", "88.118")
    sec_b = FedNode("sec-b", f"sqlite:///{tmp_path / 'sec-b.db'}", "secondary", "88.200")
    ent_1 = FedNode("ent-1", f"sqlite:///{tmp_path / 'ent-1.db'}", "enterprise", "88.118.8160")
    ent_2 = FedNode("ent-2", f"sqlite:///{tmp_path / 'ent-2.db'}", "enterprise", "88.200.1")
    resolver = FedNode("resolver", f"sqlite:///{tmp_path / 'resolver.db'}", "recursive", None)
    top.setup([sec_a, sec_b], {})
    sec_a.setup([ent_1], {"DOC-1": 86400, "DOC-SHORT": 1, "DOC-LATER": 86400})
    sec_b.setup([ent_2], {})
    ent_1.setup([], {"CELL-1": 86400, "CELL-LATER": 86400})
    ent_2.setup([], {"PACK-9": 86400})
    resolver.setup([], {})
    nodes = [top, sec_a, sec_b, ent_1, ent_2, resolver]
    try:
        for n in nodes:
            n.start(None if n is top else top)
        yield {n.name: n for n in nodes}
    finally:
        for n in reversed(nodes):  # clients (the resolver) first, the top-level node last
            n.stop()


def get(node: FedNode, handle: str, **params: str) -> requests.Response:
    return requests.get(f"{node.url}/api/handles/{handle}", params=params, timeout=10)


def test_names_resolve_through_the_resolver_and_through_any_node(federation):
    for name in ("resolver", "top", "sec-a", "sec-b", "ent-1", "ent-2"):
        for handle, where in (("88.118.8160/CELL-1", "ent-1"), ("88.200.1/PACK-9", "ent-2")):
            r = get(federation[name], handle)
            assert r.status_code == 200, (name, handle, r.text)
            assert (
                r.json()["values"][0]["data"]["value"] == f"https://{where}/{handle.split('/')[1]}"
            )


def test_referrals_and_not_here_without_recursion(federation):
    top = federation["top"]
    r = get(top, "88.118.8160/CELL-1", recursive="false")
    assert r.status_code == 300
    body = r.json()
    assert body["responseCode"] == 303 and body["referralHandle"] == "0.NA/88.118"
    site = body["values"][0]
    assert site["type"] == "HS_SITE.PREFIX"
    assert site["data"]["value"]["servers"][0]["interfaces"][0]["port"] == federation["sec-a"].port
    # the prefix handle of a secondary node's own prefix: its HS_SITE
    r = get(top, "0.NA/88.118", recursive="false")
    assert r.status_code == 200 and {v["type"] for v in r.json()["values"]} >= {"HS_SITE"}
    # nobody delegated 99: the top-level node knows nothing of it
    r = get(top, "99.1/x", recursive="false")
    assert r.status_code == 400 and r.json()["responseCode"] == 301
    # and the resolver says the same after asking
    r = get(federation["resolver"], "99.1/x")
    assert r.json()["responseCode"] == 301


def test_pyhandle_reads_through_the_resolver(federation):
    from pyhandle.handleclient import PyHandleClient

    client = PyHandleClient("rest").instantiate_for_read_access(
        handle_server_url=federation["resolver"].url
    )
    record = client.retrieve_handle_record("88.200.1/PACK-9")
    assert record["URL"] == "https://ent-2/PACK-9"
    assert client.retrieve_handle_record_json("88.118.8160/no-such-cell") is None


def test_a_dead_secondary_fails_its_names_cleanly_and_comes_back(federation):
    resolver, sec_a = federation["resolver"], federation["sec-a"]
    assert get(resolver, "88.118/DOC-1").status_code == 200
    assert get(resolver, "88.118/DOC-SHORT").status_code == 200  # TTL 1 s
    assert get(resolver, "88.118.8160/CELL-1").status_code == 200
    sec_a.kill()
    time.sleep(1.2)
    # still cached and fresh
    assert get(resolver, "88.118/DOC-1").status_code == 200
    # expired: served stale, and said so
    r = get(resolver, "88.118/DOC-SHORT")
    assert r.status_code == 200 and r.json()["stale"] is True
    assert "Stale" in r.headers["Warning"]
    # never seen: the learnt site is down, the walk from the top ends there too: a clean 503
    r = get(resolver, "88.118/DOC-LATER")
    assert r.status_code == 503 and r.json()["responseCode"] == 3
    assert "88.118/DOC-LATER" in r.json()["message"]
    # auth=true bypasses the fresh cache; with the node down, the stale copy is what is left
    assert get(resolver, "88.118/DOC-1", auth="true").json()["stale"] is True
    # the enterprise below it was learnt from a referral: it is asked directly and answers,
    # as a DNS resolver keeps reaching a zone whose parent is down
    r = get(resolver, "88.118.8160/CELL-LATER")
    assert r.status_code == 200 and "stale" not in r.json()
    # the rest of the federation keeps answering
    assert get(resolver, "88.200.1/PACK-9").status_code == 200
    sec_a.start(federation["top"])
    r = get(resolver, "88.118/DOC-LATER")
    assert r.status_code == 200 and "stale" not in r.json()


def test_resolution_counts_roll_up_to_the_top_level_node(federation):
    for _ in range(3):
        assert get(federation["ent-1"], "88.118.8160/CELL-1").status_code == 200
    for _ in range(2):
        assert get(federation["ent-2"], "88.200.1/PACK-9").status_code == 200
    month = time.strftime("%Y-%m", time.gmtime())
    deadline = time.monotonic() + 20
    # flushed every 0.2 s, collected every 0.5 s, at each level: the two resolutions of one
    # node may arrive in different rounds, so wait for the whole count
    while True:
        r = requests.get(f"{federation['top'].url}/v1/federation/volume?by=child", timeout=10)
        children = r.json()["children"]
        counts = [children.get(child, {}).get(month) for child in ("88.118", "88.200")]
        if counts == [3, 2]:
            break
        assert time.monotonic() < deadline, r.text
        time.sleep(0.2)
    assert r.json()["total"][month] >= 5
    # the operator's view, collected on demand by the CLI from the live secondary nodes
    out = subprocess.run(
        zhizao_cmd("-d", federation["top"].db, "stats", "federation", "--collect"),
        capture_output=True, text=True, check=True,
    ).stdout.splitlines()  # fmt: skip
    assert out[0].split() == ["month", "88.118", "88.200", "total", "YoY"]
    assert out[-1].split() == [month, "3", "2", "5"]
    # the secondary node's own view: its enterprise's counts, under the enterprise's prefix
    counts = requests.get(f"{federation['sec-a'].url}/v1/federation/volume", timeout=10).json()
    assert {row[0] for row in counts["counts"]} == {"88.118.8160"}
