"""French VAT rates and treatments with figures worked out by hand from the law.

Expected amounts are literals computed in the comments from the statutory rates, never
read from ``mandat.countries.fr``: a wrong table must make these tests fail.

Rates (mainland France): CGI art. 278 (standard 20 %), art. 278 bis / 279 (10 %),
art. 278-0 bis (5.5 %), art. 278-0 bis A (5.5 %, energy-renovation works),
art. 279-0 bis (10 %, improvement works on dwellings over two years old),
art. 281 quater ff. (2.1 %). Amounts are rounded to the cent half-up (EN 16931 BR-DEC,
BR-CO-17: VAT per rate = round(taxable amount x rate)).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest

from mandat.domain.drafts import Draft
from mandat.domain.events import OrderPaid
from mandat.domain.parties import Mandate
from mandat.domain.refusals import Rejected
from mandat.rules.draft import draft_invoice
from tests.factories import DE_COMPANY, FR_COMPANY, MARKETPLACE, NOW, TODAY, order, seller

D = Decimal


def draft(event: dict[str, Any], day: date = TODAY, **seller_changes: Any) -> Draft:
    ev = OrderPaid.model_validate(event)
    return draft_invoice(ev, seller(ev.seller_id, **seller_changes), MARKETPLACE, day)


def line(category: str | None = None, qty: str = "3", price: str = "12.00", **more: Any) -> dict[str, Any]:
    ln: dict[str, Any] = {"sku": "SKU-1", "description": "Article", "quantity": qty, "unit_price": price}
    if category is not None:
        ln["tax_category"] = category
    ln.update(more)
    return ln


def figures(d: Draft) -> tuple[Decimal, Decimal, Decimal]:
    t = d.finalize(1, NOW, "0" * 64).totals
    return t.tax_exclusive, t.tax_total, t.tax_inclusive


def bad(*args: Any, amount: str = "36.00", **kw: Any) -> dict[str, Any]:
    """An event that the rules refuse: its payment amount is stated by hand (the factory would run the rules)."""
    return order(*args, fix_amount=False, payment={"amount": amount}, **kw)


def rejected(event: dict[str, Any], code: str, day: date = TODAY, **seller_changes: Any) -> Rejected:
    with pytest.raises(Rejected) as exc:
        draft(event, day, **seller_changes)
    assert exc.value.code == code, exc.value
    return exc.value


# 3 x 12.00 = 36.00 excluding VAT, per category:
#   standard 20 % (CGI 278):            36.00 x 0.20  = 7.20  -> 43.20
#   intermediate 10 % (CGI 279):        36.00 x 0.10  = 3.60  -> 39.60
#   reduced 5.5 % (CGI 278-0 bis):      36.00 x 0.055 = 1.98  -> 37.98
#   super-reduced 2.1 % (CGI 281 quater): 36.00 x 0.021 = 0.756 -> 0.76 -> 36.76
#   home works 10 % (CGI 279-0 bis):    3.60 -> 39.60
#   energy renovation 5.5 % (CGI 278-0 bis A): 1.98 -> 37.98
EXCLUSIVE = [
    ("standard", "20", "7.20", "43.20"),
    ("intermediate", "10", "3.60", "39.60"),
    ("reduced", "5.5", "1.98", "37.98"),
    ("super_reduced", "2.1", "0.76", "36.76"),
    ("home_renovation", "10", "3.60", "39.60"),
    ("energy_renovation", "5.5", "1.98", "37.98"),
]
# 10.00 including VAT, per category: the net N is the one with N + round(N x rate) = 10.00.
#   20 %:  10.00 / 1.20  = 8.333 -> 8.33; 8.33 x 0.20  = 1.666 -> 1.67; 8.33 + 1.67 = 10.00
#   10 %:  10.00 / 1.10  = 9.091 -> 9.09; 9.09 x 0.10  = 0.909 -> 0.91; 10.00
#   5.5 %: 10.00 / 1.055 = 9.479 -> 9.48; 9.48 x 0.055 = 0.521 -> 0.52; 10.00
#   2.1 %: 10.00 / 1.021 = 9.794 -> 9.79; 9.79 x 0.021 = 0.206 -> 0.21; 10.00
INCLUSIVE = [
    ("standard", "20", "8.33", "1.67"),
    ("intermediate", "10", "9.09", "0.91"),
    ("reduced", "5.5", "9.48", "0.52"),
    ("super_reduced", "2.1", "9.79", "0.21"),
    ("home_renovation", "10", "9.09", "0.91"),
    ("energy_renovation", "5.5", "9.48", "0.52"),
]


@pytest.mark.parametrize(("category", "rate", "vat", "gross"), EXCLUSIVE)
@pytest.mark.parametrize("buyer", ["consumer", "business"])
def test_every_category_excluding_vat(category: str, rate: str, vat: str, gross: str, buyer: str) -> None:
    # thermoconfort carries the building insurance the home-works rates require.
    b = FR_COMPANY if buyer == "business" else None
    d = draft(order("thermoconfort", buyer=b, include_vat=False, lines=[line(category)]))
    doc = d.finalize(1, NOW, "0" * 64)
    assert (doc.totals.tax_exclusive, doc.totals.tax_total, doc.totals.tax_inclusive) == (D("36.00"), D(vat), D(gross))
    assert [(b.category, b.rate) for b in doc.vat_breakdown] == [("S", D(rate))]
    assert doc.lines[0].vat_rate == D(rate)
    assert doc.business_case == ("B2B" if buyer == "business" else "B2C")


@pytest.mark.parametrize(("category", "rate", "net", "vat"), INCLUSIVE)
@pytest.mark.parametrize("buyer", ["consumer", "business"])
def test_every_category_including_vat(category: str, rate: str, net: str, vat: str, buyer: str) -> None:
    b = FR_COMPANY if buyer == "business" else None
    d = draft(order("thermoconfort", buyer=b, lines=[line(category, qty="1", price="10.00")]))
    assert figures(d) == (D(net), D(vat), D("10.00"))
    # An exact net exists, so the trace must not claim the one-cent BR-CO-17 deviation.
    assert not any("no net amount gives gross" in t for t in d.fields["trace"])


@pytest.mark.parametrize(
    ("rate", "vat", "gross"),
    [("20", "7.20", "43.20"), ("10", "3.60", "39.60"), ("5.5", "1.98", "37.98"), ("2.1", "0.76", "36.76")],
)
def test_explicit_rate_without_category(rate: str, vat: str, gross: str) -> None:
    d = draft(order(buyer=FR_COMPANY, include_vat=False, lines=[line(vat_rate=rate)]))
    assert figures(d) == (D("36.00"), D(vat), D(gross))


def test_home_works_print_the_client_certification_citing_the_right_article() -> None:
    d = draft(order("thermoconfort", lines=[line("home_renovation"), line("energy_renovation", sku="SKU-2")]))
    text = " ".join(m.text for m in d.fields["mentions"])
    assert "279-0 bis" in text
    assert "278-0 bis A" in text


@pytest.mark.parametrize("key", ["home_renovation", "energy_renovation"])
def test_works_rates_need_their_facts(key: str) -> None:
    """CGI 279-0 bis / 278-0 bis A: premises used as a dwelling, completed more than two years before the
    works, and (since LF 2025) the client's certification; without them the reduced rate is refused."""
    works = [line(key)]
    e = rejected(bad("thermoconfort", lines=works, works=None), "works_rate_condition_missing")
    assert "works.dwelling" in e.reason
    assert "works.client_statement" in e.reason
    no_statement = {"dwelling": True, "completed_on": "2001-06-30"}
    e = rejected(bad("thermoconfort", lines=works, works=no_statement), "works_rate_condition_missing")
    assert "works.client_statement" in e.reason
    assert "works.dwelling" not in e.reason
    statement = {"accepted_at": "2026-11-10T10:00:00+01:00", "text_id": "fr-attestation"}
    office = {"dwelling": False, "completed_on": "2001-06-30", "client_statement": statement}
    rejected(bad("thermoconfort", lines=works, works=office), "works_rate_condition_unmet")
    # Delivered 2026-11-19: completed 2024-11-19 is exactly two years before, not more; 2024-11-18 is.
    for day in ("2024-11-20", "2024-11-19"):
        recent = {"dwelling": True, "completed_on": day, "client_statement": statement}
        e = rejected(bad("thermoconfort", lines=works, works=recent), "works_rate_condition_unmet")
        assert "not more than two years" in e.reason
    old_enough = {"dwelling": True, "completed_on": "2024-11-18", "client_statement": statement}
    d = draft(order("thermoconfort", lines=works, works=old_enough))
    assert d.fields["lines"][0].vat_rate == {"home_renovation": D("10"), "energy_renovation": D("5.5")}[key]


