"""The API and the webhook dispatcher on PostgreSQL (per-test schema)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from mandat.api.app import create_app
from mandat.api.auth import create_key
from mandat.api.webhooks import Dispatcher
from mandat.demo.sellers import demo_sellers
from mandat.service.app import Mandat
from mandat.service.config import Settings
from mandat.store import api_repository as arepo
from tests.api.conftest import JSON, LOCAL_HOOKS, SECRET, SELLER_A, SELLER_B
from tests.factories import order
from tests.store.test_postgres import pg  # noqa: F401  (fixture)

pytestmark = pytest.mark.postgres


def test_events_documents_and_webhook_queue_on_postgres(pg: Engine, tmp_path: Path) -> None:  # noqa: F811
    service = Mandat(Settings.from_env(tmp_path), engine=pg)
    service.save_sellers(demo_sellers())
    op = {"Authorization": f"Bearer {create_key(service, 'ops', 'operator', None)[1]}"}
    seller_a = {"Authorization": f"Bearer {create_key(service, 'a', 'seller', SELLER_A)[1]}"}
    client = TestClient(create_app(service, secret=SECRET, egress=LOCAL_HOOKS))
    hook = client.post(
        "/v1/webhooks", json={"url": "http://127.0.0.1:9/", "event_types": ["document.issued"]}, headers=op
    )
    batch = [order(SELLER_A, ref=f"00{i}") for i in range(3)] + [order(SELLER_B, ref="0100")]
    r = client.post("/v1/events", content=json.dumps(batch), headers=op | JSON)
    assert [x["status"] for x in r.json()] == ["issued"] * 4
    assert client.post("/v1/events", content=json.dumps(batch[0]), headers=op | JSON).json()["status"] == "issued"
    while service.work_once(50) != (0, 0):
        pass
    seen, cursor = [], None
    while True:
        params = {"limit": 2} | ({"cursor": cursor} if cursor else {})
        page = client.get("/v1/documents", params=params, headers=seller_a).json()
        seen += [d["number"] for d in page["items"]]
        if not (cursor := page["next_cursor"]):
            break
    assert seen == ["F-ABJ-000003", "F-ABJ-000002", "F-ABJ-000001"]
    dispatcher = Dispatcher(service, backoff_base=3600, policy=LOCAL_HOOKS)
    assert dispatcher.enqueue_new() == 4
    assert dispatcher.enqueue_new() == 0
    assert dispatcher.send_due() == 4  # refused connections, retried later
    assert dispatcher.send_due() == 0
    with pg.connect() as conn:
        queued = arepo.list_deliveries(conn, hook.json()["id"], "pending", None, 10)
    assert [d.attempts for d in queued] == [1, 1, 1, 1]
    dispatcher.close()


@pytest.mark.parametrize("delivery_id", [2**31 - 1, 2**31, 2**62, 2**63, 10**30, 0, -1])
def test_out_of_range_ids_are_not_a_server_error_on_postgres(
    pg: Engine,  # noqa: F811
    tmp_path: Path,
    delivery_id: int,
) -> None:
    """Issue 11: a delivery id above the 32-bit column answered 500 (NumericValueOutOfRange)."""
    service = Mandat(Settings.from_env(tmp_path), engine=pg)
    op = {"Authorization": f"Bearer {create_key(service, 'ops', 'operator', None)[1]}"}
    client = TestClient(create_app(service, secret=SECRET, egress=LOCAL_HOOKS), raise_server_exceptions=False)
    hook = client.post(
        "/v1/webhooks", json={"url": "http://127.0.0.1:9/", "event_types": ["document.issued"]}, headers=op
    ).json()
    r = client.post(f"/v1/webhooks/{hook['id']}/deliveries/{delivery_id}/retry", headers=op)
    assert r.status_code == (404 if 1 <= delivery_id < 2**31 else 422), r.text
    assert r.headers["content-type"] == "application/problem+json"
    r = client.get("/v1/documents", params={"issued_from": "1900-01-01", "issued_to": "9998-12-31"}, headers=op)
    assert r.status_code == 200
