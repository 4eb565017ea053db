"""The web client: its Vitest unit and component tests, and the client in a real browser:
builds web/ and runs its Playwright scenario (web/e2e/) against a real `tms serve` on a
temporary SQLite file.

Skips, with the reason, on a machine without Chromium at /usr/bin/chromium (or
TMS_E2E_CHROMIUM), without node and npm, or where web/node_modules cannot be installed;
set TMS_REQUIRE_BROWSER=1 to make those a failure instead. Screenshots, downloads and the
server's log land in test-artifacts/.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

# One worker runs both (under xdist): they share web/node_modules, which each may install.
pytestmark = [pytest.mark.browser, pytest.mark.timeout(1200), pytest.mark.xdist_group("web")]

REPO = Path(__file__).resolve().parents[2]
WEB = REPO / "web"
ARTIFACTS = REPO / "test-artifacts"
CHROMIUM = Path(os.environ.get("TMS_E2E_CHROMIUM", "/usr/bin/chromium"))
REQUIRED = os.environ.get("TMS_REQUIRE_BROWSER", "") not in ("", "0", "false")


def _unavailable(reason: str) -> None:
    if REQUIRED:
        pytest.fail(reason)
    pytest.skip(reason)


def _run(
    args: list[str], timeout: int, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        args,
        cwd=WEB,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def _tail(result: subprocess.CompletedProcess[str], lines: int = 80) -> str:
    output = (result.stdout or "") + (result.stderr or "")
    return "\n".join(output.strip().splitlines()[-lines:])


def _needs_install() -> bool:
    marker = WEB / "node_modules" / ".package-lock.json"
    lock = WEB / "package-lock.json"
    return not marker.exists() or lock.stat().st_mtime > marker.stat().st_mtime


def _tms_command() -> str | None:
    beside_python = Path(sys.executable).with_name("tms")
    if beside_python.exists():
        return str(beside_python)
    return shutil.which("tms")


def _installed_npm() -> str:
    """npm, with web/node_modules installed as package-lock.json pins it."""
    npm = shutil.which("npm")
    if shutil.which("node") is None or npm is None:
        _unavailable("node and npm are needed to build, test and drive the web client")
    assert npm is not None
    if _needs_install():
        installed = _run([npm, "ci", "--no-audit", "--no-fund"], timeout=600)
        if installed.returncode != 0:
            _unavailable(
                f"web/node_modules cannot be installed (npm ci failed):\n{_tail(installed, 30)}"
            )
    return npm


def test_web_client_unit_and_component_tests() -> None:
    """The client's own Vitest suite (components, the API client, the live connection)."""
    npm = _installed_npm()
    tested = _run([npm, "test"], timeout=600)
    print(tested.stdout)
    assert tested.returncode == 0, f"npm test (Vitest) failed:\n{_tail(tested)}"


def test_web_client_end_to_end() -> None:
    if not CHROMIUM.exists():
        _unavailable(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    npm = _installed_npm()
    tms = _tms_command()
    if tms is None:
        _unavailable("the `tms` command is not installed (pip install -e .)")
    assert tms is not None

    built = _run([npm, "run", "build"], timeout=600)
    assert built.returncode == 0, f"npm run build failed:\n{_tail(built)}"

    ARTIFACTS.mkdir(exist_ok=True)
    env = {
        **os.environ,
        "TMS_BIN": tms,
        "TMS_E2E_CHROMIUM": str(CHROMIUM),
        "TMS_E2E_ARTIFACTS": str(ARTIFACTS),
        # The certificates scenario reads the QR code out of a PDF with this Python.
        "TMS_E2E_PYTHON": sys.executable,
    }
    for script in (
        "e2e",
        "e2e:courses",
        "e2e:batches",
        "e2e:skills",
        "e2e:oidc",
        "e2e:imports",
        "e2e:notifications",
        "e2e:assessments",
        "e2e:achievements",
        "e2e:certificates",
        "e2e:integrations",
    ):
        scenario = _run([npm, "run", script], timeout=900, env=env)
        print(scenario.stdout)
        assert scenario.returncode == 0, (
            f"the browser scenario `npm run {script}` failed (screenshots and server log in"
            f" {ARTIFACTS}):\n{_tail(scenario)}"
        )
