import pytest

from zhizao.errors import InvalidValue
from zhizao.identifiers.bulk import encode_csv, read_jsonl, with_owner
from zhizao.identifiers.handle import parse_handle
from zhizao.identifiers.record import HandleRecord, encode
from zhizao.identifiers.values import Data, HandleValue

STAMP = "2026-01-02T03:04:05Z"


def test_csv_encoder_matches_the_general_encoding_byte_for_byte():
    lines = [
        "handle,URL,3:PRODUCT,200:NOTE\n",
        '88.1/电池-1,https://example.com/a?x="q",Cell "A" \\ 电,\n',
        "88.1/B2,,plain,n\n",
    ]
    (got,) = list(encode_csv(lines, STAMP, batch_size=10))
    expected = []
    for text, cells in (
        (
            "88.1/电池-1",
            [(1, "URL", 'https://example.com/a?x="q"'), (3, "PRODUCT", 'Cell "A" \\ 电')],
        ),
        ("88.1/B2", [(3, "PRODUCT", "plain"), (200, "NOTE", "n")]),
    ):
        h = parse_handle(text)
        values = [HandleValue(i, t, Data("string", v)) for i, t, v in cells]
        stamped = tuple(
            sorted((v.stamped(STAMP) for v in with_owner(h, values)), key=lambda v: v.index)
        )
        expected.append(HandleRecord(h, stamped))
    assert got == encode(*expected)
    assert got.terms == [("URL", 'https://example.com/a?x="q"', "88.1/电池-1")]
    assert got.prefixes == {"88.1"}


def test_csv_batches_have_the_size_asked_for():
    lines = ["handle,URL\n"] + [f"88.1/h{i},u{i}\n" for i in range(25)]
    assert [len(b) for b in encode_csv(lines, STAMP, batch_size=10)] == [10, 10, 5]


@pytest.mark.parametrize(
    "lines, needle",
    [
        (["url,handle\n"], "line 1: the first column must be 'handle'"),
        (["handle,URL,1:EMAIL\n"], "line 1: column 3"),
        (["handle,HS_SECKEY\n"], "need JSON Lines"),
        (["handle,100:NOTE\n"], "owner"),
        (["handle,URL\n", "88.1/a,u\n", "88.1/b,u,extra\n"], "line 3: 3 columns"),
        (["handle,URL\n", "88.1/a,u\n", "bad prefix/b,u\n"], "line 3"),
    ],
)
def test_csv_errors_name_the_line(lines, needle):
    with pytest.raises(InvalidValue) as err:
        list(encode_csv(lines, STAMP, batch_size=2))
    assert needle in err.value.message


def test_jsonl_rows_get_an_owner_unless_they_bring_one():
    rows = list(
        read_jsonl(
            [
                '{"handle": "88.1/a", "values": [{"index": 1, "type": "URL", "data": "u"}]}\n',
                "\n",
                '{"handle": "88.1/b", "values": [{"index": 101, "type": "HS_ADMIN", '
                '"data": {"format": '
                '"admin", "value": {"handle": "0.NA/88.1", "index": 300, "permissions": "*"}}}]}\n',
            ]
        )
    )
    assert [[v.index for v in r.values] for r in rows] == [[100, 1], [101]]
    assert rows[1].line == 3
    with pytest.raises(InvalidValue, match="line 1: malformed JSON"):
        list(read_jsonl(["{"]))
    with pytest.raises(InvalidValue, match="line 2: malformed JSON"):
        list(read_jsonl(["\n", "[" * 100_000]))
