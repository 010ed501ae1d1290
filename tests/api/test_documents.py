"""Documents: filters, pagination, files, buyer links."""

from __future__ import annotations

import time
from datetime import date, timedelta
from urllib.parse import parse_qs, urlsplit

from mandat.api.security import Signer
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
    r = api.client.get(f"/v1/series/{SELLER_A}", params={"files": True}, headers=api.h("seller_a")).json()
    assert r["ok"] is True
    assert r["documents"] == 3
    assert r["files_checked"] == 6
    assert [(s["first"], s["last"], s["count"]) for s in r["series"]] == [("F-ABJ-000001", "F-ABJ-000003", 3)]
    assert api.client.get("/v1/series/ghost", headers=api.h("operator")).status_code == 404
