"""Mutation tests of ``domain/events.py`` (issue 12): the event models and their edge checks.

Every expected value comes from docs/events.md ("What the edge accepts" and the field tables), worked out
by hand in the comments; the reasons a sender reads back (``invalid_event`` reason = pydantic's ``msg``)
are asserted word for word. Dates are tested on both sides of each bound of docs/events.md: timestamps
from 2000-01-01T00:00:00Z to now + 1 day, delivery dates from 2000-01-01 to today + 366 days.
"""

from __future__ import annotations

import copy
import json
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from decimal import Decimal
from typing import Any

import pytest
from pydantic import ValidationError

from mandat.domain import events
from mandat.domain.events import (
    Buyer,
    LinesRefund,
    OrderCancelled,
    OrderPaid,
    OrderRefunded,
    RefundedLine,
    order_key,
    strict_decimal,
)
from tests.factories import cancellation, order, refund

# The order of tests/factories.py, payment amount left at "0" (the models do not check it against the
# lines; that is the rules' job), so that nothing here depends on the calculation.
BASE = order(fix_amount=False)


def paid(**changes: Any) -> dict[str, Any]:
    """BASE with ``a__b__0__c=value`` changes (``__`` walks into objects and lists)."""
    event = copy.deepcopy(BASE)
    for path, value in changes.items():
        target: Any = event
        *parents, leaf = path.split("__")
        for p in parents:
            target = target[int(p)] if isinstance(target, list) else target[p]
        if isinstance(target, list):
            target[int(leaf)] = value
        else:
            target[leaf] = value
    return event


def errors(model: Any, data: Any) -> list[tuple[tuple[Any, ...], str]]:
    """(location, message) of every error, the message as a sender reads it in the rejection."""
    with pytest.raises(ValidationError) as caught:
        model.model_validate(data)
    return [(tuple(e["loc"]), e["msg"]) for e in caught.value.errors()]


def only_error(model: Any, data: Any) -> tuple[tuple[Any, ...], str]:
    found = errors(model, data)
    assert len(found) == 1, found
    return found[0]


def iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


# --- numbers -----------------------------------------------------------------------------------

NOT_A_NUMBER = 'expected a decimal number: a JSON number or a string of ASCII digits like "12.50"'
BAD_DIGITS = (
    "expected ASCII digits with an optional '.' fraction, like \"12.50\" "
    "(no spaces, signs other than '-', exponents, '_' or non-ASCII digits)"
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("12.50", Decimal("12.50")),
        ("0", Decimal(0)),
        ("-3.1", Decimal("-3.1")),  # passes the pattern, to be told ">= 0" by the field
        (7, Decimal(7)),  # a JSON integer
        (Decimal("8.90"), Decimal("8.90")),  # a JSON fraction from the strict loader
    ],
)
def test_strict_decimal_accepts_json_numbers_and_ascii_digit_strings(value: object, expected: Decimal) -> None:
    parsed = strict_decimal(value)
    assert parsed == expected
    assert type(parsed) is Decimal
    assert str(parsed) == str(expected)  # same digits, same exponent


@pytest.mark.parametrize("value", [True, False, 12.5, None, [], {}, b"12"])
def test_strict_decimal_refuses_booleans_floats_and_the_rest_word_for_word(value: object) -> None:
    with pytest.raises(ValueError) as caught:
        strict_decimal(value)
    assert str(caught.value) == NOT_A_NUMBER


@pytest.mark.parametrize("text", ["", "12.", ".5", "+1", "1e2", "1_0", " 1", "١٢", "--1", "1.2.3"])
def test_strict_decimal_refuses_other_strings_word_for_word(text: str) -> None:
    with pytest.raises(ValueError) as caught:
        strict_decimal(text)
    assert str(caught.value) == BAD_DIGITS


@pytest.mark.parametrize(
    ("field", "places"),
    # docs/events.md: amounts at most 2 decimals, quantity at most 4, unit_price at most 6; rates are
    # percents with 2 decimals (5.5, 2.1).
    [
        ("payment__amount", 2),
        ("lines__0__quantity", 4),
        ("lines__0__unit_price", 6),
        ("lines__0__vat_rate", 2),
    ],
)
def test_decimal_places_bound_on_both_sides(field: str, places: int) -> None:
    at_bound = "1." + "0" * (places - 1) + "5"  # e.g. 1.05 for 2 places
    beyond = "1." + "0" * places + "5"  # e.g. 1.005
    data = paid(**{field: at_bound})
    if field == "lines__0__vat_rate":
        del data["lines"][0]["tax_category"]
    OrderPaid.model_validate(data)
    data = paid(**{field: beyond})
    if field == "lines__0__vat_rate":
        del data["lines"][0]["tax_category"]
    loc, msg = only_error(OrderPaid, data)
    assert loc == tuple(int(p) if p.isdigit() else p for p in field.split("__"))
    assert msg == f"Value error, at most {places} decimals"


