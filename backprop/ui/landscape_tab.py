"""The Playground's Landscape tab: the loss around the current parameters, on demand.

The surface, the path on it and the line from the initial parameters
(:func:`backprop.landscape.of_trainer`) are computed when Compute is pressed, not on every
Step, and kept in the session with what they were computed for (the run, its revision and
step, the seed, grid and span): a later Step leaves the old picture on screen, saying so.
The settings are kept while the tab is closed (Streamlit drops the state of widgets it does
not draw).
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass

import streamlit as st

from .. import viz
from ..landscape import PLANES, Landscape, of_trainer
from ..limits import Limits
from .common import plain
from .live import chart
from .session import Run

CACHE_KEY = "landscape_result"
SETTINGS_KEY = "landscape_settings"  # the widgets' values, kept while the tab is closed
GRIDS = (11, 21, 31, 41, 51)
DEFAULTS = {"plane": "random", "seed": 0, "grid": 21, "span": 1.0}
WIDGETS = {
    "plane": "landscape_plane",
    "seed": "landscape_seed",
    "grid": "landscape_grid",
    "span": "landscape_span",
}
PLANE_LABELS = {"random": "Random directions", "path": "Along the path (PCA)"}
assert set(PLANE_LABELS) == set(PLANES)


@dataclass(frozen=True)
class Computed:
    """A landscape and what it was computed for (``run`` is a weak reference)."""

    run: weakref.ref
    key: tuple
    landscape: Landscape


def settings() -> dict:
    """The tab's seed, grid and span (the kept values, defaults where unset)."""
    return {**DEFAULTS, **st.session_state.get(SETTINGS_KEY, {})}


def _keep(name: str) -> None:
    st.session_state[SETTINGS_KEY] = {**settings(), name: st.session_state[WIDGETS[name]]}


def cache_key(run: Run, seed: int, grid: int, span: float, plane: str = "random") -> tuple:
    return (run.revision, run.trainer.steps, seed, grid, span, plane)


def _controls() -> tuple[str, int, int, float, bool]:
    now = settings()
    with st.container(horizontal=True, vertical_alignment="bottom", key="landscape-controls"):
        planes = list(PLANE_LABELS)
        plane = st.selectbox(
            "Plane", planes, planes.index(now["plane"]) if now["plane"] in planes else 0,
            key=WIDGETS["plane"], on_change=_keep, args=("plane",), width=200,
            format_func=PLANE_LABELS.get,
            help="Random directions show the landscape's shape around the weights; the path's "
            "own two main directions show the route training took across it",
        )  # fmt: skip
        seed = st.number_input(
            "Directions seed", Limits.min_seed, Limits.max_seed, int(now["seed"]), 1,
            key=WIDGETS["seed"], on_change=_keep, args=("seed",), width=170,
            help="Seed of the two random directions that span the plane",
            disabled=plane != "random",
        )  # fmt: skip
        grid = st.selectbox(
            "Grid", GRIDS, GRIDS.index(now["grid"]) if now["grid"] in GRIDS else 1,
            key=WIDGETS["grid"], on_change=_keep, args=("grid",), width=130,
            format_func=lambda n: f"{n} x {n}",
        )  # fmt: skip
        span = st.number_input(
            "Span", 0.05, 10.0, float(now["span"]), 0.25, format="%.2f",
            key=WIDGETS["span"], on_change=_keep, args=("span",), width=140,
            help="The plane is drawn for a, b in [-span, span]; 1 is the size of the weights "
            "(along the path: 1 reaches a quarter past its farthest point)",
        )  # fmt: skip
        clicked = st.button("Compute", key="landscape_compute", icon=":material/landscape:")
    return str(plane), int(seed), int(grid), float(span), clicked


def landscape_tab(run: Run) -> None:
    """Seed, grid and span; Compute; then the contour with the path beside the line from
    the initial parameters."""
    st.caption(
        "The cost around the current weights on a plane through them, spanned by two random "
        "directions scaled to each neuron's weights (Li et al. 2018, filter-normalised; "
        "biases stay put), or by the path's own two main directions (Plane), with the path "
        "training took projected onto it, and the cost on the straight line from the "
        "initial to the current weights."
    )
    plane, seed, grid, span, clicked = _controls()
    key = cache_key(run, seed, grid, span, plane)
    done: Computed | None = st.session_state.get(CACHE_KEY)
    if clicked:
        try:
            with st.spinner("Computing the landscape..."):
                result = of_trainer(run.trainer, seed=seed, n=grid, span=span, plane=plane)
        except ValueError as e:  # e.g. a path too short to span a plane
            st.warning(
                plain(f"No landscape: {e}. Train a few steps more, or use random directions.")
            )
            return
        done = st.session_state[CACHE_KEY] = Computed(weakref.ref(run), key, result)
    if done is None or done.run() is not run:
        st.info("Press Compute to draw the landscape at this step.")
        return
    _show(done, key, run)


def _show(done: Computed, key: tuple, run: Run) -> None:
    ls = done.landscape
    if done.key != key:
        st.caption(
            plain(
                f"Drawn at step {ls.step:,} (seed {ls.seed}, {ls.surface.alphas.size} x "
                f"{ls.surface.alphas.size}); now at step {run.trainer.steps:,}, or the "
                "settings changed: press Compute to draw it again."
            )
        )
    said = "; ".join(ls.notes) or f"cost on all {ls.surface.samples:,} training samples"
    st.caption(plain(said[0].upper() + said[1:] + "."))
    left, right = st.columns([3, 2])
    how = f"directions seed {ls.seed}" if ls.plane == "random" else "the path's main directions"
    title = f"Loss landscape at step {ls.step:,} ({how})"
    chart(
        viz.landscape(ls.surface, ls.path, title), "loss landscape", "landscape_chart", where=left
    )
    chart(viz.interpolation(ls.interpolation), "loss on the line", "landscape_line", where=right)
    off = float(ls.path.off_plane[0]) if len(ls.path.off_plane) else 0.0
    if off > 0.5 and ls.plane == "random":
        right.caption(
            plain(
                f"The path is drawn where it falls on the plane, but {off:.0%} of the move "
                "from the start to now lies off it (random directions in many dimensions are "
                "nearly orthogonal to it): it stays near the centre. Hover for the real cost, "
                "or pick the plane along the path."
            )
        )
