"""Credit notes (avoirs), pinned down where mutation testing found them loose (docs/mutants/rules.md).

The law, and the figures worked out from it by hand:

* a credit note names the invoice it corrects, number and date (CGI 289 I-5; Directive art. 219; BT-25/26),
  carries type code 381, its own continuous series ("A" for A-{code}-{seq:06}) and the invoice's mandatory
  mentions that still apply; the mandate statement and the payment mention are its own, the exemption
  reference is printed again (CGI ann. II 242 nonies A);
* the buyer is the invoice's buyer; it credits only what the refund paid back, never more than invoiced.

The invoice used below (B2B, prices excluding VAT, atelier-bois, Menuiserie Girard):
  line 1  SKU-1  3 x 12.00 = 36.00 at 20 %
  line 2  SKU-2  2 x 10.00 = 20.00 at 5.5 %
  line 3  SHIPPING        10.00 at 20 % (the order's highest rate)
  VAT 20 %: 46.00 x 0.20 = 9.20; 5.5 %: 20.00 x 0.055 = 1.10. Net 66.00, VAT 10.30, total 76.30.
Issued 2026-11-20 09:00 UTC, i.e. 20/11/2026 in Paris, as F-ABJ-000001.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from mandat.domain.credit import Credited, Taken
from mandat.domain.documents import CorrectedInvoice, Document
from mandat.domain.drafts import Draft
from mandat.domain.events import OrderCancelled, OrderPaid, OrderRefunded
from mandat.domain.parties import Address, Insurance
from mandat.domain.refusals import EventRefused, Rejected, Waiting
from mandat.rules.credit_note import draft_credit_note
from mandat.rules.draft import draft_invoice, seller_snapshot
from tests.factories import DE_COMPANY, FR_COMPANY, MARKETPLACE, NOW, TODAY, cancellation, order, refund, seller

D = Decimal


def ln(sku: str, qty: str, price: str, category: str = "standard", **more: Any) -> dict[str, Any]:
    return {"sku": sku, "description": f"Article {sku}", "quantity": qty, "unit_price": price, "tax_category": category}


def invoice(
    lines: list[dict[str, Any]] | None = None,
    shipping: str | None = "10.00",
    buyer: dict[str, Any] | None = None,
    seller_id: str = "atelier-bois",
    **kw: Any,
) -> Document:
    ev = order(
        seller_id,
        buyer=buyer or FR_COMPANY,
        include_vat=False,
        lines=lines or [ln("SKU-1", "3", "12.00"), ln("SKU-2", "2", "10.00", "reduced")],
        shipping=shipping,
        **kw,
    )
    d = draft_invoice(OrderPaid.model_validate(ev), seller(seller_id), MARKETPLACE, TODAY)
    return d.finalize(1, NOW, "0" * 64)


def credit_draft(
    inv: Document, event: dict[str, Any], credited: Credited | None = None, seller_id: str = "atelier-bois"
) -> tuple[Draft, Credited]:
    ev: OrderRefunded | OrderCancelled
    ev = (
        OrderCancelled.model_validate(event)
        if event["type"] == "order.cancelled"
        else OrderRefunded.model_validate(event)
    )
    return draft_credit_note(ev, inv, credited or Credited(), seller(seller_id), MARKETPLACE, TODAY)


def credit(inv: Document, event: dict[str, Any], credited: Credited | None = None) -> Document:
    return credit_draft(inv, event, credited)[0].finalize(1, NOW, "0" * 64)


def refused(inv: Document, event: dict[str, Any], credited: Credited | None = None) -> EventRefused:
    with pytest.raises(EventRefused) as exc:
        credit_draft(inv, event, credited)
    return exc.value


def lines_scope(*items: dict[str, Any], shipping: bool = False) -> dict[str, Any]:
    return {"kind": "lines", "lines": list(items), "shipping": shipping}


def totals(doc: Document) -> tuple[Decimal, Decimal, Decimal]:
    return doc.totals.tax_exclusive, doc.totals.tax_total, doc.totals.tax_inclusive


def test_the_invoice_used_here() -> None:
    inv = invoice()
    assert (inv.number, totals(inv)) == ("F-ABJ-000001", (D("66.00"), D("10.30"), D("76.30")))


# --- what is credited ----------------------------------------------------------------------------


def test_a_line_named_by_its_position() -> None:
    # Line 2 (SKU-2), one unit: 10.00 x 0.055 = 0.55 -> 10.55.
    cn = credit(invoice(), refund(scope=lines_scope({"line_no": 2, "quantity": "1"}), amount="10.55"))
    assert totals(cn) == (D("10.00"), D("0.55"), D("10.55"))
    assert [(c.sku, c.quantity) for c in cn.lines] == [("SKU-2", D(1))]


def test_the_first_line_by_position_is_the_first_line() -> None:
    # Line 1 (SKU-1), one unit: 12.00 x 0.20 = 2.40 -> 14.40.
    cn = credit(invoice(), refund(scope=lines_scope({"line_no": 1, "quantity": "1"}), amount="14.40"))
    assert [(c.sku, c.quantity) for c in cn.lines] == [("SKU-1", D(1))]


def test_a_position_past_the_goods_is_refused() -> None:
    # Two lines of goods (shipping is not a numbered line of the order): line 3 does not exist.
    e = refused(invoice(), refund(scope=lines_scope({"line_no": 3, "quantity": "1"}), amount="12.00"))
    assert (e.code, e.reason) == ("refund_line_unknown", "invoice F-ABJ-000001 has 2 lines, not 3")


def test_an_unknown_sku_is_refused() -> None:
    e = refused(invoice(), refund(scope=lines_scope({"sku": "NOPE", "quantity": "1"}), amount="12.00"))
    assert (e.code, e.reason) == ("refund_line_unknown", "invoice F-ABJ-000001 has no line with sku NOPE")


def test_a_sku_on_two_lines_is_ambiguous() -> None:
    inv = invoice([ln("SKU-1", "1", "12.00"), ln("SKU-1", "1", "15.00")], shipping=None)
    e = refused(inv, refund(scope=lines_scope({"sku": "SKU-1", "quantity": "1"}), amount="14.40"))
    assert (e.code, e.reason) == (
        "refund_line_ambiguous",
        "sku SKU-1 is on lines 1, 2 of invoice F-ABJ-000001: use line_no",
    )


def test_the_same_line_named_twice_adds_up() -> None:
    # SKU-1 by sku (1) and by position (1): 2 units, 24.00 x 0.20 = 4.80 -> 28.80.
    scope = lines_scope({"sku": "SKU-1", "quantity": "1"}, {"line_no": 1, "quantity": "1"})
    cn = credit(invoice(), refund(scope=scope, amount="28.80"))
    assert [(c.sku, c.quantity) for c in cn.lines] == [("SKU-1", D(2))]
    assert totals(cn) == (D("24.00"), D("4.80"), D("28.80"))


def test_shipping_alone() -> None:
    # The shipping line: 10.00 at 20 % -> 12.00.
    cn = credit(invoice(), refund(scope={"kind": "shipping"}, amount="12.00"))
    assert [(c.sku, c.quantity) for c in cn.lines] == [("SHIPPING", D(1))]
    assert totals(cn) == (D("10.00"), D("2.00"), D("12.00"))


def test_lines_with_their_shipping() -> None:
    # SKU-2 one unit (10.55) and the shipping (12.00): 22.55.
    scope = lines_scope({"sku": "SKU-2", "quantity": "1"}, shipping=True)
    cn = credit(invoice(), refund(scope=scope, amount="22.55"))
    assert [c.sku for c in cn.lines] == ["SKU-2", "SHIPPING"]
    assert totals(cn) == (D("20.00"), D("2.55"), D("22.55"))


def test_shipping_already_credited_is_refused() -> None:
    inv = invoice()
    done = Credited(lines={"3": Taken(D(1), D("10.00"), D("12.00"))})
    e = refused(inv, refund(scope={"kind": "shipping"}, amount="12.00"), done)
    assert (e.code, e.reason) == ("over_credit", "the shipping of invoice F-ABJ-000001 is already credited")


def test_shipping_refund_of_an_order_without_shipping_is_refused() -> None:
    e = refused(invoice(shipping=None), refund(scope={"kind": "shipping"}, amount="12.00"))
    assert (e.code, e.reason) == ("refund_line_unknown", "invoice F-ABJ-000001 has no shipping to refund")


def test_a_free_amount_with_its_description() -> None:
    # 6.00 VAT included at 20 %: net 6.00 / 1.2 = 5.00, VAT 1.00.
    scope = {"kind": "amount", "amounts": [{"vat_rate": "20", "amount": "6.00"}], "description": "Rayure"}
    cn = credit(invoice(), refund(scope=scope, amount="6.00"))
    assert [(c.description, c.vat_rate) for c in cn.lines] == [("Rayure", D("20"))]
    assert totals(cn) == (D("5.00"), D("1.00"), D("6.00"))


def test_more_than_the_line_is_refused_with_the_plans_reason() -> None:
    e = refused(invoice(), refund(scope=lines_scope({"sku": "SKU-1", "quantity": "4"}), amount="57.60"))
    assert (e.code, e.reason) == (
        "over_credit",
        "line 1 (SKU-1) of invoice F-ABJ-000001: 4 asked, 3 of 3 left to credit",
    )


def test_the_new_credit_state_is_returned() -> None:
    _, after = credit_draft(invoice(), refund(scope=lines_scope({"sku": "SKU-2", "quantity": "1"}), amount="10.55"))
    # One unit of line 2: net 10.00, gross 10.55.
    assert after.lines == {"2": Taken(D(1), D("10.00"), D("10.55"))}


# --- amounts: full refunds wait for the rest, partial ones must match --------------------------------


def test_a_full_refund_of_everything() -> None:
    cn = credit(invoice(), refund(amount="76.30"))
    assert totals(cn) == (D("66.00"), D("10.30"), D("76.30"))


def test_a_full_refund_short_of_the_total_waits() -> None:
    e = refused(invoice(), refund(amount="70.00"))
    assert isinstance(e, Waiting)
    assert (e.code, e.reason) == (
        "refund_amount_short",
        "full refund PSP-0001-R1 is 70.00 EUR but 76.30 remains on invoice F-ABJ-000001: "
        "waiting for the order's other refunds to make up the difference",
    )


def test_a_full_refund_over_the_total_is_refused() -> None:
    e = refused(invoice(), refund(amount="80.00"))
    assert isinstance(e, Rejected)
    assert (e.code, e.reason) == (
        "refund_amount",
        "refund PSP-0001-R1 is 80.00 EUR but the credit note for it comes to 76.30 (net 66.00 + VAT 10.30)",
    )


def test_a_partial_refund_short_of_its_lines_is_refused_not_waiting() -> None:
    # One unit of SKU-2 comes to 10.55: 10.00 refunded is wrong, not "more to come".
    e = refused(invoice(), refund(scope=lines_scope({"sku": "SKU-2", "quantity": "1"}), amount="10.00"))
    assert isinstance(e, Rejected)
    assert (e.code, e.reason) == (
        "refund_amount",
        "refund PSP-0001-R1 is 10.00 EUR but the credit note for it comes to 10.55 (net 10.00 + VAT 0.55)",
    )


# --- the refund payment ----------------------------------------------------------------------------


def test_a_cancellation_after_the_invoice_needs_the_refund() -> None:
    e = refused(invoice(), cancellation())
    assert (e.code, e.reason) == (
        "refund_payment_missing",
        "invoice F-ABJ-000001 is issued: a cancellation now is a credit note, which needs the refund payment",
    )


def test_refund_payment_states() -> None:
    inv = invoice()
    e = refused(inv, refund(amount="76.30", status="pending"))
    assert isinstance(e, Waiting)
    assert (e.code, e.reason) == ("refund_not_executed", "refund PSP-0001-R1 is pending")
    e = refused(inv, refund(amount="76.30", status="failed"))
    assert isinstance(e, Rejected)
    assert (e.code, e.reason) == ("refund_not_executed", "refund PSP-0001-R1 is failed")
    ev = refund(amount="76.30")
    ev["payment"]["captured_at"] = None
    e = refused(inv, ev)
    assert (e.code, e.reason) == ("refund_payment_invalid", "refund PSP-0001-R1 has no captured_at")
    ev = refund(amount="76.30")
    ev["payment"]["currency"] = "USD"
    e = refused(inv, ev)
    assert (e.code, e.reason) == ("payment_currency", "refund in USD for an invoice in EUR")


def test_another_sellers_invoice_is_refused_with_both_sellers() -> None:
    inv = invoice(seller_id="outillage-pro")
    e = refused(inv, refund(amount="76.30"))
    assert (e.code, e.reason) == ("seller_mismatch", "event for seller atelier-bois, invoice of outillage-pro")


def test_the_mandate_is_checked_for_credit_notes_too() -> None:
    inv = invoice()
    ev = OrderRefunded.model_validate(refund(amount="76.30"))
    with pytest.raises(Rejected) as exc:
        draft_credit_note(ev, inv, Credited(), seller("atelier-bois", mandate=None), MARKETPLACE, TODAY)
    assert exc.value.code == "mandate_missing"


def test_a_bad_credit_note_series_is_refused() -> None:
    inv = invoice()
    ev = OrderRefunded.model_validate(refund(amount="76.30"))
    bad = seller("atelier-bois").model_copy(update={"credit_note_series": "A {code} {seq:06}"})
    with pytest.raises(Rejected) as exc:
        draft_credit_note(ev, inv, Credited(), bad, MARKETPLACE, TODAY)
    assert exc.value.code == "number_format"


# --- the document --------------------------------------------------------------------------------


def test_mentions_of_a_credit_note_in_order_and_word_for_word() -> None:
    inv = invoice()
    ev = refund(amount="76.30")
    ev["payment"]["captured_at"] = "2026-11-20T23:30:00+00:00"  # 00:30 on the 21st in Paris
    ev["payment"]["method"] = "paypal"
    cn = credit(inv, ev)
    assert [(m.code, m.text) for m in cn.mentions] == [
        (
            "mandate_credit",
            "Avoir émis par Brico Market SAS au nom et pour le compte de Atelier Bois & Jardin SARL "
            "(mandat de facturation).",
        ),
        ("corrects", "Avoir se rapportant à la facture n° F-ABJ-000001 du 20/11/2026."),
        ("category_goods", "Catégorie de l'opération : livraison de biens"),
        (
            "late_penalty",
            "Pénalités de retard : taux d'intérêt appliqué par la BCE à son opération de refinancement "
            "la plus récente majoré de 10 points (art. L441-10 du Code de commerce).",
        ),
        (
            "recovery_indemnity",
            "Indemnité forfaitaire pour frais de recouvrement en cas de retard de paiement : 40 € "
            "(art. D441-5 du Code de commerce).",
        ),
        ("no_discount", "Escompte pour paiement anticipé : néant."),
        ("buyer_siren", "SIREN de l'acheteur : 443061841"),
        ("refunded", "Avoir remboursé le 21/11/2026 par PayPal (transaction PSP-0001-R1)."),
    ]
    assert [m.note_subject for m in cn.mentions if m.note_subject] == ["PMD", "PMT", "AAB"]


def test_an_exempt_invoices_credit_note_repeats_the_exemption_last() -> None:
    # Intra-EU supply (CGI 262 ter I): both VAT ids kept, the exemption reference printed after the refund.
    inv = invoice([ln("SKU-1", "3", "12.00")], shipping=None, buyer=DE_COMPANY)
    cn = credit(inv, refund(amount="36.00"))
    codes = [m.code for m in cn.mentions]
    assert codes == [
        "mandate_credit",
        "corrects",
        "seller_vat",
        "buyer_vat",
        "category_goods",
        "late_penalty",
        "recovery_indemnity",
        "no_discount",
        "refunded",
        "exemption",
    ]
    assert cn.mentions[-1].text == "Exonération de TVA, art. 262 ter I du CGI"


def test_fields_of_a_credit_note() -> None:
    nantes = {"line1": "1 quai de la Fosse", "postcode": "44000", "city": "Nantes", "country": "FR"}
    inv = invoice(delivery_address=nantes)
    d, _ = credit_draft(inv, refund(amount="76.30"))
    assert (d.kind, d.seller_id, d.series, d.series_format, d.seller_code, d.timezone) == (
        "credit_note",
        "atelier-bois",
        "A",
        "A-{code}-{seq:06}",
        "ABJ",
        "Europe/Paris",
    )
    assert (d.idempotency_key, d.order_key, d.corrects_id) == (
        "bricomarket-fr:CMD-0001:refund:R1",
        "bricomarket-fr:CMD-0001",
        inv.id,
    )
    cn = d.finalize(1, NOW, "0" * 64)
    assert (cn.number, cn.kind, cn.type_code) == ("A-ABJ-000001", "credit_note", "381")  # UNTDID 1001: 381
    assert (cn.currency, cn.language, cn.country) == ("EUR", "fr", "FR")
    assert cn.seller_id == "atelier-bois"
    assert cn.seller == seller_snapshot(seller("atelier-bois"))
    assert cn.buyer == inv.buyer
    assert (cn.issuer.name, cn.issuer.siren) == ("Brico Market SAS", "732829320")
    assert (cn.marketplace_id, cn.order_id, cn.purchase_order) == ("bricomarket-fr", "CMD-0001", "BC-2026-118")
    assert (cn.event_id, cn.idempotency_key) == ("evt-0001-refund-R1", "bricomarket-fr:CMD-0001:refund:R1")
    assert (cn.delivery_date, cn.delivery_address) == (date(2026, 11, 19), Address(**nantes))
    assert (cn.operation_category, cn.business_case) == ("B1", "B2B")
    assert cn.corrects == CorrectedInvoice(number="F-ABJ-000001", issue_date=date(2026, 11, 20))
    assert cn.payment_terms == "Avoir remboursé"
    p = cn.payment
    assert (p.provider, p.transaction_id, p.method, p.amount) == ("adyen", "PSP-0001-R1", "card", D("76.30"))
    assert p.paid_at.isoformat() == "2026-11-20T09:01:00+01:00"
    assert (cn.reason, cn.trace[0]) == ("Retour client", "credit note for the refund R1 (full) of invoice F-ABJ-000001")


def test_reasons_by_default() -> None:
    inv = invoice()
    ev = refund(scope=lines_scope({"sku": "SKU-2", "quantity": "1"}), amount="10.55")
    ev["reason"] = None
    cn = credit(inv, ev)
    assert (cn.reason, cn.trace[0]) == (
        "Remboursement",
        "credit note for the refund R1 (lines) of invoice F-ABJ-000001",
    )
    cancel = cancellation(amount="76.30")
    cancel["reason"] = None
    cn = credit(inv, cancel)
    assert (cn.reason, cn.trace[0]) == (
        "Annulation de la commande",
        "credit note for the cancellation of invoice F-ABJ-000001",
    )
    assert totals(cn) == (D("66.00"), D("10.30"), D("76.30"))  # a cancellation credits everything left


def test_a_consumer_credit_note_has_no_payment_terms_and_keeps_the_insurance() -> None:
    consumer = {
        "kind": "consumer",
        "name": "Camille Lefèvre",
        "address": {"line1": "8 rue de l'Église", "postcode": "35000", "city": "Rennes", "country": "FR"},
    }
    inv = invoice([ln("SKU-1", "1", "100.00")], shipping=None, buyer=consumer, seller_id="thermoconfort")
    # 100.00 at 20 %: 120.00.
    ev = OrderRefunded.model_validate(refund(amount="120.00", seller_id="thermoconfort"))
    d, _ = draft_credit_note(ev, inv, Credited(), seller("thermoconfort"), MARKETPLACE, TODAY)
    cn = d.finalize(1, NOW, "0" * 64)
    assert cn.payment_terms is None
    assert cn.seller_insurance == Insurance(
        insurer="MAAF Pro", policy="DEC-778-2026", coverage="décennale, France métropolitaine"
    )


def test_credit_note_series_checked_with_the_sellers_own_code() -> None:
    # "AVOIR-2026-LYON1-" (17) + "ABCDEFGHIJ" (10) + "-" + "000001" (6) = 34: fits; with "AVOIRS-2026-LYON1-"
    # (18) it is 35: fits; "AVOIRS-2026-LYON01-" (19) gives 36 > 35 (BR-FR-01): refused before issuing.
    inv = invoice()
    ev = OrderRefunded.model_validate(refund(amount="76.30"))
    fmt = "AVOIRS-2026-LYON01-{code}-{seq:06}"
    long_code = seller("atelier-bois").model_copy(update={"code": "ABCDEFGHIJ", "credit_note_series": fmt})
    with pytest.raises(Rejected) as exc:
        draft_credit_note(ev, inv, Credited(), long_code, MARKETPLACE, TODAY)
    assert exc.value.code == "number_format"
