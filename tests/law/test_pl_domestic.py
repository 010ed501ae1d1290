"""Poland: domestic invoices and credit notes of a Polish seller, figures worked out by hand from the law.

Rates (ustawa o VAT of 11 March 2004): art. 41 ust. 1 with art. 146ef (23 %), art. 41 ust. 2 and
annex 3 (8 %), art. 41 ust. 2a and annex 10 (5 %), 0 % (category Z); 8 % for housing works of social
housing, art. 41 ust. 12-12c (houses up to 300 m², flats up to 150 m² of usable area; above, 8 % on the
qualifying share of the base only). Amounts round half up to the grosz (EN 16931 BR-CO-17: VAT per
rate = round(base x rate)). Expected figures are literals computed in the comments, never read from
``mandat.countries.pl``: a wrong table must make these tests fail. Every document made here passes
the EN 16931 1.3.16 Schematron.
"""

from __future__ import annotations

import doctest
import re
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

import mandat.countries.pl.identity
import mandat.countries.pl.mentions
import mandat.countries.pl.rates
from mandat.countries.registry import jurisdiction
from mandat.demo.markets import pl as demo
from mandat.domain.documents import Document
from mandat.domain.exchange import Rate
from mandat.domain.parties import Seller
from mandat.render.cii import build_cii
from mandat.rules.invoice import check_seller
from tests.markets import credit, fixed_rates, issue, paid, pdf_text, refund, refused, schematron_errors, seller_from

D = Decimal

RETAILER = seller_from(demo.SELLERS[0])  # Majsterkowo Sp. z o.o., NIP 5260250274, KRS 0000123456
INSTALLER = seller_from(demo.SELLERS[1])  # Remonty Nowak S.A., NIP 6771234561
CONSUMER = demo.CONSUMERS[0]  # Anna Kowalska, Łódź, Polish by default
ENGLISH_CONSUMER = demo.CONSUMERS[1]  # Piotr Wiśniewski, asks for English
COMPANY = demo.BUSINESSES[0]  # Budmax Sp. z o.o., VAT id PL9512345675 and NIP 9512345675
SOLE_TRADER = demo.BUSINESSES[1]  # NIP 7798765437 only


def valid(doc: Document) -> Document:
    assert schematron_errors(doc) == []
    return doc


def figures(doc: Document) -> tuple[Decimal, Decimal, Decimal]:
    t = doc.totals
    return t.tax_exclusive, t.tax_total, t.tax_inclusive


def line(category: str | None = "standard", qty: str = "3", price: str = "12.00", **more: Any) -> dict[str, Any]:
    ln: dict[str, Any] = {"sku": "SKU-1", "description": "Artykuł", "quantity": qty, "unit_price": price}
    if category is not None:
        ln["tax_category"] = category
    ln.update(more)
    return ln


def works_line(price: str = "10000.00", **more: Any) -> dict[str, Any]:
    return line("housing_works", "1", price, **{"description": "Remont mieszkania", "nature": "service", **more})


FLAT = {"dwelling": True, "building_type": "flat", "floor_area_m2": "62.5"}


# --- rates ------------------------------------------------------------------------------------

# 3 x 12.00 = 36.00 net, per key:
#   standard 23 % (art. 41 ust. 1):       36.00 x 0.23 = 8.28 -> 44.28
#   intermediate 8 % (art. 41 ust. 2):    36.00 x 0.08 = 2.88 -> 38.88
#   reduced 5 % (art. 41 ust. 2a):        36.00 x 0.05 = 1.80 -> 37.80
#   zero 0 %:                             0.00 -> 36.00
#   housing_works 8 % (art. 41 ust. 12):  2.88 -> 38.88 (a flat of 62.5 m² <= 150 m²)
EXCLUSIVE = [
    ("standard", "23", "S", "8.28", "44.28"),
    ("intermediate", "8", "S", "2.88", "38.88"),
    ("reduced", "5", "S", "1.80", "37.80"),
    ("zero", "0", "Z", "0.00", "36.00"),
    ("housing_works", "8", "S", "2.88", "38.88"),
]


