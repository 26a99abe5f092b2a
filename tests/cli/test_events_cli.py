"""`zhizao epcis capture`, `zhizao trace …`, `zhizao recall` on a real SQLite file."""

import json
import subprocess
import sys

from click.testing import CliRunner

from zhizao.cli import cli
from zhizao.demo.genealogy import documents, generate


def run(db, *args):
    return CliRunner().invoke(cli, ["-d", db, *args])


def test_capture_trace_and_recall(tmp_path, sqlite_url):
    g = generate(3, modules_per_pack=2, cells_per_module=2, lot_size=3, replace_every=0)
    doc = tmp_path / "genealogy.jsonld"
    doc.write_text(json.dumps(next(documents(g.events, 10_000))))
    captured = run(sqlite_url, "epcis", "capture", str(doc))
    assert captured.exit_code == 0, captured.output
    assert f"captured {len(g.events)} events" in captured.output

    vin = g.vehicles[0]
    inside = run(sqlite_url, "trace", "inside", vin)
    assert inside.exit_code == 0
    assert inside.output.splitlines()[1].strip() == g.pack_of[vin]
    as_json = json.loads(run(sqlite_url, "trace", "inside", vin, "--json").output)
    assert as_json["tree"]["id"] == vin

    lot = g.lots[0]
    used = run(sqlite_url, "trace", "where-used", lot)
    assert used.output.splitlines()[0].startswith(vin + " > ")

    out = tmp_path / "recall.csv"
    recalled = run(sqlite_url, "recall", lot, "--csv", str(out))
    rows = out.read_text().splitlines()[1:]
    assert recalled.exit_code == 0 and rows[0].startswith(vin)
    # one line per affected item, then the count, in words that agree with it
    n = len(rows)
    assert f"\n{n} affected item{'' if n == 1 else 's'}\n" in recalled.output


def test_bad_document_is_one_line_and_nothing_stored(tmp_path, sqlite_url):
    g = generate(1, modules_per_pack=1, cells_per_module=1, lot_size=3, replace_every=0)
    events = g.events
    events[1]["eventTime"] = "yesterday"
    doc = tmp_path / "bad.jsonld"
    doc.write_text(json.dumps(next(documents(events, 100))))
    result = subprocess.run(
        [sys.executable, "-m", "zhizao", "-d", sqlite_url, "epcis", "capture", str(doc)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1
    assert result.stderr.startswith("Error: bad.jsonld: nothing captured: event 1: eventTime")
    assert len(result.stderr.strip().splitlines()) == 1
    missing = run(sqlite_url, "trace", "inside", g.vehicles[0])
    assert "appears in no genealogy event" in str(missing.exception)
