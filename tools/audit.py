"""`make audit`: known vulnerabilities in the locked Python packages (pip-audit, given the
requirements that `uv export` wrote from uv.lock) and in the web client's npm packages (npm
audit, high and critical), less the advisories that audit-ignore.toml accepts with a reason.

Both audits ask a vulnerability service on the network. Where it cannot be reached the audit
says so loudly and passes, since it proved nothing either way; TMS_REQUIRE_AUDIT=1 makes that
a failure instead.

    python tools/audit.py REQUIREMENTS_FILE
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
IGNORE_FILE = REPO / "audit-ignore.toml"
NPM_SEVERITIES = ("high", "critical")


@dataclass(frozen=True)
class Finding:
    """One advisory against one package; `ids` holds every name the advisory goes by."""

    package: str
    ids: frozenset[str]
    summary: str


@dataclass(frozen=True)
class Outcome:
    findings: list[Finding] = field(default_factory=list)
    unaudited: str | None = None
    """Why some or all packages could not be checked, when that happened."""


def load_ignores(text: str) -> dict[str, str]:
    """Advisory id -> the reason it is accepted."""
    ignores: dict[str, str] = {}
    for entry in tomllib.loads(text).get("ignore", []):
        advisory, reason = str(entry.get("id", "")).strip(), str(entry.get("reason", "")).strip()
        if not advisory or not reason:
            raise ValueError(f"every [[ignore]] needs an id and a reason: {entry!r}")
        ignores[advisory] = reason
    return ignores


def pip_audit_outcome(report: Mapping[str, Any]) -> Outcome:
    """From `pip-audit --format json`."""
    dependencies = report["dependencies"]
    findings = [
        Finding(
            f"{dependency['name']} {dependency['version']}",
            frozenset({vuln["id"], *vuln.get("aliases", [])}),
            _first_line(vuln.get("description", "")),
        )
        for dependency in dependencies
        for vuln in dependency.get("vulns", [])
    ]
    skipped = [each["skip_reason"] for each in dependencies if "skip_reason" in each]
    unaudited = (
        f"{len(skipped)} of {len(dependencies)} packages could not be checked ({skipped[0]})"
        if skipped
        else None
    )
    return Outcome(findings, unaudited)


def npm_audit_outcome(report: Mapping[str, Any]) -> Outcome:
    """From `npm audit --json`: the high and critical advisories, each once."""
    if "vulnerabilities" not in report:
        return Outcome(unaudited=str(report.get("message") or "npm audit gave no report"))
    findings: dict[tuple[str, frozenset[str]], Finding] = {}
    for package in report["vulnerabilities"].values():
        for via in package.get("via", []):
            # A string names the dependency that carries the advisory; it is listed on its own.
            if not isinstance(via, dict) or via.get("severity") not in NPM_SEVERITIES:
                continue
            ids = frozenset({str(via["source"]), str(via.get("url", "")).rsplit("/", 1)[-1]} - {""})
            name = f"{via['name']} {via.get('range', '')}".strip()
            findings[(name, ids)] = Finding(name, ids, f"{via['severity']}: {via.get('title', '')}")
    return Outcome(list(findings.values()))


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0][:160] if text.strip() else ""


def _json_from(command: list[str], cwd: Path) -> tuple[Mapping[str, Any] | None, str]:
    """The JSON a command printed (both audits exit non-zero when they find something), or
    None and the reason."""
    try:
        done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=300)
    except (OSError, subprocess.TimeoutExpired) as error:
        return None, str(error)
    try:
        return json.loads(done.stdout), ""
    except json.JSONDecodeError:
        lines = (done.stderr or done.stdout).strip().splitlines()
        return None, lines[-1] if lines else f"exit status {done.returncode}"


def run_pip_audit(requirements: Path) -> Outcome:
    report, problem = _json_from(
        [
            sys.executable,
            "-m",
            "pip_audit",
            "--disable-pip",
            "--requirement",
            str(requirements),
            "--format",
            "json",
            "--progress-spinner",
            "off",
        ],
        REPO,
    )
    return pip_audit_outcome(report) if report is not None else Outcome(unaudited=problem)


def run_npm_audit() -> Outcome:
    npm = shutil.which("npm")
    if npm is None:
        return Outcome(unaudited="npm is not installed")
    report, problem = _json_from([npm, "audit", "--json", "--audit-level=high"], REPO / "web")
    return npm_audit_outcome(report) if report is not None else Outcome(unaudited=problem)


def verdict(outcomes: Mapping[str, Outcome], ignores: Mapping[str, str], strict: bool) -> bool:
    """Print what each audit found; True when the audit passes."""
    passed = True
    for label, outcome in outcomes.items():
        accepted = [f for f in outcome.findings if f.ids & ignores.keys()]
        open_findings = [f for f in outcome.findings if not f.ids & ignores.keys()]
        print(f"{label}: {len(open_findings)} known vulnerabilities found", end="")
        print(f", {len(accepted)} accepted in {IGNORE_FILE.name}" if accepted else "")
        for finding in open_findings:
            print(f"  {finding.package}: {', '.join(sorted(finding.ids))} {finding.summary}")
        for finding in accepted:
            reason = next(ignores[i] for i in sorted(finding.ids) if i in ignores)
            print(f"  accepted {finding.package} ({', '.join(sorted(finding.ids))}): {reason}")
        if outcome.unaudited:
            print(f"  WARNING: not (fully) audited: {outcome.unaudited}")
        passed = passed and not open_findings and not (strict and outcome.unaudited)
    return passed


def main(argv: Iterable[str]) -> int:
    (requirements,) = argv
    try:
        ignores = load_ignores(IGNORE_FILE.read_text())
    except ValueError as error:
        print(f"{IGNORE_FILE.name}: {error}")
        return 2
    outcomes = {
        "Python packages (pip-audit)": run_pip_audit(Path(requirements)),
        "web/ (npm audit, high and critical)": run_npm_audit(),
    }
    strict = os.environ.get("TMS_REQUIRE_AUDIT", "") not in ("", "0", "false")
    return 0 if verdict(outcomes, ignores, strict) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
