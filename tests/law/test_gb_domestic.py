"""United Kingdom (Great Britain) domestic sales, with figures worked out by hand from the law.

Expected amounts are literals computed in the comments from the statutory rates, never read from
``mandat.countries.gb``: a wrong table must make these tests fail.

Rates: VATA 1994 s.2 (standard 20 %), s.29A + Sch 7A (reduced 5 %), s.30 + Sch 8 (zero 0 %);
energy-saving materials installed in residential accommodation: 0 % from 2022-04-01 to 2027-03-31
(Sch 8 Group 23), 5 % from 2027-04-01 (Sch 7A Group 2); renovation of dwellings empty for two years
and residential conversions 5 % (Sch 7A Groups 6 and 7). VAT per rate = round(net x rate) half up
(EN 16931 BR-CO-17). Every document made here passes the EN 16931 1.3.16 Schematron.
"""

from __future__ import annotations

import copy
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from pydantic import ValidationError

from mandat.countries.gb import identity
from mandat.countries.gb import mentions as gb_mentions
from mandat.countries.gb import rates as gb_rates
from mandat.countries.registry import jurisdiction
from mandat.domain.documents import Document
from mandat.domain.exchange import Rate
from mandat.domain.parties import Seller
from mandat.render.cii import build_cii
from tests.markets import (
    credit,
    fixed_rates,
    issue,
    paid,
    pdf_text,
    refund,
    refused,
    schematron_errors,
    seller_from,
)

D = Decimal
GB = jurisdiction("GB")

RETAILER: dict[str, Any] = {
    "id": "gb-test-retail",
    "code": "GBTEST",
    "legal_name": "Kentish Tools Ltd",
    "address": {"line1": "5 Palace Street", "postcode": "CT1 2DY", "city": "Canterbury", "country": "GB"},
    "email": "invoices@kentish-tools.example",
    "vat_id": "GB234567805",
    "company_id": "09876543",
    "legal_form": "Private limited company",
    "invoice_series": "INV-{code}-{seq:06}",
    "credit_note_series": "CN-{code}-{seq:06}",
}
INSTALLER: dict[str, Any] = {
    **RETAILER,
    "id": "gb-test-installer",
    "code": "GBINST",
    "legal_name": "Clydeside Heating Ltd",
    "address": {"line1": "27 Dock Street", "postcode": "G1 4DR", "city": "Glasgow", "country": "GB"},
    "vat_id": "GB555123404",
    "company_id": "SC654321",
}
SELLER = seller_from(RETAILER)
FITTER = seller_from(INSTALLER)

CONSUMER: dict[str, Any] = {
    "kind": "consumer",
    "name": "Eleanor Whitfield",
    "address": {"line1": "8 Mill Lane", "postcode": "M20 2PX", "city": "Manchester", "country": "GB"},
}
CONTRACTOR: dict[str, Any] = {
    "kind": "business",
    "name": "Pennine Building Contractors Ltd",
    "address": {"line1": "Unit 4, Canal Wharf", "postcode": "LS11 5PS", "city": "Leeds", "country": "GB"},
    "vat_id": "GB765432126",
    "facts": {"gb_cis_registered": True, "gb_end_user": False},
}
END_USER: dict[str, Any] = {
    **CONTRACTOR,
    "name": "Riverside Lettings Ltd",
    "vat_id": "GB123456727",
    "facts": {"gb_cis_registered": True, "gb_end_user": True},
}
CAFE: dict[str, Any] = {
    **CONTRACTOR,
    "name": "The Corner Café Ltd",
    "vat_id": "GB345678912",
    "facts": {"gb_cis_registered": False},
}
ESM_WORKS: dict[str, Any] = {"dwelling": True, "installed_by_seller": True}
EMPTY_2Y = {"accepted_at": "2026-11-02T14:30:00+00:00", "text_id": "gb_empty_dwelling_2y"}
RENOVATION_WORKS: dict[str, Any] = {"dwelling": True, "installed_by_seller": True, "client_statement": EMPTY_2Y}
WORKS_FOR = {"energy_saving_materials": ESM_WORKS, "residential_renovation": RENOVATION_WORKS}


def line(category: str | None = None, qty: str = "3", price: str = "12.00", **more: Any) -> dict[str, Any]:
    ln: dict[str, Any] = {"sku": "SKU-1", "description": "Article", "quantity": qty, "unit_price": price}
    if category is not None:
        ln["tax_category"] = category
    ln.update(more)
    return ln


