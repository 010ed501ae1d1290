"""From a sale event to a document draft: everything but the number, the issue time and the chain link.

The draft is computed outside the numbering transaction (it is pure and may be
slow-ish); ``finalize`` is what runs inside it, and it only stamps.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from mandat.countries.base import Mention as CountryMention
from mandat.countries.jurisdiction import Jurisdiction
from mandat.countries.registry import jurisdiction
from mandat.domain.calculation import Computed, compute
from mandat.domain.documents import TYPE_CODES, DeemedSupply, IssuerSnapshot, Mention, PartySnapshot, PaymentInfo
from mandat.domain.drafts import Draft, Tally, format_number
from mandat.domain.events import OrderPaid
from mandat.domain.exchange import Rate, RateLookup, event_rate, exchange_for, pick_rate
from mandat.domain.money import q2
from mandat.domain.parties import Marketplace, Seller
from mandat.domain.refusals import Rejected
from mandat.rules import einvoice
from mandat.rules.deemed import deemed_case, marketplace_as_seller
from mandat.rules.invoice import (
    CountLookup,
    Decision,
    Route,
    check_mandate,
    check_payment_amount,
    check_payment_status,
    decide,
    no_counts,
    rules_for_seller,
)
from mandat.rules.wording import word


def series_name(fmt: str) -> str:
    """The series is identified by its format's fixed prefix, e.g. 'F' for 'F-{code}-{seq:06}'."""
    return fmt.split("-", 1)[0] if "-" in fmt else fmt.split("{", 1)[0] or "F"


def seller_snapshot(seller: Seller, language: str = "fr") -> PartySnapshot:
    registry = f"{seller.registry} {seller.rcs_city}" if seller.rcs_city else None
    ids, legal_info = rules_for_seller(seller).seller_ids(seller, language)
    return PartySnapshot(
        name=seller.legal_name,
        trade_name=seller.trade_name,
        address=seller.address,
        vat_id=seller.vat_id,
        siren=seller.siren,
        siret=seller.siret,
        email=seller.email,
        phone=seller.phone,
        legal_form=seller.legal_form,
        share_capital=seller.share_capital,
        registry=registry,
        is_business=True,
        ids=ids,
        legal_info=legal_info,
    )


def issuer_snapshot(marketplace: Marketplace) -> IssuerSnapshot:
    return IssuerSnapshot(
        name=marketplace.legal_name,
        address=marketplace.address,
        siren=marketplace.siren,
        vat_id=marketplace.vat_id,
    )


def no_rates(source: str, base: str, quote: str, latest_day: date) -> Rate | None:
    """The lookup of a caller without rate tables: only a rate given by the event converts."""
    del source, base, quote, latest_day
    return None


@dataclass(frozen=True)
class Priced:
    """An order decided and computed as it will be issued (``price``)."""

    decision: Decision
    computed: Computed
    tally: Tally | None  # what it adds to the seller's EU distance sales
    national: Rate | None  # the rate that converted the tally's amount, when one was needed


def price(
    event: OrderPaid,
    seller: Seller,
    marketplace: Marketplace,
    today: date,
    rates: RateLookup = no_rates,
    counts: CountLookup = no_counts,
) -> Priced:
    """Decide and compute an order the way ``draft_invoice`` issues it, without the checks of mandate,
    payment and numbering: the marketplace's route for a deemed supply, and a distance sale whose amount
    exceeds the threshold decided again at destination (Directive 2006/112/EC art. 59c: that sale is already
    taxed there). The marketplace (demo, tests) prices its orders with it."""
    deemed = deemed_case(event, seller, marketplace)
    route = Route(marketplace_as_seller(marketplace, deemed.uk), deemed) if deemed is not None else None
    return _price(event, seller, today, rates, counts, route)


