"""The documentation names every knob the code reads."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VARIABLE = re.compile(r"\bMANDAT_[A-Z][A-Z0-9_]*[A-Z0-9]\b")


def variables_in(*folders: str) -> dict[str, str]:
    """variable -> first file mentioning it, over the Python files of ``folders``."""
    found: dict[str, str] = {}
    for folder in folders:
        for path in sorted((ROOT / folder).rglob("*.py")):
            if path.name == Path(__file__).name:
                continue
            for name in VARIABLE.findall(path.read_text(encoding="utf-8")):
                found.setdefault(name, str(path.relative_to(ROOT)))
    return found


def test_every_environment_variable_is_documented() -> None:
    documented = set(VARIABLE.findall((ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")))
    used = variables_in("src", "tests", "benchmarks")
    assert {"MANDAT_HOME", "MANDAT_DATABASE_SCHEMA", "MANDAT_SECRET_KEY"} <= set(used)  # the scan finds them
    missing = {name: where for name, where in used.items() if name not in documented}
    assert not missing, f"not in docs/configuration.md: {missing}"
    stale = documented - set(used)
    assert not stale, f"docs/configuration.md documents variables nothing reads: {stale}"


def test_readme_links_the_configuration() -> None:
    assert "(docs/configuration.md)" in (ROOT / "README.md").read_text(encoding="utf-8")
