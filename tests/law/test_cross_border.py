"""Sales across borders, first slice of issue 14: intra-EU goods, B2B services, exports, territories.

Expected figures are hand computations written next to each test, from the law:

* intra-EU supply of goods to a business identified in another member state, delivered there:
  exempt (Directive 2006/112/EC art. 138), category K, VATEX-EU-IC, both VAT ids (art. 226(3), (4));
* services to a business established in another member state: taxed where it is (art. 44), the
  customer accounts for the VAT (art. 196), category AE, VATEX-EU-AE, "Reverse charge" (art. 226(11a));
* goods leaving the EU VAT area, to a third country or to a territory of art. 6 (Canary Islands...):
  exempt export (art. 146), category G, VATEX-EU-G; from the United Kingdom, goods leaving the UK
  (EU included) are zero-rated exports (VATA 1994 s.30(6)), category G as well;
* UK services to a business belonging outside the UK: outside the scope (VATA 1994 s.7A(2)(a)), O;
* a credit note keeps the invoice's treatment: same category, no VAT.

No VAT is due in any of them, so every total is the net amount: quantity x unit price.

The mention texts of the packs other than France come from another branch (issue 14, texts): the
``texts`` fixture adds placeholders where a pack has none yet, so these tests decide the treatment,
not the wording; the French tests marked "real texts" use the French pack's own. Every document made
here passes the EN 16931 1.3.16 Schematron.
"""

from __future__ import annotations

import copy
from decimal import Decimal
from typing import Any

import pytest
from pydantic import ValidationError

from mandat.demo.markets import be, de, es, gb, it, pl, pt
from mandat.domain.documents import Document
from mandat.domain.events import OrderPaid
from mandat.domain.parties import DistanceSalesOpening, Seller
from mandat.rules.invoice import decide
from tests.factories import FR_WORKS, HEAT_PUMP_LINES, order, seller
from tests.markets import NOW, TODAY, credit, drafted, issue, paid, refund, refused, schematron_errors, seller_from

D = Decimal
ZERO = D("0.00")


def demo_seller(market: Any) -> Seller:
    return seller_from(market.SELLERS[0])


FR_SELLER = seller("atelier-bois")  # Atelier Bois & Jardin, Lyon, FR46401234562
DE_SELLER = demo_seller(de)
IT_SELLER = demo_seller(it)
PL_SELLER = demo_seller(pl)
GB_SELLER = demo_seller(gb)

FR_COMPANY: dict[str, Any] = {
    "kind": "business",
    "name": "Menuiserie Girard SARL",
    "address": {"line1": "14 avenue de la Gare", "postcode": "69003", "city": "Lyon", "country": "FR"},
    "vat_id": "FR64443061841",
    "siren": "443061841",
}
ES_COMPANY: dict[str, Any] = {
    "kind": "business",
    "name": "Construcciones Ibéricas S.A.",
    "address": {"line1": "Calle de Alcalá 50", "postcode": "28014", "city": "Madrid", "country": "ES"},
    "vat_id": "ESA28017895",
}
DE_COMPANY: dict[str, Any] = {
    "kind": "business",
    "name": "Baumarkt Schneider GmbH",
    "address": {"line1": "Friedrichstraße 120", "postcode": "10115", "city": "Berlin", "country": "DE"},
    "vat_id": "DE136695976",
}
US_CONSUMER: dict[str, Any] = {
    "kind": "consumer",
    "name": "Emily Carter",
    "address": {"line1": "350 Fifth Avenue", "postcode": "10118", "city": "New York", "country": "US"},
}
FR_CONSUMER: dict[str, Any] = {
    "kind": "consumer",
    "name": "Camille Lefèvre",
    "address": {"line1": "8 rue de l'Église", "postcode": "35000", "city": "Rennes", "country": "FR"},
}
CANARY_CONSUMER: dict[str, Any] = {
    "kind": "consumer",
    "name": "Lucía Hernández",
    "address": {"line1": "Calle Triana 12", "postcode": "35002", "city": "Las Palmas", "country": "ES"},
}
VIES = {"checked_at": "2026-11-18T10:14:00+01:00", "reference": "WAPIAAAAZ4rBxTzG", "valid": True}


def line(qty: str, price: str, sku: str = "SKU-1", **more: Any) -> dict[str, Any]:
    # The marketplace sends the domestic key it knows; the treatment decides the category and 0 %.
    item = {"sku": sku, "description": f"Article {sku}", "quantity": qty, "unit_price": price}
    return {**item, "tax_category": "standard", **more}


