"""`/v1` projects API in-process on both databases: tokens and roles, problems, signing, SSE."""

import base64
import json
import threading

import pytest
from starlette.testclient import TestClient

from zhizao.api.app import create_app
from zhizao.node import Node
from zhizao.projects.signing import (
    Statement,
    document_hash,
    load_private_key,
    new_private_key,
    sign,
)
from zhizao.settings import Settings

EVENT = {"id": "sce-2023", "name": "Smart China Expo 2023", "date": "2023-09-04",
         "mainVenue": "Yuelai", "online": True, "subVenues": ["Shanghai", "Singapore"]}  # fmt: skip
PROJECT = {
    "id": "P-2023-007", "name": "Power battery pack line", "investor": "CATL-like Co",
    "origin": "out-of-province", "contractType": "formal", "amount": "4115000000",
    "sector": "C3841", "cluster": "intelligent connected NEV", "area": "Longxing",
    "responsibleUnit": "Investment Promotion Bureau", "signingEvent": "sce-2023",
    "investorParty": "catl",
}  # fmt: skip


@pytest.fixture
def api(database_url):
    node = Node(Settings(database_url=database_url))
    staff = node.projects.issue_token("alice", "bureau")
    investor = node.projects.issue_token("catl-legal", "investor", "catl")
    with TestClient(create_app(node=node), base_url="http://testserver") as client:
        client.staff = {"Authorization": f"Bearer {staff}"}
        client.investor = {"Authorization": f"Bearer {investor}"}
        yield client
    node.close()


def setup(api):
    assert api.post("/v1/signing-events", json=EVENT, headers=api.staff).status_code == 201
    assert api.post("/v1/projects", json=PROJECT, headers=api.staff).status_code == 201
    for party, side in (("liangjiang", "zone"), ("catl", "investor")):
        body = {"id": party, "name": party, "side": side}
        assert api.post("/v1/parties", json=body, headers=api.staff).status_code == 201


def test_writes_need_a_token_and_the_right_role(api):
    answer = api.post("/v1/signing-events", json=EVENT)
    assert (
        answer.status_code == 401 and answer.headers["content-type"] == "application/problem+json"
    )
    assert answer.headers["www-authenticate"].startswith("Bearer")
    bad = api.post("/v1/signing-events", json=EVENT, headers={"Authorization": "Bearer nope"})
    assert bad.status_code == 401
    forbidden = api.post("/v1/signing-events", json=EVENT, headers=api.investor)
    assert forbidden.status_code == 403 and "only bureau staff" in forbidden.json()["detail"]


def test_bad_projects_are_problems_naming_field_and_row_and_nothing_is_stored(api):
    setup(api)
    rows = [dict(PROJECT, id="A"), dict(PROJECT, id="B", amount="-3"), dict(PROJECT, id="C")]
    answer = api.post("/v1/projects", json=rows, headers=api.staff)
    assert answer.status_code == 422
    problem = answer.json()
    assert (problem["field"], problem["row"]) == ("amount", 2)
    assert problem["detail"].startswith("row 2: amount must be above zero")
    assert [p["id"] for p in api.get("/v1/projects").json()] == ["P-2023-007"]
    dup = api.post("/v1/projects", json=PROJECT, headers=api.staff)
    assert dup.status_code == 409


