"""The API documentation in a real browser, with no network beyond loopback: /docs (Swagger
UI) and /redoc (ReDoc) load from the server alone, under its strict Content-Security-Policy,
and show every operation of the OpenAPI document.

Playwright for Python drives Debian's Chromium (/usr/bin/chromium, or TMS_E2E_CHROMIUM);
every request leaving for another host than the server's is refused and recorded. Skips,
with the reason, without Chromium; TMS_REQUIRE_BROWSER=1 makes that a failure. Screenshots
land in test-artifacts/.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Route, sync_playwright
from playwright.sync_api import Error as PlaywrightError

import servers
from servers import TmsServer, running

pytestmark = [pytest.mark.browser, pytest.mark.timeout(300)]

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts"
CHROMIUM = Path(os.environ.get("TMS_E2E_CHROMIUM", "/usr/bin/chromium"))
REQUIRED = os.environ.get("TMS_REQUIRE_BROWSER", "") not in ("", "0", "false")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
RECORD_CSP_VIOLATIONS = """
window.cspViolations = [];
document.addEventListener('securitypolicyviolation', (event) => {
  window.cspViolations.push(`${event.effectiveDirective} ${event.blockedURI}`);
});
"""
SHOWN_OPERATIONS = """
[...document.querySelectorAll('.opblock')].map((block) => [
  block.querySelector('.opblock-summary-method').textContent.trim(),
  block.querySelector('.opblock-summary-path').getAttribute('data-path'),
])
"""
AT_THE_BOTTOM = "window.scrollY + window.innerHeight >= document.body.scrollHeight - 2"
REDOC_EXPECTED_REFUSALS = ("img-src https://cdn.redoc.ly/redoc/logo-mini", "script-src eval")
"""What the policy refuses ReDoc, which copes: its footer's logo from its makers' site (the
page hides the empty image), and the eval its search library tries, in a try, before it
searches in the page instead of a worker."""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TmsServer]:
    directory = tmp_path_factory.mktemp("docs")
    env = servers.server_env(
        f"sqlite+aiosqlite:///{directory / 'tms.db'}",
        directory,
        secret_key="api-docs-browser-secret-" + "d" * 32,
        admin_password="Granite-Orchard-6150",
    )
    with running(TmsServer(env, directory)) as started:
        yield started


@pytest.fixture(scope="module")
def operations(server: TmsServer) -> dict[str, list[tuple[str, str]]]:
    """(METHOD, path) of every operation of the OpenAPI document, by tag."""
    document = httpx.get(f"{server.url}/openapi.json", follow_redirects=True).json()
    by_tag: dict[str, list[tuple[str, str]]] = {}
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method in ("get", "head", "post", "put", "delete", "patch"):
                by_tag.setdefault(operation["tags"][0], []).append((method.upper(), path))
    assert sum(map(len, by_tag.values())) > 30
    return by_tag


@pytest.fixture(scope="module")
def operation_ids(server: TmsServer) -> dict[tuple[str, str], str]:
    """The operationId of every (METHOD, path)."""
    document = httpx.get(f"{server.url}/openapi.json", follow_redirects=True).json()
    return {
        (method.upper(), path): operation["operationId"]
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method in ("get", "head", "post", "put", "delete", "patch")
    }


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        reason = f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)"
        if REQUIRED:
            pytest.fail(reason)
        pytest.skip(reason)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


class OfflineContext:
    """A browser context that refuses every request for another host than the server's and
    records them, with the page's console errors and policy violations."""

    def __init__(self, browser: Browser, server: TmsServer) -> None:
        self.host = urlsplit(server.url).netloc
        self.outside: list[str] = []
        self.errors: list[str] = []
        self.context: BrowserContext = browser.new_context()
        self.context.route("**/*", self._only_the_server)
        self.context.add_init_script(RECORD_CSP_VIOLATIONS)

    def _only_the_server(self, route: Route) -> None:
        url = route.request.url
        if urlsplit(url).netloc == self.host or url.startswith(("data:", "blob:")):
            route.continue_()
        else:
            self.outside.append(url)
            route.abort()

    def open(self, url: str) -> Page:
        page = self.context.new_page()
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        page.goto(url)
        return page


@pytest.fixture
def offline(browser: Browser, server: TmsServer) -> Iterator[OfflineContext]:
    context = OfflineContext(browser, server)
    yield context
    context.context.close()


def screenshot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"api-docs-{name}.png"), full_page=False)


def test_swagger_ui_shows_every_operation_offline(
    server: TmsServer, operations: dict[str, list[tuple[str, str]]], offline: OfflineContext
) -> None:
    page = offline.open(f"{server.url}/docs")
    page.locator(".opblock").first.wait_for(timeout=20_000)
    screenshot(page, "swagger")
    # Swagger UI draws a long document's operations as they are scrolled to (and drops the
    # ones scrolled past): gather them page by page, top to bottom.
    shown: set[tuple[str, str | None]] = set()
    for _ in range(400):
        shown |= {
            tuple(pair)
            for pair in page.evaluate(SHOWN_OPERATIONS)  # in one call: blocks come and go
        }
        if page.evaluate(AT_THE_BOTTOM):
            break
        page.mouse.wheel(0, 600)
        page.wait_for_timeout(100)
    assert shown == {operation for listed in operations.values() for operation in listed}
    assert page.evaluate("window.cspViolations") == []
    assert offline.errors == []
    assert offline.outside == []


def test_redoc_shows_every_operation_offline(
    server: TmsServer,
    operations: dict[str, list[tuple[str, str]]],
    operation_ids: dict[tuple[str, str], str],
    offline: OfflineContext,
) -> None:
    page = offline.open(f"{server.url}/redoc")
    main = page.locator("main")
    main.get_by_text("Training Management System API").first.wait_for(timeout=20_000)
    for tag, listed in operations.items():
        page.get_by_role("listitem").get_by_text(tag, exact=True).first.click()
        for method, path in listed:
            # Straight to the operation, as its link in the menu does: a long tag's last
            # operations are far below the tag's heading.
            page.evaluate(f"location.hash = 'tag/{tag}/operation/{operation_ids[method, path]}'")
            shown = main.get_by_text(path, exact=True).first
            # Redoc renders a long section as it is scrolled to: scroll on until it shows.
            for _ in range(40):
                if shown.count():
                    # Redoc may draw the section again meanwhile: then look for it anew.
                    with contextlib.suppress(PlaywrightError):
                        shown.scroll_into_view_if_needed(timeout=2_000)
                        break
                page.mouse.wheel(0, 1500)
                page.wait_for_timeout(250)
            shown.wait_for(timeout=10_000)
            assert shown.is_visible(), (method, path)
    screenshot(page, "redoc")
    violations = page.evaluate("window.cspViolations")
    assert [v for v in violations if not v.startswith(REDOC_EXPECTED_REFUSALS)] == []
    assert [e for e in offline.errors if "cdn.redoc.ly/redoc/logo-mini" not in e] == []
    assert offline.outside == []
