"""Property-based run of the API against its own OpenAPI schema (schemathesis, in-process ASGI).

Bounded: a few examples per operation, no deadline. Every answer must be documented (status code,
content type, body schema, headers), no answer may be a server error, and every operation but the
public ones must refuse a request without a valid key. Valid events are generated from the event
schema too (unknown sellers, rules refusals): they must be answered, never crash.

Not checked: `positive_data_acceptance`, because the schema cannot express every rule (decimals
per field, SIREN keys, an existing seller), so schema-valid data is sometimes, rightly, a 422.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    ignored_auth,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from mandat.api.app import create_app
from mandat.api.auth import create_key
from mandat.api.egress import EgressPolicy
from mandat.demo.sellers import demo_sellers
from mandat.service.app import Mandat
from mandat.service.config import Settings
from tests.api.conftest import SECRET

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
    ignored_auth,
]


def _app_on_a_fresh_home() -> tuple[Mandat, str, FastAPI]:
    # Built at import: schemathesis makes one test per operation at collection time. (Its lazy
    # fixture loader does not run under this pytest version.)
    home = Path(tempfile.mkdtemp(prefix="mandat-schemathesis-"))
    service = Mandat(Settings.from_env(home / "data"))
    service.migrate()
    service.save_sellers(demo_sellers())
    token = create_key(service, "schemathesis", "operator", None)[1]
    # Webhook URLs are looked up in a table, never on the network: every name is a public address.
    egress = EgressPolicy.parse([], resolver=lambda host, port: ["93.184.215.14"])
    return service, token, create_app(service, secret=SECRET, egress=egress)


SERVICE, TOKEN, APP = _app_on_a_fresh_home()
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)


@pytest.fixture(scope="module", autouse=True)
def _cleanup() -> Iterator[None]:
    yield
    SERVICE.engine.dispose()
    shutil.rmtree(SERVICE.settings.home.parent, ignore_errors=True)


@schema.parametrize()
@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_api_conforms_to_its_schema(case: schemathesis.Case) -> None:
    case.call_and_validate(headers={"Authorization": f"Bearer {TOKEN}"}, checks=CHECKS)
