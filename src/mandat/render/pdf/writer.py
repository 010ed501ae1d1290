"""A small PDF/A-3b writer for invoices: A4 pages of text, lines and filled rectangles, plus attachments.

Hand-written for speed and stable bytes: general-purpose libraries such as ReportLab take far
longer over a one-page invoice and stamp their output with the time and random IDs. Here
the bytes depend on the calls only:
dates come from the caller, the trailer /ID is an MD5 of the content, numbers have a fixed
precision. See ``font.py`` for how text is encoded (glyph ids only, never string literals,
so user data cannot inject PDF syntax).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Literal

from mandat.render.pdf import xmp
from mandat.render.pdf.font import ZLIB_LEVEL, FontStyle, FontUse
from mandat.render.pdf.syntax import (
    PdfFile,
    byte_string,
    clean_text,
    fingerprint,
    name,
    num,
    num3,
    pdf_date,
    stream,
    text_string,
    xmp_date,
)

__all__ = ["AFRelationship", "FontStyle", "Page", "PdfWriter"]

AFRelationship = Literal["Source", "Data", "Alternative", "Supplement", "Unspecified"]
RGB = tuple[float, float, float]

PRODUCER = "mandat PDF writer"
CREATOR = "mandat"
A4_WIDTH, A4_HEIGHT = 595.28, 841.89
_RELATIONSHIPS = frozenset({"Source", "Data", "Alternative", "Supplement", "Unspecified"})
_LANG = re.compile(r"[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*")
_ICC = Path(__file__).with_name("data") / "sRGB.icc"
_SRGB = b"(sRGB IEC61966-2.1)"
# Word separators: whitespace except the no-break spaces (French "12 500 €", "Facture :").
_BREAK = re.compile(r"[^\S\u00a0\u2007\u202f]+")
# Text that wrapping would change even when it fits: line breaks, tabs, runs of spaces, edge spaces.
_NOT_ONE_LINE = re.compile(r"[^\S \u00a0\u2007\u202f]|  |^ | $")
_RESOURCES: dict[FontStyle, tuple[str, str]] = {"regular": ("F1", "F3"), "bold": ("F2", "F4")}


@cache
def _icc_stream() -> tuple[bytes, bytes]:
    body = stream(b"/N 3 /Filter /FlateDecode", zlib.compress(_ICC.read_bytes(), 9))
    return body, fingerprint(body)


@dataclass(frozen=True, slots=True)
class _Attachment:
    filename: str
    data: bytes
    mime: str
    relationship: AFRelationship
    description: str
    modified: datetime


class Page:
    """An A4 portrait page; coordinates in points from the bottom-left corner."""

    __slots__ = ("_fill", "_fonts", "_line_width", "_ops", "_stroke")

    def __init__(self, fonts: Callable[[FontStyle], FontUse]) -> None:
        self._fonts = fonts
        self._ops: list[str] = []
        # Colours and line width persist in the graphics state; only changes are written.
        self._fill: RGB | None = None
        self._stroke: float | None = None
        self._line_width: float | None = None

    def text(
        self, x: float, y: float, s: str, size: float = 9.0, style: FontStyle = "regular", color: RGB = (0.0, 0.0, 0.0)
    ) -> None:
        """Draw *s* with its baseline starting at (*x*, *y*)."""
        if not s:
            return
        if not size > 0:
            raise ValueError(f"font size must be positive: {size!r}")
        extra, codes = self._fonts(style).encode(s)
        if color != self._fill:
            self._set_fill(color)
        font = _RESOURCES[style][extra]
        self._ops.append(f"BT /{font} {num(size)} Tf {num(x)} {num(y)} Td <{codes}> Tj ET")

    def text_right(
        self,
        x_right: float,
        y: float,
        s: str,
        size: float = 9.0,
        style: FontStyle = "regular",
        color: RGB = (0.0, 0.0, 0.0),
    ) -> None:
        """Draw *s* so that it ends at *x_right*."""
        self.text(x_right - self._fonts(style).units(s) * size / 1000, y, s, size, style, color)

    def line(self, x1: float, y1: float, x2: float, y2: float, width: float = 0.5, gray: float = 0.6) -> None:
        """Stroke a straight line in a shade of grey (0 black, 1 white)."""
        ops = self._ops
        if width != self._line_width:
            if not width >= 0:
                raise ValueError(f"line width must not be negative: {width!r}")
            ops.append(f"{num3(width)} w")
            self._line_width = width
        if gray != self._stroke:
            _check_unit((gray,))
            g = num3(gray)
            ops.append(f"{g} {g} {g} RG")  # DeviceRGB throughout: the output intent is an RGB profile
            self._stroke = gray
        ops.append(f"{num(x1)} {num(y1)} m {num(x2)} {num(y2)} l S")

    def rect(self, x: float, y: float, w: float, h: float, fill_gray: float = 0.95) -> None:
        """Fill a rectangle, without outline, from its bottom-left corner (*x*, *y*)."""
        fill = (fill_gray, fill_gray, fill_gray)
        if fill != self._fill:
            self._set_fill(fill)
        self._ops.append(f"{num(x)} {num(y)} {num(w)} {num(h)} re f")

    def vector(self, ops: bytes) -> None:
        """Append operators built by our own drawing code (e.g. :func:`mandat.render.pdf.qr.qr_path`).

        Never text: every string goes through :meth:`text`, which encodes glyph ids. The operators
        must leave the graphics state as they found it (``q ... Q``), so the tracked colours stay true.
        """
        text = ops.decode("ascii")
        if not text.startswith("q ") or not text.endswith(" Q"):
            raise ValueError("vector operators must be wrapped in q ... Q")
        self._ops.append(text)

    def _set_fill(self, color: RGB) -> None:
        _check_unit(color)
        self._ops.append(f"{num3(color[0])} {num3(color[1])} {num3(color[2])} rg")
        self._fill = color

    def content(self) -> bytes:
        return zlib.compress("\n".join(self._ops).encode("ascii"), ZLIB_LEVEL)


def _check_unit(values: tuple[float, ...]) -> None:
    if not all(0.0 <= v <= 1.0 for v in values):
        raise ValueError(f"colour components must be within 0..1: {values!r}")


class PdfWriter:
    """One PDF/A-3b document. Nothing is read from the clock or the environment."""

    def __init__(self, title: str, author: str, subject: str, lang: str, created: datetime) -> None:
        if not _LANG.fullmatch(lang):
            raise ValueError(f"not a BCP 47 language tag: {lang!r}")
        self._title, self._author, self._subject = clean_text(title), clean_text(author), clean_text(subject)
        self._lang = lang
        self._date = pdf_date(created)  # validates the datetime now rather than at to_bytes
        self._xmp_date = xmp_date(created)
        self._created = created
        self._pages: list[Page] = []
        self._fonts: dict[FontStyle, FontUse] = {}
        self._attachments: list[_Attachment] = []
        self._facturx: xmp.FacturX | None = None

    def _font(self, style: FontStyle) -> FontUse:
        use = self._fonts.get(style)
        if use is None:
            if style not in _RESOURCES:
                raise ValueError(f"unknown font style: {style!r}")
            use = self._fonts[style] = FontUse(style)
        return use

    def add_page(self) -> Page:
        page = Page(self._font)
        self._pages.append(page)
        return page

    def text_width(self, s: str, size: float, style: FontStyle = "regular") -> float:
        """Advance width of *s* in points, exactly as :meth:`Page.text` will draw it."""
        return self._font(style).units(s) * size / 1000

    def wrap(self, s: str, width: float, size: float, style: FontStyle = "regular") -> list[str]:
        """Greedy word wrap of *s* into lines no wider than *width* points.

        Line breaks in *s* are kept (an empty line stays an empty string), runs of spaces
        collapse to one, no-break spaces never break, and a word longer than a line is cut
        between characters. Only a single character wider than *width* exceeds it.
        """
        if not size > 0:
            raise ValueError(f"font size must be positive: {size!r}")
        if not s.strip():
            return []
        units = self._font(style).units
        limit = width * 1000 / size
        if units(s) <= limit and _NOT_ONE_LINE.search(s) is None:
            return [s]  # the usual case: a short field, already on one line
        space = units(" ")
        lines: list[str] = []
        for paragraph in s.splitlines():
            line, line_units = "", 0
            for word in _BREAK.split(paragraph):
                if not word:
                    continue
                word_units = units(word)
                if line and line_units + space + word_units <= limit:
                    line, line_units = f"{line} {word}", line_units + space + word_units
                    continue
                if line:
                    lines.append(line)
                line, line_units = word, word_units
                while line_units > limit and len(line) > 1:
                    cut = _fitting_prefix(line, limit, units)
                    lines.append(line[:cut])
                    line = line[cut:]
                    line_units = units(line)
            lines.append(line)
        return lines

    def attach(
        self,
        filename: str,
        data: bytes,
        mime: str = "text/xml",
        relationship: AFRelationship = "Data",
        description: str = "",
        modified: datetime | None = None,
    ) -> None:
        """Embed a file, listed in the catalog's /AF and in the attachments panel."""
        if relationship not in _RELATIONSHIPS:
            raise ValueError(f"unknown AFRelationship: {relationship!r}")
        name(mime)  # fail now on an empty MIME type
        filename = clean_text(filename)
        if not filename or any(a.filename == filename for a in self._attachments):
            raise ValueError(f"attachment file name empty or already used: {filename!r}")
        pdf_date(modified or self._created)  # fail now on a naive datetime
        self._attachments.append(
            _Attachment(filename, bytes(data), mime, relationship, clean_text(description), modified or self._created)
        )

    def set_facturx_xmp(
        self,
        conformance_level: str = "EN 16931",
        document_type: str = "INVOICE",
        filename: str = "factur-x.xml",
        version: str = "1.0",
    ) -> None:
        """Declare the Factur-X XMP properties; *filename* must be attached before :meth:`to_bytes`."""
        if conformance_level not in xmp.FACTURX_LEVELS:
            raise ValueError(f"unknown Factur-X conformance level: {conformance_level!r}")
        self._facturx = xmp.FacturX(conformance_level, clean_text(document_type), clean_text(filename), version)

    def to_bytes(self) -> bytes:
        if not self._pages:
            raise ValueError("a PDF needs at least one page")
        if self._facturx and all(a.filename != self._facturx.filename for a in self._attachments):
            raise ValueError(f"Factur-X file {self._facturx.filename!r} is not attached")
        pdf = PdfFile()
        catalog, pages = pdf.reserve(), pdf.reserve()

        fonts: list[bytes] = []
        descriptors: dict[str, int] = {}
        for style in ("regular", "bold"):
            if style in self._fonts:
                for resource, ref in zip(_RESOURCES[style], self._fonts[style].emit(pdf, descriptors), strict=True):
                    if ref is not None:
                        fonts.append(b"/%s %d 0 R" % (resource.encode(), ref))
        resources = pdf.add(b"<< /Font << %s >> >>" % b" ".join(fonts))
        kids = []
        for page in self._pages:
            content = pdf.add(stream(b"/Filter /FlateDecode", page.content()))
            kids.append(
                b"%d 0 R"
                % pdf.add(
                    b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 %s %s] /Resources %d 0 R /Contents %d 0 R >>"
                    % (pages, num(A4_WIDTH).encode(), num(A4_HEIGHT).encode(), resources, content)
                )
            )
        pdf.set(pages, b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(kids), len(kids)))

        metadata = xmp.packet(
            title=self._title,
            author=self._author,
            subject=self._subject,
            producer=PRODUCER,
            creator=CREATOR,
            date=self._xmp_date,
            facturx=self._facturx,
        )
        metadata_ref = pdf.add(stream(b"/Type /Metadata /Subtype /XML", metadata))
        icc = pdf.add(*_icc_stream())
        catalog_entries = [
            b"/Type /Catalog /Pages %d 0 R /Metadata %d 0 R /Lang (%s)" % (pages, metadata_ref, self._lang.encode()),
            b"/OutputIntents [<< /Type /OutputIntent /S /GTS_PDFA1 /OutputConditionIdentifier %s /Info %s"
            b" /RegistryName (http://www.color.org) /DestOutputProfile %d 0 R >>]" % (_SRGB, _SRGB, icc),
            b"/ViewerPreferences << /DisplayDocTitle true >>",
        ]
        if self._attachments:
            specs = self._embed_files(pdf)
            catalog_entries.append(b"/AF [%s]" % b" ".join(b"%d 0 R" % ref for _, ref in specs))
            tree = b" ".join(b"%s %d 0 R" % (key, ref) for key, ref in sorted(specs))  # name trees are sorted
            catalog_entries.append(b"/Names << /EmbeddedFiles << /Names [%s] >> >>" % tree)
        pdf.set(catalog, b"<< %s >>" % b" ".join(catalog_entries))

        info_entries = [b"/Producer %s /Creator %s" % (text_string(PRODUCER), text_string(CREATOR))]
        for key, value in ((b"Title", self._title), (b"Author", self._author), (b"Subject", self._subject)):
            if value:  # empty entries are left out, as in the XMP
                info_entries.append(b"/%s %s" % (key, text_string(value)))
        info_entries.append(b"/CreationDate %s /ModDate %s" % (self._date, self._date))
        info = pdf.add(b"<< %s >>" % b" ".join(info_entries))
        return pdf.to_bytes(catalog, info)

    def _embed_files(self, pdf: PdfFile) -> list[tuple[bytes, int]]:
        """Write each attachment; returns (name tree key, file specification) pairs."""
        specs = []
        for a in self._attachments:
            checksum = hashlib.md5(a.data, usedforsecurity=False).digest()
            data = pdf.add(
                stream(
                    b"/Type /EmbeddedFile /Subtype %s /Params << /Size %d /ModDate %s /CheckSum %s >>"
                    b" /Filter /FlateDecode" % (name(a.mime), len(a.data), pdf_date(a.modified), byte_string(checksum)),
                    zlib.compress(a.data, ZLIB_LEVEL),
                )
            )
            key = text_string(a.filename)
            # /F is a byte string of no defined encoding; /UF carries the real name.
            ascii_name = "".join(c if " " <= c <= "~" else "_" for c in a.filename)
            spec = pdf.add(
                b"<< /Type /Filespec /F %s /UF %s /Desc %s /AFRelationship %s /EF << /F %d 0 R /UF %d 0 R >> >>"
                % (byte_string(ascii_name.encode()), key, text_string(a.description), name(a.relationship), data, data)
            )
            specs.append((key, spec))
        return specs


def _fitting_prefix(word: str, limit: float, units: Callable[[str], int]) -> int:
    """Length of the longest prefix of *word* within *limit* (at least 1), not splitting off accents."""
    total = 0
    for i, char in enumerate(word):
        total += units(char)
        if total > limit and i > 0:
            while i > 1 and unicodedata.combining(word[i]):
                i -= 1
            return i
    return len(word)
