"""POST /v1/events (one event or a batch) and GET /v1/events/{id}.

At this edge, input that is not an event at all (not JSON, not an object, a schema violation, an
unknown seller) is refused with a problem document and nothing is stored: the sender is on the
line and keeps its copy. An event that is well formed but that the rules refuse (mandate missing,
payment not captured, VAT rate wrong...) is stored with its reason and answered 202 `rejected`:
it can be replayed once the cause is fixed. Every stored event is the exact text received.
"""

from __future__ import annotations

import json
import time
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from mandat.api.auth import Operator, Reader
from mandat.api.models import EventOut, EventResult
from mandat.api.problems import ApiError, ProblemError, errors_from, pointer, problem_responses
from mandat.api.state import ApiState, get_state
from mandat.domain.events import EVENT_TYPES
from mandat.domain.jsonin import MalformedJson, load_event_json
from mandat.store import api_repository as arepo
from mandat.store import repository as repo

EventId = Annotated[str, Path(min_length=1, max_length=128)]
SYNC_POLL = 0.02  # seconds between looks at an event another worker is issuing


def split_events(text: str) -> tuple[list[str], bool]:
    """The exact text of each event: the body itself, or each element of a JSON array; (texts, is_batch).

    Elements are cut from the body as sent (json's raw_decode gives their end), so a batched event
    is stored byte for byte as the marketplace wrote it, like a single one.
    """
    try:
        parsed = load_event_json(text)  # strict: depth, duplicate keys, NaN (the same reader as every entry)
    except MalformedJson as exc:
        raise ApiError(400, "malformed-json", exc.reason) from None
    if isinstance(parsed, dict):
        return [text], False
    if not isinstance(parsed, list):
        raise ApiError(400, "not-an-event", "send an event object or an array of event objects")
    decoder = json.JSONDecoder()
    out: list[str] = []
    i = text.index("[") + 1
    ws = " \t\r\n"
    while True:
        while i < len(text) and text[i] in ws:
            i += 1
        if text[i] == "]":
            break
        _, end = decoder.raw_decode(text, i)
        out.append(text[i:end])
        i = end
        while text[i] in ws:
            i += 1
        if text[i] == ",":
            i += 1
    return out, True


def validate_events(state: ApiState, texts: list[str], batch: bool) -> None:
    """All or nothing: one bad event in a batch refuses the batch, with a pointer to each error."""
    errors: list[ProblemError] = []
    seller_ids: dict[int, str] = {}
    for i, text in enumerate(texts):
        prefix: list[int | str] = [i] if batch else []
        data: Any = load_event_json(text)
        if not isinstance(data, dict):
            errors.append(ProblemError(detail="expected an event object", pointer=pointer(prefix)))
            continue
        model = EVENT_TYPES.get(str(data.get("type")))
        if model is None:
            known = ", ".join(sorted(EVENT_TYPES))
            errors.append(
                ProblemError(detail=f"unknown event type; expected one of: {known}", pointer=pointer([*prefix, "type"]))
            )
            continue
        try:
            model.model_validate_json(text)
        except ValidationError as exc:
            errors.extend(errors_from(exc.errors(include_url=False, include_input=False), prefix, body=data))
            continue
        seller_ids[i] = str(data.get("seller_id"))
    if errors:
        raise ApiError(422, "validation", f"{len(errors)} error(s) in the events", errors=errors[:50])
    with state.service.reader.connect() as conn:
        known_sellers = {s for s in set(seller_ids.values()) if arepo.seller_exists(conn, s)}
    unknown = [
        ProblemError(
            detail=f"seller {sid} is not in the registry", pointer=pointer([*([i] if batch else []), "seller_id"])
        )
        for i, sid in seller_ids.items()
        if sid not in known_sellers
    ]
    if unknown:
        raise ApiError(422, "unknown-seller", "register the seller first (POST /v1/sellers)", errors=unknown[:50])


