"""Handle.Net's rules, exercised through the registry on a real SQLite file."""

import pytest

from tests.conftest import ADMIN, PREFIX, SECRET
from zhizao.errors import (
    AuthenticationFailed,
    AuthenticationNeeded,
    HandleAlreadyExists,
    HandleNotFound,
    InsufficientPermissions,
    InvalidAdmin,
    PrefixNotHomed,
    ValueAlreadyExists,
    ValuesNotFound,
)
from zhizao.identifiers.admin import parse_identity
from zhizao.identifiers.bulk import admin_value, default_owner
from zhizao.identifiers.handle import parse_handle
from zhizao.identifiers.registry import ReadRequest
from zhizao.identifiers.values import Data, HandleValue, Permissions
from zhizao.provision import create_prefix

ME = parse_identity(ADMIN)


def url(index=1, value="https://example.com/x", **kw):
    return HandleValue(index, "URL", Data("string", value), **kw)


def test_authenticate_checks_the_hashed_secret(node):
    assert node.registry.authenticate(ADMIN, SECRET) == ME
    assert node.registry.authenticate(f"0:{PREFIX}/ADMIN", SECRET).index == 0
    with pytest.raises(AuthenticationFailed):
        node.registry.authenticate(ADMIN, "wrong")
    with pytest.raises(AuthenticationFailed):
        node.registry.authenticate(f"301:{PREFIX}/ADMIN", SECRET)
    stored = node.store.get(parse_handle(f"{PREFIX}/ADMIN").key)
    seckey = next(v for v in stored.values if v.type == "HS_SECKEY")
    assert SECRET not in seckey.data.value and seckey.data.value.startswith("scrypt$")


def test_secret_is_never_returned(node):
    h = parse_handle(f"{PREFIX}/ADMIN")
    for req in (
        ReadRequest(h),
        ReadRequest(h, identity=ME, public_only=False),
        ReadRequest(h, types=("HS_SECKEY",), identity=ME, public_only=False),
    ):
        try:
            values = node.registry.resolve(req)
        except ValuesNotFound:
            values = []
        assert all(v.type != "HS_SECKEY" for v in values)


def test_create_needs_add_handle_through_the_prefix_admin(node):
    h = parse_handle(f"{PREFIX}/part-1")
    with pytest.raises(AuthenticationNeeded):
        node.registry.create(h, [url()], None, overwrite=False)
    stranger = parse_identity("300:88.999/X")
    with pytest.raises(InvalidAdmin):
        node.registry.create(h, [url()], stranger, overwrite=False)
    node.registry.create(h, [default_owner(PREFIX), url()], ME, overwrite=False)
    with pytest.raises(HandleAlreadyExists):
        node.registry.create(h, [url()], ME, overwrite=False)
    assert [v.type for v in node.registry.resolve(ReadRequest(h))] == ["URL", "HS_ADMIN"]


def test_changes_need_the_bit_in_the_handle_s_own_admin(node):
    h = parse_handle(f"{PREFIX}/ro")
    # An HS_ADMIN that lets the prefix group add values but not modify or remove them.
    node.registry.create(
        h, [admin_value(100, f"0.NA/{PREFIX}", 200, "000001000000"), url()], ME, overwrite=False
    )
    node.registry.add_values(
        h, [HandleValue(2, "EMAIL", Data("string", "a@b"))], ME, overwrite=False
    )
    with pytest.raises(ValueAlreadyExists):
        node.registry.add_values(h, [url(value="y")], ME, overwrite=False)
    with pytest.raises(InsufficientPermissions):
        node.registry.add_values(h, [url(value="y")], ME, overwrite=True)
    with pytest.raises(InsufficientPermissions):
        node.registry.remove_values(h, [2], ME)
    with pytest.raises(InsufficientPermissions):
        node.registry.delete(h, ME)


