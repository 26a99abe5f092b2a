"""The EPCIS 2.0 REST binding, in-process, on SQLite and PostgreSQL, with the official examples."""

import json
import time
from urllib.parse import quote

import pytest
from starlette.testclient import TestClient

from tests.events.examples import events_of, example_paths, load
from zhizao.api.app import create_app
from zhizao.node import Node
from zhizao.settings import Settings

CTX = ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"]
LD = {"Content-Type": "application/ld+json"}


@pytest.fixture
def epcis(database_url):
    node = Node(Settings(database_url=database_url, epcis_capture_limit=50))
    with TestClient(create_app(node=node), base_url="http://testserver") as client:
        yield client
    node.close()


def example(name):
    return next(p for p in example_paths() if p.name == name)


def document(events):
    return {
        "@context": CTX,
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": "2024-01-01T00:00:00Z",
        "epcisBody": {"eventList": events},
    }


def observe(epc, when="2024-03-01T08:00:00+08:00", **extra):
    event = {"type": "ObjectEvent", "action": "OBSERVE", "eventTime": when}
    return event | {"eventTimeZoneOffset": "+08:00", "epcList": [epc]} | extra


def capture(client, doc, behaviour=None):
    headers = dict(LD)
    if behaviour:
        headers["GS1-Capture-Error-Behaviour"] = behaviour
    answer = client.post("/epcis/capture", content=json.dumps(doc), headers=headers)
    assert answer.status_code == 202, answer.text
    location = answer.headers["location"]
    assert location.startswith("/epcis/capture/")
    for _ in range(100):
        job = client.get(location).json()
        if not job["running"]:
            return job
        time.sleep(0.05)
    raise AssertionError("capture job did not finish")


def event_list(answer):
    assert answer.status_code == 200, answer.text
    return answer.json()["epcisBody"]["queryResults"]["resultsBody"]["eventList"]


def test_every_official_example_captures(epcis):
    captured = 0
    for path in example_paths():
        job = capture(epcis, load(path))
        # several examples repeat an event of another one: those are refused as duplicates
        duplicate = any("ResourceAlreadyExists" in e["type"] for e in job["errors"])
        assert job["success"] or duplicate, (path.name, job["errors"])
        assert set(job) >= {"captureID", "createdAt", "finishedAt", "running", "success"}
        captured += job["success"]
    assert captured >= 40
    assert len(event_list(epcis.get("/epcis/events?perPage=1000"))) >= 45


def test_missing_event_id_becomes_the_cbv_hash(epcis):
    job = capture(epcis, load(example("Example_9.6.3-AggregationEvent.jsonld")))
    assert job["success"]
    wanted = (
        "ni:///sha-256;96b6bf98742a60dbfaa2dda08b63435ce67079d224ea27d63e55e62a7843b878?ver=CBV2.0"
    )
    doc = load(example("Example_9.6.3-AggregationEvent.jsonld"))
    del doc["epcisBody"]["eventList"][0]["eventID"]
    doc["epcisBody"]["eventList"][0]["eventTime"] = "2013-06-08T14:58:56.591Z"
    capture(epcis, doc)
    found = event_list(epcis.get("/epcis/events/" + quote(wanted, safe="")))
    assert [e["eventID"] for e in found] == [wanted]
    assert found[0]["recordTime"].endswith("Z")


def test_urn_and_digital_link_find_each_other(epcis):
    capture(epcis, document([observe("urn:epc:id:sgtin:0614141.107346.2017")]))
    dl = "https://id.gs1.org/01/10614141073464/21/2017"
    found = event_list(epcis.get("/epcis/events", params={"MATCH_epc": dl}))
    assert found[0]["epcList"] == ["urn:epc:id:sgtin:0614141.107346.2017"]  # as captured
    by_path = event_list(epcis.get("/epcis/epcs/" + quote(dl, safe="") + "/events"))
    assert len(by_path) == 1
    capture(epcis, document([observe("hdl:88.118.8160/PACK-1")]))
    url = "https://node.example/api/handles/88.118.8160/PACK-1"
    assert len(event_list(epcis.get("/epcis/events", params={"MATCH_anyEPC": url}))) == 1


