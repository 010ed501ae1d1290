"""Spain: the decisions of a domestic sale that are Spanish law (docs/countries.md §4).

* **10 % renovation and repair of dwellings** (``home_renovation``, LIVA art. 91.Uno.2.10º): the recipient
  is a natural person not acting as a business who uses the dwelling privately (homeowners' associations
  qualify too, but the event cannot say so yet: refused); the construction or last rehabilitation was
  completed at least two years before the works started (``works.completed_on`` or the year of first
  occupation, read as its 31 December, against ``works.started_on``; years counted date to date, Código
  Civil art. 5.1); the materials the contractor supplies are at most 40 % of the taxable base of the works.
  Every ``home_renovation`` line says what it is (``works_part``: ``labour``, or goods the contractor
  supplies: ``materials``, ``equipment``...). Above 40 % the whole operation is 21 %: refused with the
  figures (never split, never switched to 21 % silently).
* **Construction reverse charge** (*inversión del sujeto pasivo*, LIVA art. 84.Uno.2º.f; RIVA art. 24 quater):
  works (service lines or lines with a ``works_part``) for a business buyer who declares it is the developer
  or a contractor of a construction or rehabilitation of buildings (``buyer.facts.es_construction_role``).
  Missing -> ``reverse_charge_condition_missing``; ``none`` -> Spanish VAT; ``developer``/``contractor`` ->
  category AE, "Inversión del sujeto pasivo" (RD 1619/2012 art. 6.1.m). Plain goods on the same invoice
  are not covered by the reverse charge: refused (split the order).
* **Recipient's NIF** (RD 1619/2012 art. 6.1.d): mandatory on a full invoice for a business buyer
  (``buyer.tax_number`` or its VAT id) and, for operations of a seller established in Spain, for every
  recipient (art. 6.1.d 3º). A consumer who gives no NIF can only receive a *factura simplificada*
  (art. 4): up to 400 EUR VAT included (art. 4.1.a), or 3,000 EUR for retail sales of goods to a final
  consumer (art. 4.2.a). mandat always prints the content of a full invoice (art. 6, a superset of the
  simplified content of art. 7); without the consumer's NIF it issues only within those limits and
  refuses above them (``buyer_tax_number_missing``). Other art. 4.2 cases (services at the consumer's
  home) are not relied upon (UNSURE).
* **Recargo de equivalencia** (LIVA art. 148-163, 161): retailers who are natural persons may be under it;
  the seller then charges a surcharge on top of VAT (5.2 / 1.4 / 0.5 %) shown separately. EN 16931 has no
  slot for it (UNSURE ES-3), so it is **not implemented**: a business buyer whose NIF is a natural
  person's, buying goods, must state ``buyer.facts.es_recargo_equivalencia`` (missing ->
  ``buyer_regime_missing``); ``true`` -> ``unsupported_case``; ``false`` -> plain VAT.
* **Foral territories**: sellers established in the Basque Country (postcodes 01, 20, 48: TicketBAI, in
  force) or Navarre (31: own foral rules) are refused (``territory_unhandled``; UNSURE ES-8, read
  conservatively: refused now, not only from the VERI*FACTU date).
* **VERI*FACTU** (RD 1007/2023, Orden HAC/1177/2024; dates of RDL 15/2025): from 2027-01-01 (companies;
  2027-07-01 for others, who may adopt it earlier) the invoicing system keeps a chained record with a QR
  code; mandat issues the record and the PDF says it is a copy (decision of the lead, docs/countries.md §1.1).
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from mandat.countries.base import Mention
from mandat.countries.es.identity import is_natural_person, valid_nif
from mandat.countries.jurisdiction import Jurisdiction, ReverseCharge, Sale
from mandat.domain.calculation import TaxedLine, compute
from mandat.domain.money import ZERO
from mandat.domain.refusals import Rejected

WORKS_KEY = "home_renovation"
MATERIALS_CAP = Decimal(40)  # percent of the taxable base of the works (LIVA 91.Uno.2.10º)
SIMPLIFIED_ANY = Decimal("400.00")  # RD 1619/2012 art. 4.1.a, VAT included
SIMPLIFIED_RETAIL = Decimal("3000.00")  # art. 4.2.a: retail sales of goods to final consumers
VERIFACTU_FROM = date(2027, 1, 1)  # RDL 15/2025: companies (Impuesto sobre Sociedades)
VERIFACTU = "VERI*FACTU"
REVERSE_CHARGE = ReverseCharge("reverse_charge_construction", "LIVA art. 84.Uno.2º.f")
# Postcode prefixes of the foral tax territories (Concierto Económico, Convenio Económico).
FORAL = {
    "01": "the Basque Country (Álava)",
    "20": "the Basque Country (Gipuzkoa)",
    "48": "the Basque Country (Bizkaia)",
}
FORAL["31"] = "Navarre"


def years_after(day: date, years: int) -> date:
    """Código Civil art. 5.1: a term in years runs date to date; from 29 February it ends on 28 February."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def check_works(pack: Jurisdiction, sale: Sale, key: str) -> None:
    basis = pack.works_keys[key]
    event, works = sale.event, sale.event.works
    if sale.business:
        raise Rejected(
            "works_rate_condition_unmet",
            f"ES {key} ({basis}): the recipient must be a natural person not acting as a business; the buyer is "
            "a business (homeowners' associations, which also qualify, cannot be declared on the event yet)",
        )
    missing: list[str] = []
    if works is None or works.dwelling is None:
        missing.append("works.dwelling")
    if works is None or works.private_use is None:
        missing.append("works.private_use")
    if works is None or (works.completed_on is None and works.first_occupied_year is None):
        missing.append("works.completed_on")
    if works is None or works.started_on is None:
        missing.append("works.started_on")
    untagged = [ln.sku for ln in event.lines if ln.tax_category == key and ln.works_part is None]
    if untagged:
        missing.append(f"works_part of line(s) {', '.join(untagged)} (labour or materials: the 40 % cap)")
    if missing:
        raise Rejected(
            "works_rate_condition_missing",
            f"ES {key} ({basis}) needs {', '.join(missing)}: a dwelling in private use, completed at least two "
            "years before the works started, materials at most 40 % of the base",
        )
    assert works is not None
    assert works.started_on is not None
    if not works.dwelling:
        raise Rejected("works_rate_condition_unmet", f"ES {key} ({basis}): works.dwelling is false")
    if works.private_use == "other":
        raise Rejected(
            "works_rate_condition_unmet",
            f"ES {key} ({basis}): works.private_use is 'other': the recipient must use the dwelling privately",
        )
    where = works.property_address
    if where is not None and (where.country != "ES" or where.postcode.strip()[:2] in ("35", "38", "51", "52")):
        raise Rejected(
            "works_rate_condition_unmet",
            f"ES {key} ({basis}): the dwelling ({where.postcode} {where.city}, {where.country}) is outside the "
            "Spanish VAT territory of the peninsula and the Balearics",
        )
    completed = completion(works.completed_on, works.first_occupied_year)
    if years_after(completed, 2) > works.started_on:
        raise Rejected(
            "works_rate_condition_unmet",
            f"ES {key} ({basis}): the dwelling was completed on {completed.isoformat()}, less than two years "
            f"before the works started ({works.started_on.isoformat()})",
        )
    note = (
        f"{key}: dwelling in private use ({works.private_use}), completed {completed.isoformat()}, works started "
        f"{works.started_on.isoformat()} (>= 2 years), consumer recipient ({basis})"
    )
    if note not in sale.trace:
        sale.trace.append(note)


