"""Cold start: importing the Lambda handler module in a fresh interpreter, and a worker's peak RSS."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from benchmarks.common import Problems, median

MODULE = "mandat.entry.lambda_sqs"


@dataclass
class ColdResult:
    empty_ms: list[float] = field(default_factory=list)  # `python -c pass`
    import_ms: list[float] = field(default_factory=list)  # `python -c "import mandat.entry.lambda_sqs"`
    service_ms: list[float] = field(default_factory=list)  # + what the first invocation imports
    importtime_us: int = 0  # -X importtime cumulative of the module itself
    top_imports: list[tuple[int, str]] = field(default_factory=list)
    worker_rss_mb: float = 0.0
    worker_docs: int = 0

    @property
    def raw_ms(self) -> float:
        return median(self.import_ms)

    @property
    def net_ms(self) -> float:
        return median(self.import_ms) - median(self.empty_ms)


def _wall(code: str, env: dict[str, str]) -> float:
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], env=env, check=True)
    return (time.perf_counter() - t0) * 1000


def run(runs: int, rss_events: int, pg_url: str, problems: Problems, log: Callable[[str], None]) -> ColdResult:
    # A clean environment: no PYTHON* variables that would change start-up (but keep the venv's sys.path).
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    res = ColdResult()
    # Warm the OS page cache and the .pyc files first: a Lambda image has its bytecode compiled too.
    _wall(f"import {MODULE}, mandat.service.app", env)
    for _ in range(runs):
        # Interleaved so that machine noise hits the baseline and the import alike.
        res.empty_ms.append(_wall("pass", env))
        res.import_ms.append(_wall(f"import {MODULE}", env))
        res.service_ms.append(_wall(f"import {MODULE}, mandat.service.app", env))
    out = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", f"import {MODULE}"], env=env, capture_output=True, text=True
    ).stderr
    rows = []
    for line in out.splitlines():
        m = re.match(r"import time:\s+(\d+)\s+\|\s+(\d+)\s+\|(\s*)(\S+)", line)
        if m:
            rows.append((int(m.group(2)), len(m.group(3)), m.group(4)))
            if m.group(4) == MODULE:
                res.importtime_us = int(m.group(2))
    # The largest modules imported on the way (cumulative µs), the handler module and start-up ones aside.
    startup = ("site", "encodings", "_frozen_importlib_external", "io", "zipimport", "_signal", "abc", "codecs")
    res.top_imports = sorted(
        ((us, name) for us, _ind, name in rows if name != MODULE and not name.startswith(startup)), reverse=True
    )[:8]
    log(f"cold: import {res.raw_ms:.0f} ms raw, {res.net_ms:.0f} ms net of `python -c pass`")

    # Peak RSS of one worker process that issues and renders a few hundred events (SQLite).
    from benchmarks.e2e import RssWatch, environment, prepare, verify, worker_cmd

    with environment("sqlite", pg_url) as e:
        svc, lines = prepare(e, rss_events, seed=5)
        for line in lines:
            svc.accept(line)
        proc = subprocess.Popen(worker_cmd(1, until_idle=True), env=e.env, stdout=subprocess.DEVNULL)
        res.worker_rss_mb = RssWatch(proc).wait()
        if proc.returncode:
            problems.add("cold/rss worker", f"exited with {proc.returncode}")
        import random

        verify(svc, "cold/rss worker", problems, random.Random(3))
        from mandat.store import repository as repo

        with svc.reader.connect() as conn:
            res.worker_docs = sum(1 for r in repo.document_rows(conn) if r.render_status == "rendered")
        svc.engine.dispose()
    log(f"cold: worker peak RSS {res.worker_rss_mb:.0f} MB over {res.worker_docs} documents")
    return res
