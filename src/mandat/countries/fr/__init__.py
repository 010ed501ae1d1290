"""France (mainland and Monaco), EUR, Europe/Paris, invoices in French.

The pack's parts: ``rates.py`` (CGI rate tables), ``mentions.py`` (texts, in French),
``identity.py`` (SIREN, SIRET, VAT id), ``treatment.py`` (works rates, B2B mentions, business case).
Legal reference: docs/countries.md §2 and shared/domain/invoicing-rules.md §1.
"""

from __future__ import annotations

from mandat.countries.base import Mention
from mandat.countries.fr import identity, treatment
from mandat.countries.fr import mentions as texts
from mandat.countries.fr import rates as tables
from mandat.countries.jurisdiction import Franchise, Jurisdiction, Sale
from mandat.domain.calculation import TaxedLine
from mandat.domain.parties import Seller


class France(Jurisdiction):
    code = "FR"
    name = "France"
    adjective = "French"
    currency = "EUR"
    timezone = "Europe/Paris"
    legal_languages = ("fr",)
    rates = tables.RATES
    mentions = texts.MENTIONS
    works_keys = tables.WORKS_KEYS
    allowed_rates = tables.ALLOWED_RATES

    def seller_problems(self, seller: Seller) -> list[str]:
        return identity.seller_problems(seller)

    def check_works(self, sale: Sale, key: str) -> None:
        treatment.check_works(self, sale, key)

    def franchise(self, sale: Sale) -> Franchise:
        return treatment.FRANCHISE

    def invoice_mentions(self, sale: Sale, lines: list[TaxedLine]) -> list[Mention]:
        return treatment.invoice_mentions(self, sale, lines)

    def business_case(self, sale: Sale) -> str:
        return treatment.business_case(sale)

    def legal_channel(self, sale: Sale, business_case: str) -> str | None:
        return treatment.legal_channel(sale, business_case)


JURISDICTION = France()
