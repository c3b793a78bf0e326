"""Two runs side by side on the Playground: pin run A, change a setting, train run B.

"Pin as A" (the Compare tab) keeps a :class:`Pinned` copy of the session's run: its config,
step, history frame and a copy of its network, never its trainer. While A is pinned, every
change of a setting rebuilds the session's run from the seed (``session.current_run(...,
fresh=True)``), and that run is B. The tab names what B changes, overlays A's and B's cost,
accuracy and per-layer gradient norms, and draws both networks' output side by side.

The URL carries A as ``pin`` (its config's query string) and ``pin_step``
(``config.pin_query``, written by :func:`to_url`). A link this session did not write is
read by :func:`restore`: A's config is checked like the sidebar's, its step like the
moment's (``moment.max_step``), and A is rebuilt from its seed and replayed to its step in
budgeted ticks of a timed fragment (:func:`replay_panel`, with a progress bar), then pinned.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from .. import viz
from ..datasets import Dataset
from ..network import Network
from ..validation import whole_number
from .common import plain
from .config import (
    PIN_URL_KEYS,
    UPLOADED,
    PlaygroundConfig,
    data_differs,
    describe_differences,
    pin_from_query,
    pin_query,
)
from .live import chart
from .moment import max_step, steps_per_epoch
from .session import RUN_KEY, Run, build_run, load_dataset
from .views import net_output_spec

PIN_KEY = "pg_pinned"  # the pinned run A
REPLAY_KEY = "pg_pin_replay"  # A being replayed from a link, until it reaches its step
URL_STATE_KEY = "pg_pin_url"  # the pin parameters this session last wrote or read
TICKED_KEY = "pg_pin_ticked"  # set while a full run's replay_panel has trained its tick
REPLAY_BUDGET = 0.25  # seconds of training per tick of A's replay
REPLAY_EVERY = 0.4  # seconds between the ticks
LABELS = ("A", "B")
B_TO_A = "Training B"  # the progress bar: "Training B to step 8"


@dataclass(frozen=True)
class Pinned:
    """Run A as it was when pinned: what the Compare tab needs to show it."""

    cfg: PlaygroundConfig
    step: int
    epoch: int
    history: pd.DataFrame  # the trainer's history_frame(), a copy
    net: Network  # a copy: B's training never touches it
    dataset: Dataset  # read-only, shared with the runs that use it
    probe: tuple[np.ndarray, np.ndarray]  # the trainer's probe batch (X, Y)
    retuned: bool = False  # a training setting changed mid-run: a link replays the last one
    notes: tuple[str, ...] = ()

    @classmethod
    def of(cls, run: Run, notes: tuple[str, ...] = ()) -> Pinned:
        tr = run.trainer
        return cls(
            cfg=run.cfg,
            step=tr.steps,
            epoch=tr.epochs,
            history=tr.history_frame().copy(),
            net=run.net.copy(),
            dataset=run.dataset,
            probe=tr.probe,
            retuned=run.retuned,
            notes=notes,
        )


@dataclass
class Replay:
    """A being rebuilt from a link: its own run (never the session's), trained to ``target``."""

    run: Run
    target: int
    notes: tuple[str, ...] = ()  # the link's notices, kept with A (shown in the tab)


def pinned() -> Pinned | None:
    """This session's pinned run A, if any."""
    return st.session_state.get(PIN_KEY)


def active() -> bool:
    """A is pinned or being replayed (then a change of setting rebuilds B from the seed)."""
    return pinned() is not None or st.session_state.get(REPLAY_KEY) is not None


# ------------------------------------------------------------------------ buttons
def _pin() -> None:
    run: Run | None = st.session_state.get(RUN_KEY)
    if run is not None:
        st.session_state[PIN_KEY] = Pinned.of(run)
        st.session_state.pop(REPLAY_KEY, None)


def _unpin() -> None:
    st.session_state.pop(PIN_KEY, None)
    st.session_state.pop(REPLAY_KEY, None)


def _train_b_to_a() -> None:
    run: Run | None = st.session_state.get(RUN_KEY)
    pin = pinned()
    if run is not None and pin is not None and run.trainer.steps < pin.step:
        run.play.to_step(pin.step, label=B_TO_A)


# -------------------------------------------------------------------------- URL
def _url_pin() -> dict[str, str]:
    params = st.query_params.to_dict()
    return {k: params[k] for k in PIN_URL_KEYS if k in params}


def _wanted() -> dict[str, str]:
    """The pin parameters for what is pinned (or being replayed), else none."""
    pin, rep = pinned(), st.session_state.get(REPLAY_KEY)
    if pin is not None:
        return pin_query(pin.cfg, pin.step)
    if rep is not None:
        return pin_query(rep.run.cfg, rep.target)
    return {}


def to_url() -> None:
    """Put the pinned run into the URL (or take it out), if that changed."""
    want = _wanted()
    if want != _url_pin():
        params = st.query_params.to_dict()
        rest = {k: v for k, v in params.items() if k not in PIN_URL_KEYS}
        st.query_params.from_dict({**rest, **want})
    st.session_state[URL_STATE_KEY] = want


def _dataset_for(cfg: PlaygroundConfig, run: Run) -> Dataset:
    """A's data: B's when both make the same data (an upload only then), else loaded."""
    if not data_differs(cfg, run.cfg) and cfg.features == run.cfg.features:
        return run.dataset
    if cfg.dataset in UPLOADED:
        raise ValueError(f"its data set {cfg.dataset!r} is an upload this session does not hold")
    return load_dataset(cfg)


def _pin_step(raw: str | None, run_a: Run) -> int:
    """A's step from the link, within the moment's limits; ValueError naming what is wrong."""
    if raw is None:
        raise ValueError("pin_step is missing")
    if len(raw) > 20:
        raise ValueError("pin_step is too long")
    step = whole_number("pin_step", raw, minimum=0)
    top = max_step(run_a)
    if step > top:
        limit, spe = run_a.net.limits.max_epochs, steps_per_epoch(run_a)
        raise ValueError(f"pin_step must be <= {top:,}: {limit:,} epochs of {spe} steps")
    return step


def _read_link(url: dict[str, str], run: Run) -> tuple[Replay | None, list[str]]:
    """A's replay from the link's pin parameters (None if refused) and notices."""
    if "pin" not in url:
        return None, ["URL parameter 'pin_step' has no 'pin' beside it; nothing pinned."]
    try:
        cfg, notices = pin_from_query(url["pin"], run.net.limits)
    except ValueError as e:
        return None, [f"URL parameter 'pin' is invalid ({e}); nothing pinned."]
    notices = [f"Pinned run A: {n}" for n in notices]
    try:
        run_a = build_run(cfg, _dataset_for(cfg, run))
        step = _pin_step(url.get("pin_step"), run_a)
    except ValueError as e:
        return None, [*notices, f"Cannot rebuild the pinned run A ({e}); nothing pinned."]
    return Replay(run_a, step, tuple(notices)), notices


def restore(run: Run) -> None:
    """Read a link's pinned run (once: when the URL holds pin parameters this session did
    not write), with a notice for each refused value, and start replaying A to its step."""
    url = _url_pin()
    if not url or url == st.session_state.get(URL_STATE_KEY):
        return
    st.session_state[URL_STATE_KEY] = url
    replay, notices = _read_link(url, run)
    for notice in notices:
        st.warning(plain(notice), icon=":material/link_off:")
    if replay is not None:
        st.session_state.pop(PIN_KEY, None)
        st.session_state[REPLAY_KEY] = replay  # trained by replay_panel's ticks


# ------------------------------------------------------------------------ replay
def _advance(replay: Replay, budget: float | None = None) -> bool:
    """Train A toward its step for ``budget`` seconds; True (and A pinned) once there, or
    when training diverged (A is pinned where it stopped, with the reason)."""
    run, t0 = replay.run, time.perf_counter()
    budget = REPLAY_BUDGET if budget is None else budget
    ok = True
    while run.trainer.steps < replay.target and time.perf_counter() - t0 < budget:
        if not (ok := run.train(steps=1)):
            break
    if ok and run.trainer.steps < replay.target:
        return False
    notes = replay.notes + (() if ok else (f"Replaying A: {run.diverged}",))
    st.session_state[PIN_KEY] = Pinned.of(run, notes)
    st.session_state.pop(REPLAY_KEY, None)
    return True


def replay_panel() -> None:
    """A's replay from a link: a tick of training in this run, then one every
    ``REPLAY_EVERY`` seconds with a progress bar, and a full rerun once A is pinned (the
    Compare tab shows it). Nothing while no replay is under way."""
    replay: Replay | None = st.session_state.get(REPLAY_KEY)
    pending = replay is not None and not _advance(replay)  # a short replay ends here
    st.session_state[TICKED_KEY] = True  # this full run has trained its tick

    @st.fragment(run_every=REPLAY_EVERY if pending else None)
    def replaying(timed: bool) -> None:
        replay: Replay | None = st.session_state.get(REPLAY_KEY)
        if replay is None:
            if timed:
                st.rerun()  # unpinned or done meanwhile: rerun the page to stop the timer
            return
        if not st.session_state.pop(TICKED_KEY, False) and _advance(replay):
            st.rerun()  # a timer tick pinned A
        frac = min(1.0, replay.run.trainer.steps / max(1, replay.target))
        st.progress(frac, text=f"Replaying the pinned run A to step {replay.target:,}")

    replaying(pending)
    st.session_state.pop(TICKED_KEY, None)


# --------------------------------------------------------------------------- tab
def _output_figure(
    net: Network, ds: Dataset, probe: tuple[np.ndarray, np.ndarray], title: str
) -> go.Figure:
    """What ``net`` computes on ``ds`` (views.net_output_spec), titled ``title``."""
    spec = net_output_spec(net, ds, probe)
    spec["layout"]["title"]["text"] = title
    spec["layout"].setdefault("height", 420)  # image grids set their own
    return viz.figure(spec)


def _intro(replaying: bool) -> None:
    st.caption(
        "Pin this run as A, then change one setting in the sidebar: the Playground starts "
        "B afresh from the same seed, and this tab shows A and B side by side (the curves "
        "of A stay at its pinned step, those of B grow as it trains)."
    )
    if replaying:
        st.info("Replaying the pinned run A from the link…", icon=":material/history:")
        return
    st.button("Pin as A", key="pin", on_click=_pin, icon=":material/push_pin:")


def _header(pin: Pinned, run: Run) -> None:
    st.markdown(plain(describe_differences(pin.cfg, run.cfg)))
    if pin.cfg.dataset != run.cfg.dataset:
        st.info(
            plain(
                f"A is trained on {pin.cfg.dataset} and B on {run.cfg.dataset}: "
                "the comparison is across datasets."
            ),
            icon=":material/compare_arrows:",
        )
    elif data_differs(pin.cfg, run.cfg):
        st.info(
            "A and B are trained on different data (the samples, noise, test share or "
            "seed differ), so their costs are measured on different samples.",
            icon=":material/compare_arrows:",
        )
    for note in pin.notes:
        st.warning(plain(note), icon=":material/warning:")
    if pin.retuned:
        st.caption("A's training settings changed during its run: a link replays it with the last.")
    b = run.trainer
    st.caption(
        plain(
            f"A: pinned at step {pin.step:,} (epoch {pin.epoch:,}). "
            f"B: the current run, step {b.steps:,} (epoch {b.epochs:,}). "
            "While A is pinned, each change of a setting starts B afresh from the seed."
        )
    )
    with st.container(horizontal=True, key="compare-controls"):
        st.button(
            "Train B to A's step",
            key="b_to_a",
            on_click=_train_b_to_a,
            disabled=b.steps >= pin.step or run.play.playing,
            icon=":material/fast_forward:",
        )
        st.button("Pin B as A", key="repin", on_click=_pin, icon=":material/push_pin:")
        st.button("Unpin", key="unpin", on_click=_unpin, icon=":material/close:")


def tab(run: Run) -> None:
    """The Compare tab: Pin as A, or what B changes, A and B's curves overlaid, both outputs."""
    pin = pinned()
    if pin is None:
        _intro(st.session_state.get(REPLAY_KEY) is not None)
        return
    _header(pin, run)
    hist_b = run.trainer.history_frame()
    chart(viz.compare_curves(pin.history, hist_b, "cost", LABELS), "compare cost", "cmp_cost")
    if "classification" in (pin.dataset.task, run.dataset.task):
        figure = viz.compare_curves(pin.history, hist_b, "accuracy", LABELS)
        chart(figure, "compare accuracy", key="cmp_accuracy")
    norms = viz.compare_norms(pin.history, hist_b, "grad_norm", LABELS)
    chart(norms, "compare norms", key="cmp_norms")
    c1, c2 = st.columns(2)
    with np.errstate(all="ignore"):
        fig_a = _output_figure(pin.net, pin.dataset, pin.probe, f"A at step {pin.step:,}")
        fig_b = _output_figure(
            run.net, run.dataset, run.trainer.probe, f"B at step {run.trainer.steps:,}"
        )
    chart(fig_a, "output A", key="cmp_output_a", where=c1)
    chart(fig_b, "output B", key="cmp_output_b", where=c2)
