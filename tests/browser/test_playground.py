"""The Playground in Chromium: Step/Epoch/Play/Pause/Reset, in-place live charts, page
switches, and the config carried in the URL.

Selectors: buttons have stable keys, so ``.st-key-<key> button`` finds them; the counters are
drawn by the live board in its row ``.bp-counters`` (each ``.bp-value``: the first is the
step, the second the epoch); the live charts are custom-component ``div.bp-live-plot``
elements that plotly.js
fills (``.main-svg``) and stamps with ``data-revision``, in the live board's cells
``[data-key=live_<name>]``.
"""

from __future__ import annotations

import json
import math
import re
import time
from pathlib import Path

import pytest
from browser_helpers import (
    LIVE,
    PLAY,
    click,
    counter,
    open_playground,
    wait_counter,
    wait_live_charts,
)
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

NAV = '[data-testid="stSidebarNav"] a'

# Default config: circle, 500 samples, test share 0.5 -> 250 training samples; batch 10.
DEFAULT_STEPS_PER_EPOCH = 25

_CHART_JS = """key => {
    const d = document.querySelector(`[data-key="${key}"] div.bp-live-plot`);
    if (!d) return null;
    // plotly keeps typed arrays from the JSON as {dtype, bdata, _inputArray}
    const n = x => x == null ? 0 : (x.length ?? (x._inputArray ? x._inputArray.length : 0));
    const traces = d.data || [];
    return {revision: Number(d.dataset.revision), points: traces.map(t => n(t.x))};
}"""
_CHART_OR_EMPTY_JS = f"k => ({_CHART_JS})(k) || {{revision: -1, points: []}}"
# the live panel's charts (the Layers tab's live heatmap is hidden during Play, by design)
_PANEL = ", ".join(f"[data-key={k}] div.bp-live-plot" for k in LIVE)
_OBSERVE_JS = """() => {
    window.__bpRemoved = 0;
    window.__bpLive = [...document.querySelectorAll('PANEL')];
    window.__bpObserver = new MutationObserver(records => {
        for (const r of records) for (const node of r.removedNodes) {
            if (node.nodeType !== 1) continue;
            window.__bpRemoved += window.__bpLive.filter(d => node.contains(d)).length;
        }
    });
    window.__bpObserver.observe(document.body, {childList: true, subtree: true});
    return window.__bpLive.length;
}""".replace("PANEL", _PANEL)
_REMOVED_JS = """() => ({removed: window.__bpRemoved,
    detached: window.__bpLive.filter(d => !d.isConnected).length})"""


# --------------------------------------------------------------------------- helpers
def chart(page, key: str) -> dict:
    return page.evaluate(_CHART_JS, key)


def wait_chart_revision(page, key: str, above: int) -> dict:
    """Wait until the chart drew a newer revision, exactly (by Plotly: a paused frame is
    painted first, then drawn in full when the board is idle)."""
    page.wait_for_function(
        f"""k => ({_CHART_OR_EMPTY_JS})(k).revision > {int(above)} && !document
            .querySelector(`[data-key="${{k}}"] div.bp-live-plot.bp-painting`)""",
        arg=key,
    )
    return chart(page, key)


# ----------------------------------------------------------------------------- tests
def test_step_advances_counter_and_redraws_charts(page, app_server, wait_idle, screenshot):
    open_playground(page, app_server, wait_idle)
    assert counter(page) == 0
    graph, cost = chart(page, "live_graph"), chart(page, "live_cost")
    assert sum(cost["points"]) == 0, f"cost curve before any step: {cost}"
    for n in (1, 2, 3):
        click(page, "step")
        wait_counter(page, n)
        new_graph = wait_chart_revision(page, "live_graph", graph["revision"])
        new_cost = wait_chart_revision(page, "live_cost", cost["revision"])
        # train/test/mini-batch cost are evaluated after every step on this small data set
        assert new_cost["points"] and max(new_cost["points"]) == n, new_cost
        graph, cost = new_graph, new_cost
    assert counter(page, 1) == 0  # still in the first epoch
    screenshot("playground-after-3-steps")


