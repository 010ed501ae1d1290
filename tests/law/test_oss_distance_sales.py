"""EU distance sales of goods to consumers: origin or destination VAT by the seller's count (issue 14).

The law, by hand (Directive 2006/112/EC as amended by Directive 2017/2455, from 2021-07-01):

* art. 33(a): goods dispatched by the seller to a consumer in another member state are supplied where the
  transport ends: the destination's VAT at the destination's rate for the product;
* art. 59c(1): except while the seller's EU distance sales, net of VAT, did not exceed EUR 10,000 in the
  previous calendar year and have not exceeded it in the current one: then origin VAT at origin rates. The
  sale by which the current year exceeds EUR 10,000 is already at destination; a count that reaches exactly
  EUR 10,000.00 has not exceeded it;
* art. 59c(2): the seller may opt for destination taxation below the threshold;
* art. 59c(3): Poland's threshold is PLN 42,000 (ustawa o VAT art. 22a ust. 1), compared in PLN;
* art. 369a ff.: destination VAT is declared through the seller's Union OSS; the invoice follows the rules of
  the member state of identification (art. 219a(2)(b)): the seller's country, the seller's series.

A business buyer identified in another member state is not a distance sale: an exempt intra-EU supply (art.
138), category K, whatever the seller's count or OSS.

Rates (2026): FR 20 / 5.5 %, DE 19 / 7 %, BE 21 %, ES 21 %, IT 22 %, PT 23 %, PL 23 %. All prices net
(prices_include_vat false) unless said: VAT = net x rate, rounded half-up to the cent.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from mandat.demo.markets import be, de, es, it, pl, pt
from mandat.domain.documents import Document
from mandat.domain.drafts import Tally
from mandat.domain.exchange import Rate
from mandat.domain.parties import DistanceSalesOpening, OneStopShop, Seller
from tests.factories import seller
from tests.markets import NOW, credit, drafted, fixed_rates, paid, refund, refused, schematron_errors, seller_from

D = Decimal
ZERO = D("0.00")
Counts = Callable[[str, int], Decimal]

FR_SELLER = seller("atelier-bois")  # Atelier Bois & Jardin SARL, Lyon, FR46401234562
DE_CONSUMER = de.CONSUMERS[0]  # Lena Hoffmann, Köln
BE_CONSUMER = be.CONSUMERS[0]
ES_CONSUMER = es.CONSUMERS[0]
IT_CONSUMER = it.CONSUMERS[0]
PT_CONSUMER = pt.CONSUMERS[0]
PL_CONSUMER = pl.CONSUMERS[0]
FR_CONSUMER: dict[str, Any] = {
    "kind": "consumer",
    "name": "Camille Lefèvre",
    "address": {"line1": "8 rue de l'Église", "postcode": "35000", "city": "Rennes", "country": "FR"},
}


def with_count(
    s: Seller,
    previous: str | None = None,
    current: str = "0",
    *,
    year: int = 2026,
    oss: bool = True,
    option: bool = False,
) -> Seller:
    """``s`` with its registry totals (previous year, current year before mandat) and its OSS."""
    changes: dict[str, Any] = {}
    if previous is not None:
        changes["distance_sales"] = DistanceSalesOpening(year=year, previous_year=D(previous), current_year=D(current))
    if oss:
        changes["oss"] = OneStopShop(country=s.address.country, since=date(2021, 7, 1), destination_option=option)
    return s.model_copy(update=changes)


def counted(amount: str, year: int = 2026, earlier: str = "0") -> Counts:
    """The store's count: ``amount`` in ``year``, ``earlier`` in the year before."""

    def counts(seller_id: str, y: int) -> Decimal:
        del seller_id
        return D(amount) if y == year else D(earlier) if y == year - 1 else D(0)

    return counts


def nothing(seller_id: str, year: int) -> Decimal:
    del seller_id, year
    return D(0)


def item(qty: str, price: str, key: str | None = "standard", dest: str | None = None) -> dict[str, Any]:
    ln: dict[str, Any] = {"sku": "ABJ-1", "description": "Article", "quantity": qty, "unit_price": price}
    if key is not None:
        ln["tax_category"] = key
    if dest is not None:
        ln["destination_tax_category"] = dest
    return ln


