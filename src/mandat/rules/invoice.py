"""VAT treatment and mentions of an invoice for an ``order.paid`` event (France).

Every decision appends a sentence to the trace, stored with the document, so an
auditor can read why a line got its rate. Where the rules reference says UNSURE,
or a case is not implemented, the event is rejected rather than invoiced with a
guess: a kept, replayable event is cheaper than a wrong legal document.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from mandat.countries import rules_for
from mandat.countries.base import CountryRules, Mention, NotInForce
from mandat.domain.calculation import TaxedLine, spread_discount
from mandat.domain.documents import VatCategory
from mandat.domain.events import Line, OrderPaid, SaleEvent
from mandat.domain.money import ZERO, q2
from mandat.domain.parties import EU_COUNTRIES, Seller, valid_vat_id, vat_country
from mandat.domain.refusals import Rejected, Waiting
from mandat.rules.territory import vat_place

HOME_WORKS = {"home_renovation": "certification_10", "energy_renovation": "certification_5_5"}
# Dates from which the seller must print the 2026 mentions (buyer SIREN, ...) by size (décret 2022-1299).
E_INVOICING_ISSUANCE = {
    "large": date(2026, 9, 1),
    "mid": date(2026, 9, 1),
    "sme": date(2027, 9, 1),
    "micro": date(2027, 9, 1),
}


@dataclass
class Decision:
    rules: CountryRules
    lines: list[TaxedLine]
    exemptions: dict[str, tuple[str, str]]
    mentions: list[Mention]
    operation_category: str
    business_case: str
    trace: list[str] = field(default_factory=list)


def check_mandate(seller: Seller, event: SaleEvent) -> None:
    mandate = seller.mandate
    if mandate is None:
        raise Rejected("mandate_missing", f"seller {seller.id} has no billing mandate on record")
    if mandate.status != "active":
        raise Rejected("mandate_inactive", f"the billing mandate of seller {seller.id} is {mandate.status}")
    if mandate.accepted_at > event.occurred_at:
        raise Rejected(
            "mandate_not_prior",
            f"the mandate of seller {seller.id} was accepted on {mandate.accepted_at.isoformat()}, "
            f"after the sale ({event.occurred_at.isoformat()}); a billing mandate must be prior",
        )


def check_payment_status(event: OrderPaid) -> None:
    p = event.payment
    if p.status in ("authorized", "pending"):
        raise Waiting("payment_not_captured", f"payment {p.transaction_id} is {p.status}, not captured yet")
    if p.status != "captured":
        raise Rejected("payment_not_captured", f"payment {p.transaction_id} is {p.status}")
    if p.captured_at is None:
        raise Rejected("payment_invalid", f"payment {p.transaction_id} is captured but has no captured_at")
    if p.currency != event.currency:
        raise Rejected(
            "payment_currency",
            f"payment in {p.currency} for an order in {event.currency}",
        )


def check_payment_amount(event: OrderPaid, total: Decimal) -> None:
    if event.payment.amount != total:
        raise Rejected(
            "payment_amount",
            f"payment {event.payment.transaction_id} is {event.payment.amount} {event.currency} "
            f"but the order totals {total} {event.currency} including VAT",
        )


def decide(event: OrderPaid, seller: Seller, day: date) -> Decision:
    """Choose VAT category and rate for every line, the exemption texts and the mentions."""
    try:
        return _decide(event, seller, day)
    except NotInForce as exc:
        # A date outside every rate or mention table: the event is wrong (or too old), not the worker.
        raise Rejected("date_unsupported", str(exc)) from exc


def _decide(event: OrderPaid, seller: Seller, day: date) -> Decision:
    rules = rules_for_seller(seller)
    trace: list[str] = []
    if event.currency != rules.currency:
        raise Rejected(
            "currency_unsupported",
            f"orders in {event.currency} need VAT stated in {rules.currency} (BR-FR, art. 230): not supported yet",
        )
    buyer = event.buyer
    if vat_place(seller.address, f"seller {seller.id}'s establishment").kind != "france":
        raise Rejected("territory_unhandled", f"seller {seller.id} is established outside France")
    place = vat_place(event.delivery.address or buyer.address, "the delivery address")
    deliver_to = place.country
    business = buyer.kind == "business"
    buyer_vat_country = vat_country(buyer.vat_id) if buyer.vat_id else None
    if buyer.vat_id and not valid_vat_id(buyer.vat_id):
        raise Rejected("buyer_vat_invalid", f"buyer VAT id {buyer.vat_id} fails its check digits")

    # Rates are those in force at the tax point (delivery), mentions those in force at issue.
    def rate_of(line: Line, what: str) -> Decimal:
        return domestic_rate(rules, line, event.delivery.date, what)

    exemptions: dict[str, tuple[str, str]] = {}
    mentions: list[Mention] = []
    categories: list[tuple[VatCategory, Decimal]]  # every branch below sets it or refuses

    if seller.vat_regime == "franchise":
        if place.kind != "france":
            raise Rejected(
                "unsupported_case",
                f"sale by a franchise-regime seller delivered to {deliver_to}: cross-border franchise not supported",
            )
        reason = rules.mention("franchise", day)
        exemptions["E"] = (reason.text, "VATEX-FR-FRANCHISE")
        categories = [("E", ZERO) for _ in event.lines]
        trace.append("seller under franchise en base (CGI 293 B): no VAT, category E, VATEX-FR-FRANCHISE")
    elif business and buyer_vat_country in EU_COUNTRIES and buyer_vat_country != "FR" and place.kind != "france":
        if place.kind != "eu":
            raise Rejected("unsupported_case", f"EU business buyer with goods shipped outside the EU ({deliver_to})")
        if any(ln.nature == "service" for ln in event.lines):
            raise Rejected(
                "unsupported_case",
                "services to an EU business buyer (reverse charge, art. 44/47) are not supported yet",
            )
        reason = rules.mention("intra_eu_goods", day)
        exemptions["K"] = (reason.text, "VATEX-EU-IC")
        categories = [("K", ZERO) for _ in event.lines]
        mentions += [
            rules.mention("seller_vat", day, vat=seller.vat_id or ""),
            rules.mention("buyer_vat", day, vat=buyer.vat_id or ""),
        ]
        trace.append(
            f"intra-EU supply of goods to {buyer.vat_id} ({buyer_vat_country}), delivered to {deliver_to}: "
            "exempt (CGI 262 ter I, Directive art. 138), category K, VATEX-EU-IC"
        )
    elif place.kind == "third":
        if any(ln.nature == "service" for ln in event.lines):
            raise Rejected("unsupported_case", f"services with delivery outside the EU ({deliver_to}) not supported")
        reason = rules.mention("export", day)
        exemptions["G"] = (reason.text, "VATEX-EU-G")
        categories = [("G", ZERO) for _ in event.lines]
        trace.append(f"goods shipped to {deliver_to}, outside the EU: export exempt (CGI 262 I), category G")
    elif place.kind == "eu":
        raise Rejected(
            "unsupported_case",
            f"distance sale to a {'business without EU VAT id' if business else 'consumer'} in {deliver_to} "
            "(destination VAT / OSS) is not supported yet",
        )
    else:
        categories = [("S", rate_of(ln, f"line {ln.sku}")) for ln in event.lines]
        trace.append(f"domestic French sale ({place.why}): French VAT per line (category S)")
    if categories and categories[0][0] != "S":
        table = rules.rate_categories(event.delivery.date)
        for ln, (cat, rate) in zip(event.lines, categories, strict=True):
            explicit_rate_agrees(ln, table, rate, f"line {ln.sku}", f"category {cat}", event.delivery.date)

    lines: list[TaxedLine] = []
    product_amounts = [q2(ln.quantity * ln.unit_price) - ln.discount for ln in event.lines]
    extra = [ZERO] * len(event.lines)
    if event.discounts:
        total_discount = sum((d.amount for d in event.discounts), ZERO)
        try:
            extra = spread_discount(product_amounts, total_discount)
        except ValueError as exc:
            raise Rejected("discount_invalid", str(exc)) from exc
        trace.append(f"order discount {total_discount} spread over the lines pro rata to their amounts")
    for ln, (cat, rate), more in zip(event.lines, categories, extra, strict=True):
        reasons = [event.discounts[0].reason] if more and event.discounts else []
        if ln.discount:
            reasons.insert(0, "Remise")
        lines.append(
            TaxedLine(
                sku=ln.sku,
                description=ln.description,
                quantity=ln.quantity,
                unit=ln.unit,
                unit_price=ln.unit_price,
                discount=ln.discount + more,
                discount_reason=", ".join(reasons) or None,
                nature=ln.nature,
                category=cat,
                rate=rate,
            )
        )
        if cat == "S":
            trace.append(f"line {ln.sku}: {rate}% ({ln.tax_category or 'rate given by the event'})")

    if event.shipping and event.shipping.amount > 0:
        lines.append(shipping_line(event, lines, rules, event.delivery.date, trace))

    # Home works at reduced rates: client certification and building-trade insurance.
    home_categories = {ln.tax_category for ln in event.lines if ln.tax_category in HOME_WORKS}
    for cat_name in sorted(c for c in home_categories if c):
        mentions.append(rules.mention(HOME_WORKS[cat_name], day))
        trace.append(f"{cat_name}: client certification statement printed (LF 2025, BOI-LETTRE-000280)")
    if home_categories and seller.insurance is None:
        raise Rejected(
            "seller_insurance_missing",
            f"seller {seller.id} sells building works but has no mandatory insurance on record "
            "(loi 96-603 art. 22-2 requires insurer and cover on the invoice)",
        )
    if seller.insurance is not None and any(ln.nature == "service" for ln in event.lines):
        ins = seller.insurance
        mentions.append(rules.mention("insurance", day, insurer=ins.insurer, policy=ins.policy, coverage=ins.coverage))

    natures = {ln.nature for ln in event.lines}
    operation = "M1" if len(natures) == 2 else ("S1" if natures == {"service"} else "B1")
    mentions.append(
        rules.mention({"B1": "category_goods", "S1": "category_services", "M1": "category_mixed"}[operation], day)
    )
    if seller.vat_on_debits and "service" in natures:
        mentions.append(rules.mention("vat_on_debits", day))

    french_business = business and (buyer.siren is not None or buyer_vat_country == "FR")
    if business:
        mentions += [
            rules.mention("late_penalty", day),
            rules.mention("recovery_indemnity", day),
            rules.mention("no_discount", day),
        ]
        trace.append("business buyer: payment terms, late-payment penalty and 40 € indemnity (L441-10, D441-5)")
    if french_business:
        if buyer.siren:
            mentions.append(rules.mention("buyer_siren", day, siren=buyer.siren))
        elif day >= E_INVOICING_ISSUANCE[seller.size_class]:
            raise Rejected(
                "buyer_siren_missing",
                f"French business buyer without SIREN; mandatory for a {seller.size_class} seller "
                f"since {E_INVOICING_ISSUANCE[seller.size_class].isoformat()} (décret 2022-1299)",
            )
        else:
            trace.append("French business buyer without SIREN: not yet mandatory for this seller's size class")
    business_case = "B2C" if not business else ("B2B" if french_business else "B2BINT")
    trace.append(f"business case {business_case}, operation category {operation}")
    return Decision(
        rules=rules,
        lines=lines,
        exemptions=exemptions,
        mentions=mentions,
        operation_category=operation,
        business_case=business_case,
        trace=trace,
    )


def rules_for_seller(seller: Seller) -> CountryRules:
    try:
        return rules_for(seller.address.country)
    except LookupError as exc:
        raise Rejected("unsupported_country", str(exc)) from exc


def explicit_rate_agrees(line: Line, table: dict[str, Decimal], rate: Decimal, what: str, why: str, day: date) -> None:
    """An explicit ``vat_rate`` is never silently overridden: it must be the decided rate.

    With a ``tax_category`` too, both must also agree with each other (the table in force).
    """
    if line.tax_category is not None and line.vat_rate is not None and line.vat_rate != table[line.tax_category]:
        raise Rejected(
            "vat_rate_mismatch",
            f"{what}: rate {line.vat_rate}% contradicts category {line.tax_category} "
            f"({table[line.tax_category]}% on {day})",
        )
    if line.vat_rate is not None and line.vat_rate != rate:
        raise Rejected(
            "vat_rate_mismatch",
            f"{what}: the event says {line.vat_rate}%, the rules decide {rate}% ({why})",
        )


def domestic_rate(rules: CountryRules, line: Line, day: date, what: str) -> Decimal:
    """The line's rate: from its tax category, or its explicit rate checked against the table in force."""
    table = rules.rate_categories(day)
    if line.tax_category is not None:
        rate = table[line.tax_category]
        if line.vat_rate is not None and line.vat_rate != rate:
            raise Rejected(
                "vat_rate_mismatch",
                f"{what}: rate {line.vat_rate}% contradicts category {line.tax_category} ({rate}% on {day})",
            )
        return rate
    if line.vat_rate is None:
        raise Rejected("vat_rate_missing", f"{what}: neither a VAT rate nor a tax category")
    if line.vat_rate not in set(table.values()):
        allowed = ", ".join(str(r) for r in sorted(set(table.values())))
        raise Rejected("vat_rate_invalid", f"{what}: {line.vat_rate}% is not a {rules.country} rate ({allowed})")
    return line.vat_rate


