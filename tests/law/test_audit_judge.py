"""The judge (``mandat audit``) on ledgers tampered by hand in the database, on both backends.

Each defect a tax auditor looks for first (CGI 242 nonies A: chronological, continuous numbering
without gaps; BOI-TVA-DECLA-30-20-20: integrity of issued invoices) must be reported and fail the audit.
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from mandat.service.app import Mandat
from mandat.service.audit import AuditReport, SeriesAudit, audit
from mandat.store.schema import documents, series
from tests.factories import order

WHERE = (documents.c.seller_id == "atelier-bois") & (documents.c.series == "F")


@pytest.fixture
def ledger(backend: Mandat) -> Mandat:
    """Three invoices of atelier-bois, numbers 1, 2, 3, rendered."""
    for ref in ("0001", "0002", "0003"):
        assert backend.accept(json.dumps(order(ref=ref))).status == "pending"
    while backend.work_once(100) != (0, 0):
        pass
    return backend


def judge(svc: Mandat) -> tuple[AuditReport, SeriesAudit]:
    report = audit(svc.engine, svc.blobs)
    (s,) = [s for s in report.series if s.seller_id == "atelier-bois"]
    return report, s


def seq_row(svc: Mandat, seq: int) -> sa.Row:  # type: ignore[type-arg]
    with svc.engine.connect() as conn:
        return conn.execute(sa.select(documents).where(WHERE & (documents.c.seq == seq))).one()


def change(svc: Mandat, stmt: sa.Executable) -> None:
    with svc.engine.begin() as conn:
        conn.execute(stmt)


def test_series_name_used_by_these_tests(ledger: Mandat) -> None:
    with ledger.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(documents).where(WHERE)).scalar_one() == 3


def test_clean_ledger_passes(ledger: Mandat) -> None:
    report, s = judge(ledger)
    assert report.ok, report
    assert (s.count, s.gaps, s.duplicates, s.backwards, s.chain_breaks, s.head_mismatch) == (3, [], [], [], [], None)


def test_gap_is_reported(ledger: Mandat) -> None:
    # Number 3 renumbered 4 (and the head with it): number 3 is missing.
    change(ledger, sa.update(documents).where(WHERE & (documents.c.seq == 3)).values(seq=4))
    change(
        ledger,
        sa.update(series).where((series.c.seller_id == "atelier-bois") & (series.c.series == "F")).values(last_seq=4),
    )
    report, s = judge(ledger)
    assert s.gaps == [3]
    assert not report.ok


def test_duplicate_number_cannot_be_stored(ledger: Mandat) -> None:
    # The database itself refuses a second document with the same number in a series.
    with pytest.raises(IntegrityError), ledger.engine.begin() as conn:
        conn.execute(sa.update(documents).where(WHERE & (documents.c.seq == 3)).values(seq=2))


def test_time_going_backwards_is_reported(ledger: Mandat) -> None:
    first = seq_row(ledger, 1)
    change(
        ledger,
        sa.update(documents)
        .where(WHERE & (documents.c.seq == 3))
        .values(issued_at=first.issued_at - timedelta(seconds=1)),
    )
    report, s = judge(ledger)
    assert s.backwards == [seq_row(ledger, 3).number]
    assert not report.ok


def test_series_head_ahead_of_the_documents_is_reported(ledger: Mandat) -> None:
    # A number taken from the counter and lost: the head says 4, the last document is 3.
    change(
        ledger,
        sa.update(series).where((series.c.seller_id == "atelier-bois") & (series.c.series == "F")).values(last_seq=4),
    )
    report, s = judge(ledger)
    assert s.head_mismatch is not None
    assert not report.ok


def test_series_head_hash_moved_is_reported(ledger: Mandat) -> None:
    change(
        ledger,
        sa.update(series)
        .where((series.c.seller_id == "atelier-bois") & (series.c.series == "F"))
        .values(last_hash="0" * 64),
    )
    report, s = judge(ledger)
    assert s.head_mismatch is not None
    assert not report.ok


def test_edited_record_breaks_the_hash_chain(ledger: Mandat) -> None:
    row = seq_row(ledger, 2)
    data = json.loads(row.data)
    data["buyer"]["name"] = "Quelqu'un d'autre"
    change(ledger, sa.update(documents).where(documents.c.id == row.id).values(data=json.dumps(data)))
    report, s = judge(ledger)
    assert s.chain_breaks == [row.number]
    assert not report.ok


def test_relinked_prev_hash_breaks_the_hash_chain(ledger: Mandat) -> None:
    row = seq_row(ledger, 3)
    change(ledger, sa.update(documents).where(documents.c.id == row.id).values(prev_hash="f" * 64))
    report, s = judge(ledger)
    assert s.chain_breaks == [row.number]
    assert not report.ok
