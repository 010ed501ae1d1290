"""The official rule files of ``../shared/validation`` (CEN EN 16931 1.3.16, French CTC 1.4.0.03), run
with saxonche as published: what the issues require documents to pass.

In CI they must be present (``CI`` set): a missing file fails instead of skipping.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

_CANDIDATES = [Path(__file__).resolve().parents[2] / "shared" / "validation", Path("/work/shared/validation")]
VALIDATION = next((p for p in _CANDIDATES if p.is_dir()), _CANDIDATES[0])
CEN_CII = VALIDATION / "en16931-1.3.16" / "EN16931-CII-validation.xslt"
FR_CTC_CII = VALIDATION / "fr-ctc-1.4.0.03" / "BR-FR-Flux2-Schematron-CII_V1.4.0.03.xslt"
SVRL = "http://purl.oclc.org/dsdl/svrl"
# Flags that do not make a document invalid (as mandat.render.validate reads them).
NON_BLOCKING = {"warning", "warn", "information", "info", "informational"}


def require(path: Path) -> None:
    if not path.is_file():
        if os.environ.get("CI"):
            pytest.fail(f"official rule file missing: {path}")
        pytest.skip(f"official rule file missing: {path}")


@cache
def _compiled(path: str) -> tuple[Any, Any]:
    from saxonche import PySaxonProcessor

    proc = PySaxonProcessor(license=False)
    return proc, proc.new_xslt30_processor().compile_stylesheet(stylesheet_file=path)


def failures(xml: bytes, stylesheet: Path, blocking_only: bool = True) -> list[str]:
    """Failed asserts of an official Schematron (compiled XSLT), as "id [flag] text"."""
    require(stylesheet)
    proc, exe = _compiled(str(stylesheet))
    node = proc.parse_xml(xml_text=xml.decode("utf-8"))
    svrl = etree.fromstring(exe.transform_to_string(xdm_node=node).encode("utf-8"))
    out = []
    for el in svrl.iter(f"{{{SVRL}}}failed-assert"):
        flag = (el.get("flag") or el.get("role") or "").lower()
        if blocking_only and flag in NON_BLOCKING:
            continue
        out.append(f"{el.get('id')} [{flag}] {' '.join(''.join(el.itertext()).split())}")
    return out


def cen_failures(xml: bytes) -> list[str]:
    return failures(xml, CEN_CII)


def fr_ctc_failures(xml: bytes) -> list[str]:
    return failures(xml, FR_CTC_CII)
