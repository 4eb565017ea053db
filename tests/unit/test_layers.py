"""The layers hold: the domain imports nothing from the outer packages and does no I/O."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOMAIN = ROOT / "src" / "tms_domain"

OUTER_PACKAGES = {"tms_adapters", "tms_entrypoints"}
FORBIDDEN_MODULES = {
    # frameworks and drivers
    "sqlalchemy",
    "litestar",
    "asyncmy",
    "aiosqlite",
    "jose",
    "argon2",
    "fpdf",
    "xlsxwriter",
    "dependency_injector",
    "msgspec",
    "redis",
    "alembic",
    "uvicorn",
    "dotenv",
    # I/O of the standard library
    "os",
    "pathlib",
    "io",
    "socket",
    "asyncio",
    "subprocess",
    "httpx",
    "shutil",
    "tempfile",
    "sqlite3",
    "logging",
    "urllib.request",
    "http",
    "ssl",
    "select",
    "selectors",
    "threading",
    "multiprocessing",
    "concurrent",
    "gzip",
    "importlib.resources",
}
FORBIDDEN_CALLS = {"open", "print", "input", "exec", "eval", "__import__"}


def domain_modules() -> list[Path]:
    return sorted(DOMAIN.rglob("*.py"))


def imported_names(tree: ast.AST) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                # Relative imports stay inside tms_domain by construction.
                continue
            module = node.module or ""
            names.add(module)
            names.update(f"{module}.{alias.name}" for alias in node.names)
    return names


def is_forbidden(name: str) -> bool:
    parts = name.split(".")
    prefixes = {".".join(parts[: i + 1]) for i in range(len(parts))}
    return bool(prefixes & (FORBIDDEN_MODULES | OUTER_PACKAGES))


def test_the_walk_finds_the_whole_domain() -> None:
    found = {path.relative_to(DOMAIN).as_posix() for path in domain_modules()}

    assert {
        "kernel/errors.py",
        "unit_of_work.py",
        "accounts/use_cases/auth.py",
        "kernel/access.py",
        "training/model.py",
    } <= found


@pytest.mark.parametrize("path", domain_modules(), ids=lambda p: p.relative_to(DOMAIN).as_posix())
def test_a_domain_module_imports_nothing_outside_the_core(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))

    bad_imports = sorted(name for name in imported_names(tree) if is_forbidden(name))
    bad_calls = sorted(
        node.func.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in FORBIDDEN_CALLS
    )

    assert bad_imports == []
    assert bad_calls == []


def test_the_check_itself_catches_a_forbidden_import() -> None:
    tree = ast.parse(
        "import os.path\nfrom tms_adapters.security import x\nfrom sqlalchemy.orm import Session\n"
        "from urllib.parse import urlsplit\nfrom tms_domain.accounts import User\n"
    )

    assert sorted(n for n in imported_names(tree) if is_forbidden(n)) == [
        "os.path",
        "sqlalchemy.orm",
        "sqlalchemy.orm.Session",
        "tms_adapters.security",
        "tms_adapters.security.x",
    ]


def test_import_linter_contracts_are_kept() -> None:
    lint_imports = Path(sys.executable).with_name("lint-imports")

    result = subprocess.run(
        [str(lint_imports), "--no-cache"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout
