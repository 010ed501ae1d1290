"""The judge (``service/audit.py``) field by field: the mutants the ledger tests let through.

Every expected value below is worked out by hand from the audit's rule (CGI 242 nonies A: numbers 1..N
per series, no gap, no duplicate, issue times never backwards; each document with its two files; every
issued event pointing at a document), from ledgers built here and then tampered with in the database.
Numbers follow the demo sellers' series ``F-{code}-{seq:06}``: atelier-bois is ABJ, thermoconfort TCI.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from mandat.domain.credit import Credited
from mandat.domain.documents import Document
from mandat.service.app import Mandat
from mandat.service.audit import AuditReport, SeriesAudit, audit, credit_problems
from mandat.store import repository as repo
from mandat.store.schema import documents, inbox, orders, outbox, series
from tests.factories import order, refund, total_of


def issue(svc: Mandat, seller_id: str, refs: Iterable[str]) -> None:
    """Invoices of ``seller_id``, one per ref, issued and rendered in the order given."""
    for ref in refs:
        assert svc.accept(json.dumps(order(seller_id, ref=f"{seller_id[:3]}{ref}"))).status == "pending"
        while svc.work_once(100) != (0, 0):
            pass


def change(svc: Mandat, stmt: sa.Executable) -> None:
    with svc.engine.begin() as conn:
        conn.execute(stmt)


def rows(svc: Mandat, seller_id: str = "atelier-bois") -> list[sa.Row]:  # type: ignore[type-arg]
    with svc.engine.connect() as conn:
        return list(
            conn.execute(sa.select(documents).where(documents.c.seller_id == seller_id).order_by(documents.c.seq))
        )


def abj(seq: int) -> str:
    return f"F-ABJ-{seq:06d}"


def only(report: AuditReport, seller_id: str = "atelier-bois") -> SeriesAudit:
    (s,) = [s for s in report.series if s.seller_id == seller_id]
    return s


@pytest.fixture
def three(service: Mandat) -> Mandat:
    """atelier-bois: F-ABJ-000001..3, rendered."""
    issue(service, "atelier-bois", ("1", "2", "3"))
    return service


def test_two_clean_series_are_reported_each_from_its_own_start(service: Mandat) -> None:
    # thermoconfort issues first, so its times are all earlier than atelier-bois's; the audit walks
    # atelier-bois first (ordered by seller): each series starts again from number 1, the genesis
    # hash and no previous time, else thermoconfort's first document would look like a gap, a
    # chain break and a time going backwards.
    issue(service, "thermoconfort", ("1", "2"))
    issue(service, "atelier-bois", ("1", "2", "3"))
    report = audit(service.engine, service.blobs)
    assert report.series == [
        SeriesAudit("atelier-bois", "F", count=3, first=abj(1), last=abj(3)),
        SeriesAudit("thermoconfort", "F", count=2, first="F-TCI-000001", last="F-TCI-000002"),
    ]
    # 5 documents, 2 files each (PDF and XML).
    assert (report.documents, report.files_checked, report.unrendered) == (5, 10, 0)
    assert (report.file_problems, report.render_problems, report.inbox_problems) == ([], [], [])
    assert (report.credited_invoices, report.credit_problems) == (0, [])
    assert report.ok
    # One seller's audit: only its series, its documents and files.
    mine = audit(service.engine, service.blobs, seller_id="thermoconfort")
    assert mine.series == [SeriesAudit("thermoconfort", "F", count=2, first="F-TCI-000001", last="F-TCI-000002")]
    assert (mine.documents, mine.files_checked) == (2, 4)


def test_missing_first_number_is_a_gap(three: Mandat) -> None:
    # Renumber 1, 2, 3 as 2, 3, 4 (from the top, for the UNIQUE constraint) and the head to 4: the
    # chain and the head still agree, only number 1 is missing.
    for seq in (3, 2, 1):
        change(
            three,
            documents.update()
            .where((documents.c.seller_id == "atelier-bois") & (documents.c.seq == seq))
            .values(seq=seq + 1),
        )
    change(three, series.update().where(series.c.seller_id == "atelier-bois").values(last_seq=4))
    s = only(audit(three.engine, three.blobs))
    assert (s.gaps, s.duplicates, s.backwards, s.chain_breaks, s.head_mismatch) == ([1], [], [], [], None)
    assert not s.ok


def test_two_missing_numbers_are_both_reported(three: Mandat) -> None:
    # 1, 2, 5 (the head at 5): 3 and 4 are missing, nothing else wrong.
    change(
        three,
        documents.update().where((documents.c.seller_id == "atelier-bois") & (documents.c.seq == 3)).values(seq=5),
    )
    change(three, series.update().where(series.c.seller_id == "atelier-bois").values(last_seq=5))
    s = only(audit(three.engine, three.blobs))
    assert (s.gaps, s.duplicates, s.backwards, s.chain_breaks, s.head_mismatch) == ([3, 4], [], [], [], None)


def test_a_number_used_twice_is_a_duplicate(three: Mandat, monkeypatch: pytest.MonkeyPatch) -> None:
    # The UNIQUE (seller, series, seq) constraint keeps a duplicate out of a sound database; a copied
    # or restored ledger may still hold one, and the judge must say so. Here the rows read are
    # 1, 2, 2, 3: number 2 twice. The second 2 also breaks the chain (its prev_hash is number 1's
    # hash, not number 2's); number 3 follows the second 2, whose hash is number 2's, so it links.
    original = repo.document_rows

    def twice(conn: sa.Connection, seller_id: str | None = None) -> Iterator[repo.DocumentRow]:
        for row in original(conn, seller_id):
            yield row
            if row.seq == 2:
                yield row

    monkeypatch.setattr(repo, "document_rows", twice)
    report = audit(three.engine, three.blobs)
    s = only(report)
    assert (s.count, s.gaps, s.duplicates, s.backwards, s.chain_breaks) == (4, [], [2], [], [abj(2)])
    assert report.documents == 4


def test_equal_issue_times_are_not_backwards_but_one_microsecond_earlier_is(three: Mandat) -> None:
    _, second, third = rows(three)
    # Same instant as number 2: the time did not go backwards.
    change(three, documents.update().where(documents.c.id == third.id).values(issued_at=second.issued_at))
    report = audit(three.engine, three.blobs)
    assert only(report).backwards == []
    assert report.ok
    change(
        three,
        documents.update()
        .where(documents.c.id == third.id)
        .values(issued_at=second.issued_at - timedelta(microseconds=1)),
    )
    assert only(audit(three.engine, three.blobs)).backwards == [abj(3)]


def test_backwards_is_judged_against_the_previous_document_not_the_first(three: Mandat) -> None:
    first, second, third = rows(three)
    # Number 3 between numbers 1 and 2: after 1 but before 2, so backwards.
    between = first.issued_at + (second.issued_at - first.issued_at) / 2
    assert first.issued_at < between < second.issued_at
    change(three, documents.update().where(documents.c.id == third.id).values(issued_at=between))
    assert only(audit(three.engine, three.blobs)).backwards == [abj(3)]


def test_only_the_document_that_went_back_is_reported(three: Mandat) -> None:
    first, second, _ = rows(three)
    # Number 2 a second before number 1: 2 went back; 3 is after 2 (and after 1): not reported.
    change(
        three,
        documents.update().where(documents.c.id == second.id).values(issued_at=first.issued_at - timedelta(seconds=1)),
    )
    assert only(audit(three.engine, three.blobs)).backwards == [abj(2)]


def test_record_hash_edited_alone_breaks_the_chain(three: Mandat) -> None:
    # The JSON's own "hash" field changed, column and contents untouched: the record no longer
    # carries the hash it was chained with.
    row = rows(three)[1]
    data = json.loads(row.data)
    data["hash"] = "e" * 64
    change(three, documents.update().where(documents.c.id == row.id).values(data=json.dumps(data)))
    s = only(audit(three.engine, three.blobs))
    assert (s.chain_breaks, s.head_mismatch) == ([abj(2)], None)


def test_hash_column_edited_breaks_this_link_and_the_next(three: Mandat) -> None:
    # Number 2's hash column no longer matches its record (break at 2), and number 3's prev_hash,
    # still the true hash of 2, no longer matches the column read before it (break at 3).
    row = rows(three)[1]
    change(three, documents.update().where(documents.c.id == row.id).values(hash="d" * 64))
    s = only(audit(three.engine, three.blobs))
    assert (s.chain_breaks, s.gaps, s.head_mismatch) == ([abj(2), abj(3)], [], None)


def test_series_head_message_names_the_head_and_the_last_number(three: Mandat) -> None:
    last_hash = rows(three)[2].hash
    change(three, series.update().where(series.c.seller_id == "atelier-bois").values(last_seq=4))
    s = only(audit(three.engine, three.blobs))
    assert s.head_mismatch == f"series head (4, '{last_hash}') but last document is 3"
    change(three, series.delete().where(series.c.seller_id == "atelier-bois"))
    s = only(audit(three.engine, three.blobs))
    assert s.head_mismatch == "series head None but last document is 3"
    assert not s.ok


def test_documents_without_files_are_problems_with_their_reason(service: Mandat) -> None:
    # Issued, never rendered: the render task is still pending.
    assert service.accept(json.dumps(order(ref="1"))).status == "pending"
    (row_id,) = service.claim(10)
    assert service.process(row_id) == "issued"
    report = audit(service.engine, service.blobs)
    assert (report.unrendered, report.files_checked) == (1, 0)
    assert report.render_problems == [f"{abj(1)}: no file yet, rendering pending"]
    assert report.file_problems == []
    assert not report.ok
    # A render tried and failed once, to be retried: its last error is shown.
    change(service, outbox.update().values(last_error="font cache unreadable"))
    report = audit(service.engine, service.blobs)
    assert report.render_problems == [f"{abj(1)}: no file yet, rendering pending (last error: font cache unreadable)"]
    # Given up.
    change(service, documents.update().values(render_status="failed"))
    change(service, outbox.update().values(status="failed"))
    report = audit(service.engine, service.blobs)
    assert report.render_problems == [f"{abj(1)}: no file, rendering failed: font cache unreadable"]
    assert report.unrendered == 1
    assert not report.ok


def test_every_document_without_its_file_is_counted(service: Mandat) -> None:
    # Two issued, neither rendered: 2 unrendered, one problem each, in number order.
    for ref in ("1", "2"):
        assert service.accept(json.dumps(order(ref=ref))).status == "pending"
    for row_id in service.claim(10):
        assert service.process(row_id) == "issued"
    report = audit(service.engine, service.blobs)
    assert report.unrendered == 2
    assert report.render_problems == [
        f"{abj(1)}: no file yet, rendering pending",
        f"{abj(2)}: no file yet, rendering pending",
    ]


def test_missing_or_altered_files_are_problems(three: Mandat) -> None:
    first, second, third = rows(three)
    # Number 1's PDF key points nowhere; number 2's XML recorded with another checksum (blobs are
    # write-once, so the bytes cannot be replaced); number 3's PDF key lost.
    change(three, documents.update().where(documents.c.id == first.id).values(pdf_key="nowhere/missing.pdf"))
    change(three, documents.update().where(documents.c.id == second.id).values(xml_sha256="0" * 64))
    change(three, documents.update().where(documents.c.id == third.id).values(pdf_key=None))
    report = audit(three.engine, three.blobs)
    assert report.files_checked == 6
    assert report.file_problems == [
        f"{abj(1)}: nowhere/missing.pdf missing or checksum differs",
        f"{abj(2)}: {second.xml_key} missing or checksum differs",
        f"{abj(3)}: None missing or checksum differs",
    ]
    assert not report.ok
    # Without the file check: nothing read, nothing reported, and the series themselves are fine.
    quick = audit(three.engine, three.blobs, check_files=False)
    assert (quick.files_checked, quick.file_problems) == (0, [])
    assert quick.ok


def test_issued_event_without_its_document_is_reported_for_its_seller_only(service: Mandat) -> None:
    issue(service, "atelier-bois", ("1", "2"))
    issue(service, "thermoconfort", ("1",))
    # evt-ate1 says issued but names no document; evt-ate2 is marked duplicate of a missing one;
    # thermoconfort's event points to a document that does not exist.
    change(service, inbox.update().where(inbox.c.event_id == "evt-ate1").values(document_id=None))
    change(
        service,
        inbox.update().where(inbox.c.event_id == "evt-ate2").values(status="duplicate", document_id="gone"),
    )
    change(service, inbox.update().where(inbox.c.event_id == "evt-the1").values(document_id="gone"))
    report = audit(service.engine, service.blobs)
    assert sorted(report.inbox_problems) == [
        "event evt-ate1 marked issued without a document",
        "event evt-ate2 marked issued without a document",
        "event evt-the1 marked issued without a document",
    ]
    assert not report.ok
    mine = audit(service.engine, service.blobs, seller_id="thermoconfort")
    assert mine.inbox_problems == ["event evt-the1 marked issued without a document"]
    # A rejected event has no document by definition: not a problem.
    change(service, inbox.update().where(inbox.c.event_id == "evt-the1").values(status="rejected"))
    assert audit(service.engine, service.blobs, seller_id="thermoconfort").inbox_problems == []


# --- credit notes: credit_problems, recomputed from the records alone ------------------------------


@pytest.fixture
def credited_once(service: Mandat) -> tuple[Document, Document]:
    """F-ABJ-000001 (order 0001) and its full credit note A-ABJ-000001."""
    assert service.accept(json.dumps(order(ref="0001"))).status == "pending"
    while service.work_once(100) != (0, 0):
        pass
    amount = total_of(order(ref="0001"))
    service.accept(json.dumps(refund(refund_id="R1", scope={"kind": "full"}, amount=amount)))
    while service.work_once(100) != (0, 0):
        pass
    with service.engine.connect() as conn:
        ((invoice_id, notes),) = repo.credit_notes_by_invoice(conn).items()
        invoice = repo.get_document(conn, doc_id=invoice_id)
    assert invoice is not None
    assert [n.number for n in notes] == ["A-ABJ-000001"]
    return invoice, notes[0]


def test_credit_notes_of_something_not_an_invoice(credited_once: tuple[Document, Document]) -> None:
    invoice, note = credited_once
    twin = note.model_copy(update={"number": "A-ABJ-000002"})
    expected = ["credit notes A-ABJ-000001, A-ABJ-000002 correct a document that is not an issued invoice"]
    assert credit_problems(None, [note, twin], None) == expected
    assert credit_problems(note, [note, twin], None) == expected  # a credit note is not an invoice
    # The full credit of the invoice is sound.
    assert credit_problems(invoice, [note], None) == []


def test_a_credit_note_naming_another_invoice_or_none(credited_once: tuple[Document, Document]) -> None:
    invoice, note = credited_once
    assert note.corrects is not None
    orphan = note.model_copy(update={"corrects": None})
    assert credit_problems(invoice, [orphan], None) == [
        f"A-ABJ-000001 names None instead of F-ABJ-000001 of {invoice.issue_date}"
    ]
    elsewhere = note.model_copy(update={"corrects": note.corrects.model_copy(update={"number": "F-ABJ-000009"})})
    (problem,) = credit_problems(invoice, [elsewhere], None)
    assert problem.startswith("A-ABJ-000001 names ")
    assert "F-ABJ-000009" in problem
    assert problem.endswith(f" instead of F-ABJ-000001 of {invoice.issue_date}")


def test_a_line_credited_beyond_its_quantity_alone_is_reported(credited_once: tuple[Document, Document]) -> None:
    invoice, note = credited_once
    # The note's first line says one more unit than the invoice line, same net and gross: beyond in
    # quantity only (and per rate and in total nothing is beyond).
    line = note.lines[0]
    more = line.model_copy(update={"quantity": line.quantity + 1})
    tampered = note.model_copy(update={"lines": [more, *note.lines[1:]]})
    assert credit_problems(invoice, [tampered], None) == [
        f"F-ABJ-000001 line {line.id} credited beyond its amount by A-ABJ-000001"
    ]


def test_a_rate_credited_beyond_its_net_alone_is_reported(credited_once: tuple[Document, Document]) -> None:
    invoice, note = credited_once
    # One cent more net on the note's first line, gross unchanged: the line is beyond in net, its rate
    # is beyond in net (left -0.01), the total incl. VAT is not beyond.
    line = note.lines[0]
    more = line.model_copy(update={"net_amount": line.net_amount + Decimal("0.01")})
    tampered = note.model_copy(update={"lines": [more, *note.lines[1:]]})
    assert credit_problems(invoice, [tampered], None) == [
        f"F-ABJ-000001 line {line.id} credited beyond its amount by A-ABJ-000001",
        f"F-ABJ-000001 VAT {line.vat_category} {line.vat_rate}% credited beyond its total by A-ABJ-000001",
    ]


def test_the_orders_ledger_must_agree_with_the_credit_notes(credited_once: tuple[Document, Document]) -> None:
    invoice, note = credited_once
    state = Credited.from_credit_notes(invoice, [note])
    assert credit_problems(invoice, [note], state.to_json()) == []
    assert credit_problems(invoice, [note], Credited().to_json()) == [
        "F-ABJ-000001: the orders ledger disagrees with its credit notes A-ABJ-000001"
    ]


def test_credited_invoices_are_counted_for_their_seller_only(service: Mandat) -> None:
    # Orders 0001 and 0002 of atelier-bois, each invoiced then refunded in full: two credited
    # invoices; thermoconfort has none.
    for ref in ("0001", "0002"):
        assert service.accept(json.dumps(order(ref=ref))).status == "pending"
        while service.work_once(100) != (0, 0):
            pass
        service.accept(json.dumps(refund(ref, refund_id="R1", amount=total_of(order(ref=ref)))))
        while service.work_once(100) != (0, 0):
            pass
    report = audit(service.engine, service.blobs)
    assert (report.credited_invoices, report.credit_problems) == (2, [])
    assert report.ok
    assert audit(service.engine, service.blobs, seller_id="atelier-bois").credited_invoices == 2
    assert audit(service.engine, service.blobs, seller_id="thermoconfort").credited_invoices == 0
    # Every credit note moves its order's ledger row (credited state, version). Order 0001's row says
    # nothing was credited; order 0002's row lost its version (read as no ledger entry at all):
    # each invoice has its own problem, both reported.
    change(
        service, orders.update().where(orders.c.order_id == "CMD-0001").values(credited='{"lines": {}, "rates": {}}')
    )
    change(service, orders.update().where(orders.c.order_id == "CMD-0002").values(credit_version=0))
    assert sorted(audit(service.engine, service.blobs).credit_problems) == [
        "F-ABJ-000001: the orders ledger disagrees with its credit notes A-ABJ-000001",
        "F-ABJ-000002: the orders ledger disagrees with its credit notes A-ABJ-000002",
    ]
