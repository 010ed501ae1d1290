"""Render a stored document record to its files: CII XML, then the PDF/A-3 that embeds it.

Deterministic: the only inputs are the record's fields, so re-rendering after a
crash produces the same bytes, and the write-once blob store accepts the retry.
"""

from __future__ import annotations

from dataclasses import dataclass

from mandat.domain.documents import Document


@dataclass(frozen=True)
class Rendered:
    xml: bytes
    pdf: bytes


def render_document(doc: Document) -> Rendered:
    from mandat.render.cii import build_cii
    from mandat.render.pdf.invoice import render_pdf

    xml = build_cii(doc)
    return Rendered(xml=xml, pdf=render_pdf(doc, xml))
