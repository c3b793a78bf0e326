"""One pass of backprop, animated: the forward pass layer by layer, the cost, the deltas
flowing back (BP1, then BP2), the gradients on the edges (BP3/BP4) and the update.

A Plotly figure (a dict spec, :func:`pass_animation_spec`) with one frame per phase
(Play/Pause, speed buttons and a slider over the phases), built on the network graph
(:mod:`.network`). Every frame's hover carries the engine's numbers for one probe sample
``s``: ``z``, ``a``, ``delta`` on the nodes; ``w``, ``dC_x/dw = a_k delta_j`` (this
sample), ``nabla_w`` (the batch's mean) and the updated ``w - eta nabla_w`` on the edges.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from ..costs import COSTS, output_error
from ..trace import Trace
from ._common import FONT_SIZE, check_int, f32, figure_builder, merge, sym_max
from .animation import EDGE_FRAME_BUDGET, MIN_EDGES, frame_controls
from .network import (
    INPUT_COLOUR,
    N_BUCKETS,
    GraphLayout,
    check_sample,
    colour_max,
    edge_array,
    edge_geometry,
    graph_layout,
    graph_layout_spec,
    graph_traces,
    node_values,
    pick_edges,
)

Array = np.ndarray

PHASE_MS = 1200  # Play at 1x: milliseconds per phase
HOVER = 2 * N_BUCKETS  # index of the edge-hover trace in graph_traces; node traces follow
SPEEDS = (0.5, 1.0, 2.0)
COST_FORMULAS = {
    "quadratic": "C<sub>x</sub> = ½‖y − a<sup>L</sup>‖²",
    "cross_entropy": "C<sub>x</sub> = −Σ<sub>j</sub> [y<sub>j</sub> ln a<sup>L</sup><sub>j</sub>"
    " + (1 − y<sub>j</sub>) ln(1 − a<sup>L</sup><sub>j</sub>)]",
    "log_likelihood": "C<sub>x</sub> = −ln a<sup>L</sup><sub>y</sub>",
}


@dataclass(frozen=True)
class Phase:
    """One frame: its ``name`` (the slider label), the title's two lines, which layers'
    nodes show a value (``lit``), whether they show ``a`` or ``delta`` (``view``), the
    layers whose edges are drawn (``edges_to``: layers ``1..edges_to``), what sets the
    edges (``"w"``, ``"grad"`` or ``"new_w"``), the highlighted layer and the edge hover."""

    name: str
    equation: str
    note: str
    lit: tuple[int, ...]
    view: str
    edges_to: int
    edges: str = "w"
    highlight: int | None = None
    edge_hover: str = "w"


def sup(symbol: str, l: int | str) -> str:
    return f"{symbol}<sup>{l}</sup>"


def sample_gradients(trace: Trace, sample: int) -> tuple[Array, ...]:
    """BP4 for one column ``s``: ``dC_x/dw^l_jk = a^{l-1}_k delta^l_j``, ``(n_l, n_{l-1})``
    per layer (their mean over the batch is ``trace.nabla_w``)."""
    return tuple(np.outer(d[:, sample], a[:, sample]) for d, a in zip(trace.delta, trace.a[:-1]))


def sample_cost(trace: Trace, sample: int) -> float:
    """``C_x`` of column ``sample``, by the trace's cost function."""
    s = slice(sample, sample + 1)
    with np.errstate(all="ignore"):
        return float(COSTS[trace.cost_name].fn(trace.a[-1][:, s], trace.y[:, s]))


def updated(trace: Trace, eta: float) -> tuple[tuple[Array, ...], tuple[Array, ...]]:
    """Plain gradient descent on the trace's batch: ``w - eta nabla_w``, ``b - eta nabla_b``."""
    with np.errstate(all="ignore"):
        ws = tuple(w - eta * g for w, g in zip(trace.weights, trace.nabla_w))
        bs = tuple(b - eta * g for b, g in zip(trace.biases, trace.nabla_b))
    return ws, bs


def _sub(symbol: str, index: str) -> str:
    return f"{symbol}<sub>{index}</sub>"


