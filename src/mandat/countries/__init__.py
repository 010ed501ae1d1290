"""Country rules as effective-dated data plus small functions, one module per country.

Each module exposes a ``RULES`` object of type :class:`mandat.countries.base.CountryRules`.
"""

from __future__ import annotations

from mandat.countries.base import CountryRules


def rules_for(country: str) -> CountryRules:
    """Rules of the seller's country of establishment; only France is implemented so far."""
    if country == "FR":
        from mandat.countries import fr

        return fr.RULES
    raise LookupError(f"no invoicing rules for sellers established in {country} yet")