def figures(doc: Document) -> tuple[Decimal, Decimal, Decimal]:
    t = doc.totals
    return t.tax_exclusive, t.tax_total, t.tax_inclusive


def breakdown(doc: Document) -> list[tuple[str, Decimal, Decimal, str | None]]:
    return [(b.category, b.taxable_amount, b.tax_amount, b.exemption_code) for b in doc.vat_breakdown]


def valid(doc: Document) -> Document:
    assert schematron_errors(doc) == []
    return doc


def credited(doc: Document, seller: Seller, amount: str) -> Document:
    """The full credit note of ``doc``: the same treatment, checked against the Schematron too."""
    note = valid(credit(doc, refund(doc, amount), seller))
    assert {b.category for b in note.vat_breakdown} == {b.category for b in doc.vat_breakdown}
    assert note.totals.tax_total == ZERO
    assert [m.text for m in note.mentions if m.code == "exemption"] == [
        m.text for m in doc.mentions if m.code == "exemption"
    ]
    return note


def codes(doc: Document) -> list[str]:
    return [m.code for m in doc.mentions]


# --- intra-EU supply of goods (art. 138, K) -------------------------------------------------------


def test_german_goods_to_a_french_business_are_an_exempt_intra_eu_supply() -> None:
    # 3 x 100.00 = 300.00; exempt: VAT 0.00, total 300.00.
    event = paid(DE_SELLER, FR_COMPANY, [line("3", "100.00")])
    doc = valid(issue(event, DE_SELLER))
    assert figures(doc) == (D("300.00"), ZERO, D("300.00"))
    assert breakdown(doc) == [("K", D("300.00"), ZERO, "VATEX-EU-IC")]
    assert {"seller_vat", "buyer_vat", "exemption"} <= set(codes(doc))
    printed = " ".join(m.text for m in doc.mentions)
    assert "DE812345673" in printed
    assert "FR64443061841" in printed
    assert doc.buyer.vat_id == "FR64443061841"
    assert any("no VIES check recorded for FR64443061841" in n for n in doc.trace)
    assert any("intra-EU supply of goods" in n and "art. 138" in n and "UStG" in n for n in doc.trace)
    note = credited(doc, DE_SELLER, "300.00")
    assert figures(note) == (D("300.00"), ZERO, D("300.00"))


@pytest.mark.parametrize("market", [be, es, it, pt, pl], ids=["BE", "ES", "IT", "PT", "PL"])
def test_goods_to_a_french_business_from_every_member_state_are_k(market: Any) -> None:
    # 2 x 125.00 = 250.00 in the seller's currency (PLN for Poland, where the 0 % of art. 42 is category K).
    seller = demo_seller(market)
    doc = valid(issue(paid(seller, FR_COMPANY, [line("2", "125.00")]), seller))
    assert figures(doc) == (D("250.00"), ZERO, D("250.00"))
    assert breakdown(doc) == [("K", D("250.00"), ZERO, "VATEX-EU-IC")]
    credited(doc, seller, "250.00")


def test_the_vies_check_is_recorded_in_the_trace_not_printed() -> None:
    buyer = {**FR_COMPANY, "vies": VIES}
    doc = valid(issue(paid(DE_SELLER, buyer, [line("1", "40.00")]), DE_SELLER))
    assert any("WAPIAAAAZ4rBxTzG" in n and "2026-11-18" in n for n in doc.trace)
    assert not any("WAPIAAAAZ4rBxTzG" in m.text for m in doc.mentions)


def test_an_id_vies_found_invalid_exempts_nothing() -> None:
    buyer = {**FR_COMPANY, "vies": {**VIES, "valid": False}}
    e = refused(paid(DE_SELLER, buyer, [line("1", "40.00")], amount="40.00"), DE_SELLER, "buyer_vat_invalid")
    assert "VIES" in e.reason
    assert "WAPIAAAAZ4rBxTzG" in e.reason


def test_a_vies_check_needs_the_id_it_checked() -> None:
    buyer = {k: v for k, v in FR_COMPANY.items() if k != "vat_id"} | {"vies": VIES}
    with pytest.raises(ValidationError, match="vies"):
        OrderPaid.model_validate(paid(DE_SELLER, buyer, [line("1", "40.00")], amount="40.00"))


