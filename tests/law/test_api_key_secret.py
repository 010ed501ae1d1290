"""An API key authenticates by its secret, not by its id: the id is public (listed, used to revoke)."""

from __future__ import annotations

import pytest

from tests.api.conftest import Api

ROLES = ["operator", "auditor", "seller_a", "seller_b"]


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def with_secret(token: str, secret: str) -> str:
    prefix, key_id, _ = token.split("_", 2)
    return f"{prefix}_{key_id}_{secret}"


@pytest.mark.parametrize("who", ROLES)
def test_right_token_is_accepted(api: Api, who: str) -> None:
    assert api.client.get("/v1/documents", headers=api.h(who)).status_code == 200


@pytest.mark.parametrize("who", ROLES)
def test_live_key_id_with_a_wrong_secret_is_refused(api: Api, who: str) -> None:
    token = api.keys[who]
    secret = token.split("_", 2)[2]
    flipped = secret[:-1] + ("A" if secret[-1] != "A" else "B")
    others = [t.split("_", 2)[2] for w, t in api.keys.items() if w != who]
    for wrong in [flipped, "x" * len(secret), secret[:-1], secret + "x", *others]:
        r = api.client.get("/v1/documents", headers=bearer(with_secret(token, wrong)))
        assert r.status_code == 401, (who, wrong, r.text)
        assert r.json()["type"] == "/problems/unauthenticated"


@pytest.mark.parametrize("who", ["operator", "auditor", "seller"])
def test_revoked_key_is_refused(api: Api, who: str) -> None:
    body = {"name": "old", "role": who} | ({"seller_id": "atelier-bois"} if who == "seller" else {})
    made = api.client.post("/v1/keys", json=body, headers=api.h("operator"))
    assert made.status_code in (200, 201), made.text
    token = made.json()["token"]
    assert api.client.get("/v1/documents", headers=bearer(token)).status_code == 200
    assert api.client.delete(f"/v1/keys/{made.json()['id']}", headers=api.h("operator")).status_code == 204
    assert api.client.get("/v1/documents", headers=bearer(token)).status_code == 401
