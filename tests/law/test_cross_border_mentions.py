"""The cross-border mention texts every country pack provides, in each of its legal languages.

What the law asks the invoice to *say* (Directive 2006/112/EC art. 226):

* (3), (4): the supplier's VAT number, and the customer's when the customer is liable or the supply
  is an intra-EU supply of goods (art. 138) -> ``seller_vat``, ``buyer_vat`` with ``{vat}``;
* (11): for an exemption, the Directive article, the national provision or another reference that
  the supply is exempt -> ``intra_eu_goods`` (art. 138, category K) and ``export`` (art. 146, G);
* (11a): "Reverse charge" when the customer is liable, in the Directive's words of each language
  -> ``reverse_charge_services`` (B2B services to another member state, art. 44 and 196, AE).

The key words below are written here from the statutes (national article transposing the Directive
article, and the Directive's own words), never read back from the packs: a text that loses its
article or its required words fails here. Whether and when the rules print them is tested with the
rules, not here.
"""

from __future__ import annotations

from datetime import date

import pytest

from mandat.countries.registry import jurisdiction
from mandat.domain.refusals import Rejected

DAY = date(2026, 11, 20)
VAT = "XX123456789"

# (country, language, code) -> words the text must contain (case-sensitive literals).
EXPECTED: dict[tuple[str, str, str], tuple[str, ...]] = {
    # France: CGI 262 ter I (art. 138), 262 I (art. 146), 259-1° (art. 44) and 242 nonies A ("Autoliquidation").
    ("FR", "fr", "intra_eu_goods"): ("Exonération", "262 ter I", "CGI"),
    ("FR", "fr", "export"): ("Exonération", "262 I", "CGI"),
    ("FR", "fr", "reverse_charge_services"): ("Autoliquidation", "259-1°", "196", "2006/112/CE"),
    ("FR", "fr", "seller_vat"): ("TVA", "vendeur"),
    ("FR", "fr", "buyer_vat"): ("TVA", "acheteur"),
    # Belgium: Code TVA / W.btw art. 39bis (art. 138), 39 § 1er (art. 146), 21 § 2 (art. 44).
    ("BE", "fr", "intra_eu_goods"): ("Exemption", "39bis", "Code TVA", "138"),
    ("BE", "fr", "export"): ("Exemption", "art. 39, § 1er", "146"),
    ("BE", "fr", "reverse_charge_services"): ("Autoliquidation", "21, § 2", "196"),
    ("BE", "fr", "seller_vat"): ("TVA", "fournisseur"),
    ("BE", "fr", "buyer_vat"): ("TVA", "client"),
    ("BE", "nl", "intra_eu_goods"): ("Vrijstelling", "39bis", "W.btw", "138"),
    ("BE", "nl", "export"): ("Vrijstelling", "art. 39, § 1", "146"),
    ("BE", "nl", "reverse_charge_services"): ("Btw verlegd", "verlegging van heffing", "21, § 2", "196"),
    ("BE", "nl", "seller_vat"): ("Btw-nummer", "leverancier"),
    ("BE", "nl", "buyer_vat"): ("Btw-nummer", "afnemer"),
    # German: the Directive's German words and articles; the Code as named in its official German translation.
    ("BE", "de", "intra_eu_goods"): (
        "Steuerfreie innergemeinschaftliche Lieferung",
        "39bis",
        "Mehrwertsteuergesetzbuch",
        "Art. 138",
    ),
    ("BE", "de", "export"): ("Ausfuhr", "Art. 39", "Art. 146"),
    ("BE", "de", "reverse_charge_services"): ("Steuerschuldnerschaft des Leistungsempfängers", "196"),
    ("BE", "de", "seller_vat"): ("MwSt", "Lieferanten"),
    ("BE", "de", "buyer_vat"): ("MwSt", "Kunden"),
    # Germany: § 4 Nr. 1 b + § 6a UStG (art. 138), § 4 Nr. 1 a + § 6 (art. 146), § 3a Abs. 2 + § 14a Abs. 5.
    ("DE", "de", "intra_eu_goods"): ("Steuerfreie innergemeinschaftliche Lieferung", "§ 4 Nr. 1 Buchst. b", "§ 6a"),
    ("DE", "de", "export"): ("Steuerfreie Ausfuhrlieferung", "§ 4 Nr. 1 Buchst. a", "§ 6 UStG"),
    ("DE", "de", "reverse_charge_services"): ("Steuerschuldnerschaft des Leistungsempfängers", "§ 3a Abs. 2", "196"),
    ("DE", "de", "seller_vat"): ("USt-IdNr.", "leistenden Unternehmers"),
    ("DE", "de", "buyer_vat"): ("USt-IdNr.", "Leistungsempfängers"),
    # Spain: LIVA (Ley 37/1992) art. 25 (art. 138), art. 21 (art. 146), art. 69 (art. 44).
    ("ES", "es", "intra_eu_goods"): ("Entrega intracomunitaria exenta", "art. 25", "Ley 37/1992"),
    ("ES", "es", "export"): ("Exportación exenta", "art. 21", "Ley 37/1992"),
    ("ES", "es", "reverse_charge_services"): ("Inversión del sujeto pasivo", "art. 69", "196"),
    ("ES", "es", "seller_vat"): ("NIF-IVA", "proveedor"),
    ("ES", "es", "buyer_vat"): ("NIF-IVA", "destinatario"),
    # Italy: D.L. 331/1993 art. 41 (art. 138), DPR 633/1972 art. 8 (art. 146), art. 7-ter and 21 c.6-bis.
    ("IT", "it", "intra_eu_goods"): ("non imponibile", "art. 41", "331/1993"),
    ("IT", "it", "export"): ("non imponibile", "art. 8", "633/1972"),
    ("IT", "it", "reverse_charge_services"): ("Inversione contabile", "7-ter", "6-bis", "196"),
    ("IT", "it", "seller_vat"): ("Partita IVA", "cedente/prestatore"),
    ("IT", "it", "buyer_vat"): ("IVA", "cessionario/committente"),
    # Portugal: RITI art. 14.º (art. 138), CIVA art. 14.º (art. 146), CIVA art. 6.º n.º 6 a) and 36 n.º 13.
    ("PT", "pt", "intra_eu_goods"): ("Isento", "artigo 14.º do RITI"),
    ("PT", "pt", "export"): ("Isento", "artigo 14.º do CIVA"),
    ("PT", "pt", "reverse_charge_services"): ("IVA - autoliquidação", "artigo 6.º, n.º 6", "196"),
    ("PT", "pt", "seller_vat"): ("IVA", "fornecedor"),
    ("PT", "pt", "buyer_vat"): ("IVA", "adquirente"),
    # Poland: art. 42 (WDT at 0 %), art. 41 ust. 4 (export at 0 %), art. 28b + 106e ust. 1 pkt 18.
    ("PL", "pl", "intra_eu_goods"): ("WDT", "0 %", "art. 42"),
    ("PL", "pl", "export"): ("Eksport towarów", "0 %", "art. 41 ust. 4"),
    ("PL", "pl", "reverse_charge_services"): ("odwrotne obciążenie", "art. 28b", "196"),
    ("PL", "pl", "seller_vat"): ("VAT", "sprzedawcy"),
    ("PL", "pl", "buyer_vat"): ("VAT", "nabywcy"),
    # United Kingdom: VATA 1994 s.30(6) (zero-rated exports), s.7A(2)(a) (services to a business abroad).
    ("GB", "en", "export"): ("Zero-rated export", "s.30(6)"),
    ("GB", "en", "outside_scope_services"): ("Outside the scope of UK VAT", "s.7A"),
    ("GB", "en", "seller_vat"): ("VAT registration number",),
    ("GB", "en", "buyer_vat"): ("VAT number", "Customer"),
}

