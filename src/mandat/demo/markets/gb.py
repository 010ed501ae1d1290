"""Demo data of the United Kingdom market (Great Britain): plain data for ``Seller.model_validate``
(once the demo adds ``"mandate"``), ``Buyer`` and ``Line`` dicts, and works orders whose facts meet
the conditions of docs/countries.md §9.2. VAT numbers pass python-stdnum ``gb.vat``; company
numbers are Companies House formats (England and Wales: 8 digits; Scotland: SC + 6 digits).
"""

from __future__ import annotations

from typing import Any

SELLERS: list[dict[str, Any]] = [
    {
        "id": "gb-thameside-hardware",
        "code": "GBTHAMES",
        "legal_name": "Thameside Hardware Ltd",
        "trade_name": "Thameside Hardware",
        "address": {"line1": "14 Borough High Street", "postcode": "SE1 9QG", "city": "London", "country": "GB"},
        "email": "invoices@thameside-hardware.example",
        "vat_id": "GB234567805",
        "company_id": "09876543",
        "legal_form": "Private limited company",
        "invoice_series": "INV-{code}-{seq:06}",
        "credit_note_series": "CN-{code}-{seq:06}",
    },
    {
        "id": "gb-highland-insulation",
        "code": "GBHIGHINS",
        "legal_name": "Highland Insulation & Heating Ltd",
        "address": {"line1": "27 Dock Street", "postcode": "G1 4DR", "city": "Glasgow", "country": "GB"},
        "email": "accounts@highland-insulation.example",
        "vat_id": "GB555123404",
        "company_id": "SC654321",
        "legal_form": "Private limited company",
        "invoice_series": "INV-{code}-{seq:06}",
        "credit_note_series": "CN-{code}-{seq:06}",
    },
]

CONSUMERS: list[dict[str, Any]] = [
    {
        "kind": "consumer",
        "name": "Eleanor Whitfield",
        "address": {"line1": "8 Mill Lane", "postcode": "M20 2PX", "city": "Manchester", "country": "GB"},
        "email": "eleanor.whitfield@example.org",
    },
    {
        "kind": "consumer",
        "name": "Callum MacLeod",
        "address": {"line1": "3 Rose Street", "postcode": "EH2 2PR", "city": "Edinburgh", "country": "GB"},
    },
]

BUSINESSES: list[dict[str, Any]] = [
    {
        # A building contractor buying works for onward supply: domestic reverse charge (s.55A).
        "kind": "business",
        "name": "Pennine Building Contractors Ltd",
        "address": {"line1": "Unit 4, Canal Wharf", "postcode": "LS11 5PS", "city": "Leeds", "country": "GB"},
        "vat_id": "GB765432126",
        "purchase_order": "PO-2026-0418",
        "facts": {"gb_cis_registered": True, "gb_end_user": False},
    },
    {
        # A lettings company: CIS-registered but the end user of the works (confirmed in writing).
        "kind": "business",
        "name": "Riverside Lettings Ltd",
        "address": {"line1": "41 Queen Square", "postcode": "BS1 4LH", "city": "Bristol", "country": "GB"},
        "vat_id": "GB123456727",
        "facts": {"gb_cis_registered": True, "gb_end_user": True},
    },
    {
        # A café buying goods and fitting services; not in the Construction Industry Scheme.
        "kind": "business",
        "name": "The Corner Café Ltd",
        "address": {"line1": "2 Market Place", "postcode": "YO1 8QW", "city": "York", "country": "GB"},
        "vat_id": "GB345678912",
        "facts": {"gb_cis_registered": False},
    },
]

# One line per key of the ladder (standard, reduced, zero); prices excluding VAT.
PRODUCTS: list[dict[str, Any]] = [
    {
        "sku": "GB-DRILL-18V",
        "description": "Cordless combi drill 18 V with two batteries",
        "quantity": "1",
        "unit_price": "89.99",
        "tax_category": "standard",
    },
    {
        "sku": "GB-PAINT-5L",
        "description": "Brilliant white matt emulsion paint, 5 litres",
        "quantity": "2",
        "unit_price": "24.50",
        "tax_category": "standard",
    },
    {
        "sku": "GB-LOGS-KD",
        "description": "Kiln-dried hardwood logs for domestic stoves, 40 litre net",
        "quantity": "3",
        "unit_price": "7.50",
        "tax_category": "reduced",
    },
    {
        "sku": "GB-BOOK-PLUMB",
        "description": "The Home Plumbing Handbook (printed book)",
        "quantity": "1",
        "unit_price": "16.99",
        "tax_category": "zero",
    },
]

WORKS: list[tuple[list[dict[str, Any]], dict[str, Any]]] = [
    (
        [
            {
                "sku": "GB-ASHP-8KW",
                "description": "Air source heat pump 8 kW",
                "quantity": "1",
                "unit_price": "5200.00",
                "tax_category": "energy_saving_materials",
                "works_part": "equipment",
            },
            {
                "sku": "GB-ASHP-FIT",
                "description": "Installation and commissioning of the heat pump",
                "quantity": "1",
                "unit_price": "1800.00",
                "nature": "service",
                "tax_category": "energy_saving_materials",
                "works_part": "labour",
            },
            {
                "sku": "GB-LOFT-270",
                "description": "Loft insulation roll 270 mm, laid",
                "quantity": "6",
                "unit_price": "32.00",
                "tax_category": "energy_saving_materials",
                "works_part": "materials",
            },
        ],
        {
            "property_address": {"line1": "8 Mill Lane", "postcode": "M20 2PX", "city": "Manchester", "country": "GB"},
            "dwelling": True,
            "installed_by_seller": True,
        },
    ),
    (
        [
            {
                "sku": "GB-RENO-LAB",
                "description": "Renovation of an empty terraced house: replastering and rewiring",
                "quantity": "1",
                "unit_price": "8400.00",
                "nature": "service",
                "tax_category": "residential_renovation",
                "works_part": "labour",
            },
            {
                "sku": "GB-PLASTERBD",
                "description": "Plasterboard 12.5 mm, 2400 x 1200, fitted",
                "quantity": "40",
                "unit_price": "11.25",
                "tax_category": "residential_renovation",
                "works_part": "materials",
            },
        ],
        {
            "property_address": {
                "line1": "19 Jubilee Terrace",
                "postcode": "S2 4QT",
                "city": "Sheffield",
                "country": "GB",
            },
            "dwelling": True,
            "installed_by_seller": True,
            "client_statement": {"accepted_at": "2026-11-02T14:30:00+00:00", "text_id": "gb_empty_dwelling_2y"},
        },
    ),
]
