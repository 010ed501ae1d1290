"""accept -> issue -> render on the embedded default, with duplicates, bad input, crashes and replay."""

from __future__ import annotations

import json

import sqlalchemy as sa

from mandat.demo.sellers import demo_sellers
from mandat.service.app import Mandat
from mandat.service.audit import audit
from mandat.store import repository as repo
from mandat.store.schema import documents, inbox, outbox
from tests.factories import order


def drain(svc: Mandat) -> None:
    while svc.work_once(100) != (0, 0):
        pass


def statuses(svc: Mandat) -> dict[str, int]:
    with svc.engine.connect() as conn:
        return repo.count_inbox_by_status(conn)


def count_docs(svc: Mandat) -> int:
    with svc.engine.connect() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(documents)).scalar_one())


def test_paid_order_becomes_one_rendered_invoice(service: Mandat) -> None:
    assert service.accept(json.dumps(order())).status == "pending"
    drain(service)
    with service.engine.connect() as conn:
        doc = repo.get_document(conn, number="F-ABJ-000001")
        row = next(iter(repo.document_rows(conn)))
    assert doc is not None
    assert doc.order_id == "CMD-0001"
    assert row.render_status == "rendered"
    pdf = service.blobs.get(row.pdf_key or "")
    assert pdf.startswith(b"%PDF-")
    assert service.blobs.get(row.xml_key or "").startswith(b"<?xml")
    assert audit(service.engine, service.blobs).ok


def test_same_event_twice_and_resent_order_give_one_invoice(service: Mandat) -> None:
    event = order()
    assert service.accept(json.dumps(event)).status == "pending"
    again = service.accept(json.dumps(event))
    assert again.status == "duplicate"
    assert again.reason is None
    resent = service.accept(json.dumps({**event, "event_id": "evt-0001-bis"}))
    assert resent.status == "pending"
    drain(service)
    assert count_docs(service) == 1
    assert statuses(service) == {"issued": 1, "duplicate": 1}


def test_bad_input_is_kept_with_its_reason(service: Mandat) -> None:
    garbage = "{not json"
    res = service.accept(garbage)
    assert res.status == "rejected"
    assert "not JSON" in (res.reason or "")
    bad = order(fix_amount=False)
    bad["lines"][0]["quantity"] = "-1"
    res = service.accept(json.dumps(bad))
    assert res.status == "rejected"
    assert "lines.0.quantity" in (res.reason or "")
    with service.engine.connect() as conn:
        kept = {r.event_id: r for r in repo.list_inbox(conn, "rejected")}
    assert kept[res.event_id].payload == json.dumps(bad)
    assert any(r.payload == garbage for r in kept.values())


def test_rejections_are_recorded_then_replayed_after_the_fix(service: Mandat) -> None:
    event = order(
        "nouveau-vendeur",
        lines=[
            {
                "sku": "NVX-LAMPE",
                "description": "Lampe de chantier",
                "quantity": "1",
                "unit_price": "39.90",
                "tax_category": "standard",
            }
        ],
    )
    service.accept(json.dumps(event))
    drain(service)
    with service.engine.connect() as conn:
        row = repo.get_inbox(conn, event_id="evt-0001")
    assert row is not None
    assert row.status == "rejected"
    assert row.reason_code == "mandate_inactive"
    assert count_docs(service) == 0
    # The seller accepts the mandate; the operator replays the event.
    fixed = next(s for s in demo_sellers() if s.id == "atelier-bois").mandate
    seller = next(s for s in demo_sellers() if s.id == "nouveau-vendeur").model_copy(update={"mandate": fixed})
    service.save_sellers([seller])
    assert service.replay("evt-0001")
    drain(service)
    assert statuses(service) == {"issued": 1}
    assert not service.replay("evt-0001")  # an issued event cannot be replayed


def test_unknown_seller_and_payment_mismatch(service: Mandat) -> None:
    service.accept(json.dumps({**order(ref="a"), "seller_id": "ghost"}))
    service.accept(json.dumps(order(ref="b", payment={"amount": "1.00"}, fix_amount=False)))
    service.accept(json.dumps(order(ref="c", payment={"status": "pending", "captured_at": None})))
    drain(service)
    with service.engine.connect() as conn:
        rows = {r.event_id: r for r in repo.list_inbox(conn)}
    assert rows["evt-a"].reason_code == "seller_unknown"
    assert rows["evt-b"].reason_code == "payment_amount"
    assert "1.00" in (rows["evt-b"].reason or "")
    assert rows["evt-c"].status == "waiting"


