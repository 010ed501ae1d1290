"""EN 16931 BR-CO-10 .. BR-CO-17 hold for random baskets, and consumer totals equal what was paid."""

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from mandat.domain.calculation import TaxedLine, compute, taxable_from_gross
from mandat.domain.money import q2, vat_of

RATES = [Decimal("20"), Decimal("10"), Decimal("5.5"), Decimal("2.1")]


@st.composite
def taxed_line(draw: st.DrawFn) -> TaxedLine:
    qty = Decimal(draw(st.integers(1, 500_000))) / 10_000  # up to 4 decimals
    price = Decimal(draw(st.integers(0, 50_000_000))) / 10_000  # up to 4 decimals
    amount = q2(qty * price)
    discount = Decimal(draw(st.integers(0, int(amount * 100)))) / 100 if draw(st.booleans()) else Decimal(0)
    return TaxedLine(
        sku="X",
        description="x",
        quantity=qty,
        unit="C62",
        unit_price=price,
        discount=discount,
        discount_reason="Remise" if discount else None,
        nature="goods",
        category="S",
        rate=draw(st.sampled_from(RATES)),
    )


@settings(max_examples=300)
@given(lines=st.lists(taxed_line(), min_size=1, max_size=25), include=st.booleans())
def test_totals_reconcile_to_the_cent(lines: list[TaxedLine], include: bool) -> None:
    c = compute(lines, include, {})
    t = c.totals
    assert t.line_total == sum(ln.net_amount for ln in c.lines)  # BR-CO-10
    assert t.tax_exclusive == t.line_total - t.allowance_total + t.charge_total  # BR-CO-13
    assert t.tax_total == sum(b.tax_amount for b in c.breakdown)  # BR-CO-14
    assert t.tax_inclusive == t.tax_exclusive + t.tax_total  # BR-CO-15
    assert t.payable == t.tax_inclusive - t.prepaid  # BR-CO-16
    for b in c.breakdown:
        members = [ln for ln in c.lines if (ln.vat_category, ln.vat_rate) == (b.category, b.rate)]
        assert b.taxable_amount == sum(ln.net_amount for ln in members)  # BR-S-08
        exact = vat_of(b.taxable_amount, b.rate)
        if include:
            assert abs(b.tax_amount - exact) <= Decimal("0.01")  # BR-CO-17 with its tolerance
        else:
            assert b.tax_amount == exact  # BR-CO-17 exactly
    for ln in c.lines:
        assert ln.net_amount == q2(ln.net_amount)  # BR-DEC-23
        # BT-131 = BT-129 x BT-146 - BT-136, up to the rounding of the amount and of the 6-decimal price
        assert abs(ln.quantity * ln.net_unit_price - ln.allowance - ln.net_amount) <= Decimal(
            "0.005"
        ) + ln.quantity * Decimal("0.000001")
    if include:
        # The consumer paid the gross prices: the invoice total is exactly that.
        assert t.tax_inclusive == sum(ln.amount for ln in lines)


@given(gross=st.integers(0, 10_000_000).map(lambda c: Decimal(c) / 100), rate=st.sampled_from(RATES))
def test_taxable_from_gross_is_exact_whenever_possible(gross: Decimal, rate: Decimal) -> None:
    net, vat, exact = taxable_from_gross(gross, rate)
    assert net + vat == gross
    if exact:
        assert vat == vat_of(net, rate)
    else:
        # No net amount n with n + round(n x rate) == gross exists near gross / (1 + rate).
        for n in (
            net - Decimal("0.02"),
            net - Decimal("0.01"),
            net,
            net + Decimal("0.01"),
            net + Decimal("0.02"),
        ):
            assert n + vat_of(n, rate) != gross
        assert abs(vat - vat_of(net, rate)) == Decimal("0.01")
