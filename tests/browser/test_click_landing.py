"""A click on the output lands where it was made, on every 2-D dataset, at 1280x720, 1440x900
and in presentation mode: a click on an empty spot adds a training point within one pixel of
the click (in data coordinates), and a click on a training point removes that point."""

from __future__ import annotations

import pytest
from browser_helpers import NEAREST_JS, PIXEL_JS, SCREENSHOTS, TRAIN_N_JS, open_playground

pytestmark = pytest.mark.browser

DATASETS = ("circle", "xor", "gauss", "spiral", "moons")
_REVISION_JS = """() => Number(document.querySelector(
    '[data-key="live_output"] div.bp-live-plot').dataset.revision)"""
# an empty spot: the point of a grid over the plot area farthest from every training and test
# point (in pixels), in data coordinates
_EMPTY_JS = """() => {
    const div = document.querySelector('[data-key="live_output"] div.bp-live-plot');
    const f = div._fullLayout, xa = f.xaxis, ya = f.yaxis;
    const pts = [];
    for (const t of div.data.filter(t => t.type === 'scatter' && t.mode === 'markers'))
        for (let i = 0; i < t.x.length; i++) pts.push([xa.d2p(t.x[i]), ya.d2p(t.y[i])]);
    let best = null;
    for (let gx = 0.1; gx <= 0.9; gx += 0.04) for (let gy = 0.1; gy <= 0.9; gy += 0.04) {
        const px = gx * xa._length, py = gy * ya._length;
        const d = Math.min(...pts.map(([x, y]) => Math.hypot(x - px, y - py)));
        if (!best || d > best.d) best = {d, x: xa.p2d(px), y: ya.p2d(py)};
    }
    return best; }"""
# a training point with no other point (training or test) within 12 px: one a click can only
# mean that point
_LONE_JS = """() => {
    const div = document.querySelector('[data-key="live_output"] div.bp-live-plot');
    const f = div._fullLayout, xa = f.xaxis, ya = f.yaxis;
    const all = [], train = [];
    for (const t of div.data.filter(t => t.type === 'scatter' && t.mode === 'markers'))
        for (let i = 0; i < t.x.length; i++) {
            const p = [xa.d2p(t.x[i]), ya.d2p(t.y[i]), t.x[i], t.y[i]];
            all.push(p);
            if (/train/i.test(t.name || '')) train.push(p);
        }
    for (const p of train) {
        const near = all.filter(q => Math.hypot(q[0] - p[0], q[1] - p[1]) < 12).length;
        if (near === 1 && p[0] > 8 && p[1] > 8 && p[0] < xa._length - 8 && p[1] < ya._length - 8)
            return {x: p[2], y: p[3]};
    }
    return null; }"""


def _click_at(page, wait_idle, x: float, y: float) -> None:
    before = page.evaluate(_REVISION_JS)
    page.mouse.click(*page.evaluate(PIXEL_JS, ["live_output", x, y]))
    page.wait_for_function(f"() => ({_REVISION_JS})() > {before}", timeout=20_000)
    wait_idle()


def _check_every_dataset(page, app_server, wait_idle, query: str, name: str) -> None:
    for ds in DATASETS:
        open_playground(page, app_server, wait_idle, f"?ds={ds}{query}")
        page.locator('[data-key="live_output"]').scroll_into_view_if_needed()
        n = page.evaluate(TRAIN_N_JS)
        spot = page.evaluate(_EMPTY_JS)
        assert spot["d"] > 8, (ds, spot)
        _click_at(page, wait_idle, spot["x"], spot["y"])
        assert page.evaluate(TRAIN_N_JS) == n + 1, ds
        near = page.evaluate(NEAREST_JS, [spot["x"], spot["y"]])
        assert near["px"] <= 1.0, (ds, spot, near)  # the new point is where the click was

        lone = page.evaluate(_LONE_JS)
        assert lone is not None, ds
        _click_at(page, wait_idle, lone["x"], lone["y"])
        assert page.evaluate(TRAIN_N_JS) == n, ds  # that point went, and no point came
        gone = page.evaluate(NEAREST_JS, [lone["x"], lone["y"]])
        assert gone["px"] > 5, (ds, lone, gone)
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"click-landing-{name}.png"))


@pytest.mark.parametrize(
    ("width", "height", "query"),
    [(1280, 720, ""), (1440, 900, ""), (1280, 720, "&present=1")],
    ids=["1280x720", "1440x900", "present"],
)
def test_a_click_lands_where_it_was_made_and_a_click_on_a_point_removes_it(
    page, app_server, wait_idle, width, height, query
):
    page.set_viewport_size({"width": width, "height": height})
    name = f"{width}x{height}" + ("-present" if query else "")
    _check_every_dataset(page, app_server, wait_idle, query, name)
