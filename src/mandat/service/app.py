"""The service facade: one object per process, holding the engine, the blob store and the marketplace."""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import cached_property
from typing import TYPE_CHECKING

from pydantic import ValidationError
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from mandat.domain.credit import Credited, remaining
from mandat.domain.documents import Document
from mandat.domain.drafts import Draft
from mandat.domain.events import (
    EVENT_TYPES,
    FullRefund,
    LinesRefund,
    OrderCancelled,
    OrderPaid,
    OrderRefunded,
    SaleEvent,
    ShippingRefund,
)
from mandat.domain.exchange import Rate
from mandat.domain.jsonin import MalformedJson, load_event_json
from mandat.domain.parties import Marketplace, Seller
from mandat.domain.refusals import Cancelled, EventRefused, Rejected, Waiting
from mandat.rules.credit_note import draft_credit_note
from mandat.rules.draft import draft_invoice
from mandat.rules.invoice import check_seller, seller_today
from mandat.service.config import Settings
from mandat.store import rates as rates_store
from mandat.store import repository as repo
from mandat.store.blobs import BlobStore, DirectoryBlobStore
from mandat.store.db import make_engine, reader

if TYPE_CHECKING:
    from mandat.service.chains import Chains, Links

log = logging.getLogger("mandat")

MAX_ATTEMPTS = 8
# A render is retried with backoff (2 s, 4 s, ... capped at an hour): about three hours in all before it
# is given up as `failed`, long enough to ride out a blob-store outage, short enough to be seen the same day.
MAX_RENDER_ATTEMPTS = 14


@dataclass(frozen=True)
class Accepted:
    event_id: str
    status: str  # pending | rejected | duplicate
    reason: str | None = None


def _validation_reason(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors()[:10]:
        where = ".".join(str(p) for p in err["loc"]) or "event"
        parts.append(f"{where}: {err['msg']}")
    more = f" (+{exc.error_count() - 10} more)" if exc.error_count() > 10 else ""
    return "; ".join(parts) + more


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(2 ** max(attempts, 1), 3600))


def _wait_backoff(row: repo.InboxRow, code: str) -> timedelta:
    """When a waiting event is retried if nothing wakes it first.

    A refund waiting for its invoice is woken when the invoice is issued, one waiting for an earlier
    refund of its order when that one is decided: the backoff is the safety net. A payment not
    captured yet, or a refund short of what remains, is a matter of hours: retry slowly. A sale whose
    distance-sales count moved between its draft and its number (``distance_sales_moved``) only needs
    deciding again on the new count: soon.
    """
    soon = code in ("invoice_pending", "sibling_refund_pending", "distance_sales_moved")
    return backoff(row.attempts) * (1 if soon else 30)


class _Raced(Exception):
    """Another worker changed the order's state between our read and our write: start over."""


def parse_event(payload: str | bytes) -> SaleEvent:
    """The typed event for a payload; ValidationError or Rejected (malformed_json, event_type_unknown).

    Every entry point reads events through here (or :func:`mandat.domain.jsonin.load_event_json`),
    so a body the strict loader refuses (too deep, duplicate keys, NaN) is refused the same way
    whether it came by file, HTTP, SQS or replay.
    """
    try:
        data = load_event_json(payload)
    except MalformedJson as exc:  # a replay with a broken payload must end rejected, not crash the worker
        raise Rejected(exc.code, exc.reason) from None
    return event_from_data(data)


def event_from_data(data: object) -> SaleEvent:
    model = EVENT_TYPES.get(str(data.get("type"))) if isinstance(data, dict) else None
    if model is None:
        kind = data.get("type") if isinstance(data, dict) else None
        raise Rejected("event_type_unknown", f"unknown event type {kind!r}")
    return model.model_validate(data)


class ReplayRefused(ValueError):
    """A corrected payload that is not the same event: replay only fixes an event, never swaps it."""


