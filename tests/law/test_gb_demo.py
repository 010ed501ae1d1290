"""The demo data of the United Kingdom market issues cleanly: every product and every works order,
to consumers and to each kind of business buyer, passing the EN 16931 Schematron."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from mandat.countries.registry import jurisdiction
from mandat.demo.markets import gb
from mandat.domain.events import Buyer, Line, Works
from tests.markets import issue, paid, schematron_errors, seller_from

BUYERS = gb.CONSUMERS + gb.BUSINESSES


def test_demo_sellers_are_valid_uk_sellers_with_unique_codes() -> None:
    sellers = [seller_from(s) for s in gb.SELLERS]
    assert all(jurisdiction("GB").seller_problems(s) == [] for s in sellers)
    assert len({s.code for s in sellers}) == len(sellers)
    assert all(s.code.startswith("GB") for s in sellers)
    assert all(s.id.startswith("gb-") for s in sellers)


def test_demo_data_is_well_formed_and_covers_the_ladder() -> None:
    for b in BUYERS:
        Buyer.model_validate(b)
    for p in gb.PRODUCTS:
        Line.model_validate(p)
    assert {p["tax_category"] for p in gb.PRODUCTS} == {"standard", "reduced", "zero"}
    assert {ln["tax_category"] for lines, _ in gb.WORKS for ln in lines} == {
        "energy_saving_materials",
        "residential_renovation",
    }
    for _, works in gb.WORKS:
        Works.model_validate(works)


@pytest.mark.parametrize("buyer", BUYERS, ids=[b["name"] for b in BUYERS])
def test_every_product_issues(buyer: dict[str, Any]) -> None:
    seller = seller_from(gb.SELLERS[0])
    doc = issue(paid(seller, buyer, gb.PRODUCTS), seller)
    assert schematron_errors(doc) == []
    # 89.99 + 2 x 24.50 = 138.99 at 20 % -> 27.80; 3 x 7.50 = 22.50 at 5 % -> 1.13; 16.99 at 0 %.
    assert doc.totals.tax_total == Decimal("28.93")


@pytest.mark.parametrize("index", range(len(gb.WORKS)))
@pytest.mark.parametrize("buyer", BUYERS, ids=[b["name"] for b in BUYERS])
def test_every_works_order_issues(index: int, buyer: dict[str, Any]) -> None:
    seller = seller_from(gb.SELLERS[1])
    lines, works = gb.WORKS[index]
    doc = issue(paid(seller, buyer, lines, works=works), seller)
    assert schematron_errors(doc) == []
    categories = {b.category for b in doc.vat_breakdown}
    contractor = (buyer.get("facts") or {}) == {"gb_cis_registered": True, "gb_end_user": False}
    if index == 0:  # energy-saving materials, 0 % until 2027-03-31: outside the reverse charge
        assert categories == {"Z"}
    else:  # renovation at 5 %: reverse-charged to a CIS contractor, else VAT charged
        assert categories == ({"AE"} if contractor else {"S"})
