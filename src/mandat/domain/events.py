"""Sale events sent by the marketplace, as documented in docs/events.md.

Money fields are JSON strings or numbers parsed straight to Decimal (never float);
prices follow an explicit convention: ``prices_include_vat`` says whether unit
prices, discounts and shipping include VAT.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from mandat.domain.parties import Address, ShortText, Text, clean_vat_id

Identifier = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.:\-]{1,64}$")]


def _max_decimals(places: int):  # type: ignore[no-untyped-def]
    def check(v: Decimal) -> Decimal:
        if not v.is_finite():
            raise ValueError("must be a finite number")
        exponent = v.as_tuple().exponent
        if isinstance(exponent, int) and -exponent > places:
            raise ValueError(f"at most {places} decimals")
        return v

    return AfterValidator(check)


Amount = Annotated[Decimal, _max_decimals(2), Field(ge=0, le=Decimal("99999999.99"))]
UnitPrice = Annotated[Decimal, _max_decimals(6), Field(ge=0, le=Decimal("99999999"))]
Quantity = Annotated[Decimal, _max_decimals(4), Field(gt=0, le=Decimal(1000000))]
Rate = Annotated[Decimal, _max_decimals(2), Field(ge=0, lt=100)]
Currency = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]


def _with_offset(v: datetime) -> datetime:
    if v.tzinfo is None:
        raise ValueError("timestamps need a timezone offset")
    return v


class Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class Buyer(Model):
    kind: Literal["consumer", "business"]
    name: Text
    address: Address
    email: Annotated[str, StringConstraints(pattern=r"^[^@\s]{1,64}@[^@\s]{1,255}$")] | None = None
    vat_id: str | None = None
    siren: Annotated[str, StringConstraints(pattern=r"^\d{9}$")] | None = None
    purchase_order: Annotated[str, StringConstraints(max_length=50)] | None = None

    @field_validator("vat_id")
    @classmethod
    def _clean_vat(cls, v: str | None) -> str | None:
        return clean_vat_id(v) if v else None


class Line(Model):
    sku: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    description: Text
    quantity: Quantity
    unit_price: UnitPrice
    nature: Literal["goods", "service"] = "goods"
    vat_rate: Rate | None = Field(default=None, description="VAT percent; or give tax_category")
    tax_category: (
        Literal["standard", "intermediate", "reduced", "super_reduced", "home_renovation", "energy_renovation"] | None
    ) = None
    discount: Amount = Field(default=Decimal(0), description="amount off this line, same VAT convention")
    unit: Annotated[str, StringConstraints(pattern=r"^[A-Z0-9]{1,3}$")] = "C62"

    @model_validator(mode="after")
    def _discount_fits(self) -> Line:
        if self.discount > self.quantity * self.unit_price:
            raise ValueError("discount larger than the line amount")
        return self


class Shipping(Model):
    amount: Amount
    description: Text = "Frais de livraison"
    vat_rate: Rate | None = None


class Discount(Model):
    """An order-level discount (voucher), spread over the lines pro rata to their amounts."""

    amount: Amount
    reason: Text = "Remise"


class Payment(Model):
    provider: ShortText
    transaction_id: Annotated[str, StringConstraints(min_length=1, max_length=128)]
    amount: Amount
    currency: Currency
    status: Literal["captured", "authorized", "pending", "failed", "refunded"]
    captured_at: datetime | None = None
    method: Literal["card", "transfer", "paypal", "wallet", "other"] = "card"


class Delivery(Model):
    date: date
    address: Address | None = None


class OrderPaid(Model):
    """``order.paid``: the buyer paid an order; the seller's invoice is due."""

    type: Literal["order.paid"]
    event_id: Identifier
    marketplace_id: Identifier
    order_id: Identifier
    seller_id: Identifier
    occurred_at: datetime
    currency: Currency = "EUR"
    prices_include_vat: bool
    buyer: Buyer
    lines: Annotated[list[Line], Field(min_length=1, max_length=500)]
    shipping: Shipping | None = None
    discounts: Annotated[list[Discount], Field(max_length=20)] = []
    payment: Payment
    delivery: Delivery

    _aware = field_validator("occurred_at")(staticmethod(_with_offset))

    def order_key(self) -> str:
        return order_key(self.marketplace_id, self.order_id)

    def idempotency_key(self) -> str:
        return f"{self.order_key()}:invoice"

    @property
    def deliver_to_country(self) -> str:
        return (self.delivery.address or self.buyer.address).country


