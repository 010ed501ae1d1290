"""Issue 15: the buyer's e-invoicing addresses, the decision table of the formats (market research §5.2),
the formats recorded on the document and built from the record alone."""

from __future__ import annotations

from typing import Any

import pytest
from lxml import etree
from pydantic import ValidationError

from mandat.demo.markets import be, de
from mandat.domain.documents import PartySnapshot
from mandat.domain.events import Buyer
from mandat.domain.parties import Address
from mandat.render.formats import build, formats_for
from mandat.rules.einvoice import Case, formats
from tests.formats import test_fatturapa as fpa
from tests.formats import test_peppol as peppol
from tests.formats import test_xrechnung as xr
from tests.markets import credit, issue, paid, refund, seller_from

BERLIN = {"line1": "Unter den Linden 1", "postcode": "10117", "city": "Berlin", "country": "DE"}
MILANO = {"line1": "Via Roma 1", "postcode": "20121", "city": "Milano", "country": "IT"}
BRUXELLES = {"line1": "Rue Haute 1", "postcode": "1000", "city": "Bruxelles", "country": "BE"}


def buyer(address: dict[str, str], **more: Any) -> Buyer:
    return Buyer.model_validate({"kind": "business", "name": "Käufer", "address": address, **more})


def error(address: dict[str, str], **more: Any) -> str:
    with pytest.raises(ValidationError) as exc:
        buyer(address, **more)
    return str(exc.value)


# --- the fields, at the edge -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "0208:0123456749",  # 97 - (01234567 mod 97 = 48) = 49
        "0088:4000001000005",  # GS1: 4+0+0+0+1+0+0 ... check digit 5
        "0204:04011000-12345-03",  # KoSIT example Leitweg-ID
        "9925:BE0123456749",
        "9930:DE136695976",
        "0007:5567321707",  # a scheme without a check here: the syntax only
    ],
)
def test_good_peppol_ids(value: str) -> None:
    assert buyer(BERLIN, peppol_id=value).peppol_id == value


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("0208:0123456748", "0208 takes a Belgian enterprise number"),
        ("0208:2123456749", "0208 takes a Belgian enterprise number"),
        ("0088:4000001000006", "0088 takes a GLN"),
        ("0204:04011000-12345-04", "wrong Leitweg-ID check digits"),
        ("9930:DE136695977", "9930 takes a DE VAT number"),
        ("BE0123456749", "is not a Peppol participant id"),
        ("208:0123456749", "is not a Peppol participant id"),
    ],
)
def test_bad_peppol_ids(value: str, message: str) -> None:
    assert message in error(BERLIN, peppol_id=value)


def test_leitweg_id() -> None:
    assert buyer(BERLIN, leitweg_id="04011000-12345-03").leitweg_id == "04011000-12345-03"
    assert buyer(BERLIN, leitweg_id="991-33333test-33").leitweg_id == "991-33333TEST-33"  # KoSIT test id
    assert "wrong Leitweg-ID check digits" in error(BERLIN, leitweg_id="04011000-12345-30")
    assert "is not a Leitweg-ID" in error(BERLIN, leitweg_id="1-12345-03")
    assert "is not a Leitweg-ID" in error(BERLIN, leitweg_id="04011000-12345-3")
    assert "not in DE" in error(MILANO, leitweg_id="04011000-12345-03")


def test_xrechnung_preference() -> None:
    assert buyer(BERLIN, xrechnung="ubl").xrechnung == "ubl"
    assert "'cii' or 'ubl'" in error(BERLIN, xrechnung="xml")
    assert "not in DE" in error(BRUXELLES, xrechnung="cii")


