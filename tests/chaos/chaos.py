"""Fault injection: many sellers, worker processes SIGKILLed and restarted about every second, while
deliveries arrive as users make them: every event 2-3 times in random order, orders and refunds re-sent
under new event ids, refunds and cancellations racing their invoice, and bad events seeded on purpose.

Afterwards the end state must be exactly the scenario's (see ``check``): one invoice per order, one credit
note per refund and never more credited than invoiced, a cancellation closing its order or crediting its
invoice in full, every bad event rejected with its code and no valid event rejected, every event decided;
and per series no gap, no duplicate, no time going backwards, every file rendered with the right checksum.

    python -m tests.chaos.chaos --backend postgres --events 20000 --workers 4
    python -m tests.chaos.chaos --backend sqlite --events 20000 --workers 2
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from mandat.demo.sellers import MANDATE, luhn_complete
from mandat.domain.parties import Address, Seller
from mandat.service.app import Mandat
from mandat.service.audit import audit
from mandat.service.config import Settings
from mandat.store import repository as repo
from mandat.store.db import make_engine
from mandat.store.schema import documents, inbox, orders, outbox
from tests.factories import order

PG_URL = os.environ.get("MANDAT_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


@dataclass
class Result:
    backend: str
    events: int
    deliveries: int
    kills: int
    documents: int
    rejected: int
    duplicates: int
    gaps: int
    duplicate_numbers: int
    backwards: int
    file_problems: int
    unsettled: int
    seconds: float
    expected_documents: int = 0  # invoices and credit notes the scenario must end with
    seeded_rejections: int = 0  # bad events sent on purpose
    credit_notes: int = 0
    cancelled_before_invoice: int = 0  # ``cancel_race`` orders the cancellation closed before their invoice
    cancelled_after_invoice: int = 0  # ``cancel_race`` orders invoiced, then credited in full
    audit_problems: list[str] = field(default_factory=list)  # inbox and credit problems `mandat audit` found
    mismatches: list[str] = field(default_factory=list)  # every way the end state differs from the scenario

    @property
    def ok(self) -> bool:
        return not (
            self.gaps
            or self.duplicate_numbers
            or self.backwards
            or self.file_problems
            or self.unsettled
            or self.audit_problems
            or self.mismatches
        )


def sellers(n: int) -> list[Seller]:
    out = []
    for i in range(n):
        siren = luhn_complete(f"9{i:07d}")
        out.append(
            Seller(
                id=f"chaos-{i:02d}",
                code=f"C{i:02d}",
                legal_name=f"Vendeur Chaos {i:02d} SARL",
                address=Address(line1=f"{i + 1} rue du Test", postcode="75010", city="Paris", country="FR"),
                siren=siren,
                vat_id=f"FR{(12 + 3 * (int(siren) % 97)) % 97:02d}{siren}",
                legal_form="SARL",
                rcs_city="Paris",
                mandate=MANDATE,
            )
        )
    return out


# order() sells 3 x 8.90 at 20 % and 1 x 119.00 at 10 %, prices VAT included: the buyer pays
# 26.70 + 119.00 = 145.70, which is the invoice's total (VAT-inclusive prices: net + VAT = what was paid).
ORDER_TOTAL = Decimal("145.70")
# Refund R1 gives back the whole 119.00 line (a whole line is credited at exactly its invoiced amount);
# R2, a full refund that occurred later, what remains: 145.70 - 119.00 = 26.70.
R1_AMOUNT, R2_AMOUNT = Decimal("119.00"), Decimal("26.70")
FINAL = ("issued", "duplicate", "cancelled", "rejected")
MARKETPLACE = "bricomarket-fr"


@dataclass
class OrderPlan:
    """One order of the scenario and every valid event sent for it (redeliveries under new event ids included).

    kind: ``plain`` (one invoice), ``refunded`` (one invoice, credit notes R1 119.00 and R2 26.70),
    ``cancel_race`` (paid and cancelled with its refund, delivered in any order: either an invoice and a
    credit note of 145.70, or no document at all), ``cancel_unissued`` (cancelled, never paid before:
    no document; an ``order.paid`` arriving afterwards ends ``cancelled``), ``bad`` (only a bad event).
    """

    seller_id: str
    order_id: str
    kind: str
    paid: list[str] = field(default_factory=list)
    refunds: dict[str, list[str]] = field(default_factory=dict)  # refund_id -> event ids
    cancels: list[str] = field(default_factory=list)
    late_paid: list[str] = field(default_factory=list)


@dataclass
class Scenario:
    lines: list[str]  # first wave, each delivery 2-3 times, shuffled
    late: list[str]  # second wave, fed once every event of ``gate`` is decided
    gate: set[str]
    orders: list[OrderPlan]
    # Every bad event seeded on purpose and the rejection code docs/events.md gives for it, by event id
    # (by ``payload:<text>`` for a body whose event id cannot be read).
    rejections: dict[str, str]
    event_ids: set[str]  # every readable event id sent

    @property
    def events(self) -> int:
        return len(self.event_ids) + sum(1 for k in self.rejections if k.startswith("payload:"))

    @property
    def deliveries(self) -> int:
        return len(self.lines) + len(self.late)


def _payment(ref: str, amount: Decimal, *, status: str = "refunded", currency: str = "EUR") -> dict[str, Any]:
    return {
        "provider": "adyen",
        "transaction_id": f"PSP-{ref}",
        "amount": str(amount),
        "currency": currency,
        "status": status,
        "captured_at": "2026-11-22T09:01:00+01:00" if status == "refunded" else None,
        "method": "card",
    }


def _after_sale(kind: str, event_id: str, seller_id: str, order_id: str, occurred: str) -> dict[str, Any]:
    return {
        "type": kind,
        "event_id": event_id,
        "marketplace_id": MARKETPLACE,
        "order_id": order_id,
        "seller_id": seller_id,
        "occurred_at": occurred,
        "reason": "Retour client",
    }


def _refund(
    event_id: str,
    seller_id: str,
    order_id: str,
    refund_id: str,
    scope: dict[str, Any],
    payment: dict[str, Any],
    day: int,
) -> dict[str, Any]:
    ev = _after_sale("order.refunded", event_id, seller_id, order_id, f"2026-11-{day}T09:00:00+01:00")
    return {**ev, "refund_id": refund_id, "refund": scope, "payment": payment}


# Bad events, each with the code docs/events.md gives for it. Refunds name an invoiced order (kind
# ``refunded``) and occurred before its good refunds, so the outcome does not depend on delivery order:
# the code is decided by the refund itself, not by what the good refunds took already.
BAD_ORDERS = ("payment_amount", "seller_unknown", "invalid_event", "event_type_unknown", "malformed_json")
BAD_REFUNDS = ("refund_line_unknown", "over_credit", "payment_currency", "refund_not_executed")


def scenario(n_events: int, seller_ids: list[str], rng: random.Random, mix: bool = True) -> Scenario:
    """About ``n_events`` distinct events over orders of every kind (``mix=False``: plain orders and bad
    events only). Every order paid is also sent again under a new event id now and then (a resend), and
    every delivery arrives 2 or 3 times (a redelivery of the same event id)."""
    base = order()  # amounts computed once: every seller sells the same basket under the same rules
    first: list[str] = []
    late: list[str] = []
    gate: set[str] = set()
    plans: list[OrderPlan] = []
    rejections: dict[str, str] = {}
    event_ids: set[str] = set()
    counter = 0

    def new_id(prefix: str) -> str:
        nonlocal counter
        counter += 1
        return f"evt-{prefix}-{counter:06d}"

    def send(ev: dict[str, Any] | str, wave: list[str]) -> None:
        text = ev if isinstance(ev, str) else json.dumps(ev)
        if not isinstance(ev, str):
            event_ids.add(ev["event_id"])
        wave += [text] * rng.choice([2, 3])

    def sends(template: dict[str, Any], wave: list[str], resend: float = 0.2) -> list[str]:
        """The event, and now and then the same again under a new event id (the producer re-sent it)."""
        ids = [new_id("r")]
        while rng.random() < resend and len(ids) < 3:
            ids.append(new_id("r"))
        for event_id in ids:
            send({**template, "event_id": event_id}, wave)
        return ids

    weights = {"plain": 0.68, "refunded": 0.12, "cancel_race": 0.08, "cancel_unissued": 0.05, "bad": 0.07}
    if not mix:
        weights = {"plain": 0.95, "bad": 0.05}
    kinds, shares = list(weights), list(weights.values())
    i = 0
    while len(event_ids) + sum(1 for k in rejections if k.startswith("payload:")) < n_events:
        i += 1
        kind = rng.choices(kinds, weights=shares)[0]
        seller_id, order_id = rng.choice(seller_ids), f"CMD-{i:06d}"
        plan = OrderPlan(seller_id, order_id, kind)
        plans.append(plan)
        paid: dict[str, Any] = json.loads(json.dumps(base))
        paid |= {"order_id": order_id, "seller_id": seller_id}
        paid["payment"]["transaction_id"] = f"PSP-{order_id}"
        if kind == "bad":
            what = rng.choice(BAD_ORDERS)
            ev = {**paid, "event_id": new_id("bad")}
            if what == "payment_amount":
                ev["payment"] = {**ev["payment"], "amount": "1.00"}  # the basket costs 145.70
            elif what == "seller_unknown":
                ev["seller_id"] = "ghost-seller"  # in no registry
            elif what == "invalid_event":
                del ev["lines"]  # required by the schema
            elif what == "event_type_unknown":
                ev["type"] = "order.shipped"  # not one of the three types
            if what == "malformed_json":
                text = json.dumps(ev)[:-40]  # cut short: not JSON
                rejections[f"payload:{text}"] = what
                send(text, first)
            else:
                rejections[ev["event_id"]] = what
                send(ev, first)
            continue
        if kind != "cancel_unissued":
            plan.paid = sends(paid, first)
        if kind == "refunded":
            for refund_id, amount, scope, day in (
                ("R1", R1_AMOUNT, {"kind": "lines", "lines": [{"sku": "ABJ-BUCHE-1ST", "quantity": "1"}]}, 21),
                ("R2", R2_AMOUNT, {"kind": "full"}, 22),
            ):
                pay = _payment(f"{order_id}-{refund_id}", amount)
                plan.refunds[refund_id] = sends(_refund("", seller_id, order_id, refund_id, scope, pay, day), first)
            if rng.random() < 0.4:
                what = rng.choice(BAD_REFUNDS)
                pay = _payment(f"{order_id}-RX", Decimal("10.00"))
                scope = {"kind": "lines", "lines": [{"sku": "ABJ-COMPOST-40", "quantity": "1"}]}
                if what == "refund_line_unknown":
                    scope = {"kind": "lines", "lines": [{"sku": "NO-SUCH-SKU", "quantity": "1"}]}
                elif what == "over_credit":  # 2 of a line sold once, refund of 2 x 119.00
                    scope = {"kind": "lines", "lines": [{"sku": "ABJ-BUCHE-1ST", "quantity": "2"}]}
                    pay = _payment(f"{order_id}-RX", Decimal("238.00"))
                elif what == "payment_currency":  # the invoice is in EUR
                    pay = _payment(f"{order_id}-RX", Decimal("8.90"), currency="USD")
                else:  # refund_not_executed: the refund failed at the payment provider
                    pay = _payment(f"{order_id}-RX", Decimal("8.90"), status="failed")
                event_id = new_id("bad")
                rejections[event_id] = what
                send(_refund(event_id, seller_id, order_id, "RX", scope, pay, 20), first)
        if kind == "cancel_race":
            cancel = _after_sale("order.cancelled", "", seller_id, order_id, "2026-11-21T09:00:00+01:00")
            plan.cancels = sends({**cancel, "payment": _payment(f"{order_id}-C", ORDER_TOTAL)}, first)
        if kind == "cancel_unissued":
            closed = _after_sale("order.cancelled", "", seller_id, order_id, "2026-11-18T11:00:00+01:00")
            plan.cancels = sends(closed, first)
            gate.update(plan.cancels)
            plan.late_paid = sends(paid, late)
    rng.shuffle(first)
    rng.shuffle(late)
    return Scenario(first, late, gate, plans, rejections, event_ids)


def run(
    backend: str,
    n_events: int,
    workers: int,
    n_sellers: int = 50,
    kill_every: float = 1.0,
    seed: int = 7,
    timeout: float = 1200,
    prefeed: bool = False,
    mix: bool = True,
) -> Result:
    rng = random.Random(seed)
    home = Path(tempfile.mkdtemp(prefix="mandat-chaos-"))
    env = {**os.environ, "MANDAT_HOME": str(home), "MANDAT_LEASE_SECONDS": "2"}
    schema = None
    if backend == "postgres":
        schema = f"mandat_chaos_{uuid.uuid4().hex[:8]}"
        with make_engine(PG_URL).begin() as conn:
            conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
        env |= {"MANDAT_DATABASE_URL": PG_URL, "MANDAT_DATABASE_SCHEMA": schema}
    else:
        env.pop("MANDAT_DATABASE_URL", None)
        env.pop("MANDAT_DATABASE_SCHEMA", None)
    settings = Settings(
        home=home,
        database_url=env.get("MANDAT_DATABASE_URL") or f"sqlite:///{home / 'mandat.db'}",
        blob_url=str(home / "documents"),
        database_schema=schema,
        lease_seconds=2,
    )
    svc = Mandat(settings)
    svc.migrate()
    all_sellers = sellers(n_sellers)
    svc.save_sellers(all_sellers)
    plan = scenario(n_events, [s.id for s in all_sellers], rng, mix=mix)
    lines, late = plan.lines, plan.late

    if prefeed:  # measure the workers alone: every delivery is in the inbox before they start
        for line in lines:
            svc.accept(line)
        lines = []
    cmd = [sys.executable, "-m", "mandat.cli.main", "worker", "--poll", "0.05", "--batch", "20"]
    procs = [
        subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for _ in range(workers)
    ]
    fed = threading.Event()
    stop = threading.Event()

    def feed() -> None:  # deliveries keep arriving while workers run and die
        for line in lines:
            svc.accept(line)
        # Orders cancelled before they were ever paid: their order.paid comes afterwards (late wave).
        while plan.gate and not stop.is_set() and not decided(svc, plan.gate):
            time.sleep(0.1)
        for line in late:
            svc.accept(line)
        fed.set()

    started = time.monotonic()
    feeder = threading.Thread(target=feed, daemon=True)
    feeder.start()
    kills = 0
    next_kill = time.monotonic() + kill_every
    trace = bool(os.environ.get("MANDAT_CHAOS_TRACE"))  # progress on stderr every 5 s
    next_trace = time.monotonic() + 5
    try:
        while time.monotonic() - started < timeout:
            time.sleep(0.1)
            if kill_every > 0 and time.monotonic() >= next_kill:
                victim = rng.randrange(workers)
                procs[victim].send_signal(signal.SIGKILL)
                procs[victim].wait()
                kills += 1
                procs[victim] = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                next_kill = time.monotonic() + kill_every * rng.uniform(0.5, 1.5)
            if fed.is_set() and settled(svc):
                break
            if trace and time.monotonic() >= next_trace:
                next_trace += 5
                with svc.reader.connect() as conn:
                    counts, waiting = repo.count_inbox_by_status(conn), repo.count_reasons(conn, "waiting")
                elapsed = time.monotonic() - started
                print(f"{elapsed:6.1f}s fed={fed.is_set()} {counts} waiting={waiting}", file=sys.stderr)
    finally:
        stop.set()
        for p in procs:
            p.send_signal(signal.SIGTERM)
        for p in procs:
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                p.kill()
        feeder.join(timeout=30)
    seconds = time.monotonic() - started
    with svc.reader.connect() as conn:
        statuses = repo.count_inbox_by_status(conn)
        docs = int(conn.execute(sa.select(sa.func.count()).select_from(documents)).scalar_one())
        outcome = check(conn, plan)
    report = audit(svc.engine, svc.blobs)
    result = Result(
        backend=backend,
        events=plan.events,
        deliveries=plan.deliveries,
        kills=kills,
        documents=docs,
        rejected=statuses.get("rejected", 0),
        duplicates=statuses.get("duplicate", 0),
        gaps=sum(len(s.gaps) for s in report.series),
        duplicate_numbers=sum(len(s.duplicates) for s in report.series),
        backwards=sum(len(s.backwards) for s in report.series),
        file_problems=len(report.file_problems)
        + report.unrendered
        + sum(len(s.chain_breaks) + bool(s.head_mismatch) for s in report.series),
        unsettled=sum(n for st, n in statuses.items() if st not in FINAL) + abs(plan.events - sum(statuses.values())),
        seconds=round(seconds, 1),
        expected_documents=outcome.expected_documents,
        seeded_rejections=len(plan.rejections),
        credit_notes=outcome.credit_notes,
        cancelled_before_invoice=outcome.closed,
        cancelled_after_invoice=outcome.credited,
        audit_problems=report.inbox_problems + report.credit_problems,
        mismatches=outcome.mismatches,
    )
    svc.engine.dispose()
    if result.ok:
        # Keep a failed run's data folder for the post-mortem; a good one is just disk.
        import shutil

        shutil.rmtree(home, ignore_errors=True)
    if schema:
        with make_engine(PG_URL).begin() as conn:
            conn.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
    return result


def settled(svc: Mandat) -> bool:
    with svc.reader.connect() as conn:
        statuses = repo.count_inbox_by_status(conn)
        pending_renders = int(
            conn.execute(
                sa.select(sa.func.count()).select_from(outbox).where(outbox.c.status == "pending")
            ).scalar_one()
        )
    return not pending_renders and all(st in FINAL for st in statuses)


def decided(svc: Mandat, event_ids: set[str]) -> bool:
    with svc.reader.connect() as conn:
        rows = conn.execute(sa.select(inbox.c.event_id, inbox.c.status).where(inbox.c.event_id.in_(event_ids)))
        done = {e for e, st in rows if st in FINAL}
    return done == event_ids


@dataclass
class Outcome:
    expected_documents: int
    credit_notes: int
    closed: int
    credited: int
    mismatches: list[str]


def check(conn: sa.Connection, plan: Scenario) -> Outcome:
    """Compare the end state with what the scenario must give, event by event and order by order.

    The expectations are the rules of docs/events.md: one invoice per order whatever its event ids; one
    credit note per refund id; a cancellation after the invoice credits all of it, before the invoice
    closes the order (no invoice, the order's ``order.paid`` events end ``cancelled``); every bad event
    rejected with its code and no other event rejected; every event decided.
    """
    out: list[str] = []
    rows = {
        r.event_id: r
        for r in conn.execute(
            sa.select(
                inbox.c.event_id,
                inbox.c.status,
                inbox.c.reason_code,
                inbox.c.reason,
                inbox.c.document_id,
                inbox.c.payload,
            )
        )
    }
    ledger = {
        (r.seller_id, r.order_id): r
        for r in conn.execute(
            sa.select(orders.c.seller_id, orders.c.order_id, orders.c.state, orders.c.event_id, orders.c.invoice_id)
        )
    }
    docs = list(
        conn.execute(
            sa.select(
                documents.c.id,
                documents.c.kind,
                documents.c.seller_id,
                documents.c.order_id,
                documents.c.idempotency_key,
                documents.c.total,
                documents.c.corrects_id,
            )
        )
    )
    by_order: dict[tuple[str, str], list[Any]] = {}
    for d in docs:
        by_order.setdefault((d.seller_id, d.order_id), []).append(d)

    # Every event sent has exactly one inbox row, and nothing else does.
    readable = {e for e in rows if not e.startswith("invalid-")}
    for e in sorted(plan.event_ids - readable):
        out.append(f"event {e} was sent and has no inbox row")
    for e in sorted(readable - plan.event_ids):
        out.append(f"inbox row {e} was never sent")
    for e, r in sorted(rows.items()):
        if r.status not in FINAL:
            out.append(f"event {e} is still {r.status} ({r.reason_code})")

    # Rejections: exactly the seeded ones, each with its code. A valid event rejected fails the run.
    rejected = {
        (f"payload:{r.payload}" if e.startswith("invalid-") else e): r.reason_code
        for e, r in rows.items()
        if r.status == "rejected"
    }
    for key, code in sorted(plan.rejections.items()):
        if key not in rejected:
            got = rows.get(key)
            out.append(f"bad event {key[:60]} ({code}) not rejected: {got.status if got else 'no row'}")
        elif rejected[key] != code:
            out.append(f"bad event {key[:60]} rejected as {rejected[key]}, expected {code}")
    for key, code in sorted(rejected.items()):
        if key not in plan.rejections:
            out.append(f"valid event {key[:60]} wrongly rejected: {code}")

    def one_document(ids: list[str], doc: Any, what: str) -> None:
        """Events of one document: the first to win it is ``issued``, every other ``duplicate``, all naming it."""
        got = [(rows[e].status, rows[e].document_id) if e in rows else ("missing", None) for e in ids]
        if sorted(st for st, _ in got) != sorted(["issued"] + ["duplicate"] * (len(ids) - 1)):
            out.append(f"{what}: events {ids} ended {[st for st, _ in got]}, expected one issued, the rest duplicate")
        if any(doc_id != doc.id for _, doc_id in got):
            out.append(f"{what}: events {ids} point at {[d for _, d in got]}, not at {doc.id}")

    expected_docs = credit_notes = closed = credited = 0
    for p in plan.orders:
        what = f"{p.kind} order {p.seller_id}/{p.order_id}"
        mine = by_order.pop((p.seller_id, p.order_id), [])
        invoices = [d for d in mine if d.kind == "invoice"]
        notes = [d for d in mine if d.kind == "credit_note"]
        key = f"{MARKETPLACE}:{p.order_id}"
        if p.kind == "bad":
            if mine:
                out.append(f"{what}: documents {[d.id for d in mine]} for a bad event")
            continue
        if p.kind == "cancel_unissued" or (p.kind == "cancel_race" and not invoices):
            # Closed before its invoice: no document; the orders ledger says `cancelled` by one of the
            # order's cancellations, which ended `cancelled`; its resends `duplicate` (docs/events.md; or
            # `cancelled`), none naming a document; and every order.paid of the order ends `cancelled`.
            closed += p.kind == "cancel_race"
            if mine:
                out.append(f"{what}: documents {[d.id for d in mine]} for an order cancelled before its invoice")
            entry = ledger.get((p.seller_id, p.order_id))
            if entry is None or entry.state != "cancelled" or entry.event_id not in p.cancels:
                out.append(f"{what}: orders ledger {entry}, expected cancelled by one of {p.cancels}")
            for e in p.cancels:
                r = rows.get(e)
                if r is None or r.document_id is not None or r.status not in ("cancelled", "duplicate"):
                    out.append(f"{what}: cancellation {e} ended {r}, expected cancelled or duplicate, no document")
                elif entry is not None and e == entry.event_id and r.status != "cancelled":
                    out.append(f"{what}: {e} closed the order and ended {r.status}, expected cancelled")
            for e in p.paid + p.late_paid:
                if (rows[e].status if e in rows else "missing") != "cancelled":
                    out.append(f"{what}: {e} ended {rows[e].status if e in rows else 'missing'}, expected cancelled")
            continue
        expected_notes = {
            "plain": {},
            "refunded": {"R1": R1_AMOUNT, "R2": R2_AMOUNT},
            "cancel_race": {"cancel": ORDER_TOTAL},
        }[p.kind]
        expected_docs += 1 + len(expected_notes)
        credit_notes += len(expected_notes)
        credited += p.kind == "cancel_race"
        if len(invoices) != 1:
            out.append(f"{what}: {len(invoices)} invoices, expected 1")
            continue
        invoice = invoices[0]
        entry = ledger.get((p.seller_id, p.order_id))
        if entry is None or entry.state != "invoiced" or entry.invoice_id != invoice.id:
            out.append(f"{what}: orders ledger {entry}, expected invoiced by {invoice.id}")
        if Decimal(invoice.total) != ORDER_TOTAL:
            out.append(f"{what}: invoice total {invoice.total}, expected {ORDER_TOTAL}")
        one_document(p.paid, invoice, what)
        if len(notes) != len(expected_notes):
            out.append(f"{what}: {len(notes)} credit notes, expected {len(expected_notes)}")
        if sum((Decimal(n.total) for n in notes), Decimal(0)) > Decimal(invoice.total):
            out.append(f"{what}: credited {sum(Decimal(n.total) for n in notes)}, over its invoice {invoice.total}")
        events_of = {**p.refunds, "cancel": p.cancels}
        for name, amount in expected_notes.items():
            idem = f"{key}:cancel" if name == "cancel" else f"{key}:refund:{name}"
            found = [n for n in notes if n.idempotency_key == idem]
            if len(found) != 1:
                out.append(f"{what}: {len(found)} credit notes for {name}, expected 1")
                continue
            note = found[0]
            if Decimal(note.total) != amount or note.corrects_id != invoice.id:
                out.append(
                    f"{what}: {name} credits {note.total} of {note.corrects_id}, expected {amount} of {invoice.id}"
                )
            one_document(events_of[name], note, f"{what} {name}")
    for (seller_id, order_id), extra in sorted(by_order.items()):
        out.append(f"documents {[d.id for d in extra]} for {seller_id}/{order_id}, an order never sent")
    return Outcome(expected_docs, credit_notes, closed, credited, out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backend", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--events", type=int, default=20000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--sellers", type=int, default=50)
    parser.add_argument("--kill-every", type=float, default=1.0, help="seconds between SIGKILLs; 0: none")
    parser.add_argument("--prefeed", action="store_true", help="accept every delivery before workers start")
    parser.add_argument("--orders-only", action="store_true", help="no refunds or cancellations, only orders")
    parser.add_argument("--timeout", type=float, default=1200, help="seconds before giving up on settling")
    args = parser.parse_args()
    result = run(
        args.backend,
        args.events,
        args.workers,
        args.sellers,
        kill_every=args.kill_every,
        prefeed=args.prefeed,
        mix=not args.orders_only,
        timeout=args.timeout,
    )
    rate = round(result.documents / result.seconds, 1) if result.seconds else 0.0
    print(
        json.dumps({**result.__dict__, "mismatches": result.mismatches[:50], "ok": result.ok, "documents_per_s": rate})
    )
    sys.exit(0 if result.ok else 1)


if __name__ == "__main__":
    main()
