"""Property tests (issue 12): random sellers, baskets and after-sale events through every issuing path.

Each example is a fresh store (a new SQLite file; on PostgreSQL the test's own schema, emptied) with
the demo sellers. Hypothesis draws a few orders from several sellers (order ids shared between sellers,
as the marketplace's may be), random baskets (20 / 10 / 5.5 / 2.1 %, whole and fractional quantities,
line and order discounts, shipping, VAT-inclusive or not, a seller under VAT franchise), some paid with
a wrong amount, then refunds (lines, shipping, a goodwill amount, full) and cancellations, a few with a
wrong amount. Every event is delivered in a random order, some twice under the same event id and some
re-sent under a new event id, and processed by a random mix of the three issuing paths: the push path
(``accept_and_issue``, HTTP and SQS), the worker one by one (``claim`` + ``process``) and the worker's
batch (``claim`` + ``process_batch``, one transaction for the batch on SQLite).

Then the store is read directly and held to ``tests/service/invariants.py`` (numbering, chronology,
credit notes, EN 16931 arithmetic, every event's outcome), and to what the scenario itself implies:
each order's invoice total is worked out by hand below from the basket, every event delivered is in the
inbox once, an order paid correctly ends invoiced unless its cancellation closed it first, and an event
sent with a wrong amount never becomes a document.
"""

from __future__ import annotations

import itertools
import json
import shutil
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import ROUND_DOWN, Decimal
from pathlib import Path
from typing import Any
from unittest.mock import patch

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st
from sqlalchemy.engine import Connection

from mandat.demo.sellers import demo_sellers
from mandat.domain.credit import Credited, CreditError, plan_credit
from mandat.domain.documents import Document
from mandat.domain.drafts import Draft
from mandat.domain.events import OrderCancelled, OrderPaid, OrderRefunded
from mandat.domain.refusals import EventRefused
from mandat.rules.credit_note import credit_request
from mandat.rules.draft import draft_invoice
from mandat.service.app import Mandat
from mandat.service.config import Settings
from mandat.store import repository as repo
from mandat.store.schema import metadata
from tests.factories import FR_COMPANY, MARKETPLACE, NOW, SELLERS, TODAY, cancellation, order, refund
from tests.service.invariants import CENT, GENESIS, Store, cents, check_all
from tests.store.test_postgres import pg  # noqa: F401  (fixture of the `backend` fixture)

# French VAT rates (CGI): 20 % normal (art. 278), 10 % intermediate (art. 279), 5.5 % reduced
# (art. 278-0 bis), 2.1 % super-reduced (art. 281 quater to 281 nonies). Written here from the law,
# not read from countries/fr.py.
RATE = {
    "standard": Decimal("20"),
    "intermediate": Decimal("10"),
    "reduced": Decimal("5.5"),
    "super_reduced": Decimal("2.1"),
}
# Two sellers charging VAT and one under the franchise of CGI art. 293 B (no VAT at all).
SELLER_IDS = ["atelier-bois", "outillage-pro", "quincaillerie-dupont"]
FRANCHISE = {"quincaillerie-dupont"}
CONSUMER = {
    "kind": "consumer",
    "name": "Camille Lefèvre",
    "address": {"line1": "8 rue de l'Église", "postcode": "35000", "city": "Rennes", "country": "FR"},
}


# --- scenario ------------------------------------------------------------------------------------


@dataclass
class Order:
    seller_id: str
    no: int  # order id CMD-<no>: two sellers may share it
    event: dict[str, Any]
    total: Decimal  # worked out by hand (expected_total)
    wrong: bool  # paid with a wrong amount: must be rejected
    after: list[dict[str, Any]] = field(default_factory=list)  # refunds and cancellations, in occurrence order
    wrong_after: set[str] = field(default_factory=set)  # event ids sent with a wrong amount
    impossible: set[str] = field(default_factory=set)  # event ids nothing can be credited for, in occurrence order


@dataclass
class Scenario:
    orders: list[Order]
    deliveries: list[str]  # raw JSON, in delivery order
    chunks: list[tuple[str, int]]  # (path, number of deliveries)
    skews: list[int]  # seconds each issuing worker's clock is behind, in turn (SQLite stamps with it)
    history: list[str] = field(default_factory=list)  # invoices issued first by a worker an hour ahead


