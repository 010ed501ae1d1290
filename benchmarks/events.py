"""Event streams for the benchmarks.

``deliveries`` is the demo generator (``mandat.demo.orders.generate`` over the demo sellers): the
realistic mix the issue asks for. The demo generator evolves with the product (credit notes,
refunds...), and a benchmark that cannot run because the demo is mid-change measures nothing, so
``simple_orders`` — plain valid ``order.paid`` events built here — stands in when it raises, and the
results say which one was used.
"""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta
from typing import Any

from mandat.demo.sellers import demo_sellers
from mandat.domain.parties import Seller

# (sku, description, unit price incl. VAT, nature, tax category): a few lines per demo seller's trade.
LINES: list[tuple[str, str, str, str, str]] = [
    ("BCH-COMPOST-40", "Terreau universel 40 L", "8.90", "goods", "standard"),
    ("BCH-BULBE-TUL", "Bulbes de tulipes « Reine de nuit » ×20", "12.50", "goods", "standard"),
    ("BCH-VIS-500", "Boîte de 500 vis à bois 4×40", "9.90", "goods", "standard"),
    ("BCH-PERC-18V", "Perceuse-visseuse 18 V, 2 batteries", "189.00", "goods", "standard"),
    ("BCH-BACHE", "Bâche de protection 4 × 5 m", "5.90", "goods", "standard"),
    ("BCH-CLEF", "Reproduction de clé", "4.50", "service", "standard"),
]


def _amount(event: dict[str, Any], seller: Seller) -> str:
    from mandat.domain.calculation import compute
    from mandat.domain.events import OrderPaid
    from mandat.rules.invoice import decide

    ev = OrderPaid.model_validate({**event, "payment": {**event["payment"], "amount": "0"}})
    decision = decide(ev, seller, ev.delivery.date)
    return str(compute(decision.lines, ev.prices_include_vat, decision.exemptions).totals.tax_inclusive)


def order_event(seller: Seller, ref: str, rng: random.Random, occurred: datetime) -> dict[str, Any]:
    picks = rng.sample(LINES, k=rng.randint(1, 4))
    event: dict[str, Any] = {
        "type": "order.paid",
        "event_id": f"evt-{ref}",
        "marketplace_id": "bricomarket-fr",
        "order_id": f"CMD-{ref}",
        "seller_id": seller.id,
        "occurred_at": occurred.isoformat(),
        "currency": "EUR",
        "prices_include_vat": True,
        "buyer": {
            "kind": "consumer",
            "name": rng.choice(["Camille Lefèvre", "Zoé Mérieux", "Loïc Gaëtan", "Hélène Briançon"]),
            "address": {"line1": "8 rue de l'Église", "postcode": "35000", "city": "Rennes", "country": "FR"},
            "email": f"client{rng.randint(1000, 99999)}@mail.example",
        },
        "lines": [
            {
                "sku": s,
                "description": d,
                "quantity": str(rng.choice([1, 1, 2, 3])),
                "unit_price": p,
                "nature": n,
                "tax_category": c,
            }
            for s, d, p, n, c in picks
        ],
        "payment": {
            "provider": "adyen",
            "transaction_id": f"PSP-{ref}",
            "amount": "0",
            "currency": "EUR",
            "status": "captured",
            "captured_at": (occurred + timedelta(minutes=1)).isoformat(),
            "method": "card",
        },
        "delivery": {"date": (occurred + timedelta(days=2)).date().isoformat()},
    }
    event["payment"]["amount"] = _amount(event, seller)
    return event


def simple_orders(sellers: list[Seller], count: int, seed: int, run: str) -> list[str]:
    rng = random.Random(seed)
    active = [s for s in sellers if s.mandate and s.mandate.status == "active"]
    t0 = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)
    return [
        json.dumps(
            order_event(rng.choice(active), f"{run}-{i:06d}", rng, t0 + timedelta(seconds=37 * i)), ensure_ascii=False
        )
        for i in range(count)
    ]


SOURCE: dict[str, str] = {}  # which generator produced the events of this run (for RESULTS.md)


def deliveries(count: int, seed: int, run: str) -> tuple[list[Seller], list[str]]:
    sellers = demo_sellers()
    try:
        from mandat.demo.orders import generate

        lines = generate(sellers, count, seed, run)
        SOURCE.setdefault("e2e", "mandat.demo.orders.generate (demo sellers)")
    except Exception as exc:
        SOURCE["e2e"] = f"benchmarks.events.simple_orders (demo generator raised {type(exc).__name__}: {exc})"
        lines = simple_orders(sellers, count, seed, run)
    return sellers, lines
