"""Germany: VAT rates by tax category (Büsingen and Heligoland are outside the VAT territory and are
refused by ``rules/territory.py``).

* UStG §12(1): 19 % (standard), §12(2) with Anlage 2: 7 % (reduced), since 2007-01-01
  (Haushaltsbegleitgesetz 2006).
* 2020-07-01 to 2020-12-31: 16 % and 5 % (UStG §28(1), (2), Zweites Corona-Steuerhilfegesetz,
  BGBl. I 2020 S. 1512): the table of the tax point (delivery) decides, so a delivery in that half
  year keeps its rates whenever it is invoiced.
* Since 2023-01-01: 0 % for solar modules, their essential components and storage supplied to the
  operator of a photovoltaic installation on or near a dwelling, and their installation
  (UStG §12(3) Nr. 1 and 4, Jahressteuergesetz 2022): the works key ``pv_installation``, whose facts
  ``treatment.check_works`` checks. A zero *rate* (category Z), not an exemption.

Germany has no intermediate, super-reduced, parking or general zero rate (docs/countries.md §0.2):
those keys are refused (``tax_category_unknown``).

>>> from datetime import date
>>> from mandat.countries.base import at
>>> at(RATES, date(2020, 8, 1), "DE")["standard"], at(RATES, date(2026, 12, 3), "DE")["pv_installation"]
(Decimal('16'), Decimal('0'))
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from mandat.countries.base import Dated
from mandat.countries.jurisdiction import Table

_RATES_19_7: Table = {"standard": Decimal("19"), "reduced": Decimal("7")}
_RATES_16_5: Table = {"standard": Decimal("16"), "reduced": Decimal("5")}
_RATES_2023: Table = {"standard": Decimal("19"), "reduced": Decimal("7"), "pv_installation": Decimal("0")}

RATES: Sequence[Dated[Table]] = (
    Dated(date(2007, 1, 1), _RATES_19_7, date(2020, 7, 1), source="UStG §12(1), (2) (HBeglG 2006)"),
    Dated(
        date(2020, 7, 1),
        _RATES_16_5,
        date(2021, 1, 1),
        source="UStG §28(1), (2) (Zweites Corona-Steuerhilfegesetz, BGBl. I 2020 S. 1512)",
    ),
    Dated(date(2021, 1, 1), _RATES_19_7, date(2023, 1, 1), source="UStG §12(1), (2)"),
    Dated(date(2023, 1, 1), _RATES_2023, source="UStG §12(1), (2), (3) (Jahressteuergesetz 2022)"),
)

WORKS_KEYS = {"pv_installation": "UStG §12(3) Nr. 1 and 4"}
