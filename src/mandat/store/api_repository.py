"""Record access for the HTTP API: filtered reads with keyset pagination, API keys, webhooks and deliveries.

The numbering path (store/repository.py) is not touched from here: the API only reads documents and the
inbox, and writes its own tables.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from mandat.domain.parties import Seller
from mandat.store.repository import as_utc, insert_ignore, utcnow
from mandat.store.schema import (
    api_keys,
    document_files,
    documents,
    inbox,
    sellers,
    webhook_attempts,
    webhook_deliveries,
    webhook_marks,
    webhooks,
)


def _utc(value: datetime | None) -> datetime | None:
    return as_utc(value)


def _req_utc(value: datetime) -> datetime:
    out = as_utc(value)
    assert out is not None
    return out


# --- API keys ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class KeyRow:
    id: str
    name: str
    role: str
    seller_id: str | None
    secret_hash: str
    created_at: datetime
    revoked_at: datetime | None


def _key(r: Any) -> KeyRow:
    return KeyRow(
        id=r.id,
        name=r.name,
        role=r.role,
        seller_id=r.seller_id,
        secret_hash=r.secret_hash,
        created_at=_req_utc(r.created_at),
        revoked_at=_utc(r.revoked_at),
    )


def add_key(conn: Connection, *, key_id: str, name: str, role: str, seller_id: str | None, secret_hash: str) -> KeyRow:
    now = utcnow()
    values = {
        "id": key_id,
        "name": name,
        "role": role,
        "seller_id": seller_id,
        "secret_hash": secret_hash,
        "created_at": now,
        "revoked_at": None,
    }
    conn.execute(api_keys.insert().values(**values))
    return KeyRow(**values)  # type: ignore[arg-type]


def get_key(conn: Connection, key_id: str) -> KeyRow | None:
    r = conn.execute(sa.select(api_keys).where(api_keys.c.id == key_id)).first()
    return _key(r) if r else None


def list_keys(conn: Connection) -> list[KeyRow]:
    return [_key(r) for r in conn.execute(sa.select(api_keys).order_by(api_keys.c.created_at, api_keys.c.id))]


def revoke_key(conn: Connection, key_id: str) -> bool:
    """True when the key exists (revoking twice keeps the first revocation time)."""
    if get_key(conn, key_id) is None:
        return False
    conn.execute(
        api_keys.update().where(api_keys.c.id == key_id, api_keys.c.revoked_at.is_(None)).values(revoked_at=utcnow())
    )
    return True


# --- sellers -----------------------------------------------------------------------------------


def seller_exists(conn: Connection, seller_id: str) -> bool:
    return conn.execute(sa.select(sellers.c.id).where(sellers.c.id == seller_id)).first() is not None


def code_taken(conn: Connection, code: str, other_than: str) -> bool:
    q = sa.select(sellers.c.id).where(sellers.c.code == code, sellers.c.id != other_than)
    return conn.execute(q).first() is not None


def sellers_page(conn: Connection, after_id: str | None, limit: int) -> list[Seller]:
    q = sa.select(sellers.c.data).order_by(sellers.c.id).limit(limit)
    if after_id is not None:
        q = q.where(sellers.c.id > after_id)
    return [Seller.model_validate_json(d) for d in conn.execute(q).scalars()]


# --- documents ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class DocumentFilter:
    seller_id: str | None = None
    kind: str | None = None
    number: str | None = None
    order_id: str | None = None
    issued_from: datetime | None = None  # inclusive
    issued_before: datetime | None = None  # exclusive


@dataclass(frozen=True)
class DocumentEntry:
    id: str
    seller_id: str
    series: str
    seq: int
    number: str
    kind: str
    order_id: str
    event_id: str
    issued_at: datetime
    total: Decimal
    hash: str
    render_status: str
    pdf_key: str | None
    pdf_sha256: str | None
    xml_key: str | None
    xml_sha256: str | None
    rendered_at: datetime | None
    corrects_id: str | None
    data: str


_DOC_COLUMNS = (
    documents.c.id,
    documents.c.seller_id,
    documents.c.series,
    documents.c.seq,
    documents.c.number,
    documents.c.kind,
    documents.c.order_id,
    documents.c.event_id,
    documents.c.issued_at,
    documents.c.total,
    documents.c.hash,
    documents.c.render_status,
    documents.c.pdf_key,
    documents.c.pdf_sha256,
    documents.c.xml_key,
    documents.c.xml_sha256,
    documents.c.rendered_at,
    documents.c.corrects_id,
    documents.c.data,
)


def _doc(r: Any) -> DocumentEntry:
    return DocumentEntry(
        **{
            **r._asdict(),
            "issued_at": _req_utc(r.issued_at),
            "rendered_at": _utc(r.rendered_at),
            "total": Decimal(r.total),
        }
    )


def get_document_entry(conn: Connection, doc_id: str) -> DocumentEntry | None:
    r = conn.execute(sa.select(*_DOC_COLUMNS).where(documents.c.id == doc_id)).first()
    return _doc(r) if r else None


@dataclass(frozen=True)
class FileEntry:
    """A structured file of a document: the EN 16931 CII or a national/network e-invoice (issue 15)."""

    format: str
    key: str
    sha256: str
    schematron: bool | None  # None: stored before the Schematron was recorded (before migration 0007)


def document_file_entries(conn: Connection, entry: DocumentEntry) -> list[FileEntry]:
    """The document's structured files by format; the CII from the document row when rendered earlier."""
    rows = conn.execute(
        sa.select(document_files.c.format, document_files.c.key, document_files.c.sha256, document_files.c.schematron)
        .where(document_files.c.document_id == entry.id)
        .order_by(document_files.c.format)
    )
    out = {r.format: FileEntry(r.format, r.key, r.sha256, bool(r.schematron)) for r in rows}
    if "en16931-cii" not in out and entry.xml_key is not None and entry.xml_sha256 is not None:
        out["en16931-cii"] = FileEntry("en16931-cii", entry.xml_key, entry.xml_sha256, None)
    return sorted(out.values(), key=lambda f: f.format)


