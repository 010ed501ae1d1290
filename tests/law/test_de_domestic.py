"""German domestic sales with figures worked out by hand from the law.

Expected amounts are literals computed in the comments from the statutory rates, never read from
``mandat.countries.de``: a wrong table must make these tests fail.

Rates: UStG §12(1) 19 %, §12(2) with Anlage 2 7 % (books, live plants); 2020-07-01 to 2020-12-31
16 % / 5 % (§28(1), (2), Zweites Corona-Steuerhilfegesetz); since 2023-01-01 0 % for photovoltaic
installations supplied to their operator (§12(3)). Amounts are rounded half up to the cent per rate
(EN 16931 BR-CO-17; "kaufmännische Rundung"). Every document made here passes the EN 16931 1.3.16
Schematron.
"""

from __future__ import annotations

import copy
from decimal import Decimal
from typing import Any

import pytest

from mandat.domain.documents import Document
from mandat.domain.exchange import Rate
from mandat.rules.invoice import check_seller
from tests.markets import (
    TODAY,
    fixed_rates,
    issue,
    paid,
    pdf_text,
    refund,
    refused,
    schematron_errors,
    seller_from,
)
from tests.markets import credit as credit_note

D = Decimal

RETAILER: dict[str, Any] = {
    "id": "de-test-retail",
    "code": "DETEST",
    "legal_name": "Werkzeughandel Vogel GmbH",
    "address": {"line1": "Leopoldstraße 20", "postcode": "80802", "city": "München", "country": "DE"},
    "email": "rechnung@vogel.example",
    "vat_id": "DE812345673",
    "tax_number": "143/123/45678",
    "legal_form": "GmbH",
    "trade_register": "Amtsgericht München",
    "company_id": "HRB 123456",
    "managers": "Petra Vogel",
    "invoice_series": "RE-{code}-{seq:06}",
    "credit_note_series": "RK-{code}-{seq:06}",
}
INSTALLER: dict[str, Any] = {
    "id": "de-test-solar",
    "code": "DESOL",
    "legal_name": "Sonnendach Becker e.K.",
    "address": {"line1": "Podbielskistraße 33", "postcode": "30163", "city": "Hannover", "country": "DE"},
    "vat_id": "DE271828180",
    "tax_number": "25/204/18406",
    "legal_form": "e.K.",
    "trade_register": "Amtsgericht Hannover",
    "company_id": "HRA 204518",
    "invoice_series": "RE-{code}-{seq:06}",
    "credit_note_series": "RK-{code}-{seq:06}",
}
CONSUMER: dict[str, Any] = {
    "kind": "consumer",
    "name": "Jonas Richter",
    "address": {"line1": "Bergmannstraße 5", "postcode": "10961", "city": "Berlin", "country": "DE"},
}
COMPANY: dict[str, Any] = {
    "kind": "business",
    "name": "Hausverwaltung Kaiser GmbH",
    "address": {"line1": "Mainzer Landstraße 210", "postcode": "60326", "city": "Frankfurt am Main", "country": "DE"},
    "vat_id": "DE314159262",
}
BAULEISTER: dict[str, Any] = {
    "kind": "business",
    "name": "Dachdeckerei Huber GmbH",
    "address": {"line1": "Haunstetter Straße 19", "postcode": "86161", "city": "Augsburg", "country": "DE"},
    "vat_id": "DE298765435",
    "facts": {"de_bauleister": True},
}
STATEMENT = {"accepted_at": "2026-10-02T18:30:00+02:00", "text_id": "DE-PV-BETREIBER"}
PV_FACTS: dict[str, Any] = {
    "dwelling": True,
    "operator_is_buyer": True,
    "pv_kwp": "8.6",
    "installed_by_seller": True,
    "client_statement": STATEMENT,
}


def line(category: str | None = "standard", qty: str = "3", price: str = "12.00", **more: Any) -> dict[str, Any]:
    ln: dict[str, Any] = {"sku": "SKU-1", "description": "Artikel", "quantity": qty, "unit_price": price}
    if category is not None:
        ln["tax_category"] = category
    ln.update(more)
    return ln


def pv_lines() -> list[dict[str, Any]]:
    return [
        line("pv_installation", "20", "129.00", sku="PV-MOD", description="PV-Modul 430 Wp"),
        line("pv_installation", "1", "1490.00", sku="PV-WR", description="Hybrid-Wechselrichter 8 kW"),
        line("pv_installation", "1", "2800.00", sku="PV-MONT", description="Montage der PV-Anlage", nature="service"),
    ]


def figures(doc: Document) -> tuple[Decimal, Decimal, Decimal]:
    t = doc.totals
    return t.tax_exclusive, t.tax_total, t.tax_inclusive


def valid(doc: Document) -> Document:
    assert schematron_errors(doc) == []
    return doc


def codes(doc: Document) -> list[str]:
    return [m.code for m in doc.mentions]


