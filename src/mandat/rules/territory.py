"""Where an address lies for VAT: in the seller's country (France with Monaco, the United Kingdom
with the Isle of Man), elsewhere in the EU VAT area, in a territory outside it, or in a third country.

A country code alone does not say it. The EU VAT area is not the union of the member states
(Directive 2006/112/EC art. 5 and 6): some of their territories are outside it, and Monaco is
inside, treated as France (art. 7(1); convention franco-monégasque du 18 mai 1963). Goods sent to
one of those territories leave the EU VAT area: an export (art. 146 with art. 6), which is what
``territory`` tells the rules (``rules/place.py``); services to them and a seller established in
them are not handled and refused by the rules with ``territory_unhandled``.

Still refused here (``territory_unhandled``), each with rules of its own:

* Corsica (FR 20xxx): inside the French VAT area with its own rates (CGI art. 297);
* Northern Ireland (GB BT postcodes) seen from the United Kingdom; seen from the EU it is a third
  country for services and inside the EU VAT rules for goods (Windsor Framework art. 8, ``XI``):
  ``Place.northern_ireland``, decided by ``rules/place.py``;
* Madeira and the Azores (PT 9xxxxxx): inside the EU VAT area with their own rates (CIVA art. 18(3)).

The territories are recognised by country code, and within a member state by postcode.
Where the postcode does not settle it (not the country's format), the address is refused:
the conservative reading, since a wrong guess issues a wrong legal document.

UNSURE:

* Mount Athos: postcodes GR 630 86 / 630 87 taken as the monastic state;
* the areas of Cyprus not under government control (Protocol 10): Turkish Cypriot 99xxx postcodes;
* the Italian waters of Lake Lugano have no postcode of their own and cannot be recognised.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from mandat.domain.parties import EU_COUNTRIES, Address
from mandat.domain.refusals import Rejected

# French overseas: outermost regions (GP, MQ, GF, RE, YT, MF) outside the EU VAT area
# (art. 6(1)(b)), and overseas collectivities and territories outside the EU altogether.
FRENCH_OVERSEAS = {
    "GP": "Guadeloupe",
    "MQ": "Martinique",
    "GF": "Guyane",
    "RE": "La Réunion",
    "YT": "Mayotte",
    "MF": "Saint-Martin",
    "BL": "Saint-Barthélemy",
    "PM": "Saint-Pierre-et-Miquelon",
    "NC": "Nouvelle-Calédonie",
    "PF": "Polynésie française",
    "WF": "Wallis-et-Futuna",
    "TF": "Terres australes et antarctiques françaises",
}

# (country, postcode regex on the compact postcode) -> territory and legal basis: outside the EU VAT area.
OUTSIDE_POSTCODES: dict[str, list[tuple[re.Pattern[str], str]]] = {
    "ES": [
        (re.compile(r"3[58][0-9]{3}"), "the Canary Islands (Directive 2006/112/EC art. 6(1)(b); IGIC)"),
        (re.compile(r"51[0-9]{3}"), "Ceuta (Directive 2006/112/EC art. 6(2)(d); IPSI)"),
        (re.compile(r"52[0-9]{3}"), "Melilla (Directive 2006/112/EC art. 6(2)(e); IPSI)"),
    ],
    "IT": [
        (re.compile(r"23041"), "Livigno (Directive 2006/112/EC art. 6(2)(f))"),
        (re.compile(r"22061"), "Campione d'Italia (Directive 2006/112/EC art. 6(2)(f))"),
    ],
    "DE": [
        (re.compile(r"27498"), "Heligoland (Directive 2006/112/EC art. 6(2)(a))"),
        (re.compile(r"78266"), "Büsingen am Hochrhein (Directive 2006/112/EC art. 6(2)(b))"),
    ],
    "FI": [(re.compile(r"22[0-9]{3}"), "the Åland Islands (Directive 2006/112/EC art. 6(1)(d))")],
    "GR": [(re.compile(r"6308[67]"), "Mount Athos (Directive 2006/112/EC art. 6(1)(a))")],
    "CY": [(re.compile(r"99[0-9]{3}"), "the areas of Cyprus not under government control (Protocol 10)")],
}
# Territories with VAT rules of their own that are not handled: refused.
SPECIAL_POSTCODES: dict[str, list[tuple[re.Pattern[str], str]]] = {
    "GB": [(re.compile(r"BT[0-9].*"), "Northern Ireland (EU VAT rules for goods, Windsor Framework; XI)")],
    # The autonomous regions have their own rates (CIVA art. 18(3)): Madeira 9000-9399, the Azores 9500-9999.
    "PT": [(re.compile(r"9[0-9]{6}"), "Madeira or the Azores (own VAT rates, CIVA art. 18(3))")],
}
# The postcode format that lets the table above decide; any other postcode cannot be placed.
POSTCODE_FORMATS = {
    "FR": re.compile(r"[0-9]{5}"),
    "ES": re.compile(r"[0-9]{5}"),
    "IT": re.compile(r"[0-9]{5}"),
    "DE": re.compile(r"[0-9]{5}"),
    "FI": re.compile(r"[0-9]{5}"),
    "GR": re.compile(r"[0-9]{5}"),
    "CY": re.compile(r"[0-9]{4,5}"),
    "GB": re.compile(r"[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][A-Z]{2}"),
    "PT": re.compile(r"[0-9]{7}"),
    "BE": re.compile(r"[0-9]{4}"),
    "PL": re.compile(r"[0-9]{5}"),
}


@dataclass(frozen=True)
class Place:
    """``home``: the VAT territory of the seller's country (for France: mainland and Monaco);
    ``eu``: another member state's VAT area; ``third``: outside the EU VAT area (for a seller in
    the United Kingdom, everything outside it), where goods leave as exports; ``territory``: a
    member state's territory outside the EU VAT area (Directive art. 6), named in ``why``."""

    kind: Literal["home", "eu", "third", "territory"]
    country: str
    why: str
    # Northern Ireland, seen from the EU: outside the EU VAT area for services, inside it for goods
    # (Windsor Framework art. 8 and Annex 3: the EU VAT rules on goods apply; VAT ids prefixed XI).
    northern_ireland: bool = False


