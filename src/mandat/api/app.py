"""The FastAPI application factory: `create_app(service)`."""

from __future__ import annotations

import os
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mandat import __version__
from mandat.api import problems
from mandat.api.egress import EgressPolicy
from mandat.api.problems import PROBLEM_JSON, PROBLEM_TYPES, Problem, problem, where_errors
from mandat.api.routes import documents, keys, sellers, series, webhooks
from mandat.api.routes.events import event_routes
from mandat.api.security import Signer, load_server_secret
from mandat.api.state import ApiState
from mandat.domain.events import EVENT_TYPES
from mandat.service.app import Mandat

MAX_BODY = 1 << 20  # 1 MiB: a 500-line order is about 150 KiB
MAX_BATCH = 100
SYNC_WAIT = 2.0  # seconds; a worker issues an event in milliseconds, a claimed batch of 50 in well under this


class BodyTooLarge(HTTPException):
    def __init__(self, limit: int) -> None:
        super().__init__(413, f"the body exceeds {limit} bytes")


class BodyLimit:
    """Refuse bodies over the limit before they are read whole: by Content-Length up front, and by
    counting for chunked bodies (raised inside the route's body read, answered 413)."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = dict(scope.get("headers") or []).get(b"content-length")
        if length is not None and length.isdigit() and int(length) > self.limit:
            detail = f"the body exceeds {self.limit} bytes"
            response = problem(413, "body-too-large", detail, where_errors("body-too-large", detail, None))
            await response(scope, receive, send)
            return
        seen = 0

        async def limited() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise BodyTooLarge(self.limit)
            return message

        await self.app(scope, limited, send)


def create_app(
    service: Mandat,
    *,
    secret: bytes | None = None,
    public_url: str | None = None,
    max_body: int = MAX_BODY,
    max_batch: int = MAX_BATCH,
    egress: EgressPolicy | None = None,
    sync_wait: float = SYNC_WAIT,
) -> FastAPI:
    """The API over one service. `secret` signs cursors and buyer links (default: MANDAT_SECRET_KEY or
    the key file under MANDAT_HOME); `public_url` is the base of buyer links (default MANDAT_PUBLIC_URL,
    else the URL the request came to); `egress` says where webhook URLs may point (default: public
    HTTPS addresses plus MANDAT_WEBHOOK_ALLOW_HOSTS); `sync_wait` is how long `POST /v1/events` waits
    for an event that another worker is issuing before it answers without the outcome."""
    app = FastAPI(
        title="mandat",
        version=__version__,
        summary="Invoices and credit notes issued by a marketplace on behalf of its sellers",
        docs_url="/docs",
        redoc_url=None,
        openapi_url="/openapi.json",
    )
    app.state.mandat = ApiState(
        service=service,
        signer=Signer(secret or load_server_secret(service.settings.home)),
        public_url=public_url or os.environ.get("MANDAT_PUBLIC_URL") or None,
        max_body=max_body,
        max_batch=max_batch,
        egress=egress or EgressPolicy.from_env(),
        sync_wait=sync_wait,
    )
    problems.install(app)
    app.add_middleware(BodyLimit, limit=max_body)
    app.include_router(event_routes(max_batch))
    for module in (documents, sellers, series, webhooks, keys):
        app.include_router(module.router)

    @app.get("/health", tags=["meta"], summary="Liveness: the process answers and the database is reachable")
    def health(request: Request) -> dict[str, str]:
        state: ApiState = request.app.state.mandat
        with state.service.reader.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
        return {"status": "ok"}

    @app.get("/problems/{slug}", include_in_schema=False)
    def problem_type(slug: str) -> JSONResponse:
        if slug not in PROBLEM_TYPES:
            return problem(404, "not-found", "no such problem type")
        title, description = PROBLEM_TYPES[slug]
        return JSONResponse({"type": f"/problems/{slug}", "title": title, "description": description})

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = _openapi(app)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app


def _openapi(app: FastAPI) -> dict[str, Any]:
    schema = get_openapi(
        title=app.title, version=app.version, summary=app.summary, routes=app.routes, description=_DESCRIPTION
    )
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components["Problem"] = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    problem_error = components["Problem"].pop("$defs", {})
    components.update(problem_error)
    # The event models are validated by hand (the raw text is kept), so FastAPI does not see them.
    for model in EVENT_TYPES.values():
        js = model.model_json_schema(ref_template="#/components/schemas/event.{model}")
        for name, sub in js.pop("$defs", {}).items():
            components[f"event.{name}"] = sub
        components[f"event.{model.__name__}"] = js
    # Every error answer is a problem document, including the validation errors FastAPI would describe.
    for path in schema.get("paths", {}).values():
        for op in path.values():
            if "requestBody" in op:
                # Answered before the route runs: a body that is not JSON, or too large.
                for status in ("400", "413"):
                    op["responses"].setdefault(status, {"description": HTTPStatus(int(status)).phrase})
            for status, response in op.get("responses", {}).items():
                if str(status).startswith(("4", "5")):
                    response["content"] = {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}
    for unused in ("HTTPValidationError", "ValidationError"):
        components.pop(unused, None)
    return schema


_DESCRIPTION = """\
Push sale events, pull documents, manage sellers, keys and webhooks.

Authenticate with `Authorization: Bearer mdt_...` (an API key; roles `operator`, `auditor`, `seller`).
Errors are RFC 9457 problem documents (`application/problem+json`). See docs/api.md.
"""