def sale(
    s: Seller, buyer: dict[str, Any], lines: list[dict[str, Any]], counts: Counts = nothing
) -> tuple[Any, Document]:
    """The draft and the issued document of a sale, checked against the EN 16931 Schematron."""
    event = paid(s, buyer, lines, counts=counts)
    d = drafted(event, s, counts=counts)
    doc = d.finalize(1, NOW, "0" * 64)
    assert schematron_errors(doc) == []
    return d, doc


def figures(doc: Document) -> tuple[Decimal, Decimal, Decimal]:
    t = doc.totals
    return t.tax_exclusive, t.tax_total, t.tax_inclusive


def rates(doc: Document) -> list[tuple[str, Decimal, Decimal]]:
    return [(b.category, b.rate or ZERO, b.tax_amount) for b in doc.vat_breakdown]


def where(doc: Document) -> tuple[str, str | None, str | None]:
    """Whose rules, where taxed (None: the rules' country), under which scheme."""
    return doc.country, doc.taxed_in, doc.scheme


def full_credit(doc: Document, s: Seller) -> Document:
    note = credit(doc, refund(doc, doc.totals.tax_inclusive), s)
    assert schematron_errors(note) == []
    return note


# --- below the threshold: origin VAT ----------------------------------------------------------------------


def test_below_the_threshold_a_french_seller_charges_french_vat() -> None:
    # 2025: 4,000.00; 2026 before mandat 3,000.00, counted by mandat 2,000.00: 5,000.00 + 500.00 <= 10,000.00.
    # 5 x 100.00 = 500.00 at 20 % = 100.00 -> 600.00. The tally holds the limit: 10,000.00 - 3,000.00.
    s = with_count(FR_SELLER, "4000", "3000")
    d, doc = sale(s, DE_CONSUMER, [item("5", "100.00")], counted("2000"))
    assert figures(doc) == (D("500.00"), D("100.00"), D("600.00"))
    assert rates(doc) == [("S", D("20"), D("100.00"))]
    assert where(doc) == ("FR", None, None)
    assert d.tally == Tally(year=2026, amount=D("500.00"), currency="EUR", limit=D("7000.00"))
    assert d.series == "F"
    assert d.series_owner == ""


def test_a_count_reaching_exactly_10000_has_not_exceeded_it() -> None:
    # 9,000.00 + 400.00 counted + 600.00 = 10,000.00: not "exceeded" (art. 59c(1)(c)): French VAT,
    # 600.00 x 20 % = 120.00 -> 720.00.
    s = with_count(FR_SELLER, "4000", "9000")
    d, doc = sale(s, DE_CONSUMER, [item("6", "100.00")], counted("400"))
    assert figures(doc) == (D("600.00"), D("120.00"), D("720.00"))
    assert where(doc) == ("FR", None, None)
    assert d.tally == Tally(year=2026, amount=D("600.00"), currency="EUR", limit=D("1000.00"))


def test_a_previous_year_of_exactly_10000_keeps_origin_vat() -> None:
    # 2025 at 10,000.00 has not exceeded it: 1 x 50.00 at 20 % = 10.00 -> 60.00.
    s = with_count(FR_SELLER, "10000", "0")
    _, doc = sale(s, DE_CONSUMER, [item("1", "50.00")])
    assert figures(doc) == (D("50.00"), D("10.00"), D("60.00"))
    assert where(doc) == ("FR", None, None)


def test_below_the_threshold_no_oss_is_needed() -> None:
    # Origin VAT is declared in the seller's own return: 2 x 30.00 = 60.00 at 20 % = 12.00 -> 72.00.
    s = with_count(FR_SELLER, "100", "0", oss=False)
    _, doc = sale(s, DE_CONSUMER, [item("2", "30.00")])
    assert figures(doc) == (D("60.00"), D("12.00"), D("72.00"))


