"""Realistic events: orders (B2C, B2B, franchise, intra-EU, exports, several VAT rates), bad events, and
after-sales: partial and full refunds, goodwill gestures, cancellations before and after the invoice,
a refund that arrives before its order, and a refund whose amount is wrong."""

from __future__ import annotations

import json
import random
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from functools import cache
from typing import Any

from mandat.domain.credit import Credited, CreditError, CreditRequest, plan_credit
from mandat.domain.documents import Document
from mandat.domain.events import OrderPaid
from mandat.domain.exchange import Rate
from mandat.domain.parties import Marketplace, Seller
from mandat.domain.refusals import EventRefused
from mandat.rules.draft import draft_invoice
from mandat.rules.draft import price as price_order
from mandat.rules.invoice import CountLookup, no_counts

Counted = tuple[int, Decimal] | None

# (sku, description, unit price incl. VAT, nature, tax category)
CATALOG: dict[str, list[tuple[str, str, str, str, str]]] = {
    "atelier-bois": [
        ("ABJ-BUCHE-1ST", "Bûches de chêne sec, 1 stère", "119.00", "goods", "intermediate"),
        ("ABJ-GRANULE-15", "Granulés de bois DIN+ sac 15 kg", "6.49", "goods", "intermediate"),
        ("ABJ-COMPOST-40", "Terreau universel 40 L", "8.90", "goods", "standard"),
        ("ABJ-ABRI-220", "Abri de jardin en épicéa 2,20 × 1,80 m", "649.00", "goods", "standard"),
        ("ABJ-BULBE-TUL", "Bulbes de tulipes « Reine de nuit » ×20", "12.50", "goods", "intermediate"),
        # A press publication (CGI 298 septies: 2.1 %), sold next to the garden supplies.
        ("ABJ-MAG-JARDIN", "Magazine « Jardins de France », n° 412", "6.90", "goods", "super_reduced"),
    ],
    "thermoconfort": [
        ("TCI-PAC-AE8", "Pompe à chaleur air/eau 8 kW", "7490.00", "goods", "energy_renovation"),
        (
            "TCI-POSE-PAC",
            "Pose et mise en service PAC air/eau, note de dimensionnement",
            "1890.00",
            "service",
            "energy_renovation",
        ),
        ("TCI-ISOL-COMB", "Isolation des combles perdus, 50 m²", "2150.00", "service", "energy_renovation"),
        ("TCI-THERMO", "Thermostat connecté", "149.00", "goods", "standard"),
    ],
    "quincaillerie-dupont": [
        ("QDU-VIS-500", "Boîte de 500 vis à bois 4×40", "9.90", "goods", "standard"),
        ("QDU-CHEV-100", "Chevilles nylon Ø8, lot de 100", "6.50", "goods", "standard"),
        ("QDU-CADENAS", "Cadenas laiton 40 mm", "14.90", "goods", "standard"),
        ("QDU-CLEF", "Reproduction de clé", "4.50", "service", "standard"),
    ],
    "peintures-lumiere": [
        ("PLU-BLANC-10", "Peinture acrylique blanc mat 10 L", "79.90", "goods", "standard"),
        ("PLU-SOUS-5", "Sous-couche universelle 5 L", "39.90", "goods", "standard"),
        ("PLU-ROUL-180", "Rouleau anti-goutte 180 mm", "12.90", "goods", "standard"),
        ("PLU-BACHE", "Bâche de protection 4 × 5 m", "5.90", "goods", "standard"),
    ],
    "outillage-pro": [
        ("OPL-PERC-18V", "Perceuse-visseuse 18 V, 2 batteries", "189.00", "goods", "standard"),
        ("OPL-SCIE-ONG", "Scie plongeante 1 400 W", "349.00", "goods", "standard"),
        ("OPL-FORET-SET", "Coffret de forets béton/métal/bois, 50 pièces", "44.90", "goods", "standard"),
        ("OPL-NIVEAU-LAS", "Niveau laser croix vert", "129.00", "goods", "standard"),
        ("OPL-ETABLI", "Établi pliant 120 cm", "99.00", "goods", "standard"),
    ],
    "cuisine-bain": [
        ("CBR-MEUBLE-VAS", "Meuble sous-vasque chêne 80 cm", "429.00", "goods", "standard"),
        (
            "CBR-POSE-CUIS",
            "Pose d'une cuisine équipée (logement de plus de 2 ans)",
            "1250.00",
            "service",
            "home_renovation",
        ),
        (
            "CBR-MITIGEUR",
            "Mitigeur thermostatique de douche, fourni et posé",
            "289.00",
            "goods",
            "home_renovation",
        ),
        ("CBR-FAIENCE", "Faïence murale 20 × 20, 1 m²", "24.90", "goods", "standard"),
    ],
    "nouveau-vendeur": [
        ("NVX-LAMPE", "Lampe de chantier LED", "39.90", "goods", "standard"),
    ],
}

