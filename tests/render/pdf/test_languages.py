"""The PDF in the buyer's language (issue 13): catalogues, CLDR formats, and what each page prints.

Expected labels, figures and dates are written here by hand (from the languages' usage and CLDR's
conventions), never read back from the catalogues or from mandat.render.i18n.
"""

from __future__ import annotations

import subprocess
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from babel import numbers as babel_numbers
from babel.messages import mofile, pofile

from mandat.domain.documents import Document, Exchange, Mention, PartyId, TaxCurrencyAmount
from mandat.domain.parties import Address
from mandat.render import i18n
from mandat.render.document import render_document
from mandat.render.pdf import font
from mandat.render.pdf.invoice import COLS
from tests.render.pdf.test_pdf_layout import (
    LEFT,
    PAGE_H,
    PAGE_W,
    RIGHT,
    assert_inside,
    assert_no_overlap,
    grey_boxes,
    words,
)
from tests.render.samples import foreign_document

D = Decimal
NBSP, NNBSP = "\u00a0", "\u202f"
LANGUAGES = ["fr", "nl", "de", "es", "it", "pt", "pl", "en"]
PO = {lang: i18n.LOCALE_DIR / lang / "LC_MESSAGES" / "mandat.po" for lang in LANGUAGES}


def flat(text: str) -> str:
    return " ".join(text.split())  # str.split() also splits at no-break spaces


def pdftotext(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "doc.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True
    ).stdout.decode()


# -- catalogues --------------------------------------------------------------------------------------


def _messages(catalog: object) -> dict[str, str]:
    return {m.id: m.string for m in catalog if m.id}  # type: ignore[attr-defined]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_language_has_every_msgid_and_nothing_else(lang: str) -> None:
    with PO[lang].open("rb") as f:
        messages = _messages(pofile.read_po(f))
    assert sorted(messages) == sorted(i18n.catalogue_keys())
    assert all(messages.values()), [k for k, v in messages.items() if not v]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_compiled_catalogue_is_in_sync_with_its_source(lang: str) -> None:
    """Rerun scripts/build_catalogues.py after editing a .po file."""
    with PO[lang].open("rb") as f:
        source = _messages(pofile.read_po(f))
    with PO[lang].with_suffix(".mo").open("rb") as f:
        compiled = _messages(mofile.read_mo(f))
    assert compiled == source


def test_templates_keep_their_placeholders() -> None:
    for lang in LANGUAGES:
        lb = i18n.labels(lang)
        assert "{label}" in lb["label_colon"]
        assert "{currency}" in lb["exchange_title"]
        assert "{channel}" in lb["legal_channel"]


# -- locales and CLDR formats --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "country", "locale"),
    [
        ("fr", "FR", "fr_FR"),
        ("fr", "BE", "fr_BE"),
        ("nl", "BE", "nl_BE"),
        ("de", "BE", "de_BE"),
        ("de", "DE", "de_DE"),
        ("es", "ES", "es_ES"),
        ("it", "IT", "it_IT"),
        ("pt", "PT", "pt_PT"),
        ("pl", "PL", "pl_PL"),
        ("en", "UK", "en_GB"),  # the UK market's code
        ("en", "GB", "en_GB"),
        ("pl", "FR", "pl_PL"),  # CLDR has no pl_FR: the language's default
        ("de", "FR", "de_DE"),
        ("nl", "FR", "nl_BE"),
        ("en", "PL", "en_PL"),  # CLDR does have English as used in Poland
        ("pt", "ES", "pt_PT"),  # not CLDR's Brazilian default
        ("xx", "DE", "fr_FR"),  # no catalogue for the language: French, as before issue 13
    ],
)
def test_page_locale(language: str, country: str, locale: str) -> None:
    assert i18n.page_locale(language, country) == locale


