"""Shared pieces of the debugger pages: which network and batch they look at, and stage display.

Each page works on the Playground's current network (``st.session_state["playground_run"]``)
when there is one, or on a small default network on XOR that it builds itself (same seed,
same numbers, every run). A selector switches between them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Hashable
from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from .. import Network
from ..datasets import load
from ..debug.stages import Stage
from ..trace import Trace
from .common import plain
from .session import RUN_KEY

Array = np.ndarray

DEFAULT = {"sizes": (2, 3, 2), "activation": "tanh", "output_activation": "softmax",
           "cost": "log_likelihood", "init": "xavier", "seed": 0}  # fmt: skip
DEFAULT_ETA = 0.1
FIGURES_KEY = "debugger_figures"
MAX_FIGURES = 48  # per session: building a Plotly figure costs far more than showing it
SOURCES = {"playground": "The Playground's network", "default": "A small default network"}


@dataclass(frozen=True, eq=False)
class Subject:
    """A network (a copy: pages may perturb it) with its training data, samples as columns."""

    name: str
    net: Network
    X: Array  # (n_in, n)
    Y: Array  # (n_out, n)
    eta: float

    @property
    def n(self) -> int:
        return int(self.X.shape[1])

    def describe(self) -> str:
        net = self.net
        return (
            f"{self.name}: sizes {list(net.sizes)}, {net.activation} hidden, "
            f"{net.output_activation} output, {net.cost_name} cost"
        )


@st.cache_data(max_entries=4, show_spinner=False)
def _xor(n_samples: int = 200, seed: int = 0):
    return load("xor", n_samples=n_samples, seed=seed)


def xor_subject(
    name: str,
    sizes,
    activation: str,
    output_activation: str,
    cost: str,
    seed: int = 0,
    init: str = "xavier",
    eta: float = DEFAULT_ETA,
) -> Subject:
    """A fresh network on the XOR training data (deterministic: the same every run)."""
    ds = _xor()
    net = Network(list(sizes), activation, output_activation, cost, init=init, seed=seed)
    return Subject(name, net, ds.X_train, ds.Y_train, eta)


def default_subject() -> Subject:
    d = DEFAULT
    return xor_subject(
        f"Default network on xor (seed {d['seed']})",
        d["sizes"],
        d["activation"],
        d["output_activation"],
        d["cost"],
        d["seed"],
        d["init"],
    )


def playground_subject() -> Subject | None:
    """A copy of the Playground's current network with its training data, if there is one."""
    run = st.session_state.get(RUN_KEY)
    if run is None:
        return None
    ds = run.dataset
    return Subject(
        f"The Playground's network ({run.cfg.dataset}, step {run.trainer.steps})",
        run.net.copy(),
        ds.X_train,
        ds.Y_train,
        float(run.cfg.eta),
    )


def choose_subject(prefix: str, default: Subject | None = None) -> Subject:
    """A selector between the Playground's network (if any) and this page's default."""
    pg = playground_subject()
    fallback = default or default_subject()
    if pg is None:
        st.caption(
            f"Network: {plain(fallback.describe())}. Build one in the Playground to look at it "
            "here."
        )
        return fallback
    choice = st.segmented_control(
        "Network",
        list(SOURCES),
        default="playground",
        format_func=SOURCES.get,
        key=f"{prefix}_source",
    )
    subject = fallback if choice == "default" else pg
    st.caption(plain(subject.describe()))
    return subject


def pick_batch(
    subject: Subject, prefix: str, max_m: int, default_m: int = 1, cols=None
) -> tuple[Array, Array, int]:
    """``(X, Y, first)``: ``m`` consecutive training samples from ``first`` (wrapping)."""
    c1, c2 = cols if cols is not None else st.columns(2)
    n = subject.n
    first = int(
        c1.number_input("First sample", 0, n - 1, 0, key=f"{prefix}_first", help=f"0 .. {n - 1}")
    )
    hi = min(max_m, n)
    m = int(
        c2.number_input(
            "Batch size m", 1, hi, min(default_m, hi), key=f"{prefix}_m",
            help=f"Consecutive samples (at most {hi})",
        )
    )  # fmt: skip
    idx = (first + np.arange(m)) % n
    return subject.X[:, idx], subject.Y[:, idx], first


def show_stage(stage: Stage) -> None:
    """The stage's equation in symbols, with the numbers, and whole vectors when small."""
    st.latex(stage.template)
    for line in stage.numbers:
        st.latex(line)
    if stage.full:
        with st.container(border=True, key="stage-full"):
            st.caption("The whole layer")
            for line in stage.full:
                st.latex(line)
    for note in stage.notes:
        st.caption(plain(note))


def fmt_table(df):
    """Errors in scientific notation and pass/fail as words, for ``st.dataframe``."""
    out = df.copy()
    for col in ("max_abs_error", "max_rel_error"):
        if col in out:
            out[col] = out[col].map(lambda v: f"{v:.2e}")
    if "passed" in out:
        out["passed"] = out["passed"].map({True: "pass", False: "FAIL"})
    return out


def fingerprint(trace: Trace) -> str:
    """A short digest of what a trace was computed from (parameters, batch, choices)."""
    h = hashlib.blake2b(digest_size=16)
    for arr in (trace.x, trace.y, *trace.weights, *trace.biases):
        h.update(np.ascontiguousarray(arr).tobytes())
    h.update(repr((trace.activations, trace.cost_name)).encode())
    return h.hexdigest()


def cached_figure(key: tuple[Hashable, ...], build: Callable[[], go.Figure]) -> go.Figure:
    """``build()`` once per ``key`` in this session (the oldest figures are dropped)."""
    cache: dict = st.session_state.setdefault(FIGURES_KEY, {})
    if key not in cache:
        while len(cache) >= MAX_FIGURES:
            cache.pop(next(iter(cache)))
        cache[key] = build()
    return cache[key]