def text_of(doc: Document, code: str) -> str:
    return next(m.text for m in doc.mentions if m.code == code)


def bad(seller: Any, buyer: dict[str, Any], lines: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    """An event the rules refuse: its amount is stated (``paid`` would run the rules to compute it)."""
    return paid(seller, buyer, lines, amount="1.00", **extra)


# --- rates ---------------------------------------------------------------------------------------

# 3 x 12.00 = 36.00 excluding VAT:
#   standard 19 % (UStG §12(1)):          36.00 x 0.19 = 6.84 -> 42.84
#   reduced   7 % (§12(2), Anlage 2):     36.00 x 0.07 = 2.52 -> 38.52
EXCLUSIVE = [("standard", "19", "6.84", "42.84"), ("reduced", "7", "2.52", "38.52")]
# 10.00 including VAT: the net N with N + round(N x rate) = 10.00.
#   19 %: 10.00 / 1.19 = 8.403 -> 8.40; 8.40 x 0.19 = 1.596 -> 1.60; 8.40 + 1.60 = 10.00
#    7 %: 10.00 / 1.07 = 9.346 -> 9.35; 9.35 x 0.07 = 0.6545 -> 0.65; 9.35 + 0.65 = 10.00
INCLUSIVE = [("standard", "19", "8.40", "1.60"), ("reduced", "7", "9.35", "0.65")]


@pytest.mark.parametrize(("category", "rate", "vat", "gross"), EXCLUSIVE)
@pytest.mark.parametrize("buyer", [CONSUMER, COMPANY], ids=["B2C", "B2B"])
def test_every_rate_excluding_vat(category: str, rate: str, vat: str, gross: str, buyer: dict[str, Any]) -> None:
    s = seller_from(RETAILER)
    doc = valid(issue(paid(s, buyer, [line(category)]), s))
    assert figures(doc) == (D("36.00"), D(vat), D(gross))
    assert [(b.category, b.rate) for b in doc.vat_breakdown] == [("S", D(rate))]
    assert doc.business_case == ("B2B" if buyer is COMPANY else "B2C")
    assert doc.currency == "EUR"
    assert doc.legal_channel is None  # Factur-X EN 16931 is the German e-invoice: no other channel


@pytest.mark.parametrize(("category", "rate", "net", "vat"), INCLUSIVE)
@pytest.mark.parametrize("buyer", [CONSUMER, COMPANY], ids=["B2C", "B2B"])
def test_every_rate_including_vat(category: str, rate: str, net: str, vat: str, buyer: dict[str, Any]) -> None:
    s = seller_from(RETAILER)
    doc = valid(issue(paid(s, buyer, [line(category, "1", "10.00")], include_vat=True), s))
    assert figures(doc) == (D(net), D(vat), D("10.00"))
    assert doc.vat_breakdown[0].rate == D(rate)


def test_two_rates_on_one_invoice() -> None:
    # 2 x 49.90 (19 %) = 99.80 -> VAT 18.962 -> 18.96; 1 x 24.90 (7 %) -> VAT 1.743 -> 1.74
    # net 124.70, VAT 20.70, gross 145.40
    s = seller_from(RETAILER)
    lines = [line("standard", "2", "49.90"), line("reduced", "1", "24.90", sku="BUCH")]
    doc = valid(issue(paid(s, CONSUMER, lines), s))
    assert figures(doc) == (D("124.70"), D("20.70"), D("145.40"))
    assert [(b.rate, b.taxable_amount, b.tax_amount) for b in doc.vat_breakdown] == [
        (D("19"), D("99.80"), D("18.96")),
        (D("7"), D("24.90"), D("1.74")),
    ]


@pytest.mark.parametrize(
    ("delivery", "category", "vat", "gross"),
    [
        # 36.00 x 0.19 = 6.84 the day before the cut (UStG §12(1))
        ("2020-06-30", "standard", "6.84", "42.84"),
        # 36.00 x 0.16 = 5.76; 36.00 x 0.05 = 1.80 (UStG §28(1), (2), 2020-07-01 to 2020-12-31)
        ("2020-07-01", "standard", "5.76", "41.76"),
        ("2020-12-31", "reduced", "1.80", "37.80"),
        # back to 19 % / 7 % on 2021-01-01: 36.00 x 0.07 = 2.52
        ("2021-01-01", "reduced", "2.52", "38.52"),
    ],
)
def test_rates_of_the_tax_point_in_2020(delivery: str, category: str, vat: str, gross: str) -> None:
    s = seller_from(RETAILER)
    doc = valid(issue(paid(s, CONSUMER, [line(category)], delivery=delivery), s))
    assert figures(doc) == (D("36.00"), D(vat), D(gross))


@pytest.mark.parametrize("key", ["intermediate", "super_reduced", "parking", "zero", "home_renovation"])
def test_keys_germany_does_not_have(key: str) -> None:
    s = seller_from(RETAILER)
    err = refused(bad(s, CONSUMER, [line(key)]), s, "tax_category_unknown")
    assert "DE has no tax category" in str(err)


def test_pv_rate_did_not_exist_before_2023() -> None:
    s = seller_from(INSTALLER)
    refused(bad(s, CONSUMER, pv_lines(), works=PV_FACTS, delivery="2022-12-31"), s, "tax_category_unknown")
    doc = valid(issue(paid(s, CONSUMER, pv_lines(), works=PV_FACTS, delivery="2023-01-01"), s))
    assert doc.totals.tax_total == D("0.00")


def test_explicit_rates() -> None:
    s = seller_from(RETAILER)
    doc = valid(issue(paid(s, CONSUMER, [line(None, vat_rate="19")]), s))
    assert figures(doc) == (D("36.00"), D("6.84"), D("42.84"))
    refused(bad(s, CONSUMER, [line(None, vat_rate="10")]), s, "vat_rate_invalid")
    # 0 % is only the photovoltaic rate: a bare 0 would skip its conditions.
    refused(bad(s, CONSUMER, [line(None, vat_rate="0")]), s, "works_rate_condition_missing")
    refused(bad(s, CONSUMER, [line("reduced", vat_rate="19")]), s, "vat_rate_mismatch")


def test_shipping_follows_the_highest_rate() -> None:
    # Book 21.40 incl. 7 % -> 20.00 + 1.40; shipping 5.35 incl. at 7 % (only rate) -> 5.00 + 0.35
    # net 25.00, VAT 1.75, gross 26.75
    s = seller_from(RETAILER)
    ev = paid(s, CONSUMER, [line("reduced", "1", "21.40")], include_vat=True, shipping={"amount": "5.35"})
    doc = valid(issue(ev, s))
    assert figures(doc) == (D("25.00"), D("1.75"), D("26.75"))
    assert doc.lines[-1].description == "Versandkosten"


def test_two_year_note_only_for_private_recipients_of_services() -> None:
    # §14(4) Satz 1 Nr. 9 with §14b(1) Satz 5: a private person receiving a service (here: fitting a door).
    s = seller_from(RETAILER)
    fitting = [line("standard", "1", "119.00", nature="service", description="Einbau Innentür")]
    consumer = valid(issue(paid(s, CONSUMER, fitting), s))
    assert "retention_2y" in codes(consumer)
    assert "zwei Jahre lang aufzubewahren" in pdf_text(consumer)
    business = valid(issue(paid(s, {**COMPANY, "facts": {"de_bauleister": False}}, fitting), s))
    assert "retention_2y" not in codes(business)
    goods = valid(issue(paid(s, CONSUMER, [line()]), s))
    assert "retention_2y" not in codes(goods)


def test_no_copy_notice_without_a_legal_channel() -> None:
    s = seller_from(RETAILER)
    for buyer in (CONSUMER, COMPANY):
        doc = valid(issue(paid(s, buyer, [line()]), s))
        assert doc.legal_channel is None
        assert "Kopie zur Information" not in pdf_text(doc)


# --- 0 % photovoltaic (UStG §12(3)) -------------------------------------------------------------


def test_pv_installation_to_its_operator_is_zero_rated() -> None:
    # 20 x 129.00 + 1490.00 + 2800.00 = 2580.00 + 1490.00 + 2800.00 = 6870.00 at 0 %: VAT 0.00
    s = seller_from(INSTALLER)
    doc = valid(issue(paid(s, CONSUMER, pv_lines(), works=PV_FACTS), s))
    assert figures(doc) == (D("6870.00"), D("0.00"), D("6870.00"))
    assert [(b.category, b.rate, b.exemption_reason) for b in doc.vat_breakdown] == [("Z", D("0"), None)]
    pv = text_of(doc, "pv_zero_rate")
    assert "§ 12 Abs. 3 UStG" in pv
    assert "8,6 kW (peak)" in pv
    assert "02.10.2026" in pv
    # Installation is a service connected with land, to a private person: §14(4) Satz 1 Nr. 9.
    assert "zwei Jahre" in text_of(doc, "retention_2y")
    text = pdf_text(doc)
    assert "Steuersatz 0 % gemäß § 12 Abs. 3 UStG" in text
    assert "§ 14b Abs. 1 Satz 5 UStG" in text
    assert any("deemed" in t for t in doc.trace)


def test_balcony_power_plant_sold_by_a_retailer() -> None:
    # Goods only, 0.8 kWp (deemed on a dwelling), not on a dwelling declared: 1 x 399.00 at 0 %.
    # No installation billed: installed_by_seller is not asked, no two-year note.
    s = seller_from(RETAILER)
    works = {"operator_is_buyer": True, "pv_kwp": "0.8", "client_statement": STATEMENT}
    doc = valid(issue(paid(s, CONSUMER, [line("pv_installation", "1", "399.00")], works=works), s))
    assert figures(doc) == (D("399.00"), D("0.00"), D("399.00"))
    assert "retention_2y" not in codes(doc)
    assert "0,8 kW (peak)" in text_of(doc, "pv_zero_rate")


def test_pv_above_30_kwp_on_a_dwelling() -> None:
    s = seller_from(INSTALLER)
    works = {**PV_FACTS, "pv_kwp": "45"}
    doc = valid(issue(paid(s, CONSUMER, pv_lines(), works=works), s))
    assert doc.totals.tax_total == D("0.00")
    assert "Wohngebäude" in text_of(doc, "pv_zero_rate")


def test_pv_exactly_30_kwp_is_deemed() -> None:
    # "nicht mehr als 30 Kilowatt (peak)": 30 itself is deemed, even off a dwelling.
    s = seller_from(INSTALLER)
    works = {**PV_FACTS, "pv_kwp": "30", "dwelling": False}
    doc = valid(issue(paid(s, CONSUMER, pv_lines(), works=works), s))
    assert doc.totals.tax_total == D("0.00")


def test_pv_with_other_goods_and_shipping() -> None:
    # Modules 2 x 150.00 at 0 %; drill 1 x 100.00 at 19 % = 19.00; shipping 10.00 at the highest rate
    # (19 %) = 1.90. Net 410.00, VAT 20.90, gross 430.90.
    s = seller_from(RETAILER)
    lines = [line("pv_installation", "2", "150.00", sku="PV"), line("standard", "1", "100.00", sku="BOHR")]
    works = {"operator_is_buyer": True, "pv_kwp": "0.9", "client_statement": STATEMENT}
    doc = valid(issue(paid(s, CONSUMER, lines, works=works, shipping={"amount": "10.00"}), s))
    assert figures(doc) == (D("410.00"), D("20.90"), D("430.90"))
    assert [(b.category, b.rate) for b in doc.vat_breakdown] == [("S", D("19")), ("Z", D("0"))]


@pytest.mark.parametrize(
    ("drop", "named"),
    [
        ("operator_is_buyer", "works.operator_is_buyer"),
        ("client_statement", "works.client_statement"),
        ("installed_by_seller", "works.installed_by_seller"),
    ],
)
def test_pv_fact_missing(drop: str, named: str) -> None:
    s = seller_from(INSTALLER)
    works = {k: v for k, v in PV_FACTS.items() if k != drop}
    err = refused(bad(s, CONSUMER, pv_lines(), works=works), s, "works_rate_condition_missing")
    assert named in str(err)
    assert "DE pv_installation" in str(err)
    assert "§12(3)" in str(err)


def test_pv_site_missing() -> None:
    s = seller_from(INSTALLER)
    works = {k: v for k, v in PV_FACTS.items() if k not in ("pv_kwp", "dwelling")}
    err = refused(bad(s, CONSUMER, pv_lines(), works=works), s, "works_rate_condition_missing")
    assert "works.pv_kwp or works.dwelling" in str(err)
    # Above 30 kWp the deeming is gone: the building must be stated.
    works = {**works, "pv_kwp": "31"}
    err = refused(bad(s, CONSUMER, pv_lines(), works=works), s, "works_rate_condition_missing")
    assert "works.dwelling" in str(err)
    # Without works at all, every fact is named.
    err = refused(bad(s, CONSUMER, pv_lines()), s, "works_rate_condition_missing")
    assert "works.operator_is_buyer" in str(err)


@pytest.mark.parametrize(
    ("change", "why"),
    [
        ({"operator_is_buyer": False}, "not the operator"),
        ({"pv_kwp": "30.001", "dwelling": False}, "above the 30 kW (peak)"),
        ({"installed_by_seller": False}, "does not carry out"),
    ],
)
def test_pv_fact_unmet(change: dict[str, Any], why: str) -> None:
    s = seller_from(INSTALLER)
    err = refused(bad(s, CONSUMER, pv_lines(), works={**PV_FACTS, **change}), s, "works_rate_condition_unmet")
    assert why in str(err)


# --- §13b(2) Nr. 4 UStG: construction services to a Bauleister ----------------------------------

ROOF_WORKS = [
    line("standard", "2", "45.00", sku="FENSTER-ZUB", description="Eindeckrahmen für Dachfenster"),
    line("standard", "1", "300.00", sku="MONTAGE", description="Einbau Dachfenster", nature="service"),
]
ROOF_FACTS = {"dwelling": True}


def test_construction_service_to_a_bauleister_is_reverse_charged() -> None:
    # 2 x 45.00 + 300.00 = 390.00; the buyer owes the VAT: invoiced VAT 0.00, gross 390.00
    s = seller_from(INSTALLER)
    doc = valid(issue(paid(s, BAULEISTER, ROOF_WORKS, works=ROOF_FACTS), s))
    assert figures(doc) == (D("390.00"), D("0.00"), D("390.00"))
    [vat] = doc.vat_breakdown
    assert (vat.category, vat.rate, vat.exemption_code) == ("AE", D("0"), "VATEX-EU-AE")
    assert vat.exemption_reason is not None
    assert vat.exemption_reason.startswith("Steuerschuldnerschaft des Leistungsempfängers")
    assert "Steuerschuldnerschaft des Leistungsempfängers (§ 13b Abs. 2 Nr. 4, Abs. 5 UStG)" in pdf_text(doc)
    assert "retention_2y" not in codes(doc)  # a business recipient: §14b(1) Satz 5 is for private persons


def test_construction_service_to_a_non_bauleister_bears_vat() -> None:
    # 390.00 x 0.19 = 74.10 -> 464.10
    s = seller_from(INSTALLER)
    buyer = {**COMPANY, "facts": {"de_bauleister": False}}
    doc = valid(issue(paid(s, buyer, ROOF_WORKS, works=ROOF_FACTS), s))
    assert figures(doc) == (D("390.00"), D("74.10"), D("464.10"))
    assert doc.vat_breakdown[0].category == "S"


def test_reverse_charge_facts_missing() -> None:
    s = seller_from(INSTALLER)
    err = refused(bad(s, COMPANY, ROOF_WORKS, works=ROOF_FACTS), s, "reverse_charge_condition_missing")
    assert "buyer.facts.de_bauleister" in str(err)
    assert "§13b(2) Nr. 4" in str(err)
    no_vat_id = {k: v for k, v in BAULEISTER.items() if k != "vat_id"}
    err = refused(bad(s, no_vat_id, ROOF_WORKS, works=ROOF_FACTS), s, "reverse_charge_condition_missing")
    assert "BR-AE-02" in str(err)


def test_goods_only_to_a_bauleister_bear_vat() -> None:
    # A supply of goods is no construction service: 2 x 45.00 = 90.00 x 0.19 = 17.10 -> 107.10
    s = seller_from(RETAILER)
    doc = valid(issue(paid(s, BAULEISTER, ROOF_WORKS[:1]), s))
    assert figures(doc) == (D("90.00"), D("17.10"), D("107.10"))


def test_reverse_charge_cases_not_decided() -> None:
    s = seller_from(INSTALLER)
    # A service without works facts may or may not be a construction service.
    refused(bad(s, BAULEISTER, ROOF_WORKS), s, "unsupported_case")
    # 0 % photovoltaic and §13b together are not modelled.
    refused(bad(s, BAULEISTER, pv_lines(), works=PV_FACTS), s, "unsupported_case")


# --- Kleinunternehmer (§19 UStG) ------------------------------------------------------------------

SMALL = {
    **{k: v for k, v in RETAILER.items() if k not in ("vat_id", "company_id", "trade_register", "managers")},
    "legal_name": "Holzwerkstatt Jansen",
    "legal_form": "Einzelunternehmen",
    "vat_regime": "franchise",
}


@pytest.mark.parametrize("buyer", [CONSUMER, BAULEISTER], ids=["B2C", "B2B"])
def test_kleinunternehmer_charges_no_vat(buyer: dict[str, Any]) -> None:
    # 3 x 12.00 = 36.00, no VAT: gross 36.00; §13b(5) does not apply to a Kleinunternehmer's supplies
    s = seller_from(SMALL)
    doc = valid(issue(paid(s, buyer, [line("standard", nature="service")], works=ROOF_FACTS), s))
    assert figures(doc) == (D("36.00"), D("0.00"), D("36.00"))
    [vat] = doc.vat_breakdown
    assert vat.category == "E"
    assert vat.exemption_reason is not None
    assert "§ 19 Abs. 1 UStG" in vat.exemption_reason
    text = pdf_text(doc)
    assert "Steuerbefreiung für Kleinunternehmer gemäß § 19 Abs. 1 UStG" in text
    assert "Steuernummer 143/123/45678" in text  # §34a UStDV: the tax number, no USt-IdNr here


def test_kleinunternehmer_states_no_rate_for_photovoltaics() -> None:
    # No VAT at all under §19(1): the 0 % statement of §12(3) would be wrong. 6870.00 gross = net.
    s = seller_from(SMALL)
    doc = valid(issue(paid(s, CONSUMER, pv_lines(), works=PV_FACTS), s))
    assert figures(doc) == (D("6870.00"), D("0.00"), D("6870.00"))
    assert doc.vat_breakdown[0].category == "E"
    assert "pv_zero_rate" not in codes(doc)


def test_kleinunternehmer_note_before_2025() -> None:
    # Until 2024 §19(1) said the tax "wird nicht erhoben"; since 2025 it is an exemption (§34a UStDV).
    from datetime import date

    from mandat.countries.registry import jurisdiction

    de = jurisdiction("DE")
    assert "keine Umsatzsteuer berechnet" in de.mention("franchise", date(2024, 12, 31), "de").text
    assert "Steuerbefreiung" not in de.mention("franchise", date(2024, 12, 31), "de").text
    assert "Steuerbefreiung für Kleinunternehmer" in de.mention("franchise", date(2025, 1, 1), "de").text


# --- identity (UStG §14(4) Nr. 2; GmbHG §35a; HGB §37a, §125a) ------------------------------------


def test_seller_ids_and_business_letter_mentions() -> None:
    s = seller_from({**RETAILER, "share_capital": "25000"})
    doc = valid(issue(paid(s, CONSUMER, [line()]), s))
    ids = {(i.label, i.value, i.role) for i in doc.seller.ids}
    assert ids == {
        ("Steuernummer", "143/123/45678", "tax"),
        ("Handelsregister", "Amtsgericht München, HRB 123456", "legal"),
    }
    assert doc.seller.legal_info == "GmbH · Sitz: München · Geschäftsführer: Petra Vogel"
    text = pdf_text(doc)
    for expected in (
        "Werkzeughandel Vogel GmbH",
        "USt-IdNr. DE812345673",
        "Steuernummer 143/123/45678",
        "Handelsregister Amtsgericht München, HRB 123456",
        "Sitz: München",
        "Geschäftsführer: Petra Vogel",
        "Rechnung ausgestellt von Brico Market SAS im Namen und für Rechnung von Werkzeughandel Vogel GmbH",
        "Rechnung bezahlt am 18.11.2026",
    ):
        assert expected in text, expected


def test_seller_with_steuernummer_only() -> None:
    # §14(4) Nr. 2: the Steuernummer or the USt-IdNr; EN 16931 BR-S-02 takes it as BT-32.
    s = seller_from({k: v for k, v in RETAILER.items() if k != "vat_id"})
    doc = valid(issue(paid(s, COMPANY, [line()]), s))
    assert doc.seller.vat_id is None
    assert "Steuernummer 143/123/45678" in pdf_text(doc)


def test_identifiers_in_the_structured_invoice() -> None:
    # BT-30 register entry, BT-31 USt-IdNr, BT-33 business-letter mentions; the buyer's Steuernummer printed.
    from mandat.render.cii import build_cii

    s = seller_from(RETAILER)
    doc = valid(issue(paid(s, {**COMPANY, "tax_number": "2181508150"}, [line()]), s))
    xml = build_cii(doc).decode()
    assert "<ram:ID>Amtsgericht München, HRB 123456</ram:ID>" in xml
    assert "<ram:Description>GmbH · Sitz: München · Geschäftsführer: Petra Vogel</ram:Description>" in xml
    assert '<ram:ID schemeID="VA">DE812345673</ram:ID>' in xml
    assert "Steuernummer 2181508150" in pdf_text(doc)
    # Without USt-IdNr the Steuernummer is BT-32 (scheme FC).
    small = seller_from(SMALL)
    xml = build_cii(valid(issue(paid(small, CONSUMER, [line()]), small))).decode()
    assert '<ram:ID schemeID="FC">143/123/45678</ram:ID>' in xml


def test_ek_needs_no_managers() -> None:
    assert seller_from(INSTALLER).managers is None
    check_seller(seller_from(INSTALLER))


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"vat_id": None, "tax_number": None}, "Steuernummer or USt-IdNr"),
        ({"tax_number": "12345"}, "invalid Steuernummer"),
        ({"vat_id": "FR44732829320"}, "German USt-IdNr"),
        ({"company_id": None}, "register number (company_id) missing"),
        ({"trade_register": None}, "register court (trade_register)"),
        ({"company_id": "HRA 123456"}, "registered in HRB"),
        ({"company_id": "123456"}, "is not '<HRA|HRB|GnR|PR> <number>'"),
        ({"trade_register": "Amtsgericht Atlantis"}, "not a German register court"),
        ({"managers": None}, "Geschäftsführer"),
        ({"legal_form": "Ltd"}, "legal form 'Ltd' unknown"),
        ({"legal_form": None}, "must state its legal form"),
        ({"legal_form": "Einzelunternehmen"}, "has no register entry"),
    ],
)
def test_identity_problems(change: dict[str, Any], problem: str) -> None:
    s = seller_from({**RETAILER, **change})
    with pytest.raises(ValueError, match="seller de-test-retail") as exc:
        check_seller(s)
    assert problem in str(exc.value)
    err = refused(bad(s, CONSUMER, [line()]), s, "seller_identity_invalid")
    assert problem in str(err)


