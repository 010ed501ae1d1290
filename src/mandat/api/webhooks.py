"""The webhook dispatcher: tells registered endpoints that a document exists or an event was rejected.

1. Enqueue. Newly rendered documents (`documents.rendered_at`) and newly rejected inbox events are
   read from a per-source mark (minus a look-back that covers transactions committing out of order),
   never from the beginning. Each (endpoint, fact) becomes one delivery row; the UNIQUE key makes a
   second dispatcher, or a second pass over the look-back window, a no-op. An endpoint hears of the
   facts that happen after it was registered.
2. Send. A due delivery is claimed optimistically (a lease on `next_attempt_at`), POSTed with
   `Mandat-Signature: t=<unix>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`, and recorded with its
   attempt. A failure (non-2xx, network error, timeout) is retried with exponential backoff until
   `max_attempts`, then the delivery is `failed` (visible, and retryable through the API).
   Order: a delivery waits while an earlier delivery with the same order key to the same endpoint is
   still pending. The order key of a document is the invoice it belongs to (itself, or the invoice a
   credit note corrects), so an endpoint never hears of a credit note before its invoice.

Runs in `mandat serve` (a background thread) and `mandat webhooks deliver [--loop]`; several
dispatchers may run at once.
"""

from __future__ import annotations

import json
import logging
import random
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import httpx

from mandat.api.common import document_summary
from mandat.api.egress import EgressPolicy, guarded_client
from mandat.api.security import webhook_signature
from mandat.service.app import Mandat
from mandat.store import api_repository as arepo
from mandat.store.repository import utcnow

log = logging.getLogger("mandat.webhooks")

DOCUMENTS = "documents"
REJECTIONS = "rejections"
# Longer than any write transaction may stay open (PostgreSQL idle-in-transaction timeout is 30 s):
# a row stamped before the mark but committed after it is still seen on the next pass.
LOOKBACK = timedelta(seconds=120)
USER_AGENT = "mandat-webhooks/1"


def signature_header(secret: str, body: bytes, timestamp: int | None = None) -> str:
    t = int(time.time()) if timestamp is None else timestamp
    return f"t={t},v1={webhook_signature(secret, t, body)}"


def _dumps(data: dict[str, Any]) -> str:
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False, default=str)


