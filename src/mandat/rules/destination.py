"""The rates of a sale taxed in another country than the one whose invoicing rules apply.

An OSS distance sale is invoiced under the rules of the seller's member state of identification
but taxed at the destination's rate for the product (Directive 2006/112/EC art. 33, 219a(2)(b),
369a ff.); works on a property abroad declared through the OSS at the property's rate (art. 47);
the marketplace's own sales as deemed supplier at the buyer's country's rate (art. 14a).

A line's ``tax_category`` is a key of the seller country's table: it says nothing of the product's
rate elsewhere. So the destination's key is the line's ``destination_tax_category``. Without one,
the destination's standard rate applies to a line that is at the standard rate at home (or that
has no home key); a line with a reduced home key and no destination key is refused: the conservative
reading never guesses a reduced rate and never taxes a reduced product at the standard rate in
silence. An explicit ``vat_rate`` is a home rate: it is refused here unless it equals the
destination's decided rate.
"""

from __future__ import annotations

from decimal import Decimal

from mandat.countries.jurisdiction import Jurisdiction, Sale
from mandat.countries.registry import UnknownCountry, jurisdiction
from mandat.domain.documents import VatCategory
from mandat.domain.events import Line, OrderPaid
from mandat.domain.refusals import Rejected


def destination_rules(country: str, why: str) -> Jurisdiction:
    """The pack whose rates tax the sale; Rejected when the country has none."""
    try:
        # Northern Ireland (XI) taxes goods at the UK's rates (Windsor Framework art. 8; VATA 1994).
        return jurisdiction("GB" if country == "XI" else country)
    except UnknownCountry as exc:
        raise Rejected(
            "unsupported_country",
            f"{why}: taxed at the rates of {country}, a country without rules in mandat ({exc})",
        ) from exc


def rebased(event: OrderPaid) -> OrderPaid:
    """The event with each line's key replaced by its destination key (see the module docstring)."""
    lines: list[Line] = []
    for ln in event.lines:
        key = ln.destination_tax_category
        if key is None and ln.tax_category is not None and ln.tax_category != "standard":
            raise Rejected(
                "destination_category_missing",
                f"line {ln.sku}: category {ln.tax_category} is a rate of the seller's country; the sale is taxed "
                "at the destination's rate for the product: send destination_tax_category (a key of the "
                "destination's table, e.g. standard)",
            )
        lines.append(
            ln.model_copy(
                update={"tax_category": key or "standard", "vat_rate": None, "destination_tax_category": None}
            )
        )
    return event.model_copy(update={"lines": lines})


def destination_categories(dest: Jurisdiction, sale: Sale) -> list[tuple[VatCategory, Decimal]]:
    """Category and rate of every line at the destination (its works keys checked with the works facts)."""
    event = rebased(sale.event)
    dsale = Sale(
        event=event,
        seller=sale.seller,
        day=sale.day,
        tax_point=sale.tax_point,
        business=sale.business,
        buyer_vat_country=sale.buyer_vat_country,
        language=sale.language,
        mention_language=sale.mention_language,
        trace=sale.trace,
    )
    out: list[tuple[VatCategory, Decimal]] = []
    for original, ln in zip(sale.event.lines, event.lines, strict=True):
        cat, rate = dest.line_rate(dsale, ln, f"line {ln.sku}")
        if original.vat_rate is not None and original.vat_rate != rate:
            raise Rejected(
                "vat_rate_mismatch",
                f"line {ln.sku}: the event says {original.vat_rate}%, the rate of {dest.code} for "
                f"{ln.tax_category} is {rate}%",
            )
        out.append((cat, rate))
    return out
