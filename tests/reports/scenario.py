"""A small book of documents issued through the real pipeline (``Mandat`` accept → process → store), across
countries, regimes, currencies and a credit note in a later quarter, for the report tests.

The seller is examples/cross-border-sellers.json's ``atelier-bois-eu`` (Nantes, OSS in France, registered in
Germany, EUR 9,800.00 of EU distance sales in 2026 before mandat). Figures by hand (rules in docs/countries.md):

2026-Q3 (issued 2026-09-15)
  A  Paris consumer, 120.00 TTC at 20 %                         FR domestic S 20   100.00 + 20.00
  B  Berlin consumer, 120.00 TTC: 9,800 + 100 <= 10,000          FR domestic S 20   100.00 + 20.00  (art. 59c)
  C  Berlin consumer, 357.00 TTC: 9,900 + 297.50 > 10,000        DE oss S 19        300.00 + 57.00  (art. 33)
  D  Paris consumer, USD 120.00 TTC, event rate 0.9 EUR/USD      FR domestic S 20   USD 100.00 + 20.00;
                                                                 in EUR 90.00 + 18.00 (100 x 0.9, 20 x 0.9)
  E  Berlin business DE811569869, 200.00 net                     FR K 0             200.00 + 0.00   (art. 138)
  F  Zürich consumer, 100.00                                     FR G 0             100.00 + 0.00   (art. 146)
2026-Q4 (issued 2026-10-05)
  G  full refund of C (credit note)                              DE oss S 19       -300.00 - 57.00, corrects Q3
  H  Berlin consumer, 119.00 TTC                                 DE oss S 19        100.00 + 19.00
  I  goodwill 23.80 TTC at 19 % on H (credit note)               DE oss S 19        -20.00 -  3.80
  J  full refund of D (credit note)                              FR domestic S 20  USD -100.00 - 20.00;
                                                                 EUR -90.00 - 18.00
The marketplace's own documents (deemed supplier, series owner "@bricomarket"), Q4:
  K  cn-lumo's lamp from the French warehouse to a Warsaw consumer, 123.00 TTC   PL deemed_oss S 23  100.00 + 23.00
  L  atelier-bois-eu's GBP 60.00 consignment to London                 GB deemed_uk_omp S 20  GBP 50.00 + 10.00
"""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from mandat.domain.parties import Seller
from mandat.service.app import Mandat
from mandat.store import repository as repo

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
SELLER = "atelier-bois-eu"
MP = "@bricomarket"
Q3_DAY = datetime(2026, 9, 15, 10, 0, tzinfo=UTC)
Q4_DAY = datetime(2026, 10, 5, 10, 0, tzinfo=UTC)

PARIS = {"line1": "3 rue de Rivoli", "postcode": "75001", "city": "Paris", "country": "FR"}
BERLIN = {"line1": "Hauptstraße 1", "postcode": "10115", "city": "Berlin", "country": "DE"}
ZURICH = {"line1": "Bahnhofstrasse 1", "postcode": "8001", "city": "Zürich", "country": "CH"}


def sellers() -> list[Seller]:
    return [Seller.model_validate(s) for s in json.loads((EXAMPLES / "cross-border-sellers.json").read_text())]


def examples() -> list[dict[str, Any]]:
    return [json.loads(line) for line in (EXAMPLES / "cross-border.jsonl").read_text().splitlines() if line.strip()]


def sale(
    ref: str,
    address: dict[str, str],
    price: str,
    amount: str,
    *,
    currency: str = "EUR",
    business: dict[str, Any] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    buyer = business or {"kind": "consumer", "name": f"Client {ref}", "address": address}
    return {
        "type": "order.paid",
        "event_id": f"evt-{ref}",
        "marketplace_id": "bricomarket-fr",
        "order_id": f"CMD-{ref}",
        "seller_id": SELLER,
        "occurred_at": "2026-09-14T10:15:00+02:00",
        "currency": currency,
        "prices_include_vat": business is None,
        "buyer": buyer,
        "lines": [
            {
                "sku": "ABE-BANC",
                "description": "Banc de jardin",
                "quantity": "1",
                "unit_price": price,
                "tax_category": "standard",
            }
        ],
        "payment": {
            "provider": "adyen",
            "transaction_id": f"PSP-{ref}",
            "amount": amount,
            "currency": currency,
            "status": "captured",
            "captured_at": "2026-09-14T10:16:00+02:00",
            "method": "card",
        },
        "delivery": {"date": "2026-09-14"},
        **extra,
    }


def refund(
    ref: str, rid: str, amount: str, scope: dict[str, Any] | None = None, currency: str = "EUR"
) -> dict[str, Any]:
    return {
        "type": "order.refunded",
        "event_id": f"evt-{ref}-{rid}",
        "marketplace_id": "bricomarket-fr",
        "order_id": f"CMD-{ref}",
        "seller_id": SELLER,
        "occurred_at": "2026-10-04T10:00:00+02:00",
        "refund_id": rid,
        "refund": scope or {"kind": "full"},
        "reason": "Retour",
        "payment": {
            "provider": "adyen",
            "transaction_id": f"RF-{ref}-{rid}",
            "amount": amount,
            "currency": currency,
            "status": "refunded",
            "captured_at": "2026-10-04T10:01:00+02:00",
            "method": "card",
        },
    }


Q3_EVENTS = [
    sale("A", PARIS, "120.00", "120.00"),
    sale("B", BERLIN, "120.00", "120.00"),
    sale("C", BERLIN, "357.00", "357.00"),
    sale(
        "D",
        PARIS,
        "120.00",
        "120.00",
        currency="USD",
        exchange_rate={"rate": "0.9", "source": "Banque de France", "date": "2026-09-14"},
    ),
    sale(
        "E",
        BERLIN,
        "200.00",
        "200.00",
        business={"kind": "business", "name": "Baumarkt GmbH", "address": BERLIN, "vat_id": "DE811569869"},
    ),
    sale("F", ZURICH, "100.00", "100.00"),
]


def q4_events() -> list[dict[str, Any]]:
    ex = examples()
    lamp = {**copy.deepcopy(ex[3]), "event_id": "evt-K", "order_id": "CMD-K"}
    parcel = {**copy.deepcopy(ex[5]), "event_id": "evt-L", "order_id": "CMD-L"}
    return [
        refund("C", "R1", "357.00"),
        sale("H", BERLIN, "119.00", "119.00"),
        refund("H", "R1", "23.80", {"kind": "amount", "amounts": [{"vat_rate": "19", "amount": "23.80"}]}),
        refund("D", "R1", "120.00", currency="USD"),
        lamp,
        parcel,
    ]


def issue(svc: Mandat, events: list[dict[str, Any]]) -> None:
    """Accept and issue each event in turn (no rendering: the reports read the records only)."""
    for event in events:
        svc.accept(json.dumps(event))
        for row_id in svc.claim(10):
            status = svc.process(row_id)
            assert status == "issued", (event["event_id"], status)


def book(svc: Mandat, monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue the whole scenario on SQLite, with the clock set to each quarter's day (a minute apart)."""
    svc.save_sellers(sellers())
    for day, events in ((Q3_DAY, Q3_EVENTS), (Q4_DAY, q4_events())):
        for i, event in enumerate(events):
            monkeypatch.setattr(repo, "utcnow", lambda at=day + timedelta(minutes=i): at)
            issue(svc, [event])
