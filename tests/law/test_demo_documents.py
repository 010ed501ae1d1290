"""What `mandat demo` issues, for every seller country: every CII passes the official CEN EN 16931
1.3.16 Schematron, French B2B invoices the French CTC 1.4.0.03 rules, and every country with a pack
has sellers selling at home to consumers and businesses, at every rate of its ladder."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
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
        assert d.taxed_in == (d.delivery_address or d.buyer.address).country, d.number
        assert d.taxed_in != d.country
    at_origin = [d for d in issued if d.kind == "invoice" and treatment(d) == "distance sale at origin"]
    # Belgian, Portuguese and Polish sellers, well below the threshold: their own VAT, no scheme.
    assert {"BE", "PT", "PL"} <= {d.country for d in at_origin}
    for d in at_origin:
        assert d.scheme is None, d.number
        assert d.taxed_in in (None, d.country), d.number
        assert {b.category for b in d.vat_breakdown} == {"S"}