def _event(category: str, buyer: dict[str, Any], include_vat: bool, price: str, qty: str) -> dict[str, Any]:
    more: dict[str, Any] = {"nature": "service"} if category == "housing_works" else {}
    extra: dict[str, Any] = {"works": FLAT} if category == "housing_works" else {}
    seller = INSTALLER if category == "housing_works" else RETAILER
    return paid(seller, buyer, [line(category, qty, price, **more)], include_vat=include_vat, **extra)


@pytest.mark.parametrize(("category", "rate", "letter", "vat", "gross"), EXCLUSIVE)
@pytest.mark.parametrize("buyer", [CONSUMER, COMPANY], ids=["B2C", "B2B"])
def test_every_rate_prices_excluding_vat(
    category: str, rate: str, letter: str, vat: str, gross: str, buyer: dict[str, Any]
) -> None:
    seller = INSTALLER if category == "housing_works" else RETAILER
    doc = valid(issue(_event(category, buyer, False, "12.00", "3"), seller))
    assert figures(doc) == (D("36.00"), D(vat), D(gross))
    assert [(b.category, b.rate) for b in doc.vat_breakdown] == [(letter, D(rate))]
    assert doc.currency == "PLN"
    assert doc.country == "PL"
    assert doc.business_case == ("B2B" if buyer is COMPANY else "B2C")


# 10.00 including VAT, per key: the net N with N + round(N x rate) = 10.00.
#   23 %: 10.00 / 1.23 = 8.130 -> 8.13; 8.13 x 0.23 = 1.870 -> 1.87; 8.13 + 1.87 = 10.00
#   8 %:  10.00 / 1.08 = 9.259 -> 9.26; 9.26 x 0.08 = 0.741 -> 0.74; 10.00
#   5 %:  10.00 / 1.05 = 9.524 -> 9.52; 9.52 x 0.05 = 0.476 -> 0.48; 10.00
#   0 %:  10.00, no VAT
INCLUSIVE = [
    ("standard", "8.13", "1.87"),
    ("intermediate", "9.26", "0.74"),
    ("reduced", "9.52", "0.48"),
    ("zero", "10.00", "0.00"),
    ("housing_works", "9.26", "0.74"),
]


@pytest.mark.parametrize(("category", "net", "vat"), INCLUSIVE)
@pytest.mark.parametrize("buyer", [CONSUMER, COMPANY], ids=["B2C", "B2B"])
def test_every_rate_prices_including_vat(category: str, net: str, vat: str, buyer: dict[str, Any]) -> None:
    seller = INSTALLER if category == "housing_works" else RETAILER
    doc = valid(issue(_event(category, buyer, True, "10.00", "1"), seller))
    assert figures(doc) == (D(net), D(vat), D("10.00"))


def test_a_key_poland_does_not_have_is_refused() -> None:
    exc = refused(paid(RETAILER, CONSUMER, [line("super_reduced")], amount="1.00"), RETAILER, "tax_category_unknown")
    assert "PL" in exc.reason


def test_a_rate_that_is_not_polish_is_refused() -> None:
    refused(paid(RETAILER, CONSUMER, [line(None, vat_rate="20")], amount="1.00"), RETAILER, "vat_rate_invalid")


# --- 8 % housing works ------------------------------------------------------------------------


def test_housing_works_within_the_limit_print_their_basis() -> None:
    # 10,000.00 net at 8 % (flat of 62.5 m² <= 150 m²): VAT 800.00, gross 10,800.00.
    doc = valid(issue(paid(INSTALLER, CONSUMER, [works_line()], works=FLAT), INSTALLER))
    assert figures(doc) == (D("10000.00"), D("800.00"), D("10800.00"))
    texts = [m.text for m in doc.mentions]
    assert any("art. 41 ust. 12" in t and "62,5 m²" in t and "lokal mieszkalny" in t for t in texts)
    assert "art. 41 ust. 12" in pdf_text(doc)


def test_a_flat_of_exactly_150_m2_is_still_social_housing() -> None:
    # art. 41 ust. 12b excludes flats *above* 150 m²: 150 m² keeps 8 % on the whole base.
    works = {"dwelling": True, "building_type": "flat", "floor_area_m2": "150"}
    doc = valid(issue(paid(INSTALLER, CONSUMER, [works_line()], works=works), INSTALLER))
    assert figures(doc) == (D("10000.00"), D("800.00"), D("10800.00"))
    assert len(doc.lines) == 1


