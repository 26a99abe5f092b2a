"""Stages, periods and indicators, with expected values computed by hand."""

from datetime import date
from decimal import Decimal

import pytest

from zhizao.errors import InvalidPeriod, InvalidProject
from zhizao.projects.indicators import area_ranking, indicators
from zhizao.projects.model import Stage, project_from
from zhizao.projects.stages import advance, record_funds, record_output
from zhizao.stats.period import Period

YI = 100_000_000


def make(pid, amount_yi, signed, *, area="Yufu", cluster="auto parts", origin="local",
         sector="C36"):  # fmt: skip
    return project_from({
        "id": pid, "name": f"Project {pid}", "investor": "Inv", "origin": origin,
        "contractType": "formal", "amount": str(Decimal(amount_yi) * YI), "sector": sector,
        "cluster": cluster, "area": area, "responsibleUnit": "Bureau", "signedOn": signed,
    })  # fmt: skip


def test_periods():
    assert Period.parse("2023-06").months() == ["2023-06"]
    h1 = Period.parse("2023-H1")
    assert (h1.start, h1.end) == (date(2023, 1, 1), date(2023, 7, 1))
    assert Period.parse("2023-01..06").months() == h1.months()
    assert str(Period.parse("2023-01..06").year_before()) == "2022-01..06"
    assert Period.parse("2023").label() == "2023"
    assert Period.parse("2023-H2").label() == "H2 2023"
    for bad in ("2023-13", "2023-H3", "23-06", "2023-02..06"):
        with pytest.raises(InvalidPeriod):
            Period.parse(bad)


def test_stage_moves():
    p = make("p1", 10, "2023-03-01")
    with pytest.raises(InvalidProject, match="cannot go from signed to in_production"):
        advance(p, Stage.IN_PRODUCTION, date(2023, 5, 1))
    advance(p, Stage.STARTED, date(2023, 5, 1))
    with pytest.raises(InvalidProject, match="before started"):
        advance(p, Stage.UNDER_CONSTRUCTION, date(2023, 4, 1))
    advance(p, Stage.IN_PRODUCTION, date(2023, 11, 1))  # started and done within the year
    with pytest.raises(InvalidProject, match="allowed: at_capacity"):
        advance(p, Stage.SIGNED, date(2023, 12, 1))
    assert p.stage is Stage.IN_PRODUCTION
    assert p.stage_on(date(2023, 6, 30)) is Stage.STARTED


def test_funds_and_output_rules():
    p = make("p1", 10, "2023-03-01")
    with pytest.raises(InvalidProject, match="precede the signing"):
        record_funds(p, "2023-02", Decimal(1))
    with pytest.raises(InvalidProject, match="twice the contracted"):
        record_funds(p, "2023-04", Decimal(21) * YI)
    with pytest.raises(InvalidProject, match="not YYYY-MM"):
        record_funds(p, "2023-4", Decimal(1))
    with pytest.raises(InvalidProject, match="not in production"):
        record_output(p, "2023-04", Decimal(100))
    record_funds(p, "2023-04", Decimal(3) * YI)
    record_funds(p, "2023-04", Decimal(2) * YI)  # a month's figure is replaced, not added
    assert p.funds == {"2023-04": Decimal(2) * YI}


def test_bad_fields_name_the_field_and_row():
    cases = {
        "amount": ("-5", "amount must be above zero"),
        "sector": ("A36", "not a GB/T 4754-2017"),
        "origin": ("mars", "origin 'mars' is not one of"),
        "cluster": ("tea", "not one of the zone's clusters"),
    }
    for name, (value, message) in cases.items():
        fields = make("x", 1, "2023-01-01").to_json() | {"amount": "1", "contractType": "formal",
                                                          "responsibleUnit": "B"}  # fmt: skip
        fields[name] = value
        with pytest.raises(InvalidProject, match=message) as caught:
            project_from(fields, row=7)
        assert (caught.value.field, caught.value.row) == (name, 7)
    with pytest.raises(InvalidProject, match="amount 'abc' is not a number"):
        project_from(fields | {"cluster": "auto parts", "amount": "abc"})


def test_indicators_by_hand():
    # Signed H1 2023: a (10 亿, started Apr, funds 2+1), b (20 亿, foreign, funds 0),
    # c (5 亿, in production by June). d signed H2 2023, e signed H1 2022 (8 亿).
    a = make("a", 10, "2023-01-15", area="Yufu")
    advance(a, Stage.STARTED, date(2023, 4, 1))
    record_funds(a, "2023-02", Decimal(2) * YI)
    record_funds(a, "2023-06", Decimal(1) * YI)
    record_funds(a, "2023-07", Decimal(4) * YI)  # after the period: not counted
    b = make("b", 20, "2023-03-10", area="Longxing", origin="foreign", sector="C39",
             cluster="electronic information")  # fmt: skip
    c = make("c", 5, "2023-02-01", area="Yufu")
    advance(c, Stage.STARTED, date(2023, 3, 1))
    advance(c, Stage.IN_PRODUCTION, date(2023, 6, 30))
    d = make("d", 7, "2023-08-01")
    e = make("e", 8, "2022-05-05")
    result = indicators([a, b, c, d, e], Period.parse("2023-H1"))
    assert (result.signed.count, result.signed.amount) == (3, Decimal(35) * YI)
    assert result.by_origin["foreign"].amount == Decimal(20) * YI
    assert result.by_cluster["auto parts"].count == 2
    assert result.signed_last_year.amount == Decimal(8) * YI
    assert result.amount_yoy == 337.5  # (35 - 8) / 8
    # rates over projects signed by 2023-06-30: a, b, c, e (4); contracted 43 亿
    assert result.base == 4
    assert result.start_rate == 50.0  # a, c
    assert result.fulfilment_rate == 50.0  # a, c (b and e: no start, no funds)
    assert result.in_production_rate == 25.0  # c
    assert result.funds_in_place_rate == round(3 / 43 * 100, 1)  # 7.0
    ranking = area_ranking([a, b, c, d, e], Period.parse("2023-H1"))
    assert [(r["area"], r["rank"], r["amountYi"]) for r in ranking] == [
        ("Longxing", 1, "20.00"), ("Yufu", 2, "15.00")
    ]  # fmt: skip


def test_advance_to_takes_the_shortest_allowed_path():
    from zhizao.projects.stages import advance_to

    p = make("p1", 10, "2023-03-01")
    advance_to(p, Stage.IN_PRODUCTION, date(2023, 9, 1))
    assert [s.value for s, _ in p.history] == ["signed", "started", "in_production"]
    with pytest.raises(InvalidProject, match="cannot go from in_production to negotiating"):
        advance_to(p, Stage.NEGOTIATING, date(2023, 10, 1))
