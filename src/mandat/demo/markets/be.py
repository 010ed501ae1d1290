"""Demo data of the Belgian market: a retailer in Ghent (Dutch), an installer in Namur (French, also
registered for VAT in Germany), buyers in the three language regions and Brussels, products at every
rate of the Belgian ladder and a renovation order whose facts meet the 6 % conditions. Plain data;
identifiers carry valid check digits (enterprise number: 97 - first eight digits mod 97; the German
USt-IdNr: ISO 7064 mod 11,10)."""

from __future__ import annotations

from typing import Any

SELLERS: list[dict[str, Any]] = [
    {
        "id": "be-leie-klus",
        "code": "BELEIE",
        "legal_name": "Klushuis Leie BV",
        "trade_name": "Klushuis Leie",
        "address": {"line1": "Kortrijksesteenweg 210", "postcode": "9000", "city": "Gent", "country": "BE"},
        "email": "facturen@klushuis-leie.example",
        "vat_id": "BE0456123791",
        "company_id": "0456.123.791",
        "legal_form": "BV",
        "trade_register": "RPR Gent, afdeling Gent",
        "legal_language": "nl",
        "invoice_series": "F-{code}-{seq:06}",
        "credit_note_series": "C-{code}-{seq:06}",
    },
    {
        "id": "be-renov-meuse",
        "code": "BERENO",
        "legal_name": "Rénov'Habitat Meuse SRL",
        "address": {"line1": "Rue de Fer 41", "postcode": "5000", "city": "Namur", "country": "BE"},
        "email": "factures@renovhabitat-meuse.example",
        "vat_id": "BE0732815501",
        "company_id": "0732.815.501",
        "legal_form": "SRL",
        "trade_register": "RPM Liège, division Namur",
        "legal_language": "fr",
        # A stock in Aachen and works across the border: registered for VAT in Germany (Directive 2006/112/EC
        # art. 214), its sales from that stock and on German consumers' homes are German (art. 32, 47, 219a(1)).
        "registrations": [{"country": "DE", "vat_id": "DE814276658", "since": "2025-03-01"}],
        "invoice_series": "F-{code}-{seq:06}",
        "credit_note_series": "NC-{code}-{seq:06}",
    },
]

CONSUMERS: list[dict[str, Any]] = [
    {
        "kind": "consumer",
        "name": "Sophie Lambert",
        "address": {"line1": "Rue Saint-Gilles 58", "postcode": "4000", "city": "Liège", "country": "BE"},
        "email": "sophie.lambert@example.be",
        "language": "fr",
    },
    {
        "kind": "consumer",
        "name": "Pieter Janssens",
        "address": {"line1": "Turnhoutsebaan 112", "postcode": "2140", "city": "Antwerpen", "country": "BE"},
        "email": "pieter.janssens@example.be",
        "language": "nl",
    },
    {
        "kind": "consumer",
        "name": "Lukas Schröder",
        "address": {"line1": "Klötzerbahn 9", "postcode": "4700", "city": "Eupen", "country": "BE"},
        "language": "de",
    },
    {
        "kind": "consumer",
        "name": "Emma Walsh",
        "address": {"line1": "Avenue Louise 231", "postcode": "1050", "city": "Ixelles", "country": "BE"},
        "language": "en",
    },
]

BUSINESSES: list[dict[str, Any]] = [
    {
        "kind": "business",
        "name": "Bouwbedrijf Vermeulen NV",
        "address": {"line1": "Industrieweg 14", "postcode": "8800", "city": "Roeselare", "country": "BE"},
        "vat_id": "BE0812345603",
        "email": "aankoop@vermeulen-bouw.example",
        "language": "nl",
        "purchase_order": "PO-2026-0412",
        "facts": {"be_periodic_filer": True},
    },
    {
        "kind": "business",
        "name": "Immo Condroz SA",
        "address": {"line1": "Chaussée de Marche 602", "postcode": "5101", "city": "Erpent", "country": "BE"},
        "vat_id": "BE0678901218",
        "email": "compta@immo-condroz.example",
        "language": "fr",
        "facts": {"be_periodic_filer": True},
    },
    {
        # A small business under the franchise: VAT number, but no periodic returns.
        "kind": "business",
        "name": "Atelier Céramique Dupuis",
        "address": {"line1": "Rue des Potiers 3", "postcode": "7000", "city": "Mons", "country": "BE"},
        "vat_id": "BE0543789027",
        "language": "fr",
        "facts": {"be_periodic_filer": False},
    },
]

# Goods of the retailer, in Dutch (its region's language), one per key of the Belgian ladder.
PRODUCTS: list[dict[str, Any]] = [
    {
        "sku": "BE-BOOR-18V",
        "description": "Accuboormachine 18 V met 2 accu's en koffer",
        "quantity": "1",
        "unit_price": "129.00",
        "tax_category": "standard",
    },
    {
        "sku": "BE-VERF-2L5",
        "description": "Muurverf mat wit, 2,5 l",
        "quantity": "2",
        "unit_price": "24.95",
        "tax_category": "standard",
    },
    {
        "sku": "BE-BAND-TRAC",
        "description": "Binnenband voor landbouwtrekker 6.00-12",
        "quantity": "2",
        "unit_price": "18.50",
        "tax_category": "parking",
    },
    {
        "sku": "BE-BOEK-BAD",
        "description": "Boek: Zelf je badkamer renoveren",
        "quantity": "1",
        "unit_price": "24.99",
        "tax_category": "reduced",
    },
    {
        "sku": "BE-HAAG-BEUK",
        "description": "Haagbeuk in pot, 80-100 cm",
        "quantity": "10",
        "unit_price": "4.20",
        "tax_category": "reduced",
    },
    {
        "sku": "BE-WEEKBLAD",
        "description": "Weekblad Klussen & Wonen, nummer 47",
        "quantity": "1",
        "unit_price": "3.50",
        "tax_category": "zero",
    },
]

# The installer's renovation of a 1987 house, with facts meeting AR n° 20 table A (6 %).
WORKS: list[tuple[list[dict[str, Any]], dict[str, Any]]] = [
    (
        [
            {
                "sku": "BE-MO-SDB",
                "description": "Rénovation de la salle de bains : main-d'œuvre (démontage, plomberie, carrelage)",
                "quantity": "24",
                "unit": "HUR",
                "unit_price": "48.00",
                "nature": "service",
                "tax_category": "home_renovation",
                "works_part": "labour",
            },
            {
                "sku": "BE-CARRELAGE",
                "description": "Carrelage grès cérame 60 x 60, posé",
                "quantity": "12",
                "unit": "MTK",
                "unit_price": "32.50",
                "tax_category": "home_renovation",
                "works_part": "materials",
            },
            {
                "sku": "BE-DOUCHE",
                "description": "Receveur et paroi de douche à l'italienne, installés",
                "quantity": "1",
                "unit_price": "890.00",
                "tax_category": "home_renovation",
                "works_part": "equipment",
            },
        ],
        {
            "property_address": {"line1": "Rue Saint-Gilles 58", "postcode": "4000", "city": "Liège", "country": "BE"},
            "dwelling": True,
            "private_use": "exclusive",
            "first_occupied_year": 1987,
            "installed_by_seller": True,
        },
    ),
]
