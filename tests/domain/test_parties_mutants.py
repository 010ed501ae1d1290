"""Mutation tests of ``domain/parties.py`` and ``domain/iso3166.py`` (issue 12).

Check digits are worked out by hand in the comments from the rules python-stdnum documents (Luhn for
SIREN/SIRET, the French VAT key, the Greek and British VAT checksums); country codes from ISO 3166-1;
numbering formats from the docstring of ``numbering_problem`` and BR-FR-01/02 (at most 35 characters of
A-Z a-z 0-9 + - _ /). What a user is told is asserted word for word.
"""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from mandat.countries.registry import jurisdiction
from mandat.domain.iso3166 import COUNTRIES
from mandat.domain.parties import (
    Address,
    Seller,
    clean_text,
    clean_vat_id,
    numbering_problem,
    series_of,
    valid_vat_id,
    vat_country,
)

# --- numbers worked out by hand ----------------------------------------------------------------
#
# SIREN 732829320, Luhn (from the right, every second digit doubled, digits of the products summed):
#   0 + (2*2=4) + 3 + (9*2=18 -> 9) + 2 + (8*2=16 -> 7) + 2 + (3*2=6) + 7 = 40, a multiple of 10: valid.
#   732829321 gives 41: invalid.
SIREN = "732829320"
# SIRET = SIREN + NIC 0000 + key k, Luhn over 14 digits. From the right: k, 0, 0, 0, 0, (0*2=0), 2,
#   (3*2=6), 9, (2*2=4), 8, (2*2=4), 3, (7*2=14 -> 5): 0+2+6+9+4+8+4+3+5 = 41, so k = 9.
SIRET = "73282932000009"
# French VAT key = (12 + 3 * (SIREN mod 97)) mod 97. 732829320 = 97 * 7554941 + 43 (97 * 7554941 =
#   732829277), key = (12 + 129) mod 97 = 44.
VAT = "FR44732829320"
# Another company: SIREN 443061841 (Luhn: 1+8+8+2+6+0+3+8+4 = 40), 443061841 = 97 * 4567647 + 82,
#   key = (12 + 246) mod 97 = 64.
OTHER_VAT = "FR64443061841"
# Greece (VAT prefix EL): 9 digits, the first 8 weighted 256, 128, ..., 2; sum mod 11 mod 10 = last digit.
#   0*256 + 9*128 + 4*64 + 2*32 + 5*16 + 9*8 + 2*4 + 1*2 = 1634 = 11 * 148 + 6 -> 6: EL094259216 valid.
GREEK_VAT = "EL094259216"
# United Kingdom (HMRC): the first 7 digits weighted 8, 7, ..., 2, plus the last two as a number, must be
#   a multiple of 97: 9*8 + 8*7 + 0*6 + 7*5 + 8*4 + 0*3 + 6*2 = 207, 207 + 84 = 291 = 3 * 97: valid.
#   With 85 as last two digits: 292 (and 292 + 55 = 347 for the newer scheme): neither a multiple of 97.
GB_VAT = "GB980780684"


ADDRESS_FR = {"line1": "12 rue des Artisans", "postcode": "69002", "city": "Lyon", "country": "FR"}
ADDRESS_DE = {"line1": "Friedrichstraße 120", "postcode": "10115", "city": "Berlin", "country": "DE"}


def seller(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id": "atelier-test",
        "code": "AT",
        "legal_name": "Atelier Test SARL",
        "address": ADDRESS_FR,
        "siren": SIREN,
        "vat_id": VAT,
    }
    return {k: v for k, v in {**base, **changes}.items() if v is not None}


def only_error(model: Any, data: Any) -> tuple[tuple[Any, ...], str]:
    with pytest.raises(ValidationError) as caught:
        model.model_validate(data)
    found = [(tuple(e["loc"]), e["msg"]) for e in caught.value.errors()]
    assert len(found) == 1, found
    return found[0]


