"""Peppol BIS Billing 3.0 (OASIS UBL 2.1 Invoice / CreditNote), built from a ``Document`` only.

Legal basis and specifications: EN 16931-1:2017 (semantic model, BT-x terms in the comments) with its UBL
syntax binding (CEN/TS 16931-3-2); OpenPEPPOL BIS Billing 3.0 (CIUS of EN 16931, rules PEPPOL-EN16931-*);
for Belgium the Code TVA art. 53 § 2 as amended by the law of 6 February 2024 (structured e-invoices between
Belgian taxable persons from 1 January 2026, Peppol as the default network) and AR n° 1 art. 5 (invoice
content). Invoices issued by a marketplace on the seller's behalf: Directive 2006/112/EC art. 220(1) and
224 (invoicing by a third party), Code TVA art. 53 § 2 3rd para.

Choices where the specification leaves room:

- The mandate. BIS 3.0 has no invoicer / agent party (UBL ``AgentParty`` is outside EN 16931 and flagged by
  the UBL-CR rules): the seller is ``AccountingSupplierParty`` and the marketplace issuing on its behalf is
  stated in the document note (BT-22), the mention ``mandate`` of the country pack, as the CII builder does.
  Never buyer self-billing (type 389): the buyer did not issue the invoice. A record issued under mandate
  without that mention is refused rather than sent without it.
- One note. PEPPOL-EN16931-R002 allows a single ``cbc:Note`` unless buyer and seller are both German: all
  mentions go into one note, one per line, the mandate statement first. UNTDID 4451 subject codes (BT-21)
  are dropped (the UBL binding has no element for them; the "#CODE#" prefix convention is not used for a
  note that joins several mentions).
- Electronic addresses (BT-34 / BT-49, mandatory in Peppol: PEPPOL-EN16931-R020 / R010). A Belgian party:
  scheme 0208, its enterprise number (the ten digits of its BE VAT number), which Belgian participants are
  registered under. Another party with a VAT number of a country that has a Peppol EAS VAT scheme: that
  scheme with the VAT number as written (country prefix included, the EAS convention, e.g. 9957 France, 9930
  Germany). Otherwise its email (scheme EM). A buyer's Peppol participant id, when the sale event gave one,
  comes first: it is where the buyer receives. Nothing: refused (``peppol_endpoint_missing``), never invented.
- Consumers are refused (``peppol_consumer``): Peppol BIS carries invoices between registered businesses and
  public bodies; a consumer has no Peppol address, and the Belgian obligation is B2B only.
- Payment: the buyer paid the marketplace's payment provider before the invoice, so BT-113 (prepaid) carries
  the amount and BT-115 is 0; the means (BT-81) follows the CII builder's UNCL 4461 mapping, never 30/58
  (which would require a payee account the record does not have). On a credit note BT-9 has no header element
  in UBL: it goes into ``PaymentMeans/PaymentDueDate``.
- Tax currency (BT-6 / BT-111): ``TaxCurrencyCode`` and a second ``TaxTotal`` with only the amount in the
  tax currency (PEPPOL-EN16931-R053 / R054). The rate itself has no business term in EN 16931 and is not
  among the mentions: like the CII, the XML does not carry it (UBL ``TaxExchangeRate`` is outside BIS 3.0).
- Document-level allowances and charges are not in the record (discounts are carried on the lines): a record
  with a non-zero BT-107 / BT-108 cannot be expressed truthfully and is refused.

Output is deterministic (same record, same bytes): no clock, no randomness, lxml serialisation.
"""

from __future__ import annotations

import re
from datetime import date

from lxml import etree

from mandat.domain.documents import Document, DocumentLine, PartySnapshot, VatBreakdown
from mandat.domain.parties import Address
from mandat.domain.refusals import Rejected
from mandat.render.cii import PAYMENT_MEANS, PAYMENT_MEANS_UNDEFINED, xml_safe
from mandat.render.cii import amount_text as _amount
from mandat.render.cii import number_text as _number

CUSTOMIZATION_ID = "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0"
PROFILE_ID = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"

NS_INVOICE = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
NS_CREDIT_NOTE = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"

SCHEME_BE_ENTERPRISE = "0208"  # ISO 6523 ICD: Belgian enterprise number (KBO/BCE)
SCHEME_SIREN = "0002"
SCHEME_EMAIL = "EM"

