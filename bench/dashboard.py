"""Dashboard benchmark: the overview page rendered server-side on the demo zone (issue 5).

    python bench/dashboard.py [--scale 1] [--db bench/out/zone-1.db] [--runs 7]

Loads the demo zone at `--scale` into the SQLite file unless it is there already (scale 1
traces every 2023 vehicle of the zone: ~273,000 vehicles, ~2.7 million events; the load is
resumable, `zhizao demo` is idempotent), then times in this process, through the whole ASGI
application (routing, services, SQL, templates), medians of `--runs`:

- the first overview after the running totals of event counts are dropped: they are built
  from every stored event once (what the first request after a zone's bulk load costs);
- the overview `/` cold: a fresh node each run (empty caches), the SQLite file already in the
  OS page cache after the first run;
- the overview warm: the same node again within the stats cache's lifetime;
- the overview in Chinese for H1 2023 (the articles' period), cold;
- reference in the same run: `GET /v1/stats/indicators`, a fixed-cost JSON answer through the
  same stack, cold node.
Writes bench/out/dashboard.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from zhizao.api.app import create_app  # noqa: E402
from zhizao.demo.zone import load  # noqa: E402
from zhizao.node import Node  # noqa: E402
from zhizao.settings import Settings  # noqa: E402
from zhizao.stats.period import Period  # noqa: E402

OUT = Path(__file__).parent / "out"


async def timed(node: Node, path: str) -> tuple[float, int]:
    transport = httpx.ASGITransport(app=create_app(node=node).app)
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
        started = time.perf_counter()
        answer = await client.get(path)
        elapsed = time.perf_counter() - started
    assert answer.status_code == 200, (path, answer.status_code, answer.text[:300])
    return elapsed * 1000, len(answer.content)


def run(db: str, path: str, *, fresh: bool, node: Node | None = None) -> tuple[float, int]:
    """Milliseconds for one request; a fresh node has empty caches."""
    if fresh or node is None:
        node = Node(Settings(database_url=db))
        try:
            return asyncio.run(timed(node, path))
        finally:
            node.close()
    return asyncio.run(timed(node, path))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--db", default=None)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    OUT.mkdir(exist_ok=True)
    path = Path(args.db or OUT / f"zone-{args.scale:g}.db")
    db = f"sqlite:///{path}"
    node = Node(Settings(database_url=db))
    started = time.perf_counter()

    def progress(step: str, n: int) -> None:
        print(f"  demo: {step} {n:,}", file=sys.stderr)

    zone = load(node, seed=1, scale=args.scale, progress=progress)
    events = node.store.reader().execute("SELECT count(*) FROM epcis_events").fetchone()[0]
    load_s = time.perf_counter() - started
    node.close()
    size_gb = path.stat().st_size / 1e9
    print(f"demo zone at scale {args.scale:g}: {events:,} events ({size_gb:.2f} GB); "
          f"load/check {load_s:.0f} s")  # fmt: skip
    # The first figures after a capture bring the stored running totals up to date; after a
    # whole zone's load that is every event once (later captures add only themselves). The
    # totals are derived data: drop them so that this run times building them from scratch.
    node = Node(Settings(database_url=db))
    with node.store.transaction() as conn:
        conn.execute("DELETE FROM stat_rollups")
        conn.execute("DELETE FROM stat_rollup_marks")
    node.close()
    first_ms, _ = run(db, "/", fresh=True)
    print(f"first overview after the load (running totals from scratch): {first_ms:,.0f} ms")
    node = Node(Settings(database_url=db))
    traced = node.stats.figure("nev_output", "liangjiang", Period(2023, 1, 12, "year"),
                               source="records").value  # fmt: skip
    vehicles = int(traced or 0)
    node.close()
    print(f"vehicles commissioned at the automakers' plants in 2023 (records): {vehicles:,}")

    results: dict[str, list[float]] = {"overview cold": [], "overview warm": [],
                                       "overview zh H1 2023 cold": [], "reference": []}  # fmt: skip
    sizes = {}
    warm_node = Node(Settings(database_url=db))
    for _ in range(args.runs):
        for name, url in [
            ("reference", "/v1/stats/indicators"),
            ("overview cold", "/"),
            ("overview zh H1 2023 cold", "/?period=2023-H1&lang=zh"),
        ]:
            ms, size = run(db, url, fresh=True)
            results[name].append(ms)
            sizes[name] = size
        run(db, "/", fresh=False, node=warm_node)  # fill its cache
        ms, sizes["overview warm"] = run(db, "/", fresh=False, node=warm_node)
        results["overview warm"].append(ms)
    warm_node.close()
    summary = {name: {"median_ms": round(statistics.median(v), 1),
                      "runs_ms": [round(x, 1) for x in v], "bytes": sizes[name]}
               for name, v in results.items()}  # fmt: skip
    ref = summary["reference"]["median_ms"]
    print(f"{'request':<28} {'median ms':>10} {'× reference':>12}   runs")
    for name, s in summary.items():
        print(f"{name:<28} {s['median_ms']:>10.1f} {s['median_ms'] / ref:>12.1f}   "
              f"{' / '.join(f'{x:.0f}' for x in s['runs_ms'])}")  # fmt: skip
    record = {"scale": args.scale, "vehicles": vehicles, "events": events, "gb": size_gb,
              "first_overview_ms": round(first_ms, 1),
              "traced_vehicles_generated": zone.traced_vehicles, "results": summary}  # fmt: skip
    (OUT / "dashboard.json").write_text(json.dumps(record, indent=2))


if __name__ == "__main__":
    main()
