"""Portugal (mainland): domestic invoices and credit notes with figures worked out by hand from the law.

Expected amounts are literals computed in the comments from the statutory rates, never read from
``mandat.countries.pt``: a wrong table must make these tests fail.

Rates: CIVA art. 18 n.º 1 — 23 % (standard, c)), 13 % (List II, b)), 6 % (List I, a)); List I item 2.27
(6 %, empreitadas on property used as housing; materials ≤ 20 % of the overall value); item 2.37 (6 %,
alternative-energy equipment, 2024-01-01 → 2025-06-30). Reverse charge: CIVA art. 2 n.º 1 j) and the words
"IVA - autoliquidação" (art. 36 n.º 13). Franchise: CIVA art. 53. Company mentions: CSC art. 171.
VAT per rate = round(taxable amount x rate) half-up to the cent (EN 16931 BR-CO-17).
"""

from __future__ import annotations

import copy
import doctest
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from mandat.countries.pt import identity, mentions, rates, treatment
from mandat.countries.registry import jurisdiction
from mandat.demo.markets import pt as demo
from mandat.domain.documents import Document
from mandat.domain.parties import DistanceSalesOpening, OneStopShop
from tests.markets import credit, issue, paid, pdf_text, refund, refused, schematron_errors, seller_from

D = Decimal
RETAILER = seller_from(demo.SELLERS[0])  # Casa & Jardim Lisboa, Lda., NIF 512345678
INSTALLER = seller_from(demo.SELLERS[1])  # Obras Norte Remodelações, S.A., NIF 509876544
CONSUMER = demo.CONSUMERS[0]
CONSUMER_WITH_NIF = demo.CONSUMERS[1]  # asked for NIF 213456788 on the invoice
DEDUCTING = demo.BUSINESSES[0]  # PT517880016, right to deduct
NOT_DEDUCTING = demo.BUSINESSES[1]  # PT505558882, no right to deduct
HOME = {"dwelling": True}
CHANNEL = "AT-certified software (ATCUD, SAF-T)"
REVERSE_CHARGE = "IVA - autoliquidação"


def line(category: str | None = "standard", qty: str = "3", price: str = "12.00", **more: Any) -> dict[str, Any]:
    ln: dict[str, Any] = {"sku": "SKU-1", "description": "Artigo", "quantity": qty, "unit_price": price}
    if category is not None:
        ln["tax_category"] = category
    ln.update(more)
    return ln


def labour(price: str, category: str = "home_renovation", **more: Any) -> dict[str, Any]:
    return works_line(category, price, "MO", "Mão de obra", {"nature": "service", "works_part": "labour", **more})


def materials(price: str, category: str = "home_renovation", **more: Any) -> dict[str, Any]:
    return works_line(category, price, "MAT", "Materiais incorporados", {"works_part": "materials", **more})


def works_line(category: str, price: str, sku: str, description: str, fields: dict[str, Any]) -> dict[str, Any]:
    ln = line(category, "1", price, sku=sku, description=description, **fields)
    return {k: v for k, v in ln.items() if v is not None}  # works_part=None: the fact left out


def figures(doc: Document) -> tuple[Decimal, Decimal, Decimal]:
    t = doc.totals
    return t.tax_exclusive, t.tax_total, t.tax_inclusive


def valid(doc: Document) -> Document:
    assert schematron_errors(doc) == []
    return doc


def texts(doc: Document) -> list[str]:
    return [m.text for m in doc.mentions]


