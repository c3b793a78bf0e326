"""Helpers shared by the browser tests (the fixtures are in ``conftest.py``).

* a page's log of console and page errors (``PageLog``, with the allowlist of benign
  errors), a new context per session (``open_context``), waiting until the app is idle,
  full-page screenshots and the clean-page check;
* the Playground: opening it, clicking a keyed button, reading and waiting for the step and
  epoch counters, waiting for the live charts.

Selectors: buttons have stable keys, so ``.st-key-<key> button`` finds them; the counters are
drawn by the live board in its row ``.bp-counters`` (each ``.bp-value``: the first is the
step, the second the epoch); the live charts are custom-component ``div.bp-live-plot``
elements that plotly.js
fills (``.main-svg``), in the live board's cells ``[data-key=live_<name>]``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from appserver import ROOT

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page

SCREENSHOTS = ROOT / "screenshots"
VIEWPORT = {"width": 1400, "height": 1000}
MAX_SHOT_HEIGHT = 8000  # px; a taller page is cut here in the "full page" screenshots


# ----------------------------------------------------------------------- page errors
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


# ----------------------------------------------------------------------------- pages
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


def assert_page_clean(page: Page, log: PageLog, where: str) -> None:
    """Fail (naming ``where``) if the page shows an exception element or ``log`` holds a
    console or page error not reported before."""
    exceptions = page.locator('[data-testid="stException"]')
    if exceptions.count():
        text = "\n".join(t[:2000] for t in exceptions.all_inner_texts())
        pytest.fail(f"{where}: the page shows an exception:\n{text}", False)
    problems = log.problems()[log.checked :]
    log.checked += len(problems)
    if problems:
        pytest.fail(f"{where}: the browser reported errors:\n" + "\n".join(problems), False)


# ------------------------------------------------------------------------ Playground
METRICS = ".bp-counters .bp-value"
LIVE = ("live_graph", "live_output", "live_cost")
PLAY = ".st-key-play button:visible"

_LIVE_READY_JS = """n => [...document.querySelectorAll('div.bp-live-plot')]
    .filter(d => d.querySelector('.main-svg')).length >= n"""
_METRIC_IS_JS = """([i, want]) => {
    const m = document.querySelectorAll('.bp-counters .bp-value')[i];
    return m !== undefined && m.innerText.replace(/,/g, '') === String(want);
}"""


def open_playground(page, app_server, wait_idle, query: str = "") -> None:
    page.goto(app_server.url("/playground" + query))
    wait_live_charts(page)
    wait_idle()


def wait_live_charts(page) -> None:
    """All three live charts are drawn by plotly.js."""
    page.wait_for_function(_LIVE_READY_JS, arg=len(LIVE))


def metrics(page) -> list[str]:
    return page.locator(METRICS).all_inner_texts()


def counter(page, index: int = 0) -> int:
    """The step (index 0) or epoch (index 1) counter."""
    return int(metrics(page)[index].replace(",", ""))


def wait_counter(page, want: int, index: int = 0, timeout: float = 15_000) -> None:
    page.wait_for_function(_METRIC_IS_JS, arg=[index, want], timeout=timeout)


def click(page, key: str) -> None:
    # ``:visible``: a button with ``help`` also has a hidden zero-size copy (Streamlit measures
    # its width with it), so ``.st-key-step button`` alone matches two elements
    page.locator(f".st-key-{key} button:visible").click()


# ------------------------------------------------------------ points on the charts
# the page position of data point (x, y) of a view's plot (from each axis's own offset:
# a square plot's x-axis does not start at the margin)
PIXEL_JS = """([key, x, y]) => {
    const div = document.querySelector(`[data-key="${key}"] div.bp-live-plot`);
    const f = div._fullLayout, r = div.getBoundingClientRect();
    return [r.left + f.xaxis._offset + f.xaxis.d2p(x), r.top + f.yaxis._offset + f.yaxis.d2p(y)];
}"""
# the training point nearest (x, y), and the data units of one pixel on each axis
NEAREST_JS = """([x, y]) => {
    const div = document.querySelector('[data-key="live_output"] div.bp-live-plot');
    const f = div._fullLayout;
    const unit = (a) => Math.abs(a.p2d(1) - a.p2d(0));
    const px = [unit(f.xaxis), unit(f.yaxis)];
    let best = null;
    for (const t of div.data.filter(t => /train/i.test(t.name || ''))) {
        for (let i = 0; i < t.x.length; i++) {
            const d = Math.hypot((t.x[i] - x) / px[0], (t.y[i] - y) / px[1]);
            if (!best || d < best.px) best = {x: t.x[i], y: t.y[i], px: d};
        }
    }
    return {...best, unit: px}; }"""
# how many training points the output view draws
TRAIN_N_JS = """() => document.querySelector('[data-key="live_output"] div.bp-live-plot').data
    .filter(t => /train/i.test(t.name || '')).reduce((n, t) => n + t.x.length, 0)"""
