"""NBP table A (average rates, "kursy średnie"): złoty for one unit of a foreign currency.

Three layouts of the same table:

* the static files ``a###z######.xml`` (``<tabela_kursow typ="A">``, ``<numer_tabeli>``,
  ``<data_publikacji>``, ``<pozycja>`` with ``<przelicznik>``, ``<kod_waluty>``, ``<kurs_sredni>``
  written with a decimal comma); ``przelicznik`` says for how many units the rate is given (100 HUF,
  10000 IDR...), and the rate is divided by it;
* api.nbp.pl in XML: ``<ArrayOfExchangeRatesTable>`` of ``<ExchangeRatesTable>`` (``Table``, ``No``,
  ``EffectiveDate``, ``Rates/Rate`` with ``Code`` and ``Mid``), or one currency's series
  ``<ExchangeRatesSeries>`` (``Code``, ``Rates/Rate`` with ``No``, ``EffectiveDate``, ``Mid``);
* api.nbp.pl in JSON, the same two shapes: ``[{"table": "A", "no": ..., "effectiveDate": ...,
  "rates": [{"code": "EUR", "mid": 4.2345}]}]`` and ``{"table": "A", "code": "USD", "rates":
  [{"no": ..., "effectiveDate": ..., "mid": 3.6528}]}``. The API gives every rate per one unit.

Only table A: art. 31a names the NBP average rate, and table C (buying/selling) is not one; table B
(weekly, other currencies) is refused for now.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from decimal import Decimal
from typing import Any

from mandat.domain.exchange import Rate
from mandat.exchange._common import RatesFormatError, currency, day, decimal, local, unique, xml_root

STATIC = "NBP table A (tabela_kursow XML)"
API_XML = "NBP table A (api.nbp.pl XML)"
API_JSON = "NBP table A (api.nbp.pl JSON)"
_POWER_OF_TEN = re.compile(r"10{0,8}")
XML_ROOTS = ("tabela_kursow", "ArrayOfExchangeRatesTable", "ExchangeRatesTable", "ExchangeRatesSeries")


def _rate(code: str, value: Decimal, published: Any, reference: str | None) -> Rate:
    if code == "PLN":
        raise RatesFormatError(f"NBP {published}: a złoty rate for the złoty")
    return Rate("NBP", code, "PLN", value, published, reference)


def _table_a(kind: str | None, what: str) -> None:
    if (kind or "").strip() != "A":
        raise RatesFormatError(f"{what}: table {kind!r}, mandat reads NBP table A (average rates) only")


def _text(el: ET.Element, tag: str) -> str | None:
    found = el.find(tag)
    return None if found is None else found.text


# --- XML -------------------------------------------------------------------------------------------


def parse_xml(data: bytes) -> tuple[str, list[Rate]]:
    root = xml_root(data, "NBP XML")
    return parse_root(root)


def parse_root(root: ET.Element) -> tuple[str, list[Rate]]:
    name = local(root.tag)
    if name == "tabela_kursow":
        return STATIC, _static(root)
    if name == "ArrayOfExchangeRatesTable":
        tables = [t for t in root if t.tag == "ExchangeRatesTable"]
        if not tables:
            raise RatesFormatError(f"{API_XML}: no ExchangeRatesTable")
        return API_XML, unique([r for t in tables for r in _api_table(t)], API_XML)
    if name == "ExchangeRatesTable":
        return API_XML, unique(_api_table(root), API_XML)
    if name == "ExchangeRatesSeries":
        return API_XML, _api_series(root)
    raise RatesFormatError(f"NBP XML: root <{name}>, expected one of {', '.join(XML_ROOTS)}")


def _static(root: ET.Element) -> list[Rate]:
    _table_a(root.get("typ"), STATIC)
    number = (_text(root, "numer_tabeli") or "").strip() or None
    published = day(_text(root, "data_publikacji"), f"{STATIC} data_publikacji")
    rates = []
    for n, item in enumerate(root.findall("pozycja"), 1):
        where = f"{STATIC} pozycja #{n}"
        code = currency(_text(item, "kod_waluty"), f"{where} kod_waluty")
        units = (_text(item, "przelicznik") or "1").strip()
        if not _POWER_OF_TEN.fullmatch(units):
            raise RatesFormatError(f"{where} ({code}) przelicznik: {units[:20]!r} is not 1, 10, 100...")
        value = decimal(_text(item, "kurs_sredni"), f"{where} ({code}) kurs_sredni")
        # A power of ten: the division is exact (a shift of the decimal point).
        rates.append(_rate(code, value.scaleb(-(len(units) - 1)), published, number))
    return unique(rates, STATIC)


def _api_table(table: ET.Element) -> list[Rate]:
    _table_a(_text(table, "Table"), API_XML)
    number = (_text(table, "No") or "").strip() or None
    published = day(_text(table, "EffectiveDate"), f"{API_XML} EffectiveDate")
    rates_el = table.find("Rates")
    items = [] if rates_el is None else rates_el.findall("Rate")
    rates = []
    for n, item in enumerate(items, 1):
        where = f"{API_XML} {published} Rate #{n}"
        code = currency(_text(item, "Code"), f"{where} Code")
        rates.append(_rate(code, decimal(_text(item, "Mid"), f"{where} ({code}) Mid"), published, number))
    return rates


def _api_series(series: ET.Element) -> list[Rate]:
    _table_a(_text(series, "Table"), API_XML)
    code = currency(_text(series, "Code"), f"{API_XML} Code")
    rates_el = series.find("Rates")
    items = [] if rates_el is None else rates_el.findall("Rate")
    rates = []
    for n, item in enumerate(items, 1):
        where = f"{API_XML} {code} Rate #{n}"
        published = day(_text(item, "EffectiveDate"), f"{where} EffectiveDate")
        number = (_text(item, "No") or "").strip() or None
        rates.append(_rate(code, decimal(_text(item, "Mid"), f"{where} Mid"), published, number))
    return unique(rates, API_XML)


# --- JSON ------------------------------------------------------------------------------------------


def _refuse_constant(name: str) -> Any:
    raise RatesFormatError(f"{API_JSON}: {name} is not a rate")


def parse_json(data: bytes) -> tuple[str, list[Rate]]:
    try:
        doc = json.loads(data, parse_float=Decimal, parse_constant=_refuse_constant)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise RatesFormatError(f"{API_JSON}: malformed JSON ({exc})") from None
    except RecursionError:
        raise RatesFormatError(f"{API_JSON}: JSON nested too deeply") from None
    if isinstance(doc, list):
        if not doc:
            raise RatesFormatError(f"{API_JSON}: an empty list of tables")
        return API_JSON, unique([r for t in doc for r in _json_table(t)], API_JSON)
    if isinstance(doc, dict) and "code" in doc:
        return API_JSON, _json_series(doc)
    if isinstance(doc, dict):
        return API_JSON, unique(_json_table(doc), API_JSON)
    raise RatesFormatError(f"{API_JSON}: a JSON {type(doc).__name__}, expected a list of tables or a series")


def _field(obj: Any, key: str, where: str) -> Any:
    if not isinstance(obj, dict):
        raise RatesFormatError(f"{where}: a JSON {type(obj).__name__}, expected an object")
    if key not in obj:
        raise RatesFormatError(f"{where}: no {key!r}")
    return obj[key]


def _str(obj: Any, key: str, where: str) -> str:
    value = _field(obj, key, where)
    if not isinstance(value, str):
        raise RatesFormatError(f"{where}: {key!r} is a JSON {type(value).__name__}, expected a string")
    return value


def _mid(obj: Any, where: str) -> Decimal:
    value = _field(obj, "mid", where)
    if isinstance(value, bool) or not isinstance(value, (Decimal, int, str)):
        raise RatesFormatError(f"{where}: 'mid' is a JSON {type(value).__name__}, expected a number")
    text = value if isinstance(value, str) else str(value)
    if isinstance(value, Decimal) and "E" in text.upper():
        text = format(value, "f")
    return decimal(text, f"{where} mid")


def _list(obj: Any, key: str, where: str) -> list[Any]:
    value = _field(obj, key, where)
    if not isinstance(value, list):
        raise RatesFormatError(f"{where}: {key!r} is a JSON {type(value).__name__}, expected a list")
    return value


def _json_table(table: Any) -> list[Rate]:
    _table_a(_str(table, "table", API_JSON), API_JSON)
    number = _str(table, "no", API_JSON).strip() or None
    published = day(_str(table, "effectiveDate", API_JSON), f"{API_JSON} effectiveDate")
    rates = []
    for n, item in enumerate(_list(table, "rates", API_JSON), 1):
        where = f"{API_JSON} {published} rate #{n}"
        code = currency(_str(item, "code", where), f"{where} code")
        rates.append(_rate(code, _mid(item, f"{where} ({code})"), published, number))
    return rates


def _json_series(series: Any) -> list[Rate]:
    _table_a(_str(series, "table", API_JSON), API_JSON)
    code = currency(_str(series, "code", API_JSON), f"{API_JSON} code")
    rates = []
    for n, item in enumerate(_list(series, "rates", API_JSON), 1):
        where = f"{API_JSON} {code} rate #{n}"
        published = day(_str(item, "effectiveDate", where), f"{where} effectiveDate")
        number = _str(item, "no", where).strip() or None
        rates.append(_rate(code, _mid(item, where), published, number))
    return unique(rates, API_JSON)
