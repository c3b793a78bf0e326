"""The Step-through page in Chromium: every stage with Next, then Play to the last stage.

At every stage the title must change, the equations must be typeset (KaTeX) and both
charts drawn, with no exception element and no console error. Screenshots of a few stages
go to ``screenshots/`` (forward pass, BP1, BP2, the update; the fixture adds the end).
"""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

TITLE = ".st-key-stage-title"
NEXT, PLAY = ".st-key-stage_next button", ".st-key-stage_play button"
SHOTS = {2: "forward", 5: "bp1", 6: "bp2", 11: "update"}  # stage -> name, for [2, 3, 2]


def stage_title(page) -> str:
    return page.locator(TITLE).inner_text().strip()


def test_walk_every_stage_then_play_to_the_end(
    page, app_server, wait_idle, assert_clean, screenshot
):
    page.goto(app_server.url("/stepper"))
    page.wait_for_selector(TITLE)
    wait_idle()
    first = stage_title(page)
    n = int(re.match(r"Stage 1 of (\d+): Input", first).group(1))
    assert n == 11, first  # the default [2, 3, 2] network
    assert_clean("stage 1")
    page.locator(".st-key-stage_speed").click()
    page.get_by_role("option", name="0.3 s per stage").click()
    wait_idle()
    expect(page.locator(".st-key-stage_speed input")).to_have_value("0.3 s per stage")
    titles = [first]
    for i in range(2, n + 1):
        page.locator(NEXT).click()
        expect(page.locator(TITLE)).to_contain_text(f"Stage {i} of {n}: ")
        wait_idle()
        titles.append(stage_title(page))
        assert titles[-1] != titles[-2]
        expect(page.locator(".stMain .katex").first).to_be_visible()
        assert page.locator(".stMain .katex-error").count() == 0, "LaTeX that KaTeX rejects"
        expect(page.locator(".stMain .js-plotly-plot")).to_have_count(2)
        assert_clean(f"stage {i}")
        if i in SHOTS:
            screenshot(f"stepper-stage-{i:02d}-{SHOTS[i]}")
    assert len(set(titles)) == n
    expect(page.locator(NEXT)).to_be_disabled()

    page.locator(PLAY).click()  # at the last stage, Play starts again from the first
    expect(page.locator(PLAY)).to_contain_text("Pause")
    seen, deadline = set(), time.monotonic() + 60
    while time.monotonic() < deadline:
        title = stage_title(page)
        seen.add(title)
        if title.startswith(f"Stage {n} of {n}: ") and "Play" in page.locator(PLAY).inner_text():
            break
        page.wait_for_timeout(150)
    assert stage_title(page).startswith(f"Stage {n} of {n}: "), seen
    assert len(seen) >= 4, f"Play showed too few stages on its way: {sorted(seen)}"
    wait_idle()
    expect(page.locator(PLAY)).to_contain_text("Play")
    assert_clean("after Play")


# ------------------------------------------------------------------ one stage, one screen
# The boxes that must be on screen at every stage: the Next button, the stage's title and
# its first equation (the equations are the first KaTeX on the page).
_ON_SCREEN_JS = """() => {
    const box = sel => {
        const e = document.querySelector(sel);
        if (!e) return null;
        const r = e.getBoundingClientRect();
        return {top: r.top, bottom: r.bottom, left: r.left, right: r.right};
    };
    return {next: box('.st-key-stage_next button'), title: box('.st-key-stage-title h3'),
            equation: box('.stMain .katex-display'),
            width: window.innerWidth, height: window.innerHeight};
}"""
# Every KaTeX element that does not fit: an element between it and the page that clips it
# (overflow-x not visible, content wider than the box) must scroll (overflow-x auto or
# scroll) with a visible scrollbar (Streamlit's default thumb is transparent until hovered,
# which looks like an equation cut off at the right); with nothing clipping it, its right
# edge must be on the page. 1 px of rounding is allowed.
_CLIPPED_JS = """() => {
    const main = document.querySelector('[data-testid="stMain"]');
    const right = Math.min(main.getBoundingClientRect().right, window.innerWidth);
    const invisible = cs => cs.scrollbarWidth === 'none'
        || /^(transparent|rgba\\([^)]*,\\s*0\\))/.test(cs.scrollbarColor);
    const bad = [];
    for (const k of main.querySelectorAll('.katex')) {
        const text = (k.querySelector('annotation') || k).textContent.slice(0, 80);
        let clipper = null;
        for (let e = k; e && e !== main; e = e.parentElement) {
            const cs = getComputedStyle(e);
            if (cs.overflowX === 'visible' || e.scrollWidth <= e.clientWidth + 1) continue;
            clipper = e;
            if (!['auto', 'scroll'].includes(cs.overflowX) || invisible(cs))
                bad.push(`${text}: cut off by ${e.className} (overflow-x ${cs.overflowX}, `
                    + `scrollbar ${cs.scrollbarWidth} ${cs.scrollbarColor})`);
            break;
        }
        const r = k.getBoundingClientRect();
        if (!clipper && r.right > right + 1)
            bad.push(`${text}: its right edge ${r.right} is past the page's ${right}`);
    }
    return bad;
}"""
# The equation boxes that scroll: on the default [2, 3, 2] networks every line wraps after a
# relation or an operator instead (the whole-layer matrices there fit as they are).
_SCROLLING_JS = """() => [...document.querySelectorAll('.stMain .katex-display')]
    .filter(k => k.scrollWidth > k.clientWidth + 1)
    .map(k => (k.querySelector('annotation') || k).textContent.slice(0, 80))"""
