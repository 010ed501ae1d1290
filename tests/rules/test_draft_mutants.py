"""The invoice draft: its parties, mentions, numbering parts and stamping, pinned down where mutation
testing found them loose (docs/mutants/rules.md).

Expected values come from the law and the spec, written by hand:

* the seller block carries its name, address, VAT id, SIREN, SIRET, legal form, share capital and
  "RCS + registry city" (CGI ann. II 242 nonies A; C. com. R123-237), copied from the seller as it is now;
* the issuer is the marketplace acting under the billing mandate (CGI 289 I-2; EXT-FR-FE-BG-05);
* the invoice is paid at order: "Facture acquittée le JJ/MM/AAAA" in the seller's time zone (Europe/Paris:
  UTC+1 in November), B2B due date = issue date, payment terms "Payée à la commande";
* numbers: one continuous series per seller, named by its fixed prefix ("F" for F-{code}-{seq:06}),
  BT-1 at most 35 characters of A-Z a-z 0-9 + - _ / (BR-FR-01/02).
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from mandat.domain.documents import STAMPED, PartySnapshot
from mandat.domain.drafts import Draft, format_number
from mandat.domain.events import OrderPaid
from mandat.domain.parties import Address
from mandat.domain.refusals import Rejected
from mandat.rules.draft import draft_invoice, issuer_snapshot, seller_snapshot, series_name
from tests.factories import DE_COMPANY, FR_COMPANY, MARKETPLACE, NOW, TODAY, order, seller

D = Decimal
LINE = {"sku": "SKU-1", "description": "Article", "quantity": "1", "unit_price": "10.00", "tax_category": "standard"}


def drafted(event: dict[str, Any], **seller_changes: Any) -> Draft:
    ev = OrderPaid.model_validate(event)
    return draft_invoice(ev, seller(ev.seller_id, **seller_changes), MARKETPLACE, TODAY)


def test_the_draft_knows_its_kind_series_keys_and_time_zone() -> None:
    d = drafted(order())
    assert (d.kind, d.seller_id, d.series, d.series_format, d.seller_code) == (
        "invoice",
        "atelier-bois",
        "F",
        "F-{code}-{seq:06}",
        "ABJ",
    )
    assert (d.idempotency_key, d.order_key, d.timezone) == (
        "bricomarket-fr:CMD-0001:invoice",
        "bricomarket-fr:CMD-0001",
        "Europe/Paris",
    )
    assert d.corrects_id is None
    f = d.fields
    assert (f["kind"], f["type_code"], f["currency"], f["language"], f["country"]) == (
        "invoice",
        "380",  # UNTDID 1001: commercial invoice
        "EUR",
        "fr",
        "FR",
    )
    assert (f["marketplace_id"], f["order_id"], f["event_id"]) == ("bricomarket-fr", "CMD-0001", "evt-0001")


def test_mentions_of_a_consumer_invoice_in_order_and_word_for_word() -> None:
    # Mandate statement first, the rules' mentions, then "paid": captured 2026-11-18 10:16 in Paris, by card.
    d = drafted(order(lines=[LINE]))
    assert [(m.code, m.text) for m in d.fields["mentions"]] == [
        (
            "mandate",
            "Facture émise par Brico Market SAS au nom et pour le compte de Atelier Bois & Jardin SARL "
            "(mandat de facturation).",
        ),
        ("category_goods", "Catégorie de l'opération : livraison de biens"),
        ("paid", "Facture acquittée le 18/11/2026 par carte bancaire (transaction PSP-0001)."),
    ]
    assert d.fields["payment_terms"] is None  # a consumer: no B2B payment terms
    assert d.fields["buyer"].is_business is False


def test_paid_date_is_the_day_in_paris() -> None:
    # Captured at 23:30 UTC on 18 November = 00:30 on the 19th in Paris (CET, UTC+1).
    d = drafted(order(lines=[LINE], payment={"captured_at": "2026-11-18T23:30:00+00:00", "method": "transfer"}))
    paid = d.fields["mentions"][-1]
    assert (paid.code, paid.text) == ("paid", "Facture acquittée le 19/11/2026 par virement (transaction PSP-0001).")


def test_exemption_reference_is_printed_last_on_an_exempt_invoice() -> None:
    # BT-120 is also printed: "Exonération de TVA, art. 262 ter I du CGI" (intra-EU supply of goods).
    d = drafted(order(buyer=DE_COMPANY, include_vat=False, lines=[LINE]))
    last = d.fields["mentions"][-1]
    assert (last.code, last.text, last.note_subject) == ("exemption", "Exonération de TVA, art. 262 ter I du CGI", None)
    assert [m.code for m in d.fields["mentions"]][-2] == "paid"


def test_b2b_invoice_is_due_on_issue_and_says_it_is_paid() -> None:
    d = drafted(order(buyer=FR_COMPANY, include_vat=False, lines=[LINE]))
    assert d.fields["payment_terms"] == "Payée à la commande"
    assert d.due_on_issue
    buyer = d.fields["buyer"]
    assert buyer == PartySnapshot(
        name="Menuiserie Girard SARL",
        address=Address(line1="14 avenue de la Gare", postcode="69003", city="Lyon", country="FR"),
        vat_id="FR64443061841",
        siren="443061841",
        email="compta@girard.example",
        is_business=True,
    )
    assert d.fields["purchase_order"] == "BC-2026-118"


def test_intra_eu_invoice_is_due_on_issue_too() -> None:
    # Paid at order: for any business buyer (B2B or B2BINT) nothing remains due after issue.
    d = drafted(order(buyer=DE_COMPANY, include_vat=False, lines=[LINE]))
    doc = d.finalize(1, datetime(2026, 11, 20, 23, 30, tzinfo=UTC), "0" * 64)
    # 23:30 UTC on the 20th is 00:30 on the 21st in Paris: issue date and due date are the 21st.
    assert (doc.issue_date.isoformat(), doc.due_date) == ("2026-11-21", doc.issue_date)
    consumer = drafted(order(lines=[LINE]))
    assert not consumer.due_on_issue
    assert consumer.finalize(1, NOW, "0" * 64).due_date is None


def test_delivery_address_is_kept_only_when_it_differs() -> None:
    rennes = {"line1": "8 rue de l'Église", "postcode": "35000", "city": "Rennes", "country": "FR"}  # = buyer's
    assert drafted(order(lines=[LINE], delivery_address=rennes)).fields["delivery_address"] is None
    nantes = {"line1": "1 quai de la Fosse", "postcode": "44000", "city": "Nantes", "country": "FR"}
    assert drafted(order(lines=[LINE], delivery_address=nantes)).fields["delivery_address"] == Address(**nantes)


def test_payment_info_copies_the_payment() -> None:
    p = drafted(order(lines=[LINE])).fields["payment"]
    assert (p.provider, p.transaction_id, p.method, p.amount) == ("adyen", "PSP-0001", "card", D("10.00"))
    assert p.paid_at == datetime(2026, 11, 18, 9, 16, tzinfo=UTC)


def test_an_event_for_another_seller_is_refused() -> None:
    ev = OrderPaid.model_validate(order(lines=[LINE]))
    with pytest.raises(Rejected) as exc:
        draft_invoice(ev, seller("outillage-pro"), MARKETPLACE, TODAY)
    assert (exc.value.code, exc.value.reason) == (
        "seller_mismatch",
        "event for seller atelier-bois given seller outillage-pro",
    )


def test_seller_snapshot_carries_the_legal_identity() -> None:
    s = seller("atelier-bois")
    assert seller_snapshot(s) == PartySnapshot(
        name="Atelier Bois & Jardin SARL",
        trade_name=None,
        address=Address(line1="4 chemin des Écoliers", postcode="44000", city="Nantes", country="FR"),
        vat_id=s.vat_id,
        siren=s.siren,
        siret=s.siret,
        email="factures@atelier-bois.example",
        legal_form="SARL",
        share_capital=D("10000"),
        registry="RCS Nantes",  # RCS + city of the registry
        is_business=True,
    )
    # A craftsman in the Répertoire des métiers: "RM Dijon"; without a registry city, no registry line.
    assert seller_snapshot(seller("quincaillerie-dupont")).registry == "RM Dijon"
    assert seller_snapshot(seller("atelier-bois", rcs_city=None)).registry is None
    assert seller_snapshot(seller("atelier-bois", trade_name="ABJ Jardin")).trade_name == "ABJ Jardin"


def test_issuer_snapshot_is_the_marketplace() -> None:
    i = issuer_snapshot(MARKETPLACE)
    assert (i.name, i.address, i.siren, i.vat_id) == (
        "Brico Market SAS",
        Address(line1="12 rue des Artisans", postcode="69002", city="Lyon", country="FR"),
        "732829320",
        "FR44732829320",
    )


@pytest.mark.parametrize(
    ("fmt", "name"),
    [
        ("F-{code}-{seq:06}", "F"),
        ("FA-{code}-{seq:06}-X", "FA"),  # the first "-" ends the prefix
        ("FA/{code}/{seq:08}", "FA/"),  # no "-": everything before the first field
        ("{seq:06}", "F"),  # no fixed prefix at all: the invoice series "F"
    ],
)
def test_series_name_is_the_fixed_prefix(fmt: str, name: str) -> None:
    assert series_name(fmt) == name


def test_format_number_refuses_what_br_fr_forbids() -> None:
    assert format_number("F-{code}-{seq:06}", "ABJ", 42) == "F-ABJ-000042"
    with pytest.raises(Rejected) as exc:
        format_number("F {code} {seq:06}", "ABJ", 1)
    assert (exc.value.code, exc.value.reason) == (
        "number_format",
        "number 'F ABJ 000001' breaks BR-FR-01/02 (35 chars of A-Z a-z 0-9 + - _ /)",
    )


def bare(fmt: str) -> Draft:
    return Draft("invoice", "s", "F", fmt, "ABJ", "k", "Europe/Paris", {})


@pytest.mark.parametrize(
    ("fmt", "parts"),
    [
        ("F-{code}-{seq:06}", ("F-ABJ-", 6, "")),
        ("FA/{code}/{seq:08}-X", ("FA/ABJ/", 8, "-X")),
        ("F{seq:010}", ("F", 10, "")),  # ten digits, not "1" nor "01"
        ("F-{seq}-{code}", ("F-", 0, "-ABJ")),  # unpadded; the code after the sequence
        ("F-{seq:0}", ("F-", 0, "")),  # a zero width pads nothing
        ("F-{seq:6}", ("F-", 0, "")),  # a width without 0 pads with spaces, which SQL cannot: refused earlier
    ],
)
def test_number_parts(fmt: str, parts: tuple[str, int, str]) -> None:
    assert bare(fmt).number_parts() == parts


def test_number_parts_needs_a_sequence() -> None:
    with pytest.raises(ValueError, match=r"series format 'F-\{code\}' has no \{seq\}"):
        bare("F-{code}").number_parts()


def test_finalize_stamps_and_keeps_the_given_id() -> None:
    d = drafted(order(lines=[LINE]))
    doc = d.finalize(7, NOW, "a" * 64, doc_id="doc-7")
    assert (doc.id, doc.number, doc.series, doc.seq, doc.prev_hash) == ("doc-7", "F-ABJ-000007", "F", 7, "a" * 64)
    assert doc.issue_date.isoformat() == "2026-11-20"  # 09:00 UTC = 10:00 in Paris
    assert doc.hash == doc.compute_hash()
    assert len(doc.id) == 5
    other = d.finalize(7, NOW, "a" * 64)
    assert other.id != "doc-7"
    assert len(other.id) == 36  # a fresh UUID


def test_body_is_the_record_without_its_stamped_fields() -> None:
    d = drafted(order(lines=[LINE]))
    doc = d.finalize(3, NOW, "b" * 64, doc_id="doc-3")
    body, body_hash = d.body("doc-3")
    assert body == doc.model_dump(mode="json", exclude=STAMPED)
    assert body_hash == doc.body_hash()
    assert not set(body) & STAMPED


def test_number_parts_refuse_a_nul_character() -> None:
    # PostgreSQL text cannot hold NUL: a format carrying one never reaches the SQL numbering.
    with pytest.raises(AssertionError):
        bare("F\x00-{seq:06}").number_parts()


def test_series_checked_with_the_sellers_own_code_before_issuing() -> None:
    # A 10-character code (the longest a seller code may be) makes this format 36 characters long at
    # sequence 1: "FACTURE-2026-LYON1-" (19) + "ABCDEFGHIJ" (10) + "-" + "000001" (6) = 36 > 35 (BR-FR-01).
    # The seller record was stored without its format checked: the draft refuses it before any number is taken.
    fmt = "FACTURE-2026-LYON1-{code}-{seq:06}"
    ev = OrderPaid.model_validate(order(lines=[LINE]))
    long_code = seller("atelier-bois").model_copy(update={"code": "ABCDEFGHIJ", "invoice_series": fmt})
    with pytest.raises(Rejected) as exc:
        draft_invoice(ev, long_code, MARKETPLACE, TODAY)
    assert exc.value.code == "number_format"
