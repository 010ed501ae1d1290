"""Italy: domestic invoices and credit notes with figures worked out by hand from the law.

Expected amounts are literals computed in the comments from the statutory rates, never read from
``mandat.countries.it``: a wrong table must make these tests fail.

Rates: DPR 633/1972 art. 16 (22 %), Tabella A parte III (10 %), parte II-bis (5 %), parte II (4 %);
L. 488/1999 art. 7 c.1 lett. b (10 % maintenance of dwellings) with the significant-goods cap of the
DM 29-12-1999. VAT per rate = round(taxable x rate) half-up to the cent (BR-CO-17).
"""

from __future__ import annotations

import copy
import doctest
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from mandat.countries.it import NUMBER_SYNTAX, identity, mentions, rates
from mandat.countries.registry import jurisdiction
from mandat.demo.markets.it import BUSINESSES, CONSUMERS, SELLERS
from mandat.domain.credit import Credited
from mandat.domain.documents import Document
from mandat.domain.events import OrderRefunded
from mandat.domain.exchange import Rate
from mandat.domain.parties import Seller
from mandat.domain.refusals import Rejected
from mandat.rules.credit_note import draft_credit_note
from tests.markets import (
    MARKETPLACE,
    TODAY,
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
SHOP = seller_from(SELLERS[0])  # Brico Navigli S.r.l., Milano, socio unico
INSTALLER = seller_from(SELLERS[1])  # Termoidraulica Tiberina S.r.l., Roma
CONSUMER = CONSUMERS[0]
COMPANY = BUSINESSES[0]
IT = jurisdiction("IT")


def line(category: str | None = None, qty: str = "3", price: str = "12.00", **more: Any) -> dict[str, Any]:
    ln: dict[str, Any] = {"sku": "SKU-1", "description": "Articolo", "quantity": qty, "unit_price": price}
    if category is not None:
        ln["tax_category"] = category
    ln.update(more)
    return ln


def valid(doc: Document) -> Document:
    assert schematron_errors(doc) == []
    return doc


def codes(doc: Document) -> list[str]:
    return [m.code for m in doc.mentions]


# 3 x 12.00 = 36.00 excluding VAT:
#   22 % (art. 16):          36.00 x 0.22 = 7.92 -> 43.92
#   10 % (Tab. A III):       36.00 x 0.10 = 3.60 -> 39.60
#   5 % (Tab. A II-bis):     36.00 x 0.05 = 1.80 -> 37.80
#   4 % (Tab. A II):         36.00 x 0.04 = 1.44 -> 37.44
EXCLUSIVE = [
    ("standard", "22", "7.92", "43.92"),
    ("intermediate", "10", "3.60", "39.60"),
    ("reduced", "5", "1.80", "37.80"),
    ("super_reduced", "4", "1.44", "37.44"),
]
# 10.00 including VAT: the net N with N + round(N x rate) = 10.00.
#   22 %: 10 / 1.22 = 8.197 -> 8.20; 8.20 x 0.22 = 1.804 -> 1.80; 8.20 + 1.80 = 10.00
#   10 %: 10 / 1.10 = 9.091 -> 9.09; 9.09 x 0.10 = 0.909 -> 0.91
#   5 %:  10 / 1.05 = 9.524 -> 9.52; 9.52 x 0.05 = 0.476 -> 0.48
#   4 %:  10 / 1.04 = 9.615 -> 9.62; 9.62 x 0.04 = 0.3848 -> 0.38
INCLUSIVE = [
    ("standard", "22", "8.20", "1.80"),
    ("intermediate", "10", "9.09", "0.91"),
    ("reduced", "5", "9.52", "0.48"),
    ("super_reduced", "4", "9.62", "0.38"),
]


@pytest.mark.parametrize(("category", "rate", "vat", "gross"), EXCLUSIVE)
@pytest.mark.parametrize("buyer", [CONSUMER, COMPANY], ids=["B2C", "B2B"])
def test_every_rate_excluding_vat(category: str, rate: str, vat: str, gross: str, buyer: dict[str, Any]) -> None:
    doc = valid(issue(paid(SHOP, buyer, [line(category)]), SHOP))
    t = doc.totals
    assert (t.tax_exclusive, t.tax_total, t.tax_inclusive) == (D("36.00"), D(vat), D(gross))
    assert [(b.category, b.rate) for b in doc.vat_breakdown] == [("S", D(rate))]
    assert doc.currency == "EUR"
    assert doc.business_case == ("B2B" if buyer is COMPANY else "B2C")
    assert doc.legal_channel == "SdI"


@pytest.mark.parametrize(("category", "rate", "net", "vat"), INCLUSIVE)
@pytest.mark.parametrize("buyer", [CONSUMER, COMPANY], ids=["B2C", "B2B"])
def test_every_rate_including_vat(category: str, rate: str, net: str, vat: str, buyer: dict[str, Any]) -> None:
    doc = valid(issue(paid(SHOP, buyer, [line(category, qty="1", price="10.00")], include_vat=True), SHOP))
    t = doc.totals
    assert (t.tax_exclusive, t.tax_total, t.tax_inclusive) == (D(net), D(vat), D("10.00"))
    assert doc.vat_breakdown[0].rate == D(rate)


def test_a_rate_italy_does_not_have_is_refused() -> None:
    # 20 % is the French standard rate, 5.5 % the French reduced one: neither exists in Italy.
    event = paid(SHOP, CONSUMER, [line(vat_rate="20")], amount="43.20")
    assert "22" in refused(event, SHOP, "vat_rate_invalid").reason
    refused(paid(SHOP, CONSUMER, [line("parking")], amount="1.00"), SHOP, "tax_category_unknown")
    refused(paid(SHOP, CONSUMER, [line("energy_renovation")], amount="1.00"), SHOP, "tax_category_unknown")


# --- 10 % maintenance of dwellings and the significant-goods cap (L. 488/1999 art. 7 c.1 lett. b) ------------

WORKS = {
    "property_address": {"line1": "Via Appia Nuova 301", "postcode": "00183", "city": "Roma", "country": "IT"},
    "dwelling": True,
    "private_use": "main",
    "installed_by_seller": True,
}
LABOUR = line("home_renovation", qty="1", price="200.00", sku="POSA", nature="service", works_part="labour")
BOILER = line("home_renovation", qty="1", price="800.00", sku="CALDAIA", works_part="significant_goods")


def works(**changes: Any) -> dict[str, Any]:
    w = copy.deepcopy(WORKS)
    for k, v in changes.items():
        if v is None:
            w.pop(k, None)
        else:
            w[k] = v
    return w


def test_significant_goods_above_the_rest_of_the_service_are_split() -> None:
    # docs/countries.md §5.2 example: T = 1,000 (labour 200 + boiler 800), V = 800 > T - V = 200:
    #   10 % on 200 labour + 200 of the boiler = 400 -> 40.00; 22 % on 800 - 200 = 600 -> 132.00
    #   net 1,000.00, VAT 172.00, total 1,172.00
    doc = valid(issue(paid(INSTALLER, CONSUMERS[1], [LABOUR, BOILER], works=WORKS), INSTALLER))
    t = doc.totals
    assert (t.tax_exclusive, t.tax_total, t.tax_inclusive) == (D("1000.00"), D("172.00"), D("1172.00"))
    assert sorted((b.rate, b.taxable_amount, b.tax_amount) for b in doc.vat_breakdown) == [
        (D("10"), D("400.00"), D("40.00")),
        (D("22"), D("600.00"), D("132.00")),
    ]
    # The order's lines keep their places; the 22 % part of the boiler is appended, same sku.
    assert [(ln.sku, ln.net_amount, ln.vat_rate) for ln in doc.lines] == [
        ("POSA", D("200.00"), D("10")),
        ("CALDAIA", D("200.00"), D("10")),
        ("CALDAIA", D("600.00"), D("22")),
    ]
    assert codes(doc)[1:3] == ["home_renovation", "significant_goods"]
    text = pdf_text(doc)
    # L. 205/2017 art. 1 c.19: the value of the significant goods stated separately.
    assert "valore 800,00 €" in text
    assert "aliquota 10 % su 200,00 €, eccedenza di 600,00 €" in text
    assert "art. 7, comma 1, lett. b), L. 488/1999" in text


def test_significant_goods_within_the_rest_stay_at_ten_percent() -> None:
    # labour 3 x 60 = 180, taps 2 x 45 = 90 <= 180: everything at 10 %: 270.00 -> 27.00 -> 297.00
    taps = line("home_renovation", qty="2", price="45.00", sku="MISCELATORE", works_part="significant_goods")
    labour = line("home_renovation", qty="3", price="60.00", sku="POSA", nature="service", works_part="labour")
    doc = valid(issue(paid(INSTALLER, CONSUMERS[1], [labour, taps], works=WORKS), INSTALLER))
    assert (doc.totals.tax_exclusive, doc.totals.tax_total, doc.totals.tax_inclusive) == (
        D("270.00"),
        D("27.00"),
        D("297.00"),
    )
    assert len(doc.lines) == 2
    assert "aliquota 10 % su 90,00 €, eccedenza di 0,00 €" in pdf_text(doc)


def test_materials_count_in_the_rest_of_the_service() -> None:
    # labour 600 + materials 100 = 700 = T - V; boiler 1,800 = V > 700:
    #   10 % on 600 + 100 + 700 = 1,400 -> 140.00; 22 % on 1,100 -> 242.00; total 2,500 + 382 = 2,882.00
    lines = [
        line("home_renovation", qty="1", price="600.00", sku="POSA", nature="service", works_part="labour"),
        line("home_renovation", qty="1", price="100.00", sku="RAME", works_part="materials"),
        line("home_renovation", qty="1", price="1800.00", sku="CALDAIA", works_part="significant_goods"),
    ]
    doc = valid(issue(paid(INSTALLER, CONSUMERS[1], lines, works=WORKS), INSTALLER))
    assert (doc.totals.tax_total, doc.totals.tax_inclusive) == (D("382.00"), D("2882.00"))


def test_split_with_prices_including_vat() -> None:
    # Gross labour 660 and boiler 1,980 (both 10 %-inclusive prices). The 10 % part of the boiler is the
    # labour's value: 660 gross; the excess 1,980 - 660 = 1,320 gross is at 22 %.
    #   10 % group: 660 + 660 = 1,320 gross -> net 1,320 / 1.10 = 1,200.00, VAT 120.00
    #   22 % group: 1,320 gross -> net 1,320 / 1.22 = 1,081.967 -> 1,081.97; VAT 1,081.97 x 0.22 = 238.03
    #   (net boiler 600 + 1,081.97 = 1,681.97 > labour 600: 10 % on exactly T - V = 600 of it)
    labour = line("home_renovation", qty="1", price="660.00", sku="POSA", nature="service", works_part="labour")
    boiler = line("home_renovation", qty="1", price="1980.00", sku="CALDAIA", works_part="significant_goods")
    doc = valid(issue(paid(INSTALLER, CONSUMERS[1], [labour, boiler], works=WORKS, include_vat=True), INSTALLER))
    assert sorted((b.rate, b.taxable_amount, b.tax_amount) for b in doc.vat_breakdown) == [
        (D("10"), D("1200.00"), D("120.00")),
        (D("22"), D("1081.97"), D("238.03")),
    ]
    assert doc.totals.tax_inclusive == D("2640.00")
    assert "valore 1.681,97 €" in pdf_text(doc)


@pytest.mark.parametrize(
    ("facts", "fact"),
    [
        (None, "works.dwelling"),
        (works(dwelling=None), "works.dwelling"),
        (works(private_use=None), "works.private_use"),
        (works(installed_by_seller=None), "works.installed_by_seller"),
    ],
)
def test_home_renovation_facts_missing(facts: dict[str, Any] | None, fact: str) -> None:
    extra: dict[str, Any] = {"works": facts} if facts is not None else {}
    event = paid(INSTALLER, CONSUMERS[1], [LABOUR, BOILER], amount="1172.00", **extra)
    reason = refused(event, INSTALLER, "works_rate_condition_missing").reason
    assert fact in reason
    assert "IT home_renovation" in reason
    assert "L. 488/1999" in reason


def test_goods_line_without_works_part_is_refused() -> None:
    untagged = line("home_renovation", qty="1", price="100.00", sku="RAME")
    event = paid(INSTALLER, CONSUMERS[1], [LABOUR, untagged], amount="330.00", works=WORKS)
    assert "RAME" in refused(event, INSTALLER, "works_rate_condition_missing").reason


@pytest.mark.parametrize(
    ("facts", "lines", "words"),
    [
        (works(dwelling=False), [LABOUR], "dwelling is false"),
        (works(private_use="other"), [LABOUR], "not mainly a private dwelling"),
        (works(installed_by_seller=False), [LABOUR, BOILER], "installed_by_seller is false"),
        (WORKS, [BOILER], "no maintenance service"),
    ],
)
def test_home_renovation_facts_unmet(facts: dict[str, Any], lines: list[dict[str, Any]], words: str) -> None:
    event = paid(INSTALLER, CONSUMERS[1], lines, amount="220.00", works=facts)
    assert words in refused(event, INSTALLER, "works_rate_condition_unmet").reason


def test_significant_goods_cannot_escape_the_cap_as_intermediate() -> None:
    boiler = line("intermediate", qty="1", price="800.00", sku="CALDAIA", works_part="significant_goods")
    event = paid(INSTALLER, CONSUMERS[1], [LABOUR, boiler], amount="1100.00", works=WORKS)
    refused(event, INSTALLER, "works_rate_condition_missing")


def test_a_bare_ten_percent_is_the_intermediate_rate_without_works_facts() -> None:
    # 36.00 x 0.10 = 3.60 -> 39.60 (Tabella A III): a rate given without key is the seller's classification.
    doc = valid(issue(paid(SHOP, CONSUMER, [line(vat_rate="10")]), SHOP))
    assert doc.totals.tax_inclusive == D("39.60")


# --- reverse charge art. 17 c.6 lett. a-ter --------------------------------------------------------------------

INSTALL = line("standard", qty="1", price="500.00", sku="CLIMA", nature="service", works_part="labour")


def test_building_services_between_vat_registered_parties_are_reverse_charged() -> None:
    # 500.00 of installation, no VAT charged: the buyer integrates the invoice (22 % x 500 = 110 on its side).
    doc = valid(issue(paid(INSTALLER, COMPANY, [INSTALL], works=WORKS), INSTALLER))
    assert (doc.totals.tax_exclusive, doc.totals.tax_total, doc.totals.tax_inclusive) == (
        D("500.00"),
        D("0.00"),
        D("500.00"),
    )
    assert [(b.category, b.exemption_code) for b in doc.vat_breakdown] == [("AE", "VATEX-EU-AE")]
    assert "Inversione contabile – art. 17, comma 6, lett. a-ter), DPR 633/1972" in pdf_text(doc)
    assert doc.legal_channel == "SdI"


def test_reverse_charge_on_maintenance_of_a_dwelling() -> None:
    # The 10 % maintenance service to a business: reverse charged, the 10 % statement still printed.
    doc = valid(issue(paid(INSTALLER, COMPANY, [LABOUR], works=WORKS), INSTALLER))
    assert doc.totals.tax_total == D("0.00")
    assert doc.vat_breakdown[0].category == "AE"
    assert "home_renovation" in codes(doc)


@pytest.mark.parametrize(
    ("buyer", "facts", "lines", "words"),
    [
        (COMPANY, works(property_address=None), [INSTALL], "works.property_address"),
        (COMPANY, WORKS, [LABOUR, BOILER], "cessione con posa in opera"),
        ({**COMPANY, "vat_id": None, "tax_number": "05671230158"}, WORKS, [INSTALL], "partita IVA"),
    ],
)
def test_reverse_charge_facts_missing(
    buyer: dict[str, Any], facts: dict[str, Any], lines: list[dict[str, Any]], words: str
) -> None:
    event = paid(INSTALLER, buyer, lines, amount="500.00", works=facts)
    reason = refused(event, INSTALLER, "reverse_charge_condition_missing").reason
    assert words in reason
    assert "a-ter" in reason


def test_b2b_goods_and_services_outside_works_charge_vat() -> None:
    # Goods only: 36.00 + 7.92 = 43.92; a service without works facts: 100.00 + 22.00 = 122.00.
    assert issue(paid(SHOP, COMPANY, [line("standard")]), SHOP).totals.tax_inclusive == D("43.92")
    svc = line("standard", qty="1", price="100.00", nature="service")
    doc = valid(issue(paid(SHOP, COMPANY, [svc]), SHOP))
    assert (doc.totals.tax_total, doc.vat_breakdown[0].category) == (D("22.00"), "S")


# --- identities ------------------------------------------------------------------------------------------------


def test_seller_identifiers_on_the_page() -> None:
    doc = valid(issue(paid(SHOP, CONSUMER, [line("standard")]), SHOP))
    text = pdf_text(doc)
    for needle in (
        "IT01234560157",  # partita IVA (art. 21 c.2 lett. c)
        "Codice fiscale 01234560157",
        "REA MI-2034567",  # c.c. 2250 c.1
        "Registro delle imprese di Milano Monza Brianza Lodi n. 01234560157",
        "Capitale sociale versato € 50.000,00",  # c.c. 2250 c.2
        "Socio unico",  # c.c. 2250 c.4
        "Codice fiscale RSSMRA85T10A562S",  # the consumer's (art. 21 c.2 lett. f)
        "Copia di cortesia",  # SdI: the PDF is a courtesy copy
        "per conto del cedente/prestatore Brico Navigli S.r.l. da un terzo",  # art. 21 c.2 lett. n
    ):
        assert needle in text, needle
    assert "autofattura" not in text.lower()
    legal = [i for i in doc.seller.ids if i.role == "legal"]
    assert [(i.label, i.value) for i in legal] == [("REA", "MI-2034567")]


def seller_with(**changes: Any) -> Seller:
    data = {**SELLERS[0], **changes}
    return seller_from({k: v for k, v in data.items() if v is not None})


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"vat_id": None}, "partita IVA"),
        ({"vat_id": "FR44732829320"}, "not an Italian partita IVA"),
        ({"tax_number": "RSSMRA85T10A562X"}, "codice fiscale"),
        ({"company_id": None}, "REA number"),
        ({"company_id": "2034567"}, "not a REA number"),
        ({"trade_register": None}, "registro delle imprese"),
        ({"share_capital": None}, "share capital"),
        ({"legal_form": "S.n.c.", "share_capital": None}, "socio unico"),
        ({"legal_form": None}, "legal_form"),
    ],
)
def test_seller_identity_problems(changes: dict[str, Any], words: str) -> None:
    problems = IT.seller_problems(seller_with(**changes))
    assert any(words in p for p in problems), problems


