"""Portugal (mainland), EUR, Europe/Lisbon, invoices in Portuguese.

The pack's parts: ``rates.py`` (CIVA art. 18 and Lists I/II), ``mentions.py`` (texts, in Portuguese),
``identity.py`` (NIF/NIPC, CSC art. 171), ``treatment.py`` (works rates, reverse charge of
construction services, acquirer's NIF, franchise, the certified-software channel).
Legal reference: docs/countries.md §7.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from mandat.countries.base import Mention
from mandat.countries.jurisdiction import Franchise, Jurisdiction, ReverseCharge, Sale
from mandat.countries.pt import identity, treatment
from mandat.countries.pt import mentions as texts
from mandat.countries.pt import rates as tables
from mandat.domain.calculation import TaxedLine
from mandat.domain.documents import PartyId
from mandat.domain.parties import Seller
from mandat.domain.refusals import Rejected


class Portugal(Jurisdiction):
    code = "PT"
    name = "Portugal"
    adjective = "Portuguese"
    currency = "EUR"
    timezone = "Europe/Lisbon"
    legal_languages = ("pt",)
    rates = tables.RATES
    mentions = texts.MENTIONS
    works_keys = tables.WORKS_KEYS
    tax_number_label = "NIF"

    def rate(self, key: str, day: date) -> Decimal:
        if key == "energy_equipment" and key not in self.rate_table(day):
            raise Rejected(
                "date_unsupported",
                f"PT energy_equipment ({tables.WORKS_KEYS[key]}): 6 % only from "
                f"{tables.ENERGY_EQUIPMENT_START.isoformat()} to 2025-06-30; no later period is confirmed "
                f"(tax point {day.isoformat()}): send the equipment at its rate (standard)",
            )
        return super().rate(key, day)

    def seller_problems(self, seller: Seller) -> list[str]:
        return identity.seller_problems(seller)

    def seller_ids(self, seller: Seller, language: str) -> tuple[list[PartyId], str | None]:
        del language  # the CSC art. 171 statement is Portuguese, the only legal language
        return identity.seller_ids(seller)

    def check_works(self, sale: Sale, key: str) -> None:
        treatment.check_works(self, sale, key)

    def franchise(self, sale: Sale) -> Franchise:
        return treatment.FRANCHISE

    def reverse_charge(self, sale: Sale, lines: list[TaxedLine]) -> ReverseCharge | None:
        return treatment.reverse_charge(sale)

    def invoice_mentions(self, sale: Sale, lines: list[TaxedLine]) -> list[Mention]:
        return treatment.invoice_mentions(self, sale, lines)

    def legal_channel(self, sale: Sale, business_case: str) -> str | None:
        return treatment.legal_channel(sale)


JURISDICTION = Portugal()
