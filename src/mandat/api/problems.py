"""RFC 9457 problem details for every error the API returns, validation errors with JSON pointers."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

log = logging.getLogger("mandat.api")

PROBLEM_JSON = "application/problem+json"

# slug -> (title, description). The `type` of a problem is `/problems/<slug>`, served by the API itself.
PROBLEM_TYPES: dict[str, tuple[str, str]] = {
    "validation": ("Invalid request", "Parameters or body do not match the schema; see `errors`."),
    "malformed-json": ("Body is not JSON", "The body could not be parsed as UTF-8 JSON."),
    "not-an-event": ("Not an event", "The body is neither an event object nor an array of event objects."),
    "unknown-seller": ("Unknown seller", "The event names a seller that is not in the registry."),
    "body-too-large": ("Body too large", "The body exceeds the size limit, or the batch the count limit."),
    "unsupported-media-type": ("Unsupported media type", "Send `Content-Type: application/json`."),
    "unauthenticated": ("Unauthenticated", "No API key, an unknown key or a revoked key."),
    "forbidden": ("Forbidden", "The key's role does not allow this operation."),
    "not-found": ("Not found", "No such resource, or not visible to this key."),
    "conflict": ("Conflict", "The resource exists already, or its state does not allow this."),
    "not-rendered": ("Not rendered yet", "The document exists but its files are not stored yet; retry later."),
    "invalid-cursor": ("Invalid cursor", "The cursor was not issued by this server for this query."),
    "invalid-link": ("Invalid link", "The signature of this link does not verify."),
    "link-expired": ("Link expired", "This link has expired; ask for a new one."),
    "internal": ("Internal error", "Something failed on the server; the error was logged."),
}


class ProblemError(BaseModel):
    detail: str
    pointer: str | None = None  # JSON pointer into the body, "" for the body as a whole
    parameter: str | None = None  # query or path parameter
    header: str | None = None


class Problem(BaseModel):
    type: str
    title: str
    status: int
    detail: str | None = None
    errors: list[ProblemError] | None = None


class ApiError(Exception):
    def __init__(
        self,
        status: int,
        slug: str,
        detail: str | None = None,
        *,
        errors: Sequence[ProblemError] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail or slug)
        self.status = status
        self.slug = slug
        self.detail = detail
        self.errors = list(errors) if errors is not None else None
        self.headers = headers


def problem(
    status: int,
    slug: str | None,
    detail: str | None = None,
    errors: Sequence[ProblemError] | None = None,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    if slug is not None:
        title = PROBLEM_TYPES[slug][0]
        type_ = f"/problems/{slug}"
    else:
        title = HTTPStatus(status).phrase
        type_ = "about:blank"
    body = Problem(type=type_, title=title, status=status, detail=detail, errors=list(errors) if errors else None)
    return JSONResponse(
        body.model_dump(exclude_none=True),
        status_code=status,
        media_type=PROBLEM_JSON,
        headers=dict(headers) if headers else None,
    )


def pointer(loc: Iterable[int | str]) -> str:
    """RFC 6901 JSON pointer of a location."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in loc)


_NO_BODY = object()


def _resolve(node: Any, loc: Sequence[int | str]) -> list[int | str] | None:
    """The part of a pydantic location that names places in the body, or None if it does not fit.

    Pydantic puts the branch of a union in the location: the tag of a discriminated union
    (`/refund/lines/lines/0` for `{"refund": {"kind": "lines", "lines": [...]}}`) or the name of the
    member type (`FullRefund`, `str`, `function-after[...]`). A pointer must name the body as sent,
    so those are dropped; where a token could be both (a tag equal to a member's name), the
    reading under which the rest of the location fits wins, the tag first.
    """
    if not loc:
        return []
    token, rest = loc[0], loc[1:]
    if isinstance(node, dict) and isinstance(token, str):
        candidates: list[list[int | str] | None] = []
        if rest and any(v == token for k, v in node.items() if k != token and isinstance(v, str)):
            candidates.append(_resolve(node, rest))  # a discriminator's value
        if token in node:
            tail = _resolve(node[token], rest)
            candidates.append(None if tail is None else [token, *tail])
        elif not rest:
            candidates.append([token])  # a required member that is missing
        else:
            candidates.append(_resolve(node, rest))  # a union member's type name
        return next((c for c in candidates if c is not None), None)
    if isinstance(node, list) and isinstance(token, int) and not isinstance(token, bool):
        if 0 <= token < len(node):
            tail = _resolve(node[token], rest)
            return None if tail is None else [token, *tail]
        return None
    if not isinstance(token, str):
        return None  # an index into something that is not a list: this reading does not fit
    # A union branch name below a scalar (`str`, `decimal`, `function-after[...]`).
    return _resolve(node, rest) if rest else []


