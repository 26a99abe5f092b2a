"""The Handle.Net JSON REST API, in-process against a real SQLite file."""

import base64
import json

import pytest
from starlette.testclient import TestClient

from tests.conftest import ADMIN, PREFIX, SECRET
from zhizao.api.app import create_app


def basic(user=ADMIN, password=SECRET, encode=True):
    from urllib.parse import quote

    u = quote(user) if encode else user
    return {"Authorization": "Basic " + base64.b64encode(f"{u}:{password}".encode()).decode()}


@pytest.fixture
def client(node):
    return TestClient(create_app(node=node), base_url="https://testserver")


@pytest.fixture
def plain(node):
    return TestClient(create_app(node=node), base_url="http://testserver")


def put(client, handle, body, params="", headers=None, ctype="application/json"):
    hdrs = {**basic(), "Content-Type": ctype, **(headers or {})}
    data = body if isinstance(body, (bytes, str)) else json.dumps(body)
    return client.put(f"/api/handles/{handle}{params}", content=data, headers=hdrs)


PYHANDLE_BODY = {
    "values": [
        {
            "index": 100,
            "type": "HS_ADMIN",
            "data": {
                "value": {
                    "index": "200",
                    "handle": f"0.NA/{PREFIX}",
                    "permissions": "011111110011",
                },
                "format": "admin",
            },
        },
        {"index": 1, "type": "URL", "data": "https://example.com/p1"},
    ]
}


def test_create_resolve_delete_with_handle_net_codes(client):
    h = f"{PREFIX}/Part-001"
    r = put(client, h, PYHANDLE_BODY, "?overwrite=false")
    assert (r.status_code, r.json()) == (201, {"responseCode": 1, "handle": h})
    r = put(client, h, PYHANDLE_BODY, "?overwrite=false")
    assert (r.status_code, r.json()["responseCode"]) == (409, 101)
    assert put(client, h, PYHANDLE_BODY).status_code == 200  # PUT defaults to overwrite
    r = client.get(f"/api/handles/{h}")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/json")
    body = r.json()
    assert body["handle"] == h and body["responseCode"] == 1
    assert [v["type"] for v in body["values"]] == ["URL", "HS_ADMIN"]
    # The prefix is case-insensitive and the handle is echoed as sent.
    assert client.get(f"/api/handles/{PREFIX}/Part-001").json()["handle"] == h
    assert client.get(f"/api/handles/{PREFIX}/part-001").status_code == 404
    r = client.delete(f"/api/handles/{h}", headers=basic())
    assert (r.status_code, r.json()) == (200, {"responseCode": 1, "handle": h})
    r = client.delete(f"/api/handles/{h}", headers=basic())
    assert (r.status_code, r.json()["responseCode"], r.json()["handle"]) == (404, 100, h)


def test_add_modify_remove_values_by_index(client):
    h = f"{PREFIX}/v"
    put(client, h, PYHANDLE_BODY)
    r = put(
        client, h, {"values": [{"index": 5, "type": "K", "data": "a"}]}, "?index=5&overwrite=false"
    )
    assert (r.status_code, r.json()["responseCode"]) == (201, 1)
    r = put(
        client, h, {"values": [{"index": 5, "type": "K", "data": "a"}]}, "?index=5&overwrite=false"
    )
    assert (r.status_code, r.json()["responseCode"]) == (409, 201)
    r = put(
        client,
        h,
        {
            "values": [
                {"index": 1, "type": "URL", "data": "u2"},
                {"index": 4, "type": "N", "data": "n"},
            ]
        },
        "?index=1&index=4&overwrite=true",
    )
    assert r.status_code == 200
    r = put(client, h, {"values": [{"index": 6, "type": "K", "data": "a"}]}, "?index=7")
    assert (r.status_code, r.json()["responseCode"]) == (400, 4)
    r = put(client, h, {"values": [{"index": 9, "type": "K", "data": "a"}]}, "?index=various")
    assert r.status_code == 200
    got = client.get(f"/api/handles/{h}?index=1&type=N").json()["values"]
    assert [(v["index"], v["data"]["value"]) for v in got] == [(1, "u2"), (4, "n")]
    assert client.delete(f"/api/handles/{h}?index=4", headers=basic()).status_code == 200
    r = client.delete(f"/api/handles/{h}?index=4", headers=basic())
    assert (r.status_code, r.json()["responseCode"]) == (400, 200)


def test_resolution_filter_with_no_match_is_rc_200_values_empty(client):
    r = client.get(f"/api/handles/{PREFIX}/ADMIN?type=URL")
    assert r.status_code == 200
    assert r.json() == {
        "responseCode": 200,
        "handle": f"{PREFIX}/ADMIN",
        "values": [],
        "message": "Values Not Found",
    }


