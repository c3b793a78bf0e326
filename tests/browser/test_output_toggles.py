"""TF Playground's "Show test data" and "Discretize output" in Chromium at 1280x720: each
toggle changes the output view on screen at once (paused and while playing), and the
graph's output neurons carry their class names, a CSV's shown literally and apart."""

from __future__ import annotations

import pytest
from browser_helpers import PLAY, SCREENSHOTS, click, counter, open_playground
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

OUTPUT = '[data-key="live_output"] div.bp-live-plot'
# the output view's test points drawn, and the distinct values of its plane's z
_OUTPUT_JS = f"""() => {{
    const div = document.querySelector('{OUTPUT}');
    const test = div.data.filter(t => /^test/.test(t.name || ''))
        .reduce((n, t) => n + t.x.length, 0);
    const plane = div.data[0], z = new Set();
    for (const row of plane.z) for (const v of row) z.add(Math.round(v * 1e6) / 1e6);
    return {{test, levels: z.size, z: z.size <= 4 ? [...z].sort() : null, type: plane.type}};
}}"""
STEP_JS = (
    "() => Number(document.querySelector('.bp-counters .bp-value').innerText.replace(/,/g, ''))"
)
# the graph's class names on screen: text and box, and the colour bar's box
_LABELS_JS = """() => {
    const div = document.querySelector('[data-key="live_graph"] div.bp-live-plot');
    if (!div || !div.layout || !div.querySelector('.colorbar')) return {names: []};
    const names = (div.layout.annotations || []).filter(a => /^class of neuron/.test(a.name || ''));
    const shown = [...div.querySelectorAll('.annotation-text')].map(t => {
        const r = t.getBoundingClientRect();
        return {text: t.textContent, box: [r.left, r.top, r.right, r.bottom]};
    });
    const bar = div.querySelector('.colorbar').getBoundingClientRect();
    return {names: names.map(a => a.text), shown, bar: [bar.left, bar.top, bar.right, bar.bottom]};
}"""


def _toggle(page, key: str) -> None:
    page.locator(f".st-key-{key} label").click()


def _wait_output(page, condition: str) -> dict:
    page.wait_for_function(f"() => {{ const o = ({_OUTPUT_JS})(); return {condition}; }}")
    return page.evaluate(_OUTPUT_JS)


def test_show_test_data_and_discretize_change_the_output_at_once(page, app_server, wait_idle):
    page.set_viewport_size({"width": 1280, "height": 720})
    open_playground(page, app_server, wait_idle)
    click(page, "epoch")
    wait_idle()
    start = page.evaluate(_OUTPUT_JS)
    assert start["test"] == 250 and start["type"] == "contour" and start["levels"] > 100, start

    _toggle(page, "show_test")
    off = _wait_output(page, "o.test === 0")
    assert off["type"] == "contour" and off["levels"] > 100  # the plane as it was
    wait_idle()
    assert "show_test=0" in page.url

    _toggle(page, "discretize")
    hard = _wait_output(page, "o.levels === 2")
    assert hard == {"test": 0, "levels": 2, "z": [0, 1], "type": "heatmap"}
    wait_idle()
    assert "discretize=1" in page.url
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "output-toggles-1280x720.png"))

    _toggle(page, "show_test")  # back, and while playing (the board's line or its chunks)
    assert _wait_output(page, "o.test === 250")["levels"] == 2
    wait_idle()
    click(page, "play")
    expect(page.locator(PLAY)).to_contain_text("Pause")
    _toggle(page, "discretize")
    playing = _wait_output(page, "o.levels > 2")
    assert playing["test"] == 250 and playing["type"] == "contour"
    _toggle(page, "show_test")
    assert _wait_output(page, "o.test === 0")["levels"] > 2
    step = counter(page)
    page.wait_for_function(f"() => ({STEP_JS})() > {step}")  # still playing: steps go on
    expect(page.locator(PLAY)).to_contain_text("Pause")
    click(page, "play")  # Pause
    wait_idle()
    assert page.evaluate(_OUTPUT_JS)["test"] == 0


def test_output_neurons_carry_their_class_names_literally(page, app_server, wait_idle):
    page.set_viewport_size({"width": 1280, "height": 720})
    open_playground(page, app_server, wait_idle, "?ds=digits")
    digits = page.evaluate(_LABELS_JS)
    assert digits["names"] == [str(d) for d in range(10)]
    boxes = sorted((a["box"] for a in digits["shown"] if a["text"] in digits["names"]),
                   key=lambda b: b[1])  # fmt: skip
    assert len(boxes) == 10
    assert all(a[3] <= b[1] for a, b in zip(boxes, boxes[1:])), boxes  # none overlaps
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "output-names-digits-1280x720.png"))

    page.goto(app_server.url("/playground?ds=csv"))
    wait_idle()
    labels = ("<b>x</b>", "a & b", "a rather long class name")
    rows = "\n".join(f"{i / 10},{(i * 7) % 13 / 3},{labels[i % 3]}" for i in range(60))
    page.locator('.st-key-csv_file input[type="file"]').set_input_files(
        files=[{"name": "named.csv", "mimeType": "text/csv", "buffer": f"u,v,y\n{rows}".encode()}]
    )
    page.wait_for_function(f"() => ({_LABELS_JS})().names.length === 3", timeout=30_000)
    wait_idle()
    csv = page.evaluate(_LABELS_JS)
    texts = {a["text"]: a["box"] for a in csv["shown"]}
    want = ["<b>x</b>", "a & b", "a rather lo…"]  # sorted classes; cut at 12 characters
    assert [t for t in texts if t in want] == want, list(texts)
    assert page.locator('[data-key="live_graph"] .annotation-text b').count() == 0
    for text in want:  # right of the nodes, clear of the colour bar
        assert texts[text][2] <= csv["bar"][0], (text, texts[text], csv["bar"])
    page.screenshot(path=str(SCREENSHOTS / "output-names-csv-1280x720.png"))
