"""Portugal: the ATCUD, the AT QR code string and the signed document chain, from a ``Document`` only.

What the law asks of the software that issues a Portuguese invoice (DL 28/2019 art. 7, Portaria
363/2010, Portaria 195/2020), computed here as pure functions of the stored record, the series'
validation code and the previous document's signature; nothing here reads a clock, a file or the network
except ``SigningKey.from_path``, which the caller runs once at start-up:

* **ATCUD** (Portaria 195/2020 art. 3–4): ``<validation code>-<sequential number>``, the code being the
  one the AT returned when the seller communicated the series (at least 8 characters), printed as
  ``ATCUD:<code>-<number>`` on every page, above the QR code.
* **Signature** (Portaria 363/2010 art. 6; Despacho 8632/2014, "requisitos técnicos" of the
  certification): RSA PKCS#1 v1.5 with SHA-1 over
  ``InvoiceDate;SystemEntryDate;InvoiceNo;GrossTotal;PreviousHash`` — dates ``YYYY-MM-DD`` and
  ``YYYY-MM-DDThh:mm:ss`` (local time of the issuer), ``InvoiceNo`` as in SAF-T (PT), ``GrossTotal``
  with two decimals and '.', ``PreviousHash`` the base64 signature of the previous document of the same
  type and series (empty for the first). The signature is the SAF-T ``Hash`` (base64; at most 172
  characters, hence a 1024-bit key). Characters 1, 11, 21 and 31 of it are printed with the
  certificate number ("xxxx-Processado por programa certificado n.º nnnn/AT").
* **QR code** (Portaria 195/2020 art. 4; AT, "Especificações Técnicas Código QR"): fields ``key:value``
  joined by ``*`` in the order A, B, C, D, E, F, G, H, I1–I8, (J, K: Azores and Madeira, refused), L,
  (M), N, O, (P), Q, R, (S); amounts with two decimals and '.'; optional fields only when they apply.

Readings (docs/formats/portugal.md): every invoice is a *fatura-recibo* (FR: the order is paid before the
invoice is issued, and one type keeps the mandat series one AT series), every credit note a *nota de
crédito* (NC); the status is N (the marketplace issues in the seller's name: not the acquirer's
self-billing, status S); exempt, reverse-charged, intra-EU and export bases go to I2, outside the scope
of VAT to L. A document this module cannot place in the AT's fields is refused (``Rejected``) with the
reason, never approximated.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from stdnum.pt import nif as pt_nif

from mandat.domain.documents import Document
from mandat.domain.refusals import Rejected

LISBON = ZoneInfo("Europe/Lisbon")  # mainland Portugal; Madeira and the Azores are refused upstream
CONSUMER_NIF = "999999990"  # the AT's "consumidor final" without a NIF (QR field B, SAF-T CustomerTaxID)
KEY_BITS = 1024  # base64 of a 1024-bit signature is 172 characters, the SAF-T Hash field's maximum
ATCUD_CODE = re.compile(r"[A-Za-z0-9]{8,}")  # Portaria 195/2020 art. 3 n.º 2: at least 8 characters
SERIES = re.compile(r"[^ /]+")  # SAF-T (PT) InvoiceNo pattern "[^ ]+ [^/^ ]+/[0-9]+": no space, no '/'
CERTIFICATE = re.compile(r"[0-9]{1,4}")  # QR field R: the AT certificate number, at most 4 characters
CENT = Decimal("0.01")

# Invoice kind -> AT document type (SAF-T InvoiceType, QR field D).
DOCUMENT_TYPES: dict[str, str] = {"invoice": "FR", "credit_note": "NC"}

# Mainland VAT rates since 2011-01-01 (CIVA art. 18 n.º 1 a), b), c)) -> the QR fields of their base and
# their VAT: reduced I3/I4, intermediate I5/I6, normal I7/I8.
MAINLAND_SINCE = date(2011, 1, 1)
RATE_FIELDS: dict[Decimal, tuple[str, str]] = {
    Decimal(6): ("I3", "I4"),
    Decimal(13): ("I5", "I6"),
    Decimal(23): ("I7", "I8"),
}
# EN 16931 categories without Portuguese VAT charged -> QR field. Exempt (CIVA art. 9, franchise art. 53),
# reverse charge (art. 2 n.º 1 j), art. 6 n.º 6 a)), intra-EU supplies (RITI art. 14) and exports (CIVA
# art. 14) are IVA lines at 0 % with an exemption reason in SAF-T: the exempt base I2. Outside the scope
# of VAT: "não sujeito / não tributável" L.
ZERO_VAT_FIELDS: dict[str, str] = {"E": "I2", "AE": "I2", "K": "I2", "G": "I2", "O": "L"}
QR_ORDER = ("I2", "I3", "I4", "I5", "I6", "I7", "I8")


class SigningKeyError(ValueError):
    """The operator's signing key cannot be used: missing, unreadable, not RSA or not 1024 bits."""


