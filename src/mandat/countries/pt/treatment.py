"""Portugal: the decisions of a domestic sale that are Portuguese law.

* ``home_renovation`` (CIVA List I item 2.27; Ofício-Circulado 30135/2012): an *empreitada* of
  improvement, remodelling, renovation, restoration, repair or conservation of property used as
  housing at the start of the works. The event must carry ``works.dwelling`` and, on every works
  line, ``works_part`` (``labour`` / ``materials``); the *empreitada* is read as at least one labour
  line that is a service (PT-3, UNSURE). Incorporated materials are at 6 % only when they are at most
  20 % of the overall value of the service; above, labour stays at 6 % and materials go to 23 %.
  mandat does not switch a materials line sent at 6 % to 23 %: the buyer has paid the order at the
  rates the event states, so a silent switch would change the price (or the VAT inside a gross
  price) behind the marketplace's back. It refuses with the figures (``works_rate_condition_unmet``)
  and the marketplace sends the materials as ``standard``. Within the cap, materials sent at 23 % are
  refused the same way (the law puts the whole service at 6 %).
* ``energy_equipment`` (List I item 2.37, 2024-01-01 → 2025-06-30): the seller's classification of
  the apparatus; no other fact.
* Domestic reverse charge (CIVA art. 2 n.º 1 j); Ofício-Circulado 30101/2007): construction services
  (*empreitadas*, incl. renovation and repair) to a taxable person established in Portugal with a
  (total or partial) right to deduct; the invoice says "IVA - autoliquidação" (art. 36 n.º 13). A
  works sale to a business buyer needs ``buyer.facts.pt_deduction_right``.
* Invoice contents (CIVA art. 36 n.º 5): the acquirer's NIF when it is a taxable person; a
  consumer's NIF only when asked for (``buyer.tax_number``); the List I item of a reduced rate.
* Franchise: CIVA art. 53 (regime especial de isenção), category E, no VATEX code of its own.
* The legal invoice is the one of AT-certified software (ATCUD, QR code, SAF-T; DL 28/2019,
  Portaria 363/2010): mandat's PDF is a copy (decision of the lead, docs/countries.md §1.1).

>>> MATERIALS_CAP, REVERSE_CHARGE.mention, FRANCHISE.vatex
(Decimal('20'), 'reverse_charge', None)
"""

from __future__ import annotations

from decimal import Decimal

from stdnum.pt import nif as pt_nif

from mandat.countries.base import Mention
from mandat.countries.jurisdiction import Franchise, Jurisdiction, ReverseCharge, Sale
from mandat.domain.calculation import TaxedLine
from mandat.domain.events import Line
from mandat.domain.money import HUNDRED, ZERO, q2
from mandat.domain.refusals import Rejected

FRANCHISE = Franchise("franchise", None, "CIVA art. 53")
REVERSE_CHARGE = ReverseCharge("reverse_charge", "CIVA art. 2 n.º 1 j), art. 36 n.º 13")
CHANNEL = "AT-certified software (ATCUD, SAF-T)"
MATERIALS_CAP = Decimal(20)  # % of the overall value of the service (List I item 2.27)
WORKS_PARTS = ("labour", "materials")