def body_location(body: Any, loc: Sequence[int | str]) -> list[int | str]:
    """A pydantic location as a path into the body (union branch names removed), else unchanged."""
    if body is _NO_BODY:
        return list(loc)
    found = _resolve(body, loc)
    return list(loc) if found is None else found


def errors_from(errs: Iterable[Any], prefix: Sequence[int | str] = (), body: Any = _NO_BODY) -> list[ProblemError]:
    """Pydantic/FastAPI error dicts to problem errors; values are never echoed back. With `body`
    (the parsed JSON the errors are about), pointers are made to name places in it."""
    out: list[ProblemError] = []
    for err in errs:
        loc = list(err.get("loc", ()))
        msg = str(err.get("msg", "invalid"))
        where = loc[0] if loc else None
        if where == "body":
            out.append(ProblemError(detail=msg, pointer=pointer([*prefix, *body_location(body, loc[1:])])))
        elif where in ("query", "path") and len(loc) > 1:
            out.append(ProblemError(detail=msg, parameter=str(loc[1])))
        elif where == "header" and len(loc) > 1:
            out.append(ProblemError(detail=msg, header=str(loc[1])))
        else:
            out.append(ProblemError(detail=msg, pointer=pointer([*prefix, *body_location(body, loc)])))
    return out


def validation_error(exc: ValidationError, prefix: Sequence[int | str] = ()) -> ApiError:
    """A pydantic error on a body validated by hand (events, sellers), with pointers into the body."""
    errors = errors_from(exc.errors(include_url=False, include_input=False), prefix)
    return ApiError(422, "validation", f"{len(errors)} error(s) in the body", errors=errors[:50])


# Refusals of a body as a whole: the pointer "" says so, so that every refusal of a request body
# names where the problem is, like a schema error does.
_WHOLE_BODY = {"malformed-json", "not-an-event", "body-too-large"}


def where_errors(slug: str | None, detail: str | None, errors: Sequence[ProblemError] | None) -> list[ProblemError]:
    """The errors of a problem, with the location a body-level refusal leaves implicit."""
    if errors:
        return list(errors)
    text = detail or (PROBLEM_TYPES[slug][1] if slug in PROBLEM_TYPES else "invalid")
    if slug in _WHOLE_BODY:
        return [ProblemError(detail=text, pointer="")]
    if slug == "unsupported-media-type":
        return [ProblemError(detail=text, header="Content-Type")]
    return []


def install(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(_: Request, exc: ApiError) -> JSONResponse:
        return problem(exc.status, exc.slug, exc.detail, where_errors(exc.slug, exc.detail, exc.errors), exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = errors_from(exc.errors(), body=exc.body if isinstance(exc.body, dict | list) else _NO_BODY)
        body_json_error = any(e.get("type") == "json_invalid" for e in exc.errors())
        if body_json_error:
            detail = "the body is not valid JSON"
            return problem(400, "malformed-json", detail, where_errors("malformed-json", detail, None))
        return problem(422, "validation", f"{len(errors)} error(s) in the request", errors[:50])

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        detail = (
            exc.detail if isinstance(exc.detail, str) and exc.detail != HTTPStatus(exc.status_code).phrase else None
        )
        # FastAPI's own 400 is a body it could not parse as JSON.
        slug = {400: "malformed-json", 404: "not-found", 413: "body-too-large"}.get(exc.status_code)
        return problem(exc.status_code, slug, detail, where_errors(slug, detail, None), headers=exc.headers)

    @app.exception_handler(Exception)
    async def _internal(request: Request, exc: Exception) -> JSONResponse:
        log.exception("%s %s failed", request.method, request.url.path, exc_info=exc)
        return problem(500, "internal")


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The `responses=` of a route: each status answered with a problem document."""
    return {
        s: {
            "description": HTTPStatus(s).phrase,
            "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
        for s in statuses
    }
