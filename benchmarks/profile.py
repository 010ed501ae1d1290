"""Where the time of the end-to-end path goes: SQLite, one worker, cProfile → benchmarks/PROFILE.md.

The worker loop runs in this process (``Mandat.work_once`` until idle, exactly what ``run_worker``
does) under cProfile, with SQLAlchemy event listeners counting transactions and statements. A second,
unprofiled run of the real ``mandat worker`` under ``strace -f -c -w`` counts the fsync/fdatasync/syncfs calls
and the time spent in them (skipped when strace is missing or not permitted).
"""

from __future__ import annotations

import cProfile
import io
import os
import pstats
import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import event

from benchmarks.e2e import environment, prepare, worker_cmd

# (label, function name, file suffix): the phases of one event, summed by cumulative time. Old and new
# names are both listed (the service is being reshaped for batching); rows with no calls are left out.
PHASES: list[tuple[str, str, str]] = [
    ("claim events (Mandat.claim)", "claim", "service/app.py"),
    ("issue a batch (Mandat.process_batch)", "process_batch", "service/app.py"),
    ("issue one by one (Mandat.process)", "process", "service/app.py"),
    ("  parse events (pydantic model_validate_json, all models)", "model_validate_json", ""),
    ("  drafts (rules.draft.draft_invoice)", "draft_invoice", "rules/draft.py"),
    ("  numbering, batch (repository.issue_many)", "issue_many", "store/repository.py"),
    ("  numbering, one (repository.issue_document)", "issue_document", "store/repository.py"),
    ("claim renders (repository.claim_outbox)", "claim_outbox", "store/repository.py"),
    ("render + store, batch (Mandat.render_documents)", "render_documents", "service/app.py"),
    ("render + store, one (Mandat.render_one)", "render_one", "service/app.py"),
    ("  read records (repository.document_from_row)", "document_from_row", "store/repository.py"),
    ("  CII XML (render.cii.build_cii)", "build_cii", "render/cii.py"),
    ("  PDF (render.pdf.invoice.render_pdf)", "render_pdf", "render/pdf/invoice.py"),
    ("  blobs (DirectoryBlobStore.put_many)", "put_many", "store/blobs.py"),
    ("  blobs (DirectoryBlobStore.put)", "put", "store/blobs.py"),
    ("    syncfs (blobs._syncfs)", "_syncfs", "store/blobs.py"),
    ("    fsync per file (blobs._fsync)", "_fsync", "store/blobs.py"),
    ("  mark rendered (repository.mark_rendered_many)", "mark_rendered_many", "store/repository.py"),
    ("  mark rendered (repository.mark_rendered)", "mark_rendered", "store/repository.py"),
    ("all SQL statements (Connection.execute)", "execute", "sqlalchemy/engine/base.py"),
    ("all SQLite commits (sqlite3 commit, C)", "commit", ""),
    ("pydantic model_dump_json (all)", "model_dump_json", ""),
]


# A row of `strace -c`: % time, seconds, usecs/call, calls, [errors], syscall.
SYSCALL_ROW = re.compile(
    r"\s*[\d.]+\s+([\d.]+)\s+\d+\s+(\d+)\s+(?:\d+\s+)?(fsync|fdatasync|syncfs|sync_file_range)\s*$"
)


@dataclass
class ProfileResult:
    events: int
    documents: int
    seconds: float
    transactions: int
    statements: int
    phases: list[tuple[str, float, int]] = field(default_factory=list)  # label, cumulative s, calls
    top_cumulative: str = ""
    top_tottime: str = ""
    fsync: str = ""
    fsync_calls: int = 0
    fsync_seconds: float = 0.0
    strace_docs: int = 0
    strace_seconds: float = 0.0


def _phase_times(stats: pstats.Stats) -> list[tuple[str, float, int]]:
    raw: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]
    out = []
    for label, func, suffix in PHASES:
        ct, calls = 0.0, 0
        for (filename, _line, name), (_cc, nc, _tt, cum, _callers) in raw.items():
            if (
                name == func
                or name.endswith(f".{func}")
                or name == f"<method '{func}' of 'sqlite3.Connection' objects>"
                or name == f"<built-in method posix.{func}>"
            ) and (not suffix or filename.endswith(suffix)):
                ct += cum
                calls += nc
        if calls:
            out.append((label, ct, calls))
    return out


def _table(prof: cProfile.Profile, key: str, n: int) -> str:
    buf = io.StringIO()
    pstats.Stats(prof, stream=buf).strip_dirs().sort_stats(key).print_stats(n)
    text = buf.getvalue()
    start = text.find("   ncalls")
    return text[start:].rstrip() if start >= 0 else text


def run(n_events: int, pg_url: str, log: Callable[[str], None]) -> ProfileResult:
    from mandat.store import repository as repo

    with environment("sqlite", pg_url) as e:
        svc, lines = prepare(e, n_events, seed=99)
        for line in lines:
            svc.accept(line)
        counts = {"tx": 0, "stmt": 0}

        @event.listens_for(svc.engine, "commit")
        def _commit(_conn: Any) -> None:
            counts["tx"] += 1

        @event.listens_for(svc.engine, "before_cursor_execute")
        def _stmt(*_args: Any) -> None:
            counts["stmt"] += 1

        prof = cProfile.Profile()
        t0 = time.perf_counter()
        prof.enable()
        while True:
            events, renders = svc.work_once(50)
            if not events and not renders:
                break
        prof.disable()
        seconds = time.perf_counter() - t0
        with svc.reader.connect() as conn:
            docs = sum(1 for r in repo.document_rows(conn) if r.render_status == "rendered")
        svc.engine.dispose()
    stats = pstats.Stats(prof)
    res = ProfileResult(
        events=len(lines),
        documents=docs,
        seconds=seconds,
        transactions=counts["tx"],
        statements=counts["stmt"],
        phases=_phase_times(stats),
        top_cumulative=_table(prof, "cumulative", 35),
        top_tottime=_table(prof, "tottime", 25),
    )
    log(f"profile: {docs} documents in {seconds:.1f} s under cProfile, {counts['tx']} commits")
    _strace(res, n_events, pg_url, log)
    return res


