"""`make audit` (tools/audit.py) fails on a known vulnerability unless audit-ignore.toml
accepts it with a reason, counts npm advisories from high up, and says so when the
vulnerability service could not be asked instead of passing in silence."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

TOOL = Path(__file__).resolve().parents[2] / "tools" / "audit.py"


@pytest.fixture(scope="module")
def audit() -> ModuleType:
    spec = importlib.util.spec_from_file_location("tms_audit_tool", TOOL)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while being made
    spec.loader.exec_module(module)
    return module


def pip_report(*vulns: dict[str, Any], skipped: int = 0) -> dict[str, Any]:
    """The shape of `pip-audit --format json`."""
    dependencies: list[dict[str, Any]] = [
        {"name": "jinja2", "version": "3.1.2", "vulns": list(vulns)},
        {"name": "anyio", "version": "4.16.0", "vulns": []},
    ]
    dependencies += [
        {
            "name": f"pkg{n}",
            "skip_reason": f"Dependency not found on PyPI and could not be audited: pkg{n} (1.0)",
        }
        for n in range(skipped)
    ]
    return {"dependencies": dependencies, "fixes": []}


JINJA_SANDBOX = {
    "id": "GHSA-h75v-3vvj-5mfj",
    "fix_versions": ["3.1.4"],
    "aliases": ["CVE-2024-34064"],
    "description": "The xmlattr filter accepts keys containing non-attribute characters.\nMore.",
}

NPM_REPORT = {
    "auditReportVersion": 2,
    "vulnerabilities": {
        "vite": {
            "name": "vite",
            "severity": "high",
            "isDirect": True,
            "via": [
                {
                    "source": 1103517,
                    "name": "vite",
                    "dependency": "vite",
                    "title": "Vite's server.fs.deny is bypassed",
                    "url": "https://github.com/advisories/GHSA-x574-m823-4x7w",
                    "severity": "high",
                    "range": ">=6.0.0 <6.2.3",
                },
                {
                    "source": 1102000,
                    "name": "vite",
                    "dependency": "vite",
                    "title": "A moderate one",
                    "url": "https://github.com/advisories/GHSA-aaaa-bbbb-cccc",
                    "severity": "moderate",
                    "range": "<6.1.0",
                },
            ],
            "range": ">=6.0.0 <6.2.3",
            "fixAvailable": True,
        },
        "vitest": {
            "name": "vitest",
            "severity": "high",
            "isDirect": True,
            "via": ["vite"],
            "range": "<3.1.0",
            "fixAvailable": True,
        },
    },
    "metadata": {"vulnerabilities": {"high": 2, "moderate": 0, "total": 2}},
}

NPM_UNREACHABLE = {
    "message": "405 Method Not Allowed - POST .../-/npm/v1/security/advisories/bulk",
    "statusCode": 405,
    "error": {"summary": "", "detail": ""},
}


def test_a_known_vulnerability_fails_the_audit(audit: ModuleType) -> None:
    outcome = audit.pip_audit_outcome(pip_report(JINJA_SANDBOX))

    assert [(f.package, f.ids) for f in outcome.findings] == [
        ("jinja2 3.1.2", {"GHSA-h75v-3vvj-5mfj", "CVE-2024-34064"})
    ]
    assert outcome.unaudited is None
    assert not audit.verdict({"python": outcome}, {}, strict=False)


@pytest.mark.parametrize("advisory", ["GHSA-h75v-3vvj-5mfj", "CVE-2024-34064"])
def test_an_ignore_with_a_reason_accepts_the_advisory_by_any_of_its_ids(
    audit: ModuleType, advisory: str, capsys: pytest.CaptureFixture[str]
) -> None:
    ignores = audit.load_ignores(
        f'[[ignore]]\nid = "{advisory}"\npackage = "jinja2"\nreason = "we never use xmlattr"\n'
    )
    outcome = audit.pip_audit_outcome(pip_report(JINJA_SANDBOX))

    assert audit.verdict({"python": outcome}, ignores, strict=False)
    assert "we never use xmlattr" in capsys.readouterr().out


def test_an_ignore_without_a_reason_is_refused(audit: ModuleType) -> None:
    with pytest.raises(ValueError, match="reason"):
        audit.load_ignores('[[ignore]]\nid = "GHSA-h75v-3vvj-5mfj"\n')


def test_the_committed_ignore_file_is_valid(audit: ModuleType) -> None:
    audit.load_ignores(audit.IGNORE_FILE.read_text())


def test_npm_advisories_from_high_up_count_each_once(audit: ModuleType) -> None:
    outcome = audit.npm_audit_outcome(NPM_REPORT)

    assert [(f.package, f.ids) for f in outcome.findings] == [
        ("vite >=6.0.0 <6.2.3", {"1103517", "GHSA-x574-m823-4x7w"})
    ]
    assert not audit.verdict({"web": outcome}, {}, strict=False)
    assert audit.verdict({"web": outcome}, {"1103517": "dev server only"}, strict=False)


def test_an_unreachable_service_is_reported_and_fails_only_when_required(
    audit: ModuleType, capsys: pytest.CaptureFixture[str]
) -> None:
    outcomes = {
        "python": audit.pip_audit_outcome(pip_report(skipped=3)),
        "web": audit.npm_audit_outcome(NPM_UNREACHABLE),
    }

    assert audit.verdict(outcomes, {}, strict=False)
    printed = capsys.readouterr().out
    assert "3 of 5 packages could not be checked" in printed
    assert "405 Method Not Allowed" in printed
    assert not audit.verdict(outcomes, {}, strict=True)