def bad(seller: Any, buyer: dict[str, Any], lines: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    """An event the rules refuse: its payment amount is stated (``paid`` would run the rules)."""
    return paid(seller, buyer, lines, amount="1.00", **extra)


# --- rates ------------------------------------------------------------------------------------------

# 3 x 12.00 = 36.00 excluding VAT:
#   standard 23 %:      36.00 x 0.23 = 8.28 -> 44.28
#   intermediate 13 %:  36.00 x 0.13 = 4.68 -> 40.68
#   reduced 6 %:        36.00 x 0.06 = 2.16 -> 38.16
EXCLUSIVE = [
    ("standard", "23", "8.28", "44.28"),
    ("intermediate", "13", "4.68", "40.68"),
    ("reduced", "6", "2.16", "38.16"),
]


@pytest.mark.parametrize("buyer", [CONSUMER, DEDUCTING], ids=["B2C", "B2B"])
@pytest.mark.parametrize(("category", "rate", "vat", "gross"), EXCLUSIVE)
def test_every_rate_excluding_vat(buyer: dict[str, Any], category: str, rate: str, vat: str, gross: str) -> None:
    doc = valid(issue(paid(RETAILER, buyer, [line(category)]), RETAILER))
    assert figures(doc) == (D("36.00"), D(vat), D(gross))
    assert [(b.category, b.rate) for b in doc.vat_breakdown] == [("S", D(rate))]
    assert doc.business_case == ("B2B" if buyer["kind"] == "business" else "B2C")


# 10.00 including VAT: the net N with N + round(N x rate) = 10.00
#   23 %: 10.00 / 1.23 = 8.130 -> 8.13; 8.13 x 0.23 = 1.8699 -> 1.87; 8.13 + 1.87 = 10.00
#   13 %: 10.00 / 1.13 = 8.850 -> 8.85; 8.85 x 0.13 = 1.1505 -> 1.15; 8.85 + 1.15 = 10.00
#    6 %: 10.00 / 1.06 = 9.434 -> 9.43; 9.43 x 0.06 = 0.5658 -> 0.57; 9.43 + 0.57 = 10.00
INCLUSIVE = [("standard", "8.13", "1.87"), ("intermediate", "8.85", "1.15"), ("reduced", "9.43", "0.57")]


@pytest.mark.parametrize("buyer", [CONSUMER, DEDUCTING], ids=["B2C", "B2B"])
@pytest.mark.parametrize(("category", "net", "vat"), INCLUSIVE)
def test_every_rate_including_vat(buyer: dict[str, Any], category: str, net: str, vat: str) -> None:
    doc = valid(issue(paid(RETAILER, buyer, [line(category, "1", "10.00")], include_vat=True), RETAILER))
    assert figures(doc) == (D(net), D(vat), D("10.00"))


def test_a_bare_rate_of_the_ladder_is_accepted_and_another_refused() -> None:
    doc = valid(issue(paid(RETAILER, CONSUMER, [line(None, vat_rate="13")]), RETAILER))
    assert figures(doc) == (D("36.00"), D("4.68"), D("40.68"))
    assert (
        "not a PT rate"
        in refused(bad(RETAILER, CONSUMER, [line(None, vat_rate="20")]), RETAILER, "vat_rate_invalid").reason
    )


def test_a_category_portugal_does_not_have_is_refused() -> None:
    reason = refused(bad(RETAILER, CONSUMER, [line("super_reduced")]), RETAILER, "tax_category_unknown").reason
    assert "PT has no tax category 'super_reduced'" in reason


def test_a_tax_point_before_the_2011_rates_is_refused() -> None:
    refused(bad(RETAILER, CONSUMER, [line()], delivery="2010-12-31"), RETAILER, "date_unsupported")


def test_madeira_and_the_azores_are_refused() -> None:
    funchal = {
        **CONSUMER,
        "address": {"line1": "Rua da Sé 1", "postcode": "9000-050", "city": "Funchal", "country": "PT"},
    }
    reason = refused(bad(RETAILER, funchal, [line()]), RETAILER, "territory_unhandled").reason
    assert "Madeira or the Azores" in reason


def test_distance_sales_to_a_spanish_consumer_follow_the_sellers_count() -> None:
    # Directive 2006/112/EC art. 33, 59c; RITI art. 10. 3 x 12.00 = 36.00 net to Madrid.
    madrid = {**CONSUMER, "address": {"line1": "Calle Mayor 1", "postcode": "28013", "city": "Madrid", "country": "ES"}}
    refused(bad(RETAILER, madrid, [line()]), RETAILER, "distance_sales_unknown")  # no totals in the registry
    # 2025: 1,500.00, 2026 so far: 800.00, + 36.00 <= 10,000.00: Portuguese VAT, 36.00 x 23 % = 8.28 -> 44.28.
    opening = {"year": 2026, "previous_year": "1500", "current_year": "800"}
    below = RETAILER.model_copy(update={"distance_sales": DistanceSalesOpening.model_validate(opening)})
    doc = valid(issue(paid(below, madrid, [line()]), below))
    assert figures(doc) == (D("36.00"), D("8.28"), D("44.28"))
    assert doc.taxed_in is None
    # The seller opted for destination taxation (art. 59c(2)): Spanish VAT, 36.00 x 21 % = 7.56 -> 43.56, OSS.
    oss = OneStopShop(country="PT", since=date(2024, 1, 1), destination_option=True)
    opted = below.model_copy(update={"oss": oss})
    doc = valid(issue(paid(opted, madrid, [line()]), opted))
    assert figures(doc) == (D("36.00"), D("7.56"), D("43.56"))
    assert (doc.country, doc.taxed_in, doc.scheme) == ("PT", "ES", "oss")


# --- works on housing: List I item 2.27 ------------------------------------------------------------


def test_renovation_with_materials_within_20_percent_is_all_at_6() -> None:
    # materials 180.00 of 820.00 + 180.00 = 1000.00 -> 18 % <= 20 %: everything at 6 %
    # 1000.00 x 0.06 = 60.00 -> 1060.00
    event = paid(INSTALLER, CONSUMER, [labour("820.00"), materials("180.00")], works=HOME)
    doc = valid(issue(event, INSTALLER))
    assert figures(doc) == (D("1000.00"), D("60.00"), D("1060.00"))
    assert [(b.category, b.rate) for b in doc.vat_breakdown] == [("S", D("6"))]
    text = pdf_text(doc)
    assert "verba 2.27 da Lista I anexa ao CIVA" in text
    assert "materiais incorporados até 20 %" in text
    assert any("18.00 %" in t for t in doc.trace)


def test_materials_at_exactly_20_percent_still_qualify() -> None:
    # 200.00 of 1000.00 = 20 %, "não exceda 20 %": 1000.00 x 0.06 = 60.00
    doc = valid(issue(paid(INSTALLER, CONSUMER, [labour("800.00"), materials("200.00")], works=HOME), INSTALLER))
    assert figures(doc) == (D("1000.00"), D("60.00"), D("1060.00"))


def test_materials_above_20_percent_at_6_are_refused_with_the_figures() -> None:
    # 250.00 of 1000.00 = 25 % > 20 %: materials are not at 6 %; mandat does not reprice a paid order
    event = bad(INSTALLER, CONSUMER, [labour("750.00"), materials("250.00")], works=HOME)
    reason = refused(event, INSTALLER, "works_rate_condition_unmet").reason
    assert "25.00 %" in reason
    assert "250.00 of 1000.00" in reason
    assert "item 2.27" in reason


def test_materials_above_20_percent_sent_at_standard_with_labour_at_6() -> None:
    # labour 750.00 x 0.06 = 45.00; materials 250.00 x 0.23 = 57.50; VAT 102.50; gross 1102.50
    event = paid(INSTALLER, CONSUMER, [labour("750.00"), materials("250.00", "standard")], works=HOME)
    doc = valid(issue(event, INSTALLER))
    assert figures(doc) == (D("1000.00"), D("102.50"), D("1102.50"))
    assert sorted((b.rate, b.tax_amount) for b in doc.vat_breakdown) == [(D("6"), D("45.00")), (D("23"), D("57.50"))]
    assert any("acima de 20 %" in t for t in texts(doc))


def test_materials_within_20_percent_sent_at_standard_are_refused() -> None:
    # 150.00 of 1000.00 = 15 % <= 20 %: the materials are part of the 6 % service, 23 % on them is wrong
    event = bad(INSTALLER, CONSUMER, [labour("850.00"), materials("150.00", "standard")], works=HOME)
    reason = refused(event, INSTALLER, "works_rate_condition_unmet").reason
    assert "15.00 %" in reason
    assert "as home_renovation" in reason


def test_the_20_percent_test_is_on_net_values_when_prices_include_vat() -> None:
    # gross labour 848.00 / 1.06 = 800.00, gross materials 212.00 / 1.06 = 200.00: 20 % of 1000.00, allowed;
    # the VAT: 1060.00 gross at 6 % -> net 1000.00, VAT 60.00
    event = paid(INSTALLER, CONSUMER, [labour("848.00"), materials("212.00")], works=HOME, include_vat=True)
    doc = valid(issue(event, INSTALLER))
    assert figures(doc) == (D("1000.00"), D("60.00"), D("1060.00"))


@pytest.mark.parametrize(
    ("lines", "works", "fact"),
    [
        ([labour("800.00")], None, "works.dwelling"),
        ([labour("800.00")], {"private_use": "main"}, "works.dwelling"),
        ([labour("800.00", works_part=None)], HOME, "works_part (labour or materials) of line 1"),
        ([materials("200.00")], HOME, "a labour line that is a service"),
    ],
    ids=["no works", "no dwelling fact", "no works_part", "materials only"],
)
def test_renovation_without_its_facts_is_refused(lines: list[dict[str, Any]], works: Any, fact: str) -> None:
    extra = {"works": works} if works is not None else {}
    reason = refused(bad(INSTALLER, CONSUMER, lines, **extra), INSTALLER, "works_rate_condition_missing").reason
    assert reason.startswith("PT home_renovation (CIVA List I item 2.27)")
    assert fact in reason


@pytest.mark.parametrize(
    ("lines", "works", "why"),
    [
        ([labour("800.00")], {"dwelling": False}, "not used as housing"),
        ([labour("800.00"), materials("100.00", works_part="equipment")], HOME, "equipment"),
    ],
    ids=["not housing", "equipment part"],
)
def test_renovation_against_its_facts_is_refused(lines: list[dict[str, Any]], works: Any, why: str) -> None:
    reason = refused(bad(INSTALLER, CONSUMER, lines, works=works), INSTALLER, "works_rate_condition_unmet").reason
    assert why in reason


# --- energy equipment: List I item 2.37 (2024-01-01 -> 2025-06-30) -------------------------------


def test_energy_equipment_at_6_percent_while_item_2_37_applied() -> None:
    # 2 x 450.00 = 900.00; 900.00 x 0.06 = 54.00 -> 954.00
    panel = line("energy_equipment", "2", "450.00", description="Painel solar fotovoltaico 450 W")
    doc = valid(issue(paid(RETAILER, CONSUMER, [panel], delivery="2025-03-10"), RETAILER))
    assert figures(doc) == (D("900.00"), D("54.00"), D("954.00"))
    assert any("verba 2.37" in t for t in texts(doc))


@pytest.mark.parametrize("delivery", ["2025-07-01", "2023-12-31"])
def test_energy_equipment_outside_its_period_is_refused(delivery: str) -> None:
    panel = line("energy_equipment", "1", "450.00")
    reason = refused(bad(RETAILER, CONSUMER, [panel], delivery=delivery), RETAILER, "date_unsupported").reason
    assert "2.37" in reason


# --- construction reverse charge: CIVA art. 2 n.º 1 j) ---------------------------------------------


def test_works_for_a_taxable_buyer_with_a_right_to_deduct_are_reverse_charged() -> None:
    # 820.00 + 180.00 = 1000.00, no VAT charged: the buyer accounts for it (category AE)
    event = paid(INSTALLER, DEDUCTING, [labour("820.00"), materials("180.00")], works=HOME)
    doc = valid(issue(event, INSTALLER))
    assert figures(doc) == (D("1000.00"), D("0.00"), D("1000.00"))
    assert [(b.category, b.rate, b.exemption_code) for b in doc.vat_breakdown] == [("AE", D("0"), "VATEX-EU-AE")]
    assert doc.vat_breakdown[0].exemption_reason == REVERSE_CHARGE
    text = pdf_text(doc)
    assert REVERSE_CHARGE in text
    assert "PT517880016" in text
    assert not any("verba 2.27" in t for t in texts(doc))  # no rate is charged, so none is justified


def test_standard_rate_construction_services_are_reverse_charged_too() -> None:
    # an office (not housing) refurbished at 23 % for a deducting company: 2000.00, no VAT
    office = [labour("2000.00", "standard")]
    doc = valid(issue(paid(INSTALLER, DEDUCTING, office, works={"dwelling": False}), INSTALLER))
    assert figures(doc) == (D("2000.00"), D("0.00"), D("2000.00"))


def test_works_for_a_buyer_without_a_right_to_deduct_bear_vat() -> None:
    # 1000.00 x 0.06 = 60.00 -> 1060.00
    event = paid(INSTALLER, NOT_DEDUCTING, [labour("820.00"), materials("180.00")], works=HOME)
    doc = valid(issue(event, INSTALLER))
    assert figures(doc) == (D("1000.00"), D("60.00"), D("1060.00"))
    assert REVERSE_CHARGE not in pdf_text(doc)


def test_goods_for_a_deducting_business_are_not_reverse_charged() -> None:
    doc = valid(issue(paid(RETAILER, DEDUCTING, [line()]), RETAILER))
    assert figures(doc) == (D("36.00"), D("8.28"), D("44.28"))


def test_materials_sold_alone_for_works_are_not_reverse_charged() -> None:
    # goods only (no service): a sale of goods at 23 %, 36.00 x 0.23 = 8.28, even with works facts
    doc = valid(issue(paid(INSTALLER, DEDUCTING, [line()], works={"dwelling": False}), INSTALLER))
    assert figures(doc) == (D("36.00"), D("8.28"), D("44.28"))


def test_works_for_a_business_without_the_deduction_fact_are_refused() -> None:
    buyer = {k: v for k, v in DEDUCTING.items() if k != "facts"}
    event = bad(INSTALLER, buyer, [labour("800.00")], works=HOME)
    reason = refused(event, INSTALLER, "reverse_charge_condition_missing").reason
    assert "pt_deduction_right" in reason
    assert "art. 2 n.º 1 j)" in reason


def test_reverse_charge_needs_the_buyers_vat_number() -> None:
    buyer = {**{k: v for k, v in DEDUCTING.items() if k != "vat_id"}, "tax_number": "517880016"}
    refused(bad(INSTALLER, buyer, [labour("800.00")], works=HOME), INSTALLER, "reverse_charge_condition_missing")


def test_works_mixed_with_other_goods_for_a_business_are_refused() -> None:
    event = bad(INSTALLER, DEDUCTING, [labour("800.00"), line(sku="X")], works=HOME)
    refused(event, INSTALLER, "unsupported_case")


# --- invoice contents: CIVA art. 36 n.º 5, CSC art. 171 ---------------------------------------------


def test_pdf_holds_the_mandatory_identity_and_mentions() -> None:
    doc = valid(issue(paid(RETAILER, CONSUMER_WITH_NIF, [line()]), RETAILER))
    text = pdf_text(doc)
    for needed in (
        "PT512345678",  # seller VAT number = PT + NIF
        "NIPC 512345678",  # registration number (CSC art. 171, DL 8/2007)
        "Conservatória do Registo Comercial de Lisboa",
        "capital social 5 000,00 €",
        "Sociedade por quotas",
        "NIF 213456788",  # consumer NIF on request
        "Fatura emitida por",
        "em nome e por conta de Casa & Jardim Lisboa, Lda.",
        CHANNEL,
    ):
        assert needed in text, needed
    assert doc.legal_channel == CHANNEL
    assert "autofatura" not in text.lower()  # self-billing wording is for buyer-issued invoices


def test_seller_legal_info_is_the_portuguese_bt33() -> None:
    doc = issue(paid(RETAILER, CONSUMER, [line()]), RETAILER)
    assert doc.seller.legal_info == (
        "Sociedade por quotas, capital social 5 000,00 €, matriculada na Conservatória do Registo Comercial de "
        "Lisboa sob o número único de matrícula e de pessoa coletiva 512345678"
    )
    assert [(i.label, i.value, i.role) for i in doc.seller.ids] == [("NIPC", "512345678", "legal")]


def test_labels_in_the_buyers_language_mentions_in_portuguese() -> None:
    english = {**CONSUMER, "language": "en"}
    doc = valid(issue(paid(RETAILER, english, [line()]), RETAILER))
    text = pdf_text(doc)
    assert doc.language == "en"
    assert doc.mention_language == "pt"
    assert "INVOICE" in text.upper()
    assert "Fatura emitida por" in text
    assert "Fatura paga em" in text


def test_a_business_buyer_needs_its_nif() -> None:
    buyer = {k: v for k, v in DEDUCTING.items() if k not in ("vat_id", "facts")}
    reason = refused(bad(RETAILER, buyer, [line()]), RETAILER, "buyer_tax_number_missing").reason
    assert "art. 36 n.º 5 a)" in reason


def test_a_business_buyer_with_only_its_nif_is_invoiced() -> None:
    buyer = {**{k: v for k, v in DEDUCTING.items() if k not in ("vat_id", "facts")}, "tax_number": "517880016"}
    doc = valid(issue(paid(RETAILER, buyer, [line()]), RETAILER))
    assert "NIF 517880016" in pdf_text(doc)


@pytest.mark.parametrize("nif", ["213456789", "517880017"])
def test_a_wrong_buyer_nif_is_refused(nif: str) -> None:
    refused(bad(RETAILER, {**CONSUMER, "tax_number": nif}, [line()]), RETAILER, "buyer_vat_invalid")


def test_a_nif_that_is_not_the_vat_numbers_is_refused() -> None:
    refused(bad(RETAILER, {**DEDUCTING, "tax_number": "505558882"}, [line()]), RETAILER, "buyer_vat_invalid")


def test_a_business_buyer_identified_in_another_member_state_buys_goods_delivered_in_portugal() -> None:
    # delivered in Portugal: Portuguese VAT, 36.00 x 0.23 = 8.28; the buyer is named by its ES VAT number
    madrid = {"line1": "Calle Mayor 1", "postcode": "28013", "city": "Madrid", "country": "ES"}
    lisbon = {"line1": "Rua Augusta 10", "postcode": "1100-053", "city": "Lisboa", "country": "PT"}
    buyer = {"kind": "business", "name": "Bricolaje Ibérico S.L.", "address": madrid, "vat_id": "ESB12345674"}
    event = paid(RETAILER, buyer, [line()], amount="44.28")
    event["delivery"]["address"] = lisbon
    doc = valid(issue(event, RETAILER))
    assert figures(doc) == (D("36.00"), D("8.28"), D("44.28"))
    assert "ESB12345674" in pdf_text(doc)


def test_an_order_in_dollars_states_its_vat_in_euros() -> None:
    # 36.00 USD at 23 % -> VAT 8.28 USD; at the event's 0.9200 EUR per USD: 8.28 x 0.92 = 7.6176 -> 7.62 EUR (BT-111)
    rate = {"rate": "0.9200", "source": "ECB", "date": "2026-11-18"}
    doc = valid(issue(paid(RETAILER, CONSUMER, [line()], currency="USD", exchange_rate=rate), RETAILER))
    assert figures(doc) == (D("36.00"), D("8.28"), D("44.28"))
    assert doc.currency == "USD"
    assert doc.exchange is not None
    assert (doc.exchange.tax_currency, doc.exchange.tax_total) == ("EUR", D("7.62"))


# --- identity -----------------------------------------------------------------------------------------


def problems(**changes: Any) -> list[str]:
    data = copy.deepcopy(demo.SELLERS[0])
    data.update(changes)
    return jurisdiction("PT").seller_problems(seller_from({k: v for k, v in data.items() if v is not None}))


def test_demo_sellers_have_no_identity_problem() -> None:
    assert problems() == []
    assert jurisdiction("PT").seller_problems(INSTALLER) == []


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"vat_id": None, "tax_number": None, "company_id": None}, "needs its NIF"),
        ({"vat_id": None, "tax_number": "512345679", "company_id": None}, "invalid NIF '512345679'"),
        ({"tax_number": "509876544", "company_id": None}, "does not belong to NIF 509876544"),
        ({"vat_id": None}, "needs its VAT number"),
        ({"company_id": "509876544"}, "must be the NIF 512345678"),
        ({"trade_register": None}, "commercial-registry office"),
        ({"share_capital": None}, "share capital"),
        ({"legal_form": None}, "type (legal_form)"),
        ({"vat_id": "FR44732829320"}, "PT VAT number"),
    ],
)
def test_identity_problems(changes: dict[str, Any], expected: str) -> None:
    assert any(expected in p for p in problems(**changes)), problems(**changes)


