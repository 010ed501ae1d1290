"""The ECB euro foreign exchange reference rates (eurofxref XML).

The daily file (``eurofxref-daily.xml``), the last 90 days (``eurofxref-hist-90d.xml``) and the whole
history (``eurofxref-hist.xml``) share one layout: a ``gesmes:Envelope`` holding a ``Cube`` of one
``Cube time="YYYY-MM-DD"`` per publication day, each holding ``Cube currency="USD" rate="1.0512"``:
units of the currency for one euro.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from mandat.domain.exchange import Rate
from mandat.exchange._common import RatesFormatError, currency, day, decimal, local, unique, xml_root

GESMES = "http://www.gesmes.org/xml/2002-08-01"
EUROFXREF = "http://www.ecb.int/vocabulary/2002-08-01/eurofxref"
FORMAT = "ECB eurofxref"


def is_ecb(root: ET.Element) -> bool:
    return root.tag == f"{{{GESMES}}}Envelope"


def parse(data: bytes) -> list[Rate]:
    return parse_root(xml_root(data, FORMAT))


def parse_root(root: ET.Element) -> list[Rate]:
    if not is_ecb(root):
        raise RatesFormatError(f"{FORMAT}: the root is <{local(root.tag)}>, not a gesmes:Envelope")
    outer = root.find(f"{{{EUROFXREF}}}Cube")
    if outer is None:
        raise RatesFormatError(f"{FORMAT}: no Cube in the ECB namespace {EUROFXREF}")
    rates: list[Rate] = []
    for n, day_cube in enumerate(outer, 1):
        if day_cube.tag != f"{{{EUROFXREF}}}Cube":
            continue
        where = f"{FORMAT} Cube #{n}"
        published = day(day_cube.get("time"), f"{where} time")
        for rate_cube in day_cube:
            if rate_cube.tag != f"{{{EUROFXREF}}}Cube":
                continue
            code = currency(rate_cube.get("currency"), f"{where} ({published}) currency")
            if code == "EUR":
                raise RatesFormatError(f"{where} ({published}): a euro rate for the euro")
            value = decimal(rate_cube.get("rate"), f"{where} ({published}) {code} rate")
            rates.append(Rate("ECB", "EUR", code, value, published))
    return unique(rates, FORMAT)