def test_register_court_aliases_are_canonical() -> None:
    # python-stdnum names the Berlin court "Berlin (Charlottenburg)"; "Amtsgericht" is optional.
    s = seller_from({**RETAILER, "trade_register": "Charlottenburg", "company_id": "HRB 98765 B"})
    doc = issue(paid(s, CONSUMER, [line()]), s)
    assert ("Handelsregister", "Amtsgericht Berlin (Charlottenburg), HRB 98765 B") in {
        (i.label, i.value) for i in doc.seller.ids
    }


# --- credit notes ---------------------------------------------------------------------------------


def mixed_invoice() -> Document:
    # 2 x 50.00 at 19 % = 100.00 -> 19.00; 1 x 20.00 at 7 % -> 1.40; net 120.00, VAT 20.40, gross 140.40
    s = seller_from(RETAILER)
    lines = [line("standard", "2", "50.00", sku="SAEGE"), line("reduced", "1", "20.00", sku="BUCH")]
    inv = valid(issue(paid(s, CONSUMER, lines), s))
    assert figures(inv) == (D("120.00"), D("20.40"), D("140.40"))
    return inv


def test_full_credit_note_names_its_invoice() -> None:
    inv = mixed_invoice()
    cn = valid(credit_note(inv, refund(inv, "140.40"), seller_from(RETAILER)))
    assert figures(cn) == (D("120.00"), D("20.40"), D("140.40"))
    assert cn.corrects is not None
    assert cn.corrects.number == inv.number
    assert text_of(cn, "corrects") == f"Rechnungskorrektur zur Rechnung Nr. {inv.number} vom 20.11.2026."
    text = pdf_text(cn)
    assert "RECHNUNGSKORREKTUR" in text
    assert "Rechnungskorrektur ausgestellt von Brico Market SAS im Namen und für Rechnung von" in text
    assert "Betrag erstattet am 19.11.2026" in text
    assert "gutschrift" not in text.lower()  # §14(2) Satz 2: a Gutschrift is issued by the recipient


