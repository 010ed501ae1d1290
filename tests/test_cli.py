"""The operator commands, run as a user would run them (typer's runner, real files)."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from mandat.cli.main import app
from mandat.demo.sellers import demo_sellers
from tests.factories import order

runner = CliRunner()


def run(*args: str) -> str:
    result = runner.invoke(app, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def test_demo_then_audit_show_and_events(tmp_path: Path) -> None:
    home = str(tmp_path / "data")
    out = run("demo", "--orders", "120", "--home", home)
    assert "documents this run" in out
    assert "rejected" in out
    assert "audit passed" in run("audit", "--home", home)
    shown = run("show", "F-ABJ-000001", "--home", home)
    assert "Atelier Bois & Jardin SARL" in shown
    assert ".pdf" in shown
    doc = json.loads(run("show", "F-ABJ-000001", "--home", home, "--json"))
    assert doc["number"] == "F-ABJ-000001"
    assert doc["hash"]
    assert "rejected" in run("events", "list", "--status", "rejected", "--home", home)


def test_replay_after_fixing_the_payload(tmp_path: Path) -> None:
    home = str(tmp_path / "data")
    run("sellers", "import", str(_sellers_file(tmp_path)), "--home", home)
    bad = order(payment={"amount": "1.00"}, fix_amount=False)
    events = tmp_path / "orders.jsonl"
    events.write_text(json.dumps(bad) + "\n", encoding="utf-8")
    run("ingest", str(events), "--home", home)
    assert "payment_amount" not in run("events", "list", "--status", "issued", "--home", home)
    fixed = tmp_path / "fixed.json"
    fixed.write_text(json.dumps(order()), encoding="utf-8")
    assert "evt-0001: issued" in run("replay", "evt-0001", "--payload", str(fixed), "--home", home)
    result = runner.invoke(app, ["replay", "evt-0001", "--home", home])
    assert result.exit_code == 1  # an issued event is not replayed


def _sellers_file(tmp_path: Path) -> Path:
    path = tmp_path / "sellers.json"
    path.write_text(json.dumps([json.loads(s.model_dump_json()) for s in demo_sellers()]), encoding="utf-8")
    return path


def test_sellers_import_json_and_csv_then_ingest(tmp_path: Path) -> None:
    home = str(tmp_path / "data")
    assert "7 sellers created" in run("sellers", "import", str(_sellers_file(tmp_path)), "--home", home)
    csv_file = tmp_path / "sellers.csv"
    csv_file.write_text(
        "id,code,legal_name,address_line1,postcode,city,country,siren,vat_id,legal_form,vat_regime,"
        "mandate_version,mandate_accepted_at\n"
        "bricolo,BRC,Bricolo SARL,1 rue Haute,75001,Paris,FR,732829320,FR44732829320,SARL,normal,"
        "v1,2026-01-01T00:00:00+00:00\n",
        encoding="utf-8",
    )
    assert "1 sellers created" in run("sellers", "import", str(csv_file), "--home", home)
    bad = tmp_path / "bad.csv"
    bad.write_text("id,code,legal_name,address_line1,postcode,city,country,siren\nx,XX,X,a,1,b,FR,123456789\n")
    result = runner.invoke(app, ["sellers", "import", str(bad), "--home", home])
    assert result.exit_code == 2
    assert "SIREN" in result.output
    events = tmp_path / "orders.jsonl"
    events.write_text(json.dumps(order()) + "\n{broken\n", encoding="utf-8")
    out = run("ingest", str(events), "--home", home)
    assert "1 pending" in out
    assert "1 rejected" in out
    assert "audit passed" in run("audit", "--home", home)


def test_refund_shows_on_the_invoice_and_in_the_audit(tmp_path: Path) -> None:
    from tests.factories import refund

    home = str(tmp_path / "data")
    run("sellers", "import", str(_sellers_file(tmp_path)), "--home", home)
    scope = {"kind": "lines", "lines": [{"sku": "ABJ-COMPOST-40", "quantity": "1"}]}
    events = tmp_path / "events.jsonl"
    # The refund comes first: it waits for the invoice and is issued right after it.
    events.write_text(json.dumps(refund(scope=scope, amount="8.90")) + "\n" + json.dumps(order()) + "\n")
    out = run("ingest", str(events), "--home", home)
    assert "credit notes" in out
    shown = run("show", "A-ABJ-000001", "--home", home)
    assert "corrects invoice F-ABJ-000001" in shown
    assert "Retour client" in shown
    invoice = " ".join(run("show", "F-ABJ-000001", "--home", home).split())
    assert "credited by A-ABJ-000001" in invoice
    assert "left to credit: 136.80 EUR" in invoice
    audit = " ".join(run("audit", "--home", home).split())
    assert "1 invoices with credit notes, 0 credited beyond" in audit
    assert "audit passed" in audit
