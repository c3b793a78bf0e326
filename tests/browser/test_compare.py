"""The Compare tab in Chromium: pin A, change the learning rate, Step B; each Step redraws
the tab; a fresh context opening the link replays A on the fragment's timer (a progress bar),
then shows A and B (backprop.ui.compare)."""

from __future__ import annotations

import pytest
from browser_helpers import (
    SCREENSHOTS,
    PageLog,
    assert_page_clean,
    click,
    open_context,
    open_playground,
    wait_counter,
)
from browser_helpers import wait_idle as idle
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

A_STEPS = 1500  # A's replay takes several ticks of the timed fragment (0.25 s each)
DIFF = "B differs from A in: learning rate 0.1 → 0.3."
_URL_HAS_JS = """keys => {
    const q = new URLSearchParams(window.location.search);
    return keys.every(k => q.has(k));
}"""


def compare_tab(page):
    return page.locator('[data-testid="stTabs"] [role="tabpanel"]:visible')


_SAW_REPLAY_JS = """
new MutationObserver(() => {
  for (const e of document.querySelectorAll('[data-testid="stProgress"]')) {
    if (e.textContent.includes("Replaying the pinned run A")) window.__sawReplay = true;
  }
}).observe(document, { subtree: true, childList: true, characterData: true });
"""


def test_pin_change_step_and_share_the_two_runs(page, browser, app_server, wait_idle):
    open_playground(page, app_server, wait_idle, f"?step={A_STEPS}")
    wait_counter(page, A_STEPS, timeout=120_000)
    wait_idle()
    page.get_by_role("tab", name="Compare").click()
    click(page, "pin")
    tab = compare_tab(page)
    expect(tab).to_contain_text("B has the same settings as A.")
    eta = page.locator('[data-testid="stSidebar"]').get_by_label("Learning rate (eta)")
    eta.fill("0.3")
    eta.press("Enter")
    expect(tab).to_contain_text(DIFF, timeout=15_000)
    for n in (1, 2):
        click(page, "step")
        wait_counter(page, n)
        expect(tab).to_contain_text(f"B: the current run, step {n} ", timeout=15_000)
    expect(tab.locator(".js-plotly-plot")).to_have_count(5, timeout=15_000)
    expect(tab).to_contain_text("A: train cost")
    page.wait_for_function(_URL_HAS_JS, arg=["pin", "pin_step", "step"])
    wait_idle()
    shared = page.url
    page.screenshot(path=str(SCREENSHOTS / "compare.png"), full_page=True)

    log = PageLog()
    ctx, other = open_context(browser, app_server.base, log)
    try:
        # the replay's progress bar may come and go between two polls: a watcher installed
        # before the page loads notes whether it was shown
        other.add_init_script(_SAW_REPLAY_JS)
        other.goto(shared)
        bar = other.locator('[data-testid="stProgress"]')
        tab = compare_tab(other)
        expect(tab).to_contain_text(f"A: pinned at step {A_STEPS:,}", timeout=120_000)
        expect(tab).to_contain_text(DIFF)
        expect(tab).to_contain_text("B: the current run, step 2 ", timeout=60_000)
        expect(bar).to_have_count(0, timeout=30_000)
        assert other.evaluate("window.__sawReplay === true"), "no replay progress bar was shown"
        expect(tab.locator(".js-plotly-plot")).to_have_count(5, timeout=15_000)
        idle(other)
        assert_page_clean(other, log, "the shared link")
    finally:
        ctx.close()
