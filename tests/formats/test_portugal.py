"""Portugal: ATCUD, the AT QR code string and the signed chain, on documents issued through the real rules.

Expected strings are written by hand from the specifications, never read from the module:
* QR code: AT "Especificações Técnicas Código QR" (Portaria 195/2020 art. 4): ``key:value`` joined by
  ``*``; A seller NIF, B buyer NIF (999999990 for a consumer without one), C buyer country, D type,
  E status, F date YYYYMMDD, G SAF-T InvoiceNo, H ATCUD, I1 "PT", I2 exempt base, I3/I4 6 %, I5/I6 13 %,
  I7/I8 23 % (base/VAT), L not subject, N total taxes, O total with taxes, Q 4 hash characters,
  R certificate number; amounts with two decimals and '.'.
* Signature: Despacho 8632/2014: RSA-SHA1 PKCS#1 v1.5 over
  ``InvoiceDate;SystemEntryDate;InvoiceNo;GrossTotal;PreviousHash``, base64; the printed characters are
  the 1st, 11th, 21st and 31st of it. The signature is checked against OpenSSL, an independent signer.

The documents: ``tests/fixtures/pt-test-key.pem`` is a throwaway RSA-1024 key made for these tests only.
Figures: VAT per rate = round(base x rate) half-up (CIVA art. 18 n.º 1: 23 %, 13 %, 6 %).
"""

from __future__ import annotations

import base64
import doctest
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

from mandat.demo.markets import es
from mandat.demo.markets import pt as demo
from mandat.domain.documents import Document, Totals, VatBreakdown
from mandat.domain.refusals import Rejected
from mandat.render.formats import portugal as pt
from tests.markets import NOW, credit, drafted, issue, paid, refund, seller_from

D = Decimal
KEY_PATH = Path(__file__).resolve().parents[1] / "fixtures" / "pt-test-key.pem"
KEY = pt.SigningKey.from_path(KEY_PATH)
RETAILER = seller_from(demo.SELLERS[0])  # Casa & Jardim Lisboa, Lda., NIF 512345678, series FT / NC
INSTALLER = seller_from(demo.SELLERS[1])  # Obras Norte Remodelações, S.A., NIF 509876544
CONSUMER = demo.CONSUMERS[0]  # no NIF
CONSUMER_WITH_NIF = demo.CONSUMERS[1]  # NIF 213456788
COMPANY = demo.BUSINESSES[0]  # PT517880016, right to deduct
FR_COMPANY: dict[str, Any] = {
    "kind": "business",
    "name": "Menuiserie Girard SARL",
    "address": {"line1": "14 avenue de la Gare", "postcode": "69003", "city": "Lyon", "country": "FR"},
    "vat_id": "FR64443061841",
}
US_CONSUMER: dict[str, Any] = {
    "kind": "consumer",
    "name": "John Smith",
    "address": {"line1": "1 Main Street", "postcode": "10001", "city": "New York", "country": "US"},
}
CODE = "ABCD1234"  # a validation code as the AT returns one (8 characters)


def line(category: str = "standard", qty: str = "3", price: str = "12.00", sku: str = "SKU-1") -> dict[str, Any]:
    return {"sku": sku, "description": "Artigo", "quantity": qty, "unit_price": price, "tax_category": category}


# 3 x 12.00 = 36.00 at 23 % -> 8.28; 1 x 10.00 at 6 % -> 0.60; 2 x 5.00 = 10.00 at 13 % -> 1.30;
# bases 56.00, VAT 10.18, total 66.18.
THREE_RATES = [line(), line("reduced", "1", "10.00", "SKU-2"), line("intermediate", "2", "5.00", "SKU-3")]


def three_rates(buyer: dict[str, Any]) -> Document:
    return issue(paid(RETAILER, buyer, THREE_RATES), RETAILER)


def qr(doc: Document, hash4: str = "AbC9") -> str:
    return pt.qr_string(doc, atcud=pt.atcud(CODE, doc.seq), hash4=hash4, certificate="9999")


