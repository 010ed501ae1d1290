"""The demo's orders across borders, one of every treatment the rules know, cycled through in order.

Each scenario names who sells (a market, or a seller established outside the EU) to whom (a consumer or
a business of another market, a consumer outside the EU VAT area), and the facts the rules need:

* ``distance``: goods to a consumer in another member state (Directive 2006/112/EC art. 33(a), 59c):
  at origin below the seller's threshold, at destination (Union OSS) above it or by option;
* ``k``: goods to a business of another member state, VAT id checked in VIES (art. 138: category K);
* ``service``: a service to a business of another member state (art. 44, 196: reverse charge AE);
* ``install``: an installation on a business's premises in another member state (art. 36, 194: AE);
* ``works``: works on a consumer's property abroad by a seller with the OSS (art. 47, 369a), or by one
  registered for VAT in the property's state: a supply there, under its rules (art. 219a(1));
* ``local``: goods from the seller's stock in another member state where it is registered for VAT, to a
  consumer there: supplied there (art. 32), invoiced under that state's rules with the seller's VAT id
  there (art. 226(3));
* ``export``: goods to a consumer outside the EU (art. 146: category G), the UK's above GBP 135;
* ``territory``: goods to the Canary Islands or the French overseas departments (art. 6: export);
* ``eu_goods``, ``ioss``, ``uk_goods``, ``uk_import``: the marketplace as deemed supplier
  (art. 14a(2), 14a(1); VATA 1994 s.5A).

Northern Ireland (``to="NI"``, a Belfast address: BT postcode) takes the EU rules for goods (Windsor
Framework art. 8): a business with an XI VAT number receives an intra-EU supply (K), a consumer a distance
sale, at origin below the seller's threshold, at the UK's rate through the OSS (``taxed_in`` XI) above it.

Only lines at the standard rate travel in a distance sale: a reduced line would need the destination's
rate key (``destination_tax_category``), which the demo gives where the product is the same everywhere.
"""

from __future__ import annotations

import copy
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from types import ModuleType
from typing import Any

from mandat.domain.parties import Seller

FR_CONSUMER: dict[str, Any] = {
    "kind": "consumer",
    "name": "Camille Moreau",
    "address": {"line1": "18 rue Victor-Hugo", "postcode": "33000", "city": "Bordeaux", "country": "FR"},
    "email": "camille.moreau@mail.example",
}
FR_BUSINESS: dict[str, Any] = {
    "kind": "business",
    "name": "Menuiserie Girard SARL",
    "address": {"line1": "14 avenue de la Gare", "postcode": "69003", "city": "Lyon", "country": "FR"},
    "email": "compta@menuiserie-girard.example",
    "vat_id": "FR64443061841",
    "siren": "443061841",
}
GB_CONSUMER: dict[str, Any] = {
    "kind": "consumer",
    "name": "Oliver Bennett",
    "address": {"line1": "22 Gloucester Road", "postcode": "BS7 8AE", "city": "Bristol", "country": "GB"},
    "email": "oliver.bennett@mail.example",
}
# Belfast: a GB address with a BT postcode, Northern Ireland for goods (Windsor Framework art. 8).
BELFAST: dict[str, Any] = {"line1": "1 Donegall Square", "postcode": "BT1 5GS", "city": "Belfast", "country": "GB"}
NI_CONSUMER: dict[str, Any] = {
    "kind": "consumer",
    "name": "Siobhan Kelly",
    "address": BELFAST,
    "email": "siobhan.kelly@mail.example",
    "language": "en",
}
NI_BUSINESS: dict[str, Any] = {
    "kind": "business",
    "name": "Belfast Build Supplies Ltd",
    "address": BELFAST,
    "email": "accounts@belfast-build.example",
    "language": "en",
    "vat_id": "XI980780684",  # Northern Ireland's prefix for goods, checked in VIES like a member state's
}
ABROAD: dict[str, dict[str, Any]] = {
    "US": {
        "kind": "consumer",
        "name": "Emily Carter",
        "address": {"line1": "210 Hudson Street", "postcode": "10013", "city": "New York", "country": "US"},
        "language": "en",
    },
    "CH": {
        "kind": "consumer",
        "name": "Luca Meier",
        "address": {"line1": "Bahnhofstrasse 21", "postcode": "8001", "city": "Zürich", "country": "CH"},
        "language": "de",
    },
    # Las Palmas: the Canary Islands are outside the EU VAT area (Directive art. 6(1)(b)).
    "IC": {
        "kind": "consumer",
        "name": "Carmen Santana",
        "address": {"line1": "Calle Triana 45", "postcode": "35002", "city": "Las Palmas", "country": "ES"},
        "language": "es",
    },
    # Fort-de-France, Martinique: a French overseas department, outside the EU VAT area (art. 6(1)(c)).
    "MQ": {
        "kind": "consumer",
        "name": "Joël Séraphin",
        "address": {"line1": "5 rue Victor-Hugo", "postcode": "97200", "city": "Fort-de-France", "country": "FR"},
        "language": "fr",
    },
}


