"""KSeF "KOD I": the link printed as a QR code on a visualisation of an FA(3) invoice.

Specification: Ministerstwo Finansów, "Kody weryfikujące QR" (KSeF 2.0 documentation, 21.08.2025),
§1 "KOD I – Weryfikacja i pobieranie faktury": ``<host>/invoice/<seller NIP>/<P_1 as DD-MM-RRRR>/
<SHA-256 of the invoice file, Base64URL>``. Under the code goes the KSeF number once assigned,
else the word OFFLINE (§1 "Oznaczenie pod kodem QR"): :data:`OFFLINE_CAPTION`.
"""

from __future__ import annotations

import base64
import hashlib
import re
from datetime import date

__all__ = ["HOSTS", "OFFLINE_CAPTION", "kod_i_caption", "kod_i_url"]

# "Środowiska" table of the specification: test (Release Candidate), demo (pre-production), production.
HOSTS: dict[str, str] = {
    "test": "https://qr-test.ksef.mf.gov.pl",
    "demo": "https://qr-demo.ksef.mf.gov.pl",
    "prod": "https://qr.ksef.mf.gov.pl",
}
OFFLINE_CAPTION = "OFFLINE"
_NIP = re.compile(r"\d{10}")


def kod_i_url(*, seller_nip: str, issue_date: date, xml: bytes, environment: str = "prod") -> str:
    """The KOD I link of the FA(3) file *xml* (the exact bytes sent to KSeF: the hash covers them).

    *seller_nip* is Podmiot1's NIP, ten digits (a "PL" prefix or separators are refused rather
    than guessed away); *issue_date* is the invoice's P_1.
    """
    host = HOSTS.get(environment)
    if host is None:
        raise ValueError(f"unknown KSeF environment: {environment!r} (one of {', '.join(HOSTS)})")
    if not _NIP.fullmatch(seller_nip):
        raise ValueError(f"a seller NIP is ten digits: {seller_nip!r}")
    # Base64URL (RFC 4648 §5) without padding, as the specification's example (43 characters).
    digest = base64.urlsafe_b64encode(hashlib.sha256(xml).digest()).rstrip(b"=").decode("ascii")
    return f"{host}/invoice/{seller_nip}/{issue_date:%d-%m-%Y}/{digest}"


def kod_i_caption(ksef_number: str | None) -> str:
    """What is printed under KOD I: the KSeF number when KSeF has assigned one, else OFFLINE."""
    return ksef_number or OFFLINE_CAPTION
