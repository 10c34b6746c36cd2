"""``dos.broker`` runs and scales on its own: it never imports Django or the portal."""

from __future__ import annotations

import ast
from pathlib import Path

import dos.broker

FORBIDDEN = ("django", "dos.portal", "asgiref")


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
    return names


def test_broker_never_imports_django_or_the_portal() -> None:
    root = Path(dos.broker.__file__).parent
    sources = sorted(root.rglob("*.py"))
    assert len(sources) > 20
    offending = [
        f"{path.relative_to(root)}: {name}"
        for path in sources
        for name in _imports(path)
        if any(name == f or name.startswith(f + ".") for f in FORBIDDEN)
    ]
    assert offending == []
