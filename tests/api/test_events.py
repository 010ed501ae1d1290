"""POST /v1/events: idempotent, rules refusals kept (202 rejected), bad input refused (4xx, nothing stored)."""

from __future__ import annotations

import json
import threading
import time
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa
from fastapi.testclient import TestClient

from mandat.api.app import create_app
from mandat.store import repository as repo
from mandat.store.schema import documents, inbox
from tests.api.conftest import JSON, SECRET, SELLER_A, Api
from tests.factories import order


def counts(api: Api) -> tuple[int, int]:
    with api.service.engine.connect() as conn:
        n_inbox = conn.execute(sa.select(sa.func.count()).select_from(inbox)).scalar_one()
        n_docs = conn.execute(sa.select(sa.func.count()).select_from(documents)).scalar_one()
    return int(n_inbox), int(n_docs)


def test_one_event_is_issued_and_a_resend_answers_the_original(api: Api) -> None:
    first = api.post_event(order())
    assert first.status_code == 202
    body = first.json()
    assert body["status"] == "issued"
    assert body["document_number"] == "F-ABJ-000001"
    again = api.post_event(order())
    assert again.status_code == 202
    assert again.json() == body
    # The same order under a new event id: still one invoice, the event says duplicate.
    resent = api.post_event(order(event_id="evt-0001-bis"))
    assert resent.json()["status"] == "duplicate"
    assert resent.json()["document_id"] == body["document_id"]
    # The same event id with another body: the first is kept, and the answer says so.
    changed = api.post_event(order(ref="0001", shipping="5.00"))
    assert changed.json()["document_id"] == body["document_id"]
    assert "another body" in changed.json()["note"]
    assert counts(api) == (2, 1)
    got = api.client.get("/v1/events/evt-0001", headers=api.h("auditor")).json()
    assert got["status"] == "issued"
    assert got["document_id"] == body["document_id"]
    assert json.loads(got["payload"]) == order()


def test_batch_keeps_each_event_byte_for_byte(api: Api) -> None:
    events = [order(ref="0001"), order(ref="0002"), order("nouveau-vendeur", ref="0003", fix_amount=False)]
    texts = [json.dumps(e, indent=1, ensure_ascii=False) for e in events]
    raw = "[\n " + " ,\n".join(texts) + "\n]\n"
    r = api.client.post("/v1/events", content=raw.encode(), headers=api.h("operator") | JSON)
    assert r.status_code == 202
    results = r.json()
    assert [x["status"] for x in results] == ["issued", "issued", "rejected"]
    assert results[2]["reason_code"] == "mandate_inactive"
    assert results[2]["reason"]
    with api.service.engine.connect() as conn:
        for text, event in zip(texts, events, strict=True):
            row = repo.get_inbox(conn, event_id=event["event_id"])
            assert row is not None
            assert row.payload == text
    rejected = api.client.get("/v1/events/evt-0003", headers=api.h("operator")).json()
    assert rejected["status"] == "rejected"
    assert rejected["reason_code"] == "mandate_inactive"


def test_bad_input_is_a_problem_and_nothing_is_stored(api: Api) -> None:
    h = api.h("operator") | JSON
    post = lambda content: api.client.post("/v1/events", content=content, headers=h)  # noqa: E731

    r = post(b"{not json")
    assert r.status_code == 400
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["type"] == "/problems/malformed-json"
    assert post(b"\xff\xfe").status_code == 400
    assert post(b'"order.paid"').json()["type"] == "/problems/not-an-event"

    bad = order()
    bad["lines"][1]["quantity"] = "-1"
    del bad["buyer"]["name"]
    bad["prices_include_vat"] = "perhaps"
    r = post(json.dumps(bad))
    assert r.status_code == 422
    problem = r.json()
    assert problem["type"] == "/problems/validation"
    assert problem["status"] == 422
    pointers = {e["pointer"] for e in problem["errors"]}
    assert {"/lines/1/quantity", "/buyer/name", "/prices_include_vat"} <= pointers

    # One bad event refuses the whole batch, with the index in the pointer.
    r = post(json.dumps([order(ref="0005"), {**order(ref="0006"), "type": "order.teleported"}]))
    assert r.status_code == 422
    assert r.json()["errors"] == [{"detail": r.json()["errors"][0]["detail"], "pointer": "/1/type"}]

    r = post(json.dumps(order("no-such-seller")))
    assert r.status_code == 422
    assert r.json()["type"] == "/problems/unknown-seller"
    assert r.json()["errors"][0]["pointer"] == "/seller_id"

    assert post(json.dumps([order(ref=f"1{i:03d}") for i in range(101)])).status_code == 413
    assert post(b"[]").status_code == 422
    big = json.dumps({**order(), "padding": "x" * (1 << 20)})
    r = post(big)
    assert r.status_code == 413
    assert r.json()["type"] == "/problems/body-too-large"
    r = api.client.post(
        "/v1/events", content=json.dumps(order()), headers=api.h("operator") | {"Content-Type": "text/plain"}
    )
    assert r.status_code == 415
    assert counts(api) == (0, 0)


def test_chunked_body_over_the_limit_is_refused(api: Api) -> None:
    def chunks():  # type: ignore[no-untyped-def]
        for _ in range(20):
            yield b" " * (64 * 1024)

    r = api.client.post("/v1/events", content=chunks(), headers=api.h("operator") | JSON)
    assert r.status_code == 413
    assert r.headers["content-type"] == "application/problem+json"


