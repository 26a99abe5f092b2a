"""Stats over a real store on both databases: reports in, roll-up, series from events, the CLI."""

import csv
from decimal import Decimal

from zhizao.demo.zone import load
from zhizao.node import Node
from zhizao.settings import Settings
from zhizao.stats.period import Period


def test_demo_figures_on_both_databases(database_url):
    node = Node(Settings(database_url=database_url))
    try:
        zone = load(node, seed=3, scale=0.0005)
        load(node, seed=3, scale=0.0005)  # a re-run changes nothing
        f = node.stats.figure("nev_output", "liangjiang", Period.parse("2023-H1"))
        assert (f.value, f.share) == (113_000, 74.2)
        # energy comes from the EPCIS meter events, units from the reports
        kpis = {r["kpi"]: r for r in node.stats.kpis(node.stats.transformations()[0])}
        assert kpis["energy_utilisation"]["change"] >= 8
        traced = node.stats.figure("nev_output", "liangjiang", Period.parse("2023"),
                                   source="records")  # fmt: skip
        assert traced.value == zone.traced_vehicles
    finally:
        node.close()


def test_roll_up_fills_only_unreported_months(node):
    node.stats.add_subjects([
        {"id": "city", "kind": "city", "en": "City", "zh": "市"},
        {"id": "a", "kind": "district", "en": "A", "zh": "甲", "parent": "city"},
        {"id": "b", "kind": "district", "en": "B", "zh": "乙", "parent": "city"},
    ])  # fmt: skip
    rows = [
        ["indicator", "subject", "month", "value"],
        ["nev_output", "a", "2023-01", "10"],
        ["nev_output", "b", "2023-01", "5"],
        ["nev_output", "a", "2023-02", "10"],
        ["nev_output", "city", "2023-02", "40"],
    ]
    assert node.stats.import_rows(rows) == (4, 4)
    assert node.stats.import_rows(rows) == (0, 4)  # unchanged
    assert node.stats.series("nev_output", "city") == {"2023-01": Decimal(15),
                                                       "2023-02": Decimal(40)}  # fmt: skip


def test_cli_import_names_every_bad_row_and_stores_nothing(tmp_path, run):
    db = f"sqlite:///{tmp_path / 'z.db'}"
    assert run(db, "demo", "--scale", "0").exit_code == 0
    path = tmp_path / "report.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([
            ["指标", "填报单位", "月份", "本月数", "计量单位"],
            ["nev_output", "changan", "2024-01", "1.5", "万辆"],
            ["nev_output", "nowhere", "2024-01", "3", ""],
            ["nev_output", "seres", "2024-01", "x", ""],
        ])  # fmt: skip
    result = run(db, "stats", "import", str(path))
    assert result.exit_code == 1
    assert "row 3: subject: no subject 'nowhere'" in result.output
    assert "row 4: value: value 'x' is not a number" in result.output
    result = run(db, "stats", "figure", "nev_output", "changan", "--period", "2024-01")
    assert "no NEV output reported" in result.output  # row 2 was not stored either
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([["指标", "填报单位", "月份", "本月数", "计量单位"],
                                 ["nev_output", "changan", "2024-01", "1.5", "万辆"]])  # fmt: skip
    assert "1 new or changed" in run(db, "stats", "import", str(path)).output
    result = run(db, "stats", "figure", "nev_output", "changan", "--period", "2024-01")
    assert "Jan 2024: 15,000 vehicles" in result.output


def commissioned(event_id, month, *vins, site="urn:epc:id:sgln:6901234.00009.0", error=False):
    event = {
        "type": "ObjectEvent", "eventID": event_id, "action": "ADD",
        "eventTime": f"2023-{month}-05T08:00:00.000Z", "eventTimeZoneOffset": "+08:00",
        "epcList": [f"urn:epc:id:sgtin:6901234.012345.{v}" for v in vins],
        "bizStep": "commissioning", "bizLocation": {"id": site},
    }  # fmt: skip
    if error:
        event["errorDeclaration"] = {"declarationTime": "2023-03-01T00:00:00.000Z"}
    return event


def test_counts_from_events_follow_new_events_and_error_declarations(database_url):
    """The running totals behind derived series: added to as events arrive, started over
    when an error declaration retracts an event they counted."""
    node = Node(Settings(database_url=database_url))
    site = "urn:epc:id:sgln:6901234.00009.0"
    try:
        node.stats.add_subjects([{"id": "maker", "kind": "enterprise", "en": "M", "zh": "甲"}])
        node.stats.add_site(site, "maker", "nev_output")
        node.events.capture_events([commissioned("ni:///e1", "01", 1, 2),
                                    commissioned("ni:///e2", "01", 3),
                                    commissioned("ni:///e3", "02", 4)])  # fmt: skip

        def counts():
            return sorted((month, n) for _, month, n in node.store.event_counts(
                "commissioning", "ADD"))  # fmt: skip

        assert counts() == [("2023-01", 3), ("2023-02", 1)]
        node.events.capture_events([commissioned("ni:///e4", "01", 5)])
        assert counts() == [("2023-01", 4), ("2023-02", 1)]
        node.events.capture_events([commissioned("ni:///e2", "01", 3, error=True)])
        assert counts() == [("2023-01", 3), ("2023-02", 1)]
        node.stats.invalidate()
        jan = node.stats.figure("nev_output", "maker", Period.parse("2023-01"), source="records")
        assert jan.value == 3
        mark = (
            node.store.reader()
            .execute(
                "SELECT upto_seq FROM stat_rollup_marks WHERE query = 'count commissioning ADD *'"
            )
            .fetchone()[0]
        )
        top = node.store.reader().execute("SELECT max(seq) FROM epcis_events").fetchone()[0]
        assert mark == top
    finally:
        node.close()
