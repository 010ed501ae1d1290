"""French VAT treatment, mentions and refusals, decided from events (no database)."""

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from mandat.domain.drafts import Draft
from mandat.domain.events import OrderPaid
from mandat.domain.parties import Mandate
from mandat.domain.refusals import Rejected, Waiting
from mandat.rules.draft import draft_invoice
from tests.factories import DE_COMPANY, FR_COMPANY, HEAT_PUMP_LINES, MARKETPLACE, NOW, TODAY, order, seller


def draft(event: dict[str, Any], seller_id: str | None = None, **seller_changes: Any) -> Draft:
    ev = OrderPaid.model_validate(event)
    return draft_invoice(ev, seller(seller_id or ev.seller_id, **seller_changes), MARKETPLACE, TODAY)


def texts(d: Draft) -> list[str]:
    return [m.text for m in d.fields["mentions"]]


def test_domestic_b2c_two_rates_with_shipping_at_highest_rate() -> None:
    d = draft(order(shipping="9.90"))
    doc = d.finalize(1, NOW, "0" * 64)
    rates = {(b.category, b.rate): b for b in doc.vat_breakdown}
    assert set(rates) == {("S", Decimal("20")), ("S", Decimal("10"))}
    # 3 x 8.90 + 9.90 shipping at 20 % (the highest rate of the order), 119.00 at 10 %, all VAT included.
    assert rates[("S", Decimal("20"))].taxable_amount + rates[("S", Decimal("20"))].tax_amount == Decimal("36.60")
    assert rates[("S", Decimal("10"))].taxable_amount == Decimal("108.18")
    assert doc.totals.tax_inclusive == Decimal("155.60")
    assert doc.business_case == "B2C"
    assert doc.operation_category == "B1"
    assert doc.number == "F-ABJ-000001"
    assert any("au nom et pour le compte de Atelier Bois & Jardin SARL" in t for t in texts(d))
    assert not any("Pénalités" in t for t in texts(d))  # consumer: no B2B payment mentions


def test_b2b_french_buyer_gets_payment_mentions_and_siren() -> None:
    d = draft(
        order(
            "peintures-lumiere",
            buyer=FR_COMPANY,
            include_vat=False,
            lines=[
                {
                    "sku": "PLU-BLANC-10",
                    "description": "Peinture blanc mat 10 L",
                    "quantity": "4",
                    "unit_price": "66.58",
                    "vat_rate": "20",
                }
            ],
        )
    )
    doc = d.finalize(7, NOW, "0" * 64)
    assert doc.business_case == "B2B"
    assert doc.totals.tax_exclusive == Decimal("266.32")
    assert doc.totals.tax_total == Decimal("53.26")
    all_text = " ".join(texts(d))
    assert "40 €" in all_text
    assert "BCE" in all_text
    assert "majoré de 10 points" in all_text
    assert "Escompte" in all_text
    assert "SIREN de l'acheteur : 443061841" in all_text
    assert {m.note_subject for m in doc.mentions} >= {"PMT", "PMD", "AAB"}
    assert doc.due_date == doc.issue_date


def test_franchise_seller_charges_no_vat_and_says_why() -> None:
    d = draft(
        order(
            "quincaillerie-dupont",
            lines=[
                {
                    "sku": "QDU-VIS-500",
                    "description": "Vis à bois",
                    "quantity": "2",
                    "unit_price": "9.90",
                    "tax_category": "standard",  # an explicit "vat_rate": "20" is refused (vat_rate_mismatch)
                }
            ],
        )
    )
    doc = d.finalize(1, NOW, "0" * 64)
    assert [(b.category, b.rate, b.tax_amount, b.exemption_code) for b in doc.vat_breakdown] == [
        ("E", Decimal(0), Decimal(0), "VATEX-FR-FRANCHISE")
    ]
    assert doc.totals.tax_inclusive == Decimal("19.80")
    assert "TVA non applicable, art. 293 B du CGI" in texts(d)


def test_intra_eu_supply_of_goods_is_exempt_with_both_vat_ids() -> None:
    d = draft(
        order(
            "outillage-pro",
            buyer=DE_COMPANY,
            include_vat=False,
            lines=[
                {
                    "sku": "OPL-PERC-18V",
                    "description": "Perceuse",
                    "quantity": "10",
                    "unit_price": "157.50",
                    "tax_category": "standard",
                }
            ],
        )
    )
    doc = d.finalize(1, NOW, "0" * 64)
    assert [(b.category, b.exemption_code) for b in doc.vat_breakdown] == [("K", "VATEX-EU-IC")]
    assert doc.totals.tax_total == 0
    assert doc.totals.tax_inclusive == Decimal("1575.00")
    all_text = " ".join(texts(d))
    assert "Exonération de TVA, art. 262 ter I du CGI" in all_text
    assert "DE136695976" in all_text
    assert seller("outillage-pro").vat_id in all_text
    assert doc.business_case == "B2BINT"


