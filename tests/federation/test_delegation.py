"""Delegating a derived prefix: who may, what bad input gets, and the referral it gives."""

import traceback

import pytest

from zhizao.errors import InvalidAdmin, InvalidValue, PrefixNotHomed, PrefixReferral
from zhizao.federation.delegation import delegate, delegations
from zhizao.identifiers.handle import parse_handle
from zhizao.identifiers.registry import ReadRequest
from zhizao.node import Node
from zhizao.provision import create_prefix
from zhizao.settings import Settings


@pytest.fixture
def top(sqlite_url):
    node = Node(Settings(database_url=sqlite_url, homed_cache_seconds=0))
    create_prefix(node, "88", "300:88/ADMIN", "top-secret")
    create_prefix(node, "77", "300:77/ADMIN", "other-secret")  # another prefix's admin
    yield node
    node.close()


def test_a_delegation_refers_its_subtree_and_is_listed(top):
    admin = top.registry.authenticate("300:88/ADMIN", "top-secret")
    done = delegate(top, "0.NA/88.118", "http://10.0.0.7:8000", admin)
    assert (done.prefix, done.urls) == ("88.118", ["http://10.0.0.7:8000"])
    assert [(d.prefix, d.urls) for d in delegations(top)] == [("88.118", done.urls)]
    with pytest.raises(PrefixReferral) as referral:
        top.resolve(ReadRequest(parse_handle("88.118.8160/CELL-1")))
    assert referral.value.referral_handle == "0.NA/88.118"
    with pytest.raises(PrefixNotHomed) as nothing:
        top.resolve(ReadRequest(parse_handle("99.1/x")))
    assert not isinstance(nothing.value, PrefixReferral)


def test_only_an_admin_of_the_parent_prefix_may_delegate(top):
    stranger = top.registry.authenticate("300:77/ADMIN", "other-secret")
    with pytest.raises(InvalidAdmin):
        delegate(top, "88.118", "http://10.0.0.7:8000", stranger)
    with pytest.raises(PrefixNotHomed):  # 55 is not homed here: nothing to derive from
        delegate(top, "55.1", "http://10.0.0.7:8000", stranger)
    assert delegations(top) == []


@pytest.mark.parametrize("url", ["ftp://10.0.0.7", "http://10.0.0.7:8000/idis", "10.0.0.7"])
def test_a_bad_node_url_names_the_field(top, url):
    admin = top.registry.authenticate("300:88/ADMIN", "top-secret")
    with pytest.raises(InvalidValue) as bad:
        delegate(top, "88.118", url, admin)
    assert bad.value.field == "to"


def test_a_remembered_referral_does_not_grow_its_traceback_with_each_answer(sqlite_url):
    node = Node(Settings(database_url=sqlite_url, homed_cache_seconds=60))
    create_prefix(node, "88", "300:88/ADMIN", "top-secret")
    admin = node.registry.authenticate("300:88/ADMIN", "top-secret")
    delegate(node, "88.118", "http://10.0.0.7:8000", admin)
    depths = []
    for _ in range(50):  # the same remembered answer each time
        try:
            node.resolve(ReadRequest(parse_handle("88.118.8160/CELL-1")))
        except PrefixReferral as exc:
            depths.append(len(traceback.extract_tb(exc.__traceback__)))
    node.close()
    assert len(depths) == 50 and depths[0] == depths[-1]
