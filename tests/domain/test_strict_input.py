"""Bad input at the edge (issue 11, part B): JSON, numbers, booleans, countries, dates, text.

Each case here was accepted (or crashed) before the strict edge: the expected outcome is what
the event format promises (docs/events.md), not what the parser happens to do.
"""

from __future__ import annotations

import json
import unicodedata
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from mandat.domain.events import OrderPaid, OrderRefunded, strict_decimal
from mandat.domain.jsonin import MAX_DEPTH, MalformedJson, load_event_json, nesting_depth
from tests.factories import order, refund

# --- JSON ------------------------------------------------------------------------------------


def test_a_2kb_body_of_1000_brackets_is_malformed_not_a_recursion_error() -> None:
    with pytest.raises(MalformedJson) as caught:
        load_event_json("[" * 1000 + "]" * 1000)
    assert caught.value.code == "malformed_json"
    with pytest.raises(MalformedJson):
        load_event_json('{"a":' * 1000 + "1" + "}" * 1000)


def test_depth_bound_is_exact_and_brackets_in_strings_do_not_count() -> None:
    assert load_event_json("[" * MAX_DEPTH + "]" * MAX_DEPTH) is not None
    with pytest.raises(MalformedJson):
        load_event_json("[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1))
    assert load_event_json(json.dumps({"description": "[[[[" * 100 + '\\"{{'})) == {
        "description": "[[[[" * 100 + '\\"{{'
    }


@pytest.mark.parametrize(
    "text",
    [
        '{"amount": "1.00", "amount": "100.00"}',  # two readers, two amounts
        '{"a": {"b": 1, "b": 1}}',
        '{"amount": NaN}',
        '{"amount": Infinity}',
        '{"amount": -Infinity}',
        "{'single': 'quotes'}",
        '{"amount": 1' + "0" * 5000 + "}",  # beyond the interpreter's integer digit limit
        b'{"name": "\xff"}',
    ],
)
def test_refused_json(text: str | bytes) -> None:
    with pytest.raises(MalformedJson):
        load_event_json(text)


def test_fractional_json_numbers_stay_exact_decimals() -> None:
    assert load_event_json('{"a": 0.1, "b": 19.99, "c": 12}') == {"a": Decimal("0.1"), "b": Decimal("19.99"), "c": 12}


def _depth(value: Any) -> int:
    if isinstance(value, dict):
        return 1 + max((_depth(v) for v in value.values()), default=0)
    if isinstance(value, list):
        return 1 + max((_depth(v) for v in value), default=0)
    return 0


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(alphabet=st.sampled_from('[]{}"\\ab,:')),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4),
    max_leaves=30,
)


@given(JSON_VALUES)
def test_nesting_depth_is_the_structural_depth(value: Any) -> None:
    assert nesting_depth(json.dumps(value)) == _depth(value)


# --- numbers and booleans --------------------------------------------------------------------


def paid(**changes: Any) -> dict[str, Any]:
    event = order()
    for path, value in changes.items():
        target = event
        *parents, leaf = path.split("__")
        for p in parents:
            target = target[int(p)] if isinstance(target, list) else target[p]
        target[leaf] = value  # type: ignore[index]
    return event


@pytest.mark.parametrize("text", ["١٢", "１２", "1_2", " 12", "12 ", "+12", "1e1", "12.", ".5", "0x0C", "12,00", "٣"])
@pytest.mark.parametrize("field", ["lines__0__quantity", "lines__0__unit_price", "payment__amount"])
def test_amounts_are_ascii_decimals_only(field: str, text: str) -> None:
    with pytest.raises(ValidationError, match="ASCII"):
        OrderPaid.model_validate(paid(**{field: text}))


@pytest.mark.parametrize("value", [True, 12.5, None, [], {}])
def test_amounts_are_not_booleans_floats_or_structures(value: object) -> None:
    with pytest.raises(ValidationError):
        OrderPaid.model_validate(paid(lines__0__quantity=value))


NON_ASCII_DIGITS = st.characters(categories=["Nd"]).filter(lambda c: not "0" <= c <= "9")


@given(st.lists(NON_ASCII_DIGITS | st.sampled_from("0123456789._-"), min_size=1, max_size=8))
def test_a_string_with_any_non_ascii_digit_is_never_a_number(chars: list[str]) -> None:
    text = "".join(chars)
    if all(c.isascii() for c in text):
        return  # covered by the round-trip property
    with pytest.raises(ValueError):
        strict_decimal(text)


@given(st.decimals(allow_nan=False, allow_infinity=False, places=6, min_value=-(10**9), max_value=10**9))
def test_ascii_decimals_round_trip_exactly(value: Decimal) -> None:
    text = f"{value:f}"
    parsed = strict_decimal(text)
    assert parsed == value
    assert str(parsed) == text


def test_json_numbers_are_still_numbers() -> None:
    event = paid(lines__0__quantity=3)
    event["lines"][0]["unit_price"] = "8.90"
    text = json.dumps(event).replace('"unit_price": "8.90"', '"unit_price": 8.90')
    ev = OrderPaid.model_validate_json(text)
    assert (ev.lines[0].quantity, ev.lines[0].unit_price) == (3, Decimal("8.90"))