def test_play_updates_in_place_pause_stops_and_run_survives_page_switch(
    page, app_server, wait_idle, assert_clean, screenshot
):
    open_playground(page, app_server, wait_idle)
    click(page, "step")
    wait_counter(page, 1)
    assert page.evaluate(_OBSERVE_JS) == len(LIVE)
    expect(page.locator(PLAY)).to_contain_text("Play")
    page.locator(PLAY).click()
    expect(page.locator(PLAY)).to_contain_text("Pause")
    seen = [counter(page)]
    t0 = time.monotonic()
    while time.monotonic() - t0 < 2.1:  # ~10 frames at 0.2 s; a busy host may drop some
        page.wait_for_timeout(300)
        seen.append(counter(page))
    rising = all(b >= a for a, b in zip(seen, seen[1:])) and len(set(seen)) >= 4
    assert rising and seen[-1] > 1, f"the step counter while playing, every 0.3 s: {seen}"
    assert page.evaluate(_REMOVED_JS) == {"removed": 0, "detached": 0}, "live charts remounted"
    screenshot("playground-playing")

    page.locator(PLAY, has_text="Pause").click()
    expect(page.locator(PLAY)).to_contain_text("Play")
    wait_idle()
    page.wait_for_timeout(500)
    paused = counter(page)
    page.wait_for_timeout(1000)
    assert counter(page) == paused, "the step counter still moves after Pause"
    assert paused >= seen[-1]
    # the full rerun after Pause redraws the page around the live charts, not the charts
    assert page.evaluate(_REMOVED_JS) == {"removed": 0, "detached": 0}

    page.locator(NAV, has_text="Home").click()
    page.wait_for_url(app_server.url("/"))
    page.get_by_role("heading", name="Backprop Explorer").wait_for()
    wait_idle()
    assert_clean("on Home after the Playground")
    assert page.get_by_text("Traceback").count() == 0
    page.locator(NAV, has_text="Playground").click()
    wait_live_charts(page)
    wait_idle()
    assert_clean("back on the Playground")
    assert counter(page) == paused, "the run was lost on the way Home and back"
    expect(page.locator(PLAY)).to_contain_text("Play")
    click(page, "step")
    wait_counter(page, paused + 1)


def test_epoch_and_reset(page, app_server, wait_idle):
    open_playground(page, app_server, wait_idle)
    click(page, "epoch")
    wait_counter(page, 1, index=1)
    assert counter(page) == DEFAULT_STEPS_PER_EPOCH
    cost = wait_chart_revision(page, "live_cost", 0)
    assert max(cost["points"]) == DEFAULT_STEPS_PER_EPOCH
    click(page, "epoch")
    wait_counter(page, 2, index=1)
    assert counter(page) == 2 * DEFAULT_STEPS_PER_EPOCH
    click(page, "reset")
    wait_counter(page, 0)
    wait_counter(page, 0, index=1)
    page.wait_for_function(f"k => ({_CHART_OR_EMPTY_JS})(k).revision === 0", arg="live_cost")
    assert sum(chart(page, "live_cost")["points"]) == 0
    click(page, "step")
    wait_counter(page, 1)


def test_url_parameters_fill_the_sidebar(page, app_server, wait_idle, screenshot):
    open_playground(page, app_server, wait_idle, "?ds=xor&hidden=3&eta=0.3&seed=7")
    sidebar = page.locator('[data-testid="stSidebar"]')
    assert sidebar.get_by_label("Dataset", exact=True).input_value() == "xor (2-D)"
    assert sidebar.get_by_label("Hidden layers", exact=True).input_value() == "1"
    assert sidebar.get_by_label("L1", exact=True).input_value() == "3"
    assert sidebar.get_by_label("L2", exact=True).count() == 0
    assert float(sidebar.get_by_label("Learning rate (eta)", exact=True).input_value()) == 0.3
    assert sidebar.get_by_label("Seed", exact=True).input_value() == "7"
    assert page.locator('[data-testid="stAlertContentWarning"]').count() == 0
    # the URL is rewritten with the full config, keeping the given values
    for part in ("ds=xor", "hidden=3", "eta=0.3", "seed=7"):
        assert part in page.url, page.url
    screenshot("playground-url-xor")


