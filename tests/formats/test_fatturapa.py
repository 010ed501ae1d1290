"""FatturaPA FPR12 (versione 1.2.2): documents issued by the real Italian rules, validated against the
official XSD of ``../shared/validation/it-fatturapa-1.2.2/`` and the SdI's arithmetic, which has no
offline artefact and is checked here by hand:

* PrezzoTotale = (PrezzoUnitario - per-unit discounts) x Quantita (SdI check 00423);
* per AliquotaIVA / Natura, the lines' PrezzoTotale add up to the summaries' ImponibileImporto (00422);
* Imposta = ImponibileImporto x AliquotaIVA, rounded to the cent (00421);
* the DatiRiepilogo's ImponibileImporto + Imposta add up to ImportoTotaleDocumento (not an SdI control:
  the spec defines it as the total including the tax the buyer owes), plus, for an N7 summary of a
  Union OSS sale, the other state's VAT its RiferimentoNormativo states ("IVA DE 19% EUR 6.84 ..."),
  itself checked as ImponibileImporto x that rate.

The XSD imports xmldsig without a location: it is pointed at a W3C URL that a local lxml resolver maps
to ``es-verifactu-1.0/xmldsig-core-schema.xsd``; the parser never uses the network.

Expected values are written by hand from the record and the spec (Specifiche tecniche v1.3.2).
"""

from __future__ import annotations

import re
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from typing import Any

import pytest
from lxml import etree

from mandat.demo.markets import de
from mandat.demo.markets.it import BUSINESSES, CONSUMERS, SELLERS
from mandat.demo.markets.scenarios import ABROAD
from mandat.domain.documents import DeemedSupply, Document
from mandat.domain.exchange import Rate
from mandat.domain.refusals import Rejected
from mandat.render.formats.fatturapa import build, file_name, progressivo_invio
from tests.markets import credit, fixed_rates, issue, paid, refund, seller_from
from tests.official import VALIDATION, require

D = Decimal
FPA = VALIDATION / "it-fatturapa-1.2.2"
XSD = FPA / "Schema_del_file_xml_FatturaPA_v1.2.2.xsd"
XMLDSIG = VALIDATION / "es-verifactu-1.0" / "xmldsig-core-schema.xsd"
XMLDSIG_URL = "http://www.w3.org/TR/2002/REC-xmldsig-core-20020212/xmldsig-core-schema.xsd"
XS = "{http://www.w3.org/2001/XMLSchema}"

SHOP = seller_from(SELLERS[0])  # Brico Navigli S.r.l., Milano, IT01234560157, REA MI-2034567, socio unico
INSTALLER = seller_from(SELLERS[1])  # Termoidraulica Tiberina S.r.l., Roma, IT09876540585
FLAT = seller_from({**SELLERS[0], "vat_regime": "franchise"})
CONSUMER = CONSUMERS[0]  # Mario Rossi, codice fiscale RSSMRA85T10A562S
COMPANY = BUSINESSES[0]  # Edilizia Verdi S.p.A., IT05671230158
GERMAN = de.BUSINESSES[0]  # Dachdeckerei Huber GmbH, DE298765435
SWISS = ABROAD["CH"]  # Luca Meier, consumer in Zürich
GERMAN_CONSUMER = de.CONSUMERS[0]  # Lena Hoffmann
# Above the EUR 10,000 threshold of intra-EU distance sales (DL 331/1993 art. 41 c.1 lett. b as amended by
# D.Lgs. 83/2021; Directive 2006/112/EC art. 59c) and registered for the Union OSS in Italy.
OSS_SHOP = seller_from(
    {
        **SELLERS[0],
        "oss": {"country": "IT", "since": "2021-07-01"},
        "distance_sales": {"year": 2026, "previous_year": "12000", "current_year": "0"},
    }
)
GOODS = {"sku": "SKU-1", "description": "Articolo", "quantity": "3", "unit_price": "12.00", "tax_category": "standard"}
SERVICE = {"sku": "SVC", "description": "Consulenza", "quantity": "1", "unit_price": "100.00", "nature": "service"}
WORKS = {
    "property_address": {"line1": "Via Appia Nuova 301", "postcode": "00183", "city": "Roma", "country": "IT"},
    "dwelling": True,
    "private_use": "main",
    "installed_by_seller": True,
}
INSTALL = {
    "sku": "CLIMA",
    "description": "Installazione climatizzatore",
    "quantity": "1",
    "unit_price": "500.00",
    "nature": "service",
    "works_part": "labour",
    "tax_category": "standard",
}


