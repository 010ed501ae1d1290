"""Sale events sent by the marketplace, as documented in docs/events.md.

Money fields are JSON strings or numbers parsed straight to Decimal (never float);
prices follow an explicit convention: ``prices_include_vat`` says whether unit
prices, discounts and shipping include VAT.

The edge is strict, because a lenient parser turns a sender's mistake into a legal document:
Python's ``Decimal`` reads ``"١٢"``, ``"１２"`` and ``"1_2"`` as 12, pydantic reads ``"yes"`` as
true and an integer as a Unix timestamp. Here numbers are JSON numbers or strings of ASCII
digits (:data:`DECIMAL_PATTERN`), booleans only ``true``/``false``, timestamps ISO 8601 strings
with an offset, and every date must fall in :func:`date_window`.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Annotated, Any, Literal, Self

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StringConstraints,
    ValidationError,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from mandat.domain.jsonin import MalformedJson, load_event_json
from mandat.domain.parties import Address, Clean, CountryCode, ShortText, Text, clean_vat_id, valid_vat_id

Identifier = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.:\-]{1,64}$")]

# A decimal in a string: ASCII digits, an optional fraction, an optional minus (so that a negative
# amount is told "must be >= 0", not "bad format"). No spaces, '+', exponent, '_' or other digits.
DECIMAL_PATTERN = re.compile(r"-?[0-9]+(\.[0-9]+)?")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_ISO_TIMESTAMP = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,6})?)?(Z|[+-][0-9]{2}:[0-9]{2})"
)

# Events older than this are not sales the service can invoice (rate tables start in 2014); the
# bound mostly keeps absurd years (1, 1900, 9999) and offset overflows away from the rules.
EARLIEST = date(2000, 1, 1)
# Clock skew allowed for what already happened (occurred_at, captured_at).
SKEW = timedelta(days=1)
# How far ahead a delivery date may be announced.
DELIVERY_AHEAD = timedelta(days=366)


def strict_decimal(value: object) -> object:
    """A JSON number (``Decimal`` or ``int`` from :func:`mandat.domain.jsonin.load_event_json`) or
    a string matching :data:`DECIMAL_PATTERN`; anything else is refused before Decimal sees it."""
    if isinstance(value, bool) or not isinstance(value, (int, Decimal, str)):
        # Floats included: they have lost the cents already (use the strict JSON loader).
        raise ValueError('expected a decimal number: a JSON number or a string of ASCII digits like "12.50"')
    if isinstance(value, str) and not DECIMAL_PATTERN.fullmatch(value):
        raise ValueError(
            "expected ASCII digits with an optional '.' fraction, like \"12.50\" "
            "(no spaces, signs other than '-', exponents, '_' or non-ASCII digits)"
        )
    return Decimal(value)


def _iso_timestamp(value: object) -> object:
    if not isinstance(value, datetime) and not (isinstance(value, str) and _ISO_TIMESTAMP.fullmatch(value)):
        raise ValueError('expected an ISO 8601 timestamp with an offset, like "2026-11-18T10:15:00+01:00"')
    return value


def _iso_date(value: object) -> object:
    if not isinstance(value, date) and not (isinstance(value, str) and _ISO_DATE.fullmatch(value)):
        raise ValueError('expected an ISO 8601 date, like "2026-11-19"')
    return value


def _now() -> datetime:
    return datetime.now(UTC)


def _past_timestamp(value: datetime) -> datetime:
    """Aware, and between :data:`EARLIEST` and now (plus :data:`SKEW`)."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("timestamps need a timezone offset")
    # Years first: comparing aware datetimes converts them to UTC, which overflows at the edges.
    latest = _now() + SKEW
    if value.year < EARLIEST.year or value < datetime.combine(EARLIEST, datetime.min.time(), UTC):
        raise ValueError(f"out of range: not before {EARLIEST.isoformat()}")
    if value.year > latest.year or value > latest:
        raise ValueError("in the future")
    return value


def _delivery_day(value: date) -> date:
    latest = (_now() + DELIVERY_AHEAD).date()
    if not EARLIEST <= value <= latest:
        raise ValueError(f"out of range: from {EARLIEST.isoformat()} to {latest.isoformat()}")
    return value


