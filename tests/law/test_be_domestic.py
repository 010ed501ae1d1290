"""Belgian domestic sales with figures worked out by hand from the law.

Rates: Code TVA art. 37 § 1 and AR n° 20 (standard 21 %, table B 12 %, table A 6 %, table C 0 %);
6 % renovation of dwellings at least ten years old (AR n° 20 table A; statement of the law of
27 December 2021); cocontractant reverse charge for immovable works (AR n° 1 art. 20); franchise
(Code TVA art. 56bis). Amounts are rounded to the cent half-up per rate (EN 16931 BR-CO-17).
Expected amounts are literals computed in the comments, never read from ``mandat.countries.be``.
"""

from __future__ import annotations

import copy
import doctest
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

import mandat.countries.be as be_pack
from mandat.countries.be import identity, mentions, rates
from mandat.demo.markets import be as demo
from mandat.domain.documents import Document
from mandat.domain.exchange import Rate
from mandat.domain.parties import Seller
from mandat.render.cii import build_cii
from mandat.rules.invoice import check_seller
from tests.markets import credit, fixed_rates, issue, paid, pdf_text, refund, refused, schematron_errors, seller_from

D = Decimal
RETAILER = seller_from(demo.SELLERS[0])  # Ghent, legal language nl, BE0456123791
INSTALLER = seller_from(demo.SELLERS[1])  # Namur, legal language fr, BE0732815501

LIEGE = {"line1": "Rue Saint-Gilles 58", "postcode": "4000", "city": "Liège", "country": "BE"}


def consumer(language: str | None = "fr") -> dict[str, Any]:
    b: dict[str, Any] = {"kind": "consumer", "name": "Sophie Lambert", "address": LIEGE}
    if language:
        b["language"] = language
    return b


def company(filer: bool | None = True, language: str = "fr", vat_id: str | None = "BE0678901218") -> dict[str, Any]:
    b: dict[str, Any] = {
        "kind": "business",
        "name": "Immo Condroz SA",
        "address": {"line1": "Chaussée de Marche 602", "postcode": "5101", "city": "Erpent", "country": "BE"},
        "language": language,
    }
    if vat_id:
        b["vat_id"] = vat_id
    if filer is not None:
        b["facts"] = {"be_periodic_filer": filer}
    return b


def line(category: str | None = "standard", qty: str = "3", price: str = "12.00", **more: Any) -> dict[str, Any]:
    ln: dict[str, Any] = {"sku": "SKU-1", "description": "Article", "quantity": qty, "unit_price": price}
    if category is not None:
        ln["tax_category"] = category
    ln.update(more)
    return ln


def works_facts(**changes: Any) -> dict[str, Any]:
    facts: dict[str, Any] = {
        "property_address": LIEGE,
        "dwelling": True,
        "private_use": "exclusive",
        "first_occupied_year": 1987,
        "installed_by_seller": True,
    }
    facts.update(changes)
    return {k: v for k, v in facts.items() if v is not None}


def renovation_lines(category: str = "home_renovation") -> list[dict[str, Any]]:
    """24 h x 48.00 = 1152.00 labour, 12 m² x 32.50 = 390.00 tiles, 890.00 shower: 2432.00 net."""
    lines = copy.deepcopy(demo.WORKS[0][0])
    for ln in lines:
        ln["tax_category"] = category
    return lines


def figures(doc: Document) -> tuple[Decimal, Decimal, Decimal]:
    return doc.totals.tax_exclusive, doc.totals.tax_total, doc.totals.tax_inclusive


def mention_text(doc: Document) -> str:
    return " ".join(m.text for m in doc.mentions)


def valid(doc: Document) -> Document:
    assert schematron_errors(doc) == []
    return doc


# --- rates -------------------------------------------------------------------------------------

