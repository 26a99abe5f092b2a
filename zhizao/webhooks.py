"""Subscription delivery: newly captured events that match a named query, POSTed to webhooks.

Each subscription remembers the last event (seq) it delivered; a delivery sends what matched
since, as an EPCISQueryDocument, signed with `GS1-Signature: sha256=<HMAC-SHA256 of the body>`
when the subscriber gave a signatureToken. A failed delivery is retried with exponential
back-off (1 s, 2 s, 4 s, … capped at 5 min), in order, so nothing is skipped. Any worker may
deliver; a short lease on the subscription keeps two from sending the same batch.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import threading
import urllib.error
import urllib.request
from collections.abc import Callable

from zhizao.events.query import parse_query
from zhizao.node import Node

log = logging.getLogger("zhizao.webhooks")
BATCH = 500
LEASE_SECONDS = 60.0
MAX_BACKOFF = 300.0


def signature(token: str, body: bytes) -> str:
    return "sha256=" + hmac.new(token.encode(), body, hashlib.sha256).hexdigest()


def post(dest: str, body: bytes, headers: dict[str, str], timeout: float = 10.0) -> None:
    request = urllib.request.Request(dest, data=body, headers=headers, method="POST")
    with urllib.request.urlopen(request, timeout=timeout) as answer:  # noqa: S310 - http(s) only
        if answer.status >= 300:
            raise OSError(f"HTTP {answer.status}")


class Deliverer:
    def __init__(self, node: Node, render: Callable[[list[str], str], str]) -> None:
        self.node = node
        self.render = render  # bodies, query name → EPCISQueryDocument text
        self.wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self.node.events.on_capture.append(self.wake.set)
        self._thread = threading.Thread(target=self._run, name="zhizao-webhooks", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self.wake.set()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.deliver_due()
            except Exception:
                log.exception("subscription delivery failed")
            self.wake.wait(1.0)
            self.wake.clear()

    def deliver_due(self) -> int:
        """One pass over every subscription; returns how many events were delivered."""
        sent = 0
        for sub in self.node.store.subscriptions():
            if not self.node.store.claim_subscription(sub["id"], LEASE_SECONDS):
                continue
            spec = parse_query(self.node.store.named_query(sub["query_name"]))
            found = self.node.events.new_events(spec, sub["last_seq"], BATCH)
            if not found:
                self.node.store.delivered(sub["id"], sub["last_seq"])
                continue
            body = self.render([b for _, b in found], sub["query_name"]).encode()
            headers = {"Content-Type": "application/ld+json", "GS1-EPCIS-Version": "2.0.0"}
            if sub["token"]:
                headers["GS1-Signature"] = signature(sub["token"], body)
            try:
                post(sub["dest"], body, headers)
            except (OSError, urllib.error.URLError) as exc:
                delay = min(MAX_BACKOFF, 2.0 ** sub["attempts"])
                self.node.store.delivery_failed(sub["id"], str(exc), delay)
                continue
            self.node.store.delivered(sub["id"], found[-1][0])
            sent += len(found)
            self.wake.set()  # there may be more than one batch
        return sent
