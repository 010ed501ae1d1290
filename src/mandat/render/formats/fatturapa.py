"""FatturaPA, ordinary invoice to private parties (FormatoTrasmissione FPR12, XSD versione 1.2.2),
built from a ``Document`` only, for sellers established in Italy.

Legal and technical basis: DPR 633/1972 art. 21 (content of the invoice), art. 26 (note di
variazione); D.Lgs. 127/2015 art. 1 c.3 (B2B and B2C invoices through the SdI); "Specifiche tecniche
operative del formato della fattura del Sistema di Interscambio" v1.3.2 (Allegato A DM 55/2013),
cited below as "spec §x" (Part I paragraphs 1.x, Part II paragraphs 3.x).

How the billing mandate is expressed: the seller is CedentePrestatore (1.2), the buyer
CessionarioCommittente (1.4); the marketplace issuing on the seller's behalf (art. 21 c.1 and c.2
lett. n) is TerzoIntermediarioOSoggettoEmittente (1.5) with SoggettoEmittente "TZ" (1.6, "soggetto
terzo"): never "CC", which is the buyer's self-billing. The marketplace is also the transmitter
(DatiTrasmissione/IdTrasmittente, 1.1.1), identified by its VAT number (spec 1.1: for a non-resident,
the tax id given by its own country).

Choices where the spec leaves room (each refuses rather than guesses when the record cannot say):

* ProgressivoInvio (1.1.2, up to 10 characters, "for the transmitter's own unique identification"):
  the first 10 base-36 digits of sha256(document id). The record's ``seq`` counts one seller's series
  only, not the transmitter's files, so it cannot be used; the document id is unique per
  marketplace, and 36^10 values make a collision negligible (not impossible: the SdI does not check
  this field, only the file name, see :func:`file_name`).
* CodiceDestinatario (1.1.4): the SdI code the Italian buyer gave (recorded in the buyer snapshot); else
  "0000000" for a buyer resident, established or identified in Italy, with its PEC in PECDestinatario
  (1.1.6) when it gave one (without either, the SdI puts the invoice in the buyer's reserved area);
  "XXXXXXX" for any other buyer (spec 1.1: non-resident, non-established, non-identified).
* RegimeFiscale (1.2.1.8): RF19 forfettario when the lines are category E (in an Italian record only
  the regime forfettario makes a line E: ``countries/it/treatment.py``), else RF01 ordinario.
* IscrizioneREA (1.2.4): from the seller's "REA" identifier ("MI-2034567": Ufficio MI, NumeroREA
  2034567), its share capital, "Socio unico" when its legal information says so (c.c. 2250);
  StatoLiquidazione LN: the record carries no liquidation (UNSURE: a company in liquidation must say
  so, c.c. 2490; the seller registry would need the fact).
* Natura (2.2.1.14 / 2.2.2.2) of a line without VAT: K intra-EU goods N3.2 (DL 331/1993 art. 41);
  G export N3.1 (DPR 633/1972 art. 8); AE to a buyer not established in Italy N2.1 (a service
  supplied abroad, art. 7-ter, or works on a property abroad, art. 7-bis / 7-quater: "non soggette
  ad IVA ai sensi degli artt. da 7 a 7-septies"; the invoice is still issued, art. 21 c.6-bis); AE to
  an Italian buyer N6.7 ("prestazioni comparto edile e settori connessi", art. 17 c.6 lett. a-ter,
  the only domestic reverse charge the Italian rules apply; N6.3 is the subcontracting of lett. a,
  N6.9 other cases); E (regime forfettario) N2.2. Anything else is refused.
* Distance sale taxed in another member state through the Union OSS (``doc.scheme == "oss"``,
  ``doc.taxed_in`` not IT; docs/formats/fatturapa-oss.md): Natura N7 "IVA assolta in altro stato UE".
  The spec's wording of N7 (v1.3.2, table of 2.2.1.14) cites "art. 7-octies, comma 1 lett. a, b,
  art. 74-sexies DPR 633/72"; since D.Lgs. 83/2021 (in force 2021-07-01), art. 74-sexies is the Union
  OSS special scheme, which also covers intra-EU distance sales of goods (DL 331/1993 art. 38-bis and
  41 as amended by the same decree), so N7 is the code for them. It is the conservative reading: the
  invoice charges no Italian VAT (AliquotaIVA 0.00 on every line and summary, Imposta 0.00) and says
  which VAT was charged instead. Each foreign rate has its own DatiRiepilogo (AliquotaIVA 0.00, Natura
  N7, ImponibileImporto its net amount) whose RiferimentoNormativo states the other state's VAT
  ("IVA DE 19% EUR 6.84 assolta tramite OSS, art. 74-sexies DPR 633/72"): the SdI's controls 00419 to
  00423 then hold, as they are per AliquotaIVA / Natura. ImportoTotaleDocumento stays what the buyer
  paid, net plus the other state's VAT: the spec defines it as the total "comprensivo di imposta a
  debito del cessionario/committente" (spec 2.1, DatiGeneraliDocumento), and the consumer does owe
  that VAT; the SdI does not check it against the summaries (it is optional and no reject code
  concerns it), and ImportoPagamento (2.4, DettaglioPagamento) carries the same amount actually paid.
  Lines the other state exempts or zero-rates, and the IOSS and UK schemes, are refused: no Natura
  is confirmed for them.
* Foreign buyer without VAT id (a consumer abroad, e.g. an export): IdFiscaleIVA with its country and
  "99999999999". The spec does not say; the AdE FAQ on e-invoices lets IdCodice carry any identifier
  of the counterpart, unchecked by the SdI, and CodiceFiscale is for Italian tax codes only (UNSURE).
* Foreign addresses: CAP "00000" when the postcode is not five digits (CAP is five digits, spec 3.3.2);
  Provincia (two letters) is written for an Italian address that records it (``Address.province``, given
  in the sale event); an address without one leaves it out (the XSD and the SdI do not require it).
* Currency: amounts are in Divisa (spec 1.2.5). Art. 21 c.2 lett. l wants the tax "con arrotondamento
  al centesimo di euro": a document in another currency needs ``doc.exchange`` in EUR, stated on line 1
  as AltriDatiGestionali (TipoDato "CAMBIO": rate, source, day; "IVAEUR": the VAT of each rate in EUR),
  the only structured place the format offers; without it the document is refused.
* Payment (2.4): already paid at the order, CondizioniPagamento TP02, MP08 card / MP05 transfer; any
  other means leaves the block out (it is optional; the "paid" mention in Causale says how).
  Credit notes carry no DatiPagamento: the refund is the seller's payment, not the buyer's.
* Text: the Latin types of the XSD take Basic Latin and Latin-1 only; typographic dashes, quotes and
  the euro sign are spelled in ASCII, accented letters outside Latin-1 lose their accent, and a text
  that still does not fit (or a name longer than its field) is refused, never cut.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from decimal import Decimal

from lxml import etree

from mandat.domain.documents import Document, DocumentLine, PartySnapshot, VatBreakdown
from mandat.domain.money import CENT
from mandat.domain.parties import Address
from mandat.domain.refusals import Rejected

NAMESPACE = "http://ivaservizi.agenziaentrate.gov.it/docs/xsd/fatture/v1.2"
VERSION = "FPR12"
TYPE_INVOICE = "TD01"
TYPE_CREDIT_NOTE = "TD04"
ISSUER_THIRD_PARTY = "TZ"  # spec 3.7: "soggetto terzo"
RECIPIENT_UNKNOWN = "0000000"  # spec 1.1.4: channel unknown (Italian buyer)
RECIPIENT_FOREIGN = "XXXXXXX"  # spec 1.1.4: buyer not resident, established or identified in Italy
FOREIGN_PLACEHOLDER_ID = "99999999999"
FOREIGN_CAP = "00000"
PAYMENT_MODES: dict[str, str] = {"card": "MP08", "transfer": "MP05"}
PAID_IN_FULL = "TP02"
REGIME_ORDINARY = "RF01"
REGIME_FORFETTARIO = "RF19"
NATURA_EXPORT = "N3.1"
NATURA_INTRA_EU = "N3.2"
NATURA_NOT_TERRITORIAL = "N2.1"
NATURA_NOT_SUBJECT_OTHER = "N2.2"
NATURA_RC_CONSTRUCTION = "N6.7"
NATURA_OTHER_MEMBER_STATE = "N7"  # "IVA assolta in altro stato UE": art. 74-sexies DPR 633/1972 (Union OSS)
OSS_PROVISION = "assolta tramite OSS, art. 74-sexies DPR 633/72"
ZERO_RATE = Decimal("0")

_EIGHT = Decimal("0.00000001")
_BASE36 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
# Typographic characters the pack's Italian texts use, spelled in the XSD's Latin-1 range.
_LATIN_SPELLING = str.maketrans(
    {
        "\u2013": "-",
        "\u2014": "-",
        "\u2018": "'",
        "\u2019": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u2026": "...",
        "\u20ac": "EUR",
        "\u202f": " ",
        "\u2009": " ",
    }
)
_REA = re.compile(r"([A-Z]{2})-?\s*([0-9A-Z]{1,20})")
_VAT = re.compile(r"([A-Z]{2})([0-9A-Za-z+*.]{2,28})")


def build(doc: Document) -> bytes:
    """The FatturaPA FPR12 XML of ``doc``: UTF-8, deterministic (same record, same bytes)."""
    _check_scope(doc)
    root = etree.Element(f"{{{NAMESPACE}}}FatturaElettronica", nsmap={"p": NAMESPACE})
    root.set("versione", VERSION)
    _header(etree.SubElement(root, "FatturaElettronicaHeader"), doc)
    _body(etree.SubElement(root, "FatturaElettronicaBody"), doc)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))


def progressivo_invio(doc: Document) -> str:
    """ProgressivoInvio (spec 1.1.2): 10 base-36 digits of sha256(document id), see the module doc."""
    return _base36(int.from_bytes(hashlib.sha256(doc.id.encode()).digest(), "big"))[:10]


def file_name(doc: Document, progressive: int) -> str:
    """The SdI file name: transmitter country + transmitter id + "_" + a progressive of up to 5
    characters [a-z, A-Z, 0-9], unique among the transmitter's files ("Specifiche tecniche relative al
    Sistema di Interscambio", file naming; that document is not among the shared validation files, the
    rule is cited from it, UNSURE until checked), written here as 5 base-36 digits of ``progressive``.

    Uniqueness cannot come from the record: its ``seq`` counts one seller's series, while the
    transmitter (the marketplace) sends every seller's files. ``progressive`` is therefore a counter
    of the marketplace's transmitted files, kept by the caller (1 to 36^5 - 1 = 60,466,175; the SdI
    rejects a name already received, so a wrapped counter needs a new transmitter id).

    >>> _base36(1).rjust(5, "0"), _base36(36**5 - 1)
    ('00001', 'ZZZZZ')
    """
    if not 0 < progressive < 36**5:
        raise ValueError(f"SdI file progressive {progressive} outside 1..{36**5 - 1}")
    country, code = _split_vat(doc.issuer.vat_id, "the marketplace (transmitter)")
    return f"{country}{code}_{_base36(progressive).rjust(5, '0')}.xml"


def _check_scope(doc: Document) -> None:
    if doc.deemed_supply is not None:
        raise Rejected(
            "fatturapa_deemed_supplier",
            "the marketplace is the supplier (deemed supply): FatturaPA here is built for an Italian "
            "seller's invoice issued under its mandate",
        )
    if doc.country != "IT" or doc.seller.address.country != "IT":
        raise Rejected(
            "fatturapa_not_italian_seller",
            f"FatturaPA is built for sellers established in Italy under Italian rules (rules {doc.country}, "
            f"seller in {doc.seller.address.country})",
        )
    if _union_oss(doc):
        other = sorted({b.category for b in doc.vat_breakdown} - {"S"})
        if other:
            raise Rejected(
                "fatturapa_foreign_vat",
                f"OSS sale taxed in {doc.taxed_in} with VAT categories {other}: N7 (art. 74-sexies DPR 633/1972) "
                "is mapped for VAT charged at a rate of the other state only",
            )
    elif doc.scheme is not None or (doc.taxed_in is not None and doc.taxed_in != "IT"):
        raise Rejected(
            "fatturapa_foreign_vat",
            f"lines taxed in {doc.taxed_in} under {doc.scheme}: only the Union OSS (N7, art. 74-sexies DPR "
            "633/1972) is mapped; no Natura code of FatturaPA 1.2.2 is confirmed for this scheme",
        )
    if not (doc.seller.vat_id or "").startswith("IT"):
        raise Rejected("fatturapa_seller_vat_missing", "the seller has no Italian partita IVA (art. 21 c.2 lett. c)")
    if doc.currency != "EUR" and (doc.exchange is None or doc.exchange.tax_currency != "EUR"):
        raise Rejected(
            "fatturapa_euro_vat_missing",
            f"document in {doc.currency} without its VAT in euro: DPR 633/1972 art. 21 c.2 lett. l wants the "
            "tax rounded to the euro cent (art. 13 c.4 for the rate)",
        )


# --- header -----------------------------------------------------------------------------------------------


def _header(header: etree._Element, doc: Document) -> None:
    issuer_country, issuer_code = _split_vat(doc.issuer.vat_id, "the marketplace")
    tx = etree.SubElement(header, "DatiTrasmissione")
    _id(tx, "IdTrasmittente", issuer_country, issuer_code)
    _leaf(tx, "ProgressivoInvio", progressivo_invio(doc))
    _leaf(tx, "FormatoTrasmissione", VERSION)
    _leaf(tx, "CodiceDestinatario", _recipient(doc.buyer))
    if doc.buyer.pec and doc.buyer.sdi_code is None and _in_italy(doc.buyer):
        _leaf(tx, "PECDestinatario", doc.buyer.pec)  # 1.1.6, with CodiceDestinatario 0000000

    _seller(etree.SubElement(header, "CedentePrestatore"), doc)
    _buyer(etree.SubElement(header, "CessionarioCommittente"), doc)

    third = etree.SubElement(etree.SubElement(header, "TerzoIntermediarioOSoggettoEmittente"), "DatiAnagrafici")
    _id(third, "IdFiscaleIVA", issuer_country, issuer_code)
    _name(third, doc.issuer.name)
    _leaf(header, "SoggettoEmittente", ISSUER_THIRD_PARTY)


def _recipient(buyer: PartySnapshot) -> str:
    """CodiceDestinatario (1.1.4): the buyer's SdI code when it gave one; else 0000000 for a buyer in Italy
    (with its PEC in 1.1.6 when it gave one, else the SdI files the invoice in its reserved area); else
    XXXXXXX for a buyer outside Italy (spec 1.2.2, table of 1.1.4)."""
    if buyer.sdi_code and _in_italy(buyer):
        return buyer.sdi_code
    return RECIPIENT_UNKNOWN if _in_italy(buyer) else RECIPIENT_FOREIGN


def _seller(el: etree._Element, doc: Document) -> None:
    seller = doc.seller
    data = etree.SubElement(el, "DatiAnagrafici")
    _id(data, "IdFiscaleIVA", *_split_vat(seller.vat_id or "", "the seller"))
    tax_code = next((i.value for i in seller.ids if i.role == "tax"), None)
    if tax_code:
        _leaf(data, "CodiceFiscale", _codice_fiscale(tax_code, "seller"))
    _name(data, seller.name)
    forfettario = any(b.category == "E" for b in doc.vat_breakdown)
    _leaf(data, "RegimeFiscale", REGIME_FORFETTARIO if forfettario else REGIME_ORDINARY)
    _address(el, "Sede", seller.address)
    _rea(el, seller)
    if seller.email and 7 <= len(seller.email) <= 256:
        _leaf(etree.SubElement(el, "Contatti"), "Email", seller.email)


def _rea(el: etree._Element, seller: PartySnapshot) -> None:
    rea = next((i.value for i in seller.ids if i.label.upper() == "REA"), None)
    if rea is None:
        return
    match = _REA.fullmatch(rea.strip().upper())
    if match is None:
        raise Rejected("fatturapa_rea_invalid", f"REA number {rea!r} is not 'XX-number' (Ufficio and NumeroREA)")
    block = etree.SubElement(el, "IscrizioneREA")
    _leaf(block, "Ufficio", match.group(1))
    _leaf(block, "NumeroREA", match.group(2))
    if seller.share_capital is not None:
        _leaf(block, "CapitaleSociale", _amount(seller.share_capital))
    if seller.legal_info and "socio unico" in seller.legal_info.lower():
        _leaf(block, "SocioUnico", "SU")
    _leaf(block, "StatoLiquidazione", "LN")


def _buyer(el: etree._Element, doc: Document) -> None:
    buyer = doc.buyer
    data = etree.SubElement(el, "DatiAnagrafici")
    tax_code = next((i.value for i in buyer.ids if i.label.lower() == "codice fiscale" or i.role == "tax"), None)
    if buyer.vat_id:
        _id(data, "IdFiscaleIVA", *_split_vat(buyer.vat_id, "the buyer"))
        if tax_code and _in_italy(buyer):
            _leaf(data, "CodiceFiscale", _codice_fiscale(tax_code, "buyer"))
    elif _in_italy(buyer):
        if not tax_code:
            raise Rejected(
                "fatturapa_buyer_id_missing",
                "an Italian buyer needs a partita IVA or a codice fiscale (art. 21 c.2 lett. f)",
            )
        _leaf(data, "CodiceFiscale", _codice_fiscale(tax_code, "buyer"))
    else:
        _id(data, "IdFiscaleIVA", buyer.address.country, FOREIGN_PLACEHOLDER_ID)
    _name(data, buyer.name)
    _address(el, "Sede", buyer.address)


def _in_italy(party: PartySnapshot) -> bool:
    return party.address.country == "IT" or (party.vat_id or "").startswith("IT")


# --- body -------------------------------------------------------------------------------------------------


def _body(body: etree._Element, doc: Document) -> None:
    general = etree.SubElement(body, "DatiGenerali")
    head = etree.SubElement(general, "DatiGeneraliDocumento")
    _leaf(head, "TipoDocumento", TYPE_CREDIT_NOTE if doc.kind == "credit_note" else TYPE_INVOICE)
    _leaf(head, "Divisa", doc.currency)
    _leaf(head, "Data", doc.issue_date.isoformat())
    _leaf(head, "Numero", _basic(doc.number, 20, "document number"))
    if any(m.code == "stamp_duty" for m in doc.mentions):
        # DPR 642/1972 Tariffa art. 13; DM 17-06-2014 art. 6: stamp duty paid virtually, 2.00 EUR.
        stamp = etree.SubElement(head, "DatiBollo")
        _leaf(stamp, "BolloVirtuale", "SI")
        _leaf(stamp, "ImportoBollo", "2.00")
    _leaf(head, "ImportoTotaleDocumento", _amount(doc.totals.tax_inclusive))
    for text in _causale(doc):
        _leaf(head, "Causale", text)
    order = doc.purchase_order or doc.order_id
    if _fits_basic(order, 20):
        _leaf(etree.SubElement(general, "DatiOrdineAcquisto"), "IdDocumento", order)
    if doc.corrects is not None:
        linked = etree.SubElement(general, "DatiFattureCollegate")
        _leaf(linked, "IdDocumento", _basic(doc.corrects.number, 20, "corrected invoice number"))
        _leaf(linked, "Data", doc.corrects.issue_date.isoformat())

    goods = etree.SubElement(body, "DatiBeniServizi")
    for number, line in enumerate(doc.lines, start=1):
        _line(goods, doc, number, line)
    for vat in doc.vat_breakdown:
        _summary(goods, doc, vat)

    mode = PAYMENT_MODES.get(doc.payment.method)
    if doc.kind == "invoice" and mode is not None:
        payment = etree.SubElement(body, "DatiPagamento")
        _leaf(payment, "CondizioniPagamento", PAID_IN_FULL)
        detail = etree.SubElement(payment, "DettaglioPagamento")
        _leaf(detail, "ModalitaPagamento", mode)
        _leaf(detail, "DataRiferimentoTerminiPagamento", doc.payment.paid_at.date().isoformat())
        _leaf(detail, "ImportoPagamento", _amount(doc.totals.prepaid))


def _union_oss(doc: Document) -> bool:
    """A sale taxed in another member state and declared through the Union OSS (art. 74-sexies DPR 633/1972)."""
    return doc.scheme == "oss" and doc.taxed_in is not None and doc.taxed_in != "IT"


def _causale(doc: Document) -> list[str]:
    """Every mention (the art. 21 c.2 lett. n statement among them), in 200-character Causale pieces."""
    # The PDF's courtesy-copy notice says the XML is the invoice: meaningless inside the XML itself.
    texts = [m.text for m in doc.mentions if m.code != "sdi_copy"] + ([doc.reason] if doc.reason else [])
    pieces: list[str] = []
    for text in texts:
        latin = _latin(text, None, "mention")
        while latin:
            cut = len(latin) if len(latin) <= 200 else (latin.rfind(" ", 0, 200) if " " in latin[:200] else 200)
            pieces.append(latin[:cut].strip())
            latin = latin[cut:].strip()
    return [p for p in pieces if p]


def _line(parent: etree._Element, doc: Document, number: int, line: DocumentLine) -> None:
    el = etree.SubElement(parent, "DettaglioLinee")
    _leaf(el, "NumeroLinea", str(number))
    if _fits_basic(line.sku, 35):
        code = etree.SubElement(el, "CodiceArticolo")
        _leaf(code, "CodiceTipo", "SKU")
        _leaf(code, "CodiceValore", line.sku)
    _leaf(el, "Descrizione", _latin(line.description, 1000, f"line {line.id} description"))
    _leaf(el, "Quantita", _eight(line.quantity))
    _leaf(el, "PrezzoUnitario", _eight(line.net_unit_price))
    if line.allowance:
        _line_discount(el, line)
    _leaf(el, "PrezzoTotale", _amount(line.net_amount))
    if _union_oss(doc):
        # No Italian VAT: the other state's rate is stated in the summary's RiferimentoNormativo.
        _leaf(el, "AliquotaIVA", _rate(ZERO_RATE))
        _leaf(el, "Natura", NATURA_OTHER_MEMBER_STATE)
        if number == 1 and doc.exchange is not None:
            _exchange(el, doc)
        return
    _leaf(el, "AliquotaIVA", _rate(line.vat_rate))
    vat = next((b for b in doc.vat_breakdown if b.category == line.vat_category and b.rate == line.vat_rate), None)
    if line.vat_category != "S":
        _leaf(el, "Natura", _natura(doc, line.vat_category, vat.exemption_reason if vat else None))
    if number == 1 and doc.exchange is not None:
        _exchange(el, doc)


def _line_discount(el: etree._Element, line: DocumentLine) -> None:
    """The SdI recomputes PrezzoTotale as (PrezzoUnitario - discount) x Quantita, the discount being per
    unit: the line allowance is split per unit, and refused when that split does not give back the
    record's net amount to the cent."""
    per_unit = (line.allowance / line.quantity).quantize(_EIGHT)
    if ((line.net_unit_price - per_unit) * line.quantity).quantize(CENT) != line.net_amount:
        raise Rejected(
            "fatturapa_line_discount",
            f"line {line.id}: allowance {line.allowance} over {line.quantity} units is not a per-unit discount "
            "giving the line's net amount",
        )
    discount = etree.SubElement(el, "ScontoMaggiorazione")
    _leaf(discount, "Tipo", "SC")
    _leaf(discount, "Importo", _eight(per_unit))