def test_trailing_zeros_count_as_decimals_a_sender_wrote() -> None:
    # "1.000" has three decimals as written: refused for an amount (2 at most), even though it equals 1.
    assert only_error(OrderPaid, paid(payment__amount="1.000")) == (
        ("payment", "amount"),
        "Value error, at most 2 decimals",
    )
    assert OrderPaid.model_validate(paid(payment__amount="100")).payment.amount == Decimal(100)


@pytest.mark.parametrize("value", [Decimal("Infinity"), Decimal("-Infinity"), Decimal("NaN")])
def test_non_finite_decimals_are_refused_by_the_decimal_type(value: Decimal) -> None:
    # A JSON body cannot carry them (the loader refuses NaN/Infinity); a Python caller can.
    assert only_error(OrderPaid, paid(payment__amount=value)) == (
        ("payment", "amount"),
        "Input should be a finite number",
    )


# The two helpers below build the field types when the module is imported; called here, at test time, so
# that what they return is checked itself (a mutation testing tool swaps functions only at call time).


@pytest.mark.parametrize(
    ("places", "ok", "too_many"),
    [
        (2, ["1", "1.5", "1.05", "100.00"], ["1.005", "0.001", "1.000"]),
        (6, ["1.000001"], ["1.0000001"]),
        (0, ["7"], ["7.0"]),
    ],
)
def test_max_decimals_counts_the_written_places(places: int, ok: list[str], too_many: list[str]) -> None:
    check = events._max_decimals(places).func
    for text in ok:
        assert check(Decimal(text)) == Decimal(text)
        assert str(check(Decimal(text))) == text
    for text in too_many:
        with pytest.raises(ValueError) as caught:
            check(Decimal(text))
        assert str(caught.value) == f"at most {places} decimals"


def test_decimal_schema_is_a_number_or_a_string_of_ascii_digits() -> None:
    # docs/events.md: a JSON number, or a string matching ^-?[0-9]+(\.[0-9]+)?$ (JSON Schema keywords).
    assert events._decimal_schema(minimum=0, maximum=99999999.99).json_schema == {
        "anyOf": [
            {"type": "number", "minimum": 0, "maximum": 99999999.99},
            {"type": "string", "pattern": "^-?[0-9]+(\\.[0-9]+)?$"},
        ]
    }
    assert events._decimal_schema(exclusiveMinimum=0).json_schema == {
        "anyOf": [{"type": "number", "exclusiveMinimum": 0}, {"type": "string", "pattern": "^-?[0-9]+(\\.[0-9]+)?$"}]
    }


# --- timestamps --------------------------------------------------------------------------------

NOT_A_TIMESTAMP = 'Value error, expected an ISO 8601 timestamp with an offset, like "2026-11-18T10:15:00+01:00"'
BEFORE_2000 = "Value error, out of range: not before 2000-01-01"
FUTURE = "Value error, in the future"


@pytest.mark.parametrize("field", ["occurred_at", "payment__captured_at"])
@pytest.mark.parametrize(
    "value",
    [
        "2000-01-01T00:00:00Z",  # the first instant allowed, exactly
        "2000-01-01T00:00:00+00:00",
        "2000-01-01T00:00:00-01:00",  # 01:00 UTC
        "2000-01-01T01:30+01:00",  # 00:30 UTC, minutes only
        "2026-11-18T10:15:00.123456+01:00",  # microseconds
    ],
)
def test_timestamps_from_the_first_instant_of_2000_are_accepted(field: str, value: str) -> None:
    OrderPaid.model_validate(paid(**{field: value}))


@pytest.mark.parametrize("field", ["occurred_at", "payment__captured_at"])
@pytest.mark.parametrize(
    "value",
    [
        "1999-12-31T23:59:59Z",  # one second before
        "1999-12-31T23:59:59.999999+00:00",
        "2000-01-01T00:30:00+01:00",  # written in 2000, but 1999-12-31T23:30Z
        "1999-12-31T23:30:00-01:00",  # written in 1999, but 2000-01-01T00:30Z: the written year decides first
        "0001-01-01T00:00:00+01:00",  # converting to UTC would overflow
    ],
)
def test_timestamps_before_2000_are_refused_word_for_word(field: str, value: str) -> None:
    loc, msg = only_error(OrderPaid, paid(**{field: value}))
    assert msg == BEFORE_2000
    assert loc == tuple(field.split("__"))