def bp1_rhs(activation: str, cost: str) -> str:
    """BP1's right-hand side for the pair, as the step-through writes it
    (:func:`~backprop.costs.output_error`): the Jacobian form for softmax, else the
    Hadamard product with sigma'; ``= a - y`` follows for a canonical pair."""
    form = output_error(activation, cost)
    z = sup("z", "L")
    grad = f"{_sub('∇', 'a')}C"
    rhs = f"{_sub('J', 'σ')}({z})<sup>T</sup> {grad}" if form.jacobian else f"{grad} ⊙ σ′({z})"
    return rhs + (f" = {sup('a', 'L')} − y" if form.shortcut else "")


def phases(trace: Trace, sample: int, eta: float) -> list[Phase]:
    """The frames in order: forward ``0..L``, cost, BP1, BP2 ``L-1..1``, BP3/BP4, update."""
    L, s, m = trace.n_layers, sample, trace.x.shape[1]
    every, back = tuple(range(L + 1)), tuple(range(1, L + 1))
    out = [Phase("input", f"Forward pass: {sup('a', 0)} = x", f"sample {s}", (0,), "forward", 0)]
    for l in range(1, L + 1):
        rhs = f"{trace.activations[l - 1]}({sup('w', l)}{sup('a', l - 1)} + {sup('b', l)})"
        eq = f"Forward, layer {l}: {sup('a', l)} = {rhs}"
        note = "hover a neuron for z and a"
        out.append(Phase(f"forward {l}", eq, note, every[: l + 1], "forward", l, highlight=l))
    cx = _sub("C", "x")
    formula = COST_FORMULAS.get(trace.cost_name, cx)
    note = (
        f"{cx} = {sample_cost(trace, s):.4g} for sample {s};"
        f" mean C over the {m} probe samples = {trace.cost:.4g}"
    )
    out.append(Phase("cost", f"Cost: {formula}", note, every, "forward", L, highlight=L))
    bp1 = f"BP1: {sup('δ', 'L')} = {bp1_rhs(trace.activations[-1], trace.cost_name)}"
    out.append(Phase("BP1", bp1, "the output layer's error", (L,), "backward", L, highlight=L))
    for l in range(L - 1, 0, -1):
        rhs = f"(({sup('w', l + 1)})<sup>T</sup>{sup('δ', l + 1)}) ⊙ σ′({sup('z', l)})"
        eq = f"BP2, layer {l}: {sup('δ', l)} = {rhs}"
        lit = every[l:]
        out.append(Phase(f"BP2 {l}", eq, "the error flows back", lit, "backward", L, highlight=l))
    djl = _sub(sup("δ", "l"), "j")
    bp34 = (
        f"BP3/BP4: ∂C/∂{_sub(sup('b', 'l'), 'j')} = {djl},"
        f" ∂C/∂{_sub(sup('w', 'l'), 'jk')} = {_sub(sup('a', 'l−1'), 'k')}{djl}"
    )
    note = f"edges: this sample's ∂{cx}/∂w; hover an edge for it and the batch mean ∂C/∂w"
    out.append(Phase("BP3/BP4", bp34, note, back, "backward", L, "grad", edge_hover="grad"))
    upd = f"Update: w → w − η ∂C/∂w, b → b − η ∂C/∂b (η = {eta:.4g})"
    note = f"plain gradient descent on the mean gradient of the {m} probe samples; edges: new w"
    out.append(Phase("update", upd, note, back, "backward", L, "new_w", edge_hover="new_w"))
    return out


def _edge_hover(kind: str, sample: int) -> str:
    text = "%{text} = %{customdata[0]:.4g}"
    if kind in ("grad", "new_w"):
        text += (
            "<br>∂C<sub>x</sub>/∂w = a<sub>k</sub>δ<sub>j</sub> = %{customdata[1]:.4g}"
            f" (sample {sample})<br>∂C/∂w = %{{customdata[2]:.4g}} (batch mean)"
        )
    if kind == "new_w":
        text += "<br>new w = w − η ∂C/∂w = %{customdata[3]:.4g}"
    return text + "<extra></extra>"