def test_sole_trader_needs_only_the_partita_iva() -> None:
    s = seller_with(
        legal_name="Giuseppe Verdi", legal_form=None, company_id=None, trade_register=None, share_capital=None,
        sole_shareholder=False, tax_number="VRDGPP70C15L219C",
    )  # fmt: skip
    assert IT.seller_problems(s) == []


def test_valid_seller_passes() -> None:
    assert IT.seller_problems(SHOP) == []
    assert IT.seller_problems(INSTALLER) == []


def test_buyer_codice_fiscale() -> None:
    no_cf = {k: v for k, v in CONSUMER.items() if k != "tax_number"}
    assert (
        "lett. f"
        in refused(paid(SHOP, no_cf, [line("standard")], amount="43.92"), SHOP, "buyer_tax_number_missing").reason
    )
    bad = {**CONSUMER, "tax_number": "RSSMRA85T10A562X"}
    refused(paid(SHOP, bad, [line("standard")], amount="43.92"), SHOP, "buyer_tax_number_invalid")
    anonymous = {k: v for k, v in COMPANY.items() if k != "vat_id"}
    refused(paid(SHOP, anonymous, [line("standard")], amount="43.92"), SHOP, "buyer_tax_number_missing")


# --- credit notes (art. 26 DPR 633/1972) ---------------------------------------------------------------------


