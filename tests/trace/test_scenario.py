"""The trace answers on a generated battery genealogy, checked exactly, on both databases."""

import json
import random

import pytest

from zhizao.demo.genealogy import documents, generate
from zhizao.errors import TraceError
from zhizao.node import Node
from zhizao.settings import Settings
from zhizao.trace_service import TraceService, recall_csv


def load(node, events, size=50):
    for doc in documents(events, size):
        capture_id = node.events.submit(json.dumps(doc).encode()).capture_id
        node.events.run_job(capture_id)
        job = node.store.job(capture_id)
        assert job["success"], job["errors"]


@pytest.fixture(params=["in order", "late arrivals"])
def traced(request, database_url):
    g = generate(6, modules_per_pack=3, cells_per_module=4, lot_size=10, replace_every=3)
    events = list(g.events)
    if request.param == "late arrivals":
        random.Random(7).shuffle(events)  # eventTime, not arrival, decides
    node = Node(Settings(database_url=database_url))
    load(node, events, size=7)
    yield g, TraceService(node.store)
    node.close()


def flatten(tree):
    out = {tree["id"]: sorted(c["id"] for c in tree.get("contains", []))}
    for child in tree.get("contains", []):
        out |= flatten(child)
    return out


def expected_inside(g, vin):
    pack = g.pack_of[vin]
    want = {vin: [pack], pack: sorted(g.modules_of[pack])}
    for module in g.modules_of[pack]:
        want[module] = sorted(g.cells_of[module])
        for cell in g.cells_of[module]:
            want[cell] = [g.lot_of[cell]]
            want[g.lot_of[cell]] = []
    return want


def test_inside_every_vehicle(traced):
    g, trace = traced
    for vin in g.vehicles:
        answer = trace.inside(vin)
        assert flatten(answer["tree"]) == expected_inside(g, vin)
        assert answer["count"] == len(expected_inside(g, vin)) - 1


def test_replaced_module_is_inside_only_before_its_removal(traced):
    g, trace = traced
    assert g.replaced
    for pack, bad, good, _removed_at in g.replaced:
        vin = next(v for v, p in g.pack_of.items() if p == pack)
        now = flatten(trace.inside(pack)["tree"])
        assert bad not in now and good in now
        before = flatten(trace.inside(pack, at="2024-03-01T00:00:00Z")["tree"])
        assert before == {pack: []}  # nothing assembled yet
        assert trace.where_used([bad], "current")["usedIn"] == []
        ever = trace.where_used([bad], "ever")["usedIn"]
        assert [u["id"] for u in ever] == [vin]
        assert ever[0]["path"] == [vin, pack, bad]


def test_where_used_of_a_lot(traced):
    g, trace = traced
    for lot in g.lots:
        cells = {c for c, lt in g.lot_of.items() if lt == lot}
        current_modules = {m for p in g.modules_of.values() for m in p}
        holding = {
            vin
            for vin, pack in g.pack_of.items()
            for m in g.modules_of[pack]
            if cells & set(g.cells_of[m])
        }
        # a module taken out is a top item of its own now: it still holds the lot's cells
        loose = {bad for _, bad, _, _ in g.replaced if cells & set(g.cells_of[bad])}
        answer = trace.where_used([lot], "current")
        assert {u["id"] for u in answer["usedIn"]} == holding | loose
        for used in answer["usedIn"]:
            if used["id"] in loose:
                assert used["path"][0] in loose and used["path"][-1] == lot
                continue
            vin, pack, module, cell, last = used["path"]
            assert (g.pack_of[vin], last) == (pack, lot) and module in current_modules
            assert cell in g.cells_of[module] and g.lot_of[cell] == lot


def test_recall_lists_vehicles_with_whereabouts(traced):
    g, trace = traced
    bad = g.replaced[0][1]
    lot = g.lot_of[g.cells_of[bad][0]]
    rows = trace.recall([lot])
    vin = next(v for v, p in g.pack_of.items() if p == g.replaced[0][0])
    assert vin in {r["item"] for r in rows}  # ever contained, though the module is gone now
    for row in rows:
        assert row["lastLocation"] == "urn:epc:id:sgln:6901234.00001.0"  # as captured
        assert row["owningParty"].startswith("urn:epc:id:pgln:6901234.")
    text = recall_csv(rows)
    assert text.splitlines()[0].startswith("item,contains,path")
    assert len(text.splitlines()) == len(rows) + 1


def test_unknown_item_is_a_clear_error(traced):
    _, trace = traced
    with pytest.raises(TraceError, match="appears in no genealogy event"):
        trace.inside("hdl:88.118.8160/NOPE")
    with pytest.raises(TraceError, match="scope"):
        trace.where_used([traced[0].lots[0]], "sometimes")


