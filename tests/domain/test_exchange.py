"""Which rate states the VAT in national currency, and the converted amounts (docs/countries.md §10.3)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mandat.domain.documents import VatBreakdown
from mandat.domain.exchange import (
    EUROZONE_ECB,
    MAX_AGE,
    PL_ECB,
    PL_NBP,
    UK_ECB,
    Rate,
    event_rate,
    exchange_for,
    pick_rate,
)
from mandat.domain.refusals import Waiting

D = Decimal


class Tables:
    """An in-memory RateLookup: the newest stored rate on or before the day, as the store's."""

    def __init__(self, *rates: Rate) -> None:
        self.rates = list(rates)
        self.calls: list[tuple[str, str, str, date]] = []

    def __call__(self, source: str, base: str, quote: str, latest_day: date) -> Rate | None:
        self.calls.append((source, base, quote, latest_day))
        found = [r for r in self.rates if (r.source, r.base, r.quote) == (source, base, quote) and r.day <= latest_day]
        return max(found, key=lambda r: r.day) if found else None


def ecb(quote: str, rate: str, day: date) -> Rate:
    return Rate("ECB", "EUR", quote, D(rate), day)


def nbp(base: str, rate: str, day: date, no: str) -> Rate:
    return Rate("NBP", base, "PLN", D(rate), day, no)


TUE, WED, THU = date(2026, 12, 1), date(2026, 12, 2), date(2026, 12, 3)
FRI, SUN, MON = date(2026, 12, 4), date(2026, 12, 6), date(2026, 12, 7)


def test_eurozone_ecb_rate_of_the_tax_point_itself() -> None:
    tables = Tables(ecb("USD", "1.0498", TUE), ecb("USD", "1.0512", WED))
    rate = pick_rate(EUROZONE_ECB, tables, "EUR", "USD", WED)
    assert (rate.rate, rate.day) == (D("1.0512"), WED)


def test_french_seller_gbp_invoice_uses_the_inverse_of_the_ecb_eur_gbp_rate() -> None:
    rate = pick_rate(EUROZONE_ECB, Tables(ecb("GBP", "0.83245", WED)), "GBP", "EUR", WED)
    # 1 / 0.83245 = 1.2012733497507357..., kept with 12 significant digits.
    assert (rate.base, rate.quote, rate.rate, rate.day, rate.source) == ("GBP", "EUR", D("1.20127334975"), WED, "ECB")


def test_polish_seller_nbp_rate_of_the_day_before_never_the_tax_point_day() -> None:
    tables = Tables(nbp("EUR", "4.2903", TUE, "231/A/NBP/2026"), nbp("EUR", "4.2866", WED, "232/A/NBP/2026"))
    # Art. 31a ust. 1: the last working day BEFORE the tax point.
    assert pick_rate(PL_NBP, tables, "EUR", "PLN", WED).rate == D("4.2903")
    on_thursday = pick_rate(PL_NBP, tables, "EUR", "PLN", THU)
    assert (on_thursday.rate, on_thursday.reference) == (D("4.2866"), "232/A/NBP/2026")


def test_polish_monday_tax_point_takes_friday_table() -> None:
    tables = Tables(nbp("USD", "4.0787", WED, "232"), nbp("USD", "4.0700", FRI, "234"))
    rate = pick_rate(PL_NBP, tables, "USD", "PLN", MON)
    assert (rate.rate, rate.day) == (D("4.0700"), FRI)
    assert tables.calls == [("NBP", "USD", "PLN", SUN)]


def test_polish_ecb_option_also_the_day_before() -> None:
    tables = Tables(ecb("PLN", "4.2911", TUE), ecb("PLN", "4.2875", WED))
    assert pick_rate(PL_ECB, tables, "EUR", "PLN", WED).rate == D("4.2911")


def test_uk_seller_chf_invoice_ecb_cross_rate() -> None:
    tables = Tables(ecb("GBP", "0.83245", WED), ecb("CHF", "0.9312", WED))
    rate = pick_rate(UK_ECB, tables, "CHF", "GBP", WED)
    # 0.83245 / 0.9312 = 0.89395403780068..., 12 significant digits.
    assert (rate.base, rate.quote, rate.rate, rate.day) == ("CHF", "GBP", D("0.893954037801"), WED)
    assert rate.printed_source == "ECB (cross rate)"


def test_cross_rate_uses_one_publication_day_for_both_currencies() -> None:
    # CHF missing from Wednesday's import: both from Tuesday, never GBP of Wednesday over CHF of Tuesday.
    tables = Tables(ecb("GBP", "0.83180", TUE), ecb("CHF", "0.9305", TUE), ecb("GBP", "0.83245", WED))
    rate = pick_rate(UK_ECB, tables, "CHF", "GBP", WED)
    # 0.83180 / 0.9305 = 0.893927995701...
    assert (rate.rate, rate.day) == (D("0.893927995701"), TUE)


def test_missing_rate_waits_naming_source_pair_day_and_law() -> None:
    with pytest.raises(Waiting) as caught:
        pick_rate(PL_NBP, Tables(), "EUR", "PLN", THU)
    assert caught.value.code == "rate_missing"
    assert caught.value.status == "waiting"
    for part in ("NBP", "EUR->PLN", "2026-12-03", "2026-12-02", "art. 31a", "mandat rates import"):
        assert part in caught.value.reason


def test_missing_one_side_of_a_cross_rate_waits() -> None:
    with pytest.raises(Waiting, match="rate_missing"):
        pick_rate(UK_ECB, Tables(ecb("GBP", "0.83245", WED)), "CHF", "GBP", WED)


