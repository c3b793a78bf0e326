"""Figure builders in ``backprop.viz``: every figure is checked against the arrays it shows.

Expected values come from the engine's own objects (the trace, the snapshots, the history,
``net.feedforward`` on points built here), never from the figures themselves.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from dataclasses import replace

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
import pytest
from helpers import ROOT

from backprop import Network, Trainer, landscape, viz
from backprop.datasets import Dataset, load, load_csv
from backprop.viz import debug as viz_debug
from backprop.viz._common import log_axis
from backprop.viz.output import predicted_class

SIZES = [2, 4, 3, 2]
L = len(SIZES) - 1
F32 = {"rtol": 1e-6, "atol": 1e-6}  # float32 round trip


def f32(a) -> np.ndarray:
    return np.asarray(a, dtype=np.float32)


def assert_f32_equal(shown, expected):
    shown, expected = np.asarray(shown), np.asarray(expected)
    assert shown.shape == expected.shape, (shown.shape, expected.shape)
    np.testing.assert_allclose(shown, f32(expected), **F32)


def make_net(sizes=SIZES, seed=0) -> Network:
    return Network(
        sizes, activation="tanh", output_activation="softmax", cost="log_likelihood", seed=seed
    )


@pytest.fixture(scope="module")
def xor():
    return load("xor", n_samples=60, seed=0)


@pytest.fixture(scope="module")
def net():
    return make_net()


@pytest.fixture(scope="module")
def trace(net, xor):
    return net.trace(xor.X_train[:, :5], xor.Y_train[:, :5])


@pytest.fixture(scope="module")
def trainer(xor):
    tr = Trainer(
        make_net(seed=1),
        xor.X_train,
        xor.Y_train,
        xor.X_test,
        xor.Y_test,
        eta=0.5,
        batch_size=6,
        eval_every=2,
        snapshot_every=1,
        probe_size=4,
    )
    for _ in range(6):
        tr.step()
    return tr


def node_traces(fig) -> list:
    return [t for t in fig.data if (t.name or "").startswith("layer ")]


def edge_line_traces(fig) -> list:
    return [t for t in fig.data if (t.name or "").startswith("edges ")]


def hover_trace(fig):
    (t,) = [t for t in fig.data if t.name == "edge hover"]
    return t


def n_segments(t) -> int:
    return int(np.isnan(np.asarray(t.x)).sum())


def is_diverging(scale) -> bool:
    """Blue at the low end, white in the middle, red at the high end."""
    stops = {float(p): c for p, c in scale}
    lo, mid, hi = stops[0.0], stops.get(0.5), stops[1.0]

    def rgb(c):
        return tuple(int(c[i : i + 2], 16) for i in (1, 3, 5))

    return (
        mid is not None
        and min(rgb(mid)) > 230
        and rgb(lo)[2] > rgb(lo)[0]  # blue-ish
        and rgb(hi)[0] > rgb(hi)[2]  # red-ish
    )


def numeric_lists(obj, out=None) -> list[int]:
    """Lengths of all plain JSON lists of numbers anywhere in ``obj``."""
    out = [] if out is None else out
    if isinstance(obj, dict):
        for v in obj.values():
            numeric_lists(v, out)
    elif isinstance(obj, list):
        if obj and all(isinstance(v, (int, float)) for v in obj):
            out.append(len(obj))
        for v in obj:
            numeric_lists(v, out)
    return out


def annotation_texts(fig) -> list[str]:
    return [a.text for a in fig.layout.annotations]


# =========================================================================== heatmaps
@pytest.mark.parametrize(
    ("layer", "quantity"),
    [(0, "a"), (1, "a"), (3, "a"), (1, "delta"), (3, "delta"), (2, "z"), (1, "w"), (3, "w")]
    + [(2, "nabla_w"), (1, "nabla_b"), (3, "nabla_b")],
)
def test_layer_heatmap_shows_the_trace_array(trace, layer, quantity):
    expected = {
        "a": lambda: trace.a[layer],
        "delta": lambda: trace.delta[layer - 1],
        "z": lambda: trace.z[layer - 1],
        "w": lambda: trace.weights[layer - 1],
        "nabla_w": lambda: trace.nabla_w[layer - 1],
        "nabla_b": lambda: trace.nabla_b[layer - 1],
    }[quantity]()
    fig = viz.layer_heatmap(trace, layer, quantity)
    (hm,) = fig.data
    assert isinstance(hm, go.Heatmap)
    assert_f32_equal(hm.z, expected)
    m = float(np.abs(expected).max())
    assert hm.zmax == pytest.approx(m) and hm.zmin == -hm.zmax
    assert is_diverging(hm.colorscale)
    assert list(hm.y) == list(range(expected.shape[0]))
    assert list(hm.x) == list(range(expected.shape[1]))
    assert fig.layout.yaxis.autorange == "reversed"  # row 0 on top, like the matrix


def test_layer_heatmap_shapes_follow_the_conventions(trace):
    m = trace.x.shape[1]
    for l in range(1, L + 1):
        assert np.shape(viz.layer_heatmap(trace, l, "delta").data[0].z) == (SIZES[l], m)
        assert np.shape(viz.layer_heatmap(trace, l, "w").data[0].z) == (SIZES[l], SIZES[l - 1])
        assert np.shape(viz.layer_heatmap(trace, l, "nabla_b").data[0].z) == (SIZES[l], 1)
    assert np.shape(viz.layer_heatmap(trace, 0, "a").data[0].z) == (SIZES[0], m)


def test_hovertemplates_name_the_weight_or_neuron(trace):
    assert viz.layer_heatmap(trace, 2, "w").data[0].hovertemplate.startswith("w[2][%{y},%{x}] =")
    assert viz.layer_heatmap(trace, 3, "nabla_w").data[0].hovertemplate.startswith("∂C/∂w[3][")
    assert viz.layer_heatmap(trace, 1, "delta").data[0].hovertemplate.startswith("δ[1][%{y}]")
    assert viz.layer_heatmap(trace, 0, "a").data[0].hovertemplate.startswith("x[%{y}]")


def test_update_heatmap_takes_the_layer_array_or_last_update(trainer):
    tr = trainer.net.trace(*trainer.probe)
    for l in range(1, L + 1):
        expected = trainer.last_update[2 * (l - 1)]
        assert_f32_equal(
            viz.layer_heatmap(tr, l, "update", trainer.last_update).data[0].z, expected
        )
        hm = viz.layer_heatmap(tr, l, "update", expected).data[0]
        assert_f32_equal(hm.z, expected)
        assert hm.zmax == pytest.approx(np.abs(expected).max()) and hm.zmin == -hm.zmax


def test_all_zero_array_gets_a_tiny_symmetric_range(trace):
    zero = np.zeros_like(trace.weights[0])
    hm = viz.layer_heatmap(trace, 1, "update", zero).data[0]
    assert hm.zmax == pytest.approx(1e-12) and hm.zmin == -hm.zmax


def test_big_heatmaps_are_thinned_evenly_and_say_so():
    net = Network([784, 60, 10], seed=0)
    rng = np.random.default_rng(0)
    Y = np.eye(10)[:, np.arange(3)]
    tr = net.trace(rng.random((784, 3)), Y)
    fig = viz.layer_heatmap(tr, 1, "w")
    hm = fig.data[0]
    z = np.asarray(hm.z)
    assert z.size <= 40_000 < 60 * 784
    rows, cols = np.asarray(hm.y).astype(int), np.asarray(hm.x).astype(int)
    assert rows[0] == 0 and rows[-1] == 59 and cols[0] == 0 and cols[-1] == 783
    assert_f32_equal(z, net.weights[0][np.ix_(rows, cols)])
    assert "showing" in fig.layout.title.text and "784" in fig.layout.title.text
    assert hm.zmax == pytest.approx(np.abs(net.weights[0]).max())  # range of the full array


@pytest.mark.parametrize(
    ("args", "words"),
    [
        ((1, "grad"), ["quantity", "nabla_w", "update"]),
        ((0, "w"), ["layer", "1..3"]),
        ((4, "a"), ["layer", "0..3"]),
        ((-1, "delta"), ["layer"]),
        ((1.5, "w"), ["layer"]),
        ((1, "update"), ["update"]),
    ],
)
def test_layer_heatmap_rejects_bad_arguments(trace, args, words):
    with pytest.raises(ValueError) as e:
        viz.layer_heatmap(trace, *args)
    for w in words:
        assert w in str(e.value)


def test_update_of_the_wrong_shape_is_rejected(trace):
    with pytest.raises(ValueError, match="shape"):
        viz.layer_heatmap(trace, 1, "update", np.zeros((2, 2)))


def test_quantities_are_exported():
    assert viz.QUANTITIES == ("a", "delta", "z", "w", "nabla_w", "nabla_b", "update")


def test_one_registry_holds_every_quantity_and_reads_it_from_the_trace(trace):
    assert tuple(viz.LAYER_QUANTITIES) == viz.QUANTITIES
    expected = {  # what each quantity of layer l is in the engine's trace
        "a": lambda l: trace.a[l],
        "delta": lambda l: trace.delta[l - 1],
        "z": lambda l: trace.z[l - 1],
        "w": lambda l: trace.weights[l - 1],
        "nabla_w": lambda l: trace.nabla_w[l - 1],
        "nabla_b": lambda l: trace.nabla_b[l - 1],
    }
    m = trace.x.shape[1]
    for name, q in viz.LAYER_QUANTITIES.items():
        assert q.name == name and q.label and q.symbol and q.menu, name
        if name == "update":
            with pytest.raises(ValueError, match="update"):
                q.of(trace, 1)
            continue
        for l in range(0 if name == "a" else 1, L + 1):
            got = q.of(trace, l)
            assert got is not None and np.array_equal(got, expected[name](l)), (name, l)
            cols = m if q.per_sample else 1 if name == "nabla_b" else SIZES[l - 1]
            assert got.shape == (SIZES[l], cols), (name, l)
            np.testing.assert_array_equal(viz.layer_values(trace, l, name), got)
    assert [q.symbol for q in viz.LAYER_QUANTITIES.values()] == [
        "a", "δ", "z", "w", "∂C/∂w", "∂C/∂b", "Δw"
    ]  # fmt: skip


def test_figures_take_their_labels_from_the_registry(trace):
    for name, q in viz.LAYER_QUANTITIES.items():
        if name == "update":
            continue
        fig = viz.layer_heatmap(trace, 1, name)
        assert fig.layout.title.text == f"{q.label} — layer 1", name
        assert fig.data[0].colorbar.title.text == q.symbol, name
    backward = viz.network_graph(trace, view="backward")
    assert backward.layout.coloraxis.colorbar.title.text == viz.LAYER_QUANTITIES["delta"].symbol
    assert viz.LAYER_QUANTITIES["nabla_w"].symbol in annotation_texts(backward)[-1]


# ====================================================================== network graph
@pytest.mark.parametrize("sample", [0, 3])
def test_forward_graph_has_one_node_per_neuron_coloured_by_a(trace, sample):
    fig = viz.network_graph(trace, sample=sample)
    nodes = node_traces(fig)
    assert len(nodes) == L + 1
    assert sum(len(t.x) for t in nodes) == sum(SIZES)
    for l, t in enumerate(nodes):
        assert set(np.asarray(t.x)) == {l}
        assert_f32_equal(t.marker.color, trace.a[l][:, sample])
        assert t.marker.coloraxis == "coloraxis"
    ca = fig.layout.coloraxis
    expected = max(np.abs(trace.a[l][:, sample]).max() for l in range(1, L + 1))
    assert ca.cmax == pytest.approx(expected) and ca.cmin == -ca.cmax
    assert is_diverging(ca.colorscale)


def test_backward_graph_colours_nodes_by_delta(trace):
    sample = 2
    fig = viz.network_graph(trace, sample=sample, view="backward")
    nodes = node_traces(fig)
    assert isinstance(nodes[0].marker.color, str)  # inputs have no delta: plain grey
    for l in range(1, L + 1):
        assert_f32_equal(nodes[l].marker.color, trace.delta[l - 1][:, sample])
    expected = max(np.abs(d[:, sample]).max() for d in trace.delta)
    assert fig.layout.coloraxis.cmax == pytest.approx(expected)
    assert fig.layout.coloraxis.cmin == -fig.layout.coloraxis.cmax


def test_node_hover_carries_z_a_and_delta(trace):
    fig = viz.network_graph(trace, sample=1)
    t = node_traces(fig)[2]
    cd = np.asarray(t.customdata)
    assert_f32_equal(cd[:, 0], np.arange(SIZES[2]))
    assert_f32_equal(cd[:, 1], trace.z[1][:, 1])
    assert_f32_equal(cd[:, 2], trace.a[2][:, 1])
    assert_f32_equal(cd[:, 3], trace.delta[1][:, 1])
    for word in ("layer 2", "z =", "a =", "δ ="):
        assert word in t.hovertemplate


def hover_edges(fig) -> list[tuple[int, int, int, float, float]]:
    """``(l, j, k, w, nabla_w)`` of every edge-hover point, parsed from its label."""
    t = hover_trace(fig)
    out = []
    for label, (w, gw) in zip(t.text, np.asarray(t.customdata)):
        m = re.fullmatch(r"w\[(\d+)\]\[(\d+),(\d+)\]", label)
        assert m, label
        out.append((int(m[1]), int(m[2]), int(m[3]), float(w), float(gw)))
    return out


def test_edge_hover_lists_every_weight_with_its_gradient(trace):
    fig = viz.network_graph(trace)
    edges = hover_edges(fig)
    assert len(edges) == sum(w.size for w in trace.weights)
    assert len({e[:3] for e in edges}) == len(edges)
    for l, j, k, w, gw in edges:
        assert w == pytest.approx(trace.weights[l - 1][j, k], rel=1e-6)
        assert gw == pytest.approx(trace.nabla_w[l - 1][j, k], rel=1e-5, abs=1e-7)
    t = hover_trace(fig)
    assert t.hovertemplate.startswith("%{text} = %{customdata[0]")
    assert "∂C/∂w = %{customdata[1]" in t.hovertemplate


@pytest.mark.parametrize("view", ["forward", "backward"])
def test_edges_are_grouped_by_sign_and_width_of_w(trace, view):
    vals = trace.weights if view == "forward" else trace.nabla_w
    v = np.concatenate([x.ravel() for x in vals])
    fig = viz.network_graph(trace, view=view)
    lines = edge_line_traces(fig)
    assert len(lines) == 8  # 2 signs x 4 widths, whatever the data
    bucket = np.minimum((np.abs(v) / np.abs(v).max() * 4).astype(int), 3)
    pos = [t for t in lines if "> 0" in t.name]
    neg = [t for t in lines if "< 0" in t.name]
    for group, sign in ((pos, v >= 0), (neg, v < 0)):
        assert len({t.line.color for t in group}) == 1
        widths = [t.line.width for t in group]
        assert widths == sorted(widths) and widths[0] < widths[-1]
        for b, t in enumerate(group):
            assert n_segments(t) == int(np.sum(sign & (bucket == b)))
    assert pos[0].line.color != neg[0].line.color
    assert sum(n_segments(t) for t in lines) == v.size


def test_highlight_layer_draws_one_rectangle_behind_it(trace):
    assert len(viz.network_graph(trace).layout.shapes) == 0
    fig = viz.network_graph(trace, highlight_layer=2)
    (rect,) = fig.layout.shapes
    assert rect.type == "rect" and rect.layer == "below"
    assert rect.x0 < 2 < rect.x1 and rect.x1 < 3 and rect.x0 > 1


@pytest.mark.parametrize(
    ("kw", "words"),
    [
        ({"view": "sideways"}, ["view", "forward", "backward"]),
        ({"sample": 5}, ["sample", "0..4"]),
        ({"sample": -1}, ["sample"]),
        ({"highlight_layer": 4}, ["highlight_layer", "0..3"]),
    ],
)
def test_network_graph_rejects_bad_arguments(trace, kw, words):
    with pytest.raises(ValueError) as e:
        viz.network_graph(trace, **kw)
    for w in words:
        assert w in str(e.value)


def test_big_layers_are_capped_and_the_labels_and_key_say_so():
    net = Network([50, 20, 3], seed=0)
    rng = np.random.default_rng(1)
    tr = net.trace(rng.random((50, 2)), np.eye(3)[:, :2])
    fig = viz.network_graph(tr, max_neurons=16, max_edges=100)
    nodes = node_traces(fig)
    assert [len(t.x) for t in nodes] == [16, 16, 3]
    idx = np.asarray(nodes[0].customdata)[:, 0].astype(int)
    assert idx[0] == 0 and idx[-1] == 49  # evenly spread, ends kept
    # each layer's label under the graph says how many of its neurons are drawn
    assert list(fig.layout.xaxis.ticktext) == [
        "input<br>(16 of 50)", "hidden 1<br>(16 of 20)", "output<br>(3)",
    ]  # fmt: skip
    edges = hover_edges(fig)
    assert len(edges) == 100
    # the key to the edges: 100 of the network's 50*20 + 20*3 edges, the largest
    key = annotation_texts(fig)
    assert key == ["edges (100 of 1060, the largest): red w > 0, blue < 0, width ∝ |w|"], key
    assert fig.layout.title.text == "Forward pass — activations a, sample 0"  # short: it fits
    # the drawn edges are the largest |w| among the edges between drawn neurons
    drawn = {e[:3] for e in edges}
    shown = [np.asarray(t.customdata)[:, 0].astype(int) for t in nodes]
    left_out = [
        abs(net.weights[l][j, k])
        for l in range(2)
        for j in shown[l + 1]
        for k in shown[l]
        if (l + 1, j, k) not in drawn
    ]
    assert len(left_out) == 16 * 16 + 3 * 16 - 100
    assert min(abs(e[3]) for e in edges) >= f32(max(left_out)) - 1e-6


def class_labels(spec: dict) -> list[dict]:
    """The output neurons' class names a graph spec draws (its layout annotations)."""
    notes = spec["layout"].get("annotations", [])
    return [a for a in notes if a.get("name", "").startswith("class of neuron ")]


