"""File structure, determinism and the PDF/A-3b / Factur-X requirements of the writer's output."""

from __future__ import annotations

import hashlib
import io
import os
import re
import shutil
import subprocess
import sys
import zlib
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pikepdf
import pytest
from lxml import etree

from mandat.render.pdf.writer import PdfWriter

NS = {
    "x": "adobe:ns:meta/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "pdfaid": "http://www.aiim.org/pdfa/ns/id/",
    "dc": "http://purl.org/dc/elements/1.1/",
    "pdf": "http://ns.adobe.com/pdf/1.3/",
    "xmp": "http://ns.adobe.com/xap/1.0/",
    "fx": "urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#",
    "pdfaExtension": "http://www.aiim.org/pdfa/ns/extension/",
    "pdfaSchema": "http://www.aiim.org/pdfa/ns/schema#",
    "pdfaProperty": "http://www.aiim.org/pdfa/ns/property#",
}
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
WHEN = datetime(2025, 1, 15, 10, 30, tzinfo=UTC)


def _open(data: bytes) -> pikepdf.Pdf:
    return pikepdf.open(io.BytesIO(data))


def _xmp(pdf: pikepdf.Pdf) -> etree._Element:
    raw = pdf.Root.Metadata.read_raw_bytes()
    assert "/Filter" not in pdf.Root.Metadata, "the XMP stream must stay uncompressed"
    return etree.fromstring(raw)


def _one(tree: etree._Element, path: str) -> str:
    found = tree.xpath(path, namespaces=NS)
    assert len(found) == 1, path
    return str(found[0].text if isinstance(found[0], etree._Element) else found[0])


def _pdf_date(value: str) -> datetime:
    match = re.fullmatch(r"D:(\d{14})([+-])(\d\d)'(\d\d)'", value)
    assert match, value
    sign = 1 if match[2] == "+" else -1
    offset = timezone(sign * timedelta(hours=int(match[3]), minutes=int(match[4])))
    return datetime.strptime(match[1], "%Y%m%d%H%M%S").replace(tzinfo=offset)


# -- determinism --------------------------------------------------------------


def test_same_calls_give_same_bytes(build: Callable[..., PdfWriter]) -> None:
    first = build()
    assert first.to_bytes() == build().to_bytes()
    assert first.to_bytes() == first.to_bytes()  # to_bytes does not consume anything


def test_other_date_or_text_gives_other_bytes_and_id(
    build: Callable[..., PdfWriter], sample: bytes, created: datetime
) -> None:
    later = build(created=created + timedelta(seconds=1)).to_bytes()
    retitled = build(title="Facture F-ABC-000002").to_bytes()
    ids = {bytes(_open(data).trailer.ID[0]) for data in (sample, later, retitled)}
    assert len(ids) == 3
    assert sample != later


def test_bytes_do_not_depend_on_hash_seed(sample: bytes) -> None:
    """Set and dict iteration order must not leak into the output (fallback fonts included)."""
    script = (
        "import sys; from tests.render.pdf.conftest import build_sample;"
        " sys.stdout.buffer.write(build_sample().to_bytes())"
    )
    root = Path(__file__).parents[3]
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        result = subprocess.run([sys.executable, "-c", script], capture_output=True, check=True, cwd=root, env=env)
        assert result.stdout == sample


# -- file layout --------------------------------------------------------------


def test_header_xref_and_trailer(sample: bytes) -> None:
    assert sample.startswith(b"%PDF-1.7\n%")
    assert all(b > 127 for b in sample[10:14]), "binary comment line"
    assert sample.count(b"%PDF-") == 1
    assert sample.endswith(b"%%EOF\n")
    startxref = int(sample.rsplit(b"startxref\n", 1)[1].split(b"\n")[0])
    assert sample[startxref:].startswith(b"xref\n0 ")
    table = sample[startxref:].split(b"trailer", 1)[0].split(b"\n")
    count = int(table[1].split()[1])
    entries = sample[startxref:].split(b"\n", 2)[2][: 20 * count]
    assert entries[:20] == b"0000000000 65535 f\r\n"
    for number in range(1, count):
        entry = entries[20 * number : 20 * number + 20]
        assert entry.endswith(b" 00000 n\r\n")
        assert sample[int(entry[:10]) :].startswith(b"%d 0 obj\n" % number)
    trailer = sample.rsplit(b"trailer", 1)[1]
    ids = re.findall(rb"<([0-9A-F]{32})>", trailer)
    assert len(ids) == 2
    assert ids[0] == ids[1]