def _building_day(value: date) -> date:
    """A building's dates go back centuries, but not before 1000 nor a year ahead."""
    latest = (_now() + DELIVERY_AHEAD).date()
    if not date(1000, 1, 1) <= value <= latest:
        raise ValueError(f"out of range: from 1000-01-01 to {latest.isoformat()}")
    return value


Timestamp = Annotated[datetime, BeforeValidator(_iso_timestamp), AfterValidator(_past_timestamp)]
Day = Annotated[date, BeforeValidator(_iso_date), AfterValidator(_delivery_day)]
BuildingDay = Annotated[date, BeforeValidator(_iso_date), AfterValidator(_building_day)]
Label = Annotated[str, Clean, StringConstraints(min_length=1, max_length=64)]
Reference = Annotated[str, Clean, StringConstraints(min_length=1, max_length=128)]


def _max_decimals(places: int):  # type: ignore[no-untyped-def]
    def check(v: Decimal) -> Decimal:
        # Finite already: the decimal type refuses NaN and infinities ("Input should be a finite number").
        exponent = v.as_tuple().exponent
        if isinstance(exponent, int) and -exponent > places:
            raise ValueError(f"at most {places} decimals")
        return v

    return AfterValidator(check)


Strict = BeforeValidator(strict_decimal)


def _decimal_schema(**bounds: float) -> WithJsonSchema:
    """What the published schema says: a JSON number within ``bounds``, or a string of ASCII digits."""
    pattern = "^-?[0-9]+(\\.[0-9]+)?$"
    return WithJsonSchema({"anyOf": [{"type": "number", **bounds}, {"type": "string", "pattern": pattern}]})


Amount = Annotated[
    Decimal,
    Strict,
    _decimal_schema(minimum=0, maximum=99999999.99),
    _max_decimals(2),
    Field(ge=0, le=Decimal("99999999.99")),
]
UnitPrice = Annotated[
    Decimal, Strict, _decimal_schema(minimum=0, maximum=99999999), _max_decimals(6), Field(ge=0, le=Decimal("99999999"))
]
Quantity = Annotated[
    Decimal,
    Strict,
    _decimal_schema(exclusiveMinimum=0, maximum=1000000),
    _max_decimals(4),
    Field(gt=0, le=Decimal(1000000)),
]
Rate = Annotated[
    Decimal, Strict, _decimal_schema(minimum=0, exclusiveMaximum=100), _max_decimals(2), Field(ge=0, lt=100)
]
Currency = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]


class Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    @classmethod
    def model_validate_json(
        cls, json_data: str | bytes | bytearray, *, strict: bool | None = None, **kwargs: Any
    ) -> Self:
        """Through :func:`load_event_json`: pydantic's own JSON reader keeps duplicate keys' last
        value and hands JSON numbers over as floats. Bad JSON is a ``json_invalid`` ValidationError."""
        try:
            data = load_event_json(bytes(json_data) if isinstance(json_data, bytearray) else json_data)
        except MalformedJson as exc:
            raise ValidationError.from_exception_data(
                cls.__name__, [{"type": "json_invalid", "loc": (), "input": "", "ctx": {"error": exc.reason}}]
            ) from None
        return cls.model_validate(data, strict=strict, **kwargs)


# Languages a document can be printed in (the PDF's labels); the law's mentions may add another.
Language = Literal["fr", "nl", "de", "es", "it", "pt", "pl", "en"]
TaxNumber = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9]{2,20}$")]