def expected_total(event: dict[str, Any]) -> Decimal:
    """BT-112 of an order, by hand.

    A line is quantity x unit price less its discount, rounded half-up to the cent (BT-131). VAT included:
    the buyer pays the lines, plus shipping, less the order's vouchers, and the invoice's total is that
    (the VAT is inside). Net of VAT: per rate, the base is the sum of its lines, shipping being taxed at
    the highest rate of the order (docs/architecture.md, conservative reading), and the VAT of a rate is
    its base times the rate, rounded half-up (BR-S-09). Under the franchise no VAT is added either way.
    """
    lines = [
        (cents(Decimal(ln["quantity"]) * Decimal(ln["unit_price"]) - Decimal(ln["discount"])), ln)
        for ln in event["lines"]
    ]
    shipping = Decimal(event["shipping"]["amount"]) if "shipping" in event else Decimal(0)
    vouchers = sum((Decimal(d["amount"]) for d in event.get("discounts", [])), Decimal(0))
    if event["prices_include_vat"] or event["seller_id"] in FRANCHISE:
        return sum((a for a, _ in lines), Decimal(0)) + shipping - vouchers
    assert not vouchers, "net orders are generated without vouchers"
    base: dict[Decimal, Decimal] = {}
    for amount, ln in lines:
        rate = RATE[ln["tax_category"]]
        base[rate] = base.get(rate, Decimal(0)) + amount
    top = max(base)
    base[top] += shipping
    return sum((b + cents(b * r / 100) for r, b in base.items()), Decimal(0))


@st.composite
def basket_lines(draw: st.DrawFn) -> list[dict[str, Any]]:
    lines = []
    for i in range(draw(st.integers(1, 3))):
        qty = Decimal(draw(st.sampled_from(["1", "2", "3", "5", "0.5", "1.5", "2.5"])))
        price = Decimal(draw(st.integers(1, 25000))) / 100
        pct = draw(st.sampled_from([0, 0, 0, 5, 10, 33, 50]))
        # A discount never above the line (the schema's rule): rounded down to the cent.
        discount = (qty * price * pct / 100).quantize(CENT, rounding=ROUND_DOWN)
        lines.append(
            {
                "sku": f"SKU-{i}-{draw(st.sampled_from(['A', 'B']))}",
                "description": f"Article {i}",
                "quantity": str(qty),
                "unit_price": str(price),
                "discount": str(discount),
                "tax_category": draw(st.sampled_from(sorted(RATE))),
            }
        )
    return lines


def paid_event(draw: st.DrawFn, seller_id: str, no: int) -> dict[str, Any]:
    code = SELLERS[seller_id].code
    include_vat = draw(st.booleans())
    lines = draw(basket_lines())
    shipping = draw(st.one_of(st.none(), st.integers(1, 1500).map(lambda c: str(Decimal(c) / 100))))
    extra: dict[str, Any] = {}
    if include_vat and draw(st.booleans()):
        room = sum(
            (cents(Decimal(ln["quantity"]) * Decimal(ln["unit_price"]) - Decimal(ln["discount"])) for ln in lines),
            Decimal(0),
        )
        voucher = (room * draw(st.sampled_from([1, 5, 20])) / 100).quantize(CENT, rounding=ROUND_DOWN)
        if voucher > 0:
            extra["discounts"] = [{"amount": str(voucher), "reason": "Code promo"}]
    event = order(
        seller_id,
        ref=f"{code}-{no}",
        buyer=draw(st.sampled_from([CONSUMER, FR_COMPANY])),
        lines=lines,
        include_vat=include_vat,
        shipping=shipping,
        fix_amount=False,
        **extra,
    )
    event["order_id"] = f"CMD-{no}"
    event["event_id"] = f"evt-{code}-{no}"
    return event


