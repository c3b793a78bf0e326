"""Shared pieces of the figure builders: colour scales, ranges, layout, subplot grids,
argument checks, and the one way a dict spec becomes a figure (:func:`figure_builder`)."""

from __future__ import annotations

import base64
import copy
import functools
import html
import inspect
from collections.abc import Callable, Sequence
from typing import ParamSpec

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio
from _plotly_utils.basevalidators import is_homogeneous_array
from _plotly_utils.utils import to_typed_array_spec
from plotly.subplots import make_subplots

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


def named_scale(name: str) -> list[list]:
    """Plotly's named colour scale ``name`` as the explicit scale its validator turns the
    name into; for dict specs, which are sent without validation."""
    return [[float(p), c] for p, c in go.layout.Coloraxis(colorscale=name).colorscale]


#: ``SEQUENTIAL`` as an explicit scale (plotly.py's Viridis, which differs slightly from
#: plotly.js's built-in one).
SEQUENTIAL_SCALE: list[list] = named_scale(SEQUENTIAL)
COUNTS_SCALE: list[list] = named_scale("Blues")  # histogram counts
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
#: ``TEMPLATE`` as a plain dict, for figure specs (copied into each one).
TEMPLATE_SPEC: dict = TEMPLATE.to_plotly_json()
FONT_SIZE = 14
MIN_RANGE = 1e-12  # colour range used when every value is zero


F32_MAX = float(np.finfo(np.float32).max)


def f32(x) -> Array:
    """``x`` as a C-contiguous float32 array (serialises as a compact base64 typed array).

    Finite values beyond float32's range are clipped to its largest value instead of
    overflowing to inf (weights can grow that large just before training diverges)."""
    a = np.asarray(x, dtype=np.float64)
    if a.size:
        top = np.abs(a).max()  # NaN if any is: then look past the NaNs (rare, slower)
        if top > F32_MAX or (top != top and np.nanmax(np.abs(a), initial=0.0) > F32_MAX):
            a = np.clip(a, -F32_MAX, F32_MAX)
    return np.ascontiguousarray(a, dtype=np.float32)


def sym_max(*arrays: Array) -> float:
    """``max |v|`` over the finite entries of all ``arrays`` (``MIN_RANGE`` if none or all 0)."""
    m = 0.0
    for a in arrays:
        a = np.asarray(a, dtype=np.float64)
        if not a.size:
            continue
        top = float(np.abs(a).max())  # inf or NaN when any is: then the finite ones only
        if not np.isfinite(top):
            finite = a[np.isfinite(a)]
            top = float(np.abs(finite).max()) if finite.size else 0.0
        m = max(m, top)
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


