from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from mandat.domain.money import allocate, q2, vat_of

cents = st.integers(min_value=0, max_value=10_000_000).map(lambda c: Decimal(c) / 100)


def test_q2_rounds_half_up_not_to_even() -> None:
    assert q2(Decimal("0.125")) == Decimal("0.13")
    assert q2(Decimal("0.135")) == Decimal("0.14")
    assert q2(Decimal("-0.125")) == Decimal("-0.13")


def test_vat_of_is_br_co_17() -> None:
    assert vat_of(Decimal("10.05"), Decimal("5.5")) == Decimal("0.55")  # 0.55275
    assert vat_of(Decimal("0.25"), Decimal("20")) == Decimal("0.05")


@given(total=cents, weights=st.lists(cents, min_size=1, max_size=30))
def test_allocate_sums_exactly_and_stays_proportional(total: Decimal, weights: list[Decimal]) -> None:
    parts = allocate(total, weights)
    assert sum(parts) == total
    assert all(p >= 0 and p == q2(p) for p in parts)
    wsum = sum(weights)
    if wsum:
        for part, w in zip(parts, weights, strict=True):
            assert abs(part - total * w / wsum) < Decimal("0.01")
