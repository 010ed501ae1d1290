"""What a refused caller and an operator creating keys are told, word for word.

Mutation testing of `api/auth.py` (docs/testing.md) left these texts unchecked: a 401 that says nothing
useful, or a key-creation error without its reason, passed the suite. The expected texts are the API's
contract with the people who read them (docs/api.md), written here by hand.
"""

from __future__ import annotations

import pytest

from mandat.api.auth import Principal, authenticate, create_key
from tests.api.conftest import SELLER_A, Api

REALM = 'Bearer realm="mandat"'


def refusal(api: Api, headers: dict[str, str]) -> tuple[str, str]:
    r = api.client.get("/v1/documents", headers=headers)
    assert r.status_code == 401, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.headers["www-authenticate"] == REALM
    body = r.json()
    assert body["status"] == 401
    assert body["type"].endswith("unauthenticated"), body
    return body["detail"], body["title"]


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Basic dXNlcjpwYXNz"}, {"Authorization": "Bearer"}],
    ids=["no header", "basic scheme", "bearer without token"],
)
def test_a_caller_without_a_bearer_key_is_told_how_to_send_one(api: Api, headers: dict[str, str]) -> None:
    detail, _ = refusal(api, headers)
    assert detail == "send an API key: Authorization: Bearer mdt_..."


def test_a_made_up_or_revoked_key_is_told_it_is_unknown_or_revoked(api: Api) -> None:
    detail, _ = refusal(api, {"Authorization": "Bearer mdt_0123456789abcdef_not-a-real-secret"})
    assert detail == "unknown or revoked API key"
    made = api.client.post("/v1/keys", json={"name": "old", "role": "auditor"}, headers=api.h("operator"))
    token = made.json()["token"]
    assert api.client.delete(f"/v1/keys/{made.json()['id']}", headers=api.h("operator")).status_code == 204
    detail, _ = refusal(api, {"Authorization": f"Bearer {token}"})
    assert detail == "unknown or revoked API key"


def test_the_principal_carries_the_key_its_token_names(api: Api) -> None:
    """The key id binds pagination cursors to the key that got them: it must be the key's own id."""
    row, token = create_key(api.service, "cursors", "seller", SELLER_A)
    who = authenticate(api.client.app.state.mandat, token)  # type: ignore[attr-defined]
    assert who == Principal(row.id, "seller", SELLER_A)
    assert token.startswith(f"mdt_{row.id}_")


def test_key_creation_says_what_is_wrong(api: Api) -> None:
    with pytest.raises(ValueError, match=r"^a seller key needs a seller id$"):
        create_key(api.service, "x", "seller", None)
    with pytest.raises(ValueError, match=r"^only seller keys are bound to a seller$"):
        create_key(api.service, "x", "operator", SELLER_A)
    with pytest.raises(LookupError, match=r"^seller nobody-sells is not in the registry$"):
        create_key(api.service, "x", "seller", "nobody-sells")