def completion(completed_on: date | None, first_occupied_year: int | None) -> date:
    # Occupied in a year means completed by its last day at the latest: the conservative reading.
    return completed_on or date(first_occupied_year or 9999, 12, 31)


def works_amounts(sale: Sale, lines: list[TaxedLine]) -> tuple[Decimal, Decimal]:
    """(materials, base) of the ``home_renovation`` lines, in the event's price convention; the lines
    all bear 10 %, so the share is the same of the net and of the gross."""
    materials = base = ZERO
    for ev, ln in zip(sale.event.lines, lines, strict=False):
        if ev.tax_category != WORKS_KEY:
            continue
        base += ln.amount
        if ev.works_part != "labour":
            materials += ln.amount
    return materials, base


def share(materials: Decimal, base: Decimal) -> Decimal:
    return (materials * 100 / base).quantize(Decimal("0.1"), ROUND_HALF_UP) if base else ZERO


def check_materials(pack: Jurisdiction, sale: Sale, lines: list[TaxedLine]) -> list[TaxedLine]:
    """LIVA 91.Uno.2.10º: materials supplied by the contractor at most 40 % of the taxable base."""
    if not any(ln.tax_category == WORKS_KEY for ln in sale.event.lines):
        return lines
    materials, base = works_amounts(sale, lines)
    convention = "including" if sale.event.prices_include_vat else "excluding"
    figures = (
        f"materials {materials} of a works base of {base} {sale.event.currency} ({convention} VAT): "
        f"{share(materials, base)} %"
    )
    if materials * 100 > MATERIALS_CAP * base:
        raise Rejected(
            "works_rate_condition_unmet",
            f"ES {WORKS_KEY} ({pack.works_keys[WORKS_KEY]}): {figures} > 40 % of the base; the whole operation "
            "is then taxed at 21 %",
        )
    sale.trace.append(f"{WORKS_KEY}: {figures} <= 40 % ({pack.works_keys[WORKS_KEY]})")
    return lines