def test_a_bare_works_rate_cannot_skip_the_facts() -> None:
    # 5.5 % is also the "reduced" rate (CGI 278-0 bis): a bare 5.5 % is the reduced rate, no facts needed;
    # but 10 % is "intermediate" as well, so a bare 10 % is allowed as intermediate (products).
    d = draft(order(lines=[line(None, vat_rate="10")]))
    assert d.fields["lines"][0].vat_rate == D("10")


def test_no_exact_net_for_the_gross_vat_absorbs_the_cent() -> None:
    # 10.05 TTC at 20 %: 8.37 + round(1.674) = 10.04 and 8.38 + round(1.676) = 10.06, no net fits;
    # the gross paid is kept: net 10.05 / 1.2 = 8.375 -> 8.38, VAT 10.05 - 8.38 = 1.67 (BR-CO-17 tolerance).
    d = draft(order(lines=[line("standard", qty="1", price="10.05")]))
    assert figures(d) == (D("8.38"), D("1.67"), D("10.05"))
    assert any("no net amount gives gross 10.05" in t for t in d.fields["trace"])


def test_line_net_amount_rounds_half_up() -> None:
    # 2 x 1.1125 = 2.225 -> 2.23 half-up (banker's rounding would give 2.22); VAT 2.23 x 0.2 = 0.446 -> 0.45.
    d = draft(order(buyer=FR_COMPANY, include_vat=False, lines=[line("standard", qty="2", price="1.112500")]))
    assert figures(d) == (D("2.23"), D("0.45"), D("2.68"))