class BuyerFacts(Model):
    """What a business buyer declares that a domestic reverse charge or a special regime depends on
    (docs/countries.md §1.3). Absent means "not declared": a rule that needs it refuses, never assumes."""

    be_periodic_filer: StrictBool | None = None  # BE: files periodic VAT returns (cocontractant, art. 20 AR 1)
    de_bauleister: StrictBool | None = None  # DE: sustainably provides construction services (§13b(5) UStG)
    es_construction_role: Literal["developer", "contractor", "none"] | None = None  # ES art. 84.Uno.2º.f LIVA
    es_recargo_equivalencia: StrictBool | None = None  # ES retailer under recargo de equivalencia
    es_comunidad_propietarios: StrictBool | None = None  # ES homeowners' association (LIVA 91.Uno.2.10º)
    gb_cis_registered: StrictBool | None = None  # UK: CIS-registered (domestic reverse charge, s.55A VATA)
    gb_end_user: StrictBool | None = None  # UK: end user or intermediary supplier, confirmed in writing
    pt_deduction_right: StrictBool | None = None  # PT: taxable person with a right to deduct (art. 2(1)(j) CIVA)


class ViesCheck(Model):
    """The check of the buyer's VAT id the marketplace made in VIES (Implementing Regulation 282/2011
    art. 18(1)(a)): kept in the decision trace; an id VIES found invalid exempts nothing."""

    checked_at: Timestamp
    reference: Reference = Field(description="the consultation number VIES returned")
    valid: StrictBool


# issue 15: buyers' e-invoicing addresses ---------------------------------------------------------------

# Peppol EAS codes whose identifier is a VAT number (Peppol "Electronic Address Scheme" code list, the
# 99xx VAT entries): the country whose VAT number the value must be.
PEPPOL_VAT_SCHEMES: dict[str, str] = {
    "9914": "AT", "9925": "BE", "9926": "BG", "9928": "CY", "9929": "CZ", "9930": "DE", "9931": "EE",
    "9933": "GR", "9920": "ES", "9957": "FR", "9934": "HR", "9910": "HU", "9935": "IE", "9937": "LT",
    "9938": "LU", "9939": "LV", "9943": "MT", "9944": "NL", "9945": "PL", "9946": "PT", "9947": "RO",
    "9949": "SI", "9950": "SK",
}  # fmt: skip
_PEPPOL_ID = re.compile(r"([0-9]{4}):([A-Za-z0-9][A-Za-z0-9.:_\-]{0,99})")
_LEITWEG = re.compile(r"([0-9]{2,12})(-[A-Z0-9]{1,30})?-([0-9]{2})")


def _mod97_10(text: str) -> bool:
    """ISO 7064 MOD 97-10 over digits and letters (A=10 ... Z=35): the check the Leitweg-ID and IBAN use."""
    digits = "".join(str(int(c, 36)) for c in text)
    return int(digits) % 97 == 1


def leitweg_problem(value: str) -> str | None:
    """Why ``value`` is not a Leitweg-ID (KoSIT "Formatspezifikation Leitweg-ID" 2.0.2: coarse address of
    2 to 12 digits, optional fine address of up to 30 capital letters or digits, two check digits computed
    ISO 7064 MOD 97-10 over the whole id without hyphens); None when it is one."""
    if not _LEITWEG.fullmatch(value):
        return (
            f"{value!r} is not a Leitweg-ID: 2 to 12 digits, an optional '-' and up to 30 capital letters or "
            "digits, then '-' and two check digits, like \"04011000-1234512345-06\""
        )
    if not _mod97_10(value.replace("-", "")):
        return f"{value!r}: wrong Leitweg-ID check digits (ISO 7064 MOD 97-10)"
    return None