def test_a_house_above_300_m2_is_split_in_the_ratio_of_the_areas() -> None:
    # House of 400 m² (art. 41 ust. 12b limit 300 m²), 10,000.00 net (art. 41 ust. 12c):
    #   8 % on 300/400 = 75 % of the base: 7,500.00, VAT 600.00
    #   23 % on the rest:                  2,500.00, VAT 575.00
    #   total net 10,000.00, VAT 1,175.00, gross 11,175.00
    works = {"dwelling": True, "building_type": "house", "floor_area_m2": "400"}
    doc = valid(issue(paid(INSTALLER, CONSUMER, [works_line()], works=works), INSTALLER))
    assert figures(doc) == (D("10000.00"), D("1175.00"), D("11175.00"))
    assert sorted((b.rate, b.taxable_amount, b.tax_amount) for b in doc.vat_breakdown) == [
        (D("8"), D("7500.00"), D("600.00")),
        (D("23"), D("2500.00"), D("575.00")),
    ]
    assert [ln.net_amount for ln in doc.lines] == [D("7500.00"), D("2500.00")]
    text = pdf_text(doc)
    assert "300 m² z 400 m²" in text
    assert "art. 41 ust. 12b" in text  # the split is explained on the page


def test_a_flat_above_150_m2_split_with_prices_including_vat() -> None:
    # Flat of 180 m²: 150/180 of the base at 8 %, 30/180 at 23 %. Gross 9,945.00 paid:
    #   base N with N x (150/180 x 1.08 + 30/180 x 1.23) = 9,945.00 -> N x 1.105 = 9,945.00 -> N = 9,000.00
    #   8 % part: 7,500.00 + 600.00 = 8,100.00 gross;  23 % part: 1,500.00 + 345.00 = 1,845.00 gross
    works = {"dwelling": True, "building_type": "flat", "floor_area_m2": "180"}
    ev = paid(INSTALLER, CONSUMER, [works_line("9945.00")], works=works, include_vat=True)
    doc = valid(issue(ev, INSTALLER))
    assert figures(doc) == (D("9000.00"), D("945.00"), D("9945.00"))
    assert sorted((b.rate, b.taxable_amount, b.tax_amount) for b in doc.vat_breakdown) == [
        (D("8"), D("7500.00"), D("600.00")),
        (D("23"), D("1500.00"), D("345.00")),
    ]


def test_a_split_keeps_the_line_discount_in_the_same_ratio() -> None:
    # House of 400 m², 10,000.00 less a 1,000.00 line discount = 9,000.00 net (art. 41 ust. 12c):
    #   8 %:  7,500.00 - 750.00 = 6,750.00, VAT 540.00
    #   23 %: 2,500.00 - 250.00 = 2,250.00, VAT 517.50
    #   total VAT 1,057.50, gross 10,057.50
    works = {"dwelling": True, "building_type": "house", "floor_area_m2": "400"}
    ev = paid(INSTALLER, CONSUMER, [works_line(discount="1000.00")], works=works)
    doc = valid(issue(ev, INSTALLER))
    assert figures(doc) == (D("9000.00"), D("1057.50"), D("10057.50"))
    assert [(ln.allowance, ln.net_amount, ln.vat_rate) for ln in doc.lines] == [
        (D("750.00"), D("6750.00"), D("8")),
        (D("250.00"), D("2250.00"), D("23")),
    ]
    # The credit note of the whole invoice takes back both parts at their rates.
    cn = valid(credit(doc, refund(doc, "10057.50"), INSTALLER))
    assert figures(cn) == (D("9000.00"), D("1057.50"), D("10057.50"))
    assert any("art. 41 ust. 12b" in m.text for m in cn.mentions)  # the split is explained again


@pytest.mark.parametrize(
    ("works", "fact"),
    [
        (None, "works.dwelling"),
        ({"building_type": "flat", "floor_area_m2": "60"}, "works.dwelling"),
        ({"dwelling": True, "floor_area_m2": "60"}, "works.building_type"),
        ({"dwelling": True, "building_type": "house"}, "works.floor_area_m2"),
    ],
)
def test_housing_works_without_their_facts_are_refused(works: dict[str, Any] | None, fact: str) -> None:
    extra: dict[str, Any] = {"works": works} if works is not None else {}
    ev = paid(INSTALLER, CONSUMER, [works_line()], amount="10800.00", **extra)
    exc = refused(ev, INSTALLER, "works_rate_condition_missing")
    assert "PL housing_works" in exc.reason
    assert fact in exc.reason
    assert "art. 41" in exc.reason


