"""Record access on SQLAlchemy Core, identical for SQLite and PostgreSQL.

The numbering transaction (``issue_document``) is the only place a number is
taken. It is short: the draft was computed before, nothing slow happens inside,
and the idempotency key (per seller) and (series owner, series, seq) are UNIQUE behind it.

A series belongs to its owner (``Draft.owner``): the seller, or the marketplace ("@<id>") for the
documents it issues in its own name as deemed supplier (Directive 2006/112/EC art. 14a), numbered in
one continuous series across all sellers' orders. Everything else (orders ledger, idempotency key,
credit notes, distance-sales count) stays the seller's.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from mandat.domain.documents import Document
from mandat.domain.drafts import Draft, Tally
from mandat.domain.parties import Seller
from mandat.domain.refusals import Cancelled, Rejected, Waiting
from mandat.store.schema import (
    chain_links,
    distance_sales,
    document_files,
    documents,
    inbox,
    orders,
    outbox,
    sellers,
    series,
)

GENESIS_HASH = "0" * 64


def utcnow() -> datetime:
    return datetime.now(UTC)


def as_utc(value: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; everything we store is UTC."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def insert_ignore(conn: Connection, table: sa.Table, values: dict[str, Any], key: Sequence[str]) -> bool:
    """INSERT ... ON CONFLICT DO NOTHING; True when the row was inserted.

    Judged by RETURNING, not rowcount: on PostgreSQL SQLAlchemy adds an implicit RETURNING for
    autoincrement keys, and rowcount then reads -1 (true) even when nothing was inserted.
    """
    if conn.dialect.name == "postgresql":
        stmt: Any = postgresql.insert(table).values(**values).on_conflict_do_nothing(index_elements=list(key))
    else:
        stmt = sqlite.insert(table).values(**values).on_conflict_do_nothing(index_elements=list(key))
    return conn.execute(stmt.returning(sa.literal(1))).first() is not None


# --- sellers -----------------------------------------------------------------------------------


def upsert_seller(conn: Connection, seller: Seller) -> bool:
    """Insert or update a seller; True when it was new."""
    now = utcnow()
    data = seller.model_dump_json()
    row = conn.execute(sa.select(sellers.c.id).where(sellers.c.id == seller.id)).first()
    if row is None:
        conn.execute(sellers.insert().values(id=seller.id, code=seller.code, data=data, created_at=now, updated_at=now))
        return True
    conn.execute(sellers.update().where(sellers.c.id == seller.id).values(code=seller.code, data=data, updated_at=now))
    return False


def get_seller(conn: Connection, seller_id: str) -> Seller | None:
    data = conn.execute(sa.select(sellers.c.data).where(sellers.c.id == seller_id)).scalar()
    return Seller.model_validate_json(data) if data else None


def list_sellers(conn: Connection) -> list[Seller]:
    return [
        Seller.model_validate_json(d) for d in conn.execute(sa.select(sellers.c.data).order_by(sellers.c.id)).scalars()
    ]


# --- inbox -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class InboxRow:
    id: int
    event_id: str
    event_type: str
    seller_id: str | None
    order_id: str | None
    payload: str
    status: str
    reason_code: str | None
    reason: str | None
    attempts: int
    document_id: str | None
    received_at: datetime
    updated_at: datetime
    # Filled by list_inbox only: how the event's document is rendered, and the render's last error.
    render_status: str | None = None
    render_error: str | None = None


def _inbox_row(r: Any) -> InboxRow:
    return InboxRow(
        id=r.id,
        event_id=r.event_id,
        event_type=r.event_type,
        seller_id=r.seller_id,
        order_id=r.order_id,
        payload=r.payload,
        status=r.status,
        reason_code=r.reason_code,
        reason=r.reason,
        attempts=r.attempts,
        document_id=r.document_id,
        received_at=as_utc(r.received_at) or utcnow(),
        updated_at=as_utc(r.updated_at) or utcnow(),
    )


def add_to_inbox(
    conn: Connection,
    *,
    event_id: str,
    event_type: str,
    seller_id: str | None,
    order_id: str | None,
    payload: str,
    status: str,
    reason_code: str | None = None,
    reason: str | None = None,
) -> bool:
    now = utcnow()
    return insert_ignore(
        conn,
        inbox,
        {
            "event_id": event_id,
            "event_type": event_type,
            "seller_id": seller_id,
            "order_id": order_id,
            "payload": payload,
            "status": status,
            "reason_code": reason_code,
            "reason": reason,
            "attempts": 0,
            "received_at": now,
            "updated_at": now,
            "available_at": now,
        },
        ["event_id"],
    )


def get_inbox(conn: Connection, *, event_id: str | None = None, row_id: int | None = None) -> InboxRow | None:
    q = sa.select(inbox)
    q = q.where(inbox.c.event_id == event_id) if event_id is not None else q.where(inbox.c.id == row_id)
    r = conn.execute(q).first()
    return _inbox_row(r) if r else None


def get_inbox_many(conn: Connection, row_ids: Sequence[int]) -> list[InboxRow]:
    rows = conn.execute(sa.select(inbox).where(inbox.c.id.in_(row_ids)).order_by(inbox.c.id))
    return [_inbox_row(r) for r in rows]


def set_issued_many(conn: Connection, outcomes: Sequence[tuple[int, str, str]]) -> None:
    """(inbox row id, status, document id) for a batch, in one executemany."""
    if not outcomes:
        return
    now = utcnow()
    conn.execute(
        inbox.update()
        .where(inbox.c.id == sa.bindparam("row_id"))
        .values(
            status=sa.bindparam("new_status"),
            document_id=sa.bindparam("doc_id"),
            reason_code=None,
            reason=None,
            updated_at=now,
            available_at=now,
            claimed_by=None,
        ),
        [{"row_id": r, "new_status": st, "doc_id": d} for r, st, d in outcomes],
    )


def list_inbox(conn: Connection, status: str | None = None, limit: int = 100) -> list[InboxRow]:
    """Events in arrival order, with their document's render status; ``render_failed``: issued, no file."""
    q = (
        sa.select(inbox, documents.c.render_status, outbox.c.last_error)
        .select_from(
            inbox.outerjoin(documents, documents.c.id == inbox.c.document_id).outerjoin(
                outbox, sa.and_(outbox.c.document_id == documents.c.id, outbox.c.task == "render")
            )
        )
        .order_by(inbox.c.id)
        .limit(limit)
    )
    if status == "render_failed":
        q = q.where(documents.c.render_status == "failed")
    elif status:
        q = q.where(inbox.c.status == status)
    out = []
    for r in conn.execute(q):
        row = _inbox_row(r)
        error = r.last_error if r.render_status != "rendered" else None
        out.append(dataclasses.replace(row, render_status=r.render_status, render_error=error))
    return out