# Peppol EAS (electronic address scheme) codes for VAT numbers, by the VAT number's prefix. Belgium is not
# here: its participants are addressed by enterprise number (0208). Italy has no VAT-number EAS left (its
# 9906 was withdrawn; 0211 takes the partita IVA without prefix), so Italian parties fall back to email.
EAS_VAT: dict[str, str] = {
    "AT": "9914",
    "BG": "9926",
    "CY": "9928",
    "CZ": "9929",
    "DE": "9930",
    "EE": "9931",
    "EL": "9933",
    "ES": "9920",
    "FR": "9957",
    "HR": "9934",
    "HU": "9910",
    "IE": "9935",
    "LT": "9937",
    "LU": "9938",
    "LV": "9939",
    "MT": "9943",
    "NL": "9944",
    "PL": "9945",
    "PT": "9946",
    "RO": "9947",
    "SI": "9949",
    "SK": "9950",
}

# The country packs' mention codes for the billing-mandate statement (invoice, credit note).
MANDATE_CODES = ("mandate", "mandate_credit")

_BE_VAT = re.compile(r"^BE([01]\d{9})$")
_NSMAP_COMMON: dict[str | None, str] = {"cac": CAC, "cbc": CBC}


def build(doc: Document) -> bytes:
    """The Peppol BIS Billing 3.0 UBL XML of ``doc`` (Invoice, or CreditNote for a credit note).

    Between German parties Peppol's German rules apply (DE-R-*, the XRechnung requirements): the seller
    contact with its telephone (refused ``peppol_de_phone`` without one, never invented), no card payment
    code without card data."""
    root = build_tree(doc)
    if doc.seller.address.country == "DE" and doc.buyer.address.country == "DE":
        from mandat.render.formats.xrechnung_ubl import german_rules

        if not doc.seller.phone or not doc.seller.email:
            raise Rejected(
                "peppol_de_contact",
                "between German parties Peppol wants the seller contact's telephone and e-mail (DE-R-005/006)",
            )
        german_rules(root, doc, doc.seller.phone, doc.seller.email)
    return serialise(root)


def serialise(root: etree._Element) -> bytes:
    """``root`` as UTF-8 XML with its declaration, indented by lxml (deterministic)."""
    xml: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    return xml


def build_tree(doc: Document, *, consumer_allowed: bool = False) -> etree._Element:
    """The root element of :func:`build`'s document, for the CIUS built on the same UBL binding.

    ``consumer_allowed`` lifts the ``peppol_consumer`` refusal, which is Peppol's (its network links
    registered participants): XRechnung, for one, does not exclude consumers (``xrechnung_ubl``).
    """
    _check(doc, consumer_allowed=consumer_allowed)
    credit = doc.kind == "credit_note"
    root_ns = NS_CREDIT_NOTE if credit else NS_INVOICE
    tag = f"{{{root_ns}}}{'CreditNote' if credit else 'Invoice'}"
    nsmap: dict[str | None, str] = {None: root_ns, **_NSMAP_COMMON}
    root = etree.Element(tag, nsmap=nsmap)
    _leaf(root, "cbc:CustomizationID", CUSTOMIZATION_ID)  # BT-24
    _leaf(root, "cbc:ProfileID", PROFILE_ID)  # BT-23
    _leaf(root, "cbc:ID", doc.number)  # BT-1
    _leaf(root, "cbc:IssueDate", _date(doc.issue_date))  # BT-2
    if not credit and doc.due_date is not None:
        _leaf(root, "cbc:DueDate", _date(doc.due_date))  # BT-9
    _leaf(root, "cbc:CreditNoteTypeCode" if credit else "cbc:InvoiceTypeCode", doc.type_code)  # BT-3
    _opt(root, "cbc:Note", _note(doc))  # BT-22
    _leaf(root, "cbc:DocumentCurrencyCode", doc.currency)  # BT-5
    if doc.exchange is not None:
        _leaf(root, "cbc:TaxCurrencyCode", doc.exchange.tax_currency)  # BT-6
    if doc.buyer.leitweg_id or (doc.seller.address.country == "DE" and doc.buyer.address.country == "DE"):
        # BT-10: Peppol's German rule DE-R-015 wants it between German parties; a public buyer routes by its
        # Leitweg-ID. Else the buyer's own references to the purchase, as XRechnung does.
        _leaf(root, "cbc:BuyerReference", doc.buyer.leitweg_id or doc.purchase_order or doc.order_id)
    order = _sub(root, "cac:OrderReference")
    _leaf(order, "cbc:ID", doc.purchase_order or doc.order_id)  # BT-13 (PEPPOL-EN16931-R003)
    if doc.corrects is not None:
        ref = _sub(_sub(root, "cac:BillingReference"), "cac:InvoiceDocumentReference")  # BG-3
        _leaf(ref, "cbc:ID", doc.corrects.number)  # BT-25
        _leaf(ref, "cbc:IssueDate", _date(doc.corrects.issue_date))  # BT-26
    with_vat_ids = not any(b.category == "O" for b in doc.vat_breakdown)  # BR-O-02/03/04
    _party(_sub(root, "cac:AccountingSupplierParty"), doc.seller, "seller", with_vat_ids, seller=True)
    _party(_sub(root, "cac:AccountingCustomerParty"), doc.buyer, "buyer", with_vat_ids, seller=False)
    _delivery(root, doc)
    _payment(root, doc, credit)
    _tax_totals(root, doc)
    _monetary_total(root, doc)
    for line in doc.lines:
        _line(root, doc.currency, line, credit)
    return root