def test_at_origin_a_reduced_home_rate_stays_the_home_rate() -> None:
    # A book (FR 5.5 %, CGI 278-0 bis) at origin: 2 x 20.00 = 40.00 x 5.5 % = 2.20 -> 42.20.
    s = with_count(FR_SELLER, "100", "0")
    _, doc = sale(s, DE_CONSUMER, [item("2", "20.00", "reduced", "reduced")])
    assert figures(doc) == (D("40.00"), D("2.20"), D("42.20"))
    assert rates(doc) == [("S", D("5.5"), D("2.20"))]


# --- the sale that exceeds the threshold, and after: destination VAT ---------------------------------------


def test_the_sale_that_exceeds_the_threshold_is_taxed_at_destination() -> None:
    # 9,000.00 + 500.00 counted + 600.00 = 10,100.00 > 10,000.00: this sale is already German:
    # 600.00 x 19 % = 114.00 -> 714.00, declared through the French OSS, invoiced under French rules.
    s = with_count(FR_SELLER, "4000", "9000")
    d, doc = sale(s, DE_CONSUMER, [item("6", "100.00")], counted("500"))
    assert figures(doc) == (D("600.00"), D("114.00"), D("714.00"))
    assert rates(doc) == [("S", D("19"), D("114.00"))]
    assert where(doc) == ("FR", "DE", "oss")
    assert d.tally == Tally(year=2026, amount=D("600.00"), currency="EUR", limit=None)
    assert doc.seller.vat_id == "FR46401234562"  # the seller supplies, under its mandate
    assert d.series == "F"
    assert any(m.code == "mandate" for m in doc.mentions)
    assert any("exceeds" in n for n in doc.trace)


def test_the_previous_year_above_the_threshold_taxes_every_sale_at_destination() -> None:
    # 2025: 10,000.01 > 10,000.00: even a first sale of 2026 is German: 1 x 50.00 x 19 % = 9.50 -> 59.50.
    s = with_count(FR_SELLER, "10000.01", "0")
    d, doc = sale(s, DE_CONSUMER, [item("1", "50.00")])
    assert figures(doc) == (D("50.00"), D("9.50"), D("59.50"))
    assert where(doc) == ("FR", "DE", "oss")
    assert d.tally == Tally(year=2026, amount=D("50.00"), currency="EUR", limit=None)


def test_the_current_year_already_above_the_threshold_taxes_at_destination() -> None:
    # 2025: 2,000.00; 2026 before mandat: 10,500.00: German VAT, 3 x 10.00 = 30.00 x 19 % = 5.70 -> 35.70.
    s = with_count(FR_SELLER, "2000", "10500")
    _, doc = sale(s, DE_CONSUMER, [item("3", "10.00")])
    assert figures(doc) == (D("30.00"), D("5.70"), D("35.70"))
    assert where(doc) == ("FR", "DE", "oss")


def test_what_mandat_counted_this_year_counts_too() -> None:
    # 2026: 9,000.00 before mandat + 1,200.00 counted = 10,200.00 > 10,000.00: German VAT,
    # 1 x 10.00 x 19 % = 1.90 -> 11.90.
    s = with_count(FR_SELLER, "0", "9000")
    _, doc = sale(s, DE_CONSUMER, [item("1", "10.00")], counted("1200"))
    assert figures(doc) == (D("10.00"), D("1.90"), D("11.90"))
    assert where(doc) == ("FR", "DE", "oss")


def test_the_year_after_the_registry_counts_the_store_for_the_previous_year() -> None:
    # Registry of 2025: before mandat 9,000.00; mandat counted 1,500.00 in 2025: 2025 = 10,500.00 > 10,000.00,
    # so in 2026 every sale is German: 2 x 25.00 = 50.00 x 19 % = 9.50 -> 59.50.
    s = with_count(FR_SELLER, "0", "9000", year=2025)
    _, doc = sale(s, DE_CONSUMER, [item("2", "25.00")], counted("0", earlier="1500"))
    assert figures(doc) == (D("50.00"), D("9.50"), D("59.50"))
    assert where(doc) == ("FR", "DE", "oss")
    # The same registry with 500.00 counted in 2025: 9,500.00, origin VAT in 2026: 50.00 x 20 % = 10.00.
    _, doc = sale(s, DE_CONSUMER, [item("2", "25.00")], counted("0", earlier="500"))
    assert figures(doc) == (D("50.00"), D("10.00"), D("60.00"))
    assert where(doc) == ("FR", None, None)


