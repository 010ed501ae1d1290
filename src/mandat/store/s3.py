"""Write-once document blobs in an S3 bucket (the scaled-out counterpart of ``DirectoryBlobStore``).

The no-overwrite rule is enforced by S3 itself with a conditional write
(``If-None-Match: *``), so two renderers racing on the same key cannot replace
each other's bytes: the loser gets 412 and compares contents, exactly as the
directory store does after a failed ``link()``.
"""

from __future__ import annotations

import base64
import hashlib
import importlib.util
import time
from collections.abc import Sequence
from typing import Any

from mandat.store.blobs import BlobConflict

# Another conditional write on the same key still in flight: S3 answers 409 and asks for a retry.
_CONFLICT_RETRIES = 5


class S3BlobStore:
    """Blobs as objects under ``s3://bucket/prefix/``, each carrying its sha256."""

    def __init__(
        self,
        bucket: str,
        prefix: str = "",
        client: Any = None,
        *,
        endpoint_url: str | None = None,
    ) -> None:
        if not bucket:
            raise ValueError("S3 blob store needs a bucket name")
        if importlib.util.find_spec("boto3") is None:  # found without importing it (cold starts)
            raise RuntimeError("an s3:// MANDAT_BLOB_URL needs boto3: pip install 'mandat[s3]'")
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self._endpoint_url = endpoint_url
        # The client (and boto3 with it, ~100-150 ms to import) is created on first use: the
        # Lambda that only issues numbers builds a Mandat, hence a blob store, but never
        # touches a blob, and must not pay for boto3 in its cold start.
        self._client: Any = client

    @property
    def client(self) -> Any:
        if self._client is None:
            import boto3

            # Without an explicit endpoint boto3 still honours AWS_ENDPOINT_URL(_S3) by itself.
            self._client = boto3.client("s3", endpoint_url=self._endpoint_url)
        return self._client

    def _key(self, key: str) -> str:
        parts = key.split("/")
        if not key or any(p in ("", ".", "..") for p in parts):
            # Same contract as the directory store: a key names one object, nothing relative.
            raise ValueError(f"invalid blob key: {key!r}")
        return f"{self.prefix}/{key}" if self.prefix else key

    def put(self, key: str, data: bytes, content_type: str) -> str:
        from botocore.exceptions import ClientError

        raw = hashlib.sha256(data).digest()
        digest = raw.hex()
        object_key = self._key(key)
        for attempt in range(_CONFLICT_RETRIES):
            try:
                self.client.put_object(
                    Bucket=self.bucket,
                    Key=object_key,
                    Body=data,
                    ContentType=content_type,
                    IfNoneMatch="*",
                    # S3 recomputes it and refuses the upload on mismatch: bytes damaged on the way
                    # never become a legal document.
                    ChecksumSHA256=base64.b64encode(raw).decode("ascii"),
                    Metadata={"sha256": digest},
                )
                return digest
            except ClientError as exc:
                status, code = _error(exc)
                if status == 412 or code == "PreconditionFailed":
                    break
                if (status == 409 or code == "ConditionalRequestConflict") and attempt + 1 < _CONFLICT_RETRIES:
                    time.sleep(0.05 * 2**attempt)
                    continue
                raise
        # The key exists: only a retried render with identical bytes may pass. The stored bytes
        # are hashed rather than trusting the metadata, which an uploader could have set wrongly.
        if hashlib.sha256(self.get(key)).hexdigest() != digest:
            raise BlobConflict(f"{self.location(key)} already exists with other content")
        return digest

    def put_many(self, blobs: Sequence[tuple[str, bytes, str]]) -> list[str]:
        """S3 has no batch PUT; uploads run side by side (each is durable when its call returns)."""
        if len(blobs) <= 1:
            return [self.put(*b) for b in blobs]
        from concurrent.futures import ThreadPoolExecutor

        _ = self.client  # created once, before the threads share it (boto3 clients are thread-safe)
        with ThreadPoolExecutor(max_workers=min(8, len(blobs))) as pool:
            return list(pool.map(lambda b: self.put(*b), blobs))

    def get(self, key: str) -> bytes:
        from botocore.exceptions import ClientError

        try:
            response = self.client.get_object(Bucket=self.bucket, Key=self._key(key))
        except ClientError as exc:
            status, code = _error(exc)
            # A missing bucket is a configuration error, not a missing document.
            if code == "NoSuchKey" or (status == 404 and code != "NoSuchBucket"):
                # The audit reports a missing file on FileNotFoundError, whatever the backend.
                raise FileNotFoundError(self.location(key)) from exc
            raise
        body: bytes = response["Body"].read()
        return body

    def location(self, key: str) -> str:
        return f"s3://{self.bucket}/{self._key(key)}"


def _error(exc: Any) -> tuple[int | None, str]:
    response = getattr(exc, "response", {}) or {}
    status = response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    return (int(status) if status is not None else None), str(response.get("Error", {}).get("Code", ""))