def _check(doc: Document, *, consumer_allowed: bool = False) -> None:
    if doc.type_code == "389":
        raise Rejected("peppol_self_billing", "type 389 (self-billing) would say the buyer issued the invoice")
    if doc.kind == "credit_note" and doc.corrects is None:
        raise Rejected("peppol_credit_note_reference", f"credit note {doc.number} names no invoice (BT-25)")
    if not doc.buyer.is_business and not consumer_allowed:
        raise Rejected(
            "peppol_consumer",
            f"buyer {doc.buyer.name} is a consumer: Peppol BIS Billing 3.0 is exchanged between registered "
            "businesses and public bodies, a consumer has no Peppol address",
        )
    if doc.totals.allowance_total or doc.totals.charge_total:
        raise Rejected(
            "peppol_document_allowance",
            "the record has document-level allowances or charges (BT-107/BT-108) without their details (BG-20/21)",
        )
    if doc.deemed_supply is None and doc.issuer.name != doc.seller.name and not _mandate_mentions(doc):
        raise Rejected(
            "peppol_mandate_missing",
            f"{doc.issuer.name} issues on behalf of {doc.seller.name} but the record has no mandate mention "
            "for the note (BT-22), the only place BIS 3.0 can state it",
        )


def _mandate_mentions(doc: Document) -> list[str]:
    return [m.text for m in doc.mentions if m.code in MANDATE_CODES]


def _note(doc: Document) -> str | None:
    """BT-22: one note (PEPPOL-EN16931-R002), the mandate statement first, then every other mention."""
    texts = _mandate_mentions(doc) + [m.text for m in doc.mentions if m.code not in MANDATE_CODES]
    kept = [xml_safe(t).strip() for t in texts]
    return "\n".join(t for t in kept if t) or None


def _endpoint(party: PartySnapshot, role: str) -> tuple[str, str]:
    """BT-34 / BT-49 with its EAS scheme (see the module docstring for the order of preference)."""
    if party.peppol_id:
        # The participant id the buyer gave (validated at the edge: domain/events.py peppol_problem) is
        # where it receives: "<EAS>:<id>" -> schemeID and value (Peppol Policy for use of identifiers).
        scheme, _, ident = party.peppol_id.partition(":")
        return scheme, ident
    vat = (party.vat_id or "").replace(" ", "").upper()
    be = _BE_VAT.match(vat)
    if be:
        return SCHEME_BE_ENTERPRISE, be.group(1)
    if vat[:2] in EAS_VAT:
        return EAS_VAT[vat[:2]], vat
    if party.email:
        return SCHEME_EMAIL, party.email
    raise Rejected(
        "peppol_endpoint_missing",
        f"{role} {party.name} has no Peppol electronic address (BT-34/BT-49, PEPPOL-EN16931-R010/R020): "
        "no Belgian or EAS-listed VAT number and no email",
    )


def _legal_id(party: PartySnapshot) -> tuple[str | None, str] | None:
    """BT-30 / BT-47: the Belgian enterprise number (0208), else the SIREN (0002), else the pack's legal id."""
    be = _BE_VAT.match((party.vat_id or "").replace(" ", "").upper())
    legal = next((i for i in party.ids if i.role == "legal"), None)
    if legal is not None and legal.scheme == SCHEME_BE_ENTERPRISE:
        return SCHEME_BE_ENTERPRISE, legal.value
    if be:
        return SCHEME_BE_ENTERPRISE, be.group(1)
    if party.siren:
        return SCHEME_SIREN, party.siren
    if legal is not None:
        return legal.scheme, legal.value
    return None


