"""Workers SIGKILLed mid-flight while users race them: nothing lost, nothing doubled, every bad event
rejected with its reason and no good one (smaller sizes in CI; see chaos.py for full runs)."""

from __future__ import annotations

import os

import pytest

from tests.chaos.chaos import Result, run

EVENTS = int(os.environ.get("MANDAT_CHAOS_EVENTS", "600"))
TIMEOUT = max(600, EVENTS)
# The run stops by itself before pytest-timeout fires, so a livelock ends with the list of what did not
# settle (Result.mismatches) instead of a thread dump.
RUN_TIMEOUT = TIMEOUT - 120


def assert_exactly_the_scenario(result: Result) -> None:
    assert result.ok, "\n".join([*result.mismatches[:40], *result.audit_problems[:10], repr(result)])
    # Every order, refund and cancellation is its document(s), no more (result.ok checked them one by one).
    assert result.documents == result.expected_documents, result
    # Exactly the bad events seeded are rejected: a valid event wrongly rejected, or a bad one let
    # through, is a mismatch above and a different count here.
    assert result.rejected == result.seeded_rejections, result


@pytest.mark.slow
# 600 events (about 330 orders of every kind, 1,500 deliveries), -n 0 on the shared 2-core box: 140-175 s on
# PostgreSQL, 37-60 s on SQLite (the orders-only run before issue 12: 96-123 s and 20-80 s). A bigger
# MANDAT_CHAOS_EVENTS run gets 1 s per event.
@pytest.mark.timeout(TIMEOUT)
@pytest.mark.parametrize(
    ("backend", "workers"),
    [pytest.param("postgres", 4, marks=pytest.mark.postgres), pytest.param("sqlite", 2)],
)
def test_killed_workers_lose_nothing_and_double_nothing(backend: str, workers: int) -> None:
    result = run(backend, EVENTS, workers=workers, n_sellers=50, kill_every=0.7, timeout=RUN_TIMEOUT)
    assert result.kills >= 3, result
    assert_exactly_the_scenario(result)
    # The scenario did race what it says: redeliveries and resends, credit notes, bad events.
    assert result.duplicates > 0, result
    assert result.credit_notes > 0, result
    assert result.seeded_rejections > 0, result


@pytest.mark.slow
@pytest.mark.timeout(300)  # 18-49 s measured with -n 0 on the shared 2-core box
@pytest.mark.postgres
def test_hot_seller_eight_worker_processes() -> None:
    """Numbering of one seller's series under 8 workers: orders (re-sent too) and bad events only, to keep
    it short; the killed-workers runs above carry refunds and cancellations. (With refunds, 8 workers on
    one seller's orders also expire leases often: that is how the double decisions of
    test_found_by_chaos.py were found, and its remaining xfail, a refund's lost wake-up, can stall it.)"""
    result = run("postgres", 400, workers=8, n_sellers=1, kill_every=0, timeout=240, mix=False)
    assert_exactly_the_scenario(result)
    assert result.duplicates > 0, result  # re-sent orders did race for the same number
