"""From a sale event to a document draft: everything but the number, the issue time and the chain link.

The draft is computed outside the numbering transaction (it is pure and may be
slow-ish); ``finalize`` is what runs inside it, and it only stamps.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from mandat.countries.base import Mention as CountryMention
from mandat.countries.fr import valid_number
from mandat.domain.calculation import compute
from mandat.domain.documents import STAMPED, TYPE_CODES, Document, IssuerSnapshot, Mention, PartySnapshot, PaymentInfo
from mandat.domain.events import OrderPaid
from mandat.domain.parties import Marketplace, Seller
from mandat.rules.errors import Rejected
from mandat.rules.invoice import check_mandate, check_payment_amount, check_payment_status, decide

METHODS_FR = {
    "card": "carte bancaire",
    "transfer": "virement",
    "paypal": "PayPal",
    "wallet": "portefeuille",
    "other": "autre moyen",
}


@dataclass(frozen=True)
class Draft:
    kind: str
    seller_id: str
    series: str
    series_format: str
    seller_code: str
    idempotency_key: str
    timezone: str
    fields: dict[str, Any]
    order_key: str = ""  # marketplace:order, the orders ledger's key
    corrects_id: str | None = None  # credit notes: the invoice's document id

    def number_for(self, seq: int) -> str:
        return format_number(self.series_format, self.seller_code, seq)

    @property
    def due_on_issue(self) -> bool:
        # Paid at order: for business buyers the due date is the issue date, and nothing remains due.
        return self.fields.get("business_case") in ("B2B", "B2BINT")

    def number_parts(self) -> tuple[str, int, str]:
        """(before, width, after) so that number = before + zero-padded seq + after, for SQL."""
        marker = "\x00"
        head, sep, tail = self.series_format.partition("{seq")
        if not sep:
            raise ValueError(f"series format {self.series_format!r} has no {{seq}}")
        spec, _, after = tail.partition("}")
        width = int(spec[1:]) if spec.startswith(":0") else 0  # ":06" -> 6, ":0" -> 0
        before = head.format(code=self.seller_code)
        rest = after.format(code=self.seller_code)
        assert marker not in before + rest
        return before, width, rest

    def body(self, doc_id: str) -> tuple[dict[str, Any], str]:
        """The record without its stamped fields, and its body hash (what PostgreSQL completes)."""
        epoch = datetime(1970, 1, 1, tzinfo=UTC)
        probe = Document(
            id=doc_id,
            number="",
            series=self.series,
            seq=0,
            issued_at=epoch,
            issue_date=epoch.date(),
            prev_hash="",
            hash="",
            **self.fields,
        )
        return probe.model_dump(mode="json", exclude=STAMPED), probe.body_hash()

    def finalize(self, seq: int, issued_at: datetime, prev_hash: str, doc_id: str | None = None) -> Document:
        issue_date = issued_at.astimezone(ZoneInfo(self.timezone)).date()
        fields = dict(self.fields)
        if self.due_on_issue:
            fields["due_date"] = issue_date
        doc = Document(
            id=doc_id or str(uuid.uuid4()),
            number=self.number_for(seq),
            series=self.series,
            seq=seq,
            issued_at=issued_at,
            issue_date=issue_date,
            prev_hash=prev_hash,
            hash="",
            **fields,
        )
        return doc.model_copy(update={"hash": doc.compute_hash()})


def format_number(fmt: str, code: str, seq: int) -> str:
    number = fmt.format(code=code, seq=seq)
    if not valid_number(number):
        raise Rejected("number_format", f"number {number!r} breaks BR-FR-01/02 (35 chars of A-Z a-z 0-9 + - _ /)")
    return number


def series_name(fmt: str) -> str:
    """The series is identified by its format's fixed prefix, e.g. 'F' for 'F-{code}-{seq:06}'."""
    return fmt.split("-", 1)[0] if "-" in fmt else fmt.split("{", 1)[0] or "F"


