"""Settings from the environment, with an embedded default under one data folder.

Every MANDAT_* variable, these and the others, is described in docs/configuration.md.

MANDAT_HOME          data folder (default ./mandat-data): SQLite file and documents/
MANDAT_DATABASE_URL  e.g. postgresql+psycopg://user@host/db (default: SQLite in MANDAT_HOME)
MANDAT_BLOB_URL      e.g. s3://bucket/prefix (default: MANDAT_HOME/documents)
MANDAT_DATABASE_SCHEMA  PostgreSQL schema (search_path) to use, default the server's
MANDAT_LEASE_SECONDS    how long a claimed event or render stays with its worker (default 60)
MANDAT_SCHEMATRON_SAMPLE  share of documents (0..1, default 1: all) whose structured files also pass the
                          official Schematron before they are stored; the XSD runs on every file
MANDAT_PT_SIGNING_KEY   PEM file of the RSA key of the operator's AT-certified deployment: Portuguese
                        documents are then signed, chained and printed with ATCUD and QR code
MANDAT_PT_CERTIFICATE   the AT certificate number of that deployment (printed with the hash characters)
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Settings:
    home: Path
    database_url: str
    blob_url: str
    database_schema: str | None = None
    lease_seconds: float = 60.0
    # Issue 15 point 3: the Schematron on every document by default; a lower rate trades checks for throughput.
    schematron_sample: float = 1.0
    # Portugal (docs/formats/portugal.md): both or neither; without them Portuguese PDFs stay copies.
    pt_signing_key: Path | None = None
    pt_certificate: str | None = None

    @classmethod
    def from_env(cls, home: Path | None = None) -> Settings:
        base = (home or Path(os.environ.get("MANDAT_HOME", "mandat-data"))).absolute()
        return cls(
            home=base,
            database_url=os.environ.get("MANDAT_DATABASE_URL") or f"sqlite:///{base / 'mandat.db'}",
            blob_url=os.environ.get("MANDAT_BLOB_URL") or str(base / "documents"),
            database_schema=os.environ.get("MANDAT_DATABASE_SCHEMA") or None,
            lease_seconds=_seconds("MANDAT_LEASE_SECONDS", 60.0),
            schematron_sample=_rate("MANDAT_SCHEMATRON_SAMPLE", 1.0),
            pt_signing_key=Path(key) if (key := os.environ.get("MANDAT_PT_SIGNING_KEY")) else None,
            pt_certificate=os.environ.get("MANDAT_PT_CERTIFICATE") or None,
        )


def _seconds(name: str, default: float) -> float:
    raw = os.environ.get(name) or ""
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = float("nan")
    if not value > 0 or value == float("inf"):
        raise ValueError(f"{name} must be a positive number of seconds, got {raw!r}")
    return value


def _rate(name: str, default: float) -> float:
    raw = os.environ.get(name) or ""
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = float("nan")
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"{name} must be a number from 0 to 1, got {raw!r}")
    return value
