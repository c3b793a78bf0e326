"""The live board in Chromium: every view plays while training, one 1280x720 screen holds
the controls, counters, graph and output, and presentation mode enlarges the text.

``window.__bpBoardStats`` (board.js) counts drawn frames, painted views and full Plotly
draws; each view's ``div.bp-live-plot`` carries the run revision it last drew.
"""

from __future__ import annotations

import pytest
from browser_helpers import PLAY, SCREENSHOTS, click, counter, open_playground, wait_counter
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

VIEWS = ("live_graph", "live_output", "live_cost", "live_layers")
_REVISIONS_JS = f"""() => {list(VIEWS)}.map(k => Number(
    document.querySelector(`[data-key="${{k}}"] div.bp-live-plot`).dataset.revision))"""
_STATS_JS = "() => ({...window.__bpBoardStats})"
_WIDTH_JS = """() => document.querySelector('[data-key="live_graph"] .main-svg')
    .getBoundingClientRect().width"""
_BOX_JS = """sel => { const e = document.querySelector(sel); if (!e) return null;
    const r = e.getBoundingClientRect();
    return {top: r.top, bottom: r.bottom, left: r.left, right: r.right}; }"""


def inside(page, selector: str) -> None:
    box = page.evaluate(_BOX_JS, selector)
    vw, vh = page.viewport_size["width"], page.viewport_size["height"]
    assert box is not None, selector
    assert box["top"] >= 0 and box["left"] >= 0, (selector, box)
    assert box["bottom"] <= vh and box["right"] <= vw, (selector, box, vw, vh)


def test_every_view_plays_while_training_and_pause_draws_exactly(
    page, app_server, wait_idle, assert_clean
):
    open_playground(page, app_server, wait_idle)
    before, stats0 = page.evaluate(_REVISIONS_JS), page.evaluate(_STATS_JS)
    page.locator(PLAY).click()
    # several frames later every view (graph, output, cost, the layers' heatmaps) has moved on
    page.wait_for_function(
        f"""(b) => {{ const r = ({_REVISIONS_JS})(); const s = window.__bpBoardStats;
            return r.every((v, i) => v > b[i] + 20) && s.frames > {stats0["frames"]} + 10; }}""",
        arg=before,
        timeout=30_000,
    )
    stats = page.evaluate(_STATS_JS)
    assert stats["painted"] > stats0["painted"], "playing frames are painted, not redrawn"
    # nothing is hidden while playing: the detail tabs stay
    expect(page.locator('[data-testid="stTabs"]')).to_be_visible()
    page.locator(PLAY).click()  # Pause
    expect(page.locator(PLAY)).to_contain_text("Play")
    wait_idle()
    step = counter(page)
    # the paused board shows the server's state, drawn by Plotly with exact numbers
    page.wait_for_function(
        "s => document.querySelector('.bp-board').dataset.step === String(s)", arg=step
    )
    page.wait_for_function("() => !document.querySelector('.bp-painting')", timeout=10_000)
    assert_clean("after Play and Pause")


def test_one_projector_screen_holds_controls_counters_graph_and_output(
    page, app_server, wait_idle, screenshot
):
    page.set_viewport_size({"width": 1280, "height": 720})
    open_playground(page, app_server, wait_idle)
    for sel in (
        ".st-key-step button",
        ".st-key-play button",
        ".bp-counters",
        '[data-key="live_graph"] .main-svg',
        '[data-key="live_output"] .main-svg',
    ):
        inside(page, sel)
    # train to step 10,000 (400 epochs of 25 steps): the counters stay on one row
    page.locator('[data-testid="stPopover"] button').first.click()
    page.locator(".st-key-n_epochs input").fill("400")
    page.locator(".st-key-n_epochs input").press("Enter")
    wait_idle()
    click(page, "train_n")
    wait_counter(page, 10_000, timeout=180_000)
    page.keyboard.press("Escape")
    wait_idle()
    tops = page.evaluate(
        """() => [...document.querySelectorAll('.bp-counters .bp-counter')]
            .map(m => Math.round(m.getBoundingClientRect().top))"""
    )
    assert len(tops) == 6 and len(set(tops)) == 1, tops
    inside(page, '[data-key="live_output"] .main-svg')
    screenshot("board-1280x720-step-10000")


