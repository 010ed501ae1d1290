"""Worker loops: one process, or a supervised pool of processes.

A worker claims events with a lease, issues them, then renders from the outbox.
SIGTERM/SIGINT finish the current batch and exit; a worker killed outright loses
nothing, because its claims expire and the idempotency key absorbs the retry.
"""

from __future__ import annotations

import logging
import multiprocessing as mp
import signal
import time
from dataclasses import replace
from types import FrameType
from typing import NamedTuple

from mandat.service.config import Settings

log = logging.getLogger("mandat")


def run_worker(settings: Settings, batch: int = 50, until_idle: bool = False, poll: float = 1.0) -> tuple[int, int]:
    """Work until stopped (or idle); returns (events claimed, documents rendered)."""
    from mandat.service.app import Mandat

    service = Mandat.open(settings)
    stopping = False

    def stop(_sig: int, _frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    total_events = total_renders = 0
    try:
        while not stopping:
            events, renders = service.work_once(batch)
            total_events += events
            total_renders += renders
            if not events and not renders:
                if until_idle:
                    break
                time.sleep(poll)
    finally:
        service.engine.dispose()
    return total_events, total_renders


# A pool worker that dies is restarted after a pause that doubles while it keeps dying soon after its
# start (a database outage, a bug on every batch), instead of being respawned five times a second; with
# --until-idle a slot that died that often in a row is given up, so the command ends instead of looping.
RESTART_PAUSE = 0.2  # seconds before the first restart
RESTART_PAUSE_MAX = 30.0
HEALTHY_AFTER = 60.0  # a worker that ran this long before dying starts the count afresh
MAX_FAILED_STARTS = 5  # --until-idle: consecutive early deaths of one slot before it is given up


class PoolResult(NamedTuple):
    restarts: int  # workers restarted after dying
    given_up: int  # --until-idle: slots given up after MAX_FAILED_STARTS early deaths in a row


def run_pool(
    settings: Settings, concurrency: int, batch: int = 50, until_idle: bool = False, poll: float = 1.0
) -> PoolResult:
    """Run ``concurrency`` worker processes; restart any that dies unless we are stopping.

    Returns how many workers were restarted after an abnormal exit.
    """
    ctx = mp.get_context("spawn")  # no inherited database connections or locks
    stopping = False
    restarts = given_up = 0
    done = float("inf")

    def start() -> mp.process.BaseProcess:
        p = ctx.Process(target=run_worker, args=(replace(settings), batch, until_idle, poll), daemon=False)
        p.start()
        return p

    def stop(_sig: int, _frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True
        for p in slots:
            if p is not None and p.is_alive() and p.pid:
                p.terminate()  # SIGTERM: the child finishes its batch

    slots: list[mp.process.BaseProcess | None] = [start() for _ in range(concurrency)]
    started = [time.monotonic()] * concurrency
    failures = [0] * concurrency
    due = [0.0] * concurrency  # when an empty slot starts again; ``done``: never
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    while any(p is not None or d != done for p, d in zip(slots, due, strict=True)):
        time.sleep(0.2)
        now = time.monotonic()
        for i, p in enumerate(slots):
            if p is None:
                if stopping:
                    due[i] = done
                elif now >= due[i]:
                    fresh = start()
                    slots[i], started[i] = fresh, now
                    if stopping:  # SIGTERM arrived while it was starting: stop it too
                        fresh.terminate()
                continue
            if p.is_alive():
                continue
            p.join()
            slots[i] = None
            if stopping or (until_idle and p.exitcode == 0):
                due[i] = done
                continue
            failures[i] = failures[i] + 1 if now - started[i] < HEALTHY_AFTER else 1
            if until_idle and failures[i] >= MAX_FAILED_STARTS:
                log.error("worker slot %d died %d times in a row (exit code %s): given up", i, failures[i], p.exitcode)
                due[i] = done
                given_up += 1
                continue
            restarts += 1
            due[i] = now + min(RESTART_PAUSE * 2 ** (failures[i] - 1), RESTART_PAUSE_MAX)
    return PoolResult(restarts, given_up)