# 3 x 12.00 = 36.00 excluding VAT:
#   standard 21 %:  36.00 x 0.21 = 7.56 -> 43.56
#   parking 12 %:   36.00 x 0.12 = 4.32 -> 40.32
#   reduced 6 %:    36.00 x 0.06 = 2.16 -> 38.16
#   zero 0 %:       0.00 -> 36.00 (category Z)
EXCLUSIVE = [
    ("standard", "S", "21", "7.56", "43.56"),
    ("parking", "S", "12", "4.32", "40.32"),
    ("reduced", "S", "6", "2.16", "38.16"),
    ("zero", "Z", "0", "0.00", "36.00"),
]


@pytest.mark.parametrize(("key", "cat", "rate", "vat", "gross"), EXCLUSIVE)
@pytest.mark.parametrize("kind", ["consumer", "business"])
def test_every_rate_excluding_vat(key: str, cat: str, rate: str, vat: str, gross: str, kind: str) -> None:
    buyer = consumer() if kind == "consumer" else company()
    doc = valid(issue(paid(RETAILER, buyer, [line(key)]), RETAILER))
    assert figures(doc) == (D("36.00"), D(vat), D(gross))
    assert [(b.category, b.rate) for b in doc.vat_breakdown] == [(cat, D(rate))]
    assert doc.business_case == ("B2B" if kind == "business" else "B2C")


# 24.95 including VAT: the net N with N + round(N x rate) = 24.95:
#   21 %: 24.95 / 1.21 = 20.6198 -> 20.62; 20.62 x 0.21 = 4.3302 -> 4.33; 20.62 + 4.33 = 24.95
#   12 %: 24.95 / 1.12 = 22.2768 -> 22.28; 22.28 x 0.12 = 2.6736 -> 2.67; 24.95
#   6 %:  24.95 / 1.06 = 23.5377 -> 23.54; 23.54 x 0.06 = 1.4124 -> 1.41; 24.95
#   0 %:  24.95, no VAT
@pytest.mark.parametrize(
    ("key", "net", "vat"),
    [
        ("standard", "20.62", "4.33"),
        ("parking", "22.28", "2.67"),
        ("reduced", "23.54", "1.41"),
        ("zero", "24.95", "0.00"),
    ],
)
@pytest.mark.parametrize("kind", ["consumer", "business"])
def test_every_rate_including_vat(key: str, net: str, vat: str, kind: str) -> None:
    buyer = consumer() if kind == "consumer" else company()
    doc = valid(issue(paid(RETAILER, buyer, [line(key, qty="1", price="24.95")], include_vat=True), RETAILER))
    assert figures(doc) == (D(net), D(vat), D("24.95"))


def test_a_basket_at_every_rate() -> None:
    # standard: 129.00 + 2 x 24.95 = 178.90; x 0.21 = 37.569 -> 37.57
    # parking:  2 x 18.50 = 37.00; x 0.12 = 4.44
    # reduced:  24.99 + 10 x 4.20 = 66.99; x 0.06 = 4.0194 -> 4.02
    # zero:     3.50
    # net 178.90 + 37.00 + 66.99 + 3.50 = 286.39; VAT 37.57 + 4.44 + 4.02 = 46.03; gross 332.42
    doc = valid(issue(paid(RETAILER, consumer("nl"), demo.PRODUCTS), RETAILER))
    assert figures(doc) == (D("286.39"), D("46.03"), D("332.42"))
    assert {(b.category, b.rate): b.tax_amount for b in doc.vat_breakdown} == {
        ("S", D("21")): D("37.57"),
        ("S", D("12")): D("4.44"),
        ("S", D("6")): D("4.02"),
        ("Z", D("0")): D("0.00"),
    }