def test_partial_credit_note() -> None:
    # One saw back: 50.00 + 50.00 x 0.19 = 9.50 -> 59.50
    inv = mixed_invoice()
    scope = {"kind": "lines", "lines": [{"sku": "SAEGE", "quantity": "1"}]}
    cn = valid(credit_note(inv, refund(inv, "59.50", scope), seller_from(RETAILER)))
    assert figures(cn) == (D("50.00"), D("9.50"), D("59.50"))
    assert f"Rechnung Nr. {inv.number}" in text_of(cn, "corrects")
    assert "gutschrift" not in pdf_text(cn).lower()


def test_credit_notes_keep_the_german_treatments() -> None:
    s = seller_from(INSTALLER)
    rc = valid(issue(paid(s, BAULEISTER, ROOF_WORKS, works=ROOF_FACTS), s))
    cn = valid(credit_note(rc, refund(rc, "390.00"), s))
    assert cn.vat_breakdown[0].category == "AE"
    assert "Steuerschuldnerschaft des Leistungsempfängers" in pdf_text(cn)
    pv = valid(issue(paid(s, CONSUMER, pv_lines(), works=PV_FACTS, ref="0002"), s))
    # Montage back: 2800.00 at 0 %
    scope = {"kind": "lines", "lines": [{"sku": "PV-MONT", "quantity": "1"}]}
    cn = valid(credit_note(pv, refund(pv, "2800.00", scope), s))
    assert figures(cn) == (D("2800.00"), D("0.00"), D("2800.00"))
    assert "pv_zero_rate" in codes(cn)


