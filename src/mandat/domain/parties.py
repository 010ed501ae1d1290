"""Parties: postal addresses, sellers (with their billing mandate), buyers, the issuing marketplace."""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    StringConstraints,
    field_validator,
    model_serializer,
    model_validator,
)
from stdnum.eu import vat as eu_vat
from stdnum.fr import siren as fr_siren
from stdnum.fr import siret as fr_siret

from mandat.domain.iso3166 import COUNTRIES

# What XML 1.0 cannot carry (outside its Char production), plus the C1 controls it only tolerates:
# the CII writer drops them, so a text made only of them would be issued empty (BR-07, BR-25).
_UNCARRIABLE = re.compile("[^\t\n\r\x20-\x7e\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# Characters that print nothing: a text needs at least one character outside these.
_INVISIBLE = frozenset(("Zs", "Zl", "Zp", "Cc", "Cf", "Co", "Cn", "Mn", "Me"))


def clean_text(value: object) -> object:
    """Free text as it will be issued: NFC, without what XML cannot carry, whitespace stripped.

    Runs before the length checks, so that ``min_length`` counts what survives, and a text
    that prints nothing at all (only controls, spaces, zero-width or combining marks) is
    refused instead of issued blank.
    """
    if not isinstance(value, str):
        return value  # the str validator refuses it with its own message
    text = _UNCARRIABLE.sub("", unicodedata.normalize("NFC", value)).strip()
    if text and all(unicodedata.category(c) in _INVISIBLE for c in text):
        raise ValueError("the text has no printable character")
    return text


def _known_country(code: str) -> str:
    if code not in COUNTRIES:
        hint = {
            "UK": "; the United Kingdom is GB",
            "EL": "; EL is Greece's VAT prefix, the country is GR",
            "XI": "; XI is the VAT prefix of Northern Ireland, the country is GB",
        }.get(code, "")
        raise ValueError(f"{code} is not an ISO 3166-1 alpha-2 country code{hint}")
    return code


Clean = BeforeValidator(clean_text)
CountryCode = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$"), AfterValidator(_known_country)]
Text = Annotated[str, Clean, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
ShortText = Annotated[str, Clean, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]

# EU member states for VAT purposes (ISO codes; Greece's VAT prefix is EL, handled in vat_country).
EU_COUNTRIES = frozenset(
    "AT BE BG CY CZ DE DK EE ES FI FR GR HR HU IE IT LT LU LV MT NL PL PT RO SE SI SK".split()  # noqa: SIM905
)


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Address(Frozen):
    line1: Text
    line2: Annotated[str, Clean, StringConstraints(strip_whitespace=True, max_length=300)] | None = None
    # ASCII letters and digits: Unicode digits ("١٢", "１２") read as a postcode by people would print as
    # sent, and the territory checks (rules/territory.py) only know ASCII formats.
    postcode: Annotated[
        str,
        Clean,
        StringConstraints(strip_whitespace=True, min_length=1, max_length=20, pattern=r"^[A-Za-z0-9][A-Za-z0-9 \-]*$"),
    ]
    city: ShortText
    country: CountryCode
    # issue 15: the Italian "Provincia" (FatturaPA 1.2.2 §1.2.2.4 / 1.4.2.4, two capital letters: "MI", "RM"),
    # which an Italian address on a FatturaPA needs. Left out of the JSON while absent (see ``_omit_province``)
    # so that records issued before it keep their exact JSON and hash.
    province: Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")] | None = None

    @model_serializer(mode="wrap")
    def _omit_province(self, handler: SerializerFunctionWrapHandler) -> Any:
        data = handler(self)
        if isinstance(data, dict) and data.get("province", "") is None:
            del data["province"]
        return data

    @model_validator(mode="after")
    def _province_italian(self) -> Address:
        if self.province is not None and self.country != "IT":
            raise ValueError("province is the Italian Provincia: only for an address in Italy")
        return self

    def lines(self) -> list[str]:
        out = [self.line1]
        if self.line2:
            out.append(self.line2)
        out.append(f"{self.postcode} {self.city}")
        return out


def clean_vat_id(value: str) -> str:
    return re.sub(r"[\s.\-]", "", value).upper()


def vat_country(vat_id: str) -> str:
    """ISO country of a VAT id; Greek ids start with EL (BR-CO-09)."""
    prefix = vat_id[:2]
    return "GR" if prefix == "EL" else prefix


def valid_vat_id(vat_id: str) -> bool:
    """Syntax and check digits of an EU (or GB/XI) VAT id with python-stdnum; no VIES call here."""
    try:
        return bool(eu_vat.is_valid(vat_id)) or _valid_gb_vat(vat_id)
    except Exception:
        return False


def _valid_gb_vat(vat_id: str) -> bool:
    from stdnum.gb import vat as gb_vat

    # The whole id: stdnum strips one GB/XI prefix itself. Given vat_id[2:], it stripped a second one and
    # took "GBGB980780684" for a valid number.
    return vat_id[:2] in ("GB", "XI") and bool(gb_vat.is_valid(vat_id))


class Mandate(Frozen):
    """The written, prior billing mandate (CGI art. 289 I-2; BOI-TVA-DECLA-30-20-10)."""

    version: ShortText
    accepted_at: AwareDatetime
    status: Literal["active", "pending", "revoked"] = "active"
    contest_days: int = Field(default=15, ge=1, le=90)


class Insurance(Frozen):
    """Mandatory professional insurance for building trades (loi 96-603 art. 22-2)."""

    insurer: ShortText
    policy: ShortText
    coverage: ShortText


# --- numbering formats ---------------------------------------------------------------------------

SEQ_WIDTH_MAX = 12  # zero-padding of {seq:0N}: 12 digits outlast any seller, and keep numbers short
SEQ_DIGITS_CHECKED = 6  # a format must still give valid numbers at a million documents
SERIES_NAME_MAX = 16  # documents.series / series.series
_NUMBER_CHARS = re.compile(r"^[A-Za-z0-9+\-_/]{1,35}$")  # BR-FR-01/02, as countries/fr.valid_number
_SEQ_SPEC = re.compile(r"^(|0[1-9][0-9]?)$")


def numbering_problem(fmt: str, code: str) -> str | None:
    """Why a series format cannot number documents for ever, or None.

    Checked when a seller is saved, before any number is taken: exactly one ``{seq}`` or
    ``{seq:0N}`` (1 <= N <= 12), otherwise only ``{code}`` and the characters of BR-FR-01/02
    ('/' included: legal, and common in France), a number of at most 35 characters even at
    ``max(N, 6)`` digits, and a fixed prefix naming the series (``F`` in ``F-{code}-{seq:06}``).
    """
    import string

    seqs = 0
    width = 0
    literal = ""
    try:
        parsed = list(string.Formatter().parse(fmt))
    except ValueError as exc:
        return f"{fmt!r} is not a valid format: {exc}"
    for text, field, spec, conversion in parsed:
        literal += text
        if field is None:
            continue
        if field == "seq" and not conversion and _SEQ_SPEC.match(spec or ""):
            seqs += 1
            width = int(spec) if spec else 0
        elif field == "code" and not conversion and not spec:
            literal += code
        else:
            return f"{fmt!r}: only {{code}}, {{seq}} and {{seq:0N}} (N from 1 to {SEQ_WIDTH_MAX}) may appear"
    if seqs != 1:
        return f"{fmt!r} must contain {{seq}} (or {{seq:0N}}) exactly once, or every number would be the same"
    if width > SEQ_WIDTH_MAX:
        return f"{fmt!r}: a width of {width} digits is beyond {SEQ_WIDTH_MAX}"
    widest = literal + "9" * max(width, SEQ_DIGITS_CHECKED)
    if not _NUMBER_CHARS.match(widest):
        return (
            f"{fmt!r} gives numbers like {widest!r}: at most 35 characters of A-Z a-z 0-9 + - _ / "
            "(BR-FR-01/02), counting the code and the sequence"
        )
    name = series_of(fmt)
    # No "}" test: a "}" before the first "-" or "{" is either escaped ("}}", a literal refused above) or
    # single (a parse error); one that closes a field comes with its "{".
    if not name or "{" in name or len(name) > SERIES_NAME_MAX:
        return (
            f"{fmt!r} names its series {name!r}: start the format with a fixed prefix of 1 to "
            f"{SERIES_NAME_MAX} characters, e.g. 'F-{{code}}-{{seq:06}}'"
        )
    return None


def series_of(fmt: str) -> str:
    """The series a format numbers in: its fixed prefix (must equal rules.draft.series_name)."""
    return fmt.split("-", 1)[0] if "-" in fmt else fmt.split("{", 1)[0] or "F"


def _vat_id(value: str) -> str:
    value = clean_vat_id(value)
    if not valid_vat_id(value):
        raise ValueError(f"invalid VAT id {value!r}")
    return value


VatId = Annotated[str, AfterValidator(_vat_id)]


class Registration(Frozen):
    """A VAT registration of the seller in a country where it is not established (a stock held there,
    works supplied there): the id it invoices those supplies under (Directive 2006/112/EC art. 214)."""

    country: CountryCode
    vat_id: VatId
    since: date

    @model_validator(mode="after")
    def _prefix(self) -> Registration:
        country = vat_country(self.vat_id)
        if country == "XI":
            country = "GB"
        if country != self.country:
            raise ValueError(f"VAT id {self.vat_id} is not an id of {self.country}")
        return self


class OneStopShop(Frozen):
    """The seller's Union OSS registration (Directive 2006/112/EC art. 369a-369k): distance sales of goods
    and services to consumers taxed in another member state are declared in ``country`` (the member state
    of identification, where the seller is established), whose invoicing rules apply (art. 219a(2)(b))."""

    country: CountryCode
    since: date
    # Art. 59c(2): the seller chose destination taxation below the EUR 10,000 threshold (binding two years).
    destination_option: bool = False


class DistanceSalesOpening(Frozen):
    """What mandat cannot count itself: the seller's EU distance sales (goods dispatched to consumers in
    other member states, and telecom/broadcasting/electronic services; Directive art. 59c(1)(c)), net of
    VAT, in the currency of the seller's country, before mandat issued its documents."""

    year: int = Field(ge=2021, le=2100)  # the calendar year ``current_year`` belongs to
    previous_year: Decimal = Field(ge=0)  # the whole of year - 1
    current_year: Decimal = Field(ge=0)  # from January 1 of ``year`` to the first document mandat issued


# A series' fixed prefix, and the validation code the AT gives it (Portaria 195/2020 art. 3 n.º 2: 8+ characters).
SeriesPrefix = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9]{1,10}$")]
AtcudCode = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9]{8,20}$")]


