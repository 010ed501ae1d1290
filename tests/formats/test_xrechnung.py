"""XRechnung 3.0 (CII): documents the German rules issue, checked against the CII D16B XSD, the CEN
EN 16931 1.3.16 Schematron and the KoSIT XRechnung Schematron 2.5.0 (XRechnung 3.0.2).

Expected values are written by hand: figures from UStG §12 (19 %, 7 %) on the amounts of the events,
identifiers from the demo records and the arguments given here.
"""

from __future__ import annotations

from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from mandat.demo.markets import de, gb
from mandat.domain.documents import Document
from mandat.domain.exchange import Rate
from mandat.domain.refusals import Rejected
from mandat.render.cii import build_cii
from mandat.render.formats.xrechnung import build
from tests.markets import TODAY, credit, fixed_rates, issue, paid, refund, seller_from
from tests.official import VALIDATION, cen_failures, failures, require

XR_DIR = VALIDATION / "xrechnung-3.0.2-schematron-2.5.0"
XR_CII = XR_DIR / "XRechnung-CII-validation.xslt"
CII_XSD = (
    VALIDATION / "en16931-1.3.16" / "cii-d16b-xsd" / "CII/uncefact/data/standard/CrossIndustryInvoice_100pD16B.xsd"
)
NS = {
    "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
    "udt": "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100",
    "qdt": "urn:un:unece:uncefact:data:standard:QualifiedDataType:100",
}
PHONE = "+49 89 5678 1200"  # the seller contact's telephone, which the record does not carry
LEITWEG_ID = "04011000-12345-03"  # a Leitweg-ID of the KoSIT examples
SPEC = "urn:cen.eu:en16931:2017#compliant#urn:xeinkauf.de:kosit:xrechnung_3.0"
D = Decimal

LINDNER = de.SELLERS[0]
KAISER = de.BUSINESSES[1]  # German business buyer with a purchase order number (BE-2026-0415)
HUBER = de.BUSINESSES[0]  # German roofer: §13b(2) Nr. 4 UStG reverse charge (AE)
LENA = de.CONSUMERS[0]
DUPONT: dict[str, Any] = {
    "kind": "business",
    "name": "Bricolage Dupont SARL",
    "address": {"line1": "14 avenue de la Gare", "postcode": "69003", "city": "Lyon", "country": "FR"},
    "vat_id": "FR40303265045",
    "email": "achats@dupont.example",
}
DRILL = de.PRODUCTS[0]  # 1 x 149.00, 19 %
BOOK = de.PRODUCTS[3]  # 1 x 24.90, 7 %
WORKS = {
    "sku": "DACH-ARBEIT",
    "description": "Dachrinne montiert",
    "quantity": "1",
    "unit_price": "500.00",
    "nature": "service",
    "tax_category": "standard",
}


# --- validation helpers ----------------------------------------------------------------------------


@cache
def _schema() -> etree.XMLSchema:
    # Imports are relative paths inside the folder: lxml resolves them from disk, never the network.
    parser = etree.XMLParser(no_network=True)
    return etree.XMLSchema(etree.parse(str(CII_XSD), parser))


def xsd_errors(xml: bytes) -> list[str]:
    require(CII_XSD)
    schema = _schema()
    ok = schema.validate(etree.fromstring(xml, etree.XMLParser(no_network=True)))
    return [] if ok else [f"{e.line}: {e.message}" for e in schema.error_log]


def xr_failures(xml: bytes) -> list[str]:
    return failures(xml, XR_CII)


def problems(xml: bytes) -> list[str]:
    """Everything that makes an XRechnung CII invalid: XSD, EN 16931, XRechnung (blocking rules only)."""
    return xsd_errors(xml) + cen_failures(xml) + xr_failures(xml)


def x(xml: bytes, path: str) -> list[str]:
    return [str(v) for v in etree.fromstring(xml).xpath(path, namespaces=NS)]


def lindner() -> Any:
    return seller_from(LINDNER)


