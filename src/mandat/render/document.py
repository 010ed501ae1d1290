"""Render a stored document record to its files: the structured e-invoices it is due in, then the PDF/A-3.

Deterministic: the inputs are the record's fields and, for the formats that chain documents (Spain's
VERI*FACTU huella, Portugal's signature), the link of the document before it, which the service computes
once and stores (``chain_links``): re-rendering after a crash produces the same bytes, and the write-once
blob store accepts the retry. Every structured file (the EN 16931 CII and each format of
``render.formats.formats_for``) passes the validation gate (``render/validate.py``) before anything is
returned, so nothing unvalidated is ever stored as final (issue 15 point 3).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from mandat.domain.documents import Document
from mandat.domain.refusals import Rejected
from mandat.render.validate import Invalid, gate, sampled

if TYPE_CHECKING:
    from mandat.render.formats.verifactu import Link as VerifactuLink
    from mandat.render.formats.verifactu import SistemaInformatico
    from mandat.render.pdf.invoice import Marks

__all__ = [
    "Chained",
    "Invalid",
    "PortugalMarks",
    "Rendered",
    "cii_rules",
    "render_document",
    "sampled",
    "verifactu_system",
]


@dataclass(frozen=True)
class Rendered:
    xml: bytes  # the EN 16931 CII, embedded in the PDF
    pdf: bytes
    # The other formats the document is due in (FatturaPA, KSeF FA(3), Peppol BIS ...), by format name.
    files: dict[str, bytes] = field(default_factory=dict)


@dataclass(frozen=True)
class PortugalMarks:
    """What a Portuguese document prints (Portaria 195/2020; Despacho 8632/2014), as stored in its chain link."""

    atcud: str  # "<validation code>-<seq>"
    signature: str  # this document's signature (its 4 hash characters are printed)
    certificate: str  # the AT certificate number of the deployment


@dataclass(frozen=True)
class Chained:
    """What a document's files need from the documents before it in their chains (the service's part)."""

    verifactu: VerifactuLink | None = None  # the previous VERI*FACTU record; None: the first of its chain
    portugal: PortugalMarks | None = None  # None: no certified deployment configured, no ATCUD/QR


def verifactu_system(doc: Document) -> SistemaInformatico:
    """The record's ``SistemaInformatico``: mandat, one installation per series of the series' owner, each
    with its own chain (service/chains.py says why)."""
    from mandat.render.formats.verifactu import DEFAULT_SYSTEM

    return replace(DEFAULT_SYSTEM, installation=f"{doc.series_owner or doc.seller_id}/{doc.series}"[:100])


def cii_rules(doc: Document) -> str:
    """The gate's rule set for the document's CII: the EXTENDED-CTC-FR profile of a French e-invoice of the
    reform (render/cii.is_french_einvoice) is checked with BR-FR and the profile's rules too."""
    from mandat.render.cii import is_french_einvoice

    return "en16931-cii-ctc-fr" if is_french_einvoice(doc) else "en16931-cii"


def render_document(doc: Document, *, schematron: bool = True, chained: Chained | None = None) -> Rendered:
    """Build every format due, gate each (XSD always, the Schematron when ``schematron``), then the PDF.

    Raises ``Invalid`` (a file failed its rules) or ``Rejected`` (a builder does not cover the case): both
    deterministic, so the caller gives the render up at once instead of retrying it.
    """
    from mandat.render.formats import build, formats_for
    from mandat.render.pdf.invoice import render_pdf

    chained = chained or Chained()
    built: dict[str, bytes] = {}
    for name in formats_for(doc):
        options: dict[str, Any] = {}
        if name == "verifactu":
            options = {"previous": chained.verifactu, "system": verifactu_system(doc)}
        try:
            built[name] = build(name, doc, **options)
        except Rejected as exc:  # say which format refused: the operator reads this
            raise Rejected(exc.code, f"{name}: {exc.reason}") from exc
    for name, xml in built.items():
        gate(cii_rules(doc) if name == "en16931-cii" else name, xml, schematron=schematron)
    cii = built.pop("en16931-cii")
    return Rendered(xml=cii, pdf=render_pdf(doc, cii, marks=marks(doc, built, chained)), files=built)


def marks(doc: Document, built: dict[str, bytes], chained: Chained) -> Marks | None:
    """The codes and lines the national rules print on the PDF (render/pdf/invoice.py draws them).

    * VERI*FACTU (Orden HAC/1177/2024 art. 20-21; AEAT QR spec §3): the QR code at the top, "QR tributario:"
      above it, the legend under it. The PDF is the invoice; the record goes to the AEAT.
    * Portugal (Portaria 195/2020 art. 3-4): the AT QR code and the ATCUD, the ATCUD on every page too, and
      the 4 hash characters with the certificate number (Despacho 8632/2014). The PDF is the invoice.
    * KSeF (FA(3) visualisation, kody-qr.md): KOD I with "OFFLINE" under it until KSeF numbers the invoice
      (transmission, issue 16); the PDF stays a copy of the FA(3) file.
    """
    from mandat.render.pdf.invoice import Marks, PrintedCode

    if "verifactu" in built:
        from mandat.render.formats import verifactu

        code = PrintedCode(verifactu.qr_url(doc), heading="QR tributario:", size_mm=30)
        return Marks(codes=(code,), legend=verifactu.LEGEND, channel_notice=False)
    if chained.portugal is not None:
        from mandat.render.formats import portugal

        pt = chained.portugal
        hash4 = portugal.hash_chars(pt.signature)
        printed = portugal.printed_atcud(pt.atcud)
        payload = portugal.qr_string(doc, atcud=pt.atcud, hash4=hash4, certificate=pt.certificate)
        code = PrintedCode(payload, heading=printed, caption=portugal.certificate_mention(hash4, pt.certificate))
        return Marks(codes=(code,), every_page=printed, channel_notice=False)
    if "ksef-fa3" in built:
        from mandat.render.formats import ksef, ksef_qr

        url = ksef_qr.kod_i_url(seller_nip=ksef.seller_nip(doc), issue_date=doc.issue_date, xml=built["ksef-fa3"])
        return Marks(codes=(PrintedCode(url, caption=ksef_qr.kod_i_caption(None)),))
    from mandat.render.cii import is_french_einvoice

    if is_french_einvoice(doc):  # the Factur-X file itself is the e-invoice the platform carries: no "copy"
        return Marks(channel_notice=False)
    return None