def check_works(pack: Jurisdiction, sale: Sale, key: str) -> None:
    basis = pack.works_keys[key]
    if key == "energy_equipment":
        _trace_once(
            sale,
            f"energy_equipment: 6 % on the seller's classification of the apparatus as solar, wind, geothermal or "
            f"other alternative-energy equipment ({basis}, in force 2024-01-01 to 2025-06-30)",
        )
        return
    event = sale.event
    works = event.works
    missing: list[str] = []
    if works is None or works.dwelling is None:
        missing.append("works.dwelling (property used as housing at the start of the works)")
    for i, ln in enumerate(event.lines, 1):
        if ln.tax_category == key and ln.works_part is None:
            missing.append(f"works_part (labour or materials) of line {i} ({ln.sku})")
    if not any(ln.works_part == "labour" and ln.nature == "service" for ln in event.lines):
        missing.append("a labour line that is a service (the rate is for an empreitada, not a sale of materials)")
    if missing:
        raise Rejected(
            "works_rate_condition_missing",
            f"PT {key} ({basis}) needs {'; '.join(missing)}",
        )
    assert works is not None
    if not works.dwelling:
        raise Rejected(
            "works_rate_condition_unmet",
            f"PT {key} ({basis}): the property is not used as housing (works.dwelling false)",
        )
    for i, ln in enumerate(event.lines, 1):
        if ln.tax_category == key and ln.works_part not in WORKS_PARTS:
            raise Rejected(
                "works_rate_condition_unmet",
                f"PT {key} ({basis}): line {i} ({ln.sku}) is {ln.works_part}; the item knows labour and "
                "incorporated materials only",
            )
    where = works.property_address
    if where is not None and (where.country != "PT" or (where.postcode or "").startswith("9")):
        raise Rejected(
            "works_rate_condition_unmet",
            f"PT {key} ({basis}): the property is not in mainland Portugal "
            f"({where.country} {where.postcode or ''}): Madeira, the Azores and abroad are not handled",
        )
    materials, overall = works_values(pack, sale)
    share = q2(materials * HUNDRED / overall) if overall else ZERO
    reduced_materials = [
        f"{i} ({ln.sku})"
        for i, ln in enumerate(event.lines, 1)
        if ln.tax_category == key and ln.works_part == "materials"
    ]
    if share > MATERIALS_CAP and reduced_materials:
        raise Rejected(
            "works_rate_condition_unmet",
            f"PT {key} ({basis}): incorporated materials are {share} % of the overall value of the service "
            f"({materials} of {overall} excluding VAT) > {MATERIALS_CAP} %: they are taxed at the standard rate, "
            f"only the labour at the reduced rate; send materials line(s) {', '.join(reduced_materials)} as standard",
        )
    other_materials = [
        f"{i} ({ln.sku})"
        for i, ln in enumerate(event.lines, 1)
        if ln.works_part == "materials" and ln.tax_category != key
    ]
    if share <= MATERIALS_CAP and other_materials:
        # Within the cap the materials are part of the reduced-rate service: 23 % on them is wrong VAT too.
        raise Rejected(
            "works_rate_condition_unmet",
            f"PT {key} ({basis}): incorporated materials are {share} % of the overall value of the service "
            f"({materials} of {overall} excluding VAT) ≤ {MATERIALS_CAP} %: the whole service is at the reduced "
            f"rate; send materials line(s) {', '.join(other_materials)} as {key}",
        )
    _trace_once(
        sale,
        f"{key}: property used as housing, empreitada with labour; incorporated materials {share} % of the overall "
        f"value ({materials} of {overall}) {'≤' if share <= MATERIALS_CAP else '>'} {MATERIALS_CAP} %"
        f"{'' if share <= MATERIALS_CAP else ': materials at the standard rate'} ({basis})",
    )


def works_values(pack: Jurisdiction, sale: Sale) -> tuple[Decimal, Decimal]:
    """(materials, overall) excluding VAT over the works lines (``works_part`` labour or materials).

    With VAT-inclusive prices each line's amount is brought back to its net at the line's own rate
    (materials at 23 % weigh less net than their gross): the test is on the value of the service.
    """
    table = pack.rate_table(sale.tax_point)
    materials = overall = ZERO
    for ln in sale.event.lines:
        if ln.works_part not in WORKS_PARTS:
            continue
        value = _net(ln, table.get(ln.tax_category or "", ln.vat_rate), sale.event.prices_include_vat)
        overall += value
        if ln.works_part == "materials":
            materials += value
    return materials, overall


def _net(line: Line, rate: Decimal | None, include_vat: bool) -> Decimal:
    amount = q2(line.quantity * line.unit_price) - line.discount
    if not include_vat or not rate:
        return amount
    return q2(amount * HUNDRED / (HUNDRED + rate))


def _trace_once(sale: Sale, text: str) -> None:
    # check_works runs once per works line; one sentence is enough.
    if text not in sale.trace:
        sale.trace.append(text)


def construction(sale: Sale) -> bool:
    """Works services (an *empreitada*): a sale of goods alone, even for works, is not reverse charged."""
    event = sale.event
    works = event.works is not None or any(ln.works_part for ln in event.lines)
    return works and any(ln.nature == "service" for ln in event.lines)


