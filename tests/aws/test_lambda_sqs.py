"""SQS → Lambda issuing and outbox rendering, with queues and documents on a moto server."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from mandat.demo.sellers import demo_sellers
from mandat.entry import lambda_sqs
from mandat.rules.draft import draft_invoice as real_draft
from mandat.service.app import Mandat
from mandat.service.audit import audit
from mandat.store import repository as repo
from mandat.store.s3 import S3BlobStore
from mandat.store.schema import documents, inbox
from tests.aws.conftest import REGION
from tests.factories import order


@dataclass
class FakeContext:
    """The part of the Lambda context object the handlers use."""

    remaining_ms: int = 900_000
    function_name: str = "mandat-events"
    aws_request_id: str = "00000000-0000-0000-0000-000000000000"

    def get_remaining_time_in_millis(self) -> int:
        return self.remaining_ms


@pytest.fixture
def lambda_service(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, moto_endpoint: str, bucket: str
) -> Iterator[Mandat]:
    """The handler module's singleton, configured only through the environment, as Lambda would."""
    monkeypatch.setenv("MANDAT_HOME", str(tmp_path / "lambda"))
    monkeypatch.setenv("MANDAT_BLOB_URL", f"s3://{bucket}/documents")
    monkeypatch.setenv("MANDAT_S3_ENDPOINT_URL", moto_endpoint)
    monkeypatch.setenv("MANDAT_MIGRATE_ON_START", "1")
    lambda_sqs._reset_for_tests()
    service = lambda_sqs.get_service()
    service.save_sellers(demo_sellers())
    yield service
    lambda_sqs._reset_for_tests()


def make_queue(sqs: Any, max_receives: int = 2) -> tuple[str, str, str]:
    """A queue with a dead-letter queue and a 1 s visibility timeout; (queue url, queue arn, dlq url)."""
    name = f"mandat-{uuid.uuid4().hex[:10]}"
    dlq_url = sqs.create_queue(QueueName=f"{name}-dlq")["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    redrive = {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": str(max_receives)}
    url = sqs.create_queue(QueueName=name, Attributes={"VisibilityTimeout": "1", "RedrivePolicy": json.dumps(redrive)})[
        "QueueUrl"
    ]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    return url, arn, dlq_url


def receive(sqs: Any, url: str, expected: int, timeout: float = 6.0) -> list[dict[str, Any]]:
    """Poll until ``expected`` messages arrived (or the timeout); what the Lambda poller does."""
    got: list[dict[str, Any]] = []
    deadline = time.monotonic() + timeout
    while len(got) < expected and time.monotonic() < deadline:
        response = sqs.receive_message(
            QueueUrl=url, MaxNumberOfMessages=10, MessageSystemAttributeNames=["All"], WaitTimeSeconds=0
        )
        got.extend(response.get("Messages", []))
        if len(got) < expected:
            time.sleep(0.1)
    return got


def lambda_event(messages: list[dict[str, Any]], queue_arn: str) -> dict[str, Any]:
    """The event the Lambda SQS poller hands to the function, built from received messages."""
    return {
        "Records": [
            {
                "messageId": m["MessageId"],
                "receiptHandle": m["ReceiptHandle"],
                "body": m["Body"],
                "attributes": {
                    k: m["Attributes"][k]
                    for k in (
                        "ApproximateReceiveCount",
                        "SentTimestamp",
                        "SenderId",
                        "ApproximateFirstReceiveTimestamp",
                    )
                    if k in m["Attributes"]
                },
                "messageAttributes": {},
                "md5OfBody": m["MD5OfBody"],
                "eventSource": "aws:sqs",
                "eventSourceARN": queue_arn,
                "awsRegion": REGION,
            }
            for m in messages
        ]
    }


