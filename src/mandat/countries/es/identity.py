"""Spain: the identity an established seller shows, and the buyer's NIF.

* NIF of the issuer on every invoice (RD 1619/2012 art. 6.1.d); checked with python-stdnum
  ``es.nif`` (DNI, NIE or CIF check characters). A seller established in Spain needs its NIF-IVA
  (``ES`` + NIF): Spain has no small-enterprise exemption that mandat models (docs/countries.md §4.4,
  ``seller_vat_missing``); ``tax_number``, when given, must be the same NIF.
* Registro Mercantil: registered businesses state their registration data (register, volume, sheet)
  on their documents, invoices included (Reglamento del Registro Mercantil art. 24; UNSURE whether
  invoices are named, read conservatively): required of mercantile companies (NIF letters A, B, C, D:
  S.A., S.L., colectiva, comanditaria), printed for anyone who gives it (``trade_register``).
* A NIF whose first character is a digit or K, L, M, X, Y, Z belongs to a natural person (DNI, NIE,
  special NIFs); entity NIFs start with another letter (Orden EHA/451/2008; article UNSURE).

>>> is_natural_person("12345678Z"), is_natural_person("B12345674")
(True, False)
"""

from __future__ import annotations

from stdnum.es import nif as es_nif

from mandat.domain.documents import PartyId
from mandat.domain.parties import Seller

MERCANTILE_LETTERS = frozenset("ABCD")
NATURAL_PERSON_FIRST = frozenset("0123456789KLMXYZ")


def valid_nif(number: str) -> bool:
    try:
        return bool(es_nif.is_valid(number))
    except Exception:
        return False


def is_natural_person(nif: str) -> bool:
    return nif[:1].upper() in NATURAL_PERSON_FIRST


def seller_nif(seller: Seller) -> str | None:
    if seller.tax_number:
        return seller.tax_number.upper()
    if seller.vat_id and seller.vat_id.startswith("ES"):
        return seller.vat_id[2:]
    return None


def seller_problems(seller: Seller) -> list[str]:
    problems: list[str] = []
    if not seller.vat_id:
        return [
            "a seller established in Spain needs its NIF-IVA (ES + NIF) as vat_id: no small-enterprise "
            "exemption is modelled for Spain (seller_vat_missing; RD 1619/2012 art. 6.1.d)"
        ]
    if not seller.vat_id.startswith("ES"):
        problems.append(f"VAT id {seller.vat_id} is not a Spanish NIF-IVA (ES + NIF)")
        return problems
    nif = seller_nif(seller)
    assert nif is not None
    if seller.tax_number is not None:
        if not valid_nif(seller.tax_number):
            problems.append(f"invalid NIF {seller.tax_number!r} (DNI, NIE or CIF check character)")
        elif seller.tax_number.upper() != seller.vat_id[2:]:
            problems.append(f"NIF {seller.tax_number} is not the NIF of VAT id {seller.vat_id}")
    if nif[:1] in MERCANTILE_LETTERS and not seller.trade_register:
        problems.append(
            f"a mercantile company (NIF {nif}) states its Registro Mercantil data on its invoices "
            "(Reglamento del Registro Mercantil art. 24): trade_register is missing"
        )
    return problems


def seller_ids(seller: Seller) -> tuple[list[PartyId], str | None]:
    nif = seller_nif(seller)
    ids = [PartyId(label="NIF", value=nif, role="tax")] if nif else []
    return ids, seller.trade_register


def buyer_ids(tax_number: str | None) -> list[PartyId]:
    # The buyer's NIF is what the Spanish administration registers it by (BT-47 without a scheme):
    # it lets a reverse-charged invoice name its buyer even without a VAT id (BR-AE-02).
    return [PartyId(label="NIF", value=tax_number.upper(), role="legal")] if tax_number else []
