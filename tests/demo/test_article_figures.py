"""Every figure of the two articles, computed by zhizao's API from the demo zone's records.

The demo stores monthly reports, projects, events and counters; none of these answers is
stored anywhere: each is summed, compared and ranked on request.
"""

import pytest

from tests.conftest import demo_client


@pytest.fixture(scope="module")
def api(tmp_path_factory):
    yield from demo_client(tmp_path_factory.mktemp("demo") / "zone.db", seed=7, scale=0.001)


def get(api, path, **params):
    response = api.get(path, params=params)
    assert response.status_code == 200, response.text
    return response.json()


def test_h1_2023_nev_output_yoy_and_share_of_the_city(api):
    f = get(api, "/v1/stats/figures", indicator="nev_output", subject="liangjiang",
            period="2023-H1")  # fmt: skip
    assert f["value"] == 113_000 and f["base"] == 69_000 and f["basePeriod"] == "2022-H1"
    assert 63 <= f["yoy"] < 64  # "up 63 percent" (113,000 / 69,000 = +63.8%)
    assert f["parent"] == "chongqing" and f["share"] == 74.2
    assert "H1 2023: 113,000 vehicles" in f["statement"]


def test_expos_2021_and_2023_and_first_in_chongqing(api):
    r21 = get(api, "/v1/indicators", period="2021-08", signingEvent="sce-2021",
              area="Liangjiang New Area")  # fmt: skip
    assert r21["signed"]["count"] == 25 and r21["signed"]["amountYi"] == "463.00"
    r23 = get(api, "/v1/indicators", period="2023-09", signingEvent="sce-2023",
              area="Liangjiang New Area")  # fmt: skip
    assert r23["signed"]["count"] == 15 and r23["signed"]["amountYi"] == "411.50"
    assert r23["areas"][0] == {**r23["areas"][0], "area": "Liangjiang New Area", "rank": 1}
    assert len(r23["areas"]) == 9  # the zone and eight other districts signed at SCE 2023
    # the same ranking from the stats side: signed amount per district, from the projects
    f = get(api, "/v1/stats/figures", indicator="signed_amount", subject="liangjiang",
            period="2023-09")  # fmt: skip
    assert f["value"] == 41_150_000_000 and f["rank"] == 1 and f["peers"] == 9


def test_changan_park_10_2_bn_and_133000_nevs_in_three_years(api):
    park = get(api, "/v1/projects/LJ-2018-01")
    assert park["amount"] == "10200000000" and park["signingEvent"] == "sce-2018"
    assert sum(int(v) for m, v in park["output"].items() if m <= "2021-08") == 133_000


def test_zone_has_10_automakers_and_over_200_suppliers_with_prefixes(api):
    automakers = get(api, "/v1/stats/subjects", parent="liangjiang", role="automaker")
    suppliers = get(api, "/v1/stats/subjects", parent="liangjiang", role="supplier")
    assert len(automakers) == 10 and len(suppliers) > 200
    assert all(s["prefix"] for s in automakers + suppliers)


def test_excavator_in_about_17_minutes(api):
    f = get(api, "/v1/stats/output-interval", indicator="excavator_output", subject="sany-cq",
            period="2022")  # fmt: skip
    assert f["units"] == 28_000 and f["calendar"] == "330 days × 24 h a year"
    assert round(f["minutesPerUnit"]) == 17


def test_transformation_kpis(api):
    k = get(api, "/v1/stats/kpis")
    assert k["average"]["cost_per_unit"] <= -15  # "operating cost reduced by more than 15%"
    assert k["average"]["efficiency"] >= 10  # "production efficiency up more than 10%"
    assert k["average"]["energy_utilisation"] >= 8  # "energy utilisation up over 8%"
    changan = {r["kpi"]: r for r in k["subjects"]["changan"]["kpis"]}
    assert changan["development_days"]["change"] == -30.0  # launch cycle shortened by 30%


def test_resolution_volume_up_99_2_percent_first_of_five_top_level_nodes(api):
    f = get(api, "/v1/stats/figures", indicator="resolutions", subject="node-chongqing",
            period="2023-H1", rankBy="growth")  # fmt: skip
    assert f["yoy"] == 99.2 and f["rank"] == 1 and f["peers"] == 5


def test_traced_sample_outputs_come_from_events(api):
    zone = api.zone
    assert zone.traced_vehicles > 0 and zone.recall_lot
    traced = get(api, "/v1/stats/figures", indicator="nev_output", subject="liangjiang",
                 period="2023", source="records")  # fmt: skip
    assert traced["value"] == zone.traced_vehicles
    recall = api.post("/v1/recalls", json={"items": [zone.recall_lot]})
    assert recall.status_code == 200 and recall.json()["count"] > 0


def test_bad_parameters_are_problems_naming_the_field(api):
    r = api.get("/v1/stats/figures", params={"indicator": "nev", "subject": "liangjiang",
                                             "period": "2023"})  # fmt: skip
    assert r.status_code == 422 and r.json()["field"] == "indicator"
    r = api.get("/v1/stats/figures", params={"indicator": "nev_output", "subject": "atlantis",
                                             "period": "2023"})  # fmt: skip
    assert r.status_code == 404 and r.json()["field"] == "subject"
    r = api.get("/v1/stats/figures", params={"indicator": "nev_output", "subject": "liangjiang",
                                             "period": "2023", "source": "rumour"})  # fmt: skip
    assert r.status_code == 422 and r.json()["field"] == "source"
    r = api.get("/v1/stats/figures", params={"indicator": "nev_output", "subject": "liangjiang"})
    assert r.status_code == 422 and r.json()["field"] == "period"


def test_indicator_table_exports_as_xlsx(api, tmp_path):
    from openpyxl import load_workbook

    r = api.get("/v1/stats/report", params={"period": "2023-H1", "format": "xlsx"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/vnd.open")
    (tmp_path / "r.xlsx").write_bytes(r.content)
    rows = list(load_workbook(tmp_path / "r.xlsx").active.iter_rows(values_only=True))
    zone = next(row for row in rows if row[0] == "nev_output" and row[2] == "liangjiang")
    assert zone[5] == 113_000 and zone[11] == 74.2