def test_unit_net_price_of_an_inclusive_line_rounds_half_up_at_six_decimals() -> None:
    # 128 x 0.009375 = 1.20 TTC at 20 %: net 1.00, VAT 0.20; unit net 1.00 / 128 = 0.0078125 -> 0.007813
    # (EN 16931 BT-146 unit price, half-up; half-even would give 0.007812).
    d = draft(order(lines=[line("standard", qty="128", price="0.009375")]))
    doc = d.finalize(1, NOW, "0" * 64)
    assert figures(d) == (D("1.00"), D("0.20"), D("1.20"))
    assert doc.lines[0].net_unit_price == D("0.007813")


def test_line_discount_excluding_vat() -> None:
    # 2 x 50.00 - 10.00 = 90.00 at 20 %: VAT 18.00, 108.00; allowance BT-136 = 10.00.
    d = draft(order(buyer=FR_COMPANY, include_vat=False, lines=[line("standard", "2", "50.00", discount="10.00")]))
    doc = d.finalize(1, NOW, "0" * 64)
    assert figures(d) == (D("90.00"), D("18.00"), D("108.00"))
    assert doc.lines[0].allowance == D("10.00")
    assert doc.lines[0].net_amount == D("90.00")


def test_line_discount_including_vat_is_stated_net_on_the_document() -> None:
    # 2 x 60.00 TTC - 12.00 = 108.00 TTC at 20 %: net 90.00, VAT 18.00. The invoice is stated net
    # (EN 16931), so the line allowance is 12.00 / 1.2 = 10.00, not the gross 12.00.
    d = draft(order(lines=[line("standard", "2", "60.00", discount="12.00")]))
    doc = d.finalize(1, NOW, "0" * 64)
    assert figures(d) == (D("90.00"), D("18.00"), D("108.00"))
    assert doc.lines[0].allowance == D("10.00")
    assert doc.lines[0].net_amount == D("90.00")


