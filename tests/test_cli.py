"""The operator commands, run as a user would run them (typer's runner, real files)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
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
    # The demo re-sends some events on purpose; the summary says so, and what became of them.
    assert "redelivered (same event id)" in out
    # The mix per treatment: 120 orders give 72 to the markets, 14 of them across borders (the first 14
    # scenarios of the cycle), among them an EU distance sale taxed at destination and the marketplace's
    # own sale of goods stocked in France for a Chinese seller.
    assert "mandat — treatments" in out
    assert "OSS destination VAT" in out
    assert "deemed supplier EU (OSS)" in out
    # The structured files the documents are due in, stored by the render step after their official rules:
    # FatturaPA for the Italian sellers' invoices, every file through XSD and Schematron at the default rate.
    assert "mandat — structured files" in out
    match = re.search(r"fatturapa-fpr12\s+│\s+([1-9][0-9]*)\s+│\s+([0-9]+)", out)
    assert match, out
    assert match.group(1) == match.group(2)
    assert list((Path(home) / "documents").glob("*/*.fatturapa-fpr12.xml"))
    assert "render refused" not in out
    assert "redeliveries: an event delivered again with the same id is acknowledged and ignored" in out
    assert all(done == total for done, total in _bars(out).values()), _bars(out)
    # Its sample files are where it says, and the sellers file imports as is.
    samples = dict(re.findall(r"^sample (sellers|events) .*?: +(\S+)$", out, re.M))
    assert Path(samples["events"]).is_file()
    # The French sellers, the other markets' (two each) and two established outside the EU: 7 + 7 x 2 + 2.
    assert "0 sellers created, 23 updated" in run("sellers", "import", samples["sellers"], "--home", home)
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


# --- install and first steps (issue 11, part A) --------------------------------------------------------

ROOT = Path(__file__).resolve().parent.parent


def fails(*args: str, env: dict[str, str] | None = None) -> str:
    """A command that must stop with one line on stderr and exit code 2, not a traceback."""
    result = runner.invoke(app, list(args), env=env)
    assert result.exit_code == 2, (result.exit_code, result.output, result.exception)
    assert isinstance(result.exception, SystemExit), result.exception
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    return lines[0]


def test_version_prints_the_package_version() -> None:
    import tomllib

    expected = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
    assert run("--version").strip() == f"mandat {expected}"


def _commands(group: Any, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    out = [prefix]
    for name, command in getattr(group, "commands", {}).items():
        out += _commands(command, (*prefix, name))
    return out


def test_help_of_every_command_shows_flags_as_flags() -> None:
    import typer.main

    commands = _commands(typer.main.get_command(app))
    assert ("serve",) in commands
    assert ("events", "list") in commands
    assert ("worker",) in commands
    for command in commands:
        out = run(*command, "--help")
        assert "Usage: " in out
        assert "<bool>" not in out, (command, out)
    assert "--json" in run("show", "--help")
    assert "--until-idle" in run("worker", "--help")
    assert "--process / --no-process" in run("ingest", "--help")


def test_events_list_whole_ids_json_and_status_choices(tmp_path: Path) -> None:
    home = str(tmp_path / "data")
    long_id = "evt-marketplace-eu-west-1-2026-11-18T10:15:00Z-00000000000000042"  # 64, the longest allowed
    assert len(long_id) == 64
    event = order(seller_id="vendeur-inconnu")  # rejected: the seller is not in the registry
    event["event_id"] = long_id
    events = tmp_path / "events.jsonl"
    events.write_text(json.dumps(event) + "\n", encoding="utf-8")
    run("ingest", str(events), "--home", home)
    table = run("events", "list", "--home", home)
    # Piped output is not squeezed into 80 columns: the id a user copies into `replay` is whole, on one line.
    row = next(line for line in table.splitlines() if "evt-" in line)
    assert long_id in row
    assert "seller vendeur-inconnu is not in the registry" in row
    listed = json.loads(run("events", "list", "--home", home, "--status", "rejected", "--json"))
    assert [(e["event_id"], e["status"], e["reason_code"]) for e in listed] == [(long_id, "rejected", "seller_unknown")]
    assert json.loads(listed[0]["payload"]) == event
    assert json.loads(run("events", "list", "--home", home, "--status", "issued", "--json")) == []
    result = runner.invoke(app, ["events", "list", "--home", home, "--status", "refused"])
    assert result.exit_code == 2
    for status in ("pending", "issued", "duplicate", "rejected", "waiting", "failed", "cancelled"):
        assert status in result.output


def test_unreadable_files_give_one_line_and_exit_2(tmp_path: Path) -> None:
    home = str(tmp_path / "data")
    latin1 = tmp_path / "latin1.jsonl"
    latin1.write_bytes(json.dumps(order()).encode() + b"\n" + '{"name": "Fran\xe7ois"}\n'.encode("latin-1"))
    for command in (["ingest"], ["sellers", "import"]):
        assert "no such file" in fails(*command, str(tmp_path / "missing.jsonl"), "--home", home)
        assert "is a directory" in fails(*command, str(tmp_path), "--home", home)
        assert "not UTF-8 text (line 2" in fails(*command, str(latin1), "--home", home)
    assert "no such file" in fails("replay", "evt-1", "--payload", str(tmp_path / "nope.json"), "--home", home)
    # Nothing of the bad file was accepted.
    assert json.loads(run("events", "list", "--home", home, "--json")) == []


def test_one_bad_line_is_one_rejection_and_the_others_go_through(tmp_path: Path) -> None:
    home = str(tmp_path / "data")
    run("sellers", "import", str(_sellers_file(tmp_path)), "--home", home)
    first = order(ref="0001")
    # U+2028 is legal unescaped inside a JSON string; it must not split the event in two.
    second = order(ref="0002", buyer={**first["buyer"], "name": "Zoé\u2028Martin"})
    third = order(ref="0003")
    text = (
        "\ufeff"  # a BOM, as some Windows tools write: not part of the first event
        + json.dumps(first)
        + "\r\n"
        + '{"type": "order.paid", "event_id": "evt-broken", \n'
        + json.dumps(second, ensure_ascii=False)
        + "\n\n"
        + json.dumps(third)
        + "\n"
    )
    events = tmp_path / "orders.jsonl"
    events.write_text(text, encoding="utf-8")
    out = run("ingest", str(events), "--home", home)
    assert "3 pending, 1 rejected" in out
    listed = {e["event_id"]: e for e in json.loads(run("events", "list", "--home", home, "--json"))}
    assert [listed[f"evt-000{i}"]["status"] for i in (1, 2, 3)] == ["issued", "issued", "issued"]
    (broken,) = [e for e in listed.values() if e["status"] == "rejected"]
    assert broken["reason_code"] == "malformed_json"
    assert broken["payload"] == '{"type": "order.paid", "event_id": "evt-broken", '  # the raw text is kept
    assert "Zoé\u2028Martin" in run("show", "F-ABJ-000002", "--home", home)


def test_unreachable_database_or_bad_settings_give_one_line_naming_the_variable(tmp_path: Path) -> None:
    home = str(tmp_path / "data")
    unreachable = {"MANDAT_DATABASE_URL": "postgresql+psycopg://postgres@127.0.0.1:1/x"}
    for command in (
        ["events", "list"],
        ["audit"],
        ["show", "F-ABJ-000001"],
        ["worker", "--until-idle"],
        ["db", "upgrade"],
        ["keys", "list"],
        ["serve", "--port", "1"],
    ):
        line = fails(*command, "--home", home, env=unreachable)
        assert "MANDAT_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:1/x" in line, line
    assert "MANDAT_DATABASE_URL" in fails("audit", "--home", home, env={"MANDAT_DATABASE_URL": "nonsense://"})
    line = fails("audit", "--home", home, env={"MANDAT_LEASE_SECONDS": "soon"})
    assert "MANDAT_LEASE_SECONDS must be a positive number of seconds" in line
    line = fails("serve", "--home", home, env={"MANDAT_SECRET_KEY": "too-short"})
    assert "MANDAT_SECRET_KEY must be at least 32 characters" in line


@pytest.mark.postgres
def test_missing_postgresql_schema_gives_one_line_naming_the_variable(tmp_path: Path) -> None:
    import os

    env = {
        "MANDAT_DATABASE_URL": os.environ.get(
            "MANDAT_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
        ),
        "MANDAT_DATABASE_SCHEMA": "mandat_no_such_schema_4f1c",
    }
    for command in (["db", "upgrade"], ["events", "list"], ["ingest", str(tmp_path / "x.jsonl")]):
        line = fails(*command, "--home", str(tmp_path / "data"), env=env)
        assert "MANDAT_DATABASE_SCHEMA=mandat_no_such_schema_4f1c: no such schema" in line


def _bars(out: str) -> dict[str, tuple[int, int]]:
    return {m[1]: (int(m[2]), int(m[3])) for m in re.finditer(r"^(accept|issue|render) .*? (\d+)/(\d+) ", out, re.M)}


def test_progress_bars_end_at_100_percent(tmp_path: Path) -> None:
    from tests.factories import refund

    home = str(tmp_path / "data")
    run("sellers", "import", str(_sellers_file(tmp_path)), "--home", home)
    scope = {"kind": "lines", "lines": [{"sku": "ABJ-COMPOST-40", "quantity": "1"}]}
    events = tmp_path / "events.jsonl"
    # The refund overtakes its order: it is claimed twice (waits, then is issued), yet it is one event.
    events.write_text(json.dumps(refund(scope=scope, amount="8.90")) + "\n" + json.dumps(order()) + "\n")
    assert _bars(run("ingest", str(events), "--home", home)) == {"accept": (2, 2), "issue": (2, 2), "render": (2, 2)}
    only_bad = tmp_path / "bad.jsonl"
    only_bad.write_text("{not json\n")
    assert _bars(run("ingest", str(only_bad), "--home", home)) == {"accept": (1, 1), "issue": (0, 0), "render": (0, 0)}


def test_readme_use_it_commands_work_as_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The `mandat` lines of the README's "Use it" block, in order, from the repository root."""
    import shlex

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("## Use it", 1)[1].split("```sh\n", 1)[1].split("```", 1)[0]
    commands = [shlex.split(line, comments=True) for line in block.splitlines()]
    commands = [c for c in commands if c and c[0] == "mandat"]
    assert [c[1] for c in commands] == [
        "--version", "sellers", "ingest", "show", "events", "replay", "rates", "einvoice", "reports", "audit",
        "worker",
    ]  # fmt: skip
    monkeypatch.chdir(ROOT)
    env = {"MANDAT_HOME": str(tmp_path / "data")}
    outputs = {}
    for command in commands:
        args = command[1:]
        if args[0] == "worker":
            args.append("--until-idle")  # the README's worker runs until stopped
        result = runner.invoke(app, args, env=env, catch_exceptions=False)
        assert result.exit_code == 0, (command, result.output)
        outputs[args[0]] = " ".join(result.output.split())
    assert "3 sellers created" in outputs["sellers"]
    assert "1 duplicate, 13 pending" in outputs["ingest"]  # one redelivery of the same event id
    # 3 × 8.90 + 119.00, prices including VAT; then 1 × 8.90 refunded.
    assert "total 145.70 EUR" in outputs["show"]
    assert "credited by A-ABJ-000001" in outputs["show"]
    assert "evt-ex-0011" in outputs["events"]
    assert "is 4.50 EUR but the order totals 9.00 EUR" in outputs["events"]  # 2 keys × 4.50
    assert "evt-ex-0011: issued" in outputs["replay"]
    assert "ECB" in outputs["rates"]
    assert "rsm:CrossIndustryInvoice" in outputs["einvoice"]
    assert "F-ABJ-000001" in outputs["einvoice"]
    assert outputs["reports"].startswith("owner,period_start,period_end,taxing_country,regime,")  # VAT CSV
    assert "13 documents" in outputs["audit"]
    assert "audit passed" in outputs["audit"]


