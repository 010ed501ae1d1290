"""Demo market: Germany (DIY and home; a retailer and a solar installer). Plain data, no logic.

Identifiers are made up but pass their checks: USt-IdNr check digits (ISO 7064 mod 11,10, python-stdnum
``de.vat``), Steuernummern in the Bavarian / Lower-Saxon format (``de.stnr``), register entries at
courts python-stdnum knows (``de.handelsregisternummer``).
"""

from __future__ import annotations

from typing import Any

SELLERS: list[dict[str, Any]] = [
    {
        "id": "de-baumarkt-lindner",
        "code": "DELIND",
        "legal_name": "Baumarkt Lindner GmbH",
        "trade_name": "Lindner Heimwerkermarkt",
        "address": {"line1": "Landsberger Straße 312", "postcode": "80687", "city": "München", "country": "DE"},
        "email": "rechnungen@lindner-baumarkt.example",
        "phone": "+49 89 1234 5670",  # XRechnung BR-DE-6: the seller contact's telephone
        "vat_id": "DE812345673",
        "tax_number": "143/123/45678",
        "legal_form": "GmbH",
        "share_capital": "25000",
        "trade_register": "Amtsgericht München",
        "company_id": "HRB 214578",
        "managers": "Katrin Lindner, Michael Bauer",
        "invoice_series": "RE-{code}-{seq:06}",
        "credit_note_series": "RK-{code}-{seq:06}",
    },
    {
        "id": "de-solar-krueger",
        "code": "DESOLAR",
        "legal_name": "Solartechnik Krüger e.K.",
        "address": {"line1": "Vahrenwalder Straße 75", "postcode": "30165", "city": "Hannover", "country": "DE"},
        "email": "buchhaltung@solar-krueger.example",
        "phone": "+49 711 9876 540",
        "vat_id": "DE271828180",
        "tax_number": "25/204/18406",
        "legal_form": "e.K.",
        "trade_register": "Amtsgericht Hannover",
        "company_id": "HRA 204518",
        "invoice_series": "RE-{code}-{seq:06}",
        "credit_note_series": "RK-{code}-{seq:06}",
    },
]

CONSUMERS: list[dict[str, Any]] = [
    {
        "kind": "consumer",
        "name": "Lena Hoffmann",
        "address": {"line1": "Aachener Straße 48", "postcode": "50674", "city": "Köln", "country": "DE"},
        "email": "lena.hoffmann@example.de",
    },
    {
        "kind": "consumer",
        "name": "Tobias Wagner",
        "address": {"line1": "Karl-Liebknecht-Straße 12", "postcode": "04107", "city": "Leipzig", "country": "DE"},
        "email": "t.wagner@example.de",
    },
    {
        # An English-speaking resident: labels in English, the German mentions added.
        "kind": "consumer",
        "name": "Emily Carter",
        "address": {"line1": "Schönhauser Allee 140", "postcode": "10437", "city": "Berlin", "country": "DE"},
        "email": "emily.carter@example.com",
        "language": "en",
    },
]

BUSINESSES: list[dict[str, Any]] = [
    {
        # A roofer: sustainably provides construction services (USt 1 TG), §13b(2) Nr. 4 UStG applies.
        "kind": "business",
        "name": "Dachdeckerei Huber GmbH",
        "address": {"line1": "Haunstetter Straße 19", "postcode": "86161", "city": "Augsburg", "country": "DE"},
        "email": "einkauf@dachdeckerei-huber.example",
        "vat_id": "DE298765435",
        "facts": {"de_bauleister": True},
        # Receives e-invoices through Peppol under its VAT number, and asked for XRechnung (CII).
        "peppol_id": "9930:DE298765435",
        "xrechnung": "cii",
    },
    {
        # A property manager: no construction services of its own, the seller owes the VAT.
        "kind": "business",
        "name": "Hausverwaltung Kaiser GmbH",
        "address": {
            "line1": "Mainzer Landstraße 210",
            "postcode": "60326",
            "city": "Frankfurt am Main",
            "country": "DE",
        },
        "email": "technik@hv-kaiser.example",
        "vat_id": "DE314159262",
        "purchase_order": "BE-2026-0415",
        "facts": {"de_bauleister": False},
        "xrechnung": "ubl",  # asked for XRechnung in the UBL syntax
    },
]

PRODUCTS: list[dict[str, Any]] = [
    {
        "sku": "LIN-BOHR-18V",
        "description": "Akku-Bohrschrauber 18 V mit 2 Akkus und Ladegerät",
        "quantity": "1",
        "unit_price": "149.00",
        "tax_category": "standard",
    },
    {
        "sku": "LIN-FARBE-10L",
        "description": "Innenwandfarbe weiß matt, 10 l",
        "quantity": "2",
        "unit_price": "49.90",
        "tax_category": "standard",
    },
    {
        "sku": "LIN-LAMINAT-EI",
        "description": "Laminat Eiche natur 8 mm, Paket 2,13 m²",
        "quantity": "12",
        "unit_price": "22.90",
        "tax_category": "standard",
    },
    {
        "sku": "LIN-BUCH-RENO",
        "description": "Buch „Renovieren Schritt für Schritt“",
        "quantity": "1",
        "unit_price": "24.90",
        "tax_category": "reduced",
    },
    {
        "sku": "LIN-OLIVE-80",
        "description": "Olivenbaum im Topf, ca. 80 cm",
        "quantity": "1",
        "unit_price": "39.90",
        "tax_category": "reduced",
    },
    {
        "sku": "LIN-MONTAGE-TUER",
        "description": "Montageservice: Einbau einer Innentür vor Ort",
        "quantity": "1",
        "unit_price": "119.00",
        "nature": "service",
        "tax_category": "standard",
    },
]

_PV_FACTS: dict[str, Any] = {
    "property_address": {"line1": "Lindenweg 7", "postcode": "31134", "city": "Hildesheim", "country": "DE"},
    "dwelling": True,
    "operator_is_buyer": True,
    "pv_kwp": "8.6",
    "installed_by_seller": True,
    "client_statement": {"accepted_at": "2026-10-02T18:30:00+02:00", "text_id": "DE-PV-BETREIBER-2026"},
}

WORKS: list[tuple[list[dict[str, Any]], dict[str, Any]]] = [
    (
        [
            {
                "sku": "SOL-MODUL-430",
                "description": "PV-Modul 430 Wp monokristallin, Glas-Glas",
                "quantity": "20",
                "unit_price": "129.00",
                "tax_category": "pv_installation",
                "works_part": "equipment",
            },
            {
                "sku": "SOL-WR-8KW",
                "description": "Hybrid-Wechselrichter 8 kW",
                "quantity": "1",
                "unit_price": "1490.00",
                "tax_category": "pv_installation",
                "works_part": "equipment",
            },
            {
                "sku": "SOL-SPEICHER-10",
                "description": "Batteriespeicher 10 kWh",
                "quantity": "1",
                "unit_price": "4290.00",
                "tax_category": "pv_installation",
                "works_part": "equipment",
            },
            {
                "sku": "SOL-MONTAGE",
                "description": "Montage der PV-Anlage mit Unterkonstruktion, Anschluss und Inbetriebnahme",
                "quantity": "1",
                "unit_price": "2800.00",
                "nature": "service",
                "tax_category": "pv_installation",
                "works_part": "labour",
            },
        ],
        _PV_FACTS,
    ),
]
