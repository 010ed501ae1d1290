"""Webhooks against a real HTTP receiver on 127.0.0.1: signatures verify, failures are retried with
backoff, a later fact about a document (or event) never arrives before an earlier one."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from mandat.api.webhooks import Dispatcher
from mandat.store import api_repository as arepo
from mandat.store.repository import utcnow
from mandat.store.schema import webhook_deliveries
from tests.api.conftest import LOCAL_HOOKS, SELLER_A, SELLER_B, Api
from tests.factories import order


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Receiver:
    url: str
    received: list[Received] = field(default_factory=list)
    # event key -> statuses to answer, in turn (then 200)
    script: dict[str, list[int]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state = Receiver(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            with state.lock:
                state.received.append(Received(dict(self.headers.items()), body))
                answers = state.script.get(json.loads(body)["id"], [])
                status = answers.pop(0) if answers else 200
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *_: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/mandat"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()


def verify(secret: str, received: Received, tolerance: int = 300) -> bool:
    """What a receiver does (the snippet in docs/api.md)."""
    parts = dict(p.split("=", 1) for p in received.headers["Mandat-Signature"].split(","))
    t = int(parts["t"])
    expected = hmac.new(secret.encode(), f"{t}.".encode() + received.body, hashlib.sha256).hexdigest()
    return abs(time.time() - t) <= tolerance and hmac.compare_digest(expected, parts["v1"])


def register(api: Api, url: str, *types: str) -> dict[str, Any]:
    r = api.client.post("/v1/webhooks", json={"url": url, "event_types": list(types)}, headers=api.h("operator"))
    assert r.status_code == 201, r.text
    hook: dict[str, Any] = r.json()
    assert hook["secret"].startswith("whsec_")
    return hook


def deliveries(api: Api, hook_id: str) -> list[dict[str, Any]]:
    r = api.client.get(f"/v1/webhooks/{hook_id}/deliveries", headers=api.h("auditor"))
    assert r.status_code == 200, r.text
    items: list[dict[str, Any]] = r.json()["items"]
    return items


@pytest.fixture
def dispatcher(api: Api) -> Iterator[Dispatcher]:
    d = Dispatcher(api.service, backoff_base=0.0, max_attempts=4, timeout=5, policy=LOCAL_HOOKS)
    yield d
    d.close()


def test_issued_document_is_told_once_with_a_valid_signature(
    api: Api, receiver: Receiver, dispatcher: Dispatcher
) -> None:
    hook = register(api, receiver.url, "document.issued")
    result = api.issued(SELLER_A)
    assert dispatcher.run_once() == (1, 1)
    assert dispatcher.run_once() == (0, 0)  # nothing twice, whatever the look-back window re-reads
    assert Dispatcher(api.service).enqueue_new() == 0  # nor from a second dispatcher
    [got] = receiver.received
    assert verify(hook["secret"], got)
    assert not verify("whsec_other", got)
    assert got.headers["Mandat-Event"] == "document.issued"
    assert got.json["type"] == "document.issued"
    doc = got.json["data"]
    assert doc["id"] == result["document_id"]
    assert doc["number"] == "F-ABJ-000001"
    assert doc["links"]["pdf"] == f"/v1/documents/{doc['id']}/pdf"
    [d] = deliveries(api, hook["id"])
    assert d["status"] == "delivered"
    assert d["attempts"] == 1
    assert [a["status_code"] for a in d["attempt_log"]] == [200]


def test_rejected_event_is_told_and_documents_only_to_their_subscribers(
    api: Api, receiver: Receiver, dispatcher: Dispatcher
) -> None:
    rejections = register(api, receiver.url + "/rejections", "event.rejected")
    r = api.post_event(order("nouveau-vendeur", ref="0100", fix_amount=False))
    assert r.json()["status"] == "rejected"
    api.issued(SELLER_A)
    dispatcher.run_once()
    [got] = receiver.received
    assert verify(rejections["secret"], got)
    assert got.json["type"] == "event.rejected"
    assert got.json["data"]["event_id"] == "evt-0100"
    assert got.json["data"]["reason_code"].startswith("mandate")


def test_failing_receiver_is_retried_with_backoff_then_given_up(
    api: Api, receiver: Receiver, dispatcher: Dispatcher
) -> None:
    hook = register(api, receiver.url, "document.issued")
    result = api.issued(SELLER_A)
    receiver.script[f"document.issued:{result['document_id']}"] = [500, 503]
    for _ in range(3):
        dispatcher.run_once()
    [d] = deliveries(api, hook["id"])
    assert d["status"] == "delivered"
    assert [a["status_code"] for a in d["attempt_log"]] == [500, 503, 200]
    assert len(receiver.received) == 3
    assert len({r.body for r in receiver.received}) == 1  # the same body every time, freshly signed
    assert all(verify(hook["secret"], r) for r in receiver.received)

    # A receiver that is gone: network errors, backoff, then `failed` after max_attempts; retry on demand.
    down = register(api, "http://127.0.0.1:9/unreachable", "document.issued")
    other = api.issued(SELLER_B, ref="0200")
    slow = Dispatcher(api.service, backoff_base=3600.0, max_attempts=4, policy=LOCAL_HOOKS)
    slow.run_once()
    [d] = deliveries(api, down["id"])
    assert d["status"] == "pending"
    assert d["attempts"] == 1
    assert d["attempt_log"][0]["status_code"] is None
    assert "ConnectError" in (d["last_error"] or "")
    assert slow.send_due() == 0  # not due before its backoff
    slow.close()
    with api.service.engine.begin() as conn:  # an hour passes
        conn.execute(webhook_deliveries.update().values(next_attempt_at=utcnow()))
    for _ in range(4):
        dispatcher.run_once()
    [d] = deliveries(api, down["id"])
    assert d["status"] == "failed"
    assert d["attempts"] == 4
    assert d["subject"] == other["document_id"]
    retry = api.client.post(f"/v1/webhooks/{down['id']}/deliveries/{d['id']}/retry", headers=api.h("operator"))
    assert retry.status_code == 200
    assert retry.json()["status"] == "pending"
    again = api.client.post(f"/v1/webhooks/{down['id']}/deliveries/{d['id']}/retry", headers=api.h("operator"))
    assert again.status_code == 409


def test_order_per_subject_is_kept_while_others_flow(api: Api, receiver: Receiver, dispatcher: Dispatcher) -> None:
    """The same event rejected twice (before and after a replay): the second rejection is not sent
    until the first one got through, while a document of another seller goes out meanwhile."""
    hook = register(api, receiver.url, "event.rejected", "document.issued")
    assert api.post_event(order("nouveau-vendeur", ref="0300", fix_amount=False)).json()["status"] == "rejected"
    dispatcher.enqueue_new()
    assert api.service.replay("evt-0300")
    time.sleep(0.01)
    api.drain()  # rejected again (mandate still inactive), with a later rejection time
    dispatcher.enqueue_new()
    with api.service.reader.connect() as conn:
        queued = arepo.list_deliveries(conn, hook["id"], None, None, 10)
    first, second = sorted((d for d in queued if d.event_type == "event.rejected"), key=lambda d: d.id)
    assert first.order_key == second.order_key == "event:evt-0300"
    receiver.script[first.event_key] = [500, 500]
    doc = api.issued(SELLER_B, ref="0301")

    for _ in range(5):
        dispatcher.run_once()
    told = [r.json["id"] for r in receiver.received]
    doc_key = f"document.issued:{doc['document_id']}"
    assert told.count(first.event_key) == 3
    assert told.count(second.event_key) == 1
    assert told.index(second.event_key) > max(i for i, k in enumerate(told) if k == first.event_key)
    # The other subject was not held back by the failing one.
    assert told.index(doc_key) < told.index(second.event_key)
    assert {d["status"] for d in deliveries(api, hook["id"])} == {"delivered"}


def test_endpoint_hears_only_what_follows_its_registration_and_pausing_holds_deliveries(
    api: Api, receiver: Receiver, dispatcher: Dispatcher
) -> None:
    api.issued(SELLER_A, ref="0400")
    dispatcher.run_once()
    hook = register(api, receiver.url, "document.issued")
    dispatcher.run_once()
    assert receiver.received == []
    paused = api.client.patch(f"/v1/webhooks/{hook['id']}", json={"active": False}, headers=api.h("operator"))
    assert paused.json()["active"] is False
    api.issued(SELLER_A, ref="0401")
    dispatcher.run_once()
    assert receiver.received == []
    api.client.patch(f"/v1/webhooks/{hook['id']}", json={"active": True}, headers=api.h("operator"))
    dispatcher.run_once()
    assert [r.json["data"]["order_id"] for r in receiver.received] == ["CMD-0401"]
