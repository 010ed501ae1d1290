"""France: the decisions of a domestic sale that are French law.

* Reduced rates for works in dwellings (CGI 279-0 bis: 10 %; 278-0 bis A: 5.5 %): premises used as
  a dwelling, completed more than two years before the works, and since 2025-02-16 the client's
  certification that the conditions are met, carried by the quote or the invoice (LF 2025;
  BOI-LETTRE-000280). The event must carry those facts (``works``); the certification is printed.
* Building works need the seller's ten-year insurance on the invoice (loi 96-603 art. 22-2).
* B2B: late-payment penalty, 40 € indemnity, no early-payment discount (Code de commerce L441-9,
  L441-10, D441-5); the buyer's SIREN from the seller's e-invoicing date (décret 2022-1299).
* Franchise en base: CGI 293 B, category E, VATEX-FR-FRANCHISE.
"""

from __future__ import annotations

from datetime import date

from mandat.countries.base import Mention
from mandat.countries.jurisdiction import Franchise, Jurisdiction, Sale
from mandat.domain.calculation import TaxedLine
from mandat.domain.refusals import Rejected

CERTIFICATIONS = {"home_renovation": "certification_10", "energy_renovation": "certification_5_5"}
# Dates from which the seller must print the 2026 mentions (buyer SIREN, ...) by size (décret 2022-1299).
E_INVOICING_ISSUANCE = {
    "large": date(2026, 9, 1),
    "mid": date(2026, 9, 1),
    "sme": date(2027, 9, 1),
    "micro": date(2027, 9, 1),
}
FRANCHISE = Franchise("franchise", "VATEX-FR-FRANCHISE", "CGI 293 B")
# The channel recorded on a document that is a French e-invoice (CGI 289 bis, as amended by LF 2024 art. 91;
# décret 2022-1299): a structured invoice transmitted through the seller's accredited platform (plateforme
# agréée). ``render/cii.py`` writes the French CTC data (EXTENDED-CTC-FR) for exactly these records.
CTC_CHANNEL = "plateforme agréée (PA)"


def years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def check_works(pack: Jurisdiction, sale: Sale, key: str) -> None:
    """CGI 279-0 bis / 278-0 bis A: a dwelling completed more than two years before, certified by the client."""
    basis = pack.works_keys[key]
    works = sale.event.works
    missing = []
    if works is None or works.dwelling is None:
        missing.append("works.dwelling")
    if works is None or (works.completed_on is None and works.first_occupied_year is None):
        missing.append("works.completed_on")
    if works is None or works.client_statement is None:
        missing.append("works.client_statement (LF 2025 certification)")
    if missing:
        raise Rejected(
            "works_rate_condition_missing",
            f"FR {key} ({basis}) needs {', '.join(missing)}: premises used as a dwelling, completed more than "
            "two years ago, certified by the client",
        )
    assert works is not None
    if not works.dwelling:
        raise Rejected("works_rate_condition_unmet", f"FR {key} ({basis}): the premises are not a dwelling")
    two_years = years_before(sale.tax_point, 2)
    completed = works.completed_on or date(works.first_occupied_year or 9999, 12, 31)
    if completed >= two_years:  # "achevés depuis plus de deux ans": two years to the day is not more
        raise Rejected(
            "works_rate_condition_unmet",
            f"FR {key} ({basis}): the dwelling was completed on {completed.isoformat()}, not more than two years "
            f"before the works ({sale.tax_point.isoformat()})",
        )
    sale.trace.append(
        f"{key}: dwelling completed {completed.isoformat()} (> 2 years), client certification of "
        f"{works.client_statement.accepted_at.date().isoformat() if works.client_statement else '?'} ({basis})"
    )


def invoice_mentions(pack: Jurisdiction, sale: Sale, lines: list[TaxedLine]) -> list[Mention]:
    event, seller, day, lang, trace = sale.event, sale.seller, sale.day, sale.mention_language, sale.trace
    mentions: list[Mention] = []
    home = sorted({ln.tax_category for ln in event.lines if ln.tax_category in CERTIFICATIONS and ln.tax_category})
    for key in home:
        mentions.append(pack.mention(CERTIFICATIONS[key], day, lang))
        trace.append(f"{key}: client certification statement printed (LF 2025, BOI-LETTRE-000280)")
    if home and seller.insurance is None:
        raise Rejected(
            "seller_insurance_missing",
            f"seller {seller.id} sells building works but has no mandatory insurance on record "
            "(loi 96-603 art. 22-2 requires insurer and cover on the invoice)",
        )
    if seller.insurance is not None and any(ln.nature == "service" for ln in event.lines):
        ins = seller.insurance
        mentions.append(
            pack.mention("insurance", day, lang, insurer=ins.insurer, policy=ins.policy, coverage=ins.coverage)
        )
    natures = sale.natures
    operation = operation_category(natures)
    mentions.append(
        pack.mention({"B1": "category_goods", "S1": "category_services", "M1": "category_mixed"}[operation], day, lang)
    )
    if seller.vat_on_debits and "service" in natures:
        mentions.append(pack.mention("vat_on_debits", day, lang))
    if sale.business:
        mentions += [
            pack.mention("late_penalty", day, lang),
            pack.mention("recovery_indemnity", day, lang),
            pack.mention("no_discount", day, lang),
        ]
        trace.append("business buyer: payment terms, late-payment penalty and 40 € indemnity (L441-10, D441-5)")
    buyer = event.buyer
    if french_business(sale):
        if buyer.siren:
            mentions.append(pack.mention("buyer_siren", day, lang, siren=buyer.siren))
        elif day >= E_INVOICING_ISSUANCE[seller.size_class]:
            raise Rejected(
                "buyer_siren_missing",
                f"French business buyer without SIREN; mandatory for a {seller.size_class} seller "
                f"since {E_INVOICING_ISSUANCE[seller.size_class].isoformat()} (décret 2022-1299)",
            )
        else:
            trace.append("French business buyer without SIREN: not yet mandatory for this seller's size class")
    return mentions


def operation_category(natures: set[str]) -> str:
    return "M1" if len(natures) == 2 else ("S1" if natures == {"service"} else "B1")


def french_business(sale: Sale) -> bool:
    return sale.business and (sale.event.buyer.siren is not None or sale.buyer_vat_country == "FR")


def legal_channel(sale: Sale, business_case: str) -> str | None:
    """The e-invoice is the invoice between two taxable persons established in France (case ``B2B``) from
    the seller's issuance date by size (décret 2022-1299 as amended: large and mid-size 2026-09-01,
    SMEs and micro-enterprises 2027-09-01). B2C and cross-border sales are e-reported (Flux 10), not
    e-invoiced: no channel. Conservative reading: the size is the seller's as recorded on the day of sale."""
    if business_case != "B2B" or sale.day < E_INVOICING_ISSUANCE[sale.seller.size_class]:
        return None
    return CTC_CHANNEL


def business_case(sale: Sale) -> str:
    """BR-FR-20 business case: B2B (French buyer), B2BINT (foreign business), B2C."""
    return "B2C" if not sale.business else ("B2B" if french_business(sale) else "B2BINT")