@pytest.mark.parametrize(
    ("locale", "eur", "negative", "pln", "gbp"),
    [
        (
            "fr_FR",
            f"1{NNBSP}234,50{NBSP}€",
            f"-1{NNBSP}234,50{NBSP}€",
            f"1{NNBSP}234,50{NBSP}PLN",
            f"1{NNBSP}234,50{NBSP}£GB",
        ),
        ("de_DE", f"1.234,50{NBSP}€", f"-1.234,50{NBSP}€", f"1.234,50{NBSP}PLN", f"1.234,50{NBSP}£"),
        ("nl_BE", f"€{NBSP}1.234,50", f"€{NBSP}-1.234,50", f"PLN{NBSP}1.234,50", f"£{NBSP}1.234,50"),
        ("es_ES", f"1.234,50{NBSP}€", f"-1.234,50{NBSP}€", f"1.234,50{NBSP}PLN", f"1.234,50{NBSP}GBP"),
        (
            "pl_PL",
            f"1{NBSP}234,50{NBSP}€",
            f"-1{NBSP}234,50{NBSP}€",
            f"1{NBSP}234,50{NBSP}zł",
            f"1{NBSP}234,50{NBSP}GBP",
        ),
        ("en_GB", "€1,234.50", "-€1,234.50", "PLN1,234.50", "£1,234.50"),
    ],
)
def test_money_as_cldr_writes_it(locale: str, eur: str, negative: str, pln: str, gbp: str) -> None:
    assert i18n.money(D("1234.50"), "EUR", locale) == eur
    assert i18n.money(D("-1234.50"), "EUR", locale) == negative
    assert i18n.money(D("1234.50"), "PLN", locale) == pln
    assert i18n.money(D("1234.50"), "GBP", locale) == gbp


LOCALES = ["fr_FR", "fr_BE", "nl_BE", "de_BE", "de_DE", "es_ES", "it_IT", "pt_PT", "pl_PL", "en_GB", "en_FR", "en_PL"]
VALUES = ["0", "0.01", "7.5", "999.99", "1000", "-1000.00", "12345.67", "1234567.89", "-98765432.10"]


@pytest.mark.parametrize("locale", LOCALES)
def test_the_fast_formatter_agrees_with_babel(locale: str) -> None:
    """mandat applies CLDR's patterns itself (Babel's format_currency is too slow); the result must be Babel's."""
    for v in VALUES:
        for currency in ("EUR", "PLN", "GBP"):
            assert i18n.money(D(v), currency, locale) == babel_numbers.format_currency(D(v), currency, locale=locale)
        assert i18n.amount(D(v), locale) == babel_numbers.format_decimal(D(v), format="#,##0.00", locale=locale)
    for rate in ("0", "5.5", "20", "8.25"):
        expected = babel_numbers.format_percent(D(rate) / 100, locale=locale, decimal_quantization=False)
        assert i18n.percent(D(rate), locale) == expected
    assert i18n.number(D("1234.125"), locale) == babel_numbers.format_decimal(
        D("1234.125"), locale=locale, decimal_quantization=False
    )


@pytest.mark.parametrize(
    ("locale", "written"),
    [
        ("fr_FR", "05/03/2026"),
        ("fr_BE", "5/03/2026"),
        ("nl_BE", "5/03/2026"),
        ("de_DE", "05.03.2026"),
        ("es_ES", "5/3/2026"),
        ("it_IT", "05/03/2026"),
        ("pt_PT", "05/03/2026"),
        ("pl_PL", "5.03.2026"),
        ("en_GB", "05/03/2026"),
    ],
)
def test_dates_in_figures_with_a_four_digit_year(locale: str, written: str) -> None:
    assert i18n.day(date(2026, 3, 5), locale) == written


@pytest.mark.parametrize(
    ("lang", "rate", "short", "long"),
    [
        ("de", "19", f"19{NBSP}%", f"19{NBSP}%"),
        ("en", "0", "0% reverse charge", "0% — reverse charge"),
        ("pl", "0", "0% o.o.", "0% — odwrotne obciążenie"),
        ("nl", "0", "0% verlegd", "0% — btw verlegd"),
        ("es", "0", f"0{NBSP}% ISP", f"0{NBSP}% — inversión del sujeto pasivo"),
        ("it", "0", "0% inv. contabile", "0% — inversione contabile"),
        ("pt", "0", "0% autoliq.", "0% — autoliquidação"),
        ("fr", "0", f"0{NBSP}% autoliquidation", f"0{NBSP}% — autoliquidation"),
    ],
)
def test_reverse_charge_in_words(lang: str, rate: str, short: str, long: str) -> None:
    category = "S" if rate != "0" else "AE"
    assert i18n.vat_category(category, D(rate), lang) == short
    assert i18n.vat_category(category, D(rate), lang, long=True) == long