def test_explicit_rates_and_unknown_keys() -> None:
    # 3 x 12.00 at an explicit 12 %: 4.32 VAT.
    doc = issue(paid(RETAILER, consumer(), [line(None, vat_rate="12")]), RETAILER)
    assert figures(doc) == (D("36.00"), D("4.32"), D("40.32"))
    refused(paid(RETAILER, consumer(), [line("intermediate")], amount="40.00"), RETAILER, "tax_category_unknown")
    refused(paid(RETAILER, consumer(), [line(None, vat_rate="10")], amount="39.60"), RETAILER, "vat_rate_invalid")
    refused(paid(RETAILER, consumer(), [line("reduced", vat_rate="12")], amount="38.16"), RETAILER, "vat_rate_mismatch")
    # Before 2016 the renovation age was five years: no table, refused rather than checked wrongly.
    refused(paid(RETAILER, consumer(), [line()], delivery="2015-06-01", amount="43.56"), RETAILER, "date_unsupported")


# --- 6 % renovation ----------------------------------------------------------------------------


def test_renovation_at_six_percent_prints_the_statement() -> None:
    # 1152.00 + 390.00 + 890.00 = 2432.00; x 0.06 = 145.92; 2577.92
    doc = valid(issue(paid(INSTALLER, consumer(), renovation_lines(), works=works_facts()), INSTALLER))
    assert figures(doc) == (D("2432.00"), D("145.92"), D("2577.92"))
    assert [(b.category, b.rate) for b in doc.vat_breakdown] == [("S", D("6"))]
    text = pdf_text(doc)
    for words in (
        "Taux de TVA : En l'absence de contestation par écrit",
        "au moins dix ans",
        "le taux normal de TVA de 21 p.c.",
        "consommateur final",
    ):
        assert words in text
    assert any("first occupied in 1987" in t for t in doc.trace)


def test_renovation_statement_in_dutch_for_a_dutch_reader() -> None:
    doc = valid(issue(paid(INSTALLER, consumer("nl"), renovation_lines(), works=works_facts()), INSTALLER))
    assert "Btw-tarief: Bij gebrek aan schriftelijke betwisting" in mention_text(doc)
    assert "ten minste tien jaar" in pdf_text(doc)
    assert doc.language == "nl"
    assert doc.mention_language is None


def test_renovation_without_a_german_statement_is_refused_for_a_german_reader() -> None:
    ev = paid(INSTALLER, consumer("de"), renovation_lines(), works=works_facts(), amount="2577.92")
    refused(ev, INSTALLER, "mention_text_missing")


@pytest.mark.parametrize("fact", ["dwelling", "private_use", "first_occupied_year", "installed_by_seller"])
def test_renovation_fact_missing(fact: str) -> None:
    facts = works_facts()
    del facts[fact]
    e = refused(
        paid(INSTALLER, consumer(), renovation_lines(), works=facts, amount="2577.92"),
        INSTALLER,
        "works_rate_condition_missing",
    )
    assert f"works.{fact}" in e.reason
    assert "BE home_renovation" in e.reason


def test_renovation_without_works_facts_or_works_part_is_missing() -> None:
    e = refused(
        paid(INSTALLER, consumer(), renovation_lines(), amount="2577.92"), INSTALLER, "works_rate_condition_missing"
    )
    assert "works.dwelling" in e.reason
    lines = renovation_lines()
    del lines[1]["works_part"]  # tiles as bare goods: supplied, but installed?
    e = refused(
        paid(INSTALLER, consumer(), lines, works=works_facts(), amount="2577.92"),
        INSTALLER,
        "works_rate_condition_missing",
    )
    assert "works_part of line BE-CARRELAGE" in e.reason


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"dwelling": False}, "works.dwelling is false"),
        ({"private_use": "other"}, "private dwelling"),
        # Invoice of 2026-11-20: first occupation in 2016 at the latest (2026 - 10); 2017 is too recent.
        ({"first_occupied_year": 2017}, "at the latest 2016"),
        ({"installed_by_seller": False}, "without installation"),
    ],
)
def test_renovation_fact_unmet(changes: dict[str, Any], words: str) -> None:
    ev = paid(INSTALLER, consumer(), renovation_lines(), works=works_facts(**changes), amount="2577.92")
    e = refused(ev, INSTALLER, "works_rate_condition_unmet")
    assert words in e.reason


