"""A render that keeps failing: capped backoff, then `failed`, visible everywhere, and retried on demand.

Issue 11: a failed render was retried every 2 seconds forever, the document stayed `pending`, and
`mandat audit` said "passed" while the document had no file.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import NoReturn

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from mandat.cli.main import app
from mandat.domain.documents import Document
from mandat.service.app import MAX_RENDER_ATTEMPTS, Mandat
from mandat.service.audit import audit
from mandat.store import api_repository
from mandat.store import repository as repo
from mandat.store.schema import documents, outbox
from tests.factories import order
from tests.service.test_flow import drain


def boom(doc: Document, **_: object) -> NoReturn:
    raise RuntimeError(f"font cache unreadable while rendering {doc.number}")


def render_task(svc: Mandat) -> tuple[str, int, float]:
    with svc.engine.connect() as conn:
        r = conn.execute(sa.select(outbox.c.status, outbox.c.attempts, outbox.c.available_at)).one()
    delay = (repo.as_utc(r.available_at) - repo.utcnow()).total_seconds()  # type: ignore[operator]
    return r.status, r.attempts, delay


def test_failed_render_backs_off_then_fails_visibly_and_can_be_retried(
    backend: Mandat, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("mandat.render.document.render_document", boom)
    backend.accept(json.dumps(order()))
    drain(backend)
    delays = []
    for attempt in range(1, MAX_RENDER_ATTEMPTS + 1):
        status, attempts, delay = render_task(backend)
        assert attempts == attempt
        if status == "failed":
            break
        assert status == "pending"
        delays.append(delay)
        with backend.engine.begin() as conn:  # time passes: the retry is due
            conn.execute(outbox.update().values(available_at=repo.utcnow() - timedelta(seconds=1)))
        assert backend.render_pending(10) == 1
    assert render_task(backend)[:2] == ("failed", MAX_RENDER_ATTEMPTS)
    # Exponential from 2 s, never more than an hour between two attempts.
    expected = [min(2**a, 3600) for a in range(1, MAX_RENDER_ATTEMPTS)]
    assert [round(d) for d in delays] == pytest.approx(expected, abs=2)
    assert max(delays) <= 3600
    assert delays[-1] == pytest.approx(3600, abs=2)
    # Nothing retries it any more on its own.
    with backend.engine.begin() as conn:
        conn.execute(outbox.update().values(available_at=repo.utcnow() - timedelta(seconds=1)))
    assert backend.render_pending(10) == 0

    # Visible: the document, the events list, the API representation and the audit.
    with backend.engine.connect() as conn:
        doc_id, render_status = conn.execute(sa.select(documents.c.id, documents.c.render_status)).one()
        (event,) = repo.list_inbox(conn)
        failed_only = repo.list_inbox(conn, "render_failed")
        entry = api_repository.get_document_entry(conn, doc_id)
    assert render_status == "failed"
    assert (event.status, event.render_status) == ("issued", "failed")
    assert "font cache unreadable" in (event.render_error or "")
    assert [e.event_id for e in failed_only] == [event.event_id]
    assert entry is not None
    assert entry.render_status == "failed"
    report = audit(backend.engine, backend.blobs)
    assert not report.ok
    assert report.render_problems == [
        "F-ABJ-000001: no file, rendering failed: RuntimeError: font cache unreadable while rendering F-ABJ-000001"
    ]
    if backend.engine.dialect.name == "sqlite":  # the CLI opens the embedded store of MANDAT_HOME
        home = str(backend.settings.home)
        from mandat.cli import main

        monkeypatch.setattr(main.console, "width", 300)  # a wide table: no wrapped cells
        cli = CliRunner()
        listed = cli.invoke(app, ["events", "list", "--home", home], catch_exceptions=False)
        assert "render failed" in listed.output
        audited = cli.invoke(app, ["audit", "--home", home], catch_exceptions=False)
        assert audited.exit_code == 1
        assert "audit passed" not in audited.output
        assert "rendering failed" in audited.output

    # The operator fixes the cause and retries: rendered, audit passes.
    monkeypatch.undo()
    assert backend.retry_failed_renders(["F-NOPE-000001"]) == 0
    assert backend.retry_failed_renders(["F-ABJ-000001"]) == 1
    assert backend.render_pending(10) == 1
    with backend.engine.connect() as conn:
        assert conn.execute(sa.select(documents.c.render_status)).scalar_one() == "rendered"
        (event,) = repo.list_inbox(conn)
    assert (event.render_status, event.render_error) == ("rendered", None)
    assert audit(backend.engine, backend.blobs).ok


def test_audit_does_not_pass_while_a_document_waits_for_its_file(backend: Mandat) -> None:
    backend.accept(json.dumps(order()))
    backend.process_batch(backend.claim())  # issued, not rendered (the worker died before rendering)
    report = audit(backend.engine, backend.blobs)
    assert not report.ok
    assert report.render_problems == ["F-ABJ-000001: no file yet, rendering pending"]
    drain(backend)
    with backend.engine.begin() as conn:
        conn.execute(outbox.update().values(available_at=repo.utcnow()))
    drain(backend)
    assert audit(backend.engine, backend.blobs).ok


def test_a_render_whose_worker_dies_every_time_is_given_up(backend: Mandat, monkeypatch: pytest.MonkeyPatch) -> None:
    """A record that kills its renderer (out of memory, SIGKILL) never reaches the error handler: each
    new worker re-claims it when the lease runs out. Past the limit the claim itself gives it up, without
    rendering it again, and the operator sees it like any other failed render."""

    def killed(doc: Document, **_: object) -> NoReturn:
        raise SystemExit("killed")  # not an Exception: nothing in mandat catches it, like a real death

    monkeypatch.setattr("mandat.render.document.render_document", killed)
    backend.accept(json.dumps(order()))
    with pytest.raises(SystemExit):
        drain(backend)  # the first render, right after issuing, dies too
    for _ in range(MAX_RENDER_ATTEMPTS):  # each claim "dies": the lease runs out, the next worker claims
        with backend.engine.begin() as conn:
            conn.execute(outbox.update().values(available_at=repo.utcnow() - timedelta(seconds=1)))
        with pytest.raises(SystemExit):
            backend.render_pending(10)
    assert render_task(backend)[:2] == ("pending", MAX_RENDER_ATTEMPTS)
    with backend.engine.begin() as conn:
        conn.execute(outbox.update().values(available_at=repo.utcnow() - timedelta(seconds=1)))
    assert backend.render_pending(10) == 1  # claimed once more, and given up without rendering
    assert render_task(backend)[0] == "failed"
    with backend.engine.connect() as conn:
        assert conn.execute(sa.select(documents.c.render_status)).scalar_one() == "failed"