def test_goods_for_a_french_business_delivered_in_italy_are_refused() -> None:
    # Art. 138 with the buyer's id of a third state (art. 41) or triangulation (art. 141): not handled.
    rome = {"line1": "Via Appia Nuova 301", "postcode": "00183", "city": "Roma", "country": "IT"}
    event = paid(DE_SELLER, FR_COMPANY, [line("1", "40.00")], amount="40.00")
    event["delivery"]["address"] = rome
    e = refused(event, DE_SELLER, "unsupported_case")
    assert "art. 41" in e.reason


def test_a_distance_sale_to_a_consumer_is_decided_by_the_sellers_count() -> None:
    # Directive art. 33, 59c: origin or destination by the seller's EU distance sales; without the registry's
    # totals refused (tests/law/test_oss_distance_sales.py covers the thresholds).
    e = refused(paid(DE_SELLER, FR_CONSUMER, [line("1", "40.00")], amount="40.00"), DE_SELLER, "distance_sales_unknown")
    assert "art. 59c(1)(c)" in e.reason
    # 2025: 500.00, 2026 so far: 0.00: German VAT at origin, 40.00 x 19 % = 7.60 -> 47.60.
    opening = {"year": 2026, "previous_year": "500", "current_year": "0"}
    below = DE_SELLER.model_copy(update={"distance_sales": DistanceSalesOpening.model_validate(opening)})
    doc = valid(issue(paid(below, FR_CONSUMER, [line("1", "40.00")]), below))
    assert figures(doc) == (D("40.00"), D("7.60"), D("47.60"))
    assert breakdown(doc) == [("S", D("40.00"), D("7.60"), None)]


# --- B2B services (art. 44, 196: AE) --------------------------------------------------------------


def test_an_italian_service_to_a_spanish_business_is_reverse_charged() -> None:
    # One service at 500.00: no VAT invoiced, the Spanish customer accounts for it (art. 196).
    event = paid(IT_SELLER, ES_COMPANY, [line("1", "500.00", nature="service")])
    doc = valid(issue(event, IT_SELLER))
    assert figures(doc) == (D("500.00"), ZERO, D("500.00"))
    assert breakdown(doc) == [("AE", D("500.00"), ZERO, "VATEX-EU-AE")]
    assert {"seller_vat", "buyer_vat", "exemption"} <= set(codes(doc))
    assert any("art. 44" in n and "category AE" in n for n in doc.trace)
    assert doc.operation_category == "S1"
    note = credited(doc, IT_SELLER, "500.00")
    assert breakdown(note) == [("AE", D("500.00"), ZERO, "VATEX-EU-AE")]


def test_goods_and_services_to_an_eu_business_make_two_breakdown_rows() -> None:
    # Goods 2 x 50.00 = 100.00 (K) and a service 80.00 (AE): total 180.00, no VAT.
    lines = [line("2", "50.00"), line("1", "80.00", sku="SKU-2", nature="service")]
    doc = valid(issue(paid(DE_SELLER, FR_COMPANY, lines), DE_SELLER))
    assert figures(doc) == (D("180.00"), ZERO, D("180.00"))
    assert sorted(breakdown(doc)) == [
        ("AE", D("80.00"), ZERO, "VATEX-EU-AE"),
        ("K", D("100.00"), ZERO, "VATEX-EU-IC"),
    ]
    assert doc.operation_category == "M1"
    credited(doc, DE_SELLER, "180.00")


def test_shipping_follows_the_goods_in_a_mixed_order() -> None:
    # Service 80.00 (AE) first, goods 100.00 (K), shipping 15.00 follows the goods: K 115.00.
    lines = [line("1", "80.00", nature="service"), line("2", "50.00", sku="SKU-2")]
    event = paid(DE_SELLER, FR_COMPANY, lines, shipping={"amount": "15.00"})
    doc = valid(issue(event, DE_SELLER))
    assert sorted(breakdown(doc)) == [
        ("AE", D("80.00"), ZERO, "VATEX-EU-AE"),
        ("K", D("115.00"), ZERO, "VATEX-EU-IC"),
    ]


