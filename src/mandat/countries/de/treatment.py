"""Germany: the decisions of a domestic sale that are German law.

* 0 % photovoltaic rate (``pv_installation``, UStG §12(3) Nr. 1 and 4; BMF 27.02.2023, UStAE 12.18):
  solar modules, essential components and storage supplied **to the operator** of the installation,
  and their installation, on or near a dwelling (or a public / public-benefit building). The
  building condition is deemed met when the installed gross power is at most 30 kW (peak)
  (§12(3) Nr. 1 Satz 2); the deeming does not cover who the operator is. Facts: ``works.operator_is_buyer``,
  ``works.pv_kwp`` ≤ 30 **or** ``works.dwelling``, the buyer's declaration ``works.client_statement``
  (conservative: required, UNSURE DE-1), and for an installation billed by the seller (a service
  line at the key) ``works.installed_by_seller``. Whether a part is an "essential component" is the
  seller's classification (DE-2).
* §13b(2) Nr. 4 UStG: construction services (works on buildings, installation included) to a
  recipient who itself sustainably provides construction services (§13b(5) Satz 2, certificate
  USt 1 TG) make the recipient liable: category AE and "Steuerschuldnerschaft des
  Leistungsempfängers" (§14a(5)). A business order with a service line needs
  ``buyer.facts.de_bauleister`` (DE-5): mandat cannot tell an installation from another service.
  Not for a Kleinunternehmer supplier (§13b(5) last sentence): the franchise path never asks.
* §14(4) Satz 1 Nr. 9: a private recipient of a taxable service connected with land must be told to
  keep the invoice for two years (§14b(1) Satz 5): printed on every consumer invoice with a service
  line (conservative: mandat cannot tell land-related services from others).
* Kleinunternehmer (§19 UStG): category E with the note of §34a UStDV; EN 16931 has no German VATEX
  code for it, so the reason is the text (BR-E-10 accepts BT-120 alone).
"""

from __future__ import annotations

from decimal import Decimal

from mandat.countries.base import Mention
from mandat.countries.jurisdiction import Franchise, Jurisdiction, ReverseCharge, Sale
from mandat.domain.calculation import TaxedLine
from mandat.domain.refusals import Rejected

FRANCHISE = Franchise("franchise", None, "UStG §19(1)")
PV_KEY = "pv_installation"
PV_DEEMED_KWP = Decimal(30)
CONSTRUCTION = ReverseCharge("reverse_charge_construction", "UStG §13b(2) Nr. 4, §13b(5) Satz 2")


def check_works(pack: Jurisdiction, sale: Sale, key: str) -> None:
    """UStG §12(3): the buyer operates the installation, on or near a dwelling (deemed at ≤ 30 kWp)."""
    basis = pack.works_keys[key]
    works = sale.event.works
    installs = any(ln.nature == "service" and ln.tax_category == key for ln in sale.event.lines)
    missing = []
    if works is None or works.operator_is_buyer is None:
        missing.append("works.operator_is_buyer")
    if works is None or (works.pv_kwp is None and works.dwelling is None):
        missing.append("works.pv_kwp or works.dwelling")
    elif works.pv_kwp is not None and works.pv_kwp > PV_DEEMED_KWP and works.dwelling is None:
        missing.append(f"works.dwelling ({works.pv_kwp} kWp is above the 30 kWp deeming)")
    elif works.pv_kwp is None and works.dwelling is False:
        missing.append("works.pv_kwp (not on a dwelling: only the 30 kWp deeming can apply)")
    if works is None or works.client_statement is None:
        missing.append("works.client_statement (the buyer's declaration)")
    if installs and (works is None or works.installed_by_seller is None):
        missing.append("works.installed_by_seller (installation billed at 0 %, §12(3) Nr. 4)")
    if missing:
        raise Rejected(
            "works_rate_condition_missing",
            f"DE {key} ({basis}) needs {', '.join(missing)}: solar modules, essential components or storage "
            "supplied to the operator of the installation, on or near a dwelling or at most 30 kW (peak)",
        )
    assert works is not None
    assert works.client_statement is not None
    if not works.operator_is_buyer:
        raise Rejected(
            "works_rate_condition_unmet",
            f"DE {key} ({basis}): the buyer is not the operator of the installation; a supply to someone "
            "else (a retailer, an installer buying stock) is taxed at the standard rate",
        )
    deemed = works.pv_kwp is not None and works.pv_kwp <= PV_DEEMED_KWP
    if not deemed and not works.dwelling:
        raise Rejected(
            "works_rate_condition_unmet",
            f"DE {key} ({basis}): {works.pv_kwp} kW (peak) is above the 30 kW (peak) deeming and the "
            "installation is not on or near a dwelling (public or public-benefit buildings are not modelled)",
        )
    if installs and not works.installed_by_seller:
        raise Rejected(
            "works_rate_condition_unmet",
            f"DE {key} ({basis}): the order bills an installation at 0 % that the seller does not carry out",
        )
    if works.property_address is not None and works.property_address.country != pack.code:
        raise Rejected(
            "works_rate_condition_unmet",
            f"DE {key} ({basis}): the installation is in {works.property_address.country}, not in Germany",
        )
    why = f"{works.pv_kwp} kWp ≤ 30 kWp (deemed, §12(3) Nr. 1 Satz 2)" if deemed else "on or near a dwelling"
    note = (
        f"{key}: buyer operates the installation, {why}, buyer's declaration of "
        f"{works.client_statement.accepted_at.date().isoformat()} ({basis})"
    )
    if note not in sale.trace:
        sale.trace.append(note)


