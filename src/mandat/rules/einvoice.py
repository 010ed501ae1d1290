"""Which structured formats a document is due in: the decision table of the market research §5.2 (issue 15).

Pure: the answer depends only on the case given, and is recorded on the document when it is drafted
(``Document.formats``); every builder then works from that record alone (``render/formats``).

The table, one entry per format, in the order the formats are listed on the document:

========================  ===========================================================================
``en16931-cii``           every document: the EN 16931 CII embedded in the Factur-X PDF (EN 16931-1;
                          for Germany the default structured invoice, BMF 15.10.2024 Rn. 33-35)
``peppol-bis-3``          a Belgian-established seller's invoice to a Belgian business once the law makes
                          Peppol the invoice (the Belgian pack's channel "Peppol": AR n° 1 art. 1 as
                          amended, from 2026-01-01; research §1.2); and any buyer who gave a Peppol id
``fatturapa-fpr12``       an Italian-established seller, B2B and B2C, domestic and cross-border (DPR 633/72
                          art. 21; D.Lgs. 127/2015 art. 1 c.3; research §1.4 and §5.2 rows 1, 3, 5, 17)
``ksef-fa3``              a Polish-established seller's invoice to a business (VAT act art. 106ga; B2C and
                          OSS excluded, art. 106ga ust. 2; research §1.7 and §5.2 rows 5, 16), from the
                          date KSeF applies to the seller (the Polish pack's channel "KSeF")
``xrechnung-3-cii``       a German buyer who asks for XRechnung: a Leitweg-ID, or the CII syntax asked
``xrechnung-3-ubl``       a German buyer who asks for XRechnung in the UBL syntax
``verifactu``             a Spanish-established seller's document once VERI*FACTU applies to it (the
                          Spanish pack's channel: 2027-01-01, or the seller's voluntary earlier start)
========================  ===========================================================================

"Established" is the seller's seat (its address): a seller merely registered in a country (a warehouse there,
§5.2 row 4) is outside that country's mandate. A document the marketplace issues in its own name as deemed
supplier (§5.2 rows 8, 9, 12, 13) is not a mandate invoice: the sellers' national channels do not apply.

The dates a mandate starts from are the country packs' (they decide ``channel``): the table does not repeat
them. Portugal's ATCUD, QR code and signature are marks on the PDF, not a format: the render step prints
them where a certified deployment is configured (render/document.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from mandat.domain.documents import PartySnapshot


@dataclass(frozen=True)
class Case:
    """What the choice depends on, as the draft knows it."""

    seller_country: str  # where the seller is established (its seat)
    buyer: PartySnapshot  # the buyer as recorded, with its e-invoicing addresses
    channel: str | None  # the law's channel the seller country's pack decided (dates included)
    deemed: bool = False  # the marketplace's own document as deemed supplier
    # XRechnung wants the seller contact's telephone (BR-DE-6): without one it is not built, and the
    # buyer still gets the Factur-X EN 16931 invoice, a valid German e-invoice (trace says why).
    seller_phone: bool = True

    @property
    def buyer_country(self) -> str:
        return self.buyer.address.country

    def mandate(self, country: str, channel: str) -> bool:
        """A mandate invoice of a seller established in ``country`` for which its pack chose ``channel``."""
        return not self.deemed and self.seller_country == country and self.channel == channel


@dataclass(frozen=True)
class Due:
    """One row: the format ``name`` is due when ``applies``; ``basis`` says why (the trace prints it)."""

    name: str
    applies: Callable[[Case], bool]
    basis: str


def _xrechnung(case: Case, syntax: str) -> bool:
    return asked_xrechnung(case) == syntax and case.seller_phone


def _peppol_buildable(case: Case) -> bool:
    """Between German parties Peppol's DE-R rules want the seller contact's telephone, as XRechnung does."""
    return case.seller_phone or not (case.seller_country == "DE" and case.buyer_country == "DE")


def asked_xrechnung(case: Case) -> str | None:
    """The XRechnung syntax a German buyer asked for: its preference, or CII for a Leitweg-ID."""
    if case.buyer_country != "DE":
        return None
    return case.buyer.xrechnung or ("cii" if case.buyer.leitweg_id else None)


TABLE: tuple[Due, ...] = (
    Due("en16931-cii", lambda c: True, "EN 16931 CII in the Factur-X PDF, for every document"),
    Due(
        "peppol-bis-3",
        lambda c: c.mandate("BE", "Peppol") or (bool(c.buyer.peppol_id) and _peppol_buildable(c)),
        "Peppol BIS Billing 3.0: B2B between Belgian businesses (from 2026-01-01), or the buyer's Peppol id",
    ),
    Due("fatturapa-fpr12", lambda c: c.mandate("IT", "SdI"), "FatturaPA through the SdI (D.Lgs. 127/2015 art. 1)"),
    Due("ksef-fa3", lambda c: c.mandate("PL", "KSeF"), "KSeF FA(3) (Polish VAT act art. 106ga)"),
    Due("xrechnung-3-cii", lambda c: _xrechnung(c, "cii"), "XRechnung 3.0 CII asked by the German buyer"),
    Due("xrechnung-3-ubl", lambda c: _xrechnung(c, "ubl"), "XRechnung 3.0 UBL asked by the German buyer"),
    Due(
        "verifactu",
        lambda c: c.mandate("ES", "VERI*FACTU"),
        "VERI*FACTU registration record (RD 1007/2023; Orden HAC/1177/2024), from the seller's start",
    ),
)


def formats(case: Case) -> list[str]:
    """The names of the formats ``case`` is due in, "en16931-cii" first, in :data:`TABLE` order."""
    return [due.name for due in TABLE if due.applies(case)]


def reasons(case: Case) -> list[str]:
    """Why each format is due (for the decision trace)."""
    return [f"{due.name}: {due.basis}" for due in TABLE if due.applies(case)]
