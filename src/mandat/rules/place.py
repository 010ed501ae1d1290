"""Where a sale is taxed when it crosses a border, and how: the treatment of each nature of line.

Directive 2006/112/EC, for a seller established in a member state:

* goods dispatched to a business identified for VAT in another member state, and delivered there:
  exempt intra-EU supply (art. 138), category K, both VAT ids on the invoice (art. 226(3), (4));
* goods leaving the EU VAT area, to a third country or to a territory of art. 6 (the Canary Islands,
  the French overseas departments...): exempt export (art. 146), category G;
* services to a business established in another member state: taxed where the customer is
  (art. 44), the customer accounts for the VAT (art. 196), category AE, "Reverse charge" (art.
  226(11a)), both VAT ids. The buyer's VAT id is the evidence of its status (Implementing Regulation
  282/2011 art. 18(1)); without one the customer is treated as a non-taxable person (art. 18(2)).

For a seller in the United Kingdom (VATA 1994): goods leaving the UK VAT area, EU included, are
zero-rated exports (s.30(6), (8); HMRC Notice 703), category G; services to a business belonging
outside the UK are supplied where it belongs (s.7A(2)(a)): outside the scope of UK VAT, category O.

Installation and works on a property in another member state (art. 47, art. 36) to a business
identified there, where that state reverse-charges non-established suppliers (art. 194): category AE
under the seller's rules (art. 219a(1)), ``rules/installation.py``; any other works abroad refused.

Refused, naming the rule, never guessed: distance sales to consumers in another member state (art.
33, 59c: OSS), services to consumers abroad (art. 45 and its exceptions), services to businesses
outside the EU from an EU seller, works abroad without a local reverse charge, goods dispatched from
another country than the seller's (art. 32), services to a territory of art. 6, triangular or
third-state deliveries (art. 41, 141). Whether a service is connected with immovable property is read
from the event (works facts, ``works_part``, a works rate key): a service the event does not flag
is taken as a general service (UNSURE: art. 47-56 exceptions are the seller's classification).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from decimal import Decimal

from mandat.domain.documents import VatCategory
from mandat.domain.events import OrderPaid
from mandat.domain.parties import EU_COUNTRIES, Seller, vat_country
from mandat.domain.refusals import Rejected
from mandat.rules.installation import DIRECTIVE_WORKS, local_reverse_charge
from mandat.rules.territory import Place, vat_place

# The national provisions of each treatment, for the trace (the mention texts carry the printed ones).
NATIONAL: dict[str, dict[str, str]] = {
    "FR": {"K": "CGI art. 262 ter I", "G": "CGI art. 262 I", "AE": "CGI art. 259-1°"},
    "BE": {"K": "Code TVA art. 39bis", "G": "Code TVA art. 39", "AE": "Code TVA art. 21 § 2, 51 § 2 1°"},
    "DE": {"K": "UStG §4 Nr. 1b, §6a", "G": "UStG §4 Nr. 1a, §6", "AE": "UStG §3a(2), §13b(1), (5)"},
    "ES": {"K": "LIVA art. 25", "G": "LIVA art. 21", "AE": "LIVA art. 69.Uno.1º, 84.Uno.2º.a"},
    "IT": {"K": "DL 331/1993 art. 41", "G": "DPR 633/1972 art. 8", "AE": "DPR 633/1972 art. 7-ter, 17 c.2"},
    "PT": {"K": "RITI art. 14", "G": "CIVA art. 14", "AE": "CIVA art. 6 n.º 6 a), 2 n.º 1 i)"},
    "PL": {
        "K": "ustawa o VAT art. 42 (0 %)",
        "G": "ustawa o VAT art. 41 ust. 4 (0 %)",
        "AE": "art. 28b, 17 ust. 1 pkt 4",
    },
    "GB": {"G": "VATA 1994 s.30(6), (8); HMRC Notice 703", "O": "VATA 1994 s.7A(2)(a)"},
}
DIRECTIVE = {
    "K": "Directive 2006/112/EC art. 138",
    "G": "Directive 2006/112/EC art. 146",
    "AE": "Directive 2006/112/EC art. 196",
}
# Dispatch from these places is dispatch from the seller's country's VAT area (Monaco, Isle of Man).
SAME_AREA = {"MC": "FR", "IM": "GB"}


@dataclass(frozen=True)
class Exemption:
    """How one nature of line is treated: EN 16931 category, VATEX code (BT-121), the code of the
    mention whose text is the exemption reason (BT-120), the legal basis for the trace."""

    category: VatCategory
    vatex: str
    mention: str
    basis: str
    values: dict[str, str] = field(default_factory=dict)  # the mention text's placeholders


@dataclass
class Treatment:
    goods: Exemption | None = None
    services: Exemption | None = None
    vat_ids: bool = False  # both VAT ids printed (Directive art. 226(3), (4))
    notes: list[str] = field(default_factory=list)
    works_abroad: bool = False  # the seller's works rate keys do not apply (rules/installation.py)
    # A distance sale of goods to a consumer in another member state: origin or destination VAT by the
    # seller's count (rules/distance.py), decided by the caller, which knows the seller's registry.
    distance: bool = False
    # Works services for a consumer in this member state, declared through the seller's OSS (art. 47).
    works_oss: str | None = None

    def of(self, nature: str) -> Exemption:
        found = self.goods if nature == "goods" else self.services
        assert found is not None  # decide() sets the nature of every line of the order
        return found


def basis(home: str, category: str) -> str:
    national = NATIONAL.get(home, {}).get(category)
    directive = DIRECTIVE.get(category)
    return "; ".join(b for b in (national, directive if home != "GB" else None) if b)


def check_dispatch(home: str, event: OrderPaid) -> None:
    origin = event.delivery.dispatched_from
    if origin is not None and SAME_AREA.get(origin, origin) != home:
        raise Rejected(
            "unsupported_case",
            f"goods dispatched from {origin}: the place of supply is where the transport starts (Directive "
            "2006/112/EC art. 32); a seller's stock in another country is not handled yet",
        )


@dataclass(frozen=True)
class Local:
    """A supply made in another member state where the seller holds a VAT registration."""

    country: str
    vat_id: str
    note: str


def local_registration(home: str, event: OrderPaid, seller: Seller) -> Local | None:
    """The registration a supply uses when it takes place in another member state, or None (supplied from home).

    * goods dispatched from another member state (a stock there): supplied where the transport starts
      (Directive 2006/112/EC art. 32), invoiced under that state's rules with the seller's id there;
    * works for a consumer on a property in another member state (art. 47; goods installed, art. 36), where
      the seller is registered: the same. A business customer identified there keeps the local reverse
      charge of ``rules/installation.py`` (registration does not make the supplier established there).

    A dispatch from a state where the seller is not registered is refused by ``check_dispatch``.
    """
    if home not in EU_COUNTRIES:
        return None
    origin = event.delivery.dispatched_from
    if origin is not None and SAME_AREA.get(origin, origin) != home and any(ln.nature == "goods" for ln in event.lines):
        reg = seller.registered_in(SAME_AREA.get(origin, origin))
        if reg is None or reg.country not in EU_COUNTRIES:
            return None  # check_dispatch refuses it, naming art. 32
        return Local(
            reg.country,
            reg.vat_id,
            f"goods dispatched from {origin}, where seller {seller.id} is registered for VAT as {reg.vat_id} (since "
            f"{reg.since}): supplied there (Directive 2006/112/EC art. 32), under its rules (art. 219a(1))",
        )
    if event.buyer.kind == "consumer" and event.works is not None and event.works.property_address is not None:
        country = event.works.property_address.country
    elif event.buyer.kind == "consumer" and is_works(event, ()):
        country = (event.delivery.address or event.buyer.address).country
    else:
        return None
    reg = seller.registered_in(country)
    if country == home or reg is None or country not in EU_COUNTRIES:
        return None
    site = vat_place(
        event.works.property_address
        if event.works and event.works.property_address
        else (event.delivery.address or event.buyer.address),
        "the works' property",
        country,
    )
    if site.kind != "home":
        return None  # a territory: refused by the works rules
    return Local(
        country,
        reg.vat_id,
        f"installation/works on a property in {country} for a consumer ({DIRECTIVE_WORKS}): supplied there; "
        f"seller {seller.id} is registered for VAT there as {reg.vat_id} (since {reg.since}): under {country} rules "
        "(art. 219a(1))",
    )


def is_works(event: OrderPaid, works_keys: Collection[str]) -> bool:
    return event.works is not None or any(
        ln.works_part is not None or ln.tax_category in works_keys for ln in event.lines
    )


def works_abroad(country: str, why: str) -> Rejected:
    return Rejected(
        "unsupported_case",
        f"installation/works on a property in {country}: taxed where the property is (Directive 2006/112/EC "
        f"art. 47; goods installed: art. 36); {why}",
    )


def works_site(home: str, event: OrderPaid, delivery: Place) -> Place:
    """Where the works' property is: ``works.property_address``, else the delivery address."""
    site = event.works.property_address if event.works is not None else None
    return delivery if site is None else vat_place(site, "the works' property", home)


