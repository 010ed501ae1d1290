"""QR codes, legend and every-page line on the printed invoice (issue 15, point 4).

The codes are checked as a reader sees them: the page is rasterised by poppler's ``pdftoppm``
at 300 dpi and decoded by zxing-cpp, and the decoded text must equal the payload exactly. The
size is read back from the content stream (the scaling matrix times the module count) and held
to the specifications: Verifactu 30x30 to 40x40 mm, error correction M (AEAT "Detalle de las
especificaciones técnicas del código QR" v0.4.7 §2, §3); Portugal at least 30x30 mm, level M,
the ATCUD above the code and on every page (Portaria n.º 195/2020); KSeF KOD I with the KSeF
number or OFFLINE under it (kody-qr.md §1).
"""

from __future__ import annotations

import io
import itertools
import re
import shutil
import subprocess
import zlib
from datetime import date
from pathlib import Path

import pikepdf
import pytest
import zxingcpp
from PIL import Image

from mandat.domain.documents import Document
from mandat.render.cii import build_cii
from mandat.render.document import render_document
from mandat.render.formats.ksef_qr import OFFLINE_CAPTION, kod_i_url
from mandat.render.pdf.invoice import Marks, PrintedCode, render_pdf
from mandat.render.pdf.qr import qr_modules, qr_path
from tests.render.pdf.test_pdf_layout import assert_inside, assert_no_overlap, long_document, words
from tests.render.samples import b2b_domestic

MM = 72 / 25.4
# Verifactu §5.1 example URL (pre-production host): '?', '&', '=' and an escaped '&' (%26) in the series.
VERIFACTU = (
    "https://prewww2.aeat.es/wlpl/TIKE-CONT/ValidarQR?nif=89890001K&numserie=12345678%26G33"
    "&fecha=01-09-2024&importe=241.4"
)
# AT's QR specification example: fields "X:value" joined by '*', with spaces and '/' inside values.
AT_QR = (
    "A:123456789*B:999999990*C:PT*D:FT*E:N*F:20191231*G:FT AB2019/0035*H:CSDF7T5H-0035*I1:PT"
    "*I7:0.65*I8:0.15*N:0.15*O:0.80*Q:YhGV*R:9999"
)
ATCUD = "ATCUD: CSDF7T5H-0035"
KSEF_NUMBER = "5265877635-20250826-0100001AF629-AF"  # numer-ksef.md's example


def _need_poppler() -> None:
    if not (shutil.which("pdftoppm") and shutil.which("pdftotext")):
        pytest.fail("poppler-utils (pdftoppm, pdftotext) is required to check the printed codes")


def decoded(pdf: bytes, tmp_path: Path, page: int = 1) -> list[str]:
    """Texts of the QR codes zxing-cpp finds on *page*, rasterised at 300 dpi, left to right.

    Only the top 70 mm of the page are rasterised, where the codes go: a whole A4 page at 300 dpi
    takes zxing seconds to scan.
    """
    _need_poppler()
    path = tmp_path / "doc.pdf"
    path.write_bytes(pdf)
    prefix = tmp_path / f"page{page}"
    subprocess.run(
        [
            *("pdftoppm", "-r", "300", "-gray", "-png", "-f", str(page), "-l", str(page), "-singlefile"),
            *("-x", "0", "-y", "0", "-W", "2480", "-H", "830", str(path), str(prefix)),
        ],
        check=True,
    )
    found = zxingcpp.read_barcodes(Image.open(f"{prefix}.png"), formats=zxingcpp.BarcodeFormat.QRCode)
    assert all(b.valid for b in found)
    return [b.text for b in sorted(found, key=lambda b: b.position.top_left.x)]


def page_texts(pdf: bytes, tmp_path: Path) -> list[str]:
    _need_poppler()
    path = tmp_path / "text.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True).stdout.decode()
    return out.split("\f")[:-1]  # pdftotext ends every page with a form feed


def code_sides_mm(pdf: bytes, page: int = 0) -> list[float]:
    """Side of each drawn QR symbol in mm: the module width of its ``cm`` times the rows it spans."""
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        content = zlib.decompress(doc.pages[page].Contents.read_raw_bytes()).decode("ascii")
    sides = []
    for block in re.findall(r"q 0 0 0 rg (.*?)\sf Q", content, flags=re.S):
        module = float(block.split()[0])
        rows = {int(m[1]) for m in re.finditer(r"(\d+) (\d+) (\d+) 1 re", block)}
        sides.append(module * (max(rows) + 1) / MM)
    return sides


@pytest.fixture(scope="module")
def doc() -> Document:
    return b2b_domestic()


def verifactu_marks(payload: str = VERIFACTU) -> Marks:
    return Marks(codes=(PrintedCode(payload, heading="QR tributario:", size_mm=30),), legend="VERI*FACTU")


# -- the QR path itself ------------------------------------------------------------------------


