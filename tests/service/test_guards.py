"""Checks that mutation testing found unguarded (issue 11): each test fails if its check is removed."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from mandat.domain.drafts import Draft
from mandat.domain.events import OrderPaid
from mandat.rules.draft import draft_invoice
from mandat.service.app import Mandat
from mandat.store import repository as repo
from mandat.store.schema import inbox, series
from tests.factories import MARKETPLACE, TODAY, order, refund, seller
from tests.service.test_credit_notes import credit_notes, event_row, send


def _draft(ref: str) -> Draft:
    return draft_invoice(OrderPaid.model_validate(order(ref=ref)), seller(), MARKETPLACE, TODAY)


def _push_series_ahead(svc: Mandat, ahead: timedelta) -> datetime:
    """The series' last issue time is in the future, as after a worker whose clock ran ahead."""
    with svc.engine.begin() as conn:
        first, _ = repo.issue_document(conn, _draft("0"), repo.utcnow())
        future = repo.utcnow() + ahead
        conn.execute(series.update().where(series.c.series == first.series).values(last_issued_at=future))
    return future


def test_issue_time_never_goes_backwards_on_either_backend(backend: Mandat) -> None:
    """issue_document: the Python path on SQLite, the one-statement _issue_postgres on PostgreSQL."""
    future = _push_series_ahead(backend, timedelta(days=1))
    with backend.engine.begin() as conn:
        doc, created = repo.issue_document(conn, _draft("1"), repo.utcnow())
    assert created
    assert doc.issued_at == future


# issue_many is the SQLite batch path; PostgreSQL issues one statement per document, so only SQLite is generated.
@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_issue_time_never_goes_backwards_in_a_batch(backend: Mandat) -> None:
    assert backend.engine.dialect.name == "sqlite"
    future = _push_series_ahead(backend, timedelta(days=1))
    with backend.engine.begin() as conn:
        docs = repo.issue_many(conn, [_draft("1"), _draft("2")], repo.utcnow(), timedelta(0))
    assert [d.seq for d in docs.values()] == [2, 3]
    assert [d.issued_at for d in docs.values()] == [future, future]


def test_a_refund_in_another_currency_than_its_invoice_is_refused(backend: Mandat) -> None:
    send(backend, order())
    event = refund(scope={"kind": "lines", "lines": [{"line_no": 1, "quantity": "1"}]}, amount="8.90")
    event["payment"]["currency"] = "USD"
    assert send(backend, event) == "rejected"
    row = event_row(backend, event["event_id"])
    assert row.reason_code == "payment_currency"
    assert "USD" in (row.reason or "")
    assert "EUR" in (row.reason or "")
    assert credit_notes(backend) == []


def test_a_live_lease_is_not_claimed_again(backend: Mandat) -> None:
    backend.accept(json.dumps(order()))
    first = backend.claim()
    assert len(first) == 1
    other = Mandat(backend.settings, engine=backend.engine, blobs=backend.blobs)
    other.worker_id = "another-host:1"
    assert other.claim() == []  # the first worker's lease is still running
    with backend.engine.begin() as conn:
        assert not repo.claim_one(conn, first[0], other.worker_id, other.lease)
        holder = conn.execute(sa.select(inbox.c.claimed_by).where(inbox.c.id == first[0])).scalar_one()
    assert holder == backend.worker_id
    # Once the lease has run out, it is reclaimed (the existing crash-recovery path).
    with backend.engine.begin() as conn:
        conn.execute(inbox.update().values(available_at=repo.utcnow() - timedelta(seconds=1)))
    assert other.claim() == first
