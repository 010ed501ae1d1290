"""VAT treatment and mentions of an invoice for an ``order.paid`` event, in any country with a pack.

The order of the decisions is here (mandate, payment, place, treatment, rates, shipping,
mentions); what a country decides differently is its pack's (``mandat.countries.<cc>``, found by
the registry). Every decision appends a sentence to the trace, stored with the document, so an
auditor can read why a line got its rate. Where the rules reference says UNSURE, or a case is not
implemented, the event is rejected rather than invoiced with a guess: a kept, replayable event is
cheaper than a wrong legal document.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from mandat.countries.base import Mention, NotInForce
from mandat.countries.jurisdiction import Jurisdiction, Sale
from mandat.countries.registry import UnknownCountry, jurisdiction
from mandat.domain.calculation import TaxedLine, spread_discount
from mandat.domain.documents import VatCategory
from mandat.domain.events import Line, OrderPaid, SaleEvent
from mandat.domain.money import ZERO, q2
from mandat.domain.parties import Seller, valid_vat_id, vat_country
from mandat.domain.refusals import Rejected, Waiting
from mandat.rules.deemed import DeemedCase
from mandat.rules.destination import destination_categories, destination_rules, rebased
from mandat.rules.distance import Standing, check_oss, place_of_distance_sale, standing
from mandat.rules.installation import country_name, without_works_keys
from mandat.rules.place import check_dispatch, cross_border, local_registration
from mandat.rules.territory import unhandled, vat_place
from mandat.rules.wording import word

# The store's count of a seller's EU distance sales in a calendar year (store.repository).
CountLookup = Callable[[str, int], Decimal]


def no_counts(seller_id: str, year: int) -> Decimal:
    """The lookup of a caller without a store: nothing counted yet."""
    del seller_id, year
    return Decimal(0)


@dataclass
class Decision:
    rules: Jurisdiction
    lines: list[TaxedLine]
    exemptions: dict[str, tuple[str, str | None]]
    mentions: list[Mention]
    operation_category: str
    business_case: str
    language: str = "fr"
    mention_language: str = "fr"
    legal_channel: str | None = None
    exchange_day: date | None = None  # the day of the rate restating the VAT (the tax point when None)
    trace: list[str] = field(default_factory=list)
    taxed_in: str | None = None  # the country whose rates the lines carry, when not the rules'
    scheme: str | None = None  # oss | ioss | uk_omp
    distance: Standing | None = None  # an EU distance sale: the count it was decided on
    at_origin: bool = False  # the distance sale stays under the threshold (its Tally has a limit)
    seller_vat_id: str | None = None  # the seller's VAT id of another state, for a supply there


@dataclass(frozen=True)
class Route:
    """Who supplies, under whose rules: the seller under the mandate (the default), or the marketplace
    in its own name as deemed supplier (``rules/deemed.py``)."""

    supplier: Seller
    deemed: DeemedCase | None = None


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


def decide(
    event: OrderPaid,
    seller: Seller,
    day: date,
    route: Route | None = None,
    counts: CountLookup = no_counts,
    origin_amount: Decimal | None = None,
) -> Decision:
    """Choose VAT category and rate for every line, the exemption texts and the mentions.

    ``counts`` gives the store's count of the seller's EU distance sales; ``origin_amount`` the net value of
    a distance sale taxed at origin, in the seller country's currency, once computed (``rules.draft``
    decides again with it: the sale that exceeds the threshold is taxed at destination).
    """
    try:
        if route is not None and route.deemed is not None:
            return _decide_deemed(event, seller, route.supplier, route.deemed, day)
        return _decide(event, seller, day, counts, origin_amount)
    except NotInForce as exc:
        # A date outside every rate or mention table: the event is wrong (or too old), not the worker.
        raise Rejected("date_unsupported", str(exc)) from exc


def _decide(
    event: OrderPaid, seller: Seller, day: date, counts: CountLookup, origin_amount: Decimal | None
) -> Decision:
    pack = rules_for_seller(seller)
    problems = pack.seller_problems(seller)
    if problems:
        raise Rejected("seller_identity_invalid", f"seller {seller.id}: " + "; ".join(problems))
    trace: list[str] = []
    buyer = event.buyer
    established = vat_place(seller.address, f"seller {seller.id}'s establishment", pack.code)
    if established.kind == "territory":
        raise unhandled(f"seller {seller.id}'s establishment", established.why)
    if established.kind != "home":
        raise Rejected("territory_unhandled", f"seller {seller.id} is established outside {pack.name}")
    local = local_registration(pack.code, event, seller)
    if local is not None:
        # A supply in another member state where the seller is registered: that state's rules (Directive
        # art. 219a(1)), rates (its keys: destination_tax_category) and currency, the seller's id there.
        trace.append(local.note)
        pack = destination_rules(local.country, local.note)
        event = rebased(event)
        seller = seller.model_copy(update={"vat_id": local.vat_id})
    else:
        check_dispatch(pack.code, event)
    place = vat_place(event.delivery.address or buyer.address, "the delivery address", pack.code)
    deliver_to = place.country
    business = buyer.kind == "business"
    buyer_vat_country = vat_country(buyer.vat_id) if buyer.vat_id else None
    if buyer.vat_id and not valid_vat_id(buyer.vat_id):
        raise Rejected("buyer_vat_invalid", f"buyer VAT id {buyer.vat_id} fails its check digits")
    if buyer.vies is not None and not buyer.vies.valid:
        # A number VIES does not confirm is neither printed as the buyer's nor the ground of an exemption.
        raise Rejected(
            "buyer_vat_invalid",
            f"buyer VAT id {buyer.vat_id} was found invalid by the VIES check of "
            f"{buyer.vies.checked_at.isoformat()} (consultation {buyer.vies.reference})",
        )
    language = pack.document_language(buyer.language, buyer.address.country, seller)
    lang = pack.mention_language(seller, language)
    sale = Sale(
        event=event,
        seller=seller,
        day=day,
        tax_point=event.delivery.date,
        business=business,
        buyer_vat_country=buyer_vat_country,
        language=language,
        mention_language=lang,
        trace=trace,
    )

    exemptions: dict[str, tuple[str, str | None]] = {}
    mentions: list[Mention] = []
    natures = {ln.nature for ln in event.lines}
    categories: list[tuple[VatCategory, Decimal]]  # every branch below sets it or refuses
    domestic = False
    rate_pack = pack  # whose rates tax the lines: the destination's for an OSS sale
    taxed_in: str | None = None
    scheme: str | None = None
    distance: Standing | None = None
    at_origin = False

    if local is not None and place.kind == "home" and business:
        raise Rejected(
            "unsupported_case",
            f"{local.note}: for a business in {pack.name}, the state's reverse charge of supplies by a supplier not "
            "established there (Directive art. 194, e.g. CGI art. 283-1) decides who accounts for the VAT: not "
            "handled for a sale from a stock there (UNSURE per state), refused rather than charged",
        )
    if local is not None and (
        ((place.kind == "eu" or place.northern_ireland) and not business) or seller.vat_regime == "franchise"
    ):
        # From a stock abroad: a distance sale falls outside art. 59c (goods not dispatched from the member
        # state of establishment) and goes through the OSS of the establishment; not handled yet.
        raise Rejected(
            "unsupported_case",
            f"{local.note}: delivered to {deliver_to}"
            + (" under a franchise regime" if seller.vat_regime == "franchise" else "")
            + "; only a supply within that state is handled (Directive art. 219a(1)), split or ship from home",
        )
    if seller.vat_regime == "franchise":
        if place.kind != "home":
            raise Rejected(
                "unsupported_case",
                f"sale by a franchise-regime seller delivered to {deliver_to}: cross-border franchise not supported",
            )
        franchise = pack.franchise(sale)
        reason = pack.mention(franchise.mention, day, lang)
        exemptions["E"] = (reason.text, franchise.vatex)
        categories = [("E", ZERO) for _ in event.lines]
        trace.append(
            f"seller under franchise en base ({franchise.basis}): no VAT, category E, {franchise.vatex}"
            if pack.code == "FR"
            else f"seller under the {pack.adjective} small-enterprise exemption ({franchise.basis}): no VAT, "
            f"category E{', ' + franchise.vatex if franchise.vatex else ''}"
        )
    elif (
        treatment := cross_border(
            pack.code, event, place, buyer_vat_country, pack.works_keys, oss=seller.oss is not None
        )
    ) is not None and (treatment.distance or treatment.works_oss):
        # Taxed at the destination's rates, invoiced under the seller's rules (its OSS member state),
        # unless a distance sale stays under the threshold: then a sale taxed at home.
        trace += treatment.notes
        if treatment.works_oss:
            taxed_in = treatment.works_oss
        else:
            distance = standing(seller, pack.currency, event.delivery.date.year, counts)
            verdict = place_of_distance_sale(distance, origin_amount, seller, deliver_to)
            trace.append(verdict.note)
            if verdict.destination:
                check_oss(seller, deliver_to, verdict)
                taxed_in = "XI" if place.northern_ireland else deliver_to
            else:
                at_origin = True
        if taxed_in is not None:
            oss = seller.oss
            assert oss is not None  # cross_border and check_oss refuse without one
            rate_pack = destination_rules(taxed_in, f"sale to a consumer in {taxed_in}")
            scheme = "oss"
            trace.append(
                f"taxed in {taxed_in} at its rates ({'art. 47' if treatment.works_oss else 'art. 33'}), declared "
                f"through the Union OSS in {oss.country} (Directive 2006/112/EC art. 369a ff.), invoiced under "
                f"{pack.adjective} rules (art. 219a(2)(b))"
            )
            sale = replace(sale, taxed_in=taxed_in)
            categories = destination_categories(rate_pack, sale)
            works_rates = {ln.destination_tax_category for ln in event.lines} & set(rate_pack.works_keys)
            if works_rates:
                raise Rejected(
                    "unsupported_case",
                    f"works rate {', '.join(sorted(w for w in works_rates if w))} of {taxed_in} through the OSS: the "
                    f"statements and mentions {taxed_in}'s law ties to it are not handled on an invoice under "
                    f"{pack.adjective} rules; send destination_tax_category standard, or the seller registers there",
                )
            trace.append(
                f"{rate_pack.adjective} rates in force on {sale.tax_point}: {rate_pack.rate_source(sale.tax_point)}"
            )
        else:
            domestic = True
            categories = [pack.line_rate(sale, ln, f"line {ln.sku}") for ln in event.lines]
            trace.append(f"{pack.adjective} rates in force on {sale.tax_point}: {pack.rate_source(sale.tax_point)}")
    elif treatment is not None:
        trace += treatment.notes
        if treatment.works_abroad:
            # The seller's works rate keys are about its own country: the pack must not see them.
            event = without_works_keys(event, pack.works_keys)
            sale = replace(sale, event=event)
        for nature in sorted(natures):
            exemption = treatment.of(nature)
            values = dict(exemption.values)
            if "country" in values:
                values["country"] = country_name(values["country"], lang)
            reason = pack.mention(exemption.mention, day, lang, **values)
            exemptions[exemption.category] = (reason.text, exemption.vatex)
        categories = [(treatment.of(ln.nature).category, ZERO) for ln in event.lines]
        if treatment.vat_ids:
            trace.append(vies_note(event))
            mentions += [
                pack.mention("seller_vat", day, lang, vat=seller.vat_id or ""),
                pack.mention("buyer_vat", day, lang, vat=buyer.vat_id or ""),
            ]
    else:
        domestic = True
        categories = [pack.line_rate(sale, ln, f"line {ln.sku}") for ln in event.lines]
        letters = ", ".join(sorted({cat for cat, _ in categories}))
        where = place.why if local is None else pack.name
        kind = "domestic" if local is None else "local"
        trace.append(
            f"{kind} {pack.adjective} sale ({where}): {pack.adjective} VAT per line "
            f"(categor{'ies' if ', ' in letters else 'y'} {letters})"
        )
        trace.append(f"{pack.adjective} rates in force on {sale.tax_point}: {pack.rate_source(sale.tax_point)}")
    if not domestic and rate_pack is pack:
        table = pack.rate_table(event.delivery.date)
        for ln, (cat, rate) in zip(event.lines, categories, strict=True):
            explicit_rate_agrees(ln, table, rate, f"line {ln.sku}", f"category {cat}", event.delivery.date)

    keys = [ln.destination_tax_category or "standard" for ln in event.lines] if rate_pack is not pack else None
    lines = taxed_lines(event, categories, rate_pack, trace, language, keys)
    if domestic:
        lines = pack.adjust_lines(sale, lines)
        if business:
            charge = pack.reverse_charge(sale, lines)
            if charge is not None:
                reason = pack.mention(charge.mention, day, lang)
                exemptions = {"AE": (reason.text, "VATEX-EU-AE")}
                lines = [replace(ln, category="AE", rate=ZERO) for ln in lines]
                trace.append(f"domestic reverse charge ({charge.basis}): the buyer accounts for the VAT, category AE")

    mentions += pack.invoice_mentions(sale, lines)
    operation = "M1" if len(natures) == 2 else ("S1" if natures == {"service"} else "B1")
    business_case = pack.business_case(sale)
    # Where the law makes an e-invoice the invoice, the pack says for which sales (a clearance system
    # such as the SdI, KSeF or VERI*FACTU covers cross-border invoices too; Peppol in Belgium does not).
    channel = pack.legal_channel(sale, business_case)
    if channel and local is not None and pack.code != "PT":
        # SdI, KSeF, Peppol BE and VERI*FACTU exclude suppliers not established in the state; Portugal asks
        # certified software of non-residents too (research §5.2 row 4). UNSURE for each: kept in the trace.
        trace.append(f"{channel}: not for a supplier not established in {pack.name} (UNSURE): the PDF is the invoice")
        channel = None
    if channel:
        trace.append(f"the legal invoice is the e-invoice through {channel}: the PDF is a copy for information")
    trace.append(f"business case {business_case}, operation category {operation}")
    return Decision(
        rules=pack,
        lines=lines,
        exemptions=exemptions,
        mentions=mentions,
        operation_category=operation,
        business_case=business_case,
        language=language,
        mention_language=lang,
        legal_channel=channel,
        exchange_day=pack.exchange_day(sale),
        trace=trace,
        taxed_in=taxed_in,
        scheme=scheme,
        distance=distance,
        at_origin=at_origin,
        seller_vat_id=local.vat_id if local is not None else None,
    )


def taxed_lines(
    event: OrderPaid,
    categories: list[tuple[VatCategory, Decimal]],
    rate_pack: Jurisdiction,
    trace: list[str],
    language: str,
    keys: list[str] | None = None,
) -> list[TaxedLine]:
    """The decided lines, the order's discounts spread over them, and the shipping line at their rate."""
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
    discount_word = word("discount", language)
    for ln, (cat, rate), more in zip(event.lines, categories, extra, strict=True):
        reasons = [event.discounts[0].reason or discount_word] if more and event.discounts else []
        if ln.discount:
            reasons.insert(0, discount_word)
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
        if cat in ("S", "Z"):
            key = keys[len(lines) - 1] if keys is not None else ln.tax_category
            trace.append(f"line {ln.sku}: {rate}% ({key or 'rate given by the event'})")

    if event.shipping and event.shipping.amount > 0:
        lines.append(shipping_line(event, lines, rate_pack, event.delivery.date, trace, language))
    return lines


