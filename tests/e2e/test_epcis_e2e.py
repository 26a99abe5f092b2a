"""EPCIS capture jobs against a real `zhizao serve`; webhooks to a real HTTP receiver."""

import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer

import requests
from starlette.testclient import TestClient

from tests.conftest import Server, free_port
from zhizao.api.app import create_app
from zhizao.demo.genealogy import documents, generate
from zhizao.node import Node
from zhizao.settings import Settings


def ready(server):
    """The port listens before a worker answers: wait for a real answer."""
    for _ in range(100):
        try:
            if requests.get(f"{server.url}/epcis/", timeout=5).status_code == 200:
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.1)
    raise AssertionError("server never answered")


def test_an_acknowledged_capture_job_is_completed_after_a_crash(tmp_path):
    server = Server(tmp_path, tls=False)
    server.setup()
    server.start()
    ready(server)
    g = generate(400, modules_per_pack=4, cells_per_module=6, lot_size=500, replace_every=50)
    body = json.dumps(next(documents(g.events, 100_000)))
    answer = requests.post(
        f"{server.url}/epcis/capture",
        data=body,
        headers={"Content-Type": "application/ld+json"},
        timeout=60,
    )
    assert answer.status_code == 202
    location = answer.headers["Location"]
    server.kill()  # right after the acknowledgement: the job is durable, not necessarily done
    server.start()
    ready(server)
    deadline = time.monotonic() + 60
    while True:
        job = requests.get(server.url + location, timeout=10).json()
        if not job["running"] or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert job["success"] and not job["running"], job
    found = requests.get(
        f"{server.url}/epcis/events", params={"perPage": 1, "maxEventCount": 10**6}, timeout=30
    )
    assert found.status_code == 200
    inside = requests.get(f"{server.url}/v1/trace/{g.vehicles[0]}/inside", timeout=10).json()
    assert inside["tree"]["contains"][0]["id"] == g.pack_of[g.vehicles[0]]
    server.stop()


class Receiver(BaseHTTPRequestHandler):
    received: list = []

    def do_POST(self):  # noqa: N802 - http.server's naming
        body = self.rfile.read(int(self.headers["Content-Length"]))
        Receiver.received.append((self.headers, body))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


def test_subscription_webhook_is_signed_and_retried(sqlite_url):
    port = free_port()  # nothing listens yet: the first deliveries fail and are retried
    node = Node(Settings(database_url=sqlite_url))
    with TestClient(create_app(node=node)) as client:
        query = {"name": "installs", "query": {"EQ_bizStep": ["installing"]}}
        assert client.post("/epcis/queries", json=query).status_code == 201
        sub = {"dest": f"http://127.0.0.1:{port}/hook", "stream": True, "signatureToken": "k1"}
        created = client.post("/epcis/queries/installs/subscriptions", json=sub)
        assert created.status_code == 201, created.text
        g = generate(2, modules_per_pack=1, cells_per_module=1, lot_size=5, replace_every=0)
        job = client.post("/epcis/capture", content=json.dumps(next(documents(g.events, 100))))
        assert job.status_code == 202
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            state = client.get(created.headers["location"]).json()
            if state["deliveryAttempts"] >= 1:
                break
            time.sleep(0.1)
        assert state["deliveryAttempts"] >= 1 and "lastError" in state
        receiver = HTTPServer(("127.0.0.1", port), Receiver)
        threading.Thread(target=receiver.serve_forever, daemon=True).start()
        try:
            deadline = time.monotonic() + 20
            while not Receiver.received and time.monotonic() < deadline:
                time.sleep(0.1)
        finally:
            receiver.shutdown()
    node.close()
    headers, body = Receiver.received[0]
    expected = "sha256=" + hmac.new(b"k1", body, hashlib.sha256).hexdigest()
    assert headers["GS1-Signature"] == expected
    delivered = json.loads(body)["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
    assert [e["parentID"] for e in delivered] == g.vehicles
