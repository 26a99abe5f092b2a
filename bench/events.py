"""EPCIS capture and trace benchmarks (figures go to docs/benchmarks.md).

    python bench/events.py [--vehicles N] [--postgres URL] [--runs 3]

1. Capture, end to end (parse, validate, hash, store, derive genealogy), of two 10,000-event
   documents into a fresh SQLite file and PostgreSQL: a light mix (ObjectEvents with one EPC
   and a sensor report, AssociationEvents with two children) and the battery genealogy (12-cell
   modules, 5,000-cell lot transformations). Reference in the same run, round by round: the
   PyPI `epcis-event-hash-generator` hashing the light document alone.
2. Trace on a genealogy of N vehicles (default 2,000; `--vehicles 100000` is the issue's
   size, ~20 million edges, captured through the same path): `inside` of vehicles and
   `where-used` of cell lots, medians with result sizes.
Writes bench/out/events.json (events-N.json for another N; `--out` names another).
`--sqlite ''` leaves SQLite out.
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import json
import os
import random
import sqlite3
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import click

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from zhizao.demo.genealogy import documents, generate  # noqa: E402
from zhizao.events.capture import prepare_document  # noqa: E402
from zhizao.events.gs1 import canonical_gs1  # noqa: E402
from zhizao.events.ids import canonical_other_id  # noqa: E402
from zhizao.events.prehash import canonical_value  # noqa: E402
from zhizao.gc_pause import collection_paused  # noqa: E402
from zhizao.node import Node  # noqa: E402
from zhizao.settings import Settings  # noqa: E402
from zhizao.storage.batch import insert_rows  # noqa: E402
from zhizao.trace_service import TraceService, _at  # noqa: E402

OUT = Path(__file__).parent / "out"


def light_events(n: int) -> list[dict]:
    events = []
    for i in range(n):
        when = f"2024-03-01T{8 + i // 3600 % 10:02d}:{i // 60 % 60:02d}:{i % 60:02d}.000+08:00"
        if i % 2:
            events.append({
                "type": "ObjectEvent", "action": "OBSERVE", "eventTime": when,
                "eventTimeZoneOffset": "+08:00",
                "epcList": [f"urn:epc:id:sgtin:6901234.012345.{i}"],
                "bizStep": "inspecting", "disposition": "conformant",
                "readPoint": {"id": "urn:epc:id:sgln:6901234.00001.0"},
                "sensorElementList": [
                    {"sensorReport": [{"type": "Energy", "value": 70 + i % 5, "uom": "KWH"}]}
                ],
            })  # fmt: skip
        else:
            events.append({
                "type": "AssociationEvent", "action": "ADD", "eventTime": when,
                "eventTimeZoneOffset": "+08:00", "parentID": f"hdl:88.118.8160/PACK-{i}",
                "childEPCs": [f"hdl:88.118.8160/MOD-{i}-{k}" for k in range(2)],
                "bizStep": "assembling",
            })  # fmt: skip
    return events


def fresh(url: str) -> Node:
    if url.startswith("sqlite:///"):
        path = url.removeprefix("sqlite:///")
        for suffix in ("", "-wal", "-shm"):
            Path(path + suffix).unlink(missing_ok=True)
    else:
        import psycopg

        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("DROP SCHEMA public CASCADE")
            conn.execute("CREATE SCHEMA public")
    return Node(Settings(database_url=url))


def forget_identifiers() -> None:
    """Empty the per-identifier caches, so every run captures identifiers it has not seen
    (as a new document does); the static vocabularies stay loaded."""
    for cached in (canonical_other_id, canonical_gs1, canonical_value):
        cached.cache_clear()


def capture_rate(url: str, body: bytes, events: int) -> float:
    node = fresh(url)
    forget_identifiers()
    started = time.perf_counter()
    job = node.events.submit(body)
    node.events.run_job(job.capture_id, None, job.document)
    elapsed = time.perf_counter() - started
    state = node.store.job(job.capture_id)
    assert state["success"], state["errors"][:1]
    node.close()
    return events / elapsed


CAPTURE_TABLES = (
    "epcis_events", "epcis_ids", "epcis_sensors", "trace_nodes", "trace_links", "trace_edges",
)  # fmt: skip


def capture_phases(path: str, body: bytes) -> dict[str, float]:
    """Seconds in each phase of one SQLite capture, as `capture_rate` runs it, and the floor
    under the store: the same rows inserted again the way the store inserts them
    (`insert_rows`: 500 rows an `INSERT OR FAIL`), in one transaction with the same indexes
    and `synchronous=FULL`, without the store's lookups and derivation."""
    url = f"sqlite:///{path}"
    node = fresh(url)
    forget_identifiers()
    started = time.perf_counter()
    with collection_paused():
        job = node.events.submit(body)
        submitted = time.perf_counter()
        prepared = prepare_document(job.document, datetime.now(UTC), "rollback")
        built = time.perf_counter()
        node.store.save_events(prepared.records, job.capture_id, ("2024-01-01T00:00:00Z", True, []))
        stored = time.perf_counter()
    rows = {t: node.store.reader().execute(f"SELECT * FROM {t}").fetchall() for t in CAPTURE_TABLES}
    node.close()
    fresh(url).close()  # the same migrations, every table empty
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA synchronous = FULL")  # WAL mode stays with the file
    conn.execute("PRAGMA wal_autocheckpoint = 0")  # as the store: checkpoints off the commit
    began = time.perf_counter()
    conn.execute("BEGIN")
    for table, table_rows in rows.items():
        if table_rows:
            marks = ",".join("?" * len(table_rows[0]))
            insert_rows(conn, f"INSERT INTO {table} VALUES ({marks})", table_rows)
    conn.execute("COMMIT")
    floor = time.perf_counter() - began
    conn.close()
    return {
        "parse_and_durable_job_s": submitted - started,
        "validate_hash_records_s": built - submitted,
        "store_s": stored - built,
        "store_sql_floor_s": floor,
    }