# How the deemed supplier's legal basis is printed, in the mention's language.
DEEMED_PRINTED: dict[str, dict[str, str]] = {
    "fr": {
        "eu_goods_in_eu": "art. 14 bis, paragraphe 2, de la directive 2006/112/CE",
        "eu_import": "art. 14 bis, paragraphe 1, de la directive 2006/112/CE",
    },
    "en": {"uk_goods_in_uk": "VATA 1994 s.5A", "uk_import": "VATA 1994 s.5A"},
}


def _decide_deemed(event: OrderPaid, seller: Seller, supplier: Seller, case: DeemedCase, day: date) -> Decision:
    """The marketplace's own sale: the destination's rates, the rules of its member state of identification
    (or the UK's), its mention naming the seller; no mandate, no exemption."""
    pack = jurisdiction(case.rules)
    trace = [
        f"{case.note}: the marketplace is the supplier ({case.basis}) and invoices in its own name, in its own "
        f"series, under {pack.adjective} rules"
        + ("" if case.uk else " (its member state of identification, Directive art. 219a(2)(b))")
    ]
    buyer = event.buyer
    language = pack.document_language(buyer.language, buyer.address.country, None)
    lang = pack.mention_language(supplier, language)
    sale = Sale(
        event=event,
        seller=supplier,
        day=day,
        tax_point=event.delivery.date,
        business=False,
        buyer_vat_country=None,
        language=language,
        mention_language=lang,
        trace=trace,
    )
    dest = destination_rules(case.taxed_in, case.note)
    categories = destination_categories(dest, sale)
    declared = {
        "oss": "declared through the Union OSS (art. 369b)",
        "ioss": "declared through the import OSS (art. 369l ff.)",
        "uk_omp": "declared in the marketplace's UK VAT return",
    }.get(case.scheme or "", f"declared in the marketplace's {pack.adjective} VAT return (its own member state)")
    trace.append(f"taxed in {case.taxed_in} at its rates, {declared}")
    trace.append(f"{dest.adjective} rates in force on {sale.tax_point}: {dest.rate_source(sale.tax_point)}")
    keys = [ln.destination_tax_category or "standard" for ln in event.lines]
    lines = taxed_lines(event, categories, dest, trace, language, keys)
    printed = DEEMED_PRINTED.get(lang, {}).get(case.case)
    if printed is None:
        raise Rejected("mention_text_missing", f"no printed basis of {case.case} in {lang!r}")
    mentions = [
        pack.mention(
            "deemed_supplier",
            day,
            lang,
            issuer=supplier.legal_name,
            seller=seller.legal_name,
            country=country_name(case.seller_country, lang),
            basis=printed,
        )
    ]
    mentions += pack.invoice_mentions(sale, lines)
    business_case = pack.business_case(sale)
    channel = pack.legal_channel(sale, business_case)
    if channel:
        trace.append(f"the legal invoice is the e-invoice through {channel}: the PDF is a copy for information")
    natures = {ln.nature for ln in event.lines}
    operation = "M1" if len(natures) == 2 else ("S1" if natures == {"service"} else "B1")
    trace.append(f"business case {business_case}, operation category {operation}")
    return Decision(
        rules=pack,
        lines=lines,
        exemptions={},
        mentions=mentions,
        operation_category=operation,
        business_case=business_case,
        language=language,
        mention_language=lang,
        legal_channel=channel,
        exchange_day=pack.exchange_day(sale),
        trace=trace,
        taxed_in=case.taxed_in,
        scheme=case.scheme,
    )


