"""The dashboard in a real browser (Debian's Chromium, headless) against a served demo zone."""

from __future__ import annotations

import csv
import io
import json
import urllib.parse
import urllib.request

import pytest
from openpyxl import load_workbook

from tests.web.conftest import ARTIFACTS

ALL_CHARTS_DRAWN = """() => [...document.querySelectorAll('[data-chart]')]
    .every(e => e.dataset.rendered === '1')"""
CHART_POINTS = """() => [...document.querySelectorAll('[data-chart]')].map(el => {
    const option = echarts.getInstanceByDom(el).getOption();
    const points = option.series.reduce((n, s) =>
        n + (s.data || []).filter(v => v !== null && v !== undefined).length, 0);
    return [el.dataset.chart, points, !!el.querySelector('canvas')];
})"""


def recall_rows(site, lot: str) -> list[dict[str, str]]:
    url = f"{site.url}/recall.csv?items={urllib.parse.quote(lot)}"
    with urllib.request.urlopen(url) as answer:
        return list(csv.DictReader(io.StringIO(answer.read().decode())))


def first_project(site) -> str:
    with urllib.request.urlopen(f"{site.url}/v1/projects") as answer:
        return json.loads(answer.read())[0]["id"]


PAGES = ["/", "/?lang=zh", "/?period=2023-H1", "/enterprises", "/enterprises?role=automaker",
         "/projects", "/projects/{project}", "/lookup", "/lookup?id={vehicle}", "/recall",
         "/recall?items={lot}", "/nodes"]  # fmt: skip


@pytest.mark.parametrize("template", PAGES)
def test_every_page_loads_without_errors_and_its_charts_draw_data(browse, demo_site, template):
    vehicle = recall_rows(demo_site, demo_site.lot)[0]["item"]
    path = template.format(project=first_project(demo_site), lot=urllib.parse.quote(
        demo_site.lot), vehicle=urllib.parse.quote(vehicle))  # fmt: skip
    page = browse.open(path)
    page.wait_for_function(ALL_CHARTS_DRAWN, timeout=15_000)
    charts = page.evaluate(CHART_POINTS)
    assert all(points > 0 and canvas for _, points, canvas in charts), charts
    if template in ("/", "/?period=2023-H1", "/nodes", "/lookup?id={vehicle}"):
        assert charts, f"{path} should draw charts"
    assert browse.problems == [], browse.problems


def test_overview_states_the_articles_h1_2023_figures_in_both_languages(browse):
    page = browse.open("/?period=2023-H1&lang=en")
    page.wait_for_function(ALL_CHARTS_DRAWN, timeout=15_000)
    card = page.locator('.card[data-indicator="nev_output"]')
    text = card.inner_text()
    assert "113,000 vehicles" in text and "+63.8%" in text and "74.2% of Chongqing" in text
    assert "base H1 2022: 69,000 vehicles" in text
    expo = page.locator('.card[data-indicator="signed_amount"]').inner_text()
    assert "41.15 bn yuan" in expo and "15 projects signed" in expo and "rank 1 of 9" in expo
    node = page.locator('.card[data-indicator="resolutions"]').inner_text()
    assert "+99.2%" in node and "rank 1 of 5 by growth" in node
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "overview.png"), full_page=True)
    assert (ARTIFACTS / "overview.png").stat().st_size > 50_000

    page.click("#lang-zh")
    page.wait_for_function(ALL_CHARTS_DRAWN, timeout=15_000)
    text = page.locator('.card[data-indicator="nev_output"]').inner_text()
    assert "11.3万辆" in text and "同比 +63.8%" in text and "74.2% 占重庆市" in text
    assert page.locator("select[name=period] option:checked").inner_text() == "2023年上半年"
    page.screenshot(path=str(ARTIFACTS / "overview-zh.png"), full_page=True)
    # the choice is remembered on the next page
    browse.open("/nodes")
    assert page.locator("h1").inner_text().startswith("节点统计")
    assert browse.problems == [], browse.problems


def test_period_selector_reloads_the_overview(browse):
    page = browse.open("/?lang=en")
    page.select_option("select[name=period]", "2023-H1")
    page.wait_for_url("**period=2023-H1**")
    assert "H1 2023" in page.locator("h1").inner_text()


def test_identifier_lookup_shows_record_events_and_genealogy(browse, demo_site):
    vehicle = recall_rows(demo_site, demo_site.lot)[0]["item"]
    page = browse.open("/lookup?lang=en")
    page.fill("#lookup-id", vehicle)
    page.click("#lookup-go")
    page.wait_for_function(ALL_CHARTS_DRAWN, timeout=15_000)
    assert page.locator("#record tbody tr").count() >= 1  # registered as a handle
    assert page.locator("#events tbody tr").count() >= 1
    page.click("details.genealogy summary")
    tree = page.locator("#inside").inner_text()
    assert demo_site.lot in tree  # the recalled lot is somewhere below the vehicle
    # drill down: follow the first child in the genealogy
    page.locator("#inside li li a").first.click()
    page.wait_for_load_state()
    assert vehicle in page.locator("#used").inner_text()
    assert browse.problems == [], browse.problems


def test_recall_lists_the_affected_vehicles_and_downloads_them_as_csv(browse, demo_site):
    expected = recall_rows(demo_site, demo_site.lot)
    page = browse.open("/recall?lang=en")
    page.fill("#recall-items", demo_site.lot)
    page.click("#recall-go")
    noun = "item" if len(expected) == 1 else "items"
    assert page.locator("#affected").inner_text() == f"{len(expected)} affected {noun}"
    assert page.locator("#recall tbody tr").count() == len(expected) > 0
    with page.expect_download() as download:
        page.click("#recall-csv")
    rows = list(csv.DictReader(io.StringIO(open(download.value.path(), encoding="utf-8").read())))
    assert [r["item"] for r in rows] == [r["item"] for r in expected]
    assert all(r["contains"] == demo_site.lot for r in rows)
    assert browse.problems == [], browse.problems


def test_the_export_link_downloads_the_periods_indicator_table(browse):
    page = browse.open("/?period=2023-H1&lang=en")
    with page.expect_download() as download:
        page.click("a.export")
    assert download.value.suggested_filename.endswith(".xlsx")
    with open(download.value.path(), "rb") as f:
        sheet = load_workbook(f).active
    rows = list(sheet.iter_rows(values_only=True))
    found = [r for r in rows if r[0] == "nev_output" and r[2] == "liangjiang"]
    assert found and found[0][5] == 113_000