def test_full_credit_note_names_its_invoice() -> None:
    # 36.00 + 7.92 = 43.92 invoiced, all of it credited.
    inv = valid(issue(paid(SHOP, CONSUMER, [line("standard")]), SHOP))
    note = valid(credit(inv, refund(inv, "43.92"), SHOP))
    assert note.totals.tax_inclusive == D("43.92")
    assert note.totals.tax_total == D("7.92")
    assert note.corrects is not None
    assert note.corrects.number == inv.number
    text = pdf_text(note)
    assert f"Nota di credito relativa alla fattura n. {inv.number} del 20/11/2026" in text
    assert "Nota di credito compilata ed emessa per conto del cedente/prestatore" in text
    assert note.legal_channel == "SdI"


def test_partial_credit_note() -> None:
    # One of three at 12.00, 4 %: 12.00 x 0.04 = 0.48 -> 12.48.
    inv = issue(paid(SHOP, COMPANY, [line("super_reduced")]), SHOP)
    note = valid(
        credit(inv, refund(inv, "12.48", {"kind": "lines", "lines": [{"sku": "SKU-1", "quantity": "1"}]}), SHOP)
    )
    assert (note.totals.tax_exclusive, note.totals.tax_total) == (D("12.00"), D("0.48"))
    assert "corrects" in codes(note)


