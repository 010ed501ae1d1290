"""The cross-border sample files of examples/ (docs/events.md), run as a user runs them: sellers imported,
events ingested through the CLI, documents read back. Expected figures by hand from the law:

1. 9,800.00 of distance sales so far + 100.00 net at the French 20 % = 9,900.00 <= 10,000: French VAT
   (Directive 2006/112/EC art. 59c): 120.00 = 100.00 + 20.00;
2. the next sale would reach 9,900.00 + 297.50 > 10,000: taxed in Germany (art. 33) at 19 %:
   357.00 = 300.00 + 57.00, through the OSS;
3. from the seller's stock in Germany where it is registered (art. 32): German 19 %: 23.80 = 20.00 + 3.80;
4. a Chinese seller's goods in the marketplace's French warehouse for a Polish consumer: the marketplace
   sells them (art. 14a(2)) at the Polish 23 %: 123.00 = 100.00 + 23.00, in its series MP;
5. a EUR 40 consignment from China to Italy: the marketplace's IOSS sale (art. 14a(1)) at the Italian 22 %:
   48.80 = 40.00 + 8.80;
6. a GBP 50 consignment from France to London: the marketplace's UK sale (VATA 1994 s.5A) at 20 %:
   GBP 60.00 = 50.00 + 10.00, in its series UK.
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

from typer.testing import CliRunner

from mandat.cli.main import app
from mandat.service.app import Mandat
from mandat.service.config import Settings
from mandat.store import repository as repo

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
D = Decimal


def run(*args: str) -> str:
    result = CliRunner().invoke(app, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def test_the_cross_border_examples_issue_what_the_law_says(tmp_path: Path) -> None:
    home = tmp_path / "data"
    run("sellers", "import", str(EXAMPLES / "cross-border-sellers.json"), "--home", str(home))
    out = run("ingest", str(EXAMPLES / "cross-border.jsonl"), "--home", str(home))
    assert re.search(r"issued\s*│ 6 ", out), out
    service = Mandat.open(Settings.from_env(home=home))
    with service.reader.connect() as conn:
        docs = {d.order_id: d for d in repo.iter_documents(conn)}
    got = {
        order: (
            d.number,
            d.country,
            d.taxed_in,
            d.scheme,
            d.currency,
            d.totals.tax_exclusive,
            d.totals.tax_total,
            d.totals.tax_inclusive,
        )
        for order, d in docs.items()
    }
    assert got == {
        "CMD-XB-0001": ("F-ABE-000001", "FR", None, None, "EUR", D("100.00"), D("20.00"), D("120.00")),
        "CMD-XB-0002": ("F-ABE-000002", "FR", "DE", "oss", "EUR", D("300.00"), D("57.00"), D("357.00")),
        "CMD-XB-0003": ("F-ABE-000003", "DE", None, None, "EUR", D("20.00"), D("3.80"), D("23.80")),
        "CMD-XB-0004": ("MP-00000001", "FR", "PL", "oss", "EUR", D("100.00"), D("23.00"), D("123.00")),
        "CMD-XB-0005": ("MP-00000002", "FR", "IT", "ioss", "EUR", D("40.00"), D("8.80"), D("48.80")),
        "CMD-XB-0006": ("UK-00000001", "GB", "GB", "uk_omp", "GBP", D("50.00"), D("10.00"), D("60.00")),
    }
    assert docs["CMD-XB-0003"].seller.vat_id == "DE136695976"  # the seller's German number
    assert docs["CMD-XB-0004"].deemed_supply is not None
    assert docs["CMD-XB-0004"].deemed_supply.seller_id == "cn-lumo"
    assert "audit passed" in run("audit", "--home", str(home))
