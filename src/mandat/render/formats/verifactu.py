"""VERI*FACTU billing records (AEAT, ``SuministroLR.xsd`` / ``SuministroInformacion.xsd`` version 1.0), built
from a ``Document`` only.

From 2027-01-01 (RD 1007/2023 as amended by RDL 15/2025) every invoice a Spanish taxpayer's invoicing
system issues produces a *registro de facturación*: a ``RegistroAlta`` for an invoice or a corrective
invoice, a ``RegistroAnulacion`` when a record is cancelled. Each record carries the SHA-256 *huella* of
a few of its own fields and of the previous record's huella (Orden HAC/1177/2024 art. 13; AEAT
"especificaciones huella o hash" v0.1.2), and the invoice shows a QR code to the AEAT's checking
service (AEAT "especificaciones código QR" v0.4.7) with the legend "VERI*FACTU".

How the record maps (field names from ``SuministroInformacion.xsd``; checks from AEAT "Validaciones y
errores" v1.1.2, cited as V§n):

- ``Cabecera/ObligadoEmision`` and ``IDFactura/IDEmisorFactura`` are the seller, by its NIF: the
  seller is the one obliged to invoice (RD 1619/2012 art. 2); the record is its record.
- The marketplace issues under the seller's mandate (RD 1619/2012 art. 5.1: invoices issued by a third
  party in the name and on behalf of the taxpayer). VERI*FACTU says so with
  ``EmitidaPorTerceroODestinatario`` T and the ``Tercero`` block = the marketplace (V§11-12): a
  non-Spanish VAT number goes in ``IDOtro`` with ``IDType`` 02 (NIF-IVA) and the ``CodigoPais`` of its
  address. It is never "D" (issued by the recipient: self-billing).
- ``TipoFactura``: F1 for a full invoice (RD 1619/2012 art. 6); F2 for a consumer who gave no NIF (a
  *factura simplificada*, art. 7, which is what the Spanish pack issues then). A credit note of an
  F1 is R1 (LIVA art. 80.Dos: the operation left without effect in whole or in part, or its price
  altered after it took place: a refund or a return), one of an F2 is R5 (corrective of a simplified
  invoice). Both are ``TipoRectificativa`` I (by differences): the amounts are the change, negative,
  and ``FacturasRectificadas`` names the invoice corrected.
- ``Desglose``: one ``DetalleDesglose`` per VAT breakdown of the record, tax ``01`` (IVA), regime
  ``01`` (general) except exports (``02``); standard-rated is ``S1`` with its rate and cuota; a Spanish
  reverse charge (LIVA art. 84.Uno.2º) is ``S2`` with rate and cuota 0 (V§15.4); an intra-EU supply of
  goods is exempt ``E5`` (LIVA art. 25), an export ``E2`` (art. 21); a service to a business of another
  member state is not located in Spain (art. 69.Uno.1º): ``N2``.

Anything else (another currency than the euro, a supply under another state's VAT, OSS, a deemed
supply, an exemption without a known article, a buyer identified otherwise) is refused with a
``verifactu_*`` code: the AEAT would accept a wrong record with errors, which is worse than none.

The record is deterministic: ``FechaHoraHusoGenRegistro`` is the record's ``issued_at`` in
Europe/Madrid with its offset, so the same record and the same previous link give the same bytes.
The chain (which records follow which) is described in docs/formats/verifactu.md.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from urllib.parse import quote_plus
from zoneinfo import ZoneInfo

from lxml import etree

from mandat.domain.documents import Document, PartySnapshot, VatBreakdown
from mandat.domain.parties import Address
from mandat.domain.refusals import Rejected

_BASE = "https://www2.agenciatributaria.gob.es/static_files/common/internet/dep/aplicaciones/es/aeat/tike/cont/ws/"
NS_LR = _BASE + "SuministroLR.xsd"
NS = _BASE + "SuministroInformacion.xsd"
MADRID = ZoneInfo("Europe/Madrid")
LEGEND = "VERI*FACTU"
# QR spec v0.4.7 §5.1: the production checking service of a system that issues verifiable invoices.
QR_BASE = "https://www2.agenciatributaria.gob.es/wlpl/TIKE-CONT/ValidarQR"
VERSION = "1.0"  # IDVersion (VersionType)
HASH_TYPE = "01"  # TipoHuella L12: SHA-256
_NIF = re.compile(r"[0-9A-Z]{9}")
_PRINTABLE = re.compile(r"[\x20-\x7e]+")  # V§1: NumSerieFactura only ASCII 32-126
# VAT prefixes whose ISO 3166 country code differs (CodigoPais is ISO 3166-1 alpha-2).
_ISO = {"EL": "GR", "XI": "GB"}


@dataclass(frozen=True)
class Link:
    """The previous record of the chain (``Encadenamiento/RegistroAnterior``): its issuer's NIF, its
    number (``NumSerieFactura``), its issue date and its huella."""

    nif: str
    number: str
    issue_date: date
    huella: str


@dataclass(frozen=True)
class SistemaInformatico:
    """``SistemaInformatico`` (SistemaInformaticoType): who produced the software and which installation.

    ``producer_name`` / ``producer_vat_id`` name the producer; ``None`` means the marketplace of the
    record (it runs mandat for its sellers and answers for the installation). ``multiple_ot`` is
    ``IndicadorMultiplesOT``: "S" only for a taxpayer with more than one billing in this system (FAQ
    Desarrolladores §4), which a seller on one marketplace is not."""

    name: str = "mandat"  # NombreSistemaInformatico, max 30
    system_id: str = "MD"  # IdSistemaInformatico, max 2
    version: str = "0.1.0"  # Version, max 50
    installation: str = "1"  # NumeroInstalacion, max 100
    producer_name: str | None = None
    producer_vat_id: str | None = None
    only_verifactu: bool = True  # TipoUsoPosibleSoloVerifactu: mandat sends every record
    multi_ot: bool = True  # TipoUsoPosibleMultiOT: one installation serves many sellers
    multiple_ot: bool = False  # IndicadorMultiplesOT


DEFAULT_SYSTEM = SistemaInformatico()


# --- huella (AEAT "especificaciones huella o hash" v0.1.2, §3 and §5) ----------------------------------------


def _huella(fields: list[tuple[str, str]]) -> str:
    """§3: ``name=value`` joined by ``&``, values trimmed, an absent value as ``name=``; UTF-8; §5:
    SHA-256 in upper-case hexadecimal."""
    text = "&".join(f"{name}={value.strip()}" for name, value in fields)
    return hashlib.sha256(text.encode("utf-8")).hexdigest().upper()


def huella_registro_alta(
    *,
    nif: str,
    number: str,
    issue_date: str,
    invoice_type: str,
    cuota_total: str,
    importe_total: str,
    previous_huella: str,
    generated_at: str,
) -> str:
    """§3.a: IDEmisorFactura, NumSerieFactura, FechaExpedicionFactura, TipoFactura, CuotaTotal,
    ImporteTotal, Huella (of the previous record, empty for the first) and FechaHoraHusoGenRegistro,
    each exactly as written in the record."""
    return _huella(
        [
            ("IDEmisorFactura", nif),
            ("NumSerieFactura", number),
            ("FechaExpedicionFactura", issue_date),
            ("TipoFactura", invoice_type),
            ("CuotaTotal", cuota_total),
            ("ImporteTotal", importe_total),
            ("Huella", previous_huella),
            ("FechaHoraHusoGenRegistro", generated_at),
        ]
    )


def huella_anulacion(*, nif: str, number: str, issue_date: str, previous_huella: str, generated_at: str) -> str:
    """§3.b: IDEmisorFacturaAnulada, NumSerieFacturaAnulada, FechaExpedicionFacturaAnulada, Huella (of the
    previous record) and FechaHoraHusoGenRegistro."""
    return _huella(
        [
            ("IDEmisorFacturaAnulada", nif),
            ("NumSerieFacturaAnulada", number),
            ("FechaExpedicionFacturaAnulada", issue_date),
            ("Huella", previous_huella),
            ("FechaHoraHusoGenRegistro", generated_at),
        ]
    )


# --- records -------------------------------------------------------------------------------------------------


def build(doc: Document, *, previous: Link | None, system: SistemaInformatico | None = None) -> bytes:
    """The ``RegFactuSistemaFacturacion`` with one ``RegistroAlta`` for ``doc`` chained after ``previous``
    (``None``: the first record of the seller's chain). Same record, same link: same bytes. Raises
    ``Rejected`` (``verifactu_*``) for what this slice does not map with certainty."""
    _check_scope(doc)
    nif = seller_nif(doc)
    invoice_type = _invoice_type(doc)
    sign = Decimal(-1) if doc.kind == "credit_note" else Decimal(1)
    # An OSS distance sale (LIVA art. 68.Cuatro, 163 unvicies) carries no Spanish VAT: CuotaTotal 0.
    cuota = _amount(Decimal(0) if doc.scheme == "oss" else sign * doc.totals.tax_total)
    importe = _amount(sign * doc.totals.tax_inclusive)
    generated = generated_at(doc)
    huella = huella_registro_alta(
        nif=nif,
        number=doc.number,
        issue_date=_fecha(doc.issue_date),
        invoice_type=invoice_type,
        cuota_total=cuota,
        importe_total=importe,
        previous_huella=previous.huella if previous else "",
        generated_at=generated,
    )
    root, record = _envelope(doc, nif, "RegistroAlta")
    _sub(record, "IDVersion", VERSION)
    ident = _sub(record, "IDFactura")
    _sub(ident, "IDEmisorFactura", nif)
    _sub(ident, "NumSerieFactura", doc.number)
    _sub(ident, "FechaExpedicionFactura", _fecha(doc.issue_date))
    _sub(record, "NombreRazonEmisor", _text(doc.seller.name, 120))
    _sub(record, "TipoFactura", invoice_type)
    if doc.kind == "credit_note":
        assert doc.corrects is not None  # _check_scope
        _sub(record, "TipoRectificativa", "I")
        corrected = _sub(_sub(record, "FacturasRectificadas"), "IDFacturaRectificada")
        _sub(corrected, "IDEmisorFactura", nif)
        _sub(corrected, "NumSerieFactura", doc.corrects.number)
        _sub(corrected, "FechaExpedicionFactura", _fecha(doc.corrects.issue_date))
    if doc.delivery_date < doc.issue_date:
        # Only when the operation is earlier: V§7 forbids a FechaOperacion after the issue date (regimes
        # 14/15 aside); an invoice of a payment received before delivery is dated by the payment (LIVA
        # art. 75.Dos).
        _sub(record, "FechaOperacion", _fecha(doc.delivery_date))
    _sub(record, "DescripcionOperacion", _description(doc))
    _sub(record, "EmitidaPorTerceroODestinatario", "T")
    _tercero(record, doc)
    if invoice_type not in ("F2", "R5"):  # V§13: F2/R5 have no Destinatarios, the others at least one
        _person(_sub(_sub(record, "Destinatarios"), "IDDestinatario"), doc.buyer.name, _buyer_id(doc))
    desglose = _sub(record, "Desglose")
    for vb in doc.vat_breakdown:
        _detail(desglose, doc, vb, sign)
    _sub(record, "CuotaTotal", cuota)
    _sub(record, "ImporteTotal", importe)
    _chain(record, previous)
    _system(record, doc, system or DEFAULT_SYSTEM)
    _sub(record, "FechaHoraHusoGenRegistro", generated)
    _sub(record, "TipoHuella", HASH_TYPE)
    _sub(record, "Huella", huella)
    return _bytes(root)


def build_cancellation(
    doc: Document,
    *,
    previous: Link | None,
    generated: datetime | None = None,
    system: SistemaInformatico | None = None,
) -> bytes:
    """The ``RegFactuSistemaFacturacion`` with one ``RegistroAnulacion`` of ``doc``'s record, chained after
    ``previous``. ``generated`` is when the cancellation record is made (aware datetime; default: the
    record's own ``issued_at``), written in Europe/Madrid."""
    _check_scope(doc)
    nif = seller_nif(doc)
    when = _madrid(generated) if generated is not None else generated_at(doc)
    huella = huella_anulacion(
        nif=nif,
        number=doc.number,
        issue_date=_fecha(doc.issue_date),
        previous_huella=previous.huella if previous else "",
        generated_at=when,
    )
    root, record = _envelope(doc, nif, "RegistroAnulacion")
    _sub(record, "IDVersion", VERSION)
    ident = _sub(record, "IDFactura")
    _sub(ident, "IDEmisorFacturaAnulada", nif)
    _sub(ident, "NumSerieFacturaAnulada", doc.number)
    _sub(ident, "FechaExpedicionFacturaAnulada", _fecha(doc.issue_date))
    _chain(record, previous)
    _system(record, doc, system or DEFAULT_SYSTEM)
    _sub(record, "FechaHoraHusoGenRegistro", when)
    _sub(record, "TipoHuella", HASH_TYPE)
    _sub(record, "Huella", huella)
    return _bytes(root)


def link_of(doc: Document, xml: bytes) -> Link:
    """The ``Link`` the next record of the chain names: this record's invoice and its own huella."""
    root = etree.fromstring(xml, etree.XMLParser(no_network=True))
    own = root.xpath("//sf:RegistroAlta/sf:Huella | //sf:RegistroAnulacion/sf:Huella", namespaces={"sf": NS})
    return Link(nif=seller_nif(doc), number=doc.number, issue_date=doc.issue_date, huella=str(own[0].text))


def qr_url(doc: Document) -> str:
    """The QR code's URL for ``doc`` (QR spec v0.4.7 §5.1, production, verifiable invoices; §6): the
    seller's NIF, the number, the issue date and the record's ImporteTotal."""
    _check_scope(doc)
    sign = Decimal(-1) if doc.kind == "credit_note" else Decimal(1)
    return qr_url_of(seller_nif(doc), doc.number, doc.issue_date, _amount(sign * doc.totals.tax_inclusive))


def qr_url_of(nif: str, number: str, issue_date: date, importe: str, *, base: str = QR_BASE) -> str:
    """§6: ``nif``, ``numserie``, ``fecha`` (DD-MM-AAAA) and ``importe`` ("." as decimal separator), in
    that order; §4: each value URL-encoded in UTF-8 ("12345678&G33" is sent as ``12345678%26G33``)."""
    params = [("nif", nif), ("numserie", number), ("fecha", _fecha(issue_date)), ("importe", importe)]
    return base + "?" + "&".join(f"{k}={quote_plus(v, safe='')}" for k, v in params)


def generated_at(doc: Document) -> str:
    """``FechaHoraHusoGenRegistro``: the moment the number was taken, in Madrid time with its offset."""
    return _madrid(doc.issued_at)


def seller_nif(doc: Document) -> str:
    """The seller's NIF: the ``NIF`` identifier the Spanish pack recorded, else its ES VAT number."""
    nif = next((p.value for p in doc.seller.ids if p.label == "NIF"), None)
    if nif is None and doc.seller.vat_id and doc.seller.vat_id.upper().startswith("ES"):
        nif = doc.seller.vat_id[2:]
    if nif is None or not _NIF.fullmatch(nif.upper()):
        raise Rejected("verifactu_seller_nif", "the seller has no Spanish NIF of 9 characters in the record")
    return nif.upper()


# --- scope ---------------------------------------------------------------------------------------------------


def _check_scope(doc: Document) -> None:
    if doc.country != "ES" or doc.seller.address.country != "ES":
        raise Rejected("verifactu_not_spanish", f"VERI*FACTU records Spanish sellers' invoices, not {doc.country}'s")
    if doc.deemed_supply is not None:
        raise Rejected("verifactu_deemed_supply", "a deemed supply is the marketplace's own invoice")
    if doc.scheme not in (None, "oss") or (doc.scheme is None and doc.taxed_in not in (None, "ES")):
        raise Rejected(
            "verifactu_foreign_vat",
            f"lines carry {doc.taxed_in or 'another state'}'s VAT under {doc.scheme or 'no scheme'}: not mapped",
        )
    if doc.currency != "EUR":
        raise Rejected("verifactu_currency", f"the record's amounts are in euros; this invoice is in {doc.currency}")
    if doc.kind == "credit_note" and doc.corrects is None:
        raise Rejected("verifactu_correction_without_invoice", "a factura rectificativa names the invoice it corrects")
    if not _PRINTABLE.fullmatch(doc.number) or len(doc.number) > 60:
        raise Rejected("verifactu_number", f"NumSerieFactura {doc.number!r}: up to 60 printable ASCII characters")
    if len(doc.vat_breakdown) > 12:
        raise Rejected("verifactu_too_many_rates", "Desglose has at most 12 DetalleDesglose")


def _buyer_nif(buyer: PartySnapshot) -> str | None:
    nif = next((p.value for p in buyer.ids if p.label == "NIF"), None)
    if nif is None and buyer.vat_id and buyer.vat_id.upper().startswith("ES"):
        nif = buyer.vat_id[2:]
    return nif.upper() if nif else None


def _invoice_type(doc: Document) -> str:
    simplified = _buyer_nif(doc.buyer) is None and not doc.buyer.vat_id
    if doc.kind == "credit_note":
        return "R5" if simplified else "R1"
    return "F2" if simplified else "F1"


def _buyer_id(doc: Document) -> tuple[str, str] | tuple[str, str, str]:
    """(NIF) or (CodigoPais, IDType 02, NIF-IVA) of the recipient."""
    nif = _buyer_nif(doc.buyer)
    if nif is not None:
        if not _NIF.fullmatch(nif):
            raise Rejected("verifactu_buyer_id", f"buyer NIF {nif!r} is not 9 characters")
        return ("NIF", nif)
    vat = doc.buyer.vat_id
    if vat:
        return (_country(doc.buyer.address, vat), "02", vat.upper())
    raise Rejected(
        "verifactu_buyer_id",
        "a full invoice's recipient without a NIF or an EU VAT number: the other IDOtro types are not mapped",
    )


# --- parts ---------------------------------------------------------------------------------------------------


def _envelope(doc: Document, nif: str, kind: str) -> tuple[etree._Element, etree._Element]:
    root = etree.Element(f"{{{NS_LR}}}RegFactuSistemaFacturacion", nsmap={"sfLR": NS_LR, "sf": NS})
    head = etree.SubElement(root, f"{{{NS_LR}}}Cabecera")
    obligado = _sub(head, "ObligadoEmision")
    _sub(obligado, "NombreRazon", _text(doc.seller.name, 120))
    _sub(obligado, "NIF", nif)
    holder = etree.SubElement(root, f"{{{NS_LR}}}RegistroFactura")
    return root, _sub(holder, kind)


def _tercero(record: etree._Element, doc: Document) -> None:
    vat = doc.issuer.vat_id.upper()
    ident: tuple[str, str] | tuple[str, str, str]
    ident = ("NIF", vat[2:]) if vat.startswith("ES") else (_country(doc.issuer.address, vat), "02", vat)
    _person(_sub(record, "Tercero"), doc.issuer.name, ident)


def _person(el: etree._Element, name: str, ident: tuple[str, str] | tuple[str, str, str]) -> None:
    _sub(el, "NombreRazon", _text(name, 120))
    if len(ident) == 2:
        _sub(el, "NIF", ident[1])
        return
    other = _sub(el, "IDOtro")
    _sub(other, "CodigoPais", ident[0])
    _sub(other, "IDType", ident[1])
    _sub(other, "ID", ident[2])


def _country(address: Address, vat: str) -> str:
    prefix = _ISO.get(vat[:2].upper(), vat[:2].upper())
    if prefix != address.country:
        raise Rejected("verifactu_vat_country", f"VAT number {vat} does not match the address in {address.country}")
    return address.country


def _detail(desglose: etree._Element, doc: Document, vb: VatBreakdown, sign: Decimal) -> None:
    el = _sub(desglose, "DetalleDesglose")
    _sub(el, "Impuesto", "01")
    base = _amount(sign * vb.taxable_amount)
    cat = vb.category
    if doc.scheme == "oss":
        # A distance sale taxed in the member state of consumption and declared through the OSS (LIVA art.
        # 68.Cuatro; Directive art. 369a-369k): regime 17 (OSS/IOSS, list L8A), not located in Spain (N2, so
        # no rate nor cuota, V§15.4). UNSURE: the amount not subject is the whole amount the buyer paid for
        # these lines, the other state's VAT included, so that ImporteTotal is the sum of the Desglose (V§17);
        # no Spanish VAT is recorded (CuotaTotal 0). docs/formats/verifactu.md.
        _sub(el, "ClaveRegimen", "17")
        _sub(el, "CalificacionOperacion", "N2")
        _sub(el, "BaseImponibleOimporteNoSujeto", _amount(sign * (vb.taxable_amount + vb.tax_amount)))
    elif cat == "S":
        _sub(el, "ClaveRegimen", "01")
        _sub(el, "CalificacionOperacion", "S1")
        _sub(el, "TipoImpositivo", _rate(vb.rate))
        _sub(el, "BaseImponibleOimporteNoSujeto", base)
        _sub(el, "CuotaRepercutida", _amount(sign * vb.tax_amount))
    elif cat == "AE" and doc.buyer.address.country == "ES":
        # LIVA art. 84.Uno.2º: the Spanish buyer accounts for the tax; V§15.4: rate and cuota 0.
        _sub(el, "ClaveRegimen", "01")
        _sub(el, "CalificacionOperacion", "S2")
        _sub(el, "TipoImpositivo", "0")
        _sub(el, "BaseImponibleOimporteNoSujeto", base)
        _sub(el, "CuotaRepercutida", "0.00")
    elif cat == "AE" and all(ln.nature == "service" for ln in doc.lines if ln.vat_category == "AE"):
        # LIVA art. 69.Uno.1º: a service to a business established elsewhere is located there.
        _sub(el, "ClaveRegimen", "01")
        _sub(el, "CalificacionOperacion", "N2")
        _sub(el, "BaseImponibleOimporteNoSujeto", base)
    elif cat == "K":
        _sub(el, "ClaveRegimen", "01")  # V§15.5: E5 is allowed under regime 01 (E2/E3 are not)
        _sub(el, "OperacionExenta", "E5")  # LIVA art. 25
        _sub(el, "BaseImponibleOimporteNoSujeto", base)
    elif cat == "G":
        _sub(el, "ClaveRegimen", "02")  # V§15.6.1: exports carry only OperacionExenta
        _sub(el, "OperacionExenta", "E2")  # LIVA art. 21
        _sub(el, "BaseImponibleOimporteNoSujeto", base)
    else:
        raise Rejected(
            "verifactu_vat_category",
            f"VAT category {cat} at {vb.rate} % ({vb.exemption_reason or 'no reason'}) has no certain "
            "CalificacionOperacion / OperacionExenta here",
        )


def _chain(record: etree._Element, previous: Link | None) -> None:
    chain = _sub(record, "Encadenamiento")
    if previous is None:
        _sub(chain, "PrimerRegistro", "S")
        return
    if not re.fullmatch(r"[0-9A-F]{64}", previous.huella):
        raise Rejected("verifactu_previous_huella", "the previous huella is not 64 upper-case hex characters (V§18)")
    prev = _sub(chain, "RegistroAnterior")
    _sub(prev, "IDEmisorFactura", previous.nif)
    _sub(prev, "NumSerieFactura", previous.number)
    _sub(prev, "FechaExpedicionFactura", _fecha(previous.issue_date))
    _sub(prev, "Huella", previous.huella)


def _system(record: etree._Element, doc: Document, system: SistemaInformatico) -> None:
    el = _sub(record, "SistemaInformatico")
    name = system.producer_name or doc.issuer.name
    vat = (system.producer_vat_id or doc.issuer.vat_id).upper()
    if vat.startswith("ES"):
        _person(el, name, ("NIF", vat[2:]))
    elif system.producer_vat_id is None:
        _person(el, name, (_country(doc.issuer.address, vat), "02", vat))
    else:
        _person(el, name, (_ISO.get(vat[:2], vat[:2]), "02", vat))
    _sub(el, "NombreSistemaInformatico", system.name)
    _sub(el, "IdSistemaInformatico", system.system_id)
    _sub(el, "Version", system.version)
    _sub(el, "NumeroInstalacion", system.installation)
    _sub(el, "TipoUsoPosibleSoloVerifactu", "S" if system.only_verifactu else "N")
    _sub(el, "TipoUsoPosibleMultiOT", "S" if system.multi_ot else "N")
    _sub(el, "IndicadorMultiplesOT", "S" if system.multiple_ot else "N")


def _description(doc: Document) -> str:
    if doc.kind == "credit_note" and doc.reason:
        return _text(doc.reason, 500)
    return _text("; ".join(ln.description for ln in doc.lines), 500)


# --- formatting ----------------------------------------------------------------------------------------------


def _sub(parent: etree._Element, tag: str, text: str | None = None) -> etree._Element:
    el = etree.SubElement(parent, f"{{{NS}}}{tag}")
    if text is not None:
        el.text = text
    return el


def _bytes(root: etree._Element) -> bytes:
    xml: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    return xml


def _madrid(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise Rejected("verifactu_naive_time", "FechaHoraHusoGenRegistro needs an instant with its time zone")
    return moment.astimezone(MADRID).replace(microsecond=0).isoformat()


def _fecha(day: date) -> str:
    return day.strftime("%d-%m-%Y")


def _amount(value: Decimal) -> str:
    text = f"{value.quantize(Decimal('0.01')):f}"
    return "0.00" if text == "-0.00" else text


def _rate(value: Decimal) -> str:
    text = f"{value.normalize():f}"
    return text


def _text(value: str, size: int) -> str:
    return " ".join(value.split())[:size]