def test_rollback_rejects_all_and_names_the_event_and_field(epcis):
    bad = observe("urn:epc:id:sgtin:0614141.107346.1", readPoint={"id": "not a uri"})
    job = capture(epcis, document([observe("urn:epc:id:sgtin:0614141.107346.2"), bad]))
    assert not job["success"] and not job["running"]
    assert job["captureErrorBehaviour"] == "rollback"
    assert job["errors"][0]["type"] == "epcisException:ValidationException"
    assert "event 1" in job["errors"][0]["detail"] and "readPoint.id" in job["errors"][0]["detail"]
    # the same place as RFC 7807 extension members, for a program
    assert (job["errors"][0]["eventIndex"], job["errors"][0]["field"]) == (1, "readPoint.id")
    assert event_list(epcis.get("/epcis/events")) == []


def test_proceed_keeps_the_good_events(epcis):
    bad = observe("urn:epc:id:sgtin:0614141.107346.1", eventTime="22-07-2026")
    good = observe("urn:epc:id:sgtin:0614141.107346.2")
    job = capture(epcis, document([bad, good]), behaviour="proceed")
    assert not job["success"] and "event 0: eventTime" in job["errors"][0]["detail"]
    assert len(event_list(epcis.get("/epcis/events"))) == 1


def test_a_repeated_event_id_is_named_by_its_place_in_the_document(epcis):
    """Under proceed, a bad event before a repeat does not shift the index the job names."""
    bad = observe("urn:epc:id:sgtin:0614141.107346.1", eventTime="22-07-2026")
    twice = observe("urn:epc:id:sgtin:0614141.107346.2", eventID="urn:uuid:1-2-3")
    job = capture(epcis, document([bad, twice, twice]), behaviour="proceed")
    repeat = job["errors"][-1]
    assert repeat["type"] == "epcisException:ResourceAlreadyExistsException"
    assert (repeat["eventIndex"], repeat["field"]) == (2, "eventID")
    assert repeat["detail"].startswith("event 2: ") and "first at event 1" in repeat["detail"]
    assert event_list(epcis.get("/epcis/events")) == []
    stored = capture(epcis, document([twice]))
    assert stored["success"], stored
    again = capture(epcis, document([bad, twice]), behaviour="proceed")
    assert again["errors"][-1]["eventIndex"] == 1 and "is stored" in again["errors"][-1]["detail"]


def test_aggregation_add_needs_parent(epcis):
    event = {"type": "AggregationEvent", "action": "ADD", "eventTime": "2024-01-01T00:00:00Z"}
    event |= {"eventTimeZoneOffset": "+00:00", "childEPCs": ["urn:epc:id:sgtin:0614141.107346.1"]}
    job = capture(epcis, document([event]))
    assert "event 0: parentID" in job["errors"][0]["detail"]


def test_a_digital_link_with_a_wrong_check_digit_is_refused(epcis):
    wrong = "https://id.gs1.org/01/10614141073465/21/2017"  # the GTIN ends in 4
    good = observe("urn:epc:id:sgtin:0614141.107346.2017")
    job = capture(epcis, document([good, observe(wrong)]))
    assert not job["success"] and event_list(epcis.get("/epcis/events")) == []
    detail = job["errors"][0]["detail"]
    assert detail.startswith("event 1: epcList[0]: ") and "it should be 4" in detail
    assert (job["errors"][0]["eventIndex"], job["errors"][0]["field"]) == (1, "epcList[0]")
    answer = epcis.post("/epcis/events", content=json.dumps(observe(wrong) | {"@context": CTX}))
    assert answer.status_code == 400, answer.text
    assert answer.json()["type"] == "epcisException:ValidationException"
    assert "epcList[0]" in answer.json()["detail"]


