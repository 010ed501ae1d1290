"""France: the identity an established seller must show (CGI ann. II art. 242 nonies A; Code de
commerce R123-237). The SIREN and SIRET check digits are the domain's (``domain/parties.py``,
python-stdnum ``fr.siren`` / ``fr.siret``); here, what France requires and how they relate.
"""

from __future__ import annotations

from mandat.domain.parties import Seller


def seller_problems(seller: Seller) -> list[str]:
    problems: list[str] = []
    if not seller.siren:
        return ["a seller established in France needs its SIREN (CGI ann. II art. 242 nonies A)"]
    if seller.siret and not seller.siret.startswith(seller.siren):
        problems.append("SIRET must start with the SIREN")
    if seller.vat_id and seller.vat_id.startswith("FR") and seller.vat_id[4:] != seller.siren:
        problems.append(f"French VAT id {seller.vat_id} does not belong to SIREN {seller.siren}")
    if seller.vat_regime == "normal" and not seller.vat_id:
        problems.append("a seller under the normal VAT regime needs its VAT id")
    return problems
