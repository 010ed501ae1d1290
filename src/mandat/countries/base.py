"""Effective-dated building blocks shared by the country modules."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Dated(Generic[T]):
    """A value valid from ``start`` (inclusive) until ``end`` (exclusive, None = open)."""

    start: date
    value: T
    end: date | None = None
    source: str = ""

    def covers(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day < self.end)


class NotInForce(LookupError):
    """No value of a dated table covers the day asked for: refused, never extrapolated."""


def at(history: Sequence[Dated[T]], day: date, what: str) -> T:
    """The value in force on ``day``; refuses to guess outside the known history."""
    for entry in history:
        if entry.covers(day):
            return entry.value
    known = ", ".join(f"from {e.start.isoformat()}" + (f" to {e.end.isoformat()}" if e.end else "") for e in history)
    raise NotInForce(f"no {what} in force on {day.isoformat()} (known: {known or 'none'})")


@dataclass(frozen=True)
class Mention:
    code: str
    text: str
    note_subject: str | None = None


@dataclass(frozen=True)
class CountryRules:
    country: str
    currency: str
    language: str
    timezone: str
    # tax category -> percent, per period
    rates: Sequence[Dated[dict[str, Decimal]]]
    # mention code -> text, per period
    mentions: Sequence[Dated[dict[str, Mention]]]
    allowed_rates: frozenset[Decimal] = field(default_factory=frozenset)

    def rate(self, category: str, day: date) -> Decimal:
        table = at(self.rates, day, f"{self.country} VAT rate table")
        if category not in table:
            raise LookupError(f"unknown {self.country} tax category {category!r}")
        return table[category]

    def rate_categories(self, day: date) -> dict[str, Decimal]:
        return at(self.rates, day, f"{self.country} VAT rate table")

    def mention(self, code: str, day: date, **values: str) -> Mention:
        table = at(self.mentions, day, f"{self.country} mentions")
        m = table[code]
        return Mention(code=m.code, text=m.text.format(**values), note_subject=m.note_subject)