def test_credit_note_of_a_reverse_charge_invoice() -> None:
    inv = issue(paid(INSTALLER, COMPANY, [INSTALL], works=WORKS), INSTALLER)
    note = valid(credit(inv, refund(inv, "500.00"), INSTALLER))
    assert note.vat_breakdown[0].category == "AE"
    assert "Inversione contabile" in pdf_text(note)


# --- languages, channel, numbering, franchise ---------------------------------------------------------------


def test_labels_in_the_buyer_language_mentions_in_italian() -> None:
    english = {**CONSUMER, "language": "en"}
    doc = valid(issue(paid(SHOP, english, [line("standard")]), SHOP))
    assert doc.language == "en"
    assert (doc.mention_language or "it") == "it"
    text = pdf_text(doc)
    assert "INVOICE" in text.upper()
    assert "Fattura compilata ed emessa" in text
    assert "Copy for information: the invoice is the electronic invoice transmitted through SdI" in text


def test_number_syntax() -> None:
    import re

    assert re.fullmatch(NUMBER_SYNTAX.pattern, "FT-ITBRICO-000001")
    assert not re.fullmatch(NUMBER_SYNTAX.pattern, "FT-ITBRICO-ABCDEFGH")  # no digit
    assert not re.fullmatch(NUMBER_SYNTAX.pattern, "A" * 20 + "1")  # 21 characters
    long = seller_with(invoice_series="FATTURA-{code}-{seq:08}")  # FATTURA-ITBRICO-00000001: 24 chars
    with pytest.raises(Exception) as exc:
        issue(paid(long, CONSUMER, [line("standard")]), long)
    assert "number_format" in str(exc.value)