def test_goodwill_credit_note_never_says_gutschrift() -> None:
    # 11.90 incl. 19 % back: 10.00 + 1.90
    inv = mixed_invoice()
    scope = {"kind": "amount", "amounts": [{"vat_rate": "19", "amount": "11.90"}]}
    cn = valid(credit_note(inv, refund(inv, "11.90", scope), seller_from(RETAILER)))
    assert figures(cn) == (D("10.00"), D("1.90"), D("11.90"))
    assert "gutschrift" not in pdf_text(cn).lower()


def test_no_mention_says_gutschrift() -> None:
    from mandat.countries.de.mentions import MENTIONS

    texts = [m.text for table in MENTIONS["de"] for m in table.value.values()]
    assert texts
    assert not [t for t in texts if "gutschrift" in t.lower()]


# --- languages, currency, borders ----------------------------------------------------------------


@pytest.mark.parametrize(("language", "title"), [("en", "INVOICE"), ("fr", "FACTURE")])
def test_labels_in_the_buyers_language_mentions_in_german(language: str, title: str) -> None:
    s = seller_from(INSTALLER)
    doc = valid(issue(paid(s, {**CONSUMER, "language": language}, pv_lines(), works=PV_FACTS), s))
    assert (doc.language, doc.mention_language) == (language, "de")
    text = pdf_text(doc)
    assert title in text
    assert "Steuersatz 0 % gemäß § 12 Abs. 3 UStG" in text
    assert "Rechnung ausgestellt von Brico Market SAS" in text


