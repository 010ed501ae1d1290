"""The render step stores every structured file a document is due in, validated first (issue 15, points 1
and 3): the EN 16931 CII for everyone, and the legal channel's e-invoice beside it — FatturaPA for the SdI
(Italian sellers), KSeF FA(3) (Polish B2B), Peppol BIS 3.0 (Belgian B2B). A file that fails its rules is
never stored: the render fails at once with the format and the rule ids, for an operator to see.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from mandat.demo.markets import be, it, pl
from mandat.domain.parties import Seller
from mandat.render import formats
from mandat.render.validate import sampled as _sampled
from mandat.service.app import Mandat
from mandat.service.config import Settings
from mandat.store import repository as repo
from mandat.store.schema import chain_links, document_files, documents, outbox
from tests.markets import paid, seller_from
from tests.service.test_flow import drain

IT_SHOP = seller_from(it.SELLERS[0])  # Brico Navigli S.r.l., Milano: FatturaPA through the SdI
PL_SHOP = seller_from(pl.SELLERS[0])  # Majsterkowo Sp. z o.o.: KSeF FA(3) for B2B
BE_SHOP = seller_from(be.SELLERS[0])  # Klushuis Leie BV, Gent: Peppol BIS 3.0 between Belgian businesses


def line(description: str) -> dict[str, Any]:
    return {"sku": "SKU-1", "description": description, "quantity": "3", "unit_price": "12.00",
            "tax_category": "standard"}  # fmt: skip


CASES: dict[str, tuple[Seller | None, dict[str, Any], str | None]] = {
    # case -> (seller, buyer, the format due beside the CII)
    "it_b2c": (IT_SHOP, it.CONSUMERS[0], "fatturapa-fpr12"),
    "pl_b2b": (PL_SHOP, pl.BUSINESSES[0], "ksef-fa3"),
    "be_b2b": (BE_SHOP, be.BUSINESSES[1], "peppol-bis-3"),
    "fr_b2c": (None, {}, None),  # the demo's French seller: the Factur-X CII only
}


def event_for(case: str) -> dict[str, Any]:
    from tests.factories import order

    seller, buyer, _ = CASES[case]
    if seller is None:
        return order(ref=case)
    return paid(seller, buyer, [line("Articolo")], ref=case)


@pytest.fixture
def svc(backend: Mandat) -> Mandat:
    backend.save_sellers([IT_SHOP, PL_SHOP, BE_SHOP])
    return backend


def issue_one(svc: Mandat, case: str) -> Any:
    svc.accept(json.dumps(event_for(case)))
    drain(svc)
    with svc.engine.connect() as conn:
        order_id = event_for(case)["order_id"]
        doc_id = conn.execute(sa.select(documents.c.id).where(documents.c.order_id == order_id)).scalar_one()
        doc = repo.get_document(conn, doc_id=doc_id)
    assert doc is not None
    return doc


def stored(svc: Mandat, doc_id: str) -> dict[str, repo.StoredFile]:
    with svc.engine.connect() as conn:
        return {f.format: f for f in repo.document_files_of(conn, doc_id)}


def render_error(svc: Mandat, doc_id: str) -> tuple[str, str, int, str | None]:
    with svc.engine.connect() as conn:
        status = conn.execute(sa.select(documents.c.render_status).where(documents.c.id == doc_id)).scalar_one()
        task = conn.execute(
            sa.select(outbox.c.status, outbox.c.attempts, outbox.c.last_error).where(
                outbox.c.document_id == doc_id, outbox.c.task == "render"
            )
        ).one()
    return status, task.status, task.attempts, task.last_error


@pytest.mark.parametrize("case", list(CASES))
def test_every_format_due_is_stored_validated_and_recorded(svc: Mandat, case: str) -> None:
    doc = issue_one(svc, case)
    due = CASES[case][2]
    assert formats.formats_for(doc) == ["en16931-cii"] + ([due] if due else [])
    files = stored(svc, doc.id)
    assert sorted(files) == sorted(["en16931-cii"] + ([due] if due else []))
    base = f"{doc.seller_id}/{doc.id}"
    assert files["en16931-cii"].key == f"{base}.xml"
    for name, f in files.items():
        body = svc.blobs.get(f.key)
        assert body == formats.build(name, doc)  # the stored bytes are the builder's, unchanged
        assert f.sha256 == hashlib.sha256(body).hexdigest()
        assert f.schematron is True  # the default rate is 1: every document
    if due:
        assert files[due].key == f"{base}.{due}.xml"
    with svc.engine.connect() as conn:
        row = conn.execute(sa.select(documents).where(documents.c.id == doc.id)).one()
    assert (row.render_status, row.xml_key, row.xml_sha256) == ("rendered", f"{base}.xml", files["en16931-cii"].sha256)


def test_a_second_render_of_the_same_record_changes_nothing(svc: Mandat) -> None:
    doc = issue_one(svc, "it_b2c")
    before = stored(svc, doc.id)
    svc.render_documents([doc])  # a worker whose lease ran out renders it again: same bytes, write-once
    after = stored(svc, doc.id)
    assert after == before
    with svc.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(document_files)).scalar_one() == 2


BROKEN_FATTURAPA = b"""<?xml version="1.0" encoding="UTF-8"?>
<p:FatturaElettronica xmlns:p="http://ivaservizi.agenziaentrate.gov.it/docs/xsd/fatture/v1.2" versione="FPR12">
  <FatturaElettronicaHeader/>
