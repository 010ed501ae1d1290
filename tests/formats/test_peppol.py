"""Peppol BIS Billing 3.0 UBL: documents issued by the real rules for Belgian sellers, validated against the
OASIS UBL 2.1 XSD and the OpenPEPPOL 3.0.21 rules (PEPPOL layer and CEN EN 16931 layer, compiled XSLT).

Expected values are written by hand from the law and the specification:
* Code TVA art. 37 and AR n° 20: 21 % standard, 6 % table A; AR n° 1 art. 20: cocontractant reverse charge (AE);
* Directive 2006/112/EC art. 138 (intra-EU goods, K, VATEX-EU-IC), art. 44 / 196 (B2B services, AE);
* art. 91(2) / 230: VAT stated in euros at the ECB rate (BT-6 / BT-111);
* BIS 3.0: EndpointID 0208 = the ten digits of a BE VAT number; 9930 = a German VAT number as written.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from mandat.demo.markets import be as demo
from mandat.domain.documents import Document
from mandat.domain.exchange import Rate
from mandat.domain.refusals import Rejected
from mandat.render.formats.peppol import build
from tests.markets import credit, fixed_rates, issue, paid, refund, seller_from
from tests.official import VALIDATION, failures, require

D = Decimal
PEPPOL_DIR = VALIDATION / "peppol-bis-3.0.21"
PEPPOL_XSLT = PEPPOL_DIR / "PEPPOL-EN16931-UBL.xslt"
CEN_XSLT = PEPPOL_DIR / "CEN-EN16931-UBL.xslt"
UBL_DIR = VALIDATION / "oasis-ubl-2.1" / "maindoc"
NS = {
    "inv": "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2",
    "cn": "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2",
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
}

RETAILER = seller_from(demo.SELLERS[0])  # Klushuis Leie BV, Gent, BE0456123791
INSTALLER = seller_from(demo.SELLERS[1])  # Rénov'Habitat Meuse SRL, Namur, BE0732815501
IMMO = demo.BUSINESSES[1]  # Immo Condroz SA, BE0678901218, periodic filer
DE_COMPANY: dict[str, Any] = {
    "kind": "business",
    "name": "Baumarkt Schneider GmbH",
    "address": {"line1": "Friedrichstraße 120", "postcode": "10115", "city": "Berlin", "country": "DE"},
    "vat_id": "DE136695976",
}
LIEGE = {"line1": "Rue Saint-Gilles 58", "postcode": "4000", "city": "Liège", "country": "BE"}
WORKS_FACTS = {
    "property_address": LIEGE,
    "dwelling": True,
    "private_use": "exclusive",
    "first_occupied_year": 1987,
    "installed_by_seller": True,
}


def line(category: str = "standard", qty: str = "3", price: str = "12.00", **more: Any) -> dict[str, Any]:
    return {"sku": "SKU-1", "description": "Article", "quantity": qty, "unit_price": price, "tax_category": category}


# --- validation --------------------------------------------------------------------------------------


@cache
def _schema(root: str) -> etree.XMLSchema:
    path = UBL_DIR / f"UBL-{root}-2.1.xsd"
    require(path)
    # The UBL 2.1 maindoc schemas import ../common/* by relative path: no network access is involved.
    return etree.XMLSchema(etree.parse(str(path), etree.XMLParser(no_network=True)))


def xsd_errors(xml: bytes) -> list[str]:
    tree = etree.fromstring(xml)
    schema = _schema(etree.QName(tree).localname)
    if schema.validate(tree):
        return []
    return [f"{e.line}: {e.message}" for e in schema.error_log]


def problems(xml: bytes) -> list[str]:
    """Everything blocking: UBL 2.1 XSD, then the PEPPOL and CEN layers of BIS 3.0.21."""
    return xsd_errors(xml) + failures(xml, PEPPOL_XSLT) + failures(xml, CEN_XSLT)


def rule_ids(xml: bytes) -> set[str]:
    return {f.split(" ", 1)[0] for f in failures(xml, PEPPOL_XSLT) + failures(xml, CEN_XSLT)}


def valid(doc: Document) -> etree._Element:
    xml = build(doc)
    assert problems(xml) == []
    assert build(doc) == xml  # deterministic
    return etree.fromstring(xml)


def text(tree: etree._Element, path: str) -> list[str]:
    return [str(v) for v in tree.xpath(path, namespaces=NS)]


def one(tree: etree._Element, path: str) -> str:
    [value] = text(tree, path)
    return value


def subtotals(tree: etree._Element) -> list[tuple[str, str, str, str]]:
    rows = tree.xpath("cac:TaxTotal/cac:TaxSubtotal", namespaces=NS)
    return [
        (
            one(r, "cac:TaxCategory/cbc:ID/text()"),
            one(r, "cac:TaxCategory/cbc:Percent/text()"),
            one(r, "cbc:TaxableAmount/text()"),
            one(r, "cbc:TaxAmount/text()"),
        )
        for r in rows
    ]


# --- Belgian seller to a Belgian business ----------------------------------------------------------


def domestic_invoice() -> Document:
    return issue(paid(RETAILER, IMMO, [line("standard"), {**line("reduced"), "sku": "SKU-2"}]), RETAILER)


def test_domestic_invoice_at_21_and_6_percent() -> None:
    doc = domestic_invoice()
    tree = valid(doc)
    assert etree.QName(tree).localname == "Invoice"
    assert one(tree, "cbc:CustomizationID/text()") == (
        "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0"
    )
    assert one(tree, "cbc:ProfileID/text()") == "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"
    assert one(tree, "cbc:InvoiceTypeCode/text()") == "380"
    assert one(tree, "cbc:IssueDate/text()") == "2026-11-20"
    # 3 x 12.00 = 36.00 at 21 % = 7.56; 36.00 at 6 % = 2.16; 72.00 + 9.72 = 81.72, paid by card beforehand.
    assert subtotals(tree) == [("S", "21", "36.00", "7.56"), ("S", "6", "36.00", "2.16")]
    assert one(tree, "cac:TaxTotal/cbc:TaxAmount/text()") == "9.72"
    assert one(tree, "cac:LegalMonetaryTotal/cbc:TaxInclusiveAmount/text()") == "81.72"
    assert one(tree, "cac:LegalMonetaryTotal/cbc:PrepaidAmount/text()") == "81.72"
    assert one(tree, "cac:LegalMonetaryTotal/cbc:PayableAmount/text()") == "0.00"
    # Seller and buyer addressed by enterprise number: the ten digits of BE0456123791 / BE0678901218.
    seller = "cac:AccountingSupplierParty/cac:Party"
    buyer = "cac:AccountingCustomerParty/cac:Party"
    assert one(tree, f"{seller}/cbc:EndpointID/@schemeID") == "0208"
    assert one(tree, f"{seller}/cbc:EndpointID/text()") == "0456123791"
    assert one(tree, f"{seller}/cac:PartyLegalEntity/cbc:CompanyID/text()") == "0456123791"
    assert one(tree, f"{seller}/cac:PartyLegalEntity/cbc:CompanyID/@schemeID") == "0208"
    assert one(tree, f"{seller}/cac:PartyLegalEntity/cbc:RegistrationName/text()") == "Klushuis Leie BV"
    assert one(tree, f"{seller}/cac:PartyTaxScheme/cbc:CompanyID/text()") == "BE0456123791"
    assert one(tree, f"{buyer}/cbc:EndpointID/@schemeID") == "0208"
    assert one(tree, f"{buyer}/cbc:EndpointID/text()") == "0678901218"
    assert one(tree, f"{buyer}/cac:PartyLegalEntity/cbc:CompanyID/text()") == "0678901218"
    assert one(tree, "cac:OrderReference/cbc:ID/text()") == "ORD-BELEIE-0001"


def test_the_mandate_is_the_note_and_the_seller_the_supplier() -> None:
    tree = valid(domestic_invoice())
    [note] = text(tree, "cbc:Note/text()")  # PEPPOL-EN16931-R002: a single note
    # The French mention of the Belgian pack (buyer language fr), first line of the note.
    assert note.split("\n")[0] == (
        "Facture émise par Brico Market SAS au nom et pour le compte de Klushuis Leie BV (mandat de facturation)."
    )
    assert "Facture acquittée le 18/11/2026" in note
    assert text(tree, "//cac:AgentParty | //cac:PayeeParty | //cac:SellerSupplierParty") == []
    supplier = "cac:AccountingSupplierParty/cac:Party/cac:PartyLegalEntity/cbc:RegistrationName/text()"
    assert one(tree, supplier) == "Klushuis Leie BV"


def test_domestic_credit_note_names_its_invoice() -> None:
    inv = domestic_invoice()
    note = credit(inv, refund(inv, "81.72"), RETAILER)
    tree = valid(note)
    assert etree.QName(tree).localname == "CreditNote"
    assert one(tree, "cbc:CreditNoteTypeCode/text()") == "381"
    assert one(tree, "cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID/text()") == inv.number
    assert one(tree, "cac:BillingReference/cac:InvoiceDocumentReference/cbc:IssueDate/text()") == "2026-11-20"
    assert subtotals(tree) == [("S", "21", "36.00", "7.56"), ("S", "6", "36.00", "2.16")]
    assert text(tree, "cac:CreditNoteLine/cbc:CreditedQuantity/text()") == ["3", "3"]
    assert one(tree, "cac:LegalMonetaryTotal/cbc:PayableAmount/text()") == "0.00"
    assert text(tree, "//cbc:InvoiceTypeCode") == []


def reverse_charged_works() -> Document:
    works = [{**ln, "tax_category": "standard"} for ln in demo.WORKS[0][0]]
    return issue(paid(INSTALLER, IMMO, works, works=WORKS_FACTS), INSTALLER)


def test_cocontractant_reverse_charge_and_its_credit_note() -> None:
    # 24 x 48.00 + 12 x 32.50 + 890.00 = 1152.00 + 390.00 + 890.00 = 2432.00; the buyer accounts for the VAT.
    inv = reverse_charged_works()
    tree = valid(inv)
    assert subtotals(tree) == [("AE", "0", "2432.00", "0.00")]
    assert one(tree, "cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory/cbc:TaxExemptionReasonCode/text()") == "VATEX-EU-AE"
    reason = one(tree, "cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory/cbc:TaxExemptionReason/text()")
    assert reason.startswith("Autoliquidation")
    assert text(tree, "cac:InvoiceLine/cbc:InvoicedQuantity/@unitCode") == ["HUR", "MTK", "C62"]
    note = valid(credit(inv, refund(inv, "2432.00"), INSTALLER))
    assert subtotals(note) == [("AE", "0", "2432.00", "0.00")]
    assert one(note, "cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID/text()") == inv.number


# --- Belgian seller to a business in another member state ---------------------------------------------


def test_intra_eu_goods_and_services_to_a_german_business() -> None:
    # Goods 2 x 50.00 = 100.00 (K, art. 138) and a service 80.00 (AE, art. 44/196): 180.00, no VAT.
    lines = [line("standard", "2", "50.00"), {**line("standard", "1", "80.00"), "sku": "SKU-2", "nature": "service"}]
    inv = issue(paid(RETAILER, DE_COMPANY, lines), RETAILER)
    tree = valid(inv)
    assert sorted(subtotals(tree)) == [("AE", "0", "80.00", "0.00"), ("K", "0", "100.00", "0.00")]
    assert sorted(text(tree, "cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory/cbc:TaxExemptionReasonCode/text()")) == [
        "VATEX-EU-AE",
        "VATEX-EU-IC",
    ]
    buyer = "cac:AccountingCustomerParty/cac:Party"
    assert one(tree, f"{buyer}/cbc:EndpointID/@schemeID") == "9930"  # EAS: German VAT number
    assert one(tree, f"{buyer}/cbc:EndpointID/text()") == "DE136695976"
    assert one(tree, f"{buyer}/cac:PartyTaxScheme/cbc:CompanyID/text()") == "DE136695976"
    assert text(tree, f"{buyer}/cac:PartyLegalEntity/cbc:CompanyID") == []  # no German register id in the record
    # BR-IC-12: the deliver-to country of an intra-EU supply of goods.
    assert one(tree, "cac:Delivery/cac:DeliveryLocation/cac:Address/cac:Country/cbc:IdentificationCode/text()") == "DE"
    assert one(tree, "cac:Delivery/cbc:ActualDeliveryDate/text()") == "2026-11-19"
    note = valid(credit(inv, refund(inv, "180.00"), RETAILER))
    assert sorted(subtotals(note)) == [("AE", "0", "80.00", "0.00"), ("K", "0", "100.00", "0.00")]
    assert one(note, "cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID/text()") == inv.number


# --- another currency ------------------------------------------------------------------------------------


def test_an_invoice_in_pounds_states_the_vat_in_euros() -> None:
    # ECB 19/11/2026: 1 EUR = 0.80 GBP, so 1 GBP = 1.25 EUR. 3 x 12.00 GBP at 21 % = 7.56 GBP -> 9.45 EUR.
    rates = fixed_rates(Rate("ECB", "EUR", "GBP", D("0.80"), date(2026, 11, 19)))
    inv = issue(paid(RETAILER, IMMO, [line()], currency="GBP"), RETAILER, rates)
    tree = valid(inv)
    assert one(tree, "cbc:DocumentCurrencyCode/text()") == "GBP"
    assert one(tree, "cbc:TaxCurrencyCode/text()") == "EUR"
    totals = [(t.get("currencyID"), t.text) for t in tree.xpath("cac:TaxTotal/cbc:TaxAmount", namespaces=NS)]
    assert totals == [("GBP", "7.56"), ("EUR", "9.45")]
    assert len(tree.xpath("cac:TaxTotal[cbc:TaxAmount/@currencyID='EUR']/cac:TaxSubtotal", namespaces=NS)) == 0
    assert one(tree, "cac:LegalMonetaryTotal/cbc:TaxInclusiveAmount/@currencyID") == "GBP"
    assert one(tree, "cac:LegalMonetaryTotal/cbc:TaxInclusiveAmount/text()") == "43.56"
    note = valid(credit(inv, refund(inv, "43.56"), RETAILER))
    assert [t.text for t in note.xpath("cac:TaxTotal/cbc:TaxAmount", namespaces=NS)] == ["7.56", "9.45"]


# --- official examples and broken documents ------------------------------------------------------------


EXAMPLES = sorted(PEPPOL_DIR.glob("examples/*.xml"))


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_official_examples_pass_the_same_validation(path: Path) -> None:
    assert problems(path.read_bytes()) == []


def test_there_are_official_examples() -> None:
    require(PEPPOL_XSLT)
    assert len(EXAMPLES) >= 5


def _without(xml: bytes, path: str) -> bytes:
    tree = etree.fromstring(xml)
    [el] = tree.xpath(path, namespaces=NS)
    el.getparent().remove(el)
    out: bytes = etree.tostring(tree, xml_declaration=True, encoding="UTF-8")
    return out


def test_without_order_or_buyer_reference_fails_r003() -> None:
    broken = _without(build(domestic_invoice()), "cac:OrderReference")
    assert xsd_errors(broken) == []
    assert "PEPPOL-EN16931-R003" in rule_ids(broken)


def test_without_buyer_endpoint_fails_r010() -> None:
    broken = _without(build(domestic_invoice()), "cac:AccountingCustomerParty/cac:Party/cbc:EndpointID")
    assert "PEPPOL-EN16931-R010" in rule_ids(broken)


def test_a_wrong_enterprise_number_fails_the_0208_check() -> None:
    xml = build(domestic_invoice()).replace(b">0678901218<", b">0678901219<")
    assert "PEPPOL-COMMON-R043" in rule_ids(xml)


def test_without_the_vat_in_the_tax_currency_fails_br_53() -> None:
    rates = fixed_rates(Rate("ECB", "EUR", "GBP", D("0.80"), date(2026, 11, 19)))
    xml = build(issue(paid(RETAILER, IMMO, [line()], currency="GBP"), RETAILER, rates))
    broken = _without(xml, "cac:TaxTotal[cbc:TaxAmount/@currencyID='EUR']")
    assert xsd_errors(broken) == []
    assert "BR-53" in rule_ids(broken)


def test_intra_eu_goods_without_the_deliver_to_country_fail_br_ic_12() -> None:
    xml = build(issue(paid(RETAILER, DE_COMPANY, [line("standard", "2", "50.00")]), RETAILER))
    broken = _without(xml, "cac:Delivery/cac:DeliveryLocation")
    assert "BR-IC-12" in rule_ids(broken)


# --- refusals --------------------------------------------------------------------------------------------


def test_a_consumer_is_refused() -> None:
    doc = issue(paid(RETAILER, demo.CONSUMERS[0], [line()]), RETAILER)
    with pytest.raises(Rejected) as exc:
        build(doc)
    assert exc.value.code == "peppol_consumer"


def test_a_buyer_without_any_electronic_address_is_refused() -> None:
    doc = domestic_invoice()
    buyer = doc.buyer.model_copy(update={"vat_id": "IT00743110157", "email": None})
    with pytest.raises(Rejected) as exc:
        build(doc.model_copy(update={"buyer": buyer}))
    assert exc.value.code == "peppol_endpoint_missing"
    assert "Immo Condroz SA" in exc.value.reason


def test_email_is_the_fallback_address() -> None:
    doc = domestic_invoice()
    buyer = doc.buyer.model_copy(update={"vat_id": "IT00743110157", "email": "ap@example.it"})
    tree = etree.fromstring(build(doc.model_copy(update={"buyer": buyer})))
    assert one(tree, "cac:AccountingCustomerParty/cac:Party/cbc:EndpointID/@schemeID") == "EM"
    assert one(tree, "cac:AccountingCustomerParty/cac:Party/cbc:EndpointID/text()") == "ap@example.it"


def test_a_mandated_invoice_without_the_mandate_mention_is_refused() -> None:
    doc = domestic_invoice()
    stripped = doc.model_copy(update={"mentions": [m for m in doc.mentions if m.code != "mandate"]})
    with pytest.raises(Rejected) as exc:
        build(stripped)
    assert exc.value.code == "peppol_mandate_missing"


def test_self_billing_type_is_never_produced() -> None:
    doc = domestic_invoice().model_copy(update={"type_code": "389"})
    with pytest.raises(Rejected) as exc:
        build(doc)
    assert exc.value.code == "peppol_self_billing"


def test_a_line_discount_is_a_line_allowance() -> None:
    # 3 x 12.00 = 36.00 less 6.00 off the line = 30.00 net; 30.00 x 0.21 = 6.30; 36.30 (PEPPOL-EN16931-R120).
    inv = issue(paid(RETAILER, IMMO, [{**line(), "discount": "6.00"}]), RETAILER)
    tree = valid(inv)
    allowance = "cac:InvoiceLine/cac:AllowanceCharge"
    assert one(tree, f"{allowance}/cbc:ChargeIndicator/text()") == "false"
    assert one(tree, f"{allowance}/cbc:Amount/text()") == "6.00"
    assert one(tree, f"{allowance}/cbc:AllowanceChargeReasonCode/text()") == "95"
    assert one(tree, "cac:InvoiceLine/cbc:LineExtensionAmount/text()") == "30.00"
    assert one(tree, "cac:InvoiceLine/cac:Price/cbc:PriceAmount/text()") == "12"
    assert subtotals(tree) == [("S", "21", "30.00", "6.30")]
