"""The embedding example in examples/ works as documented, in memory and on SQLite."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "embedding.py"


@pytest.mark.parametrize("where", ["memory", "sqlite"])
def test_a_partner_runs_a_programme_without_a_web_server(where: str, tmp_path: Path) -> None:
    args = [sys.executable, str(EXAMPLE)]
    if where == "sqlite":
        args += ["sqlite", str(tmp_path / "partner.db")]
    result = subprocess.run(args, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    assert "'sessions': ['Onboarding']" in result.stdout
    assert "'progress_percentage': 100.0" in result.stdout
    if where == "sqlite":
        assert (tmp_path / "partner.db").stat().st_size > 0
