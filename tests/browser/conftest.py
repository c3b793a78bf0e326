"""Browser tests: one app server and one headless Chromium per session, a fresh page per test.

* ``app_server`` starts ``streamlit run app.py`` once (``running_app``); its log goes to a
  temp file whose tail is attached to every failing test's report.
* ``browser`` is Debian's ``/usr/bin/chromium`` driven by Playwright (nothing downloaded).
  If it is missing the browser tests are skipped, except under ``CI=...``, where they fail:
  CI must never pass by skipping them.
* ``page`` is a new browser context (1400x1000) that records console errors and page errors
  and blocks every request that is not for the app server (the tests never touch the
  internet, so they behave the same on- and offline). After each test the page must show no
  ``stException`` element and have logged no error outside :data:`ALLOWLIST`; a full-page
  screenshot of its final state goes to ``screenshots/`` (git-ignored).
"""

from __future__ import annotations

import os
import re
import warnings
from collections.abc import Callable, Iterator
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from urllib.error import HTTPError

import pytest

from tests.browser.appserver import CHROMIUM, CHROMIUM_ARGS, ROOT, running_app

try:
    from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright
    from playwright.sync_api import Error as PlaywrightError
except ImportError:  # pragma: no cover - reported by the ``browser`` fixture
    sync_playwright = None

HERE = Path(__file__).resolve().parent
SCREENSHOTS = ROOT / "screenshots"
VIEWPORT = {"width": 1400, "height": 1000}
LOG_TAIL_LINES = 60
MAX_SHOT_HEIGHT = 8000  # px; a taller page is cut here in the "full page" screenshots


@dataclass(frozen=True)
class Benign:
    """A console error that is expected and harmless, matched on its text and resource URL."""

    reason: str
    text: re.Pattern[str]
    url: re.Pattern[str]

    def matches(self, text: str, url: str) -> bool:
        return bool(self.text.search(text) and self.url.search(url))


ALLOWLIST: tuple[Benign, ...] = (
    # Streamlit's frontend does not know the server's base path, so on a page such as
    # /playground it probes the candidate bases [/playground, /] in turn (``PD()`` and the
    # ping loop ``VD()`` in streamlit/static/static/js/index.*.js): it fetches
    # /playground/_stcore/health and /playground/_stcore/host-config together, gets two 404s,
    # and then connects through /_stcore/health. Chromium logs each 404 as a console error.
    # Only non-root page paths match (there must be a segment before /_stcore/).
    Benign(
        "Streamlit probes <page>/_stcore/{health,host-config} before the base path",
        re.compile(r"^Failed to load resource: the server responded with a status of 404\b"),
        re.compile(r"^http://127\.0\.0\.1:\d+/[^?#]+/_stcore/(health|host-config)$"),
    ),
)


def benign_reason(text: str, url: str) -> str | None:
    """The allowlist entry's reason if this console error is benign, else None."""
    return next((b.reason for b in ALLOWLIST if b.matches(text, url)), None)


@dataclass
class PageLog:
    """What one test's page reported: console messages, uncaught errors, blocked requests."""

    console: list[tuple[str, str, str]] = field(default_factory=list)  # (type, text, url)
    page_errors: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)
    checked: int = 0  # problems before this index were already reported

    def problems(self) -> list[str]:
        """Console errors outside the allowlist, and every uncaught page error."""
        bad = [
            f"console error: {text} ({url})"
            for kind, text, url in self.console
            if kind == "error" and benign_reason(text, url) is None
        ]
        return bad + [f"page error: {e}" for e in self.page_errors]

    def render(self) -> str:
        lines = [f"[{kind}] {text} ({url})" for kind, text, url in self.console]
        lines += [f"[pageerror] {e}" for e in self.page_errors]
        lines += [f"[blocked request] {u}" for u in self.blocked]
        return "\n".join(lines) or "(nothing)"


@dataclass(frozen=True)
class AppServer:
    base: str
    log: Path

    def url(self, path: str = "/") -> str:
        return self.base + path

    def log_tail(self, n: int = LOG_TAIL_LINES) -> str:
        try:
            lines = self.log.read_text(errors="replace").splitlines()
        except OSError as e:
            return f"(no log: {e})"
        return "\n".join(lines[-n:]) or "(empty log)"


def _unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{reason}; CI is set, so the browser tests must run, not skip", False)
    pytest.skip(reason)


# ------------------------------------------------------------------------------ fixtures
@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if sync_playwright is None:
        _unavailable("the playwright package is not installed")
    if not os.access(CHROMIUM, os.X_OK):
        _unavailable(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture(scope="session")
def app_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    log = tmp_path_factory.mktemp("streamlit") / "app.log"
    server = running_app(log=log)
    try:
        base = server.__enter__()
    except (RuntimeError, OSError) as e:  # OSError: urllib's HTTPError from a health check
        body = e.read().decode(errors="replace")[:3000] if isinstance(e, HTTPError) else ""
        tail = AppServer("", log).log_tail()
        pytest.fail(f"the app did not start: {e}\n{body}\n--- log tail ---\n{tail}", False)
    try:
        yield AppServer(base, log)
    finally:
        server.__exit__(None, None, None)


@pytest.fixture
def page_log() -> PageLog:
    return PageLog()


def open_context(browser: Browser, base: str, log: PageLog) -> tuple[BrowserContext, Page]:
    """A new context (a new Streamlit session) and page that records console and page errors
    into ``log`` and blocks every request off ``base``."""
    context = browser.new_context(viewport=VIEWPORT)
    context.set_default_timeout(30_000)

    def block(route) -> None:
        log.blocked.append(route.request.url)
        route.abort()

    context.route(lambda url: not url.startswith(base), block)
    pg = context.new_page()
    pg.on("console", lambda m: log.console.append((m.type, m.text, m.location["url"])))
    pg.on("pageerror", lambda e: log.page_errors.append(str(e)))
    return context, pg


@pytest.fixture
def page(
    browser: Browser, app_server: AppServer, page_log: PageLog, request: pytest.FixtureRequest
) -> Iterator[Page]:
    context, pg = open_context(browser, app_server.base, page_log)
    try:
        yield pg
    finally:
        try:
            full_page_screenshot(pg, SCREENSHOTS / f"{_slug(request.node.nodeid)}.png")
        except PlaywrightError as e:
            warnings.warn(f"no final screenshot: {e}", stacklevel=1)
        finally:
            context.close()


@pytest.fixture
def screenshot(page: Page) -> Callable[[str], Path]:
    """``screenshot(name)``: a full-page screenshot of the page now, to screenshots/name.png."""

    def shoot(name: str) -> Path:
        path = SCREENSHOTS / f"{_slug(name)}.png"
        full_page_screenshot(page, path)
        return path

    return shoot


@pytest.fixture(name="wait_idle")
def wait_idle_fixture(page: Page) -> Callable[..., None]:
    """``wait_idle(timeout=ms)``: wait until the app is idle and fully drawn (see below)."""
    return lambda timeout=30_000: wait_idle(page, timeout)


@pytest.fixture
def assert_clean(page: Page, page_log: PageLog) -> Callable[[str], None]:
    """``assert_clean(where)``: no exception element and no new console/page error now."""

    def check(where: str) -> None:
        _assert_clean(page, page_log, where)

    return check


# --------------------------------------------------------------------------- helpers
def _slug(name: str) -> str:
    name = name.removeprefix("tests/browser/")
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-")[:150]


def wait_idle(page: Page, timeout: float = 30_000) -> None:
    """Wait until the app is connected, its script is not running, and no element is still a
    loading placeholder (``stSkeleton``: Streamlit loads the code of dataframes, charts,
    uploaders... lazily, up to a second after the script has finished)."""
    page.wait_for_function(
        """() => {
            const app = document.querySelector('[data-testid="stApp"]');
            return app && app.dataset.testConnectionState === 'CONNECTED'
                && app.dataset.testScriptState === 'notRunning'
                && !document.querySelector('[data-testid="stSkeleton"]');
        }""",
        timeout=timeout,
    )


def full_page_screenshot(page: Page, path: Path) -> None:
    """The whole page, although Streamlit scrolls inside ``stMain`` and the sidebar: the
    viewport is stretched to the tallest scroll height for the shot, then restored."""
    if page.is_closed():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    vp = page.viewport_size or VIEWPORT
    try:
        height = vp["height"]
        for _ in range(4):  # stretching can reflow the page taller: measure until it fits
            needed = min(MAX_SHOT_HEIGHT, page.evaluate(_CONTENT_HEIGHT_JS))
            if needed <= height:
                break
            height = needed
            page.set_viewport_size({"width": vp["width"], "height": height})
            page.wait_for_timeout(300)  # let responsive charts settle after the resize
        page.screenshot(path=str(path), full_page=True)
    finally:
        page.set_viewport_size(vp)


_CONTENT_HEIGHT_JS = """() => Math.max(window.innerHeight, ...[...document.querySelectorAll(
    '[data-testid="stMain"], [data-testid="stSidebarContent"]')].map(e => e.scrollHeight))"""


def _assert_clean(page: Page, log: PageLog, where: str) -> None:
    exceptions = page.locator('[data-testid="stException"]')
    if exceptions.count():
        text = "\n".join(t[:2000] for t in exceptions.all_inner_texts())
        pytest.fail(f"{where}: the page shows an exception:\n{text}", False)
    problems = log.problems()[log.checked :]
    log.checked += len(problems)
    if problems:
        pytest.fail(f"{where}: the browser reported errors:\n" + "\n".join(problems), False)


# ----------------------------------------------------------------------------- hooks
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in Path(item.path).parents:
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item):
    """After a passing test body, while its page is still open: the page must be clean."""
    result = yield
    page, log = item.funcargs.get("page"), item.funcargs.get("page_log")
    if page is not None and log is not None and not page.is_closed():
        with suppress(PlaywrightError):  # e.g. still playing: check what is there now
            wait_idle(page, timeout=5_000)
        _assert_clean(page, log, "after the test")
    return result


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    report = yield
    if report.failed:
        server, log = item.funcargs.get("app_server"), item.funcargs.get("page_log")
        if isinstance(log, PageLog):
            report.sections.append(("browser console", log.render()))
        if isinstance(server, AppServer):
            title = f"streamlit log (last {LOG_TAIL_LINES} lines)"
            report.sections.append((title, server.log_tail()))
    return report