@pytest.mark.parametrize(
    ("buyer", "country", "rate", "vat"),
    [
        (BE_CONSUMER, "BE", "21", "21.00"),
        (ES_CONSUMER, "ES", "21", "21.00"),
        (IT_CONSUMER, "IT", "22", "22.00"),
        (PT_CONSUMER, "PT", "23", "23.00"),
        (PL_CONSUMER, "PL", "23", "23.00"),
    ],
    ids=["BE", "ES", "IT", "PT", "PL"],
)
def test_above_the_threshold_each_destination_taxes_at_its_standard_rate(
    buyer: dict[str, Any], country: str, rate: str, vat: str
) -> None:
    # 100.00 net at the destination's standard rate, in EUR, under French rules.
    s = with_count(FR_SELLER, "25000", "0")
    _, doc = sale(s, buyer, [item("1", "100.00")])
    assert figures(doc) == (D("100.00"), D(vat), D("100.00") + D(vat))
    assert rates(doc) == [("S", D(rate), D(vat))]
    assert where(doc) == ("FR", country, "oss")
    assert doc.currency == "EUR"


def test_a_distance_sale_of_another_origin_german_seller_to_france() -> None:
    # Baumarkt Lindner (DE) above the threshold, to Rennes: French VAT 20 %, German rules, German OSS:
    # 4 x 12.50 = 50.00 x 20 % = 10.00 -> 60.00.
    s = with_count(seller_from(de.SELLERS[0]), "15000", "0")
    d, doc = sale(s, FR_CONSUMER, [item("4", "12.50")])
    assert figures(doc) == (D("50.00"), D("10.00"), D("60.00"))
    assert where(doc) == ("DE", "FR", "oss")
    assert d.series == "RE"


# --- the option (art. 59c(2)) ------------------------------------------------------------------------------


def test_the_option_taxes_at_destination_below_the_threshold() -> None:
    # 2025: 100.00 only, but the seller opted: German VAT, 5 x 100.00 = 500.00 x 19 % = 95.00 -> 595.00.
    s = with_count(FR_SELLER, "100", "0", option=True)
    d, doc = sale(s, DE_CONSUMER, [item("5", "100.00")])
    assert figures(doc) == (D("500.00"), D("95.00"), D("595.00"))
    assert where(doc) == ("FR", "DE", "oss")
    assert d.tally == Tally(year=2026, amount=D("500.00"), currency="EUR", limit=None)


def test_the_option_needs_no_registry_totals() -> None:
    # The count is irrelevant once opted: 1 x 80.00 x 19 % = 15.20 -> 95.20.
    s = with_count(FR_SELLER, None, option=True)
    _, doc = sale(s, DE_CONSUMER, [item("1", "80.00")])
    assert figures(doc) == (D("80.00"), D("15.20"), D("95.20"))
    assert where(doc) == ("FR", "DE", "oss")


# --- Poland: PLN 42,000 (art. 59c(3); ustawa o VAT art. 22a ust. 1) ------------------------------------------

PL_SELLER = seller_from(pl.SELLERS[0])  # Majsterkowo Sp. z o.o., Warszawa, PL5260250274


def test_a_polish_seller_below_pln_42000_charges_polish_vat() -> None:
    # PLN 41,500.00 + 400.00 = 41,900.00 <= 42,000.00: Polish VAT 23 %, 400.00 x 23 % = 92.00 -> 492.00 PLN.
    s = with_count(PL_SELLER, "30000", "41500")
    d, doc = sale(s, DE_CONSUMER, [item("1", "400.00")])
    assert doc.currency == "PLN"
    assert figures(doc) == (D("400.00"), D("92.00"), D("492.00"))
    assert where(doc) == ("PL", None, None)
    assert d.tally == Tally(year=2026, amount=D("400.00"), currency="PLN", limit=D("500.00"))