def test_country_names_in_the_page_language() -> None:
    assert i18n.country("DE", "de") == "Deutschland"
    assert i18n.country("DE", "pl_PL") == "Niemcy"
    assert i18n.country("FR", "nl_BE") == "Frankrijk"
    assert i18n.country("GB", "fr") == "Royaume-Uni"
    assert (
        i18n.country("CD", "fr") == "République démocratique du Congo"
    )  # French keeps its table (CLDR: Congo-Kinshasa)
    assert i18n.country("XK", "de") == "XK"


# -- what each page prints ------------------------------------------------------------------------------

# By language: labels the page must print (hand-written from each language's invoicing usage).
EXPECTED_LABELS: dict[str, list[str]] = {
    "fr": ["FACTURE", "Date d'émission :", "Désignation", "Total TVA", "Page 1/1", "TVA en PLN", "Taux de change :"],
    "nl": ["FACTUUR", "Factuurdatum:", "Omschrijving", "Totaal btw", "Pagina 1/1", "Btw in PLN", "Wisselkoers:"],
    "de": ["RECHNUNG", "Rechnungsdatum:", "Bezeichnung", "Summe USt.", "Seite 1/1", "USt. in PLN", "Wechselkurs:"],
    "es": [
        "FACTURA",
        "Fecha de expedición:",
        "Descripción",
        "Total IVA",
        "Página 1/1",
        "IVA en PLN",
        "Tipo de cambio:",
    ],
    "it": [
        "FATTURA",
        "Data di emissione:",
        "Descrizione",
        "Totale IVA",
        "Pagina 1/1",
        "IVA in PLN",
        "Tasso di cambio:",
    ],
    "pt": ["FATURA", "Data de emissão:", "Descrição", "Total IVA", "Página 1/1", "IVA em PLN", "Taxa de câmbio:"],
    "pl": ["FAKTURA", "Data wystawienia:", "Nazwa", "Razem VAT", "Strona 1/1", "VAT w PLN", "Kurs wymiany:"],
    "en": ["INVOICE", "Issue date:", "Description", "Total VAT", "Page 1/1", "VAT in PLN", "Exchange rate:"],
}
CREDIT_NOTE_TITLES = {
    "fr": "AVOIR",
    "nl": "CREDITNOTA",
    "de": "RECHNUNGSKORREKTUR",  # not "Gutschrift": that is self-billing in German VAT law
    "es": "FACTURA RECTIFICATIVA",
    "it": "NOTA DI CREDITO",
    "pt": "NOTA DE CRÉDITO",
    "pl": "FAKTURA KORYGUJĄCA",
    "en": "CREDIT NOTE",
}
CHANNEL_NOTICES = {
    "fr": "Copie pour information : la facture est la facture électronique transmise par KSeF",
    "nl": "Kopie ter informatie: de factuur is de elektronische factuur verzonden via KSeF",
    "de": "Kopie zur Information: Die Rechnung ist die über KSeF übermittelte elektronische Rechnung",
    "es": "Copia informativa: la factura es la factura electrónica transmitida a través de KSeF",
    "it": "Copia di cortesia: la fattura è la fattura elettronica trasmessa tramite KSeF",
    "pt": "Cópia para informação: a fatura é a fatura eletrónica transmitida através de KSeF",
    "pl": "Kopia informacyjna: fakturą jest faktura elektroniczna przesłana przez KSeF",
    "en": "Copy for information: the invoice is the electronic invoice transmitted through KSeF",
}
# 1 EUR = 4.2345 PLN (NBP table 231/A/NBP/2026 of 19 November 2026). The VAT in euros is the record's;
# in zloty each amount is converted and rounded to the grosz: 10.00 EUR x 4.2345 = 42.345 -> 42.35 PLN
# (half up), 1.00 EUR x 4.2345 = 4.2345 -> 4.23 PLN, in all 46.58 PLN.
EXCHANGE = Exchange(
    tax_currency="PLN",
    rate=D("4.2345"),
    source="NBP",
    day=date(2026, 11, 19),
    reference="231/A/NBP/2026",
    tax_total=D("46.58"),
    per_rate=[
        TaxCurrencyAmount(category="S", rate=D("23"), tax_amount=D("42.35")),
        TaxCurrencyAmount(category="S", rate=D("8"), tax_amount=D("4.23")),
    ],
)
EXCHANGE_LINES = {
    "fr": ["Taux de change : 1 EUR = 4,2345 PLN (source NBP, référence 231/A/NBP/2026, du 19/11/2026)", "46,58 PLN"],
    "de": ["Wechselkurs: 1 EUR = 4,2345 PLN (Quelle NBP, Referenz 231/A/NBP/2026, vom 19.11.2026)", "46,58 PLN"],
    "pl": ["Kurs wymiany: 1 EUR = 4,2345 PLN (źródło NBP, tabela 231/A/NBP/2026, z dnia 19.11.2026)", "46,58 zł"],
    "en": ["Exchange rate: 1 EUR = 4.2345 PLN (source NBP, reference 231/A/NBP/2026, of 19/11/2026)", "PLN46.58"],
}