def test_housing_works_on_a_non_residential_building_are_refused() -> None:
    works = {"dwelling": False, "building_type": "house", "floor_area_m2": "120"}
    exc = refused(
        paid(INSTALLER, CONSUMER, [works_line()], works=works, amount="10800.00"),
        INSTALLER,
        "works_rate_condition_unmet",
    )
    assert "not residential" in exc.reason


def test_goods_alone_cannot_take_the_housing_works_rate() -> None:
    ln = line("housing_works", "10", "30.00", description="Panele podłogowe")  # goods: 23 %
    exc = refused(paid(INSTALLER, CONSUMER, [ln], works=FLAT, amount="324.00"), INSTALLER, "works_rate_condition_unmet")
    assert "goods" in exc.reason


def test_installed_equipment_needs_the_seller_to_install_it() -> None:
    heat_pump = works_line(works_part="equipment", description="Pompa ciepła z montażem")
    refused(
        paid(INSTALLER, CONSUMER, [heat_pump], works=FLAT, amount="10800.00"),
        INSTALLER,
        "works_rate_condition_missing",
    )
    exc = refused(
        paid(INSTALLER, CONSUMER, [heat_pump], works={**FLAT, "installed_by_seller": False}, amount="10800.00"),
        INSTALLER,
        "works_rate_condition_unmet",
    )
    assert "installed" in exc.reason
    doc = valid(issue(paid(INSTALLER, CONSUMER, [heat_pump], works={**FLAT, "installed_by_seller": True}), INSTALLER))
    assert figures(doc) == (D("10000.00"), D("800.00"), D("10800.00"))


def test_housing_works_abroad_are_refused() -> None:
    abroad = {"line1": "Hauptstraße 1", "postcode": "10115", "city": "Berlin", "country": "DE"}
    works = {**FLAT, "property_address": abroad}
    # Supplied in Germany (Directive art. 47, 36), decided before the Polish 8 %: a consumer there does not
    # reverse-charge, the seller would have to register in Germany.
    e = refused(
        paid(INSTALLER, CONSUMER, [works_line()], works=works, amount="10800.00"),
        INSTALLER,
        "unsupported_case",
    )
    assert "must be registered for VAT in DE" in e.reason


def test_a_bare_8_percent_rate_is_the_intermediate_rate_not_the_works_rate() -> None:
    # 8 % is also the ladder's intermediate rate: a bare rate is goods at 8 %, no works facts asked.
    doc = valid(issue(paid(RETAILER, CONSUMER, [line(None, vat_rate="8")]), RETAILER))
    assert figures(doc) == (D("36.00"), D("2.88"), D("38.88"))
    assert not any("art. 41 ust. 12" in m.text for m in doc.mentions)


def test_a_bare_8_percent_service_in_a_works_order_must_name_its_key() -> None:
    ev = paid(INSTALLER, CONSUMER, [works_line(tax_category=None, vat_rate="8")], works=FLAT, amount="10800.00")
    exc = refused(ev, INSTALLER, "works_rate_condition_missing")
    assert "housing_works" in exc.reason


# --- business buyers: NIP, split payment, KSeF --------------------------------------------------


def test_b2b_invoice_prints_both_nips_and_is_a_ksef_copy() -> None:
    doc = valid(issue(paid(RETAILER, SOLE_TRADER, [line()]), RETAILER))
    assert doc.legal_channel == "KSeF"
    assert [(i.label, i.value) for i in doc.buyer.ids] == [("NIP", "7798765437")]
    text = pdf_text(doc)
    assert "NIP 5260250274" in text  # seller, art. 106e ust. 1 pkt 4
    assert "NIP 7798765437" in text  # buyer, art. 106e ust. 1 pkt 5
    assert "Kopia informacyjna" in text
    assert "KSeF" in text


def test_b2c_invoice_is_outside_ksef() -> None:
    doc = valid(issue(paid(RETAILER, CONSUMER, [line()]), RETAILER))
    assert doc.legal_channel is None
    assert "KSeF" not in pdf_text(doc)


