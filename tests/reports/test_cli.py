"""`mandat reports vat|oss|fec|journal` as an operator runs them: the files they write are the reports'."""

from __future__ import annotations

import io
import json
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mandat.cli import reports as cli_reports
from mandat.cli.main import app
from mandat.reports.common import parse_period
from mandat.reports.fec import fiscal_year, write_fec
from mandat.service.app import Mandat
from mandat.store import repository as repo
from tests.reports.scenario import SELLER
from tests.reports.test_oss import oss
from tests.reports.test_vat import report


def run(*args: str, code: int = 0) -> str:
    result = CliRunner().invoke(app, list(args), catch_exceptions=False)
    assert result.exit_code == code, result.output
    return result.output


def home(svc: Mandat) -> str:
    return str(svc.settings.home)


def test_vat_csv_and_json_files(booked: Mandat, tmp_path: Path) -> None:
    out = tmp_path / "vat.csv"
    run("reports", "vat", "--seller", SELLER, "--period", "2026-Q4", "--out", str(out), "--home", home(booked))
    assert out.read_bytes() == report(booked, SELLER, "2026-Q4").csv()
    js = tmp_path / "vat.json"
    run("reports", "vat", "--marketplace", "--start", "2026-10-01", "--end", "2027-01-01", "--format", "json",
        "--out", str(js), "--home", home(booked))  # fmt: skip
    data = json.loads(js.read_bytes())
    assert (data["owner"], data["period"]["end"], len(data["rows"])) == ("@bricomarket", "2026-12-31", 2)


def test_vat_to_stdout(booked: Mandat) -> None:
    result = CliRunner().invoke(
        app, ["reports", "vat", "--seller", SELLER, "--period", "2026-Q3", "--home", home(booked)]
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.encode() == report(booked, SELLER, "2026-Q3").csv()


def test_oss_file_and_refusals(booked: Mandat, tmp_path: Path) -> None:
    out = tmp_path / "oss.json"
    run("reports", "oss", "--seller", SELLER, "--quarter", "2026-Q4", "--format", "json", "--out", str(out),
        "--home", home(booked))  # fmt: skip
    assert out.read_bytes() == oss(booked, SELLER, "2026-Q4").json()
    # cn-lumo has no OSS registration of its own (the marketplace declares its sales)
    assert "not registered for the OSS" in run(
        "reports", "oss", "--seller", "cn-lumo", "--quarter", "2026-Q4", "--home", home(booked), code=2
    )
    assert "not a quarter" in run(
        "reports", "oss", "--seller", SELLER, "--quarter", "2026-11", "--home", home(booked), code=2
    )


def test_fec_is_written_under_its_legal_name(booked: Mandat, tmp_path: Path) -> None:
    out = run(
        "reports", "fec", "--seller", SELLER, "--year", "2026", "--out", str(tmp_path / "fec"), "--home", home(booked)
    )
    target = tmp_path / "fec" / "401234562FEC20261231.txt"
    assert "10 entries, 28 lines, debit 1612.80 = credit 1612.80" in out
    assert sorted(p.name for p in (tmp_path / "fec").iterdir()) == [target.name]
    year = fiscal_year(date(2026, 12, 31))
    expected = io.BytesIO()
    with booked.reader.connect() as conn:
        write_fec(expected, repo.iter_documents_between(conn, SELLER, *year.window()), SELLER, year)
    assert target.read_bytes() == expected.getvalue()
    assert "not a French seller" in run(
        "reports",
        "fec",
        "--seller",
        "cn-lumo",
        "--year",
        "2026",
        "--out",
        str(tmp_path),
        "--home",
        home(booked),
        code=2,
    )


def test_journal_with_the_progress_bar(booked: Mandat, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli_reports, "PROGRESS_FROM", 1)  # the bar, as on a long run
    out = tmp_path / "journal.csv"
    result = CliRunner().invoke(
        app, ["reports", "journal", "--seller", SELLER, "--period", "2026", "--out", str(out), "--home", home(booked)]
    )
    assert result.exit_code == 0, result.output
    assert "journal" in result.stderr
    assert "10/10" in result.stderr
    from tests.reports.test_journal import journal

    assert out.read_bytes() == journal(booked, SELLER, "2026")
    assert parse_period("2026").label == "2026"


def test_usage_errors(booked: Mandat) -> None:
    h = home(booked)
    assert "one of them" in run(
        "reports", "vat", "--seller", SELLER, "--marketplace", "--period", "2026", "--home", h, code=2
    )
    assert "not in the registry" in run("reports", "vat", "--seller", "nobody", "--period", "2026", "--home", h, code=2)
    assert "not a period" in run("reports", "vat", "--seller", SELLER, "--period", "26", "--home", h, code=2)
    assert "--start and --end" in run(
        "reports", "vat", "--seller", SELLER, "--start", "2026-01-01", "--home", h, code=2
    )
