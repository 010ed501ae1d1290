"""AWS Lambda handlers: issue from an SQS queue, render from the outbox.

``handle_events`` is the target of an SQS event source mapping configured with
``FunctionResponseTypes: [ReportBatchItemFailures]``. Each message is one sale
event, accepted into the inbox and issued at once; the answer lists only the
messages SQS must deliver again:

* ``issued``, ``duplicate``: done (a redelivery finds the inbox row or the
  document through the idempotency key, never a second number).
* ``rejected`` (malformed JSON, invalid event, unknown seller, unsupported case):
  the inbox keeps the payload and the reason for ``mandat events`` / ``replay``;
  redelivering would only reject it again, so the message is acknowledged.
* ``waiting`` (a business precondition not met yet): acknowledged too. The inbox
  row carries its own next attempt time (``available_at``) and is picked up by
  ``mandat worker`` or by the inbox sweep of ``handle_render``; keeping the
  message in SQS instead would burn receives on a long business delay and end in
  the dead-letter queue for a case that is not an error.
* ``pending`` (a transient failure recorded by the service), ``processing``
  (another invocation holds a live lease on the event), ``failed`` (the service
  gave up) or any exception: reported as a batch item failure, so SQS delivers
  it again after the visibility timeout and moves it to the dead-letter queue
  after ``maxReceiveCount`` receives, where a depth alarm reaches an operator.

The handler never raises, since that would return the whole batch to the queue;
when the database is unreachable every message of the batch is reported instead.

Queue settings that go with this: visibility timeout ≥ 6 × the function timeout
and above ``MANDAT_LEASE_SECONDS`` (a redelivery inside a crashed invocation's
lease answers ``processing`` and spends a receive), ``maxReceiveCount`` ≥ 5.

``handle_render`` is meant for an EventBridge schedule or a "render" SQS queue
(whose messages are only nudges: the outbox is the work list).

Configuration is the process environment, as for the CLI (``MANDAT_HOME``,
``MANDAT_DATABASE_URL``, ``MANDAT_BLOB_URL``...), plus:

MANDAT_MIGRATE_ON_START   "1": run the migrations once per cold start
MANDAT_RENDER_BATCH       rows claimed per round by handle_render (default 10)
MANDAT_RENDER_SAFETY_MS   stop starting rounds when less time remains (default 10000)
MANDAT_RENDER_MAX_SECONDS time budget when the context gives no deadline (default 60)
MANDAT_RENDER_SWEEP_INBOX "0": do not process due inbox events in handle_render (default "1")

Importing this module stays cheap (stdlib only): the service, SQLAlchemy and
pydantic load on the first invocation and boto3 on the first blob access, so a
cold start pays only for what the invocation uses.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mandat.service.app import Mandat

# Final outcomes for which another delivery of the message would change nothing.
ACKNOWLEDGED = frozenset({"issued", "duplicate", "rejected", "waiting", "cancelled"})

log = logging.getLogger("mandat")

_service: Mandat | None = None


def get_service() -> Mandat:
    """The service of this execution environment, built from the environment on first use."""
    global _service
    if _service is None:
        from mandat.service.app import Mandat

        service = Mandat.open()
        try:
            if os.environ.get("MANDAT_MIGRATE_ON_START") == "1":
                service.migrate()
        except BaseException:
            # Not kept: the next invocation retries the whole start instead of running unmigrated.
            service.engine.dispose()
            raise
        _service = service
    return _service


def _reset_for_tests() -> None:
    """Forget the service so the next invocation rebuilds it from the (changed) environment."""
    global _service
    if _service is not None:
        _service.engine.dispose()
    _service = None


def handle_events(event: dict[str, Any], context: object) -> dict[str, Any]:
    """SQS batch → accept and issue each message; ``{"batchItemFailures": [...]}`` for the retries."""
    records: list[dict[str, Any]] = list(event.get("Records") or [])
    failures: list[dict[str, str]] = []

    def fail(record: dict[str, Any], **fields: Any) -> None:
        failures.append({"itemIdentifier": str(record.get("messageId", ""))})
        _log(record, outcome="retry", **fields)

    try:
        service = get_service()
    except Exception as exc:
        log.exception("mandat could not start; the whole batch goes back to the queue")
        for record in records:
            fail(record, status="unavailable", reason=_describe(exc))
        return {"batchItemFailures": failures}

    for index, record in enumerate(records):
        try:
            event_id, status, reason = service.accept_and_issue(str(record.get("body") or ""))
        except Exception as exc:
            # The JSON line says which message; the traceback is for whoever fixes the cause.
            log.exception("message %s failed", record.get("messageId"))
            fail(record, status="error", reason=_describe(exc))
            if not _database_reachable(service):
                # Each remaining message would wait for its own connection timeout only to fail
                # the same way; give the whole rest of the batch back to SQS now.
                for rest in records[index + 1 :]:
                    fail(rest, status="unavailable", reason="database unreachable")
                break
            continue
        if status in ACKNOWLEDGED:
            _log(record, outcome="ack", event_id=event_id, status=status, reason=reason)
        else:
            fail(record, event_id=event_id, status=status, reason=reason)
    return {"batchItemFailures": failures}


def handle_render(event: dict[str, Any], context: object) -> dict[str, Any]:
    """Render pending outbox rows (and, by default, process due inbox events) while time remains."""
    service = get_service()
    batch = int(os.environ.get("MANDAT_RENDER_BATCH") or 10)
    safety_ms = int(os.environ.get("MANDAT_RENDER_SAFETY_MS") or 10_000)
    sweep = os.environ.get("MANDAT_RENDER_SWEEP_INBOX", "1") != "0"
    remaining_ms = _remaining_ms(context, float(os.environ.get("MANDAT_RENDER_MAX_SECONDS") or 60))

    events = renders = rounds = 0
    stopped = "idle"
    while True:
        if remaining_ms() < safety_ms:
            # A round cut off by the timeout leaves its claims leased until the lease expires;
            # stopping early hands the rest to the next invocation without that delay.
            stopped = "time"
            break
        if sweep:
            # Waiting events and transient failures whose next attempt is due, and events left
            # 'processing' by a crashed invocation once their lease ran out.
            claimed_events, claimed_renders = service.work_once(batch)
        else:
            claimed_events, claimed_renders = 0, service.render_pending(batch)
        if claimed_events == claimed_renders == 0:
            break
        rounds += 1
        events += claimed_events
        renders += claimed_renders

    from mandat.store import repository as repo
    from mandat.store.db import reader

    with reader(service.engine).connect() as conn:
        pending = repo.pending_outbox(conn)
    result = {"events": events, "renders": renders, "rounds": rounds, "pending_renders": pending, "stopped": stopped}
    _write({"handler": "render", **result})
    # Messages of a "render" queue are nudges; the outbox row, not the message, carries a failed
    # render to its next attempt, so they are all acknowledged (an EventBridge call ignores this key).
    return {**result, "batchItemFailures": []}


def _remaining_ms(context: object, max_seconds: float) -> Callable[[], float]:
    get = getattr(context, "get_remaining_time_in_millis", None)
    if callable(get):
        return lambda: float(get())
    deadline = time.monotonic() + max_seconds
    return lambda: (deadline - time.monotonic()) * 1000


def _database_reachable(service: Mandat) -> bool:
    import sqlalchemy as sa

    from mandat.store.db import reader

    try:
        # A deferred read transaction: on SQLite it must not queue behind the write lock.
        with reader(service.engine).connect() as conn:
            conn.execute(sa.text("SELECT 1"))
    except Exception:
        return False
    return True


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:1000]


def _log(record: dict[str, Any], **fields: Any) -> None:
    attributes = record.get("attributes") or {}
    _write(
        {
            "handler": "events",
            "message_id": record.get("messageId"),
            "receive_count": attributes.get("ApproximateReceiveCount"),
            **fields,
        }
    )


def _write(line: dict[str, Any]) -> None:
    # One JSON object per line on stdout: CloudWatch Logs keeps each as one queryable event.
    sys.stdout.write(json.dumps(line, ensure_ascii=False, default=str) + "\n")
    sys.stdout.flush()
