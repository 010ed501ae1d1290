"""Documents issued through the real pipeline: mandatory mentions in the PDF text, PDF/A-3 structure,
the embedded Factur-X XML valid against XSD, EN 16931 Schematron and (for B2B) the French BR-FR rules."""

from __future__ import annotations

import io
import json
from typing import Any

import pikepdf
import pytest
from lxml import etree
from pypdf import PdfReader

from mandat.domain.documents import Document
from mandat.render import i18n
from mandat.render.cii import is_french_einvoice
from mandat.render.document import render_document
from mandat.render.validate import check, validate
from mandat.service.app import Mandat
from mandat.store import repository as repo
from tests.factories import DE_COMPANY, FR_COMPANY, HEAT_PUMP_LINES, order

CASES: dict[str, dict[str, Any]] = {
    "b2c": order(shipping="4.90", ref="b2c"),
    "b2b": order(
        "peintures-lumiere",
        ref="b2b",
        buyer=FR_COMPANY,
        include_vat=False,
        lines=[
            {
                "sku": "PLU-BLANC-10",
                "description": "Peinture acrylique blanc mat 10 L",
                "quantity": "4",
                "unit_price": "66.58",
                "tax_category": "standard",
                "discount": "6.66",
            },
            {
                "sku": "PLU-ROUL-180",
                "description": "Rouleau anti-goutte 180 mm",
                "quantity": "6",
                "unit_price": "10.75",
                "tax_category": "standard",
            },
        ],
        shipping="8.25",
    ),
    "franchise": order(
        "quincaillerie-dupont",
        ref="fra",
        lines=[
            {
                "sku": "QDU-VIS-500",
                "description": "Boîte de 500 vis à bois 4×40",
                "quantity": "2",
                "unit_price": "9.90",
                "tax_category": "standard",
            },
            {
                "sku": "QDU-CLEF",
                "description": "Reproduction de clé",
                "quantity": "1",
                "unit_price": "4.50",
                "nature": "service",
                "tax_category": "standard",
            },
        ],
    ),
    "intra_eu": order(
        "outillage-pro",
        ref="ieu",
        buyer=DE_COMPANY,
        include_vat=False,
        lines=[
            {
                "sku": "OPL-PERC-18V",
                "description": "Perceuse-visseuse 18 V, 2 batteries",
                "quantity": "10",
                "unit_price": "157.50",
                "tax_category": "standard",
            }
        ],
    ),
    "home_works": order(
        "thermoconfort",
        ref="pac",
        lines=[
            *HEAT_PUMP_LINES,
            {
                "sku": "TCI-THERMO",
                "description": "Thermostat connecté",
                "quantity": "1",
                "unit_price": "149",
                "tax_category": "standard",
            },
        ],
        delivery_address={"line1": "2 allée des Chênes", "postcode": "31400", "city": "Toulouse", "country": "FR"},
    ),
}


@pytest.fixture(scope="module")
def issued(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Document, bytes, bytes]]:
    from mandat.demo.sellers import demo_sellers
    from mandat.service.config import Settings

    svc = Mandat(Settings.from_env(tmp_path_factory.mktemp("issued")))
    svc.migrate()
    svc.save_sellers(demo_sellers())
    out: dict[str, tuple[Document, bytes, bytes]] = {}
    for event in CASES.values():
        assert svc.accept(json.dumps(event)).status == "pending"
    while svc.work_once(50) != (0, 0):
        pass
    with svc.engine.connect() as conn:
        for name, event in CASES.items():
            doc = repo.find_by_key(conn, f"{event['marketplace_id']}:{event['order_id']}:invoice")
            assert doc is not None, name
            row = next(r for r in repo.document_rows(conn, doc.seller_id) if r.id == doc.id)
            assert row.render_status == "rendered"
            out[name] = (doc, svc.blobs.get(row.pdf_key or ""), svc.blobs.get(row.xml_key or ""))
    return out


def pdf_text(pdf: bytes) -> str:
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    return " ".join(text.split())


def required_mentions(doc: Document) -> list[str]:
    """What CGI ann. II 242 nonies A, L441-9 and the 2026 decree require to be readable on this invoice."""
    lang = doc.language
    s, b = doc.seller, doc.buyer
    req = [
        s.name,
        b.name,
        *s.address.lines(),
        *b.address.lines(),
        doc.number,
        i18n.day(doc.issue_date, lang),
        i18n.day(doc.delivery_date, lang),
        f"SIREN {s.siren}",
    ]
    if s.legal_form:
        req.append(s.legal_form)
    if s.share_capital:
        req.append(i18n.money(s.share_capital, doc.currency, lang))
    if s.registry:
        req.append(s.registry)
    if s.vat_id:
        req.append(s.vat_id)
    for ln in doc.lines:
        req += [
            ln.description.split(",")[0],
            i18n.amount(ln.net_amount, lang),
            i18n.unit_price(ln.net_unit_price, lang),
        ]
    for br in doc.vat_breakdown:
        req += [i18n.money(br.taxable_amount, doc.currency, lang), i18n.money(br.tax_amount, doc.currency, lang)]
    req.append(i18n.money(doc.totals.tax_inclusive, doc.currency, lang))
    req += [m.text for m in doc.mentions]
    if doc.delivery_address:
        req += doc.delivery_address.lines()
    if b.is_business:
        req += ["40 €", "Pénalités de retard", "Escompte"]
        if b.vat_id:
            req.append(b.vat_id)
        if b.siren:
            req.append(b.siren)
    req.append(f"au nom et pour le compte de {s.name}")
    return req


