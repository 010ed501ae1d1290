"""Workers SIGKILLed mid-flight lose nothing and double nothing (smaller sizes in CI; see chaos.py for full runs)."""

from __future__ import annotations

import os

import pytest

from tests.chaos.chaos import run

EVENTS = int(os.environ.get("MANDAT_CHAOS_EVENTS", "600"))


@pytest.mark.slow
# 80 s measured for 600 events with -n 2 on 2 cores; a bigger MANDAT_CHAOS_EVENTS run gets 1 s per event.
@pytest.mark.timeout(max(600, EVENTS))
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
@pytest.mark.timeout(300)  # 29 s measured with -n 2 on 2 cores
@pytest.mark.postgres
def test_hot_seller_eight_worker_processes() -> None:
    result = run("postgres", 400, workers=8, n_sellers=1, kill_every=0)
    assert result.ok, result
    assert result.documents + result.rejected == result.events
