"""Heatmaps of one layer's quantities: activations, errors, weights, gradients, updates."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..trace import Trace
from ._common import (
    DIVERGING,
    check_choice,
    check_int,
    evenly,
    f32,
    figure_builder,
    style_layout,
    subplot_domains,
    sym_max,
)
from .quantities import LABELS, LAYER_QUANTITIES, PER_SAMPLE, QUANTITIES, SYMBOLS

Array = np.ndarray

MAX_CELLS = 40_000  # cells of one heatmap before rows/columns are thinned


def check_layer(layer: object, quantity: str, n_layers: int) -> int:
    """``layer`` in ``1..L`` (``0..L`` for ``"a"``, 0 being the input), else ValueError."""
    lo = 0 if quantity == "a" else 1
    note = "" if lo == 0 else " (layer 0, the input, has only 'a')"
    try:
        return check_int("layer", layer, lo, n_layers)
    except ValueError as e:
        raise ValueError(f"{e} for quantity {quantity!r}{note}") from None


def layer_values(
    trace: Trace, layer: int, quantity: str, update: Array | Sequence[Array] | None = None
) -> Array:
    """The array :func:`layer_heatmap` shows (float64, not thinned).

    ``a``/``delta``/``z``: ``(n_layer, m)``; ``w``/``nabla_w``/``update``: ``(n_layer,
    n_{layer-1})``; ``nabla_b``: ``(n_layer, 1)``. ``update`` is the layer's ``Delta w``
    array or the trainer's flat ``last_update`` list ``[dw_0, db_0, dw_1, ...]``.
    """
    check_choice("quantity", quantity, QUANTITIES)
    layer = check_layer(layer, quantity, trace.n_layers)
    if quantity == "update":
        i = layer - 1
        shape = trace.weights[i].shape
        if update is None:
            raise ValueError(
                "quantity 'update' needs update=: the layer's Δw array of shape "
                f"{shape} or the trainer's last_update list"
            )
        if not isinstance(update, np.ndarray):
            update = list(update)
            if len(update) != 2 * trace.n_layers:
                raise ValueError(
                    f"update list must be [dw_0, db_0, ...] with {2 * trace.n_layers} arrays, "
                    f"got {len(update)}"
                )
            update = update[2 * i]
        update = np.asarray(update, dtype=np.float64)
        if update.shape != shape:
            raise ValueError(
                f"update for layer {layer} must have shape {shape}, got {update.shape}"
            )
        return update
    return LAYER_QUANTITIES[quantity].of(trace, layer)


def thin(values: Array, max_cells: int) -> tuple[Array, Array, Array]:
    """``(values[rows][:, cols], rows, cols)`` with at most ``max_cells`` cells, evenly spread."""
    r, c = values.shape
    rr, cc = r, c
    if r * c > max_cells:
        if c >= r:
            cc = min(c, max(1, max_cells // rr))
            rr = min(r, max(1, max_cells // cc))
        else:
            rr = min(r, max(1, max_cells // cc))
            cc = min(c, max(1, max_cells // rr))
    rows, cols = evenly(r, rr), evenly(c, cc)
    return values[np.ix_(rows, cols)], rows, cols


def hovertemplate(layer: int, quantity: str) -> str:
    """E.g. ``"w[2][%{y},%{x}] = %{z:.4g}"``: names the neuron or weight under the cursor."""
    sym = SYMBOLS[quantity]
    if quantity in PER_SAMPLE:
        name = "x" if quantity == "a" and layer == 0 else f"{sym}[{layer}]"
        return name + "[%{y}] (sample %{x}) = %{z:.4g}<extra></extra>"
    if quantity == "nabla_b":
        return f"{sym}[{layer}][%{{y}}] = %{{z:.4g}}<extra></extra>"
    return f"{sym}[{layer}][%{{y}},%{{x}}] = %{{z:.4g}}<extra></extra>"


def heatmap_trace(
    values: Array, rows: Array, cols: Array, layer: int, quantity: str, zmax: float
) -> dict:
    """A diverging heatmap trace dict centred at 0 with range ``[-zmax, zmax]``."""
    return {
        "type": "heatmap",
        "z": f32(values),
        "x": f32(cols),
        "y": f32(rows),
        "zmin": -zmax,
        "zmax": zmax,
        "zmid": 0.0,
        "colorscale": DIVERGING,
        "colorbar": {"title": {"text": SYMBOLS[quantity]}},
        "hovertemplate": hovertemplate(layer, quantity),
        "hoverongaps": False,
        "name": f"{quantity}[{layer}]",
    }


def axis_titles(layer: int, quantity: str) -> tuple[str, str]:
    """``(x title, y title)`` for a layer heatmap."""
    if quantity in PER_SAMPLE:
        what = "input feature" if layer == 0 else f"neuron j of layer {layer}"
        return "probe sample (column of X)", what
    if quantity == "nabla_b":
        return "", f"neuron j of layer {layer}"
    return f"from neuron k (layer {layer - 1})", f"to neuron j (layer {layer})"


def heatmap_layout_spec(layer: int, quantity: str, title: str, shape: tuple[int, int]) -> dict:
    """Axis titles, row 0 on top, one tick per row/column when there are few (``shape``)."""
    xt, yt = axis_titles(layer, quantity)
    xaxis = {"title": {"text": xt}, "showgrid": False, "showticklabels": quantity != "nabla_b"}
    yaxis = {"title": {"text": yt}, "autorange": "reversed", "showgrid": False}
    if shape[1] <= 20:
        xaxis["dtick"] = 1
    if shape[0] <= 20:
        yaxis["dtick"] = 1
    return style_layout(title, xaxis=xaxis, yaxis=yaxis)


def layer_title(layer: int, quantity: str) -> str:
    where = "input" if layer == 0 else f"layer {layer}"
    return f"{LABELS[quantity]} — {where}"


def layer_heatmap_spec(
    trace: Trace,
    layer: int,
    quantity: str,
    update: Array | Sequence[Array] | None = None,
    *,
    max_cells: int = MAX_CELLS,
) -> dict:
    """Heatmap of one layer's ``quantity`` (one of :data:`QUANTITIES`).

    ``a``/``delta``/``z``: rows are neurons, columns the trace's samples; ``w``/``nabla_w``
    /``update``: ``(n_out, n_in)`` with ``w[l][j, k]`` in row j, column k; ``nabla_b`` one
    column. Layers count from 1 (layer l is fed by ``weights[l-1]``); layer 0 is the input
    (``"a"`` only). Diverging colours with ``zmin = -zmax``, ``zmax = max|v|``. Arrays over
    ``max_cells`` cells are thinned to evenly spaced rows/columns (said in the title).
    """
    values = layer_values(trace, layer, quantity, update)
    shown, rows, cols = thin(values, check_int("max_cells", max_cells, 1, 10**8))
    zmax = sym_max(values)
    note = ""
    if shown.size < values.size:
        note = f" (showing {len(rows)}×{len(cols)} of {values.shape[0]}×{values.shape[1]})"
    title = layer_title(layer, quantity) + note
    return {
        "data": [heatmap_trace(shown, rows, cols, layer, quantity, zmax)],
        "layout": heatmap_layout_spec(layer, quantity, title, (len(rows), len(cols))),
    }


layer_heatmap = figure_builder(layer_heatmap_spec)


GRID_QUANTITIES = ("a", "delta", "w", "nabla_w")


def layer_grid_spec(
    trace: Trace, quantities: Sequence[str] = GRID_QUANTITIES, *, max_cells: int = 4_000
) -> dict:
    """Every layer's ``a``, ``delta``, ``w`` and ``nabla_w`` (or ``quantities``) as small
    heatmaps: quantities in rows, layers ``1..L`` in columns, each cell on its own
    symmetric range. The live board redraws it every frame, so every cell is thinned to
    ``max_cells`` cells."""
    L = trace.n_layers
    qs = [check_choice("quantity", q, QUANTITIES) for q in quantities]
    domains = subplot_domains(len(qs), L, min(0.04, 0.3 / L), 0.09)
    traces, notes, axes = [], [], {}
    for i, ((xd, yd), (q, l)) in enumerate(
        zip(domains, [(q, l) for q in qs for l in range(1, L + 1)]), start=1
    ):
        values = layer_values(trace, l, q)
        shown, rows, cols = thin(values, max_cells)
        t = heatmap_trace(shown, rows, cols, l, q, sym_max(values))
        sfx = "" if i == 1 else str(i)
        t.update(xaxis="x" + sfx, yaxis="y" + sfx, showscale=False)
        traces.append(t)
        axes["xaxis" + sfx] = {"domain": list(xd), "anchor": "y" + sfx, "visible": False}
        axes["yaxis" + sfx] = {
            "domain": list(yd),
            "anchor": "x" + sfx,
            "visible": False,
            "autorange": "reversed",
        }
        notes.append(
            {
                "text": f"{SYMBOLS[q]}<sup>{l}</sup>",
                "x": (xd[0] + xd[1]) / 2,
                "y": yd[1],
                "xref": "paper",
                "yref": "paper",
                "xanchor": "center",
                "yanchor": "bottom",
                "showarrow": False,
            }
        )
    layout = style_layout(
        "Every layer: a, δ, w, ∂C/∂w",
        "columns: layers 1..L; red > 0, blue < 0",
        annotations=notes,
        **axes,
    )
    return {"data": traces, "layout": layout}


layer_grid = figure_builder(layer_grid_spec)
