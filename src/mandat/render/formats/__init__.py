"""National and network e-invoice formats, each built from a ``Document`` only (issue 15).

One record, many formats: every format is a module with ``build(doc) -> bytes`` (deterministic: same
record, same bytes), registered here by name. Which formats a document gets follows the decision table
of ``shared/research/markets-and-formats.md`` §5.2 as the rules recorded it:

* ``en16931-cii``: the EN 16931 CII embedded in the Factur-X PDF, for every document (``render/cii.py``);
* the e-invoice that is the legal invoice where the record names a channel (``Document.legal_channel``, set
  by the country pack): Peppol BIS 3.0 between Belgian businesses, FatturaPA for the SdI, KSeF FA(3);
* ``xrechnung-3-cii`` / ``xrechnung-3-ubl``: on a German buyer's request (a Leitweg-ID, or the syntax asked),
  never by default: Factur-X EN 16931 is the default German structured invoice.

Since the choice is recorded (``Document.formats``, decided by ``rules/einvoice.py`` when the document was
drafted), ``formats_for`` returns the record's list; a record issued before has none, and gets the formats
its legal channel gave then. Every builder takes what it needs from the record (the buyer's Leitweg-ID,
Peppol id, SdI code or PEC), so ``build(name, doc)`` needs no option for any recorded format.

``verifactu`` (Spain, from 2027-01-01 or the seller's earlier start) also needs the previous record of its
chain: the render step keeps the chain (render/document.py). Portugal's ATCUD, QR code and signature are not a
file but marks on the PDF (render/formats/portugal.py, drawn by render/pdf/invoice.py); the French CTC data is
in the CII itself (render/cii.py). docs/formats/README.md lists them all.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from mandat.domain.documents import Document
from mandat.domain.refusals import Rejected

# Format name -> module with build(doc, ...) -> bytes.
FORMATS: dict[str, str] = {
    "en16931-cii": "mandat.render.cii",
    "peppol-bis-3": "mandat.render.formats.peppol",
    "fatturapa-fpr12": "mandat.render.formats.fatturapa",
    "ksef-fa3": "mandat.render.formats.ksef",
    "xrechnung-3-cii": "mandat.render.formats.xrechnung",
    "xrechnung-3-ubl": "mandat.render.formats.xrechnung_ubl",
    # Built with the previous record of its chain (``build(name, doc, previous=...)``): the render step
    # passes the link it stored (render/document.py, chain_links).
    "verifactu": "mandat.render.formats.verifactu",
}
# Builders a module exposes under another name than ``build``.
BUILDERS: dict[str, str] = {"en16931-cii": "build_cii"}
# The legal channel a country pack records -> the format that channel carries.
CHANNEL_FORMAT: dict[str, str] = {
    "Peppol": "peppol-bis-3",
    "SdI": "fatturapa-fpr12",
    "KSeF": "ksef-fa3",
    "VERI*FACTU": "verifactu",
}


def formats_for(doc: Document) -> list[str]:
    """The formats the document is due in, the EN 16931 CII first: as recorded, else (a record issued
    before formats were recorded) the format of its legal channel."""
    if doc.formats:
        return list(doc.formats)
    out = ["en16931-cii"]
    channel = CHANNEL_FORMAT.get(doc.legal_channel or "")
    if channel is not None and channel in FORMATS:
        out.append(channel)
    return out


def build(name: str, doc: Document, **options: Any) -> bytes:
    """The document in format ``name``; Rejected (``format_unknown`` or the builder's own code) otherwise."""
    module = FORMATS.get(name)
    if module is None:
        raise Rejected("format_unknown", f"no format {name!r} (known: {', '.join(FORMATS)})")
    mod = import_module(module)
    builder = getattr(mod, BUILDERS.get(name, "build"))
    result: bytes = builder(doc, **options)
    return result
