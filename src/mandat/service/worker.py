"""Worker loops: one process, or a supervised pool of processes.

A worker claims events with a lease, issues them, then renders from the outbox.
SIGTERM/SIGINT finish the current batch and exit; a worker killed outright loses
nothing, because its claims expire and the idempotency key absorbs the retry.
"""

from __future__ import annotations

import multiprocessing as mp
import signal
import time
from dataclasses import replace
from types import FrameType

from mandat.service.config import Settings


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


def run_pool(settings: Settings, concurrency: int, batch: int = 50, until_idle: bool = False, poll: float = 1.0) -> int:
    """Run ``concurrency`` worker processes; restart any that dies unless we are stopping.

    Returns how many workers were restarted after an abnormal exit.
    """
    ctx = mp.get_context("spawn")  # no inherited database connections or locks
    stopping = False
    restarts = 0

    def start() -> mp.process.BaseProcess:
        p = ctx.Process(target=run_worker, args=(replace(settings), batch, until_idle, poll), daemon=False)
        p.start()
        return p

    def stop(_sig: int, _frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True
        for p in procs:
            if p.is_alive() and p.pid:
                p.terminate()  # SIGTERM: the child finishes its batch

    procs = [start() for _ in range(concurrency)]
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    while procs:
        time.sleep(0.2)
        for p in list(procs):
            if p.is_alive():
                continue
            p.join()
            if stopping or (until_idle and p.exitcode == 0):
                procs.remove(p)
            else:
                restarts += 1
                procs[procs.index(p)] = start()
    return restarts
