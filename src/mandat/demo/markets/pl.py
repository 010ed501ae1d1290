"""Demo market: Poland (PLN). Plain data; NIPs carry their check digit (python-stdnum ``pl.nip``:
weights 6 5 7 2 3 4 5 6 7, sum mod 11), KRS numbers are 10 digits."""

from __future__ import annotations

from typing import Any

SELLERS: list[dict[str, Any]] = [
    {
        "id": "pl-majsterkowo",
        "code": "PLMAJ",
        "legal_name": "Majsterkowo Sp. z o.o.",
        "trade_name": "Majsterkowo",
        "address": {"line1": "ul. Marszałkowska 100", "postcode": "00-026", "city": "Warszawa", "country": "PL"},
        "email": "faktury@majsterkowo.example",
        "tax_number": "5260250274",
        "vat_id": "PL5260250274",
        "company_id": "0000123456",
        "trade_register": "Sąd Rejonowy dla m.st. Warszawy w Warszawie, XII Wydział Gospodarczy KRS",
        "legal_form": "sp. z o.o.",
        "share_capital": "50000",
        "invoice_series": "FV-{code}-{seq:06}",
        "credit_note_series": "KOR-{code}-{seq:06}",
    },
    {
        "id": "pl-remonty-nowak",
        "code": "PLNOWAK",
        "legal_name": "Remonty Nowak S.A.",
        "address": {"line1": "ul. Floriańska 15", "postcode": "31-019", "city": "Kraków", "country": "PL"},
        "email": "biuro@remonty-nowak.example",
        "tax_number": "6771234561",
        "vat_id": "PL6771234561",
        "company_id": "0000654321",
        "trade_register": "Sąd Rejonowy dla Krakowa-Śródmieścia w Krakowie, XI Wydział Gospodarczy KRS",
        "legal_form": "S.A.",
        "share_capital": "100000",
        "invoice_series": "FV-{code}-{seq:06}",
        "credit_note_series": "KOR-{code}-{seq:06}",
    },
]

CONSUMERS: list[dict[str, Any]] = [
    {
        "kind": "consumer",
        "name": "Anna Kowalska",
        "address": {"line1": "ul. Piotrkowska 50 m. 4", "postcode": "90-105", "city": "Łódź", "country": "PL"},
        "email": "anna.kowalska@example.pl",
    },
    {
        "kind": "consumer",
        "name": "Piotr Wiśniewski",
        "address": {"line1": "ul. Długa 7", "postcode": "80-827", "city": "Gdańsk", "country": "PL"},
        "language": "en",
    },
]

BUSINESSES: list[dict[str, Any]] = [
    {
        "kind": "business",
        "name": "Budmax Sp. z o.o.",
        "address": {"line1": "ul. Świdnicka 20", "postcode": "50-068", "city": "Wrocław", "country": "PL"},
        "email": "ksiegowosc@budmax.example",
        "vat_id": "PL9512345675",
        "tax_number": "9512345675",
    },
    {
        "kind": "business",
        "name": "Jan Zieliński Usługi Stolarskie",
        "address": {"line1": "ul. Półwiejska 3", "postcode": "61-885", "city": "Poznań", "country": "PL"},
        "tax_number": "7798765437",
    },
]

PRODUCTS: list[dict[str, Any]] = [
    {
        "sku": "PL-WKR-18V",
        "description": "Wkrętarka akumulatorowa 18 V z dwoma akumulatorami",
        "quantity": "1",
        "unit_price": "349.00",
        "tax_category": "standard",
    },
    {
        "sku": "PL-FARBA-10L",
        "description": "Farba lateksowa do ścian, biała, 10 l",
        "quantity": "2",
        "unit_price": "129.90",
        "tax_category": "standard",
    },
    {
        "sku": "PL-TUJA-80",
        "description": "Tuja szmaragd w donicy, 80 cm (roślina żywa)",
        "quantity": "5",
        "unit_price": "24.99",
        "tax_category": "intermediate",
    },
    {
        "sku": "PL-KSIAZKA-REM",
        "description": "Książka: Remont mieszkania krok po kroku",
        "quantity": "1",
        "unit_price": "59.00",
        "tax_category": "reduced",
    },
    {
        "sku": "PL-ZESTAW-KOMP",
        "description": "Zestaw komputerowy dla placówki oświatowej (art. 83 ust. 1 pkt 26)",
        "quantity": "1",
        "unit_price": "2400.00",
        "tax_category": "zero",
    },
]

WORKS: list[tuple[list[dict[str, Any]], dict[str, Any]]] = [
    (
        [
            {
                "sku": "PL-REM-LAZ",
                "description": "Remont łazienki z materiałami (płytki, armatura, robocizna)",
                "quantity": "1",
                "unit_price": "12000.00",
                "nature": "service",
                "tax_category": "housing_works",
            },
        ],
        {"dwelling": True, "building_type": "flat", "floor_area_m2": "62.5"},
    ),
]