def test_a_stale_table_waits_for_the_import() -> None:
    assert MAX_AGE.days == 7
    tables = Tables(ecb("USD", "1.0512", date(2026, 11, 25)))
    assert pick_rate(EUROZONE_ECB, tables, "EUR", "USD", date(2026, 12, 2)).day == date(2026, 11, 25)  # 7 days
    with pytest.raises(Waiting) as caught:
        pick_rate(EUROZONE_ECB, tables, "EUR", "USD", date(2026, 12, 3))  # 8 days
    assert "2026-11-25" in caught.value.reason


def test_a_rate_from_the_event_bypasses_the_tables() -> None:
    def no_lookup(source: str, base: str, quote: str, latest_day: date) -> Rate | None:
        raise AssertionError("the event's rate needs no lookup")

    given = event_rate(D("1.1734"), "HMRC", date(2026, 11, 1), "EUR", "GBP", reference="2026-11")
    assert pick_rate(UK_ECB, no_lookup, "EUR", "GBP", WED, given=given) is given
    with pytest.raises(ValueError, match="USD->GBP"):
        pick_rate(UK_ECB, no_lookup, "USD", "GBP", WED, given=given)


def test_nbp_quotes_zloty_only() -> None:
    with pytest.raises(ValueError, match="złoty"):
        pick_rate(PL_NBP, Tables(), "EUR", "USD", WED)


def vat(rate: str, base: str, tax: str) -> VatBreakdown:
    return VatBreakdown(category="S", rate=D(rate), taxable_amount=D(base), tax_amount=D(tax))


def test_exchange_converts_each_rate_and_sums_the_rounded_rows() -> None:
    rate = Rate("ECB", "GBP", "EUR", D("1.20127334975"), WED)
    ex = exchange_for([vat("20", "500.00", "100.00"), vat("5.5", "100.00", "5.50")], rate, "EUR")
    # 100.00 x 1.20127334975 = 120.127... -> 120.13; 5.50 x 1.20127334975 = 6.607... -> 6.61
    assert [(r.rate, r.tax_amount) for r in ex.per_rate] == [(D("20"), D("120.13")), (D("5.5"), D("6.61"))]
    assert ex.tax_total == D("126.74")
    assert (ex.tax_currency, ex.rate, ex.source, ex.day, ex.reference) == ("EUR", D("1.20127334975"), "ECB", WED, None)


def test_exchange_rounds_half_up() -> None:
    # 10.00 x 1.0005 = 10.005: half up gives 10.01 (half even would give 10.00).
    ex = exchange_for([vat("20", "50.00", "10.00")], Rate("ECB", "USD", "EUR", D("1.0005"), WED), "EUR")
    assert ex.tax_total == D("10.01")


def test_bt111_is_the_sum_of_the_rows_not_the_converted_bt110() -> None:
    # Two rows of 0.05 at 1.5: 0.075 -> 0.08 each, 0.16 in all; BT-110 0.10 x 1.5 would give 0.15.
    rows = [vat("20", "0.25", "0.05"), vat("10", "0.50", "0.05")]
    ex = exchange_for(rows, Rate("NBP", "EUR", "PLN", D("1.5"), WED, "1/A/NBP/2026"), "PLN")
    assert ex.tax_total == D("0.16")
    assert ex.reference == "1/A/NBP/2026"


def test_event_rate_prints_the_events_source() -> None:
    given = event_rate(D("5.1493"), "Bank Pekao", WED, "GBP", "PLN")
    assert exchange_for([vat("23", "100.00", "23.00")], given, "PLN").source == "Bank Pekao"


def test_exchange_refuses_a_rate_to_another_currency() -> None:
    with pytest.raises(ValueError):
        exchange_for([vat("20", "1.00", "0.20")], Rate("ECB", "EUR", "USD", D("1.05"), WED), "GBP")


@pytest.mark.parametrize("bad", ["0", "-1", "NaN"])
def test_a_rate_is_positive(bad: str) -> None:
    with pytest.raises(ValueError):
        Rate("ECB", "EUR", "USD", D(bad), WED)


# --- properties -------------------------------------------------------------------------------------

PUBLISHED = st.decimals(min_value=D("0.0001"), max_value=D("99999"), places=4)
VAT = st.decimals(min_value=D("0.00"), max_value=D("9999999.99"), places=2)


@given(PUBLISHED)
def test_an_inverse_rate_undoes_the_published_one_to_12_digits(published: Decimal) -> None:
    rate = pick_rate(EUROZONE_ECB, Tables(ecb("XXX", str(published), WED)), "XXX", "EUR", WED).rate
    assert abs(rate * published - 1) <= D("5e-12")


@given(PUBLISHED, PUBLISHED)
def test_a_cross_rate_is_the_quotient_to_12_digits(to_tax: Decimal, to_invoice: Decimal) -> None:
    tables = Tables(ecb("GBP", str(to_tax), WED), ecb("CHF", str(to_invoice), WED))
    rate = pick_rate(UK_ECB, tables, "CHF", "GBP", WED).rate
    assert abs(rate * to_invoice - to_tax) <= to_tax * D("5e-12")
    assert len(rate.normalize().as_tuple().digits) <= 12


@given(st.lists(VAT, min_size=1, max_size=6), PUBLISHED)
def test_bt111_is_within_half_a_cent_per_row_of_the_converted_total(taxes: list[Decimal], rate: Decimal) -> None:
    rows = [vat(str(n), "0", str(t)) for n, t in enumerate(taxes)]
    ex = exchange_for(rows, Rate("NBP", "EUR", "PLN", rate, WED), "PLN")
    assert ex.tax_total == sum(r.tax_amount for r in ex.per_rate)
    assert all(r.tax_amount == r.tax_amount.quantize(D("0.01")) for r in ex.per_rate)
    assert abs(ex.tax_total - sum(taxes) * rate) <= D("0.005") * len(taxes)
