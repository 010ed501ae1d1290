"""Render a stored document record to its files: the structured e-invoices it is due in, then the PDF/A-3.

Deterministic: the only inputs are the record's fields, so re-rendering after a crash produces the same
bytes, and the write-once blob store accepts the retry. Every structured file (the EN 16931 CII and the
legal channel's e-invoice, ``render.formats.formats_for``) passes the validation gate before anything is
returned, so nothing unvalidated is ever stored as final (issue 15 point 3).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from mandat.domain.documents import Document
from mandat.domain.refusals import Rejected


@dataclass(frozen=True)
class Rendered:
    xml: bytes  # the EN 16931 CII, embedded in the PDF
    pdf: bytes
    # The other formats the document is due in (FatturaPA, KSeF FA(3), Peppol BIS ...), by format name.
    files: dict[str, bytes] = field(default_factory=dict)


def render_document(doc: Document, *, schematron: bool = True) -> Rendered:
    """Build every format due, gate each (XSD always, the Schematron when ``schematron``), then the PDF.

    Raises ``Invalid`` (a file failed its rules) or ``Rejected`` (a builder does not cover the case): both
    deterministic, so the caller gives the render up at once instead of retrying it.
    """
    from mandat.render.formats import build, formats_for
    from mandat.render.pdf.invoice import render_pdf

    built: dict[str, bytes] = {}
    for name in formats_for(doc):
        try:
            built[name] = build(name, doc)
        except Rejected as exc:  # say which format refused: the operator reads this
            raise Rejected(exc.code, f"{name}: {exc.reason}") from exc
    for name, xml in built.items():
        _gate(name, xml, schematron=schematron)
    cii = built.pop("en16931-cii")
    return Rendered(xml=cii, pdf=render_pdf(doc, cii), files=built)


# --- shim of mandat.render.validate's run-time gate --------------------------------------------------
# Stands in for ``from mandat.render.validate import gate, Invalid, sampled`` (same signatures) until that
# module lands; the merge replaces everything below by the import.


class Invalid(Exception):
    def __init__(self, format: str, failures: list[str]) -> None:
        self.format = format
        self.failures = failures
        super().__init__(f"{format}: {', '.join(failures)}")


def _sampled(document_id: str, rate: float) -> bool:
    """Deterministic: the same document is always in or out, whichever worker renders it."""
    if rate >= 1.0:
        return True
    draw = int.from_bytes(hashlib.sha256(document_id.encode()).digest()[:8], "big") / 2**64
    return draw < rate


def _gate(format_name: str, xml: bytes, *, schematron: bool = True) -> None:
    from lxml import etree

    if format_name == "en16931-cii":
        from mandat.render.validate import check_xsd, validate

        ids = sorted(validate(xml).ids()) if schematron else (["xsd"] if check_xsd(xml) else [])
    else:
        try:
            root = etree.fromstring(xml, etree.XMLParser(resolve_entities=False, no_network=True))
        except etree.XMLSyntaxError as exc:
            raise Invalid(format_name, [f"xml: {exc}"]) from exc
        schema = _national_xsd(format_name)
        ids = [] if schema is None or schema.validate(root) else [f"xsd: {e.message}" for e in schema.error_log]
    if ids:
        raise Invalid(format_name, ids)


_VALIDATION = [Path(__file__).resolve().parents[4] / "shared" / "validation", Path("/work/shared/validation")]
_XSDS = {
    "fatturapa-fpr12": "it-fatturapa-1.2.2/Schema_del_file_xml_FatturaPA_v1.2.2.xsd",
    "ksef-fa3": "pl-ksef-fa3/schemat_FA(3)_v1-0E.xsd",
}
_LOCAL = {  # imports by URL or namespace only -> the local copies (no network)
    "http://www.w3.org/2000/09/xmldsig#": "es-verifactu-1.0/xmldsig-core-schema.xsd",
    "http://crd.gov.pl/xml/schematy/dziedzinowe/mf/2022/01/05/eD/DefinicjeTypy/": (
        "pl-ksef-fa3/bazowe/StrukturyDanych_v10-0E.xsd"
    ),
}


@cache
def _national_xsd(format_name: str) -> Any:
    from lxml import etree

    base = next((p for p in _VALIDATION if p.is_dir()), None)
    if base is None or format_name not in _XSDS:
        return None
    tree = etree.parse(str(base / _XSDS[format_name]), etree.XMLParser(no_network=True))
    for imp in tree.getroot().iter("{http://www.w3.org/2001/XMLSchema}import"):
        local = _LOCAL.get(imp.get("namespace") or "")
        if local is not None:
            imp.set("schemaLocation", (base / local).as_uri())
    return etree.XMLSchema(tree)
