"""The capture body's JSON: fast where that changes nothing, exact and clear everywhere."""

import json

import pytest

from zhizao.errors import EventValidationError
from zhizao.event_service import parse_json


@pytest.mark.parametrize(
    "number",
    [
        18446744073709551615,  # the largest unsigned 64-bit integer
        18446744073709551616,  # one more: orjson would make it a float
        -9223372036854775809,  # one below the smallest signed 64-bit integer (19 digits)
        123456789012345678901234567890,
    ],
)
def test_integers_stay_exact(number):
    value = parse_json(json.dumps({"n": number, "s": "x"}).encode())["n"]
    assert value == number and type(value) is int


def test_floats_strings_and_repeated_keys_read_as_the_standard_library_reads_them():
    body = (
        b'{"a": 0.1, "b": 3.2e-05, "c": "\\u00e9\\ud83d\\ude00", "d": 1, "d": 2, "e": [true, null]}'
    )
    assert parse_json(body) == json.loads(body)


@pytest.mark.parametrize(
    "body",
    [b'{"s": "\\ud800"}', '\ufeff{"a": 1}'.encode(), '{"a": 1}'.encode("utf-16")],
)
def test_what_orjson_refuses_the_standard_library_still_reads(body):
    assert parse_json(body) == json.loads(body)


@pytest.mark.parametrize(
    ("body", "message"),
    [(b'{"a": NaN}', "NaN is not a JSON number"), (b'{"a": -Infinity}', "-Infinity"),
     (b'{"a": 1,}', "The body is not JSON"), (b"\xff", "The body is not JSON")],
)  # fmt: skip
def test_bad_json_is_named(body, message):
    with pytest.raises(EventValidationError, match=message):
        parse_json(body)