def vies_note(event: OrderPaid) -> str:
    vies = event.buyer.vies
    if vies is None:
        # Not refused: the VAT id passed its check digits, and the record keeps what the marketplace sent.
        return f"no VIES check recorded for {event.buyer.vat_id} (Implementing Regulation 282/2011 art. 18(1)(a))"
    return f"VIES check of {event.buyer.vat_id} on {vies.checked_at.isoformat()}: valid, consultation {vies.reference}"


def seller_today(seller: Seller, now: datetime) -> date:
    """The calendar day at ``now`` where the seller is established (mentions in force, issue date)."""
    try:
        zone = jurisdiction(seller.address.country).timezone
    except UnknownCountry:
        zone = "UTC"  # refused anyway (unsupported_country); the day only has to exist
    return now.astimezone(ZoneInfo(zone)).date()


def check_seller(seller: Seller) -> None:
    """ValueError naming what the seller's country requires of its identity and is missing or wrong.

    A seller of a country without a pack is accepted here and refused at issue (``unsupported_country``):
    the registry may be filled before its country is supported.
    """
    try:
        pack = jurisdiction(seller.address.country)
    except UnknownCountry:
        return
    problems = pack.seller_problems(seller)
    if problems:
        raise ValueError(f"seller {seller.id}: " + "; ".join(problems))