SMALL = {"width": 1280, "height": 720}


def pick_preset(page, wait_idle, label: str, caption: str) -> None:
    page.locator(".st-key-stepper_preset").click()
    page.get_by_role("option", name=label).click()
    expect(page.locator(".stMain")).to_contain_text(caption)
    wait_idle()


@pytest.mark.parametrize(
    "preset, viewport",
    [("book", SMALL), ("softmax", SMALL), ("softmax", {"width": 1920, "height": 1080})],
    ids=["book-1280x720", "softmax-1280x720", "softmax-1920x1080"],
)
def test_every_stage_fits_one_screen_with_its_controls(
    page, app_server, wait_idle, assert_clean, screenshot, preset, viewport
):
    """At every stage the Next button, the stage's title and its first equation are on the
    screen together (no scrolling; the sidebar open), and every equation is whole: wrapped to
    its column, else scrolling in its box."""
    page.set_viewport_size(viewport)
    page.goto(app_server.url("/stepper"))
    page.wait_for_selector(TITLE)
    wait_idle()
    expect(page.locator('[data-testid="stSidebarContent"]')).to_be_visible()
    if preset == "softmax":
        pick_preset(page, wait_idle, "Tanh, softmax output", "softmax output, log_likelihood cost")
    n = int(re.match(r"Stage 1 of (\d+)", stage_title(page)).group(1))
    size = f"{viewport['width']}x{viewport['height']}"
    for i in range(1, n + 1):
        if i > 1:
            page.locator(NEXT).click()
            expect(page.locator(TITLE)).to_contain_text(f"Stage {i} of {n}: ")
        wait_idle()
        expect(page.locator(".stMain .katex").first).to_be_visible()
        where = f"{preset} at {size}, {stage_title(page)}"
        boxes = page.evaluate(_ON_SCREEN_JS)
        for name in ("next", "title", "equation"):
            b = boxes[name]
            assert b is not None, f"{where}: no {name}"
            across = b["left"] >= 0 and b["right"] <= boxes["width"]
            down = b["top"] >= 0 and b["bottom"] <= boxes["height"]
            assert across and down, f"{where}: the {name} is off the screen: {b}"
        assert page.evaluate(_CLIPPED_JS) == [], where
        assert page.evaluate(_SCROLLING_JS) == [], f"{where}: these do not wrap"
        if i in (1, 5, 6, n):
            screenshot(f"stepper-fit-{preset}-{size}-stage-{i:02d}")
    assert_clean(f"{preset} at {size}")


# These elements are whole: the points just inside their left and right edges, half-way
# down (clear of rounded corners), hit them, not a neighbour or nothing (cut off).
_WHOLE_JS = """sel => [...document.querySelectorAll(sel)].filter(e => {
    const r = e.getBoundingClientRect(), y = (r.top + r.bottom) / 2;
    return ![r.left + 3, r.right - 3].every(x => e.contains(document.elementFromPoint(x, y)));
}).map(e => e.innerText)"""


def test_the_playgrounds_network_at_1280x720(page, app_server, wait_idle, assert_clean):
    """With the Playground's network there is a choice of network more: its selector is whole,
    and the stage's controls, title and first equation still fit the screen."""
    page.set_viewport_size(SMALL)
    page.goto(app_server.url("/playground"))
    wait_idle(60_000)
    page.locator('[data-testid="stSidebarNav"] a', has_text="Step-through").click()
    page.wait_for_selector(TITLE)
    wait_idle()
    choices = ".st-key-stepper_source button"
    expect(page.locator(choices)).to_have_count(2)
    assert page.evaluate(_WHOLE_JS, choices) == []
    boxes = page.evaluate(_ON_SCREEN_JS)
    for name in ("next", "title", "equation"):
        assert boxes[name]["top"] >= 0 and boxes[name]["bottom"] <= boxes["height"], name
    page.locator(choices).last.click()  # the default network: its preset selector is whole
    expect(page.locator(".st-key-stepper_preset")).to_be_visible()
    wait_idle()
    assert page.evaluate(_WHOLE_JS, ".st-key-stepper_preset, .st-key-stage_next button") == []
    assert_clean("the Playground's network, then the default one")
