"""Credit notes (avoirs) for ``order.refunded`` and ``order.cancelled`` events.

An issued invoice is never edited: a refund becomes a credit note of the same
seller, in its own continuous series (``Seller.credit_note_series``), that names
the invoice it corrects (number and date, BT-25/BT-26) and carries type code 381.

Rules applied (CGI art. 272-1 and 289-I; BOI-TVA-DECLA-30-20-20; rules reference
"credit notes"):

* the credit note repeats the invoice's mandatory mentions where they still
  apply: exemption references, operation category, home-works certification and
  insurance, B2B payment mentions, buyer identifiers; the "paid" mention becomes
  the refund's; the mandate statement is the credit note's own;
* the buyer is the invoice's buyer (a correction cannot change who was
  invoiced); the seller and the issuer are snapshotted now, as for invoices;
* its amounts come from :mod:`mandat.domain.credit`, which never credits more
  than remains and ends every line and rate at exactly zero;
* the refund must be executed (``payment.status = refunded``) and its amount
  must equal the credit note's total: a mismatch is rejected with both figures,
  never adjusted silently.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from mandat.countries.base import Mention as CountryMention
from mandat.countries.registry import jurisdiction
from mandat.domain.credit import Credited, CreditError, CreditRequest, plan_credit
from mandat.domain.documents import (
    TYPE_CODES,
    CorrectedInvoice,
    Document,
    Exchange,
    Mention,
    PaymentInfo,
    VatBreakdown,
)
from mandat.domain.drafts import Draft, format_number
from mandat.domain.events import (
    AmountRefund,
    FullRefund,
    LinesRefund,
    OrderCancelled,
    OrderRefunded,
    RefundPayment,
    ShippingRefund,
)
from mandat.domain.exchange import Rate, exchange_for
from mandat.domain.parties import Marketplace, Seller
from mandat.domain.refusals import Rejected, Waiting
from mandat.rules.deemed import marketplace_as_seller
from mandat.rules.draft import issuer_snapshot, seller_snapshot, series_name
from mandat.rules.invoice import check_mandate, rules_for_seller
from mandat.rules.wording import word

SHIPPING_SKU = "SHIPPING"
# Mentions of the invoice that the credit note replaces with its own.
REPLACED = {"mandate", "paid", "exemption"}


def credit_request(event: OrderRefunded | OrderCancelled, invoice: Document, credited: Credited) -> CreditRequest:
    """Translate the event's scope into invoice line ids, quantities and free amounts."""
    if isinstance(event, OrderCancelled):
        return CreditRequest(full=True)
    scope = event.refund
    if isinstance(scope, FullRefund):
        return CreditRequest(full=True)
    if isinstance(scope, AmountRefund):
        return CreditRequest(
            amounts=[(a.vat_rate, a.amount) for a in scope.amounts],
            amount_description=scope.description or word("goodwill", invoice.language),
        )
    wanted: dict[str, Any] = {}
    goods = [ln for ln in invoice.lines if ln.sku != SHIPPING_SKU]
    if isinstance(scope, LinesRefund):
        for item in scope.lines:
            if item.line_no is not None:
                if item.line_no > len(goods):
                    raise Rejected(
                        "refund_line_unknown", f"invoice {invoice.number} has {len(goods)} lines, not {item.line_no}"
                    )
                line_id = goods[item.line_no - 1].id
            else:
                matches = [ln.id for ln in goods if ln.sku == item.sku]
                if not matches:
                    raise Rejected("refund_line_unknown", f"invoice {invoice.number} has no line with sku {item.sku}")
                if len(matches) > 1:
                    raise Rejected(
                        "refund_line_ambiguous",
                        f"sku {item.sku} is on lines {', '.join(matches)} of invoice {invoice.number}: use line_no",
                    )
                line_id = matches[0]
            wanted[line_id] = wanted.get(line_id, 0) + item.quantity
    if isinstance(scope, ShippingRefund) or (isinstance(scope, LinesRefund) and scope.shipping):
        shipping = [ln for ln in invoice.lines if ln.sku == SHIPPING_SKU]
        if not shipping:
            raise Rejected("refund_line_unknown", f"invoice {invoice.number} has no shipping to refund")
        for ln in shipping:
            left = ln.quantity - credited.lines[ln.id].quantity if ln.id in credited.lines else ln.quantity
            if left <= 0:
                raise Rejected("over_credit", f"the shipping of invoice {invoice.number} is already credited")
            wanted[ln.id] = left
    return CreditRequest(lines=wanted)


