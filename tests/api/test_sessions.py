"""Handle.Net challenge-response sessions with a key pair registered as HS_PUBKEY."""

import base64
import json
import os

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from starlette.testclient import TestClient

from tests.conftest import ADMIN, PREFIX
from zhizao.api.app import create_app
from zhizao.identifiers.bulk import default_owner
from zhizao.identifiers.handle import parse_handle
from zhizao.identifiers.values import Data, HandleValue

KEYHOLDER = f"{PREFIX}/KEYHOLDER"


def b64url_int(n: int) -> str:
    raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def rsa_pair():
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    nums = key.public_key().public_numbers()
    jwk = {"kty": "RSA", "n": b64url_int(nums.n), "e": b64url_int(nums.e)}
    return jwk, lambda data: key.sign(data, padding.PKCS1v15(), hashes.SHA256())


def ec_pair():
    key = ec.generate_private_key(ec.SECP256R1())
    nums = key.public_key().public_numbers()
    jwk = {"kty": "EC", "crv": "P-256", "x": b64url_int(nums.x), "y": b64url_int(nums.y)}
    return jwk, lambda data: key.sign(data, ec.ECDSA(hashes.SHA256()))


def ed_pair():
    key = ed25519.Ed25519PrivateKey.generate()
    from cryptography.hazmat.primitives import serialization

    raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    jwk = {"kty": "OKP", "crv": "Ed25519", "x": base64.urlsafe_b64encode(raw).decode()}
    return jwk, key.sign


@pytest.fixture
def client(node):
    return TestClient(create_app(node=node), base_url="https://testserver")


def holder_with(node, jwk):
    h = parse_handle(KEYHOLDER)
    node.registry.bootstrap(
        h, [default_owner(PREFIX), HandleValue(300, "HS_PUBKEY", Data("key", jwk))]
    )
    # Let the key holder administer the prefix's handles.
    na = parse_handle(f"0.NA/{PREFIX}")
    values = list(node.store.get(na.key).values)
    group = next(v for v in values if v.type == "HS_VLIST")
    members = [*group.data.value, {"handle": KEYHOLDER, "index": 300}]
    values = [v for v in values if v is not group] + [
        HandleValue(200, "HS_VLIST", Data("vlist", members))
    ]
    node.registry.bootstrap(na, values)


def login(client, sign, identity=f"300:{KEYHOLDER}"):
    r = client.post("/api/sessions")
    assert r.status_code == 201 and r.headers["location"] == "/api/sessions/this"
    sid, nonce = r.json()["sessionId"], r.json()["nonce"]
    cnonce = base64.b64encode(os.urandom(16)).decode()
    sig = base64.b64encode(sign(base64.b64decode(nonce) + base64.b64decode(cnonce))).decode()
    header = (
        f'Handle sessionId="{sid}", id="{identity.replace(":", "%3A")}", type="HS_PUBKEY", '
        f'cnonce="{cnonce}", alg="SHA256", signature="{sig}"'
    )
    return sid, client.put("/api/sessions/this", headers={"Authorization": header})


@pytest.mark.parametrize("pair", [rsa_pair, ec_pair, ed_pair])
def test_session_login_then_write(client, node, pair):
    jwk, sign = pair()
    holder_with(node, jwk)
    sid, r = login(client, sign)
    assert r.status_code == 200, r.text
    assert r.json()["authenticated"] is True and r.json()["id"] == f"300:{KEYHOLDER}"
    auth = {"Authorization": f'Handle sessionId="{sid}"'}
    r = client.put(
        f"/api/handles/{PREFIX}/by-key",
        headers={**auth, "Content-Type": "application/json"},
        content=json.dumps([{"index": 1, "type": "URL", "data": "https://k"}]),
    )
    assert (r.status_code, r.json()["responseCode"]) == (200, 1)
    assert client.get("/api/sessions/this", headers=auth).json()["authenticated"] is True
    assert client.delete("/api/sessions/this", headers=auth).status_code == 204
    r = client.delete(f"/api/handles/{PREFIX}/by-key", headers=auth)
    assert r.status_code == 401  # the session is gone


def test_wrong_key_or_identity_is_refused(client, node):
    jwk, _ = rsa_pair()
    holder_with(node, jwk)
    _, other_sign = rsa_pair()
    _, r = login(client, other_sign)
    assert r.status_code == 401 and r.json()["authenticated"] is False
    _, r = login(client, other_sign, identity=ADMIN)  # has an HS_SECKEY, no HS_PUBKEY
    assert r.status_code == 401


def test_unauthenticated_session_grants_nothing(client, node):
    sid = client.post("/api/sessions").json()["sessionId"]
    r = client.put(
        f"/api/handles/{PREFIX}/x",
        headers={"Authorization": f'Handle sessionId="{sid}"', "Content-Type": "application/json"},
        content="[]",
    )
    assert r.status_code == 401
    assert client.get("/api/sessions/this").json() == {"authenticated": False}


def test_sessions_need_https(node):
    plain = TestClient(create_app(node=node), base_url="http://testserver")
    assert plain.post("/api/sessions").status_code == 403
