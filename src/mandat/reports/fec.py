"""The French FEC (Fichier des Écritures Comptables) of a seller's sales journal for one fiscal year.

Format: LPF art. A47 A-1 (arrêté du 29 juillet 2013), commented in BOI-CF-IOR-60-40-20: a flat file, one
record per line, fields separated by a tab, the 18 fields below in this order with their names on the
first line, dates written YYYYMMDD, amounts with a comma as decimal separator and no thousands separator;
the file is named ``<SIREN>FEC<AAAAMMJJ>.txt`` after the closing date of the fiscal year (LPF art. A47 A-1,
1°). Each entry (EcritureNum) is balanced (the sum of its debits equals the sum of its credits, PCG art.
420-5), and the entries are numbered in a continuous sequence within the journal.

What mandat can write is the sales journal: per document one entry, the customer (411) debited with the
total, sales (706 services, 707 goods, 708 5 charges on the document level) credited per VAT rate, VAT
collected (4457 1) credited per rate; a credit note is the same entry reversed. Amounts are in euro (the
French accounting currency, PCG art. 420-6); a document in another currency is converted with the rate
its record states (``Document.exchange``, the VAT restated in euro by the issuing rules), and its amounts
in that currency go in Montantdevise / Idevise. The chart of accounts is configurable (:class:`Accounts`).

Encoding: UTF-8 without BOM. UNSURE: A47 A-1 names ASCII, ISO 8859-15 and EBCDIC; the administration's
test tool (Test Compta Demat) reads UTF-8 too, and buyers' names may carry letters ISO 8859-15 lacks.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import BinaryIO

from mandat.domain.documents import Document
from mandat.domain.money import q2
from mandat.reports.common import Period, Progress, rate_text, selected, sign, taxing_country

COLUMNS = [
    "JournalCode",
    "JournalLib",
    "EcritureNum",
    "EcritureDate",
    "CompteNum",
    "CompteLib",
    "CompAuxNum",
    "CompAuxLib",
    "PieceRef",
    "PieceDate",
    "EcritureLib",
    "Debit",
    "Credit",
    "EcritureLet",
    "DateLet",
    "ValidDate",
    "Montantdevise",
    "Idevise",
]
ZERO = Decimal("0.00")


class FecError(ValueError):
    """The FEC cannot be written (not a French seller, a document with no amount in euro...)."""


@dataclass(frozen=True)
class Accounts:
    """The accounts of the sales journal (Plan comptable général, art. 932-1 list of accounts)."""

    journal: str = "VE"
    journal_label: str = "Ventes"
    customers: str = "411000"
    customers_label: str = "Clients"
    goods: str = "707000"
    goods_label: str = "Ventes de marchandises"
    services: str = "706000"
    services_label: str = "Prestations de services"
    charges: str = "708500"
    charges_label: str = "Ports et frais accessoires facturés"
    vat: str = "445710"
    vat_label: str = "TVA collectée"


@dataclass
class FecStats:
    entries: int = 0
    lines: int = 0
    debit: Decimal = ZERO
    credit: Decimal = ZERO


def fec_filename(siren: str, closing: date) -> str:
    """``SIRENFECAAAAMMJJ.txt`` (LPF art. A47 A-1): the closing date of the fiscal year."""
    if not (len(siren) == 9 and siren.isdigit()):
        raise FecError(f"{siren!r} is not a SIREN (9 digits)")
    return f"{siren}FEC{closing:%Y%m%d}.txt"


def fiscal_year(closing: date, start: date | None = None) -> Period:
    """The fiscal year ending on ``closing``: twelve months unless ``start`` says otherwise (a first or a
    changed year may be shorter or longer, Code de commerce art. L123-12)."""
    if start is None:
        try:
            start = closing.replace(year=closing.year - 1) + timedelta(days=1)
        except ValueError:  # closing on 29 February
            start = closing.replace(year=closing.year - 1, day=28) + timedelta(days=1)
    return Period(start, closing + timedelta(days=1), f"FY{closing:%Y%m%d}")


def _day(d: date) -> str:
    return f"{d:%Y%m%d}"


def _amount(value: Decimal) -> str:
    return f"{q2(value):f}".replace(".", ",")


def _text(value: str) -> str:
    # A tab or a line break inside a field would shift every later column of the record.
    return " ".join(value.replace("\t", " ").split())


def _euro(doc: Document) -> Decimal | None:
    """The rate to euro the record states, or None when the document is in euro."""
    if doc.currency == "EUR":
        return None
    if doc.exchange is None or doc.exchange.tax_currency != "EUR":
        raise FecError(
            f"{doc.number} is in {doc.currency} and its record states no amount in euro: "
            "the FEC is kept in euro (PCG art. 420-6)"
        )
    return doc.exchange.rate


@dataclass(frozen=True)
class EntryLine:
    account: str
    account_label: str
    label: str
    amount: Decimal  # in euro, signed: > 0 credit, < 0 debit
    foreign: Decimal | None  # the same in the document's currency, when it is not the euro (unsigned)


def entry_lines(doc: Document, accounts: Accounts) -> list[EntryLine]:
    """The entry of one document, the customer line first; the signed amounts sum to zero.

    Sales are credited per (nature, category, rate) from the lines (BT-131); the part of a rate's taxable
    amount (BT-116) the lines do not carry (document-level charges) goes to the charges account; the VAT
    per rate (BT-117, or its restatement in euro BT-111 per rate). An invoice credits, a credit note debits.
    """
    s = sign(doc)
    rate = _euro(doc)
    restated = {(p.category, p.rate): p.tax_amount for p in doc.exchange.per_rate} if doc.exchange else {}
    kind = "Avoir" if doc.kind == "credit_note" else "Facture"
    where = taxing_country(doc)
    country = "" if where == "FR" else f" {where}"

    def line(account: str, account_label: str, label: str, value: Decimal, euro: Decimal | None = None) -> EntryLine:
        if rate is None:
            return EntryLine(account, account_label, label, s * value, None)
        in_euro = q2(value * rate) if euro is None else euro
        return EntryLine(account, account_label, label, s * in_euro, abs(value))

    credits: list[EntryLine] = []
    nets: dict[tuple[str, str, Decimal], Decimal] = {}
    for ln in doc.lines:
        k = (ln.nature, ln.vat_category, ln.vat_rate)
        nets[k] = nets.get(k, ZERO) + ln.net_amount
    for (nature, category, vat_rate), net in sorted(nets.items()):
        account = (
            (accounts.services, accounts.services_label)
            if nature == "service"
            else (accounts.goods, accounts.goods_label)
        )
        credits.append(line(*account, f"{kind} {doc.number} {category} {rate_text(vat_rate)}%{country}", net))
    for vat in doc.vat_breakdown:
        label = f"{kind} {doc.number} {vat.category} {rate_text(vat.rate)}%{country}"
        rest = vat.taxable_amount - sum(
            (n for (_, c, r), n in nets.items() if c == vat.category and r == vat.rate), ZERO
        )
        if rest:
            credits.append(line(accounts.charges, accounts.charges_label, label, rest))
        if vat.tax_amount:
            credits.append(
                line(
                    accounts.vat,
                    accounts.vat_label,
                    f"{label} TVA",
                    vat.tax_amount,
                    restated.get((vat.category, vat.rate)),
                )
            )
    total = sum((c.amount for c in credits), ZERO)
    customer = EntryLine(
        accounts.customers,
        accounts.customers_label,
        f"{kind} {doc.number} {doc.buyer.name}",
        -total,
        None if rate is None else doc.totals.tax_inclusive,
    )
    return [customer, *credits]


def write_fec(
    out: BinaryIO,
    docs: Iterable[Document],
    seller_id: str,
    year: Period,
    accounts: Accounts | None = None,
    progress: Progress | None = None,
) -> FecStats:
    """Write the sales journal of ``seller_id``'s own documents issued in the fiscal ``year`` to ``out``.

    Streamed: one document at a time; the entries keep the order of ``docs`` (issue order) and are numbered
    1, 2, 3... in it.
    """
    acc = accounts or Accounts()
    stats = FecStats()
    out.write(("\t".join(COLUMNS) + "\n").encode())
    for doc in selected(docs, seller_id, year, progress):
        stats.entries += 1
        num = str(stats.entries)
        day = _day(doc.issue_date)
        for ln in entry_lines(doc, acc):
            debit, credit = (ZERO, ln.amount) if ln.amount >= 0 else (-ln.amount, ZERO)
            fields = [
                acc.journal,
                acc.journal_label,
                num,
                day,
                ln.account,
                _text(ln.account_label),
                "",
                "",
                _text(doc.number),
                day,
                _text(ln.label),
                _amount(debit),
                _amount(credit),
                "",
                "",
                day,
                "" if ln.foreign is None else _amount(ln.foreign),
                "" if ln.foreign is None else doc.currency,
            ]
            out.write(("\t".join(fields) + "\n").encode())
            stats.lines += 1
            stats.debit += debit
            stats.credit += credit
    return stats