def count_inbox_by_status(conn: Connection) -> dict[str, int]:
    rows = conn.execute(sa.select(inbox.c.status, sa.func.count()).group_by(inbox.c.status))
    return {status: n for status, n in rows}


def count_reasons(conn: Connection, status: str = "rejected") -> dict[str, int]:
    rows = conn.execute(
        sa.select(inbox.c.reason_code, sa.func.count()).where(inbox.c.status == status).group_by(inbox.c.reason_code)
    )
    return {code or "?": n for code, n in rows}


def claim_inbox(conn: Connection, worker: str, limit: int, lease: timedelta) -> list[int]:
    """Claim runnable events: pending, waiting whose time has come, or processing whose lease expired.

    A worker killed mid-event leaves its row 'processing' with a lease; once the
    lease runs out another worker takes it, and the idempotency key makes the
    second attempt find the document the first one may have committed.
    """
    now = utcnow()
    runnable = (
        sa.select(inbox.c.id)
        .where(inbox.c.status.in_(("pending", "waiting", "processing")), inbox.c.available_at <= now)
        .order_by(inbox.c.available_at, inbox.c.id)
        .limit(limit)
    )
    if conn.dialect.name == "postgresql":
        runnable = runnable.with_for_update(skip_locked=True)
    stmt = (
        inbox.update()
        .where(inbox.c.id.in_(runnable.scalar_subquery()))
        .values(status="processing", claimed_by=worker, available_at=now + lease, attempts=inbox.c.attempts + 1)
        .returning(inbox.c.id)
    )
    return sorted(conn.execute(stmt).scalars())


def claim_one(conn: Connection, row_id: int, worker: str, lease: timedelta) -> bool:
    """Claim a given runnable row (push delivery); False if another worker holds a live lease on it."""
    now = utcnow()
    res = conn.execute(
        inbox.update()
        .where(
            inbox.c.id == row_id,
            inbox.c.status.in_(("pending", "waiting", "processing")),
            sa.or_(inbox.c.status != "processing", inbox.c.available_at <= now),
        )
        .values(status="processing", claimed_by=worker, available_at=now + lease, attempts=inbox.c.attempts + 1)
    )
    return bool(res.rowcount)


def set_inbox_outcome(
    conn: Connection,
    row_id: int,
    status: str,
    *,
    reason_code: str | None = None,
    reason: str | None = None,
    document_id: str | None = None,
    retry_after: timedelta | None = None,
) -> None:
    now = utcnow()
    conn.execute(
        inbox.update()
        .where(inbox.c.id == row_id)
        .values(
            status=status,
            reason_code=reason_code,
            reason=reason,
            document_id=document_id,
            updated_at=now,
            available_at=now + (retry_after or timedelta(0)),
            claimed_by=None,
        )
    )


AFTER_SALE = ("order.refunded", "order.cancelled")
# Reasons of refunds that wait for another refund of their order; woken when one of those is decided.
SIBLING_WAITS = ("sibling_refund_pending", "refund_amount_short")


@dataclass(frozen=True)
class Sibling:
    event_id: str
    status: str
    reason_code: str | None
    payload: str


def open_after_sale(conn: Connection, row_id: int, seller_id: str, order_id: str) -> list[Sibling]:
    """The other refunds and cancellations of the seller's order that are received but not decided yet."""
    rows = conn.execute(
        sa.select(inbox.c.event_id, inbox.c.status, inbox.c.reason_code, inbox.c.payload).where(
            inbox.c.seller_id == seller_id,
            inbox.c.order_id == order_id,
            inbox.c.id != row_id,
            inbox.c.event_type.in_(AFTER_SALE),
            inbox.c.status.in_(("pending", "processing", "waiting")),
        )
    )
    return [Sibling(r.event_id, r.status, r.reason_code, r.payload) for r in rows]


def wake_after_sale(conn: Connection, seller_id: str, order_id: str, key: str) -> None:
    """Refunds of this order waiting for one of its other refunds become runnable now.

    Under the order's row lock (``lock_order``), like the recording of such a wait: a wait is either
    committed before this runs, and woken, or sees the decision that called this, and is not recorded.
    """
    lock_order(conn, seller_id, key)
    conn.execute(_wake_stmt(seller_id, order_id, utcnow(), SIBLING_WAITS))


def lock_order(conn: Connection, seller_id: str, key: str) -> int | None:
    """Hold the ``orders`` row of an order until the end of the transaction; its credit version.

    None when the order has no row yet (not invoiced, not cancelled). A no-op update takes the row
    lock on PostgreSQL; SQLite's BEGIN IMMEDIATE already serialises every writer.
    """
    version = conn.execute(
        orders.update()
        .where(orders.c.seller_id == seller_id, orders.c.key == key)
        .values(credit_version=orders.c.credit_version)
        .returning(orders.c.credit_version)
    ).scalar_one_or_none()
    return None if version is None else int(version)


def requeue(conn: Connection, event_id: str, payload: str | None = None) -> bool:
    """Replay: put a rejected/failed/waiting event back to pending (optionally with a corrected payload)."""
    now = utcnow()
    values: dict[str, Any] = {
        "status": "pending",
        "reason_code": None,
        "reason": None,
        "attempts": 0,
        "updated_at": now,
        "available_at": now,
        "claimed_by": None,
    }
    if payload is not None:
        values["payload"] = payload
    res = conn.execute(
        inbox.update()
        .where(inbox.c.event_id == event_id, inbox.c.status.in_(("rejected", "failed", "waiting")))
        .values(**values)
    )
    return bool(res.rowcount)


