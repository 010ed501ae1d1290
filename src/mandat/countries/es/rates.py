"""Spain (peninsula and Balearics): VAT rates by tax category. The Canary Islands (IGIC), Ceuta and
Melilla (IPSI) are outside the Spanish VAT territory and refused by ``rules/territory.py``.

* Ley 37/1992 del IVA (LIVA) art. 90.Uno (21 %), art. 91.Uno (10 %), art. 91.Dos (4 %), at these
  levels since 2012-09-01 (Real Decreto-ley 20/2012 art. 23; the date is UNSURE ES-0, docs/countries.md §4.1).
* ``home_renovation``: renovation and repair of dwellings, 10 % (LIVA art. 91.Uno.2.10º), only with the
  facts ``treatment.check_works`` checks.
* The temporary rates of 2021-2024 (electricity, gas, firewood, basic food: 0 %, 2 %, 5 %) are not
  modelled (UNSURE ES-7): an explicit ``vat_rate`` outside this table is refused, never guessed.

>>> from datetime import date
>>> RATES[0].value["standard"], RATES[0].covers(date(2026, 12, 3)), RATES[0].covers(date(2012, 8, 31))
(Decimal('21'), True, False)
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from mandat.countries.base import Dated
from mandat.countries.jurisdiction import Table

_RATES_2012 = {
    "standard": Decimal("21"),
    "intermediate": Decimal("10"),
    "super_reduced": Decimal("4"),
    "home_renovation": Decimal("10"),
}

RATES: Sequence[Dated[Table]] = (
    Dated(date(2012, 9, 1), _RATES_2012, source="LIVA art. 90.Uno, 91.Uno, 91.Dos; RDL 20/2012 art. 23"),
)

WORKS_KEYS = {"home_renovation": "LIVA art. 91.Uno.2.10º"}
