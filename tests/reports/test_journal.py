"""The journal of document lines: one row per line, as the records state them."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from mandat.reports.common import parse_period
from mandat.reports.journal import COLUMNS, write_journal
from mandat.service.app import Mandat
from mandat.store import repository as repo
from tests.reports.scenario import MP, SELLER

D = Decimal


def journal(svc: Mandat, owner: str, period: str) -> bytes:
    when = parse_period(period)
    out = io.BytesIO()
    with svc.reader.connect() as conn:
        write_journal(out, repo.iter_documents_between(conn, owner, *when.window()), when, owner)
    return out.getvalue()


def test_one_row_per_line_with_the_documents_facts(booked: Mandat) -> None:
    rows = list(csv.DictReader(io.StringIO(journal(booked, SELLER, "2026").decode())))
    assert list(rows[0]) == COLUMNS
    assert [r["number"] for r in rows] == [
        *(f"F-ABE-00000{n}" for n in range(1, 7)),
        "A-ABE-000001",
        "F-ABE-000007",
        "A-ABE-000002",
        "A-ABE-000003",
    ]
    g = rows[6]
    assert {k: g[k] for k in ("kind", "issue_date", "corrects", "buyer_country", "taxing_country", "scheme")} == {
        "kind": "credit_note",
        "issue_date": "2026-10-05",
        "corrects": "F-ABE-000003",
        "buyer_country": "DE",
        "taxing_country": "DE",
        "scheme": "oss",
    }
    assert (g["category"], g["rate"], g["net"], g["signed_net"], g["line_vat"], g["currency"]) == (
        "S",
        "19.00",
        "300.00",
        "-300.00",
        "57.00",
        "EUR",
    )
    # Net sales of the year by currency: 100 + 100 + 300 + 200 + 100 - 300 + 100 - 20 = 580.00 EUR; USD 100 - 100.
    sums: dict[str, Decimal] = {}
    for r in rows:
        sums[r["currency"]] = sums.get(r["currency"], D(0)) + D(r["signed_net"])
    assert sums == {"EUR": D("580.00"), "USD": D("0.00")}


def test_the_marketplace_journal_and_deterministic_bytes(booked: Mandat) -> None:
    text = journal(booked, MP, "2026-Q4")
    assert text == journal(booked, MP, "2026-Q4")
    rows = list(csv.DictReader(io.StringIO(text.decode())))
    assert [(r["series_owner"], r["seller_id"], r["number"], r["taxing_country"], r["currency"]) for r in rows] == [
        ("@bricomarket", "cn-lumo", "MP-00000001", "PL", "EUR"),
        ("@bricomarket", "atelier-bois-eu", "UK-00000001", "GB", "GBP"),
    ]
    assert journal(booked, MP, "2026-Q3") == (",".join(COLUMNS) + "\n").encode()
