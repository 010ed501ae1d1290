"""KSeF FA(3) 1-0E: documents of a Polish seller, issued through the real rules, against the Ministry of
Finance's XSD (``../shared/validation/pl-ksef-fa3``), with its base types resolved locally (never the
network). KSeF's own arithmetic has no offline artefact: the sums are checked here. Expected figures are
computed by hand in the comments (ustawa o VAT art. 41, art. 106e ust. 11 with art. 31a).
"""

from __future__ import annotations

import zipfile
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from typing import Any

import pytest
from lxml import etree

from mandat.demo.markets import de, pl
from mandat.domain.documents import Document
from mandat.domain.exchange import Rate
from mandat.domain.refusals import Rejected
from mandat.render.formats.ksef import NS, build
from tests.markets import credit, fixed_rates, issue, paid, refund, seller_from
from tests.official import VALIDATION, require

D = Decimal
FA3 = VALIDATION / "pl-ksef-fa3"
XSD = FA3 / "schemat_FA(3)_v1-0E.xsd"
EXAMPLES = FA3 / "examples" / "official-examples-fa3.zip"
N = {"f": NS}

RETAILER = seller_from(pl.SELLERS[0])  # Majsterkowo Sp. z o.o., NIP 5260250274, KRS 0000123456
COMPANY = pl.BUSINESSES[0]  # Budmax Sp. z o.o., PL9512345675
SOLE_TRADER = pl.BUSINESSES[1]  # NIP 7798765437 only
CONSUMER = pl.CONSUMERS[0]
FR_COMPANY: dict[str, Any] = {
    "kind": "business",
    "name": "Menuiserie Girard SARL",
    "address": {"line1": "14 avenue de la Gare", "postcode": "69003", "city": "Lyon", "country": "FR"},
    "vat_id": "FR64443061841",
    "siren": "443061841",
}
US_CONSUMER: dict[str, Any] = {
    "kind": "consumer",
    "name": "John Smith",
    "address": {"line1": "1 Main Street", "postcode": "10001", "city": "New York", "country": "US"},
}
NBP = fixed_rates(Rate("NBP", "EUR", "PLN", D("4.2345"), date(2026, 11, 18), "223/A/NBP/2026"))


class _LocalBase(etree.Resolver):
    """FA(3) imports its base types from crd.gov.pl: served from ``bazowe/`` instead."""

    def resolve(self, system_url: str, public_id: str, context: Any) -> Any:
        if not system_url.startswith(("http://", "https://")):
            return None
        local = FA3 / "bazowe" / system_url.rsplit("/", 1)[-1]
        if not local.is_file():
            raise OSError(f"FA(3) imports {system_url}, which has no local copy (no network)")
        return self.resolve_filename(str(local), context)


@cache
def _schema() -> etree.XMLSchema:
    require(XSD)
    parser = etree.XMLParser(no_network=True)
    parser.resolvers.add(_LocalBase())
    return etree.XMLSchema(etree.parse(str(XSD), parser))


def xsd_errors(xml: bytes) -> list[str]:
    schema = _schema()
    schema.validate(etree.fromstring(xml))
    return [e.message for e in schema.error_log]


def ksef_sum_errors(xml: bytes) -> list[str]:
    """KSeF's arithmetic: sum of P_13_x and P_14_x (not the PLN P_14_xW) = P_15; P_14_xW = round half
    up of P_14_x x KursWaluty."""
    fa = etree.fromstring(xml).find("f:Fa", N)
    assert fa is not None
    out = []
    parts = [D(el.text or "") for el in fa if etree.QName(el).localname.startswith(("P_13_", "P_14_"))
             and not etree.QName(el).localname.endswith("W")]  # fmt: skip
    if sum(parts, D(0)) != D(fa.findtext("f:P_15", namespaces=N) or ""):
        out.append(f"P_13 + P_14 = {sum(parts, D(0))} != P_15 {fa.findtext('f:P_15', namespaces=N)}")
    rates = {fa.findtext("f:FaWiersz/f:KursWaluty", namespaces=N)}
    for n in "123":
        w = fa.findtext(f"f:P_14_{n}W", namespaces=N)
        if w is None:
            continue
        rate = D(next(iter(rates)) or "")
        expected = (D(fa.findtext(f"f:P_14_{n}", namespaces=N) or "") * rate).quantize(D("0.01"), ROUND_HALF_UP)
        if D(w) != expected:
            out.append(f"P_14_{n}W {w} != {expected}")
    return out


