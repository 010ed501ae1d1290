"""Italy: the decisions of a domestic sale that are Italian law.

* 10 % maintenance of dwellings (``home_renovation``; L. 488/1999 art. 7 c.1 lett. b): ordinary and
  extraordinary maintenance (DPR 380/2001 art. 3 c.1 lett. a-b) of a building mainly used as a private
  dwelling; goods only when supplied by whoever performs the works, within the service. The event says so
  (``works.dwelling``, ``works.private_use``, ``works.installed_by_seller``); each goods line says whether
  it is a significant good of DM 29-12-1999 or other material (``works_part``). No client statement is
  required (none found in the law: UNSURE, none asked).
* Significant goods cap (DM 29-12-1999; L. 205/2017 art. 1 c.19): significant goods are at 10 % only up to
  the value of the whole service minus the value of those goods; the excess is at 22 %. mandat SPLITS
  each significant-goods line into a 10 % part and a 22 % part (``split_significant_goods``): the figures
  follow from the lines, so refusing would only make the marketplace redo the same arithmetic, and a
  split is what Italian invoices carry. The invoice states the value of the significant goods separately.
* Domestic reverse charge (DPR 633/1972 art. 17 c.6 lett. a-ter): cleaning, demolition, installation of
  systems and completion services relating to buildings, between Italian VAT-registered parties. When a
  business buyer orders services on a building (a ``works`` object): its partita IVA and the building
  (``works.property_address``) must be known; goods on the same order leave open whether the contract
  is a works contract (reverse charge) or a sale with installation (cessione con posa in opera: VAT
  charged, circ. AdE 14/E/2015), which no event field says: refused.
* The buyer's identifiers (art. 21 c.2 lett. f): a consumer resident in Italy is identified by its
  codice fiscale (``buyer.tax_number``), a business by its partita IVA (or codice fiscale).
* Every domestic invoice is a FatturaPA cleared by the SdI (art. 1 c.3 D.Lgs. 127/2015, L. 205/2017): the
  PDF is a courtesy copy.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from stdnum.it import codicefiscale, iva

from mandat.countries.base import Mention
from mandat.countries.it.identity import italian_amount
from mandat.countries.jurisdiction import Franchise, Jurisdiction, ReverseCharge, Sale
from mandat.domain.calculation import TaxedLine
from mandat.domain.money import HUNDRED, ZERO, allocate, q2
from mandat.domain.refusals import Rejected

KEY = "home_renovation"
BASIS = "L. 488/1999 art. 7 c.1 lett. b"
CAP_BASIS = "DM 29-12-1999; L. 205/2017 art. 1 c.19"
RC_BASIS = "DPR 633/1972 art. 17 c.6 lett. a-ter"
FRANCHISE = Franchise("franchise", None, "L. 190/2014 art. 1 c.54-89 (regime forfettario)")
STAMP_DUTY_ABOVE = Decimal("77.47")  # DPR 642/1972 Tariffa art. 13 n.1 (as amended by DL 16/2012)
SHIPPING_SKU = "SHIPPING"


def _once(sale: Sale, text: str) -> None:
    if text not in sale.trace:
        sale.trace.append(text)


def check_works(pack: Jurisdiction, sale: Sale, key: str) -> None:
    """L. 488/1999 art. 7 c.1 lett. b: maintenance of a building mainly used as a private dwelling,
    goods supplied within the service by the one who performs it."""
    works = sale.event.works
    lines = [ln for ln in sale.event.lines if ln.tax_category == key]
    goods = [ln for ln in lines if ln.nature == "goods"]
    missing: list[str] = []
    if works is None or works.dwelling is None:
        missing.append("works.dwelling")
    if works is None or works.private_use is None:
        missing.append("works.private_use (exclusive/main)")
    if goods and (works is None or works.installed_by_seller is None):
        missing.append("works.installed_by_seller")
    untagged = [ln.sku for ln in goods if ln.works_part not in ("materials", "significant_goods")]
    if untagged:
        missing.append(
            f"works_part (significant_goods or materials) on goods line(s) {', '.join(untagged)}: "
            "the 10 % of significant goods is capped (DM 29-12-1999)"
        )
    if missing:
        raise Rejected(
            "works_rate_condition_missing",
            f"IT {key} ({BASIS}) needs {'; '.join(missing)}: maintenance of a building mainly used as a "
            "private dwelling, goods supplied by whoever performs the works",
        )
    assert works is not None
    if not works.dwelling:
        raise Rejected("works_rate_condition_unmet", f"IT {key} ({BASIS}): works.dwelling is false")
    if works.private_use == "other":
        raise Rejected(
            "works_rate_condition_unmet",
            f"IT {key} ({BASIS}): works.private_use is 'other', the building is not mainly a private dwelling",
        )
    if goods and not works.installed_by_seller:
        raise Rejected(
            "works_rate_condition_unmet",
            f"IT {key} ({BASIS}): works.installed_by_seller is false; goods not supplied within the seller's own "
            "maintenance service are at their own rate",
        )
    if works.property_address is not None and works.property_address.country != pack.code:
        raise Rejected(
            "works_rate_condition_unmet",
            f"IT {key} ({BASIS}): the building is in {works.property_address.country}, not in Italy",
        )
    if not any(ln.nature == "service" for ln in lines):
        raise Rejected(
            "works_rate_condition_unmet",
            f"IT {key} ({BASIS}): no maintenance service line at {key}; goods sold alone are at their own rate",
        )
    _once(
        sale,
        f"{key}: maintenance of a dwelling (private use {works.private_use}), goods supplied and installed by the "
        f"seller ({BASIS}); no client statement required",
    )


def split_significant_goods(pack: Jurisdiction, sale: Sale, lines: list[TaxedLine]) -> list[TaxedLine]:
    """DM 29-12-1999: significant goods at 10 % up to the service's value net of them, the rest at 22 %.

    ``lines[i]`` is the event's line ``i`` (shipping follows). The others (labour, materials) are all at
    the same 10 %, so in either price convention the 10 % part of the significant goods is the amount of
    the other lines: with ``T`` the whole and ``V`` the goods, 10 % on ``T - V``, 22 % on ``V - (T - V)``.
    Each significant line keeps its place with its 10 % part (quantity 1) and its 22 % part is appended
    at the end, same sku, so that line numbers of the order stay those of the invoice.
    """
    event_lines = sale.event.lines
    standard = pack.rate("standard", sale.tax_point)
    for i, line in enumerate(event_lines):
        low = lines[i].category == "S" and lines[i].rate < standard
        if line.works_part == "significant_goods" and line.tax_category != KEY and low:
            raise Rejected(
                "works_rate_condition_missing",
                f"IT line {line.sku}: significant goods below the standard rate only as {KEY}, where their "
                f"10 % is capped ({CAP_BASIS})",
            )
    sig = [i for i, ln in enumerate(event_lines) if ln.tax_category == KEY and ln.works_part == "significant_goods"]
    if not sig:
        return lines
    others = [i for i, ln in enumerate(event_lines) if ln.tax_category == KEY and i not in sig]
    skus = {event_lines[i].sku for i in sig}
    if any(event_lines[i].sku in skus for i in range(len(event_lines)) if i not in sig):
        raise Rejected(
            "works_rate_condition_missing",
            f"IT significant goods share their sku with other lines ({', '.join(sorted(skus))}): give them their own",
        )
    value = sum((lines[i].amount for i in sig), ZERO)
    rest = sum((lines[i].amount for i in others), ZERO)
    if value <= rest:
        sale.trace.append(f"significant goods {value} ≤ rest of the service {rest}: all at 10 % ({CAP_BASIS})")
        return lines
    capped = allocate(rest, [lines[i].amount for i in sig])
    out = list(lines)
    excess_lines: list[TaxedLine] = []
    for i, part in zip(sig, capped, strict=True):
        taxed = lines[i]
        excess = taxed.amount - part
        whole = (
            f"{taxed.description} ({taxed.quantity.normalize():f} × {italian_amount(taxed.unit_price)})"
            if taxed.quantity != 1
            else taxed.description
        )
        base = replace(taxed, quantity=Decimal(1), unit="C62", discount=ZERO, discount_reason=None)
        if part > 0:
            out[i] = replace(base, description=f"{whole} – quota al {taxed.rate:f} %", unit_price=part)
            excess_lines.append(
                replace(
                    base, description=f"{whole} – quota eccedente al {standard:f} %", unit_price=excess, rate=standard
                )
            )
        else:
            out[i] = replace(
                base, description=f"{whole} – quota eccedente al {standard:f} %", unit_price=excess, rate=standard
            )
    shipping = sale.event.shipping
    for j in range(len(event_lines), len(out)):
        if out[j].sku == SHIPPING_SKU and shipping is not None and shipping.vat_rate is None and out[j].rate < standard:
            # The rules tax shipping at the order's highest rate; the split has just raised it.
            out[j] = replace(out[j], rate=standard)
            sale.trace.append(f"shipping raised to {standard}%, the highest rate of the order after the split")
    sale.trace.append(
        f"significant goods {value} > rest of the service {rest}: {rest} at 10 %, {value - rest} at {standard} % "
        f"({CAP_BASIS}); lines split"
    )
    return out + excess_lines


def _net(amount: Decimal, rate: Decimal, include_vat: bool) -> Decimal:
    return q2(amount * HUNDRED / (HUNDRED + rate)) if include_vat else amount


def significant_goods_mention(pack: Jurisdiction, sale: Sale, lines: list[TaxedLine]) -> Mention | None:
    """The separate statement of the significant goods' value (L. 205/2017 art. 1 c.19), taxable amounts."""
    event_lines = sale.event.lines
    skus = {ln.sku for ln in event_lines if ln.tax_category == KEY and ln.works_part == "significant_goods"}
    if not skus:
        return None
    n = len(event_lines)
    incl = sale.event.prices_include_vat
    home = pack.rate(KEY, sale.tax_point)
    sig = [ln for ln in lines if ln.sku in skus and ln.sku != SHIPPING_SKU and ln.category == "S"]
    if not sig:
        return None
    capped = sum((_net(ln.amount, ln.rate, incl) for ln in sig if ln.rate == home), ZERO)
    excess = sum((_net(ln.amount, ln.rate, incl) for ln in sig if ln.rate != home), ZERO)
    others = [lines[i] for i, ln in enumerate(event_lines[:n]) if ln.tax_category == KEY and ln.sku not in skus]
    rest = sum((_net(ln.amount, ln.rate, incl) for ln in others), ZERO)
    return pack.mention(
        "significant_goods",
        sale.day,
        sale.mention_language,
        value=italian_amount(capped + excess),
        rest=italian_amount(rest),
        capped=italian_amount(capped),
        excess=italian_amount(excess),
    )


