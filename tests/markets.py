"""Helpers for the country law tests (tests/law/test_<cc>_*.py): build an event for any seller,
issue it through the real rules, credit it, validate and read its files.

Expected figures stay in the tests, computed by hand from the law; nothing here computes them.
"""

from __future__ import annotations

import copy
import io
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from pypdf import PdfReader

from mandat.domain.credit import Credited
from mandat.domain.documents import Document
from mandat.domain.drafts import Draft
from mandat.domain.events import OrderPaid, OrderRefunded
from mandat.domain.exchange import Rate
from mandat.domain.parties import Marketplace, Seller
from mandat.domain.refusals import EventRefused
from mandat.render.cii import build_cii
from mandat.render.pdf.invoice import render_pdf
from mandat.render.validate import validate
from mandat.rules.credit_note import draft_credit_note
from mandat.rules.draft import draft_invoice, no_rates, price
from mandat.rules.invoice import no_counts

MARKETPLACE = Marketplace()
TODAY = date(2026, 11, 20)
NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
MANDATE = {"version": "2026-01", "accepted_at": "2026-01-05T09:00:00+00:00", "status": "active"}


def paid(
    seller: Seller,
    buyer: dict[str, Any],
    lines: list[dict[str, Any]],
    *,
    ref: str = "0001",
    currency: str | None = None,
    include_vat: bool = False,
    delivery: str = "2026-11-19",
    amount: str | None = None,
    counts: Any = no_counts,
    dispatch: dict[str, Any] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """An ``order.paid`` event for ``seller``; the payment amount is the rules' total unless given."""
    cur = currency or _currency(seller)
    event: dict[str, Any] = {
        "type": "order.paid",
        "event_id": f"evt-{seller.code}-{ref}",
        "marketplace_id": "bricomarket",
        "order_id": f"ORD-{seller.code}-{ref}",
        "seller_id": seller.id,
        "occurred_at": "2026-11-18T10:15:00+01:00",
        "currency": cur,
        "prices_include_vat": include_vat,
        "buyer": buyer,
        "lines": lines,
        "payment": {
            "provider": "adyen",
            "transaction_id": f"PSP-{seller.code}-{ref}",
            "amount": amount or "0",
            "currency": cur,
            "status": "captured",
            "captured_at": "2026-11-18T10:16:00+01:00",
            "method": "card",
        },
        "delivery": {"date": delivery, **(dispatch or {})},  # dispatched_from, consignment
        **extra,
    }
    if amount is None:
        priced = price(OrderPaid.model_validate(event), seller, MARKETPLACE, TODAY, counts=counts)
        event["payment"]["amount"] = str(priced.computed.totals.tax_inclusive)
    return event


def _currency(seller: Seller) -> str:
    from mandat.countries.registry import jurisdiction

    return jurisdiction(seller.address.country).currency


def issue(
    event: dict[str, Any], seller: Seller, rates: Any = no_rates, day: date = TODAY, counts: Any = no_counts
) -> Document:
    """The invoice the rules issue for ``event`` (number 1 of the series, at NOW)."""
    return drafted(event, seller, rates, day, counts).finalize(1, NOW, "0" * 64)


def drafted(
    event: dict[str, Any], seller: Seller, rates: Any = no_rates, day: date = TODAY, counts: Any = no_counts
) -> Draft:
    """The draft of ``event`` (its tally, series owner...), before a number."""
    return draft_invoice(OrderPaid.model_validate(event), seller, MARKETPLACE, day, rates, counts)


def refused(
    event: dict[str, Any], seller: Seller, code: str, rates: Any = no_rates, counts: Any = no_counts
) -> EventRefused:
    """The refusal (Rejected or Waiting) of ``event``, checked to carry ``code``."""
    ev = OrderPaid.model_validate(event)
    with pytest.raises(EventRefused) as exc:
        draft_invoice(ev, seller, MARKETPLACE, TODAY, rates, counts)
    assert exc.value.code == code, exc.value
    return exc.value


def refund(
    invoice: Document, amount: Decimal | str, scope: dict[str, Any] | None = None, ref: str = "R1"
) -> dict[str, Any]:
    """An ``order.refunded`` event for ``invoice`` (the whole invoice unless ``scope``)."""
    return {
        "type": "order.refunded",
        "event_id": f"evt-{invoice.order_id}-{ref}",
        "marketplace_id": invoice.marketplace_id,
        "order_id": invoice.order_id,
        "seller_id": invoice.seller_id,
        "occurred_at": "2026-11-19T10:00:00+01:00",
        "refund_id": ref,
        "refund": scope or {"kind": "full"},
        "payment": {
            "provider": "adyen",
            "transaction_id": f"RF-{ref}",
            "amount": str(amount),
            "currency": invoice.currency,
            "status": "refunded",
            "captured_at": "2026-11-19T10:01:00+01:00",
            "method": "card",
        },
    }


def credit(invoice: Document, event: dict[str, Any], seller: Seller) -> Document:
    ev = OrderRefunded.model_validate(event)
    d, _ = draft_credit_note(ev, invoice, Credited(), seller, MARKETPLACE, TODAY)
    return d.finalize(1, NOW, "0" * 64)


def schematron_errors(doc: Document) -> list[str]:
    """EN 16931 1.3.16 (and BR-FR for French B2B) findings of the document's CII: [] when valid."""
    report = validate(build_cii(doc))
    return [f"{f.id}: {f.text}" for f in report.errors]


def pdf_text(doc: Document) -> str:
    pdf = render_pdf(doc, build_cii(doc))
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    return " ".join(text.split())


def fixed_rates(*rates: Rate) -> Any:
    """A RateLookup over the given rates (newest on or before the day asked)."""

    def find(source: str, base: str, quote: str, latest_day: date) -> Rate | None:
        found = [r for r in rates if (r.source, r.base, r.quote) == (source, base, quote) and r.day <= latest_day]
        return max(found, key=lambda r: r.day) if found else None

    return find


def seller_from(data: dict[str, Any]) -> Seller:
    """A seller from a dict, with the test mandate unless given."""
    return Seller.model_validate({"mandate": MANDATE, **copy.deepcopy(data)})
