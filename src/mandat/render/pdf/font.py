"""DejaVu Sans embedded as Type0 / CIDFontType2 fonts, with a prebuilt subset as fast path.

Subsetting a TrueType font with fontTools takes about 100 ms, fifty times the budget of a
whole invoice. So ``scripts/build_fonts.py`` subsets each font once (Latin, punctuation,
currency signs) and stores the deflated program with its cmap and widths in
``fonts/<name>.subset.{bin,json}``.
In that prebuilt font the CID of a character *is* its code point: encoding a run is a single
``str.encode("utf-16-be")``, and the ToUnicode CMap and CIDToGIDMap are constants built once
per process. Only the ``/W`` array of the glyphs actually drawn is built per document.

A run holding a character the subset lacks (CJK, Greek, emoji, control characters...) is
drawn with a per-document "extra" font instead, whose CIDs are numbered in first-use order
and mapped one-to-one to characters, so that text extraction returns the original string
even when several characters share a glyph. The extra font reuses the prebuilt program when
it has every glyph needed, else the prebuilt "wide" program (``fonts/<name>.wide.{bin,json}``:
Latin, Greek, Cyrillic, Armenian, Georgian, Hebrew), so that a Greek or Russian name costs no
more than a Latin one, and only otherwise (Arabic, rare symbols) subsets the full TTF with
fontTools for that document. Which program a document embeds depends on its characters alone,
never on what the process rendered before, so the bytes do not either. A character DejaVu has
no glyph for is drawn as U+FFFD: PDF/A forbids showing ``.notdef`` (ISO 19005-3, 6.2.11.8),
and the ToUnicode entry still names the real character.
"""

from __future__ import annotations

import functools
import hashlib
import io
import json
import unicodedata
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from importlib.util import find_spec
from pathlib import Path
from typing import Any, Literal

from mandat.render.pdf.syntax import PdfFile, fingerprint, stream

FontStyle = Literal["regular", "bold"]

FONT_DIR = Path(__file__).with_name("fonts")
FONT_NAMES: dict[FontStyle, str] = {"regular": "DejaVuSans", "bold": "DejaVuSans-Bold"}
REPLACEMENT = "\ufffd"
# Level 3: measured on a 10-line invoice's CII, 0.08 ms against 0.30 ms at zlib's default 6, for a
# stream 11 % larger (3.2 against 2.9 KiB). Render time is what a worker spends; bytes are cheap.
ZLIB_LEVEL = 3

_CMAP_HEAD = (
    b"/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
    b"/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
    b"/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
    b"1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n"
)
_CMAP_TAIL = b"endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n"


def stand_in(char: str, has_glyph: Callable[[int], bool]) -> str:
    """The character whose glyph draws *char*: itself, a space, or U+FFFD.

    Control characters never have a usable glyph, whatever the font's cmap says; the
    whitespace ones (tab, newline...) look best as a space, the others must stay visible.
    """
    if unicodedata.category(char) not in ("Cc", "Cs") and has_glyph(ord(char)):
        return char
    return " " if char.isspace() else REPLACEMENT


def subset_options() -> Any:
    """fontTools options shared by the build script and the fallback path, so both embed the same glyphs."""
    from fontTools import subset

    options = subset.Options()
    # Hinting only helps small text on low-resolution screens; dropping it saves a third of the size.
    options.hinting = False
    options.layout_features = []  # no shaping: GSUB/GPOS/kern would be dead weight
    options.drop_tables += ["FFTM", "GDEF", "GPOS", "GSUB", "MATH", "kern"]
    options.notdef_outline = True
    # Keep the copyright, licence text and URL: the Bitstream Vera licence travels with every copy.
    options.name_IDs = [0, 1, 2, 3, 4, 5, 6, 13, 14]
    options.name_languages = [0x409]
    return options


def subset_tag(program: bytes) -> str:
    """Six-letter subset prefix (ISO 32000-1, 9.6.4), derived from the program so it is stable."""
    return "".join(chr(65 + b % 26) for b in hashlib.md5(program, usedforsecurity=False).digest()[:6])


