"""The chains and marks of the national rules, kept by the render step (issue 15): VERI*FACTU records chained
per series, Portugal's signature chain with its ATCUD and QR code, KSeF's KOD I — on both backends, through
the real pipeline (accept, issue, render), read back from the store and the printed PDF.
"""

from __future__ import annotations

import json
import subprocess
from dataclasses import replace
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from lxml import etree

from mandat.demo.markets import es, pl, pt
from mandat.domain.documents import Document
from mandat.render.formats import portugal, verifactu
from mandat.service.app import Mandat
from mandat.service.chains import Links
from mandat.store import repository as repo
from mandat.store.schema import chain_links, documents
from tests.markets import paid, seller_from
from tests.service.test_flow import drain

ES_SHOP = seller_from({**es.SELLERS[0], "verifactu_since": "2026-01-01"})  # Ferretería del Sol, early adopter
PT_SHOP = seller_from(pt.SELLERS[0])  # Casa & Jardim Lisboa: AT codes FT JFJ3KB9M, NC JFJ3KB9N
PT_NO_CODES = seller_from({k: v for k, v in pt.SELLERS[1].items() if k != "atcud_codes"})
PL_SHOP = seller_from(pl.SELLERS[0])
TEST_KEY = Path(__file__).resolve().parents[1] / "fixtures" / "pt-test-key.pem"
SF = "https://www2.agenciatributaria.gob.es/static_files/common/internet/dep/aplicaciones/es/aeat/tike/cont/ws/SuministroInformacion.xsd"
GOODS = {"sku": "SKU-1", "description": "Artículo", "quantity": "3", "unit_price": "12.00", "tax_category": "standard"}


def issue(svc: Mandat, seller: Any, buyer: dict[str, Any], ref: str) -> Document:
    event = paid(seller, buyer, [GOODS], ref=ref)
    svc.accept(json.dumps(event))
    drain(svc)
    with svc.engine.connect() as conn:
        doc_id = conn.execute(sa.select(documents.c.id).where(documents.c.order_id == event["order_id"])).scalar_one()
        doc = repo.get_document(conn, doc_id=doc_id)
    assert doc is not None
    return doc


def file_of(svc: Mandat, doc: Document, fmt: str) -> bytes:
    with svc.engine.connect() as conn:
        files = {f.format: f for f in repo.document_files_of(conn, doc.id)}
    return svc.blobs.get(files[fmt].key)


def pdf_text(svc: Mandat, doc: Document, tmp_path: Path) -> str:
    with svc.engine.connect() as conn:
        row = conn.execute(sa.select(documents.c.pdf_key).where(documents.c.id == doc.id)).one()
    path = tmp_path / f"{doc.id}.pdf"
    path.write_bytes(svc.blobs.get(row.pdf_key))
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def huella(xml: bytes, path: str) -> list[str]:
    return [str(x) for x in etree.fromstring(xml).xpath(path, namespaces={"sf": SF})]


def test_verifactu_records_are_stored_chained_per_series_and_printed(backend: Mandat, tmp_path: Path) -> None:
    backend.save_sellers([ES_SHOP])
    first = issue(backend, ES_SHOP, es.BUSINESSES[0], "vf-1")
    second = issue(backend, ES_SHOP, es.CONSUMERS[0], "vf-2")
    assert first.series == second.series
    assert second.seq == first.seq + 1
    x1, x2 = file_of(backend, first, "verifactu"), file_of(backend, second, "verifactu")
    assert huella(x1, "//sf:Encadenamiento/sf:PrimerRegistro/text()") == ["S"]
    own = huella(x1, "//sf:RegistroAlta/sf:Huella/text()")
    assert huella(x2, "//sf:RegistroAnterior/sf:Huella/text()") == own
    assert huella(x2, "//sf:RegistroAnterior/sf:NumSerieFactura/text()") == [first.number]
    # One installation per series (service/chains.py): its chain is the series'.
    assert huella(x2, "//sf:SistemaInformatico/sf:NumeroInstalacion/text()") == [f"{ES_SHOP.id}/{first.series}"]
    with backend.engine.connect() as conn:
        rows = conn.execute(sa.select(chain_links).order_by(chain_links.c.position)).all()
    assert [(r.chain, r.position) for r in rows] == [(f"verifactu:{ES_SHOP.id}:{first.series}", n) for n in (1, 2)]
    assert json.loads(rows[0].value)["huella"] == own[0]
    text = pdf_text(backend, second, tmp_path)
    assert "QR tributario:" in text
    assert verifactu.LEGEND in text
    assert "VERI*FACTU" not in text.split("QR tributario:")[0]  # no "copy" notice naming the channel above


