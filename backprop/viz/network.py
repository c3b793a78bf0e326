"""The network as a graph: neurons coloured by ``a`` or ``delta``, edges by weight sign."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from ..trace import Trace
from ._common import (
    DIVERGING,
    NEGATIVE,
    POSITIVE,
    check_choice,
    check_int,
    evenly,
    f32,
    figure_builder,
    literal,
    style_layout,
    sym_max,
)
from .quantities import SYMBOLS

Array = np.ndarray

VIEWS = ("forward", "backward")
#: What colours the nodes and what sets the edges, by view (keys of ``LAYER_QUANTITIES``).
NODE_QUANTITY = {"forward": "a", "backward": "delta"}
EDGE_QUANTITY = {"forward": "w", "backward": "nabla_w"}
MAX_NEURONS = 16  # drawn per layer; evenly spaced neurons beyond that
MAX_EDGES = 1500  # drawn in all; the largest |w| (or |nabla_w|) beyond that
N_BUCKETS = 4  # edge width classes per sign: 2 * N_BUCKETS line traces in all
MAX_WIDTH = 6.0  # px, for the largest |w|
HOVER_AT = 0.35  # hover points sit this far along each edge (0.5 would stack symmetric edges)
INPUT_COLOUR = "#d5d8dc"  # input neurons in the backward view (they have no delta)
HIGHLIGHT = "rgba(255, 193, 7, 0.28)"
LABEL_CHARS = 12  # an output neuron's class name beside its node: longer ones are cut (…)
HOVER_CHARS = 40  # the class name in its hover
LABEL_GAP = 4  # px between a node's edge and its class name
LABEL_PLOT_PX = 300  # px: the plot width the names get room in (the board's, at 1280 px)


@dataclass(frozen=True, eq=False)
class GraphLayout:
    """Which neurons are drawn (``shown[l]``, indices into layer ``l``) and where (``ys[l]``).
    One object per shape (:func:`graph_layout`): its edges are worked out once."""

    sizes: tuple[int, ...]
    shown: tuple[Array, ...]
    ys: tuple[Array, ...]

    @property
    def capped(self) -> bool:
        return any(len(s) < n for s, n in zip(self.shown, self.sizes))

    @property
    def y_range(self) -> tuple[float, float]:
        top = max(float(y.max()) for y in self.ys)
        return -top, top


def graph_layout(sizes: tuple[int, ...], max_neurons: int = MAX_NEURONS) -> GraphLayout:
    """Neuron ``i`` of a layer with ``k`` drawn neurons sits at ``y = (k-1)/2 - i`` (0 on top).
    One read-only layout per shape (the live board draws the same one at every frame)."""
    return _layout(tuple(int(n) for n in sizes), int(max_neurons))


def _frozen(a: Array) -> Array:
    a.flags.writeable = False
    return a


@lru_cache(maxsize=64)
def _layout(sizes: tuple[int, ...], max_neurons: int) -> GraphLayout:
    shown = tuple(_frozen(evenly(n, max_neurons)) for n in sizes)
    ys = tuple(_frozen((len(s) - 1) / 2 - np.arange(len(s), dtype=np.float64)) for s in shown)
    return GraphLayout(sizes, shown, ys)


def check_sample(trace: Trace, sample: object) -> int:
    return check_int("sample", sample, 0, trace.x.shape[1] - 1)


def node_values(trace: Trace, sample: int, view: str) -> list[Array | None]:
    """Colour of every neuron, layers ``0..L``: ``a`` (forward) or ``delta`` (backward; None
    for the input layer) of column ``sample``."""
    if view == "forward":
        return [np.asarray(a[:, sample]) for a in trace.a]
    return [None] + [np.asarray(d[:, sample]) for d in trace.delta]


def edge_values(trace: Trace, view: str) -> tuple[Array, ...]:
    """What sets edge colour (sign) and width (``|v|``): ``w`` forward, ``nabla_w`` backward."""
    return trace.weights if view == "forward" else trace.nabla_w


def colour_max(trace: Trace, sample: int, view: str) -> float:
    """Symmetric colour range of the nodes: ``max |a|`` over layers ``1..L`` (inputs may
    saturate) or ``max |delta|``, for column ``sample``."""
    return sym_max(*[v for v in node_values(trace, sample, view)[1:] if v is not None])


def edge_geometry(lay: GraphLayout) -> dict[str, Array]:
    """Every edge between drawn neurons: ``l`` (from 1), ``j``, ``k`` (ints) and end points
    (read-only arrays, one set per layout)."""
    return dict(_geometry(lay)[0])


def _edge_labels(lay: GraphLayout) -> list[str]:
    """``w[l][j,k]`` of every edge of :func:`edge_geometry` (one list per layout)."""
    return _geometry(lay)[1]


@lru_cache(maxsize=64)
def _geometry(lay: GraphLayout) -> tuple[dict[str, Array], list[str]]:
    geo = {k: _frozen(v) for k, v in _edges(lay).items()}
    labels = [f"w[{l}][{j},{k}]" for l, j, k in zip(geo["l"], geo["j"], geo["k"])]
    return geo, labels


def _edges(lay: GraphLayout) -> dict[str, Array]:
    parts: dict[str, list[Array]] = {k: [] for k in ("l", "j", "k", "x0", "y0", "x1", "y1")}
    for i in range(len(lay.sizes) - 1):
        src, dst = lay.shown[i], lay.shown[i + 1]
        jj, kk = np.meshgrid(np.arange(len(dst)), np.arange(len(src)), indexing="ij")
        jj, kk = jj.ravel(), kk.ravel()
        parts["l"].append(np.full(len(jj), i + 1))
        parts["j"].append(dst[jj])
        parts["k"].append(src[kk])
        parts["x0"].append(np.full(len(jj), float(i)))
        parts["x1"].append(np.full(len(jj), i + 1.0))
        parts["y0"].append(lay.ys[i][kk])
        parts["y1"].append(lay.ys[i + 1][jj])
    return {key: np.concatenate(p) for key, p in parts.items()}


def edge_array(arrays: tuple[Array, ...], geo: dict[str, Array]) -> Array:
    """``arrays[l-1][j, k]`` for every edge of ``geo`` (e.g. the weights)."""
    return np.concatenate(
        [
            arrays[l - 1][geo["j"][geo["l"] == l], geo["k"][geo["l"] == l]]
            for l in np.unique(geo["l"])
        ]
    )


def pick_edges(magnitudes: Array, max_edges: int) -> Array:
    """Sorted indices of the ``max_edges`` largest ``magnitudes`` (NaN counts as largest)."""
    n = len(magnitudes)
    if n <= max_edges:
        return np.arange(n)
    mag = np.nan_to_num(np.abs(magnitudes), nan=np.inf)
    return np.sort(np.argpartition(-mag, max_edges - 1)[:max_edges])


def graph_traces(
    trace: Trace,
    sample: int,
    view: str,
    lay: GraphLayout,
    emax: float,
    keep: Array | None = None,
) -> list[dict]:
    """The figure's traces as scatter trace dicts, always in this order: ``2 * N_BUCKETS``
    edge lines (by sign of ``v`` and width class ``|v| / emax``), one edge-hover trace, one
    node trace per layer. ``keep`` indexes the edges of :func:`edge_geometry` to draw (all
    when None)."""
    geo, labels = edge_geometry(lay), _edge_labels(lay)
    if keep is not None and len(keep) < len(labels):
        geo = {key: a[keep] for key, a in geo.items()}
        labels = [labels[i] for i in keep]
    v = edge_array(edge_values(trace, view), geo)
    traces: list[dict] = []
    with np.errstate(invalid="ignore"):
        bucket = np.minimum((np.abs(v) / emax * N_BUCKETS).astype(np.int64), N_BUCKETS - 1)
    symbol = SYMBOLS[EDGE_QUANTITY[view]]
    for positive, colour in ((True, POSITIVE), (False, NEGATIVE)):
        for b in range(N_BUCKETS):
            sel = ((v >= 0) == positive) & (bucket == b)
            gap = np.full(sel.sum(), np.nan)
            xs = np.column_stack([geo["x0"][sel], geo["x1"][sel], gap])
            ys = np.column_stack([geo["y0"][sel], geo["y1"][sel], gap])
            traces.append(
                {
                    "type": "scatter",
                    "x": f32(xs.ravel()),
                    "y": f32(ys.ravel()),
                    "mode": "lines",
                    "line": {"color": colour, "width": max(0.5, MAX_WIDTH * (b + 0.5) / N_BUCKETS)},
                    "opacity": 0.65,
                    "hoverinfo": "skip",
                    "showlegend": False,
                    "name": f"edges {symbol} {'>' if positive else '<'} 0, width class {b}",
                }
            )
    t = HOVER_AT
    w, gw = edge_array(trace.weights, geo), edge_array(trace.nabla_w, geo)
    traces.append(
        {
            "type": "scatter",
            "x": f32((1 - t) * geo["x0"] + t * geo["x1"]),
            "y": f32((1 - t) * geo["y0"] + t * geo["y1"]),
            "mode": "markers",
            "marker": {"size": 9, "color": "rgba(0,0,0,0)"},
            "text": labels,
            "customdata": f32(np.column_stack([w, gw])),
            "hovertemplate": (
                "%{text} = %{customdata[0]:.4g}<br>∂C/∂w = %{customdata[1]:.4g}<extra></extra>"
            ),
            "showlegend": False,
            "name": "edge hover",
            # each edge's segment (x0, y0, x1, y1): the live board hovers and picks the edge
            # nearest the pointer along its whole length, not the nearest hover point
            "meta": {"seg": f32(np.column_stack([geo["x0"], geo["y0"], geo["x1"], geo["y1"]]))},
        }
    )
    return traces + _node_traces(trace, sample, view, lay)


def node_size(lay: GraphLayout) -> int:
    """The nodes' marker size in px: smaller as the tallest drawn layer grows."""
    tallest = max(len(s) for s in lay.shown)
    return 26 if tallest <= 6 else 20 if tallest <= 10 else 14