def valid(doc: Document) -> bytes:
    xml = build(doc)
    assert xsd_errors(xml) == []
    assert ksef_sum_errors(xml) == []
    return xml


def x(xml: bytes, path: str) -> list[str]:
    return [str(v) for v in etree.fromstring(xml).xpath(path, namespaces=N)]


def line(category: str = "standard", qty: str = "3", price: str = "12.00", **more: Any) -> dict[str, Any]:
    return {"sku": "SKU-1", "description": "Artykuł", "quantity": qty, "unit_price": price, "tax_category": category,
            **more}  # fmt: skip


TWO_RATES = [line(qty="2", price="100.00"), line("intermediate", "1", "50.00", sku="SKU-2")]


def _documents() -> dict[str, Document]:
    flagged = [line(qty="1", price="12195.13", pl_annex15=True)]
    return {
        "pl_b2b_23_8": issue(paid(RETAILER, COMPANY, TWO_RATES), RETAILER),
        "pl_sole_trader": issue(paid(RETAILER, SOLE_TRADER, [line()]), RETAILER),
        "pl_b2b_eur": issue(paid(RETAILER, COMPANY, TWO_RATES, currency="EUR"), RETAILER, NBP),
        "intra_eu_k": issue(paid(RETAILER, FR_COMPANY, [line(qty="2", price="125.00")]), RETAILER),
        "split_payment": issue(paid(RETAILER, COMPANY, flagged), RETAILER),
        "pl_b2c": issue(paid(RETAILER, CONSUMER, [line()]), RETAILER),
        "export_b2c": issue(paid(RETAILER, US_CONSUMER, [line(qty="2", price="150.00")]), RETAILER),
        "services_to_eu_business": issue(
            paid(RETAILER, FR_COMPANY, [line(qty="1", price="100.00", nature="service")]), RETAILER
        ),
    }


DOCUMENTS = list(_documents())


@pytest.mark.parametrize("name", DOCUMENTS)
def test_invoice_and_its_full_credit_note_pass_the_xsd_and_ksef_sums(name: str) -> None:
    inv = _documents()[name]
    xml = valid(inv)
    assert x(xml, "/f:Faktura/f:Fa/f:RodzajFaktury/text()") == ["VAT"]
    cn = credit(inv, refund(inv, str(inv.totals.tax_inclusive)), RETAILER)
    cxml = valid(cn)
    assert x(cxml, "/f:Faktura/f:Fa/f:RodzajFaktury/text()") == ["KOR"]
    # The correction is the difference: the invoice's total, negated.
    assert x(cxml, "/f:Faktura/f:Fa/f:P_15/text()") == [f"-{x(xml, '/f:Faktura/f:Fa/f:P_15/text()')[0]}"]


def test_build_is_deterministic() -> None:
    doc = _documents()["pl_b2b_eur"]
    assert build(doc) == build(doc)


# --- the mandate ------------------------------------------------------------------------------


def test_the_marketplace_is_podmiot3_invoice_issuer_never_self_billing() -> None:
    xml = valid(_documents()["pl_b2b_23_8"])
    # Brico Market SAS, FR44732829320, 12 rue des Artisans, 69002 Lyon: Rola 5 "Wystawca faktury".
    assert len(x(xml, "/f:Faktura/f:Podmiot3")) == 1
    assert x(xml, "/f:Faktura/f:Podmiot3/f:Rola/text()") == ["5"]
    assert x(xml, "/f:Faktura/f:Podmiot3/f:DaneIdentyfikacyjne/f:KodUE/text()") == ["FR"]
    assert x(xml, "/f:Faktura/f:Podmiot3/f:DaneIdentyfikacyjne/f:NrVatUE/text()") == ["44732829320"]
    assert x(xml, "/f:Faktura/f:Podmiot3/f:DaneIdentyfikacyjne/f:Nazwa/text()") == ["Brico Market SAS"]
    assert x(xml, "/f:Faktura/f:Podmiot3/f:Adres/f:KodKraju/text()") == ["FR"]
    assert x(xml, "/f:Faktura/f:Fa/f:Adnotacje/f:P_17/text()") == ["2"]  # not "samofakturowanie"
    # The seller stays the taxpayer (Podmiot1), the buyer the buyer (Podmiot2).
    assert x(xml, "/f:Faktura/f:Podmiot1/f:DaneIdentyfikacyjne/f:NIP/text()") == ["5260250274"]
    assert x(xml, "/f:Faktura/f:Podmiot2/f:DaneIdentyfikacyjne/f:NIP/text()") == ["9512345675"]
    assert x(xml, "/f:Faktura/f:Naglowek/f:DataWytworzeniaFa/text()") == ["2026-11-20T09:00:00Z"]


