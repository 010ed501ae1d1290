"""Documents: filters, pagination, files, buyer links."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa

from mandat.api.security import Signer
from mandat.store.schema import documents
from tests.api.conftest import SECRET, SELLER_A, SELLER_B, Api


def test_filters_and_pages(api: Api) -> None:
    ids = [api.issued(SELLER_A, ref=f"00{i}", render=False)["document_id"] for i in range(5)]
    api.issued(SELLER_B, ref="0100", render=False)
    h = api.h("operator")
    get = lambda **params: api.client.get("/v1/documents", params=params, headers=h).json()  # noqa: E731
    assert len(get()["items"]) == 6
    assert [d["id"] for d in get(seller_id=SELLER_A)["items"]] == ids[::-1]  # newest first
    assert [d["order_id"] for d in get(order_id="CMD-002")["items"]] == ["CMD-002"]
    assert [d["number"] for d in get(number="F-ABJ-000003")["items"]] == ["F-ABJ-000003"]
    assert get(kind="credit_note")["items"] == []
    today = date.fromisoformat(get()["items"][0]["issue_date"])
    assert len(get(issued_from=today.isoformat(), issued_to=today.isoformat())["items"]) == 6
    assert get(issued_from=(today + timedelta(days=1)).isoformat())["items"] == []
    assert get(issued_to=(today - timedelta(days=1)).isoformat())["items"] == []
    bad = api.client.get("/v1/documents", params={"issued_from": "2026-02-02", "issued_to": "2026-02-01"}, headers=h)
    assert bad.status_code == 422
    pages, cursor = [], None
    while True:
        page = get(seller_id=SELLER_A, limit=2, **({"cursor": cursor} if cursor else {}))
        pages.append([d["id"] for d in page["items"]])
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert pages == [ids[4:2:-1], ids[2:0:-1], ids[0:1]]


@pytest.mark.parametrize(
    "params",
    [
        {"issued_to": "9999-12-31"},
        {"issued_from": "9999-12-31"},
        {"issued_from": "0001-01-01"},
        {"issued_to": "0001-01-01"},
        {"issued_from": "0001-01-01", "issued_to": "9999-12-31"},
        {"issued_from": "2026-02-30"},
        {"issued_to": "+10000-01-01"},
        {"limit": 10**30},
        {"limit": -1},
        {"limit": 0},
        {"limit": 101},
    ],
)
def test_out_of_range_list_parameters_are_a_422_problem(api: Api, params: dict[str, Any]) -> None:
    """Issue 11: `issued_to=9999-12-31` answered 500 (the day after it does not exist)."""
    r = api.client.get("/v1/documents", params=params, headers=api.h("operator"))
    assert r.status_code == 422, r.text
    assert r.headers["content-type"] == "application/problem+json"
    problem = r.json()
    assert problem["type"] == "/problems/validation"
    assert {e["parameter"] for e in problem["errors"]} == set(params)


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/v1/sellers", {"limit": 10**30}),
        ("/v1/sellers", {"limit": -1}),
        ("/v1/webhooks/w/deliveries", {"limit": 10**30}),
        ("/v1/webhooks/w/deliveries", {"limit": -1}),
        ("/v1/series/atelier-bois", {"files": "maybe"}),
        ("/v1/shared/documents/d/pdf", {"expires": 10**30, "sig": "0" * 64}),
        ("/v1/shared/documents/d/pdf", {"expires": -1, "sig": "0" * 64}),
    ],
)
def test_out_of_range_parameters_of_other_routes_are_a_422_problem(api: Api, path: str, params: dict[str, Any]) -> None:
    r = api.client.get(path, params=params, headers=api.h("operator"))
    assert r.status_code == 422, r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert {e["parameter"] for e in r.json()["errors"]} <= set(params) | {"sig"}


def test_extreme_but_valid_issue_dates_answer(api: Api) -> None:
    api.issued(SELLER_A, render=False)
    get = lambda **params: api.client.get("/v1/documents", params=params, headers=api.h("operator"))  # noqa: E731
    assert len(get(issued_from="1900-01-01", issued_to="9998-12-31").json()["items"]) == 1
    assert get(issued_from="9998-12-31").json()["items"] == []
    assert get(issued_to="1900-01-01").json()["items"] == []
    r = get(issued_from="2026-02-02", issued_to="2026-02-01")
    assert r.status_code == 422
    assert {e["parameter"] for e in r.json()["errors"]} == {"issued_from", "issued_to"}


def test_issue_date_filter_is_the_paris_day_on_every_backend(api: Api) -> None:
    """A document issued at 23:30 UTC on 15 January was issued on 16 January in Paris (UTC+1): the
    filter for the 15th must not list it, the one for the 16th must. (SQLite drops the offset of a
    bound parameter, so a Paris-midnight bound was compared as if it were UTC.)"""
    doc_id = api.issued(SELLER_A, render=False)["document_id"]
    with api.service.engine.begin() as conn:
        conn.execute(
            documents.update()
            .where(documents.c.id == doc_id)
            .values(issued_at=datetime(2026, 1, 15, 23, 30, tzinfo=UTC))
        )
        assert conn.execute(sa.select(sa.func.count()).select_from(documents)).scalar_one() == 1
    get = lambda day: api.client.get(  # noqa: E731
        "/v1/documents", params={"issued_from": day, "issued_to": day}, headers=api.h("operator")
    ).json()["items"]
    assert get("2026-01-15") == []
    assert [d["id"] for d in get("2026-01-16")] == [doc_id]


def test_record_files_and_not_yet_rendered(api: Api) -> None:
    doc_id = api.issued(SELLER_A, render=False)["document_id"]
    h = api.h("seller_a")
    r = api.client.get(f"/v1/documents/{doc_id}/pdf", headers=h)
    assert r.status_code == 409
    assert r.headers["retry-after"]
    api.drain()
    doc = api.client.get(f"/v1/documents/{doc_id}", headers=h).json()
    assert doc["record"]["number"] == doc["number"] == "F-ABJ-000001"
    assert doc["record"]["hash"] == doc["hash"]
    pdf = api.client.get(doc["links"]["pdf"], headers=h)
    assert pdf.content.startswith(b"%PDF-")
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.headers["etag"] == f'"{doc["pdf_sha256"]}"'
    xml = api.client.get(doc["links"]["xml"], headers=h)
    assert xml.content.startswith(b"<?xml")


def test_buyer_link_opens_one_pdf_until_it_expires(api: Api) -> None:
    a = api.issued(SELLER_A)["document_id"]
    b = api.issued(SELLER_B, ref="0002")["document_id"]
    link = api.client.post(f"/v1/documents/{a}/links", json={"ttl_seconds": 60}, headers=api.h("seller_a")).json()
    url = urlsplit(link["url"])
    assert url.path == f"/v1/shared/documents/{a}/pdf"
    r = api.client.get(f"{url.path}?{url.query}")  # no API key
    assert r.status_code == 200
    assert r.content.startswith(b"%PDF-")
    q = {k: v[0] for k, v in parse_qs(url.query).items()}
    # The same signature does not open another document, nor a later expiry, nor a tampered one.
    assert api.client.get(f"/v1/shared/documents/{b}/pdf", params=q).status_code == 403
    assert api.client.get(url.path, params={**q, "expires": int(q["expires"]) + 3600}).status_code == 403
    assert api.client.get(url.path, params={**q, "sig": "0" * 64}).status_code == 403
    # An expired link, correctly signed, is gone.
    past = int(time.time()) - 1
    sig = Signer(SECRET).mac("buyer-link", f"pdf:{a}:{past}")
    r = api.client.get(url.path, params={"expires": past, "sig": sig})
    assert r.status_code == 410
    assert r.json()["type"] == "/problems/link-expired"
    # The authenticated PDF route does not accept a link signature instead of a key.
    assert api.client.get(f"/v1/documents/{a}/pdf", params=q).status_code == 401


def test_series_audit_per_seller(api: Api) -> None:
    for i in range(3):
        api.issued(SELLER_A, ref=f"00{i}")
    r = api.client.get(f"/v1/series/{SELLER_A}", params={"files": True}, headers=api.h("operator")).json()
    assert r["ok"] is True
    assert r["documents"] == 3
    assert r["files_checked"] == 6
    assert [(s["first"], s["last"], s["count"]) for s in r["series"]] == [("F-ABJ-000001", "F-ABJ-000003", 3)]
    assert api.client.get("/v1/series/ghost", headers=api.h("operator")).status_code == 404


def test_file_recheck_of_a_series_is_not_open_to_seller_keys(api: Api) -> None:
    """Issue 11: `files=true` re-reads every PDF and XML of the series; a seller key could make the
    server do it in a loop. Sellers keep the database checks; operators and auditors the files too."""
    api.issued(SELLER_A)
    r = api.client.get(f"/v1/series/{SELLER_A}", params={"files": True}, headers=api.h("seller_a"))
    assert r.status_code == 403, r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["type"] == "/problems/forbidden"
    assert r.json()["errors"] == [{"detail": "not allowed for a seller key", "parameter": "files"}]
    # Another seller's series stays a 404, files or not: the 403 says nothing about it.
    other = api.client.get(f"/v1/series/{SELLER_B}", params={"files": True}, headers=api.h("seller_a"))
    assert other.status_code == 404
    own = api.client.get(f"/v1/series/{SELLER_A}", headers=api.h("seller_a")).json()
    assert (own["ok"], own["documents"], own["files_checked"]) == (True, 1, 0)
    for who in ("operator", "auditor"):
        r = api.client.get(f"/v1/series/{SELLER_A}", params={"files": True}, headers=api.h(who))
        assert (r.status_code, r.json()["files_checked"]) == (200, 2)