def _party(parent: etree._Element, party: PartySnapshot, role: str, with_vat_ids: bool, *, seller: bool) -> None:
    p = _sub(parent, "cac:Party")
    scheme, address = _endpoint(party, role)
    _leaf(p, "cbc:EndpointID", address, schemeID=scheme)  # BT-34 / BT-49
    if party.trade_name:
        _leaf(_sub(p, "cac:PartyName"), "cbc:Name", party.trade_name)  # BT-28 / BT-45
    _address(_sub(p, "cac:PostalAddress"), party.address)  # BG-5 / BG-8
    if party.vat_id and with_vat_ids:
        tax = _sub(p, "cac:PartyTaxScheme")
        _leaf(tax, "cbc:CompanyID", party.vat_id)  # BT-31 / BT-48
        _leaf(_sub(tax, "cac:TaxScheme"), "cbc:ID", "VAT")
    national = next((i for i in party.ids if i.role == "tax"), None)
    if seller and national is not None:
        tax = _sub(p, "cac:PartyTaxScheme")
        _leaf(tax, "cbc:CompanyID", national.value)  # BT-32
        _leaf(_sub(tax, "cac:TaxScheme"), "cbc:ID", "TAX")
    legal = _sub(p, "cac:PartyLegalEntity")
    _leaf(legal, "cbc:RegistrationName", party.name)  # BT-27 / BT-44
    legal_id = _legal_id(party)
    if legal_id is not None:
        id_scheme, value = legal_id
        _leaf(legal, "cbc:CompanyID", value, **({"schemeID": id_scheme} if id_scheme else {}))  # BT-30 / BT-47
    if seller:
        _opt(legal, "cbc:CompanyLegalForm", _legal_info(party))  # BT-33
    if party.email:
        _leaf(_sub(p, "cac:Contact"), "cbc:ElectronicMail", party.email)  # BT-43 / BT-58


def _legal_info(party: PartySnapshot) -> str | None:
    if party.legal_info:
        return party.legal_info
    parts = [p for p in (party.legal_form, party.registry) if p]
    return ", ".join(parts) or None


def _address(parent: etree._Element, address: Address) -> None:
    _opt(parent, "cbc:StreetName", address.line1)  # BT-35 / BT-50 / BT-75
    _opt(parent, "cbc:AdditionalStreetName", address.line2)  # BT-36 / BT-51 / BT-76
    _opt(parent, "cbc:CityName", address.city)  # BT-37 / BT-52 / BT-77
    _opt(parent, "cbc:PostalZone", address.postcode)  # BT-38 / BT-53 / BT-78
    _leaf(_sub(parent, "cac:Country"), "cbc:IdentificationCode", address.country)  # BT-40 / BT-55 / BT-80


def _delivery(root: etree._Element, doc: Document) -> None:
    ship_to = doc.delivery_address
    if ship_to is None and any(b.category == "K" for b in doc.vat_breakdown):
        ship_to = doc.buyer.address  # BR-IC-12: an intra-EU supply states the deliver-to country
    delivery = _sub(root, "cac:Delivery")
    _leaf(delivery, "cbc:ActualDeliveryDate", _date(doc.delivery_date))  # BT-72
    if ship_to is not None:
        _address(_sub(_sub(delivery, "cac:DeliveryLocation"), "cac:Address"), ship_to)  # BG-15


def _payment(root: etree._Element, doc: Document, credit: bool) -> None:
    means = _sub(root, "cac:PaymentMeans")  # BG-16
    code = PAYMENT_MEANS.get(doc.payment.method, PAYMENT_MEANS_UNDEFINED)
    text = xml_safe(f"{doc.payment.provider} {doc.payment.transaction_id}").strip()
    _leaf(means, "cbc:PaymentMeansCode", code, **({"name": text} if text else {}))  # BT-81 / BT-82
    if credit and doc.due_date is not None:
        _leaf(means, "cbc:PaymentDueDate", _date(doc.due_date))  # BT-9 on a credit note
    if doc.payment_terms:
        _opt(_sub(root, "cac:PaymentTerms"), "cbc:Note", doc.payment_terms)  # BT-20


def _tax_totals(root: etree._Element, doc: Document) -> None:
    cur = doc.currency
    total = _sub(root, "cac:TaxTotal")
    _leaf(total, "cbc:TaxAmount", _amount(doc.totals.tax_total), currencyID=cur)  # BT-110
    for vat in doc.vat_breakdown:
        _subtotal(total, cur, vat)
    if doc.exchange is not None:  # PEPPOL-EN16931-R054: the tax-currency total has no subtotals
        in_tax_currency = _sub(root, "cac:TaxTotal")
        _leaf(
            in_tax_currency,
            "cbc:TaxAmount",
            _amount(doc.exchange.tax_total),
            currencyID=doc.exchange.tax_currency,
        )  # BT-111


