"""Outcomes that stop an event short of a document, each with an operator-readable reason."""

from __future__ import annotations


class EventRefused(Exception):
    """Base: the event cannot be issued now. ``code`` is stable for filtering, ``reason`` is for people."""

    status = "rejected"

    def __init__(self, code: str, reason: str) -> None:
        super().__init__(f"{code}: {reason}")
        self.code = code
        self.reason = reason


class Rejected(EventRefused):
    """The event is wrong or unsupported: kept with its reason until an operator fixes and replays it."""


class Waiting(EventRefused):
    """The event is fine but not ready (payment not captured yet): retried later without operator action."""

    status = "waiting"


class Cancelled(EventRefused):
    """The order was cancelled before its invoice: the event ends without a document, and nothing is to fix."""

    status = "cancelled"