def test_worker_until_idle_processes_the_queue_and_says_so(tmp_path: Path) -> None:
    home = str(tmp_path / "data")
    run("sellers", "import", str(_sellers_file(tmp_path)), "--home", home)
    events = tmp_path / "orders.jsonl"
    events.write_text(json.dumps(order(ref="0001")) + "\n" + json.dumps(order(ref="0002")) + "\n")
    assert "2 pending" in run("ingest", str(events), "--no-process", "--home", home)
    out = run("worker", "--until-idle", "--home", home)
    assert "nothing left to do: 2 events processed, 2 documents rendered" in out
    assert "PDF " in run("show", "F-ABJ-000002", "--home", home)
    assert "audit passed" in run("audit", "--home", home)


def test_s3_blob_url_without_boto3_names_the_extra(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "boto3", None)  # a plain install: no [s3] extra
    line = fails("audit", "--home", str(tmp_path / "data"), env={"MANDAT_BLOB_URL": "s3://invoices/prod"})
    assert "MANDAT_BLOB_URL=s3://invoices/prod" in line
    assert "pip install 'mandat[s3]'" in line
    assert "expected s3://bucket/prefix" in fails("audit", "--home", str(tmp_path), env={"MANDAT_BLOB_URL": "s3://"})


def test_text_from_events_prints_verbatim(tmp_path: Path) -> None:
    """Brackets in a description are text, not rich markup: "[/]" used to raise MarkupError in `show`."""
    home = str(tmp_path / "data")
    run("sellers", "import", str(_sellers_file(tmp_path)), "--home", home)
    description = "Terreau [/] universel [bold]40 L[/bold] [red]"
    event = order(
        lines=[
            {
                "sku": "ABJ-COMPOST-40",
                "description": description,
                "quantity": "1",
                "unit_price": "8.90",
                "tax_category": "standard",
            }
        ]
    )
    events = tmp_path / "orders.jsonl"
    events.write_text(json.dumps(event) + "\n", encoding="utf-8")
    run("ingest", str(events), "--home", home)
    assert description in run("show", "F-ABJ-000001", "--home", home)


def test_worker_pool_that_gave_a_slot_up_exits_non_zero(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # `mandat worker --until-idle` in a script: when a worker process kept dying and its slot was given up,
    # the events are not all processed, and the exit code must say so (it said 0).
    import mandat.service.worker as worker

    monkeypatch.setattr(worker, "run_pool", lambda *args: worker.PoolResult(restarts=4, given_up=1))
    result = runner.invoke(app, ["worker", "--home", str(tmp_path), "--concurrency", "2", "--until-idle"])
    assert result.exit_code == 1, result.output
    assert "4 worker processes were restarted after dying" in result.output
    assert "error: 1 of 2 worker processes gave up after dying repeatedly (see the log)" in result.output