FIRST = [
    "Camille",
    "Léa",
    "Hugo",
    "Chloé",
    "Noé",
    "Zoé",
    "Gaël",
    "Anaïs",
    "Jérôme",
    "Maëlys",
    "François",
    "Inès",
]
LAST = [
    "Martin",
    "Bernard",
    "Lefèvre",
    "Moreau",
    "Girard",
    "Rousseau",
    "Faure",
    "Mercier",
    "Lemaître",
    "Bonnet",
]
STREETS = [
    "rue Victor-Hugo",
    "avenue de la Gare",
    "impasse des Lilas",
    "rue de l'Église",
    "boulevard Pasteur",
]
CITIES = [
    ("75011", "Paris"),
    ("69003", "Lyon"),
    ("33000", "Bordeaux"),
    ("67000", "Strasbourg"),
    ("35000", "Rennes"),
    ("06000", "Nice"),
    ("59800", "Lille"),
    ("29200", "Brest"),
]
FR_COMPANIES = [
    ("Menuiserie Girard SARL", "44306184100047"),
    ("BTP Rousseau et Fils", "55208131766522"),
    ("Agence Lemaître Habitat", "40483304800022"),
]
EU_COMPANIES = [
    ("Baumarkt Schneider GmbH", "DE", "DE136695976", "10115", "Berlin", "Friedrichstraße 120"),
    ("Bouwbedrijf Peeters BV", "BE", "BE0411905847", "2000", "Antwerpen", "Meir 44"),
    ("Ferramenta Rossi Srl", "IT", "IT00743110157", "20121", "Milano", "Via Dante 7"),
    ("Reformas García SL", "ES", "ESB58378431", "28013", "Madrid", "Calle Mayor 19"),
]


def _company_siren(siret: str) -> str:
    return siret[:9]


def _address(rng: random.Random) -> dict[str, str]:
    postcode, city = rng.choice(CITIES)
    return {
        "line1": f"{rng.randint(1, 180)} {rng.choice(STREETS)}",
        "postcode": postcode,
        "city": city,
        "country": "FR",
    }


def demo_rates(source: str, base: str, quote: str, latest_day: date) -> Rate | None:
    """The demo's rate tables (``demo/rates/``, what `mandat demo` imports), as the store's lookup reads them."""
    found = [r for r in _demo_rate_table() if (r.source, r.base, r.quote) == (source, base, quote)]
    found = [r for r in found if r.day <= latest_day]
    return max(found, key=lambda r: r.day) if found else None


@cache
def _demo_rate_table() -> tuple[Rate, ...]:
    from mandat.demo.markets import rate_files
    from mandat.exchange import parse

    return tuple(r for path in rate_files() for r in parse(path.read_bytes()))


def priced(event: dict[str, Any], seller: Seller, counts: CountLookup = no_counts) -> tuple[Decimal, Counted]:
    """What the order comes to as mandat issues it (the marketplace's own document for a deemed supply),
    and what it adds to the seller's EU distance sales: ``(year, amount in the seller's currency)``, or None.

    The sale that exceeds the EUR 10,000 threshold is already taxed at destination (Directive 2006/112/EC
    art. 59c(1)): decided again with its amount, as ``rules.draft`` does."""
    ev = OrderPaid.model_validate({**event, "payment": {**event["payment"], "amount": "0"}})
    priced = price_order(ev, seller, Marketplace(), ev.delivery.date, demo_rates, counts)
    tally = priced.tally
    return priced.computed.totals.tax_inclusive, None if tally is None else (tally.year, tally.amount)