def test_crash_between_issue_and_render_resumes_rendering(service: Mandat) -> None:
    service.accept(json.dumps(order()))
    ids = service.claim()
    service.process(ids[0])  # issued and committed; the process "dies" before rendering
    with service.engine.connect() as conn:
        assert conn.execute(sa.select(outbox.c.status)).scalar_one() == "pending"
    fresh = Mandat(service.settings)  # a new process
    drain(fresh)
    with fresh.engine.connect() as conn:
        assert conn.execute(sa.select(documents.c.render_status)).scalar_one() == "rendered"
    assert audit(fresh.engine, fresh.blobs).ok


def test_rendering_twice_gives_identical_bytes_and_the_store_refuses_other_bytes(service: Mandat) -> None:
    from mandat.render.document import render_document
    from mandat.store.blobs import BlobConflict

    service.accept(json.dumps(order()))
    drain(service)
    with service.engine.connect() as conn:
        doc = repo.get_document(conn, number="F-ABJ-000001")
        row = next(iter(repo.document_rows(conn)))
    assert doc is not None
    first, second = render_document(doc), render_document(doc)
    assert first == second
    assert service.blobs.get(row.pdf_key or "") == first.pdf
    service.blobs.put(row.pdf_key or "", first.pdf, "application/pdf")  # a retried write is fine
    try:
        service.blobs.put(row.pdf_key or "", first.pdf + b"x", "application/pdf")
        raise AssertionError("overwrote a legal document")
    except BlobConflict:
        pass


def test_expired_lease_is_reclaimed_and_does_not_double(service: Mandat) -> None:
    service.accept(json.dumps(order()))
    ids = service.claim()
    service.process(ids[0])
    # Simulate a worker that claimed the row, was presumed dead and whose lease expired.
    with service.engine.begin() as conn:
        conn.execute(inbox.update().values(status="processing", available_at=repo.utcnow()))
    again = service.claim()
    assert again == ids
    assert service.process(again[0]) == "issued"
    assert count_docs(service) == 1


def test_audit_detects_tampering_and_missing_files(service: Mandat) -> None:
    for ref in ("1", "2", "3"):
        service.accept(json.dumps(order(ref=ref)))
    drain(service)
    assert audit(service.engine, service.blobs).ok
    with service.engine.begin() as conn:
        data = json.loads(conn.execute(sa.select(documents.c.data).where(documents.c.seq == 2)).scalar_one())
        data["buyer"]["name"] = "Someone Else"
        conn.execute(documents.update().where(documents.c.seq == 2).values(data=json.dumps(data)))
        key = conn.execute(sa.select(documents.c.pdf_key).where(documents.c.seq == 3)).scalar_one()
    (service.settings.home / "documents" / key).unlink()
    report = audit(service.engine, service.blobs)
    assert not report.ok
    assert report.series[0].chain_breaks == ["F-ABJ-000002"]
    assert len(report.file_problems) == 1


def test_issue_times_never_go_backwards(service: Mandat) -> None:
    from datetime import timedelta

    from mandat.domain.events import OrderPaid
    from mandat.rules.draft import draft_invoice
    from tests.factories import MARKETPLACE, TODAY, seller

    now = repo.utcnow()
    with service.engine.begin() as conn:
        d1 = draft_invoice(OrderPaid.model_validate(order(ref="1")), seller(), MARKETPLACE, TODAY)
        first, _ = repo.issue_document(conn, d1, now)
        d2 = draft_invoice(OrderPaid.model_validate(order(ref="2")), seller(), MARKETPLACE, TODAY)
        second, _ = repo.issue_document(conn, d2, now - timedelta(hours=1))  # a worker with a late clock
    assert second.seq == first.seq + 1
    assert second.issued_at == first.issued_at


def test_accept_and_issue_for_push_entry_points(service: Mandat) -> None:
    event = json.dumps(order())
    assert service.accept_and_issue(event)[1] == "issued"
    assert service.accept_and_issue(event)[1] == "issued"  # redelivery: same answer, no second document
    bad = service.accept_and_issue("{nope")
    assert bad[1] == "rejected"
    assert bad[2]
    assert count_docs(service) == 1