def _works(
    home: str,
    event: OrderPaid,
    site: Place,
    buyer_vat_country: str | None,
    works_keys: Collection[str],
    oss: bool = False,
) -> Treatment:
    """Works on a property outside the seller's country: the local reverse charge, or Rejected."""
    to = site.country
    if site.kind == "territory":
        raise works_abroad(to, f"{site.why}: a territory outside the EU VAT area, not handled yet")
    if home == "GB":
        where = "an EU member state" if to in EU_COUNTRIES else "outside the UK"
        raise works_abroad(
            to,
            f"a UK seller's works in {where} are supplied there (VATA 1994 Sch 4A para 1 for the UK side); the "
            "local registration or reverse charge of a supplier established outside the EU is not handled yet",
        )
    if site.kind == "third":
        rules = (
            "the UK's (VATA 1994 Sch 4A para 1; UK reverse charge or registration)"
            if to in ("GB", "IM")
            else "that country's"
        )
        raise works_abroad(to, f"outside the EU VAT area, under {rules} rules, not handled yet")
    natures = {ln.nature for ln in event.lines}
    buyer = event.buyer
    if buyer.kind == "consumer" and natures == {"service"} and oss:
        # Services connected with immovable property for a consumer: taxed where the property is (art. 47),
        # which the Union OSS covers for a supplier not established there (art. 369a(1), 369b). Goods
        # supplied and installed are not a distance sale (art. 36, outside art. 33): local registration.
        out = Treatment(works_oss=to, works_abroad=True)
        out.notes.append(
            f"installation/works services on a property in {to} for a consumer ({DIRECTIVE_WORKS}): supplied "
            f"there, at its rates"
        )
        return out
    row = local_reverse_charge(to, natures, buyer.kind == "business", buyer_vat_country, buyer.address.country)
    base = f"{row.article}; Directive 2006/112/EC art. 194"
    exemption = Exemption(
        "AE", "VATEX-EU-AE", "reverse_charge_works_abroad", base, {"basis": row.article, "country": to}
    )
    out = Treatment(
        goods=exemption if "goods" in natures else None,
        services=exemption if "service" in natures else None,
        vat_ids=True,
        works_abroad=True,
    )
    out.notes.append(
        f"installation/works on a property in {to} ({DIRECTIVE_WORKS}): supplied there; the customer "
        f"{buyer.vat_id}, identified in {to}, accounts for the VAT ({base}); invoice under {home} rules "
        "(art. 219a(1)), category AE, VATEX-EU-AE"
    )
    keys = sorted({ln.tax_category for ln in event.lines if ln.tax_category in works_keys and ln.tax_category})
    if keys:
        out.notes.append(
            f"works rate key{'s' if len(keys) > 1 else ''} {', '.join(keys)}: a reduced rate of {home} for works "
            f"in {home}, never applied abroad: 0 % AE"
        )
    return out