@contextmanager
def refused(code: str) -> Iterator[None]:
    with pytest.raises(Rejected) as exc:
        yield
    assert exc.value.code == code, exc.value


# --- ATCUD -------------------------------------------------------------------------------------------


def test_atcud_is_the_validation_code_and_the_sequential_number() -> None:
    assert pt.atcud("CSDF7T5H", 35) == "CSDF7T5H-35"
    assert pt.printed_atcud(pt.atcud("CSDF7T5H", 35)) == "ATCUD:CSDF7T5H-35"


@pytest.mark.parametrize("code", ["ABC1234", "", "ABCD-1234", "ABCD 1234", "ABCDÉ1234"])
def test_a_validation_code_the_at_does_not_issue_is_refused(code: str) -> None:
    with refused("pt_atcud_code"):
        pt.atcud(code, 1)


def test_a_sequential_number_below_one_is_refused() -> None:
    with refused("pt_atcud_code"):
        pt.atcud(CODE, 0)


# --- the QR code, every field by hand ------------------------------------------------------------------


def test_qr_of_a_b2b_invoice_at_three_rates() -> None:
    doc = three_rates(COMPANY)
    assert qr(doc) == (
        "A:512345678*B:517880016*C:PT*D:FR*E:N*F:20261120*G:FR FT/1*H:ABCD1234-1*I1:PT"
        "*I3:10.00*I4:0.60*I5:10.00*I6:1.30*I7:36.00*I8:8.28*N:10.18*O:66.18*Q:AbC9*R:9999"
    )


def test_qr_of_a_consumer_without_nif_says_999999990() -> None:
    doc = three_rates(CONSUMER)
    assert qr(doc) == (
        "A:512345678*B:999999990*C:PT*D:FR*E:N*F:20261120*G:FR FT/1*H:ABCD1234-1*I1:PT"
        "*I3:10.00*I4:0.60*I5:10.00*I6:1.30*I7:36.00*I8:8.28*N:10.18*O:66.18*Q:AbC9*R:9999"
    )


def test_qr_of_a_consumer_who_gave_her_nif() -> None:
    # 1 x 10.00 including VAT at 23 %: 8.13 + 1.87 (tests/law/test_pt_domestic.py INCLUSIVE)
    doc = issue(paid(RETAILER, CONSUMER_WITH_NIF, [line(qty="1", price="10.00")], include_vat=True), RETAILER)
    assert qr(doc) == (
        "A:512345678*B:213456788*C:PT*D:FR*E:N*F:20261120*G:FR FT/1*H:ABCD1234-1*I1:PT"
        "*I7:8.13*I8:1.87*N:1.87*O:10.00*Q:AbC9*R:9999"
    )


def test_qr_of_a_partial_credit_note() -> None:
    inv = three_rates(COMPANY)
    # one of the three 12.00 at 23 %: 12.00 + 2.76 = 14.76, amounts positive on an NC
    cn = credit(inv, refund(inv, "14.76", {"kind": "lines", "lines": [{"sku": "SKU-1", "quantity": "1"}]}), RETAILER)
    assert qr(cn) == (
        "A:512345678*B:517880016*C:PT*D:NC*E:N*F:20261120*G:NC NC/1*H:ABCD1234-1*I1:PT"
        "*I7:12.00*I8:2.76*N:2.76*O:14.76*Q:AbC9*R:9999"
    )


def test_qr_of_a_full_credit_note_to_a_consumer() -> None:
    inv = three_rates(CONSUMER)
    cn = credit(inv, refund(inv, "66.18"), RETAILER)
    assert qr(cn) == (
        "A:512345678*B:999999990*C:PT*D:NC*E:N*F:20261120*G:NC NC/1*H:ABCD1234-1*I1:PT"
        "*I3:10.00*I4:0.60*I5:10.00*I6:1.30*I7:36.00*I8:8.28*N:10.18*O:66.18*Q:AbC9*R:9999"
    )


