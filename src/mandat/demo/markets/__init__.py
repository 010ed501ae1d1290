"""Sample sellers and orders of the marketplace's other markets (BE, DE, ES, IT, PT, PL, UK).

Each market is a module ``<cc>.py`` of plain data (its country pack's tests prove that the data
issues cleanly): ``SELLERS`` (a retailer and an installer), ``CONSUMERS``, ``BUSINESSES``,
``PRODUCTS`` (a line per rate of the country's ladder) and ``WORKS`` (lines + the facts a works rate
needs). This module turns them into orders: every seller sells at home, to consumers and to
businesses, at every rate, in its currency — and the Polish and British sellers also in euros, with
their VAT restated in złoty or sterling at the rates the demo imports (``demo/rates/``).
"""

from __future__ import annotations

import copy
import importlib
import json
import random
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from types import ModuleType
from typing import Any

from mandat.demo.sellers import MANDATE
from mandat.domain.parties import Seller

MARKETS = ("be", "de", "es", "it", "pt", "pl", "gb")
# Orders across borders ("Every market across borders"): to a business of another market (intra-EU
# supply K, services reverse-charged AE; from the UK an export), or to a consumer outside the seller's VAT
# area (export G, special territories included). Cases not handled yet (distance sales...) are not sent.
CROSS_BORDER_SHARE = 0.2
ABROAD_CONSUMERS: list[dict[str, Any]] = [
    {
        "kind": "consumer",
        "name": "Emily Carter",
        "address": {"line1": "210 Hudson Street", "postcode": "10013", "city": "New York", "country": "US"},
        "language": "en",
    },
    {
        "kind": "consumer",
        "name": "Luca Meier",
        "address": {"line1": "Bahnhofstrasse 21", "postcode": "8001", "city": "Zürich", "country": "CH"},
        "language": "de",
    },
    {
        # Las Palmas: the Canary Islands are outside the EU VAT area (Directive art. 6(1)(b)).
        "kind": "consumer",
        "name": "Carmen Santana",
        "address": {"line1": "Calle Triana 45", "postcode": "35002", "city": "Las Palmas", "country": "ES"},
        "language": "es",
    },
]
RATES_DIR = Path(__file__).resolve().parent.parent / "rates"
# Belgian buyers read French, Dutch or German; a few buyers everywhere ask for English.
BE_LANGUAGES = ("fr", "nl", "nl", "de")


def markets() -> list[ModuleType]:
    """The market modules shipped (a market without its module is simply not in the demo)."""
    found = []
    for cc in MARKETS:
        try:
            found.append(importlib.import_module(f"mandat.demo.markets.{cc}"))
        except ModuleNotFoundError as exc:
            if exc.name != f"mandat.demo.markets.{cc}":
                raise
    return found


def market_sellers() -> list[Seller]:
    return [
        Seller.model_validate({"mandate": MANDATE.model_dump(), **seller})
        for market in markets()
        for seller in market.SELLERS
    ]


def rate_files() -> list[Path]:
    """The demo's exchange-rate tables: plausible values in the ECB and NBP formats, not the published ones."""
    return sorted(RATES_DIR.glob("*-demo.*"))


def generate(sellers: list[Seller], count: int, seed: int, run: str, start: datetime) -> list[str]:
    """JSON lines of ``count`` orders spread over the markets' sellers, with some refunds and cancellations."""
    from mandat.demo.orders import _after_sales

    rng = random.Random(seed)
    by_country: dict[str, list[Seller]] = {}
    for s in sellers:
        by_country.setdefault(s.address.country, []).append(s)
    modules = {m.__name__.rsplit(".", 1)[1].upper(): m for m in markets()}
    countries = [cc for cc in modules if cc in by_country]
    out: list[str] = []
    for i in range(count if countries else 0):
        cc = countries[i % len(countries)]
        market = modules[cc]
        occurred = start + timedelta(seconds=i * 41 + 7)
        event = _order(rng, market, by_country[cc], f"{run}-{cc}{i:06d}", occurred)
        if event is None:
            continue
        if i == 0:
            # One bad event in every run: the marketplace charged a cent more than the order comes to, so the
            # operator sees a rejection with both figures, to fix and replay (`mandat replay`).
            event["payment"]["amount"] = str(Decimal(event["payment"]["amount"]) + Decimal("0.01"))
        out.append(json.dumps(event, ensure_ascii=False))
        seller = next(s for s in by_country[cc] if s.id == event["seller_id"])
        for line in _after_sales(rng, event, seller):
            after = json.loads(line)
            after.pop("reason", None)  # the credit note words its reason in the buyer's language
            out.append(json.dumps(after, ensure_ascii=False))
    return out


