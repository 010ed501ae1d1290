"""Demo market: Spain (peninsula and Balearics). Plain data; identifiers carry valid check characters
(python-stdnum ``es.cif`` / ``es.dni`` / ``es.nie``: B46123451, B09123456, B28123453, A08123457,
50123456Q, 71234567W, X1234567L)."""

from __future__ import annotations

from typing import Any

SELLERS: list[dict[str, Any]] = [
    {
        "id": "es-ferreteria-sol",
        "code": "ESFSOL",
        "legal_name": "Ferretería del Sol S.L.",
        "trade_name": "Ferretería del Sol",
        "address": {"line1": "Calle de Colón 22", "postcode": "46004", "city": "Valencia", "country": "ES"},
        "email": "facturas@ferreteria-sol.example",
        "vat_id": "ESB46123451",
        "tax_number": "B46123451",
        "legal_form": "S.L.",
        "share_capital": "3006",
        "trade_register": "Registro Mercantil de Valencia, tomo 10234, folio 112, hoja V-178345, inscripción 1.ª",
        "invoice_series": "F-{code}-{seq:06}",
        "credit_note_series": "R-{code}-{seq:06}",
    },
    {
        "id": "es-reformas-norte",
        "code": "ESREFN",
        "legal_name": "Reformas y Climatización Norte S.L.",
        "address": {"line1": "Avenida del Cid 15", "postcode": "09005", "city": "Burgos", "country": "ES"},
        "email": "administracion@reformas-norte.example",
        "vat_id": "ESB09123456",
        "tax_number": "B09123456",
        "legal_form": "S.L.",
        "share_capital": "12000",
        "trade_register": "Registro Mercantil de Burgos, tomo 812, folio 45, hoja BU-20117, inscripción 1.ª",
        "invoice_series": "F-{code}-{seq:06}",
        "credit_note_series": "R-{code}-{seq:06}",
    },
]

CONSUMERS: list[dict[str, Any]] = [
    {
        "kind": "consumer",
        "name": "Lucía Fernández Ortega",
        "address": {"line1": "Calle Mayor 8, 3.º B", "postcode": "50001", "city": "Zaragoza", "country": "ES"},
        "email": "lucia.fernandez@example.com",
        "tax_number": "71234567W",
    },
    {
        "kind": "consumer",
        "name": "Andrea Rossi",
        "address": {"line1": "Carrer de Sant Miquel 4", "postcode": "07002", "city": "Palma", "country": "ES"},
        "tax_number": "X1234567L",
        "language": "it",
    },
    {
        "kind": "consumer",
        "name": "Jorge Martín Ruiz",
        "address": {"line1": "Calle Sierpes 30", "postcode": "41004", "city": "Sevilla", "country": "ES"},
    },
]

BUSINESSES: list[dict[str, Any]] = [
    {
        "kind": "business",
        "name": "Interiorismo Castellana S.L.",
        "address": {"line1": "Paseo de la Castellana 95", "postcode": "28046", "city": "Madrid", "country": "ES"},
        "vat_id": "ESB28123453",
        "facts": {"es_construction_role": "none"},
    },
    {
        "kind": "business",
        "name": "Construcciones Llobregat S.A.",
        "address": {"line1": "Carrer de Balmes 120", "postcode": "08008", "city": "Barcelona", "country": "ES"},
        "vat_id": "ESA08123457",
        "tax_number": "A08123457",
        "facts": {"es_construction_role": "contractor"},
    },
    {
        "kind": "business",
        "name": "Manuel Gómez Peña (Droguería Gómez)",
        "address": {"line1": "Calle Real 3", "postcode": "37002", "city": "Salamanca", "country": "ES"},
        "tax_number": "50123456Q",
        "facts": {"es_recargo_equivalencia": False, "es_construction_role": "none"},
    },
]

PRODUCTS: list[dict[str, Any]] = [
    {
        "sku": "ES-TAL-18V",
        "description": "Taladro percutor inalámbrico 18 V con dos baterías",
        "quantity": "1",
        "unit_price": "129.00",
        "tax_category": "standard",
    },
    {
        "sku": "ES-PINT-15L",
        "description": "Pintura plástica blanca mate para interiores, 15 l",
        "quantity": "2",
        "unit_price": "42.50",
        "tax_category": "standard",
    },
    {
        "sku": "ES-OLIVO-M",
        "description": "Olivo ornamental en maceta de 30 cm",
        "quantity": "1",
        "unit_price": "34.90",
        "tax_category": "intermediate",
    },
    {
        "sku": "ES-LIB-BRICO",
        "description": "Libro «Bricolaje en casa: guía práctica»",
        "quantity": "1",
        "unit_price": "19.90",
        "tax_category": "super_reduced",
    },
    {
        "sku": "ES-MONT-ARM",
        "description": "Montaje de armario empotrado",
        "quantity": "1",
        "unit_price": "90.00",
        "nature": "service",
        "tax_category": "standard",
    },
]

WORKS: list[tuple[list[dict[str, Any]], dict[str, Any]]] = [
    (
        [
            {
                "sku": "ES-OBRA-BANO",
                "description": "Reforma de baño: retirada de bañera e instalación de plato de ducha (mano de obra)",
                "quantity": "1",
                "unit_price": "900.00",
                "nature": "service",
                "tax_category": "home_renovation",
                "works_part": "labour",
            },
            {
                "sku": "ES-MAT-BANO",
                "description": "Plato de ducha, grifería y azulejos aportados por el instalador",
                "quantity": "1",
                "unit_price": "450.00",
                "tax_category": "home_renovation",
                "works_part": "materials",
            },
        ],
        {
            "dwelling": True,
            "private_use": "exclusive",
            "completed_on": "2004-06-30",
            "started_on": "2026-11-02",
            "property_address": {
                "line1": "Calle Mayor 8, 3.º B",
                "postcode": "50001",
                "city": "Zaragoza",
                "country": "ES",
            },
        },
    ),
]