def check_refund_payment(payment: RefundPayment | None, invoice: Document) -> RefundPayment:
    if payment is None:
        raise Rejected(
            "refund_payment_missing",
            f"invoice {invoice.number} is issued: a cancellation now is a credit note, which needs the refund payment",
        )
    if payment.status == "pending":
        raise Waiting("refund_not_executed", f"refund {payment.transaction_id} is pending")
    if payment.status != "refunded":
        raise Rejected("refund_not_executed", f"refund {payment.transaction_id} is {payment.status}")
    if payment.captured_at is None:
        raise Rejected("refund_payment_invalid", f"refund {payment.transaction_id} has no captured_at")
    if payment.currency != invoice.currency:
        raise Rejected("payment_currency", f"refund in {payment.currency} for an invoice in {invoice.currency}")
    return payment


def draft_credit_note(
    event: OrderRefunded | OrderCancelled,
    invoice: Document,
    credited: Credited,
    seller: Seller,
    marketplace: Marketplace,
    today: date,
) -> tuple[Draft, Credited]:
    """Every check and the arithmetic; the draft and the invoice's credit state once it is issued."""
    if event.seller_id != seller.id or invoice.seller_id != seller.id:
        raise Rejected("seller_mismatch", f"event for seller {event.seller_id}, invoice of {invoice.seller_id}")
    # The invoice's rules and supplier: the marketplace's own for its deemed supplies (rules/deemed.py).
    deemed = invoice.deemed_supply
    supplier = marketplace_as_seller(marketplace, invoice.scheme == "uk_omp") if deemed else seller
    rules = jurisdiction(invoice.country) if deemed else rules_for_seller(seller)
    if invoice.country != rules.code:
        # Issued under another state's rules (deemed supplier, a supply where the seller is registered): the
        # correction follows them, with the id the invoice was issued under.
        rules = jurisdiction(invoice.country)
        if deemed is None:
            supplier = seller.model_copy(update={"vat_id": invoice.seller.vat_id})
    format_number(supplier.credit_note_series, supplier.code, 1, rules.number_syntax)
    if deemed is None:
        check_mandate(seller, event)
    payment = check_refund_payment(event.payment, invoice)
    request = credit_request(event, invoice, credited)
    try:
        plan = plan_credit(invoice, credited, request)
    except CreditError as exc:
        raise Rejected(exc.code, exc.reason) from exc
    if request.full and payment.amount < plan.totals.tax_inclusive:
        # "Everything that remains" is more than the marketplace refunded: the difference is most
        # likely another refund of this order not received yet. Wait for it (woken when any refund of
        # the order is decided) rather than reject, so delivery order cannot change the outcome.
        raise Waiting(
            "refund_amount_short",
            f"full refund {payment.transaction_id} is {payment.amount} {payment.currency} but "
            f"{plan.totals.tax_inclusive} remains on invoice {invoice.number}: waiting for the order's other "
            "refunds to make up the difference",
        )
    if payment.amount != plan.totals.tax_inclusive:
        raise Rejected(
            "refund_amount",
            f"refund {payment.transaction_id} is {payment.amount} {payment.currency} but the credit note for it "
            f"comes to {plan.totals.tax_inclusive} (net {plan.totals.tax_exclusive} + VAT {plan.totals.tax_total})",
        )
    assert payment.captured_at is not None
    refunded_on = payment.captured_at.astimezone(ZoneInfo(rules.timezone)).date()
    # The credit note speaks the invoice's languages: its mentions correct the invoice's.
    lang = invoice.mention_language or invoice.language
    mandate = (
        []
        if deemed
        else [rules.mention("mandate_credit", today, lang, issuer=marketplace.legal_name, seller=seller.legal_name)]
    )
    mentions: list[Mention | CountryMention] = [
        *mandate,
        rules.mention("corrects", today, lang, number=invoice.number, date=rules.mention_date(invoice.issue_date)),
        *[m for m in invoice.mentions if m.code not in REPLACED],
        rules.mention(
            "refunded",
            today,
            lang,
            date=rules.mention_date(refunded_on),
            method=word(payment.method, lang),
            transaction=payment.transaction_id,
        ),
        *[m for m in invoice.mentions if m.code == "exemption"],
    ]
    if isinstance(event, OrderCancelled):
        reason, what = event.reason or word("cancellation", invoice.language), "cancellation"
    else:
        reason, what = (
            event.reason or word("refund", invoice.language),
            f"refund {event.refund_id} ({event.refund.kind})",
        )
    fields: dict[str, Any] = {
        "kind": "credit_note",
        "type_code": TYPE_CODES["credit_note"],
        "currency": invoice.currency,
        "language": invoice.language,
        "country": invoice.country,
        "seller_id": seller.id,
        "seller": seller_snapshot(supplier, lang),
        "seller_insurance": invoice.seller_insurance,
        "buyer": invoice.buyer,
        "issuer": issuer_snapshot(marketplace),
        "marketplace_id": invoice.marketplace_id,
        "order_id": invoice.order_id,
        "purchase_order": invoice.purchase_order,
        "event_id": event.event_id,
        "idempotency_key": event.idempotency_key(),
        "delivery_date": invoice.delivery_date,
        "delivery_address": invoice.delivery_address,
        "operation_category": invoice.operation_category,
        "business_case": invoice.business_case,
        "lines": plan.lines,
        "vat_breakdown": plan.breakdown,
        "totals": plan.totals,
        "payment": PaymentInfo(
            provider=payment.provider,
            transaction_id=payment.transaction_id,
            method=payment.method,
            paid_at=payment.captured_at,
            amount=payment.amount,
        ),
        "payment_terms": word("credit_refunded", invoice.language) if invoice.buyer.is_business else None,
        "mentions": [Mention(code=m.code, text=m.text, note_subject=m.note_subject) for m in mentions],
        "corrects": CorrectedInvoice(number=invoice.number, issue_date=invoice.issue_date),
        "reason": reason,
        "trace": [f"credit note for the {what} of invoice {invoice.number}", *plan.notes],
        "legal_channel": rules.credit_note_channel(invoice.legal_channel, today),
        "mention_language": invoice.mention_language,
        "exchange": credit_exchange(invoice, plan.breakdown),
        # A refund keeps the invoice's treatment: its country's VAT, its scheme, its supplier (the credit note
        # does not lower the seller's distance-sales count: rules/distance.py).
        "taxed_in": invoice.taxed_in,
        "scheme": invoice.scheme,
        "series_owner": invoice.series_owner,
        "deemed_supply": None if deemed is None else deemed.model_copy(update={"value": plan.totals.tax_exclusive}),
        # issue 15: a correction is due in the formats its invoice was (an invoice recorded before formats
        # were: none recorded, and render.formats derives them from the channel as for that invoice),
        # and in what the correction's own day adds: a correction issued once VERI*FACTU applies is
        # recorded even when its invoice was not (the Spanish pack's credit_note_channel).
        "formats": credit_note_formats(invoice, rules.credit_note_channel(invoice.legal_channel, today)),
    }
    draft = Draft(
        kind="credit_note",
        seller_id=seller.id,
        series=series_name(supplier.credit_note_series),
        series_format=supplier.credit_note_series,
        seller_code=supplier.code,
        idempotency_key=event.idempotency_key(),
        timezone=rules.timezone,
        fields=fields,
        order_key=event.order_key(),
        corrects_id=invoice.id,
        number_syntax=rules.number_syntax,
        series_owner=invoice.series_owner or "",
    )
    return draft, plan.credited


def credit_exchange(invoice: Document, breakdown: list[VatBreakdown]) -> Exchange | None:
    """A credit note states its VAT in national currency at its invoice's rate: it corrects the
    invoice's VAT, converted as that VAT was (conservative reading of art. 90 with art. 91)."""
    if invoice.exchange is None:
        return None
    ex = invoice.exchange
    # The invoice's rate as recorded, printed with the invoice's source words.
    rate = Rate("event", invoice.currency, ex.tax_currency, ex.rate, ex.day, ex.reference, label=ex.source)
    return exchange_for(breakdown, rate, ex.tax_currency)


def credit_note_formats(invoice: Document, channel: str | None) -> list[str]:
    """The invoice's recorded formats, plus the VERI*FACTU record when the correction's channel is it."""
    out = list(invoice.formats)
    if out and channel == "VERI*FACTU" and "verifactu" not in out:
        out.append("verifactu")
    return out