def test_sdi_code_and_pec() -> None:
    assert buyer(MILANO, sdi_code="m5uxcr1").sdi_code == "M5UXCR1"
    assert buyer(MILANO, pec="acquisti@pec.example.it").pec == "acquisti@pec.example.it"
    assert "should match pattern" in error(MILANO, sdi_code="ABC123")  # 6 characters: a public body's
    assert "leave sdi_code out" in error(MILANO, sdi_code="0000000")
    assert "not both" in error(MILANO, sdi_code="M5UXCR1", pec="acquisti@pec.example.it")
    assert "should match pattern" in error(MILANO, pec="acquisti.pec.example.it")
    assert "not in IT" in error(BERLIN, sdi_code="M5UXCR1")


def test_province() -> None:
    assert Address.model_validate({**MILANO, "province": "MI"}).province == "MI"
    with pytest.raises(ValidationError, match="should match pattern"):
        Address.model_validate({**MILANO, "province": "Milano"})
    with pytest.raises(ValidationError, match="only for an address in Italy"):
        Address.model_validate({**BERLIN, "province": "BE"})
    # Absent, it is not in the JSON: records issued before keep their bytes and hash.
    assert "province" not in Address.model_validate(MILANO).model_dump(mode="json")


# --- the decision table (§5.2), expected formats by hand -----------------------------------------------


def snapshot(country: str, business: bool = True, **more: Any) -> PartySnapshot:
    address = {"line1": "x", "postcode": "1000", "city": "x", "country": country}
    return PartySnapshot(name="B", address=Address.model_validate(address), is_business=business, **more)


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        # row 1: consumer, same country - IT through the SdI, PL outside KSeF, BE/DE: PDF only
        (Case("IT", snapshot("IT", False), "SdI"), ["en16931-cii", "fatturapa-fpr12"]),
        (Case("PL", snapshot("PL", False), None), ["en16931-cii"]),
        (Case("BE", snapshot("BE", False), None), ["en16931-cii"]),
        (Case("DE", snapshot("DE", False), None), ["en16931-cii"]),
        # row 3: an Italian seller's OSS distance sale stays in its domestic channel
        (Case("IT", snapshot("FR", False), "SdI"), ["en16931-cii", "fatturapa-fpr12"]),
        # row 4: a French seller's sale from its Italian warehouse: not established in IT
        (Case("FR", snapshot("IT", False), "SdI"), ["en16931-cii"]),
        # row 5: intra-EU B2B - IT SdI (XXXXXXX), PL KSeF, BE/DE none
        (Case("IT", snapshot("DE"), "SdI"), ["en16931-cii", "fatturapa-fpr12"]),
        (Case("PL", snapshot("DE"), "KSeF"), ["en16931-cii", "ksef-fa3"]),
        (Case("BE", snapshot("FR"), None), ["en16931-cii"]),
        # §1.2: Belgian B2B
        (Case("BE", snapshot("BE"), "Peppol"), ["en16931-cii", "peppol-bis-3"]),
        # a Belgian seller registered... not established: a German seller under Belgian rules
        (Case("DE", snapshot("BE"), "Peppol"), ["en16931-cii"]),
        # Peppol offered to any buyer with a Peppol id
        (Case("FR", snapshot("NL", peppol_id="9944:NL123456789B01"), None), ["en16931-cii", "peppol-bis-3"]),
        # rows 8/9: the marketplace's own document
        (Case("IT", snapshot("IT", False), "SdI", deemed=True), ["en16931-cii"]),
        # row 16: PL -> PL business
        (Case("PL", snapshot("PL"), "KSeF"), ["en16931-cii", "ksef-fa3"]),
        # §1.3: German buyer - Factur-X by default, XRechnung when asked
        (Case("DE", snapshot("DE"), None), ["en16931-cii"]),
        (Case("DE", snapshot("DE", leitweg_id="04011000-12345-03"), None), ["en16931-cii", "xrechnung-3-cii"]),
        (Case("FR", snapshot("DE", xrechnung="cii"), None), ["en16931-cii", "xrechnung-3-cii"]),
        (
            Case("DE", snapshot("DE", leitweg_id="04011000-12345-03", xrechnung="ubl"), None),
            ["en16931-cii", "xrechnung-3-ubl"],
        ),
    ],
)
def test_decision_table(case: Case, expected: list[str]) -> None:
    assert formats(case) == expected


