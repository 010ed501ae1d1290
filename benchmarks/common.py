"""Shared helpers: statistics, machine description, PostgreSQL schemas, the sample check of outputs."""

from __future__ import annotations

import os
import platform
import statistics
import subprocess
import sys
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FX_FILENAME = "{urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#}DocumentFileName"
PG_URL = os.environ.get("MANDAT_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100): a value that was actually observed, no interpolation."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(q / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


@dataclass
class Problems:
    """Validation failures collected over the whole run; any of them makes the run exit non-zero."""

    items: list[str] = field(default_factory=list)

    def add(self, where: str, what: str) -> None:
        self.items.append(f"{where}: {what}")
        print(f"  INVALID {where}: {what}", file=sys.stderr, flush=True)

    def __bool__(self) -> bool:
        return bool(self.items)


def pdfa3_problems(pdf: bytes) -> list[str]:
    """Structural PDF/A-3 + Factur-X markers (not a veraPDF run): XMP pdfaid part 3, OutputIntent,
    factur-x.xml embedded with /AFRelationship and listed in the catalog /AF."""
    import pikepdf

    out: list[str] = []
    with pikepdf.open(__import__("io").BytesIO(pdf)) as p:
        meta = p.open_metadata()
        if str(meta.get("pdfaid:part", "")) != "3":
            out.append(f"XMP pdfaid:part is {meta.get('pdfaid:part')!r}, not 3")
        if str(meta.get("pdfaid:conformance", "")).upper() not in ("B", "U", "A"):
            out.append("XMP pdfaid:conformance missing")
        if str(meta.get(FX_FILENAME, "")) != "factur-x.xml":
            out.append("no Factur-X fx:DocumentFileName = factur-x.xml in the XMP")
        root = p.Root
        intents = root.get("/OutputIntents")
        if not intents or not any(str(i.get("/S")) == "/GTS_PDFA1" and "/DestOutputProfile" in i for i in intents):
            out.append("no GTS_PDFA1 OutputIntent with an ICC profile")
        files = p.attachments
        if "factur-x.xml" not in files:
            out.append("no embedded factur-x.xml")
        else:
            spec = files["factur-x.xml"].obj
            if str(spec.get("/AFRelationship")) not in ("/Data", "/Alternative", "/Source"):
                out.append(f"factur-x.xml /AFRelationship is {spec.get('/AFRelationship')}")
            af = root.get("/AF")
            if af is None or not any(a.objgen == spec.objgen for a in af):
                out.append("factur-x.xml not in the catalog /AF array")
        if "/ID" not in p.trailer:
            out.append("no trailer /ID")
    return out


def check_rendered(where: str, xml: bytes, pdf: bytes, problems: Problems) -> None:
    """XSD + EN 16931 Schematron (+ BR-FR for domestic B2B), PDF/A-3 markers, XML inside the PDF = XML."""
    import io

    import pikepdf

    from mandat.render.validate import check, validate

    if b"urn.cpro.gouv.fr:1p0:extended-ctc-fr" in xml:  # a French e-invoice of the reform: the gate's CTC rules
        for failure in check("en16931-cii-ctc-fr", xml):
            problems.add(where, f"{failure.id}: {failure.text}")
    else:
        for f in validate(xml).errors:
            problems.add(where, str(f))
    for msg in pdfa3_problems(pdf):
        problems.add(where, msg)
    with pikepdf.open(io.BytesIO(pdf)) as p:
        att = p.attachments.get("factur-x.xml")
        if att is not None and att.get_file().read_bytes() != xml:
            problems.add(where, "embedded factur-x.xml differs from the CII XML")


# --- PostgreSQL ----------------------------------------------------------------------------------


def pg_available(url: str) -> str | None:
    """None when the server answers, else why not (the PostgreSQL parts are then skipped, and said so)."""
    try:
        from mandat.store.db import make_engine

        engine = make_engine(url)
        with engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
        engine.dispose()
    except Exception as exc:
        return f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}"
    return None


@contextmanager
def pg_schema(url: str, prefix: str) -> Iterator[str]:
    """A fresh schema for one run (the application reaches it through MANDAT_DATABASE_SCHEMA), dropped after."""
    from mandat.store.db import make_engine

    schema = f"{prefix}_{uuid.uuid4().hex[:8]}"
    admin = make_engine(url)
    with admin.begin() as conn:
        conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
    try:
        yield schema
    finally:
        with admin.begin() as conn:
            conn.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
        admin.dispose()


# --- machine ------------------------------------------------------------------------------------


def _first(path: str, key: str) -> str:
    try:
        for line in Path(path).read_text().splitlines():
            if line.startswith(key):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "?"


def machine() -> dict[str, str]:
    versions = {}
    for dist in (
        "pydantic",
        "SQLAlchemy",
        "psycopg",
        "lxml",
        "weasyprint",
        "reportlab",
        "Jinja2",
        "factur-x",
        "pikepdf",
        "saxonche",
    ):
        try:
            versions[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            versions[dist] = "not installed"
    try:
        commit = subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(ROOT), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        commit += " (uncommitted changes in tracked files)" if dirty else ""
    except (OSError, subprocess.CalledProcessError):
        commit = "?"
    pg = "?"
    try:
        from mandat.store.db import make_engine

        engine = make_engine(PG_URL)
        with engine.connect() as conn:
            pg = str(conn.exec_driver_sql("SHOW server_version").scalar())
        engine.dispose()
    except Exception:
        pg = "unreachable"
    mem_kb = _first("/proc/meminfo", "MemTotal").split()[0]
    return {
        "cpu": _first("/proc/cpuinfo", "model name"),
        "cores": str(os.cpu_count()),
        "ram": f"{int(mem_kb) / 1024 / 1024:.1f} GiB" if mem_kb.isdigit() else "?",
        "python": platform.python_version(),
        "os": f"{platform.system()} {platform.release()} ({platform.freedesktop_os_release().get('PRETTY_NAME', '')})"
        if hasattr(platform, "freedesktop_os_release")
        else platform.platform(),
        "postgresql": pg,
        "sqlite": __import__("sqlite3").sqlite_version,
        "libraries": ", ".join(f"{k} {v}" for k, v in versions.items()),
        "commit": commit,
        "load": " ".join(f"{x:.2f}" for x in os.getloadavg()),
    }
