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
    page.locator(".st-key-stage_speed input[type=range]").press("ArrowLeft")  # 0.3 s per stage
    wait_idle()
    expect(page.locator(".st-key-stage_speed")).to_contain_text("0.3")
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
