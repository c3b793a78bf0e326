"""The animated pass (``viz.pass_animation``): phases in order, hover numbers from the trace,
the update frame's edges at ``w - eta nabla_w``. Expected values come from the engine's trace."""

from __future__ import annotations

import json

import numpy as np
import plotly.graph_objects as go
import pytest
from helpers import click, open_tab, playground, run, tab, the_run

from backprop import Network, viz
from backprop.debug.stages import stages
from backprop.ui import views
from backprop.viz.network import N_BUCKETS, edge_array, edge_geometry, graph_layout
from backprop.viz.passes import phases

SIZES = [2, 4, 3, 2]
L = len(SIZES) - 1
F32 = {"rtol": 1e-6, "atol": 1e-6}
ETA = 0.5
HOVER = 2 * N_BUCKETS  # index of the edge-hover trace; node traces follow


@pytest.fixture(scope="module")
def trace():
    net = Network(SIZES, activation="tanh", output_activation="softmax", cost="log_likelihood")
    rng = np.random.default_rng(1)
    X = rng.normal(size=(2, 5))
    Y = np.eye(2)[:, rng.integers(0, 2, 5)]
    return net.trace(X, Y)


@pytest.fixture(scope="module")
def fig(trace):
    return viz.pass_animation(trace, 1, ETA)


def names(fig) -> list[str]:
    return [f.name for f in fig.frames]


JACOBIAN = "J<sub>σ</sub>(z<sup>L</sup>)<sup>T</sup> ∇<sub>a</sub>C"
HADAMARD = "∇<sub>a</sub>C ⊙ σ′(z<sup>L</sup>)"
SHORTCUT = " = a<sup>L</sup> − y"


@pytest.mark.parametrize(
    ("activation", "cost", "rhs"),
    [
        ("softmax", "log_likelihood", JACOBIAN + SHORTCUT),
        ("softmax", "cross_entropy", JACOBIAN),
        ("sigmoid", "cross_entropy", HADAMARD + SHORTCUT),
        ("sigmoid", "log_likelihood", HADAMARD),
        ("linear", "quadratic", HADAMARD + SHORTCUT),
        ("tanh", "quadratic", HADAMARD),
    ],
)
def test_bp1_title_follows_the_pair_as_the_step_through_does(activation, cost, rhs):
    net = Network([2, 3, 2], activation="sigmoid", output_activation=activation, cost=cost)
    tr = net.trace(np.ones((2, 2)), np.eye(2))
    title = next(p.equation for p in phases(tr, 0, 1.0) if p.name == "BP1")
    assert title == "BP1: δ<sup>L</sup> = " + rhs
    bp1 = next(s for s in stages(tr) if s.key == "bp1")  # the step-through's BP1
    assert (r"J_{\sigma}" in bp1.template) == rhs.startswith(JACOBIAN)
    assert (r"\text{shortcut: } \delta^{L} = a^{L} - y" in bp1.template) == rhs.endswith(SHORTCUT)


def test_frames_are_the_phases_in_order(fig):
    fwd = ["input"] + [f"forward {l}" for l in range(1, L + 1)]
    bp2 = [f"BP2 {l}" for l in range(L - 1, 0, -1)]
    assert names(fig) == fwd + ["cost", "BP1"] + bp2 + ["BP3/BP4", "update"]
    assert [s.label for s in fig.layout.sliders[0].steps] == names(fig)
    assert [list(s.args[0]) for s in fig.layout.sliders[0].steps] == [[n] for n in names(fig)]


