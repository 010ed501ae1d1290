"""The data of a Union OSS return (Directive 2006/112/EC art. 369a-369k) for one quarter.

The return is filed per quarter in the member state of identification (art. 369f) and states, per member
state of consumption and rate, the taxable amount and the VAT (art. 369g(1), Implementing Regulation (EU)
No 282/2011 art. 59-61a and annex III of Implementing Regulation (EU) 2020/194). Changes to the figures of
an earlier quarter are not made in that quarter's return: they go in a later return, per member state of
consumption and naming the period they correct (art. 369g(4), Implementing Reg. 282/2011 art. 61), so a
credit note issued this quarter for an invoice of an earlier quarter is listed apart, with the quarter it
corrects. A credit note for an invoice of the same quarter is netted.

Amounts are in euro (art. 369h(1)). A document in another currency must be converted at the ECB rate of the
last day of the period (art. 369h(2)); that conversion is not implemented here, so such a document makes the
return refuse to be drawn up (:class:`NotInEuro`) rather than report a guess.

Only documents the record marks ``scheme == "oss"`` enter the return: distance sales of goods and services
to consumers taxed in another member state. The supply type split (goods / services) of the EU return
format is left to a later slice (docs/reports.md).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from mandat.domain.documents import Document
from mandat.reports.common import (
    Period,
    Progress,
    amount,
    csv_bytes,
    json_bytes,
    quarter_of,
    rate_text,
    selected,
    sign,
    taxing_country,
)

ZERO = Decimal("0.00")

COLUMNS = [
    "member_state_of_identification",
    "period",
    "section",
    "corrected_period",
    "member_state_of_consumption",
    "category",
    "rate",
    "taxable_base_eur",
    "vat_eur",
    "documents",
]


class NotInEuro(ValueError):
    """A document of the quarter is not in euro: the ECB conversion of art. 369h(2) is not implemented."""


@dataclass
class OssRow:
    member_state: str
    category: str
    rate: Decimal
    corrected_period: str | None = None
    taxable_base: Decimal = ZERO
    vat: Decimal = ZERO
    documents: int = 0


@dataclass
class OssReturn:
    owner: str
    identification: str  # the member state of identification
    period: Period
    supplies: list[OssRow] = field(default_factory=list)
    corrections: list[OssRow] = field(default_factory=list)

    def totals(self) -> tuple[Decimal, Decimal]:
        """(taxable base, VAT) of supplies and corrections together: what the payment covers."""
        rows = self.supplies + self.corrections
        return sum((r.taxable_base for r in rows), ZERO), sum((r.vat for r in rows), ZERO)

    def csv(self) -> bytes:
        def line(section: str, r: OssRow) -> list[str]:
            return [
                self.identification,
                self.period.label,
                section,
                r.corrected_period or "",
                r.member_state,
                r.category,
                rate_text(r.rate),
                amount(r.taxable_base),
                amount(r.vat),
                str(r.documents),
            ]

        return csv_bytes(
            COLUMNS,
            [line("supplies", r) for r in self.supplies] + [line("corrections", r) for r in self.corrections],
        )

    def json(self) -> bytes:
        def row(r: OssRow) -> dict[str, object]:
            out: dict[str, object] = {
                "member_state_of_consumption": r.member_state,
                "category": r.category,
                "rate": rate_text(r.rate),
                "taxable_base_eur": amount(r.taxable_base),
                "vat_eur": amount(r.vat),
                "documents": r.documents,
            }
            if r.corrected_period is not None:
                out["corrected_period"] = r.corrected_period
            return out

        base, vat = self.totals()
        return json_bytes(
            {
                "report": "oss",
                "owner": self.owner,
                "member_state_of_identification": self.identification,
                "period": {
                    "label": self.period.label,
                    "start": self.period.start.isoformat(),
                    "end": self.period.last_day.isoformat(),
                },
                "supplies": [row(r) for r in self.supplies],
                "corrections": [row(r) for r in self.corrections],
                "totals": {"taxable_base_eur": amount(base), "vat_eur": amount(vat)},
            }
        )


def oss_return(
    docs: Iterable[Document], owner: str, identification: str, period: Period, progress: Progress | None = None
) -> OssReturn:
    """The OSS return data of ``owner`` for ``period`` (a quarter: ``common.quarter``)."""
    supplies: dict[tuple[str, str, Decimal], OssRow] = {}
    corrections: dict[tuple[str, str, str, Decimal], OssRow] = {}
    for doc in selected(docs, owner, period, progress):
        if doc.scheme != "oss":
            continue
        if doc.currency != "EUR":
            raise NotInEuro(
                f"{doc.number} ({doc.issue_date.isoformat()}) is in {doc.currency}: the OSS return is in euro "
                f"converted at the ECB rate of {period.last_day.isoformat()} (Directive 2006/112/EC art. 369h(2)), "
                "which mandat does not compute yet; convert this document by hand"
            )
        s = sign(doc)
        earlier = doc.corrects is not None and doc.corrects.issue_date < period.start
        for vat in doc.vat_breakdown:
            row: OssRow
            if earlier:
                assert doc.corrects is not None
                corrected = quarter_of(doc.corrects.issue_date)
                ckey = (corrected, taxing_country(doc), vat.category, vat.rate)
                row = corrections.get(ckey) or corrections.setdefault(
                    ckey, OssRow(ckey[1], vat.category, vat.rate, corrected)
                )
            else:
                skey = (taxing_country(doc), vat.category, vat.rate)
                row = supplies.get(skey) or supplies.setdefault(skey, OssRow(skey[0], vat.category, vat.rate))
            row.taxable_base += s * vat.taxable_amount
            row.vat += s * vat.tax_amount
            row.documents += 1
    return OssReturn(
        owner,
        identification,
        period,
        [supplies[k] for k in sorted(supplies)],
        [corrections[k] for k in sorted(corrections)],
    )
