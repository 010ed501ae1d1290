"""Documents: filtered listing with cursor pagination, the record, its PDF and XML, buyer links."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Literal
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel

from mandat.api.auth import AnyRole, Principal, require
from mandat.api.common import document_out, document_summary, make_cursor, read_cursor, visible_document
from mandat.api.models import DocumentOut, DocumentPage, LinkIn, LinkOut, SellerId
from mandat.api.problems import ApiError, ProblemError, problem_responses
from mandat.api.state import ApiState, get_state
from mandat.countries.registry import UnknownCountry, jurisdiction
from mandat.store import api_repository as arepo
from mandat.store import repository as repo
from mandat.store.repository import utcnow

router = APIRouter(tags=["documents"])

DocId = Annotated[str, Path(min_length=1, max_length=36)]
LinkMaker = Annotated[Principal, Depends(require("operator", "seller"))]
# Issue-date filters: the day after the last one must exist, and its start in UTC too (year 1 in
# Paris is year 0 in UTC). Outside these bounds a date is refused rather than silently clamped.
FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(9998, 12, 31)
IssueDate = Annotated[
    date | None, Query(ge=FIRST_DAY, le=LAST_DAY, description="issue date, inclusive (1900-01-01 to 9998-12-31)")
]


def _day_start(day: date, zone: ZoneInfo) -> datetime:
    """The first instant of an issue date in ``zone``, in UTC: SQLite stores the UTC wall time and
    drops any offset from a parameter, so the bound must be in UTC already."""
    return datetime(day.year, day.month, day.day, tzinfo=zone).astimezone(UTC)


def _issue_zone(state: ApiState, seller_id: str | None) -> ZoneInfo:
    """Issue dates are in the seller's country's time zone; across sellers, in the marketplace's."""
    party = None
    if seller_id is not None:
        with state.service.reader.connect() as conn:
            party = repo.get_seller(conn, seller_id)
    address = party.address if party is not None else state.service.marketplace.address
    try:
        return ZoneInfo(jurisdiction(address.country).timezone)
    except UnknownCountry:
        return ZoneInfo("UTC")


@router.get(
    "/v1/documents",
    response_model=DocumentPage,
    summary="Documents, newest first; a seller key only ever sees its own",
    responses=problem_responses(400, 401, 403, 422),
)
def list_documents(
    request: Request,
    who: AnyRole,
    seller_id: Annotated[SellerId | None, Query()] = None,
    kind: Annotated[Literal["invoice", "credit_note"] | None, Query()] = None,
    number: Annotated[str | None, Query(min_length=1, max_length=35)] = None,
    order_id: Annotated[str | None, Query(min_length=1, max_length=64)] = None,
    issued_from: IssueDate = None,
    issued_to: IssueDate = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    cursor: Annotated[str | None, Query(max_length=1000, description="next_cursor of the previous page")] = None,
) -> DocumentPage:
    state = get_state(request)
    if issued_from and issued_to and issued_from > issued_to:
        raise ApiError(
            422,
            "validation",
            "issued_from is after issued_to",
            errors=[
                ProblemError(detail="after issued_to", parameter="issued_from"),
                ProblemError(detail="before issued_from", parameter="issued_to"),
            ],
        )
    if who.role == "seller" and seller_id is not None and seller_id != who.seller_id:
        # A forged filter narrows to nothing rather than widening: same answer as an empty result.
        return DocumentPage(items=[], next_cursor=None)
    effective_seller = who.seller_id if who.role == "seller" else seller_id
    zone = _issue_zone(state, effective_seller) if issued_from or issued_to else ZoneInfo("UTC")
    f = arepo.DocumentFilter(
        seller_id=effective_seller,
        kind=kind,
        number=number,
        order_id=order_id,
        issued_from=_day_start(issued_from, zone) if issued_from else None,
        issued_before=_day_start(issued_to + timedelta(days=1), zone) if issued_to else None,
    )
    scope = {"f": [f.seller_id, kind, number, order_id, str(issued_from), str(issued_to)], "key": who.key_id}
    after = None
    if cursor is not None:
        pos = read_cursor(state, "documents", scope, cursor)
        try:
            after = (datetime.fromisoformat(pos[0]), str(pos[1]))
        except (IndexError, TypeError, ValueError):
            raise ApiError(400, "invalid-cursor", "unreadable cursor") from None
    with state.service.reader.connect() as conn:
        rows = arepo.list_documents(conn, f, after, limit + 1)
    # The seller filter is in the query already; checking again costs nothing and holds even if a
    # future filter forgot it.
    rows = [r for r in rows if who.sees_seller(r.seller_id)]
    page, more = rows[:limit], len(rows) > limit
    next_cursor = None
    if more and page:
        last = page[-1]
        next_cursor = make_cursor(state, "documents", scope, [last.issued_at.isoformat(), last.id])
    return DocumentPage(items=[document_summary(r) for r in page], next_cursor=next_cursor)