def invoice(buyer: dict[str, Any], lines: list[dict[str, Any]], **kw: Any) -> Document:
    s = lindner()
    rates = kw.pop("rates", None)
    event = paid(s, buyer, lines, **kw)
    return issue(event, s, rates) if rates is not None else issue(event, s)


def credit_note(inv: Document) -> Document:
    return credit(inv, refund(inv, inv.totals.tax_inclusive), lindner())


# --- documents of the German rules -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("product", "rate", "vat", "gross"),
    # 149.00 x 19 % = 28.31 -> 177.31; 24.90 x 7 % = 1.743 -> 1.74 -> 26.64
    [(DRILL, "19", "28.31", "177.31"), (BOOK, "7", "1.74", "26.64")],
    ids=["19%", "7%"],
)
def test_domestic_business_invoice_and_credit_note(product: dict[str, Any], rate: str, vat: str, gross: str) -> None:
    inv = invoice(KAISER, [product])
    xml = build(inv, LEITWEG_ID, seller_phone=PHONE)
    assert problems(xml) == []
    assert x(xml, "//ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax/ram:RateApplicablePercent/text()") == [
        rate
    ]
    assert x(xml, "//ram:SpecifiedTradeSettlementHeaderMonetarySummation/ram:TaxTotalAmount/text()") == [vat]
    assert x(xml, "//ram:SpecifiedTradeSettlementHeaderMonetarySummation/ram:GrandTotalAmount/text()") == [gross]
    # Already paid: the payment instructions stay (BR-DE-1), paid amount = total, nothing due.
    assert x(xml, "//ram:TotalPrepaidAmount/text()") == [gross]
    assert x(xml, "//ram:DuePayableAmount/text()") == ["0.00"]

    cn = build(credit_note(inv), LEITWEG_ID, seller_phone=PHONE)
    assert problems(cn) == []
    assert x(cn, "//ram:GrandTotalAmount/text()") == [gross]


def test_both_rates_on_one_invoice_and_its_credit_note() -> None:
    # 149.00 x 19 % = 28.31; 24.90 x 7 % = 1.74; net 173.90, VAT 30.05, gross 203.95
    inv = invoice(KAISER, [DRILL, BOOK])
    xml = build(inv, seller_phone=PHONE)
    assert problems(xml) == []
    assert x(xml, "//ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax/ram:CalculatedAmount/text()") == [
        "28.31",
        "1.74",
    ]
    assert x(xml, "//ram:GrandTotalAmount/text()") == ["203.95"]
    assert problems(build(credit_note(inv), seller_phone=PHONE)) == []


def test_business_in_another_member_state_intra_community_supply() -> None:
    # UStG §4 Nr. 1b, §6a: 149.00 net, K, 0 % VAT; the buyer's French VAT id is on the invoice.
    inv = invoice(DUPONT, [DRILL])
    xml = build(inv, seller_phone=PHONE)
    assert problems(xml) == []
    assert x(xml, "//ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax/ram:CategoryCode/text()") == ["K"]
    assert x(xml, "//ram:BuyerTradeParty/ram:SpecifiedTaxRegistration/ram:ID/text()") == ["FR40303265045"]
    assert x(xml, "//ram:GrandTotalAmount/text()") == ["149.00"]
    assert problems(build(credit_note(inv), seller_phone=PHONE)) == []


def test_domestic_reverse_charge_to_a_builder() -> None:
    # UStG §13b(2) Nr. 4, (5): installation works for a roofer, the buyer owes the VAT: AE, 500.00, no VAT.
    inv = invoice(HUBER, [WORKS], works={"dwelling": True})
    assert [b.category for b in inv.vat_breakdown] == ["AE"]
    xml = build(inv, seller_phone=PHONE)
    assert problems(xml) == []
    assert x(xml, "//ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax/ram:CategoryCode/text()") == ["AE"]
    assert x(xml, "//ram:GrandTotalAmount/text()") == ["500.00"]
    assert problems(build(credit_note(inv), seller_phone=PHONE)) == []


