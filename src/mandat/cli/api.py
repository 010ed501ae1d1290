"""`mandat serve`, `mandat keys ...`, `mandat webhooks ...`: the HTTP API's commands.

Registered on the main app by `register(app)` (see the bottom of cli/main.py).
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Column, Table

from mandat.cli.common import HomeOpt, console, fail, open_service
from mandat.service.app import Mandat

# Plain help, as in cli/main.py: no "<bool>" after flags.
keys_app = typer.Typer(help="API keys (shown once, stored hashed).", no_args_is_help=True, rich_markup_mode=None)
webhooks_app = typer.Typer(help="Webhook deliveries.", no_args_is_help=True, rich_markup_mode=None)


def _open(home: Path | None) -> Mandat:
    return open_service(home)


def serve(
    home: HomeOpt = None,
    host: Annotated[str, typer.Option(help="interface to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port")] = 8000,
    worker: Annotated[
        bool, typer.Option(help="also issue queued events and render documents in a background thread")
    ] = True,
    webhooks: Annotated[bool, typer.Option(help="also deliver webhooks in a background thread")] = True,
    poll: Annotated[float, typer.Option(help="seconds the background loops sleep when idle")] = 1.0,
) -> None:
    """Serve the HTTP API (OpenAPI at /docs). Migrates the database first."""
    import uvicorn

    from mandat.api.app import create_app
    from mandat.api.webhooks import Dispatcher

    service = _open(home)
    try:
        app = create_app(service)
    except ValueError as exc:  # MANDAT_SECRET_KEY too short, and the like: configuration, not a crash
        service.engine.dispose()
        fail(str(exc))
    stop = threading.Event()
    threads: list[threading.Thread] = []
    if worker:
        threads.append(threading.Thread(target=_work, args=(service, stop, poll), name="mandat-worker", daemon=True))
    dispatcher = Dispatcher(service) if webhooks else None
    if dispatcher is not None:
        threads.append(threading.Thread(target=dispatcher.run, args=(stop, poll), name="mandat-webhooks", daemon=True))
    for t in threads:
        t.start()
    try:
        uvicorn.run(app, host=host, port=port, proxy_headers=True, log_level="info")
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=30)
        if dispatcher is not None:
            dispatcher.close()
        service.engine.dispose()


def _work(service: Mandat, stop: threading.Event, poll: float) -> None:
    """Events left pending (a transient failure, `waiting` payments) and every render."""
    log = logging.getLogger("mandat")
    while not stop.is_set():
        try:
            events, renders = service.work_once(50)
        except Exception:
            log.exception("background worker pass failed")
            events = renders = 0
        if not events and not renders:
            stop.wait(poll)


@keys_app.command("create")
def keys_create(
    role: Annotated[str, typer.Option(help="operator, auditor or seller")],
    seller: Annotated[str | None, typer.Option("--seller", help="the seller a seller key is bound to")] = None,
    name: Annotated[str, typer.Option(help="what the key is for")] = "",
    home: HomeOpt = None,
) -> None:
    """Create an API key and print its token: it is shown this once, only its SHA-256 is kept."""
    from mandat.api.auth import ROLES, create_key

    if role not in ROLES:
        console.print(f"role must be one of {', '.join(ROLES)}", style="red")
        raise typer.Exit(2)
    try:
        row, token = create_key(_open(home), name or f"{role} key", role, seller)
    except (ValueError, LookupError) as exc:
        console.print(str(exc), style="red")
        raise typer.Exit(2) from exc
    console.print(f"key {row.id} ({row.role}{' for ' + row.seller_id if row.seller_id else ''}); token, shown once:")
    # Plain print: rich would wrap or style the token.
    print(token)


@keys_app.command("list")
def keys_list(home: HomeOpt = None) -> None:
    """List API keys (ids, roles, sellers, revocation), never their tokens."""
    from mandat.store import api_repository as arepo

    service = _open(home)
    with service.reader.connect() as conn:
        rows = arepo.list_keys(conn)
    table = Table(Column("id", no_wrap=True, min_width=16), "name", "role", "seller", "created", "revoked")
    for r in rows:
        revoked = r.revoked_at.isoformat(timespec="seconds") if r.revoked_at else ""
        table.add_row(r.id, r.name, r.role, r.seller_id or "", r.created_at.isoformat(timespec="seconds"), revoked)
    console.print(table)


@keys_app.command("revoke")
def keys_revoke(key_id: str, home: HomeOpt = None) -> None:
    """Revoke a key by its id: every request with it answers 401 from now on."""
    from mandat.store import api_repository as arepo

    service = _open(home)
    with service.engine.begin() as conn:
        found = arepo.revoke_key(conn, key_id)
    if not found:
        console.print(f"no key {key_id}", style="red")
        raise typer.Exit(1)
    console.print(f"key {key_id} revoked")


@webhooks_app.command("deliver")
def webhooks_deliver(
    home: HomeOpt = None,
    loop: Annotated[bool, typer.Option("--loop", help="keep delivering until interrupted")] = False,
    poll: Annotated[float, typer.Option(help="seconds to sleep when idle (with --loop)")] = 1.0,
) -> None:
    """Enqueue deliveries for new documents and rejections, and send those that are due."""
    from mandat.api.webhooks import Dispatcher

    service = _open(home)
    dispatcher = Dispatcher(service)
    try:
        if loop:
            stop = threading.Event()
            try:
                dispatcher.run(stop, poll)
            except KeyboardInterrupt:
                stop.set()
        else:
            enqueued, sent = dispatcher.run_once()
            console.print(f"{enqueued} deliveries enqueued, {sent} attempted")
    finally:
        dispatcher.close()
        service.engine.dispose()


@webhooks_app.command("list")
def webhooks_list(home: HomeOpt = None) -> None:
    """Registered endpoints (register them with POST /v1/webhooks)."""
    from mandat.store import api_repository as arepo

    service = _open(home)
    with service.reader.connect() as conn:
        rows = arepo.list_webhooks(conn)
    table = Table(Column("id", no_wrap=True, min_width=36), "url", "events", "active")
    for w in rows:
        table.add_row(w.id, w.url, ",".join(w.event_types), "yes" if w.active else "no")
    console.print(table)


def register(app: typer.Typer) -> None:
    app.command()(serve)
    app.add_typer(keys_app, name="keys")
    app.add_typer(webhooks_app, name="webhooks")
