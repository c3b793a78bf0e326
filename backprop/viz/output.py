"""What the network computes over its input space: boundaries, neuron maps, curves, images."""

from __future__ import annotations

import math

import numpy as np

from ..network import Network
from ._common import (
    CLASS_COLOURS,
    DIVERGING,
    SEQUENTIAL_SCALE,
    axis_names,
    cap_note,
    check_int,
    empty_spec,
    f32,
    figure_builder,
    literal,
    style_layout,
    subplot_layout,
    sym_max,
)

Array = np.ndarray

MAX_GRID = 300
CURVE_POINTS = 400
PANEL_PX = 130  # height of one small-multiple row


# -------------------------------------------------------------------- the input plane
def _raw_points(dataset) -> tuple[Array, Array]:
    """``(raw_train, raw_test)`` as ``(2, m)``, or ValueError if the data is not 2-D."""
    raw_tr, raw_te = getattr(dataset, "raw_train", None), getattr(dataset, "raw_test", None)
    if raw_tr is None or np.asarray(raw_tr).ndim != 2 or np.asarray(raw_tr).shape[0] != 2:
        name = getattr(dataset, "name", "this dataset")
        raise ValueError(
            f"this view needs 2-D synthetic data with raw (x1, x2) points; {name!r} has none "
            "(use regression_curve for 1-D data, first_layer_images for images)"
        )
    raw_tr = np.asarray(raw_tr, dtype=np.float64)
    raw_te = np.zeros((2, 0)) if raw_te is None else np.asarray(raw_te, dtype=np.float64)
    return raw_tr, raw_te


# The input plane is square (equal scales): its colour bar takes the top half of the column at
# its right and the legend the bottom half, so the plot keeps the height a legend below it
# would take (a fifth of the view in presentation mode's text).
COLORBAR_TOP = {"len": 0.5, "y": 1.0, "yanchor": "top"}
PLANE_LEGEND = {"orientation": "v", "x": 1.02, "xanchor": "left", "y": 0.0, "yanchor": "bottom"}


def plane_grid(dataset, grid: int) -> tuple[Array, Array, Array]:
    """``(xs, ys, points)``: a ``grid x grid`` lattice over the data's raw range (padded 8%);
    ``points`` is ``(2, grid*grid)``, row-major over ``(y, x)`` so ``out.reshape(grid, grid)``
    has row i at ``ys[i]``."""
    grid = check_int("grid", grid, 2, MAX_GRID)
    raw_tr, raw_te = _raw_points(dataset)
    both = np.hstack([raw_tr, raw_te])
    both = both[:, np.all(np.isfinite(both), axis=0)]
    axes = []
    for r in range(2):
        lo, hi = (float(both[r].min()), float(both[r].max())) if both.size else (-1.0, 1.0)
        pad = 0.08 * (hi - lo) if hi > lo else 0.5
        axes.append(np.linspace(lo - pad, hi + pad, grid))
    gx, gy = np.meshgrid(axes[0], axes[1])
    return axes[0], axes[1], np.vstack([gx.ravel(), gy.ravel()])


def _forward_plane(net: Network, dataset, points: Array) -> list[Array]:
    """Activations ``a[0..L]`` of the network at raw ``points``."""
    X = net.check_x(dataset.features_of(points))
    with np.errstate(all="ignore"):
        return net.forward(X)[1]


def _labels(Y: Array) -> Array:
    Y = np.asarray(Y)
    return Y.argmax(axis=0) if Y.shape[0] > 1 else (Y[0] > 0.5).astype(np.int64)


def _class_names(dataset, k: int) -> list[str]:
    names = [literal(n) for n in getattr(dataset, "class_names", ()) or ()]
    return names if len(names) >= k else [f"class {c}" for c in range(k)]


def class1_score(net: Network, out: Array) -> tuple[Array, str]:
    """``(values in [0, 1], label)`` for a 2-class output ``(n_out, m)``: ``P(class 1)`` for
    softmax (or one output), ``a1/(a0 + a1)`` for other non-negative outputs (0.5 where
    ``a0 = a1``, the argmax boundary), else the predicted class (0 or 1)."""
    if out.shape[0] == 1:
        return out[0], "network output a"
    if net.output_activation == "softmax":
        return out[1], "P(class 1)"
    if np.all(out[:2] >= 0):
        s = out[0] + out[1]
        with np.errstate(all="ignore"):
            p = np.where(s > 0, out[1] / np.where(s > 0, s, 1.0), 0.5)
        return p, "a₁ / (a₀ + a₁)"
    return (out[1] > out[0]).astype(np.float64), "predicted class"