def test_german_buyer_reads_german_by_default() -> None:
    s = seller_from(RETAILER)
    doc = issue(paid(s, CONSUMER, [line()]), s)
    assert (doc.language, doc.mention_language) == ("de", None)
    assert "RECHNUNG" in pdf_text(doc)


def test_order_in_chf_states_the_vat_in_euro() -> None:
    # 36.00 CHF at 19 % = 6.84 CHF VAT. ECB: 1 EUR = 0.8000 CHF on 2026-11-18, so 1 CHF = 1.25 EUR
    # (Directive art. 91(2), 230): 6.84 x 1.25 = 8.55 EUR (BT-111), BT-6 = EUR.
    s = seller_from(RETAILER)
    rates = fixed_rates(Rate("ECB", "EUR", "CHF", D("0.8000"), TODAY.replace(day=18)))
    doc = valid(issue(paid(s, CONSUMER, [line()], currency="CHF"), s, rates))
    assert figures(doc) == (D("36.00"), D("6.84"), D("42.84"))
    assert doc.exchange is not None
    assert (doc.exchange.tax_currency, doc.exchange.tax_total) == ("EUR", D("8.55"))


def test_order_in_chf_with_the_events_rate() -> None:
    # 6.84 CHF x 1.0650 = 7.2846 -> 7.28 EUR
    s = seller_from(RETAILER)
    rate = {"rate": "1.0650", "source": "Deutsche Bundesbank", "date": "2026-11-18"}
    doc = valid(issue(paid(s, CONSUMER, [line()], currency="CHF", exchange_rate=rate), s))
    assert doc.exchange is not None
    assert doc.exchange.tax_total == D("7.28")