# Codes deliberately absent, with the reason (the rules then refuse with mention_text_missing).
ABSENT: dict[tuple[str, str, str], str] = {
    ("GB", "en", "intra_eu_goods"): "Great Britain is outside the EU: no art. 138 supply (Northern Ireland refused)",
    ("GB", "en", "reverse_charge_services"): "UK law states services to abroad as outside the scope (s.7A)",
    **{
        (c, lang, "outside_scope_services"): "UK-only wording; EU packs state art. 196 reverse charge instead"
        for c, langs in {
            "FR": ("fr",),
            "BE": ("fr", "nl", "de"),
            "DE": ("de",),
            "ES": ("es",),
            "IT": ("it",),
            "PT": ("pt",),
            "PL": ("pl",),
        }.items()
        for lang in langs
    },
}

LEGAL_LANGUAGES = {
    "FR": ("fr",),
    "BE": ("fr", "nl", "de"),
    "DE": ("de",),
    "ES": ("es",),
    "IT": ("it",),
    "PT": ("pt",),
    "PL": ("pl",),
    "GB": ("en",),
}
CODES = ("intra_eu_goods", "export", "reverse_charge_services", "outside_scope_services", "seller_vat", "buyer_vat")
VAT_CODES = {"seller_vat", "buyer_vat"}


