"""How the printed document reads: VAT categories in words, countries by name, discounts,
credit notes, and a layout where long text wraps inside its column and nothing overlaps.

The layout checks read the glyph boxes poppler's ``pdftotext -bbox`` computes from the
fonts embedded in the file, not our own measurements, so they see what a viewer shows.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from decimal import Decimal
from html import unescape
from pathlib import Path

import pikepdf
import pytest
from pypdf import PdfReader

from mandat.domain.documents import Document, DocumentLine, Mention, PartySnapshot
from mandat.domain.parties import EU_COUNTRIES, Address
from mandat.render import i18n
from mandat.render.countries import FR as COUNTRY_NAMES
from mandat.render.document import render_document
from mandat.render.pdf.invoice import COLS, discount_note
from tests.render.samples import (
    ALL_SAMPLES,
    B2B_PAYMENT_MENTIONS,
    INTRA_EU_REASON,
    SELLER,
    credit_note,
    franchise,
    intra_eu,
    make_document,
    taxed,
)

PAGE_W, PAGE_H = 595.28, 841.89
LEFT, RIGHT = 40.0, 555.0
NBSP = "\u00a0"


def pdf_text(pdf: bytes) -> str:
    """All text, whitespace (no-break spaces included) collapsed to single spaces."""
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    return " ".join(text.split())


def flat(text: str) -> str:
    return " ".join(text.split())


# -- words for VAT categories, countries, discounts -------------------------------------------


@pytest.mark.parametrize(
    ("category", "rate", "short", "long"),
    [
        ("S", "20", "20 %", "20 %"),
        ("S", "5.5", "5,5 %", "5,5 %"),
        ("Z", "0", "0 %", "0 % — taux zéro"),
        ("E", "0", "0 % exonéré", "0 % — exonéré"),
        ("K", "0", "0 % exonéré", "0 % — exonéré (livraison intracommunautaire)"),
        ("G", "0", "0 % exonéré", "0 % — exonéré (exportation)"),
        ("AE", "0", "0 % autoliquidation", "0 % — autoliquidation"),
        ("O", "0", "hors champ", "hors champ de la TVA"),
    ],
)
def test_vat_category_in_words(category: str, rate: str, short: str, long: str) -> None:
    assert i18n.vat_category(category, Decimal(rate), "fr") == short.replace(" %", f"{NBSP}%")
    assert i18n.vat_category(category, Decimal(rate), "fr", long=True) == long.replace(" %", f"{NBSP}%")


def test_franchise_code_says_vat_does_not_apply_and_unknown_category_refuses() -> None:
    assert (
        i18n.vat_category("E", Decimal(0), "fr", long=True, exemption_code="VATEX-FR-FRANCHISE")
        == f"0{NBSP}% — TVA non applicable (franchise en base)"
    )
    assert (
        i18n.vat_category("E", Decimal(0), "fr", exemption_code="VATEX-FR-FRANCHISE") == f"0{NBSP}% non{NBSP}applicable"
    )
    assert i18n.vat_category("K", Decimal(0), "fr", exemption_code="VATEX-EU-IC") == f"0{NBSP}% exonéré"
    with pytest.raises(KeyError):
        i18n.vat_category("L", Decimal(7), "fr")  # Canary Islands IGIC: no words yet, so no guess


def test_country_names() -> None:
    assert i18n.country("DE", "fr") == "Allemagne"
    assert i18n.country("GB", "fr") == "Royaume-Uni"
    assert i18n.country("BE", "fr") == "Belgique"
    assert i18n.country("SB", "fr") == "Îles Salomon"
    assert i18n.country("XK", "fr") == "XK"  # user-assigned code, not in ISO 3166-1: printed as given
    assert len(COUNTRY_NAMES) == 249  # every ISO 3166-1 alpha-2 code
    assert COUNTRY_NAMES.keys() >= EU_COUNTRIES
    for code, name in COUNTRY_NAMES.items():
        assert re.fullmatch("[A-Z]{2}", code)
        assert name[0].isupper(), name
        assert ", Îles" not in name, name  # catalogue order, not postal order
        assert ", République" not in name, name


def _line(allowance: str, reason: str | None) -> DocumentLine:
    return DocumentLine(
        id="1",
        sku="X",
        description="Article",
        quantity=Decimal(1),
        unit="C62",
        net_unit_price=Decimal(10),
        allowance=Decimal(allowance),
        allowance_reason=reason,
        net_amount=Decimal(10) - Decimal(allowance),
        vat_category="S",
        vat_rate=Decimal(20),
        nature="goods",
        gross_amount=Decimal(12),
    )


@pytest.mark.parametrize(
    ("allowance", "reason", "printed"),
    [
        ("0", None, None),
        ("1", None, "Remise"),
        ("1", "Remise", "Remise"),  # the default reason of an order discount
        ("1", "Remise, Remise", "Remise"),  # line discount and default order discount
        ("1", "Remise, Code BIENVENUE", "Remise : Code BIENVENUE"),
        ("1", "Promotion de printemps", "Remise : Promotion de printemps"),
    ],
)
def test_discount_note(allowance: str, reason: str | None, printed: str | None) -> None:
    assert discount_note(_line(allowance, reason), "Remise") == printed


def test_discount_without_reason_does_not_print_remise_twice() -> None:
    doc = make_document(
        [
            taxed("A", "Perceuse", "1", "100", "20", discount="10", discount_reason="Remise"),
            taxed("B", "Foret", "1", "10", "20", discount="1", discount_reason="Remise, Remise"),
        ],
        prices_include_vat=True,
    )
    text = pdf_text(render_document(doc).pdf)
    assert "Remise : Remise" not in text
    assert "Remise :" not in text
    assert text.count("Remise") == 3  # the column head, and once under each discounted line


def test_intra_eu_reads_in_words_with_the_country_by_name() -> None:
    text = pdf_text(render_document(intra_eu()).pdf)
    assert "0 % — exonéré (livraison intracommunautaire)" in text
    assert "0 % exonéré" in text  # the VAT column of each line
    assert "Exonéré (K)" not in text
    assert "Allemagne" in text  # buyer's and delivery country
    assert not re.search(r"\b(K|DE)\b", text), "a bare category letter or country code is printed"
    assert flat(INTRA_EU_REASON[0]) in text  # the legal mention is still there


def test_export_reads_in_words_with_the_country_by_name() -> None:
    swiss = PartySnapshot(
        name="Holzbau Berger AG",
        address=Address(line1="Bahnhofstrasse 1", postcode="8001", city="Zürich", country="CH"),
        is_business=True,
    )
    export = ("Exonération de TVA, art. 262 I du CGI", "VATEX-EU-G")
    doc = make_document(
        [taxed("OSB-18", "Panneau OSB 3 18 mm", "10", "20.90", "0", category="G")],
        prices_include_vat=False,
        buyer=swiss,
        business_case="OUTOFSCOPE",
        exemptions={"G": export},
        mentions=[Mention(code="vat_exemption", text=export[0])],
    )
    text = pdf_text(render_document(doc).pdf)
    assert "0 % — exonéré (exportation)" in text
    assert "Suisse" in text
    assert not re.search(r"\b(G|CH)\b", text)
    assert export[0] in text


def test_franchise_reads_vat_not_applicable() -> None:
    text = pdf_text(render_document(franchise()).pdf)
    assert "0 % — TVA non applicable (franchise en base)" in text
    assert "TVA non applicable, art. 293 B du CGI" in text
    assert "exonéré" not in text  # under the franchise VAT does not apply; nothing is exempted
    assert not re.search(r"\bE\b", text)


def test_domestic_addresses_print_no_country() -> None:
    text = pdf_text(render_document(credit_note()).pdf)
    assert "France" not in text
    assert not re.search(r"\bFR\b", text)


def test_credit_note_shows_the_amount_refunded() -> None:
    doc = credit_note()
    text = pdf_text(render_document(doc).pdf)
    total = flat(i18n.money(Decimal("256.50"), "EUR", "fr"))  # 10 × 21.375 = 213.75 HT, + 20 % VAT
    assert f"Total TTC {total}" in text
    assert f"Montant remboursé {total}" in text
    assert "Net à payer" not in text
    assert "Déjà payé" not in text
    assert not re.search(r"(?<!\d)0,00 €", text)  # no zero amount printed ("20 000,00 €" of capital is fine)


def test_invoice_still_shows_paid_and_payable() -> None:
    text = pdf_text(render_document(intra_eu()).pdf)
    assert "Déjà payé" in text
    assert "Net à payer 0,00 €" in text
    assert "Montant remboursé" not in text


# -- layout: long inputs wrap inside their columns, nothing overlaps or leaves the page ---------


@dataclass(frozen=True)
class Word:
    page: int
    text: str
    x0: float
    y0: float  # PDF space: from the bottom of the page
    x1: float
    y1: float


def words(pdf: bytes, tmp_path: Path) -> tuple[int, list[Word]]:
    if not shutil.which("pdftotext"):
        if os.environ.get("CI"):  # .ci/run installs poppler-utils: a missing tool there is a failure
            pytest.fail("pdftotext (poppler-utils) is not installed")
        pytest.skip("poppler-utils not installed")
    path = tmp_path / "doc.pdf"
    path.write_bytes(pdf)
    html = subprocess.run(["pdftotext", "-bbox", str(path), "-"], capture_output=True, check=True).stdout.decode()
    out: list[Word] = []
    pages = html.split("<page ")[1:]
    for n, page in enumerate(pages, start=1):
        for m in re.finditer(
            r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>', page
        ):
            x0, top, x1, bottom = (float(v) for v in m.groups()[:4])
            out.append(Word(n, unescape(m[5]), x0, PAGE_H - bottom, x1, PAGE_H - top))
    return len(pages), out


def grey_boxes(pdf: bytes, page_index: int) -> list[tuple[float, float, float, float]]:
    """Filled rectangles of a page as (x0, y0, x1, y1)."""
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        return [
            (x, y, x + w, y + h)
            for op in pikepdf.parse_content_stream(doc.pages[page_index])
            if str(op.operator) == "re"
            for x, y, w, h in [[float(v) for v in op.operands]]
        ]


def assert_inside(w: Word, x0: float, x1: float) -> None:
    """*w* lies between x0 and x1 (a margin or a column) and on the page."""
    assert w.x0 >= x0 - 0.01, w
    assert w.x1 <= x1 + 0.01, w
    assert w.y0 >= 0, w
    assert w.y1 <= PAGE_H, w


def assert_no_overlap(found: list[Word]) -> None:
    by_page: dict[int, list[Word]] = {}
    for w in found:
        by_page.setdefault(w.page, []).append(w)
    for page_words in by_page.values():
        page_words.sort(key=lambda w: w.y0)
        for i, a in enumerate(page_words):
            for b in page_words[i + 1 :]:
                if b.y0 >= a.y1 - 0.01:
                    break
                overlap_x = min(a.x1, b.x1) - max(a.x0, b.x0)
                assert overlap_x <= 0.01, f"page {a.page}: {a.text!r} overlaps {b.text!r}"


LONG_WORD = "Schraubenziehersatzmitmagnetischerklingeundergonomischemgriff"  # 61 letters, no space
SKU = "SKU-" + "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789" + "abcdefghijklmnopqrstuvwx"  # 64 characters
STREET = (
    "Zone industrielle des Grandes Terres Nord, bâtiment C, entrée logistique 4, quai de déchargement "
    "numéro 12, accès par la rue des Transporteurs puis le portail automatique situé après la bascule, "
    "sonner à l'interphone du service réception des marchandises volumineuses et palettisées ZZZZ"
)
BUYER_NAME = (
    "Société Coopérative Ouvrière de Production des Menuisiers, Charpentiers, Ébénistes et Agenceurs "
    "Réunis de la Vallée du Rhône et de ses Affluents — Établissement secondaire de Villeurbanne "
    "Gratte-Ciel, service achats, comptabilité fournisseurs et contrôle de gestion opérationnelle"
)
SELLER_NAME = "Atelier Durand et Fils, Menuiserie Ébénisterie Agencement Intérieur Sur Mesure SARL"


def long_document(lines: int = 40, mentions: int = 4) -> Document:
    description = (
        f"Coffret {LONG_WORD} 48 pièces, embouts cruciformes, plats, Torx et six pans, rallonge "
        "magnétique et poignée bi-matière, livré en mallette rigide avec notice de sécurité"
    )
    # Longest the order event accepts: SKU 64, names and address lines 300 (events.py, parties.py).
    assert (len(SKU), len(description) > 200, len(STREET) <= 300, len(BUYER_NAME) <= 300) == (64, True, True, True)
    buyer = PartySnapshot(
        name=BUYER_NAME,
        address=Address(line1=STREET, line2=STREET[:150], postcode="69100", city="Villeurbanne", country="BE"),
        vat_id="BE0123456749",
        is_business=True,
    )
    seller = SELLER.model_copy(update={"name": SELLER_NAME, "email": "comptabilite-" + "x" * 90 + "@example.fr"})
    basket = [
        taxed(
            SKU,
            description,
            "1000000",
            "99999.999999",
            "0",
            category="K",
            discount="12345.67",
            discount_reason="Remise, Remise de fidélité accordée aux clients professionnels " + LONG_WORD,
        )
        for _ in range(lines)
    ]
    return make_document(
        basket,
        prices_include_vat=False,
        seller=seller,
        buyer=buyer,
        business_case="B2BINT",
        exemptions={"K": INTRA_EU_REASON},
        mentions=[Mention(code="vat_exemption", text=INTRA_EU_REASON[0]), *B2B_PAYMENT_MENTIONS]
        + [
            Mention(code=f"extra{i}", text=f"Mention {i} : " + "texte juridique très long " * 20)
            for i in range(mentions)
        ],
        delivery_address=Address(line1=STREET, postcode="1000", city="Bruxelles", country="BE"),
        order_id="BM-" + "9" * 61,
        purchase_order="PO-" + "7" * 47,
    )


@pytest.fixture(scope="module")
def long_pdf() -> bytes:
    return render_document(long_document()).pdf


def test_long_inputs_stay_on_the_page_and_do_not_overlap(long_pdf: bytes, tmp_path: Path) -> None:
    pages, found = words(long_pdf, tmp_path)
    assert pages >= 3  # 40 tall rows cannot fit on one page
    assert found
    for w in found:
        assert_inside(w, LEFT, RIGHT)
    assert_no_overlap(found)
    for n in range(1, pages + 1):
        assert any(w.page == n and w.text == f"{n}/{pages}" for w in found), n


def test_long_words_wrap_inside_their_column(long_pdf: bytes, tmp_path: Path) -> None:
    _pages, found = words(long_pdf, tmp_path)
    (_, ref0, ref1, _), (_, desc0, desc1, _) = COLS[0], COLS[1]
    # The SKU is one unbroken 64-character word: each of its pieces must sit in the reference column.
    table_top = {w.page: w.y0 for w in found if w.text == "Réf."}
    # Rows lie under the table head, above the VAT breakdown ("Taux") and the footer (below 50 pt).
    table_end = {w.page: w.y1 for w in found if w.text == "Taux"}
    sku_pieces = [
        w
        for w in found
        if w.x0 < desc0 and max(table_end.get(w.page, 0), 50) < w.y0 and w.y1 < table_top.get(w.page, 0)
    ]
    assert [w.text for w in sku_pieces if w.text not in SKU] == []
    first_row = sorted((w for w in sku_pieces if w.page == 1), key=lambda w: -w.y0)
    joined = ""
    for w in first_row:
        joined += w.text
        if len(joined) >= len(SKU):
            break
    assert joined == SKU  # cut into lines top to bottom, nothing lost
    assert len({round(w.y0, 2) for w in first_row[:3]}) == 3
    for w in sku_pieces:
        assert_inside(w, ref0, ref1)
    # The 61-letter word is cut inside the description column, and nothing is lost.
    long_pieces = [w for w in found if w.text in LONG_WORD and len(w.text) >= 5 and w.x0 >= desc0 - 0.01]
    assert long_pieces
    for w in long_pieces:
        assert w.x1 <= desc1 + 0.01, w
    text = pdf_text(long_pdf).replace(" ", "")
    assert SKU in text
    assert LONG_WORD in text


def test_buyer_box_grows_to_hold_the_buyer(long_pdf: bytes, tmp_path: Path) -> None:
    _pages, found = words(long_pdf, tmp_path)
    box = next(b for b in grey_boxes(long_pdf, 0) if abs(b[0] - 300) < 0.01)
    first_page = [w for w in found if w.page == 1]
    name_words = BUYER_NAME.split()
    inside = [w for w in first_page if box[0] <= w.x0 and w.x1 <= box[2] and box[1] <= w.y0 and w.y1 <= box[3]]
    texts = [w.text for w in inside]
    for word in ["Facturé", *name_words, *STREET.split(), "Villeurbanne", "Belgique", "BE0123456749"]:
        assert word in texts, word
    # Nothing of the table starts inside the box.
    below = [w for w in first_page if w.text == "Désignation"]
    assert below
    assert below[0].y1 < box[1]


@pytest.mark.parametrize("name", list(ALL_SAMPLES))
def test_samples_fit_one_page_without_overlap(name: str, tmp_path: Path) -> None:
    pages, found = words(render_document(ALL_SAMPLES[name]()).pdf, tmp_path)
    assert pages == 1
    for w in found:
        assert_inside(w, LEFT, RIGHT)
    assert_no_overlap(found)


def test_short_document_keeps_its_buyer_box_small(tmp_path: Path) -> None:
    pdf = render_document(intra_eu()).pdf
    box = next(b for b in grey_boxes(pdf, 0) if abs(b[0] - 300) < 0.01)
    assert box[3] - box[1] < 80  # five short lines: the box is not a fixed 96 pt block


def test_mentions_continue_on_a_new_page(tmp_path: Path) -> None:
    doc = long_document(lines=1, mentions=30)
    pdf = render_document(doc).pdf
    pages, found = words(pdf, tmp_path)
    assert pages >= 2
    for w in found:
        assert_inside(w, LEFT, RIGHT)
    assert_no_overlap(found)
    assert "Mention 29 :" in pdf_text(pdf)


def test_long_document_is_deterministic(long_pdf: bytes) -> None:
    again = render_document(Document.model_validate_json(long_document().model_dump_json())).pdf
    assert again == long_pdf


def test_rows_are_not_split_across_pages(long_pdf: bytes, tmp_path: Path) -> None:
    _pages, found = words(long_pdf, tmp_path)
    per_page: dict[int, list[str]] = {}
    for w in found:
        per_page.setdefault(w.page, []).append(w.text)
    for texts in per_page.values():
        # Each row starts with its SKU and description, and ends with the discount note's long word.
        assert texts.count("SKU-ABCDEFGH") == texts.count("Coffret") == texts.count("gonomischemgriff")


def test_a_row_taller_than_a_page_continues_on_the_next(tmp_path: Path) -> None:
    """A record is not bound by the event's limits: a 6000-character description still prints whole."""
    description = " ".join(f"mot{i:04d}" for i in range(750))
    doc = make_document([taxed("LONG", description, "1", "10", "20")], prices_include_vat=False)
    pdf = render_document(doc).pdf
    pages, found = words(pdf, tmp_path)
    assert pages >= 2
    for w in found:
        assert_inside(w, LEFT, RIGHT)
    assert_no_overlap(found)
    printed = [w.text for w in found if w.text.startswith("mot")]
    assert printed == description.split()