# --- ATCUD ---------------------------------------------------------------------------------------


def atcud(validation_code: str, seq: int) -> str:
    """``<validation code>-<sequential number>`` (Portaria 195/2020 art. 3 n.º 3), the QR field H.

    >>> atcud("CSDF7T5H", 35)
    'CSDF7T5H-35'
    """
    if not ATCUD_CODE.fullmatch(validation_code):
        raise Rejected(
            "pt_atcud_code",
            f"ATCUD validation code {validation_code!r}: the AT returns at least 8 letters or digits when the "
            "series is communicated (Portaria 195/2020 art. 3 n.º 2); communicate the series and record its code",
        )
    if seq < 1:
        raise Rejected("pt_atcud_code", f"ATCUD sequential number {seq}: a series numbers from 1")
    return f"{validation_code}-{seq}"


def printed_atcud(value: str) -> str:
    """The ATCUD as printed on every page, immediately above the QR code (Portaria 195/2020 art. 3 n.º 4).

    >>> printed_atcud("CSDF7T5H-35")
    'ATCUD:CSDF7T5H-35'
    """
    return f"ATCUD:{value}"


# --- document identity -----------------------------------------------------------------------------


def document_type(doc: Document) -> str:
    """FR (fatura-recibo) for an invoice, NC (nota de crédito) for a credit note.

    mandat invoices an order once its payment is captured (``order.paid``; the record says nothing is due):
    the invoice is also the receipt of that payment, which is what a fatura-recibo is. FT would also be
    lawful; FS (fatura simplificada, CIVA art. 40) only for some retail sales to consumers, which would
    split one mandat series into two AT types with two numberings. One type per kind keeps each mandat
    series exactly one AT series (one chain, one validation code). An invoice with an amount still due is
    not a fatura-recibo: refused.
    """
    kind = DOCUMENT_TYPES.get(doc.kind)
    if kind is None:  # pragma: no cover - Document.kind has no other value
        raise Rejected("pt_document_type", f"no AT document type for {doc.kind!r}")
    if doc.kind == "invoice" and doc.totals.payable != 0:
        raise Rejected(
            "pt_document_type",
            f"invoice {doc.number} leaves {doc.totals.payable} due: a fatura-recibo (FR) records a price already "
            "received, and mandat issues no FT",
        )
    return kind


def invoice_no(doc: Document) -> str:
    """SAF-T (PT) ``InvoiceNo``, also the QR field G: ``<type> <series>/<sequential number>``.

    The series is the record's (the fixed prefix of the seller's numbering format), the number its ``seq``,
    the number the ATCUD carries. The printed mandat number stays the document's number (BT-1).
    """
    if not SERIES.fullmatch(doc.series):
        raise Rejected(
            "pt_series_invalid",
            f"series {doc.series!r}: an AT series identifier has no space and no '/' (SAF-T InvoiceNo); "
            "give the seller a numbering format whose prefix has neither",
        )
    value = f"{document_type(doc)} {doc.series}/{doc.seq}"
    if len(value) > 60:
        raise Rejected("pt_series_invalid", f"{value!r} is longer than the 60 characters of QR field G")
    return value


# --- signature and chain ---------------------------------------------------------------------------


def system_entry(doc: Document) -> str:
    """SAF-T ``SystemEntryDate``: the moment the number was taken, to the second, in Lisbon time.

    The issue date derives from the same instant in the same time zone (``Draft.finalize``), so the two
    never disagree; a record where they do was not numbered by mandat's rules and is refused.
    """
    local = doc.issued_at.astimezone(LISBON)
    if local.date() != doc.issue_date:
        raise Rejected(
            "pt_dates_inconsistent",
            f"{doc.number}: issued at {local.isoformat()} in Lisbon but dated {doc.issue_date.isoformat()}",
        )
    return local.strftime("%Y-%m-%dT%H:%M:%S")


