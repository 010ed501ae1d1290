"""A document decided but not yet numbered: everything but the number, the issue time and the chain link.

The draft is computed outside the numbering transaction (it is pure and may be slow-ish);
``finalize`` is what runs inside it, and it only stamps. The store numbers drafts and knows
nothing of the rules that made them.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from mandat.domain.documents import STAMPED, Document
from mandat.domain.refusals import Rejected


@dataclass(frozen=True)
class NumberSyntax:
    pattern: str
    rule: str


# EN 16931 sets no syntax; the French one (BR-FR-01/02) fits every other country's limits
# (docs/countries.md §10.4), so it is the default a country pack narrows.
DEFAULT_NUMBER_SYNTAX = NumberSyntax(r"[A-Za-z0-9+\-_/]{1,35}", "BR-FR-01/02 (35 chars of A-Z a-z 0-9 + - _ /)")


@dataclass(frozen=True)
class Tally:
    """An EU distance sale, counted toward the seller's EUR 10,000 threshold (Directive 2006/112/EC art.
    59c) when its document is issued: ``amount`` net of VAT in ``currency`` (the seller country's).

    ``limit`` is the condition the decision rests on: a sale taxed in the seller's country because the
    count stays at or below the threshold is issued only if the store's count plus ``amount`` is still at
    most ``limit``; otherwise another document moved the count since the draft and it is decided again.
    None: taxed at destination, counted without condition.
    """

    year: int
    amount: Decimal
    currency: str
    limit: Decimal | None = None


@dataclass(frozen=True)
class Draft:
    kind: str
    seller_id: str
    series: str
    series_format: str
    seller_code: str
    idempotency_key: str
    timezone: str
    fields: dict[str, Any]
    order_key: str = ""  # marketplace:order, the orders ledger's key
    corrects_id: str | None = None  # credit notes: the invoice's document id
    # The seller country's number syntax, checked again when the number is taken (a {seq} without
    # padding grows): a regex and the rule it states, from the country pack.
    number_syntax: NumberSyntax = DEFAULT_NUMBER_SYNTAX
    # Whose series numbers it: the seller (empty) or "@<marketplace id>" (the marketplace's own documents
    # as deemed supplier). The document still belongs to the seller's order (seller_id).
    series_owner: str = ""
    tally: Tally | None = None

    @property
    def owner(self) -> str:
        return self.series_owner or self.seller_id

    def number_for(self, seq: int) -> str:
        return format_number(self.series_format, self.seller_code, seq, self.number_syntax)

    @property
    def due_on_issue(self) -> bool:
        # Paid at order: for business buyers the due date is the issue date, and nothing remains due.
        return self.fields.get("business_case") in ("B2B", "B2BINT")

    def number_parts(self) -> tuple[str, int, str]:
        """(before, width, after) so that number = before + zero-padded seq + after, for SQL."""
        marker = "\x00"
        head, sep, tail = self.series_format.partition("{seq")
        if not sep:
            raise ValueError(f"series format {self.series_format!r} has no {{seq}}")
        spec, _, after = tail.partition("}")
        width = int(spec[1:]) if spec.startswith(":0") else 0  # ":06" -> 6, ":0" -> 0
        before = head.format(code=self.seller_code)
        rest = after.format(code=self.seller_code)
        assert marker not in before + rest
        return before, width, rest

    def body(self, doc_id: str) -> tuple[dict[str, Any], str]:
        """The record without its stamped fields, and its body hash (what PostgreSQL completes)."""
        epoch = datetime(1970, 1, 1, tzinfo=UTC)
        probe = Document(
            id=doc_id,
            number="",
            series=self.series,
            seq=0,
            issued_at=epoch,
            issue_date=epoch.date(),
            prev_hash="",
            hash="",
            **self.fields,
        )
        return probe.model_dump(mode="json", exclude=STAMPED), probe.body_hash()

    def finalize(self, seq: int, issued_at: datetime, prev_hash: str, doc_id: str | None = None) -> Document:
        issue_date = issued_at.astimezone(ZoneInfo(self.timezone)).date()
        fields = dict(self.fields)
        if self.due_on_issue:
            fields["due_date"] = issue_date
        doc = Document(
            id=doc_id or str(uuid.uuid4()),
            number=self.number_for(seq),
            series=self.series,
            seq=seq,
            issued_at=issued_at,
            issue_date=issue_date,
            prev_hash=prev_hash,
            hash="",
            **fields,
        )
        return doc.model_copy(update={"hash": doc.compute_hash()})


def format_number(fmt: str, code: str, seq: int, syntax: NumberSyntax = DEFAULT_NUMBER_SYNTAX) -> str:
    number = fmt.format(code=code, seq=seq)
    if not re.fullmatch(syntax.pattern, number):
        raise Rejected("number_format", f"number {number!r} breaks {syntax.rule}")
    return number