def test_qr_of_an_intra_eu_supply_puts_the_exempt_base_in_i2() -> None:
    # RITI art. 14: 2 x 125.00 = 250.00 exempt; the buyer's VAT number without its "FR" prefix
    doc = issue(paid(RETAILER, FR_COMPANY, [line(qty="2", price="125.00")]), RETAILER)
    assert qr(doc) == (
        "A:512345678*B:64443061841*C:FR*D:FR*E:N*F:20261120*G:FR FT/1*H:ABCD1234-1*I1:PT"
        "*I2:250.00*N:0.00*O:250.00*Q:AbC9*R:9999"
    )


def test_qr_of_an_export_to_a_consumer() -> None:
    # CIVA art. 14: 2 x 150.00 = 300.00 exempt, buyer country US
    doc = issue(paid(RETAILER, US_CONSUMER, [line(qty="2", price="150.00")]), RETAILER)
    assert qr(doc) == (
        "A:512345678*B:999999990*C:US*D:FR*E:N*F:20261120*G:FR FT/1*H:ABCD1234-1*I1:PT"
        "*I2:300.00*N:0.00*O:300.00*Q:AbC9*R:9999"
    )


def test_qr_of_reverse_charged_works() -> None:
    # CIVA art. 2 n.º 1 j): labour 820.00 + materials 180.00 = 1000.00, no VAT charged
    lines, works = demo.WORKS[0]
    doc = issue(paid(INSTALLER, COMPANY, lines, works=works), INSTALLER)
    assert qr(doc) == (
        "A:509876544*B:517880016*C:PT*D:FR*E:N*F:20261120*G:FR FT/1*H:ABCD1234-1*I1:PT"
        "*I2:1000.00*N:0.00*O:1000.00*Q:AbC9*R:9999"
    )


def test_qr_of_a_franchise_seller() -> None:
    # CIVA art. 53: a sole trader, NIF 213456788, 3 x 12.00 = 36.00 exempt
    seller = seller_from(
        {**demo.SELLERS[0], "id": "pt-artesao", "code": "PTART", "legal_name": "Manuel Costa", "vat_id": None,
         "tax_number": "213456788", "company_id": None, "legal_form": None, "share_capital": None,
         "trade_register": None, "vat_regime": "franchise"}
    )  # fmt: skip
    doc = issue(paid(seller, CONSUMER, [line()]), seller)
    assert qr(doc) == (
        "A:213456788*B:999999990*C:PT*D:FR*E:N*F:20261120*G:FR FT/1*H:ABCD1234-1*I1:PT"
        "*I2:36.00*N:0.00*O:36.00*Q:AbC9*R:9999"
    )


def test_qr_of_a_document_outside_the_scope_of_vat_has_no_fiscal_space() -> None:
    # A record with only a not-subject base: I1 "0" (no VAT rate), the base in L.
    doc = three_rates(COMPANY)
    doc = doc.model_copy(
        update={
            "vat_breakdown": [VatBreakdown(category="O", rate=D("0"), taxable_amount=D("40.00"), tax_amount=D("0"))],
            "totals": _totals(D("40.00"), D("0.00")),
        }
    )
    assert qr(doc) == (
        "A:512345678*B:517880016*C:PT*D:FR*E:N*F:20261120*G:FR FT/1*H:ABCD1234-1*I1:0"
        "*L:40.00*N:0.00*O:40.00*Q:AbC9*R:9999"
    )


def _totals(net: Decimal, vat: Decimal) -> Totals:
    gross = net + vat
    return Totals(line_total=net, allowance_total=D("0.00"), charge_total=D("0.00"), tax_exclusive=net,
                  tax_total=vat, tax_inclusive=gross, prepaid=gross, payable=D("0.00"))  # fmt: skip


def test_qr_is_deterministic() -> None:
    doc = three_rates(COMPANY)
    assert qr(doc) == qr(three_rates(COMPANY).model_copy(update={"id": doc.id}))


# --- what the QR code cannot carry is refused ------------------------------------------------------------