# --- documents and series --------------------------------------------------------------------


def document_from_row(data: str) -> Document:
    return Document.model_validate_json(data)


def find_by_key(conn: Connection, key: str, seller_id: str | None = None) -> Document | None:
    """The seller's document for an idempotency key (``seller_id=None``: any seller, for tools and tests).

    Keys are unique per seller only: the order ids in them are the marketplace's, shared by sellers.
    """
    q = sa.select(documents.c.data).where(documents.c.idempotency_key == key)
    if seller_id is not None:
        q = q.where(documents.c.seller_id == seller_id)
    data = conn.execute(q.limit(1)).scalar()
    return document_from_row(data) if data else None


def issue_document(
    conn: Connection, draft: Draft, now: datetime, render_after: timedelta = timedelta(0)
) -> tuple[Document, bool]:
    """Take the next number of the draft owner's series and store the document; (document, created).

    Runs inside the caller's transaction, which must do nothing slow after it but commit.
    On SQLite the transaction began with BEGIN IMMEDIATE, so it is the only writer. On
    PostgreSQL one statement locks the series row, stamps, hashes and inserts, so the lock
    is never held across a client round trip (only until the commit that follows).
    ``render_after`` delays the render task when the caller renders the document itself right
    after the commit: the task is then only the safety net should the caller die first.
    """
    existing = find_by_key(conn, draft.idempotency_key, draft.seller_id)
    if existing is not None:
        return existing, False
    invoice = draft.kind == "invoice"
    if draft.tally is not None:
        # Before the series row, always: the distance-sales row is the first lock a numbering
        # transaction takes, so two of them never wait for each other in opposite orders.
        _count_distance_sale(conn, draft.seller_id, draft.tally)
    insert_ignore(
        conn,
        series,
        {"seller_id": draft.owner, "series": draft.series, "last_seq": 0, "last_hash": GENESIS_HASH},
        ["seller_id", "series"],
    )
    if conn.dialect.name == "postgresql":
        # The orders row is inserted by the same statement: a cancellation that claimed the order
        # first makes it fail on the primary key (IntegrityError), whatever the snapshot saw.
        doc = _issue_postgres(conn, draft, render_after)
        if doc is None:  # a concurrent transaction committed this order first
            winner = find_by_key(conn, draft.idempotency_key, draft.seller_id)
            assert winner is not None
            if draft.tally is not None:
                # The winner counted this sale; the caller commits (it points the event at the winner).
                _count_distance_sale(
                    conn, draft.seller_id, dataclasses.replace(draft.tally, amount=-draft.tally.amount, limit=None)
                )
            return winner, False
        return doc, True
    if invoice:
        # SQLite: BEGIN IMMEDIATE made this transaction the only writer, so the check cannot race.
        _refuse_if_cancelled(conn, draft.seller_id, draft.order_key)
    row = conn.execute(
        series.update()
        .where(series.c.seller_id == draft.owner, series.c.series == draft.series)
        .values(last_seq=series.c.last_seq + 1)
        .returning(series.c.last_seq, series.c.last_issued_at, series.c.last_hash)
    ).one()
    last = as_utc(row.last_issued_at)
    # Chronological numbering: the issue time never goes backwards within a series,
    # even when clocks of two workers disagree; and a credit note is never dated before its invoice.
    issued_at = max(now, last) if last else now
    if draft.corrects_id is not None:
        corrected = as_utc(
            conn.execute(sa.select(documents.c.issued_at).where(documents.c.id == draft.corrects_id)).scalar()
        )
        if corrected is not None:
            issued_at = max(issued_at, corrected)
    doc = draft.finalize(seq=row.last_seq, issued_at=issued_at, prev_hash=row.last_hash)
    conn.execute(
        series.update()
        .where(series.c.seller_id == draft.owner, series.c.series == draft.series)
        .values(last_issued_at=issued_at, last_hash=doc.hash)
    )
    conn.execute(
        documents.insert().values(
            id=doc.id,
            seller_id=doc.seller_id,
            series_owner=draft.owner,
            series=doc.series,
            seq=doc.seq,
            number=doc.number,
            kind=doc.kind,
            idempotency_key=doc.idempotency_key,
            order_id=doc.order_id,
            event_id=doc.event_id,
            issued_at=issued_at,
            total=doc.totals.tax_inclusive,
            data=doc.model_dump_json(),
            hash=doc.hash,
            prev_hash=doc.prev_hash,
            render_status="pending",
            corrects_id=draft.corrects_id,
        )
    )
    conn.execute(
        outbox.insert().values(
            document_id=doc.id,
            task="render",
            status="pending",
            attempts=0,
            available_at=now + render_after,
            created_at=now,
        )
    )
    if invoice:
        conn.execute(
            orders.insert().values(
                key=draft.order_key,
                seller_id=doc.seller_id,
                order_id=doc.order_id,
                state="invoiced",
                invoice_id=doc.id,
                event_id=doc.event_id,
                credit_version=0,
                updated_at=now,
            )
        )
        conn.execute(_wake_stmt(doc.seller_id, doc.order_id, now))
    return doc, True


def distance_sales_count(conn: Connection, seller_id: str, year: int) -> Decimal:
    """The seller's EU distance sales counted in ``year`` (art. 59c threshold), 0 when none yet."""
    total = conn.execute(
        sa.select(distance_sales.c.total).where(distance_sales.c.seller_id == seller_id, distance_sales.c.year == year)
    ).scalar()
    return Decimal(0) if total is None else Decimal(total)