def figures(doc: Document) -> tuple[Decimal, Decimal, Decimal]:
    t = doc.totals
    return t.tax_exclusive, t.tax_total, t.tax_inclusive


def texts(doc: Document) -> str:
    return " ".join(m.text for m in doc.mentions)


def valid(doc: Document) -> Document:
    assert schematron_errors(doc) == []
    return doc


def order(
    category: str, buyer: dict[str, Any] = CONSUMER, seller: Seller = SELLER, **kw: Any
) -> tuple[dict[str, Any], Seller]:
    works = WORKS_FOR.get(category)
    extra: dict[str, Any] = {"works": works} if works and "works" not in kw else {}
    return paid(seller, buyer, [line(category)], **extra, **kw), seller


# 3 x 12.00 = 36.00 excluding VAT, per key:
#   standard 20 % (s.2):                            36.00 x 0.20 = 7.20 -> 43.20
#   reduced 5 % (Sch 7A):                           36.00 x 0.05 = 1.80 -> 37.80
#   zero (Sch 8):                                   0.00 -> 36.00, category Z
#   energy-saving materials 2026 (Sch 8 Group 23):  0.00 -> 36.00, category Z
#   renovation of an empty dwelling (Sch 7A Group 6): 1.80 -> 37.80
EXCLUSIVE = [
    ("standard", "S", "20", "7.20", "43.20"),
    ("reduced", "S", "5", "1.80", "37.80"),
    ("zero", "Z", "0", "0.00", "36.00"),
    ("energy_saving_materials", "Z", "0", "0.00", "36.00"),
    ("residential_renovation", "S", "5", "1.80", "37.80"),
]


@pytest.mark.parametrize(("category", "letter", "rate", "vat", "gross"), EXCLUSIVE)
@pytest.mark.parametrize("buyer", ["consumer", "business"])
def test_every_rate_excluding_vat(category: str, letter: str, rate: str, vat: str, gross: str, buyer: str) -> None:
    # The café is not in the Construction Industry Scheme: VAT is charged on works too.
    event, seller = order(category, CAFE if buyer == "business" else CONSUMER, FITTER)
    doc = valid(issue(event, seller))
    assert figures(doc) == (D("36.00"), D(vat), D(gross))
    assert [(b.category, b.rate) for b in doc.vat_breakdown] == [(letter, D(rate))]
    assert doc.lines[0].vat_rate == D(rate)
    assert doc.business_case == ("B2B" if buyer == "business" else "B2C")
    assert doc.currency == "GBP"
    assert doc.exchange is None
    assert doc.legal_channel is None  # a UK invoice is the PDF/paper VAT invoice (e-invoicing only from 2029)


# 10.00 including VAT: the net N with N + round(N x rate) = 10.00.
#   20 %: 10.00 / 1.20 = 8.333 -> 8.33; 8.33 x 0.20 = 1.666 -> 1.67; 10.00
#   5 %:  10.00 / 1.05 = 9.524 -> 9.52; 9.52 x 0.05 = 0.476 -> 0.48; 10.00
#   0 %:  10.00, VAT 0.00
@pytest.mark.parametrize(
    ("category", "net", "vat"),
    [("standard", "8.33", "1.67"), ("reduced", "9.52", "0.48"), ("zero", "10.00", "0.00")],
)
@pytest.mark.parametrize("buyer", ["consumer", "business"])
def test_every_rate_including_vat(category: str, net: str, vat: str, buyer: str) -> None:
    b = CAFE if buyer == "business" else CONSUMER
    doc = valid(issue(paid(SELLER, b, [line(category, "1", "10.00")], include_vat=True), SELLER))
    assert figures(doc) == (D(net), D(vat), D("10.00"))


def test_explicit_rates_and_a_rate_the_uk_does_not_have() -> None:
    # 36.00 at an explicit 20 %: 7.20 -> 43.20.
    assert figures(issue(paid(SELLER, CAFE, [line(vat_rate="20")]), SELLER)) == (D("36.00"), D("7.20"), D("43.20"))
    refused(paid(SELLER, CAFE, [line(vat_rate="10")], amount="39.60"), SELLER, "vat_rate_invalid")
    refused(paid(SELLER, CAFE, [line("intermediate")], amount="39.60"), SELLER, "tax_category_unknown")