def rules_for_seller(seller: Seller) -> Jurisdiction:
    try:
        return jurisdiction(seller.address.country)
    except UnknownCountry as exc:
        raise Rejected("unsupported_country", str(exc)) from exc


def explicit_rate_agrees(
    line: Line, table: Mapping[str, Decimal], rate: Decimal, what: str, why: str, day: date
) -> None:
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


def shipping_line(
    event: OrderPaid, lines: list[TaxedLine], rules: Jurisdiction, day: date, trace: list[str], language: str
) -> TaxedLine:
    """Shipping follows the supply it accompanies (accessory follows principal).

    With goods at several rates, French doctrine allows a pro-rata split; the
    conservative reading taxes shipping at the highest rate of the order (it never
    under-collects VAT), unless the event states the rate explicitly.
    """
    assert event.shipping is not None
    # The goods' category when the order has goods (an export's transport is exempt with it, art. 146(1)(e)).
    cat = next((ln.category for ln in lines if ln.nature == "goods"), lines[0].category)
    if cat in ("S", "Z"):
        if event.shipping.vat_rate is not None:
            rate = event.shipping.vat_rate
            if rate not in set(rules.rate_table(day).values()):
                raise Rejected("vat_rate_invalid", f"shipping: {rate}% is not a {rules.code} rate")
            trace.append(f"shipping at the event's rate {rate}%")
        else:
            rate = max(ln.rate for ln in lines)
            trace.append(f"shipping taxed at the highest rate of the order, {rate}% (conservative)")
        cat = rules.category(None, rate)
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
        description=event.shipping.description or word("shipping", language),
        quantity=Decimal(1),
        unit="C62",
        unit_price=event.shipping.amount,
        discount=ZERO,
        discount_reason=None,
        nature="service",
        category=cat,
        rate=rate,
    )
