"""End to end: events → issued, rendered, stored documents, with `mandat worker` processes.

Two variants per (backend, workers):

* **prefeed**: every delivery is accepted into the inbox first, then `mandat worker --concurrency W
  --until-idle` runs until nothing is left. Throughput = rendered documents / active span, where the span
  runs from the first document's issue time to the last ``rendered_at`` (read from the database, so
  process start-up and the idle check at the end are excluded; the subprocess wall time, start-up
  included, is reported next to it). Latency accept→stored here is mostly *queueing* (all events were
  accepted before the first was processed), so it is reported but not meaningful as service latency.
* **steady**: the benchmark process feeds deliveries at a fixed rate (a fraction of the prefeed
  throughput) while the workers run; latency accept→stored (``documents.rendered_at -
  inbox.received_at``) is then what an event experiences at that load. The feeder runs on the same
  2 cores (accept = JSON + pydantic validation + one insert transaction), as it would in production.

Events come from ``mandat.demo.orders.generate`` over the demo sellers: mixed B2C/B2B/intra-EU/export
orders with 1-4 lines, ~5 % bad events (rejected or waiting), ~4 % redeliveries and re-sends, so
"documents" < "deliveries". After each run: audit (no gap, no duplicate, chain, file checksums) and a
sample of stored documents is validated (XSD + Schematron, PDF/A-3 markers) and re-rendered from its
record to check the stored bytes are reproduced exactly.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import sqlalchemy as sa

from benchmarks.common import Problems, check_rendered, median, percentile, pg_schema
from benchmarks.events import deliveries
from mandat.render.document import render_document
from mandat.service.app import Mandat
from mandat.service.audit import audit
from mandat.service.config import Settings
from mandat.store import repository as repo
from mandat.store.schema import documents, inbox, outbox

POLL = "0.05"  # seconds a worker sleeps when idle: small, so the steady latency is not the poll period
SAMPLE = 4  # stored documents validated per run (Schematron costs ~20-40 ms each)


@dataclass
class RunResult:
    backend: str
    workers: int
    variant: str  # prefeed | steady
    deliveries: int
    documents: int
    span_s: float  # first issue → last rendered_at
    wall_s: float  # worker subprocess start → exit (prefeed) or feed start → all stored (steady)
    accept_per_s: float  # feeding rate achieved (prefeed: as fast as possible, one process)
    latency_ms: list[float] = field(default_factory=list)  # accept → stored
    issue_latency_ms: list[float] = field(default_factory=list)  # accept → issued
    peak_rss_mb: float = 0.0
    cpu_s: float = 0.0  # user + system CPU of the worker processes, start-up excluded (prefeed)
    startup_cpu_s: float = 0.0  # CPU of the same command on an empty inbox
    target_rate: float = 0.0
    statuses: dict[str, int] = field(default_factory=dict)
    note: str = ""

    @property
    def docs_per_s(self) -> float:
        return self.documents / self.span_s if self.span_s > 0 else 0.0

    @property
    def docs_per_s_wall(self) -> float:
        return self.documents / self.wall_s if self.wall_s > 0 else 0.0

    @property
    def cpu_ms_per_doc(self) -> float:
        return self.cpu_s * 1000 / self.documents if self.documents else 0.0

    def lat(self, q: float) -> float:
        return percentile(self.latency_ms, q)


@dataclass
class Env:
    backend: str
    home: Path
    env: dict[str, str]
    settings: Settings


@contextmanager
def environment(backend: str, pg_url: str) -> Iterator[Env]:
    """A fresh MANDAT_HOME, and on PostgreSQL a fresh schema; removed afterwards."""
    home = Path(tempfile.mkdtemp(prefix=f"mandat-bench-{backend}-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("MANDAT_")}
    env["MANDAT_HOME"] = str(home)
    try:
        if backend == "postgres":
            with pg_schema(pg_url, "mandat_bench") as schema:
                env |= {"MANDAT_DATABASE_URL": pg_url, "MANDAT_DATABASE_SCHEMA": schema}
                yield Env(backend, home, env, settings_for(home, pg_url, schema))
        else:
            yield Env(backend, home, env, settings_for(home, None, None))
    finally:
        shutil.rmtree(home, ignore_errors=True)


def settings_for(home: Path, url: str | None, schema: str | None) -> Settings:
    return Settings(
        home=home,
        database_url=url or f"sqlite:///{home / 'mandat.db'}",
        blob_url=str(home / "documents"),
        database_schema=schema,
    )


def worker_cmd(workers: int, until_idle: bool) -> list[str]:
    cmd = [sys.executable, "-m", "mandat.cli.main", "worker", "--concurrency", str(workers), "--poll", POLL]
    return [*cmd, "--until-idle"] if until_idle else cmd


def _tree(pid: int) -> list[int]:
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        try:
            for task in Path(f"/proc/{p}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            pass
    return out


def _hwm_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


class RssWatch:
    """Peak RSS (VmHWM) of the largest process in a worker tree, polled while it runs, and its CPU time.

    Not ``ru_maxrss`` from wait4: Linux carries the pre-exec RSS of the forked parent into it,
    and the parent here is the benchmark process with WeasyPrint loaded. The CPU time (user + system,
    reaped children included) does come from wait4: it is what the workers consumed whatever the
    neighbours on a shared machine were doing.
    """

    def __init__(self, proc: subprocess.Popen[bytes]) -> None:
        self.proc = proc
        self.peak = 0.0
        self.cpu_s = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        # Never reaps (no poll()): wait4 in wait() must be the one to collect the exit status and rusage.
        while not self._stop.is_set():
            for pid in _tree(self.proc.pid):
                self.peak = max(self.peak, _hwm_mb(pid))
            self._stop.wait(0.1)

    def wait(self) -> float:
        _pid, status, usage = os.wait4(self.proc.pid, 0)
        self.proc.returncode = os.waitstatus_to_exitcode(status)
        self.cpu_s = usage.ru_utime + usage.ru_stime
        self._stop.set()
        self._thread.join()
        return self.peak


def prepare(e: Env, n_events: int, seed: int) -> tuple[Mandat, list[str]]:
    svc = Mandat(e.settings)
    svc.migrate()
    sellers, lines = deliveries(n_events, seed, f"b{seed}")
    svc.save_sellers(sellers)
    return svc, lines


def measure(svc: Mandat) -> tuple[int, float, list[float], list[float], dict[str, int]]:
    """(rendered documents, active span s, accept→stored ms, accept→issued ms, inbox statuses)."""
    with svc.reader.connect() as conn:
        rows = conn.execute(
            sa.select(inbox.c.received_at, documents.c.issued_at, documents.c.rendered_at)
            .select_from(documents.join(inbox, inbox.c.event_id == documents.c.event_id))
            .where(documents.c.render_status == "rendered")
        ).all()
        statuses = repo.count_inbox_by_status(conn)
    if not rows:
        return 0, 0.0, [], [], statuses
    received = [repo.as_utc(r.received_at) for r in rows]
    issued = [repo.as_utc(r.issued_at) for r in rows]
    stored = [repo.as_utc(r.rendered_at) for r in rows]

    def ms(a: datetime | None, b: datetime | None) -> float:
        assert a is not None
        assert b is not None
        return (b - a).total_seconds() * 1000

    first_issue = min(t for t in issued if t is not None)
    last_stored = max(t for t in stored if t is not None)
    span = (last_stored - first_issue).total_seconds()
    return (
        len(rows),
        span,
        [ms(a, b) for a, b in zip(received, stored, strict=True)],
        [ms(a, b) for a, b in zip(received, issued, strict=True)],
        statuses,
    )


def verify(svc: Mandat, where: str, problems: Problems, rng: random.Random) -> None:
    """Audit everything; validate and re-render a random sample of the stored documents."""
    report = audit(svc.engine, svc.blobs, check_files=True)
    if not report.ok:
        problems.add(where, f"audit failed: {[s for s in report.series if not s.ok][:3]} {report.file_problems[:3]}")
    if report.unrendered:
        problems.add(where, f"{report.unrendered} documents not rendered")
    with svc.reader.connect() as conn:
        pending = repo.pending_outbox(conn)
        statuses = repo.count_inbox_by_status(conn)
        ids = list(conn.execute(sa.select(documents.c.id).order_by(documents.c.id)).scalars())
    if pending:
        problems.add(where, f"{pending} render tasks still pending")
    if statuses.get("failed") or statuses.get("pending") or statuses.get("processing"):
        problems.add(where, f"events left unsettled: {statuses}")
    for doc_id in rng.sample(ids, min(SAMPLE, len(ids))):
        with svc.reader.connect() as conn:
            doc = repo.get_document(conn, doc_id=doc_id)
            row = next(r for r in repo.document_rows(conn, doc.seller_id) if r.id == doc_id) if doc else None
        if doc is None or row is None or not row.pdf_key or not row.xml_key:
            problems.add(where, f"document {doc_id} not found or without files")
            continue
        pdf, xml = svc.blobs.get(row.pdf_key), svc.blobs.get(row.xml_key)
        check_rendered(f"{where} {doc.number}", xml, pdf, problems)
        again = render_document(doc)
        if again.pdf != pdf or again.xml != xml:
            problems.add(f"{where} {doc.number}", "re-rendering the stored record gives different bytes")


# The variant of the prefeed run with the Schematron sampled out (MANDAT_SCHEMATRON_SAMPLE=0): the XSD still
# runs on every structured file. "prefeed" itself runs at the default rate, 1.0 (every document).
NO_SCHEMATRON = "prefeed, Schematron off"


def run_prefeed(
    backend: str, workers: int, n_events: int, pg_url: str, problems: Problems, schematron: float = 1.0
) -> RunResult:
    with environment(backend, pg_url) as e:
        e.env["MANDAT_SCHEMATRON_SAMPLE"] = str(schematron)
        svc, lines = prepare(e, n_events, seed=2026)
        # The CPU of start-up alone (imports, migration check, W spawned children, one empty poll),
        # subtracted below so that CPU per document does not depend on N.
        idle = subprocess.Popen(worker_cmd(workers, until_idle=True), env=e.env, stdout=subprocess.DEVNULL)
        idle_watch = RssWatch(idle)
        idle_watch.wait()
        t0 = time.perf_counter()
        for line in lines:
            svc.accept(line)
        accept_rate = len(lines) / (time.perf_counter() - t0)
        t0 = time.perf_counter()
        proc = subprocess.Popen(worker_cmd(workers, until_idle=True), env=e.env, stdout=subprocess.DEVNULL)
        watch = RssWatch(proc)
        rss = watch.wait()
        wall = time.perf_counter() - t0
        if proc.returncode:
            problems.add(f"e2e {backend} x{workers}", f"worker exited with {proc.returncode}")
        n_docs, span, lat, ilat, statuses = measure(svc)
        verify(svc, f"e2e {backend} x{workers} prefeed", problems, random.Random(workers))
        svc.engine.dispose()
    return RunResult(
        backend,
        workers,
        "prefeed" if schematron == 1.0 else NO_SCHEMATRON,
        len(lines),
        n_docs,
        span,
        wall,
        accept_rate,
        lat,
        ilat,
        rss,
        watch.cpu_s,
        statuses=statuses,
    )


def settled(svc: Mandat) -> bool:
    with svc.reader.connect() as conn:
        busy = conn.execute(
            sa.select(sa.func.count()).select_from(inbox).where(inbox.c.status.in_(("pending", "processing")))
        ).scalar_one()
        renders = conn.execute(
            sa.select(sa.func.count()).select_from(outbox).where(outbox.c.status == "pending")
        ).scalar_one()
    return not busy and not renders


def run_steady(backend: str, workers: int, rate: float, seconds: float, pg_url: str, problems: Problems) -> RunResult:
    """Feed deliveries at ``rate``/s for about ``seconds`` while the workers run."""
    n = max(50, int(rate * seconds))
    with environment(backend, pg_url) as e:
        svc, lines = prepare(e, n, seed=77)
        proc = subprocess.Popen(worker_cmd(workers, until_idle=False), env=e.env, stdout=subprocess.DEVNULL)
        watch = RssWatch(proc)
        time.sleep(2.0)  # let the workers import and migrate-check before the clock starts
        done = threading.Event()
        fed_at: list[float] = []

        def feed() -> None:
            start = time.perf_counter()
            for i, line in enumerate(lines):
                # A fixed schedule, not a fixed sleep: a slow accept is caught up, as a real producer would.
                delay = start + i / rate - time.perf_counter()
                if delay > 0:
                    time.sleep(delay)
                svc.accept(line)
            fed_at.append(time.perf_counter() - start)
            done.set()

        t0 = time.perf_counter()
        feeder = threading.Thread(target=feed, daemon=True)
        feeder.start()
        deadline = t0 + seconds * 6 + 60
        while time.perf_counter() < deadline:
            time.sleep(0.2)
            if done.is_set() and settled(svc):
                break
        wall = time.perf_counter() - t0
        proc.send_signal(signal.SIGTERM)
        rss = watch.wait()
        note = "" if done.is_set() else "feeder did not finish before the deadline"
        n_docs, span, lat, ilat, statuses = measure(svc)
        verify(svc, f"e2e {backend} x{workers} steady", problems, random.Random(workers + 10))
        svc.engine.dispose()
    achieved = len(lines) / fed_at[0] if fed_at else 0.0
    return RunResult(
        backend,
        workers,
        "steady",
        len(lines),
        n_docs,
        span,
        wall,
        achieved,
        lat,
        ilat,
        rss,
        watch.cpu_s,
        target_rate=rate,
        statuses=statuses,
        note=note,
    )


def run(
    backends: list[str],
    n_events: int,
    steady_seconds: float,
    steady_fraction: float,
    pg_url: str,
    problems: Problems,
    log: Callable[[str], None],
) -> list[RunResult]:
    results: list[RunResult] = []
    for backend in backends:
        for workers in (1, 2):
            log(f"e2e {backend} x{workers}: prefeed {n_events} events")
            pre = run_prefeed(backend, workers, n_events, pg_url, problems)
            results.append(pre)
            log(
                f"  {pre.documents} docs in {pre.span_s:.1f} s active ({pre.wall_s:.1f} s wall): "
                f"{pre.docs_per_s:.0f} docs/s, peak RSS {pre.peak_rss_mb:.0f} MB"
            )
            # Deliveries per document (~1.1: bad events and redeliveries) so the feeder offers
            # `steady_fraction` of the measured document throughput.
            per_doc = pre.deliveries / max(pre.documents, 1)
            rate = max(5.0, steady_fraction * pre.docs_per_s * per_doc)
            log(f"e2e {backend} x{workers}: steady feed at {rate:.0f} deliveries/s for ~{steady_seconds:.0f} s")
            st = run_steady(backend, workers, rate, steady_seconds, pg_url, problems)
            results.append(st)
            log(f"  p50 {st.lat(50):.0f} ms, p99 {st.lat(99):.0f} ms accept→stored ({st.documents} docs)")
            log(f"e2e {backend} x{workers}: prefeed {n_events} events, Schematron off (sample rate 0)")
            off = run_prefeed(backend, workers, n_events, pg_url, problems, schematron=0.0)
            results.append(off)
            log(f"  {off.docs_per_s:.0f} docs/s without the Schematron, {pre.docs_per_s:.0f} with it")
    return results


def summary_latency(r: RunResult) -> str:
    return f"{median(r.latency_ms):.0f} / {r.lat(99):.0f}"