def _subtotal(total: etree._Element, cur: str, vat: VatBreakdown) -> None:
    sub = _sub(total, "cac:TaxSubtotal")  # BG-23
    _leaf(sub, "cbc:TaxableAmount", _amount(vat.taxable_amount), currencyID=cur)  # BT-116
    _leaf(sub, "cbc:TaxAmount", _amount(vat.tax_amount), currencyID=cur)  # BT-117
    cat = _sub(sub, "cac:TaxCategory")
    _leaf(cat, "cbc:ID", vat.category)  # BT-118
    if vat.category != "O":  # BR-O-10: no rate when not subject to VAT
        _leaf(cat, "cbc:Percent", _number(vat.rate))  # BT-119
    _opt(cat, "cbc:TaxExemptionReasonCode", vat.exemption_code)  # BT-121
    _opt(cat, "cbc:TaxExemptionReason", vat.exemption_reason)  # BT-120
    _leaf(_sub(cat, "cac:TaxScheme"), "cbc:ID", "VAT")


def _monetary_total(root: etree._Element, doc: Document) -> None:
    t, cur = doc.totals, doc.currency
    total = _sub(root, "cac:LegalMonetaryTotal")  # BG-22
    _leaf(total, "cbc:LineExtensionAmount", _amount(t.line_total), currencyID=cur)  # BT-106
    _leaf(total, "cbc:TaxExclusiveAmount", _amount(t.tax_exclusive), currencyID=cur)  # BT-109
    _leaf(total, "cbc:TaxInclusiveAmount", _amount(t.tax_inclusive), currencyID=cur)  # BT-112
    if t.prepaid:
        _leaf(total, "cbc:PrepaidAmount", _amount(t.prepaid), currencyID=cur)  # BT-113
    _leaf(total, "cbc:PayableAmount", _amount(t.payable), currencyID=cur)  # BT-115


def _line(root: etree._Element, cur: str, line: DocumentLine, credit: bool) -> None:
    el = _sub(root, "cac:CreditNoteLine" if credit else "cac:InvoiceLine")  # BG-25
    _leaf(el, "cbc:ID", line.id)  # BT-126
    qty = "cbc:CreditedQuantity" if credit else "cbc:InvoicedQuantity"
    _leaf(el, qty, _number(line.quantity), unitCode=line.unit)  # BT-129 / BT-130
    _leaf(el, "cbc:LineExtensionAmount", _amount(line.net_amount), currencyID=cur)  # BT-131
    if line.allowance:
        allowance = _sub(el, "cac:AllowanceCharge")  # BG-27
        _leaf(allowance, "cbc:ChargeIndicator", "false")
        # BR-42 needs a reason or a code; 95 (UNCL 5189 "Discount") is always true here.
        _leaf(allowance, "cbc:AllowanceChargeReasonCode", "95")  # BT-140
        _opt(allowance, "cbc:AllowanceChargeReason", line.allowance_reason)  # BT-139
        _leaf(allowance, "cbc:Amount", _amount(line.allowance), currencyID=cur)  # BT-136
    item = _sub(el, "cac:Item")
    _leaf(item, "cbc:Name", line.description)  # BT-153
    if xml_safe(line.sku).strip():
        _leaf(_sub(item, "cac:SellersItemIdentification"), "cbc:ID", line.sku)  # BT-155
    cat = _sub(item, "cac:ClassifiedTaxCategory")
    _leaf(cat, "cbc:ID", line.vat_category)  # BT-151
    if line.vat_category != "O":
        _leaf(cat, "cbc:Percent", _number(line.vat_rate))  # BT-152
    _leaf(_sub(cat, "cac:TaxScheme"), "cbc:ID", "VAT")
    _leaf(_sub(el, "cac:Price"), "cbc:PriceAmount", _number(line.net_unit_price), currencyID=cur)  # BT-146


# --- small helpers ---------------------------------------------------------------------------------


def _qname(tag: str) -> str:
    prefix, local = tag.split(":")
    return f"{{{_NSMAP_COMMON[prefix]}}}{local}"


def _sub(parent: etree._Element, tag: str) -> etree._Element:
    return etree.SubElement(parent, _qname(tag))


def _leaf(parent: etree._Element, tag: str, value: str, **attrs: str) -> etree._Element:
    el = etree.SubElement(parent, _qname(tag), {k: xml_safe(v) for k, v in attrs.items()})
    el.text = xml_safe(value)
    return el


def _opt(parent: etree._Element, tag: str, value: str | None) -> None:
    """A leaf only when there is something to say (empty elements draw PEPPOL-EN16931-R008)."""
    if value is not None and xml_safe(value).strip():
        _leaf(parent, tag, value)


def _date(value: date) -> str:
    return value.isoformat()