class Mandat:
    def __init__(
        self,
        settings: Settings,
        engine: Engine | None = None,
        blobs: BlobStore | None = None,
        marketplace: Marketplace | None = None,
    ) -> None:
        self.settings = settings
        settings.home.mkdir(parents=True, exist_ok=True)
        self.engine = engine or make_engine(settings.database_url, settings.database_schema)
        self.reader = reader(self.engine)
        self.lease = timedelta(seconds=settings.lease_seconds)
        self.blobs = blobs or open_blob_store(settings.blob_url)
        self.marketplace = marketplace or load_marketplace(settings)
        self.worker_id = f"{socket.gethostname()}:{os.getpid()}"

    @classmethod
    def open(cls, settings: Settings | None = None) -> Mandat:
        return cls(settings or Settings.from_env())

    def migrate(self) -> None:
        # Alembic costs ~80 ms to import: only processes that migrate pay it (Lambda cold starts).
        from mandat.store.migrate import upgrade

        upgrade(self.engine)

    # --- sellers ---------------------------------------------------------------------------

    def rate(self, source: str, base: str, quote: str, latest_day: date) -> Rate | None:
        """An imported exchange rate (a RateLookup): only orders in a foreign currency ask, so a short
        read of its own costs nothing elsewhere."""
        with self.reader.connect() as conn:
            return rates_store.lookup(conn)(source, base, quote, latest_day)

    def distance_count(self, seller_id: str, year: int) -> Decimal:
        """The seller's EU distance sales counted in ``year`` (a CountLookup for ``draft_invoice``).

        Read outside the numbering transaction, so it may be stale by the time the number is taken:
        the draft's ``Tally.limit`` is checked again under the count's lock (``repo.issue_document``).
        """
        with self.reader.connect() as conn:
            return repo.distance_sales_count(conn, seller_id, year)

    def save_sellers(self, sellers: Iterable[Seller]) -> tuple[int, int]:
        """Save sellers after their country's identity checks (all of them, or none: ValueError)."""
        sellers = list(sellers)
        for seller in sellers:
            check_seller(seller)
        created = updated = 0
        with self.engine.begin() as conn:
            for seller in sellers:
                if repo.upsert_seller(conn, seller):
                    created += 1
                else:
                    updated += 1
        return created, updated

    # --- accept ----------------------------------------------------------------------------

    def accept(self, raw: str | bytes) -> Accepted:
        """Store an event as received and answer at once; invalid input is kept as rejected."""
        text = raw.decode("utf-8", errors="replace") if isinstance(raw, bytes) else raw
        data: object = None
        status, code, reason = "pending", None, None
        try:
            data = load_event_json(text)
            event_from_data(data)
        except MalformedJson as exc:
            status, code, reason = "rejected", exc.code, exc.reason
        except ValidationError as exc:
            status, code, reason = "rejected", "invalid_event", _validation_reason(exc)
        except Rejected as exc:
            status, code, reason = "rejected", exc.code, exc.reason
        event_id, event_type, seller_id, order_id = _identity(text, data)
        with self.engine.begin() as conn:
            inserted = repo.add_to_inbox(
                conn,
                event_id=event_id,
                event_type=event_type,
                seller_id=seller_id,
                order_id=order_id,
                payload=text,
                status=status,
                reason_code=code,
                reason=reason,
            )
            if not inserted:
                existing = repo.get_inbox(conn, event_id=event_id)
                assert existing is not None
                note = None if existing.payload == text else "already received with a different payload; kept the first"
                return Accepted(event_id, "duplicate", note)
        return Accepted(event_id, status, reason)

    # --- issue -----------------------------------------------------------------------------

    def process(self, row_id: int) -> str:
        """Decide and issue one claimed inbox row; returns its final status."""
        with self.reader.connect() as conn:
            row = repo.get_inbox(conn, row_id=row_id)
        if row is None:
            return "missing"
        try:
            event = parse_event(row.payload)
        except ValidationError as exc:
            return self._outcome(row_id, "rejected", "invalid_event", _validation_reason(exc))
        except Rejected as exc:
            return self._outcome(row_id, "rejected", exc.code, exc.reason)
        if isinstance(event, OrderPaid):
            return self._issue_invoice(row, event)
        return self._issue_credit_note(row, event)

    def _refused(self, row: repo.InboxRow, exc: EventRefused) -> str:
        retry = _wait_backoff(row, exc.code) if exc.status == "waiting" else None
        return self._outcome(row.id, exc.status, exc.code, exc.reason, retry)

    def _issue_invoice(self, row: repo.InboxRow, event: OrderPaid) -> str:
        row_id = row.id
        try:
            with self.reader.connect() as conn:
                existing = repo.find_by_key(conn, event.idempotency_key(), event.seller_id)
                seller = repo.get_seller(conn, event.seller_id)
                order = repo.get_order(conn, event.seller_id, event.order_key()) if existing is None else None
            if existing is not None:
                return self._done(row_id, existing, row.event_id)
            if order is not None and order.state == "cancelled":
                raise Cancelled("order_cancelled", f"order cancelled by event {order.event_id} before its invoice")
            if seller is None:
                raise Rejected("seller_unknown", f"seller {event.seller_id} is not in the registry")
            today = seller_today(seller, repo.utcnow())
            draft = draft_invoice(event, seller, self.marketplace, today, self.rate, counts=self.distance_count)
        except EventRefused as exc:
            return self._refused(row, exc)
        except Exception as exc:  # a bug or an outage: retried, then left for an operator
            log.exception("event %s failed", row.event_id)
            return self._failed(row_id, row.attempts, exc)
        try:
            with self.engine.begin() as conn:
                doc, created = repo.issue_document(conn, draft, repo.utcnow())
                status = "issued" if created or doc.event_id == row.event_id else "duplicate"
                repo.set_inbox_outcome(conn, row_id, status, document_id=doc.id)
            return status
        except EventRefused as exc:
            # Cancelled before its invoice; or the distance-sales count moved since the draft
            # (Waiting distance_sales_moved: rolled back, no number taken, decided again soon on the
            # new count), or is kept in another currency (Rejected).
            return self._refused(row, exc)
        except IntegrityError:
            # Another worker issued the same order concurrently (redelivery, re-send): its document
            # won the UNIQUE idempotency key and our transaction, counter included, rolled back. Or a
            # cancellation claimed the order first (orders primary key). Point this event at the winner.
            with self.reader.connect() as conn:
                winner = repo.find_by_key(conn, draft.idempotency_key, draft.seller_id)
                order = repo.get_order(conn, draft.seller_id, draft.order_key)
            if winner is not None:
                return self._done(row_id, winner, row.event_id)
            if order is not None and order.state == "cancelled":
                reason = f"order cancelled by event {order.event_id} before its invoice"
                return self._refused(row, Cancelled("order_cancelled", reason))
            return self._failed(row_id, row.attempts, RuntimeError("integrity error without a document"))
        except Exception as exc:
            log.exception("issuing %s failed", row.event_id)
            return self._failed(row_id, row.attempts, exc)

    def _issue_credit_note(self, row: repo.InboxRow, event: OrderRefunded | OrderCancelled) -> str:
        """Refunds and cancellations: a credit note against the order's invoice, or the order closed.

        The credit state of the invoice moves by compare-and-set on the orders row, in the same
        transaction as the number: two refunds of one invoice processed at once cannot both take
        the same remainder; the loser recomputes against the new state. Once this event is decided,
        the order's refunds that wait for it (``sibling_refund_pending``, ``refund_amount_short``)
        are woken.
        """
        status = self._credit_note_outcome(row, event)
        if status not in ("pending", "waiting"):
            with self.engine.begin() as conn:
                repo.wake_after_sale(conn, event.seller_id, event.order_id, event.order_key())
        return status

    def _credit_note_outcome(self, row: repo.InboxRow, event: OrderRefunded | OrderCancelled) -> str:
        for _ in range(8):
            try:
                outcome = self._try_credit_note(row, event)
            except EventRefused as exc:
                # Read on a stale snapshot (PostgreSQL, READ COMMITTED), a second decision of this event
                # (its lease ran out) may have missed the credit note the first one committed while
                # seeing the credit it took, and so refuse it for over-crediting: the document wins.
                with self.reader.connect() as conn:
                    existing = repo.find_by_key(conn, event.idempotency_key(), event.seller_id)
                if existing is not None:
                    return self._done(row.id, existing, row.event_id)
                return self._refused(row, exc)
            except _Raced:
                continue
            except Exception as exc:
                log.exception("event %s failed", row.event_id)
                return self._failed(row.id, row.attempts, exc)
            return outcome
        return self._failed(row.id, row.attempts, RuntimeError("the invoice's credit state kept changing"))

    def _try_credit_note(self, row: repo.InboxRow, event: OrderRefunded | OrderCancelled) -> str:
        key = event.order_key()
        with self.reader.connect() as conn:
            existing = repo.find_by_key(conn, event.idempotency_key(), event.seller_id)
            seller = repo.get_seller(conn, event.seller_id)
            order = repo.get_order(conn, event.seller_id, key) if existing is None else None
        if existing is not None:
            return self._done(row.id, existing, row.event_id)
        if seller is None:
            raise Rejected("seller_unknown", f"seller {event.seller_id} is not in the registry")
        cancel = isinstance(event, OrderCancelled)
        if order is None:
            if not cancel:
                return self._wait_for_invoice(row, event)
            with self.engine.begin() as conn:
                if repo.cancel_before_invoice(conn, key, seller.id, event.order_id, event.event_id):
                    repo.set_inbox_outcome(
                        conn,
                        row.id,
                        "cancelled",
                        reason_code="order_cancelled",
                        reason="cancelled before invoicing: no invoice will be issued for this order",
                    )
                    return "cancelled"
            raise _Raced  # the order got its invoice (or another cancellation) meanwhile
        if order.state == "cancelled":
            if cancel and order.event_id == row.event_id:
                # This cancellation closed the order and is decided a second time (its lease ran out
                # while the first worker decided it): the same outcome, as an invoice's own event stays
                # `issued` (_done).
                reason = "cancelled before invoicing: no invoice will be issued for this order"
                return self._outcome(row.id, "cancelled", "order_cancelled", reason)
            if cancel:
                return self._outcome(
                    row.id, "duplicate", "order_cancelled", f"order already cancelled by event {order.event_id}"
                )
            raise Rejected("order_cancelled", f"order cancelled by event {order.event_id}: there is no invoice")
        with self.reader.connect() as conn:
            invoice = repo.get_document(conn, doc_id=order.invoice_id)
            siblings = repo.open_after_sale(conn, row.id, event.seller_id, event.order_id)
        assert invoice is not None, f"orders row {key} points to a missing invoice"
        credited = Credited.from_json(order.credited)
        today = seller_today(seller, repo.utcnow())
        try:
            _wait_for_earlier_siblings(event, siblings)
            if cancel and remaining(invoice, credited).total == 0:
                return self._outcome(
                    row.id, "cancelled", "order_cancelled", f"invoice {invoice.number} is already fully credited"
                )
            draft, after = draft_credit_note(event, invoice, credited, seller, self.marketplace, today)
        except Waiting as exc:
            return self._wait_unless_moved(row, event, exc, order.credit_version, siblings)
        try:
            with self.engine.begin() as conn:
                if not repo.advance_credit(conn, seller.id, key, order.credit_version, after.to_json()):
                    raise _Raced
                doc, created = repo.issue_document(conn, draft, repo.utcnow())
                if not created:
                    raise _Raced  # the same refund was issued meanwhile: undo our take, find it next round
                repo.set_inbox_outcome(conn, row.id, "issued", document_id=doc.id)
        except IntegrityError as exc:
            raise _Raced from exc  # the same refund won the UNIQUE idempotency key
        return "issued"

    def _wait_unless_moved(
        self,
        row: repo.InboxRow,
        event: OrderRefunded | OrderCancelled,
        exc: Waiting,
        version: int,
        siblings: list[repo.Sibling],
    ) -> str:
        """Record that a refund waits for another refund of its order, unless that one moved meanwhile.

        The wait was decided on a credit state and a list of undecided siblings read earlier. If one of them
        was decided since, its wake-up (``wake_after_sale``) may already have run, before this event was
        waiting, and nothing would wake it before its backoff (up to 30 minutes). Both this transaction and
        the wake-up hold the order's row lock while they read, so either the change is seen here and the
        event is decided again at once, or the wake-up runs after this wait is committed.
        """
        with self.engine.begin() as conn:
            now_version = repo.lock_order(conn, event.seller_id, event.order_key())
            if repo.find_by_key(conn, event.idempotency_key(), event.seller_id) is not None:
                raise _Raced  # decided by another worker meanwhile (this one's lease ran out): find it
            open_now = {s.event_id for s in repo.open_after_sale(conn, row.id, event.seller_id, event.order_id)}
            if now_version != version or open_now != {s.event_id for s in siblings}:
                raise _Raced
            retry = _wait_backoff(row, exc.code)
            repo.set_inbox_outcome(conn, row.id, "waiting", reason_code=exc.code, reason=exc.reason, retry_after=retry)
        return "waiting"

    def _wait_for_invoice(self, row: repo.InboxRow, event: OrderRefunded | OrderCancelled) -> str:
        """Record that a refund waits for its order's invoice, unless the invoice was issued meanwhile.

        The invoice's numbering transaction wakes the order's waiting refunds; one issued between this
        refund's read and its wait would wake nothing, and the refund would sleep its backoff. So the wait
        is written only if the orders row is still absent in the writing transaction (SQLite serialises the
        two; on PostgreSQL only commits in the same instant remain, and the short backoff covers them).
        """
        reason = f"order {event.order_id} has no invoice yet: the refund waits for it"
        with self.engine.begin() as conn:
            if repo.get_order(conn, event.seller_id, event.order_key()) is not None:
                raise _Raced  # invoiced (or cancelled) meanwhile: decide again now
            retry = _wait_backoff(row, "invoice_pending")
            repo.set_inbox_outcome(
                conn, row.id, "waiting", reason_code="invoice_pending", reason=reason, retry_after=retry
            )
        return "waiting"

    def _done(self, row_id: int, doc: Document, event_id: str) -> str:
        status = "issued" if doc.event_id == event_id else "duplicate"
        with self.engine.begin() as conn:
            repo.set_inbox_outcome(conn, row_id, status, document_id=doc.id)
        return status

    def _outcome(self, row_id: int, status: str, code: str, reason: str, retry: timedelta | None = None) -> str:
        with self.engine.begin() as conn:
            repo.set_inbox_outcome(conn, row_id, status, reason_code=code, reason=reason, retry_after=retry)
        return status

    def _failed(self, row_id: int, attempts: int, exc: Exception) -> str:
        status = "failed" if attempts >= MAX_ATTEMPTS else "pending"
        with self.engine.begin() as conn:
            repo.set_inbox_outcome(
                conn,
                row_id,
                status,
                reason_code="internal_error",
                reason=f"{type(exc).__name__}: {exc}",
                retry_after=backoff(attempts),
            )
        return status

    def accept_and_issue(self, raw: str | bytes) -> tuple[str, str, str | None]:
        """Accept one event and issue it now, for push-driven entry points (SQS/Lambda, HTTP).

        Returns (event_id, status, reason). A status of "pending" or "processing" means a
        transient failure or another worker holding the event: the caller should retry later.
        """
        accepted = self.accept(raw)
        with self.engine.begin() as conn:
            row = repo.get_inbox(conn, event_id=accepted.event_id)
            assert row is not None
            if row.status in ("pending", "waiting"):
                claimed = repo.claim_one(conn, row.id, self.worker_id, self.lease)
            else:
                claimed = False
        status = self.process(row.id) if claimed else row.status
        with self.reader.connect() as conn:
            final = repo.get_inbox(conn, row_id=row.id)
        assert final is not None
        return accepted.event_id, status, final.reason

    def claim(self, limit: int = 50) -> list[int]:
        with self.engine.begin() as conn:
            return repo.claim_inbox(conn, self.worker_id, limit, self.lease)

    # --- render ----------------------------------------------------------------------------

    def render_pending(self, limit: int = 50) -> int:
        """Render documents whose render task is due (crash recovery, or documents issued elsewhere)."""
        with self.engine.begin() as conn:
            claimed = repo.claim_outbox(conn, "render", limit, self.lease)
        if not claimed:
            return 0
        handled = len(claimed)
        # A task claimed more often than the limit never reached ``mark_render_error``: the process
        # rendering it died each time (killed, out of memory). Give it up instead of dying again.
        for _, doc_id, attempts in claimed:
            if attempts > MAX_RENDER_ATTEMPTS:
                with self.engine.begin() as conn:
                    repo.fail_render(conn, doc_id, f"given up after {attempts - 1} attempts that never finished")
        claimed = [c for c in claimed if c[2] <= MAX_RENDER_ATTEMPTS]
        with self.reader.connect() as conn:
            data = repo.documents_data(conn, [doc_id for _, doc_id, _ in claimed])
        docs = []
        for _, doc_id, _ in claimed:
            try:
                docs.append(repo.document_from_row(data[doc_id]))
            except Exception as exc:  # a record that does not parse is for an operator, not a crash loop
                log.exception("document %s unreadable", doc_id)
                with self.engine.begin() as conn:
                    repo.fail_render(conn, doc_id, f"unreadable record: {type(exc).__name__}: {exc}")
        self.render_documents(docs)
        return handled

    def render_documents(self, docs: list[Document]) -> None:
        """Render committed records, store the files (write-once, durable), then record them: one commit.

        Files: ``<base>.pdf``, ``<base>.xml`` (the EN 16931 CII) and ``<base>.<format>.xml`` for each other
        format the document is due in, all validated first (``render_document``), all recorded in
        ``document_files``. A file that fails its rules or a case a builder does not cover fails the render
        at once: the same record would fail the same way again. Any other failure of a batch is retried
        document by document, so that one bad record cannot hold back the others; its render task stays
        pending and is retried with backoff.
        """
        from mandat.domain.refusals import Rejected
        from mandat.render.document import Invalid, render_document, sampled
        from mandat.service.chains import Links

        if not docs:
            return
        try:
            blobs: list[tuple[str, bytes, str]] = []
            done: list[tuple[Document, int, list[tuple[str, int, bool]]]] = []
            links = Links()
            for doc in docs:
                schematron = sampled(doc.id, self.settings.schematron_sample)
                try:
                    chained = None
                    if self.chains.needed(doc):
                        with self.reader.connect() as conn:
                            chained = self.chains.chained(conn, doc, links)
                    rendered = render_document(doc, schematron=schematron, chained=chained)
                except (Invalid, Rejected) as exc:
                    self._render_refused(doc, exc)
                    continue
                base = blob_base(doc)
                first = len(blobs)
                blobs += [
                    (f"{base}.pdf", rendered.pdf, "application/pdf"),
                    (f"{base}.xml", rendered.xml, "application/xml"),
                ]
                others = [("en16931-cii", first + 1, schematron)]
                for name, xml in sorted(rendered.files.items()):
                    others.append((name, len(blobs), schematron))
                    blobs.append((f"{base}.{name}.xml", xml, "application/xml"))
                done.append((doc, first, others))
            if not done:
                self._store_links(links)
                return
            digests = self.blobs.put_many(blobs)
            marks = [(doc.id, (blobs[i][0], digests[i]), (blobs[i + 1][0], digests[i + 1])) for doc, i, _ in done]
            files = [
                repo.StoredFile(doc.id, name, blobs[j][0], digests[j], ran)
                for doc, _, others in done
                for name, j, ran in others
            ]
            with self.engine.begin() as conn:
                for chain, doc_id, position, value in links.new:
                    repo.put_chain_link(conn, chain, doc_id, position, value)
                repo.mark_rendered_many(conn, marks, files)
        except Exception as exc:
            if len(docs) > 1:
                for doc in docs:
                    self.render_documents([doc])
                return
            log.exception("rendering %s failed", docs[0].id)
            with self.engine.begin() as conn:
                repo.mark_render_error(conn, docs[0].id, f"{type(exc).__name__}: {exc}", MAX_RENDER_ATTEMPTS, backoff)

    def _store_links(self, links: Links) -> None:
        """The links computed for documents whose render was refused: deterministic, kept for the next."""
        if links.new:
            with self.engine.begin() as conn:
                for chain, doc_id, position, value in links.new:
                    repo.put_chain_link(conn, chain, doc_id, position, value)

    @cached_property
    def chains(self) -> Chains:
        from mandat.service.chains import Chains

        return Chains(self.settings)

    def _render_refused(self, doc: Document, exc: Exception) -> None:
        """Give a render up at once, with what an operator needs: the format and the rule ids or refusal."""
        from mandat.domain.refusals import Rejected

        if isinstance(exc, Rejected):
            error = f"refused by a format builder: {exc.code}: {exc.reason}"
        else:  # Invalid: the rule ids, each with the rule's own words (XSD messages carry the element)
            failures = getattr(exc, "failures", [])
            shown = "; ".join(f"{f.rules}: {f.id} {f.text}".strip() for f in failures[:5])
            more = f" (and {len(failures) - 5} more)" if len(failures) > 5 else ""
            error = f"{getattr(exc, 'format_name', '?')} failed validation: {shown}{more}"
        log.error("rendering %s given up: %s", doc.id, error)
        with self.engine.begin() as conn:
            repo.fail_render(conn, doc.id, error)

    def retry_failed_renders(self, numbers: list[str] | None = None) -> int:
        """Put renders given up (``render_status = failed``) back in the queue after the cause was fixed.

        All of them, or the documents with these numbers; returns how many. The next ``render_pending``
        (any worker) renders them.
        """
        with self.engine.begin() as conn:
            ids = None
            if numbers is not None:
                ids = [d.id for n in numbers if (d := repo.get_document(conn, number=n)) is not None]
            return repo.retry_failed_renders(conn, ids)

    # --- one step of a worker ---------------------------------------------------------------

    def work_once(self, batch: int = 50) -> tuple[int, int]:
        """Claim and process a batch of events, render what they issued and what else is due; (events, renders)."""
        ids = self.claim(batch)
        issued = self.process_batch(ids) if ids else []
        self.render_documents(issued)
        renders = self.render_pending(batch)
        return len(ids), len(issued) + renders

    def process_batch(self, row_ids: list[int]) -> list[Document]:
        """Decide a batch of claimed events and issue their invoices together; returns the new documents.

        Drafts are computed outside any transaction. On SQLite the invoices of the batch are then
        numbered in one transaction (``repo.issue_many``): one commit, one fsync, for the batch. On
        PostgreSQL each invoice keeps its own one-statement transaction (a series lock is never held
        across documents). Refunds, cancellations and whatever the batch path leaves out (a second
        event for the same order, a race) go through ``process``, one by one. The render tasks of the
        returned documents are delayed by one lease: the caller renders them now, and the task is only
        the safety net if it dies first.
        """
        with self.reader.connect() as conn:
            rows = repo.get_inbox_many(conn, row_ids)
        sellers: dict[str, Seller | None] = {}
        prepared: list[tuple[repo.InboxRow, Draft]] = []
        singles: list[int] = []
        now = repo.utcnow()
        events: list[tuple[repo.InboxRow, OrderPaid]] = []
        for row in rows:
            try:
                event = parse_event(row.payload)
            except (ValidationError, Rejected):
                singles.append(row.id)  # the one-by-one path records the reason
                continue
            if isinstance(event, OrderPaid):
                events.append((row, event))
            else:
                singles.append(row.id)  # refunds and cancellations
        # An order that already has its fate (invoiced, cancelled) is for the one-by-one path, which
        # tells a duplicate from a cancelled order before looking at the payment.
        with self.reader.connect() as conn:
            decided = repo.known_orders(conn, [(e.seller_id, e.order_key()) for _, e in events])
        for row, event in events:
            if (event.seller_id, event.order_key()) in decided:
                singles.append(row.id)
                continue
            try:
                if event.seller_id not in sellers:
                    with self.reader.connect() as conn:
                        sellers[event.seller_id] = repo.get_seller(conn, event.seller_id)
                seller = sellers[event.seller_id]
                if seller is None:
                    raise Rejected("seller_unknown", f"seller {event.seller_id} is not in the registry")
                today = seller_today(seller, now)
                draft = draft_invoice(event, seller, self.marketplace, today, self.rate, counts=self.distance_count)
                prepared.append((row, draft))
            except EventRefused as exc:
                self._refused(row, exc)
            except Exception:  # the one-by-one path retries, logs and counts attempts
                singles.append(row.id)
        issued: list[Document] = []
        if prepared and self.engine.dialect.name == "sqlite":
            try:
                with self.engine.begin() as conn:
                    docs = repo.issue_many(conn, [d for _, d in prepared], repo.utcnow(), self.lease)
                    repo.set_issued_many(conn, [(prepared[i][0].id, "issued", doc.id) for i, doc in docs.items()])
            except Exception:
                log.exception("batch issue failed; issuing one by one")
                docs = {}
            issued += docs.values()
            singles += [row.id for i, (row, _) in enumerate(prepared) if i not in docs]
        else:
            for row, draft in prepared:
                try:
                    with self.engine.begin() as conn:
                        doc, created = repo.issue_document(conn, draft, repo.utcnow(), self.lease)
                        if not created:
                            raise _Raced
                        repo.set_inbox_outcome(conn, row.id, "issued", document_id=doc.id)
                    issued.append(doc)
                except Exception:  # a duplicate, a race, a cancellation: the one-by-one path sorts it out
                    singles.append(row.id)
        for row_id in sorted(singles):
            self.process(row_id)
        return issued

    # --- replay ----------------------------------------------------------------------------

    def replay(self, event_id: str, payload: str | None = None) -> bool:
        """Put a rejected, failed or waiting event back in the queue, optionally with a corrected payload.

        The correction must be the same event: a payload naming another ``event_id`` or
        ``order_id`` raises :class:`ReplayRefused` (it would issue a document for an order that
        this event never was, under this event's identity; send it as a new event instead). A
        payload whose identity cannot be read at all (broken JSON) is let through: it can only
        end ``rejected``. False when no such event is waiting for a replay.
        """
        if payload is not None:
            with self.reader.connect() as conn:
                row = repo.get_inbox(conn, event_id=event_id)
            if row is None:
                return False
            check_replay_identity(row.event_id, row.order_id, payload)
        with self.engine.begin() as conn:
            return repo.requeue(conn, event_id, payload)


