"""Poland: VAT rates by tax category (ustawa z dnia 11 marca 2004 r. o podatku od towarów i usług).

* ``standard`` 23 %: art. 41 ust. 1 with art. 146ef (the rates of 2011 made standing);
* ``intermediate`` 8 %: art. 41 ust. 2 and annex 3; ``reduced`` 5 %: art. 41 ust. 2a and annex 10;
* ``zero`` 0 %: the domestic zero-rated supplies (e.g. art. 83), category Z;
* ``housing_works`` 8 %: construction, renovation, modernisation, thermo-modernisation or
  reconstruction of buildings (or their parts) included in social housing, art. 41 ust. 12 with
  ust. 12a-12c; its conditions are checked by ``treatment.check_works`` (docs/countries.md §8.2).

No DIY-relevant change since 2020 (the 2022-2024 food and energy shield is not modelled).

>>> from datetime import date
>>> RATES[0].value["standard"], RATES[0].value["housing_works"], RATES[0].covers(date(2026, 12, 3))
(Decimal('23'), Decimal('8'), True)
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from mandat.countries.base import Dated
from mandat.countries.jurisdiction import Table

_RATES_2011: Table = {
    "standard": Decimal("23"),
    "intermediate": Decimal("8"),
    "reduced": Decimal("5"),
    "zero": Decimal("0"),
    "housing_works": Decimal("8"),
}

RATES: Sequence[Dated[Table]] = (
    Dated(date(2011, 1, 1), _RATES_2011, source="ustawa o VAT art. 41 ust. 1, 2, 2a, 12 with art. 146ef"),
)

WORKS_KEYS = {"housing_works": "ustawa o VAT art. 41 ust. 12-12c"}

# Art. 41 ust. 12b: social housing excludes single-family houses above 300 m² and flats above 150 m²
# of usable floor area; above the limit, ust. 12c keeps 8 % on the qualifying share of the base only.
HOUSING_LIMITS_M2 = {"house": Decimal("300"), "flat": Decimal("150")}
