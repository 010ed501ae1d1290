"""Text: extraction returns what was drawn, widths match the font, wrapping, fallback paths."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pikepdf
import pypdf
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mandat.render.pdf import font
from mandat.render.pdf.writer import FontStyle, PdfWriter

WHEN = datetime(2025, 1, 15, 10, 30, tzinfo=UTC)
TTF = Path(font.__file__).with_name("fonts")


def _writer() -> PdfWriter:
    return PdfWriter("Test", "mandat", "Text", "fr-FR", WHEN)


def _draw(lines: list[str], style: FontStyle = "regular") -> bytes:
    pdf = _writer()
    page = pdf.add_page()
    for i, text in enumerate(lines):
        page.text(40, 800 - 14 * i, text, size=9, style=style)
    return pdf.to_bytes()


def _extract(data: bytes) -> list[str]:
    return [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages]


def _font_programs(data: bytes) -> set[tuple[int, int]]:
    with pikepdf.open(io.BytesIO(data)) as pdf:
        return {f.DescendantFonts[0].FontDescriptor.FontFile2.objgen for f in pdf.pages[0].Resources.Font.values()}


# -- extraction ----------------------------------------------------------------------


def test_extraction_returns_every_line(
    sample: bytes, latin_lines: list[str], injections: list[str], fallback_lines: list[str]
) -> None:
    first, second = _extract(sample)
    extracted = first.split("\n")
    for line in latin_lines + injections + fallback_lines:
        assert line in extracted
    assert "Total TTC 351,23 €" in extracted
    assert second == "Page 2 — suite"


@pytest.mark.parametrize("style", ["regular", "bold"])
def test_extraction_of_control_characters_and_odd_input(style: FontStyle) -> None:
    lines = [
        "tab\there",
        "nul\x00byte, bell\x07, del\x7f",
        "decomposed e\u0301 and n\u0303, nbsp\u00a012\u202f500",
        "\ufeffbom, zero\u200bwidth, soft\u00adhyphen, ﬁ ligature",
        "emoji 🧾 and math 𝔸 outside the BMP",
    ]
    assert _extract(_draw(lines, style))[0].split("\n") == lines


def test_newline_inside_a_run_is_drawn_as_space_but_extracted() -> None:
    assert _extract(_draw(["one\ntwo"]))[0] == "one\ntwo"


def test_pdftotext_agrees(sample: bytes, latin_lines: list[str], tmp_path: Path) -> None:
    if not shutil.which("pdftotext"):
        if os.environ.get("CI"):  # .ci/run installs poppler-utils: a missing tool there is a failure
            pytest.fail("pdftotext (poppler-utils) is not installed")
        pytest.skip("poppler-utils not installed")
    path = tmp_path / "sample.pdf"
    path.write_bytes(sample)
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True).stdout
    for line in latin_lines:
        assert line in text.decode("utf-8")


@pytest.mark.parametrize(
    "injection",
    [
        ") Tj ET (",
        ") Tj ET BT /F1 99 Tf (",
        "\\) \\\\ \\( (",
        "> Tj ET <",
        "%%EOF\nendstream\nendobj\n",
        "\r\n>> stream",
        "\x00\x00\x00",
    ],
)
def test_injection_is_drawn_as_text(injection: str) -> None:
    data = _draw([f"a{injection}b"])
    with pikepdf.open(io.BytesIO(data)) as pdf:
        assert pdf.check_pdf_syntax() == []
        (instruction,) = [i for i in pikepdf.parse_content_stream(pdf.pages[0]) if str(i.operator) == "Tj"]
        assert len(bytes(instruction.operands[0])) == 2 * len(f"a{injection}b")
    assert _extract(data)[0] == f"a{injection}b"


# -- fallback for characters outside the prebuilt subset ------------------------------


def test_only_latin_text_embeds_only_the_prebuilt_fonts() -> None:
    assert len(_font_programs(_draw(["Łódź Żółć — 12,50 € « ß »"]))) == 1


def test_characters_missing_from_dejavu_reuse_the_prebuilt_program() -> None:
    """CJK is drawn with the prebuilt U+FFFD glyph: no fontTools run, text still exact."""
    data = _draw(["Zhang 张伟", "株式会社 Łódź"])
    assert len(_font_programs(data)) == 1
    assert _extract(data)[0].split("\n") == ["Zhang 张伟", "株式会社 Łódź"]


def test_dejavu_glyphs_outside_the_subset_come_from_the_full_font() -> None:
    data = _draw(["Ωμέγα", "Кириллица", "Łódź"])
    assert len(_font_programs(data)) == 2
    assert _extract(data)[0].split("\n") == ["Ωμέγα", "Кириллица", "Łódź"]


@pytest.fixture
def without_fonttools(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Pretend fontTools is not installed (it is not a runtime dependency)."""
    font.prebuilt.cache_clear()
    monkeypatch.setattr(font, "can_subset", lambda: False)
    yield
    font.prebuilt.cache_clear()