def _count_distance_sale(conn: Connection, seller_id: str, tally: Tally) -> None:
    """Add a distance sale to the seller's count for its year, in the issuing transaction.

    With a ``limit`` the draft decided "taxed in the seller's country" because the count stayed at or
    below the threshold (Directive 2006/112/EC art. 59c); if another document moved the count since,
    so that it no longer holds, the transaction must not issue: Waiting ``distance_sales_moved`` rolls
    it back (no number taken) and the event is decided again on the new count. A count kept in another
    currency than the draft's cannot be added to: Rejected ``distance_sales_currency``.

    The row is read under its lock (FOR UPDATE on PostgreSQL; SQLite's BEGIN IMMEDIATE makes this the
    only writer) and the sum is done in Decimal, not in SQL: SQLite keeps NUMERIC as a binary float,
    and a count sitting exactly on the limit must compare as equal, not one rounding error above.
    """
    now = utcnow()
    insert_ignore(
        conn,
        distance_sales,
        {"seller_id": seller_id, "year": tally.year, "currency": tally.currency, "total": 0, "updated_at": now},
        ["seller_id", "year"],
    )
    row = conn.execute(
        sa.select(distance_sales.c.currency, distance_sales.c.total)
        .where(distance_sales.c.seller_id == seller_id, distance_sales.c.year == tally.year)
        .with_for_update()
    ).one()
    if row.currency != tally.currency:
        raise Rejected(
            "distance_sales_currency",
            f"the distance sales of {seller_id} in {tally.year} are counted in {row.currency}, "
            f"this sale in {tally.currency}: they cannot be added up",
        )
    total = Decimal(row.total)
    new = total + tally.amount
    if tally.limit is not None and new > tally.limit:
        raise Waiting(
            "distance_sales_moved",
            f"the distance sales of {seller_id} in {tally.year} reached {total} {tally.currency} since this "
            f"sale was decided: with its {tally.amount} they come to {new}, above the {tally.limit} its "
            "treatment assumed (Directive 2006/112/EC art. 59c); decided again",
        )
    conn.execute(
        distance_sales.update()
        .where(distance_sales.c.seller_id == seller_id, distance_sales.c.year == tally.year)
        .values(total=new, updated_at=now)
    )


def _refuse_if_cancelled(conn: Connection, seller_id: str, key: str) -> None:
    order = get_order(conn, seller_id, key)
    if order is not None and order.state == "cancelled":
        raise Cancelled("order_cancelled", f"order cancelled by event {order.event_id} before its invoice")


def _wake_stmt(seller_id: str, order_id: str, now: datetime, reasons: Sequence[str] = ("invoice_pending",)) -> Any:
    """Events of this order waiting for one of ``reasons`` become runnable now, not at their backoff.

    By default the refunds and cancellations waiting for the order's invoice.
    """
    return (
        inbox.update()
        .where(
            inbox.c.seller_id == seller_id,
            inbox.c.order_id == order_id,
            inbox.c.status == "waiting",
            inbox.c.reason_code.in_(reasons),
        )
        .values(available_at=now)
    )


def issue_many(
    conn: Connection, drafts: Sequence[Draft], now: datetime, render_after: timedelta
) -> dict[int, Document]:
    """SQLite: issue a batch of invoices in the caller's BEGIN IMMEDIATE transaction; {draft index: document}.

    The same steps as ``issue_document``, grouped: one read of the known keys, of the cancelled orders
    and of each series head, numbers assigned in order per series in Python (this transaction is the
    only writer), then one executemany per table. A draft left out (already issued, cancelled, a
    second draft for the same order in the batch, or not an invoice) is for ``issue_document``, one
    by one, after this transaction. One commit for the batch instead of one per document: on SQLite
    with synchronous=FULL each commit is an fsync.

    Series are keyed by their owner (``Draft.owner``): drafts of several sellers numbered in the
    marketplace's series follow one another in it. Distance sales (``Draft.tally``) are counted here
    too, in Decimal, each seller's count read once: a draft whose limit no longer holds once the
    batch's earlier sales are counted, or whose currency is not the count's, is left out before it
    takes a number, and ``issue_document`` then raises its Waiting or Rejected one by one (the
    service decides that event again).
    """
    assert conn.dialect.name == "sqlite", "PostgreSQL issues one statement per document"
    keys = [d.idempotency_key for d in drafts]
    known_keys = {
        (s, k)
        for s, k in conn.execute(
            sa.select(documents.c.seller_id, documents.c.idempotency_key).where(documents.c.idempotency_key.in_(keys))
        )
    }
    closed = known_orders(conn, [(d.seller_id, d.order_key) for d in drafts])
    heads: dict[tuple[str, str], tuple[int, datetime | None, str]] = {}
    # (seller, year) -> (currency of the stored count or None, count, count when read)
    counts: dict[tuple[str, int], tuple[str | None, Decimal, Decimal]] = {}
    issued: dict[int, Document] = {}
    seen: set[tuple[str, str]] = set()
    for i, draft in enumerate(drafts):
        key = (draft.seller_id, draft.idempotency_key)
        if draft.kind != "invoice" or key in known_keys or key in seen or (draft.seller_id, draft.order_key) in closed:
            continue
        if draft.tally is not None:
            count_key = (draft.seller_id, draft.tally.year)
            if count_key not in counts:
                stored = conn.execute(
                    sa.select(distance_sales.c.currency, distance_sales.c.total).where(
                        distance_sales.c.seller_id == draft.seller_id, distance_sales.c.year == draft.tally.year
                    )
                ).first()
                start = Decimal(0) if stored is None else Decimal(stored.total)
                counts[count_key] = (None if stored is None else stored.currency, start, start)
            currency, total, start = counts[count_key]
            new = total + draft.tally.amount
            if (currency or draft.tally.currency) != draft.tally.currency or (
                draft.tally.limit is not None and new > draft.tally.limit
            ):
                continue
            counts[count_key] = (draft.tally.currency, new, start)
        seen.add(key)
        head_key = (draft.owner, draft.series)
        if head_key not in heads:
            row = conn.execute(
                sa.select(series.c.last_seq, series.c.last_issued_at, series.c.last_hash).where(
                    series.c.seller_id == draft.owner, series.c.series == draft.series
                )
            ).first()
            if row is None:
                conn.execute(
                    series.insert().values(
                        seller_id=draft.owner, series=draft.series, last_seq=0, last_hash=GENESIS_HASH
                    )
                )
                heads[head_key] = (0, None, GENESIS_HASH)
            else:
                heads[head_key] = (row.last_seq, as_utc(row.last_issued_at), row.last_hash)
        seq, last, prev = heads[head_key]
        issued_at = max(now, last) if last else now
        doc = draft.finalize(seq=seq + 1, issued_at=issued_at, prev_hash=prev)
        heads[head_key] = (doc.seq, issued_at, doc.hash)
        issued[i] = doc
    if not issued:
        return issued
    docs = list(issued.values())
    conn.execute(
        documents.insert(),
        [
            {
                "id": doc.id,
                "seller_id": doc.seller_id,
                "series_owner": drafts[i].owner,
                "series": doc.series,
                "seq": doc.seq,
                "number": doc.number,
                "kind": doc.kind,
                "idempotency_key": doc.idempotency_key,
                "order_id": doc.order_id,
                "event_id": doc.event_id,
                "issued_at": doc.issued_at,
                "total": doc.totals.tax_inclusive,
                "data": doc.model_dump_json(),
                "hash": doc.hash,
                "prev_hash": doc.prev_hash,
                "render_status": "pending",
                "corrects_id": None,
            }
            for i, doc in issued.items()
        ],
    )
    conn.execute(
        outbox.insert(),
        [
            {
                "document_id": doc.id,
                "task": "render",
                "status": "pending",
                "attempts": 0,
                "available_at": now + render_after,
                "created_at": now,
            }
            for doc in docs
        ],
    )
    conn.execute(
        orders.insert(),
        [
            {
                "key": drafts[i].order_key,
                "seller_id": doc.seller_id,
                "order_id": doc.order_id,
                "state": "invoiced",
                "invoice_id": doc.id,
                "event_id": doc.event_id,
                "credit_version": 0,
                "updated_at": now,
            }
            for i, doc in issued.items()
        ],
    )
    for (owner, series_name), (seq, last, head_hash) in heads.items():
        conn.execute(
            series.update()
            .where(series.c.seller_id == owner, series.c.series == series_name)
            .values(last_seq=seq, last_issued_at=last, last_hash=head_hash)
        )
    for (seller_id, year), (currency, total, start) in counts.items():
        if currency is None or total == start:
            continue  # read only: every sale of that count was left out
        insert_ignore(
            conn,
            distance_sales,
            {"seller_id": seller_id, "year": year, "currency": currency, "total": 0, "updated_at": now},
            ["seller_id", "year"],
        )
        conn.execute(
            distance_sales.update()
            .where(distance_sales.c.seller_id == seller_id, distance_sales.c.year == year)
            .values(total=total, updated_at=now)
        )
    conn.execute(
        inbox.update()
        .where(
            sa.tuple_(inbox.c.seller_id, inbox.c.order_id).in_([(doc.seller_id, doc.order_id) for doc in docs]),
            inbox.c.status == "waiting",
            inbox.c.reason_code == "invoice_pending",
        )
        .values(available_at=now)
    )
    return issued


