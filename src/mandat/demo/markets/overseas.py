"""Demo sellers established outside the EU and the UK (China, United States). Plain data, no logic.

They sell goods only to consumers, through the marketplace as deemed supplier (Directive 2006/112/EC
art. 14a; VATA 1994 s.5A): goods stocked in the marketplace's French warehouse, or shipped from home in
consignments small enough for the IOSS (EUR 150) or the UK's s.5A(1)(a) (GBP 135). They have no EU or
UK VAT id; their mandate is on record, though a deemed supply needs none (the marketplace sells).
"""

from __future__ import annotations

from typing import Any

SELLERS: list[dict[str, Any]] = [
    {
        "id": "cn-shenzhen-lumo",
        "code": "CNLUMO",
        "legal_name": "Shenzhen Lumo Lighting Co., Ltd.",
        "address": {"line1": "88 Keyuan Road, Nanshan", "postcode": "518057", "city": "Shenzhen", "country": "CN"},
        "email": "billing@lumo-lighting.example",
    },
    {
        "id": "us-cascade-tools",
        "code": "USCASC",
        "legal_name": "Cascade Tool Works, Inc.",
        "address": {"line1": "1200 Western Avenue", "postcode": "98101", "city": "Seattle", "country": "US"},
        "email": "ar@cascade-tools.example",
    },
]

# Unit prices in the order's currency (EUR into the EU, GBP into the UK), VAT included for consumers.
PRODUCTS: list[dict[str, Any]] = [
    {"sku": "LUMO-LED-5M", "description": "LED strip 5 m, warm white, IP65", "quantity": "1", "unit_price": "24.90"},
    {"sku": "LUMO-SPOT-6", "description": "Recessed LED spotlights, set of 6", "quantity": "1", "unit_price": "39.00"},
    {"sku": "LUMO-SOLAR", "description": "Solar garden lantern, pair", "quantity": "1", "unit_price": "19.50"},
    {"sku": "CASC-CHISEL", "description": "Bench chisel set, 4 pieces", "quantity": "1", "unit_price": "54.00"},
    {"sku": "CASC-PLANE", "description": "Block plane, low angle", "quantity": "1", "unit_price": "89.00"},
]
