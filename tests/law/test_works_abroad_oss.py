"""Works services for a consumer on a property in another member state, through the seller's OSS (issue 14).

The law, by hand:

* a service connected with immovable property is supplied where the property is (Directive 2006/112/EC
  art. 47): for a consumer, the VAT of that state at its rate, which a supplier not established there may
  declare through the Union OSS (art. 369a(1), 369b, from 2021-07-01), the invoice following the rules of
  its member state of identification (art. 219a(2)(b)): the seller's own country and series;
* the property's reduced works rates come with conditions and statements of that state's law: a destination
  works-rate key is refused for now; the standard rate of the property's state applies;
* goods supplied and installed are supplied where installed (art. 36), which is not a distance sale (art. 33):
  no OSS, the seller registers there: refused, as without an OSS.

Rates (2026): DE 19 %, BE 21 %, ES 21 %, IT 22 %, PT 23 %. Prices net: VAT = net x rate, half-up to the cent.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from mandat.demo.markets import be, de, es, it, pt
from mandat.domain.documents import Document
from mandat.domain.parties import OneStopShop, Seller
from tests.factories import seller
from tests.markets import NOW, credit, drafted, paid, refund, refused, schematron_errors, seller_from

D = Decimal
FR_INSTALLER = seller("thermoconfort")  # Lyon, FR75512345679, works insurance on record
OSS_FR = OneStopShop(country="FR", since=date(2021, 7, 1))
FR_OSS = FR_INSTALLER.model_copy(update={"oss": OSS_FR})
DE_CONSUMER = de.CONSUMERS[0]  # Lena Hoffmann, Köln
BE_CONSUMER = be.CONSUMERS[0]  # Sophie Lambert, Liège
FR_CONSUMER: dict[str, Any] = {
    "kind": "consumer",
    "name": "Camille Lefèvre",
    "address": {"line1": "8 rue de l'Église", "postcode": "35000", "city": "Rennes", "country": "FR"},
}
MALAGA = {"line1": "Calle Larios 4", "postcode": "29005", "city": "Málaga", "country": "ES"}


def labour(price: str, sku: str = "POSE", **more: Any) -> dict[str, Any]:
    item = {"sku": sku, "description": "Installation", "quantity": "1", "unit_price": price}
    return {**item, "nature": "service", "works_part": "labour", **more}


def pump(price: str = "4000.00") -> dict[str, Any]:
    return {"sku": "PAC-8", "description": "Heat pump 8 kW", "quantity": "1", "unit_price": price}


def issued(s: Seller, buyer: dict[str, Any], lines: list[dict[str, Any]], **kw: Any) -> Document:
    event = paid(s, buyer, lines, **kw)
    d = drafted(event, s)
    assert d.series_owner == ""  # the seller's own sale, under its mandate
    doc = d.finalize(1, NOW, "0" * 64)
    assert schematron_errors(doc) == []
    return doc


def figures(doc: Document) -> tuple[Decimal, Decimal, Decimal]:
    t = doc.totals
    return t.tax_exclusive, t.tax_total, t.tax_inclusive


def rates(doc: Document) -> list[tuple[str, Decimal | None, Decimal]]:
    return [(b.category, b.rate, b.tax_amount) for b in doc.vat_breakdown]


def where(doc: Document) -> tuple[str, str | None, str | None]:
    return doc.country, doc.taxed_in, doc.scheme


def test_installation_for_a_german_consumer_is_taxed_in_germany_through_the_oss() -> None:
    # 1 x 1,500.00 at 19 % = 285.00 -> 1,785.00; French rules and series, German VAT, French OSS.
    doc = issued(FR_OSS, DE_CONSUMER, [labour("1500.00")])
    assert figures(doc) == (D("1500.00"), D("285.00"), D("1785.00"))
    assert rates(doc) == [("S", D("19"), D("285.00"))]
    assert where(doc) == ("FR", "DE", "oss")
    assert doc.seller.vat_id == "FR75512345679"
    assert doc.number.startswith("F-")
    assert any(m.code == "mandate" for m in doc.mentions)
    assert doc.operation_category == "S1"


def test_installation_for_a_belgian_consumer_is_at_21_percent() -> None:
    # 1 x 800.00 at 21 % = 168.00 -> 968.00.
    doc = issued(FR_OSS, BE_CONSUMER, [labour("800.00")])
    assert figures(doc) == (D("800.00"), D("168.00"), D("968.00"))
    assert rates(doc) == [("S", D("21"), D("168.00"))]
    assert where(doc) == ("FR", "BE", "oss")


def test_the_property_decides_not_the_consumers_home() -> None:
    # A consumer of Rennes, a flat in Málaga: supplied in Spain (art. 47), 21 %: 600.00 -> 126.00 -> 726.00.
    doc = issued(FR_OSS, FR_CONSUMER, [labour("600.00")], works={"property_address": MALAGA})
    assert figures(doc) == (D("600.00"), D("126.00"), D("726.00"))
    assert where(doc) == ("FR", "ES", "oss")


@pytest.mark.parametrize(
    ("market", "buyer", "country", "rate", "vat"),
    [
        (de, it.CONSUMERS[0], "IT", "22", "110.00"),
        (it, pt.CONSUMERS[0], "PT", "23", "115.00"),
        (pt, be.CONSUMERS[0], "BE", "21", "105.00"),
    ],
    ids=["DE-IT", "IT-PT", "PT-BE"],
)
def test_works_services_of_other_origins_through_their_oss(
    market: Any, buyer: dict[str, Any], country: str, rate: str, vat: str
) -> None:
    # 500.00 at the property state's standard rate, under the seller's rules.
    base = seller_from(market.SELLERS[0])
    s = base.model_copy(update={"oss": OneStopShop(country=base.address.country, since=date(2022, 1, 1))})
    doc = issued(s, buyer, [labour("500.00")])
    assert figures(doc) == (D("500.00"), D(vat), D("500.00") + D(vat))
    assert rates(doc) == [("S", D(rate), D(vat))]
    assert where(doc) == (base.address.country, country, "oss")


def es_oss() -> Seller:
    base = seller_from(es.SELLERS[0])
    return base.model_copy(update={"oss": OneStopShop(country="ES", since=date(2022, 1, 1))})


def test_a_spanish_seller_works_in_belgium_within_the_simplified_invoice_limit() -> None:
    # 300.00 at 21 % = 63.00 -> 363.00 (<= 400 EUR: no recipient NIF needed, RD 1619/2012 art. 4.1.a).
    doc = issued(es_oss(), be.CONSUMERS[0], [labour("300.00")])
    assert figures(doc) == (D("300.00"), D("63.00"), D("363.00"))
    assert where(doc) == ("ES", "BE", "oss")


def test_a_spanish_seller_works_in_belgium_above_400_eur_need_no_spanish_nif() -> None:
    # 500.00 at 21 % = 105.00 -> 605.00, supplied in Belgium (art. 47): no Spanish NIF of a Belgian consumer.
    doc = issued(es_oss(), be.CONSUMERS[0], [labour("500.00")])
    assert figures(doc) == (D("500.00"), D("105.00"), D("605.00"))
    assert where(doc) == ("ES", "BE", "oss")


def test_two_works_services_share_the_destination_rate() -> None:
    # Labour 1,200.00 + commissioning 300.00 = 1,500.00 at 19 % = 285.00 -> 1,785.00.
    lines = [labour("1200.00"), labour("300.00", sku="MES")]
    doc = issued(FR_OSS, DE_CONSUMER, lines)
    assert figures(doc) == (D("1500.00"), D("285.00"), D("1785.00"))


def test_a_credit_note_keeps_the_destination_vat_and_the_oss() -> None:
    doc = issued(FR_OSS, DE_CONSUMER, [labour("1500.00")])
    note = credit(doc, refund(doc, "1785.00"), FR_OSS)
    assert schematron_errors(note) == []
    assert figures(note) == (D("1500.00"), D("285.00"), D("1785.00"))
    assert rates(note) == [("S", D("19"), D("285.00"))]
    assert where(note) == ("FR", "DE", "oss")
    assert note.number.startswith("A-")


# --- refused ------------------------------------------------------------------------------------------------


def test_without_an_oss_works_for_a_consumer_abroad_stay_refused() -> None:
    e = refused(
        paid(FR_INSTALLER, DE_CONSUMER, [labour("1500.00")], amount="1785.00"), FR_INSTALLER, "unsupported_case"
    )
    assert "must be registered for VAT in DE" in e.reason


def test_goods_supplied_and_installed_abroad_are_refused_even_with_an_oss() -> None:
    # Art. 36: supplied where installed, not a distance sale: local registration, not the OSS.
    event = paid(FR_OSS, DE_CONSUMER, [pump(), labour("1500.00")], amount="6545.00")
    e = refused(event, FR_OSS, "unsupported_case")
    assert "must be registered for VAT in DE" in e.reason


def test_a_destination_works_rate_is_refused() -> None:
    # Belgium's 6 % for the renovation of old dwellings has its own conditions: not applied through the OSS.
    # Even with every Belgian fact the 6 % asks for (AR n° 20, rubric XXXI), refused, naming the key.
    line = labour("800.00", destination_tax_category="home_renovation")
    facts = {"dwelling": True, "private_use": "main", "first_occupied_year": 1990, "installed_by_seller": True}
    e = refused(paid(FR_OSS, BE_CONSUMER, [line], works=facts, amount="848.00"), FR_OSS, "unsupported_case")
    assert "works rate home_renovation of BE" in e.reason
    # Without those facts it is refused all the same (by the Belgian conditions first).
    refused(paid(FR_OSS, BE_CONSUMER, [line], amount="848.00"), FR_OSS, "works_rate_condition_missing")


def test_a_home_works_rate_key_without_a_destination_key_is_refused() -> None:
    # The French 5.5 % is a rate of France: for a property in Germany the destination key must be sent.
    line = labour("1500.00", tax_category="energy_renovation")
    e = refused(paid(FR_OSS, DE_CONSUMER, [line], amount="1785.00"), FR_OSS, "destination_category_missing")
    assert "energy_renovation" in e.reason


def test_a_property_in_a_state_without_rules_is_refused() -> None:
    wien = {"line1": "Mariahilfer Straße 10", "postcode": "1070", "city": "Wien", "country": "AT"}
    event = paid(FR_OSS, FR_CONSUMER, [labour("500.00")], works={"property_address": wien}, amount="600.00")
    refused(event, FR_OSS, "unsupported_country")