# --- orders ledger ---------------------------------------------------------------------------


@dataclass(frozen=True)
class OrderRow:
    seller_id: str
    key: str
    state: str  # invoiced | cancelled
    invoice_id: str | None
    event_id: str
    credit_version: int
    credited: str | None


def get_order(conn: Connection, seller_id: str, key: str) -> OrderRow | None:
    r = conn.execute(
        sa.select(
            orders.c.seller_id,
            orders.c.key,
            orders.c.state,
            orders.c.invoice_id,
            orders.c.event_id,
            orders.c.credit_version,
            orders.c.credited,
        ).where(orders.c.seller_id == seller_id, orders.c.key == key)
    ).first()
    return OrderRow(**r._asdict()) if r else None


def known_orders(conn: Connection, keys: Sequence[tuple[str, str]]) -> set[tuple[str, str]]:
    """The (seller id, order key) pairs among ``keys`` of orders already invoiced or cancelled."""
    if not keys:
        return set()
    wanted = set(keys)
    rows = conn.execute(sa.select(orders.c.seller_id, orders.c.key).where(orders.c.key.in_({k for _, k in keys}))).all()
    return {(s, k) for s, k in rows if (s, k) in wanted}


def cancel_before_invoice(conn: Connection, key: str, seller_id: str, order_id: str, event_id: str) -> bool:
    """Close an order that has no invoice; False if the order already has a fate (invoiced or cancelled)."""
    return insert_ignore(
        conn,
        orders,
        {
            "key": key,
            "seller_id": seller_id,
            "order_id": order_id,
            "state": "cancelled",
            "invoice_id": None,
            "event_id": event_id,
            "credit_version": 0,
            "updated_at": utcnow(),
        },
        ["seller_id", "key"],
    )


def advance_credit(conn: Connection, seller_id: str, key: str, version: int, credited: str) -> bool:
    """Record a credit note's take, if nobody credited this invoice since ``version`` was read."""
    res = conn.execute(
        orders.update()
        .where(
            orders.c.seller_id == seller_id,
            orders.c.key == key,
            orders.c.credit_version == version,
            orders.c.state == "invoiced",
        )
        .values(credit_version=version + 1, credited=credited, updated_at=utcnow())
    )
    return bool(res.rowcount)


def credit_notes_by_invoice(
    conn: Connection, invoice_id: str | None = None, seller_id: str | None = None
) -> dict[str, list[Document]]:
    """Credit notes grouped by the invoice they correct (all invoices, one seller's, or one)."""
    out: dict[str, list[Document]] = {}
    q = (
        sa.select(documents.c.corrects_id, documents.c.data)
        .where(documents.c.corrects_id.is_not(None))
        .order_by(documents.c.corrects_id, documents.c.issued_at, documents.c.seq)
    )
    if invoice_id is not None:
        q = q.where(documents.c.corrects_id == invoice_id)
    if seller_id is not None:
        q = q.where(documents.c.seller_id == seller_id)
    rows = conn.execute(q)
    for invoice_id, data in rows:
        out.setdefault(invoice_id, []).append(document_from_row(data))
    return out


