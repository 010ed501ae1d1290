"""Poland: the identity an established seller must show, and how it is printed.

* NIP of the seller on every invoice (ustawa o VAT art. 106e ust. 1 pkt 4), checked with
  python-stdnum ``pl.nip``; a VAT-UE number, when given, is "PL" + the same NIP (art. 97 ust. 10).
* Companies (Kodeks spółek handlowych art. 206 § 1 for the sp. z o.o., art. 374 § 1 for the S.A.,
  art. 300^4 for the P.S.A.): business letters and orders, in paper or electronic form, state the
  register court, the KRS number, the NIP and the share capital. Whether an invoice is such a letter
  is UNSURE (docs/countries.md §8.3); the conservative reading requires and prints them. python-stdnum
  has no ``pl.krs``: a KRS number is 10 digits without a check digit, checked as a pattern.
* REGON is not required on invoices and ``Seller`` has no field for it: not printed.

>>> [p for p in problems_of_nip("5260250274")]
[]
"""

from __future__ import annotations

import re
from decimal import Decimal

from stdnum.pl import nip

from mandat.domain.documents import PartyId
from mandat.domain.parties import Seller

_KRS = re.compile(r"^[0-9]{10}$")
# Legal forms whose business letters must name register, KRS and capital (KSH 206, 300^4, 374).
_CAPITAL_COMPANIES = {
    "sp. z o.o.": "KSH art. 206 § 1",
    "spółka z ograniczoną odpowiedzialnością": "KSH art. 206 § 1",
    "s.a.": "KSH art. 374 § 1",
    "spółka akcyjna": "KSH art. 374 § 1",
    "p.s.a.": "KSH art. 300^4",
    "prosta spółka akcyjna": "KSH art. 300^4",
}


def problems_of_nip(value: str | None) -> list[str]:
    if not value:
        return ["a seller established in Poland needs its NIP (ustawa o VAT art. 106e ust. 1 pkt 4): tax_number"]
    if not nip.is_valid(value):
        return [f"NIP {value} fails its check digit (python-stdnum pl.nip)"]
    return []


def company_basis(seller: Seller) -> str | None:
    """The KSH article of a company whose letters name register, KRS and capital, or None."""
    form = (seller.legal_form or "").strip().lower()
    return _CAPITAL_COMPANIES.get(form)


def seller_problems(seller: Seller) -> list[str]:
    problems = problems_of_nip(seller.tax_number)
    if seller.vat_id is not None and seller.tax_number and seller.vat_id != f"PL{nip.compact(seller.tax_number)}":
        problems.append(f"Polish VAT-UE number {seller.vat_id} is not PL + the NIP {seller.tax_number}")
    if seller.company_id is not None and not _KRS.match(seller.company_id):
        problems.append(f"KRS number {seller.company_id!r} is not 10 digits")
    basis = company_basis(seller)
    if basis is not None:
        if seller.company_id is None:
            problems.append(f"a {seller.legal_form} needs its KRS number (company_id, {basis})")
        if seller.trade_register is None:
            problems.append(f"a {seller.legal_form} needs its register court (trade_register, {basis})")
        if seller.share_capital is None:
            problems.append(f"a {seller.legal_form} needs its share capital (share_capital, {basis})")
    return problems


def seller_ids(seller: Seller) -> tuple[list[PartyId], str | None]:
    ids: list[PartyId] = []
    if seller.tax_number:
        ids.append(PartyId(label="NIP", value=nip.compact(seller.tax_number), role="tax"))
    if seller.company_id:
        # No ISO 6523 ICD for the KRS is known to us: BT-30 without a scheme (BR-CL-11 only checks given ones).
        ids.append(PartyId(label="KRS", value=seller.company_id, role="legal"))
    elif seller.tax_number and not seller.vat_id:
        # Neither KRS nor VAT-UE number (a sole trader, often under art. 113): the NIP is what identifies
        # the business, so it is also the legal id (BT-30) that EN 16931 BR-CO-26 asks for.
        ids.append(PartyId(label="NIP", value=nip.compact(seller.tax_number), role="legal"))
    # BT-33 (and the page): legal form, share capital (KSH art. 206 § 1) and the register court.
    parts = [seller.legal_form or ""]
    if seller.share_capital is not None:
        parts.append(f"kapitał zakładowy {polish_amount(seller.share_capital)} zł")
    parts.append(seller.trade_register or "")
    return ids, ", ".join(p for p in parts if p) or None


def polish_amount(value: Decimal) -> str:
    """50000 -> '50 000,00' (a no-break space groups thousands, a comma separates the grosze).

    >>> polish_amount(Decimal("1234567.5"))
    '1\xa0234\xa0567,50'
    """
    return f"{value:,.2f}".replace(",", "\xa0").replace(".", ",")