@pytest.mark.parametrize("field", ["occurred_at", "payment__captured_at"])
def test_timestamps_up_to_a_day_ahead_are_accepted_beyond_refused(field: str) -> None:
    # Clock skew of one day for what already happened (docs/events.md: "now + 1 day").
    now = datetime.now(UTC)
    OrderPaid.model_validate(paid(**{field: iso(now + timedelta(days=1) - timedelta(minutes=5))}))
    OrderPaid.model_validate(paid(**{field: iso(now)}))
    # Offsets are honoured: 23:00 at -05:00 "tomorrow" is well beyond a day ahead in UTC.
    ahead = (now + timedelta(days=1, minutes=5)).astimezone(timezone(timedelta(hours=-5)))
    assert only_error(OrderPaid, paid(**{field: iso(ahead)})) == (tuple(field.split("__")), FUTURE)
    assert only_error(OrderPaid, paid(**{field: iso(now + timedelta(days=1, minutes=5))}))[1] == FUTURE


def test_the_exact_bounds_with_a_fixed_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    # With the clock at 2026-12-31T12:00:00Z: timestamps up to 2027-01-01T12:00:00Z (now + 1 day) inclusive;
    # delivery dates up to 2026-12-31 + 366 days = 2028-01-01 (2027 has 365 days, so +365 is 2027-12-31).
    monkeypatch.setattr(events, "_now", lambda: datetime(2026, 12, 31, 12, 0, tzinfo=UTC))
    OrderPaid.model_validate(paid(occurred_at="2027-01-01T12:00:00Z"))  # exactly now + 1 day, next year
    OrderPaid.model_validate(paid(occurred_at="2027-01-01T13:00:00+01:00"))  # the same instant
    assert only_error(OrderPaid, paid(occurred_at="2027-01-01T12:00:00.000001Z"))[1] == FUTURE
    assert only_error(OrderPaid, paid(occurred_at="2028-01-01T00:00:00Z"))[1] == FUTURE
    OrderPaid.model_validate(paid(delivery__date="2028-01-01"))
    assert only_error(OrderPaid, paid(delivery__date="2028-01-02")) == (
        ("delivery", "date"),
        "Value error, out of range: from 2000-01-01 to 2028-01-01",
    )


@pytest.mark.parametrize("value", ["2999-01-01T00:00:00+00:00", "9999-12-31T23:59:59-23:59"])
def test_a_timestamp_years_ahead_is_in_the_future(value: str) -> None:
    # A sender who typed 2999 is told the date is in the future, not that it is before 2000.
    assert only_error(OrderPaid, paid(occurred_at=value)) == (("occurred_at",), FUTURE)


@pytest.mark.parametrize(
    "value",
    ["2026-11-18T10:15:00", "2026-11-18 10:15:00+01:00", "2026-11-18T10:15:00+0100", "1763457300", "", "2026-11-18"],
)
def test_timestamps_not_iso_8601_with_offset_are_refused_word_for_word(value: str) -> None:
    assert only_error(OrderPaid, paid(occurred_at=value)) == (("occurred_at",), NOT_A_TIMESTAMP)


def test_integer_timestamps_are_refused_word_for_word() -> None:
    assert only_error(OrderPaid, paid(occurred_at=1763457300)) == (("occurred_at",), NOT_A_TIMESTAMP)


def test_datetime_objects_from_python_callers_are_accepted_when_aware() -> None:
    moment = datetime(2026, 11, 18, 9, 15, tzinfo=UTC)
    assert OrderPaid.model_validate(paid(occurred_at=moment)).occurred_at == moment
    naive = datetime(2026, 11, 18, 9, 15)
    assert only_error(OrderPaid, paid(occurred_at=naive)) == (
        ("occurred_at",),
        "Value error, timestamps need a timezone offset",
    )


class _NoOffset(tzinfo):
    """A timezone that does not know its offset: the datetime is not aware (Python datetime docs)."""

    def utcoffset(self, dt: datetime | None) -> timedelta | None:
        return None

    def dst(self, dt: datetime | None) -> timedelta | None:
        return None


def test_a_tzinfo_without_an_offset_is_not_an_offset() -> None:
    moment = datetime(2026, 11, 18, 9, 15, tzinfo=_NoOffset())
    assert only_error(OrderPaid, paid(occurred_at=moment)) == (
        ("occurred_at",),
        "Value error, timestamps need a timezone offset",
    )


def test_captured_at_may_be_absent() -> None:
    assert OrderPaid.model_validate(paid(payment__captured_at=None)).payment.captured_at is None


