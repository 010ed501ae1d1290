"""The chains some national rules keep across the documents of a series, kept by the render step.

Two formats make each document name the one before it:

* VERI*FACTU (Orden HAC/1177/2024 art. 7; AEAT "huella" specification): each registration record carries
  the huella of the previous record of its chain;
* Portugal (Despacho 8632/2014): each document's signature covers the previous document's signature.

A link depends only on the document's record and the previous link, so it is computed when a document is
rendered, from the stored link of the document before it (``chain_links``), and stored in the render's
commit. A predecessor not rendered yet (another worker has it, or a backlog) is computed on the way: the
values are deterministic, so whoever stores a link first stores the value the other would have, and
``put_chain_link`` accepts the same value again. The chain follows the numbering: document ``seq`` follows
``seq - 1`` of the same series, which the numbering transaction makes gapless and chronological.

UNSURE (docs/formats/verifactu.md): the AEAT chains the records of one taxpayer per installation of the
invoicing system. mandat keeps one VERI*FACTU chain per seller series and declares each series as its own
installation (``NumeroInstalacion``), because a single chain across the invoice and credit-note series would
need an order between two series that commit independently; per series, the numbering already gives it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date
from functools import cached_property
from typing import TYPE_CHECKING

from mandat.domain.documents import Document
from mandat.domain.refusals import Rejected
from mandat.render.document import Chained, PortugalMarks, verifactu_system
from mandat.render.formats import formats_for
from mandat.store import repository as repo

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from mandat.render.formats.portugal import SigningKey
    from mandat.service.config import Settings


def owner(doc: Document) -> str:
    return doc.series_owner or doc.seller_id


@dataclass
class Links:
    """Links computed during one render batch: read back by the next documents, stored in its commit."""

    memo: dict[tuple[str, str], str] = field(default_factory=dict)
    new: list[tuple[str, str, int, str]] = field(default_factory=list)  # chain, document id, position, value


@dataclass(frozen=True)
class _Kind:
    name: str
    applies: Callable[[Document], bool]
    compute: Callable[[Connection, Document, str | None], str]  # own value from the previous one

    def chain(self, doc: Document) -> str:
        return f"{self.name}:{owner(doc)}:{doc.series}"


class Chains:
    """Computes what ``render_document`` needs from the documents before it (``Chained``)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.verifactu = _Kind("verifactu", _verifactu_applies, _verifactu_compute)
        self.portugal = _Kind("pt", self._portugal_applies, self._portugal_compute)

    def needed(self, doc: Document) -> bool:
        """Whether ``doc`` is in a chain at all (most documents are not: no database read for them)."""
        return _verifactu_applies(doc) or self._portugal_applies(doc)

    def chained(self, conn: Connection, doc: Document, links: Links) -> Chained:
        out = Chained()
        if self.verifactu.applies(doc):
            from mandat.render.formats.verifactu import Link

            previous = self._previous(conn, self.verifactu, doc, links)
            self._own(conn, self.verifactu, doc, links)
            if previous is not None:
                data = json.loads(previous)
                out = replace(
                    out,
                    verifactu=Link(data["nif"], data["number"], date.fromisoformat(data["issue_date"]), data["huella"]),
                )
        if self._portugal_applies(doc):
            data = json.loads(self._own(conn, self.portugal, doc, links))
            out = replace(out, portugal=PortugalMarks(data["atcud"], data["signature"], data["certificate"]))
        return out

    # --- the walk -------------------------------------------------------------------------------------------

    def _previous(self, conn: Connection, kind: _Kind, doc: Document, links: Links) -> str | None:
        before = repo.document_at(conn, owner(doc), doc.series, doc.seq - 1) if doc.seq > 1 else None
        if before is None or not kind.applies(before):
            return None
        return self._own(conn, kind, before, links)

    def _own(self, conn: Connection, kind: _Kind, doc: Document, links: Links) -> str:
        """``doc``'s link: stored, or computed after any predecessor whose link is missing (iteratively)."""
        pending: list[Document] = []
        current: Document | None = doc
        previous: str | None = None
        while current is not None:
            key = (kind.name, current.id)
            value = links.memo.get(key) or repo.chain_link(conn, kind.chain(current), current.id)
            if value is not None:
                links.memo[key] = previous = value
                break
            pending.append(current)
            before = None
            if current.seq > 1:
                before = repo.document_at(conn, owner(current), current.series, current.seq - 1)
            current = before if before is not None and kind.applies(before) else None
        for item in reversed(pending):
            previous = kind.compute(conn, item, previous)
            links.memo[(kind.name, item.id)] = previous
            links.new.append((kind.chain(item), item.id, item.seq, previous))
        return links.memo[(kind.name, doc.id)]

    # --- Portugal --------------------------------------------------------------------------------------------

    @cached_property
    def _key(self) -> SigningKey | None:
        from mandat.render.formats.portugal import SigningKey

        path = self.settings.pt_signing_key
        return SigningKey.from_path(path) if path is not None and self.settings.pt_certificate else None

    def _portugal_applies(self, doc: Document) -> bool:
        """A Portuguese document of a seller, once the operator configured its certified deployment."""
        if self.settings.pt_signing_key is None or not self.settings.pt_certificate or doc.series_owner:
            return False
        from mandat.render.formats.portugal import portuguese

        try:
            portuguese(doc)
        except Rejected:
            return False
        return True

    def _portugal_compute(self, conn: Connection, doc: Document, previous: str | None) -> str:
        from mandat.render.formats import portugal

        key, certificate = self._key, self.settings.pt_certificate
        assert key is not None  # _portugal_applies said so
        assert certificate is not None
        seller = repo.get_seller(conn, doc.seller_id)
        code = seller.atcud_codes.get(doc.series) if seller is not None else None
        if code is None:
            raise Rejected(
                "pt_atcud_code_missing",
                f"series {doc.series} of seller {doc.seller_id} has no AT validation code (Portaria 195/2020 "
                "art. 3: communicate the series to the AT, then record the code in the seller's atcud_codes)",
            )
        link = None
        if previous is not None:
            data = json.loads(previous)
            link = portugal.Link(data["nif"], data["document_type"], data["series"], data["seq"], data["signature"])
        signed = portugal.sign_document(doc, key, link)
        own = signed.link
        return json.dumps(
            {
                "nif": own.nif,
                "document_type": own.document_type,
                "series": own.series,
                "seq": own.seq,
                "signature": own.signature,
                "atcud": portugal.atcud(code, doc.seq),
                "certificate": certificate,
            },
            sort_keys=True,
        )


def _verifactu_applies(doc: Document) -> bool:
    return "verifactu" in formats_for(doc)


def _verifactu_compute(conn: Connection, doc: Document, previous: str | None) -> str:
    from mandat.render.formats import verifactu

    link = None
    if previous is not None:
        data = json.loads(previous)
        link = verifactu.Link(data["nif"], data["number"], date.fromisoformat(data["issue_date"]), data["huella"])
    own = verifactu.link_of(doc, verifactu.build(doc, previous=link, system=verifactu_system(doc)))
    return json.dumps(
        {"nif": own.nif, "number": own.number, "issue_date": own.issue_date.isoformat(), "huella": own.huella},
        sort_keys=True,
    )