def test_output_neurons_carry_the_digits_class_names():
    digits = load("digits", n_samples=200, seed=0)
    net = Network([64, 30, 10], "sigmoid", "softmax", "log_likelihood", seed=0)
    tr = net.trace(digits.X_train[:, :3], digits.Y_train[:, :3])
    plain = viz.network_graph_spec(tr)
    spec = viz.network_graph_spec(tr, class_names=digits.class_names)
    labels = class_labels(spec)
    assert [a["text"] for a in labels] == [str(d) for d in range(10)]
    assert [a["name"] for a in labels] == [f"class of neuron {j}" for j in range(10)]
    out = spec["data"][-1]  # the output layer's node trace: one label beside each node
    assert out["name"] == "layer 2"
    assert [a["x"] for a in labels] == [2] * 10
    assert [a["y"] for a in labels] == out["y"].tolist()  # one per node, 1 spacing apart
    assert {(a["xanchor"], a["showarrow"]) for a in labels} == {("left", False)}
    assert max(a["font"]["size"] for a in labels) <= 12  # (the spacing: 14 px at least)
    assert out["text"] == [f"class '{d}'" for d in range(10)]
    assert out["hovertemplate"].startswith("layer 2, neuron %{customdata[0]} (%{text})<br>z = ")
    # the rest is today's figure: the same traces (the output's hover aside), no label
    assert class_labels(plain) == [] and "text" not in plain["data"][-1]
    assert len(spec["data"]) == len(plain["data"])
    for a, b in zip(spec["data"][:-1], plain["data"][:-1]):
        assert viz.spec_json({"data": [a]}) == viz.spec_json({"data": [b]})
    assert spec["layout"]["annotations"][:-10] == plain["layout"]["annotations"]