def test_order_discount_is_spread_pro_rata_and_taxed_at_each_rate() -> None:
    # Lines 100.00 at 20 % and 50.00 at 10 %, voucher 15.00: shares 10.00 and 5.00 (pro rata 2:1).
    # 90.00 x 0.20 = 18.00; 45.00 x 0.10 = 4.50; net 135.00, VAT 22.50, total 157.50.
    lines = [line("standard", "1", "100.00"), line("intermediate", "1", "50.00", sku="SKU-2")]
    d = draft(order(buyer=FR_COMPANY, include_vat=False, lines=lines, discounts=[{"amount": "15.00"}]))
    doc = d.finalize(1, NOW, "0" * 64)
    assert figures(d) == (D("135.00"), D("22.50"), D("157.50"))
    assert {(b.rate, b.taxable_amount, b.tax_amount) for b in doc.vat_breakdown} == {
        (D("20"), D("90.00"), D("18.00")),
        (D("10"), D("45.00"), D("4.50")),
    }


def test_order_discount_larger_than_the_order_is_refused() -> None:
    rejected(
        bad(
            include_vat=False, buyer=FR_COMPANY, lines=[line("standard", "1", "10.00")], discounts=[{"amount": "10.01"}]
        ),
        "discount_invalid",
    )


def test_franchise_seller_charges_no_vat() -> None:
    # CGI 293 B: no VAT, category E, "TVA non applicable, art. 293 B du CGI". 2 x 4.50 = 9.00.
    d = draft(order("quincaillerie-dupont", lines=[line(None, "2", "4.50", vat_rate="0")]))
    doc = d.finalize(1, NOW, "0" * 64)
    assert figures(d) == (D("9.00"), D("0.00"), D("9.00"))
    assert [(b.category, b.rate) for b in doc.vat_breakdown] == [("E", D("0"))]
    assert any("293 B" in m.text for m in doc.mentions)


DE_ADDRESS = {"line1": "Friedrichstraße 120", "postcode": "10115", "city": "Berlin", "country": "DE"}
FR_ADDRESS = {"line1": "8 rue de l'Église", "postcode": "35000", "city": "Rennes", "country": "FR"}
CH_CONSUMER = {
    "kind": "consumer",
    "name": "Luc Meier",
    "address": {"line1": "Bahnhofstrasse 1", "postcode": "8001", "city": "Zürich", "country": "CH"},
}


def test_intra_eu_supply_of_goods_is_exempt_and_so_is_its_shipping() -> None:
    # CGI 262 ter I: goods to a business with a German VAT id, shipped to Germany: exempt, category K.
    # Shipping is accessory to the supply and follows it (exempt too): 36.00 + 10.00 = 46.00, no VAT.
    d = draft(order(buyer=DE_COMPANY, include_vat=False, lines=[line("standard")], shipping="10.00"))
    doc = d.finalize(1, NOW, "0" * 64)
    assert figures(d) == (D("46.00"), D("0.00"), D("46.00"))
    assert {(ln.vat_category, ln.vat_rate) for ln in doc.lines} == {("K", D("0"))}
    text = " ".join(m.text for m in doc.mentions)
    assert "262 ter I" in text
    assert "DE136695976" in text  # both VAT ids (CGI ann. II 242 nonies A)
    assert doc.vat_breakdown[0].exemption_code == "VATEX-EU-IC"