def _total(event: dict[str, Any], seller: Seller) -> Decimal:
    return priced(event, seller)[0]


def generate(
    sellers: list[Seller],
    count: int,
    seed: int,
    run: str,
    start: datetime | None = None,
) -> list[str]:
    """JSON lines of events: mostly valid orders, ~5 % bad ones, ~3 % delivered twice, ~1 % re-sent."""
    rng = random.Random(seed)
    by_id = {s.id: s for s in sellers}
    active = [s for s in sellers if s.mandate and s.mandate.status == "active"]
    t0 = start or datetime(2026, 11, 2, 8, 0, tzinfo=UTC)
    out: list[str] = []
    for i in range(count):
        occurred = t0 + timedelta(seconds=i * 37)
        kind = rng.random()
        seller = by_id["nouveau-vendeur"] if kind < 0.01 else rng.choice(active)
        b2b_fr = seller.id in ("peintures-lumiere", "outillage-pro", "atelier-bois") and rng.random() < 0.25
        intra_eu = seller.id == "outillage-pro" and rng.random() < 0.3
        export = seller.id == "atelier-bois" and rng.random() < 0.05
        event = _order(rng, seller, f"{run}-{i:06d}", occurred, b2b_fr, intra_eu, export)
        try:
            event["payment"]["amount"] = str(_total(event, seller))
        except EventRefused:
            event["payment"]["amount"] = "1.00"
        event = _maybe_break(rng, event, kind)
        line = json.dumps(event, ensure_ascii=False)
        after = _after_sales(rng, event, seller) if kind > 0.05 or _is_pending(event) else []
        if after and rng.random() < 0.05:  # a refund overtaking its order in the queue: it waits for the invoice
            out.append(after.pop(0))
        out.append(line)
        if rng.random() < 0.03:  # at-least-once delivery: the same event again
            out.append(line)
        if rng.random() < 0.01 and isinstance(event, dict) and "event_id" in event:  # producer re-send, new id
            out.append(json.dumps({**event, "event_id": event["event_id"] + "-r"}, ensure_ascii=False))
        out.extend(after)
    return out


def _is_pending(event: Any) -> bool:
    return isinstance(event, dict) and event.get("payment", {}).get("status") == "authorized"


def _invoice(event: dict[str, Any], seller: Seller) -> Document | None:
    """The invoice mandat will issue for ``event`` (numbering aside), to price refunds as the marketplace does."""
    try:
        paid = OrderPaid.model_validate(event)
        draft = draft_invoice(paid, seller, Marketplace(), paid.delivery.date, demo_rates)
    except (EventRefused, ValueError):
        return None
    return draft.finalize(seq=1, issued_at=paid.occurred_at, prev_hash="0" * 64)