def test_titles_carry_each_phases_equation(fig, trace):
    titles = {f.name: f.layout.title.text for f in fig.frames}
    assert "a<sup>2</sup> = tanh(w<sup>2</sup>a<sup>1</sup> + b<sup>2</sup>)" in titles["forward 2"]
    assert "softmax(w<sup>3</sup>" in titles["forward 3"]
    assert f"{trace.cost:.4g}" in titles["cost"] and "−ln a" in titles["cost"]
    assert titles["BP1"].startswith(
        "BP1: δ<sup>L</sup> = J<sub>σ</sub>(z<sup>L</sup>)<sup>T</sup> ∇<sub>a</sub>C"
        " = a<sup>L</sup> − y<br>"
    )
    assert "δ<sup>1</sup> = ((w<sup>2</sup>)<sup>T</sup>δ<sup>2</sup>)" in titles["BP2 1"]
    assert titles["BP3/BP4"].startswith("BP3/BP4")
    assert f"η = {ETA:.4g}" in titles["update"]
    assert fig.layout.title.text == titles["input"]


def test_the_cost_shown_is_the_samples_own(trace):
    fig = viz.pass_animation(trace, 3, ETA)
    cost = next(f for f in fig.frames if f.name == "cost").layout.title.text
    a, y = trace.a[-1][:, 3], trace.y[:, 3]
    assert f"{-np.log(a[y.argmax()]):.4g} for sample 3" in cost


def test_every_frame_and_the_figure_validate(fig):
    full = go.Figure(fig.to_dict())
    assert len(full.frames) == len(fig.frames)
    for f in full.frames:
        assert len(f.data) == len(full.data)


def edge_rows(trace, keep_xy):
    """The edge-hover points' (l, j, k) from their text ``w[l][j,k]``."""
    return [tuple(map(int, t[2:].replace("][", ",").replace("]", "").split(","))) for t in keep_xy]


def test_edge_hover_holds_w_sample_gradient_mean_gradient_and_new_w(fig, trace):
    hover = fig.data[HOVER]
    rows = edge_rows(trace, hover.text)
    a, d = trace.a, trace.delta
    expected = [
        [
            trace.weights[l - 1][j, k],
            a[l - 1][k, 1] * d[l - 1][j, 1],  # BP4 for sample 1
            trace.nabla_w[l - 1][j, k],
            trace.weights[l - 1][j, k] - ETA * trace.nabla_w[l - 1][j, k],
        ]
        for l, j, k in rows
    ]
    np.testing.assert_allclose(np.asarray(hover.customdata), np.float32(expected), **F32)
    assert len(rows) == sum(a * b for a, b in zip(SIZES[:-1], SIZES[1:]))


def test_sample_gradients_average_to_nabla_w(trace):
    m = trace.x.shape[1]
    per = [viz.passes.sample_gradients(trace, s) for s in range(m)]
    for l in range(L):
        np.testing.assert_allclose(np.mean([p[l] for p in per], axis=0), trace.nabla_w[l])


def test_node_hover_holds_z_a_delta_and_the_new_bias(fig, trace):
    for l in range(1, L + 1):
        node = fig.data[HOVER + 1 + l]
        expected = np.column_stack(
            [
                np.arange(SIZES[l]),
                trace.z[l - 1][:, 1],
                trace.a[l][:, 1],
                trace.delta[l - 1][:, 1],
                trace.biases[l - 1][:, 0],
                trace.biases[l - 1][:, 0] - ETA * trace.nabla_b[l - 1][:, 0],
            ]
        )
        np.testing.assert_allclose(np.asarray(node.customdata), np.float32(expected), **F32)
    x = fig.data[HOVER + 1].customdata
    np.testing.assert_allclose(np.asarray(x)[:, 1], np.float32(trace.x[:, 1]), **F32)


def node_colours(frame, l):
    return frame.data[HOVER + 1 + l].marker.color


def test_forward_lights_one_layer_more_per_frame_then_deltas_flow_back(fig, trace):
    frames = {f.name: f for f in fig.frames}
    for l in range(1, L + 1):
        f = frames[f"forward {l}"]
        np.testing.assert_allclose(np.asarray(node_colours(f, l)), np.float32(trace.a[l][:, 1]))
        assert all(isinstance(node_colours(f, k), str) for k in range(l + 1, L + 1))  # grey
    np.testing.assert_allclose(
        np.asarray(node_colours(frames["BP1"], L)), np.float32(trace.delta[-1][:, 1]), **F32
    )
    assert isinstance(node_colours(frames["BP1"], L - 1), str)
    for l in range(L - 1, 0, -1):
        shown = np.asarray(node_colours(frames[f"BP2 {l}"], l))
        np.testing.assert_allclose(shown, np.float32(trace.delta[l - 1][:, 1]), **F32)
    assert frames["BP1"].layout.coloraxis.colorbar.title.text == "δ"


