"""What the finance reports share: periods, the selection of records, signs, regimes, deterministic output.

Reports read the stored legal records only (``documents.data``, :class:`mandat.domain.documents.Document`):
never the events, the sellers' current data or the rendered files, so a report of a closed period never
changes. They are streamed (one record at a time, in issue order) and written with fixed formats: the same
records give the same bytes.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from mandat.domain.documents import Document, VatBreakdown
from mandat.domain.money import q2

Progress = Callable[[int], None]  # told how many records were read since the last call


@dataclass(frozen=True)
class Period:
    """Issue dates ``start`` <= d < ``end`` (the period a document belongs to is the one it was issued in)."""

    start: date
    end: date
    label: str

    def __post_init__(self) -> None:
        if self.end <= self.start:
            raise ValueError(f"the period {self.start.isoformat()}..{self.end.isoformat()} is empty")

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day < self.end

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)

    def window(self) -> tuple[datetime, datetime]:
        """UTC instants surely covering the period's issue dates: an issue date is the day in the seller
        country's time zone (UTC-12..UTC+14), so a day on each side is enough; the exact filter is on the
        record's issue date."""
        since = datetime.combine(self.start - timedelta(days=1), time(), UTC)
        until = datetime.combine(self.end + timedelta(days=1), time(), UTC)
        return since, until


_QUARTER = re.compile(r"^(\d{4})-?Q([1-4])$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_YEAR = re.compile(r"^(\d{4})$")


def parse_period(text: str) -> Period:
    """``2026`` (a calendar year), ``2026-Q4`` (a quarter) or ``2026-11`` (a month)."""
    value = text.strip().upper()
    if m := _QUARTER.match(value):
        year, q = int(m[1]), int(m[2])
        return quarter(year, q)
    if m := _MONTH.match(value):
        year, month = int(m[1]), int(m[2])
        if not 1 <= month <= 12:
            raise ValueError(f"{text!r}: no month {month}")
        start = date(year, month, 1)
        end = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
        return Period(start, end, f"{year:04d}-{month:02d}")
    if m := _YEAR.match(value):
        year = int(m[1])
        return Period(date(year, 1, 1), date(year + 1, 1, 1), f"{year:04d}")
    raise ValueError(f"{text!r} is not a period: write 2026, 2026-Q4 or 2026-11 (or give --start and --end)")


def parse_quarter(text: str) -> Period:
    """``2026-Q4`` (the OSS return's period, Directive 2006/112/EC art. 369f)."""
    m = _QUARTER.match(text.strip().upper())
    if m is None:
        raise ValueError(f"{text!r} is not a quarter: write 2026-Q4")
    return quarter(int(m[1]), int(m[2]))


def quarter(year: int, q: int) -> Period:
    start = date(year, 3 * q - 2, 1)
    end = date(year + 1, 1, 1) if q == 4 else date(year, 3 * q + 1, 1)
    return Period(start, end, f"{year:04d}-Q{q}")


def quarter_of(day: date) -> str:
    return f"{day.year:04d}-Q{(day.month - 1) // 3 + 1}"


def between(start: date, end: date) -> Period:
    return Period(start, end, f"{start.isoformat()}..{end.isoformat()}")


def owner_of(doc: Document) -> str:
    """Whose series numbered the document: the seller, or "@<marketplace id>" (deemed supplier)."""
    return doc.series_owner or doc.seller_id


def selected(
    docs: Iterable[Document], owner: str, period: Period, progress: Progress | None = None
) -> Iterator[Document]:
    """The owner's documents issued in the period; the rest of the stream is skipped (the store's window is
    wider than the period by a day on each side)."""
    for doc in docs:
        if progress is not None:
            progress(1)
        if owner_of(doc) == owner and doc.issue_date in period:
            yield doc


def sign(doc: Document) -> int:
    """Credit notes carry positive amounts (EN 16931 type 381); a report subtracts them."""
    return -1 if doc.kind == "credit_note" else 1


def taxing_country(doc: Document) -> str:
    """The member state whose VAT the lines carry: the destination of an OSS/IOSS sale (``taxed_in``),
    else the country whose rules were applied (the seller's, or where it is registered and ships from)."""
    return doc.taxed_in or doc.country


def regime(doc: Document, row: VatBreakdown) -> str:
    """How a breakdown row is declared, from the record's category (EN 16931 BT-118) and scheme.

    K intra-EU supply of goods (Directive 2006/112/EC art. 138), AE reverse charge (art. 194-199, 196),
    G export (art. 146), O outside the scope, E exempt or the small-enterprise franchise (art. 281-294:
    the record carries the "franchise" mention), S/Z: domestic, or the special scheme the record names
    (OSS art. 369a-369k, IOSS art. 369l-369x, the UK's online marketplace rule VATA 1994 s.5A). The
    marketplace's own documents (series owner "@...", art. 14a) are prefixed "deemed_".
    """
    if row.category == "K":
        kind = "intra_eu_exempt"
    elif row.category == "AE":
        kind = "reverse_charge"
    elif row.category == "G":
        kind = "export"
    elif row.category == "O":
        kind = "out_of_scope"
    elif row.category == "E":
        kind = "franchise" if any(m.code == "franchise" for m in doc.mentions) else "exempt"
    else:
        kind = doc.scheme or "domestic"
    if doc.series_owner is not None and doc.series_owner.startswith("@"):
        return f"deemed_{kind}"
    return kind


def declared_vat(doc: Document, row: VatBreakdown) -> tuple[str, Decimal, Decimal]:
    """(declaration currency, taxable base, VAT) of a breakdown row in the taxing country's currency.

    The VAT is the record's own restatement (BT-111 per rate, ``Document.exchange``, Directive art. 230);
    the record states no base in that currency, so the base is converted at the record's rate and rounded
    half up to the cent, row by row (anyone can recompute it from the printed rate). Without an exchange
    the invoice currency is the taxing country's.
    """
    ex = doc.exchange
    if ex is None:
        return doc.currency, row.taxable_amount, row.tax_amount
    vat = next((p.tax_amount for p in ex.per_rate if p.category == row.category and p.rate == row.rate), None)
    if vat is None:
        vat = q2(row.tax_amount * ex.rate)
    return ex.tax_currency, q2(row.taxable_amount * ex.rate), vat


# --- output -------------------------------------------------------------------------------------


def amount(value: Decimal) -> str:
    """Two decimals, a dot, no grouping: what a spreadsheet and a parser read the same way."""
    return f"{value.quantize(Decimal('0.01')):f}"


def rate_text(rate: Decimal) -> str:
    """A VAT rate with two decimals (5.50, 20.00), more only when the rate has more."""
    exponent = rate.normalize().as_tuple().exponent
    places = max(2, -exponent) if isinstance(exponent, int) else 2
    return f"{rate.quantize(Decimal(1).scaleb(-places)):f}"


def csv_bytes(header: list[str], rows: Iterable[list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode()


def json_bytes(data: Any) -> bytes:
    return (json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode()
