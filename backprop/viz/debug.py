"""Figures of the gradient debugger: stage heatmaps, gradient scatter, paired cost curves,
and the difference between two sets of gradients. Pure Plotly; arrays go in as float32.

Each builder is a dict spec (``*_spec``) and its ``go.Figure`` (:func:`~._common.figure_builder`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ._common import (
    DIVERGING,
    SEQUENTIAL_SCALE,
    axis_names,
    check_int,
    empty_spec,
    f32,
    figure_builder,
    style_layout,
    subplot_layout,
    sym_max,
)
from .curves import LAYER_COLOURS
from .quantities import SYMBOLS

Array = np.ndarray

MAX_TEXT_CELLS = 64  # cells of one heatmap up to which each value is written in its cell
MAX_CELLS = 20_000  # cells of one stage heatmap before rows are thinned
HIGHLIGHT_LINE = "#f1c40f"
PAIR_COLOURS = {"correct": "#2471a3", "buggy": "#c0392b"}
ROW_SPACING = 0.3  # make_subplots' default vertical spacing of a one-row grid


def _row_of_heatmaps(titles: Sequence[str]) -> dict:
    """The layout of ``len(titles)`` subplots side by side, titled, as ``make_subplots``."""
    n = len(titles)
    return subplot_layout(1, n, min(0.08, 0.5 / n), ROW_SPACING, titles)


def stage_heatmaps_spec(
    arrays: Sequence[tuple[str, Array]], sample: int | None = None, title: str = ""
) -> dict:
    """One small heatmap per ``(label, array)`` side by side, each on its own symmetric
    diverging scale centred at 0; rows are neurons, columns the batch's samples (or, for a
    weight matrix, the inputs k). Small arrays show their values in the cells; column
    ``sample`` of per-sample arrays is outlined."""
    arrays = [(label, np.atleast_2d(np.asarray(a, dtype=np.float64))) for label, a in arrays]
    if not arrays:
        return empty_spec("nothing to show", title)
    keep = [max(1, MAX_CELLS // a.shape[1]) for _, a in arrays]  # rows drawn of each
    titles = [
        label + (f" (rows 0-{k - 1} of {a.shape[0]})" if k < a.shape[0] else "")
        for (label, a), k in zip(arrays, keep)
    ]
    grid = _row_of_heatmaps(titles)
    traces, shapes = [], []
    for c, ((label, a), k) in enumerate(zip(arrays, keep), start=1):
        a = a[:k]
        zmax = sym_max(a)
        x, y = axis_names(c)
        heat = {
            "type": "heatmap",
            "z": f32(a),
            "zmin": -zmax,
            "zmax": zmax,
            "zmid": 0.0,
            "colorscale": DIVERGING,
            "showscale": False,
            "textfont": {"size": 12},
            "hovertemplate": f"{label}[%{{y}}, %{{x}}] = %{{z:.6g}}<extra></extra>",
            "name": label,
            "xaxis": x,
            "yaxis": y,
        }
        if a.size <= MAX_TEXT_CELLS:
            heat["texttemplate"] = "%{z:.3~g}"
        traces.append(heat)
        yaxis, xaxis = grid["yaxis" + y[1:]], grid["xaxis" + x[1:]]
        yaxis["autorange"] = "reversed"
        if a.shape[0] <= 20:
            yaxis["dtick"] = 1
        if c == 1:
            yaxis["title"] = {"text": "neuron j"}
        if a.shape[1] <= 20:
            xaxis["dtick"] = 1
        xaxis["title"] = {"text": "input k" if "w" in label else "sample"}
        if sample is not None and 0 <= sample < a.shape[1] and a.shape[1] > 1:
            shapes.append(
                {
                    "type": "rect",
                    "x0": sample - 0.5,
                    "x1": sample + 0.5,
                    "y0": -0.5,
                    "y1": a.shape[0] - 0.5,
                    "line": {"color": HIGHLIGHT_LINE, "width": 3},
                    "xref": x,
                    "yref": y,
                }
            )
    if shapes:
        grid["shapes"] = shapes
    rows = max(a.shape[0] for _, a in arrays)
    layout = style_layout(
        title,
        height=min(520, 170 + 26 * rows),
        margin={"l": 60, "r": 20, "t": 80, "b": 56},
        **grid,
    )
    return {"data": traces, "layout": layout}


stage_heatmaps = figure_builder(stage_heatmaps_spec)


def gradient_scatter_spec(groups: Sequence[tuple[str, Array, Array]], title: str = "") -> dict:
    """Analytic (backprop) against numeric (finite differences) gradients, one marker trace
    per ``(label, analytic, numeric)`` group (e.g. ``"layer 2 w"``), with the diagonal
    ``analytic = numeric`` on which every point of a right backprop lies."""
    groups = [(lab, np.ravel(a), np.ravel(n)) for lab, a, n in groups]
    title = title or "Backprop (analytic) against finite differences (numeric)"
    if not groups or all(len(n) == 0 for _, _, n in groups):
        return empty_spec("no gradients to compare", title)
    both = np.concatenate([np.concatenate([a, n]) for _, a, n in groups])
    finite = both[np.isfinite(both)]
    lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (-1.0, 1.0)
    pad = 0.05 * (hi - lo) if hi > lo else 1e-12 + 0.05 * abs(hi)
    traces = [
        {
            "type": "scatter",
            "x": f32([lo - pad, hi + pad]),
            "y": f32([lo - pad, hi + pad]),
            "mode": "lines",
            "line": {"color": "#7f8c8d", "dash": "dash", "width": 1.5},
            "name": "analytic = numeric",
            "hoverinfo": "skip",
        }
    ]
    for i, (label, a, n) in enumerate(groups):
        traces.append(
            {
                "type": "scatter",
                "x": f32(n),
                "y": f32(a),
                "mode": "markers",
                "marker": {
                    "size": 8,
                    "color": LAYER_COLOURS[i // 2 % len(LAYER_COLOURS)],
                    "symbol": "circle" if label.endswith("w") else "diamond",
                    "opacity": 0.8,
                },
                "name": label,
                "hovertemplate": (
                    f"{label}<br>numeric %{{x:.6g}}<br>analytic %{{y:.6g}}<extra></extra>"
                ),
            }
        )
    layout = style_layout(
        title,
        legend={"title": {"text": "layer, parameter"}},
        xaxis={"title": {"text": "numeric ∂C/∂p (central differences)"}},
        yaxis={"title": {"text": "analytic ∂C/∂p (backprop)"}},
    )
    return {"data": traces, "layout": layout}


gradient_scatter = figure_builder(gradient_scatter_spec)


def cost_pair_spec(history: pd.DataFrame, labels: dict[str, str] | None = None) -> dict:
    """The ``correct`` and ``buggy`` columns of ``history`` against ``step`` in one figure
    (two runs from the same weights on the same mini-batches); NaN ends a diverged run."""
    title = "Training cost: correct against buggy (same start, same mini-batches)"
    if len(history) == 0:
        return empty_spec("no steps", title)
    labels = labels or {"correct": "correct backprop", "buggy": "with the bug"}
    traces = []
    for col in ("correct", "buggy"):
        if col not in history.columns:
            raise ValueError(f"history needs a {col!r} column; it has {list(history.columns)}")
        d = history[["step", col]].replace([np.inf, -np.inf], np.nan).dropna()
        traces.append(
            {
                "type": "scatter",
                "x": f32(d["step"].to_numpy()),
                "y": f32(d[col].to_numpy()),
                "mode": "lines",
                "line": {"color": PAIR_COLOURS[col], "width": 2.5},
                "name": labels.get(col, col),
                "hovertemplate": (
                    f"step %{{x}}<br>{labels.get(col, col)}: %{{y:.4g}}<extra></extra>"
                ),
            }
        )
    layout = style_layout(
        title,
        legend={"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 1, "xanchor": "right"},
        xaxis={"title": {"text": "step"}},
        yaxis={"title": {"text": "cost C on the training data"}},
    )
    return {"data": traces, "layout": layout}


cost_pair = figure_builder(cost_pair_spec)


def difference_heatmap_spec(diff: Array, layer: int, param: str, title: str = "") -> dict:
    """``yours - engine`` of one layer's ``param`` (``"w"``: ``(n_l, n_{l-1})``, ``"b"``:
    ``(n_l, 1)``) on a symmetric diverging scale; white where they agree."""
    check_int("layer", layer, 1, 10**4)
    diff = np.atleast_2d(np.asarray(diff, dtype=np.float64))
    sym = SYMBOLS["nabla_w" if param == "w" else "nabla_b"]
    zmax = sym_max(diff)
    heat = {
        "type": "heatmap",
        "z": f32(diff),
        "zmin": -zmax,
        "zmax": zmax,
        "zmid": 0.0,
        "colorscale": DIVERGING,
        "colorbar": {"title": {"text": "yours − engine"}},
        "hovertemplate": (
            f"{sym}[{layer}][%{{y}},%{{x}}]: yours − engine = %{{z:.4g}}<extra></extra>"
        ),
    }
    if diff.size <= MAX_TEXT_CELLS:
        heat["texttemplate"] = "%{z:.2~g}"
    yaxis = {"title": {"text": f"neuron j of layer {layer}"}, "autorange": "reversed"}
    xaxis = {
        "title": {"text": f"from neuron k (layer {layer - 1})" if param == "w" else ""},
        "showticklabels": param == "w",
    }
    if diff.shape[0] <= 20:
        yaxis["dtick"] = 1
    if diff.shape[1] <= 20:
        xaxis["dtick"] = 1
    title = title or f"Difference in {sym} of layer {layer} (yours − engine)"
    return {"data": [heat], "layout": style_layout(title, xaxis=xaxis, yaxis=yaxis)}


difference_heatmap = figure_builder(difference_heatmap_spec)


def relative_error_heatmaps_spec(
    layers: Sequence[tuple[int, Array, Array]], rtol: float | None = None, title: str = ""
) -> dict:
    """One heatmap per ``(layer, w_errors, b_errors)``: the relative error
    ``|a - n| / (|a| + |n|)`` of each weight ``(n_l, n_{l-1})`` and, in the last column,
    each bias ``(n_l, 1)``, as log10 on one shared scale; blank where not checked (NaN).
    ``rtol`` marks the tolerance on the colour bar."""
    if not layers:
        return empty_spec("no gradients checked", title)
    title = title or "Relative error per entry, by layer (log10; the last column is b)"
    mats = []
    for layer, w, b in layers:
        check_int("layer", layer, 1, 10**4)
        both = np.hstack([np.atleast_2d(w), np.reshape(b, (-1, 1))]).astype(np.float64)
        mats.append(np.log10(np.maximum(both, 1e-16)))  # NaN (not checked) stays NaN
    grid = _row_of_heatmaps([f"layer {l}" for l, _, _ in layers])
    bar = {"title": {"text": "log10 rel. error"}}
    if rtol:
        bar["tickvals"] = [-16, -12, -8, -4, float(np.log10(rtol)), 0]
        bar["ticktext"] = ["1e-16", "1e-12", "1e-08", "1e-04", f"rtol {rtol:g}", "1"]
    traces = []
    for c, ((layer, _, _), z) in enumerate(zip(layers, mats), start=1):
        n_in = z.shape[1] - 1
        x, y = axis_names(c)
        traces.append(
            {
                "type": "heatmap",
                "z": f32(z),
                "x": [str(k) for k in range(n_in)] + ["b"],
                "zmin": -16,
                "zmax": 0,
                "colorscale": SEQUENTIAL_SCALE,
                "showscale": c == 1,
                "colorbar": bar,
                "hovertemplate": f"layer {layer} [%{{y}}, %{{x}}]: 10^%{{z:.2f}}<extra></extra>",
                "name": f"layer {layer}",
                "xaxis": x,
                "yaxis": y,
            }
        )
        yaxis = grid["yaxis" + y[1:]]
        yaxis["autorange"] = "reversed"
        if z.shape[0] <= 20:
            yaxis["dtick"] = 1
        if c == 1:
            yaxis["title"] = {"text": "neuron j"}
        grid["xaxis" + x[1:]].update(type="category", title={"text": "from neuron k, then b"})
    rows = max(z.shape[0] for z in mats)
    layout = style_layout(
        title,
        height=min(520, 200 + 26 * rows),
        margin={"l": 60, "r": 20, "t": 80, "b": 50},
        **grid,
    )
    return {"data": traces, "layout": layout}


relative_error_heatmaps = figure_builder(relative_error_heatmaps_spec)