def test_renovation_age_boundary_is_ten_calendar_years() -> None:
    # 2016 is ten calendar years before 2026: allowed.
    doc = issue(paid(INSTALLER, consumer(), renovation_lines(), works=works_facts(first_occupied_year=2016)), INSTALLER)
    assert doc.totals.tax_total == D("145.92")


def test_fossil_heating_and_business_buyers_are_not_at_six_percent() -> None:
    boiler = line(
        "home_renovation",
        qty="1",
        price="2400.00",
        sku="BE-CHAUDIERE",
        works_part="fossil_heating",
        description="Chaudière à condensation au gaz, installée",
    )
    ev = paid(INSTALLER, consumer(), [*renovation_lines(), boiler], works=works_facts(), amount="5121.92")
    assert "fossil-fuel heating" in refused(ev, INSTALLER, "works_rate_condition_unmet").reason
    ev = paid(INSTALLER, company(), renovation_lines(), works=works_facts(), amount="2577.92")
    assert "final consumer" in refused(ev, INSTALLER, "works_rate_condition_unmet").reason


# --- cocontractant reverse charge --------------------------------------------------------------


def test_works_for_a_periodic_filer_are_reverse_charged() -> None:
    # 2432.00 net, no VAT: category AE, the buyer accounts for 21 % itself.
    lines = renovation_lines("standard")
    doc = valid(issue(paid(INSTALLER, company(True), lines, works=works_facts()), INSTALLER))
    assert figures(doc) == (D("2432.00"), D("0.00"), D("2432.00"))
    [b] = doc.vat_breakdown
    assert (b.category, b.rate, b.exemption_code) == ("AE", D("0"), "VATEX-EU-AE")
    assert b.exemption_reason is not None
    assert b.exemption_reason.startswith("Autoliquidation : En l'absence")
    text = pdf_text(doc)
    assert "dépôt de déclarations périodiques" in text
    assert "Art. 20 de l'arrêté royal n° 1" in text
    assert b"VATEX-EU-AE" in build_cii(doc)


def test_reverse_charge_statement_in_dutch() -> None:
    doc = valid(
        issue(paid(INSTALLER, company(True, "nl"), renovation_lines("standard"), works=works_facts()), INSTALLER)
    )
    assert doc.vat_breakdown[0].exemption_reason is not None
    assert doc.vat_breakdown[0].exemption_reason.startswith("Verlegging van heffing. Bij gebrek")


def test_reverse_charge_without_a_german_text_is_refused() -> None:
    ev = paid(INSTALLER, company(True, "de"), renovation_lines("standard"), works=works_facts(), amount="2432.00")
    refused(ev, INSTALLER, "mention_text_missing")


def test_works_for_a_business_that_files_no_returns_bear_vat() -> None:
    # 2432.00 x 0.21 = 510.72 -> 2942.72
    doc = valid(issue(paid(INSTALLER, company(False), renovation_lines("standard"), works=works_facts()), INSTALLER))
    assert figures(doc) == (D("2432.00"), D("510.72"), D("2942.72"))
    assert [b.category for b in doc.vat_breakdown] == ["S"]


def test_reverse_charge_facts_missing() -> None:
    ev = paid(INSTALLER, company(None), renovation_lines("standard"), works=works_facts(), amount="2942.72")
    assert "be_periodic_filer" in refused(ev, INSTALLER, "reverse_charge_condition_missing").reason
    ev = paid(
        INSTALLER, company(True, vat_id=None), renovation_lines("standard"), works=works_facts(), amount="2432.00"
    )
    assert "buyer.vat_id" in refused(ev, INSTALLER, "reverse_charge_condition_missing").reason


def test_goods_for_a_periodic_filer_are_not_reverse_charged() -> None:
    doc = issue(paid(RETAILER, company(True), [line()]), RETAILER)
    assert figures(doc) == (D("36.00"), D("7.56"), D("43.56"))


