"""The C pre-hash writer against the Python one: the same string for every event, the same
decision to leave an event to the tree walk, the same error for a malformed one."""

import copy
import itertools
import os
import random

import pytest

from tests.events.examples import events_of, example_paths, load
from zhizao.demo.genealogy import generate
from zhizao.events.hashing import (
    _fast_pre_hash,
    namespaces_of,
    native_pre_hash,
    pre_hash,
    python_pre_hash,
)
from zhizao.events.prehash import Context, utc_millis
from zhizao.events.record import parse_time, stored_time, utc_text

NATIVE = native_pre_hash()
needs_native = pytest.mark.skipif(NATIVE is None, reason="the C writer is not built (no compiler)")


def test_the_c_writer_is_built_where_required():
    """CI sets ZHIZAO_REQUIRE_NATIVE: there, a failed build is a failure, not a slow pass."""
    if NATIVE is None and os.environ.get("ZHIZAO_REQUIRE_NATIVE"):
        pytest.fail("zhizao/events/_prehash_c.c was not built (ZHIZAO_REQUIRE_NATIVE is set)")
    if NATIVE is None:
        pytest.skip("the C writer is not built (no compiler)")


def outcome(fn, *args):
    try:
        return fn(*args)
    except Exception as error:  # the two must fail alike on malformed input
        return type(error)


def python_fast(event, namespaces):
    ctx = Context(namespaces)
    ctx.collect(event)
    return _fast_pre_hash(copy.deepcopy(event), ctx)


def example_events():
    events = [(e, namespaces_of(load(p).get("@context"))) for p in example_paths()
              for e in events_of(load(p))]  # fmt: skip
    return events + [(e, {}) for e in generate(3, replace_every=2, lot_size=40).events]


@needs_native
def test_same_string_on_every_example_and_the_genealogy():
    written = 0
    for event, namespaces in example_events():
        native = NATIVE.pre_hash(event, namespaces)
        expected = python_fast(event, namespaces)
        if expected is None:
            assert native is None, event
        else:
            assert native == expected, event
            written += 1
        assert pre_hash(event, namespaces) == python_pre_hash(event, namespaces)
    assert written >= 60


NAMESPACES = {"ex": "{https://ns.example.com/epcis/}"}
MUTATIONS = [
    ("bizStep", " inspecting "), ("bizStep", "ex:step"), ("bizStep", 7), ("bizStep", None),
    ("disposition", "in_progress"), ("disposition", "urn:epcglobal:cbv:disp:active"),
    ("action", None), ("action", True), ("transformationID", "urn:uuid:1"),
    ("eventTime", "2024-02-29T23:59:59.9995-00:30"), ("eventTime", "2024-03-01 08:00:00Z"),
    ("eventTime", "2024-03-01T08:00:00"), ("eventTime", " 2024-03-01T08:00:00.5Z "),
    ("eventTime", "not a time"), ("eventTime", ""), ("eventTimeZoneOffset", "+08:00"),
    ("certificationInfo", "https://cert.example.com/1"),
    ("certificationInfo", ["b", "a", " c"]), ("certificationInfo", None),
    ("parentID", "urn:epc:id:sscc:0614141.1234567890"), ("parentID", None),
    ("epcList", ["urn:epc:id:sgtin:0614141.107346.2", "urn:epc:id:sgtin:0614141.107346.1"]),
    ("epcList", []), ("epcList", "urn:epc:id:sgtin:0614141.107346.2"), ("epcList", [None, 1.5]),
    ("epcList", {"a": 1}), ("childEPCs", ["https://id.gs1.org/01/09521141123454/21/x"]),
    ("inputEPCList", ["ex:thing"]), ("outputEPCList", ["\u3000urn:epc:id:sgtin:1.2.3 "]),
    ("quantityList", [{"epcClass": "urn:epc:class:lgtin:4012345.012345.998877",
                       "quantity": 200, "uom": "KGM"}, {"epcClass": "x", "quantity": 2.50}]),
    ("quantityList", [{"epcClass": "x", "extra": 1}]), ("quantityList", ["x"]),
    ("quantityList", "x"), ("outputQuantityList", [{"uom": "KGM", "epcClass": "y"}]),
    ("persistentDisposition", {"set": ["completeness_verified", "x"], "unset": ["active"]}),
    ("persistentDisposition", {"unset": []}), ("persistentDisposition", {"set": "abc"}),
    ("persistentDisposition", {"other": ["x"]}), ("persistentDisposition", ["set"]),
    ("readPoint", {"id": "urn:epc:id:sgln:0614141.00777.0"}), ("readPoint", {"id": None}),
    ("readPoint", {"id": "x", "more": 1}), ("readPoint", "urn:x"), ("readPoint", ["id"]),
    ("bizLocation", {"id": " ex:place"}), ("bizLocation", None),
    ("bizTransactionList", [{"type": "po", "bizTransaction": "urn:epcglobal:cbv:bt:1:2"},
                            {"bizTransaction": "http://t.example.com/a", "type": "inv"}]),
    ("bizTransactionList", [{"bizTransaction": "x"}]), ("bizTransactionList", [["type", "x"]]),
    ("sourceList", [{"type": "owning_party", "source": "urn:epc:id:pgln:4012345.00001"}]),
    ("destinationList", [{"destination": "x", "type": "location"}]), ("sourceList", []),
    ("sensorElementList", [{"sensorMetadata": {"time": "2024-03-01T08:00:00+08:00",
                                               "deviceID": "urn:epc:id:giai:4000001.111"},
                            "sensorReport": [{"type": "Temperature", "value": 26.0, "uom": "CEL",
                                              "time": "2024-03-01T08:00:00.123456Z"},
                                             {"type": "gs1:Humidity", "minValue": 12.1,
                                              "stringValue": " x ",
                                              "exception": "ALARM_CONDITION"}]}]),
    ("sensorElementList", [{"sensorReport": [{"value": None, "uom": ""}, {}]}]),
    ("sensorElementList", [{"sensorReport": [{"type": "Energy", "value": {"a": 1}}]}]),
    ("sensorElementList", [{"sensorMetadata": {"startTime": "x", "bizRules": "ex:r"}}]),
    ("sensorElementList", [{"sensorReport": {"type": "Energy"}}]),
    ("sensorElementList", [{"sensorReport": [{"type": "Energy", "unknown": 1}]}]),
    ("sensorElementList", [{"other": []}]), ("sensorElementList", ["x"]),
    ("sensorElementList", {"sensorReport": []}), ("sensorElementList", []),
    ("ex:extension", "x"), ("ilmd", {"ex:lot": "L1"}),
]  # fmt: skip


