"""Credit notes (CGI 272-1, 289 I-1: a credit note refers to the invoice it corrects) with hand-computed figures."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from pydantic import ValidationError

from mandat.domain.credit import Credited, CreditError, CreditRequest, plan_credit
from mandat.domain.documents import Document
from mandat.domain.events import OrderPaid, OrderRefunded
from mandat.domain.refusals import Rejected
from mandat.rules.credit_note import draft_credit_note
from mandat.rules.draft import draft_invoice
from tests.factories import FR_COMPANY, MARKETPLACE, NOW, TODAY, order, refund, seller

D = Decimal


def invoice(category: str, seller_id: str = "atelier-bois") -> Document:
    ev = OrderPaid.model_validate(
        order(
            seller_id,
            buyer=FR_COMPANY,
            include_vat=False,
            fix_amount=False,
            payment={
                "amount": {"standard": "43.20", "intermediate": "39.60", "reduced": "37.98", "super_reduced": "36.76"}[
                    category
                ]
            },
            lines=[
                {
                    "sku": "SKU-1",
                    "description": "Article",
                    "quantity": "3",
                    "unit_price": "12.00",
                    "tax_category": category,
                }
            ],
        )
    )
    return draft_invoice(ev, seller(seller_id), MARKETPLACE, TODAY).finalize(1, NOW, "0" * 64)


def credit(inv: Document, event: dict[str, Any], seller_id: str = "atelier-bois") -> Document:
    ev = OrderRefunded.model_validate(event)
    d, _ = draft_credit_note(ev, inv, Credited(), seller(seller_id), MARKETPLACE, TODAY)
    return d.finalize(1, NOW, "0" * 64)


ONE = {"kind": "lines", "lines": [{"sku": "SKU-1", "quantity": "1"}]}


# One unit of 12.00 excluding VAT refunded, per rate (CGI 278, 279, 278-0 bis, 281 quater):
#   20 %: 12.00 x 0.20 = 2.40 -> 14.40;  10 %: 1.20 -> 13.20;
#   5.5 %: 12.00 x 0.055 = 0.66 -> 12.66;  2.1 %: 12.00 x 0.021 = 0.252 -> 0.25 -> 12.25.
@pytest.mark.parametrize(
    ("category", "rate", "vat", "gross"),
    [
        ("standard", "20", "2.40", "14.40"),
        ("intermediate", "10", "1.20", "13.20"),
        ("reduced", "5.5", "0.66", "12.66"),
        ("super_reduced", "2.1", "0.25", "12.25"),
    ],
)
def test_partial_refund_of_one_unit(category: str, rate: str, vat: str, gross: str) -> None:
    inv = invoice(category)
    cn = credit(inv, refund(scope=ONE, amount=gross))
    assert (cn.totals.tax_exclusive, cn.totals.tax_total, cn.totals.tax_inclusive) == (D("12.00"), D(vat), D(gross))
    assert [(b.category, b.rate) for b in cn.vat_breakdown] == [("S", D(rate))]
    assert cn.seller_id == inv.seller_id
    assert any(inv.number in m.text for m in cn.mentions)  # refers to the corrected invoice


def test_refund_amount_not_matching_the_credit_note_is_refused() -> None:
    inv = invoice("reduced")
    with pytest.raises(Rejected) as exc:
        credit(inv, refund(scope=ONE, amount="12.67"))
    assert exc.value.code == "refund_amount"


def test_refund_in_another_currency_than_the_invoice_is_refused() -> None:
    inv = invoice("standard")
    ev = refund(scope=ONE, amount="14.40")
    ev["payment"]["currency"] = "USD"
    with pytest.raises(Rejected) as exc:
        credit(inv, ev)
    assert exc.value.code == "payment_currency"


def test_refund_of_another_sellers_invoice_is_refused() -> None:
    inv = invoice("standard", "outillage-pro")  # issued in outillage-pro's series
    with pytest.raises(Rejected) as exc:
        credit(inv, refund(scope=ONE, amount="14.40"))  # credited as atelier-bois
    assert exc.value.code == "seller_mismatch"
    with pytest.raises(Rejected) as exc:  # the event names the right seller, the seller given is another
        credit(inv, refund(scope=ONE, amount="14.40", seller_id="outillage-pro"), seller_id="atelier-bois")
    assert exc.value.code == "seller_mismatch"


def test_zero_quantity_credit_line_is_refused() -> None:
    inv = invoice("standard")
    scope = {"kind": "lines", "lines": [{"sku": "SKU-1", "quantity": "0"}]}
    with pytest.raises((Rejected, ValidationError)):
        credit(inv, refund(scope=scope, amount="0.01"))


def test_more_than_invoiced_is_refused() -> None:
    inv = invoice("standard")
    scope = {"kind": "lines", "lines": [{"sku": "SKU-1", "quantity": "4"}]}
    with pytest.raises(Rejected):
        credit(inv, refund(scope=scope, amount="57.60"))


@pytest.mark.parametrize("quantity", ["0", "-1"])
def test_zero_or_negative_quantity_is_refused_by_the_credit_plan_itself(quantity: str) -> None:
    # Behind the event schema, the plan refuses too: a credit line of no quantity credits nothing.
    inv = invoice("standard")
    with pytest.raises(CreditError) as exc:
        plan_credit(inv, Credited(), CreditRequest(lines={inv.lines[0].id: D(quantity)}))
    assert exc.value.code == "over_credit"