# --- helpers ----------------------------------------------------------------------------------------------


class _LocalXmldsig(etree.Resolver):  # type: ignore[misc]
    def resolve(self, url: str | None, pubid: str | None, context: Any) -> Any:
        if url == XMLDSIG_URL:
            return self.resolve_filename(str(XMLDSIG), context)
        return None


@cache
def _schema() -> etree.XMLSchema:
    require(XSD)
    require(XMLDSIG)
    parser = etree.XMLParser(no_network=True)
    parser.resolvers.add(_LocalXmldsig())
    tree = etree.parse(str(XSD), parser)
    for imp in tree.getroot().iter(f"{XS}import"):
        if imp.get("namespace") == "http://www.w3.org/2000/09/xmldsig#":
            imp.set("schemaLocation", XMLDSIG_URL)
    return etree.XMLSchema(tree)


def xsd_errors(xml: bytes) -> list[str]:
    schema = _schema()
    schema.validate(etree.fromstring(xml, etree.XMLParser(no_network=True)))
    return [e.message for e in schema.error_log]


def xp(xml: bytes, path: str) -> list[str]:
    return [str(v) for v in etree.fromstring(xml).xpath(path)]


_OSS_VAT = re.compile(
    r"IVA [A-Z]{2} ([0-9.]+)% [A-Z]{3} ([0-9]+\.[0-9]{2}) assolta tramite OSS, art\. 74-sexies DPR 633/72"
)


def _d(el: etree._Element, tag: str) -> Decimal:
    return D(el.findtext(tag) or "0")


def sdi_arithmetic(xml: bytes) -> list[str]:
    """The SdI's sums, computed independently of the builder; [] when they all hold to the cent."""
    cent = D("0.01")
    root = etree.fromstring(xml)
    problems: list[str] = []
    body = root.find("FatturaElettronicaBody")
    assert body is not None
    per_group: dict[tuple[str, str], Decimal] = {}
    for line in body.iter("DettaglioLinee"):
        discount = sum(
            (_d(s, "Importo") * (1 if s.findtext("Tipo") == "SC" else -1) for s in line.findall("ScontoMaggiorazione")),
            D(0),
        )
        expected = ((_d(line, "PrezzoUnitario") - discount) * _d(line, "Quantita")).quantize(cent, ROUND_HALF_UP)
        if expected != _d(line, "PrezzoTotale"):
            problems.append(f"line {line.findtext('NumeroLinea')}: {expected} != {line.findtext('PrezzoTotale')}")
        key = (line.findtext("AliquotaIVA") or "", line.findtext("Natura") or "")
        per_group[key] = per_group.get(key, D(0)) + _d(line, "PrezzoTotale")
    total = D(0)
    summaries = body.findall("DatiBeniServizi/DatiRiepilogo")
    per_summary: dict[tuple[str, str], Decimal] = {}
    for s in summaries:
        key = (s.findtext("AliquotaIVA") or "", s.findtext("Natura") or "")
        base, tax = _d(s, "ImponibileImporto"), _d(s, "Imposta")
        per_summary[key] = per_summary.get(key, D(0)) + base
        if (base * D(key[0]) / 100).quantize(cent, ROUND_HALF_UP) != tax:
            problems.append(f"summary {key}: Imposta {tax} != {base} x {key[0]} %")
        total += base + tax
        if key[1] == "N7":
            foreign = _OSS_VAT.fullmatch(s.findtext("RiferimentoNormativo") or "")
            if foreign is None:
                problems.append(f"summary {key}: no other state's VAT in {s.findtext('RiferimentoNormativo')!r}")
                continue
            vat = D(foreign.group(2))
            if (base * D(foreign.group(1)) / 100).quantize(cent, ROUND_HALF_UP) != vat:
                problems.append(f"summary {key}: foreign VAT {vat} != {base} x {foreign.group(1)} %")
            total += vat
    for key, base in per_summary.items():
        if per_group.get(key) != base:
            problems.append(f"summary {key}: lines {per_group.get(key)} != ImponibileImporto {base}")
    if set(per_group) != {(s.findtext("AliquotaIVA"), s.findtext("Natura") or "") for s in summaries}:
        problems.append(f"line groups {sorted(per_group)} without their summary")
    declared = body.findtext("DatiGenerali/DatiGeneraliDocumento/ImportoTotaleDocumento")
    if declared is None or total != D(declared):
        problems.append(f"ImportoTotaleDocumento {declared} != {total}")
    return problems


