"""The stats domain by hand: figures (YoY, share, rank, pull), monthly tables, KPIs, reports."""

from datetime import date
from decimal import Decimal as D

import pytest

from zhizao.errors import InvalidReport, ReportRejected
from zhizao.stats.figures import figure, monthly, over, rank_of
from zhizao.stats.indicators import INDICATORS
from zhizao.stats.kpi import Calendar, Transformation, compare, output_interval
from zhizao.stats.period import Period
from zhizao.stats.reports import read_rows

NEV = INDICATORS["nev_output"]


def months(year: int, values: list[int]) -> dict[str, D]:
    return {f"{year}-{m:02d}": D(v) for m, v in enumerate(values, start=1)}


def test_half_year_value_yoy_share_rank_and_pull():
    zone = months(2022, [10, 10, 10, 10, 10, 10]) | months(2023, [20, 20, 20, 10, 10, 10])
    other = months(2022, [5] * 6) | months(2023, [5] * 6)
    city = {m: zone.get(m, D(0)) + other.get(m, D(0)) for m in zone}
    f = figure(NEV, "zone", Period.parse("2023-H1"), zone,
               parent=("city", city), peers={"zone": zone, "other": other})  # fmt: skip
    assert f.value == 90 and f.base == 60
    assert f.yoy == 50.0  # (90 − 60) / 60
    assert f.share == 75.0  # 90 / (90 + 30)
    assert f.parent_yoy == 33.3  # 120 / 90 − 1 (city H1 2022: 60 + 30)
    assert f.pull == 33.3  # (90 − 60) / 90: all of the city's growth came from the zone
    assert (f.rank, f.peers) == (1, 2)
    assert "H1 2023: 90 vehicles" in f.statement() and "base H1 2022: 60" in f.statement()


def test_rank_by_growth_and_ties():
    a, b = months(2022, [100]) | months(2023, [150]), months(2022, [10]) | months(2023, [30])
    f = figure(NEV, "a", Period.parse("2023-01"), a, peers={"a": a, "b": b}, rank_by="growth")
    assert (f.rank, f.peers) == (2, 2)  # b grew 200%, a 50%
    assert rank_of("x", {"x": D(5), "y": D(5), "z": D(7)}) == 2


def test_missing_months_are_named_and_cumulative_table():
    series = months(2023, [1, 2]) | months(2022, [1, 1, 1])
    f = figure(NEV, "s", Period.parse("2023-01..03"), series)
    assert f.value == 3 and f.missing == ["2023-03"]
    rows = monthly(series, Period.parse("2023-01..02"))
    assert rows[1] == {"month": "2023-02", "value": 2, "yoy": 100.0, "cumulative": 3,
                       "cumulativeYoY": 50.0}  # fmt: skip


def test_mean_indicators_average_the_months_reported():
    days = INDICATORS["development_days"]
    assert over({"2023-01": D(300), "2023-05": D(200)}, Period.parse("2023"), days.combine) == 250


def test_output_interval_states_its_calendar():
    # 28,000 units over 330 days × 24 h: 475,200 min / 28,000 = 16.97 min
    minutes = output_interval(D(28000), Period.parse("2022"), Calendar())
    assert round(minutes, 2) == D("16.97")
    assert Calendar().label() == "330 days × 24 h a year"
    assert round(output_interval(D(28000), Period.parse("2022"), Calendar(365, 24)), 1) == D("18.8")


def test_transformation_kpis_before_and_after():
    t = Transformation("plant", date(2022, 1, 15), "smart factory", window=2)
    assert t.before() == ["2021-11", "2021-12"] and t.after() == ["2022-02", "2022-03"]
    series = {
        "units_completed": {"2021-11": D(100), "2021-12": D(100), "2022-02": D(110),
                            "2022-03": D(110)},
        "planned_minutes": {m: D(6000) for m in ("2021-11", "2021-12", "2022-02", "2022-03")},
        "operating_cost": {"2021-11": D(1000), "2021-12": D(1000), "2022-02": D(935),
                           "2022-03": D(935)},
    }  # fmt: skip
    rows = {r["kpi"]: r for r in compare(t, series)}
    assert rows["efficiency"]["before"] == 1.0 and rows["efficiency"]["after"] == 1.1
    assert rows["efficiency"]["change"] == 10.0 and rows["efficiency"]["improved"]
    # cost per unit: 10 → 935 / 110 = 8.5, −15%
    assert rows["cost_per_unit"]["change"] == -15.0 and rows["cost_per_unit"]["improved"]
    assert "oee" not in rows  # not enough series for it


def test_report_rows_in_chinese_with_units_and_every_bad_row_named():
    rows = [
        ["指标", "填报单位", "月份", "本月数", "计量单位"],
        ["nev_output", "changan", "2023年6月", "1.2", "万辆"],
        ["resolutions", "cq-node", "2023-06", "3", "亿次"],
    ]
    (r1, a), (r2, b) = read_rows(rows)
    assert (r1, a.value, a.month) == (2, D(12000), "2023-06")
    assert b.value == D(300_000_000)
    bad = [
        ["indicator", "subject", "month", "value", "unit"],
        ["nev_output", "changan", "2023-13", "1", ""],
        ["output", "changan", "2023-01", "1", ""],
        ["nev_output", "changan", "2023-01", "-4", ""],
        ["nev_output", "changan", "2023-02", "4", "亿元"],
        ["nev_output", "changan", "2023-03", "4", ""],
        ["nev_output", "changan", "2023-03", "5", ""],
    ]
    with pytest.raises(ReportRejected) as caught:
        read_rows(bad)
    problems = [(p.row, p.field) for p in caught.value.problems]
    assert problems == [(2, "month"), (3, "indicator"), (4, "value"), (5, "unit"), (7, "month")]
    with pytest.raises(InvalidReport, match="missing columns: value"):
        read_rows([["indicator", "subject", "month"]])
