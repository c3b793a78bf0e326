"""Training as a movie: recorded snapshots as Plotly frames with a slider and Play/Pause."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..history import Snapshot
from ._common import (
    FONT_SIZE,
    check_choice,
    check_int,
    empty_spec,
    evenly,
    f32,
    figure_builder,
    merge,
    sym_max,
)
from .layers import check_layer, heatmap_layout_spec, heatmap_trace, layer_title, layer_values, thin
from .network import (
    VIEWS,
    check_sample,
    colour_max,
    edge_array,
    edge_geometry,
    edge_values,
    graph_layout,
    graph_layout_spec,
    graph_note,
    graph_title,
    graph_traces,
    pick_edges,
    slim,
)
from .quantities import LABELS, QUANTITIES

Array = np.ndarray

MAX_FRAMES = 60
MAX_ANIMATION_CELLS = 80_000  # heatmap cells over all frames (~430 KB of JSON)
EDGE_FRAME_BUDGET = 6_000  # edges x frames of a network animation (~300 KB of JSON)
MIN_EDGES = 24
FRAME_MS = 300  # Play speed: milliseconds per frame
NO_SNAPSHOTS = "no snapshots yet (train with snapshot_every > 0)"


def pick_frames(snapshots: Sequence[Snapshot], max_frames: int = MAX_FRAMES) -> list[Snapshot]:
    """At most ``max_frames`` snapshots, evenly spaced, first and last kept."""
    snaps = list(snapshots)
    return [snaps[i] for i in evenly(len(snaps), max_frames)]


def snapshot_values(
    snap: Snapshot, layer: int, quantity: str, prev: Snapshot | None = None
) -> Array:
    """A snapshot's ``quantity`` of ``layer``; ``"update"`` is ``w`` minus ``prev``'s ``w``
    (zeros without ``prev``), i.e. the net change since the previous frame."""
    check_choice("quantity", quantity, QUANTITIES)
    layer = check_layer(layer, quantity, len(snap.weights))
    if quantity in ("w", "update"):
        w = np.asarray(snap.weights[layer - 1])
        if quantity == "w":
            return w
        return w - np.asarray(prev.weights[layer - 1]) if prev is not None else np.zeros_like(w)
    if snap.trace is None:
        raise ValueError(f"the snapshot at step {snap.step} has no trace for {quantity!r}")
    return layer_values(snap.trace, layer, quantity)


def _frame_title(base: str, snap: Snapshot) -> dict:
    return {
        "text": f"{base} — step {snap.step} (epoch {snap.epoch})",
        "font": {"size": FONT_SIZE + 4},
        "x": 0.01,
        "xanchor": "left",
    }


def step_controls(snaps: Sequence[Snapshot], duration: int = FRAME_MS) -> dict:
    """A "step N" slider (one step per frame, named by step) and Play/Pause buttons."""
    return frame_controls([str(s.step) for s in snaps], duration, "step ")


def _play(duration: float) -> dict:
    return {
        "frame": {"duration": duration, "redraw": True},
        "mode": "immediate",
        "fromcurrent": True,
        "transition": {"duration": 0},
    }


def frame_controls(
    names: Sequence[str],
    duration: int = FRAME_MS,
    prefix: str = "",
    speeds: Sequence[float] = (),
) -> dict:
    """Layout to merge into an animation's (:func:`~._common.merge`): a slider with one
    step per frame (labelled by the frame's name), Play/Pause buttons and, given ``speeds``
    (e.g. ``(0.5, 1, 2)``), one button each that plays at that speed (``duration / speed``
    ms per frame) from the current frame, and room for them below the plot."""
    still = {"frame": {"duration": 0, "redraw": True}, "mode": "immediate"}
    still["transition"] = {"duration": 0}
    steps = [{"label": n, "method": "animate", "args": [[n], still]} for n in names]
    pause = {"frame": {"duration": 0, "redraw": False}, "mode": "immediate"}
    buttons = [
        {"label": "▶ Play", "method": "animate", "args": [None, _play(duration)]},
        {"label": "❚❚ Pause", "method": "animate", "args": [[None], pause]},
    ]
    buttons += [
        {"label": f"{v:g}×", "method": "animate", "args": [None, _play(duration / v)]}
        for v in speeds
    ]
    return dict(
        sliders=[
            {
                "active": 0,
                "currentvalue": {"prefix": prefix, "font": {"size": FONT_SIZE}},
                "pad": {"t": 40, "b": 10},
                "len": 0.78 if not speeds else 0.6,
                "x": 0.22 if not speeds else 0.4,
                "steps": steps,
            }
        ],
        updatemenus=[
            {
                "type": "buttons",
                "direction": "left",
                "showactive": False,
                "x": 0.0,
                "y": 0.0,
                "xanchor": "left",
                "yanchor": "top",
                "pad": {"t": 55, "r": 10},
                "buttons": buttons,
            }
        ],
        margin={"b": 130},
    )


def _frames_note(n_shown: int, n_total: int) -> str:
    return f" ({n_shown} of {n_total} snapshots)" if n_shown < n_total else ""


def layer_animation_spec(
    snapshots: Sequence[Snapshot],
    layer: int,
    quantity: str,
    *,
    max_frames: int = MAX_FRAMES,
    max_cells: int = MAX_ANIMATION_CELLS,
    duration: int = FRAME_MS,
) -> dict:
    """:func:`layer_heatmap` of each snapshot as one frame (named by its step).

    The colour range is fixed over the frames (``zmax`` = max ``|v|`` of all of them), so
    colours compare across time. ``"update"`` is the change of ``w`` since the previous
    frame. At most ``max_frames`` frames (evenly spaced) and ``max_cells`` cells in all.
    """
    check_choice("quantity", quantity, QUANTITIES)
    max_cells = check_int("max_cells", max_cells, 1, 10**8)
    snaps = pick_frames(snapshots, check_int("max_frames", max_frames, 1, 10**4))
    if not snaps:
        return empty_spec(NO_SNAPSHOTS, f"{LABELS[quantity]} over training")
    values = [
        snapshot_values(s, layer, quantity, snaps[i - 1] if i else None)
        for i, s in enumerate(snaps)
    ]
    zmax = sym_max(*values)
    per_frame = max(1, max_cells // len(snaps))
    first, rows, cols = thin(values[0], per_frame)
    base = layer_title(layer, quantity)
    if quantity == "update":
        base = f"Δw since the previous frame — layer {layer}"
    note = _frames_note(len(snaps), len(snapshots))
    if first.size < values[0].size:
        note += f" (showing {len(rows)}×{len(cols)} of {values[0].shape[0]}×{values[0].shape[1]})"
    base += note
    frames = [
        {
            "data": [{"type": "heatmap", "z": f32(v[np.ix_(rows, cols)])}],
            "name": str(s.step),
            "layout": {"title": _frame_title(base, s)},
        }
        for s, v in zip(snaps, values)
    ]
    title = _frame_title(base, snaps[0])["text"]
    layout = heatmap_layout_spec(layer, quantity, title, (len(rows), len(cols)))
    return {
        "data": [heatmap_trace(first, rows, cols, layer, quantity, zmax)],
        "layout": merge(layout, step_controls(snaps, duration)),
        "frames": frames,
    }


layer_animation = figure_builder(layer_animation_spec)


def network_animation_spec(
    snapshots: Sequence[Snapshot],
    sample: int = 0,
    view: str = "forward",
    *,
    max_frames: int = MAX_FRAMES,
    max_neurons: int = 12,
    max_edges: int | None = None,
    duration: int = FRAME_MS,
) -> dict:
    """:func:`network_graph` of each snapshot's probe trace as one frame (named by step).

    Node colours and edge widths use one scale over all frames, and every frame draws the
    same edges (the largest ``max |v|`` over the frames). Caps: ``max_frames`` frames,
    ``max_neurons`` per layer, ``max_edges`` edges (default: ``EDGE_FRAME_BUDGET`` over
    the number of frames, to bound the figure's size); the title says so.
    """
    check_choice("view", view, VIEWS)
    snaps = pick_frames(snapshots, check_int("max_frames", max_frames, 1, 10**4))
    if not snaps:
        return empty_spec(NO_SNAPSHOTS, "network over training")
    if any(s.trace is None for s in snaps):
        raise ValueError("network_animation needs snapshots with a trace")
    traces = [s.trace for s in snaps]
    sample = check_sample(traces[0], sample)
    if max_edges is None:
        max_edges = max(MIN_EDGES, EDGE_FRAME_BUDGET // len(snaps))
    max_edges = check_int("max_edges", max_edges, 1, 10**6)
    lay = graph_layout(traces[0].sizes, check_int("max_neurons", max_neurons, 1, 10**4))
    geo = edge_geometry(lay)
    vs = np.vstack([np.abs(edge_array(edge_values(t, view), geo)) for t in traces])
    keep = pick_edges(np.nanmax(vs, axis=0) if len(vs) else vs, max_edges)
    emax = sym_max(*[v for t in traces for v in edge_values(t, view)])
    cmax = max(colour_max(t, sample, view) for t in traces)
    built = [graph_traces(t, sample, view, lay, emax, keep) for t in traces]
    note = graph_note(len(keep), vs.shape[1], lay)
    base = graph_title(view, sample) + (f" ({note})" if note else "")
    base += _frames_note(len(snaps), len(snapshots))
    frames = [
        {
            "data": [slim(t) for t in tr],
            "name": str(s.step),
            "layout": {"title": _frame_title(base, s)},
        }
        for s, tr in zip(snaps, built)
    ]
    layout = graph_layout_spec(lay, view, cmax, _frame_title(base, snaps[0])["text"])
    return {
        "data": built[0],
        "layout": merge(layout, step_controls(snaps, duration)),
        "frames": frames,
    }


network_animation = figure_builder(network_animation_spec)