def font_program_stream(program: bytes) -> bytes:
    return stream(b"/Filter /FlateDecode /Length1 %d" % len(program), zlib.compress(program, ZLIB_LEVEL))


def to_unicode_stream(ranges: Iterable[tuple[int, int, str]]) -> bytes:
    """A ToUnicode CMap from (first CID, last CID, text of the first CID) ranges.

    A range maps consecutive CIDs to consecutive code points; a one-CID range is a bfchar.
    """
    chars: list[bytes] = []
    spans: list[bytes] = []
    for first, last, text in ranges:
        dst = text.encode("utf-16-be", "surrogatepass").hex().upper().encode()
        if first == last:
            chars.append(b"<%04X> <%s>" % (first, dst))
        else:
            spans.append(b"<%04X> <%04X> <%s>" % (first, last, dst))
    body = [_CMAP_HEAD]
    for entries, op in ((chars, b"bfchar"), (spans, b"bfrange")):
        for i in range(0, len(entries), 100):  # at most 100 entries per block (PDF 9.10.3)
            chunk = entries[i : i + 100]
            body += [b"%d begin%s\n" % (len(chunk), op), b"\n".join(chunk), b"\nend%s\n" % op]
    body.append(_CMAP_TAIL)
    return stream(b"/Filter /FlateDecode", zlib.compress(b"".join(body), ZLIB_LEVEL))


def cid_to_gid_stream(gids: Iterable[tuple[int, int]], last_cid: int) -> bytes:
    table = bytearray(2 * (last_cid + 1))
    for cid, gid in gids:
        table[2 * cid : 2 * cid + 2] = gid.to_bytes(2, "big")
    return stream(b"/Filter /FlateDecode", zlib.compress(bytes(table), ZLIB_LEVEL))


def widths_array(widths: Iterable[tuple[int, int]]) -> bytes:
    """``/W`` array from (CID, width) pairs sorted by CID, one sub-array per run of consecutive CIDs."""
    out: list[bytes] = []
    run: list[bytes] = []
    previous = -2
    for cid, width in widths:
        if cid != previous + 1 and run:
            out.append(b"[%s]" % b" ".join(run))
            run = []
        if not run:
            out.append(b"%d" % cid)
        run.append(b"%d" % width)
        previous = cid
    if run:
        out.append(b"[%s]" % b" ".join(run))
    return b"[%s]" % b" ".join(out)


def _hex_cid(cid: int) -> str:
    return f"{cid:04x}"


@dataclass(frozen=True, slots=True)
class Metrics:
    flags: int
    bbox: tuple[int, int, int, int]
    italic_angle: float
    ascent: int
    descent: int
    cap_height: int
    stem_v: int

    def descriptor(self, base_font: str, font_file: int) -> bytes:
        return (
            b"<< /Type /FontDescriptor /FontName /%s /Flags %d /FontBBox [%d %d %d %d] /ItalicAngle %s"
            b" /Ascent %d /Descent %d /CapHeight %d /StemV %d /FontFile2 %d 0 R >>"
            % (
                base_font.encode(),
                self.flags,
                *self.bbox,
                f"{self.italic_angle:g}".encode(),
                self.ascent,
                self.descent,
                self.cap_height,
                self.stem_v,
                font_file,
            )
        )


@dataclass(frozen=True, slots=True)
class Prebuilt:
    """One style's prebuilt subset, loaded once per process, plus the full font's widths."""

    style: FontStyle
    base_font: str
    metrics: Metrics
    widths: dict[str, int]  # covered character -> advance; its CID is its code point
    gids: dict[str, int]  # covered character -> glyph id in the subset program
    full_widths: dict[int, int]  # every code point the full TTF maps -> advance
    font_file: bytes  # FontFile2 stream object, pre-deflated
    font_file_md5: bytes
    cid_to_gid: bytes
    to_unicode: bytes
    _extra: dict[str, str] = field(default_factory=dict)  # memo for extra_glyph

    def extra_glyph(self, char: str) -> str:
        """Character whose glyph draws *char*, a character this subset does not cover."""
        glyph = self._extra.get(char)
        if glyph is None:
            glyph = stand_in(char, self.full_widths.__contains__)
            if glyph not in self.gids and not can_subset():
                glyph = REPLACEMENT  # without fontTools only the prebuilt glyphs exist
            self._extra[char] = glyph
        return glyph


