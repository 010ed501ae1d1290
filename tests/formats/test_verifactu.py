"""VERI*FACTU records (AEAT SuministroLR.xsd 1.0) of documents issued by the real Spanish rules, validated
against the official XSD of ``../shared/validation/es-verifactu-1.0/`` (its imports, SuministroInformacion.xsd
and xmldsig-core-schema.xsd, are local files beside it: the parser never uses the network).

Expected values are written by hand from the AEAT specifications in ``es-verifactu-1.0/docs/``: the huella
examples of "especificaciones huella o hash" v0.1.2 §6, the QR URL of "especificaciones código QR" v0.4.7
§4-§6, and for our own records the concatenated string of §3 written out by hand.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import cache
from typing import Any

import pytest
from lxml import etree

from mandat.demo.markets import de
from mandat.demo.markets import es as demo
from mandat.demo.markets.scenarios import ABROAD
from mandat.domain.credit import Credited
from mandat.domain.documents import Document
from mandat.domain.events import OrderRefunded
from mandat.domain.refusals import Rejected
from mandat.render.formats.verifactu import (
    LEGEND,
    Link,
    build,
    build_cancellation,
    huella_anulacion,
    huella_registro_alta,
    link_of,
    qr_url,
    qr_url_of,
)
from mandat.rules.credit_note import draft_credit_note
from tests.markets import MARKETPLACE, drafted, paid, refund, seller_from
from tests.official import VALIDATION, require

D = Decimal
XSD = VALIDATION / "es-verifactu-1.0" / "SuministroLR.xsd"
SF = "https://www2.agenciatributaria.gob.es/static_files/common/internet/dep/aplicaciones/es/aeat/tike/cont/ws/SuministroInformacion.xsd"
NSS = {"sf": SF}

# Ferretería del Sol S.L., NIF B46123451, without the demo's voluntary early start (tested on its own below).
RETAILER = seller_from({k: v for k, v in demo.SELLERS[0].items() if k != "verifactu_since"})
INSTALLER = seller_from(demo.SELLERS[1])  # Reformas y Climatización Norte S.L., NIF B09123456
CONSUMER = demo.CONSUMERS[0]  # Lucía Fernández Ortega, DNI 71234567W
ANONYMOUS = demo.CONSUMERS[2]  # no NIF: factura simplificada
COMPANY = demo.BUSINESSES[0]  # Interiorismo Castellana S.L., ESB28123453
CONTRACTOR = demo.BUSINESSES[1]  # Construcciones Llobregat S.A., contractor: reverse charge
GERMAN = de.BUSINESSES[0]  # Dachdeckerei Huber GmbH, DE298765435
GOODS = {"sku": "ES-1", "description": "Artículo", "quantity": "3", "unit_price": "12.00", "tax_category": "standard"}
RC_LINES = [
    {**GOODS, "sku": "ES-OBRA", "quantity": "1", "unit_price": "1000.00", "nature": "service", "works_part": "labour"},
    {**GOODS, "sku": "ES-MAT", "quantity": "1", "unit_price": "500.00", "works_part": "materials"},
]
AT = datetime(2027, 1, 5, 9, 30, tzinfo=UTC)  # 10:30 in Madrid (CET, UTC+01:00)
LATER = datetime(2027, 1, 7, 15, 0, tzinfo=UTC)  # 16:00 in Madrid


# --- helpers ------------------------------------------------------------------------------------------------


@cache
def _schema() -> etree.XMLSchema:
    require(XSD)
    parser = etree.XMLParser(no_network=True)
    return etree.XMLSchema(etree.parse(str(XSD), parser))


def xsd_errors(xml: bytes) -> list[str]:
    schema = _schema()
    schema.validate(etree.fromstring(xml, etree.XMLParser(no_network=True)))
    return [e.message for e in schema.error_log]


def xp(xml: bytes, path: str) -> list[str]:
    return [str(v) for v in etree.fromstring(xml).xpath(path, namespaces=NSS)]


def issued(event: dict[str, Any], seller: Any = RETAILER, at: datetime = AT, seq: int = 1) -> Document:
    return drafted(event, seller, day=at.date()).finalize(seq, at, "0" * 64)


def credited(invoice: Document, amount: Decimal | str, seller: Any = RETAILER, at: datetime = LATER) -> Document:
    event = OrderRefunded.model_validate(refund(invoice, amount))
    draft, _ = draft_credit_note(event, invoice, Credited(), seller, MARKETPLACE, at.date())
    return draft.finalize(1, at, "0" * 64)


def valid(doc: Document, previous: Link | None = None) -> bytes:
    xml = build(doc, previous=previous)
    assert xsd_errors(xml) == []
    return xml


def b2b() -> Document:
    return issued(paid(RETAILER, COMPANY, [GOODS], delivery="2027-01-04"))


def simplified() -> Document:
    return issued(paid(RETAILER, ANONYMOUS, [GOODS], delivery="2027-01-04"))


# --- the hash: AEAT "especificaciones huella o hash" v0.1.2 §6 --------------------------------------------


def test_aeat_example_1_first_record() -> None:
    assert (
        huella_registro_alta(
            nif="89890001K",
            number="12345678/G33",
            issue_date="01-01-2024",
            invoice_type="F1",
            cuota_total="12.35",
            importe_total="123.45",
            previous_huella="",
            generated_at="2024-01-01T19:20:30+01:00",
        )
        == "3C464DAF61ACB827C65FDA19F352A4E3BDC2C640E9E9FC4CC058073F38F12F60"
    )


def test_aeat_example_2_chained_record() -> None:
    assert (
        huella_registro_alta(
            nif="89890001K",
            number="12345679/G34",
            issue_date="01-01-2024",
            invoice_type="F1",
            cuota_total="12.35",
            importe_total="123.45",
            previous_huella="3C464DAF61ACB827C65FDA19F352A4E3BDC2C640E9E9FC4CC058073F38F12F60",
            generated_at="2024-01-01T19:20:35+01:00",
        )
        == "F7B94CFD8924EDFF273501B01EE5153E4CE8F259766F88CF6ACB8935802A2B97"
    )


def test_aeat_example_3_cancellation() -> None:
    assert (
        huella_anulacion(
            nif="89890001K",
            number="12345679/G34",
            issue_date="01-01-2024",
            previous_huella="F7B94CFD8924EDFF273501B01EE5153E4CE8F259766F88CF6ACB8935802A2B97",
            generated_at="2024-01-01T19:20:40+01:00",
        )
        == "177547C0D57AC74748561D054A9CEC14B4C4EA23D1BEFD6F2E69E3A388F90C68"
    )


def test_values_are_trimmed() -> None:
    # §3: "<NumSerieFactura> 12345678 / G33 </NumSerieFactura>" is hashed as "12345678 / G33".
    args = dict(nif="89890001K", issue_date="01-01-2024", invoice_type="F1", cuota_total="12.35")
    args |= dict(importe_total="123.45", previous_huella="", generated_at="2024-01-01T19:20:30+01:00")
    assert huella_registro_alta(number=" 12345678 / G33 ", **args) == huella_registro_alta(
        number="12345678 / G33", **args
    )


# Our first record, §3.a written out by hand: B46123451, F-ESFSOL-000001 of 05-01-2027, F1,
# 3 x 12.00 = 36.00 + 21 % = 7.56 VAT, 43.56 in all, no previous huella, 09:30 UTC = 10:30 CET.
OUR_FIRST = (
    "IDEmisorFactura=B46123451&NumSerieFactura=F-ESFSOL-000001&FechaExpedicionFactura=05-01-2027"
    "&TipoFactura=F1&CuotaTotal=7.56&ImporteTotal=43.56&Huella=&FechaHoraHusoGenRegistro=2027-01-05T10:30:00+01:00"
)
OUR_FIRST_HUELLA = "86E2A1A75FE44B83B8C25E68C172DA97F24B3D499417B6009B0D6FC97E65757E"


def test_golden_huella_of_our_record() -> None:
    assert hashlib.sha256(OUR_FIRST.encode()).hexdigest().upper() == OUR_FIRST_HUELLA
    xml = valid(b2b())
    assert xp(xml, "//sf:RegistroAlta/sf:Huella/text()") == [OUR_FIRST_HUELLA]
    assert xp(xml, "//sf:RegistroAlta/sf:FechaHoraHusoGenRegistro/text()") == ["2027-01-05T10:30:00+01:00"]
    assert xp(xml, "//sf:Encadenamiento/sf:PrimerRegistro/text()") == ["S"]


# --- the records -------------------------------------------------------------------------------------------


def test_b2b_invoice() -> None:
    doc = b2b()
    assert doc.legal_channel == "VERI*FACTU"
    xml = valid(doc)
    assert xp(xml, "//sf:ObligadoEmision/sf:NIF/text()") == ["B46123451"]
    assert xp(xml, "//sf:ObligadoEmision/sf:NombreRazon/text()") == ["Ferretería del Sol S.L."]
    assert xp(xml, "//sf:IDFactura/*/text()") == ["B46123451", "F-ESFSOL-000001", "05-01-2027"]
    assert xp(xml, "//sf:TipoFactura/text()") == ["F1"]
    assert xp(xml, "//sf:FechaOperacion/text()") == ["04-01-2027"]
    assert xp(xml, "//sf:IDDestinatario/*/text()") == ["Interiorismo Castellana S.L.", "B28123453"]
    detail = "//sf:DetalleDesglose/*/text()"
    assert xp(xml, detail) == ["01", "01", "S1", "21", "36.00", "7.56"]
    assert xp(xml, "//sf:CuotaTotal/text()") == ["7.56"]
    assert xp(xml, "//sf:ImporteTotal/text()") == ["43.56"]
    assert xp(xml, "//sf:TipoHuella/text()") == ["01"]


def test_the_mandate_is_a_third_party_issuer() -> None:
    # RD 1619/2012 art. 5.1: the marketplace issues in the seller's name; VERI*FACTU: T + Tercero (V§11-12).
    xml = valid(b2b())
    assert xp(xml, "//sf:EmitidaPorTerceroODestinatario/text()") == ["T"]
    assert xp(xml, "//sf:Tercero/sf:NombreRazon/text()") == ["Brico Market SAS"]
    assert xp(xml, "//sf:Tercero/sf:IDOtro/*/text()") == ["FR", "02", "FR44732829320"]
    assert xp(xml, "//sf:Tercero/sf:NIF") == []


def test_consumer_without_nif_gets_a_simplified_record() -> None:
    xml = valid(simplified())
    assert xp(xml, "//sf:TipoFactura/text()") == ["F2"]
    assert xp(xml, "//sf:Destinatarios") == []  # V§13: F2 has no recipients


def test_consumer_with_a_dni_gets_a_full_invoice() -> None:
    xml = valid(issued(paid(RETAILER, CONSUMER, [GOODS], delivery="2027-01-04")))
    assert xp(xml, "//sf:TipoFactura/text()") == ["F1"]
    assert xp(xml, "//sf:IDDestinatario/sf:NIF/text()") == ["71234567W"]


def test_several_rates() -> None:
    lines = [
        GOODS,  # 36.00 at 21 % = 7.56
        {**GOODS, "sku": "ES-OLIVO", "quantity": "2", "unit_price": "34.90", "tax_category": "intermediate"},
        {**GOODS, "sku": "ES-LIBRO", "quantity": "1", "unit_price": "19.90", "tax_category": "super_reduced"},
    ]
    # 69.80 at 10 % = 6.98; 19.90 at 4 % = 0.796 -> 0.80. VAT 15.34, total 125.70 + 15.34 = 141.04.
    xml = valid(issued(paid(RETAILER, COMPANY, lines, delivery="2027-01-04")))
    rows = etree.fromstring(xml).xpath("//sf:DetalleDesglose", namespaces=NSS)
    got = {(r.findtext(f"{{{SF}}}TipoImpositivo"), r.findtext(f"{{{SF}}}BaseImponibleOimporteNoSujeto"),
            r.findtext(f"{{{SF}}}CuotaRepercutida")) for r in rows}  # fmt: skip
    assert got == {("21", "36.00", "7.56"), ("10", "69.80", "6.98"), ("4", "19.90", "0.80")}
    assert xp(xml, "//sf:CuotaTotal/text()") == ["15.34"]
    assert xp(xml, "//sf:ImporteTotal/text()") == ["141.04"]


def test_construction_reverse_charge_is_s2() -> None:
    # LIVA art. 84.Uno.2º.f; V§15.4: S2 with TipoImpositivo 0 and CuotaRepercutida 0.
    xml = valid(issued(paid(INSTALLER, CONTRACTOR, RC_LINES, delivery="2027-01-04"), INSTALLER))
    assert xp(xml, "//sf:DetalleDesglose/*/text()") == ["01", "01", "S2", "0", "1500.00", "0.00"]
    assert xp(xml, "//sf:ImporteTotal/text()") == ["1500.00"]


def test_intra_eu_supply_of_goods_is_exempt_e5() -> None:
    xml = valid(issued(paid(RETAILER, GERMAN, [GOODS], delivery="2027-01-04")))
    assert xp(xml, "//sf:DetalleDesglose/*/text()") == ["01", "01", "E5", "36.00"]
    assert xp(xml, "//sf:IDDestinatario/sf:IDOtro/*/text()") == ["DE", "02", "DE298765435"]


def test_service_to_a_business_elsewhere_is_not_located_in_spain() -> None:
    # LIVA art. 69.Uno.1º: located where the business buyer is; N2 carries no rate nor cuota (V§15.4).
    service = {**GOODS, "sku": "SVC", "nature": "service", "quantity": "1", "unit_price": "100.00"}
    xml = valid(issued(paid(RETAILER, GERMAN, [service], delivery="2027-01-04")))
    assert xp(xml, "//sf:DetalleDesglose/*/text()") == ["01", "01", "N2", "100.00"]


def test_export_is_exempt_e2_under_regime_02() -> None:
    # LIVA art. 21; V§15.6.1: ClaveRegimen 02 carries only OperacionExenta. A consumer without NIF: F2.
    xml = valid(issued(paid(RETAILER, ABROAD["CH"], [GOODS], delivery="2027-01-04")))
    assert xp(xml, "//sf:DetalleDesglose/*/text()") == ["01", "02", "E2", "36.00"]
    assert xp(xml, "//sf:TipoFactura/text()") == ["F2"]


def test_credit_note_is_r1_by_differences() -> None:
    # LIVA art. 80.Dos (refund of the operation): R1; TipoRectificativa I, the amounts are the change.
    invoice = b2b()
    note = credited(invoice, "43.56")
    xml = valid(note)
    assert xp(xml, "//sf:IDFactura/*/text()") == ["B46123451", "R-ESFSOL-000001", "07-01-2027"]
    assert xp(xml, "//sf:TipoFactura/text()") == ["R1"]
    assert xp(xml, "//sf:TipoRectificativa/text()") == ["I"]
    assert xp(xml, "//sf:IDFacturaRectificada/*/text()") == ["B46123451", "F-ESFSOL-000001", "05-01-2027"]
    assert xp(xml, "//sf:ImporteRectificacion") == []  # V§6: only for TipoRectificativa S
    assert xp(xml, "//sf:DetalleDesglose/*/text()") == ["01", "01", "S1", "21", "-36.00", "-7.56"]
    assert xp(xml, "//sf:CuotaTotal/text()") == ["-7.56"]
    assert xp(xml, "//sf:ImporteTotal/text()") == ["-43.56"]
    assert xp(xml, "//sf:FechaHoraHusoGenRegistro/text()") == ["2027-01-07T16:00:00+01:00"]


def test_credit_note_of_a_simplified_invoice_is_r5() -> None:
    xml = valid(credited(simplified(), "43.56"))
    assert xp(xml, "//sf:TipoFactura/text()") == ["R5"]
    assert xp(xml, "//sf:Destinatarios") == []


def test_the_chain() -> None:
    first = b2b()
    first_xml = valid(first)
    link = link_of(first, first_xml)
    assert link == Link("B46123451", "F-ESFSOL-000001", date(2027, 1, 5), OUR_FIRST_HUELLA)
    note = credited(first, "43.56")
    second = valid(note, previous=link)
    assert xp(second, "//sf:RegistroAnterior/*/text()") == [
        "B46123451", "F-ESFSOL-000001", "05-01-2027", OUR_FIRST_HUELLA,
    ]  # fmt: skip
    assert xp(second, "//sf:PrimerRegistro") == []
    # §3.a by hand for the second record: the credit note chained after the invoice.
    text = (
        "IDEmisorFactura=B46123451&NumSerieFactura=R-ESFSOL-000001&FechaExpedicionFactura=07-01-2027"
        f"&TipoFactura=R1&CuotaTotal=-7.56&ImporteTotal=-43.56&Huella={OUR_FIRST_HUELLA}"
        "&FechaHoraHusoGenRegistro=2027-01-07T16:00:00+01:00"
    )
    assert xp(second, "//sf:RegistroAlta/sf:Huella/text()") == [hashlib.sha256(text.encode()).hexdigest().upper()]


def test_same_record_same_bytes() -> None:
    doc = b2b()
    assert build(doc, previous=None) == build(doc, previous=None)
    assert build(doc, previous=None) == build(doc.model_copy(deep=True), previous=None)


def test_cancellation_record() -> None:
    doc = b2b()
    link = link_of(doc, valid(doc))
    xml = build_cancellation(doc, previous=link, generated=LATER)
    assert xsd_errors(xml) == []
    assert xp(xml, "//sf:RegistroAnulacion/sf:IDFactura/*/text()") == ["B46123451", "F-ESFSOL-000001", "05-01-2027"]
    text = (
        "IDEmisorFacturaAnulada=B46123451&NumSerieFacturaAnulada=F-ESFSOL-000001"
        f"&FechaExpedicionFacturaAnulada=05-01-2027&Huella={OUR_FIRST_HUELLA}"
        "&FechaHoraHusoGenRegistro=2027-01-07T16:00:00+01:00"
    )
    expected = hashlib.sha256(text.encode()).hexdigest().upper()
    assert xp(xml, "//sf:RegistroAnulacion/sf:Huella/text()") == [expected]
    first = build_cancellation(doc, previous=None, generated=LATER)
    assert xsd_errors(first) == []
    assert xp(first, "//sf:PrimerRegistro/text()") == ["S"]


def test_the_validator_fires() -> None:
    xml = valid(b2b())
    broken = xml.replace(b"<sf:TipoFactura>F1</sf:TipoFactura>", b"<sf:TipoFactura>F9</sf:TipoFactura>")
    assert broken != xml
    errors = xsd_errors(broken)
    assert len(errors) == 1
    assert "TipoFactura" in errors[0]


# --- QR: AEAT "especificaciones código QR" v0.4.7 ---------------------------------------------------------


def test_qr_url_of_our_invoice() -> None:
    assert qr_url(b2b()) == (
        "https://www2.agenciatributaria.gob.es/wlpl/TIKE-CONT/ValidarQR"
        "?nif=B46123451&numserie=F-ESFSOL-000001&fecha=05-01-2027&importe=43.56"
    )
    assert LEGEND == "VERI*FACTU"


def test_qr_url_encoding_of_the_spec_example() -> None:
    # §4: numserie "12345678&G33" on the test portal is sent as 12345678%26G33.
    test_portal = "https://prewww2.aeat.es/wlpl/TIKE-CONT/ValidarQR"
    url = qr_url_of("89890001K", "12345678&G33", date(2024, 1, 1), "241.4", base=test_portal)
    assert url == test_portal + "?nif=89890001K&numserie=12345678%26G33&fecha=01-01-2024&importe=241.4"


# --- when: the ES pack's legal channel -----------------------------------------------------------------------


def test_verifactu_from_2027_or_from_the_sellers_voluntary_start() -> None:
    event = paid(RETAILER, COMPANY, [GOODS], delivery="2026-11-30")
    december = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    assert issued(event, RETAILER, december).legal_channel is None  # RDL 15/2025: companies from 2027-01-01
    early = seller_from({**demo.SELLERS[0], "verifactu_since": "2026-12-01"})
    assert issued(event, early, december).legal_channel == "VERI*FACTU"
    assert issued(event, early, datetime(2026, 11, 30, 9, 0, tzinfo=UTC)).legal_channel is None
    late = seller_from({**demo.SELLERS[0], "verifactu_since": "2027-03-01"})
    assert issued(event, late, AT).legal_channel == "VERI*FACTU"  # the law's date still applies


# --- refusals ----------------------------------------------------------------------------------------------


def test_a_dollar_invoice_is_refused() -> None:
    doc = b2b().model_copy(update={"currency": "USD"})
    with pytest.raises(Rejected) as exc:
        build(doc, previous=None)
    assert exc.value.code == "verifactu_currency"


def test_a_non_spanish_document_is_refused() -> None:
    doc = b2b().model_copy(update={"country": "FR"})
    with pytest.raises(Rejected) as exc:
        build(doc, previous=None)
    assert exc.value.code == "verifactu_not_spanish"


def test_an_oss_distance_sale_is_regime_17_not_located_in_spain() -> None:
    """A distance sale above the EUR 10,000 threshold to a French consumer: French VAT through the OSS (the
    Spanish rules' record), so no Spanish VAT is recorded. 3 x 12.00 = 36.00 net, French 20 % = 7.20, paid
    43.20: one DetalleDesglose of regime 17 (OSS, list L8A), N2, amount not subject 43.20; CuotaTotal 0.00,
    ImporteTotal 43.20 (V§17: the sum of the Desglose)."""
    oss = {"country": "ES", "since": "2021-07-01"}
    above = seller_from(
        {**demo.SELLERS[0], "oss": oss, "distance_sales": {"year": 2027, "previous_year": "12000", "current_year": "0"}}
    )
    strasbourg = {"line1": "3 rue Victor Hugo", "postcode": "67000", "city": "Strasbourg", "country": "FR"}
    french = {"kind": "consumer", "name": "Claire Martin", "address": strasbourg}
    doc = issued(paid(above, french, [GOODS], delivery="2027-01-04"), above)
    assert (doc.taxed_in, doc.scheme) == ("FR", "oss")
    xml = valid(doc)
    assert xp(xml, "//sf:DetalleDesglose/sf:ClaveRegimen/text()") == ["17"]
    assert xp(xml, "//sf:DetalleDesglose/sf:CalificacionOperacion/text()") == ["N2"]
    assert xp(xml, "//sf:DetalleDesglose/sf:BaseImponibleOimporteNoSujeto/text()") == ["43.20"]
    assert xp(xml, "//sf:DetalleDesglose/sf:CuotaRepercutida") == []
    assert xp(xml, "//sf:RegistroAlta/sf:CuotaTotal/text()") == ["0.00"]
    assert xp(xml, "//sf:RegistroAlta/sf:ImporteTotal/text()") == ["43.20"]
