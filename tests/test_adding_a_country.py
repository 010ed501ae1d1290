"""docs/countries.md "Adding a country" is true: its code blocks, written as a package in a temporary
directory, make a country the registry finds and the rules issue invoices for, with no other file changed."""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest

import mandat.countries
from mandat.countries import registry
from mandat.domain.parties import Seller
from tests.markets import MANDATE, issue, paid, schematron_errors

DOC = Path(__file__).resolve().parents[1] / "docs" / "countries.md"


@pytest.fixture
def luxembourg(tmp_path: Path) -> Iterator[None]:
    section = DOC.read_text(encoding="utf-8").split("## 13. Adding a country", 1)[1]
    blocks = re.findall(r"```python\n# src/mandat/(countries/lu/[a-z_]+\.py)\n(.*?)```", section, re.S)
    assert {name for name, _ in blocks} == {
        "countries/lu/__init__.py",
        "countries/lu/rates.py",
        "countries/lu/mentions.py",
    }
    for name, code in blocks:
        target = tmp_path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(code, encoding="utf-8")
    mandat.countries.__path__.append(str(tmp_path / "countries"))
    registry.jurisdiction.cache_clear()
    try:
        yield
    finally:
        mandat.countries.__path__.remove(str(tmp_path / "countries"))
        for mod in [m for m in sys.modules if m.startswith("mandat.countries.lu")]:
            del sys.modules[mod]
        registry.jurisdiction.cache_clear()


def test_the_documented_pack_issues_a_luxembourgish_invoice(luxembourg: None) -> None:
    assert "LU" in registry.known()
    seller = Seller.model_validate(
        {
            "id": "lu-outils",
            "code": "LUOUT",
            "legal_name": "Outils du Grand-Duché SARL",
            "address": {"line1": "12 rue de Hollerich", "postcode": "L-1741", "city": "Luxembourg", "country": "LU"},
            "vat_id": "LU15027442",
            "mandate": MANDATE,
        }
    )
    buyer = {
        "kind": "consumer",
        "name": "Claire Weber",
        "address": {"line1": "3 rue du Fort", "postcode": "L-2419", "city": "Luxembourg", "country": "LU"},
    }
    lines = [
        {"sku": "P1", "description": "Perceuse", "quantity": "1", "unit_price": "100.00", "tax_category": "standard"},
        {"sku": "P2", "description": "Livre", "quantity": "2", "unit_price": "10.00", "tax_category": "super_reduced"},
    ]
    doc = issue(paid(seller, buyer, lines), seller)
    # 100.00 at 17 % = 17.00; 20.00 at 3 % = 0.60 (loi TVA art. 39): 137.60 in all.
    assert [(b.rate, b.tax_amount) for b in doc.vat_breakdown] == [
        (Decimal(17), Decimal("17.00")),
        (Decimal(3), Decimal("0.60")),
    ]
    assert doc.totals.tax_inclusive == Decimal("137.60")
    assert doc.country == "LU"
    assert doc.language == "fr"
    assert (
        doc.mentions[0].text
        == "Facture émise par Brico Market SAS au nom et pour le compte de Outils du Grand-Duché SARL."
    )
    assert schematron_errors(doc) == []