@functools.cache
def can_subset() -> bool:
    """fontTools is only needed for text outside the prebuilt subsets."""
    return find_spec("fontTools") is not None


@functools.cache
def prebuilt(style: FontStyle) -> Prebuilt:
    name = FONT_NAMES[style]
    meta = json.loads((FONT_DIR / f"{name}.subset.json").read_text(encoding="utf-8"))
    covered = [(chr(cp), gid, width) for cp, gid, width in meta["glyphs"]]
    full_widths: dict[int, int] = {}
    for first, run in meta["full_widths"]:
        full_widths.update(zip(range(first, first + len(run)), run, strict=True))
    ranges: list[tuple[int, int, str]] = []
    for cp in sorted(ord(c) for c, _, _ in covered):
        # A bfrange may only vary the last byte of its codes, so ranges stop at each 256 boundary.
        if ranges and ranges[-1][1] == cp - 1 and cp & 0xFF:
            ranges[-1] = (ranges[-1][0], cp, ranges[-1][2])
        else:
            ranges.append((cp, cp, chr(cp)))
    font_file = stream(
        b"/Filter /FlateDecode /Length1 %d" % meta["length1"], (FONT_DIR / f"{name}.subset.bin").read_bytes()
    )
    return Prebuilt(
        style=style,
        base_font=meta["base_font"],
        metrics=Metrics(**{**meta["metrics"], "bbox": tuple(meta["metrics"]["bbox"])}),
        widths={c: width for c, _, width in covered},
        gids={c: gid for c, gid, _ in covered},
        full_widths=full_widths,
        font_file=font_file,
        font_file_md5=fingerprint(font_file),
        cid_to_gid=cid_to_gid_stream(((ord(c), gid) for c, gid, _ in covered), max(ord(c) for c, _, _ in covered)),
        to_unicode=to_unicode_stream(ranges),
    )


@dataclass(frozen=True, slots=True)
class Wide:
    """One style's prebuilt wide program, loaded on first use (most processes never draw Greek)."""

    base_font: str
    gids: dict[str, int]  # character -> glyph id in the wide program
    font_file: bytes  # FontFile2 stream object, pre-deflated
    font_file_md5: bytes


@functools.cache
def wide(style: FontStyle) -> Wide:
    name = FONT_NAMES[style]
    meta = json.loads((FONT_DIR / f"{name}.wide.json").read_text(encoding="utf-8"))
    font_file = stream(
        b"/Filter /FlateDecode /Length1 %d" % meta["length1"], (FONT_DIR / f"{name}.wide.bin").read_bytes()
    )
    return Wide(
        base_font=meta["base_font"],
        gids={chr(cp): gid for cp, gid in meta["glyphs"]},
        font_file=font_file,
        font_file_md5=fingerprint(font_file),
    )


