"""A credit note is never dated before the invoice it corrects (it names that invoice's number and date,
CGI art. 242 nonies A and EN 16931 BT-25/BT-26), even when the worker that issues it has a clock behind the
one that issued the invoice. Credit notes have a series of their own, so the series' chronology alone does
not ensure it (found by tests/service/test_invariants.py with a worker clock 2 h behind)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from mandat.service.app import Mandat
from mandat.store import repository as repo
from mandat.store.schema import documents
from tests.factories import order, refund
from tests.service.test_flow import drain


def test_a_credit_note_issued_by_a_clock_two_hours_behind_is_stamped_at_its_invoice(
    backend: Mandat, monkeypatch: pytest.MonkeyPatch
) -> None:
    backend.accept(json.dumps(order()))
    drain(backend)
    real = repo.utcnow

    def two_hours_behind() -> datetime:
        return real() - timedelta(hours=2)

    monkeypatch.setattr(repo, "utcnow", two_hours_behind)
    backend.accept(json.dumps(refund(amount="145.70")))  # the whole order (factories.order's total)
    drain(backend)
    with backend.engine.connect() as conn:
        rows = {
            r.kind: repo.as_utc(r.issued_at) for r in conn.execute(sa.select(documents.c.kind, documents.c.issued_at))
        }
    assert set(rows) == {"invoice", "credit_note"}
    assert rows["credit_note"] >= rows["invoice"]  # type: ignore[operator]