def _exchange(el: etree._Element, doc: Document) -> None:
    ex = doc.exchange
    assert ex is not None
    rate = etree.SubElement(el, "AltriDatiGestionali")
    _leaf(rate, "TipoDato", "CAMBIO")
    _leaf(rate, "RiferimentoTesto", _latin(f"EUR per 1 {doc.currency}, {ex.source} {ex.reference or ''}", 60, "rate"))
    _leaf(rate, "RiferimentoNumero", _eight(ex.rate.quantize(_EIGHT)))
    _leaf(rate, "RiferimentoData", ex.day.isoformat())
    for per in ex.per_rate or []:
        vat = etree.SubElement(el, "AltriDatiGestionali")
        _leaf(vat, "TipoDato", "IVAEUR")
        _leaf(vat, "RiferimentoTesto", f"IVA in EUR, aliquota {_rate(per.rate)}")
        _leaf(vat, "RiferimentoNumero", _amount(per.tax_amount))
    if not ex.per_rate:
        vat = etree.SubElement(el, "AltriDatiGestionali")
        _leaf(vat, "TipoDato", "IVAEUR")
        _leaf(vat, "RiferimentoTesto", "IVA in EUR, totale")
        _leaf(vat, "RiferimentoNumero", _amount(ex.tax_total))


