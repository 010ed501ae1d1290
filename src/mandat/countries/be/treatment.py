"""Belgium: the decisions of a domestic sale that are Belgian law.

* 6 % renovation of dwellings (``home_renovation``; AR n° 20, table A, rubric XXXI, UNSURE rubric):
  immovable works on a building used as a dwelling, first occupied in a calendar year at least ten
  years before the first invoice (this invoice: marketplace orders are invoiced once), used after the
  works exclusively or mainly as a private dwelling, supplied **with installation** and invoiced to a
  final consumer. Facts: ``works.dwelling``, ``works.private_use``, ``works.first_occupied_year``,
  ``works.installed_by_seller``, a works line (service, or goods with ``works_part``), the property in
  Belgium; the statement of the law of 27 December 2021 is printed (no prior client acceptance, so
  ``client_statement`` is not required). Fossil-fuel heating is excluded (programme law of
  18 July 2025, circular 2025/C/47; exact scope UNSURE BE-5): a ``fossil_heating`` line is refused.
* Cocontractant reverse charge (AR n° 1 art. 20; Code TVA art. 51 § 2, al. 1er, 5°: UNSURE
  paragraph): immovable works for a customer who files periodic Belgian VAT returns (since
  2023-01-01 whether established or not): no VAT, category AE, the statement of art. 20 § 3.
  The customer's status is a fact the marketplace sends (``buyer.facts.be_periodic_filer``).
* Franchise (Code TVA art. 56bis; AR n° 19 of 15 December 2024): no VAT, category E, the mention;
  taxable persons who habitually perform immovable works are excluded for their whole activity
  (art. 56bis § 2, al. 2, 1°): a franchise seller's works sale is refused.
* B2B between Belgian taxable persons: since 2026-01-01 the invoice is the structured e-invoice sent
  over Peppol (law of 6 February 2024; UNSURE date of the act): the PDF is a copy.
"""

from __future__ import annotations

from datetime import date

from mandat.countries.base import Mention
from mandat.countries.jurisdiction import Franchise, Jurisdiction, ReverseCharge, Sale
from mandat.domain.calculation import TaxedLine
from mandat.domain.events import OrderPaid
from mandat.domain.refusals import Rejected

RENOVATION_AGE = 10  # calendar years between first occupation and the first invoice
REVERSE_CHARGE = ReverseCharge("reverse_charge_works", "AR n° 1 art. 20 (cocontractant)")
FRANCHISE = Franchise("franchise", None, "Code TVA art. 56bis; AR n° 19")
PEPPOL_FROM = date(2026, 1, 1)


def is_works(event: OrderPaid) -> bool:
    """Immovable works, as the event says it: works facts, a works part, or the works rate."""
    return (
        event.works is not None
        or any(ln.works_part is not None for ln in event.lines)
        or any(ln.tax_category == "home_renovation" for ln in event.lines)
    )


