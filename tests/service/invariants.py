"""Invariants of the legal record, checked by reading the store's tables directly (issue 12).

Nothing here calls the code under test to decide what is right: no ``audit``, no ``Credited``, no
``remaining``, no repository helper. Rows are read with plain SQL and the documents' JSON with
``json.loads`` (money as ``Decimal``), and every expectation is the rule itself, written out:

* numbering (CGI art. 242 nonies A, 1-7°: "un numéro unique basé sur une séquence chronologique et
  continue"): per (seller, series) the numbers are 1..N with no gap and no duplicate, the number is the
  seller's format ``F-{code}-{seq:06}`` (invoices) or ``A-{code}-{seq:06}`` (credit notes), the series
  head says N, the issue times never go backwards along the numbers, and each document links the
  previous one's hash (the head keeps the last);
* credit notes (CGI art. 272, 1; BR-55 / BT-25): each names an invoice of the same seller, order,
  currency and marketplace, by its number and date, lives in the credit-note series of that seller
  (``A``, the invoice being ``F``), keeps the invoice's buyer, and the credit notes of one invoice never
  take more than it holds: per line (quantity, net), per VAT (category, rate) (base and VAT) and in total;
* arithmetic (EN 16931): BR-CO-10 BT-106 = Σ BT-131; BR-CO-13 BT-109 = BT-106 − BT-107 + BT-108;
  BR-CO-14 BT-110 = Σ BT-117; BR-CO-15 BT-112 = BT-109 + BT-110; BR-CO-16 BT-115 = BT-112 − BT-113;
  BR-S-08 and siblings: BT-116 of a (category, rate) = Σ BT-131 of its lines; BR-S-09: BT-117 =
  BT-116 × BT-119 / 100 rounded half-up to the cent (exactly for an invoice priced net of VAT; within
  the one-cent deviation docs/architecture.md allows VAT-inclusive invoices, which keep what the buyer
  paid, and the cent or two of a credit note's cumulative rounding, both inside BR-CO-17's tolerance);
  exempt categories (E, K, ...) carry 0 % and no VAT;
* events: every event received ends as exactly one document (``issued``, pointing at the document that
  names it), as a pointer to the document of an earlier event of the same order and kind
  (``duplicate``), or without a document and with a reason (``rejected``, ``cancelled``, ``waiting``);
  nothing is left ``pending``, ``processing`` or ``failed``.
"""

from __future__ import annotations

import itertools
import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from mandat.store.schema import documents, inbox, orders, sellers, series

CENT = Decimal("0.01")
GENESIS = "0" * 64
# The default formats every demo seller keeps (domain/parties.py Seller: not read from there).
PREFIX = {"invoice": "F", "credit_note": "A"}