class Seller(Frozen):
    """A marketplace seller in whose name documents are issued."""

    # Also a directory (or key prefix) of the document store: no "." or ".." and no leading punctuation.
    id: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:\-]{0,63}$")]
    code: Annotated[str, StringConstraints(pattern=r"^[A-Z0-9]{2,10}$")]
    legal_name: Text
    trade_name: ShortText | None = None
    address: Address
    email: ShortText | None = None
    # BT-42, as written by the seller ("+49 89 1234567"): XRechnung requires a seller telephone (BR-DE-6).
    phone: Annotated[str, StringConstraints(pattern=r"^\+?[0-9][0-9 ()./\-]{4,30}$")] | None = None
    siren: str | None = None
    siret: str | None = None
    vat_id: str | None = None
    legal_form: ShortText | None = None
    share_capital: Decimal | None = Field(default=None, ge=0)
    rcs_city: ShortText | None = None
    registry: Literal["RCS", "RM"] = "RCS"
    # Other countries' identity (docs/countries.md §x.3, §10.1), checked by the country's pack:
    company_id: Annotated[str, StringConstraints(max_length=40)] | None = None  # register number (KRS, HRB, REA...)
    trade_register: ShortText | None = None  # the register and its seat ("Amtsgericht München", "RPR Bruxelles"...)
    tax_number: Annotated[str, StringConstraints(max_length=40)] | None = None  # Steuernummer, codice fiscale, NIP...
    managers: ShortText | None = None  # DE GmbHG §35a: managing directors, named on business letters
    sole_shareholder: bool = False  # IT c.c. art. 2250: "socio unico"
    legal_language: Literal["fr", "nl", "de"] | None = None  # BE: the language of the seller's region
    vat_regime: Literal["normal", "franchise"] = "normal"
    vat_on_debits: bool = False
    size_class: Literal["large", "mid", "sme", "micro"] = "sme"
    insurance: Insurance | None = None
    mandate: Mandate | None = None
    invoice_series: Annotated[str, StringConstraints(max_length=40)] = "F-{code}-{seq:06}"
    credit_note_series: Annotated[str, StringConstraints(max_length=40)] = "A-{code}-{seq:06}"
    # Cross-border (docs/countries.md §14): where the seller is established when it is not the address's
    # country is not handled; registrations elsewhere, the OSS, the IOSS and the distance-sales totals are.
    registrations: Annotated[list[Registration], Field(max_length=40)] = []
    oss: OneStopShop | None = None
    ioss_id: Annotated[str, StringConstraints(pattern=r"^IM[0-9]{10}$")] | None = None
    distance_sales: DistanceSalesOpening | None = None
    # issue 15: Verifactu
    verifactu_since: date | None = None  # a voluntary start before the legal date (RD 1007/2023 art. 16)
    # Portugal (Portaria 195/2020 art. 2-3): the validation code the AT returned for each series (its fixed
    # prefix, e.g. "F") communicated before use; printed in the ATCUD "<code>-<number>".
    atcud_codes: Annotated[dict[SeriesPrefix, AtcudCode], Field(max_length=20)] = {}

    def registered_in(self, country: str) -> Registration | None:
        return next((r for r in self.registrations if r.country == country), None)

    @field_validator("company_id", "tax_number")
    @classmethod
    def _compact(cls, v: str | None) -> str | None:
        # Spaces only: whether the number is valid is the seller country's pack's to say (identity.py).
        return re.sub(r"\s", "", v) if v is not None else None

    # The syntax of the French identifiers is checked here, where a field can be pointed at; what the
    # French law requires of a seller established in France is countries/fr/identity.py's.
    @field_validator("siren")
    @classmethod
    def _siren(cls, v: str | None) -> str | None:
        if v is None:
            return None
        v = re.sub(r"\s", "", v)
        if not fr_siren.is_valid(v):
            raise ValueError(f"invalid SIREN {v!r} (9 digits, Luhn key)")
        return v

    @field_validator("siret")
    @classmethod
    def _siret(cls, v: str | None) -> str | None:
        if v is None:
            return None
        v = re.sub(r"\s", "", v)
        if not fr_siret.is_valid(v):
            raise ValueError(f"invalid SIRET {v!r} (14 digits, Luhn key)")
        return v

    @field_validator("vat_id")
    @classmethod
    def _vat(cls, v: str | None) -> str | None:
        if v is None:
            return None
        v = clean_vat_id(v)
        if not valid_vat_id(v):
            raise ValueError(f"invalid VAT id {v!r}")
        return v

    @model_validator(mode="after")
    def _numbering(self) -> Seller:
        for name, fmt in (("invoice_series", self.invoice_series), ("credit_note_series", self.credit_note_series)):
            problem = numbering_problem(fmt, self.code)
            if problem:
                raise ValueError(f"{name}: {problem}")
        countries = [r.country for r in self.registrations]
        if len(set(countries)) != len(countries):
            raise ValueError("registrations: one registration per country")
        if self.address.country in countries:
            raise ValueError(f"registrations: {self.address.country} is the seller's own country, its id is vat_id")
        if self.oss is not None and self.oss.country != self.address.country:
            raise ValueError(
                f"oss.country {self.oss.country}: a seller established in {self.address.country} registers for "
                "the Union OSS there (Directive 2006/112/EC art. 369a(2)); another member state is not handled"
            )
        if series_of(self.invoice_series) == series_of(self.credit_note_series):
            raise ValueError(
                "invoice_series and credit_note_series must number in different series (different prefixes): "
                "credit notes have their own continuous numbering"
            )
        return self