def test_invoice_mixing_the_three_rates_states_each_rate_and_the_total_vat_in_sterling() -> None:
    # 89.99 + 2 x 24.50 = 138.99 at 20 %: 27.798 -> 27.80; 3 x 7.50 = 22.50 at 5 %: 1.125 -> 1.13;
    # 16.99 at 0 %. Net 178.48, VAT 28.93, total 207.41.
    lines = [
        line("standard", "1", "89.99", sku="DRILL"),
        line("standard", "2", "24.50", sku="PAINT"),
        line("reduced", "3", "7.50", sku="LOGS"),
        line("zero", "1", "16.99", sku="BOOK"),
    ]
    doc = valid(issue(paid(SELLER, CONSUMER, lines), SELLER))
    assert figures(doc) == (D("178.48"), D("28.93"), D("207.41"))
    assert [(b.category, b.rate, b.taxable_amount, b.tax_amount) for b in doc.vat_breakdown] == [
        ("S", D("20"), D("138.99"), D("27.80")),
        ("S", D("5"), D("22.50"), D("1.13")),
        ("Z", D("0"), D("16.99"), D("0.00")),
    ]
    # reg. 14(1): unit price, rate per line, VAT total in sterling, supplier identity, time of supply.
    text = pdf_text(doc)
    for expected in (
        "INVOICE",
        "INV-GBTEST-000001",
        "VAT No. GB234567805",
        "Company No. 09876543",
        "Registered in England and Wales",
        "Registered office: 5 Palace Street, Canterbury CT1 2DY",
        "Kentish Tools Ltd",
        "Time of supply (tax point): 18/11/2026",
        "Total VAT £28.93",
        "24.50",
        "Invoice issued by Brico Market SAS in the name and on behalf of Kentish Tools Ltd",
    ):
        assert expected in text, expected
    assert "self-billing" not in text.lower()


# --- time of supply (VATA 1994 s.6) ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("delivery", "printed", "why"),
    [
        # Paid on 18/11 (captured 10:16 CET = 09:16 London) before the delivery on 19/11: s.6(4).
        ("2026-11-19", "18/11/2026", "s.6(4)"),
        ("2026-11-18", "18/11/2026", "s.6"),
        # Delivered on 10/11, paid 18/11, invoiced 20/11: within 14 days of the supply, the invoice date, s.6(5).
        ("2026-11-10", "20/11/2026", "s.6(5)"),
        # Delivered on 1/10, invoiced 50 days later: the basic tax point, s.6(2).
        ("2026-10-01", "01/10/2026", "s.6(2)"),
    ],
)
def test_time_of_supply_is_printed(delivery: str, printed: str, why: str) -> None:
    doc = valid(issue(paid(SELLER, CONSUMER, [line("standard")], delivery=delivery), SELLER))
    mention = next(m.text for m in doc.mentions if m.code == "time_of_supply")
    assert mention.startswith(f"Time of supply (tax point): {printed} (")
    assert why in mention


# --- energy-saving materials (Sch 8 Group 23 / Sch 7A Group 2) ----------------------------------


def test_energy_saving_materials_installed_in_a_home_are_zero_rated_until_march_2027() -> None:
    # Heat pump 5,200.00 + installation 1,800.00 + 6 x 32.00 insulation = 7,192.00 at 0 %.
    lines = [
        line("energy_saving_materials", "1", "5200.00", sku="ASHP", works_part="equipment"),
        line("energy_saving_materials", "1", "1800.00", sku="FIT", nature="service", works_part="labour"),
        line("energy_saving_materials", "6", "32.00", sku="LOFT", works_part="materials"),
    ]
    doc = valid(issue(paid(FITTER, CONSUMER, lines, works=ESM_WORKS), FITTER))
    assert figures(doc) == (D("7192.00"), D("0.00"), D("7192.00"))
    assert [(b.category, b.rate) for b in doc.vat_breakdown] == [("Z", D("0"))]
    assert "Schedule 8 Group 23" in texts(doc)
    assert "Schedule 8 Group 23" in pdf_text(doc)


def test_energy_saving_materials_rate_is_five_percent_from_april_2027(monkeypatch: pytest.MonkeyPatch) -> None:
    # A supply paid and completed on 2 April 2027: Sch 7A Group 2, 5 %. 36.00 x 0.05 = 1.80 -> 37.80.
    monkeypatch.setattr("mandat.domain.events._now", lambda: datetime(2027, 4, 10, tzinfo=UTC))
    event = paid(
        FITTER, CONSUMER, [line("energy_saving_materials")], works=ESM_WORKS, delivery="2027-04-02", amount="37.80"
    )
    event["payment"]["captured_at"] = "2027-04-02T09:00:00+01:00"
    doc = valid(issue(event, FITTER, day=date(2027, 4, 3)))
    assert figures(doc) == (D("36.00"), D("1.80"), D("37.80"))
    assert [(b.category, b.rate) for b in doc.vat_breakdown] == [("S", D("5"))]
    assert "Schedule 7A Group 2" in texts(doc)


