"""Supplies made in another member state where the seller is registered for VAT (issue 14).

The law, by hand:

* goods are supplied where their transport starts (Directive 2006/112/EC art. 32): from a seller's stock in
  another member state, the supply is made there, and so is a works supply on a property there (art. 36
  goods installed, art. 47 services). The invoice follows the rules of the state of supply (art. 219a(1)),
  at its rates, with the seller's VAT number of that state (art. 226(3));
* from that stock, a business identified in a third member state receives an exempt intra-EU supply (art.
  138, category K) invoiced under the rules of the state of dispatch;
* without a registration there, the seller cannot invoice that state's VAT: refused.

Rates (written here from the statutes, not read from the code): DE 19 % standard, 7 % reduced (UStG §12(1),
(2)); BE 21 % (Code TVA art. 37, AR n° 20); PL 23 % (ustawa o VAT art. 41 ust. 1 with art. 146ef).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from mandat.domain.parties import Seller
from tests.factories import seller
from tests.markets import credit, issue, paid, refund, refused, schematron_errors, seller_from

D = Decimal

REGISTERED = Seller.model_validate(
    {
        **seller("atelier-bois").model_dump(mode="json"),
        "registrations": [
            {"country": "DE", "vat_id": "DE136695976", "since": "2024-03-01"},
            {"country": "BE", "vat_id": "BE0417497106", "since": "2025-01-01"},
            {"country": "PL", "vat_id": "PL5261040828", "since": "2025-06-01"},
        ],
    }
)
UNREGISTERED = seller("atelier-bois")

DE_CONSUMER: dict[str, Any] = {
    "kind": "consumer",
    "name": "Anna Schmidt",
    "address": {"line1": "Hauptstraße 1", "postcode": "10115", "city": "Berlin", "country": "DE"},
}
DE_COMPANY: dict[str, Any] = {
    "kind": "business",
    "name": "Baumarkt Schneider GmbH",
    "vat_id": "DE811569869",
    "address": {"line1": "Friedrichstraße 120", "postcode": "10117", "city": "Berlin", "country": "DE"},
}
IT_COMPANY: dict[str, Any] = {
    "kind": "business",
    "name": "Edilizia Rossi Srl",
    "vat_id": "IT00743110157",
    "address": {"line1": "Via Roma 1", "postcode": "20121", "city": "Milano", "country": "IT"},
}
FR_CONSUMER: dict[str, Any] = {
    "kind": "consumer",
    "name": "Claire Martin",
    "address": {"line1": "5 rue Victor Hugo", "postcode": "69002", "city": "Lyon", "country": "FR"},
}
BE_CONSUMER: dict[str, Any] = {
    "kind": "consumer",
    "name": "Luc Peeters",
    "address": {"line1": "Rue Haute 10", "postcode": "1000", "city": "Bruxelles", "country": "BE"},
}
PL_CONSUMER: dict[str, Any] = {
    "kind": "consumer",
    "name": "Jan Kowalski",
    "address": {"line1": "ul. Długa 5", "postcode": "00950", "city": "Warszawa", "country": "PL"},
}
FROM_DE = {"dispatched_from": "DE"}


def drill(price: str = "100.00", **more: Any) -> dict[str, Any]:
    return {"sku": "DRILL", "description": "Bohrmaschine", "quantity": "1", "unit_price": price, **more}


def test_goods_from_a_german_stock_to_a_german_consumer_are_a_german_sale() -> None:
    doc = issue(paid(REGISTERED, DE_CONSUMER, [drill(tax_category="standard")], dispatch=FROM_DE), REGISTERED)
    # 100.00 at 19 % = 19.00
    assert (doc.totals.tax_exclusive, doc.totals.tax_total, doc.totals.tax_inclusive) == (
        D("100.00"),
        D("19.00"),
        D("119.00"),
    )
    assert doc.country == "DE"
    assert doc.seller.vat_id == "DE136695976"  # the seller's German number, not its French one
    assert doc.language == "de"
    assert doc.mentions[0].text.startswith("Rechnung ausgestellt von Brico Market SAS im Namen und für Rechnung von")
    assert any("art. 32" in t and "DE136695976" in t for t in doc.trace)
    assert schematron_errors(doc) == []


def test_a_reduced_product_from_the_german_stock_takes_the_german_reduced_rate() -> None:
    line = drill("40.00", tax_category="reduced", destination_tax_category="reduced")
    doc = issue(paid(REGISTERED, DE_CONSUMER, [line], dispatch=FROM_DE), REGISTERED)
    # 40.00 at 7 % = 2.80 (the French reduced key would have been 5.5 %: 2.20)
    assert (doc.totals.tax_total, doc.totals.tax_inclusive) == (D("2.80"), D("42.80"))


def test_a_french_reduced_key_without_a_german_one_is_refused() -> None:
    event = paid(REGISTERED, DE_CONSUMER, [drill("40.00", tax_category="reduced")], dispatch=FROM_DE, amount="40.00")
    refused(event, REGISTERED, "destination_category_missing")


def test_from_the_german_stock_to_an_italian_company_is_a_german_intra_eu_supply() -> None:
    vies = {"checked_at": "2026-11-18T10:14:00+01:00", "reference": "WAPIAAAAZ4rBxTzG", "valid": True}
    doc = issue(
        paid(REGISTERED, {**IT_COMPANY, "vies": vies}, [drill(tax_category="standard")], dispatch=FROM_DE),
        REGISTERED,
    )
    assert [ln.vat_category for ln in doc.lines] == ["K"]
    assert (doc.totals.tax_total, doc.totals.tax_inclusive) == (D("0.00"), D("100.00"))
    assert doc.country == "DE"
    texts = " ".join(m.text for m in doc.mentions)
    assert "DE136695976" in texts
    assert "IT00743110157" in texts
    assert schematron_errors(doc) == []
    note = credit(doc, refund(doc, "100.00"), REGISTERED)
    assert note.country == "DE"
    assert note.seller.vat_id == "DE136695976"
    assert [ln.vat_category for ln in note.lines] == ["K"]
    assert schematron_errors(note) == []


def test_a_stock_where_the_seller_is_not_registered_is_refused() -> None:
    event = paid(UNREGISTERED, DE_CONSUMER, [drill(tax_category="standard")], dispatch=FROM_DE, amount="120.00")
    assert "art. 32" in refused(event, UNREGISTERED, "unsupported_case").reason


def test_a_german_company_from_the_german_stock_is_refused_not_charged() -> None:
    # CGI 283-1-like reverse charges for non-established suppliers differ per state: refused, not guessed.
    event = paid(REGISTERED, DE_COMPANY, [drill(tax_category="standard")], dispatch=FROM_DE, amount="119.00")
    assert "art. 194" in refused(event, REGISTERED, "unsupported_case").reason


def test_a_distance_sale_from_the_german_stock_is_refused() -> None:
    event = paid(REGISTERED, FR_CONSUMER, [drill(tax_category="standard")], dispatch=FROM_DE, amount="120.00")
    refused(event, REGISTERED, "unsupported_case")


def test_works_for_a_belgian_consumer_are_invoiced_under_belgian_rules() -> None:
    works = {"dwelling": True, "property_address": BE_CONSUMER["address"]}
    lines = [
        {"sku": "HP", "description": "Pompe à chaleur", "quantity": "1", "unit_price": "5000.00"},
        {
            "sku": "FIT",
            "description": "Installation",
            "quantity": "1",
            "unit_price": "1000.00",
            "nature": "service",
            "works_part": "labour",
        },
    ]
    doc = issue(paid(REGISTERED, BE_CONSUMER, lines, works=works), REGISTERED)
    # 6,000.00 at the Belgian 21 % = 1,260.00
    assert (doc.totals.tax_total, doc.totals.tax_inclusive) == (D("1260.00"), D("7260.00"))
    assert doc.country == "BE"
    assert doc.seller.vat_id == "BE0417497106"
    assert schematron_errors(doc) == []
    note = credit(doc, refund(doc, "7260.00"), REGISTERED)
    assert (note.totals.tax_total, note.country, note.seller.vat_id) == (D("1260.00"), "BE", "BE0417497106")


def test_works_for_a_polish_consumer_are_in_zloty_at_the_polish_rate() -> None:
    works = {"dwelling": True, "property_address": PL_CONSUMER["address"]}
    lines = [
        {
            "sku": "FIT",
            "description": "Montaż",
            "quantity": "1",
            "unit_price": "1000.00",
            "nature": "service",
            "works_part": "labour",
        }
    ]
    doc = issue(paid(REGISTERED, PL_CONSUMER, lines, currency="PLN", works=works), REGISTERED)
    # 1,000.00 PLN at 23 % = 230.00
    assert (doc.currency, doc.totals.tax_total, doc.totals.tax_inclusive) == ("PLN", D("230.00"), D("1230.00"))
    assert doc.country == "PL"
    assert doc.exchange is None


def test_works_for_a_consumer_abroad_without_a_registration_stay_refused() -> None:
    works = {"dwelling": True, "property_address": BE_CONSUMER["address"]}
    lines = [{"sku": "HP", "description": "Pompe à chaleur", "quantity": "1", "unit_price": "5000.00"}]
    event = paid(UNREGISTERED, BE_CONSUMER, lines, works=works, amount="6000.00")
    assert "registered for VAT in BE" in refused(event, UNREGISTERED, "unsupported_case").reason


def test_a_belgian_sellers_german_sale_is_in_german_not_in_its_region_s_language() -> None:
    # The seller's legal language (fr, Namur) is Belgium's language law; a sale in Germany reads German.
    from mandat.demo.markets import be

    meuse = seller_from(next(s for s in be.SELLERS if s["id"] == "be-renov-meuse"))
    doc = issue(paid(meuse, DE_CONSUMER, [drill(tax_category="standard")], dispatch=FROM_DE), meuse)
    assert (doc.country, doc.language, doc.seller.vat_id) == ("DE", "de", "DE814276658")
    assert (doc.totals.tax_total, doc.totals.tax_inclusive) == (D("19.00"), D("119.00"))
