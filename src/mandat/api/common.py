"""Helpers shared by the routes: opaque cursors, document summaries, visibility."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from mandat.api.auth import Principal
from mandat.api.models import DocumentLinks, DocumentOut, DocumentSummary
from mandat.api.problems import ApiError
from mandat.api.state import ApiState
from mandat.store.api_repository import DocumentEntry


def _scope_hash(scope: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(scope, sort_keys=True, default=str).encode()).hexdigest()[:32]


def make_cursor(state: ApiState, kind: str, scope: dict[str, Any], position: list[Any]) -> str:
    """An opaque, signed cursor tied to the query (filters and the key's seller) it continues."""
    return state.signer.seal("cursor", {"k": kind, "s": _scope_hash(scope), "p": position})


def read_cursor(state: ApiState, kind: str, scope: dict[str, Any], cursor: str) -> list[Any]:
    data = state.signer.unseal("cursor", cursor)
    if (
        not isinstance(data, dict)
        or data.get("k") != kind
        or data.get("s") != _scope_hash(scope)
        or not isinstance(data.get("p"), list)
    ):
        raise ApiError(400, "invalid-cursor", "this cursor was not issued for this query")
    position: list[Any] = data["p"]
    return position


def not_found(what: str) -> ApiError:
    return ApiError(404, "not-found", f"no {what} with this id")


def visible_document(who: Principal, entry: DocumentEntry | None) -> DocumentEntry:
    """The document, or 404 alike for a missing one and another seller's."""
    if entry is None or not who.sees_seller(entry.seller_id):
        raise not_found("document")
    return entry


def document_links(doc_id: str) -> DocumentLinks:
    base = f"/v1/documents/{doc_id}"
    return DocumentLinks(self=base, pdf=f"{base}/pdf", xml=f"{base}/xml")


def summary_fields(entry: DocumentEntry, record: dict[str, Any]) -> dict[str, Any]:
    issue_date = record.get("issue_date")
    currency = record.get("currency")
    return {
        "id": entry.id,
        "number": entry.number,
        "kind": entry.kind,
        "seller_id": entry.seller_id,
        "series": entry.series,
        "seq": entry.seq,
        "order_id": entry.order_id,
        "event_id": entry.event_id,
        "issued_at": entry.issued_at,
        "issue_date": issue_date if isinstance(issue_date, str) else None,
        "currency": currency if isinstance(currency, str) else None,
        "total": str(entry.total),
        "corrects_id": entry.corrects_id,
        "render_status": entry.render_status,
        "pdf_sha256": entry.pdf_sha256,
        "xml_sha256": entry.xml_sha256,
        "links": document_links(entry.id),
    }


def document_summary(entry: DocumentEntry) -> DocumentSummary:
    return DocumentSummary(**summary_fields(entry, json.loads(entry.data)))


def document_out(entry: DocumentEntry) -> DocumentOut:
    record = json.loads(entry.data)
    return DocumentOut(**summary_fields(entry, record), hash=entry.hash, record=record)