@functools.lru_cache(maxsize=32)
def subset_full_font(style: FontStyle, chars: frozenset[str]) -> tuple[str, bytes, dict[str, int]]:
    """Subset the shipped TTF to *chars*: (base font name, FontFile2 stream object, glyph ids)."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    name = FONT_NAMES[style]
    font = TTFont(FONT_DIR / f"{name}.ttf", recalcTimestamp=False)  # the clock must not leak in
    subsetter = subset.Subsetter(subset_options())
    subsetter.populate(unicodes={ord(c) for c in chars})
    subsetter.subset(font)
    cmap = font.getBestCmap()
    gids = {c: int(font.getGlyphID(cmap[ord(c)])) for c in chars}
    buffer = io.BytesIO()
    font.save(buffer)
    program = buffer.getvalue()
    return f"{subset_tag(program)}+{name}", font_program_stream(program), gids


class FontUse:
    """What one document draws in one style: fast-path characters and the extra font's CIDs."""

    __slots__ = ("_widths", "extra", "font", "used")

    def __init__(self, style: FontStyle) -> None:
        self.font = prebuilt(style)
        self._widths = self.font.widths
        self.used: set[str] = set()
        self.extra: dict[str, int] = {}  # character -> CID in the extra font, from 1 in first-use order

    def units(self, s: str) -> int:
        """Advance width of *s* in thousandths of the font size."""
        try:
            return sum(map(self._widths.__getitem__, s))
        except KeyError:
            return sum(self._char_units(c) for c in s)

    def _char_units(self, char: str) -> int:
        width = self._widths.get(char)
        if width is None:
            width = self.font.full_widths[ord(self.font.extra_glyph(char))]
        return width

    def encode(self, s: str) -> tuple[bool, str]:
        """Hex glyph codes of *s*, and whether they address the extra font."""
        if self._widths.keys() >= set(s):
            self.used.update(s)
            return False, s.encode("utf-16-be").hex()
        extra = self.extra
        for char in s:
            if char not in extra:
                if len(extra) >= 0xFFFF:
                    raise ValueError("more than 65535 distinct characters outside the Latin subset")
                extra[char] = len(extra) + 1
        return True, "".join([_hex_cid(extra[c]) for c in s])

    def emit(self, pdf: PdfFile, descriptors: dict[str, int]) -> tuple[int | None, int | None]:
        """Write the fast and extra fonts, if used; *descriptors* shares descriptors by font name."""
        font = self.font
        fast = extra = None
        if self.used:
            widths = widths_array((ord(c), font.widths[c]) for c in sorted(self.used))
            fast = self._type0(
                pdf,
                font.base_font,
                self._descriptor(pdf, descriptors),
                widths,
                pdf.add(font.cid_to_gid),
                pdf.add(font.to_unicode),
            )
        if self.extra:
            glyphs = {c: font.extra_glyph(c) for c in self.extra}
            wide_font = wide(font.style)
            if all(g in font.gids for g in glyphs.values()):
                base_font, gid_of = font.base_font, font.gids
                descriptor = self._descriptor(pdf, descriptors)
            elif all(g in wide_font.gids for g in glyphs.values()):
                base_font, gid_of = wide_font.base_font, wide_font.gids
                if base_font not in descriptors:
                    descriptors[base_font] = pdf.add(
                        font.metrics.descriptor(base_font, pdf.add(wide_font.font_file, wide_font.font_file_md5))
                    )
                descriptor = descriptors[base_font]
            else:
                base_font, program, gid_of = subset_full_font(font.style, frozenset(glyphs.values()))
                descriptor = pdf.add(font.metrics.descriptor(base_font, pdf.add(program)))
            cids = sorted((cid, glyphs[c]) for c, cid in self.extra.items())
            extra = self._type0(
                pdf,
                base_font,
                descriptor,
                widths_array((cid, font.full_widths[ord(g)]) for cid, g in cids),
                pdf.add(cid_to_gid_stream(((cid, gid_of[g]) for cid, g in cids), len(cids))),
                pdf.add(to_unicode_stream((cid, cid, _text_of(c)) for c, cid in self.extra.items())),
            )
        return fast, extra

    def _descriptor(self, pdf: PdfFile, descriptors: dict[str, int]) -> int:
        font = self.font
        if font.base_font not in descriptors:
            descriptors[font.base_font] = pdf.add(
                font.metrics.descriptor(font.base_font, pdf.add(font.font_file, font.font_file_md5))
            )
        return descriptors[font.base_font]

    @staticmethod
    def _type0(pdf: PdfFile, base_font: str, descriptor: int, widths: bytes, cid_to_gid: int, to_unicode: int) -> int:
        name = base_font.encode()
        cid_font = pdf.add(
            b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /%s"
            b" /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >>"
            b" /FontDescriptor %d 0 R /W %s /CIDToGIDMap %d 0 R >>" % (name, descriptor, widths, cid_to_gid)
        )
        return pdf.add(
            b"<< /Type /Font /Subtype /Type0 /BaseFont /%s /Encoding /Identity-H"
            b" /DescendantFonts [%d 0 R] /ToUnicode %d 0 R >>" % (name, cid_font, to_unicode)
        )


def _text_of(char: str) -> str:
    """ToUnicode target of *char*; a lone surrogate cannot be written as UTF-16, so it becomes U+FFFD."""
    return REPLACEMENT if unicodedata.category(char) == "Cs" else char
