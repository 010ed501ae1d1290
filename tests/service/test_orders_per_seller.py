"""Two sellers receiving the same marketplace order id: each gets its own invoice and credit notes.

Issue 11: orders were keyed by marketplace and order id only, so seller B's paid order was taken
for a duplicate of seller A's and pointed at A's invoice; B's buyer got no invoice.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from mandat.service.app import Mandat
from mandat.service.audit import audit
from mandat.store import repository as repo
from mandat.store.db import make_engine
from mandat.store.migrate import upgrade
from mandat.store.schema import documents, orders
from tests.factories import cancellation, order, refund
from tests.service.test_credit_notes import event_row, send
from tests.service.test_flow import drain
from tests.store.test_postgres import PG_URL

A, B = "atelier-bois", "peintures-lumiere"


def paid(seller_id: str, **kw: Any) -> dict[str, Any]:
    event = order(seller_id, **kw)
    event["event_id"] = f"{event['event_id']}-{seller_id}"
    return event


def invoice(svc: Mandat, seller_id: str) -> Any:
    with svc.engine.connect() as conn:
        return repo.find_by_key(conn, "bricomarket-fr:CMD-0001:invoice", seller_id)


def test_same_order_id_for_two_sellers_gives_each_its_invoice(backend: Mandat) -> None:
    assert send(backend, paid(A)) == "issued"
    assert send(backend, paid(B)) == "issued"
    a, b = invoice(backend, A), invoice(backend, B)
    assert a is not None
    assert b is not None
    assert (a.seller_id, a.number) == (A, "F-ABJ-000001")
    assert (b.seller_id, b.number) == (B, "F-PLU-000001")
    assert event_row(backend, f"evt-0001-{B}").document_id == b.id
    # Re-sending B's order is a duplicate of B's invoice, not of A's.
    again = {**paid(B), "event_id": "evt-0001-again"}
    assert send(backend, again) == "duplicate"
    assert event_row(backend, "evt-0001-again").document_id == b.id
    assert audit(backend.engine, backend.blobs).ok


def test_same_order_id_for_two_sellers_in_one_batch(backend: Mandat) -> None:
    """The batch path (issue_many on SQLite) keys orders by seller too."""
    backend.accept(json.dumps(paid(A)))
    backend.accept(json.dumps(paid(B)))
    drain(backend)
    assert invoice(backend, A) is not None
    assert invoice(backend, B) is not None
    assert event_row(backend, f"evt-0001-{B}").status == "issued"


def test_refunds_credit_only_their_own_sellers_invoice(backend: Mandat) -> None:
    send(backend, paid(A))
    send(backend, paid(B))
    a, b = invoice(backend, A), invoice(backend, B)
    # B refunds its whole order: the credit note is B's, in B's series, against B's invoice.
    r = refund(seller_id=B, amount=b.totals.tax_inclusive)
    r["event_id"] = "evt-0001-refund-B"
    assert send(backend, r) == "issued"
    with backend.engine.connect() as conn:
        note = repo.get_document(conn, doc_id=event_row(backend, "evt-0001-refund-B").document_id)
        by_invoice = repo.credit_notes_by_invoice(conn)
    assert note is not None
    assert (note.seller_id, note.number) == (B, "A-PLU-000001")
    assert note.corrects is not None
    assert note.corrects.number == b.number
    assert list(by_invoice) == [b.id]
    # A's invoice is untouched: A can still refund all of it.
    ra = refund(seller_id=A, amount=a.totals.tax_inclusive)
    ra["event_id"] = "evt-0001-refund-A"
    assert send(backend, ra) == "issued"
    # A cancellation of B's (already fully credited) order says so; A's order is not involved.
    c = cancellation(seller_id=B, amount="0.00")
    assert send(backend, c) == "cancelled"
    with backend.engine.connect() as conn:
        rows = conn.execute(sa.select(orders.c.seller_id, orders.c.state, orders.c.invoice_id)).all()
    assert sorted(rows) == sorted([(A, "invoiced", a.id), (B, "invoiced", b.id)])
    assert audit(backend.engine, backend.blobs).ok


def test_a_refund_of_a_seller_without_the_order_waits_instead_of_crediting_another(backend: Mandat) -> None:
    send(backend, paid(A))
    r = refund(seller_id=B, amount="8.90", scope={"kind": "lines", "lines": [{"line_no": 1, "quantity": "1"}]})
    assert send(backend, r) == "waiting"
    assert event_row(backend, r["event_id"]).reason_code == "invoice_pending"
    with backend.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(documents)).scalar_one() == 1


def test_cancellation_before_invoice_closes_only_that_sellers_order(backend: Mandat) -> None:
    assert send(backend, cancellation(seller_id=B)) == "cancelled"
    assert send(backend, paid(A)) == "issued"  # A's order of the same id is not cancelled
    assert send(backend, paid(B)) == "cancelled"


# --- migration 0004 on existing data ---------------------------------------------------------


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def at_0003(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    if request.param == "postgres":
        import uuid

        schema = f"mandat_t_{uuid.uuid4().hex[:10]}"
        admin = make_engine(PG_URL)
        with admin.begin() as conn:
            conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
        engine = make_engine(PG_URL, schema=schema)
        try:
            upgrade(engine, "0003")
            yield engine
        finally:
            engine.dispose()
            with admin.begin() as conn:
                conn.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
            admin.dispose()
    else:
        engine = make_engine(f"sqlite:///{tmp_path / 'm.db'}")
        upgrade(engine, "0003")
        yield engine
        engine.dispose()


def test_migration_0004_keeps_existing_orders_and_lets_a_second_seller_share_an_order_id(at_0003: Engine) -> None:
    now = datetime(2026, 11, 20, tzinfo=UTC)
    doc = {
        "seller_id": A,
        "series": "F",
        "seq": 1,
        "number": "F-ABJ-000001",
        "kind": "invoice",
        "idempotency_key": "bricomarket-fr:CMD-0001:invoice",
        "order_id": "CMD-0001",
        "event_id": "evt-0001",
        "issued_at": now,
        "total": Decimal("10.00"),
        "data": "{}",
        "hash": "a" * 64,
        "prev_hash": "0" * 64,
        "render_status": "rendered",
    }
    order_row = {
        "key": "bricomarket-fr:CMD-0001",
        "seller_id": A,
        "order_id": "CMD-0001",
        "state": "invoiced",
        "event_id": "evt-0001",
        "credit_version": 1,
        "credited": '{"x": 1}',
        "updated_at": now,
    }
    with at_0003.begin() as conn:
        conn.execute(documents.insert().values(id="d1", **doc))
        conn.execute(orders.insert().values(invoice_id="d1", **order_row))
    upgrade(at_0003)
    with at_0003.begin() as conn:
        kept = conn.execute(sa.select(orders.c.seller_id, orders.c.key, orders.c.credited)).all()
        assert kept == [(A, "bricomarket-fr:CMD-0001", '{"x": 1}')]
        # Seller B's order of the same id now fits beside it...
        conn.execute(
            documents.insert().values(id="d2", **{**doc, "seller_id": B, "series_owner": B, "number": "F-PLU-000001"})
        )
        conn.execute(orders.insert().values(invoice_id="d2", **{**order_row, "seller_id": B}))
    # ... while the same seller still cannot have two.
    with pytest.raises(sa.exc.IntegrityError), at_0003.begin() as conn:
        conn.execute(orders.insert().values(invoice_id="d3", **order_row))
    with pytest.raises(sa.exc.IntegrityError), at_0003.begin() as conn:
        conn.execute(
            documents.insert().values(id="d3", **{**doc, "series_owner": A, "seq": 2, "number": "F-ABJ-000002"})
        )
