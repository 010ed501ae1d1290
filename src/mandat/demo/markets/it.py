"""Demo market: Italy (plain data). Partite IVA with their Luhn check digit and a valid office code,
codici fiscali with their check letter (python-stdnum ``it.iva``, ``it.codicefiscale``)."""

from __future__ import annotations

from typing import Any

_MILANO = {"line1": "Via Lodovico il Moro 12", "postcode": "20143", "city": "Milano", "country": "IT"}
_ROMA = {"line1": "Via Casilina 145", "postcode": "00176", "city": "Roma", "country": "IT"}

SELLERS: list[dict[str, Any]] = [
    {
        "id": "it-brico-navigli",
        "code": "ITBRICO",
        "legal_name": "Brico Navigli S.r.l.",
        "address": _MILANO,
        "email": "fatture@brico-navigli.example",
        "vat_id": "IT01234560157",
        "tax_number": "01234560157",
        "legal_form": "S.r.l.",
        "share_capital": "50000",
        "company_id": "MI-2034567",
        "trade_register": "Milano Monza Brianza Lodi",
        "sole_shareholder": True,
        "invoice_series": "FT-{code}-{seq:06}",
        "credit_note_series": "NC-{code}-{seq:06}",
    },
    {
        "id": "it-termo-tiberina",
        "code": "ITTERMO",
        "legal_name": "Termoidraulica Tiberina S.r.l.",
        "address": _ROMA,
        "email": "amministrazione@termo-tiberina.example",
        "vat_id": "IT09876540585",
        "tax_number": "09876540585",
        "legal_form": "S.r.l.",
        "share_capital": "10000",
        "company_id": "RM-1456789",
        "trade_register": "Roma",
    },
]

CONSUMERS: list[dict[str, Any]] = [
    {
        "kind": "consumer",
        "name": "Mario Rossi",
        "address": {"line1": "Via Padova 88", "postcode": "20127", "city": "Milano", "country": "IT"},
        "email": "mario.rossi@example.it",
        "tax_number": "RSSMRA85T10A562S",
    },
    {
        "kind": "consumer",
        "name": "Laura Bianchi",
        "address": {"line1": "Via Appia Nuova 301", "postcode": "00183", "city": "Roma", "country": "IT"},
        "tax_number": "BNCLRA90A41F205I",
    },
]

BUSINESSES: list[dict[str, Any]] = [
    {
        "kind": "business",
        "name": "Edilizia Verdi S.p.A.",
        "address": {"line1": "Corso Francia 210", "postcode": "10146", "city": "Torino", "country": "IT"},
        "vat_id": "IT05671230158",
        "email": "acquisti@edilizia-verdi.example",
    },
    {
        "kind": "business",
        "name": "Studio Architettura Neri",
        "address": {"line1": "Via Nazionale 40", "postcode": "00184", "city": "Roma", "country": "IT"},
        "vat_id": "IT03456780588",
        "tax_number": "03456780588",
    },
]

PRODUCTS: list[dict[str, Any]] = [
    {
        "sku": "IT-TRAPANO-18V",
        "description": "Trapano avvitatore a batteria 18 V",
        "quantity": "1",
        "unit_price": "89.90",
        "tax_category": "standard",
    },
    {
        "sku": "IT-VERNICE-2L5",
        "description": "Smalto murale bianco 2,5 l",
        "quantity": "2",
        "unit_price": "24.50",
        "tax_category": "standard",
    },
    {
        "sku": "IT-OLIVO-VASO",
        "description": "Olivo in vaso, pianta viva",
        "quantity": "1",
        "unit_price": "39.00",
        "tax_category": "intermediate",
    },
    {
        "sku": "IT-BASILICO",
        "description": "Basilico fresco in vaso per uso alimentare",
        "quantity": "3",
        "unit_price": "2.50",
        "tax_category": "reduced",
    },
    {
        "sku": "IT-MANUALE-FAI",
        "description": "Manuale del fai da te (libro)",
        "quantity": "1",
        "unit_price": "19.90",
        "tax_category": "super_reduced",
    },
]

_WORKS_FACTS: dict[str, Any] = {
    "property_address": {"line1": "Via Appia Nuova 301", "postcode": "00183", "city": "Roma", "country": "IT"},
    "dwelling": True,
    "private_use": "main",
    "installed_by_seller": True,
}

WORKS: list[tuple[list[dict[str, Any]], dict[str, Any]]] = [
    (
        [
            {
                "sku": "IT-POSA-CALDAIA",
                "description": "Sostituzione caldaia: smontaggio, posa in opera e collaudo",
                "quantity": "1",
                "unit_price": "600.00",
                "nature": "service",
                "tax_category": "home_renovation",
                "works_part": "labour",
            },
            {
                "sku": "IT-RACCORDI",
                "description": "Tubi e raccordi in rame",
                "quantity": "1",
                "unit_price": "100.00",
                "tax_category": "home_renovation",
                "works_part": "materials",
            },
            {
                "sku": "IT-CALDAIA-24",
                "description": "Caldaia a condensazione 24 kW",
                "quantity": "1",
                "unit_price": "1800.00",
                "tax_category": "home_renovation",
                "works_part": "significant_goods",
            },
        ],
        _WORKS_FACTS,
    ),
    (
        [
            {
                "sku": "IT-POSA-RUBINETTI",
                "description": "Sostituzione rubinetteria bagno, manodopera",
                "quantity": "3",
                "unit_price": "60.00",
                "nature": "service",
                "tax_category": "home_renovation",
                "works_part": "labour",
            },
            {
                "sku": "IT-MISCELATORE",
                "description": "Miscelatore lavabo cromato",
                "quantity": "2",
                "unit_price": "45.00",
                "tax_category": "home_renovation",
                "works_part": "significant_goods",
            },
        ],
        _WORKS_FACTS,
    ),
]
