"""The format registry: which e-invoice each document is due in, and `mandat einvoice` building it.

Due by law (shared/research/markets-and-formats.md §1, §5.2): FatturaPA through the SdI for every
Italian-established seller's invoice; KSeF FA(3) for a Polish seller's B2B invoice; Peppol BIS 3.0 between
Belgian businesses; none for a French consumer (Factur-X/CII only).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from lxml import etree
from typer.testing import CliRunner

from mandat.cli.main import app
from mandat.demo.markets import be, it, pl
from mandat.domain.refusals import Rejected
from mandat.render import formats
from tests.markets import issue, paid, seller_from


def line(price: str = "100.00") -> dict[str, Any]:
    return {"sku": "X-1", "description": "Article", "quantity": "1", "unit_price": price, "tax_category": "standard"}


@pytest.mark.parametrize(
    ("market", "buyer", "due"),
    [
        (it, it.CONSUMERS[0], ["en16931-cii", "fatturapa-fpr12"]),
        (it, it.BUSINESSES[0], ["en16931-cii", "fatturapa-fpr12"]),
        (pl, pl.BUSINESSES[0], ["en16931-cii", "ksef-fa3"]),
        (pl, pl.CONSUMERS[0], ["en16931-cii"]),
        (be, be.BUSINESSES[0], ["en16931-cii", "peppol-bis-3"]),
        (be, be.CONSUMERS[0], ["en16931-cii"]),
    ],
    ids=["IT-B2C", "IT-B2B", "PL-B2B", "PL-B2C", "BE-B2B", "BE-B2C"],
)
def test_each_document_is_due_in_its_legal_channels_format(market: Any, buyer: dict[str, Any], due: list[str]) -> None:
    seller = seller_from(market.SELLERS[0])
    doc = issue(paid(seller, buyer, [line()]), seller)
    assert formats.formats_for(doc) == due
    for name in due:
        xml = formats.build(name, doc)
        assert etree.fromstring(xml) is not None
        assert formats.build(name, doc) == xml  # same record, same bytes


def test_an_unknown_format_is_refused_by_name() -> None:
    seller = seller_from(it.SELLERS[0])
    doc = issue(paid(seller, it.CONSUMERS[0], [line()]), seller)
    with pytest.raises(Rejected) as exc:
        formats.build("ubl-9", doc)
    assert exc.value.code == "format_unknown"


def test_mandat_einvoice_writes_the_due_format(tmp_path: Path) -> None:
    home = str(tmp_path / "data")
    runner = CliRunner()
    sellers = tmp_path / "sellers.json"
    sellers.write_text("[" + seller_from(it.SELLERS[0]).model_dump_json() + "]", encoding="utf-8")
    assert runner.invoke(app, ["sellers", "import", str(sellers), "--home", home]).exit_code == 0
    seller = seller_from(it.SELLERS[0])
    events = tmp_path / "orders.jsonl"

    events.write_text(json.dumps(paid(seller, it.CONSUMERS[0], [line()], ref="CLI1")) + "\n", encoding="utf-8")
    assert runner.invoke(app, ["ingest", str(events), "--home", home]).exit_code == 0
    out = tmp_path / "fattura.xml"
    number = issue(paid(seller, it.CONSUMERS[0], [line()], ref="CLI1"), seller).number
    result = runner.invoke(app, ["einvoice", number, "--home", home, "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "fatturapa-fpr12" in result.output
    root = etree.fromstring(out.read_bytes())
    assert etree.QName(root).localname == "FatturaElettronica"
    bad = runner.invoke(app, ["einvoice", number, "--home", home, "--format", "ubl-9"])
    assert bad.exit_code == 2
    assert "format_unknown" in bad.output