def cents(value: Decimal) -> Decimal:
    """Half-up to the cent, as the French administration and EN 16931 round amounts."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _dec(value: Any) -> Decimal:
    return Decimal(str(value))


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


@dataclass
class Store:
    """Everything the checks read, straight from the tables."""

    docs: list[dict[str, Any]]  # column values + "json": the parsed record
    heads: dict[tuple[str, str], tuple[int, datetime | None, str]]
    codes: dict[str, str]  # seller id -> code
    events: list[dict[str, Any]]
    orders: list[dict[str, Any]]
    by_id: dict[str, dict[str, Any]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.by_id = {d["id"]: d for d in self.docs}


def read_store(engine: Engine) -> Store:
    with engine.connect() as conn:
        docs = []
        for r in conn.execute(sa.select(documents)).mappings():
            d = dict(r)
            d["issued_at"] = _utc(d["issued_at"])
            d["json"] = json.loads(d["data"], parse_float=Decimal)
            docs.append(d)
        heads = {
            (r.seller_id, r.series): (
                int(r.last_seq),
                _utc(r.last_issued_at) if r.last_issued_at else None,
                r.last_hash,
            )
            for r in conn.execute(sa.select(series))
        }
        codes = {r.id: r.code for r in conn.execute(sa.select(sellers.c.id, sellers.c.code))}
        events = [dict(r) for r in conn.execute(sa.select(inbox)).mappings()]
        ledger = [dict(r) for r in conn.execute(sa.select(orders)).mappings()]
    return Store(docs, heads, codes, events, ledger)


def check_all(engine: Engine) -> Store:
    """Every invariant below; raises AssertionError naming the first one broken. Returns what it read."""
    store = read_store(engine)
    check_numbering(store)
    check_credit_notes(store)
    payloads = {e["event_id"]: json.loads(e["payload"]) for e in store.events}
    for doc in store.docs:
        # Whether the invoice was priced VAT included is the event's (the stored payload), not the record's.
        inclusive = doc["kind"] == "invoice" and payloads[doc["event_id"]]["prices_include_vat"] is True
        check_arithmetic(doc["json"], doc["number"], inclusive)
    check_events(store)
    return store


def check_numbering(store: Store) -> None:
    per_series: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for d in store.docs:
        per_series[(d["seller_id"], d["series"])].append(d)
        rec = d["json"]
        # The columns the numbering reads agree with the legal record (the JSON).
        for name in ("number", "seq", "series", "kind", "seller_id"):
            assert rec[name] == d[name], f"{d['number']}: {name} {rec[name]!r} in the record, {d[name]!r} in its row"
        assert _utc(datetime.fromisoformat(rec["issued_at"].replace("Z", "+00:00"))) == d["issued_at"], d["number"]
        assert d["series"] == PREFIX[d["kind"]], f"{d['number']}: a {d['kind']} in series {d['series']}"
        code = store.codes[d["seller_id"]]
        assert d["number"] == f"{PREFIX[d['kind']]}-{code}-{d['seq']:06d}", d["number"]
    assert set(per_series) == set(store.heads), f"series heads {sorted(store.heads)} vs documents {sorted(per_series)}"
    for key, docs in per_series.items():
        docs.sort(key=lambda d: d["seq"])
        seqs = [d["seq"] for d in docs]
        assert seqs == list(range(1, len(docs) + 1)), f"{key}: numbers {seqs} are not 1..{len(docs)}"
        numbers = [d["number"] for d in docs]
        assert len(set(numbers)) == len(numbers), f"{key}: duplicate numbers {numbers}"
        times = [d["issued_at"] for d in docs]
        back = [(a["number"], b["number"]) for a, b in itertools.pairwise(docs) if b["issued_at"] < a["issued_at"]]
        assert not back, f"{key}: issue time goes backwards from {back} ({times})"
        prev = GENESIS
        for d in docs:
            assert d["prev_hash"] == prev, f"{d['number']}: chain broken"
            assert d["json"]["prev_hash"] == prev, f"{d['number']}: chain broken in the record"
            prev = d["hash"]
        last_seq, last_time, last_hash = store.heads[key]
        assert (last_seq, last_hash) == (len(docs), prev), f"{key}: head {last_seq} for {len(docs)} documents"
        assert last_time == times[-1], f"{key}: head time {last_time}, last document {times[-1]}"
    numbers = Counter((d["seller_id"], d["number"]) for d in store.docs)
    assert max(numbers.values(), default=1) == 1, "a number used twice by one seller"


def _rate_key(category: str, rate: Any) -> tuple[str, Decimal]:
    return category, _dec(rate).normalize()


def check_credit_notes(store: Store) -> None:
    notes: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for d in store.docs:
        if d["kind"] == "invoice":
            assert d["corrects_id"] is None, d["number"]
            assert d["json"]["corrects"] is None, d["number"]
            continue
        inv = store.by_id.get(d["corrects_id"] or "")
        assert inv is not None, f"{d['number']} corrects no document"
        assert inv["kind"] == "invoice", f"{d['number']} corrects {inv['number']}, not an invoice"
        cn, iv = d["json"], inv["json"]
        # Same seller, currency, marketplace and order; the invoice's buyer; its number and date (BT-25/26).
        for name in ("seller_id", "currency", "marketplace_id", "order_id", "buyer"):
            assert cn[name] == iv[name], f"{d['number']} {name} {cn[name]!r}, its invoice {inv['number']}: {iv[name]!r}"
        assert cn["corrects"] == {"number": iv["number"], "issue_date": iv["issue_date"]}, d["number"]
        # Never dated before the invoice it corrects, whatever the issuing worker's clock.
        assert d["issued_at"] >= inv["issued_at"], (d["number"], inv["number"])
        assert (cn["type_code"], iv["type_code"]) == ("381", "380"), d["number"]
        assert (d["series"], inv["series"]) == ("A", "F"), f"{d['number']} in {d['series']}, invoice in {inv['series']}"
        assert _dec(cn["totals"]["tax_inclusive"]) > 0, f"{d['number']} credits nothing"
        notes[inv["id"]].append(d)
    for inv_id, cns in notes.items():
        inv = store.by_id[inv_id]
        iv = inv["json"]
        total = sum((_dec(n["json"]["totals"]["tax_inclusive"]) for n in cns), Decimal(0))
        assert total <= _dec(iv["totals"]["tax_inclusive"]), (
            f"{inv['number']} credited {total}, more than its {iv['totals']['tax_inclusive']}"
        )
        # Per invoice line: quantity and net never beyond the line's.
        inv_lines = {ln["id"]: ln for ln in iv["lines"]}
        qty: dict[str, Decimal] = defaultdict(Decimal)
        net: dict[str, Decimal] = defaultdict(Decimal)
        for n in cns:
            for ln in n["json"]["lines"]:
                if ln["id"] in inv_lines:
                    qty[ln["id"]] += _dec(ln["quantity"])
                    net[ln["id"]] += _dec(ln["net_amount"])
                    src = inv_lines[ln["id"]]
                    assert _rate_key(ln["vat_category"], ln["vat_rate"]) == _rate_key(
                        src["vat_category"], src["vat_rate"]
                    )
        for line_id, q in qty.items():
            src = inv_lines[line_id]
            assert 0 <= q <= _dec(src["quantity"]), f"{inv['number']} line {line_id}: {q} of {src['quantity']} credited"
            assert net[line_id] <= _dec(src["net_amount"]), f"{inv['number']} line {line_id}: net {net[line_id]}"
            if q == _dec(src["quantity"]):  # fully credited line: exactly its net, not a cent off
                assert net[line_id] == _dec(src["net_amount"]), f"{inv['number']} line {line_id}: {net[line_id]}"
        # Per VAT (category, rate): base and VAT never beyond the invoice's.
        inv_rates = {_rate_key(b["category"], b["rate"]): b for b in iv["vat_breakdown"]}
        base: dict[tuple[str, Decimal], Decimal] = defaultdict(Decimal)
        vat: dict[tuple[str, Decimal], Decimal] = defaultdict(Decimal)
        for n in cns:
            for b in n["json"]["vat_breakdown"]:
                key = _rate_key(b["category"], b["rate"])
                assert key in inv_rates, f"{n['number']} credits {key}, which invoice {inv['number']} does not have"
                base[key] += _dec(b["taxable_amount"])
                vat[key] += _dec(b["tax_amount"])
        for key, b in inv_rates.items():
            assert base[key] <= _dec(b["taxable_amount"]), f"{inv['number']} {key}: base {base[key]} credited"
            assert vat[key] <= _dec(b["tax_amount"]), f"{inv['number']} {key}: VAT {vat[key]} credited"
            assert min(base[key], vat[key]) >= 0, f"{inv['number']} {key}: negative credit"
        if total == _dec(iv["totals"]["tax_inclusive"]):  # fully credited: every rate back to exactly zero
            for key, b in inv_rates.items():
                assert (base[key], vat[key]) == (_dec(b["taxable_amount"]), _dec(b["tax_amount"])), (
                    f"{inv['number']} fully credited but {key} left {b['taxable_amount']}-{base[key]}"
                )


def check_arithmetic(doc: dict[str, Any], number: str, vat_inclusive: bool) -> None:
    """EN 16931 BR-CO-10/13/14/15/16, BR-S-08/09 and siblings, from the stored lines alone."""
    lines, totals = doc["lines"], {k: _dec(v) for k, v in doc["totals"].items()}
    credit = doc["kind"] == "credit_note"
    for ln in lines:
        q, price, allowance, line_net = (_dec(ln[k]) for k in ("quantity", "net_unit_price", "allowance", "net_amount"))
        # BT-131 = BT-129 x BT-146 - BT-136. A credit note's line takes a cumulative share of the invoice's
        # rounded net (domain/credit.py), its unit price being that net over the quantity at 6 decimals:
        # within a cent of the product.
        expected = cents(q * price - allowance)
        assert abs(line_net - expected) <= (CENT if credit else 0), (
            f"{number} line {ln['id']}: {line_net} != {expected}"
        )
        assert min(price, allowance) >= 0, f"{number} line {ln['id']}: negative price or allowance (BR-27)"
        if ln["vat_category"] != "S":
            assert _dec(ln["vat_rate"]) == 0, f"{number} line {ln['id']}: {ln['vat_category']} at {ln['vat_rate']} %"
    line_total = sum((_dec(ln["net_amount"]) for ln in lines), Decimal(0))
    assert totals["line_total"] == line_total, f"{number} BR-CO-10: {totals['line_total']} != {line_total}"
    assert totals["tax_exclusive"] == line_total - totals["allowance_total"] + totals["charge_total"], (
        f"{number} BR-CO-13"
    )
    groups: dict[tuple[str, Decimal], Decimal] = defaultdict(Decimal)
    for ln in lines:
        groups[_rate_key(ln["vat_category"], ln["vat_rate"])] += _dec(ln["net_amount"])
    breakdown = {_rate_key(b["category"], b["rate"]): b for b in doc["vat_breakdown"]}
    assert len(breakdown) == len(doc["vat_breakdown"]), f"{number}: a (category, rate) twice in the breakdown"
    assert set(breakdown) == set(groups), f"{number}: breakdown {sorted(breakdown)} for lines {sorted(groups)}"
    gross = vat_inclusive
    tolerance = Decimal("0.02") if credit else CENT if gross else Decimal(0)
    for key, b in breakdown.items():
        taxable, tax = _dec(b["taxable_amount"]), _dec(b["tax_amount"])
        # No document-level allowances or charges here (BT-107 and BT-108 are zero, asserted below), so
        # BT-116 is the sum of the lines' nets (BR-S-08, BR-E-08, BR-K-08 ...).
        assert taxable == groups[key], f"{number} {key}: BT-116 {taxable}, lines {groups[key]}"
        expected = cents(taxable * key[1] / 100)
        assert abs(tax - expected) <= tolerance, f"{number} {key}: BT-117 {tax}, {taxable} x {key[1]} % = {expected}"
        if key[0] != "S":
            assert tax == 0, f"{number} {key}: VAT {tax} on an exempt category"
    assert (totals["allowance_total"], totals["charge_total"]) == (0, 0), f"{number}: document-level BT-107/108"
    tax_total = sum((_dec(b["tax_amount"]) for b in doc["vat_breakdown"]), Decimal(0))
    assert totals["tax_total"] == tax_total, f"{number} BR-CO-14: {totals['tax_total']} != {tax_total}"
    assert totals["tax_inclusive"] == totals["tax_exclusive"] + totals["tax_total"], f"{number} BR-CO-15"
    assert totals["payable"] == totals["tax_inclusive"] - totals["prepaid"], f"{number} BR-CO-16"
    # Paid online: the whole amount is prepaid (BT-113), nothing is due, and it is the payment's amount.
    assert totals["prepaid"] == totals["tax_inclusive"] == _dec(doc["payment"]["amount"]), f"{number}: payment"
    if gross or credit:  # what the buyer paid (or got back), line by line, VAT included
        paid = sum((_dec(ln["gross_amount"]) for ln in lines), Decimal(0))
        assert paid == totals["tax_inclusive"], f"{number}: lines' gross {paid}, total {totals['tax_inclusive']}"


def check_events(store: Store) -> None:
    doc_of_event: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for d in store.docs:
        doc_of_event[d["event_id"]].append(d)
    received = {e["event_id"]: e for e in store.events}
    for event_id, docs in doc_of_event.items():
        assert len(docs) == 1, f"event {event_id} has {len(docs)} documents"
        e = received.get(event_id)
        assert e is not None, f"{docs[0]['number']} names event {event_id}, never received"
        assert (e["status"], e["document_id"]) == ("issued", docs[0]["id"]), (
            f"{docs[0]['number']}: its event {event_id} is {e['status']} -> {e['document_id']}"
        )
        kind = "invoice" if e["event_type"] == "order.paid" else "credit_note"
        assert docs[0]["kind"] == kind, f"{docs[0]['number']} is a {docs[0]['kind']} for a {e['event_type']}"
        assert (docs[0]["seller_id"], docs[0]["order_id"]) == (e["seller_id"], e["order_id"]), docs[0]["number"]
    for e in store.events:
        status, eid = e["status"], e["event_id"]
        assert status in ("issued", "duplicate", "rejected", "cancelled", "waiting"), (
            f"{eid} left {status}: {e['reason']}"
        )
        if status == "issued":
            assert doc_of_event.get(eid), f"{eid} issued without a document"
            continue
        assert eid not in doc_of_event, f"{eid} is {status} but has a document"
        if status == "duplicate" and e["document_id"] is not None:
            winner = store.by_id.get(e["document_id"])
            assert winner is not None, f"{eid} points to a missing document"
            assert (winner["seller_id"], winner["order_id"]) == (e["seller_id"], e["order_id"]), eid
            assert winner["event_id"] != eid, eid
            continue
        assert e["reason_code"], f"{eid} ended {status} without a reason code"
        assert e["reason"], f"{eid} ended {status} without a reason"
        assert e["document_id"] is None, f"{eid} ended {status} pointing to {e['document_id']}"
    # An order is invoiced or cancelled, never both; every invoice has its ledger row.
    ledger = {(o["seller_id"], o["key"]): o for o in store.orders}
    invoices = Counter(
        (d["seller_id"], d["json"]["marketplace_id"], d["order_id"]) for d in store.docs if d["kind"] == "invoice"
    )
    assert max(invoices.values(), default=1) == 1, "an order invoiced twice"
    for d in store.docs:
        if d["kind"] == "invoice":
            row = ledger.get((d["seller_id"], f"{d['json']['marketplace_id']}:{d['order_id']}"))
            assert row is not None, f"{d['number']} has no orders row"
            assert (row["state"], row["invoice_id"]) == ("invoiced", d["id"]), d["number"]
