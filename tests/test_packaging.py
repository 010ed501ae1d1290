"""What a plain `pip install mandat` gets must be enough to run what it ships.

Every third-party module imported under src/ must come from a runtime dependency of pyproject.toml,
or sit in a module listed in GUARDED, which says which extra to install when the package is missing.
The installed wheel itself is exercised by scripts/smoke_install.sh (run by .ci/run).
"""

from __future__ import annotations

import ast
import importlib
import re
import sys
import tomllib
from importlib.metadata import metadata, packages_distributions
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src"
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))

# module (dotted) -> the extra that provides its third-party imports; each is checked below to fail
# with a message naming that extra when the package is absent.
GUARDED = {
    "mandat.store.s3": "s3",
}
# Runtime dependencies that no module imports by name: SQLAlchemy loads the driver from the URL.
LOADED_INDIRECTLY = {"psycopg"}


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _requirement_name(req: str) -> str:
    match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", req)
    assert match, req
    return _norm(match.group(1))


def _module_name(path: Path) -> str:
    parts = path.relative_to(SRC).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def runtime_imports(tree: ast.AST) -> set[str]:
    """Top-level names of the absolute imports a module executes (not those only for type checkers)."""
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return found


def third_party_imports() -> dict[str, set[str]]:
    """module -> top-level third-party names it imports."""
    out: dict[str, set[str]] = {}
    for path in sorted(SRC.rglob("*.py")):
        names = runtime_imports(ast.parse(path.read_text(encoding="utf-8"), str(path)))
        names = {n for n in names if n not in sys.stdlib_module_names and n not in ("mandat", "__future__")}
        if names:
            out[_module_name(path)] = names
    return out


def test_runtime_imports_parser_sees_function_level_imports_and_skips_type_checking() -> None:
    tree = ast.parse(
        "import a.b\nfrom c import d\nfrom . import e\nif TYPE_CHECKING:\n    import f\n"
        "def g():\n    import h\n    from i.j import k\n"
    )
    assert runtime_imports(tree) == {"a", "c", "h", "i"}


def test_every_third_party_import_is_a_declared_runtime_dependency() -> None:
    runtime = {_requirement_name(r) for r in PYPROJECT["project"]["dependencies"]}
    optional = PYPROJECT["project"]["optional-dependencies"]
    extras = {name: {_requirement_name(r) for r in reqs} for name, reqs in optional.items()}
    dists = packages_distributions()
    problems = []
    for module, names in third_party_imports().items():
        for name in sorted(names):
            provided_by = {_norm(d) for d in dists.get(name, [])}
            if not provided_by:
                problems.append(f"{module} imports {name}, which no installed distribution provides")
            elif not provided_by & (runtime | (extras.get(GUARDED[module], set()) if module in GUARDED else set())):
                problems.append(
                    f"{module} imports {name} ({', '.join(sorted(provided_by))}), not a runtime dependency"
                    + (f" nor in the extra [{GUARDED[module]}]" if module in GUARDED else "")
                )
    assert not problems, "\n".join(problems)


def test_every_runtime_dependency_is_used() -> None:
    """A dependency nothing imports (outside the extra-guarded modules) is weight on every install."""
    dists = packages_distributions()
    used = {
        _norm(d)
        for module, names in third_party_imports().items()
        if module not in GUARDED
        for name in names
        for d in dists.get(name, [])
    }
    runtime = {_requirement_name(r) for r in PYPROJECT["project"]["dependencies"]}
    assert runtime - used - LOADED_INDIRECTLY == set()


def test_guarded_modules_exist() -> None:
    modules = set(third_party_imports())
    assert set(GUARDED) <= modules


def test_s3_store_without_boto3_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    from mandat.store.s3 import S3BlobStore

    monkeypatch.setitem(sys.modules, "boto3", None)  # what `import boto3` sees when it is not installed
    with pytest.raises(RuntimeError, match=re.escape("pip install 'mandat[s3]'")):
        S3BlobStore("bucket", "prefix")


def test_validation_gate_needs_only_runtime_dependencies(monkeypatch: pytest.MonkeyPatch) -> None:
    """The gate runs in production: it must import and validate without factur-x (a dev/bench tool)."""
    monkeypatch.setitem(sys.modules, "facturx", None)  # what `import facturx` sees when it is not installed
    monkeypatch.delitem(sys.modules, "mandat.render.validate", raising=False)
    validate = importlib.import_module("mandat.render.validate")
    failures = validate.check("ksef-fa3", b"<Faktura xmlns='http://crd.gov.pl/wzor/2025/06/25/13775/'/>")
    assert failures
    assert failures[0].rules == "xsd"


def test_license_is_an_spdx_expression() -> None:
    """The table form is deprecated (setuptools warns on every build); PEP 639 wants the SPDX string."""
    assert PYPROJECT["project"]["license"] == "AGPL-3.0-or-later"
    assert any(re.fullmatch(r"setuptools>=(7[7-9]|[89]\d)(\.\d+)*", r) for r in PYPROJECT["build-system"]["requires"])
    assert metadata("mandat")["License-Expression"] == "AGPL-3.0-or-later"
