"""A journal of document lines for data teams: one CSV row per line of every document (EN 16931 BG-25).

Amounts are as the record states them (BT-131 line net, positive on a credit note as on its PDF) with the
document kind beside them, plus ``signed_net`` (negative on a credit note) so that a sum gives the period's
net sales; the line VAT is the line net times its rate, rounded half up to the cent: indicative only, the
VAT due is the breakdown's per rate (BT-117, EN 16931 BR-CO-17), which the VAT report sums.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import BinaryIO

from mandat.domain.documents import Document
from mandat.domain.money import q2
from mandat.reports.common import Period, Progress, amount, owner_of, rate_text, sign, taxing_country

COLUMNS = [
    "series_owner",
    "seller_id",
    "number",
    "kind",
    "issue_date",
    "corrects",
    "buyer_country",
    "taxing_country",
    "scheme",
    "line_id",
    "sku",
    "nature",
    "quantity",
    "category",
    "rate",
    "net",
    "signed_net",
    "line_vat",
    "currency",
]


@dataclass
class JournalStats:
    documents: int = 0
    lines: int = 0


def write_journal(
    out: BinaryIO,
    docs: Iterable[Document],
    period: Period,
    owner: str | None = None,
    progress: Progress | None = None,
) -> JournalStats:
    """Write the lines of the documents issued in ``period`` (of ``owner`` only, when given) to ``out``."""
    stats = JournalStats()
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    for doc in docs:
        if progress is not None:
            progress(1)
        if doc.issue_date not in period or (owner is not None and owner_of(doc) != owner):
            continue
        stats.documents += 1
        s = sign(doc)
        for line in doc.lines:
            writer.writerow(
                [
                    owner_of(doc),
                    doc.seller_id,
                    doc.number,
                    doc.kind,
                    doc.issue_date.isoformat(),
                    doc.corrects.number if doc.corrects else "",
                    doc.buyer.address.country,
                    taxing_country(doc),
                    doc.scheme or "",
                    line.id,
                    line.sku,
                    line.nature,
                    f"{line.quantity:f}",
                    line.vat_category,
                    rate_text(line.vat_rate),
                    amount(line.net_amount),
                    amount(s * line.net_amount),
                    amount(q2(line.net_amount * line.vat_rate / Decimal(100))),
                    doc.currency,
                ]
            )
            stats.lines += 1
        # Written per document: the buffer never holds more than one document's lines.
        out.write(buffer.getvalue().encode())
        buffer.seek(0)
        buffer.truncate()
    out.write(buffer.getvalue().encode())
    return stats