def _entry(state: ApiState, who: Principal, doc_id: str) -> arepo.DocumentEntry:
    with state.service.reader.connect() as conn:
        return visible_document(who, arepo.get_document_entry(conn, doc_id))


@router.get(
    "/v1/documents/{document_id}",
    response_model=DocumentOut,
    summary="A document: summary and legal record",
    responses=problem_responses(401, 403, 404, 422),
)
def get_document(request: Request, document_id: DocId, who: AnyRole) -> DocumentOut:
    return document_out(_entry(get_state(request), who, document_id))


def _file(state: ApiState, entry: arepo.DocumentEntry, fmt: Literal["pdf", "xml"]) -> Response:
    key, sha = (entry.pdf_key, entry.pdf_sha256) if fmt == "pdf" else (entry.xml_key, entry.xml_sha256)
    if entry.render_status != "rendered" or key is None:
        raise ApiError(
            409, "not-rendered", "the files of this document are not stored yet", headers={"Retry-After": "2"}
        )
    data = state.service.blobs.get(key)
    safe_name = "".join(c if c.isalnum() or c in "-_." else "_" for c in entry.number)
    media = "application/pdf" if fmt == "pdf" else "application/xml"
    return Response(
        data,
        media_type=media,
        headers={
            "Content-Disposition": f'inline; filename="{safe_name}.{fmt}"',
            "ETag": f'"{sha}"',
            "Cache-Control": "private, max-age=3600",
        },
    )


def _file_responses(media: str) -> dict[int | str, dict[str, object]]:
    return {
        200: {"content": {media: {"schema": {"type": "string", "format": "binary"}}}, "description": "the file"},
        **problem_responses(401, 403, 404, 409, 422),
    }


@router.get(
    "/v1/documents/{document_id}/pdf",
    response_class=Response,
    summary="The PDF/A-3 (Factur-X) of a document",
    responses=_file_responses("application/pdf"),
)
def get_pdf(request: Request, document_id: DocId, who: AnyRole) -> Response:
    state = get_state(request)
    return _file(state, _entry(state, who, document_id), "pdf")


@router.get(
    "/v1/documents/{document_id}/xml",
    response_class=Response,
    summary="The EN 16931 CII XML of a document",
    responses=_file_responses("application/xml"),
)
def get_xml(request: Request, document_id: DocId, who: AnyRole) -> Response:
    state = get_state(request)
    return _file(state, _entry(state, who, document_id), "xml")


# --- structured files (issue 15): the CII and the national/network e-invoices stored with the PDF ----------

FormatName = Annotated[str, Path(min_length=1, max_length=32, pattern=r"^[a-z0-9-]+$")]


class FileOut(BaseModel):
    format: str
    sha256: str
    schematron: bool | None  # whether the official Schematron passed it (sampling); the XSD always did
    href: str


class FileList(BaseModel):
    items: list[FileOut]


def _rendered(entry: arepo.DocumentEntry) -> None:
    if entry.render_status != "rendered":
        raise ApiError(
            409, "not-rendered", "the files of this document are not stored yet", headers={"Retry-After": "2"}
        )


