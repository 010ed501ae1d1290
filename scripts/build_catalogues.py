"""Compile the PDF label catalogues: ``locales/<lang>/LC_MESSAGES/mandat.po`` -> ``mandat.mo`` beside it.

Run after editing a ``.po`` file and commit both (tests/render/pdf/test_languages.py checks they agree)::

    .venv/bin/python scripts/build_catalogues.py

The ``.mo`` files are committed so that neither an install nor a render needs a compile step.
"""

from __future__ import annotations

import io
from pathlib import Path

from babel.messages import mofile, pofile

from mandat.render.i18n import LOCALE_DIR


def compile_po(po: Path) -> bytes:
    with po.open("rb") as f:
        catalog = pofile.read_po(f)
    buffer = io.BytesIO()
    mofile.write_mo(buffer, catalog)
    return buffer.getvalue()


def main() -> None:
    for po in sorted(LOCALE_DIR.glob("*/LC_MESSAGES/mandat.po")):
        po.with_suffix(".mo").write_bytes(compile_po(po))
        print(po.relative_to(LOCALE_DIR))


if __name__ == "__main__":
    main()
