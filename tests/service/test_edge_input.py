"""Bad input through every entry point ends as a stored rejection with a reason, never a crash or a retry loop."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from mandat.service.app import Mandat, ReplayRefused
from mandat.store import repository as repo
from tests.factories import order, refund

DEEP = "[" * 1000 + "]" * 1000  # 2 KB


def drain(svc: Mandat) -> None:
    while svc.work_once(100) != (0, 0):
        pass


def row_of(svc: Mandat, event_id: str) -> repo.InboxRow:
    with svc.engine.connect() as conn:
        row = repo.get_inbox(conn, event_id=event_id)
    assert row is not None
    return row


def only_row(svc: Mandat) -> repo.InboxRow:
    with svc.engine.connect() as conn:
        rows = repo.list_inbox(conn, None, 10)
    assert len(rows) == 1
    return rows[0]


@pytest.mark.parametrize(
    "body",
    [
        DEEP,
        '{"type": "order.paid", "event_id": ' + "[" * 5000 + "]" * 5000 + "}",
        '{"a": 1, "a": 2}',
        '{"amount": NaN}',
    ],
)
def test_malformed_bodies_are_stored_rejected(service: Mandat, body: str) -> None:
    accepted = service.accept(body)
    assert (accepted.status, accepted.reason is not None) == ("rejected", True)
    row = only_row(service)
    assert (row.status, row.reason_code, row.payload) == ("rejected", "malformed_json", body)


def test_a_replay_with_a_deep_payload_ends_rejected(service: Mandat) -> None:
    bad = order(payment={"amount": "1.00"}, fix_amount=False)
    service.accept(json.dumps(bad))
    drain(service)
    assert row_of(service, "evt-0001").reason_code == "payment_amount"
    assert service.replay("evt-0001", DEEP)  # unreadable: let through, it can only end rejected
    drain(service)
    row = row_of(service, "evt-0001")
    assert (row.status, row.reason_code) == ("rejected", "malformed_json")


def test_a_date_before_the_rate_tables_is_rejected_not_retried(service: Mandat) -> None:
    event = order(fix_amount=False, payment={"amount": "1.00"})
    event["delivery"]["date"] = "2010-06-01"
    service.accept(json.dumps(event))
    drain(service)
    row = row_of(service, "evt-0001")
    assert (row.status, row.reason_code, row.attempts) == ("rejected", "date_unsupported", 1)


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("payment", "captured_at"), "2026-11-18T10:16:00"),
        (("occurred_at",), "9999-12-31T23:59:59-23:59"),
        (("occurred_at",), "0001-01-01T00:00:00+01:00"),
        (("delivery", "date"), "1900-01-01"),
        (("buyer", "address", "country"), "UK"),
        (("lines", 0, "quantity"), "١٢"),
        (("prices_include_vat",), "yes"),
        (("buyer", "name"), "\x01\x02"),
    ],
)
def test_bad_fields_are_rejected_at_accept(service: Mandat, path: tuple[str | int, ...], value: str) -> None:
    event = order()
    target = event
    for p in path[:-1]:
        target = target[p]  # type: ignore[index]
    target[path[-1]] = value  # type: ignore[index]
    accepted = service.accept(json.dumps(event))
    assert accepted.status == "rejected"
    row = row_of(service, "evt-0001")
    assert row.reason_code == "invalid_event"
    assert str(path[0]) in (row.reason or "")


# --- replay keeps the event's identity ---------------------------------------------------------


def rejected_order(service: Mandat) -> None:
    service.accept(json.dumps(order(payment={"amount": "1.00"}, fix_amount=False)))
    drain(service)
    assert row_of(service, "evt-0001").status == "rejected"


def test_replay_refuses_another_event_id(service: Mandat) -> None:
    rejected_order(service)
    with pytest.raises(ReplayRefused, match="event_id"):
        service.replay("evt-0001", json.dumps(order(ref="0002")))
    with pytest.raises(ReplayRefused, match="event_id"):
        service.replay("evt-0001", json.dumps({**order(), "event_id": "evt-other"}))
    assert row_of(service, "evt-0001").status == "rejected"  # left as it was


def test_replay_refuses_another_order_id(service: Mandat) -> None:
    rejected_order(service)
    with pytest.raises(ReplayRefused, match="order_id"):
        service.replay("evt-0001", json.dumps({**order(), "order_id": "CMD-9999"}))
    row = row_of(service, "evt-0001")
    assert row.status == "rejected"
    assert '"CMD-9999"' not in row.payload


def test_replay_of_the_same_event_corrected_is_issued(service: Mandat) -> None:
    rejected_order(service)
    assert service.replay("evt-0001", json.dumps(order()))
    drain(service)
    assert row_of(service, "evt-0001").status == "issued"


def test_replay_of_a_refund_checks_its_identity_too(service: Mandat) -> None:
    service.accept(json.dumps(order()))
    service.accept(json.dumps(refund(amount="1.00")))
    drain(service)
    # A full refund short of what remains waits for the missing refund (see docs/events.md).
    assert row_of(service, "evt-0001-refund-R1").reason_code == "refund_amount_short"
    with pytest.raises(ReplayRefused):
        service.replay("evt-0001-refund-R1", json.dumps(refund(ref="0002", amount="1.00")))


def test_cli_replay_says_why_it_refuses(tmp_path: Path) -> None:
    from mandat.cli.main import app

    runner = CliRunner()
    home = str(tmp_path / "data")
    events = tmp_path / "orders.jsonl"
    events.write_text(DEEP + "\n" + json.dumps(order(payment={"amount": "1.00"}, fix_amount=False)) + "\n")
    from mandat.demo.sellers import demo_sellers

    sellers = tmp_path / "sellers.json"
    sellers.write_text(json.dumps([s.model_dump(mode="json") for s in demo_sellers()]), encoding="utf-8")
    assert runner.invoke(app, ["sellers", "import", str(sellers), "--home", home]).exit_code == 0
    result = runner.invoke(app, ["ingest", str(events), "--home", home])
    assert result.exit_code == 0, result.output
    assert "1 pending, 1 rejected" in result.output  # the deep line is kept, rejected
    other = tmp_path / "other.json"
    other.write_text(json.dumps({**order(), "order_id": "CMD-9999"}), encoding="utf-8")
    result = runner.invoke(app, ["replay", "evt-0001", "--payload", str(other), "--home", home])
    assert result.exit_code == 1
    assert "order_id" in result.output


# --- HTTP and SQS ------------------------------------------------------------------------------


def test_http_deep_body_is_400_malformed_json(service: Mandat) -> None:
    from mandat.api.app import create_app
    from mandat.api.auth import create_key

    token = create_key(service, "ops", "operator", None)[1]
    client = TestClient(
        create_app(service, secret=b"test-secret-key-of-at-least-32-bytes!!"), raise_server_exceptions=False
    )
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    for body in (DEEP, "[" + DEEP + "]", '{"a": 1, "a": 2}'):
        r = client.post("/v1/events", content=body, headers=headers)
        assert r.status_code == 400, r.text
        assert r.json()["type"].endswith("/malformed-json")


def test_sqs_deep_message_is_acknowledged_as_rejected(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from mandat.entry import lambda_sqs

    monkeypatch.setenv("MANDAT_HOME", str(tmp_path / "lambda"))
    monkeypatch.setenv("MANDAT_BLOB_URL", str(tmp_path / "blobs"))
    monkeypatch.setenv("MANDAT_MIGRATE_ON_START", "1")
    monkeypatch.delenv("MANDAT_DATABASE_URL", raising=False)
    lambda_sqs._reset_for_tests()
    try:
        answer = lambda_sqs.handle_events({"Records": [{"messageId": "m1", "body": DEEP}]}, None)
        assert answer == {"batchItemFailures": []}
        row = only_row(lambda_sqs.get_service())
        assert (row.status, row.reason_code) == ("rejected", "malformed_json")
    finally:
        lambda_sqs._reset_for_tests()