def test_ksef_dates_by_seller_size() -> None:
    # KSeF issuance: 2026-02-01 for the largest taxpayers, 2026-04-01 for all others.
    ev = paid(RETAILER, COMPANY, [line()])
    march = date(2026, 3, 20)
    assert valid(issue(ev, RETAILER, day=march)).legal_channel is None
    large = seller_from({**demo.SELLERS[0], "size_class": "large"})
    assert valid(issue(ev, large, day=march)).legal_channel == "KSeF"
    assert valid(issue(ev, RETAILER, day=date(2026, 4, 1))).legal_channel == "KSeF"


def test_business_buyer_without_nip_is_refused() -> None:
    buyer = {k: v for k, v in SOLE_TRADER.items() if k != "tax_number"}
    exc = refused(paid(RETAILER, buyer, [line()], amount="44.28"), RETAILER, "buyer_tax_number_missing")
    assert "106e" in exc.reason


def test_business_buyer_with_a_wrong_nip_is_refused() -> None:
    buyer = {**SOLE_TRADER, "tax_number": "7798765438"}  # last digit off: the check digit is 7
    refused(paid(RETAILER, buyer, [line()], amount="44.28"), RETAILER, "buyer_tax_number_invalid")


def test_b2b_up_to_15000_pln_gross_issues_above_is_refused_without_annex15_flag() -> None:
    # art. 108a ust. 1a: split payment above PLN 15,000 gross for annex-15 goods.
    #   12,195.12 x 0.23 = 2,804.8776 -> 2,804.88; gross 14,999.99 + 0.01 = 15,000.00: not above, issued
    #   12,195.13 x 0.23 = 2,804.8799 -> 2,804.88; gross 15,000.01: above, refused
    doc = valid(issue(paid(RETAILER, COMPANY, [line(qty="1", price="12195.12")]), RETAILER))
    assert figures(doc) == (D("12195.12"), D("2804.88"), D("15000.00"))
    exc = refused(
        paid(RETAILER, COMPANY, [line(qty="1", price="12195.13")], amount="15000.01"), RETAILER, "annex15_flag_missing"
    )
    assert "15000.01" in exc.reason
    assert "108a" in exc.reason


def test_b2b_above_15000_pln_with_an_annex15_line_says_split_payment() -> None:
    # 12,195.13 net at 23 % = 15,000.01 gross (above), one line of annex 15 (e.g. tools of item 49):
    # the invoice says "mechanizm podzielonej płatności" (art. 106e ust. 1 pkt 18a).
    flagged = [line(qty="1", price="12195.13", pl_annex15=True)]
    doc = valid(issue(paid(RETAILER, COMPANY, flagged), RETAILER))
    assert figures(doc) == (D("12195.13"), D("2804.88"), D("15000.01"))
    assert [m.text for m in doc.mentions if m.code == "split_payment"] == ["mechanizm podzielonej płatności"]
    assert "mechanizm podzielonej płatności" in pdf_text(doc)
    # The same amount with no annex-15 line: no mention.
    plain = valid(issue(paid(RETAILER, COMPANY, [line(qty="1", price="12195.13", pl_annex15=False)]), RETAILER))
    assert [m for m in plain.mentions if m.code == "split_payment"] == []
    # Below the threshold an annex-15 line needs no mention (12,195.12 -> 15,000.00 gross, not above).
    below = valid(issue(paid(RETAILER, COMPANY, [line(qty="1", price="12195.12", pl_annex15=True)]), RETAILER))
    assert [m for m in below.mentions if m.code == "split_payment"] == []
    # One flagged line and one without a flag: refused, naming the line.
    mixed = [line(qty="1", price="12000.00", pl_annex15=False), line(qty="1", price="195.13", sku="PL-NOFLAG")]
    exc = refused(paid(RETAILER, COMPANY, mixed, amount="15000.01"), RETAILER, "annex15_flag_missing")
    assert "PL-NOFLAG" in exc.reason