def ledger(conn: Connection) -> dict[str, OrderRow]:
    """Ledger rows of invoices that have been credited at least once, by invoice id."""
    rows = conn.execute(
        sa.select(
            orders.c.seller_id,
            orders.c.key,
            orders.c.state,
            orders.c.invoice_id,
            orders.c.event_id,
            orders.c.credit_version,
            orders.c.credited,
        ).where(orders.c.state == "invoiced", orders.c.credit_version > 0)
    )
    return {r.invoice_id: OrderRow(**r._asdict()) for r in rows}


# One statement: lock the series row of the owner (only if the seller's order has no document yet), stamp the issue time
# after the lock (never before the series' last, nor a credit note before its invoice), derive number
# and dates, compute the chain hash exactly as Document.compute_hash does, move the series head, insert
# the document and its render task. The JSON record is the draft's body completed with the stamped fields.
_ISSUE_SQL = sa.text("""
WITH prev AS (
    SELECT last_seq, last_issued_at, last_hash FROM series
    WHERE seller_id = :owner AND series = :series
      AND NOT EXISTS (SELECT 1 FROM documents WHERE seller_id = :seller_id AND idempotency_key = :key)
    FOR UPDATE
), stamp AS (
    SELECT last_seq + 1 AS seq,
           GREATEST(clock_timestamp(), COALESCE(last_issued_at, '-infinity'::timestamptz),
                    COALESCE((SELECT issued_at FROM documents WHERE id = :corrects_id), '-infinity'::timestamptz))
             AS issued_at,
           last_hash AS prev_hash
    FROM prev
), named AS (
    SELECT seq, issued_at, prev_hash,
           -- lpad truncates to its width: never fewer characters than the digits, as in Python.
           CAST(:before AS text) || lpad(seq::text, GREATEST(:width, length(seq::text)), '0')
             || CAST(:after AS text) AS number,
           to_char(issued_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS iso,
           (issued_at AT TIME ZONE :tz)::date AS issue_date
    FROM stamp
), hashed AS (
    SELECT named.*,
           encode(sha256(convert_to(prev_hash || ':' || :body_hash || ':' || number || ':' || iso, 'UTF8')), 'hex')
             AS hash
    FROM named
), head AS (
    UPDATE series SET last_seq = hashed.seq, last_issued_at = hashed.issued_at, last_hash = hashed.hash
    FROM hashed WHERE series.seller_id = :owner AND series.series = :series
    RETURNING hashed.*
), doc AS (
    INSERT INTO documents (id, seller_id, series_owner, series, seq, number, kind, idempotency_key, order_id,
                           event_id, issued_at, total, data, hash, prev_hash, render_status, corrects_id)
    SELECT :id, :seller_id, :owner, :series, seq, number, :kind, :key, :order_id, :event_id, issued_at, :total,
           (CAST(:body AS jsonb) || jsonb_build_object(
               'seq', seq, 'number', number, 'issued_at', iso, 'issue_date', issue_date::text,
               'due_date', CASE WHEN :due THEN issue_date::text END, 'prev_hash', prev_hash, 'hash', hash))::text,
           hash, prev_hash, 'pending', :corrects_id
    FROM head
    RETURNING id, data
), task AS (
    INSERT INTO outbox (document_id, task, status, attempts, available_at, created_at)
    SELECT id, 'render', 'pending', 0, now() + make_interval(secs => :render_after), now() FROM doc
), claim AS (
    INSERT INTO orders (key, seller_id, order_id, state, invoice_id, event_id, credit_version, updated_at)
    SELECT :order_key, :seller_id, :order_id, 'invoiced', id, :event_id, 0, now() FROM doc WHERE :invoice
), wake AS (
    UPDATE inbox SET available_at = now()
    WHERE :invoice AND seller_id = :seller_id AND order_id = :order_id
      AND status = 'waiting' AND reason_code = 'invoice_pending'
      AND EXISTS (SELECT 1 FROM doc)
)
SELECT data FROM doc
""")


def _issue_postgres(conn: Connection, draft: Draft, render_after: timedelta) -> Document | None:
    import uuid

    doc_id = str(uuid.uuid4())
    body, body_hash = draft.body(doc_id)
    before, width, after = draft.number_parts()
    data = conn.execute(
        _ISSUE_SQL,
        {
            "seller_id": draft.seller_id,
            "owner": draft.owner,
            "series": draft.series,
            "key": draft.idempotency_key,
            "before": before,
            "width": width,
            "after": after,
            "tz": draft.timezone,
            "body_hash": body_hash,
            "id": doc_id,
            "kind": draft.kind,
            "order_id": body["order_id"],
            "event_id": body["event_id"],
            "total": Decimal(body["totals"]["tax_inclusive"]),
            "body": json.dumps(body, ensure_ascii=False),
            "due": draft.due_on_issue,
            "corrects_id": draft.corrects_id,
            "order_key": draft.order_key,
            "invoice": draft.kind == "invoice",
            "render_after": render_after.total_seconds(),
        },
    ).scalar()
    if data is None:
        return None
    doc = document_from_row(data)
    if doc.number != draft.number_for(doc.seq) or doc.compute_hash() != doc.hash:
        # The SQL and Python definitions of number or hash drifted apart: refuse to commit. This runs
        # under the series lock, before COMMIT, on purpose: about 0.09 ms of CPU (measured) to make
        # an inconsistent legal record impossible rather than merely detected by the audit.
        raise RuntimeError(f"numbering statement produced an inconsistent document {doc.number}")
    return doc


def get_document(conn: Connection, *, number: str | None = None, doc_id: str | None = None) -> Document | None:
    q = sa.select(documents.c.data)
    q = q.where(documents.c.number == number) if number is not None else q.where(documents.c.id == doc_id)
    data = conn.execute(q.limit(2)).scalars().all()
    if len(data) != 1:
        return None
    return document_from_row(data[0])


def document_at(conn: Connection, series_owner: str, series: str, seq: int) -> Document | None:
    """The document numbered ``seq`` in a series (the one before another, for the chains of render/document)."""
    data = conn.execute(
        sa.select(documents.c.data).where(
            documents.c.series_owner == series_owner, documents.c.series == series, documents.c.seq == seq
        )
    ).scalar()
    return document_from_row(data) if data else None


