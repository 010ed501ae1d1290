"""Property-based fuzz of POST /v1/events: valid events (docs/example-order.*.json, the demo
generator, the test factory) mutated at random JSON pointers.

Whatever the body, the API must:

* never answer 5xx;
* answer every refusal (4xx) with an RFC 9457 problem document (`type`, `title`, `status`), and a
  schema refusal (422) with `errors[]`, each a JSON pointer into the body as sent (or a parameter);
* store nothing for a refused request, not even the valid events of a refused batch;
* for an accepted request (202), leave every event in a final state: `issued`/`duplicate` with its
  document, `waiting`, `rejected` or `cancelled` with a stated reason. Never `pending`, `processing`
  or `failed`: those mean the event was not settled.

Some mutations have a known right answer on top: Unicode or underscored digits, "yes" for a
boolean, a timestamp without offset, duplicate keys and JSON nested beyond any event's depth must be
refused (4xx), because accepting them means guessing what the sender meant; an address in a country
that does not exist (XX, UK, EL, XI) must not yield a document.

Bounded and replayable: `derandomize=True` (the examples are a function of the test), no deadline.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError
from sqlalchemy.engine import Engine

from mandat.api.app import create_app
from mandat.api.auth import create_key
from mandat.demo.orders import generate
from mandat.demo.sellers import demo_sellers
from mandat.domain.events import EVENT_TYPES
from mandat.service.app import Mandat
from mandat.service.config import Settings
from mandat.store.schema import documents, inbox
from tests.api.conftest import JSON, SECRET
from tests.factories import order
from tests.store.test_postgres import pg  # noqa: F401  (fixture)

DOCS = Path(__file__).resolve().parents[2] / "docs"
Tokens = tuple[str | int, ...]


def _bases() -> list[dict[str, Any]]:
    out = [json.loads((DOCS / f"example-order.{k}.json").read_text()) for k in ("paid", "refunded", "cancelled")]
    out.append(order())
    out.append(order("peintures-lumiere", ref="0002", include_vat=False))
    out += [json.loads(line) for line in generate(demo_sellers(), 60, seed=11, run="fz")]
    # The generator also makes bad events on purpose; mutations start from valid ones.
    return [e for e in out if _valid(e)]


def _valid(event: dict[str, Any]) -> bool:
    model = EVENT_TYPES.get(str(event.get("type")))
    try:
        return model is not None and bool(model.model_validate_json(json.dumps(event)))
    except ValidationError:
        return False


BASES = _bases()
_ids = itertools.count()


# --- pointers into an event ----------------------------------------------------------------------


def leaves(value: Any, path: Tokens = ()) -> Iterator[tuple[Tokens, Any]]:
    """Every location of a JSON value, containers included (the root excluded)."""
    if path:
        yield path, value
    if isinstance(value, dict):
        for k, v in value.items():
            yield from leaves(v, (*path, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from leaves(v, (*path, i))


def put(event: dict[str, Any], path: Tokens, value: Any) -> dict[str, Any]:
    copy = json.loads(json.dumps(event))
    target = copy
    for token in path[:-1]:
        target = target[token]
    target[path[-1]] = value
    return copy


def to_pointer(path: Tokens) -> str:
    return "".join("/" + str(t).replace("~", "~0").replace("/", "~1") for t in path)


def resolves(body: Any, ptr: str) -> bool:
    """Whether an RFC 6901 pointer names a location of the body, or a missing member of an object in it."""
    if ptr == "":
        return True
    if not ptr.startswith("/"):
        return False
    tokens = [t.replace("~1", "/").replace("~0", "~") for t in ptr[1:].split("/")]
    node = body
    for i, token in enumerate(tokens):
        last = i == len(tokens) - 1
        if isinstance(node, dict):
            if token not in node:
                return last  # a required member that is missing
            node = node[token]
        elif isinstance(node, list):
            if not token.isdigit() or int(token) >= len(node):
                return False
            node = node[int(token)]
        else:
            return False
    return True


def fresh(base: dict[str, Any]) -> dict[str, Any]:
    """The base with ids of its own, so that examples do not answer each other's idempotency."""
    n = next(_ids)
    event = json.loads(json.dumps(base))
    event["event_id"] = f"fz-{n}"
    event["order_id"] = f"FZ-{n}"
    if "refund_id" in event:
        event["refund_id"] = f"RF-{n}"
    return event