def test_b2c_above_15000_pln_has_no_split_payment() -> None:
    # 13,000.00 x 0.23 = 2,990.00 -> 15,990.00 gross; consumers are outside art. 108a.
    doc = valid(issue(paid(RETAILER, CONSUMER, [line(qty="1", price="13000.00")]), RETAILER))
    assert figures(doc) == (D("13000.00"), D("2990.00"), D("15990.00"))


# --- identity ---------------------------------------------------------------------------------


def problems(**changes: Any) -> list[str]:
    data = {**demo.SELLERS[0], **changes}
    return jurisdiction("PL").seller_problems(seller_from({k: v for k, v in data.items() if v is not None}))


def test_demo_sellers_have_a_valid_identity() -> None:
    assert jurisdiction("PL").seller_problems(RETAILER) == []
    assert jurisdiction("PL").seller_problems(INSTALLER) == []


@pytest.mark.parametrize(
    ("changes", "needle"),
    [
        ({"tax_number": None}, "needs its NIP"),
        ({"tax_number": "5260250275", "vat_id": None}, "fails its check digit"),
        ({"vat_id": "PL9512345675"}, "is not PL + the NIP"),
        ({"company_id": None}, "KRS number"),
        ({"company_id": "12345"}, "not 10 digits"),
        ({"trade_register": None}, "register court"),
        ({"share_capital": None}, "share capital"),
    ],
)
def test_identity_problems(changes: dict[str, Any], needle: str) -> None:
    found = problems(**changes)
    assert any(needle in p for p in found), found


def test_a_sole_trader_needs_no_krs() -> None:
    assert problems(legal_form=None, company_id=None, trade_register=None, share_capital=None) == []


def test_a_seller_with_a_bad_identity_is_refused_when_saved_and_at_issue() -> None:
    bad = seller_from({**demo.SELLERS[0], "company_id": None})
    with pytest.raises(ValueError, match="KRS"):
        check_seller(bad)
    refused(paid(RETAILER, CONSUMER, [line()], amount="44.28"), bad, "seller_identity_invalid")


def test_the_page_shows_nip_krs_court_and_capital() -> None:
    doc = valid(issue(paid(RETAILER, CONSUMER, [line()]), RETAILER))
    ids = [(i.label, i.value, i.role) for i in doc.seller.ids]
    assert ids == [("NIP", "5260250274", "tax"), ("KRS", "0000123456", "legal")]
    text = pdf_text(doc)
    for needle in ("NIP 5260250274", "KRS 0000123456", "XII Wydział Gospodarczy KRS", "kapitał zakładowy"):
        assert needle in text
    assert "50 000,00 zł" in text  # KSH art. 206 § 1: the share capital
    cii = build_cii(doc).decode()
    assert "<ram:ID>0000123456</ram:ID>" in cii  # BT-30, the KRS number


# --- language ---------------------------------------------------------------------------------


def test_labels_in_the_buyers_language_mentions_in_polish() -> None:
    doc = valid(issue(paid(RETAILER, ENGLISH_CONSUMER, [line()]), RETAILER))
    assert doc.language == "en"
    assert doc.mention_language == "pl"
    text = pdf_text(doc)
    assert "INVOICE" in text
    assert "Faktura wystawiona przez Brico Market SAS w imieniu i na rzecz Majsterkowo Sp. z o.o." in text
    assert "Zapłacono dnia 18.11.2026: karta (transakcja PSP-PLMAJ-0001)." in text
    assert "samofakturowanie" not in text.lower()  # buyer self-billing wording, never ours


def test_polish_buyer_reads_polish() -> None:
    doc = valid(issue(paid(RETAILER, CONSUMER, [line()]), RETAILER))
    assert doc.language == "pl"
    assert doc.mention_language is None  # same as the labels
    assert "FAKTURA" in pdf_text(doc)


# --- credit notes -----------------------------------------------------------------------------


def test_full_credit_note_names_its_invoice() -> None:
    inv = valid(issue(paid(RETAILER, COMPANY, [line()]), RETAILER))
    cn = valid(credit(inv, refund(inv, "44.28"), RETAILER))
    # The whole invoice: 36.00 net, 8.28 VAT (23 %), 44.28 gross.
    assert figures(cn) == (D("36.00"), D("8.28"), D("44.28"))
    assert cn.type_code == "381"
    assert cn.corrects is not None
    assert cn.corrects.number == inv.number
    texts = [m.text for m in cn.mentions]
    assert "FAKTURA KORYGUJĄCA do faktury nr FV-PLMAJ-000001 z dnia 20.11.2026 (art. 106j ustawy o VAT)." in texts
    assert any(t.startswith("Faktura korygująca wystawiona przez Brico Market SAS") for t in texts)
    assert cn.legal_channel == "KSeF"
    assert "FAKTURA KORYGUJĄCA" in pdf_text(cn)


