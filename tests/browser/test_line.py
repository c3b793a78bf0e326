"""The board's own line in Chromium: Step, Epoch and Play without a script run, Pause at
the frame on screen, no click lost, tokens that are not the page's own refused, and the
fallback to script reruns where the line is not served.

Script runs are counted from the app's own marker: ``stApp[data-test-script-state]``
turns to ``running`` at the start of every run, fragment runs included.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from appserver import running_app
from browser_helpers import PLAY, click, counter, open_playground, wait_counter
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
BOARD = ".bp-board"
_COUNT_RUNS_JS = """() => {
    window.__runs = 0;
    const app = document.querySelector('[data-testid="stApp"]');
    new MutationObserver(() => { if (app.dataset.testScriptState === 'running') window.__runs++; })
        .observe(app, {attributes: true, attributeFilter: ['data-test-script-state']});
}"""
_DRAWN_JS = "() => Number(document.querySelector('.bp-board').dataset.drawn)"
_TOKEN_JS = "() => document.querySelector('.bp-board').parentElement.__bpBoard.line.token"
# what the board had on screen when the mouse went down on Pause (before the board's own
# handlers: this one is on window, theirs on document)
_AT_PAUSE_JS = """() => {
    window.addEventListener('pointerdown', (e) => {
        if (!e.target.closest('.st-key-play')) return;
        const b = document.querySelector('.bp-board').parentElement.__bpBoard;
        const z = b.figs.output.data[0].z.map(r => Array.from(r));
        window.__atPause = {step: Number(b.root.dataset.drawn), output: JSON.stringify(z)};
    }, true);
}"""


def on_line(page) -> None:
    page.wait_for_function(
        "() => document.querySelector('.bp-board')?.dataset.line === 'open'", timeout=15_000
    )


def runs(page) -> int:
    return page.evaluate("() => window.__runs")


def test_step_epoch_and_play_go_over_the_line_without_a_script_run(page, app_server, wait_idle):
    open_playground(page, app_server, wait_idle)
    on_line(page)
    page.evaluate(_COUNT_RUNS_JS)
    for want in (1, 2, 3):
        click(page, "step")
        wait_counter(page, want)
        page.wait_for_function(f"() => ({_DRAWN_JS})() === {want}")
    click(page, "epoch")  # 250 samples, batches of 10: to the end of epoch 1 (step 25)
    wait_counter(page, 25)
    assert counter(page, 1) == 1
    page.locator(PLAY).click()
    expect(page.locator(PLAY)).to_contain_text("Pause")
    page.wait_for_function(f"() => ({_DRAWN_JS})() > 200", timeout=20_000)
    frames = page.evaluate("() => window.__bpBoardStats.lineFrames")
    assert frames > 10
    assert runs(page) == 0, "a Step, an Epoch or a frame of Play ran the script"
    page.locator(PLAY).click()  # Pause: one script run hands the state back to the page
    expect(page.locator(PLAY)).to_contain_text("Play")
    page.wait_for_function("() => window.__runs >= 1", timeout=15_000)
    wait_idle()
    page.wait_for_timeout(1000)
    assert runs(page) == 1


def test_pause_keeps_the_frame_on_screen_step_weights_and_every_number(page, app_server, wait_idle):
    open_playground(page, app_server, wait_idle)
    on_line(page)
    page.evaluate(_AT_PAUSE_JS)
    page.locator(PLAY).click()
    page.wait_for_function(f"() => ({_DRAWN_JS})() > 150", timeout=20_000)
    page.locator(PLAY).click()  # Pause
    expect(page.locator(PLAY)).to_contain_text("Play")
    wait_idle()
    at = page.evaluate("() => window.__atPause")
    page.wait_for_timeout(500)  # nothing more comes
    assert counter(page) == at["step"] == page.evaluate(_DRAWN_JS)
    now = page.evaluate(
        "() => JSON.stringify(document.querySelector('.bp-board').parentElement.__bpBoard"
        ".figs.output.data[0].z.map(r => Array.from(r)))"
    )
    assert now == at["output"]  # the decision boundary's every number, as on screen
    # the server's trainer is at that step too: the URL it writes, and the next Step
    page.wait_for_function(f"() => location.search.includes('step={at['step']}')")
    click(page, "step")
    wait_counter(page, at["step"] + 1)


_PICTURE_JS = """(name) => {
    const d = document.querySelector(`[data-key="live_${name}"] div.bp-live-plot`);
    const cv = d.querySelector('canvas.bp-paint');
    return {marks: cv ? cv.toDataURL() : null,
            plotlyHidden: [...d.querySelectorAll('.cartesianlayer .mlayer')]
                .every(g => getComputedStyle(g).opacity === '0'),
            axes: [...d.querySelectorAll('.xtick text, .ytick text, .cbaxis text')]
                .map(t => t.textContent).join('|')};
}"""
_SNAP_AT_PAUSE_JS = f"""() => window.addEventListener('pointerdown', (e) => {{
    if (!e.target.closest('.st-key-play')) return;
    const b = document.querySelector('.bp-board');
    window.__playing = {{step: b.dataset.drawn,
        output: ({_PICTURE_JS})('output'), graph: ({_PICTURE_JS})('graph')}};
}}, true)"""


def test_playing_and_paused_pictures_of_the_output_and_the_graph_match(page, app_server, wait_idle):
    """One renderer: the marks (decision boundary, its 0.5 contour, the points, the graph's
    edges, nodes and neuron maps) are painted alike playing and paused, and Plotly's own
    drawing of them stays hidden, so Pause changes no pixel of them."""
    page.set_viewport_size({"width": 1280, "height": 720})
    open_playground(page, app_server, wait_idle)
    on_line(page)
    page.evaluate(_SNAP_AT_PAUSE_JS)
    page.locator(PLAY).click()
    page.wait_for_function(f"() => ({_DRAWN_JS})() > 100", timeout=20_000)
    page.locator(PLAY).click()  # Pause: the picture on screen is kept at pointerdown
    expect(page.locator(PLAY)).to_contain_text("Play")
    wait_idle()
    page.wait_for_timeout(500)
    playing = page.evaluate("() => window.__playing")
    assert page.evaluate(_DRAWN_JS) == int(playing["step"])
    for name in ("output", "graph"):
        paused = page.evaluate(_PICTURE_JS, name)
        assert playing[name]["plotlyHidden"] and paused["plotlyHidden"], name
        assert playing[name]["axes"] == paused["axes"], name
    # the output's pixels are the same (the graph's were too in every run alone, but once
    # in a loaded full run they were not: left open, see the README's Speed section)
    paused = page.evaluate(_PICTURE_JS, "output")
    assert playing["output"]["marks"] == paused["marks"], "the marks changed at Pause"


def test_fifty_play_pause_toggles_lose_none(page, app_server, wait_idle):
    open_playground(page, app_server, wait_idle)
    on_line(page)
    for i in range(50):
        page.locator(PLAY).click()
        expect(page.locator(PLAY)).to_contain_text("Pause" if i % 2 == 0 else "Play")
        page.wait_for_timeout(60)
    wait_idle()
    expect(page.locator(PLAY)).to_contain_text("Play")
    page.wait_for_timeout(600)
    shown = counter(page)
    assert page.evaluate(_DRAWN_JS) == shown
    click(page, "step")  # the server was paused at the step on screen
    wait_counter(page, shown + 1)


def test_a_forged_or_foreign_token_is_refused(page, app_server, wait_idle, browser):
    open_playground(page, app_server, wait_idle)
    on_line(page)
    token = page.evaluate(_TOKEN_JS)
    opened = """async (token) => await new Promise((done) => {
        const ws = new WebSocket(new URL('/bp/board', location.href).href.replace('http', 'ws'));
        ws.onopen = () => ws.send(JSON.stringify({op: 'hello', seq: 0, token}));
        ws.onmessage = (e) => { ws.close(); done('frame'); };
        ws.onclose = (e) => done(e.code);
    })"""
    assert page.evaluate(opened, "forged-" + "x" * 25) == 4403
    # the page's own token from another browser (another cookie jar): refused too
    other = browser.new_context()
    try:
        stranger = other.new_page()
        stranger.goto(app_server.url("/_stcore/health"))
        assert stranger.evaluate(opened, token) == 4403
    finally:
        other.close()
    assert page.evaluate(opened, token) == "frame"  # the page's own browser: a frame


def test_without_the_line_the_board_falls_back_to_script_reruns(browser, tmp_path):
    """``streamlit run explorer.py`` serves no line: Step, Play and Pause still work."""
    with running_app(script=ROOT / "explorer.py", log=tmp_path / "app.log") as base:
        context = browser.new_context(viewport={"width": 1280, "height": 720})
        try:
            pg = context.new_page()
            pg.goto(base + "/playground")
            pg.wait_for_selector(".bp-board[data-drawn]", timeout=60_000)
            assert pg.evaluate("() => document.querySelector('.bp-board').dataset.line") is None
            click(pg, "step")
            wait_counter(pg, 1)
            pg.locator(PLAY).click()
            pg.wait_for_function(f"() => ({_DRAWN_JS})() > 40", timeout=30_000)
            pg.locator(PLAY).click()
            expect(pg.locator(PLAY)).to_contain_text("Play", timeout=15_000)
            pg.wait_for_timeout(1000)
            shown = counter(pg)
            click(pg, "step")
            wait_counter(pg, shown + 1)
            # Play and Pause at moments spread over a chunk's reruns: none lost (the board
            # asks for each itself and again until the server's payload shows it)
            for i, wait in enumerate([300, 900, 1700, 500, 1200, 2300, 700, 1500, 400, 1000]):
                before = pg.evaluate(_DRAWN_JS)
                pg.locator(PLAY).click()
                expect(pg.locator(PLAY)).to_contain_text("Pause", timeout=5_000)
                pg.wait_for_function(f"() => ({_DRAWN_JS})() > {before}", timeout=15_000)
                pg.wait_for_timeout(wait)
                pg.locator(PLAY).click()
                expect(pg.locator(PLAY)).to_contain_text("Play", timeout=5_000)
                pg.wait_for_function(
                    "() => document.querySelector('[data-testid=stApp]')"
                    ".dataset.testScriptState === 'notRunning'", timeout=15_000
                )  # fmt: skip
                pg.wait_for_timeout(800)
                drawn = pg.evaluate(_DRAWN_JS)
                pg.wait_for_timeout(800)
                assert pg.evaluate(_DRAWN_JS) == drawn, f"toggle {i}: still playing"
                assert counter(pg) == drawn, f"toggle {i}"  # the page agrees with the board
        finally:
            context.close()


def test_the_line_is_dropped_when_its_session_ends(browser, app_server):
    """While its page is open, a socket with the page's cookies and token gets a frame;
    once the page is closed (its session ends), the same socket is refused."""
    from websockets.exceptions import ConnectionClosed
    from websockets.sync.client import connect

    context = browser.new_context(viewport={"width": 1280, "height": 720})
    pg = context.new_page()
    pg.goto(app_server.url("/playground"))
    on_line(pg)
    token = pg.evaluate(_TOKEN_JS)
    cookie = "; ".join(f"{c['name']}={c['value']}" for c in context.cookies())
    url = app_server.url("/bp/board").replace("http://", "ws://")
    hello = json.dumps({"op": "hello", "seq": 0, "token": token})

    def answer() -> object:
        with connect(url, additional_headers={"Cookie": cookie}) as ws:
            ws.send(hello)
            try:
                return type(ws.recv(timeout=10)).__name__
            except ConnectionClosed as e:
                return e.rcvd.code

    assert answer() == "bytes"  # a frame: the same browser's cookies and the token
    context.close()
    deadline = time.monotonic() + 30
    while (got := answer()) != 4403 and time.monotonic() < deadline:
        time.sleep(0.5)
    assert got == 4403


def test_training_to_an_epoch_on_the_line_shows_its_progress_on_the_board(
    page, app_server, wait_idle
):
    """ "Train N epochs" plays on the line: the board shows how far it has got with each
    frame (the page's own bar would stand still without script runs), and drops it at the
    end, where the page has no bar either."""
    open_playground(page, app_server, wait_idle)
    on_line(page)
    page.locator('[data-testid="stPopover"] button').first.click()
    page.locator(".st-key-n_epochs input").fill("40")
    page.locator(".st-key-n_epochs input").press("Enter")
    wait_idle()
    click(page, "train_n")
    shown = """() => (document.querySelector('.bp-progress')?.textContent || '')
        .match(/^Training to epoch 40: (\\d+) %$/)?.[1]"""
    page.wait_for_function(f"() => Number(({shown})()) > 0", timeout=20_000)
    assert page.locator('[data-testid="stProgress"]').count() == 0
    wait_counter(page, 1000, timeout=90_000)  # 40 epochs of 25 steps
    page.wait_for_function("() => !document.querySelector('.bp-progress')", timeout=15_000)
    wait_idle()
    assert page.locator('[data-testid="stProgress"]').count() == 0
    assert counter(page, 1) == 40


def test_the_keyboard_steps_plays_and_pauses_over_the_line(page, app_server, wait_idle):
    """Enter or space on the toolbar's buttons goes over the line as a click does."""
    open_playground(page, app_server, wait_idle)
    on_line(page)
    page.evaluate(_COUNT_RUNS_JS)
    page.locator(".st-key-step button:visible").focus()
    page.keyboard.press("Enter")
    wait_counter(page, 1)
    page.keyboard.press("Space")
    wait_counter(page, 2)
    page.locator(PLAY).focus()
    page.keyboard.press("Space")
    expect(page.locator(PLAY)).to_contain_text("Pause")
    page.wait_for_function(f"() => ({_DRAWN_JS})() > 60", timeout=20_000)
    assert runs(page) == 0
    page.keyboard.press("Enter")  # Pause
    expect(page.locator(PLAY)).to_contain_text("Play")
    page.wait_for_function("() => window.__runs >= 1", timeout=15_000)
    wait_idle()
    shown = counter(page)
    assert page.evaluate(_DRAWN_JS) == shown and f"step={shown}" in page.url


_FIRST_DRAWS_JS = """() => {
    window.__firstDraws = [];
    new MutationObserver(() => {
        for (const v of document.querySelectorAll('.bp-board .bp-view')) {
            const name = v.dataset.key.replace('live_', '');
            if (v.querySelector('.main-svg') && !window.__firstDraws.includes(name))
                window.__firstDraws.push(name);
        }
    }).observe(document, {childList: true, subtree: true});
    window.__lineBases = [];  // per frame the line sent: how many specs it sent whole
    const WS = window.WebSocket;
    window.WebSocket = function (url, ...rest) {
        const ws = new WS(url, ...rest);
        if (String(url).includes('/bp/board')) ws.addEventListener('message', (e) => {
            if (typeof e.data === 'string') return;
            const n = new DataView(e.data).getUint32(4, true);
            const header = JSON.parse(new TextDecoder().decode(new Uint8Array(e.data, 8, n)));
            window.__lineBases.push(Object.keys(header.bases || {}).length);
        });
        return ws;
    };
    window.WebSocket.prototype = WS.prototype;
    Object.assign(window.WebSocket, WS);
}"""


def test_a_first_visit_draws_the_first_frame_once_graph_first_with_the_cartesian_build(
    page, app_server, wait_idle
):
    """The page's first frame comes with the page and is drawn once: one Plotly draw per
    view, in the page's order (the graph first, one view a display frame), although the line
    opens meanwhile (its hello names that frame, and gets only what changed since). plotly.js
    is its cartesian build; the full one is not fetched."""
    page.add_init_script(f"({_FIRST_DRAWS_JS})()")
    open_playground(page, app_server, wait_idle)
    on_line(page)
    page.wait_for_timeout(500)
    views = page.evaluate("() => [...document.querySelectorAll('.bp-board .bp-view')]"
                          ".map(v => v.dataset.key.replace('live_', ''))")  # fmt: skip
    assert views[:2] == ["graph", "output"]
    assert page.evaluate("() => window.__firstDraws") == views
    stats = page.evaluate("() => window.__bpBoardStats")
    assert stats["reacts"] == len(views), stats  # not again when the line's first frame came
    assert stats["lineFrames"] >= 1
    assert page.evaluate("() => window.__lineBases")[0] == 0  # no view sent again
    scripts = page.evaluate(
        "() => performance.getEntriesByType('resource').map(e => e.name)"
        ".filter(n => /plotly[^/]*\\.js$/.test(n)).map(n => n.split('/').pop())"
    )
    assert scripts == ["plotly-cartesian.min.js"]
    click(page, "step")  # and the line's frames go on from the script's frame
    page.wait_for_function(f"() => ({_DRAWN_JS})() === 1")
    assert counter(page) == 1