def test_not_homed_prefix_is_rc_301(client):
    r = client.get("/api/handles/99.1/x")
    assert (r.status_code, r.json()["responseCode"]) == (400, 301)
    assert r.json()["message"] == "That prefix doesn't live here"


def test_mint_new_suffix(client):
    r = put(client, f"{PREFIX}/", PYHANDLE_BODY["values"], "?overwrite=false&mintNewSuffix=true")
    assert r.status_code == 201
    minted = r.json()["handle"]
    assert minted.startswith(f"{PREFIX}/") and len(minted) > len(PREFIX) + 30
    assert client.get(f"/api/handles/{minted}").status_code == 200


def test_listing_needs_the_list_bit_and_returns_total_as_string(client):
    r = client.get(f"/api/handles?prefix={PREFIX}&page=0&pageSize=1", headers=basic())
    body = r.json()
    assert (
        r.status_code == 200
        and body["totalCount"] == "1"
        and body["handles"] == [f"{PREFIX}/ADMIN"]
    )
    assert (body["page"], body["pageSize"]) == (0, 1)
    r = client.get(f"/api/handles?prefix={PREFIX}")
    assert (r.status_code, r.json()["responseCode"]) == (401, 402)
    assert client.get("/api/handles").json()["responseCode"] == 102


@pytest.mark.parametrize(
    "body, ctype, rc",
    [
        ("{not json", "application/json", 4),
        ('{"values": 3}', "application/json", 4),
        ("[]", "text/plain", 4),
        ('[{"index": "x", "type": "URL", "data": "a"}]', "application/json", 202),
        (
            '[{"index": 1, "type": "URL", "data": "a"}, {"index": 1, "type": "URL", "data": "b"}]',
            "application/json",
            202,
        ),
        ('{"handle": "88.118.8160/other", "values": []}', "application/json", 4),
    ],
)
def test_bad_bodies_get_handle_net_errors(client, body, ctype, rc):
    r = put(client, f"{PREFIX}/bad", body, ctype=ctype)
    assert r.status_code == 400
    assert r.json()["responseCode"] == rc and r.json()["message"]
    assert client.get(f"/api/handles/{PREFIX}/bad").status_code == 404  # nothing written


def test_bad_value_error_names_the_field(client):
    r = put(
        client,
        f"{PREFIX}/bad",
        '[{"index": 1, "type": "URL", "data": "a"}, '
        '{"index": 2, "type": "URL", "data": "b", "permissions": "xyz"}]',
    )
    assert "values[1].permissions" in r.json()["message"]


def test_oversized_body_is_refused(node):
    node.settings = node.settings.with_overrides(max_body_bytes=100)
    c = TestClient(create_app(node=node), base_url="https://testserver")
    r = put(c, f"{PREFIX}/big", [{"index": 1, "type": "URL", "data": "x" * 500}])
    assert (r.status_code, r.json()["responseCode"]) == (413, 4)


def test_malformed_handles_and_indexes(client):
    assert client.get("/api/handles/88..1/x").json()["responseCode"] == 102
    r = client.get(f"/api/handles/{PREFIX}/ADMIN?index=abc")
    assert (r.status_code, r.json()["responseCode"]) == (400, 4)


def test_credentials(client, plain):
    h = f"{PREFIX}/c"
    r = put(client, h, PYHANDLE_BODY, headers=basic(password="wrong"))
    assert r.status_code == 401 and r.content == b""
    assert 'Basic realm="handle"' in r.headers["www-authenticate"]
    r = client.put(
        f"/api/handles/{h}",
        content=json.dumps(PYHANDLE_BODY),
        headers={"Content-Type": "application/json"},
    )
    assert (r.status_code, r.json()["responseCode"]) == (401, 402)
    # Unencoded `index:handle` as typed by hand also works.
    assert put(client, h, PYHANDLE_BODY, headers=basic(encode=False)).status_code == 200
    # Plain HTTP: credentials refused (403, rc 402), nothing written.
    r = put(plain, f"{PREFIX}/plain", PYHANDLE_BODY)
    assert (r.status_code, r.json()["responseCode"]) == (403, 402)
    assert client.get(f"/api/handles/{PREFIX}/plain").status_code == 404


def test_insecure_loopback_flag_allows_plain_http_from_loopback(node):
    node.settings = node.settings.with_overrides(insecure_loopback_auth=True)
    c = TestClient(create_app(node=node), base_url="http://testserver", client=("127.0.0.1", 5000))
    assert put(c, f"{PREFIX}/dev", PYHANDLE_BODY).status_code == 200
    far = TestClient(create_app(node=node), base_url="http://testserver", client=("10.1.2.3", 5000))
    assert put(far, f"{PREFIX}/dev2", PYHANDLE_BODY).status_code == 403


