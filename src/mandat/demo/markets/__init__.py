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
    """The markets' sellers with their cross-border facts, and the sellers established outside the EU."""
    from mandat.demo.markets import overseas

    return [
        Seller.model_validate(
            {"mandate": MANDATE.model_dump(), **seller, **_cross_border_facts(seller), **EARLY.get(seller["id"], {})}
        )
        for market in [*markets(), overseas]
        for seller in market.SELLERS
    ]


# Sellers of the demo who adopted a national system before its legal date: the Valencia hardware store keeps
# VERI*FACTU records from 2026 (RD 1007/2023 lets a system start early), so the demo shows them before 2027.
EARLY: dict[str, dict[str, Any]] = {"es-ferreteria-sol": {"verifactu_since": "2026-01-01"}}


# EU distance sales before mandat (Directive 2006/112/EC art. 59c; the registry's opening totals, in the
# seller country's currency) per seller country: (previous year, 2026 so far, destination option).
# BE, PT and PL well below the EUR 10,000 (PLN 42,000) threshold: taxed at origin. DE at 9,990: its
# first distance sale (the demo's are all above EUR 10 net) crosses it and is taxed at destination, and
# so is every later one, whether or not the store counts what mandat issues. ES above it since last
# year; IT opted for destination taxation (art. 59c(2)).
DISTANCE_SALES: dict[str, tuple[str, str, bool]] = {
    "BE": ("1250.00", "2100.00", False),
    "DE": ("8400.00", "9990.00", False),
    "ES": ("24000.00", "15300.00", False),
    "IT": ("3000.00", "1000.00", True),
    "PT": ("2700.00", "900.00", False),
    "PL": ("12000.00", "6500.00", False),
}


def _cross_border_facts(seller: dict[str, Any]) -> dict[str, Any]:
    """Union OSS registration in the seller's own member state since the scheme began, and the totals."""
    country = seller["address"]["country"]
    if country not in DISTANCE_SALES:
        return {}
    previous, current, option = DISTANCE_SALES[country]
    return {
        "oss": {"country": country, "since": "2021-07-01", "destination_option": option},
        "distance_sales": {"year": 2026, "previous_year": previous, "current_year": current},
    }


def rate_files() -> list[Path]:
    """The demo's exchange-rate tables: plausible values in the ECB and NBP formats, not the published ones."""
    return sorted(RATES_DIR.glob("*-demo.*"))


def generate(sellers: list[Seller], count: int, seed: int, run: str, start: datetime) -> list[str]:
    """JSON lines of ``count`` orders spread over the markets' sellers, with some refunds and cancellations.

    Four orders in five are sold at home; every fifth goes across borders, the next scenario of
    :data:`scenarios.SCENARIOS` in turn (so that a short run shows every treatment)."""
    from mandat.demo.markets import scenarios
    from mandat.demo.orders import _after_sales

    rng = random.Random(seed)
    by_country: dict[str, list[Seller]] = {}
    for s in sellers:
        by_country.setdefault(s.address.country, []).append(s)
    by_id = {s.id: s for s in sellers}
    modules = {m.__name__.rsplit(".", 1)[1].upper(): m for m in markets()}
    countries = [cc for cc in modules if cc in by_country]
    tally: dict[tuple[str, int], Decimal] = {}
    out: list[str] = []
    flawed = False
    for i in range(count if countries else 0):
        cc = countries[i % len(countries)]
        occurred = start + timedelta(seconds=i * 41 + 7)
        event: dict[str, Any] | None
        if i % 5 == 4:
            scenario = scenarios.SCENARIOS[(i // 5) % len(scenarios.SCENARIOS)]
            ref = f"{run}-X{scenario.seller}{i:06d}"
            made = scenarios.order(rng, scenario, modules, by_country, ref, occurred)
            event = None if made is None else _with_seller(made[0], made[1], tally)
        else:
            event = _order(rng, modules[cc], by_country[cc], f"{run}-{cc}{i:06d}", occurred)
        if event is None:
            continue
        if not flawed:
            # One bad event in every run (the first order sent): the marketplace charged a cent more than the
            # order comes to, so the operator sees a rejection with both figures, to fix and replay.
            flawed = True
            event["payment"]["amount"] = str(Decimal(event["payment"]["amount"]) + Decimal("0.01"))
        out.append(json.dumps(event, ensure_ascii=False))
        for line in _after_sales(rng, event, by_id[event["seller_id"]]):
            after = json.loads(line)
            after.pop("reason", None)  # the credit note words its reason in the buyer's language
            out.append(json.dumps(after, ensure_ascii=False))
    return out


def _order(
    rng: random.Random, market: ModuleType, sellers: list[Seller], ref: str, occurred: datetime
) -> dict[str, Any] | None:
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


def _with_seller(
    event: dict[str, Any], candidates: list[Seller], tally: dict[tuple[str, int], Decimal] | None = None
) -> dict[str, Any] | None:
    """``event`` for the first candidate whose rules issue it, paid its total; None when none does.

    ``tally`` keeps the EU distance sales the demo sends, per seller and year. A distance sale is sent only
    when it comes to the same whether the store counts mandat's earlier sales or not (the count's
    enforcement is a separate change): the demo's orders then issue cleanly either way."""
    from mandat.demo.orders import priced
    from mandat.domain.refusals import EventRefused

    def counted(seller_id: str, year: int) -> Decimal:
        return (tally or {}).get((seller_id, year), Decimal(0))

    for seller in candidates:
        event["seller_id"] = seller.id
        try:
            total, adds = priced(event, seller)
            if adds is not None and priced(event, seller, counted)[0] != total:
                continue
        except EventRefused:
            continue
        if adds is not None and tally is not None:
            key = (seller.id, adds[0])
            tally[key] = tally.get(key, Decimal(0)) + adds[1]
        event["payment"]["amount"] = str(total)
        return event
    return None
