from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from mandat.demo.sellers import demo_sellers
from mandat.service.app import Mandat
from mandat.service.config import Settings


@pytest.fixture
def service(tmp_path: Path) -> Iterator[Mandat]:
    """A fresh embedded mandat (SQLite + directory) with the demo sellers."""
    svc = Mandat(Settings.from_env(tmp_path / "data"))
    svc.migrate()
    svc.save_sellers(demo_sellers())
    yield svc
    svc.engine.dispose()
