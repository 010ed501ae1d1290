"""Portugal: the identity an established seller must show.

* NIF of the supplier on every invoice (CIVA art. 36 n.º 5 a)); checked with python-stdnum
  ``pt.nif`` (9 digits, mod-11 check digit). The Portuguese VAT number is ``PT`` + NIF.
* Companies (NIF beginning with 5, *pessoas coletivas*): Código das Sociedades Comerciais art. 171 —
  in all their external acts, firm, type, seat, the commercial-registry office (*conservatória*) where
  they are registered and their registration number, which since DL 8/2007 is the NIPC (= NIF);
  *sociedades por quotas*, *anónimas* and *em comandita por ações* also their share capital
  (n.º 2). Partnerships (*em nome coletivo*, *em comandita simples*) need no capital.
  The first digit reading (5 = legal person) is general knowledge of the NIF ranges: UNSURE.

>>> seller_nif_digits("PT512345678", None)
'512345678'
"""

from __future__ import annotations

from decimal import Decimal

from stdnum.pt import nif as pt_nif

from mandat.domain.documents import PartyId
from mandat.domain.parties import Seller

NO_CAPITAL_FORMS = ("nome coletivo", "nome colectivo", "comandita simples")


def seller_nif_digits(vat_id: str | None, tax_number: str | None) -> str | None:
    """The seller's NIF: its tax number, else the digits of its PT VAT number."""
    if tax_number:
        return tax_number
    if vat_id and vat_id.startswith("PT"):
        return vat_id[2:]
    return None


def is_company(nif: str) -> bool:
    return nif.startswith("5")


def seller_problems(seller: Seller) -> list[str]:
    problems: list[str] = []
    if seller.vat_id and not seller.vat_id.startswith("PT"):
        problems.append(f"a seller established in Portugal has a PT VAT number, not {seller.vat_id}")
    nif = seller_nif_digits(seller.vat_id, seller.tax_number)
    if nif is None:
        return [*problems, "a seller established in Portugal needs its NIF (CIVA art. 36 n.º 5 a)): tax_number"]
    if not pt_nif.is_valid(nif):
        return [*problems, f"invalid NIF {nif!r} (9 digits with a mod-11 check digit)"]
    if seller.vat_id and seller.vat_id.startswith("PT") and seller.vat_id[2:] != nif:
        problems.append(f"VAT number {seller.vat_id} does not belong to NIF {nif}")
    if seller.vat_regime == "normal" and not seller.vat_id:
        problems.append("a seller under the normal VAT regime needs its VAT number (PT + NIF)")
    if seller.company_id and seller.company_id != nif:
        problems.append(f"the registration number (NIPC) {seller.company_id} must be the NIF {nif} (DL 8/2007)")
    if is_company(nif):
        if not seller.legal_form:
            problems.append("a company needs its type (legal_form) on its invoices (CSC art. 171 n.º 1)")
        if not seller.trade_register:
            problems.append(
                "a company needs its commercial-registry office (trade_register: 'Conservatória do Registo "
                "Comercial de ...') on its invoices (CSC art. 171 n.º 1)"
            )
        if seller.share_capital is None and not _partnership(seller.legal_form):
            problems.append("a company needs its share capital on its invoices (CSC art. 171 n.º 2)")
    return problems


def _partnership(legal_form: str | None) -> bool:
    form = (legal_form or "").lower()
    return any(f in form for f in NO_CAPITAL_FORMS)


def seller_ids(seller: Seller) -> tuple[list[PartyId], str | None]:
    """NIPC as the legal registration number of a company (no ISO 6523 scheme is known for it),
    the NIF as the tax number otherwise; BT-33 in Portuguese for companies (CSC art. 171)."""
    nif = seller_nif_digits(seller.vat_id, seller.tax_number)
    if nif is None:
        return [], None
    if not is_company(nif):
        tax = PartyId(label="NIF", value=nif, role="tax")
        # Without a VAT number the NIF is also the seller's registration id (BR-CO-26 wants BT-29/30/31).
        return ([tax] if seller.vat_id else [PartyId(label="NIF", value=nif, role="legal"), tax]), None
    ids = [PartyId(label="NIPC", value=nif, role="legal")]
    if not seller.vat_id:
        # BR-E-02 and the like want a seller tax identifier when there is no VAT number (franchise).
        ids.append(PartyId(label="NIF", value=nif, role="tax"))
    parts = [seller.legal_form or ""]
    if seller.share_capital is not None:
        parts.append(f"capital social {portuguese_amount(seller.share_capital)} €")
    if seller.trade_register:
        parts.append(
            f"matriculada na {seller.trade_register} sob o número único de matrícula e de pessoa coletiva {nif}"
        )
    return ids, ", ".join(p for p in parts if p) or None


def portuguese_amount(value: Decimal) -> str:
    """5000 -> '5 000,00' (Portuguese: space between thousands, comma before the cents)."""
    return f"{value:,.2f}".replace(",", " ").replace(".", ",")
