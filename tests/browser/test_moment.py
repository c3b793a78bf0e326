"""A shared Playground link in Chromium: the URL carries the step and the view, and a fresh
browser context that opens it replays the run (a progress bar) to the same step, then
shows the same view and the same numbers (backprop.ui.moment)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from browser_helpers import (
    PLAY,
    SCREENSHOTS,
    PageLog,
    assert_page_clean,
    click,
    full_page_screenshot,
    metrics,
    open_context,
    open_playground,
    wait_counter,
)
from browser_helpers import wait_idle as idle
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

REPLAY = 1000  # steps the first session's link replays (40 epochs of the default circle)
BOARD_STEP_JS = "() => document.querySelector('.bp-board')?.dataset.step ?? null"
_URL_HAS_JS = """want => {
    const q = new URLSearchParams(window.location.search);
    return Object.entries(want).every(([k, v]) => q.get(k) === v);
}"""
BACKWARD = '.st-key-graph_view button:has-text("Backward")'


def moment(url: str) -> dict[str, str]:
    q = parse_qs(urlsplit(url).query)
    return {k: q[k][-1] for k in ("step", "view", "sample") if k in q}


def wait_replayed(page, step: int) -> None:
    """The step counter and the board show ``step`` and Play is back (the replay paused)."""
    wait_counter(page, step, timeout=120_000)
    expect(page.locator(PLAY)).to_contain_text("Play", timeout=60_000)
    page.wait_for_function(f"() => ({BOARD_STEP_JS})() === '{step}'", timeout=30_000)


def snapshot(page) -> dict:
    """What the page shows: the counters, the board's step and the selected view."""
    return {
        "metrics": metrics(page),
        "board step": page.evaluate(BOARD_STEP_JS),
        "backward": page.locator(BACKWARD).get_attribute("data-testid"),
        "sample": page.get_by_label("Sample", exact=True).input_value(),
    }


@pytest.mark.parametrize("viewport", [(1280, 720), (1600, 1000)], ids=["1280x720", "1600x1000"])
def test_a_shared_link_opened_in_a_fresh_context_shows_the_same_moment(
    page, browser, app_server, wait_idle, assert_clean, viewport
):
    # a first visitor: a link that replays to step REPLAY, one Step more, the backward view
    open_playground(page, app_server, wait_idle, f"?step={REPLAY}")
    wait_replayed(page, REPLAY)
    click(page, "step")
    wait_counter(page, REPLAY + 1)
    page.locator(BACKWARD).click()
    page.get_by_label("Sample", exact=True).fill("5")
    page.get_by_label("Sample", exact=True).press("Enter")
    want = {"step": str(REPLAY + 1), "view": "backward", "sample": "5"}
    page.wait_for_function(_URL_HAS_JS, arg=want)
    wait_idle()
    shared, before = page.url, snapshot(page)
    assert moment(shared) == want
    assert before["board step"] == str(REPLAY + 1)
    assert_clean("the first session")

    # a second visitor opens the link in a fresh context (another Streamlit session)
    log = PageLog()
    ctx, other = open_context(browser, app_server.base, log)
    try:
        other.set_viewport_size({"width": viewport[0], "height": viewport[1]})
        other.goto(shared)
        # the page's bar until the board's line opens, then the board's own line of progress
        bar = other.locator('[data-testid="stProgress"], .bp-progress')
        expect(bar.first).to_contain_text("Replaying the shared run", timeout=30_000)
        name = f"moment-replaying-{viewport[0]}x{viewport[1]}"
        other.screenshot(path=str(SCREENSHOTS / f"{name}.png"))
        wait_replayed(other, REPLAY + 1)
        idle(other)
        expect(bar).to_have_count(0)
        after = snapshot(other)
        assert after == before
        assert moment(other.url) == want
        other.screenshot(path=str(SCREENSHOTS / f"moment-shared-{viewport[0]}x{viewport[1]}.png"))
        full_page_screenshot(other, SCREENSHOTS / f"moment-shared-full-{viewport[0]}.png")
        assert_page_clean(other, log, "the shared link")
    finally:
        ctx.close()