def test_charts_follow_the_width_when_the_sidebar_closes(page, app_server, wait_idle):
    page.set_viewport_size({"width": 1280, "height": 720})
    open_playground(page, app_server, wait_idle)
    width = page.evaluate(_WIDTH_JS)
    page.hover('[data-testid="stSidebar"]')  # its collapse button shows on hover
    page.locator('[aria-label="Collapse sidebar"]').first.click()
    page.wait_for_function(f"() => ({_WIDTH_JS})() > {width} + 100", timeout=10_000)


def test_presentation_mode_closes_the_sidebar_and_enlarges_the_text(
    page, app_server, wait_idle, screenshot
):
    page.set_viewport_size({"width": 1280, "height": 720})
    open_playground(page, app_server, wait_idle, "?present=1")
    expect(page.locator('[data-testid="stSidebar"]')).to_have_attribute("data-collapsed", "true")
    sizes = page.evaluate(
        """() => [...document.querySelectorAll('[data-key="live_graph"] .main-svg text')]
            .map(t => parseFloat(getComputedStyle(t).fontSize)).filter(s => s > 0)"""
    )
    assert sizes and min(sizes) >= 20, sorted(sizes)[:5]
    for sel in ('[data-key="live_graph"] .main-svg', '[data-key="live_output"] .main-svg'):
        inside(page, sel)
    screenshot("board-present-1280x720")


def test_step_is_answered_by_the_board_and_every_view_follows(page, app_server, wait_idle):
    """A Step click (paused) goes over the board's own line: no message on Streamlit's
    socket (no script run), one frame on the line, and yet the counters, every board view
    and the Layers tab's chart (outside the board) show the new step."""
    frames: dict[str, list[int]] = {"stream": [], "line": []}

    def watch(ws) -> None:
        kind = "line" if "/bp/board" in ws.url else "stream"
        ws.on("framereceived", lambda d: frames[kind].append(len(d)))

    page.on("websocket", watch)
    open_playground(page, app_server, wait_idle)
    page.wait_for_function("() => document.querySelector('.bp-board').dataset.line === 'open'")
    # the Layers tab's chart: the revision it drew, or the newer one it keeps while it is
    # far below the viewport (drawn when it comes near)
    layer_rev = """() => { const e = document.querySelector(
        '.st-key-live_layer div.bp-live-plot');
        return e ? Number(e.dataset.pending ?? e.dataset.revision) : -1; }"""
    page.wait_for_function(f"() => ({layer_rev})() >= 0")

    def messages(selector: str) -> tuple[int, int]:
        step, revs, layer = counter(page), page.evaluate(_REVISIONS_JS), page.evaluate(layer_rev)
        n = {k: len(v) for k, v in frames.items()}
        page.locator(selector).click()
        page.wait_for_function(
            "s => document.querySelector('.bp-board').dataset.step > s", arg=step
        )
        page.wait_for_function(
            f"""([b, l]) => ({_REVISIONS_JS})().every((v, i) => v > b[i])
                && ({layer_rev})() > l""",
            arg=[revs, layer],
            timeout=15_000,
        )
        wait_idle()
        page.wait_for_timeout(300)
        return len(frames["stream"]) - n["stream"], len(frames["line"]) - n["line"]

    for _ in range(3):
        assert messages(".st-key-step button:visible") == (0, 1)
    kept = page.evaluate(layer_rev)
    page.locator(".st-key-live_layer").scroll_into_view_if_needed()
    page.wait_for_function(
        """(r) => { const e = document.querySelector('.st-key-live_layer div.bp-live-plot');
            return Number(e.dataset.revision) === r && e.dataset.pending === undefined; }""",
        arg=kept,
    )
    assert messages(".st-key-epoch button:visible") == (0, 1)
    wait_counter(page, int(page.evaluate("document.querySelector('.bp-board').dataset.step")))


def test_the_board_plays_its_counters_with_its_frames_and_its_clock_stops_when_paused(
    page, app_server, wait_idle
):
    """The counters are drawn by the board with each frame (one row, six values), and its
    frame clock (requestAnimationFrame) runs only while there are frames to play: an idle
    board costs the browser nothing."""
    open_playground(page, app_server, wait_idle)
    clock = "() => document.querySelector('.bp-board').dataset.clock || 'off'"
    assert page.evaluate(clock) == "off"
    labels = page.locator(".bp-counters .bp-label").all_inner_texts()
    assert labels == ["Step", "Epoch", "Train cost", "Test cost", "Train accuracy", "Test accuracy"]
    click(page, "play")
    page.wait_for_function(f"() => ({clock})() === 'on'")
    seen = set()
    for _ in range(20):
        seen.add(counter(page))
        page.wait_for_timeout(60)
    assert len(seen) >= 4, seen  # the step counter moves frame by frame, not once a chunk
    page.locator(PLAY, has_text="Pause").click()
    page.wait_for_function(f"() => ({clock})() === 'off'", timeout=10_000)
    # the server's paused frame follows (it may have trained the next chunk already)
    page.wait_for_function("() => /[?&]step=\\d+/.test(location.search)", timeout=15_000)
    page.wait_for_timeout(800)
    wait_idle()
    step = counter(page)
    assert f"step={step}" in page.url
    page.wait_for_timeout(500)
    assert counter(page) == step and page.evaluate(clock) == "off"