def test_export_is_exempt_and_so_is_its_shipping() -> None:
    # CGI 262 I: goods shipped to Switzerland: exempt, category G, shipping follows.
    d = draft(order(buyer=CH_CONSUMER, lines=[line("reduced")], shipping="10.00"))
    doc = d.finalize(1, NOW, "0" * 64)
    assert figures(d) == (D("46.00"), D("0.00"), D("46.00"))
    assert {(ln.vat_category, ln.vat_rate) for ln in doc.lines} == {("G", D("0"))}
    assert any("262 I du CGI" in m.text for m in doc.mentions)


def test_exempt_shipping_with_a_vat_rate_is_refused() -> None:
    ev = order(buyer=DE_COMPANY, include_vat=False, lines=[line("standard")], shipping="10.00", fix_amount=False)
    ev["shipping"]["vat_rate"] = "20"
    ev["payment"]["amount"] = "48.00"
    rejected(ev, "vat_rate_mismatch")


def test_domestic_shipping_at_the_highest_rate() -> None:
    # 36.00 at 5.5 % and 10.00 shipping at 20 % (highest rate of the order, conservative):
    # VAT 1.98 + 2.00 = 3.98; net 46.00; total 49.98.
    d = draft(
        order(
            buyer=FR_COMPANY,
            include_vat=False,
            lines=[line("reduced"), line("standard", "1", "0.00", sku="SKU-2")],
            shipping="10.00",
        )
    )
    assert figures(d) == (D("46.00"), D("3.98"), D("49.98"))


def test_eu_business_buyer_with_goods_delivered_in_france_pays_french_vat() -> None:
    # The goods do not leave France: no intra-EU supply (CGI 262 ter I needs dispatch to another
    # member state), so French VAT applies: 36.00 at 5.5 % = 1.98.
    d = draft(order(buyer=DE_COMPANY, include_vat=False, lines=[line("reduced")], delivery_address=FR_ADDRESS))
    doc = d.finalize(1, NOW, "0" * 64)
    assert figures(d) == (D("36.00"), D("1.98"), D("37.98"))
    assert [(b.category, b.rate) for b in doc.vat_breakdown] == [("S", D("5.5"))]


def test_services_to_an_eu_business_are_reverse_charged_not_exempt_goods() -> None:
    # B2B services: supplied at the buyer (CGI 259), reverse-charged there (Directive art. 196): AE, never K.
    # 3 x 12.00 = 36.00, no VAT invoiced.
    d = draft(order(buyer=DE_COMPANY, include_vat=False, lines=[line("standard", nature="service")]))
    assert figures(d) == (D("36.00"), D("0.00"), D("36.00"))
    assert [(b.category, b.exemption_code) for b in d.fields["vat_breakdown"]] == [("AE", "VATEX-EU-AE")]


@pytest.mark.parametrize(
    ("buyer", "delivery"),
    [
        (DE_COMPANY, {"line1": "1 rue", "postcode": "8001", "city": "Zürich", "country": "CH"}),  # leaves the EU
        (None, {"line1": "1 rue", "postcode": "97400", "city": "Saint-Denis", "country": "FR"}),  # DOM: CGI 294-1
    ],
)
def test_goods_leaving_the_eu_vat_area_are_exports(buyer: Any, delivery: Any) -> None:
    # CGI 262 I (Directive art. 146, with art. 6 for La Réunion): 3 x 12.00 = 36.00, category G, no VAT.
    d = draft(order(buyer=buyer, include_vat=False, lines=[line("standard")], delivery_address=delivery))
    assert figures(d) == (D("36.00"), D("0.00"), D("36.00"))
    assert [(b.category, b.exemption_code) for b in d.fields["vat_breakdown"]] == [("G", "VATEX-EU-G")]