def test_rate_tables_follow_the_statutory_dates() -> None:
    # Sch 8 Group 23 (0 %) from 2022-04-01 to 2027-03-31, Sch 7A Group 2 (5 %) from 2027-04-01;
    # no key before 2022-04-01 (the old 5 % had social-policy conditions mandat does not carry).
    assert GB.rate("energy_saving_materials", date(2022, 4, 1)) == D("0")
    assert GB.rate("energy_saving_materials", date(2027, 3, 31)) == D("0")
    assert GB.rate("energy_saving_materials", date(2027, 4, 1)) == D("5")
    assert "energy_saving_materials" not in GB.rate_table(date(2022, 3, 31))
    assert (GB.rate("standard", date(2011, 1, 4)), GB.rate("reduced", date(2026, 1, 1))) == (D("20"), D("5"))
    assert GB.rate("zero", date(2026, 1, 1)) == D("0")


def test_energy_saving_materials_before_april_2022_are_refused() -> None:
    # Delivered 31/03/2022, paid 2026 (more than 14 days after): the tax point is 31/03/2022.
    event = paid(
        FITTER, CONSUMER, [line("energy_saving_materials")], works=ESM_WORKS, delivery="2022-03-31", amount="36"
    )
    refused(event, FITTER, "tax_category_unknown")


def test_energy_saving_materials_paid_before_and_completed_after_the_rate_change_are_refused() -> None:
    # Paid 18/11/2026 (tax point, 0 %), completed 2/4/2027 (5 %): s.88 change of rate, not handled.
    event = paid(
        FITTER, CONSUMER, [line("energy_saving_materials")], works=ESM_WORKS, delivery="2027-04-02", amount="36"
    )
    e = refused(event, FITTER, "unsupported_case")
    assert "s.88" in e.reason


@pytest.mark.parametrize(
    ("works", "code", "fact"),
    [
        (None, "works_rate_condition_missing", "works.dwelling"),
        ({"dwelling": True}, "works_rate_condition_missing", "works.installed_by_seller"),
        ({"installed_by_seller": True}, "works_rate_condition_missing", "works.dwelling"),
        ({"dwelling": False, "installed_by_seller": True}, "works_rate_condition_unmet", "not a dwelling"),
        ({"dwelling": True, "installed_by_seller": False}, "works_rate_condition_unmet", "Notice 708/6"),
        (
            {
                **ESM_WORKS,
                "property_address": {
                    "line1": "1 Bucks Road",
                    "postcode": "IM1 3AG",
                    "city": "Douglas",
                    "country": "IM",
                },
            },
            "works_rate_condition_unmet",
            "Great Britain",
        ),
    ],
)
def test_energy_saving_materials_conditions(works: dict[str, Any] | None, code: str, fact: str) -> None:
    extra: dict[str, Any] = {"works": works} if works is not None else {}
    e = refused(paid(FITTER, CONSUMER, [line("energy_saving_materials")], amount="36.00", **extra), FITTER, code)
    assert fact in e.reason
    assert "GB energy_saving_materials" in e.reason


# --- renovation of empty dwellings and conversions (Sch 7A Groups 6 and 7) ---------------------------


def test_renovation_of_an_empty_dwelling_at_five_percent_prints_the_statement() -> None:
    # 8,400.00 labour + 40 x 11.25 = 450.00 plasterboard = 8,850.00 at 5 %: 442.50 -> 9,292.50.
    lines = [
        line("residential_renovation", "1", "8400.00", sku="LAB", nature="service", works_part="labour"),
        line("residential_renovation", "40", "11.25", sku="BOARD", works_part="materials"),
    ]
    doc = valid(issue(paid(FITTER, CONSUMER, lines, works=RENOVATION_WORKS), FITTER))
    assert figures(doc) == (D("8850.00"), D("442.50"), D("9292.50"))
    assert "stated by the customer on 02/11/2026 (VAT Act 1994 Schedule 7A Group 6)" in texts(doc)


def test_residential_conversion_at_five_percent() -> None:
    works = {**RENOVATION_WORKS, "client_statement": {**EMPTY_2Y, "text_id": "gb_residential_conversion"}}
    doc = valid(issue(paid(FITTER, CONSUMER, [line("residential_renovation")], works=works), FITTER))
    assert figures(doc) == (D("36.00"), D("1.80"), D("37.80"))
    assert "Schedule 7A Group 7" in texts(doc)