# --- mutations -----------------------------------------------------------------------------------
# Each strategy draws a body: (raw text, the JSON it means, must_refuse, must_not_issue).


Drawn = tuple[str, Any, bool, bool]


def _pick(draw: st.DrawFn, event: dict[str, Any], keep: Callable[[Tokens, Any], bool]) -> Tokens | None:
    spots = [p for p, v in leaves(event) if keep(p, v)]
    return draw(st.sampled_from(spots)) if spots else None


def _event(draw: st.DrawFn) -> dict[str, Any]:
    return fresh(draw(st.sampled_from(BASES)))


def _plain(event: dict[str, Any], must_refuse: bool = False, must_not_issue: bool = False) -> Drawn:
    return json.dumps(event, ensure_ascii=False), event, must_refuse, must_not_issue


OTHER_TYPES: list[Any] = [None, True, False, 0, -1, 1.5, "", "x", [], [1], {}, {"a": 1}]


@st.composite
def wrong_types(draw: st.DrawFn) -> Drawn:
    event = _event(draw)
    path = draw(st.sampled_from([p for p, _ in leaves(event)]))
    value = draw(st.sampled_from(OTHER_TYPES))
    return _plain(put(event, path, value))


def _is_number_text(_: Tokens, v: Any) -> bool:
    return isinstance(v, str) and v.replace(".", "", 1).isascii() and v.replace(".", "", 1).isdigit()


# Decimal fields: an amount, a quantity or a rate written with other digits must be refused.
DECIMAL_KEYS = {"quantity", "unit_price", "amount", "discount", "vat_rate"}
# Identifiers made of digits: not to be refused necessarily, but never on a document as sent.
DIGIT_ID_KEYS = {"postcode", "siren", "siret"}


@st.composite
def odd_digits(draw: st.DrawFn) -> Drawn:
    """Digits a person reads as a number but an invoice must not: Arabic-Indic, full-width, `1_2`."""
    event = _event(draw)
    path = _pick(draw, event, _is_number_text)
    assert path is not None
    value = draw(st.sampled_from(["١٢", "１２", "1_2", "1_000.50", "٣.٥", "𝟙𝟚", "²"]))
    key = path[-1]
    return _plain(put(event, path, value), must_refuse=key in DECIMAL_KEYS, must_not_issue=key in DIGIT_ID_KEYS)


NUMBERS: list[Any] = [10**30, -1, -(10**30), 0, 1e308, 1.5e-10, 2**63, "-0.01", "1e400", "NaN", "Infinity"]
NUMBERS += ["-Infinity", "99999999999999999999.99", "0.0000000001", "1E+2", " 12 ", "+5", "0x10", "1,5"]


@st.composite
def numbers(draw: st.DrawFn) -> Drawn:
    """Huge, negative, tiny, non-finite and exponent forms, as JSON numbers and as strings."""
    event = _event(draw)
    path = _pick(draw, event, lambda p, v: _is_number_text(p, v) or (isinstance(v, int) and not isinstance(v, bool)))
    assert path is not None
    value = draw(st.sampled_from(NUMBERS))
    return _plain(put(event, path, value))


@st.composite
def yes_booleans(draw: st.DrawFn) -> Drawn:
    event = _event(draw)
    path = _pick(draw, event, lambda _, v: isinstance(v, bool))
    if path is None:
        path = ("prices_include_vat",)
    value = draw(st.sampled_from(["yes", "no", "true", "false", "on", "off", "1", "0", 1, 0, "y", "t"]))
    return _plain(put(event, path, value), must_refuse=True)


def _country(path: Tokens, _: Any) -> bool:
    return bool(path) and path[-1] == "country"


@st.composite
def unknown_countries(draw: st.DrawFn) -> Drawn:
    """Codes that are not ISO 3166 countries: VAT prefixes (EL Greece, XI Northern Ireland), the
    common mistake UK for GB, and XX."""
    event = _event(draw)
    path = _pick(draw, event, _country)
    if path is None:
        return _plain(event)
    value = draw(st.sampled_from(["XX", "UK", "EL", "XI"]))
    return _plain(put(event, path, value), must_not_issue=True)