def test_a_partnership_needs_no_capital_and_a_sole_trader_no_register() -> None:
    assert problems(share_capital=None, legal_form="Sociedade em nome coletivo") == []
    trader = problems(
        vat_id="PT213456788",
        tax_number="213456788",
        company_id=None,
        legal_form=None,
        trade_register=None,
        share_capital=None,
    )
    assert trader == []


def test_a_seller_with_identity_problems_cannot_issue() -> None:
    seller = seller_from({**demo.SELLERS[0], "trade_register": None})
    refused(bad(seller, CONSUMER, [line()]), seller, "seller_identity_invalid")


# --- franchise: CIVA art. 53 --------------------------------------------------------------------------


def test_franchise_seller_charges_no_vat_and_says_why() -> None:
    # a sole trader under art. 53: 36.00, no VAT, category E
    seller = seller_from(
        {
            **demo.SELLERS[0],
            "id": "pt-artesao",
            "code": "PTART",
            "legal_name": "Manuel Costa",
            "vat_id": None,
            "tax_number": "213456788",
            "company_id": None,
            "legal_form": None,
            "share_capital": None,
            "trade_register": None,
            "vat_regime": "franchise",
        }
    )
    doc = valid(issue(paid(seller, CONSUMER, [line()]), seller))
    assert figures(doc) == (D("36.00"), D("0.00"), D("36.00"))
    assert [b.category for b in doc.vat_breakdown] == ["E"]
    assert doc.vat_breakdown[0].exemption_reason == "IVA - regime de isenção (artigo 53.º do CIVA)"
    text = pdf_text(doc)
    assert "IVA - regime de isenção (artigo 53.º do CIVA)" in text
    assert "NIF 213456788" in text


