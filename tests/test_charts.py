"""Slide-ready figures: every chart's toolbar saves a named PNG at twice its size and an SVG."""

from __future__ import annotations

import ast
import json
import re

from helpers import ROOT, charts, click, open_tab, playground
from streamlit.testing.v1 import AppTest

from backprop.ui import live
from backprop.ui.charts import IMAGE_SCALE, MODEBAR_REMOVED, image_config, slug

SOURCES = [*(ROOT / "app_pages").glob("*.py"), *(ROOT / "backprop" / "ui").glob("*.py")]


def test_image_config_names_the_file_and_doubles_the_size():
    cfg = image_config("Loss landscape: step 3")
    assert cfg["toImageButtonOptions"] == {
        "format": "png", "scale": 2, "filename": "backprop-loss-landscape-step-3",
    }  # fmt: skip
    assert IMAGE_SCALE == 2 and cfg["displaylogo"] is False and cfg["showSendToCloud"] is False
    assert image_config("")["toImageButtonOptions"]["filename"] == "backprop-chart"


def test_the_toolbar_keeps_five_buttons_in_both_configs():
    """Zoom, pan, reset and the two downloads: a toolbar short enough to leave a chart's top
    row to its title; ``st.plotly_chart``'s config and the live charts' (``chartConfig`` in
    ``plotly_loader.js``) leave out the same buttons, and neither offers Plotly's cloud."""
    cfg = image_config("x")
    assert cfg["modeBarButtonsToRemove"] == list(MODEBAR_REMOVED)
    assert cfg["showSendToCloud"] is False
    js = (ROOT / "backprop" / "ui" / "plotly_loader.js").read_text(encoding="utf-8")
    listed = re.search(r"const MODEBAR_REMOVED = \[([^\]]*)\]", js)
    assert listed and re.findall(r'"(\w+)"', listed.group(1)) == list(MODEBAR_REMOVED)
    assert "modeBarButtonsToRemove: MODEBAR_REMOVED" in js and "showSendToCloud: false" in js
    for kept in ("zoom2d", "pan2d", "resetScale2d", "toImage"):
        assert kept not in MODEBAR_REMOVED


def _calls(path, fn=None, node=None):
    """``(enclosing function's name or None, call)`` for every call in the file at ``path``."""
    for child in ast.iter_child_nodes(node or ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(child, ast.Call):
            yield fn, child
        inner = child.name if isinstance(child, ast.FunctionDef) else fn
        yield from _calls(path, inner, child)


def _callee(node: ast.Call) -> str:
    f = node.func
    return f.attr if isinstance(f, ast.Attribute) else getattr(f, "id", "")


def test_no_chart_bypasses_the_live_component():
    """Every chart goes through ``live.chart`` / ``live.live_chart`` (PNG and SVG buttons):
    the one ``*.plotly_chart(...)`` left is their fallback without static serving, in
    ``live._show``, and it passes ``config=image_config(...)``."""
    found = set()
    for path in SOURCES:
        for fn, node in _calls(path):
            if _callee(node) != "plotly_chart":
                continue
            cfg = [k.value for k in node.keywords if k.arg == "config"]
            ok = cfg and isinstance(cfg[0], ast.Call) and _callee(cfg[0]) == "image_config"
            found.add((path.name, fn, bool(ok), node.lineno))
    places = {(name, fn, ok) for name, fn, ok, _ in found}
    assert places == {("live.py", "_show", True)}, sorted(found)


def test_every_chart_is_named_with_a_key_unique_on_its_page():
    """``chart(fig, "name", ...)``: a literal name (the files' name), and no two charts of
    a module share a key (explicit, or ``chart_<slug of the name>``)."""
    bad, seen = [], {}
    for path in SOURCES:
        for _, node in _calls(path):
            if _callee(node) != "chart" or path.name == "live.py":
                continue
            where = f"{path.relative_to(ROOT)}:{node.lineno}"
            name = node.args[1] if len(node.args) > 1 else None
            if not (isinstance(name, ast.Constant) and isinstance(name.value, str) and name.value):
                bad.append(f"{where}: no literal name")
                continue
            keys = [k.value for k in node.keywords if k.arg == "key"] + node.args[2:3]
            key = keys[0].value if keys else f"chart_{slug(name.value)}"
            if (path.name, key) in seen:
                bad.append(f"{where}: key {key!r} also at line {seen[path.name, key]}")
            seen[path.name, key] = node.lineno
    assert len(seen) >= 20 and not bad, bad


def test_the_pages_charts_are_saved_as_png_at_twice_their_size_and_as_svg():
    """The charts the pages show go to the browser through the live component, whose
    ``chartConfig`` (PNG at scale 2, and the SVG button) names the files after the data's
    ``name``."""
    at = AppTest.from_file(str(ROOT / "app_pages" / "gradcheck.py"), default_timeout=60).run()
    pg = playground()
    click(pg, "epoch")
    shown = charts(at) + charts(open_tab(pg, "Curves"))
    assert len(shown) >= 6  # two on the page, five in Curves (accuracy: classification)
    assert all(c.svg for c in shown), [c.key for c in shown if not c.svg]
    names = [c.filename for c in shown]
    assert names[:2] == ["backprop-gradient-check-scatter", "backprop-relative-errors"]
    assert {"backprop-accuracy", "backprop-delta-norms", "backprop-gradient-norms"} <= set(names)
    assert len(set(names)) == len(names)
    assert "data.name ||" in live._JS and "scale: 2" in live.PLOTLY_LOADER
    assert 'format: "svg"' in live.PLOTLY_LOADER and "Download plot as SVG" in live.PLOTLY_LOADER
    # plotly.js's upload to Plotly Cloud is off; the app's Share chart copies the page's link
    assert "showSendToCloud: false," in live.PLOTLY_LOADER
    assert 'const SHARE_TITLE = "Share chart: copy a link to this view";' in live.PLOTLY_LOADER
    assert "navigator.clipboard.writeText(url)" in live.PLOTLY_LOADER


def _fallback_script() -> None:
    from unittest import mock

    import plotly.graph_objects as go

    from backprop.ui import live

    fig = go.Figure(go.Scatter(y=[1, 2]), layout={"title": {"text": "T"}})
    with mock.patch.object(live, "ensure_plotly_served", lambda: False):
        live.chart(fig, "My chart: 1", key="k1")


def test_without_static_serving_a_chart_is_a_plotly_chart_with_the_png_config():
    at = AppTest.from_function(_fallback_script, default_timeout=60).run()
    assert not at.exception
    (c,) = charts(at)
    assert (c.key, c.filename, c.svg, c.title) == ("k1", "backprop-my-chart-1", False, "T")
    (el,) = at.get("plotly_chart")
    assert json.loads(el.proto.config) == image_config("My chart: 1")
