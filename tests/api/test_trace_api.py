"""`/v1/trace` and `/v1/recalls` over HTTP, in-process."""

import json

import pytest
from starlette.testclient import TestClient

from zhizao.api.app import create_app
from zhizao.demo.genealogy import documents, generate


@pytest.fixture
def loaded(node):
    g = generate(2, modules_per_pack=2, cells_per_module=2, lot_size=3, replace_every=0)
    with TestClient(create_app(node=node)) as client:
        doc = next(documents(g.events, 1000))
        assert client.post("/epcis/capture", content=json.dumps(doc)).status_code == 202
        yield g, client


def test_inside_where_used_and_recall(loaded):
    g, client = loaded
    vin = g.vehicles[0]
    inside = client.get(f"/v1/trace/{vin}/inside")
    assert inside.status_code == 200
    assert inside.json()["tree"]["contains"][0]["id"] == g.pack_of[vin]
    used = client.get(f"/v1/trace/{g.lots[0]}/where-used", params={"scope": "ever"}).json()
    assert used["usedIn"][0]["id"] == vin and used["usedIn"][0]["path"][-1] == g.lots[0]
    recall = client.post("/v1/recalls", json={"items": [g.lots[0]]}).json()
    assert recall["affected"][0]["item"] == vin
    csv = client.post("/v1/recalls?format=csv", json={"items": [g.lots[0]]})
    assert csv.headers["content-type"].startswith("text/csv")
    assert csv.text.splitlines()[1].startswith(vin)


def test_trace_errors_are_problems(loaded):
    _, client = loaded
    missing = client.get("/v1/trace/hdl:88.118.8160/NOPE/inside")
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("application/problem+json")
    assert "appears in no genealogy event" in missing.json()["detail"]
    bad = client.post("/v1/recalls", json={"lots": []})
    assert bad.status_code == 400 and bad.json()["field"] == "items"
    when = client.get(f"/v1/trace/{loaded[0].vehicles[0]}/inside", params={"at": "soon"})
    assert when.status_code == 400 and when.json()["field"] == "at"