def signature_message(doc: Document, previous_signature: str) -> str:
    """``InvoiceDate;SystemEntryDate;InvoiceNo;GrossTotal;PreviousHash`` (Despacho 8632/2014).

    ``previous_signature`` is the base64 signature of the previous document of the same type and series,
    ``""`` for the first one.
    """
    portuguese(doc)
    return ";".join(
        (
            doc.issue_date.isoformat(),
            system_entry(doc),
            invoice_no(doc),
            amount(doc.totals.tax_inclusive),
            previous_signature,
        )
    )


def _private_key(pem: bytes) -> rsa.RSAPrivateKey:
    try:
        key = serialization.load_pem_private_key(pem, password=None)
    except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
        raise SigningKeyError(
            f"not an unencrypted PEM private key: {exc} (an RSA-{KEY_BITS} key, e.g. `openssl genrsa 1024`)"
        ) from exc
    if not isinstance(key, rsa.RSAPrivateKey):
        raise SigningKeyError(f"a {type(key).__name__}, not an RSA key: the AT certifies RSA signatures only")
    if key.key_size != KEY_BITS:
        raise SigningKeyError(
            f"an RSA key of {key.key_size} bits: the AT's signature is RSA-{KEY_BITS} (its base64 fills the "
            "172 characters of the SAF-T Hash)"
        )
    return key


def sign(message: str, private_key_pem: bytes) -> str:
    """The base64 RSA-SHA1 PKCS#1 v1.5 signature of ``message`` (UTF-8): deterministic, same message and
    key, same signature (PKCS#1 v1.5 has no random padding)."""
    key = _private_key(private_key_pem)
    # SHA-1 is what the AT verifies (Despacho 8632/2014), not a choice: another digest fails certification.
    raw = key.sign(message.encode(), padding.PKCS1v15(), hashes.SHA1())  # noqa: S303
    return base64.b64encode(raw).decode("ascii")


def verify(message: str, signature: str, public_key_pem: bytes) -> bool:
    """Whether ``signature`` (base64) signs ``message`` under the public key the operator gave the AT."""
    key = serialization.load_pem_public_key(public_key_pem)
    if not isinstance(key, rsa.RSAPublicKey):
        raise SigningKeyError(f"a {type(key).__name__}, not an RSA public key")
    try:
        raw = base64.b64decode(signature, validate=True)
        key.verify(raw, message.encode(), padding.PKCS1v15(), hashes.SHA1())  # noqa: S303 (the AT's digest)
    except (InvalidSignature, ValueError):
        return False
    return True


def hash_chars(signature: str) -> str:
    """Characters 1, 11, 21 and 31 of the signature, printed on the document and in QR field Q
    (Despacho 8632/2014).

    >>> hash_chars("abcdefghij" "klmnopqrst" "uvwxyzABCD" "EFGHIJ")
    'akuE'
    """
    if len(signature) < 31:
        raise Rejected("pt_signature", f"a signature of {len(signature)} characters has no 31st character")
    return signature[0] + signature[10] + signature[20] + signature[30]


def certificate_mention(hash4: str, certificate: str) -> str:
    """The software line printed on the document (Despacho 8632/2014)."""
    return f"{hash4}-Processado por programa certificado n.º {_certificate(certificate)}/AT"


@dataclass(frozen=True)
class SigningKey:
    """The operator's private key (the software producer's, in the AT's terms), loaded once.

    The deployment reads its path from its configuration (docs/formats/portugal.md names the variable)
    and keeps this object; signing then needs no I/O.
    """

    private_pem: bytes

    def __post_init__(self) -> None:
        _private_key(self.private_pem)

    @classmethod
    def from_path(cls, path: str | Path) -> SigningKey:
        file = Path(path)
        try:
            pem = file.read_bytes()
        except FileNotFoundError as exc:
            raise SigningKeyError(f"Portuguese signing key {file}: no such file") from exc
        except OSError as exc:
            raise SigningKeyError(f"Portuguese signing key {file}: cannot be read ({exc.strerror})") from exc
        try:
            return cls(pem)
        except SigningKeyError as exc:
            raise SigningKeyError(f"Portuguese signing key {file}: {exc}") from exc

    def sign(self, message: str) -> str:
        return sign(message, self.private_pem)

    def public_pem(self) -> bytes:
        """The public key, as the operator submits it to the AT with the certification request."""
        return (
            _private_key(self.private_pem)
            .public_key()
            .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        )


@dataclass(frozen=True)
class Link:
    """The last signed document of a chain, as the caller stores it: what signing the next one needs.

    A chain is one issuer (``nif``), one AT document type and one series (Despacho 8632/2014: the
    previous document "do mesmo tipo e série"); in mandat that is one seller's series.
    """

    nif: str
    document_type: str
    series: str
    seq: int
    signature: str


