"""Credit-note cases that mutation testing (`./dev mutate domain/credit.py`) found unguarded.

Every expected figure is worked out by hand in the comment above it: cumulative rounding against the invoice
(round(N x c / Q) minus what was credited before), half-up at two decimals, VAT = gross - net per rate
(BR-CO-17 tolerance), and each refusal's code and text word for word. docs/mutants/domain-calculation.md
lists the mutant each test kills.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from mandat.domain.credit import Credited, CreditError, CreditRequest, Taken, plan_credit
from mandat.domain.documents import Document
from tests.render.samples import FRANCHISE_REASON, FRANCHISE_SELLER, make_document, taxed

D = Decimal


def _refused(inv: Document, state: Credited, request: CreditRequest) -> CreditError:
    with pytest.raises(CreditError) as info:
        plan_credit(inv, state, request)
    return info.value


def test_credit_error_keeps_code_and_reason_apart() -> None:
    exc = CreditError("over_credit", "too much")
    assert (exc.code, exc.reason, str(exc)) == ("over_credit", "too much", "over_credit: too much")


def test_only_an_invoice_is_credited_and_the_refusal_says_why() -> None:
    # A credit note (type 381) cannot itself be credited; the sample's credit-note number is A-ATD-000042.
    note = make_document([taxed("A", "a", "1", "10.00", "20")], prices_include_vat=True, kind="credit_note")
    exc = _refused(note, Credited(), CreditRequest(full=True))
    assert exc.code == "not_an_invoice"
    assert exc.reason == "A-ATD-000042 is a credit_note, only invoices are credited"


def test_unknown_line_is_refused_with_its_id() -> None:
    inv = make_document([taxed("A", "a", "1", "10.00", "20")], prices_include_vat=True)
    exc = _refused(inv, Credited(), CreditRequest(lines={"7": D(1)}))
    assert exc.code == "refund_line_unknown"
    assert exc.reason == "invoice F-ATD-000042 has no line 7"


def test_line_over_credit_says_what_is_left() -> None:
    # Line 1: 2 units. One credited, then 2 asked: 2 - 1 = 1 unit left of 2.
    inv = make_document([taxed("A", "a", "2", "10.00", "20")], prices_include_vat=True)
    first = plan_credit(inv, Credited(), CreditRequest(lines={"1": D(1)}))
    exc = _refused(inv, first.credited, CreditRequest(lines={"1": D(2)}))
    assert exc.code == "over_credit"
    assert exc.reason == "line 1 (A) of invoice F-ATD-000042: 2 asked, 1 of 2 left to credit"


def test_rate_over_credit_counts_what_was_credited_before() -> None:
    # Invoice: 2 x 10.00 VAT incl. at 20 % = 20.00 paid. A 5.00 gesture leaves 20.00 - 5.00 = 15.00;
    # a 16.00 gesture is then refused, naming 15.00 (not the invoice's 20.00).
    inv = make_document([taxed("A", "a", "2", "10.00", "20")], prices_include_vat=True)
    first = plan_credit(inv, Credited(), CreditRequest(amounts=[(D(20), D("5.00"))]))
    exc = _refused(inv, first.credited, CreditRequest(amounts=[(D(20), D("16.00"))]))
    assert exc.code == "over_credit"
    assert exc.reason == "VAT S 20% of invoice F-ATD-000042: 16.00 asked (VAT incl.), 15.00 left to credit"


def test_gesture_at_a_rate_the_invoice_lacks_is_refused_listing_its_rates() -> None:
    # Invoice groups S 20 % and S 10 %, listed in ascending (category, rate) order; 5.5 % is not one of them.
    inv = make_document(
        [taxed("A", "a", "1", "10.00", "20"), taxed("B", "b", "1", "10.00", "10")], prices_include_vat=True
    )
    exc = _refused(inv, Credited(), CreditRequest(amounts=[(D("5.5"), D("1.00"))]))
    assert exc.code == "refund_rate_unknown"
    assert exc.reason == "invoice F-ATD-000042 has no VAT group(s) at 5.5% (S 10%, S 20%)"


def test_gesture_at_a_rate_shared_by_two_categories_is_refused_as_ambiguous() -> None:
    # 0 % is both Z (zero-rated) and E (exempt) here: a gesture "at 0 %" cannot choose between them.
    inv = make_document(
        [taxed("A", "a", "1", "10.00", "0", category="Z"), taxed("B", "b", "1", "10.00", "0", category="E")],
        prices_include_vat=True,
    )
    exc = _refused(inv, Credited(), CreditRequest(amounts=[(D(0), D("1.00"))]))
    assert exc.code == "refund_rate_unknown"
    assert exc.reason == "invoice F-ATD-000042 has several VAT group(s) at 0% (E 0%, Z 0%)"


def test_fully_credited_invoice_is_refused_with_its_number() -> None:
    inv = make_document([taxed("A", "a", "1", "10.00", "20")], prices_include_vat=True)
    full = plan_credit(inv, Credited(), CreditRequest(full=True))
    exc = _refused(inv, full.credited, CreditRequest(full=True))
    assert exc.code == "nothing_to_credit"
    assert exc.reason == "invoice F-ATD-000042 is already fully credited"


def test_a_credit_note_of_nothing_is_refused_with_its_total() -> None:
    # A 0.00 gesture: net 0.00 + VAT 0.00 = 0.00, not a credit note.
    inv = make_document([taxed("A", "a", "1", "10.00", "20")], prices_include_vat=True)
    exc = _refused(inv, Credited(), CreditRequest(amounts=[(D(20), D("0.00"))]))
    assert exc.code == "nothing_to_credit"
    assert exc.reason == "the credit note would come to 0.00"


def test_gestures_are_numbered_r1_r2_with_one_unit_of_the_refunded_net() -> None:
    # 12.00 VAT incl. at 20 %: net 10.00 (10.00 + 2.00 = 12.00 exactly); 6.00: net 5.00 (5.00 + 1.00).
    # Each is one unit (C62, BT-129 = 1) whose unit price is its net, under the SKU "REFUND".
    inv = make_document([taxed("A", "a", "2", "30.00", "20", unit="MTK")], prices_include_vat=True)
    plan = plan_credit(
        inv, Credited(), CreditRequest(amounts=[(D(20), D("12.00")), (D(20), D("6.00"))], amount_description="Retard")
    )
    got = [(ln.id, ln.sku, ln.description, ln.quantity, ln.unit, ln.net_unit_price, ln.net_amount) for ln in plan.lines]
    assert got == [
        ("R1", "REFUND", "Retard", D(1), "C62", D("10.00"), D("10.00")),
        ("R2", "REFUND", "Retard", D(1), "C62", D("5.00"), D("5.00")),
    ]


def test_credited_line_keeps_its_unit_and_its_unit_price_is_net_over_quantity() -> None:
    # 3 m2 at 12.00 excl. VAT, 20 %: line net 36.00. Crediting 2 m2: round(36.00 x 2 / 3) = 24.00,
    # unit price 24.00 / 2 = 12.000000 (BT-146), unit still MTK (the invoice line's BT-130).
    inv = make_document([taxed("A", "a", "3", "12.00", "20", unit="MTK")], prices_include_vat=False)
    plan = plan_credit(inv, Credited(), CreditRequest(lines={"1": D(2)}))
    (ln,) = plan.lines
    assert (ln.id, ln.unit, ln.quantity, ln.net_amount, ln.net_unit_price) == ("1", "MTK", D(2), D("24.00"), D(12))
    assert ln.net_unit_price.as_tuple().exponent == -6
    # VAT: round(24.00 x 20 %) = 4.80; gross round(43.20 x 2 / 3) = 28.80.
    assert (plan.totals.tax_exclusive, plan.totals.tax_total, plan.totals.tax_inclusive) == (
        D("24.00"),
        D("4.80"),
        D("28.80"),
    )


def test_full_refund_after_a_gesture_writes_the_adjustment_line_word_for_word() -> None:
    # 2 x 10.00 incl. 20 %: gross 20.00. Gesture 3.00 at 20 %: net 2.50 (2.50 + 0.50 = 3.00).
    # The full refund then credits the line (gross 20.00) and subtracts the gesture in one adjustment line.
    inv = make_document([taxed("A", "a", "2", "10.00", "20", unit="MTK")], prices_include_vat=True)
    gesture = plan_credit(inv, Credited(), CreditRequest(amounts=[(D(20), D("3.00"))]))
    full = plan_credit(inv, gesture.credited, CreditRequest(full=True))
    adj = full.lines[-1]
    assert (adj.id, adj.sku, adj.description, adj.unit, adj.quantity) == (
        "ADJ-S-20",
        "ADJUSTMENT",
        "Déduction des remboursements partiels déjà accordés",
        "C62",
        D(-1),
    )
    assert (adj.net_amount, adj.gross_amount, adj.net_unit_price) == (D("-2.50"), D("-3.00"), D("2.50"))
    assert full.totals.tax_inclusive == D("17.00")  # 20.00 - 3.00


def test_full_refund_subtracts_gestures_whose_nets_cancel_but_grosses_do_not() -> None:
    # At 20 %, no net gives a gross of 0.03 (0.02 -> 0.02, 0.03 -> 0.04): 0.03 keeps n0 = round(0.03/1.2) =
    # 0.03 and VAT 0.00. A gross of 0.04 has net 0.03 (0.03 + 0.01). So gestures of +0.04 and -0.03 take
    # net 0.03 - 0.03 = 0.00 but gross 0.04 - 0.03 = 0.01 from the rate. The full refund must still subtract
    # that cent: line gross 12.00 - 0.01 = 11.99, and the rate ends at exactly zero.
    inv = make_document([taxed("A", "a", "1", "12.00", "20")], prices_include_vat=True)
    gestures = plan_credit(inv, Credited(), CreditRequest(amounts=[(D(20), D("0.04")), (D(20), D("-0.03"))]))
    assert (gestures.totals.tax_exclusive, gestures.totals.tax_inclusive) == (D("0.00"), D("0.01"))
    full = plan_credit(inv, gestures.credited, CreditRequest(full=True))
    assert [(ln.id, ln.net_amount, ln.gross_amount) for ln in full.lines] == [
        ("1", D("10.00"), D("12.00")),
        ("ADJ-S-20", D("0.00"), D("-0.01")),
    ]
    assert full.totals.tax_inclusive == D("11.99")


def test_cumulative_rounding_drift_is_explained_in_the_notes() -> None:
    # 3 x 10.00 incl. 20 %: gross 30.00, net 25.00 (25.00 + 5.00). First unit: net round(25/3) = 8.33,
    # gross 10.00, VAT 1.67 = round(8.33 x 20 %) = round(1.666): no note. Second unit: net
    # round(50/3) - 8.33 = 16.67 - 8.33 = 8.34, gross 10.00, VAT 1.66, while round(8.34 x 20 %) =
    # round(1.668) = 1.67: 1.66 is -0.01 from it.
    inv = make_document([taxed("A", "a", "3", "10.00", "20")], prices_include_vat=True)
    first = plan_credit(inv, Credited(), CreditRequest(lines={"1": D(1)}))
    assert first.notes == []
    second = plan_credit(inv, first.credited, CreditRequest(lines={"1": D(1)}))
    assert (second.breakdown[0].taxable_amount, second.breakdown[0].tax_amount) == (D("8.34"), D("1.66"))
    assert second.notes == [
        "VAT S 20%: 1.66 is -0.01 from round(8.34 x 20%): amounts are rounded cumulatively against the invoice "
        "so that credits add up to it exactly (BR-CO-17 tolerance)"
    ]


def test_breakdown_keeps_the_invoice_order_highest_rate_first() -> None:
    # The invoice lists S 20 % before S 5.5 % (highest rate first within a category); its credit note too.
    inv = make_document(
        [taxed("A", "a", "1", "10.00", "5.5"), taxed("B", "b", "1", "10.00", "20")], prices_include_vat=True
    )
    assert [b.rate for b in inv.vat_breakdown] == [D(20), D("5.5")]
    full = plan_credit(inv, Credited(), CreditRequest(full=True))
    assert [b.rate for b in full.breakdown] == [D(20), D("5.5")]


def test_exempt_credit_note_carries_the_invoice_exemption_reason() -> None:
    # VAT franchise (CGI 293 B): the credit note of an exempt sale repeats BT-120 / BT-121 (BR-E-10).
    inv = make_document(
        [taxed("A", "a", "1", "10.00", "0", category="E")],
        prices_include_vat=True,
        seller=FRANCHISE_SELLER,
        exemptions={"E": FRANCHISE_REASON},
    )
    full = plan_credit(inv, Credited(), CreditRequest(full=True))
    (b,) = full.breakdown
    assert (b.category, b.exemption_reason, b.exemption_code) == (
        "E",
        "TVA non applicable, art. 293 B du CGI",
        "VATEX-FR-FRANCHISE",
    )


def test_credited_state_is_written_as_stable_json() -> None:
    # What the ledger row stores (service/app.py): lines as [quantity, net, gross], rates as "category|rate"
    # -> [net, gross], keys sorted as text ("S|20" before "S|5.5"), json.dumps' default separators.
    state = Credited(
        lines={"2": Taken(D(1), D("5.00"), D("5.28")), "1": Taken(D("1.5"), D("10.00"), D("12.00"))},
        rates={("S", D("5.5")): Taken(D(0), D("5.00"), D("5.28")), ("S", D(20)): Taken(D(0), D("10.00"), D("12.00"))},
    )
    text = (
        '{"lines": {"1": ["1.5", "10.00", "12.00"], "2": ["1", "5.00", "5.28"]}, '
        '"rates": {"S|20": ["10.00", "12.00"], "S|5.5": ["5.00", "5.28"]}}'
    )
    assert state.to_json() == text
    back = Credited.from_json(text)
    assert back.lines == {"1": Taken(D("1.5"), D("10.00"), D("12.00")), "2": Taken(D(1), D("5.00"), D("5.28"))}
    assert back.rates == {
        ("S", D(20)): Taken(D(0), D("10.00"), D("12.00")),
        ("S", D("5.5")): Taken(D(0), D("5.00"), D("5.28")),
    }
    # Quantities are not kept per rate: they read back as zero.
    assert all(t.quantity == 0 for t in back.rates.values())


def test_credited_state_reads_rates_written_with_trailing_zeros_as_one_rate() -> None:
    back = Credited.from_json('{"lines": {}, "rates": {"S|20.00": ["1.00", "1.20"]}}')
    assert list(back.rates) == [("S", D(20))]
    assert str(next(iter(back.rates))[1]) == "20"


@pytest.mark.parametrize("text", [None, ""])
def test_no_ledger_row_means_nothing_credited(text: str | None) -> None:
    assert Credited.from_json(text) == Credited()
    assert Credited.from_json(text).empty


def test_a_first_gesture_larger_than_the_invoice_is_refused() -> None:
    # Nothing credited yet: 25.00 asked against 2 x 10.00 = 20.00 paid at 20 %.
    inv = make_document([taxed("A", "a", "2", "10.00", "20")], prices_include_vat=True)
    exc = _refused(inv, Credited(), CreditRequest(amounts=[(D(20), D("25.00"))]))
    assert exc.code == "over_credit"
    assert exc.reason == "VAT S 20% of invoice F-ATD-000042: 25.00 asked (VAT incl.), 20.00 left to credit"


def test_a_gesture_taking_more_net_than_is_left_is_refused_even_if_the_gross_fits() -> None:
    # Invoice: 10.00 paid at 20 %: net 8.33 (8.33 + round(1.666) = 8.33 + 1.67 = 10.00).
    # Gesture 0.03: no net gives 0.03 exactly, so net 0.03, VAT 0.00. Then 9.97: net round(9.97 / 1.2) =
    # round(8.3083) = 8.31, 8.31 + round(1.662) = 9.97 exactly. Gross 0.03 + 9.97 = 10.00 fits, but net
    # 0.03 + 8.31 = 8.34 > 8.33: the rate would be over-credited by a cent of net, refused.
    inv = make_document([taxed("A", "a", "1", "10.00", "20")], prices_include_vat=True)
    first = plan_credit(inv, Credited(), CreditRequest(amounts=[(D(20), D("0.03"))]))
    assert (first.totals.tax_exclusive, first.totals.tax_inclusive) == (D("0.03"), D("0.03"))
    exc = _refused(inv, first.credited, CreditRequest(amounts=[(D(20), D("9.97"))]))
    assert exc.code == "over_credit"
    assert exc.reason == "VAT S 20% of invoice F-ATD-000042: 9.97 asked (VAT incl.), 9.97 left to credit"


def test_credited_unit_price_is_rounded_half_up_to_six_decimals() -> None:
    # 3 units at 3.3333 excl. VAT: net round(9.9999) = 10.00. All 3 credited: net 10.00, BT-146 = 10.00 / 3 =
    # 3.3333333... -> 3.333333 (six decimals, the unit-price precision of money.q).
    inv = make_document([taxed("A", "a", "3", "3.3333", "20")], prices_include_vat=False)
    (ln,) = plan_credit(inv, Credited(), CreditRequest(lines={"1": D(3)})).lines
    assert (ln.net_amount, str(ln.net_unit_price)) == (D("10.00"), "3.333333")


def test_full_refund_after_partial_ones_takes_only_what_is_left() -> None:
    # Line 1: 1 x 10.00 paid at 20 % (net 8.33: 8.33 + 1.67). Line 2: 3 x 10.00 (net 25.00: 25.00 + 5.00).
    # Credited first: line 1 entirely, one unit of line 2 (net round(25.00 / 3) = 8.33, gross 10.00),
    # and a 2.40 gesture at 20 % (net 2.00: 2.00 + 0.40). The full refund then takes line 2's other 2 units
    # (net 25.00 - 8.33 = 16.67, gross 30.00 - 10.00 = 20.00), nothing of line 1, and subtracts the gesture
    # once (-2.00 / -2.40): total 20.00 - 2.40 = 17.60, and 10.00 + 10.00 + 2.40 + 17.60 = 40.00 paid.
    inv = make_document(
        [taxed("A", "a", "1", "10.00", "20"), taxed("B", "b", "3", "10.00", "20")], prices_include_vat=True
    )
    part = plan_credit(inv, Credited(), CreditRequest(lines={"1": D(1), "2": D(1)}))
    gesture = plan_credit(inv, part.credited, CreditRequest(amounts=[(D(20), D("2.40"))]))
    full = plan_credit(inv, gesture.credited, CreditRequest(full=True))
    assert [(ln.id, ln.quantity, ln.net_amount, ln.gross_amount) for ln in full.lines] == [
        ("2", D(2), D("16.67"), D("20.00")),
        ("ADJ-S-20", D(-1), D("-2.00"), D("-2.40")),
    ]
    assert (full.totals.tax_exclusive, full.totals.tax_total, full.totals.tax_inclusive) == (
        D("14.67"),
        D("2.93"),
        D("17.60"),
    )