def test_distance_sales_to_a_french_consumer_follow_the_sellers_count() -> None:
    # Directive 2006/112/EC art. 33, 59c; UStG §3c. 3 x 12.00 = 36.00 net to Strasbourg.
    s = seller_from(RETAILER)
    strasbourg = {"line1": "3 rue Victor Hugo", "postcode": "67000", "city": "Strasbourg", "country": "FR"}
    french = {"kind": "consumer", "name": "Claire Martin", "address": strasbourg}
    refused(bad(s, french, [line()]), s, "distance_sales_unknown")  # no distance-sales totals in the registry
    # 2025: 3,000.00, 2026 so far 2,000.00 + 36.00 <= 10,000.00: German VAT, 36.00 x 19 % = 6.84 -> 42.84.
    below = seller_from({**RETAILER, "distance_sales": {"year": 2026, "previous_year": "3000", "current_year": "2000"}})
    doc = valid(issue(paid(below, french, [line()]), below))
    assert figures(doc) == (D("36.00"), D("6.84"), D("42.84"))
    assert (doc.taxed_in, doc.scheme) == (None, None)
    # 2025: 12,000.00 > 10,000.00: French VAT through the OSS, 36.00 x 20 % = 7.20 -> 43.20, under German rules.
    oss = {"country": "DE", "since": "2021-07-01"}
    above = seller_from(
        {**RETAILER, "oss": oss, "distance_sales": {"year": 2026, "previous_year": "12000", "current_year": "0"}}
    )
    doc = valid(issue(paid(above, french, [line()]), above))
    assert figures(doc) == (D("36.00"), D("7.20"), D("43.20"))
    assert [(b.category, b.rate) for b in doc.vat_breakdown] == [("S", D("20"))]
    assert (doc.country, doc.taxed_in, doc.scheme) == ("DE", "FR", "oss")
    # The intra-EU supply to a French business (K) is tested in tests/law/test_cross_border.py.


