"""United Kingdom: the identity an established seller shows on its VAT invoices.

* VAT registration number (VAT Regulations 1995 reg. 14(1)(d)), checked with python-stdnum
  ``gb.vat``; a GB number of 9 digits (12 for a branch trader). Government-department and
  health-authority numbers (GD, HA) are not marketplace sellers and are refused.
* Only a VAT-registered person issues VAT invoices (VATA 1994 Sch 11 para 2(1); reg. 13): a
  seller below the registration threshold (£90,000 since 2024-04-01, VATA 1994 Sch 1 para 1) has
  no VAT number and charges no VAT. mandat does not issue such plain invoices yet: that seller
  is kept (``vat_regime = "franchise"``, no VAT number) and its sales are refused at issue
  (``seller_vat_missing``, ``treatment.franchise``).
* A company's registered name on its invoices (Company, LLP and Business (Names and Trading
  Disclosures) Regulations 2015 reg. 24), and its registered number, part of the United Kingdom
  where it is registered and registered office (reg. 25, business letters and order forms:
  printed on invoices too, UNSURE UK-4, the conservative reading). The Companies House number
  has 8 characters (no stdnum module): 8 digits, or 2 letters and 6 digits (SC, NI, OC...).
  The registered office printed is the seller's address: the seller record has no other.

>>> company_number_problem("SC123456"), place_of_registration("SC123456")
(None, 'Scotland')
"""

from __future__ import annotations

import re

from stdnum.gb import vat as gb_vat

from mandat.domain.documents import PartyId
from mandat.domain.parties import Seller

_COMPANY_NUMBER = re.compile(r"(?:[0-9]{2}|[A-Z]{2}|R0)[0-9]{6}")
PLACES = ("England and Wales", "Scotland", "Northern Ireland")
# The prefixes whose register is certain (Companies House); any other needs ``trade_register``.
_PREFIX_PLACE = {
    "OC": "England and Wales",  # limited liability partnership
    "LP": "England and Wales",  # limited partnership
    "SC": "Scotland",
    "SO": "Scotland",
    "SL": "Scotland",
    "NI": "Northern Ireland",
    "NC": "Northern Ireland",
    "NL": "Northern Ireland",
    "R0": "Northern Ireland",
}
# Legal forms that are registered at Companies House, hence have a registered number and office.
_INCORPORATED = re.compile(r"\b(ltd|limited|plc|llp|cic|community interest company|public limited)\b", re.I)


def company_number_problem(number: str) -> str | None:
    if not _COMPANY_NUMBER.fullmatch(number):
        return (
            f"company number {number!r} is not a Companies House number "
            "(8 characters: 8 digits, or 2 letters and 6 digits such as SC123456)"
        )
    return None


def place_of_registration(number: str) -> str | None:
    """England and Wales, Scotland or Northern Ireland when the number's prefix tells it."""
    if number.isdigit():
        return "England and Wales"
    return _PREFIX_PLACE.get(number[:2])


def seller_problems(seller: Seller) -> list[str]:
    problems: list[str] = []
    vat_id = seller.vat_id
    if seller.vat_regime == "franchise":
        if vat_id:
            problems.append(
                f"a UK seller with VAT registration number {vat_id} charges VAT: vat_regime 'franchise' "
                "(not VAT-registered) contradicts it"
            )
    elif not vat_id:
        problems.append(
            "a UK seller issuing VAT invoices needs its VAT registration number (VAT Regulations 1995 reg. 14(1)(d)); "
            "a seller not registered for VAT is vat_regime 'franchise' and cannot issue VAT invoices"
        )
    elif not vat_id.startswith("GB"):
        problems.append(f"a UK seller's VAT registration number starts with GB, not {vat_id[:2]} ({vat_id})")
    elif not (gb_vat.is_valid(vat_id) and vat_id[2:].isdigit()):
        problems.append(f"{vat_id} is not a GB VAT registration number (9 or 12 digits, check digits)")
    place = None
    number_ok = False
    if seller.company_id:
        problem = company_number_problem(seller.company_id)
        if problem:
            problems.append(problem)
        else:
            number_ok = True
            place = place_of_registration(seller.company_id)
    if seller.trade_register is not None and seller.trade_register not in PLACES:
        problems.append(f"trade_register {seller.trade_register!r}: the place of registration is one of {PLACES}")
    elif seller.trade_register and place and seller.trade_register != place:
        problems.append(f"company number {seller.company_id} is registered in {place}, not in {seller.trade_register}")
    if number_ok and not place and not seller.trade_register:
        problems.append(
            f"company number {seller.company_id}: give the place of registration in trade_register "
            f"(one of {PLACES}; Names and Trading Disclosures Regulations 2015 reg. 25)"
        )
    if not seller.company_id and seller.legal_form and _INCORPORATED.search(seller.legal_form):
        problems.append(
            f"a {seller.legal_form} is registered at Companies House: its company number (company_id) is "
            "required (Names and Trading Disclosures Regulations 2015 reg. 25)"
        )
    return problems


def seller_ids(seller: Seller) -> tuple[list[PartyId], str | None]:
    """The company number (BT-30, no ISO 6523 scheme for Companies House) and BT-33: place of
    registration and registered office."""
    if not seller.company_id:
        return [], None
    place = place_of_registration(seller.company_id) or seller.trade_register
    a = seller.address
    office = ", ".join([a.line1, *([a.line2] if a.line2 else []), f"{a.city} {a.postcode}"])
    # The legal form is printed by the page from the seller record already.
    registered = f"Registered in {place}" if place else "Registered"
    ids = [PartyId(label="Company No.", value=seller.company_id, role="legal")]
    return ids, f"{registered}. Registered office: {office}."
