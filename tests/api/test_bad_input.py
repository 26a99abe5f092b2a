"""Bad input never gets a 500 or a stack trace: always a Handle.Net answer in JSON."""

import base64
import json
import random

import pytest
from starlette.testclient import TestClient

from tests.conftest import ADMIN, PREFIX, SECRET
from zhizao.api.app import create_app

AUTH = {"Authorization": "Basic " + base64.b64encode(f"{ADMIN}:{SECRET}".encode()).decode()}


@pytest.fixture
def client(node):
    return TestClient(
        create_app(node=node), base_url="https://testserver", raise_server_exceptions=False
    )


PATHS = [
    "/api/handles/%ff%fe",
    "/api/handles/%00",
    "/api/handles/88.118.8160/%E2%82",
    "/api/handles//x",
    "/api/handles/" + "a" * 5000,
    "/api/handles/0.NA/",
    f"/api/handles/{PREFIX}/x?index=99999999999999999999",
    f"/api/handles/{PREFIX}/x?index=-1",
    f"/api/handles/{PREFIX}/x?type=",
    "/api/handles?prefix=../../etc",
    f"/api/handles?prefix={PREFIX}&page=x",
    "/hrls/handles?URL=%",
    "/hrls/handles?URL=x&limit=0",
    "/api/prefixes?prefix=%00",
    f"/api/handles/{PREFIX}/ADMIN?callback=alert(1)",
]

BODIES = [
    b"",
    b"null",
    b"0",
    b'"x"',
    b"[null]",
    b"[[]]",
    b'{"values": {}}',
    b'{"values": [1]}',
    b'[{"index": 1e400, "type": "URL", "data": "x"}]',
    b'[{"index": 1, "type": "URL", "data": {"format": "admin", "value": 3}}]',
    b'[{"index": 1, "type": "URL", "data": {"format": "vlist", "value": [{"handle": 1}]}}]',
    b'[{"index": 1, "type": "URL", "data": "x", "references": [{"handle": "", "index": 1}]}]',
    b'[{"index": 1, "type": "URL", "data": "x", "ttl": -5}]',
    b'[{"index": 1, "type": "URL", "data": "x", "permissions": 7}]',
    b'[{"index": 2147483648, "type": "URL", "data": "x"}]',
    b'[{"index": 1, "type": "HS_SECKEY", "data": {"format": "base64", "value": "AA=="}}]',
    b"\xff\xfe\x00",
    b"[" * 10000,
    json.dumps({"handles": [1, 2]}).encode(),
]


def check(r):
    assert r.status_code < 500, (r.status_code, r.text)
    if r.status_code != 401 or r.content:
        body = r.json() if "json" in r.headers.get("content-type", "") else None
        assert body is not None or r.headers["content-type"].startswith("application/javascript")
    assert "Traceback" not in r.text


@pytest.mark.parametrize("path", PATHS)
def test_odd_paths(client, path):
    check(client.get(path, headers=AUTH))


@pytest.mark.parametrize("body", BODIES)
def test_odd_bodies(client, body):
    headers = {**AUTH, "Content-Type": "application/json"}
    check(client.put(f"/api/handles/{PREFIX}/odd", content=body, headers=headers))
    check(client.put(f"/api/handles/{PREFIX}/odd?index=1", content=body, headers=headers))
    check(client.post("/api/handles", content=body, headers=headers))
    assert client.get(f"/api/handles/{PREFIX}/odd").status_code == 404


def test_random_bytes_and_headers(client):
    rng = random.Random(20261121)
    for _ in range(200):
        body = bytes(rng.randrange(256) for _ in range(rng.randrange(64)))
        auth = "Basic " + base64.b64encode(bytes(rng.randrange(256) for _ in range(12))).decode()
        r = client.put(
            f"/api/handles/{PREFIX}/r",
            content=body,
            headers={"Content-Type": "application/json", "Authorization": auth},
        )
        check(r)
    check(client.get(f"/api/handles/{PREFIX}/ADMIN", headers={"Authorization": "Basic !!!"}))
    check(client.get(f"/api/handles/{PREFIX}/ADMIN", headers={"Authorization": "Bearer x"}))


def test_a_storage_failure_is_still_a_json_answer(node):
    app = create_app(node=node)
    with node.store.transaction() as conn:  # every read now fails inside the database
        conn.execute("DROP TABLE handles")
    c = TestClient(app, base_url="https://testserver", raise_server_exceptions=False)
    r = c.get(f"/api/handles/{PREFIX}/ADMIN")
    assert r.status_code == 500 and r.json()["responseCode"] == 2
