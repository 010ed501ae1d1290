"""The imported rate tables on SQLite and on the real PostgreSQL: import once, never change, newest on or before."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from mandat.domain.exchange import PL_NBP, Rate, pick_rate
from mandat.store import rates as store
from mandat.store.db import make_engine
from mandat.store.migrate import upgrade
from mandat.store.schema import exchange_rates, inbox

D = Decimal
PG_URL = os.environ.get("MANDAT_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
TUE, WED, THU = date(2026, 12, 1), date(2026, 12, 2), date(2026, 12, 3)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    if request.param == "sqlite":
        eng = make_engine(f"sqlite:///{tmp_path / 'r.db'}")
        upgrade(eng)
        yield eng
        eng.dispose()
        return
    schema = f"mandat_t_{uuid.uuid4().hex[:10]}"
    admin = make_engine(PG_URL)
    with admin.begin() as conn:
        conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
    eng = make_engine(PG_URL, schema=schema)
    try:
        upgrade(eng)
        yield eng
    finally:
        eng.dispose()
        with admin.begin() as conn:
            conn.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
        admin.dispose()


def nbp(code: str, rate: str, day: date, no: str) -> Rate:
    return Rate("NBP", code, "PLN", D(rate), day, no)


TABLE_231 = [nbp("EUR", "4.2903", TUE, "231/A/NBP/2026"), nbp("HUF", "0.010461", TUE, "231/A/NBP/2026")]
TABLE_232 = [nbp("EUR", "4.2866", WED, "232/A/NBP/2026"), nbp("HUF", "0.010459", WED, "232/A/NBP/2026")]


def test_import_then_reimport_is_a_no_op(engine: Engine) -> None:
    with engine.begin() as conn:
        first = store.import_rates(conn, TABLE_231 + TABLE_232)
    assert (first.new, first.unchanged, first.conflicts) == (4, 0, [])
    with engine.begin() as conn:
        again = store.import_rates(conn, [*TABLE_232, nbp("USD", "4.0787", WED, "232/A/NBP/2026")])
    assert (again.new, again.unchanged, again.conflicts) == (1, 2, [])
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(exchange_rates)).scalar_one() == 5


def test_digits_are_kept_exactly(engine: Engine) -> None:
    tiny = Rate("NBP", "IDR", "PLN", D("0.00024914"), WED, "232/A/NBP/2026")
    many = Rate("ECB", "EUR", "SEK", D("11.4820"), WED)
    with engine.begin() as conn:
        store.import_rates(conn, [tiny, many])
    with engine.connect() as conn:
        stored = {r.base + r.quote: r for r, _ in store.list_rates(conn)}
        raw = dict(conn.execute(sa.select(exchange_rates.c.base, exchange_rates.c.rate)).all())
    assert stored["IDRPLN"] == tiny
    assert str(stored["EURSEK"].rate) == "11.4820"
    assert raw == {"IDR": "0.00024914", "EUR": "11.4820"}


def test_a_different_value_for_a_stored_day_is_refused_and_nothing_of_the_file_imported(engine: Engine) -> None:
    with engine.begin() as conn:
        store.import_rates(conn, TABLE_232)
    corrected = [nbp("EUR", "4.2870", WED, "232/A/NBP/2026"), nbp("USD", "4.0787", WED, "232/A/NBP/2026")]
    with engine.begin() as conn:
        result = store.import_rates(conn, corrected)
    assert result.new == 0
    assert [(c.stored.rate, c.imported.rate) for c in result.conflicts] == [(D("4.2866"), D("4.2870"))]
    assert "stored 4.2866, the file says 4.2870" in str(result.conflicts[0])
    with engine.connect() as conn:
        find = store.lookup(conn)
        kept = find("NBP", "EUR", "PLN", WED)
        assert kept is not None
        assert kept.rate == D("4.2866")
        assert find("NBP", "USD", "PLN", WED) is None


def test_the_same_value_written_otherwise_is_unchanged(engine: Engine) -> None:
    with engine.begin() as conn:
        store.import_rates(conn, [nbp("EUR", "4.2866", WED, "232/A/NBP/2026")])
    with engine.begin() as conn:
        result = store.import_rates(conn, [nbp("EUR", "4.28660", WED, "232/A/NBP/2026")])
    assert (result.new, result.unchanged, result.conflicts) == (0, 1, [])


def test_lookup_gives_the_newest_on_or_before_the_day(engine: Engine) -> None:
    with engine.begin() as conn:
        store.import_rates(conn, TABLE_231 + TABLE_232)
    with engine.connect() as conn:
        find = store.lookup(conn)
        assert find("NBP", "EUR", "PLN", date(2026, 11, 30)) is None
        on_tue = find("NBP", "EUR", "PLN", TUE)
        later = find("NBP", "EUR", "PLN", date(2026, 12, 20))
        assert find("ECB", "EUR", "PLN", WED) is None
        # And through the domain rule: a Thursday tax point takes Wednesday's table (art. 31a).
        picked = pick_rate(PL_NBP, find, "EUR", "PLN", THU)
    assert on_tue == TABLE_231[0]
    assert later == TABLE_232[0]
    assert (picked.rate, picked.reference) == (D("4.2866"), "232/A/NBP/2026")


def test_list_filters(engine: Engine) -> None:
    with engine.begin() as conn:
        store.import_rates(conn, TABLE_231 + TABLE_232 + [Rate("ECB", "EUR", "HUF", D("409.85"), WED)])
    with engine.connect() as conn:
        huf = [(r.source, r.day) for r, _ in store.list_rates(conn, currency="HUF")]
        ecb = [r.quote for r, _ in store.list_rates(conn, source="ECB")]
        since = [(r.base, r.day) for r, _ in store.list_rates(conn, source="NBP", since=WED)]
    assert huf == [("NBP", TUE), ("ECB", WED), ("NBP", WED)]
    assert ecb == ["HUF"]
    assert since == [("EUR", WED), ("HUF", WED)]


def test_event_rates_are_not_stored(engine: Engine) -> None:
    with engine.begin() as conn, pytest.raises(ValueError, match="event"):
        store.import_rates(conn, [Rate("event", "EUR", "PLN", D("4.3"), WED)])


def _waiting(conn: sa.Connection, event_id: str, code: str, due: datetime) -> None:
    conn.execute(
        inbox.insert().values(
            event_id=event_id,
            event_type="order.paid",
            payload="{}",
            status="waiting",
            reason_code=code,
            received_at=due,
            updated_at=due,
            available_at=due,
        )
    )


def test_an_import_wakes_the_events_waiting_for_a_rate_only(engine: Engine) -> None:
    now = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
    later = now + timedelta(hours=30)
    with engine.begin() as conn:
        _waiting(conn, "e-rate", "rate_missing", later)
        _waiting(conn, "e-capture", "payment_not_captured", later)
        store.import_rates(conn, TABLE_232)
        assert store.wake_waiting(conn, now) == 1
    with engine.connect() as conn:
        due = dict(conn.execute(sa.select(inbox.c.event_id, inbox.c.available_at)).all())
    assert due["e-rate"].replace(tzinfo=UTC) == now
    assert due["e-capture"].replace(tzinfo=UTC) == later