def language_document(lang: str, **fields: object) -> Document:
    """The market's seller, a buyer at home, the invoice in euros with its VAT also in zloty, a legal channel."""
    # The channel's name is printed, whatever the country: the page is what is tested here, so the record
    # is due in the CII only (a KSeF file for a non-Polish record would be refused by its builder).
    values: dict[str, object] = {
        "currency": "EUR",
        "exchange": EXCHANGE,
        "legal_channel": "KSeF",
        "formats": ["en16931-cii"],
    }
    values.update(fields)
    mention = Mention(code="mandate", text="Mention légale rédigée par le pack du pays du vendeur.")
    return foreign_document(lang, mentions=[mention], **values)


@pytest.fixture(scope="module")
def language_texts(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    tmp = tmp_path_factory.mktemp("languages")
    return {lang: flat(pdftotext(render_document(language_document(lang)).pdf, tmp)) for lang in LANGUAGES}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_pdf_text_of_each_language_holds_its_labels(lang: str, language_texts: dict[str, str]) -> None:
    text = language_texts[lang]
    for label in EXPECTED_LABELS[lang]:
        assert flat(label) in text, label
    assert flat(CHANNEL_NOTICES[lang]) in text
    # No French label leaks onto another language's page.
    if lang != "fr":
        for french in ("FACTURE", "Désignation", "Total TTC", "Net à payer", "Émetteur"):
            assert french not in text, french


@pytest.mark.parametrize("lang", LANGUAGES)
def test_credit_note_titles(lang: str, tmp_path: Path) -> None:
    doc = language_document(lang, legal_channel=None, exchange=None)
    credit = doc.model_copy(update={"kind": "credit_note", "type_code": "381"})
    assert flat(CREDIT_NOTE_TITLES[lang]) in flat(pdftotext(render_document(credit).pdf, tmp_path))


@pytest.mark.parametrize("lang", sorted(EXCHANGE_LINES))
def test_the_exchange_block_prints_rate_source_date_and_vat_in_the_tax_currency(
    lang: str, language_texts: dict[str, str]
) -> None:
    for expected in EXCHANGE_LINES[lang]:
        assert flat(expected) in language_texts[lang], expected


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_seller_block_prints_the_party_ids_and_legal_info(lang: str, language_texts: dict[str, str]) -> None:
    doc = language_document(lang)
    text = language_texts[lang]
    for party_id in doc.seller.ids:
        assert flat(f"{party_id.label} {party_id.value}") in text
    if doc.seller.legal_info:
        assert flat(doc.seller.legal_info) in text


def test_figures_and_dates_follow_the_page_locale(language_texts: dict[str, str]) -> None:
    # 2 x 49.90 + 19.00 = 118.80 incl. VAT; issued 20 November 2026 (samples.make_document).
    assert "118,80 €" in language_texts["de"]
    assert "20.11.2026" in language_texts["de"]
    assert "€ 118,80" in language_texts["nl"]
    assert "20/11/2026" in language_texts["nl"]
    assert "€118.80" in language_texts["en"]
    assert "20/11/2026" in language_texts["en"]
    assert "118,80 €" in language_texts["pl"]
    assert "20.11.2026" in language_texts["pl"]


def test_a_page_in_gbp_and_one_in_pln(tmp_path: Path) -> None:
    en = flat(pdftotext(render_document(foreign_document("en")).pdf, tmp_path))
    assert "£118.80" in en
    pl = flat(pdftotext(render_document(foreign_document("pl")).pdf, tmp_path))
    assert "118,80 zł" in pl


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_language_page_fits_without_overlap(lang: str, tmp_path: Path) -> None:
    pages, found = words(render_document(language_document(lang)).pdf, tmp_path)
    assert pages == 1
    for w in found:
        assert_inside(w, LEFT, RIGHT)
    assert_no_overlap(found)


def test_text_is_nfc_normalised(tmp_path: Path) -> None:
    decomposed = "Rene\u0301e Mu\u0308ller"  # "Renée Müller" typed with combining accents
    doc = foreign_document("de")
    doc = doc.model_copy(update={"buyer": doc.buyer.model_copy(update={"name": decomposed})})
    text = pdftotext(render_document(doc).pdf, tmp_path)
    assert "Renée Müller" in text
    assert "\u0301" not in text
    assert "\u0308" not in text


# -- pagination: 40 long mentions -----------------------------------------------------------------------

LONG_MENTIONS = [
    Mention(
        code=f"m{i}",
        text=f"Wzmianka {i:02d}: " + " ".join(f"przepis{i:02d}x{k:02d} żółć" for k in range(30)) + f" koniec{i:02d}.",
    )
    for i in range(40)
]


@pytest.fixture(scope="module")
def mentions_pdf() -> bytes:
    return render_document(foreign_document("pl", mentions=LONG_MENTIONS)).pdf


def test_forty_long_mentions_paginate_and_each_is_whole_on_a_page(mentions_pdf: bytes, tmp_path: Path) -> None:
    pages, found = words(mentions_pdf, tmp_path)
    assert pages >= 3
    for w in found:
        assert_inside(w, LEFT, RIGHT)
        assert w.x0 >= 0, w
        assert w.x1 <= PAGE_W, w
        assert w.y0 >= 20, w
        assert w.y1 <= PAGE_H - 20, w
    assert_no_overlap(found)
    # Every word of every mention is printed once, inside the page box (checked above), in order.
    for mention in LONG_MENTIONS:
        mention_words = mention.text.split()
        # "Wzmianka" starts them all; "07:" is one mention's own. Each is whole on the page that has it.
        (page,) = [w.page for w in found if w.text == mention_words[1]]
        printed = [w.text for w in found if w.page == page]
        start = printed.index(mention_words[1]) - 1
        assert printed[start : start + len(mention_words)] == mention_words, mention.code
    for n in range(1, pages + 1):
        assert any(w.page == n and w.text == f"{n}/{pages}" for w in found), n
        if n > 1:  # continuation pages repeat the number, marked as continued
            page_text = " ".join(w.text for w in found if w.page == n)
            assert "(ciąg dalszy)" in page_text


def test_long_skus_descriptions_and_addresses_wrap_in_every_language(tmp_path: Path) -> None:
    sku = "SKU-ŁÓDŹ-" + "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789abcdefghijklmnopq"  # 61 characters, no space
    street = "ul. " + "Konstantynopolitańczykowianeczka " * 6 + "123/45"
    for lang in ("pl", "de", "es"):
        doc = foreign_document(lang)
        line = doc.lines[0].model_copy(update={"sku": sku, "description": doc.lines[0].description * 6})
        buyer = doc.buyer.model_copy(
            update={"address": Address(line1=street, postcode="30-001", city="Kraków", country="PL")}
        )
        doc = doc.model_copy(update={"lines": [line, *doc.lines[1:]], "buyer": buyer})
        _pages, found = words(render_document(doc).pdf, tmp_path)
        for w in found:
            assert_inside(w, LEFT, RIGHT)
        assert_no_overlap(found)
        (_, ref0, ref1, _) = COLS[0]
        pieces = sorted(
            (w for w in found if w.x0 >= ref0 - 0.01 and w.x1 <= ref1 + 0.01), key=lambda w: (w.page, -w.y0)
        )
        assert sku in "".join(w.text for w in pieces)


# -- fonts: Polish never leaves the fast path, Greek and Cyrillic take no per-document subset -----------


@pytest.fixture
def no_fonttools_subsetting(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_: object) -> None:
        raise AssertionError("per-document fontTools subset")

    monkeypatch.setattr(font, "subset_full_font", refuse)
    return


@pytest.mark.usefixtures("no_fonttools_subsetting")
def test_polish_and_every_language_page_embed_only_the_latin_subset() -> None:
    latin = {font.prebuilt("regular").base_font, font.prebuilt("bold").base_font}
    for lang in LANGUAGES:
        pdf = render_document(language_document(lang)).pdf
        embedded = {name.decode() for name in _base_fonts(pdf)}
        assert embedded <= latin, (lang, embedded)


@pytest.mark.usefixtures("no_fonttools_subsetting")
@pytest.mark.parametrize("name", ["Γεώργιος Παπαδόπουλος", "Дмитрий Шостакович", "Արամ Խաչատրյան", "ნინო", "דוד לוי"])
def test_greek_cyrillic_and_others_use_the_prebuilt_wide_program(name: str, tmp_path: Path) -> None:
    doc = foreign_document("en")
    doc = doc.model_copy(update={"buyer": doc.buyer.model_copy(update={"name": name})})
    pdf = render_document(doc).pdf
    if name.isascii() or not ("\u0590" <= name[0] <= "\u05ff"):  # pdftotext reorders right-to-left text
        assert name in pdftotext(pdf, tmp_path)
    assert font.wide("bold").base_font.encode() in set(_base_fonts(pdf))


def test_a_fonttools_subset_in_between_does_not_change_a_documents_bytes() -> None:
    doc = foreign_document("en")
    greek = doc.model_copy(update={"buyer": doc.buyer.model_copy(update={"name": "Γεώργιος Παπαδόπουλος"})})
    arabic = doc.model_copy(update={"buyer": doc.buyer.model_copy(update={"name": "محمد"})})  # not in the wide set
    first = render_document(greek).pdf
    render_document(arabic)
    assert render_document(greek).pdf == first


def _base_fonts(pdf: bytes) -> list[bytes]:
    import re

    return re.findall(rb"/FontName /([A-Z]{6}\+[A-Za-z-]+)", pdf)


def test_a_column_heading_wider_than_its_column_wraps_inside_a_taller_band(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """No catalogue has one today; a translator's longer word must still not run into the next column."""
    german = dict(i18n.labels("de"))
    german["unit_price"] = "Einzelpreis ohne MwSt."
    german["discount"] = "Preisnachlass"
    monkeypatch.setattr(i18n, "labels", lambda language: german)
    pdf = render_document(foreign_document("de")).pdf
    _pages, found = words(pdf, tmp_path)
    assert_no_overlap(found)
    (_, p0, p1, _), (_, d0, d1, _) = COLS[3], COLS[4]
    heading = [w for w in found if w.text in {"Einzelpreis", "ohne", "MwSt."}]
    assert {w.text for w in heading} == {"Einzelpreis", "ohne", "MwSt."}
    for w in heading:
        assert_inside(w, p0, p1)
    assert len({round(w.y0) for w in heading}) >= 2  # on two lines or more
    for w in (w for w in found if w.text.startswith("Preisnach")):
        assert_inside(w, d0, d1)
    band = next(b for b in grey_boxes(pdf, 0) if abs(b[0] - LEFT) < 0.01 and abs(b[2] - RIGHT) < 0.01)
    for w in heading:
        assert band[1] <= w.y0
        assert w.y1 <= band[3] + 1


def test_the_buyer_box_prints_the_buyers_ids(tmp_path: Path) -> None:
    doc = foreign_document("pl")
    buyer = doc.buyer.model_copy(update={"ids": [PartyId(label="NIP", value="677-002-54-35", role="tax")]})
    text = flat(pdftotext(render_document(doc.model_copy(update={"buyer": buyer})).pdf, tmp_path))
    assert "NIP 677-002-54-35" in text


def test_no_channel_notice_without_a_channel(language_texts: dict[str, str], tmp_path: Path) -> None:
    text = flat(pdftotext(render_document(foreign_document("it")).pdf, tmp_path))
    assert "Copia di cortesia" not in text
    assert "Copia di cortesia" in language_texts["it"]
