"""Slide-ready figures: every chart the pages show has a readable title and, where it has
axes, axis titles (issue 14, point 5), read from what the browser gets (``helpers.charts``)."""

from __future__ import annotations

import pytest
from helpers import APP, Chart, charts, click, ok, open_tab, playground, run, tab
from streamlit.testing.v1 import AppTest

MIN_FONT = 14  # px: readable on a projector and in a slide
# traces drawn on cartesian x/y axes (the others, such as a pie, have none)
CARTESIAN = {"scatter", "scattergl", "heatmap", "contour", "histogram", "histogram2d", "bar"}


def _size(*fonts: object) -> float | None:
    """The first font size set in ``fonts`` (dicts, or None): the one Plotly uses."""
    for f in fonts:
        if isinstance(f, dict) and f.get("size") is not None:
            return f["size"]
    return None


def _text(title: object) -> str:
    return (title.get("text") if isinstance(title, dict) else title) or ""


def problems(chart: Chart) -> list[str]:
    """What keeps ``chart`` from being slide-ready: no title, a title or axis label smaller
    than ``MIN_FONT``, or a visible axis with data on it but no title."""
    lay, where = chart.layout, chart.filename
    template = lay.get("template", {}).get("layout", {})
    base = _size(lay.get("font"), template.get("font"))
    out = []
    if not chart.title.strip():
        out.append(f"{where}: no title")
    title = lay.get("title")
    size = _size(title.get("font") if isinstance(title, dict) else None, lay.get("font"))
    if (size or 12) < MIN_FONT:
        out.append(f"{where}: title font {size}")
    used = set()
    for t in chart.figure.get("data", []):
        if t.get("type", "scatter") in CARTESIAN:
            used |= {"xaxis" + t.get("xaxis", "x")[1:], "yaxis" + t.get("yaxis", "y")[1:]}
    for name in sorted(used):
        axis = lay.get(name, {})
        if axis.get("visible") is False or axis.get("showticklabels") is False:
            continue  # a hidden axis (the network graph's y) needs no label
        if axis.get("ticktext"):
            continue  # named ticks label the axis themselves ("input", "hidden 1", "output")
        title = axis.get("title")
        if not _text(title).strip():
            # a row (column) of subplots shares the y (x) label of one of them
            same = [lay[k] for k in lay if k[:5] == name[:5] and k != name]
            same = [
                a for a in same if a.get("domain") == axis.get("domain") and _text(a.get("title"))
            ]
            if not (axis.get("domain") and same):
                out.append(f"{where}: {name} has no title")
            continue
        font = title.get("font") if isinstance(title, dict) else None
        if (_size(font, lay.get("font")) or base or 12) < MIN_FONT:
            out.append(f"{where}: {name} title too small")
    return out


def assert_slide_ready(shown: list[Chart], at_least: int) -> None:
    assert len(shown) >= at_least, [c.filename for c in shown]
    bad = [p for c in shown for p in problems(c)]
    assert not bad, "\n".join(bad)


def test_the_checker_finds_a_missing_title_and_axis_label():
    fig = {
        "data": [{"type": "scatter", "y": [1, 2]}, {"type": "heatmap", "xaxis": "x2", "z": []}],
        "layout": {"title": {"text": "T"}, "font": {"size": 14}, "xaxis": {"title": "x"},
                   "yaxis": {"title": {"text": "y"}}, "xaxis2": {"title": {"text": ""}}},
    }  # fmt: skip
    assert problems(Chart("k", "backprop-k", True, fig)) == ["backprop-k: xaxis2 has no title"]
    fig["layout"].update(title={"text": " "}, font={"size": 10}, xaxis2={"visible": False})
    assert problems(Chart("k", "backprop-k", True, fig)) == [
        "backprop-k: no title", "backprop-k: title font 10", "backprop-k: xaxis title too small",
        "backprop-k: yaxis title too small",
    ]  # fmt: skip


def test_a_row_of_subplots_shares_one_y_label_and_named_ticks_label_their_axis():
    heat = {"type": "heatmap", "z": [[1]]}
    fig = {
        "data": [heat, {**heat, "xaxis": "x2", "yaxis": "y2"}],
        "layout": {"title": {"text": "T", "font": {"size": 18}}, "font": {"size": 14},
                   "xaxis": {"title": {"text": "k"}, "domain": [0, 0.4]},
                   "xaxis2": {"ticktext": ["input", "output"], "domain": [0.6, 1]},
                   "yaxis": {"title": {"text": "j"}, "domain": [0, 1]},
                   "yaxis2": {"domain": [0, 1]}},
    }  # fmt: skip
    assert problems(Chart("k", "backprop-k", True, fig)) == []
    fig["layout"]["yaxis2"]["domain"] = [0, 0.5]  # another row: it needs its own
    assert problems(Chart("k", "backprop-k", True, fig)) == ["backprop-k: yaxis2 has no title"]


def page(path: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.switch_page(path)
    return ok(at.run())


@pytest.mark.parametrize(
    "path, n",
    [("app_pages/gradcheck.py", 2), ("app_pages/bugs.py", 2), ("app_pages/stepper.py", 2)],
)
def test_the_debugger_pages_charts_have_titles_and_axis_labels(path, n):
    assert_slide_ready(charts(page(path)), n)


def test_the_stepper_charts_of_every_stage_have_titles_and_axis_labels():
    at = page("app_pages/stepper.py")
    shown = []
    for _ in range(12):
        shown += charts(at)
        nxt = [b for b in at.button if b.key and "next" in b.key]
        if not nxt or nxt[0].disabled:
            break
        run(nxt[0].click())
    assert_slide_ready(shown, 8)


def test_the_difference_heatmap_has_a_title_and_axis_labels():
    import plotly.io as pio

    from backprop.viz.debug import difference_heatmap

    for param, diff in (("w", [[0.0, 1e-3], [2.0, -1.0]]), ("b", [[0.5], [0.0]])):
        fig = difference_heatmap(__import__("numpy").array(diff), 2, param)
        spec = pio.from_json(fig.to_json()).to_plotly_json()
        assert_slide_ready([Chart("diff", "backprop-gradient-difference", True, spec)], 1)


def test_the_playground_tabs_charts_have_titles_and_axis_labels():
    at = playground()
    for _ in range(3):
        click(at, "step")
    shown = []
    for label in ("Layers", "Neurons", "Curves", "Pass"):
        shown += charts(tab(open_tab(at, label), label))
    open_tab(at, "Animation")
    shown += charts(tab(at, "Animation"))
    run(tab(at, "Animation").button_group(key="anim_kind").set_value("Network graph"))
    shown += charts(tab(at, "Animation"))
    open_tab(at, "Landscape")
    click(at, "landscape_compute")
    shown += charts(tab(at, "Landscape"))
    open_tab(at, "Compare")
    click(at, "pin")
    click(at, "step")
    shown += charts(tab(at, "Compare"))
    # Layers, Neurons, 5 Curves, Pass, 2 Animation, 2 Landscape, 5 Compare
    assert_slide_ready(shown, 17)


def test_the_image_datas_first_layer_images_have_a_title():
    at = playground({"dataset": "digits", "layers": "10"})
    assert_slide_ready(charts(tab(open_tab(at, "Neurons"), "Neurons")), 1)


def test_a_regression_runs_charts_have_titles_and_axis_labels():
    at = playground({"dataset": "sine"})
    click(at, "step")
    shown = []
    for label in ("Curves", "Layers"):
        shown += charts(tab(open_tab(at, label), label))
    assert_slide_ready(shown, 3)