def test_export_outside_eu_is_exempt() -> None:
    ch = {"line1": "Rue du Rhône 42", "postcode": "1204", "city": "Genève", "country": "CH"}
    d = draft(order(delivery_address=ch))
    assert [b.category for b in d.fields["vat_breakdown"]] == ["G"]
    assert "Exonération de TVA, art. 262 I du CGI" in texts(d)


def test_energy_renovation_prints_client_certification_and_insurance() -> None:
    d = draft(
        order(
            "thermoconfort",
            lines=[
                *HEAT_PUMP_LINES,
            ],
        )
    )
    assert [b.rate for b in d.fields["vat_breakdown"]] == [Decimal("5.5")]
    all_text = " ".join(texts(d))
    assert "278-0 bis A" in all_text
    assert "MAAF Pro" in all_text
    assert d.fields["operation_category"] == "M1"


@pytest.mark.parametrize(
    ("event", "seller_changes", "code"),
    [
        (order(payment={"amount": "1.00"}, fix_amount=False), {}, "payment_amount"),
        (order(payment={"currency": "USD"}), {}, "payment_currency"),
        (order(payment={"status": "failed"}), {}, "payment_not_captured"),
        (
            order(
                lines=[{"sku": "A", "description": "a", "quantity": "1", "unit_price": "10", "vat_rate": "19.6"}],
                fix_amount=False,
            ),
            {},
            "vat_rate_invalid",
        ),
        (
            order(
                lines=[{"sku": "A", "description": "a", "quantity": "1", "unit_price": "10"}],
                fix_amount=False,
            ),
            {},
            "vat_rate_missing",
        ),
        (order(), {"mandate": None}, "mandate_missing"),
        (
            order(),
            {"mandate": Mandate(version="v1", accepted_at=datetime(2026, 1, 1, tzinfo=UTC), status="revoked")},
            "mandate_inactive",
        ),
        (
            order(),
            {"mandate": Mandate(version="v1", accepted_at=datetime(2026, 12, 1, tzinfo=UTC))},
            "mandate_not_prior",
        ),
        (
            order(
                delivery_address={
                    "line1": "Via Roma 1",
                    "postcode": "00184",
                    "city": "Roma",
                    "country": "IT",
                },
                fix_amount=False,
            ),
            {},
            "distance_sales_unknown",  # a distance sale (Directive art. 33, 59c), no distance-sales totals
        ),
        (
            order(buyer={**DE_COMPANY, "vat_id": "DE136695975"}, include_vat=False, fix_amount=False),
            {},
            "buyer_vat_invalid",
        ),
        (
            order(
                "cuisine-bain",
                lines=[
                    {
                        "sku": "P",
                        "description": "Pose",
                        "quantity": "1",
                        "unit_price": "900",
                        "nature": "service",
                        "tax_category": "home_renovation",
                    }
                ],
                fix_amount=False,
            ),
            {"insurance": None},
            "seller_insurance_missing",
        ),
    ],
)
def test_refusals_carry_a_stable_code_and_a_reason(
    event: dict[str, Any], seller_changes: dict[str, Any], code: str
) -> None:
    with pytest.raises(Rejected) as exc:
        draft(event, **seller_changes)
    assert exc.value.code == code
    assert exc.value.reason


def test_uncaptured_payment_waits() -> None:
    with pytest.raises(Waiting):
        draft(order(payment={"status": "authorized", "captured_at": None}))


def test_french_business_without_siren_is_refused_once_mandatory_for_its_size() -> None:
    buyer = {k: v for k, v in FR_COMPANY.items() if k != "siren"}
    event = order(
        "peintures-lumiere", buyer=buyer, include_vat=False, fix_amount=False
    )  # a mid-size seller: live since 2026-09-01
    with pytest.raises(Rejected) as exc:
        draft(event)
    assert exc.value.code == "buyer_siren_missing"
    small = order("atelier-bois", buyer=buyer, include_vat=False)  # an SME: mandatory from 2027-09-01
    assert draft(small).fields["business_case"] == "B2B"


def test_number_format_is_checked_against_br_fr_before_issuing() -> None:
    with pytest.raises(Rejected) as exc:
        draft(order(), invoice_series="F {code} {seq:06}")
    assert exc.value.code == "number_format"


def test_number_parts_rebuild_the_number_for_sql() -> None:
    d = draft(order(), invoice_series="FA/{code}/{seq:08}-X")
    before, width, after = d.number_parts()
    assert before + str(42).zfill(width) + after == d.number_for(42) == "FA/ABJ/00000042-X"