# --- credit notes ------------------------------------------------------------------------------------


def invoice_of_two() -> Document:
    # line A: 3 x 12.00 = 36.00 at 23 % -> 8.28; line B: 1 x 10.00 = 10.00 at 6 % -> 0.60; gross 54.88
    lines = [line(), line("reduced", "1", "10.00", sku="SKU-2", description="Livro")]
    return valid(issue(paid(RETAILER, CONSUMER_WITH_NIF, lines), RETAILER))


def test_full_credit_note_names_its_invoice() -> None:
    inv = invoice_of_two()
    assert figures(inv) == (D("46.00"), D("8.88"), D("54.88"))
    cn = valid(credit(inv, refund(inv, "54.88"), RETAILER))
    assert figures(cn) == (D("46.00"), D("8.88"), D("54.88"))
    assert cn.corrects is not None
    assert cn.corrects.number == inv.number
    text = pdf_text(cn)
    assert f"Nota de crédito referente à fatura n.º {inv.number} de 20/11/2026" in text
    assert "Nota de crédito emitida por" in text
    assert "Nota de crédito reembolsada em" in text


def test_partial_credit_note_of_one_unit() -> None:
    # one unit of line A: 12.00 x 0.23 = 2.76 -> 14.76
    inv = invoice_of_two()
    scope = {"kind": "lines", "lines": [{"sku": "SKU-1", "quantity": "1"}]}
    cn = valid(credit(inv, refund(inv, "14.76", scope), RETAILER))
    assert figures(cn) == (D("12.00"), D("2.76"), D("14.76"))
    assert any(inv.number in t for t in texts(cn))


