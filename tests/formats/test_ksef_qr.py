"""KSeF KOD I link (Ministerstwo Finansów, "Kody weryfikujące QR", 21.08.2025, §1).

Expected strings are written by hand from that document: the host per environment from its
"Środowiska" table, the path ``/invoice/<NIP>/<DD-MM-RRRR>/<SHA-256 Base64URL>`` from its worked
example, and the digests from FIPS 180-4's test vectors ("abc", the empty message), Base64URL
per RFC 4648 §5 without padding (the example's hash has 43 characters, no "=").
"""

from __future__ import annotations

import re
from datetime import date

import pytest

from mandat.render.formats.ksef_qr import OFFLINE_CAPTION, kod_i_caption, kod_i_url

# SHA-256("abc") = ba7816bf 8f01cfea 414140de 5dae2223 b00361a3 96177a9c b410ff61 f20015ad (FIPS 180-4 example).
ABC = "ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0"
# SHA-256("") = e3b0c442 98fc1c14 9afbf4c8 996fb924 27ae41e4 649b934c a495991b 7852b855.
EMPTY = "47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU"


def test_the_specification_example_shape_with_the_test_host() -> None:
    # The document's example: 01-02-2026, NIP 1111111111, on the test environment.
    url = kod_i_url(seller_nip="1111111111", issue_date=date(2026, 2, 1), xml=b"abc", environment="test")
    assert url == f"https://qr-test.ksef.mf.gov.pl/invoice/1111111111/01-02-2026/{ABC}"


@pytest.mark.parametrize(
    ("environment", "host"),
    [
        ("test", "https://qr-test.ksef.mf.gov.pl"),
        ("demo", "https://qr-demo.ksef.mf.gov.pl"),
        ("prod", "https://qr.ksef.mf.gov.pl"),
    ],
)
def test_host_per_environment(environment: str, host: str) -> None:
    url = kod_i_url(seller_nip="5265877635", issue_date=date(2026, 11, 20), xml=b"", environment=environment)
    assert url == f"{host}/invoice/5265877635/20-11-2026/{EMPTY}"


def test_production_is_the_default() -> None:
    assert kod_i_url(seller_nip="5265877635", issue_date=date(2026, 12, 3), xml=b"abc") == (
        f"https://qr.ksef.mf.gov.pl/invoice/5265877635/03-12-2026/{ABC}"
    )


def test_the_hash_covers_every_byte_of_the_file() -> None:
    a = kod_i_url(seller_nip="1111111111", issue_date=date(2026, 2, 1), xml=b"<Faktura/>")
    b = kod_i_url(seller_nip="1111111111", issue_date=date(2026, 2, 1), xml=b"<Faktura/>\n")
    assert a != b
    digest = a.rsplit("/", 1)[1]
    # Same alphabet and length as the specification's "UtQp9Gpc51y-u3xApZjIjgkpZ01js-J8KflSPW8WzIE".
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", digest)


@pytest.mark.parametrize("nip", ["PL1111111111", "111-111-11-11", "111111111", "11111111111", ""])
def test_a_nip_is_ten_digits(nip: str) -> None:
    with pytest.raises(ValueError, match="ten digits"):
        kod_i_url(seller_nip=nip, issue_date=date(2026, 2, 1), xml=b"abc")


def test_unknown_environment_is_refused() -> None:
    with pytest.raises(ValueError, match="environment"):
        kod_i_url(seller_nip="1111111111", issue_date=date(2026, 2, 1), xml=b"abc", environment="production")


def test_caption_is_the_ksef_number_or_offline() -> None:
    # numer-ksef.md's example number; "OFFLINE" while KSeF has not assigned one (kody-qr.md §1).
    assert kod_i_caption("5265877635-20250826-0100001AF629-AF") == "5265877635-20250826-0100001AF629-AF"
    assert kod_i_caption(None) == "OFFLINE" == OFFLINE_CAPTION