def _node_traces(trace: Trace, sample: int, view: str, lay: GraphLayout) -> list[dict]:
    colours = node_values(trace, sample, view)
    size = node_size(lay)
    out = []
    for l, (idx, ys) in enumerate(zip(lay.shown, lay.ys)):
        x = np.full(len(idx), float(l))
        marker = {"size": size, "line": {"color": "#566573", "width": 1}}
        if colours[l] is None:
            marker["color"] = INPUT_COLOUR
        else:
            marker.update(color=f32(colours[l][idx]), coloraxis="coloraxis")
        if l == 0:
            custom = np.column_stack([idx, trace.a[0][idx, sample]])
            hover = "input x[%{customdata[0]}] = %{customdata[1]:.4g}<extra></extra>"
        else:
            custom = np.column_stack(
                [idx, trace.z[l - 1][idx, sample], trace.a[l][idx, sample]]
                + [trace.delta[l - 1][idx, sample]]
            )
            hover = (
                f"layer {l}, neuron %{{customdata[0]}}<br>z = %{{customdata[1]:.4g}}"
                "<br>a = %{customdata[2]:.4g}<br>δ = %{customdata[3]:.4g}<extra></extra>"
            )
        out.append(
            {
                "type": "scatter",
                "x": f32(x),
                "y": f32(ys),
                "mode": "markers",
                "marker": marker,
                "customdata": f32(custom),
                "hovertemplate": hover,
                "showlegend": False,
                "name": f"layer {l}",
            }
        )
    return out


