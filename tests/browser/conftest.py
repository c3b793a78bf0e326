"""Browser tests: one app server and one headless Chromium per session, a fresh page per test.

* ``app_server`` starts ``streamlit run app.py`` once (``running_app``); its log goes to a
  temp file whose tail is attached to every failing test's report.
* ``browser`` is Debian's ``/usr/bin/chromium`` driven by Playwright (nothing downloaded).
  If it is missing the browser tests are skipped, except under ``CI=...``, where they fail:
  CI must never pass by skipping them.
* ``page`` is a new browser context (1400x1000) that records console errors and page errors
  and blocks every request that is not for the app server (the tests never touch the
  internet, so they behave the same on- and offline). After each test the page must show no
  ``stException`` element and have logged no error outside ``browser_helpers.ALLOWLIST``; a
  full-page screenshot of its final state goes to ``screenshots/`` (git-ignored).
"""

from __future__ import annotations

import os
import re
import warnings
from collections.abc import Callable, Iterator
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from urllib.error import HTTPError

import pytest
from appserver import CHROMIUM, CHROMIUM_ARGS, running_app
from browser_helpers import (
    SCREENSHOTS,
    PageLog,
    assert_page_clean,
    full_page_screenshot,
    open_context,
    wait_idle,
)

try:
    from playwright.sync_api import Browser, Page, sync_playwright
    from playwright.sync_api import Error as PlaywrightError
except ImportError:  # pragma: no cover - reported by the ``browser`` fixture
    sync_playwright = None

HERE = Path(__file__).resolve().parent
LOG_TAIL_LINES = 60


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
        assert_page_clean(page, page_log, where)

    return check


# --------------------------------------------------------------------------- helpers
def _slug(name: str) -> str:
    name = name.removeprefix("tests/browser/")
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-")[:150]


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
        assert_page_clean(page, log, "after the test")
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