def _price(
    event: OrderPaid, seller: Seller, today: date, rates: RateLookup, counts: CountLookup, route: Route | None
) -> Priced:
    decision = decide(event, seller, today, route, counts)
    computed = compute(decision.lines, event.prices_include_vat, decision.exemptions)
    count = decision.distance
    if count is None:
        return Priced(decision, computed, None, None)
    national = None
    if event.currency != decision.rules.currency:
        national = national_rate(event, decision.rules, rates, decision.exchange_day or event.delivery.date)
    amount = in_national(computed.totals.tax_exclusive, national)
    if decision.at_origin and count.current + amount > count.threshold:
        decision = decide(event, seller, today, route, counts, origin_amount=amount)
        computed = compute(decision.lines, event.prices_include_vat, decision.exemptions)
        amount = in_national(computed.totals.tax_exclusive, national)
    limit = count.limit if decision.at_origin else None
    return Priced(decision, computed, Tally(count.year, amount, count.currency, limit), national)


def draft_invoice(
    event: OrderPaid,
    seller: Seller,
    marketplace: Marketplace,
    today: date,
    rates: RateLookup = no_rates,
    counts: CountLookup = no_counts,
) -> Draft:
    """Run every check and decision; raise Rejected/Waiting with a reason, or return the draft.

    ``rates`` finds imported exchange rates (``store.rates.lookup``) for an order whose currency is not
    the seller country's: its VAT is then also stated in that country's currency (BT-6/BT-111).
    """
    if event.seller_id != seller.id:
        raise Rejected("seller_mismatch", f"event for seller {event.seller_id} given seller {seller.id}")
    deemed = deemed_case(event, seller, marketplace)
    supplier = marketplace_as_seller(marketplace, deemed.uk) if deemed is not None else seller
    # The marketplace's own sale (deemed) needs no mandate; its own series numbers it.
    syntax = (jurisdiction(deemed.rules) if deemed is not None else rules_for_seller(seller)).number_syntax
    format_number(supplier.invoice_series, supplier.code, 1, syntax)  # a bad series format is refused before issuing
    if deemed is None:
        check_mandate(seller, event)
    check_payment_status(event)
    priced = _price(event, seller, today, rates, counts, Route(supplier, deemed) if deemed is not None else None)
    decision, computed, tally = priced.decision, priced.computed, priced.tally
    rules = decision.rules
    national = priced.national
    if national is None and event.currency != rules.currency:
        national = national_rate(event, rules, rates, decision.exchange_day or event.delivery.date)
    if tally is not None:
        decision.trace.append(
            f"counted toward the seller's EU distance sales of {tally.year}: {tally.currency} {tally.amount} net"
        )
    check_payment_amount(event, computed.totals.tax_inclusive)
    exchange = None
    if national is not None:
        exchange = exchange_for(computed.breakdown, national, rules.currency)
        decision.trace.append(
            f"VAT also stated in {rules.currency} at {exchange.rate} ({exchange.source} of {exchange.day}, "
            f"{rules.exchange_rule.legal_basis}; EN 16931 BT-6/BT-111)"
        )
    if decision.seller_vat_id is not None:
        supplier = seller.model_copy(update={"vat_id": decision.seller_vat_id})  # its id where it supplies
    lang = decision.mention_language
    payment = event.payment
    assert payment.captured_at is not None
    paid_on = payment.captured_at.astimezone(ZoneInfo(rules.timezone)).date()
    mandate = (
        []
        if deemed
        else [rules.mention("mandate", today, lang, issuer=marketplace.legal_name, seller=seller.legal_name)]
    )
    mentions = [
        *mandate,
        *decision.mentions,
        rules.mention(
            "paid",
            today,
            lang,
            date=rules.mention_date(paid_on),
            method=word(payment.method, lang),
            transaction=payment.transaction_id,
        ),
    ]
    # The exemption reference is printed as well as carried in the VAT breakdown (BT-120).
    mentions += [CountryMention("exemption", text) for text, _code in decision.exemptions.values()]
    buyer = event.buyer
    delivery_address = event.delivery.address
    if delivery_address == buyer.address:
        delivery_address = None
    buyer_snapshot = PartySnapshot(
        name=buyer.name,
        address=buyer.address,
        vat_id=buyer.vat_id,
        siren=buyer.siren,
        email=buyer.email,
        is_business=buyer.kind == "business",
        ids=rules.buyer_ids(buyer.tax_number, lang),
        peppol_id=buyer.peppol_id,
        leitweg_id=buyer.leitweg_id,
        xrechnung=buyer.xrechnung,
        sdi_code=buyer.sdi_code,
        pec=buyer.pec,
    )
    # issue 15: the structured formats the invoice is due in, decided once and recorded.
    due = einvoice.Case(
        seller_country=seller.address.country,
        buyer=buyer_snapshot,
        channel=decision.legal_channel,
        deemed=deemed is not None,
        seller_phone=bool(seller.phone),
    )
    decision.trace.extend(f"due in {reason}" for reason in einvoice.reasons(due)[1:])
    if einvoice.asked_xrechnung(due) and not due.seller_phone:
        decision.trace.append(
            "XRechnung asked by the buyer, not built: the seller has no telephone number (BR-DE-6); "
            "the Factur-X EN 16931 invoice is the German e-invoice"
        )
    fields: dict[str, Any] = {
        "kind": "invoice",
        "type_code": TYPE_CODES["invoice"],
        "currency": event.currency,
        "language": decision.language,
        "country": rules.code,
        "seller_id": seller.id,
        "seller": seller_snapshot(supplier, lang),
        "seller_insurance": None if deemed else seller.insurance,
        "buyer": buyer_snapshot,
        "issuer": issuer_snapshot(marketplace),
        "marketplace_id": event.marketplace_id,
        "order_id": event.order_id,
        "purchase_order": buyer.purchase_order,
        "event_id": event.event_id,
        "idempotency_key": event.idempotency_key(),
        "delivery_date": event.delivery.date,
        "delivery_address": delivery_address,
        "operation_category": decision.operation_category,
        "business_case": decision.business_case,
        "lines": computed.lines,
        "vat_breakdown": computed.breakdown,
        "totals": computed.totals,
        "payment": PaymentInfo(
            provider=payment.provider,
            transaction_id=payment.transaction_id,
            method=payment.method,
            paid_at=payment.captured_at,
            amount=payment.amount,
        ),
        "payment_terms": word("paid_at_order", decision.language) if buyer.kind == "business" else None,
        "mentions": [Mention(code=m.code, text=m.text, note_subject=m.note_subject) for m in mentions],
        "trace": decision.trace + computed.notes,
        "legal_channel": decision.legal_channel,
        "mention_language": lang if lang != decision.language else None,
        "exchange": exchange,
        "taxed_in": decision.taxed_in,
        "scheme": decision.scheme,
        "series_owner": marketplace.series_owner if deemed else None,
        "deemed_supply": None
        if deemed is None
        else DeemedSupply(
            seller_id=seller.id,
            seller_name=seller.legal_name,
            seller_country=seller.address.country,
            case=deemed.case,
            value=computed.totals.tax_exclusive,
            basis=deemed.basis,
        ),
        "formats": einvoice.formats(due),
    }
    return Draft(
        kind="invoice",
        seller_id=seller.id,
        series=series_name(supplier.invoice_series),
        series_format=supplier.invoice_series,
        seller_code=supplier.code,
        idempotency_key=event.idempotency_key(),
        timezone=rules.timezone,
        fields=fields,
        order_key=event.order_key(),
        number_syntax=rules.number_syntax,
        series_owner=marketplace.series_owner if deemed else "",
        tally=tally,
    )


def in_national(amount: Decimal, rate: Rate | None) -> Decimal:
    """A net amount in the currency the distance-sales count is kept in (the seller country's)."""
    return amount if rate is None else q2(amount * rate.rate)


def national_rate(event: OrderPaid, rules: Jurisdiction, rates: RateLookup, day: date) -> Rate:
    """The rate of the seller country's rule for ``day`` (the chargeable event), or the event's own rate;
    Waiting ``rate_missing`` when neither exists yet."""
    given = None
    if event.exchange_rate is not None:
        x = event.exchange_rate
        given = event_rate(x.rate, x.source, x.date, event.currency, rules.currency, x.reference)
    return pick_rate(rules.exchange_rule, rates, event.currency, rules.currency, day, given=given)
