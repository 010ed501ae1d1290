"""The embedded blob store: write-once, identical retries accepted, keys confined to the root."""

from __future__ import annotations

from pathlib import Path

import pytest

from mandat.store.blobs import BlobConflict, DirectoryBlobStore, sha256


def test_write_once_and_identical_retry(tmp_path: Path) -> None:
    store = DirectoryBlobStore(tmp_path / "docs")
    digests = store.put_many([("s/F/F-1.pdf", b"pdf", "application/pdf"), ("s/F/F-1.xml", b"xml", "application/xml")])
    assert digests == [sha256(b"pdf"), sha256(b"xml")]
    assert store.put("s/F/F-1.pdf", b"pdf", "application/pdf") == sha256(b"pdf")  # a retried render
    with pytest.raises(BlobConflict):
        store.put("s/F/F-1.pdf", b"other", "application/pdf")
    assert store.get("s/F/F-1.pdf") == b"pdf"
    assert not [p for p in (tmp_path / "docs").rglob(".tmp-*")]  # no temporary file left behind


@pytest.mark.parametrize("key", ["../x.pdf", "/etc/passwd", "a/../../x", "a//b", "./a", "", "a\\..\\b"])
def test_keys_cannot_escape_the_root(tmp_path: Path, key: str) -> None:
    store = DirectoryBlobStore(tmp_path / "docs")
    with pytest.raises(ValueError, match="escapes"):
        store.put(key, b"x", "application/pdf")