def steady(n: int, k: int) -> Array:
    """At most ``k`` (>= 2) sorted indices over ``0..n-1``: every ``stride``-th from the first
    (``stride`` the least power of two that fits) and the last. As ``n`` grows the choice
    changes only at its end until the stride doubles, so a curve drawn live is extended,
    not drawn anew (see :mod:`.frames`), and every point it shows stays where it was."""
    k = max(int(k), 2)
    if n <= k:
        return np.arange(n)
    stride = 1
    while -(-(n - 1) // stride) + 1 > k:
        stride *= 2
    return np.append(np.arange(0, n - 1, stride), n - 1)


def merge(base: dict, extra: dict) -> dict:
    """A copy of ``base`` updated by ``extra`` the way ``fig.update_layout`` does it: nested
    dicts are merged key by key, anything else (lists too) replaces the old value."""
    out = dict(base)
    for k, v in extra.items():
        old = out.get(k)
        out[k] = merge(old, v) if isinstance(v, dict) and isinstance(old, dict) else v
    return out


LOG_LABELS = 6  # decades labelled on a log axis at most; more are thinned (every k-th decade)


def log_axis(*values: Array) -> dict:
    """A log axis over ``values`` (their positive finite entries) whose tick labels never
    crowd: Plotly's own choice labels 2 and 5 in every decade ("2 5 2 5 ...") when the axis
    is short for its decades. Within a decade Plotly's own ticks; over up to 2.5 decades
    1, 2 and 5 of each (``"D2"``); over more, the powers of ten only (every k-th: at most
    ``LOG_LABELS``), with unlabelled minor ticks at 2..9 between them, and exponents
    written as powers (10⁻³)."""
    axis: dict = {"type": "log", "exponentformat": "power"}
    pos = [a[np.isfinite(a) & (a > 0)] for a in (np.asarray(v, dtype=np.float64) for v in values)]
    pos = [a for a in pos if a.size]
    if not pos:
        return axis
    span = np.log10(max(a.max() for a in pos)) - np.log10(min(a.min() for a in pos))
    if span < 1:
        return axis
    if span < 2.5:
        return {**axis, "dtick": "D2"}
    step = max(1, int(np.ceil(span / LOG_LABELS)))
    minor = {"dtick": "D1", "ticks": "outside", "ticklen": 3} if step == 1 else {}
    return {**axis, "dtick": step, "minor": minor} if minor else {**axis, "dtick": step}


def literal(text: object) -> str:
    """``text`` for a Plotly label, shown as written: Plotly renders tags such as
    ``<a href=...>`` and ``<b>`` in titles, legends and hover text, so ``&``, ``<`` and ``>``
    (from a CSV's column or class names, say) become entities, which it shows literally."""
    return html.escape(str(text), quote=False)


TITLE_PLACE = {"yref": "container", "y": 1, "yanchor": "top", "pad": {"t": 32}}


def style_layout(title: str, subtitle: str = "", **layout) -> dict:
    """The shared projector-friendly layout as a dict: template, fonts, margins, uirevision,
    then ``layout`` merged in (nested dicts key by key, like ``fig.update_layout``).
    ``subtitle``: a note in smaller type under the title (what the figure leaves out, how to
    read it), which keeps the title short enough for a narrow chart."""
    # the title at the left, just below the modebar's row (the toolbar Plotly shows on
    # hover, 2..28 px from the top, at the right): never under it, however long
    head = {
        "text": title,
        "font": {"size": FONT_SIZE + 4},
        "x": 0.01,
        "xanchor": "left",
        **TITLE_PLACE,
    }
    top = 70
    if subtitle:  # Plotly sets it 1.6 em below the title: the plot starts lower
        head["subtitle"] = {"text": subtitle, "font": {"size": FONT_SIZE}}
        top = 105
    base = {
        "template": copy.deepcopy(TEMPLATE_SPEC),
        "title": head,
        "font": {"size": FONT_SIZE},
        "margin": {"l": 70, "r": 30, "t": top, "b": 60},
        "uirevision": UIREVISION,
        "hoverlabel": {"font": {"size": FONT_SIZE}},
    }
    return merge(base, layout) if layout else base


def figure(spec: dict) -> go.Figure:
    """``go.Figure`` of a dict spec ``{"data": [...], "layout": {...}}`` (and ``"frames"``
    for an animation), validated once (a misspelt property raises here)."""
    return go.Figure(spec)


P = ParamSpec("P")


def figure_builder(spec_fn: Callable[P, dict], name: str | None = None) -> Callable[P, go.Figure]:
    """The public figure of a ``name_spec`` builder: ``name(...)`` is
    ``figure(name_spec(...))``, with the same signature and docstring (``name``: the
    builder's name, if not the spec's without ``_spec``)."""

    @functools.wraps(spec_fn)
    def build(*args: P.args, **kwargs: P.kwargs) -> go.Figure:
        return figure(spec_fn(*args, **kwargs))

    build.__name__ = build.__qualname__ = name or spec_fn.__name__.removesuffix("_spec")
    build.__annotations__ = {**spec_fn.__annotations__, "return": "go.Figure"}
    build.__signature__ = inspect.signature(spec_fn).replace(return_annotation="go.Figure")
    build.__doc__ = f"The ``go.Figure`` of :func:`{spec_fn.__name__}`:\n\n{spec_fn.__doc__}"
    return build


_LEAVES = (str, int, float, type(None))  # bool is an int; numpy float64 a float
_CONTAINERS = (dict, list, tuple)
_SKIPPED_KEYS = frozenset(("geojson", "layer", "layers", "range"))  # Plotly leaves these
_FAST_DTYPES = {np.dtype(np.float32): "f4", np.dtype(np.float64): "f8"}


def _typed_array(v):
    """What ``go.Figure.to_dict`` makes of a non-container value: numeric arrays become
    base64 typed arrays (native float32/float64 arrays directly, the rest through Plotly's
    own ``to_typed_array_spec``), anything else is kept."""
    if type(v) is np.ndarray and v.dtype in _FAST_DTYPES and v.size and v.flags.c_contiguous:
        out = {"dtype": _FAST_DTYPES[v.dtype], "bdata": base64.b64encode(v).decode("ascii")}
        if v.ndim > 1:
            out["shape"] = str(v.shape)[1:-1]
        return out
    return to_typed_array_spec(v) if is_homogeneous_array(v) else v


def _encoded(obj):
    """``obj`` with its dicts and lists copied and the arrays that are dict values encoded
    as :func:`_typed_array`: the conversion ``go.Figure.to_dict`` does (Plotly's
    ``convert_to_base64``), in one pass that does not modify ``obj``."""
    if isinstance(obj, dict):
        out = {}
        for k, v in obj.items():
            if isinstance(v, _LEAVES) or k in _SKIPPED_KEYS:
                out[k] = v
            elif isinstance(v, _CONTAINERS):
                out[k] = _encoded(v)
            else:
                out[k] = _typed_array(v)
        return out
    if isinstance(obj, (list, tuple)):
        return [_encoded(v) if isinstance(v, _CONTAINERS) else v for v in obj]
    return obj


def spec_json(spec: dict) -> str:
    """The JSON ``go.Figure(spec).to_json()`` would send, without building the figure (and so
    without validating it): numpy arrays become the same base64 typed arrays. ``spec`` is
    not modified."""
    return pio.to_json(_encoded(spec), validate=False)


def empty_spec(message: str, title: str = "") -> dict:
    """A blank figure that says ``message`` in the middle (e.g. "no steps yet")."""
    note = {
        "text": message,
        "x": 0.5,
        "y": 0.5,
        "xref": "paper",
        "yref": "paper",
        "showarrow": False,
        "font": {"size": FONT_SIZE + 4, "color": "#7f8c8d"},
    }
    layout = style_layout(
        title, annotations=[note], xaxis={"visible": False}, yaxis={"visible": False}
    )
    return {"data": [], "layout": layout}


empty_figure = figure_builder(empty_spec, "empty_figure")


def cap_note(shown: int, total: int, what: str) -> str:
    """``" (showing 16 of 784 neurons)"`` when capped, else ``""``."""
    return f" (showing {shown} of {total} {what})" if shown < total else ""


def axis_names(i: int) -> tuple[str, str]:
    """Plotly's names of the axes of subplot ``i`` (from 1): ``("x", "y")``, ``("x2", "y2")``..."""
    return ("x", "y") if i == 1 else (f"x{i}", f"y{i}")


@functools.lru_cache(maxsize=32)
def subplot_domains(
    rows: int, cols: int, horizontal_spacing: float, vertical_spacing: float
) -> tuple[tuple[tuple[float, float], tuple[float, float]], ...]:
    """``((x domain, y domain), ...)`` of the cells of ``make_subplots(rows, cols, ...)``,
    row by row from the top left: Plotly's own grid, computed once per shape."""
    fig = make_subplots(
        rows=rows,
        cols=cols,
        horizontal_spacing=horizontal_spacing,
        vertical_spacing=vertical_spacing,
    )
    out = []
    for i in range(1, rows * cols + 1):
        suffix = "" if i == 1 else str(i)
        xd = fig.layout["xaxis" + suffix].domain
        yd = fig.layout["yaxis" + suffix].domain
        out.append(((float(xd[0]), float(xd[1])), (float(yd[0]), float(yd[1]))))
    return tuple(out)


def subplot_layout(
    rows: int,
    cols: int,
    horizontal_spacing: float,
    vertical_spacing: float,
    titles: Sequence[str] = (),
    title_size: int = 16,
) -> dict:
    """What ``make_subplots(rows, cols, subplot_titles=titles, ...)`` puts in a layout, as a
    dict: ``xaxis<i>``/``yaxis<i>`` (domain, anchor) of every cell, row by row from the top
    left, and a title annotation (``title_size`` px) above each cell with a title."""
    domains = subplot_domains(rows, cols, horizontal_spacing, vertical_spacing)
    layout: dict = {}
    notes = []
    for i, (xd, yd) in enumerate(domains, start=1):
        x, y = axis_names(i)
        layout["xaxis" + x[1:]] = {"anchor": y, "domain": list(xd)}
        layout["yaxis" + y[1:]] = {"anchor": x, "domain": list(yd)}
        if i <= len(titles) and titles[i - 1]:
            notes.append(
                {
                    "y": yd[1],
                    "xref": "paper",
                    "x": sum(xd) / 2.0,
                    "yref": "paper",
                    "text": titles[i - 1],
                    "showarrow": False,
                    "font": {"size": title_size},
                    "xanchor": "center",
                    "yanchor": "bottom",
                }
            )
    if titles:
        layout["annotations"] = notes
    return layout
