from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

Run = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def dos(tmp_path: Path) -> Run:
    """Run ``dos`` in a subprocess with its own data folder; returns the completed process."""
    base = {
        k: v for k, v in os.environ.items() if not k.startswith("DOS_") or k.startswith("DOS_TEST_")
    }
    base["DOS_DATA_DIR"] = str(tmp_path / "var")

    def run(
        *args: str,
        env: dict[str, str] | None = None,
        input: str | None = None,
        timeout: float = 120,
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "dos", *args],
            env={**base, **(env or {})},
            capture_output=True,
            text=True,
            input=input,
            timeout=timeout,
        )

    return run