def plan_after_sale(draw: st.DrawFn, o: Order) -> None:
    """Refunds and cancellations of one order, in the order they occur, each with the amount the
    marketplace refunds: what the credit note for it comes to when the order's refunds are credited in
    that order (a wrong amount when told so, or when nothing can be credited)."""
    code = SELLERS[o.seller_id].code
    paid = OrderPaid.model_validate(o.event)
    try:
        invoice = draft_invoice(paid, SELLERS[o.seller_id], MARKETPLACE, TODAY).finalize(1, NOW, GENESIS)
    except EventRefused:  # the wrong payment (or a rule disagreeing with the hand total: caught later)
        invoice = None
    credited = Credited()
    taken = Decimal(0)  # what the refunds so far came to
    for k in range(draw(st.integers(0, 3))):
        kind = draw(st.sampled_from(["lines", "lines", "shipping", "amount", "amount", "full", "full", "cancel"]))
        occurred = f"2026-11-20T09:{10 + k:02d}:00+01:00"
        if kind == "cancel":
            ev = cancellation(f"{code}-{o.no}", amount="0", seller_id=o.seller_id, occurred_at=occurred)
            # Two cancellations of one order are two events: the factory's id is per order, and a second
            # one under the same id would be a redelivery of the first (found: a right first cancellation
            # and a wrong second one shared the id, so the first one's credit note looked like the second's).
            ev["event_id"] = f"{ev['event_id']}-{k}"
        else:
            scope: dict[str, Any] = {"kind": kind}
            if kind == "lines":
                line_no = draw(st.integers(1, len(o.event["lines"])))
                scope["lines"] = [{"line_no": line_no, "quantity": draw(st.sampled_from(["0.5", "1", "2"]))}]
            elif kind == "amount":
                rate = RATE[draw(st.sampled_from([ln["tax_category"] for ln in o.event["lines"]]))]
                rate = Decimal(0) if o.seller_id in FRANCHISE else rate
                scope["amounts"] = [{"vat_rate": str(rate), "amount": str(Decimal(draw(st.integers(1, 3000))) / 100)}]
            ev = refund(f"{code}-{o.no}", refund_id=f"R{k}", scope=scope, seller_id=o.seller_id, occurred_at=occurred)
        ev["order_id"] = f"CMD-{o.no}"
        amount = o.total + CENT
        if invoice is not None:
            model = (OrderCancelled if kind == "cancel" else OrderRefunded).model_validate(ev)
            try:
                plan = plan_credit(invoice, credited, credit_request(model, invoice, credited))
                amount, credited = plan.totals.tax_inclusive, plan.credited
            except (CreditError, EventRefused):
                # Nothing to credit (over credit, unknown line, ...): priced above the whole invoice.
                amount = o.total + CENT
                o.impossible.add(ev["event_id"])
            if kind in ("full", "cancel") and o.total - taken > 0:
                # "Everything not credited yet" is, by definition, the invoice's total less what the
                # earlier refunds took: worked out here, not by the credit arithmetic under test.
                amount = o.total - taken
                o.impossible.discard(ev["event_id"])
            if ev["event_id"] not in o.impossible:
                taken += amount
        if draw(st.integers(0, 7)) == 7:
            # A wrong amount: more than the whole invoice, which no credit note of it can come to.
            amount = o.total + CENT
            o.wrong_after.add(ev["event_id"])
        ev["payment"]["amount"] = str(amount)
        o.after.append(ev)


@st.composite
def scenarios(draw: st.DrawFn) -> Scenario:
    keys = draw(
        st.lists(
            st.tuples(st.sampled_from(SELLER_IDS[:1] * 3 + SELLER_IDS[1:]), st.integers(1, 4)),
            min_size=1,
            max_size=6,
            unique=True,
        )
    )
    orders = []
    for seller_id, no in keys:
        event = paid_event(draw, seller_id, no)
        total = expected_total(event)
        wrong = draw(st.integers(0, 9)) == 9
        event["payment"]["amount"] = str(total + CENT if wrong else total)
        o = Order(seller_id, no, event, total, wrong)
        plan_after_sale(draw, o)
        orders.append(o)
    deliveries: list[str] = []
    for o in orders:
        for ev in [o.event, *o.after]:
            raw = json.dumps(ev)
            deliveries.append(raw)
            if draw(st.integers(0, 4)) == 4:  # redelivered: the same event id
                deliveries.append(raw)
            if draw(st.integers(0, 4)) == 4:  # the same order or refund re-sent under a new event id
                deliveries.append(json.dumps({**ev, "event_id": ev["event_id"] + "-again"}))
    deliveries = draw(st.permutations(deliveries))
    chunks: list[tuple[str, int]] = []
    left = len(deliveries)
    while left:
        size = draw(st.integers(1, min(left, 6)))
        chunks.append((draw(st.sampled_from(["push", "single", "batch", "batch"])), size))
        left -= size
    # Workers whose clocks disagree: each issuing transaction stamps with the next of these offsets.
    # Behind only: a clock ahead would also delay the events it wakes, which is not what is tested here.
    # Or a clock going steadily backwards, a minute per transaction: every stamp would precede the last.
    skews = draw(
        st.one_of(
            st.lists(st.sampled_from([0, 0, -1, -90, -7200]), min_size=1, max_size=5),
            st.just([-60 * k for k in range(100)]),
        )
    )
    # Sometimes every series starts with an invoice stamped by a worker whose clock ran an hour ahead:
    # whatever is issued next, by any path, must not be stamped before it.
    history = []
    if draw(st.booleans()):
        for seller_id in SELLER_IDS:
            event = order(seller_id, ref=f"H-{SELLERS[seller_id].code}")
            event["order_id"] = "CMD-H"
            history.append(json.dumps(event))
    return Scenario(orders, deliveries, chunks, skews, history)


