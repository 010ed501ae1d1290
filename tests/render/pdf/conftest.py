"""Fixtures for the PDF writer tests: an invoice-like sample document and the strings drawn on it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta, timezone

import pytest

from mandat.render.pdf.writer import PdfWriter

PARIS = timezone(timedelta(hours=1))
CREATED = datetime(2025, 1, 15, 10, 30, 5, 123456, tzinfo=PARIS)
XML = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n<rsm:CrossIndustryInvoice xmlns:rsm="urn:x">'
    + (b"<Line>R\xc3\xa9f. \xe2\x82\xac</Line>" * 500)
    + b"</rsm:CrossIndustryInvoice>\n"
)

# Drawn one per line, so that text extraction returns each of them as a line.
LINES: list[str] = [
    "Facture n° F-ABC-000001 — 12,50 €",
    "« Chaussures de randonnée » • 3 × 19,99 € … ‰",
    "Łódź, Żółć, Gdańsk — 1 234,00 zł",
    "Straße 5, München — Größe ß ẞ",
    "España: año, niño; Portugal: ação, coração",
    "Nederland: ‘ĳs’ “appel” – café",
    "Price £12.00 ¥300 ₹50 № 42 °C",
]
INJECTIONS: list[str] = [
    ") Tj ET (",
    "(unbalanced \\ backslash",
    "50% off >> /JavaScript << endstream endobj",
    "<FEFF0041> trailer %%EOF",
]
FALLBACK: list[str] = [
    "Zhang 张伟 株式会社",  # no glyph in DejaVu: drawn as U+FFFD, extracted as written
    "Ωμέγα Δ — Кириллица",  # in DejaVu but not in the Latin subset: fontTools path
    "Smile 😀 ☺",
]


def build_sample(**overrides: object) -> PdfWriter:
    """A writer with the sample content; keyword arguments override the constructor's."""
    args: dict[str, object] = {
        "title": "Facture F-ABC-000001",
        "author": "Boutique Éléonore SARL",
        "subject": "Facture de vente",
        "lang": "fr-FR",
        "created": CREATED,
    }
    args.update(overrides)
    pdf = PdfWriter(**args)  # type: ignore[arg-type]
    page = pdf.add_page()
    y = 800.0
    for i, text in enumerate(LINES + INJECTIONS + FALLBACK):
        page.text(50, y, text, size=9, style="bold" if i % 2 else "regular")
        y -= 14
    page.text_right(545, y, "Total TTC 351,23 €", size=10, style="bold", color=(0.1, 0.2, 0.5))
    page.line(50, y - 5, 545, y - 5, width=0.5, gray=0.6)
    page.rect(50, y - 30, 495, 20, fill_gray=0.95)
    pdf.add_page().text(50, 800, "Page 2 — suite", size=9)
    pdf.attach("factur-x.xml", XML, "text/xml", "Data", "Factur-X invoice", CREATED)
    pdf.set_facturx_xmp("EN 16931", "INVOICE", "factur-x.xml", "1.0")
    return pdf


@pytest.fixture
def build() -> Callable[..., PdfWriter]:
    return build_sample


@pytest.fixture
def sample() -> bytes:
    return build_sample().to_bytes()


@pytest.fixture
def created() -> datetime:
    return CREATED


@pytest.fixture
def xml() -> bytes:
    return XML


@pytest.fixture
def latin_lines() -> list[str]:
    return LINES


@pytest.fixture
def injections() -> list[str]:
    return INJECTIONS


@pytest.fixture
def fallback_lines() -> list[str]:
    return FALLBACK
