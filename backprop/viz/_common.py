"""Shared pieces of the figure builders: colour scales, ranges, layout, argument checks."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio

Array = np.ndarray

#: Blue for negative, white at zero, red for positive (ColorBrewer RdBu, reversed).
DIVERGING: list[list] = [
    [0.0, "#053061"],
    [0.1, "#2166ac"],
    [0.25, "#4393c3"],
    [0.4, "#92c5de"],
    [0.5, "#f7f7f7"],
    [0.6, "#f4a582"],
    [0.75, "#d6604d"],
    [0.9, "#b2182b"],
    [1.0, "#67001f"],
]
POSITIVE, NEGATIVE = "#c0392b", "#2471a3"  # edge colours, matching the scale's ends
SEQUENTIAL = "Viridis"
CLASS_COLOURS = (
    "#2471a3",
    "#e67e22",
    "#27ae60",
    "#c0392b",
    "#8e44ad",
    "#795548",
    "#e84393",
    "#7f8c8d",
    "#b7950b",
    "#17a589",
)
UIREVISION = "backprop-explorer"
# plotly_white's 2-D essentials only: the full template is ~6 KB of JSON per figure and
# ~10-20 ms of validation each time it is applied by name; this subset costs ~0.5 ms.
_WHITE = pio.templates["plotly_white"].layout
TEMPLATE = go.layout.Template(
    layout={
        k: _WHITE[k]
        for k in (
            "autotypenumbers",
            "colorway",
            "font",
            "hovermode",
            "hoverlabel",
            "paper_bgcolor",
            "plot_bgcolor",
            "xaxis",
            "yaxis",
            "title",
        )
    }
)
FONT_SIZE = 14
MIN_RANGE = 1e-12  # colour range used when every value is zero


F32_MAX = float(np.finfo(np.float32).max)


def f32(x) -> Array:
    """``x`` as a C-contiguous float32 array (serialises as a compact base64 typed array).

    Finite values beyond float32's range are clipped to its largest value instead of
    overflowing to inf (weights can grow that large just before training diverges)."""
    a = np.asarray(x, dtype=np.float64)
    if a.size and np.nanmax(np.abs(a), initial=0.0) > F32_MAX:
        a = np.clip(a, -F32_MAX, F32_MAX)
    return np.ascontiguousarray(a, dtype=np.float32)


def sym_max(*arrays: Array) -> float:
    """``max |v|`` over the finite entries of all ``arrays`` (``MIN_RANGE`` if none or all 0)."""
    m = 0.0
    for a in arrays:
        a = np.asarray(a, dtype=np.float64)
        finite = a[np.isfinite(a)]
        if finite.size:
            m = max(m, float(np.abs(finite).max()))
    return m if m > 0 else MIN_RANGE


def check_choice(kind: str, value: object, valid: Sequence[str]) -> str:
    """``value`` if it is one of ``valid``, else ValueError naming the valid choices."""
    if not isinstance(value, str) or value not in valid:
        raise ValueError(f"unknown {kind} {value!r}; valid choices: {', '.join(valid)}")
    return value


def check_int(name: str, value: object, lo: int, hi: int) -> int:
    """``value`` as an int in ``[lo, hi]``, else ValueError naming the valid range."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise ValueError(f"{name} must be a whole number in {lo}..{hi}, got {value!r}")
    if not lo <= int(value) <= hi:
        raise ValueError(f"{name} must be in {lo}..{hi}, got {value!r}")
    return int(value)


def evenly(n: int, k: int) -> Array:
    """At most ``k`` sorted distinct indices spread evenly over ``0..n-1``, first and last kept."""
    if n <= k:
        return np.arange(n)
    return np.unique(np.linspace(0, n - 1, max(k, 1)).round().astype(np.int64))


def style(fig: go.Figure, title: str, **layout) -> go.Figure:
    """Apply the shared projector-friendly layout: template, fonts, margins, uirevision."""
    fig.update_layout(
        template=TEMPLATE,
        title={"text": title, "font": {"size": FONT_SIZE + 4}, "x": 0.01, "xanchor": "left"},
        font={"size": FONT_SIZE},
        margin={"l": 70, "r": 30, "t": 70, "b": 60},
        uirevision=UIREVISION,
        hoverlabel={"font": {"size": FONT_SIZE}},
    )
    if layout:
        fig.update_layout(**layout)
    return fig


def empty_figure(message: str, title: str = "") -> go.Figure:
    """A blank figure that says ``message`` in the middle (e.g. "no steps yet")."""
    fig = go.Figure()
    fig.add_annotation(
        text=message,
        x=0.5,
        y=0.5,
        xref="paper",
        yref="paper",
        showarrow=False,
        font={"size": FONT_SIZE + 4, "color": "#7f8c8d"},
    )
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return style(fig, title)


def cap_note(shown: int, total: int, what: str) -> str:
    """``" (showing 16 of 784 neurons)"`` when capped, else ``""``."""
    return f" (showing {shown} of {total} {what})" if shown < total else ""