@pytest.mark.parametrize(
    ("works", "code", "fact"),
    [
        ({"dwelling": True, "installed_by_seller": True}, "works_rate_condition_missing", "works.client_statement"),
        (
            {**RENOVATION_WORKS, "client_statement": {**EMPTY_2Y, "text_id": "fr_attestation"}},
            "works_rate_condition_missing",
            "fr_attestation",
        ),
        ({"dwelling": True, "client_statement": EMPTY_2Y}, "works_rate_condition_missing", "installed_by_seller"),
        ({**RENOVATION_WORKS, "dwelling": False}, "works_rate_condition_unmet", "not a dwelling"),
        ({**RENOVATION_WORKS, "installed_by_seller": False}, "works_rate_condition_unmet", "not installed"),
    ],
)
def test_renovation_conditions(works: dict[str, Any], code: str, fact: str) -> None:
    e = refused(paid(FITTER, CONSUMER, [line("residential_renovation")], works=works, amount="37.80"), FITTER, code)
    assert fact in e.reason
    assert "GB residential_renovation" in e.reason


def test_renovation_labour_alone_needs_no_installation_fact() -> None:
    works = {"dwelling": True, "client_statement": EMPTY_2Y}
    lines = [line("residential_renovation", nature="service")]
    assert figures(issue(paid(FITTER, CONSUMER, lines, works=works), FITTER)) == (D("36.00"), D("1.80"), D("37.80"))


# --- domestic reverse charge for construction services (VATA 1994 s.55A) -----------------------------

KITCHEN = [
    line("standard", "1", "1000.00", sku="FIT", description="Kitchen fitting, labour", nature="service"),
    line("standard", "2", "125.00", sku="TOP", description="Oak worktop, fitted", works_part="materials"),
]
KITCHEN_WORKS = {"dwelling": True, "installed_by_seller": True}


def test_reverse_charge_to_a_cis_contractor() -> None:
    # 1,000.00 + 2 x 125.00 = 1,250.00, no VAT charged (category AE); the customer accounts for
    # 1,250.00 x 0.20 = 250.00, stated apart from the VAT total.
    doc = valid(issue(paid(FITTER, CONTRACTOR, KITCHEN, works=KITCHEN_WORKS), FITTER))
    assert figures(doc) == (D("1250.00"), D("0.00"), D("1250.00"))
    assert [(b.category, b.rate, b.taxable_amount) for b in doc.vat_breakdown] == [("AE", D("0"), D("1250.00"))]
    assert "Reverse charge: customer to account for VAT to HMRC" in texts(doc)
    assert "£250.00 (20% of £1,250.00)" in texts(doc)
    assert b"VATEX-EU-AE" in build_cii(doc)
    text = pdf_text(doc)
    assert "Reverse charge: customer to account for VAT to HMRC" in text
    assert "£250.00 (20% of £1,250.00)" in text
    assert "GB765432126" in text


def test_reverse_charge_covers_shipping_and_an_order_discount() -> None:
    # 1,000.00 + 250.00 with a 125.00 voucher spread pro rata (100.00 and 25.00): 900.00 + 225.00;
    # shipping 50.00 at the order's highest rate, 20 %: net 1,175.00, customer's VAT 1,175.00 x 0.20 = 235.00.
    event = paid(
        FITTER,
        CONTRACTOR,
        KITCHEN,
        works=KITCHEN_WORKS,
        shipping={"amount": "50.00"},
        discounts=[{"amount": "125.00"}],
    )
    doc = valid(issue(event, FITTER))
    assert figures(doc) == (D("1175.00"), D("0.00"), D("1175.00"))
    assert "£235.00 (20% of £1,175.00)" in texts(doc)


def test_reverse_charge_on_reduced_rate_renovation() -> None:
    # 8,400.00 + 450.00 = 8,850.00; the customer accounts for 8,850.00 x 0.05 = 442.50.
    lines = [
        line("residential_renovation", "1", "8400.00", sku="LAB", nature="service", works_part="labour"),
        line("residential_renovation", "40", "11.25", sku="BOARD", works_part="materials"),
    ]
    doc = valid(issue(paid(FITTER, CONTRACTOR, lines, works=RENOVATION_WORKS), FITTER))
    assert figures(doc) == (D("8850.00"), D("0.00"), D("8850.00"))
    assert "£442.50 (5% of £8,850.00)" in texts(doc)