def test_qr_path_is_deterministic_and_self_contained() -> None:
    ops = qr_path(AT_QR, x=100, y=200, size=30 * MM)
    assert ops == qr_path(AT_QR, x=100, y=200, size=30 * MM)
    text = ops.decode("ascii")
    assert text.startswith("q 0 0 0 rg ")
    assert text.endswith("\nf Q")
    n = qr_modules(AT_QR)
    assert (n - 17) % 4 == 0
    assert n >= 21
    head = text.split("\n")[0].split()
    assert float(head[5]) * n == pytest.approx(30 * MM, abs=0.01)
    assert (head[9], head[10]) == ("100", "200")


def test_runs_are_merged_per_row() -> None:
    ops = qr_path(AT_QR, x=0, y=0, size=100).decode("ascii")
    rects = re.findall(r"(\d+) (\d+) (\d+) 1 re", ops)
    by_row: dict[str, list[tuple[int, int]]] = {}
    for c, r, w in rects:
        by_row.setdefault(r, []).append((int(c), int(w)))
    for runs in by_row.values():
        for (c0, w0), (c1, _) in itertools.pairwise(runs):
            assert c0 + w0 < c1  # two runs of one row never touch: they would have been one rectangle
    # The finder pattern's top row is one run of 7 dark modules at each top corner.
    n = qr_modules(AT_QR)
    assert (0, 7) in by_row[str(n - 1)]
    assert (n - 7, 7) in by_row[str(n - 1)]


def test_error_level_m_is_kept_not_boosted(tmp_path: Path) -> None:
    # segno raises the level when the data leaves room unless told not to; Verifactu and AT require M.
    # A short payload leaves room for a higher level in its version: that is where boosting would show.
    pdf = render_pdf(b2b_domestic(), build_cii(b2b_domestic()), marks=verifactu_marks("A:123456789*B:999999990"))
    assert decoded(pdf, tmp_path) == ["A:123456789*B:999999990"]
    (code,) = zxingcpp.read_barcodes(Image.open(tmp_path / "page1.png"), formats=zxingcpp.BarcodeFormat.QRCode)
    assert code.ec_level == "M"


@pytest.mark.parametrize(("kwargs", "message"), [({"size": 0}, "positive"), ({"error": "X"}, "level")])
def test_qr_path_refuses_bad_arguments(kwargs: dict[str, object], message: str) -> None:
    args: dict[str, object] = {"x": 0, "y": 0, "size": 80, "error": "M"} | kwargs
    with pytest.raises(ValueError, match=message):
        qr_path("x", **args)  # type: ignore[arg-type]


def test_marks_refuse_a_legend_without_code_and_odd_sizes() -> None:
    with pytest.raises(ValueError, match="legend"):
        Marks(legend="VERI*FACTU")
    with pytest.raises(ValueError, match="size"):
        Marks(codes=(PrintedCode("x", size_mm=0),))


# -- on the invoice -------------------------------------------------------------------------


def test_verifactu_code_decodes_to_the_url_with_heading_and_legend(doc: Document, tmp_path: Path) -> None:
    pdf = render_pdf(doc, build_cii(doc), marks=verifactu_marks())
    assert decoded(pdf, tmp_path) == [VERIFACTU]
    (first,) = page_texts(pdf, tmp_path)
    lines = [line.strip() for line in first.splitlines() if line.strip()]
    # §3: "QR tributario:" above the code, "VERI*FACTU" just under it, both before the invoice's content.
    assert lines[:2] == ["QR tributario:", "VERI*FACTU"]
    assert 30 <= code_sides_mm(pdf)[0] <= 40
    assert code_sides_mm(pdf) == [pytest.approx(30, abs=0.01)]


def test_a_wrong_payload_does_not_pass(doc: Document, tmp_path: Path) -> None:
    """The check can fail: one character changed in the payload is a different decoded text."""
    pdf = render_pdf(doc, build_cii(doc), marks=verifactu_marks(VERIFACTU.replace("241.4", "241.5")))
    assert decoded(pdf, tmp_path) != [VERIFACTU]


def test_portugal_atcud_above_the_code_and_on_every_page(tmp_path: Path) -> None:
    long = long_document(lines=40)
    marks = Marks(codes=(PrintedCode(AT_QR, heading=ATCUD, size_mm=30),), every_page=ATCUD)
    pdf = render_pdf(long, build_cii(long), marks=marks)
    assert decoded(pdf, tmp_path) == [AT_QR]
    texts = page_texts(pdf, tmp_path)
    assert len(texts) >= 3
    for n, text in enumerate(texts, start=1):
        assert ATCUD in text, n
    first = [line.strip() for line in texts[0].splitlines() if line.strip()]
    assert first[0] == ATCUD  # just above the code
    # Once, on the first page (as Verifactu §3 also requires).
    assert [code_sides_mm(pdf, page=n) for n in range(1, len(texts))] == [[]] * (len(texts) - 1)
    assert code_sides_mm(pdf)[0] >= 30


