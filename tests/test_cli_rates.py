"""`mandat rates import` and `mandat rates list`, run as an operator would (typer's runner, real files)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from typer.testing import CliRunner

from mandat.cli.main import app

FIXTURES = Path(__file__).parent / "fixtures" / "rates"
runner = CliRunner()


def invoke(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_import_reports_each_file_and_reimport_changes_nothing(tmp_path: Path) -> None:
    home = str(tmp_path / "data")
    files = [str(FIXTURES / "eurofxref-hist-90d.xml"), str(FIXTURES / "a232z261202.xml")]
    code, out, err = invoke("rates", "import", *files, "--home", home)
    assert (code, err) == (0, "")
    ecb_line, nbp_line = out.strip().splitlines()
    assert ecb_line == (
        f"{files[0]}: ECB eurofxref, 4 days (2026-11-27..2026-12-02), 5 currencies (CHF EUR GBP PLN USD): "
        "16 new, 0 unchanged, 0 conflicts"
    )
    assert nbp_line.startswith(f"{files[1]}: NBP table A (tabela_kursow XML), 1 day (2026-12-02), 9 currencies")
    assert nbp_line.endswith("8 new, 0 unchanged, 0 conflicts")
    code, out, _ = invoke("rates", "import", *files, "--home", home)
    assert code == 0
    assert "0 new, 16 unchanged, 0 conflicts" in out
    assert "0 new, 8 unchanged, 0 conflicts" in out


def test_conflicting_file_exits_1_and_keeps_the_stored_rates(tmp_path: Path) -> None:
    home = str(tmp_path / "data")
    assert invoke("rates", "import", str(FIXTURES / "eurofxref-daily.xml"), "--home", home)[0] == 0
    changed = tmp_path / "changed.xml"
    changed.write_bytes((FIXTURES / "eurofxref-daily.xml").read_bytes().replace(b"'1.0512'", b"'1.0515'"))
    code, out, err = invoke("rates", "import", str(changed), "--home", home)
    assert code == 1
    assert "0 new, 9 unchanged, 1 conflicts" in out
    assert "ECB EUR->USD 2026-12-02: stored 1.0512, the file says 1.0515" in err
    assert "nothing imported from this file" in err
    code, out, _ = invoke("rates", "list", "--currency", "usd", "--json", "--home", home)
    assert code == 0
    assert [(r["day"], r["rate"]) for r in json.loads(out)] == [("2026-12-02", "1.0512")]


def test_unreadable_files_exit_1_naming_them_and_the_good_ones_still_import(tmp_path: Path) -> None:
    home = str(tmp_path / "data")
    html = tmp_path / "eurofxref-daily.xml"
    html.write_text("<html><body>Service unavailable</body></html>")
    good = tmp_path / "good.json"
    shutil.copy(FIXTURES / "nbp-api-tables-a.json", good)
    code, out, err = invoke("rates", "import", str(html), str(tmp_path / "missing.xml"), str(good), "--home", home)
    assert code == 1
    assert f"{html}: XML with root <html>: neither an ECB eurofxref file" in err
    assert f"{tmp_path / 'missing.xml'}: cannot read" in err
    assert f"{good}: NBP table A (api.nbp.pl JSON), 2 days (2026-12-01..2026-12-02)" in out
    assert "10 new" in out
    assert "Traceback" not in out + err


def test_list_filters_by_source_currency_and_day(tmp_path: Path) -> None:
    home = str(tmp_path / "data")
    invoke(
        "rates", "import", str(FIXTURES / "eurofxref-hist-90d.xml"), str(FIXTURES / "a232z261202.xml"), "--home", home
    )
    code, out, _ = invoke("rates", "list", "--source", "NBP", "--currency", "HUF", "--home", home)
    assert code == 0
    assert "2026-12-02" in out
    assert "0.010459" in out
    assert "232/A/NBP/2026" in out
    assert out.strip().endswith("1 rate")
    code, out, _ = invoke("rates", "list", "--source", "ECB", "--since", "2026-12-01", "--json", "--home", home)
    rows = json.loads(out)
    assert {r["day"] for r in rows} == {"2026-12-01", "2026-12-02"}
    assert {r["source"] for r in rows} == {"ECB"}
    assert len(rows) == 8
    code, _, err = invoke("rates", "list", "--since", "yesterday", "--home", home)
    assert code == 2
    assert "'yesterday' is not a date YYYY-MM-DD" in err


def test_import_wakes_events_waiting_for_a_rate(tmp_path: Path) -> None:
    from datetime import UTC, datetime, timedelta

    from mandat.service.app import Mandat
    from mandat.service.config import Settings
    from mandat.store.schema import inbox

    home = tmp_path / "data"
    assert invoke("rates", "import", str(FIXTURES / "eurofxref-daily.xml"), "--home", str(home))[0] == 0
    service = Mandat(Settings.from_env(home))
    later = datetime.now(UTC) + timedelta(hours=30)
    with service.engine.begin() as conn:
        conn.execute(
            inbox.insert().values(
                event_id="evt-gbp",
                event_type="order.paid",
                payload="{}",
                status="waiting",
                reason_code="rate_missing",
                received_at=later,
                updated_at=later,
                available_at=later,
            )
        )
    service.engine.dispose()
    # Nothing new: nobody is woken for nothing.
    _, out, _ = invoke("rates", "import", str(FIXTURES / "eurofxref-daily.xml"), "--home", str(home))
    assert "waiting" not in out
    _, out, _ = invoke("rates", "import", str(FIXTURES / "eurofxref-hist-90d.xml"), "--home", str(home))
    assert "1 event waiting for a rate now due (`mandat worker`)" in out
