"""S3 blob store: write-once with sha256, against moto over HTTP."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from mandat.demo.sellers import demo_sellers
from mandat.service.app import Mandat, open_blob_store
from mandat.service.audit import audit
from mandat.service.config import Settings
from mandat.store import repository as repo
from mandat.store.blobs import BlobConflict
from mandat.store.s3 import S3BlobStore
from mandat.store.schema import outbox
from tests.factories import order

PDF = b"%PDF-1.7 first rendering"


def test_put_get_round_trip_records_the_sha256(s3: Any, bucket: str) -> None:
    store = S3BlobStore(bucket, "docs", client=s3)
    digest = store.put("ABJ/F/F-ABJ-000001.pdf", PDF, "application/pdf")
    assert digest == hashlib.sha256(PDF).hexdigest()
    assert store.get("ABJ/F/F-ABJ-000001.pdf") == PDF
    assert store.location("ABJ/F/F-ABJ-000001.pdf") == f"s3://{bucket}/docs/ABJ/F/F-ABJ-000001.pdf"
    head = s3.head_object(Bucket=bucket, Key="docs/ABJ/F/F-ABJ-000001.pdf")
    assert head["Metadata"]["sha256"] == digest
    assert head["ContentType"] == "application/pdf"


def test_same_bytes_again_is_accepted(s3: Any, bucket: str) -> None:
    store = S3BlobStore(bucket, "", client=s3)
    first = store.put("k.pdf", PDF, "application/pdf")
    assert store.put("k.pdf", PDF, "application/pdf") == first  # a retried render
    assert store.location("k.pdf") == f"s3://{bucket}/k.pdf"


def test_other_bytes_are_refused_and_the_object_is_unchanged(s3: Any, bucket: str) -> None:
    store = S3BlobStore(bucket, "docs", client=s3)
    store.put("k.pdf", PDF, "application/pdf")
    with pytest.raises(BlobConflict):
        store.put("k.pdf", PDF + b" tampered", "application/pdf")
    assert store.get("k.pdf") == PDF
    versions = s3.list_objects_v2(Bucket=bucket, Prefix="docs/")
    assert [o["Key"] for o in versions["Contents"]] == ["docs/k.pdf"]


def test_missing_key_is_file_not_found(s3: Any, bucket: str) -> None:
    with pytest.raises(FileNotFoundError):
        S3BlobStore(bucket, "docs", client=s3).get("nope.pdf")


def test_missing_bucket_is_not_a_missing_file(s3: Any) -> None:
    from botocore.exceptions import ClientError

    with pytest.raises(ClientError):
        S3BlobStore("mandat-no-such-bucket", "docs", client=s3).get("nope.pdf")


@pytest.mark.parametrize("key", ["", "/abs.pdf", "a//b.pdf", "../up.pdf", "a/./b.pdf"])
def test_keys_that_are_not_one_object_name_are_refused(s3: Any, bucket: str, key: str) -> None:
    with pytest.raises(ValueError, match="invalid blob key"):
        S3BlobStore(bucket, "docs", client=s3).put(key, PDF, "application/pdf")


def test_blob_url_selects_the_s3_store(monkeypatch: pytest.MonkeyPatch, moto_endpoint: str, bucket: str) -> None:
    monkeypatch.setenv("MANDAT_S3_ENDPOINT_URL", moto_endpoint)
    store = open_blob_store(f"s3://{bucket}/tenant/docs/")
    assert isinstance(store, S3BlobStore)
    assert store.put("a.xml", b"<x/>", "application/xml") == hashlib.sha256(b"<x/>").hexdigest()
    assert store.location("a.xml") == f"s3://{bucket}/tenant/docs/a.xml"
    assert open_blob_store(f"s3://{bucket}").location("a.xml") == f"s3://{bucket}/a.xml"


def test_blob_url_honours_the_standard_aws_endpoint_variable(
    monkeypatch: pytest.MonkeyPatch, moto_endpoint: str, bucket: str
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_endpoint)
    store = open_blob_store(f"s3://{bucket}/docs")
    store.put("a.xml", b"<x/>", "application/xml")
    assert store.get("a.xml") == b"<x/>"


def test_s3_client_and_boto3_are_not_created_until_a_blob_is_used(bucket: str) -> None:
    store = S3BlobStore(bucket, "docs")
    assert store._client is None
    assert store.location("a.pdf") == f"s3://{bucket}/docs/a.pdf"
    assert store._client is None


def test_blob_url_without_bucket_is_refused() -> None:
    with pytest.raises(ValueError, match="s3://bucket"):
        open_blob_store("s3:///docs")


def test_issue_render_and_audit_with_documents_on_s3(tmp_path: Path, s3: Any, bucket: str) -> None:
    blobs = S3BlobStore(bucket, "documents", client=s3)
    svc = Mandat(Settings.from_env(tmp_path / "data"), blobs=blobs)
    try:
        svc.migrate()
        svc.save_sellers(demo_sellers())
        refs = [("atelier-bois", "1"), ("atelier-bois", "2"), ("thermoconfort", "3")]
        for seller_id, ref in refs:
            _, status, reason = svc.accept_and_issue(json.dumps(order(seller_id, ref=ref)))
            assert status == "issued", reason
        while svc.render_pending(10):
            pass
        report = audit(svc.engine, svc.blobs)
        assert report.ok, report
        assert (report.documents, report.files_checked, report.unrendered) == (3, 6, 0)

        with svc.engine.connect() as conn:
            rows = list(repo.document_rows(conn))
        first = rows[0]
        assert first.pdf_key is not None
        obj = s3.get_object(Bucket=bucket, Key=f"documents/{first.pdf_key}")
        assert obj["Body"].read().startswith(b"%PDF-")
        assert obj["Metadata"]["sha256"] == first.pdf_sha256

        # A renderer that died after its puts, before recording them: the retry writes the
        # same bytes, which the conditional write sends to the compare path, and succeeds.
        with svc.engine.begin() as conn:
            conn.execute(
                outbox.update()
                .where(outbox.c.document_id == first.id)
                .values(status="pending", available_at=repo.utcnow())
            )
        assert svc.render_pending(10) == 1
        with svc.engine.connect() as conn:
            assert set(conn.execute(sa.select(outbox.c.status)).scalars()) == {"done"}
        assert audit(svc.engine, svc.blobs).ok

        # Bytes replaced behind the store's back (no condition) are caught by the audit.
        s3.put_object(Bucket=bucket, Key=f"documents/{first.pdf_key}", Body=b"%PDF- forged")
        s3.delete_object(Bucket=bucket, Key=f"documents/{rows[1].xml_key}")
        problems = audit(svc.engine, svc.blobs).file_problems
        assert len(problems) == 2
    finally:
        svc.engine.dispose()
