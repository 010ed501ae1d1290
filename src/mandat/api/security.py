"""Secrets of the API: the server key (cursors, buyer links), API key tokens, HMAC helpers."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import json
import os
import secrets
import tempfile
from pathlib import Path
from typing import Any

# Names, not secrets.
SECRET_ENV = "MANDAT_SECRET_KEY"  # noqa: S105
SECRET_FILE = "secret.key"  # noqa: S105
TOKEN_PREFIX = "mdt_"  # noqa: S105


def load_server_secret(home: Path) -> bytes:
    """MANDAT_SECRET_KEY, else a random key generated once under MANDAT_HOME (mode 0600).

    Every API process of one deployment must share it: cursors and buyer links signed by one
    are checked by another. Scaled out (several hosts), set MANDAT_SECRET_KEY.
    """
    env = os.environ.get(SECRET_ENV)
    if env:
        if len(env) < 32:
            raise ValueError(f"{SECRET_ENV} must be at least 32 characters")
        return env.encode()
    path = home / SECRET_FILE
    if not path.exists():
        home.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=home, prefix=".secret-")  # mkstemp creates it 0600
        try:
            with os.fdopen(fd, "w") as f:
                f.write(secrets.token_urlsafe(48))
                f.flush()
                os.fsync(f.fileno())
            # link() refuses to replace: two processes starting together end up with the same key.
            with contextlib.suppress(FileExistsError):
                os.link(tmp, path)
        finally:
            os.unlink(tmp)
    key = path.read_text(encoding="utf-8").strip()
    if len(key) < 32:
        raise ValueError(f"{path} holds a key shorter than 32 characters")
    return key.encode()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class Signer:
    """HMAC-SHA256 under purpose-specific subkeys: a cursor can never pass for a link, or the reverse."""

    def __init__(self, secret: bytes) -> None:
        self._secret = secret

    def _key(self, purpose: str) -> bytes:
        return hmac.new(self._secret, purpose.encode(), hashlib.sha256).digest()

    def mac(self, purpose: str, message: str) -> str:
        return hmac.new(self._key(purpose), message.encode(), hashlib.sha256).hexdigest()

    def verify(self, purpose: str, message: str, mac: str) -> bool:
        return hmac.compare_digest(self.mac(purpose, message).encode(), mac.encode())

    def seal(self, purpose: str, data: Any) -> str:
        body = _b64(json.dumps(data, separators=(",", ":"), sort_keys=True).encode())
        return f"{body}.{self.mac(purpose, body)}"

    def unseal(self, purpose: str, token: str) -> Any | None:
        """The sealed data, or None when the token was not made by this server for this purpose."""
        body, _, mac = token.partition(".")
        if not body or not mac or not self.verify(purpose, body, mac):
            return None
        try:
            return json.loads(_unb64(body))
        except ValueError:
            return None


def new_token() -> tuple[str, str]:
    """(key id, token). The id is public (listed, revoked by it); the token is shown once."""
    key_id = secrets.token_hex(8)
    return key_id, f"{TOKEN_PREFIX}{key_id}_{secrets.token_urlsafe(32)}"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def token_id(token: str) -> str | None:
    if not token.startswith(TOKEN_PREFIX):
        return None
    key_id, sep, rest = token[len(TOKEN_PREFIX) :].partition("_")
    if not sep or not rest or len(key_id) != 16 or any(c not in "0123456789abcdef" for c in key_id):
        return None
    return key_id


def webhook_signature(secret: str, timestamp: int, body: bytes) -> str:
    """hex HMAC-SHA256(secret, "<timestamp>.<body>"), the `v1` of the Mandat-Signature header."""
    return hmac.new(secret.encode(), str(timestamp).encode() + b"." + body, hashlib.sha256).hexdigest()
