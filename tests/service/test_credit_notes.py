"""Refunds and cancellations through the real pipeline: credit notes, ordering, duplicates, over-credit."""

from __future__ import annotations

import json
import threading
from decimal import Decimal
from typing import Any

import pytest

from mandat.domain.credit import Credited, CreditRequest, plan_credit, remaining
from mandat.domain.documents import Document
from mandat.service.app import Mandat
from mandat.service.audit import audit
from mandat.store import repository as repo
from tests.factories import cancellation, order, refund
from tests.service.test_flow import drain, statuses
from tests.store.test_postgres import pg  # noqa: F401  (fixture)


@pytest.fixture
def service(backend: Mandat) -> Mandat:
    """Every scenario on both backends (tests/service/conftest.py)."""
    return backend


def invoice_of(svc: Mandat, ref: str = "0001") -> Document:
    with svc.engine.connect() as conn:
        doc = repo.find_by_key(conn, f"bricomarket-fr:CMD-{ref}:invoice")
    assert doc is not None
    return doc


def credited(svc: Mandat, ref: str = "0001") -> Credited:
    seller_id = invoice_of(svc, ref).seller_id
    with svc.engine.connect() as conn:
        row = repo.get_order(conn, seller_id, f"bricomarket-fr:CMD-{ref}")
    assert row is not None
    return Credited.from_json(row.credited)


def price(svc: Mandat, request: CreditRequest, ref: str = "0001") -> Decimal:
    """What the marketplace would refund for ``request``: the credit note's total."""
    return plan_credit(invoice_of(svc, ref), credited(svc, ref), request).totals.tax_inclusive


def send(svc: Mandat, event: dict[str, Any]) -> str:
    svc.accept(json.dumps(event))
    drain(svc)
    with svc.engine.connect() as conn:
        row = repo.get_inbox(conn, event_id=event["event_id"])
    assert row is not None
    return row.status


def event_row(svc: Mandat, event_id: str) -> repo.InboxRow:
    with svc.engine.connect() as conn:
        row = repo.get_inbox(conn, event_id=event_id)
    assert row is not None
    return row


def credit_notes(svc: Mandat) -> list[Document]:
    with svc.engine.connect() as conn:
        return [d for notes in repo.credit_notes_by_invoice(conn).values() for d in notes]


def test_partial_then_shipping_then_full_refund_ends_at_exactly_zero(service: Mandat) -> None:
    send(service, order(shipping="4.90"))
    inv = invoice_of(service)
    one_bag = CreditRequest(lines={"1": Decimal(1)})
    assert (
        send(
            service,
            refund(
                refund_id="R1",
                scope={"kind": "lines", "lines": [{"sku": "ABJ-COMPOST-40", "quantity": "1"}]},
                amount=price(service, one_bag),
            ),
        )
        == "issued"
    )
    ship = CreditRequest(lines={"3": Decimal(1)})
    assert send(service, refund(refund_id="R2", scope={"kind": "shipping"}, amount=price(service, ship))) == "issued"
    rest = price(service, CreditRequest(full=True))
    assert send(service, refund(refund_id="R3", scope={"kind": "full"}, amount=rest)) == "issued"

    notes = credit_notes(service)
    assert [n.number for n in notes] == ["A-ABJ-000001", "A-ABJ-000002", "A-ABJ-000003"]
    assert all(n.corrects is not None and n.corrects.number == inv.number for n in notes)
    assert all(n.type_code == "381" and n.kind == "credit_note" for n in notes)
    assert sum(n.totals.tax_inclusive for n in notes) == inv.totals.tax_inclusive
    left = remaining(inv, Credited.from_credit_notes(inv, notes))
    assert set(left.net.values()) == {Decimal(0)}
    assert set(left.gross.values()) == {Decimal(0)}
    for b in inv.vat_breakdown:  # every rate back to exactly zero, VAT included
        credited_vat = sum(nb.tax_amount for n in notes for nb in n.vat_breakdown if nb.rate == b.rate)
        assert credited_vat == b.tax_amount
    report = audit(service.engine, service.blobs)
    assert report.ok, report.credit_problems
    # A fourth refund finds nothing left, and is kept with its reason.
    assert send(service, refund(refund_id="R4", amount="1.00")) == "rejected"
    assert event_row(service, "evt-0001-refund-R4").reason_code == "nothing_to_credit"
    # Cancelling a fully credited order is not an error: nothing more is issued.
    assert send(service, cancellation(amount="0.00")) == "cancelled"
    assert len(credit_notes(service)) == 3


