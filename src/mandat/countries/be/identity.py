"""Belgium: the identity an established seller must show.

* The enterprise number (numéro d'entreprise / ondernemingsnummer, BCE/KBO) is also the VAT number:
  "BE" + the ten digits (Code TVA art. 50; AR n° 1 art. 5 § 1). python-stdnum ``be.vat`` checks both
  (there is no ``be.bce`` module, docs/countries.md §10.1). It is printed as the legal registration
  id with ISO 6523 scheme 0208, the one the Belgian Peppol authority wants (docs MF §1.2).
* Companies print their legal form, "RPM"/"RPR" (register of legal persons; "RJP" in German) and the
  court of their seat (Code des sociétés et des associations art. 2:20; UNSURE article).
* Every Belgian taxable person, franchise included, is identified by that number (Code TVA art. 50):
  it is required of every seller (also for EN 16931 BR-E-02 on a franchise invoice).
* The language of the mentions is the seller's region's (decree of 19 July 1973 for Flanders; UNSURE
  BE-4): ``legal_language`` is required (``seller_legal_language_missing``).

>>> enterprise_number("BE0403170701")
'0403170701'
"""

from __future__ import annotations

import re

from stdnum.be import vat as be_vat
from stdnum.exceptions import ValidationError

from mandat.domain.documents import PartyId
from mandat.domain.parties import Seller

SCHEME_BE_ENTERPRISE = "0208"  # ISO 6523 ICD: Belgian enterprise number (BCE/KBO)
LABELS = {"fr": "N° d'entreprise", "nl": "Ondernemingsnummer", "de": "Unternehmensnummer"}
_REGISTER = re.compile(r"^(RPM|RPR|RJP)\b")


def enterprise_number(value: str) -> str:
    """The ten digits of a Belgian VAT or enterprise number (raises stdnum's ValidationError)."""
    return str(be_vat.validate(value))


def seller_number(seller: Seller) -> str | None:
    """The seller's enterprise number: ``company_id`` when given, else the digits of its VAT number."""
    for value in (seller.company_id, seller.vat_id):
        if value:
            try:
                return enterprise_number(value)
            except ValidationError:
                return None
    return None


def seller_problems(seller: Seller) -> list[str]:
    problems: list[str] = []
    if seller.legal_language is None:
        problems.append(
            "seller_legal_language_missing: a seller established in Belgium needs its legal language "
            "(fr, nl or de: the language of its region) for the mentions"
        )
    vat_number: str | None = None
    if not seller.vat_id:
        problems.append(
            "a seller established in Belgium needs its VAT number BE + enterprise number (Code TVA art. 50)"
        )
    elif not seller.vat_id.startswith("BE"):
        problems.append(f"VAT id {seller.vat_id} is not Belgian: a seller established in Belgium has a BE number")
    else:
        try:
            vat_number = enterprise_number(seller.vat_id)
        except ValidationError as exc:
            problems.append(f"Belgian VAT number {seller.vat_id} is invalid ({exc})")
    if seller.company_id:
        try:
            company = enterprise_number(seller.company_id)
        except ValidationError as exc:
            problems.append(f"enterprise number {seller.company_id} is invalid ({exc})")
        else:
            if vat_number is not None and company != vat_number:
                problems.append(
                    f"enterprise number {seller.company_id} and VAT number {seller.vat_id} differ: in Belgium "
                    "the VAT number is BE + the enterprise number"
                )
    if seller.legal_form:
        # A company (a legal form is given) states its register and the court of its seat.
        if not seller.trade_register:
            problems.append(
                "a Belgian company must state RPM/RPR and the court of its seat (trade_register, e.g. "
                "'RPM Bruxelles'; Code des sociétés et des associations art. 2:20)"
            )
        elif not _REGISTER.match(seller.trade_register):
            problems.append(
                f"trade_register {seller.trade_register!r} must start with RPM, RPR or RJP and name the court "
                "of the seat (e.g. 'RPR Gent, afdeling Gent')"
            )
    return problems


def seller_ids(seller: Seller, language: str) -> tuple[list[PartyId], str | None]:
    number = seller_number(seller)
    ids = []
    if number is not None:
        label = LABELS.get(language, LABELS["fr"])
        ids.append(PartyId(label=label, value=number, role="legal", scheme=SCHEME_BE_ENTERPRISE))
    legal_info = " · ".join(part for part in (seller.legal_form, seller.trade_register) if part) or None
    return ids, legal_info


def buyer_ids(tax_number: str | None, language: str) -> list[PartyId]:
    """A Belgian buyer's enterprise number (a non-VAT entity's, or one given besides the VAT number)."""
    if not tax_number:
        return []
    return [PartyId(label=LABELS.get(language, LABELS["fr"]), value=tax_number)]