# --- delivery dates ----------------------------------------------------------------------------

NOT_A_DATE = 'Value error, expected an ISO 8601 date, like "2026-11-19"'


def test_delivery_dates_from_2000_to_a_year_and_a_day_ahead() -> None:
    today = datetime.now(UTC).date()
    latest = today + timedelta(days=366)
    window = f"Value error, out of range: from 2000-01-01 to {latest.isoformat()}"
    for ok in ("2000-01-01", latest.isoformat(), today.isoformat(), date(2000, 1, 1)):
        OrderPaid.model_validate(paid(delivery__date=ok))
    for bad in ("1999-12-31", (latest + timedelta(days=1)).isoformat(), date(1999, 12, 31), "0001-01-01"):
        assert only_error(OrderPaid, paid(delivery__date=bad)) == (("delivery", "date"), window)


@pytest.mark.parametrize("value", ["2026-1-5", "20261119", "2026-11-19T00:00:00+01:00", "", 0, 20261119])
def test_delivery_dates_not_iso_8601_are_refused_word_for_word(value: object) -> None:
    assert only_error(OrderPaid, paid(delivery__date=value)) == (("delivery", "date"), NOT_A_DATE)


# --- JSON entry point --------------------------------------------------------------------------


def test_model_validate_json_reads_str_bytes_and_bytearray_alike() -> None:
    text = json.dumps(BASE)
    expected = OrderPaid.model_validate(BASE)
    assert OrderPaid.model_validate_json(text) == expected
    assert OrderPaid.model_validate_json(text.encode()) == expected
    assert OrderPaid.model_validate_json(bytearray(text.encode())) == expected


def test_model_validate_json_reports_bad_json_as_json_invalid_with_the_readers_reason() -> None:
    text = json.dumps(BASE)[:-1] + ', "currency": "USD"}'
    with pytest.raises(ValidationError) as caught:
        OrderPaid.model_validate_json(text)
    assert caught.value.title == "OrderPaid"
    assert caught.value.errors(include_url=False) == [
        {
            "type": "json_invalid",
            "loc": (),
            "msg": "Invalid JSON: duplicate key 'currency' in an object",
            "input": "",
            "ctx": {"error": "duplicate key 'currency' in an object"},
        }
    ]
    with pytest.raises(ValidationError) as caught:
        OrderRefunded.model_validate_json(b"\xff")
    assert caught.value.title == "OrderRefunded"
    assert caught.value.errors()[0]["msg"] == "Invalid JSON: not UTF-8"


def test_model_validate_json_passes_strict_on() -> None:
    # strict=True: pydantic's strict mode takes no string for a datetime or a date.
    text = json.dumps(BASE)
    OrderPaid.model_validate_json(text, strict=False)
    with pytest.raises(ValidationError) as caught:
        OrderPaid.model_validate_json(text, strict=True)
    assert {e["type"] for e in caught.value.errors()} == {"datetime_type", "date_type"}


def test_model_validate_json_passes_the_other_options_on() -> None:
    # Events forbid unknown fields; a caller asking model_validate's extra="ignore" gets them dropped.
    text = json.dumps({**BASE, "unknown": 1})
    with pytest.raises(ValidationError) as caught:
        OrderPaid.model_validate_json(text)
    assert [e["type"] for e in caught.value.errors()] == ["extra_forbidden"]
    assert OrderPaid.model_validate_json(text, extra="ignore") == OrderPaid.model_validate(BASE)


# --- buyer VAT id ------------------------------------------------------------------------------


def _buyer(**changes: Any) -> dict[str, Any]:
    return {**BASE["buyer"], "kind": "business", **changes}


@pytest.mark.parametrize("value", ["", None])
def test_an_empty_buyer_vat_id_is_no_vat_id(value: str | None) -> None:
    assert Buyer.model_validate(_buyer(vat_id=value)).vat_id is None


@pytest.mark.parametrize(
    ("written", "kept"),
    [
        ("DE136695976", "DE136695976"),
        (" de 136.695-976 ", "DE136695976"),  # spaces, dots and hyphens dropped, upper case
        ("fr64 443 061 841", "FR64443061841"),
        ("ATU12", "ATU12"),  # two letters and two characters: the shortest accepted
        ("NL123456789B01", "NL123456789B01"),  # 12 characters after the prefix
        ("AB1234567890123", "AB1234567890123"),  # 13 characters: the longest accepted
        ("CY1234567+*", "CY1234567+*"),
    ],
)
def test_buyer_vat_ids_are_cleaned_and_kept(written: str, kept: str) -> None:
    assert Buyer.model_validate(_buyer(vat_id=written)).vat_id == kept