def _summary(parent: etree._Element, doc: Document, vat: VatBreakdown) -> None:
    el = etree.SubElement(parent, "DatiRiepilogo")
    if _union_oss(doc):
        _leaf(el, "AliquotaIVA", _rate(ZERO_RATE))
        _leaf(el, "Natura", NATURA_OTHER_MEMBER_STATE)
        _leaf(el, "ImponibileImporto", _amount(vat.taxable_amount))
        _leaf(el, "Imposta", _amount(ZERO_RATE))
        _leaf(el, "RiferimentoNormativo", _oss_reference(doc, vat))
        return
    _leaf(el, "AliquotaIVA", _rate(vat.rate))
    if vat.category != "S":
        _leaf(el, "Natura", _natura(doc, vat.category, vat.exemption_reason))
    _leaf(el, "ImponibileImporto", _amount(vat.taxable_amount))
    _leaf(el, "Imposta", _amount(vat.tax_amount))
    if vat.category == "S":
        _leaf(el, "EsigibilitaIVA", "I")  # immediate: the record knows no deferred or split payment
    elif vat.exemption_reason:
        _leaf(el, "RiferimentoNormativo", _reference(vat.exemption_reason))


def _oss_reference(doc: Document, vat: VatBreakdown) -> str:
    """RiferimentoNormativo of an N7 summary: the other state's VAT and the OSS provision.

    >>> len(f"IVA XX 99.99% EUR {'9' * 12}.99 {OSS_PROVISION}") <= 100
    True
    """
    rate = format(vat.rate.normalize(), "f")
    text = f"IVA {doc.taxed_in} {rate}% {doc.currency} {_amount(vat.tax_amount)} {OSS_PROVISION}"
    return _latin(text, 100, "OSS reference")


