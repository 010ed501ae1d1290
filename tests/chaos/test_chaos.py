"""Workers SIGKILLed mid-flight lose nothing and double nothing (smaller sizes in CI; see chaos.py for full runs)."""

from __future__ import annotations

import os

import pytest

from tests.chaos.chaos import run

EVENTS = int(os.environ.get("MANDAT_CHAOS_EVENTS", "600"))


@pytest.mark.slow
@pytest.mark.parametrize(
    ("backend", "workers"),
    [pytest.param("postgres", 4, marks=pytest.mark.postgres), pytest.param("sqlite", 2)],
)
def test_killed_workers_lose_nothing_and_double_nothing(backend: str, workers: int) -> None:
    result = run(backend, EVENTS, workers=workers, n_sellers=50, kill_every=0.7)
    assert result.kills >= 3, result
    assert result.ok, result
    assert result.documents + result.rejected == result.events


@pytest.mark.slow
@pytest.mark.postgres
def test_hot_seller_eight_worker_processes() -> None:
    result = run("postgres", 400, workers=8, n_sellers=1, kill_every=0)
    assert result.ok, result
    assert result.documents + result.rejected == result.events
