"""What the rate-table readers share: safe XML, strict numbers, dates and currency codes."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import date
from decimal import Decimal

from mandat.domain.exchange import Rate

_DECIMAL = re.compile(r"[0-9]{1,12}([.,][0-9]{1,12})?")
_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_CURRENCY = re.compile(r"[A-Z]{3}")


class RatesFormatError(ValueError):
    """The input is not a rate table mandat reads, or a table with a wrong value; says what it saw."""


def xml_root(data: bytes, what: str) -> ET.Element:
    # The tables never declare a DTD: refusing one keeps entity expansion and external entities out
    # (expat >= 2.4 bounds expansion anyway). The byte search sees a declaration in any encoding expat
    # reads without NUL bytes (UTF-8, ISO-8859-x); UTF-16 and UTF-32, which would hide it, need NULs.
    if b"\x00" in data:
        raise RatesFormatError(f"{what}: NUL bytes (UTF-16 or binary), ECB and NBP tables are UTF-8 or ISO-8859-2")
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise RatesFormatError(f"{what}: a DOCTYPE or ENTITY declaration, which no ECB or NBP table has")
    try:
        return ET.fromstring(data)  # noqa: S314  (no DTD can reach the parser: see above)
    except ET.ParseError as exc:
        raise RatesFormatError(f"{what}: malformed XML ({exc})") from None


def local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def decimal(text: str | None, where: str) -> Decimal:
    """A positive decimal written with '.' or ',' (NBP's static files) and nothing else."""
    value = (text or "").strip()
    if not _DECIMAL.fullmatch(value):
        raise RatesFormatError(f"{where}: {value[:40]!r} is not a decimal number")
    number = Decimal(value.replace(",", "."))
    if number <= 0:
        raise RatesFormatError(f"{where}: rate {value!r} is not > 0")
    return number


def day(text: str | None, where: str) -> date:
    value = (text or "").strip()
    if not _DAY.fullmatch(value):
        raise RatesFormatError(f"{where}: {value[:40]!r} is not a date YYYY-MM-DD")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise RatesFormatError(f"{where}: {value!r} is not a calendar date") from None


def currency(text: str | None, where: str) -> str:
    value = (text or "").strip()
    if not _CURRENCY.fullmatch(value):
        raise RatesFormatError(f"{where}: {value[:40]!r} is not an ISO 4217 currency code")
    return value


def unique(rates: list[Rate], what: str) -> list[Rate]:
    """One rate per (base, quote, day); a file repeating one with another value is refused."""
    seen: dict[tuple[str, str, date], Rate] = {}
    for rate in rates:
        key = (rate.base, rate.quote, rate.day)
        other = seen.get(key)
        if other is not None and other.rate != rate.rate:
            raise RatesFormatError(
                f"{what}: {rate.base}->{rate.quote} on {rate.day.isoformat()} given twice ({other.rate}, {rate.rate})"
            )
        seen.setdefault(key, rate)
    if not seen:
        raise RatesFormatError(f"{what}: no rate in the file")
    return sorted(seen.values(), key=lambda r: (r.day, r.base, r.quote))