@dataclass(frozen=True)
class DocumentRow:
    id: str
    seller_id: str
    series_owner: str  # whose series numbered it: seller_id, or "@<marketplace id>"
    series: str
    seq: int
    number: str
    kind: str
    issued_at: datetime
    total: Decimal
    hash: str
    prev_hash: str
    render_status: str
    pdf_key: str | None
    pdf_sha256: str | None
    xml_key: str | None
    xml_sha256: str | None


def iter_documents(conn: Connection) -> Iterable[Document]:
    """Every stored record, in issue order (reports over all documents)."""
    for data in conn.execute(sa.select(documents.c.data).order_by(documents.c.issued_at, documents.c.id)).scalars():
        yield Document.model_validate_json(data)


def document_rows(conn: Connection, seller_id: str | None = None, *, owner: str | None = None) -> Iterable[DocumentRow]:
    """Documents in series order: per owner, series and number (one seller's, or one owner's series)."""
    q = sa.select(
        documents.c.id,
        documents.c.seller_id,
        documents.c.series_owner,
        documents.c.series,
        documents.c.seq,
        documents.c.number,
        documents.c.kind,
        documents.c.issued_at,
        documents.c.total,
        documents.c.hash,
        documents.c.prev_hash,
        documents.c.render_status,
        documents.c.pdf_key,
        documents.c.pdf_sha256,
        documents.c.xml_key,
        documents.c.xml_sha256,
    ).order_by(documents.c.series_owner, documents.c.series, documents.c.seq)
    if seller_id:
        q = q.where(documents.c.seller_id == seller_id)
    if owner:
        q = q.where(documents.c.series_owner == owner)
    for r in conn.execute(q):
        yield DocumentRow(**{**r._asdict(), "issued_at": as_utc(r.issued_at), "total": Decimal(r.total)})


def series_heads(conn: Connection) -> dict[tuple[str, str], tuple[int, str]]:
    """(owner, series) -> (last number, last hash); ``series.seller_id`` holds the owner."""
    return {(r.seller_id, r.series): (r.last_seq, r.last_hash) for r in conn.execute(sa.select(series))}


def document_data(conn: Connection, doc_id: str) -> str:
    return str(conn.execute(sa.select(documents.c.data).where(documents.c.id == doc_id)).scalar_one())


# --- outbox ----------------------------------------------------------------------------------


def claim_outbox(conn: Connection, task: str, limit: int, lease: timedelta) -> list[tuple[int, str, int]]:
    """Claim due tasks for one lease: (task id, document id, attempts including this one)."""
    now = utcnow()
    runnable = (
        sa.select(outbox.c.id)
        .where(outbox.c.task == task, outbox.c.status == "pending", outbox.c.available_at <= now)
        .order_by(outbox.c.id)
        .limit(limit)
    )
    if conn.dialect.name == "postgresql":
        runnable = runnable.with_for_update(skip_locked=True)
    stmt = (
        outbox.update()
        .where(outbox.c.id.in_(runnable.scalar_subquery()))
        .values(available_at=now + lease, attempts=outbox.c.attempts + 1)
        .returning(outbox.c.id, outbox.c.document_id, outbox.c.attempts)
    )
    return sorted((r.id, r.document_id, r.attempts) for r in conn.execute(stmt))


@dataclass(frozen=True)
class StoredFile:
    """One structured file of a document (``document_files``): the CII or a national/network e-invoice."""

    document_id: str
    format: str
    key: str
    sha256: str
    schematron: bool  # whether the Schematron ran on it; the XSD always did
    created_at: datetime | None = None


def mark_rendered_many(
    conn: Connection,
    rendered: Sequence[tuple[str, tuple[str, str], tuple[str, str]]],
    files: Sequence[StoredFile] = (),
) -> None:
    """(document id, (pdf key, sha256), (xml key, sha256)) for a batch; closes their render tasks.

    ``files``: the structured files of the batch, recorded in the same commit. A row already there (two
    workers rendered the same document after a lease ran out: same record, same bytes) is kept.
    """
    if not rendered:
        return
    now = utcnow()
    for f in files:
        values = {"document_id": f.document_id, "format": f.format, "key": f.key, "sha256": f.sha256}
        insert_ignore(
            conn, document_files, {**values, "schematron": f.schematron, "created_at": now}, ("document_id", "format")
        )
    conn.execute(
        documents.update()
        .where(documents.c.id == sa.bindparam("doc_id"))
        .values(
            render_status="rendered",
            rendered_at=now,
            pdf_key=sa.bindparam("pdf_key"),
            pdf_sha256=sa.bindparam("pdf_sha"),
            xml_key=sa.bindparam("xml_key"),
            xml_sha256=sa.bindparam("xml_sha"),
        ),
        [
            {"doc_id": d, "pdf_key": pdf[0], "pdf_sha": pdf[1], "xml_key": xml[0], "xml_sha": xml[1]}
            for d, pdf, xml in rendered
        ],
    )
    conn.execute(
        outbox.update()
        .where(outbox.c.document_id == sa.bindparam("doc_id"), outbox.c.task == "render")
        .values(status="done", last_error=None),
        [{"doc_id": d} for d, _, _ in rendered],
    )


def mark_render_error(
    conn: Connection, doc_id: str, error: str, max_attempts: int, delay: Callable[[int], timedelta]
) -> bool:
    """Record a failed render: retried after ``delay(attempts)``, or given up after ``max_attempts``.

    Attempts are counted by the claim (``claim_outbox``); a render tried right after issuing, before
    any claim, counts as the first. A document given up is ``render_status = failed``, with the error
    on its render task, until an operator retries it (``retry_failed_renders``). True when given up.
    """
    attempts = conn.execute(
        sa.select(outbox.c.attempts).where(outbox.c.document_id == doc_id, outbox.c.task == "render")
    ).scalar()
    if attempts is None:
        return False
    attempts = max(int(attempts), 1)
    give_up = attempts >= max_attempts
    conn.execute(
        outbox.update()
        .where(outbox.c.document_id == doc_id, outbox.c.task == "render", outbox.c.status == "pending")
        .values(
            status="failed" if give_up else "pending",
            attempts=attempts,
            last_error=error[:2000],
            available_at=utcnow() + delay(attempts),
        )
    )
    if give_up:
        conn.execute(
            documents.update()
            .where(documents.c.id == doc_id, documents.c.render_status != "rendered")
            .values(render_status="failed")
        )
    return give_up