def peppol_problem(value: str) -> str | None:
    """Why ``value`` is not a Peppol participant id ``<scheme>:<identifier>`` (Peppol Policy for use of
    identifiers 4.x, ISO 6523 ICD / EAS code list); the identifier is checked where its scheme has check
    digits: 0208 Belgian enterprise number (mod 97), 0088 GLN (GS1 mod 10), 0204 Leitweg-ID, 99xx VAT numbers."""
    match = _PEPPOL_ID.fullmatch(value)
    if match is None:
        return f"{value!r} is not a Peppol participant id: four-digit scheme, ':', identifier, like \"0208:0123456749\""
    scheme, ident = match.groups()
    if scheme == "0208":
        if not re.fullmatch(r"[01][0-9]{9}", ident) or 97 - int(ident[:8]) % 97 != int(ident[8:]):
            return f"{value!r}: 0208 takes a Belgian enterprise number, ten digits with valid check digits (mod 97)"
    elif scheme == "0088":
        if not re.fullmatch(r"[0-9]{13}", ident) or not _gs1_valid(ident):
            return f"{value!r}: 0088 takes a GLN, thirteen digits with a valid GS1 check digit"
    elif scheme == "0204":
        problem = leitweg_problem(ident)
        if problem is not None:
            return f"{value!r}: 0204 takes a Leitweg-ID; {problem}"
    elif scheme in PEPPOL_VAT_SCHEMES:
        country = PEPPOL_VAT_SCHEMES[scheme]
        vat = clean_vat_id(ident)
        prefix = "EL" if country == "GR" else country
        if not vat.startswith(prefix):
            vat = prefix + vat
        if not valid_vat_id(vat):
            return f"{value!r}: {scheme} takes a {country} VAT number, and this one is not valid"
    return None


def _gs1_valid(digits: str) -> bool:
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(reversed(digits[:-1]), start=1))
    return (10 - total % 10) % 10 == int(digits[-1])


def _peppol_id(value: str) -> str:
    problem = peppol_problem(value)
    if problem is not None:
        raise ValueError(problem)
    return value


def _leitweg_id(value: str) -> str:
    problem = leitweg_problem(value)
    if problem is not None:
        raise ValueError(problem)
    return value


PeppolId = Annotated[str, StringConstraints(strip_whitespace=True, max_length=110), AfterValidator(_peppol_id)]
LeitwegId = Annotated[
    str, StringConstraints(strip_whitespace=True, to_upper=True, max_length=46), AfterValidator(_leitweg_id)
]
SdiCode = Annotated[
    str,
    BeforeValidator(lambda v: v.strip().upper() if isinstance(v, str) else v),
    StringConstraints(pattern=r"^[A-Z0-9]{7}$"),
]
Pec = Annotated[str, Clean, StringConstraints(max_length=256, pattern=r"^[^@\s]{1,64}@[^@\s]{1,191}\.[^@\s]{2,63}$")]


class Buyer(Model):
    kind: Literal["consumer", "business"]
    name: Text
    address: Address
    email: Annotated[str, Clean, StringConstraints(pattern=r"^[^@\s]{1,64}@[^@\s]{1,255}$")] | None = None
    vat_id: str | None = None
    siren: Annotated[str, StringConstraints(pattern=r"^[0-9]{9}$")] | None = None
    purchase_order: Annotated[str, Clean, StringConstraints(max_length=50)] | None = None
    language: Language | None = Field(
        default=None, description="language of the PDF; default: the buyer's country's (docs/countries.md §10.2)"
    )
    tax_number: TaxNumber | None = Field(
        default=None, description="national tax number (ES NIF, IT codice fiscale, PT NIF, PL NIP...)"
    )
    facts: BuyerFacts | None = None
    vies: ViesCheck | None = Field(
        default=None, description="the VIES check of vat_id the marketplace made (absent: none recorded)"
    )
    # issue 15: where the buyer receives e-invoices (docs/events.md "E-invoicing addresses").
    peppol_id: PeppolId | None = Field(
        default=None,
        description='Peppol participant id "<scheme>:<id>" (0208 Belgian enterprise number, 0088 GLN, 0204 '
        "Leitweg-ID, 99xx VAT numbers...): the buyer receives Peppol BIS Billing 3.0 there",
    )
    leitweg_id: LeitwegId | None = Field(
        default=None,
        description="DE: the buyer's Leitweg-ID (public buyers): XRechnung, quoted as the buyer reference (BT-10)",
    )
    xrechnung: Literal["cii", "ubl"] | None = Field(
        default=None, description="DE: the buyer asks for XRechnung 3.0 in this syntax (default with a Leitweg-ID: cii)"
    )
    sdi_code: SdiCode | None = Field(
        default=None, description="IT: the buyer's SdI recipient code (codice destinatario, 7 characters)"
    )
    pec: Pec | None = Field(default=None, description="IT: the buyer's certified e-mail (PEC) the SdI delivers to")

    @model_validator(mode="after")
    def _vies_checks_an_id(self) -> Buyer:
        if self.vies is not None and self.vat_id is None:
            raise ValueError("vies is the check of a VAT id: give vat_id too")
        return self

    @model_validator(mode="after")
    def _addresses_fit(self) -> Buyer:
        country = self.address.country
        if self.leitweg_id is not None and country != "DE":
            raise ValueError("leitweg_id is a German buyer's routing id: the buyer's address is not in DE")
        if self.xrechnung is not None and country != "DE":
            raise ValueError("xrechnung is asked by a German buyer: the buyer's address is not in DE")
        if (self.sdi_code is not None or self.pec is not None) and country != "IT":
            raise ValueError("sdi_code and pec address an Italian buyer: the buyer's address is not in IT")
        if self.sdi_code is not None and self.pec is not None:
            raise ValueError("give sdi_code or pec, not both (the SdI delivers to one of them)")
        if self.sdi_code == "0000000":
            raise ValueError('sdi_code "0000000" means "no code": leave sdi_code out')
        return self

    @field_validator("vat_id")
    @classmethod
    def _clean_vat(cls, v: str | None) -> str | None:
        if not v:
            return None
        v = clean_vat_id(v)
        # ASCII only: check-digit libraries read Unicode digits as digits, the invoice would print them.
        if not re.fullmatch(r"[A-Z]{2}[A-Z0-9+*]{2,13}", v):
            raise ValueError(f"{v!r} is not a VAT id (two letters, then ASCII letters and digits)")
        return v