def test_delivery_in_germany_to_a_foreign_business_is_domestic() -> None:
    # Goods handed over in Germany: German VAT, 36.00 x 0.19 = 6.84
    s = seller_from(RETAILER)
    buyer = copy.deepcopy(COMPANY)
    buyer["vat_id"] = "FR44732829320"
    buyer["address"] = {"line1": "3 rue Victor Hugo", "postcode": "67000", "city": "Strasbourg", "country": "FR"}
    ev = paid(s, buyer, [line()], amount="42.84")
    ev["delivery"]["address"] = CONSUMER["address"]
    doc = valid(issue(ev, s))
    assert figures(doc) == (D("36.00"), D("6.84"), D("42.84"))


def test_pv_on_a_property_abroad_is_decided_where_the_property_is() -> None:
    # A roof in Salzburg: supplied in Austria (Directive art. 36, 47), before the German 0 % is looked at;
    # a consumer there does not reverse-charge: the seller would have to register in Austria, refused.
    s = seller_from(INSTALLER)
    salzburg = {"line1": "Hauptplatz 1", "postcode": "5020", "city": "Salzburg", "country": "AT"}
    err = refused(bad(s, CONSUMER, pv_lines(), works={**PV_FACTS, "property_address": salzburg}), s, "unsupported_case")
    assert "must be registered for VAT in AT" in str(err)