def _point_traces(dataset, raw_tr: Array, raw_te: Array, k: int, show_test: bool) -> list[dict]:
    names = _class_names(dataset, k)
    out = []
    for split, raw, Y, symbol in (
        ("train", raw_tr, dataset.Y_train, "circle"),
        ("test", raw_te, dataset.Y_test, "x"),
    ):
        if raw.shape[1] == 0 or (split == "test" and not show_test):
            continue
        lab = _labels(Y)
        for c in range(k):
            sel = lab == c
            colour = CLASS_COLOURS[c % len(CLASS_COLOURS)]
            line = {"color": "white", "width": 1} if symbol == "circle" else {"width": 0}
            out.append(
                {
                    "type": "scatter",
                    "x": f32(raw[0, sel]),
                    "y": f32(raw[1, sel]),
                    "mode": "markers",
                    "marker": {"symbol": symbol, "size": 8, "color": colour, "line": line},
                    "name": f"{split}: {names[c]}",
                    "hovertemplate": (
                        f"{split}, {names[c]}<br>x1 = %{{x:.3f}}<br>x2 = %{{y:.3f}}<extra></extra>"
                    ),
                }
            )
    return out


def _plane_axes(xs: Array, ys: Array) -> dict:
    """``xaxis`` and ``yaxis`` of the input plane: the grid's range, x1 and x2 to scale."""
    return {
        "xaxis": {
            "title": {"text": "x1"},
            "range": [float(xs[0]), float(xs[-1])],
            "showgrid": False,
            "zeroline": False,
            "constrain": "domain",
        },
        "yaxis": {
            "title": {"text": "x2"},
            "range": [float(ys[0]), float(ys[-1])],
            "showgrid": False,
            "zeroline": False,
            "scaleanchor": "x",
            "scaleratio": 1,
            "constrain": "domain",
        },
    }


def decision_boundary_spec(
    net: Network, dataset, grid: int = 80, *, show_test: bool = True, discretize: bool = False
) -> dict:
    """The network's answer over the raw input plane of 2-D data, with the data on top.

    Classification, 2 classes: ``P(class 1)`` heatmap (``grid x grid``, range [0, 1]) and
    the 0.5 contour; more classes: the argmax class. Regression (``plane``): the output
    surface, coloured like the points' targets. Train points are circles, test points x
    (``show_test=False``: none). ``discretize`` (TF Playground's "Discretize output"): two
    classes are drawn as the predicted class too (the score thresholded at 0.5: two flat
    colours); more classes already are, and a regression's surface stays continuous.
    """
    xs, ys, pts = plane_grid(dataset, grid)
    raw_tr, raw_te = _raw_points(dataset)
    out = _forward_plane(net, dataset, pts)[-1]
    n = len(xs)
    if dataset.task == "regression":
        return _regression_plane(net, dataset, xs, ys, out, raw_tr, raw_te, show_test)
    k = max(2, int(np.asarray(dataset.Y_train).shape[0]))
    hover = "x1 = %{x:.2f}<br>x2 = %{y:.2f}<br>"
    if k == 2 and discretize:
        p, _ = class1_score(net, out)
        z = predicted_class(p).reshape(n, n)
        traces = [_class_regions(z, xs, ys, _class_names(dataset, k))]
        title = "Decision regions — predicted class"
    elif k == 2:
        p, label = class1_score(net, out)
        z = p.reshape(n, n)
        c0, c1 = CLASS_COLOURS[0], CLASS_COLOURS[1]
        traces: list[dict] = [
            {  # one grid, drawn as a heatmap with the 0.5 level as a line
                "type": "contour",
                "z": f32(z),
                "x": f32(xs),
                "y": f32(ys),
                "zmin": 0.0,
                "zmax": 1.0,
                "colorscale": [[0.0, c0], [0.5, "#f7f7f7"], [1.0, c1]],
                "opacity": 0.8,
                "contours": {"start": 0.5, "end": 0.5, "size": 1.0, "coloring": "heatmap"},
                "line": {"width": 2.5, "color": "#2c3e50"},
                "colorbar": {"title": {"text": label}, **COLORBAR_TOP},
                "hovertemplate": hover + label + " = %{z:.3f}<extra></extra>",
                "name": label + " (line: 0.5)",
            },
        ]
        title = f"Decision boundary — {label}"  # short: it fits half a projector
    else:
        z = out.argmax(axis=0).reshape(n, n)
        traces = [_class_regions(z, xs, ys, _class_names(dataset, k))]
        title = "Decision regions — predicted class"
    layout = style_layout(title, legend=PLANE_LEGEND, **_plane_axes(xs, ys))
    points = _point_traces(dataset, raw_tr, raw_te, k, show_test)
    return {"data": traces + points, "layout": layout}


