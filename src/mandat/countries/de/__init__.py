"""Germany, EUR, Europe/Berlin, mentions in German.

The pack's parts: ``rates.py`` (UStG §12, §28 rate tables), ``mentions.py`` (texts, in German),
``identity.py`` (Steuernummer, USt-IdNr, register entry, business-letter mentions),
``treatment.py`` (0 % photovoltaic rate, §13b reverse charge for construction services,
Kleinunternehmer, two-year retention note).
Legal reference: docs/countries.md §6 and shared/domain/invoicing-rules.md §3.4.

No legal channel: the domestic B2B e-invoice (UStG §14(1) since 2025, issuance duty from 2027/2028)
may be a ZUGFeRD / Factur-X EN 16931 invoice sent by any means, which is what mandat issues; B2C
invoices are outside the e-invoice duty.
"""

from __future__ import annotations

from datetime import date

from mandat.countries.base import Mention
from mandat.countries.de import identity, treatment
from mandat.countries.de import mentions as texts
from mandat.countries.de import rates as tables
from mandat.countries.jurisdiction import Franchise, Jurisdiction, ReverseCharge, Sale
from mandat.domain.calculation import TaxedLine
from mandat.domain.documents import PartyId
from mandat.domain.parties import Seller


class Germany(Jurisdiction):
    code = "DE"
    name = "Germany"
    adjective = "German"
    currency = "EUR"
    timezone = "Europe/Berlin"
    legal_languages = ("de",)
    rates = tables.RATES
    mentions = texts.MENTIONS
    works_keys = tables.WORKS_KEYS
    tax_number_label = "Steuernummer"

    def mention_date(self, day: date) -> str:
        return day.strftime("%d.%m.%Y")

    def seller_problems(self, seller: Seller) -> list[str]:
        return identity.seller_problems(seller)

    def seller_ids(self, seller: Seller, language: str) -> tuple[list[PartyId], str | None]:
        del language  # German is the only legal language: the business-letter mentions are German
        return identity.seller_ids(seller)

    def check_works(self, sale: Sale, key: str) -> None:
        treatment.check_works(self, sale, key)

    def franchise(self, sale: Sale) -> Franchise:
        return treatment.FRANCHISE

    def reverse_charge(self, sale: Sale, lines: list[TaxedLine]) -> ReverseCharge | None:
        return treatment.reverse_charge(sale, lines)

    def invoice_mentions(self, sale: Sale, lines: list[TaxedLine]) -> list[Mention]:
        return treatment.invoice_mentions(self, sale, lines)


JURISDICTION = Germany()
