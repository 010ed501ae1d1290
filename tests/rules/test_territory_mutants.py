"""Where an address lies for VAT, exactly: the place, its stated reason, and the exact refusal.

Written against the mutants mutmut left alive in ``mandat.rules.territory`` and ``mandat.domain.refusals``
(docs/mutants/rules.md). Expected values come from the law, not from the module's tables:

* mainland France is French VAT territory (CGI art. 256, 258 I a);
* Monaco is inside the French VAT area (Directive 2006/112/EC art. 7(1)), whether written ``MC`` or as a
  French 980xx postcode;
* the other member states form the rest of the EU VAT area (Directive art. 5);
* anything else is outside it (exports, CGI art. 262 I);
* the Åland Islands and the French overseas are outside the EU VAT area (Directive art. 6(1)(d), (b)):
  ``territory``, where goods go as exports; Corsica has its own rates (CGI art. 297) and Northern Ireland
  follows EU VAT rules for goods: refused as ``territory_unhandled``.

Postcodes are compared without spaces or hyphens and in capitals: "sw1a 1aa" is the same London postcode
as "SW1A 1AA" (Royal Mail writes it in capitals; case carries no meaning).
"""

from __future__ import annotations

import pytest

from mandat.domain.parties import Address
from mandat.domain.refusals import Cancelled, EventRefused, Rejected, Waiting
from mandat.rules.territory import Place, unhandled, vat_place


def at(country: str, postcode: str) -> Address:
    return Address(line1="1 rue Haute", postcode=postcode, city="Ville", country=country)


@pytest.mark.parametrize(
    ("country", "postcode", "place"),
    [
        ("FR", "75011", Place("home", "FR", "mainland France")),
        ("FR", "75 011", Place("home", "FR", "mainland France")),  # spaces do not count
        ("FR", "75-011", Place("home", "FR", "mainland France")),  # nor hyphens
        ("MC", "98000", Place("home", "MC", "Monaco is treated as France (Directive art. 7(1))")),
        (
            "FR",
            "98000",
            Place("home", "MC", "Monaco (postcode 980xx) is treated as France (Directive art. 7(1))"),
        ),
        ("DE", "10115", Place("eu", "DE", "DE, EU VAT area (Directive art. 5)")),
        ("ES", "28001", Place("eu", "ES", "ES, EU VAT area (Directive art. 5)")),  # Madrid, not the Canaries
        ("CH", "1204", Place("third", "CH", "CH, outside the EU VAT area")),
        ("GB", "sw1a 1aa", Place("third", "GB", "GB, outside the EU VAT area")),  # London, lower case
        ("US", "10001", Place("third", "US", "US, outside the EU VAT area")),
        ("AX", "22100", Place("territory", "AX", "the Åland Islands (AX, Directive 2006/112/EC art. 6(1)(d))")),
        (
            "FR",
            "97110",
            Place("territory", "FR", "French overseas (postcode 97110, Directive art. 6; CGI art. 294 ff.)"),
        ),
        (
            "GP",
            "97110",
            Place("territory", "GP", "Guadeloupe (GP, outside the EU VAT area, Directive art. 6)"),
        ),
        (
            "ES",
            "35 001",
            Place("territory", "ES", "the Canary Islands (Directive 2006/112/EC art. 6(1)(b); IGIC)"),
        ),
    ],
)
def test_each_place_with_its_reason(country: str, postcode: str, place: Place) -> None:
    assert vat_place(at(country, postcode), "the delivery address") == place


@pytest.mark.parametrize(
    ("country", "postcode", "reason"),
    [
        (
            "FR",
            "20000",
            "the delivery address is in Corsica (postcode 20000, special rates of CGI art. 297): "
            "this territory has its own VAT rules, not handled yet",
        ),
        (
            # Belfast written in lower case is still Northern Ireland (BT postcodes).
            "GB",
            "bt1 1aa",
            "the delivery address is in Northern Ireland (EU VAT rules for goods, Windsor Framework; XI): "
            "this territory has its own VAT rules, not handled yet",
        ),
        (
            "FR",
            "7500",
            "the delivery address: postcode '7500' is not a FR postcode, so the VAT territory cannot be told "
            "(special territories are recognised by postcode)",
        ),
    ],
)
def test_each_refusal_says_exactly_where(country: str, postcode: str, reason: str) -> None:
    with pytest.raises(Rejected) as exc:
        # Seen from the UK (Northern Ireland is refused for a UK seller; for an EU seller it is decided).
        vat_place(at(country, postcode), "the delivery address", "GB" if country == "GB" else "FR")
    assert exc.value.code == "territory_unhandled"
    assert exc.value.reason == reason


def test_unhandled_builds_the_refusal() -> None:
    r = unhandled("seller x's establishment", "Corsica")
    assert isinstance(r, Rejected)
    assert (r.code, r.reason) == (
        "territory_unhandled",
        "seller x's establishment is in Corsica: this territory has its own VAT rules, not handled yet",
    )


@pytest.mark.parametrize(("cls", "status"), [(Rejected, "rejected"), (Waiting, "waiting"), (Cancelled, "cancelled")])
def test_a_refusal_carries_code_reason_and_reads_as_both(cls: type[EventRefused], status: str) -> None:
    # The operator filters on the stable code and reads the reason; the log line shows both.
    e = cls("payment_amount", "payment PSP-1 is 1.00 EUR")
    assert (e.code, e.reason, e.status) == ("payment_amount", "payment PSP-1 is 1.00 EUR", status)
    assert str(e) == "payment_amount: payment PSP-1 is 1.00 EUR"
    assert e.args == ("payment_amount: payment PSP-1 is 1.00 EUR",)
