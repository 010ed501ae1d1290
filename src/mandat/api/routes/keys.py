"""API keys (operators only): create (the token is shown once), list, revoke."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import Response

from mandat.api.auth import Operator, Reader, create_key
from mandat.api.common import not_found
from mandat.api.models import KeyCreated, KeyIn, KeyOut
from mandat.api.problems import ApiError, ProblemError, problem_responses
from mandat.api.state import get_state
from mandat.store import api_repository as arepo

router = APIRouter(tags=["keys"])


def key_out(row: arepo.KeyRow) -> KeyOut:
    return KeyOut(
        id=row.id,
        name=row.name,
        role=row.role,
        seller_id=row.seller_id,
        created_at=row.created_at,
        revoked_at=row.revoked_at,
    )


@router.post(
    "/v1/keys",
    response_model=KeyCreated,
    status_code=201,
    summary="Create an API key; its token is in this answer only",
    responses=problem_responses(400, 401, 403, 413, 422),
)
def post_key(request: Request, body: KeyIn, who: Operator) -> KeyCreated:
    try:
        row, token = create_key(get_state(request).service, body.name, body.role, body.seller_id)
    except ValueError as exc:
        raise ApiError(
            422, "validation", str(exc), errors=[ProblemError(detail=str(exc), pointer="/seller_id")]
        ) from None
    except LookupError as exc:
        raise ApiError(
            422, "unknown-seller", str(exc), errors=[ProblemError(detail=str(exc), pointer="/seller_id")]
        ) from None
    return KeyCreated(**key_out(row).model_dump(), token=token)


@router.get(
    "/v1/keys",
    response_model=list[KeyOut],
    summary="API keys (never their tokens)",
    responses=problem_responses(401, 403),
)
def get_keys(request: Request, who: Reader) -> list[KeyOut]:
    with get_state(request).service.reader.connect() as conn:
        return [key_out(k) for k in arepo.list_keys(conn)]


@router.delete(
    "/v1/keys/{key_id}",
    status_code=204,
    response_class=Response,
    summary="Revoke an API key: it answers 401 from now on",
    responses=problem_responses(401, 403, 404, 422),
)
def delete_key(request: Request, key_id: Annotated[str, Path(min_length=1, max_length=32)], who: Operator) -> Response:
    with get_state(request).service.engine.begin() as conn:
        if not arepo.revoke_key(conn, key_id):
            raise not_found("key")
    return Response(status_code=204)