</p:FatturaElettronica>"""


def test_a_file_that_fails_its_rules_fails_the_render_at_once_with_the_rule(
    svc: Mandat, monkeypatch: pytest.MonkeyPatch
) -> None:
    import mandat.render.formats.fatturapa as fatturapa

    monkeypatch.setattr(fatturapa, "build", lambda doc, **_: BROKEN_FATTURAPA)
    doc = issue_one(svc, "it_b2c")
    status, task, attempts, error = render_error(svc, doc.id)
    assert (status, task, attempts) == ("failed", "failed", 0)  # no retry with backoff: it would fail again
    assert error is not None
    assert error.startswith("fatturapa-fpr12 failed validation: xsd: ")
    assert "DatiTrasmissione" in error  # the XSD's own complaint: the header lacks its first child
    assert stored(svc, doc.id) == {}
    with pytest.raises(FileNotFoundError):  # nothing stored as final
        svc.blobs.get(f"{doc.seller_id}/{doc.id}.pdf")
    # The operator sees it where failed renders show (`mandat events list --status render_failed`).
    with svc.engine.connect() as conn:
        shown = repo.list_inbox(conn, status="render_failed")
    assert [r.render_error for r in shown] == [error]
    # Fixed (here: the builder restored), the operator retries, and the files are stored.
    monkeypatch.undo()
    assert svc.retry_failed_renders() == 1
    drain(svc)
    assert sorted(stored(svc, doc.id)) == ["en16931-cii", "fatturapa-fpr12"]


def test_a_cii_that_fails_the_schematron_names_the_rule(svc: Mandat, monkeypatch: pytest.MonkeyPatch) -> None:
    import mandat.render.cii as cii

    real = cii.build_cii

    def without_seller_name(doc: Any, **options: Any) -> bytes:
        from lxml import etree

        root = etree.fromstring(real(doc, **options))
        ram = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
        name = root.find(f".//{{{ram}}}SellerTradeParty/{{{ram}}}Name")
        name.getparent().remove(name)
        out: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
        return out

    monkeypatch.setattr(cii, "build_cii", without_seller_name)
    doc = issue_one(svc, "fr_b2c")
    _, task, attempts, error = render_error(svc, doc.id)
    assert (task, attempts) == ("failed", 0)
    # EN 16931 BR-06: an invoice shall contain the seller name (BT-27).
    assert error is not None
    assert error.startswith("en16931-cii failed validation: ")
    assert "BR-06" in error


def test_a_case_a_builder_refuses_fails_at_once_with_its_code(svc: Mandat, monkeypatch: pytest.MonkeyPatch) -> None:
    from mandat.domain.refusals import Rejected

    def refuse(doc: Any, **_: Any) -> bytes:
        raise Rejected("ksef_unsupported", "no mapping for this case")

    monkeypatch.setattr("mandat.render.formats.ksef.build", refuse)
    doc = issue_one(svc, "pl_b2b")
    _, task, attempts, error = render_error(svc, doc.id)
    assert (task, attempts, error) == (
        "failed",
        0,
        "refused by a format builder: ksef_unsupported: ksef-fa3: no mapping for this case",
    )


def test_sampling_zero_skips_the_schematron_but_never_the_xsd(
    backend: Mandat, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import dataclasses

    svc = Mandat(dataclasses.replace(backend.settings, schematron_sample=0.0), engine=backend.engine)
    svc.save_sellers([IT_SHOP])
    doc = issue_one(svc, "it_b2c")
    assert {f: s.schematron for f, s in stored(svc, doc.id).items()} == {"en16931-cii": False, "fatturapa-fpr12": False}
    # The XSD still runs: a broken FatturaPA is refused with the rate at 0.
    monkeypatch.setattr("mandat.render.formats.fatturapa.build", lambda doc, **_: BROKEN_FATTURAPA)
    svc.accept(json.dumps(paid(IT_SHOP, it.CONSUMERS[0], [line("Articolo")], ref="second")))
    drain(svc)
    with svc.engine.connect() as conn:
        failed = conn.execute(sa.select(documents.c.id).where(documents.c.render_status == "failed")).all()
    assert len(failed) == 1
    assert (render_error(svc, failed[0].id)[3] or "").startswith("fatturapa-fpr12 failed validation: xsd: ")


def test_sampling_is_deterministic_and_close_to_its_rate() -> None:
    ids = [f"00000000-0000-4000-8000-{i:012d}" for i in range(2000)]
    picked = [i for i in ids if _sampled(i, 0.25)]
    assert picked == [i for i in ids if _sampled(i, 0.25)]
    assert 400 <= len(picked) <= 600  # 500 expected; sha256 is uniform enough for a +-20 % band
    assert all(_sampled(i, 1.0) for i in ids)
    assert not any(_sampled(i, 0.0) for i in ids)


def test_the_sampling_rate_setting(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("MANDAT_SCHEMATRON_SAMPLE", raising=False)
    assert Settings.from_env(tmp_path).schematron_sample == 1.0
    monkeypatch.setenv("MANDAT_SCHEMATRON_SAMPLE", "0.1")
    assert Settings.from_env(tmp_path).schematron_sample == 0.1
    for bad in ("1.5", "-0.1", "often"):
        monkeypatch.setenv("MANDAT_SCHEMATRON_SAMPLE", bad)
        with pytest.raises(ValueError, match="MANDAT_SCHEMATRON_SAMPLE must be a number from 0 to 1"):
            Settings.from_env(tmp_path)


# --- chains (for Verifactu and Portugal) ---------------------------------------------------------------


def test_a_chain_link_is_written_once(backend: Mandat) -> None:
    with backend.engine.begin() as conn:
        assert repo.chain_link(conn, "verifactu:B12345678", "doc-1") is None
        repo.put_chain_link(conn, "verifactu:B12345678", "doc-1", 1, "3C464DAF61ACB827")
        repo.put_chain_link(conn, "verifactu:B12345678", "doc-1", 1, "3C464DAF61ACB827")  # a retry: accepted
        assert repo.chain_link(conn, "verifactu:B12345678", "doc-1") == "3C464DAF61ACB827"
        with pytest.raises(ValueError, match="already holds position 1"):
            repo.put_chain_link(conn, "verifactu:B12345678", "doc-1", 1, "another")
        with pytest.raises(ValueError, match="position 1 is held by another document"):
            repo.put_chain_link(conn, "verifactu:B12345678", "doc-2", 1, "F7B94CFD8924EDFF")
        repo.put_chain_link(conn, "pt:ATCUD", "doc-2", 1, "sig")  # positions are per chain
        repo.put_chain_link(conn, "verifactu:B12345678", "doc-2", 2, "F7B94CFD8924EDFF")
        assert conn.execute(sa.select(sa.func.count()).select_from(chain_links)).scalar_one() == 3


# --- migration 0007 ---------------------------------------------------------------------------------


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def at_0006(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    from mandat.store.db import make_engine
    from mandat.store.migrate import upgrade

    if request.param == "postgres":
        import uuid

        from tests.store.test_postgres import PG_URL

        schema = f"mandat_t_{uuid.uuid4().hex[:10]}"
        admin = make_engine(PG_URL)
        with admin.begin() as conn:
            conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
        engine = make_engine(PG_URL, schema=schema)
        try:
            upgrade(engine, "0006")
            yield engine
        finally:
            engine.dispose()
            with admin.begin() as conn:
                conn.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
            admin.dispose()
    else:
        engine = make_engine(f"sqlite:///{tmp_path / 'm.db'}")
        upgrade(engine, "0006")
        yield engine
        engine.dispose()


def test_migration_0007_adds_the_tables_to_an_existing_database(at_0006: Engine) -> None:
    from alembic import command

    from mandat.store.migrate import alembic_config, upgrade

    insert = sa.text(
        "INSERT INTO documents (id, seller_id, series_owner, series, seq, number, kind, idempotency_key, order_id, "
        "event_id, issued_at, total, data, hash, prev_hash, render_status, xml_key) VALUES ('d1', 's', 's', 'F', 1, "
        "'F-1', 'invoice', 'k', 'CMD-1', 'e', :at, 10.00, '{}', :h, :h, 'rendered', 's/d1.xml')"
    )
    with at_0006.begin() as conn:
        conn.execute(insert, {"at": repo.utcnow(), "h": "a" * 64})
    upgrade(at_0006)
    with at_0006.begin() as conn:
        assert conn.execute(sa.select(documents.c.xml_key)).scalar_one() == "s/d1.xml"  # untouched
        assert repo.document_files_of(conn, "d1") == []
        repo.mark_rendered_many(
            conn,
            [("d1", ("s/d1.pdf", "1" * 64), ("s/d1.xml", "2" * 64))],
            [repo.StoredFile("d1", "ksef-fa3", "s/d1.ksef-fa3.xml", "3" * 64, True)],
        )
        repo.put_chain_link(conn, "c", "d1", 1, "v")
        fork = chain_links.insert().values(chain="c", document_id="d2", position=1, value="w", created_at=repo.utcnow())
        # (chain, position) is unique in the database itself, whatever the code above it does.
        with pytest.raises(sa.exc.IntegrityError), conn.begin_nested():
            conn.execute(fork)
        assert [(f.format, f.schematron) for f in repo.document_files_of(conn, "d1")] == [("ksef-fa3", True)]
    cfg = alembic_config()
    with at_0006.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0006")
    assert "document_files" not in sa.inspect(at_0006).get_table_names()


def test_the_einvoice_command_prints_the_stored_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from mandat.cli.main import app
    from mandat.demo.sellers import demo_sellers

    svc = Mandat(Settings.from_env(tmp_path / "data"))
    svc.migrate()
    svc.save_sellers([*demo_sellers(), IT_SHOP])
    doc = issue_one(svc, "it_b2c")
    stored_bytes = svc.blobs.get(stored(svc, doc.id)["fatturapa-fpr12"].key)

    def no_build(*_: Any, **__: Any) -> bytes:
        raise AssertionError("the stored file is read, not built again")

    monkeypatch.setattr("mandat.render.formats.build", no_build)
    result = CliRunner().invoke(app, ["einvoice", doc.number, "--home", str(tmp_path / "data")])
    assert result.exit_code == 0, result.output
    assert result.stdout_bytes == stored_bytes
    svc.engine.dispose()