def test_a_polish_seller_crossing_pln_42000_charges_german_vat() -> None:
    # PLN 41,500.00 + 600.00 = 42,100.00 > 42,000.00 (about EUR 9,900: below EUR 10,000, the PLN threshold
    # decides): German VAT 19 %, 600.00 x 19 % = 114.00 -> 714.00 PLN, Polish rules and OSS.
    s = with_count(PL_SELLER, "30000", "41500")
    d, doc = sale(s, DE_CONSUMER, [item("1", "600.00")])
    assert doc.currency == "PLN"
    assert figures(doc) == (D("600.00"), D("114.00"), D("714.00"))
    assert rates(doc) == [("S", D("19"), D("114.00"))]
    assert where(doc) == ("PL", "DE", "oss")
    assert d.tally == Tally(year=2026, amount=D("600.00"), currency="PLN", limit=None)
    note = full_credit(doc, s)
    assert figures(note) == (D("600.00"), D("114.00"), D("714.00"))
    assert where(note) == ("PL", "DE", "oss")


def test_a_polish_previous_year_above_pln_42000_but_below_eur_10000() -> None:
    # 2025: PLN 42,000.01 (about EUR 9,900): above the Polish threshold: German VAT, 100.00 x 19 % = 19.00.
    s = with_count(PL_SELLER, "42000.01", "0")
    _, doc = sale(s, DE_CONSUMER, [item("1", "100.00")])
    assert figures(doc) == (D("100.00"), D("19.00"), D("119.00"))
    assert where(doc) == ("PL", "DE", "oss")


# --- destination rates for reduced products ---------------------------------------------------------------


def test_a_book_is_taxed_at_the_german_reduced_rate() -> None:
    # A book: FR "reduced" (5.5 %) at home, DE "reduced" (7 %, UStG §12(2) Nr. 1) at destination:
    # 2 x 20.00 = 40.00 x 7 % = 2.80 -> 42.80.
    s = with_count(FR_SELLER, "20000", "0")
    _, doc = sale(s, DE_CONSUMER, [item("2", "20.00", "reduced", "reduced")])
    assert figures(doc) == (D("40.00"), D("2.80"), D("42.80"))
    assert rates(doc) == [("S", D("7"), D("2.80"))]
    note = full_credit(doc, s)
    assert rates(note) == [("S", D("7"), D("2.80"))]


def test_a_reduced_and_a_standard_line_make_two_destination_rows() -> None:
    # DE: book 40.00 x 7 % = 2.80; drill 100.00 x 19 % = 19.00; total 140.00 + 21.80 = 161.80.
    s = with_count(FR_SELLER, "20000", "0")
    lines = [item("2", "20.00", "reduced", "reduced"), {**item("1", "100.00"), "sku": "ABJ-2"}]
    _, doc = sale(s, DE_CONSUMER, lines)
    assert figures(doc) == (D("140.00"), D("21.80"), D("161.80"))
    assert sorted(rates(doc)) == [("S", D("7"), D("2.80")), ("S", D("19"), D("19.00"))]


def test_a_standard_home_line_may_be_reduced_at_destination() -> None:
    # A line standard at home, sent with the Italian key "reduced" (5 %): 100.00 x 5 % = 5.00 -> 105.00.
    s = with_count(FR_SELLER, "20000", "0")
    _, doc = sale(s, IT_CONSUMER, [item("1", "100.00", "standard", "reduced")])
    assert figures(doc) == (D("100.00"), D("5.00"), D("105.00"))
    assert where(doc) == ("FR", "IT", "oss")


def test_a_reduced_home_line_without_a_destination_key_is_refused() -> None:
    # Neither the French 5.5 % nor the German 19 % is guessed for a product reduced at home.
    s = with_count(FR_SELLER, "20000", "0")
    event = paid(s, DE_CONSUMER, [item("2", "20.00", "reduced")], amount="42.80")
    e = refused(event, s, "destination_category_missing")
    assert "ABJ-1" in e.reason