def test_qpdf_finds_no_problem(sample: bytes, tmp_path: Path) -> None:
    with _open(sample) as pdf:
        assert pdf.check_pdf_syntax() == []
        assert len(pdf.pages) == 2
        assert not pdf.is_encrypted
    if shutil.which("qpdf"):
        path = tmp_path / "sample.pdf"
        path.write_bytes(sample)
        result = subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True, check=False)
        assert result.returncode == 0, result.stdout + result.stderr
        assert "No syntax or stream encoding errors" in result.stdout


def test_streams_are_compressed_except_metadata(sample: bytes) -> None:
    with _open(sample) as pdf:
        for obj in pdf.objects:
            if isinstance(obj, pikepdf.Stream) and obj.get("/Type") != "/Metadata":
                assert obj.Filter == pikepdf.Name.FlateDecode


def test_nothing_forbidden_in_pdfa(sample: bytes) -> None:
    with _open(sample) as pdf:
        assert "/Encrypt" not in pdf.trailer
        for key in ("/OpenAction", "/AA", "/JavaScript"):
            assert key not in pdf.Root
        assert "/JavaScript" not in pdf.Root.Names
        for page in pdf.pages:
            assert "/Annots" not in page.obj
            assert "/Group" not in page.obj
            assert page.MediaBox == [0, 0, pikepdf.Object.parse(b"595.28"), pikepdf.Object.parse(b"841.89")]
    assert b"/S /Transparency" not in sample
    assert b"/SMask" not in sample


# -- catalog, metadata, output intent ------------------------------------------


def test_output_intent_has_rgb_icc_profile(sample: bytes) -> None:
    with _open(sample) as pdf:
        (intent,) = pdf.Root.OutputIntents
        assert intent.S == pikepdf.Name.GTS_PDFA1
        assert str(intent.OutputConditionIdentifier) == "sRGB IEC61966-2.1"
        profile = intent.DestOutputProfile
        assert profile.N == 3
        icc = profile.read_bytes()
        assert len(icc) == int.from_bytes(icc[:4], "big")
        assert icc[12:20] == b"mntrRGB "
        assert icc[36:40] == b"acsp"


def test_catalog_extras(sample: bytes) -> None:
    with _open(sample) as pdf:
        assert str(pdf.Root.Lang) == "fr-FR"
        assert bool(pdf.Root.ViewerPreferences.DisplayDocTitle)


def test_xmp_declares_pdfa3b_and_matches_info(sample: bytes, created: datetime) -> None:
    with _open(sample) as pdf:
        xmp, info = _xmp(pdf), pdf.docinfo
        assert _one(xmp, "//pdfaid:part") == "3"
        assert _one(xmp, "//pdfaid:conformance") == "B"
        title = xmp.xpath("//dc:title/rdf:Alt/rdf:li", namespaces=NS)
        assert [(t.get(XML_LANG), t.text) for t in title] == [("x-default", "Facture F-ABC-000001")]
        assert str(info.Title) == "Facture F-ABC-000001"
        assert _one(xmp, "//dc:creator/rdf:Seq/rdf:li") == str(info.Author) == "Boutique Éléonore SARL"
        assert _one(xmp, "//dc:description/rdf:Alt/rdf:li") == str(info.Subject) == "Facture de vente"
        assert _one(xmp, "//pdf:Producer") == str(info.Producer)
        assert _one(xmp, "//xmp:CreatorTool") == str(info.Creator)
        xmp_created = datetime.fromisoformat(_one(xmp, "//xmp:CreateDate"))
        xmp_modified = datetime.fromisoformat(_one(xmp, "//xmp:ModifyDate"))
        assert xmp_created == _pdf_date(str(info.CreationDate)) == created.replace(microsecond=0)
        assert xmp_modified == _pdf_date(str(info.ModDate))
        assert xmp_created.utcoffset() == _pdf_date(str(info.CreationDate)).utcoffset() == created.utcoffset()


