"""Acceptance: pyhandle 1.5.0, unmodified, against `zhizao serve` over HTTPS on loopback."""

import pytest
import requests
from pyhandle.handleclient import PyHandleClient
from pyhandle.handleexceptions import (
    GenericHandleError,
    HandleAlreadyExistsException,
    HandleAuthenticationError,
    HandleNotFoundException,
)

from tests.conftest import ADMIN, PREFIX, SECRET


@pytest.fixture(scope="module")
def rw(https_server):
    return PyHandleClient("rest").instantiate_with_username_and_password(
        https_server.url, ADMIN, SECRET, HTTPS_verify=False
    )


@pytest.fixture(scope="module")
def ro(https_server):
    return PyHandleClient("rest").instantiate_for_read_access(
        handle_server_url=https_server.url, HTTPS_verify=False
    )


def test_register_both_overwrite_modes(rw, ro):
    h = f"{PREFIX}/part-001"
    assert rw.register_handle(h, "https://example.com/p1") == h
    with pytest.raises(HandleAlreadyExistsException):
        rw.register_handle(h, "https://example.com/p1")
    assert rw.register_handle(h, "https://example.com/p1b", overwrite=True) == h
    assert ro.get_value_from_handle(h, "URL") == "https://example.com/p1b"


def test_retrieve_with_type_indices_and_auth(rw, ro):
    h = f"{PREFIX}/part-002"
    rw.register_handle(h, "https://example.com/p2", overwrite=True, CHECKSUM="abc")
    record = ro.retrieve_handle_record_json(h)
    assert record["handle"] == h
    assert {v["type"] for v in record["values"]} == {"URL", "CHECKSUM", "HS_ADMIN"}
    admin = next(v for v in record["values"] if v["type"] == "HS_ADMIN")
    assert admin["data"] == {
        "format": "admin",
        "value": {"handle": f"0.NA/{PREFIX}", "index": 200, "permissions": "011111110011"},
    }
    assert [v["type"] for v in ro.retrieve_handle_record_json(h, type=["URL"])["values"]] == ["URL"]
    only = ro.retrieve_handle_record_json(h, indices=[1], auth=True)["values"]
    assert [v["index"] for v in only] == [1]
    assert ro.retrieve_handle_record(h)["CHECKSUM"] == "abc"
    assert ro.retrieve_handle_record_json(f"{PREFIX}/nothing-here") is None


def test_modify_add_delete_values(rw, ro):
    h = f"{PREFIX}/part-003"
    rw.register_handle(h, "https://example.com/p3", overwrite=True)
    rw.modify_handle_value(h, URL="https://example.com/p3b", NEWKEY="n", OTHER="o")
    rec = ro.retrieve_handle_record(h)
    assert (rec["URL"], rec["NEWKEY"], rec["OTHER"]) == ("https://example.com/p3b", "n", "o")
    rw.add_handle_value(h, ANOTHER="a")
    assert ro.get_value_from_handle(h, "ANOTHER") == "a"
    rw.delete_handle_value(h, ["NEWKEY", "OTHER"])
    rec = ro.retrieve_handle_record(h)
    assert "NEWKEY" not in rec and "OTHER" not in rec and rec["ANOTHER"] == "a"


def test_generate_register_json_and_delete(rw, ro):
    h = rw.generate_and_register_handle(PREFIX, "https://example.com/gen")
    assert (
        h.startswith(f"{PREFIX}/")
        and ro.get_value_from_handle(h, "URL") == "https://example.com/gen"
    )
    j = f"{PREFIX}/json-1"
    rw.register_handle_json(
        j,
        [
            {
                "index": 1,
                "type": "URL",
                "data": {"format": "string", "value": "https://example.com/j"},
            }
        ],
        overwrite=True,
    )
    assert ro.get_value_from_handle(j, "URL") == "https://example.com/j"
    assert rw.delete_handle(j) == j
    with pytest.raises(HandleNotFoundException):
        rw.delete_handle(j)


def test_wrapper_register_handle_sends_data_false(https_server, rw, ro):
    wrapper = PyHandleClient("rest")
    wrapper.handle_client = rw
    h = f"{PREFIX}/wrapped"
    wrapper.register_handle(h, "https://example.com/w")
    assert ro.get_value_from_handle(h, "URL") == "https://example.com/w"


def test_search_handle(rw):
    rw.register_handle(f"{PREFIX}/searchable", "https://example.com/unique-s1", overwrite=True)
    assert rw.search_handle("https://example.com/unique-s1") == [f"{PREFIX}/searchable"]
    assert f"{PREFIX}/searchable" in rw.search_handle("https://example.com/unique-*")


def test_wrong_password_and_missing_permission(https_server):
    bad = PyHandleClient("rest").instantiate_with_username_and_password(
        https_server.url, ADMIN, "wrong", HTTPS_verify=False
    )
    with pytest.raises(HandleAuthenticationError):
        bad.register_handle(f"{PREFIX}/nope", "https://x", overwrite=True)
    # A valid identity that is no administrator of the prefix.
    admin = PyHandleClient("rest").instantiate_with_username_and_password(
        https_server.url, ADMIN, SECRET, HTTPS_verify=False
    )
    admin.register_handle(
        f"{PREFIX}/OUTSIDER",
        "https://x",
        overwrite=True,
    )
    admin.register_handle_json(
        f"{PREFIX}/OUTSIDER",
        [
            {"index": 300, "type": "HS_SECKEY", "data": "pw2", "permissions": "1100"},
            {"index": 1, "type": "URL", "data": "https://x"},
        ],
        overwrite=True,
    )
    outsider = PyHandleClient("rest").instantiate_with_username_and_password(
        https_server.url,
        f"300:{PREFIX}/OUTSIDER",
        "pw2",
        HTTPS_verify=False,
        handleowner=f"300:{PREFIX}/OUTSIDER",
    )
    with pytest.raises(GenericHandleError):
        outsider.register_handle(f"{PREFIX}/by-outsider", "https://x", overwrite=True)


def test_credentials_over_plain_http_are_refused(tmp_path):
    from tests.conftest import Server

    server = Server(tmp_path, tls=False)
    server.setup()
    server.start()
    try:
        import base64

        auth = base64.b64encode(f"300%3A{PREFIX}/ADMIN:{SECRET}".encode()).decode()
        r = requests.put(
            f"{server.url}/api/handles/{PREFIX}/x",
            json={"values": []},
            headers={"Authorization": f"Basic {auth}"},
            timeout=10,
        )
        assert (r.status_code, r.json()["responseCode"]) == (403, 402)
        assert requests.get(f"{server.url}/api/handles/{PREFIX}/x", timeout=10).status_code == 404
    finally:
        server.stop()