def list_documents(
    conn: Connection, f: DocumentFilter, after: tuple[datetime, str] | None, limit: int
) -> list[DocumentEntry]:
    """Newest first, keyset on (issued_at, id): stable while documents keep being issued."""
    q = sa.select(*_DOC_COLUMNS).order_by(documents.c.issued_at.desc(), documents.c.id.desc()).limit(limit)
    if f.seller_id is not None:
        q = q.where(documents.c.seller_id == f.seller_id)
    if f.kind is not None:
        q = q.where(documents.c.kind == f.kind)
    if f.number is not None:
        q = q.where(documents.c.number == f.number)
    if f.order_id is not None:
        q = q.where(documents.c.order_id == f.order_id)
    if f.issued_from is not None:
        q = q.where(documents.c.issued_at >= f.issued_from)
    if f.issued_before is not None:
        q = q.where(documents.c.issued_at < f.issued_before)
    if after is not None:
        at, last_id = after
        q = q.where(sa.or_(documents.c.issued_at < at, sa.and_(documents.c.issued_at == at, documents.c.id < last_id)))
    return [_doc(r) for r in conn.execute(q)]


# --- webhooks ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class WebhookRow:
    id: str
    url: str
    secret: str
    event_types: tuple[str, ...]
    active: bool
    created_at: datetime
    updated_at: datetime


def _webhook(r: Any) -> WebhookRow:
    return WebhookRow(
        id=r.id,
        url=r.url,
        secret=r.secret,
        event_types=tuple(t for t in r.event_types.split(",") if t),
        active=bool(r.active),
        created_at=_req_utc(r.created_at),
        updated_at=_req_utc(r.updated_at),
    )


def add_webhook(conn: Connection, *, webhook_id: str, url: str, secret: str, event_types: Sequence[str]) -> WebhookRow:
    now = utcnow()
    conn.execute(
        webhooks.insert().values(
            id=webhook_id,
            url=url,
            secret=secret,
            event_types=",".join(event_types),
            active=True,
            created_at=now,
            updated_at=now,
        )
    )
    return WebhookRow(webhook_id, url, secret, tuple(event_types), True, now, now)


def get_webhook(conn: Connection, webhook_id: str) -> WebhookRow | None:
    r = conn.execute(sa.select(webhooks).where(webhooks.c.id == webhook_id)).first()
    return _webhook(r) if r else None


def list_webhooks(conn: Connection, active_only: bool = False) -> list[WebhookRow]:
    q = sa.select(webhooks).order_by(webhooks.c.created_at, webhooks.c.id)
    if active_only:
        q = q.where(webhooks.c.active.is_(True))
    return [_webhook(r) for r in conn.execute(q)]


def update_webhook(
    conn: Connection,
    webhook_id: str,
    *,
    url: str | None = None,
    event_types: Sequence[str] | None = None,
    active: bool | None = None,
) -> WebhookRow | None:
    values: dict[str, Any] = {"updated_at": utcnow()}
    if url is not None:
        values["url"] = url
    if event_types is not None:
        values["event_types"] = ",".join(event_types)
    if active is not None:
        values["active"] = active
    if not conn.execute(webhooks.update().where(webhooks.c.id == webhook_id).values(**values)).rowcount:
        return None
    return get_webhook(conn, webhook_id)


@dataclass(frozen=True)
class DeliveryRow:
    id: int
    webhook_id: str
    event_key: str
    event_type: str
    subject: str
    order_key: str
    payload: str
    status: str
    attempts: int
    next_attempt_at: datetime
    last_status_code: int | None
    last_error: str | None
    created_at: datetime
    delivered_at: datetime | None


