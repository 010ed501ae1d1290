"""The imported exchange-rate tables: import once, never change, look up the newest on or before a day.

A rate may already have converted the VAT of an issued invoice, so a stored rate is never overwritten:
importing the same table again changes nothing, and a table giving another value for a stored
(source, base, quote, day) is refused as a whole (none of its rates is imported) and its conflicts
listed, for the operator to look at the file.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import cast

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from mandat.domain.exchange import Rate, RateLookup, Source
from mandat.store.schema import exchange_rates as t
from mandat.store.schema import inbox


@dataclass(frozen=True)
class Conflict:
    stored: Rate
    imported: Rate

    def __str__(self) -> str:
        s, i = self.stored, self.imported
        return f"{s.source} {s.base}->{s.quote} {s.day.isoformat()}: stored {s.rate}, the file says {i.rate}"


@dataclass
class ImportResult:
    new: int = 0
    unchanged: int = 0
    conflicts: list[Conflict] = field(default_factory=list)


def _key(rate: Rate) -> tuple[str, str, str, date]:
    return (rate.source, rate.base, rate.quote, rate.day)


def _row_rate(row: sa.Row) -> Rate:  # type: ignore[type-arg]
    return Rate(cast(Source, row.source), row.base, row.quote, Decimal(row.rate), row.day, row.reference)


def _stored(conn: Connection, rates: list[Rate]) -> dict[tuple[str, str, str, date], Rate]:
    found: dict[tuple[str, str, str, date], Rate] = {}
    by_source: dict[str, list[Rate]] = {}
    for rate in rates:
        by_source.setdefault(rate.source, []).append(rate)
    for source, group in by_source.items():
        stmt = sa.select(t).where(
            t.c.source == source,
            t.c.day >= min(r.day for r in group),
            t.c.day <= max(r.day for r in group),
            t.c.base.in_({r.base for r in group}),
            t.c.quote.in_({r.quote for r in group}),
        )
        for row in conn.execute(stmt):
            stored = _row_rate(row)
            found[_key(stored)] = stored
    return found


def import_rates(conn: Connection, rates: Iterable[Rate], now: datetime | None = None) -> ImportResult:
    """Store the rates not stored yet; all or nothing (nothing when any conflicts). Run it in a transaction."""
    batch = list(rates)
    if any(r.source not in ("ECB", "NBP") for r in batch):
        raise ValueError("only published ECB and NBP rates are stored (an event's rate stays on its event)")
    result = ImportResult()
    stored = _stored(conn, batch) if batch else {}
    fresh: list[Rate] = []
    for rate in batch:
        old = stored.get(_key(rate))
        if old is None:
            fresh.append(rate)
        elif old.rate == rate.rate:
            result.unchanged += 1
        else:
            result.conflicts.append(Conflict(old, rate))
    if result.conflicts or not fresh:
        return result
    when = now or datetime.now(UTC)
    rows = [
        {
            "source": r.source,
            "base": r.base,
            "quote": r.quote,
            "day": r.day,
            # Positional notation: str() would write 1E-7, which reads back the same but prints badly.
            "rate": format(r.rate, "f"),
            "reference": r.reference,
            "imported_at": when,
        }
        for r in fresh
    ]
    # A concurrent import of the same table may have inserted some meanwhile: skip those, then
    # compare what is stored now with what this import brought.
    insert = _insert_ignoring_duplicates(conn)
    for start in range(0, len(rows), 500):
        conn.execute(insert, rows[start : start + 500])
    now_stored = _stored(conn, fresh)
    for rate in fresh:
        got = now_stored.get(_key(rate))
        if got is not None and got.rate != rate.rate:
            result.conflicts.append(Conflict(got, rate))
        else:
            result.new += 1
    if result.conflicts:
        raise ConcurrentConflict(result)
    return result


class ConcurrentConflict(Exception):
    """Another import stored other values for some of these rates meanwhile: roll back, nothing kept."""

    def __init__(self, result: ImportResult) -> None:
        super().__init__("; ".join(str(c) for c in result.conflicts[:5]))
        self.result = result


def _insert_ignoring_duplicates(conn: Connection) -> sa.Executable:
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert(t).on_conflict_do_nothing()
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert(t).on_conflict_do_nothing()


def wake_waiting(conn: Connection, now: datetime | None = None) -> int:
    """Events waiting with ``rate_missing`` become due now rather than at their backoff (up to 30 hours
    apart after a dozen tries): called after an import that stored new rates. One still missing its
    rate waits again, with the next backoff. Returns how many were woken."""
    when = now or datetime.now(UTC)
    result = conn.execute(
        inbox.update()
        .where(inbox.c.status == "waiting", inbox.c.reason_code == "rate_missing", inbox.c.available_at > when)
        .values(available_at=when)
    )
    return int(result.rowcount or 0)


def lookup(conn: Connection) -> RateLookup:
    """A :class:`RateLookup` reading the imported tables through ``conn``."""

    def find(source: str, base: str, quote: str, latest_day: date) -> Rate | None:
        row = conn.execute(
            sa.select(t)
            .where(t.c.source == source, t.c.base == base, t.c.quote == quote, t.c.day <= latest_day)
            .order_by(t.c.day.desc())
            .limit(1)
        ).first()
        return None if row is None else _row_rate(row)

    return find


def list_rates(
    conn: Connection, source: str | None = None, currency: str | None = None, since: date | None = None
) -> list[tuple[Rate, datetime]]:
    """Stored rates (with when they were imported), by day, source and currency."""
    stmt = sa.select(t)
    if source:
        stmt = stmt.where(t.c.source == source)
    if currency:
        stmt = stmt.where(sa.or_(t.c.base == currency, t.c.quote == currency))
    if since:
        stmt = stmt.where(t.c.day >= since)
    stmt = stmt.order_by(t.c.day, t.c.source, t.c.base, t.c.quote)
    return [(_row_rate(row), row.imported_at) for row in conn.execute(stmt)]
