"""Poland, PLN, Europe/Warsaw, mentions in Polish.

The pack's parts: ``rates.py`` (art. 41 rate tables), ``mentions.py`` (texts, in Polish),
``identity.py`` (NIP, KRS, KSH art. 206 data), ``treatment.py`` (8 % housing works and the area
split, split payment, buyer NIP, franchise, KSeF). Legal reference: docs/countries.md §8 and
shared/domain/invoicing-rules.md §3.6. The VAT of a foreign-currency invoice is also stated in PLN
(art. 106e ust. 11) at the NBP average rate of the last working day before the tax point (art. 31a
ust. 1, ``PL_NBP``).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from mandat.countries.base import Mention
from mandat.countries.jurisdiction import Franchise, Jurisdiction, ReverseCharge, Sale
from mandat.countries.pl import identity, treatment
from mandat.countries.pl import mentions as texts
from mandat.countries.pl import rates as tables
from mandat.domain.calculation import TaxedLine
from mandat.domain.documents import PartyId, VatCategory
from mandat.domain.events import Line
from mandat.domain.exchange import PL_NBP
from mandat.domain.parties import Seller
from mandat.domain.refusals import Rejected


class Poland(Jurisdiction):
    code = "PL"
    name = "Poland"
    adjective = "Polish"
    currency = "PLN"
    timezone = "Europe/Warsaw"
    legal_languages = ("pl",)
    rates = tables.RATES
    mentions = texts.MENTIONS
    works_keys = tables.WORKS_KEYS
    tax_number_label = "NIP"
    exchange_rule = PL_NBP

    def mention_date(self, day: date) -> str:
        return day.strftime("%d.%m.%Y")

    def seller_problems(self, seller: Seller) -> list[str]:
        return identity.seller_problems(seller)

    def seller_ids(self, seller: Seller, language: str) -> tuple[list[PartyId], str | None]:
        del language  # the identifiers' names are the law's (NIP, KRS); the register text is Polish
        return identity.seller_ids(seller)

    def line_rate(self, sale: Sale, line: Line, what: str) -> tuple[VatCategory, Decimal]:
        if line.tax_category == treatment.HOUSING and line.nature != "service":
            raise Rejected(
                "works_rate_condition_unmet",
                f"PL {treatment.HOUSING} ({tables.WORKS_KEYS[treatment.HOUSING]}): {what} is goods; goods "
                "supplied alone stay at the standard rate, materials are part of the works service line",
            )
        works_rate = self.rate(treatment.HOUSING, sale.tax_point)
        if line.tax_category is None and line.vat_rate == works_rate and line.nature == "service" and sale.event.works:
            # 8 % is also the ladder's intermediate rate (annex 3), but a service of an order that carries
            # works facts is the housing-works rate in all likelihood: its conditions must not be skipped.
            raise Rejected(
                "works_rate_condition_missing",
                f"{what}: a service at {works_rate}% in an order with works facts: send tax_category "
                f"{treatment.HOUSING} ({tables.WORKS_KEYS[treatment.HOUSING]}) or intermediate",
            )
        return super().line_rate(sale, line, what)

    def check_works(self, sale: Sale, key: str) -> None:
        treatment.check_works(self, sale, key)

    def adjust_lines(self, sale: Sale, lines: list[TaxedLine]) -> list[TaxedLine]:
        return treatment.adjust_lines(self, sale, lines)

    def franchise(self, sale: Sale) -> Franchise:
        if sale.business:
            # A B2B invoice of an exempt taxpayer is also a KSeF invoice, but rules/invoice.py only asks
            # legal_channel for VAT-charging domestic sales: refused rather than issued without its notice.
            raise Rejected(
                "unsupported_case",
                "PL franchise seller (art. 113 ust. 1) selling to a business: the invoice belongs in KSeF and "
                "the copy notice cannot be attached yet",
            )
        # Art. 113 ust. 13 excludes, among others, distance sales of cosmetics and of PKWiU 26-28 goods
        # (electronics, household appliances, machinery: many power tools): mandat cannot see a
        # product's PKWiU, so the seller's regime is its own statement, like a product's rate.
        sale.trace.append(
            "art. 113 ust. 13 exclusions (distance sales of PKWiU 20.42.1, 26, 27, 28 goods, ...) are the "
            "seller's to observe: mandat cannot classify products"
        )
        return treatment.FRANCHISE

    def reverse_charge(self, sale: Sale, lines: list[TaxedLine]) -> ReverseCharge | None:
        del lines
        sale.trace.append("no domestic reverse charge in Poland since 2019-11-01 (art. 17 ust. 1 pkt 7-8 repealed)")
        return None

    def invoice_mentions(self, sale: Sale, lines: list[TaxedLine]) -> list[Mention]:
        return treatment.invoice_mentions(self, sale, lines)

    def legal_channel(self, sale: Sale, business_case: str) -> str | None:
        return treatment.legal_channel(sale, business_case)


JURISDICTION = Poland()