def test_class_names_from_a_csv_are_short_literal_labels():
    rows = "\n".join(f"{i % 7},{i % 5},{('<b>x</b>', 'a & b', 'a rather long name')[i % 3]}"
                     for i in range(30))  # fmt: skip
    ds = load_csv(f"u,v,label\n{rows}".encode())
    assert ds.class_names == ("<b>x</b>", "a & b", "a rather long name")
    net = Network([2, 4, 3], "tanh", "softmax", "log_likelihood", seed=0)
    tr = net.trace(ds.X_train[:, :2], ds.Y_train[:, :2])
    spec = viz.network_graph_spec(tr, class_names=ds.class_names)
    assert [a["text"] for a in class_labels(spec)] == [
        "&lt;b&gt;x&lt;/b&gt;",
        "a &amp; b",
        "a rather lo…",  # 12 characters at most
    ]
    assert spec["data"][-1]["text"] == [
        "class '&lt;b&gt;x&lt;/b&gt;'",
        "class 'a &amp; b'",
        "class 'a rather long name'",
    ]
    fig = go.Figure(spec)  # valid for Plotly
    assert [a.text for a in fig.layout.annotations][-3:] == [a["text"] for a in class_labels(spec)]


def test_class_names_follow_the_drawn_output_neurons_or_are_left_out():
    net = Network([2, 3, 20], seed=0)
    tr = net.trace(np.zeros((2, 1)), np.zeros((20, 1)))
    names = [f"c{j}" for j in range(20)]
    spec = viz.network_graph_spec(tr, class_names=names)
    shown = spec["data"][-1]["customdata"][:, 0].astype(int)
    assert len(shown) == 16  # MAX_NEURONS
    assert [a["text"] for a in class_labels(spec)] == [f"c{j}" for j in shown]
    assert [a["font"]["size"] for a in class_labels(spec)] == [10] * 16
    for wrong in (None, names[:19], ()):  # no names, or not one per output neuron
        assert class_labels(viz.network_graph_spec(tr, class_names=wrong)) == []


# ========================================================================= animation
def test_layer_animation_has_a_frame_per_snapshot_named_by_step(trainer):
    snaps = trainer.snapshots.items
    assert len(snaps) == 7  # step 0 and 6 steps
    fig = viz.layer_animation(snaps, 1, "w")
    assert [f.name for f in fig.frames] == [str(s.step) for s in snaps]
    for f, s in zip(fig.frames, snaps):
        assert_f32_equal(f.data[0].z, s.weights[0])
    (slider,) = fig.layout.sliders
    assert len(slider.steps) == len(snaps)
    assert [list(st.args[0]) for st in slider.steps] == [[str(s.step)] for s in snaps]
    assert slider.currentvalue.prefix.strip() == "step"
    buttons = fig.layout.updatemenus[0].buttons
    assert [b.method for b in buttons] == ["animate", "animate"]
    assert buttons[0].args[1]["frame"]["redraw"] is True
    assert buttons[0].args[1]["mode"] == "immediate"
    expected = max(np.abs(s.weights[0]).max() for s in snaps)
    hm = fig.data[0]
    assert hm.zmax == pytest.approx(expected) and hm.zmin == -hm.zmax
    assert_f32_equal(hm.z, snaps[0].weights[0])


@pytest.mark.parametrize("quantity", ["delta", "a", "nabla_w"])
def test_layer_animation_colour_range_covers_every_frame(trainer, quantity):
    snaps = trainer.snapshots.items
    get = {
        "delta": lambda s: s.trace.delta[1],
        "a": lambda s: s.trace.a[2],
        "nabla_w": lambda s: s.trace.nabla_w[1],
    }[quantity]
    fig = viz.layer_animation(snaps, 2, quantity)
    assert fig.data[0].zmax == pytest.approx(max(np.abs(get(s)).max() for s in snaps))
    for f, s in zip(fig.frames, snaps):
        assert_f32_equal(f.data[0].z, get(s))


def test_update_animation_is_the_change_since_the_previous_frame(trainer):
    snaps = trainer.snapshots.items
    fig = viz.layer_animation(snaps, 3, "update")
    assert np.all(np.asarray(fig.frames[0].data[0].z) == 0)
    for i in range(1, len(snaps)):
        assert_f32_equal(fig.frames[i].data[0].z, snaps[i].weights[2] - snaps[i - 1].weights[2])


def test_animation_frames_are_capped_evenly(trainer):
    snaps = trainer.snapshots.items
    fig = viz.layer_animation(snaps, 1, "w", max_frames=4)
    names = [f.name for f in fig.frames]
    assert len(names) == 4 == len(fig.layout.sliders[0].steps)
    assert names[0] == str(snaps[0].step) and names[-1] == str(snaps[-1].step)
    assert "4 of 7 snapshots" in fig.layout.title.text


def test_network_animation_frames_follow_the_snapshots(trainer):
    snaps = trainer.snapshots.items
    fig = viz.network_animation(snaps, sample=1)
    assert [f.name for f in fig.frames] == [str(s.step) for s in snaps]
    assert len(fig.layout.sliders[0].steps) == len(snaps)
    n_traces = len(fig.data)
    node_idx = [i for i, t in enumerate(fig.data) if (t.name or "").startswith("layer ")]
    for f, s in zip(fig.frames, snaps):
        assert len(f.data) == n_traces  # same traces in every frame
        for l, i in enumerate(node_idx):
            assert_f32_equal(f.data[i].marker.color, s.trace.a[l][:, 1])
    expected = max(np.abs(s.trace.a[l][:, 1]).max() for s in snaps for l in range(1, L + 1))
    assert fig.layout.coloraxis.cmax == pytest.approx(expected)
    assert fig.layout.coloraxis.cmin == -fig.layout.coloraxis.cmax
    # every frame draws the same edges (labels stay put), with that snapshot's values
    hover = [i for i, t in enumerate(fig.data) if t.name == "edge hover"][0]
    labels = [e[:3] for e in hover_edges(fig)]
    assert len(labels) == sum(w.size for w in snaps[0].weights)
    for f, s in zip(fig.frames, snaps):
        cd = np.asarray(f.data[hover].customdata)
        assert_f32_equal(cd[:, 0], [s.weights[l - 1][j, k] for l, j, k in labels])
        assert_f32_equal(cd[:, 1], [s.trace.nabla_w[l - 1][j, k] for l, j, k in labels])
        lines = [t for t, base in zip(f.data, fig.data) if base.mode == "lines"]
        assert sum(n_segments(t) for t in lines) == len(labels)


def test_network_animation_keeps_the_edges_largest_over_the_frames(trainer):
    snaps = trainer.snapshots.items
    fig = viz.network_animation(snaps, view="backward", max_edges=10)
    labels = [e[:3] for e in hover_edges(fig)]
    assert len(labels) == 10 and "largest 10 of 26 edges" in fig.layout.title.text
    peak = {
        (l, j, k): max(abs(s.trace.nabla_w[l - 1][j, k]) for s in snaps)
        for l in range(1, L + 1)
        for j in range(SIZES[l])
        for k in range(SIZES[l - 1])
    }
    left_out = [m for key, m in peak.items() if key not in set(labels)]
    assert min(peak[key] for key in labels) >= max(left_out)


def test_animations_of_no_snapshots_say_so():
    for fig in (viz.layer_animation([], 1, "w"), viz.network_animation([])):
        assert any("no snapshots" in t for t in annotation_texts(fig))
        assert not fig.frames


def test_animation_rejects_bad_arguments(trainer):
    snaps = trainer.snapshots.items
    with pytest.raises(ValueError, match="quantity"):
        viz.layer_animation(snaps, 1, "weights")
    with pytest.raises(ValueError, match="layer"):
        viz.layer_animation(snaps, 4, "w")
    with pytest.raises(ValueError, match="view"):
        viz.network_animation(snaps, view="up")


# ======================================================================= output views
def test_decision_boundary_is_p_class_1_over_the_plane(net, xor):
    grid = 25
    fig = viz.decision_boundary(net, xor, grid=grid)
    hm = fig.data[0]
    z = np.asarray(hm.z)
    assert z.shape == (grid, grid)
    assert z.min() >= 0 and z.max() <= 1
    xs, ys = np.asarray(hm.x, dtype=np.float64), np.asarray(hm.y, dtype=np.float64)
    raw = np.hstack([xor.raw_train, xor.raw_test])
    assert xs[0] < raw[0].min() and xs[-1] > raw[0].max()
    assert ys[0] < raw[1].min() and ys[-1] > raw[1].max()
    for i, j in [(0, 0), (3, 17), (24, 24), (12, 5)]:
        point = np.array([[xs[j]], [ys[i]]])
        expected = net.feedforward(xor.features_of(point))[1, 0]  # softmax: P(class 1)
        assert z[i, j] == pytest.approx(expected, abs=1e-5)
    points = [t for t in fig.data if isinstance(t, go.Scatter)]
    assert sum(len(t.x) for t in points) == xor.n_train + xor.n_test
    train = [t for t in points if t.name.startswith("train")]
    test = [t for t in points if t.name.startswith("test")]
    assert sum(len(t.x) for t in train) == xor.n_train
    assert {t.marker.symbol for t in train} != {t.marker.symbol for t in test}
    assert any(isinstance(t, go.Contour) for t in fig.data)


def test_decision_boundary_shows_the_argmax_for_three_classes():
    ds = three_class_data()
    net = make_net([2, 5, 3])
    fig = viz.decision_boundary(net, ds, grid=12)
    hm = fig.data[0]
    z = np.asarray(hm.z)
    assert z.shape == (12, 12)
    xs, ys = np.asarray(hm.x, dtype=np.float64), np.asarray(hm.y, dtype=np.float64)
    gx, gy = np.meshgrid(xs, ys)
    expected = net.feedforward(np.vstack([gx.ravel(), gy.ravel()])).argmax(axis=0)
    assert np.array_equal(z.ravel(), expected)
    assert len([t for t in fig.data if isinstance(t, go.Scatter)]) == 6  # 2 splits x 3