# --- franchise -----------------------------------------------------------------------------------


def franchise_seller(**changes: Any) -> Seller:
    return seller_from({**demo.SELLERS[0], "vat_regime": "franchise", **changes})


def test_franchise_invoice_has_no_vat_and_the_mention() -> None:
    s = franchise_seller()
    doc = valid(issue(paid(s, consumer(), [line("standard")]), s))
    assert figures(doc) == (D("36.00"), D("0.00"), D("36.00"))
    [b] = doc.vat_breakdown
    assert (b.category, b.exemption_reason) == ("E", "Régime particulier de franchise des petites entreprises")
    doc = issue(paid(s, consumer("nl"), [line("standard")]), s)
    assert "Bijzondere vrijstellingsregeling kleine ondernemingen" in pdf_text(doc)


def test_franchise_excludes_works_and_has_no_german_text() -> None:
    s = franchise_seller()
    ev = paid(s, consumer(), renovation_lines("standard"), works=works_facts(), amount="2432.00")
    assert "56bis" in refused(ev, s, "franchise_excluded_activity").reason
    refused(paid(s, consumer("de"), [line()], amount="36.00"), s, "mention_text_missing")


# --- identity ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"legal_language": None}, "seller_legal_language_missing"),
        ({"vat_id": None}, "needs its VAT number"),
        ({"vat_id": "FR44732829320"}, "is not Belgian"),
        ({"company_id": "0456123792"}, "enterprise number 0456123792 is invalid"),
        ({"company_id": "0732815501"}, "differ"),
        ({"trade_register": None}, "RPM/RPR"),
        ({"trade_register": "Gent"}, "must start with RPM, RPR or RJP"),
    ],
)
def test_identity_problems(changes: dict[str, Any], words: str) -> None:
    s = seller_from({**demo.SELLERS[0], **changes})
    problems = identity.seller_problems(s)
    assert any(words in p for p in problems), problems
    with pytest.raises(ValueError, match="seller be-leie-klus"):
        check_seller(s)
    e = refused(paid(RETAILER, consumer(), [line()], amount="43.56"), s, "seller_identity_invalid")
    assert words in e.reason


def test_a_sole_trader_needs_no_register_and_the_demo_sellers_are_valid() -> None:
    assert identity.seller_problems(seller_from({**demo.SELLERS[0], "legal_form": None, "trade_register": None})) == []
    assert [identity.seller_problems(seller_from(s)) for s in demo.SELLERS] == [[], []]


def test_enterprise_number_printed_with_scheme_0208_and_register() -> None:
    doc = issue(paid(RETAILER, consumer("nl"), [line()]), RETAILER)
    [pid] = doc.seller.ids
    assert (pid.label, pid.value, pid.role, pid.scheme) == ("Ondernemingsnummer", "0456123791", "legal", "0208")
    assert doc.seller.legal_info == "BV · RPR Gent, afdeling Gent"
    xml = build_cii(doc)
    assert b'<ram:ID schemeID="0208">0456123791</ram:ID>' in xml
    assert b"RPR Gent, afdeling Gent" in xml
    text = pdf_text(doc)
    assert "Ondernemingsnummer 0456123791" in text
    assert "BE0456123791" in text
    fr = issue(paid(RETAILER, consumer("fr"), [line()]), RETAILER)
    assert fr.seller.ids[0].label == "N° d'entreprise"


def test_buyer_enterprise_number_labelled_in_the_mention_language() -> None:
    buyer = {**company(None, "nl", vat_id=None), "tax_number": "0812345603"}
    doc = issue(paid(RETAILER, buyer, [line()]), RETAILER)
    assert "Ondernemingsnummer 0812345603" in pdf_text(doc)


# --- languages -----------------------------------------------------------------------------------