def test_every_pack_language_and_code_is_either_expected_or_deliberately_absent() -> None:
    for country, languages in LEGAL_LANGUAGES.items():
        assert jurisdiction(country).legal_languages == languages
    asked = {(c, lang, code) for c, langs in LEGAL_LANGUAGES.items() for lang in langs for code in CODES}
    assert set(EXPECTED) | set(ABSENT) == asked
    assert not set(EXPECTED) & set(ABSENT)


@pytest.mark.parametrize(("country", "language", "code"), sorted(EXPECTED))
def test_the_text_exists_formats_and_says_what_the_law_asks(country: str, language: str, code: str) -> None:
    pack = jurisdiction(country)
    values = {"vat": VAT} if code in VAT_CODES else {}
    text = pack.mention(code, DAY, language, **values).text
    for word in EXPECTED[(country, language, code)]:
        assert word in text, f"{country} {language} {code}: {word!r} missing from {text!r}"
    assert "{" not in text
    assert "}" not in text
    if code in VAT_CODES:
        assert text.endswith(VAT)
        with pytest.raises(KeyError):  # the number is a placeholder, never a fixed text
            pack.mention(code, DAY, language)


@pytest.mark.parametrize(("country", "language", "code"), sorted(ABSENT))
def test_deliberately_absent_codes_are_refused(country: str, language: str, code: str) -> None:
    with pytest.raises(Rejected) as refused:
        jurisdiction(country).mention(code, DAY, language)
    assert refused.value.code == "mention_text_missing"


REVERSE_CHARGE_WORDS = {
    # Directive art. 226(11a) in the language versions ("Btw verlegd": Belgian circulaire AFZ 02/2013).
    ("FR", "fr"): "Autoliquidation",
    ("BE", "fr"): "Autoliquidation",
    ("BE", "nl"): "Btw verlegd",
    ("BE", "de"): "Steuerschuldnerschaft des Leistungsempfängers",
    ("DE", "de"): "Steuerschuldnerschaft des Leistungsempfängers",
    ("ES", "es"): "Inversión del sujeto pasivo",
    ("IT", "it"): "Inversione contabile",
    ("PT", "pt"): "autoliquidação",
    ("PL", "pl"): "odwrotne obciążenie",
}


@pytest.mark.parametrize(("country", "language"), sorted(REVERSE_CHARGE_WORDS))
def test_reverse_charge_services_open_with_the_directive_words_and_cite_art_196(country: str, language: str) -> None:
    text = jurisdiction(country).mention("reverse_charge_services", DAY, language).text
    assert REVERSE_CHARGE_WORDS[(country, language)] in text.split("(")[0]
    assert "196" in text
    assert "44" in text
    assert "2006/112" in text


@pytest.mark.parametrize(
    ("country", "language", "article"),
    [
        ("BE", "fr", "138"),
        ("BE", "nl", "138"),
        ("BE", "de", "138"),
        ("DE", "de", "138"),
        ("ES", "es", "138"),
        ("IT", "it", "138"),
        ("PT", "pt", "138"),
        ("PL", "pl", "138"),
    ],
)
def test_intra_eu_texts_also_cite_the_directive(country: str, language: str, article: str) -> None:
    # art. 226(11): the Directive article alone is a sufficient reference, so it backs an UNSURE national one.
    text = jurisdiction(country).mention("intra_eu_goods", DAY, language).text
    assert article in text
    assert "2006/112" in text


def test_existing_texts_are_kept() -> None:
    # Adding codes changes no earlier text (France's two exemptions predate this issue).
    fr = jurisdiction("FR")
    assert fr.mention("intra_eu_goods", DAY, "fr").text == "Exonération de TVA, art. 262 ter I du CGI"
    assert fr.mention("export", DAY, "fr").text == "Exonération de TVA, art. 262 I du CGI"
    assert fr.mention("seller_vat", DAY, "fr", vat=VAT).text == f"N° TVA du vendeur : {VAT}"