def valid(doc: Document) -> bytes:
    xml = build(doc)
    assert xsd_errors(xml) == []
    assert sdi_arithmetic(xml) == []
    return xml


# --- the documents ----------------------------------------------------------------------------------------


def b2b() -> Document:
    return issue(paid(SHOP, COMPANY, [GOODS]), SHOP)


def b2c() -> Document:
    return issue(paid(SHOP, CONSUMER, [GOODS]), SHOP)


def intra_eu_goods() -> Document:
    return issue(paid(SHOP, GERMAN, [GOODS]), SHOP)


def eu_service() -> Document:
    return issue(paid(SHOP, GERMAN, [SERVICE]), SHOP)


def export() -> Document:
    return issue(paid(SHOP, SWISS, [GOODS]), SHOP)


def domestic_reverse_charge() -> Document:
    return issue(paid(INSTALLER, BUSINESSES[1], [INSTALL], works=WORKS), INSTALLER)


def forfettario() -> Document:
    return issue(paid(FLAT, CONSUMERS[1], [{**GOODS, "quantity": "1", "unit_price": "100.00"}]), FLAT)


def several_rates() -> Document:
    lines = [
        GOODS,
        {**GOODS, "sku": "OLIVO", "quantity": "2", "unit_price": "39.00", "tax_category": "intermediate"},
        {**GOODS, "sku": "LIBRO", "quantity": "1", "unit_price": "19.90", "tax_category": "super_reduced"},
    ]
    return issue(paid(SHOP, COMPANY, lines), SHOP)


def oss_sale() -> Document:
    book = {
        "sku": "BUCH",
        "description": "Manuale",
        "quantity": "1",
        "unit_price": "20.00",
        "tax_category": "super_reduced",
        "destination_tax_category": "reduced",
    }
    return issue(paid(OSS_SHOP, GERMAN_CONSUMER, [GOODS, book]), OSS_SHOP)


def in_dollars() -> Document:
    rates = fixed_rates(Rate("ECB", "EUR", "USD", D("1.0500"), date(2026, 11, 18)))
    return issue(paid(SHOP, CONSUMER, [GOODS], currency="USD"), SHOP, rates=rates)


def credit_of(make: Any, amount: str, seller: Any = SHOP) -> Document:
    inv = make()
    return credit(inv, refund(inv, amount), seller)


DOCUMENTS = {
    "B2B domestic": b2b,
    "B2C domestic": b2c,
    "B2B intra-EU goods (K)": intra_eu_goods,
    "B2B EU service (AE)": eu_service,
    "B2C export (G)": export,
    "B2B domestic reverse charge (AE a-ter)": domestic_reverse_charge,
    "B2C regime forfettario (E)": forfettario,
    "B2B three rates": several_rates,
    "B2C in USD": in_dollars,
    "B2C OSS distance sale to Germany (N7)": oss_sale,
    "credit note B2B": lambda: credit_of(b2b, "43.92"),
    "credit note B2C": lambda: credit_of(b2c, "43.92"),
    "credit note intra-EU (K)": lambda: credit_of(intra_eu_goods, "36.00"),
    "credit note reverse charge": lambda: credit_of(domestic_reverse_charge, "500.00", INSTALLER),
    "credit note export": lambda: credit_of(export, "36.00"),
    "credit note OSS (N7)": lambda: credit_of(oss_sale, "64.24", OSS_SHOP),
}


@pytest.mark.parametrize("make", DOCUMENTS.values(), ids=DOCUMENTS.keys())
def test_every_document_passes_the_xsd_and_the_sdi_arithmetic(make: Any) -> None:
    doc = make()
    xml = valid(doc)
    assert build(doc) == xml  # same record, same bytes
    assert xp(xml, "/*/@versione") == ["FPR12"]
    assert xp(xml, "//FormatoTrasmissione/text()") == ["FPR12"]


# --- the official examples and a broken document ------------------------------------------------------------


@pytest.mark.parametrize("name", ["IT01234567890_FPR01.xml", "IT01234567890_FPR03.xml"])
def test_official_examples_validate(name: str) -> None:
    require(FPA / "examples" / name)
    assert xsd_errors((FPA / "examples" / name).read_bytes()) == []