def shipping_line(
    event: OrderPaid, lines: list[TaxedLine], rules: CountryRules, day: date, trace: list[str]
) -> TaxedLine:
    """Shipping follows the supply it accompanies (accessory follows principal).

    With goods at several rates, French doctrine allows a pro-rata split; the
    conservative reading taxes shipping at the highest rate of the order (it never
    under-collects VAT), unless the event states the rate explicitly.
    """
    assert event.shipping is not None
    cat = lines[0].category
    if cat == "S":
        if event.shipping.vat_rate is not None:
            rate = event.shipping.vat_rate
            if rate not in set(rules.rate_categories(day).values()):
                raise Rejected("vat_rate_invalid", f"shipping: {rate}% is not a {rules.country} rate")
            trace.append(f"shipping at the event's rate {rate}%")
        else:
            rate = max(ln.rate for ln in lines)
            trace.append(f"shipping taxed at the highest rate of the order, {rate}% (conservative)")
    else:
        rate = ZERO
        if event.shipping.vat_rate is not None and event.shipping.vat_rate != rate:
            raise Rejected(
                "vat_rate_mismatch",
                f"shipping: the event says {event.shipping.vat_rate}%, the rules decide {rate}% "
                f"(it follows the goods, category {cat})",
            )
        trace.append(f"shipping follows the goods: category {cat}")
    return TaxedLine(
        sku="SHIPPING",
        description=event.shipping.description,
        quantity=Decimal(1),
        unit="C62",
        unit_price=event.shipping.amount,
        discount=ZERO,
        discount_reason=None,
        nature="service",
        category=cat,
        rate=rate,
    )