@router.get(
    "/v1/documents/{document_id}/files",
    response_model=FileList,
    summary="The structured files of a document: EN 16931 CII and the national or network e-invoices due",
    responses=problem_responses(401, 403, 404, 409, 422),
)
def list_files(request: Request, document_id: DocId, who: AnyRole) -> FileList:
    state = get_state(request)
    entry = _entry(state, who, document_id)
    _rendered(entry)
    with state.service.reader.connect() as conn:
        files = arepo.document_file_entries(conn, entry)
    return FileList(
        items=[
            FileOut(
                format=f.format,
                sha256=f.sha256,
                schematron=f.schematron,
                href=f"/v1/documents/{document_id}/files/{f.format}",
            )
            for f in files
        ]
    )


@router.get(
    "/v1/documents/{document_id}/files/{format}",
    response_class=Response,
    summary="One structured file of a document, by format name (e.g. fatturapa-fpr12, ksef-fa3, peppol-bis-3)",
    responses=_file_responses("application/xml"),
)
def get_file(request: Request, document_id: DocId, format: FormatName, who: AnyRole) -> Response:
    state = get_state(request)
    entry = _entry(state, who, document_id)
    _rendered(entry)
    with state.service.reader.connect() as conn:
        found = [f for f in arepo.document_file_entries(conn, entry) if f.format == format]
    if not found:
        raise ApiError(404, "not-found", f"this document has no {format} file")
    safe_name = "".join(c if c.isalnum() or c in "-_." else "_" for c in entry.number)
    return Response(
        state.service.blobs.get(found[0].key),
        media_type="application/xml",
        headers={
            "Content-Disposition": f'inline; filename="{safe_name}.{format}.xml"',
            "ETag": f'"{found[0].sha256}"',
            "Cache-Control": "private, max-age=3600",
        },
    )


# --- buyer links -------------------------------------------------------------------------------


def _link_message(doc_id: str, expires: int) -> str:
    return f"pdf:{doc_id}:{expires}"


@router.post(
    "/v1/documents/{document_id}/links",
    response_model=LinkOut,
    status_code=201,
    summary="A signed, expiring link to this document's PDF, for the buyer (no API key needed to open it)",
    responses=problem_responses(401, 403, 404, 422),
)
def create_link(request: Request, document_id: DocId, who: LinkMaker, body: LinkIn | None = None) -> LinkOut:
    state = get_state(request)
    _entry(state, who, document_id)
    ttl = (body or LinkIn()).ttl_seconds
    expires = int(time.time()) + ttl
    sig = state.signer.mac("buyer-link", _link_message(document_id, expires))
    base = (state.public_url or str(request.base_url)).rstrip("/")
    return LinkOut(
        url=f"{base}/v1/shared/documents/{document_id}/pdf?expires={expires}&sig={sig}",
        expires_at=datetime.fromtimestamp(expires, tz=utcnow().tzinfo),
    )


@router.get(
    "/v1/shared/documents/{document_id}/pdf",
    response_class=Response,
    summary="Open a buyer link: the one PDF it was signed for, until it expires",
    responses={
        200: {
            "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
            "description": "the PDF",
        },
        **problem_responses(403, 404, 409, 410, 422),
    },
)
def open_link(
    request: Request,
    document_id: DocId,
    expires: Annotated[int, Query(ge=0, le=2**40)],
    sig: Annotated[str, Query(pattern=r"^[0-9a-f]{64}$")],
) -> Response:
    state = get_state(request)
    # The signature is checked first, so a forged link learns nothing about which ids exist.
    if not state.signer.verify("buyer-link", _link_message(document_id, expires), sig):
        raise ApiError(403, "invalid-link", "this link's signature does not verify")
    if expires < time.time():
        raise ApiError(410, "link-expired", "this link has expired")
    with state.service.reader.connect() as conn:
        entry = arepo.get_document_entry(conn, document_id)
    if entry is None:
        raise ApiError(404, "not-found", "no such document")
    return _file(state, entry, "pdf")
