"""Belgium: VAT rates by tax category.

* Code TVA / WBTW art. 37 § 1 and AR n° 20 of 20 July 1970: standard 21 % (since 1996-01-01),
  tables A (6 %), B (12 %) and C (0 %) of the AR n° 20 annex. No rate change since then; the
  2026-03-01 moves (hotels 6 -> 12 %, phytopharmaceuticals 12 -> 21 %) move products between tables,
  which is the seller's classification, not a change of this table.
* ``home_renovation``: 6 % for works on dwellings first occupied at least ten calendar years before
  the first invoice (AR n° 20, table A, rubric XXXI; the rubric number is UNSURE, docs/countries.md
  §3.2). The table starts on 2016-01-01, when the age condition became ten years (it was five; the
  amending act is not cited: UNSURE): an earlier tax point is refused (``date_unsupported``) rather
  than checked against the wrong age.
  Since 2022-01-01 (law of 27 December 2021) the client's signed certificate is replaced by a
  statement printed on the invoice: ``mentions.py``.
* Not in the table (refused with ``tax_category_unknown``, or an explicit ``vat_rate`` only):
  demolition-reconstruction (out of scope for a marketplace), heat pumps in dwellings under ten
  years 2026-2030 (draft royal decree, UNSURE BE-2).

>>> from datetime import date
>>> RATES[0].value["standard"], RATES[0].value["parking"], RATES[0].covers(date(2026, 12, 3))
(Decimal('21'), Decimal('12'), True)
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from mandat.countries.base import Dated
from mandat.countries.jurisdiction import Table

_RATES_2016: Table = {
    "standard": Decimal("21"),
    "parking": Decimal("12"),
    "reduced": Decimal("6"),
    "zero": Decimal("0"),
    "home_renovation": Decimal("6"),
}

RATES: Sequence[Dated[Table]] = (
    Dated(
        date(2016, 1, 1),
        _RATES_2016,
        source="Code TVA art. 37 § 1; AR n° 20 tables A, B, C (ten-year age condition from 2016-01-01)",
    ),
)

WORKS_KEYS = {"home_renovation": "AR n° 20, table A, rubric XXXI (Code TVA art. 37 § 1)"}