# --- free text -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "kept"),
    [
        ("  Lyon  ", "Lyon"),
        ("Cafe\u0301", "Caf\u00e9"),  # NFC composes e + combining acute into U+00E9
        ("A\x00B", "AB"),  # NUL: not an XML 1.0 Char
        ("A\x1bB\x7f", "AB"),  # ESC and DEL, C0 and C1 controls
        ("A\x85B\x9f", "AB"),  # C1 controls (NEL, APC)
        ("A\ufffeB\uffff", "AB"),  # non-characters outside XML's Char
        ("a\tb\nc\rd", "a\tb\nc\rd"),  # tab, LF and CR are XML Chars: kept inside
        ("\U0001f6e0 outils", "\U0001f6e0 outils"),  # astral plane: an XML Char
        ("", ""),  # empty stays empty (min_length refuses it where a text is required)
        ("   ", ""),
    ],
)
def test_clean_text(written: str, kept: str) -> None:
    assert clean_text(written) == kept


@pytest.mark.parametrize("value", [5, None, b"abc"])
def test_clean_text_leaves_non_strings_to_the_type_check(value: object) -> None:
    assert clean_text(value) is value


@pytest.mark.parametrize(
    "text", ["\u200b", " \u200b\u200d ", "\u0301", "\ue000", "\x00\u200b\u2028\u200b", "\u200b\u00a0\u200b"]
)
def test_clean_text_refuses_what_prints_nothing_word_for_word(text: str) -> None:
    # Zero-width space and joiner (Cf), a lone combining mark (Mn), private use (Co), line separator (Zl),
    # no-break space (Zs): nothing would print.
    with pytest.raises(ValueError) as caught:
        clean_text(text)
    assert str(caught.value) == "the text has no printable character"


def test_one_printable_character_is_enough() -> None:
    assert clean_text("\u200bA\u200b") == "\u200bA\u200b"


# --- countries (ISO 3166-1) ----------------------------------------------------------------------


def test_iso_3166_assigned_codes() -> None:
    # ISO 3166-1 lists 249 officially assigned alpha-2 codes (ISO/TC 46, 2023).
    assert len(COUNTRIES) == 249
    for code in ("FR", "DE", "GR", "GB", "MC", "AX", "BQ", "CW", "SX", "SS", "ZW", "AD", "US", "CH", "NO"):
        assert code in COUNTRIES
    # Deleted (AN 2010, CS 2006, YU 2003, ZR 1997, TP 2002), reserved or user-assigned: not countries.
    for code in ("AN", "CS", "YU", "ZR", "TP", "UK", "EL", "XI", "XK", "EU", "ZZ", "AA", "fr"):
        assert code not in COUNTRIES


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("XX", "XX is not an ISO 3166-1 alpha-2 country code"),
        ("EU", "EU is not an ISO 3166-1 alpha-2 country code"),
        ("UK", "UK is not an ISO 3166-1 alpha-2 country code; the United Kingdom is GB"),
        ("EL", "EL is not an ISO 3166-1 alpha-2 country code; EL is Greece's VAT prefix, the country is GR"),
        (
            "XI",
            "XI is not an ISO 3166-1 alpha-2 country code; XI is the VAT prefix of Northern Ireland, the country is GB",
        ),
    ],
)
def test_unknown_countries_word_for_word(code: str, message: str) -> None:
    assert only_error(Address, {**ADDRESS_FR, "country": code}) == (("country",), f"Value error, {message}")


@pytest.mark.parametrize("code", ["GB", "GR", "FR", "MC"])
def test_assigned_countries_are_kept(code: str) -> None:
    assert Address.model_validate({**ADDRESS_FR, "country": code}).country == code


# --- addresses -----------------------------------------------------------------------------------


def test_address_lines_as_printed() -> None:
    assert Address.model_validate(ADDRESS_FR).lines() == ["12 rue des Artisans", "69002 Lyon"]
    with_line2 = Address.model_validate({**ADDRESS_FR, "line2": "Bâtiment B"})
    assert with_line2.lines() == ["12 rue des Artisans", "Bâtiment B", "69002 Lyon"]
    empty_line2 = Address.model_validate({**ADDRESS_FR, "line2": " "})
    assert empty_line2.lines() == ["12 rue des Artisans", "69002 Lyon"]


# --- VAT ids -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "kept"),
    [(" fr 44.732-829320\t", VAT), ("el-094.259.216", GREEK_VAT), ("DE136695976", "DE136695976"), ("", "")],
)
def test_clean_vat_id_drops_spaces_dots_hyphens_and_upper_cases(written: str, kept: str) -> None:
    assert clean_vat_id(written) == kept


