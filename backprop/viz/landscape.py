"""The loss landscape (:mod:`backprop.landscape`): the cost over a plane of parameter space
as a contour map with the optimiser's path on it, and the cost along the line from the
initial to the current parameters."""

from __future__ import annotations

import numpy as np

from ..landscape import Interpolation, Path, Surface
from ._common import SEQUENTIAL_SCALE, evenly, f32, figure_builder, log_axis, style_layout

Array = np.ndarray

LOG_RATIO = 100.0  # colours (and the line's y axis) go logarithmic past max/min = 100
MAX_PATH_POINTS = 1000  # longer paths are thinned evenly (first and last kept)
START, NOW, PATH = "#27ae60", "#c0392b", "#ecf0f1"


def wide(values: Array) -> bool:
    """Whether the finite ``values`` are positive and span more than ``LOG_RATIO``."""
    v = np.asarray(values, dtype=np.float64)
    v = v[np.isfinite(v)]
    return bool(v.size) and v.min() > 0 and v.max() / v.min() > LOG_RATIO


def finite_or_nan(values: Array) -> Array:
    """``values`` as float64 with inf replaced by NaN (a gap, not the colour range's end)."""
    v = np.array(values, dtype=np.float64)
    v[~np.isfinite(v)] = np.nan
    return v


def log_ticks(lo: float, hi: float) -> tuple[list[float], list[str]]:
    """Colour-bar ticks at 1, 2 and 5 times the powers of ten in ``[10^lo, 10^hi]``:
    ``(log10 positions, labels)``."""
    vals, text = [], []
    for k in range(int(np.floor(lo)), int(np.ceil(hi)) + 1):
        for m in (1, 2, 5):
            v = np.log10(m) + k
            if lo <= v <= hi:
                vals.append(float(v))
                text.append(f"{m * 10.0**k:g}")
    return vals, text


def _contour(surface: Surface) -> dict:
    cost = finite_or_nan(surface.cost)
    log = wide(cost)
    z = np.log10(cost) if log else cost
    colorbar: dict = {"title": {"text": "cost C (log scale)" if log else "cost C"}}
    if log and np.isfinite(z).any():
        colorbar["tickvals"], colorbar["ticktext"] = log_ticks(np.nanmin(z), np.nanmax(z))
    return {
        "type": "contour",
        "x": f32(surface.alphas),
        "y": f32(surface.betas),
        "z": f32(z),
        "customdata": f32(cost),
        "colorscale": SEQUENTIAL_SCALE,
        "ncontours": 24,
        "line": {"width": 0.5, "color": "rgba(255,255,255,0.5)"},
        "colorbar": colorbar,
        "hovertemplate": "α = %{x:.3g}<br>β = %{y:.3g}<br>C = %{customdata:.4g}<extra></extra>",
        "name": "cost",
        "showlegend": False,
    }


def _path_traces(path: Path) -> list[dict]:
    """The path as a line with markers, its start and its current point marked."""
    keep = evenly(len(path.steps), MAX_PATH_POINTS)
    info = np.column_stack([path.steps, path.cost, path.off_plane])[keep]
    x, y = np.asarray(path.alphas)[keep], np.asarray(path.betas)[keep]
    hover = (
        "step %{customdata[0]:.0f}<br>C = %{customdata[1]:.4g}"
        "<br>(α, β) = (%{x:.3g}, %{y:.3g})"
        "<br>%{customdata[2]:.0%} of the move from here to now is off this plane"
    )
    line = {
        "type": "scatter",
        "x": f32(x),
        "y": f32(y),
        "customdata": f32(info),
        "mode": "lines+markers",
        "line": {"color": PATH, "width": 2},
        "marker": {"color": PATH, "size": 5, "line": {"color": "#2c3e50", "width": 1}},
        "name": "path",
        "hovertemplate": hover + "<extra>path</extra>",
    }
    out = [line]
    for i, label, colour, symbol in ((0, "start", START, "circle"), (-1, "now", NOW, "star")):
        out.append(
            {
                "type": "scatter",
                "x": f32(x[[i]]),
                "y": f32(y[[i]]),
                "customdata": f32(info[[i]]),
                "mode": "markers",
                "marker": {
                    "color": colour,
                    "size": 14,
                    "symbol": symbol,
                    "line": {"color": "white", "width": 1.5},
                },
                "name": f"{label} (step {int(info[i, 0])})",
                "hovertemplate": hover + f"<extra>{label}</extra>",
            }
        )
    return out


def landscape_spec(
    surface: Surface, path: Path | None = None, title: str = "Loss landscape"
) -> dict:
    """The cost over the plane ``theta + a d1 + b d2``: a contour map of ``surface.cost``
    (colours on a log scale when it spans more than ``LOG_RATIO``; hover shows C) with
    ``path`` (projected on the plane) as a line with markers, its start and its current
    point marked; hover shows each point's step, actual cost and how far off the plane it
    lies."""
    traces = [_contour(surface)]
    if path is not None and len(path.steps):
        traces += _path_traces(path)
    layout = style_layout(
        title,
        xaxis={"title": {"text": "α (direction 1)"}, "zeroline": False, "constrain": "domain"},
        yaxis={
            "title": {"text": "β (direction 2)"},
            "zeroline": False,
            "scaleanchor": "x",
            "constrain": "domain",
        },
        legend={"orientation": "h", "y": -0.18, "yanchor": "top", "x": 0, "xanchor": "left"},
    )
    return {"data": traces, "layout": layout}


landscape = figure_builder(landscape_spec)


def _at(interp: Interpolation, t: float) -> float:
    """The cost at ``t`` (interpolated if ``t`` was thinned out)."""
    ts, cost = np.asarray(interp.ts), np.asarray(interp.cost)
    hit = np.flatnonzero(ts == t)
    return float(cost[hit[0]]) if hit.size else float(np.interp(t, ts, cost))


def interpolation_spec(
    interp: Interpolation, title: str = "Cost on the line initial → current"
) -> dict:
    """The cost along ``(1 - t) theta0 + t theta1`` against ``t``, with ``t = 0``
    ("initial") and ``t = 1`` ("current") marked; a log y axis when it spans more than
    ``LOG_RATIO``."""
    cost = finite_or_nan(interp.cost)
    line = {
        "type": "scatter",
        "x": f32(interp.ts),
        "y": f32(cost),
        "mode": "lines",
        "line": {"color": "#2471a3", "width": 2.5},
        "name": "cost",
        "hovertemplate": "t = %{x:.3g}<br>C = %{y:.4g}<extra></extra>",
        "showlegend": False,
    }
    traces = [line]
    for t, label, colour in ((0.0, "initial", START), (1.0, "current", NOW)):
        traces.append(
            {
                "type": "scatter",
                "x": f32([t]),
                "y": f32([_at(interp, t)]),
                "mode": "markers+text",
                "text": [label],
                "textposition": "top center",
                "marker": {"color": colour, "size": 12},
                "name": label,
                "hovertemplate": f"{label} (t = {t:g})<br>C = %{{y:.4g}}<extra></extra>",
                "showlegend": False,
            }
        )
    scale = log_axis(cost) if wide(cost) else {"type": "linear"}
    layout = style_layout(
        title,
        xaxis={"title": {"text": "t: (1 - t) θ_initial + t θ_current"}},
        yaxis={"title": {"text": "cost C"}, **scale},
    )
    return {"data": traces, "layout": layout}


interpolation = figure_builder(interpolation_spec)
