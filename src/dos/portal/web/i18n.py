"""Compile the portal's ``.po`` translation files to ``.mo`` (``python -m dos.portal.web.i18n``).

Runs at install time with polib, so a machine needs no GNU gettext to run DOS.
"""

from __future__ import annotations

from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parents[2]  # src/dos


def compile_all(root: Path = ROOT) -> list[Path]:
    """Write ``django.mo`` next to every ``django.po`` that is newer; return what was written."""
    written = []
    for po_path in sorted(root.rglob("locale/*/LC_MESSAGES/*.po")):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        polib.pofile(str(po_path)).save_as_mofile(str(mo_path))
        written.append(mo_path)
    return written


if __name__ == "__main__":
    for path in compile_all():
        print(f"compiled {path.relative_to(ROOT.parent)}")
