"""XRechnung 3.0 in the OASIS UBL 2.1 syntax (Invoice / CreditNote), built from a ``Document`` only.

XRechnung is the German CIUS of EN 16931 (KoSIT, "Spezifikation XRechnung" 3.0.x, with the XRechnung
Schematron 2.5.0); it has two syntaxes, CII (:mod:`mandat.render.formats.xrechnung`, where the legal basis
and the reasons for each choice below are set out) and UBL, this module. A German buyer asks for the UBL
one (``buyer.xrechnung == "ubl"`` in the sale event, recorded by ``rules/einvoice.py``).

The document is the Peppol BIS Billing 3.0 UBL tree of :func:`mandat.render.formats.peppol.build_tree`
(same EN 16931 UBL binding, CEN/TS 16931-3-2; XRechnung 3.0 takes over the PEPPOL-EN16931-R* rules of
the shared core), transformed with lxml where XRechnung asks more:

- BT-24 ``cbc:CustomizationID`` is the XRechnung 3.0 specification identifier (BR-DE-21); BT-23
  ``cbc:ProfileID`` stays the Peppol billing process (PEPPOL-EN16931-R001);
- BT-10 ``cbc:BuyerReference`` (BR-DE-15): the Leitweg-ID recorded in the buyer snapshot, else the
  buyer's purchase order number (BT-13), else the marketplace's order id. Placed before
  ``cac:OrderReference``, as the UBL 2.1 XSD sequence wants;
- BT-49 buyer ``cbc:EndpointID``: a buyer with a Leitweg-ID and no Peppol id of its own is addressed
  by it, scheme 0204 (EAS code list; German public bodies are reached under ``0204:<Leitweg-ID>``);
  otherwise the Peppol builder's choice (Peppol id, VAT number with its EAS scheme, e-mail);
- BG-6 seller ``cac:Contact`` (BR-DE-2, -5, -6, -7): ``cbc:Name`` the seller's name (the record names
  no person or department, none is invented), ``cbc:Telephone`` the seller's recorded telephone
  (``Seller.phone`` snapshotted), ``cbc:ElectronicMail`` the seller's e-mail. No telephone: refused with
  ``BR-DE-6`` rather than an invented number; no e-mail: ``BR-DE-7``;
- BT-81 ``cbc:PaymentMeansCode``: a card code (48/54/55) becomes 68 "online payment service"
  (BR-DE-24-a would demand BG-18 with the card number, which the record does not carry; the buyer paid
  through the marketplace's payment service provider);
- BT-119 ``cbc:Percent`` 0 on a breakdown of category O (BR-DE-14 wants a rate on every breakdown;
  BR-O-05 keeps the line rate absent).

Peppol's own refusal of consumers is lifted (XRechnung does not exclude them; the buyer's e-mail is then
BT-49). Every other refusal of the Peppol builder stands, with its ``peppol_*`` code: those records cannot
be written in the shared UBL binding either (document-level allowances, a missing mandate statement, no
electronic address for a party, a credit note naming no invoice, self-billing).

Output is deterministic (same record, same bytes): no clock, no randomness, lxml serialisation.
"""

from __future__ import annotations

from lxml import etree

from mandat.domain.documents import Document
from mandat.domain.refusals import Rejected
from mandat.render.cii import xml_safe
from mandat.render.formats.peppol import CAC, CBC, build_tree, serialise
from mandat.render.formats.xrechnung import (
    BUSINESS_PROCESS,
    CARD_CODES,
    ONLINE_PAYMENT_SERVICE,
    SPECIFICATION_ID,
)

NS = {"cac": CAC, "cbc": CBC}
SCHEME_LEITWEG_ID = "0204"  # ISO 6523 ICD / EAS: Leitweg-ID of the German public administration


