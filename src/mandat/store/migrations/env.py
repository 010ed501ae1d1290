"""Alembic environment: the connection comes from mandat's config (config.attributes["connection"])."""

from __future__ import annotations

from alembic import context

from mandat.store.schema import metadata

config = context.config
connection = config.attributes.get("connection")
if connection is None:  # pragma: no cover - only when alembic's CLI is used directly
    from mandat.store.db import make_engine

    url = config.get_main_option("sqlalchemy.url")
    assert url, "set sqlalchemy.url or use `mandat db upgrade`"
    with make_engine(url).connect() as conn:
        context.configure(connection=conn, target_metadata=metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
else:
    context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