@st.composite
def odd_country_forms(draw: st.DrawFn) -> Drawn:
    event = _event(draw)
    path = _pick(draw, event, _country)
    if path is None:
        return _plain(event)
    value = draw(st.sampled_from(["fr", "FRA", "", "F1", "ＦＲ", "250", " FR"]))
    return _plain(put(event, path, value), must_not_issue=value not in (" FR",))


def _is_date(_: Tokens, v: Any) -> bool:
    return isinstance(v, str) and len(v) == 10 and v[4] == "-" and v[7] == "-"


def _is_timestamp(_: Tokens, v: Any) -> bool:
    return isinstance(v, str) and len(v) >= 19 and v[4] == "-" and v[10] == "T"


@st.composite
def dates(draw: st.DrawFn) -> Drawn:
    """Dates and timestamps at the ends of the calendar, with an offset (year 1, 1900, 9999)."""
    event = _event(draw)
    path = _pick(draw, event, lambda p, v: _is_date(p, v) or _is_timestamp(p, v))
    assert path is not None
    if _is_date(path, _get(event, path)):
        value = draw(st.sampled_from(["0001-01-01", "1900-01-01", "9999-12-31", "2026-02-29", "2024-02-29"]))
    else:
        value = draw(
            st.sampled_from(
                [
                    "0001-01-01T00:00:00+01:00",
                    "0001-01-01T00:00:00-14:00",
                    "1900-01-01T00:00:00+00:09",
                    "9999-12-31T23:59:59-14:00",
                    "9999-12-31T23:59:59+14:00",
                    "2026-11-18T10:15:00Z",
                    "2026-11-18T10:15:00.123456789+01:00",
                ]
            )
        )
    return _plain(put(event, path, value))


@st.composite
def naive_timestamps(draw: st.DrawFn) -> Drawn:
    """A time without an offset is no instant: which day was it in Paris?"""
    event = _event(draw)
    path = _pick(draw, event, _is_timestamp)
    assert path is not None
    value = draw(st.sampled_from(["2026-11-18T10:15:00", "2026-11-18T23:30:00", "2026-11-18 10:15:00"]))
    return _plain(put(event, path, value), must_refuse=True)


def _get(event: Any, path: Tokens) -> Any:
    for t in path:
        event = event[t]
    return event


@st.composite
def deep_nesting(draw: st.DrawFn) -> Drawn:
    """Arrays nested far beyond any event's depth, at any location."""
    event = _event(draw)
    path = draw(st.sampled_from([p for p, _ in leaves(event)]))
    depth = draw(st.sampled_from([200, 5_000, 100_000]))
    marker = "\u0000DEEP\u0000"
    text = json.dumps(put(event, path, marker)).replace(json.dumps(marker), "[" * depth + "]" * depth)
    return text, None, True, True


def _dumps_with_duplicate(value: Any, where: Tokens, key: str, first: Any, path: Tokens = ()) -> str:
    if isinstance(value, dict):
        items = [f"{json.dumps(key)}: {json.dumps(first)}"] if path == where else []
        items += [
            f"{json.dumps(k)}: {_dumps_with_duplicate(v, where, key, first, (*path, k))}" for k, v in value.items()
        ]
        return "{" + ", ".join(items) + "}"
    if isinstance(value, list):
        return (
            "[" + ", ".join(_dumps_with_duplicate(v, where, key, first, (*path, i)) for i, v in enumerate(value)) + "]"
        )
    return json.dumps(value)


@st.composite
def duplicate_keys(draw: st.DrawFn) -> Drawn:
    """`{"seller_id": "a", "seller_id": "b"}`: parsers disagree on which one counts, so neither does."""
    event = _event(draw)
    objects = [()] + [p for p, v in leaves(event) if isinstance(v, dict) and v]
    where: Tokens = draw(st.sampled_from(objects))
    obj = _get(event, where)
    key = draw(st.sampled_from(sorted(obj)))
    first = draw(st.sampled_from(["other", 0, None, obj[key]]))
    return _dumps_with_duplicate(event, where, key, first), event, True, True


CONTROL = ["\u0000", "\u0001", "\u0007", "\u001b", "\u007f", "\u0085", "\u2028", "\u202e", "\ufeff", "\ud800", "\r\n"]