def layer_names(sizes: tuple[int, ...], shown: tuple[int, ...] | None = None) -> list[str]:
    """The layers' labels under the graph: ``"hidden 1<br>(4)"``, or ``"input<br>(16 of
    64)"`` where only ``shown[l]`` of a layer's neurons are drawn (a note of its own under
    the column ran into the label on a short chart)."""
    L = len(sizes) - 1
    names = []
    for l, n in enumerate(sizes):
        kind = "input" if l == 0 else "output" if l == L else f"hidden {l}"
        count = f"{shown[l]} of {n}" if shown is not None and shown[l] < n else f"{n}"
        names.append(f"{kind}<br>({count})")
    return names


def graph_layout_spec(
    lay: GraphLayout,
    view: str,
    cmax: float,
    title: str,
    highlight_layer: int | None = None,
    shown: str = "",
) -> dict:
    """Axes (each layer's label says how many of its neurons are drawn), colour axis, the key
    to the edges and the highlight rectangle of a network graph; ``shown``
    (:func:`edges_shown`): how many edges the key says are drawn."""
    L = len(lay.sizes) - 1
    lo, hi = lay.y_range
    what = SYMBOLS[EDGE_QUANTITY[view]]
    annotations = [
        {
            "text": f"edges{f' ({shown})' if shown else ''}: red {what} > 0, blue < 0, "
            f"width ∝ |{what}|",
            "x": 0,
            "y": 1.0,
            "xref": "paper",
            "yref": "paper",
            "xanchor": "left",
            "yanchor": "bottom",
            "showarrow": False,
            "font": {"size": 12, "color": "#566573"},
        }
    ]
    layout = style_layout(
        title,
        coloraxis={
            "colorscale": DIVERGING,
            "cmin": -cmax,
            "cmax": cmax,
            "colorbar": {"title": {"text": SYMBOLS[NODE_QUANTITY[view]]}},
        },
        hovermode="closest",
        plot_bgcolor="white",
        xaxis={
            "tickvals": list(range(L + 1)),
            "ticktext": layer_names(lay.sizes, tuple(len(s) for s in lay.shown)),
            "range": [-0.5, L + 0.5],
            "showgrid": False,
            "zeroline": False,
            "fixedrange": True,  # no zoom: a click or a drag on the graph picks, nothing moves
        },
        # room under the lowest neuron for the board's - and + of each hidden layer
        yaxis={"visible": False, "range": [lo - 1.4, hi + 0.8], "fixedrange": True},
        annotations=annotations,
    )
    if highlight_layer is not None:
        layout["shapes"] = [
            {
                "type": "rect",
                "x0": highlight_layer - 0.3,
                "x1": highlight_layer + 0.3,
                "y0": lo - 0.6,
                "y1": hi + 0.6,
                "fillcolor": HIGHLIGHT,
                "line": {"width": 0},
                "layer": "below",
            }
        ]
    return layout


