"""The VAT report of the scenario (tests/reports/scenario.py), expected figures by hand in the docstring there.

Credit notes are subtracted in the quarter they were issued (Directive 2006/112/EC art. 90), not in the
quarter of the invoice they correct: the 2026-Q3 report keeps C and D whole, the 2026-Q4 report carries
their credit notes G and J.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from mandat.reports.common import parse_period
from mandat.reports.vat import VatReport, vat_report
from mandat.service.app import Mandat
from mandat.service.config import Settings
from mandat.store import repository as repo
from tests.reports.scenario import MP, SELLER, book

D = Decimal
HEAD = (
    "owner,period_start,period_end,taxing_country,regime,category,rate,currency,taxable_base,vat,invoices,"
    "credit_notes,declaration_currency,declared_taxable_base,declared_vat\n"
)


def report(svc: Mandat, owner: str, period: str) -> VatReport:
    when = parse_period(period)
    with svc.reader.connect() as conn:
        return vat_report(repo.iter_documents_between(conn, owner, *when.window(), batch=2), owner, when)


def test_q3_per_country_regime_category_rate_and_currency(booked: Mandat) -> None:
    got = report(booked, SELLER, "2026-Q3")
    assert got.documents == 6
    assert got.csv().decode() == HEAD + (
        # C: the sale that crossed the threshold, taxed in Germany through the OSS
        "atelier-bois-eu,2026-07-01,2026-09-30,DE,oss,S,19.00,EUR,300.00,57.00,1,0,EUR,300.00,57.00\n"
        # A + B: 100.00 + 100.00 at 20 %
        "atelier-bois-eu,2026-07-01,2026-09-30,FR,domestic,S,20.00,EUR,200.00,40.00,2,0,EUR,200.00,40.00\n"
        # D: USD 100.00 + 20.00, declared in euro at 0.9: 90.00 + 18.00
        "atelier-bois-eu,2026-07-01,2026-09-30,FR,domestic,S,20.00,USD,100.00,20.00,1,0,EUR,90.00,18.00\n"
        "atelier-bois-eu,2026-07-01,2026-09-30,FR,export,G,0.00,EUR,100.00,0.00,1,0,EUR,100.00,0.00\n"
        "atelier-bois-eu,2026-07-01,2026-09-30,FR,intra_eu_exempt,K,0.00,EUR,200.00,0.00,1,0,EUR,200.00,0.00\n"
    )
    assert got.totals() == {"EUR": (D("800.00"), D("97.00")), "USD": (D("100.00"), D("20.00"))}


def test_q4_nets_the_credit_notes_in_the_quarter_they_were_issued(booked: Mandat) -> None:
    got = report(booked, SELLER, "2026-Q4")
    assert got.documents == 4  # G, H, I, J
    assert got.csv().decode() == HEAD + (
        # -300.00 (G) + 100.00 (H) - 20.00 (I) = -220.00; -57.00 + 19.00 - 3.80 = -41.80
        "atelier-bois-eu,2026-10-01,2026-12-31,DE,oss,S,19.00,EUR,-220.00,-41.80,1,2,EUR,-220.00,-41.80\n"
        # J: USD -100.00 - 20.00, in euro at the invoice's 0.9: -90.00 - 18.00
        "atelier-bois-eu,2026-10-01,2026-12-31,FR,domestic,S,20.00,USD,-100.00,-20.00,0,1,EUR,-90.00,-18.00\n"
    )
    data = json.loads(got.json())
    assert data["totals"] == {
        "EUR": {"taxable_base": "-220.00", "vat": "-41.80"},
        "USD": {"taxable_base": "-100.00", "vat": "-20.00"},
    }
    assert data["period"] == {"label": "2026-Q4", "start": "2026-10-01", "end": "2026-12-31"}


def test_the_year_is_the_sum_of_its_quarters(booked: Mandat) -> None:
    year = report(booked, SELLER, "2026")
    assert year.documents == 10
    assert year.totals() == {"EUR": (D("580.00"), D("55.20")), "USD": (D("0.00"), D("0.00"))}
    rows = {
        (r.taxing_country, r.regime, r.currency): (r.taxable_base, r.vat, r.invoices, r.credit_notes) for r in year.rows
    }
    assert rows[("DE", "oss", "EUR")] == (D("80.00"), D("15.20"), 2, 2)
    assert rows[("FR", "domestic", "USD")] == (D("0.00"), D("0.00"), 1, 1)


def test_a_month_without_documents_is_empty(booked: Mandat) -> None:
    got = report(booked, SELLER, "2026-08")
    assert (got.documents, got.rows) == (0, [])
    assert got.csv().decode() == HEAD


def test_the_marketplace_reports_its_deemed_supplies_apart_from_the_sellers(booked: Mandat) -> None:
    got = report(booked, MP, "2026-Q4")
    assert got.csv().decode() == HEAD + (
        "@bricomarket,2026-10-01,2026-12-31,GB,deemed_uk_omp,S,20.00,GBP,50.00,10.00,1,0,GBP,50.00,10.00\n"
        "@bricomarket,2026-10-01,2026-12-31,PL,deemed_oss,S,23.00,EUR,100.00,23.00,1,0,EUR,100.00,23.00\n"
    )
    # The UK parcel was atelier-bois-eu's order, but the marketplace's sale: not in the seller's report.
    assert all(r.currency != "GBP" for r in report(booked, SELLER, "2026").rows)


def test_the_same_records_give_the_same_bytes(booked: Mandat, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    again = Mandat(Settings.from_env(tmp_path / "again"))
    again.migrate()
    book(again, monkeypatch)
    try:
        for owner, period in ((SELLER, "2026"), (SELLER, "2026-Q4"), (MP, "2026-Q4")):
            first, second = report(booked, owner, period), report(again, owner, period)
            assert first.csv() == second.csv()
            assert first.json() == second.json()
            assert report(booked, owner, period).json() == first.json()
    finally:
        again.engine.dispose()


@pytest.mark.postgres
def test_the_vat_report_on_postgresql(pg: object, tmp_path: Path) -> None:
    """On the real server (its own clock stamps the documents: the period is the days around today)."""
    from datetime import UTC, datetime, timedelta

    from sqlalchemy.engine import Engine

    from mandat.reports.common import between
    from tests.reports.scenario import Q3_EVENTS, issue, sellers

    assert isinstance(pg, Engine)
    svc = Mandat(Settings.from_env(tmp_path / "data"), engine=pg)
    svc.save_sellers(sellers())
    a, c, e = Q3_EVENTS[0], Q3_EVENTS[2], Q3_EVENTS[4]
    issue(svc, [a, c, e])
    today = datetime.now(UTC).date()
    when = between(today - timedelta(days=2), today + timedelta(days=2))
    with svc.reader.connect() as conn:
        got = vat_report(repo.iter_documents_between(conn, SELLER, *when.window(), batch=1), SELLER, when)
    rows = [(r.taxing_country, r.regime, r.category, r.rate, r.taxable_base, r.vat, r.invoices) for r in got.rows]
    # C: 9,800 + 297.50 > 10,000 at once: taxed in Germany
    assert rows == [
        ("DE", "oss", "S", D("19"), D("300.00"), D("57.00"), 1),
        ("FR", "domestic", "S", D("20"), D("100.00"), D("20.00"), 1),
        ("FR", "intra_eu_exempt", "K", D("0"), D("200.00"), D("0.00"), 1),
    ]
