"""Spanish domestic sales with figures worked out by hand from the law (docs/countries.md §4).

Rates (peninsula and Balearics): LIVA art. 90.Uno 21 %, art. 91.Uno 10 % (and 91.Uno.2.10º renovation
and repair of dwellings), art. 91.Dos 4 %. Expected amounts are literals computed in the comments, never
read from ``mandat.countries.es``; VAT per rate = round(base x rate) half-up (EN 16931 BR-CO-17).
Every document made here is validated against the EN 16931 Schematron.
"""

from __future__ import annotations

import copy
import doctest
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

import mandat.countries.es.identity
import mandat.countries.es.mentions
import mandat.countries.es.rates
from mandat.countries.es import JURISDICTION
from mandat.demo.markets import es as demo
from mandat.domain.credit import Credited
from mandat.domain.documents import Document
from mandat.domain.events import OrderRefunded
from mandat.domain.exchange import Rate
from mandat.rules.credit_note import draft_credit_note
from mandat.rules.invoice import check_seller
from tests.markets import (
    MARKETPLACE,
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
RETAILER = seller_from(demo.SELLERS[0])
INSTALLER = seller_from(demo.SELLERS[1])
CONSUMER = demo.CONSUMERS[0]  # Spanish consumer with a DNI
ITALIAN_READER = demo.CONSUMERS[1]  # NIE, reads Italian, lives in Palma
ANONYMOUS = demo.CONSUMERS[2]  # no NIF
COMPANY = demo.BUSINESSES[0]  # S.L., VAT id only, role none
CONTRACTOR = demo.BUSINESSES[1]  # S.A., contractor of a construction
SHOPKEEPER = demo.BUSINESSES[2]  # natural person (DNI), not under recargo de equivalencia
WORKS_LINES, WORKS_FACTS = demo.WORKS[0]


def line(key: str | None = "standard", qty: str = "3", price: str = "12.00", **more: Any) -> dict[str, Any]:
    ln: dict[str, Any] = {"sku": more.pop("sku", "ES-1"), "description": "Artículo", "quantity": qty}
    ln["unit_price"] = price
    if key is not None:
        ln["tax_category"] = key
    ln.update(more)
    return ln


def figures(doc: Document) -> tuple[Decimal, Decimal, Decimal]:
    t = doc.totals
    return t.tax_exclusive, t.tax_total, t.tax_inclusive


def valid(doc: Document) -> Document:
    assert schematron_errors(doc) == []
    return doc


def buyer(base: dict[str, Any], **changes: Any) -> dict[str, Any]:
    b = copy.deepcopy(base)
    b.update(changes)
    return {k: v for k, v in b.items() if v is not None}


def works(lines: list[dict[str, Any]] | None = None, **facts: Any) -> dict[str, Any]:
    f = copy.deepcopy(WORKS_FACTS)
    f.update(facts)
    return {k: v for k, v in f.items() if v is not None}


# --- rates -----------------------------------------------------------------------------------------

# 3 x 12.00 = 36.00 excluding VAT:
#   21 % (LIVA 90.Uno):  36.00 x 0.21 = 7.56 -> 43.56
#   10 % (LIVA 91.Uno):  36.00 x 0.10 = 3.60 -> 39.60
#    4 % (LIVA 91.Dos):  36.00 x 0.04 = 1.44 -> 37.44
EXCLUSIVE = [
    ("standard", "21", "7.56", "43.56"),
    ("intermediate", "10", "3.60", "39.60"),
    ("super_reduced", "4", "1.44", "37.44"),
]
# 50.00 including VAT: the net N with N + round(N x rate) = 50.00
#   21 %: 50 / 1.21 = 41.322 -> 41.32; 41.32 x 0.21 = 8.6772 -> 8.68; 41.32 + 8.68 = 50.00
#   10 %: 50 / 1.10 = 45.454 -> 45.45; 45.45 x 0.10 = 4.545 -> 4.55;  45.45 + 4.55 = 50.00
#    4 %: 50 / 1.04 = 48.077 -> 48.08; 48.08 x 0.04 = 1.9232 -> 1.92; 48.08 + 1.92 = 50.00
INCLUSIVE = [("standard", "41.32", "8.68"), ("intermediate", "45.45", "4.55"), ("super_reduced", "48.08", "1.92")]


@pytest.mark.parametrize(("key", "rate", "vat", "gross"), EXCLUSIVE)
@pytest.mark.parametrize("who", ["consumer", "business"])
def test_every_rate_excluding_vat(key: str, rate: str, vat: str, gross: str, who: str) -> None:
    b = COMPANY if who == "business" else CONSUMER
    doc = valid(issue(paid(RETAILER, b, [line(key)]), RETAILER))
    assert figures(doc) == (D("36.00"), D(vat), D(gross))
    assert [(x.category, x.rate) for x in doc.vat_breakdown] == [("S", D(rate))]
    assert doc.business_case == ("B2B" if who == "business" else "B2C")
    assert doc.legal_channel is None  # before 2027-01-01


@pytest.mark.parametrize(("key", "net", "vat"), INCLUSIVE)
@pytest.mark.parametrize("who", ["consumer", "business"])
def test_every_rate_including_vat(key: str, net: str, vat: str, who: str) -> None:
    b = COMPANY if who == "business" else CONSUMER
    doc = valid(issue(paid(RETAILER, b, [line(key, "1", "50.00")], include_vat=True), RETAILER))
    assert figures(doc) == (D(net), D(vat), D("50.00"))


def test_a_basket_at_every_rate() -> None:
    # drill 129.00 + paint 2 x 42.50 = 85.00 + fitting 90.00 at 21 %: 304.00 x 0.21 = 63.84
    # olive tree 34.90 at 10 %: 3.49; book 19.90 at 4 %: 0.796 -> 0.80
    # net 358.80, VAT 68.13, total 426.93
    doc = valid(issue(paid(RETAILER, CONSUMER, demo.PRODUCTS), RETAILER))
    assert figures(doc) == (D("358.80"), D("68.13"), D("426.93"))
    assert {(b.rate, b.taxable_amount, b.tax_amount) for b in doc.vat_breakdown} == {
        (D("21"), D("304.00"), D("63.84")),
        (D("10"), D("34.90"), D("3.49")),
        (D("4"), D("19.90"), D("0.80")),
    }


def test_keys_and_rates_spain_does_not_have_are_refused() -> None:
    assert (
        "reduced"
        in refused(paid(RETAILER, CONSUMER, [line("reduced")], amount="1"), RETAILER, "tax_category_unknown").reason
    )
    # 5 % was a temporary rate of 2022-2024 (energy, some food): not modelled, refused.
    refused(paid(RETAILER, CONSUMER, [line(None, vat_rate="5")], amount="1"), RETAILER, "vat_rate_invalid")
    refused(paid(RETAILER, CONSUMER, [line("standard", vat_rate="20")], amount="1"), RETAILER, "vat_rate_mismatch")
    # Before RDL 20/2012 (2012-09-01) the rates were 18/8/4: no table, refused.
    refused(paid(RETAILER, CONSUMER, [line()], delivery="2012-08-31", amount="1"), RETAILER, "date_unsupported")


def test_explicit_rates_without_key() -> None:
    # 36.00 at an explicit 21 %: 7.56; at 10 % it is the intermediate rate (no works facts needed): 3.60.
    doc = valid(
        issue(paid(RETAILER, COMPANY, [line(None, vat_rate="21"), line(None, vat_rate="10", sku="ES-2")]), RETAILER)
    )
    assert figures(doc) == (D("72.00"), D("11.16"), D("83.16"))


# --- the recipient's NIF and simplified invoices (RD 1619/2012 art. 4, 6, 7) -----------------------


def test_consumer_nif_and_seller_identity_are_printed() -> None:
    doc = valid(issue(paid(RETAILER, CONSUMER, [line()]), RETAILER))
    text = pdf_text(doc)
    for needle in (
        "NIF B46123451",
        "ESB46123451",
        "Registro Mercantil de Valencia, tomo 10234, folio 112, hoja V-178345",
        "NIF 71234567W",
        "FACTURA",
        "Factura expedida por Brico Market SAS en nombre y por cuenta de Ferretería del Sol S.L.",
        "Factura pagada el 18/11/2026 mediante tarjeta (transacción PSP-ESFSOL-0001).",
    ):
        assert needle in text, needle
    assert [(i.label, i.value, i.role) for i in doc.seller.ids] == [("NIF", "B46123451", "tax")]
    assert [(i.label, i.value) for i in doc.buyer.ids] == [("NIF", "71234567W")]
    assert doc.number == "F-ESFSOL-000001"


def test_consumer_without_nif_gets_a_simplified_invoice_within_400_eur() -> None:
    # goods 129.00 + 85.00 at 21 % (44.94) + 34.90 at 10 % (3.49) + 19.90 at 4 % (0.80) = 318.03 <= 400
    goods = [p for p in demo.PRODUCTS if p.get("nature") != "service"]
    doc = valid(issue(paid(RETAILER, ANONYMOUS, goods), RETAILER))
    assert figures(doc) == (D("268.80"), D("49.23"), D("318.03"))
    assert doc.buyer.ids == []
    assert any("factura simplificada" in t and "art. 4.1.a" in t for t in doc.trace)


def test_consumer_without_nif_retail_goods_up_to_3000_eur() -> None:
    # 10 drills x 129.00 = 1,290.00 + 21 % 270.90 = 1,560.90: retail sale of goods, <= 3,000 (art. 4.2.a)
    doc = valid(issue(paid(RETAILER, ANONYMOUS, [line("standard", "10", "129.00")]), RETAILER))
    assert figures(doc) == (D("1290.00"), D("270.90"), D("1560.90"))
    assert any("art. 4.2.a" in t for t in doc.trace)
    # 2,500.00 + 525.00 = 3,025.00 > 3,000: a full invoice, which needs the consumer's NIF.
    e = refused(
        paid(RETAILER, ANONYMOUS, [line("standard", "1", "2500.00")], amount="3025.00"),
        RETAILER,
        "buyer_tax_number_missing",
    )
    assert "3025.00 EUR" in e.reason
    assert "6.1.d" in e.reason


def test_consumer_without_nif_services_only_up_to_400_eur() -> None:
    # 400.00 including VAT for a fitting service: exactly the limit of art. 4.1.a, allowed.
    fitting = line("standard", "1", "400.00", nature="service")
    valid(issue(paid(RETAILER, ANONYMOUS, [fitting], include_vat=True), RETAILER))
    over = line("standard", "1", "400.01", nature="service")
    refused(paid(RETAILER, ANONYMOUS, [over], include_vat=True, amount="400.01"), RETAILER, "buyer_tax_number_missing")
    # The basket with a service (426.93) is over 400 and not only goods: refused without NIF.
    refused(paid(RETAILER, ANONYMOUS, demo.PRODUCTS, amount="426.93"), RETAILER, "buyer_tax_number_missing")


def test_business_buyer_needs_its_nif() -> None:
    nameless = buyer(COMPANY, vat_id=None)
    e = refused(paid(RETAILER, nameless, [line()], amount="43.56"), RETAILER, "buyer_tax_number_missing")
    assert "6.1.d" in e.reason
    # The NIF alone is enough (no VAT id): 36.00 + 7.56
    doc = valid(issue(paid(RETAILER, buyer(COMPANY, vat_id=None, tax_number="B28123453"), [line()]), RETAILER))
    assert figures(doc) == (D("36.00"), D("7.56"), D("43.56"))
    assert "NIF B28123453" in pdf_text(doc)


def test_wrong_buyer_nif_is_refused() -> None:
    refused(
        paid(RETAILER, buyer(CONSUMER, tax_number="71234567A"), [line()], amount="1"),
        RETAILER,
        "buyer_tax_number_invalid",
    )
    mismatch = buyer(COMPANY, tax_number="B46123451")  # the NIF of another company than ESB28123453
    refused(paid(RETAILER, mismatch, [line()], amount="1"), RETAILER, "buyer_tax_number_invalid")


# --- recargo de equivalencia (LIVA art. 148-163) -------------------------------------------------


def test_natural_person_retailer_outside_recargo_pays_vat_only() -> None:
    doc = valid(issue(paid(RETAILER, SHOPKEEPER, [line()]), RETAILER))
    assert figures(doc) == (D("36.00"), D("7.56"), D("43.56"))
    assert any("recargo de equivalencia" in t for t in doc.trace)


def test_natural_person_business_buyer_without_recargo_status_is_refused() -> None:
    e = refused(
        paid(RETAILER, buyer(SHOPKEEPER, facts=None), [line()], amount="43.56"), RETAILER, "buyer_regime_missing"
    )
    assert "50123456Q" in e.reason
    assert "148" in e.reason
    under = buyer(SHOPKEEPER, facts={"es_recargo_equivalencia": True})
    refused(paid(RETAILER, under, [line()], amount="43.56"), RETAILER, "unsupported_case")
    # A company (CIF) is never under the recargo: no fact needed.
    valid(issue(paid(RETAILER, buyer(COMPANY, facts=None), [line()]), RETAILER))


# --- 10 % renovation and repair of dwellings (LIVA 91.Uno.2.10º) -----------------------------------


def test_dwelling_works_at_10_percent() -> None:
    # labour 900.00 + materials 450.00 = 1,350.00 at 10 %: VAT 135.00, total 1,485.00;
    # materials 450 / 1,350 = 33.3 % <= 40 %.
    doc = valid(issue(paid(INSTALLER, CONSUMER, WORKS_LINES, works=works()), INSTALLER))
    assert figures(doc) == (D("1350.00"), D("135.00"), D("1485.00"))
    assert [(b.category, b.rate) for b in doc.vat_breakdown] == [("S", D("10"))]
    text = pdf_text(doc)
    assert "art. 91.Uno.2.10º" in text
    assert "30/06/2004" in text
    assert "02/11/2026" in text
    assert "33,3 %" in text


def test_dwelling_works_including_vat() -> None:
    # 990.00 + 495.00 including 10 %: nets 900.00 + 450.00, VAT 135.00.
    lines = [dict(WORKS_LINES[0], unit_price="990.00"), dict(WORKS_LINES[1], unit_price="495.00")]
    doc = valid(issue(paid(INSTALLER, CONSUMER, lines, works=works(), include_vat=True), INSTALLER))
    assert figures(doc) == (D("1350.00"), D("135.00"), D("1485.00"))


@pytest.mark.parametrize(
    ("change", "fact"),
    [
        ({"dwelling": None}, "works.dwelling"),
        ({"private_use": None}, "works.private_use"),
        ({"completed_on": None}, "works.completed_on"),
        ({"started_on": None}, "works.started_on"),
    ],
)
def test_dwelling_works_facts_missing(change: dict[str, Any], fact: str) -> None:
    e = refused(
        paid(INSTALLER, CONSUMER, WORKS_LINES, works=works(**change), amount="1485.00"),
        INSTALLER,
        "works_rate_condition_missing",
    )
    assert fact in e.reason
    assert "ES home_renovation" in e.reason
    assert "91.Uno.2.10º" in e.reason


def test_dwelling_works_without_works_or_parts() -> None:
    refused(paid(INSTALLER, CONSUMER, WORKS_LINES, amount="1485.00"), INSTALLER, "works_rate_condition_missing")
    untagged = [WORKS_LINES[0], {k: v for k, v in WORKS_LINES[1].items() if k != "works_part"}]
    e = refused(
        paid(INSTALLER, CONSUMER, untagged, works=works(), amount="1485.00"), INSTALLER, "works_rate_condition_missing"
    )
    assert "ES-MAT-BANO" in e.reason


@pytest.mark.parametrize(
    ("change", "why"),
    [
        ({"dwelling": False}, "works.dwelling is false"),
        ({"private_use": "other"}, "private"),
        ({"completed_on": "2025-01-10"}, "less than two years"),
        # one day short of two years (works started 2026-11-02)
        ({"completed_on": "2024-11-03"}, "less than two years"),
        # first occupied in 2024: completed by 2024-12-31 at the latest, < 2 years before 2026-11-02
        ({"completed_on": None, "first_occupied_year": 2024}, "2024-12-31"),
    ],
)
def test_dwelling_works_facts_unmet(change: dict[str, Any], why: str) -> None:
    e = refused(
        paid(INSTALLER, CONSUMER, WORKS_LINES, works=works(**change), amount="1485.00"),
        INSTALLER,
        "works_rate_condition_unmet",
    )
    assert why in e.reason


@pytest.mark.parametrize(
    ("completed", "started"),
    [("2024-11-02", "2026-11-02"), ("2024-02-29", "2026-02-28")],  # two years to the day (CC art. 5.1)
)
def test_dwelling_completed_exactly_two_years_before(completed: str, started: str) -> None:
    doc = issue(
        paid(INSTALLER, CONSUMER, WORKS_LINES, works=works(completed_on=completed, started_on=started)), INSTALLER
    )
    assert figures(doc) == (D("1350.00"), D("135.00"), D("1485.00"))


def test_dwelling_completed_two_years_less_a_day_before_a_leap_day() -> None:
    facts = works(completed_on="2024-02-29", started_on="2026-02-27")
    refused(
        paid(INSTALLER, CONSUMER, WORKS_LINES, works=facts, amount="1485.00"), INSTALLER, "works_rate_condition_unmet"
    )


def test_dwelling_mainly_in_private_use_qualifies() -> None:
    # UNSURE ES-9: a dwelling mainly (not only) used privately is read as "uso particular".
    doc = issue(paid(INSTALLER, CONSUMER, WORKS_LINES, works=works(private_use="main")), INSTALLER)
    assert figures(doc) == (D("1350.00"), D("135.00"), D("1485.00"))


def test_first_occupied_two_full_years_before() -> None:
    # occupied in 2023 -> completed by 2023-12-31, + 2 years = 2025-12-31 <= 2026-11-02
    doc = issue(
        paid(INSTALLER, CONSUMER, WORKS_LINES, works=works(completed_on=None, first_occupied_year=2023)), INSTALLER
    )
    assert "31/12/2023" in " ".join(m.text for m in doc.mentions)


def test_materials_at_40_percent_are_allowed() -> None:
    # labour 600.00 + materials 400.00: 400 / 1,000 = 40.0 % exactly; VAT 100.00, total 1,100.00
    lines = [dict(WORKS_LINES[0], unit_price="600.00"), dict(WORKS_LINES[1], unit_price="400.00")]
    doc = valid(issue(paid(INSTALLER, CONSUMER, lines, works=works()), INSTALLER))
    assert figures(doc) == (D("1000.00"), D("100.00"), D("1100.00"))
    assert "40,0 %" in " ".join(m.text for m in doc.mentions)


def test_materials_over_40_percent_are_refused_with_the_figures() -> None:
    # labour 450.00 + materials 550.00: 55.0 % > 40 %
    lines = [dict(WORKS_LINES[0], unit_price="450.00"), dict(WORKS_LINES[1], unit_price="550.00")]
    e = refused(
        paid(INSTALLER, CONSUMER, lines, works=works(), amount="1100.00"), INSTALLER, "works_rate_condition_unmet"
    )
    assert "materials 550.00 of a works base of 1000.00 EUR" in e.reason
    assert "55.0 %" in e.reason
    # one cent over the cap: 400.01 / 1,000.01 > 40 %
    lines = [dict(WORKS_LINES[0], unit_price="600.00"), dict(WORKS_LINES[1], unit_price="400.01")]
    refused(paid(INSTALLER, CONSUMER, lines, works=works(), amount="1100.01"), INSTALLER, "works_rate_condition_unmet")
    # equipment supplied by the contractor counts as materials: 500 / 1,000 = 50 %
    lines = [
        dict(WORKS_LINES[0], unit_price="500.00"),
        dict(WORKS_LINES[1], unit_price="500.00", works_part="equipment"),
    ]
    refused(paid(INSTALLER, CONSUMER, lines, works=works(), amount="1100.00"), INSTALLER, "works_rate_condition_unmet")


def test_dwelling_works_for_a_business_are_refused() -> None:
    e = refused(
        paid(INSTALLER, COMPANY, WORKS_LINES, works=works(), amount="1485.00"), INSTALLER, "works_rate_condition_unmet"
    )
    assert "natural person" in e.reason


def test_a_bare_10_percent_is_the_intermediate_rate_not_the_works_rate() -> None:
    # An explicit 10 % is the ladder's intermediate rate: no works facts are checked or printed.
    doc = issue(paid(RETAILER, CONSUMER, [line(None, vat_rate="10")]), RETAILER)
    assert figures(doc) == (D("36.00"), D("3.60"), D("39.60"))
    assert not any(m.code == "home_renovation" for m in doc.mentions)


# --- construction reverse charge (LIVA 84.Uno.2º.f) ------------------------------------------------

RC_LINES = [
    line("standard", "1", "1000.00", sku="ES-OBRA", nature="service", works_part="labour"),
    line("standard", "1", "500.00", sku="ES-MAT", works_part="materials"),
]


def test_works_for_a_contractor_are_reverse_charged() -> None:
    # 1,500.00 net, no VAT charged: the buyer accounts for it (category AE).
    doc = valid(issue(paid(INSTALLER, CONTRACTOR, RC_LINES), INSTALLER))
    assert figures(doc) == (D("1500.00"), D("0.00"), D("1500.00"))
    assert [(b.category, b.rate, b.exemption_code) for b in doc.vat_breakdown] == [("AE", D("0"), "VATEX-EU-AE")]
    assert "Inversión del sujeto pasivo" in (doc.vat_breakdown[0].exemption_reason or "")
    assert "Inversión del sujeto pasivo (art. 84.Uno.2º.f de la Ley 37/1992 del IVA)" in pdf_text(doc)


def test_reverse_charge_to_a_buyer_known_by_its_nif_only() -> None:
    # BR-AE-02 wants a buyer identifier: the NIF is given as the buyer's legal registration id (BT-47).
    developer = buyer(CONTRACTOR, vat_id=None, facts={"es_construction_role": "developer"})
    doc = valid(issue(paid(INSTALLER, developer, RC_LINES), INSTALLER))
    assert figures(doc) == (D("1500.00"), D("0.00"), D("1500.00"))


def test_reverse_charge_needs_the_buyers_role() -> None:
    e = refused(
        paid(INSTALLER, buyer(CONTRACTOR, facts=None), RC_LINES, amount="1815.00"),
        INSTALLER,
        "reverse_charge_condition_missing",
    )
    assert "es_construction_role" in e.reason
    assert "84.Uno.2º.f" in e.reason


def test_works_for_a_business_without_role_bear_vat() -> None:
    # role none: 1,500.00 x 0.21 = 315.00 -> 1,815.00
    doc = valid(issue(paid(INSTALLER, COMPANY, RC_LINES), INSTALLER))
    assert figures(doc) == (D("1500.00"), D("315.00"), D("1815.00"))


def test_goods_alone_for_a_contractor_bear_vat() -> None:
    doc = valid(issue(paid(RETAILER, CONTRACTOR, [line()]), RETAILER))
    assert figures(doc) == (D("36.00"), D("7.56"), D("43.56"))


def test_plain_goods_with_reverse_charged_works_are_refused() -> None:
    mixed = [*RC_LINES, line("standard", sku="ES-TAL")]
    refused(paid(INSTALLER, CONTRACTOR, mixed, amount="1536.00"), INSTALLER, "unsupported_case")


# --- the seller ---------------------------------------------------------------------------------


def problems(**changes: Any) -> list[str]:
    data = {**demo.SELLERS[0], **changes}
    return JURISDICTION.seller_problems(seller_from({k: v for k, v in data.items() if v is not None}))


def test_seller_identity_problems() -> None:
    assert problems() == []
    assert "NIF-IVA" in problems(vat_id=None)[0]
    assert "not a Spanish NIF-IVA" in problems(vat_id="FR44732829320")[0]
    assert "invalid NIF" in problems(tax_number="B46123452")[0]
    assert "is not the NIF" in problems(tax_number="B09123456")[0]
    assert "Registro Mercantil" in problems(trade_register=None)[0]
    # A natural person (autónomo, DNI) is not required to be registered.
    assert problems(vat_id="ES50123456Q", tax_number="50123456Q", trade_register=None) == []
    with pytest.raises(ValueError, match="trade_register"):
        check_seller(seller_from({**demo.SELLERS[0], "trade_register": None}))


def test_a_seller_with_problems_cannot_issue() -> None:
    bad = seller_from({**demo.SELLERS[0], "trade_register": None})
    refused(paid(RETAILER, CONSUMER, [line()], amount="43.56") | {"seller_id": bad.id}, bad, "seller_identity_invalid")


def test_no_franchise_in_spain() -> None:
    small = seller_from({**demo.SELLERS[0], "vat_regime": "franchise"})
    refused(paid(RETAILER, CONSUMER, [line(None, vat_rate="0")], amount="36.00"), small, "unsupported_case")


@pytest.mark.parametrize(
    ("postcode", "city", "where"),
    [("48001", "Bilbao", "Basque"), ("20001", "Donostia", "Basque"), ("31001", "Pamplona", "Navarre")],
)
def test_foral_territory_sellers_are_refused(postcode: str, city: str, where: str) -> None:
    address = {"line1": "Calle Mayor 1", "postcode": postcode, "city": city, "country": "ES"}
    foral = seller_from({**demo.SELLERS[0], "address": address})
    e = refused(paid(RETAILER, CONSUMER, [line()], amount="43.56"), foral, "territory_unhandled")
    assert where in e.reason


def test_services_to_a_canary_islands_buyer_are_refused() -> None:
    # Goods sent there are exports (tests/law/test_cross_border.py); services to the territory are not handled.
    canario = buyer(
        CONSUMER, address={"line1": "Calle Triana 1", "postcode": "35002", "city": "Las Palmas", "country": "ES"}
    )
    refused(paid(RETAILER, canario, [line(nature="service")], amount="43.56"), RETAILER, "territory_unhandled")


# --- languages, channel ---------------------------------------------------------------------------


def test_labels_in_the_buyers_language_mentions_in_spanish() -> None:
    doc = valid(issue(paid(RETAILER, ITALIAN_READER, [line()]), RETAILER))
    assert doc.language == "it"
    assert doc.mention_language == "es"
    text = pdf_text(doc)
    assert "FATTURA" in text
    assert "Fatturato a" in text
    assert "Totale documento" in text
    assert "Factura expedida por Brico Market SAS en nombre y por cuenta de" in text
    assert "NIF X1234567L" in text


def test_verifactu_from_2027() -> None:
    event = paid(RETAILER, CONSUMER, [line()])
    before = issue(event, RETAILER, day=date(2026, 12, 31))
    assert before.legal_channel is None
    doc = valid(issue(event, RETAILER, day=date(2027, 1, 4)))
    assert doc.legal_channel == "VERI*FACTU"
    assert "Copia informativa" in pdf_text(doc)
    assert "VERI*FACTU" in pdf_text(doc)


def test_a_2027_correction_of_a_2026_invoice_goes_through_verifactu() -> None:
    # VERI*FACTU records what the invoicing system issues from 2027-01-01 (RD 1007/2023): the credit note
    # issued then is recorded even though its invoice was not.
    invoice = issue(paid(RETAILER, CONSUMER, [line()]), RETAILER, day=date(2026, 12, 31))
    assert invoice.legal_channel is None
    event = OrderRefunded.model_validate(refund(invoice, invoice.totals.tax_inclusive))
    early, _ = draft_credit_note(event, invoice, Credited(), RETAILER, MARKETPLACE, date(2026, 12, 31))
    late, _ = draft_credit_note(event, invoice, Credited(), RETAILER, MARKETPLACE, date(2027, 1, 4))
    assert early.fields["legal_channel"] is None
    assert late.fields["legal_channel"] == "VERI*FACTU"


def test_dollar_invoice_states_its_vat_in_euros() -> None:
    # 36.00 USD + 21 % = 7.56 USD VAT; ECB of the tax point: 1 EUR = 1.2000 USD, so 7.56 / 1.2 = 6.30 EUR (BT-111)
    ecb = fixed_rates(Rate("ECB", "EUR", "USD", D("1.2000"), date(2026, 11, 19)))
    doc = valid(issue(paid(RETAILER, COMPANY, [line()], currency="USD"), RETAILER, rates=ecb))
    assert doc.currency == "USD"
    assert figures(doc) == (D("36.00"), D("7.56"), D("43.56"))
    assert doc.exchange is not None
    assert (doc.exchange.tax_currency, doc.exchange.tax_total) == ("EUR", D("6.30"))
    # The simplified-invoice limits are in euros: a dollar order of a consumer without NIF is refused.
    e = refused(
        paid(RETAILER, ANONYMOUS, [line()], currency="USD", amount="43.56"), RETAILER, "buyer_tax_number_missing"
    )
    assert "USD" in e.reason


# --- credit notes (facturas rectificativas, RD 1619/2012 art. 15) ---------------------------------


def test_full_credit_note_names_its_invoice() -> None:
    invoice = valid(issue(paid(RETAILER, CONSUMER, demo.PRODUCTS), RETAILER))
    note = valid(credit(invoice, refund(invoice, "426.93"), RETAILER))
    assert figures(note) == (D("358.80"), D("68.13"), D("426.93"))
    assert note.number == "R-ESFSOL-000001"
    assert note.corrects is not None
    assert note.corrects.number == "F-ESFSOL-000001"
    text = pdf_text(note)
    assert "FACTURA RECTIFICATIVA" in text
    assert "Factura rectificativa expedida por Brico Market SAS en nombre y por cuenta de Ferretería del Sol" in text
    assert "Factura rectificativa de la factura n.º F-ESFSOL-000001 de fecha 20/11/2026" in text
    assert "Importe reembolsado el 19/11/2026 mediante tarjeta (transacción RF-R1)." in text


def test_partial_credit_note_of_one_line() -> None:
    # the olive tree: 34.90 + 10 % 3.49 = 38.39
    invoice = issue(paid(RETAILER, CONSUMER, demo.PRODUCTS), RETAILER)
    scope = {"kind": "lines", "lines": [{"sku": "ES-OLIVO-M", "quantity": "1"}]}
    note = valid(credit(invoice, refund(invoice, "38.39", scope), RETAILER))
    assert figures(note) == (D("34.90"), D("3.49"), D("38.39"))
    assert any(m.code == "corrects" for m in note.mentions)


def test_reverse_charged_credit_note_keeps_the_mention() -> None:
    invoice = issue(paid(INSTALLER, CONTRACTOR, RC_LINES), INSTALLER)
    note = valid(credit(invoice, refund(invoice, "1500.00"), INSTALLER))
    assert [(b.category, b.tax_amount) for b in note.vat_breakdown] == [("AE", D("0.00"))]
    assert "Inversión del sujeto pasivo" in pdf_text(note)


def test_works_credit_note_keeps_the_works_statement() -> None:
    invoice = issue(paid(INSTALLER, CONSUMER, WORKS_LINES, works=works()), INSTALLER)
    scope = {"kind": "lines", "lines": [{"sku": "ES-MAT-BANO", "quantity": "1"}]}
    # materials 450.00 + 10 % 45.00 = 495.00
    note = valid(credit(invoice, refund(invoice, "495.00", scope), INSTALLER))
    assert figures(note) == (D("450.00"), D("45.00"), D("495.00"))
    assert any(m.code == "home_renovation" for m in note.mentions)


# --- demo data and doctests -----------------------------------------------------------------------


def test_demo_market_issues_cleanly() -> None:
    n = 0
    for who in [*demo.CONSUMERS[:2], *demo.BUSINESSES]:
        for i, product in enumerate(demo.PRODUCTS):
            seller = INSTALLER if product.get("nature") == "service" else RETAILER
            valid(issue(paid(seller, who, [product], ref=f"{i}"), seller))
            n += 1
    for lines, facts in demo.WORKS:
        for who in demo.CONSUMERS[:2]:
            valid(issue(paid(INSTALLER, who, lines, works=facts), INSTALLER))
            n += 1
    assert n == 5 * 5 + 2


def test_doctests() -> None:
    for module in (mandat.countries.es.rates, mandat.countries.es.mentions, mandat.countries.es.identity):
        result = doctest.testmod(module)
        assert result.attempted > 0
        assert result.failed == 0


def test_dwelling_works_in_the_canary_islands_are_refused() -> None:
    # Las Palmas is outside the EU VAT area (Directive art. 6(1)(b); IGIC): works there are not Spanish VAT.
    canary = {"line1": "Calle León 1", "postcode": "35001", "city": "Las Palmas", "country": "ES"}
    e = refused(
        paid(INSTALLER, CONSUMER, WORKS_LINES, works=works(property_address=canary), amount="1485.00"),
        INSTALLER,
        "unsupported_case",
    )
    assert "Canary Islands" in e.reason
    assert "outside the EU VAT area" in e.reason


def test_a_buyer_abroad_keeps_its_own_states_tax_number() -> None:
    # RD 1619/2012 art. 6.1.d: the recipient's number may be one "atribuido ... por la de otro Estado"; a
    # number of Andorra is not checked as a Spanish NIF. The export to a consumer in Andorra: 36.00, no VAT (G).
    andorra = {
        "kind": "consumer",
        "name": "Pere Vidal",
        "tax_number": "F123456Z",
        "address": {"line1": "Carrer Major 1", "postcode": "AD500", "city": "Andorra la Vella", "country": "AD"},
    }
    doc = valid(issue(paid(RETAILER, andorra, [line()]), RETAILER))
    assert figures(doc) == (D("36.00"), D("0.00"), D("36.00"))
    assert any("F123456Z of AD" in t for t in doc.trace)