def test_facturx_xmp_properties_and_extension_schema(sample: bytes) -> None:
    with _open(sample) as pdf:
        xmp = _xmp(pdf)
    assert _one(xmp, "//fx:DocumentType") == "INVOICE"
    assert _one(xmp, "//fx:DocumentFileName") == "factur-x.xml"
    assert _one(xmp, "//fx:Version") == "1.0"
    assert _one(xmp, "//fx:ConformanceLevel") == "EN 16931"
    (schema,) = xmp.xpath("//pdfaExtension:schemas/rdf:Bag/rdf:li", namespaces=NS)
    assert _one(schema, "pdfaSchema:namespaceURI") == NS["fx"]
    assert _one(schema, "pdfaSchema:prefix") == "fx"
    properties = schema.xpath("pdfaSchema:property/rdf:Seq/rdf:li", namespaces=NS)
    described = {_one(p, "pdfaProperty:name"): _one(p, "pdfaProperty:valueType") for p in properties}
    assert described == dict.fromkeys(("DocumentFileName", "DocumentType", "Version", "ConformanceLevel"), "Text")


def test_without_facturx_call_no_fx_properties(build: Callable[..., PdfWriter]) -> None:
    pdf = PdfWriter("T", "A", "S", "de-DE", WHEN)
    pdf.add_page()
    with _open(pdf.to_bytes()) as parsed:
        assert not _xmp(parsed).xpath("//fx:*", namespaces=NS)
        assert "/AF" not in parsed.Root
        assert "/Names" not in parsed.Root


def test_metadata_injection_is_inert() -> None:
    title = 'Evil ) /JavaScript (app.alert(1)) >> <x:xmpmeta> & "\x00\ud800 \U0001f600'
    pdf = PdfWriter(title, "<Author>", "a & b", "en", datetime(2030, 6, 1, 23, 59, 59, tzinfo=UTC))
    pdf.add_page()
    with _open(pdf.to_bytes()) as parsed:
        cleaned = title.replace("\x00", "\ufffd").replace("\ud800", "\ufffd")
        assert str(parsed.docinfo.Title) == cleaned
        assert _one(_xmp(parsed), "//dc:title/rdf:Alt/rdf:li") == cleaned
        assert _one(_xmp(parsed), "//dc:creator/rdf:Seq/rdf:li") == "<Author>"
        assert "/JavaScript" not in parsed.Root
        assert str(parsed.docinfo.CreationDate) == "D:20300601235959+00'00'"


# -- attachment -------------------------------------------------------------


def test_attachment_is_an_associated_file(sample: bytes, xml: bytes, created: datetime) -> None:
    with _open(sample) as pdf:
        (spec,) = pdf.Root.AF
        assert spec.Type == pikepdf.Name.Filespec
        assert spec.AFRelationship == pikepdf.Name.Data
        assert str(spec.F) == str(spec.UF) == "factur-x.xml"
        assert str(spec.Desc) == "Factur-X invoice"
        names = pdf.Root.Names.EmbeddedFiles.Names
        assert str(names[0]) == "factur-x.xml"
        assert names[1].objgen == spec.objgen
        embedded = spec.EF.F
        assert embedded.Type == pikepdf.Name.EmbeddedFile
        assert embedded.Subtype == pikepdf.Name("/text/xml")
        assert embedded.read_bytes() == xml
        assert embedded.Params.Size == len(xml)
        assert bytes(embedded.Params.CheckSum) == hashlib.md5(xml).digest()
        assert _pdf_date(str(embedded.Params.ModDate)) == created.replace(microsecond=0)
        assert pdf.attachments["factur-x.xml"].get_file().read_bytes() == xml


def test_facturx_reader_finds_the_xml(sample: bytes, xml: bytes) -> None:
    import facturx  # dev extra: missing means a broken install, which fails rather than skips

    filename, found = facturx.get_facturx_xml_from_pdf(io.BytesIO(sample), check_xsd=False)
    assert (filename, found) == ("factur-x.xml", xml)


def test_several_attachments_sorted_in_name_tree() -> None:
    pdf = PdfWriter("T", "A", "S", "fr", WHEN)
    pdf.add_page()
    pdf.attach("zeta.txt", b"z", "text/plain", "Supplement")
    pdf.attach("alpha données.csv", b"a,b\n", "text/csv", "Source", "CSV (source)")
    with _open(pdf.to_bytes()) as parsed:
        names = parsed.Root.Names.EmbeddedFiles.Names
        assert [str(names[0]), str(names[2])] == ["alpha données.csv", "zeta.txt"]
        assert [str(spec.AFRelationship) for spec in parsed.Root.AF] == ["/Supplement", "/Source"]
        assert str(parsed.Root.AF[1].F) == "alpha donn_es.csv"
        assert parsed.attachments["zeta.txt"].get_file().read_bytes() == b"z"