def test_decision_boundary_of_the_plane_shows_the_output_surface():
    plane = load("plane", n_samples=40, seed=0)
    net = Network([2, 3, 1], activation="tanh", output_activation="sigmoid", seed=0)
    fig = viz.decision_boundary(net, plane, grid=10)
    hm = fig.data[0]
    xs, ys = np.asarray(hm.x, dtype=np.float64), np.asarray(hm.y, dtype=np.float64)
    gx, gy = np.meshgrid(xs, ys)
    expected = net.feedforward(plane.features_of(np.vstack([gx.ravel(), gy.ravel()])))[0]
    assert_f32_equal(np.asarray(hm.z).ravel(), expected)
    pts = [t for t in fig.data if isinstance(t, go.Scatter)]
    assert_f32_equal(pts[0].marker.color, plane.Y_train[0])
    lo = min(expected.min(), plane.Y_train.min(), plane.Y_test.min())
    assert fig.layout.coloraxis.cmin == pytest.approx(lo)


def test_show_test_false_leaves_the_test_points_out(net, xor):
    plane = load("plane", n_samples=40, seed=0)
    sine = load("sine", n_samples=40, seed=0)
    reg = Network([2, 3, 1], activation="tanh", output_activation="sigmoid", seed=0)
    cases = [
        (viz.decision_boundary_spec, net, xor, {"grid": 10}),
        (viz.decision_boundary_spec, make_net([2, 5, 3]), three_class_data(), {"grid": 8}),
        (viz.decision_boundary_spec, reg, plane, {"grid": 8}),
        (viz.regression_curve_spec, Network([1, 4, 1], seed=0), sine, {}),
    ]
    for build, model, ds, kw in cases:
        shown, hidden = build(model, ds, **kw), build(model, ds, show_test=False, **kw)
        test = [t for t in shown["data"] if t["name"].startswith("test")]
        assert sum(len(t["x"]) for t in test) == ds.n_test > 0
        assert [t["name"] for t in hidden["data"] if t["name"].startswith("test")] == []
        train = [t for t in hidden["data"] if t["name"].startswith("train")]
        assert sum(len(t["x"]) for t in train) == ds.n_train
        # the rest is the figure as it was: the network's answer and the train points
        rest = [t for t in shown["data"] if not t["name"].startswith("test")]
        assert viz.spec_json(hidden) == viz.spec_json({**shown, "data": rest})


def test_discretize_draws_the_predicted_class_of_two_classes(net, xor):
    grid = 20
    soft = viz.decision_boundary_spec(net, xor, grid=grid)
    hard = viz.decision_boundary_spec(net, xor, grid=grid, discretize=True)
    p = np.asarray(soft["data"][0]["z"], dtype=np.float64)  # P(class 1), as drawn
    z = np.asarray(hard["data"][0]["z"])
    trace = hard["data"][0]
    gx, gy = np.meshgrid(np.asarray(trace["x"], np.float64), np.asarray(trace["y"], np.float64))
    p1 = net.feedforward(xor.features_of(np.vstack([gx.ravel(), gy.ravel()])))[1]
    assert np.array_equal(z.ravel(), (p1 >= 0.5).astype(np.float32))
    assert set(np.unique(z)) == {0.0, 1.0}  # exactly two values: both classes are on the plane
    assert np.array_equal(z, (p >= 0.5).astype(np.float32))
    assert trace["type"] == "heatmap" and trace["name"] == "predicted class"
    assert (trace["zmin"], trace["zmax"]) == (-0.5, 1.5)
    assert trace["colorbar"]["ticktext"] == ["class 0", "class 1"]
    assert viz.spec_json({"data": hard["data"][1:]}) == viz.spec_json({"data": soft["data"][1:]})
    assert hard["layout"]["title"]["text"].startswith("Decision regions — predicted class")
    # more classes are drawn as the predicted class already; a regression stays continuous
    three, model = three_class_data(), make_net([2, 5, 3])
    plane = load("plane", n_samples=40, seed=0)
    reg = Network([2, 3, 1], activation="tanh", output_activation="sigmoid", seed=0)
    for m, ds in ((model, three), (reg, plane)):
        a = viz.decision_boundary_spec(m, ds, grid=8)
        b = viz.decision_boundary_spec(m, ds, grid=8, discretize=True)
        assert viz.spec_json(a) == viz.spec_json(b)


def test_discretize_leaves_a_gap_where_the_score_is_not_a_number():
    got = predicted_class(np.array([0.2, 0.5, 0.9, np.nan, np.inf, -np.inf]))
    np.testing.assert_array_equal(got, [0, 1, 1, np.nan, np.nan, np.nan])


def test_plane_views_need_raw_2d_points(net, xor):
    table = Dataset(
        name="table",
        task="classification",
        X_train=xor.X_train,
        Y_train=xor.Y_train,
        X_test=xor.X_test,
        Y_test=xor.Y_test,
        feature_names=("a", "b"),
    )
    for fn in (viz.decision_boundary, viz.neuron_maps):
        with pytest.raises(ValueError, match="2-D"):
            fn(net, table)
    with pytest.raises(ValueError, match="grid"):
        viz.decision_boundary(net, xor, grid=1)


def test_neuron_maps_draw_one_map_per_hidden_neuron(net, xor):
    grid = 15
    fig = viz.neuron_maps(net, xor, grid=grid)
    maps = [t for t in fig.data if isinstance(t, go.Heatmap)]
    hidden = SIZES[1:-1]
    assert len(maps) == sum(hidden)
    titles = [f"L{l} n{j}" for l, n in enumerate(hidden, start=1) for j in range(n)]
    assert [t.name for t in maps] == titles
    assert set(titles) <= set(annotation_texts(fig))
    xs, ys = np.asarray(maps[0].x, dtype=np.float64), np.asarray(maps[0].y, dtype=np.float64)
    gx, gy = np.meshgrid(xs, ys)
    _, acts = net.forward(xor.features_of(np.vstack([gx.ravel(), gy.ravel()])))
    assert_f32_equal(maps[titles.index("L2 n1")].z, acts[2][1].reshape(grid, grid))
    assert_f32_equal(maps[titles.index("L1 n3")].z, acts[1][3].reshape(grid, grid))
    ca = fig.layout.coloraxis
    assert ca.cmax == pytest.approx(max(np.abs(acts[1]).max(), np.abs(acts[2]).max()))
    assert ca.cmin == -ca.cmax


def test_neuron_maps_are_capped(net, xor):
    fig = viz.neuron_maps(net, xor, grid=8, max_neurons=5)
    assert len([t for t in fig.data if isinstance(t, go.Heatmap)]) == 5
    assert "5 of 7" in fig.layout.title.text


def test_neuron_maps_without_hidden_layers_say_so(xor):
    fig = viz.neuron_maps(make_net([2, 2]), xor, grid=8)
    assert "no hidden layers" in annotation_texts(fig)


def test_regression_curve_draws_the_network_over_a_dense_grid():
    sine = load("sine", n_samples=40, seed=0)
    net = Network([1, 6, 1], activation="tanh", output_activation="sigmoid", seed=0)
    fig = viz.regression_curve(net, sine)
    (curve,) = [t for t in fig.data if t.mode == "lines"]
    x = np.asarray(curve.x, dtype=np.float64)
    assert len(x) >= 200 and np.all(np.diff(x) > 0)
    assert x[0] < sine.X_train.min() and x[-1] > sine.X_train.max()
    assert_f32_equal(curve.y, net.feedforward(x.reshape(1, -1))[0])
    points = [t for t in fig.data if t.mode == "markers"]
    assert sorted(len(t.x) for t in points) == sorted([sine.n_train, sine.n_test])
    with pytest.raises(ValueError, match="1-D"):
        viz.regression_curve(net, load("plane", n_samples=20, seed=0))


TAG = "<a href='http://127.0.0.1:9/'>click</a>"  # Plotly renders it as a link


def _plotly_texts(obj) -> list[str]:
    """Every string in a figure (titles, trace names, hover templates, tick texts...)."""
    if isinstance(obj, go.Figure):
        obj = obj.to_dict()
    if isinstance(obj, str):
        return [obj]
    items = obj.values() if isinstance(obj, dict) else obj if isinstance(obj, (list, tuple)) else []
    return [t for v in items for t in _plotly_texts(v)]


def test_column_and_class_names_from_a_file_are_plotly_literals():
    sine = load("sine", n_samples=40, seed=0)
    fig = viz.regression_curve(Network([1, 3, 1], seed=0), replace(sine, feature_names=(TAG,)))
    circle = load("circle", n_samples=40, seed=0)
    named = replace(circle, class_names=("<b>A</b> & co", TAG))
    net = Network([2, 3, 2], "tanh", "softmax", "log_likelihood", seed=0)
    for f in (fig, viz.decision_boundary(net, named, grid=8)):
        labels = _plotly_texts(f)
        assert any("&lt;a href=" in t for t in labels), labels
        assert not any("<a " in t or "<b>" in t for t in labels), labels
    boundary = _plotly_texts(viz.decision_boundary(net, named, grid=8))
    assert any("&lt;b&gt;A&lt;/b&gt; &amp; co" in t for t in boundary), boundary


# Advance widths in em of a proportional sans-serif font (Helvetica's metrics, rounded):
# how wide a title is on screen, without a browser.
NARROW, SEMI, WIDE = set("ijlt.,:;'|!()[]"), set("frI -"), set("mwMW—")


def text_px(text: str, size: float) -> float:
    plain = re.sub(r"<[^>]+>", "", text)
    em = sum(
        0.26 if c in NARROW else 0.3 if c in SEMI else 0.86 if c in WIDE
        else 0.67 if c.isupper() else 0.56
        for c in plain
    )  # fmt: skip
    return em * size


# The live board at 1280x720 in presentation mode: two charts of 611 px side by side; a
# title has 611 - 5 - 160 px left of the modebar (board.js fits it down to 20 px, and
# below the modebar's row if it must), a key to the edges the chart's width less 10 px.
TITLE_ROOM, KEY_ROOM, TITLE_PX, KEY_PX = 446, 601, 22, 20