def _after_sales(rng: random.Random, event: dict[str, Any], seller: Seller) -> list[str]:
    """About 12 % of orders get refunds or a cancellation, priced against their invoice to the cent."""
    occurred = datetime.fromisoformat(event["occurred_at"]) + timedelta(days=3)
    base = {
        "marketplace_id": event["marketplace_id"],
        "order_id": event["order_id"],
        "seller_id": event["seller_id"],
    }
    if _is_pending(event):  # the payment never gets captured: cancelled before any invoice
        if rng.random() < 0.5:
            return [
                _dump(
                    {
                        **base,
                        "type": "order.cancelled",
                        "event_id": event["event_id"] + "-cancel",
                        "occurred_at": occurred.isoformat(),
                        "reason": "Paiement non abouti",
                    }
                )
            ]
        return []
    roll = rng.random()
    if roll > 0.12:
        return []
    invoice = _invoice(event, seller)
    if invoice is None:
        return []
    state = Credited()
    out: list[str] = []

    def refund(refund_id: str, scope: dict[str, Any], request: CreditRequest, reason: str, off: str = "0") -> None:
        nonlocal state
        try:
            plan = plan_credit(invoice, state, request)
        except CreditError:  # e.g. "the rest" of a one-unit order already refunded
            return
        state = plan.credited
        amount = plan.totals.tax_inclusive + Decimal(off)
        out.append(
            _dump(
                {
                    **base,
                    "type": "order.refunded",
                    "event_id": f"{event['event_id']}-{refund_id}",
                    "occurred_at": occurred.isoformat(),
                    "refund_id": refund_id,
                    "refund": scope,
                    "reason": reason,
                    "payment": _refund_payment(event, refund_id, amount, occurred),
                }
            )
        )

    goods = [ln for ln in invoice.lines if ln.sku != "SHIPPING"]
    pick = rng.randrange(len(goods))
    qty = Decimal(1) if goods[pick].quantity > 1 else goods[pick].quantity
    one_line = {"kind": "lines", "lines": [{"line_no": pick + 1, "quantity": str(qty)}]}
    if roll < 0.05:
        refund("RMB1", one_line, CreditRequest(lines={goods[pick].id: qty}), "Retour client : article défectueux")
    elif roll < 0.07:
        refund("RMB1", one_line, CreditRequest(lines={goods[pick].id: qty}), "Retour partiel")
        refund("RMB2", {"kind": "full"}, CreditRequest(full=True), "Retour du reste de la commande")
    elif roll < 0.08:
        rate = goods[0].vat_rate
        if goods[0].gross_amount >= 10:
            gesture = {"kind": "amount", "amounts": [{"vat_rate": str(rate), "amount": "5.00"}]}
            refund("GESTE", gesture, CreditRequest(amounts=[(rate, Decimal("5.00"))]), "Colis livré en retard")
    elif roll < 0.11:
        plan = plan_credit(invoice, state, CreditRequest(full=True))
        out.append(
            _dump(
                {
                    **base,
                    "type": "order.cancelled",
                    "event_id": event["event_id"] + "-cancel",
                    "occurred_at": occurred.isoformat(),
                    "reason": "Annulée par le client après facturation",
                    "payment": _refund_payment(event, "cancel", plan.totals.tax_inclusive, occurred),
                }
            )
        )
    else:  # the marketplace refunds a cent too much: rejected with both figures, for an operator
        refund("RMB1", one_line, CreditRequest(lines={goods[pick].id: qty}), "Retour client", off="0.01")
    return out


def _refund_payment(event: dict[str, Any], refund_id: str, amount: Decimal, when: datetime) -> dict[str, Any]:
    return {
        "provider": event["payment"]["provider"],
        "transaction_id": f"{event['payment']['transaction_id']}-{refund_id}",
        "amount": str(amount),
        "currency": event["currency"],
        "status": "refunded",
        "captured_at": (when + timedelta(minutes=5)).isoformat(),
        "method": event["payment"]["method"],
    }


def _dump(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False)


