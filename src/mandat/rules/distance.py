"""Distance sales of goods to consumers in another member state: origin or destination VAT.

Directive 2006/112/EC, as amended by Directive 2017/2455 (in force 2021-07-01):

* art. 33(a): goods dispatched by or for the supplier from one member state to a consumer (a
  non-taxable person) in another are supplied where the transport ends: the destination's VAT at
  the destination's rate for the product;
* art. 59c(1): except for a supplier established in one member state only whose intra-EU distance
  sales of goods and telecommunications/broadcasting/electronic services, net of VAT, did not exceed
  EUR 10,000 in the previous calendar year and have not exceeded it in the current one: then the
  supplier's member state (origin VAT). The supply by which the threshold is exceeded is already
  taxed at destination (art. 59c(1)(c) "has not ... exceeded"; Explanatory Notes on the e-commerce
  VAT rules, September 2020, §2.2.1.1.3);
* art. 59c(2): the supplier may opt for destination taxation below the threshold, for at least two
  calendar years (``OneStopShop.destination_option``);
* art. 59c(3): a member state outside the euro sets the equivalent in national currency at the
  rate of 5 December 2017: Poland PLN 42,000 (ustawa o VAT art. 22a ust. 1);
* art. 369a-369k (Union OSS): the destination's VAT is declared in the member state of
  identification, whose invoicing rules apply (art. 219a(2)(b)).

The count is the store's (``Tally``): every EU distance sale mandat issues adds its net value, in the
currency of the seller's country; what mandat did not issue comes from the seller registry
(``DistanceSalesOpening``), never guessed: without it, no distance sale is decided (unless the seller
opted for destination taxation, which makes the count irrelevant).

UNSURE, conservative readings:

* a credit note does not lower the count (art. 59c counts supplies; whether a later refund reduces the
  value of the year's supplies is not settled): the count can only run ahead of the law's, which
  moves sales to destination taxation sooner (what the seller may always choose, art. 59c(2));
* the year of a sale is its delivery's (the chargeable event, art. 63);
* a seller established in more than one member state is refused by the registry model (one
  establishment, the address's country).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from mandat.domain.parties import Seller
from mandat.domain.refusals import Rejected

# art. 59c(1)(c), (3); ustawa o VAT art. 22a ust. 1 (PLN 42 000).
THRESHOLDS: dict[str, tuple[Decimal, str]] = {
    "EUR": (Decimal("10000"), "Directive 2006/112/EC art. 59c(1)(c)"),
    "PLN": (Decimal("42000"), "Directive 2006/112/EC art. 59c(3); ustawa o VAT art. 22a ust. 1"),
}


@dataclass(frozen=True)
class Standing:
    """Where a seller's count stands for ``year``, in ``currency``."""

    year: int
    currency: str
    threshold: Decimal
    basis: str
    previous: Decimal | None  # the previous year's total; None when the option makes it irrelevant
    opening: Decimal  # the current year's total before mandat counted (registry)
    counted: Decimal  # what mandat issued this year (store)
    option: bool

    @property
    def current(self) -> Decimal:
        return self.opening + self.counted

    @property
    def limit(self) -> Decimal:
        """What the store's count plus a sale may reach for the sale to stay taxed at origin."""
        return self.threshold - self.opening


def standing(seller: Seller, currency: str, year: int, counts: Callable[[str, int], Decimal]) -> Standing:
    """The seller's count for ``year``, or Rejected when the registry does not say enough."""
    if currency not in THRESHOLDS:
        raise Rejected(
            "unsupported_case",
            f"a distance sale by a seller of a country whose currency is {currency}: the national equivalent of "
            "the EUR 10,000 threshold (Directive 2006/112/EC art. 59c(3)) is not known to mandat",
        )
    threshold, basis = THRESHOLDS[currency]
    option = seller.oss is not None and seller.oss.destination_option
    opening = seller.distance_sales
    counted = counts(seller.id, year)
    if opening is None:
        if option:
            return Standing(year, currency, threshold, basis, None, Decimal(0), counted, option)
        raise Rejected(
            "distance_sales_unknown",
            f"seller {seller.id}: a distance sale to a consumer in another member state is taxed at origin or at "
            f"destination by the seller's EU distance sales of {year - 1} and {year} ({basis}); the registry has "
            "no distance_sales totals (previous year, current year before mandat): add them to the seller",
        )
    if year < opening.year:
        raise Rejected(
            "distance_sales_unknown",
            f"seller {seller.id}: a distance sale delivered in {year}, before {opening.year}, the year of the "
            "registry's distance-sales totals: the count of that year is not known",
        )
    if year == opening.year:
        previous = opening.previous_year
        opening_current = opening.current_year
    elif year == opening.year + 1:
        previous = opening.current_year + counts(seller.id, year - 1)
        opening_current = Decimal(0)
    else:
        previous = counts(seller.id, year - 1)
        opening_current = Decimal(0)
    return Standing(year, currency, threshold, basis, previous, opening_current, counted, option)


@dataclass(frozen=True)
class Verdict:
    destination: bool
    note: str


def place_of_distance_sale(s: Standing, amount_at_origin: Decimal | None, seller: Seller, to: str) -> Verdict:
    """Origin or destination for a sale of ``amount_at_origin`` (net at origin rates; None: not known yet)."""
    fmt = f"{s.currency} {{:,.2f}}"
    if s.option:
        return Verdict(True, "seller opted for destination taxation (Directive 2006/112/EC art. 59c(2))")
    assert s.previous is not None
    if s.previous > s.threshold:
        return Verdict(
            True,
            f"EU distance sales of {s.year - 1}: {fmt.format(s.previous)}, above the {fmt.format(s.threshold)} "
            f"threshold ({s.basis})",
        )
    if s.current > s.threshold:
        return Verdict(
            True,
            f"EU distance sales of {s.year} so far: {fmt.format(s.current)}, above the {fmt.format(s.threshold)} "
            f"threshold ({s.basis})",
        )
    if amount_at_origin is not None and s.current + amount_at_origin > s.threshold:
        return Verdict(
            True,
            f"EU distance sales of {s.year}: {fmt.format(s.current)} so far, this sale of "
            f"{fmt.format(amount_at_origin)} exceeds the {fmt.format(s.threshold)} threshold ({s.basis}): taxed "
            "at destination from this sale on",
        )
    return Verdict(
        False,
        f"EU distance sales of {s.year - 1}: {fmt.format(s.previous)}, of {s.year} so far: "
        f"{fmt.format(s.current)}; with this sale still at most {fmt.format(s.threshold)} ({s.basis}): taxed in "
        f"{seller.address.country}, the seller's member state",
    )


def check_oss(seller: Seller, to: str, verdict: Verdict) -> None:
    """Destination VAT is declared through the seller's Union OSS registration: without one, refused."""
    if seller.oss is None:
        raise Rejected(
            "oss_registration_missing",
            f"distance sale to a consumer in {to} taxed there ({verdict.note}; Directive 2006/112/EC art. 33): "
            f"seller {seller.id} has no Union OSS registration in the registry (art. 369a); a VAT registration "
            f"in {to} without the OSS is not handled",
        )