def test_the_live_boards_titles_fit_half_a_projector_screen(xor):
    """The titles of the board's views (circle and digits) fit beside the modebar in
    presentation mode: the notes that made them long (the caps, how to read a figure) are
    the graph's key and labels, or a subtitle."""
    digits = make_net([64, 4, 4, 10])
    rng = np.random.default_rng(0)
    tr = digits.trace(rng.random((64, 200)), np.eye(10)[:, rng.integers(0, 10, 200)])
    graph = viz.network_graph_spec(tr, 199, "backward")
    specs = {
        "graph": graph,
        "graph, circle": viz.network_graph_spec(make_net([2, 4, 4, 2]).trace(
            xor.X_train[:, :2], xor.Y_train[:, :2]), 0, "forward"),
        "boundary": viz.decision_boundary_spec(make_net([2, 4, 2]), xor, grid=8),
        "images": viz.first_layer_images_spec(digits, (8, 8)),
        "layers": viz.layer_grid_spec(tr),
    }  # fmt: skip
    for name, spec in specs.items():
        title = spec["layout"]["title"]["text"]
        assert text_px(title, TITLE_PX) <= TITLE_ROOM, (name, title, text_px(title, TITLE_PX))
    key = graph["layout"]["annotations"][-1]["text"]
    assert key.startswith("edges (120 of 312): red "), key  # of 64*4 + 4*4 + 4*10 edges
    assert text_px(key, KEY_PX) <= KEY_ROOM, (key, text_px(key, KEY_PX))
    # and the figure says what it leaves out: 16 of the 64 inputs
    assert graph["layout"]["xaxis"]["ticktext"][0] == "input<br>(16 of 64)"


def test_first_layer_images_are_each_neurons_weights():
    net = Network([64, 5, 10], seed=0)
    fig = viz.first_layer_images(net, (8, 8))
    maps = [t for t in fig.data if isinstance(t, go.Heatmap)]
    assert len(maps) == 5
    for j, t in enumerate(maps):
        assert_f32_equal(t.z, net.weights[0][j].reshape(8, 8))
        assert t.zmax == pytest.approx(np.abs(net.weights[0][j]).max())
        assert t.zmin == -t.zmax
        assert is_diverging(t.colorscale)
    capped = viz.first_layer_images(net, (8, 8), max_neurons=3)
    assert fig.layout.title.text == "First-layer weights as images"  # short: it fits
    assert "red excites" in fig.layout.title.subtitle.text  # how to read it: a note under it
    assert len(capped.data) == 3 and "3 of 5" in capped.layout.title.subtitle.text
    with pytest.raises(ValueError, match="image_shape"):
        viz.first_layer_images(net, (28, 28))


# ======================================================================= log axes
def labelled_ticks(axis: dict, lo: float, hi: float) -> list[float]:
    """The values a Plotly log axis over ``[lo, hi]`` labels, from its ``dtick``: every
    ``dtick``-th power of ten, or 1, 2 and 5 times each ("D2"), or every digit ("D1"); a
    decade or less without dtick: Plotly's linear ticks, ~6 labels."""
    dtick = axis.get("dtick")
    a, b = int(np.floor(np.log10(lo))), int(np.ceil(np.log10(hi)))
    if dtick is None:
        return list(np.linspace(lo, hi, 6)) if np.log10(hi / lo) <= 1 else [0.0] * 99
    digits = {"D1": range(1, 10), "D2": (1, 2, 5)}.get(dtick, (1,))
    step = 1 if isinstance(dtick, str) else dtick
    return [m * 10.0**k for k in range(a, b + 1) if k % step == 0 for m in digits
            if lo <= m * 10.0**k <= hi]  # fmt: skip


@pytest.mark.parametrize(
    ("lo", "hi"), [(0.3, 0.9), (0.05, 0.9), (0.02, 3.0), (1e-4, 0.5), (1e-9, 10.0), (1e-30, 1.0)]
)
def test_a_log_axis_labels_a_few_ticks_and_never_2_5_2_5(lo, hi):
    """However many decades: at most 8 labels (one every 25 px of a 200 px axis), the
    digits 2 and 5 only when there are few decades, unlabelled minor ticks between powers."""
    axis = log_axis(np.geomspace(lo, hi, 50), [np.nan, -1.0, 0.0, np.inf])
    assert axis["type"] == "log" and axis["exponentformat"] == "power"
    shown = labelled_ticks(axis, lo, hi)
    assert 2 <= len(shown) <= 8, (axis, shown)
    decades = np.log10(hi / lo)
    if decades > 2.5:  # no "2 5 2 5 ...": the powers of ten only
        assert isinstance(axis["dtick"], int)
        assert axis.get("minor", {}).get("dtick", "D1") == "D1"
        assert "ticklabelstep" not in axis and axis.get("minor", {}).get("showticklabels") is None


def test_log_axis_without_positive_values_is_plain_log():
    assert log_axis([np.nan, 0.0, -2.0]) == {"type": "log", "exponentformat": "power"}


def test_the_log_curves_use_the_uncrowded_axis(trainer):
    h = trainer.history_frame()
    for fig, ys in (
        (viz.cost_curves(h, log_y=True), ["batch_cost", "train_cost", "test_cost"]),
        (viz.norm_curves(h, "grad_norm"), [f"grad_norm_{l}" for l in range(1, L + 1)]),
    ):
        expected = log_axis(*[h[c].to_numpy(dtype=float) for c in ys])
        got = fig.layout.yaxis.to_plotly_json()
        assert {k: got.get(k) for k in expected} == expected


# ============================================================================ curves
def test_cost_curves_draw_batch_cost_and_evaluated_costs(trainer):
    h = trainer.history_frame()
    fig = viz.cost_curves(h)
    by_name = {t.name: t for t in fig.data}
    assert_f32_equal(by_name["mini-batch cost"].y, h["batch_cost"])
    assert_f32_equal(by_name["mini-batch cost"].x, h["step"])
    for col in ("train_cost", "test_cost"):
        rows = h[h[col].notna()]
        assert 0 < len(rows) < len(h)  # evaluated every 2 steps and at epoch ends
        t = by_name[col.replace("_", " ")]
        assert_f32_equal(t.x, rows["step"])
        assert_f32_equal(t.y, rows[col])
    assert fig.layout.xaxis.title.text == "step"
    e = viz.cost_curves(trainer.epoch_frame(), x="epoch")
    assert {t.name for t in e.data} == {"train cost", "test cost"}
    with pytest.raises(ValueError, match="x"):
        viz.cost_curves(h, x="time")


def test_accuracy_curves(trainer):
    h = trainer.history_frame()
    fig = viz.accuracy_curves(h)
    t = {t.name: t for t in fig.data}["test accuracy"]
    assert_f32_equal(t.y, h["test_accuracy"].dropna())
    assert list(fig.layout.yaxis.range) == [0, 1.02]


@pytest.mark.parametrize("kind", ["delta_norm", "grad_norm", "update_norm"])
def test_norm_curves_one_log_line_per_layer(trainer, kind):
    h = trainer.history_frame()
    fig = viz.norm_curves(h, kind)
    assert fig.layout.yaxis.type == "log"
    assert [t.name for t in fig.data] == [f"layer {l}" for l in range(1, L + 1)]
    for l, t in enumerate(fig.data, start=1):
        assert_f32_equal(t.y, h[f"{kind}_{l}"])


def test_norm_curves_drop_non_positive_values():
    h = pd.DataFrame(
        {
            "step": [1, 2, 3, 4],
            "grad_norm_1": [1.0, 0.0, -2.0, 3.0],
            "grad_norm_2": [np.nan, 0.5, np.inf, 0.25],
        }
    )
    fig = viz.norm_curves(h, "grad_norm")
    assert list(fig.data[0].x) == [1, 4] and list(fig.data[0].y) == [1.0, 3.0]
    assert list(fig.data[1].x) == [2, 4]


def test_norm_curves_reject_bad_kind_and_frames_without_norms(trainer):
    with pytest.raises(ValueError, match="delta_norm"):
        viz.norm_curves(trainer.history_frame(), "norm")
    with pytest.raises(ValueError, match="history_frame"):
        viz.norm_curves(trainer.epoch_frame(), "grad_norm")


def test_empty_history_gives_a_figure_that_says_no_steps_yet(xor):
    fresh = Trainer(make_net(), xor.X_train, xor.Y_train)
    h = fresh.history_frame()
    assert len(h) == 0
    for fig in (
        viz.cost_curves(h),
        viz.accuracy_curves(h),
        viz.norm_curves(h),
        viz.cost_curves(fresh.epoch_frame(), x="epoch"),
    ):
        assert isinstance(fig, go.Figure)
        assert "no steps yet" in annotation_texts(fig)


def test_histograms_over_time_count_every_weight_in_shared_bins(trainer):
    snaps = trainer.snapshots.items
    bins = 12
    fig = viz.histograms_over_time(snaps, 2, "w", bins=bins)
    hm = fig.data[0]
    z = np.asarray(hm.z)
    assert z.shape == (len(snaps), bins)
    assert list(np.asarray(hm.y)) == [s.step for s in snaps]
    assert np.all(z.sum(axis=1) == snaps[0].weights[1].size)
    allw = np.concatenate([s.weights[1].ravel() for s in snaps])
    edges = np.linspace(allw.min(), allw.max(), bins + 1)
    assert_f32_equal(hm.x, (edges[:-1] + edges[1:]) / 2)
    assert np.array_equal(z[-1], np.histogram(snaps[-1].weights[1], edges)[0])
    g = viz.histograms_over_time(snaps, 1, "nabla_w", bins=bins)
    assert np.all(np.asarray(g.data[0].z).sum(axis=1) == snaps[0].weights[0].size)
    assert "no snapshots" in annotation_texts(viz.histograms_over_time([], 1))[0]