def test_works_abroad_for_a_business_are_reverse_charged_where_the_property_is() -> None:
    # A service on a building in Madrid is supplied in Spain (art. 47); the Spanish customer accounts for
    # the VAT (LIVA art. 84.Uno.2º.a), art. 194): 500.00, no VAT, AE (tests/law/test_installation_abroad.py).
    labour = line("1", "500.00", nature="service", works_part="labour")
    doc = valid(issue(paid(IT_SELLER, ES_COMPANY, [labour]), IT_SELLER))
    assert breakdown(doc) == [("AE", D("500.00"), ZERO, "VATEX-EU-AE")]
    assert any("84.Uno.2º.a)" in m.text for m in doc.mentions if m.code == "exemption")
    credited(doc, IT_SELLER, "500.00")


def test_works_abroad_for_a_consumer_are_refused() -> None:
    # The same works for a consumer in Madrid: no reverse charge, the seller would register in Spain.
    labour = line("1", "500.00", nature="service", works_part="labour")
    consumer = {"kind": "consumer", "name": "Ana López", "address": ES_COMPANY["address"]}
    e = refused(paid(IT_SELLER, consumer, [labour], amount="500.00"), IT_SELLER, "unsupported_case")
    assert "art. 47" in e.reason
    assert "must be registered for VAT in ES" in e.reason


def test_domestic_goods_with_reverse_charged_services_are_refused() -> None:
    # Goods delivered in Germany are German sales (19 %), the service is the buyer's (AE): split the order.
    munich = {"line1": "Leopoldstraße 20", "postcode": "80802", "city": "München", "country": "DE"}
    lines = [line("1", "50.00"), line("1", "80.00", sku="SKU-2", nature="service")]
    event = paid(DE_SELLER, FR_COMPANY, lines, amount="130.00")
    event["delivery"]["address"] = munich
    e = refused(event, DE_SELLER, "unsupported_case")
    assert "split the order" in e.reason


def test_a_service_to_a_business_without_an_eu_vat_id_abroad_is_refused() -> None:
    company = {k: v for k, v in ES_COMPANY.items() if k != "vat_id"} | {"tax_number": "A28017895"}
    event = paid(IT_SELLER, company, [line("1", "500.00", nature="service")], amount="500.00")
    e = refused(event, IT_SELLER, "unsupported_case")
    assert "art. 45" in e.reason


# --- exports (art. 146, G) and territories (art. 6) -----------------------------------------------


def test_polish_goods_to_an_american_consumer_are_an_export() -> None:
    # 2 x 150.00 PLN = 300.00 PLN, 0 % export (ustawa o VAT art. 41 ust. 4), category G.
    doc = valid(issue(paid(PL_SELLER, US_CONSUMER, [line("2", "150.00")]), PL_SELLER))
    assert doc.currency == "PLN"
    assert figures(doc) == (D("300.00"), ZERO, D("300.00"))
    assert breakdown(doc) == [("G", D("300.00"), ZERO, "VATEX-EU-G")]
    assert "seller_vat" not in codes(doc)
    credited(doc, PL_SELLER, "300.00")


def test_uk_goods_to_a_french_consumer_are_sold_by_the_marketplace_up_to_eur_150() -> None:
    # A seller established outside the EU: up to EUR 150 the marketplace is the deemed supplier (Directive
    # art. 14a(1), IOSS); without the consignment's value neither side is decided.
    e = refused(
        paid(GB_SELLER, FR_CONSUMER, [line("3", "12.00")], amount="36.00"), GB_SELLER, "consignment_value_missing"
    )
    assert "14a(1)" in e.reason
    # A consignment of EUR 36.00: the marketplace's own invoice, French VAT 36.00 x 20 % = 7.20 -> 43.20, IOSS,
    # in its own series (tests/law/test_deemed_supplier.py covers the cases).
    dispatch = {"consignment": {"value": "36.00", "currency": "EUR"}}
    event = paid(GB_SELLER, FR_CONSUMER, [line("3", "12.00")], currency="EUR", dispatch=dispatch)
    d = drafted(event, GB_SELLER)
    doc = valid(d.finalize(1, NOW, "0" * 64))
    assert figures(doc) == (D("36.00"), D("7.20"), D("43.20"))
    assert (doc.taxed_in, doc.scheme, d.series, d.series_owner) == ("FR", "ioss", "MP", "@bricomarket")