def test_values_not_public_are_hidden_from_anonymous_readers(node):
    h = parse_handle(f"{PREFIX}/private")
    node.registry.create(
        h,
        [
            default_owner(PREFIX),
            url(),
            url(2, "secret-url", permissions=Permissions(True, True, False, False)),
        ],
        ME,
        overwrite=False,
    )
    assert [v.index for v in node.registry.resolve(ReadRequest(h))] == [1, 100]
    seen = node.registry.resolve(ReadRequest(h, identity=ME))
    assert [v.index for v in seen] == [1, 2, 100]
    assert [
        v.index for v in node.registry.resolve(ReadRequest(h, identity=ME, public_only=True))
    ] == [1, 100]


def test_filters_by_index_or_type(node):
    h = parse_handle(f"{PREFIX}/f")
    node.registry.create(
        h,
        [default_owner(PREFIX), url(), HandleValue(2, "HS_SITE.PREFIX", Data("string", "x"))],
        ME,
        overwrite=False,
    )
    assert [
        v.index for v in node.registry.resolve(ReadRequest(h, indexes=(1,), types=("HS_SITE.",)))
    ] == [1, 2]
    with pytest.raises(ValuesNotFound):
        node.registry.resolve(ReadRequest(h, types=("EMAIL",)))


def test_timestamps_kept_for_unchanged_values(node):
    h = parse_handle(f"{PREFIX}/ts")
    node.registry.create(h, [default_owner(PREFIX), url()], ME, overwrite=False)
    before = {v.index: v.timestamp for v in node.store.get(h.key).values}
    node.registry.create(h, [default_owner(PREFIX), url()], ME, overwrite=True)
    after = {v.index: v.timestamp for v in node.store.get(h.key).values}
    assert before == after


def test_homing_decides_what_a_node_answers(node):
    with pytest.raises(PrefixNotHomed):
        node.registry.resolve(ReadRequest(parse_handle("88.999/x")))
    with pytest.raises(PrefixNotHomed):
        node.registry.create(parse_handle("88.999/x"), [url()], ME, overwrite=True)
    with pytest.raises(HandleNotFound):
        node.registry.resolve(ReadRequest(parse_handle(f"{PREFIX}/nothing")))
    node.unhome(PREFIX)
    with pytest.raises(PrefixNotHomed):
        node.registry.resolve(ReadRequest(parse_handle(f"{PREFIX}/ADMIN")))


def test_derived_prefix_needs_add_derived_prefix_on_the_parent(node):
    child = parse_handle(f"0.NA/{PREFIX}.7")
    owner = admin_value(100, f"0.NA/{PREFIX}.7", 200, "111111111111")
    node.registry.create(child, [owner], ME, overwrite=False)  # 0.NA/PREFIX grants all bits
    # A second prefix whose admin lacks the derived-prefix bit.
    create_prefix(node, "77.1", "300:77.1/ADMIN", "pw")
    other = parse_identity("300:77.1/ADMIN")
    node.registry.bootstrap(
        parse_handle("0.NA/77.1"),
        [
            admin_value(100, "0.NA/77.1", 200, "011111110011"),
            HandleValue(200, "HS_VLIST", Data("vlist", [{"handle": "77.1/ADMIN", "index": 300}])),
        ],
    )
    with pytest.raises(InsufficientPermissions):
        node.registry.create(parse_handle("0.NA/77.1.5"), [owner], other, overwrite=False)


def test_vlist_cycle_in_stored_records_does_not_hang(node):
    a, b = parse_handle(f"{PREFIX}/groupA"), parse_handle(f"{PREFIX}/groupB")
    node.registry.bootstrap(
        a, [HandleValue(1, "HS_VLIST", Data("vlist", [{"handle": b.text, "index": 1}]))]
    )
    node.registry.bootstrap(
        b, [HandleValue(1, "HS_VLIST", Data("vlist", [{"handle": a.text, "index": 1}]))]
    )
    h = parse_handle(f"{PREFIX}/guarded")
    node.registry.bootstrap(h, [admin_value(100, a.text, 1, "111111111111")])
    with pytest.raises(InvalidAdmin):
        node.registry.delete(h, parse_identity("300:88.5/eve"))
