"""The marketplace as deemed supplier: the sales it makes in its own name, not under a mandate.

Directive 2006/112/EC (as amended by Directive 2017/2455 and Regulation 2019/2026, from 2021-07-01):

* art. 14a(2): a taxable person facilitating, through an electronic interface, the supply of goods
  within the EU by a taxable person **not established in the EU** to a non-taxable person is deemed
  to have received and supplied the goods itself. The seller's supply to the marketplace is exempt
  (art. 136a) and dispatch is attributed to the marketplace's supply (art. 36b). The marketplace
  declares the VAT of the member state where the goods arrive through its Union OSS (art. 369b),
  domestic supplies included;
* art. 14a(1): the same for distance sales of goods imported from third territories or third
  countries in consignments of an intrinsic value not exceeding EUR 150, declared through the
  import OSS (IOSS, art. 369l-369x); the destination's VAT (art. 33(c));
* art. 219a(2)(b): invoices under the OSS and IOSS follow the rules of the member state of
  identification: the marketplace's, France here (its Union OSS and its IOSS intermediary-free
  registration, CGI art. 298 sexdecies F and G).

United Kingdom, VATA 1994 s.5A (Finance Act 2020 Sch 8, from 2021-01-01) and Sch 1A: the operator
of an online marketplace is treated as the supplier of goods (a) imported in consignments not
exceeding GBP 135, whoever sells them, and (b) located in the UK and sold by a seller established
outside the UK ("overseas"), to a customer who is not UK VAT-registered (s.5A(1A)): the UK's VAT at
its rates, the marketplace's UK VAT registration.

What the marketplace issues is its own invoice, in its own series (``Marketplace.invoice_series``,
``uk_invoice_series``), with the seller named and the seller's supply to it recorded
(``Document.deemed_supply``). Refused, naming the rule: a consignment whose intrinsic value the event
does not give, or gives in another currency than the threshold's; services in a deemed supply;
goods dispatched from a third country to a territory outside the EU VAT area.

UNSURE (conservative): the seller's supply to the marketplace is recorded on the marketplace's
document, not invoiced separately (art. 136a exempts it; whether the non-EU seller must invoice it is
not settled, and the marketplace holds the records art. 242a asks for); a seller established in the
EU with goods in the UK sold to UK consumers is "overseas" for s.5A (its establishment is not in
the UK).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from mandat.domain.events import OrderPaid
from mandat.domain.parties import EU_COUNTRIES, Marketplace, Seller
from mandat.domain.refusals import Rejected
from mandat.rules.territory import is_northern_ireland, vat_place

EU_IMPORT_LIMIT = Decimal("150")  # Directive art. 14a(1); Regulation 2015/2446 art. 1(48)
UK_IMPORT_LIMIT = Decimal("135")  # VATA 1994 Sch 1A; s.5A(2)

Case = Literal["eu_goods_in_eu", "eu_import", "uk_goods_in_uk", "uk_import"]

BASIS: dict[str, str] = {
    "eu_goods_in_eu": "Directive 2006/112/EC art. 14a(2), 136a (seller's supply to the marketplace exempt), 369b",
    "eu_import": "Directive 2006/112/EC art. 14a(1), 33(c), 369l (IOSS)",
    "uk_goods_in_uk": "VATA 1994 s.5A(1)(b)",
    "uk_import": "VATA 1994 s.5A(1)(a), Sch 1A",
}


@dataclass(frozen=True)
class DeemedCase:
    case: Case
    rules: str  # whose invoicing rules: the marketplace's member state of identification, or GB
    taxed_in: str  # the country whose VAT the sale carries
    scheme: Literal["oss", "ioss", "uk_omp"] | None
    note: str
    seller_country: str

    @property
    def basis(self) -> str:
        return BASIS[self.case]

    @property
    def uk(self) -> bool:
        return self.case.startswith("uk_")


def _area(country: str) -> str:
    return {"MC": "FR", "IM": "GB"}.get(country, country)


def deemed_case(event: OrderPaid, seller: Seller, marketplace: Marketplace) -> DeemedCase | None:
    """The deemed-supplier case of an order, None when the seller supplies (under the mandate), or
    Rejected naming what is missing to decide."""
    buyer = event.buyer
    if buyer.kind != "consumer" or event.works is not None or all(ln.nature != "goods" for ln in event.lines):
        return None
    address = event.delivery.address or buyer.address
    to = _area(address.country)
    established = _area(seller.address.country)
    origin = _area(event.delivery.dispatched_from or seller.address.country)
    if to in EU_COUNTRIES and established not in EU_COUNTRIES:
        place = vat_place(address, "the delivery address", to)
        if place.kind == "territory":
            return None  # outside the EU VAT area: the seller's own export, or refused by its rules
        if origin in EU_COUNTRIES:
            case: Case = "eu_goods_in_eu"
            note = (
                f"goods of {seller.id}, a seller established in {established}, outside the EU, dispatched from "
                f"{origin} to a consumer in {to}"
            )
        else:
            value = _consignment(event, "EUR", to, origin, EU_IMPORT_LIMIT, "Directive 2006/112/EC art. 14a(1)")
            if value > EU_IMPORT_LIMIT:
                return None  # the seller's own sale: imported by the buyer or the seller (art. 30, 201)
            case = "eu_import"
            note = (
                f"goods of {seller.id} ({established}) imported from {origin} in a consignment of EUR {value} "
                f"(at most EUR {EU_IMPORT_LIMIT}) for a consumer in {to}"
            )
        if case == "eu_import" and not marketplace.ioss_id:
            raise Rejected("ioss_registration_missing", f"{note}: the marketplace has no IOSS number configured")
        return _with_services(
            event,
            DeemedCase(
                case, marketplace.address.country, to, _scheme(case, to, marketplace.address.country), note, established
            ),
        )
    if to == "GB" and is_northern_ireland(address):
        if established in EU_COUNTRIES:
            return None  # an EU seller's distance sale or intra-EU supply (rules/place.py)
        raise Rejected(
            "territory_unhandled",
            f"goods of {seller.id}, established in {established}, for a consumer in Northern Ireland: the EU's and the "
            "UK's marketplace rules meet there (Windsor Framework), not handled yet",
        )
    if to == "GB" and established != "GB":
        if address.country != "GB":
            return None  # the Isle of Man: its own VAT administration, left to the seller's rules
        vat_place(address, "the delivery address", "GB")  # Northern Ireland refused there
        if origin == "GB":
            case = "uk_goods_in_uk"
            note = f"goods of {seller.id}, a seller established outside the UK ({established}), located in the UK"
        else:
            value = _consignment(event, "GBP", to, origin, UK_IMPORT_LIMIT, "VATA 1994 s.5A, Sch 1A")
            if value > UK_IMPORT_LIMIT:
                return None  # the seller's export; UK import VAT at the border
            case = "uk_import"
            note = (
                f"goods of {seller.id} ({established}) imported from {origin} in a consignment of GBP {value} "
                f"(at most GBP {UK_IMPORT_LIMIT}) for a consumer in the UK"
            )
        if not marketplace.uk_vat_id:
            raise Rejected("uk_registration_missing", f"{note}: the marketplace has no UK VAT number configured")
        return _with_services(event, DeemedCase(case, "GB", "GB", "uk_omp", note, established))
    return None


def _scheme(case: Case, to: str, home: str) -> Literal["oss", "ioss"] | None:
    """IOSS for imports; the Union OSS for goods in the EU, except in the marketplace's own member state,
    whose VAT goes to its domestic return (the OSS declares the VAT of member states of consumption other
    than the member state of identification, art. 369a, 369b; UNSURE: Explanatory Notes 2020 §4.2)."""
    if case == "eu_import":
        return "ioss"
    return None if to == home else "oss"


def _consignment(event: OrderPaid, currency: str, to: str, origin: str, limit: Decimal, basis: str) -> Decimal:
    consignment = event.delivery.consignment
    if consignment is None:
        raise Rejected(
            "consignment_value_missing",
            f"goods dispatched from {origin} to a consumer in {to}: up to {currency} {limit} the marketplace is the "
            f"supplier ({basis}), above it the seller: send delivery.consignment with the intrinsic value",
        )
    if consignment.currency != currency:
        raise Rejected(
            "consignment_currency",
            f"the consignment's intrinsic value is in {consignment.currency}: the {currency} {limit} limit "
            f"({basis}) is compared with a value in {currency}",
        )
    return consignment.value


def _with_services(event: OrderPaid, case: DeemedCase) -> DeemedCase:
    services = [ln.sku for ln in event.lines if ln.nature == "service"]
    if services:
        raise Rejected(
            "unsupported_case",
            f"{case.note}: the marketplace is the deemed supplier of the goods ({case.basis}), not of the services "
            f"({', '.join(services)}): split the order",
        )
    return case


def marketplace_as_seller(marketplace: Marketplace, uk: bool) -> Seller:
    """The marketplace as the supplier of record of its deemed supplies, in its own series."""
    return Seller(
        id=marketplace.series_owner.lstrip("@") or "marketplace",
        code=marketplace.code,
        legal_name=marketplace.legal_name,
        address=marketplace.address,
        siren=marketplace.siren if marketplace.address.country == "FR" else None,
        vat_id=marketplace.uk_vat_id if uk else marketplace.vat_id,
        legal_form=marketplace.legal_form,
        share_capital=marketplace.share_capital,
        rcs_city=marketplace.rcs_city,
        company_id=marketplace.uk_company_id if uk else None,
        invoice_series=marketplace.uk_invoice_series if uk else marketplace.invoice_series,
        credit_note_series=marketplace.uk_credit_note_series if uk else marketplace.credit_note_series,
    )
