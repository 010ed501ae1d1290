"""Belgium, EUR, Europe/Brussels; mentions in French, Dutch or German.

The pack's parts: ``rates.py`` (Code TVA art. 37, AR n° 20 tables), ``mentions.py`` (texts in fr, nl,
de), ``identity.py`` (enterprise number = VAT number, RPM/RPR), ``treatment.py`` (6 % renovation,
cocontractant reverse charge, franchise, Peppol). Legal reference: docs/countries.md §3 and
shared/domain/invoicing-rules.md §3.1.

Languages (decision of the lead, issue 13): the labels follow the buyer's language; the mentions are
in the buyer's language when it is one of Belgium's (fr, nl, de), else in the seller's
``legal_language`` (the language of its region, required of every Belgian seller).
"""

from __future__ import annotations

from mandat.countries.base import Mention
from mandat.countries.be import identity, treatment
from mandat.countries.be import mentions as texts
from mandat.countries.be import rates as tables
from mandat.countries.jurisdiction import Franchise, Jurisdiction, ReverseCharge, Sale
from mandat.domain.calculation import TaxedLine
from mandat.domain.documents import PartyId
from mandat.domain.parties import Seller


class Belgium(Jurisdiction):
    code = "BE"
    name = "Belgium"
    adjective = "Belgian"
    currency = "EUR"
    timezone = "Europe/Brussels"
    legal_languages = ("fr", "nl", "de")
    rates = tables.RATES
    mentions = texts.MENTIONS
    works_keys = tables.WORKS_KEYS
    tax_number_label = "N° d'entreprise"

    def mention_language(self, seller: Seller, document_language: str) -> str:
        if document_language in self.legal_languages:
            return document_language
        return seller.legal_language or self.legal_languages[0]

    def seller_problems(self, seller: Seller) -> list[str]:
        return identity.seller_problems(seller)

    def seller_ids(self, seller: Seller, language: str) -> tuple[list[PartyId], str | None]:
        return identity.seller_ids(seller, language)

    def buyer_ids(self, tax_number: str | None, language: str) -> list[PartyId]:
        return identity.buyer_ids(tax_number, language)

    def check_works(self, sale: Sale, key: str) -> None:
        treatment.check_works(self, sale, key)

    def reverse_charge(self, sale: Sale, lines: list[TaxedLine]) -> ReverseCharge | None:
        return treatment.reverse_charge(sale)

    def franchise(self, sale: Sale) -> Franchise:
        return treatment.franchise(sale)

    def invoice_mentions(self, sale: Sale, lines: list[TaxedLine]) -> list[Mention]:
        return treatment.invoice_mentions(self, sale, lines)

    def legal_channel(self, sale: Sale, business_case: str) -> str | None:
        return treatment.legal_channel(sale)


JURISDICTION = Belgium()