def graph_title(view: str, sample: int) -> str:
    """Names the view and the sample (short: it fits a chart half a projector wide)."""
    if view == "forward":
        return f"Forward pass — activations a, sample {sample}"
    return f"Backward pass — errors δ, sample {sample}"


def edges_shown(drawn: int, candidates: int, lay: GraphLayout) -> str:
    """How many of the network's edges a graph draws, for its key (``""``: all of them):
    ``"120 of 312"`` (the edges between the drawn neurons, which the layers' labels count),
    ``"100 of 1060, the largest"`` (``candidates`` is more than drawn)."""
    total = sum(a * b for a, b in zip(lay.sizes[:-1], lay.sizes[1:]))
    if drawn >= total:
        return ""
    return f"{drawn} of {total}" + (", the largest" if drawn < candidates else "")


def graph_note(drawn: int, candidates: int, lay: GraphLayout) -> str:
    """What the caps left out (``""`` if nothing), in words (an animation's title)."""
    notes = []
    if lay.capped:
        total = sum(a * b for a, b in zip(lay.sizes[:-1], lay.sizes[1:]))
        notes.append(
            f"≤ {max(map(len, lay.shown))} neurons per layer, {candidates} of {total} edges"
        )
    if drawn < candidates:
        notes.append(f"the largest {drawn} of {candidates} edges")
    return f"showing {'; '.join(notes)}" if notes else ""


def slim(trace: dict) -> dict:
    """Only what changes between animation frames with a fixed edge set: edge lines' x/y,
    hover values, node colours. Plotly merges a frame's trace into the drawn one."""
    if trace.get("mode") == "lines":
        return {"type": "scatter", "x": trace["x"], "y": trace["y"]}
    kw = {"type": "scatter", "customdata": trace.get("customdata")}
    colour = trace.get("marker", {}).get("color")
    if trace.get("name") != "edge hover" and colour is not None and not isinstance(colour, str):
        kw["marker"] = {"color": colour}
    return kw