def _node_hover(l: int, phase: Phase) -> str:
    if l == 0:
        return "input x[%{customdata[0]}] = %{customdata[1]:.4g}<extra></extra>"
    text = f"layer {l}, neuron %{{customdata[0]}}"
    if phase.view == "forward" and l not in phase.lit:
        return text + "<br>not reached yet<extra></extra>"
    text += "<br>z = %{customdata[1]:.4g}<br>a = %{customdata[2]:.4g}"
    if phase.view == "backward":
        text += "<br>δ = %{customdata[3]:.4g}" if l in phase.lit else "<br>δ: not yet"
    if phase.edges == "new_w":
        text += "<br>b = %{customdata[4]:.4g}<br>new b = b − η ∂C/∂b = %{customdata[5]:.4g}"
    return text + "<extra></extra>"


def _node_frame(l: int, idx: Array, phase: Phase, values: dict[str, list]) -> dict:
    v = values[phase.view][l]
    lit = l in phase.lit and v is not None
    colour = f32(v[idx]) if lit else INPUT_COLOUR
    return {"type": "scatter", "marker": {"color": colour}, "hovertemplate": _node_hover(l, phase)}


def _no_lines() -> list[dict]:
    empty = f32(np.zeros(0))
    return [{"type": "scatter", "x": empty, "y": empty} for _ in range(HOVER)]


@dataclass(frozen=True)
class _Scene:
    """What every frame shares: the drawn neurons and edges (``keep`` indexes ``geo``), the
    three edge sets (trace, edge view, width scale) by :attr:`Phase.edges`, node values
    and colour ranges by view."""

    trace: Trace
    sample: int
    lay: GraphLayout
    geo: dict[str, Array]
    keep: Array
    edges: dict[str, tuple[Trace, str, float]]
    values: dict[str, list]
    cmax: dict[str, float]


def _scene(trace: Trace, sample: int, eta: float, max_neurons: int, max_edges: int) -> _Scene:
    """The edges drawn are the largest relative to their scale in any of the edge sets."""
    lay = graph_layout(trace.sizes, max_neurons)
    grads = sample_gradients(trace, sample)
    new_w = updated(trace, eta)[0]
    w_max = sym_max(*trace.weights, *new_w)
    edges = {
        "w": (trace, "forward", w_max),
        "grad": (replace(trace, nabla_w=grads), "backward", sym_max(*grads)),
        "new_w": (replace(trace, weights=new_w), "forward", w_max),
    }
    geo = edge_geometry(lay)
    scores = [np.abs(edge_array(a, geo)) / m for a, m in ((trace.weights, w_max), (new_w, w_max))]
    scores.append(np.abs(edge_array(grads, geo)) / edges["grad"][2])
    keep = pick_edges(np.nanmax(np.vstack(scores), axis=0), max_edges)
    views = ("forward", "backward")
    values = {v: node_values(trace, sample, v) for v in views}
    cmax = {v: colour_max(trace, sample, v) for v in views}
    return _Scene(trace, sample, lay, geo, keep, edges, values, cmax)


def _base_traces(sc: _Scene, eta: float) -> list[dict]:
    """:func:`~.network.graph_traces` with the pass's hover numbers: edges ``w``,
    ``dC_x/dw`` (this sample), ``nabla_w``, ``w - eta nabla_w``; nodes ``j``, ``z``, ``a``,
    ``delta``, ``b``, ``b - eta nabla_b`` (inputs: ``j``, ``x``)."""
    tr, s, lay = sc.trace, sc.sample, sc.lay
    data = graph_traces(tr, s, "forward", lay, sc.edges["w"][2], sc.keep)
    new_w, new_b = updated(tr, eta)
    kept = {k: g[sc.keep] for k, g in sc.geo.items()}
    edge_sets = (tr.weights, sample_gradients(tr, s), tr.nabla_w, new_w)
    data[HOVER]["customdata"] = f32(np.column_stack([edge_array(a, kept) for a in edge_sets]))
    for l in range(1, tr.n_layers + 1):
        idx = lay.shown[l]
        cols = [c[idx, s] for c in (tr.z[l - 1], tr.a[l], tr.delta[l - 1])]
        cols += [tr.biases[l - 1][idx, 0], new_b[l - 1][idx, 0]]
        data[HOVER + 1 + l]["customdata"] = f32(np.column_stack([idx, *cols]))
    return data


