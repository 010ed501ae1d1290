"""Demo market: Portugal (mainland). Plain data; NIFs carry their mod-11 check digit
(stdnum.pt.nif.calc_check_digit), VAT numbers are PT + NIF, postcodes are mainland (not 9xxx-xxx)."""

from __future__ import annotations

from typing import Any

SELLERS: list[dict[str, Any]] = [
    {
        "id": "pt-casa-lisboa",
        "code": "PTCASA",
        "legal_name": "Casa & Jardim Lisboa, Lda.",
        "trade_name": "Casa & Jardim",
        "address": {"line1": "Rua da Prata 120", "postcode": "1100-420", "city": "Lisboa", "country": "PT"},
        "email": "faturas@casa-jardim.example",
        "vat_id": "PT512345678",
        "tax_number": "512345678",
        "company_id": "512345678",
        "legal_form": "Sociedade por quotas",
        "share_capital": "5000",
        "trade_register": "Conservatória do Registo Comercial de Lisboa",
        "invoice_series": "FT-{code}-{seq:06}",
        "credit_note_series": "NC-{code}-{seq:06}",
        # The validation codes the AT returned for the series (demo values: Portaria 195/2020 art. 3).
        "atcud_codes": {"FT": "JFJ3KB9M", "NC": "JFJ3KB9N"},
    },
    {
        "id": "pt-obras-porto",
        "code": "PTOBRAS",
        "legal_name": "Obras Norte Remodelações, S.A.",
        "address": {"line1": "Avenida da Boavista 1500", "postcode": "4100-114", "city": "Porto", "country": "PT"},
        "email": "faturacao@obras-norte.example",
        "vat_id": "PT509876544",
        "tax_number": "509876544",
        "legal_form": "Sociedade anónima",
        "share_capital": "50000",
        "trade_register": "Conservatória do Registo Comercial do Porto",
        "invoice_series": "FT-{code}-{seq:06}",
        "credit_note_series": "NC-{code}-{seq:06}",
        # The validation codes the AT returned for the series (demo values: Portaria 195/2020 art. 3).
        "atcud_codes": {"FT": "K7RW2D4P", "NC": "K7RW2D4Q"},
    },
]

CONSUMERS: list[dict[str, Any]] = [
    {
        "kind": "consumer",
        "name": "Ana Rodrigues",
        "address": {"line1": "Rua do Carmo 15, 2.º Esq.", "postcode": "3000-098", "city": "Coimbra", "country": "PT"},
        "email": "ana.rodrigues@example.pt",
    },
    {
        # A consumer who asked for her NIF on the invoice (CIVA art. 36 n.º 5 a), on request).
        "kind": "consumer",
        "name": "João Ferreira",
        "address": {"line1": "Rua de Santa Catarina 300", "postcode": "4000-447", "city": "Porto", "country": "PT"},
        "tax_number": "213456788",
    },
]

BUSINESSES: list[dict[str, Any]] = [
    {
        # A property manager with a right to deduct: works for it are reverse charged.
        "kind": "business",
        "name": "Imobiliária Tejo, Lda.",
        "address": {"line1": "Avenida da Liberdade 200", "postcode": "1250-147", "city": "Lisboa", "country": "PT"},
        "vat_id": "PT517880016",
        "facts": {"pt_deduction_right": True},
    },
    {
        # An association without a right to deduct (exempt activity): works for it bear VAT.
        "kind": "business",
        "name": "Associação Cultural do Alentejo",
        "address": {"line1": "Praça do Giraldo 10", "postcode": "7000-508", "city": "Évora", "country": "PT"},
        "vat_id": "PT505558882",
        "facts": {"pt_deduction_right": False},
    },
]

PRODUCTS: list[dict[str, Any]] = [
    {
        "sku": "PT-BERB-01",
        "description": "Berbequim com percussão 750 W",
        "quantity": "1",
        "unit_price": "79.90",
        "tax_category": "standard",
    },
    {
        "sku": "PT-TINT-15",
        "description": "Tinta plástica branca mate 15 L",
        "quantity": "2",
        "unit_price": "54.50",
        "tax_category": "standard",
    },
    {
        # List II (13 %): seller's classification, informative (docs/countries.md §7.1).
        "sku": "PT-AZEI-05",
        "description": "Azeite virgem extra 5 L (cabaz de inauguração)",
        "quantity": "1",
        "unit_price": "32.00",
        "tax_category": "intermediate",
    },
    {
        # List I item 2.1 (6 %): books.
        "sku": "PT-LIVR-01",
        "description": "Livro «Manual de bricolage e reparações em casa»",
        "quantity": "1",
        "unit_price": "24.90",
        "tax_category": "reduced",
    },
]

WORKS: list[tuple[list[dict[str, Any]], dict[str, Any]]] = [
    (
        # Bathroom renovation: materials 180.00 of 1000.00 = 18 % <= 20 %: everything at 6 % (List I 2.27).
        [
            {
                "sku": "PT-OBRA-MO",
                "description": "Remodelação de casa de banho: mão de obra",
                "quantity": "1",
                "unit_price": "820.00",
                "nature": "service",
                "tax_category": "home_renovation",
                "works_part": "labour",
            },
            {
                "sku": "PT-OBRA-MAT",
                "description": "Materiais incorporados: cimento-cola, silicone, tubagem",
                "quantity": "1",
                "unit_price": "180.00",
                "tax_category": "home_renovation",
                "works_part": "materials",
            },
        ],
        {
            "dwelling": True,
            "property_address": {
                "line1": "Rua do Carmo 15, 2.º Esq.",
                "postcode": "3000-098",
                "city": "Coimbra",
                "country": "PT",
            },
        },
    ),
]