@st.composite
def control_characters(draw: st.DrawFn) -> Drawn:
    event = _event(draw)
    path = _pick(draw, event, lambda _, v: isinstance(v, str))
    assert path is not None
    old = _get(event, path)
    char = draw(st.sampled_from(CONTROL))
    at = draw(st.integers(0, len(old)))
    value = old[:at] + char + old[at:]
    # ensure_ascii: a lone surrogate is only expressible as an escape.
    return json.dumps(put(event, path, value)), put(event, path, value), False, False


@st.composite
def long_strings(draw: st.DrawFn) -> Drawn:
    event = _event(draw)
    path = _pick(draw, event, lambda _, v: isinstance(v, str))
    assert path is not None
    value = draw(st.sampled_from(["x", "é", "👍", "1"])) * draw(st.sampled_from([301, 5_000, 200_000]))
    return _plain(put(event, path, value))


@st.composite
def missing_or_unknown_members(draw: st.DrawFn) -> Drawn:
    event = _event(draw)
    objects = [p for p, v in leaves(event) if isinstance(v, dict) and v] + [()]
    where: Tokens = draw(st.sampled_from(objects))
    obj = _get(event, where) if where else event
    if draw(st.booleans()):
        key = draw(st.sampled_from(sorted(obj)))
        del obj[key]
    else:
        obj[draw(st.sampled_from(["extra", "Seller_Id", "__proto__", "type "]))] = "x"
    return _plain(event)


STRATEGIES: dict[str, st.SearchStrategy[Drawn]] = {
    "wrong_types": wrong_types(),
    "numbers": numbers(),
    "odd_digits": odd_digits(),
    "yes_booleans": yes_booleans(),
    "unknown_countries": unknown_countries(),
    "odd_country_forms": odd_country_forms(),
    "dates": dates(),
    "naive_timestamps": naive_timestamps(),
    "deep_nesting": deep_nesting(),
    "duplicate_keys": duplicate_keys(),
    "control_characters": control_characters(),
    "long_strings": long_strings(),
    "missing_or_unknown_members": missing_or_unknown_members(),
}


# --- the API under test --------------------------------------------------------------------------


class Target:
    def __init__(self, service: Mandat) -> None:
        self.service = service
        token = create_key(service, "fuzz", "operator", None)[1]
        self.headers = {"Authorization": f"Bearer {token}"} | JSON
        self.client = TestClient(create_app(service, secret=SECRET), raise_server_exceptions=False)

    def counts(self) -> tuple[int, int]:
        with self.service.engine.connect() as conn:
            n_inbox = conn.execute(sa.select(sa.func.count()).select_from(inbox)).scalar_one()
            n_docs = conn.execute(sa.select(sa.func.count()).select_from(documents)).scalar_one()
        return int(n_inbox), int(n_docs)

    def check(self, drawn: Drawn, batch: bool) -> None:
        text, meant, must_refuse, must_not_issue = drawn
        if batch:
            # A valid companion: a refused batch must not store it either.
            text = f"[{json.dumps(fresh(order()))}, {text}]"
            meant = None if meant is None else [None, meant]
        before = self.counts()
        r = self.client.post("/v1/events", content=text.encode("utf-8", "surrogatepass"), headers=self.headers)
        assert r.status_code < 500, r.text
        assert r.status_code in (202, 400, 413, 422), r.text
        if r.status_code != 202:
            assert r.headers["content-type"] == "application/problem+json"
            problem = r.json()
            assert problem["type"].startswith("/problems/")
            assert problem["title"]
            assert problem["status"] == r.status_code
            # Every refusal says where: a pointer into the body ("" for the body as a whole).
            assert problem["errors"], problem
            for error in problem["errors"]:
                assert error["detail"]
                ptr = error.get("pointer")
                assert ptr is not None, error
                if meant is not None and r.status_code == 422:
                    assert resolves(meant, ptr), (ptr, error)
            assert self.counts() == before, "a refused request stored something"
            return
        assert not must_refuse, f"accepted what must be refused: {r.text}"
        results = r.json() if batch else [r.json()]
        for result in results[1:] if batch else results:
            self.settled(result, must_not_issue)

    def settled(self, result: dict[str, Any], must_not_issue: bool) -> None:
        status = result["status"]
        assert status in ("issued", "duplicate", "waiting", "rejected", "cancelled"), result
        got = self.client.get(f"/v1/events/{result['event_id']}", headers=self.headers)
        assert got.status_code == 200, got.text
        event = got.json()
        assert event["status"] == status
        if status == "issued" or (status == "duplicate" and result["document_id"]):
            assert not must_not_issue, f"issued a document from a value it should not take as sent: {result}"
            assert result["document_id"], result
            assert result["document_number"], result
            doc = self.client.get(f"/v1/documents/{result['document_id']}", headers=self.headers)
            assert doc.status_code == 200, doc.text
        else:
            assert result["document_id"] is None, result
            assert event["reason_code"], event
            assert event["reason"], event


