"""The VAT report of one series owner for a period: what to declare, per taxing country, regime, category
and rate.

Per row: the taxable base (BT-116) and the VAT (BT-117) of the documents issued in the period, credit notes
subtracted in the period they were issued (Directive 2006/112/EC art. 90: the taxable amount is reduced when
the price is reduced after the supply, in the return of the period of the reduction), the number of invoices
and credit notes, in the invoice currency and in the declaration currency (the VAT as the record restated it
in the taxing country's currency, art. 230 and 91; see :func:`mandat.reports.common.declared_vat`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from mandat.domain.documents import Document
from mandat.reports.common import (
    Period,
    Progress,
    amount,
    csv_bytes,
    declared_vat,
    json_bytes,
    rate_text,
    regime,
    selected,
    sign,
    taxing_country,
)

ZERO = Decimal("0.00")

# (taxing country, regime, category, rate, invoice currency, declaration currency)
Key = tuple[str, str, str, Decimal, str, str]

COLUMNS = [
    "owner",
    "period_start",
    "period_end",
    "taxing_country",
    "regime",
    "category",
    "rate",
    "currency",
    "taxable_base",
    "vat",
    "invoices",
    "credit_notes",
    "declaration_currency",
    "declared_taxable_base",
    "declared_vat",
]


@dataclass
class VatRow:
    taxing_country: str
    regime: str
    category: str
    rate: Decimal
    currency: str
    declaration_currency: str
    taxable_base: Decimal = ZERO
    vat: Decimal = ZERO
    invoices: int = 0
    credit_notes: int = 0
    declared_taxable_base: Decimal = ZERO
    declared_vat: Decimal = ZERO


@dataclass
class VatReport:
    owner: str
    period: Period
    rows: list[VatRow] = field(default_factory=list)
    documents: int = 0

    def totals(self) -> dict[str, tuple[Decimal, Decimal]]:
        """Per invoice currency: (taxable base, VAT) over all rows."""
        out: dict[str, tuple[Decimal, Decimal]] = {}
        for r in self.rows:
            base, vat = out.get(r.currency, (ZERO, ZERO))
            out[r.currency] = (base + r.taxable_base, vat + r.vat)
        return dict(sorted(out.items()))

    def csv(self) -> bytes:
        p = self.period
        return csv_bytes(
            COLUMNS,
            (
                [
                    self.owner,
                    p.start.isoformat(),
                    p.last_day.isoformat(),
                    r.taxing_country,
                    r.regime,
                    r.category,
                    rate_text(r.rate),
                    r.currency,
                    amount(r.taxable_base),
                    amount(r.vat),
                    str(r.invoices),
                    str(r.credit_notes),
                    r.declaration_currency,
                    amount(r.declared_taxable_base),
                    amount(r.declared_vat),
                ]
                for r in self.rows
            ),
        )

    def json(self) -> bytes:
        p = self.period
        return json_bytes(
            {
                "report": "vat",
                "owner": self.owner,
                "period": {"label": p.label, "start": p.start.isoformat(), "end": p.last_day.isoformat()},
                "documents": self.documents,
                "rows": [
                    {
                        "taxing_country": r.taxing_country,
                        "regime": r.regime,
                        "category": r.category,
                        "rate": rate_text(r.rate),
                        "currency": r.currency,
                        "taxable_base": amount(r.taxable_base),
                        "vat": amount(r.vat),
                        "invoices": r.invoices,
                        "credit_notes": r.credit_notes,
                        "declaration_currency": r.declaration_currency,
                        "declared_taxable_base": amount(r.declared_taxable_base),
                        "declared_vat": amount(r.declared_vat),
                    }
                    for r in self.rows
                ],
                "totals": {cur: {"taxable_base": amount(b), "vat": amount(v)} for cur, (b, v) in self.totals().items()},
            }
        )


def vat_report(docs: Iterable[Document], owner: str, period: Period, progress: Progress | None = None) -> VatReport:
    """The report of ``owner``'s documents issued in ``period`` (others in ``docs`` are skipped).

    ``docs`` is a stream (``repository.iter_documents_between``): only the rows are kept, one per key.
    """
    rows: dict[Key, VatRow] = {}
    count = 0
    for doc in selected(docs, owner, period, progress):
        count += 1
        s = sign(doc)
        for vat in doc.vat_breakdown:
            decl_currency, decl_base, decl_vat = declared_vat(doc, vat)
            key: Key = (taxing_country(doc), regime(doc, vat), vat.category, vat.rate, doc.currency, decl_currency)
            row = rows.get(key)
            if row is None:
                row = rows[key] = VatRow(*key)
            row.taxable_base += s * vat.taxable_amount
            row.vat += s * vat.tax_amount
            row.declared_taxable_base += s * decl_base
            row.declared_vat += s * decl_vat
            if s > 0:
                row.invoices += 1
            else:
                row.credit_notes += 1
    return VatReport(owner, period, [rows[k] for k in sorted(rows)], count)
