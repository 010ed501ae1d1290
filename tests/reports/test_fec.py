"""The FEC of the scenario's French seller (LPF art. A47 A-1; BOI-CF-IOR-60-40-20): the structural rules the
administration's test tool checks that can be checked offline, and entries computed by hand."""

from __future__ import annotations

import io
import re
from collections import defaultdict
from datetime import date
from decimal import Decimal

import pytest

from mandat.reports.fec import COLUMNS, FecError, FecStats, fec_filename, fiscal_year, write_fec
from mandat.service.app import Mandat
from mandat.store import repository as repo
from tests.reports.scenario import SELLER

D = Decimal
# A47 A-1, in this order.
EIGHTEEN = [
    "JournalCode",
    "JournalLib",
    "EcritureNum",
    "EcritureDate",
    "CompteNum",
    "CompteLib",
    "CompAuxNum",
    "CompAuxLib",
    "PieceRef",
    "PieceDate",
    "EcritureLib",
    "Debit",
    "Credit",
    "EcritureLet",
    "DateLet",
    "ValidDate",
    "Montantdevise",
    "Idevise",
]
AMOUNT = re.compile(r"^\d+,\d{2}$")


def fec(svc: Mandat, closing: date, start: date | None = None) -> tuple[str, FecStats]:
    year = fiscal_year(closing, start)
    out = io.BytesIO()
    with svc.reader.connect() as conn:
        stats = write_fec(out, repo.iter_documents_between(conn, SELLER, *year.window()), SELLER, year)
    return out.getvalue().decode("utf-8"), stats


def records(text: str) -> list[dict[str, str]]:
    lines = text.split("\n")
    assert lines[-1] == ""  # every record ends with a line feed
    head = lines[0].split("\t")
    return [dict(zip(head, line.split("\t"), strict=True)) for line in lines[1:-1]]


def num(value: str) -> Decimal:
    return Decimal(value.replace(",", "."))


def test_the_eighteen_columns_in_the_order_of_the_law(booked: Mandat) -> None:
    text, _ = fec(booked, date(2026, 12, 31))
    assert COLUMNS == EIGHTEEN
    assert text.split("\n", 1)[0].split("\t") == EIGHTEEN
    assert all(len(line.split("\t")) == 18 for line in text.split("\n")[:-1])


def test_structure_dates_amounts_balanced_entries_and_sequential_numbers(booked: Mandat) -> None:
    text, stats = fec(booked, date(2026, 12, 31))
    rows = records(text)
    assert (stats.entries, stats.lines, len(rows)) == (10, 28, 28)  # E (K) and F (G) have no VAT line
    by_entry: dict[str, list[dict[str, str]]] = defaultdict(list)
    order: list[str] = []
    for r in rows:
        for field in ("EcritureDate", "PieceDate", "ValidDate"):
            day = date(int(r[field][:4]), int(r[field][4:6]), int(r[field][6:]))  # YYYYMMDD, a real day
            assert date(2026, 1, 1) <= day <= date(2026, 12, 31)
        assert AMOUNT.match(r["Debit"]), r
        assert AMOUNT.match(r["Credit"]), r
        assert num(r["Debit"]) == 0 or num(r["Credit"]) == 0
        assert r["JournalCode"] == "VE"
        assert all(r[k] for k in ("CompteNum", "CompteLib", "PieceRef", "EcritureLib")), r
        if not order or order[-1] != r["EcritureNum"]:
            order.append(r["EcritureNum"])
        by_entry[r["EcritureNum"]].append(r)
    # Numbered 1, 2, 3... without gap, each entry's lines together.
    assert order == [str(n) for n in range(1, 11)]
    assert len(order) == len(by_entry)
    for lines in by_entry.values():
        assert sum(num(r["Debit"]) for r in lines) == sum(num(r["Credit"]) for r in lines)
        assert len({(r["PieceRef"], r["EcritureDate"]) for r in lines}) == 1
    # Invoices A 120 + B 120 + C 357 + D 108 (in euro) + E 200 + F 100 + H 119 = 1,124.00 on 411 debit, and
    # the credit notes G 357 + I 23.80 + J 108 = 488.80 on sales and VAT debit.
    assert stats.debit == stats.credit == D("1612.80")


def test_an_invoice_in_dollars_and_a_credit_note_by_hand(booked: Mandat) -> None:
    rows = records(fec(booked, date(2026, 12, 31))[0])

    def entry(n: str) -> list[tuple[str, ...]]:
        keys = ("CompteNum", "PieceRef", "EcritureDate", "Debit", "Credit", "Montantdevise", "Idevise")
        return [tuple(r[k] for k in keys) for r in rows if r["EcritureNum"] == n]

    # D: USD 100.00 + 20.00 at 0.9: 90.00 + 18.00 = 108.00 euro
    assert entry("4") == [
        ("411000", "F-ABE-000004", "20260915", "108,00", "0,00", "120,00", "USD"),
        ("707000", "F-ABE-000004", "20260915", "0,00", "90,00", "100,00", "USD"),
        ("445710", "F-ABE-000004", "20260915", "0,00", "18,00", "20,00", "USD"),
    ]
    # G: the credit note of C, reversed (customer credited, sales and VAT debited)
    assert entry("7") == [
        ("411000", "A-ABE-000001", "20261005", "0,00", "357,00", "", ""),
        ("707000", "A-ABE-000001", "20261005", "300,00", "0,00", "", ""),
        ("445710", "A-ABE-000001", "20261005", "57,00", "0,00", "", ""),
    ]
    # E: intra-EU, no VAT line
    assert entry("5") == [
        ("411000", "F-ABE-000005", "20260915", "200,00", "0,00", "", ""),
        ("707000", "F-ABE-000005", "20260915", "0,00", "200,00", "", ""),
    ]
    c = [r["EcritureLib"] for r in rows if r["EcritureNum"] == "3"]
    assert c == [
        "Facture F-ABE-000003 Client C",
        "Facture F-ABE-000003 S 19.00% DE",
        "Facture F-ABE-000003 S 19.00% DE TVA",
    ]


def test_a_fiscal_year_closing_on_30_september_holds_the_third_quarter_only(booked: Mandat) -> None:
    text, stats = fec(booked, date(2026, 9, 30))
    assert fiscal_year(date(2026, 9, 30)).start == date(2025, 10, 1)
    assert stats.entries == 6
    assert {r["PieceRef"] for r in records(text)} == {f"F-ABE-00000{n}" for n in range(1, 7)}


def test_the_file_name_rule() -> None:
    assert fec_filename("401234562", date(2026, 12, 31)) == "401234562FEC20261231.txt"
    assert fec_filename("401234562", date(2027, 3, 31)) == "401234562FEC20270331.txt"
    with pytest.raises(FecError, match="not a SIREN"):
        fec_filename("40123456", date(2026, 12, 31))


def test_a_document_with_no_amount_in_euro_is_refused(booked: Mandat) -> None:
    year = fiscal_year(date(2026, 12, 31))
    with booked.reader.connect() as conn:
        docs = list(repo.iter_documents_between(conn, SELLER, *year.window()))
    d = next(x for x in docs if x.number == "F-ABE-000004").model_copy(update={"exchange": None})
    with pytest.raises(FecError, match="F-ABE-000004 is in USD"):
        write_fec(io.BytesIO(), [d], SELLER, year)


def test_the_same_records_give_the_same_bytes(booked: Mandat) -> None:
    assert fec(booked, date(2026, 12, 31))[0] == fec(booked, date(2026, 12, 31))[0]