@dataclass(frozen=True)
class Signed:
    """A document's signature, with the message signed (kept for the audit) and its chain link."""

    document_id: str
    invoice_no: str
    message: str
    link: Link

    @property
    def signature(self) -> str:
        return self.link.signature

    @property
    def hash4(self) -> str:
        return hash_chars(self.link.signature)


def chain_of(doc: Document) -> tuple[str, str, str]:
    """(issuer NIF, AT document type, series): the chain ``doc`` belongs to."""
    return seller_nif(doc), document_type(doc), doc.series


def sign_document(doc: Document, key: SigningKey, previous: Link | None) -> Signed:
    """Sign ``doc`` after ``previous`` (None for the first document of its series).

    Refuses (``pt_chain``) a previous link of another chain or another place in it: the chain follows the
    numbering, so the previous document is number ``seq - 1`` of the same series and type.
    """
    nif, kind, series = chain_of(doc)
    if previous is None:
        if doc.seq != 1:
            raise Rejected(
                "pt_chain",
                f"{doc.number} is number {doc.seq} of series {series}: its signature needs number {doc.seq - 1}'s",
            )
        prior = ""
    else:
        if (previous.nif, previous.document_type, previous.series) != (nif, kind, series):
            raise Rejected(
                "pt_chain",
                f"{doc.number} ({nif} {kind} {series}) cannot follow a document of another chain "
                f"({previous.nif} {previous.document_type} {previous.series})",
            )
        if previous.seq != doc.seq - 1:
            raise Rejected(
                "pt_chain",
                f"{doc.number} is number {doc.seq} of series {series}: it follows number {doc.seq - 1}, "
                f"not {previous.seq}",
            )
        prior = previous.signature
    message = signature_message(doc, prior)
    return Signed(doc.id, invoice_no(doc), message, Link(nif, kind, series, doc.seq, key.sign(message)))


# --- QR code -----------------------------------------------------------------------------------------


def qr_string(doc: Document, *, atcud: str, hash4: str, certificate: str) -> str:
    """The text of the AT QR code (AT, "Especificações Técnicas Código QR"; Portaria 195/2020 art. 4).

    ``atcud`` is the value of ``atcud()`` (without "ATCUD:"), ``hash4`` the four signature characters,
    ``certificate`` the AT certificate number of the deployment's software.
    """
    portuguese(doc)
    if len(hash4) != 4:
        raise Rejected("pt_signature", f"QR field Q takes the 4 signature characters, not {hash4!r}")
    if not re.fullmatch(r"[A-Za-z0-9]{8,}-[1-9][0-9]*", atcud) or len(atcud) > 70:
        raise Rejected("pt_atcud_code", f"QR field H takes an ATCUD '<code>-<number>', not {atcud!r}")
    if atcud.rsplit("-", 1)[1] != str(doc.seq):
        raise Rejected("pt_atcud_code", f"ATCUD {atcud} does not carry {doc.number}'s sequential number {doc.seq}")
    fields: list[tuple[str, str]] = [
        ("A", seller_nif(doc)),
        ("B", buyer_nif(doc)),
        ("C", doc.buyer.address.country),
        ("D", document_type(doc)),
        ("E", "N"),  # normal: issued by a third party in the seller's name, not the acquirer's self-billing (S)
        ("F", doc.issue_date.strftime("%Y%m%d")),
        ("G", invoice_no(doc)),
        ("H", atcud),
    ]
    sums = vat_fields(doc)
    pt_amounts = [(name, sums[name]) for name in QR_ORDER if name in sums]
    fields.append(("I1", "PT" if pt_amounts else "0"))  # "0": a document with no VAT rate at all
    fields += [(name, amount(value)) for name, value in pt_amounts]
    if "L" in sums:
        fields.append(("L", amount(sums["L"])))
    fields += [
        ("N", amount(doc.totals.tax_total)),  # no stamp duty (M) on goods sold: VAT is the only tax
        ("O", amount(doc.totals.tax_inclusive)),
        ("Q", hash4),
        ("R", _certificate(certificate)),
    ]
    return "*".join(f"{name}:{value}" for name, value in fields)