def network_graph_spec(
    trace: Trace,
    sample: int = 0,
    view: str = "forward",
    highlight_layer: int | None = None,
    *,
    max_neurons: int = MAX_NEURONS,
    max_edges: int = MAX_EDGES,
    class_names: Sequence[object] | None = None,
) -> dict:
    """The network, layers left to right, for column ``sample`` of ``trace``.

    ``view="forward"``: nodes coloured by ``a``, edges by the sign of ``w``, width ∝ ``|w|``;
    ``"backward"``: nodes by ``delta`` (inputs grey), edges by ``nabla_w``. Hover a node
    for ``z``, ``a``, ``delta``; hover an edge (near its source end) for ``w[l][j,k]`` and
    ``dC/dw``. ``highlight_layer`` (``0..L``) shades that layer. At most ``max_neurons``
    per layer (evenly spaced) and ``max_edges`` edges (the largest ``|w|``, or ``|nabla_w|``
    backward) are drawn; the layers' labels and the key to the edges say so.
    ``class_names`` (one per output neuron, e.g. the dataset's): each output neuron's name
    beside its node and in its hover (see :func:`label_outputs`; None, or a count that does
    not match: no names).
    """
    check_choice("view", view, VIEWS)
    sample = check_sample(trace, sample)
    if highlight_layer is not None:
        highlight_layer = check_int("highlight_layer", highlight_layer, 0, trace.n_layers)
    max_edges = check_int("max_edges", max_edges, 1, 10**6)
    lay = graph_layout(trace.sizes, check_int("max_neurons", max_neurons, 1, 10**4))
    emax = sym_max(*edge_values(trace, view))
    v = edge_array(edge_values(trace, view), edge_geometry(lay))
    keep = pick_edges(v, max_edges)
    data = graph_traces(trace, sample, view, lay, emax, keep)
    title, shown = graph_title(view, sample), edges_shown(len(keep), len(v), lay)
    cmax = colour_max(trace, sample, view)
    spec = {
        "data": data,
        "layout": graph_layout_spec(lay, view, cmax, title, highlight_layer, shown),
    }
    return label_outputs(spec, lay, class_names)