def test_partial_credit_note_of_one_unit() -> None:
    inv = valid(issue(paid(RETAILER, CONSUMER, [line()]), RETAILER))
    scope = {"kind": "lines", "lines": [{"sku": "SKU-1", "quantity": "1"}]}
    # One unit of 12.00 net at 23 %: 12.00 x 0.23 = 2.76 -> 14.76.
    cn = valid(credit(inv, refund(inv, "14.76", scope), RETAILER))
    assert figures(cn) == (D("12.00"), D("2.76"), D("14.76"))
    assert any(inv.number in m.text for m in cn.mentions)


# --- franchise --------------------------------------------------------------------------------

FRANCHISE_SELLER = {
    "id": "pl-drobny",
    "code": "PLDROB",
    "legal_name": "Drobne Naprawy Jan Nowak",
    "address": {"line1": "ul. Lipowa 2", "postcode": "20-020", "city": "Lublin", "country": "PL"},
    "tax_number": "1134567895",
    "vat_regime": "franchise",
}


def test_franchise_seller_charges_no_vat_and_says_why() -> None:
    seller = seller_from(FRANCHISE_SELLER)
    doc = valid(issue(paid(seller, CONSUMER, [line()]), seller))
    # art. 113 ust. 1: no VAT; 3 x 12.00 = 36.00 gross = net.
    assert figures(doc) == (D("36.00"), D("0.00"), D("36.00"))
    assert [(b.category, b.exemption_reason) for b in doc.vat_breakdown] == [
        ("E", "Zwolnienie podmiotowe z VAT na podstawie art. 113 ust. 1 ustawy o VAT")
    ]
    assert "art. 113 ust. 1" in pdf_text(doc)
    # Without KRS or VAT-UE number, the NIP is both the tax number (BT-32, BR-E-02) and the legal id
    # (BT-30, BR-CO-26).
    assert {(i.value, i.role) for i in doc.seller.ids} == {("1134567895", "tax"), ("1134567895", "legal")}


def test_franchise_seller_to_a_business_is_refused_until_ksef_notice_can_be_attached() -> None:
    seller = seller_from(FRANCHISE_SELLER)
    exc = refused(paid(seller, COMPANY, [line()], amount="36.00"), seller, "unsupported_case")
    assert "KSeF" in exc.reason


# --- currencies -------------------------------------------------------------------------------

# NBP table A: the rate of the last working day before the tax point (art. 31a ust. 1). Delivery on
# 2026-11-19: the rate of 2026-11-18 applies, the one published on the tax point's own day does not.
NBP = fixed_rates(
    Rate("NBP", "EUR", "PLN", D("4.2345"), date(2026, 11, 18), "223/A/NBP/2026"),
    Rate("NBP", "EUR", "PLN", D("4.3000"), date(2026, 11, 19), "224/A/NBP/2026"),
)


def test_pln_invoice_has_no_exchange_block() -> None:
    doc = valid(issue(paid(RETAILER, CONSUMER, [line()]), RETAILER))
    assert doc.exchange is None
    assert "zł" in pdf_text(doc)


