"""Goods from the EU to Northern Ireland (issue 14: "the UK is a third country except for Northern Ireland goods").

The law, by hand: under the Windsor Framework (art. 8 and Annex 3, formerly the Protocol on Ireland/Northern
Ireland) the EU VAT rules on goods apply in Northern Ireland, whose VAT numbers for goods are prefixed XI:

* goods to a business identified with an XI number: an exempt intra-EU supply (Directive 2006/112/EC
  art. 138), category K, both VAT numbers printed;
* goods to a consumer: a distance sale (art. 33), counted toward the seller's EUR 10,000 (art. 59c): below
  it the seller's own VAT; above it (or by option) the VAT of Northern Ireland, which is the UK's rate
  (20 % standard, VATA 1994 s.2), declared through the Union OSS;
* services remain those of a third country, and the United Kingdom's own sellers are not handled there.

Northern Ireland is recognised by its BT postcodes.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from mandat.demo.markets import de
from mandat.domain.parties import DistanceSalesOpening, OneStopShop
from tests.factories import seller
from tests.markets import credit, issue, paid, refund, refused, schematron_errors, seller_from

D = Decimal
BELFAST = {"line1": "1 Donegall Square", "postcode": "BT1 5GS", "city": "Belfast", "country": "GB"}
NI_CONSUMER: dict[str, Any] = {"kind": "consumer", "name": "Siobhan Kelly", "address": BELFAST}
NI_COMPANY: dict[str, Any] = {
    "kind": "business",
    "name": "Belfast Build Supplies Ltd",
    "vat_id": "XI980780684",
    "address": BELFAST,
    "vies": {"checked_at": "2026-11-18T10:14:00+01:00", "reference": "WAPIAAAAXI0001", "valid": True},
}
BELOW = DistanceSalesOpening(year=2026, previous_year=D("2000.00"), current_year=D("3000.00"))
OSS = OneStopShop(country="DE", since=date(2021, 7, 1))
DE_SELLER = seller_from(de.SELLERS[0]).model_copy(update={"oss": OSS, "distance_sales": BELOW})
DE_OPTED = DE_SELLER.model_copy(update={"oss": OSS.model_copy(update={"destination_option": True})})


def hammer(price: str = "100.00") -> dict[str, Any]:
    return {"sku": "HAMMER", "description": "Hammer", "quantity": "1", "unit_price": price, "tax_category": "standard"}


def figures(doc: Any) -> tuple[Decimal, Decimal, Decimal]:
    return doc.totals.tax_exclusive, doc.totals.tax_total, doc.totals.tax_inclusive


def test_below_the_threshold_a_german_sellers_parcel_to_belfast_bears_german_vat() -> None:
    doc = issue(paid(DE_SELLER, NI_CONSUMER, [hammer()]), DE_SELLER)
    # 5,000.00 so far + 100.00 <= 10,000: German 19 %
    assert figures(doc) == (D("100.00"), D("19.00"), D("119.00"))
    assert (doc.country, doc.taxed_in, doc.scheme) == ("DE", None, None)
    assert schematron_errors(doc) == []


def test_by_option_it_bears_the_vat_of_northern_ireland_through_the_oss() -> None:
    doc = issue(paid(DE_OPTED, NI_CONSUMER, [hammer()]), DE_OPTED)
    # the UK's 20 %, not Germany's 19 %
    assert figures(doc) == (D("100.00"), D("20.00"), D("120.00"))
    assert (doc.country, doc.taxed_in, doc.scheme) == ("DE", "XI", "oss")
    assert schematron_errors(doc) == []
    note = credit(doc, refund(doc, "120.00"), DE_OPTED)
    assert figures(note) == (D("100.00"), D("20.00"), D("120.00"))
    assert (note.taxed_in, note.scheme) == ("XI", "oss")


def test_goods_to_a_business_with_an_xi_number_are_an_intra_eu_supply() -> None:
    fr = seller("atelier-bois")
    doc = issue(paid(fr, NI_COMPANY, [hammer("250.00")]), fr)
    assert figures(doc) == (D("250.00"), D("0.00"), D("250.00"))
    assert [(b.category, b.exemption_code) for b in doc.vat_breakdown] == [("K", "VATEX-EU-IC")]
    texts = " ".join(m.text for m in doc.mentions)
    assert "XI980780684" in texts
    assert "FR46401234562" in texts
    assert schematron_errors(doc) == []


def test_a_business_with_a_gb_number_is_refused() -> None:
    fr = seller("atelier-bois")
    gb_company = {**NI_COMPANY, "vat_id": "GB980780684"}
    assert "XI" in refused(paid(fr, gb_company, [hammer()], amount="100.00"), fr, "unsupported_case").reason


def test_services_to_northern_ireland_stay_those_of_a_third_country() -> None:
    fr = seller("atelier-bois")
    service = {**hammer(), "nature": "service"}
    refused(paid(fr, NI_COMPANY, [service], amount="100.00"), fr, "unsupported_case")


def test_a_chinese_sellers_goods_for_belfast_are_refused() -> None:
    cn = seller_from(
        {
            "id": "cn-lumo",
            "code": "LUMO",
            "legal_name": "Shenzhen Lumo Lighting Co., Ltd.",
            "address": {"line1": "88 Keyuan Road", "postcode": "518057", "city": "Shenzhen", "country": "CN"},
        }
    )
    event = paid(
        cn,
        NI_CONSUMER,
        [hammer()],
        currency="GBP",
        amount="120.00",
        dispatch={"consignment": {"value": "100.00", "currency": "GBP"}},
    )
    refused(event, cn, "territory_unhandled")