@needs_native
def test_same_answer_on_generated_odd_shapes():
    """Random combinations of awkward values: bare words, namespaces, whitespace, numbers,
    None, scalars where lists go, extra keys, nested sensor data, odd timestamps."""
    bases = [e for e, _ in example_events() if e.get("type") != "TransformationEvent"][:40]
    rnd = random.Random(7)
    fast = 0
    for round_ in range(3000):
        event = copy.deepcopy(rnd.choice(bases))
        for name, value in rnd.sample(MUTATIONS, rnd.randint(1, 5)):
            event[name] = copy.deepcopy(value)
        namespaces = NAMESPACES if round_ % 2 else {}
        expected = outcome(python_pre_hash, event, namespaces)
        assert outcome(pre_hash, event, namespaces) == expected, (round_, event)
        native = outcome(NATIVE.pre_hash, event, namespaces)
        if isinstance(native, str):
            fast += 1
            assert native == expected, (round_, event)
        elif native is None:  # the tree walk's, as the Python fast path decides
            assert outcome(python_fast, event, namespaces) is None, (round_, event)
        else:
            assert native is NotImplemented, (round_, native)
    assert fast > 400  # combinations of standard fields stay on the C path


# Values the C writer passes through without calling canonical_value, and their neighbours
# that must still go through it (numbers, CBV URNs anywhere in the text, GS1 keys).
ODD_VALUES = [
    "hdl:88.118.8160/x", "hdl:88.1/urn:epcglobal:cbv:bizstep:shipping", "ex:thing",
    "x urn:epcglobal:cbv:disp:active", "Infinity", "nan", "inf-x", "1e3", " 7", "+3", "-0",
    ".5", "\u0663", "\u00e9-x", "\x1cx", "urn:epc:id:sgtin:0614141.107346.2017", "urn:epc:x",
    "https://id.gs1.org/01/09506000134352/21/x", "http://example.com/01/09506000134352",
    "HTTP://example.com/01/09506000134352", "https:", "VIN:LJ1",
]  # fmt: skip


@needs_native
def test_values_left_as_they_are_are_those_python_leaves():
    for value in ODD_VALUES:
        event = {
            "type": "ObjectEvent", "action": "OBSERVE", "eventTime": "2024-03-01T08:00:00Z",
            "eventTimeZoneOffset": "+00:00", "epcList": [value], "readPoint": {"id": value},
            "bizLocation": {"id": value}, "parentID": value,
        }  # fmt: skip
        native = NATIVE.pre_hash(event, NAMESPACES)
        assert isinstance(native, str), value
        assert native == python_pre_hash(event, NAMESPACES), value


DATES = ["2024-02-29", "2023-02-29", "2024-12-31", "2024-01-01", "0001-01-01", "0002-01-01",
         "9999-12-31", "9998-12-31", "2000-02-29", "1900-02-29", "2024-04-31", "2024-13-01",
         "2024-1-01", "２０24-01-01"]  # fmt: skip
TIMES = ["T00:00:00", "T23:59:59", "T24:00:00", "T12:60:00", "T12:00:60", "t08:00:00",
         " 08:00:00", "T08:00"]  # fmt: skip
FRACTIONS = ["", ".", ".5", ".0005", ".0015", ".0025", ".9995", ".999500", ".999499",
             ".123456", ".1234567", ",5"]  # fmt: skip
OFFSETS = ["Z", "+00:00", "-00:00", "+08:00", "-12:30", "+23:59", "+24:00", "z", "+0800", "",
           "+08:00:30", "+08:60"]  # fmt: skip


def _stored(text):
    return utc_text(parse_time(text))


@needs_native
@pytest.mark.parametrize(
    ("native_name", "python"),
    [("utc_millis", utc_millis), ("utc_micros", _stored), ("utc_micros", stored_time)],
)
def test_timestamps_as_python_converts_them(native_name, python):
    """Every combination: the C conversion (the hash's milliseconds, the stored form's
    microseconds) gives Python's answer, or leaves it to Python."""
    native_of = getattr(NATIVE, native_name)
    converted = 0
    for date, time, fraction, offset in itertools.product(DATES, TIMES, FRACTIONS, OFFSETS):
        text = date + time + fraction + offset
        native = native_of(text)
        if native is not None:
            converted += 1
            assert native == python(text), text
    usual = ["2024-03-01T08:00:00.000+08:00", "2024-03-01T08:00:00Z", "2024-12-31T23:30:00.5-01:00"]
    assert all(native_of(t) == python(t) for t in usual)
    assert converted > 500


def test_stored_times_in_forms_only_python_reads():
    """What the C parser leaves (no offset: UTC; a week date) still gets Python's answer."""
    assert stored_time("2024-03-01T08:00:00") == "2024-03-01T08:00:00.000000Z"
    assert stored_time("2024-W01-1T00:00:00+01:00") == "2023-12-31T23:00:00.000000Z"