def _natura(doc: Document, category: str, reason: str | None) -> str:
    if category == "K":
        return NATURA_INTRA_EU
    if category == "G":
        return NATURA_EXPORT
    if category == "E":
        return NATURA_NOT_SUBJECT_OTHER  # regime forfettario (AdE: N2.2 for forfettari)
    if category == "AE":
        if not _in_italy(doc.buyer):
            return NATURA_NOT_TERRITORIAL
        if reason and "a-ter" in reason:
            return NATURA_RC_CONSTRUCTION
        raise Rejected(
            "fatturapa_natura_unknown",
            f"domestic reverse charge without its provision ({reason!r}): only art. 17 c.6 lett. a-ter (N6.7) "
            "is mapped",
        )
    raise Rejected("fatturapa_natura_unknown", f"VAT category {category} has no FatturaPA Natura mapped here")


def _reference(reason: str) -> str:
    """RiferimentoNormativo (100 characters): the provision, without the Directive's article in brackets
    when the whole text does not fit (the whole text is in Causale)."""
    text = _latin(reason, None, "exemption reason")
    if len(text) > 100 and " (" in text:
        text = text[: text.index(" (")]
    if len(text) > 100:
        # "Inversione contabile - <provision>", "<provision> - Regime forfettario": the longest part.
        parts = [p for p in text.split(" - ") if len(p) <= 100]
        text = max(parts, key=len) if parts else text[:100].rsplit(" ", 1)[0]
    return text


