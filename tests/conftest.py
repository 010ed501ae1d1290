from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings

from mandat.demo.sellers import demo_sellers
from mandat.service.app import Mandat
from mandat.service.config import Settings

# Hypothesis in CI (.ci/run sets CI=true): the same examples on every run, so a red build fails the same
# way on a laptop, and a failure prints the `@reproduce_failure` blob to replay it exactly. No deadline:
# a shared CI box is too noisy for per-example timing. Locally the default profile keeps exploring anew.
# HYPOTHESIS_PROFILE=ci picks it explicitly (docs/testing.md).
settings.register_profile("ci", derandomize=True, print_blob=True, deadline=None, database=None)
settings.register_profile("dev", print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev"))


@pytest.fixture
def service(tmp_path: Path) -> Iterator[Mandat]:
    """A fresh embedded mandat (SQLite + directory) with the demo sellers."""
    svc = Mandat(Settings.from_env(tmp_path / "data"))
    svc.migrate()
    svc.save_sellers(demo_sellers())
    yield svc
    svc.engine.dispose()