def test_unknown_event_and_route_are_problems(api: Api) -> None:
    r = api.client.get("/v1/events/nope", headers=api.h("operator"))
    assert r.status_code == 404
    assert r.json()["type"] == "/problems/not-found"
    r = api.client.get("/v1/nothing-here", headers=api.h("operator"))
    assert r.status_code == 404
    assert r.headers["content-type"] == "application/problem+json"
    r = api.client.get("/v1/documents", params={"limit": "lots"}, headers=api.h("operator"))
    assert r.status_code == 422
    assert r.json()["errors"] == [{"detail": r.json()["errors"][0]["detail"], "parameter": "limit"}]
    assert api.client.get("/problems/validation").json()["title"] == "Invalid request"


def test_seller_unknown_is_checked_before_anything_is_stored_even_in_a_batch(api: Api) -> None:
    r = api.post_event([order(SELLER_A, ref="0010"), order("ghost", ref="0011")])
    assert r.status_code == 422
    assert r.json()["errors"][0]["pointer"] == "/1/seller_id"
    assert counts(api) == (0, 0)


def test_error_pointers_name_the_body_not_the_union_branch(api: Api) -> None:
    """Pydantic reports an error inside `{"refund": {"kind": "lines", ...}}` at
    `refund.lines.lines.0.quantity`: the branch tag `lines` is not in the body, so the pointer was
    `/refund/lines/lines/0/quantity`, which names nothing. Found by tests/api/test_fuzz_events.py."""
    refund = json.loads((Path(__file__).parents[2] / "docs" / "example-order.refunded.json").read_text())
    refund["refund"]["lines"][0]["quantity"] = "-1"
    refund["payment"]["status"] = "maybe"
    r = api.client.post("/v1/events", content=json.dumps([refund]), headers=api.h("operator") | JSON)
    assert r.status_code == 422
    assert {e["pointer"] for e in r.json()["errors"]} == {"/0/refund/lines/0/quantity", "/0/payment/status"}
    refund["refund"] = {"kind": "amount", "amounts": [{"vat_rate": "20", "amount": "0"}]}
    r = api.client.post("/v1/events", content=json.dumps(refund), headers=api.h("operator") | JSON)
    assert {e["pointer"] for e in r.json()["errors"]} == {"/refund/amounts/0/amount", "/payment/status"}
    refund["refund"] = {"kind": "lines", "lines": "all of them"}
    r = api.client.post("/v1/events", content=json.dumps(refund), headers=api.h("operator") | JSON)
    assert {e["pointer"] for e in r.json()["errors"]} == {"/refund/lines", "/payment/status"}
    assert counts(api) == (0, 0)


def _held_by_another_worker(api: Api, event: dict[str, object]) -> int:
    """The event accepted and claimed by another worker (as `mandat worker` does between the API's
    acceptance and its own claim), which has not issued it yet."""
    accepted = api.service.accept(json.dumps(event))
    with api.service.engine.begin() as conn:
        row = repo.get_inbox(conn, event_id=accepted.event_id)
        assert row is not None
        assert repo.claim_one(conn, row.id, "another-worker", timedelta(seconds=60))
    return row.id


def test_an_event_another_worker_is_issuing_is_answered_with_its_document(api: Api) -> None:
    """Issue 11: under concurrency the synchronous answer came back `processing`, without the
    document, whenever a worker had claimed the event first. Now the API waits for that worker."""
    event = order(ref="0700")
    row_id = _held_by_another_worker(api, event)
    worker = threading.Timer(0.3, api.service.process, args=(row_id,))
    worker.start()
    started = time.monotonic()
    r = api.post_event(event)
    worker.join()
    assert r.status_code == 202
    result = r.json()
    assert time.monotonic() - started >= 0.3
    assert result["status"] == "issued", result
    assert result["document_number"] == "F-ABJ-000001"
    assert counts(api) == (1, 1)


def test_when_the_other_worker_takes_too_long_the_answer_says_processing(api: Api) -> None:
    """The wait is bounded: the answer then has no document, and GET /v1/events/{id} (or the
    webhooks) gives the outcome later, as docs/api.md tells the client."""
    fast = create_app(api.service, secret=SECRET, sync_wait=0.2)
    client = TestClient(fast)
    event = order(ref="0701")
    row_id = _held_by_another_worker(api, event)
    r = client.post("/v1/events", content=json.dumps(event), headers=api.h("operator") | JSON)
    assert r.status_code == 202
    assert r.json()["status"] == "processing"
    assert r.json()["document_id"] is None
    api.service.process(row_id)
    got = client.get("/v1/events/evt-0701", headers=api.h("operator")).json()
    assert got["status"] == "issued"
    assert got["document_id"]


def test_every_refusal_of_a_body_says_where(api: Api) -> None:
    """Issue 11: a body refused as a whole (not JSON, not an event, too large, wrong media type)
    had no `errors`; now it names the body (pointer "") or the header."""
    h = api.h("operator") | JSON
    cases = [
        (b"{not json", h, 400, {"pointer": ""}),
        (b"\xff\xfe", h, 400, {"pointer": ""}),
        (b'"order.paid"', h, 400, {"pointer": ""}),
        (json.dumps([order(ref=f"1{i:03d}") for i in range(101)]).encode(), h, 413, {"pointer": ""}),
        (b" " * ((1 << 20) + 1), h, 413, {"pointer": ""}),
        (
            json.dumps(order()).encode(),
            api.h("operator") | {"Content-Type": "text/plain"},
            415,
            {"header": "Content-Type"},
        ),
    ]
    for body, headers, status, where in cases:
        r = api.client.post("/v1/events", content=body, headers=headers)
        assert r.status_code == status, r.text
        [error] = r.json()["errors"]
        assert {k: v for k, v in error.items() if k != "detail"} == where, error
        assert error["detail"]
    assert counts(api) == (0, 0)
