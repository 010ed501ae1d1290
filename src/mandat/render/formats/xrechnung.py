"""XRechnung 3.0 in the UN/CEFACT CII D16B syntax, built from a ``Document`` only.

XRechnung is the German CIUS of EN 16931 (KoSIT, "Spezifikation XRechnung" 3.0.x, with the XRechnung
Schematron 2.5.0). Public buyers must be sent it (E-Rechnungsverordnung of the Bund, §4; the Länder's
rules), and a private German buyer may ask for it: since 2025-01-01 any EN 16931 invoice is an
"elektronische Rechnung" (UStG §14(1) sentence 3-6, Wachstumschancengesetz), so Factur-X EN 16931 stays
mandat's default German structured invoice and XRechnung is built on request.

The document is the EN 16931 CII of :func:`mandat.render.cii.build_cii`, transformed with lxml where
XRechnung asks more than EN 16931:

- BT-24 is the XRechnung 3.0 specification identifier (BR-DE-21);
- BT-23 is the Peppol billing process, the process identifier of the KoSIT examples: the French
  operation category B1/S1/M1 that ``build_cii`` writes means nothing to a German receiver, and
  PEPPOL-EN16931-R001 (part of the XRechnung Schematron) wants one;
- BT-10 Buyer reference (BR-DE-15): the Leitweg-ID the buyer gave, recorded in the buyer snapshot (or
  ``buyer_reference``, which overrides it). Without
  it, the buyer's purchase order number (BT-13), else the marketplace's order id: the Schematron accepts
  any non-empty value, and these are the buyer's own references to the purchase. A public buyer routes
  by Leitweg-ID, recorded from the sale event: the fallback is only for private buyers;
- BG-6 Seller contact (BR-DE-2, -5, -6, -7): the contact point is the seller's name (the record names no
  person or department, and none is invented), the e-mail the seller's. The telephone is the record's
  (``Seller.phone`` snapshotted), else the caller's (``seller_phone``), else the document is refused with
  BR-DE-6 - an invented
  number would be a false statement on the invoice;
- BG-16 Payment instructions (BR-DE-1) stay, already paid or not: XRechnung has no "paid" code, BT-113
  (paid amount) and BT-115 = 0 say it. A card payment cannot be coded 48 (BR-DE-24-a would then demand
  BG-18 with the card number, which the record does not carry): the buyer paid through the
  marketplace's payment service provider, which is UNCL 4461 code 68 ("online payment service");
- BT-119 on a breakdown of category O (BR-DE-14 wants a rate on every breakdown): 0.
"""

from __future__ import annotations

from lxml import etree

from mandat.domain.documents import Document
from mandat.domain.refusals import Rejected
from mandat.render.cii import NAMESPACES, build_cii, xml_safe

SPECIFICATION_ID = "urn:cen.eu:en16931:2017#compliant#urn:xeinkauf.de:kosit:xrechnung_3.0"  # BT-24
BUSINESS_PROCESS = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"  # BT-23
# UNCL 4461 codes BR-DE-24-a ties to BG-18 (card number), replaced by the online payment service.
CARD_CODES = {"48", "54", "55"}
ONLINE_PAYMENT_SERVICE = "68"


def _q(tag: str) -> str:
    prefix, local = tag.split(":")
    return f"{{{NAMESPACES[prefix]}}}{local}"


def _one(root: etree._Element, path: str) -> etree._Element:
    found = root.find(path, NAMESPACES)
    if found is None:  # build_cii always writes these: a missing one is a bug, not a record to refuse
        raise AssertionError(f"build_cii wrote no {path}")
    return found


def _sub(parent: etree._Element, tag: str, text: str | None = None) -> etree._Element:
    el = etree.SubElement(parent, _q(tag))
    if text is not None:
        el.text = text
    return el


def _given(value: str | None) -> str | None:
    """``value`` when it says something once written as XML (an empty element breaks PEPPOL-EN16931-R008)."""
    if value is None:
        return None
    cleaned = xml_safe(value).strip()
    return cleaned or None


def build(doc: Document, buyer_reference: str | None = None, *, seller_phone: str | None = None) -> bytes:
    """The XRechnung 3.0 CII XML of ``doc``: UTF-8, deterministic (same arguments, same bytes).

    ``buyer_reference`` is the Leitweg-ID (BT-10) the buyer asked to be quoted; ``seller_phone`` the seller
    contact's telephone (BT-42), which the record does not carry. Raises ``Rejected`` with the XRechnung
    rule id when the record cannot satisfy it.
    """
    phone = _given(seller_phone) or doc.seller.phone
    if phone is None:
        raise Rejected(
            "BR-DE-6",
            "XRechnung requires the seller contact's telephone number (BT-42) and the record has none; "
            "add the seller's phone number rather than sending an invented one",
        )
    email = _given(doc.seller.email)
    if email is None:
        raise Rejected("BR-DE-7", "XRechnung requires the seller contact's e-mail address (BT-43); the seller has none")
    if _given(doc.buyer.email) is None:
        # BT-49 is mandatory in XRechnung 3.0 (PEPPOL-EN16931-R010 in its Schematron): the buyer's
        # e-mail is the only electronic address the record can hold for a German buyer.
        raise Rejected(
            "PEPPOL-EN16931-R010",
            "XRechnung requires the buyer's electronic address (BT-49) and the buyer has no e-mail address",
        )
    reference = (
        _given(buyer_reference) or _given(doc.buyer.leitweg_id) or _given(doc.purchase_order) or _given(doc.order_id)
    )
    if reference is None:
        raise Rejected("BR-DE-15", "XRechnung requires a buyer reference (BT-10) and there is none")

    parser = etree.XMLParser(remove_blank_text=True, resolve_entities=False, no_network=True)
    root = etree.fromstring(build_cii(doc), parser)

    context = _one(root, "rsm:ExchangedDocumentContext")
    _one(context, "ram:BusinessProcessSpecifiedDocumentContextParameter/ram:ID").text = BUSINESS_PROCESS
    _one(context, "ram:GuidelineSpecifiedDocumentContextParameter/ram:ID").text = SPECIFICATION_ID

    agreement = _one(root, "rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeAgreement")
    ref = etree.Element(_q("ram:BuyerReference"))
    ref.text = reference
    agreement.insert(0, ref)  # BT-10 comes before the seller in the XSD sequence

    seller = _one(agreement, "ram:SellerTradeParty")
    contact = etree.Element(_q("ram:DefinedTradeContact"))  # BG-6, just before the postal address
    _sub(contact, "ram:PersonName", doc.seller.name)  # BT-41
    _sub(_sub(contact, "ram:TelephoneUniversalCommunication"), "ram:CompleteNumber", phone)  # BT-42
    _sub(_sub(contact, "ram:EmailURIUniversalCommunication"), "ram:URIID", email)  # BT-43
    _one(seller, "ram:PostalTradeAddress").addprevious(contact)

    settlement = _one(root, "rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeSettlement")
    for means in settlement.iterfind("ram:SpecifiedTradeSettlementPaymentMeans/ram:TypeCode", NAMESPACES):
        if (means.text or "").strip() in CARD_CODES:
            means.text = ONLINE_PAYMENT_SERVICE  # BT-81
    for tax in settlement.iterfind("ram:ApplicableTradeTax", NAMESPACES):
        if tax.find("ram:RateApplicablePercent", NAMESPACES) is None:
            _sub(tax, "ram:RateApplicablePercent", "0")  # BT-119 (BR-DE-14): last in the XSD sequence used

    etree.indent(root, space="  ")
    xml: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    return xml + b"\n"