def test_the_official_example_out_of_1_2_2_order_is_rejected() -> None:
    # README: IT01234567890_FPR02.xml puts ContattiTrasmittente after CodiceDestinatario's sibling PECDestinatario.
    path = FPA / "examples" / "IT01234567890_FPR02.xml"
    require(path)
    assert xsd_errors(path.read_bytes()) == ["Element 'ContattiTrasmittente': This element is not expected."]


def test_a_broken_document_is_rejected_by_the_xsd() -> None:
    xml = build(b2b())
    root = etree.fromstring(xml)
    summary = root.find("FatturaElettronicaBody/DatiBeniServizi/DatiRiepilogo")
    assert summary is not None
    base = summary.find("ImponibileImporto")
    assert base is not None
    summary.remove(base)
    rate = root.find("FatturaElettronicaBody/DatiBeniServizi/DettaglioLinee/AliquotaIVA")
    assert rate is not None
    rate.text = "22"  # RateType wants two decimals
    assert xsd_errors(etree.tostring(root)) == [
        "Element 'AliquotaIVA': [facet 'pattern'] The value '22' is not accepted by the pattern "
        "'[0-9]{1,3}\\.[0-9]{2}'.",
        "Element 'Imposta': This element is not expected. Expected is one of ( Natura, SpeseAccessorie, "
        "Arrotondamento, ImponibileImporto ).",
    ]


def test_the_arithmetic_check_catches_a_wrong_line_total() -> None:
    xml = build(b2b()).replace(b"<PrezzoTotale>36.00</PrezzoTotale>", b"<PrezzoTotale>36.01</PrezzoTotale>")
    assert sdi_arithmetic(xml) == [
        "line 1: 36.00 != 36.01",
        "summary ('22.00', ''): lines 36.01 != ImponibileImporto 36.00",
    ]


# --- golden: the mandate ------------------------------------------------------------------------------------


def test_the_marketplace_issues_as_third_party_tz_and_transmits() -> None:
    xml = valid(b2b())
    header = "/*/FatturaElettronicaHeader"
    # Block 1.5: Brico Market SAS, FR44732829320; block 1.6: TZ (soggetto terzo), never CC (self-billing).
    assert xp(xml, f"{header}/TerzoIntermediarioOSoggettoEmittente/DatiAnagrafici/IdFiscaleIVA/IdPaese/text()") == [
        "FR"
    ]
    assert xp(xml, f"{header}/TerzoIntermediarioOSoggettoEmittente/DatiAnagrafici/IdFiscaleIVA/IdCodice/text()") == [
        "44732829320"
    ]
    assert xp(xml, f"{header}/TerzoIntermediarioOSoggettoEmittente//Denominazione/text()") == ["Brico Market SAS"]
    assert xp(xml, f"{header}/SoggettoEmittente/text()") == ["TZ"]
    assert xp(xml, f"{header}/DatiTrasmissione/IdTrasmittente/*/text()") == ["FR", "44732829320"]
    # The seller stays the supplier (1.2), the buyer the customer (1.4).
    assert xp(xml, f"{header}/CedentePrestatore/DatiAnagrafici/IdFiscaleIVA/*/text()") == ["IT", "01234560157"]
    assert xp(xml, f"{header}/CedentePrestatore/DatiAnagrafici/CodiceFiscale/text()") == ["01234560157"]
    assert xp(xml, f"{header}/CedentePrestatore//Denominazione/text()") == ["Brico Navigli S.r.l."]
    assert xp(xml, f"{header}/CedentePrestatore/DatiAnagrafici/RegimeFiscale/text()") == ["RF01"]
    assert xp(xml, f"{header}/CedentePrestatore/IscrizioneREA/*/text()") == ["MI", "2034567", "50000.00", "SU", "LN"]
    assert xp(xml, f"{header}/CessionarioCommittente/DatiAnagrafici/IdFiscaleIVA/*/text()") == ["IT", "05671230158"]
    assert xp(xml, f"{header}/DatiTrasmissione/CodiceDestinatario/text()") == ["0000000"]
    causale = xp(xml, "//Causale/text()")
    assert causale[0] == (
        "Fattura compilata ed emessa per conto del cedente/prestatore Brico Navigli S.r.l. da un terzo, "
        "Brico Market SAS (art. 21, comma 2, lett. n), DPR 633/1972)."
    )


