"""`mandat` commands for operators: demo, ingest, worker, show, audit, sellers, events, replay, db."""

from __future__ import annotations

import csv
import json
import os
import sys
import time
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Column, Table
from rich.text import Text

from mandat.cli.common import HomeOpt, console, fail, json_lines, open_service, read_text, settings_from_env
from mandat.domain.documents import Document
from mandat.domain.parties import Seller
from mandat.domain.refusals import Rejected
from mandat.rules.invoice import check_seller
from mandat.service.app import Mandat, ReplayRefused

# rich_markup_mode=None: typer's rich help prints a "<bool>" type after every flag (--json, --help...),
# which reads as if the flag wanted a value; click's plain help lists flags as flags.
app = typer.Typer(
    help="Invoices and credit notes issued on behalf of marketplace sellers.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
sellers_app = typer.Typer(help="The seller registry.", no_args_is_help=True, rich_markup_mode=None)
events_app = typer.Typer(help="Received events (the inbox).", no_args_is_help=True, rich_markup_mode=None)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True, rich_markup_mode=None)
app.add_typer(sellers_app, name="sellers")
app.add_typer(events_app, name="events")
app.add_typer(db_app, name="db")


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import version

        print(f"mandat {version('mandat')}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool, typer.Option("--version", help="print the version and exit", callback=_version, is_eager=True)
    ] = False,
) -> None:
    """Invoices and credit notes issued on behalf of marketplace sellers."""


def _open(home: Path | None) -> Mandat:
    return open_service(home)