def test_amounts_per_rate_for_a_polish_business() -> None:
    xml = valid(_documents()["pl_b2b_23_8"])
    # 2 x 100.00 = 200.00 at 23 %: 46.00; 50.00 at 8 %: 4.00; total 250.00 + 50.00 = 300.00.
    fa = "/f:Faktura/f:Fa/"
    assert [x(xml, fa + f"f:{f}/text()") for f in ("P_13_1", "P_14_1", "P_13_2", "P_14_2", "P_15")] == [
        ["200.00"],
        ["46.00"],
        ["50.00"],
        ["4.00"],
        ["300.00"],
    ]
    assert x(xml, fa + "f:P_14_1W/text()") == []  # PLN invoice: no conversion
    assert x(xml, fa + "f:FaWiersz/f:P_12/text()") == ["23", "8"]
    assert x(xml, fa + "f:P_6/text()") == ["2026-11-19"]  # delivered the day before the invoice


# --- currency ---------------------------------------------------------------------------------


def test_eur_invoice_states_its_vat_in_pln_per_rate() -> None:
    xml = valid(_documents()["pl_b2b_eur"])
    # NBP 223/A/NBP/2026 of 2026-11-18, 4.2345 (art. 31a ust. 1: the working day before the tax point):
    #   23 %: 46.00 EUR x 4.2345 = 194.787 -> 194.79 PLN;  8 %: 4.00 EUR x 4.2345 = 16.938 -> 16.94 PLN
    fa = "/f:Faktura/f:Fa/"
    assert x(xml, fa + "f:KodWaluty/text()") == ["EUR"]
    assert x(xml, fa + "f:P_14_1/text()") == ["46.00"]
    assert x(xml, fa + "f:P_14_1W/text()") == ["194.79"]
    assert x(xml, fa + "f:P_14_2W/text()") == ["16.94"]
    assert x(xml, fa + "f:FaWiersz/f:KursWaluty/text()") == ["4.2345", "4.2345"]


def test_eur_credit_note_takes_back_the_pln_vat() -> None:
    inv = _documents()["pl_b2b_eur"]
    cn = valid(credit(inv, refund(inv, "300.00"), RETAILER))
    # The same 194.79 and 16.94 PLN, negative: the correction's difference (art. 106j ust. 2 pkt 5).
    assert x(cn, "/f:Faktura/f:Fa/f:P_14_1W/text()") == ["-194.79"]
    assert x(cn, "/f:Faktura/f:Fa/f:P_14_2W/text()") == ["-16.94"]


def test_foreign_currency_without_pln_vat_is_refused() -> None:
    doc = _documents()["pl_b2b_eur"].model_copy(update={"exchange": None})
    with pytest.raises(Rejected) as exc:
        build(doc)
    assert exc.value.code == "ksef_pln_vat_missing"
    assert "106e ust. 11" in exc.value.reason


# --- cross-border and special cases -----------------------------------------------------------


def test_intra_eu_supply_is_0_wdt_with_the_buyers_eu_vat_number() -> None:
    xml = valid(_documents()["intra_eu_k"])
    # 2 x 125.00 = 250.00 PLN at 0 % (art. 42): P_13_6_2, no VAT, the buyer by KodUE + NrVatUE.
    assert x(xml, "/f:Faktura/f:Podmiot1/f:PrefiksPodatnika/text()") == ["PL"]
    assert x(xml, "/f:Faktura/f:Podmiot2/f:DaneIdentyfikacyjne/f:KodUE/text()") == ["FR"]
    assert x(xml, "/f:Faktura/f:Podmiot2/f:DaneIdentyfikacyjne/f:NrVatUE/text()") == ["64443061841"]
    assert x(xml, "/f:Faktura/f:Fa/f:P_13_6_2/text()") == ["250.00"]
    assert x(xml, "/f:Faktura/f:Fa/f:P_15/text()") == ["250.00"]
    assert x(xml, "/f:Faktura/f:Fa/f:FaWiersz/f:P_12/text()") == ["0 WDT"]
    assert x(xml, "/f:Faktura/f:Fa/f:Adnotacje/f:P_18/text()") == ["2"]  # a 0 % supply, not reverse charge


