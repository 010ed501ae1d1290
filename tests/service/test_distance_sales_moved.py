"""A sale whose distance-sales count moved between its draft and its number (Directive 2006/112/EC art. 59c)
ends ``waiting`` (distance_sales_moved), retried soon, never ``failed``; decided again on the new count it is
issued. The OSS rules that make such drafts are not needed: the draft is given its tally here, as the
rules would, from the service's own count lookup (``Mandat.distance_count``).

By hand: the order is 145.70 paid; the count is 0 when the draft is made, so the draft assumes
0 + 145.70 <= 10,000.00 (taxed in the seller's country, limit 10,000.00). Another document then moves
the count to 9,900.00: 9,900.00 + 145.70 = 10,045.70 > 10,000.00, so nothing is issued. Decided again
on 9,900.00 the sale is taxed at destination (no limit) and counted: 10,045.70.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa

from mandat.domain.drafts import Draft, Tally
from mandat.rules import draft as rules_draft
from mandat.service import app as service_app
from mandat.service.app import Mandat
from mandat.store import repository as repo
from mandat.store.schema import distance_sales, documents, inbox
from tests.factories import order

LIMIT = Decimal("10000.00")
AMOUNT = Decimal("145.70")


def moving_count(svc: Mandat, monkeypatch: pytest.MonkeyPatch) -> list[Decimal | None]:
    """Give every invoice draft a tally decided on the count it reads; the first time, move the count
    to 9,900.00 right after the draft, as another document would. Returns the limits decided."""
    decided: list[Decimal | None] = []
    real: Callable[..., Draft] = rules_draft.draft_invoice

    def drafting(*args: Any, counts: rules_draft.CountLookup = rules_draft.no_counts, **kwargs: Any) -> Draft:
        d = real(*args, counts=counts, **kwargs)
        count = counts(d.seller_id, 2026)
        limit = LIMIT if count + AMOUNT <= LIMIT else None
        decided.append(limit)
        if len(decided) == 1:
            with svc.engine.begin() as conn:
                conn.execute(
                    distance_sales.insert().values(
                        seller_id=d.seller_id,
                        year=2026,
                        currency="EUR",
                        total=Decimal("9900.00"),
                        updated_at=repo.utcnow(),
                    )
                )
        return dataclasses.replace(d, tally=Tally(2026, AMOUNT, "EUR", limit))

    monkeypatch.setattr(service_app, "draft_invoice", drafting)
    return decided


def docs(svc: Mandat) -> int:
    with svc.engine.connect() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(documents)).scalar_one())


def count(svc: Mandat) -> Decimal:
    with svc.engine.connect() as conn:
        return repo.distance_sales_count(conn, "atelier-bois", 2026)


def test_a_moved_count_leaves_the_event_waiting_then_it_issues(
    backend: Mandat, monkeypatch: pytest.MonkeyPatch
) -> None:
    svc = backend
    decided = moving_count(svc, monkeypatch)
    svc.accept(json.dumps(order(ref="0001")))
    (row_id,) = svc.claim()
    assert svc.process(row_id) == "waiting"
    with svc.engine.connect() as conn:
        row = conn.execute(sa.select(inbox).where(inbox.c.id == row_id)).one()
    assert (row.status, row.reason_code) == ("waiting", "distance_sales_moved")
    assert "9900.00 EUR" in row.reason
    assert "10045.70" in row.reason
    # Retried soon: the first attempt's backoff, 2 s (not the 30-fold one of a payment not captured).
    assert repo.as_utc(row.available_at) - repo.as_utc(row.updated_at) == timedelta(seconds=2)  # type: ignore[operator]
    assert (docs(svc), count(svc)) == (0, Decimal("9900.00"))
    # Its time comes: decided again on 9,900.00 (taxed at destination, no limit) and issued.
    with svc.engine.begin() as conn:
        conn.execute(inbox.update().where(inbox.c.id == row_id).values(available_at=repo.utcnow()))
    assert svc.claim() == [row_id]
    assert svc.process(row_id) == "issued"
    assert decided == [LIMIT, None]
    assert (docs(svc), count(svc)) == (1, Decimal("10045.70"))


def test_a_moved_count_in_a_batch_is_decided_again_and_issued(backend: Mandat, monkeypatch: pytest.MonkeyPatch) -> None:
    svc = backend
    decided = moving_count(svc, monkeypatch)
    svc.accept(json.dumps(order(ref="0001")))
    ids = svc.claim()
    issued = svc.process_batch(ids)
    # The batch could not issue it (the count moved); the one-by-one path drafted it again and issued it.
    assert issued == []
    assert decided == [LIMIT, None]
    with svc.engine.connect() as conn:
        assert repo.count_inbox_by_status(conn) == {"issued": 1}
    assert (docs(svc), count(svc)) == (1, Decimal("10045.70"))
