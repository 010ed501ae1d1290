"""Request and response bodies of the API (validated at the edge, described in the OpenAPI schema)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import AnyHttpUrl, AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints

from mandat.domain.parties import (
    Address,
    DistanceSalesOpening,
    Insurance,
    OneStopShop,
    Registration,
    Seller,
    ShortText,
    Text,
)

EventType = Literal["document.issued", "event.rejected"]
RoleName = Literal["operator", "seller", "auditor"]
SellerId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.:\-]{1,64}$")]


class In(BaseModel):
    model_config = ConfigDict(extra="forbid")


# --- events ------------------------------------------------------------------------------------


class EventResult(BaseModel):
    event_id: str
    status: str = Field(
        description="issued or duplicate (with the document), rejected, cancelled or waiting (with the reason), "
        "processing or pending (no outcome yet: poll GET /v1/events/{event_id}), or failed"
    )
    reason_code: str | None = None
    reason: str | None = None
    document_id: str | None = None
    document_number: str | None = None
    note: str | None = Field(default=None, description="e.g. the event id was already received with another body")


class EventOut(BaseModel):
    event_id: str
    type: str
    seller_id: str | None
    order_id: str | None
    status: str
    reason_code: str | None
    reason: str | None
    attempts: int
    document_id: str | None
    received_at: datetime
    updated_at: datetime
    payload: str = Field(description="the event exactly as received")


# --- documents ---------------------------------------------------------------------------------


class DocumentLinks(BaseModel):
    self: str
    pdf: str
    xml: str


class DocumentSummary(BaseModel):
    id: str
    number: str
    kind: str
    seller_id: str
    series: str
    seq: int
    order_id: str
    event_id: str
    issued_at: datetime
    issue_date: date | None
    currency: str | None
    total: str = Field(description="tax-inclusive total, a decimal string")
    corrects_id: str | None
    render_status: str
    pdf_sha256: str | None
    xml_sha256: str | None
    links: DocumentLinks


class DocumentOut(DocumentSummary):
    hash: str
    record: dict[str, Any] = Field(description="the legal record (JSON) exactly as stored")


class DocumentPage(BaseModel):
    items: list[DocumentSummary]
    next_cursor: str | None = Field(description="pass as `cursor` for the next page; null on the last page")


class LinkIn(In):
    ttl_seconds: int = Field(default=7 * 86400, ge=60, le=30 * 86400)


class LinkOut(BaseModel):
    url: str
    expires_at: datetime


# --- sellers -----------------------------------------------------------------------------------


class SellerIdentity(In):
    """What `PUT /v1/sellers/{id}` replaces. The id, code and number series are fixed at creation
    (they name the legal numbering series); the mandate is recorded with its own operation."""

    legal_name: Text
    trade_name: ShortText | None = None
    address: Address
    email: ShortText | None = None
    phone: str | None = Field(default=None, pattern=r"^\+?[0-9][0-9 ()./\-]{4,30}$")
    siren: str | None = None
    siret: str | None = None
    vat_id: str | None = None
    legal_form: ShortText | None = None
    share_capital: Decimal | None = Field(default=None, ge=0, le=Decimal("1e15"))
    rcs_city: ShortText | None = None
    registry: Literal["RCS", "RM"] = "RCS"
    company_id: str | None = Field(default=None, max_length=40)
    trade_register: ShortText | None = None
    tax_number: str | None = Field(default=None, max_length=40)
    managers: ShortText | None = None
    sole_shareholder: bool = False
    legal_language: Literal["fr", "nl", "de"] | None = None
    vat_regime: Literal["normal", "franchise"] = "normal"
    vat_on_debits: bool = False
    size_class: Literal["large", "mid", "sme", "micro"] = "sme"
    insurance: Insurance | None = None
    # Cross-border (docs/countries.md §14.1): checked by the Seller model when saved.
    registrations: list[Registration] = Field(default_factory=list, max_length=40)
    oss: OneStopShop | None = None
    ioss_id: str | None = Field(default=None, pattern=r"^IM[0-9]{10}$")
    distance_sales: DistanceSalesOpening | None = None
    verifactu_since: date | None = None  # issue 15: a Spanish seller's voluntary VERI*FACTU start
    atcud_codes: dict[str, str] = Field(default_factory=dict, max_length=20)  # PT: AT validation code per series


class MandateIn(In):
    version: ShortText
    accepted_at: AwareDatetime = Field(description="when the seller accepted; not in the future")
    contest_days: int = Field(default=15, ge=1, le=90)


class SellerPage(BaseModel):
    items: list[Seller]
    next_cursor: str | None


# --- series ------------------------------------------------------------------------------------


class SeriesAuditOut(BaseModel):
    series: str
    ok: bool
    count: int
    first: str | None
    last: str | None
    gaps: list[int]
    duplicates: list[int]
    backwards: list[str]
    chain_breaks: list[str]
    head_mismatch: str | None


class SellerAuditOut(BaseModel):
    seller_id: str
    ok: bool
    documents: int
    unrendered: int
    files_checked: int
    file_problems: list[str]
    series: list[SeriesAuditOut]


# --- keys --------------------------------------------------------------------------------------


class KeyIn(In):
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]
    role: RoleName
    seller_id: SellerId | None = None


class KeyOut(BaseModel):
    id: str
    name: str
    role: str
    seller_id: str | None
    created_at: datetime
    revoked_at: datetime | None


class KeyCreated(KeyOut):
    token: str = Field(description="shown once; only its SHA-256 is stored")


# --- webhooks ----------------------------------------------------------------------------------

Url = Annotated[AnyHttpUrl, Field(description="http(s) URL receiving POSTs")]


class WebhookIn(In):
    url: Url
    event_types: Annotated[list[EventType], Field(min_length=1, max_length=2)]


class WebhookPatch(In):
    url: Url | None = None
    event_types: Annotated[list[EventType], Field(min_length=1, max_length=2)] | None = None
    active: bool | None = None


class WebhookOut(BaseModel):
    id: str
    url: str
    event_types: list[str]
    active: bool
    created_at: datetime
    updated_at: datetime


class WebhookCreated(WebhookOut):
    secret: str = Field(description="signs every delivery (Mandat-Signature); shown once")


class AttemptOut(BaseModel):
    attempted_at: datetime
    status_code: int | None
    error: str | None
    duration_ms: int


class DeliveryOut(BaseModel):
    id: int
    event_type: str
    event_key: str
    subject: str
    status: str = Field(description="pending, delivered or failed (gave up)")
    attempts: int
    next_attempt_at: datetime
    last_status_code: int | None
    last_error: str | None
    created_at: datetime
    delivered_at: datetime | None
    payload: dict[str, Any]
    attempt_log: list[AttemptOut]


class DeliveryPage(BaseModel):
    items: list[DeliveryOut]
    next_cursor: str | None
