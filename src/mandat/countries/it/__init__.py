"""Italy, EUR, Europe/Rome, mentions in Italian.

The pack's parts: ``rates.py`` (DPR 633/1972 art. 16 and Tabella A), ``mentions.py`` (texts, in Italian),
``identity.py`` (partita IVA, codice fiscale, REA, c.c. art. 2250), ``treatment.py`` (10 % maintenance of
dwellings and its significant-goods cap, reverse charge art. 17 c.6 lett. a-ter, buyer identifiers).
Legal reference: docs/countries.md §5 and shared/domain/invoicing-rules.md §3.3.

Every domestic invoice is a FatturaPA cleared by the SdI (``legal_channel``): the PDF is a courtesy copy.
Invoice numbers: FatturaPA ``Numero`` is at most 20 characters and must contain a digit.
"""

from __future__ import annotations

from mandat.countries.base import Mention
from mandat.countries.it import identity, treatment
from mandat.countries.it import mentions as texts
from mandat.countries.it import rates as tables
from mandat.countries.jurisdiction import Franchise, Jurisdiction, ReverseCharge, Sale
from mandat.domain.calculation import TaxedLine
from mandat.domain.documents import PartyId
from mandat.domain.drafts import NumberSyntax
from mandat.domain.parties import Seller

NUMBER_SYNTAX = NumberSyntax(
    r"(?=[^0-9]*[0-9])[A-Za-z0-9+\-_/]{1,20}",
    "FatturaPA Numero (String20Type, at least one digit): 1-20 chars of A-Z a-z 0-9 + - _ /",
)


class Italy(Jurisdiction):
    code = "IT"
    name = "Italy"
    adjective = "Italian"
    currency = "EUR"
    timezone = "Europe/Rome"
    legal_languages = ("it",)
    rates = tables.RATES
    mentions = texts.MENTIONS
    works_keys = tables.WORKS_KEYS
    number_syntax = NUMBER_SYNTAX
    tax_number_label = "Codice fiscale"

    def seller_problems(self, seller: Seller) -> list[str]:
        return identity.seller_problems(seller)

    def seller_ids(self, seller: Seller, language: str) -> tuple[list[PartyId], str | None]:
        del language  # c.c. art. 2250 statements are Italian whatever the buyer reads
        return identity.seller_ids(seller)

    def check_works(self, sale: Sale, key: str) -> None:
        treatment.check_works(self, sale, key)

    def adjust_lines(self, sale: Sale, lines: list[TaxedLine]) -> list[TaxedLine]:
        return treatment.split_significant_goods(self, sale, lines)

    def franchise(self, sale: Sale) -> Franchise:
        sale.trace.append("regime forfettario: no VAT charged, customary mention (L. 190/2014 art. 1 c.54-89)")
        return treatment.FRANCHISE

    def reverse_charge(self, sale: Sale, lines: list[TaxedLine]) -> ReverseCharge | None:
        return treatment.reverse_charge(self, sale, lines)

    def invoice_mentions(self, sale: Sale, lines: list[TaxedLine]) -> list[Mention]:
        return treatment.invoice_mentions(self, sale, lines)

    def legal_channel(self, sale: Sale, business_case: str) -> str | None:
        del business_case
        sale.trace.append(
            "Italian invoices, B2B and B2C, are FatturaPA cleared by the SdI (D.Lgs. 127/2015 art. 1 c.3)"
        )
        return "SdI"


JURISDICTION = Italy()
