"""Cloud signing end to end on both databases: two parties, keys, a contract, signatures, the
evidence log; then a tampered document, signature and log entry that verification catches."""

import json
from datetime import UTC, datetime

import pytest

from zhizao.errors import AccessDenied, ProjectConflict, SignatureRejected
from zhizao.node import Node
from zhizao.projects.access import Caller
from zhizao.projects.model import Stage
from zhizao.projects.signing import (
    Statement,
    document_hash,
    load_private_key,
    new_private_key,
    sign,
)
from zhizao.settings import Settings

BUREAU = Caller("alice", "bureau")
CHANGAN = Caller("changan-legal", "investor", "changan")
CONTRACT = b"%PDF-1.7 investment agreement: Changan NEV park, 10.2 bn yuan\n"


@pytest.fixture
def node(database_url):
    n = Node(Settings(database_url=database_url))
    yield n
    n.close()


def setup_ceremony(node):
    svc = node.projects
    svc.create_signing_event({"id": "sce-2018", "name": "Smart China Expo 2018",
                              "date": "2018-08-23", "mainVenue": "Yuelai"}, BUREAU)  # fmt: skip
    svc.create_projects([{
        "id": "P-2018-001", "name": "Changan NEV industrial park", "investor": "Changan",
        "origin": "in-province", "contractType": "formal", "amount": "10200000000",
        "sector": "C3612", "cluster": "intelligent connected NEV", "area": "Yufu",
        "responsibleUnit": "Investment Promotion Bureau", "signingEvent": "sce-2018",
        "investorParty": "changan", "stage": "negotiating", "stageDate": "2018-05-01",
    }], BUREAU)  # fmt: skip
    svc.add_party("liangjiang", "Liangjiang New Area", "zone", BUREAU)
    svc.add_party("changan", "Changan Automobile", "investor", BUREAU)
    keys = {}
    for party, caller in (("liangjiang", BUREAU), ("changan", CHANGAN)):
        pem, public = new_private_key()
        keys[party] = (load_private_key(pem), svc.register_key(party, public, caller))
    sha = svc.register_document("P-2018-001", "agreement.pdf", CONTRACT, BUREAU)
    return svc, keys, sha


def signed(keys, party, sha, at="2018-08-23T10:00:00+08:00"):
    return sign(keys[party][0], Statement(sha, "P-2018-001", party, at))


def test_two_parties_sign_and_the_log_verifies(node):
    svc, keys, sha = setup_ceremony(node)
    assert sha == document_hash(CONTRACT)
    svc.sign("P-2018-001", sha, "liangjiang", "2018-08-23T10:00:00+08:00",
             signed(keys, "liangjiang", sha), BUREAU)  # fmt: skip
    assert svc.project("P-2018-001").stage is Stage.NEGOTIATING  # one side is not enough
    svc.sign("P-2018-001", sha, "changan", "2018-08-23T10:00:00+08:00",
             signed(keys, "changan", sha), CHANGAN)  # fmt: skip
    project = svc.project("P-2018-001")
    assert project.stage is Stage.SIGNED and project.signed_on.isoformat() == "2018-08-23"
    report = svc.verify()
    assert report.ok and report.signatures == 2 and report.documents == 1
    board = svc.board("sce-2018")
    assert (board["signedCount"], board["signedAmountYi"]) == (1, "102.00")
    actors = {e.actor for e in node.store.evidence()}
    assert {"alice (bureau)", "changan-legal (investor:changan)"} <= actors


def test_bad_signatures_are_refused_and_logged(node):
    svc, keys, sha = setup_ceremony(node)
    at = "2018-08-23T10:00:00+08:00"
    other = document_hash(b"a different contract")
    wrong_doc = sign(keys["changan"][0], Statement(other, "P-2018-001", "changan", at))
    with pytest.raises(SignatureRejected, match="does not verify"):
        svc.sign("P-2018-001", sha, "changan", at, wrong_doc, CHANGAN)
    # a key the log never registered
    stranger = load_private_key(new_private_key()[0])
    with pytest.raises(SignatureRejected):
        svc.sign("P-2018-001", sha, "changan", at,
                 sign(stranger, Statement(sha, "P-2018-001", "changan", at)), CHANGAN)  # fmt: skip
    # a revoked key
    svc.revoke_key(keys["changan"][1], CHANGAN)
    with pytest.raises(SignatureRejected):
        svc.sign("P-2018-001", sha, "changan", at, signed(keys, "changan", sha), CHANGAN)
    kinds = [e.kind for e in node.store.evidence()]
    assert kinds.count("signature.rejected") == 3 and "signature.accepted" not in kinds
    assert node.store.signatures_of("P-2018-001") == []
    # an investor cannot sign for another party, nor anyone else's project
    with pytest.raises(AccessDenied):
        svc.sign("P-2018-001", sha, "liangjiang", at, signed(keys, "liangjiang", sha), CHANGAN)
    # duplicate signing
    svc.sign("P-2018-001", sha, "liangjiang", at, signed(keys, "liangjiang", sha), BUREAU)
    with pytest.raises((SignatureRejected, ProjectConflict), match="signed this document"):
        svc.sign("P-2018-001", sha, "liangjiang", at, signed(keys, "liangjiang", sha), BUREAU)
    assert svc.verify().ok


def tamper(node, sql, args):
    with node.store.transaction() as conn:
        conn.execute(node.store.q(sql), args)


def both_signed(node):
    svc, keys, sha = setup_ceremony(node)
    for party, caller in (("liangjiang", BUREAU), ("changan", CHANGAN)):
        svc.sign("P-2018-001", sha, party, "2018-08-23T10:00:00+08:00",
                 signed(keys, party, sha), caller)  # fmt: skip
    assert svc.verify().ok
    return svc, sha


def test_a_tampered_document_is_caught(node):
    svc, sha = both_signed(node)
    tamper(node, "UPDATE documents SET content = ? WHERE sha256 = ?", (CONTRACT + b" ", sha))
    report = svc.verify()
    seq = next(e.seq for e in node.store.evidence() if e.kind == "document.registered")
    assert report.failure == (seq, "document 'agreement.pdf' was altered after it was registered")


def test_a_tampered_log_entry_is_caught(node):
    svc, _ = both_signed(node)
    entry = next(e for e in node.store.evidence() if e.kind == "project.created")
    data = dict(entry.data, amount="20400000000")  # someone doubles the contracted amount
    tamper(node, "UPDATE evidence SET data = ? WHERE seq = ?", (json.dumps(data), entry.seq))
    altered = "its content does not match its hash (the entry was altered)"
    assert svc.verify().failure == (entry.seq, altered)


def test_a_removed_log_entry_is_caught(node):
    svc, _ = both_signed(node)
    entries = node.store.evidence()
    tamper(node, "DELETE FROM evidence WHERE seq = ?", (entries[3].seq,))
    assert svc.verify().failure == (entries[4].seq, "its link to the previous entry is broken "
                                    "(an entry was removed or inserted)")  # fmt: skip


def test_a_swapped_signature_is_caught(node):
    svc, sha = both_signed(node)
    tamper(node, "UPDATE signatures SET signature = ? WHERE party = ?", ("AAAA", "changan"))
    failure = svc.verify().failure
    assert failure is not None and "stored signature of changan differs" in failure[1]


def test_stamp_is_utc_iso():
    # the log's times are UTC with a Z, so they sort and compare as text
    from zhizao.project_service import now_text

    assert now_text().endswith("Z") and datetime.fromisoformat(now_text()).tzinfo == UTC
