"""The one strict JSON reader for event input, shared by every entry point.

``json.loads`` alone accepts what an event must not contain, and fails in ways a worker
cannot survive: a body of a thousand brackets raises ``RecursionError`` (not a
``ValueError``), duplicate keys silently keep the last value (two senders of the same bytes
could read two different amounts), ``NaN`` and ``Infinity`` are not JSON, and floats lose
the cents. :func:`load_event_json` refuses all of these with :class:`MalformedJson`, whose
``code`` is the rejection code stored with the event (``malformed_json``).
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from itertools import accumulate
from typing import Any

# Events are at most five levels deep (event > refund > lines > line > field); 32 leaves room for
# any future shape while staying far below the interpreter's recursion limit (about 1,000).
MAX_DEPTH = 32

# A JSON string token, escapes included: brackets inside strings do not nest anything.
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKETS = re.compile(r"[^\[\]{}]+")
_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}


class MalformedJson(ValueError):
    """The text is not an acceptable JSON document; ``reason`` says why, for the sender."""

    code = "malformed_json"

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def nesting_depth(text: str) -> int:
    """How deep arrays and objects nest in ``text``, brackets inside strings ignored.

    Cheap (C-level regex passes and a running sum, no recursion), so it can run before the parser on any
    input. Unbalanced text yields some depth; the parser reports the syntax error itself.
    """
    brackets = _NOT_BRACKETS.sub("", _STRING.sub("", text))
    return max(accumulate(map(_STEP.__getitem__, brackets)), default=0)


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise MalformedJson(f"duplicate key {key!r} in an object")
        out[key] = value
    return out


def _no_constant(name: str) -> Any:
    raise MalformedJson(f"{name} is not a JSON number")


def load_event_json(text: str | bytes) -> Any:
    """Parse event JSON strictly: numbers with a fraction or exponent become ``Decimal``.

    Raises :class:`MalformedJson` for text that is not UTF-8 JSON, nests deeper than
    :data:`MAX_DEPTH`, repeats a key in an object, or holds ``NaN``/``Infinity``.
    """
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError:
            raise MalformedJson("not UTF-8") from None
    depth = nesting_depth(text)
    if depth > MAX_DEPTH:
        raise MalformedJson(f"nested {depth} levels deep, at most {MAX_DEPTH} allowed")
    try:
        return json.loads(
            text,
            parse_float=Decimal,
            parse_constant=_no_constant,
            object_pairs_hook=_no_duplicates,
        )
    except MalformedJson:
        raise
    except (ValueError, RecursionError) as exc:
        # ValueError covers JSONDecodeError and integers beyond the interpreter's digit limit.
        raise MalformedJson(f"not JSON: {exc}") from None
