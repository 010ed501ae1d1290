"""The Italian demo market issues cleanly: every product and every works order, to consumers and to
businesses, each document valid against EN 16931 (Schematron) and carrying the SdI copy notice.

Works orders to a business: the goods-and-services order is refused (works contract or sale with
installation, art. 17 c.6 lett. a-ter: not said by the event); its services alone are reverse charged.
Figures of the first works order, by hand: labour 600 + materials 100 = 700 < boiler 1,800, so
10 % on 700 + 700 = 1,400 -> 140.00 and 22 % on 1,100 -> 242.00; total 2,500 + 382 = 2,882.00.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from mandat.demo.markets.it import BUSINESSES, CONSUMERS, PRODUCTS, SELLERS, WORKS
from mandat.domain.parties import Seller
from tests.markets import issue, paid, refused, schematron_errors, seller_from

SHOP, INSTALLER = (seller_from(s) for s in SELLERS)


def test_demo_sellers_validate_without_problems() -> None:
    from mandat.countries.registry import jurisdiction

    for s in (SHOP, INSTALLER):
        assert isinstance(s, Seller)
        assert s.code.startswith("IT")
        assert jurisdiction("IT").seller_problems(s) == []


@pytest.mark.parametrize("buyer", CONSUMERS + BUSINESSES, ids=lambda b: b["name"])
@pytest.mark.parametrize("product", PRODUCTS, ids=lambda p: p["sku"])
def test_every_product(product: dict[str, Any], buyer: dict[str, Any]) -> None:
    doc = issue(paid(SHOP, buyer, [product]), SHOP)
    assert schematron_errors(doc) == []
    assert doc.legal_channel == "SdI"
    assert doc.totals.tax_total > 0


def test_every_ladder_key_has_a_product() -> None:
    assert {p["tax_category"] for p in PRODUCTS} == {"standard", "intermediate", "reduced", "super_reduced"}


@pytest.mark.parametrize("buyer", CONSUMERS, ids=lambda b: b["name"])
@pytest.mark.parametrize("order", range(len(WORKS)))
def test_every_works_order_to_consumers(order: int, buyer: dict[str, Any]) -> None:
    lines, works = WORKS[order]
    doc = issue(paid(INSTALLER, buyer, lines, works=works), INSTALLER)
    assert schematron_errors(doc) == []
    assert {ln.vat_rate for ln in doc.lines} <= {Decimal("10"), Decimal("22")}
    if order == 0:
        assert (doc.totals.tax_total, doc.totals.tax_inclusive) == (Decimal("382.00"), Decimal("2882.00"))


@pytest.mark.parametrize("buyer", BUSINESSES, ids=lambda b: b["name"])
@pytest.mark.parametrize("order", range(len(WORKS)))
def test_every_works_order_to_businesses(order: int, buyer: dict[str, Any]) -> None:
    lines, works = WORKS[order]
    refused(paid(INSTALLER, buyer, lines, works=works, amount="1.00"), INSTALLER, "reverse_charge_condition_missing")
    services = [ln for ln in lines if ln.get("nature") == "service"]
    doc = issue(paid(INSTALLER, buyer, services, works=works), INSTALLER)
    assert schematron_errors(doc) == []
    assert [b.category for b in doc.vat_breakdown] == ["AE"]
    assert doc.totals.tax_total == 0
