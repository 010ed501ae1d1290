"""What a credit note takes from its invoice, and what remains: per line and per VAT rate, to the cent.

The trap (peers.md, Lago): each partial credit note rounds its own amounts, so a
series of partial refunds that ends with "refund the rest" leaves a one-cent
residue, or credits a cent too much. Here every amount is rounded
**cumulatively against the invoice**: after crediting ``c`` of a line's ``Q``
units, the credited net is ``round(N x c / Q)`` (exactly ``N`` once ``c = Q``)
and a credit note takes the difference with what was credited before. Gross
(what the buyer paid, VAT included) follows the same rule, and a credit note's
VAT per rate is its gross minus its net, so:

* the credit note's total is exactly the money refunded for those units;
* once everything is credited, every line and every (category, rate) of the
  invoice is back to exactly zero: net, VAT and gross.

A credit note's VAT can therefore differ by a cent or two from ``round(base x
rate)`` of its own base; EN 16931 BR-CO-17 tolerates it (the Schematron allows
one currency unit), and the trace says so when it happens.

Free amounts (a goodwill gesture at a stated rate) take from the rate, not from
a line. A later "full" credit note credits every remaining line and subtracts
those free amounts in one negative adjustment line per rate, so that the rate
still ends at zero and never below.

Credit-note lines keep the invoice line's id (BT-126), free amounts are ``R1``,
``R2``..., adjustments ``ADJ-<category>-<rate>``: the state below can always be
recomputed from the credit notes themselves (the audit does).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from mandat.domain.calculation import taxable_from_gross
from mandat.domain.documents import Document, DocumentLine, Totals, VatBreakdown
from mandat.domain.money import ZERO, normalize, q, q2, vat_of

RateKey = tuple[str, Decimal]  # (VAT category, rate)


class CreditError(ValueError):
    """The credit asked for cannot be issued against this invoice; ``code`` is stable, the text is for people."""

    def __init__(self, code: str, reason: str) -> None:
        super().__init__(f"{code}: {reason}")
        self.code = code
        self.reason = reason


def rate_key(category: str, rate: Decimal) -> RateKey:
    return category, normalize(rate)  # "20.00" and "20" are one rate


def _key_text(key: RateKey) -> str:
    return f"{key[0]}|{key[1]:f}"


def _key_parse(text: str) -> RateKey:
    cat, rate = text.split("|")
    return rate_key(cat, Decimal(rate))


@dataclass(frozen=True)
class Taken:
    """Cumulative quantity, net and gross credited (one invoice line, or one rate when quantity is unused)."""

    quantity: Decimal = ZERO
    net: Decimal = ZERO
    gross: Decimal = ZERO

    def plus(self, quantity: Decimal, net: Decimal, gross: Decimal) -> Taken:
        return Taken(self.quantity + quantity, self.net + net, self.gross + gross)


@dataclass(frozen=True)
class Credited:
    """What the credit notes of one invoice have taken so far."""

    lines: dict[str, Taken] = field(default_factory=dict)  # invoice line id -> cumulative
    rates: dict[RateKey, Taken] = field(default_factory=dict)  # every credit-note line of that rate

    def to_json(self) -> str:
        return json.dumps(
            {
                "lines": {k: [str(t.quantity), str(t.net), str(t.gross)] for k, t in sorted(self.lines.items())},
                "rates": {_key_text(k): [str(t.net), str(t.gross)] for k, t in sorted(self.rates.items())},
            },
            sort_keys=True,
        )

    @classmethod
    def from_json(cls, text: str | None) -> Credited:
        if not text:
            return cls()
        data = json.loads(text)
        return cls(
            lines={k: Taken(Decimal(a), Decimal(b), Decimal(c)) for k, (a, b, c) in data["lines"].items()},
            rates={_key_parse(k): Taken(ZERO, Decimal(a), Decimal(b)) for k, (a, b) in data["rates"].items()},
        )

    @classmethod
    def from_credit_notes(cls, invoice: Document, notes: Iterable[Document]) -> Credited:
        """Recompute the state from the credit notes themselves (independent of the ledger row)."""
        line_ids = {ln.id for ln in invoice.lines}
        lines: dict[str, Taken] = {}
        rates: dict[RateKey, Taken] = {}
        for note in notes:
            for ln in note.lines:
                if ln.id in line_ids:
                    lines[ln.id] = lines.get(ln.id, Taken()).plus(ln.quantity, ln.net_amount, ln.gross_amount)
                key = rate_key(ln.vat_category, ln.vat_rate)
                rates[key] = rates.get(key, Taken()).plus(ZERO, ln.net_amount, ln.gross_amount)
        return cls(lines=lines, rates=rates)

    @property
    def empty(self) -> bool:
        return not self.rates


@dataclass(frozen=True)
class CreditRequest:
    """What to credit: quantities of invoice lines, free amounts per rate (VAT included), or everything left."""

    lines: dict[str, Decimal] = field(default_factory=dict)  # invoice line id -> quantity
    amounts: list[tuple[Decimal, Decimal]] = field(default_factory=list)  # (rate, amount incl. VAT)
    amount_description: str = "Geste commercial"
    full: bool = False


@dataclass(frozen=True)
class CreditPlan:
    lines: list[DocumentLine]
    breakdown: list[VatBreakdown]
    totals: Totals
    credited: Credited  # the state once this credit note is issued
    notes: list[str]


@dataclass(frozen=True)
class Remaining:
    """What is left to credit on an invoice, per (category, rate)."""

    net: dict[RateKey, Decimal]
    gross: dict[RateKey, Decimal]

    @property
    def total(self) -> Decimal:
        return sum(self.gross.values(), ZERO)


def invoice_rates(invoice: Document) -> dict[RateKey, Taken]:
    out: dict[RateKey, Taken] = {}
    for ln in invoice.lines:
        key = rate_key(ln.vat_category, ln.vat_rate)
        out[key] = out.get(key, Taken()).plus(ZERO, ln.net_amount, ln.gross_amount)
    return out


def remaining(invoice: Document, credited: Credited) -> Remaining:
    whole = invoice_rates(invoice)
    return Remaining(
        net={k: t.net - credited.rates.get(k, Taken()).net for k, t in whole.items()},
        gross={k: t.gross - credited.rates.get(k, Taken()).gross for k, t in whole.items()},
    )


def _share(whole: Decimal, part: Decimal, of: Decimal) -> Decimal:
    """round(whole x part / of), exactly ``whole`` when part == of (cumulative rounding)."""
    return whole if part == of else q2(whole * part / of)


def plan_credit(invoice: Document, credited: Credited, request: CreditRequest) -> CreditPlan:
    """The credit note's lines, VAT breakdown and totals, and the new state; CreditError if it over-credits."""
    if invoice.kind != "invoice":
        raise CreditError("not_an_invoice", f"{invoice.number} is a {invoice.kind}, only invoices are credited")
    by_id = {ln.id: ln for ln in invoice.lines}
    wanted = dict(request.lines)
    if request.full:
        wanted = {
            ln.id: ln.quantity - credited.lines.get(ln.id, Taken()).quantity
            for ln in invoice.lines
            if ln.quantity > credited.lines.get(ln.id, Taken()).quantity
        }
    out: list[DocumentLine] = []
    lines_state = dict(credited.lines)
    for line_id, quantity in wanted.items():
        inv = by_id.get(line_id)
        if inv is None:
            raise CreditError("refund_line_unknown", f"invoice {invoice.number} has no line {line_id}")
        before = lines_state.get(line_id, Taken())
        after_qty = before.quantity + quantity
        if quantity <= 0 or after_qty > inv.quantity:
            left = inv.quantity - before.quantity
            raise CreditError(
                "over_credit",
                f"line {line_id} ({inv.sku}) of invoice {invoice.number}: {normalize(quantity)} asked, "
                f"{normalize(left)} of {normalize(inv.quantity)} left to credit",
            )
        net = _share(inv.net_amount, after_qty, inv.quantity) - before.net
        gross = _share(inv.gross_amount, after_qty, inv.quantity) - before.gross
        lines_state[line_id] = before.plus(quantity, net, gross)
        out.append(_credit_line(inv, line_id, inv.sku, inv.description, quantity, net, gross))

    whole = invoice_rates(invoice)
    if request.full:
        # Free amounts credited before took from the rate, not from lines: subtract them once, so the
        # rate ends at exactly zero.
        for key, taken in sorted(credited.rates.items()):
            on_lines = sum((t.net for i, t in credited.lines.items() if _key_of(by_id[i]) == key), ZERO)
            gross_on_lines = sum((t.gross for i, t in credited.lines.items() if _key_of(by_id[i]) == key), ZERO)
            free_net, free_gross = taken.net - on_lines, taken.gross - gross_on_lines
            if free_net or free_gross:
                template = next(ln for ln in invoice.lines if _key_of(ln) == key)
                out.append(
                    _credit_line(
                        template,
                        f"ADJ-{key[0]}-{key[1]:f}",
                        "ADJUSTMENT",
                        "Déduction des remboursements partiels déjà accordés",
                        Decimal(-1),  # BR-27: the price is never negative, the quantity may be
                        -free_net,
                        -free_gross,
                    )
                )
    for n, (rate, amount) in enumerate(request.amounts, start=1):
        keys = [k for k in whole if k[1] == normalize(rate)]
        if len(keys) != 1:
            rates = ", ".join(f"{k[0]} {k[1]}%" for k in sorted(whole))
            raise CreditError(
                "refund_rate_unknown",
                f"invoice {invoice.number} has {'no' if not keys else 'several'} VAT group(s) at {rate}% ({rates})",
            )
        key = keys[0]
        net = taxable_from_gross(amount, key[1])[0]
        template = next(ln for ln in invoice.lines if _key_of(ln) == key)
        out.append(_credit_line(template, f"R{n}", "REFUND", request.amount_description, Decimal(1), net, amount))

    if not out:
        raise CreditError("nothing_to_credit", f"invoice {invoice.number} is already fully credited")

    rates_state = dict(credited.rates)
    this: dict[RateKey, Taken] = {}
    for ln in out:
        key = _key_of(ln)
        this[key] = this.get(key, Taken()).plus(ZERO, ln.net_amount, ln.gross_amount)
    for key, taken in this.items():
        after = rates_state.get(key, Taken()).plus(ZERO, taken.net, taken.gross)
        if after.net > whole[key].net or after.gross > whole[key].gross:
            left = whole[key].gross - rates_state.get(key, Taken()).gross
            raise CreditError(
                "over_credit",
                f"VAT {key[0]} {key[1]}% of invoice {invoice.number}: {taken.gross} asked (VAT incl.), "
                f"{left} left to credit",
            )
        rates_state[key] = after

    notes: list[str] = []
    breakdown: list[VatBreakdown] = []
    invoice_vat = {rate_key(b.category, b.rate): b for b in invoice.vat_breakdown}
    for key in sorted(this, key=lambda k: (k[0], -k[1])):
        base, gross = this[key].net, this[key].gross
        vat = gross - base
        if vat != vat_of(base, key[1]):
            notes.append(
                f"VAT {key[0]} {key[1]}%: {vat} is {vat - vat_of(base, key[1])} from round({base} x {key[1]}%): "
                "amounts are rounded cumulatively against the invoice so that credits add up to it exactly "
                "(BR-CO-17 tolerance)"
            )
        src = invoice_vat[key]
        breakdown.append(
            VatBreakdown(
                category=src.category,
                rate=src.rate,
                taxable_amount=base,
                tax_amount=vat,
                exemption_reason=src.exemption_reason,
                exemption_code=src.exemption_code,
            )
        )
    line_total = sum((ln.net_amount for ln in out), ZERO)
    tax_total = sum((b.tax_amount for b in breakdown), ZERO)
    total = line_total + tax_total
    if total <= 0:
        raise CreditError("nothing_to_credit", f"the credit note would come to {total}")
    totals = Totals(
        line_total=line_total,
        allowance_total=ZERO,
        charge_total=ZERO,
        tax_exclusive=line_total,
        tax_total=tax_total,
        tax_inclusive=total,
        prepaid=total,  # the refund is already executed: nothing left to pay back
        payable=ZERO,
    )
    return CreditPlan(out, breakdown, totals, Credited(lines=lines_state, rates=rates_state), notes)


def _key_of(line: DocumentLine) -> RateKey:
    return rate_key(line.vat_category, line.vat_rate)


def _credit_line(
    template: DocumentLine,
    line_id: str,
    sku: str,
    description: str,
    quantity: Decimal,
    net: Decimal,
    gross: Decimal,
) -> DocumentLine:
    return DocumentLine(
        id=line_id,
        sku=sku,
        description=description,
        quantity=quantity,
        unit=template.unit if sku == template.sku else "C62",
        # BT-146 is derived from the settled net (BT-131 = BT-129 x BT-146, no line allowance on credits).
        net_unit_price=q(net / quantity, 6),
        allowance=ZERO,
        net_amount=net,
        vat_category=template.vat_category,
        vat_rate=template.vat_rate,
        nature=template.nature,
        gross_amount=gross,
    )
