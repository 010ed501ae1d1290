"""Webhook endpoints (operators register; auditors read) and their deliveries with every attempt."""

from __future__ import annotations

import json
import secrets
import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Request

from mandat.api.auth import Operator, Reader
from mandat.api.common import make_cursor, not_found, read_cursor
from mandat.api.models import (
    AttemptOut,
    DeliveryOut,
    DeliveryPage,
    WebhookCreated,
    WebhookIn,
    WebhookOut,
    WebhookPatch,
)
from mandat.api.problems import ApiError, ProblemError, problem_responses
from mandat.api.state import ApiState, get_state
from mandat.store import api_repository as arepo

router = APIRouter(tags=["webhooks"])

WebhookId = Annotated[str, Path(min_length=1, max_length=36)]


def webhook_out(row: arepo.WebhookRow) -> WebhookOut:
    return WebhookOut(
        id=row.id,
        url=row.url,
        event_types=list(row.event_types),
        active=row.active,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def _url(state: ApiState, value: object) -> str:
    url = str(value)
    if len(url) > 2000:
        raise ApiError(
            422, "validation", "URL too long", errors=[ProblemError(detail="at most 2000 characters", pointer="/url")]
        )
    # The server will POST there from inside the deployment: not to loopback, private, link-local
    # or metadata addresses unless the operator allowed the host (api/egress.py).
    why = state.egress.check_url(url)
    if why is not None:
        raise ApiError(
            422, "validation", f"webhook URL refused: {why}", errors=[ProblemError(detail=why, pointer="/url")]
        )
    return url


def _get(state: ApiState, webhook_id: str) -> arepo.WebhookRow:
    with state.service.reader.connect() as conn:
        row = arepo.get_webhook(conn, webhook_id)
    if row is None:
        raise not_found("webhook")
    return row


@router.post(
    "/v1/webhooks",
    response_model=WebhookCreated,
    status_code=201,
    summary="Register an endpoint for document.issued and/or event.rejected; the signing secret is shown once",
    responses=problem_responses(400, 401, 403, 413, 422),
)
def create_webhook(request: Request, body: WebhookIn, who: Operator) -> WebhookCreated:
    state = get_state(request)
    secret = "whsec_" + secrets.token_urlsafe(32)
    types = sorted(set(body.event_types))
    with state.service.engine.begin() as conn:
        row = arepo.add_webhook(
            conn, webhook_id=str(uuid.uuid4()), url=_url(state, body.url), secret=secret, event_types=types
        )
    return WebhookCreated(**webhook_out(row).model_dump(), secret=secret)


@router.get(
    "/v1/webhooks",
    response_model=list[WebhookOut],
    summary="Registered endpoints",
    responses=problem_responses(401, 403),
)
def list_webhooks(request: Request, who: Reader) -> list[WebhookOut]:
    with get_state(request).service.reader.connect() as conn:
        return [webhook_out(w) for w in arepo.list_webhooks(conn)]


@router.get(
    "/v1/webhooks/{webhook_id}",
    response_model=WebhookOut,
    summary="One endpoint",
    responses=problem_responses(401, 403, 404, 422),
)
def get_webhook(request: Request, webhook_id: WebhookId, who: Reader) -> WebhookOut:
    return webhook_out(_get(get_state(request), webhook_id))


@router.patch(
    "/v1/webhooks/{webhook_id}",
    response_model=WebhookOut,
    summary="Change the URL or event types, or pause (active=false) / resume an endpoint",
    responses=problem_responses(400, 401, 403, 404, 413, 422),
)
def patch_webhook(request: Request, webhook_id: WebhookId, body: WebhookPatch, who: Operator) -> WebhookOut:
    state = get_state(request)
    with state.service.engine.begin() as conn:
        row = arepo.update_webhook(
            conn,
            webhook_id,
            url=_url(state, body.url) if body.url is not None else None,
            event_types=sorted(set(body.event_types)) if body.event_types is not None else None,
            active=body.active,
        )
    if row is None:
        raise not_found("webhook")
    return webhook_out(row)


def delivery_out(d: arepo.DeliveryRow, attempts: list[arepo.AttemptRow]) -> DeliveryOut:
    return DeliveryOut(
        id=d.id,
        event_type=d.event_type,
        event_key=d.event_key,
        subject=d.subject,
        status=d.status,
        attempts=d.attempts,
        next_attempt_at=d.next_attempt_at,
        last_status_code=d.last_status_code,
        last_error=d.last_error,
        created_at=d.created_at,
        delivered_at=d.delivered_at,
        payload=json.loads(d.payload),
        attempt_log=[
            AttemptOut(attempted_at=a.attempted_at, status_code=a.status_code, error=a.error, duration_ms=a.duration_ms)
            for a in attempts
        ],
    )


@router.get(
    "/v1/webhooks/{webhook_id}/deliveries",
    response_model=DeliveryPage,
    summary="Deliveries to an endpoint, newest first, each with its attempts",
    responses=problem_responses(400, 401, 403, 404, 422),
)
def list_deliveries(
    request: Request,
    webhook_id: WebhookId,
    who: Reader,
    status: Annotated[Literal["pending", "delivered", "failed"] | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    cursor: Annotated[str | None, Query(max_length=1000)] = None,
) -> DeliveryPage:
    state = get_state(request)
    _get(state, webhook_id)
    scope = {"w": webhook_id, "status": status, "key": who.key_id}
    before = None
    if cursor is not None:
        pos = read_cursor(state, "deliveries", scope, cursor)
        if not pos or not isinstance(pos[0], int):
            raise ApiError(400, "invalid-cursor", "unreadable cursor")
        before = pos[0]
    with state.service.reader.connect() as conn:
        rows = arepo.list_deliveries(conn, webhook_id, status, before, limit + 1)
        page = rows[:limit]
        attempts = arepo.attempts_of(conn, [d.id for d in page])
    nxt = make_cursor(state, "deliveries", scope, [page[-1].id]) if len(rows) > limit and page else None
    return DeliveryPage(items=[delivery_out(d, attempts[d.id]) for d in page], next_cursor=nxt)


@router.post(
    "/v1/webhooks/{webhook_id}/deliveries/{delivery_id}/retry",
    response_model=DeliveryOut,
    summary="Send a delivery that was given up on again",
    responses=problem_responses(401, 403, 404, 409, 422),
)
def retry_delivery(
    request: Request,
    webhook_id: WebhookId,
    # The column is a 32-bit integer on PostgreSQL: a larger id is no delivery, and must not reach the query.
    delivery_id: Annotated[int, Path(ge=1, le=2**31 - 1)],
    who: Operator,
) -> DeliveryOut:
    state = get_state(request)
    with state.service.engine.begin() as conn:
        d = arepo.get_delivery(conn, delivery_id)
        if d is None or d.webhook_id != webhook_id:
            raise not_found("delivery")
        if not arepo.retry_delivery(conn, webhook_id, delivery_id):
            raise ApiError(409, "conflict", f"delivery is {d.status}; only failed deliveries are retried")
        d = arepo.get_delivery(conn, delivery_id)
        assert d is not None
        attempts = arepo.attempts_of(conn, [d.id])
    return delivery_out(d, attempts[d.id])