@pytest.mark.parametrize("value", ["yes", "true", "1", 1, 0, "on"])
def test_prices_include_vat_is_only_a_json_boolean(value: object) -> None:
    with pytest.raises(ValidationError):
        OrderPaid.model_validate(paid(prices_include_vat=value))


def test_refund_flags_and_line_numbers_are_strict() -> None:
    OrderRefunded.model_validate(refund(scope={"kind": "lines", "lines": [], "shipping": True}))
    OrderRefunded.model_validate(refund(scope={"kind": "lines", "lines": [{"line_no": 1, "quantity": "1"}]}))
    with pytest.raises(ValidationError):
        OrderRefunded.model_validate(refund(scope={"kind": "lines", "lines": [], "shipping": "yes"}))
    with pytest.raises(ValidationError):
        OrderRefunded.model_validate(
            refund(scope={"kind": "lines", "lines": [{"line_no": "1", "quantity": "1"}], "shipping": False})
        )


def test_duplicate_keys_are_refused_by_model_validate_json_too() -> None:
    text = json.dumps(order())[:-1] + ', "prices_include_vat": false}'
    with pytest.raises(ValidationError, match="duplicate key"):
        OrderPaid.model_validate_json(text)


# --- countries -------------------------------------------------------------------------------


@pytest.mark.parametrize("code", ["XX", "UK", "EL", "XI", "XK", "EU", "ZZ"])
def test_unknown_or_non_iso_countries_are_refused_at_the_edge(code: str) -> None:
    for where in ("buyer__address__country",):
        with pytest.raises(ValidationError, match="ISO 3166"):
            OrderPaid.model_validate(paid(**{where: code}))
    event = order()
    event["delivery"]["address"] = {"line1": "1 High Street", "postcode": "SW1A 1AA", "city": "London", "country": code}
    with pytest.raises(ValidationError, match="ISO 3166"):
        OrderPaid.model_validate(event)


# --- dates -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "0001-01-01T00:00:00+01:00",  # converting to UTC overflows
        "9999-12-31T23:59:59-23:59",  # idem
        "1900-01-01T00:00:00+00:00",
        "1999-12-31T23:30:00-01:00",
        "2999-01-01T00:00:00+00:00",
        "2026-11-18T10:15:00",  # no offset
        "2026-11-18 10:15:00+01:00",
        "2026-11-18T10:15:00+0100",
        "1763457300",  # a Unix timestamp in a string
    ],
)
@pytest.mark.parametrize("field", ["occurred_at", "payment__captured_at"])
def test_timestamps_out_of_range_or_without_offset_are_refused(field: str, value: str) -> None:
    with pytest.raises(ValidationError):
        OrderPaid.model_validate(paid(**{field: value}))


def test_integer_timestamps_are_refused() -> None:
    with pytest.raises(ValidationError):
        OrderPaid.model_validate(paid(occurred_at=1763457300))


def test_captured_at_must_carry_its_offset() -> None:
    with pytest.raises(ValidationError, match="offset"):
        OrderPaid.model_validate(paid(payment__captured_at="2026-11-18T10:16:00"))
    ev = OrderPaid.model_validate(paid(payment__captured_at="2026-11-18T10:16:00Z"))
    assert ev.payment.captured_at is not None
    assert ev.payment.captured_at.utcoffset() is not None


@pytest.mark.parametrize("value", ["0001-01-01", "1900-01-01", "9999-12-31", "2026-1-5", "20261119", 0])
def test_delivery_dates_out_of_range_are_refused(value: object) -> None:
    with pytest.raises(ValidationError):
        OrderPaid.model_validate(paid(delivery__date=value))


# --- text ------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["\x00", "\x01\x02\x03", " \x0b\x0c ", "\u200b", "\ufffe", "\x7f\x85", "\u0301"])
@pytest.mark.parametrize("field", ["buyer__name", "lines__0__description", "lines__0__sku", "buyer__address__city"])
def test_a_text_that_prints_nothing_is_refused(field: str, text: str) -> None:
    """BR-07 (buyer name) and BR-25 (item name) need text: count what survives normalisation."""
    with pytest.raises(ValidationError):
        OrderPaid.model_validate(paid(**{field: text}))


def test_text_is_nfc_and_loses_what_xml_cannot_carry() -> None:
    ev = OrderPaid.model_validate(paid(buyer__name="Ele\u0301onore\x00 Dupont\x1b", lines__0__description="Vis\x0c"))
    assert ev.buyer.name == "El\u00e9onore Dupont"
    assert unicodedata.is_normalized("NFC", ev.buyer.name)
    assert ev.lines[0].description == "Vis"


def test_a_vat_id_with_non_ascii_digits_is_refused() -> None:
    buyer = {**order()["buyer"], "kind": "business", "vat_id": "DE١٣٦٦٩٥٩٧٦"}
    with pytest.raises(ValidationError, match="VAT id"):
        OrderPaid.model_validate(paid(buyer=buyer))