def _order(
    rng: random.Random,
    seller: Seller,
    ref: str,
    occurred: datetime,
    b2b_fr: bool,
    intra_eu: bool,
    export: bool,
) -> dict[str, Any]:
    catalog = CATALOG[seller.id]
    picks = rng.sample(catalog, k=rng.randint(1, min(4, len(catalog))))
    business = b2b_fr or intra_eu
    lines = []
    for sku, desc, price, nature, cat in picks:
        qty = rng.choice([1, 1, 1, 2, 3, 5]) if nature == "goods" else 1
        unit = Decimal(price)
        if business:
            unit = (unit / Decimal("1.2")).quantize(Decimal("0.01"))  # professionals see prices excl. VAT
        line: dict[str, Any] = {
            "sku": sku,
            "description": desc,
            "quantity": str(qty),
            "unit_price": str(unit),
            "nature": nature,
            "tax_category": cat,
        }
        if rng.random() < 0.1:
            line["discount"] = str((unit * qty * Decimal("0.1")).quantize(Decimal("0.01")))
        lines.append(line)
    name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
    buyer: dict[str, Any] = {
        "kind": "consumer",
        "name": name,
        "address": _address(rng),
        "email": f"client{rng.randint(1000, 99999)}@mail.example",
    }
    delivery: dict[str, Any] = {"date": (occurred + timedelta(days=2)).date().isoformat()}
    if b2b_fr and not intra_eu:
        cname, siret = rng.choice(FR_COMPANIES)
        siren = _company_siren(siret)
        vat = f"FR{(12 + 3 * (int(siren) % 97)) % 97:02d}{siren}"
        buyer = {
            "kind": "business",
            "name": cname,
            "address": _address(rng),
            "email": "compta@entreprise.example",
            "vat_id": vat,
            "siren": siren,
            "purchase_order": f"BC-{rng.randint(10000, 99999)}",
        }
    if intra_eu:
        cname, country, vat, pc, city, street = rng.choice(EU_COMPANIES)
        addr = {"line1": street, "postcode": pc, "city": city, "country": country}
        buyer = {
            "kind": "business",
            "name": cname,
            "address": addr,
            "email": "einkauf@firma.example",
            "vat_id": vat,
        }
    if export:
        buyer["address"] = {"line1": "Rue du Rhône 42", "postcode": "1204", "city": "Genève", "country": "CH"}
    if rng.random() < 0.2:
        delivery["address"] = _address(rng)
        if intra_eu or export:
            delivery["address"] = buyer["address"]
    event: dict[str, Any] = {
        "type": "order.paid",
        "event_id": f"evt-{ref}",
        "marketplace_id": "bricomarket-fr",
        "order_id": f"CMD-{ref}",
        "seller_id": seller.id,
        "occurred_at": occurred.isoformat(),
        "currency": "EUR",
        "prices_include_vat": not business,
        "buyer": buyer,
        "lines": lines,
        "payment": {
            "provider": "adyen",
            "transaction_id": f"PSP-{ref}",
            "amount": "0",
            "currency": "EUR",
            "status": "captured",
            "captured_at": (occurred + timedelta(minutes=1)).isoformat(),
            "method": rng.choice(["card", "card", "card", "paypal", "transfer"]),
        },
        "delivery": delivery,
    }
    if any(p[4] in ("home_renovation", "energy_renovation") for p in picks):
        # The facts of the French works rates (CGI 279-0 bis, 278-0 bis A): a dwelling completed more than
        # two years before, and the client's certification accepted with the quote.
        event["works"] = {
            "dwelling": True,
            "completed_on": f"{rng.randint(1960, 2020)}-0{rng.randint(1, 9)}-15",
            "client_statement": {
                "accepted_at": (occurred - timedelta(days=12)).isoformat(),
                "text_id": "fr-attestation-lf2025",
            },
        }
    if rng.random() < 0.4 and any(p[3] == "goods" for p in picks):
        event["shipping"] = {"amount": rng.choice(["4.90", "9.90", "19.00"]) if not business else "8.25"}
    if rng.random() < 0.08:
        event["discounts"] = [{"amount": "5.00", "reason": "Code promo BIENVENUE"}]
    return event


def _maybe_break(rng: random.Random, event: dict[str, Any], kind: float) -> Any:
    """About 5 % of events are wrong in the ways real feeds are wrong."""
    if kind < 0.01 or kind > 0.05:
        return event
    flaw = rng.choice(["amount", "pending", "rate", "unknown_seller", "quantity", "currency", "json"])
    if flaw == "amount":
        event["payment"]["amount"] = str(Decimal(event["payment"]["amount"]) + Decimal("1.00"))
    elif flaw == "pending":
        event["payment"]["status"] = "authorized"
        event["payment"]["captured_at"] = None
    elif flaw == "rate":
        event["lines"][0].pop("tax_category", None)
        event["lines"][0]["vat_rate"] = "19.6"
    elif flaw == "unknown_seller":
        event["seller_id"] = "vendeur-inconnu"
    elif flaw == "quantity":
        event["lines"][0]["quantity"] = "-1"
    elif flaw == "currency":
        event["payment"]["currency"] = "USD"
    elif flaw == "json":
        return {"type": "order.paid", "event_id": event["event_id"], "truncated": True}
    return event