# -- fonts ------------------------------------------------------------------------


def _fonts(pdf: pikepdf.Pdf) -> dict[tuple[int, int], pikepdf.Object]:
    found = {}
    for page in pdf.pages:
        for font in page.Resources.get("/Font", {}).values():
            found[font.objgen] = font
    return found


def test_all_fonts_embedded_type0_identity_h(sample: bytes) -> None:
    with _open(sample) as pdf:
        fonts = _fonts(pdf)
        assert len(fonts) == 4  # regular, bold, and each one's fallback for the non-Latin runs
        for font in fonts.values():
            assert font.Subtype == pikepdf.Name.Type0
            assert font.Encoding == pikepdf.Name("/Identity-H")
            assert "/ToUnicode" in font
            (cid_font,) = font.DescendantFonts
            assert cid_font.Subtype == pikepdf.Name.CIDFontType2
            assert "/CIDToGIDMap" in cid_font
            assert "/W" in cid_font
            descriptor = cid_font.FontDescriptor
            assert "/FontFile2" in descriptor
            assert re.fullmatch(r"/[A-Z]{6}\+DejaVuSans(-Bold)?", str(descriptor.FontName))
            assert str(cid_font.BaseFont) == str(font.BaseFont) == str(descriptor.FontName)
        standard = {"/Helvetica", "/Times-Roman", "/Courier", "/Symbol", "/ZapfDingbats"}
        for obj in pdf.objects:
            if isinstance(obj, pikepdf.Dictionary) and obj.get("/Type") == "/Font":
                assert "/FontDescriptor" in obj or "/DescendantFonts" in obj
                assert str(obj.get("/BaseFont")).split("-")[0] not in standard


def _glyph_uses(pdf: pikepdf.Pdf) -> list[tuple[pikepdf.Object, int]]:
    """(Type0 font, CID) of every glyph shown on every page."""
    uses = []
    for page in pdf.pages:
        fonts = page.Resources.Font
        font = None
        for instruction in pikepdf.parse_content_stream(page):
            assert isinstance(instruction, pikepdf.ContentStreamInstruction)
            operands, operator = instruction.operands, instruction.operator
            if str(operator) == "Tf":
                font = fonts[str(operands[0])]
            elif str(operator) == "Tj":
                codes = bytes(operands[0])
                assert font is not None
                assert len(codes) % 2 == 0
                uses += [(font, int.from_bytes(codes[i : i + 2], "big")) for i in range(0, len(codes), 2)]
            else:
                assert str(operator) in {"BT", "ET", "Td", "rg", "RG", "w", "m", "l", "S", "re", "f"}
    return uses


def test_no_notdef_and_widths_match_font_programs(sample: bytes) -> None:
    """ISO 19005-3 6.2.11.8 (no .notdef shown) and 6.2.11.5 (/W agrees with the font program)."""
    from fontTools import ttLib as ttlib

    with _open(sample) as pdf:
        uses = _glyph_uses(pdf)
        assert len(uses) > 300
        programs: dict[tuple[int, int], object] = {}
        for font, cid in uses:
            cid_font = font.DescendantFonts[0]
            file = cid_font.FontDescriptor.FontFile2
            if file.objgen not in programs:
                programs[file.objgen] = ttlib.TTFont(io.BytesIO(file.read_bytes()))
            program = programs[file.objgen]
            table = cid_font.CIDToGIDMap
            gid = cid if table == pikepdf.Name.Identity else int.from_bytes(table.read_bytes()[2 * cid : 2 * cid + 2])
            assert 0 < gid < program["maxp"].numGlyphs  # type: ignore[index]
            advance = program["hmtx"][program.getGlyphName(gid)][0]  # type: ignore[attr-defined,index]
            units_per_em = program["head"].unitsPerEm  # type: ignore[index]
            assert abs(_width(cid_font.W, cid) - advance * 1000 / units_per_em) <= 1


def _width(w: pikepdf.Object, cid: int) -> float:
    i = 0
    while i < len(w):
        first, widths = int(w[i]), w[i + 1]
        if first <= cid < first + len(widths):
            return float(widths[cid - first])
        i += 2
    raise AssertionError(f"CID {cid} has no width")


