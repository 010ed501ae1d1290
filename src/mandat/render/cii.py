"""Factur-X 1.0 profile EN 16931 (UN/CEFACT CII D16B) XML, built from a ``Document`` only.

A French e-invoice (the record's ``legal_channel`` is the accredited-platform channel, issue 15) is
written in the EXTENDED-CTC-FR profile instead (XP Z12-012 V1.4.0): the same tree plus the invoicer
(the marketplace acting under the billing mandate), the "already paid" business process and its due
date. docs/formats/france-ctc.md gives the readings and why older records keep their bytes.

The XML is written by plain string concatenation rather than through lxml: about
0.25 ms for ten lines, where merely creating and serialising the same tree with lxml
takes 0.4 ms; it keeps lxml out of the import, and the byte layout is ours, hence
stable across library versions.
Every piece of text goes through :func:`_text` / :func:`_attr`, which escape
markup and drop the characters XML 1.0 cannot carry at all.

Element order follows the Factur-X 1.09 EN16931 XSD (it is a strict sequence);
the BT numbers in the comments are EN 16931 business terms. Choices made where
the standard leaves room are explained next to the code that makes them.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from types import TracebackType
from zoneinfo import ZoneInfo

from mandat.domain.documents import Document, DocumentLine, IssuerSnapshot, PartySnapshot, VatBreakdown
from mandat.domain.money import CENT, normalize
from mandat.domain.parties import Address

GUIDELINE_EN16931 = "urn:cen.eu:en16931:2017"
# The channel the French pack records for a document of the e-invoicing reform (countries/fr/treatment.py
# CTC_CHANNEL; render depends on the domain only, tests/test_layers.py, and a test ties the two names).
CTC_CHANNEL = "plateforme agréée (PA)"
# BT-24 of the French extended profile (XP Z12-012 V1.4.0; the id the FNFE-MPE EXTENDED-CTC-FR artefacts use).
GUIDELINE_EXTENDED_CTC_FR = "urn:cen.eu:en16931:2017#conformant#urn.cpro.gouv.fr:1p0:extended-ctc-fr"
# BT-23 "cadre de facturation" of an invoice already paid (XP Z12-012; BR-FR-08 list, BR-FR-CO-09):
# every order is paid online before its invoice is issued, so goods B1 -> B2, services S1 -> S2, both M1 -> M2.
PAID_PROCESS: dict[str, str] = {"B1": "B2", "S1": "S2", "M1": "M2"}
PARIS = ZoneInfo("Europe/Paris")

NAMESPACES: dict[str, str] = {
    "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
    "qdt": "urn:un:unece:uncefact:data:standard:QualifiedDataType:100",
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
    "udt": "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100",
}

# UNCL 4461. A transfer is 42 ("payment to bank account"), not 30/58 (credit transfer / SEPA
# credit transfer): with 30/58, CII-SR-470 (and BR-61 once BG-17 is present) require the payee
# account (BT-84), which the record does not carry (the buyer paid the marketplace's payment
# provider, not an account of the seller's). Wallets such as PayPal are 68 ("online payment
# service"). Anything else is 1 ("instrument not defined"): saying nothing beats asserting a
# means we do not know.
PAYMENT_MEANS: dict[str, str] = {"card": "48", "transfer": "42", "paypal": "68", "wallet": "68"}
PAYMENT_MEANS_UNDEFINED = "1"

# ISO 6523 / EAS schemes used below.
SCHEME_SIREN = "0002"
SCHEME_SIRET = "0009"
SCHEME_FR_DIRECTORY = "0225"  # French PPF directory address (SIREN-based)
SCHEME_EMAIL = "EM"

_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'
_ROOT_ATTRS = "".join(f' xmlns:{prefix}="{uri}"' for prefix, uri in NAMESPACES.items())

# XML 1.0 Char production: anything outside it cannot be escaped, only dropped.
_ILLEGAL_XML_CHARS = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# CR is escaped so that parsers do not normalise it to LF: text must round-trip exactly.
_TEXT_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"})
_TEXT_NEEDS_WORK = re.compile("[&<>\r]|" + _ILLEGAL_XML_CHARS.pattern)
# In attributes, TAB/LF/CR would be normalised to spaces unless escaped.
_ATTR_ESCAPES = str.maketrans(
    {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "\t": "&#9;", "\n": "&#10;", "\r": "&#13;"}
)


def xml_safe(value: str) -> str:
    """``value`` without the characters XML 1.0 forbids (what ``build_cii`` actually writes)."""
    return _ILLEGAL_XML_CHARS.sub("", value)


def _text(value: str) -> str:
    if _TEXT_NEEDS_WORK.search(value) is None:  # the usual case, and one C-level scan
        return value
    return _ILLEGAL_XML_CHARS.sub("", value).translate(_TEXT_ESCAPES)


def _attr(name: str, value: str) -> str:
    return f' {name}="{_ILLEGAL_XML_CHARS.sub("", value).translate(_ATTR_ESCAPES)}"'


def _date(value: date) -> str:
    return f"{value.year:04d}{value.month:02d}{value.day:02d}"


def _amount(value: Decimal) -> str:
    """Two decimals, but never by rounding: a third decimal is a record bug the validators must see."""
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent >= -2:
        value = value.quantize(CENT)
    return format(value, "f")


def _number(value: Decimal) -> str:
    """Prices, quantities and rates: trailing zeros stripped, never exponent notation."""
    return format(normalize(value), "f")


# The same amount and number texts in every XML format built from the record (render/formats).
amount_text = _amount
number_text = _number


class _Writer:
    """Indented element writer; ``with w.el(tag):`` closes what it opened."""

    __slots__ = ("_depth", "_out", "_stack")

    def __init__(self) -> None:
        self._out: list[str] = [_DECLARATION]
        self._stack: list[str] = []
        self._depth = 0

    def el(self, tag: str, attrs: str = "") -> _Writer:
        self._out.append(f"{'  ' * self._depth}<{tag}{attrs}>\n")
        self._stack.append(tag)
        self._depth += 1
        return self

    def __enter__(self) -> _Writer:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._depth -= 1
        self._out.append(f"{'  ' * self._depth}</{self._stack.pop()}>\n")

    def leaf(self, tag: str, value: str, attrs: str = "") -> None:
        self._out.append(f"{'  ' * self._depth}<{tag}{attrs}>{_text(value)}</{tag}>\n")

    def opt(self, tag: str, value: str | None, attrs: str = "") -> None:
        """A leaf only when there is something to say (empty elements draw PEPPOL-EN16931-R008)."""
        if value is not None and xml_safe(value).strip():
            self.leaf(tag, value, attrs)

    def getvalue(self) -> bytes:
        return "".join(self._out).encode("utf-8")


def is_french_einvoice(doc: Document) -> bool:
    """A record the French e-invoicing reform applies to: the rules recorded the accredited-platform channel
    (a French seller's domestic B2B sale on or after its issuance date by size, ``countries/fr/treatment``).
    Records issued before the channel was recorded carry none, so they keep their EN 16931 bytes."""
    return doc.country == "FR" and doc.legal_channel == CTC_CHANNEL


def conformance_level(doc: Document) -> str:
    """The Factur-X ConformanceLevel the PDF's XMP must state for ``doc`` (Factur-X 1.0.07 §7.2.2):
    EXTENDED-CTC-FR is a subset of Factur-X EXTENDED (FNFE note V1.4.0 §1, step 2)."""
    return "EXTENDED" if is_french_einvoice(doc) else "EN 16931"


def build_cii(doc: Document) -> bytes:
    """The Factur-X CII XML of ``doc`` (EN 16931, or EXTENDED-CTC-FR for a French e-invoice): UTF-8,
    deterministic (same record, same bytes)."""
    ctc = is_french_einvoice(doc)
    w = _Writer()
    with w.el("rsm:CrossIndustryInvoice", _ROOT_ATTRS):
        with w.el("rsm:ExchangedDocumentContext"):
            # BT-23: the French operation category (B1/S1/M1), required by BR-FR-08; "already paid" for an e-invoice.
            with w.el("ram:BusinessProcessSpecifiedDocumentContextParameter"):
                w.leaf("ram:ID", PAID_PROCESS[doc.operation_category] if ctc else doc.operation_category)
            with w.el("ram:GuidelineSpecifiedDocumentContextParameter"):
                w.leaf("ram:ID", GUIDELINE_EXTENDED_CTC_FR if ctc else GUIDELINE_EN16931)  # BT-24
        _exchanged_document(w, doc)
        with w.el("rsm:SupplyChainTradeTransaction"):
            for line in doc.lines:
                _line(w, line)
            _agreement(w, doc)
            _delivery(w, doc)
            _settlement(w, doc, ctc)
    return w.getvalue()


def _exchanged_document(w: _Writer, doc: Document) -> None:
    with w.el("rsm:ExchangedDocument"):
        w.leaf("ram:ID", doc.number)  # BT-1
        w.leaf("ram:TypeCode", doc.type_code)  # BT-3
        with w.el("ram:IssueDateTime"):
            w.leaf("udt:DateTimeString", _date(doc.issue_date), ' format="102"')  # BT-2
        # Every mention goes to the XML: for an e-invoice the XML is the original, the PDF a copy.
        # Mentions without a UNTDID 4451 subject become free notes (BT-22 alone), among them the
        # billing-mandate statement, the only place EN 16931 CII can carry the issuing agent.
        for mention in doc.mentions:
            _note(w, mention.text, mention.note_subject)
        if doc.country == "FR":
            _note(w, doc.business_case, "BAR")  # French business-case note (BR-FR-20)


def _note(w: _Writer, content: str, subject: str | None) -> None:
    if not xml_safe(content).strip():
        return
    with w.el("ram:IncludedNote"):
        w.leaf("ram:Content", content)  # BT-22
        w.opt("ram:SubjectCode", subject)  # BT-21


def _line(w: _Writer, line: DocumentLine) -> None:
    with w.el("ram:IncludedSupplyChainTradeLineItem"):
        with w.el("ram:AssociatedDocumentLineDocument"):
            w.leaf("ram:LineID", line.id)  # BT-126
        with w.el("ram:SpecifiedTradeProduct"):
            w.opt("ram:SellerAssignedID", line.sku)  # BT-155
            w.leaf("ram:Name", line.description)  # BT-153
        with w.el("ram:SpecifiedLineTradeAgreement"), w.el("ram:NetPriceProductTradePrice"):
            w.leaf("ram:ChargeAmount", _number(line.net_unit_price))  # BT-146
        with w.el("ram:SpecifiedLineTradeDelivery"):
            w.leaf("ram:BilledQuantity", _number(line.quantity), _attr("unitCode", line.unit))  # BT-129/130
        with w.el("ram:SpecifiedLineTradeSettlement"):
            with w.el("ram:ApplicableTradeTax"):
                w.leaf("ram:TypeCode", "VAT")
                w.leaf("ram:CategoryCode", line.vat_category)  # BT-151
                if line.vat_category != "O":  # BR-O-05: no rate when not subject to VAT
                    w.leaf("ram:RateApplicablePercent", _number(line.vat_rate))  # BT-152
            if line.allowance:
                with w.el("ram:SpecifiedTradeAllowanceCharge"):  # BG-27
                    with w.el("ram:ChargeIndicator"):
                        w.leaf("udt:Indicator", "false")
                    w.leaf("ram:ActualAmount", _amount(line.allowance))  # BT-136
                    # BR-42 needs a reason or a code; 95 (UNCL 5189 "Discount") is always true here,
                    # so it is given even when the record has no reason text.
                    w.leaf("ram:ReasonCode", "95")  # BT-140
                    w.opt("ram:Reason", line.allowance_reason)  # BT-139
            with w.el("ram:SpecifiedTradeSettlementLineMonetarySummation"):
                w.leaf("ram:LineTotalAmount", _amount(line.net_amount))  # BT-131


def _agreement(w: _Writer, doc: Document) -> None:
    # BR-O-02/03/04: a document not subject to VAT must not carry VAT identifiers.
    with_vat_ids = not any(b.category == "O" for b in doc.vat_breakdown)
    with w.el("ram:ApplicableHeaderTradeAgreement"):
        _party(
            w,
            "ram:SellerTradeParty",
            doc.seller,
            description=_seller_legal_info(doc.seller),
            uri=_seller_address(doc.seller),
            tax_ids=_seller_tax_ids(doc.seller, with_vat_ids),
        )
        _party(
            w,
            "ram:BuyerTradeParty",
            doc.buyer,
            description=None,
            uri=_buyer_address(doc),
            tax_ids=[("VA", doc.buyer.vat_id)] if doc.buyer.vat_id and with_vat_ids else [],
        )
        with w.el("ram:BuyerOrderReferencedDocument"):
            w.leaf("ram:IssuerAssignedID", doc.purchase_order or doc.order_id)  # BT-13


def _party(
    w: _Writer,
    tag: str,
    party: PartySnapshot,
    *,
    description: str | None,
    uri: tuple[str, str] | None,
    tax_ids: list[tuple[str, str]],
) -> None:
    with w.el(tag):
        if party.siret:
            w.leaf("ram:GlobalID", party.siret, _attr("schemeID", SCHEME_SIRET))  # BT-29 / BT-46
        w.leaf("ram:Name", party.name)  # BT-27 / BT-44
        w.opt("ram:Description", description)  # BT-33
        legal = next((i for i in party.ids if i.role == "legal"), None)
        if party.siren or legal is not None or party.trade_name:
            with w.el("ram:SpecifiedLegalOrganization"):
                if party.siren:
                    w.leaf("ram:ID", party.siren, _attr("schemeID", SCHEME_SIREN))  # BT-30 / BT-47
                elif legal is not None:
                    # Other countries' register numbers: with their ISO 6523 scheme when one exists.
                    w.leaf("ram:ID", legal.value, _attr("schemeID", legal.scheme) if legal.scheme else "")
                w.opt("ram:TradingBusinessName", party.trade_name)  # BT-28 / BT-45
        _address(w, "ram:PostalTradeAddress", party.address)
        if uri is not None:
            with w.el("ram:URIUniversalCommunication"):
                w.leaf("ram:URIID", uri[1], _attr("schemeID", uri[0]))  # BT-34 / BT-49
        for scheme, value in tax_ids:
            with w.el("ram:SpecifiedTaxRegistration"):
                w.leaf("ram:ID", value, _attr("schemeID", scheme))  # BT-31 / BT-32 / BT-48


def _address(w: _Writer, tag: str, address: Address) -> None:
    with w.el(tag):
        w.opt("ram:PostcodeCode", address.postcode)
        w.opt("ram:LineOne", address.line1)
        w.opt("ram:LineTwo", address.line2)
        w.opt("ram:CityName", address.city)
        w.leaf("ram:CountryID", address.country)


def _seller_legal_info(seller: PartySnapshot) -> str | None:
    """BT-33: legal form, share capital and registry (Code de commerce R123-237); other countries'
    packs compose it in their own words when the seller is snapshot (``legal_info``)."""
    if seller.legal_info:
        return seller.legal_info
    parts: list[str] = []
    capital = f"{_french_amount(seller.share_capital)} €" if seller.share_capital is not None else None
    if seller.legal_form and capital:
        parts.append(f"{seller.legal_form} au capital de {capital}")
    elif seller.legal_form:
        parts.append(seller.legal_form)
    elif capital:
        parts.append(f"Capital social {capital}")
    if seller.registry:
        parts.append(f"{seller.registry} {seller.siren}" if seller.siren else seller.registry)
    return ", ".join(parts) or None


def _french_amount(value: Decimal) -> str:
    whole = normalize(value)
    text = f"{whole:,.2f}" if whole != whole.to_integral_value() else f"{whole:,.0f}"
    return text.replace(",", "\u202f").replace(".", ",")


def _seller_address(seller: PartySnapshot) -> tuple[str, str] | None:
    """BT-34 (BR-FR-13 makes it mandatory): the seller's email, else its French directory address."""
    if seller.email:
        return SCHEME_EMAIL, seller.email
    if seller.siren:
        return SCHEME_FR_DIRECTORY, seller.siren
    return None


def _buyer_address(doc: Document) -> tuple[str, str] | None:
    """BT-49. For a French B2B invoice BR-FR-21 wants the PPF directory address (scheme 0225,
    starting with the buyer's SIREN), not an email: that is where the invoice gets routed."""
    buyer = doc.buyer
    if doc.business_case == "B2B" and buyer.siren:
        return SCHEME_FR_DIRECTORY, buyer.siren
    if buyer.email:
        return SCHEME_EMAIL, buyer.email
    if buyer.siren:
        return SCHEME_FR_DIRECTORY, buyer.siren
    # Nothing real to give: an invented address would be worse than none (EN 16931 makes it optional).
    return None


def _seller_tax_ids(seller: PartySnapshot, with_vat_ids: bool) -> list[tuple[str, str]]:
    if seller.vat_id and with_vat_ids:
        return [("VA", seller.vat_id)]  # BT-31
    if seller.siren:
        # BT-32 (scheme FC). A seller without VAT id (franchise en base) still needs an identifier for
        # BR-E-02/03/04; its SIREN is what the French tax administration identifies it by. Same fix
        # as OCA l10n-france #759 and Dolibarr community modules #564.
        return [("FC", seller.siren)]
    national = next((i for i in seller.ids if i.role == "tax"), None)
    if national is not None:
        return [("FC", national.value)]  # BT-32: the national tax number (Steuernummer, NIF, NIP...)
    return []


def _delivery(w: _Writer, doc: Document) -> None:
    ship_to = doc.delivery_address
    if ship_to is None and any(b.category == "K" for b in doc.vat_breakdown):
        ship_to = doc.buyer.address  # BR-IC-12: intra-EU supply needs the deliver-to country
    with w.el("ram:ApplicableHeaderTradeDelivery"):
        if ship_to is not None:
            with w.el("ram:ShipToTradeParty"):  # BG-13 / BG-15
                _address(w, "ram:PostalTradeAddress", ship_to)
        with w.el("ram:ActualDeliverySupplyChainEvent"), w.el("ram:OccurrenceDateTime"):
            w.leaf("udt:DateTimeString", _date(doc.delivery_date), ' format="102"')  # BT-72


def _settlement(w: _Writer, doc: Document, ctc: bool) -> None:
    currency = _attr("currencyID", doc.currency)
    totals = doc.totals
    due_date = doc.due_date
    if ctc:
        # BR-FR-CO-09: an already-paid invoice (B2/S2/M2) states its due date, the day it was paid
        # (the seller's calendar day, as the "paid on" mention prints it).
        due_date = doc.payment.paid_at.astimezone(PARIS).date()
    with w.el("ram:ApplicableHeaderTradeSettlement"):
        if doc.exchange is not None:  # before BT-5: the CII XSD's sequence
            w.leaf("ram:TaxCurrencyCode", doc.exchange.tax_currency)  # BT-6
        w.leaf("ram:InvoiceCurrencyCode", doc.currency)  # BT-5
        if ctc:
            _invoicer(w, doc.issuer)
        with w.el("ram:SpecifiedTradeSettlementPaymentMeans"):  # BG-16
            w.leaf("ram:TypeCode", PAYMENT_MEANS.get(doc.payment.method, PAYMENT_MEANS_UNDEFINED))  # BT-81
            w.opt("ram:Information", f"{doc.payment.provider} {doc.payment.transaction_id}")  # BT-82
        for vat in doc.vat_breakdown:
            _vat_breakdown(w, vat)
        if doc.payment_terms or due_date:
            with w.el("ram:SpecifiedTradePaymentTerms"):
                w.opt("ram:Description", doc.payment_terms)  # BT-20
                if due_date:
                    with w.el("ram:DueDateDateTime"):
                        w.leaf("udt:DateTimeString", _date(due_date), ' format="102"')  # BT-9
        with w.el("ram:SpecifiedTradeSettlementHeaderMonetarySummation"):  # BG-22
            w.leaf("ram:LineTotalAmount", _amount(totals.line_total))  # BT-106
            w.leaf("ram:ChargeTotalAmount", _amount(totals.charge_total))  # BT-108
            w.leaf("ram:AllowanceTotalAmount", _amount(totals.allowance_total))  # BT-107
            w.leaf("ram:TaxBasisTotalAmount", _amount(totals.tax_exclusive))  # BT-109
            w.leaf("ram:TaxTotalAmount", _amount(totals.tax_total), currency)  # BT-110
            if doc.exchange is not None:  # BR-53; the Schematron tells the two apart by currencyID
                tax_currency = _attr("currencyID", doc.exchange.tax_currency)
                w.leaf("ram:TaxTotalAmount", _amount(doc.exchange.tax_total), tax_currency)  # BT-111
            w.leaf("ram:GrandTotalAmount", _amount(totals.tax_inclusive))  # BT-112
            # On a credit note (381, positive amounts) BT-113 is the amount already settled, i.e. refunded:
            # the refund is executed before the note is issued, so BT-115 is 0 (BR-CO-16), and the PDF
            # prints BT-113 as "Montant remboursé" rather than a "Net à payer" of zero.
            w.leaf("ram:TotalPrepaidAmount", _amount(totals.prepaid))  # BT-113
            w.leaf("ram:DuePayableAmount", _amount(totals.payable))  # BT-115
        if doc.corrects is not None:
            with w.el("ram:InvoiceReferencedDocument"):  # BG-3
                w.leaf("ram:IssuerAssignedID", doc.corrects.number)  # BT-25
                with w.el("ram:FormattedIssueDateTime"):
                    w.leaf("qdt:DateTimeString", _date(doc.corrects.issue_date), ' format="102"')  # BT-26


def _invoicer(w: _Writer, issuer: IssuerSnapshot) -> None:
    """EXT-FR-FE-BG-05 "tiers facturant": the marketplace issuing in the seller's name and on its behalf
    (CGI 289 I-2, billing mandate). The seller stays BG-4 and the type 380/381: this is not self-billing
    (389/261 are the buyer's). Identified by its SIREN (scheme 0002) and VAT id, as the seller is."""
    with w.el("ram:InvoicerTradeParty"):
        w.leaf("ram:Name", issuer.name)
        with w.el("ram:SpecifiedLegalOrganization"):
            w.leaf("ram:ID", issuer.siren, _attr("schemeID", SCHEME_SIREN))
        _address(w, "ram:PostalTradeAddress", issuer.address)
        with w.el("ram:SpecifiedTaxRegistration"):
            w.leaf("ram:ID", issuer.vat_id, _attr("schemeID", "VA"))


def _vat_breakdown(w: _Writer, vat: VatBreakdown) -> None:
    with w.el("ram:ApplicableTradeTax"):  # BG-23, in XSD order
        w.leaf("ram:CalculatedAmount", _amount(vat.tax_amount))  # BT-117
        w.leaf("ram:TypeCode", "VAT")
        w.opt("ram:ExemptionReason", vat.exemption_reason)  # BT-120
        w.leaf("ram:BasisAmount", _amount(vat.taxable_amount))  # BT-116
        w.leaf("ram:CategoryCode", vat.category)  # BT-118
        w.opt("ram:ExemptionReasonCode", vat.exemption_code)  # BT-121
        if vat.category != "O":  # BR-O: no rate when not subject to VAT
            w.leaf("ram:RateApplicablePercent", _number(vat.rate))  # BT-119
