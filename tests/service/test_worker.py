"""`mandat worker --concurrency N` stops cleanly on SIGTERM and leaves nothing half-done."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from mandat.service.app import Mandat
from mandat.service.audit import audit
from mandat.store import repository as repo
from tests.factories import order


def test_worker_pool_drains_then_stops_on_sigterm(service: Mandat, tmp_path: Path) -> None:
    for i in range(40):
        service.accept(json.dumps(order(ref=f"{i:03d}")))
    env = {**os.environ, "MANDAT_HOME": str(service.settings.home)}
    env.pop("MANDAT_DATABASE_URL", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "mandat.cli.main", "worker", "--concurrency", "2", "--poll", "0.1"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with service.reader.connect() as conn:
            if repo.count_inbox_by_status(conn) == {"issued": 40} and repo.pending_outbox(conn) == 0:
                break
        time.sleep(0.2)
    proc.send_signal(signal.SIGTERM)
    out, _ = proc.communicate(timeout=30)
    assert proc.returncode == 0, out
    assert b"restarted" not in out  # SIGTERM is a stop, not a crash to recover from
    report = audit(service.engine, service.blobs)
    assert report.ok
    assert report.documents == 40
    assert report.unrendered == 0
