"""Builders of realistic sale events and sellers for tests."""

from __future__ import annotations

import copy
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from mandat.demo.sellers import demo_sellers
from mandat.domain.calculation import compute
from mandat.domain.events import OrderPaid
from mandat.domain.parties import Marketplace, Seller
from mandat.rules.invoice import decide

SELLERS = {s.id: s for s in demo_sellers()}
MARKETPLACE = Marketplace()
TODAY = date(2026, 11, 20)
# The facts a French works rate needs (CGI 279-0 bis: a dwelling completed more than two years before,
# certified by the client), added to orders with a works line unless a test passes ``works=None``.
FR_WORKS: dict[str, Any] = {
    "dwelling": True,
    "completed_on": "2001-06-30",
    "client_statement": {"accepted_at": "2026-11-18T10:14:00+01:00", "text_id": "fr-attestation-2025"},
}
WORKS_KEYS = {"home_renovation", "energy_renovation"}


def seller(seller_id: str = "atelier-bois", **changes: Any) -> Seller:
    base = SELLERS[seller_id]
    return base.model_copy(update=changes) if changes else base


def order(
    seller_id: str = "atelier-bois",
    *,
    ref: str = "0001",
    buyer: dict[str, Any] | None = None,
    lines: list[dict[str, Any]] | None = None,
    include_vat: bool = True,
    shipping: str | None = None,
    delivery_address: dict[str, str] | None = None,
    payment: dict[str, Any] | None = None,
    fix_amount: bool = True,
    **extra: Any,
) -> dict[str, Any]:
    """An order.paid event as a dict, with a payment amount that matches unless told otherwise."""
    event: dict[str, Any] = {
        "type": "order.paid",
        "event_id": f"evt-{ref}",
        "marketplace_id": "bricomarket-fr",
        "order_id": f"CMD-{ref}",
        "seller_id": seller_id,
        "occurred_at": "2026-11-18T10:15:00+01:00",
        "currency": "EUR",
        "prices_include_vat": include_vat,
        "buyer": buyer
        or {
            "kind": "consumer",
            "name": "Camille Lefèvre",
            "address": {"line1": "8 rue de l'Église", "postcode": "35000", "city": "Rennes", "country": "FR"},
            "email": "camille@example.org",
        },
        "lines": lines
        or [
            {
                "sku": "ABJ-COMPOST-40",
                "description": "Terreau universel 40 L",
                "quantity": "3",
                "unit_price": "8.90",
                "tax_category": "standard",
            },
            {
                "sku": "ABJ-BUCHE-1ST",
                "description": "Bûches de chêne sec, 1 stère",
                "quantity": "1",
                "unit_price": "119.00",
                "tax_category": "intermediate",
            },
        ],
        "payment": {
            "provider": "adyen",
            "transaction_id": f"PSP-{ref}",
            "amount": "0",
            "currency": "EUR",
            "status": "captured",
            "captured_at": "2026-11-18T10:16:00+01:00",
            "method": "card",
        },
        "delivery": {"date": "2026-11-19"},
        **extra,
    }
    if "works" in event and event["works"] is None:
        del event["works"]
    elif "works" not in event and any(ln.get("tax_category") in WORKS_KEYS for ln in event["lines"]):
        event["works"] = copy.deepcopy(FR_WORKS)
    if shipping:
        event["shipping"] = {"amount": shipping}
    if delivery_address:
        event["delivery"]["address"] = delivery_address
    if payment:
        event["payment"].update(payment)
    if fix_amount:
        event["payment"]["amount"] = str(total_of(event))
    return event


def total_of(event: dict[str, Any]) -> Decimal:
    data = copy.deepcopy(event)
    data["payment"]["amount"] = "0"
    ev = OrderPaid.model_validate(data)
    s = SELLERS.get(ev.seller_id) or seller()
    d = decide(ev, s, TODAY)
    return compute(d.lines, ev.prices_include_vat, d.exemptions).totals.tax_inclusive


FR_COMPANY = {
    "kind": "business",
    "name": "Menuiserie Girard SARL",
    "address": {"line1": "14 avenue de la Gare", "postcode": "69003", "city": "Lyon", "country": "FR"},
    "email": "compta@girard.example",
    "vat_id": "FR64443061841",
    "siren": "443061841",
    "purchase_order": "BC-2026-118",
}
DE_COMPANY = {
    "kind": "business",
    "name": "Baumarkt Schneider GmbH",
    "address": {"line1": "Friedrichstraße 120", "postcode": "10115", "city": "Berlin", "country": "DE"},
    "email": "einkauf@schneider.example",
    "vat_id": "DE136695976",
}
NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)

# A heat pump supplied and installed: energy-renovation rate, goods and services (operation M1).
HEAT_PUMP_LINES: list[dict[str, Any]] = [
    {
        "sku": "TCI-PAC-AE8",
        "description": "Pompe à chaleur air/eau 8 kW",
        "quantity": "1",
        "unit_price": "7490",
        "tax_category": "energy_renovation",
    },
    {
        "sku": "TCI-POSE-PAC",
        "description": "Pose et mise en service",
        "quantity": "1",
        "unit_price": "1890",
        "nature": "service",
        "tax_category": "energy_renovation",
    },
]


def refund(
    ref: str = "0001",
    *,
    refund_id: str = "R1",
    scope: dict[str, Any] | None = None,
    amount: Decimal | str = "0",
    status: str = "refunded",
    seller_id: str = "atelier-bois",
    **extra: Any,
) -> dict[str, Any]:
    """An order.refunded event for the order of ``order(ref=ref)``; the amount is the caller's."""
    return {
        "type": "order.refunded",
        "event_id": f"evt-{ref}-refund-{refund_id}",
        "marketplace_id": "bricomarket-fr",
        "order_id": f"CMD-{ref}",
        "seller_id": seller_id,
        "occurred_at": "2026-11-20T09:00:00+01:00",
        "refund_id": refund_id,
        "refund": scope or {"kind": "full"},
        "reason": "Retour client",
        "payment": _refund_payment(ref, refund_id, amount, status),
        **extra,
    }


def cancellation(
    ref: str = "0001", *, amount: Decimal | str | None = None, seller_id: str = "atelier-bois", **extra: Any
) -> dict[str, Any]:
    event: dict[str, Any] = {
        "type": "order.cancelled",
        "event_id": f"evt-{ref}-cancel",
        "marketplace_id": "bricomarket-fr",
        "order_id": f"CMD-{ref}",
        "seller_id": seller_id,
        "occurred_at": "2026-11-20T09:00:00+01:00",
        "reason": "Annulée par le client",
        **extra,
    }
    if amount is not None:
        event["payment"] = _refund_payment(ref, "cancel", amount, "refunded")
    return event


def _refund_payment(ref: str, refund_id: str, amount: Decimal | str, status: str) -> dict[str, Any]:
    return {
        "provider": "adyen",
        "transaction_id": f"PSP-{ref}-{refund_id}",
        "amount": str(amount),
        "currency": "EUR",
        "status": status,
        "captured_at": "2026-11-20T09:01:00+01:00" if status == "refunded" else None,
        "method": "card",
    }
