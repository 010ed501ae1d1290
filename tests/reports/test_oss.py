"""The OSS return data of the scenario (tests/reports/scenario.py), figures by hand.

Directive 2006/112/EC art. 369g and Implementing Regulation (EU) No 282/2011 art. 61: a change to an earlier
quarter's figures goes in a later return, per member state of consumption and naming the corrected period;
a credit note for an invoice of the same quarter is netted in it.
"""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from mandat.reports.common import parse_quarter
from mandat.reports.oss import NotInEuro, OssReturn, oss_return
from mandat.service.app import Mandat
from mandat.store import repository as repo
from tests.reports.scenario import MP, SELLER

D = Decimal
HEAD = (
    "member_state_of_identification,period,section,corrected_period,member_state_of_consumption,category,rate,"
    "taxable_base_eur,vat_eur,documents\n"
)


def oss(svc: Mandat, owner: str, quarter: str, identification: str = "FR") -> OssReturn:
    when = parse_quarter(quarter)
    with svc.reader.connect() as conn:
        return oss_return(repo.iter_documents_between(conn, owner, *when.window()), owner, identification, when)


def test_q3_holds_the_distance_sale_taxed_in_germany(booked: Mandat) -> None:
    # Only C is an OSS sale: A, D domestic, B under the threshold (French VAT), E intra-EU, F export.
    assert oss(booked, SELLER, "2026-Q3").csv().decode() == HEAD + "FR,2026-Q3,supplies,,DE,S,19.00,300.00,57.00,1\n"


def test_q4_nets_its_own_credit_note_and_lists_the_correction_of_q3_apart(booked: Mandat) -> None:
    got = oss(booked, SELLER, "2026-Q4")
    assert got.csv().decode() == HEAD + (
        # H 100.00 + 19.00, less I (its goodwill, same quarter) 20.00 + 3.80
        "FR,2026-Q4,supplies,,DE,S,19.00,80.00,15.20,2\n"
        # G credits C, an invoice of 2026-Q3
        "FR,2026-Q4,corrections,2026-Q3,DE,S,19.00,-300.00,-57.00,1\n"
    )
    data = json.loads(got.json())
    assert data["corrections"] == [
        {
            "corrected_period": "2026-Q3",
            "member_state_of_consumption": "DE",
            "category": "S",
            "rate": "19.00",
            "taxable_base_eur": "-300.00",
            "vat_eur": "-57.00",
            "documents": 1,
        }
    ]
    assert data["totals"] == {"taxable_base_eur": "-220.00", "vat_eur": "-41.80"}


def test_the_marketplace_declares_its_deemed_distance_sale(booked: Mandat) -> None:
    # K (Poland, 23 %); the IOSS and UK sales are other returns.
    got = oss(booked, MP, "2026-Q4")
    assert got.csv().decode() == HEAD + "FR,2026-Q4,supplies,,PL,S,23.00,100.00,23.00,1\n"


def test_a_document_not_in_euro_is_refused(booked: Mandat) -> None:
    when = parse_quarter("2026-Q4")
    with booked.reader.connect() as conn:
        docs = list(repo.iter_documents_between(conn, SELLER, *when.window()))
    h = next(d for d in docs if d.number == "F-ABE-000007")
    in_pln = h.model_copy(update={"currency": "PLN"})
    with pytest.raises(NotInEuro, match=r"F-ABE-000007 .* PLN.*2026-12-31.*art\. 369h"):
        oss_return([in_pln], SELLER, "FR", when)


def test_a_quarter_is_spelled_2026_q4() -> None:
    assert (parse_quarter("2026-q2").start.isoformat(), parse_quarter("2026Q2").last_day.isoformat()) == (
        "2026-04-01",
        "2026-06-30",
    )
    with pytest.raises(ValueError, match="not a quarter"):
        parse_quarter("2026-11")