def test_amount_credit_note_at_one_rate() -> None:
    # 10.60 including VAT at 6 %: 10.60 / 1.06 = 10.00 net, 0.60 VAT
    inv = invoice_of_two()
    scope = {"kind": "amount", "amounts": [{"vat_rate": "6", "amount": "10.60"}]}
    cn = valid(credit(inv, refund(inv, "10.60", scope), RETAILER))
    assert figures(cn) == (D("10.00"), D("0.60"), D("10.60"))


def test_credit_note_of_a_reverse_charged_invoice_keeps_the_mention() -> None:
    event = paid(INSTALLER, DEDUCTING, [labour("820.00"), materials("180.00")], works=HOME)
    inv = issue(event, INSTALLER)
    cn = valid(credit(inv, refund(inv, "1000.00"), INSTALLER))
    assert figures(cn) == (D("1000.00"), D("0.00"), D("1000.00"))
    assert REVERSE_CHARGE in pdf_text(cn)
    assert cn.legal_channel == CHANNEL


# --- demo market and doctests ------------------------------------------------------------------------


@pytest.mark.parametrize("buyer", [*demo.CONSUMERS, *demo.BUSINESSES], ids=lambda b: b["name"])
def test_demo_products_issue_cleanly(buyer: dict[str, Any]) -> None:
    doc = valid(issue(paid(RETAILER, buyer, demo.PRODUCTS), RETAILER))
    assert {b.rate for b in doc.vat_breakdown} == {D("23"), D("13"), D("6")}


