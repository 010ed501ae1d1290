"""Sellers: create, read, update identity, record a mandate acceptance, list (operators; auditors read)."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError

from mandat.api.auth import Operator, Reader
from mandat.api.common import make_cursor, not_found, read_cursor
from mandat.api.models import MandateIn, SellerIdentity, SellerPage
from mandat.api.problems import ApiError, ProblemError, problem_responses, validation_error
from mandat.api.state import ApiState, get_state
from mandat.domain.parties import Mandate, Seller
from mandat.rules.invoice import check_seller
from mandat.store import api_repository as arepo
from mandat.store import repository as repo
from mandat.store.repository import utcnow

router = APIRouter(tags=["sellers"])

SellerPath = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:\-]{1,64}$")]


def _get(state: ApiState, seller_id: str) -> Seller:
    with state.service.reader.connect() as conn:
        seller = repo.get_seller(conn, seller_id)
    if seller is None:
        raise not_found("seller")
    return seller


def _save(state: ApiState, seller: Seller, *, create: bool) -> None:
    try:
        check_seller(seller)
    except ValueError as exc:
        raise ApiError(422, "validation", str(exc), errors=[ProblemError(detail=str(exc), pointer="")]) from None
    with state.service.engine.begin() as conn:
        exists = arepo.seller_exists(conn, seller.id)
        if create and exists:
            raise ApiError(409, "conflict", f"seller {seller.id} exists; PUT /v1/sellers/{seller.id} updates it")
        if not create and not exists:
            raise not_found("seller")
        if arepo.code_taken(conn, seller.code, seller.id):
            raise ApiError(
                409,
                "conflict",
                f"code {seller.code} is another seller's",
                errors=[ProblemError(detail="taken", pointer="/code")],
            )
        try:
            repo.upsert_seller(conn, seller)
        except IntegrityError:
            raise ApiError(409, "conflict", "a concurrent request saved this seller or code") from None


@router.post(
    "/v1/sellers",
    response_model=Seller,
    status_code=201,
    summary="Register a seller (SIREN, VAT id and mandate are validated)",
    responses=problem_responses(400, 401, 403, 409, 413, 422),
)
def create_seller(request: Request, seller: Seller, who: Operator) -> Seller:
    _save(get_state(request), seller, create=True)
    return seller


@router.get(
    "/v1/sellers",
    response_model=SellerPage,
    summary="Sellers by id; `items` and `next_cursor`",
    responses=problem_responses(400, 401, 403, 422),
)
def list_sellers(
    request: Request,
    who: Reader,
    limit: Annotated[int, Query(ge=1, le=200)] = 100,
    cursor: Annotated[str | None, Query(max_length=1000)] = None,
) -> SellerPage:
    state = get_state(request)
    after = None
    if cursor is not None:
        pos = read_cursor(state, "sellers", {"key": who.key_id}, cursor)
        after = str(pos[0]) if pos else None
    with state.service.reader.connect() as conn:
        items = arepo.sellers_page(conn, after, limit + 1)
    page = items[:limit]
    nxt = make_cursor(state, "sellers", {"key": who.key_id}, [page[-1].id]) if len(items) > limit and page else None
    return SellerPage(items=page, next_cursor=nxt)


@router.get(
    "/v1/sellers/{seller_id}",
    response_model=Seller,
    summary="A seller",
    responses=problem_responses(401, 403, 404, 422),
)
def get_seller(request: Request, seller_id: SellerPath, who: Reader) -> Seller:
    return _get(get_state(request), seller_id)


@router.put(
    "/v1/sellers/{seller_id}",
    response_model=Seller,
    summary="Replace a seller's identity (name, address, SIREN, VAT...); id, code, series and mandate stay",
    responses=problem_responses(400, 401, 403, 404, 409, 413, 422),
)
def update_seller(request: Request, seller_id: SellerPath, identity: SellerIdentity, who: Operator) -> Seller:
    state = get_state(request)
    current = _get(state, seller_id)
    keep = current.model_dump(include={"id", "code", "mandate", "invoice_series", "credit_note_series"})
    try:
        seller = Seller.model_validate({**keep, **identity.model_dump(exclude_unset=False)})
    except ValidationError as exc:
        raise validation_error(exc) from None
    _save(state, seller, create=False)
    return seller


@router.post(
    "/v1/sellers/{seller_id}/mandate",
    response_model=Seller,
    summary="Record the seller's acceptance of the billing mandate (version, when)",
    responses=problem_responses(400, 401, 403, 404, 413, 422),
)
def record_mandate(request: Request, seller_id: SellerPath, mandate: MandateIn, who: Operator) -> Seller:
    state = get_state(request)
    if mandate.accepted_at > utcnow() + timedelta(minutes=5):
        raise ApiError(
            422,
            "validation",
            "a mandate cannot be accepted in the future",
            errors=[ProblemError(detail="in the future", pointer="/accepted_at")],
        )
    current = _get(state, seller_id)
    seller = current.model_copy(
        update={
            "mandate": Mandate(
                version=mandate.version,
                accepted_at=mandate.accepted_at,
                status="active",
                contest_days=mandate.contest_days,
            )
        }
    )
    _save(state, seller, create=False)
    return seller