@pytest.mark.parametrize(
    ("written", "shown"),
    [
        ("DE١٣٦٦٩٥٩٧٦", "DE١٣٦٦٩٥٩٧٦"),  # Arabic-Indic digits
        ("DE1", "DE1"),  # one character after the prefix
        ("AB12345678901234", "AB12345678901234"),  # 14 characters after the prefix
        ("1E136695976", "1E136695976"),
        ("D-E", "DE"),  # what is left after cleaning is shown
    ],
)
def test_buyer_vat_ids_out_of_syntax_are_refused_word_for_word(written: str, shown: str) -> None:
    assert only_error(Buyer, _buyer(vat_id=written)) == (
        ("vat_id",),
        f"Value error, {shown!r} is not a VAT id (two letters, then ASCII letters and digits)",
    )


# --- lines -------------------------------------------------------------------------------------


def test_a_line_discount_up_to_the_line_amount() -> None:
    # Line 0 is 3 × 8.90 = 26.70: a discount of 26.70 (the whole line) is possible, 26.71 is not.
    assert OrderPaid.model_validate(paid(lines__0__discount="26.70")).lines[0].discount == Decimal("26.70")
    assert OrderPaid.model_validate(paid(lines__0__discount="2.97")).lines[0].discount == Decimal("2.97")
    assert only_error(OrderPaid, paid(lines__0__discount="26.71")) == (
        ("lines", 0),
        "Value error, discount larger than the line amount",
    )


# --- identity keys (docs/events.md) ------------------------------------------------------------


def test_idempotency_and_order_keys_as_documented() -> None:
    # order.paid: "marketplace_id:order_id:invoice"
    ev = OrderPaid.model_validate(BASE)
    assert ev.order_key() == "bricomarket-fr:CMD-0001"
    assert ev.idempotency_key() == "bricomarket-fr:CMD-0001:invoice"
    assert order_key("m", "o") == "m:o"
    # order.refunded: "marketplace_id:order_id:refund:refund_id"
    rf = OrderRefunded.model_validate(refund(refund_id="R7", amount="1.00"))
    assert rf.order_key() == "bricomarket-fr:CMD-0001"
    assert rf.idempotency_key() == "bricomarket-fr:CMD-0001:refund:R7"
    cancel = OrderCancelled.model_validate(cancellation("0002"))
    assert cancel.order_key() == "bricomarket-fr:CMD-0002"
    assert cancel.idempotency_key() == "bricomarket-fr:CMD-0002:cancel"


def test_goods_go_to_the_delivery_address_else_the_buyers() -> None:
    assert OrderPaid.model_validate(BASE).deliver_to_country == "FR"
    elsewhere = {"line1": "Rue du Marché 3", "postcode": "1204", "city": "Genève", "country": "CH"}
    assert OrderPaid.model_validate(paid(delivery__address=elsewhere)).deliver_to_country == "CH"
    buyer_abroad = paid(buyer__address__country="BE", buyer__address__postcode="1000")
    assert OrderPaid.model_validate(buyer_abroad).deliver_to_country == "BE"


# --- refunds -----------------------------------------------------------------------------------


def test_a_refunded_line_is_named_by_sku_or_line_no_not_both_not_neither() -> None:
    assert RefundedLine.model_validate({"sku": "A", "quantity": "1"}).sku == "A"
    assert RefundedLine.model_validate({"line_no": 2, "quantity": "1"}).line_no == 2
    for both_or_neither in ({"sku": "A", "line_no": 1, "quantity": "1"}, {"quantity": "1"}):
        assert only_error(RefundedLine, both_or_neither) == ((), "Value error, give either sku or line_no")


def test_line_no_from_1_to_500() -> None:
    # 1-based positions of an order of at most 500 lines.
    for ok in (1, 500):
        assert RefundedLine.model_validate({"line_no": ok, "quantity": "1"}).line_no == ok
    for bad in (0, 501):
        assert only_error(RefundedLine, {"line_no": bad, "quantity": "1"})[0] == ("line_no",)


def test_a_lines_refund_needs_lines_or_shipping() -> None:
    line = {"sku": "A", "quantity": "1"}
    assert LinesRefund.model_validate({"kind": "lines", "lines": [line]}).shipping is False
    assert LinesRefund.model_validate({"kind": "lines", "shipping": True}).lines == []
    assert len(LinesRefund.model_validate({"kind": "lines", "lines": [line], "shipping": True}).lines) == 1
    for empty in ({"kind": "lines"}, {"kind": "lines", "lines": [], "shipping": False}):
        assert only_error(LinesRefund, empty) == ((), "Value error, a lines refund needs lines or shipping")
