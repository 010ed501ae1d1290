"""Portugal (mainland): VAT rates by tax category. Madeira and the Azores have their own rates
(CIVA art. 18 n.º 3) and are refused by ``rules/territory.py`` (postcodes 9xxx-xxx).

* CIVA art. 18 n.º 1: a) 6 % for the goods and services of List I, b) 13 % for List II,
  c) 23 % for the rest; these mainland figures since 2011-01-01 (Lei 55-A/2010, OE 2011; the
  starting date is general knowledge, UNSURE: an earlier tax point is refused, never guessed).
* ``home_renovation``: List I item 2.27, *empreitadas* of improvement, remodelling, renovation,
  restoration, repair or conservation of immovable property used as housing; incorporated
  materials only when they are at most 20 % of the overall value (checked in ``treatment.py``).
* ``energy_equipment``: List I item 2.37 as widened by the 2024 budget (Lei 82/2023): apparatus for
  solar, wind, geothermal and other alternative energy, from 2024-01-01 until 2025-06-30 (end set by
  the budget law). Its restoration in the 2026 budget is not confirmed (docs/countries.md PT-2), so
  the key has no period after 2025-06-30; the narrower 2022-07-01 → 2023-12-31 version (solar panels
  only) is not modelled either: a tax point outside 2024-01-01 → 2025-06-30 is refused.

>>> RATES[-1].value["standard"], RATES[-1].covers(date(2026, 12, 3)), "energy_equipment" in RATES[-1].value
(Decimal('23'), True, False)
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from mandat.countries.base import Dated
from mandat.countries.jurisdiction import Table

_RATES_2011: Table = {
    "standard": Decimal("23"),
    "intermediate": Decimal("13"),
    "reduced": Decimal("6"),
    "home_renovation": Decimal("6"),
}
_RATES_2024: Table = {**_RATES_2011, "energy_equipment": Decimal("6")}

ENERGY_EQUIPMENT_START = date(2024, 1, 1)
ENERGY_EQUIPMENT_END = date(2025, 7, 1)  # exclusive: the 6 % ended on 2025-06-30

RATES: Sequence[Dated[Table]] = (
    Dated(date(2011, 1, 1), _RATES_2011, ENERGY_EQUIPMENT_START, "CIVA art. 18 n.º 1 (Lei 55-A/2010); List I 2.27"),
    Dated(
        ENERGY_EQUIPMENT_START,
        _RATES_2024,
        ENERGY_EQUIPMENT_END,
        "CIVA art. 18 n.º 1; List I 2.27; List I 2.37 as worded by Lei 82/2023 (OE 2024)",
    ),
    Dated(ENERGY_EQUIPMENT_END, _RATES_2011, None, "CIVA art. 18 n.º 1; List I 2.27 (2.37 ended 2025-06-30)"),
)

WORKS_KEYS = {
    "home_renovation": "CIVA List I item 2.27",
    "energy_equipment": "CIVA List I item 2.37 (Lei 82/2023)",
}
