"""TensorFlow Playground's direct manipulation on the board's graph, in Chromium: + and -
change the hidden layers and their neurons, the input feature switches and a click on an
input node change the inputs, and hovering a hidden neuron shows its map over the output."""

from __future__ import annotations

import pytest
from browser_helpers import SCREENSHOTS, open_playground

pytestmark = pytest.mark.browser

GRAPH = '[data-key="live_graph"]'
# the graph drawn now: the number of nodes of each layer, and the layer names on its x axis
_SIZES_JS = """() => {
    const div = document.querySelector('[data-key="live_graph"] div.bp-live-plot');
    return div.data.filter(t => /^layer \\d+$/.test(t.name)).map(t => t.x.length); }"""
# page position of node i of layer l, and of the output's plot area
_NODE_JS = """([l, i]) => {
    const div = document.querySelector('[data-key="live_graph"] div.bp-live-plot');
    const f = div._fullLayout, r = div.getBoundingClientRect();
    const t = div.data.find(t => t.name === `layer ${l}`);
    return [r.left + f.xaxis._offset + f.xaxis.d2p(t.x[i]),
            r.top + f.yaxis._offset + f.yaxis.d2p(t.y[i])]; }"""
_PLOT_BOX_JS = """() => {
    const div = document.querySelector('[data-key="live_output"] div.bp-live-plot');
    const f = div._fullLayout, r = div.getBoundingClientRect();
    const xa = f.xaxis, ya = f.yaxis;
    return [r.left + xa._offset, r.top + ya._offset, xa._length, ya._length]; }"""
# the enlarged map: which neuron, where, and its image's pixels
_ZOOM_JS = """() => {
    const o = document.querySelector('[data-key="live_output"] .bp-map-zoom');
    if (!o) return null;
    const r = o.getBoundingClientRect(), cv = o.querySelector('canvas');
    const px = Array.from(cv.getContext('2d').getImageData(0, 0, cv.width, cv.height).data);
    return {layer: +o.dataset.layer, neuron: +o.dataset.neuron,
            box: [r.left, r.top, r.width, r.height], caption: o.textContent, px}; }"""


def _press(page, wait_idle, selector: str, want: list[int]) -> None:
    page.locator(selector).click()
    page.wait_for_function(
        f"(w) => JSON.stringify(({_SIZES_JS})()) === JSON.stringify(w)", arg=want, timeout=20_000
    )
    wait_idle()


def test_plus_minus_and_features_on_the_graph_change_the_network(page, app_server, wait_idle):
    page.set_viewport_size({"width": 1280, "height": 720})
    open_playground(page, app_server, wait_idle)
    assert page.evaluate(_SIZES_JS) == [2, 4, 4, 2]
    shape = f"{GRAPH} .bp-shape"
    _press(page, wait_idle, f'{shape} [data-layer="1"] button:has-text("+")', [2, 5, 4, 2])
    assert "hidden=5%2C4" in page.url or "hidden=5,4" in page.url
    _press(page, wait_idle, f'{shape} button[title="Add a hidden layer"]', [2, 5, 4, 4, 2])
    assert page.locator(f"{shape} .bp-shape-layers").inner_text().replace("\n", " ") == (
        "− 3 layers +"
    )
    _press(page, wait_idle, f'{shape} [data-layer="2"] button:has-text("−")', [2, 5, 3, 4, 2])
    _press(page, wait_idle, f'{shape} button[title="Remove the last hidden layer"]', [2, 5, 3, 2])
    # an input feature switched on beside the graph: a third input
    _press(page, wait_idle, f'{shape} button[data-feature="x1^2"]', [3, 5, 3, 2])
    assert page.locator(f'{shape} button[data-feature="x1^2"]').get_attribute("aria-pressed") == (
        "true"
    )
    sidebar = page.locator('[data-testid="stSidebar"]')
    assert "x1²" in sidebar.inner_text() or "x1^2" in sidebar.inner_text()
    # a click on an input node (x1, the first) switches that feature off
    x, y = page.evaluate(_NODE_JS, [0, 0])
    page.mouse.click(x, y)
    page.wait_for_function(
        f"(w) => JSON.stringify(({_SIZES_JS})()) === JSON.stringify(w)",
        arg=[2, 5, 3, 2],
        timeout=20_000,
    )
    wait_idle()
    assert page.locator(f'{shape} button[data-feature="x1"]').get_attribute("aria-pressed") == (
        "false"
    )
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "shape-controls-1280x720.png"))


def test_hovering_a_hidden_neuron_shows_its_map_over_the_output(page, app_server, wait_idle):
    page.set_viewport_size({"width": 1280, "height": 720})
    open_playground(page, app_server, wait_idle)
    page.locator(GRAPH).scroll_into_view_if_needed()
    assert page.evaluate(_ZOOM_JS) is None
    seen = []
    for layer, i in ((1, 0), (2, 3)):
        page.mouse.move(*page.evaluate(_NODE_JS, [layer, i]))
        page.wait_for_function(
            f"() => {{ const z = ({_ZOOM_JS})(); return z && z.layer === {layer} "
            f"&& z.neuron === {i}; }}",
            timeout=5_000,
        )
        zoom = page.evaluate(_ZOOM_JS)
        assert zoom["caption"] == f"hidden layer {layer}, neuron {i}: a over the input plane"
        box = page.evaluate(_PLOT_BOX_JS)  # exactly over the output's plot area
        assert all(abs(a - b) <= 1 for a, b in zip(zoom["box"], box)), (zoom["box"], box)
        seen.append(zoom["px"])
        if (layer, i) == (1, 0):
            page.screenshot(path=str(SCREENSHOTS / "neuron-map-zoom-1280x720.png"))
    assert seen[0] != seen[1]  # two neurons, two maps
    page.mouse.move(5, 5)  # off the graph: the output is itself again
    page.wait_for_function(f"() => ({_ZOOM_JS})() === null", timeout=5_000)
