"""What `mandat demo` issues, for every seller country: every CII passes the official CEN EN 16931
1.3.16 Schematron, French B2B invoices the French CTC 1.4.0.03 rules, and every country with a pack
has sellers selling at home to consumers and businesses, at every rate of its ladder."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from mandat.cli.main import app
from mandat.countries.registry import jurisdiction, known
from mandat.domain.documents import Document
from mandat.render.cii import build_cii
from mandat.service.app import Mandat
from mandat.service.config import Settings
from mandat.store import repository as repo
from tests.official import cen_failures, fr_ctc_failures


@pytest.fixture(scope="module")
def issued(tmp_path_factory: pytest.TempPathFactory) -> list[Document]:
    home: Path = tmp_path_factory.mktemp("demo")
    result = CliRunner().invoke(app, ["demo", "--home", str(home), "--orders", "320"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    service = Mandat(Settings.from_env(home=home))
    with service.engine.connect() as conn:
        return list(repo.iter_documents(conn))


def test_every_cii_passes_the_official_en16931_rules(issued: list[Document]) -> None:
    failed = {d.number: f for d in issued if (f := cen_failures(build_cii(d)))}
    assert failed == {}


def test_french_b2b_invoices_pass_the_french_ctc_rules(issued: list[Document]) -> None:
    b2b = [d for d in issued if d.country == "FR" and d.business_case == "B2B"]
    assert b2b
    failed = {d.number: f for d in b2b if (f := fr_ctc_failures(build_cii(d)))}
    assert failed == {}


def test_every_country_sells_at_home_to_consumers_and_businesses_at_every_rate(issued: list[Document]) -> None:
    seen: dict[str, dict[str, Any]] = defaultdict(lambda: {"b2c": False, "b2b": False, "rates": set()})
    for d in issued:
        if d.kind != "invoice" or d.buyer.address.country != d.country:
            continue
        s = seen[d.country]
        s["b2b" if d.buyer.is_business else "b2c"] = True
        s["rates"].update(ln.vat_rate for ln in d.lines if ln.vat_category in ("S", "Z", "AE"))
    for country in known():
        pack = jurisdiction(country)
        ladder = {r for k, r in pack.rate_table(date(2026, 11, 5)).items() if k not in pack.works_keys}
        assert seen[country]["b2c"], country
        assert seen[country]["b2b"], country
        assert ladder <= seen[country]["rates"], (country, ladder - seen[country]["rates"])


def test_non_euro_markets_invoice_in_their_currency_and_restate_euro_invoices(issued: list[Document]) -> None:
    for country in known():
        national = jurisdiction(country).currency
        if national == "EUR":
            continue
        docs = [d for d in issued if d.country == country]
        assert any(d.currency == national and d.exchange is None for d in docs), country
        assert any(d.currency == "EUR" and d.exchange and d.exchange.tax_currency == national for d in docs), country


def test_the_demo_shows_every_treatment(issued: list[Document]) -> None:
    """A short demo run (320 orders) issues at least one invoice of every treatment the summary lists."""
    from mandat.cli.main import treatment

    seen: dict[str, set[str]] = defaultdict(set)
    for d in issued:
        if d.kind == "invoice":
            seen[treatment(d)].add(d.country)
    expected = {
        "domestic",
        "franchise E",
        "intra-EU K",
        "reverse charge AE",
        "reverse charge AE (abroad)",
        "installation abroad AE",
        "OSS destination VAT",
        "distance sale at origin",
        "supply where registered",
        "export G",
        "territory G",
        "deemed supplier EU (OSS)",
        "deemed supplier IOSS",
        "deemed supplier UK",
    }
    assert expected <= set(seen), expected - set(seen)


def test_deemed_supplies_are_the_marketplaces_documents(issued: list[Document]) -> None:
    deemed = [d for d in issued if d.kind == "invoice" and d.deemed_supply is not None]
    assert {d.deemed_supply.seller_country for d in deemed if d.deemed_supply} >= {"CN", "US", "GB"}
    for d in deemed:
        assert d.series_owner == "@bricomarket"
        uk = d.scheme == "uk_omp"
        assert d.number.startswith("UK-" if uk else "MP-"), d.number
        # The marketplace's own VAT registration: its UK number for s.5A, its French one for the OSS/IOSS.
        assert d.seller.vat_id == ("GB980780684" if uk else "FR44732829320"), d.number
        assert d.currency == ("GBP" if uk else "EUR")


def test_distance_sales_are_taxed_at_origin_or_in_the_destination_country(issued: list[Document]) -> None:
    from mandat.cli.main import treatment

    oss = [d for d in issued if d.kind == "invoice" and d.scheme == "oss" and d.deemed_supply is None]
    # German seller at EUR 9,990 (crosses on its first sale), Spanish above, Italian by option; Belgian
    # seller's works in France for a consumer: every one taxed where the goods arrive or the property is.
    assert {d.country for d in oss} >= {"DE", "ES", "IT", "BE"}
    for d in oss:
        to = d.delivery_address or d.buyer.address
        # Northern Ireland (BT postcode) is taxed as XI, at the UK's rates (Windsor Framework art. 8).
        assert d.taxed_in == ("XI" if to.postcode.startswith("BT") else to.country), d.number
        assert d.taxed_in != d.country
    at_origin = [d for d in issued if d.kind == "invoice" and treatment(d) == "distance sale at origin"]
    # Belgian, Portuguese and Polish sellers, well below the threshold: their own VAT, no scheme.
    assert {"BE", "PT", "PL"} <= {d.country for d in at_origin}
    for d in at_origin:
        assert d.scheme is None, d.number
        assert d.taxed_in in (None, d.country), d.number
        assert {b.category for b in d.vat_breakdown} == {"S"}


def test_a_belgian_seller_registered_in_germany_supplies_there_under_german_rules(issued: list[Document]) -> None:
    """Goods from its German stock to a German consumer (Directive 2006/112/EC art. 32) and works on a German
    consumer's home (art. 47): supplied in Germany, under its rules (art. 219a(1)) and its 19 % (UStG §12(1)),
    with the seller's German VAT number (art. 226(3)), not its Belgian one."""
    local = [d for d in issued if d.kind == "invoice" and d.seller_id == "be-renov-meuse" and d.country == "DE"]
    assert local
    for d in local:
        assert (d.seller.address.country, d.seller.vat_id) == ("BE", "DE814276658"), d.number
        assert d.buyer.address.country == "DE", d.number
        assert (d.scheme, d.taxed_in) == (None, None), d.number
        assert [(b.category, b.rate) for b in d.vat_breakdown] == [("S", Decimal("19"))], d.number
    stock = [d for d in local if any("goods dispatched from DE" in t and "art. 32" in t for t in d.trace)]
    works = [d for d in local if any("installation/works on a property in DE" in t for t in d.trace)]
    assert stock
    assert works
    # The heat pump's installation, EUR 1,450.00 including VAT: 1,450.00 / 1.19 = 1,218.49 net, 231.51 VAT.
    for d in works:
        assert (d.totals.tax_exclusive, d.totals.tax_total, d.totals.tax_inclusive) == (
            Decimal("1218.49"),
            Decimal("231.51"),
            Decimal("1450.00"),
        ), d.number