def seller_snapshot(seller: Seller) -> PartySnapshot:
    registry = f"{seller.registry} {seller.rcs_city}" if seller.rcs_city else None
    return PartySnapshot(
        name=seller.legal_name,
        trade_name=seller.trade_name,
        address=seller.address,
        vat_id=seller.vat_id,
        siren=seller.siren,
        siret=seller.siret,
        email=seller.email,
        legal_form=seller.legal_form,
        share_capital=seller.share_capital,
        registry=registry,
        is_business=True,
    )


def issuer_snapshot(marketplace: Marketplace) -> IssuerSnapshot:
    return IssuerSnapshot(
        name=marketplace.legal_name,
        address=marketplace.address,
        siren=marketplace.siren,
        vat_id=marketplace.vat_id,
    )


def draft_invoice(event: OrderPaid, seller: Seller, marketplace: Marketplace, today: date) -> Draft:
    """Run every check and decision; raise Rejected/Waiting with a reason, or return the draft."""
    if event.seller_id != seller.id:
        raise Rejected("seller_mismatch", f"event for seller {event.seller_id} given seller {seller.id}")
    format_number(seller.invoice_series, seller.code, 1)  # a bad series format is refused before issuing
    check_mandate(seller, event)
    check_payment_status(event)
    decision = decide(event, seller, today)
    computed = compute(decision.lines, event.prices_include_vat, decision.exemptions)
    check_payment_amount(event, computed.totals.tax_inclusive)
    rules = decision.rules
    payment = event.payment
    assert payment.captured_at is not None
    paid_on = payment.captured_at.astimezone(ZoneInfo(rules.timezone)).date()
    mentions = [
        rules.mention("mandate", today, issuer=marketplace.legal_name, seller=seller.legal_name),
        *decision.mentions,
        rules.mention(
            "paid",
            today,
            date=paid_on.strftime("%d/%m/%Y"),
            method=METHODS_FR[payment.method],
            transaction=payment.transaction_id,
        ),
    ]
    # The exemption reference is printed as well as carried in the VAT breakdown (BT-120).
    mentions += [CountryMention("exemption", text) for text, _code in decision.exemptions.values()]
    buyer = event.buyer
    delivery_address = event.delivery.address
    if delivery_address == buyer.address:
        delivery_address = None
    fields: dict[str, Any] = {
        "kind": "invoice",
        "type_code": TYPE_CODES["invoice"],
        "currency": event.currency,
        "language": rules.language,
        "country": rules.country,
        "seller_id": seller.id,
        "seller": seller_snapshot(seller),
        "seller_insurance": seller.insurance,
        "buyer": PartySnapshot(
            name=buyer.name,
            address=buyer.address,
            vat_id=buyer.vat_id,
            siren=buyer.siren,
            email=buyer.email,
            is_business=buyer.kind == "business",
        ),
        "issuer": issuer_snapshot(marketplace),
        "marketplace_id": event.marketplace_id,
        "order_id": event.order_id,
        "purchase_order": buyer.purchase_order,
        "event_id": event.event_id,
        "idempotency_key": event.idempotency_key(),
        "delivery_date": event.delivery.date,
        "delivery_address": delivery_address,
        "operation_category": decision.operation_category,
        "business_case": decision.business_case,
        "lines": computed.lines,
        "vat_breakdown": computed.breakdown,
        "totals": computed.totals,
        "payment": PaymentInfo(
            provider=payment.provider,
            transaction_id=payment.transaction_id,
            method=payment.method,
            paid_at=payment.captured_at,
            amount=payment.amount,
        ),
        "payment_terms": "Payée à la commande" if buyer.kind == "business" else None,
        "mentions": [Mention(code=m.code, text=m.text, note_subject=m.note_subject) for m in mentions],
        "trace": decision.trace + computed.notes,
    }
    return Draft(
        kind="invoice",
        seller_id=seller.id,
        series=series_name(seller.invoice_series),
        series_format=seller.invoice_series,
        seller_code=seller.code,
        idempotency_key=event.idempotency_key(),
        timezone=rules.timezone,
        fields=fields,
        order_key=event.order_key(),
    )
