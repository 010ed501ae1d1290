"""Series formats and seller ids accepted at import can number and render documents for ever.

Issue 11: a series without {seq}, a width beyond a sane bound, a '/' in the series (legal and common
in France) or a seller id '.'/'..' consumed a number and then failed to render forever, or hung at
4 GB. Formats are now checked when the seller is saved, and files are stored by document id.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from pydantic import ValidationError

from mandat.domain.parties import Seller, series_of
from mandat.rules.draft import series_name
from mandat.service.app import Mandat
from mandat.service.audit import audit
from mandat.store import repository as repo
from mandat.store.schema import documents, series
from tests.factories import order, refund, seller
from tests.service.test_credit_notes import send


def with_changes(**changes: Any) -> Seller:
    """The seller as an import would build it: validated from its JSON, not copied past the checks."""
    return Seller.model_validate({**seller().model_dump(mode="json"), **changes})


@pytest.mark.parametrize(
    ("changes", "why"),
    [
        ({"invoice_series": "F-{code}"}, "exactly once"),
        ({"invoice_series": "F-{code}-{seq}-{seq}"}, "exactly once"),
        ({"invoice_series": "F-{seq:013}"}, "beyond 12"),
        ({"invoice_series": "F-{seq:04000000000}"}, "only {code}, {seq}"),  # hung at 4 GB
        ({"invoice_series": "F-{seq:06d}"}, "only {code}, {seq}"),
        ({"invoice_series": "F-{seq:6}"}, "only {code}, {seq}"),  # space-padded: not a valid number
        ({"invoice_series": "F-{year}-{seq}"}, "only {code}, {seq}"),
        ({"invoice_series": "F-{code!r}-{seq}"}, "only {code}, {seq}"),
        ({"invoice_series": "F-{"}, "not a valid format"),
        ({"invoice_series": "F {code} {seq}"}, "BR-FR-01/02"),
        ({"invoice_series": "FACTURE-DU-VENDEUR-X-{code}-{seq:012}"}, "BR-FR-01/02"),  # 37 characters
        ({"invoice_series": "{code}-{seq:06}"}, "fixed prefix"),
        ({"invoice_series": "FACTURESDUVENDEUR/{seq}"}, "fixed prefix"),  # a 17-character series
        ({"credit_note_series": "F-{code}-AV-{seq:06}"}, "different series"),
        ({"id": "."}, "id"),
        ({"id": ".."}, "id"),
        ({"id": "-x"}, "id"),
        ({"id": "a/b"}, "id"),
    ],
)
def test_formats_and_ids_that_cannot_number_for_ever_are_refused_at_import(changes: dict[str, str], why: str) -> None:
    with pytest.raises(ValidationError, match="id" if why == "id" else None) as err:
        with_changes(**changes)
    assert why in str(err.value)


@pytest.mark.parametrize(
    "fmt", ["F-{code}-{seq:06}", "F/{code}/{seq:06}", "FA/2026/{seq}", "F_{seq:012}", "{seq:06}", "F+{code}+{seq:01}"]
)
def test_series_named_as_the_numbering_code_names_it(fmt: str) -> None:
    assert series_of(fmt) == series_name(fmt)
    credit = "AV-{code}-{seq:06}"
    assert with_changes(invoice_series=fmt, credit_note_series=credit).invoice_series == fmt


def test_slash_series_issue_render_and_credit_on_both_backends(backend: Mandat) -> None:
    """'/' is legal in a French invoice number: F/ABJ/000001 is issued, stored, rendered and credited."""
    backend.save_sellers([with_changes(invoice_series="F/{code}/{seq:06}", credit_note_series="AV/{code}/{seq:06}")])
    assert send(backend, order(ref="1")) == "issued"
    assert send(backend, order(ref="2")) == "issued"
    one_bag = {"kind": "lines", "lines": [{"line_no": 1, "quantity": "1"}]}
    assert send(backend, refund("1", scope=one_bag, amount="8.90")) == "issued"
    with backend.engine.connect() as conn:
        rows = list(repo.document_rows(conn))
    assert sorted(r.number for r in rows) == ["AV/ABJ/000001", "F/ABJ/000001", "F/ABJ/000002"]
    for r in rows:
        assert r.render_status == "rendered"
        # Keys come from the document id: a '/' of the number is not a directory of the store.
        assert (r.pdf_key, r.xml_key) == (f"atelier-bois/{r.id}.pdf", f"atelier-bois/{r.id}.xml")
        assert backend.blobs.get(r.pdf_key).startswith(b"%PDF-")
    assert audit(backend.engine, backend.blobs).ok


@pytest.mark.parametrize("fmt", ["F-{code}-{seq}", "F-{code}-{seq:06}"])
def test_numbers_keep_every_digit_past_the_padding_on_both_backends(backend: Mandat, fmt: str) -> None:
    """{seq} and a sequence beyond its zero-padding: PostgreSQL's lpad truncated (or emptied) the digits."""
    backend.save_sellers([with_changes(invoice_series=fmt)])
    assert send(backend, order(ref="1")) == "issued"
    with backend.engine.begin() as conn:  # a million invoices later (the chain head moves with them)
        head = conn.execute(sa.select(series.c.last_hash)).scalar_one()
        conn.execute(series.update().values(last_seq=999_999))
    assert send(backend, order(ref="2")) == "issued"
    with backend.engine.connect() as conn:
        numbers = list(conn.execute(sa.select(documents.c.number, documents.c.prev_hash).order_by(documents.c.seq)))
    first = "F-ABJ-1" if fmt.endswith("{seq}") else "F-ABJ-000001"
    assert [n for n, _ in numbers] == [first, "F-ABJ-1000000"]
    assert numbers[1][1] == head


def test_files_stored_under_older_keys_stay_readable(backend: Mandat) -> None:
    """Keys are stored per document: a file under a number-based key (before issue 11) is still found."""
    assert send(backend, order()) == "issued"
    with backend.engine.connect() as conn:
        (row,) = list(repo.document_rows(conn))
    old = {"pdf": f"atelier-bois/F/{row.number}.pdf", "xml": f"atelier-bois/F/{row.number}.xml"}
    for ext, key in (("pdf", row.pdf_key), ("xml", row.xml_key)):
        assert key is not None
        backend.blobs.put(old[ext], backend.blobs.get(key), f"application/{ext}")
        Path(backend.blobs.location(key)).unlink()  # only the old key holds the file now
    with backend.engine.begin() as conn:
        conn.execute(documents.update().values(pdf_key=old["pdf"], xml_key=old["xml"]))
    report = audit(backend.engine, backend.blobs)
    assert report.ok
    assert report.files_checked == 2