@pytest.mark.parametrize("buyer", [END_USER, CAFE], ids=["end_user", "not_cis"])
def test_no_reverse_charge_for_end_users_or_buyers_outside_cis(buyer: dict[str, Any]) -> None:
    # VAT charged: 1,250.00 x 0.20 = 250.00 -> 1,500.00.
    doc = valid(issue(paid(FITTER, buyer, KITCHEN, works=KITCHEN_WORKS), FITTER))
    assert figures(doc) == (D("1250.00"), D("250.00"), D("1500.00"))
    assert [b.category for b in doc.vat_breakdown] == ["S"]
    assert "Reverse charge" not in texts(doc)


@pytest.mark.parametrize(
    ("facts", "fact"),
    [(None, "gb_cis_registered"), ({"gb_cis_registered": True}, "gb_end_user")],
)
def test_reverse_charge_facts_missing(facts: dict[str, Any] | None, fact: str) -> None:
    buyer = {**CONTRACTOR, "facts": facts} if facts else {k: v for k, v in CONTRACTOR.items() if k != "facts"}
    e = refused(
        paid(FITTER, buyer, KITCHEN, works=KITCHEN_WORKS, amount="1500.00"), FITTER, "reverse_charge_condition_missing"
    )
    assert fact in e.reason
    assert "s.55A" in e.reason


def test_reverse_charge_needs_the_buyers_uk_vat_number() -> None:
    buyer = {k: v for k, v in CONTRACTOR.items() if k != "vat_id"}
    e = refused(
        paid(FITTER, buyer, KITCHEN, works=KITCHEN_WORKS, amount="1250.00"), FITTER, "reverse_charge_condition_missing"
    )
    assert "VAT registration number" in e.reason


def test_goods_alone_to_a_contractor_are_not_construction_services() -> None:
    # 36.00 x 0.20 = 7.20 -> 43.20, no facts needed for goods without works.
    plain = {k: v for k, v in CONTRACTOR.items() if k != "facts"}
    assert figures(valid(issue(paid(SELLER, plain, [line("standard")]), SELLER))) == (
        D("36.00"),
        D("7.20"),
        D("43.20"),
    )


def test_zero_rated_works_to_a_contractor_are_outside_the_reverse_charge() -> None:
    doc = valid(issue(paid(FITTER, CONTRACTOR, [line("energy_saving_materials")], works=ESM_WORKS), FITTER))
    assert [(b.category, b.rate) for b in doc.vat_breakdown] == [("Z", D("0"))]


@pytest.mark.parametrize(
    ("lines", "kw", "words"),
    [
        # Zero-rated and standard-rated works on one invoice: the reverse charge covers only a part.
        ([line("energy_saving_materials"), line("standard", sku="SKU-2")], {"works": ESM_WORKS}, "split"),
        # Services without works facts: construction operations or not, mandat cannot tell.
        ([line("standard", nature="service")], {}, "construction operations"),
        (KITCHEN, {"works": KITCHEN_WORKS, "include_vat": True}, "net prices"),
    ],
)
def test_reverse_charge_cases_not_handled(lines: list[dict[str, Any]], kw: dict[str, Any], words: str) -> None:
    e = refused(paid(FITTER, CONTRACTOR, lines, amount="43.20", **kw), FITTER, "unsupported_case")
    assert words in e.reason


# --- identity (reg. 14(1)(d); Names and Trading Disclosures Regulations 2015) ----------------------


def problems(**changes: Any) -> list[str]:
    data = {**copy.deepcopy(RETAILER), **changes}
    return identity.seller_problems(seller_from({k: v for k, v in data.items() if v is not None}))


def test_a_valid_seller_has_no_problem_and_shows_its_company_disclosures() -> None:
    assert problems() == []
    ids, info = GB.seller_ids(SELLER, "en")
    assert [(i.label, i.value, i.role) for i in ids] == [("Company No.", "09876543", "legal")]
    assert info == "Registered in England and Wales. Registered office: 5 Palace Street, Canterbury CT1 2DY."
    ids, info = GB.seller_ids(FITTER, "en")
    assert info is not None
    assert info.startswith("Registered in Scotland.")


