"""Alembic migrations, shipped in the package and run by ``mandat db upgrade``."""