class Line(Model):
    sku: Label
    description: Text
    quantity: Quantity
    unit_price: UnitPrice
    nature: Literal["goods", "service"] = "goods"
    vat_rate: Rate | None = Field(default=None, description="VAT percent; or give tax_category")
    tax_category: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z_]{1,39}$")] | None = Field(
        default=None,
        description="a key of the seller country's rate table (standard, reduced, home_renovation...; "
        "docs/countries.md §0.2); a key the country does not have is refused",
    )
    discount: Amount = Field(default=Decimal(0), description="amount off this line, same VAT convention")
    unit: Annotated[str, StringConstraints(pattern=r"^[A-Z0-9]{1,3}$")] = "C62"
    works_part: Literal["labour", "materials", "significant_goods", "equipment", "fossil_heating"] | None = Field(
        default=None, description="which part of works the line is, where a works rate depends on it"
    )
    pl_annex15: StrictBool | None = Field(
        default=None,
        description="PL: goods or services of annex 15 to the VAT act (split payment above PLN 15,000 gross)",
    )
    destination_tax_category: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z_]{1,39}$")] | None = Field(
        default=None,
        description="for a sale taxed in another country than the seller's (OSS distance sale, works abroad under "
        "a local registration, the marketplace as deemed supplier): the key of that country's rate table; "
        "without it the standard rate applies, and a line with a reduced tax_category is refused",
    )

    @model_validator(mode="after")
    def _discount_fits(self) -> Line:
        if self.discount > self.quantity * self.unit_price:
            raise ValueError("discount larger than the line amount")
        return self


class ClientStatement(Model):
    """The client accepted the statement a works rate asks for (FR attestation, BE déclaration...)."""

    accepted_at: Timestamp
    text_id: Label


class Works(Model):
    """The facts a reduced rate for works on dwellings depends on (docs/countries.md §1.3).

    mandat never infers them: a works rate without the facts its country requires is refused.
    """

    property_address: Address | None = None
    dwelling: StrictBool | None = None
    private_use: Literal["exclusive", "main", "other"] | None = None
    completed_on: BuildingDay | None = None
    first_occupied_year: Annotated[StrictInt, Field(ge=1000, le=2100)] | None = None
    started_on: Day | None = None
    building_type: Literal["house", "flat"] | None = None
    floor_area_m2: (
        Annotated[Decimal, Strict, _decimal_schema(exclusiveMinimum=0), _max_decimals(2), Field(gt=0)] | None
    ) = None
    installed_by_seller: StrictBool | None = None
    client_statement: ClientStatement | None = None
    operator_is_buyer: StrictBool | None = None
    pv_kwp: Annotated[Decimal, Strict, _decimal_schema(exclusiveMinimum=0), _max_decimals(3), Field(gt=0)] | None = None