@pytest.mark.usefixtures("without_fonttools")
def test_without_fonttools_greek_is_replaced_but_extracted() -> None:
    pdf = _writer()
    assert pdf.text_width("Ω", 10) == pdf.text_width("\ufffd", 10)
    pdf.add_page().text(40, 800, "Ωμέγα Łódź")
    data = pdf.to_bytes()
    assert len(_font_programs(data)) == 1
    assert _extract(data)[0] == "Ωμέγα Łódź"


def test_fallback_is_deterministic() -> None:
    lines = ["Ωμέγα 张伟 😀", "Кириллица"]
    assert _draw(lines) == _draw(lines)


# -- measuring and wrapping -------------------------------------------------------------------


@pytest.mark.parametrize("style", ["regular", "bold"])
@pytest.mark.parametrize("text", ["Facture n° 42", "Łódź Żółć — 12,50 €", "Größe « ß »", "Ωμέγα", "WWW iii"])
def test_text_width_matches_fonttools(style: FontStyle, text: str) -> None:
    from fontTools import ttLib as ttlib

    ttf = ttlib.TTFont(TTF / f"{font.FONT_NAMES[style]}.ttf")
    cmap, hmtx, upm = ttf.getBestCmap(), ttf["hmtx"], ttf["head"].unitsPerEm
    expected = sum(hmtx[cmap[ord(c)]][0] for c in text) * 11 / upm
    measured = _writer().text_width(text, 11, style)
    assert measured == pytest.approx(expected, abs=len(text) * 0.0005 * 11)


def test_text_width_scales_and_bold_is_wider() -> None:
    pdf = _writer()
    assert pdf.text_width("", 10) == 0
    assert pdf.text_width("Facture", 20) == pytest.approx(2 * pdf.text_width("Facture", 10))
    assert pdf.text_width("Facture", 10, "bold") > pdf.text_width("Facture", 10)


def test_text_right_ends_at_the_given_x() -> None:
    pdf = _writer()
    pdf.add_page().text_right(500, 700, "Total 1 234,56 €", 10, "bold")
    with pikepdf.open(io.BytesIO(pdf.to_bytes())) as parsed:
        (td,) = [i for i in pikepdf.parse_content_stream(parsed.pages[0]) if str(i.operator) == "Td"]
        assert float(td.operands[0]) == pytest.approx(500 - pdf.text_width("Total 1 234,56 €", 10, "bold"), abs=0.005)


def test_wrap_examples() -> None:
    pdf = _writer()
    assert pdf.wrap("", 100, 9) == []
    assert pdf.wrap("   ", 100, 9) == []
    assert pdf.wrap("Chaussures de randonnée", 1000, 9) == ["Chaussures de randonnée"]
    assert pdf.wrap("un  deux\ttrois", 1000, 9) == ["un deux trois"]
    assert pdf.wrap("ligne 1\nligne 2\n\nligne 4", 1000, 9) == ["ligne 1", "ligne 2", "", "ligne 4"]
    narrow = pdf.text_width("12 500", 9) + 1
    assert pdf.wrap("Total 12\u00a0500 €", narrow, 9) == ["Total", "12\u00a0500", "€"]  # no break at no-break spaces
    assert pdf.wrap("x" * 30, pdf.text_width("x" * 10, 9), 9) == ["x" * 10] * 3
    assert pdf.wrap("e\u0301" * 4, pdf.text_width("e", 9) * 2.5, 9) == ["e\u0301e\u0301", "e\u0301e\u0301"]


WORDS = st.lists(
    st.text(alphabet="abcdefghijklmnopqrstuvwxyzÉéèàçœŁłŻżßW—€«»0123456789,.-", min_size=1, max_size=25),
    min_size=1,
    max_size=30,
)


@settings(max_examples=200, deadline=None, database=None)
@given(words=WORDS, width=st.floats(min_value=30, max_value=400), size=st.sampled_from([6, 8.5, 9, 12]))
def test_wrap_keeps_words_and_width(words: list[str], width: float, size: float) -> None:
    pdf = _writer()
    text = " ".join(words)
    lines = pdf.wrap(text, width, size, "bold")
    for line in lines:
        assert len(line) == 1 or pdf.text_width(line, size, "bold") <= width + 1e-9
        assert line == line.strip()
        assert line
    assert "".join(lines).replace(" ", "") == "".join(words)  # nothing lost, nothing reordered
    if all(pdf.text_width(w, size, "bold") <= width for w in words):
        assert " ".join(lines).split(" ") == words  # no word was cut