def test_content_streams_only_hold_expected_operators(sample: bytes) -> None:
    """Whatever the text, content streams are made of these line shapes (hex strings only)."""
    number = r"-?\d+(\.\d+)?"
    shapes = [
        rf"BT /F[1-4] {number} Tf {number} {number} Td <([0-9a-f]{{4}})+> Tj ET",
        rf"{number} {number} {number} (rg|RG)",
        rf"{number} w",
        rf"{number} {number} m {number} {number} l S",
        rf"{number} {number} {number} {number} re f",
    ]
    pattern = re.compile("|".join(f"(?:{s})" for s in shapes))
    with _open(sample) as pdf:
        for page in pdf.pages:
            for line in zlib.decompress(page.Contents.read_raw_bytes()).decode("ascii").split("\n"):
                assert pattern.fullmatch(line), line


def test_pikepdf_pdfa_validator_approves(
    latin_lines: list[str], injections: list[str], fallback_lines: list[str], xml: bytes
) -> None:
    from pikepdf import pdfa  # dev extra pikepdf[pdfa] (jsonschema, referencing): fails, never skips, without it

    pdf = PdfWriter("Facture", "Vendeur", "Facture", "fr-FR", WHEN)
    page = pdf.add_page()
    for i, text in enumerate(latin_lines + injections + fallback_lines + ["tab\tnew\nline nul\x00"]):
        page.text(50, 800 - 14 * i, text, style="bold" if i % 2 else "regular", color=(0.2, 0, 0.8))
    page.line(50, 400, 545, 400)
    page.rect(50, 380, 495, 10)
    pdf.attach("factur-x.xml", xml, "text/xml", "Data", "Factur-X invoice", WHEN)
    report = pdfa.validate_written(io.BytesIO(pdf.to_bytes()), "3b")
    assert report.passed, report.findings


def test_pikepdf_pdfa_validator_only_objects_to_the_facturx_extension_schema(sample: bytes) -> None:
    """pikepdf's allowlist validator knows no XMP extension schema, so fx: is its only finding."""
    from pikepdf import pdfa

    report = pdfa.validate_written(io.BytesIO(sample), "3b")
    assert report.findings
    for finding in report.findings:
        assert finding.rule == "ISO_19005_3:6.6.2.3.1-1", finding
        assert re.search(r"\b(fx|pdfaExtension|pdfaSchema|pdfaProperty)[:=]", finding.message), finding


# -- argument checks --------------------------------------------------------------


def test_invalid_arguments_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        PdfWriter("T", "A", "S", "fr", datetime(2025, 1, 1))
    with pytest.raises(ValueError, match="language"):
        PdfWriter("T", "A", "S", "fr) /Evil (", WHEN)
    pdf = PdfWriter("T", "A", "S", "fr", WHEN)
    with pytest.raises(ValueError, match="at least one page"):
        pdf.to_bytes()
    page = pdf.add_page()
    with pytest.raises(ValueError, match="out of range"):
        page.text(float("nan"), 0, "x")
    with pytest.raises(ValueError, match="colour components"):
        page.text(0, 0, "x", color=(2.0, 0, 0))
    with pytest.raises(ValueError, match="colour components"):
        page.line(0, 0, 1, 1, gray=-0.1)
    with pytest.raises(ValueError, match="unknown font style"):
        page.text(0, 0, "x", style="italic")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="AFRelationship"):
        pdf.attach("a.xml", b"", relationship="Other")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="conformance level"):
        pdf.set_facturx_xmp("COMFORT")
    pdf.set_facturx_xmp()
    with pytest.raises(ValueError, match="not attached"):
        pdf.to_bytes()
    pdf.attach("factur-x.xml", b"<x/>")
    with pytest.raises(ValueError, match="already used"):
        pdf.attach("factur-x.xml", b"<y/>")
    assert pdf.to_bytes().startswith(b"%PDF-1.7")


def test_dates_with_odd_offsets_stay_one_instant() -> None:
    odd = datetime(2025, 1, 1, 0, 0, 30, tzinfo=timezone(timedelta(hours=5, minutes=30, seconds=15)))
    pdf = PdfWriter("T", "A", "S", "fr", odd)
    pdf.add_page()
    with _open(pdf.to_bytes()) as parsed:
        info = _pdf_date(str(parsed.docinfo.CreationDate))
        assert info == datetime.fromisoformat(_one(_xmp(parsed), "//xmp:CreateDate"))
        assert abs(info - odd) < timedelta(seconds=1)