def reference_rate(doc: dict) -> float:
    from epcis_event_hash_generator import json_to_py
    from epcis_event_hash_generator.hash_generator import epcis_hashes_from_events

    started = time.perf_counter()
    epcis_hashes_from_events(json_to_py.event_list_from_epcis_document_json(doc))
    return len(doc["epcisBody"]["eventList"]) / (time.perf_counter() - started)


def hash_rates(doc: dict) -> dict[str, float]:
    """Events hashed per second by zhizao alone, with the C writer and with the Python one
    (identifier caches emptied first, as for a new document)."""
    from zhizao.events import hashing

    events = doc["epcisBody"]["eventList"]
    rates = {}
    for name, pre_hash in (("c", hashing.pre_hash), ("python", hashing.python_pre_hash)):
        if name == "c" and hashing.native_pre_hash() is None:
            continue
        forget_identifiers()
        started = time.perf_counter()
        for event in events:
            hashlib.sha256(pre_hash(event, {}).encode()).hexdigest()
        rates[name] = len(events) / (time.perf_counter() - started)
    return rates


def inside_level_by_level(store, trace: TraceService, item: str) -> int:
    """The bare walk, building no answer: one query per level, then the labels in one more.
    The in-run floor `inside` (the same walk plus the tree it returns) is compared with."""
    root = trace._node(item)
    at = _at(None)
    level, seen = [root], {root}
    while level:
        found = [c for _, c in store.step(level, down=True, at=at) if c not in seen]
        seen.update(found)
        level = found
    return len(store.labels(seen))


