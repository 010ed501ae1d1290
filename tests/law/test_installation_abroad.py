"""Installation and works on a property in another member state (issue 14, section 1 "Installation").

The law, by hand:

* a service connected with immovable property is supplied where the property is (Directive 2006/112/EC
  art. 47); goods supplied and installed are supplied where installed (art. 36): neither in the seller's
  country;
* where the property's state makes the customer liable for supplies by non-established suppliers
  (art. 194: FR CGI 283-1, DE UStG §13b(2) Nr. 1 and (5), AT UStG 1994 §19(1), BE Code TVA art. 51 §2 5°,
  ES LIVA art. 84.Uno.2º.a), IT DPR 633/72 art. 17 c.2, PL art. 17 ust. 1 pkt 4 for services), the seller
  invoices under its own rules (art. 219a(1)) without VAT: category AE, VATEX-EU-AE, both VAT ids, a
  mention naming that state's article. The buyer must be identified in the property's state;
* otherwise (consumer, no local reverse charge, a row not confirmed) the seller must register there:
  refused, the seller registry has no foreign registration yet.

No VAT is due in any issued case: every total is the net amount, quantity x unit price.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from mandat.countries.registry import jurisdiction
from mandat.demo.markets import be, de, es, gb, it, pl, pt
from mandat.domain.documents import Document
from mandat.domain.parties import Seller
from mandat.rules.installation import LOCAL_REVERSE_CHARGE
from tests.factories import seller
from tests.markets import TODAY, credit, issue, paid, refund, refused, schematron_errors, seller_from

D = Decimal
ZERO = D("0.00")

FR_INSTALLER = seller("thermoconfort")  # Lyon, FR75512345679, works insurance on record
BE_SELLER = seller_from(be.SELLERS[0])
DE_SELLER = seller_from(de.SELLERS[0])
IT_SELLER = seller_from(it.SELLERS[0])
GB_SELLER = seller_from(gb.SELLERS[0])

MUNICH = {"line1": "Leopoldstraße 20", "postcode": "80802", "city": "München", "country": "DE"}
DE_COMPANY: dict[str, Any] = {
    "kind": "business",
    "name": "Baumarkt Schneider GmbH",
    "address": {"line1": "Friedrichstraße 120", "postcode": "10115", "city": "Berlin", "country": "DE"},
    "vat_id": "DE136695976",
}
DE_CONSUMER: dict[str, Any] = {
    "kind": "consumer",
    "name": "Jonas Becker",
    "address": {"line1": "Leopoldstraße 20", "postcode": "80802", "city": "München", "country": "DE"},
}
AT_COMPANY: dict[str, Any] = {
    "kind": "business",
    "name": "Alpenbau GmbH",
    "address": {"line1": "Mariahilfer Straße 10", "postcode": "1070", "city": "Wien", "country": "AT"},
    "vat_id": "ATU13585627",
}
ES_COMPANY: dict[str, Any] = {
    "kind": "business",
    "name": "Construcciones Ibéricas S.A.",
    "address": {"line1": "Calle de Alcalá 50", "postcode": "28014", "city": "Madrid", "country": "ES"},
    "vat_id": "ESA28017895",
}
PT_COMPANY: dict[str, Any] = {
    "kind": "business",
    "name": "Obras do Norte Lda",
    "address": {"line1": "Rua de Santa Catarina 10", "postcode": "4000-447", "city": "Porto", "country": "PT"},
    "vat_id": "PT501964843",
}
NL_COMPANY: dict[str, Any] = {
    "kind": "business",
    "name": "Bouwbedrijf Dijkstra BV",
    "address": {"line1": "Damrak 1", "postcode": "1012 LG", "city": "Amsterdam", "country": "NL"},
    "vat_id": "NL004495445B01",
}
PL_COMPANY: dict[str, Any] = {
    "kind": "business",
    "name": "Budimex Serwis Sp. z o.o.",
    "address": {"line1": "ul. Marszałkowska 10", "postcode": "00-590", "city": "Warszawa", "country": "PL"},
    "vat_id": "PL5261040828",
}
FR_COMPANY: dict[str, Any] = {
    "kind": "business",
    "name": "Menuiserie Girard SARL",
    "address": {"line1": "14 avenue de la Gare", "postcode": "69003", "city": "Lyon", "country": "FR"},
    "vat_id": "FR64443061841",
    "siren": "443061841",
}


def pump(price: str = "4000.00", key: str | None = "energy_renovation") -> dict[str, Any]:
    item = {"sku": "PAC-8", "description": "Heat pump 8 kW", "quantity": "1", "unit_price": price}
    return {**item, "tax_category": key} if key else item


def labour(price: str, sku: str = "POSE", **more: Any) -> dict[str, Any]:
    item = {"sku": sku, "description": "Installation", "quantity": "1", "unit_price": price}
    return {**item, "nature": "service", "works_part": "labour", **more}


def valid(doc: Document) -> Document:
    assert schematron_errors(doc) == []
    return doc


def figures(doc: Document) -> tuple[Decimal, Decimal, Decimal]:
    t = doc.totals
    return t.tax_exclusive, t.tax_total, t.tax_inclusive


def breakdown(doc: Document) -> list[tuple[str, Decimal, Decimal, str | None]]:
    return [(b.category, b.taxable_amount, b.tax_amount, b.exemption_code) for b in doc.vat_breakdown]


def exemption_text(doc: Document) -> str:
    texts = [m.text for m in doc.mentions if m.code == "exemption"]
    assert len(texts) == 1, texts
    return texts[0]


def credited(doc: Document, seller: Seller, amount: str) -> Document:
    note = valid(credit(doc, refund(doc, amount), seller))
    assert breakdown(note) == breakdown(doc)
    assert note.totals.tax_total == ZERO
    assert [m.text for m in note.mentions if m.code == "exemption"] == [exemption_text(doc)]
    return note


# --- reverse charged in the property's state (art. 194), invoiced under the seller's rules ------


def test_french_heat_pump_installed_in_germany_for_a_german_business() -> None:
    # Pump 4,000.00 + installation 1,500.00 = 5,500.00; German reverse charge (§13b UStG): no VAT, AE.
    event = paid(FR_INSTALLER, DE_COMPANY, [pump(), labour("1500.00")], works={"property_address": MUNICH})
    doc = valid(issue(event, FR_INSTALLER))
    assert figures(doc) == (D("5500.00"), ZERO, D("5500.00"))
    assert breakdown(doc) == [("AE", D("5500.00"), ZERO, "VATEX-EU-AE")]
    assert {(ln.vat_category, ln.vat_rate) for ln in doc.lines} == {("AE", ZERO)}
    text = exemption_text(doc)
    assert text.startswith("Autoliquidation : TVA due par le preneur (§ 13b Abs. 2 Nr. 1")
    assert "lieu des travaux : Allemagne" in text
    printed = " ".join(m.text for m in doc.mentions)
    assert "FR75512345679" in printed
    assert "DE136695976" in printed
    # The French 5.5 % energy-renovation key is France's: no French attestation on a German site.
    assert "certification_5_5" not in [m.code for m in doc.mentions]
    assert any("energy_renovation" in n and "never applied abroad" in n and "0 % AE" in n for n in doc.trace)
    assert any("property in DE" in n and "art. 219a(1)" in n for n in doc.trace)
    note = credited(doc, FR_INSTALLER, "5500.00")
    assert figures(note) == (D("5500.00"), ZERO, D("5500.00"))


def test_the_property_address_decides_not_the_delivery_address() -> None:
    # Delivered to the buyer's Berlin office, installed in Munich: Germany either way; a French
    # delivery address with a German property is still German works (art. 36: where installed).
    event = paid(FR_INSTALLER, DE_COMPANY, [labour("900.00")], works={"property_address": MUNICH})
    event["delivery"]["address"] = FR_COMPANY["address"]
    doc = valid(issue(event, FR_INSTALLER))
    assert breakdown(doc) == [("AE", D("900.00"), ZERO, "VATEX-EU-AE")]


def test_belgian_renovation_in_austria_needs_no_austrian_pack() -> None:
    # Labour 2 x 1,250.00 = 2,500.00: Austrian reverse charge (UStG 1994 §19(1)), from the table only.
    doc = valid(issue(paid(BE_SELLER, AT_COMPANY, [labour("1250.00") | {"quantity": "2"}]), BE_SELLER))
    assert figures(doc) == (D("2500.00"), ZERO, D("2500.00"))
    assert breakdown(doc) == [("AE", D("2500.00"), ZERO, "VATEX-EU-AE")]
    assert "§ 19 Abs. 1 UStG 1994" in exemption_text(doc)
    credited(doc, BE_SELLER, "2500.00")


def test_german_works_in_spain_for_a_spanish_company() -> None:
    # Materials 1,200.00 (goods installed) + labour 800.00 = 2,000.00; LIVA art. 84.Uno.2º.a): AE.
    materials = {"sku": "MAT", "description": "Fliesen", "quantity": "1", "unit_price": "1200.00"}
    doc = valid(
        issue(paid(DE_SELLER, ES_COMPANY, [materials | {"works_part": "materials"}, labour("800.00")]), DE_SELLER)
    )
    assert figures(doc) == (D("2000.00"), ZERO, D("2000.00"))
    assert breakdown(doc) == [("AE", D("2000.00"), ZERO, "VATEX-EU-AE")]
    text = exemption_text(doc)
    assert text.startswith("Steuerschuldnerschaft des Leistungsempfängers (art. 84.Uno.2º.a) LIVA")
    assert text.endswith("Ort der Arbeiten: Spanien")
    assert doc.operation_category == "M1"
    credited(doc, DE_SELLER, "2000.00")


def test_the_sellers_reduced_works_rate_is_never_charged_abroad() -> None:
    # An explicit French 5.5 % on a German site contradicts the decided 0 % AE: refused, never overridden.
    event = paid(
        FR_INSTALLER,
        DE_COMPANY,
        [pump(key="energy_renovation") | {"vat_rate": "5.5"}],
        works={"property_address": MUNICH},
        amount="4220.00",
    )
    e = refused(event, FR_INSTALLER, "vat_rate_mismatch")
    assert e.reason == "line PAC-8: the event says 5.5%, the rules decide 0.00% (category AE)"


# --- refused: the seller must be registered in the property's state --------------------------


def test_installation_for_a_consumer_abroad_is_refused() -> None:
    e = refused(
        paid(FR_INSTALLER, DE_CONSUMER, [pump(), labour("1500.00")], amount="5500.00"),
        FR_INSTALLER,
        "unsupported_case",
    )
    assert "must be registered for VAT in DE" in e.reason
    assert "art. 47" in e.reason
    assert "art. 36" in e.reason


def test_a_buyer_without_a_vat_id_of_the_property_state_is_refused() -> None:
    # A Spanish company, works in Munich: the German reverse charge needs a customer identified in Germany.
    e = refused(
        paid(FR_INSTALLER, ES_COMPANY, [labour("1500.00")], works={"property_address": MUNICH}, amount="1500.00"),
        FR_INSTALLER,
        "unsupported_case",
    )
    assert "a VAT id of ES" in e.reason
    assert "must be registered for VAT in DE" in e.reason
    no_id = {k: v for k, v in DE_COMPANY.items() if k != "vat_id"}
    e = refused(paid(FR_INSTALLER, no_id, [labour("1500.00")], amount="1500.00"), FR_INSTALLER, "unsupported_case")
    assert "no VAT id" in e.reason


def test_a_row_marked_unsure_is_refused() -> None:
    assert LOCAL_REVERSE_CHARGE["PT"].unsure
    assert LOCAL_REVERSE_CHARGE["NL"].unsure
    for buyer in (PT_COMPANY, NL_COMPANY):
        e = refused(paid(BE_SELLER, buyer, [labour("700.00")], amount="700.00"), BE_SELLER, "unsupported_case")
        assert "UNSURE" in e.reason
        assert f"must be registered for VAT in {buyer['address']['country']}" in e.reason


def test_goods_installed_in_poland_are_refused_services_are_not_confirmed_for_goods() -> None:
    # Polish art. 17 ust. 1 pkt 4 covers services; goods supplied and installed are not confirmed.
    event = paid(FR_INSTALLER, PL_COMPANY, [pump(key=None), labour("1500.00")], amount="5500.00")
    e = refused(event, FR_INSTALLER, "unsupported_case")
    assert "goods supplied and installed" in e.reason
    assert "UNSURE" in e.reason


def test_italy_needs_a_customer_established_there() -> None:
    rome = {"line1": "Via del Corso 1", "postcode": "00186", "city": "Roma", "country": "IT"}
    buyer = {**FR_COMPANY, "vat_id": "IT00743110157"}
    e = refused(
        paid(DE_SELLER, buyer, [labour("600.00")], works={"property_address": rome}, amount="600.00"),
        DE_SELLER,
        "unsupported_case",
    )
    assert "established in IT" in e.reason


def test_a_country_outside_the_table_is_refused() -> None:
    prague = {"line1": "Václavské náměstí 1", "postcode": "110 00", "city": "Praha", "country": "CZ"}
    buyer = {**DE_COMPANY, "address": prague, "vat_id": "CZ25123891"}
    e = refused(paid(DE_SELLER, buyer, [labour("600.00")], amount="600.00"), DE_SELLER, "unsupported_case")
    assert "no reverse charge of CZ" in e.reason


def test_uk_and_third_country_works_stay_refused() -> None:
    london = {"line1": "1 Oxford Street", "postcode": "W1D 1AN", "city": "London", "country": "GB"}
    geneva = {"line1": "Rue du Rhône 1", "postcode": "1204", "city": "Genève", "country": "CH"}
    e = refused(
        paid(FR_INSTALLER, DE_COMPANY, [labour("500.00")], works={"property_address": london}, amount="500.00"),
        FR_INSTALLER,
        "unsupported_case",
    )
    assert "VATA 1994 Sch 4A" in e.reason
    assert "art. 47" in e.reason
    e = refused(
        paid(FR_INSTALLER, DE_COMPANY, [labour("500.00")], works={"property_address": geneva}, amount="500.00"),
        FR_INSTALLER,
        "unsupported_case",
    )
    assert "outside the EU VAT area" in e.reason
    e = refused(
        paid(GB_SELLER, DE_COMPANY, [labour("500.00")], works={"property_address": MUNICH}, amount="500.00"),
        GB_SELLER,
        "unsupported_case",
    )
    assert "UK seller" in e.reason


# --- every EU pack states it, in each of its legal languages ------------------------------------

# (country, language) -> the reverse-charge words of that pack's reverse_charge_services text (kept alike).
WORDS = {
    ("FR", "fr"): "Autoliquidation",
    ("BE", "fr"): "Autoliquidation",
    ("BE", "nl"): "Btw verlegd",
    ("BE", "de"): "Steuerschuldnerschaft des Leistungsempfängers",
    ("DE", "de"): "Steuerschuldnerschaft des Leistungsempfängers",
    ("ES", "es"): "Inversión del sujeto pasivo",
    ("IT", "it"): "Inversione contabile",
    ("PT", "pt"): "autoliquidação",
    ("PL", "pl"): "odwrotne obciążenie",
}


@pytest.mark.parametrize(("country", "language"), sorted(WORDS))
def test_every_eu_pack_words_the_works_reverse_charge(country: str, language: str) -> None:
    pack = jurisdiction(country)
    assert language in pack.legal_languages
    text = pack.mention("reverse_charge_works_abroad", TODAY, language, basis="<ART>", country="<CC>").text
    assert WORDS[(country, language)] in text
    assert "<ART>" in text
    assert text.endswith("<CC>")
    assert "194" in text


@pytest.mark.parametrize("market", [es, it, pt, pl], ids=["ES", "IT", "PT", "PL"])
def test_every_eu_seller_reverse_charges_works_in_germany(market: Any) -> None:
    # Labour 3 x 100.00 = 300.00 in the seller's currency (PLN for Poland), §13b UStG: AE, no VAT.
    s = seller_from(market.SELLERS[0])
    doc = valid(issue(paid(s, DE_COMPANY, [labour("100.00") | {"quantity": "3"}]), s))
    assert figures(doc) == (D("300.00"), ZERO, D("300.00"))
    assert breakdown(doc) == [("AE", D("300.00"), ZERO, "VATEX-EU-AE")]
    assert "§ 13b Abs. 2 Nr. 1" in exemption_text(doc)
    credited(doc, s, "300.00")


@pytest.mark.parametrize(("language", "name"), [("nl", "Oostenrijk"), ("de", "Österreich")])
def test_a_belgian_invoice_names_the_country_in_its_mention_language(language: str, name: str) -> None:
    buyer = {**AT_COMPANY, "language": language}
    doc = valid(issue(paid(BE_SELLER, buyer, [labour("400.00")]), BE_SELLER))
    text = exemption_text(doc)
    assert text.endswith(name), text
