"""Records issued before the country packages existed (examples/ through `mandat ingest`, at b9b34ba)
still parse, keep their hash-chain link and re-render to the very same bytes.

The records and digests in ``golden/`` were written once and are never regenerated: a change that
alters them breaks the audit of documents already issued, or the promise "same record, same bytes".
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from mandat.domain.documents import Document
from mandat.render.document import render_document

GOLDEN = Path(__file__).with_name("golden")
EXPECTED: dict[str, dict[str, str]] = json.loads((GOLDEN / "expected.json").read_text())


@pytest.mark.parametrize("number", sorted(EXPECTED))
def test_an_old_record_keeps_its_hash_and_its_bytes(number: str) -> None:
    stored = (GOLDEN / f"{number}.json").read_text()
    doc = Document.model_validate_json(stored)
    assert doc.compute_hash() == doc.hash == EXPECTED[number]["hash"]
    # Re-serialised, the record is the stored JSON (new optional fields stay out while empty).
    assert json.loads(doc.model_dump_json()) == json.loads(stored)
    rendered = render_document(doc)
    assert hashlib.sha256(rendered.xml).hexdigest() == EXPECTED[number]["xml_sha256"]
    assert hashlib.sha256(rendered.pdf).hexdigest() == EXPECTED[number]["pdf_sha256"]


def test_the_golden_set_covers_invoices_and_a_credit_note() -> None:
    kinds = {json.loads((GOLDEN / f"{n}.json").read_text())["kind"] for n in EXPECTED}
    assert kinds == {"invoice", "credit_note"}
