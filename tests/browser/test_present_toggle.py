"""The Present toggle, on every page, applies within a second both ways: the sidebar closes
and the text (the page's and the charts') grows by a quarter at least, and back to the same
sizes; the URL says so (?present=1)."""

from __future__ import annotations

import pytest
from browser_helpers import SCREENSHOTS
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

PAGES = ("", "playground", "stepper", "gradcheck", "bugs", "diff")
CHARTLESS = ("", "diff")  # Home; Gradient diff before gradients are given
SIDEBAR = '[data-testid="stSidebar"]'
TOGGLE = ".st-key-present_toggle label"
# the font size (px) of the page's first paragraph of text, and of its first chart's title
_SIZES_JS = """() => {
    const p = document.querySelector('.stMainBlockContainer [data-testid="stMarkdownContainer"] p');
    const t = document.querySelector('.stMainBlockContainer .main-svg .gtitle, '
        + '.stMainBlockContainer .main-svg .xtick text');
    const px = (e) => e ? parseFloat(getComputedStyle(e).fontSize) : null;
    return [px(p), px(t)]; }"""


@pytest.mark.parametrize("path", PAGES)
def test_the_present_toggle_applies_within_a_second_both_ways(page, app_server, wait_idle, path):
    page.set_viewport_size({"width": 1280, "height": 720})
    page.goto(app_server.url("/" + path))
    if path not in CHARTLESS:
        page.locator(".main-svg").first.wait_for(timeout=60_000)
    wait_idle()
    sidebar = page.locator(SIDEBAR)
    expect(sidebar).to_have_attribute("data-collapsed", "false")
    text, chart = page.evaluate(_SIZES_JS)
    assert text is not None and ((chart is None) == (path in CHARTLESS)), (text, chart)
    larger = f"t >= 1.25 * {text} && (c === null || c >= 1.25 * {chart or 0})"
    same = f"t === {text} && (c === null || c === {chart or 0})"

    page.locator(TOGGLE).click()
    expect(sidebar).to_have_attribute("data-collapsed", "true", timeout=1_000)
    page.wait_for_function(
        f"() => {{ const [t, c] = ({_SIZES_JS})(); return {larger}; }}", timeout=1_000
    )
    assert "present=1" in page.url
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"present-on-{path or 'home'}-1280x720.png"))

    page.locator(TOGGLE).click()
    expect(sidebar).to_have_attribute("data-collapsed", "false", timeout=1_000)
    page.wait_for_function(
        f"() => {{ const [t, c] = ({_SIZES_JS})(); return {same}; }}", timeout=1_000
    )
    assert "present=1" not in page.url