def test_services_to_an_eu_business_are_np_ii_reverse_charge() -> None:
    xml = valid(_documents()["services_to_eu_business"])
    # art. 28b: taxed where the buyer is; art. 100 ust. 1 pkt 4 -> P_13_9 "np II", "odwrotne obciążenie".
    assert x(xml, "/f:Faktura/f:Fa/f:P_13_9/text()") == ["100.00"]
    assert x(xml, "/f:Faktura/f:Fa/f:FaWiersz/f:P_12/text()") == ["np II"]
    assert x(xml, "/f:Faktura/f:Fa/f:Adnotacje/f:P_18/text()") == ["1"]


def test_export_to_a_consumer_is_0_ex_without_id() -> None:
    xml = valid(_documents()["export_b2c"])
    # 2 x 150.00 = 300.00 PLN, 0 % export (art. 41 ust. 4).
    assert x(xml, "/f:Faktura/f:Fa/f:P_13_6_3/text()") == ["300.00"]
    assert x(xml, "/f:Faktura/f:Podmiot2/f:DaneIdentyfikacyjne/f:BrakID/text()") == ["1"]


def test_split_payment_above_15000_pln_with_an_annex15_line() -> None:
    xml = valid(_documents()["split_payment"])
    # 12,195.13 x 0.23 = 2,804.8799 -> 2,804.88; 15,000.01 gross > 15,000 (art. 108a ust. 1a).
    assert x(xml, "/f:Faktura/f:Fa/f:P_15/text()") == ["15000.01"]
    assert x(xml, "/f:Faktura/f:Fa/f:Adnotacje/f:P_18A/text()") == ["1"]
    plain = valid(_documents()["pl_b2b_23_8"])
    assert x(plain, "/f:Faktura/f:Fa/f:Adnotacje/f:P_18A/text()") == ["2"]


def test_sole_trader_is_identified_by_nip_alone() -> None:
    xml = valid(_documents()["pl_sole_trader"])
    assert x(xml, "/f:Faktura/f:Podmiot2/f:DaneIdentyfikacyjne/f:NIP/text()") == ["7798765437"]


# --- credit note ------------------------------------------------------------------------------


def test_credit_note_is_kor_naming_the_invoice_without_its_ksef_number() -> None:
    inv = _documents()["pl_b2b_23_8"]
    cn = credit(inv, refund(inv, "300.00"), RETAILER)
    xml = valid(cn)
    fa = "/f:Faktura/f:Fa/"
    assert x(xml, fa + "f:RodzajFaktury/text()") == ["KOR"]
    assert x(xml, fa + "f:P_2/text()") == ["KOR-PLMAJ-000001"]
    assert x(xml, fa + "f:DaneFaKorygowanej/f:NrFaKorygowanej/text()") == ["FV-PLMAJ-000001"]
    assert x(xml, fa + "f:DaneFaKorygowanej/f:DataWystFaKorygowanej/text()") == ["2026-11-20"]
    assert x(xml, fa + "f:DaneFaKorygowanej/f:NrKSeFN/text()") == ["1"]
    # Differences: -200.00 / -46.00 at 23 %, -50.00 / -4.00 at 8 %, -300.00 in all.
    assert [x(xml, fa + f"f:{f}/text()") for f in ("P_13_1", "P_14_1", "P_13_2", "P_14_2", "P_15")] == [
        ["-200.00"],
        ["-46.00"],
        ["-50.00"],
        ["-4.00"],
        ["-300.00"],
    ]
    assert x(xml, fa + "f:FaWiersz/f:P_8B/text()") == ["-2", "-1"]
    assert x(xml, fa + "f:FaWiersz/f:P_9A/text()") == ["100", "50"]
    assert x(xml, fa + "f:FaWiersz/f:P_11/text()") == ["-200.00", "-50.00"]
    assert x(xml, "/f:Faktura/f:Podmiot3/f:Rola/text()") == ["5"]
    assert x(xml, fa + "f:Platnosc") == []  # nothing was paid against a correction


