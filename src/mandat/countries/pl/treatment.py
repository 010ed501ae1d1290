"""Poland: the decisions of a domestic sale that are Polish law (ustawa o VAT, docs/countries.md §8).

* 8 % housing works (art. 41 ust. 12-12c): construction, renovation, modernisation,
  thermo-modernisation or reconstruction of a building (part) included in social housing: a
  residential building or a flat (``works.dwelling``, ``works.building_type``), and the usable floor
  area (``works.floor_area_m2``). Supplies of goods alone stay at 23 %: only service lines take the
  key (materials are part of the works service). Installed equipment (heat pumps, PV: UNSURE PL-2)
  only when installed by the seller on or in the building (``works.installed_by_seller``).
  Above 300 m² (house) or 150 m² (flat) ust. 12b excludes the building from social housing and
  ust. 12c keeps 8 % on the share of the base of the qualifying area only: **we split** each such
  line into its 8 % share (limit / area of the base) and its 23 % rest, and print both figures,
  rather than refuse: the figures follow from the law and the facts alone.
* Split payment (art. 108a ust. 1a; art. 106e ust. 1 pkt 18a): mandatory for a B2B invoice above
  PLN 15,000 gross that includes goods or services of annex 15. Each line says whether it is one
  (``lines[].pl_annex15``, the seller's classification like its rate): with one, the invoice says
  "mechanizm podzielonej płatności"; a line without the flag on an invoice that may exceed the
  threshold is refused (``annex15_flag_missing``), never guessed. The order is paid by the
  marketplace's payment means, not the split-payment transfer the buyer would owe (UNSURE PL-3).
* No domestic reverse charge since 2019-11-01 (UNSURE PL-5): none applied.
* Buyer: a business buyer is identified by its NIP (art. 106e ust. 1 pkt 5): ``buyer.tax_number``
  (checked with python-stdnum ``pl.nip``) or its VAT id.
* Franchise (art. 113 ust. 1, "zwolnienie podmiotowe"; PLN 240,000 from 2026-01-01): category E
  with the legal basis printed; the excluded goods and activities of art. 113 ust. 13 are the
  seller's responsibility like the product's rate (mandat cannot see them).
* KSeF (art. 106ga, FA(3)): the legal B2B invoice is the structured invoice in KSeF from 2026-02-01
  (taxpayers above PLN 200 M) / 2026-04-01 (all others); B2C invoices are outside KSeF.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

from stdnum.pl import nip

from mandat.countries.base import Mention
from mandat.countries.jurisdiction import Franchise, Jurisdiction, Sale
from mandat.countries.pl.mentions import BUILDINGS
from mandat.countries.pl.rates import HOUSING_LIMITS_M2
from mandat.domain.calculation import TaxedLine, compute
from mandat.domain.events import Works
from mandat.domain.money import q2
from mandat.domain.refusals import Rejected

HOUSING = "housing_works"
SPLIT_PAYMENT_THRESHOLD = Decimal("15000")  # PLN gross, art. 108a ust. 1a
# A foreign-currency order the pack cannot convert (the national rate is the draft's, after the
# decision): no currency the marketplace could sell in is worth PLN 15 (the dearest, the Kuwaiti
# dinar, is about PLN 12), so at most 1,000 units are surely at most PLN 15,000.
UNITS_SURELY_BELOW = Decimal("1000")
FRANCHISE = Franchise("franchise", None, "ustawa o VAT art. 113 ust. 1")
# KSeF issuance dates by the seller's size (taxpayers above PLN 200 M of 2024 sales first; IR §3.6). The
# deferral to 2027-01-01 of taxpayers under PLN 10,000 of invoices a month is not known to mandat: UNSURE.
KSEF_FROM = {"large": date(2026, 2, 1), "mid": date(2026, 4, 1), "sme": date(2026, 4, 1), "micro": date(2026, 4, 1)}


def check_works(pack: Jurisdiction, sale: Sale, key: str) -> None:
    """Art. 41 ust. 12-12c: a dwelling (house or flat) of known usable area; installed equipment
    only when the seller installs it."""
    basis = pack.works_keys[key]
    works = sale.event.works
    missing = []
    if works is None or works.dwelling is None:
        missing.append("works.dwelling")
    if works is None or works.building_type is None:
        missing.append("works.building_type (house / flat)")
    if works is None or works.floor_area_m2 is None:
        missing.append("works.floor_area_m2 (usable floor area, art. 41 ust. 12b)")
    equipment = any(ln.tax_category == key and ln.works_part == "equipment" for ln in sale.event.lines)
    if equipment and (works is None or works.installed_by_seller is None):
        missing.append("works.installed_by_seller (equipment installed on or in the building)")
    if missing:
        raise Rejected(
            "works_rate_condition_missing",
            f"PL {key} ({basis}) needs {', '.join(missing)}: works on a residential building or flat of "
            "social housing (art. 41 ust. 12a)",
        )
    assert works is not None
    assert works.building_type is not None
    assert works.floor_area_m2 is not None
    if not works.dwelling:
        raise Rejected(
            "works_rate_condition_unmet",
            f"PL {key} ({basis}): the building is not residential (social housing, art. 41 ust. 12a)",
        )
    if works.property_address is not None and works.property_address.country != "PL":
        raise Rejected(
            "works_rate_condition_unmet",
            f"PL {key} ({basis}): the property is in {works.property_address.country}, not in Poland",
        )
    if equipment and not works.installed_by_seller:
        raise Rejected(
            "works_rate_condition_unmet",
            f"PL {key} ({basis}): equipment not installed by the seller is a supply of goods at the standard rate",
        )
    limit = HOUSING_LIMITS_M2[works.building_type]
    area = works.floor_area_m2
    if area > limit:
        sale.trace.append(
            f"{key}: {works.building_type} of {area} m² above the {limit} m² of art. 41 ust. 12b: 8 % on the "
            f"{limit}/{area} share of the base only, the rest at the standard rate (art. 41 ust. 12c)"
        )
    else:
        sale.trace.append(f"{key}: {works.building_type} of {area} m², within {limit} m² ({basis})")


def housing_share(works: Works | None) -> tuple[Decimal, Decimal, Decimal] | None:
    """(limit, area, limit / area) when the area exceeds the social-housing limit, else None."""
    if works is None or works.building_type is None or works.floor_area_m2 is None:
        return None
    limit = HOUSING_LIMITS_M2[works.building_type]
    if works.floor_area_m2 <= limit:
        return None
    return limit, works.floor_area_m2, limit / works.floor_area_m2


def adjust_lines(pack: Jurisdiction, sale: Sale, lines: list[TaxedLine]) -> list[TaxedLine]:
    """Art. 41 ust. 12c: a housing-works line above the area limit becomes its 8 % share and its
    standard-rate rest, splitting the base (net) in the ratio limit / area."""
    share = housing_share(sale.event.works)
    if share is None:
        return lines
    limit, area, ratio = share
    standard = pack.rate("standard", sale.tax_point)
    out: list[TaxedLine] = []
    for i, t in enumerate(lines):
        source = sale.event.lines[i] if i < len(sale.event.lines) else None
        if source is None or source.tax_category != HOUSING:
            out.append(t)
            continue
        # The base splits limit/area : rest; with prices including VAT the gross splits so that the
        # nets keep that ratio: gross share = r(1+a) / (r(1+a) + (1-r)(1+b)).
        if sale.event.prices_include_vat:
            low = ratio * (1 + t.rate / 100)
            fraction = low / (low + (1 - ratio) * (1 + standard / 100))
        else:
            fraction = ratio
        gross = q2(t.quantity * t.unit_price)
        price_a = q2(gross * fraction)
        discount_a = q2(t.discount * fraction)
        out.append(
            replace(
                t,
                description=f"{t.description} ({_m2(t.rate)} %: {_m2(limit)} m² z {_m2(area)} m², art. 41 ust. 12c)",
                quantity=Decimal(1),
                unit="C62",
                unit_price=price_a,
                discount=discount_a,
            )
        )
        out.append(
            replace(
                t,
                description=(
                    f"{t.description} ({_m2(standard)} %: {_m2(area - limit)} m² z {_m2(area)} m², art. 41 ust. 12c)"
                ),
                quantity=Decimal(1),
                unit="C62",
                unit_price=gross - price_a,
                discount=t.discount - discount_a,
                category=pack.category(None, standard),
                rate=standard,
            )
        )
        sale.trace.append(
            f"line {t.sku}: {price_a - discount_a} at {t.rate}% and {gross - price_a - (t.discount - discount_a)} at "
            f"{standard}% ({limit}/{area} m² of the base, art. 41 ust. 12c)"
        )
    return out


def check_buyer(sale: Sale) -> None:
    """Art. 106e ust. 1 pkt 5: a business buyer's NIP (or VAT id) is on the invoice."""
    buyer = sale.event.buyer
    number = buyer.tax_number
    if number is not None and buyer.address.country == "PL" and not nip.is_valid(number):
        raise Rejected("buyer_tax_number_invalid", f"buyer NIP {number} fails its check digit (python-stdnum pl.nip)")
    if number is not None and buyer.vat_id and buyer.vat_id.startswith("PL") and buyer.vat_id[2:] != number:
        raise Rejected("buyer_tax_number_invalid", f"buyer NIP {number} and VAT id {buyer.vat_id} differ")
    if sale.business and number is None and buyer.vat_id is None:
        raise Rejected(
            "buyer_tax_number_missing",
            "a business buyer is identified on a Polish invoice by its NIP (ustawa o VAT art. 106e ust. 1 pkt 5): "
            "buyer.tax_number or buyer.vat_id",
        )


