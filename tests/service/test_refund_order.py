"""A full refund and a partial refund of one order: the outcome does not depend on delivery order.

Issue 11: processed partial-then-full, both were credited; processed full-then-partial, the full
refund took "everything that remains" (more than its payment proof said) and was rejected. The rule
now: a full refund or cancellation is credited in the order the refunds occurred (it waits for an
earlier sibling still undecided), and a full refund short of what remains waits for the missing
refund instead of being rejected.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest

from mandat.domain.credit import remaining
from mandat.service.app import Mandat
from mandat.service.audit import audit
from tests.factories import cancellation, order, refund
from tests.service.test_credit_notes import credit_notes, credited, event_row, invoice_of, send
from tests.service.test_flow import drain

# order() bills 3 bags of compost at 8.90 (VAT included) and a stère of logs at 119.00.
BAG = Decimal("8.90")


def partial(occurred_at: str = "2026-11-20T09:00:00+01:00") -> dict[str, Any]:
    return refund(
        refund_id="R1",
        scope={"kind": "lines", "lines": [{"sku": "ABJ-COMPOST-40", "quantity": "1"}]},
        amount=BAG,
        occurred_at=occurred_at,
    )


def full(amount: Decimal, occurred_at: str = "2026-11-20T10:00:00+01:00") -> dict[str, Any]:
    return refund(refund_id="R2", scope={"kind": "full"}, amount=amount, occurred_at=occurred_at)


def outcome(svc: Mandat) -> tuple[list[str], list[Decimal], dict[str, str]]:
    notes = credit_notes(svc)
    return (
        [n.idempotency_key.rsplit(":", 1)[1] for n in notes],
        [n.totals.tax_inclusive for n in notes],
        {e: event_row(svc, e).status for e in ("evt-0001-refund-R1", "evt-0001-refund-R2")},
    )


@pytest.mark.parametrize("delivery", ["partial_first", "full_first_together", "full_first_alone"])
def test_full_and_partial_refund_give_the_same_result_in_any_delivery_order(backend: Mandat, delivery: str) -> None:
    send(backend, order())
    total = invoice_of(backend).totals.tax_inclusive
    r1, r2 = partial(), full(total - BAG)  # the marketplace refunded the bag, then the rest
    if delivery == "partial_first":
        assert send(backend, r1) == "issued"
        assert send(backend, r2) == "issued"
    elif delivery == "full_first_together":
        backend.accept(json.dumps(r2))
        backend.accept(json.dumps(r1))
        drain(backend)
    else:  # the full refund is processed before the partial one is even received
        assert send(backend, r2) == "waiting"
        row = event_row(backend, r2["event_id"])
        assert row.reason_code == "refund_amount_short"
        assert str(total - BAG) in (row.reason or "")
        assert str(total) in (row.reason or "")
        assert send(backend, r1) == "issued"  # and wakes the full refund, now matching its proof
    assert outcome(backend) == (["R1", "R2"], [BAG, total - BAG], {r1["event_id"]: "issued", r2["event_id"]: "issued"})
    assert remaining(invoice_of(backend), credited(backend)).total == 0
    assert audit(backend.engine, backend.blobs).ok


def test_full_refund_waits_for_an_earlier_partial_one_received_after_it(backend: Mandat) -> None:
    """Both received before either is processed, the full one first: it waits for the earlier one."""
    send(backend, order())
    total = invoice_of(backend).totals.tax_inclusive
    backend.accept(json.dumps(full(total - BAG)))
    backend.accept(json.dumps(partial()))
    ids = backend.claim(10)
    assert backend.process(ids[0]) == "waiting"  # the full refund, received first
    row = event_row(backend, "evt-0001-refund-R2")
    assert row.reason_code == "sibling_refund_pending"
    assert "evt-0001-refund-R1" in (row.reason or "")
    assert backend.process(ids[1]) == "issued"  # the partial refund, which wakes the full one
    drain(backend)
    assert outcome(backend)[1] == [BAG, total - BAG]


def test_a_partial_refund_that_occurred_after_a_full_one_finds_nothing_left_in_any_order(backend: Mandat) -> None:
    """The full refund came first (it refunded everything); a later partial refund is refused either way."""
    send(backend, order())
    total = invoice_of(backend).totals.tax_inclusive
    r_full = full(total, occurred_at="2026-11-20T09:00:00+01:00")
    r_late = partial(occurred_at="2026-11-20T11:00:00+01:00")
    backend.accept(json.dumps(r_late))  # delivered first
    backend.accept(json.dumps(r_full))
    drain(backend)
    assert event_row(backend, r_full["event_id"]).status == "issued"
    assert event_row(backend, r_late["event_id"]).status == "rejected"
    assert [n.totals.tax_inclusive for n in credit_notes(backend)] == [total]


def test_a_cancellation_waits_for_an_earlier_partial_refund(backend: Mandat) -> None:
    send(backend, order())
    total = invoice_of(backend).totals.tax_inclusive
    backend.accept(json.dumps(cancellation(amount=total - BAG, occurred_at="2026-11-21T09:00:00+01:00")))
    backend.accept(json.dumps(partial()))
    drain(backend)
    assert [n.totals.tax_inclusive for n in credit_notes(backend)] == [BAG, total - BAG]
    assert event_row(backend, "evt-0001-cancel").status == "issued"


def test_a_full_refund_above_what_remains_is_still_rejected(backend: Mandat) -> None:
    send(backend, order())
    total = invoice_of(backend).totals.tax_inclusive
    assert send(backend, full(total + Decimal("1.00"))) == "rejected"
    assert event_row(backend, "evt-0001-refund-R2").reason_code == "refund_amount"