decision_boundary = figure_builder(decision_boundary_spec)


def predicted_class(p: Array) -> Array:
    """The class a 2-class score ``p`` predicts: 1.0 where ``p >= 0.5``, else 0.0 (NaN
    where ``p`` is not finite: no class, drawn as a gap)."""
    p = np.asarray(p, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        return np.where(np.isfinite(p), (p >= 0.5).astype(np.float64), np.nan)


def _class_regions(z: Array, xs: Array, ys: Array, names: list[str]) -> dict:
    """The predicted class ``z`` (``0..k-1``, ``(n, n)``) as flat colours, one a class."""
    k = len(names)
    scale = []
    for c in range(k):
        colour = CLASS_COLOURS[c % len(CLASS_COLOURS)]
        scale += [[c / k, colour], [(c + 1) / k, colour]]
    return {
        "type": "heatmap",
        "z": f32(z),
        "x": f32(xs),
        "y": f32(ys),
        "zmin": -0.5,
        "zmax": k - 0.5,
        "colorscale": scale,
        "opacity": 0.45,
        "colorbar": {"tickvals": list(range(k)), "ticktext": names, **COLORBAR_TOP},
        "hovertemplate": "x1 = %{x:.2f}<br>x2 = %{y:.2f}<br>predicted class %{z}<extra></extra>",
        "name": "predicted class",
    }


def _regression_plane(net, dataset, xs, ys, out, raw_tr, raw_te, show_test: bool = True) -> dict:
    if out.shape[0] != 1:
        raise ValueError(f"regression needs one output neuron, the network has {out.shape[0]}")
    n = len(xs)
    z = out[0].reshape(n, n)
    Ytr, Yte = np.asarray(dataset.Y_train)[0], np.asarray(dataset.Y_test)[0]
    vals = np.concatenate([z.ravel(), Ytr, Yte])
    vals = vals[np.isfinite(vals)]
    lo, hi = (float(vals.min()), float(vals.max())) if vals.size else (0.0, 1.0)
    traces: list[dict] = [
        {
            "type": "heatmap",
            "z": f32(z),
            "x": f32(xs),
            "y": f32(ys),
            "coloraxis": "coloraxis",
            "hovertemplate": "x1 = %{x:.2f}<br>x2 = %{y:.2f}<br>output = %{z:.3f}<extra></extra>",
            "name": "network output",
        }
    ]
    for split, raw, y, symbol in (("train", raw_tr, Ytr, "circle"), ("test", raw_te, Yte, "x")):
        if raw.shape[1] and (show_test or split == "train"):
            traces.append(
                {
                    "type": "scatter",
                    "x": f32(raw[0]),
                    "y": f32(raw[1]),
                    "mode": "markers",
                    "marker": {
                        "symbol": symbol,
                        "size": 8,
                        "color": f32(y),
                        "coloraxis": "coloraxis",
                        "line": {"color": "white", "width": 1},
                    },
                    "name": f"{split} points",
                    "hovertemplate": f"{split}<br>x1 = %{{x:.2f}}<br>x2 = %{{y:.2f}}"
                    "<br>target = %{marker.color:.3f}<extra></extra>",
                }
            )
    layout = style_layout(
        "Network output; points: targets",
        coloraxis={
            "colorscale": SEQUENTIAL_SCALE,
            "cmin": lo,
            "cmax": hi,
            "colorbar": {"title": {"text": "output"}, **COLORBAR_TOP},
        },
        legend=PLANE_LEGEND,
        **_plane_axes(xs, ys),
    )
    return {"data": traces, "layout": layout}


# ------------------------------------------------------------------ neuron maps
def neuron_maps_spec(net: Network, dataset, grid: int = 30, max_neurons: int = 32) -> dict:
    """Each hidden neuron's activation over the raw input plane (TensorFlow Playground).

    One small ``grid x grid`` heatmap per neuron titled ``"L1 n0"``; each hidden layer starts
    a new row (wrapped at 8 per row). One symmetric diverging scale for all maps. At most
    ``max_neurons`` maps, layer by layer (the title says so).
    """
    max_neurons = check_int("max_neurons", max_neurons, 1, 10_000)
    xs, ys, pts = plane_grid(dataset, grid)
    acts = _forward_plane(net, dataset, pts)
    hidden = acts[1:-1]
    if not hidden:
        return empty_spec("no hidden layers", "Hidden neurons over the input plane")
    chosen: list[tuple[int, int]] = []
    for l, a in enumerate(hidden, start=1):
        for j in range(a.shape[0]):
            if len(chosen) < max_neurons:
                chosen.append((l, j))
    per_layer = [sum(1 for l, _ in chosen if l == layer) for layer in range(1, len(hidden) + 1)]
    cols = min(8, max(per_layer))
    places: list[tuple[int, int]] = []
    row = 0
    for count in per_layer:
        for i in range(count):
            places.append((row + i // cols + 1, i % cols + 1))
        row += math.ceil(count / cols)
    rows = max(row, 1)
    titles = [""] * (rows * cols)
    for (r, c), (l, j) in zip(places, chosen):
        titles[(r - 1) * cols + (c - 1)] = f"L{l} n{j}"
    grid_layout = subplot_layout(
        rows, cols, min(0.04, 0.5 / cols), min(0.08, 0.5 / rows), titles, title_size=12
    )
    n = len(xs)
    cmax = sym_max(*[hidden[l - 1][j] for l, j in chosen])
    traces = []
    for (r, c), (l, j) in zip(places, chosen):
        x, y = axis_names((r - 1) * cols + c)
        traces.append(
            {
                "type": "heatmap",
                "z": f32(hidden[l - 1][j].reshape(n, n)),
                "x": f32(xs),
                "y": f32(ys),
                "coloraxis": "coloraxis",
                "name": f"L{l} n{j}",
                "hovertemplate": f"L{l} n{j}<br>x1 = %{{x:.2f}}<br>x2 = %{{y:.2f}}"
                "<br>a = %{z:.3f}<extra></extra>",
                "xaxis": x,
                "yaxis": y,
            }
        )
        grid_layout["yaxis" + y[1:]]["scaleanchor"] = x
    bare = {"showticklabels": False, "showgrid": False, "zeroline": False, "constrain": "domain"}
    for key, axis in grid_layout.items():
        if key.startswith(("xaxis", "yaxis")):
            axis.update(bare)
    total = sum(a.shape[0] for a in hidden)
    layout = style_layout(
        "Hidden neurons over the input plane" + cap_note(len(chosen), total, "neurons"),
        coloraxis={
            "colorscale": DIVERGING,
            "cmin": -cmax,
            "cmax": cmax,
            "colorbar": {"title": {"text": "a"}},
        },
        height=90 + rows * PANEL_PX,
        **grid_layout,
    )
    return {"data": traces, "layout": layout}


neuron_maps = figure_builder(neuron_maps_spec)


# ---------------------------------------------------------------- 1-D regression
def regression_curve_spec(
    net: Network, dataset, points: int = CURVE_POINTS, *, show_test: bool = True
) -> dict:
    """1-D regression (``sine``): the fitted curve on a dense grid with train/test points
    (``show_test=False``: the train points only)."""
    raw = getattr(dataset, "raw_train", None)
    if raw is not None and np.asarray(raw).shape[0] == 1:
        x_tr, x_te = np.asarray(raw)[0], np.asarray(dataset.raw_test)[0]
    elif np.asarray(dataset.X_train).shape[0] == 1:
        x_tr, x_te = np.asarray(dataset.X_train)[0], np.asarray(dataset.X_test)[0]
    else:
        raise ValueError(
            "regression_curve needs 1-D inputs (like 'sine'); use decision_boundary for 2-D data"
        )
    if net.sizes[-1] != 1:
        raise ValueError(f"regression_curve needs one output neuron, got {net.sizes[-1]}")
    points = check_int("points", points, 2, 10_000)
    both = np.concatenate([x_tr, x_te])
    lo, hi = float(both.min()), float(both.max())
    pad = 0.05 * (hi - lo) if hi > lo else 0.5
    xg = np.linspace(lo - pad, hi + pad, points).reshape(1, -1)
    try:
        feats = dataset.features_of(xg)
    except (AttributeError, ValueError):
        feats = xg
    with np.errstate(all="ignore"):
        yg = net.feedforward(feats)[0]
    name = literal((list(getattr(dataset, "feature_names", ())) or ["x"])[0])
    traces = []
    for split, x, Y, symbol in (
        ("train", x_tr, dataset.Y_train, "circle"),
        ("test", x_te, dataset.Y_test, "x"),
    ):
        if split == "test" and not show_test:
            continue
        traces.append(
            {
                "type": "scatter",
                "x": f32(x),
                "y": f32(np.asarray(Y)[0]),
                "mode": "markers",
                "marker": {
                    "symbol": symbol,
                    "size": 7,
                    "color": CLASS_COLOURS[0 if split == "train" else 1],
                },
                "opacity": 0.7,
                "name": f"{split} points",
                "hovertemplate": f"{split}<br>{name} = %{{x:.3f}}<br>y = %{{y:.3f}}<extra></extra>",
            }
        )
    traces.append(
        {
            "type": "scatter",
            "x": f32(xg[0]),
            "y": f32(yg),
            "mode": "lines",
            "line": {"color": "#2c3e50", "width": 3},
            "name": "network",
            "hovertemplate": f"{name} = %{{x:.3f}}<br>network = %{{y:.3f}}<extra></extra>",
        }
    )
    layout = style_layout(
        "Regression — network output vs data",
        legend={"orientation": "h", "y": -0.15},
        xaxis={"title": {"text": name}},
        yaxis={"title": {"text": "y"}},
    )
    return {"data": traces, "layout": layout}


regression_curve = figure_builder(regression_curve_spec)


# ------------------------------------------------------------------- image weights
def first_layer_images_spec(
    net: Network, image_shape: tuple[int, int], max_neurons: int = 30
) -> dict:
    """Each first-layer neuron's weights ``w[1][j, :]`` as an ``image_shape`` picture.

    Diverging colours, symmetric per image (``zmin = -max|w_j|``), so each shows the
    pattern its neuron looks for: red pixels excite it, blue inhibit it.
    """
    shape = tuple(int(s) for s in image_shape)
    if len(shape) != 2 or shape[0] * shape[1] != net.sizes[0]:
        raise ValueError(
            f"image_shape {image_shape} does not match the {net.sizes[0]} inputs of the network"
        )
    max_neurons = check_int("max_neurons", max_neurons, 1, 10_000)
    W = net.weights[0]
    count = min(max_neurons, W.shape[0])
    cols = min(10, count)
    rows = math.ceil(count / cols)
    titles = [f"n{j}" for j in range(count)]
    axes = subplot_layout(
        rows, cols, min(0.02, 0.4 / cols), min(0.08, 0.5 / rows), titles, title_size=12
    )
    notes = axes.pop("annotations")
    traces = []
    for j in range(count):
        m = sym_max(W[j])
        x, y = axis_names(j + 1)
        traces.append(
            {
                "type": "heatmap",
                "z": f32(W[j].reshape(shape)),
                "zmin": -m,
                "zmax": m,
                "zmid": 0.0,
                "colorscale": DIVERGING,
                "showscale": False,
                "name": f"n{j}",
                "hovertemplate": f"w[1][{j}, pixel (row %{{y}}, col %{{x}})]"
                " = %{z:.4g}<extra></extra>",
                "xaxis": x,
                "yaxis": y,
            }
        )
        axes["yaxis" + y[1:]].update(scaleanchor=x, autorange="reversed")
    hidden = {"showticklabels": False, "showgrid": False, "zeroline": False, "constrain": "domain"}
    for ax in axes.values():
        ax.update(hidden)
    note = "red excites, blue inhibits; scale per image"
    if count < W.shape[0]:
        note += f"; showing {count} of {W.shape[0]} neurons"
    layout = style_layout(
        "First-layer weights as images",
        note,
        height=125 + rows * PANEL_PX,  # (the subtitle's 35 px more at the top)
        annotations=notes,
        **axes,
    )
    return {"data": traces, "layout": layout}


first_layer_images = figure_builder(first_layer_images_spec)


def plane_activations(net: Network, dataset, grid: int = 16) -> list[Array] | None:
    """Every layer's activations over a ``grid x grid`` lattice of the raw input plane:
    ``a[l]`` is ``(n_l, grid, grid)``, row i at the lattice's ``ys[i]`` (None unless the data
    is 2-D). The neuron maps a network graph can draw inside its nodes."""
    raw = getattr(dataset, "raw_train", None)
    if raw is None or raw.shape[0] != 2:
        return None
    _, _, pts = plane_grid(dataset, grid)
    return [a.reshape(a.shape[0], grid, grid) for a in _forward_plane(net, dataset, pts)]