def test_credit_note_with_the_known_ksef_number() -> None:
    inv = _documents()["pl_b2b_23_8"]
    cn = credit(inv, refund(inv, "300.00"), RETAILER)
    xml = build(cn, corrected_ksef_number="5260250274-20261120-8BEF280C8D35-4D")
    assert xsd_errors(xml) == []
    data = "/f:Faktura/f:Fa/f:DaneFaKorygowanej/"
    assert x(xml, data + "f:NrKSeF/text()") == ["1"]
    assert x(xml, data + "f:NrKSeFFaKorygowanej/text()") == ["5260250274-20261120-8BEF280C8D35-4D"]
    assert x(xml, data + "f:NrKSeFN") == []


def test_partial_credit_note_of_one_unit() -> None:
    inv = issue(paid(RETAILER, COMPANY, [line()]), RETAILER)
    scope = {"kind": "lines", "lines": [{"sku": "SKU-1", "quantity": "1"}]}
    # One unit of 12.00 at 23 %: 2.76 VAT, 14.76 gross.
    xml = valid(credit(inv, refund(inv, "14.76", scope), RETAILER))
    assert x(xml, "/f:Faktura/f:Fa/f:P_13_1/text()") == ["-12.00"]
    assert x(xml, "/f:Faktura/f:Fa/f:P_14_1/text()") == ["-2.76"]
    assert x(xml, "/f:Faktura/f:Fa/f:P_15/text()") == ["-14.76"]


# --- refusals, official examples, a broken document -------------------------------------------


def test_a_document_under_another_countrys_rules_is_refused() -> None:
    seller = seller_from(de.SELLERS[0])
    doc = issue(paid(seller, de.BUSINESSES[1], [line()]), seller)
    with pytest.raises(Rejected) as exc:
        build(doc)
    assert exc.value.code == "ksef_not_polish"


def test_inconsistent_totals_are_refused_not_sent() -> None:
    doc = _documents()["pl_b2b_23_8"]
    wrong = doc.model_copy(update={"totals": doc.totals.model_copy(update={"tax_inclusive": D("300.01")})})
    with pytest.raises(Rejected) as exc:
        build(wrong)
    assert exc.value.code == "ksef_totals_mismatch"


def _official_examples() -> list[tuple[str, bytes]]:
    require(EXAMPLES)
    with zipfile.ZipFile(EXAMPLES) as z:
        return [(n, z.read(n)) for n in z.namelist() if n.lower().endswith(".xml")]


def test_the_official_examples_validate_with_the_same_schema() -> None:
    examples = _official_examples()
    assert len(examples) == 26  # 25 examples and a re-issued no. 22
    assert {n: xsd_errors(xml) for n, xml in examples} == {n: [] for n, _ in examples}


def test_a_broken_document_fails_with_the_expected_xsd_message() -> None:
    root = etree.fromstring(build(_documents()["pl_b2b_23_8"]))
    rola = root.find("f:Podmiot3/f:Rola", N)
    assert rola is not None
    rola.text = "12"  # no such role
    errors = xsd_errors(etree.tostring(root))
    assert len(errors) == 1
    assert f"Element '{{{NS}}}Rola'" in errors[0]
    assert "[facet 'enumeration'] The value '12' is not an element of the set" in errors[0]
    # A missing mandatory element is named too.
    root = etree.fromstring(build(_documents()["pl_b2b_23_8"]))
    fa = root.find("f:Fa", N)
    assert fa is not None
    fa.remove(fa.find("f:P_2", N))
    errors = xsd_errors(etree.tostring(root))
    assert any("P_2" in e and "Expected is" in e for e in errors), errors


def test_sum_check_catches_a_wrong_pln_conversion() -> None:
    xml = build(_documents()["pl_b2b_eur"]).replace(b"<P_14_1W>194.79<", b"<P_14_1W>194.78<")
    assert ksef_sum_errors(xml) == ["P_14_1W 194.78 != 194.79"]