# --- values -----------------------------------------------------------------------------------------------


def _leaf(parent: etree._Element, tag: str, value: str) -> etree._Element:
    el = etree.SubElement(parent, tag)
    el.text = value
    return el


def _id(parent: etree._Element, tag: str, country: str, code: str) -> None:
    el = etree.SubElement(parent, tag)
    _leaf(el, "IdPaese", country)
    _leaf(el, "IdCodice", code)


def _name(parent: etree._Element, name: str) -> None:
    # Denominazione also for a natural person: the record has one name, and splitting it into Nome and
    # Cognome would be a guess (the SdI does not check which one is used).
    _leaf(etree.SubElement(parent, "Anagrafica"), "Denominazione", _latin(name, 80, "name"))


def _address(parent: etree._Element, tag: str, address: Address) -> None:
    el = etree.SubElement(parent, tag)
    street = ", ".join(p for p in (address.line1, address.line2) if p)
    _leaf(el, "Indirizzo", _latin(street, 60, "address"))
    postcode = (address.postcode or "").strip()
    if not re.fullmatch(r"[0-9]{5}", postcode):
        if address.country == "IT":
            raise Rejected("fatturapa_cap_invalid", f"Italian CAP {postcode!r} is not five digits")
        postcode = FOREIGN_CAP
    _leaf(el, "CAP", postcode)
    _leaf(el, "Comune", _latin(address.city or "", 60, "city"))
    if address.province is not None and address.country == "IT":
        _leaf(el, "Provincia", address.province)  # 1.2.2.5 / 1.4.2.5: the Italian province's two letters
    _leaf(el, "Nazione", address.country)


