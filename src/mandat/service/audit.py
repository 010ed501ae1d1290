"""Sequence and integrity audit: what a tax auditor (or the seller) checks first.

Per series: numbers 1..N with no gap and no duplicate, issue times never going
backwards, the hash chain intact (every record re-hashed from its stored JSON),
and every rendered file present with its recorded sha256; a document without its
files (rendering failed, or not done yet) is a problem too. Across the inbox:
every issued event points to a document. Per invoice: its credit notes name it
(number and date), never credit more than it holds, per line (quantity, net,
gross) or per VAT rate, and agree with the orders ledger.

A series is its owner's (``documents.series_owner``): a seller's own, or the marketplace's
("@<id>"), in which it numbers the documents it issues in its own name as deemed supplier
(Directive 2006/112/EC art. 14a) for all sellers' orders, as one continuous sequence (art. 226(2)).
Continuity is checked per (owner, series).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from mandat.domain.credit import Credited, remaining
from mandat.domain.documents import Document
from mandat.store import repository as repo
from mandat.store.blobs import BlobStore, sha256
from mandat.store.schema import documents, inbox


@dataclass
class SeriesAudit:
    seller_id: str  # the series' owner: a seller id, or "@<marketplace id>" for the marketplace's series
    series: str
    count: int = 0
    first: str | None = None
    last: str | None = None
    gaps: list[int] = field(default_factory=list)
    duplicates: list[int] = field(default_factory=list)
    backwards: list[str] = field(default_factory=list)
    chain_breaks: list[str] = field(default_factory=list)
    head_mismatch: str | None = None

    @property
    def ok(self) -> bool:
        return not (self.gaps or self.duplicates or self.backwards or self.chain_breaks or self.head_mismatch)


@dataclass
class AuditReport:
    series: list[SeriesAudit]
    documents: int = 0
    files_checked: int = 0
    file_problems: list[str] = field(default_factory=list)
    unrendered: int = 0
    render_problems: list[str] = field(default_factory=list)  # documents with no file, and why
    inbox_problems: list[str] = field(default_factory=list)
    credited_invoices: int = 0
    credit_problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return (
            all(s.ok for s in self.series)
            and not self.file_problems
            and not self.render_problems
            and not self.inbox_problems
            and not self.credit_problems
        )


def audit(engine: Engine, blobs: BlobStore, check_files: bool = True, seller_id: str | None = None) -> AuditReport:
    """Audit every series (or one seller's), the inbox and the credits; read-only.

    With ``seller_id`` only the seller's own series are audited: the marketplace's shared series holds
    other sellers' documents too, so the seller's share of it has gaps by nature, and the whole of it
    is not the seller's to see. It is audited whole by the audit without ``seller_id`` (the
    marketplace's, the operator's). The seller's documents in it are still checked for their credit
    notes and their inbox events.
    """
    report = AuditReport(series=[])
    with engine.connect() as conn:
        heads = repo.series_heads(conn)
        render_errors = repo.render_failures(conn, seller_id)
        rows = repo.document_rows(conn, owner=seller_id) if seller_id is not None else repo.document_rows(conn)
        current: SeriesAudit | None = None
        prev_seq = 0
        prev_hash = repo.GENESIS_HASH
        prev_time: datetime | None = None
        for row in rows:
            if current is None or (current.seller_id, current.series) != (row.series_owner, row.series):
                if current is not None:
                    _close(current, prev_seq, prev_hash, heads)
                current = SeriesAudit(row.series_owner, row.series, first=row.number)
                report.series.append(current)
                prev_seq, prev_hash, prev_time = 0, repo.GENESIS_HASH, None
            current.count += 1
            current.last = row.number
            report.documents += 1
            if row.seq == prev_seq:
                current.duplicates.append(row.seq)
            elif row.seq != prev_seq + 1:
                current.gaps.extend(range(prev_seq + 1, row.seq))
            if prev_time is not None and row.issued_at < prev_time:
                current.backwards.append(row.number)
            try:
                doc = repo.document_from_row(repo.document_data(conn, row.id))
                intact = doc.compute_hash() == row.hash and doc.hash == row.hash
            except ValueError:  # a damaged record (JSON or model) cannot match its hash: reported, not raised
                intact = False
            if row.prev_hash != prev_hash or not intact:
                current.chain_breaks.append(row.number)
            prev_seq, prev_hash, prev_time = row.seq, row.hash, row.issued_at
            if row.render_status != "rendered":
                # A legal document without its file cannot be handed to the buyer: never "passed".
                report.unrendered += 1
                error = render_errors.get(row.id)
                if row.render_status == "failed":
                    report.render_problems.append(f"{row.number}: no file, rendering failed: {error}")
                else:
                    report.render_problems.append(
                        f"{row.number}: no file yet, rendering pending" + (f" (last error: {error})" if error else "")
                    )
            elif check_files:
                for key, digest in ((row.pdf_key, row.pdf_sha256), (row.xml_key, row.xml_sha256)):
                    report.files_checked += 1
                    try:
                        ok = key is not None and sha256(blobs.get(key)) == digest
                    except FileNotFoundError:
                        ok = False
                    if not ok:
                        report.file_problems.append(f"{row.number}: {key} missing or checksum differs")
        if current is not None:
            _close(current, prev_seq, prev_hash, heads)
        orphans_q = (
            sa.select(inbox.c.event_id)
            .select_from(inbox.outerjoin(documents, documents.c.id == inbox.c.document_id))
            .where(
                inbox.c.status.in_(("issued", "duplicate")),
                documents.c.id.is_(None),
                # A cancellation re-sent for an order cancelled before its invoice is a `duplicate` of an
                # outcome without a document, by design (docs/events.md). IS DISTINCT FROM: a NULL reason
                # code must count as "not that one", not turn the condition NULL (false).
                sa.or_(inbox.c.status == "issued", inbox.c.reason_code.is_distinct_from("order_cancelled")),
            )
        )
        if seller_id is not None:
            orphans_q = orphans_q.where(inbox.c.seller_id == seller_id)
        report.inbox_problems = [
            f"event {e} marked issued without a document" for e in conn.execute(orphans_q).scalars()
        ]
        try:
            by_invoice = repo.credit_notes_by_invoice(conn, seller_id=seller_id)
        except ValueError as exc:  # a damaged credit note record (already a chain break above)
            report.credit_problems.append(f"credit notes not checked: a record does not parse ({type(exc).__name__})")
            by_invoice = {}
        ledger = repo.ledger(conn)
        for invoice_id, notes in by_invoice.items():
            report.credited_invoices += 1
            try:
                invoice = repo.get_document(conn, doc_id=invoice_id)
            except ValueError as exc:
                report.credit_problems.append(f"invoice {invoice_id}: its record does not parse ({type(exc).__name__})")
                continue
            entry = ledger.get(invoice_id)
            # Every credit note moved the ledger's version: credit notes without it were issued around it.
            report.credit_problems += credit_problems(invoice, notes, entry.credited if entry else "")
    return report


def credit_problems(invoice: Document | None, notes: list[Document], ledger: str | None) -> list[str]:
    """Over-credit and inconsistencies of one invoice's credit notes, recomputed from the records alone."""
    names = ", ".join(n.number for n in notes)
    if invoice is None or invoice.kind != "invoice":
        return [f"credit notes {names} correct a document that is not an issued invoice"]
    out = [
        f"{n.number} names {n.corrects} instead of {invoice.number} of {invoice.issue_date}"
        for n in notes
        if n.corrects is None or (n.corrects.number, n.corrects.issue_date) != (invoice.number, invoice.issue_date)
    ]
    state = Credited.from_credit_notes(invoice, notes)
    for ln in invoice.lines:
        taken = state.lines.get(ln.id)
        if taken and (taken.quantity > ln.quantity or taken.net > ln.net_amount or taken.gross > ln.gross_amount):
            out.append(f"{invoice.number} line {ln.id} credited beyond its amount by {names}")
    left = remaining(invoice, state)
    for (category, rate), net in left.net.items():
        if net < 0 or left.gross[(category, rate)] < 0:
            out.append(f"{invoice.number} VAT {category} {rate}% credited beyond its total by {names}")
    if sum(n.totals.tax_inclusive for n in notes) > invoice.totals.tax_inclusive:
        out.append(f"{invoice.number} credited beyond its total by {names}")
    if ledger is not None and Credited.from_json(ledger) != state:
        out.append(f"{invoice.number}: the orders ledger disagrees with its credit notes {names}")
    return out


def _close(s: SeriesAudit, last_seq: int, last_hash: str, heads: dict[tuple[str, str], tuple[int, str]]) -> None:
    head = heads.get((s.seller_id, s.series))
    if head is None or head != (last_seq, last_hash):
        # The counter ran ahead of the documents (a number taken and lost) or the chain head moved.
        s.head_mismatch = f"series head {head} but last document is {last_seq}"
