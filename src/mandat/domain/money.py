"""Money arithmetic. Amounts are Decimal, never float.

EN 16931 (BR-DEC-*) allows at most two decimals for amounts; rounding is half-up
(commercial rounding, as the French administration and most EU tax authorities
apply it), which is not Python's default banker's rounding.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
HUNDRED = Decimal(100)


def q2(value: Decimal) -> Decimal:
    """Round an amount to the cent, half-up (BR-DEC-*, BR-CO-17)."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def q(value: Decimal, places: int) -> Decimal:
    """Round half-up to ``places`` decimals (unit prices: 6, quantities: 4 under BR-FR)."""
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def vat_of(net: Decimal, rate_percent: Decimal) -> Decimal:
    """VAT of a taxable amount at a percentage rate, rounded to the cent (BR-CO-17)."""
    return q2(net * rate_percent / HUNDRED)


def normalize(value: Decimal) -> Decimal:
    """Strip trailing zeros without switching to exponent notation (for XML and display)."""
    if value == value.to_integral_value():
        return value.quantize(Decimal(1))
    return value.normalize()


def allocate(total: Decimal, weights: list[Decimal]) -> list[Decimal]:
    """Split ``total`` (cents) across ``weights`` proportionally, largest remainder first.

    The parts always sum to ``total`` exactly, which is what keeps line amounts,
    VAT groups and document totals reconciled to the cent.
    """
    if not weights:
        return []
    weight_sum = sum(weights, Decimal(0))
    cents = int((total / CENT).to_integral_value())
    if weight_sum == 0:
        raw = [Decimal(cents) / len(weights)] * len(weights)
    else:
        raw = [Decimal(cents) * w / weight_sum for w in weights]
    floors = [int(r.to_integral_value(rounding="ROUND_FLOOR")) for r in raw]
    remainder = cents - sum(floors)
    # Deterministic tie-break: larger fractional part first, then earlier index.
    order = sorted(range(len(raw)), key=lambda i: (-(raw[i] - floors[i]), i))
    for i in order[: max(remainder, 0)]:
        floors[i] += 1
    return [Decimal(f) * CENT for f in floors]