def test_regime_forfettario() -> None:
    # No VAT (L. 190/2014 art. 1 c.54-89): 100.00 net = total; above 77.47 € the 2 € stamp duty is stated.
    flat = seller_with(vat_regime="franchise")
    doc = valid(issue(paid(flat, CONSUMER, [line("standard", qty="1", price="100.00")]), flat))
    assert (doc.totals.tax_total, doc.totals.tax_inclusive) == (D("0.00"), D("100.00"))
    assert doc.vat_breakdown[0].category == "E"
    text = pdf_text(doc)
    assert "commi da 54 a 89, della Legge n. 190/2014" in text
    assert "Imposta di bollo" in text
    assert "Sistema di Interscambio" in text
    small = valid(issue(paid(flat, CONSUMER, [line("standard", qty="1", price="50.00")]), flat))
    assert "stamp_duty" not in codes(small)


@pytest.mark.parametrize("module", [identity, mentions, rates])
def test_doctests(module: Any) -> None:
    result = doctest.testmod(module)
    assert result.attempted > 0
    assert result.failed == 0


def test_works_service_to_a_business_without_works_facts_is_refused() -> None:
    event = paid(INSTALLER, COMPANY, [INSTALL], amount="500.00")
    assert "works.property_address" in refused(event, INSTALLER, "reverse_charge_condition_missing").reason


