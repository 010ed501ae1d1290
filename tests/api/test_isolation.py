"""Who may do what: a seller key never reads or changes another seller's data; no key, a revoked key
or a made-up key gets 401 on every endpoint that needs one."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from tests.api.conftest import JSON, SELLER_A, SELLER_B, Api
from tests.factories import order, seller

# Every authenticated operation, with ids filled in from `ids` (A's or B's document, seller...).
OPERATIONS: list[tuple[str, str, dict[str, Any] | None]] = [
    ("POST", "/v1/events", order(SELLER_A, ref="9001")),
    ("GET", "/v1/events/{event_id}", None),
    ("GET", "/v1/documents", None),
    ("GET", "/v1/documents/{document_id}", None),
    ("GET", "/v1/documents/{document_id}/pdf", None),
    ("GET", "/v1/documents/{document_id}/xml", None),
    ("GET", "/v1/documents/{document_id}/files", None),
    ("GET", "/v1/documents/{document_id}/files/en16931-cii", None),
    ("POST", "/v1/documents/{document_id}/links", {"ttl_seconds": 3600}),
    ("GET", "/v1/series/{seller_id}", None),
    (
        "POST",
        "/v1/sellers",
        json.loads(seller("outillage-pro").model_copy(update={"id": "new-one", "code": "NEW"}).model_dump_json()),
    ),
    ("GET", "/v1/sellers", None),
    ("GET", "/v1/sellers/{seller_id}", None),
    ("PUT", "/v1/sellers/{seller_id}", None),  # body: the seller's identity, filled in below
    ("POST", "/v1/sellers/{seller_id}/mandate", {"version": "MDF-2026-02", "accepted_at": "2026-02-01T10:00:00+01:00"}),
    ("POST", "/v1/webhooks", {"url": "http://127.0.0.1:9/hook", "event_types": ["document.issued"]}),
    ("GET", "/v1/webhooks", None),
    ("GET", "/v1/webhooks/{webhook_id}", None),
    ("PATCH", "/v1/webhooks/{webhook_id}", {"active": False}),
    ("GET", "/v1/webhooks/{webhook_id}/deliveries", None),
    ("POST", "/v1/webhooks/{webhook_id}/deliveries/1/retry", None),
    ("POST", "/v1/keys", {"name": "x", "role": "operator"}),
    ("GET", "/v1/keys", None),
    ("DELETE", "/v1/keys/{key_id}", None),
]
# Operations a seller key may use, on its own seller's data.
SELLER_OPERATIONS = {
    "/v1/documents",
    "/v1/documents/{document_id}",
    "/v1/documents/{document_id}/pdf",
    "/v1/documents/{document_id}/xml",
    "/v1/documents/{document_id}/files",
    "/v1/documents/{document_id}/files/en16931-cii",
    "/v1/documents/{document_id}/links",
    "/v1/series/{seller_id}",
}


@pytest.fixture
def world(api: Api) -> dict[str, dict[str, str]]:
    """Documents of both sellers, a webhook, a spare key: the ids a seller key will try."""
    a = api.issued(SELLER_A, ref="0001")
    b = api.issued(SELLER_B, ref="0002")
    hook = api.client.post(
        "/v1/webhooks",
        json={"url": "http://127.0.0.1:9/", "event_types": ["document.issued"]},
        headers=api.h("operator"),
    ).json()
    spare = api.client.post("/v1/keys", json={"name": "spare", "role": "auditor"}, headers=api.h("operator")).json()
    common = {"webhook_id": hook["id"], "key_id": spare["id"]}
    return {
        "A": {"document_id": a["document_id"], "event_id": a["event_id"], "seller_id": SELLER_A, **common},
        "B": {"document_id": b["document_id"], "event_id": b["event_id"], "seller_id": SELLER_B, **common},
    }


def call(api: Api, method: str, template: str, body: Any, ids: dict[str, str], headers: dict[str, str]) -> Any:
    path = template.format(**ids)
    if template == "/v1/sellers/{seller_id}" and method == "PUT":
        current = json.loads(seller(ids["seller_id"]).model_dump_json())
        body = {
            k: v
            for k, v in current.items()
            if k not in ("id", "code", "mandate", "invoice_series", "credit_note_series")
        }
    content = json.dumps(body) if body is not None else None
    return api.client.request(method, path, content=content, headers=headers | JSON)


def test_every_authenticated_operation_is_covered(api: Api) -> None:
    schema = api.client.get("/openapi.json").json()
    secured = {(m.upper(), p) for p, ops in schema["paths"].items() for m, op in ops.items() if op.get("security")}
    listed = {
        (m, p.replace("/1/", "/{delivery_id}/").replace("/files/en16931-cii", "/files/{format}"))
        for m, p, _ in OPERATIONS
    }
    assert secured == listed


@pytest.mark.parametrize(("method", "template", "body"), OPERATIONS, ids=[f"{m} {p}" for m, p, _ in OPERATIONS])
def test_seller_key_never_reaches_another_sellers_data(
    api: Api, world: dict[str, dict[str, str]], method: str, template: str, body: Any
) -> None:
    own = call(api, method, template, body, world["A"], api.h("seller_a"))
    other = call(api, method, template, body, world["B"], api.h("seller_a"))
    if template not in SELLER_OPERATIONS:
        # Not a seller's operation at all: refused whatever the id, so nothing leaks either way.
        assert own.status_code == other.status_code == 403, (own.text, other.text)
        return
    assert own.status_code in (200, 201), own.text
    if "{" in template:
        # Another seller's id answers exactly like an id that does not exist.
        assert other.status_code == 404, other.text
        ghost = call(api, method, template, body, {k: "nope" for k in world["B"]}, api.h("seller_a"))
        assert ghost.status_code == 404
        assert other.json() == ghost.json()
    # B's own key still gets B's data: the 404 above is about who asks.
    assert call(api, method, template, body, world["B"], api.h("seller_b")).status_code in (200, 201)


def test_document_filters_are_forced_to_the_keys_seller(api: Api, world: dict[str, dict[str, str]]) -> None:
    get = lambda params, who="seller_a": api.client.get("/v1/documents", params=params, headers=api.h(who))  # noqa: E731
    mine = get({})
    assert [d["seller_id"] for d in mine.json()["items"]] == [SELLER_A]
    for forged in ({"seller_id": SELLER_B}, {"number": "F-PLU-000001"}, {"order_id": "CMD-0002"}):
        r = get(forged)
        assert r.status_code == 200
        assert r.json()["items"] == [], forged
    # The operator sees both; filtering by B with A's key still yields nothing of B.
    assert {d["seller_id"] for d in get({}, "operator").json()["items"]} == {SELLER_A, SELLER_B}


def test_pagination_cursors_cannot_be_forged_or_moved(api: Api) -> None:
    for i in range(3):
        api.issued(SELLER_A, ref=f"01{i}", render=False)
        api.issued(SELLER_B, ref=f"02{i}", render=False)
    # An operator's cursor over everything, replayed by a seller key: refused, not widened.
    op_page = api.client.get("/v1/documents", params={"limit": 1}, headers=api.h("operator")).json()
    stolen = op_page["next_cursor"]
    r = api.client.get("/v1/documents", params={"limit": 1, "cursor": stolen}, headers=api.h("seller_a"))
    assert r.status_code == 400
    assert r.json()["type"] == "/problems/invalid-cursor"
    # A's own cursor with a changed position (B's newest document first) fails its signature.
    page = api.client.get("/v1/documents", params={"limit": 1}, headers=api.h("seller_a")).json()
    body, _, mac = page["next_cursor"].partition(".")
    data = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    data["p"] = ["9999-01-01T00:00:00+00:00", "z"]
    forged_body = base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()
    for cursor in (f"{forged_body}.{mac}", "garbage", page["next_cursor"] + "0"):
        r = api.client.get("/v1/documents", params={"limit": 1, "cursor": cursor}, headers=api.h("seller_a"))
        assert r.status_code == 400, cursor
    # A's own cursor with another filter (seller B) is refused too.
    r = api.client.get(
        "/v1/documents",
        params={"limit": 1, "cursor": page["next_cursor"], "kind": "invoice"},
        headers=api.h("seller_a"),
    )
    assert r.status_code == 400
    # Walking A's pages with A's cursors yields A's documents only, each once.
    seen, cursor = [], None
    while True:
        params: dict[str, Any] = {"limit": 1} | ({"cursor": cursor} if cursor else {})
        p = api.client.get("/v1/documents", params=params, headers=api.h("seller_a")).json()
        seen += p["items"]
        cursor = p["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == 3
    assert {d["seller_id"] for d in seen} == {SELLER_A}
    assert len({d["id"] for d in seen}) == 3


def test_buyer_link_of_another_sellers_document_is_not_made(api: Api, world: dict[str, dict[str, str]]) -> None:
    r = api.client.post(f"/v1/documents/{world['B']['document_id']}/links", json={}, headers=api.h("seller_a"))
    assert r.status_code == 404


@pytest.mark.parametrize(("method", "template", "body"), OPERATIONS, ids=[f"{m} {p}" for m, p, _ in OPERATIONS])
@pytest.mark.parametrize("credential", ["missing", "revoked", "made-up", "not-bearer"])
def test_no_valid_key_is_401(
    api: Api, world: dict[str, dict[str, str]], method: str, template: str, body: Any, credential: str
) -> None:
    revoked = api.client.post("/v1/keys", json={"name": "old", "role": "operator"}, headers=api.h("operator")).json()
    assert api.client.delete(f"/v1/keys/{revoked['id']}", headers=api.h("operator")).status_code == 204
    headers = {
        "missing": {},
        "revoked": {"Authorization": f"Bearer {revoked['token']}"},
        "made-up": {"Authorization": f"Bearer mdt_{revoked['id']}_{'x' * 43}"},
        "not-bearer": {"Authorization": f"Basic {revoked['token']}"},
    }[credential]
    r = call(api, method, template, body, world["A"], headers)
    assert r.status_code == 401, r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert r.headers["www-authenticate"].startswith("Bearer")
    assert r.json()["type"] == "/problems/unauthenticated"


def test_auditor_reads_everything_and_changes_nothing(api: Api, world: dict[str, dict[str, str]]) -> None:
    for method, template, body in OPERATIONS:
        r = call(api, method, template, body, world["B"], api.h("auditor"))
        if method == "GET":
            assert r.status_code == 200, (template, r.text)
        else:
            assert r.status_code == 403, (method, template, r.text)