def fail_render(conn: Connection, doc_id: str, error: str) -> None:
    """Give up rendering at once (a record that does not parse: retrying cannot help)."""
    conn.execute(
        outbox.update()
        .where(outbox.c.document_id == doc_id, outbox.c.task == "render", outbox.c.status == "pending")
        .values(status="failed", last_error=error[:2000])
    )
    conn.execute(
        documents.update()
        .where(documents.c.id == doc_id, documents.c.render_status != "rendered")
        .values(render_status="failed")
    )


def retry_failed_renders(conn: Connection, doc_ids: Sequence[str] | None = None) -> int:
    """Put renders that were given up back in the queue, now (all, or these documents); how many."""
    now = utcnow()
    q = outbox.update().where(outbox.c.task == "render", outbox.c.status == "failed")
    d = documents.update().where(documents.c.render_status == "failed")
    if doc_ids is not None:
        q = q.where(outbox.c.document_id.in_(doc_ids))
        d = d.where(documents.c.id.in_(doc_ids))
    n = conn.execute(q.values(status="pending", attempts=0, available_at=now)).rowcount
    conn.execute(d.values(render_status="pending"))
    return int(n)


def render_failures(conn: Connection, seller_id: str | None = None) -> dict[str, str]:
    """The last render error of every document whose render is not done, by document id."""
    q = (
        sa.select(outbox.c.document_id, outbox.c.last_error)
        .select_from(outbox.join(documents, documents.c.id == outbox.c.document_id))
        .where(outbox.c.task == "render", outbox.c.status != "done", outbox.c.last_error.is_not(None))
    )
    if seller_id is not None:
        q = q.where(documents.c.seller_id == seller_id)
    return {r.document_id: r.last_error for r in conn.execute(q)}


def document_files_of(conn: Connection, doc_id: str) -> list[StoredFile]:
    """The structured files recorded for a document, by format name."""
    rows = conn.execute(
        sa.select(document_files).where(document_files.c.document_id == doc_id).order_by(document_files.c.format)
    )
    return [
        StoredFile(r.document_id, r.format, r.key, r.sha256, bool(r.schematron), as_utc(r.created_at)) for r in rows
    ]


# --- national hash chains (Verifactu huella, Portugal's signature chain) ----------------------------


def chain_link(conn: Connection, chain: str, document_id: str) -> str | None:
    """The value a document holds in a chain, or None."""
    value: str | None = conn.execute(
        sa.select(chain_links.c.value).where(chain_links.c.chain == chain, chain_links.c.document_id == document_id)
    ).scalar()
    return value


def put_chain_link(conn: Connection, chain: str, document_id: str, position: int, value: str) -> None:
    """Record a document's link in a chain, once: the same link again is accepted (a retried render),
    anything else raises ValueError (a different value, or the position of another document: a fork)."""
    row = {"chain": chain, "document_id": document_id, "position": position, "value": value}
    if conn.dialect.name == "postgresql":
        stmt: Any = postgresql.insert(chain_links).values(**row, created_at=utcnow()).on_conflict_do_nothing()
    else:
        stmt = sqlite.insert(chain_links).values(**row, created_at=utcnow()).on_conflict_do_nothing()
    if conn.execute(stmt.returning(sa.literal(1))).first() is not None:
        return
    held = conn.execute(
        sa.select(chain_links.c.position, chain_links.c.value).where(
            chain_links.c.chain == chain, chain_links.c.document_id == document_id
        )
    ).first()
    if held is not None and (int(held.position), held.value) == (position, value):
        return
    if held is not None:
        raise ValueError(
            f"chain {chain}: document {document_id} already holds position {held.position} = {held.value!r}"
        )
    raise ValueError(f"chain {chain}: position {position} is held by another document")


def documents_data(conn: Connection, doc_ids: Sequence[str]) -> dict[str, str]:
    return dict(conn.execute(sa.select(documents.c.id, documents.c.data).where(documents.c.id.in_(doc_ids))).all())


def pending_outbox(conn: Connection) -> int:
    return int(
        conn.execute(sa.select(sa.func.count()).select_from(outbox).where(outbox.c.status == "pending")).scalar_one()
    )


def _owner_between(owner: str, since: datetime, until: datetime) -> Any:
    cond = sa.and_(documents.c.series_owner == owner, documents.c.issued_at >= since, documents.c.issued_at < until)
    if not owner.startswith("@"):
        # A seller's own series: (seller_id, issued_at) is indexed, so the window is a range scan.
        cond = sa.and_(documents.c.seller_id == owner, cond)
    return cond


def iter_documents_between(
    conn: Connection, owner: str, since: datetime, until: datetime, batch: int = 1000
) -> Iterable[Document]:
    """One series owner's records issued in [since, until) (UTC instants), in issue order, streamed.

    For the finance reports (issue 19, src/mandat/reports): rows arrive ``batch`` at a time (a
    server-side cursor on PostgreSQL, SQLite's own cursor), so memory stays flat whatever the volume.
    ``owner`` is a seller id (the documents of its own series) or "@<marketplace id>" (the documents the
    marketplace issued in its own name as deemed supplier). The caller filters on the issue date.
    """
    q = (
        sa.select(documents.c.data)
        .where(_owner_between(owner, since, until))
        .order_by(documents.c.issued_at, documents.c.id)
    )
    for partition in conn.execution_options(yield_per=batch).execute(q).partitions():
        for data in partition:
            yield Document.model_validate_json(data[0])


def count_documents_between(conn: Connection, owner: str, since: datetime, until: datetime) -> int:
    """How many documents :func:`iter_documents_between` streams (a progress bar's total)."""
    q = sa.select(sa.func.count()).select_from(documents).where(_owner_between(owner, since, until))
    return int(conn.execute(q).scalar_one())
