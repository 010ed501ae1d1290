"""France: VAT rates by tax category (mainland; Corsica and the overseas departments are refused
by ``rules/territory.py``).

* CGI art. 278 (20 %), 279 / 279-0 bis (10 %), 278-0 bis / 278-0 bis A (5.5 %), 281 quater ff. (2.1 %),
  in force since 2014-01-01 (loi 2013-1278 art. 68).
* ``home_renovation``: works in dwellings completed more than two years ago (CGI 279-0 bis);
  ``energy_renovation``: energy-renovation works of the equipment list (CGI 278-0 bis A).

>>> from collections.abc import Sequence
from datetime import date
>>> RATES[0].value["reduced"], RATES[0].covers(date(2026, 12, 3))
(Decimal('5.5'), True)
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from mandat.countries.base import Dated
from mandat.countries.jurisdiction import Table

_RATES_2014 = {
    "standard": Decimal("20"),
    "intermediate": Decimal("10"),
    "reduced": Decimal("5.5"),
    "super_reduced": Decimal("2.1"),
    "home_renovation": Decimal("10"),
    "energy_renovation": Decimal("5.5"),
}

RATES: Sequence[Dated[Table]] = (Dated(date(2014, 1, 1), _RATES_2014, source="LF 2013-1278 art. 68"),)

# BR-FR-16: rates allowed in French e-invoices.
ALLOWED_RATES = frozenset(
    Decimal(r)
    for r in "0 0.9 1.05 1.75 2.1 5.5 7 8.5 9.2 9.6 10 13 19.6 20 20.6".split()  # noqa: SIM905
)

WORKS_KEYS = {
    "home_renovation": "CGI art. 279-0 bis",
    "energy_renovation": "CGI art. 278-0 bis A",
}
