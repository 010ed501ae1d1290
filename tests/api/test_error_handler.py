"""The API's generic error handler: an unexpected exception in a route is a logged problem+json 500.

docs/api.md, "Errors": every error is an RFC 9457 problem document (`application/problem+json`), values
are never echoed back, and `/problems/internal` (500) is "a bug or an outage; logged on the server".
So the answer must carry neither the exception's text nor a traceback, and the log must carry both.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import NoReturn

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from mandat.api.app import create_app
from mandat.store.schema import documents
from tests.api.conftest import LOCAL_HOOKS, SECRET, Api

# What a leaking handler would put in the answer: the exception's message (here with a credential, as a
# database driver's message may carry its URL), its type, the traceback and the module path.
SECRET_MESSAGE = "could not connect to postgresql://mandat:hunter2@db.internal:5432/prod"
LEAKS = ("hunter2", "db.internal", "RuntimeError", "Traceback", 'File "', "mandat/", ".py")
# The problem document of a 500, written from docs/api.md: the `internal` type, its title, the status,
# and nothing else (no detail: the detail would be the exception's text).
INTERNAL = {"type": "/problems/internal", "title": "Internal error", "status": 500}


@pytest.fixture
def lenient(api: Api) -> Iterator[TestClient]:
    """A client that returns the server's answer to an exception instead of raising it in the test."""
    app = create_app(api.service, secret=SECRET, egress=LOCAL_HOOKS)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


def outage(*_args: object, **_kwargs: object) -> NoReturn:
    raise RuntimeError(SECRET_MESSAGE)


def assert_internal_problem(body: bytes, content_type: str) -> None:
    assert content_type == "application/problem+json"
    assert json.loads(body) == INTERNAL
    text = body.decode()
    for leak in LEAKS:
        assert leak not in text, leak


def test_an_exception_in_a_route_is_a_logged_problem_500_without_the_traceback(
    api: Api, lenient: TestClient, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    doc_id = api.issued()["document_id"]
    monkeypatch.setattr("mandat.store.api_repository.get_document_entry", outage)
    with caplog.at_level(logging.ERROR, logger="mandat.api"):
        r = lenient.get(f"/v1/documents/{doc_id}", headers=api.h("operator"))
    assert r.status_code == 500
    assert_internal_problem(r.content, r.headers["content-type"])
    # Logged once, on the API's logger, with the request and the exception itself (its traceback).
    (record,) = [rec for rec in caplog.records if rec.name == "mandat.api"]
    assert record.levelno == logging.ERROR
    assert record.getMessage() == f"GET /v1/documents/{doc_id} failed"
    assert record.exc_info is not None
    assert isinstance(record.exc_info[1], RuntimeError)
    assert str(record.exc_info[1]) == SECRET_MESSAGE


def test_an_exception_in_a_post_route_is_a_problem_500_too(
    api: Api, lenient: TestClient, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from mandat.service.app import Mandat
    from tests.factories import order

    monkeypatch.setattr(Mandat, "accept", outage)
    with caplog.at_level(logging.ERROR, logger="mandat.api"):
        r = lenient.post(
            "/v1/events",
            content=json.dumps(order()),
            headers=api.h("operator") | {"Content-Type": "application/json"},
        )
    assert r.status_code == 500
    assert_internal_problem(r.content, r.headers["content-type"])
    assert [rec.getMessage() for rec in caplog.records if rec.name == "mandat.api"] == ["POST /v1/events failed"]


def test_an_unreadable_record_is_a_problem_500_not_a_crash(
    api: Api, lenient: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    """A document row whose JSON no longer parses (disk or manual edit): the API answers 500, logs it, and
    keeps serving the other documents."""
    broken = api.issued(ref="0001")["document_id"]
    fine = api.issued(ref="0002")["document_id"]
    with api.service.engine.begin() as conn:
        conn.execute(documents.update().where(documents.c.id == broken).values(data='{"kind": "invoice", "li'))
    with caplog.at_level(logging.ERROR, logger="mandat.api"):
        r = lenient.get(f"/v1/documents/{broken}", headers=api.h("operator"))
    assert r.status_code == 500
    assert_internal_problem(r.content, r.headers["content-type"])
    assert [rec.getMessage() for rec in caplog.records if rec.name == "mandat.api"] == [
        f"GET /v1/documents/{broken} failed"
    ]
    ok = lenient.get(f"/v1/documents/{fine}", headers=api.h("operator"))
    assert ok.status_code == 200
    assert ok.json()["number"] == "F-ABJ-000002"
    with api.service.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(documents)).scalar_one() == 2


def test_the_internal_problem_type_is_described(lenient: TestClient) -> None:
    """`/problems/internal` is served like every other type (docs/api.md: `GET /problems/{slug}`)."""
    r = lenient.get("/problems/internal")
    assert r.status_code == 200
    assert {k: r.json()[k] for k in ("type", "title")} == {"type": "/problems/internal", "title": "Internal error"}