@pytest.mark.parametrize("case", list(CASES))
def test_every_mandatory_mention_is_in_the_pdf_text(
    issued: dict[str, tuple[Document, bytes, bytes]], case: str
) -> None:
    doc, pdf, _xml = issued[case]
    text = pdf_text(pdf)
    missing = [m for m in required_mentions(doc) if " ".join(m.split()) not in text]
    assert not missing, f"{case}: missing {missing}"


def test_case_specific_mentions(issued: dict[str, tuple[Document, bytes, bytes]]) -> None:
    assert "TVA non applicable, art. 293 B du CGI" in pdf_text(issued["franchise"][1])
    intra = pdf_text(issued["intra_eu"][1])
    assert "Exonération de TVA, art. 262 ter I du CGI" in intra
    assert "DE136695976" in intra
    works = pdf_text(issued["home_works"][1])
    assert "278-0 bis A" in works
    assert "MAAF Pro" in works
    assert "Adresse de livraison" in works
    assert "SIREN de l'acheteur : 443061841" in pdf_text(issued["b2b"][1])


@pytest.mark.parametrize("case", list(CASES))
def test_pdf_is_pdf_a3_with_the_factur_x_xml_attached(
    issued: dict[str, tuple[Document, bytes, bytes]], case: str
) -> None:
    _doc, pdf, xml = issued[case]
    assert pdf.count(b"%PDF-") == 1
    with pikepdf.open(io.BytesIO(pdf)) as p:
        meta = etree.fromstring(bytes(p.Root.Metadata.read_bytes()))
        ns = {"pdfaid": "http://www.aiim.org/pdfa/ns/id/", "fx": "urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#"}
        assert meta.xpath("string(//pdfaid:part | //@pdfaid:part)", namespaces=ns) == "3"
        assert meta.xpath("string(//pdfaid:conformance | //@pdfaid:conformance)", namespaces=ns) == "B"
        assert meta.xpath("string(//fx:ConformanceLevel | //@fx:ConformanceLevel)", namespaces=ns) == "EN 16931"
        intents = p.Root.OutputIntents
        assert intents[0].S == "/GTS_PDFA1"
        assert int(intents[0].DestOutputProfile.N) == 3
        for page in p.pages:
            for font in page.Resources.Font.values():
                descendant = font.DescendantFonts[0] if "/DescendantFonts" in font else font
                assert "/FontFile2" in descendant.FontDescriptor, "font not embedded"
        spec = p.Root.AF[0]
        assert spec.AFRelationship == "/Data"
        assert str(spec.F) == "factur-x.xml"
        assert bytes(spec.EF.F.read_bytes()) == xml
        assert p.check_pdf_syntax() == []


@pytest.mark.parametrize("case", list(CASES))
def test_embedded_xml_passes_xsd_en16931_and_br_fr(issued: dict[str, tuple[Document, bytes, bytes]], case: str) -> None:
    doc, _pdf, xml = issued[case]
    if is_french_einvoice(doc):  # EXTENDED-CTC-FR (the reform's B2B): the official CEN, BR-FR and profile rules
        assert check("en16931-cii-ctc-fr", xml) == []
        return
    report = validate(xml, br_fr=doc.business_case == "B2B" or None)
    assert report.valid, [f"{f.id}: {f.text}" for f in report.errors]
    if doc.business_case == "B2B":
        assert report.br_fr_applied


def test_rendering_is_deterministic(issued: dict[str, tuple[Document, bytes, bytes]]) -> None:
    for doc, pdf, xml in issued.values():
        again = render_document(Document.model_validate_json(doc.model_dump_json()))
        assert (again.pdf, again.xml) == (pdf, xml)


def test_hostile_text_is_escaped_in_pdf_and_xml(tmp_path: Any) -> None:
    from mandat.domain.events import OrderPaid
    from mandat.rules.draft import draft_invoice
    from tests.factories import MARKETPLACE, NOW, TODAY, seller

    hostile = "Perceuse ) Tj ET BT (x) <b>&amp;</b> ]]> \\ % «»"
    event = order(
        lines=[{"sku": "X", "description": hostile, "quantity": "1", "unit_price": "10", "tax_category": "standard"}]
    )
    doc = draft_invoice(OrderPaid.model_validate(event), seller(), MARKETPLACE, TODAY).finalize(1, NOW, "0" * 64)
    out = render_document(doc)
    assert hostile in pdf_text(out.pdf)
    root = etree.fromstring(out.xml)
    names = root.xpath("//*[local-name()='SpecifiedTradeProduct']/*[local-name()='Name']/text()")
    assert hostile in names
    assert validate(out.xml).valid