def test_consumer_by_codice_fiscale_and_payment_by_card() -> None:
    xml = valid(b2c())
    assert xp(xml, "//CessionarioCommittente/DatiAnagrafici/CodiceFiscale/text()") == ["RSSMRA85T10A562S"]
    assert xp(xml, "//CessionarioCommittente/DatiAnagrafici/IdFiscaleIVA") == []
    assert xp(xml, "//CodiceDestinatario/text()") == ["0000000"]
    # 36.00 + 22 % = 43.92, paid in full by card at the order.
    assert xp(xml, "//ImportoTotaleDocumento/text()") == ["43.92"]
    assert xp(xml, "//DatiPagamento/CondizioniPagamento/text()") == ["TP02"]
    assert xp(xml, "//DettaglioPagamento/*/text()") == ["MP08", "2026-11-18", "43.92"]


# --- golden: the credit note --------------------------------------------------------------------------------


def test_credit_note_is_td04_naming_its_invoice() -> None:
    xml = valid(credit_of(b2b, "43.92"))
    assert xp(xml, "//TipoDocumento/text()") == ["TD04"]
    assert xp(xml, "//DatiGeneraliDocumento/Numero/text()") == ["NC-ITBRICO-000001"]
    assert xp(xml, "//DatiFattureCollegate/IdDocumento/text()") == ["FT-ITBRICO-000001"]
    assert xp(xml, "//DatiFattureCollegate/Data/text()") == ["2026-11-20"]
    # Amounts positive on a TD04: 36.00 + 7.92 = 43.92 credited.
    assert xp(xml, "//DatiRiepilogo/*/text()") == ["22.00", "36.00", "7.92", "I"]
    assert xp(xml, "//ImportoTotaleDocumento/text()") == ["43.92"]
    assert xp(xml, "//DatiPagamento") == []
    assert xp(xml, "//SoggettoEmittente/text()") == ["TZ"]
    assert xp(xml, "//Causale/text()")[0].startswith("Nota di credito compilata ed emessa per conto del cedente")


def test_an_invoice_has_no_linked_invoice() -> None:
    xml = valid(b2b())
    assert xp(xml, "//TipoDocumento/text()") == ["TD01"]
    assert xp(xml, "//DatiFattureCollegate") == []


# --- golden: Natura codes -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("make", "natura", "destinatario"),
    [
        (intra_eu_goods, "N3.2", "XXXXXXX"),  # DL 331/1993 art. 41: non imponibile, cessione intracomunitaria
        (eu_service, "N2.1", "XXXXXXX"),  # DPR 633/1972 art. 7-ter: non soggetta
        (export, "N3.1", "XXXXXXX"),  # DPR 633/1972 art. 8: esportazione
        (domestic_reverse_charge, "N6.7", "0000000"),  # art. 17 c.6 lett. a-ter: comparto edile
        (forfettario, "N2.2", "0000000"),  # L. 190/2014: non soggetta, altri casi
    ],
    ids=["K", "AE-EU", "G", "AE-a-ter", "E-forfettario"],
)
def test_natura_of_lines_without_vat(make: Any, natura: str, destinatario: str) -> None:
    xml = valid(make())
    assert xp(xml, "//DettaglioLinee/Natura/text()") == [natura]
    assert xp(xml, "//DettaglioLinee/AliquotaIVA/text()") == ["0.00"]
    assert xp(xml, "//DatiRiepilogo/Natura/text()") == [natura]
    assert xp(xml, "//DatiRiepilogo/Imposta/text()") == ["0.00"]
    assert xp(xml, "//DatiRiepilogo/EsigibilitaIVA") == []
    assert len(xp(xml, "//DatiRiepilogo/RiferimentoNormativo/text()")[0]) <= 100
    assert xp(xml, "//CodiceDestinatario/text()") == [destinatario]