def test_a_destination_key_unknown_there_is_refused() -> None:
    # "intermediate" is a French key, not a German one (DE has standard and reduced).
    s = with_count(FR_SELLER, "20000", "0")
    event = paid(s, DE_CONSUMER, [item("1", "10.00", "intermediate", "intermediate")], amount="11.90")
    e = refused(event, s, "tax_category_unknown")
    assert "intermediate" in e.reason


# --- what is missing to decide ------------------------------------------------------------------------------


def test_destination_vat_without_an_oss_is_refused() -> None:
    s = with_count(FR_SELLER, "20000", "0", oss=False)
    e = refused(paid(s, DE_CONSUMER, [item("1", "10.00")], amount="11.90"), s, "oss_registration_missing")
    assert "art. 369a" in e.reason


def test_the_crossing_sale_without_an_oss_is_refused() -> None:
    # 9,950.00 + 100.00 > 10,000.00: destination, and no OSS.
    s = with_count(FR_SELLER, "0", "9950", oss=False)
    event = paid(s, DE_CONSUMER, [item("1", "100.00")], amount="119.00")
    refused(event, s, "oss_registration_missing")


def test_without_registry_totals_nothing_is_decided() -> None:
    s = with_count(FR_SELLER, None)  # OSS, no option, no totals
    e = refused(paid(s, DE_CONSUMER, [item("1", "10.00")], amount="12.00"), s, "distance_sales_unknown")
    assert "2025 and 2026" in e.reason


def test_a_sale_before_the_registry_year_is_refused() -> None:
    s = with_count(FR_SELLER, "0", "0", year=2027)
    refused(paid(s, DE_CONSUMER, [item("1", "10.00")], amount="12.00"), s, "distance_sales_unknown")


# --- credit notes keep the invoice's treatment ------------------------------------------------------------


def test_a_credit_note_of_a_destination_sale_keeps_german_vat_and_the_oss() -> None:
    # The full refund of 714.00: 600.00 + 114.00 at 19 %, taxed in DE, OSS, the seller's credit series A.
    s = with_count(FR_SELLER, "4000", "9000")
    _, doc = sale(s, DE_CONSUMER, [item("6", "100.00")], counted("500"))
    note = full_credit(doc, s)
    assert figures(note) == (D("600.00"), D("114.00"), D("714.00"))
    assert rates(note) == [("S", D("19"), D("114.00"))]
    assert where(note) == ("FR", "DE", "oss")
    assert note.number == "A-ABJ-000001"


def test_a_credit_note_of_an_origin_sale_keeps_french_vat() -> None:
    s = with_count(FR_SELLER, "4000", "3000")
    _, doc = sale(s, DE_CONSUMER, [item("5", "100.00")], counted("2000"))
    note = full_credit(doc, s)
    assert figures(note) == (D("500.00"), D("100.00"), D("600.00"))
    assert where(note) == ("FR", None, None)


# --- business buyers: intra-EU supplies (art. 138, K), never distance sales --------------------------------


@pytest.mark.parametrize(
    ("market", "buyer"),
    [
        (de, es.BUSINESSES[0]),  # DE -> Interiorismo Castellana, Madrid
        (it, de.BUSINESSES[0]),  # IT -> Dachdeckerei Huber, Augsburg
        (es, it.BUSINESSES[0]),  # ES -> Edilizia Verdi, Torino
        (pt, be.BUSINESSES[0]),  # PT -> Bouwbedrijf Vermeulen, Roeselare
        (be, pl.BUSINESSES[0]),  # BE -> Budmax, Wrocław
        (pl, pt.BUSINESSES[0]),  # PL -> Imobiliária Tejo, Lisboa (PLN)
    ],
    ids=["DE-ES", "IT-DE", "ES-IT", "PT-BE", "BE-PL", "PL-PT"],
)
def test_goods_to_a_business_of_another_member_state_are_k_whatever_the_count(market: Any, buyer: Any) -> None:
    # 4 x 75.00 = 300.00, exempt: no VAT, total 300.00, even for a seller above the threshold with an OSS.
    s = with_count(seller_from(market.SELLERS[0]), "50000", "0")
    d, doc = sale(s, buyer, [item("4", "75.00")])
    assert figures(doc) == (D("300.00"), ZERO, D("300.00"))
    assert [(b.category, b.exemption_code) for b in doc.vat_breakdown] == [("K", "VATEX-EU-IC")]
    assert (doc.taxed_in, doc.scheme) == (None, None)
    assert d.tally is None
    assert doc.buyer.vat_id == buyer["vat_id"]
    note = full_credit(doc, s)
    assert [(b.category, b.exemption_code) for b in note.vat_breakdown] == [("K", "VATEX-EU-IC")]


