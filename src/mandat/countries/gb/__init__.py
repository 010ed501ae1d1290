"""United Kingdom (Great Britain and the Isle of Man as home; Northern Ireland refused), GBP,
Europe/London, invoices in English.

The pack's parts: ``rates.py`` (VATA 1994 rate tables, energy-saving materials dated),
``mentions.py`` (texts, in English), ``identity.py`` (VAT registration number, Companies House
number and disclosures), ``treatment.py`` (time of supply, works rates, construction reverse
charge, unregistered sellers). Legal reference: docs/countries.md §9 and
shared/domain/invoicing-rules.md §3.7. The VAT total of an invoice in another currency is also
stated in sterling (VAT Regulations 1995 reg. 14(1)(m)) at the ECB cross rate (``UK_ECB``).
"""

from __future__ import annotations

from datetime import date
from typing import NoReturn

from mandat.countries.base import Mention
from mandat.countries.gb import identity, treatment
from mandat.countries.gb import mentions as texts
from mandat.countries.gb import rates as tables
from mandat.countries.jurisdiction import Jurisdiction, ReverseCharge, Sale
from mandat.domain.calculation import TaxedLine
from mandat.domain.documents import PartyId
from mandat.domain.exchange import UK_ECB
from mandat.domain.parties import Seller


class UnitedKingdom(Jurisdiction):
    code = "GB"
    name = "the United Kingdom"
    adjective = "UK"
    currency = "GBP"
    timezone = "Europe/London"
    legal_languages = ("en",)
    rates = tables.RATES
    mentions = texts.MENTIONS
    works_keys = tables.WORKS_KEYS
    exchange_rule = UK_ECB

    def exchange_day(self, sale: Sale) -> date:
        """Sterling VAT at the rate of the time of supply (VATA 1994 s.6; reg. 14(1)(m))."""
        return treatment.time_of_supply(sale, self.timezone)[0]

    def seller_problems(self, seller: Seller) -> list[str]:
        return identity.seller_problems(seller)

    def seller_ids(self, seller: Seller, language: str) -> tuple[list[PartyId], str | None]:
        del language  # the disclosures are English, the law's language
        return identity.seller_ids(seller)

    def check_works(self, sale: Sale, key: str) -> None:
        treatment.check_works(self, sale, key)

    def franchise(self, sale: Sale) -> NoReturn:
        treatment.franchise(sale)

    def reverse_charge(self, sale: Sale, lines: list[TaxedLine]) -> ReverseCharge | None:
        return treatment.reverse_charge(self, sale, lines)

    def invoice_mentions(self, sale: Sale, lines: list[TaxedLine]) -> list[Mention]:
        return treatment.invoice_mentions(self, sale, lines)


JURISDICTION = UnitedKingdom()