@pytest.mark.parametrize(
    ("vat_id", "country"),
    [(GREEK_VAT, "GR"), (VAT, "FR"), ("DE136695976", "DE"), (GB_VAT, "GB"), ("ES", "ES")],
)
def test_vat_country_is_the_prefix_except_greece(vat_id: str, country: str) -> None:
    assert vat_country(vat_id) == country


@pytest.mark.parametrize(
    ("vat_id", "valid"),
    [
        (VAT, True),
        (OTHER_VAT, True),
        ("FR45732829320", False),  # key 45 instead of 44
        (GREEK_VAT, True),
        ("EL094259217", False),  # check digit 7 instead of 6
        (GB_VAT, True),  # no longer in stdnum's EU list: the GB check
        ("GB980780685", False),
        ("XI980780684", True),  # Northern Ireland, same checksum as GB
        ("FR980780684", False),  # valid GB digits, but a French id has 11 characters after FR
        ("GB", False),
        ("", False),
        # The country prefix comes once: after "GB", 11 characters are neither 9 nor 12 digits.
        ("GBGB980780684", False),
        ("XIGB980780684", False),
        ("GBXI980780684", False),
        ("XIXI980780684", False),
        # HMRC's other formats (python-stdnum gb.vat): a branch trader's 12 digits (the first 9 checked),
        # government departments GD000-GD499 and health authorities HA500-HA999.
        ("GB980780684001", True),
        ("GBGD001", True),
        ("GBHA599", True),
        ("GBGD599", False),
        ("GBHA499", False),
    ],
)
def test_valid_vat_id_by_hand(vat_id: str, valid: bool) -> None:
    assert valid_vat_id(vat_id) is valid


def test_valid_vat_id_never_raises() -> None:
    assert valid_vat_id(None) is False  # type: ignore[arg-type]


# --- sellers -------------------------------------------------------------------------------------


def test_a_french_seller_with_its_identity() -> None:
    s = Seller.model_validate(seller(siren="732 829 320", siret="732 829 320 00009", vat_id="fr 44 732 829 320"))
    assert (s.siren, s.siret, s.vat_id) == (SIREN, SIRET, VAT)


def test_optional_identity_fields_may_be_absent_abroad() -> None:
    s = Seller.model_validate(seller(address=ADDRESS_DE, siren=None, vat_id=None))
    assert (s.siren, s.siret, s.vat_id) == (None, None, None)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("siren", "732829321", "invalid SIREN '732829321' (9 digits, Luhn key)"),
        ("siren", "7328 2932", "invalid SIREN '73282932' (9 digits, Luhn key)"),
        ("siret", "73282932000008", "invalid SIRET '73282932000008' (14 digits, Luhn key)"),
        ("siret", "7328293200000 9 1", "invalid SIRET '732829320000091' (14 digits, Luhn key)"),
        ("vat_id", "FR45 732 829 320", "invalid VAT id 'FR45732829320'"),
        ("vat_id", "GB980780685", "invalid VAT id 'GB980780685'"),
    ],
)
def test_seller_identity_check_digits_word_for_word(field: str, value: str, message: str) -> None:
    assert only_error(Seller, seller(address=ADDRESS_DE, **{field: value})) == ((field,), f"Value error, {message}")


def test_foreign_vat_ids_are_checked_too() -> None:
    assert Seller.model_validate(seller(address=ADDRESS_DE, siren=None, vat_id=GB_VAT)).vat_id == GB_VAT
    assert Seller.model_validate(seller(address=ADDRESS_DE, siren=None, vat_id="el 094 259 216")).vat_id == GREEK_VAT


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"siren": None}, "a seller established in France needs its SIREN (CGI ann. II art. 242 nonies A)"),
        ({"siret": "44306184100013"}, "SIRET must start with the SIREN"),
        ({"vat_id": OTHER_VAT}, f"French VAT id {OTHER_VAT} does not belong to SIREN {SIREN}"),
        ({"vat_id": None}, "a seller under the normal VAT regime needs its VAT id"),
    ],
)
def test_french_seller_identity_word_for_word(changes: dict[str, Any], message: str) -> None:
    # 44306184100013: SIREN 443061841 + NIC 0001 + key 3, a valid SIRET of another company. Luhn from the
    #   right: 3 + (1*2=2) + 0 + 0 + 0 + (1*2=2) + 4 + (8*2=16 -> 7) + 1 + (6*2=12 -> 3) + 0 + (3*2=6) + 4
    #   + (4*2=8) = 40.
    assert jurisdiction("FR").seller_problems(Seller.model_validate(seller(**changes))) == [message]


