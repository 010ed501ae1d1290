"""Italy: the identity an established seller shows on its invoices.

* Partita IVA of the seller (DPR 633/1972 art. 21 c.2 lett. c), check digit by python-stdnum
  ``it.iva``; a seller under the regime forfettario keeps its partita IVA.
* Codice fiscale (``tax_number``), when given, checked by ``it.codicefiscale`` (16 characters for a
  person, the 11 digits of the partita IVA for a company).
* Companies (c.c. art. 2250): seat, register office and registration number (REA: province and
  number, ``company_id``, the office in ``trade_register``), the paid-in share capital of an S.p.A.,
  S.a.p.a. or S.r.l. (``share_capital``), "socio unico" when a single shareholder holds everything
  (``sole_shareholder``). The FatturaPA block IscrizioneREA carries the same fields.

>>> rea("mi-1234567")
('MI', '1234567')
>>> rea("1234567") is None
True
"""

from __future__ import annotations

import re
from decimal import Decimal

from stdnum.it import codicefiscale, iva

from mandat.domain.documents import PartyId
from mandat.domain.parties import Seller

# Legal forms of c.c. art. 2250 c.2 (capital on documents) and of the other companies in the register.
CAPITAL_COMPANIES = {"spa", "srl", "srls", "sapa"}
PARTNERSHIPS = {"snc", "sas", "ss"}
_COMPANY_IN_NAME = re.compile(
    r"\b(s\.?\s?p\.?\s?a|s\.?\s?r\.?\s?l\.?\s?s?|s\.?\s?n\.?\s?c|s\.?\s?a\.?\s?s)\.?\s*$", re.I
)


def form_key(legal_form: str | None) -> str | None:
    """'S.r.l.' -> 'srl'; None for an absent form."""
    return re.sub(r"[^a-z]", "", legal_form.lower()) if legal_form else None


def rea(value: str) -> tuple[str, str] | None:
    """(province office, number) of a REA registration like 'MI-1234567', else None."""
    m = re.fullmatch(r"([A-Za-z]{2})-?([0-9]{1,20})", value)
    return (m.group(1).upper(), m.group(2)) if m else None


def seller_problems(seller: Seller) -> list[str]:
    problems: list[str] = []
    vat = seller.vat_id
    if not vat:
        problems.append("a seller established in Italy needs its partita IVA (DPR 633/1972 art. 21 c.2 lett. c)")
    elif not vat.startswith("IT") or not iva.is_valid(vat[2:]):
        problems.append(f"{vat} is not an Italian partita IVA (IT + 11 digits with check digit)")
    if seller.tax_number and not codicefiscale.is_valid(seller.tax_number):
        problems.append(f"codice fiscale {seller.tax_number} fails its check (16 characters, or 11 digits)")
    form = form_key(seller.legal_form)
    if form is None and _COMPANY_IN_NAME.search(seller.legal_name):
        problems.append(f"{seller.legal_name} looks like a company: legal_form is needed (c.c. art. 2250)")
    if form in CAPITAL_COMPANIES | PARTNERSHIPS:
        if not seller.company_id:
            problems.append("an Italian company needs its REA number in company_id, e.g. MI-1234567 (c.c. art. 2250)")
        elif rea(seller.company_id) is None:
            problems.append(f"company_id {seller.company_id} is not a REA number (province code and number)")
        if not seller.trade_register:
            problems.append("an Italian company needs its registro delle imprese office in trade_register (c.c. 2250)")
    if form in CAPITAL_COMPANIES and seller.share_capital is None:
        problems.append(f"an Italian {seller.legal_form} must state its paid-in share capital (c.c. art. 2250 c.2)")
    if seller.sole_shareholder and form not in CAPITAL_COMPANIES:
        problems.append("socio unico is a statement of an S.p.A. or S.r.l. (c.c. art. 2250 c.4)")
    return problems


def italian_amount(value: Decimal) -> str:
    """1234.5 -> '1.234,50' (Italian grouping, inside mention texts)."""
    return f"{value:,.2f}".replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def seller_ids(seller: Seller) -> tuple[list[PartyId], str | None]:
    ids: list[PartyId] = []
    if seller.tax_number:
        ids.append(PartyId(label="Codice fiscale", value=seller.tax_number.upper(), role="tax"))
    # The page prints the legal form and the capital from the snapshot already; BT-33 adds what
    # c.c. art. 2250 wants besides: the capital as paid in, the register office and number, "socio unico".
    parts: list[str] = []
    if seller.share_capital is not None and form_key(seller.legal_form) in CAPITAL_COMPANIES:
        parts.append(f"Capitale sociale versato € {italian_amount(seller.share_capital)}")
    if seller.company_id and (office := rea(seller.company_id)):
        ids.append(PartyId(label="REA", value=f"{office[0]}-{office[1]}", role="legal"))
        number = seller.tax_number or (seller.vat_id[2:] if seller.vat_id else "")
        register = (
            f"Registro delle imprese di {seller.trade_register}" if seller.trade_register else "Registro delle imprese"
        )
        parts.append(f"{register} n. {number}".strip())
    if seller.sole_shareholder:
        parts.append("Socio unico")
    return ids, " – ".join(parts) or None