# --- running it ----------------------------------------------------------------------------------


def drain(svc: Mandat, path: str) -> None:
    """Process whatever is due (woken refunds included) by one path; a livelock fails the test."""
    for _ in range(60):
        ids = svc.claim(50 if path == "batch" else 3)
        if not ids:
            return
        if path == "batch":
            svc.process_batch(ids)
        else:
            for row_id in ids:
                svc.process(row_id)
    raise AssertionError(f"the {path} path never ran out of due events")


def run(svc: Mandat, scenario: Scenario) -> None:
    with skewed_clocks([3600]):
        for raw in scenario.history:
            assert svc.accept_and_issue(raw)[1] == "issued"
    with skewed_clocks(scenario.skews):
        _run(svc, scenario)


@contextmanager
def skewed_clocks(skews: list[int]) -> Iterator[None]:
    """The ``now`` each issuing transaction is given comes from a worker whose clock is behind by the
    next offset. SQLite stamps documents with it (never before the series' last, says the law); the
    PostgreSQL statement reads the server's clock and is unaffected."""
    offsets = itertools.cycle([timedelta(seconds=s) for s in skews])
    one, many = repo.issue_document, repo.issue_many

    def issue_document(conn: Connection, draft: Draft, now: datetime, *args: Any) -> tuple[Document, bool]:
        return one(conn, draft, now + next(offsets), *args)

    def issue_many(conn: Connection, drafts: Sequence[Draft], now: datetime, *args: Any) -> dict[int, Document]:
        return many(conn, drafts, now + next(offsets), *args)

    with patch.object(repo, "issue_document", issue_document), patch.object(repo, "issue_many", issue_many):
        yield


def _run(svc: Mandat, scenario: Scenario) -> None:
    todo = iter(scenario.deliveries)
    for path, size in scenario.chunks:
        chunk = [next(todo) for _ in range(size)]
        if path == "push":
            for raw in chunk:
                svc.accept_and_issue(raw)
        else:
            for raw in chunk:
                svc.accept(raw)
            drain(svc, path)
    drain(svc, "batch")
    drain(svc, "single")