def test_a_sole_trader_needs_only_its_vat_number() -> None:
    assert problems(company_id=None, legal_form=None) == []
    assert GB.seller_ids(seller_from({**RETAILER, "company_id": None, "legal_form": None}), "en") == ([], None)


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"vat_id": None}, "VAT registration number"),
        ({"vat_id": "FR44732829320"}, "starts with GB"),
        ({"vat_id": "GBGD001"}, "not a GB VAT registration number"),
        ({"company_id": "1234567"}, "not a Companies House number"),
        ({"company_id": "SC654321", "trade_register": "England and Wales"}, "registered in Scotland"),
        ({"company_id": "FC012345"}, "place of registration"),
        ({"trade_register": "London"}, "place of registration"),
        ({"company_id": None}, "company number"),
        ({"vat_regime": "franchise"}, "contradicts"),
    ],
)
def test_identity_problems(changes: dict[str, Any], words: str) -> None:
    found = problems(**changes)
    assert len(found) == 1, found
    assert words in found[0], found


def test_place_of_registration_given_when_the_prefix_does_not_tell() -> None:
    assert problems(company_id="FC012345", trade_register="England and Wales") == []


def test_bad_vat_check_digits_are_refused_when_the_seller_is_read() -> None:
    with pytest.raises(ValidationError):
        seller_from({**RETAILER, "vat_id": "GB234567806"})


def test_seller_without_vat_number_is_refused_at_issue() -> None:
    seller = seller_from({k: v for k, v in RETAILER.items() if k != "vat_id"})
    e = refused(paid(seller, CONSUMER, [line("standard")], amount="43.20"), seller, "seller_identity_invalid")
    assert "VAT registration number" in e.reason


def test_seller_not_registered_for_vat_issues_no_vat_invoice() -> None:
    seller = seller_from({**{k: v for k, v in RETAILER.items() if k != "vat_id"}, "vat_regime": "franchise"})
    assert GB.seller_problems(seller) == []  # kept on record...
    e = refused(paid(seller, CONSUMER, [line(vat_rate="0")], amount="36.00"), seller, "seller_vat_missing")
    assert "VAT invoice" in e.reason  # ...but never invoiced with a guess


# --- territory -------------------------------------------------------------------------------------


def test_isle_of_man_is_home_and_northern_ireland_is_refused() -> None:
    manx = {**CONSUMER, "address": {"line1": "1 Bucks Road", "postcode": "IM1 3AG", "city": "Douglas", "country": "IM"}}
    assert figures(valid(issue(paid(SELLER, manx, [line("standard")]), SELLER))) == (D("36.00"), D("7.20"), D("43.20"))
    belfast = {
        **CONSUMER,
        "address": {"line1": "1 Donegall Sq", "postcode": "BT1 5GS", "city": "Belfast", "country": "GB"},
    }
    refused(paid(SELLER, belfast, [line("standard")], amount="43.20"), SELLER, "territory_unhandled")


def test_services_to_a_consumer_abroad_wait_for_their_issue() -> None:
    # Goods to Paris are a zero-rated export (tests/law/test_cross_border.py); B2C services abroad are not handled.
    paris = {**CONSUMER, "address": {"line1": "1 rue de Rivoli", "postcode": "75001", "city": "Paris", "country": "FR"}}
    event = paid(SELLER, paris, [line("standard", nature="service")], amount="43.20")
    refused(event, SELLER, "unsupported_case")


# --- languages ---------------------------------------------------------------------------------------


def test_labels_in_the_buyers_language_mentions_in_english() -> None:
    buyer = {**CONSUMER, "language": "fr"}
    doc = valid(issue(paid(SELLER, buyer, [line("standard")]), SELLER))
    assert (doc.language, doc.mention_language) == ("fr", "en")
    text = pdf_text(doc)
    assert "FACTURE" in text
    assert "Time of supply (tax point): 18/11/2026" in text
    assert "Paid on 18/11/2026 by card" in text


# --- credit notes ----------------------------------------------------------------------------------


def test_full_and_partial_credit_notes_name_their_invoice() -> None:
    inv = valid(issue(paid(SELLER, CAFE, [line("standard")]), SELLER))
    # Full: 36.00 + 7.20 = 43.20.
    full = valid(credit(inv, refund(inv, "43.20"), SELLER))
    assert figures(full) == (D("36.00"), D("7.20"), D("43.20"))
    # Partial, one unit: 12.00 x 0.20 = 2.40 -> 14.40.
    part = valid(
        credit(inv, refund(inv, "14.40", {"kind": "lines", "lines": [{"sku": "SKU-1", "quantity": "1"}]}), SELLER)
    )
    assert figures(part) == (D("12.00"), D("2.40"), D("14.40"))
    for cn in (full, part):
        assert cn.corrects is not None
        assert cn.corrects.number == "INV-GBTEST-000001"
        assert "Credit note for VAT invoice no. INV-GBTEST-000001 of 20/11/2026." in texts(cn)
        assert "Credit note issued by Brico Market SAS in the name and on behalf of Kentish Tools Ltd" in texts(cn)
        assert "Refunded on 19/11/2026 by card (transaction RF-R1)." in texts(cn)
    assert "CREDIT NOTE" in pdf_text(part)


