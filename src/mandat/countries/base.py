"""Effective-dated building blocks shared by the country modules."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
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
