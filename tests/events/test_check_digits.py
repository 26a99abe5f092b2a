"""GS1 keys written as Digital Links must carry the right check digit (GenSpecs 7.9.1)."""

import re
from datetime import UTC, datetime

import pytest

from tests.events.examples import events_of, example_paths, load
from zhizao.errors import EventValidationError
from zhizao.events.capture import prepare_document, prepare_event
from zhizao.events.gs1 import check_digit, check_digit_error

CONTEXT = ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"]
# (Digital Link with `{key}` where the checked digits go, how many digits before the check digit)
KEYS = [
    ("https://id.gs1.org/00/{key}", 17),
    ("https://id.gs1.org/01/{key}/21/X1", 13),
    ("https://example.com/01/{key}/10/LOT9", 13),
    ("https://id.gs1.org/253/{key}ABC", 12),
    ("https://id.gs1.org/255/{key}42", 12),
    ("https://id.gs1.org/402/{key}", 16),
    ("https://id.gs1.org/414/{key}/254/7", 12),
    ("https://id.gs1.org/417/{key}", 12),
    ("https://id.gs1.org/8003/0{key}SER", 12),
    ("https://id.gs1.org/8006/{key}0102", 13),
    ("https://id.gs1.org/8017/{key}", 17),
    ("https://id.gs1.org/8018/{key}", 17),
]


@pytest.mark.parametrize(("template", "digits"), KEYS)
def test_every_wrong_check_digit_is_named_and_the_right_one_passes(template, digits):
    body = "950600013435204711"[:digits]
    right = check_digit(body)
    assert check_digit_error(template.format(key=f"{body}{right}")) is None
    for wrong in set(range(10)) - {right}:
        error = check_digit_error(template.format(key=f"{body}{wrong}"))
        assert error is not None and error.endswith(f"check digit {wrong}; it should be {right}")


def test_forms_without_a_stated_check_digit_are_not_checked():
    assert check_digit_error("urn:epc:id:sgtin:0614141.107346.2017") is None
    assert check_digit_error("hdl:88.118.8160/PACK-1") is None
    assert check_digit_error("https://example.com/not/a/key") is None


def test_every_digital_link_in_the_official_examples_passes():
    checked = 0
    for path in example_paths():
        doc = load(path)
        prepared = prepare_document(doc, datetime.now(UTC), "rollback")
        assert prepared.problems == [], path.name
        checked += len(re.findall(r"https?://[^']*/(?:01|414|8003|253)/\d", str(events_of(doc))))
    assert checked > 10  # the examples do use Digital Links


def test_the_problem_names_the_event_and_the_field_of_the_identifier():
    good = {"type": "ObjectEvent", "action": "OBSERVE", "eventTime": "2024-01-01T00:00:00Z"}
    good |= {"eventTimeZoneOffset": "+00:00", "epcList": ["urn:epc:id:sgtin:0614141.107346.1"]}
    bad = {"type": "AggregationEvent", "action": "ADD", "eventTime": "2024-01-01T00:00:00Z"}
    bad |= {
        "eventTimeZoneOffset": "+00:00", "parentID": "urn:epc:id:sscc:0614141.1234567890",
        "childEPCs": ["https://id.gs1.org/01/09506000134352/21/1", "https://id.gs1.org/01/09506000134353/21/2"],
    }  # fmt: skip
    wrong_class = good | {
        "quantityList": [{"epcClass": "https://id.gs1.org/01/09506000134350/10/L1"}]
    }
    wrong_place = good | {"readPoint": {"id": "https://id.gs1.org/414/9506000134308"}}
    doc = document([good, bad, wrong_class, good, wrong_place])
    kept = prepare_document(doc, datetime.now(UTC), "proceed")
    assert kept.indexes == [0, 3]
    assert [str(p).split(": ")[:2] for p in kept.problems] == [
        ["event 1", "childEPCs[1]"],
        ["event 2", "quantityList[0].epcClass"],
        ["event 4", "readPoint.id"],
    ]
    refused = prepare_document(doc, datetime.now(UTC), "rollback")
    assert refused.records == [] and len(refused.problems) == 3
    with pytest.raises(EventValidationError, match=r"^childEPCs\[1\]: .*should be 2$"):
        prepare_event(bad | {"@context": CONTEXT}, datetime.now(UTC))


def document(events):
    return {
        "@context": CONTEXT, "type": "EPCISDocument", "schemaVersion": "2.0",
        "creationDate": "2024-01-01T00:00:00Z", "epcisBody": {"eventList": events},
    }  # fmt: skip


def test_check_digits_of_known_keys_and_of_other_unicode_digits():
    assert check_digit("0950600013435") == 2  # GTIN 09506000134352, GS1's example
    assert check_digit("400638133393") == 1  # EAN-13 4006381333931
    # The URN patterns' \d takes any Unicode digit: same weights, same answer
    assert check_digit("٠٩٥٠٦٠٠٠١٣٤٣٥") == 2
    assert check_digit("０９５０６０００１３４３５") == 2
    for n in range(1, 18):  # every length a key has, against the weights written out
        digits = "".join(str((7 * i + n) % 10) for i in range(n))
        weighted = sum(int(c) * (3 if i % 2 == 0 else 1) for i, c in enumerate(reversed(digits)))
        assert check_digit(digits) == -weighted % 10, digits
