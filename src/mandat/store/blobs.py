"""Document storage: write-once blobs addressed by key, with their sha256.

Legal documents are never replaced: a second write of the same key is accepted
only when the bytes are identical (a retried render), and refused otherwise.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path
from typing import Protocol


class BlobConflict(Exception):
    """A different content already exists under this key."""


class BlobStore(Protocol):
    def put(self, key: str, data: bytes, content_type: str) -> str:
        """Store once; return the sha256 hex digest."""

    def get(self, key: str) -> bytes: ...

    def location(self, key: str) -> str: ...


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class DirectoryBlobStore:
    """Blobs as files under a root directory (the embedded default)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)

    def _path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if not path.is_relative_to(self.root.resolve()):
            raise ValueError(f"blob key escapes the store: {key!r}")
        return path

    def put(self, key: str, data: bytes, content_type: str) -> str:
        digest = sha256(data)
        path = self._path(key)
        if path.exists():
            if sha256(path.read_bytes()) != digest:
                raise BlobConflict(f"{key} already exists with other content")
            return digest
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            try:
                # link() fails if the name exists: no-overwrite even against a concurrent writer.
                os.link(tmp, path)
            except FileExistsError:
                if sha256(path.read_bytes()) != digest:
                    raise BlobConflict(f"{key} already exists with other content") from None
        finally:
            os.unlink(tmp)
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
        return digest

    def get(self, key: str) -> bytes:
        return self._path(key).read_bytes()

    def location(self, key: str) -> str:
        return str(self._path(key))
