"""The marketplace's own series (deemed supplier, Directive 2006/112/EC art. 14a) and the distance-sales count
(art. 59c), on real SQLite files and the real PostgreSQL server.

Expected figures by hand: the marketplace numbers MP-00000001, MP-00000002, ... in one series for every
seller's order (art. 226(2): one continuous sequence per issuer), each document keeping its seller; a sale
decided "taxed in the seller's country" on a count of C is issued only while C' + amount <= 10,000.00 for
the count C' stored when its number is taken, else nothing is written (Waiting distance_sales_moved).
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from mandat.domain.drafts import Draft, Tally
from mandat.domain.refusals import Rejected, Waiting
from mandat.service.app import Mandat
from mandat.service.audit import audit
from mandat.service.config import Settings
from mandat.store import repository as repo
from mandat.store.blobs import DirectoryBlobStore
from mandat.store.schema import distance_sales, documents, orders, outbox, series
from tests.store.test_postgres import pg  # noqa: F401  (fixture)
from tests.store.test_repository_mutants import NOW, draft

MP = "@bricomarket"
LIMIT = Decimal("10000.00")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    if request.param == "postgres":
        yield request.getfixturevalue("pg")
        return
    svc = Mandat(Settings.from_env(tmp_path / "data"))
    svc.migrate()
    yield svc.engine
    svc.engine.dispose()


def marketplace_draft(ref: str, seller_id: str) -> Draft:
    """The seller's invoice draft, numbered in the marketplace's own series as its rules would set it."""
    d = draft(ref, seller_id)
    return dataclasses.replace(
        d,
        series="MP",
        series_format="MP-{seq:08}",
        seller_code="MP",
        series_owner=MP,
        fields={**d.fields, "series_owner": MP},
    )


def tallied(ref: str, amount: str, limit: Decimal | None, currency: str = "EUR", year: int = 2026) -> Draft:
    return dataclasses.replace(draft(ref), tally=Tally(year, Decimal(amount), currency, limit))


def count_rows(conn: Connection, table: sa.Table) -> int:
    return int(conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())


# --- the marketplace's series -----------------------------------------------------------------


def test_two_sellers_share_the_marketplaces_continuous_series(db: Engine, tmp_path: Path) -> None:
    with db.begin() as conn:
        # Both sellers received an order CMD-1 (the marketplace's ids): two documents, one series.
        a1, _ = repo.issue_document(conn, marketplace_draft("1", "atelier-bois"), NOW)
        t1, _ = repo.issue_document(conn, marketplace_draft("1", "thermoconfort"), NOW + timedelta(seconds=1))
        own, _ = repo.issue_document(conn, draft("3", "atelier-bois"), NOW + timedelta(seconds=2))
        a2, _ = repo.issue_document(conn, marketplace_draft("2", "atelier-bois"), NOW + timedelta(seconds=3))
    assert [(d.number, d.seq, d.seller_id) for d in (a1, t1, a2)] == [
        ("MP-00000001", 1, "atelier-bois"),
        ("MP-00000002", 2, "thermoconfort"),
        ("MP-00000003", 3, "atelier-bois"),
    ]
    assert [a1.prev_hash, t1.prev_hash, a2.prev_hash] == ["0" * 64, a1.hash, t1.hash]
    assert (own.number, own.seq, own.prev_hash) == ("F-ABJ-000001", 1, "0" * 64)  # the seller's own series
    assert (a1.series_owner, own.series_owner) == (MP, None)
    with db.connect() as conn:
        stored = conn.execute(
            sa.select(documents.c.number, documents.c.seller_id, documents.c.series_owner).order_by(documents.c.number)
        ).all()
        assert stored == [
            ("F-ABJ-000001", "atelier-bois", "atelier-bois"),
            ("MP-00000001", "atelier-bois", MP),
            ("MP-00000002", "thermoconfort", MP),
            ("MP-00000003", "atelier-bois", MP),
        ]
        assert repo.series_heads(conn) == {(MP, "MP"): (3, a2.hash), ("atelier-bois", "F"): (1, own.hash)}
        # Ownership of the orders stays the sellers'.
        assert sorted(conn.execute(sa.select(orders.c.seller_id, orders.c.key)).all()) == [
            ("atelier-bois", "bricomarket-fr:CMD-1"),
            ("atelier-bois", "bricomarket-fr:CMD-2"),
            ("atelier-bois", "bricomarket-fr:CMD-3"),
            ("thermoconfort", "bricomarket-fr:CMD-1"),
        ]
    blobs = DirectoryBlobStore(tmp_path / "blobs")
    full = audit(db, blobs, check_files=False)
    assert [(s.seller_id, s.series, s.count, s.first, s.last, s.ok) for s in full.series] == [
        (MP, "MP", 3, "MP-00000001", "MP-00000003", True),
        ("atelier-bois", "F", 1, "F-ABJ-000001", "F-ABJ-000001", True),
    ]
    # A seller's audit sees its own series only: its share of the marketplace's (1 and 3) is not a gap.
    mine = audit(db, blobs, check_files=False, seller_id="atelier-bois")
    assert [(s.seller_id, s.series, s.count, s.gaps, s.ok) for s in mine.series] == [("atelier-bois", "F", 1, [], True)]
    assert audit(db, blobs, check_files=False, seller_id="thermoconfort").series == []


def test_a_gap_in_the_marketplaces_series_is_reported(db: Engine, tmp_path: Path) -> None:
    with db.begin() as conn:
        repo.issue_document(conn, marketplace_draft("1", "atelier-bois"), NOW)
        second, _ = repo.issue_document(conn, marketplace_draft("1", "thermoconfort"), NOW)
        repo.issue_document(conn, marketplace_draft("2", "atelier-bois"), NOW)
        conn.execute(outbox.delete())
        conn.execute(documents.delete().where(documents.c.id == second.id))
    report = audit(db, DirectoryBlobStore(tmp_path / "blobs"), check_files=False)
    (mp,) = report.series
    assert (mp.seller_id, mp.series, mp.count, mp.gaps) == (MP, "MP", 2, [2])


def test_the_database_refuses_a_second_document_with_the_same_owner_series_and_seq(db: Engine) -> None:
    with db.begin() as conn:
        first, _ = repo.issue_document(conn, marketplace_draft("1", "atelier-bois"), NOW)
    row = {
        "id": "dup",
        "seller_id": "thermoconfort",  # another seller: the key is the owner's, not the seller's
        "series_owner": MP,
        "series": "MP",
        "seq": 1,
        "number": "MP-X",
        "kind": "invoice",
        "idempotency_key": "k-dup",
        "order_id": "CMD-9",
        "event_id": "e-dup",
        "issued_at": NOW,
        "total": Decimal("1.00"),
        "data": "{}",
        "hash": "a" * 64,
        "prev_hash": first.hash,
        "render_status": "pending",
    }
    with pytest.raises(sa.exc.IntegrityError), db.begin() as conn:
        conn.execute(documents.insert().values(**row))
    # Same number under another seq: refused too (series_owner, number).
    with pytest.raises(sa.exc.IntegrityError), db.begin() as conn:
        conn.execute(documents.insert().values(**{**row, "seq": 2, "number": "MP-00000001"}))
    # The same seq in the seller's own series is another series: accepted.
    with db.begin() as conn:
        conn.execute(documents.insert().values(**{**row, "series_owner": "thermoconfort"}))
        assert count_rows(conn, documents) == 2


def test_issue_many_numbers_the_marketplaces_series_across_sellers(tmp_path: Path) -> None:
    svc = Mandat(Settings.from_env(tmp_path / "data"))
    svc.migrate()
    with svc.engine.begin() as conn:
        repo.issue_document(conn, marketplace_draft("1", "atelier-bois"), NOW)
    batch = [
        marketplace_draft("2", "atelier-bois"),
        draft("3", "thermoconfort"),
        marketplace_draft("4", "thermoconfort"),
    ]
    with svc.engine.begin() as conn:
        issued = repo.issue_many(conn, batch, NOW, timedelta(0))
    assert {i: (d.number, d.seller_id, d.series_owner) for i, d in issued.items()} == {
        0: ("MP-00000002", "atelier-bois", MP),
        1: ("F-TCI-000001", "thermoconfort", None),
        2: ("MP-00000003", "thermoconfort", MP),
    }
    assert issued[2].prev_hash == issued[0].hash
    with svc.engine.connect() as conn:
        assert repo.series_heads(conn) == {
            (MP, "MP"): (3, issued[2].hash),
            ("thermoconfort", "F"): (1, issued[1].hash),
        }
        owners = dict(conn.execute(sa.select(documents.c.number, documents.c.series_owner)).all())
    assert owners == {
        "MP-00000001": MP,
        "MP-00000002": MP,
        "F-TCI-000001": "thermoconfort",
        "MP-00000003": MP,
    }
    assert audit(svc.engine, svc.blobs, check_files=False).series[0].ok
    svc.engine.dispose()


# --- the distance-sales count -----------------------------------------------------------------


def test_a_sale_within_the_limit_is_counted_and_one_decided_on_the_old_count_is_refused(db: Engine) -> None:
    with db.begin() as conn:
        assert repo.distance_sales_count(conn, "atelier-bois", 2026) == Decimal(0)
        repo.issue_document(conn, tallied("1", "4000.00", LIMIT), NOW)
        assert repo.distance_sales_count(conn, "atelier-bois", 2026) == Decimal("4000.00")
        # 4000.00 + 6000.00 = 10000.00: exactly the limit still holds (art. 59c: "does not exceed").
        repo.issue_document(conn, tallied("2", "6000.00", LIMIT), NOW)
        assert repo.distance_sales_count(conn, "atelier-bois", 2026) == Decimal("10000.00")
        head = conn.execute(sa.select(series.c.last_seq, series.c.last_hash)).one()
    # Decided when the count was 4000.00: 10000.00 + 0.01 = 10000.01 is above the limit now.
    with pytest.raises(Waiting) as refused, db.begin() as conn:
        repo.issue_document(conn, tallied("3", "0.01", LIMIT), NOW)
    assert refused.value.code == "distance_sales_moved"
    assert "10000.00 EUR" in refused.value.reason
    assert "10000.01" in refused.value.reason
    with db.connect() as conn:
        assert conn.execute(sa.select(series.c.last_seq, series.c.last_hash)).one() == head  # no number taken
        assert count_rows(conn, documents) == 2
        assert count_rows(conn, orders) == 2
        assert repo.find_by_key(conn, "bricomarket-fr:CMD-3:invoice") is None
        assert repo.distance_sales_count(conn, "atelier-bois", 2026) == Decimal("10000.00")


def test_a_sale_taxed_at_destination_is_counted_without_condition(db: Engine) -> None:
    with db.begin() as conn:
        repo.issue_document(conn, tallied("1", "9999.99", LIMIT), NOW)
        repo.issue_document(conn, tallied("2", "500.00", None), NOW)
        repo.issue_document(conn, tallied("3", "0.02", None), NOW)
        # Another year, another count; another seller too.
        repo.issue_document(conn, tallied("4", "12.50", None, year=2027), NOW)
        assert repo.distance_sales_count(conn, "atelier-bois", 2026) == Decimal("10500.01")
        assert repo.distance_sales_count(conn, "atelier-bois", 2027) == Decimal("12.50")
        assert repo.distance_sales_count(conn, "thermoconfort", 2026) == Decimal(0)
        assert count_rows(conn, documents) == 4


def test_a_count_in_another_currency_is_refused(db: Engine) -> None:
    with db.begin() as conn:
        repo.issue_document(conn, tallied("1", "100.00", None), NOW)
    with pytest.raises(Rejected) as refused, db.begin() as conn:
        repo.issue_document(conn, tallied("2", "100.00", None, currency="PLN"), NOW)
    assert refused.value.code == "distance_sales_currency"
    with db.connect() as conn:
        assert count_rows(conn, documents) == 1
        assert conn.execute(sa.select(distance_sales.c.currency, distance_sales.c.total)).one() == (
            "EUR",
            Decimal("100.00"),
        )


def test_the_same_order_issued_again_is_not_counted_twice(db: Engine) -> None:
    with db.begin() as conn:
        first, created = repo.issue_document(conn, tallied("1", "300.00", LIMIT), NOW)
        again, created_again = repo.issue_document(conn, tallied("1", "300.00", LIMIT), NOW)
        assert (created, created_again, again.id) == (True, False, first.id)
        assert repo.distance_sales_count(conn, "atelier-bois", 2026) == Decimal("300.00")


def test_issue_many_counts_in_order_and_leaves_out_a_sale_whose_limit_no_longer_holds(tmp_path: Path) -> None:
    svc = Mandat(Settings.from_env(tmp_path / "data"))
    svc.migrate()
    with svc.engine.begin() as conn:
        repo.issue_document(conn, tallied("1", "9000.00", LIMIT), NOW)
    batch = [
        tallied("2", "600.00", LIMIT),  # 9600.00
        tallied("3", "500.00", LIMIT),  # decided on 9000.00: 10100.00 now, left out
        tallied("4", "400.00", LIMIT),  # 10000.00: holds
        tallied("5", "1.00", None),  # destination: 10001.00
        tallied("6", "1.00", None, currency="PLN"),  # another currency: left out
        dataclasses.replace(draft("7", "thermoconfort"), tally=Tally(2026, Decimal("50.00"), "EUR", LIMIT)),
    ]
    with svc.engine.begin() as conn:
        issued = repo.issue_many(conn, batch, NOW, timedelta(0))
    assert sorted(issued) == [0, 2, 3, 5]
    assert [issued[i].number for i in (0, 2, 3)] == ["F-ABJ-000002", "F-ABJ-000003", "F-ABJ-000004"]
    with svc.engine.connect() as conn:
        assert repo.distance_sales_count(conn, "atelier-bois", 2026) == Decimal("10001.00")
        assert repo.distance_sales_count(conn, "thermoconfort", 2026) == Decimal("50.00")
    # The left-out ones go one by one, and are refused there with their reason.
    with pytest.raises(Waiting, match="distance_sales_moved"), svc.engine.begin() as conn:
        repo.issue_document(conn, batch[1], NOW)
    with pytest.raises(Rejected, match="distance_sales_currency"), svc.engine.begin() as conn:
        repo.issue_document(conn, batch[4], NOW)
    svc.engine.dispose()


@pytest.mark.postgres
def test_postgres_a_sale_waits_for_the_count_another_transaction_holds_then_sees_it(pg: Engine) -> None:  # noqa: F811
    # T1 counts 6000.00 (of 0) and holds the row; T2, decided on 0 too, wants 5000.00 with the limit.
    # T2 must wait for T1's commit and then read 6000.00 (not its snapshot's 0): 11000.00 > 10000.00.
    first = pg.connect()
    tx = first.begin()
    repo.issue_document(first, tallied("1", "6000.00", LIMIT), NOW)
    result: dict[str, BaseException | None] = {}

    def second() -> None:
        try:
            with pg.begin() as conn:
                repo.issue_document(conn, tallied("2", "5000.00", LIMIT), NOW)
            result["error"] = None
        except BaseException as exc:  # the thread reports what the issue raised
            result["error"] = exc

    worker = threading.Thread(target=second)
    worker.start()
    time.sleep(0.5)
    assert worker.is_alive()  # blocked on the distance-sales row
    tx.commit()
    first.close()
    worker.join(20)
    assert not worker.is_alive()
    error = result["error"]
    assert isinstance(error, Waiting)
    assert error.code == "distance_sales_moved"
    with pg.connect() as conn:
        assert repo.distance_sales_count(conn, "atelier-bois", 2026) == Decimal("6000.00")
        assert conn.execute(sa.select(series.c.last_seq)).scalar_one() == 1


@pytest.mark.postgres
def test_postgres_the_same_sale_issued_by_two_transactions_at_once_is_counted_once(pg: Engine) -> None:  # noqa: F811
    # A redelivery: both transactions count 300.00 for order CMD-1; the second finds the first's document
    # once it gets the row and must take its own count back before pointing at the winner.
    first = pg.connect()
    tx = first.begin()
    mine, _ = repo.issue_document(first, tallied("1", "300.00", None), NOW)
    result: dict[str, object] = {}

    def second() -> None:
        with pg.begin() as conn:
            result["issued"] = repo.issue_document(conn, tallied("1", "300.00", None), NOW)

    worker = threading.Thread(target=second)
    worker.start()
    time.sleep(0.5)
    assert worker.is_alive()
    tx.commit()
    first.close()
    worker.join(20)
    assert not worker.is_alive()
    theirs, created = result["issued"]  # type: ignore[misc]
    assert (theirs.id, created) == (mine.id, False)
    with pg.connect() as conn:
        assert repo.distance_sales_count(conn, "atelier-bois", 2026) == Decimal("300.00")
        assert count_rows(conn, documents) == 1


# --- migration 0006 ---------------------------------------------------------------------------


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def at_0005(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    from mandat.store.db import make_engine
    from mandat.store.migrate import upgrade

    if request.param == "postgres":
        import uuid

        from tests.store.test_postgres import PG_URL

        schema = f"mandat_t_{uuid.uuid4().hex[:10]}"
        admin = make_engine(PG_URL)
        with admin.begin() as conn:
            conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
        engine = make_engine(PG_URL, schema=schema)
        try:
            upgrade(engine, "0005")
            yield engine
        finally:
            engine.dispose()
            with admin.begin() as conn:
                conn.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
            admin.dispose()
    else:
        engine = make_engine(f"sqlite:///{tmp_path / 'm.db'}")
        upgrade(engine, "0005")
        yield engine
        engine.dispose()


def test_migration_0006_puts_existing_documents_in_their_sellers_series(at_0005: Engine) -> None:
    from alembic import command

    from mandat.store.migrate import alembic_config, upgrade

    insert = sa.text(
        "INSERT INTO documents (id, seller_id, series, seq, number, kind, idempotency_key, order_id, event_id, "
        "issued_at, total, data, hash, prev_hash, render_status) VALUES (:id, :seller, 'F', 1, 'F-1', 'invoice', "
        ":key, 'CMD-1', :id, :at, 10.00, '{}', :h, :h, 'rendered')"
    )
    with at_0005.begin() as conn:
        for seller_id in ("atelier-bois", "thermoconfort"):  # the same number in two sellers' series
            conn.execute(insert, {"id": seller_id, "seller": seller_id, "key": "k", "at": NOW, "h": "a" * 64})
    upgrade(at_0005)
    with at_0005.begin() as conn:
        owners = conn.execute(sa.select(documents.c.id, documents.c.series_owner).order_by(documents.c.id)).all()
        assert owners == [("atelier-bois", "atelier-bois"), ("thermoconfort", "thermoconfort")]
        assert count_rows(conn, distance_sales) == 0
    # Back to 0005 while every document is in its seller's series; refused once one is in the marketplace's.
    cfg = alembic_config()
    with at_0005.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0005")
    upgrade(at_0005)
    with at_0005.begin() as conn:
        conn.execute(documents.update().where(documents.c.id == "thermoconfort").values(series_owner=MP))
    with at_0005.begin() as conn:
        cfg.attributes["connection"] = conn
        with pytest.raises(RuntimeError, match="1 documents are numbered in the marketplace's series"):
            command.downgrade(cfg, "0005")
