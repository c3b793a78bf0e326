"""The Playground's training controls and counters (callbacks act on the session's run)."""

from __future__ import annotations

import math
import time

import streamlit as st

from . import lessons, present
from .line import locked
from .session import RUN_KEY, Run, reset_run

FRAME_BUDGET = 0.02  # seconds of training per frame of a chunk (the board plays 30 a second)
EPOCH_BUDGET = 0.5  # seconds an Epoch click trains at once; a longer epoch goes on in frames
SPEEDS = (1, 2, 5, 10, 20, 50, 100, 200)  # steps per frame


def _run() -> Run | None:
    return st.session_state.get(RUN_KEY)


def step_run(run: Run) -> None:
    """Train one mini-batch; pauses Play and drops any target."""
    run.play.step()
    run.train(steps=1)


def epoch_run(run: Run) -> None:
    """Finish the current epoch: at once if it takes under ``EPOCH_BUDGET``, else the rest
    is trained in Play frames (with a progress bar), so one click never holds the server."""
    tr = run.trainer
    run.play.to_epoch(tr.epochs + 1, start=tr.epochs)
    if not (_train_within(run, EPOCH_BUDGET) and tr.epochs < run.play.target_epochs):
        run.play.stop()  # done (or diverged, which stopped it already)


def step() -> None:
    """The Step button (or the live board taking its click, without its line)."""
    if run := _run():
        with locked():
            step_run(run)


def _epoch() -> None:
    if run := _run():
        with locked():
            epoch_run(run)


def set_playing(playing: bool) -> None:
    """Play or Pause. Idempotent on purpose (not a toggle): a click that reaches the server
    twice, e.g. with a frame's rerun during Play, must not undo itself."""
    if run := _run():
        with locked():
            run.play.set_playing(playing)


def _train_n() -> None:
    if run := _run():
        n = int(st.session_state.get("n_epochs", 10))
        run.play.to_epoch(run.trainer.epochs + n, start=run.trainer.epochs)


def toolbar(run: Run) -> None:
    """One row: Play/Pause, Step, Epoch, Reset, "train N epochs" (a popover) and the speed.
    Inside the view fragment: a click reruns the fragment, which reruns the whole page when
    the run was reset or its Play state changed (so the sidebar and buttons follow)."""
    with st.container(horizontal=True, vertical_alignment="bottom", key="run-controls"):
        playing = run.play.playing
        label, icon = (
            ("Pause", ":material/pause:") if playing else ("Play", ":material/play_arrow:")
        )
        st.button(
            label, key="play", on_click=set_playing, args=(not playing,), type="primary", icon=icon
        )
        st.button(
            "Step",
            key="step",
            on_click=step,
            help="Train on one mini-batch",
            icon=":material/skip_next:",
        )
        st.button(
            "Epoch",
            key="epoch",
            on_click=_epoch,
            help="Train one whole epoch",
            icon=":material/fast_forward:",
        )
        st.button(
            "Reset",
            key="reset",
            on_click=reset_run,
            icon=":material/restart_alt:",
            help="A fresh network with the same settings and seed",
        )
        with st.popover("Train N epochs", icon=":material/model_training:"):
            top = run.net.limits.max_epochs  # BACKPROP_MAX_EPOCHS, as Trainer.train enforces
            st.number_input("Epochs", 1, top, min(10, top), key="n_epochs")
            st.button("Train N epochs", key="train_n", on_click=_train_n)
        if not lessons.hides("present"):
            present.toggle()
        st.select_slider("Speed (steps per frame)", SPEEDS, value=10, key="speed", width=170)


def _reached(run: Run) -> bool:
    """True when training to a target (an epoch or a replayed step) has got there."""
    return run.play.reached(run.trainer.epochs, run.trainer.steps)


def _train_within(run: Run, seconds: float, max_steps: float = math.inf) -> bool:
    """Steps until ``seconds`` pass, ``max_steps`` are done or the run's target (an epoch
    or a step) is reached; False if training diverged."""
    t0, done = time.perf_counter(), 0
    while done < max_steps and time.perf_counter() - t0 < seconds:
        if _reached(run):
            break
        if not run.train(steps=1):
            return False
        done += 1
    return True


def play_tick(run: Run) -> bool:
    """Train for one frame of Play at the speed picked (see :func:`train_frame`)."""
    if not run.play.playing:
        return False
    return train_frame(run, int(st.session_state.get("speed", 10)))


def train_frame(run: Run, speed: int) -> bool:
    """Train for one frame of Play; True when playing should stop (paused meanwhile, the
    target reached, or divergence). Play runs ``speed`` steps a frame; training to a
    target runs what fits the budget."""
    if not run.play.playing:
        return True
    speed = run.play.frame_steps(speed)
    if not _train_within(run, FRAME_BUDGET, speed):
        return True
    if _reached(run):
        run.play.stop()
        return True
    return False


def _fmt(x: float, pct: bool = False) -> str:
    if x is None or not math.isfinite(x):
        return "–"
    return f"{100 * x:.1f} %" if pct else f"{x:.4g}"


def counter_values(run: Run) -> list[tuple[str, str]]:
    """``(label, text)`` of the step, epoch and the last evaluated train/test cost and
    accuracy (or, after a hand edit, the current ones): the counters the live board draws
    with each frame."""
    tr = run.trainer
    cols = ("train_cost", "test_cost", "train_accuracy", "test_accuracy")
    last = {c: tr.history.last_valid(c) for c in cols} if tr.history.n else tr.evaluate()
    if run.edited_costs is not None and run.edited_costs[0] == tr.steps:
        last = run.edited_costs[1]  # a hand edit since the last step: the costs it makes
    out = [
        ("Step", f"{tr.steps:,}"),
        ("Epoch", f"{tr.epochs:,}"),
        ("Train cost", _fmt(last.get("train_cost"))),
        ("Test cost", _fmt(last.get("test_cost"))),
    ]
    if run.dataset.task == "classification":
        out.append(("Train accuracy", _fmt(last.get("train_accuracy"), pct=True)))
        out.append(("Test accuracy", _fmt(last.get("test_accuracy"), pct=True)))
    return out


def progress_of(run: Run) -> tuple[float, str] | None:
    """How far training to a target ("train N epochs", a long Epoch, the replay of a shared
    link to its step) has got, in [0, 1], and what it is; None without a target."""
    tr, play = run.trainer, run.play
    frac = play.progress(tr.epochs + tr.epoch_fraction, tr.steps)
    if frac is None:
        return None
    if play.target_step is not None:
        what = play.target_label or "Replaying the shared run"
        return frac, f"{what} to step {play.target_step:,}"
    return frac, f"Training to epoch {play.target_epochs}"


def progress(run: Run) -> None:
    """A progress bar while training to a target (without the board's line: on it, the
    board shows the progress with each frame)."""
    if (p := progress_of(run)) is not None:
        st.progress(p[0], text=p[1])
