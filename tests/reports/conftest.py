from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from mandat.service.app import Mandat
from mandat.service.config import Settings
from tests.reports.scenario import book


@pytest.fixture
def booked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Mandat]:
    """A fresh SQLite mandat holding the scenario's documents (tests/reports/scenario.py)."""
    svc = Mandat(Settings.from_env(tmp_path / "data"))
    svc.migrate()
    book(svc, monkeypatch)
    monkeypatch.undo()
    yield svc
    svc.engine.dispose()


from tests.store.test_postgres import pg  # noqa: E402, F401  (fixture)
