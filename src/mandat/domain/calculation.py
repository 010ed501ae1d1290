"""Line, VAT-breakdown and total arithmetic (EN 16931 BR-CO-10 to BR-CO-17).

Two price conventions reach us:

* prices excluding VAT (usual for B2B): line net amounts are exact, and VAT per
  (category, rate) is the rounded product of the summed net (BR-CO-17).
* prices including VAT (usual for consumers): the buyer paid the gross amount, so
  the invoice total must equal it to the cent. Per (category, rate) we choose the
  taxable amount N whose N + round(N x rate) equals the paid gross G; when no such
  N exists (about one gross amount in six at 20 %), VAT = G - N deviates from the
  exact product by one cent, which BR-CO-17 tolerates, and the trace says so.
  The net is then spread over the group's lines by largest remainder, so lines
  always add up to the breakdown.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from mandat.domain.documents import DocumentLine, Totals, VatBreakdown, VatCategory
from mandat.domain.money import HUNDRED, ZERO, allocate, q, q2, vat_of


@dataclass(frozen=True)
class TaxedLine:
    """A sale line once the rules have given it a VAT category and rate."""

    sku: str
    description: str
    quantity: Decimal
    unit: str
    unit_price: Decimal  # in the event's convention
    discount: Decimal  # in the event's convention
    discount_reason: str | None
    nature: str
    category: VatCategory
    rate: Decimal

    @property
    def amount(self) -> Decimal:
        return q2(self.quantity * self.unit_price) - self.discount


@dataclass(frozen=True)
class Computed:
    lines: list[DocumentLine]
    breakdown: list[VatBreakdown]
    totals: Totals
    notes: list[str]


def spread_discount(amounts: list[Decimal], discount: Decimal) -> list[Decimal]:
    """Share an order-level discount over lines pro rata to their amounts."""
    if discount > sum(amounts, ZERO):
        raise ValueError("order discount larger than the order")
    return allocate(discount, amounts)


def taxable_from_gross(gross: Decimal, rate: Decimal) -> tuple[Decimal, Decimal, bool]:
    """(net, vat, exact) with net + vat == gross; exact when vat == round(net x rate)."""
    if rate == 0:
        return gross, ZERO, True
    # Only one candidate can be exact: if n + round(n x r) == g, then |n (1 + r) - g| <= 0.005, so
    # |n - g / (1 + r)| <= 0.005 / (1 + r) < 0.005 and n is g / (1 + r) rounded to the cent. (n0 +/- 0.01
    # were tried here too; they never decided: tests/domain/test_calculation_mutants.py.)
    net = q2(gross * HUNDRED / (HUNDRED + rate))
    return net, gross - net, net + vat_of(net, rate) == gross


def compute(
    taxed: list[TaxedLine],
    prices_include_vat: bool,
    exemptions: dict[str, tuple[str, str | None]],
) -> Computed:
    """Build document lines, one VAT breakdown per (category, rate), and totals."""
    groups: dict[tuple[str, Decimal], list[int]] = {}
    for i, t in enumerate(taxed):
        groups.setdefault((t.category, t.rate), []).append(i)

    net_of: dict[int, Decimal] = {}
    gross_of: dict[int, Decimal] = {}
    breakdown: list[VatBreakdown] = []
    notes: list[str] = []
    for (category, rate), idx in sorted(groups.items(), key=lambda kv: (kv[0][0], -kv[0][1])):
        amounts = [taxed[i].amount for i in idx]
        if prices_include_vat:
            gross = sum(amounts, ZERO)
            net, vat, exact = taxable_from_gross(gross, rate)
            if not exact:
                notes.append(
                    f"VAT {category} {rate}%: no net amount gives gross {gross} exactly; "
                    f"VAT {vat} is 0.01 from round({net} x {rate}%), within BR-CO-17 tolerance"
                )
            for i, n in zip(idx, allocate(net, amounts), strict=True):
                net_of[i] = n
            for i, g in zip(idx, amounts, strict=True):
                gross_of[i] = g
        else:
            for i, a in zip(idx, amounts, strict=True):
                net_of[i] = a
            net = sum(amounts, ZERO)
            vat = vat_of(net, rate)
            for i, share in zip(idx, allocate(vat, amounts), strict=True):
                gross_of[i] = net_of[i] + share
        reason, code = exemptions.get(category, (None, None)) if category != "S" else (None, None)
        breakdown.append(
            VatBreakdown(
                category=category,
                rate=rate,
                taxable_amount=net,
                tax_amount=vat,
                exemption_reason=reason,
                exemption_code=code,
            )
        )

    lines: list[DocumentLine] = []
    for i, t in enumerate(taxed):
        net_amount = net_of[i]
        if prices_include_vat:
            allowance = q2(t.discount * HUNDRED / (HUNDRED + t.rate)) if t.discount else ZERO
            # BT-131 = BT-129 x BT-146 - BT-136: the unit price is derived from the settled net.
            unit_net = q((net_amount + allowance) / t.quantity, 6)
        else:
            allowance = t.discount
            unit_net = t.unit_price
        lines.append(
            DocumentLine(
                id=str(i + 1),
                sku=t.sku,
                description=t.description,
                quantity=t.quantity,
                unit=t.unit,
                net_unit_price=unit_net,
                allowance=allowance,
                allowance_reason=t.discount_reason if allowance else None,
                net_amount=net_amount,
                vat_category=t.category,
                vat_rate=t.rate,
                nature="service" if t.nature == "service" else "goods",
                gross_amount=gross_of[i],
            )
        )

    line_total = sum((ln.net_amount for ln in lines), ZERO)
    tax_total = sum((b.tax_amount for b in breakdown), ZERO)
    total = line_total + tax_total
    totals = Totals(
        line_total=line_total,
        allowance_total=ZERO,
        charge_total=ZERO,
        tax_exclusive=line_total,
        tax_total=tax_total,
        tax_inclusive=total,
        prepaid=total,
        payable=ZERO,
    )
    return Computed(lines=lines, breakdown=breakdown, totals=totals, notes=notes)