@dataclass(frozen=True)
class Scenario:
    kind: str
    seller: str  # seller country (CN, US: the overseas sellers)
    to: str  # buyer's country, a key of ABROAD, or NI (Northern Ireland)
    currency: str | None = None  # default: the seller country's
    extra: dict[str, Any] = field(default_factory=dict)


SCENARIOS: tuple[Scenario, ...] = (
    Scenario("distance", "BE", "FR"),
    Scenario("k", "BE", "DE"),
    Scenario("eu_goods", "CN", "DE"),
    Scenario("distance", "DE", "IT"),
    Scenario("service", "DE", "ES"),
    Scenario("export", "ES", "US"),
    Scenario("distance", "ES", "PT"),
    Scenario("install", "DE", "FR"),
    Scenario("ioss", "CN", "IT"),
    Scenario("distance", "IT", "DE"),
    Scenario("k", "IT", "PT"),
    Scenario("export", "DE", "GB", "GBP"),
    Scenario("distance", "PT", "ES"),
    Scenario("territory", "PT", "IC"),
    Scenario("uk_goods", "US", "GB", "GBP"),
    Scenario("distance", "PL", "DE"),
    Scenario("k", "PL", "BE"),
    Scenario("distance", "DE", "PL", "PLN"),
    Scenario("eu_goods", "US", "FR"),
    Scenario("export", "IT", "CH"),
    Scenario("uk_import", "CN", "GB", "GBP"),
    Scenario("works", "BE", "FR"),
    Scenario("k", "ES", "IT"),
    Scenario("ioss", "GB", "BE", "EUR"),
    Scenario("territory", "BE", "MQ"),
    Scenario("uk_import", "IT", "GB", "GBP"),
    Scenario("service", "PL", "IT"),
    Scenario("export", "GB", "FR"),
    Scenario("k", "PT", "PL"),
    Scenario("distance", "ES", "BE"),
    Scenario("local", "BE", "DE"),
    Scenario("distance", "DE", "NI"),
    Scenario("k", "BE", "NI"),
    Scenario("works", "BE", "DE"),
    Scenario("distance", "PT", "NI"),
)

NATIONAL = {"PL": "PLN", "GB": "GBP", "CN": "EUR", "US": "EUR"}
EU_LIMIT = Decimal("150")
UK_LIMIT = Decimal("135")


