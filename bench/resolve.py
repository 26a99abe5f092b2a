"""Resolution and bulk-import benchmark.

Loads N handles (default 1,000,000) into a fresh SQLite store with `zhizao handles import`'s code,
serves them with `zhizao serve`, and drives `GET /api/handles/{random existing handle}` with wrk;
in the same run nginx serves one static JSON file of the same size to the same wrk. Runs
alternate (zhizao, nginx, zhizao, ...) so both see the same machine weather; medians are
reported. Needs `wrk` and `nginx` (Debian: apt-get install wrk nginx-light).

    .venv/bin/python bench/resolve.py [--handles 1000000] [--runs 3] [--workers 2]
                                      [--postgres-url postgresql://...]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

from zhizao.importer import import_lines
from zhizao.node import Node
from zhizao.provision import create_prefix
from zhizao.settings import Settings

PREFIX = "88.118.8160"
ROOT = Path(__file__).resolve().parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_http(url: str, timeout: float = 30) -> bytes:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                return r.read()
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def csv_lines(n: int):
    yield "handle,URL\n"
    for i in range(n):
        yield f"{PREFIX}/BENCH-{i:07d},https://example.com/items/{i:07d}\n"


def load(url: str, n: int) -> float:
    """Import n handles; returns identifiers per second."""
    node = Node(Settings(database_url=url))
    create_prefix(node, PREFIX, f"300:{PREFIX}/ADMIN", "bench")
    started = time.perf_counter()
    result = import_lines(node, csv_lines(n), "csv", batch_size=10_000, large=True)
    elapsed = time.perf_counter() - started
    node.close()
    assert result.written == n, result
    return n / elapsed


def sqlite_floor(path: Path, n: int) -> float:
    """Reference: rows/s SQLite itself takes for the same rows, tables and transactions.

    The rows are encoded beforehand and written with two `executemany` calls per batch, so
    this is what the disk and SQLite allow, with no parsing, encoding or second process.
    """
    from zhizao.identifiers.bulk import encode_csv
    from zhizao.identifiers.values import now_stamp
    from zhizao.storage.sql import INSERT_TERM, UPSERT_HANDLE
    from zhizao.storage.sqlite import SqliteStore

    batches = list(encode_csv(csv_lines(n), now_stamp(), 10_000))
    store = SqliteStore(path)
    started = time.perf_counter()
    for batch in batches:
        with store.transaction() as conn:
            conn.executemany(UPSERT_HANDLE, batch.rows)
            conn.executemany(INSERT_TERM, batch.terms)
    elapsed = time.perf_counter() - started
    store.close()
    for f in path.parent.glob(path.name + "*"):
        f.unlink()
    return n / elapsed


def reset_postgres(url: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")


def wrk(url: str, script: Path, seconds: int, with_requests: bool = False) -> dict[str, float]:
    out = subprocess.run(
        ["wrk", "-t2", "-c64", f"-d{seconds}s", "--latency", "-s", str(script), url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)\b", out)
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}[p99.group(2)]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if errors:
        raise SystemExit(f"wrk saw {errors.group(1)} error responses:\n{out}")
    result = {"rps": rps, "p99_ms": float(p99.group(1)) * scale}
    if with_requests:
        result["requests"] = int(re.search(r"(\d+) requests in", out).group(1))
    return result


def wrk_medians(runs: list[dict[str, float]]) -> dict[str, Any]:
    """wrk runs with their median req/s and median p99."""
    return {
        "runs": runs,
        "median_rps": statistics.median(r["rps"] for r in runs),
        "median_p99_ms": statistics.median(r["p99_ms"] for r in runs),
    }


def start_nginx(work: Path, body: bytes) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    (work / "www").mkdir(exist_ok=True)
    (work / "www" / "handle.json").write_bytes(body)
    conf = work / "nginx.conf"
    conf.write_text(f"""