def test_foreign_buyers() -> None:
    xml = valid(intra_eu_goods())
    assert xp(xml, "//CessionarioCommittente/DatiAnagrafici/IdFiscaleIVA/*/text()") == ["DE", "298765435"]
    assert xp(xml, "//CessionarioCommittente/Sede/*/text()") == [
        "Haunstetter Straße 19",
        "86161",
        "Augsburg",
        "DE",
    ]
    assert xp(xml, "//RiferimentoNormativo/text()") == [
        "Operazione non imponibile, art. 41, comma 1, lett. a), D.L. 331/1993"
    ]
    swiss = valid(export())
    # A consumer abroad: its country and the placeholder the AdE FAQ accepts; a four-digit postcode is not a CAP.
    assert xp(swiss, "//CessionarioCommittente/DatiAnagrafici/IdFiscaleIVA/*/text()") == ["CH", "99999999999"]
    assert xp(swiss, "//CessionarioCommittente/Sede/CAP/text()") == ["00000"]
    assert xp(swiss, "//CessionarioCommittente/DatiAnagrafici/CodiceFiscale") == []


def test_forfettario_regime_and_virtual_stamp_duty() -> None:
    xml = valid(forfettario())
    assert xp(xml, "//CedentePrestatore/DatiAnagrafici/RegimeFiscale/text()") == ["RF19"]
    # 100.00 without VAT > 77.47: 2.00 EUR stamp duty paid virtually (DM 17-06-2014 art. 6).
    assert xp(xml, "//DatiBollo/*/text()") == ["SI", "2.00"]
    assert xp(xml, "//ImportoTotaleDocumento/text()") == ["100.00"]
    assert not any("Copia di cortesia" in c for c in xp(xml, "//Causale/text()"))
    assert all("\u2013" not in c and "\u20ac" not in c for c in xp(xml, "//Causale/text()"))


def test_three_rates_three_summaries() -> None:
    # 22 %: 3 x 12.00 = 36.00 -> 7.92; 10 %: 2 x 39.00 = 78.00 -> 7.80; 4 %: 19.90 -> 0.796 -> 0.80
    # total 133.90 + 16.52 = 150.42
    xml = valid(several_rates())
    rows = [
        xp(xml, f"//DatiRiepilogo[{i}]/*[self::AliquotaIVA or self::ImponibileImporto or self::Imposta]/text()")
        for i in (1, 2, 3)
    ]
    assert sorted(rows) == sorted([["22.00", "36.00", "7.92"], ["10.00", "78.00", "7.80"], ["4.00", "19.90", "0.80"]])
    assert xp(xml, "//ImportoTotaleDocumento/text()") == ["150.42"]


# --- golden: currency ---------------------------------------------------------------------------------------


def test_document_in_dollars_states_its_vat_in_euro() -> None:
    # 36.00 USD at 22 % -> 7.92 USD; ECB 1 EUR = 1.0500 USD: 7.92 / 1.05 = 7.5428 -> 7.54 EUR;
    # the rate as EUR per USD: 1 / 1.05 = 0.952380952... -> 0.95238095 (eight decimals).
    xml = valid(in_dollars())
    assert xp(xml, "//Divisa/text()") == ["USD"]
    assert xp(xml, "//ImportoTotaleDocumento/text()") == ["43.92"]
    first = "//DettaglioLinee[NumeroLinea='1']/AltriDatiGestionali"
    assert xp(xml, f"{first}[TipoDato='CAMBIO']/RiferimentoNumero/text()") == ["0.95238095"]
    assert xp(xml, f"{first}[TipoDato='CAMBIO']/RiferimentoData/text()") == ["2026-11-18"]
    assert xp(xml, f"{first}[TipoDato='IVAEUR']/RiferimentoNumero/text()") == ["7.54"]
    assert xp(xml, f"{first}[TipoDato='IVAEUR']/RiferimentoTesto/text()") == ["IVA in EUR, aliquota 22.00"]


def test_foreign_currency_without_euro_vat_is_refused() -> None:
    doc = b2c().model_copy(update={"currency": "USD", "exchange": None})
    with pytest.raises(Rejected) as exc:
        build(doc)
    assert exc.value.code == "fatturapa_euro_vat_missing"
    assert "art. 21 c.2 lett. l" in exc.value.reason


# --- refusals and text ------------------------------------------------------------------------------------


