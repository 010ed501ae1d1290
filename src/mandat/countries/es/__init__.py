"""Spain (peninsula and Balearics), EUR, Europe/Madrid, mentions in Spanish.

The pack's parts: ``rates.py`` (LIVA rate tables), ``mentions.py`` (texts, in Spanish), ``identity.py``
(NIF, Registro Mercantil), ``treatment.py`` (10 % dwelling works, construction reverse charge, the
recipient's NIF and the simplified-invoice limits, recargo de equivalencia, VERI*FACTU).
Legal reference: docs/countries.md §4 and shared/domain/invoicing-rules.md §3.2. The Canary Islands,
Ceuta and Melilla are refused by ``rules/territory.py``; Spain has no small-enterprise franchise modelled
(the default ``franchise`` refuses).
"""

from __future__ import annotations

from datetime import date

from mandat.countries.base import Mention
from mandat.countries.es import identity, treatment
from mandat.countries.es import mentions as texts
from mandat.countries.es import rates as tables
from mandat.countries.jurisdiction import Jurisdiction, ReverseCharge, Sale
from mandat.domain.calculation import TaxedLine
from mandat.domain.documents import PartyId
from mandat.domain.parties import Seller


class Spain(Jurisdiction):
    code = "ES"
    name = "Spain"
    adjective = "Spanish"
    currency = "EUR"
    timezone = "Europe/Madrid"
    legal_languages = ("es",)
    rates = tables.RATES
    mentions = texts.MENTIONS
    works_keys = tables.WORKS_KEYS
    tax_number_label = "NIF"

    def seller_problems(self, seller: Seller) -> list[str]:
        return identity.seller_problems(seller)

    def seller_ids(self, seller: Seller, language: str) -> tuple[list[PartyId], str | None]:
        del language
        return identity.seller_ids(seller)

    def buyer_ids(self, tax_number: str | None, language: str) -> list[PartyId]:
        del language
        return identity.buyer_ids(tax_number)

    def check_works(self, sale: Sale, key: str) -> None:
        treatment.check_works(self, sale, key)

    def adjust_lines(self, sale: Sale, lines: list[TaxedLine]) -> list[TaxedLine]:
        return treatment.check_materials(self, sale, lines)

    def reverse_charge(self, sale: Sale, lines: list[TaxedLine]) -> ReverseCharge | None:
        return treatment.reverse_charge(sale, lines)

    def invoice_mentions(self, sale: Sale, lines: list[TaxedLine]) -> list[Mention]:
        return treatment.invoice_mentions(self, sale, lines)

    def legal_channel(self, sale: Sale, business_case: str) -> str | None:
        del business_case
        return treatment.legal_channel(sale)

    def credit_note_channel(self, invoice_channel: str | None, day: date) -> str | None:
        """VERI*FACTU is about the system that issues: a correction issued from 2027-01-01 is recorded
        there even when its invoice was issued before."""
        return treatment.VERIFACTU if day >= treatment.VERIFACTU_FROM else invoice_channel


JURISDICTION = Spain()
