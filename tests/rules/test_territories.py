"""Where goods go decides the VAT treatment: the rules of territories, not the country code alone.

Expected outcomes come from the law:

* a sale of goods delivered in mainland France is taxed in France (CGI art. 256, 258 I a);
* Monaco is part of the French VAT area (Directive 2006/112/EC art. 7(1); convention
  franco-monégasque du 18 mai 1963): French VAT, not an export;
* goods leaving the EU VAT area are an exempt export (CGI art. 262 I; Directive art. 146),
  category G;
* goods to a business identified in another member state: exempt intra-EU supply (CGI art.
  262 ter I; Directive art. 138), category K;
* goods sent to a territory of a member state outside the EU VAT area (Directive art. 6: the
  French overseas, the Canary Islands, Ceuta, Melilla, Livigno, Campione d'Italia, Büsingen,
  Heligoland, Åland, Mount Athos) leave the EU VAT area: an export (art. 146; CGI art. 262 I and,
  for the French overseas departments, CGI art. 294-1), category G;
* Corsica (its own rates, CGI art. 297) and services to the territories have rules of their own, not
  handled: refused with ``territory_unhandled``, never guessed as a domestic sale or a plain export
  (Northern Ireland, EU VAT rules for goods: tests/law/test_northern_ireland.py).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from mandat.domain.events import OrderPaid
from mandat.domain.parties import DistanceSalesOpening
from mandat.domain.refusals import Rejected
from mandat.rules.draft import draft_invoice
from mandat.rules.invoice import decide
from tests.factories import DE_COMPANY, MARKETPLACE, TODAY, order, seller, total_of


def consumer_at(country: str, postcode: str, city: str = "Ville") -> dict[str, Any]:
    return {
        "kind": "consumer",
        "name": "Alex Martin",
        "address": {"line1": "1 rue Haute", "postcode": postcode, "city": city, "country": country},
    }


def decide_for(event: dict[str, Any], seller_id: str = "atelier-bois", **changes: Any) -> set[tuple[str, Decimal]]:
    ev = OrderPaid.model_validate(event)
    d = draft_invoice(ev, seller(seller_id, **changes), MARKETPLACE, TODAY)
    return {(line.vat_category, line.vat_rate) for line in d.fields["lines"]}


def paid_to(buyer: dict[str, Any], seller_id: str = "atelier-bois", **kw: Any) -> dict[str, Any]:
    # Refused before the payment is compared, so no total is needed (nor computable).
    return order(seller_id, buyer=buyer, fix_amount=False, payment={"amount": "1.00"}, **kw)


def refusal(event: dict[str, Any], seller_id: str = "atelier-bois", **changes: Any) -> Rejected:
    with pytest.raises(Rejected) as caught:
        decide_for(event, seller_id, **changes)
    return caught.value


@pytest.mark.parametrize(
    ("country", "postcode"),
    [("MC", "98000"), ("FR", "98000")],  # Monaco, written either way
)
def test_monaco_is_inside_french_vat(country: str, postcode: str) -> None:
    assert decide_for(order(buyer=consumer_at(country, postcode, "Monaco"))) == {
        ("S", Decimal("20")),
        ("S", Decimal("10")),
    }


@pytest.mark.parametrize(
    ("country", "postcode"),
    [("CH", "1204"), ("GB", "SW1A 1AA"), ("US", "10001"), ("NO", "0150"), ("AD", "AD500"), ("JE", "JE2 3AB")],
)
def test_third_countries_are_exports(country: str, postcode: str) -> None:
    event = order(buyer=consumer_at(country, postcode), fix_amount=False)
    if country == "GB":
        # Up to GBP 135 a consignment into the UK is the marketplace's own supply (VATA 1994 s.5A, Sch 1A):
        # the seller exports only above it. A saw 1 x 240.00 (about GBP 209): the seller's export, G.
        event["lines"] = [{**LINE, "unit_price": "240.00", "tax_category": "standard"}]
        event["delivery"]["consignment"] = {"value": "209.00", "currency": "GBP"}
    event["payment"]["amount"] = str(total_of(event))
    assert decide_for(event) == {("G", Decimal(0))}


def test_a_consignment_to_a_uk_consumer_needs_its_value() -> None:
    # Without the intrinsic value the supplier is unknown (the seller's export, or the marketplace's s.5A sale).
    assert refusal(paid_to(consumer_at("GB", "SW1A 1AA"))).code == "consignment_value_missing"


@pytest.mark.parametrize(
    ("country", "postcode", "where"),
    [
        ("GP", "97110", "Guadeloupe"),
        ("RE", "97400", "Réunion"),
        ("YT", "97600", "Mayotte"),
        ("FR", "97110", "French overseas"),  # a DOM written with FR
        ("FR", "97200", "French overseas"),
        ("FR", "98800", "French overseas"),  # New Caledonia
        ("PM", "97500", "Saint-Pierre"),
        ("ES", "35001", "Canary"),
        ("ES", "38001", "Canary"),
        ("ES", "51001", "Ceuta"),
        ("ES", "52001", "Melilla"),
        ("IT", "23041", "Livigno"),
        ("IT", "22061", "Campione"),
        ("DE", "78266", "Büsingen"),
        ("DE", "27498", "Heligoland"),
        ("FI", "22100", "Åland"),
        ("AX", "22100", "Åland"),
        ("GR", "63086", "Athos"),
        ("CY", "99010", "Cyprus"),
    ],
)
def test_goods_to_a_territory_outside_the_eu_vat_area_are_exports(country: str, postcode: str, where: str) -> None:
    """Before the cross-border slice these were refused; before that, guessed as 0 % or 20 %."""
    event = order(buyer=consumer_at(country, postcode))
    assert decide_for(event) == {("G", Decimal(0))}
    d = decide(OrderPaid.model_validate(event), seller(), TODAY)
    assert any(where in note and "art. 6" in note and "category G" in note for note in d.trace), d.trace


@pytest.mark.parametrize(
    ("country", "postcode", "where"),
    [
        ("FR", "20000", "Corsica"),
        ("FR", "7500", "postcode"),  # cannot tell where in France
    ],
)
def test_special_territories_are_refused_not_guessed(country: str, postcode: str, where: str) -> None:
    exc = refusal(paid_to(consumer_at(country, postcode)))
    assert exc.code == "territory_unhandled"
    assert where in exc.reason


def test_services_to_a_territory_are_refused() -> None:
    service = [{**LINE, "tax_category": "standard", "nature": "service"}]
    exc = refusal(paid_to(consumer_at("ES", "35001", "Las Palmas"), lines=service))
    assert exc.code == "territory_unhandled"
    assert "Canary" in exc.reason


def test_business_in_the_canaries_is_an_export_not_an_intra_eu_supply() -> None:
    # The Canary Islands are outside the EU VAT area (art. 6(1)(b)): goods going there are exported
    # (art. 146), whatever the buyer's Spanish VAT id; no K supply.
    buyer = {**DE_COMPANY, "vat_id": "ESA28017895"}  # a Spanish company, goods to Las Palmas
    buyer["address"] = {"line1": "Calle Mayor 1", "postcode": "35001", "city": "Las Palmas", "country": "ES"}
    assert decide_for(order(buyer=buyer, include_vat=False)) == {("G", Decimal(0))}


def test_delivery_address_decides_not_billing_address() -> None:
    monaco = {"line1": "1 boulevard Albert Ier", "postcode": "98000", "city": "Monaco", "country": "MC"}
    # An EU business buying for delivery in Monaco: French VAT, since Monaco is French VAT territory.
    assert decide_for(order(buyer=DE_COMPANY, delivery_address=monaco, include_vat=False)) == {
        ("S", Decimal("20")),
        ("S", Decimal("10")),
    }
    geneva = {"line1": "Rue du Rhône 42", "postcode": "1204", "city": "Genève", "country": "CH"}
    assert decide_for(order(delivery_address=geneva)) == {("G", Decimal(0))}


def test_mainland_france_and_the_eu_keep_their_treatment() -> None:
    assert decide_for(order(buyer=consumer_at("FR", "75011", "Paris"))) == {("S", Decimal("20")), ("S", Decimal("10"))}
    assert decide_for(order(buyer=DE_COMPANY, include_vat=False)) == {("K", Decimal(0))}
    # A distance sale to a German consumer (Directive art. 33, 59c): without the seller's distance-sales
    # totals in the registry, neither origin nor destination is decided.
    assert refusal(paid_to(consumer_at("DE", "10115", "Berlin"))).code == "distance_sales_unknown"
    # Under the EUR 10,000 threshold (2025: 2,000.00; 2026 so far: 1,000.00, + 145.70 incl. VAT): French VAT at
    # the French rates, as at home (art. 59c(1)). The prices include VAT: the payment stays 3 x 8.90 + 119.00.
    below = DistanceSalesOpening(year=2026, previous_year=Decimal("2000"), current_year=Decimal("1000"))
    event = order(buyer=consumer_at("DE", "10115", "Berlin"), fix_amount=False, payment={"amount": "145.70"})
    assert decide_for(event, distance_sales=below) == {("S", Decimal("20")), ("S", Decimal("10"))}


def test_a_seller_established_in_corsica_is_refused() -> None:
    addr = seller().address.model_copy(update={"postcode": "20000", "city": "Ajaccio"})
    assert refusal(order(fix_amount=False), address=addr).code == "territory_unhandled"


def test_a_seller_established_in_a_territory_is_refused() -> None:
    addr = seller().address.model_copy(update={"postcode": "97400", "city": "Saint-Denis"})
    exc = refusal(order(fix_amount=False), address=addr)
    assert exc.code == "territory_unhandled"
    assert "French overseas" in exc.reason


# --- an explicit rate is never overridden ------------------------------------------------------

LINE = {"sku": "ABJ-PELLE", "description": "Pelle", "quantity": "1", "unit_price": "30.00"}


def test_a_20_percent_line_to_an_export_is_refused_with_both_rates() -> None:
    exc = refusal(paid_to(consumer_at("CH", "1204"), lines=[{**LINE, "vat_rate": "20"}]))
    assert exc.code == "vat_rate_mismatch"
    assert "20%" in exc.reason
    assert "0%" in exc.reason
    # The same line without a rate (or at 0 %) is the export it should be.
    assert decide_for(order(buyer=consumer_at("CH", "1204"), lines=[{**LINE, "tax_category": "standard"}])) == {
        ("G", Decimal(0))
    }
    assert decide_for(order(buyer=consumer_at("CH", "1204"), lines=[{**LINE, "vat_rate": "0"}])) == {("G", Decimal(0))}


def test_a_20_percent_line_of_a_franchise_seller_is_refused() -> None:
    event = paid_to(consumer_at("FR", "35000"), "quincaillerie-dupont", lines=[{**LINE, "vat_rate": "20"}])
    exc = refusal(event, "quincaillerie-dupont")
    assert exc.code == "vat_rate_mismatch"
    assert "20%" in exc.reason
    assert "0" in exc.reason


def test_a_20_percent_line_to_an_eu_business_is_refused() -> None:
    exc = refusal(paid_to(DE_COMPANY, include_vat=False, lines=[{**LINE, "vat_rate": "20"}]))
    assert exc.code == "vat_rate_mismatch"


def test_rate_and_category_that_disagree_are_refused_even_for_an_export() -> None:
    exc = refusal(paid_to(consumer_at("CH", "1204"), lines=[{**LINE, "vat_rate": "0", "tax_category": "standard"}]))
    assert exc.code == "vat_rate_mismatch"
    assert "standard" in exc.reason


def test_explicit_shipping_rate_on_an_export_is_refused() -> None:
    event = paid_to(consumer_at("CH", "1204"), lines=[{**LINE, "tax_category": "standard"}])
    event["shipping"] = {"amount": "9.90", "vat_rate": "20"}
    exc = refusal(event)
    assert exc.code == "vat_rate_mismatch"
    assert "shipping" in exc.reason


# --- dates outside the rate table ------------------------------------------------------------


def test_a_delivery_before_the_rate_table_is_refused_not_an_internal_error() -> None:
    event = paid_to(consumer_at("FR", "35000"))
    event["delivery"]["date"] = "2010-06-01"
    exc = refusal(event)
    assert exc.code == "date_unsupported"
    assert "2010-06-01" in exc.reason