def test_northern_ireland_takes_the_eu_rules_for_goods(issued: list[Document]) -> None:
    """Windsor Framework art. 8: a Belfast business with an XI number receives an intra-EU supply (K), a
    consumer a distance sale: the German seller above its EUR 10,000 at the UK's 20 % through the OSS (taxed in
    XI), the Portuguese seller below it at Portugal's 23 %."""
    from mandat.cli.main import treatment

    ni = [
        d for d in issued if d.kind == "invoice" and (d.delivery_address or d.buyer.address).postcode.startswith("BT")
    ]
    k = [d for d in ni if d.buyer.is_business]
    assert k
    for d in k:
        assert (treatment(d), d.buyer.vat_id) == ("intra-EU K", "XI980780684"), d.number
        assert [(b.category, b.exemption_code) for b in d.vat_breakdown] == [("K", "VATEX-EU-IC")], d.number
    oss = [d for d in ni if d.country == "DE" and not d.buyer.is_business]
    at_origin = [d for d in ni if d.country == "PT" and not d.buyer.is_business]
    assert oss
    assert at_origin
    for d in oss:
        assert (treatment(d), d.scheme, d.taxed_in) == ("OSS destination VAT", "oss", "XI"), d.number
        assert [(b.category, b.rate) for b in d.vat_breakdown] == [("S", Decimal("20"))], d.number
    for d in at_origin:
        assert (treatment(d), d.scheme, d.taxed_in) == ("distance sale at origin", None, None), d.number
        assert [(b.category, b.rate) for b in d.vat_breakdown] == [("S", Decimal("23"))], d.number
