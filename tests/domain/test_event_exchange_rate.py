"""``order.paid`` ``exchange_rate``: optional, strict like the rest of the event."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from pydantic import ValidationError

from mandat.domain.events import OrderPaid
from tests.factories import order

GIVEN = {"rate": "4.2866", "source": "NBP", "date": "2026-12-02", "reference": "232/A/NBP/2026"}


def paid(**exchange: Any) -> OrderPaid:
    return OrderPaid.model_validate_json(json.dumps({**order(), "exchange_rate": exchange}))


def test_absent_by_default() -> None:
    assert OrderPaid.model_validate_json(json.dumps(order())).exchange_rate is None


def test_read_exactly() -> None:
    rate = paid(**GIVEN).exchange_rate
    assert rate is not None
    assert (rate.rate, rate.source, rate.date, rate.reference) == (
        Decimal("4.2866"),
        "NBP",
        date(2026, 12, 2),
        "232/A/NBP/2026",
    )


def test_a_json_number_keeps_its_digits() -> None:
    raw = json.dumps({**order(), "exchange_rate": {"rate": 0, "source": "ECB", "date": "2026-12-02"}})
    raw = raw.replace('"rate": 0', '"rate": 1.2012733497')
    rate = OrderPaid.model_validate_json(raw).exchange_rate
    assert rate is not None
    assert str(rate.rate) == "1.2012733497"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"rate": "0"}, "greater than 0"),
        ({"rate": "-4.2"}, "greater than 0"),
        ({"rate": "1.12345678901"}, "at most 10 decimals"),
        ({"rate": "4,2866"}, "ASCII digits"),
        ({"rate": "1e3"}, "ASCII digits"),
        ({"rate": True}, "decimal number"),
        ({"source": ""}, "at least 1"),
        ({"date": "02.12.2026"}, "ISO 8601 date"),
        ({"date": "2099-01-01"}, "out of range"),
        ({"date": "1999-12-31"}, "out of range"),
        ({"rate_per": "PLN"}, "Extra inputs"),
    ],
)
def test_refused(change: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        paid(**{**GIVEN, **change})


def test_source_and_date_are_required() -> None:
    with pytest.raises(ValidationError, match="source"):
        paid(rate="4.2866", date="2026-12-02")
    with pytest.raises(ValidationError, match="date"):
        paid(rate="4.2866", source="NBP")