class Shipping(Model):
    amount: Amount
    description: Text | None = Field(default=None, description="default: 'Shipping' in the document's language")
    vat_rate: Rate | None = None


class Discount(Model):
    """An order-level discount (voucher), spread over the lines pro rata to their amounts."""

    amount: Amount
    reason: Text | None = Field(default=None, description="default: 'Discount' in the document's language")


class Payment(Model):
    provider: ShortText
    transaction_id: Reference
    amount: Amount
    currency: Currency
    status: Literal["captured", "authorized", "pending", "failed", "refunded"]
    captured_at: Timestamp | None = None
    method: Literal["card", "transfer", "paypal", "wallet", "other"] = "card"


class Consignment(Model):
    """The intrinsic value of a consignment imported into the EU or the UK (Directive 2006/112/EC art.
    14a(1) and Regulation 2015/2446 art. 1(48): the price of the goods, without transport and insurance
    unless included in the price; VATA 1994 s.5A, Sch 1A): it decides who supplies the goods."""

    value: Amount
    currency: Currency = Field(description="EUR for a consignment into the EU, GBP for one into the UK")


class Delivery(Model):
    date: Day
    address: Address | None = None
    dispatched_from: CountryCode | None = Field(
        default=None,
        description="ISO country where the transport of the goods starts (default: the seller's country): "
        "a seller's stock in another country, the marketplace's warehouse",
    )
    consignment: Consignment | None = Field(
        default=None,
        description="goods dispatched from outside the buyer's VAT area (EU or UK): the consignment's intrinsic "
        "value, needed to tell an import by the marketplace as deemed supplier from the seller's own",
    )


def _published_day(value: date) -> date:
    latest = (_now() + SKEW).date()
    if not EARLIEST <= value <= latest:
        raise ValueError(f"out of range: a published rate's day, from {EARLIEST.isoformat()} to {latest.isoformat()}")
    return value


PublishedDay = Annotated[date, BeforeValidator(_iso_date), AfterValidator(_published_day)]


class ExchangeRate(Model):
    """A rate the marketplace gives for stating the VAT in the taxing country's currency (BT-6/BT-111)
    when the order's is another; without it the imported ECB/NBP tables apply (docs/exchange-rates.md)."""

    rate: Annotated[
        Decimal,
        Strict,
        _decimal_schema(exclusiveMinimum=0, maximum=1000000000),
        _max_decimals(10),
        Field(gt=0, le=Decimal(1000000000)),
    ] = Field(description="units of the taxing country's currency for one unit of the order's currency")
    source: ShortText = Field(description='printed on the document, e.g. "ECB", "HMRC", a bank\'s name')
    date: PublishedDay = Field(description="the day the rate was published for")
    reference: ShortText | None = None


class OrderPaid(Model):
    """``order.paid``: the buyer paid an order; the seller's invoice is due."""

    type: Literal["order.paid"]
    event_id: Identifier
    marketplace_id: Identifier
    order_id: Identifier
    seller_id: Identifier
    occurred_at: Timestamp
    currency: Currency = "EUR"
    prices_include_vat: StrictBool
    buyer: Buyer
    lines: Annotated[list[Line], Field(min_length=1, max_length=500)]
    shipping: Shipping | None = None
    discounts: Annotated[list[Discount], Field(max_length=20)] = []
    payment: Payment
    delivery: Delivery
    works: Works | None = None
    exchange_rate: ExchangeRate | None = None

    def order_key(self) -> str:
        return order_key(self.marketplace_id, self.order_id)

    def idempotency_key(self) -> str:
        return f"{self.order_key()}:invoice"

    @property
    def deliver_to_country(self) -> str:
        return (self.delivery.address or self.buyer.address).country


def order_key(marketplace_id: str, order_id: str) -> str:
    """The identity of an order across its events (the ``orders`` ledger's key)."""
    return f"{marketplace_id}:{order_id}"


