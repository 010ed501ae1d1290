"""The interface every country pack implements, and the defaults most of them keep.

A pack is a package ``mandat.countries.<cc>`` (lower-case ISO 3166 code; ``gb`` for the United
Kingdom) whose ``__init__`` exposes ``JURISDICTION``, an instance of a :class:`Jurisdiction`
subclass. Data (rate tables, mention texts per language) lives in the pack's modules as
effective-dated tables; the few decisions a country makes differently are the methods below.
``rules/`` asks :func:`mandat.countries.registry.jurisdiction` for the seller's country and calls
them: the rules know the order of things (mandate, payment, place, rates, mentions), the packs know
their law. A pack depends on ``mandat.domain`` only.

Every method that decides appends a sentence with its legal basis to ``sale.trace`` and raises
:class:`~mandat.domain.refusals.Rejected` (a case it does not know) rather than guessing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import ClassVar

from mandat.countries.base import Dated, Mention, at
from mandat.domain.calculation import TaxedLine
from mandat.domain.documents import PartyId, VatCategory
from mandat.domain.drafts import DEFAULT_NUMBER_SYNTAX, NumberSyntax
from mandat.domain.events import Line, OrderPaid
from mandat.domain.exchange import EUROZONE_ECB, RateRule
from mandat.domain.parties import Seller
from mandat.domain.refusals import Rejected

# The language a buyer reads by default, by the country of the buyer's address (docs/countries.md §10.2).
BUYER_LANGUAGE_BY_COUNTRY: dict[str, str] = {
    "FR": "fr",
    "MC": "fr",
    "LU": "fr",
    "BE": "fr",
    "NL": "nl",
    "DE": "de",
    "AT": "de",
    "LI": "de",
    "CH": "de",
    "ES": "es",
    "IT": "it",
    "SM": "it",
    "VA": "it",
    "PT": "pt",
    "PL": "pl",
    "GB": "en",
    "IE": "en",
    "MT": "en",
}

Table = Mapping[str, Decimal]
MentionTable = Mapping[str, Mention]


@dataclass
class Sale:
    """What a pack sees of a sale being decided (``rules.invoice`` fills it, packs read and trace)."""

    event: OrderPaid
    seller: Seller
    day: date  # issue day in the seller's time zone: mentions in force
    tax_point: date  # delivery: rates in force
    business: bool
    buyer_vat_country: str | None
    language: str  # of the document (labels)
    mention_language: str  # of the legal mentions
    trace: list[str] = field(default_factory=list)
    # The country whose VAT the sale carries when it is not this pack's (an OSS sale: the destination).
    taxed_in: str | None = None

    @property
    def natures(self) -> set[str]:
        return {ln.nature for ln in self.event.lines}


@dataclass(frozen=True)
class Franchise:
    """How a small-enterprise exemption is stated: the mention code and its VATEX code (BT-121)."""

    mention: str
    vatex: str | None
    basis: str


@dataclass(frozen=True)
class ReverseCharge:
    """A domestic reverse charge the buyer accounts for (category AE, VATEX-EU-AE)."""

    mention: str  # code of the mention printed, which is also the exemption reason (BT-120)
    basis: str


class Jurisdiction:
    """One country's invoicing law, as data plus the decisions that differ between countries."""

    code: ClassVar[str]
    name: ClassVar[str]
    adjective: ClassVar[str]  # "French", "Belgian": in the decision trace
    currency: ClassVar[str]
    timezone: ClassVar[str]
    # The languages the pack's mentions exist in; the first is the default (docs/countries.md §10.2).
    legal_languages: ClassVar[tuple[str, ...]]
    rates: ClassVar[Sequence[Dated[Table]]]
    mentions: ClassVar[Mapping[str, Sequence[Dated[MentionTable]]]]  # language -> dated tables
    works_keys: ClassVar[Mapping[str, str]] = {}  # conditional works keys -> legal basis
    number_syntax: ClassVar[NumberSyntax] = DEFAULT_NUMBER_SYNTAX
    tax_number_label: ClassVar[str] = "Tax no."  # how the country's tax number is labelled on a page
    allowed_rates: ClassVar[frozenset[Decimal] | None] = None  # a national e-invoice's rate list, if any
    # Which exchange rate states the VAT in national currency (docs/countries.md §10.3).
    exchange_rule: ClassVar[RateRule] = EUROZONE_ECB

    # --- rates ------------------------------------------------------------------------------

    def rate_table(self, day: date) -> Table:
        return at(self.rates, day, f"{self.code} VAT rate table")

    def rate_source(self, day: date) -> str:
        """The legal basis of the rate table in force on ``day`` (for the decision trace)."""
        return next((entry.source for entry in self.rates if entry.covers(day)), "")

    def rate(self, key: str, day: date) -> Decimal:
        table = self.rate_table(day)
        if key not in table:
            known = ", ".join(table)
            raise Rejected("tax_category_unknown", f"{self.code} has no tax category {key!r} (known: {known})")
        return table[key]

    def category(self, key: str | None, rate: Decimal) -> VatCategory:
        """EN 16931 category of a domestic line: S, or Z for a zero rate (BR-Z-*)."""
        del key
        return "Z" if rate == 0 else "S"

    # --- languages and mentions -----------------------------------------------------------

    def document_language(self, requested: str | None, buyer_country: str, seller: Seller | None = None) -> str:
        """The buyer's choice; else, at home, the seller's legal language when it has one (a Belgian
        seller's region, for a sale in Belgium by a seller established there); else the language of the
        buyer's country, else the pack's own."""
        if requested:
            return requested
        if seller is not None and buyer_country == self.code == seller.address.country and seller.legal_language:
            return seller.legal_language
        return BUYER_LANGUAGE_BY_COUNTRY.get(buyer_country, self.legal_languages[0])

    def mention_language(self, seller: Seller, document_language: str) -> str:
        """Mentions in the document's language when the pack has them, else in its legal language."""
        return document_language if document_language in self.legal_languages else self.legal_languages[0]

    def mention(self, code: str, day: date, language: str, **values: str) -> Mention:
        tables = self.mentions.get(language)
        if tables is None:
            raise Rejected("mention_text_missing", f"{self.code} has no mentions in {language!r}")
        table = at(tables, day, f"{self.code} mentions ({language})")
        m = table.get(code)
        if m is None:
            raise Rejected(
                "mention_text_missing", f"{self.code} has no text for mention {code!r} in {language!r} on {day}"
            )
        return Mention(code=m.code, text=m.text.format(**values), note_subject=m.note_subject)

    def mention_date(self, day: date) -> str:
        """A date inside a mention text (the page's own dates go through Babel in render/)."""
        return day.strftime("%d/%m/%Y")

    # --- the seller -------------------------------------------------------------------------

    def seller_problems(self, seller: Seller) -> list[str]:
        """What the country's law requires of an established seller's identity that is missing or
        wrong (checked when the seller is saved, and again at issue)."""
        del seller
        return []

    def seller_ids(self, seller: Seller, language: str) -> tuple[list[PartyId], str | None]:
        """The identifiers printed for the seller and the BT-33 text (legal form, capital, register)."""
        del seller, language
        return [], None

    def buyer_ids(self, tax_number: str | None, language: str) -> list[PartyId]:
        """The buyer's national tax number as printed (ES NIF, IT codice fiscale...), when given."""
        del language
        return [PartyId(label=self.tax_number_label, value=tax_number)] if tax_number else []

    # --- the domestic sale ------------------------------------------------------------------

    def line_rate(self, sale: Sale, line: Line, what: str) -> tuple[VatCategory, Decimal]:
        """Category and rate of a domestic line: from its key (works keys checked), or its explicit rate
        checked against the table in force."""
        table = self.rate_table(sale.tax_point)
        if line.tax_category is not None:
            rate = self.rate(line.tax_category, sale.tax_point)
            if line.vat_rate is not None and line.vat_rate != rate:
                raise Rejected(
                    "vat_rate_mismatch",
                    f"{what}: rate {line.vat_rate}% contradicts category {line.tax_category} "
                    f"({rate}% on {sale.tax_point})",
                )
            if line.tax_category in self.works_keys:
                self.check_works(sale, line.tax_category)
            return self.category(line.tax_category, rate), rate
        if line.vat_rate is None:
            raise Rejected("vat_rate_missing", f"{what}: neither a VAT rate nor a tax category")
        if line.vat_rate not in set(table.values()):
            allowed = ", ".join(str(r) for r in sorted(set(table.values())))
            raise Rejected("vat_rate_invalid", f"{what}: {line.vat_rate}% is not a {self.code} rate ({allowed})")
        works = {k for k, v in table.items() if v == line.vat_rate} & set(self.works_keys)
        ladder = {k for k, v in table.items() if v == line.vat_rate} - set(self.works_keys)
        if works and not ladder:
            # A rate that only a works key has needs that key and its facts: a bare rate would skip them.
            raise Rejected(
                "works_rate_condition_missing",
                f"{what}: {line.vat_rate}% is only the {self.code} rate of {', '.join(sorted(works))}: "
                "send tax_category with the works facts",
            )
        return self.category(None, line.vat_rate), line.vat_rate

    def check_works(self, sale: Sale, key: str) -> None:
        """Refuse a works key whose facts are missing (``works_rate_condition_missing``) or contrary
        (``works_rate_condition_unmet``); trace the facts that allow it."""
        raise Rejected("works_rate_condition_missing", f"{self.code} {key}: no rule checks its conditions")

    def adjust_lines(self, sale: Sale, lines: list[TaxedLine]) -> list[TaxedLine]:
        """A last look at the decided lines (e.g. a cap that splits a line); the default changes nothing."""
        del sale
        return lines

    def franchise(self, sale: Sale) -> Franchise:
        """The small-enterprise exemption of the seller's country, or a refusal when not modelled."""
        raise Rejected("unsupported_case", f"{self.code}: franchise (small-enterprise) regime not modelled")

    def reverse_charge(self, sale: Sale, lines: list[TaxedLine]) -> ReverseCharge | None:
        """A domestic reverse charge that applies to this B2B sale (the whole invoice), or None."""
        del sale, lines
        return None

    def invoice_mentions(self, sale: Sale, lines: list[TaxedLine]) -> list[Mention]:
        """The country's own mentions of an invoice, after the treatment's and before "paid"."""
        del sale, lines
        return []

    def business_case(self, sale: Sale) -> str:
        return "B2B" if sale.business else "B2C"

    def exchange_day(self, sale: Sale) -> date:
        """The day whose exchange rate restates the VAT in national currency: the chargeable event
        (Directive art. 91(1)), the delivery unless the country's time of supply differs."""
        return sale.tax_point

    def credit_note_channel(self, invoice_channel: str | None, day: date) -> str | None:
        """The channel of a credit note issued on ``day`` for an invoice that had ``invoice_channel``: the
        invoice's by default (a correction travels the way its invoice did)."""
        del day
        return invoice_channel

    def legal_channel(self, sale: Sale, business_case: str) -> str | None:
        """Where the law makes a cleared or transmitted e-invoice the invoice, its channel."""
        del sale, business_case
        return None