def test_shipping_follows_the_highest_rate_after_the_split() -> None:
    # labour 200 + boiler 800 (200 at 10 %, 600 at 22 %) + shipping 50 at the highest rate, 22 %:
    #   10 %: 400.00 -> 40.00; 22 %: 600 + 50 = 650.00 -> 143.00; net 1,050.00 + VAT 183.00 = 1,233.00
    event = paid(INSTALLER, CONSUMERS[1], [LABOUR, BOILER], works=WORKS, shipping={"amount": "50.00"})
    doc = valid(issue(event, INSTALLER))
    assert sorted((b.rate, b.taxable_amount, b.tax_amount) for b in doc.vat_breakdown) == [
        (D("10"), D("400.00"), D("40.00")),
        (D("22"), D("650.00"), D("143.00")),
    ]
    assert doc.totals.tax_inclusive == D("1233.00")


def test_credit_notes_of_a_split_invoice() -> None:
    # Full: 1,172.00 back. By sku the boiler is on two lines: the refund must name the line.
    inv = issue(paid(INSTALLER, CONSUMERS[1], [LABOUR, BOILER], works=WORKS), INSTALLER)
    note = valid(credit(inv, refund(inv, "1172.00"), INSTALLER))
    assert note.totals.tax_total == D("172.00")

    by_sku = refund(inv, "240.00", {"kind": "lines", "lines": [{"sku": "CALDAIA", "quantity": "1"}]})
    with pytest.raises(Rejected) as exc:
        draft_credit_note(OrderRefunded.model_validate(by_sku), inv, Credited(), INSTALLER, MARKETPLACE, TODAY)
    assert exc.value.code == "refund_line_ambiguous"
    # line 2 is the boiler's 10 % part: 200.00 + 20.00 = 220.00
    part = refund(inv, "220.00", {"kind": "lines", "lines": [{"line_no": 2, "quantity": "1"}]})
    assert valid(credit(inv, part, INSTALLER)).totals.tax_inclusive == D("220.00")


