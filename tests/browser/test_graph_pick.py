"""Every edge and node of the live graph picks its own parameter, and hovers it.

For each edge, the test finds the point of its segment farthest (on screen) from every other
edge and node, moves the mouse there and clicks: the hover label must name that edge's weight
and the pick sent to the server must be ``{layer, i, j}`` of that weight. For each node, the
same at its centre: the label names the neuron and the pick is its bias. One pick goes to the
server, and the editor shows that parameter's value.
"""

from __future__ import annotations

from contextlib import suppress

import pytest
from browser_helpers import SCREENSHOTS, open_playground
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

# on screen (page coordinates): each edge's segment and each node's centre, from the figure
_GEOMETRY_JS = """() => {
    const div = document.querySelector('[data-key="live_graph"] div.bp-live-plot');
    const f = div._fullLayout, r = div.getBoundingClientRect();
    const X = (x) => r.left + f.xaxis._offset + f.xaxis.d2p(x);
    const Y = (y) => r.top + f.yaxis._offset + f.yaxis.d2p(y);
    const h = div.data.find(t => t.name === 'edge hover');
    const edges = h.text.map((text, i) => {
        const s = h.meta.seg[i];
        return {text, a: [X(s[0]), Y(s[1])], b: [X(s[2]), Y(s[3])]};
    });
    const nodes = [];
    for (const t of div.data) {
        const m = /^layer (\\d+)$/.exec(t.name || '');
        if (!m || +m[1] === 0) continue;
        t.x.forEach((x, i) => nodes.push({layer: +m[1], i: Math.round(t.customdata[i][0]),
                                          at: [X(x), Y(t.y[i])], r: t.marker.size / 2}));
    }
    for (const t of div.data) {  // a hidden neuron's map (drawn in its node) is the node too
        const m = /^map of layer (\\d+), neuron (\\d+)$/.exec(t.name || '');
        if (!m) continue;
        const node = nodes.find(n => n.layer === +m[1] && n.i === +m[2]);
        const rows = t.z.length, cols = t.z[0].length;
        const xs = [X(t.x0 - t.dx / 2), X(t.x0 + (cols - 0.5) * t.dx)];
        const ys = [Y(t.y0 - t.dy / 2), Y(t.y0 + (rows - 0.5) * t.dy)];
        node.box = [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)];
    }
    return {edges, nodes}; }"""
_HOVER_JS = """() => Array.from(document.querySelectorAll(
    '[data-key="live_graph"] .hoverlayer .hovertext')).map(e => e.textContent).join(' | ')"""
_PICK_JS = "() => window.__bpBoardStats.pick"


def _dist_to_segment(p, a, b) -> float:
    dx, dy = b[0] - a[0], b[1] - a[1]
    n = dx * dx + dy * dy
    u = 0.0 if n == 0 else max(0.0, min(1.0, ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / n))
    return ((a[0] + u * dx - p[0]) ** 2 + (a[1] + u * dy - p[1]) ** 2) ** 0.5


def _dist_to_node(p, n: dict) -> float:
    d = ((p[0] - n["at"][0]) ** 2 + (p[1] - n["at"][1]) ** 2) ** 0.5 - n["r"]
    if "box" in n:
        x0, y0, x1, y1 = n["box"]
        dx, dy = max(x0 - p[0], 0, p[0] - x1), max(y0 - p[1], 0, p[1] - y1)
        d = min(d, (dx * dx + dy * dy) ** 0.5)
    return d


def _clear_point(edge: dict, edges: list[dict], nodes: list[dict]) -> tuple[tuple, float]:
    """The point along ``edge`` farthest from every other edge and from every node (its disc,
    and its neuron map if it has one)."""
    best, clear = None, -1.0
    for k in range(5, 96):
        u = k / 100
        p = (edge["a"][0] + u * (edge["b"][0] - edge["a"][0]),
             edge["a"][1] + u * (edge["b"][1] - edge["a"][1]))  # fmt: skip
        d = min(
            [_dist_to_segment(p, e["a"], e["b"]) for e in edges if e is not edge]
            + [_dist_to_node(p, n) for n in nodes]
        )
        if d > clear:
            best, clear = p, d
    return best, clear


def _parse(text: str) -> dict:
    layer, rest = text[2:].split("][")
    i, j = rest.rstrip("]").split(",")
    return {"layer": int(layer), "i": int(i), "j": int(j)}


def _hover_and_pick(page, x: float, y: float, want: str) -> tuple[str, dict]:
    page.mouse.move(x, y)
    # Plotly draws a hover label at most every 50 ms; the wrong label (or none) is reported
    with suppress(PlaywrightTimeout):
        page.wait_for_function(f"() => ({_HOVER_JS})().includes({want!r})", timeout=1000)
    label = page.evaluate(_HOVER_JS)
    page.mouse.down()
    page.mouse.up()
    return label, page.evaluate(_PICK_JS)


@pytest.mark.parametrize("hidden", ["4,4", "8,8,8"])
def test_every_edge_and_node_picks_its_own_parameter(page, app_server, wait_idle, hidden):
    page.set_viewport_size({"width": 1280, "height": 720})
    open_playground(page, app_server, wait_idle, f"?hidden={hidden}")
    page.locator('[data-key="live_graph"]').scroll_into_view_if_needed()
    geo = page.evaluate(_GEOMETRY_JS)
    sizes = [2, *map(int, hidden.split(",")), 2]
    assert len(geo["edges"]) == sum(a * b for a, b in zip(sizes, sizes[1:]))
    assert len(geo["nodes"]) == sum(sizes[1:])
    wrong = []
    for n in range(len(geo["edges"])):
        wait_idle()  # the last pick's page run is done: nothing moves under the mouse
        geo = page.evaluate(_GEOMETRY_JS)  # where it is now
        edge = geo["edges"][n]
        (x, y), clear = _clear_point(edge, geo["edges"], geo["nodes"])
        assert clear >= 1.0, (edge["text"], clear)  # a point that is this edge's alone
        label, pick = _hover_and_pick(page, x, y, edge["text"] + " = ")
        if pick != _parse(edge["text"]) or not label.startswith(edge["text"] + " = "):
            wrong.append((edge["text"], round(clear, 1), label, pick))
    for n in range(len(geo["nodes"])):
        wait_idle()
        node = page.evaluate(_GEOMETRY_JS)["nodes"][n]
        name = f"layer {node['layer']}, neuron {node['i']}"
        label, pick = _hover_and_pick(page, *node["at"], name)
        if pick != {"layer": node["layer"], "i": node["i"], "bias": True} or name not in label:
            wrong.append((node["layer"], node["i"], label, pick))
    assert not wrong, wrong
    # the last pick reached the server: the editor shows that bias
    last = geo["nodes"][-1]
    expect(page.locator(".st-key-handson-editor")).to_contain_text(
        f"b[{last['layer']}][{last['i']}]", timeout=20_000
    )
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"graph-pick-{hidden.replace(',', '-')}.png"))