def test_labels_follow_the_buyer_and_mentions_the_law() -> None:
    # A Belgian language: labels and mentions in it.
    nl = valid(issue(paid(INSTALLER, consumer("nl"), [line()]), INSTALLER))
    assert "FACTUUR" in pdf_text(nl)
    assert "Factuur uitgereikt door Brico Market SAS" in mention_text(nl)
    de = valid(issue(paid(RETAILER, consumer("de"), [line()]), RETAILER))
    assert "RECHNUNG" in pdf_text(de)
    assert "im Namen und für Rechnung von Klushuis Leie BV" in mention_text(de)
    # English buyer: English labels, the mentions in the seller's legal language (nl for Ghent, fr for Namur).
    en = valid(issue(paid(RETAILER, consumer("en"), [line()]), RETAILER))
    assert (en.language, en.mention_language) == ("en", "nl")
    assert "INVOICE" in pdf_text(en)
    assert "Factuur betaald op 18/11/2026 met" in mention_text(en)
    en = issue(paid(INSTALLER, consumer("en"), [line()]), INSTALLER)
    assert en.mention_language == "fr"
    assert "Facture acquittée le 18/11/2026" in mention_text(en)


# --- legal channel -------------------------------------------------------------------------------


def test_b2b_between_belgian_taxable_persons_goes_through_peppol() -> None:
    doc = valid(issue(paid(RETAILER, company(True, "fr"), [line()]), RETAILER))
    assert doc.legal_channel == "Peppol"
    assert "Copie pour information" in pdf_text(doc)
    assert "Peppol" in pdf_text(doc)
    assert issue(paid(RETAILER, consumer(), [line()]), RETAILER).legal_channel is None
    no_vat = issue(paid(RETAILER, company(None, vat_id=None), [line()]), RETAILER)
    assert no_vat.legal_channel is None


# --- credit notes --------------------------------------------------------------------------------


def test_full_credit_note_names_its_invoice() -> None:
    inv = issue(paid(RETAILER, consumer("fr"), [line("standard"), line("reduced", sku="SKU-2")]), RETAILER)
    # 36.00 + 7.56 and 36.00 + 2.16: 72.00 net, 9.72 VAT, 81.72
    assert figures(inv) == (D("72.00"), D("9.72"), D("81.72"))
    note = valid(credit(inv, refund(inv, "81.72"), RETAILER))
    assert figures(note) == (D("72.00"), D("9.72"), D("81.72"))
    assert note.corrects is not None
    assert note.corrects.number == inv.number
    text = mention_text(note)
    assert f"Note de crédit se rapportant à la facture n° {inv.number} du 20/11/2026" in text
    assert "TVA à reverser à l'État dans la mesure où elle a été initialement déduite" in text
    assert "Note de crédit remboursée le 19/11/2026" in text


def test_partial_credit_note_in_dutch() -> None:
    inv = issue(paid(RETAILER, consumer("nl"), [line("standard")]), RETAILER)
    # one of 3 x 12.00 at 21 %: 12.00 + 2.52 = 14.52
    scope = {"kind": "lines", "lines": [{"sku": "SKU-1", "quantity": "1"}]}
    note = valid(credit(inv, refund(inv, "14.52", scope), RETAILER))
    assert figures(note) == (D("12.00"), D("2.52"), D("14.52"))
    assert f"Creditnota met betrekking tot factuur nr. {inv.number} van 20/11/2026" in mention_text(note)
    assert "CREDITNOTA" in pdf_text(note)


def test_credit_note_of_a_reverse_charged_invoice_keeps_the_statement() -> None:
    inv = issue(paid(INSTALLER, company(True), renovation_lines("standard"), works=works_facts()), INSTALLER)
    note = valid(credit(inv, refund(inv, "2432.00"), INSTALLER))
    assert figures(note) == (D("2432.00"), D("0.00"), D("2432.00"))
    assert note.vat_breakdown[0].category == "AE"
    assert "Autoliquidation" in mention_text(note)