def cross_border(
    home: str,
    event: OrderPaid,
    delivery: Place,
    buyer_vat_country: str | None,
    works_keys: Collection[str],
    oss: bool = False,
) -> Treatment | None:
    """The treatment of a sale that is not domestic, None for a domestic one, or Rejected naming the rule.

    ``oss``: the seller is registered for the Union OSS (works services for consumers abroad).
    """
    eu_seller = home in EU_COUNTRIES
    natures = {ln.nature for ln in event.lines}
    buyer = event.buyer
    business = buyer.kind == "business"
    eu_business = eu_seller and business and buyer_vat_country in EU_COUNTRIES and buyer_vat_country != home
    if is_works(event, works_keys):
        # Works are supplied where the property is (art. 47), goods installed where installed (art. 36):
        # decided before the pack's domestic works rules, which are about a property at home.
        site = works_site(home, event, delivery)
        return None if site.kind == "home" else _works(home, event, site, buyer_vat_country, works_keys, oss)
    out = Treatment()
    at_home: dict[str, bool] = {}
    if "goods" in natures:
        at_home["goods"] = delivery.kind == "home"
        if not at_home["goods"]:
            goods = _goods(home, event, delivery, buyer_vat_country, eu_business, out.notes)
            if goods is None:
                if "service" in natures:
                    raise Rejected(
                        "unsupported_case",
                        f"a distance sale of goods to a consumer in {delivery.country} with services on one invoice: "
                        "the place of supply of services to consumers (Directive art. 45 and its exceptions) is not "
                        "handled, split the order",
                    )
                out.distance = True
                return out
            out.goods = goods
    if "service" in natures:
        out.services = _services(home, event, delivery, buyer_vat_country, eu_business, out.notes)
        at_home["services"] = out.services is None
    if all(at_home.values()):
        return None
    if any(at_home.values()):
        g, sv = ("", "not ") if at_home["goods"] else ("not ", "")
        raise Rejected(
            "unsupported_case",
            f"the goods of this order are {g}a domestic sale and its services are {sv}({out.notes[-1]}): "
            "one invoice cannot mix them, split the order",
        )
    categories = {e.category for e in (out.goods, out.services) if e is not None}
    if "O" in categories and len(categories) > 1:
        raise Rejected(
            "unsupported_case",
            "goods and services outside the scope of VAT on one invoice: EN 16931 allows no other VAT category "
            "beside 'O' (BR-O-11), split the order",
        )
    out.vat_ids = bool(categories & {"K", "AE"})
    return out


