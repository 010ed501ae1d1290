"""Document storage: write-once blobs addressed by key, with their sha256.

Legal documents are never replaced: a second write of the same key is accepted
only when the bytes are identical (a retried render), and refused otherwise.
"""

from __future__ import annotations

import contextlib
import ctypes
import hashlib
import os
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

Blob = tuple[str, bytes, str]  # key, bytes, content type


class BlobConflict(Exception):
    """A different content already exists under this key."""


class BlobStore(Protocol):
    def put(self, key: str, data: bytes, content_type: str) -> str:
        """Store once; return the sha256 hex digest."""

    def put_many(self, blobs: Sequence[Blob]) -> list[str]:
        """Store a batch once each; every blob is durable when this returns."""

    def get(self, key: str) -> bytes: ...

    def location(self, key: str) -> str: ...


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class DirectoryBlobStore:
    """Blobs as files under a root directory (the embedded default)."""

    def __init__(self, root: Path) -> None:
        root.mkdir(parents=True, exist_ok=True)
        self.root = root.resolve()
        self._dirs: set[Path] = set()

    def _path(self, key: str) -> Path:
        # Checked on the key's text rather than with Path.resolve(), which costs an lstat per component
        # on every write: keys are relative, with no empty, "." or ".." component.
        parts = key.split("/")
        if not key or key.startswith("/") or "\\" in key or any(p in ("", ".", "..") for p in parts):
            raise ValueError(f"blob key escapes the store: {key!r}")
        return self.root.joinpath(*parts)

    def put(self, key: str, data: bytes, content_type: str) -> str:
        return self.put_many([(key, data, content_type)])[0]

    def put_many(self, blobs: Sequence[Blob]) -> list[str]:
        """Write every file, then make them all durable at once.

        On Linux one syncfs() flushes the batch (measured here: 0.14 ms per file, against 0.9 ms for
        an fsync per file plus one per directory); elsewhere each file and directory is fsynced.
        """
        digests: list[str] = []
        written: list[Path] = []
        for key, data, _type in blobs:
            digest = sha256(data)
            digests.append(digest)
            path = self._path(key)
            if path.parent not in self._dirs:  # one mkdir per seller series and process, not per file
                path.parent.mkdir(parents=True, exist_ok=True)
                self._dirs.add(path.parent)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
            try:
                with os.fdopen(fd, "wb") as f:
                    f.write(data)
                try:
                    # link() fails if the name exists: no-overwrite even against a concurrent writer,
                    # and no separate existence check is needed.
                    os.link(tmp, path)
                    written.append(path)
                except FileExistsError:
                    if sha256(path.read_bytes()) != digest:
                        raise BlobConflict(f"{key} already exists with other content") from None
            finally:
                os.unlink(tmp)
        if written and not _syncfs(self.root):
            for path in written:
                _fsync(path)
            for parent in {p.parent for p in written}:
                _fsync(parent)
        return digests

    def get(self, key: str) -> bytes:
        return self._path(key).read_bytes()

    def location(self, key: str) -> str:
        return str(self._path(key))


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _syncfs(path: Path) -> bool:
    """Flush the whole file system holding ``path`` (Linux syncfs(2)); False where unavailable."""
    if not sys.platform.startswith("linux"):
        return False
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        fd = os.open(path, os.O_RDONLY)
        try:
            return bool(libc.syncfs(fd) == 0)
        finally:
            os.close(fd)
    return False