FUZZ = settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
    database=None,
)

# Every mutation kind; each has a right answer the API must give (see the docstring).
MUTATIONS = [
    "wrong_types",
    "numbers",
    "odd_country_forms",
    "control_characters",
    "long_strings",
    "missing_or_unknown_members",
    "odd_digits",
    "yes_booleans",
    "unknown_countries",
    "dates",
    "naive_timestamps",
    "deep_nesting",
    "duplicate_keys",
]
assert set(MUTATIONS) == set(STRATEGIES)


def _run(service: Mandat, name: str, examples: int = 20) -> None:
    target = Target(service)

    @settings(FUZZ, max_examples=examples)
    @given(drawn=STRATEGIES[name], batch=st.booleans())
    def body(drawn: Drawn, batch: bool) -> None:
        target.check(drawn, batch)

    body()


@pytest.mark.parametrize("name", MUTATIONS)
def test_fuzzed_events_are_answered_rightly(service: Mandat, name: str) -> None:
    _run(service, name)


# On PostgreSQL, a few of the mutations again (a smaller run: the database is shared).
ON_POSTGRES = ["wrong_types", "numbers", "long_strings", "control_characters"]


@pytest.mark.postgres
@pytest.mark.parametrize("name", ON_POSTGRES)
def test_fuzzed_events_on_postgres(pg: Engine, tmp_path: Path, name: str) -> None:  # noqa: F811
    service = Mandat(Settings.from_env(tmp_path), engine=pg)
    service.save_sellers(demo_sellers())
    _run(service, name, examples=10)


@pytest.mark.postgres
@pytest.mark.parametrize("path", [("buyer", "name"), ("lines", 0, "description")])
def test_nul_in_a_text_field_on_postgres(pg: Engine, tmp_path: Path, path: Tokens) -> None:  # noqa: F811
    """Found by `control_characters`: refused (422) or settled, never left pending (a NUL was accepted,
    then PostgreSQL refused to store it in the record, and the event stayed pending until it failed)."""
    service = Mandat(Settings.from_env(tmp_path), engine=pg)
    service.save_sellers(demo_sellers())
    event = fresh(order())
    event = put(event, path, "Cam\u0000ille")
    Target(service).check(_plain(event), batch=False)


def test_the_bases_are_accepted_and_settle(service: Mandat) -> None:
    """The unmutated events: every one accepted, and settled (a mutation test means nothing if the
    events it starts from are refused anyway)."""
    target = Target(service)
    for base in BASES:
        r = target.client.post("/v1/events", content=json.dumps(fresh(base)), headers=target.headers)
        assert r.status_code == 202, r.text
        target.settled(r.json(), must_not_issue=False)
    statuses = [e.status for e in _inbox(service)]
    assert statuses.count("issued") >= len(BASES) // 2


def _inbox(service: Mandat) -> list[Any]:
    with service.engine.connect() as conn:
        return list(conn.execute(sa.select(inbox.c.status)))


def test_resolves() -> None:
    body = {"a": [{"b": 1}], "c~/d": 2}
    assert resolves(body, "")
    assert resolves(body, "/a/0/b")
    assert resolves(body, "/a/0/missing")
    assert resolves(body, "/c~0~1d")
    assert not resolves(body, "/a/1")
    assert not resolves(body, "/a/0/b/c")
    assert not resolves(body, "/x/y")
    assert not resolves(body, "a")
