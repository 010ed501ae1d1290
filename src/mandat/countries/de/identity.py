"""Germany: the identity an established seller must show, and how it is printed.

* UStG §14(4) Satz 1 Nr. 2 (and UStDV §34a for a Kleinunternehmer): the Steuernummer given by the tax
  office **or** the USt-IdNr; checked with python-stdnum ``de.stnr`` (format per Bundesland; it has no
  check digit) and ``de.vat`` (by the domain when the seller is saved, ISO 7064 mod 11,10).
* Business letters, which include invoices in the prevailing view (docs/countries.md §6.3, UNSURE):
  - GmbH / UG (haftungsbeschränkt): legal form, seat, register court, HRB number and **every**
    managing director (GmbHG §35a(1));
  - AG, SE, KGaA: legal form, seat, register court, HRB number, the management board (AktG §80);
  - eG: Genossenschaftsregister (GnR) and board (GenG §25a);
  - e.K., OHG, KG: firm with legal form, seat, register court, HRA number (HGB §37a, §125a);
    GmbH & Co. KG also the general partner's managing directors (HGB §125a(1) Satz 2);
  - PartG: Partnerschaftsregister (PR) (PartGG §7(5) with HGB §125a).
  The register number is checked with python-stdnum ``de.handelsregisternummer`` (known register
  courts, register type of the legal form). A sole trader or a GbR without register shows none.

The seller's fields: ``tax_number`` (Steuernummer), ``vat_id``, ``legal_form``, ``trade_register``
(the register court, "Amtsgericht München"), ``company_id`` (register type and number, "HRB 123456"),
``managers`` (names, as printed).

>>> legal_form("GmbH & Co. KG").register, legal_form("UG (haftungsbeschränkt)").managers
('HRA', 'Geschäftsführer')
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from stdnum.de import handelsregisternummer, stnr

from mandat.domain.documents import PartyId
from mandat.domain.parties import Seller


@dataclass(frozen=True)
class LegalForm:
    name: str
    register: str | None  # HRA, HRB, GnR, PR; None: not registered
    managers: str | None  # how the people the law wants named are called, when it wants them
    basis: str


_FORMS = (
    LegalForm("GmbH", "HRB", "Geschäftsführer", "GmbHG §35a"),
    LegalForm("gGmbH", "HRB", "Geschäftsführer", "GmbHG §35a"),
    LegalForm("UG (haftungsbeschränkt)", "HRB", "Geschäftsführer", "GmbHG §35a, §5a"),
    LegalForm("AG", "HRB", "Vorstand", "AktG §80"),
    LegalForm("SE", "HRB", "Vorstand", "AktG §80 (SEAG)"),
    LegalForm("KGaA", "HRB", "Persönlich haftende Gesellschafter", "AktG §80, §278(3)"),
    LegalForm("GmbH & Co. KG", "HRA", "Geschäftsführer der Komplementärin", "HGB §125a(1) Satz 2"),
    LegalForm("KG", "HRA", None, "HGB §125a"),
    LegalForm("OHG", "HRA", None, "HGB §125a"),
    LegalForm("e.K.", "HRA", None, "HGB §37a"),
    LegalForm("eG", "GnR", "Vorstand", "GenG §25a"),
    LegalForm("PartG", "PR", None, "PartGG §7(5)"),
    LegalForm("PartG mbB", "PR", None, "PartGG §7(5)"),
    LegalForm("Einzelunternehmen", None, None, "—"),
    LegalForm("GbR", None, None, "—"),
)
_ALIASES = {"ug": "UG (haftungsbeschränkt)", "ekfm": "e.K.", "ekfr": "e.K.", "einzelunternehmer": "Einzelunternehmen"}
_REGISTER_NAMES = {
    "HRA": "Handelsregister",
    "HRB": "Handelsregister",
    "GnR": "Genossenschaftsregister",
    "PR": "Partnerschaftsregister",
}
_NUMBER = re.compile(r"^(HRA|HRB|GNR|PR)([1-9][0-9]{0,5})([A-Z]{1,3})?$", re.IGNORECASE)


def _key(text: str) -> str:
    return re.sub(r"[\s.()\-]", "", text).lower()


_BY_KEY = {_key(f.name): f for f in _FORMS} | {k: f for f in _FORMS for k, v in _ALIASES.items() if v == f.name}


def legal_form(text: str) -> LegalForm | None:
    """The legal form a seller's ``legal_form`` text names, or None when the pack does not know it."""
    return _BY_KEY.get(_key(text))


