"""The embedding example in examples/ works as documented, in memory and on SQLite, with
the domain and the adapters' bootstrap alone: the web stack is never loaded."""

from __future__ import annotations

import ast
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "embedding.py"

RUN_THEN_LIST_PACKAGES = (
    "import runpy, sys\n"
    "sys.argv = sys.argv[1:]\n"
    "runpy.run_path(sys.argv[0], run_name='__main__')\n"
    "print('packages:', sorted({name.split('.')[0] for name in sys.modules}))\n"
)


def test_the_example_imports_only_the_domain_and_the_bootstrap() -> None:
    tree = ast.parse(EXAMPLE.read_text(encoding="utf-8"))
    imported = {
        node.module
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("tms_")
    }
    assert imported
    assert all(
        name == "tms_adapters.bootstrap" or name.startswith("tms_domain") for name in imported
    ), imported


@pytest.mark.parametrize("where", ["memory", "sqlite"])
def test_a_partner_runs_a_programme_without_a_web_server(where: str, tmp_path: Path) -> None:
    database = tmp_path / "partner.db"
    args = [sys.executable, "-c", RUN_THEN_LIST_PACKAGES, str(EXAMPLE)]
    if where == "sqlite":
        args += ["sqlite", str(database)]
    result = subprocess.run(args, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    assert "'sessions': ['Onboarding']" in result.stdout
    assert "'progress_percentage': 100.0" in result.stdout
    assert "'trainer_temporary_password_given': True" in result.stdout
    assert "'course': 'CRS-0001'" in result.stdout
    assert "'course_progress': 100.0" in result.stdout
    packages = result.stdout.split("packages:", 1)[1]
    for web_stack in ("tms_entrypoints", "litestar", "uvicorn", "dependency_injector"):
        assert f"'{web_stack}'" not in packages
    if where == "sqlite":
        with sqlite3.connect(database) as stored:
            users = stored.execute("SELECT username, role FROM users ORDER BY id").fetchall()
            marks = stored.execute("SELECT present FROM attendance").fetchall()
        assert users == [("admin", "admin"), ("tina", "trainer"), ("tom", "trainee")]
        assert marks == [(1,)]
