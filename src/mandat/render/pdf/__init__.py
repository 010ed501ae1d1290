"""Deterministic PDF/A-3b writer for invoices (Factur-X): see :mod:`mandat.render.pdf.writer`."""

from mandat.render.pdf.writer import FontStyle, Page, PdfWriter

__all__ = ["FontStyle", "Page", "PdfWriter"]
