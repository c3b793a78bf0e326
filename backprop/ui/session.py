"""Per-user training state: one :class:`Run` per browser session, in ``st.session_state``.

A run holds the dataset, the network and its trainer. It is rebuilt only when a field
that defines the data or the network changes; learning rate, batch size, optimiser and
regularisation are applied to the running trainer in place, so nothing is lost.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import streamlit as st

from .. import DivergenceError, Network, Trainer
from ..datasets import DATASETS, Dataset, load
from .config import PlaygroundConfig
from .playstate import PlayState

RUN_KEY = "playground_run"
EVAL_WORK = 2_000_000  # samples x parameters of evaluation per step, on average (~1 ms)
EVAL_CAP = 200_000_000  # samples x parameters of one evaluation (~0.1-0.3 s), at most


@dataclass
class Run:
    """A configured network in training, with what the page needs to show about it."""

    cfg: PlaygroundConfig
    dataset: Dataset
    net: Network
    trainer: Trainer
    diverged: str | None = None  # the message of the last DivergenceError
    revision: int = 0  # bumps on every change, so live charts know to redraw
    play: PlayState = field(default_factory=PlayState)  # paused, playing, or toward a target
    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # e.g. a resumed network that is dead
    retuned: bool = False  # a training setting changed after the first step (not replayed)
    base_dataset: Dataset | None = None  # the generated data, when ``dataset`` is hand-edited
    data_edits: list[str] = field(default_factory=list)  # ops applied (datasets.edits)
    param_edits: list[str] = field(default_factory=list)  # weights/biases set by hand
    edited_costs: tuple[int, dict] | None = None  # (step, costs) evaluated after a hand edit

    def train(self, steps: int | None = None, epochs: int | None = None) -> bool:
        """Run steps or epochs; False (with ``diverged`` set) if training diverged."""
        try:
            if steps is not None:
                for _ in range(steps):
                    self.trainer.step()
            for _ in range(epochs or 0):
                self.trainer.run_epoch()
        except DivergenceError as e:
            when = f"after step {e.step - 1}" if e.step > 1 else "before the first step"
            self.diverged = (
                f"Training stopped at step {e.step}: {e.cause}. The network stays as it was "
                f"{when}, on screen and in the downloads below. {e.hint}"
            )
            self.play.stop()
            return False
        finally:
            self.revision += 1
        self.diverged = None
        return True


@st.cache_data(max_entries=32, show_spinner=False)
def _builtin(name: str, n_samples: int | None, noise: float, test: float, feats: tuple, seed: int):
    return load(
        name, n_samples=n_samples, noise=noise, test_fraction=test, features=feats, seed=seed
    )


def load_dataset(cfg: PlaygroundConfig, uploaded: Dataset | None = None) -> Dataset:
    """The dataset ``cfg`` names (an uploaded one for ``csv``/``mnist``); ValueError if none.
    A table (a fixed number of rows, no Samples control) uses all its rows, whatever
    ``cfg.n_samples`` a generated data set left behind."""
    if cfg.dataset in DATASETS:
        n = cfg.n_samples if DATASETS[cfg.dataset].generated else None
        return _builtin(cfg.dataset, n, cfg.noise, cfg.test_fraction, cfg.features, cfg.seed)
    if uploaded is None:
        what = "a CSV file" if cfg.dataset == "csv" else "the MNIST files"
        raise ValueError(f"Dataset {cfg.dataset!r} needs {what}: upload it in the sidebar.")
    return uploaded


def build_run(cfg: PlaygroundConfig, dataset: Dataset, net: Network | None = None) -> Run:
    """A trainer for ``cfg`` on ``dataset``, with a fresh network unless ``net`` is given
    (ValueError if they clash; a warning in ``warnings`` if ``net`` is dead on the data)."""
    sizes = [dataset.n_in, *cfg.hidden, dataset.n_out]
    given = net is not None
    if net is None:
        net = Network(sizes, cfg.activation, cfg.output_activation, cfg.cost, cfg.init, cfg.seed)
    steps_per_epoch = -(-dataset.n_train // min(cfg.batch_size, dataset.n_train))
    trainer = Trainer(
        net,
        dataset.X_train,
        dataset.Y_train,
        dataset.X_test,
        dataset.Y_test,
        eta=cfg.eta,
        batch_size=min(cfg.batch_size, dataset.n_train),
        optimizer=cfg.optimizer,
        regularization=cfg.regularization,
        lmbda=cfg.lmbda,
        eval_every=eval_every(dataset, net, steps_per_epoch),
        eval_samples=eval_samples(net),
        snapshot_every=1,
        probe_size=16,
    )
    warning = trainer.dead_warning() if given else None
    notes = batch_notes(cfg, dataset, net)
    return Run(cfg, dataset, net, trainer, notes=notes, warnings=[warning] if warning else [])


def eval_samples(net: Network) -> int:
    """Samples of each of train and test that one evaluation uses (``EVAL_CAP``)."""
    return max(100, EVAL_CAP // (2 * net.n_parameters()))


def eval_every(dataset: Dataset, net: Network, steps_per_epoch: int) -> int:
    """Steps between train/test evaluations: every step when that is cheap (the toy data
    sets), else as often as ``EVAL_WORK`` per step allows, and never more often than 10
    times an epoch on big data. (Epoch ends are always evaluated.)"""
    n = min(dataset.n_train, eval_samples(net)) + min(dataset.n_test, eval_samples(net))
    every = -(-n * net.n_parameters() // EVAL_WORK)
    return 1 if every <= 1 else max(every, steps_per_epoch // 10)


def batch_notes(cfg: PlaygroundConfig, dataset: Dataset, net: Network | None = None) -> list:
    """Notes on what was adapted: a mini-batch clamped to the training set (full-batch
    descent), and costs measured on a subset of big data."""
    notes = []
    if cfg.batch_size > dataset.n_train:
        notes.append(
            f"Batch size {cfg.batch_size} is larger than the {dataset.n_train} training "
            f"samples; using {dataset.n_train} (full-batch gradient descent)."
        )
    cap = eval_samples(net) if net is not None else None
    if cap is not None and max(dataset.n_train, dataset.n_test) > cap:
        notes.append(
            f"Train and test cost and accuracy are measured on at most {cap:,} evenly spaced "
            "samples of each set, so that every step stays quick for everyone on this server."
        )
    return notes


def current_run(cfg: PlaygroundConfig, uploaded: Dataset | None = None, fresh: bool = False) -> Run:
    """This session's run for ``cfg``: reused, retuned in place, or rebuilt. With ``fresh``
    any change of config rebuilds it from the seed (while a run is pinned for comparison,
    so that each run has one config from step 0). ValueError on bad input (the previous
    run, if any, stays in the session untouched)."""
    run: Run | None = st.session_state.get(RUN_KEY)
    if (
        run is not None
        and run.cfg.network_key() == cfg.network_key()
        and (uploaded is None or uploaded is run.dataset)
        and not (fresh and run.cfg != cfg)
    ):
        if run.cfg.training() != cfg.training():
            bs = min(cfg.batch_size, run.dataset.n_train)
            run.trainer.configure(**{**cfg.training(), "batch_size": bs})
            run.retuned = run.retuned or run.trainer.steps > 0
            run.cfg = cfg
            run.notes = batch_notes(cfg, run.dataset, run.net)
            run.revision += 1
        return run
    dataset = load_dataset(cfg, uploaded)
    run = build_run(cfg, dataset)
    st.session_state[RUN_KEY] = run
    return run


def reset_run() -> None:
    """Forget this session's run; the next :func:`current_run` builds it afresh."""
    run: Run | None = st.session_state.pop(RUN_KEY, None)
    if run is not None:
        st.session_state["reset_count"] = st.session_state.get("reset_count", 0) + 1