class RefundPayment(Model):
    """Proof that money went back to the buyer: the credit note is issued once the refund is executed."""

    provider: ShortText
    transaction_id: Reference
    amount: Amount
    currency: Currency
    status: Literal["refunded", "pending", "failed"]
    captured_at: Timestamp | None = Field(default=None, description="when the refund was executed")
    method: Literal["card", "transfer", "paypal", "wallet", "other"] = "card"


class RefundedLine(Model):
    """A line of the order, named by its ``sku`` or by its 1-based position ``line_no`` in ``order.paid``."""

    sku: Label | None = None
    line_no: Annotated[StrictInt, Field(ge=1, le=500)] | None = None
    quantity: Quantity

    @model_validator(mode="after")
    def _one_reference(self) -> RefundedLine:
        if (self.sku is None) == (self.line_no is None):
            raise ValueError("give either sku or line_no")
        return self


class RefundedAmount(Model):
    """A free amount (goodwill gesture, price adjustment), VAT included, at one of the invoice's rates."""

    vat_rate: Rate
    amount: Annotated[
        Decimal,
        Strict,
        _decimal_schema(exclusiveMinimum=0, maximum=99999999.99),
        _max_decimals(2),
        Field(gt=0, le=Decimal("99999999.99")),
    ]


class FullRefund(Model):
    kind: Literal["full"]


class LinesRefund(Model):
    kind: Literal["lines"]
    lines: Annotated[list[RefundedLine], Field(max_length=500)] = []
    shipping: StrictBool = Field(default=False, description="also refund what remains of the shipping")

    @model_validator(mode="after")
    def _something(self) -> LinesRefund:
        if not self.lines and not self.shipping:
            raise ValueError("a lines refund needs lines or shipping")
        return self


class ShippingRefund(Model):
    kind: Literal["shipping"]


class AmountRefund(Model):
    kind: Literal["amount"]
    amounts: Annotated[list[RefundedAmount], Field(min_length=1, max_length=10)]
    description: Text | None = Field(default=None, description="default: 'Goodwill gesture' in the document's language")


RefundScope = Annotated[FullRefund | LinesRefund | ShippingRefund | AmountRefund, Field(discriminator="kind")]


class _AfterSale(Model):
    event_id: Identifier
    marketplace_id: Identifier
    order_id: Identifier
    seller_id: Identifier
    occurred_at: Timestamp
    reason: Text | None = None

    def order_key(self) -> str:
        return order_key(self.marketplace_id, self.order_id)


class OrderRefunded(_AfterSale):
    """``order.refunded``: money went back to the buyer for all or part of an invoiced order.

    Each refund has its own ``refund_id``: a redelivery or re-send of the same refund yields one
    credit note. The credit note's total must equal ``payment.amount``.
    """

    type: Literal["order.refunded"]
    refund_id: Identifier
    refund: RefundScope
    payment: RefundPayment

    def idempotency_key(self) -> str:
        return f"{self.order_key()}:refund:{self.refund_id}"


class OrderCancelled(_AfterSale):
    """``order.cancelled``: before the invoice, no invoice is ever issued for the order; after it, a
    credit note for everything not credited yet, which needs the refund's ``payment``."""

    type: Literal["order.cancelled"]
    payment: RefundPayment | None = None

    def idempotency_key(self) -> str:
        return f"{self.order_key()}:cancel"


SaleEvent = OrderPaid | OrderRefunded | OrderCancelled
EVENT_TYPES: dict[str, type[SaleEvent]] = {
    "order.paid": OrderPaid,
    "order.refunded": OrderRefunded,
    "order.cancelled": OrderCancelled,
}


if __name__ == "__main__":  # regenerate docs/<type>.schema.json
    import json
    import sys
    from pathlib import Path

    out = Path(sys.argv[1] if len(sys.argv) > 1 else "docs")
    for name, model in EVENT_TYPES.items():
        schema = json.dumps(model.model_json_schema(mode="validation"), indent=2, ensure_ascii=False)
        (out / f"{name}.schema.json").write_text(schema + "\n", encoding="utf-8")
