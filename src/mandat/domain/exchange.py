"""Which exchange rate states the VAT in the taxing country's currency, and the amounts it gives.

Pure: rates come from a :class:`RateLookup` (the imported tables, ``mandat.store.rates.lookup``) or
from the event; nothing is downloaded, and a missing rate is a :class:`Waiting` ``rate_missing``,
never a guess (docs/countries.md §10.3 and §11, docs/exchange-rates.md).

Directions: a :class:`Rate` gives ``rate`` units of ``quote`` for one ``base``. The ECB publishes
EUR→X only (X per euro); the NBP publishes X→PLN only (złoty per unit of X, table A "kurs średni").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_EVEN, Context, Decimal
from typing import Literal, Protocol

from mandat.domain.documents import Exchange, TaxCurrencyAmount, VatBreakdown
from mandat.domain.money import q2
from mandat.domain.refusals import Waiting

Source = Literal["ECB", "NBP", "event"]

# A derived rate (inverse or cross of published ones) is kept with this many significant digits.
# The published inputs carry five or six (ECB "0.85430", "163.25"; NBP "4.2345"), so twelve keep six
# digits beyond anything the sources know, and converting even 10^8 units of VAT moves by less than
# 10^-4 of a unit: the recorded rate, not an unrounded quotient, is what the amounts are computed
# with, so anyone can recompute the printed amounts from the printed rate.
DERIVED_DIGITS = 12
_DERIVED = Context(prec=DERIVED_DIGITS, rounding=ROUND_HALF_EVEN)
_EXACT = Context(prec=40)

# ECB rates are published every TARGET working day and NBP table A every Polish working day: the
# longest gap (Easter, Christmas to New Year) is under a week. A newest rate older than this before
# the tax point means the operator has not imported the latest tables, not that none exists.
MAX_AGE = timedelta(days=7)


@dataclass(frozen=True)
class Rate:
    """``rate`` units of ``quote`` for one ``base``, as published for ``day``."""

    source: Source
    base: str
    quote: str
    rate: Decimal
    day: date
    reference: str | None = None  # the NBP table number ("232/A/NBP/2026"); an event's own reference
    # How the source is printed on the document: "ECB", "NBP", or what the event said ("HMRC", a bank).
    label: str | None = None

    def __post_init__(self) -> None:
        if not (self.rate.is_finite() and self.rate > 0):
            raise ValueError(f"{self.source} {self.base}->{self.quote} {self.day}: rate {self.rate} is not > 0")
        if self.base == self.quote:
            raise ValueError(f"{self.source} {self.day}: a rate from {self.base} to itself")

    @property
    def printed_source(self) -> str:
        return self.label or self.source


@dataclass(frozen=True)
class RateRule:
    """Which published rate applies to a tax point.

    ``before_tax_point``: the rate of the last day strictly before the tax point (PL art. 31a: NBP
    or, as the seller's option, ECB "ostatni dzień poprzedzający"); otherwise the tax point's own
    day or the last published before it (Directive 2006/112/EC art. 91(2)).
    """

    source: Literal["ECB", "NBP"]
    before_tax_point: bool
    legal_basis: str


# Directive 2006/112/EC art. 91(2): the latest selling rate at chargeability, or the ECB rate
# (the national transpositions' articles are UNSURE, docs/countries.md §10.3).
EUROZONE_ECB = RateRule("ECB", False, "Directive 2006/112/EC art. 91(2)")
# Ustawa o VAT art. 31a ust. 1: NBP average rate of the last working day before the tax point.
PL_NBP = RateRule("NBP", True, "ustawa o VAT art. 31a ust. 1")
# Ustawa o VAT art. 31a ust. 2a: the seller may choose the ECB rate of the day before the tax point.
PL_ECB = RateRule("ECB", True, "ustawa o VAT art. 31a ust. 2a")
# UK: VAT Regulations 1995 reg. 14 (VAT total in sterling); HMRC accepts a UK market rate at the
# time of supply. The ECB cross rate as that market rate is UNSURE (§10.3); its source is printed.
UK_ECB = RateRule("ECB", False, "VAT Regulations 1995 reg. 14 (UK market rate, ECB cross rate)")


class RateLookup(Protocol):
    """The newest published ``source`` rate from ``base`` to ``quote`` on or before ``latest_day``."""

    def __call__(self, source: str, base: str, quote: str, latest_day: date) -> Rate | None: ...


def pick_rate(
    rule: RateRule,
    lookup: RateLookup,
    invoice_currency: str,
    tax_currency: str,
    tax_point: date,
    given: Rate | None = None,
) -> Rate:
    """The rate converting ``invoice_currency`` amounts to ``tax_currency`` for ``tax_point``.

    ``given`` (a rate the event carried, :func:`event_rate`) is used as it is, without the lookup.
    Raises :class:`Waiting` ``rate_missing`` when the tables lack the rate or are stale (older than
    :data:`MAX_AGE` before the tax point): the event is retried once the operator imports them.
    """
    if given is not None:
        if (given.base, given.quote) != (invoice_currency, tax_currency):
            raise ValueError(f"the given rate is {given.base}->{given.quote}, not {invoice_currency}->{tax_currency}")
        return given
    if invoice_currency == tax_currency:
        raise ValueError(f"no exchange rate is needed from {invoice_currency} to itself")
    latest = tax_point - timedelta(days=1) if rule.before_tax_point else tax_point
    when = "the last day before" if rule.before_tax_point else "on or before"

    def missing(detail: str) -> Waiting:
        return Waiting(
            "rate_missing",
            f"no {rule.source} rate {invoice_currency}->{tax_currency} {when} the tax point {tax_point.isoformat()}"
            f" ({detail}; {rule.legal_basis}): import the table with `mandat rates import`",
        )

    if rule.source == "NBP":
        rate = _nbp(lookup, invoice_currency, tax_currency, latest)
    else:
        rate = _ecb(lookup, invoice_currency, tax_currency, latest)
    if rate is None:
        raise missing(f"nothing imported up to {latest.isoformat()}")
    if tax_point - rate.day > MAX_AGE:
        raise missing(f"the newest imported is of {rate.day.isoformat()}, more than {MAX_AGE.days} days old")
    return rate


def _nbp(lookup: RateLookup, invoice_currency: str, tax_currency: str, latest: date) -> Rate | None:
    if tax_currency != "PLN":
        raise ValueError(f"the NBP quotes złoty only, not {tax_currency}")
    return lookup("NBP", invoice_currency, "PLN", latest)


def _ecb(lookup: RateLookup, invoice_currency: str, tax_currency: str, latest: date) -> Rate | None:
    if invoice_currency == "EUR":
        return lookup("ECB", "EUR", tax_currency, latest)
    if tax_currency == "EUR":
        found = lookup("ECB", "EUR", invoice_currency, latest)
        if found is None:
            return None
        return Rate("ECB", invoice_currency, "EUR", _derived(_EXACT.divide(Decimal(1), found.rate)), found.day)
    # A cross rate: both euro rates of one ECB publication day.
    to_tax = lookup("ECB", "EUR", tax_currency, latest)
    to_invoice = lookup("ECB", "EUR", invoice_currency, latest)
    if to_tax is None or to_invoice is None:
        return None
    if to_tax.day != to_invoice.day:
        # One currency missing from the newer table: go back to the older day for both.
        day = min(to_tax.day, to_invoice.day)
        to_tax = lookup("ECB", "EUR", tax_currency, day)
        to_invoice = lookup("ECB", "EUR", invoice_currency, day)
        if to_tax is None or to_invoice is None or to_tax.day != to_invoice.day:
            return None
    cross = _EXACT.divide(to_tax.rate, to_invoice.rate)
    return Rate("ECB", invoice_currency, tax_currency, _derived(cross), to_tax.day, label="ECB (cross rate)")


def _derived(value: Decimal) -> Decimal:
    return _DERIVED.plus(value)


def event_rate(
    rate: Decimal, label: str, day: date, invoice_currency: str, tax_currency: str, reference: str | None = None
) -> Rate:
    """A rate the event carried (``order.paid`` ``exchange_rate``): units of the taxing country's
    currency for one unit of the order's currency, printed with the event's source text."""
    return Rate("event", invoice_currency, tax_currency, rate, day, reference, label=label)


def exchange_for(breakdown: list[VatBreakdown], rate: Rate, tax_currency: str) -> Exchange:
    """The VAT of each breakdown row converted with ``rate`` and rounded half up to the cent; BT-111 is
    the sum of the rounded rows.

    Why the sum and not the converted BT-110: the law asks for the VAT amount in national currency
    (Directive art. 226(10) with 230; PL art. 106e ust. 11: "kwoty podatku ... przeliczone na złote"
    per rate), and the Polish practice states it per rate, the total being their sum, so the printed
    rows add up to the printed total. EN 16931 has no rule tying BT-111 to BT-110 (BR-53 only
    requires BT-111 when BT-6 is given, BR-DEC-15 two decimals). Either way the two can differ by a
    cent per row from converting BT-110 directly.
    """
    if rate.quote != tax_currency:
        raise ValueError(f"the rate gives {rate.quote}, not {tax_currency}")
    rows = [
        TaxCurrencyAmount(category=vat.category, rate=vat.rate, tax_amount=q2(vat.tax_amount * rate.rate))
        for vat in breakdown
    ]
    return Exchange(
        tax_currency=tax_currency,
        rate=rate.rate,
        source=rate.printed_source,
        day=rate.day,
        reference=rate.reference,
        tax_total=sum((row.tax_amount for row in rows), Decimal("0.00")),
        per_rate=rows,
    )
