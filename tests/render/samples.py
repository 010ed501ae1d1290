"""Hand-made, realistic ``Document`` records for the renderer tests.

Amounts always come from ``mandat.domain.calculation.compute`` so that lines, VAT
breakdown and totals reconcile the way production records do. Identifiers are
syntactically valid (SIREN/SIRET Luhn keys, VAT check digits) but fictitious.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any, Literal

from mandat.domain.calculation import TaxedLine, compute
from mandat.domain.documents import (
    TYPE_CODES,
    CorrectedInvoice,
    Document,
    IssuerSnapshot,
    Mention,
    PartyId,
    PartySnapshot,
    PaymentInfo,
)
from mandat.domain.parties import Address

D = Decimal

MARKETPLACE = IssuerSnapshot(
    name="Brico Market SAS",
    address=Address(line1="12 rue des Artisans", postcode="69002", city="Lyon", country="FR"),
    siren="732829320",
    vat_id="FR44732829320",
)

SELLER = PartySnapshot(
    name="Atelier Durand SARL",
    trade_name="Durand Bricolage",
    address=Address(line1="8 rue Mercière", postcode="69002", city="Lyon", country="FR"),
    vat_id="FR11123456782",
    siren="123456782",
    siret="12345678200010",
    email="contact@atelier-durand.example",
    legal_form="SARL",
    share_capital=D("20000"),
    registry="RCS Lyon",
    is_business=True,
)

# Micro-entrepreneur under the VAT franchise: no VAT id, and no email on file.
FRANCHISE_SELLER = PartySnapshot(
    name="Jean Martin",
    trade_name="Martin Dépannage",
    address=Address(line1="3 impasse des Lilas", postcode="38000", city="Grenoble", country="FR"),
    siren="812345676",
    legal_form="EI",
    registry="RM Isère",
    is_business=True,
)

CONSUMER = PartySnapshot(
    name="Camille Lefèvre",
    address=Address(
        line1="27 cours Émile Zola", line2="Bât. B, 3e étage", postcode="69100", city="Villeurbanne", country="FR"
    ),
    email="camille.lefevre@example.org",
)

FR_COMPANY = PartySnapshot(
    name="Menuiserie Bernard SAS",
    address=Address(line1="45 avenue Jean Jaurès", postcode="69007", city="Lyon", country="FR"),
    vat_id="FR75512345679",
    siren="512345679",
    siret="51234567900017",
    email="compta@menuiserie-bernard.example",
    is_business=True,
)

DE_COMPANY = PartySnapshot(
    name="Holzbau Schneider GmbH",
    address=Address(line1="Hauptstraße 5", postcode="80331", city="München", country="DE"),
    vat_id="DE136695976",
    email="einkauf@holzbau-schneider.example",
    is_business=True,
)

B2B_PAYMENT_MENTIONS = [
    Mention(
        code="recovery_indemnity",
        text="Indemnité forfaitaire pour frais de recouvrement en cas de retard de paiement : 40 €",
        note_subject="PMT",
    ),
    Mention(
        code="late_penalties",
        text="Pénalités de retard : taux d'intérêt de la BCE majoré de 10 points",
        note_subject="PMD",
    ),
    Mention(code="early_payment", text="Pas d'escompte pour paiement anticipé", note_subject="AAB"),
]

FRANCHISE_REASON = ("TVA non applicable, art. 293 B du CGI", "VATEX-FR-FRANCHISE")
INTRA_EU_REASON = ("Exonération de TVA, art. 262 ter I du CGI", "VATEX-EU-IC")


def taxed(
    sku: str,
    description: str,
    quantity: str,
    unit_price: str,
    rate: str,
    *,
    unit: str = "C62",
    discount: str = "0",
    discount_reason: str | None = None,
    nature: str = "goods",
    category: Literal["S", "Z", "E", "AE", "K", "G", "O"] = "S",
) -> TaxedLine:
    return TaxedLine(
        sku=sku,
        description=description,
        quantity=D(quantity),
        unit=unit,
        unit_price=D(unit_price),
        discount=D(discount),
        discount_reason=discount_reason,
        nature=nature,
        category=category,
        rate=D(rate),
    )


def mandate_mention(seller: PartySnapshot, kind: str = "invoice") -> Mention:
    noun = "Avoir émis" if kind == "credit_note" else "Facture émise"
    return Mention(code="mandate", text=f"{noun} par {MARKETPLACE.name} au nom et pour le compte de {seller.name}")


def make_document(
    lines: Sequence[TaxedLine],
    *,
    prices_include_vat: bool,
    seller: PartySnapshot = SELLER,
    buyer: PartySnapshot = CONSUMER,
    business_case: Literal["B2B", "B2BINT", "B2C", "OUTOFSCOPE"] = "B2C",
    operation_category: Literal["B1", "S1", "M1"] = "B1",
    exemptions: dict[str, tuple[str, str]] | None = None,
    mentions: Sequence[Mention] = (),
    kind: Literal["invoice", "credit_note"] = "invoice",
    seq: int = 42,
    issue_date: date = date(2026, 11, 20),
    payment_method: str = "card",
    **fields: Any,
) -> Document:
    """A complete, hashed record; ``fields`` override any other ``Document`` field."""
    computed = compute(list(lines), prices_include_vat, exemptions or {})
    series = ("A-" if kind == "credit_note" else "F-") + "ATD"
    issued_at = datetime(issue_date.year, issue_date.month, issue_date.day, 9, 30, tzinfo=UTC)
    values: dict[str, Any] = {
        "id": f"doc-{series}-{seq}",
        "kind": kind,
        "type_code": TYPE_CODES[kind],
        "number": f"{series}-{seq:06d}",
        "series": series,
        "seq": seq,
        "issued_at": issued_at,
        "issue_date": issue_date,
        "currency": "EUR",
        "language": "fr",
        "country": "FR",
        "seller_id": "atelier-durand",
        "seller": seller,
        "buyer": buyer,
        "issuer": MARKETPLACE,
        "marketplace_id": "bricomarket",
        "order_id": f"BM-2026-{seq:07d}",
        "event_id": f"evt-{seq}",
        "idempotency_key": f"bricomarket:BM-2026-{seq:07d}:{kind}",
        "delivery_date": issue_date - timedelta(days=2),
        "operation_category": operation_category,
        "business_case": business_case,
        "lines": computed.lines,
        "vat_breakdown": computed.breakdown,
        "totals": computed.totals,
        "payment": PaymentInfo(
            provider="stripe",
            transaction_id=f"pi_3Q{seq:08d}",
            method=payment_method,
            paid_at=issued_at - timedelta(days=3),
            amount=computed.totals.tax_inclusive,
        ),
        "mentions": [mandate_mention(seller, kind), *mentions],
        "trace": ["samples: hand-made test record", *computed.notes],
        "prev_hash": "0" * 64,
        "hash": "",
    }
    values.update(fields)
    doc = Document(**values)
    return doc.model_copy(update={"hash": doc.compute_hash()})


def b2c_domestic() -> Document:
    """Consumer in Lyon, prices incl. VAT, three rates (20 / 10 / 5.5) and a discounted line."""
    return make_document(
        [
            taxed(
                "PEINT-10L",
                "Peinture acrylique blanche mate 10 L",
                "2",
                "59.90",
                "20",
                discount="10.00",
                discount_reason="Promotion de printemps",
            ),
            taxed(
                "POSE-PARQ",
                "Pose de parquet flottant (main d'œuvre)",
                "12.5",
                "24.00",
                "10",
                unit="MTK",
                nature="service",
            ),
            taxed(
                "ISOL-COMB",
                "Isolation des combles, laine de verre 300 mm, fournie et posée",
                "30",
                "18.50",
                "5.5",
                unit="MTK",
                nature="service",
            ),
            taxed("VIS-INOX", "Vis inox 4×40 « tête fraisée » (boîte de 200)", "3", "12.49", "20"),
        ],
        prices_include_vat=True,
        operation_category="M1",
        mentions=[
            Mention(
                code="reduced_rate_certification",
                text="Le client certifie que les travaux portent sur un logement achevé depuis plus de "
                "deux ans et que les conditions des taux réduits de 10 % et 5,5 % sont remplies.",
            ),
        ],
        delivery_address=Address(
            line1="Chantier Lefèvre, 14 rue Paul Bert", postcode="69003", city="Lyon", country="FR"
        ),
    )


def b2b_domestic() -> Document:
    """French company buyer (SIREN, PO number), prices excl. VAT, terms and the L441-9 notes."""
    issue = date(2026, 11, 20)
    return make_document(
        [
            taxed(
                "OSB-18",
                "Panneau OSB 3 18 mm 2500×1250",
                "40",
                "21.375",
                "20",
                discount="25.00",
                discount_reason="Remise quantité",
            ),
            taxed("COLLE-D3", "Colle à bois D3, seau de 5 kg", "6", "38.90", "20"),
            taxed("LIVR-CH", "Livraison sur chantier", "1", "45", "20", nature="service"),
        ],
        prices_include_vat=False,
        buyer=FR_COMPANY,
        business_case="B2B",
        operation_category="M1",
        mentions=B2B_PAYMENT_MENTIONS,
        seq=43,
        issue_date=issue,
        payment_method="transfer",
        purchase_order="PO-2026-118",
        due_date=issue,
        payment_terms="Payée à la commande sur Brico Market : aucun montant restant dû",
    )


def franchise() -> Document:
    """Franchise-en-base seller (category E, VATEX-FR-FRANCHISE) to a French company."""
    issue = date(2026, 11, 18)
    return make_document(
        [
            taxed(
                "DEP-PORTE",
                "Réparation de porte de garage sectionnelle",
                "1",
                "180",
                "0",
                nature="service",
                category="E",
                unit="HUR",
            ),
            taxed("RESSORT", "Ressort de torsion (pièce détachée)", "2", "35.50", "0", category="E"),
        ],
        prices_include_vat=False,
        seller=FRANCHISE_SELLER,
        buyer=FR_COMPANY,
        business_case="B2B",
        operation_category="M1",
        exemptions={"E": FRANCHISE_REASON},
        mentions=[Mention(code="vat_exemption", text=FRANCHISE_REASON[0]), *B2B_PAYMENT_MENTIONS],
        seq=7,
        issue_date=issue,
        due_date=issue + timedelta(days=30),
        payment_terms="Paiement à 30 jours date de facture",
        seller_id="jean-martin",
    )


def intra_eu() -> Document:
    """Exempt intra-EU supply of goods (category K) to a German company, delivered in Munich."""
    return make_document(
        [
            taxed("OSB-18", "Panneau OSB 3 18 mm 2500×1250", "120", "20.90", "0", category="K"),
            taxed(
                "LAMB-CHE",
                "Lambris chêne massif 14 mm (botte de 2,5 m²)",
                "18",
                "64.333333",
                "0",
                category="K",
                discount="12.00",
                discount_reason="Remise professionnelle",
            ),
        ],
        prices_include_vat=False,
        buyer=DE_COMPANY,
        business_case="B2BINT",
        operation_category="B1",
        exemptions={"K": INTRA_EU_REASON},
        mentions=[Mention(code="vat_exemption", text=INTRA_EU_REASON[0]), *B2B_PAYMENT_MENTIONS],
        seq=44,
        payment_method="transfer",
        delivery_address=Address(line1="Baustelle Leopoldstraße 20", postcode="80802", city="München", country="DE"),
    )


def credit_note() -> Document:
    """Credit note (381) for ten damaged panels of :func:`b2b_domestic`, citing it (BT-25/26)."""
    original = b2b_domestic()
    return make_document(
        [taxed("OSB-18", "Panneau OSB 3 18 mm 2500×1250 (retour, endommagé)", "10", "21.375", "20")],
        prices_include_vat=False,
        buyer=FR_COMPANY,
        business_case="B2B",
        operation_category="B1",
        mentions=B2B_PAYMENT_MENTIONS,
        kind="credit_note",
        seq=3,
        issue_date=date(2026, 11, 27),
        payment_method="transfer",
        corrects=CorrectedInvoice(number=original.number, issue_date=original.issue_date),
        reason="Retour de 10 panneaux endommagés à la livraison",
        purchase_order="PO-2026-118",
        delivery_date=date(2026, 11, 25),
    )


ALL_SAMPLES = {
    "b2c_domestic": b2c_domestic,
    "b2b_domestic": b2b_domestic,
    "franchise": franchise,
    "intra_eu": intra_eu,
    "credit_note": credit_note,
}


# -- the other markets (issue 13): one seller per country, pages in each language -------------------

FOREIGN_SELLERS: dict[str, PartySnapshot] = {
    "BE": PartySnapshot(
        name="Schrijnwerkerij Peeters BV",
        address=Address(line1="Meir 12", postcode="2000", city="Antwerpen", country="BE"),
        vat_id="BE0123456749",
        ids=[PartyId(label="KBO/BCE", value="0123.456.749", role="legal", scheme="0208")],
        legal_info="BV · RPR Antwerpen, afdeling Antwerpen",
        email="info@peeters.example",
        is_business=True,
    ),
    "DE": PartySnapshot(
        name="Holzwerkstatt Müller GmbH",
        address=Address(line1="Schloßstraße 7", postcode="80331", city="München", country="DE"),
        vat_id="DE136695976",
        ids=[PartyId(label="Steuernummer", value="143/123/45678", role="tax")],
        legal_info="Amtsgericht München HRB 123456 · Geschäftsführerin: Jördis Müller",
        is_business=True,
    ),
    "ES": PartySnapshot(
        name="Carpintería García e Hijos S.L.",
        address=Address(line1="Calle de Alcalá 48", postcode="28014", city="Madrid", country="ES"),
        vat_id="ESB12345674",
        ids=[PartyId(label="NIF", value="B12345674", role="tax")],
        legal_info="Registro Mercantil de Madrid, tomo 1234, folio 56, hoja M-78901",
        is_business=True,
    ),
    "IT": PartySnapshot(
        name="Falegnameria Rossi S.r.l.",
        address=Address(line1="Via della Spiga 3", postcode="20121", city="Milano", country="IT"),
        vat_id="IT12345678903",
        ids=[PartyId(label="Codice fiscale", value="12345678903", role="tax")],
        legal_info="REA MI-1234567 · capitale sociale € 10.000 i.v. · socio unico",
        is_business=True,
    ),
    "PT": PartySnapshot(
        name="Carpintaria Conceição & Filhos, Lda.",
        address=Address(line1="Rua Augusta 100", postcode="1100-053", city="Lisboa", country="PT"),
        vat_id="PT123456789",
        ids=[PartyId(label="NIF", value="123456789", role="tax")],
        legal_info="Conservatória do Registo Comercial de Lisboa · capital social 5 000 €",
        is_business=True,
    ),
    "PL": PartySnapshot(
        name="Stolarnia Łukasz Żółkiewski sp. z o.o.",
        address=Address(line1="ul. Świętokrzyska 12", postcode="00-916", city="Warszawa", country="PL"),
        vat_id="PL5260250274",
        ids=[
            PartyId(label="NIP", value="526-025-02-74", role="tax"),
            PartyId(label="KRS", value="0000123456", role="legal"),
        ],
        legal_info="Sąd Rejonowy dla m.st. Warszawy, XII Wydział Gospodarczy KRS · kapitał zakładowy 50 000 zł",
        is_business=True,
    ),
    "UK": PartySnapshot(
        name="Smith & Daughters Joinery Ltd",
        address=Address(line1="221B Baker Street", postcode="NW1 6XE", city="London", country="GB"),
        vat_id="GB980780684",
        ids=[PartyId(label="Company No.", value="01234567", role="legal")],
        legal_info="Registered in England and Wales",
        is_business=True,
    ),
}

# The market of each page language in these samples, and a buyer at home there.
LANGUAGE_MARKET: dict[str, str] = {
    "fr": "FR",
    "nl": "BE",
    "de": "DE",
    "es": "ES",
    "it": "IT",
    "pt": "PT",
    "pl": "PL",
    "en": "UK",
}

FOREIGN_BUYERS: dict[str, PartySnapshot] = {
    "fr": CONSUMER,
    "nl": PartySnapshot(
        name="Els Van den Broeck",
        address=Address(line1="Korenmarkt 1", postcode="9000", city="Gent", country="BE"),
    ),
    "de": PartySnapshot(
        name="Jürgen Weiß",
        address=Address(line1="Straße des 17. Juni 100", postcode="10557", city="Berlin", country="DE"),
    ),
    "es": PartySnapshot(
        name="Begoña Núñez",
        address=Address(line1="Plaza Mayor 1", postcode="37002", city="Salamanca", country="ES"),
    ),
    "it": PartySnapshot(
        name="Niccolò Fabbri",
        address=Address(line1="Piazza San Marco 1", postcode="30124", city="Venezia", country="IT"),
    ),
    "pt": PartySnapshot(
        name="João Gonçalves",
        address=Address(line1="Praça do Comércio 5", postcode="4050-253", city="Porto", country="PT"),
    ),
    "pl": PartySnapshot(
        name="Grzegorz Brzęczyszczykiewicz",
        address=Address(line1="ul. Żeromskiego 44", postcode="30-001", city="Kraków", country="PL"),
    ),
    "en": PartySnapshot(
        name="Siobhan O'Connell",
        address=Address(line1="1 Princes Street", postcode="EH2 2EQ", city="Edinburgh", country="GB"),
    ),
}

# Standard and reduced rates of the sample lines, per market (the law of each, 2026).
MARKET_RATES: dict[str, tuple[str, str]] = {
    "FR": ("20", "5.5"),
    "BE": ("21", "6"),
    "DE": ("19", "7"),
    "ES": ("21", "10"),
    "IT": ("22", "10"),
    "PT": ("23", "6"),
    "PL": ("23", "8"),
    "UK": ("20", "5"),
}
MARKET_CURRENCY: dict[str, str] = {"PL": "PLN", "UK": "GBP"}


def foreign_document(
    language: str,
    *,
    market: str | None = None,
    currency: str | None = None,
    mentions: Sequence[Mention] = (),
    kind: Literal["invoice", "credit_note"] = "invoice",
    **fields: Any,
) -> Document:
    """A B2C invoice of the market's seller to a buyer at home there, with the page in *language*.

    The mentions are the test's own (``mentions``): the rules would word them in the seller country's language.
    """
    market = market or LANGUAGE_MARKET[language]
    standard, reduced = MARKET_RATES[market]
    seller = FOREIGN_SELLERS.get(market, SELLER)
    doc = make_document(
        [
            taxed("PL-ŁÓDŹ-42", "Półka dębowa 80 cm — Eichenregal „Ærø“ (3 × 2,5 kg)", "2", "49.90", standard),
            taxed("LIB-1", "Libro: «El Quijote», edición ilustrada", "1", "19.00", reduced),
        ],
        prices_include_vat=True,
        seller=seller,
        buyer=FOREIGN_BUYERS[language],
        kind=kind,
        language=language,
        country=market,
        currency=currency or MARKET_CURRENCY.get(market, "EUR"),
        **fields,
    )
    doc = doc.model_copy(update={"mentions": list(mentions), "hash": ""})
    return doc.model_copy(update={"hash": doc.compute_hash()})