def order_key(marketplace_id: str, order_id: str) -> str:
    """The identity of an order across its events (the ``orders`` ledger's key)."""
    return f"{marketplace_id}:{order_id}"


class RefundPayment(Model):
    """Proof that money went back to the buyer: the credit note is issued once the refund is executed."""

    provider: ShortText
    transaction_id: Annotated[str, StringConstraints(min_length=1, max_length=128)]
    amount: Amount
    currency: Currency
    status: Literal["refunded", "pending", "failed"]
    captured_at: datetime | None = Field(default=None, description="when the refund was executed")
    method: Literal["card", "transfer", "paypal", "wallet", "other"] = "card"


class RefundedLine(Model):
    """A line of the order, named by its ``sku`` or by its 1-based position ``line_no`` in ``order.paid``."""

    sku: Annotated[str, StringConstraints(min_length=1, max_length=64)] | None = None
    line_no: Annotated[int, Field(ge=1, le=500)] | None = None
    quantity: Quantity

    @model_validator(mode="after")
    def _one_reference(self) -> RefundedLine:
        if (self.sku is None) == (self.line_no is None):
            raise ValueError("give either sku or line_no")
        return self


class RefundedAmount(Model):
    """A free amount (goodwill gesture, price adjustment), VAT included, at one of the invoice's rates."""

    vat_rate: Rate
    amount: Annotated[Decimal, _max_decimals(2), Field(gt=0, le=Decimal("99999999.99"))]


class FullRefund(Model):
    kind: Literal["full"]


class LinesRefund(Model):
    kind: Literal["lines"]
    lines: Annotated[list[RefundedLine], Field(max_length=500)] = []
    shipping: bool = Field(default=False, description="also refund what remains of the shipping")

    @model_validator(mode="after")
    def _something(self) -> LinesRefund:
        if not self.lines and not self.shipping:
            raise ValueError("a lines refund needs lines or shipping")
        return self


class ShippingRefund(Model):
    kind: Literal["shipping"]


class AmountRefund(Model):
    kind: Literal["amount"]
    amounts: Annotated[list[RefundedAmount], Field(min_length=1, max_length=10)]
    description: Text = "Geste commercial"


RefundScope = Annotated[FullRefund | LinesRefund | ShippingRefund | AmountRefund, Field(discriminator="kind")]


class _AfterSale(Model):
    event_id: Identifier
    marketplace_id: Identifier
    order_id: Identifier
    seller_id: Identifier
    occurred_at: datetime
    reason: Text | None = None

    _aware = field_validator("occurred_at")(staticmethod(_with_offset))

    def order_key(self) -> str:
        return order_key(self.marketplace_id, self.order_id)


class OrderRefunded(_AfterSale):
    """``order.refunded``: money went back to the buyer for all or part of an invoiced order.

    Each refund has its own ``refund_id``: a redelivery or re-send of the same refund yields one
    credit note. The credit note's total must equal ``payment.amount``.
    """

    type: Literal["order.refunded"]
    refund_id: Identifier
    refund: RefundScope
    payment: RefundPayment

    def idempotency_key(self) -> str:
        return f"{self.order_key()}:refund:{self.refund_id}"


class OrderCancelled(_AfterSale):
    """``order.cancelled``: before the invoice, no invoice is ever issued for the order; after it, a
    credit note for everything not credited yet, which needs the refund's ``payment``."""

    type: Literal["order.cancelled"]
    payment: RefundPayment | None = None

    def idempotency_key(self) -> str:
        return f"{self.order_key()}:cancel"


SaleEvent = OrderPaid | OrderRefunded | OrderCancelled
EVENT_TYPES: dict[str, type[SaleEvent]] = {
    "order.paid": OrderPaid,
    "order.refunded": OrderRefunded,
    "order.cancelled": OrderCancelled,
}


if __name__ == "__main__":  # regenerate docs/<type>.schema.json
    import json
    import sys
    from pathlib import Path

    out = Path(sys.argv[1] if len(sys.argv) > 1 else "docs")
    for name, model in EVENT_TYPES.items():
        schema = json.dumps(model.model_json_schema(mode="validation"), indent=2, ensure_ascii=False)
        (out / f"{name}.schema.json").write_text(schema + "\n", encoding="utf-8")