def _strace(res: ProfileResult, n_events: int, pg_url: str, log: Callable[[str], None]) -> None:
    if not shutil.which("strace"):
        res.fsync = "strace not installed: fsync calls not counted"
        return
    from mandat.store import repository as repo

    with environment("sqlite", pg_url) as e:
        svc, lines = prepare(e, n_events, seed=99)
        for line in lines:
            svc.accept(line)
        out = Path(tempfile.mkdtemp()) / "strace.txt"
        # -w: wall time inside the calls (the default, system CPU time, hides the wait for the disk).
        trace = "trace=fsync,fdatasync,syncfs,sync_file_range"
        cmd = ["strace", "-f", "-c", "-w", "-e", trace, "-o", str(out), *worker_cmd(1, until_idle=True)]
        t0 = time.perf_counter()
        done = subprocess.run(cmd, env=e.env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        res.strace_seconds = time.perf_counter() - t0
        with svc.reader.connect() as conn:
            res.strace_docs = sum(1 for r in repo.document_rows(conn) if r.render_status == "rendered")
        svc.engine.dispose()
    if done.returncode or not out.exists():
        res.fsync = f"strace failed ({done.returncode}): {done.stderr.strip()[:200]}"
        return
    res.fsync = out.read_text().strip()
    shutil.rmtree(out.parent, ignore_errors=True)
    for line in res.fsync.splitlines():
        m = SYSCALL_ROW.match(line)
        if m:
            res.fsync_seconds += float(m.group(1))
            res.fsync_calls += int(m.group(2))
    log(f"profile: {res.fsync_calls} fsync-family calls for {res.strace_docs} documents")


def fsync_probe(directory: str | None = None, n: int = 40) -> tuple[float, float]:
    """(median, p90) ms of write 4 KiB + fsync in the directory the benchmark databases live in."""
    path = Path(directory or tempfile.gettempdir()) / f".mandat-fsync-probe-{os.getpid()}"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
    samples = []
    try:
        for _ in range(n):
            os.write(fd, b"x" * 4096)
            t0 = time.perf_counter()
            os.fsync(fd)
            samples.append((time.perf_counter() - t0) * 1000)
    finally:
        os.close(fd)
        path.unlink()
    samples.sort()
    return samples[len(samples) // 2], samples[int(len(samples) * 0.9)]


def markdown(res: ProfileResult, fsync_ms: tuple[float, float], command: str, when: str) -> str:
    per_doc = res.seconds / max(res.documents, 1) * 1000
    lines = [
        "# Profile of the end-to-end path (SQLite, 1 worker)",
        "",
        f"Generated by `{command}` on {when}. {res.events} deliveries prefed, then `Mandat.work_once(50)` in a",
        f"loop until idle under cProfile: **{res.documents} documents in {res.seconds:.2f} s** "
        f"({res.documents / res.seconds:.0f} docs/s with the profiler's overhead, {per_doc:.1f} ms per document).",
        "",
        "## Counts per document",
        "",
        "| what | total | per document |",
        "|---|---|---|",
        f"| committed transactions (SQLAlchemy `commit` events) | {res.transactions} | "
        f"{res.transactions / max(res.documents, 1):.2f} |",
        f"| SQL statements | {res.statements} | {res.statements / max(res.documents, 1):.1f} |",
    ]
    if res.fsync_calls:
        lines.append(
            f"| fsync/fdatasync system calls (strace of a `mandat worker` run, {res.strace_docs} documents) | "
            f"{res.fsync_calls} | {res.fsync_calls / max(res.strace_docs, 1):.2f} |"
        )
        lines.append(
            f"| seconds inside those calls (strace -c) | {res.fsync_seconds:.2f} | "
            f"{res.fsync_seconds / max(res.strace_docs, 1) * 1000:.2f} ms |"
        )
    lines += [
        "",
        f"fsync latency of this disk at the time of the run (4 KiB write + fsync): median {fsync_ms[0]:.2f} ms, "
        f"p90 {fsync_ms[1]:.2f} ms.",
        "",
        "## Phases (cumulative time, summed over every call)",
        "",
        "| phase | seconds | % of the loop | ms per document | calls |",
        "|---|---|---|---|---|",
    ]
    for label, ct, calls in res.phases:
        lines.append(
            f"| {label} | {ct:.2f} | {ct / res.seconds * 100:.0f} % | "
            f"{ct / max(res.documents, 1) * 1000:.2f} | {calls} |"
        )
    lines += [
        "",
        "Indented rows are inside the row above. cProfile adds overhead to Python-heavy code (pydantic, the PDF",
        "writer) and none to time spent waiting in C (fsync, SQLite commits), so I/O shares are if anything",
        "understated here.",
        "",
        "## Top functions by cumulative time",
        "",
        "```",
        res.top_cumulative,
        "```",
        "",
        "## Top functions by own time",
        "",
        "```",
        res.top_tottime,
        "```",
        "",
        "## fsync-family system calls (strace -f -c -w of `mandat worker --until-idle`)",
        "",
        "```",
        res.fsync or "not measured",
        "```",
        "",
    ]
    return "\n".join(lines)