def test_uk_goods_to_a_french_business_are_a_zero_rated_export() -> None:
    # From the UK the EU is abroad: 3 x 12.00 = 36.00 GBP, zero-rated export (VATA 1994 s.30(6)), G.
    doc = valid(issue(paid(GB_SELLER, FR_COMPANY, [line("3", "12.00")]), GB_SELLER))
    assert figures(doc) == (D("36.00"), ZERO, D("36.00"))
    assert breakdown(doc) == [("G", D("36.00"), ZERO, "VATEX-EU-G")]
    assert any("s.30(6)" in n and "category G" in n for n in doc.trace)
    credited(doc, GB_SELLER, "36.00")


def test_uk_goods_to_the_canary_islands_are_an_export() -> None:
    doc = valid(issue(paid(GB_SELLER, CANARY_CONSUMER, [line("1", "20.00")]), GB_SELLER))
    assert breakdown(doc) == [("G", D("20.00"), ZERO, "VATEX-EU-G")]


def test_uk_goods_to_northern_ireland_stay_refused() -> None:
    belfast = {**FR_CONSUMER, "address": {"line1": "1 Donegall Sq", "postcode": "BT1 5GS", "city": "Belfast"}}
    belfast["address"]["country"] = "GB"
    refused(paid(GB_SELLER, belfast, [line("1", "20.00")], amount="24.00"), GB_SELLER, "territory_unhandled")


def test_uk_services_to_a_french_business_are_outside_the_scope() -> None:
    # VATA 1994 s.7A(2)(a): supplied where the business belongs, France; no UK VAT, category O.
    # EN 16931 BR-O-02: no VAT identifier on a document not subject to VAT.
    doc = valid(issue(paid(GB_SELLER, FR_COMPANY, [line("1", "250.00", nature="service")]), GB_SELLER))
    assert figures(doc) == (D("250.00"), ZERO, D("250.00"))
    assert [(b.category, b.taxable_amount, b.exemption_code) for b in doc.vat_breakdown] == [
        ("O", D("250.00"), "VATEX-EU-O")
    ]
    assert "buyer_vat" not in codes(doc)
    credited(doc, GB_SELLER, "250.00")


def test_uk_goods_and_services_to_a_foreign_business_are_refused() -> None:
    lines = [line("1", "20.00"), line("1", "250.00", sku="SKU-2", nature="service")]
    e = refused(paid(GB_SELLER, FR_COMPANY, lines, amount="270.00"), GB_SELLER, "unsupported_case")
    assert "BR-O-11" in e.reason


def test_french_goods_to_the_canary_islands_are_an_export() -> None:
    # The Canary Islands are outside the EU VAT area (art. 6(1)(b)): 2 x 45.00 = 90.00, export G.
    doc = valid(issue(paid(FR_SELLER, CANARY_CONSUMER, [line("2", "45.00")]), FR_SELLER))
    assert figures(doc) == (D("90.00"), ZERO, D("90.00"))
    assert breakdown(doc) == [("G", D("90.00"), ZERO, "VATEX-EU-G")]
    assert any("Canary Islands" in n and "art. 6" in n and "art. 146" in n for n in doc.trace)
    credited(doc, FR_SELLER, "90.00")


def test_a_seller_established_in_a_territory_is_refused() -> None:
    data = copy.deepcopy(es.SELLERS[0])
    data["address"] = {"line1": "Calle Triana 1", "postcode": "35002", "city": "Las Palmas", "country": "ES"}
    seller = seller_from(data)
    e = refused(paid(seller, FR_CONSUMER, [line("1", "20.00")], amount="20.00"), seller, "territory_unhandled")
    assert "Canary Islands" in e.reason


# --- France, with the French pack's real texts ------------------------------------------------------


def test_france_intra_eu_goods_with_real_texts() -> None:
    # 4 x 25.00 = 100.00 to Berlin, exempt (CGI art. 262 ter I), K.
    doc = valid(issue(paid(FR_SELLER, DE_COMPANY, [line("4", "25.00")]), FR_SELLER))
    assert figures(doc) == (D("100.00"), ZERO, D("100.00"))
    assert breakdown(doc) == [("K", D("100.00"), ZERO, "VATEX-EU-IC")]
    texts = {m.code: m.text for m in doc.mentions}
    assert texts["exemption"] == "Exonération de TVA, art. 262 ter I du CGI"
    assert texts["seller_vat"] == "N° TVA du vendeur : FR46401234562"
    assert texts["buyer_vat"] == "N° TVA de l'acheteur : DE136695976"
    credited(doc, FR_SELLER, "100.00")


