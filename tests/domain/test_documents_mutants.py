"""Hash-chain spelling that mutation testing (`./dev mutate domain/documents.py`) found unguarded.

The chain link is computed twice, in Python (documents.chain_hash) and in PostgreSQL's numbering statement
(store/repository.py: sha256 of prev_hash || ':' || body_hash || ':' || number || ':' || to_char(issued_at AT
TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')). The expected spellings below are that SQL's, written out
by hand, so a change to either side's format shows here without a database.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from mandat.domain.documents import canonical_json, chain_hash, iso_utc


@pytest.fixture
def paris_local_time(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Run with the process's local time zone set to Paris (a server not configured in UTC)."""
    monkeypatch.setenv("TZ", "Europe/Paris")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_iso_utc_is_utc_whatever_the_local_time_zone(paris_local_time: None) -> None:
    # 20 Nov 2026 09:30:00.000123 in Paris is UTC+1 (winter time): 08:30:00.000123Z, microseconds on 6 digits.
    instant = datetime(2026, 11, 20, 9, 30, 0, 123, tzinfo=ZoneInfo("Europe/Paris"))
    assert iso_utc(instant) == "2026-11-20T08:30:00.000123Z"


def test_chain_hash_spelling() -> None:
    issued = datetime(2026, 11, 20, 8, 30, tzinfo=UTC)
    text = "0" * 64 + ":" + "ab" * 32 + ":F-ATD-000042:2026-11-20T08:30:00.000000Z"
    assert chain_hash("0" * 64, "ab" * 32, "F-ATD-000042", issued) == hashlib.sha256(text.encode()).hexdigest()


def test_canonical_json_sorts_keys_packs_separators_and_keeps_utf8() -> None:
    # Keys sorted at every level, no spaces, non-ASCII written as UTF-8 (é = C3 A9), not as \u00e9.
    data = {"b": [1, {"z": 1, "y": 2}], "a": "é"}
    assert canonical_json(data) == b'{"a":"\xc3\xa9","b":[1,{"y":2,"z":1}]}'