def drawn_edges(frame, trace, values):
    """Each drawn edge line's (width class, sign) against the edge values ``values``."""
    lay = graph_layout(trace.sizes, 12)
    geo = edge_geometry(lay)
    v = edge_array(values, geo)
    ends = {
        (x0, y0, x1, y1): i
        for i, (x0, y0, x1, y1) in enumerate(
            zip(*(np.float32(geo[k]) for k in ("x0", "y0", "x1", "y1")))
        )
    }
    seen = {}
    for t, line in enumerate(frame.data[:HOVER]):
        xs, ys = np.asarray(line.x).reshape(-1, 3), np.asarray(line.y).reshape(-1, 3)
        for x, y in zip(xs, ys):
            seen[ends[(x[0], y[0], x[1], y[1])]] = t
    return v, seen


def test_the_last_frame_draws_the_updated_weights(fig, trace):
    new_w = [w - ETA * g for w, g in zip(trace.weights, trace.nabla_w)]
    last = fig.frames[-1]
    assert last.name == "update"
    v, seen = drawn_edges(last, trace, new_w)
    emax = max(np.abs(np.concatenate([w.ravel() for w in (*trace.weights, *new_w)])))
    assert len(seen) == len(v)
    for i, t in seen.items():
        positive, bucket = t < N_BUCKETS, t % N_BUCKETS
        assert positive == (v[i] >= 0)
        assert bucket == min(int(abs(v[i]) / emax * N_BUCKETS), N_BUCKETS - 1)
    before, seen_before = drawn_edges(fig.frames[-2], trace, viz.passes.sample_gradients(trace, 1))
    assert seen_before != seen or not np.allclose(before, v)


def test_forward_frames_draw_only_the_edges_reached(fig, trace):
    lay = graph_layout(trace.sizes, 12)
    x1 = edge_geometry(lay)["x1"]
    for l, f in enumerate(fig.frames[: L + 1]):
        xs = np.concatenate([np.asarray(t.x).reshape(-1, 3)[:, 1] for t in f.data[:HOVER]])
        assert len(xs) == int((x1 <= l).sum())


def test_controls_play_pause_and_speeds(fig):
    buttons = fig.layout.updatemenus[0].buttons
    labels = [b.label for b in buttons]
    assert labels[:2] == ["▶ Play", "❚❚ Pause"] and labels[2:] == ["0.5×", "1×", "2×"]
    assert list(buttons[1].args[0]) == [None] and buttons[1].args[1]["mode"] == "immediate"
    ms = [b.args[1]["frame"]["duration"] for b in buttons[2:]]
    assert ms[0] == 2 * ms[1] == 4 * ms[2] == 2 * buttons[0].args[1]["frame"]["duration"]


@pytest.mark.parametrize(
    "kw, words",
    [
        ({"sample": 5}, "sample"),
        ({"sample": "0"}, "sample"),
        ({"eta": 0.0}, "eta"),
        ({"eta": float("nan")}, "eta"),
        ({"eta": True}, "eta"),
        ({"max_edges": 0}, "max_edges"),
        ({"duration": 0}, "duration"),
    ],
)
def test_bad_arguments_are_rejected(trace, kw, words):
    with pytest.raises(ValueError, match=words):
        viz.pass_animation(trace, **{"sample": 0, "eta": 1.0, **kw})


