"""`python -m benchmarks`: render, end to end, hot seller, cold start; writes benchmarks/RESULTS.md.

Exit status 1 when any validation of timed output fails (invalid XML, PDF/A-3 markers missing,
non-deterministic bytes, audit problems), 2 on a usage error. Missed performance targets are
reported as MISS but do not change the exit status: the numbers depend on the machine.
"""

# ruff: noqa: E501 -- RESULTS.md prose is kept one sentence per source line

from __future__ import annotations

import argparse
import shlex
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks.common import PG_URL, Problems, machine, median, pg_available

SECTIONS = ("render", "e2e", "hot", "cold", "profile", "sync")


def parse(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="python -m benchmarks", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--quick", action="store_true", help="small N and few repetitions (~2 minutes; for CI)")
    p.add_argument("--only", default=",".join(SECTIONS), help=f"comma-separated subset of {','.join(SECTIONS)}")
    p.add_argument("--events", type=int, default=None, help="deliveries per end-to-end run (default 2000, quick 200)")
    p.add_argument("--pg-url", default=PG_URL, help="PostgreSQL URL; 'none' skips the PostgreSQL parts")
    p.add_argument("--out", type=Path, default=Path(__file__).with_name("RESULTS.md"))
    p.add_argument("--profile-out", type=Path, default=Path(__file__).with_name("PROFILE.md"))
    args = p.parse_args(argv)
    only = {s.strip() for s in args.only.split(",") if s.strip()}
    unknown = only - set(SECTIONS)
    if unknown:
        p.error(f"unknown sections: {', '.join(sorted(unknown))}")
    args.sections = only
    return args


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def verdict(ok: bool | None) -> str:
    return "n/a" if ok is None else ("PASS" if ok else "**MISS**")


def main(argv: list[str] | None = None) -> int:
    args = parse(sys.argv[1:] if argv is None else argv)
    quick: bool = args.quick
    problems = Problems()
    started = time.perf_counter()
    command = " ".join(["python -m benchmarks", *(shlex.quote(a) for a in (sys.argv[1:] if argv is None else argv))])
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    info = machine()
    from benchmarks.profile import fsync_probe

    fsync_ms = fsync_probe()
    pg_url = "" if args.pg_url.lower() == "none" else args.pg_url
    pg_down = pg_available(pg_url) if pg_url else "disabled with --pg-url none"
    backends = ["sqlite"] + ([] if pg_down else ["postgres"])
    if pg_down:
        log(f"PostgreSQL parts skipped: {pg_down}")
    n_events = args.events or (200 if quick else 2000)
    out: dict[str, Any] = {}

    if "render" in args.sections:
        from benchmarks import render

        log("render: mandat vs jinja2+weasyprint+factur-x vs reportlab platypus+factur-x")
        out["render"] = render.run(quick, problems, log)
    if "e2e" in args.sections:
        from benchmarks import e2e

        out["e2e"] = e2e.run(backends, n_events, 3.0 if quick else 12.0, 0.7, pg_url, problems, log)
    if "hot" in args.sections:
        from benchmarks import hot

        hot_runs = []
        if not pg_down:
            hot_runs += hot.run(
                ["postgres"],
                [1, 4] if quick else [1, 2, 4, 8],
                1.5 if quick else 3.0,
                800 if quick else 5000,
                pg_url,
                problems,
                log,
            )
        hot_runs += hot.run(
            ["sqlite"],
            [1, 2] if not quick else [1],
            1.5 if quick else 3.0,
            800 if quick else 5000,
            pg_url,
            problems,
            log,
        )
        out["hot"] = hot_runs
    if "cold" in args.sections:
        from benchmarks import cold

        out["cold"] = cold.run(5 if quick else 7, 150 if quick else 300, pg_url, problems, log)
    if "profile" in args.sections:
        from benchmarks import profile

        prof = profile.run(200 if quick else 1000, pg_url, log)
        out["profile"] = prof
        args.profile_out.parent.mkdir(parents=True, exist_ok=True)
        args.profile_out.write_text(profile.markdown(prof, fsync_ms, command, when), encoding="utf-8")
        log(f"wrote {args.profile_out}")

    if "sync" in args.sections:
        from benchmarks import sync

        # The quick run stays under ~20 s: SQLite only, a few dozen POSTs per variant.
        out["sync"] = sync.run(
            ["sqlite"] + ([] if pg_down or quick else ["postgres"]), 80 if quick else 400, 8, pg_url, problems, log
        )

    from benchmarks.events import SOURCE

    elapsed = time.perf_counter() - started
    text = results_markdown(out, info, fsync_ms, command, when, elapsed, problems, pg_down, SOURCE, quick)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    print()
    print(text)
    log(f"wrote {args.out} in {elapsed:.0f} s")
    if problems:
        log(f"{len(problems.items)} validation problems: exit 1")
        return 1
    return 0


# --- RESULTS.md --------------------------------------------------------------------------------


def results_markdown(
    out: dict[str, Any],
    info: dict[str, str],
    fsync_ms: tuple[float, float],
    command: str,
    when: str,
    elapsed: float,
    problems: Problems,
    pg_down: str | None,
    source: dict[str, str],
    quick: bool,
) -> str:
    md: list[str] = ["# mandat benchmark results", ""]
    add: Callable[..., None] = md.extend
    add(
        [
            f"Command: `{command}` (from the repository root; `./dev bench` runs the same) — {when}, "
            f"{elapsed:.0f} s in all{' (**--quick**: small N, few repetitions)' if quick else ''}.",
            "",
            "| machine | |",
            "|---|---|",
            f"| CPU | {info['cpu']} × {info['cores']} cores |",
            f"| RAM | {info['ram']} |",
            f"| OS | {info['os']} |",
            f"| Python | {info['python']} |",
            f"| PostgreSQL / SQLite | {info['postgresql']} / {info['sqlite']} |",
            f"| libraries | {info['libraries']} |",
            f"| git commit | {info['commit']} |",
            f"| load average at start | {info['load']} |",
            f"| fsync (4 KiB write + fsync, temp dir) | median {fsync_ms[0]:.2f} ms, p90 {fsync_ms[1]:.2f} ms |",
            "",
            "The machine is a shared VM: absolute figures move with the neighbours' load, ratios measured in the same",
            "run much less. Validation: "
            + ("**FAILED** — " + "; ".join(problems.items[:10]) if problems else "every check passed (see below)."),
            "",
        ]
    )
    if pg_down:
        add([f"PostgreSQL parts skipped: {pg_down}.", ""])

    targets: list[tuple[str, str, str, bool | None, str]] = []
    r = out.get("render")
    if r is not None:
        ra, rb = r.ratio("weasyprint"), r.ratio("reportlab")
        targets.append(
            (
                "render vs (a) jinja2+weasyprint+factur-x",
                "≤ 1/40 = 0.025",
                f"1/{1 / ra:.0f} = {ra:.4f}",
                ra <= 1 / 40,
                _by(ra, 1 / 40, "ratio"),
            )
        )
        targets.append(
            (
                "render vs (b) reportlab platypus+factur-x",
                "≤ 1/4 = 0.25",
                f"1/{1 / rb:.1f} = {rb:.3f}",
                rb <= 1 / 4,
                _by(rb, 1 / 4, "ratio"),
            )
        )
    e2e_runs = out.get("e2e") or []
    for run in e2e_runs:
        if run.variant == "prefeed" and run.backend == "sqlite" and run.workers == 2:
            targets.append(
                (
                    "end to end, SQLite, 2 workers",
                    "≥ 400 documents/s",
                    f"{run.docs_per_s:.0f} docs/s",
                    run.docs_per_s >= 400,
                    _by_rate(run.docs_per_s, 400),
                )
            )
        if run.variant == "prefeed" and run.backend == "postgres" and run.workers == 2:
            targets.append(("end to end, PostgreSQL, 2 workers", "report", f"{run.docs_per_s:.0f} docs/s", None, ""))
    c = out.get("cold")
    if c is not None:
        targets.append(
            (
                "cold import of the Lambda handler",
                "≤ 300 ms",
                f"{c.raw_ms:.0f} ms raw, {c.net_ms:.0f} ms net",
                c.raw_ms <= 300,
                "",
            )
        )
        targets.append(
            (
                "worker peak RSS",
                "≤ 150 MB",
                f"{c.worker_rss_mb:.0f} MB",
                c.worker_rss_mb <= 150,
                "" if c.worker_rss_mb <= 150 else f"over by {c.worker_rss_mb - 150:.0f} MB",
            )
        )
    if targets:
        add(["## Targets", "", "| target | goal | measured | result | gap |", "|---|---|---|---|---|"])
        add([f"| {t} | {g} | {m} | {verdict(ok)} | {gap} |" for t, g, m, ok, gap in targets])
        add(["", "Cold import is judged on the raw figure (interpreter start-up included, the stricter reading).", ""])

    if r is not None:
        add(
            [
                "## Render: one document, CII XML + Factur-X PDF/A-3",
                "",
                "One B2B domestic invoice, 10 lines, French with accents (« », œ, ², ×, É), three VAT rates; every engine",
                "draws the same content (header, parties, delivery address, lines, VAT breakdown, totals, terms, mentions)",
                "with the DejaVu Sans TTFs shipped in `mandat/render/pdf/fonts`. Each timed call includes `build_cii`",
                "(identical XML for all three, checked). Baselines embed with `facturx.generate_from_binary(check_xsd=False,",
                "pdf_metadata=...)`, its fastest form; WeasyPrint keeps one `FontConfiguration` and uses",
                '`pdf_variant="pdf/a-3b"`. Timing: `time.perf_counter_ns` per call after warm-up, '
                f"{r.rounds} rounds alternating the engine order; the garbage collector stays enabled (as in a worker)",
                "and `gc.collect()` runs before each block. CPU = process time per call.",
                "",
                "| engine | median ms | p90 ms | CPU ms | samples | PDF KiB | mandat / engine (median) | remarks |",
                "|---|---|---|---|---|---|---|---|",
            ]
        )
        for name, label in (
            ("mandat", "mandat `render_document`"),
            ("weasyprint", "(a) jinja2 + weasyprint + factur-x"),
            ("reportlab", "(b) reportlab platypus + factur-x"),
        ):
            e = r.engines[name]
            ratio = "1" if name == "mandat" else f"{r.ratio(name):.4f} (1/{1 / r.ratio(name):.1f})"
            remark = "; ".join(e.remarks) if e.remarks else ("validated, deterministic" if name == "mandat" else "")
            add(
                [
                    f"| {label} | {e.median:.2f} | {e.p90:.2f} | {e.cpu_ms:.2f} | {len(e.samples_ms)} | {e.pdf_kb:.0f} | "
                    f"{ratio} | {remark} |"
                ]
            )
        add(
            [
                "",
                f"Validation of what was timed: every timed mandat output was compared byte for byte with a reference render "
                f"({'all identical' if r.deterministic else '**NOT identical**'}); the reference and two more numbers were "
                f"rendered twice (determinism) and checked: XSD + EN 16931 Schematron + BR-FR (B2B) with "
                f"`mandat.render.validate`, PDF/A-3 markers with pikepdf (XMP pdfaid part 3, fx: properties, GTS_PDFA1 "
                f"OutputIntent with ICC, factur-x.xml embedded with /AFRelationship and in /AF, trailer /ID, embedded XML = "
                f"CII). {r.validated} documents validated. These are structural checks, not a veraPDF run.",
                "",
            ]
        )
        if r.scripts_ms:
            from benchmarks.render import SCRIPT_GOAL_MS

            add(
                [
                    "The same invoice with the buyer's name in another script (median ms per document, warm process, "
                    f"a new name each render; goal < {SCRIPT_GOAL_MS:g} ms): "
                    + ", ".join(f"{k} {v:.2f} ms ({verdict(v < SCRIPT_GOAL_MS)})" for k, v in r.scripts_ms.items())
                    + ".",
                    "",
                ]
            )
        if not _hb_subset():
            add(
                [
                    "Caveat for (a): `libharfbuzz-subset` is not installed on this machine, so WeasyPrint subsets fonts",
                    "with fontTools, which /work/shared/research/pdf-engines.md measured at ~2.4× the time of the HarfBuzz",
                    "path (303 vs 125 ms). Baseline (a) is therefore slower here than on a machine with that library;",
                    "dividing its median by 2.4 still leaves the ratio well under 1/40 if mandat's median stays under ~3 ms.",
                    "",
                ]
            )
    if e2e_runs:
        add(
            [
                "## End to end: events → issued, rendered, stored",
                "",
                f"Events: {source.get('e2e', '?')}; deliveries include ~5 % bad events (rejected or waiting) and ~4 % "
                "redeliveries/re-sends, so documents < deliveries. Workers are `python -m mandat.cli.main worker "
                "--concurrency W --poll 0.05` subprocesses on a fresh MANDAT_HOME (SQLite: WAL, synchronous=FULL) or a "
                "fresh PostgreSQL schema; documents go to the directory blob store (fsync'd files).",
                "",
                "* **docs/s** = rendered documents / active span (first `issued_at` → last `rendered_at`, from the "
                "database); **wall docs/s** divides by the worker command's whole run, interpreter start-up, migration "
                "check and (W=2) process spawn included.",
                "* **prefeed latency** = `rendered_at − received_at` when everything was accepted before the workers "
                "started: it is the time spent *queued*, growing with N, not a service latency.",
                "* **steady latency**: the benchmark feeds deliveries at a fixed rate (70 % of the prefeed throughput of "
                "the same configuration, in deliveries/s) from one thread of its own process while the workers run; "
                "`accept→issued` = `documents.issued_at − inbox.received_at`, `accept→stored` = "
                "`documents.rendered_at − inbox.received_at` (both files written and recorded).",
                "* **worker CPU ms / doc** = user + system CPU of the worker processes (wait4 rusage, children "
                "included) / documents: independent of the neighbours' load, it bounds what the machine could do: two "
                "dedicated cores cannot exceed 2000 / (CPU ms per doc) documents/s, however the waits are arranged. "
                "For prefeed runs the CPU of the same command on an empty inbox (imports, spawn, migration check) is "
                "subtracted; steady runs include it and the idle polling.",
                "* A steady run whose accept→issued p50 is above ~1 s was **saturated**: the workers did not keep up "
                "with the offered rate (set from the prefeed run minutes before, on a shared machine), and its "
                "latencies measure a growing queue.",
                "",
                "| backend | workers | variant | deliveries | documents | docs/s | wall docs/s | offered / achieved feed /s "
                "| accept→issued p50 / p99 ms | accept→stored p50 / p99 ms | worker CPU ms / doc | worker peak RSS MB |",
                "|---|---|---|---|---|---|---|---|---|---|---|---|",
            ]
        )
        for run in e2e_runs:
            feed = (
                f"{run.target_rate:.0f} / {run.accept_per_s:.0f}"
                if run.variant == "steady"
                else f"(accept alone: {run.accept_per_s:.0f})"
            )
            from benchmarks.common import percentile

            add(
                [
                    f"| {run.backend} | {run.workers} | {run.variant} | {run.deliveries} | {run.documents} | "
                    f"{run.docs_per_s:.0f} | {run.docs_per_s_wall:.0f} | {feed} | "
                    f"{median(run.issue_latency_ms):.0f} / {percentile(run.issue_latency_ms, 99):.0f} | "
                    f"{median(run.latency_ms):.0f} / {run.lat(99):.0f} | {run.cpu_ms_per_doc:.1f} | {run.peak_rss_mb:.0f} |"
                    + (f" {run.note}" if run.note else "")
                ]
            )
        pairs = {(x.backend, x.workers, x.variant): x for x in e2e_runs}
        add(
            [
                "",
                "Schematron on (`MANDAT_SCHEMATRON_SAMPLE=1`, the default: EN 16931 and BR-FR on the CII, before "
                "any file is stored) and off (`0`: the XSD still runs on every structured file), prefeed docs/s: "
                + "; ".join(
                    f"{b}×{w}: {on.docs_per_s:.0f} on, {off.docs_per_s:.0f} off"
                    for (b, w, v), on in pairs.items()
                    if v == "prefeed" and (off := pairs.get((b, w, "prefeed, Schematron off"))) is not None
                )
                + ".",
            ]
        )
        add(
            [
                "",
                "Inbox outcomes per run: "
                + "; ".join(
                    f"{x.backend}×{x.workers} {x.variant}: "
                    + ", ".join(f"{k} {v}" for k, v in sorted(x.statuses.items()))
                    for x in e2e_runs
                ),
                "",
                "After every run: `audit` (no gap, no duplicate, chronology, hash chain, file checksums) passed, nothing "
                "left pending, and a random sample of stored documents was validated as above and re-rendered from its "
                "record to the same bytes."
                if not problems
                else "After every run: audit and sample validation — see the failures listed at the top.",
                "",
            ]
        )
    hot_runs = out.get("hot") or []
    if hot_runs:
        add(
            [
                "## Hot seller: numbers per second for one seller's series",
                "",
                "K issuer processes call `repository.issue_document` (the numbering transaction `Mandat.process` runs) "
                "in a loop for the same seller, on drafts made before the clock starts. All issues of one series "
                "serialise on its row lock (PostgreSQL) or the database write lock (SQLite), so this is the ceiling for "
                "one seller whatever the worker count. Checked afterwards: numbers 1..n with no gap and no duplicate, "
                "and the audit's hash chain.",
                "",
                "| backend | issuers | numbers | seconds | numbers/s | gaps / duplicates / chain |",
                "|---|---|---|---|---|---|",
            ]
        )
        add(
            [
                f"| {h.backend} | {h.issuers} | {h.numbers} | {h.seconds:.1f} | {h.per_s:.0f} | "
                f"{'none / none / ok' if h.ok else '**INVALID**'} |"
                for h in hot_runs
            ]
        )
        add([""])
    if c is not None:
        add(
            [
                "## Cold start",
                "",
                f'Wall time of `python -c "import mandat.entry.lambda_sqs"` in fresh processes, median of '
                f"{len(c.import_ms)} (interleaved with `python -c pass`, .pyc files already compiled):",
                "",
                "| measure | median ms |",
                "|---|---|",
                f"| `python -c pass` (interpreter start-up) | {median(c.empty_ms):.0f} |",
                f"| `import mandat.entry.lambda_sqs` (raw) | {c.raw_ms:.0f} |",
                f"| same, net of start-up | {c.net_ms:.0f} |",
                f"| `-X importtime` cumulative of the module | {c.importtime_us / 1000:.1f} |",
                f"| + `mandat.service.app` (loaded by the first invocation, raw) | {median(c.service_ms):.0f} |",
                "",
                "Largest imports under the handler module (-X importtime, µs): "
                + ", ".join(f"{name} {us}" for us, name in c.top_imports),
                "",
                f"Worker peak RSS: {c.worker_rss_mb:.0f} MB (VmHWM of `mandat worker --concurrency 1 --until-idle`, polled "
                f"every 0.1 s, over {c.worker_docs} documents on SQLite). The e2e table gives the same figure for each run "
                "(W=2: the largest process of the tree).",
                "",
            ]
        )
    p = out.get("profile")
    if p is not None:
        add(
            [
                "## Where the end-to-end time goes",
                "",
                f"See [PROFILE.md](PROFILE.md): SQLite, 1 worker, {p.documents} documents, "
                f"{p.transactions / max(p.documents, 1):.1f} committed transactions and "
                f"{p.statements / max(p.documents, 1):.0f} SQL statements per document"
                + (
                    f", {p.fsync_calls / max(p.strace_docs, 1):.1f} fsync-family calls per document "
                    f"({p.fsync_seconds / max(p.strace_docs, 1) * 1000:.1f} ms per document inside them)"
                    if p.fsync_calls
                    else ""
                )
                + ".",
                "",
            ]
        )
        add(["| phase | ms per document | share |", "|---|---|---|"])
        add(
            [
                f"| {label.strip()} | {ct / max(p.documents, 1) * 1000:.2f} | {ct / p.seconds * 100:.0f} % |"
                for label, ct, _calls in p.phases
            ]
        )
        add([""])
    if out.get("sync"):
        from benchmarks.sync import markdown as sync_markdown

        add(sync_markdown(out["sync"]))
    add(notes(out, fsync_ms))
    return "\n".join(md) + "\n"


def _by(value: float, goal: float, _what: str) -> str:
    return "" if value <= goal else f"{value / goal:.1f}× the allowed ratio"


def _by_rate(value: float, goal: float) -> str:
    return "" if value >= goal else f"short by {goal - value:.0f} docs/s ({goal / max(value, 1e-9):.1f}× needed)"


def _hb_subset() -> bool:
    import ctypes.util

    return ctypes.util.find_library("harfbuzz-subset") is not None


def notes(out: dict[str, Any], fsync_ms: tuple[float, float]) -> list[str]:
    """Where a target is missed: by how much, where the time goes, what would close it."""
    lines = ["## Notes on the targets", ""]
    runs = {(x.backend, x.workers): x for x in out.get("e2e") or [] if x.variant == "prefeed"}
    sq2, sq1 = runs.get(("sqlite", 2)), runs.get(("sqlite", 1))
    p = out.get("profile")
    r = out.get("render")
    if sq2 is not None and sq2.docs_per_s < 400:
        ceiling = 2000 / sq2.cpu_ms_per_doc if sq2.cpu_ms_per_doc else float("nan")
        lines += [
            f"* **End to end, SQLite, 2 workers: {sq2.docs_per_s:.0f} docs/s, {400 / max(sq2.docs_per_s, 1e-9):.1f}× "
            f"short of 400.** The workers used {sq2.cpu_ms_per_doc:.1f} ms of CPU per document, so even two idle, "
            f"dedicated cores could not exceed ~{ceiling:.0f} docs/s with this code: reaching 400 needs ≤ 5 ms of CPU "
            "per document *and* no serialisation. "
            + (
                f"One worker did {sq1.docs_per_s:.0f} docs/s: the second worker "
                + (
                    "makes it slower"
                    if sq2.docs_per_s < sq1.docs_per_s
                    else "adds little"
                    if sq2.docs_per_s < 1.3 * sq1.docs_per_s
                    else "helps"
                )
                + ". "
                if sq1
                else ""
            )
            + f"This disk's fsync takes {fsync_ms[0]:.1f} ms (median), and SQLite commits under the write lock.",
        ]
        if p is not None:
            share = {label.strip(): ct / p.seconds * 100 for label, ct, _ in p.phases}
            top = sorted(share.items(), key=lambda kv: -kv[1])[:6]
            lines += [
                "  Profile (1 worker, cProfile, see PROFILE.md): " + ", ".join(f"{k} {v:.0f} %" for k, v in top) + "."
            ]
    if r is not None:
        m = r.engines["mandat"]
        lines += [
            f"* Render: mandat's median {m.median:.2f} ms is the floor of the whole path; at that cost one core renders "
            f"at most {1000 / m.median:.0f} documents/s before anything is issued or stored.",
        ]
    hot = [h for h in out.get("hot") or [] if h.backend == "postgres"]
    if hot:
        best = max(hot, key=lambda h: h.per_s)
        lines += [
            f"* Hot seller on PostgreSQL peaks at {best.per_s:.0f} numbers/s ({best.issuers} issuers), "
            f"{1000 / max(best.per_s, 1e-9):.1f} ms per number: the series row stays locked from the numbering "
            "statement until COMMIT, a span that includes the client-side check of the returned record (JSON parse, "
            "pydantic validation, hash) and the COMMIT round trip with its WAL flush "
            f"(disk fsync here: {fsync_ms[0]:.1f} ms median). Beyond the best issuer count, issuers only queue on "
            "the lock.",
        ]
    lines += [
        "",
        "What would close the gaps (for src/, not done here; details and numbers in the final report and PROFILE.md):",
        "",
        "1. PDF writer CPU (largest single item): per text run `Page.text`/`text_right` re-measure and re-encode; "
        "`syntax.num` formats ~300 floats per page; `wrap` measures word by word; content streams are deflated at "
        "level 6. Cache widths per (font, size, word), emit coordinates with one `'%.2f' %` join, deflate the "
        "content stream at level 1–3 (still deterministic).",
        "2. Blob store: two files per document each cost mkstemp + write + link + unlink + path resolve (twice); "
        "write once to a per-batch temp directory and link, or keep the files in the database row of the same "
        "transaction (one commit instead of a commit plus a syncfs).",
        "3. Refunds and cancellations go through `Mandat.process` one by one (own transactions); batch them like "
        "invoices.",
        "4. PostgreSQL: one transaction (one WAL flush) per invoice; batch several series per transaction (locks taken "
        "in a fixed order) and, for a hot seller, number k drafts of the same series in one statement.",
        "5. SQLite with 2 workers: both take the single write lock (BEGIN IMMEDIATE) for issuing and for marking "
        "renders; a waiter sleeps in SQLite's busy handler (1, 2, 5, 10… ms steps) rather than waking when the lock "
        "is free. Fewer, larger write transactions per worker, or one writer process feeding render processes, "
        "would avoid it (to be confirmed by timing BEGIN IMMEDIATE in a 2-worker run).",
        "",
    ]
    return lines


if __name__ == "__main__":
    sys.exit(main())
