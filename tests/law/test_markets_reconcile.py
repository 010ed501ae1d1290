"""Across every country pack: the totals of any domestic sale reconcile to the cent (EN 16931
BR-CO-10 to BR-CO-17), at every rate of the country's table, in its currency or in another one
with the VAT restated in the national currency — for invoices and for the credit notes of them.

The checks are the standard's own equations, written here, not read from the calculation code.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

from mandat.countries.registry import jurisdiction, known
from mandat.demo import markets
from mandat.demo.sellers import demo_sellers
from mandat.domain.documents import Document
from mandat.domain.exchange import Rate
from mandat.domain.parties import Seller
from mandat.domain.refusals import EventRefused
from tests.markets import credit, fixed_rates, issue, paid, refund

CENT = Decimal("0.01")


def _sellers() -> dict[str, tuple[Seller, list[dict[str, Any]]]]:
    """A seller and its consumer buyers per country with a pack and demo data."""
    out: dict[str, tuple[Seller, list[dict[str, Any]]]] = {}
    fr = demo_sellers()[0]
    out["FR"] = (
        fr,
        [{"kind": "consumer", "name": "Camille Petit", "address": fr.address.model_dump(exclude_none=True)}],
    )
    for market in markets.markets():
        sellers = [s for s in markets.market_sellers() if s.id in {d["id"] for d in market.SELLERS}]
        out[sellers[0].address.country] = (sellers[0], market.CONSUMERS)
    return {cc: v for cc, v in out.items() if cc in known()}


SELLERS = _sellers()
TAX_POINT = date(2026, 11, 19)


def ladder(country: str) -> list[str]:
    pack = jurisdiction(country)
    return [k for k in pack.rate_table(TAX_POINT) if k not in pack.works_keys]


def rates_for(currency: str, national: str) -> Any:
    """One ECB and one NBP rate for every pair the tests use, published the day before the tax point."""
    day = date(2026, 11, 18)
    given = [
        Rate("ECB", "EUR", "USD", Decimal("1.0512"), day),
        Rate("ECB", "EUR", "GBP", Decimal("0.83245"), day),
        Rate("ECB", "EUR", "PLN", Decimal("4.2875"), day),
        Rate("NBP", "EUR", "PLN", Decimal("4.2866"), day, "223/A/NBP/2026"),
        Rate("NBP", "USD", "PLN", Decimal("4.0787"), day, "223/A/NBP/2026"),
        Rate("NBP", "GBP", "PLN", Decimal("5.1577"), day, "223/A/NBP/2026"),
    ]
    del currency, national
    return fixed_rates(*given)


@st.composite
def sales(draw: st.DrawFn) -> tuple[str, dict[str, Any], Seller, Any]:
    country = draw(st.sampled_from(sorted(SELLERS)))
    seller, consumers = SELLERS[country]
    keys = ladder(country)
    lines = []
    for n in range(draw(st.integers(1, 5))):
        price = draw(st.decimals(Decimal("0.01"), Decimal("5000"), places=draw(st.sampled_from([2, 4]))))
        qty = draw(st.decimals(Decimal("0.1"), Decimal("50"), places=draw(st.sampled_from([0, 1, 3]))))
        lines.append(
            {
                "sku": f"SKU-{n}",
                "description": "Article",
                "quantity": str(qty),
                "unit_price": str(price),
                "tax_category": draw(st.sampled_from(keys)),
            }
        )
    national = jurisdiction(country).currency
    currency = draw(st.sampled_from(sorted({national, "EUR", "USD"} - ({"USD"} if national == "GBP" else set()))))
    include_vat = draw(st.booleans())
    buyer = draw(st.sampled_from(consumers))
    try:
        event = paid(seller, buyer, lines, currency=currency, include_vat=include_vat)
    except EventRefused as exc:  # a case the pack refuses for a stated reason is not a reconciliation failure
        event = {"refused": exc.code}
    return country, event, seller, rates_for(currency, national)


def reconciles(doc: Document) -> None:
    t = doc.totals
    lines = sum((ln.net_amount for ln in doc.lines), Decimal(0))
    assert t.line_total == lines  # BR-CO-10
    assert t.tax_exclusive == t.line_total - t.allowance_total + t.charge_total  # BR-CO-13
    assert t.tax_total == sum((b.tax_amount for b in doc.vat_breakdown), Decimal(0))  # BR-CO-14
    assert t.tax_inclusive == t.tax_exclusive + t.tax_total  # BR-CO-15
    assert t.payable == t.tax_inclusive - t.prepaid  # BR-CO-16
    for b in doc.vat_breakdown:
        base = sum(ln.net_amount for ln in doc.lines if (ln.vat_category, ln.vat_rate) == (b.category, b.rate))
        assert b.taxable_amount == base  # BR-S-08 / BR-Z-08 / BR-AE-08
        # BR-CO-17, with the Schematron's tolerance of one cent: prices including VAT may have no net
        # amount whose rounded VAT gives the gross paid (0.01 at 20 % has none).
        assert abs(b.tax_amount - (b.taxable_amount * b.rate / 100).quantize(CENT, ROUND_HALF_UP)) <= CENT
    for amount in (t.line_total, t.tax_exclusive, t.tax_total, t.tax_inclusive, t.payable):
        assert amount == amount.quantize(CENT)  # BR-DEC-*
    if doc.exchange is not None:
        ex = doc.exchange
        assert ex.tax_currency == jurisdiction(doc.country).currency != doc.currency
        converted = [(b.tax_amount * ex.rate).quantize(CENT, ROUND_HALF_UP) for b in doc.vat_breakdown]
        assert [p.tax_amount for p in ex.per_rate] == converted
        assert ex.tax_total == sum(converted, Decimal(0))  # BT-111, the sum of the restated rows


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sales())
def test_every_country_rate_and_currency_reconciles_to_the_cent(sale: tuple[str, dict[str, Any], Seller, Any]) -> None:
    country, event, seller, rates = sale
    note(f"{country} {json.dumps(event)}")
    if "refused" in event:
        return
    doc = issue(event, seller, rates)
    assert doc.country == country
    assert (doc.exchange is not None) == (doc.currency != jurisdiction(country).currency)
    reconciles(doc)
    assert doc.totals.tax_inclusive == doc.payment.amount
    if doc.totals.tax_inclusive == 0:
        return  # nothing to credit (refused as such, tested elsewhere)
    corrected = credit(doc, refund(doc, doc.totals.tax_inclusive), seller)
    note(f"invoice breakdown {doc.vat_breakdown}; credit {corrected.vat_breakdown}")
    reconciles(corrected)
    assert corrected.totals.tax_inclusive == doc.totals.tax_inclusive  # a full refund credits everything
    assert (corrected.exchange is None) == (doc.exchange is None)


def test_every_pack_with_demo_data_is_exercised() -> None:
    assert set(SELLERS) == set(known())


@pytest.mark.parametrize("country", sorted(SELLERS))
def test_each_ladder_rate_alone(country: str) -> None:
    seller, consumers = SELLERS[country]
    for key in ladder(country):
        line = {"sku": "X", "description": "Article", "quantity": "3", "unit_price": "19.99", "tax_category": key}
        doc = issue(paid(seller, consumers[0], [line]), seller)
        reconciles(doc)


# --- across borders: distance sales at the destination's rates, the marketplace's own sales ---------------

CN_SELLER = Seller.model_validate(
    {
        "id": "cn-reconcile",
        "code": "CNR",
        "legal_name": "Shenzhen Reconcile Co., Ltd.",
        "address": {"line1": "1 Keyuan Road", "postcode": "518057", "city": "Shenzhen", "country": "CN"},
    }
)
EU_MARKETS = sorted(cc for cc in SELLERS if cc != "GB")


@st.composite
def cross_border_sales(draw: st.DrawFn) -> tuple[str, dict[str, Any], Seller, Any]:
    origin = draw(st.sampled_from([*EU_MARKETS, "CN"]))
    to = draw(st.sampled_from([cc for cc in EU_MARKETS if cc != origin]))
    if origin == "CN":
        seller = CN_SELLER
        dispatch: dict[str, Any] = {"dispatched_from": draw(st.sampled_from(EU_MARKETS))}
        currency = "EUR"
    else:
        base = SELLERS[origin][0]
        # Opted for destination taxation (Directive art. 59c(2)): every sale at the destination's rates.
        seller = Seller.model_validate(
            {
                **base.model_dump(mode="json"),
                "oss": {"country": origin, "since": "2021-07-01", "destination_option": True},
            }
        )
        dispatch = {}
        currency = draw(st.sampled_from(sorted({jurisdiction(origin).currency, "EUR"})))
    keys = ladder(to)
    lines = []
    for n in range(draw(st.integers(1, 4))):
        price = draw(st.decimals(Decimal("0.01"), Decimal("3000"), places=draw(st.sampled_from([2, 4]))))
        qty = draw(st.decimals(Decimal("0.1"), Decimal("20"), places=draw(st.sampled_from([0, 1, 3]))))
        lines.append(
            {
                "sku": f"SKU-{n}",
                "description": "Article",
                "quantity": str(qty),
                "unit_price": str(price),
                "destination_tax_category": draw(st.sampled_from(keys)),
            }
        )
    buyer = draw(st.sampled_from(SELLERS[to][1]))
    include_vat = draw(st.booleans())
    try:
        event = paid(seller, buyer, lines, currency=currency, include_vat=include_vat, dispatch=dispatch)
    except EventRefused as exc:
        event = {"refused": exc.code}
    return to, event, seller, rates_for(currency, "EUR")


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cross_border_sales())
def test_every_cross_border_consumer_sale_reconciles(sale: tuple[str, dict[str, Any], Seller, Any]) -> None:
    to, event, seller, rates = sale
    note(f"{seller.id} -> {to} {json.dumps(event)}")
    if "refused" in event:
        return
    doc = issue(event, seller, rates)
    table = set(jurisdiction(to).rate_table(TAX_POINT).values())
    assert {ln.vat_rate for ln in doc.lines} <= table  # the destination's rates, whoever invoices
    assert doc.taxed_in == to
    assert (doc.deemed_supply is not None) == (seller is CN_SELLER)
    reconciles(doc)
    assert doc.totals.tax_inclusive == doc.payment.amount
    if doc.totals.tax_inclusive == 0:
        return
    corrected = credit(doc, refund(doc, doc.totals.tax_inclusive), seller)
    reconciles(corrected)
    assert corrected.totals.tax_inclusive == doc.totals.tax_inclusive
    assert corrected.taxed_in == to
    assert {ln.vat_rate for ln in corrected.lines} <= table