def test_a_chain_computed_out_of_order_is_the_same_chain(backend: Mandat) -> None:
    """A worker rendering number 2 before number 1 is rendered computes number 1's link on the way: the
    values are the record's, so whoever stores them first stores what the other would have."""
    backend.save_sellers([ES_SHOP])
    first = issue(backend, ES_SHOP, es.BUSINESSES[0], "vf-a")
    second = issue(backend, ES_SHOP, es.BUSINESSES[0], "vf-b")
    with backend.engine.begin() as conn:
        stored = {r.document_id: r.value for r in conn.execute(sa.select(chain_links))}
        conn.execute(sa.delete(chain_links))
    links = Links()
    with backend.engine.connect() as conn:
        chained = backend.chains.chained(conn, second, links)
    assert chained.verifactu is not None
    assert chained.verifactu.number == first.number
    assert {doc_id: value for _, doc_id, _, value in links.new} == stored
    backend.render_documents([second])  # stores both links again, and the same file is accepted
    with backend.engine.connect() as conn:
        assert {r.document_id: r.value for r in conn.execute(sa.select(chain_links))} == stored


def with_portugal(svc: Mandat) -> Mandat:
    svc.settings = replace(svc.settings, pt_signing_key=TEST_KEY, pt_certificate="1234")
    svc.__dict__.pop("chains", None)
    return svc


def test_portugal_signed_chain_atcud_and_qr_code(backend: Mandat, tmp_path: Path) -> None:
    svc = with_portugal(backend)
    svc.save_sellers([PT_SHOP])
    first = issue(svc, PT_SHOP, pt.CONSUMERS[0], "pt-1")
    second = issue(svc, PT_SHOP, pt.CONSUMERS[1], "pt-2")
    with svc.engine.connect() as conn:
        links = {
            r.document_id: json.loads(r.value)
            for r in conn.execute(sa.select(chain_links).where(chain_links.c.chain.like("pt:%")))
        }
    one, two = links[first.id], links[second.id]
    assert (one["atcud"], two["atcud"]) == (f"JFJ3KB9M-{first.seq}", f"JFJ3KB9M-{second.seq}")
    public = portugal.SigningKey.from_path(TEST_KEY).public_pem()
    message = portugal.signature_message(second, one["signature"])  # the second signs over the first
    assert portugal.verify(message, two["signature"], public)
    text = pdf_text(svc, second, tmp_path)
    assert f"ATCUD:JFJ3KB9M-{second.seq}" in text
    assert f"{portugal.hash_chars(two['signature'])}-Processado por programa certificado" in text


def test_portugal_series_without_its_at_code_fails_the_render_visibly(backend: Mandat) -> None:
    svc = with_portugal(backend)
    svc.save_sellers([PT_NO_CODES])
    doc = issue(svc, PT_NO_CODES, pt.CONSUMERS[0], "pt-x")
    with svc.engine.connect() as conn:
        status = conn.execute(sa.select(documents.c.render_status).where(documents.c.id == doc.id)).scalar_one()
        error = repo.render_failures(conn)[doc.id]
    assert status == "failed"
    assert "pt_atcud_code_missing" in error


def test_without_a_certified_deployment_the_portuguese_pdf_stays_a_copy(backend: Mandat, tmp_path: Path) -> None:
    backend.save_sellers([PT_SHOP])
    doc = issue(backend, PT_SHOP, pt.CONSUMERS[0], "pt-copy")
    text = pdf_text(backend, doc, tmp_path)
    assert "ATCUD" not in text.replace("(ATCUD, SAF-T)", "")  # only the channel's name, in the copy notice
    with backend.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(chain_links)).scalar_one() == 0


def test_ksef_copy_prints_kod_i_offline(backend: Mandat, tmp_path: Path) -> None:
    backend.save_sellers([PL_SHOP])
    doc = issue(backend, PL_SHOP, pl.BUSINESSES[0], "pl-1")
    assert "ksef-fa3" in doc.formats
    text = pdf_text(backend, doc, tmp_path)
    assert "OFFLINE" in text