class Marketplace(Frozen):
    """The issuing agent ("tiers facturant", EXT-FR-FE-BG-05) acting under the sellers' mandates."""

    id: ShortText = "bricomarket"
    legal_name: Text = "Brico Market SAS"
    address: Address = Address(line1="12 rue des Artisans", postcode="69002", city="Lyon", country="FR")
    siren: str = "732829320"
    vat_id: str = "FR44732829320"
    website: ShortText = "bricomarket.example"
    # As the supplier of its sellers' sales (deemed supplier, docs/countries.md §14): its own identity and
    # series, one pair for the EU (OSS/IOSS, declared in its member state of identification) and one for
    # the United Kingdom (VATA 1994 s.5A).
    code: Annotated[str, StringConstraints(pattern=r"^[A-Z0-9]{2,10}$")] = "BRICO"
    legal_form: ShortText | None = "SAS"
    share_capital: Decimal | None = Decimal("250000")
    rcs_city: ShortText | None = "Lyon"
    ioss_id: Annotated[str, StringConstraints(pattern=r"^IM[0-9]{10}$")] | None = "IM2500000178"
    uk_vat_id: str | None = "GB980780684"
    uk_company_id: Annotated[str, StringConstraints(max_length=40)] | None = "FC038125"
    invoice_series: Annotated[str, StringConstraints(max_length=40)] = "MP-{seq:08}"
    credit_note_series: Annotated[str, StringConstraints(max_length=40)] = "MPA-{seq:08}"
    uk_invoice_series: Annotated[str, StringConstraints(max_length=40)] = "UK-{seq:08}"
    uk_credit_note_series: Annotated[str, StringConstraints(max_length=40)] = "UKA-{seq:08}"

    @property
    def series_owner(self) -> str:
        """Who owns its series in the store: no seller id starts with "@"."""
        return "@" + self.id