def median_ms(fn, items) -> float:
    times = []
    for item in items:
        started = time.perf_counter()
        fn(item)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vehicles", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--only", choices=["capture", "trace"], help="run one part")
    parser.add_argument(
        "--reuse", action="store_true",
        help="query a genealogy an earlier run loaded into the same databases (no reload)",
    )  # fmt: skip
    parser.add_argument("--sqlite", default="sqlite:///bench/out/events.db")
    parser.add_argument("--postgres", default=os.environ.get("ZHIZAO_BENCH_POSTGRES_URL"))
    parser.add_argument("--out", help="file name under bench/out (default events[-N].json)")
    args = parser.parse_args()
    OUT.mkdir(exist_ok=True)
    results: dict = {"capture": {}, "trace": {}}

    light = next(documents(light_events(10_000), 10_000))
    genealogy = generate(1000, lot_size=5000).events[:10_000]
    heavy = next(documents(genealogy, 10_000))
    for name, doc in (("light", light), ("genealogy", heavy)) if args.only != "trace" else ():
        body = json.dumps(doc).encode()
        n = len(doc["epcisBody"]["eventList"])
        ids = sum(
            len(e.get("childEPCs", ()))
            + len(e.get("epcList", ()))
            + len(e.get("outputEPCList", ()))
            + 1
            for e in doc["epcisBody"]["eventList"]
        )
        row: dict = {"events": n, "identifiers": ids, "bytes": len(body)}
        # Round by round (SQLite, PostgreSQL, then the reference), so that each round's
        # figures are measured close together on a machine whose speed moves by the minute.
        rounds: list[dict] = []
        phases = []
        for _ in range(args.runs):
            one = {}
            if args.sqlite:
                one["sqlite_events_per_s"] = capture_rate(args.sqlite, body, n)
            if args.postgres:
                one["postgres_events_per_s"] = capture_rate(args.postgres, body, n)
            if name == "light":
                if args.sqlite:
                    phases.append(capture_phases(args.sqlite.removeprefix("sqlite:///"), body))
                one["reference_hash_events_per_s"] = reference_rate(json.loads(body))
                for kind, rate in hash_rates(doc).items():
                    one[f"zhizao_hash_{kind}_events_per_s"] = rate
            rounds.append(one)
        for key in rounds[0]:
            row[key] = [r[key] for r in rounds]
        if phases:
            row["sqlite_phases_median_s"] = {
                k: round(statistics.median(p[k] for p in phases), 3) for k in phases[0]
            }
        if name == "light" and args.sqlite:
            row["sqlite_vs_reference_paired_median"] = round(
                statistics.median(
                    r["sqlite_events_per_s"] / r["reference_hash_events_per_s"] for r in rounds
                ),
                1,
            )
        results["capture"][name] = row
        print(
            name,
            json.dumps(
                {
                    k: (round(statistics.median(v)) if isinstance(v, list) else v)
                    for k, v in row.items()
                }
            ),
        )

    for label, url in (("sqlite", args.sqlite), ("postgres", args.postgres)):
        if not url or args.only == "capture":
            continue
        g = generate(args.vehicles, lot_size=5000, replace_every=100)
        load_s = None
        if args.reuse:
            node = Node(Settings(database_url=url))
        else:
            node = fresh(url)
            started = time.perf_counter()
            docs = list(documents(g.events, 20_000))
            with click.progressbar(docs, label=f"capture {label}", file=sys.stderr) as bar:
                for doc in bar:
                    job = node.events.submit(json.dumps(doc).encode())
                    node.events.run_job(job.capture_id, None, job.document)
            load_s = time.perf_counter() - started
        edges = node.store.reader().execute("SELECT count(*) FROM trace_edges").fetchone()[0]
        trace = TraceService(node.store)
        rnd = random.Random(1)
        vins = rnd.sample(g.vehicles, min(200, len(g.vehicles)))
        lots = g.lots[:-1]  # the last lot may be partly used
        inside_size = statistics.median(trace.inside(v)["count"] for v in vins[:20])
        used_size = statistics.median(trace.where_used([lot])["count"] for lot in lots)
        results["trace"][label] = {
            "vehicles": args.vehicles, "edges": edges, "events": len(g.events), "load_s": load_s,
            "inside_median_ms": median_ms(trace.inside, vins), "inside_items": inside_size,
            # the same vehicles again: their pages now in memory, as for a vehicle looked at twice
            "inside_warm_median_ms": median_ms(trace.inside, vins),
            "inside_level_by_level_warm_median_ms": median_ms(
                functools.partial(inside_level_by_level, node.store, trace), vins
            ),
            "where_used_lot_median_ms": median_ms(trace.where_used, [[lot] for lot in lots] * 3),
            "where_used_vehicles": used_size,
        }  # fmt: skip
        print(label, json.dumps(results["trace"][label]))
        node.close()
    name = args.out or ("events.json" if args.vehicles == 2000 else f"events-{args.vehicles}.json")
    (OUT / name).write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
