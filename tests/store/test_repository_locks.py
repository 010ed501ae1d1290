"""What the mutation run of the numbering and claiming code left (docs/mutants/store-audit-auth.md): the
PostgreSQL branch where another transaction commits the same order first, the order lock shared by waits and
wake-ups, naive times, the cancellation's code, and a render error that must not touch another task."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError

from mandat.domain.refusals import Cancelled
from mandat.service.app import Mandat
from mandat.service.config import Settings
from mandat.store import repository as repo
from mandat.store.schema import documents, outbox, series
from tests.factories import seller
from tests.store.test_postgres import pg  # noqa: F401  (fixture)
from tests.store.test_repository_mutants import NOW, draft, engine  # noqa: F401  (fixture)


@pytest.mark.postgres
def test_postgres_the_same_order_issued_by_two_transactions_at_once_gets_one_number(pg: Engine) -> None:  # noqa: F811
    # Two workers issue order CMD-1 at once (a redelivery): the second waits for the first one's commit on the
    # series row, then finds the order issued. It returns the first one's document, not created, and the
    # series holds exactly one number (1), no gap.
    Mandat(Settings.from_env(Path("/nonexistent")), engine=pg).save_sellers([seller(), seller("thermoconfort")])
    with pg.begin() as conn:  # another seller's CMD-1, same idempotency key text: never the winner here
        other, _ = repo.issue_document(conn, draft("1", "thermoconfort"), NOW)
    first = pg.connect()
    tx = first.begin()
    mine, created = repo.issue_document(first, draft("1"), NOW)
    assert (created, mine.number) == (True, "F-ABJ-000001")
    result: dict[str, object] = {}

    def second_worker() -> None:
        with pg.begin() as conn:
            result["issued"] = repo.issue_document(conn, draft("1"), NOW + timedelta(seconds=1))

    worker = threading.Thread(target=second_worker)
    worker.start()
    time.sleep(0.5)
    assert worker.is_alive()  # blocked behind the first transaction, not racing past it
    tx.commit()
    first.close()
    worker.join(20)
    assert not worker.is_alive()
    theirs, created_again = result["issued"]  # type: ignore[misc]
    assert created_again is False
    assert (theirs.id, theirs.number, theirs.hash, theirs.seller_id) == (
        mine.id,
        "F-ABJ-000001",
        mine.hash,
        "atelier-bois",
    )
    assert other.id != mine.id
    with pg.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(documents)).scalar_one() == 2
        heads = conn.execute(sa.select(series.c.seller_id, series.c.last_seq).where(series.c.series == "F")).all()
        assert sorted(heads) == [("atelier-bois", 1), ("thermoconfort", 1)]


@pytest.mark.postgres
def test_postgres_a_wake_up_waits_for_the_lock_a_wait_holds_on_its_order(pg: Engine) -> None:  # noqa: F811
    # Recording a refund's wait holds the order's row lock (lock_order); the wake-up of the same order must
    # queue behind it (docs/architecture.md, "No wake-up is lost"), here seen as a lock timeout.
    Mandat(Settings.from_env(Path("/nonexistent")), engine=pg).save_sellers([seller()])
    d = draft("1")
    with pg.begin() as conn:
        repo.issue_document(conn, d, NOW)
    with pg.connect() as waiting, waiting.begin():
        assert repo.lock_order(waiting, d.seller_id, d.order_key) == 0  # no credit note yet: version 0
        with pg.connect() as waking, waking.begin():
            waking.exec_driver_sql("SET LOCAL lock_timeout = '500ms'")
            with pytest.raises(OperationalError, match="lock timeout"):
                repo.wake_after_sale(waking, d.seller_id, "CMD-1", d.order_key)
        # Another order of the same seller is not held.
        with pg.connect() as other, other.begin():
            other.exec_driver_sql("SET LOCAL lock_timeout = '500ms'")
            repo.wake_after_sale(other, d.seller_id, "CMD-2", "mkp:CMD-2")


def test_lock_order_reads_the_credit_version_and_none_without_an_order(engine: Engine) -> None:  # noqa: F811
    # A refund of an unknown seller is decided (rejected) before any orders row exists, and its wake-up
    # still runs: no row means no version, not an error.
    d = draft("1")
    with engine.begin() as conn:
        assert repo.lock_order(conn, d.seller_id, d.order_key) is None
        repo.wake_after_sale(conn, d.seller_id, "CMD-1", d.order_key)
        repo.issue_document(conn, d, NOW)
        assert repo.lock_order(conn, d.seller_id, d.order_key) == 0
        assert repo.advance_credit(conn, d.seller_id, d.order_key, 0, "{}")
        assert repo.lock_order(conn, d.seller_id, d.order_key) == 1


def test_a_naive_time_is_read_as_utc_whatever_the_machine_zone(monkeypatch: pytest.MonkeyPatch) -> None:
    # SQLite returns stored times without a zone; they were written in UTC. On a machine in Paris
    # (UTC+1 in November) reading them as local time would move 09:30 to 08:30 UTC.
    monkeypatch.setenv("TZ", "Europe/Paris")
    time.tzset()
    try:
        assert repo.as_utc(datetime(2026, 11, 20, 9, 30)) == datetime(2026, 11, 20, 9, 30, tzinfo=UTC)
    finally:
        monkeypatch.undo()
        time.tzset()


def test_a_cancelled_order_is_refused_with_its_code(engine: Engine) -> None:  # noqa: F811
    d = draft("1")
    with engine.begin() as conn:
        repo.cancel_before_invoice(conn, d.order_key, d.seller_id, "CMD-1", "evt-cancel")
    with pytest.raises(Cancelled) as caught, engine.begin() as conn:
        repo.issue_document(conn, d, NOW)
    assert (caught.value.code, caught.value.status) == ("order_cancelled", "cancelled")


def test_a_render_error_leaves_another_pending_task_of_the_document_alone(engine: Engine) -> None:  # noqa: F811
    with engine.begin() as conn:
        doc, _ = repo.issue_document(conn, draft("1"), NOW)
        conn.execute(
            outbox.insert().values(
                document_id=doc.id, task="notify", status="pending", attempts=0, available_at=NOW, created_at=NOW
            )
        )
        assert repo.mark_render_error(conn, doc.id, "boom", 3, lambda a: timedelta(seconds=a)) is False
        tasks = {r.task: (r.status, r.last_error) for r in conn.execute(sa.select(outbox))}
    assert tasks == {"render": ("pending", "boom"), "notify": ("pending", None)}
