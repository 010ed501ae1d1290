"""What every `mandat` command shares: the consoles, the --home option, opening the service, reading files.

Configuration and input problems end as one line on stderr naming what to fix and exit code 2, never
as a traceback: an operator reads "MANDAT_DATABASE_URL: cannot connect", not forty lines of psycopg.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.console import Console
from rich.text import Text

from mandat.service.app import Mandat
from mandat.service.config import Settings

# Piped or redirected, rich would squeeze tables into 80 columns (or $COLUMNS, which some shells and
# test runners export) and cut ids in pieces; a line per row is what grep and a log want.
_NOT_A_TERMINAL_WIDTH = 10_000

CONFIG_ERROR = 2


def make_console(stderr: bool = False) -> Console:
    stream = sys.stderr if stderr else sys.stdout
    # markup=False: descriptions, names and reasons come from events; "[/]" in one must print as is,
    # not raise rich's MarkupError. Colour goes through style= and Text instead.
    return Console(stderr=stderr, width=None if stream.isatty() else _NOT_A_TERMINAL_WIDTH, markup=False)


console = make_console()
err_console = make_console(stderr=True)

HomeOpt = Annotated[Path | None, typer.Option("--home", help="data folder (default $MANDAT_HOME or ./mandat-data)")]


def fail(message: str, code: int = CONFIG_ERROR) -> NoReturn:
    """One line on stderr, then exit: for problems the user fixes (configuration, input files)."""
    err_console.print(Text.assemble(("error:", "red"), " ", message), highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def settings_from_env(home: Path | None) -> Settings:
    try:
        return Settings.from_env(home)
    except ValueError as exc:
        fail(str(exc))


def open_service(home: Path | None, migrate: bool = True) -> Mandat:
    """The service on the configured database and blob store, schema up to date.

    Every command that touches the data goes through here, so that an unreachable database, a missing
    PostgreSQL schema or a malformed URL is reported once, the same way, naming the variable to fix.
    """
    import sqlalchemy.exc
    from pydantic import ValidationError

    settings = settings_from_env(home)
    db = _database_name(settings)
    try:
        service = Mandat.open(settings)
    except sqlalchemy.exc.ArgumentError as exc:
        fail(f"MANDAT_DATABASE_URL is not a usable database URL ({_first_line(exc)})")
    except ValidationError as exc:
        fail(f"{settings.home / 'marketplace.json'} is invalid: {_first_line(exc)}")
    except (OSError, ValueError, RuntimeError) as exc:
        fail(f"cannot open the data of MANDAT_HOME={settings.home} / MANDAT_BLOB_URL={settings.blob_url}: {exc}")
    try:
        _check_schema(service)
        if migrate:
            service.migrate()
    except sqlalchemy.exc.OperationalError as exc:
        service.engine.dispose()
        fail(f"cannot use the database {db}: {_first_line(exc.orig or exc)}")
    except sqlalchemy.exc.DBAPIError as exc:
        service.engine.dispose()
        fail(f"the database {db} refused the schema upgrade: {_first_line(exc.orig or exc)}")
    return service


def _database_name(settings: Settings) -> str:
    if os.environ.get("MANDAT_DATABASE_URL"):
        from sqlalchemy.engine import make_url
        from sqlalchemy.exc import ArgumentError

        try:
            url = make_url(settings.database_url).render_as_string(hide_password=True)
        except ArgumentError:
            url = "(unparsable)"
        return f"MANDAT_DATABASE_URL={url}"
    return f"{settings.database_url} (MANDAT_HOME; set MANDAT_DATABASE_URL for another database)"


def _check_schema(service: Mandat) -> None:
    """A search_path naming no schema makes PostgreSQL create nothing and fail deep inside Alembic."""
    schema = service.settings.database_schema
    if not schema or service.engine.dialect.name != "postgresql":
        return
    import sqlalchemy as sa

    with service.engine.connect() as conn:
        found = conn.execute(sa.text("SELECT 1 FROM pg_namespace WHERE nspname = :s"), {"s": schema}).first()
    if found is None:
        service.engine.dispose()
        fail(
            f"MANDAT_DATABASE_SCHEMA={schema}: no such schema in the database "
            f"(create it with CREATE SCHEMA, or unset the variable to use the server's default)"
        )


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def read_text(path: Path, what: str = "file") -> str:
    """A UTF-8 text file (a leading BOM is dropped), or one line on stderr and exit code 2."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        fail(f"{what} {path}: no such file")
    except IsADirectoryError:
        fail(f"{what} {path}: is a directory, not a file")
    except OSError as exc:
        fail(f"{what} {path}: cannot read it ({exc.strerror or exc})")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        fail(f"{what} {path}: not UTF-8 text (line {line}, byte {exc.start}); convert it to UTF-8 first")


def json_lines(text: str) -> list[str]:
    """The non-blank lines of a JSON-lines file.

    Split on newlines only: str.splitlines() also breaks on U+2028, U+0085 and form feeds, which JSON
    allows unescaped inside strings, and would cut one valid event into two broken ones.
    """
    return [line.rstrip("\r") for line in text.split("\n") if line.strip()]