# ====================================================================== every figure
def all_figures(net, trace, trainer, xor) -> dict[str, go.Figure]:
    snaps = trainer.snapshots.items
    h = trainer.history_frame()
    return {
        "graph": viz.network_graph(trace, view="backward", highlight_layer=1),
        "heatmap": viz.layer_heatmap(trace, 1, "delta"),
        "layer_animation": viz.layer_animation(snaps, 2, "w"),
        "network_animation": viz.network_animation(snaps),
        "boundary": viz.decision_boundary(net, xor, grid=30),
        "maps": viz.neuron_maps(net, xor, grid=12),
        "images": viz.first_layer_images(Network([64, 4, 10], seed=0), (8, 8)),
        "cost": viz.cost_curves(h),
        "accuracy": viz.accuracy_curves(h),
        "norms": viz.norm_curves(h),
        "histograms": viz.histograms_over_time(snaps, 1),
        "empty": viz.cost_curves(h.iloc[:0]),
    }


def test_figures_serialise_arrays_as_float32_typed_arrays(net, trace, trainer, xor):
    for name, fig in all_figures(net, trace, trainer, xor).items():
        text = fig.to_json()
        assert len(text) < 300_000, name
        data = json.loads(text)
        lists = numeric_lists(data.get("data", [])) + numeric_lists(data.get("frames", []))
        assert max(lists, default=0) <= 20, (name, max(lists))  # no long plain lists
        if name != "empty":
            assert '"bdata"' in text and '"dtype":"f4"' in text.replace(" ", ""), name
            assert '"dtype":"f8"' not in text.replace(" ", ""), name


def test_figures_share_the_projector_style(net, trace, trainer, xor):
    white = pio.templates["plotly_white"].layout
    for name, fig in all_figures(net, trace, trainer, xor).items():
        assert fig.layout.uirevision, name
        # plotly_white's look (white background, its grid and colours), without its bulk
        assert fig.layout.template.layout.plot_bgcolor == white.plot_bgcolor, name
        assert fig.layout.template.layout.xaxis.gridcolor == white.xaxis.gridcolor, name
        assert fig.layout.template.layout.colorway == white.colorway, name
        assert len(fig.layout.template.to_plotly_json().get("data", {})) == 0, name
        assert fig.layout.title.text or name == "empty", name
        assert fig.layout.font.size >= 14, name


def test_viz_never_imports_streamlit():
    code = "import sys, backprop.viz\nprint('streamlit' in sys.modules)"
    r = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "False"


def test_values_beyond_float32_are_clipped_not_infinite():
    from backprop.viz._common import F32_MAX, f32

    out = f32(np.array([1e300, -1e300, 1.5, np.nan]))
    assert out[0] == F32_MAX and out[1] == -F32_MAX and out[2] == 1.5 and np.isnan(out[3])


# ======================================================================== dict specs
# The live charts send ``viz.spec_json(spec)`` without validating the spec: these check
# that Plotly accepts every spec and that its JSON is exactly the public figure's.
def three_class_data() -> Dataset:
    rng = np.random.default_rng(0)
    raw = rng.uniform(-3, 3, (2, 30))
    Y = np.eye(3)[:, np.arange(30) % 3]
    return Dataset(
        name="three",
        task="classification",
        X_train=raw[:, :20],
        Y_train=Y[:, :20],
        X_test=raw[:, 20:],
        Y_test=Y[:, 20:],
        feature_names=("x1", "x2"),
        class_names=("a", "b", "c"),
        raw_train=raw[:, :20],
        raw_test=raw[:, 20:],
    )


def diverged_net() -> Network:
    """A net whose weights hold NaN, inf and values beyond float32, as after divergence."""
    net = make_net([2, 5, 3], seed=3)
    net.weights[0][0, 0] = np.nan
    net.weights[1][1, 2] = np.inf
    net.weights[0][2, 1] = -1e300
    return net


@pytest.fixture(scope="module")
def spec_cases(net, trace, trainer, xor) -> dict[str, tuple]:
    """``name: (builder name, args, kwargs)`` covering every spec builder's branches."""
    big = Network([50, 20, 3], seed=0)
    big_trace = big.trace(np.random.default_rng(1).random((50, 2)), np.eye(3)[:, :2])
    bad = diverged_net()
    with np.errstate(all="ignore"):
        bad_trace = bad.trace(xor.X_train[:, :6], np.vstack([xor.Y_train[:, :6], np.zeros(6)]))
    sine = load("sine", n_samples=40, seed=0)
    plane = load("plane", n_samples=40, seed=0)
    h = trainer.history_frame()
    broken = h.copy()
    broken.loc[broken.index[1], "batch_cost"] = np.inf
    broken.loc[broken.index[2], "batch_cost"] = np.nan
    broken.loc[broken.index[4], "train_cost"] = -np.inf
    return {
        "graph": ("network_graph", (trace,), {}),
        "graph backward, highlighted": ("network_graph", (trace, 3, "backward", 2), {}),
        "graph capped (50-20-3)": ("network_graph", (big_trace,), {"max_edges": 100}),
        "graph capped, backward": ("network_graph", (big_trace, 1, "backward", 0), {}),
        "graph diverged": ("network_graph", (bad_trace, 2, "forward", 1), {}),
        "graph diverged, backward": ("network_graph", (bad_trace, 0, "backward"), {}),
        "graph with class names": (
            "network_graph",
            (big_trace,),
            {"class_names": ("<b>a</b>", "b & c", "a rather long name")},
        ),
        "heatmap input a": ("layer_heatmap", (trace, 0, "a"), {}),
        "heatmap delta": ("layer_heatmap", (trace, 1, "delta"), {}),
        "heatmap nabla_b": ("layer_heatmap", (trace, 3, "nabla_b"), {}),
        "heatmap update": (
            "layer_heatmap",
            (trainer.net.trace(*trainer.probe), 2, "update", trainer.last_update),
            {},
        ),
        "heatmap thinned (50-20-3)": ("layer_heatmap", (big_trace, 1, "w"), {"max_cells": 600}),
        "heatmap diverged": ("layer_heatmap", (bad_trace, 1, "w"), {}),
        "layer grid": ("layer_grid", (trace,), {}),
        "layer grid thinned (50-20-3), diverged": ("layer_grid", (big_trace,), {"max_cells": 50}),
        "boundary, 2 classes": ("decision_boundary", (net, xor), {"grid": 20}),
        "boundary, 3 classes": (
            "decision_boundary",
            (make_net([2, 5, 3]), three_class_data()),
            {"grid": 12},
        ),
        "boundary, regression plane": (
            "decision_boundary",
            (Network([2, 3, 1], activation="tanh", output_activation="sigmoid", seed=0), plane),
            {"grid": 10},
        ),
        "boundary diverged": ("decision_boundary", (bad, three_class_data()), {"grid": 8}),
        "boundary discretized, no test points": (
            "decision_boundary",
            (net, xor),
            {"grid": 12, "discretize": True, "show_test": False},
        ),
        "regression curve": (
            "regression_curve",
            (Network([1, 6, 1], activation="tanh", output_activation="sigmoid", seed=0), sine),
            {},
        ),
        "images": ("first_layer_images", (Network([64, 5, 10], seed=0), (8, 8)), {}),
        "images, 2 rows": ("first_layer_images", (Network([64, 13, 10], seed=0), (8, 8)), {}),
        "images capped": ("first_layer_images", (Network([64, 40, 10], seed=0), (8, 8)), {}),
        "images diverged": ("first_layer_images", (bad, (1, 2)), {}),
        "cost": ("cost_curves", (h,), {}),
        "cost, log y, inf and NaN": ("cost_curves", (broken,), {"log_y": True}),
        "cost by epoch": ("cost_curves", (trainer.epoch_frame(),), {"x": "epoch"}),
        "cost, few points (markers)": ("cost_curves", (h.iloc[:3],), {}),
        "cost, no steps": ("cost_curves", (h.iloc[:0],), {}),
    }


SPEC_CASES = [
    "graph",
    "graph backward, highlighted",
    "graph capped (50-20-3)",
    "graph capped, backward",
    "graph diverged",
    "graph diverged, backward",
    "graph with class names",
    "heatmap input a",
    "heatmap delta",
    "heatmap nabla_b",
    "heatmap update",
    "heatmap thinned (50-20-3)",
    "heatmap diverged",
    "layer grid",
    "layer grid thinned (50-20-3), diverged",
    "boundary, 2 classes",
    "boundary, 3 classes",
    "boundary, regression plane",
    "boundary diverged",
    "boundary discretized, no test points",
    "regression curve",
    "images",
    "images, 2 rows",
    "images capped",
    "images diverged",
    "cost",
    "cost, log y, inf and NaN",
    "cost by epoch",
    "cost, few points (markers)",
    "cost, no steps",
]


def plain_leaves(obj, path="spec"):
    """``(path, value)`` of every value in ``obj`` that is not a dict, list or tuple."""
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield from plain_leaves(v, f"{path}.{k}")
    elif isinstance(obj, (list, tuple)):
        for i, v in enumerate(obj):
            yield from plain_leaves(v, f"{path}[{i}]")
    else:
        yield path, obj


def test_spec_cases_cover_every_spec_builder(spec_cases, figure_spec_cases):
    assert list(spec_cases) == SPEC_CASES
    assert list(figure_spec_cases) == FIGURE_SPEC_CASES
    builders = {name for name, _, _ in spec_cases.values()}
    specs = {f"{b}_spec" for b in builders}
    specs |= {spec_of(name) for mod, name, _, _ in figure_spec_cases.values() if mod is viz}
    assert specs == {n for n in viz.__all__ if n.endswith("_spec")}
    debug_specs = {n for n in dir(viz_debug) if n.endswith("_spec") and n != "empty_spec"}
    assert debug_specs == {
        spec_of(name) for mod, name, _, _ in figure_spec_cases.values() if mod is viz_debug
    }