def check_replay_identity(event_id: str, order_id: str | None, payload: str) -> None:
    """Raise :class:`ReplayRefused` if ``payload`` names another event or order than the original."""
    try:
        data = load_event_json(payload)
    except MalformedJson:
        return
    if not isinstance(data, dict):
        return
    new_event, new_order = data.get("event_id"), data.get("order_id")
    if new_event != event_id:
        raise ReplayRefused(
            f"the corrected payload has event_id {new_event!r}, the original {event_id!r}: "
            "a replay keeps the event's identity (send a different event with `mandat ingest`)"
        )
    # An original without a readable order_id could not be issued; the correction may supply it.
    if order_id is not None and new_order != order_id:
        raise ReplayRefused(
            f"the corrected payload has order_id {new_order!r}, the original {order_id!r}: "
            "a replay cannot move an event to another order"
        )


def _wait_for_earlier_siblings(event: OrderRefunded | OrderCancelled, siblings: list[repo.Sibling]) -> None:
    """Credit notes of one order follow the order in which its refunds occurred, not their delivery.

    A full refund (or a cancellation) credits "everything that remains": processed before an earlier
    partial refund of the same order it would take that one's part too, and processed after a later
    one it would leave it nothing. So an event waits while another of the same order, received and
    not decided yet, occurred before it (ties broken by event id) and either of the two is full.
    Refunds of lines (or shipping) wait likewise for an earlier one of lines or shipping: a line's
    units are credited with cumulative rounding (domain/credit.py), so what half a unit comes to
    depends on what was credited before it (0.56 then 0.55 for two halves of a 3.33 line), and taken
    out of order the marketplace's figures no longer match (issue 12, tests/service/test_invariants.py).
    Free amounts take what they say and wait for nobody but a full refund. A sibling that
    itself waits for a missing refund (``refund_amount_short``) does not hold the others back: they
    may be the very refund it waits for.
    """
    mine = (event.occurred_at, event.event_id)
    full = isinstance(event, OrderCancelled) or isinstance(event.refund, FullRefund)
    takes_units = isinstance(event, OrderRefunded) and isinstance(event.refund, (LinesRefund, ShippingRefund))
    for sib in siblings:
        if sib.status == "waiting" and sib.reason_code == "refund_amount_short":
            continue
        try:
            data = load_event_json(sib.payload)
            occurred = datetime.fromisoformat(str(data["occurred_at"]))
            if data.get("marketplace_id") != event.marketplace_id or occurred.tzinfo is None:
                continue
        except (ValueError, KeyError, TypeError, AttributeError):  # an invalid sibling will be rejected
            continue
        if (occurred, sib.event_id) < mine and (full or _is_full(data) or (takes_units and _takes_units(data))):
            raise Waiting(
                "sibling_refund_pending",
                f"{sib.event_id} of the same order occurred earlier ({occurred.isoformat()}) and is not "
                "decided yet: a full refund, a cancellation or a refund of lines is credited in the order the "
                "refunds occurred",
            )