def test_out_of_scope_records_are_refused() -> None:
    doc, consumer = b2b(), b2c()
    no_vat_id = doc.seller.model_copy(update={"vat_id": None})
    cases = {
        "fatturapa_not_italian_seller": doc.model_copy(update={"country": "FR"}),
        "fatturapa_foreign_vat": doc.model_copy(update={"taxed_in": "DE", "scheme": "ioss"}),
        "fatturapa_seller_vat_missing": doc.model_copy(update={"seller": no_vat_id}),
        "fatturapa_buyer_id_missing": consumer.model_copy(
            update={"buyer": consumer.buyer.model_copy(update={"ids": []})}
        ),
    }  # fmt: skip
    for code, record in cases.items():
        with pytest.raises(Rejected) as exc:
            build(record)
        assert exc.value.code == code
    deemed = DeemedSupply(
        seller_id="x", seller_name="X", seller_country="CN", case="eu_import", value=D("36.00"), basis="art. 14a(1)"
    )
    with pytest.raises(Rejected) as exc:
        build(doc.model_copy(update={"deemed_supply": deemed}))
    assert exc.value.code == "fatturapa_deemed_supplier"


def test_natura_is_never_guessed() -> None:
    # A domestic reverse charge other than art. 17 c.6 lett. a-ter, and a zero rate Italy does not have.
    rc = domestic_reverse_charge()
    other = rc.vat_breakdown[0].model_copy(
        update={"exemption_reason": "Inversione contabile - art. 17, comma 6, lett. a)"}
    )
    zero = b2b()
    zero_line = zero.lines[0].model_copy(update={"vat_category": "Z", "vat_rate": D("0")})
    for record in (
        rc.model_copy(update={"vat_breakdown": [other]}),
        zero.model_copy(update={"lines": [zero_line]}),
    ):
        with pytest.raises(Rejected) as exc:
            build(record)
        assert exc.value.code == "fatturapa_natura_unknown"


def test_names_are_spelled_in_latin_1_or_refused() -> None:
    doc = b2b()
    czech = doc.model_copy(update={"buyer": doc.buyer.model_copy(update={"name": "Dvořák s.r.o."})})
    assert xp(valid(czech), "//CessionarioCommittente//Denominazione/text()") == [
        "Dvorák s.r.o."
    ]  # ř has no Latin-1 form, á has
    control = doc.model_copy(update={"buyer": doc.buyer.model_copy(update={"name": "Verdi\x01 S.p.A."})})
    assert xp(valid(control), "//CessionarioCommittente//Denominazione/text()") == ["Verdi S.p.A."]
    polish = doc.model_copy(update={"buyer": doc.buyer.model_copy(update={"name": "Łódź Sp. z o.o."})})
    with pytest.raises(Rejected) as exc:
        build(polish)
    assert exc.value.code == "fatturapa_text_not_latin"
    long = doc.model_copy(update={"buyer": doc.buyer.model_copy(update={"name": "X" * 81})})
    with pytest.raises(Rejected) as exc:
        build(long)
    assert exc.value.code == "fatturapa_text_length"


# --- transmission: ProgressivoInvio and the file name -----------------------------------------------------


def test_progressivo_invio_is_ten_base36_digits_of_the_document() -> None:
    one, other = b2b(), b2b()
    assert one.id != other.id
    p = progressivo_invio(one)
    assert len(p) == 10
    assert p.isalnum()
    assert p == p.upper()
    assert progressivo_invio(one) == p
    assert progressivo_invio(other) != p
    assert xp(build(one), "//ProgressivoInvio/text()") == [p]


def test_file_name() -> None:
    doc = b2b()
    assert file_name(doc, 1) == "FR44732829320_00001.xml"
    assert file_name(doc, 36) == "FR44732829320_00010.xml"
    assert file_name(doc, 36**5 - 1) == "FR44732829320_ZZZZZ.xml"
    for bad in (0, 36**5):
        with pytest.raises(ValueError):
            file_name(doc, bad)


def test_line_discount_is_a_per_unit_sconto() -> None:
    # 3 x 12.00 = 36.00 less 1.00 off the line = 35.00; 22 % -> 7.70; 42.70.
    # Per unit: 1.00 / 3 = 0.33333333 (eight decimals); (12.00 - 0.33333333) x 3 = 34.99999999 -> 35.00.
    doc = issue(paid(SHOP, COMPANY, [{**GOODS, "discount": "1.00"}]), SHOP)
    xml = valid(doc)
    assert xp(xml, "//DettaglioLinee/ScontoMaggiorazione/*/text()") == ["SC", "0.33333333"]
    assert xp(xml, "//DettaglioLinee/PrezzoUnitario/text()") == ["12.00"]
    assert xp(xml, "//DettaglioLinee/PrezzoTotale/text()") == ["35.00"]
    assert xp(xml, "//ImportoTotaleDocumento/text()") == ["42.70"]