def test_french_seller_variants_that_are_fine() -> None:
    # A franchise seller (franchise en base) has no VAT id to state.
    assert Seller.model_validate(seller(vat_id=None, vat_regime="franchise")).vat_id is None
    # A SIRET of the seller's own SIREN.
    assert Seller.model_validate(seller(siret=SIRET)).siret == SIRET
    # A non-French VAT id is not matched against the SIREN (there is no key to compare).
    assert Seller.model_validate(seller(vat_id=GB_VAT)).vat_id == GB_VAT
    # Abroad, none of the French rules: no SIREN, no VAT id, a SIRET of anyone.
    abroad = seller(address=ADDRESS_DE, siren=None, vat_id=None, siret="44306184100013")
    assert Seller.model_validate(abroad).siret == "44306184100013"
    assert Seller.model_validate(seller(address=ADDRESS_DE, siren=SIREN, vat_id=OTHER_VAT)).vat_id == OTHER_VAT


# --- numbering formats ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "fmt",
    [
        "F-{code}-{seq:06}",
        "F-{seq}",
        "F-{seq:01}",  # N = 1, the smallest width
        "F-{seq:012}",  # N = 12, the largest
        "F/{code}/{seq:06}",
        "FAC{seq:08}",  # prefix up to the first '{'
        "A_B+C-{seq}",
        "ABCDEFGHIJKLMNOP-{seq}",  # a 16-character series name
        "F-" + "X" * 27 + "{seq}",  # 29 + 6 digits = 35 characters
        "F-" + "X" * 25 + "{seq:08}",  # 27 + 8 digits = 35 characters
        "F-" + "X" * 23 + "{code}{seq}",  # 25 + "AT" + 6 digits = 33 characters (code AT)
        "{code}{seq}",  # no '-' and nothing before '{': the default series F (rules.draft.series_name)
    ],
)
def test_numbering_formats_that_number_for_ever(fmt: str) -> None:
    assert numbering_problem(fmt, "AT") is None


def test_the_code_counts_in_the_length() -> None:
    # "F-" + 17 X + code of 10 + 6 digits = 35: fine; one more X: 36.
    assert numbering_problem("F-" + "X" * 17 + "{code}{seq}", "ABCDEFGHIJ") is None
    fmt = "F-" + "X" * 18 + "{code}{seq}"
    widest = "F-" + "X" * 18 + "ABCDEFGHIJ" + "999999"
    assert numbering_problem(fmt, "ABCDEFGHIJ") == (
        f"{fmt!r} gives numbers like {widest!r}: at most 35 characters of A-Z a-z 0-9 + - _ / "
        "(BR-FR-01/02), counting the code and the sequence"
    )


@pytest.mark.parametrize(
    ("fmt", "widest"),
    [
        ("F-" + "X" * 28 + "{seq}", "F-" + "X" * 28 + "999999"),  # 36 characters at a million documents
        ("F-" + "X" * 26 + "{seq:08}", "F-" + "X" * 26 + "99999999"),  # 36 at 8 digits
        ("F-" + "X" * 28 + "{seq:01}", "F-" + "X" * 28 + "999999"),  # width 1 still reaches 6 digits
        ("F {seq}", "F 999999"),  # a space
        ("F.{seq}", "F.999999"),
        ("F-{code}-{seq}", "F-A.B-999999"),  # the code's characters count too (code "A.B")
        ("F}}-{seq}", "F}-999999"),  # an escaped brace is a literal '}'
    ],
)
def test_numbers_too_long_or_with_other_characters_word_for_word(fmt: str, widest: str) -> None:
    code = "A.B" if "{code}" in fmt else "AT"
    assert numbering_problem(fmt, code) == (
        f"{fmt!r} gives numbers like {widest!r}: at most 35 characters of A-Z a-z 0-9 + - _ / "
        "(BR-FR-01/02), counting the code and the sequence"
    )