def check_buyer(sale: Sale) -> None:
    """Art. 21 c.2 lett. f: the buyer's partita IVA, or for a consumer its codice fiscale."""
    buyer = sale.event.buyer
    if buyer.tax_number and not codicefiscale.is_valid(buyer.tax_number):
        raise Rejected(
            "buyer_tax_number_invalid",
            f"buyer codice fiscale {buyer.tax_number} fails its check (stdnum it.codicefiscale)",
        )
    if sale.business:
        if not buyer.vat_id and not buyer.tax_number:
            raise Rejected(
                "buyer_tax_number_missing",
                "an Italian invoice to a business names its partita IVA (buyer.vat_id) or codice fiscale "
                "(buyer.tax_number) (DPR 633/1972 art. 21 c.2 lett. f)",
            )
        return
    if buyer.address.country == "IT" and not buyer.tax_number:
        raise Rejected(
            "buyer_tax_number_missing",
            "an Italian invoice to a consumer resident in Italy names its codice fiscale (buyer.tax_number) "
            "(DPR 633/1972 art. 21 c.2 lett. f)",
        )


def reverse_charge(pack: Jurisdiction, sale: Sale, lines: list[TaxedLine]) -> ReverseCharge | None:
    """Art. 17 c.6 lett. a-ter: building services between Italian VAT-registered parties."""
    del lines
    event = sale.event
    services = [ln for ln in event.lines if ln.nature == "service"]
    if not services:
        sale.trace.append("B2B goods only: no domestic reverse charge (DPR 633/1972 art. 17 c.6)")
        return None
    works = event.works
    flagged = [ln.sku for ln in services if ln.works_part is not None]
    if works is None and flagged:
        # A service the event calls a part of works, without the works facts: it may relate to a building.
        raise Rejected(
            "reverse_charge_condition_missing",
            f"IT {RC_BASIS}: service line(s) {', '.join(flagged)} are works to a business: send works with "
            "works.property_address (the building the services relate to)",
        )
    if works is None:
        sale.trace.append(
            "B2B services not declared as works on a building (no works facts): art. 17 c.6 lett. a-ter not applied"
        )
        return None
    missing: list[str] = []
    vat = event.buyer.vat_id
    if not vat or not vat.startswith("IT") or not iva.is_valid(vat[2:]):
        missing.append(
            "the buyer's Italian partita IVA (buyer.vat_id): the reverse charge is between VAT-registered parties"
        )
    if works.property_address is None:
        missing.append("works.property_address (the building the services relate to)")
    elif works.property_address.country != pack.code:
        raise Rejected(
            "unsupported_case",
            f"services on a building in {works.property_address.country} by an Italian seller: not a domestic sale",
        )
    goods = [ln.sku for ln in event.lines if ln.nature == "goods"]
    if goods:
        missing.append(
            f"whether the order (goods {', '.join(goods)} with services) is a works contract (reverse charge) or a "
            "sale of goods with installation (cessione con posa in opera: VAT charged, circ. AdE 14/E/2015); "
            "no event field says it: send goods and services as separate orders"
        )
    if missing:
        raise Rejected(
            "reverse_charge_condition_missing",
            f"IT {RC_BASIS}: building services to a business need {'; '.join(missing)}",
        )
    sale.trace.append(
        f"building services (installation, completion) to {vat}: reverse charge, the buyer integrates the invoice "
        f"with VAT ({RC_BASIS}); the class of service is the seller's (UNSURE: lett. a-ter list)"
    )
    return ReverseCharge("reverse_charge", RC_BASIS)


def invoice_mentions(pack: Jurisdiction, sale: Sale, lines: list[TaxedLine]) -> list[Mention]:
    check_buyer(sale)
    day, lang = sale.day, sale.mention_language
    mentions: list[Mention] = []
    if any(ln.tax_category == KEY for ln in sale.event.lines) and any(ln.category in ("S", "AE") for ln in lines):
        mentions.append(pack.mention(KEY, day, lang))
        sig = significant_goods_mention(pack, sale, lines)
        if sig is not None:
            mentions.append(sig)
            sale.trace.append(f"value of the significant goods stated separately ({CAP_BASIS})")
    if lines and all(ln.category == "E" for ln in lines):
        # Only the franchise makes a domestic Italian line E here; the rules skip legal_channel for it.
        mentions.append(pack.mention("sdi_copy", day, lang))
        sale.trace.append("regime forfettario invoices go through the SdI too (DL 36/2022 art. 18): copy notice")
        total = sum((ln.amount for ln in lines), ZERO)
        if total > STAMP_DUTY_ABOVE:
            mentions.append(pack.mention("stamp_duty", day, lang))
            sale.trace.append(f"invoice without VAT above {STAMP_DUTY_ABOVE} €: 2 € stamp duty, paid virtually")
    return mentions