def _takes_units(data: dict[str, object]) -> bool:
    """A refund of lines or shipping: credited by cumulative rounding against the invoice."""
    scope = data.get("refund")
    return (
        data.get("type") == "order.refunded" and isinstance(scope, dict) and scope.get("kind") in ("lines", "shipping")
    )


def _is_full(data: dict[str, object]) -> bool:
    """A cancellation, or a refund of everything that remains."""
    scope = data.get("refund")
    return data.get("type") == "order.cancelled" or (isinstance(scope, dict) and scope.get("kind") == "full")


def _identity(text: str, data: object) -> tuple[str, str, str | None, str | None]:
    """(event_id, type, seller_id, order_id) read from parsed ``data``; a hash of ``text`` when unreadable."""
    import hashlib

    d = data if isinstance(data, dict) else {}

    def ident(key: str, size: int = 64) -> str | None:
        v = d.get(key)
        return v if isinstance(v, str) and 0 < len(v) <= size else None

    event_id = ident("event_id", 128) or "invalid-" + hashlib.sha256(text.encode()).hexdigest()[:32]
    return event_id, ident("type", 40) or "unknown", ident("seller_id"), ident("order_id")


def blob_base(doc: Document) -> str:
    """Where a document's files go: by seller and document id, never by number or series.

    A number may hold '/' (legal in France, and a directory separator in keys) and a series any
    of its characters; the id is a UUID. Files stored under older keys stay where the record says.
    """
    return f"{doc.seller_id}/{doc.id}"


def open_blob_store(url: str) -> BlobStore:
    """``s3://bucket[/prefix]`` or a directory path (the embedded default)."""
    if url.startswith("s3://"):
        from urllib.parse import urlsplit

        from mandat.store.s3 import S3BlobStore

        parts = urlsplit(url)
        if not parts.netloc or parts.query or parts.fragment:
            raise ValueError(f"expected s3://bucket/prefix, got {url!r}")
        # MANDAT_S3_ENDPOINT_URL points only the blob store elsewhere (moto, MinIO); without it
        # boto3 reads AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL itself, the more specific first.
        endpoint = os.environ.get("MANDAT_S3_ENDPOINT_URL") or None
        return S3BlobStore(parts.netloc, parts.path.strip("/"), endpoint_url=endpoint)
    from pathlib import Path

    return DirectoryBlobStore(Path(url))


def load_marketplace(settings: Settings) -> Marketplace:
    path = settings.home / "marketplace.json"
    if path.exists():
        return Marketplace.model_validate_json(path.read_text())
    return Marketplace()
