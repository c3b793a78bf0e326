"""``backprop.ui.live.live_chart``: dict specs go to the browser as the figure's JSON."""

from __future__ import annotations

import json

import plotly.graph_objects as go
from streamlit.testing.v1 import AppTest

from backprop import Network, viz
from backprop.datasets import load


def _script(kind: str, served: bool) -> None:
    from unittest import mock

    from backprop import Network, viz
    from backprop.datasets import load
    from backprop.ui import live

    xor = load("xor", n_samples=40, seed=0)
    net = Network([2, 3, 2], output_activation="softmax", cost="log_likelihood", seed=0)
    trace = net.trace(xor.X_train[:, :4], xor.Y_train[:, :4])
    fig = viz.network_graph_spec(trace) if kind == "spec" else viz.network_graph(trace)
    with mock.patch.object(live, "ensure_plotly_served", lambda: served):
        live.live_chart(fig, "live_test", 7)


def expected_json() -> dict:
    xor = load("xor", n_samples=40, seed=0)
    net = Network([2, 3, 2], output_activation="softmax", cost="log_likelihood", seed=0)
    trace = net.trace(xor.X_train[:, :4], xor.Y_train[:, :4])
    return json.loads(viz.network_graph(trace).to_json())


def run(kind: str, served: bool = True) -> AppTest:
    at = AppTest.from_function(_script, args=(kind, served), default_timeout=60)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def component_data(at: AppTest) -> dict:
    (el,) = [c for c in at.main.children.values() if getattr(c, "key", None) == "live_test"]
    return json.loads(el.proto.json)


def test_a_spec_is_sent_as_the_validated_figures_json():
    data = component_data(run("spec"))
    assert data["revision"] == 7
    assert json.loads(data["figure"]) == expected_json()
    assert '"dtype":"f4"' in data["figure"]  # typed arrays, not long lists


def test_a_figure_is_still_accepted():
    data = component_data(run("figure"))
    assert json.loads(data["figure"]) == expected_json()


def test_without_static_serving_a_spec_falls_back_to_plotly_chart():
    for kind in ("spec", "figure"):
        at = run(kind, served=False)
        (chart,) = at.get("plotly_chart")
        sent = json.loads(chart.proto.spec)
        assert sent["data"] == expected_json()["data"], kind
        assert go.Figure(sent).layout.title.text.startswith("Forward pass")


def test_a_static_module_is_named_by_its_content_and_replaces_its_old_versions(
    tmp_path, monkeypatch
):
    from backprop.ui import live

    monkeypatch.setattr(live, "STATIC_DIR", tmp_path)
    live.serve_module.cache_clear()
    first = live.serve_module("demo", "export default 1;\n")
    second = live.serve_module("demo", "export default 2;\n")
    live.serve_module.cache_clear()
    assert first != second and first.startswith("demo.") and first.endswith(".js")
    assert [p.name for p in tmp_path.glob("demo.*.js")] == [second]
    assert (tmp_path / second).read_text() == "export default 2;\n"
    loader = live.module_loader(second)
    assert f'"app/static/{second}"' in loader and "export default function" in loader


def test_the_cartesian_build_is_the_plotly_packages_plotly_js_and_both_are_served(
    tmp_path, monkeypatch
):
    """The board draws with plotly.js's cartesian bundle (a third of the full size): it must
    be the very version of the plotly package's plotly.min.js (the full one, fetched for
    other trace types), so every chart looks and behaves alike whichever build drew it.
    Upgrading plotly means updating ``backprop/ui/vendor/`` (npm
    plotly.js-cartesian-dist-min of the same version)."""
    import re

    import plotly.offline

    from backprop.ui import live

    head = live.PLOTLY_CARTESIAN.read_text(encoding="utf-8")[:300]
    (version,) = re.findall(r"plotly\.js \(cartesian - minified\) v(\S+)", head)
    assert version == plotly.offline.get_plotlyjs_version()
    monkeypatch.setattr(live, "STATIC_DIR", tmp_path)
    assert live.ensure_plotly_served.__wrapped__()  # (the app copies them once: cached)
    served = {p.name: p.stat().st_size for p in tmp_path.iterdir()}
    assert served["plotly-cartesian.min.js"] == live.PLOTLY_CARTESIAN.stat().st_size
    assert served["plotly.min.js"] > 2 * served["plotly-cartesian.min.js"]
    loader = live.PLOTLY_LOADER
    assert '"app/static/plotly-cartesian.min.js"' in loader
    assert '"app/static/plotly.min.js"' in loader


def _chart_script() -> None:
    import plotly.graph_objects as go
    import streamlit as st

    from backprop.ui import live

    fig = go.Figure(go.Scatter(y=[1, 2]), layout={"title": {"text": "T"}})
    live.chart(fig, "Loss on the line")
    _, right = st.columns(2)
    live.chart(fig, "stage graph", key="k2", where=right, height=320)


def test_a_chart_sends_its_name_and_draws_at_once_in_its_container():
    at = AppTest.from_function(_chart_script, default_timeout=60).run()
    assert not at.exception, [e.value for e in at.exception]
    (first,) = [c for c in at.main.children.values() if getattr(c, "key", None)]
    data = json.loads(first.proto.json)
    assert (first.key, data["name"], data["eager"]) == (
        "chart_loss-on-the-line",
        "loss-on-the-line",
        True,
    )
    assert json.loads(data["figure"])["layout"]["title"]["text"] == "T" and "height" not in data
    (column,) = [c for c in at.columns if c.children]  # the second column holds the other
    (el,) = column.get("bidi_component")
    data = json.loads(el.proto.json)
    assert (el.key, data["name"], data["height"]) == ("k2", "stage-graph", 320)