@dataclass
class Dispatcher:
    service: Mandat
    backoff_base: float = 10.0  # seconds before the 2nd attempt; doubles each time
    backoff_max: float = 3600.0
    max_attempts: int = 12  # ~ 11 hours of retries with the defaults
    timeout: float = 10.0
    lease: timedelta = timedelta(seconds=60)
    batch: int = 200
    # Where deliveries may go (MANDAT_WEBHOOK_ALLOW_HOSTS), checked again on every connection.
    policy: EgressPolicy = field(default_factory=EgressPolicy.from_env)
    client: httpx.Client | None = None  # default: one that connects only where the policy allows
    http: httpx.Client = field(init=False)

    def __post_init__(self) -> None:
        self.http = self.client or guarded_client(self.policy)

    # --- enqueue -----------------------------------------------------------------------------

    def enqueue_new(self) -> int:
        with self.service.reader.connect() as conn:
            hooks = arepo.list_webhooks(conn, active_only=True)
        now = utcnow()
        if not hooks:
            # Nobody to tell: facts from now on only (an endpoint hears of what follows its registration).
            with self.service.engine.begin() as conn:
                arepo.set_mark(conn, DOCUMENTS, now)
                arepo.set_mark(conn, REJECTIONS, now)
            return 0
        return self._enqueue_documents(hooks) + self._enqueue_rejections(hooks)

    def _since(self, source: str, hooks: list[arepo.WebhookRow]) -> datetime:
        with self.service.reader.connect() as conn:
            mark = arepo.get_mark(conn, source)
        start = mark if mark is not None else min(h.created_at for h in hooks)
        return start - LOOKBACK

    def _fan_out(self, facts: list[tuple[str, str, str, str, datetime, str]], hooks: list[arepo.WebhookRow]) -> int:
        """facts: (event_key, event_type, subject, order_key, happened_at, payload)."""
        if not facts:
            return 0
        added = 0
        with self.service.engine.begin() as conn:
            done = arepo.enqueued_keys(conn, [f[0] for f in facts])
            for key, etype, subject, order_key, at, payload in facts:
                for h in hooks:
                    if etype not in h.event_types or at < h.created_at or (key, h.id) in done:
                        continue
                    added += arepo.enqueue(
                        conn,
                        webhook_id=h.id,
                        event_key=key,
                        event_type=etype,
                        subject=subject,
                        order_key=order_key,
                        payload=payload,
                    )
        return added

    def _enqueue_documents(self, hooks: list[arepo.WebhookRow]) -> int:
        since = self._since(DOCUMENTS, hooks)
        after: tuple[datetime, str] | None = None
        added = 0
        while True:
            with self.service.reader.connect() as conn:
                docs = arepo.rendered_since(conn, since, after, self.batch)
            facts = []
            for d in docs:
                assert d.rendered_at is not None
                key = f"document.issued:{d.id}"
                body = {
                    "id": key,
                    "type": "document.issued",
                    "created_at": d.rendered_at.isoformat(),
                    "data": document_summary(d).model_dump(mode="json"),
                }
                facts.append(
                    (key, "document.issued", d.id, f"document:{d.corrects_id or d.id}", d.rendered_at, _dumps(body))
                )
            added += self._fan_out(facts, hooks)
            if docs:
                last = docs[-1]
                assert last.rendered_at is not None
                after = (last.rendered_at, last.id)
                with self.service.engine.begin() as conn:
                    arepo.set_mark(conn, DOCUMENTS, last.rendered_at)
            if len(docs) < self.batch:
                return added

    def _enqueue_rejections(self, hooks: list[arepo.WebhookRow]) -> int:
        since = self._since(REJECTIONS, hooks)
        after: int | None = None
        added = 0
        while True:
            with self.service.reader.connect() as conn:
                rows = arepo.rejected_since(conn, since, after, self.batch)
            facts = []
            for r in rows:
                # The rejection time is part of the key: an event replayed and rejected again is told again.
                key = f"event.rejected:{r.event_id}:{r.updated_at.isoformat()}"
                body = {
                    "id": key,
                    "type": "event.rejected",
                    "created_at": r.updated_at.isoformat(),
                    "data": {
                        "event_id": r.event_id,
                        "event_type": r.event_type,
                        "seller_id": r.seller_id,
                        "order_id": r.order_id,
                        "reason_code": r.reason_code,
                        "reason": r.reason,
                        "received_at": r.received_at.isoformat(),
                        "links": {"self": f"/v1/events/{r.event_id}"},
                    },
                }
                facts.append((key, "event.rejected", r.event_id, f"event:{r.event_id}", r.updated_at, _dumps(body)))
            added += self._fan_out(facts, hooks)
            if rows:
                after = rows[-1].id
                with self.service.engine.begin() as conn:
                    arepo.set_mark(conn, REJECTIONS, max(r.updated_at for r in rows))
            if len(rows) < self.batch:
                return added

    # --- send --------------------------------------------------------------------------------

    def backoff(self, attempts: int) -> timedelta:
        seconds = min(self.backoff_base * 2 ** max(attempts - 1, 0), self.backoff_max)
        return timedelta(seconds=seconds * random.uniform(0.9, 1.1))

    def send_due(self) -> int:
        with self.service.reader.connect() as conn:
            due = arepo.due_deliveries(conn, utcnow(), self.batch)
        sent = 0
        for delivery, hook in due:
            with self.service.engine.begin() as conn:
                if not arepo.claim_delivery(conn, delivery.id, delivery.next_attempt_at, self.lease):
                    continue  # another dispatcher has it
            self._send(delivery, hook)
            sent += 1
        return sent

    def _send(self, d: arepo.DeliveryRow, hook: arepo.WebhookRow) -> None:
        body = d.payload.encode()
        headers = {
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            "Mandat-Signature": signature_header(hook.secret, body),
            "Mandat-Event": d.event_type,
            "Mandat-Delivery": str(d.id),
            "Idempotency-Key": d.event_key,
        }
        started = time.monotonic()
        attempted_at = utcnow()
        code: int | None = None
        error: str | None = None
        refused = self.policy.url_problem(hook.url)
        if refused is not None:
            # Registered before the policy changed (or written to the database directly): not sent.
            error = f"refused: {refused}"
        else:
            try:
                response = self.http.post(hook.url, content=body, headers=headers, timeout=self.timeout)
                code = response.status_code
                if not 200 <= code < 300:
                    error = f"HTTP {code}"
            except httpx.HTTPError as exc:
                error = f"{type(exc).__name__}: {exc}"
        delivered = error is None
        attempts = d.attempts + 1
        with self.service.engine.begin() as conn:
            arepo.record_attempt(
                conn,
                d.id,
                attempted_at=attempted_at,
                status_code=code,
                error=error,
                duration_ms=int((time.monotonic() - started) * 1000),
                delivered=delivered,
                give_up=not delivered and attempts >= self.max_attempts,
                retry_at=utcnow() + self.backoff(attempts),
            )
        if not delivered:
            log.warning("webhook delivery %s to %s failed (attempt %s): %s", d.id, hook.url, attempts, error)

    # --- loop --------------------------------------------------------------------------------

    def run_once(self) -> tuple[int, int]:
        """(deliveries enqueued, deliveries attempted)."""
        return self.enqueue_new(), self.send_due()

    def run(self, stop: threading.Event, poll: float = 1.0) -> None:
        while not stop.is_set():
            try:
                enqueued, sent = self.run_once()
            except Exception:  # the database may be restarting: keep the loop alive
                log.exception("webhook dispatcher pass failed")
                enqueued = sent = 0
            if not enqueued and not sent:
                stop.wait(poll)

    def close(self) -> None:
        self.http.close()