def reverse_charge(sale: Sale, lines: list[TaxedLine]) -> ReverseCharge | None:
    del lines
    event = sale.event
    works = [ln.sku for ln in event.lines if ln.nature == "service" or ln.works_part is not None]
    if not works:
        return None
    facts = event.buyer.facts
    role = facts.es_construction_role if facts else None
    if role is None:
        raise Rejected(
            "reverse_charge_condition_missing",
            f"ES {REVERSE_CHARGE.basis}: works ({', '.join(works)}) for a business buyer need "
            "buyer.facts.es_construction_role (developer, contractor or none): the recipient's declaration "
            "decides whether it accounts for the VAT (inversión del sujeto pasivo)",
        )
    if role == "none":
        sale.trace.append(
            f"business buyer declares no developer/contractor role: works taxed by the seller ({REVERSE_CHARGE.basis})"
        )
        return None
    goods = [ln.sku for ln in event.lines if ln.nature == "goods" and ln.works_part is None]
    if goods:
        raise Rejected(
            "unsupported_case",
            f"ES {REVERSE_CHARGE.basis}: the reverse charge covers the works, not the goods sold on their own "
            f"({', '.join(goods)}): issue them in a separate order",
        )
    sale.trace.append(
        f"buyer declares it is the {role} of a construction or rehabilitation (RIVA art. 24 quater): "
        f"inversión del sujeto pasivo ({REVERSE_CHARGE.basis}; RD 1619/2012 art. 6.1.m)"
    )
    return REVERSE_CHARGE


def check_seller_territory(sale: Sale) -> None:
    seller = sale.seller
    where = FORAL.get(seller.address.postcode.strip()[:2])
    if where is not None:
        raise Rejected(
            "territory_unhandled",
            f"seller {seller.id} is established in {where} (postcode {seller.address.postcode}): foral VAT "
            "administration and its invoicing system (TicketBAI in the Basque Country) are not handled",
        )


def buyer_nif(sale: Sale) -> str | None:
    """The recipient's NIF: its national number, else the NIF inside a Spanish VAT id; after checks."""
    buyer = sale.event.buyer
    vat = buyer.vat_id
    if buyer.tax_number is not None and buyer.address.country != "ES" and not (vat or "").startswith("ES"):
        return None  # a number of another state (RD 1619/2012 art. 6.1.d: "o ... de otro Estado"): foreign_id
    if buyer.tax_number is not None:
        nif = buyer.tax_number.upper()
        if not valid_nif(nif):
            raise Rejected("buyer_tax_number_invalid", f"buyer NIF {buyer.tax_number} fails its check character")
        if vat is not None and vat.startswith("ES") and vat[2:] != nif:
            raise Rejected("buyer_tax_number_invalid", f"buyer NIF {nif} is not the NIF of its VAT id {vat}")
        return nif
    return vat[2:] if vat is not None and vat.startswith("ES") else None


