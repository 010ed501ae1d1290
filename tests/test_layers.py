"""The dependency rule of docs/architecture.md, checked on the imports of the source: the core does no
I/O and each layer imports only the layers under it (the store the domain, not the rules; a country
pack the domain and the country interface, not the rules nor another country)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "mandat"

# package -> the mandat packages its modules may import (besides itself)
ALLOWED: dict[str, set[str]] = {
    "domain": set(),
    "countries": {"domain"},
    "rules": {"domain", "countries"},
    "exchange": {"domain"},
    "render": {"domain"},
    "store": {"domain"},
    "reports": {"domain"},
}


def imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {name for name in found if name == "mandat" or name.startswith("mandat.")}


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_a_layer_imports_only_the_layers_under_it(package: str) -> None:
    bad = []
    for path in sorted((SRC / package).rglob("*.py")):
        for name in imports(path):
            top = name.split(".")[1] if name.count(".") else ""
            if top and top != package and top not in ALLOWED[package]:
                bad.append(f"{path.relative_to(SRC)} imports {name}")
    assert bad == []


def test_a_country_pack_imports_no_other_country() -> None:
    bad = []
    for pack in sorted(p for p in (SRC / "countries").iterdir() if p.is_dir() and len(p.name) == 2):
        for path in pack.rglob("*.py"):
            for name in imports(path):
                parts = name.split(".")
                if len(parts) > 2 and parts[1] == "countries" and len(parts[2]) == 2 and parts[2] != pack.name:
                    bad.append(f"{path.relative_to(SRC)} imports {name}")
    assert bad == []