def _split_vat(vat_id: str, whose: str) -> tuple[str, str]:
    compact = re.sub(r"[\s.\-]", "", vat_id).upper()
    match = _VAT.fullmatch(compact)
    if match is None:
        raise Rejected("fatturapa_vat_id_invalid", f"VAT id {vat_id!r} of {whose} is not country prefix + code")
    return match.group(1), match.group(2)


def _codice_fiscale(value: str, whose: str) -> str:
    code = value.strip().upper()
    if not re.fullmatch(r"[A-Z0-9]{11,16}", code):
        raise Rejected("fatturapa_codice_fiscale_invalid", f"codice fiscale {value!r} of the {whose}")
    return code


def _latin(value: str, limit: int | None, what: str) -> str:
    """``value`` in the XSD's Latin types: Latin-1 only, one line (normalizedString), within ``limit``."""
    text = " ".join(value.translate(_LATIN_SPELLING).split())
    out: list[str] = []
    for ch in text:
        if ord(ch) < 0x20:  # control characters XML 1.0 cannot carry: dropped
            continue
        if ord(ch) < 0x100:
            out.append(ch)
            continue
        plain = "".join(c for c in unicodedata.normalize("NFKD", ch) if ord(c) < 0x100 and not unicodedata.combining(c))
        if not plain:
            raise Rejected("fatturapa_text_not_latin", f"{what}: {ch!r} has no Latin-1 spelling ({value!r})")
        out.append(plain)
    result = "".join(out)
    if not result or (limit is not None and len(result) > limit):
        raise Rejected("fatturapa_text_length", f"{what} {value!r} must be 1 to {limit} characters")
    return result