def _frame(sc: _Scene, ph: Phase, hidden: dict) -> dict:
    """Edge lines (only layers ``1..edges_to``), the edge hover text, node colours (grey
    until reached) and the title, colour axis, notes and highlight of phase ``ph``."""
    variant, edge_view, emax = sc.edges[ph.edges]
    sub = sc.keep[sc.geo["l"][sc.keep] <= ph.edges_to]
    lines = _no_lines()
    if len(sub):
        drawn = graph_traces(variant, sc.sample, edge_view, sc.lay, emax, sub)[:HOVER]
        lines = [{"type": "scatter", "x": t["x"], "y": t["y"]} for t in drawn]
    edge_hover = {"type": "scatter", "hovertemplate": _edge_hover(ph.edge_hover, sc.sample)}
    nodes = [_node_frame(l, idx, ph, sc.values) for l, idx in enumerate(sc.lay.shown)]
    spec = graph_layout_spec(sc.lay, ph.view, sc.cmax[ph.view], "", ph.highlight)
    layout = {
        "title": _title(ph),
        "coloraxis": spec["coloraxis"],
        "annotations": graph_layout_spec(sc.lay, edge_view, 1.0, "")["annotations"],
        "shapes": spec.get("shapes") or [hidden],
    }
    return {"data": lines + [edge_hover] + nodes, "name": ph.name, "layout": layout}


def pass_animation_spec(
    trace: Trace,
    sample: int = 0,
    eta: float = 1.0,
    *,
    max_neurons: int = 12,
    max_edges: int | None = None,
    duration: int = PHASE_MS,
) -> dict:
    """One pass of backprop for column ``sample`` of ``trace``, one frame per
    :func:`phases` entry (named by it), then the update ``w - eta nabla_w`` of the trace's
    batch. Nodes show ``a`` (forward) or ``delta`` (backward), grey until reached; edges
    show ``w``, this sample's ``dC_x/dw`` (BP3/BP4) and finally the new ``w``. Caps:
    ``max_neurons`` per layer, ``max_edges`` edges (default: ``EDGE_FRAME_BUDGET`` over
    the number of frames)."""
    sample = check_sample(trace, sample)
    if isinstance(eta, bool) or not isinstance(eta, (int, float)) or not 0 < eta < np.inf:
        raise ValueError(f"eta must be a positive finite number, got {eta!r}")
    eta = float(eta)
    duration = check_int("duration", duration, 1, 60_000)
    steps = phases(trace, sample, eta)
    if max_edges is None:
        max_edges = max(MIN_EDGES, EDGE_FRAME_BUDGET // len(steps))
    max_edges = check_int("max_edges", max_edges, 1, 10**6)
    sc = _scene(trace, sample, eta, check_int("max_neurons", max_neurons, 1, 10**4), max_edges)
    # an empty list in a frame would leave the last rectangle drawn: hide it instead
    hidden = {**graph_layout_spec(sc.lay, "forward", 1.0, "", 0)["shapes"][0], "visible": False}
    frames = [_frame(sc, ph, hidden) for ph in steps]
    data = [merge(t, f) for t, f in zip(_base_traces(sc, eta), frames[0]["data"])]
    layout = graph_layout_spec(sc.lay, "forward", sc.cmax["forward"], "")
    layout = merge(layout, frames[0]["layout"])
    layout = merge(layout, frame_controls([p.name for p in steps], duration, "phase: ", SPEEDS))
    return {"data": data, "layout": merge(layout, {"margin": {"t": 100}}), "frames": frames}


pass_animation = figure_builder(pass_animation_spec)


def _title(ph: Phase) -> dict:
    return {
        "text": f"{ph.equation}<br><span style='font-size:{FONT_SIZE - 1}px'>{ph.note}</span>",
        "font": {"size": FONT_SIZE + 3},
        "x": 0.01,
        "xanchor": "left",
    }