def test_invoice_in_another_currency_states_the_vat_in_euro() -> None:
    # 149.00 CHF x 19 % = 28.31 CHF. ECB 2026-11-18: 1 EUR = 0.8000 CHF, so 28.31 / 0.8 = 35.3875 -> 35.39 EUR.
    rates = fixed_rates(Rate("ECB", "EUR", "CHF", D("0.8000"), TODAY.replace(day=18)))
    inv = invoice(KAISER, [DRILL], currency="CHF", rates=rates)
    xml = build(inv, seller_phone=PHONE)
    assert problems(xml) == []
    assert x(xml, "//ram:InvoiceCurrencyCode/text()") == ["CHF"]
    assert x(xml, "//ram:TaxCurrencyCode/text()") == ["EUR"]
    assert x(xml, "//ram:TaxTotalAmount[@currencyID='CHF']/text()") == ["28.31"]
    assert x(xml, "//ram:TaxTotalAmount[@currencyID='EUR']/text()") == ["35.39"]
    assert problems(build(credit_note(inv), seller_phone=PHONE)) == []


def test_services_from_a_uk_seller_outside_the_scope_carry_a_zero_rate() -> None:
    # VATA 1994 s.7A(2)(a): a UK seller's service to a German business is outside UK VAT, category O,
    # 250.00 net and gross. BR-DE-14 wants a rate on every breakdown, BR-O-05 none on the line: 0 on the
    # breakdown only.
    gb_seller = seller_from(gb.SELLERS[0])
    service = {"sku": "PLAN", "description": "Planung", "quantity": "1", "unit_price": "250.00", "nature": "service"}
    doc = issue(paid(gb_seller, KAISER, [service]), gb_seller)
    assert [b.category for b in doc.vat_breakdown] == ["O"]
    xml = build(doc, seller_phone="+44 20 7946 0000")
    assert problems(xml) == []
    header = "//ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax"
    assert x(xml, f"{header}/ram:RateApplicablePercent/text()") == ["0"]
    assert x(xml, "//ram:SpecifiedLineTradeSettlement/ram:ApplicableTradeTax/ram:RateApplicablePercent") == []
    assert x(xml, "//ram:GrandTotalAmount/text()") == ["250.00"]
    broken = _without(xml, f"{header}/ram:RateApplicablePercent")
    assert [f.split()[0] for f in xr_failures(broken)] == ["BR-DE-14"]


def test_consumer_who_asks_for_it() -> None:
    # XRechnung does not exclude consumers: 24.90 x 7 % = 1.74 -> 26.64, the buyer's e-mail as BT-49.
    inv = invoice(LENA, [BOOK])
    xml = build(inv, seller_phone=PHONE)
    assert problems(xml) == []
    assert x(xml, "//ram:BuyerTradeParty/ram:URIUniversalCommunication/ram:URIID/text()") == [
        "lena.hoffmann@example.de"
    ]
    assert x(xml, "//ram:BuyerReference/text()") == ["ORD-DELIND-0001"]


def test_same_record_same_bytes() -> None:
    inv = invoice(KAISER, [DRILL, BOOK])
    assert build(inv, LEITWEG_ID, seller_phone=PHONE) == build(inv, LEITWEG_ID, seller_phone=PHONE)


# --- golden values -------------------------------------------------------------------------------------


def test_specification_identifier_and_process() -> None:
    xml = build(invoice(KAISER, [DRILL]), LEITWEG_ID, seller_phone=PHONE)
    assert x(xml, "//ram:GuidelineSpecifiedDocumentContextParameter/ram:ID/text()") == [SPEC]
    assert x(xml, "//ram:BusinessProcessSpecifiedDocumentContextParameter/ram:ID/text()") == [
        "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"
    ]