def test_credit_note_of_a_reverse_charge_invoice() -> None:
    inv = issue(paid(FITTER, CONTRACTOR, KITCHEN, works=KITCHEN_WORKS), FITTER)
    cn = valid(credit(inv, refund(inv, "1250.00"), FITTER))
    assert figures(cn) == (D("1250.00"), D("0.00"), D("1250.00"))
    assert [b.category for b in cn.vat_breakdown] == ["AE"]
    assert "Reverse charge: customer to account for VAT to HMRC" in texts(cn)


# --- currencies: VAT total in sterling (reg. 14(1)(m)), UK_ECB --------------------------------------


def test_euro_invoice_states_the_vat_in_sterling() -> None:
    # Paid and delivered on 18/11/2026; ECB 18/11/2026: 1 EUR = 0.87345 GBP (fixed for the test).
    # 100.00 EUR at 20 % = 20.00 EUR VAT -> 20.00 x 0.87345 = 17.469 -> 17.47 GBP;
    # 50.00 EUR at 5 % = 2.50 EUR VAT -> 2.50 x 0.87345 = 2.183625 -> 2.18 GBP; BT-111 = 17.47 + 2.18 = 19.65.
    rates = fixed_rates(Rate("ECB", "EUR", "GBP", D("0.87345"), date(2026, 11, 18)))
    lines = [line("standard", "1", "100.00"), line("reduced", "1", "50.00", sku="SKU-2")]
    doc = valid(issue(paid(SELLER, CONSUMER, lines, currency="EUR", delivery="2026-11-18"), SELLER, rates))
    assert doc.currency == "EUR"
    assert figures(doc) == (D("150.00"), D("22.50"), D("172.50"))
    assert doc.exchange is not None
    assert (doc.exchange.tax_currency, doc.exchange.rate, doc.exchange.tax_total) == ("GBP", D("0.87345"), D("19.65"))
    assert [p.tax_amount for p in doc.exchange.per_rate] == [D("17.47"), D("2.18")]
    assert b'currencyID="GBP">19.65<' in build_cii(doc)
    assert "19.65" in pdf_text(doc)


def test_euro_invoice_with_the_time_of_supply_before_delivery() -> None:
    # Paid 18/11, delivered 19/11: the time of supply is the payment (s.6(4)), and the sterling VAT is
    # converted at that day's rate (reg. 14(1)(m)): 20.00 x 0.8731 = 17.462 -> 17.46, not the delivery
    # day's 20.00 x 0.87345 = 17.469 -> 17.47.
    rates = fixed_rates(
        Rate("ECB", "EUR", "GBP", D("0.8731"), date(2026, 11, 18)),
        Rate("ECB", "EUR", "GBP", D("0.87345"), date(2026, 11, 19)),
    )
    event = paid(SELLER, CONSUMER, [line("standard", "1", "100.00")], currency="EUR", amount="120.00")
    doc = valid(issue(event, SELLER, rates))
    assert doc.exchange is not None
    expected = (date(2026, 11, 18), D("0.8731"), D("17.46"))
    assert (doc.exchange.day, doc.exchange.rate, doc.exchange.tax_total) == expected
    # The event's own rate (HMRC's) wins over the tables.
    event["exchange_rate"] = {"rate": "0.8700", "source": "HMRC", "date": "2026-11-18"}
    doc = valid(issue(event, SELLER, rates))
    assert doc.exchange is not None
    assert (doc.exchange.source, doc.exchange.tax_total) == ("HMRC", D("17.40"))


def test_euro_invoice_waits_for_a_missing_rate() -> None:
    event = paid(SELLER, CONSUMER, [line("standard", "1", "100.00")], currency="EUR", delivery="2026-11-18")
    refused(event, SELLER, "rate_missing")


def test_reverse_charge_in_euro_is_refused() -> None:
    event = paid(FITTER, CONTRACTOR, KITCHEN, works=KITCHEN_WORKS, currency="EUR", amount="1250.00")
    refused(event, FITTER, "unsupported_case")


# --- the pack's own examples -----------------------------------------------------------------------


def test_docstring_examples() -> None:
    import doctest

    for module in (gb_rates, gb_mentions, identity):
        assert doctest.testmod(module).failed == 0
