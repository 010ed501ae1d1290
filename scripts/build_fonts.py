"""Prebuild the Latin subsets of DejaVu Sans that the PDF writer embeds without fontTools, and the
"wide" subsets (Latin, Greek, Cyrillic, Armenian, Georgian, Hebrew) its extra font embeds.

Run once after changing the fonts or the covered ranges, and commit the output::

    .venv/bin/python scripts/build_fonts.py [--copy-from /usr/share/fonts/truetype/dejavu] [--only latin|wide]

The Latin subset is embedded in every document ever issued: rebuilding it (another fontTools version may
write other bytes) changes every re-rendered PDF, so ``--only wide`` leaves it alone.

For each font in ``src/mandat/render/pdf/fonts/`` it writes ``<name>.subset.bin`` (the
subset TrueType program, deflated, embedded as-is) and ``<name>.subset.json`` (subset tag,
descriptor metrics, code point -> glyph id and width for the covered characters, and the
widths of every character of the full font, for measuring text that needs the fallback).
The output is deterministic: rerunning it on the same fonts rewrites the same bytes.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import math
import shutil
import unicodedata
import zlib
from pathlib import Path
from typing import Any

from fontTools import subset
from fontTools.ttLib import TTFont

from mandat.render.pdf.font import FONT_DIR, FONT_NAMES, REPLACEMENT, stand_in, subset_options, subset_tag

LICENCE = Path("/usr/share/doc/fonts-dejavu-core/copyright")

# What invoices in FR/DE/ES/IT/PL/PT/NL/EN plausibly contain. Anything else still renders,
# through the slower per-document fallback.
COVERED: list[tuple[int, int]] = [
    (0x0001, 0x001F),  # C0 controls: drawn as space or U+FFFD, kept here to stay on the fast path
    (0x0020, 0x007E),  # ASCII
    (0x007F, 0x009F),  # DEL and C1 controls, as above
    (0x00A0, 0x024F),  # Latin-1 Supplement, Latin Extended-A and -B
    (0x02B0, 0x036F),  # spacing modifiers (ˆ ˇ ˘ ˙ ˚ ˛ ˜ ˝) and combining accents (decomposed input)
    (0x1E00, 0x1EFF),  # Latin Extended Additional (Vietnamese, Welsh...); mostly cheap composites
    (0x2000, 0x206F),  # General Punctuation: spaces, – — ‘ ’ “ ” … • ‰ ‹ › and zero-width characters
    (0x20A0, 0x20CF),  # currency signs, € ₹ ₽ ₺ ...
    (0x2100, 0x214F),  # letterlike symbols, № ™ ℃ ℓ
    (0x2190, 0x2193),  # arrows
    (0x2212, 0x2212),  # minus sign
    (0x2215, 0x2215),
    (0x2219, 0x2219),
    (0x221E, 0x221E),
    (0x2248, 0x2248),
    (0x2260, 0x2260),
    (0x2264, 0x2265),
    (0x25A0, 0x25A1),  # squares and circles used as bullets
    (0x25AA, 0x25AB),
    (0x25CB, 0x25CB),
    (0x25CF, 0x25CF),
    (0x25E6, 0x25E6),
    (0x2713, 0x2714),  # check marks
    (0x2717, 0x2718),
    (0xFB00, 0xFB06),  # ﬁ ﬂ ligatures pasted from PDFs
    (0xFEFF, 0xFEFF),  # byte order mark left at the start of imported text
    (0xFFFD, 0xFFFD),  # also the stand-in for missing glyphs
]


# The extra font's prebuilt program: every character of COVERED plus the scripts of European (and
# neighbouring) names DejaVu Sans draws without shaping. A run with one such character is drawn
# wholly in the extra font, so the Latin ranges must be in it too. Arabic needs shaping, CJK is not
# in DejaVu: both still go through the per-document paths.
WIDE: list[tuple[int, int]] = [
    *COVERED,
    (0x0250, 0x02AF),  # IPA extensions
    (0x0370, 0x03FF),  # Greek and Coptic
    (0x0400, 0x052F),  # Cyrillic and Cyrillic Supplement
    (0x0530, 0x058F),  # Armenian
    (0x0590, 0x05FF),  # Hebrew
    (0x10A0, 0x10FF),  # Georgian
    (0x1F00, 0x1FFF),  # Greek Extended (polytonic)
    (0x2C60, 0x2C7F),  # Latin Extended-C
    (0xA720, 0xA7FF),  # Latin Extended-D
]


def _units(advance: int, units_per_em: int) -> int:
    """Advance in thousandths of an em, rounded half up (same rounding for every table)."""
    return (advance * 1000 + units_per_em // 2) // units_per_em


def _metrics(font: Any) -> dict[str, Any]:
    upm = font["head"].unitsPerEm
    head, hhea, os2 = font["head"], font["hhea"], font["OS/2"]
    glyf = font["glyf"]
    cap = glyf[font.getBestCmap()[ord("H")]]  # DejaVu's OS/2 table (v1) has no sCapHeight
    weight = os2.usWeightClass
    return {
        "flags": 32,  # nonsymbolic: Latin text, standard encoding
        # Rounded outwards, so the box still encloses every glyph.
        "bbox": [
            math.floor(head.xMin * 1000 / upm),
            math.floor(head.yMin * 1000 / upm),
            math.ceil(head.xMax * 1000 / upm),
            math.ceil(head.yMax * 1000 / upm),
        ],
        "italic_angle": float(font["post"].italicAngle),
        "ascent": _units(hhea.ascent, upm),
        "descent": -_units(-hhea.descent, upm),
        "cap_height": _units(cap.yMax, upm),
        # The TTF has no stem width; this is the usual estimate from the weight class.
        "stem_v": 10 + 220 * (weight - 50) // 900,
    }


def build_wide(name: str) -> None:
    """``<name>.wide.{bin,json}``: the program and glyph ids only (widths come from the Latin subset's json)."""
    ttf = FONT_DIR / f"{name}.ttf"
    font = TTFont(ttf, recalcTimestamp=False)
    cmap = font.getBestCmap()
    covered = [
        cp
        for first, last in WIDE
        for cp in range(first, last + 1)
        if cp in cmap or unicodedata.category(chr(cp)) == "Cc"
    ]
    glyph_chars = {cp: stand_in(chr(cp), cmap.__contains__) for cp in covered}
    subsetter = subset.Subsetter(subset_options())
    subsetter.populate(unicodes={ord(g) for g in glyph_chars.values()} | {ord(REPLACEMENT), 0x20})
    subsetter.subset(font)
    buffer = io.BytesIO()
    font.save(buffer)
    program = buffer.getvalue()
    sub_cmap = font.getBestCmap()
    meta = {
        "source": ttf.name,
        "source_sha256": hashlib.sha256(ttf.read_bytes()).hexdigest(),
        "base_font": f"{subset_tag(program)}+{name}",
        "length1": len(program),
        # Only characters drawn by their own glyph: a stand-in (control character) is looked up as such.
        "glyphs": [[cp, font.getGlyphID(sub_cmap[cp])] for cp, g in glyph_chars.items() if g == chr(cp)],
    }
    (FONT_DIR / f"{name}.wide.bin").write_bytes(zlib.compress(program, 9))
    (FONT_DIR / f"{name}.wide.json").write_text(json.dumps(meta, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"{name} wide: {len(covered)} characters, {len(font.getGlyphOrder())} glyphs, {len(program)} bytes")


def build(name: str) -> None:
    ttf = FONT_DIR / f"{name}.ttf"
    font = TTFont(ttf, recalcTimestamp=False)
    upm = font["head"].unitsPerEm
    cmap = font.getBestCmap()
    advances = font["hmtx"].metrics
    covered = [
        cp
        for first, last in COVERED
        for cp in range(first, last + 1)
        if cp in cmap or unicodedata.category(chr(cp)) == "Cc"
    ]
    glyph_chars = {cp: stand_in(chr(cp), cmap.__contains__) for cp in covered}
    assert all(ord(g) in cmap for g in glyph_chars.values()), "stand-in glyphs must exist"

    subsetter = subset.Subsetter(subset_options())
    subsetter.populate(unicodes={ord(g) for g in glyph_chars.values()} | {ord(REPLACEMENT), 0x20})
    subsetter.subset(font)
    buffer = io.BytesIO()
    font.save(buffer)
    program = buffer.getvalue()
    sub_cmap = font.getBestCmap()

    full = TTFont(ttf, recalcTimestamp=False)
    full_widths: list[list[Any]] = []
    for cp, glyph in sorted(full.getBestCmap().items()):
        width = _units(advances[glyph][0], upm)
        if full_widths and full_widths[-1][0] + len(full_widths[-1][1]) == cp:
            full_widths[-1][1].append(width)
        else:
            full_widths.append([cp, [width]])

    meta = {
        "source": ttf.name,
        "source_sha256": hashlib.sha256(ttf.read_bytes()).hexdigest(),
        "base_font": f"{subset_tag(program)}+{name}",
        "length1": len(program),
        "metrics": _metrics(full),
        "glyphs": [
            [cp, font.getGlyphID(sub_cmap[ord(g)]), _units(advances[cmap[ord(g)]][0], upm)]
            for cp, g in glyph_chars.items()
        ],
        "full_widths": full_widths,
    }
    (FONT_DIR / f"{name}.subset.bin").write_bytes(zlib.compress(program, 9))
    (FONT_DIR / f"{name}.subset.json").write_text(json.dumps(meta, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"{name}: {len(covered)} characters, {len(font.getGlyphOrder())} glyphs, {len(program)} bytes")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--copy-from", type=Path, help="refresh the TTFs and licence from this directory first")
    parser.add_argument("--only", choices=["latin", "wide"], help="rebuild only these subsets")
    args = parser.parse_args()
    if args.copy_from:
        FONT_DIR.mkdir(exist_ok=True)
        for name in FONT_NAMES.values():
            shutil.copyfile(args.copy_from / f"{name}.ttf", FONT_DIR / f"{name}.ttf")
        shutil.copyfile(LICENCE, FONT_DIR / "LICENSE.txt")
    for name in FONT_NAMES.values():
        if args.only != "wide":
            build(name)
        if args.only != "latin":
            build_wide(name)


if __name__ == "__main__":
    main()