def check_buyer(sale: Sale, lines: list[TaxedLine]) -> None:
    event, trace = sale.event, sale.trace
    nif = buyer_nif(sale)
    if sale.business:
        if nif is None and event.buyer.vat_id is None and event.buyer.tax_number is None:
            raise Rejected(
                "buyer_tax_number_missing",
                "ES: the NIF of a business recipient is mandatory on the invoice (RD 1619/2012 art. 6.1.d): "
                "send buyer.tax_number or its VAT id",
            )
        trace.append(
            f"recipient identified by {nif or event.buyer.vat_id or event.buyer.tax_number} (RD 1619/2012 art. 6.1.d)"
        )
        if nif is not None and is_natural_person(nif) and any(ln.nature == "goods" for ln in event.lines):
            check_recargo(sale, nif)
        return
    if nif is not None:
        trace.append(f"consumer NIF {nif} printed: full invoice (RD 1619/2012 art. 6.1.d 3º)")
        return
    if event.buyer.tax_number is not None:
        # A buyer abroad identified by its own state's number: a full invoice may carry it (art. 6.1.d).
        trace.append(
            f"consumer tax number {event.buyer.tax_number} of {event.buyer.address.country} printed: full invoice "
            "(RD 1619/2012 art. 6.1.d, a number attributed by another state)"
        )
        return
    if sale.taxed_in not in (None, "ES"):
        # The recipient's NIF is due for operations located in Spain (RD 1619/2012 art. 6.1.d 3º): a supply
        # taxed in another member state through the OSS is not one, so a full invoice goes without it.
        trace.append(
            f"consumer without NIF: the supply is located in {sale.taxed_in}, not in Spain, so the NIF is not "
            "required (RD 1619/2012 art. 6.1.d 3º)"
        )
        return
    total = compute(lines, event.prices_include_vat, {}).totals.tax_inclusive
    retail = all(ln.nature == "goods" for ln in event.lines)
    limit = SIMPLIFIED_RETAIL if retail else SIMPLIFIED_ANY
    if event.currency != "EUR" or total > limit:
        raise Rejected(
            "buyer_tax_number_missing",
            f"ES: a consumer invoice of {total} {event.currency} without the buyer's NIF: a full invoice needs it "
            "(RD 1619/2012 art. 6.1.d 3º), and a simplified invoice is allowed only up to 400 EUR (art. 4.1.a), "
            "or 3,000 EUR for retail sales of goods (art. 4.2.a); send buyer.tax_number",
        )
    trace.append(
        f"consumer without NIF, {total} EUR <= {limit} EUR: a factura simplificada in law (RD 1619/2012 "
        f"art. 4.{'2' if retail and total > SIMPLIFIED_ANY else '1'}.a), issued with the content of a full invoice"
    )


def check_recargo(sale: Sale, nif: str) -> None:
    facts = sale.event.buyer.facts
    status = facts.es_recargo_equivalencia if facts else None
    if status is None:
        raise Rejected(
            "buyer_regime_missing",
            f"ES: business buyer {nif} is a natural person buying goods: its recargo de equivalencia status "
            "(buyer.facts.es_recargo_equivalencia) decides whether a surcharge is due (LIVA art. 148-163)",
        )
    if status:
        raise Rejected(
            "unsupported_case",
            f"ES: buyer {nif} is under the recargo de equivalencia (LIVA art. 154, 161): the surcharge is not "
            "implemented (no EN 16931 slot for it)",
        )
    sale.trace.append(f"buyer {nif} declares it is not under the recargo de equivalencia: VAT only (LIVA art. 154)")


def invoice_mentions(pack: Jurisdiction, sale: Sale, lines: list[TaxedLine]) -> list[Mention]:
    check_seller_territory(sale)
    check_buyer(sale, lines)
    mentions: list[Mention] = []
    works = sale.event.works
    if works is not None and any(ln.tax_category == WORKS_KEY for ln in sale.event.lines):
        assert works.started_on is not None  # check_works refused otherwise
        materials, base = works_amounts(sale, lines)
        mentions.append(
            pack.mention(
                WORKS_KEY,
                sale.day,
                sale.mention_language,
                completed=pack.mention_date(completion(works.completed_on, works.first_occupied_year)),
                started=pack.mention_date(works.started_on),
                share=str(share(materials, base)).replace(".", ","),
            )
        )
    return mentions


def legal_channel(sale: Sale) -> str | None:
    """VERI*FACTU from the legal date, or from the seller's earlier voluntary start
    (``Seller.verifactu_since``): a system may send its records to the AEAT before it must (RD 1007/2023
    art. 16), and once it does every later record of that taxpayer is a VERI*FACTU one."""
    since = sale.seller.verifactu_since
    start = min(since, VERIFACTU_FROM) if since is not None else VERIFACTU_FROM
    if sale.day < start:
        return None
    reason = f"from {VERIFACTU_FROM.isoformat()}" if start == VERIFACTU_FROM else f"by choice from {start.isoformat()}"
    sale.trace.append(
        f"{reason} the invoicing system keeps a VERI*FACTU record (RD 1007/2023; "
        "RDL 15/2025): mandat issues it as a third party (EmitidaPorTerceroODestinatario=T)"
    )
    return VERIFACTU