def test_board_steps_write_the_step_into_the_url_in_place(page, app_server, wait_idle):
    """A Step the board takes puts its step into the URL itself, replacing the history entry:
    Back does not walk through every Step (Streamlit's query-parameter change pushed one
    entry per Step). A view change still goes through the server, with the step in it, and
    a full rerun afterwards does not mistake the board's URL for a shared link."""
    open_playground(page, app_server, wait_idle)
    entries = page.evaluate("history.length")
    for n in range(1, 6):
        click(page, "step")
        wait_counter(page, n)
        page.wait_for_function(f"() => /[?&]step={n}(&|$)/.test(location.search)")
    assert page.evaluate("history.length") == entries
    wait_idle()
    page.locator('.st-key-graph_view button:has-text("Backward")').click()
    page.wait_for_function("() => /[?&]view=backward/.test(location.search)")
    assert "step=5" in page.url
    page.get_by_label("Learning rate").fill("0.2")  # a sidebar change: a full page run
    page.get_by_label("Learning rate").press("Enter")
    page.wait_for_function("() => /[?&]eta=0.2(&|$)/.test(location.search)")
    wait_idle()
    page.wait_for_timeout(500)
    assert counter(page) == 5 and "step=5" in page.url  # kept, not replayed to an older step


def test_the_diagnoses_line_sits_in_the_counters_row_and_leads_to_the_panel(
    page, app_server, wait_idle
):
    """The diagnoses' titles end the counters' row on the first screen (one line, never
    wrapped); a click on them scrolls to the Diagnoses panel with the evidence."""
    page.set_viewport_size({"width": 1280, "height": 720})
    open_playground(page, app_server, wait_idle, "?eta=100&act=tanh")
    line = page.locator(".bp-counters .bp-findings")
    expect(line).to_have_count(0)  # too early to judge: nothing is said
    for _ in range(4):
        click(page, "epoch")
        wait_idle()
    expect(line).to_contain_text("Learning rate too high", timeout=15_000)
    row = page.evaluate(_BOX_JS, ".bp-counters")
    box = page.evaluate(_BOX_JS, ".bp-counters .bp-findings")
    assert row["bottom"] - row["top"] < 60 and box["bottom"] <= row["bottom"] + 1
    inside(page, ".bp-counters .bp-findings")
    line.click()
    page.wait_for_function(
        """() => { const r = document.querySelector('.st-key-diagnoses-panel')
            .getBoundingClientRect(); return r.top >= -2 && r.top < window.innerHeight / 2; }""",
        timeout=10_000,
    )
    page.screenshot(path=str(SCREENSHOTS / "diagnoses-panel-1280x720.png"))
    page.locator("h1").scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / "diagnoses-line-1280x720.png"))


def test_a_live_chart_saves_a_png_at_twice_its_size_and_an_svg(page, app_server, wait_idle):
    """The board's charts have both buttons in their toolbar; each downloads its file."""
    open_playground(page, app_server, wait_idle)
    cell = page.locator('[data-key="live_output"]')
    cell.hover()
    svg = cell.locator('.modebar-btn[data-title="Download plot as SVG"]')
    png = cell.locator('.modebar-btn[data-title="Download plot as a PNG"]')
    expect(svg).to_have_count(1)
    expect(png).to_have_count(1)
    with page.expect_download(timeout=30_000) as got:
        svg.click()
    assert got.value.suggested_filename == "backprop-output.svg"
    assert got.value.path().read_text()[:200].lstrip().startswith("<svg")
    with page.expect_download(timeout=30_000) as got:
        png.click()
    assert got.value.suggested_filename == "backprop-output.png"
    data = got.value.path().read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width = int.from_bytes(data[16:20], "big")
    shown = page.evaluate(_WIDTH_JS.replace("live_graph", "live_output"))
    assert abs(width - 2 * shown) <= 4, (width, shown)  # twice the chart's size