def test_missing_permission_is_403(client, node):
    from zhizao.provision import create_prefix

    create_prefix(node, "77.1", "300:77.1/ADMIN", "pw")
    r = put(client, f"{PREFIX}/x", PYHANDLE_BODY, headers=basic("300:77.1/ADMIN", "pw"))
    assert (r.status_code, r.json()["responseCode"]) == (403, 400)


def test_unicode_suffix(client):
    h = f"{PREFIX}/电池包-001"
    assert put(client, h, PYHANDLE_BODY).status_code == 200
    r = client.get(f"/api/handles/{h}")
    assert r.json()["handle"] == h


def test_unknown_endpoints_and_methods_answer_json(client):
    r = client.get("/api/nothing")
    assert (r.status_code, r.json()["responseCode"]) == (404, 4)
    r = client.request("PATCH", f"/api/handles/{PREFIX}/ADMIN")
    assert r.status_code == 501 and r.json()["responseCode"] == 4
    r = client.post(f"/api/handles/{PREFIX}/ADMIN")
    assert (r.status_code, r.json()["responseCode"]) == (405, 4)
    assert r.json()["message"] == f"Unknown HTTP API endpoint POST /api/handles/{PREFIX}/ADMIN"


def test_prefixes_and_site(client, node):
    node.store.add_server_admin(ADMIN)
    assert client.get("/api/prefixes").json()["prefixes"] == [PREFIX]
    assert client.post("/api/prefixes?prefix=88.5").json()["responseCode"] == 402
    from zhizao.provision import create_prefix

    create_prefix(node, "77.1", "300:77.1/ADMIN", "pw")  # a prefix admin, not a server admin
    r = client.post("/api/prefixes?prefix=88.5", headers=basic("300:77.1/ADMIN", "pw"))
    assert (r.status_code, r.json()["responseCode"]) == (403, 400)
    assert "home prefix 88.5" in r.json()["message"]
    assert client.post("/api/prefixes?prefix=88.5", headers=basic()).json()["responseCode"] == 1
    assert client.get("/api/prefixes").json()["prefixes"] == ["77.1", PREFIX, "88.5"]
    assert client.request("DELETE", "/api/prefixes/88.5", headers=basic()).status_code == 200
    assert client.get("/api/handles/88.5/x").json()["responseCode"] == 301
    site = client.get("/api/site").json()
    assert (
        site["responseCode"] == 1
        and site["site"]["servers"][0]["interfaces"][0]["protocol"] == "HTTPS"
    )


def test_reverse_lookup(client):
    put(client, f"{PREFIX}/a", PYHANDLE_BODY)
    r = client.get("/hrls/handles?URL=https://example.com/p1", headers=basic())
    assert r.json() == [f"{PREFIX}/a"]
    assert client.get("/hrls/handles?URL=*example*&limit=1", headers=basic()).json() == [
        f"{PREFIX}/a"
    ]
    assert client.get("/hrls/handles?URL=x").status_code == 401
    assert client.get("/hrls/handles?FOO=x", headers=basic()).status_code == 400


def test_resolutions_are_counted_per_prefix(client, node):
    for _ in range(3):
        client.get(f"/api/handles/{PREFIX}/ADMIN")
    client.get(f"/api/handles/{PREFIX}/ADMIN?type=HS_ADMIN")
    client.get("/api/handles/99/not-here")
    assert node.flush_counts() == 4
    rows = list(node.store.resolution_counts(None))
    assert [(p, n) for p, _, n in rows] == [(PREFIX, 4)]


def test_batch_registration_over_http_is_all_or_nothing(client):
    items = [
        {"handle": f"{PREFIX}/b{i}", "values": [{"index": 1, "type": "URL", "data": f"u{i}"}]}
        for i in range(3)
    ]
    r = client.post("/api/handles", json={"handles": items}, headers=basic())
    assert r.json() == {"responseCode": 1, "created": 3, "skipped": 0}
    assert (
        client.post("/api/handles", json={"handles": items}, headers=basic()).json()["skipped"] == 3
    )
    bad = items + [{"handle": f"{PREFIX}/b9", "values": [{"index": 1, "type": "URL"}]}]
    bad[0] = {"handle": f"{PREFIX}/new0", "values": [{"index": 1, "type": "URL", "data": "x"}]}
    r = client.post("/api/handles", json={"handles": bad}, headers=basic())
    assert r.status_code == 400 and "handles[3].values[0].data" in r.json()["message"]
    assert client.get(f"/api/handles/{PREFIX}/new0").status_code == 404
    r = client.post("/api/handles", json={"handles": items})
    assert r.status_code == 401
