"""The legal record of an issued document (invoice or credit note).

A ``Document`` is everything the PDF and the e-invoice are rendered from, and
nothing else: renderers read only this record, so the same record always gives
the same bytes. Field comments give the EN 16931 business terms (BT-*).
"""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime
from decimal import Decimal
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, SerializerFunctionWrapHandler, model_serializer

from mandat.domain.parties import Address, Insurance

VatCategory = Literal["S", "Z", "E", "AE", "K", "G", "O"]
DocumentKind = Literal["invoice", "credit_note"]
TYPE_CODES: dict[str, str] = {"invoice": "380", "credit_note": "381"}


class Record(BaseModel):
    """A frozen part of the legal record.

    Fields added after documents were first issued are listed in ``LATER``: they are left out of the
    serialised record while empty, so a record issued before they existed keeps its exact JSON, hence
    its body hash and its place in the hash chain (the audit recomputes both).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")
    LATER: ClassVar[frozenset[str]] = frozenset()

    @model_serializer(mode="wrap")
    def _omit_empty_later(self, handler: SerializerFunctionWrapHandler) -> Any:
        data = handler(self)
        if self.LATER and isinstance(data, dict):
            for name in self.LATER:
                if name in data and data[name] in (None, [], {}, ""):
                    del data[name]
        return data


class PartyId(Record):
    """An identifier printed for a party, with the label its country's law uses ("Steuernummer",
    "KRS", "Company No."). ``scheme`` (ISO 6523 ICD) makes it the legal registration id of the
    e-invoice (BT-30 / BT-47); ``role`` "tax" makes it the national tax number (BT-32)."""

    label: str
    value: str
    role: Literal["legal", "tax", "other"] = "other"
    scheme: str | None = None


class PartySnapshot(Record):
    """Seller or buyer as they were when the document was issued (never re-read later)."""

    name: str  # BT-27 / BT-44
    address: Address  # BG-5 / BG-8
    vat_id: str | None = None  # BT-31 / BT-48
    siren: str | None = None  # BT-30 / BT-47 (scheme 0002)
    siret: str | None = None
    email: str | None = None  # BT-34 / BT-49 electronic address
    legal_form: str | None = None
    share_capital: Decimal | None = None
    registry: str | None = None  # "RCS Lyon"
    trade_name: str | None = None  # BT-28
    is_business: bool = False
    ids: list[PartyId] = []  # other countries' identifiers, as their packs print them
    legal_info: str | None = None  # BT-33 as the seller country's pack words it (legal form, capital, register)
    phone: str | None = None  # BT-42 seller contact telephone (XRechnung BR-DE-6)
    # issue 15: the buyer's e-invoicing addresses as the sale event gave them (domain/events.py Buyer).
    peppol_id: str | None = None  # "<ICD>:<id>": BT-49 with its scheme in Peppol BIS
    leitweg_id: str | None = None  # DE: BT-10 of an XRechnung
    xrechnung: Literal["cii", "ubl"] | None = None  # DE: the XRechnung syntax the buyer asked for
    sdi_code: str | None = None  # IT: FatturaPA CodiceDestinatario (1.1.4)
    pec: str | None = None  # IT: FatturaPA PECDestinatario (1.1.6)

    LATER = frozenset({"ids", "legal_info", "phone", "peppol_id", "leitweg_id", "xrechnung", "sdi_code", "pec"})


class IssuerSnapshot(Record):
    """The marketplace issuing under mandate (EXT-FR-FE-BG-05, "tiers facturant")."""

    name: str
    address: Address
    siren: str
    vat_id: str


class DocumentLine(Record):
    id: str  # BT-126
    sku: str  # BT-155
    description: str  # BT-153
    quantity: Decimal  # BT-129
    unit: str  # BT-130
    net_unit_price: Decimal  # BT-146, up to 6 decimals
    allowance: Decimal  # BT-136 (line allowance), 2 decimals
    allowance_reason: str | None = None  # BT-139
    net_amount: Decimal  # BT-131 = qty x price - allowance, 2 decimals
    vat_category: VatCategory  # BT-151
    vat_rate: Decimal  # BT-152
    nature: Literal["goods", "service"]
    gross_amount: Decimal  # what the buyer paid for this line, VAT included (display only)


class VatBreakdown(Record):
    category: VatCategory  # BT-118
    rate: Decimal  # BT-119
    taxable_amount: Decimal  # BT-116
    tax_amount: Decimal  # BT-117
    exemption_reason: str | None = None  # BT-120
    exemption_code: str | None = None  # BT-121 (VATEX)


class Totals(Record):
    line_total: Decimal  # BT-106
    allowance_total: Decimal  # BT-107 (document level; 0: discounts are carried on the lines)
    charge_total: Decimal  # BT-108
    tax_exclusive: Decimal  # BT-109
    tax_total: Decimal  # BT-110
    tax_inclusive: Decimal  # BT-112
    prepaid: Decimal  # BT-113
    payable: Decimal  # BT-115


class Mention(Record):
    """A legal mention printed verbatim; ``code`` ties it to the rule that requires it."""

    code: str
    text: str
    note_subject: str | None = None  # UNTDID 4451 subject code when it also goes to the XML (BT-21)


class PaymentInfo(Record):
    provider: str
    transaction_id: str
    method: str
    paid_at: datetime
    amount: Decimal


class CorrectedInvoice(Record):
    number: str  # BT-25
    issue_date: date  # BT-26


class TaxCurrencyAmount(Record):
    category: VatCategory
    rate: Decimal
    tax_amount: Decimal  # the breakdown's BT-117 converted and rounded to the cent


class Exchange(Record):
    """The VAT also stated in the taxing country's currency (EN 16931 BT-6 / BT-111, Directive
    2006/112/EC art. 91 and 230), with the rate, its source and its date printed."""

    tax_currency: str  # BT-6
    rate: Decimal  # units of tax_currency for one unit of the invoice currency
    source: str  # "ECB", "NBP", "event"...
    day: date  # the day the rate was published for
    reference: str | None = None  # e.g. the NBP table number
    tax_total: Decimal  # BT-111
    per_rate: list[TaxCurrencyAmount] = []


class DeemedSupply(Record):
    """The marketplace supplies the buyer in its own name (deemed supplier); the seller's supply to the
    marketplace, recorded here (Directive 2006/112/EC art. 14a(2) with art. 136a: exempt; art. 14a(1):
    an import; VATA 1994 s.5A: the UK's) with its value, net of VAT, in the document's currency."""

    seller_id: str
    seller_name: str
    seller_country: str
    case: Literal["eu_goods_in_eu", "eu_import", "uk_goods_in_uk", "uk_import"]
    value: Decimal
    basis: str


class Document(Record):
    id: str
    kind: DocumentKind
    type_code: str  # BT-3: 380 invoice, 381 credit note
    number: str  # BT-1
    series: str
    seq: int
    issued_at: datetime  # UTC instant the number was taken
    issue_date: date  # BT-2, in the seller's time zone
    currency: str  # BT-5
    language: str  # language of the human-readable document (PDF)
    country: str  # the country whose rules were applied
    seller_id: str
    seller: PartySnapshot
    seller_insurance: Insurance | None = None
    buyer: PartySnapshot
    issuer: IssuerSnapshot
    marketplace_id: str
    order_id: str  # BT-13 purchase order ref. falls back to it when the buyer gave none
    purchase_order: str | None = None  # BT-13
    event_id: str
    idempotency_key: str
    delivery_date: date  # BT-72
    delivery_address: Address | None = None  # BG-15, printed when it differs from the buyer's
    operation_category: Literal["B1", "S1", "M1"]  # BT-23 business process (goods / services / both)
    business_case: Literal["B2B", "B2BINT", "B2C", "OUTOFSCOPE"]  # BAR note (BR-FR)
    lines: list[DocumentLine]
    vat_breakdown: list[VatBreakdown]
    totals: Totals
    payment: PaymentInfo
    due_date: date | None = None  # BT-9
    payment_terms: str | None = None  # BT-20
    mentions: list[Mention]
    corrects: CorrectedInvoice | None = None
    reason: str | None = None  # credit notes: why
    trace: list[str]  # why the rules decided what they decided
    prev_hash: str  # chain link: hash of the previous document of the series
    hash: str  # chain_hash(prev_hash, body_hash, number, issued_at): see compute_hash
    exchange: Exchange | None = None  # BT-6 / BT-111 when the invoice currency is not the taxing country's
    # Where the law makes a cleared or transmitted e-invoice the invoice (SdI, KSeF, Peppol...), its
    # channel: the PDF then says it is a copy, and "National e-invoices" builds the format from this record.
    legal_channel: str | None = None
    mention_language: str | None = None  # language of the legal mentions when it is not ``language``
    # Whose series numbered it when not the seller's: "@<marketplace id>" for a deemed supplier's documents.
    series_owner: str | None = None
    # The country whose VAT the lines carry when it is not ``country`` (an OSS sale: the destination's),
    # and the special scheme it is declared under.
    taxed_in: str | None = None
    scheme: Literal["oss", "ioss", "uk_omp"] | None = None
    deemed_supply: DeemedSupply | None = None
    # issue 15: formats
    # The structured formats the document is due in, decided when it was drafted (rules/einvoice.py, the
    # decision table of the market research §5.2), "en16931-cii" first; empty on records issued before.
    formats: list[str] = []

    LATER = frozenset(
        {
            "exchange",
            "legal_channel",
            "mention_language",
            "series_owner",
            "taxed_in",
            "scheme",
            "deemed_supply",
            "formats",
        }
    )

    def body_hash(self) -> str:
        """sha256 of everything decided before the number was taken (the stamped fields excluded)."""
        return hashlib.sha256(canonical_json(self.model_dump(mode="json", exclude=STAMPED))).hexdigest()

    def compute_hash(self) -> str:
        """The chain link. Stamped fields enter through number and issued_at (issue and due dates derive
        from issued_at), so PostgreSQL can compute the same value inside the numbering statement."""
        return chain_hash(self.prev_hash, self.body_hash(), self.number, self.issued_at)


# Fields set when the number is taken, inside the numbering transaction.
STAMPED: set[str] = {"number", "seq", "issued_at", "issue_date", "due_date", "prev_hash", "hash"}


def iso_utc(instant: datetime) -> str:
    """One spelling of an instant, shared with the SQL that computes the chain in PostgreSQL."""
    from datetime import UTC

    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def chain_hash(prev_hash: str, body_hash: str, number: str, issued_at: datetime) -> str:
    return hashlib.sha256(f"{prev_hash}:{body_hash}:{number}:{iso_utc(issued_at)}".encode()).hexdigest()


def canonical_json(data: object) -> bytes:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