def issue(state: ApiState, text: str, deadline: float) -> EventResult:
    """Accept and issue one event; its outcome as stored.

    When a worker (`mandat worker`, another API process) claimed the event between its acceptance
    and our own claim, or a concurrent re-send of the same event holds it, the event is
    `processing` elsewhere: wait for that outcome until `deadline` (time.monotonic()), then answer
    what there is. The client then learns the outcome from GET /v1/events/{id} or the webhooks.
    """
    service = state.service
    event_id, _, _ = service.accept_and_issue(text)
    while True:
        with service.reader.connect() as conn:
            row = repo.get_inbox(conn, event_id=event_id)
            assert row is not None
            entry = arepo.get_document_entry(conn, row.document_id) if row.document_id else None
        if row.status != "processing" or time.monotonic() >= deadline:
            break
        time.sleep(SYNC_POLL)
    note = None if row.payload == text else "this event id was already received with another body; kept the first"
    return EventResult(
        event_id=event_id,
        status=row.status,
        reason_code=row.reason_code,
        reason=row.reason,
        document_id=row.document_id,
        document_number=entry.number if entry else None,
        note=note,
    )


def _body_schema(max_batch: int) -> dict[str, Any]:
    one = {"anyOf": [{"$ref": f"#/components/schemas/event.{m.__name__}"} for m in EVENT_TYPES.values()]}
    return {
        "required": True,
        "content": {
            "application/json": {
                "schema": {"anyOf": [one, {"type": "array", "minItems": 1, "maxItems": max_batch, "items": one}]}
            }
        },
    }


def event_routes(max_batch: int) -> APIRouter:
    """The router; the batch limit is part of the published schema."""
    r = APIRouter(tags=["events"])

    @r.post(
        "/v1/events",
        status_code=202,
        response_model=EventResult | list[EventResult],
        summary="Send one event, or a batch (JSON array), and get each one's outcome",
        description=(
            "Each event is stored as received, then issued synchronously (numbering only; the PDF and XML "
            "are rendered by the workers). A re-sent event (same `event_id`) answers its original outcome. "
            "A well-formed event that the rules refuse is `rejected` with `reason_code` and kept for replay; "
            "a body that is not an event (schema, unknown seller) is refused with a 4xx and nothing is stored. "
            "An event another worker is issuing is waited for (2 s at most per request); if it is still "
            "`processing` then, poll `GET /v1/events/{event_id}` or wait for the webhook."
        ),
        responses=problem_responses(400, 401, 403, 413, 415, 422),
        openapi_extra={"requestBody": _body_schema(max_batch)},
    )
    async def post_events(request: Request, who: Operator) -> EventResult | list[EventResult]:
        state = get_state(request)
        ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if ctype != "application/json" and not ctype.endswith("+json"):
            raise ApiError(415, "unsupported-media-type", "send Content-Type: application/json")
        raw = await request.body()
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise ApiError(400, "malformed-json", "the body is not UTF-8") from None
        texts, batch = split_events(text)
        if batch and not texts:
            raise ApiError(
                422, "validation", "an empty batch", errors=[ProblemError(detail="at least one event", pointer="")]
            )
        if len(texts) > state.max_batch:
            raise ApiError(413, "body-too-large", f"at most {state.max_batch} events per request")
        await run_in_threadpool(validate_events, state, texts, batch)
        # One wait budget for the whole request, however many events wait on another worker.
        deadline = time.monotonic() + state.sync_wait
        results = [await run_in_threadpool(issue, state, t, deadline) for t in texts]
        return results if batch else results[0]

    @r.get(
        "/v1/events/{event_id}",
        response_model=EventOut,
        summary="An event's status, the reason of a rejection, the document it produced",
        responses=problem_responses(401, 403, 404, 422),
    )
    def get_event(request: Request, event_id: EventId, who: Reader) -> EventOut:
        state = get_state(request)
        with state.service.reader.connect() as conn:
            row = repo.get_inbox(conn, event_id=event_id)
        if row is None:
            raise ApiError(404, "not-found", "no event with this id")
        return EventOut(
            event_id=row.event_id,
            type=row.event_type,
            seller_id=row.seller_id,
            order_id=row.order_id,
            status=row.status,
            reason_code=row.reason_code,
            reason=row.reason,
            attempts=row.attempts,
            document_id=row.document_id,
            received_at=row.received_at,
            updated_at=row.updated_at,
            payload=row.payload,
        )

    return r
