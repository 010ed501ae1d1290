"""Adapters for records (SQLAlchemy Core: SQLite, PostgreSQL) and documents (directory, S3)."""