def check_split_payment(pack: Jurisdiction, sale: Sale, lines: list[TaxedLine]) -> list[Mention]:
    """Art. 108a ust. 1a and art. 106e ust. 1 pkt 18a: a B2B invoice above PLN 15,000 gross with goods or
    services of annex 15 says "mechanizm podzielonej płatności". Each line's annex-15 status is the
    seller's classification (``pl_annex15``), like its rate; a line without it is refused when the
    invoice may exceed the threshold, never guessed."""
    if not sale.business:
        return []
    event = sale.event
    gross = compute(lines, event.prices_include_vat, {}).totals.tax_inclusive
    if event.currency == "PLN":
        pln: Decimal | None = gross
    elif event.exchange_rate is not None:
        pln = q2(gross * event.exchange_rate.rate)
    else:
        pln = None
    if pln is not None and pln <= SPLIT_PAYMENT_THRESHOLD:
        sale.trace.append(f"gross PLN {pln} within PLN 15,000: split payment not mandatory (art. 108a ust. 1a)")
        return []
    if pln is None and gross <= UNITS_SURELY_BELOW:
        sale.trace.append(
            f"gross {gross} {event.currency}, surely within PLN 15,000: split payment not mandatory (art. 108a ust. 1a)"
        )
        return []
    figure = f"PLN {pln}" if pln is not None else f"{gross} {event.currency} (its PLN value is not known to the rules)"
    unflagged = [ln.sku for ln in event.lines if ln.pl_annex15 is None]
    if unflagged:
        raise Rejected(
            "annex15_flag_missing",
            f"PL art. 108a ust. 1a: a B2B invoice of {figure} gross may exceed PLN 15,000; whether line(s) "
            f"{', '.join(unflagged)} are goods or services of annex 15 (split payment, 'mechanizm podzielonej "
            "płatności', art. 106e ust. 1 pkt 18a) is not in the event (lines[].pl_annex15)",
        )
    annex15 = [ln.sku for ln in event.lines if ln.pl_annex15]
    if not annex15:
        sale.trace.append(f"gross {figure}, no line of annex 15: split payment not mandatory (art. 108a ust. 1a)")
        return []
    # With the PLN value unknown (no rate yet) the mention is printed too: it never harms, its absence may.
    sale.trace.append(
        f"gross {figure} with annex-15 line(s) {', '.join(annex15)}: split payment, mention printed "
        "(art. 108a ust. 1a, art. 106e ust. 1 pkt 18a)"
    )
    return [pack.mention("split_payment", sale.day, sale.mention_language)]