@pytest.mark.parametrize(
    ("buyer", "delivery", "code"),
    [
        # A distance sale to a German consumer (Directive art. 33, 59c): no distance-sales totals, not decided.
        (None, DE_ADDRESS, "distance_sales_unknown"),
        (
            None,
            {"line1": "1 cours Napoléon", "postcode": "20000", "city": "Ajaccio", "country": "FR"},
            "territory_unhandled",
        ),  # Corsica: CGI 297 rates
    ],
)
def test_cases_the_rules_do_not_know_are_refused(buyer: Any, delivery: Any, code: str) -> None:
    rejected(bad(buyer=buyer, lines=[line("standard")], delivery_address=delivery), code)


def test_services_exported_are_refused() -> None:
    rejected(bad(buyer=CH_CONSUMER, lines=[line("standard", nature="service")]), "unsupported_case")


@pytest.mark.parametrize(
    ("category", "rate"),
    [
        ("reduced", "20"),
        ("standard", "5.5"),
        ("intermediate", "5.5"),
        ("super_reduced", "5.5"),
        ("energy_renovation", "10"),
    ],
)
def test_explicit_rate_contradicting_its_category_is_refused(category: str, rate: str) -> None:
    rejected(bad("thermoconfort", lines=[line(category, vat_rate=rate)]), "vat_rate_mismatch")


def test_explicit_rate_contradicting_an_exempt_treatment_is_refused() -> None:
    rejected(bad(buyer=DE_COMPANY, include_vat=False, lines=[line(None, vat_rate="20")]), "vat_rate_mismatch")
    rejected(bad(buyer=DE_COMPANY, include_vat=False, lines=[line("reduced", vat_rate="20")]), "vat_rate_mismatch")


@pytest.mark.parametrize(
    ("lines", "code"), [([line(None, vat_rate="7")], "vat_rate_invalid"), ([line(None)], "vat_rate_missing")]
)
def test_unknown_or_missing_rate_is_refused(lines: list[dict[str, Any]], code: str) -> None:
    rejected(bad(lines=lines), code)


def test_home_works_without_insurance_are_refused() -> None:
    rejected(bad(lines=[line("home_renovation")]), "seller_insurance_missing")


# The sale occurs at 2026-11-18T10:15:00+01:00 = 09:15:00 UTC; a billing mandate must be prior (CGI 289 I-2).
def test_mandate_accepted_at_the_instant_of_the_sale_is_prior_enough() -> None:
    m = Mandate(version="MDF-2026-01", accepted_at=datetime(2026, 11, 18, 9, 15, tzinfo=UTC))
    draft(order(), mandate=m)


def test_mandate_accepted_one_second_after_the_sale_is_refused() -> None:
    m = Mandate(version="MDF-2026-01", accepted_at=datetime(2026, 11, 18, 9, 15, 1, tzinfo=UTC))
    rejected(bad(), "mandate_not_prior", mandate=m)


def test_mandate_not_active_is_refused() -> None:
    rejected(bad("nouveau-vendeur"), "mandate_inactive")


# Buyer SIREN mandatory on invoices issued from 2026-09-01 by large and mid-sized sellers
# (CGI 242 nonies A as amended; décret 2022-1299, calendar of LF 2024 art. 91): peintures-lumiere is mid.
NO_SIREN = {k: v for k, v in FR_COMPANY.items() if k != "siren"}


def test_buyer_siren_not_yet_mandatory_the_day_before() -> None:
    d = draft(bad("peintures-lumiere", buyer=NO_SIREN, lines=[line("standard")]), day=date(2026, 8, 31))
    assert d.fields["business_case"] == "B2B"


def test_buyer_siren_mandatory_from_the_day_itself() -> None:
    rejected(
        bad("peintures-lumiere", buyer=NO_SIREN, lines=[line("standard")]), "buyer_siren_missing", day=date(2026, 9, 1)
    )


def test_buyer_siren_for_a_micro_seller_only_from_2027_09_01() -> None:
    ev = bad("outillage-pro", buyer=NO_SIREN, lines=[line("standard")])
    draft(ev, day=date(2027, 8, 31), size_class="micro")
    rejected(ev, "buyer_siren_missing", day=date(2027, 9, 1), size_class="micro")