def test_large_layers_are_capped(trace):
    net = Network([30, 40, 3], seed=0)
    rng = np.random.default_rng(0)
    tr = net.trace(rng.normal(size=(30, 4)), np.eye(3)[:, [0, 1, 2, 0]])
    fig = viz.pass_animation(tr, 0, 1.0, max_edges=50)
    assert len(fig.data[HOVER].x) == 50
    assert max(len(t.x) for t in fig.data[HOVER + 1 :]) <= 12


# ------------------------------------------------------------------ the Pass tab
def pass_chart(at) -> dict:
    """What the Pass tab's live chart sends: the figure's JSON and the autoplay token."""
    found = []

    def walk(node):
        for child in getattr(node, "children", {}).values():
            if getattr(child, "key", None) == "live_pass":
                found.append(json.loads(child.proto.json))
            walk(child)

    walk(tab(at, "Pass"))
    (data,) = found
    return data


def test_pass_tab_shows_the_pass_of_the_graphs_sample():
    at = playground()
    run(at.number_input(key="graph_sample").set_value(2))
    open_tab(at, "Pass")
    data = pass_chart(at)
    fig = json.loads(data["figure"])
    assert [f["name"] for f in fig["frames"]][-3:] == ["BP2 1", "BP3/BP4", "update"]
    tr = views.probe_trace(the_run(at))
    expected = viz.pass_animation(tr, 2, the_run(at).trainer.eta)
    assert fig["layout"]["title"] == json.loads(expected.to_json())["layout"]["title"]
    assert data["autoplay"] == 0  # shown at its first phase, not playing


def test_the_button_plays_the_pass_once():
    at = playground()
    open_tab(at, "Pass")
    click(at, "pass_play")
    first = pass_chart(at)["autoplay"]
    assert first > 0
    run(at)  # any other rerun does not play it again
    assert pass_chart(at)["autoplay"] == 0
    click(at, "pass_play")
    assert pass_chart(at)["autoplay"] > first


def test_the_toggle_plays_the_pass_after_each_step_only():
    at = playground()
    open_tab(at, "Pass")
    click(at, "step")
    assert pass_chart(at)["autoplay"] == 0  # toggle off
    run(tab(at, "Pass").toggle(key="pass_after_step").set_value(True))
    assert pass_chart(at)["autoplay"] == 0  # switching it on is not a Step
    steps = the_run(at).trainer.steps
    click(at, "step")
    data = pass_chart(at)
    assert data["autoplay"] > 0 and the_run(at).trainer.steps == steps + 1
    # the pass shown is of the network after the Step
    tr = views.probe_trace(the_run(at))
    shown = json.loads(data["figure"])["data"][HOVER]["customdata"]
    expected = json.loads(viz.pass_animation(tr, 0, the_run(at).trainer.eta).to_json())
    assert shown == expected["data"][HOVER]["customdata"]


def test_each_frame_sets_its_highlight_so_none_lingers(fig):
    # an empty shapes list in a frame leaves the previous frame's rectangle drawn
    for f in fig.frames:
        (shape,) = f.layout.shapes
        layer = {"cost": L, "BP1": L}.get(f.name)
        if f.name.startswith(("forward", "BP2")):
            layer = int(f.name.split()[-1])
        if layer is None:
            assert shape.visible is False, f.name
        else:
            assert shape.visible is not False and shape.x0 < layer < shape.x1, f.name


def test_after_a_step_the_toggle_opens_the_pass_tab_and_stays_on():
    at = playground()
    open_tab(at, "Pass")
    run(tab(at, "Pass").toggle(key="pass_after_step").set_value(True))
    open_tab(at, "Layers")  # the toggle is not drawn here, but stays on
    click(at, "step")
    assert [t.label for t in at.tabs if t.children] == ["Pass"]
    assert pass_chart(at)["autoplay"] > 0
    assert tab(at, "Pass").toggle(key="pass_after_step").value is True
    run(tab(at, "Pass").toggle(key="pass_after_step").set_value(False))
    open_tab(at, "Layers")
    click(at, "step")
    assert [t.label for t in at.tabs if t.children] == ["Layers"]
