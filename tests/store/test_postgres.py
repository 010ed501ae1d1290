"""The same numbering code on the real PostgreSQL server: concurrent issuers, no gap, no duplicate."""

from __future__ import annotations

import itertools
import json
import os
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from mandat.service.app import Mandat
from mandat.service.config import Settings
from mandat.store import repository as repo
from mandat.store.db import make_engine
from mandat.store.migrate import current, upgrade
from mandat.store.schema import documents
from tests.factories import order, seller

PG_URL = os.environ.get("MANDAT_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
pytestmark = pytest.mark.postgres


@pytest.fixture
def pg() -> Iterator[Engine]:
    schema = f"mandat_t_{uuid.uuid4().hex[:10]}"
    admin = make_engine(PG_URL)
    with admin.begin() as conn:
        conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
    engine = make_engine(PG_URL, schema=schema)
    try:
        upgrade(engine)
        yield engine
    finally:
        engine.dispose()
        with admin.begin() as conn:
            conn.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
        admin.dispose()


def test_migrations_create_the_schema(pg: Engine) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from mandat.store.schema import metadata
    from tests.store.test_migrations import migrate_head

    assert current(pg) == migrate_head()
    with pg.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), metadata) == []


def test_concurrent_workers_for_one_seller_leave_no_gap_and_no_double(pg: Engine, tmp_path: Path) -> None:
    svc = Mandat(Settings.from_env(tmp_path), engine=pg)
    svc.save_sellers([seller()])
    events = [order(ref=f"{i:04d}") for i in range(150)]
    for i, event in enumerate(events):
        svc.accept(json.dumps(event))
        # The marketplace re-sends a third of the orders under a new event id.
        if i % 3 == 0:
            svc.accept(json.dumps({**event, "event_id": event["event_id"] + "-again"}))

    def work(_: int) -> None:
        while True:
            ids = svc.claim(5)
            if not ids:
                return
            for row_id in ids:
                svc.process(row_id)

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(work, range(8)))
    with pg.connect() as conn:
        rows = conn.execute(sa.select(documents.c.seq, documents.c.issued_at).order_by(documents.c.seq)).all()
        statuses = repo.count_inbox_by_status(conn)
    assert [r.seq for r in rows] == list(range(1, 151))
    assert all(a.issued_at <= b.issued_at for a, b in itertools.pairwise(rows))
    assert statuses == {"issued": 150, "duplicate": 50}


def test_insert_ignore_tells_a_conflict_on_postgres(pg: Engine) -> None:
    """A redelivered event must read as a duplicate on PostgreSQL too (rowcount is -1 there)."""
    with pg.begin() as conn:
        args = {"event_id": "e1", "event_type": "t", "seller_id": None, "order_id": None, "payload": "p"}
        assert repo.add_to_inbox(conn, **args, status="pending") is True
        assert repo.add_to_inbox(conn, **args, status="pending") is False