def _fits_basic(value: str | None, limit: int) -> bool:
    return bool(value) and len(value or "") <= limit and all(" " <= c <= "~" for c in value or "")


def _basic(value: str, limit: int, what: str) -> str:
    if not _fits_basic(value, limit):
        raise Rejected("fatturapa_text_length", f"{what} {value!r} must be 1 to {limit} ASCII characters")
    return value


def _amount(value: Decimal) -> str:
    """Two decimals (Amount2DecimalType), never by rounding: a third decimal is a record bug the XSD
    must see."""
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent >= -2:
        value = value.quantize(CENT)
    return format(value, "f")


def _eight(value: Decimal) -> str:
    """Quantities and unit prices: 2 to 8 decimals (QuantitaType, Amount8DecimalType), trailing zeros
    beyond the second dropped, never rounded."""
    text = format(value.normalize(), "f")
    whole, _, decimals = text.partition(".")
    return f"{whole}.{decimals.ljust(2, '0')}"


def _rate(value: Decimal) -> str:
    return format(value.quantize(CENT), "f")  # RateType: exactly two decimals ("22.00", "0.00")


def _base36(number: int) -> str:
    digits: list[str] = []
    while True:
        number, rest = divmod(number, 36)
        digits.append(_BASE36[rest])
        if number == 0:
            return "".join(reversed(digits))
