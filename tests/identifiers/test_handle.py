import pytest

from zhizao.errors import InvalidHandle
from zhizao.identifiers.handle import mint_handle, parent_prefixes, parse_handle, prefix_handle


def test_prefix_is_case_insensitive_suffix_is_not():
    a, b = parse_handle("20.abc/Part-1"), parse_handle("20.ABC/Part-1")
    assert a.key == b.key == "20.ABC/Part-1"
    assert parse_handle("20.abc/part-1").key != a.key
    assert a.text == "20.abc/Part-1"  # echoed as sent


def test_prefix_handles():
    h = parse_handle("0.na/88.118.8160")
    assert h.is_prefix_handle and h.key == "0.NA/88.118.8160"
    assert h.served_prefix == "88.118.8160"
    assert prefix_handle("88.118").key == "0.NA/88.118"
    # A slashless name is a prefix, as resolvers treat it.
    assert parse_handle("88.118").key == "0.NA/88.118"


def test_suffix_may_hold_slashes_and_unicode():
    h = parse_handle("88.118.8160/电池/包-001")
    assert h.suffix == "电池/包-001" and h.prefix == "88.118.8160"


def test_parent_prefixes_nearest_first():
    assert parent_prefixes("88.118.8160") == ["88.118", "88"]
    assert parent_prefixes("88") == []


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "88.118.8160/",
        "/x",
        "88..1/x",
        "88 1/x",
        "88.1/a\nb",
        "88.1/" + "x" * 3000,
        "88.1/" + "电" * 700,
        "88.1/a\ud800",
        "0.NA/bad prefix",
    ],
)
def test_malformed_handles_are_rejected(bad):
    with pytest.raises(InvalidHandle):
        parse_handle(bad)


def test_mint_handle_adds_a_random_suffix():
    a, b = mint_handle("88.118.8160/"), mint_handle("88.118.8160")
    assert a.prefix == b.prefix == "88.118.8160"
    assert a.suffix != b.suffix and len(a.suffix) == 36
    assert mint_handle("88.118.8160/lot-").suffix.startswith("lot-")