def unhandled(what: str, where: str) -> Rejected:
    return Rejected(
        "territory_unhandled",
        f"{what} is in {where}: this territory has its own VAT rules, not handled yet",
    )


def vat_place(address: Address, what: str, home: str = "FR") -> Place:
    """Where ``address`` is for VAT seen from a seller established in ``home``, or
    Rejected(territory_unhandled) for what is not handled."""
    country = address.country
    postcode = re.sub(r"[\s\-]", "", address.postcode).upper()
    if country in FRENCH_OVERSEAS:
        return outside(country, f"{FRENCH_OVERSEAS[country]} ({country}, outside the EU VAT area, Directive art. 6)")
    if country == "AX":
        return outside(country, "the Åland Islands (AX, Directive 2006/112/EC art. 6(1)(d))")
    if country == "MC":
        return place(home, "FR", country, "Monaco is treated as France (Directive art. 7(1))")
    if country == "IM":
        # Isle of Man: in the UK VAT area (VATA 1994 s.16 and the Isle of Man Act 1979), outside the EU's.
        return place(home, "GB", country, "the Isle of Man is in the UK VAT area (Isle of Man Act 1979)")
    fmt = POSTCODE_FORMATS.get(country)
    if fmt is not None and not fmt.fullmatch(postcode):
        raise Rejected(
            "territory_unhandled",
            f"{what}: postcode {address.postcode!r} is not a {country} postcode, so the VAT territory "
            "cannot be told (special territories are recognised by postcode)",
        )
    for pattern, where in OUTSIDE_POSTCODES.get(country, []):
        if pattern.fullmatch(postcode):
            return outside(country, where)
    for pattern, where in SPECIAL_POSTCODES.get(country, []):
        if pattern.fullmatch(postcode):
            if country == "GB" and home in EU_COUNTRIES:
                return Place("third", country, where, northern_ireland=True)
            raise unhandled(what, where)
    if country == "FR":
        if postcode.startswith("980"):
            return place(home, "FR", "MC", "Monaco (postcode 980xx) is treated as France (Directive art. 7(1))")
        if postcode[:2] in ("97", "98"):
            return outside(
                country, f"French overseas (postcode {address.postcode}, Directive art. 6; CGI art. 294 ff.)"
            )
        if postcode.startswith("20"):
            raise unhandled(what, f"Corsica (postcode {address.postcode}, special rates of CGI art. 297)")
        return place(home, "FR", country, "mainland France")
    if country == home:
        return Place("home", country, f"{country}, the seller's country")
    return place(home, country, country, "")


def is_northern_ireland(address: Address) -> bool:
    """A GB address with a BT postcode (Windsor Framework: EU VAT rules for goods)."""
    postcode = re.sub(r"[\s\-]", "", address.postcode).upper()
    return address.country == "GB" and any(p.fullmatch(postcode) for p, _ in SPECIAL_POSTCODES["GB"])


def place(home: str, territory: str, country: str, why: str) -> Place:
    """``country`` lies in ``territory``'s VAT area: home, another member state, or a third country."""
    if territory == home:
        return Place("home", country, why)
    if territory in EU_COUNTRIES and home in EU_COUNTRIES:
        return Place("eu", country, f"{country}, EU VAT area (Directive art. 5)")
    return Place("third", country, f"{country}, outside the {'EU' if home in EU_COUNTRIES else home} VAT area")


def outside(country: str, where: str) -> Place:
    """A territory outside the EU VAT area (Directive art. 6), whoever the seller is."""
    return Place("territory", country, where)
