"""Finds the country pack of a seller's country by convention: ``mandat.countries.<cc>``.

Adding a country is adding its package; nothing here lists them (``known()`` walks the packages).
"""

from __future__ import annotations

import functools
import importlib
import pkgutil

from mandat.countries.jurisdiction import Jurisdiction


class UnknownCountry(LookupError):
    """No pack for the country: its sellers are refused (``unsupported_country``), never guessed."""


@functools.cache
def jurisdiction(country: str) -> Jurisdiction:
    """The pack of ``country`` (ISO 3166 alpha-2, upper-case)."""
    if len(country) != 2 or not country.isalpha() or not country.isupper():
        raise UnknownCountry(f"{country!r} is not an ISO 3166 alpha-2 code")
    try:
        module = importlib.import_module(f"mandat.countries.{country.lower()}")
    except ModuleNotFoundError as exc:
        if exc.name != f"mandat.countries.{country.lower()}":
            raise  # a pack that fails to import is a bug, not an unknown country
        raise UnknownCountry(f"no invoicing rules for sellers established in {country} yet") from None
    pack = getattr(module, "JURISDICTION", None)
    if not isinstance(pack, Jurisdiction) or pack.code != country:
        raise UnknownCountry(f"mandat.countries.{country.lower()} does not define JURISDICTION for {country}")
    return pack


def known() -> list[str]:
    """Codes of every pack shipped, sorted."""
    import mandat.countries as package

    return sorted(
        info.name.upper() for info in pkgutil.iter_modules(package.__path__) if info.ispkg and len(info.name) == 2
    )