def _delivery(r: Any) -> DeliveryRow:
    return DeliveryRow(
        **{
            **r._asdict(),
            "next_attempt_at": _req_utc(r.next_attempt_at),
            "created_at": _req_utc(r.created_at),
            "delivered_at": _utc(r.delivered_at),
        }
    )


@dataclass(frozen=True)
class AttemptRow:
    id: int
    delivery_id: int
    attempted_at: datetime
    status_code: int | None
    error: str | None
    duration_ms: int


def list_deliveries(
    conn: Connection, webhook_id: str, status: str | None, before_id: int | None, limit: int
) -> list[DeliveryRow]:
    """Newest first, keyset on id."""
    q = (
        sa.select(webhook_deliveries)
        .where(webhook_deliveries.c.webhook_id == webhook_id)
        .order_by(webhook_deliveries.c.id.desc())
        .limit(limit)
    )
    if status is not None:
        q = q.where(webhook_deliveries.c.status == status)
    if before_id is not None:
        q = q.where(webhook_deliveries.c.id < before_id)
    return [_delivery(r) for r in conn.execute(q)]


def get_delivery(conn: Connection, delivery_id: int) -> DeliveryRow | None:
    r = conn.execute(sa.select(webhook_deliveries).where(webhook_deliveries.c.id == delivery_id)).first()
    return _delivery(r) if r else None


def attempts_of(conn: Connection, delivery_ids: Iterable[int]) -> dict[int, list[AttemptRow]]:
    ids = list(delivery_ids)
    out: dict[int, list[AttemptRow]] = {i: [] for i in ids}
    if not ids:
        return out
    q = (
        sa.select(webhook_attempts)
        .where(webhook_attempts.c.delivery_id.in_(ids))
        .order_by(webhook_attempts.c.delivery_id, webhook_attempts.c.id)
    )
    for r in conn.execute(q):
        out[r.delivery_id].append(
            AttemptRow(r.id, r.delivery_id, _req_utc(r.attempted_at), r.status_code, r.error, r.duration_ms)
        )
    return out


def retry_delivery(conn: Connection, webhook_id: str, delivery_id: int) -> bool:
    """Put a failed delivery back in the queue, due now; False unless it exists and failed."""
    res = conn.execute(
        webhook_deliveries.update()
        .where(
            webhook_deliveries.c.id == delivery_id,
            webhook_deliveries.c.webhook_id == webhook_id,
            webhook_deliveries.c.status == "failed",
        )
        .values(status="pending", next_attempt_at=utcnow())
    )
    return bool(res.rowcount)


# --- the dispatcher's queries --------------------------------------------------------------------


def get_mark(conn: Connection, source: str) -> datetime | None:
    return _utc(conn.execute(sa.select(webhook_marks.c.mark).where(webhook_marks.c.source == source)).scalar())


def set_mark(conn: Connection, source: str, mark: datetime) -> None:
    """Moves forward only, whatever order concurrent dispatchers commit in."""
    if not insert_ignore(conn, webhook_marks, {"source": source, "mark": mark}, ["source"]):
        conn.execute(
            webhook_marks.update()
            .where(webhook_marks.c.source == source, webhook_marks.c.mark < mark)
            .values(mark=mark)
        )


def rendered_since(
    conn: Connection, since: datetime, after: tuple[datetime, str] | None, limit: int
) -> list[DocumentEntry]:
    q = (
        sa.select(*_DOC_COLUMNS)
        .where(documents.c.render_status == "rendered", documents.c.rendered_at >= since)
        .order_by(documents.c.rendered_at, documents.c.id)
        .limit(limit)
    )
    if after is not None:
        at, last_id = after
        q = q.where(
            sa.or_(documents.c.rendered_at > at, sa.and_(documents.c.rendered_at == at, documents.c.id > last_id))
        )
    return [_doc(r) for r in conn.execute(q)]


@dataclass(frozen=True)
class RejectedEvent:
    id: int
    event_id: str
    event_type: str
    seller_id: str | None
    order_id: str | None
    reason_code: str | None
    reason: str | None
    received_at: datetime
    updated_at: datetime


def rejected_since(conn: Connection, since: datetime, after_id: int | None, limit: int) -> list[RejectedEvent]:
    # A rejected row's available_at is the time of its rejection (set together with updated_at), so
    # the claim index (status, available_at) serves this query without reading the whole inbox.
    q = (
        sa.select(
            inbox.c.id,
            inbox.c.event_id,
            inbox.c.event_type,
            inbox.c.seller_id,
            inbox.c.order_id,
            inbox.c.reason_code,
            inbox.c.reason,
            inbox.c.received_at,
            inbox.c.updated_at,
        )
        .where(inbox.c.status == "rejected", inbox.c.available_at >= since)
        .order_by(inbox.c.id)
        .limit(limit)
    )
    if after_id is not None:
        q = q.where(inbox.c.id > after_id)
    return [
        RejectedEvent(**{**r._asdict(), "received_at": _req_utc(r.received_at), "updated_at": _req_utc(r.updated_at)})
        for r in conn.execute(q)
    ]