@pytest.mark.parametrize("buyer", [*demo.CONSUMERS, *demo.BUSINESSES], ids=lambda b: b["name"])
@pytest.mark.parametrize("order", range(len(demo.WORKS)))
def test_demo_works_issue_cleanly(buyer: dict[str, Any], order: int) -> None:
    lines, works = demo.WORKS[order]
    doc = valid(issue(paid(INSTALLER, buyer, lines, works=works), INSTALLER))
    expected = "AE" if buyer.get("facts", {}).get("pt_deduction_right") else "S"
    assert [b.category for b in doc.vat_breakdown] == [expected]


@pytest.mark.parametrize("module", [rates, mentions, identity, treatment])
def test_doctests(module: Any) -> None:
    result = doctest.testmod(module)
    assert result.attempted > 0
    assert result.failed == 0


def test_renovation_in_the_azores_is_refused_as_a_territory() -> None:
    # The Azores have their own rates (CIVA art. 18(3)): where the property is is decided first, and refused.
    azores = {"line1": "Rua A", "postcode": "9500-150", "city": "Ponta Delgada", "country": "PT"}
    works = {"dwelling": True, "property_address": azores}
    reason = refused(bad(INSTALLER, CONSUMER, [labour("800.00")], works=works), INSTALLER, "territory_unhandled").reason
    assert "Azores" in reason
