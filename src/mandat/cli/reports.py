"""`mandat reports vat|oss|fec|journal`: the finance reports, from the stored records only (docs/reports.md).

Each command streams the documents of one series owner (a seller's own series, or with ``--marketplace``
the documents the marketplace issued in its own name as deemed supplier) in issue order, shows a progress
bar on stderr when there are many, and writes its output to ``--out`` (a file; a directory for the FEC,
named by the law) or to stdout. The same records give the same bytes. Registered on the main app by
``register(app)`` (bottom of cli/main.py).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated, TypeVar

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from mandat.cli.common import HomeOpt, console, err_console, fail, open_service
from mandat.domain.documents import Document
from mandat.reports.common import Period, between, parse_period
from mandat.service.app import Mandat
from mandat.store import repository as repo

reports_app = typer.Typer(
    help="Reports for finance: VAT, OSS return, FEC, journal (from the stored records).",
    no_args_is_help=True,
    rich_markup_mode=None,
)

REFUSED = 1
# Below this many documents a report takes under a second: no bar.
PROGRESS_FROM = 2000
BATCH = 1000

T = TypeVar("T")


class Format(StrEnum):
    csv = "csv"
    json = "json"


SellerOpt = Annotated[str | None, typer.Option("--seller", help="the seller id (its own series)")]
MarketplaceOpt = Annotated[
    bool, typer.Option("--marketplace", help="the marketplace's own documents as deemed supplier")
]
PeriodOpt = Annotated[str | None, typer.Option("--period", help="2026, 2026-Q4 or 2026-11 (by issue date)")]
StartOpt = Annotated[str | None, typer.Option("--start", help="first issue date YYYY-MM-DD (with --end)")]
EndOpt = Annotated[str | None, typer.Option("--end", help="issue date YYYY-MM-DD the period ends BEFORE")]
OutOpt = Annotated[Path | None, typer.Option("--out", help="output file (default: stdout)")]
FormatOpt = Annotated[Format, typer.Option("--format", help="csv or json")]


def _day(value: str, option: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date YYYY-MM-DD", param_hint=option) from None


def _period(period: str | None, start: str | None, end: str | None) -> Period:
    try:
        if period is not None:
            if start or end:
                raise ValueError("give --period or --start/--end, not both")
            return parse_period(period)
        if start is None or end is None:
            raise ValueError("give --period (2026, 2026-Q4, 2026-11) or both --start and --end")
        return between(_day(start, "--start"), _day(end, "--end"))
    except ValueError as exc:
        fail(str(exc))


def _owner(service: Mandat, seller: str | None, marketplace: bool) -> str:
    if marketplace == (seller is not None):
        fail("give --seller ID or --marketplace (one of them)")
    if marketplace:
        return service.marketplace.series_owner
    assert seller is not None
    with service.reader.connect() as conn:
        if repo.get_seller(conn, seller) is None:
            fail(f"seller {seller} is not in the registry")
    return seller


@contextmanager
def _stream(
    service: Mandat, owner: str, period: Period, what: str
) -> Iterator[tuple[Iterator[Document], Callable[[int], None]]]:
    """The owner's documents of the period's window, read in one transaction, and a progress callback."""
    since, until = period.window()
    with service.reader.connect() as conn:
        total = repo.count_documents_between(conn, owner, since, until)
        docs = iter(repo.iter_documents_between(conn, owner, since, until, BATCH))
        if total < PROGRESS_FROM:
            yield docs, lambda _n: None
            return
        bar = Progress(
            TextColumn("{task.description:<10}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=err_console,
            transient=False,
        )
        with bar:
            task = bar.add_task(what, total=total)
            yield docs, lambda n: bar.advance(task, n)


def _write(out: Path | None, data: bytes) -> None:
    if out is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return
    try:
        out.write_bytes(data)
    except OSError as exc:
        fail(f"cannot write {out}: {exc.strerror or exc}")
    err_console.print(f"wrote {out}", highlight=False)


@reports_app.command("vat")
def vat(
    seller: SellerOpt = None,
    marketplace: MarketplaceOpt = False,
    period: PeriodOpt = None,
    start: StartOpt = None,
    end: EndOpt = None,
    fmt: FormatOpt = Format.csv,
    out: OutOpt = None,
    home: HomeOpt = None,
) -> None:
    """VAT per taxing country, regime, category and rate, credit notes netted in their period."""
    from mandat.reports.vat import vat_report

    when = _period(period, start, end)
    service = open_service(home)
    try:
        owner = _owner(service, seller, marketplace)
        with _stream(service, owner, when, "vat") as (docs, tick):
            report = vat_report(docs, owner, when, tick)
    finally:
        service.engine.dispose()
    _write(out, report.csv() if fmt is Format.csv else report.json())


@reports_app.command("oss")
def oss(
    quarter: Annotated[str, typer.Option("--quarter", help="the quarter, e.g. 2026-Q4")],
    seller: SellerOpt = None,
    marketplace: MarketplaceOpt = False,
    fmt: FormatOpt = Format.csv,
    out: OutOpt = None,
    home: HomeOpt = None,
) -> None:
    """The Union OSS return data of a quarter: per member state of consumption and rate, in euro, and the
    corrections of earlier quarters apart. Refused (exit 1) when a document of the quarter is not in euro."""
    from mandat.reports.common import parse_quarter
    from mandat.reports.oss import NotInEuro, oss_return

    try:
        when = parse_quarter(quarter)
    except ValueError as exc:
        fail(str(exc))
    service = open_service(home)
    try:
        owner = _owner(service, seller, marketplace)
        if marketplace:
            identification = service.marketplace.address.country
        else:
            with service.reader.connect() as conn:
                registered = repo.get_seller(conn, owner)
            assert registered is not None
            if registered.oss is None:
                fail(f"seller {owner} is not registered for the OSS (its record in the registry has no 'oss')")
            identification = registered.oss.country
        try:
            with _stream(service, owner, when, "oss") as (docs, tick):
                report = oss_return(docs, owner, identification, when, tick)
        except NotInEuro as exc:
            fail(str(exc), REFUSED)
    finally:
        service.engine.dispose()
    _write(out, report.csv() if fmt is Format.csv else report.json())


@reports_app.command("fec")
def fec(
    seller: Annotated[str, typer.Option("--seller", help="the French seller's id")],
    out: Annotated[Path, typer.Option("--out", help="directory: the file is named <SIREN>FEC<closing>.txt")],
    year: Annotated[int | None, typer.Option("--year", help="a calendar fiscal year (closing 31 December)")] = None,
    closing: Annotated[str | None, typer.Option("--closing", help="closing date of the fiscal year")] = None,
    start: Annotated[str | None, typer.Option("--start", help="first day when the year is not 12 months")] = None,
    home: HomeOpt = None,
) -> None:
    """The FEC (LPF art. A47 A-1) of a French seller's sales journal for one fiscal year."""
    from mandat.reports.fec import FecError, fec_filename, fiscal_year, write_fec

    if (year is None) == (closing is None):
        fail("give --year YYYY or --closing YYYY-MM-DD (one of them)")
    close = date(year, 12, 31) if year is not None else _day(str(closing), "--closing")
    try:
        fy = fiscal_year(close, _day(start, "--start") if start else None)
    except ValueError as exc:
        fail(str(exc))
    service = open_service(home)
    try:
        owner = _owner(service, seller, False)
        with service.reader.connect() as conn:
            registered = repo.get_seller(conn, owner)
        assert registered is not None
        if registered.address.country != "FR" or not registered.siren:
            fail(f"seller {owner} is not a French seller with a SIREN: the FEC is the French audit file")
        target = out / fec_filename(registered.siren, close)
        partial = target.with_name(target.name + ".partial")
        try:
            out.mkdir(parents=True, exist_ok=True)
            with _stream(service, owner, fy, "fec") as (docs, tick), partial.open("wb") as fh:
                stats = write_fec(fh, docs, owner, fy, progress=tick)
            partial.replace(target)  # never a half-written file under the legal name
        except FecError as exc:
            partial.unlink(missing_ok=True)
            fail(str(exc), REFUSED)
        except OSError as exc:
            fail(f"cannot write {target}: {exc.strerror or exc}")
    finally:
        service.engine.dispose()
    console.print(
        f"{target}: {stats.entries} entries, {stats.lines} lines, debit {stats.debit} = credit {stats.credit}",
        highlight=False,
    )


@reports_app.command("journal")
def journal(
    seller: SellerOpt = None,
    marketplace: MarketplaceOpt = False,
    period: PeriodOpt = None,
    start: StartOpt = None,
    end: EndOpt = None,
    out: OutOpt = None,
    home: HomeOpt = None,
) -> None:
    """One CSV row per document line (seller, number, kind, date, buyer country, category, rate, net...)."""
    from mandat.reports.journal import write_journal

    when = _period(period, start, end)
    service = open_service(home)
    try:
        owner = _owner(service, seller, marketplace)
        with _stream(service, owner, when, "journal") as (docs, tick):
            if out is None:
                write_journal(sys.stdout.buffer, docs, when, owner, tick)
                sys.stdout.flush()
            else:
                try:
                    with out.open("wb") as fh:
                        write_journal(fh, docs, when, owner, tick)
                except OSError as exc:
                    fail(f"cannot write {out}: {exc.strerror or exc}")
    finally:
        service.engine.dispose()


def register(app: typer.Typer) -> None:
    app.add_typer(reports_app, name="reports")
