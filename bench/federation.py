"""Federation benchmark: a recursive resolver against the authoritative node, on loopback.

Four `zhizao serve` processes, each on its own SQLite file: a top-level node (homes 88), a
secondary node (88.118 and COLD more secondary prefixes), an enterprise node (88.118.8160 with
HANDLES handles, and one enterprise prefix under each extra secondary prefix), and a recursive
resolver that starts at the top-level node.

- **Warm**: wrk requests random existing handles, alternately straight from the enterprise node
  and through the resolver once its cache is warm. Same workers, same script, medians.
- **Misses**: wrk asks each of MISSES handles once (the answer not cached, the referral to the
  enterprise node learnt): the resolver's upstream path under load, one hop per request.
- **In-process**: the fast lane (`NodeApp.answer`) without HTTP or wrk, answers per second,
  for the enterprise node's file and for a resolver node whose cache holds the same handles:
  what each answer costs the server itself, since on a 2-core machine wrk shares the cores.
- **Cold, three hops**: one request per extra secondary prefix (never asked before, so neither
  the answer nor any referral below 88 is cached): resolver → top-level (refers) → secondary
  (refers) → enterprise (answers). Reference in the same run: single requests for not yet asked
  handles straight from the enterprise node.

    .venv/bin/python bench/federation.py [--handles 10000] [--misses 40000] [--cold 300]
                                         [--runs 3] [--workers 2]
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from resolve import free_port, wait_http, wrk, wrk_medians

from zhizao.api.app import NodeApp
from zhizao.federation.delegation import delegate
from zhizao.importer import import_lines
from zhizao.node import Node
from zhizao.provision import create_prefix
from zhizao.settings import Settings

ROOT = Path(__file__).resolve().parent
SECRET = "bench"
ENTERPRISE = "88.118.8160"


def cold_prefix(i: int) -> str:
    return f"88.{1000 + i}"  # a secondary prefix of its own for each cold sample


class Server:
    def __init__(self, work: Path, name: str, role: str) -> None:
        self.name, self.role = name, role
        self.db = f"sqlite:///{work / (name + '.db')}"
        self.port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def home(self, prefixes: list[str], children: dict[str, str]) -> Node:
        """Home the prefixes (admin `300:<prefix>/ADMIN`), delegate children (prefix → URL)."""
        node = Node(Settings(database_url=self.db, role=self.role))
        for prefix in prefixes:
            create_prefix(node, prefix, f"300:{prefix}/ADMIN", SECRET, server_admin=True)
        for child, url in children.items():
            parent = child.rsplit(".", 1)[0]
            delegate(node, child, url, node.registry.authenticate(f"300:{parent}/ADMIN", SECRET))
        return node

    def start(self, workers: int, root: Server | None) -> None:
        args = ["-d", self.db, "serve", "--port", str(self.port), "--workers", str(workers)]
        args += ["--role", self.role] + (["--root", root.url] if root else [])
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "zhizao", *args],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        wait_http(f"{self.url}/api/site")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:  # waiting on another node's keep-alive
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()


def build(work: Path, handles: int, misses: int, cold: int) -> dict[str, Server]:
    top = Server(work, "top", "top-level")
    sec = Server(work, "secondary", "secondary")
    ent = Server(work, "enterprise", "enterprise")
    resolver = Server(work, "resolver", "recursive")
    extra = [cold_prefix(i) for i in range(cold)]
    top.home(["88"], {p: sec.url for p in ["88.118", *extra]}).close()
    sec.home(
        ["88.118", *extra], {p: ent.url for p in [ENTERPRISE] + [e + ".1" for e in extra]}
    ).close()
    node = ent.home([ENTERPRISE] + [e + ".1" for e in extra], {})
    lines = ["handle,URL\n"]
    lines += [f"{ENTERPRISE}/B-{i:06d},https://example.com/b/{i}\n" for i in range(handles)]
    lines += [f"{ENTERPRISE}/M-{i:06d},https://example.com/m/{i}\n" for i in range(misses)]
    lines += [f"{e}.1/C-{j},https://example.com/c/{j}\n" for e in extra for j in (0, 1)]
    result = import_lines(node, lines, "csv", large=True)
    assert result.written == handles + misses + 2 * cold, result
    node.close()
    resolver.home([], {}).close()
    return {s.name: s for s in (top, sec, ent, resolver)}


def latencies(server: Server, paths: list[str]) -> list[float]:
    """Milliseconds per request, one at a time on one keep-alive connection."""
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    out = []
    try:
        for path in paths:
            started = time.perf_counter()
            conn.request("GET", path)
            response = conn.getresponse()
            body = response.read()
            out.append((time.perf_counter() - started) * 1000)
            if response.status != 200 or json.loads(body)["responseCode"] != 1:
                raise SystemExit(f"{server.name} {path}: {response.status} {body[:200]!r}")
    finally:
        conn.close()
    return out


def in_process(ent: Server, resolver: Server, root: Server, handles: int, runs: int) -> dict:
    """Fast-lane answers per second: the enterprise node's file, and a warm resolver node."""
    names = [f"{ENTERPRISE}/B-{i:06d}" for i in range(min(handles, 2000))]
    direct = NodeApp(Node(Settings(database_url=ent.db)))
    recursive = NodeApp(
        Node(Settings(database_url=resolver.db, role="recursive", root_url=root.url))
    )

    async def rate(app: NodeApp, n: int = 50_000) -> float:
        started = time.perf_counter()
        for i in range(n):
            status, _, _ = await app.answer(names[i % len(names)])
            assert status == 200
        return n / (time.perf_counter() - started)

    async def measure() -> dict:
        for name in names:  # the resolver's cache filled through the live nodes
            assert (await recursive.answer(name))[0] == 200
        await rate(direct, 5000)
        d, r = [], []
        for _ in range(runs):
            d.append(await rate(direct))
            r.append(await rate(recursive))
        await recursive.node.resolver.aclose()
        return {"direct_answers_per_s": d, "resolver_answers_per_s": r}

    try:
        return asyncio.run(measure())
    finally:
        direct.node.close()
        recursive.node.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--handles", type=int, default=10_000)
    ap.add_argument("--misses", type=int, default=40_000, help="handles for the miss run")
    ap.add_argument("--cold", type=int, default=300, help="cold three-hop samples")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--out", type=Path, default=ROOT / "out" / "federation.json")
    args = ap.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed (apt-get install wrk)")
    work = Path(tempfile.mkdtemp(prefix="zhizao-fed-bench-"))
    servers = build(work, args.handles, args.misses, args.cold)
    top, sec, ent, resolver = (servers[n] for n in ("top", "secondary", "enterprise", "resolver"))
    keys = ("handles", "misses", "cold", "runs", "workers")
    results: dict[str, Any] = {k: getattr(args, k) for k in keys}
    try:
        for s in (top, sec, ent):
            s.start(args.workers, None)
        resolver.start(args.workers, top)
        # Cold first, while nothing is cached: each sample asks a prefix never asked before.
        cold_paths = [f"/api/handles/{cold_prefix(i)}.1/C-0" for i in range(args.cold)]
        direct_paths = [f"/api/handles/{cold_prefix(i)}.1/C-1" for i in range(args.cold)]
        latencies(ent, [f"/api/handles/{ENTERPRISE}/B-000000"])  # open the connection path
        cold = latencies(resolver, cold_paths)
        direct = latencies(ent, direct_paths)
        results["cold_three_hops_ms"] = {
            "median": statistics.median(cold),
            "p90": statistics.quantiles(cold, n=10)[-1],
            "direct_one_request_median": statistics.median(direct),
        }
        print(
            f"cold, three hops: median {statistics.median(cold):.2f} ms "
            f"(p90 {results['cold_three_hops_ms']['p90']:.2f} ms); the enterprise node asked "
            f"directly: median {statistics.median(direct):.2f} ms",
            flush=True,
        )
        # Misses: each wrk thread walks its own half of the M- handles, each asked once.
        once = work / "once.lua"
        once.write_text(f"""
local threads = 0
setup = function(thread)
  thread:set("first", threads * {args.misses // 2}); threads = threads + 1
end
init = function() n = 0 end
request = function()
  n = n + 1
  return wrk.format("GET", string.format("/api/handles/{ENTERPRISE}/M-%06d",
                                         first + (n - 1) % {args.misses // 2}))
end
""")
        miss = wrk(f"{resolver.url}/", once, 5, with_requests=True)
        results["misses"] = miss
        print(
            f"misses (answer not cached, one hop): {miss['rps']:,.0f} req/s "
            f"p99 {miss['p99_ms']:.2f} ms, {miss['requests']:,} requests "
            f"({'each handle once' if miss['requests'] <= args.misses else 'SOME REPEATED'})",
            flush=True,
        )
        inproc = in_process(ent, resolver, top, args.handles, args.runs)
        results["in_process"] = inproc
        print(
            "in-process fast lane: direct "
            f"{statistics.median(inproc['direct_answers_per_s']):,.0f} answers/s, warm resolver "
            f"{statistics.median(inproc['resolver_answers_per_s']):,.0f} answers/s",
            flush=True,
        )
        script = work / "random.lua"
        script.write_text(f"""
math.randomseed(os.time())
request = function()
  return wrk.format("GET", string.format("/api/handles/{ENTERPRISE}/B-%06d",
                                         math.random(0, {args.handles - 1})))
end
""")
        for _ in range(2):  # warm: every worker of the resolver sees (nearly) every handle
            wrk(f"{resolver.url}/", script, args.seconds)
        wrk(f"{ent.url}/", script, 2)
        direct_runs, resolver_runs = [], []
        for run in range(args.runs):
            direct_runs.append(wrk(f"{ent.url}/", script, args.seconds))
            resolver_runs.append(wrk(f"{resolver.url}/", script, args.seconds))
            print(
                f"  run {run + 1}: direct {direct_runs[-1]['rps']:,.0f} req/s "
                f"p99 {direct_runs[-1]['p99_ms']:.2f} ms | through the resolver "
                f"{resolver_runs[-1]['rps']:,.0f} req/s p99 {resolver_runs[-1]['p99_ms']:.2f} ms",
                flush=True,
            )
        same = latencies(ent, [f"/api/handles/{ENTERPRISE}/B-000042"])
        assert same  # the enterprise node still answers after the runs
    finally:
        for s in (resolver, ent, sec, top):
            s.stop()
    results["direct"], results["resolver"] = wrk_medians(direct_runs), wrk_medians(resolver_runs)
    ratio = results["resolver"]["median_rps"] / results["direct"]["median_rps"]
    results["warm_ratio"] = ratio
    print(
        f"median: direct {results['direct']['median_rps']:,.0f} req/s, through the resolver "
        f"{results['resolver']['median_rps']:,.0f} req/s; ratio {ratio:.2f}"
    )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2))
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