def ack(sqs: Any, url: str, messages: list[dict[str, Any]], result: dict[str, Any]) -> None:
    """What the Lambda service does with the answer: delete every message not reported as failed."""
    failed = {f["itemIdentifier"] for f in result["batchItemFailures"]}
    done = [m for m in messages if m["MessageId"] not in failed]
    if done:
        entries = [{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(done)]
        assert not sqs.delete_message_batch(QueueUrl=url, Entries=entries).get("Failed")


def log_lines(out: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in out.splitlines() if line.startswith("{")]


def inbox_rows(service: Mandat) -> dict[str, repo.InboxRow]:
    with service.engine.connect() as conn:
        return {r.event_id: r for r in repo.list_inbox(conn, limit=1000)}


def test_batch_partial_failure_dead_letter_redrive_and_render(
    lambda_service: Mandat, sqs: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url, arn, dlq_url = make_queue(sqs, max_receives=2)
    first, second, third = order(ref="1"), order(ref="2"), order("thermoconfort", ref="3")
    bodies = {
        "first": json.dumps(first),
        "second": json.dumps(second),
        "third": json.dumps(third),
        "redelivered": json.dumps(first),  # the producer sent the same event twice
        "resent": json.dumps({**second, "event_id": "evt-2-bis"}),  # same order, new event id
        "malformed": "{not json",
        "unknown-seller": json.dumps({**order(ref="4"), "seller_id": "ghost"}),
        "transient": json.dumps(order(ref="5")),
    }
    sent = sqs.send_message_batch(
        QueueUrl=url, Entries=[{"Id": name, "MessageBody": body} for name, body in bodies.items()]
    )
    message_ids = {e["Id"]: e["MessageId"] for e in sent["Successful"]}

    def outage_for_order_5(event: Any, *args: Any, **kwargs: Any) -> Any:
        if event.order_id == "CMD-5":
            raise ConnectionError("tax rate service timed out")
        return real_draft(event, *args, **kwargs)

    with monkeypatch.context() as outage:
        outage.setattr("mandat.service.app.draft_invoice", outage_for_order_5)

        messages = receive(sqs, url, expected=len(bodies))
        assert len(messages) == len(bodies)
        capsys.readouterr()
        result = lambda_sqs.handle_events(lambda_event(messages, arn), FakeContext())
        assert result == {"batchItemFailures": [{"itemIdentifier": message_ids["transient"]}]}
        ack(sqs, url, messages, result)

        lines = log_lines(capsys.readouterr().out)
        assert sorted(line["message_id"] for line in lines) == sorted(message_ids.values())
        by_message = {line["message_id"]: line for line in lines}
        assert by_message[message_ids["malformed"]]["status"] == "rejected"
        assert by_message[message_ids["unknown-seller"]]["status"] == "rejected"
        assert by_message[message_ids["transient"]]["status"] == "pending"
        assert by_message[message_ids["transient"]]["outcome"] == "retry"
        assert by_message[message_ids["transient"]]["event_id"] == "evt-5"

        # After the visibility timeout SQS delivers the failed message again, and only it.
        again = receive(sqs, url, expected=1)
        assert [m["MessageId"] for m in again] == [message_ids["transient"]]
        assert again[0]["Attributes"]["ApproximateReceiveCount"] == "2"
        result = lambda_sqs.handle_events(lambda_event(again, arn), FakeContext())
        assert result == {"batchItemFailures": [{"itemIdentifier": message_ids["transient"]}]}
        ack(sqs, url, again, result)

        # Received maxReceiveCount times: the next receive moves it to the dead-letter queue.
        assert receive(sqs, url, expected=1, timeout=3.0) == []
        dead = receive(sqs, dlq_url, expected=1)
        assert [m["Body"] for m in dead] == [bodies["transient"]]

    rows = inbox_rows(lambda_service)
    assert {e: r.status for e, r in rows.items() if not e.startswith("invalid-")} == {
        "evt-1": "issued",
        "evt-2": "issued",
        "evt-3": "issued",
        "evt-2-bis": "duplicate",
        "evt-4": "rejected",
        "evt-5": "pending",
    }
    assert rows["evt-4"].reason_code == "seller_unknown"
    assert "ghost" in (rows["evt-4"].reason or "")
    assert rows["evt-5"].reason_code == "internal_error"
    assert "timed out" in (rows["evt-5"].reason or "")
    assert rows["evt-5"].attempts == 2
    (malformed,) = [r for e, r in rows.items() if e.startswith("invalid-")]
    assert (malformed.status, malformed.reason_code, malformed.payload) == ("rejected", "malformed_json", "{not json")
    assert "not JSON" in (malformed.reason or "")
    assert rows["evt-2-bis"].document_id == rows["evt-2"].document_id

    # The outage is over; an operator redrives the dead-letter queue and the event is issued.
    result = lambda_sqs.handle_events(lambda_event(dead, arn), FakeContext())
    assert result == {"batchItemFailures": []}
    ack(sqs, dlq_url, dead, result)
    assert inbox_rows(lambda_service)["evt-5"].status == "issued"

    with lambda_service.engine.connect() as conn:
        counts = conn.execute(sa.select(documents.c.order_id, sa.func.count()).group_by(documents.c.order_id))
        per_order = {order_id: n for order_id, n in counts}
    assert per_order == {"CMD-1": 1, "CMD-2": 1, "CMD-3": 1, "CMD-5": 1}

    capsys.readouterr()
    rendered = lambda_sqs.handle_render({}, FakeContext())
    assert rendered["renders"] == 4
    assert rendered["pending_renders"] == 0
    assert rendered["stopped"] == "idle"
    assert rendered["batchItemFailures"] == []
    assert log_lines(capsys.readouterr().out)[-1]["handler"] == "render"
    assert isinstance(lambda_service.blobs, S3BlobStore)
    report = audit(lambda_service.engine, lambda_service.blobs)
    assert report.ok, report
    assert report.files_checked == 8


def test_waiting_event_is_acknowledged_and_picked_up_by_the_render_sweep(lambda_service: Mandat) -> None:
    not_captured = order(ref="7", payment={"status": "pending", "captured_at": None})
    record = {"messageId": "m-1", "body": json.dumps(not_captured), "attributes": {"ApproximateReceiveCount": "1"}}
    assert lambda_sqs.handle_events({"Records": [record]}, FakeContext()) == {"batchItemFailures": []}
    row = inbox_rows(lambda_service)["evt-7"]
    assert (row.status, row.reason_code) == ("waiting", "payment_not_captured")

    # The capture arrives as its own event and is issued; the waiting event is still scheduled.
    captured = {**order(ref="7"), "event_id": "evt-7-captured"}
    record = {"messageId": "m-2", "body": json.dumps(captured), "attributes": {}}
    assert lambda_sqs.handle_events({"Records": [record]}, FakeContext()) == {"batchItemFailures": []}

    # Its time comes; the render handler's sweep processes it and finds the issued document.
    with lambda_service.engine.begin() as conn:
        conn.execute(inbox.update().where(inbox.c.event_id == "evt-7").values(available_at=repo.utcnow()))
    result = lambda_sqs.handle_render({}, FakeContext())
    assert (result["events"], result["renders"]) == (1, 1)
    rows = inbox_rows(lambda_service)
    assert rows["evt-7"].status == "duplicate"
    assert rows["evt-7"].document_id == rows["evt-7-captured"].document_id
    assert audit(lambda_service.engine, lambda_service.blobs).ok


def test_an_exception_fails_only_its_own_message(lambda_service: Mandat, monkeypatch: pytest.MonkeyPatch) -> None:
    real = Mandat.accept_and_issue

    def explode_on_evt_9(self: Mandat, raw: str | bytes) -> tuple[str, str, str | None]:
        if "evt-9" in str(raw):
            raise RuntimeError("bug")
        return real(self, raw)

    monkeypatch.setattr(Mandat, "accept_and_issue", explode_on_evt_9)
    records = [{"messageId": f"m-{ref}", "body": json.dumps(order(ref=ref))} for ref in ("8", "9", "10")]
    result = lambda_sqs.handle_events({"Records": records}, FakeContext())
    assert result == {"batchItemFailures": [{"itemIdentifier": "m-9"}]}
    assert {e: r.status for e, r in inbox_rows(lambda_service).items()} == {"evt-8": "issued", "evt-10": "issued"}


def test_event_held_by_another_invocation_is_retried_later(lambda_service: Mandat) -> None:
    body = json.dumps(order(ref="11"))
    lambda_service.accept(body)
    assert lambda_service.claim() != []  # another invocation is working on it, with a live lease
    result = lambda_sqs.handle_events({"Records": [{"messageId": "m-11", "body": body}]}, FakeContext())
    assert result == {"batchItemFailures": [{"itemIdentifier": "m-11"}]}


def test_unreachable_database_fails_the_whole_batch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("MANDAT_HOME", str(tmp_path / "lambda"))
    monkeypatch.setenv("MANDAT_DATABASE_URL", f"sqlite:///{tmp_path / 'no-such-dir' / 'mandat.db'}")
    records = [{"messageId": f"m-{ref}", "body": json.dumps(order(ref=ref))} for ref in ("1", "2", "3")]
    everything = {"batchItemFailures": [{"itemIdentifier": r["messageId"]} for r in records]}
    lambda_sqs._reset_for_tests()
    try:
        # Found while handling the first message: the rest are not attempted.
        assert lambda_sqs.handle_events({"Records": records}, FakeContext()) == everything
        statuses = [line["status"] for line in log_lines(capsys.readouterr().out)]
        assert statuses == ["error", "unavailable", "unavailable"]
        # Found at start-up (migrations): every message is reported, nothing is raised.
        lambda_sqs._reset_for_tests()
        monkeypatch.setenv("MANDAT_MIGRATE_ON_START", "1")
        assert lambda_sqs.handle_events({"Records": records}, FakeContext()) == everything
        assert lambda_sqs._service is None  # the next invocation tries to start again
    finally:
        lambda_sqs._reset_for_tests()


def test_render_stops_when_the_invocation_is_about_to_time_out(lambda_service: Mandat) -> None:
    lambda_sqs.handle_events({"Records": [{"messageId": "m", "body": json.dumps(order(ref="12"))}]}, FakeContext())
    result = lambda_sqs.handle_render({}, FakeContext(remaining_ms=3_000))
    assert (result["renders"], result["pending_renders"], result["stopped"]) == (0, 1, "time")
    result = lambda_sqs.handle_render({}, FakeContext())
    assert (result["renders"], result["pending_renders"], result["stopped"]) == (1, 0, "idle")


def test_handler_import_and_event_path_stay_light(tmp_path: Path, moto_endpoint: str, bucket: str) -> None:
    """Cold start: importing the handler loads no heavy library; issuing never loads boto3 or the renderer."""
    script = """
import json, sys
import mandat.entry.lambda_sqs as h
heavy = ("boto3", "botocore", "lxml", "sqlalchemy", "pydantic", "alembic", "mandat.render", "mandat.service")
at_import = sorted(m for m in heavy if m in sys.modules)
result = h.handle_events({"Records": [{"messageId": "m", "body": sys.argv[1]}]}, None)
after_event = sorted(m for m in ("boto3", "botocore", "lxml", "mandat.render.document") if m in sys.modules)
print(json.dumps({"at_import": at_import, "after_event": after_event, "result": result}))
"""
    env = {
        **os.environ,
        "MANDAT_HOME": str(tmp_path / "lambda"),
        "MANDAT_BLOB_URL": f"s3://{bucket}/documents",
        "MANDAT_S3_ENDPOINT_URL": moto_endpoint,
        "MANDAT_MIGRATE_ON_START": "1",
    }
    done = subprocess.run(
        [sys.executable, "-c", script, json.dumps(order(ref="13"))],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    report = json.loads(done.stdout.splitlines()[-1])
    assert report == {"at_import": [], "after_event": [], "result": {"batchItemFailures": []}}
