"""Money cases that mutation testing (`./dev mutate domain/money.py`) found unguarded.

Each expected figure is worked out by hand from the rule it names (half-up rounding, largest
remainder), not read back from the code; docs/testing.md lists the mutant each test kills.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from mandat.domain.money import allocate, normalize, q


@pytest.mark.parametrize(
    ("value", "places", "expected"),
    [
        # Exactly half: half-up goes away from zero where Python's default (half-even) would keep 2.
        ("2.5", 0, "3"),
        # A unit price to 6 decimals (BR-FR): 0.0000025 is half a millionth, so up to 0.000003, not down to 0.000002.
        ("0.0000025", 6, "0.000003"),
        # A quantity to 4 decimals: 1.00005 -> 1.0001 (half-even would give 1.0000).
        ("1.00005", 4, "1.0001"),
        ("-2.5", 0, "-3"),
    ],
)
def test_q_rounds_half_up_at_any_precision(value: str, places: int, expected: str) -> None:
    result = q(Decimal(value), places)
    assert result == Decimal(expected)
    assert str(result) == expected  # and has exactly ``places`` decimals


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("5.00", "5"),
        ("100", "100"),  # not 1E+2: the integral branch exists for this
        ("1200.0", "1200"),
        ("1.500", "1.5"),  # a fraction keeps its significant decimals
        ("0.250000", "0.25"),
    ],
)
def test_normalize_strips_trailing_zeros_without_exponent(value: str, expected: str) -> None:
    assert str(normalize(Decimal(value))) == expected


def test_allocate_over_zero_weights_splits_equally_first_line_takes_the_odd_cent() -> None:
    # 1.00 in three equal parts is 0.333...: two cents of 0.33 and one of 0.34, the tie going to the first line.
    weights = [Decimal(0), Decimal(0), Decimal(0)]
    assert allocate(Decimal("1.00"), weights) == [Decimal("0.34"), Decimal("0.33"), Decimal("0.33")]


def test_allocate_gives_the_leftover_cent_to_the_largest_fraction_not_the_first_line() -> None:
    # 0.10 in the ratio 1:2 is 0.0333... and 0.0666...: rounded, 0.03 and 0.07.
    assert allocate(Decimal("0.10"), [Decimal(1), Decimal(2)]) == [Decimal("0.03"), Decimal("0.07")]


def test_allocate_ranks_by_fraction_not_by_size_of_share() -> None:
    # 0.07 in the ratio 1:3 is 0.0175 and 0.0525: the smaller share has the larger fraction (.75 of a cent
    # against .25), so it takes the leftover cent: 0.02 and 0.05.
    assert allocate(Decimal("0.07"), [Decimal(1), Decimal(3)]) == [Decimal("0.02"), Decimal("0.05")]
