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
from ..landscape import Landscape, of_trainer
from ..limits import Limits
from .common import plain
from .session import Run

CACHE_KEY = "landscape_result"
SETTINGS_KEY = "landscape_settings"  # the widgets' values, kept while the tab is closed
GRIDS = (11, 21, 31, 41, 51)
DEFAULTS = {"seed": 0, "grid": 21, "span": 1.0}
WIDGETS = {"seed": "landscape_seed", "grid": "landscape_grid", "span": "landscape_span"}


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


def cache_key(run: Run, seed: int, grid: int, span: float) -> tuple:
    return (run.revision, run.trainer.steps, seed, grid, span)


def _controls() -> tuple[int, int, float, bool]:
    now = settings()
    with st.container(horizontal=True, vertical_alignment="bottom", key="landscape-controls"):
        seed = st.number_input(
            "Directions seed", Limits.min_seed, Limits.max_seed, int(now["seed"]), 1,
            key=WIDGETS["seed"], on_change=_keep, args=("seed",), width=170,
            help="Seed of the two random directions that span the plane",
        )  # fmt: skip
        grid = st.selectbox(
            "Grid", GRIDS, GRIDS.index(now["grid"]) if now["grid"] in GRIDS else 1,
            key=WIDGETS["grid"], on_change=_keep, args=("grid",), width=130,
            format_func=lambda n: f"{n} x {n}",
        )  # fmt: skip
        span = st.number_input(
            "Span", 0.05, 10.0, float(now["span"]), 0.25, format="%.2f",
            key=WIDGETS["span"], on_change=_keep, args=("span",), width=140,
            help="The plane is drawn for a, b in [-span, span]; 1 is the size of the weights",
        )  # fmt: skip
        clicked = st.button("Compute", key="landscape_compute", icon=":material/landscape:")
    return int(seed), int(grid), float(span), clicked


def landscape_tab(run: Run) -> None:
    """Seed, grid and span; Compute; then the contour with the path beside the line from
    the initial parameters."""
    st.caption(
        "The cost around the current weights on a plane through them, spanned by two random "
        "directions scaled to each neuron's weights (Li et al. 2018, filter-normalised; "
        "biases stay put), with the path training took projected onto it, and the cost on "
        "the straight line from the initial to the current weights."
    )
    seed, grid, span, clicked = _controls()
    key = cache_key(run, seed, grid, span)
    done: Computed | None = st.session_state.get(CACHE_KEY)
    if clicked:
        with st.spinner("Computing the landscape..."):
            result = of_trainer(run.trainer, seed=seed, n=grid, span=span)
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
    title = f"Loss landscape at step {ls.step:,} (directions seed {ls.seed})"
    left.plotly_chart(viz.landscape(ls.surface, ls.path, title), key="landscape_chart")
    right.plotly_chart(viz.interpolation(ls.interpolation), key="landscape_line")
    off = float(ls.path.off_plane[0]) if len(ls.path.off_plane) else 0.0
    if off > 0.5:
        right.caption(
            plain(
                f"The path is drawn where it falls on the plane, but {off:.0%} of the move "
                "from the start to now lies off it (random directions in many dimensions are "
                "nearly orthogonal to it): it stays near the centre. Hover for the real cost."
            )
        )