def test_over_credit_is_rejected_and_kept(service: Mandat) -> None:
    send(service, order())
    status = send(service, refund(scope={"kind": "lines", "lines": [{"line_no": 1, "quantity": "4"}]}, amount="35.60"))
    assert status == "rejected"
    row = event_row(service, "evt-0001-refund-R1")
    assert row.reason_code == "over_credit"
    assert "4 asked, 3 of 3 left" in (row.reason or "")
    assert credit_notes(service) == []


def test_refund_amount_must_match_the_credit_note(service: Mandat) -> None:
    send(service, order())
    scope = {"kind": "lines", "lines": [{"sku": "ABJ-COMPOST-40", "quantity": "1"}]}
    assert send(service, refund(scope=scope, amount="9.00")) == "rejected"
    row = event_row(service, "evt-0001-refund-R1")
    assert row.reason_code == "refund_amount"
    assert "8.90" in (row.reason or "")
    # The operator corrects the amount and replays: one credit note.
    fixed = refund(scope=scope, amount="8.90")
    assert service.replay(row.event_id, json.dumps(fixed))
    drain(service)
    assert event_row(service, row.event_id).status == "issued"
    assert len(credit_notes(service)) == 1


def test_refund_before_its_invoice_waits_then_is_credited(service: Mandat) -> None:
    early = refund(scope={"kind": "lines", "lines": [{"line_no": 2, "quantity": "1"}]}, amount="119.00")
    assert send(service, early) == "waiting"
    assert event_row(service, early["event_id"]).reason_code == "invoice_pending"
    send(service, order())  # the invoice is issued and wakes the waiting refund
    assert event_row(service, early["event_id"]).status == "issued"
    (note,) = credit_notes(service)
    assert note.corrects is not None
    assert note.corrects.number == "F-ABJ-000001"
    assert note.totals.tax_inclusive == Decimal("119.00")


def test_cancellation_before_the_invoice_means_no_invoice(service: Mandat) -> None:
    pending = order(payment={"status": "authorized", "captured_at": None})
    assert send(service, pending) == "waiting"
    assert send(service, cancellation()) == "cancelled"
    # The payment is captured after all and the order.paid is re-sent: still no invoice.
    captured = order()
    captured["event_id"] = "evt-0001-again"
    assert send(service, captured) == "cancelled"
    service.replay("evt-0001")
    drain(service)
    assert event_row(service, "evt-0001").status == "cancelled"
    with service.engine.connect() as conn:
        assert list(repo.document_rows(conn)) == []
    # A second cancellation of the same order is a duplicate; a refund has nothing to credit.
    again = cancellation()
    again["event_id"] = "evt-0001-cancel-2"
    assert send(service, again) == "duplicate"
    assert send(service, refund(amount="1.00")) == "rejected"
    assert event_row(service, "evt-0001-refund-R1").reason_code == "order_cancelled"


def test_cancellation_after_the_invoice_is_a_full_credit_note(service: Mandat) -> None:
    send(service, order(shipping="9.90"))
    inv = invoice_of(service)
    send(service, refund(scope={"kind": "lines", "lines": [{"line_no": 1, "quantity": "2"}]}, amount="17.80"))
    rest = inv.totals.tax_inclusive - Decimal("17.80")
    assert send(service, cancellation(amount=rest)) == "issued"
    notes = credit_notes(service)
    assert [n.totals.tax_inclusive for n in notes] == [Decimal("17.80"), rest]
    assert notes[1].reason == "Annulée par le client"
    left = remaining(inv, credited(service))
    assert left.total == 0
    # The same cancellation re-sent under a new event id: one credit note still.
    again = cancellation(amount=rest)
    again["event_id"] = "evt-0001-cancel-2"
    assert send(service, again) == "duplicate"
    assert len(credit_notes(service)) == 2


def test_cancellation_after_the_invoice_needs_the_refund_payment(service: Mandat) -> None:
    send(service, order())
    assert send(service, cancellation()) == "rejected"
    assert event_row(service, "evt-0001-cancel").reason_code == "refund_payment_missing"


