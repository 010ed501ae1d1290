"""Sample sellers of a French DIY / home marketplace, with valid SIRENs and VAT ids."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from mandat.domain.parties import Address, Insurance, Mandate, Seller


def luhn_complete(base: str) -> str:
    """Append the Luhn key digit, as INSEE does for SIREN and SIRET."""
    for d in "0123456789":
        cand = base + d
        total = 0
        for i, ch in enumerate(reversed(cand)):
            n = int(ch) * (2 if i % 2 else 1)
            total += n - 9 if n > 9 else n
        if total % 10 == 0:
            return cand
    raise AssertionError("unreachable")


def fr_vat(siren: str) -> str:
    return f"FR{(12 + 3 * (int(siren) % 97)) % 97:02d}{siren}"


MANDATE = Mandate(version="MDF-2026-01", accepted_at=datetime(2026, 1, 5, 9, 0, tzinfo=UTC))


def _seller(sid: str, code: str, name: str, base: str, addr: Address, **kw: object) -> Seller:
    siren = luhn_complete(base)
    defaults: dict[str, object] = {
        "vat_id": fr_vat(siren),
        "legal_form": "SARL",
        "share_capital": Decimal("10000"),
        "rcs_city": addr.city,
        "mandate": MANDATE,
        "email": f"factures@{sid.replace('_', '-')}.example",
    }
    defaults.update(kw)
    return Seller.model_validate(
        {
            "id": sid,
            "code": code,
            "legal_name": name,
            "siren": siren,
            "siret": luhn_complete(siren + "0001"),
            "address": addr,
            **defaults,
        }
    )


def demo_sellers() -> list[Seller]:
    return [
        _seller(
            "atelier-bois",
            "ABJ",
            "Atelier Bois & Jardin SARL",
            "40123456",
            Address(line1="4 chemin des Écoliers", postcode="44000", city="Nantes", country="FR"),
        ),
        _seller(
            "thermoconfort",
            "TCI",
            "ThermoConfort Installations SAS",
            "51234567",
            Address(line1="27 avenue Jean-Jaurès", postcode="31000", city="Toulouse", country="FR"),
            legal_form="SAS",
            share_capital=Decimal("250000"),
            size_class="large",
            insurance=Insurance(insurer="MAAF Pro", policy="DEC-778-2026", coverage="décennale, France métropolitaine"),
        ),
        _seller(
            "quincaillerie-dupont",
            "QDU",
            "Quincaillerie Dupont",
            "62345678",
            Address(line1="3 place du Marché", postcode="21000", city="Dijon", country="FR"),
            vat_id=None,
            legal_form="EI",
            share_capital=None,
            vat_regime="franchise",
            size_class="micro",
            registry="RM",
        ),
        _seller(
            "peintures-lumiere",
            "PLU",
            "Peintures Lumière SAS",
            "73456789",
            Address(line1="112 rue de la Républiqué", postcode="13002", city="Marseille", country="FR"),
            legal_form="SAS",
            share_capital=Decimal("50000"),
            size_class="mid",
        ),
        _seller(
            "outillage-pro",
            "OPL",
            "Outillage Pro Lyon SARL",
            "84567890",
            Address(line1="9 quai Saint-Vincent", postcode="69001", city="Lyon", country="FR"),
        ),
        _seller(
            "cuisine-bain",
            "CBR",
            "Cuisine & Bain Rénovation SARL",
            "35678901",
            Address(line1="58 boulevard de l'Hôpital", postcode="75013", city="Paris", country="FR"),
            insurance=Insurance(insurer="SMABTP", policy="RC-DEC-45120", coverage="décennale, Île-de-France"),
        ),
        # Signed up but never accepted the billing mandate: its orders must be rejected.
        _seller(
            "nouveau-vendeur",
            "NVX",
            "Nouveau Vendeur SAS",
            "26789012",
            Address(line1="1 rue Neuve", postcode="59000", city="Lille", country="FR"),
            legal_form="SAS",
            mandate=Mandate(version="MDF-2026-01", accepted_at=MANDATE.accepted_at, status="pending"),
        ),
    ]
