from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from mandat.service.app import Mandat
from mandat.service.config import Settings
from tests.store.test_postgres import pg  # noqa: F401  (fixture)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Mandat]:
    """A mandat with the demo sellers on both backends: the embedded default and the real PostgreSQL server."""
    from mandat.demo.sellers import demo_sellers

    engine = request.getfixturevalue("pg") if request.param == "postgres" else None
    svc = Mandat(Settings.from_env(tmp_path / "data"), engine=engine)
    svc.migrate()
    svc.save_sellers(demo_sellers())
    yield svc
    if engine is None:
        svc.engine.dispose()
