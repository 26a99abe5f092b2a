"""`zhizao serve` as a real process: workers, counters flushed on SIGTERM."""

import subprocess

import requests

from tests.conftest import PREFIX, Server, zhizao_cmd


def test_sigterm_flushes_resolution_counts(tmp_path):
    server = Server(
        tmp_path, tls=False, extra=("--workers", "2"), env={"ZHIZAO_COUNTS_FLUSH_SECONDS": "3600"}
    )
    server.setup()
    server.start()
    for _ in range(25):
        assert (
            requests.get(f"{server.url}/api/handles/{PREFIX}/ADMIN", timeout=10).status_code == 200
        )
    server.stop()
    out = subprocess.run(
        zhizao_cmd("-d", server.db, "stats", "resolutions", "--by", "month"),
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert PREFIX in out
    assert out.strip().splitlines()[-1].split()[-1] == "25"


def test_acknowledged_writes_survive_a_kill(tmp_path):
    """SIGKILL right after the replies: every acknowledged write is there after a restart."""
    import base64
    import time

    import pytest

    from tests.conftest import ADMIN, SECRET

    server = Server(tmp_path, tls=False, extra=("--insecure-loopback-auth",))
    server.setup()
    server.start()
    auth = base64.b64encode(f"{ADMIN}:{SECRET}".encode()).decode()
    session = requests.Session()
    session.headers["Authorization"] = f"Basic {auth}"
    for i in range(20):
        r = session.put(
            f"{server.url}/api/handles/{PREFIX}/crash-{i}",
            json=[{"index": 1, "type": "URL", "data": f"https://example.com/{i}"}],
            timeout=10,
        )
        assert r.status_code == 200, r.text
    server.kill()
    time.sleep(0.2)
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{server.url}/api/site", timeout=2)  # nothing left answering
    server.start()
    try:
        for i in range(20):
            r = requests.get(f"{server.url}/api/handles/{PREFIX}/crash-{i}", timeout=10)
            assert r.json()["values"][0]["data"]["value"] == f"https://example.com/{i}"
    finally:
        server.stop()


def test_session_login_over_https(https_server):
    """Challenge-response through the real server (RSGI bridge, TLS)."""
    import base64
    import os

    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec

    from tests.conftest import ADMIN, SECRET

    key = ec.generate_private_key(ec.SECP256R1())
    nums = key.public_key().public_numbers()

    def b64url(n: int) -> str:
        return base64.urlsafe_b64encode(n.to_bytes(32, "big")).rstrip(b"=").decode()

    jwk = {"kty": "EC", "crv": "P-256", "x": b64url(nums.x), "y": b64url(nums.y)}
    basic = base64.b64encode(f"{ADMIN}:{SECRET}".encode()).decode()
    url = https_server.url
    # The admin gives its own handle a public key next to its secret.
    r = requests.put(
        f"{url}/api/handles/{PREFIX}/ADMIN?index=301&overwrite=false",
        json=[{"index": 301, "type": "HS_PUBKEY", "data": {"format": "key", "value": jwk}}],
        headers={"Authorization": f"Basic {basic}"},
        verify=False,
        timeout=10,
    )
    assert r.status_code == 201, r.text
    # ... and adds that key's identity (301, a different identity from 300) to the admin group.
    members = [{"handle": f"{PREFIX}/ADMIN", "index": i} for i in (300, 301)]
    r = requests.put(
        f"{url}/api/handles/0.NA/{PREFIX}?index=200",
        json=[{"index": 200, "type": "HS_VLIST", "data": {"format": "vlist", "value": members}}],
        headers={"Authorization": f"Basic {basic}"},
        verify=False,
        timeout=10,
    )
    assert r.status_code == 200, r.text
    opened = requests.post(f"{url}/api/sessions", verify=False, timeout=10).json()
    cnonce = base64.b64encode(os.urandom(16)).decode()
    data = base64.b64decode(opened["nonce"]) + base64.b64decode(cnonce)
    sig = base64.b64encode(key.sign(data, ec.ECDSA(hashes.SHA256()))).decode()
    header = (
        f'Handle sessionId="{opened["sessionId"]}", id="301%3A{PREFIX}/ADMIN", '
        f'type="HS_PUBKEY", cnonce="{cnonce}", alg="SHA256", signature="{sig}"'
    )
    r = requests.put(
        f"{url}/api/sessions/this", headers={"Authorization": header}, verify=False, timeout=10
    )
    assert r.json()["authenticated"] is True, r.text
    session = {"Authorization": f'Handle sessionId="{opened["sessionId"]}"'}
    r = requests.put(
        f"{url}/api/handles/{PREFIX}/via-session",
        json=[{"index": 1, "type": "URL", "data": "https://s"}],
        headers=session,
        verify=False,
        timeout=10,
    )
    assert (r.status_code, r.json()["responseCode"]) == (200, 1)