def test_buyer_reference_leitweg_id_then_purchase_order_then_order() -> None:
    with_po = invoice(KAISER, [DRILL])
    assert x(build(with_po, LEITWEG_ID, seller_phone=PHONE), "//ram:BuyerReference/text()") == [LEITWEG_ID]
    # No Leitweg-ID: the buyer's purchase order (also BT-13).
    xml = build(with_po, seller_phone=PHONE)
    assert x(xml, "//ram:BuyerReference/text()") == ["BE-2026-0415"]
    assert x(xml, "//ram:BuyerOrderReferencedDocument/ram:IssuerAssignedID/text()") == ["BE-2026-0415"]
    # Neither: the order id of the marketplace, which the buyer's order confirmation carries.
    assert x(build(invoice(DUPONT, [DRILL]), "  ", seller_phone=PHONE), "//ram:BuyerReference/text()") == [
        "ORD-DELIND-0001"
    ]


def test_seller_contact_and_mandate() -> None:
    xml = build(invoice(KAISER, [DRILL]), LEITWEG_ID, seller_phone=PHONE)
    seller = "//ram:ApplicableHeaderTradeAgreement/ram:SellerTradeParty"
    assert x(xml, f"{seller}/ram:Name/text()") == ["Baumarkt Lindner GmbH"]
    assert x(xml, f"{seller}/ram:DefinedTradeContact/ram:PersonName/text()") == ["Baumarkt Lindner GmbH"]
    assert x(
        xml, f"{seller}/ram:DefinedTradeContact/ram:TelephoneUniversalCommunication/ram:CompleteNumber/text()"
    ) == [PHONE]
    assert x(xml, f"{seller}/ram:DefinedTradeContact/ram:EmailURIUniversalCommunication/ram:URIID/text()") == [
        "rechnungen@lindner-baumarkt.example"
    ]
    assert x(xml, f"{seller}/ram:URIUniversalCommunication/ram:URIID[@schemeID='EM']/text()") == [
        "rechnungen@lindner-baumarkt.example"
    ]
    assert x(xml, f"{seller}/ram:SpecifiedTaxRegistration/ram:ID[@schemeID='VA']/text()") == ["DE812345673"]
    # The marketplace issues under the billing mandate (UStG §14(2) sentence 4): EN 16931 has no invoicer
    # party, so the statement is a note; it is neither the seller's tax representative nor the buyer.
    assert x(xml, "//ram:SellerTaxRepresentativeTradeParty") == []
    assert x(xml, "//ram:BuyerTradeParty/ram:Name/text()") == ["Hausverwaltung Kaiser GmbH"]
    assert x(xml, "//rsm:ExchangedDocument/ram:IncludedNote/ram:Content/text()")[0] == (
        "Rechnung ausgestellt von Brico Market SAS im Namen und für Rechnung von Baumarkt Lindner GmbH "
        "(Rechnungsausstellung durch einen Dritten, § 14 Abs. 2 UStG)."
    )
    # Paid by card through the marketplace's payment provider: online payment service, not 48 (BR-DE-24-a).
    assert x(xml, "//ram:SpecifiedTradeSettlementPaymentMeans/ram:TypeCode/text()") == ["68"]
    assert x(xml, "//ram:SpecifiedTradeSettlementPaymentMeans/ram:Information/text()") == ["adyen PSP-DELIND-0001"]


def test_credit_note_mapping() -> None:
    inv = invoice(KAISER, [DRILL])
    xml = build(credit_note(inv), LEITWEG_ID, seller_phone=PHONE)
    assert x(xml, "//rsm:ExchangedDocument/ram:TypeCode/text()") == ["381"]
    assert x(xml, "//rsm:ExchangedDocument/ram:ID/text()") == ["RK-DELIND-000001"]
    assert x(xml, "//ram:InvoiceReferencedDocument/ram:IssuerAssignedID/text()") == ["RE-DELIND-000001"]
    assert x(xml, "//ram:InvoiceReferencedDocument/ram:FormattedIssueDateTime/qdt:DateTimeString/text()") == [
        "20261120"
    ]
    # Positive amounts on a 381; the refund already made: refunded 177.31, nothing due.
    assert x(xml, "//ram:GrandTotalAmount/text()") == ["177.31"]
    assert x(xml, "//ram:DuePayableAmount/text()") == ["0.00"]
    assert x(xml, "//ram:BuyerReference/text()") == [LEITWEG_ID]