@dataclass(frozen=True)
class RegisterEntry:
    court: str  # as python-stdnum names it ("Berlin (Charlottenburg)")
    kind: str  # HRA, HRB, GnR, PR
    number: str  # "123456", or "98765 B"

    @property
    def register(self) -> str:
        return _REGISTER_NAMES[self.kind]

    @property
    def text(self) -> str:
        return f"Amtsgericht {self.court}, {self.kind} {self.number}"


def register_entry(seller: Seller) -> RegisterEntry | str:
    """The seller's register entry with the court canonicalised by python-stdnum, or its problem."""
    if not seller.company_id or not seller.trade_register:
        return "register court (trade_register) and register number (company_id) missing"
    m = _NUMBER.match(seller.company_id)
    if m is None:
        return f"register number {seller.company_id!r} is not '<HRA|HRB|GnR|PR> <number>'"
    kind = "GnR" if m.group(1).upper() == "GNR" else m.group(1).upper()
    court = re.sub(r"^Amtsgericht\s+", "", seller.trade_register.strip(), flags=re.IGNORECASE)
    number = f"{m.group(2)} {m.group(3).upper()}" if m.group(3) else m.group(2)
    try:
        canonical = handelsregisternummer.validate(f"{court} {kind} {number}")
    except handelsregisternummer.ValidationError:
        return f"{seller.trade_register!r} is not a German register court (python-stdnum de.handelsregisternummer)"
    return RegisterEntry(canonical[: -len(f" {kind} {number}")], kind, number)


def seller_problems(seller: Seller) -> list[str]:
    problems: list[str] = []
    if seller.vat_id and not seller.vat_id.startswith("DE"):
        problems.append(f"a seller established in Germany needs a German USt-IdNr, not {seller.vat_id}")
    if seller.tax_number and not stnr.is_valid(seller.tax_number):
        problems.append(f"invalid Steuernummer {seller.tax_number!r} (python-stdnum de.stnr)")
    if not seller.vat_id and not seller.tax_number:
        problems.append("a seller established in Germany needs its Steuernummer or USt-IdNr (§14(4) Satz 1 Nr. 2 UStG)")
    if seller.legal_form is None:
        if seller.company_id:
            problems.append("a registered seller must state its legal form (HGB §37a, GmbHG §35a)")
        return problems
    form = legal_form(seller.legal_form)
    if form is None:
        known = ", ".join(f.name for f in _FORMS)
        return [*problems, f"legal form {seller.legal_form!r} unknown to the German rules (known: {known})"]
    if form.register is not None:
        entry = register_entry(seller)
        if isinstance(entry, str):
            problems.append(f"a {form.name} must show its register entry ({form.basis}): {entry}")
        elif entry.kind != form.register:
            problems.append(f"a {form.name} is registered in {form.register}, not {entry.kind} {entry.number}")
    elif seller.company_id:
        problems.append(f"a {form.name} has no register entry, but company_id is {seller.company_id!r}")
    if form.managers and not seller.managers:
        problems.append(f"a {form.name} must name its {form.managers} on invoices ({form.basis}): managers missing")
    return problems


def seller_ids(seller: Seller) -> tuple[list[PartyId], str | None]:
    """Steuernummer (BT-32 when there is no USt-IdNr), register entry (BT-30, no ISO 6523 scheme exists
    for the German registers) and BT-33: legal form, seat, the people the law wants named."""
    ids: list[PartyId] = []
    if seller.tax_number:
        ids.append(PartyId(label="Steuernummer", value=seller.tax_number, role="tax"))
    form = legal_form(seller.legal_form) if seller.legal_form else None
    if form is not None and form.register is not None:
        entry = register_entry(seller)
        if not isinstance(entry, str):
            ids.append(PartyId(label=entry.register, value=entry.text, role="legal"))
    if form is None or form.register is None:
        if seller.tax_number and not seller.vat_id:
            # EN 16931 BR-CO-26 wants BT-29, BT-30 or BT-31: a sole trader without USt-IdNr or register
            # entry (often a Kleinunternehmer) is identified by its Steuernummer alone, so it is also
            # BT-30. The page prints it twice until the renderer merges equal ids (lead's note).
            ids.append(PartyId(label="Steuernummer", value=seller.tax_number, role="legal"))
        return ids, None  # the legal form alone: the page prints it, and BT-33 falls back to it
    parts = [form.name, f"Sitz: {seller.address.city}"]
    if form.managers and seller.managers:
        parts.append(f"{form.managers}: {seller.managers}")
    return ids, " · ".join(parts)