@pytest.mark.parametrize("case", SPEC_CASES)
def test_spec_validates_and_serialises_exactly_like_the_public_figure(spec_cases, case):
    name, args, kw = spec_cases[case]
    with np.errstate(all="ignore"):
        spec = getattr(viz, f"{name}_spec")(*args, **kw)
        public = getattr(viz, name)(*args, **kw)
    assert set(spec) == {"data", "layout"}
    validated = go.Figure(spec)  # raises on a misspelt property or a bad value
    assert json.loads(pio.to_json(validated)) == json.loads(public.to_json())
    # what the live charts send: the same JSON, typed arrays included, without validation
    sent = viz.spec_json(spec)
    assert json.loads(sent) == json.loads(public.to_json())
    # plain data only (no Plotly objects, which would be validated again), arrays as f4
    for path, v in plain_leaves(spec):
        assert isinstance(v, (str, int, float, type(None), np.ndarray)), (path, type(v))
        if isinstance(v, np.ndarray):
            assert v.dtype == np.float32, path
    if name != "cost_curves" or len(args[0]):
        assert '"bdata"' in sent and '"dtype":"f4"' in sent
    assert json.loads(viz.spec_json(spec)) == json.loads(sent)  # spec_json left spec alone
    assert all(isinstance(t, dict) for t in spec["data"])


# Every other builder: a spec (frames too, for an animation) and its validated figure.
def spec_of(name: str) -> str:
    """The spec builder of the public builder ``name``."""
    return "empty_spec" if name == "empty_figure" else f"{name}_spec"


FIGURE_SPEC_CASES = [
    "empty",
    "accuracy",
    "accuracy, no steps",
    "accuracy, regression",
    "norms",
    "norms of the update, by epoch",
    "norms, no steps",
    "compare cost",
    "compare accuracy by epoch",
    "compare accuracy, regression",
    "compare cost, no steps",
    "compare norms",
    "compare norms, one run without steps",
    "compare norms, no steps",
    "histograms",
    "histograms of a, capped",
    "histograms, no snapshots",
    "layer animation",
    "layer animation of the update, thinned",
    "layer animation, no snapshots",
    "network animation",
    "network animation backward, capped",
    "neuron maps",
    "neuron maps, deep and capped",
    "neuron maps, no hidden layer",
    "neuron maps diverged",
    "pass",
    "pass capped (50-20-3)",
    "pass diverged",
    "stages",
    "stages thinned",
    "stages, none",
    "gradient scatter",
    "gradient scatter, none",
    "cost pair",
    "cost pair, diverged",
    "cost pair, no steps",
    "difference w",
    "difference b, big",
    "relative errors",
    "relative errors, rtol",
    "relative errors, none",
    "landscape",
    "landscape, log colours, no path",
    "interpolation",
    "interpolation, log y",
]


@pytest.fixture(scope="module")
def figure_spec_cases(net, trace, trainer, xor) -> dict[str, tuple]:
    """``name: (module, builder name, args, kwargs)`` for the builders not in SPEC_CASES."""
    from backprop.debug import check_gradients, train_pair

    snaps = trainer.snapshots.items
    h = trainer.history_frame()
    bad = diverged_net()
    with np.errstate(all="ignore"):
        bad_trace = bad.trace(xor.X_train[:, :6], np.vstack([xor.Y_train[:, :6], np.zeros(6)]))
    big = Network([50, 20, 3], seed=0)
    big_trace = big.trace(np.random.default_rng(1).random((50, 2)), np.eye(3)[:, :2])
    deep = Network([2, 6, 5, 4, 2], activation="tanh", seed=2)
    small = Network([2, 3, 2], seed=0)
    res = check_gradients(small, xor.X_train[:, :4], xor.Y_train[:, :4])
    groups = [(f"layer {p.layer} {p.param}", p.analytic, p.numeric) for p in res.params]
    errs = {(p.layer, p.param): p.relative_errors() for p in res.params}
    rel = [(l, errs[l, "w"], errs[l, "b"]) for l in (1, 2)]
    pair = train_pair(small, xor.X_train, xor.Y_train, ["update_sign"], eta=1.0, batch_size=5,
                      steps=5)  # fmt: skip
    diverged_pair = pair.copy()
    diverged_pair.loc[diverged_pair.index[2:], "buggy"] = [np.inf] + [np.nan] * (len(pair) - 3)
    no_accuracy = h.assign(batch_accuracy=np.nan, train_accuracy=np.nan, test_accuracy=np.nan)
    stages = [("a", trace.a[1]), ("δ", trace.delta[0]), ("w", trace.weights[1])]
    land = landscape.of_trainer(trainer, seed=0, n=7)
    steep = land.surface.cost.copy()
    steep[0, 0], steep[1, 1] = 1e4, np.inf
    wide = landscape.Surface(land.surface.alphas, land.surface.betas, steep, 10)
    line = land.interpolation
    wide_line = landscape.Interpolation(line.ts, np.geomspace(1e3, 1e-2, line.ts.size), 10)
    tall = [("big", np.random.default_rng(0).random((30, 1000))), ("x", np.ones((25, 2)))]
    return {
        "empty": (viz, "empty_figure", ("nothing", "title"), {}),
        "accuracy": (viz, "accuracy_curves", (h,), {}),
        "accuracy, no steps": (viz, "accuracy_curves", (h.iloc[:0],), {}),
        "accuracy, regression": (viz, "accuracy_curves", (no_accuracy,), {}),
        "norms": (viz, "norm_curves", (h,), {}),
        "norms of the update, by epoch": (
            viz,
            "norm_curves",
            (h, "update_norm", "epoch"),
            {"max_points": 3},
        ),  # fmt: skip
        "norms, no steps": (viz, "norm_curves", (h.iloc[:0],), {}),
        "compare cost": (viz, "compare_curves", (h, h.iloc[:3]), {}),
        "compare accuracy by epoch": (
            viz,
            "compare_curves",
            (trainer.epoch_frame(), trainer.epoch_frame(), "accuracy", ("<b>x</b>", "B & C")),
            {"x": "epoch"},
        ),  # fmt: skip
        "compare accuracy, regression": (
            viz,
            "compare_curves",
            (no_accuracy, no_accuracy, "accuracy"),
            {},
        ),  # fmt: skip
        "compare cost, no steps": (viz, "compare_curves", (h.iloc[:0], h.iloc[:0]), {}),
        "compare norms": (viz, "compare_norms", (h, h.iloc[:5], "delta_norm"), {}),
        "compare norms, one run without steps": (
            viz,
            "compare_norms",
            (h.iloc[:0], h),
            {"max_points": 4},
        ),  # fmt: skip
        "compare norms, no steps": (viz, "compare_norms", (h.iloc[:0], h.iloc[:0]), {}),
        "histograms": (viz, "histograms_over_time", (snaps, 1), {}),
        "histograms of a, capped": (
            viz,
            "histograms_over_time",
            (snaps, 0, "a"),
            {"bins": 7, "max_rows": 3},
        ),  # fmt: skip
        "histograms, no snapshots": (viz, "histograms_over_time", ([], 1), {}),
        "layer animation": (viz, "layer_animation", (snaps, 2, "w"), {}),
        "layer animation of the update, thinned": (
            viz,
            "layer_animation",
            (snaps, 1, "update"),
            {"max_frames": 3, "max_cells": 10},
        ),  # fmt: skip
        "layer animation, no snapshots": (viz, "layer_animation", ([], 1, "w"), {}),
        "network animation": (viz, "network_animation", (snaps,), {}),
        "network animation backward, capped": (
            viz,
            "network_animation",
            (snaps, 1, "backward"),
            {"max_edges": 10, "max_frames": 4},
        ),  # fmt: skip
        "neuron maps": (viz, "neuron_maps", (net, xor), {"grid": 12}),
        "neuron maps, deep and capped": (
            viz,
            "neuron_maps",
            (deep, xor),
            {"grid": 6, "max_neurons": 13},
        ),  # fmt: skip
        "neuron maps, no hidden layer": (viz, "neuron_maps", (Network([2, 2], seed=0), xor), {}),
        "neuron maps diverged": (viz, "neuron_maps", (bad, three_class_data()), {"grid": 5}),
        "pass": (viz, "pass_animation", (trace, 1, 0.5), {}),
        "pass capped (50-20-3)": (viz, "pass_animation", (big_trace, 0, 3.0), {"max_edges": 40}),
        "pass diverged": (viz, "pass_animation", (bad_trace, 2, 1.0), {"duration": 500}),
        "stages": (viz_debug, "stage_heatmaps", (stages, 2, "Stage"), {}),
        "stages thinned": (viz_debug, "stage_heatmaps", (tall, 1), {}),
        "stages, none": (viz_debug, "stage_heatmaps", ([],), {"title": "t"}),
        "gradient scatter": (viz_debug, "gradient_scatter", (groups,), {}),
        "gradient scatter, none": (viz_debug, "gradient_scatter", ([],), {}),
        "cost pair": (viz_debug, "cost_pair", (pair,), {}),
        "cost pair, diverged": (
            viz_debug,
            "cost_pair",
            (diverged_pair, {"correct": "A & <b>"}),
            {},
        ),  # fmt: skip
        "cost pair, no steps": (viz_debug, "cost_pair", (pair.iloc[:0],), {}),
        "difference w": (viz_debug, "difference_heatmap", (trace.weights[1], 2, "w"), {}),
        "difference b, big": (
            viz_debug,
            "difference_heatmap",
            (np.ones((70, 1)), 1, "b", "T"),
            {},
        ),  # fmt: skip
        "relative errors": (viz_debug, "relative_error_heatmaps", (rel,), {}),
        "relative errors, rtol": (
            viz_debug,
            "relative_error_heatmaps",
            (rel, 1e-3, "T"),
            {},
        ),  # fmt: skip
        "relative errors, none": (viz_debug, "relative_error_heatmaps", ([],), {}),
        "landscape": (viz, "landscape", (land.surface, land.path), {}),
        "landscape, log colours, no path": (viz, "landscape", (wide,), {"title": "T"}),
        "interpolation": (viz, "interpolation", (line,), {}),
        "interpolation, log y": (viz, "interpolation", (wide_line,), {}),
    }