# --- refusals and broken documents ------------------------------------------------------------------


def test_no_telephone_is_refused_with_br_de_6() -> None:
    inv = invoice(KAISER, [DRILL])
    inv = inv.model_copy(update={"seller": inv.seller.model_copy(update={"phone": None})})
    with pytest.raises(Rejected) as exc:
        build(inv, LEITWEG_ID)
    assert exc.value.code == "BR-DE-6"
    with pytest.raises(Rejected):
        build(inv, LEITWEG_ID, seller_phone=" ")


def test_seller_without_email_is_refused_with_br_de_7() -> None:
    inv = invoice(KAISER, [DRILL])
    no_email = inv.model_copy(update={"seller": inv.seller.model_copy(update={"email": None})})
    with pytest.raises(Rejected) as exc:
        build(no_email, seller_phone=PHONE)
    assert exc.value.code == "BR-DE-7"


def test_buyer_without_electronic_address_is_refused() -> None:
    buyer = {k: v for k, v in KAISER.items() if k != "email"}
    with pytest.raises(Rejected) as exc:
        build(invoice(buyer, [DRILL]), seller_phone=PHONE)
    assert exc.value.code == "PEPPOL-EN16931-R010"


def _without(xml: bytes, path: str) -> bytes:
    root = etree.fromstring(xml)
    for el in root.xpath(path, namespaces=NS):
        el.getparent().remove(el)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def test_the_factur_x_cii_alone_is_not_an_xrechnung() -> None:
    # What build() adds is what the XRechnung rules demand: without it they fail.
    ids = {f.split()[0] for f in xr_failures(build_cii(invoice(KAISER, [DRILL])))}
    assert {"BR-DE-15", "BR-DE-2", "BR-DE-24-a"} <= ids, ids


def test_without_buyer_reference_fails_br_de_15() -> None:
    xml = _without(build(invoice(KAISER, [DRILL]), LEITWEG_ID, seller_phone=PHONE), "//ram:BuyerReference")
    assert xsd_errors(xml) == []
    found = xr_failures(xml)
    assert [f.split()[0] for f in found] == ["BR-DE-15"], found


def test_without_seller_telephone_fails_br_de_6() -> None:
    path = "//ram:DefinedTradeContact/ram:TelephoneUniversalCommunication"
    xml = _without(build(invoice(KAISER, [DRILL]), LEITWEG_ID, seller_phone=PHONE), path)
    assert [f.split()[0] for f in xr_failures(xml)] == ["BR-DE-6"]


# --- the official XRechnung CII examples ----------------------------------------------------------------


def _examples() -> list[Path]:
    return sorted(XR_DIR.glob("examples/*_uncefact.xml")) if XR_DIR.is_dir() else []


@pytest.mark.parametrize("path", _examples(), ids=lambda p: p.name)
def test_official_example_validates(path: Path) -> None:
    assert problems(path.read_bytes()) == []


def test_there_are_official_examples() -> None:
    require(XR_CII)
    assert len(_examples()) == 21


def test_the_sellers_registered_telephone_is_the_contact_telephone() -> None:
    # Seller.phone (the registry) is snapshotted on the record: no caller-given number needed.
    s = seller_from({**LINDNER, "phone": PHONE})
    doc = issue(paid(s, KAISER, [DRILL]), s)
    xml = build(doc)
    assert problems(xml) == []
    assert x(
        xml,
        "//ram:SellerTradeParty/ram:DefinedTradeContact/ram:TelephoneUniversalCommunication/ram:CompleteNumber/text()",
    ) == [PHONE]