def check_scenario(store: Store, scenario: Scenario) -> None:
    """What the scenario implies, on top of the store's own invariants."""
    events = {e["event_id"]: e for e in store.events}
    delivered = {json.loads(raw)["event_id"] for raw in scenario.deliveries + scenario.history}
    arrival: dict[str, int] = {}  # event id (re-sends counted as the event) -> first delivery
    for n, raw in enumerate(scenario.deliveries):
        arrival.setdefault(json.loads(raw)["event_id"].removesuffix("-again"), n)
    assert set(events) == delivered, f"inbox {sorted(events)} for deliveries {sorted(delivered)}"
    for o in scenario.orders:
        paid_ids = [
            i for i in delivered if i.startswith(o.event["event_id"]) and "refund" not in i and "cancel" not in i
        ]
        invoices = [
            d
            for d in store.docs
            if d["kind"] == "invoice" and (d["seller_id"], d["order_id"]) == (o.seller_id, f"CMD-{o.no}")
        ]
        cancels = [i for i in delivered if i.startswith(o.event["event_id"] + "-cancel")]
        closed = [
            i for i in cancels if events[i]["status"] == "cancelled" and events[i]["reason_code"] == "order_cancelled"
        ]
        name = f"{o.seller_id} CMD-{o.no}"
        if o.wrong:
            assert not invoices, f"{name} paid {o.event['payment']['amount']} for {o.total - CENT}: invoiced anyway"
            assert all(events[i]["status"] in ("rejected", "cancelled") for i in paid_ids), name
            continue
        if not invoices:  # only a cancellation that came first may keep a correctly paid order uninvoiced
            assert closed, f"{name} paid correctly ({o.total}) but not invoiced: " + "; ".join(
                f"{i} {events[i]['status']} {events[i]['reason']}" for i in paid_ids
            )
            continue
        (inv,) = invoices
        assert inv["event_id"] in paid_ids, name
        # The hand-computed total is the invoice's (BT-112), and what the buyer was charged.
        assert Decimal(str(inv["json"]["totals"]["tax_inclusive"])) == o.total, f"{name}: {inv['number']} vs {o.total}"
        assert inv["total"] == o.total, name
        # A refund or cancellation the marketplace priced right (its credit notes taken in the order they
        # occurred) is credited, whatever order it was delivered in and by whichever path.
        # (Only before the first refund sent wrong: the amounts after it assumed it was credited. And a
        # refund of lines only once the earlier refunds of lines have arrived: one decided before an
        # earlier one is even received is priced as the first, see the xfail test at the end.)
        for k, ev in enumerate(o.after):
            if ev["event_id"] in o.wrong_after:
                break
            if ev["event_id"] in o.impossible:
                continue
            if _takes_units(ev) and any(
                _takes_units(e)
                and e["event_id"] not in o.impossible
                and arrival[e["event_id"]] > arrival[ev["event_id"]]
                for e in o.after[:k]
            ):
                continue
            outcomes = [events[i] for i in (ev["event_id"], ev["event_id"] + "-again") if i in events]
            issued = [e for e in outcomes if e["status"] == "issued"]
            seen = f"{ev['event_id']} ({ev.get('refund', 'cancel')}, {ev['payment']['amount']}): " + "; ".join(
                f"{e['event_id']} {e['status']} {e['reason']}" for e in outcomes
            )
            assert len(issued) == 1, seen
            assert all(e["status"] in ("issued", "duplicate") for e in outcomes), seen
    for o in scenario.orders:  # a refund of a wrong amount is never credited, whatever came before it
        for eid in o.wrong_after:
            for i in (eid, eid + "-again"):
                if i in events:
                    assert events[i]["status"] != "issued", f"{i} refunds a wrong amount, yet it is credited"


def _takes_units(event: dict[str, Any]) -> bool:
    return event.get("refund", {}).get("kind") in ("lines", "shipping")


def describe(scenario: Scenario) -> str:
    """The scenario in a few lines, printed by hypothesis with a failing example."""
    out = []
    for o in scenario.orders:
        ev = o.event
        lines = ", ".join(
            f"{ln['quantity']} x {ln['unit_price']} -{ln['discount']} @{ln['tax_category']}" for ln in ev["lines"]
        )
        extra = f" shipping {ev['shipping']['amount']}" if "shipping" in ev else ""
        extra += f" voucher {ev['discounts'][0]['amount']}" if ev.get("discounts") else ""
        vat = "incl." if ev["prices_include_vat"] else "excl."
        out.append(f"{ev['event_id']} ({vat} VAT) [{lines}]{extra} paid {ev['payment']['amount']} (total {o.total})")
        for a in o.after:
            flag = (
                " WRONG" if a["event_id"] in o.wrong_after else " impossible" if a["event_id"] in o.impossible else ""
            )
            out.append(f"    {a['event_id']} {a.get('refund', 'cancel')} {a['payment']['amount']}{flag}")
    out.append("deliveries: " + " ".join(json.loads(r)["event_id"] for r in scenario.deliveries))
    out.append(f"paths: {scenario.chunks}; clock offsets: {scenario.skews}; history first: {bool(scenario.history)}")
    return "\n".join(out)


def fresh_store(backend: Mandat) -> Callable[[], tuple[Mandat, Callable[[], None]]]:
    """A new, empty store with the demo sellers for each example: a new SQLite file, or the test's
    PostgreSQL schema emptied (a schema costs ~0.7 s to migrate; emptying it, a few ms)."""

    def make() -> tuple[Mandat, Callable[[], None]]:
        if backend.engine.dialect.name == "postgresql":
            names = ", ".join(t.name for t in metadata.sorted_tables)
            with backend.engine.begin() as conn:
                conn.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY"))
            backend.save_sellers(demo_sellers())
            return backend, lambda: None
        home = Path(tempfile.mkdtemp(prefix="mandat-inv-"))
        svc = Mandat(Settings.from_env(home / "data"))
        svc.migrate()
        svc.save_sellers(demo_sellers())

        def done() -> None:
            svc.engine.dispose()
            shutil.rmtree(home, ignore_errors=True)

        return svc, done

    return make