def _goods(
    home: str, event: OrderPaid, delivery: Place, buyer_vat_country: str | None, eu_business: bool, notes: list[str]
) -> Exemption | None:
    """The exemption of goods leaving the seller's country; None for a distance sale to a consumer in another
    member state (origin or destination VAT: rules/distance.py)."""
    to = delivery.country
    if delivery.northern_ireland:
        return _northern_ireland(home, event, buyer_vat_country, notes)
    if event.buyer.kind == "consumer" and delivery.kind == "third" and not _seller_exports(home, to, event):
        # A consignment the marketplace supplies itself (deemed supplier, rules/deemed.py): not the seller's.
        raise Rejected(
            "unsupported_case",
            f"goods for a consumer in {to}: up to {'GBP 135' if to == 'GB' else 'EUR 150'} the marketplace is the "
            "supplier (VATA 1994 s.5A; Directive 2006/112/EC art. 14a(1)), above it the seller exports: the "
            "consignment's intrinsic value must say which (delivery.consignment)",
        )
    if delivery.kind in ("third", "territory"):
        where = (
            delivery.why
            if delivery.kind == "territory"
            else f"{to}, outside the {'EU' if home != 'GB' else 'UK'} VAT area"
        )
        extra = "; Directive art. 6: outside the EU VAT area" if delivery.kind == "territory" and home != "GB" else ""
        notes.append(f"goods shipped to {where}: export, no VAT ({basis(home, 'G')}{extra}), category G, VATEX-EU-G")
        return Exemption("G", "VATEX-EU-G", "export", basis(home, "G"))
    # delivery.kind == "eu": another member state, for an EU seller
    buyer = event.buyer
    if eu_business and to == buyer_vat_country:
        notes.append(
            f"intra-EU supply of goods to {buyer.vat_id} ({buyer_vat_country}), delivered to {to}: exempt "
            f"({basis(home, 'K')}), category K, VATEX-EU-IC"
        )
        return Exemption("K", "VATEX-EU-IC", "intra_eu_goods", basis(home, "K"))
    if eu_business:
        raise Rejected(
            "unsupported_case",
            f"goods delivered to {to} for a buyer identified in {buyer_vat_country}: the acquisition is taxed in "
            f"{to} (Directive art. 40) and the buyer's id of another state (art. 41; triangulation, art. 141) "
            "is not handled yet",
        )
    if buyer.kind == "business":
        why = "no VAT id" if buyer_vat_country is None else f"a VAT id of {buyer_vat_country}"
        raise Rejected(
            "unsupported_case",
            f"goods delivered to {to} for a business with {why}: not an exempt intra-EU supply (Directive art. 138 "
            "needs the buyer's VAT id of another member state); a distance sale taxed at destination "
            "(art. 33, OSS art. 369a) is not supported yet",
        )
    notes.append(
        f"distance sale of goods to a consumer in {to}, dispatched by the seller (Directive 2006/112/EC art. 33, 59c)"
    )
    return None


def _northern_ireland(home: str, event: OrderPaid, buyer_vat_country: str | None, notes: list[str]) -> Exemption | None:
    """Goods from a member state to Northern Ireland: EU VAT rules for goods (Windsor Framework art. 8 and
    Annex 3; Directive 2006/112/EC read with "XI"): an intra-EU supply to a business identified with an XI
    number (art. 138, category K), a distance sale to a consumer (art. 33, 59c: None, decided by the count);
    anything else refused. Services stay those of a third country (``_services``)."""
    buyer = event.buyer
    if buyer.kind == "business" and buyer_vat_country == "XI":
        notes.append(
            f"goods to {buyer.vat_id}, a business identified in Northern Ireland (XI): EU VAT rules for goods apply "
            f"there (Windsor Framework art. 8): exempt intra-EU supply ({basis(home, 'K')}), category K, VATEX-EU-IC"
        )
        return Exemption("K", "VATEX-EU-IC", "intra_eu_goods", basis(home, "K"))
    if buyer.kind == "business":
        held = "no VAT id" if buyer_vat_country is None else f"a VAT id of {buyer_vat_country}"
        raise Rejected(
            "unsupported_case",
            f"goods delivered to Northern Ireland for a business with {held}: an exempt supply needs its XI number "
            "(Windsor Framework art. 8; Directive art. 138), and a taxed one is not handled",
        )
    notes.append(
        "distance sale of goods to a consumer in Northern Ireland: EU VAT rules for goods (Windsor Framework "
        "art. 8; Directive 2006/112/EC art. 33, 59c), the UK's rates at destination"
    )
    return None


