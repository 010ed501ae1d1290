"""Italy: VAT rates by tax category (mainland and islands; Livigno and Campione d'Italia are outside
the Italian VAT territory and refused by ``rules/territory.py``).

* ``standard`` 22 %: DPR 633/1972 art. 16 c.1 (22 % since 2013-10-01, DL 76/2013 art. 11).
* ``intermediate`` 10 %: Tabella A parte III; ``super_reduced`` 4 %: Tabella A parte II;
  ``reduced`` 5 %: Tabella A parte II-bis (added by L. 208/2015 art. 1 c.960, from 2016-01-01).
* ``home_renovation`` 10 %: ordinary and extraordinary maintenance of buildings mainly used as
  private dwellings, L. 488/1999 art. 7 c.1 lett. b (permanent since L. 191/2009 art. 2 c.11);
  significant goods (DM 29-12-1999) only up to the value of the service net of those goods,
  the excess at the standard rate (``treatment.split_significant_goods``).

>>> from datetime import date
>>> RATES[0].value["standard"], RATES[0].value["super_reduced"], RATES[0].covers(date(2026, 12, 3))
(Decimal('22'), Decimal('4'), True)
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from mandat.countries.base import Dated
from mandat.countries.jurisdiction import Table

_RATES_2016 = {
    "standard": Decimal("22"),
    "intermediate": Decimal("10"),
    "reduced": Decimal("5"),
    "super_reduced": Decimal("4"),
    "home_renovation": Decimal("10"),
}

RATES: Sequence[Dated[Table]] = (
    Dated(
        date(2016, 1, 1),
        _RATES_2016,
        source="DPR 633/1972 art. 16, Tabella A parts II, II-bis, III; L. 488/1999 art. 7 c.1 lett. b",
    ),
)

WORKS_KEYS = {"home_renovation": "L. 488/1999 art. 7 c.1 lett. b"}
