"""The Pass tab in Chromium: Play on the chart runs through the phases in order and ends on
the update, Pause stops it, the speed buttons and "Animate the pass" play it too.

The chart is the live chart ``.st-key-live_pass div.bp-live-plot``; the phase shown is
its slider's active step (``_fullLayout.sliders[0]``), and every frame plotly.js draws is
recorded from its ``plotly_animatingframe`` events.
"""

from __future__ import annotations

import pytest
from browser_helpers import click, open_playground
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

CHART = ".st-key-live_pass div.bp-live-plot"
_STATE_JS = """sel => {
    const d = document.querySelector(sel);
    if (!d || !d._fullLayout || !d._fullLayout.sliders) return null;
    const s = d._fullLayout.sliders[0];
    const t = d._transitionData || {};
    return {active: s.active, names: s.steps.map(x => x.label), title: d._fullLayout.title.text,
            frames: (window.__bpPassFrames || []).slice(),
            busy: !!t._animationRaf || (t._frameQueue || []).length > 0};
}"""
_RECORD_JS = """sel => {
    const d = document.querySelector(sel);
    window.__bpPassFrames = [];
    if (!d.__bpRecording) {
        d.__bpRecording = true;
        d.on('plotly_animatingframe', e => window.__bpPassFrames.push(e.name));
    }
}"""


def state(page) -> dict:
    return page.evaluate(_STATE_JS, CHART)


def open_pass_tab(page, app_server, wait_idle) -> dict:
    open_playground(page, app_server, wait_idle)
    page.get_by_role("tab", name="Pass").click()
    page.wait_for_function(f"s => ({_STATE_JS})(s) !== null", arg=CHART)
    wait_idle()
    page.evaluate(_RECORD_JS, CHART)
    return state(page)


def chart_button(page, label: str):
    return page.locator(f"{CHART} .updatemenu-button", has_text=label)


def wait_until_done(page, last: int, timeout: float = 60_000) -> dict:
    page.wait_for_function(
        f"s => {{ const x = ({_STATE_JS})(s); return x && x.active === {last} && !x.busy; }}",
        arg=CHART,
        timeout=timeout,
    )
    return state(page)


def test_play_runs_the_phases_in_order_and_pause_stops(page, app_server, wait_idle, screenshot):
    page.set_viewport_size({"width": 1280, "height": 720})
    first = open_pass_tab(page, app_server, wait_idle)
    names = first["names"]
    assert names[0] == "input" and names[-1] == "update" and first["active"] == 0
    assert names.index("cost") < names.index("BP1") < names.index("BP3/BP4")
    assert first["title"].startswith("Forward pass")
    chart_button(page, "Play").click()
    page.wait_for_function(f"s => ({_STATE_JS})(s).active >= 2", arg=CHART)
    chart_button(page, "Pause").click()
    page.wait_for_function(f"s => !({_STATE_JS})(s).busy", arg=CHART)
    paused = state(page)
    assert 2 <= paused["active"] < len(names) - 1, paused
    assert paused["frames"] == names[: paused["active"] + 1]  # in order, none skipped
    screenshot("pass-paused-1280x720")
    chart_button(page, "2×").click()  # a speed button plays on from the current phase
    done = wait_until_done(page, len(names) - 1)
    shown = [n for i, n in enumerate(done["frames"]) if i == 0 or n != done["frames"][i - 1]]
    assert shown == names, done["frames"]
    assert done["title"].startswith("Update: w → w − η ∂C/∂w")
    screenshot("pass-update-1280x720")


def test_animate_the_pass_plays_it_from_the_start(page, app_server, wait_idle, screenshot):
    names = open_pass_tab(page, app_server, wait_idle)["names"]
    click(page, "pass_play")
    done = wait_until_done(page, len(names) - 1)
    assert done["frames"] == names, done["frames"]
    screenshot("pass-animated-1400x1000")


def test_with_the_toggle_on_a_step_opens_the_tab_and_plays(page, app_server, wait_idle):
    names = open_pass_tab(page, app_server, wait_idle)["names"]
    page.locator(".st-key-pass_after_step label").click()
    expect(page.locator(".st-key-pass_after_step input")).to_be_checked()
    wait_idle()
    layers = page.get_by_role("tab", name="Layers")
    layers.click()
    expect(layers).to_have_attribute("aria-selected", "true")
    wait_idle()
    expect(page.locator(CHART)).to_have_count(0)  # only the open tab is drawn
    click(page, "step")
    page.wait_for_function(f"s => ({_STATE_JS})(s) !== null", arg=CHART)
    assert page.get_by_role("tab", name="Pass").get_attribute("aria-selected") == "true"
    page.evaluate(_RECORD_JS, CHART)  # a new chart: record from here (it may have begun)
    done = wait_until_done(page, len(names) - 1)
    assert done["frames"] and done["frames"] == names[len(names) - len(done["frames"]) :]
    assert done["title"].startswith("Update")