def test_duplicate_refund_events_give_one_credit_note(service: Mandat) -> None:
    send(service, order())
    event = refund(scope={"kind": "lines", "lines": [{"line_no": 1, "quantity": "1"}]}, amount="8.90")
    assert send(service, event) == "issued"
    assert service.accept(json.dumps(event)).status == "duplicate"  # same event id, redelivered
    resent = {**event, "event_id": "evt-0001-refund-R1-resent"}  # same refund id, new event id
    assert send(service, resent) == "duplicate"
    assert len(credit_notes(service)) == 1
    assert credited(service).lines["1"].quantity == 1


def test_goodwill_amount_then_full_refund_keeps_each_rate_at_zero(service: Mandat) -> None:
    send(service, order())
    inv = invoice_of(service)
    gesture = {"kind": "amount", "amounts": [{"vat_rate": "10", "amount": "20.00"}], "description": "Geste commercial"}
    assert send(service, refund(refund_id="G1", scope=gesture, amount="20.00")) == "issued"
    rest = inv.totals.tax_inclusive - Decimal("20.00")
    assert send(service, refund(refund_id="R2", amount=rest)) == "issued"
    notes = credit_notes(service)
    adjustment = [ln for ln in notes[1].lines if ln.sku == "ADJUSTMENT"]
    assert len(adjustment) == 1
    assert adjustment[0].net_amount < 0
    assert adjustment[0].quantity == -1
    assert remaining(inv, credited(service)).total == 0
    assert audit(service.engine, service.blobs).ok


def test_pending_refund_waits(service: Mandat) -> None:
    send(service, order())
    assert send(service, refund(amount="1.00", status="pending")) == "waiting"
    assert event_row(service, "evt-0001-refund-R1").reason_code == "refund_not_executed"


@pytest.mark.parametrize(
    ("scope", "code"),
    [
        ({"kind": "lines", "lines": [{"sku": "NOPE", "quantity": "1"}]}, "refund_line_unknown"),
        ({"kind": "lines", "lines": [{"line_no": 9, "quantity": "1"}]}, "refund_line_unknown"),
        ({"kind": "shipping"}, "refund_line_unknown"),
        ({"kind": "amount", "amounts": [{"vat_rate": "5.5", "amount": "1.00"}]}, "refund_rate_unknown"),
        ({"kind": "lines"}, "invalid_event"),
    ],
)
def test_refunds_that_do_not_fit_the_invoice_are_rejected(service: Mandat, scope: dict[str, Any], code: str) -> None:
    send(service, order())
    assert send(service, refund(scope=scope, amount="1.00")) == "rejected"
    assert event_row(service, "evt-0001-refund-R1").reason_code == code
    assert statuses(service)["rejected"] == 1


def test_issued_credit_note_renders_with_its_mentions_and_valid_xml(service: Mandat) -> None:
    from tests.factories import FR_COMPANY
    from tests.render.test_issued_documents import pdf_text

    event = order("peintures-lumiere", ref="b2b", buyer=FR_COMPANY, include_vat=False, shipping="8.25")
    send(service, event)
    inv = invoice_of(service, "b2b")
    scope = {"kind": "lines", "lines": [{"line_no": 1, "quantity": "1"}], "shipping": True}
    plan = CreditRequest(lines={"1": Decimal(1), str(len(inv.lines)): Decimal(1)})
    amount = price(service, plan, "b2b")
    assert send(service, refund("b2b", scope=scope, amount=amount, seller_id="peintures-lumiere")) == "issued"
    (note,) = credit_notes(service)
    with service.engine.connect() as conn:
        row = next(r for r in repo.document_rows(conn) if r.id == note.id)
    assert row.render_status == "rendered"
    assert row.pdf_key
    assert row.xml_key
    xml = service.blobs.get(row.xml_key)
    from mandat.render.cii import is_french_einvoice
    from mandat.render.validate import check, validate

    if is_french_einvoice(note):  # EXTENDED-CTC-FR (the reform's B2B): the official CEN, BR-FR and profile rules
        assert check("en16931-cii-ctc-fr", xml) == []
    else:
        report = validate(xml, br_fr=True)
        assert report.valid, report.errors
    assert b"<ram:TypeCode>381</ram:TypeCode>" in xml
    assert inv.number.encode() in xml
    text = " ".join(pdf_text(service.blobs.get(row.pdf_key)).split())
    assert "AVOIR" in text.upper()
    assert inv.number in text
    codes = {m.code for m in note.mentions}
    assert {"mandate_credit", "corrects", "refunded", "late_penalty", "recovery_indemnity", "no_discount"} <= codes
    assert "paid" not in codes
    assert "mandate" not in codes
    for m in note.mentions:
        assert " ".join(m.text.split()) in text, m.code
    assert note.buyer == inv.buyer
    assert note.seller.siren == inv.seller.siren