def _seller_exports(home: str, to: str, event: OrderPaid) -> bool:
    """Goods to a consumer in a third country are the seller's export, except a consignment into the EU (from
    the UK) or into the UK (from the EU) at or below the deemed-supplier limit, or without a value."""
    into_eu = home == "GB" and to in EU_COUNTRIES
    if not (into_eu or to == "GB"):
        return True
    consignment = event.delivery.consignment
    limit = (Decimal("150"), "EUR") if into_eu else (Decimal("135"), "GBP")
    return consignment is not None and consignment.currency == limit[1] and consignment.value > limit[0]


def _services(
    home: str, event: OrderPaid, delivery: Place, buyer_vat_country: str | None, eu_business: bool, notes: list[str]
) -> Exemption | None:
    buyer = event.buyer
    if delivery.kind == "territory":
        raise Rejected(
            "territory_unhandled",
            f"services delivered in {delivery.why}: services to a territory outside the EU VAT area are not "
            "handled yet",
        )
    if eu_business:
        established = vat_place(buyer.address, "the buyer's establishment", home)
        if established.kind == "territory":
            raise Rejected(
                "territory_unhandled",
                f"services to a business established in {established.why}: not handled yet",
            )
        if established.country != buyer_vat_country:
            raise Rejected(
                "unsupported_case",
                f"services to a business whose address is in {established.country} and VAT id of "
                f"{buyer_vat_country}: which establishment receives them (Directive art. 44, second sentence; "
                "Implementing Regulation 282/2011 art. 21-22) is not told",
            )
        notes.append(
            f"services to {buyer.vat_id}, a business established in {buyer_vat_country}: supplied there "
            f"(Directive art. 44), reverse charge ({basis(home, 'AE')}), category AE, VATEX-EU-AE"
        )
        return Exemption("AE", "VATEX-EU-AE", "reverse_charge_services", basis(home, "AE"))
    if home == "GB" and buyer.kind == "business":
        belongs = vat_place(buyer.address, "the buyer's establishment", home)
        uk_id = buyer.vat_id is not None and vat_country(buyer.vat_id) in ("GB", "XI")
        if belongs.kind == "territory":
            raise Rejected(
                "territory_unhandled", f"services to a business established in {belongs.why}: not handled yet"
            )
        if belongs.kind != "home" and not uk_id:
            notes.append(
                f"services to a business belonging in {belongs.country}: supplied where it belongs "
                f"({basis(home, 'O')}), outside the scope of UK VAT, category O, VATEX-EU-O"
            )
            return Exemption("O", "VATEX-EU-O", "outside_scope_services", basis(home, "O"))
        if belongs.kind != "home":
            raise Rejected(
                "unsupported_case",
                f"services to a business with UK VAT id {buyer.vat_id} and an address in {belongs.country}: where it "
                "belongs (VATA 1994 s.9) is not told",
            )
    if delivery.kind == "home":
        return None
    if home == "GB":
        raise Rejected(
            "unsupported_case",
            f"services to a {'UK business' if buyer.kind == 'business' else 'consumer'} delivered in "
            f"{delivery.country}: place of supply outside the general rule (VATA 1994 s.7A, Sch 4A) not supported yet",
        )
    if buyer.kind == "business" and delivery.kind == "third":
        raise Rejected(
            "unsupported_case",
            f"services to a business outside the EU ({delivery.country}): outside the scope of EU VAT (Directive "
            "art. 44) with their own mention, not supported yet",
        )
    who = "business without a VAT id of another member state" if buyer.kind == "business" else "consumer"
    raise Rejected(
        "unsupported_case",
        f"services to a {who}"
        f" delivered in {delivery.country}: place of supply of services to non-taxable persons (Directive art. 45, "
        "with the exceptions of art. 46-59c) not supported yet",
    )
