import pytest

from zhizao.errors import InsufficientPermissions, InvalidAdmin
from zhizao.identifiers.admin import AdminPerm, AdminRecord, AdminRef
from zhizao.identifiers.authz import is_member, require
from zhizao.identifiers.values import Data, HandleValue

ME = AdminRef("88.1/alice", 300)


def vlist(index, *members):
    return HandleValue(
        index, "HS_VLIST", Data("vlist", [{"handle": h, "index": i} for h, i in members])
    )


def test_direct_and_nested_group_membership():
    records = {
        "0.NA/88.1": [vlist(200, ("88.1/GROUP", 201))],
        "88.1/GROUP": [vlist(201, ("88.1/alice", 300))],
    }
    load = records.get
    assert is_member(ME, AdminRef("88.1/alice", 300), load)
    assert is_member(ME, AdminRef("0.NA/88.1", 200), load)
    assert not is_member(AdminRef("88.1/bob", 300), AdminRef("0.NA/88.1", 200), load)


def test_group_cycles_terminate():
    records = {
        "88.1/A": [vlist(1, ("88.1/B", 1))],
        "88.1/B": [vlist(1, ("88.1/A", 1))],
    }
    assert not is_member(ME, AdminRef("88.1/A", 1), records.get)


def test_require_distinguishes_non_admin_from_missing_bit():
    admins = [AdminRecord(ME, AdminPerm.ADD_VALUE)]
    require(ME, admins, AdminPerm.ADD_VALUE, lambda k: None)
    with pytest.raises(InsufficientPermissions):
        require(ME, admins, AdminPerm.DELETE_HANDLE, lambda k: None)
    with pytest.raises(InvalidAdmin):
        require(AdminRef("88.1/bob", 300), admins, AdminPerm.ADD_VALUE, lambda k: None)
    # Server administrators may do anything.
    require(
        AdminRef("88.1/bob", 300),
        [],
        AdminPerm.DELETE_HANDLE,
        lambda k: None,
        [AdminRef("88.1/bob", 300)],
    )
