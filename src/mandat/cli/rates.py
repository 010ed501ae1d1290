"""`mandat rates import FILE...` and `mandat rates list`: the exchange-rate tables, imported by hand.

Nothing is downloaded: the operator fetches the ECB eurofxref XML or the NBP table A (static XML,
api.nbp.pl XML or JSON) and imports it; events waiting with `rate_missing` are retried by the worker
(docs/exchange-rates.md). Registered on the main app by `register(app)` (bottom of cli/main.py).
"""

from __future__ import annotations

import json
import sys
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Column, Table
from rich.text import Text

from mandat.cli.common import HomeOpt, console, err_console, open_service

rates_app = typer.Typer(
    help="Exchange-rate tables (ECB, NBP) for the VAT in national currency.",
    no_args_is_help=True,
    rich_markup_mode=None,
)

IMPORT_FAILED = 1


class RateSource(StrEnum):
    ECB = "ECB"
    NBP = "NBP"


def _problem(message: str) -> None:
    err_console.print(Text.assemble(("error:", "red"), " ", message), highlight=False, soft_wrap=True)


@rates_app.command("import")
def rates_import(
    files: Annotated[list[Path], typer.Argument(help="ECB eurofxref XML or NBP table A files (XML or JSON)")],
    home: HomeOpt = None,
) -> None:
    """Import rate tables, each in its own transaction. Exit 1 when a file is unreadable or conflicts
    with stored rates: that file imports nothing, the stored rates are kept, the other files import."""
    from mandat.exchange import RatesFormatError, read
    from mandat.store.rates import ConcurrentConflict, import_rates, wake_waiting

    service = open_service(home)
    failed = False
    try:
        for path in files:
            try:
                data = path.read_bytes()
            except OSError as exc:
                _problem(f"{path}: cannot read ({exc.strerror or exc})")
                failed = True
                continue
            try:
                table = read(data)
            except RatesFormatError as exc:
                _problem(f"{path}: {exc}")
                failed = True
                continue
            woken = 0
            try:
                with service.engine.begin() as conn:
                    result = import_rates(conn, table.rates)
                    if result.new:
                        woken = wake_waiting(conn)
            except ConcurrentConflict as exc:
                result = exc.result
            days = sorted({r.day for r in table.rates})
            currencies = sorted({r.base for r in table.rates} | {r.quote for r in table.rates})
            span = days[0].isoformat() if len(days) == 1 else f"{days[0].isoformat()}..{days[-1].isoformat()}"
            console.print(
                f"{path}: {table.format}, {len(days)} day{'s' if len(days) != 1 else ''} ({span}), "
                f"{len(currencies)} currencies ({' '.join(currencies)}): "
                f"{result.new} new, {result.unchanged} unchanged, {len(result.conflicts)} conflicts"
            )
            if woken:
                console.print(
                    f"{path}: {woken} event{'s' if woken != 1 else ''} waiting for a rate now due (`mandat worker`)"
                )
            if result.conflicts:
                failed = True
                for conflict in result.conflicts[:20]:
                    _problem(f"{path}: {conflict}")
                more = len(result.conflicts) - 20
                _problem(
                    f"{path}: nothing imported from this file{f' ({more} more conflicts)' if more > 0 else ''}; "
                    "stored rates are never changed (issued invoices may have used them)"
                )
    finally:
        service.engine.dispose()
    if failed:
        raise typer.Exit(IMPORT_FAILED)


def _day(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date YYYY-MM-DD") from None


@rates_app.command("list")
def rates_list(
    home: HomeOpt = None,
    source: Annotated[RateSource | None, typer.Option(help="only this source")] = None,
    currency: Annotated[str | None, typer.Option(help="only rates from or to this ISO 4217 code")] = None,
    since: Annotated[str | None, typer.Option(help="only rates of this day (YYYY-MM-DD) or later")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON objects")] = False,
) -> None:
    """List the imported rates, oldest day first."""
    from mandat.store.rates import list_rates

    first = _day(since)
    service = open_service(home)
    try:
        with service.reader.connect() as conn:
            rows = list_rates(conn, source.value if source else None, currency.upper() if currency else None, first)
    finally:
        service.engine.dispose()
    if as_json:
        items = [
            {
                "source": r.source,
                "base": r.base,
                "quote": r.quote,
                "day": r.day.isoformat(),
                "rate": format(r.rate, "f"),
                "reference": r.reference,
                "imported_at": imported.isoformat(),
            }
            for r, imported in rows
        ]
        sys.stdout.write(json.dumps(items, indent=2) + "\n")
        return
    table = Table("day", "source", "from", "to", Column("rate", justify="right"), "reference")
    for r, _imported in rows:
        table.add_row(r.day.isoformat(), r.source, r.base, r.quote, format(r.rate, "f"), r.reference or "")
    console.print(table)
    console.print(f"{len(rows)} rate{'s' if len(rows) != 1 else ''}")


def register(app: typer.Typer) -> None:
    app.add_typer(rates_app, name="rates")
