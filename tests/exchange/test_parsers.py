"""The ECB and NBP readers: the sample tables, generated tables read back, and malformed input."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mandat.domain.exchange import Rate
from mandat.exchange import RatesFormatError, parse, read

D = Decimal
FIXTURES = Path(__file__).parents[1] / "fixtures" / "rates"
WED = date(2026, 12, 2)


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def by_pair(rates: list[Rate]) -> dict[tuple[str, str, date], Rate]:
    return {(r.base, r.quote, r.day): r for r in rates}


# --- the sample files -------------------------------------------------------------------------------


def test_ecb_daily() -> None:
    table = read(fixture("eurofxref-daily.xml"))
    assert table.format == "ECB eurofxref"
    rates = by_pair(table.rates)
    assert len(rates) == 10
    assert rates["EUR", "GBP", WED] == Rate("ECB", "EUR", "GBP", D("0.83245"), WED)
    assert rates["EUR", "JPY", WED].rate == D("158.42")
    assert str(rates["EUR", "SEK", WED].rate) == "11.4820"  # digits as published


def test_ecb_history_has_one_rate_per_currency_and_day() -> None:
    rates = by_pair(parse(fixture("eurofxref-hist-90d.xml")))
    assert len(rates) == 16
    assert {d for (_, _, d) in rates} == {date(2026, 11, 27), date(2026, 11, 30), date(2026, 12, 1), WED}
    assert rates["EUR", "PLN", date(2026, 11, 27)].rate == D("4.3010")


def test_nbp_static_file_decimal_comma_and_przelicznik() -> None:
    table = read(fixture("a232z261202.xml"))  # ISO-8859-2, as NBP serves it
    assert table.format.startswith("NBP table A")
    rates = by_pair(table.rates)
    assert rates["EUR", "PLN", WED] == Rate("NBP", "EUR", "PLN", D("4.2866"), WED, "232/A/NBP/2026")
    # <przelicznik>100</przelicznik> HUF 1,0459 PLN: 0.010459 PLN for one forint.
    assert rates["HUF", "PLN", WED].rate == D("0.010459")
    assert rates["JPY", "PLN", WED].rate == D("0.027058")
    # 10000 IDR = 2,4914 PLN.
    assert rates["IDR", "PLN", WED].rate == D("0.00024914")


def test_nbp_api_json_tables_and_series() -> None:
    rates = by_pair(parse(fixture("nbp-api-tables-a.json")))
    assert rates["EUR", "PLN", date(2026, 12, 1)] == Rate(
        "NBP", "EUR", "PLN", D("4.2903"), date(2026, 12, 1), "231/A/NBP/2026"
    )
    assert rates["HUF", "PLN", WED].rate == D("0.010459")  # the API gives one unit already
    series = by_pair(parse(fixture("nbp-api-rates-a-usd.json")))
    assert series["USD", "PLN", date(2026, 11, 30)].reference == "230/A/NBP/2026"
    assert len(series) == 3


def test_nbp_api_xml() -> None:
    table = read(fixture("nbp-api-table-a.xml"))
    assert table.format == "NBP table A (api.nbp.pl XML)"
    assert by_pair(table.rates)["USD", "PLN", WED] == Rate("NBP", "USD", "PLN", D("4.0787"), WED, "232/A/NBP/2026")


def test_the_same_table_in_three_layouts_gives_the_same_rates() -> None:
    static = by_pair(parse(fixture("a232z261202.xml")))
    api_xml = by_pair(parse(fixture("nbp-api-table-a.xml")))
    api_json = by_pair(parse(fixture("nbp-api-tables-a.json")))
    for key, rate in api_xml.items():
        assert static[key] == rate == api_json[key]


# --- refusals ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "said"),
    [
        (b"", "empty"),
        (b"date,rate\n2026-12-02,4.2", "starts with b'date,rate"),
        (b"<html><body>Moved</body></html>", "root <html>"),
        (b"<tabela_kursow typ='C'><numer_tabeli>1</numer_tabeli></tabela_kursow>", "table 'C'"),
        (b'[{"table":"B","no":"48/B/NBP/2026","effectiveDate":"2026-12-02","rates":[]}]', "table 'B'"),
        (b'<!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>', "DOCTYPE"),
        (b"<gesmes:Envelope xmlns:gesmes='http://www.gesmes.org/xml/2002-08-01'>", "malformed XML"),
        (b"[]", "empty list"),
        (b'{"table":"A","no":"1","effectiveDate":"2026-02-30","rates":[]}', "not a calendar date"),
        (b'{"table":"A","no":"1","effectiveDate":"2026-12-02","rates":[{"code":"EUR","mid":-4.1}]}', "not a decimal"),
        (b'{"table":"A","no":"1","effectiveDate":"2026-12-02","rates":[{"code":"EUR","mid":0}]}', "not > 0"),
        (b'{"table":"A","no":"1","effectiveDate":"2026-12-02","rates":[{"code":"eur","mid":4}]}', "ISO 4217"),
        (b'{"table":"A","no":"1","effectiveDate":"2026-12-02","rates":[{"code":"EUR","mid":NaN}]}', "NaN"),
        (b'{"table":"A","no":"1","effectiveDate":"2026-12-02","rates":[]}', "no rate"),
        (b"[" * 100000, "nested too deeply"),
        ('<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE x []><x/>'.encode("utf-16-le"), "NUL bytes"),
    ],
)
def test_refused_with_what_was_seen(data: bytes, said: str) -> None:
    with pytest.raises(RatesFormatError) as caught:
        parse(data)
    assert said in str(caught.value)
    assert isinstance(caught.value, ValueError)


def test_ecb_file_with_a_currency_twice_at_two_values_is_refused() -> None:
    data = fixture("eurofxref-daily.xml").replace(
        b"<Cube currency='USD' rate='1.0512'/>",
        b"<Cube currency='USD' rate='1.0512'/><Cube currency='USD' rate='1.0513'/>",
    )
    with pytest.raises(RatesFormatError, match="USD on 2026-12-02 given twice"):
        parse(data)


def test_przelicznik_must_be_a_power_of_ten() -> None:
    data = fixture("a232z261202.xml").replace(b"<przelicznik>100</przelicznik>", b"<przelicznik>50</przelicznik>", 1)
    with pytest.raises(RatesFormatError, match="przelicznik"):
        parse(data)


# --- generated tables read back ---------------------------------------------------------------------

CODES = st.sampled_from(["USD", "GBP", "CHF", "JPY", "HUF", "CZK", "SEK", "NOK", "DKK", "IDR", "CNY", "TRY"])
DAYS = st.dates(min_value=date(2000, 1, 1), max_value=date(2030, 12, 31))
RATES = st.decimals(min_value=D("0.0001"), max_value=D("99999"), places=4, allow_nan=False, allow_infinity=False)
TABLES = st.dictionaries(DAYS, st.dictionaries(CODES, RATES, min_size=1, max_size=6), min_size=1, max_size=5)


def ecb_xml(tables: dict[date, dict[str, Decimal]]) -> bytes:
    days = "".join(
        f"<Cube time='{d.isoformat()}'>"
        + "".join(f"<Cube currency='{c}' rate='{r}'/>" for c, r in rates.items())
        + "</Cube>"
        for d, rates in sorted(tables.items(), reverse=True)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<gesmes:Envelope xmlns:gesmes="http://www.gesmes.org/xml/2002-08-01"'
        ' xmlns="http://www.ecb.int/vocabulary/2002-08-01/eurofxref"><gesmes:subject>Reference rates</gesmes:subject>'
        f"<Cube>{days}</Cube></gesmes:Envelope>"
    ).encode()


def nbp_static(day: date, rates: dict[str, Decimal], units: int) -> bytes:
    items = "".join(
        f"<pozycja><nazwa_waluty>waluta</nazwa_waluty><przelicznik>{units}</przelicznik><kod_waluty>{c}</kod_waluty>"
        f"<kurs_sredni>{str(r * units).replace('.', ',')}</kurs_sredni></pozycja>"
        for c, r in rates.items()
    )
    return (
        f'<?xml version="1.0" encoding="ISO-8859-2"?><tabela_kursow typ="A" uid="x"><numer_tabeli>7/A/NBP/{day.year}'
        f"</numer_tabeli><data_publikacji>{day.isoformat()}</data_publikacji>{items}</tabela_kursow>"
    ).encode("iso-8859-2")


def nbp_json(tables: dict[date, dict[str, Decimal]]) -> bytes:
    doc = [
        {
            "table": "A",
            "no": f"{n}/A/NBP/{d.year}",
            "effectiveDate": d.isoformat(),
            "rates": [{"currency": "x", "code": c, "mid": float(r)} for c, r in rates.items()],
        }
        for n, (d, rates) in enumerate(sorted(tables.items()), 1)
    ]
    return json.dumps(doc).encode()


def nbp_api_xml(tables: dict[date, dict[str, Decimal]]) -> bytes:
    body = "".join(
        f"<ExchangeRatesTable><Table>A</Table><No>{n}/A/NBP/{d.year}</No><EffectiveDate>{d.isoformat()}</EffectiveDate>"
        "<Rates>"
        + "".join(f"<Rate><Currency>x</Currency><Code>{c}</Code><Mid>{r}</Mid></Rate>" for c, r in rates.items())
        + "</Rates></ExchangeRatesTable>"
        for n, (d, rates) in enumerate(sorted(tables.items()), 1)
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><ArrayOfExchangeRatesTable>{body}</ArrayOfExchangeRatesTable>'.encode()
    )


def expected(tables: dict[date, dict[str, Decimal]], source: str) -> set[tuple[str, str, str, date, Decimal]]:
    if source == "ECB":
        return {("ECB", "EUR", c, d, r) for d, rates in tables.items() for c, r in rates.items()}
    return {("NBP", c, "PLN", d, r) for d, rates in tables.items() for c, r in rates.items()}


def got(rates: list[Rate]) -> set[tuple[str, str, str, date, Decimal]]:
    return {(r.source, r.base, r.quote, r.day, r.rate) for r in rates}


@given(TABLES)
def test_ecb_round_trip(tables: dict[date, dict[str, Decimal]]) -> None:
    assert got(parse(ecb_xml(tables))) == expected(tables, "ECB")


@given(TABLES)
def test_nbp_json_round_trip(tables: dict[date, dict[str, Decimal]]) -> None:
    # Four decimals survive a float round trip in JSON, as the API writes them.
    assert got(parse(nbp_json(tables))) == expected(tables, "NBP")


@given(TABLES)
def test_nbp_api_xml_round_trip(tables: dict[date, dict[str, Decimal]]) -> None:
    assert got(parse(nbp_api_xml(tables))) == expected(tables, "NBP")


@given(DAYS, st.dictionaries(CODES, RATES, min_size=1, max_size=8), st.sampled_from([1, 100, 10000]))
def test_nbp_static_round_trip_with_przelicznik(day: date, rates: dict[str, Decimal], units: int) -> None:
    assert got(parse(nbp_static(day, rates, units))) == expected({day: rates}, "NBP")


VALID = [
    fixture(n)
    for n in (
        "eurofxref-daily.xml",
        "a232z261202.xml",
        "nbp-api-tables-a.json",
        "nbp-api-table-a.xml",
        "nbp-api-rates-a-usd.json",
    )
]


def parses_or_refuses(data: bytes) -> None:
    try:
        rates = parse(data)
    except RatesFormatError:
        return
    assert rates
    assert all(isinstance(r, Rate) and r.rate > 0 for r in rates)


@given(st.binary(max_size=400))
def test_random_bytes_parse_or_are_refused_clearly(data: bytes) -> None:
    parses_or_refuses(data)


@given(st.sampled_from(VALID), st.data())
def test_damaged_files_parse_or_are_refused_clearly(valid: bytes, data: st.DataObject) -> None:
    cut = data.draw(st.integers(0, len(valid)))
    insert = data.draw(st.binary(max_size=12))
    drop = data.draw(st.integers(0, 20))
    parses_or_refuses(valid[:cut] + insert + valid[cut + drop :])


@given(st.sampled_from(VALID), st.text(max_size=30))
def test_values_replaced_by_any_text_are_refused_clearly(valid: bytes, text: str) -> None:
    for needle in (b"4.2866", b"4,2866", b"0.83245", b"2026-12-02", b"EUR", b"USD"):
        if needle in valid:
            parses_or_refuses(valid.replace(needle, text.encode("utf-8", "replace"), 1))
