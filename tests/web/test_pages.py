"""The dashboard's pages in-process (no browser): content, units, languages, errors, assets."""

from __future__ import annotations

import re

import pytest
from starlette.testclient import TestClient

from tests.conftest import demo_client
from zhizao.api.app import create_app
from zhizao.node import Node
from zhizao.settings import Settings
from zhizao.stats.period import Period
from zhizao.web import assets
from zhizao.web.i18n import MESSAGES, SINGULAR_EN, Translator
from zhizao.web.pages import script_json


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    yield from demo_client(tmp_path_factory.mktemp("web") / "zone.db", seed=3, scale=0.0005)


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_overview_defaults_to_the_latest_months_and_offers_the_articles_period(site):
    page = site.get("/", headers={"accept-language": "en-GB,en"})
    assert page.status_code == 200
    assert "Liangjiang New Area · 2023" in text_of(page.text)  # reports to December 2023
    assert '<option value="2023-H1">H1 2023</option>' in page.text
    assert "/v1/stats/report?period=2023&amp;format=xlsx" in page.text


def test_overview_in_chinese_uses_wan_and_yi_units(site):
    page = site.get("/", params={"period": "2023", "lang": "zh"})
    body = text_of(page.text)
    assert "两江新区 · 2023年" in body
    assert "签约项目15个" in body and "411.5亿元" in body  # the 2023 expo, the articles' figure
    assert page.cookies.get("lang") == "zh"


def test_the_accept_language_header_picks_chinese(site):
    site.cookies.clear()
    page = site.get("/nodes", headers={"accept-language": "zh-CN,zh;q=0.9"})
    assert "节点统计" in page.text


def test_a_bad_period_is_an_error_page_naming_the_field(site):
    page = site.get("/", params={"period": "2023-13", "lang": "en"})
    assert page.status_code == 422
    assert "is not a period" in page.text and "(period)" in page.text


def test_an_unknown_project_is_a_404_page(site):
    page = site.get("/projects/NOPE-1", params={"lang": "en"})
    assert page.status_code == 404 and "NOPE-1" in page.text


def test_project_page_checks_each_signature_and_the_evidence_log(site):
    listing = site.get("/projects", params={"lang": "en"})
    assert "Evidence log verified" in listing.text
    first = re.search(r'href="/projects/([^"]+)"', listing.text)
    assert first
    page = site.get(f"/projects/{first.group(1)}", params={"lang": "en"})
    assert page.status_code == 200 and "Stage history" in page.text


def test_recall_csv_needs_items_and_names_them(site):
    answer = site.get("/recall.csv")
    assert answer.status_code == 400 and "at least one lot" in answer.text
    lot = site.zone.recall_lot
    answer = site.get("/recall.csv", params={"items": lot})
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/csv")
    lines = answer.text.strip().splitlines()
    assert lines[0].startswith("item,contains") and len(lines) > 1
    assert all(lot in line for line in lines[1:])


def test_lookup_of_an_unknown_identifier_says_so(site):
    page = site.get("/lookup", params={"id": "88.118.9999/nothing", "lang": "en"})
    assert page.status_code == 200
    body = text_of(page.text)
    assert "not in any genealogy" in body and "no events recorded" in body


def test_overview_without_a_zone_subject_explains_what_to_do(tmp_path):
    node = Node(Settings(database_url=f"sqlite:///{tmp_path / 'empty.db'}"))
    with TestClient(create_app(node=node)) as client:
        page = client.get("/", params={"lang": "en"})
    assert page.status_code == 200 and "zhizao demo" in page.text


@pytest.mark.parametrize(
    ("value", "unit", "zh", "en"),
    [(113_000, "vehicles", "11.3万辆", "113,000 vehicles"),
     (41_150_000_000, "yuan", "411.5亿元", "41.15 bn yuan"),
     (4_980_000_000, "queries", "49.8亿次", "4.98 bn queries"),
     (28_000, "units", "2.8万台", "28,000 units"), (None, "units", "—", "—")],
)  # fmt: skip
def test_numbers_in_the_units_readers_use(value, unit, zh, en):
    assert Translator("zh").quantity(value, unit) == zh
    assert Translator("en").quantity(value, unit) == en


def test_counts_of_one_are_singular_in_english():
    en, zh = Translator("en"), Translator("zh")
    assert en("affected", n=1) == "1 affected item" and en("affected", n=2) == "2 affected items"
    assert en("projects_signed", n=1) == "1 project signed"
    assert en("evidence_ok", n=1).startswith("Evidence log verified: 1 entry,")
    assert zh("affected", n=1) == "受影响1件"
    assert all(key in MESSAGES for key in SINGULAR_EN)


def test_period_names_in_chinese():
    t = Translator("zh")
    assert [t.period(Period.parse(p)) for p in ("2023-06", "2023-01..06", "2023-H1", "2023")] == [
        "2023年6月", "2023年1–6月", "2023年上半年", "2023年"]  # fmt: skip


def test_assets_refuse_a_download_whose_digest_is_not_the_lockfiles():
    (pin,) = assets.pinned(assets.lockfile())
    assert pin.name == "echarts" and pin.integrity.startswith("sha512-")
    with pytest.raises(assets.AssetError, match="digest"):
        pin.check(b"not the tarball")
    assert pin.tarball_url("https://registry.npmjs.org/").endswith(
        f"/echarts/-/echarts-{pin.version}.tgz"
    )


def test_assets_are_installed_and_served_locally(site):
    assert assets.missing() == []
    answer = site.get("/static/vendor/echarts/dist/echarts.min.js")
    assert answer.status_code == 200 and len(answer.content) > 500_000
    assert "cdn" not in site.get("/").text.lower()


def test_what_a_visitor_types_is_escaped_in_the_page_and_in_chart_data(site):
    hostile = "88.118.8160/</script><script>alert(1)</script>"
    page = site.get("/lookup", params={"id": hostile, "lang": "en"})
    assert "<script>alert(1)" not in page.text
    assert "&lt;/script&gt;&lt;script&gt;alert(1)" in page.text
    assert "</script>" not in script_json({"tree": {"name": "</script><!--"}})


def test_overview_tables_each_transformed_enterprise_before_and_after(site):
    page = text_of(site.get("/", params={"lang": "en"}).text)
    assert "Transformed on" in page
    # Changan's development cycle, the articles' "shortened by 30 percent"
    assert re.search(r"Changan[^|]*? 2021-12-01 .*?600\.00 → 420\.00 \(−30\.0%\)", page)


def test_lookup_lists_events_with_bare_terms_and_their_location(site):
    lot = site.zone.recall_lot
    vehicle = site.get("/recall.csv", params={"items": lot}).text.splitlines()[1].split(",")[0]
    page = site.get("/lookup", params={"id": vehicle, "lang": "en"}).text
    events = text_of(page[page.index('id="events"') :])
    assert " commissioning " in events and "urn:epc:id:sgln:" in events
    assert "{'id'" not in page and "{&#39;id&#39;" not in page
