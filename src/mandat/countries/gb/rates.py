"""United Kingdom (Great Britain): VAT rates by tax category.

Northern Ireland (BT postcodes: EU VAT rules for goods, Windsor Framework) is refused by
``rules/territory.py``; the Isle of Man is in the UK VAT area (Isle of Man Act 1979).

* ``standard`` 20 % (VATA 1994 s.2(1), since 2011-01-04: Finance (No. 2) Act 2010 s.3),
  ``reduced`` 5 % (s.29A and Sch 7A), ``zero`` 0 % (s.30 and Sch 8).
* ``energy_saving_materials``: installation of energy-saving materials in residential
  accommodation. 0 % from 2022-04-01 to 2027-03-31 (Sch 8 Group 23, inserted for England and
  Wales and Scotland by the VAT (Installation of Energy-Saving Materials) Order 2022, SI 2022/361
  art. 7, which also removed the social-policy conditions and the 60 % test; list extended by
  SI 2024/24 from 2024-02-01, same rate), then 5 % from 2027-04-01 (Sch 7A Group 2 "from 1st
  April 2027", same conditions: UNSURE UK-8). Before 2022-04-01 the
  5 % depended on social-policy conditions and a 60 % test that mandat does not carry: the key
  does not exist before that day (``tax_category_unknown``), so it is never guessed.
* ``residential_renovation``: 5 % renovation or alteration of a dwelling empty for at least two
  years (Sch 7A Group 6) and residential conversions (Sch 7A Group 7).

The works keys are checked in ``treatment.check_works`` (facts of docs/countries.md §9.2).

>>> from datetime import date
>>> from mandat.countries.base import at
>>> at(RATES, date(2026, 11, 19), "GB")["energy_saving_materials"]
Decimal('0')
>>> at(RATES, date(2027, 4, 1), "GB")["energy_saving_materials"]
Decimal('5')
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from mandat.countries.base import Dated
from mandat.countries.jurisdiction import Table

_LADDER = {
    "standard": Decimal("20"),
    "reduced": Decimal("5"),
    "zero": Decimal("0"),
    "residential_renovation": Decimal("5"),
}

ESM_ZERO_FROM = date(2022, 4, 1)
ESM_REDUCED_FROM = date(2027, 4, 1)

RATES: Sequence[Dated[Table]] = (
    Dated(
        date(2011, 1, 4),
        _LADDER,
        ESM_ZERO_FROM,
        source="VATA 1994 s.2 (20 %, F(No.2)A 2010 s.3), s.29A + Sch 7A, s.30 + Sch 8",
    ),
    Dated(
        ESM_ZERO_FROM,
        {**_LADDER, "energy_saving_materials": Decimal("0")},
        ESM_REDUCED_FROM,
        source="VATA 1994 Sch 8 Group 23 (SI 2022/361 art. 7; SI 2024/24)",
    ),
    Dated(
        ESM_REDUCED_FROM,
        {**_LADDER, "energy_saving_materials": Decimal("5")},
        source="VATA 1994 Sch 7A Group 2 (energy-saving materials from 1 April 2027)",
    ),
)

WORKS_KEYS = {
    "energy_saving_materials": "VATA 1994 Sch 8 Group 23 (0 % to 2027-03-31) / Sch 7A Group 2 (5 % from 2027-04-01)",
    "residential_renovation": "VATA 1994 Sch 7A Group 6 (empty dwellings) / Group 7 (residential conversions)",
}