def order(
    rng: random.Random,
    scenario: Scenario,
    modules: dict[str, ModuleType],
    sellers: dict[str, list[Seller]],
    ref: str,
    occurred: datetime,
) -> tuple[dict[str, Any], list[Seller]] | None:
    """The event of ``scenario`` (seller and amount left to set) and the sellers to try, in order."""
    from mandat.demo.markets import overseas

    s = scenario
    candidates = sellers.get(s.seller, [])
    market = modules.get(s.seller, overseas)
    if not candidates:
        return None
    business = s.kind in ("k", "service", "install")
    buyer = copy.deepcopy(_buyer(rng, s, modules, business))
    # The buyer's national tax number is its own country's identifier: the Spanish rules check any
    # tax_number as a Spanish NIF, so it is left out abroad (the VAT id identifies a business).
    buyer.pop("tax_number", None)
    if business:
        buyer["vies"] = {
            "checked_at": (occurred - timedelta(minutes=2)).isoformat(),
            "reference": f"WAPI{rng.randint(10**11, 10**12 - 1)}",
            "valid": True,
        }
    currency = s.currency or NATIONAL.get(s.seller, "EUR")
    delivery: dict[str, Any] = {"date": (occurred + timedelta(days=3)).date().isoformat()}
    works = None
    lines: list[dict[str, Any]]
    standard: list[dict[str, Any]] = []
    if s.kind in ("install", "works"):
        cc = s.seller
        lines = [
            {
                "sku": f"{cc}-POSE-EXT",
                "description": "Installation on site: heat pump, connection and commissioning",
                "quantity": "1",
                "unit_price": "1450.00",
                "nature": "service",
                "works_part": "labour",
            }
        ]
        works = {"property_address": buyer["address"]}
        candidates = candidates[::-1]  # the installer first
    elif s.kind == "service":
        lines = [
            {
                "sku": f"{s.seller}-PLAN-3D",
                "description": "Kitchen design study, remote (3D plans and quantities)",
                "quantity": "1",
                "unit_price": "380.00",
                "nature": "service",
                "tax_category": "standard",
            }
        ]
    else:
        standard = [
            p
            for p in market.PRODUCTS
            if p.get("tax_category", "standard") == "standard" and p.get("nature", "goods") == "goods"
        ]
        lines = copy.deepcopy(rng.sample(standard, k=rng.randint(1, min(3, len(standard)))))
        for ln in lines:
            ln["quantity"] = str(rng.choice([1, 1, 2]))
    if s.kind == "local":
        # From the stock in the buyer's state: the seller registered there first (the others are refused).
        delivery["dispatched_from"] = s.to
        candidates = sorted(candidates, key=lambda seller: seller.registered_in(s.to) is None)
    elif s.kind in ("eu_goods", "uk_goods"):
        delivery["dispatched_from"] = "FR" if s.kind == "eu_goods" else "GB"
    elif s.kind in ("ioss", "uk_import"):
        limit = EU_LIMIT if s.kind == "ioss" else UK_LIMIT
        small = _within(lines, limit) or (_within(standard, limit) or [])[:1]
        if not small:
            return None
        lines = small
        delivery["dispatched_from"] = "CN" if s.seller == "CN" else s.seller
        delivery["consignment"] = {"value": str(_value(lines)), "currency": "EUR" if s.kind == "ioss" else "GBP"}
    elif s.kind == "export" and s.to in ("GB", "FR"):
        # Into the UK above GBP 135, or into the EU above EUR 150: the seller's own export (VATA 1994 s.5A
        # and Directive art. 14a(1) stop at those values).
        limit, cur = (UK_LIMIT, "GBP") if s.to == "GB" else (EU_LIMIT, "EUR")
        while _value(lines) <= limit:
            lines[0]["quantity"] = str(int(lines[0]["quantity"]) + 1)
        delivery["consignment"] = {"value": str(_value(lines)), "currency": cur}
    from mandat.demo.markets import _paid  # the one builder of the markets' orders

    event = _paid(ref, occurred, currency, buyer, lines, not business, rng.choice(["card", "transfer"]))
    event["delivery"] = delivery
    if works is not None:
        event["works"] = works
    return event, candidates


def _buyer(rng: random.Random, s: Scenario, modules: dict[str, ModuleType], business: bool) -> dict[str, Any]:
    if s.to == "NI":
        return NI_BUSINESS if business else NI_CONSUMER
    if s.to in ABROAD:
        return ABROAD[s.to]
    if s.to == "GB" and not business:
        return GB_CONSUMER
    if s.to == "FR":
        return FR_BUSINESS if business else FR_CONSUMER
    market = modules[s.to]
    if business:
        return rng.choice([b for b in market.BUSINESSES if b.get("vat_id") and b["address"]["country"] == s.to])
    return rng.choice([c for c in market.CONSUMERS if c["address"]["country"] == s.to])


def _value(lines: list[dict[str, Any]]) -> Decimal:
    """The consignment's intrinsic value: the price of the goods (Regulation 2015/2446 art. 1(48))."""
    return sum((Decimal(ln["unit_price"]) * Decimal(ln["quantity"]) for ln in lines), Decimal(0))


def _within(lines: list[dict[str, Any]], limit: Decimal) -> list[dict[str, Any]] | None:
    """The lines cut down to a consignment of at most ``limit``."""
    kept: list[dict[str, Any]] = []
    for ln in sorted(lines, key=lambda ln: Decimal(ln["unit_price"])):
        ln = {**ln, "quantity": "1"}
        if _value([*kept, ln]) <= limit:
            kept.append(ln)
    return kept or None
