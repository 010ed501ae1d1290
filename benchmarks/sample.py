"""The one invoice every render engine draws: 10 lines, French, accents, three VAT rates, B2B domestic.

Built like ``tests/render/samples.py`` (amounts from ``mandat.domain.calculation.compute``, so lines,
VAT breakdown and totals reconcile as in production) but self-contained: benchmarks/ never imports
tests/. Domestic B2B is chosen because it is the richest record: buyer identifiers, purchase order,
due date, the L441-9 payment mentions, and the French CTC (BR-FR) Schematron applies on top of EN 16931.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from mandat.domain.calculation import TaxedLine, compute
from mandat.domain.documents import TYPE_CODES, Document, IssuerSnapshot, Mention, PartySnapshot, PaymentInfo
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

BUYER = PartySnapshot(
    name="Menuiserie Bernard & Fils SAS",
    address=Address(
        line1="45 avenue Jean Jaurès", line2="Bâtiment C, 2e étage", postcode="69007", city="Lyon", country="FR"
    ),
    vat_id="FR75512345679",
    siren="512345679",
    siret="51234567900017",
    email="compta@menuiserie-bernard.example",
    is_business=True,
)

# (sku, description, quantity, unit price excl. VAT, rate, unit, discount, discount reason, nature)
LINES: list[tuple[str, str, str, str, str, str, str, str | None, str]] = [
    ("OSB-18", "Panneau OSB 3 18 mm 2500×1250", "40", "21.375", "20", "C62", "25.00", "Remise quantité", "goods"),
    ("COLLE-D3", "Colle à bois D3, seau de 5 kg", "6", "38.90", "20", "C62", "0", None, "goods"),
    ("VIS-INOX", "Vis inox 4×40 « tête fraisée » (boîte de 200)", "12", "10.41", "20", "C62", "0", None, "goods"),
    ("LAMB-CHE", "Lambris chêne massif 14 mm (botte de 2,5 m²)", "18", "53.61", "20", "C62", "0", None, "goods"),
    ("POSE-PARQ", "Pose de parquet flottant (main d'œuvre)", "12.5", "21.82", "10", "MTK", "0", None, "service"),
    (
        "ISOL-COMB",
        "Isolation des combles, laine de verre 300 mm, fournie et posée",
        "30",
        "17.54",
        "5.5",
        "MTK",
        "0",
        None,
        "service",
    ),
    (
        "PEINT-10L",
        "Peinture acrylique blanche mate 10 L « Éclat »",
        "4",
        "49.92",
        "20",
        "C62",
        "10.00",
        "Promotion de printemps",
        "goods",
    ),
    ("PLINTHE-É", "Plinthes médium à peindre 2,40 m (lot de 10)", "3", "32.45", "20", "C62", "0", None, "goods"),
    ("DÉPL-CH", "Déplacement et évacuation des gravats à la déchèterie", "1", "85", "10", "C62", "0", None, "service"),
    ("LIVR-CH", "Livraison sur chantier, créneau matinal", "1", "45", "20", "C62", "0", None, "service"),
]

MENTIONS = [
    Mention(
        code="mandate",
        text=f"Facture émise par {MARKETPLACE.name} au nom et pour le compte de {SELLER.name}",
    ),
    Mention(
        code="reduced_rate_certification",
        text="Le client certifie que les travaux portent sur un logement achevé depuis plus de deux ans "
        "et que les conditions des taux réduits de 10 % et 5,5 % sont remplies.",
    ),
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


def document(seq: int = 42) -> Document:
    """A complete, hashed record (``seq`` changes the number, so several distinct documents can be made)."""
    taxed = [
        TaxedLine(
            sku=sku,
            description=desc,
            quantity=D(qty),
            unit=unit,
            unit_price=D(price),
            discount=D(disc),
            discount_reason=reason,
            nature=nature,
            category="S",
            rate=D(rate),
        )
        for sku, desc, qty, price, rate, unit, disc, reason, nature in LINES
    ]
    computed = compute(taxed, False, {})
    issue = date(2026, 11, 20)
    issued_at = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)
    series = "F-ATD"
    doc = Document(
        id=f"doc-{series}-{seq}",
        kind="invoice",
        type_code=TYPE_CODES["invoice"],
        number=f"{series}-{seq:06d}",
        series=series,
        seq=seq,
        issued_at=issued_at,
        issue_date=issue,
        currency="EUR",
        language="fr",
        country="FR",
        seller_id="atelier-durand",
        seller=SELLER,
        buyer=BUYER,
        issuer=MARKETPLACE,
        marketplace_id="bricomarket",
        order_id=f"BM-2026-{seq:07d}",
        purchase_order="BC-2026-118 « chantier Fourvière »",
        event_id=f"evt-{seq}",
        idempotency_key=f"bricomarket:BM-2026-{seq:07d}:invoice",
        delivery_date=issue - timedelta(days=2),
        delivery_address=Address(
            line1="Chantier Lefèvre, 14 rue Paul Bert", postcode="69003", city="Lyon", country="FR"
        ),
        operation_category="M1",
        business_case="B2B",
        lines=computed.lines,
        vat_breakdown=computed.breakdown,
        totals=computed.totals,
        payment=PaymentInfo(
            provider="stripe",
            transaction_id=f"pi_3Q{seq:08d}",
            method="transfer",
            paid_at=issued_at - timedelta(days=3),
            amount=computed.totals.tax_inclusive,
        ),
        due_date=issue,
        payment_terms="Payée à la commande sur Brico Market : aucun montant restant dû",
        mentions=MENTIONS,
        trace=["benchmarks: hand-made record", *computed.notes],
        prev_hash="0" * 64,
        hash="",
    )
    return doc.model_copy(update={"hash": doc.compute_hash()})
