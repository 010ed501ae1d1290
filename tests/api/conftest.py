"""An API over a fresh embedded service, with one key per role and two seller keys."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient

from mandat.api.app import create_app
from mandat.api.auth import create_key
from mandat.api.egress import EgressPolicy
from mandat.service.app import Mandat
from tests.factories import order

SECRET = b"test-secret-key-of-at-least-32-bytes!!"
SELLER_A = "atelier-bois"
SELLER_B = "peintures-lumiere"
# The tests' webhook receivers listen on 127.0.0.1, which only an explicit allow-list opens
# (MANDAT_WEBHOOK_ALLOW_HOSTS in a deployment).
LOCAL_HOOKS = EgressPolicy.parse(["127.0.0.1"])


@dataclass
class Api:
    service: Mandat
    client: TestClient
    keys: dict[str, str]  # operator, auditor, seller_a, seller_b -> token

    def h(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.keys[who]}"}

    def post_event(self, event: dict[str, Any] | list[dict[str, Any]], who: str = "operator") -> Any:
        return self.client.post("/v1/events", content=json.dumps(event), headers=self.h(who) | JSON)

    def drain(self) -> None:
        while self.service.work_once(100) != (0, 0):
            pass

    def issued(self, seller_id: str = SELLER_A, ref: str = "0001", render: bool = True) -> dict[str, Any]:
        """Issue one order through the API; the response's result."""
        r = self.post_event(order(seller_id, ref=ref))
        assert r.status_code == 202, r.text
        result: dict[str, Any] = r.json()
        assert result["status"] == "issued", result
        if render:
            self.drain()
        return result


JSON = {"Content-Type": "application/json"}


@pytest.fixture
def api(service: Mandat) -> Iterator[Api]:
    sellers = {SELLER_A, SELLER_B}
    from mandat.store import repository as repo

    with service.engine.connect() as conn:
        assert sellers <= {s.id for s in repo.list_sellers(conn)}
    keys = {
        "operator": create_key(service, "ops", "operator", None)[1],
        "auditor": create_key(service, "audit", "auditor", None)[1],
        "seller_a": create_key(service, "a", "seller", SELLER_A)[1],
        "seller_b": create_key(service, "b", "seller", SELLER_B)[1],
    }
    app = create_app(service, secret=SECRET, egress=LOCAL_HOOKS)
    with TestClient(app, raise_server_exceptions=True) as client:
        yield Api(service, client, keys)