def vat_fields(doc: Document) -> dict[str, Decimal]:
    """QR amount field -> amount, from the record's VAT breakdown; refuses what has no field."""
    sums: dict[str, Decimal] = {}
    for vb in doc.vat_breakdown:
        if vb.category == "S":
            slots = RATE_FIELDS.get(vb.rate)
            if slots is None or doc.issue_date < MAINLAND_SINCE:
                raise Rejected(
                    "pt_vat_unplaced",
                    f"{doc.number}: VAT at {vb.rate} % is not a mainland Portuguese rate (6, 13, 23 %): "
                    "the AT QR code has no field for it",
                )
            base, tax = slots
            sums[base] = sums.get(base, Decimal(0)) + vb.taxable_amount
            sums[tax] = sums.get(tax, Decimal(0)) + vb.tax_amount
        elif vb.category in ZERO_VAT_FIELDS and vb.tax_amount == 0:
            slot = ZERO_VAT_FIELDS[vb.category]
            sums[slot] = sums.get(slot, Decimal(0)) + vb.taxable_amount
        else:
            raise Rejected(
                "pt_vat_unplaced",
                f"{doc.number}: VAT category {vb.category} at {vb.rate} % has no field in the AT QR code",
            )
    negative = [name for name, value in sums.items() if value < 0]
    if negative:
        raise Rejected("pt_vat_unplaced", f"{doc.number}: negative amounts in QR field(s) {', '.join(negative)}")
    taxes = sum((sums.get(tax, Decimal(0)) for _, tax in RATE_FIELDS.values()), Decimal(0))
    bases = sum((v for k, v in sums.items() if k not in {tax for _, tax in RATE_FIELDS.values()}), Decimal(0))
    if taxes != doc.totals.tax_total or bases + taxes != doc.totals.tax_inclusive:
        raise Rejected(
            "pt_totals_inconsistent",
            f"{doc.number}: the breakdown gives VAT {taxes} and total {bases + taxes}, the totals "
            f"{doc.totals.tax_total} and {doc.totals.tax_inclusive}",
        )
    return sums


# --- parties and checks ----------------------------------------------------------------------------------


def portuguese(doc: Document) -> None:
    """Refuse a record whose tax is not Portugal's own: the QR and the chain are Portuguese VAT's."""
    if doc.country != "PT":
        raise Rejected("pt_not_portuguese", f"{doc.number} was issued under {doc.country}'s rules, not Portugal's")
    if doc.taxed_in not in (None, "PT") or doc.scheme is not None:
        raise Rejected(
            "pt_not_portuguese",
            f"{doc.number} carries {doc.taxed_in or doc.country} VAT under the {doc.scheme or 'local'} scheme: "
            "it is declared there, not in Portugal's SAF-T",
        )
    if doc.deemed_supply is not None or doc.series_owner:
        raise Rejected("pt_not_portuguese", f"{doc.number} is the marketplace's own document as deemed supplier")
    if doc.currency != "EUR":
        raise Rejected(
            "pt_currency",
            f"{doc.number} is in {doc.currency}: the AT QR code and SAF-T amounts are in euros, and the record "
            "has no euro amount per field",
        )


def seller_nif(doc: Document) -> str:
    """QR field A: the seller's NIF, without the country prefix."""
    vat_id = doc.seller.vat_id or ""
    candidates = [vat_id[2:]] if vat_id.startswith("PT") else []
    candidates += [i.value for i in doc.seller.ids if i.label in ("NIF", "NIPC")]
    for value in candidates:
        if pt_nif.is_valid(value):
            return value
    raise Rejected("pt_seller_nif", f"{doc.number}: the seller has no valid Portuguese NIF on the record")


def buyer_nif(doc: Document) -> str:
    """QR field B: the buyer's tax number without its country prefix (SAF-T CustomerTaxID), or
    999999990 for a consumer who gave none."""
    buyer = doc.buyer
    vat_id = buyer.vat_id
    if vat_id:
        return vat_id[2:] if vat_id[:2].isalpha() else vat_id
    for party_id in buyer.ids:
        if party_id.label == "NIF":
            return party_id.value
    if buyer.is_business:
        raise Rejected("pt_buyer_nif", f"{doc.number}: a business buyer without a tax number")
    return CONSUMER_NIF


def amount(value: Decimal) -> str:
    """An amount as the QR code and the signature write it: two decimals, '.' (no thousands separator)."""
    return f"{value.quantize(CENT, ROUND_HALF_UP):.2f}"


def _certificate(certificate: str) -> str:
    if not CERTIFICATE.fullmatch(certificate):
        raise Rejected(
            "pt_certificate",
            f"AT certificate number {certificate!r}: the number the AT gave the software (1 to 4 digits)",
        )
    return certificate