def check_works(pack: Jurisdiction, sale: Sale, key: str) -> None:
    basis = pack.works_keys[key]
    event = sale.event
    if sale.business:
        raise Rejected(
            "works_rate_condition_unmet",
            f"BE {key} ({basis}): the 6 % is for works invoiced to a final consumer, the buyer is a business",
        )
    works = event.works
    missing = [
        f"works.{name}"
        for name in ("dwelling", "private_use", "first_occupied_year", "installed_by_seller")
        if works is None or getattr(works, name) is None
    ]
    lines = [ln for ln in event.lines if ln.tax_category == key]
    missing += [
        f"works_part of line {ln.sku} (goods at 6 % are materials or equipment installed by the seller)"
        for ln in lines
        if ln.nature == "goods" and ln.works_part is None
    ]
    if missing:
        raise Rejected(
            "works_rate_condition_missing",
            f"BE {key} ({basis}) needs {', '.join(missing)}: a dwelling first occupied at least ten calendar "
            "years before the invoice, used mainly as a private dwelling, works supplied with installation",
        )
    assert works is not None
    assert works.first_occupied_year is not None
    if not works.dwelling:
        raise Rejected("works_rate_condition_unmet", f"BE {key} ({basis}): works.dwelling is false")
    if works.private_use == "other":
        raise Rejected(
            "works_rate_condition_unmet",
            f"BE {key} ({basis}): after the works the dwelling is not used exclusively or mainly as a private "
            "dwelling (works.private_use = other)",
        )
    latest = sale.day.year - RENOVATION_AGE
    if works.first_occupied_year > latest:
        raise Rejected(
            "works_rate_condition_unmet",
            f"BE {key} ({basis}): works.first_occupied_year {works.first_occupied_year} is less than ten calendar "
            f"years before the invoice of {sale.day.isoformat()} (at the latest {latest})",
        )
    if not works.installed_by_seller:
        raise Rejected(
            "works_rate_condition_unmet",
            f"BE {key} ({basis}): works.installed_by_seller is false; goods supplied without installation "
            "stay at the standard rate",
        )
    fossil = [ln.sku for ln in lines if ln.works_part == "fossil_heating"]
    if fossil:
        raise Rejected(
            "works_rate_condition_unmet",
            f"BE {key} ({basis}): line {', '.join(fossil)} is fossil-fuel heating, excluded from the 6 % "
            "(programme law of 18 July 2025, circular 2025/C/47)",
        )
    where = works.property_address or event.delivery.address or event.buyer.address
    if where.country != "BE":
        raise Rejected(
            "works_rate_condition_unmet", f"BE {key} ({basis}): the property is in {where.country}, not in Belgium"
        )
    sale.trace.append(
        f"{key}: dwelling first occupied in {works.first_occupied_year} (≤ {latest}), private use "
        f"{works.private_use}, installed by the seller, final consumer ({basis})"
    )


def reverse_charge(sale: Sale) -> ReverseCharge | None:
    event = sale.event
    if not is_works(event):
        return None
    facts = event.buyer.facts
    filer = facts.be_periodic_filer if facts is not None else None
    if filer is None:
        raise Rejected(
            "reverse_charge_condition_missing",
            "BE cocontractant (AR n° 1 art. 20): immovable works for a business buyer need "
            "buyer.facts.be_periodic_filer (does the buyer file periodic Belgian VAT returns?)",
        )
    if not filer:
        sale.trace.append(
            "immovable works for a business that files no periodic Belgian VAT returns: VAT charged by the "
            "seller (AR n° 1 art. 20 does not apply)"
        )
        return None
    if sale.buyer_vat_country != "BE":
        raise Rejected(
            "reverse_charge_condition_missing",
            "BE cocontractant (AR n° 1 art. 20): a buyer filing periodic Belgian returns has a Belgian VAT number, "
            "printed on the invoice: buyer.vat_id (BE) missing",
        )
    sale.trace.append(
        f"immovable works for {event.buyer.vat_id}, a periodic filer: cocontractant reverse charge, "
        "statement of AR n° 1 art. 20 § 3 printed"
    )
    return REVERSE_CHARGE


def franchise(sale: Sale) -> Franchise:
    if is_works(sale.event):
        raise Rejected(
            "franchise_excluded_activity",
            "BE franchise excludes taxable persons performing immovable works (Code TVA art. 56bis § 2, al. 2, 1°): "
            f"seller {sale.seller.id} under the franchise cannot invoice works",
        )
    return FRANCHISE


def invoice_mentions(pack: Jurisdiction, sale: Sale, lines: list[TaxedLine]) -> list[Mention]:
    del lines
    if any(ln.tax_category == "home_renovation" for ln in sale.event.lines):
        mention = pack.mention("renovation_6", sale.day, sale.mention_language)
        sale.trace.append("home_renovation: the client's statement of AR n° 20 (law of 27 December 2021) printed")
        return [mention]
    return []


def legal_channel(sale: Sale) -> str | None:
    """Peppol for an invoice between Belgian taxable persons (a buyer with a BE VAT number), from 2026."""
    if sale.business and sale.buyer_vat_country == "BE" and sale.day >= PEPPOL_FROM:
        return "Peppol"
    return None