# --- the count in the seller country's currency, prices including VAT ---------------------------------------

NBP = fixed_rates(Rate("NBP", "EUR", "PLN", D("4.2500"), date(2026, 11, 18), "223/A/NBP/2026"))


def test_a_polish_sale_in_euros_counts_in_zloty_and_crosses() -> None:
    # EUR 100.00 x 4.25 (NBP of 2026-11-18, the day before the tax point) = PLN 425.00; 41,600.00 + 425.00 =
    # 42,025.00 > 42,000.00: German VAT 19 % on EUR 100.00 = 19.00 -> 119.00 (the EUR figures alone, 41,700.00,
    # would have stayed under the threshold).
    s = with_count(PL_SELLER, "30000", "41600")
    event = paid(s, DE_CONSUMER, [item("1", "100.00")], currency="EUR", amount="119.00")
    d = drafted(event, s, NBP)
    doc = d.finalize(1, NOW, "0" * 64)
    assert schematron_errors(doc) == []
    assert figures(doc) == (D("100.00"), D("19.00"), D("119.00"))
    assert where(doc) == ("PL", "DE", "oss")
    assert d.tally == Tally(year=2026, amount=D("425.00"), currency="PLN", limit=None)


def test_a_polish_sale_in_euros_below_pln_42000_stays_polish() -> None:
    # 41,500.00 + 425.00 = 41,925.00 <= 42,000.00: Polish VAT 23 % on EUR 100.00 = 23.00 -> 123.00; limit 500.00.
    s = with_count(PL_SELLER, "30000", "41500")
    event = paid(s, DE_CONSUMER, [item("1", "100.00")], currency="EUR", amount="123.00")
    d = drafted(event, s, NBP)
    doc = d.finalize(1, NOW, "0" * 64)
    assert schematron_errors(doc) == []
    assert figures(doc) == (D("100.00"), D("23.00"), D("123.00"))
    assert where(doc) == ("PL", None, None)
    assert d.tally == Tally(year=2026, amount=D("425.00"), currency="PLN", limit=D("500.00"))


def test_a_price_including_vat_crossing_is_taxed_at_destination_on_its_destination_net() -> None:
    # 119.00 including VAT: at origin 119.00 / 1.20 = 99.17 net, 9,950.00 + 99.17 > 10,000.00: the sale is
    # German, 119.00 / 1.19 = 100.00 net + 19.00 VAT; counted at 100.00.
    s = with_count(FR_SELLER, "0", "9950")
    event = paid(s, DE_CONSUMER, [item("1", "119.00")], include_vat=True, amount="119.00")
    d = drafted(event, s)
    doc = d.finalize(1, NOW, "0" * 64)
    assert schematron_errors(doc) == []
    assert figures(doc) == (D("100.00"), D("19.00"), D("119.00"))
    assert where(doc) == ("FR", "DE", "oss")
    assert d.tally == Tally(year=2026, amount=D("100.00"), currency="EUR", limit=None)


def test_goods_and_services_in_one_distance_sale_are_refused() -> None:
    # Services to consumers abroad follow art. 45 and its exceptions: split the order.
    s = with_count(FR_SELLER, "0", "0")
    lines = [item("1", "50.00"), {**item("1", "30.00"), "sku": "ABJ-2", "nature": "service"}]
    e = refused(paid(s, DE_CONSUMER, lines, amount="96.00"), s, "unsupported_case")
    assert "split the order" in e.reason