def test_bad_documents_are_problems(epcis):
    answer = epcis.post("/epcis/capture", content=b"{not json", headers=LD)
    assert answer.status_code == 400
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert answer.json()["type"] == "epcisException:ValidationException"
    too_many = document([observe(f"urn:epc:id:sgtin:0614141.107346.{i}") for i in range(51)])
    answer = epcis.post("/epcis/capture", content=json.dumps(too_many), headers=LD)
    assert answer.status_code == 413
    assert answer.json()["type"] == "epcisException:CaptureLimitExceededException"
    answer = epcis.post("/epcis/capture", content="x", headers={"Content-Type": "text/plain"})
    assert answer.status_code == 400 and "Content-Type" in answer.json()["detail"]
    # NaN is Python's extension, not JSON (RFC 8259): refused, not stored as null or NaN
    sensor = {"sensorElementList": [{"sensorReport": [{"type": "Energy", "value": 1}]}]}
    text = json.dumps(observe("urn:epc:id:sgtin:0614141.107346.1", **sensor) | {"@context": CTX})
    answer = epcis.post("/epcis/events", content=text.replace('"value": 1', '"value": NaN'))
    assert answer.status_code == 400 and "NaN" in answer.json()["detail"], answer.text


def test_single_event_capture_and_409(epcis):
    event = observe("urn:epc:id:sgtin:0614141.107346.9") | {"@context": CTX}
    first = epcis.post("/epcis/events", content=json.dumps(event), headers=LD)
    assert first.status_code == 201, first.text
    again = epcis.post("/epcis/events", content=json.dumps(event), headers=LD)
    assert again.status_code == 409
    assert again.json()["type"] == "epcisException:ResourceAlreadyExistsException"
    # one event posted alone has no place in a document to name
    assert again.json()["field"] == "eventID" and "eventIndex" not in again.json()
    assert again.json()["detail"].startswith("an event with eventID ")
    correction = event | {"errorDeclaration": {"declarationTime": "2024-03-02T00:00:00Z"}}
    declared = epcis.post("/epcis/events", content=json.dumps(correction), headers=LD)
    assert declared.status_code == 201
    found = event_list(epcis.get(first.headers["location"]))
    assert len(found) == 2 and "errorDeclaration" in found[1]
    flagged = event_list(epcis.get("/epcis/events?EXISTS_errorDeclaration"))
    assert len(flagged) == 1


def test_numbers_are_returned_as_captured(epcis):
    # An extension may hold an integer beyond 64 bits: it is kept exact, not made a float.
    extension = {"example:count": 2**70 + 1, "example:share": 3.2e-05, "example:n": 7}
    event = observe("urn:epc:id:sgtin:0614141.107346.8") | extension
    event["@context"] = [*CTX, {"example": "https://example.com/"}]
    created = epcis.post("/epcis/events", content=json.dumps(event), headers=LD)
    assert created.status_code == 201, created.text
    (stored,) = event_list(epcis.get(created.headers["location"]))
    assert {k: stored[k] for k in extension} == extension
    assert type(stored["example:count"]) is int and type(stored["example:share"]) is float


def test_query_parameters(epcis):
    energy = {
        "sensorElementList": [{"sensorReport": [{"type": "Energy", "value": 72.5, "uom": "KWH"}]}]
    }
    events = [
        observe("urn:epc:id:sgtin:0614141.107346.1", bizStep="shipping", disposition="in_transit"),
        observe("urn:epc:id:sgtin:0614141.107346.2", when="2024-03-02T08:00:00+08:00",
                bizStep="https://ref.gs1.org/cbv/BizStep-receiving", **energy),
        observe("urn:epc:id:sgtin:0614141.107346.3", when="2024-03-03T08:00:00+08:00",
                bizStep="inspecting", readPoint={"id": "urn:epc:id:sgln:0614141.00777.0"}),
    ]  # fmt: skip
    job = capture(epcis, document(events))
    assert job["success"], job["errors"]

    def count(**params):
        return len(event_list(epcis.get("/epcis/events", params=params)))

    assert count(EQ_bizStep="shipping|receiving") == 2
    assert count(EQ_bizStep="urn:epcglobal:cbv:bizstep:receiving") == 1
    assert count(GE_eventTime="2024-03-02T00:00:00Z") == 2
    assert count(LT_eventTime="2024-03-02T00:00:00Z") == 1
    assert count(GE_value_KWH="70") == 1 and count(GE_value_KWH="80") == 0
    assert count(EQ_readPoint="https://id.gs1.org/414/0614141007776") == 1
    assert count(MATCH_epc="urn:epc:idpat:sgtin:0614141.107346.*") == 3
    assert count(eventType="AggregationEvent") == 0
    assert count(EQ_disposition="in_transit") == 1
    first = event_list(epcis.get("/epcis/events", params={"orderBy": "eventTime"}))[0]
    assert first["epcList"] == ["urn:epc:id:sgtin:0614141.107346.3"]  # DESC by default
    limited = event_list(
        epcis.get("/epcis/events", params={"orderBy": "eventTime", "eventCountLimit": "1"})
    )
    assert len(limited) == 1
    too_large = epcis.get("/epcis/events", params={"maxEventCount": "2"})
    assert too_large.status_code == 413
    for bad in ({"EQ_action": "MOVE"}, {"GE_eventTime": "yesterday"}, {"NOPE": "1"}):
        answer = epcis.get("/epcis/events", params=bad)
        assert answer.status_code == 400, bad
        assert answer.json()["type"] == "epcisException:QueryParameterException"