def _cut(name: object, limit: int) -> str:
    """``name`` on one line, cut to ``limit`` characters (the last one an ellipsis)."""
    text = " ".join(str(name).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def short_label(name: object, limit: int = LABEL_CHARS) -> str:
    """``name`` on one line and cut to ``limit`` characters, for a Plotly label that shows
    it as written (``<``, ``>`` and ``&`` escaped)."""
    return literal(_cut(name, limit))


def _hover_name(name: object) -> str:
    """``class 'setosa'`` (or the name as it is when it already says ``class ...``)."""
    text = short_label(name, HOVER_CHARS)
    return text if text.startswith("class ") else f"class '{text}'"


def label_room(px: float, L: int, plot_px: float = LABEL_PLOT_PX) -> float:
    """Layer spacings to add right of the output layer (drawn at ``x = L``, with half a
    spacing beside it already) so that ``px`` pixels right of its nodes stay in a plot
    ``plot_px`` wide: the share ``f = px / plot_px`` of the x range lies right of ``L``."""
    f = min(px / plot_px, 0.6)
    return max(0.0, (f * (L + 1) - 0.5) / (1 - f))


def label_outputs(spec: dict, lay: GraphLayout, class_names: Sequence[object] | None) -> dict:
    """``spec`` (a graph of layout ``lay``, its node traces last) with each drawn output
    neuron's class name right of its node (a layout annotation named ``class of neuron j``:
    no trace is added) and in its hover. Unchanged without one name per output neuron."""
    n_out = lay.sizes[-1]
    if class_names is None or len(class_names) != n_out or n_out == 0:
        return spec
    L = len(lay.sizes) - 1
    idx, ys = lay.shown[L], lay.ys[L]
    font = 12 if max(len(s) for s in lay.shown) <= 10 else 10  # below the neuron spacing
    notes = [
        {
            "x": L,
            "y": float(y),
            "xref": "x",
            "yref": "y",
            "text": short_label(class_names[int(j)]),
            "xanchor": "left",
            "yanchor": "middle",
            "xshift": node_size(lay) / 2 + LABEL_GAP,
            "showarrow": False,
            "font": {"size": font, "color": "#2c3e50"},
            "name": f"class of neuron {int(j)}",
        }
        for j, y in zip(idx, ys)
    ]
    layout = dict(spec["layout"])
    layout["annotations"] = [*layout.get("annotations", []), *notes]
    longest = max(len(_cut(class_names[int(j)], LABEL_CHARS)) for j in idx)
    px = notes[0]["xshift"] + 0.55 * font * longest  # the longest name's reach, about
    layout["xaxis"] = dict(layout["xaxis"], range=[-0.5, L + 0.5 + label_room(px, L)])
    data = list(spec["data"])
    out = dict(data[-1])
    out["text"] = [_hover_name(class_names[int(j)]) for j in idx]
    out["hovertemplate"] = out["hovertemplate"].replace(
        "neuron %{customdata[0]}", "neuron %{customdata[0]} (%{text})", 1
    )
    data[-1] = out
    return {**spec, "data": data, "layout": layout}


network_graph = figure_builder(network_graph_spec)


MAP_HALF = 0.2  # half the width of a neuron map drawn in a node, in layer spacings
MAP_TALL = 0.38  # half its height, in neuron spacings (a gap between two maps)


def neuron_map_traces(lay: GraphLayout, maps: list[Array], cmax: float) -> list[dict]:
    """A small heatmap in every drawn hidden neuron: ``maps[l]`` is ``(n_l, g, g)``, layer
    ``l``'s activations over the input plane (TensorFlow Playground's neuron squares), on
    the graph's colour axis."""
    out = []
    for l in range(1, len(lay.sizes) - 1):
        g = maps[l].shape[-1]
        dx, dy = 2 * MAP_HALF / g, 2 * MAP_TALL / g
        for idx, y in zip(lay.shown[l], lay.ys[l]):
            out.append(
                {
                    "type": "heatmap",
                    "z": f32(maps[l][idx]),
                    "x0": l - MAP_HALF + dx / 2,
                    "dx": dx,
                    "y0": float(y) - MAP_TALL + dy / 2,
                    "dy": dy,
                    "coloraxis": "coloraxis2",
                    "hoverinfo": "skip",
                    "showscale": False,
                    "name": f"map of layer {l}, neuron {int(idx)}",
                }
            )
    return out


def with_neuron_maps(spec: dict, trace: Trace, maps: list[Array] | None) -> dict:
    """``spec`` (a :func:`network_graph_spec`) with each hidden neuron's map over the input
    plane drawn in its node, under the node markers (None: unchanged)."""
    if maps is None or len(trace.sizes) < 3:
        return spec
    lay = graph_layout(trace.sizes)
    cmax = sym_max(*[np.asarray(m) for m in maps[1:-1]])
    heat = neuron_map_traces(lay, maps, cmax)
    data = spec["data"]
    n_nodes = len(trace.sizes)
    spec = dict(spec, data=data[:-n_nodes] + heat + data[-n_nodes:])
    layout = dict(spec["layout"])
    layout["coloraxis2"] = {
        "colorscale": DIVERGING,
        "cmin": -cmax,
        "cmax": cmax,
        "showscale": False,
    }
    spec["layout"] = layout
    _edges_to_maps(spec["data"], n_nodes - 1)
    for t in spec["data"][-n_nodes + 1 : -1]:  # hidden nodes: a ring at the map's corner
        t["marker"] = dict(t["marker"], size=11)
        t["x"] = f32(np.asarray(t["x"]) + MAP_HALF)
        t["y"] = f32(np.asarray(t["y"]) + MAP_TALL)
    return spec


def _edges_to_maps(data: list[dict], L: int) -> None:
    """Edges end at the maps' sides, not at their centres (so no edge covers a map), in the
    edge lines, the hover points and the segments the live board picks from (in place)."""

    def inset(x0: Array, x1: Array) -> tuple[Array, Array]:
        hidden0, hidden1 = (x0 >= 1) & (x0 <= L - 1), (x1 >= 1) & (x1 <= L - 1)
        return x0 + MAP_HALF * hidden0, x1 - MAP_HALF * hidden1

    for t in data:
        if t.get("mode") == "lines" and t.get("hoverinfo") == "skip" and len(t["x"]):
            x = np.asarray(t["x"], dtype=np.float64).reshape(-1, 3)
            x[:, 0], x[:, 1] = inset(x[:, 0], x[:, 1])
            t["x"] = f32(x.ravel())
        elif t.get("name") == "edge hover":
            seg = np.asarray(t["meta"]["seg"], dtype=np.float64).copy()
            seg[:, 0], seg[:, 2] = inset(seg[:, 0], seg[:, 2])
            t["x"] = f32((1 - HOVER_AT) * seg[:, 0] + HOVER_AT * seg[:, 2])
            t["y"] = f32((1 - HOVER_AT) * seg[:, 1] + HOVER_AT * seg[:, 3])
            t["meta"] = {"seg": f32(seg)}
