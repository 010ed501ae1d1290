"""The marketplace as deemed supplier: the sales it makes in its own name (issue 14).

The law, by hand:

* EU, Directive 2006/112/EC art. 14a(2): goods of a seller **not established in the EU**, already in the EU
  (a warehouse), sold through the marketplace to a consumer in the EU: the marketplace is deemed to have
  bought and supplied them itself; the seller's supply to it is exempt (art. 136a). Taxed where the goods
  arrive (art. 33(a) / domestic), at that state's rate, declared through the marketplace's Union OSS;
* EU, art. 14a(1): goods imported from a third country in a consignment of an intrinsic value **up to EUR
  150**: the marketplace supplies them, destination VAT (art. 33(c)), declared through its IOSS. Above EUR
  150 the sale is the seller's own (import VAT at the border): a UK seller's zero-rated export (VATA 1994
  s.30(6), category G), a Chinese seller's refused (no rules for CN);
* invoices under the OSS/IOSS follow the rules of the marketplace's member state of identification, France
  (art. 219a(2)(b)); the marketplace's identity (FR44732829320), its own series MP-/MPA-, no mandate mention;
* UK, VATA 1994 s.5A: goods in the UK sold by a seller established outside the UK, or imported in a
  consignment **up to GBP 135**, to a UK consumer: the marketplace is the supplier, UK VAT at 20 %, its UK
  VAT number (GB980780684), its UK series UK-/UKA-. Above GBP 135 the seller exports (an EU seller: Directive
  art. 146, category G).

Rates (2026): FR 20 %, DE 19 %, IT 22 %, PL 23 %, UK 20 %. Prices net: VAT = net x rate, half-up to the cent.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from mandat.demo.markets import de, gb, it, pl
from mandat.domain.documents import Document
from mandat.domain.drafts import Draft
from tests import markets
from tests.factories import seller
from tests.markets import NOW, credit, drafted, paid, pdf_text, refund, refused, schematron_errors, seller_from

D = Decimal
ZERO = D("0.00")

CN_SELLER = seller_from(
    {
        "id": "cn-shenzhen-tools",
        "code": "CNSZT",
        "legal_name": "Shenzhen Bright Tools Co., Ltd.",
        "address": {"line1": "88 Keji Road", "postcode": "518057", "city": "Shenzhen", "country": "CN"},
    }
)
US_SELLER = seller_from(
    {
        "id": "us-lakeside-supply",
        "code": "USLAKE",
        "legal_name": "Lakeside Supply LLC",
        "address": {"line1": "200 Lake Street", "postcode": "60601", "city": "Chicago", "country": "US"},
    }
)
GB_SELLER = seller_from(gb.SELLERS[0])  # Thameside Hardware Ltd, GB234567805
FR_SELLER = seller("atelier-bois")  # Atelier Bois & Jardin SARL, FR46401234562
PL_CONSUMER = pl.CONSUMERS[0]  # Anna Kowalska, Łódź
DE_CONSUMER = de.CONSUMERS[0]  # Lena Hoffmann, Köln
IT_CONSUMER = it.CONSUMERS[0]  # Mario Rossi, Milano
UK_CONSUMER = gb.CONSUMERS[0]  # Eleanor Whitfield, Manchester
FR_CONSUMER: dict[str, Any] = {
    "kind": "consumer",
    "name": "Camille Lefèvre",
    "address": {"line1": "8 rue de l'Église", "postcode": "35000", "city": "Rennes", "country": "FR"},
}
MARKETPLACE_EU_VAT = "FR44732829320"
MARKETPLACE_UK_VAT = "GB980780684"


def item(qty: str, price: str, sku: str = "CN-1", **more: Any) -> dict[str, Any]:
    ln = {"sku": sku, "description": "Cordless drill", "quantity": qty, "unit_price": price}
    return {**ln, "tax_category": "standard", **more}


def in_warehouse(country: str) -> dict[str, Any]:
    return {"dispatched_from": country}


def consignment(value: str, currency: str) -> dict[str, Any]:
    return {"consignment": {"value": value, "currency": currency}}


def sold(
    s: Any, buyer: dict[str, Any], lines: list[dict[str, Any]], dispatch: dict[str, Any], currency: str, **kw: Any
) -> tuple[Draft, Document]:
    event = paid(s, buyer, lines, currency=currency, dispatch=dispatch, **kw)
    d = drafted(event, s)
    doc = d.finalize(1, NOW, "0" * 64)
    assert schematron_errors(doc) == []
    return d, doc


def figures(doc: Document) -> tuple[Decimal, Decimal, Decimal]:
    t = doc.totals
    return t.tax_exclusive, t.tax_total, t.tax_inclusive


def rates(doc: Document) -> list[tuple[str, Decimal | None, Decimal]]:
    return [(b.category, b.rate, b.tax_amount) for b in doc.vat_breakdown]


def where(doc: Document) -> tuple[str, str | None, str | None]:
    return doc.country, doc.taxed_in, doc.scheme


def codes(doc: Document) -> list[str]:
    return [m.code for m in doc.mentions]


def deemed_text(doc: Document) -> str:
    texts = [m.text for m in doc.mentions if m.code == "deemed_supplier"]
    assert len(texts) == 1, texts
    return texts[0]


def full_credit(doc: Document, s: Any) -> Document:
    note = credit(doc, refund(doc, doc.totals.tax_inclusive), s)
    assert schematron_errors(note) == []
    return note


def assert_marketplace_eu(d: Draft, doc: Document) -> None:
    assert d.series_owner == "@bricomarket"
    assert d.series == "MP"
    assert doc.number == "MP-00000001"
    assert doc.seller.name == "Brico Market SAS"
    assert doc.seller.vat_id == MARKETPLACE_EU_VAT
    assert "mandate" not in codes(doc)


# --- EU goods already in the EU (art. 14a(2)): the marketplace, Union OSS ----------------------------------


def test_chinese_goods_in_a_german_warehouse_for_a_polish_consumer() -> None:
    # Taxed in Poland at 23 %: 2 x 50.00 = 100.00, VAT 23.00, total 123.00; French rules, the marketplace's OSS.
    d, doc = sold(CN_SELLER, PL_CONSUMER, [item("2", "50.00")], in_warehouse("DE"), "EUR")
    assert figures(doc) == (D("100.00"), D("23.00"), D("123.00"))
    assert rates(doc) == [("S", D("23"), D("23.00"))]
    assert where(doc) == ("FR", "PL", "oss")
    assert_marketplace_eu(d, doc)
    assert doc.deemed_supply is not None
    assert (doc.deemed_supply.seller_id, doc.deemed_supply.case, doc.deemed_supply.value) == (
        "cn-shenzhen-tools",
        "eu_goods_in_eu",
        D("100.00"),
    )
    text = deemed_text(doc)
    assert "Shenzhen Bright Tools Co., Ltd." in text
    assert "art. 14 bis, paragraphe 2" in text
    assert d.tally is None  # the marketplace's sale is not the seller's distance sale


def test_chinese_goods_in_germany_for_a_german_consumer_are_the_marketplaces_too() -> None:
    # Art. 14a(2) covers a domestic dispatch as well: German VAT 19 %, 3 x 20.00 = 60.00, VAT 11.40 -> 71.40.
    d, doc = sold(CN_SELLER, DE_CONSUMER, [item("3", "20.00")], in_warehouse("DE"), "EUR")
    assert figures(doc) == (D("60.00"), D("11.40"), D("71.40"))
    assert where(doc) == ("FR", "DE", "oss")
    assert_marketplace_eu(d, doc)


def test_uk_goods_in_a_german_warehouse_for_an_italian_consumer() -> None:
    # A UK seller is not established in the EU: Italian VAT 22 %, 1 x 250.00 = 250.00, VAT 55.00 -> 305.00.
    d, doc = sold(GB_SELLER, IT_CONSUMER, [item("1", "250.00")], in_warehouse("DE"), "EUR")
    assert figures(doc) == (D("250.00"), D("55.00"), D("305.00"))
    assert rates(doc) == [("S", D("22"), D("55.00"))]
    assert where(doc) == ("FR", "IT", "oss")
    assert_marketplace_eu(d, doc)
    assert "Thameside Hardware Ltd" in deemed_text(doc)


def test_american_goods_in_france_for_a_french_consumer() -> None:
    # French VAT 20 %: 4 x 12.50 = 50.00, VAT 10.00 -> 60.00.
    d, doc = sold(US_SELLER, FR_CONSUMER, [item("4", "12.50")], in_warehouse("FR"), "EUR")
    assert figures(doc) == (D("50.00"), D("10.00"), D("60.00"))
    assert doc.country == "FR"
    assert doc.taxed_in == "FR"
    assert_marketplace_eu(d, doc)


def test_american_goods_in_france_for_a_french_consumer_are_not_declared_through_the_oss() -> None:
    _, doc = sold(US_SELLER, FR_CONSUMER, [item("4", "12.50")], in_warehouse("FR"), "EUR")
    assert doc.scheme is None  # its French VAT return, not the OSS


def test_shipping_of_a_deemed_supply_is_taxed_at_the_destination_rate() -> None:
    # Poland: 100.00 + shipping 10.00 = 110.00 at 23 % = 25.30 -> 135.30.
    event_lines = [item("2", "50.00")]
    _, doc = sold(CN_SELLER, PL_CONSUMER, event_lines, in_warehouse("DE"), "EUR", shipping={"amount": "10.00"})
    assert figures(doc) == (D("110.00"), D("25.30"), D("135.30"))
    assert rates(doc) == [("S", D("23"), D("25.30"))]


def test_a_deemed_supply_at_a_reduced_destination_rate() -> None:
    # A book for Germany (reduced 7 %): 2 x 15.00 = 30.00, VAT 2.10 -> 32.10.
    lines = [item("2", "15.00", destination_tax_category="reduced")]
    _, doc = sold(CN_SELLER, DE_CONSUMER, lines, in_warehouse("DE"), "EUR")
    assert figures(doc) == (D("30.00"), D("2.10"), D("32.10"))
    assert rates(doc) == [("S", D("7"), D("2.10"))]


def test_the_marketplace_invoice_names_the_seller_in_its_pdf() -> None:
    _, doc = sold(CN_SELLER, PL_CONSUMER, [item("2", "50.00")], in_warehouse("DE"), "EUR")
    text = pdf_text(doc)
    assert "MP-00000001" in text
    assert "Brico Market SAS" in text
    assert "Shenzhen Bright Tools" in text


def test_services_with_deemed_goods_are_refused() -> None:
    lines = [item("1", "50.00"), item("1", "30.00", sku="CN-2", nature="service")]
    e = refused(
        paid(CN_SELLER, PL_CONSUMER, lines, currency="EUR", dispatch=in_warehouse("DE"), amount="98.40"),
        CN_SELLER,
        "unsupported_case",
    )
    assert "split the order" in e.reason


def test_a_business_buyer_is_never_a_deemed_supply() -> None:
    # Art. 14a covers supplies to non-taxable persons only: a UK seller's goods to a French business are its
    # own zero-rated export (VATA 1994 s.30(6)): 2 x 50.00 = 100.00 GBP, G, in the seller's series.
    company = {
        "kind": "business",
        "name": "Menuiserie Girard SARL",
        "address": {"line1": "14 avenue de la Gare", "postcode": "69003", "city": "Lyon", "country": "FR"},
        "vat_id": "FR64443061841",
        "siren": "443061841",
    }
    d, doc = sold(GB_SELLER, company, [item("2", "50.00")], {}, "GBP")
    assert figures(doc) == (D("100.00"), ZERO, D("100.00"))
    assert [b.category for b in doc.vat_breakdown] == ["G"]
    assert d.series_owner == ""
    assert doc.deemed_supply is None


# --- EU imports (art. 14a(1)): up to EUR 150 the marketplace via IOSS, above it the seller ------------------


def test_a_chinese_consignment_of_eur_120_to_germany_is_the_marketplaces_ioss_sale() -> None:
    # German VAT 19 %: 4 x 30.00 = 120.00, VAT 22.80 -> 142.80.
    d, doc = sold(CN_SELLER, DE_CONSUMER, [item("4", "30.00")], consignment("120.00", "EUR"), "EUR")
    assert figures(doc) == (D("120.00"), D("22.80"), D("142.80"))
    assert rates(doc) == [("S", D("19"), D("22.80"))]
    assert where(doc) == ("FR", "DE", "ioss")
    assert_marketplace_eu(d, doc)
    assert doc.deemed_supply is not None
    assert doc.deemed_supply.case == "eu_import"
    assert "art. 14 bis, paragraphe 1" in deemed_text(doc)


def test_a_consignment_of_exactly_eur_150_is_still_the_marketplaces() -> None:
    # "not exceeding EUR 150": Polish VAT 23 %, 150.00 x 23 % = 34.50 -> 184.50.
    d, doc = sold(CN_SELLER, PL_CONSUMER, [item("1", "150.00")], consignment("150.00", "EUR"), "EUR")
    assert figures(doc) == (D("150.00"), D("34.50"), D("184.50"))
    assert where(doc) == ("FR", "PL", "ioss")
    assert d.series == "MP"


def test_a_chinese_consignment_above_eur_150_is_the_sellers_and_refused() -> None:
    # EUR 150.01: the seller's own sale, under the rules of its country, which mandat has none of.
    event = paid(
        CN_SELLER,
        DE_CONSUMER,
        [item("1", "150.01")],
        currency="EUR",
        dispatch=consignment("150.01", "EUR"),
        amount="150.01",
    )
    refused(event, CN_SELLER, "unsupported_country")


def test_a_uk_consignment_above_eur_150_is_the_sellers_zero_rated_export() -> None:
    # Thameside Hardware's own export (VATA 1994 s.30(6)): 1 x 180.00 GBP, no VAT, category G, its series.
    d, doc = sold(GB_SELLER, FR_CONSUMER, [item("1", "180.00")], consignment("205.00", "EUR"), "GBP")
    assert figures(doc) == (D("180.00"), ZERO, D("180.00"))
    assert [(b.category, b.exemption_code) for b in doc.vat_breakdown] == [("G", "VATEX-EU-G")]
    assert where(doc) == ("GB", None, None)
    assert d.series_owner == ""
    assert doc.seller.vat_id == "GB234567805"
    assert "mandate" in codes(doc)
    note = full_credit(doc, GB_SELLER)
    assert [b.category for b in note.vat_breakdown] == ["G"]


def test_an_import_without_the_consignment_value_is_refused() -> None:
    e = refused(
        paid(CN_SELLER, DE_CONSUMER, [item("1", "40.00")], currency="EUR", amount="47.60"),
        CN_SELLER,
        "consignment_value_missing",
    )
    assert "EUR 150" in e.reason


def test_an_eu_import_valued_in_pounds_is_refused() -> None:
    event = paid(
        CN_SELLER,
        DE_CONSUMER,
        [item("1", "40.00")],
        currency="EUR",
        dispatch=consignment("35.00", "GBP"),
        amount="47.60",
    )
    e = refused(event, CN_SELLER, "consignment_currency")
    assert "GBP" in e.reason


def test_an_import_without_the_marketplaces_ioss_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    event = paid(CN_SELLER, DE_CONSUMER, [item("1", "40.00")], currency="EUR", dispatch=consignment("40.00", "EUR"))
    monkeypatch.setattr(markets, "MARKETPLACE", markets.MARKETPLACE.model_copy(update={"ioss_id": None}))
    refused(event, CN_SELLER, "ioss_registration_missing")


# --- UK (VATA 1994 s.5A): the marketplace's UK sale ---------------------------------------------------------


def assert_marketplace_uk(d: Draft, doc: Document) -> None:
    assert d.series_owner == "@bricomarket"
    assert d.series == "UK"
    assert doc.number == "UK-00000001"
    assert doc.seller.vat_id == MARKETPLACE_UK_VAT
    assert where(doc) == ("GB", "GB", "uk_omp")
    assert "mandate" not in codes(doc)


def test_a_french_sellers_goods_in_the_uk_are_the_marketplaces_uk_sale() -> None:
    # A seller established outside the UK (s.5A(1)(b)): UK VAT 20 %, 3 x 40.00 = 120.00 GBP, VAT 24.00 -> 144.00.
    d, doc = sold(FR_SELLER, UK_CONSUMER, [item("3", "40.00")], in_warehouse("GB"), "GBP")
    assert figures(doc) == (D("120.00"), D("24.00"), D("144.00"))
    assert rates(doc) == [("S", D("20"), D("24.00"))]
    assert_marketplace_uk(d, doc)
    assert doc.deemed_supply is not None
    assert (doc.deemed_supply.seller_id, doc.deemed_supply.case) == ("atelier-bois", "uk_goods_in_uk")
    assert "VATA 1994 s.5A" in deemed_text(doc)
    assert "Atelier Bois & Jardin SARL" in deemed_text(doc)


def test_a_chinese_consignment_of_gbp_100_to_the_uk() -> None:
    # Imported, GBP 100.00 <= 135 (s.5A(1)(a)): 2 x 50.00 = 100.00 GBP at 20 % = 20.00 -> 120.00.
    d, doc = sold(CN_SELLER, UK_CONSUMER, [item("2", "50.00")], consignment("100.00", "GBP"), "GBP")
    assert figures(doc) == (D("100.00"), D("20.00"), D("120.00"))
    assert_marketplace_uk(d, doc)
    assert doc.deemed_supply is not None
    assert doc.deemed_supply.case == "uk_import"


def test_a_french_consignment_of_exactly_gbp_135_is_the_marketplaces() -> None:
    # "not exceeding GBP 135": 1 x 135.00 GBP at 20 % = 27.00 -> 162.00, the marketplace's UK series.
    d, doc = sold(FR_SELLER, UK_CONSUMER, [item("1", "135.00")], consignment("135.00", "GBP"), "GBP")
    assert figures(doc) == (D("135.00"), D("27.00"), D("162.00"))
    assert_marketplace_uk(d, doc)


def test_a_french_consignment_above_gbp_135_is_the_sellers_export() -> None:
    # GBP 135.01: the seller's own export (CGI 262 I, Directive art. 146): 1 x 160.00 EUR, G, no VAT.
    d, doc = sold(FR_SELLER, UK_CONSUMER, [item("1", "160.00")], consignment("139.00", "GBP"), "EUR")
    assert figures(doc) == (D("160.00"), ZERO, D("160.00"))
    assert [(b.category, b.exemption_code) for b in doc.vat_breakdown] == [("G", "VATEX-EU-G")]
    assert where(doc) == ("FR", None, None)
    assert d.series == "F"
    assert doc.seller.vat_id == "FR46401234562"


def test_a_uk_import_without_a_value_or_in_euros_is_refused() -> None:
    lines = [item("1", "100.00")]
    refused(
        paid(FR_SELLER, UK_CONSUMER, lines, currency="GBP", amount="120.00"), FR_SELLER, "consignment_value_missing"
    )
    event = paid(FR_SELLER, UK_CONSUMER, lines, currency="GBP", dispatch=consignment("100.00", "EUR"), amount="120.00")
    refused(event, FR_SELLER, "consignment_currency")


def test_a_uk_sellers_goods_in_the_uk_are_its_own_domestic_sale() -> None:
    # Established in the UK: s.5A(1)(b) does not apply; Thameside's own 20 %: 100.00 GBP, VAT 20.00 -> 120.00.
    d, doc = sold(GB_SELLER, UK_CONSUMER, [item("1", "100.00")], in_warehouse("GB"), "GBP")
    assert figures(doc) == (D("100.00"), D("20.00"), D("120.00"))
    assert doc.seller.vat_id == "GB234567805"
    assert d.series_owner == ""
    assert doc.deemed_supply is None


# --- credit notes: the marketplace's credit series, the same treatment -------------------------------------


@pytest.mark.parametrize(
    ("s", "buyer", "dispatch", "currency", "expected", "where_", "number"),
    [
        (
            CN_SELLER,
            PL_CONSUMER,
            in_warehouse("DE"),
            "EUR",
            ("100.00", "23.00", "123.00"),
            ("FR", "PL", "oss"),
            "MPA-00000001",
        ),
        (
            CN_SELLER,
            DE_CONSUMER,
            consignment("100.00", "EUR"),
            "EUR",
            ("100.00", "19.00", "119.00"),
            ("FR", "DE", "ioss"),
            "MPA-00000001",
        ),
        (
            FR_SELLER,
            UK_CONSUMER,
            in_warehouse("GB"),
            "GBP",
            ("100.00", "20.00", "120.00"),
            ("GB", "GB", "uk_omp"),
            "UKA-00000001",
        ),
        (
            CN_SELLER,
            UK_CONSUMER,
            consignment("100.00", "GBP"),
            "GBP",
            ("100.00", "20.00", "120.00"),
            ("GB", "GB", "uk_omp"),
            "UKA-00000001",
        ),
    ],
    ids=["eu_goods_in_eu", "eu_import", "uk_goods_in_uk", "uk_import"],
)
def test_a_full_refund_of_a_deemed_supply_is_the_marketplaces_credit_note(
    s: Any,
    buyer: dict[str, Any],
    dispatch: dict[str, Any],
    currency: str,
    expected: tuple[str, str, str],
    where_: tuple[str, str, str],
    number: str,
) -> None:
    # 2 x 50.00 = 100.00 at the destination's rate; the credit note repeats it.
    _, doc = sold(s, buyer, [item("2", "50.00")], dispatch, currency)
    assert figures(doc) == tuple(D(x) for x in expected)
    note = full_credit(doc, s)
    assert figures(note) == tuple(D(x) for x in expected)
    assert rates(note) == rates(doc)
    assert where(note) == where_
    assert note.number == number
    assert note.seller.vat_id == doc.seller.vat_id
    assert note.series_owner == "@bricomarket"