def test_doctests() -> None:
    import doctest

    from mandat.render.formats import fatturapa

    result = doctest.testmod(fatturapa)
    assert result.attempted > 0
    assert result.failed == 0


# --- golden: Union OSS distance sale (N7) -------------------------------------------------------------------


def test_oss_distance_sale_is_n7_with_the_german_vat_stated() -> None:
    # Germany: 3 x 12.00 = 36.00 at 19 % -> 6.84; 20.00 at 7 % -> 1.40. Net 56.00, German VAT 8.24,
    # paid 64.24. No Italian VAT: AliquotaIVA 0.00, Natura N7 (art. 74-sexies DPR 633/1972).
    xml = valid(oss_sale())
    assert xp(xml, "//DettaglioLinee/AliquotaIVA/text()") == ["0.00", "0.00"]
    assert xp(xml, "//DettaglioLinee/Natura/text()") == ["N7", "N7"]
    assert xp(xml, "//DettaglioLinee/PrezzoTotale/text()") == ["36.00", "20.00"]
    rows = [xp(xml, f"//DatiRiepilogo[{i}]/*/text()") for i in (1, 2)]
    assert sorted(rows) == sorted(
        [
            ["0.00", "N7", "36.00", "0.00", "IVA DE 19% EUR 6.84 assolta tramite OSS, art. 74-sexies DPR 633/72"],
            ["0.00", "N7", "20.00", "0.00", "IVA DE 7% EUR 1.40 assolta tramite OSS, art. 74-sexies DPR 633/72"],
        ]
    )
    assert xp(xml, "//DatiRiepilogo/EsigibilitaIVA") == []
    # What the consumer paid, German VAT included, by card at the order.
    assert xp(xml, "//ImportoTotaleDocumento/text()") == ["64.24"]
    assert xp(xml, "//DettaglioPagamento/*/text()") == ["MP08", "2026-11-18", "64.24"]
    assert xp(xml, "//CessionarioCommittente/DatiAnagrafici/IdFiscaleIVA/*/text()") == ["DE", "99999999999"]
    assert xp(xml, "//CodiceDestinatario/text()") == ["XXXXXXX"]
    assert xp(xml, "//CedentePrestatore/DatiAnagrafici/RegimeFiscale/text()") == ["RF01"]


def test_oss_credit_note_is_td04_n7() -> None:
    xml = valid(credit_of(oss_sale, "64.24", OSS_SHOP))
    assert xp(xml, "//TipoDocumento/text()") == ["TD04"]
    assert xp(xml, "//DatiFattureCollegate/IdDocumento/text()") == ["FT-ITBRICO-000001"]
    assert xp(xml, "//DettaglioLinee/Natura/text()") == ["N7", "N7"]
    assert sorted(xp(xml, "//DatiRiepilogo/RiferimentoNormativo/text()")) == [
        "IVA DE 19% EUR 6.84 assolta tramite OSS, art. 74-sexies DPR 633/72",
        "IVA DE 7% EUR 1.40 assolta tramite OSS, art. 74-sexies DPR 633/72",
    ]
    assert xp(xml, "//DatiRiepilogo/Imposta/text()") == ["0.00", "0.00"]
    assert xp(xml, "//ImportoTotaleDocumento/text()") == ["64.24"]
    assert xp(xml, "//DatiPagamento") == []


def test_the_arithmetic_check_catches_a_wrong_foreign_vat() -> None:
    xml = build(oss_sale()).replace(b"EUR 6.84 assolta", b"EUR 6.85 assolta")
    assert sdi_arithmetic(xml) == [
        "summary ('0.00', 'N7'): foreign VAT 6.85 != 36.00 x 19 %",
        "ImportoTotaleDocumento 64.24 != 64.25",
    ]


def test_other_schemes_and_untaxed_oss_lines_are_refused() -> None:
    sale = oss_sale()
    exempt = [b.model_copy(update={"category": "E"}) for b in sale.vat_breakdown]
    for record in (
        sale.model_copy(update={"scheme": "ioss"}),
        sale.model_copy(update={"scheme": "uk_omp", "taxed_in": "GB"}),
        sale.model_copy(update={"scheme": None}),  # taxed in Germany outside any scheme
        sale.model_copy(update={"vat_breakdown": exempt}),
    ):
        with pytest.raises(Rejected) as exc:
            build(record)
        assert exc.value.code == "fatturapa_foreign_vat"
