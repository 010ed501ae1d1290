"""Engines: SQLite embedded default (WAL, synchronous=FULL) or PostgreSQL, from one URL."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine


def make_engine(url: str, schema: str | None = None) -> Engine:
    """``schema`` (PostgreSQL only) isolates a tenant or a test run in its own namespace."""
    if url.startswith("sqlite"):
        engine = sa.create_engine(url, connect_args={"timeout": 30, "isolation_level": None})

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            # FULL: in WAL mode NORMAL may lose the last commits on power loss, which
            # could hand out a number twice; FULL costs ~0.3 ms per commit.
            cur.execute("PRAGMA synchronous=FULL")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()

        @event.listens_for(engine, "begin")
        def _begin(conn: Connection) -> None:
            # Writers take the lock up front: a deferred transaction that upgrades to a
            # writer fails with SQLITE_BUSY instead of waiting. Readers (see reader())
            # stay deferred, so in WAL mode they never wait for a writer.
            if conn.get_execution_options().get(READ_ONLY):
                conn.exec_driver_sql("BEGIN")
            else:
                conn.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    # A frozen Lambda or a stuck worker must not hold a series lock forever.
    options = "-c idle_in_transaction_session_timeout=30000 -c lock_timeout=20000"
    if schema:
        options += f" -c search_path={schema}"
    # connect_timeout: an unreachable database must fail the invocation, not hang it until Lambda's timeout.
    return sa.create_engine(url, pool_pre_ping=True, connect_args={"options": options, "connect_timeout": 5})


READ_ONLY = "mandat_read_only"


def reader(engine: Engine) -> Engine:
    """The same pool, for transactions that only read (no SQLite write lock)."""
    return engine.execution_options(**{READ_ONLY: True})