def reverse_charge(sale: Sale) -> ReverseCharge | None:
    """CIVA art. 2 n.º 1 j): the buyer accounts for the VAT of construction services."""
    if not construction(sale):
        return None
    event = sale.event
    buyer = event.buyer
    basis = REVERSE_CHARGE.basis
    outside = [f"{i} ({ln.sku})" for i, ln in enumerate(event.lines, 1) if ln.works_part is None]
    if event.works is None or (outside and len(outside) < len(event.lines)):
        raise Rejected(
            "unsupported_case",
            f"PT construction services to a business buyer ({basis}) mixed with other supplies (lines "
            f"{', '.join(outside) or 'all: no works facts'}): one invoice per empreitada, with its works facts",
        )
    if sale.buyer_vat_country not in (None, "PT"):
        raise Rejected(
            "unsupported_case",
            f"PT construction services to a business buyer with a {sale.buyer_vat_country} VAT number: the "
            f"reverse charge of {basis} is for acquirers established in Portugal (not handled)",
        )
    right = buyer.facts.pt_deduction_right if buyer.facts else None
    if right is None:
        raise Rejected(
            "reverse_charge_condition_missing",
            f"PT {basis}: buyer.facts.pt_deduction_right missing (construction services to a taxable person "
            "established in Portugal with a right to deduct are reverse charged)",
        )
    if not right:
        sale.trace.append(f"construction services, buyer declares no right to deduct: VAT charged ({basis})")
        return None
    if not buyer.vat_id:
        raise Rejected(
            "reverse_charge_condition_missing",
            f"PT {basis}: the buyer's VAT number (PT + NIF) is needed for the reverse charge",
        )
    sale.trace.append(f"construction services to {buyer.vat_id}, taxable person with a right to deduct ({basis})")
    return REVERSE_CHARGE


def buyer_nif(sale: Sale) -> str | None:
    """The acquirer's NIF as CIVA art. 36 n.º 5 a) asks it: required of a taxable person, printed for a
    consumer who asked for it; a Portuguese number must pass its check digit."""
    buyer = sale.event.buyer
    vat_nif = buyer.vat_id[2:] if buyer.vat_id and buyer.vat_id.startswith("PT") else None
    nif = buyer.tax_number or vat_nif
    if buyer.tax_number and buyer.address.country == "PT" and not pt_nif.is_valid(buyer.tax_number):
        raise Rejected("buyer_vat_invalid", f"buyer NIF {buyer.tax_number} fails its check digit (pt.nif)")
    if buyer.tax_number and vat_nif and buyer.tax_number != vat_nif:
        raise Rejected("buyer_vat_invalid", f"buyer NIF {buyer.tax_number} is not the one of {buyer.vat_id}")
    if sale.business and nif is None and not buyer.vat_id:
        # A business buyer identified for VAT elsewhere is named by its VAT number (BT-48).
        raise Rejected(
            "buyer_tax_number_missing",
            "a business buyer's NIF (buyer.tax_number or a VAT number) is required on a Portuguese invoice "
            "(CIVA art. 36 n.º 5 a))",
        )
    if nif:
        sale.trace.append(
            f"buyer NIF {nif} printed (CIVA art. 36 n.º 5 a){'' if sale.business else ', consumer on request'})"
        )
    return nif


def invoice_mentions(pack: Jurisdiction, sale: Sale, lines: list[TaxedLine]) -> list[Mention]:
    buyer_nif(sale)
    day, lang = sale.day, sale.mention_language
    mentions: list[Mention] = []
    taxed = {ln.category for ln in lines} & {"S"}
    keys = {ln.tax_category for ln in sale.event.lines}
    if taxed and "home_renovation" in keys:
        materials_standard = any(
            ln.works_part == "materials" and ln.tax_category != "home_renovation" for ln in sale.event.lines
        )
        mentions.append(pack.mention("works_labour" if materials_standard else "works_all", day, lang))
    if taxed and "energy_equipment" in keys:
        mentions.append(pack.mention("energy_equipment", day, lang))
    return mentions


def legal_channel(sale: Sale) -> str:
    sale.trace.append(
        "PT: invoices are issued by AT-certified software with ATCUD, QR code and SAF-T (CIVA art. 36; "
        "DL 28/2019; Portaria 363/2010): mandat's document is a copy"
    )
    return CHANNEL