def reverse_charge(sale: Sale, lines: list[TaxedLine]) -> ReverseCharge | None:
    """§13b(2) Nr. 4 UStG: a construction service to a Bauleister; the whole order is the works."""
    del lines
    event = sale.event
    if not any(ln.nature == "service" for ln in event.lines):
        sale.trace.append("business buyer, goods only: no construction service (§13b(2) Nr. 4 UStG does not apply)")
        return None
    facts = event.buyer.facts
    if facts is None or facts.de_bauleister is None:
        raise Rejected(
            "reverse_charge_condition_missing",
            "DE §13b(2) Nr. 4 UStG: a service to a business buyer may be a construction service whose tax the "
            "buyer owes if it sustainably provides construction services itself (§13b(5) Satz 2): "
            "buyer.facts.de_bauleister missing",
        )
    if not facts.de_bauleister:
        sale.trace.append("buyer declared not to provide construction services: the seller owes the VAT (§13b(5))")
        return None
    if event.works is None:
        raise Rejected(
            "unsupported_case",
            "DE §13b(2) Nr. 4 UStG: services to a Bauleister without works facts: mandat cannot tell a "
            "construction service from another service; send the works facts of the building works",
        )
    if any(ln.tax_category == PV_KEY for ln in event.lines):
        raise Rejected(
            "unsupported_case",
            f"DE: {PV_KEY} (0 %, §12(3) UStG) to a Bauleister under §13b(2) Nr. 4 UStG is not supported",
        )
    if not event.buyer.vat_id:
        raise Rejected(
            "reverse_charge_condition_missing",
            "DE §13b(2) Nr. 4 UStG: the buyer's USt-IdNr is needed on a reverse-charge invoice (EN 16931 BR-AE-02)",
        )
    sale.trace.append("buyer sustainably provides construction services (USt 1 TG): §13b(5) Satz 2 UStG")
    return CONSTRUCTION


def german_decimal(value: Decimal) -> str:
    """A figure inside a German mention.

    >>> german_decimal(Decimal("8.60")), german_decimal(Decimal("30"))
    ('8,6', '30')
    """
    return format(value.normalize(), "f").replace(".", ",")


def invoice_mentions(pack: Jurisdiction, sale: Sale, lines: list[TaxedLine]) -> list[Mention]:
    event, day, lang, trace = sale.event, sale.day, sale.mention_language, sale.trace
    del lines  # the order's own lines: shipping is not a service connected with land
    mentions: list[Mention] = []
    works = event.works
    # A Kleinunternehmer charges no VAT at all (category E): no rate to state.
    pv = sale.seller.vat_regime != "franchise" and any(ln.tax_category == PV_KEY for ln in event.lines)
    if pv and works is not None and works.client_statement is not None:  # check_works made sure of both
        if works.pv_kwp is not None and works.pv_kwp <= PV_DEEMED_KWP:
            site = pack.mention("pv_site_kwp", day, lang, kwp=german_decimal(works.pv_kwp)).text
        else:
            site = pack.mention("pv_site_dwelling", day, lang).text
        accepted = pack.mention_date(works.client_statement.accepted_at.date())
        mentions.append(pack.mention("pv_zero_rate", day, lang, site=site, date=accepted))
        trace.append(f"{PV_KEY}: 0 % rate stated with the buyer's declaration (UStG §12(3))")
    if not sale.business and any(ln.nature == "service" for ln in event.lines):
        mentions.append(pack.mention("retention_2y", day, lang))
        trace.append("private buyer of a service: two-year retention note (UStG §14(4) Satz 1 Nr. 9, §14b(1) Satz 5)")
    if sale.business:
        trace.append(
            "German B2B: the Factur-X EN 16931 invoice is a structured e-invoice under UStG §14(1) "
            "(no clearance, no other channel)"
        )
    return mentions