def test_renovation_credit_note_keeps_the_statement() -> None:
    inv = issue(paid(INSTALLER, consumer(), renovation_lines(), works=works_facts()), INSTALLER)
    # the shower: 890.00 x 0.06 = 53.40 -> 943.40
    scope = {"kind": "lines", "lines": [{"sku": "BE-DOUCHE", "quantity": "1"}]}
    note = valid(credit(inv, refund(inv, "943.40", scope), INSTALLER))
    assert figures(note) == (D("890.00"), D("53.40"), D("943.40"))
    assert "Taux de TVA : En l'absence de contestation" in mention_text(note)


# --- demo data and the pack's own examples ---------------------------------------------------------


@pytest.mark.parametrize("buyer", demo.CONSUMERS + demo.BUSINESSES, ids=lambda b: b["name"])
def test_demo_products_issue_cleanly(buyer: dict[str, Any]) -> None:
    for n, product in enumerate(demo.PRODUCTS):
        valid(issue(paid(RETAILER, buyer, [product], ref=f"P{n}"), RETAILER))
    valid(issue(paid(RETAILER, buyer, demo.PRODUCTS), RETAILER))


def test_demo_works_issue_cleanly() -> None:
    for lines, facts in demo.WORKS:
        for buyer in demo.CONSUMERS:
            if buyer["language"] != "de":  # no German statement yet (BE-1)
                valid(issue(paid(INSTALLER, buyer, lines, works=facts), INSTALLER))
        for buyer in demo.BUSINESSES:
            standard = [{**ln, "tax_category": "standard"} for ln in lines]
            doc = valid(issue(paid(INSTALLER, buyer, standard, works=facts), INSTALLER))
            expected = "AE" if buyer["facts"]["be_periodic_filer"] else "S"
            assert {b.category for b in doc.vat_breakdown} == {expected}


@pytest.mark.parametrize("module", [identity, mentions, rates])
def test_pack_examples(module: Any) -> None:
    result = doctest.testmod(module)
    assert result.attempted > 0
    assert result.failed == 0


def test_pack_is_found_for_belgian_sellers() -> None:
    from mandat.countries.registry import jurisdiction

    assert jurisdiction("BE") is be_pack.JURISDICTION
    assert "BE" in __import__("mandat.countries.registry", fromlist=["known"]).known()


def test_an_order_in_pounds_states_the_vat_in_euros_at_the_ecb_rate() -> None:
    # ECB 19/11/2026: 1 EUR = 0.80 GBP, so 1 GBP = 1 / 0.80 = 1.25 EUR (Directive art. 91(2), 230).
    # 3 x 12.00 GBP at 21 %: VAT 7.56 GBP -> 7.56 x 1.25 = 9.45 EUR (BT-111).
    rates_ = fixed_rates(Rate("ECB", "EUR", "GBP", D("0.80"), date(2026, 11, 19)))
    doc = valid(issue(paid(RETAILER, consumer("fr"), [line()], currency="GBP"), RETAILER, rates_))
    assert (doc.currency, figures(doc)) == ("GBP", (D("36.00"), D("7.56"), D("43.56")))
    assert doc.exchange is not None
    assert (doc.exchange.tax_currency, doc.exchange.rate, doc.exchange.tax_total) == ("EUR", D("1.25"), D("9.45"))


def test_renovation_of_a_property_abroad_is_decided_where_the_property_is() -> None:
    # A dwelling in Lille: supplied in France (Directive art. 47, 36), before any Belgian 6 % is looked at;
    # a consumer there does not reverse-charge, so the seller would have to register in France: refused.
    lille = {"line1": "1 rue X", "postcode": "59000", "city": "Lille", "country": "FR"}
    ev = paid(INSTALLER, consumer(), renovation_lines(), works=works_facts(property_address=lille), amount="2577.92")
    e = refused(ev, INSTALLER, "unsupported_case")
    assert "must be registered for VAT in FR" in e.reason
    assert "art. 47" in e.reason
