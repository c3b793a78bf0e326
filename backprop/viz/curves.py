"""Training curves from the trainer's history frames, and value histograms over time."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from ..history import Snapshot
from ._common import (
    COUNTS_SCALE,
    check_choice,
    check_int,
    empty_spec,
    evenly,
    f32,
    figure_builder,
    literal,
    log_axis,
    steady,
    style_layout,
)
from .animation import snapshot_values
from .quantities import LABELS, SYMBOLS

Array = np.ndarray

NORM_KINDS = ("delta_norm", "grad_norm", "update_norm")
HIST_QUANTITIES = ("w", "nabla_w", "nabla_b", "a", "delta", "z")
MAX_POINTS = 4000  # per line; longer histories are thinned steadily (every 2^k-th row)
MAX_SNAPSHOT_ROWS = 200
NO_STEPS = "no steps yet"
LAYER_COLOURS = (
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#7f7f7f",
    "#bcbd22",
)
RUN_DASHES = ("solid", "dash")  # the first run of a comparison solid, the second dashed
SPLIT_COLOURS = {"train": "#2471a3", "test": "#e67e22"}
NORM_TITLES = {
    "delta_norm": "‖∂C/∂b‖ = ‖mean δ‖ per layer",  # the caption names Nielsen's speed of learning
    "grad_norm": "‖∂C/∂w‖ per layer",
    "update_norm": "‖Δw‖ per layer (size of each step)",
}


History = pd.DataFrame | Mapping[str, Array]  # a history frame, or its columns as arrays


def _names(history: History) -> list[str]:
    return [str(c) for c in (history.columns if isinstance(history, pd.DataFrame) else history)]


def _rows(history: History) -> int:
    if isinstance(history, pd.DataFrame):
        return len(history)
    return len(next(iter(history.values()))) if history else 0


def _column(history: History, name: str) -> Array:
    col = history[name]
    if isinstance(col, pd.Series):
        return col.to_numpy(dtype=np.float64, na_value=np.nan)
    return np.asarray(col, dtype=np.float64)


def _xs(history: History, x: str) -> str:
    valid = [c for c in ("step", "epoch") if c in _names(history)]
    return check_choice("x", x, valid)


def _line(
    df: History, x: str, y: str, name: str, max_points: int, faint: bool = False, **kw
) -> dict:
    """Rows where ``y`` is finite (thinned :func:`steady`-ly to ``max_points``) as a line
    (trace dict)."""
    xs, ys = _column(df, x), _column(df, y)
    rows = np.flatnonzero(np.isfinite(xs) & np.isfinite(ys))
    rows = rows[steady(len(rows), max_points)]
    style_kw = {"line": {"width": 1, "color": "#95a5a6"}, "opacity": 0.6} if faint else {}
    mode = "lines" if faint or len(rows) > 60 else "lines+markers"
    return {
        "type": "scatter",
        "x": f32(xs[rows]),
        "y": f32(ys[rows]),
        "mode": mode,
        "name": name,
        "hovertemplate": f"{x} %{{x}}<br>{name} = %{{y:.4g}}<extra></extra>",
        **style_kw,
        **kw,
    }


def _batch_train_test(history: History, x: str, metric: str, max_points: int) -> list:
    """Lines for ``batch_<metric>`` (faint), ``train_<metric>`` and ``test_<metric>``."""
    traces, names = [], _names(history)
    if f"batch_{metric}" in names:
        traces.append(
            _line(history, x, f"batch_{metric}", f"mini-batch {metric}", max_points, True)
        )
    for split, colour in (("train", "#2471a3"), ("test", "#e67e22")):
        col = f"{split}_{metric}"
        if col in names:
            line = {"color": colour, "width": 2.5}
            traces.append(
                _line(
                    history,
                    x,
                    col,
                    f"{split} {metric}",
                    max_points,
                    marker={"color": colour},
                    line=line,
                )
            )
    return traces


def _curve_spec(traces: list, title: str, x: str, yaxis: dict) -> dict:
    layout = style_layout(
        title,
        legend={"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 1, "xanchor": "right"},
        xaxis={"title": {"text": x}},
        yaxis=yaxis,
    )
    return {"data": traces, "layout": layout}


def cost_curves_spec(
    history: History, x: str = "step", log_y: bool = False, max_points: int = MAX_POINTS
) -> dict:
    """Cost against ``x`` (``"step"`` or ``"epoch"``): the mini-batch cost as a faint line
    (history frames only) and the full train/test cost where they were evaluated.
    ``history``: a history frame, or its columns (name -> array, e.g. the live board's
    ``Trainer.history.column`` views: no copy into a frame)."""
    if _rows(history) == 0:
        return empty_spec(NO_STEPS, "Cost")
    x = _xs(history, x)
    traces = _batch_train_test(history, x, "cost", max_points)
    yaxis = {"title": {"text": "cost C"}, "type": "linear"}
    if log_y:
        yaxis.update(log_axis(*[t["y"] for t in traces]))
    return _curve_spec(traces, "Cost", x, yaxis)


cost_curves = figure_builder(cost_curves_spec)


def accuracy_curves_spec(
    history: pd.DataFrame, x: str = "step", max_points: int = MAX_POINTS
) -> dict:
    """Accuracy against ``x``: mini-batch (faint), train and test where evaluated."""
    if len(history) == 0:
        return empty_spec(NO_STEPS, "Accuracy")
    x = _xs(history, x)
    cols = [c for c in ("batch_accuracy", "train_accuracy", "test_accuracy") if c in history]
    if not cols or history[cols].isna().all().all():
        return empty_spec("no accuracy values (regression has none)", "Accuracy")
    traces = _batch_train_test(history, x, "accuracy", max_points)
    yaxis = {"title": {"text": "accuracy"}, "range": [0, 1.02], "tickformat": ".0%"}
    return _curve_spec(traces, "Accuracy", x, yaxis)


accuracy_curves = figure_builder(accuracy_curves_spec)


def norm_columns(history: pd.DataFrame, kind: str) -> list[tuple[int, str]]:
    """``[(l, "delta_norm_l"), ...]`` sorted by layer ``l`` (from 1)."""
    pat = re.compile(rf"^{kind}_(\d+)$")
    found = [(int(m.group(1)), c) for c in history.columns if (m := pat.match(str(c)))]
    return sorted(found)


def norm_curves_spec(
    history: pd.DataFrame, kind: str = "delta_norm", x: str = "step", max_points: int = MAX_POINTS
) -> dict:
    """One line per layer of ``kind`` (``delta_norm``, ``grad_norm`` or ``update_norm``) on a
    log y-axis, to see vanishing or exploding gradients; non-positive values are dropped."""
    check_choice("kind", kind, NORM_KINDS)
    cols = norm_columns(history, kind)
    if not cols:
        raise ValueError(
            f"history has no {kind}_<l> columns; pass trainer.history_frame(), not the epoch frame"
        )
    if len(history) == 0:
        return empty_spec(NO_STEPS, NORM_TITLES[kind])
    x = _xs(history, x)
    traces = []
    for l, col in cols:
        d = history[[x, col]]
        d = d[np.isfinite(d[col]) & (d[col] > 0)]
        colour = LAYER_COLOURS[(l - 1) % len(LAYER_COLOURS)]
        traces.append(
            _line(d, x, col, f"layer {l}", max_points, line={"color": colour, "width": 2})
        )
    layout = style_layout(
        NORM_TITLES[kind],
        xaxis={"title": {"text": x}},
        yaxis={
            "title": {"text": kind.replace("_", " ") + " (log scale)"},
            **log_axis(*[t["y"] for t in traces]),
        },
    )
    return {"data": traces, "layout": layout}


norm_curves = figure_builder(norm_curves_spec)


def histograms_over_time_spec(
    snapshots: Sequence[Snapshot],
    layer: int,
    quantity: str = "w",
    bins: int = 40,
    max_rows: int = MAX_SNAPSHOT_ROWS,
) -> dict:
    """How the distribution of a layer's ``quantity`` moves during training: a heatmap with
    value bins (shared by all snapshots) across, snapshot steps down, counts as colour."""
    check_choice("quantity", quantity, HIST_QUANTITIES)
    bins = check_int("bins", bins, 1, 10_000)
    max_rows = check_int("max_rows", max_rows, 1, 10**5)
    title = f"Distribution of {LABELS[quantity]} — layer {layer}, over training"
    snaps = list(snapshots)
    if not snaps:
        return empty_spec("no snapshots yet (train with snapshot_every > 0)", title)
    keep = evenly(len(snaps), max_rows)
    snaps = [snaps[i] for i in keep]
    values = [np.asarray(snapshot_values(s, layer, quantity)).ravel() for s in snaps]
    values = [v[np.isfinite(v)] for v in values]
    both = np.concatenate(values)
    lo, hi = (float(both.min()), float(both.max())) if both.size else (-1.0, 1.0)
    if hi <= lo:
        lo, hi = lo - 0.5, hi + 0.5
    edges = np.linspace(lo, hi, bins + 1)
    counts = np.vstack([np.histogram(v, bins=edges)[0] for v in values])
    centres = (edges[:-1] + edges[1:]) / 2
    sym = SYMBOLS[quantity]
    heat = {
        "type": "heatmap",
        "z": f32(counts),
        "x": f32(centres),
        "y": f32([s.step for s in snaps]),
        "colorscale": COUNTS_SCALE,
        "zmin": 0,
        "colorbar": {"title": {"text": "count"}},
        "hovertemplate": f"step %{{y}}<br>{sym} ≈ %{{x:.3g}}<br>count %{{z}}<extra></extra>",
        "name": f"{quantity}[{layer}]",
    }
    note = f" ({len(snaps)} of {len(snapshots)} snapshots)" if len(snaps) < len(snapshots) else ""
    layout = style_layout(
        title + note,
        xaxis={"title": {"text": f"value of {sym} (layer {layer})"}},
        yaxis={"title": {"text": "step"}},
    )
    return {"data": [heat], "layout": layout}


histograms_over_time = figure_builder(histograms_over_time_spec)


# ------------------------------------------------------------------ two runs compared
def _check_labels(labels: Sequence[str]) -> tuple[str, str]:
    if isinstance(labels, str) or len(labels) != 2:
        raise ValueError(f"labels must name the two runs, got {labels!r}")
    return literal(labels[0]), literal(labels[1])


def _run_style(colour: str, i: int, label: str) -> dict:
    """A run's line style: the given colour, solid for the first run, dashed for the second;
    the legend grouped by run."""
    dash = RUN_DASHES[i]
    return {
        "line": {"color": colour, "width": 2.5 if i == 0 else 2, "dash": dash},
        "marker": {"color": colour, "size": 5},
        "legendgroup": label,
    }


def compare_curves_spec(
    history_a: pd.DataFrame,
    history_b: pd.DataFrame,
    metric: str = "cost",
    labels: Sequence[str] = ("A", "B"),
    x: str = "step",
    max_points: int = MAX_POINTS,
) -> dict:
    """Train and test ``metric`` (``"cost"`` or ``"accuracy"``) of two runs over ``x``:
    the same colour per split (train blue, test orange), run A solid and run B dashed.
    Each history is a ``history_frame()`` (or epoch frame); lines are named
    ``"<label>: train cost"``."""
    metric = check_choice("metric", metric, ("cost", "accuracy"))
    names = _check_labels(labels)
    title = f"{metric.capitalize()}: {names[0]} and {names[1]}"
    histories = (history_a, history_b)
    if all(len(h) == 0 for h in histories):
        return empty_spec(NO_STEPS, title)
    x = check_choice("x", x, [c for c in ("step", "epoch") if all(c in h for h in histories)])
    traces = []
    for i, (history, label) in enumerate(zip(histories, names)):
        for split, colour in SPLIT_COLOURS.items():
            col = f"{split}_{metric}"
            if col in history.columns and history[col].notna().any():
                name = f"{label}: {split} {metric}"
                style = _run_style(colour, i, label)
                traces.append(_line(history, x, col, name, max_points, **style))
    if not traces:
        return empty_spec(f"no {metric} values (regression has no accuracy)", title)
    if metric == "cost":
        yaxis = {"title": {"text": "cost C"}}
    else:
        yaxis = {"title": {"text": "accuracy"}, "range": [0, 1.02], "tickformat": ".0%"}
    return _curve_spec(traces, title, x, yaxis)


compare_curves = figure_builder(compare_curves_spec)


def compare_norms_spec(
    history_a: pd.DataFrame,
    history_b: pd.DataFrame,
    kind: str = "grad_norm",
    labels: Sequence[str] = ("A", "B"),
    x: str = "step",
    max_points: int = MAX_POINTS,
) -> dict:
    """Per-layer norms ``<kind>_<l>`` of two runs on a log y-axis: the same colour per layer
    ``l``, run A solid and run B dashed (lines named ``"<label>: layer <l>"``); the runs may
    have different numbers of layers. Non-positive values are dropped."""
    check_choice("kind", kind, NORM_KINDS)
    names = _check_labels(labels)
    histories = (history_a, history_b)
    columns = [norm_columns(h, kind) for h in histories]
    if not any(columns):
        raise ValueError(
            f"neither history has {kind}_<l> columns; pass trainer.history_frame() of each run"
        )
    title = f"{NORM_TITLES[kind]}: {names[0]} solid, {names[1]} dashed"
    if all(len(h) == 0 for h in histories):
        return empty_spec(NO_STEPS, title)
    x = check_choice("x", x, [c for c in ("step", "epoch") if all(c in h for h in histories)])
    traces = []
    for i, (history, cols, label) in enumerate(zip(histories, columns, names)):
        for l, col in cols:
            d = history[[x, col]]
            d = d[np.isfinite(d[col]) & (d[col] > 0)]
            colour = LAYER_COLOURS[(l - 1) % len(LAYER_COLOURS)]
            style = _run_style(colour, i, label)
            traces.append(_line(d, x, col, f"{label}: layer {l}", max_points, **style))
    layout = style_layout(
        title,
        xaxis={"title": {"text": x}},
        yaxis={
            "title": {"text": kind.replace("_", " ") + " (log scale)"},
            **log_axis(*[t["y"] for t in traces]),
        },
    )
    return {"data": traces, "layout": layout}


compare_norms = figure_builder(compare_norms_spec)
