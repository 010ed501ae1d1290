"""Mutation tests of ``domain/jsonin.py`` (issue 12): the strict JSON reader, word for word.

The rules come from docs/events.md, "What the edge accepts": UTF-8 JSON, at most 32 levels of nesting,
no key twice in an object, no ``NaN``/``Infinity``, fractions as exact decimals. What a sender is told
(``MalformedJson.reason``, stored as the rejection's reason) is asserted exactly: a changed text is a
changed answer to the sender.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mandat.domain.jsonin import MalformedJson, load_event_json, nesting_depth


def _reason(text: str | bytes) -> str:
    with pytest.raises(MalformedJson) as caught:
        load_event_json(text)
    # The reason is both the attribute the store keeps and the exception's text.
    assert str(caught.value) == caught.value.reason
    assert caught.value.code == "malformed_json"
    return caught.value.reason


def test_malformed_json_carries_its_reason_as_attribute_and_text() -> None:
    exc = MalformedJson("why")
    assert exc.reason == "why"
    assert str(exc) == "why"
    assert exc.args == ("why",)
    assert isinstance(exc, ValueError)


# --- nesting depth -----------------------------------------------------------------------------
# Counted by hand: each '[' or '{' opens one level, each ']' or '}' closes one; the depth is the
# highest running count. Text without brackets (a scalar, an empty body) is at depth 0.


@pytest.mark.parametrize(
    ("text", "depth"),
    [
        ("", 0),
        ("1", 0),
        ('"abc"', 0),
        ("true", 0),
        ("[]", 1),
        ("{}", 1),
        ('{"a": 1}', 1),  # letters and digits around the brackets do not count
        ('{"a": [1, {"b": 2}]}', 3),
        ("[[], [[]]]", 3),  # the maximum, not the last nor the sum
        ('["]]]]", "{{{{"]', 1),  # brackets inside strings nest nothing
        ('{"k\\"[": ["\\\\", "["]}', 2),  # escaped quote and backslash do not end the string early
    ],
)
def test_nesting_depth_counted_by_hand(text: str, depth: int) -> None:
    assert nesting_depth(text) == depth


# --- accepted documents ------------------------------------------------------------------------


def test_utf8_bytes_are_decoded_and_read() -> None:
    # "é" is C3 A9 in UTF-8 (RFC 3629): the same object as the text.
    assert load_event_json(b'{"city": "Cr\xc3\xa9teil", "n": 2}') == {"city": "Créteil", "n": 2}


def test_fractions_and_exponents_are_decimals_integers_stay_integers() -> None:
    value = load_event_json('{"a": 19.99, "b": 1E+2, "c": 7, "d": [0.10]}')
    assert value == {"a": Decimal("19.99"), "b": Decimal("1E+2"), "c": 7, "d": [Decimal("0.10")]}
    assert type(value["a"]) is Decimal
    assert type(value["c"]) is int
    # The exact digits are kept: 0.10 stays 0.10 (two decimals), not the float 0.1.
    assert str(value["d"][0]) == "0.10"


def test_objects_keep_every_distinct_key_with_its_value() -> None:
    assert load_event_json('{"a": 1, "b": {"a": 2}, "c": [{"a": 3}, {"a": 4}]}') == {
        "a": 1,
        "b": {"a": 2},
        "c": [{"a": 3}, {"a": 4}],
    }


def test_exactly_32_levels_is_accepted_33_is_not() -> None:
    # docs/events.md: "at most 32 levels of nesting".
    nested: list[object] = []  # one level
    for _ in range(31):
        nested = [nested]
    assert load_event_json("[" * 32 + "]" * 32) == nested
    assert _reason("[" * 33 + "]" * 33) == "nested 33 levels deep, at most 32 allowed"
    assert _reason('{"a":' * 40 + "1" + "}" * 40) == "nested 40 levels deep, at most 32 allowed"


# --- refused documents, word for word ------------------------------------------------------------


def test_refusal_reasons_word_for_word() -> None:
    assert _reason(b'{"name": "\xff"}') == "not UTF-8"
    assert _reason('{"amount": "1.00", "amount": "100.00"}') == "duplicate key 'amount' in an object"
    assert _reason('{"a": {"b": 1, "b": 2}}') == "duplicate key 'b' in an object"
    assert _reason('{"amount": NaN}') == "NaN is not a JSON number"
    assert _reason('{"amount": Infinity}') == "Infinity is not a JSON number"
    assert _reason("[-Infinity]") == "-Infinity is not a JSON number"
    # The parser's own message follows "not JSON: " (json module: "Expecting value: line 1 column 1 (char 0)").
    assert _reason("") == "not JSON: Expecting value: line 1 column 1 (char 0)"
    assert _reason("{'a': 1}").startswith("not JSON: Expecting property name enclosed in double quotes")


def test_an_integer_beyond_the_digit_limit_is_malformed_not_a_crash() -> None:
    assert _reason('{"amount": 1' + "0" * 5000 + "}").startswith("not JSON: Exceeds the limit")


@given(st.dictionaries(st.text(max_size=8), st.integers() | st.text(max_size=8), min_size=1, max_size=6))
def test_any_object_with_one_key_repeated_is_refused_naming_the_key(obj: dict[str, object]) -> None:
    import json

    key = next(iter(obj))
    text = json.dumps(obj)[:-1] + ", " + json.dumps(key) + ": 0}"
    assert _reason(text) == f"duplicate key {key!r} in an object"
