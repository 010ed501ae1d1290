"""Sellers through the API, and API keys through the API and the `mandat keys` commands."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from mandat.service.app import Mandat
from mandat.service.config import Settings
from tests.api.conftest import Api
from tests.factories import seller


def new_seller(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(seller("outillage-pro").model_dump_json())
    data.update({"id": "nouvelle-boutique", "code": "NBQ", "mandate": None, **changes})
    return data


def test_create_read_update_mandate_list(api: Api) -> None:
    h = api.h("operator")
    r = api.client.post("/v1/sellers", json=new_seller(), headers=h)
    assert r.status_code == 201, r.text
    assert api.client.post("/v1/sellers", json=new_seller(), headers=h).status_code == 409
    assert api.client.post("/v1/sellers", json=new_seller(id="other", code="ABJ"), headers=h).status_code == 409
    got = api.client.get("/v1/sellers/nouvelle-boutique", headers=api.h("auditor")).json()
    assert got["mandate"] is None
    identity = {
        k: v for k, v in got.items() if k not in ("id", "code", "mandate", "invoice_series", "credit_note_series")
    }
    identity["legal_name"] = "Nouvelle Boutique SAS"
    r = api.client.put("/v1/sellers/nouvelle-boutique", json=identity, headers=h)
    assert r.status_code == 200, r.text
    assert r.json()["legal_name"] == "Nouvelle Boutique SAS"
    assert r.json()["code"] == "NBQ"
    # The code names a legal numbering series: not changeable here.
    assert (
        api.client.put("/v1/sellers/nouvelle-boutique", json={**identity, "code": "XX"}, headers=h).status_code == 422
    )
    r = api.client.post(
        "/v1/sellers/nouvelle-boutique/mandate",
        json={"version": "MDF-2026-01", "accepted_at": "2026-03-01T09:00:00+01:00"},
        headers=h,
    )
    assert r.status_code == 200
    assert r.json()["mandate"]["status"] == "active"
    future = api.client.post(
        "/v1/sellers/nouvelle-boutique/mandate", json={"version": "v", "accepted_at": "2999-01-01T00:00:00Z"}, headers=h
    )
    assert future.status_code == 422
    assert future.json()["errors"][0]["pointer"] == "/accepted_at"
    naive = api.client.post(
        "/v1/sellers/nouvelle-boutique/mandate", json={"version": "v", "accepted_at": "2026-01-01T00:00:00"}, headers=h
    )
    assert naive.status_code == 422
    first = api.client.get("/v1/sellers", params={"limit": 3}, headers=h).json()
    rest = api.client.get("/v1/sellers", params={"limit": 100, "cursor": first["next_cursor"]}, headers=h).json()
    ids = [s["id"] for s in first["items"] + rest["items"]]
    assert ids == sorted(ids)
    assert "nouvelle-boutique" in ids
    assert rest["next_cursor"] is None
    assert api.client.put("/v1/sellers/ghost", json=identity, headers=h).status_code == 404


def test_seller_validation_errors_point_into_the_body(api: Api) -> None:
    h = api.h("operator")
    r = api.client.post("/v1/sellers", json=new_seller(siren="123456789", address={"line1": "x"}), headers=h)
    assert r.status_code == 422
    pointers = {e["pointer"] for e in r.json()["errors"]}
    assert {"/siren", "/address/postcode", "/address/city", "/address/country"} <= pointers
    got = api.client.get("/v1/sellers/atelier-bois", headers=h).json()
    identity = {
        k: v for k, v in got.items() if k not in ("id", "code", "mandate", "invoice_series", "credit_note_series")
    }
    r = api.client.put("/v1/sellers/atelier-bois", json={**identity, "vat_id": None}, headers=h)
    assert r.status_code == 422  # a French seller under the normal regime needs its VAT id
    assert r.json()["errors"][0]["pointer"] == ""
    assert api.client.get("/v1/sellers/atelier-bois", headers=h).json() == got  # nothing half-saved


def test_keys_through_the_api(api: Api) -> None:
    h = api.h("operator")
    r = api.client.post("/v1/keys", json={"name": "shop", "role": "seller", "seller_id": "atelier-bois"}, headers=h)
    assert r.status_code == 201
    token = r.json()["token"]
    assert token.startswith("mdt_")
    assert api.client.get("/v1/documents", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    listed = api.client.get("/v1/keys", headers=h).json()
    assert all("token" not in k and "secret_hash" not in k for k in listed)
    assert api.client.post("/v1/keys", json={"name": "x", "role": "seller"}, headers=h).status_code == 422
    r = api.client.post("/v1/keys", json={"name": "x", "role": "seller", "seller_id": "ghost"}, headers=h)
    assert r.json()["type"] == "/problems/unknown-seller"
    assert api.client.delete(f"/v1/keys/{r.json().get('id', 'nope')}", headers=h).status_code == 404


def test_keys_commands(tmp_path: Path, service: Mandat) -> None:
    from mandat.api.app import create_app
    from mandat.cli.api import keys_app
    from tests.api.conftest import SECRET

    runner = CliRunner()
    home = str(service.settings.home)
    result = runner.invoke(keys_app, ["create", "--role", "seller", "--seller", "atelier-bois", "--home", home])
    assert result.exit_code == 0, result.output
    token = result.output.strip().splitlines()[-1]
    assert token.startswith("mdt_")
    key_id = token.split("_")[1]
    assert key_id in runner.invoke(keys_app, ["list", "--home", home]).output
    assert runner.invoke(keys_app, ["create", "--role", "seller", "--home", home]).exit_code == 2
    assert runner.invoke(keys_app, ["create", "--role", "king", "--home", home]).exit_code == 2

    from fastapi.testclient import TestClient

    client = TestClient(create_app(Mandat(Settings.from_env(Path(home))), secret=SECRET))
    auth = {"Authorization": f"Bearer {token}"}
    assert client.get("/v1/documents", headers=auth).status_code == 200
    assert runner.invoke(keys_app, ["revoke", key_id, "--home", home]).exit_code == 0
    assert client.get("/v1/documents", headers=auth).status_code == 401
    assert runner.invoke(keys_app, ["revoke", "nope", "--home", home]).exit_code == 1


def test_server_secret_is_generated_once_with_mode_0600(tmp_path: Path, monkeypatch: Any) -> None:
    from mandat.api.security import SECRET_ENV, load_server_secret

    monkeypatch.delenv(SECRET_ENV, raising=False)
    first = load_server_secret(tmp_path)
    assert load_server_secret(tmp_path) == first
    assert (tmp_path / "secret.key").stat().st_mode & 0o777 == 0o600
    monkeypatch.setenv(SECRET_ENV, "k" * 40)
    assert load_server_secret(tmp_path) == b"k" * 40