def test_error_declaration_retracts_an_association(database_url):
    g = generate(1, modules_per_pack=2, cells_per_module=2, lot_size=10, replace_every=0)
    node = Node(Settings(database_url=database_url))
    load(node, g.events)
    trace = TraceService(node.store)
    install = next(e for e in g.events if e.get("bizStep") == "installing")
    vin = install["parentID"]
    assert flatten(trace.inside(vin)["tree"])[vin] == [g.pack_of[vin]]
    stored = node.events.query({"EQ_bizStep": "installing"}, 10, None).bodies
    correction = json.loads(stored[0])
    correction.pop("recordTime")
    correction["errorDeclaration"] = {"declarationTime": "2024-04-01T00:00:00Z",
                                      "reason": "incorrect_data"}  # fmt: skip
    load(node, [correction])
    assert flatten(trace.inside(vin)["tree"]) == {vin: []}
    node.close()


def test_a_cycle_in_bad_data_ends_both_walks(database_url):
    """A contains B and B contains A (two wrong scans): the answers end and name each once."""

    def packing(parent, child, minute):
        return {
            "type": "AggregationEvent", "action": "ADD", "parentID": f"hdl:88.118.8160/{parent}",
            "childEPCs": [f"hdl:88.118.8160/{child}"], "bizStep": "packing",
            "eventTime": f"2024-03-01T08:{minute:02d}:00Z", "eventTimeZoneOffset": "+00:00",
        }  # fmt: skip

    node = Node(Settings(database_url=database_url))
    load(node, [packing("A", "B", 1), packing("B", "C", 2), packing("C", "A", 3)])
    trace = TraceService(node.store)
    tree = trace.inside("hdl:88.118.8160/A")
    a, b, c = (f"hdl:88.118.8160/{x}" for x in "ABC")
    # A is shown again under C, but not expanded again
    assert tree["tree"] == {"id": a, "contains": [{"id": b, "contains": [{"id": c,
                            "contains": [{"id": a}]}]}]}  # fmt: skip
    assert tree["count"] == 2
    # every item has a parent, so none is finished: nothing is "used in"
    assert trace.where_used(["hdl:88.118.8160/B"], "ever")["count"] == 0
    node.close()


def test_a_transformation_reported_in_steps_joins_each_pair_once(database_url):
    """Three events share a transformationID, each captured on its own: every output is made
    from every input, and each (output, input) edge is stored once, however many steps."""

    def step(n):
        return {
            "type": "TransformationEvent", "transformationID": "urn:uuid:5f3c-mix",
            "inputEPCList": [f"hdl:88.118.8160/IN-{n}"],
            "outputEPCList": [f"hdl:88.118.8160/OUT-{n}"], "bizStep": "commissioning",
            "eventTime": f"2024-03-01T08:0{n}:00Z", "eventTimeZoneOffset": "+00:00",
        }  # fmt: skip

    node = Node(Settings(database_url=database_url))
    for n in range(3):
        load(node, [step(n)])
    edges = node.store.reader().execute("SELECT parent, child FROM trace_edges").fetchall()
    assert len(edges) == len(set(edges)) == 9
    tree = TraceService(node.store).inside("hdl:88.118.8160/OUT-2")
    assert sorted(c["id"] for c in tree["tree"]["contains"]) == [
        f"hdl:88.118.8160/IN-{n}" for n in range(3)
    ]
    node.close()


def test_retracting_one_step_of_a_transformation_unjoins_its_inputs(database_url):
    """Two events share a transformationID; the first is declared an error. Its inputs are
    no longer in the second's output, and its output is made of nothing."""

    def step(n):
        return {
            "type": "TransformationEvent", "transformationID": "urn:uuid:5f3c-retract",
            "inputEPCList": [f"hdl:88.118.8160/IN-{n}", "hdl:88.118.8160/IN-SHARED"],
            "outputEPCList": [f"hdl:88.118.8160/OUT-{n}"], "bizStep": "commissioning",
            "eventTime": f"2024-03-01T08:0{n}:00Z", "eventTimeZoneOffset": "+00:00",
        }  # fmt: skip

    node = Node(Settings(database_url=database_url))
    load(node, [step(0)])
    load(node, [step(1)])
    trace = TraceService(node.store)
    assert flatten(trace.inside("hdl:88.118.8160/OUT-1")["tree"])["hdl:88.118.8160/OUT-1"] == [
        "hdl:88.118.8160/IN-0", "hdl:88.118.8160/IN-1", "hdl:88.118.8160/IN-SHARED"
    ]  # fmt: skip
    correction = step(0) | {"errorDeclaration": {"declarationTime": "2024-04-01T00:00:00Z"}}
    load(node, [correction])
    assert flatten(trace.inside("hdl:88.118.8160/OUT-1")["tree"])["hdl:88.118.8160/OUT-1"] == [
        "hdl:88.118.8160/IN-1", "hdl:88.118.8160/IN-SHARED"
    ]  # fmt: skip
    assert flatten(trace.inside("hdl:88.118.8160/OUT-0")["tree"]) == {"hdl:88.118.8160/OUT-0": []}
    assert trace.where_used(["hdl:88.118.8160/IN-0"], "ever")["count"] == 0
    edges = node.store.reader().execute("SELECT parent, child FROM trace_edges").fetchall()
    assert len(edges) == len(set(edges)) == 2
    node.close()