# --- recorded on the document, built from the record ---------------------------------------------------


LEITWEG = "04011000-12345-03"


def test_german_buyer_with_a_leitweg_id_gets_an_xrechnung_from_the_record() -> None:
    s = seller_from({**xr.LINDNER, "phone": xr.PHONE})
    kaiser = {k: v for k, v in xr.KAISER.items() if k != "xrechnung"}  # no syntax asked: the Leitweg-ID's CII
    inv = issue(paid(s, {**kaiser, "leitweg_id": LEITWEG}, [xr.DRILL]), s)
    assert inv.formats == ["en16931-cii", "xrechnung-3-cii"]
    assert inv.buyer.leitweg_id == LEITWEG
    xml = build("xrechnung-3-cii", inv)  # no option: everything from the record
    assert xr.problems(xml) == []
    assert xr.x(xml, "//ram:BuyerReference/text()") == [LEITWEG]
    cn = credit(inv, refund(inv, inv.totals.tax_inclusive), s)
    assert cn.formats == inv.formats
    assert xr.problems(build("xrechnung-3-cii", cn)) == []


def test_non_belgian_buyer_with_a_peppol_id() -> None:
    s = peppol.RETAILER
    buyer_data = {**de.BUSINESSES[1], "peppol_id": "0088:4000001000005"}
    inv = issue(paid(s, buyer_data, [peppol.line()]), s)
    assert inv.formats == ["en16931-cii", "peppol-bis-3"]
    xml = build("peppol-bis-3", inv)
    assert peppol.problems(xml) == []
    tree = etree.fromstring(xml)
    endpoint = tree.find(".//{*}AccountingCustomerParty/{*}Party/{*}EndpointID")
    assert endpoint is not None
    assert (endpoint.get("schemeID"), endpoint.text) == ("0088", "4000001000005")


def test_belgian_b2b_records_peppol() -> None:
    s = peppol.RETAILER
    inv = issue(paid(s, peppol.IMMO, [peppol.line()]), s)
    assert inv.formats == ["en16931-cii", "peppol-bis-3"]
    assert peppol.problems(build("peppol-bis-3", inv)) == []


def test_fatturapa_from_the_sdi_code_pec_and_province() -> None:
    s = fpa.SHOP
    business = fpa.COMPANY
    with_code = {**business, "sdi_code": "M5UXCR1", "address": {**business["address"], "province": "MI"}}
    inv = issue(paid(s, with_code, [fpa.GOODS]), s)
    assert inv.formats == ["en16931-cii", "fatturapa-fpr12"]
    xml = build("fatturapa-fpr12", inv)
    assert fpa.xsd_errors(xml) == []
    tree = etree.fromstring(xml)
    assert tree.findtext(".//CodiceDestinatario") == "M5UXCR1"
    assert tree.findtext(".//CessionarioCommittente/Sede/Provincia") == "MI"
    with_pec = {**business, "pec": "acquisti@pec.example.it"}
    xml = build("fatturapa-fpr12", issue(paid(s, with_pec, [fpa.GOODS]), s))
    assert fpa.xsd_errors(xml) == []
    tree = etree.fromstring(xml)
    assert tree.findtext(".//CodiceDestinatario") == "0000000"
    assert tree.findtext(".//PECDestinatario") == "acquisti@pec.example.it"


def test_old_records_without_formats_keep_todays_derivation() -> None:
    s = peppol.RETAILER
    inv = issue(paid(s, peppol.IMMO, [peppol.line()]), s)
    old = inv.model_copy(update={"formats": []})
    assert "formats" not in old.model_dump(mode="json")
    assert formats_for(old) == ["en16931-cii", "peppol-bis-3"]  # from legal_channel "Peppol"
    consumer = issue(paid(s, be.CONSUMERS[0], [peppol.line()]), s)
    assert formats_for(consumer.model_copy(update={"formats": []})) == ["en16931-cii"]