def _order(
    rng: random.Random, market: ModuleType, sellers: list[Seller], ref: str, occurred: datetime
) -> dict[str, Any] | None:
    if rng.random() < CROSS_BORDER_SHARE:
        return _cross_border(rng, market, sellers, ref, occurred)
    works = rng.random() < 0.25 and bool(market.WORKS)
    # Some works for businesses too: where a domestic reverse charge applies (BE, DE, ES, IT, PT, UK) and the
    # buyer's facts allow it, the invoice carries no VAT (category AE); otherwise the order is tried as sold.
    business = rng.random() < (0.3 if works else 0.35)
    if works:
        lines, facts = rng.choice(market.WORKS)
        lines = copy.deepcopy(lines)
    else:
        lines = copy.deepcopy(rng.sample(market.PRODUCTS, k=rng.randint(1, min(4, len(market.PRODUCTS)))))
        facts = None
        for ln in lines:
            if ln.get("nature", "goods") == "goods":
                ln["quantity"] = str(rng.choice([1, 1, 2, 3, 5]))
    buyer = copy.deepcopy(rng.choice(market.BUSINESSES if business else market.CONSUMERS))
    country = buyer["address"]["country"]
    if country == "BE" and "language" not in buyer:
        buyer["language"] = rng.choice(BE_LANGUAGES)
    elif rng.random() < 0.05:
        buyer["language"] = "en"
    # Euros for a share of the non-euro markets' orders: the VAT is then restated in the national currency.
    national = {"PL": "PLN", "GB": "GBP"}.get(country, "EUR")
    currency = "EUR" if national != "EUR" and rng.random() < 0.2 else national
    event = _paid(
        ref, occurred, currency, buyer, lines, not business, rng.choice(["card", "card", "paypal", "transfer"])
    )
    event["delivery"]["date"] = (occurred + timedelta(days=2)).date().isoformat()
    if facts is not None:
        event["works"] = copy.deepcopy(facts)
    if not works and rng.random() < 0.3:
        event["shipping"] = {"amount": rng.choice(["4.90", "9.90"])}
    # Works go to the installer when it can take them, goods to whichever seller issues them cleanly.
    return _with_seller(event, sellers[::-1] if works else rng.sample(sellers, k=len(sellers)))


def _cross_border(
    rng: random.Random, market: ModuleType, sellers: list[Seller], ref: str, occurred: datetime
) -> dict[str, Any] | None:
    """An order from ``market``'s seller to a business of another market, or to a consumer abroad."""
    others = [m for m in markets() if m is not market]
    to_business = rng.random() < 0.6 and others
    if to_business:
        buyer = copy.deepcopy(rng.choice([b for m in others for b in m.BUSINESSES if b.get("vat_id")]))
    else:
        buyer = copy.deepcopy(rng.choice(ABROAD_CONSUMERS))
    lines = copy.deepcopy(rng.sample(market.PRODUCTS, k=rng.randint(1, min(3, len(market.PRODUCTS)))))
    currency = {"PL": "PLN", "GB": "GBP"}.get(sellers[0].address.country, "EUR")
    event = _paid(ref, occurred, currency, buyer, lines, not to_business, rng.choice(["card", "transfer"]))
    event["delivery"]["date"] = (occurred + timedelta(days=3)).date().isoformat()
    return _with_seller(event, rng.sample(sellers, k=len(sellers)))


def _paid(
    ref: str,
    occurred: datetime,
    currency: str,
    buyer: dict[str, Any],
    lines: list[dict[str, Any]],
    include_vat: bool,
    method: str,
) -> dict[str, Any]:
    """An ``order.paid`` event without its seller and amount (see :func:`_with_seller`)."""
    return {
        "type": "order.paid",
        "event_id": f"evt-{ref}",
        "marketplace_id": "bricomarket",
        "order_id": f"ORD-{ref}",
        "seller_id": "",
        "occurred_at": occurred.isoformat(),
        "currency": currency,
        "prices_include_vat": include_vat,
        "buyer": buyer,
        "lines": lines,
        "payment": {
            "provider": "adyen",
            "transaction_id": f"PSP-{ref}",
            "amount": "0",
            "currency": currency,
            "status": "captured",
            "captured_at": (occurred + timedelta(minutes=1)).isoformat(),
            "method": method,
        },
        "delivery": {"date": occurred.date().isoformat()},
    }


def _with_seller(event: dict[str, Any], candidates: list[Seller]) -> dict[str, Any] | None:
    """``event`` for the first candidate whose rules issue it, paid its total; None when none does."""
    from mandat.demo.orders import _total
    from mandat.domain.refusals import EventRefused

    for seller in candidates:
        event["seller_id"] = seller.id
        try:
            event["payment"]["amount"] = str(_total(event, seller))
            return event
        except EventRefused:
            continue
    return None
