"""The resolver's upstream client: aiohttp (what it uses) against httpx's async client.

One enterprise node (`zhizao serve`, 1 worker, SQLite) with 1,000 handles; each client makes
REQUESTS non-recursive GETs of existing handles, one at a time and 16 at once, alternating
clients; requests per second, medians. This is the resolver's miss path without the resolver.

    .venv/bin/python bench/upstream.py [--requests 3000] [--runs 3]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import aiohttp
import httpx
from federation import ENTERPRISE, Server

from zhizao.importer import import_lines

Get = Callable[[str], Awaitable[bytes]]


async def rate(get: Get, base: str, n: int, concurrency: int) -> float:
    todo = list(range(n))

    async def worker() -> None:
        while todo:
            i = todo.pop()
            await get(f"{base}/api/handles/{ENTERPRISE}/B-{i % 1000:06d}?recursive=false")

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return n / (time.perf_counter() - started)


async def with_httpx(base: str, n: int, concurrency: int) -> float:
    async with httpx.AsyncClient(limits=httpx.Limits(max_keepalive_connections=64)) as client:

        async def get(url: str) -> bytes:
            return (await client.get(url)).content

        return await rate(get, base, n, concurrency)


async def with_aiohttp(base: str, n: int, concurrency: int) -> float:
    async with aiohttp.ClientSession() as session:

        async def get(url: str) -> bytes:
            async with session.get(url) as response:
                return await response.read()

        return await rate(get, base, n, concurrency)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--requests", type=int, default=3000)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="zhizao-upstream-bench-"))
    ent = Server(work, "enterprise", "enterprise")
    node = ent.home([ENTERPRISE], {})
    lines = ["handle,URL\n"] + [f"{ENTERPRISE}/B-{i:06d},https://e.com/{i}\n" for i in range(1000)]
    import_lines(node, lines, "csv")
    node.close()
    ent.start(1, None)
    try:
        for concurrency in (1, 16):
            got: dict[str, list[float]] = {"httpx": [], "aiohttp": []}
            for _ in range(args.runs):
                for name, client in (("httpx", with_httpx), ("aiohttp", with_aiohttp)):
                    got[name].append(asyncio.run(client(ent.url, args.requests, concurrency)))
            h, a = (statistics.median(got[k]) for k in ("httpx", "aiohttp"))
            print(
                f"{concurrency:>2} at once: httpx {h:,.0f} req/s, aiohttp {a:,.0f} req/s "
                f"({a / h:.1f}×); runs httpx {[round(x) for x in got['httpx']]}, "
                f"aiohttp {[round(x) for x in got['aiohttp']]}",
                flush=True,
            )
    finally:
        ent.stop()


if __name__ == "__main__":
    main()