def _progress() -> Progress:
    return Progress(
        TextColumn("{task.description:<10}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    )


@db_app.command("upgrade")
def db_upgrade(home: HomeOpt = None) -> None:
    """Create or upgrade the schema (SQLite or PostgreSQL, from MANDAT_DATABASE_URL)."""
    service = open_service(home)
    console.print(f"schema up to date on {service.engine.url.render_as_string(hide_password=True)}")


def read_sellers(path: Path) -> list[Seller]:
    """JSON (a list or one object per line) or CSV with flat columns (address_line1, mandate_version, ...)."""
    text = read_text(path, "sellers file")
    if path.suffix.lower() == ".csv":
        return [Seller.model_validate(_seller_from_csv(row)) for row in csv.DictReader(text.splitlines())]
    stripped = text.lstrip()
    items: list[Any] = json.loads(text) if stripped.startswith("[") else [json.loads(line) for line in json_lines(text)]
    return [Seller.model_validate(item) for item in items]


def _seller_from_csv(row: dict[str, str]) -> dict[str, Any]:
    data: dict[str, Any] = {k: v for k, v in row.items() if v not in ("", None)}
    data["address"] = {
        "line1": data.pop("address_line1", ""),
        "line2": data.pop("address_line2", None),
        "postcode": data.pop("postcode", ""),
        "city": data.pop("city", ""),
        "country": data.pop("country", "FR"),
    }
    if "mandate_version" in data:
        data["mandate"] = {
            "version": data.pop("mandate_version"),
            "accepted_at": data.pop("mandate_accepted_at"),
            "status": data.pop("mandate_status", "active"),
        }
    if "insurer" in data:
        data["insurance"] = {
            "insurer": data.pop("insurer"),
            "policy": data.pop("policy"),
            "coverage": data.pop("coverage"),
        }
    return data


@sellers_app.command("import")
def sellers_import(file: Path, home: HomeOpt = None) -> None:
    """Import or update sellers from a JSON or CSV file; every row is validated before anything is saved."""
    try:
        sellers = read_sellers(file)
        for seller in sellers:
            check_seller(seller)  # the seller country's identity rules, before opening anything
    except (ValueError, KeyError) as exc:
        console.print(f"not imported: {exc}", style="red")
        raise typer.Exit(2) from exc
    created, updated = _open(home).save_sellers(sellers)
    console.print(f"{created} sellers created, {updated} updated")


@sellers_app.command("list")
def sellers_list(home: HomeOpt = None) -> None:
    """List sellers with their VAT regime and mandate."""
    from mandat.store import repository as repo

    service = _open(home)
    with service.engine.connect() as conn:
        sellers = repo.list_sellers(conn)
    table = Table(
        Column("id", no_wrap=True), "code", "name", "SIREN", Column("VAT id", no_wrap=True), "regime", "mandate"
    )
    for s in sellers:
        mandate = f"{s.mandate.version} {s.mandate.status}" if s.mandate else "none"
        table.add_row(s.id, s.code, s.legal_name, s.siren or "", s.vat_id or "", s.vat_regime, mandate)
    console.print(table)


@app.command()
def ingest(
    file: Path,
    home: HomeOpt = None,
    process: Annotated[bool, typer.Option(help="issue and render right away")] = True,
) -> None:
    """Accept events from a JSON-lines file (one event per line), then issue them."""
    service = _open(home)
    lines = json_lines(read_text(file, "events file"))
    counts = accept_lines(service, lines)
    console.print(", ".join(f"{n} {status}" for status, n in sorted(counts.items())))
    if process:
        before = documents_count(service)
        started = time.perf_counter()
        run_until_idle(service)
        summary(service, time.perf_counter() - started, documents_count(service) - before, counts)


def accept_lines(service: Mandat, lines: list[str]) -> dict[str, int]:
    counts: dict[str, int] = {}
    with _progress() as progress:
        task = progress.add_task("accept", total=len(lines))
        for line in lines:
            status = service.accept(line).status
            counts[status] = counts.get(status, 0) + 1
            progress.advance(task)
    return counts


def run_until_idle(service: Mandat, batch: int = 100) -> None:
    """Issue and render until nothing is due, with a bar for each.

    The issue bar counts distinct events: a refund that overtook its order is claimed once to wait
    and once more when its invoice exists, and counting both ran the bar past its total. The render
    bar's total is what has been rendered plus what is still queued, so it grows with the issuing
    and ends at 100 % once every document is rendered.
    """
    from mandat.store import repository as repo

    with service.engine.connect() as conn:
        todo = repo.count_inbox_by_status(conn).get("pending", 0)
    seen: set[int] = set()
    with _progress() as progress:
        issue = progress.add_task("issue", total=todo)
        render = progress.add_task("render", total=_renders_queued(service))
        rendered = 0
        while True:
            ids = service.claim(batch)
            for row_id in ids:
                service.process(row_id)
                seen.add(row_id)
            progress.update(issue, completed=len(seen), total=max(todo, len(seen)))
            n = service.render_pending(batch)
            rendered += n
            progress.update(render, completed=rendered, total=rendered + _renders_queued(service))
            if not ids and not n:
                break


def _renders_queued(service: Mandat) -> int:
    import sqlalchemy as sa

    from mandat.store.schema import outbox

    query = sa.select(sa.func.count()).where(outbox.c.task == "render", outbox.c.status == "pending")
    with service.reader.connect() as conn:
        return int(conn.execute(query).scalar_one())


@app.command()
def render(
    home: HomeOpt = None,
    retry_failed: Annotated[bool, typer.Option("--retry-failed", help="retry renders given up as failed")] = False,
    number: Annotated[list[str] | None, typer.Option(help="only these document numbers (with --retry-failed)")] = None,
) -> None:
    """Render the documents whose render is due; with --retry-failed, first requeue the failed ones."""
    service = _open(home)
    if retry_failed:
        console.print(f"{service.retry_failed_renders(number or None)} failed renders requeued")
    total = 0
    while n := service.render_pending(100):
        total += n
    console.print(f"{total} documents rendered or retried")


@app.command()
def worker(
    home: HomeOpt = None,
    concurrency: Annotated[int, typer.Option(help="worker processes", min=1, max=64)] = 1,
    batch: Annotated[int, typer.Option(help="events claimed per round")] = 50,
    until_idle: Annotated[bool, typer.Option("--until-idle", help="stop when there is nothing to do")] = False,
    poll: Annotated[float, typer.Option(help="seconds to sleep when idle")] = 1.0,
) -> None:
    """Claim pending events, issue them, render documents; SIGTERM/SIGINT stop cleanly after the batch."""
    from mandat.service.worker import run_pool, run_worker

    settings = settings_from_env(home)
    _open(home).engine.dispose()  # migrate once, before any worker starts
    if concurrency == 1:
        events, renders = run_worker(settings, batch, until_idle, poll)
        if until_idle:
            console.print(f"nothing left to do: {events} events processed, {renders} documents rendered")
    else:
        restarts, given_up = run_pool(settings, concurrency, batch, until_idle, poll)
        if restarts:
            console.print(f"{restarts} worker processes were restarted after dying")
        if given_up:
            # The work is not done: a script waiting for --until-idle must not read success.
            fail(f"{given_up} of {concurrency} worker processes gave up after dying repeatedly (see the log)", 1)


@app.command()
def show(number: str, home: HomeOpt = None, as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Show an issued document by its number (or id), and where its files are."""
    from mandat.store import repository as repo

    service = _open(home)
    with service.engine.connect() as conn:
        doc = repo.get_document(conn, number=number) or repo.get_document(conn, doc_id=number)
        rows = [r for r in repo.document_rows(conn, doc.seller_id) if r.id == doc.id] if doc else []
    if doc is None:
        console.print(f"no document numbered {number} (numbers are unique per seller; try the id)", style="red")
        raise typer.Exit(1)
    if as_json:
        sys.stdout.write(doc.model_dump_json(indent=2) + "\n")
        return
    t = doc.totals
    console.print(
        Text.assemble(
            (f"{'Facture' if doc.kind == 'invoice' else 'Avoir'} {doc.number}", "bold"),
            f" issued {doc.issue_date} ({doc.issued_at.isoformat()}) — id {doc.id}",
        )
    )
    console.print(f"seller {doc.seller.name} ({doc.seller_id}), buyer {doc.buyer.name}, order {doc.order_id}")
    if doc.corrects is not None:
        console.print(f"corrects invoice {doc.corrects.number} of {doc.corrects.issue_date} — reason: {doc.reason}")
    table = Table("line", "description", "qty", "unit price excl. VAT", "net", "VAT")
    for ln in doc.lines:
        table.add_row(
            ln.id,
            ln.description,
            str(ln.quantity),
            str(ln.net_unit_price),
            str(ln.net_amount),
            f"{ln.vat_category} {ln.vat_rate}%",
        )
    console.print(table)
    for b in doc.vat_breakdown:
        console.print(f"  VAT {b.category} {b.rate}%: base {b.taxable_amount}, tax {b.tax_amount}")
    console.print(f"  total excl. VAT {t.tax_exclusive}, VAT {t.tax_total}, total {t.tax_inclusive} {doc.currency}")
    for m in doc.mentions:
        console.print(f"  · {m.text}")
    if doc.kind == "invoice":
        _show_credits(service, doc)
    if rows and rows[0].pdf_key:
        console.print(f"PDF  {service.blobs.location(rows[0].pdf_key)}")
        console.print(f"XML  {service.blobs.location(rows[0].xml_key or '')}")
    else:
        console.print("files not rendered yet (run `mandat worker --until-idle`)")


def _show_credits(service: Mandat, invoice: Document) -> None:
    from mandat.domain.credit import Credited, remaining
    from mandat.store import repository as repo

    with service.engine.connect() as conn:
        notes = repo.credit_notes_by_invoice(conn, invoice.id).get(invoice.id, [])
    if not notes:
        return
    left = remaining(invoice, Credited.from_credit_notes(invoice, notes))
    for n in notes:
        console.print(f"  credited by {n.number} of {n.issue_date}: {n.totals.tax_inclusive} {n.currency} ({n.reason})")
    console.print(f"  left to credit: {left.total} {invoice.currency}")


@app.command()
def audit(home: HomeOpt = None, files: Annotated[bool, typer.Option(help="verify file checksums")] = True) -> None:
    """Audit every series: gaps, duplicates, chronology, hash chain, file checksums. Exit 1 on any problem."""
    from mandat.service.audit import audit as run_audit

    service = _open(home)
    report = run_audit(service.engine, service.blobs, check_files=files)
    table = Table("seller", "series", "documents", "first", "last", "gaps", "dupl.", "backwards", "chain", "result")
    for s in report.series:
        table.add_row(
            s.seller_id,
            s.series,
            str(s.count),
            s.first or "",
            s.last or "",
            str(len(s.gaps)),
            str(len(s.duplicates)),
            str(len(s.backwards)),
            "ok" if not s.chain_breaks else str(len(s.chain_breaks)),
            Text("ok", style="green") if s.ok else Text(s.head_mismatch or "FAIL", style="red"),
        )
    console.print(table)
    console.print(
        f"{report.documents} documents, {report.files_checked} files checked, "
        f"{len(report.file_problems)} file problems, {report.unrendered} not rendered yet"
    )
    console.print(
        f"{report.credited_invoices} invoices with credit notes, "
        f"{len(report.credit_problems)} credited beyond the invoice or inconsistent"
    )
    problems = report.file_problems[:20] + report.render_problems[:20]
    for problem in problems + report.inbox_problems[:20] + report.credit_problems[:20]:
        console.print(str(problem), style="red")
    if not report.ok:
        raise typer.Exit(1)
    console.print("audit passed", style="green")


class InboxStatus(StrEnum):
    """Where a received event stands (the inbox's status column)."""

    pending = "pending"
    processing = "processing"
    issued = "issued"
    duplicate = "duplicate"
    rejected = "rejected"
    waiting = "waiting"
    failed = "failed"
    cancelled = "cancelled"
    render_failed = "render_failed"


@events_app.command("list")
def events_list(
    home: HomeOpt = None,
    status: Annotated[
        InboxStatus | None,
        typer.Option(help="only events in this status (render_failed: issued, but its document has no file)"),
    ] = None,
    limit: Annotated[int, typer.Option(help="at most this many events, oldest first", min=1)] = 50,
    as_json: Annotated[bool, typer.Option("--json", help="JSON objects, with the payload as received")] = False,
) -> None:
    """List received events, e.g. the rejected ones with their reasons."""
    from mandat.store import repository as repo

    service = _open(home)
    with service.engine.connect() as conn:
        rows = repo.list_inbox(conn, status.value if status else None, limit)
    if as_json:
        items = [
            {
                "event_id": r.event_id,
                "type": r.event_type,
                "seller_id": r.seller_id,
                "order_id": r.order_id,
                "status": r.status,
                "reason_code": r.reason_code,
                "reason": r.reason,
                "attempts": r.attempts,
                "document_id": r.document_id,
                "render_status": r.render_status,
                "render_error": r.render_error,
                "received_at": r.received_at.isoformat(),
                "updated_at": r.updated_at.isoformat(),
                "payload": r.payload,
            }
            for r in rows
        ]
        sys.stdout.write(json.dumps(items, indent=2, ensure_ascii=False) + "\n")
        return
    # Ids are what an operator copies into `mandat replay`: never cut or wrapped.
    table = Table(
        Column("event", no_wrap=True),
        "type",
        Column("seller", no_wrap=True),
        Column("order", no_wrap=True),
        "status",
        "reason",
    )
    for r in rows:
        shown, reason = r.status, r.reason or ""
        if r.render_status == "failed":  # issued, but its document has no file: `mandat render --retry-failed`
            shown, reason = f"{shown}, render failed", f"render: {r.render_error}"
        table.add_row(r.event_id, r.event_type, r.seller_id or "", r.order_id or "", shown, reason)
    console.print(table)


@app.command()
def replay(
    event_id: str,
    home: HomeOpt = None,
    payload: Annotated[Path | None, typer.Option(help="corrected event JSON to use instead")] = None,
) -> None:
    """Put a rejected, failed or waiting event back in the queue, after its cause was fixed."""
    service = _open(home)
    text = read_text(payload, "payload") if payload else None
    try:
        replayed = service.replay(event_id, text)
    except ReplayRefused as exc:
        console.print(f"not replayed: {exc}", style="red")
        raise typer.Exit(1) from exc
    if not replayed:
        console.print(f"{event_id} is not rejected, failed or waiting", style="red")
        raise typer.Exit(1)
    run_until_idle(service)
    from mandat.store import repository as repo

    with service.engine.connect() as conn:
        row = repo.get_inbox(conn, event_id=event_id)
    assert row is not None
    console.print(f"{event_id}: {row.status}" + (f" — {row.reason}" if row.reason else ""))


@app.command()
def demo(
    home: HomeOpt = None,
    orders: Annotated[int, typer.Option(help="number of orders to generate")] = 3000,
    seed: Annotated[int, typer.Option(help="random seed")] = 2026,
) -> None:
    """Create sample sellers and realistic orders, issue everything, and show where the documents are."""
    from mandat.demo import markets
    from mandat.demo.orders import generate
    from mandat.demo.sellers import demo_sellers

    portugal_key = demo_portugal_key(home)
    try:
        service = _open(home)
        french = demo_sellers()
        abroad = markets.market_sellers()
        sellers = french + abroad
        service.save_sellers(sellers)
        import_demo_rates(service, markets.rate_files())
        run = time.strftime("%Y%m%d%H%M%S")
        # Two orders in five for the French sellers (the richest cases: franchise, intra-EU, exports), the
        # rest spread over the other markets' sellers, selling at home.
        home_count = orders * 2 // 5 if abroad else orders
        events = generate(french, home_count, seed, run)
        events += markets.generate(abroad, orders - home_count, seed + 1, run, datetime(2026, 11, 2, 8, 0, tzinfo=UTC))
        # The sample files are written out so that the "Use it" commands can be tried on them too.
        sellers_file = service.settings.home / "demo-sellers.json"
        sellers_file.write_text(
            json.dumps([s.model_dump(mode="json", exclude_none=True) for s in sellers], indent=2, ensure_ascii=False)
            + "\n",
            encoding="utf-8",
        )
        events_file = service.settings.home / f"demo-events-{run}.jsonl"
        events_file.write_text("\n".join(events) + "\n", encoding="utf-8")
        console.print(f"sample sellers ({len(sellers)}):        {sellers_file}")
        console.print(f"sample events ({len(events)} deliveries): {events_file}")
        accepted = accept_lines(service, events)
        before = documents_count(service)
        started = time.perf_counter()
        run_until_idle(service)
        summary(service, time.perf_counter() - started, documents_count(service) - before, accepted)
        market_mix(service)
        treatment_mix(service)
        format_mix(service, portugal_key)
    finally:
        if portugal_key is not None:  # the demo's stand-in key is the demo's only, not the process's
            os.environ.pop("MANDAT_PT_SIGNING_KEY", None)
            os.environ.pop("MANDAT_PT_CERTIFICATE", None)


def demo_portugal_key(home: Path | None) -> Path | None:
    """A throwaway signing key for the demo's Portuguese documents, unless the operator configured one.

    Portuguese documents are signed and printed with ATCUD and QR code only by a deployment the AT
    certified (docs/formats/portugal.md); the demo stands in for one with a key of its own and the
    placeholder certificate number 9999, and says so.
    """
    if os.environ.get("MANDAT_PT_SIGNING_KEY") or os.environ.get("MANDAT_PT_CERTIFICATE"):
        return None  # the operator's own settings (docs/configuration.md)
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    base = (home or Path(os.environ.get("MANDAT_HOME", "mandat-data"))).absolute()
    path = base / "demo-pt-signing-key.pem"
    if not path.exists():
        base.mkdir(parents=True, exist_ok=True)
        # 1024 bits: the SAF-T (PT) Hash field holds a 172-character signature (render/formats/portugal.py).
        key = rsa.generate_private_key(public_exponent=65537, key_size=1024)  # noqa: S505
        pem = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        path.write_bytes(pem)
    # Worker processes inherit the environment: they sign with the same key.
    os.environ["MANDAT_PT_SIGNING_KEY"] = str(path)
    os.environ["MANDAT_PT_CERTIFICATE"] = "9999"
    return path


def format_mix(service: Mandat, portugal_key: Path | None = None) -> None:
    """The structured files the render step stored (``document_files``), per format: how many, how many of
    them passed the official Schematron besides the XSD, and the renders refused with their reasons."""
    import sqlalchemy as sa

    from mandat.store import repository as repo
    from mandat.store.schema import chain_links, document_files, documents

    with service.engine.connect() as conn:
        stored = conn.execute(
            sa.select(document_files.c.format, document_files.c.schematron, sa.func.count()).group_by(
                document_files.c.format, document_files.c.schematron
            )
        ).all()
        failed = set(conn.execute(sa.select(documents.c.id).where(documents.c.render_status == "failed")).scalars())
        errors: dict[str, int] = {}
        for doc_id, error in repo.render_failures(conn).items():
            if doc_id in failed:
                errors[error[:120]] = errors.get(error[:120], 0) + 1
    counts: dict[str, list[int]] = {}
    for name, ran, n in stored:
        entry = counts.setdefault(name, [0, 0])
        entry[0] += n
        entry[1] += n if ran else 0
    table = Table("format", "files", "XSD + Schematron where published", title="mandat — structured files")
    for name in sorted(counts, key=lambda n: (n != "en16931-cii", n)):
        table.add_row(name, str(counts[name][0]), str(counts[name][1]))
    console.print(table)
    for error, n in sorted(errors.items()):
        console.print(f"render refused ({n}): {error}", style="red")
    if counts:
        console.print(f"structured files:     {service.settings.blob_url} (<seller>/<document id>.<format>.xml)")
    with service.engine.connect() as conn:
        signed = conn.execute(
            sa.select(sa.func.count()).select_from(chain_links).where(chain_links.c.chain.like("pt:%"))
        ).scalar_one()
    if signed:
        console.print(f"Portugal: {signed} documents signed in their series' chain, printed with ATCUD and AT QR code")
    if portugal_key is not None:
        console.print(
            f"Portugal: signed with the demo key {portugal_key}, certificate 9999 (a placeholder: a real "
            "deployment is certified by the AT, docs/formats/portugal.md)"
        )


@app.command()
def einvoice(
    number: str,
    home: HomeOpt = None,
    fmt: Annotated[str | None, typer.Option("--format", help="format name (default: the legal channel's)")] = None,
    out: Annotated[Path | None, typer.Option("--out", help="file to write (default: standard output)")] = None,
    leitweg_id: Annotated[str | None, typer.Option(help="XRechnung BT-10 buyer reference")] = None,
) -> None:
    """An issued document in an e-invoice format: the validated file the render step stored, else built now
    from the stored record (a format not due, or options such as a Leitweg-ID)."""
    from mandat.render import formats
    from mandat.store import repository as repo

    service = _open(home)
    with service.engine.connect() as conn:
        doc = repo.get_document(conn, number=number) or repo.get_document(conn, doc_id=number)
        files = {f.format: f for f in repo.document_files_of(conn, doc.id)} if doc is not None else {}
    if doc is None:
        console.print(f"no document numbered {number}", style="red")
        raise typer.Exit(1)
    due = formats.formats_for(doc)
    name = fmt or due[-1]
    options: dict[str, Any] = {"buyer_reference": leitweg_id} if name == "xrechnung-3-cii" and leitweg_id else {}
    if name in files and not options:
        xml = service.blobs.get(files[name].key)
    else:
        try:
            xml = formats.build(name, doc, **options)
        except Rejected as exc:
            console.print(f"{name}: refused {exc.code}: {exc.reason}", style="red")
            raise typer.Exit(2) from exc
    if out is None:
        sys.stdout.buffer.write(xml)
    else:
        out.write_bytes(xml)
        console.print(f"{name} ({', '.join(due)} due): {out}")


def import_demo_rates(service: Mandat, files: list[Path]) -> None:
    """The demo's ECB and NBP tables (plausible values, not the published ones), as `mandat rates import` does."""
    from mandat.exchange import parse
    from mandat.store import rates as rates_store

    with service.engine.begin() as conn:
        for path in files:
            rates_store.import_rates(conn, parse(path.read_bytes()))


DEEMED = {"oss": "deemed supplier EU (OSS)", "ioss": "deemed supplier IOSS", "uk_omp": "deemed supplier UK"}
# The order the treatments table lists them in (what is not listed comes last).
TREATMENTS = (
    "domestic",
    "franchise E",
    "reverse charge AE",
    "intra-EU K",
    "reverse charge AE (abroad)",
    "installation abroad AE",
    "OSS destination VAT",
    "distance sale at origin",
    "supply where registered",
    "export G",
    "territory G",
    *DEEMED.values(),
    "outside scope O",
)


def destination(doc: Any) -> str:
    """Where the goods or services go: the delivery address's country, else the buyer's."""
    return str((doc.delivery_address or doc.buyer.address).country)


def treatment(doc: Any) -> str:
    """How a document was taxed, in a word of the summary: domestic, franchise, K, AE (domestic, cross-border,
    installation abroad), the destination's VAT through the OSS, a distance sale at origin, a supply in another
    member state where the seller is registered, export or special territory (G), the marketplace as deemed
    supplier (EU, IOSS, UK), outside scope.

    Read from what the document records: ``deemed_supply`` and ``scheme`` (Directive 2006/112/EC art. 14a,
    369a, 369l; VATA 1994 s.5A), the VAT categories of its breakdown (EN 16931 BT-118), the country whose rules
    applied against the seller's establishment (art. 32, 36, 47 with 219a(1): a supply made where the seller is
    registered), and the buyer's or delivery country against the seller's. Northern Ireland (a BT postcode)
    takes the EU rules for goods (Windsor Framework art. 8): its consumers' parcels are distance sales."""
    from mandat.domain.parties import EU_COUNTRIES
    from mandat.rules.territory import is_northern_ireland

    if doc.deemed_supply is not None and doc.scheme in DEEMED:
        return DEEMED[doc.scheme]
    if doc.scheme == "oss":
        return "OSS destination VAT"
    categories = {b.category for b in doc.vat_breakdown}
    to = destination(doc)
    abroad = doc.buyer.address.country != doc.country or to != doc.country
    if "K" in categories:
        return "intra-EU K"
    if doc.country != doc.seller.address.country and doc.country in EU_COUNTRIES:
        return "supply where registered"  # under the rules of the state of supply, the seller's id there
    if "AE" in categories:
        if abroad and any("installation/works" in t for t in doc.trace):  # art. 36, 47: the property's state
            return "installation abroad AE"
        return "reverse charge AE" + (" (abroad)" if abroad else "")
    if "G" in categories:
        # A destination with an EU country code is one of its territories outside the VAT area (art. 6).
        return "territory G" if to in EU_COUNTRIES and doc.country in EU_COUNTRIES else "export G"
    if "O" in categories:
        return "outside scope O"
    if "E" in categories:
        return "franchise E"
    eu_goods_rules = to in EU_COUNTRIES or is_northern_ireland(doc.delivery_address or doc.buyer.address)
    if to != doc.country and eu_goods_rules and doc.country in EU_COUNTRIES and not doc.buyer.is_business:
        return "distance sale at origin"  # art. 59c: below the seller's EUR 10,000 threshold
    return "domestic"


def classified(service: Mandat) -> list[tuple[Document, str]]:
    """Every document with its treatment; a credit note takes its invoice's (its trace is the refund's)."""
    from mandat.store import repository as repo

    with service.engine.connect() as conn:
        docs = list(repo.iter_documents(conn))
    of_invoice = {(d.seller_id, d.number): treatment(d) for d in docs if d.kind == "invoice"}
    return [
        (d, of_invoice.get((d.seller_id, d.corrects.number), treatment(d)) if d.corrects else treatment(d))
        for d in docs
    ]


def treatment_mix(service: Mandat) -> None:
    """Documents per treatment, with the routes (seller country → destination) they went; Northern Ireland
    shows as XI, its VAT prefix for goods."""
    from mandat.rules.territory import is_northern_ireland

    mix: dict[str, dict[str, int]] = {}
    for doc, kind in classified(service):
        if doc.deemed_supply is not None:
            origin = doc.deemed_supply.seller_country
        elif kind == "supply where registered":
            origin = doc.seller.address.country  # established there, taxed where supplied
        else:
            origin = doc.country
        routes = mix.setdefault(kind, {})
        to = "XI" if is_northern_ireland(doc.delivery_address or doc.buyer.address) else destination(doc)
        route = f"{origin}→{to}"
        routes[route] = routes.get(route, 0) + 1
    table = Table("treatment", "documents", "routes (seller country → destination)", title="mandat — treatments")
    order = {t: i for i, t in enumerate(TREATMENTS)}
    for kind in sorted(mix, key=lambda k: (order.get(k, len(order)), k)):
        routes = mix[kind]
        ranked = sorted(routes.items(), key=lambda kv: (-kv[1], kv[0]))
        shown = ", ".join(f"{r} {n}" for r, n in ranked[:8]) + (f", +{len(ranked) - 8} more" if len(ranked) > 8 else "")
        table.add_row(kind, str(sum(routes.values())), shown)
    console.print(table)


def market_mix(service: Mandat) -> None:
    """Documents per country whose invoicing rules they follow (the seller's; the state where a registered
    seller supplied; the marketplace's for its own sales): languages, currencies and VAT rates, as issued."""
    mix: dict[str, dict[str, Any]] = {}
    for doc, kind in classified(service):
        m = mix.setdefault(
            doc.country, {"docs": 0, "languages": {}, "currencies": set(), "rates": set(), "treatments": {}}
        )
        m["docs"] += 1
        m["languages"][doc.language] = m["languages"].get(doc.language, 0) + 1
        m["currencies"].add(doc.currency + (f"→{doc.exchange.tax_currency}" if doc.exchange else ""))
        m["rates"].update(f"{b.category} {b.rate.normalize():f}%" for b in doc.vat_breakdown)
        m["treatments"][kind] = m["treatments"].get(kind, 0) + 1
    table = Table("rules of", "documents", "languages", "currencies", "VAT", "treatments", title="mandat — markets")
    for country in sorted(mix):
        m = mix[country]
        langs = ", ".join(f"{k} {v}" for k, v in sorted(m["languages"].items(), key=lambda kv: -kv[1]))
        kinds = ", ".join(f"{k} {v}" for k, v in sorted(m["treatments"].items(), key=lambda kv: -kv[1]))
        table.add_row(
            country, str(m["docs"]), langs, ", ".join(sorted(m["currencies"])), ", ".join(sorted(m["rates"])), kinds
        )
    console.print(table)


def documents_count(service: Mandat) -> int:
    from mandat.store import repository as repo

    with service.engine.connect() as conn:
        return sum(1 for _ in repo.document_rows(conn))


def summary(service: Mandat, seconds: float, issued_now: int = 0, accepted: dict[str, int] | None = None) -> None:
    """Outcome of every event received so far; the rate counts the documents of this run only.

    ``accepted``: the answers of this run's deliveries, to account for the redeliveries that never
    became an event of their own.
    """
    from mandat.store import repository as repo

    with service.engine.connect() as conn:
        statuses = repo.count_inbox_by_status(conn)
        reasons = repo.count_reasons(conn, "rejected")
        docs = list(repo.document_rows(conn))
        sample = next((d for d in reversed(docs) if d.kind == "credit_note"), docs[-1] if docs else None)
    table = Table("outcome", "events", title="mandat — events and documents")
    redelivered = (accepted or {}).get("duplicate", 0)
    if accepted:
        table.add_row("deliveries received (this run)", str(sum(accepted.values())))
        table.add_row("  redelivered (same event id)", str(redelivered))
    table.add_row("events stored (all runs)", str(sum(statuses.values())))
    labels = {"duplicate": "duplicate (same order, new id)"}
    for status in ("issued", "duplicate", "cancelled", "rejected", "waiting", "failed", "pending", "processing"):
        if statuses.get(status):
            table.add_row(labels.get(status, status), str(statuses[status]))
    for code, n in sorted(reasons.items(), key=lambda kv: -kv[1]):
        table.add_row(f"  rejected: {code}", str(n))
    table.add_row("documents stored", str(len(docs)))
    table.add_row("  invoices", str(sum(1 for d in docs if d.kind == "invoice")))
    table.add_row("  credit notes", str(sum(1 for d in docs if d.kind == "credit_note")))
    table.add_row("rendered (PDF/A-3 + CII)", str(sum(1 for d in docs if d.render_status == "rendered")))
    if seconds:
        table.add_row("seconds (issue + render)", f"{seconds:.1f}")
        table.add_row("documents this run", str(issued_now))
        table.add_row("documents / s", f"{issued_now / seconds:.0f}")
    console.print(table)
    if redelivered or statuses.get("duplicate"):
        # The demo sends these on purpose: a marketplace queue delivers at least once, and producers re-send.
        console.print(
            "redeliveries: an event delivered again with the same id is acknowledged and ignored; an order "
            "re-sent under a new id is stored as a duplicate of the first. Neither gives a second document."
        )
    console.print(f"documents: {service.settings.blob_url}")
    console.print(f"database:  {service.engine.url.render_as_string(hide_password=True)}")
    if sample is not None and sample.pdf_key:
        console.print(f"example:   mandat show {sample.number}   →  {service.blobs.location(sample.pdf_key)}")
    console.print("next:      mandat audit   ·   mandat events list --status rejected")


from mandat.cli.api import register  # noqa: E402  (the HTTP API's commands: serve, keys, webhooks)

register(app)

from mandat.cli.rates import register as register_rates  # noqa: E402  (`mandat rates import|list`)

register_rates(app)

from mandat.cli.reports import register as register_reports  # noqa: E402  (`mandat reports vat|oss|fec|journal`)

register_reports(app)

if __name__ == "__main__":  # pragma: no cover
    app()
