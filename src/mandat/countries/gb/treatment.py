"""United Kingdom: the decisions of a domestic sale that are UK law (docs/countries.md §9).

* Time of supply (VATA 1994 s.6): the basic tax point is the delivery (goods made available,
  works completed: ``delivery.date``); a payment received before it is the tax point (s.6(4));
  a VAT invoice issued within 14 days after it is (s.6(5), unless the seller elected otherwise:
  UNSURE, not on the seller record). mandat invoices paid orders, so the time of supply is
  usually the payment day. It is printed (reg. 14(1)(b)); the rules take rates at delivery, so a
  sale whose rates differ on the two days is refused (a rate change in between, s.88). The sterling
  VAT of an order in another currency is converted at the rate of the time of supply
  (``exchange_day``; VAT Regulations 1995 reg. 14(1)(m), HMRC Notice 700 §7).
* Energy-saving materials (Sch 8 Group 23; Sch 7A Group 2 from 2027-04-01): installed by the
  seller (``works.installed_by_seller``) in residential accommodation (``works.dwelling``) in
  Great Britain. Goods sold without installation are standard-rated (HMRC Notice 708/6). Whether
  a product is an energy-saving material is the seller's classification (UNSURE UK-1).
* Renovation of empty dwellings (Sch 7A Group 6) and residential conversions (Group 7), 5 %: a
  dwelling (``works.dwelling``) and the customer's statement of the qualifying case
  (``works.client_statement.text_id``: ``gb_empty_dwelling_2y``, the dwelling was not lived in
  during the two years before the works began; ``gb_residential_conversion``); building materials
  only when incorporated by the seller (``works.installed_by_seller``). There is no event field
  for the empty period itself: the statement is the evidence mandat holds (UNSURE UK-2).
* Domestic reverse charge for construction services (s.55A; VAT (Section 55A) (Specified Services
  and Excepted Supplies) Order 2019, in force 2021-03-01): a B2B order of works or services needs
  ``buyer.facts.gb_cis_registered`` and, when registered, ``buyer.facts.gb_end_user`` (end users
  and intermediary suppliers who confirmed it in writing are excepted). It applies to a works
  order at 20 % or 5 % to a VAT- and CIS-registered contractor; zero-rated works are outside it.
* Sellers not registered for VAT issue no VAT invoice (Sch 11 para 2; reg. 13): refused.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import NoReturn
from zoneinfo import ZoneInfo

from mandat.countries.base import Mention
from mandat.countries.jurisdiction import Jurisdiction, ReverseCharge, Sale
from mandat.domain.calculation import TaxedLine
from mandat.domain.money import ZERO, vat_of
from mandat.domain.parties import Address
from mandat.domain.refusals import Rejected

STATEMENTS = {
    "gb_empty_dwelling_2y": ("renovation_empty", "Sch 7A Group 6 (dwelling empty for two years)"),
    "gb_residential_conversion": ("renovation_conversion", "Sch 7A Group 7 (residential conversion)"),
}
REVERSE_CHARGE = ReverseCharge("reverse_charge", "VATA 1994 s.55A; SI 2019/892")
S55A_FROM = date(2021, 3, 1)
FOURTEEN_DAYS = timedelta(days=14)


def _seen(trace: list[str], sentence: str) -> None:
    if sentence not in trace:
        trace.append(sentence)


def _works_place(sale: Sale) -> Address:
    works = sale.event.works
    if works is not None and works.property_address is not None:
        return works.property_address
    return sale.event.delivery.address or sale.event.buyer.address


def check_works(pack: Jurisdiction, sale: Sale, key: str) -> None:
    basis = pack.works_keys[key]
    works = sale.event.works
    lines = [ln for ln in sale.event.lines if ln.tax_category == key]
    goods = any(ln.nature == "goods" for ln in lines)
    missing: list[str] = []
    if works is None or works.dwelling is None:
        missing.append("works.dwelling")
    if (key == "energy_saving_materials" or goods) and (works is None or works.installed_by_seller is None):
        missing.append("works.installed_by_seller")
    if key == "residential_renovation" and (works is None or works.client_statement is None):
        missing.append(f"works.client_statement (text_id {' or '.join(STATEMENTS)})")
    if missing:
        what = (
            "energy-saving materials installed by the seller in residential accommodation"
            if key == "energy_saving_materials"
            else "renovation of a dwelling empty for two years, or a residential conversion, stated by the customer"
        )
        raise Rejected("works_rate_condition_missing", f"GB {key} ({basis}) needs {', '.join(missing)}: {what}")
    assert works is not None
    if not works.dwelling:
        raise Rejected(
            "works_rate_condition_unmet",
            f"GB {key} ({basis}): the building is not a dwelling (residential accommodation); relevant charitable "
            "buildings are not handled",
        )
    if works.installed_by_seller is False and (key == "energy_saving_materials" or goods):
        raise Rejected(
            "works_rate_condition_unmet",
            f"GB {key} ({basis}): the materials are not installed by the seller; goods supplied without "
            "installation are standard-rated (HMRC Notice 708/6)",
        )
    place = _works_place(sale)
    if place.country != "GB" or place.postcode.replace(" ", "").upper().startswith("BT"):
        raise Rejected(
            "works_rate_condition_unmet",
            f"GB {key} ({basis}): the works are at {place.postcode} {place.city} ({place.country}), not in Great "
            "Britain (the Isle of Man's and Northern Ireland's reliefs are not handled)",
        )
    if key == "residential_renovation":
        statement = works.client_statement
        assert statement is not None
        if statement.text_id not in STATEMENTS:
            raise Rejected(
                "works_rate_condition_missing",
                f"GB {key} ({basis}): the customer's statement {statement.text_id!r} is not one of "
                f"{', '.join(STATEMENTS)} (dwelling empty for two years, or residential conversion)",
            )
        _seen(
            sale.trace,
            f"{key}: dwelling, {STATEMENTS[statement.text_id][1]} stated by the customer on "
            f"{statement.accepted_at.date().isoformat()}",
        )
    else:
        _seen(sale.trace, f"{key}: installed by the seller in residential accommodation in Great Britain ({basis})")


def time_of_supply(sale: Sale, timezone: str) -> tuple[date, str]:
    """The UK tax point of a paid order (VATA 1994 s.6) and why."""
    basic = sale.event.delivery.date
    captured = sale.event.payment.captured_at
    assert captured is not None  # rules.invoice.check_payment_status ran before
    paid_on = captured.astimezone(ZoneInfo(timezone)).date()
    if paid_on < basic:
        return paid_on, "payment received before the supply, VAT Act 1994 s.6(4)"
    if paid_on == basic:
        return basic, "date of supply and of payment, VAT Act 1994 s.6"
    if sale.day - basic <= FOURTEEN_DAYS:
        return sale.day, "invoice issued within 14 days of the supply, VAT Act 1994 s.6(5)"
    return basic, "date of supply, VAT Act 1994 s.6(2) and (3)"


def _check_tax_point(pack: Jurisdiction, sale: Sale, tax_point: date) -> None:
    """The rules take rates (and exchange rates) at delivery: refuse where the UK tax point gives others."""
    delivery = sale.event.delivery.date
    if tax_point == delivery:
        return
    at_point, at_delivery = pack.rate_table(tax_point), pack.rate_table(delivery)
    for ln in sale.event.lines:
        if ln.tax_category is not None:
            same = at_point.get(ln.tax_category) == at_delivery[ln.tax_category]
        elif ln.vat_rate is not None:
            same = ln.vat_rate in set(at_point.values())
        else:
            continue  # no rate asked for (an export, a supply outside the scope): nothing to compare
        if not same:
            raise Rejected(
                "unsupported_case",
                f"line {ln.sku}: the UK rate of {ln.tax_category or f'{ln.vat_rate}%'} differs between the time of "
                f"supply {tax_point.isoformat()} and the delivery {delivery.isoformat()} (change of rate, VAT Act "
                "1994 s.88): not handled",
            )


def _is_works(sale: Sale, pack: Jurisdiction) -> bool:
    return sale.event.works is not None or any(
        ln.works_part is not None or ln.tax_category in pack.works_keys for ln in sale.event.lines
    )


def reverse_charge(pack: Jurisdiction, sale: Sale, lines: list[TaxedLine]) -> ReverseCharge | None:
    event, trace = sale.event, sale.trace
    works = _is_works(sale, pack)
    if not works and all(ln.nature == "goods" for ln in event.lines):
        trace.append("goods without works: not a construction service, s.55A not applicable")
        return None
    facts = event.buyer.facts
    basis = "VATA 1994 s.55A (construction services, CIS)"
    cis = facts.gb_cis_registered if facts else None
    if cis is None:
        raise Rejected(
            "reverse_charge_condition_missing",
            f"GB {basis}: a business buyer of works or services needs buyer.facts.gb_cis_registered (the domestic "
            "reverse charge applies to a CIS-registered contractor that is not an end user)",
        )
    if not cis:
        trace.append(f"buyer not registered for CIS: {basis} does not apply, VAT charged")
        return None
    end_user = facts.gb_end_user if facts else None
    if end_user is None:
        raise Rejected(
            "reverse_charge_condition_missing",
            f"GB {basis}: the buyer is CIS-registered; buyer.facts.gb_end_user is needed (end users and "
            "intermediary suppliers who confirmed it in writing are excepted, SI 2019/892)",
        )
    if end_user:
        trace.append(f"buyer is an end user or intermediary supplier (confirmed in writing): excepted from {basis}")
        return None
    if not works:
        raise Rejected(
            "unsupported_case",
            f"GB {basis}: services to a CIS-registered contractor without works facts: mandat cannot tell whether they "
            "are construction operations (Finance Act 2004 s.74); send the works facts, or split the order",
        )
    vat_id = event.buyer.vat_id
    if not vat_id or vat_id[:2] not in ("GB", "XI"):
        raise Rejected(
            "reverse_charge_condition_missing",
            f"GB {basis}: the buyer's UK VAT registration number is needed (the reverse charge applies between "
            "VAT-registered persons)",
        )
    zero = [ln.sku for ln in lines if ln.rate == 0]
    if len(zero) == len(lines):
        trace.append(f"zero-rated works: outside {basis}, no reverse charge")
        return None
    if zero:
        raise Rejected(
            "unsupported_case",
            f"GB {basis}: zero-rated lines ({', '.join(zero)}) are outside the reverse charge and the other lines are "
            "within it: split the order",
        )
    if event.prices_include_vat:
        raise Rejected(
            "unsupported_case",
            f"GB {basis}: prices including VAT under the reverse charge leave the net price ambiguous; send net prices",
        )
    if event.currency != pack.currency:
        raise Rejected(
            "unsupported_case",
            f"GB {basis} on an order in {event.currency}: the VAT the customer accounts for in sterling is not handled",
        )
    if sale.day < S55A_FROM:
        raise Rejected("date_unsupported", f"GB {basis} is in force from {S55A_FROM.isoformat()}")
    trace.append(
        f"buyer {vat_id} is VAT- and CIS-registered and not an end user: works at {_rates_text(lines)} reverse-charged"
    )
    return REVERSE_CHARGE


def _rates_text(lines: list[TaxedLine]) -> str:
    return ", ".join(f"{r}%" for r in sorted({ln.rate for ln in lines}, reverse=True))


def _original_rates(pack: Jurisdiction, sale: Sale, lines: list[TaxedLine]) -> list[Decimal]:
    """The rates the reverse-charged lines would bear, as the rules decided them before category AE."""
    event = sale.event
    table = pack.rate_table(sale.tax_point)
    rates = [table[ln.tax_category] if ln.tax_category is not None else (ln.vat_rate or ZERO) for ln in event.lines]
    out = list(rates)
    for ln in lines[len(event.lines) :]:
        # Shipping: the event's rate, else the highest of the order (rules.invoice.shipping_line).
        assert ln.sku == "SHIPPING"
        given = event.shipping.vat_rate if event.shipping else None
        out.append(given if given is not None else max(rates))
    return out


def _pounds(amount: Decimal) -> str:
    return f"£{amount:,.2f}"


def reverse_charge_detail(pack: Jurisdiction, sale: Sale, lines: list[TaxedLine]) -> str:
    """The VAT the customer accounts for, per rate: round(net x rate) as for a VAT breakdown (net prices)."""
    nets: dict[Decimal, Decimal] = {}
    for ln, rate in zip(lines, _original_rates(pack, sale, lines), strict=True):
        nets[rate] = nets.get(rate, ZERO) + ln.amount
    parts = [
        f"{_pounds(vat_of(net, rate))} ({rate}% of {_pounds(net)})" for rate, net in sorted(nets.items(), reverse=True)
    ]
    return "; ".join(parts)


def invoice_mentions(pack: Jurisdiction, sale: Sale, lines: list[TaxedLine]) -> list[Mention]:
    event, day, lang, trace = sale.event, sale.day, sale.mention_language, sale.trace
    tax_point, why = time_of_supply(sale, pack.timezone)
    _check_tax_point(pack, sale, tax_point)
    mentions = [pack.mention("time_of_supply", day, lang, date=pack.mention_date(tax_point), why=why)]
    trace.append(f"time of supply {tax_point.isoformat()}: {why}")
    keys = {ln.tax_category for ln in event.lines}
    if "energy_saving_materials" in keys:
        rate = pack.rate("energy_saving_materials", sale.tax_point)
        mentions.append(pack.mention("esm_zero" if rate == 0 else "esm_reduced", day, lang))
    if "residential_renovation" in keys:
        assert event.works is not None
        assert event.works.client_statement is not None
        statement = event.works.client_statement
        stated_on = pack.mention_date(statement.accepted_at.astimezone(ZoneInfo(pack.timezone)).date())
        mentions.append(pack.mention(STATEMENTS[statement.text_id][0], day, lang, date=stated_on))
    if lines and all(ln.category == "AE" for ln in lines):
        detail = reverse_charge_detail(pack, sale, lines)
        mentions.append(pack.mention("reverse_charge_vat", day, lang, detail=detail))
        trace.append(f"reverse charge: VAT the customer accounts for stated apart from the VAT total ({detail})")
    return mentions


def franchise(sale: Sale) -> NoReturn:
    raise Rejected(
        "seller_vat_missing",
        f"seller {sale.seller.id} is not registered for VAT (below the £90,000 threshold, VATA 1994 Sch 1): it cannot "
        "issue a VAT invoice (Sch 11 para 2; VAT Regulations 1995 reg. 13), and mandat issues no other invoice for it",
    )