def test_france_export_with_real_texts() -> None:
    # 1 x 60.00 to New York, exempt export (CGI art. 262 I), G.
    doc = valid(issue(paid(FR_SELLER, US_CONSUMER, [line("1", "60.00")]), FR_SELLER))
    assert breakdown(doc) == [("G", D("60.00"), ZERO, "VATEX-EU-G")]
    assert {m.code: m.text for m in doc.mentions}["exemption"] == "Exonération de TVA, art. 262 I du CGI"
    credited(doc, FR_SELLER, "60.00")


def test_france_services_to_a_german_business() -> None:
    # CGI art. 259 (art. 44), autoliquidation (Directive art. 196): 2 x 90.00 = 180.00, AE.
    doc = valid(issue(paid(FR_SELLER, DE_COMPANY, [line("2", "90.00", nature="service")]), FR_SELLER))
    assert breakdown(doc) == [("AE", D("180.00"), ZERO, "VATEX-EU-AE")]
    assert doc.business_case == "B2BINT"
    credited(doc, FR_SELLER, "180.00")


# --- dispatch from elsewhere (art. 32) ---------------------------------------------------------------


def test_goods_dispatched_from_another_country_are_refused() -> None:
    event = paid(FR_SELLER, DE_COMPANY, [line("1", "20.00")], amount="20.00")
    event["delivery"]["dispatched_from"] = "DE"
    e = refused(event, FR_SELLER, "unsupported_case")
    assert "dispatched from DE" in e.reason
    assert "art. 32" in e.reason


@pytest.mark.parametrize("origin", ["FR", "MC"])
def test_goods_dispatched_from_the_sellers_vat_area_are_decided_as_usual(origin: str) -> None:
    event = paid(FR_SELLER, DE_COMPANY, [line("1", "20.00")], amount="20.00")
    event["delivery"]["dispatched_from"] = origin
    d = decide(OrderPaid.model_validate(event), FR_SELLER, TODAY)
    assert [(ln.category, ln.rate) for ln in d.lines] == [("K", D(0))]


def test_french_works_on_a_property_abroad_are_refused_even_when_billed_at_home() -> None:
    # The heat pump installed in Freiburg is supplied there (art. 36, 47): not French VAT at 5.5 %.
    freiburg = {"line1": "Kaiser-Joseph-Straße 1", "postcode": "79098", "city": "Freiburg", "country": "DE"}
    works = {**FR_WORKS, "property_address": freiburg}
    event = order("thermoconfort", lines=HEAT_PUMP_LINES, works=works, fix_amount=False)
    event["payment"]["amount"] = "1.00"
    e = refused(event, seller("thermoconfort"), "unsupported_case")
    assert "works on a property in DE" in e.reason
    assert "must be registered for VAT in DE" in e.reason  # a French consumer: no German reverse charge
    assert "art. 47" in e.reason


def test_german_goods_to_a_london_business_are_an_export() -> None:
    # The UK is a third country for the EU: 5 x 20.00 = 100.00, export G, no VAT ids printed.
    london = {
        "kind": "business",
        "name": "Borough Supplies Ltd",
        "address": {"line1": "14 Borough High Street", "postcode": "SE1 9QG", "city": "London", "country": "GB"},
        "vat_id": "GB555123404",
    }
    doc = valid(issue(paid(DE_SELLER, london, [line("5", "20.00")]), DE_SELLER))
    assert breakdown(doc) == [("G", D("100.00"), ZERO, "VATEX-EU-G")]
    assert "buyer_vat" not in codes(doc)


def test_services_to_a_business_in_the_canary_islands_are_refused() -> None:
    canarian = {**ES_COMPANY, "address": CANARY_CONSUMER["address"]}
    event = paid(IT_SELLER, canarian, [line("1", "500.00", nature="service")], amount="500.00")
    e = refused(event, IT_SELLER, "territory_unhandled")
    assert "Canary Islands" in e.reason


def test_uk_services_to_a_uk_registered_business_abroad_are_refused() -> None:
    # A UK VAT number with a French address: where the business belongs (VATA 1994 s.9) is not told.
    buyer = {**FR_COMPANY, "vat_id": "GB555123404"}
    del buyer["siren"]
    event = paid(GB_SELLER, buyer, [line("1", "250.00", nature="service")], amount="250.00")
    assert "s.9" in refused(event, GB_SELLER, "unsupported_case").reason
