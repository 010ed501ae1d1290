"""Numbering and claiming in ``store/repository.py``, called directly: the mutants the flow tests let through.

Expected values are the rules, worked out by hand: numbers 1, 2, 3... per (seller, series) with no gap;
each record chained to the one before (the first to the genesis hash, 64 zeros); the issue time never
before the series' last one; an event whose lease is live is not claimable, an expired one is; a render
task is given up exactly at its last allowed attempt.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from mandat.domain.drafts import Draft
from mandat.domain.refusals import Cancelled
from mandat.rules.draft import draft_invoice
from mandat.service.app import Mandat, parse_event
from mandat.service.config import Settings
from mandat.store import repository as repo
from mandat.store.schema import documents, inbox, orders, outbox, series
from tests.factories import MARKETPLACE, TODAY, order, seller
from tests.store.test_postgres import pg  # noqa: F401  (fixture)

GENESIS = "0" * 64
NOW = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)


def draft(ref: str, seller_id: str = "atelier-bois") -> Draft:
    event = parse_event(json.dumps(order(seller_id, ref=ref)))
    return draft_invoice(event, seller(seller_id), MARKETPLACE, TODAY)  # type: ignore[arg-type]


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    svc = Mandat(Settings.from_env(tmp_path / "data"))
    svc.migrate()
    yield svc.engine
    svc.engine.dispose()


def head(conn: Connection, seller_id: str = "atelier-bois") -> tuple[int, datetime | None, str]:
    r = conn.execute(sa.select(series).where(series.c.seller_id == seller_id, series.c.series == "F")).one()
    return r.last_seq, repo.as_utc(r.last_issued_at), r.last_hash


def add_event(
    conn: Connection,
    event_id: str,
    *,
    status: str = "pending",
    order_id: str = "CMD-1",
    seller_id: str = "atelier-bois",
) -> int:
    assert repo.add_to_inbox(
        conn,
        event_id=event_id,
        event_type="order.refunded",
        seller_id=seller_id,
        order_id=order_id,
        payload="{}",
        status=status,
    )
    row = repo.get_inbox(conn, event_id=event_id)
    assert row is not None
    return row.id


def inbox_row(conn: Connection, row_id: int) -> sa.Row:  # type: ignore[type-arg]
    return conn.execute(sa.select(inbox).where(inbox.c.id == row_id)).one()


# --- numbering --------------------------------------------------------------------------------


def test_issue_document_numbers_one_two_three_chained_from_genesis(engine: Engine) -> None:
    docs = []
    with engine.begin() as conn:
        for i, ref in enumerate(("1", "2", "3")):
            doc, created = repo.issue_document(conn, draft(ref), NOW + timedelta(seconds=i))
            assert created is True
            docs.append(doc)
        assert [d.seq for d in docs] == [1, 2, 3]
        assert [d.number for d in docs] == ["F-ABJ-000001", "F-ABJ-000002", "F-ABJ-000003"]
        assert [d.prev_hash for d in docs] == [GENESIS, docs[0].hash, docs[1].hash]
        assert [d.issued_at for d in docs] == [NOW, NOW + timedelta(seconds=1), NOW + timedelta(seconds=2)]
        # The head: last number, its time and its hash.
        assert head(conn) == (3, NOW + timedelta(seconds=2), docs[2].hash)
        assert repo.series_heads(conn) == {("atelier-bois", "F"): (3, docs[2].hash)}
        stored = conn.execute(sa.select(documents).order_by(documents.c.seq)).all()
        assert [(r.seq, r.number, r.hash, r.prev_hash, r.render_status) for r in stored] == [
            (d.seq, d.number, d.hash, d.prev_hash, "pending") for d in docs
        ]
        assert [repo.as_utc(r.issued_at) for r in stored] == [d.issued_at for d in docs]
        assert [repo.document_from_row(r.data) for r in stored] == docs
        # Each invoice claims its order in the ledger.
        ledger = conn.execute(sa.select(orders).order_by(orders.c.order_id)).all()
        assert [(r.order_id, r.state, r.invoice_id, r.credit_version) for r in ledger] == [
            (d.order_id, "invoiced", d.id, 0) for d in docs
        ]


def test_issue_document_again_returns_the_first_document_and_takes_no_number(engine: Engine) -> None:
    with engine.begin() as conn:
        first, created = repo.issue_document(conn, draft("1"), NOW)
        again, created_again = repo.issue_document(conn, draft("1"), NOW + timedelta(hours=1))
        assert (created, created_again) == (True, False)
        assert again == first
        assert head(conn) == (1, NOW, first.hash)
        assert conn.execute(sa.select(sa.func.count()).select_from(documents)).scalar_one() == 1


def test_issue_time_never_goes_before_the_series_last(engine: Engine) -> None:
    with engine.begin() as conn:
        repo.issue_document(conn, draft("1"), NOW)
        # Another worker's clock ran an hour ahead: its document is stamped 10:30.
        conn.execute(series.update().values(last_issued_at=NOW + timedelta(hours=1)))
        doc, _ = repo.issue_document(conn, draft("2"), NOW + timedelta(minutes=1))
        assert doc.issued_at == NOW + timedelta(hours=1)
        stored = conn.execute(sa.select(documents.c.issued_at).where(documents.c.id == doc.id)).scalar_one()
        assert repo.as_utc(stored) == NOW + timedelta(hours=1)
        # A later clock wins again.
        later, _ = repo.issue_document(conn, draft("3"), NOW + timedelta(hours=2))
        assert later.issued_at == NOW + timedelta(hours=2)
        assert head(conn)[1] == NOW + timedelta(hours=2)


def test_issue_document_queues_its_render_after_the_delay(engine: Engine) -> None:
    with engine.begin() as conn:
        doc, _ = repo.issue_document(conn, draft("1"), NOW, timedelta(seconds=30))
        task = conn.execute(sa.select(outbox)).one()
    assert (task.document_id, task.task, task.status, task.attempts) == (doc.id, "render", "pending", 0)
    assert repo.as_utc(task.available_at) == NOW + timedelta(seconds=30)
    assert repo.as_utc(task.created_at) == NOW


def test_an_invoice_wakes_only_its_orders_events_waiting_for_it(engine: Engine) -> None:
    later = NOW + timedelta(days=1)
    with engine.begin() as conn:
        d = draft("1")  # order CMD-1
        ids = {
            "mine": add_event(conn, "e-mine", order_id="CMD-1"),
            "other_reason": add_event(conn, "e-reason", order_id="CMD-1"),
            "other_order": add_event(conn, "e-order", order_id="CMD-2"),
            "not_waiting": add_event(conn, "e-pending", order_id="CMD-1"),
        }
        for name, code in (
            ("mine", "invoice_pending"),
            ("other_reason", "capture_pending"),
            ("other_order", "invoice_pending"),
        ):
            repo.set_inbox_outcome(conn, ids[name], "waiting", reason_code=code, retry_after=timedelta(days=2))
        conn.execute(
            inbox.update()
            .where(inbox.c.id == ids["not_waiting"])
            .values(available_at=later, reason_code="invoice_pending")
        )
        repo.issue_document(conn, d, NOW)
        avail = {name: repo.as_utc(inbox_row(conn, i).available_at) for name, i in ids.items()}
    assert avail["mine"] == NOW
    assert avail["other_reason"] > later  # type: ignore[operator]
    assert avail["other_order"] > later  # type: ignore[operator]
    assert avail["not_waiting"] == later


def test_a_cancelled_order_gets_no_invoice_and_no_number(engine: Engine) -> None:
    d = draft("1")
    with engine.begin() as conn:
        assert repo.cancel_before_invoice(conn, d.order_key, d.seller_id, "CMD-1", "evt-cancel")
    with (
        pytest.raises(Cancelled, match="order cancelled by event evt-cancel before its invoice"),
        engine.begin() as conn,
    ):
        repo.issue_document(conn, d, NOW)
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(documents)).scalar_one() == 0


def test_issue_many_numbers_per_series_skipping_known_doubles_and_cancelled(engine: Engine) -> None:
    with engine.begin() as conn:
        # atelier-bois's credit-note series A, at 7, stored before its invoice series F: never read for F.
        conn.execute(series.insert().values(seller_id="atelier-bois", series="A", last_seq=7, last_hash="a" * 64))
        first, _ = repo.issue_document(conn, draft("1"), NOW)
        conn.execute(series.update().where(series.c.series == "F").values(last_issued_at=NOW + timedelta(hours=1)))
        cancelled = draft("9")
        repo.cancel_before_invoice(conn, cancelled.order_key, cancelled.seller_id, "CMD-9", "evt-c")
    batch = [
        draft("1"),  # 0: already issued
        draft("2"),  # 1: F-ABJ-000002
        draft("2"),  # 2: same order twice in the batch
        draft("3", "thermoconfort"),  # 3: F-TCI-000001, new series
        cancelled,  # 4: order cancelled
        draft("4"),  # 5: F-ABJ-000003
    ]
    now = NOW + timedelta(minutes=5)
    with engine.begin() as conn:
        # Due tomorrow: CMD-4's refund waiting for its invoice; and three that must not move: another
        # order's, one of CMD-4 waiting for something else, one of CMD-4 that is not waiting.
        late = NOW + timedelta(days=1)
        for event_id, order_id, status, reason in (
            ("e-wait", "CMD-4", "waiting", "invoice_pending"),
            ("e-other-order", "CMD-7", "waiting", "invoice_pending"),
            ("e-other-reason", "CMD-4", "waiting", "capture_pending"),
            ("e-not-waiting", "CMD-4", "processing", "invoice_pending"),
        ):
            add_event(conn, event_id, order_id=order_id)
            conn.execute(
                inbox.update()
                .where(inbox.c.event_id == event_id)
                .values(status=status, reason_code=reason, available_at=late)
            )
        issued = repo.issue_many(conn, batch, now, timedelta(seconds=7))
        assert sorted(issued) == [1, 3, 5]
        assert [(issued[i].number, issued[i].prev_hash) for i in (1, 5)] == [
            ("F-ABJ-000002", first.hash),
            ("F-ABJ-000003", issued[1].hash),
        ]
        assert (issued[3].number, issued[3].prev_hash) == ("F-TCI-000001", GENESIS)
        # atelier-bois's last was stamped 10:30 by a clock ahead: never before it. thermoconfort's own clock.
        assert [issued[i].issued_at for i in (1, 3, 5)] == [NOW + timedelta(hours=1), now, NOW + timedelta(hours=1)]
        assert head(conn) == (3, NOW + timedelta(hours=1), issued[5].hash)
        assert head(conn, "thermoconfort") == (1, now, issued[3].hash)
        a_head = conn.execute(sa.select(series).where(series.c.series == "A")).one()
        assert (a_head.last_seq, a_head.last_issued_at, a_head.last_hash) == (7, None, "a" * 64)
        stored = {r.id: r for r in conn.execute(sa.select(documents))}
        for doc in issued.values():
            r = stored[doc.id]
            assert (r.seq, r.number, r.hash, r.prev_hash, r.render_status, r.kind) == (
                doc.seq,
                doc.number,
                doc.hash,
                doc.prev_hash,
                "pending",
                "invoice",
            )
            assert repo.as_utc(r.issued_at) == doc.issued_at
            assert repo.document_from_row(r.data) == doc
        tasks = conn.execute(sa.select(outbox).where(outbox.c.document_id != first.id)).all()
        assert sorted(t.document_id for t in tasks) == sorted(d.id for d in issued.values())
        assert {(t.task, t.status, t.attempts, repo.as_utc(t.available_at)) for t in tasks} == {
            ("render", "pending", 0, now + timedelta(seconds=7))
        }
        ledger = {r.invoice_id: r for r in conn.execute(sa.select(orders).where(orders.c.state == "invoiced"))}
        assert {ledger[d.id].key for d in issued.values()} == {
            batch[1].order_key,
            batch[3].order_key,
            batch[5].order_key,
        }
        assert {(r.state, r.credit_version) for r in ledger.values()} == {("invoiced", 0)}
        # The refund of CMD-4 waiting for its invoice is runnable now.
        due = {r.event_id: repo.as_utc(r.available_at) for r in conn.execute(sa.select(inbox))}
        assert due == {"e-wait": now, "e-other-order": late, "e-other-reason": late, "e-not-waiting": late}


def test_issue_many_of_nothing_new_writes_nothing(engine: Engine) -> None:
    with engine.begin() as conn:
        repo.issue_document(conn, draft("1"), NOW)
        assert repo.issue_many(conn, [draft("1")], NOW, timedelta(0)) == {}
        assert head(conn)[0] == 1


# --- claiming ---------------------------------------------------------------------------------


def test_claim_inbox_takes_runnable_events_in_order_up_to_the_limit(engine: Engine) -> None:
    lease = timedelta(minutes=5)
    with engine.begin() as conn:
        a, b, c = (add_event(conn, e) for e in ("a", "b", "c"))
        done = add_event(conn, "done", status="issued")
        rejected = add_event(conn, "rej", status="rejected")
        # c is due earliest, then a, then b.
        conn.execute(inbox.update().where(inbox.c.id == c).values(available_at=NOW - timedelta(hours=2)))
        conn.execute(inbox.update().where(inbox.c.id == a).values(available_at=NOW - timedelta(hours=1)))
        conn.execute(
            inbox.update().where(inbox.c.id.in_((done, rejected))).values(available_at=NOW - timedelta(days=1))
        )
        before = repo.utcnow()
        assert repo.claim_inbox(conn, "w1", 2, lease) == sorted([a, c])
        after = repo.utcnow()
        for row_id in (a, c):
            r = inbox_row(conn, row_id)
            assert (r.status, r.claimed_by, r.attempts) == ("processing", "w1", 1)
            assert before + lease <= repo.as_utc(r.available_at) <= after + lease  # type: ignore[operator]
        assert inbox_row(conn, b).status == "pending"
        # Live leases on a and c; b is left, then nothing.
        assert repo.claim_inbox(conn, "w2", 10, lease) == [b]
        assert repo.claim_inbox(conn, "w2", 10, lease) == []


def test_an_expired_lease_is_claimed_again_and_counts_an_attempt(engine: Engine) -> None:
    lease = timedelta(minutes=5)
    with engine.begin() as conn:
        row_id = add_event(conn, "a")
        assert repo.claim_inbox(conn, "w1", 10, lease) == [row_id]
        assert repo.claim_inbox(conn, "w2", 10, lease) == []
        conn.execute(inbox.update().values(available_at=repo.utcnow() - timedelta(seconds=1)))
        assert repo.claim_inbox(conn, "w2", 10, lease) == [row_id]
        r = inbox_row(conn, row_id)
        assert (r.status, r.claimed_by, r.attempts) == ("processing", "w2", 2)


def test_a_waiting_event_is_claimed_only_when_its_time_has_come(engine: Engine) -> None:
    with engine.begin() as conn:
        row_id = add_event(conn, "a")
        repo.set_inbox_outcome(conn, row_id, "waiting", reason_code="invoice_pending", retry_after=timedelta(hours=1))
        assert repo.claim_inbox(conn, "w", 10, timedelta(minutes=1)) == []
        conn.execute(inbox.update().values(available_at=repo.utcnow() - timedelta(seconds=1)))
        assert repo.claim_inbox(conn, "w", 10, timedelta(minutes=1)) == [row_id]


def test_claim_one_takes_a_waiting_event_before_its_backoff(engine: Engine) -> None:
    # Push delivery (accept_and_issue): a redelivered message is tried now; only a live lease stops it.
    with engine.begin() as conn:
        row_id = add_event(conn, "a")
        repo.set_inbox_outcome(conn, row_id, "waiting", reason_code="invoice_pending", retry_after=timedelta(hours=1))
        assert repo.claim_one(conn, row_id, "w", timedelta(minutes=1)) is True
        assert inbox_row(conn, row_id).status == "processing"


def test_claim_one_respects_a_live_lease_and_takes_an_expired_one(engine: Engine) -> None:
    lease = timedelta(minutes=5)
    with engine.begin() as conn:
        row_id = add_event(conn, "a")
        other = add_event(conn, "b")
        before = repo.utcnow()
        assert repo.claim_one(conn, row_id, "w1", lease) is True
        after = repo.utcnow()
        r = inbox_row(conn, row_id)
        assert (r.status, r.claimed_by, r.attempts) == ("processing", "w1", 1)
        assert before + lease <= repo.as_utc(r.available_at) <= after + lease  # type: ignore[operator]
        # Only the row named.
        assert inbox_row(conn, other).status == "pending"
        assert repo.claim_one(conn, row_id, "w2", lease) is False
        assert inbox_row(conn, row_id).claimed_by == "w1"
        conn.execute(
            inbox.update().where(inbox.c.id == row_id).values(available_at=repo.utcnow() - timedelta(seconds=1))
        )
        assert repo.claim_one(conn, row_id, "w2", lease) is True
        r = inbox_row(conn, row_id)
        assert (r.claimed_by, r.attempts) == ("w2", 2)
        # A decided event is never claimed, even long due.
        repo.set_inbox_outcome(conn, row_id, "issued", document_id="d")
        conn.execute(inbox.update().where(inbox.c.id == row_id).values(available_at=NOW - timedelta(days=1)))
        assert repo.claim_one(conn, row_id, "w3", lease) is False


def test_set_inbox_outcome_releases_the_claim_and_sets_the_retry_time(engine: Engine) -> None:
    with engine.begin() as conn:
        row_id = add_event(conn, "a")
        repo.claim_one(conn, row_id, "w1", timedelta(minutes=5))
        before = repo.utcnow()
        repo.set_inbox_outcome(
            conn,
            row_id,
            "waiting",
            reason_code="invoice_pending",
            reason="no invoice yet",
            retry_after=timedelta(seconds=40),
        )
        after = repo.utcnow()
        r = inbox_row(conn, row_id)
        assert (r.status, r.reason_code, r.reason, r.document_id, r.claimed_by) == (
            "waiting",
            "invoice_pending",
            "no invoice yet",
            None,
            None,
        )
        assert before + timedelta(seconds=40) <= repo.as_utc(r.available_at) <= after + timedelta(seconds=40)  # type: ignore[operator]
        assert before <= repo.as_utc(r.updated_at) <= after  # type: ignore[operator]
        # No retry: due at once.
        before = repo.utcnow()
        repo.set_inbox_outcome(conn, row_id, "issued", document_id="doc-1")
        after = repo.utcnow()
        r = inbox_row(conn, row_id)
        assert (r.status, r.reason_code, r.reason, r.document_id) == ("issued", None, None, "doc-1")
        assert before <= repo.as_utc(r.available_at) <= after  # type: ignore[operator]


def test_requeue_resets_only_decided_or_waiting_events(engine: Engine) -> None:
    with engine.begin() as conn:
        ids = {s: add_event(conn, f"e-{s}") for s in ("rejected", "failed", "waiting", "issued", "processing")}
        for s, row_id in ids.items():
            conn.execute(
                inbox.update()
                .where(inbox.c.id == row_id)
                .values(
                    status=s,
                    reason_code="x",
                    reason="y",
                    attempts=4,
                    claimed_by="w",
                    available_at=NOW + timedelta(days=9),
                )
            )
        before = repo.utcnow()
        assert [repo.requeue(conn, f"e-{s}") for s in ids] == [True, True, True, False, False]
        assert repo.requeue(conn, "e-unknown") is False
        after = repo.utcnow()
        for s in ("rejected", "failed", "waiting"):
            r = inbox_row(conn, ids[s])
            assert (r.status, r.reason_code, r.reason, r.attempts, r.claimed_by, r.payload) == (
                "pending",
                None,
                None,
                0,
                None,
                "{}",
            )
            assert before <= repo.as_utc(r.available_at) <= after  # type: ignore[operator]
        assert (inbox_row(conn, ids["issued"]).status, inbox_row(conn, ids["issued"]).attempts) == ("issued", 4)
        conn.execute(inbox.update().where(inbox.c.id == ids["issued"]).values(status="rejected"))
        assert repo.requeue(conn, "e-issued", '{"fixed": true}') is True
        assert inbox_row(conn, ids["issued"]).payload == '{"fixed": true}'


def test_claim_outbox_counts_attempts_and_respects_the_lease(engine: Engine) -> None:
    lease = timedelta(minutes=2)
    with engine.begin() as conn:
        d1, _ = repo.issue_document(conn, draft("1"), NOW - timedelta(hours=1))
        d2, _ = repo.issue_document(conn, draft("2"), NOW - timedelta(hours=1))
        d3, _ = repo.issue_document(conn, draft("3"), NOW - timedelta(hours=1))
        conn.execute(
            outbox.update().where(outbox.c.document_id == d3.id).values(available_at=repo.utcnow() + timedelta(hours=1))
        )
        conn.execute(outbox.update().where(outbox.c.document_id == d2.id).values(task="notify"))
        claimed = repo.claim_outbox(conn, "render", 10, lease)
        assert [(doc_id, attempts) for _, doc_id, attempts in claimed] == [(d1.id, 1)]
        assert repo.claim_outbox(conn, "render", 10, lease) == []
        conn.execute(outbox.update().values(available_at=repo.utcnow() - timedelta(seconds=1)))
        again = repo.claim_outbox(conn, "render", 1, lease)
        assert [(doc_id, attempts) for _, doc_id, attempts in again] == [(d1.id, 2)]
        conn.execute(outbox.update().where(outbox.c.document_id == d3.id).values(status="done"))
        conn.execute(outbox.update().values(available_at=repo.utcnow() - timedelta(seconds=1)))
        assert [(doc_id, a) for _, doc_id, a in repo.claim_outbox(conn, "render", 10, lease)] == [(d1.id, 3)]
        assert [(doc_id, a) for _, doc_id, a in repo.claim_outbox(conn, "notify", 10, lease)] == [(d2.id, 1)]


def test_render_error_backs_off_then_gives_up_at_the_last_attempt(engine: Engine) -> None:
    delays: list[int] = []

    def delay(attempts: int) -> timedelta:
        delays.append(attempts)
        return timedelta(seconds=10 * attempts)

    with engine.begin() as conn:
        doc, _ = repo.issue_document(conn, draft("1"), NOW)
        # Tried right after issuing, before any claim (attempts 0): counts as attempt 1 of 3.
        before = repo.utcnow()
        assert repo.mark_render_error(conn, doc.id, "boom 1", 3, delay) is False
        task = conn.execute(sa.select(outbox)).one()
        assert (task.status, task.attempts, task.last_error) == ("pending", 1, "boom 1")
        assert repo.as_utc(task.available_at) >= before + timedelta(seconds=10)  # type: ignore[operator]
        conn.execute(outbox.update().values(attempts=2))
        assert repo.mark_render_error(conn, doc.id, "boom 2", 3, delay) is False
        assert conn.execute(sa.select(outbox.c.status, outbox.c.attempts)).one() == ("pending", 2)
        assert conn.execute(sa.select(documents.c.render_status)).scalar_one() == "pending"
        conn.execute(outbox.update().values(attempts=3))
        assert repo.mark_render_error(conn, doc.id, "x" * 2500, 3, delay) is True
        task = conn.execute(sa.select(outbox)).one()
        assert (task.status, task.attempts, task.last_error) == ("failed", 3, "x" * 2000)
        assert conn.execute(sa.select(documents.c.render_status)).scalar_one() == "failed"
        assert delays == [1, 2, 3]
        assert repo.render_failures(conn) == {doc.id: "x" * 2000}
        # No render task for this id: nothing to record.
        assert repo.mark_render_error(conn, "no-such-doc", "boom", 3, delay) is False


def test_a_rendered_document_stays_rendered_when_a_late_error_gives_up(engine: Engine) -> None:
    with engine.begin() as conn:
        doc, _ = repo.issue_document(conn, draft("1"), NOW)
        conn.execute(documents.update().values(render_status="rendered"))
        conn.execute(outbox.update().values(attempts=5))
        assert repo.mark_render_error(conn, doc.id, "late", 5, lambda a: timedelta(0)) is True
        assert conn.execute(sa.select(documents.c.render_status)).scalar_one() == "rendered"
        repo.fail_render(conn, doc.id, "late again")
        assert conn.execute(sa.select(documents.c.render_status)).scalar_one() == "rendered"


def test_fail_render_then_retry_some_or_all(engine: Engine) -> None:
    with engine.begin() as conn:
        d1, _ = repo.issue_document(conn, draft("1"), NOW)
        d2, _ = repo.issue_document(conn, draft("2"), NOW)
        d3, _ = repo.issue_document(conn, draft("3"), NOW)
        conn.execute(outbox.update().values(attempts=4))
        for d in (d1, d2, d3):
            repo.fail_render(conn, d.id, "y" * 2100)
        rows = conn.execute(sa.select(outbox.c.status, outbox.c.last_error)).all()
        assert {tuple(r) for r in rows} == {("failed", "y" * 2000)}
        assert set(conn.execute(sa.select(documents.c.render_status)).scalars()) == {"failed"}
        before = repo.utcnow()
        assert repo.retry_failed_renders(conn, [d2.id]) == 1
        status = {r.id: r.render_status for r in conn.execute(sa.select(documents.c.id, documents.c.render_status))}
        assert status == {d1.id: "failed", d2.id: "pending", d3.id: "failed"}
        t2 = conn.execute(sa.select(outbox).where(outbox.c.document_id == d2.id)).one()
        assert (t2.status, t2.attempts) == ("pending", 0)
        assert repo.as_utc(t2.available_at) >= before  # type: ignore[operator]
        assert repo.retry_failed_renders(conn) == 2
        assert set(conn.execute(sa.select(documents.c.render_status)).scalars()) == {"pending"}
        assert set(conn.execute(sa.select(outbox.c.status)).scalars()) == {"pending"}


def test_document_rows_in_series_order_for_one_seller_or_all(engine: Engine) -> None:
    with engine.begin() as conn:
        t1, _ = repo.issue_document(conn, draft("5", "thermoconfort"), NOW)
        a1, _ = repo.issue_document(conn, draft("1"), NOW + timedelta(seconds=1))
        a2, _ = repo.issue_document(conn, draft("2"), NOW + timedelta(seconds=2))
        all_rows = list(repo.document_rows(conn))
        mine = list(repo.document_rows(conn, "thermoconfort"))
    assert [(r.seller_id, r.number) for r in all_rows] == [
        ("atelier-bois", "F-ABJ-000001"),
        ("atelier-bois", "F-ABJ-000002"),
        ("thermoconfort", "F-TCI-000001"),
    ]
    assert [r.id for r in mine] == [t1.id]
    assert all_rows[1].issued_at == NOW + timedelta(seconds=2)
    assert all_rows[1].issued_at.tzinfo is UTC
    assert all_rows[1].total == a2.totals.tax_inclusive
    assert (all_rows[0].hash, all_rows[0].prev_hash, all_rows[0].seq) == (a1.hash, GENESIS, 1)


def test_as_utc() -> None:
    naive = datetime(2026, 1, 2, 3, 4, 5)
    assert repo.as_utc(naive) == datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert repo.as_utc(naive).tzinfo is UTC  # type: ignore[union-attr]
    paris = datetime(2026, 1, 2, 4, 4, 5, tzinfo=timedelta_tz(1))
    assert repo.as_utc(paris) == datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert repo.as_utc(paris).tzinfo is UTC  # type: ignore[union-attr]
    assert repo.as_utc(None) is None


def timedelta_tz(hours: int) -> object:
    from datetime import timezone

    return timezone(timedelta(hours=hours))


def test_insert_ignore_says_whether_it_inserted(engine: Engine) -> None:
    with engine.begin() as conn:
        values = {"seller_id": "s", "series": "F", "last_seq": 0, "last_hash": GENESIS}
        assert repo.insert_ignore(conn, series, values, ["seller_id", "series"]) is True
        assert repo.insert_ignore(conn, series, {**values, "last_seq": 9}, ["seller_id", "series"]) is False
        assert conn.execute(sa.select(series.c.last_seq)).scalar_one() == 0


# --- PostgreSQL: the one-statement numbering ----------------------------------------------------


@pytest.mark.postgres
def test_postgres_numbering_statement(pg: Engine) -> None:  # noqa: F811
    svc = Mandat(Settings.from_env(Path("/nonexistent")), engine=pg)
    svc.save_sellers([seller()])
    future = datetime(2099, 1, 1, tzinfo=UTC)
    with pg.begin() as conn:
        add_event(conn, "e-wait", order_id="CMD-2")
        conn.execute(inbox.update().values(status="waiting", reason_code="invoice_pending", available_at=future))
        first, created = repo.issue_document(conn, draft("1"), NOW, timedelta(seconds=30))
        assert created is True
        assert (first.seq, first.number, first.prev_hash) == (1, "F-ABJ-000001", GENESIS)
        assert first.compute_hash() == first.hash
        # The head stamped far in the future by a clock ahead: the next document is never before it.
        conn.execute(series.update().values(last_issued_at=future))
        second, _ = repo.issue_document(conn, draft("2"), NOW)
        assert (second.seq, second.number, second.prev_hash, second.issued_at) == (
            2,
            "F-ABJ-000002",
            first.hash,
            future,
        )
        assert head(conn) == (2, future, second.hash)
        again, created_again = repo.issue_document(conn, draft("2"), NOW)
        assert (again, created_again) == (second, False)
        ledger = conn.execute(
            sa.select(orders.c.order_id, orders.c.state, orders.c.invoice_id).order_by(orders.c.order_id)
        ).all()
        assert [tuple(r) for r in ledger] == [("CMD-1", "invoiced", first.id), ("CMD-2", "invoiced", second.id)]
        (task,) = conn.execute(sa.select(outbox).where(outbox.c.document_id == first.id)).all()
        assert (task.task, task.status, task.attempts) == ("render", "pending", 0)
        assert abs((task.available_at - task.created_at) - timedelta(seconds=30)) < timedelta(seconds=1)
        woken = conn.execute(sa.select(inbox.c.available_at)).scalar_one()
        assert woken < future
    # The batch path is SQLite's only, and says why.
    with pytest.raises(AssertionError, match=r"^PostgreSQL issues one statement per document$"), pg.begin() as conn:
        repo.issue_many(conn, [draft("3")], NOW, timedelta(0))


def test_a_lease_ending_exactly_now_is_expired(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    # The lease runs until available_at; at that very instant it is over and the event is claimable.
    monkeypatch.setattr(repo, "utcnow", lambda: NOW)
    lease = timedelta(minutes=5)
    with engine.begin() as conn:
        a, b = add_event(conn, "a"), add_event(conn, "b")
        conn.execute(inbox.update().values(status="processing", claimed_by="w0", available_at=NOW))
        assert repo.claim_one(conn, a, "w1", lease) is True
        assert repo.claim_inbox(conn, "w2", 10, lease) == [b]
        assert (inbox_row(conn, a).claimed_by, inbox_row(conn, b).claimed_by) == ("w1", "w2")
        assert repo.as_utc(inbox_row(conn, b).available_at) == NOW + lease
        # A render task due exactly now is due.
        doc, _ = repo.issue_document(conn, draft("1"), NOW)
        assert [d for _, d, _ in repo.claim_outbox(conn, "render", 10, lease)] == [doc.id]


def test_an_invoice_does_not_wake_another_sellers_event_for_the_same_order_id(engine: Engine) -> None:
    # Order ids are the marketplace's, shared by sellers: thermoconfort's CMD-1 is another order.
    later = NOW + timedelta(days=1)
    with engine.begin() as conn:
        theirs = add_event(conn, "e-theirs", order_id="CMD-1", seller_id="thermoconfort")
        conn.execute(inbox.update().values(status="waiting", reason_code="invoice_pending", available_at=later))
        repo.issue_document(conn, draft("1"), NOW)
        assert repo.as_utc(inbox_row(conn, theirs).available_at) == later


def test_fail_render_gives_up_only_this_documents_pending_render(engine: Engine) -> None:
    with engine.begin() as conn:
        d1, _ = repo.issue_document(conn, draft("1"), NOW)
        d2, _ = repo.issue_document(conn, draft("2"), NOW)
        d3, _ = repo.issue_document(conn, draft("3"), NOW)
        # d1 also has a notify task; d3's render is already done.
        conn.execute(
            outbox.insert().values(
                document_id=d1.id, task="notify", status="pending", attempts=0, available_at=NOW, created_at=NOW
            )
        )
        conn.execute(outbox.update().where(outbox.c.document_id == d3.id).values(status="done"))
        repo.fail_render(conn, d1.id, "unreadable")
        repo.fail_render(conn, d3.id, "unreadable")
        tasks = {(r.document_id, r.task): (r.status, r.last_error) for r in conn.execute(sa.select(outbox))}
        status = dict(conn.execute(sa.select(documents.c.id, documents.c.render_status)).all())
    assert status == {d1.id: "failed", d2.id: "pending", d3.id: "failed"}
    assert tasks == {
        (d1.id, "render"): ("failed", "unreadable"),
        (d1.id, "notify"): ("pending", None),
        (d2.id, "render"): ("pending", None),
        (d3.id, "render"): ("done", None),
    }


def test_issue_many_leaves_credit_notes_to_issue_document(engine: Engine) -> None:
    # Only invoices are batched: a credit-note draft (kind changed here) is left out, one by one later.
    note = dataclasses.replace(draft("7"), kind="credit_note", series="A")
    with engine.begin() as conn:
        issued = repo.issue_many(conn, [note, draft("8")], NOW, timedelta(0))
        assert sorted(issued) == [1]
        assert issued[1].number == "F-ABJ-000001"
        assert conn.execute(sa.select(sa.func.count()).select_from(documents)).scalar_one() == 1


def test_render_bookkeeping_touches_only_this_documents_render_task(engine: Engine) -> None:
    with engine.begin() as conn:
        d1, _ = repo.issue_document(conn, draft("1"), NOW)
        d2, _ = repo.issue_document(conn, draft("2"), NOW)
        d3, _ = repo.issue_document(conn, draft("3"), NOW)
        # d1: a notify task stored before its render task (tried 9 times, failed); the render tried once.
        conn.execute(outbox.delete().where(outbox.c.document_id == d1.id))
        for task, status, attempts in (("notify", "failed", 9), ("render", "pending", 1)):
            conn.execute(
                outbox.insert().values(
                    document_id=d1.id, task=task, status=status, attempts=attempts, available_at=NOW, created_at=NOW
                )
            )
        # d3's render finished meanwhile: a late error must not reopen it.
        conn.execute(outbox.update().where(outbox.c.document_id == d3.id).values(status="done", attempts=1))
        # Attempt 1 of 3 for d1 (its render's count, not the notify's 9): not given up.
        assert repo.mark_render_error(conn, d1.id, "boom", 3, lambda a: timedelta(seconds=a)) is False
        assert repo.mark_render_error(conn, d3.id, "late", 3, lambda a: timedelta(seconds=a)) is False
        tasks = {(r.document_id, r.task): (r.status, r.attempts, r.last_error) for r in conn.execute(sa.select(outbox))}
        assert tasks == {
            (d1.id, "notify"): ("failed", 9, None),
            (d1.id, "render"): ("pending", 1, "boom"),
            (d2.id, "render"): ("pending", 0, None),
            (d3.id, "render"): ("done", 1, None),
        }
        # d1 given up at its third attempt: only d1's status changes.
        conn.execute(outbox.update().where(outbox.c.document_id == d1.id, outbox.c.task == "render").values(attempts=3))
        assert repo.mark_render_error(conn, d1.id, "boom", 3, lambda a: timedelta(seconds=a)) is True
        status = dict(conn.execute(sa.select(documents.c.id, documents.c.render_status)).all())
        assert status == {d1.id: "failed", d2.id: "pending", d3.id: "pending"}
        # Retrying the failed renders leaves the failed notify task alone.
        assert repo.retry_failed_renders(conn) == 1
        assert (
            conn.execute(
                sa.select(outbox.c.status).where(outbox.c.document_id == d1.id, outbox.c.task == "notify")
            ).scalar_one()
            == "failed"
        )


def test_document_rows_in_series_order_within_a_seller(engine: Engine) -> None:
    # atelier-bois numbers in two series, F then A then F: rows come by series (A before F), then number.
    a_series = dataclasses.replace(draft("9"), series="A", series_format="A-{code}-{seq:06}")
    with engine.begin() as conn:
        f1, _ = repo.issue_document(conn, draft("1"), NOW)
        a1, _ = repo.issue_document(conn, a_series, NOW)
        f2, _ = repo.issue_document(conn, draft("2"), NOW)
        assert [r.number for r in repo.document_rows(conn)] == ["A-ABJ-000001", "F-ABJ-000001", "F-ABJ-000002"]
        # Each series has its own head and its own chain.
        assert (a1.prev_hash, f2.prev_hash) == (GENESIS, f1.hash)
        assert repo.series_heads(conn) == {("atelier-bois", "A"): (1, a1.hash), ("atelier-bois", "F"): (2, f2.hash)}


@pytest.mark.postgres
def test_postgres_claims_skip_rows_another_worker_holds(pg: Engine) -> None:  # noqa: F811
    # Two workers claim at once: the second gets the other row at once (SKIP LOCKED), it neither waits
    # for the first one's transaction (lock_timeout turns a wait into an error) nor takes its row.
    svc = Mandat(Settings.from_env(Path("/nonexistent")), engine=pg)
    svc.save_sellers([seller()])
    lease = timedelta(minutes=5)
    with pg.begin() as conn:
        d1, _ = repo.issue_document(conn, draft("1"), NOW)
        d2, _ = repo.issue_document(conn, draft("2"), NOW)
        e1, e2 = add_event(conn, "e1"), add_event(conn, "e2")
    with pg.connect() as first, pg.connect() as second, first.begin():
        assert [d for _, d, _ in repo.claim_outbox(first, "render", 1, lease)] == [d1.id]
        assert repo.claim_inbox(first, "w1", 1, lease) == [e1]
        with second.begin():
            second.exec_driver_sql("SET LOCAL lock_timeout = '2s'")
            assert [d for _, d, _ in repo.claim_outbox(second, "render", 10, lease)] == [d2.id]
            assert repo.claim_inbox(second, "w2", 10, lease) == [e2]


@pytest.mark.postgres
def test_postgres_refuses_a_number_python_would_not_give(pg: Engine, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    # The SQL and Python definitions of the number drift apart (the hash still agrees): refused.
    svc = Mandat(Settings.from_env(Path("/nonexistent")), engine=pg)
    svc.save_sellers([seller()])
    monkeypatch.setattr(Draft, "number_for", lambda self, seq: f"F-ABJ-{seq:07d}")
    with (
        pytest.raises(RuntimeError, match=r"^numbering statement produced an inconsistent document F-ABJ-000001$"),
        pg.begin() as conn,
    ):
        repo.issue_document(conn, draft("1"), NOW)


def test_two_sellers_may_invoice_the_same_marketplace_order_id(engine: Engine) -> None:
    # Order ids are the marketplace's: atelier-bois's CMD-1 and thermoconfort's CMD-1 share the
    # idempotency key text, yet each seller gets its own invoice, number 1 of its own series.
    with engine.begin() as conn:
        mine, created = repo.issue_document(conn, draft("1"), NOW)
        theirs, created_too = repo.issue_document(conn, draft("1", "thermoconfort"), NOW)
        assert (created, created_too) == (True, True)
        assert (mine.number, theirs.number) == ("F-ABJ-000001", "F-TCI-000001")
        assert mine.idempotency_key == theirs.idempotency_key
        assert repo.find_by_key(conn, mine.idempotency_key, "thermoconfort") == theirs
        assert repo.find_by_key(conn, mine.idempotency_key, "atelier-bois") == mine
        assert repo.series_heads(conn) == {
            ("atelier-bois", "F"): (1, mine.hash),
            ("thermoconfort", "F"): (1, theirs.hash),
        }
