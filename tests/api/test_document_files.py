"""GET /v1/documents/{id}/files and /files/{format}: the structured files stored with the PDF (issue 15),
under the same authorisation as the PDF: a seller reads only its own documents' files."""

from __future__ import annotations

import hashlib
import json

from mandat.api.auth import create_key
from mandat.demo.markets import it
from mandat.render import formats
from mandat.store import repository as repo
from tests.api.conftest import Api
from tests.markets import paid, seller_from

IT_SHOP = seller_from(it.SELLERS[0])  # Brico Navigli S.r.l.: FatturaPA through the SdI


def test_a_seller_reads_its_national_file_and_no_one_elses(api: Api) -> None:
    api.service.save_sellers([IT_SHOP])
    token = create_key(api.service, "it", "seller", IT_SHOP.id)[1]
    mine = {"Authorization": f"Bearer {token}"}
    event = paid(IT_SHOP, it.CONSUMERS[0], [{"sku": "S", "description": "Articolo", "quantity": "1",
                                              "unit_price": "10.00", "tax_category": "standard"}])  # fmt: skip
    r = api.post_event(event)
    assert r.status_code == 202, r.text
    doc_id = r.json()["document_id"]
    assert api.client.get(f"/v1/documents/{doc_id}/files/fatturapa-fpr12", headers=mine).status_code == 409
    api.drain()

    listed = api.client.get(f"/v1/documents/{doc_id}/files", headers=mine)
    assert listed.status_code == 200, listed.text
    items = {i["format"]: i for i in listed.json()["items"]}
    assert sorted(items) == ["en16931-cii", "fatturapa-fpr12"]
    assert items["fatturapa-fpr12"]["href"] == f"/v1/documents/{doc_id}/files/fatturapa-fpr12"
    assert items["fatturapa-fpr12"]["schematron"] is True

    got = api.client.get(items["fatturapa-fpr12"]["href"], headers=mine)
    assert got.status_code == 200
    assert got.headers["content-type"] == "application/xml"
    with api.service.engine.connect() as conn:
        doc = repo.get_document(conn, doc_id=doc_id)
    assert doc is not None
    assert got.content == formats.build("fatturapa-fpr12", doc)
    assert (
        got.headers["etag"]
        == f'"{hashlib.sha256(got.content).hexdigest()}"'
        == f'"{items["fatturapa-fpr12"]["sha256"]}"'
    )
    assert api.client.get(f"/v1/documents/{doc_id}/files/en16931-cii", headers=mine).content == formats.build(
        "en16931-cii", doc
    )
    # Another seller: the document does not exist for it, nor do its files (as for the PDF).
    for path in (f"/v1/documents/{doc_id}/files", f"/v1/documents/{doc_id}/files/fatturapa-fpr12"):
        assert api.client.get(path, headers=api.h("seller_b")).status_code == 404
    assert api.client.get(f"/v1/documents/{doc_id}/files/ksef-fa3", headers=mine).status_code == 404
    assert api.client.get(f"/v1/documents/{doc_id}/files/fatturapa-fpr12", headers=api.h("operator")).status_code == 200
    assert json.loads(api.client.get(f"/v1/documents/{doc_id}/files/NOPE", headers=mine).text)["status"] == 422