def test_a_rate_that_is_not_a_mainland_rate_is_refused() -> None:
    doc = issue(paid(RETAILER, COMPANY, [line()]), RETAILER)
    vb = doc.vat_breakdown[0].model_copy(update={"rate": D("22")})
    with refused("pt_vat_unplaced"):
        qr(doc.model_copy(update={"vat_breakdown": [vb]}))


def test_a_zero_rated_category_portugal_does_not_have_is_refused() -> None:
    doc = issue(paid(RETAILER, COMPANY, [line()]), RETAILER)
    vb = VatBreakdown(category="Z", rate=D("0"), taxable_amount=D("36.00"), tax_amount=D("0.00"))
    with refused("pt_vat_unplaced"):
        qr(doc.model_copy(update={"vat_breakdown": [vb], "totals": _totals(D("36.00"), D("0.00"))}))


def test_a_breakdown_that_disagrees_with_the_totals_is_refused() -> None:
    doc = issue(paid(RETAILER, COMPANY, [line()]), RETAILER)
    with refused("pt_totals_inconsistent"):
        qr(doc.model_copy(update={"totals": _totals(D("36.00"), D("8.29"))}))


def test_vat_of_another_country_is_refused() -> None:
    doc = issue(paid(RETAILER, CONSUMER, [line()]), RETAILER)
    with refused("pt_not_portuguese"):
        qr(doc.model_copy(update={"taxed_in": "ES", "scheme": "oss"}))
    seller = seller_from(es.SELLERS[0])
    spanish = issue(paid(seller, es.CONSUMERS[0], [line()]), seller)
    with refused("pt_not_portuguese"):
        qr(spanish)
    with refused("pt_not_portuguese"):
        pt.signature_message(spanish, "")


def test_another_currency_is_refused() -> None:
    doc = issue(paid(RETAILER, CONSUMER, [line()]), RETAILER)
    with refused("pt_currency"):
        qr(doc.model_copy(update={"currency": "USD"}))


def test_an_invoice_with_an_amount_due_is_not_a_fatura_recibo() -> None:
    doc = issue(paid(RETAILER, CONSUMER, [line()]), RETAILER)
    with refused("pt_document_type"):
        pt.document_type(doc.model_copy(update={"totals": doc.totals.model_copy(update={"payable": D("1.00")})}))


@pytest.mark.parametrize("series", ["F T", "F/T"])
def test_a_series_the_saft_number_cannot_hold_is_refused(series: str) -> None:
    doc = issue(paid(RETAILER, CONSUMER, [line()]), RETAILER)
    with refused("pt_series_invalid"):
        pt.invoice_no(doc.model_copy(update={"series": series}))


@pytest.mark.parametrize("certificate", ["", "12345", "A999"])
def test_a_certificate_number_the_at_does_not_give_is_refused(certificate: str) -> None:
    doc = issue(paid(RETAILER, CONSUMER, [line()]), RETAILER)
    with refused("pt_certificate"):
        pt.qr_string(doc, atcud=pt.atcud(CODE, 1), hash4="AbC9", certificate=certificate)


def test_an_atcud_of_another_document_or_a_short_hash_is_refused() -> None:
    doc = issue(paid(RETAILER, CONSUMER, [line()]), RETAILER)
    with refused("pt_atcud_code"):
        pt.qr_string(doc, atcud=pt.atcud(CODE, 2), hash4="AbC9", certificate="9999")
    with refused("pt_atcud_code"):
        pt.qr_string(doc, atcud="ATCUD:ABCD1234-1", hash4="AbC9", certificate="9999")
    with refused("pt_signature"):
        pt.qr_string(doc, atcud=pt.atcud(CODE, 1), hash4="AbC", certificate="9999")


# --- the signed message ----------------------------------------------------------------------------------


def test_signature_message_of_the_first_document_of_a_series() -> None:
    assert pt.invoice_no(three_rates(COMPANY)) == "FR FT/1"
    assert pt.signature_message(three_rates(COMPANY), "") == "2026-11-20;2026-11-20T09:00:00;FR FT/1;66.18;"


