"""The French invoice rules, pinned down where mutation testing found them loose (docs/mutants/rules.md).

Every expected value is written by hand from the law or the spec in the comment next to it, never read from
``mandat.rules`` or ``mandat.countries``:

* treatments: franchise en base (CGI 293 B, category E, VATEX-FR-FRANCHISE); intra-EU supply of goods
  (CGI 262 ter I, Directive art. 138, category K, VATEX-EU-IC, both VAT ids: CGI ann. II 242 nonies A);
  export (CGI 262 I, category G, VATEX-EU-G); domestic sale (category S at the rates of CGI 278 ff.);
* B2B mentions: late-payment penalty (L441-10), 40 € indemnity (D441-5), no early-payment discount,
  notes PMD / PMT / AAB (BR-FR-05/06); buyer SIREN from the seller's e-invoicing date (décret 2022-1299);
* operation category B1 / S1 / M1 (goods / services / both), "option pour les débits" for services;
* building works: insurer, policy and cover on the invoice (loi 96-603 art. 22-2), client certification
  for the 10 % and 5.5 % works rates (LF 2025, BOI-LETTRE-000280);
* amounts rounded to the cent half-up (BR-CO-17); shipping follows the goods (accessory follows principal).

Refusals are asserted with their exact code and reason: the reason is what an operator reads to fix the event.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from mandat.domain.drafts import Draft
from mandat.domain.events import OrderPaid
from mandat.domain.parties import Address, DistanceSalesOpening, Seller
from mandat.domain.refusals import EventRefused, Rejected, Waiting
from mandat.rules.draft import draft_invoice
from mandat.rules.invoice import Decision, decide
from tests.factories import DE_COMPANY, FR_COMPANY, HEAT_PUMP_LINES, MARKETPLACE, NOW, TODAY, order, seller

D = Decimal
CH_CONSUMER = {
    "kind": "consumer",
    "name": "Luc Meier",
    "address": {"line1": "Bahnhofstrasse 1", "postcode": "8001", "city": "Zürich", "country": "CH"},
}
DE_CONSUMER = {
    "kind": "consumer",
    "name": "Jonas Weber",
    "address": {"line1": "Friedrichstraße 120", "postcode": "10115", "city": "Berlin", "country": "DE"},
}


def line(category: str | None = "standard", qty: str = "1", price: str = "10.00", **more: Any) -> dict[str, Any]:
    ln: dict[str, Any] = {"sku": more.pop("sku", "SKU-1"), "description": "Article", "quantity": qty}
    ln["unit_price"] = price
    if category is not None:
        ln["tax_category"] = category
    ln.update(more)
    return ln


def decided(event: dict[str, Any], day: date = TODAY, **seller_changes: Any) -> Decision:
    ev = OrderPaid.model_validate(event)
    return decide(ev, seller(ev.seller_id, **seller_changes), day)


def drafted(event: dict[str, Any], day: date = TODAY, **seller_changes: Any) -> Draft:
    ev = OrderPaid.model_validate(event)
    return draft_invoice(ev, seller(ev.seller_id, **seller_changes), MARKETPLACE, day)


def refused(event: dict[str, Any], day: date = TODAY, the_seller: Seller | None = None, **changes: Any) -> EventRefused:
    ev = OrderPaid.model_validate(event)
    with pytest.raises(EventRefused) as exc:
        draft_invoice(ev, the_seller or seller(ev.seller_id, **changes), MARKETPLACE, day)
    return exc.value


def bad(*args: Any, payment: dict[str, Any] | None = None, **kw: Any) -> dict[str, Any]:
    """An event refused before its payment amount is compared (stated by hand, not computed)."""
    return order(*args, fix_amount=False, payment={"amount": "1.00", **(payment or {})}, **kw)


def codes(d: Decision) -> list[str]:
    return [m.code for m in d.mentions]


# --- the trace: every decision in words, in order ------------------------------------------------


def test_trace_of_a_franchise_sale() -> None:
    # CGI 293 B: no VAT, category E, exemption code VATEX-FR-FRANCHISE; a consumer, goods only (B1).
    d = decided(order("quincaillerie-dupont", lines=[line("standard", "2", "4.50")]))
    assert d.trace == [
        "seller under franchise en base (CGI 293 B): no VAT, category E, VATEX-FR-FRANCHISE",
        "business case B2C, operation category B1",
    ]
    assert d.exemptions == {"E": ("TVA non applicable, art. 293 B du CGI", "VATEX-FR-FRANCHISE")}
    assert [(t.category, t.rate) for t in d.lines] == [("E", D("0.00"))]
    assert codes(d) == ["category_goods"]


def test_trace_and_mentions_of_an_intra_eu_supply() -> None:
    # Goods to a German VAT-registered company shipped to Berlin: exempt (CGI 262 ter I), category K;
    # both VAT ids printed, then goods (B1), then the three B2B payment mentions; no SIREN (not French).
    atelier = seller("atelier-bois")
    d = decided(order(buyer=DE_COMPANY, include_vat=False, lines=[line("standard")]))
    assert d.trace == [
        "intra-EU supply of goods to DE136695976 (DE), delivered to DE: "
        "exempt (CGI art. 262 ter I; Directive 2006/112/EC art. 138), category K, VATEX-EU-IC",
        "no VIES check recorded for DE136695976 (Implementing Regulation 282/2011 art. 18(1)(a))",
        "business buyer: payment terms, late-payment penalty and 40 € indemnity (L441-10, D441-5)",
        "business case B2BINT, operation category B1",
    ]
    assert d.exemptions == {"K": ("Exonération de TVA, art. 262 ter I du CGI", "VATEX-EU-IC")}
    assert codes(d) == [
        "seller_vat",
        "buyer_vat",
        "category_goods",
        "late_penalty",
        "recovery_indemnity",
        "no_discount",
    ]
    assert d.mentions[0].text == f"N° TVA du vendeur : {atelier.vat_id}"
    assert d.mentions[1].text == "N° TVA de l'acheteur : DE136695976"
    assert (d.operation_category, d.business_case) == ("B1", "B2BINT")


def test_trace_of_an_export() -> None:
    # Goods to Zürich: export exempt (CGI 262 I; Directive art. 146), category G, VATEX-EU-G.
    d = decided(order(buyer=CH_CONSUMER, lines=[line("reduced")]))
    assert d.trace == [
        "goods shipped to CH, outside the EU VAT area: export, no VAT (CGI art. 262 I; "
        "Directive 2006/112/EC art. 146), category G, VATEX-EU-G",
        "business case B2C, operation category B1",
    ]
    assert d.exemptions == {"G": ("Exonération de TVA, art. 262 I du CGI", "VATEX-EU-G")}
    assert [(t.category, t.rate) for t in d.lines] == [("G", D("0.00"))]


def test_trace_of_a_domestic_sale_names_each_line_rate_and_where_it_came_from() -> None:
    # SKU-1 states 20 % itself (CGI 278), SKU-2 is "reduced" (5.5 %, CGI 278-0 bis).
    d = decided(order(lines=[line(None, vat_rate="20"), line("reduced", sku="SKU-2")]))
    assert d.trace == [
        "domestic French sale (mainland France): French VAT per line (category S)",
        "French rates in force on 2026-11-19: LF 2013-1278 art. 68",
        "line SKU-1: 20% (rate given by the event)",
        "line SKU-2: 5.5% (reduced)",
        "business case B2C, operation category B1",
    ]
    assert d.exemptions == {}


# --- order discounts: spread pro rata to the lines' amounts after their own discounts --------------


def test_order_discount_is_spread_on_line_amounts_net_of_line_discounts() -> None:
    # A: 2 x 50.00 - 40.00 = 60.00 at 20 %;  B: 1 x 30.00 at 5.5 %;  C: 1 x 0.00 at 20 %.
    # Voucher 9.00 pro rata 60 : 30 : 0 -> 6.00, 3.00, 0.00 (excluding VAT, B2B).
    #   A: 60.00 - 6.00 = 54.00, VAT 54.00 x 0.20 = 10.80
    #   B: 30.00 - 3.00 = 27.00, VAT 27.00 x 0.055 = 1.485 -> 1.49 (half-up)
    # Net 81.00, VAT 12.29, total 93.29. Allowances: A 40.00 + 6.00 = 46.00 for "Remise, Code promo";
    # B 3.00 for "Code promo"; C nothing (no share of the voucher, no reason).
    lines = [
        line("standard", "2", "50.00", discount="40.00"),
        line("reduced", "1", "30.00", sku="SKU-2"),
        line("standard", "1", "0.00", sku="SKU-3"),
    ]
    ev = order(buyer=FR_COMPANY, include_vat=False, lines=lines, discounts=[{"amount": "9.00", "reason": "Code promo"}])
    d = decided(ev)
    assert [(t.discount, t.discount_reason) for t in d.lines] == [
        (D("46.00"), "Remise, Code promo"),
        (D("3.00"), "Code promo"),
        (D("0.00"), None),
    ]
    assert "order discount 9.00 spread over the lines pro rata to their amounts" in d.trace
    doc = drafted(ev).finalize(1, NOW, "0" * 64)
    t = doc.totals
    assert (t.tax_exclusive, t.tax_total, t.tax_inclusive) == (D("81.00"), D("12.29"), D("93.29"))
    assert [(ln.allowance, ln.allowance_reason) for ln in doc.lines] == [
        (D("46.00"), "Remise, Code promo"),
        (D("3.00"), "Code promo"),
        (D("0.00"), None),
    ]


def test_a_line_discount_alone_is_called_remise() -> None:
    # 2 x 50.00 - 10.00: allowance 10.00 with the reason "Remise" (BT-139), no voucher.
    d = decided(order(lines=[line("standard", "2", "50.00", discount="10.00")]))
    assert [(t.discount, t.discount_reason) for t in d.lines] == [(D("10.00"), "Remise")]


# --- shipping ------------------------------------------------------------------------------------


def test_shipping_of_one_euro_is_a_line_of_its_own() -> None:
    # 10.00 TTC at 20 % and 1.00 shipping TTC at the order's highest rate, 20 %: 11.00 in all;
    # net 11.00 / 1.2 = 9.1666 -> 9.17, 9.17 x 0.2 = 1.834 -> 1.83, 9.17 + 1.83 = 11.00.
    ev = order(lines=[line("standard")], shipping="1.00")
    d = decided(ev)
    ship = d.lines[-1]
    assert len(d.lines) == 2
    assert (ship.sku, ship.description, ship.quantity, ship.unit, ship.unit_price) == (
        "SHIPPING",
        "Frais de livraison",
        D(1),
        "C62",  # UN/ECE rec. 20 "one": a single delivery (BT-130)
        D("1.00"),
    )
    assert (ship.discount, ship.discount_reason, ship.nature, ship.category, ship.rate) == (
        D("0.00"),
        None,
        "service",
        "S",
        D("20"),
    )
    assert "shipping taxed at the highest rate of the order, 20% (conservative)" in d.trace
    t = drafted(ev).finalize(1, NOW, "0" * 64).totals
    assert (t.tax_exclusive, t.tax_total, t.tax_inclusive) == (D("9.17"), D("1.83"), D("11.00"))


def test_free_shipping_adds_no_line() -> None:
    d = decided(order(lines=[line("standard")], shipping="0.00"))
    assert [t.sku for t in d.lines] == ["SKU-1"]


def test_shipping_at_the_rate_the_event_states() -> None:
    # 10.00 TTC at 20 %: 8.33 + 1.67. Shipping 5.00 TTC stated at 5.5 %: 5.00 / 1.055 = 4.739 -> 4.74,
    # 4.74 x 0.055 = 0.2607 -> 0.26, 4.74 + 0.26 = 5.00. Total 15.00, VAT 1.93.
    ev = order(lines=[line("standard")], shipping="5.00", fix_amount=False, payment={"amount": "15.00"})
    ev["shipping"]["vat_rate"] = "5.5"
    d = decided(ev)
    assert (d.lines[-1].category, d.lines[-1].rate) == ("S", D("5.5"))
    assert "shipping at the event's rate 5.5%" in d.trace
    t = drafted(ev).finalize(1, NOW, "0" * 64).totals
    assert (t.tax_exclusive, t.tax_total, t.tax_inclusive) == (D("13.07"), D("1.93"), D("15.00"))


def test_shipping_at_a_rate_france_does_not_have_is_refused() -> None:
    ev = bad(lines=[line("standard")], shipping="5.00")
    ev["shipping"]["vat_rate"] = "7"  # 7 % is no French rate (CGI 278 ff.: 20, 10, 5.5, 2.1)
    e = refused(ev)
    assert (e.code, e.reason) == ("vat_rate_invalid", "shipping: 7% is not a FR rate")


def test_exempt_shipping_follows_the_goods() -> None:
    # Accessory follows principal: the shipping of an intra-EU supply is K at 0 %, and an explicit 0 agrees.
    ev = order(buyer=DE_COMPANY, include_vat=False, lines=[line("standard")], shipping="5.00")
    ev["shipping"]["vat_rate"] = "0"
    d = decided(ev)
    assert (d.lines[-1].category, d.lines[-1].rate) == ("K", D("0.00"))
    assert "shipping follows the goods: category K" in d.trace


def test_exempt_shipping_at_20_percent_is_refused_with_both_rates() -> None:
    ev = bad(buyer=DE_COMPANY, include_vat=False, lines=[line("standard")], shipping="5.00")
    ev["shipping"]["vat_rate"] = "20"
    e = refused(ev)
    assert (e.code, e.reason) == (
        "vat_rate_mismatch",
        "shipping: the event says 20%, the rules decide 0.00% (it follows the goods, category K)",
    )


# --- building works, insurance, operation category, option for debits ----------------------------

THERMO_INSURANCE = (
    "Assurance professionnelle obligatoire : MAAF Pro, contrat DEC-778-2026, "
    "couverture décennale, France métropolitaine."
)


def test_heat_pump_supplied_and_installed() -> None:
    # Energy-renovation rate (CGI 278-0 bis A): certification printed; a service is sold, so the
    # building insurance is printed (loi 96-603 art. 22-2); goods and services: M1.
    d = decided(order("thermoconfort", lines=HEAT_PUMP_LINES))
    assert codes(d) == ["certification_5_5", "insurance", "category_mixed"]
    assert d.mentions[1].text == THERMO_INSURANCE
    assert d.mentions[2].text == "Catégorie de l'opération : livraison de biens et prestation de services"
    assert "energy_renovation: client certification statement printed (LF 2025, BOI-LETTRE-000280)" in d.trace
    assert d.operation_category == "M1"


def test_both_works_rates_print_both_certifications_in_order() -> None:
    # 10 % works (CGI 279-0 bis) and 5.5 % works (CGI 278-0 bis A), listed alphabetically by category.
    d = decided(order("thermoconfort", lines=[line("home_renovation"), line("energy_renovation", sku="SKU-2")]))
    assert codes(d)[:2] == ["certification_5_5", "certification_10"]
    assert "art. 278-0 bis A du CGI" in d.mentions[0].text
    assert "art. 279-0 bis du CGI" in d.mentions[1].text


def test_an_insured_seller_selling_goods_only_prints_no_insurance() -> None:
    d = decided(order("thermoconfort", lines=[line("standard")]))
    assert codes(d) == ["category_goods"]


def test_services_only_are_s1_and_need_no_insurance_outside_building_works() -> None:
    # A plain service at 20 % by a seller without building insurance: category S1, nothing else.
    d = decided(order(lines=[line("standard", nature="service")]))
    assert codes(d) == ["category_services"]
    assert d.mentions[0].text == "Catégorie de l'opération : prestation de services"
    assert d.operation_category == "S1"


def test_goods_only_are_b1() -> None:
    d = decided(order(lines=[line("standard")]))
    assert [m.text for m in d.mentions] == ["Catégorie de l'opération : livraison de biens"]


def test_home_works_without_insurance_say_what_is_missing() -> None:
    e = refused(bad(lines=[line("home_renovation", nature="service")]))
    assert (e.code, e.reason) == (
        "seller_insurance_missing",
        "seller atelier-bois sells building works but has no mandatory insurance on record "
        "(loi 96-603 art. 22-2 requires insurer and cover on the invoice)",
    )


def test_option_for_debits_is_printed_for_services_only() -> None:
    # "Option pour le paiement de la taxe d'après les débits" concerns services (VAT on receipt by default).
    d = decided(order(lines=[line("standard", nature="service")]), vat_on_debits=True)
    assert codes(d) == ["category_services", "vat_on_debits"]
    assert d.mentions[1].text == "Option pour le paiement de la taxe d'après les débits"
    goods = decided(order(lines=[line("standard")]), vat_on_debits=True)
    assert codes(goods) == ["category_goods"]


# --- business buyers -----------------------------------------------------------------------------


def test_french_business_buyer_mentions_in_order() -> None:
    d = decided(order(buyer=FR_COMPANY, include_vat=False, lines=[line("standard")]))
    assert codes(d) == ["category_goods", "late_penalty", "recovery_indemnity", "no_discount", "buyer_siren"]
    assert d.mentions[-1].text == "SIREN de l'acheteur : 443061841"
    assert [m.note_subject for m in d.mentions[1:4]] == ["PMD", "PMT", "AAB"]  # BR-FR-05/06
    assert d.trace[-2:] == [
        "business buyer: payment terms, late-payment penalty and 40 € indemnity (L441-10, D441-5)",
        "business case B2B, operation category B1",
    ]


def test_french_business_with_siren_but_no_vat_id_is_b2b() -> None:
    buyer = {k: v for k, v in FR_COMPANY.items() if k != "vat_id"}
    d = decided(order(buyer=buyer, include_vat=False, lines=[line("standard")]))
    assert d.business_case == "B2B"
    assert "buyer_siren" in codes(d)


def test_french_business_with_vat_id_but_no_siren_before_its_date() -> None:
    # An SME seller prints the buyer SIREN only from 2027-09-01 (décret 2022-1299): on 2026-11-20 the
    # invoice is issued, B2B (French VAT id), and the trace says why the SIREN is not there.
    buyer = {k: v for k, v in FR_COMPANY.items() if k != "siren"}
    d = decided(order(buyer=buyer, include_vat=False, lines=[line("standard")]))
    assert d.business_case == "B2B"
    assert "buyer_siren" not in codes(d)
    assert "French business buyer without SIREN: not yet mandatory for this seller's size class" in d.trace


def test_french_business_without_siren_once_mandatory_says_since_when() -> None:
    buyer = {k: v for k, v in FR_COMPANY.items() if k != "siren"}
    e = refused(bad("peintures-lumiere", buyer=buyer, include_vat=False, lines=[line("standard")]))
    # peintures-lumiere is mid-sized: mandatory from 2026-09-01.
    assert (e.code, e.reason) == (
        "buyer_siren_missing",
        "French business buyer without SIREN; mandatory for a mid seller since 2026-09-01 (décret 2022-1299)",
    )


def test_a_consumer_giving_a_siren_stays_a_consumer() -> None:
    # The SIREN mention and the payment mentions are for business buyers (B2B), not consumers.
    buyer = {
        "kind": "consumer",
        "name": "Camille Lefèvre",
        "address": {"line1": "8 rue de l'Église", "postcode": "35000", "city": "Rennes", "country": "FR"},
        "siren": "443061841",
    }
    d = decided(order(buyer=buyer, lines=[line("standard")]))
    assert (d.business_case, codes(d)) == ("B2C", ["category_goods"])


# --- refusals, each with its exact reason --------------------------------------------------------


def test_an_order_in_dollars_waits_for_the_rate_of_its_tax_point() -> None:
    # Art. 230 / 91: the VAT must also be stated in euros; without an imported ECB rate the event waits.
    e = refused(bad(currency="USD", payment={"amount": "10.00", "currency": "USD"}, lines=[line("standard")]))
    assert isinstance(e, Waiting)
    assert e.code == "rate_missing"
    assert tuple(w for w in ("ECB", "USD", "2026-11-19") if w in e.reason) == ("ECB", "USD", "2026-11-19")


def test_an_order_in_dollars_with_the_events_rate_states_the_vat_in_euros() -> None:
    # 3 x 12.00 = 36.00 USD net, VAT 20 % = 7.20 USD, 43.20 paid; at 0.9 EUR per USD: 7.20 x 0.9 = 6.48 EUR
    # (BT-111).
    rate = {"rate": "0.9", "source": "ECB", "date": "2026-11-18"}
    ev = OrderPaid.model_validate(
        bad(
            currency="USD",
            include_vat=False,
            payment={"amount": "43.20", "currency": "USD"},
            lines=[line("standard", qty="3", price="12.00")],
            exchange_rate=rate,
        )
    )
    doc = draft_invoice(ev, seller(), MARKETPLACE, TODAY).finalize(1, NOW, "0" * 64)
    assert doc.currency == "USD"
    assert doc.exchange is not None
    assert (doc.exchange.tax_currency, doc.exchange.rate, doc.exchange.tax_total) == (
        "EUR",
        Decimal("0.9"),
        Decimal("6.48"),
    )
    assert (doc.exchange.day, doc.exchange.source) == (date(2026, 11, 18), "ECB")


def test_a_franchise_seller_selling_abroad_is_refused() -> None:
    e = refused(bad("quincaillerie-dupont", buyer=DE_CONSUMER, lines=[line("standard")]))
    assert (e.code, e.reason) == (
        "unsupported_case",
        "sale by a franchise-regime seller delivered to DE: cross-border franchise not supported",
    )


def test_an_eu_business_with_goods_leaving_the_eu_is_an_export() -> None:
    # Goods leave the EU VAT area: an export (art. 146) whatever the buyer's VAT id; no K, no VIES note.
    zurich = CH_CONSUMER["address"]
    d = decided(order(buyer=DE_COMPANY, include_vat=False, lines=[line("standard")], delivery_address=zurich))
    assert d.trace[0] == (
        "goods shipped to CH, outside the EU VAT area: export, no VAT (CGI art. 262 I; "
        "Directive 2006/112/EC art. 146), category G, VATEX-EU-G"
    )
    assert d.exemptions == {"G": ("Exonération de TVA, art. 262 I du CGI", "VATEX-EU-G")}
    assert "seller_vat" not in codes(d)


def test_services_to_an_eu_business_are_reverse_charged() -> None:
    # CGI art. 259-1° (Directive art. 44): taxed in Germany, where the buyer pays (art. 196): category AE.
    d = decided(order(buyer=DE_COMPANY, include_vat=False, lines=[line("standard", nature="service")]))
    assert d.trace[:2] == [
        "services to DE136695976, a business established in DE: supplied there (Directive art. 44), reverse "
        "charge (CGI art. 259-1°; Directive 2006/112/EC art. 196), category AE, VATEX-EU-AE",
        "no VIES check recorded for DE136695976 (Implementing Regulation 282/2011 art. 18(1)(a))",
    ]
    assert [(t.category, t.rate) for t in d.lines] == [("AE", D("0.00"))]
    assert d.exemptions["AE"] == (
        "Autoliquidation : TVA due par le preneur (art. 259-1° du CGI ; art. 44 et 196 de la directive 2006/112/CE)",
        "VATEX-EU-AE",
    )
    assert codes(d)[:2] == ["seller_vat", "buyer_vat"]


def test_services_to_an_eu_business_with_an_address_elsewhere_are_refused() -> None:
    buyer = {**DE_COMPANY, "address": CH_CONSUMER["address"]}
    e = refused(bad(buyer=buyer, include_vat=False, lines=[line("standard", nature="service")]))
    assert (e.code, e.reason) == (
        "unsupported_case",
        "services to a business whose address is in CH and VAT id of DE: which establishment receives them "
        "(Directive art. 44, second sentence; Implementing Regulation 282/2011 art. 21-22) is not told",
    )


def test_services_exported_are_refused_with_the_reason() -> None:
    e = refused(bad(buyer=CH_CONSUMER, lines=[line("standard", nature="service")]))
    assert (e.code, e.reason) == (
        "unsupported_case",
        "services to a consumer delivered in CH: place of supply of services to non-taxable persons "
        "(Directive art. 45, with the exceptions of art. 46-59c) not supported yet",
    )
    swiss = {**DE_COMPANY, "address": CH_CONSUMER["address"], "vat_id": None}
    e = refused(bad(buyer=swiss, lines=[line("standard", nature="service")]))
    assert (e.code, e.reason) == (
        "unsupported_case",
        "services to a business outside the EU (CH): outside the scope of EU VAT (Directive art. 44) with their "
        "own mention, not supported yet",
    )


def test_distance_sales_are_refused_naming_what_is_missing() -> None:
    # Directive art. 59c(1): origin or destination by the seller's distance sales of 2025 and 2026; the registry
    # has no totals for atelier-bois, so nothing is decided.
    e = refused(bad(buyer=DE_CONSUMER, lines=[line("standard")]))
    assert (e.code, e.reason) == (
        "distance_sales_unknown",
        "seller atelier-bois: a distance sale to a consumer in another member state is taxed at origin or at "
        "destination by the seller's EU distance sales of 2025 and 2026 (Directive 2006/112/EC art. 59c(1)(c)); "
        "the registry has no distance_sales totals (previous year, current year before mandat): add them to the "
        "seller",
    )
    # 2025 at EUR 10,000.01, above the threshold: destination VAT, declared through the OSS (art. 369a), which
    # the seller does not have.
    above = DistanceSalesOpening(year=2026, previous_year=D("10000.01"), current_year=D("0"))
    e = refused(bad(buyer=DE_CONSUMER, lines=[line("standard")]), distance_sales=above)
    assert (e.code, e.reason) == (
        "oss_registration_missing",
        "distance sale to a consumer in DE taxed there (EU distance sales of 2025: EUR 10,000.01, above the "
        "EUR 10,000.00 threshold (Directive 2006/112/EC art. 59c(1)(c)); Directive 2006/112/EC art. 33): seller "
        "atelier-bois has no Union OSS registration in the registry (art. 369a); a VAT registration in DE without "
        "the OSS is not handled",
    )
    company = {k: v for k, v in DE_COMPANY.items() if k != "vat_id"}
    e = refused(bad(buyer=company, lines=[line("standard")]))
    assert (e.code, e.reason) == (
        "unsupported_case",
        "goods delivered to DE for a business with no VAT id: not an exempt intra-EU supply (Directive art. 138 "
        "needs the buyer's VAT id of another member state); a distance sale taxed at destination "
        "(art. 33, OSS art. 369a) is not supported yet",
    )


def test_a_french_business_with_goods_shipped_to_germany_is_not_an_intra_eu_supply() -> None:
    # CGI 262 ter I exempts only a buyer identified in another member state: a French VAT id does not qualify.
    berlin = DE_CONSUMER["address"]
    e = refused(bad(buyer=FR_COMPANY, include_vat=False, lines=[line("standard")], delivery_address=berlin))
    assert e.code == "unsupported_case"


def test_a_delivery_to_corsica_is_refused_naming_the_delivery_address() -> None:
    corsica = {"line1": "1 cours Napoléon", "postcode": "20000", "city": "Ajaccio", "country": "FR"}
    e = refused(bad(lines=[line("standard")], delivery_address=corsica))
    assert (e.code, e.reason) == (
        "territory_unhandled",
        "the delivery address is in Corsica (postcode 20000, special rates of CGI art. 297): "
        "this territory has its own VAT rules, not handled yet",
    )


@pytest.mark.parametrize(
    ("ln", "code", "reason"),
    [
        (line(None), "vat_rate_missing", "line SKU-1: neither a VAT rate nor a tax category"),
        # French rates, ascending: 2.1 (CGI 281 quater), 5.5 (278-0 bis), 10 (279), 20 (278).
        (line(None, vat_rate="7"), "vat_rate_invalid", "line SKU-1: 7% is not a FR rate (2.1, 5.5, 10, 20)"),
        (
            line("reduced", vat_rate="20"),
            "vat_rate_mismatch",
            "line SKU-1: rate 20% contradicts category reduced (5.5% on 2026-11-19)",
        ),
    ],
)
def test_domestic_rate_refusals(ln: dict[str, Any], code: str, reason: str) -> None:
    e = refused(bad(lines=[ln]))
    assert (e.code, e.reason) == (code, reason)


def test_explicit_rates_on_an_export_are_refused_with_the_reason() -> None:
    e = refused(bad(buyer=CH_CONSUMER, lines=[line(None, vat_rate="20")]))
    assert (e.code, e.reason) == (
        "vat_rate_mismatch",
        "line SKU-1: the event says 20%, the rules decide 0.00% (category G)",
    )
    e = refused(bad(buyer=CH_CONSUMER, lines=[line("standard", vat_rate="0")]))
    assert (e.code, e.reason) == (
        "vat_rate_mismatch",
        "line SKU-1: rate 0% contradicts category standard (20% on 2026-11-19)",
    )


def test_a_seller_established_in_a_country_without_a_pack_is_refused() -> None:
    # No Dutch pack: a Dutch seller's invoice is refused, not issued under another country's law.
    nl = seller().model_copy(
        update={
            "address": Address(line1="Damrak 1", postcode="1012 LG", city="Amsterdam", country="NL"),
            "vat_id": "NL004495445B01",
        }
    )
    e = refused(bad(), the_seller=nl)
    assert (e.code, e.reason) == ("unsupported_country", "no invoicing rules for sellers established in NL yet")


@pytest.mark.parametrize("status", ["authorized", "pending"])
def test_a_payment_not_captured_yet_waits(status: str) -> None:
    e = refused(bad(payment={"amount": "1.00", "status": status, "captured_at": None}))
    assert isinstance(e, Waiting)
    assert (e.code, e.reason) == ("payment_not_captured", f"payment PSP-0001 is {status}, not captured yet")


def test_payment_refusals() -> None:
    e = refused(bad(payment={"amount": "1.00", "status": "failed"}))
    assert isinstance(e, Rejected)
    assert (e.code, e.reason) == ("payment_not_captured", "payment PSP-0001 is failed")
    e = refused(bad(payment={"amount": "1.00", "captured_at": None}))
    assert (e.code, e.reason) == ("payment_invalid", "payment PSP-0001 is captured but has no captured_at")
    e = refused(bad(payment={"amount": "1.00", "currency": "USD"}))
    assert (e.code, e.reason) == ("payment_currency", "payment in USD for an order in EUR")
    # Default order: 3 x 8.90 + 119.00 = 145.70 EUR including VAT.
    e = refused(bad(payment={"amount": "1.00"}))
    assert (e.code, e.reason) == (
        "payment_amount",
        "payment PSP-0001 is 1.00 EUR but the order totals 145.70 EUR including VAT",
    )


def test_mandate_refusals() -> None:
    e = refused(bad(), mandate=None)
    assert (e.code, e.reason) == ("mandate_missing", "seller atelier-bois has no billing mandate on record")
    e = refused(bad("nouveau-vendeur"))
    assert (e.code, e.reason) == ("mandate_inactive", "the billing mandate of seller nouveau-vendeur is pending")


def test_an_order_discount_larger_than_the_order_says_so() -> None:
    # 10.01 off an order of 10.00 would make the invoice negative.
    e = refused(bad(buyer=FR_COMPANY, include_vat=False, lines=[line("standard")], discounts=[{"amount": "10.01"}]))
    assert (e.code, e.reason) == ("discount_invalid", "order discount larger than the order")


def test_a_seller_established_in_corsica_is_refused_naming_its_establishment() -> None:
    addr = seller().address.model_copy(update={"postcode": "20000", "city": "Ajaccio"})
    e = refused(bad(), address=addr)
    assert (e.code, e.reason) == (
        "territory_unhandled",
        "seller atelier-bois's establishment is in Corsica (postcode 20000, special rates of CGI art. 297): "
        "this territory has its own VAT rules, not handled yet",
    )


def test_each_line_keeps_its_nature_on_the_document() -> None:
    # The heat pump is goods, its installation a service (BT-23 M1 comes from both).
    d = decided(order("thermoconfort", lines=HEAT_PUMP_LINES))
    assert [t.nature for t in d.lines] == ["goods", "service"]
    doc = drafted(order("thermoconfort", lines=HEAT_PUMP_LINES)).finalize(1, NOW, "0" * 64)
    assert [ln.nature for ln in doc.lines] == ["goods", "service"]