def build(doc: Document) -> bytes:
    """The XRechnung 3.0 UBL XML of ``doc`` (Invoice, or CreditNote for a credit note): UTF-8, deterministic.

    Everything comes from the record. Raises ``Rejected`` with the XRechnung rule id (``BR-DE-6``,
    ``BR-DE-7``, ``BR-DE-15``) when the record cannot satisfy it, or the Peppol builder's code.
    """
    phone = _given(doc.seller.phone)
    if phone is None:
        raise Rejected(
            "BR-DE-6",
            "XRechnung requires the seller contact's telephone number (BT-42) and the seller's record has none; "
            "add the seller's phone number rather than sending an invented one",
        )
    email = _given(doc.seller.email)
    if email is None:
        raise Rejected("BR-DE-7", "XRechnung requires the seller contact's e-mail address (BT-43); the seller has none")
    reference = _given(doc.buyer.leitweg_id) or _given(doc.purchase_order) or _given(doc.order_id)
    if reference is None:
        raise Rejected("BR-DE-15", "XRechnung requires a buyer reference (BT-10) and there is none")

    root = build_tree(doc, consumer_allowed=True)
    _one(root, "cbc:CustomizationID").text = SPECIFICATION_ID  # BT-24
    _one(root, "cbc:ProfileID").text = BUSINESS_PROCESS  # BT-23

    buyer_reference = root.find("cbc:BuyerReference", NS)  # BT-10: the Peppol tree has it between Germans
    if buyer_reference is None:
        buyer_reference = etree.Element(_q("cbc:BuyerReference"))
        _one(root, "cac:OrderReference").addprevious(buyer_reference)
    buyer_reference.text = reference

    german_rules(root, doc, phone, email)
    leitweg_id = _given(doc.buyer.leitweg_id)
    if leitweg_id is not None and not doc.buyer.peppol_id:
        endpoint = _one(root, "cac:AccountingCustomerParty/cac:Party/cbc:EndpointID")  # BT-49
        endpoint.set("schemeID", SCHEME_LEITWEG_ID)
        endpoint.text = leitweg_id

    return serialise(root)


def german_rules(root: etree._Element, doc: Document, phone: str, email: str) -> None:
    """What the German rules add to the UBL tree, in XRechnung (BR-DE-*) and in Peppol between German
    parties (DE-R-*, the same requirements): the seller contact, no card code without card data, a rate on
    every breakdown."""
    _seller_contact(_one(root, "cac:AccountingSupplierParty/cac:Party"), doc.seller.name, phone, email)
    for code in root.iterfind("cac:PaymentMeans/cbc:PaymentMeansCode", NS):
        if (code.text or "").strip() in CARD_CODES:
            code.text = ONLINE_PAYMENT_SERVICE  # BT-81 (BR-DE-24-a)
    for category in root.iterfind("cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory", NS):
        if category.find("cbc:Percent", NS) is None:
            percent = etree.Element(_q("cbc:Percent"))  # BT-119 (BR-DE-14), right after the category id
            percent.text = "0"
            _one(category, "cbc:ID").addnext(percent)


def _seller_contact(party: etree._Element, name: str, phone: str, email: str) -> None:
    """BG-6 in the ``cac:Contact`` sequence of UBL 2.1: Name, Telephone, ..., ElectronicMail."""
    contact = party.find("cac:Contact", NS)
    if contact is None:  # Contact comes after PartyLegalEntity, the last element Peppol writes before it
        contact = etree.Element(_q("cac:Contact"))
        _one(party, "cac:PartyLegalEntity").addnext(contact)
    for old in list(contact):
        contact.remove(old)
    _leaf(contact, "cbc:Name", name)  # BT-41
    _leaf(contact, "cbc:Telephone", phone)  # BT-42
    _leaf(contact, "cbc:ElectronicMail", email)  # BT-43


# --- small helpers ---------------------------------------------------------------------------------


def _q(tag: str) -> str:
    prefix, local = tag.split(":")
    return f"{{{NS[prefix]}}}{local}"


def _one(parent: etree._Element, path: str) -> etree._Element:
    found = parent.find(path, NS)
    if found is None:  # the Peppol builder always writes these: a missing one is a bug, not a record to refuse
        raise AssertionError(f"the Peppol UBL tree has no {path}")
    return found


def _leaf(parent: etree._Element, tag: str, text: str) -> None:
    etree.SubElement(parent, _q(tag)).text = text


def _given(value: str | None) -> str | None:
    """``value`` when it says something once written as XML (an empty element breaks PEPPOL-EN16931-R008)."""
    if value is None:
        return None
    cleaned = xml_safe(value).strip()
    return cleaned or None