def invoice_mentions(pack: Jurisdiction, sale: Sale, lines: list[TaxedLine]) -> list[Mention]:
    day, lang = sale.day, sale.mention_language
    check_buyer(sale)
    mentions: list[Mention] = []
    if sale.seller.vat_regime == "normal":
        mentions += check_split_payment(pack, sale, lines)
    works = sale.event.works
    housing = sale.seller.vat_regime == "normal" and any(ln.tax_category == HOUSING for ln in sale.event.lines)
    if housing and works is not None and works.building_type is not None and works.floor_area_m2 is not None:
        # check_works has run on these lines: the facts are there and met.
        area = _m2(works.floor_area_m2)
        mentions.append(pack.mention(HOUSING, day, lang, building=BUILDINGS[works.building_type], area=area))
        share = housing_share(works)
        if share is not None:
            standard = pack.rate("standard", sale.tax_point)
            mentions.append(
                pack.mention("housing_works_split", day, lang, area=area, limit=_m2(share[0]), standard=_m2(standard))
            )
        sale.trace.append("housing works: 8 % basis and usable floor area printed (art. 41 ust. 12-12c)")
    return mentions


def _m2(value: Decimal) -> str:
    """A Polish decimal: 120 -> '120', 87.5 -> '87,5'."""
    text = f"{value.normalize():f}"
    return text.replace(".", ",")


def legal_channel(sale: Sale, business_case: str) -> str | None:
    if business_case == "B2C":
        return None
    if sale.day < KSEF_FROM[sale.seller.size_class]:
        return None
    return "KSeF"
