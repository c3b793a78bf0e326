"""Hands on in Chromium: a click on the output chart adds a training point and every view
follows; a click on an edge of the graph opens the editor, Apply sets the weight."""

from __future__ import annotations

import pytest
from browser_helpers import NEAREST_JS, PIXEL_JS, SCREENSHOTS, TRAIN_N_JS, open_playground
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

VIEWS = ("live_graph", "live_output", "live_cost", "live_layers")
_REVISIONS_JS = f"""() => {list(VIEWS)}.map(k => Number(
    document.querySelector(`[data-key="${{k}}"] div.bp-live-plot`).dataset.revision))"""
_EDGE_JS = """() => {
    const div = document.querySelector('[data-key="live_graph"] div.bp-live-plot');
    const i = div.data.findIndex(t => t.name === 'edge hover');
    const t = div.data[i], c = t.customdata[0];
    return {x: t.x[0], y: t.y[0], text: t.text[0], w: Array.isArray(c) || c.length ? c[0] : c}; }"""
EDITOR = ".st-key-handson-editor"
STATUS = ".st-key-handson-status"


def test_click_adds_a_point_and_an_edge_is_edited_by_hand(
    page, app_server, wait_idle, assert_clean
):
    page.set_viewport_size({"width": 1280, "height": 720})
    open_playground(page, app_server, wait_idle)
    before, n_before = page.evaluate(_REVISIONS_JS), page.evaluate(TRAIN_N_JS)
    assert page.evaluate(NEAREST_JS, [4.6, 4.6])["px"] > 5  # the empty corner of circle
    x, y = page.evaluate(PIXEL_JS, ["live_output", 4.6, 4.6])
    page.mouse.click(x, y)
    page.wait_for_function(
        f"(b) => ({_REVISIONS_JS})().every((v, i) => v > b[i])", arg=before, timeout=20_000
    )
    wait_idle()
    assert page.evaluate(TRAIN_N_JS) == n_before + 1
    near = page.evaluate(NEAREST_JS, [4.6, 4.6])  # the new point is where the click was
    assert near["px"] <= 1.0, near
    expect(page.locator(STATUS)).to_contain_text("251 training samples")
    assert "edits=" in page.url

    edge = page.evaluate(_EDGE_JS)
    costs = page.locator(".bp-counters .bp-value").all_inner_texts()
    x, y = page.evaluate(PIXEL_JS, ["live_graph", edge["x"], edge["y"]])
    page.mouse.click(x, y)
    expect(page.locator(EDITOR)).to_contain_text(edge["text"], timeout=20_000)
    box = page.locator(f"{EDITOR} input")
    expect(box).to_be_enabled()
    assert abs(float(box.input_value()) - edge["w"]) < 1e-3
    before = page.evaluate(_REVISIONS_JS)
    box.fill("1.5")
    box.press("Enter")
    wait_idle()
    page.locator(".st-key-handson_apply button:visible").click()
    page.wait_for_function(
        f"(b) => ({_REVISIONS_JS})().every((v, i) => v > b[i])", arg=before, timeout=20_000
    )
    wait_idle()
    assert abs(page.evaluate(_EDGE_JS)["w"] - 1.5) < 1e-6
    expect(page.locator(STATUS)).to_contain_text("→ 1.5")
    assert page.locator(".bp-counters .bp-value").all_inner_texts() != costs
    page.mouse.move(640, 300)
    page.mouse.wheel(0, -5000)
    page.wait_for_timeout(300)
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "handson-1280x720.png"))
    assert_clean("hands on")