def enqueued_keys(conn: Connection, event_keys: Sequence[str]) -> set[tuple[str, str]]:
    """(event_key, webhook_id) pairs already enqueued among these event keys."""
    if not event_keys:
        return set()
    q = sa.select(webhook_deliveries.c.event_key, webhook_deliveries.c.webhook_id).where(
        webhook_deliveries.c.event_key.in_(list(event_keys))
    )
    return {(r.event_key, r.webhook_id) for r in conn.execute(q)}


def enqueue(
    conn: Connection,
    *,
    webhook_id: str,
    event_key: str,
    event_type: str,
    subject: str,
    order_key: str,
    payload: str,
) -> bool:
    now = utcnow()
    return insert_ignore(
        conn,
        webhook_deliveries,
        {
            "webhook_id": webhook_id,
            "event_key": event_key,
            "event_type": event_type,
            "subject": subject,
            "order_key": order_key,
            "payload": payload,
            "status": "pending",
            "attempts": 0,
            "next_attempt_at": now,
            "created_at": now,
        },
        ["event_key", "webhook_id"],
    )


def due_deliveries(conn: Connection, now: datetime, limit: int) -> list[tuple[DeliveryRow, WebhookRow]]:
    """Pending deliveries whose time has come and that no earlier pending delivery of the same order
    key (same endpoint) is waiting before: a later fact is never told before an earlier one."""
    earlier = webhook_deliveries.alias("earlier")
    blocked = (
        sa.select(earlier.c.id)
        .where(
            earlier.c.webhook_id == webhook_deliveries.c.webhook_id,
            earlier.c.order_key == webhook_deliveries.c.order_key,
            earlier.c.id < webhook_deliveries.c.id,
            earlier.c.status == "pending",
        )
        .exists()
    )
    q = (
        sa.select(webhook_deliveries, *[c.label(f"w_{c.name}") for c in webhooks.c])
        .select_from(webhook_deliveries.join(webhooks, webhooks.c.id == webhook_deliveries.c.webhook_id))
        .where(
            webhook_deliveries.c.status == "pending",
            webhook_deliveries.c.next_attempt_at <= now,
            webhooks.c.active.is_(True),
            ~blocked,
        )
        .order_by(webhook_deliveries.c.next_attempt_at, webhook_deliveries.c.id)
        .limit(limit)
    )
    out = []
    for r in conn.execute(q):
        m = r._mapping
        d = _delivery(_Obj({c.name: m[c] for c in webhook_deliveries.c}))
        w = _webhook(_Obj({c.name: m[f"w_{c.name}"] for c in webhooks.c}))
        out.append((d, w))
    return out


class _Obj:
    """Attribute access over a dict, shaped like a Row for the row builders above."""

    def __init__(self, values: dict[str, Any]) -> None:
        self.__dict__.update(values)
        self._values = values

    def _asdict(self) -> dict[str, Any]:
        return dict(self._values)


def claim_delivery(conn: Connection, delivery_id: int, seen_next: datetime, lease: timedelta) -> bool:
    """Optimistic claim: only the dispatcher that saw this exact next_attempt_at moves it forward."""
    res = conn.execute(
        webhook_deliveries.update()
        .where(
            webhook_deliveries.c.id == delivery_id,
            webhook_deliveries.c.status == "pending",
            webhook_deliveries.c.next_attempt_at == seen_next,
        )
        .values(next_attempt_at=utcnow() + lease)
    )
    return bool(res.rowcount)


def record_attempt(
    conn: Connection,
    delivery_id: int,
    *,
    attempted_at: datetime,
    status_code: int | None,
    error: str | None,
    duration_ms: int,
    delivered: bool,
    give_up: bool,
    retry_at: datetime,
) -> None:
    conn.execute(
        webhook_attempts.insert().values(
            delivery_id=delivery_id,
            attempted_at=attempted_at,
            status_code=status_code,
            error=error[:2000] if error else None,
            duration_ms=duration_ms,
        )
    )
    values: dict[str, Any] = {
        "attempts": webhook_deliveries.c.attempts + 1,
        "last_status_code": status_code,
        "last_error": error[:2000] if error else None,
    }
    if delivered:
        values.update(status="delivered", delivered_at=utcnow())
    elif give_up:
        values.update(status="failed")
    else:
        values.update(next_attempt_at=retry_at)
    conn.execute(webhook_deliveries.update().where(webhook_deliveries.c.id == delivery_id).values(**values))