def test_audit_catches_an_invoice_credited_twice(service: Mandat) -> None:
    from mandat.service.audit import credit_problems

    send(service, order())
    inv = invoice_of(service)
    send(service, refund(amount=inv.totals.tax_inclusive))
    notes = credit_notes(service)
    assert credit_problems(inv, notes, credited(service).to_json()) == []
    doubled = credit_problems(inv, notes * 2, credited(service).to_json())
    assert any("beyond" in p for p in doubled)
    assert any("ledger disagrees" in p for p in doubled)


def test_concurrent_refunds_of_one_invoice_never_over_credit(service: Mandat) -> None:
    """Six workers refund one unit each of a 3-unit line at the same moment: three credit notes, three refused."""
    send(service, order())
    events = [
        refund(refund_id=f"C{i}", scope={"kind": "lines", "lines": [{"line_no": 1, "quantity": "1"}]}, amount="8.90")
        for i in range(6)
    ]
    rows = []
    for e in events:
        service.accept(json.dumps(e))
        with service.engine.connect() as conn:
            rows.append(repo.get_inbox(conn, event_id=e["event_id"]))
    start = threading.Barrier(len(rows))
    results: list[str] = []

    def work(row: repo.InboxRow) -> None:
        start.wait()
        results.append(service.process(row.id))

    threads = [threading.Thread(target=work, args=(r,)) for r in rows]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    drain(service)  # anything that lost a race and went back to pending
    final = [event_row(service, e["event_id"]) for e in events]
    assert sorted(r.status for r in final) == ["issued"] * 3 + ["rejected"] * 3
    assert {r.reason_code for r in final if r.status == "rejected"} == {"over_credit"}
    assert credited(service).lines["1"].quantity == 3
    assert audit(service.engine, service.blobs).ok


def test_cancellation_racing_the_invoice_never_leaves_both(service: Mandat) -> None:
    """order.paid and order.cancelled of the same orders processed at the same moment by two workers."""
    n = 12
    for i in range(n):
        service.accept(json.dumps(order(ref=f"race{i:02d}")))
        paid = order(ref=f"race{i:02d}")
        service.accept(json.dumps(cancellation(f"race{i:02d}", amount=paid["payment"]["amount"])))
    with service.engine.connect() as conn:
        rows = repo.list_inbox(conn, limit=100)
    paid_rows = [r for r in rows if r.event_type == "order.paid"]
    cancel_rows = [r for r in rows if r.event_type == "order.cancelled"]
    start = threading.Barrier(2)

    def run(batch: list[repo.InboxRow]) -> None:
        start.wait()
        for r in batch:
            service.process(r.id)

    threads = [threading.Thread(target=run, args=(b,)) for b in (paid_rows, cancel_rows)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    drain(service)
    with service.engine.connect() as conn:
        by_order: dict[str, list[str]] = {}
        for d in repo.document_rows(conn):
            doc = repo.get_document(conn, doc_id=d.id)
            assert doc is not None
            by_order.setdefault(doc.order_id, []).append(doc.kind)
    for i in range(n):
        kinds = sorted(by_order.get(f"CMD-race{i:02d}", []))
        paid_status = event_row(service, f"evt-race{i:02d}").status
        cancel_status = event_row(service, f"evt-race{i:02d}-cancel").status
        # Either the invoice came first and the cancellation credited it in full, or no invoice at all.
        if kinds:
            assert kinds == ["credit_note", "invoice"], kinds
            assert (paid_status, cancel_status) == ("issued", "issued")
        else:
            assert (paid_status, cancel_status) == ("cancelled", "cancelled")
    assert audit(service.engine, service.blobs).ok


def test_a_replay_with_broken_json_is_rejected_not_a_crash(service: Mandat) -> None:
    send(service, order())
    one_bag = {"kind": "lines", "lines": [{"line_no": 1, "quantity": "1"}]}
    assert send(service, refund(scope=one_bag, amount="1.00")) == "rejected"  # not what one bag comes to
    assert service.replay("evt-0001-refund-R1", '{"type": "order.refunded", "event_id": ')
    drain(service)
    row = event_row(service, "evt-0001-refund-R1")
    assert (row.status, row.reason_code) == ("rejected", "malformed_json")