def test_stages_funds_and_indicators(api):
    setup(api)
    pid = PROJECT["id"]
    moved = api.post(f"/v1/projects/{pid}/stages", json={"stage": "signed", "date": "2023-09-04"},
                     headers=api.staff)  # fmt: skip
    assert moved.status_code == 200 and moved.json()["stage"] == "signed"
    wrong = api.post(f"/v1/projects/{pid}/stages", json={"stage": "at_capacity",
                     "date": "2023-10-01"}, headers=api.staff)  # fmt: skip
    assert wrong.status_code == 422 and wrong.json()["field"] == "stage"
    funds = api.put(f"/v1/projects/{pid}/funds/2023-11", json={"amount": "1000000000"},
                    headers=api.staff)  # fmt: skip
    assert funds.status_code == 200
    h2 = api.get("/v1/indicators", params={"period": "2023-H2"}).json()
    assert h2["signed"] == {"count": 1, "amount": "4115000000", "amountYi": "41.15"}
    assert h2["fundsInPlaceRate"] == round(10 / 41.15 * 100, 1)
    assert h2["areas"][0] == {"area": "Longxing", "rank": 1, "count": 1,
                              "amount": "4115000000", "amountYi": "41.15"}  # fmt: skip
    assert api.get("/v1/indicators", params={"period": "2023-H3"}).status_code == 422


def test_cloud_signing_over_http_with_a_live_board(api):
    setup(api)
    pid = PROJECT["id"]
    contract = b"%PDF-1.7 agreement"
    doc = api.post(f"/v1/projects/{pid}/documents?name=agreement.pdf", content=contract,
                   headers=api.staff)  # fmt: skip
    sha = doc.json()["sha256"]
    assert sha == document_hash(contract)
    keys = {}
    for party, headers in (("liangjiang", api.staff), ("catl", api.investor)):
        pem, public = new_private_key()
        answer = api.post(f"/v1/parties/{party}/keys", json={"publicKey": public}, headers=headers)
        assert answer.status_code == 201
        keys[party] = load_private_key(pem)
    at = "2023-09-04T10:30:00+08:00"

    def signature(party, document=sha):
        return sign(keys[party], Statement(document, pid, party, at))

    # the investor cannot sign for the zone
    body = {"document": sha, "party": "liangjiang", "signedAt": at,
            "signature": signature("liangjiang")}  # fmt: skip
    assert api.post(f"/v1/projects/{pid}/signatures", json=body,
                    headers=api.investor).status_code == 403  # fmt: skip
    # a signature over another document is refused, naming the field
    forged = dict(body, party="catl", signature=signature("catl", document_hash(b"other")))
    refused = api.post(f"/v1/projects/{pid}/signatures", json=forged, headers=api.investor)
    assert refused.status_code == 422 and refused.json()["field"] == "signature"

    seen = []
    with api.stream("GET", "/v1/signing-events/sce-2023/board/stream") as stream:

        def sign_both():
            for party, headers in (("liangjiang", api.staff), ("catl", api.investor)):
                b = {"document": sha, "party": party, "signedAt": at,
                     "signature": signature(party)}  # fmt: skip
                assert api.post(f"/v1/projects/{pid}/signatures", json=b,
                                headers=headers).status_code == 201  # fmt: skip

        signer = threading.Thread(target=sign_both)
        for line in stream.iter_lines():
            if line.startswith("data: "):
                seen.append(json.loads(line[6:]))
                if len(seen) == 1:
                    signer.start()
                if seen[-1]["signedCount"] == 1:
                    break
        signer.join()
    assert seen[0]["signedCount"] == 0 and seen[-1]["signedAmountYi"] == "41.15"
    verify = api.get("/v1/evidence/verify").json()
    assert verify["ok"] and verify["signatures"] == 2
    assert api.get(f"/v1/projects/{pid}").json()["stage"] == "signed"
    page = api.get("/v1/signing-events/sce-2023/ceremony")
    assert page.status_code == 200 and "EventSource" in page.text
    assert base64.b64decode(api.get(f"/v1/projects/{pid}").json()["signatures"][0]["signature"])


def test_openapi_describes_every_route(api):
    spec = api.get("/v1/openapi.json").json()
    assert spec["openapi"].startswith("3.1")
    assert "/v1/projects/{id}/signatures" in spec["paths"]
    assert spec["paths"]["/v1/projects"]["post"]["security"] == [{"token": []}]
    assert "/v1/trace/{item}/inside" in spec["paths"]
