"""Calculation cases that mutation testing (`./dev mutate domain/calculation.py`) found unguarded.

Expected figures are worked out by hand in the comments (EN 16931 BR-CO-10..17, half-up rounding to the
cent, the VAT-category rules BR-S-10 / BR-Z-10 / BR-E-10); docs/mutants/domain-calculation.md lists the
mutant each test kills.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mandat.domain.calculation import compute, spread_discount, taxable_from_gross
from tests.render.samples import FRANCHISE_REASON, INTRA_EU_REASON, taxed

D = Decimal


def test_a_discount_of_the_whole_order_is_allowed() -> None:
    # A 100 % order discount (30.00 off 10.00 + 20.00) is not "larger than the order": pro rata 10.00 and 20.00.
    assert spread_discount([D("10.00"), D("20.00")], D("30.00")) == [D("10.00"), D("20.00")]


def test_a_discount_larger_than_the_order_is_refused_in_words() -> None:
    with pytest.raises(ValueError) as info:
        spread_discount([D("10.00"), D("20.00")], D("30.01"))
    assert str(info.value) == "order discount larger than the order"


@pytest.mark.parametrize(
    ("gross", "rate", "expected"),
    [
        # 0 %: the whole gross is the taxable amount, VAT 0.00, exact.
        ("10.00", "0", ("10.00", "0.00", True)),
        # 1 %: 10.00 + round(10.00 x 1 %) = 10.00 + 0.10 = 10.10 (a rate like any other, not "no VAT").
        ("10.10", "1", ("10.00", "0.10", True)),
        # 20 %: 12.00 -> 10.00 + 2.00 exactly.
        ("12.00", "20", ("10.00", "2.00", True)),
        # 20 %: no net gives 0.03 (0.02 -> 0.02 + 0.00, 0.03 -> 0.03 + 0.01 = 0.04): n0 = round(0.025) = 0.03,
        # VAT 0.03 - 0.03 = 0.00, one cent from round(0.03 x 20 %) = 0.01, not exact.
        ("0.03", "20", ("0.03", "0.00", False)),
    ],
)
def test_taxable_from_gross(gross: str, rate: str, expected: tuple[str, str, bool]) -> None:
    net, vat, exact = taxable_from_gross(D(gross), D(rate))
    assert (net, vat, exact) == (D(expected[0]), D(expected[1]), expected[2])


@given(cents=st.integers(-1_000_000, 1_000_000), rate=st.sampled_from([D(20), D(10), D("5.5"), D("2.1"), D(1)]))
def test_the_exact_net_when_there_is_one_is_the_rounded_quotient(cents: int, rate: Decimal) -> None:
    # If n + round(n x r) = g then |n (1 + r) - g| <= 0.005, so |n - g / (1 + r)| <= 0.005 / (1 + r) < 0.005:
    # n is the cent nearest to g / (1 + r). Hence exactness is decided by that one candidate, and no other
    # cent within two of it is exact (the property test of test_calculation.py checks the same around it).
    gross = D(cents) / 100

    def cent(x: Decimal) -> Decimal:  # half-up to the cent
        return x.quantize(D("0.01"), rounding=ROUND_HALF_UP)

    nearest = cent(gross * 100 / (100 + rate))
    net, vat, exact = taxable_from_gross(gross, rate)
    assert net == nearest
    assert net + vat == gross
    assert not any(n + cent(n * rate / 100) == gross for n in (nearest + k * D("0.01") for k in (-2, -1, 1, 2)))
    assert exact == (net + cent(net * rate / 100) == gross)


def test_breakdown_lists_categories_in_order_then_the_highest_rate_first() -> None:
    # Lines at 5.5 %, 20 %, then an exempt one: groups (E, 0), (S, 20), (S, 5.5) whatever the line order.
    lines = [
        taxed("A", "a", "1", "10.00", "5.5"),
        taxed("B", "b", "1", "10.00", "20"),
        taxed("C", "c", "1", "10.00", "0", category="E"),
    ]
    c = compute(lines, False, {"E": FRANCHISE_REASON})
    assert [(b.category, b.rate) for b in c.breakdown] == [("E", D(0)), ("S", D(20)), ("S", D("5.5"))]
    # BR-CO-17 per group: 10.00 x 20 % = 2.00; 10.00 x 5.5 % = 0.55; exempt 0.00. Total 30.00 + 2.55.
    assert [b.tax_amount for b in c.breakdown] == [D("0.00"), D("2.00"), D("0.55")]
    assert (c.totals.tax_exclusive, c.totals.tax_total, c.totals.tax_inclusive) == (
        D("30.00"),
        D("2.55"),
        D("32.55"),
    )


def test_exemption_reasons_go_to_exempt_groups_only() -> None:
    # BR-E-10 / BR-K-10: an exempt or intra-EU group states its reason; BR-S-10: a standard-rated group never
    # does, even when the exemption table given has an entry for S; BR-Z-10: zero-rated has none either.
    exemptions = {"E": FRANCHISE_REASON, "K": INTRA_EU_REASON, "S": ("should not appear", "VATEX-XX")}
    lines = [
        taxed("A", "a", "1", "10.00", "20"),
        taxed("B", "b", "1", "10.00", "0", category="E"),
        taxed("C", "c", "1", "10.00", "0", category="K"),
        taxed("D", "d", "1", "10.00", "0", category="Z"),
    ]
    for include in (False, True):
        c = compute(lines, include, exemptions)
        got = {b.category: (b.exemption_reason, b.exemption_code) for b in c.breakdown}
        assert got == {
            "E": ("TVA non applicable, art. 293 B du CGI", "VATEX-FR-FRANCHISE"),
            "K": ("Exonération de TVA, art. 262 ter I du CGI", "VATEX-EU-IC"),
            "S": (None, None),
            "Z": (None, None),
        }


def test_a_zero_rate_group_paid_vat_included_is_exact_and_needs_no_note() -> None:
    # Exempt, 2 x 15.00 paid: taxable 30.00, VAT 0.00; nothing deviates from BR-CO-17, so no note.
    c = compute([taxed("A", "a", "2", "15.00", "0", category="E")], True, {"E": FRANCHISE_REASON})
    assert (c.breakdown[0].taxable_amount, c.breakdown[0].tax_amount) == (D("30.00"), D("0.00"))
    assert c.notes == []


def test_a_line_allowance_keeps_its_reason_and_no_allowance_has_none() -> None:
    # Excl. VAT: 2 x 20.00 - 5.00 = 35.00, allowance 5.00 "Promo" (BT-136 / BT-139).
    # Incl. VAT at 20 %: the 6.00 discount paid is 6.00 / 1.2 = 5.00 excluding VAT.
    # A reason without a discount (0) is no allowance: no BT-139.
    for include, discount, allowance in ((False, "5.00", "5.00"), (True, "6.00", "5.00")):
        lines = [
            taxed("A", "a", "2", "20.00", "20", discount=discount, discount_reason="Promo"),
            taxed("B", "b", "1", "10.00", "20", discount="0", discount_reason="Promo"),
        ]
        c = compute(lines, include, {})
        assert [(ln.allowance, ln.allowance_reason) for ln in c.lines] == [(D(allowance), "Promo"), (D(0), None)]


def test_line_nature_is_kept() -> None:
    c = compute([taxed("A", "a", "1", "10.00", "10", nature="service"), taxed("B", "b", "1", "10.00", "20")], True, {})
    assert [ln.nature for ln in c.lines] == ["service", "goods"]