def test_invalid_url_parameter_warns_and_page_works(page, app_server, wait_idle):
    open_playground(page, app_server, wait_idle, "?eta=abc&seed=5")
    warning = page.locator('[data-testid="stAlertContentWarning"]')
    assert warning.count() == 1
    assert warning.is_visible()
    text = warning.inner_text()
    assert "eta" in text and "abc" in text, text
    sidebar = page.locator('[data-testid="stSidebar"]')
    assert float(sidebar.get_by_label("Learning rate (eta)", exact=True).input_value()) == 0.1
    assert sidebar.get_by_label("Seed", exact=True).input_value() == "5"  # the valid one kept
    click(page, "step")
    wait_counter(page, 1)
    wait_chart_revision(page, "live_cost", 0)


def _pick_dataset(page, wait_idle, label: str) -> None:
    page.locator('[data-testid="stSidebar"]').get_by_label("Dataset", exact=True).click()
    page.get_by_role("option", name=label, exact=True).click()
    wait_idle()


@pytest.mark.parametrize("upload", ["MNIST (IDX or .npz files)", "my CSV file (upload)"])
def test_back_from_an_upload_dataset_the_features_are_there_and_changes_apply(
    page, app_server, wait_idle, upload
):
    """The features box is not drawn for uploads; drawn again, it came back empty (its stale
    state reached the browser as no value), and then every change was refused."""
    open_playground(page, app_server, wait_idle, "?ds=spiral")
    _pick_dataset(page, wait_idle, upload)
    _pick_dataset(page, wait_idle, "spiral (2-D)")
    wait_live_charts(page)
    sidebar = page.locator('[data-testid="stSidebar"]')
    tags = sidebar.locator('[data-testid="stMultiSelect"] [data-tag]')
    expect(tags).to_have_text(["x1", "x2"])
    eta = sidebar.get_by_label("Learning rate (eta)", exact=True)
    eta.fill("0.5")
    eta.press("Enter")
    expect(page).to_have_url(re.compile(r"[?&]eta=0\.5(&|$)"))  # the rerun has taken it
    wait_idle()
    expect(page.locator('[data-testid="stAlertContentError"]')).to_have_count(0)
    assert "feat=x1%2Cx2" in page.url, page.url
    assert float(eta.input_value()) == 0.5
    expect(tags).to_have_text(["x1", "x2"])


def test_divergence_keeps_the_network_on_screen_downloadable_and_a_lower_eta_continues(
    page, app_server, wait_idle, assert_clean, screenshot
):
    open_playground(page, app_server, wait_idle, "?eta=1e6")
    graph = chart(page, "live_graph")
    click(page, "step")
    error = page.locator('[data-testid="stAlertContentError"]')
    expect(error).to_contain_text("Training stopped at step 1: this update would change")
    expect(error).to_contain_text("Lower the learning rate")
    page.wait_for_timeout(300)  # the refused step's one script run (the page says it)
    wait_idle()
    assert counter(page) == 0
    # the last good network is still drawn, redrawn after the refused step
    wait_live_charts(page)
    after = wait_chart_revision(page, "live_graph", graph["revision"])
    assert sum(after["points"]) > 0 and after["points"] == graph["points"]
    assert_clean("after divergence")
    screenshot("playground-diverged")
    page.get_by_text("Export and resume").click()  # the downloads sit in an expander
    with page.expect_download() as download:
        click(page, "dl_json")
    saved = json.loads(Path(download.value.path()).read_text())
    assert saved["meta"]["step"] == 0
    assert all(math.isfinite(v) for w in saved["weights"] for row in w for v in row)
    eta = page.locator('[data-testid="stSidebar"]').get_by_label("Learning rate (eta)", exact=True)
    eta.fill("0.1")
    eta.press("Enter")
    wait_idle()
    click(page, "step")
    wait_counter(page, 1)
    expect(error).to_have_count(0)
    assert "eta=0.1" in page.url
