"""The prebuilt font subsets and package data agree with the shipped TTFs (rerun build_fonts.py if not)."""

from __future__ import annotations

import hashlib
import io
import json
import unicodedata
import zlib
from pathlib import Path
from typing import Any

import pytest

from mandat.render.pdf import font

DATA = Path(font.__file__).with_name("data")
REQUIRED = (
    "".join(chr(c) for c in range(0x20, 0x7F))
    + "".join(chr(c) for c in range(0xA0, 0x250) if c != 0xAD)
    + "–—‘’‚“”„«»‹›…•·‰€£¥₹₽₺°№×÷±™§¶†‡ ​\u202f\u00ad\ufffd"
)

from fontTools import ttLib as ttlib  # noqa: E402  (a runtime dependency: never skipped)


@pytest.fixture(scope="module", params=["regular", "bold"])
def style(request: pytest.FixtureRequest) -> font.FontStyle:
    value: font.FontStyle = request.param
    return value


def _meta(style: font.FontStyle) -> dict[str, Any]:
    meta: dict[str, Any] = json.loads((font.FONT_DIR / f"{font.FONT_NAMES[style]}.subset.json").read_text())
    return meta


def _ttf(style: font.FontStyle) -> Any:
    return ttlib.TTFont(font.FONT_DIR / f"{font.FONT_NAMES[style]}.ttf")


def _units(advance: int, upm: int) -> int:
    return (advance * 1000 + upm // 2) // upm


def test_subset_was_built_from_the_shipped_ttf(style: font.FontStyle) -> None:
    meta = _meta(style)
    ttf = font.FONT_DIR / meta["source"]
    assert meta["source_sha256"] == hashlib.sha256(ttf.read_bytes()).hexdigest()


def test_subset_covers_invoice_characters(style: font.FontStyle) -> None:
    covered = font.prebuilt(style).widths
    missing = [f"U+{ord(c):04X}" for c in REQUIRED if c not in covered]
    assert not missing


def test_widths_and_glyphs_agree_with_the_ttf(style: font.FontStyle) -> None:
    full, meta = _ttf(style), _meta(style)
    upm, cmap, hmtx = full["head"].unitsPerEm, full.getBestCmap(), full["hmtx"]
    data = zlib.decompress((font.FONT_DIR / f"{font.FONT_NAMES[style]}.subset.bin").read_bytes())
    assert len(data) == meta["length1"]
    program = ttlib.TTFont(io.BytesIO(data))
    order, sub_cmap = program.getGlyphOrder(), program.getBestCmap()
    for cp, gid, width in meta["glyphs"]:
        char = chr(cp)
        drawn = font.stand_in(char, cmap.__contains__)
        assert drawn == char or unicodedata.category(char) == "Cc"
        assert gid != 0
        assert order[gid] == sub_cmap[ord(drawn)], f"U+{cp:04X}"
        glyph, original = program["glyf"][order[gid]], full["glyf"][cmap[ord(drawn)]]
        assert glyph.numberOfContours == original.numberOfContours
        if glyph.numberOfContours > 0:  # same outline; composites reference renumbered glyphs
            assert list(glyph.coordinates) == list(original.coordinates)
        assert program["hmtx"][order[gid]] == hmtx[cmap[ord(drawn)]]
        assert width == _units(hmtx[cmap[ord(drawn)]][0], upm)
    widths = font.prebuilt(style).full_widths
    assert widths.keys() == cmap.keys()
    assert all(widths[cp] == _units(hmtx[name][0], upm) for cp, name in cmap.items())


def test_descriptor_metrics_are_plausible(style: font.FontStyle) -> None:
    m = font.prebuilt(style).metrics
    assert m.descent < 0 < m.cap_height < m.ascent <= m.bbox[3]
    assert m.bbox[1] <= m.descent
    assert m.flags == 32
    assert (m.stem_v > 100) == (style == "bold")


def test_licences_ship_with_the_data() -> None:
    assert "Bitstream" in (font.FONT_DIR / "LICENSE.txt").read_text()
    readme = (DATA / "README.txt").read_text()
    assert hashlib.sha256((DATA / "sRGB.icc").read_bytes()).hexdigest() in readme
    assert "zlib" in readme.lower()
