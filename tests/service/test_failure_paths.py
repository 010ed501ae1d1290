"""Failure paths end in a stated status with its reason, never in a crash loop (issue 12).

* an event whose processing keeps raising is retried with backoff, then ends ``failed`` with its reason,
  is no longer claimed, and ``mandat replay`` issues it once the cause is fixed;
* a render given up after its last attempt is picked up by ``mandat render --retry-failed``;
* a stored record that no longer parses (an inbox payload, a document, the orders ledger) ends as a
  stated failure and does not hold back the other work of the batch.

Already covered elsewhere (not repeated here): the render backoff sequence and its audit/API visibility
(tests/service/test_render_failures.py), a renderer killed every time (same file), a transient error
through SQS (tests/aws/test_lambda_sqs.py).
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import NoReturn

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from mandat.cli.main import app
from mandat.domain.documents import Document
from mandat.service.app import Mandat
from mandat.service.audit import audit
from mandat.store import repository as repo
from mandat.store.schema import documents, inbox, orders, outbox
from tests.factories import order, refund
from tests.service.test_flow import drain

# order() is 3 x 8.90 (20 %) + 1 x 119.00 (10 %), prices VAT included: the buyer paid 26.70 + 119.00.
ORDER_TOTAL = "145.70"
# docs/architecture.md: a render "ends `failed` after 14 attempts"; the first is the one right after issuing.
RENDER_ATTEMPTS = 14
# service/app.py MAX_ATTEMPTS: an event whose processing raises is tried 8 times, then `failed`
# (docs/events.md only says "internal error after retries").
EVENT_ATTEMPTS = 8


def make_due(svc: Mandat) -> None:
    """Time passes: every retry and lease is due now."""
    past = repo.utcnow() - timedelta(seconds=1)
    with svc.engine.begin() as conn:
        conn.execute(
            inbox.update().where(inbox.c.status.in_(("pending", "waiting", "processing"))).values(available_at=past)
        )
        conn.execute(outbox.update().where(outbox.c.status == "pending").values(available_at=past))


def row(svc: Mandat, event_id: str) -> repo.InboxRow:
    with svc.engine.connect() as conn:
        r = repo.get_inbox(conn, event_id=event_id)
    assert r is not None, event_id
    return r


def retry_in(svc: Mandat, event_id: str) -> float:
    """Seconds until the event may be claimed again."""
    with svc.engine.connect() as conn:
        at = conn.execute(sa.select(inbox.c.available_at).where(inbox.c.event_id == event_id)).scalar_one()
    return (repo.as_utc(at) - repo.utcnow()).total_seconds()  # type: ignore[operator]


def doc_totals(svc: Mandat) -> list[tuple[str, str, str]]:
    with svc.engine.connect() as conn:
        rows = conn.execute(
            sa.select(documents.c.kind, documents.c.number, documents.c.total).order_by(documents.c.number)
        )
        return [(k, n, f"{t:.2f}") for k, n, t in rows]


@pytest.mark.parametrize("kind", ["invoice", "credit_note"])
def test_an_event_that_keeps_failing_ends_failed_with_its_reason_and_is_replayable(
    backend: Mandat, monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    def outage(*_args: object, **_kwargs: object) -> NoReturn:
        raise ConnectionError("VAT rate service timed out")

    if kind == "credit_note":
        backend.accept(json.dumps(order()))
        drain(backend)
        event = refund(amount=ORDER_TOTAL)
        monkeypatch.setattr("mandat.service.app.draft_credit_note", outage)
    else:
        event = order()
        monkeypatch.setattr("mandat.service.app.draft_invoice", outage)
    event_id = event["event_id"]
    backend.accept(json.dumps(event))
    delays = []
    for attempt in range(1, EVENT_ATTEMPTS + 1):
        make_due(backend)
        assert backend.work_once(10)[0] == 1
        r = row(backend, event_id)
        assert r.attempts == attempt
        assert (r.reason_code, r.reason) == ("internal_error", "ConnectionError: VAT rate service timed out")
        assert r.status == ("failed" if attempt == EVENT_ATTEMPTS else "pending"), attempt
        if attempt < EVENT_ATTEMPTS:
            delays.append(retry_in(backend, event_id))
    # Doubling from 2 s after the first attempt: 2, 4, 8, ..., 128 s.
    assert [round(d) for d in delays] == pytest.approx([2, 4, 8, 16, 32, 64, 128], abs=2)
    # Given up: no worker claims it again on its own, and it is listed as failed with its reason.
    make_due(backend)
    assert backend.work_once(10) == (0, 0)
    with backend.engine.connect() as conn:
        assert [e.event_id for e in repo.list_inbox(conn, "failed")] == [event_id]
    invoice = ("invoice", "F-ABJ-000001", ORDER_TOTAL)
    assert doc_totals(backend) == ([invoice] if kind == "credit_note" else [])  # nothing issued for it

    # The operator fixes the cause and replays it: issued, once.
    monkeypatch.undo()
    assert backend.replay(event_id)
    drain(backend)
    r = row(backend, event_id)
    assert (r.status, r.reason_code, r.reason) == ("issued", None, None)
    if kind == "credit_note":  # A-ABJ-000001 credits the whole 145.70
        assert doc_totals(backend) == [("credit_note", "A-ABJ-000001", ORDER_TOTAL), invoice]
    else:
        assert doc_totals(backend) == [invoice]
    assert audit(backend.engine, backend.blobs).ok


def _cli_env(svc: Mandat) -> dict[str, str | None]:
    """The environment under which `mandat` opens the same store as ``svc``."""
    if svc.engine.dialect.name == "sqlite":
        return {"MANDAT_DATABASE_URL": None, "MANDAT_DATABASE_SCHEMA": None, "MANDAT_BLOB_URL": None}
    from tests.store.test_postgres import PG_URL

    with svc.engine.connect() as conn:
        schema = str(conn.exec_driver_sql("SELECT current_schema()").scalar_one())
    return {"MANDAT_DATABASE_URL": PG_URL, "MANDAT_DATABASE_SCHEMA": schema, "MANDAT_BLOB_URL": None}


def test_a_render_given_up_is_picked_up_by_mandat_render_retry_failed(
    backend: Mandat, monkeypatch: pytest.MonkeyPatch
) -> None:
    def boom(doc: Document, **_: object) -> NoReturn:
        raise RuntimeError(f"font cache unreadable while rendering {doc.number}")

    monkeypatch.setattr("mandat.render.document.render_document", boom)
    backend.accept(json.dumps(order()))
    drain(backend)  # issued; the render right after issuing is attempt 1
    for _ in range(RENDER_ATTEMPTS - 1):
        make_due(backend)
        assert backend.render_pending(10) == 1
    with backend.engine.connect() as conn:
        task = conn.execute(sa.select(outbox.c.status, outbox.c.attempts, outbox.c.last_error)).one()
        assert conn.execute(sa.select(documents.c.render_status)).scalar_one() == "failed"
    assert task == ("failed", RENDER_ATTEMPTS, "RuntimeError: font cache unreadable while rendering F-ABJ-000001")

    monkeypatch.undo()  # the cause is fixed
    home = str(backend.settings.home)
    cli = CliRunner()
    env = _cli_env(backend)
    make_due(backend)
    plain = cli.invoke(app, ["render", "--home", home], env=env, catch_exceptions=False)
    assert plain.exit_code == 0, plain.output
    assert "0 documents rendered or retried" in plain.output  # a failed render is not retried on its own
    retried = cli.invoke(app, ["render", "--retry-failed", "--home", home], env=env, catch_exceptions=False)
    assert retried.exit_code == 0, retried.output
    assert "1 failed renders requeued" in retried.output
    assert "1 documents rendered or retried" in retried.output
    with backend.engine.connect() as conn:
        assert conn.execute(sa.select(documents.c.render_status)).scalar_one() == "rendered"
        assert conn.execute(sa.select(outbox.c.status, outbox.c.last_error)).one() == ("done", None)
    assert audit(backend.engine, backend.blobs).ok


def test_an_unreadable_inbox_payload_ends_rejected_and_the_batch_goes_on(backend: Mandat) -> None:
    """A payload that parsed when accepted and no longer does (edited or damaged in the database) is a
    stated rejection (`malformed_json`, docs/events.md), while the other events of the same batch are issued."""
    for ref in ("0001", "0002", "0003"):
        backend.accept(json.dumps(order(ref=ref)))
    with backend.engine.begin() as conn:
        conn.execute(inbox.update().where(inbox.c.event_id == "evt-0002").values(payload='{"type": "order.paid", "ev'))
    assert backend.work_once(10)[0] == 3
    drain(backend)
    damaged = row(backend, "evt-0002")
    assert (damaged.status, damaged.reason_code) == ("rejected", "malformed_json")
    assert [row(backend, e).status for e in ("evt-0001", "evt-0003")] == ["issued", "issued"]
    # Two invoices, numbered without a gap (the damaged event took no number).
    assert doc_totals(backend) == [("invoice", "F-ABJ-000001", ORDER_TOTAL), ("invoice", "F-ABJ-000002", ORDER_TOTAL)]
    make_due(backend)
    assert backend.work_once(10) == (0, 0)  # decided: not retried


def test_an_unreadable_document_record_ends_render_failed_not_a_crash_loop(backend: Mandat) -> None:
    """A legal record whose JSON is damaged cannot be rendered, ever: its render is given up at once with
    the reason (no retry, which could not help) and the other documents of the batch are rendered."""
    for ref in ("0001", "0002"):
        backend.accept(json.dumps(order(ref=ref)))
    backend.process_batch(backend.claim())  # issued; the worker died before rendering
    with backend.engine.begin() as conn:
        conn.execute(documents.update().where(documents.c.number == "F-ABJ-000001").values(data='{"kind": "inv'))
    make_due(backend)
    assert backend.render_pending(10) == 2
    with backend.engine.connect() as conn:
        status = dict(conn.execute(sa.select(documents.c.number, documents.c.render_status)).all())
        (error,) = conn.execute(sa.select(outbox.c.last_error).where(outbox.c.status == "failed")).scalars()
    assert status == {"F-ABJ-000001": "failed", "F-ABJ-000002": "rendered"}
    assert error.startswith("unreadable record: ValidationError:")
    make_due(backend)
    assert backend.render_pending(10) == 0  # given up: not claimed again


def test_audit_reports_an_unreadable_document_record_instead_of_raising(backend: Mandat) -> None:
    backend.accept(json.dumps(order()))
    drain(backend)
    with backend.engine.begin() as conn:
        conn.execute(documents.update().values(data='{"kind": "inv'))
    report = audit(backend.engine, backend.blobs)
    assert not report.ok
    assert [s.chain_breaks for s in report.series] == [["F-ABJ-000001"]]


@pytest.mark.parametrize("damaged", ["ledger", "invoice"])
def test_a_refund_against_an_unreadable_record_ends_failed_and_other_orders_go_on(
    backend: Mandat, damaged: str
) -> None:
    """The refund of an order whose ledger row (`orders.credited`) or invoice record no longer parses
    cannot be decided: it is retried (an outage looks the same), then ends `failed` with the reason.
    A refund of another order, in the same batches, is credited meanwhile."""
    for ref in ("0001", "0002"):
        backend.accept(json.dumps(order(ref=ref)))
    drain(backend)
    with backend.engine.begin() as conn:
        if damaged == "ledger":
            conn.execute(orders.update().where(orders.c.order_id == "CMD-0001").values(credited='{"lines": {'))
        else:
            conn.execute(documents.update().where(documents.c.order_id == "CMD-0001").values(data='{"kind": "inv'))
    backend.accept(json.dumps(refund("0001", amount=ORDER_TOTAL)))
    backend.accept(json.dumps(refund("0002", amount=ORDER_TOTAL)))
    for _ in range(EVENT_ATTEMPTS):
        make_due(backend)
        backend.work_once(10)
    bad, good = row(backend, "evt-0001-refund-R1"), row(backend, "evt-0002-refund-R1")
    assert (bad.status, bad.reason_code, bad.attempts) == ("failed", "internal_error", EVENT_ATTEMPTS)
    # json.loads refuses the ledger row, pydantic the invoice record: the reason names which.
    expected_error = {"ledger": "JSONDecodeError", "invoice": "ValidationError"}[damaged]
    assert (bad.reason or "").startswith(f"{expected_error}: "), bad.reason
    assert good.status == "issued"
    make_due(backend)
    assert backend.work_once(10) == (0, 0)
    with backend.engine.connect() as conn:
        credit_notes = conn.execute(
            sa.select(documents.c.order_id, documents.c.total).where(documents.c.kind == "credit_note")
        ).all()
    assert [(o, f"{t:.2f}") for o, t in credit_notes] == [("CMD-0002", ORDER_TOTAL)]


def test_a_worker_over_damaged_records_stops_when_idle(service: Mandat, tmp_path: Path) -> None:
    """The worker loop itself (`mandat worker --until-idle`) over every damaged record above ends, with
    each outcome stated, instead of raising or spinning."""
    from mandat.service.worker import run_worker

    for ref in ("0001", "0002", "0003"):
        service.accept(json.dumps(order(ref=ref)))
    service.process_batch(service.claim())
    with service.engine.begin() as conn:
        conn.execute(documents.update().where(documents.c.order_id == "CMD-0001").values(data="{"))
        conn.execute(orders.update().where(orders.c.order_id == "CMD-0002").values(credited="["))
    service.accept(json.dumps(refund("0002", amount=ORDER_TOTAL)))
    service.accept(json.dumps(order(ref="0004")))
    with service.engine.begin() as conn:
        conn.execute(inbox.update().where(inbox.c.event_id == "evt-0004").values(payload="{"))
    make_due(service)
    events, _renders = run_worker(service.settings, batch=10, until_idle=True, poll=0.01)
    assert events == 2
    assert (row(service, "evt-0004").status, row(service, "evt-0004").reason_code) == ("rejected", "malformed_json")
    assert row(service, "evt-0002-refund-R1").status == "pending"  # retried later with backoff, not spun on
    with service.engine.connect() as conn:
        status = dict(conn.execute(sa.select(documents.c.order_id, documents.c.render_status)).all())
    assert status == {"CMD-0001": "failed", "CMD-0002": "rendered", "CMD-0003": "rendered"}


@pytest.mark.timeout(90)
def test_a_pool_whose_workers_keep_dying_ends_when_until_idle_instead_of_looping(tmp_path: Path) -> None:
    """`mandat worker --concurrency N --until-idle` over a database that cannot be opened: every worker dies
    on its first claim. The pool used to respawn it every 0.2 s forever (a crash loop, and the command
    never ended); now a slot that died 5 times in a row is given up, after pauses of 0.2, 0.4, 0.8, 1.6 s."""
    import signal

    from mandat.service.config import Settings
    from mandat.service.worker import run_pool

    settings = Settings(
        home=tmp_path / "home",
        database_url=f"sqlite:///{tmp_path / 'no-such-dir' / 'mandat.db'}",
        blob_url=str(tmp_path / "documents"),
    )
    handlers = signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGINT)
    try:
        result = run_pool(settings, concurrency=1, until_idle=True, poll=0.01)
    finally:
        signal.signal(signal.SIGTERM, handlers[0])
        signal.signal(signal.SIGINT, handlers[1])
    assert result == (4, 1)  # started, then 4 restarts: the 5th death gives the one slot up