def test_event_times_before_the_year_1000_sort_first(epcis):
    """Stored times are zero-padded (`0999-…`): unpadded, year 999 sorted after 2024."""
    events = [observe("urn:epc:id:sgtin:0614141.107346.9", when="0999-06-01T00:00:00Z"),
              observe("urn:epc:id:sgtin:0614141.107346.8")]  # fmt: skip
    assert capture(epcis, document(events))["success"]
    early = event_list(epcis.get("/epcis/events", params={"LT_eventTime": "1000-01-01T00:00:00Z"}))
    assert [e["epcList"] for e in early] == [["urn:epc:id:sgtin:0614141.107346.9"]]
    ordered = event_list(
        epcis.get("/epcis/events", params={"orderBy": "eventTime", "orderDirection": "ASC"})
    )
    assert ordered[0]["eventTime"] == "0999-06-01T00:00:00Z"


def test_paging_with_link_header(epcis):
    capture(epcis, document([observe(f"urn:epc:id:sgtin:0614141.107346.{i}") for i in range(7)]))
    seen, url = [], "/epcis/events?perPage=3&orderBy=eventTime&orderDirection=ASC"
    while url:
        answer = epcis.get(url)
        seen += [e["epcList"][0] for e in event_list(answer)]
        link = answer.headers.get("link")
        url = link[1 : link.index(">")] if link else None
    assert len(seen) == 7 and len(set(seen)) == 7


def test_collections_and_named_queries(epcis):
    capture(epcis, load(example("Example_9.6.1-ObjectEvent.jsonld")))
    root = epcis.get("/epcis/").json()
    assert "events" in root["member"]
    assert "shipping" in epcis.get("/epcis/bizSteps").json()["member"]
    assert len(event_list(epcis.get("/epcis/bizSteps/shipping/events"))) == 1
    assert len(event_list(epcis.get("/epcis/eventTypes/ObjectEvent/events"))) == 2
    assert epcis.get("/epcis/nothing/x").status_code == 404
    assert epcis.get("/epcis/nothing/x/events").status_code == 404
    body = {"name": "shipped", "query": {"EQ_bizStep": ["shipping"]}}
    assert epcis.post("/epcis/queries", json=body).status_code == 201
    assert epcis.post("/epcis/queries", json=body).status_code == 409
    assert len(event_list(epcis.get("/epcis/queries/shipped/events"))) == 1
    bad = epcis.post("/epcis/queries", json={"name": "x", "query": {"EQ_nope": ["1"]}})
    assert bad.status_code == 400
    assert epcis.delete("/epcis/queries/shipped").status_code == 204
    assert epcis.get("/epcis/queries/shipped/events").status_code == 404


def test_options_advertise_versions_and_limits(epcis):
    answer = epcis.options("/epcis/capture")
    assert answer.status_code == 204
    assert answer.headers["GS1-EPCIS-Version"] == "2.0.0"
    assert answer.headers["GS1-EPCIS-Capture-Limit"] == "50"
    assert int(answer.headers["GS1-EPCIS-Capture-File-Size-Limit"]) > 0
    assert "POST" in answer.headers["allow"]


def test_official_events_hash_the_same_when_ids_are_dropped(epcis):
    doc = load(example("Example_9.6.4-TransformationEvent.jsonld"))
    for event in events_of(doc):
        event.pop("eventID", None)
    assert capture(epcis, doc)["success"]