def test_eur_invoice_states_its_vat_in_pln_at_the_nbp_rate_of_the_day_before() -> None:
    lines = [line(qty="2", price="100.00"), line("intermediate", "1", "50.00", sku="SKU-2")]
    doc = valid(issue(paid(RETAILER, CONSUMER, lines, currency="EUR"), RETAILER, NBP))
    # EUR: 200.00 x 0.23 = 46.00; 50.00 x 0.08 = 4.00; total 250.00 + 50.00 = 300.00 gross.
    assert figures(doc) == (D("250.00"), D("50.00"), D("300.00"))
    # PLN (art. 106e ust. 11) at 4.2345 (NBP 223/A/NBP/2026 of 2026-11-18):
    #   46.00 x 4.2345 = 194.787 -> 194.79;  4.00 x 4.2345 = 16.938 -> 16.94;  BT-111 = 211.73
    assert doc.exchange is not None
    assert (doc.exchange.rate, doc.exchange.day, doc.exchange.source) == (D("4.2345"), date(2026, 11, 18), "NBP")
    assert [r.tax_amount for r in doc.exchange.per_rate] == [D("194.79"), D("16.94")]
    assert doc.exchange.tax_total == D("211.73")
    cii = build_cii(doc).decode()
    assert "<ram:TaxCurrencyCode>PLN</ram:TaxCurrencyCode>" in cii
    assert re.search(r'<ram:TaxTotalAmount currencyID="PLN">211.73</ram:TaxTotalAmount>', cii)
    text = pdf_text(doc)
    assert "211,73" in text
    assert "223/A/NBP/2026" in text


def test_eur_invoice_without_nbp_rate_waits() -> None:
    ev = paid(RETAILER, CONSUMER, [line()], currency="EUR")
    exc = refused(ev, RETAILER, "rate_missing")
    assert "31a" in exc.reason


def test_eur_b2b_above_1000_eur_without_a_rate_in_the_event_is_refused() -> None:
    # 900.00 x 1.23 = 1,107.00 EUR gross: its PLN value may exceed 15,000 as far as the rules know.
    ev = paid(RETAILER, COMPANY, [line(qty="1", price="900.00")], currency="EUR", amount="1107.00")
    refused(ev, RETAILER, "annex15_flag_missing", NBP)
    # With the event's own rate (4.2345): 1,107.00 x 4.2345 = 4,687.59 PLN <= 15,000: issued.
    given = {"rate": "4.2345", "source": "NBP", "date": "2026-11-18", "reference": "223/A/NBP/2026"}
    ev = paid(RETAILER, COMPANY, [line(qty="1", price="900.00")], currency="EUR", exchange_rate=given)
    doc = valid(issue(ev, RETAILER))
    # 207.00 EUR of VAT x 4.2345 = 876.5415 -> 876.54 PLN
    assert doc.exchange is not None
    assert doc.exchange.tax_total == D("876.54")


def test_eur_credit_note_keeps_the_invoice_rate() -> None:
    inv = valid(issue(paid(RETAILER, CONSUMER, [line()], currency="EUR"), RETAILER, NBP))
    cn = valid(credit(inv, refund(inv, "44.28"), RETAILER))
    # 8.28 EUR x 4.2345 = 35.06166 -> 35.06 PLN
    assert cn.exchange is not None
    assert cn.exchange.tax_total == D("35.06")


# --- demo market and doctests -----------------------------------------------------------------


@pytest.mark.parametrize("buyer", [*demo.CONSUMERS, *demo.BUSINESSES], ids=lambda b: b["name"])
def test_demo_products_issue_cleanly(buyer: dict[str, Any]) -> None:
    doc = valid(issue(paid(RETAILER, buyer, demo.PRODUCTS), RETAILER))
    assert {b.rate for b in doc.vat_breakdown} == {D("23"), D("8"), D("5"), D("0")}


@pytest.mark.parametrize("buyer", [*demo.CONSUMERS, *demo.BUSINESSES], ids=lambda b: b["name"])
@pytest.mark.parametrize("order", demo.WORKS, ids=lambda o: o[0][0]["sku"] if isinstance(o, tuple) else str(o))
def test_demo_works_issue_cleanly(order: tuple[list[dict[str, Any]], dict[str, Any]], buyer: dict[str, Any]) -> None:
    lines, works = order
    doc = valid(issue(paid(INSTALLER, buyer, lines, works=works), INSTALLER))
    assert {b.rate for b in doc.vat_breakdown} == {D("8")}


def test_demo_sellers_are_sellers() -> None:
    for data in demo.SELLERS:
        assert isinstance(seller_from(data), Seller)
        assert data["id"].startswith("pl-")
        assert data["code"].startswith("PL")


@pytest.mark.parametrize(
    "module", [mandat.countries.pl.rates, mandat.countries.pl.mentions, mandat.countries.pl.identity]
)
def test_doctests(module: Any) -> None:
    result = doctest.testmod(module)
    assert result.attempted > 0
    assert result.failed == 0