@pytest.mark.parametrize("case", FIGURE_SPEC_CASES)
def test_every_builder_is_the_validated_figure_of_its_spec(figure_spec_cases, case):
    mod, name, args, kw = figure_spec_cases[case]
    spec_fn, public_fn = getattr(mod, spec_of(name)), getattr(mod, name)
    assert public_fn.__wrapped__ is spec_fn and public_fn.__name__ == name
    with np.errstate(all="ignore"):
        spec = spec_fn(*args, **kw)
        public = public_fn(*args, **kw)
    assert isinstance(public, go.Figure)
    assert {"data", "layout"} <= set(spec) <= {"data", "layout", "frames"}
    validated = go.Figure(spec)  # raises on a misspelt property or a bad value
    want = json.loads(public.to_json())
    assert json.loads(pio.to_json(validated)) == want
    assert json.loads(viz.spec_json(spec)) == want  # sent unvalidated, the same JSON
    for path, v in plain_leaves(spec):
        assert isinstance(v, (str, int, float, type(None), np.ndarray)), (path, type(v))
        if isinstance(v, np.ndarray):
            assert v.dtype == np.float32, path
    frames = spec.get("frames", [])
    assert all(isinstance(t, dict) for t in spec["data"] + [t for f in frames for t in f["data"]])
    if spec["data"]:
        assert '"bdata"' in viz.spec_json(spec)


def test_public_builders_keep_their_signature_and_say_what_they_return():
    import inspect

    for mod in (viz, viz_debug):
        specs = [n for n in dir(mod) if n.endswith("_spec") and (mod is viz or n != "empty_spec")]
        for spec_name in specs:
            name = "empty_figure" if spec_name == "empty_spec" else spec_name[: -len("_spec")]
            public = getattr(mod, name)
            assert public.__wrapped__ is getattr(mod, spec_name) and public.__name__ == name
            sig, spec_sig = inspect.signature(public), inspect.signature(getattr(mod, spec_name))
            assert list(sig.parameters) == list(spec_sig.parameters), spec_name
            assert sig.return_annotation == "go.Figure" and spec_sig.return_annotation == "dict"
            assert spec_name in public.__doc__ and getattr(mod, spec_name).__doc__ in public.__doc__


@pytest.mark.parametrize(("n", "max_neurons"), [(5, 30), (13, 30), (40, 30), (40, 1)])
def test_first_layer_images_lay_out_like_make_subplots(n, max_neurons):
    from plotly.subplots import make_subplots

    net = Network([64, n, 10], seed=0)
    layout = viz.first_layer_images_spec(net, (8, 8), max_neurons)["layout"]
    count = min(n, max_neurons)
    cols = min(10, count)
    rows = -(-count // cols)
    ref = make_subplots(
        rows=rows,
        cols=cols,
        subplot_titles=[f"n{j}" for j in range(count)],
        horizontal_spacing=min(0.02, 0.4 / cols),
        vertical_spacing=min(0.08, 0.5 / rows),
    )
    ref.update_annotations(font_size=12)
    ref = ref.to_plotly_json()["layout"]
    assert layout["annotations"] == ref["annotations"]
    axes = sorted(k for k in ref if k.startswith(("xaxis", "yaxis")))
    assert sorted(k for k in layout if k.startswith(("xaxis", "yaxis"))) == axes
    for k in axes:
        assert {p: layout[k][p] for p in ("anchor", "domain")} == ref[k], k
    margin = layout["margin"]  # 130 px a row of images, less 40 px, under the title and note
    assert layout["height"] - margin["t"] - margin["b"] == rows * 130 - 40


def test_a_misspelt_property_in_a_spec_is_caught_by_validation(trace):
    spec = viz.network_graph_spec(trace)
    spec["data"][0]["hovertemplat"] = "%{x}"
    with pytest.raises(ValueError, match="hovertemplat"):
        go.Figure(spec)
    spec = viz.layer_heatmap_spec(trace, 1, "w")
    spec["layout"]["xaxis"]["dtick"] = None  # validated away: the raw JSON would differ
    assert json.loads(viz.spec_json(spec)) != json.loads(go.Figure(spec).to_json())


def test_spec_json_encodes_arrays_like_plotly():
    from backprop.viz._common import style_layout

    a = np.arange(12, dtype=np.float64).reshape(3, 4)
    spec = {
        "data": [
            {"type": "heatmap", "z": a.astype(np.float32), "x": a[0], "y": a[:, 1]},  # strided
            {"type": "scatter", "x": np.arange(5), "y": np.array([1e10, 2, 3, 4, 5])},  # int64
            {"type": "scatter", "x": np.zeros(0), "y": np.array([1, 2], dtype=">f4")},
            {"type": "scatter", "x": [1, 2.5, None], "y": (np.float64(1.5), 2)},
            {"type": "scatter", "x": np.arange(3, dtype=np.uint8), "text": np.array(["a", "b"])},
        ],
        "layout": style_layout("t", xaxis={"range": np.array([0.0, 1.0])}),
    }
    assert json.loads(viz.spec_json(spec)) == json.loads(go.Figure(spec).to_json())
    assert isinstance(spec["data"][0]["z"], np.ndarray)  # not modified


# ------------------------------------------------------------------ two runs compared
def two_histories(xor) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Histories of a [2, 4, 3, 2] net after 7 steps and a [2, 5, 2] net after 11."""
    out = []
    for sizes, steps in ((SIZES, 7), ([2, 5, 2], 11)):
        tr = Trainer(make_net(sizes), xor.X_train, xor.Y_train, xor.X_test, xor.Y_test,
                     eta=0.5, batch_size=6, eval_every=1)  # fmt: skip
        for _ in range(steps):
            tr.step()
        out.append(tr.history_frame())
    return out[0], out[1]


@pytest.mark.parametrize("metric", ["cost", "accuracy"])
def test_compare_curves_draw_train_and_test_of_both_runs(xor, metric):
    ha, hb = two_histories(xor)
    fig = viz.compare_curves(ha, hb, metric, labels=("A", "B"))
    names = [t.name for t in fig.data]
    assert names == [f"{r}: {s} {metric}" for r in "AB" for s in ("train", "test")]
    for t in fig.data:
        h = ha if t.name.startswith("A") else hb
        col = t.name.split(": ")[1].replace(" ", "_")
        assert_f32_equal(t.x, h["step"])
        assert_f32_equal(t.y, h[col])
        assert t.line.dash == ("solid" if t.name.startswith("A") else "dash")
        assert t.legendgroup == t.name[0]
    train = [t.line.color for t in fig.data if "train" in t.name]
    assert len(set(train)) == 1  # the same colour for a split in both runs
    assert {t.line.color for t in fig.data} == set(train) | {fig.data[1].line.color}


def test_compare_norms_draw_each_layer_of_each_run_in_its_colour(xor):
    ha, hb = two_histories(xor)
    fig = viz.compare_norms(ha, hb, "grad_norm", labels=("run 1", "run 2"))
    assert [t.name for t in fig.data] == [f"run 1: layer {l}" for l in (1, 2, 3)] + [
        f"run 2: layer {l}" for l in (1, 2)
    ]
    for t in fig.data:
        h, dash = (ha, "solid") if t.name.startswith("run 1") else (hb, "dash")
        l = int(t.name[-1])
        assert len(t.x) == len(h)
        assert_f32_equal(t.y, h[f"grad_norm_{l}"])
        assert t.line.dash == dash
    colour = {t.name: t.line.color for t in fig.data}
    assert colour["run 1: layer 1"] == colour["run 2: layer 1"] != colour["run 1: layer 2"]
    assert fig.layout.yaxis.type == "log"


def test_compare_builders_check_their_arguments(xor):
    ha, hb = two_histories(xor)
    with pytest.raises(ValueError, match="metric"):
        viz.compare_curves(ha, hb, "loss")
    with pytest.raises(ValueError, match="labels"):
        viz.compare_curves(ha, hb, labels="AB")
    with pytest.raises(ValueError, match="kind"):
        viz.compare_norms(ha, hb, "norm")
    with pytest.raises(ValueError, match="neither history"):
        viz.compare_norms(ha[["step", "train_cost"]], hb[["step", "train_cost"]])
    labels = viz.compare_curves(ha, hb, labels=("<b>A</b>", "B")).data[0].name
    assert labels == "&lt;b&gt;A&lt;/b&gt;: train cost"  # shown literally


def test_neuron_maps_at_8_8_8_do_not_overlap_and_no_edge_crosses_one():
    """Each hidden neuron's map is a box of its own (a gap to the next), and every edge
    ends at a map's side: no edge line runs over a map."""
    ds = load("circle", n_samples=60, seed=0)
    net = Network([2, 8, 8, 8, 2], seed=0)
    tr = net.trace(ds.X_train[:, :4], ds.Y_train[:, :4])
    spec = viz.with_neuron_maps(viz.network_graph_spec(tr), tr, viz.plane_activations(net, ds, 16))
    boxes = []
    for t in spec["data"]:
        if t["type"] == "heatmap":
            n = len(t["z"])
            x0, y0 = t["x0"] - t["dx"] / 2, t["y0"] - t["dy"] / 2
            boxes.append((x0, y0, x0 + n * t["dx"], y0 + n * t["dy"]))
    assert len(boxes) == 24
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            apart = a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1]
            assert apart, (a, b)
    lines = [t for t in spec["data"] if t.get("mode") == "lines"]
    hover = next(t for t in spec["data"] if t["name"] == "edge hover")
    seg = np.asarray(hover["meta"]["seg"], dtype=float)
    xs = np.concatenate([np.asarray(t["x"], dtype=float).reshape(-1, 3)[:, :2] for t in lines])
    assert sorted(map(tuple, xs.round(6))) == sorted(map(tuple, seg[:, [0, 2]].round(6)))
    for x0, y0, x1, y1 in seg:  # sampled along each edge: never inside a map
        for u in np.linspace(0.001, 0.999, 50):
            x, y = x0 + u * (x1 - x0), y0 + u * (y1 - y0)
            inside = [b for b in boxes if b[0] < x < b[2] and b[1] < y < b[3]]
            assert not inside, ((x0, y0, x1, y1), u, inside)