PROPERTY = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)


@pytest.mark.timeout(300)
@PROPERTY
@given(scenario=scenarios())
def test_every_path_keeps_the_ledger_lawful(backend: Mandat, scenario: Scenario) -> None:
    note(describe(scenario))
    svc, done = fresh_store(backend)()
    try:
        run(svc, scenario)
        store = check_all(svc.engine)
        check_scenario(store, scenario)
    finally:
        done()


# --- found by the property above -------------------------------------------------------------------
#
# Two refunds of half a unit each of one line, on an invoice priced net of VAT: 3 screws at 1.01 at 10 %
# (CGI art. 279). By hand: line net 3 x 1.01 = 3.03, VAT round(3.03 x 10 %) = round(0.303) = 0.30, so
# the buyer paid 3.33 for the line. Credited cumulatively (docs/events.md): after half a unit,
# round(3.33 x 0.5 / 3) = round(0.555) = 0.56 has been refunded (net round(0.505) = 0.51); after one
# unit, round(3.33 / 3) = 1.11 (net 1.01). The marketplace refunded 0.56 (R0, first) then
# 1.11 - 0.56 = 0.55 (R1, a minute later). Delivered the other way round, R1 was credited as if it
# were the first half (0.56), which its 0.55 contradicts: a valid refund was rejected because of the
# delivery order, which docs/events.md promises never changes the outcome.
SCREWS = [
    {
        "sku": "VIS-6X40",
        "description": "Vis 6 x 40",
        "quantity": "3",
        "unit_price": "1.01",
        "tax_category": "intermediate",
    }
]


def _half_unit(refund_id: str, amount: str, minute: int) -> dict[str, Any]:
    return refund(
        refund_id=refund_id,
        scope={"kind": "lines", "lines": [{"line_no": 1, "quantity": "0.5"}]},
        amount=amount,
        occurred_at=f"2026-11-20T09:{minute:02d}:00+01:00",
    )


def _settle(svc: Mandat) -> dict[str, tuple[str, str | None]]:
    drain(svc, "batch")
    drain(svc, "single")
    return {e["event_id"]: (e["status"], e["reason_code"]) for e in check_all(svc.engine).events}


@pytest.mark.parametrize("path", ["single", "batch"])
def test_two_partial_refunds_of_a_line_received_together_are_credited_in_the_order_they_occurred(
    backend: Mandat, path: str
) -> None:
    backend.accept(json.dumps(order(lines=SCREWS, include_vat=False, payment={"amount": "3.33"}, fix_amount=False)))
    drain(backend, path)
    first, second = _half_unit("R0", "0.56", 10), _half_unit("R1", "0.55", 11)
    backend.accept(json.dumps(second))  # delivered first
    backend.accept(json.dumps(first))
    outcome = _settle(backend)
    assert outcome[first["event_id"]] == ("issued", None)
    assert outcome[second["event_id"]] == ("issued", None)
    with backend.engine.connect() as conn:
        notes = conn.execute(
            sa.text("SELECT event_id, number, total FROM documents WHERE kind = 'credit_note' ORDER BY seq")
        ).all()
    assert [(e, n, Decimal(str(t))) for e, n, t in notes] == [
        (first["event_id"], "A-ABJ-000001", Decimal("0.56")),
        (second["event_id"], "A-ABJ-000002", Decimal("0.55")),
    ]


@pytest.mark.xfail(
    strict=True,
    reason="issue 12: a partial refund decided before an earlier one of the same line is even received is "
    "priced as the first and rejected (refund_amount); rules/credit_note.py rejects any mismatch at once",
)
def test_a_later_partial_refund_decided_before_the_earlier_one_arrives_is_still_credited(backend: Mandat) -> None:
    backend.accept(json.dumps(order(lines=SCREWS, include_vat=False, payment={"amount": "3.33"}, fix_amount=False)))
    drain(backend, "single")
    first, second = _half_unit("R0", "0.56", 10), _half_unit("R1", "0.55", 11)
    backend.accept(json.dumps(second))
    drain(backend, "single")  # decided alone
    backend.accept(json.dumps(first))
    outcome = _settle(backend)
    assert outcome[first["event_id"]] == ("issued", None)
    assert outcome[second["event_id"]] == ("issued", None)