def test_marks_leave_no_overlap_on_a_long_document(tmp_path: Path) -> None:
    long = long_document(lines=40)
    side = 30 * MM
    marks = Marks(
        codes=(PrintedCode(VERIFACTU, heading="QR tributario:", size_mm=30),), legend="VERI*FACTU", every_page=ATCUD
    )
    pdf = render_pdf(long, build_cii(long), marks=marks)
    pages, found = words(pdf, tmp_path)
    for w in found:
        assert_inside(w, 40.0, 555.0)
    assert_no_overlap(found)
    # The quiet zone (4 modules, at least 2 mm) around the symbol holds no text.
    with pikepdf.open(io.BytesIO(pdf)) as reader:
        content = zlib.decompress(reader.pages[0].Contents.read_raw_bytes()).decode("ascii")
    x, y = (float(v) for v in re.search(r"q 0 0 0 rg \S+ 0 0 \S+ (\S+) (\S+) cm", content).groups())  # type: ignore[union-attr]
    quiet = max(4 * side / qr_modules(VERIFACTU), 2 * MM)
    for w in found:
        if w.page == 1:
            clear = w.x1 <= x - quiet or w.x0 >= x + side + quiet or w.y1 <= y - quiet or w.y0 >= y + side + quiet
            assert clear, w
    for n in range(1, pages + 1):
        assert any(w.page == n and w.text == "CSDF7T5H-0035" for w in found), n


def test_ksef_kod_i_with_number_or_offline_under_it(doc: Document, tmp_path: Path) -> None:
    xml = b'<?xml version="1.0" encoding="UTF-8"?><Faktura/>'
    url = kod_i_url(seller_nip="5265877635", issue_date=date(2026, 11, 20), xml=xml)
    for caption in (KSEF_NUMBER, OFFLINE_CAPTION):
        pdf = render_pdf(doc, build_cii(doc), marks=Marks(codes=(PrintedCode(url, caption=caption, size_mm=30),)))
        assert decoded(pdf, tmp_path) == [url]
        lines = [line.strip() for line in page_texts(pdf, tmp_path)[0].splitlines() if line.strip()]
        assert lines[0] == caption  # the first text of the page: right under the code


def test_two_codes_side_by_side_both_decode(doc: Document, tmp_path: Path) -> None:
    marks = Marks(
        codes=(
            PrintedCode(VERIFACTU, heading="QR tributario:", size_mm=35),
            PrintedCode(AT_QR, heading=ATCUD, size_mm=30),
        ),
        legend="VERI*FACTU",
    )
    pdf = render_pdf(doc, build_cii(doc), marks=marks)
    assert decoded(pdf, tmp_path) == [VERIFACTU, AT_QR]
    assert code_sides_mm(pdf) == [pytest.approx(35, abs=0.01), pytest.approx(30, abs=0.01)]


def test_captions_are_text_never_syntax(doc: Document, tmp_path: Path) -> None:
    hostile = ") Tj ET 0 0 m (x) Tj <<"
    pdf = render_pdf(doc, build_cii(doc), marks=Marks(codes=(PrintedCode("x", caption=hostile, heading=hostile),)))
    texts = page_texts(pdf, tmp_path)
    assert texts[0].count(hostile) == 2
    assert b") Tj ET 0 0 m" not in b"".join(
        zlib.decompress(p.Contents.read_raw_bytes()) for p in pikepdf.open(io.BytesIO(pdf)).pages
    )


# -- what must not change --------------------------------------------------------------------


def test_without_marks_the_bytes_are_unchanged(doc: Document) -> None:
    xml = build_cii(doc)
    before = render_document(doc).pdf
    assert render_pdf(doc, xml) == before
    assert render_pdf(doc, xml, marks=None) == before
    assert render_pdf(doc, xml, marks=Marks()) == before


def test_same_marks_same_bytes(doc: Document) -> None:
    xml = build_cii(doc)
    marks = Marks(codes=(PrintedCode(AT_QR, heading=ATCUD),), every_page=ATCUD)
    assert render_pdf(doc, xml, marks=marks) == render_pdf(doc, xml, marks=marks)


def test_still_pdfa_3b_with_marks(doc: Document, tmp_path: Path) -> None:
    from pikepdf import pdfa

    marks = Marks(codes=(PrintedCode(VERIFACTU, heading="QR tributario:"),), legend="VERI*FACTU", every_page=ATCUD)
    pdf = render_pdf(doc, build_cii(doc), marks=marks)
    with pikepdf.open(io.BytesIO(pdf)) as reader:
        assert reader.check_pdf_syntax() == []
    # As for every invoice (test_pdf_structure): pikepdf's allowlist only objects to the Factur-X XMP extension.
    report = pdfa.validate_written(io.BytesIO(pdf), "3b")
    for finding in report.findings:
        assert finding.rule == "ISO_19005_3:6.6.2.3.1-1", finding
    if shutil.which("qpdf"):
        path = tmp_path / "marks.pdf"
        path.write_bytes(pdf)
        result = subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True, check=False)
        assert result.returncode == 0, result.stdout + result.stderr