def test_signature_message_is_in_lisbon_time_in_summer() -> None:
    # 2026-07-01 23:30:15 UTC is 2026-07-02 00:30:15 in Lisbon (WEST, UTC+1): the next day, in both dates.
    doc = drafted(paid(RETAILER, COMPANY, THREE_RATES), RETAILER).finalize(
        7, datetime(2026, 7, 1, 23, 30, 15, 999999, tzinfo=UTC), "0" * 64
    )
    assert pt.signature_message(doc, "prev==") == "2026-07-02;2026-07-02T00:30:15;FR FT/7;66.18;prev=="


def test_a_credit_note_message_uses_its_own_type_and_series() -> None:
    inv = three_rates(CONSUMER)
    cn = credit(inv, refund(inv, "66.18"), RETAILER)
    assert pt.signature_message(cn, "") == "2026-11-20;2026-11-20T09:00:00;NC NC/1;66.18;"


def test_dates_that_disagree_are_refused() -> None:
    doc = three_rates(COMPANY)
    with refused("pt_dates_inconsistent"):
        pt.signature_message(doc.model_copy(update={"issue_date": doc.issue_date - timedelta(days=1)}), "")


# --- the signature ---------------------------------------------------------------------------------------

# A signature of the test key (base64, 172 characters); its printed characters picked by hand:
# "CvTjZTEc7N" "Eohe5lQOmb" "NEfF4jcfJb" "/yXLpp..." -> 1st C, 11th E, 21st N, 31st /.
LITERAL = (
    "CvTjZTEc7NEohe5lQOmbNEfF4jcfJb/yXLpplIeM7lmIKREE79NiQOZcurbd0F9p4+efamFp5FRwg6oSCuThqEpKu1mFoxX7ieanTJSrAiXD"
    "+M4uoCLk8QKfe0Lfc+i4/f27SibtcF2eiwXAgTEfuh5MPQUZ9mtDoVNzd9H61Fk="
)


def test_hash_characters_are_the_1st_11th_21st_and_31st() -> None:
    assert len(LITERAL) == 172
    assert pt.hash_chars(LITERAL) == "CEN/"
    assert pt.certificate_mention("CEN/", "9999") == "CEN/-Processado por programa certificado n.º 9999/AT"
    with refused("pt_signature"):
        pt.hash_chars(LITERAL[:30])


def test_the_literal_signature_is_the_test_keys_over_the_first_message() -> None:
    # Signed once from "2026-11-20;2026-11-20T09:00:00;FR FT/1;29.90;" (23 % on 20.00 + 6 % on 5.00).
    public = KEY.public_pem()
    assert pt.verify("2026-11-20;2026-11-20T09:00:00;FR FT/1;29.90;", LITERAL, public)
    assert not pt.verify("2026-11-20;2026-11-20T09:00:00;FR FT/1;29.91;", LITERAL, public)
    assert not pt.verify("2026-11-20;2026-11-20T09:00:00;FR FT/1;29.90;", "not base64!", public)


def test_the_signature_verifies_with_the_test_keys_public_key() -> None:
    message = pt.signature_message(three_rates(COMPANY), "")
    signature = pt.sign(message, KEY_PATH.read_bytes())
    assert len(signature) == 172  # 1024 bits, base64
    # The public key derived here, the check done by the library directly: RSA PKCS#1 v1.5, SHA-1.
    private = serialization.load_pem_private_key(KEY_PATH.read_bytes(), password=None)
    assert isinstance(private, rsa.RSAPrivateKey)
    private.public_key().verify(base64.b64decode(signature), message.encode(), padding.PKCS1v15(), hashes.SHA1())
    assert pt.verify(message, signature, KEY.public_pem())
    assert pt.sign(message, KEY_PATH.read_bytes()) == signature == KEY.sign(message)  # deterministic


@pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl not installed")
def test_the_signature_is_what_openssl_computes(tmp_path: Path) -> None:
    # An independent signer: `openssl dgst -sha1 -sign` is RSA PKCS#1 v1.5 over the SHA-1 digest.
    message = "2026-11-20;2026-11-20T09:00:00;FR FT/1;66.18;"
    (tmp_path / "m.txt").write_bytes(message.encode())
    out = subprocess.run(
        ["openssl", "dgst", "-sha1", "-sign", str(KEY_PATH), str(tmp_path / "m.txt")],
        capture_output=True,
        check=True,
    ).stdout
    assert pt.sign(message, KEY_PATH.read_bytes()) == base64.b64encode(out).decode()


# --- the chain -------------------------------------------------------------------------------------------


def two_invoices() -> tuple[Document, Document]:
    first = drafted(paid(RETAILER, COMPANY, THREE_RATES, ref="0001"), RETAILER).finalize(1, NOW, "0" * 64)
    # 3 x 12.00 at 23 %: 36.00 + 8.28 = 44.28
    second = drafted(paid(RETAILER, COMPANY, [line()], ref="0002"), RETAILER).finalize(
        2, NOW + timedelta(minutes=5), first.hash
    )
    return first, second


def test_the_second_document_signs_the_first_ones_signature() -> None:
    first, second = two_invoices()
    s1 = pt.sign_document(first, KEY, None)
    assert s1.message == "2026-11-20;2026-11-20T09:00:00;FR FT/1;66.18;"
    assert s1.invoice_no == "FR FT/1"
    assert s1.document_id == first.id
    assert s1.link == pt.Link("512345678", "FR", "FT", 1, s1.signature)
    assert s1.hash4 == s1.signature[0] + s1.signature[10] + s1.signature[20] + s1.signature[30]
    s2 = pt.sign_document(second, KEY, s1.link)
    assert s2.message == f"2026-11-20;2026-11-20T09:05:00;FR FT/2;44.28;{s1.signature}"
    assert pt.verify(s2.message, s2.signature, KEY.public_pem())
    assert pt.sign_document(second, KEY, s1.link) == s2  # deterministic
    assert pt.chain_of(second) == ("512345678", "FR", "FT")


def test_the_chain_refuses_a_missing_or_foreign_previous_link() -> None:
    first, second = two_invoices()
    s1 = pt.sign_document(first, KEY, None)
    with refused("pt_chain"):
        pt.sign_document(second, KEY, None)  # number 2 without number 1
    with refused("pt_chain"):
        pt.sign_document(second, KEY, pt.Link("512345678", "FR", "FT", 3, s1.signature))
    cn = credit(first, refund(first, "66.18"), RETAILER)
    with refused("pt_chain"):
        pt.sign_document(cn, KEY, s1.link)  # NC NC is another chain than FR FT
    assert pt.sign_document(cn, KEY, None).message == "2026-11-20;2026-11-20T09:00:00;NC NC/1;66.18;"


# --- the key ---------------------------------------------------------------------------------------------


def test_a_missing_key_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(pt.SigningKeyError, match="no such file"):
        pt.SigningKey.from_path(tmp_path / "absent.pem")


def test_a_key_that_is_not_rsa_1024_is_refused(tmp_path: Path) -> None:
    pem = serialization.PrivateFormat.PKCS8
    none = serialization.NoEncryption()
    ec_key = ec.generate_private_key(ec.SECP256R1()).private_bytes(serialization.Encoding.PEM, pem, none)
    (tmp_path / "ec.pem").write_bytes(ec_key)
    with pytest.raises(pt.SigningKeyError, match="not an RSA key"):
        pt.SigningKey.from_path(tmp_path / "ec.pem")
    big = rsa.generate_private_key(65537, 2048).private_bytes(serialization.Encoding.PEM, pem, none)
    (tmp_path / "big.pem").write_bytes(big)
    with pytest.raises(pt.SigningKeyError, match="2048 bits"):
        pt.SigningKey.from_path(tmp_path / "big.pem")
    (tmp_path / "junk.pem").write_text("not a key", encoding="utf-8")
    with pytest.raises(pt.SigningKeyError, match=r"junk\.pem"):
        pt.SigningKey.from_path(tmp_path / "junk.pem")


def test_the_module_examples_hold() -> None:
    assert doctest.testmod(pt).failed == 0
