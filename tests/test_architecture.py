"""Architecture rules that keep the design clean."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "dos"


def _imports(path: Path) -> list[str]:
    names = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.append(node.module)
    return names


def test_broker_never_imports_the_portal_or_django() -> None:
    offenders = [
        f"{path.relative_to(SRC)} imports {name}"
        for path in (SRC / "broker").rglob("*.py")
        for name in _imports(path)
        if name.split(".")[0] == "django" or name.startswith("dos.portal")
    ]
    assert offenders == []


def test_config_is_importable_without_django() -> None:
    offenders = [n for n in _imports(SRC / "config.py") if n.split(".")[0] == "django"]
    assert offenders == []


def test_no_source_file_is_too_long() -> None:
    long = [
        f"{p.relative_to(SRC)}: {n}"
        for p in SRC.rglob("*.py")
        if "migrations" not in p.parts and (n := len(p.read_text().splitlines())) > 800
    ]
    assert long == []