def test_order_in_another_currency_states_the_vat_in_euro() -> None:
    # 36.00 USD at 22 % -> VAT 7.92 USD; ECB 1 EUR = 1.0500 USD: 7.92 / 1.05 = 7.5428 -> 7.54 EUR (BT-111)
    rates = fixed_rates(Rate("ECB", "EUR", "USD", D("1.0500"), date(2026, 11, 18)))
    doc = valid(issue(paid(SHOP, CONSUMER, [line("standard")], currency="USD"), SHOP, rates=rates))
    assert doc.currency == "USD"
    assert doc.exchange is not None
    assert (doc.exchange.tax_currency, doc.exchange.tax_total) == ("EUR", D("7.54"))


def test_home_renovation_of_a_property_abroad_is_decided_where_the_property_is() -> None:
    # A flat in Paris: supplied in France (Directive art. 47), before the Italian 10 % is looked at; for a
    # consumer no reverse charge applies, the seller would have to register in France: refused.
    paris = {"line1": "Rue X 1", "postcode": "75001", "city": "Paris", "country": "FR"}
    event = paid(INSTALLER, CONSUMERS[1], [LABOUR], amount="220.00", works=works(property_address=paris))
    assert "must be registered for VAT in FR" in refused(event, INSTALLER, "unsupported_case").reason
