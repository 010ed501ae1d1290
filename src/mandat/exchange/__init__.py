"""Readers of the exchange-rate tables an operator imports (`mandat rates import`).

Pure: bytes in, :class:`mandat.domain.exchange.Rate` out. Nothing is downloaded, here or anywhere at
run time. :func:`read` recognises the layout itself: the ECB eurofxref XML (:mod:`.ecb`) and NBP
table A as static XML, API XML or API JSON (:mod:`.nbp`); anything else is a :class:`RatesFormatError`
(a ``ValueError``) saying what it saw.
"""

from __future__ import annotations

from dataclasses import dataclass

from mandat.domain.exchange import Rate
from mandat.exchange import ecb, nbp
from mandat.exchange._common import RatesFormatError, local, xml_root

__all__ = ["RateFile", "RatesFormatError", "parse", "read"]

# Far above the full ECB history (~6 MB) and a year of NBP tables.
MAX_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True)
class RateFile:
    format: str
    rates: list[Rate]


def read(data: bytes) -> RateFile:
    if len(data) > MAX_BYTES:
        raise RatesFormatError(f"{len(data)} bytes: larger than any ECB or NBP table ({MAX_BYTES} bytes at most)")
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not head:
        raise RatesFormatError("an empty file, not an ECB or NBP rate table")
    if head[:1] in (b"[", b"{"):
        fmt, rates = nbp.parse_json(head)
        return RateFile(fmt, rates)
    if head[:1] == b"<":
        root = xml_root(data.lstrip(b" \t\r\n"), "XML")
        if ecb.is_ecb(root):
            return RateFile(ecb.FORMAT, ecb.parse_root(root))
        if local(root.tag) in nbp.XML_ROOTS:
            fmt, rates = nbp.parse_root(root)
            return RateFile(fmt, rates)
        raise RatesFormatError(
            f"XML with root <{local(root.tag)}>: neither an ECB eurofxref file (gesmes:Envelope) "
            f"nor an NBP table ({', '.join(nbp.XML_ROOTS)})"
        )
    raise RatesFormatError(f"not an ECB or NBP rate table (XML or JSON): it starts with {bytes(head[:24])!r}")


def parse(data: bytes) -> list[Rate]:
    """The rates of an ECB or NBP file, whichever it is (see :func:`read`)."""
    return read(data).rates