@pytest.mark.parametrize(
    "fmt",
    ["F-{id}-{seq}", "F-{seq!r}", "F-{code:5}-{seq}", "F-{code!s}-{seq}", "F-{seq:6}", "F-{seq:00}", "F-{seq:0100}"],
)
def test_unknown_fields_conversions_and_specs_word_for_word(fmt: str) -> None:
    assert numbering_problem(fmt, "AT") == (
        f"{fmt!r}: only {{code}}, {{seq}} and {{seq:0N}} (N from 1 to 12) may appear"
    )


@pytest.mark.parametrize("fmt", ["F-{code}", "F-000001", "F-{seq}-{seq}", "F-{seq:06}{seq}"])
def test_seq_exactly_once_word_for_word(fmt: str) -> None:
    assert numbering_problem(fmt, "AT") == (
        f"{fmt!r} must contain {{seq}} (or {{seq:0N}}) exactly once, or every number would be the same"
    )


def test_widths_beyond_12_word_for_word() -> None:
    assert numbering_problem("F-{seq:013}", "AT") == "'F-{seq:013}': a width of 13 digits is beyond 12"
    assert numbering_problem("F-{seq:099}", "AT") == "'F-{seq:099}': a width of 99 digits is beyond 12"


@pytest.mark.parametrize("fmt", ["F-{seq", "F-{seq}}-{", "F-}{seq}"])
def test_broken_formats_word_for_word(fmt: str) -> None:
    import string

    # The reason after the colon is Python's own (string.Formatter).
    try:
        list(string.Formatter().parse(fmt))
    except ValueError as exc:
        reason = str(exc)
    assert numbering_problem(fmt, "AT") == f"{fmt!r} is not a valid format: {reason}"


@pytest.mark.parametrize(
    ("fmt", "name"),
    [
        ("-{seq}", ""),  # no prefix at all
        ("{code}-{seq}", "{code}"),  # the prefix is not fixed
        ("ABCDEFGHIJKLMNOPQ-{seq}", "ABCDEFGHIJKLMNOPQ"),  # 17 characters
    ],
)
def test_series_names_word_for_word(fmt: str, name: str) -> None:
    expected = (
        f"{fmt!r} names its series {name!r}: start the format with a fixed prefix of 1 to "
        "16 characters, e.g. 'F-{code}-{seq:06}'"
    )
    assert numbering_problem(fmt, "AT") == expected


@pytest.mark.parametrize(
    ("fmt", "series"),
    [
        ("F-{code}-{seq:06}", "F"),
        ("AV-2026-{seq}", "AV"),  # the first '-' ends the name
        ("FAC{seq:06}", "FAC"),
        ("FAC{code}{seq}", "FAC"),  # the first '{' ends it
        ("{seq:06}", "F"),  # no fixed prefix: the default series F (rules.draft.series_name)
        ("-{seq}", ""),
    ],
)
def test_series_of(fmt: str, series: str) -> None:
    assert series_of(fmt) == series


@pytest.mark.parametrize("field", ["invoice_series", "credit_note_series"])
def test_a_sellers_series_are_checked_and_named_in_the_reason(field: str) -> None:
    assert only_error(Seller, seller(**{field: "X-{id}-{seq}"})) == (
        (),
        f"Value error, {field}: 'X-{{id}}-{{seq}}': only {{code}}, {{seq}} and {{seq:0N}} (N from 1 to 12) may appear",
    )


def test_invoices_and_credit_notes_number_in_different_series() -> None:
    s = Seller.model_validate(seller(invoice_series="FA-{code}-{seq:06}", credit_note_series="AV-{code}-{seq:06}"))
    assert (s.invoice_series, s.credit_note_series) == ("FA-{code}-{seq:06}", "AV-{code}-{seq:06}")
    assert only_error(Seller, seller(invoice_series="F-{seq}", credit_note_series="F-{code}-{seq:06}")) == (
        (),
        "Value error, invoice_series and credit_note_series must number in different series (different prefixes): "
        "credit notes have their own continuous numbering",
    )
