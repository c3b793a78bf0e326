"""Shared pieces of the debugger pages: which network and batch they look at, and stage display.

Each page works on the Playground's current network (``st.session_state["playground_run"]``)
when there is one, or on a small default network on XOR that it builds itself (same seed,
same numbers, every run). A selector switches between them; another picks the default
network's choices (:data:`PRESETS`: the book's sigmoid units with the quadratic cost first).
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

#: The default network's choices (activation, output activation, cost), by key.
PRESETS = {
    "book": ("sigmoid", "sigmoid", "quadratic"),  # chapter 2's network
    "cross_entropy": ("sigmoid", "sigmoid", "cross_entropy"),
    "softmax": ("tanh", "softmax", "log_likelihood"),
}
PRESET_LABELS = {
    "book": "The book's: sigmoid, quadratic cost",
    "cross_entropy": "Sigmoid, cross-entropy cost",
    "softmax": "Tanh, softmax output, log-likelihood cost",
}
DEFAULT = {"sizes": (2, 3, 2), "preset": "book", "init": "xavier", "seed": 0}
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
    class_names: tuple[str, ...] = ()  # the data's, one per output neuron (none: regression)

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
    return Subject(name, net, ds.X_train, ds.Y_train, eta, ds.class_names)


def default_subject(preset: str = DEFAULT["preset"]) -> Subject:
    """The default network with the choices of ``preset`` (a key of :data:`PRESETS`)."""
    d = DEFAULT
    name = f"Default network on xor (seed {d['seed']})"
    return xor_subject(name, d["sizes"], *PRESETS[preset], d["seed"], d["init"])


def _pick_preset(prefix: str, where=st) -> Subject:
    """A selector of the default network's choices (in ``where``), and that network."""
    preset = where.selectbox("Default network", list(PRESETS), format_func=PRESET_LABELS.get,
                             key=f"{prefix}_preset")  # fmt: skip
    return default_subject(preset if preset in PRESETS else DEFAULT["preset"])


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
        ds.class_names,
    )


def choose_subject(prefix: str, default: Subject | None = None, *, source=st, preset=st) -> Subject:
    """A selector between the Playground's network (if any) and this page's default (whose
    choices another selector picks, unless the page passes its own ``default``). The first
    goes in the container ``source``, the second in ``preset`` (e.g. a column), the caption
    naming the network in the page after them."""
    pg = playground_subject()
    choice = "default"
    if pg is not None:
        choice = source.segmented_control(
            "Network",
            list(SOURCES),
            default="playground",
            format_func=SOURCES.get,
            key=f"{prefix}_source",
        )
    if choice != "default":
        st.caption(plain(pg.describe()))
        return pg
    subject = default or _pick_preset(prefix, preset)
    if pg is None:
        st.caption(
            f"Network: {plain(subject.describe())}. Build one in the Playground to look at it here."
        )
    else:
        st.caption(f"Network: {plain(subject.describe())}")
    return subject


def pick_batch(
    subject: Subject, prefix: str, max_m: int, default_m: int = 1, cols=None, mixed=False
) -> tuple[Array, Array, int]:
    """``(X, Y, first)``: ``m`` consecutive training samples from ``first`` (wrapping).

    ``mixed``: ``first`` starts at the first batch of ``default_m`` with two classes.
    """
    c1, c2 = cols if cols is not None else st.columns(2)
    n = subject.n
    hi = min(max_m, n)
    start = mixed_start(subject.Y, min(default_m, hi)) if mixed else 0
    hint = " (the default batch holds more than one class)" if start else ""
    first = int(
        c1.number_input("First sample", 0, n - 1, start, key=f"{prefix}_first",
                        help=f"0 .. {n - 1}{hint}")
    )  # fmt: skip
    m = int(
        c2.number_input(
            "Batch size m", 1, hi, min(default_m, hi), key=f"{prefix}_m",
            help=f"Consecutive samples (at most {hi})",
        )
    )  # fmt: skip
    idx = (first + np.arange(m)) % n
    return subject.X[:, idx], subject.Y[:, idx], first


def mixed_start(Y: Array, m: int) -> int:
    """The first ``first`` whose ``m`` consecutive samples hold more than one class (the
    row of the largest target; for one output, its distinct values), else 0."""
    labels = Y.argmax(axis=0) if Y.shape[0] > 1 else Y[0]
    n = labels.shape[0]
    for first in range(n):
        if np.unique(labels[(first + np.arange(m)) % n]).size > 1:
            return first
    return 0


#: The Step-through page's layout: compact headings, so that the controls, the stage's title
#: and its equations fit one 1280x720 screen; an equation wider than its column scrolls in
#: its own box, with a scrollbar that shows (Streamlit's is transparent until hovered, which
#: looks like an equation cut off at the right).
_STAGE_CSS = """
<style>
.stMainBlockContainer { padding-top: 3.4rem; }
.stMainBlockContainer h1 { font-size: 1.6rem; padding: 0; margin: 0; }
.st-key-stage-title h3 { font-size: 1.2rem; padding: 0; }
.st-key-stage-eqs .katex { font-size: 1.1em; }
.st-key-stage-eqs .katex-display > .katex { white-space: normal; }
.st-key-stage-eqs .katex-display {
  overflow-x: auto; overflow-y: hidden; margin: 0; padding: 0.2rem 0.15rem 0.5rem;
  scrollbar-width: thin; scrollbar-color: rgba(128, 128, 128, 0.6) transparent;
}
</style>
"""


def stage_style() -> None:
    """The Step-through page's compact layout (see :data:`_STAGE_CSS`)."""
    st.html(_STAGE_CSS)


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


def digest(*arrays: Array, extra: object = ()) -> str:
    """A short digest of ``arrays`` (their shapes and values) and ``repr(extra)``."""
    h = hashlib.blake2b(digest_size=16)
    for arr in arrays:
        arr = np.ascontiguousarray(arr)
        h.update(repr(arr.shape).encode())
        h.update(arr.tobytes())
    h.update(repr(extra).encode())
    return h.hexdigest()


def fingerprint(trace: Trace) -> str:
    """A short digest of what a trace was computed from (parameters, batch, choices)."""
    return digest(trace.x, trace.y, *trace.weights, *trace.biases,
                  extra=(trace.activations, trace.cost_name))  # fmt: skip


def follow(token: str, key: str, values: dict[str, object]) -> None:
    """Set the widgets ``values`` (by widget key) when ``token``, what they show, changed
    since the last run, or when a page change dropped them: they then follow the new result
    instead of keeping the last one's choice. Call before the widgets are created."""
    ss = st.session_state
    if ss.get(key) != token or any(k not in ss for k in values):
        for k, v in values.items():
            ss[k] = v
        ss[key] = token


def cached_figure(key: tuple[Hashable, ...], build: Callable[[], go.Figure]) -> go.Figure:
    """``build()`` once per ``key`` in this session (the oldest figures are dropped)."""
    cache: dict = st.session_state.setdefault(FIGURES_KEY, {})
    if key not in cache:
        while len(cache) >= MAX_FIGURES:
            cache.pop(next(iter(cache)))
        cache[key] = build()
    return cache[key]
