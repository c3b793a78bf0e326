"""Text on the live board fits, in Chromium (issue 24, defect 8): on a projector's screen
(1280x720, and 1280x640: its 720 lines less the browser's bars) and in presentation mode,
with the circle and with the digits (64 inputs: the graph says what it leaves out).

Read from the drawn SVG (``getBoundingClientRect`` of Plotly's text elements): every title,
note, axis title and legend entry lies inside its chart; no two tick labels of an axis (or
of a colour bar) overlap, nor a tick label and a note or an axis title; no legend entry
runs into a title, a note or an axis title; the modebar (the toolbar Plotly shows on hover,
whose box is there when hidden) covers no title, note or legend entry; and at 1280x640, with
the page at its top, the graph's layer labels and the output's legend are on the screen.
"""

from __future__ import annotations

import pytest
from browser_helpers import click, open_playground

pytestmark = pytest.mark.browser

SIZES = ((1280, 640), (1280, 720))
VIEWS = ("live_graph", "live_output", "live_cost", "live_layers")

# Per view: the boxes of its text, each {l, t, r, b, text}, in the viewport's pixels.
_BOXES_JS = """views => {
    const box = (e) => { const r = e.getBoundingClientRect();
        return {l: r.left, t: r.top, r: r.right, b: r.bottom, text: e.textContent}; };
    const out = {};
    for (const key of views) {
        const div = document.querySelector(`[data-key="${key}"] div.bp-live-plot`);
        const svg = div && div.querySelector('svg.main-svg');
        if (!svg) { out[key] = null; continue; }
        const axes = {};
        for (const t of div.querySelectorAll('.xtick text, .ytick text, .cbaxis text')) {
            if (!t.textContent.trim()) continue;
            const layer = t.closest('g[class*="axislayer"]') || t.closest('.cbaxis');
            const key = [...layer.parentNode.classList].join('.') + ' ' + layer.className.baseVal
                + (t.closest('.xtick') ? ' x' : t.closest('.cbaxis') ? ' colour bar' : ' y');
            (axes[key] = axes[key] || []).push(box(t));
        }
        const text = (sel) => [...div.querySelectorAll(sel)].filter(e => e.textContent.trim())
            .map(box);
        const axisTitles = [...div.querySelectorAll('text')]
            .filter(t => /^([xy]\\d*|ycb.*)title$/.test(t.getAttribute('class') || '')
                && t.textContent.trim()).map(box);
        out[key] = {
            svg: box(svg), axes, axisTitles,
            titles: text('.gtitle'), notes: text('.annotation-text'),
            legend: text('.legendtext'), modebar: [...div.querySelectorAll('.modebar')].map(box),
        };
    }
    return out;
}"""
SLACK = 0.5  # px: boxes that touch do not overlap


def overlap(a: dict, b: dict) -> bool:
    return (
        min(a["r"], b["r"]) - max(a["l"], b["l"]) > SLACK
        and min(a["b"], b["b"]) - max(a["t"], b["t"]) > SLACK
    )


def problems(boxes: dict, height: int) -> list[str]:
    """What is cut or overlaps on the board (empty: everything fits)."""
    out = []
    for key, v in boxes.items():
        if v is None:
            out.append(f"{key}: not drawn")
            continue
        svg = v["svg"]
        band = v["titles"] + v["notes"]  # a note: a subtitle, a key, a subplot's label
        for item in band + v["legend"]:
            if item["l"] < svg["l"] - SLACK or item["r"] > svg["r"] + SLACK:
                out.append(f"{key}: {item['text']!r} is cut at the chart's side")
            if item["t"] < svg["t"] - SLACK:
                out.append(f"{key}: {item['text']!r} is cut at the chart's top")
        for mb in v["modebar"]:
            out += [f"{key}: the modebar covers {i['text']!r}" for i in band + v["legend"]
                    if overlap(mb, i)]  # fmt: skip
        for entry in v["legend"]:
            out += [f"{key}: legend {entry['text']!r} runs into {i['text']!r}"
                    for i in band + v["axisTitles"] if overlap(entry, i)]  # fmt: skip
        for title in v["axisTitles"]:
            if title["l"] < svg["l"] - SLACK or title["r"] > svg["r"] + SLACK:
                out.append(f"{key}: axis title {title['text']!r} is cut")
            if title["t"] < svg["t"] - SLACK or title["b"] > svg["b"] + SLACK:
                out.append(f"{key}: axis title {title['text']!r} is cut")
        for axis, ticks in v["axes"].items():
            for i, a in enumerate(ticks):
                out += [f"{key}: tick labels {a['text']!r} and {b['text']!r} overlap ({axis})"
                        for b in ticks[i + 1 :] if overlap(a, b)]  # fmt: skip
                out += [f"{key}: tick label {a['text']!r} runs into {n['text']!r}"
                        for n in band + v["axisTitles"] if overlap(a, n)]  # fmt: skip
                if a["b"] > svg["b"] + SLACK or a["t"] < svg["t"] - SLACK:
                    out.append(f"{key}: tick label {a['text']!r} is cut ({axis})")
    if height <= 640:  # the first row on a projector's screen, with the page at its top
        graph, output = boxes.get("live_graph"), boxes.get("live_output")
        labels = [t for ticks in (graph or {}).get("axes", {}).values() for t in ticks]
        for item in labels + (output or {}).get("legend", []):
            if item["b"] > height + SLACK:
                out.append(f"{item['text']!r} is below the screen's edge ({item['b']:.0f} px)")
    return out