worker_processes auto;
daemon off;
pid {work}/nginx.pid;
error_log {work}/nginx-error.log;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    default_type application/json;
    sendfile on;
    keepalive_requests 1000000;
    client_body_temp_path {work}/tmp; proxy_temp_path {work}/tmp; fastcgi_temp_path {work}/tmp;
    uwsgi_temp_path {work}/tmp; scgi_temp_path {work}/tmp;
    server {{
        listen 127.0.0.1:{port};
        location / {{ root {work}/www; try_files /handle.json =404; }}
    }}
}}
""")
    work.chmod(0o755)  # nginx workers run as an unprivileged user
    proc = subprocess.Popen(
        [shutil.which("nginx") or "/usr/sbin/nginx", "-c", str(conf), "-p", str(work)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wait_http(f"http://127.0.0.1:{port}/x")
    return proc, port


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--handles", type=int, default=1_000_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument(
        "--postgres-url",
        help="also time the import into this PostgreSQL database (its public schema is "
        "dropped and recreated: use a database of its own)",
    )
    ap.add_argument("--out", type=Path, default=ROOT / "out" / "resolve.json")
    args = ap.parse_args()
    for tool in ("wrk", "nginx"):
        if not shutil.which(tool) and not Path(f"/usr/sbin/{tool}").exists():
            raise SystemExit(f"{tool} is not installed (apt-get install wrk nginx-light)")

    work = Path(tempfile.mkdtemp(prefix="zhizao-bench-"))
    results: dict[str, Any] = {
        "handles": args.handles,
        "workers": args.workers,
        "runs": args.runs,
        "seconds": args.seconds,
    }
    # Import runs, each into a fresh database; the last SQLite file is then served. All SQLite
    # runs come first: PostgreSQL's background writer would otherwise run during them.
    sqlite_rates, pg_rates, floor_rates = [], [], []
    for run in range(args.runs):
        if run:
            for f in work.glob(f"bench-{run - 1}.db*"):
                f.unlink()
        floor_rates.append(sqlite_floor(work / "floor.db", args.handles))
        db = f"sqlite:///{work / f'bench-{run}.db'}"
        sqlite_rates.append(load(db, args.handles))
        print(
            f"  import {run + 1}: SQLite {sqlite_rates[-1]:,.0f} identifiers/s "
            f"(SQLite alone, same rows: {floor_rates[-1]:,.0f} rows/s)",
            flush=True,
        )
    for run in range(args.runs if args.postgres_url else 0):
        reset_postgres(args.postgres_url)
        pg_rates.append(load(args.postgres_url, args.handles))
        print(f"  import {run + 1}: PostgreSQL {pg_rates[-1]:,.0f} identifiers/s", flush=True)
    results["import_sqlite"] = {"runs": sqlite_rates, "median": statistics.median(sqlite_rates)}
    results["sqlite_floor"] = {"runs": floor_rates, "median": statistics.median(floor_rates)}
    if pg_rates:
        results["import_postgres"] = {"runs": pg_rates, "median": statistics.median(pg_rates)}

    port = free_port()
    env = {**os.environ, "ZHIZAO_DATABASE_URL": db}
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "zhizao",
            "serve",
            "--port",
            str(port),
            "--workers",
            str(args.workers),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    nginx = None
    try:
        base = f"http://127.0.0.1:{port}"
        body = wait_http(f"{base}/api/handles/{PREFIX}/BENCH-0000042")
        assert json.loads(body)["responseCode"] == 1
        nginx, nginx_port = start_nginx(work, body)
        script = work / "random.lua"
        script.write_text(f"""
math.randomseed(os.time())
request = function()
  return wrk.format("GET", string.format("/api/handles/{PREFIX}/BENCH-%07d",
                                         math.random(0, {args.handles - 1})))
end
""")
        wrk(f"{base}/", script, 2)  # warm-up: workers, caches
        zz, ng = [], []
        for run in range(args.runs):
            zz.append(wrk(f"{base}/", script, args.seconds))
            ng.append(wrk(f"http://127.0.0.1:{nginx_port}/", script, args.seconds))
            print(
                f"  run {run + 1}: zhizao {zz[-1]['rps']:,.0f} req/s p99 {zz[-1]['p99_ms']:.2f} ms"
                f" | nginx {ng[-1]['rps']:,.0f} req/s p99 {ng[-1]['p99_ms']:.2f} ms",
                flush=True,
            )
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
        if nginx is not None:
            nginx.terminate()
            nginx.wait(timeout=10)
    results["response_bytes"] = len(body)
    results["zhizao"] = wrk_medians(zz)
    results["nginx"] = wrk_medians(ng)
    ratio = results["zhizao"]["median_rps"] / results["nginx"]["median_rps"]
    results["ratio"] = ratio
    print(
        f"median import: SQLite {results['import_sqlite']['median']:,.0f}/s "
        f"(SQLite alone {results['sqlite_floor']['median']:,.0f} rows/s)"
        + (f", PostgreSQL {results['import_postgres']['median']:,.0f}/s" if pg_rates else "")
    )
    print(
        f"median: zhizao {results['zhizao']['median_rps']:,.0f} req/s "
        f"(p99 {results['zhizao']['median_p99_ms']:.2f} ms), nginx "
        f"{results['nginx']['median_rps']:,.0f} req/s "
        f"(p99 {results['nginx']['median_p99_ms']:.2f} ms); ratio {ratio:.2f}"
    )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2))
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