def _top(page) -> None:
    page.evaluate("() => document.querySelector('[data-testid=\"stMain\"]').scrollTo(0, 0)")


def _settled(page, wait_idle) -> None:
    """Idle, and every view drawn by Plotly at its size (after a resize: one frame later)."""
    wait_idle()
    page.wait_for_function("() => !document.querySelector('.bp-painting')", timeout=10_000)
    page.wait_for_timeout(400)  # a resize: the views are laid out again, some drawn anew


@pytest.mark.parametrize("present", [False, True], ids=["normal", "present"])
@pytest.mark.parametrize("dataset", ["circle", "digits"])
def test_board_text_is_not_cut_and_does_not_overlap(
    page, app_server, wait_idle, screenshot, dataset, present
):
    page.set_viewport_size({"width": SIZES[0][0], "height": SIZES[0][1]})
    query = "&".join(q for q in (f"ds={dataset}", "present=1" if present else "") if q)
    open_playground(page, app_server, wait_idle, "?" + query)
    click(page, "epoch")  # the cost curve and its legend
    page.wait_for_function("() => Number(document.querySelector('.bp-board').dataset.step) > 0")
    for width, height in SIZES:
        page.set_viewport_size({"width": width, "height": height})
        _top(page)
        _settled(page, wait_idle)
        boxes = page.evaluate(_BOXES_JS, list(VIEWS))
        found = problems(boxes, height)
        name = f"text-fit-{dataset}-{'present' if present else 'normal'}-{width}x{height}"
        if found:
            screenshot(name)
        assert not found, "\n".join(found)
        assert all(v["titles"] for v in boxes.values()), "every view has a title"
        assert boxes["live_cost"]["legend"], "the cost curve's legend is drawn"


def test_the_checker_sees_cut_and_overlapping_text():
    svg = {"l": 0, "t": 0, "r": 400, "b": 300, "text": ""}

    def at(l, t, r, b, text="x"):
        return {"l": l, "t": t, "r": r, "b": b, "text": text}

    fine = {
        "svg": svg, "titles": [at(5, 4, 200, 20, "Cost")], "notes": [], "axisTitles": [],
        "legend": [at(250, 40, 390, 52, "train cost")], "modebar": [at(240, 2, 398, 28)],
        "axes": {"x": [at(50, 280, 70, 295, "10"), at(90, 280, 110, 295, "20")]},
    }  # fmt: skip
    assert problems({"live_cost": fine}, 720) == []
    cut = dict(fine, titles=[at(5, 4, 420, 20, "A long title")])
    assert problems({"live_cost": cut}, 720) == [
        "live_cost: 'A long title' is cut at the chart's side",
        "live_cost: the modebar covers 'A long title'",
    ]
    crowded = dict(fine, axes={"y": [at(20, 100, 40, 114, "2"), at(20, 108, 40, 122, "5")]})
    assert problems({"live_cost": crowded}, 720) == [
        "live_cost: tick labels '2' and '5' overlap (y)"
    ]
    low = dict(fine, axes={"x": [at(50, 630, 70, 650, "input")]}, svg=dict(svg, b=660))
    assert problems({"live_graph": low}, 640) == ["'input' is below the screen's edge (650 px)"]
    on_title = dict(fine, axisTitles=[at(260, 36, 300, 50, "step")])
    assert problems({"live_cost": on_title}, 720) == [
        "live_cost: legend 'train cost' runs into 'step'"
    ]
