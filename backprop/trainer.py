"""Training beyond the seed: the loop that ties the training step's parts together.

One :meth:`Trainer.step` advances exactly one mini-batch; :meth:`Trainer.run_epoch`
finishes the current epoch. A step is: the next batch (:mod:`.batches`, a permutation drawn
from the network's own seeded ``np.random.Generator``, so a seed reproduces a run bit for
bit), its proposal (:mod:`.proposal`: gradients, penalty (:mod:`.regularization`) and the
optimiser's updates), the divergence guard (:mod:`.divergence`), which applies the updates
or refuses the step, changing nothing, and the record (:mod:`.recording`, snapshots).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import checkpoint as _checkpoint
from .batches import BatchOrder, f64
from .divergence import DivergenceError, Guard
from .history import Snapshot, SnapshotBuffer
from .network import Network, accuracy
from .params import TRAINER, check
from .progress import progress_bar
from .proposal import Proposal, propose
from .recording import Evaluator, Recorder
from .regularization import REGULARIZERS, Regularizer

__all__ = ["DivergenceError", "StepResult", "Trainer"]

Array = np.ndarray


@dataclass(frozen=True)
class StepResult:
    step: int  # steps done so far (this one included)
    epoch: int  # epochs completed so far
    cost: float  # mean data cost of the batch, before the update
    epoch_done: bool  # this step finished an epoch


class Trainer:
    """Mini-batch training of a :class:`Network` with history and snapshots.

    ``X_train`` is ``(n_in, n)``; ``eta`` the learning rate; ``lmbda`` the regularisation
    strength, scaled by ``1/n`` as in network2 (L2: ``w -> (1 - eta lmbda/n) w - eta nabla_w``).
    ``eval_samples`` caps the samples of each set that evaluation uses (evenly spaced; None:
    all), bounding its cost on big data. ``eval_every``: evaluate train/test cost and
    accuracy every k steps (0: at epoch
    ends only, unless ``evaluate_epochs=False``). ``snapshot_every``: record parameters and
    a probe trace every k steps (0: never) within ``snapshot_budget_mb``. ``record=False``
    skips the history, per step and per epoch (for benchmarks). ``dtype``: the float type
    of the training step, ``"float64"`` (the default, the app's) or ``"float32"`` (faster
    long runs: the network's parameters are converted, in place, and stay float32;
    evaluation and snapshots still compute in float64, see :mod:`.precision`).
    """

    def __init__(
        self,
        net: Network,
        X_train: Array,
        Y_train: Array,
        X_test: Array | None = None,
        Y_test: Array | None = None,
        *,
        eta: float = 3.0,
        batch_size: int = 10,
        optimizer: str = "sgd",
        regularization: str = "none",
        lmbda: float = 0.0,
        momentum: float = 0.9,
        eval_every: int = 0,
        eval_samples: int | None = None,
        snapshot_every: int = 0,
        probe_size: int = 16,
        snapshot_budget_mb: float | None = None,
        record: bool = True,
        evaluate_epochs: bool = True,
        dtype: str = "float64",
    ) -> None:
        lim = net.limits
        self.dtype = dtype
        self._dtype = check(TRAINER, "dtype", dtype)
        self.net = net
        self.X, self.Y = net.check_xy(X_train, Y_train)
        self.n = self.X.shape[1]
        if self.n == 0:
            raise ValueError("the training set is empty")
        if self.n > lim.max_samples:
            raise ValueError(f"{self.n} training samples is over the limit of {lim.max_samples}")
        if (X_test is None) != (Y_test is None):
            raise ValueError("give both X_test and Y_test, or neither")
        self.X_test, self.Y_test = (None, None)
        if X_test is not None:
            self.X_test, self.Y_test = net.check_xy(X_test, Y_test)
        self._eta = check(TRAINER, "eta", eta)
        self.batch_size = _check_batch(batch_size, net, self.n)
        self.optimizer_name = optimizer
        opt_cls = check(TRAINER, "optimizer", optimizer)
        check(TRAINER, "regularization", regularization)
        self.regularization = regularization
        self.lmbda = check(TRAINER, "lmbda", lmbda)
        momentum = check(TRAINER, "momentum", momentum)
        self.eval_every = check(TRAINER, "eval_every", eval_every)
        cap = check(TRAINER, "eval_samples", eval_samples)
        self._eval_cap = cap
        self.evaluator = Evaluator(net, self.X, self.Y, self.X_test, self.Y_test, cap)
        shapes = [p.shape for p in self._params()]
        self.opt_momentum = momentum
        self.opt = opt_cls(shapes, momentum=momentum, dtype=self._dtype)
        self.batches = BatchOrder(self.X, self.Y, net.rng, self._dtype)
        self.steps = 0
        self.epochs = 0
        self.record, self.evaluate_epochs = record, evaluate_epochs
        self.recorder = Recorder(net.n_layers, lim.max_history)
        self.history, self.epoch_history = self.recorder.history, self.recorder.epoch_history
        self.probe_size = check(TRAINER, "probe_size", probe_size)
        self.probe = self._probe()
        budget = lim.snapshot_budget_mb if snapshot_budget_mb is None else snapshot_budget_mb
        budget = check(TRAINER, "snapshot_budget_mb", budget)
        self.snapshots = SnapshotBuffer(
            check(TRAINER, "snapshot_every", snapshot_every), int(budget * 2**20)
        )
        net.cast(self._dtype)  # every argument is checked: now the network may change
        self.eta_since = 0  # the steps done before the learning rate became eta
        self.eta_norms = self.weight_norms()  # ||w_l|| then, l = 1..L (for backprop.diagnose)
        self.guard = Guard(net, self.X)
        self.last_update: list[Array] | None = None  # [dw_0, db_0, ...] of the last step
        self._last: Proposal | None = None  # the last step's proposal
        self.snapshot()
        # the starting parameters, for the loss landscape's line from them (the first
        # snapshot holds them when snapshots are on: the buffer always keeps it)
        self._initial = None if len(self.snapshots) else [p.copy() for p in self._params()]

    def _probe(self) -> tuple[Array, Array]:
        """``probe_size`` evenly spaced training columns ``(X, Y)``, as float64."""
        idx = np.linspace(0, self.n - 1, min(self.probe_size, self.n)).round().astype(int)
        return f64(self.X[:, idx]), f64(self.Y[:, idx])

    def set_data(self, X_train: Array, Y_train: Array) -> None:
        """Train on ``(X_train, Y_train)`` from now on (e.g. a hand-edited set): the network,
        optimiser state, steps and history are kept; the batch order starts a new epoch and
        the probe batch and the batch size (clamped to ``n``) follow the new data."""
        X, Y = self.net.check_xy(X_train, Y_train)
        n = X.shape[1]
        if n == 0:
            raise ValueError("the training set is empty")
        if n > self.net.limits.max_samples:
            raise ValueError(
                f"{n} training samples is over the limit of {self.net.limits.max_samples}"
            )
        bs = _check_batch(min(self.batch_size, n), self.net, n)
        self.X, self.Y, self.n, self.batch_size = X, Y, n, bs
        self.evaluator = Evaluator(self.net, X, Y, self.X_test, self.Y_test, self._eval_cap)
        self.batches = BatchOrder(X, Y, self.net.rng)
        self.probe = self._probe()
        self.guard = Guard(self.net, X)

    @property
    def eta(self) -> float:
        """The learning rate. Setting it rescales the optimiser's carried motion (momentum's
        velocity holds past ``-eta g`` terms), so a lower eta slows a runaway at once; a new
        value applies from the next step on (``eta_since``: the steps done before it)."""
        return self._eta

    @eta.setter
    def eta(self, value: float) -> None:
        value = check(TRAINER, "eta", value)
        self.opt.rescale(value / self._eta)
        if value != self._eta:
            self.eta_since, self.eta_norms = self.steps, self.weight_norms()
        self._eta = value

    def configure(self, **changes: object) -> None:
        """Change ``eta``, ``batch_size``, ``optimizer``, ``regularization`` or ``lmbda``
        between steps, keeping the network and the history. All values are checked before
        any is applied; a new optimiser starts with fresh state.
        """
        allowed = ("eta", "batch_size", "optimizer", "regularization", "lmbda")
        unknown = set(changes) - set(allowed)
        if unknown:
            raise ValueError(f"cannot configure {sorted(unknown)}; valid: {', '.join(allowed)}")
        new = {k: changes.get(k, getattr(self, k if k != "optimizer" else "optimizer_name"))
               for k in allowed}  # fmt: skip
        eta = check(TRAINER, "eta", new["eta"])
        bs = _check_batch(new["batch_size"], self.net, self.n)
        opt_cls = check(TRAINER, "optimizer", new["optimizer"])
        check(TRAINER, "regularization", new["regularization"])
        lmbda = check(TRAINER, "lmbda", new["lmbda"])
        if new["optimizer"] != self.optimizer_name:
            shapes = [p.shape for p in self._params()]
            self.opt = opt_cls(shapes, momentum=self.opt_momentum, dtype=self._dtype)
        self.eta, self.batch_size, self.optimizer_name = eta, bs, new["optimizer"]
        self.regularization, self.lmbda = new["regularization"], lmbda

    # ------------------------------------------------------------------ helpers
    def _params(self) -> list[Array]:
        out = []
        for w, b in zip(self.net.weights, self.net.biases):
            out += [w, b]
        return out

    def weight_norms(self) -> list[float]:
        """``||w_l||`` now, ``l = 1..L``."""
        return [float(np.sqrt(np.vdot(w, w))) for w in self.net.weights]

    @property
    def initial_params(self) -> list[Array]:
        """``[w_1, b_1, ..., w_L, b_L]`` as they were when this trainer was made (read them,
        do not change them: with snapshots on they are the first snapshot's arrays)."""
        if self._initial is not None:
            return list(self._initial)
        first = self.snapshots.items[0]
        return [p for wb in zip(first.weights, first.biases) for p in wb]

    @property
    def regularizer(self) -> Regularizer:
        """The penalty named by ``regularization`` (see :mod:`.regularization`)."""
        return REGULARIZERS[self.regularization]

    def penalty(self) -> float:
        """The regularisation term added to the cost: (lmbda/2n) sum w^2, or (lmbda/n) sum |w|."""
        return self.regularizer.penalty(self.net.weights, self.lmbda, self.n)

    def evaluate(self) -> dict[str, float]:
        """Train and test cost (with the penalty) and accuracy of the current network."""
        return self.evaluator.evaluate(self.penalty())

    def snapshot(self) -> None:
        """Record the parameters and a probe trace now (if snapshots are on)."""
        if self.snapshots.every <= 0:
            return
        with np.errstate(all="ignore"):
            tr = self.net.trace(*self.probe)
        self.snapshots.add(Snapshot(self.steps, self.epochs, tr.weights, tr.biases, tr))

    def checkpoint(self) -> _checkpoint.Checkpoint:
        """This trainer's state now, for :meth:`restore` (see :mod:`.checkpoint`)."""
        return _checkpoint.take(self)

    def restore(self, cp: _checkpoint.Checkpoint) -> None:
        """Back to ``cp`` exactly: training on repeats the same steps bit for bit."""
        _checkpoint.restore(self, cp)

    # --------------------------------------------------------------------- steps
    def step(self) -> StepResult:
        """Train on exactly one mini-batch. Raises DivergenceError, changing nothing."""
        with np.errstate(all="ignore"):
            return self._step()

    def run_epoch(self) -> StepResult:
        """Steps until the current epoch ends (a full epoch when called at its start)."""
        with np.errstate(all="ignore"):
            while True:
                r = self._step()
                if r.epoch_done:
                    return r

    def train(
        self,
        epochs: int,
        callback: Callable[[Trainer], object] | None = None,
        progress: bool | None = None,
    ) -> pd.DataFrame:
        """Run ``epochs`` epochs; ``callback(trainer)`` after each (its return value is
        ignored). ``progress``: a bar (tqdm: a widget in a notebook, a line in a terminal)
        with the epoch's costs; None shows it for long runs only (see :mod:`.progress`).
        Returns the epoch history."""
        epochs = check(TRAINER, "epochs", epochs, limits=self.net.limits)
        steps = epochs * -(-self.n // self.batch_size)
        with progress_bar(epochs, steps, progress) as bar:
            for _ in range(epochs):
                self.run_epoch()
                bar.update(self.epoch_history.last())
                if callback is not None:
                    callback(self)
        return self.epoch_history.frame()

    def _step(self) -> StepResult:
        """Batch, proposal, guard (apply or refuse, changing nothing), then the record."""
        step, guard = self.steps + 1, self.guard
        checkpoint = self.batches.checkpoint()
        X, Y = self.batches.next(self.batch_size)
        p = propose(self.net, X, Y, self.eta, self.opt, self.regularizer, self.lmbda, self.n)
        sq = [float(np.vdot(u, u)) for u in p.updates]  # squared norms, [w_0, b_0, ...]
        error = guard.non_finite(p.cost, p.a, p.grads, p.updates, sq, step)
        if error is None:
            error = guard.apply(p.updates, sq, X, Y, p.cost, step)
        if error is not None:
            self.batches.restore(checkpoint)  # the batch is not consumed, nor a new shuffle
            raise error
        self.opt.commit(p.state)
        self.steps = step
        self.last_update, self._last = p.updates, p
        epoch_done = self.batches.epoch_done
        if epoch_done:
            self.epochs += 1
            self.batches.end_epoch()
        if self.record:
            self._record(p, sq, Y, epoch_done)
        if self.snapshots.due(step) or (epoch_done and self.snapshots.every > 0):
            self.snapshot()
        return StepResult(step, self.epochs, p.cost, epoch_done)

    def _record(self, p: Proposal, sq: list[float], Y: Array, epoch_done: bool) -> None:
        """The step's history row, with an evaluation when one is due."""
        due = (epoch_done and self.evaluate_epochs) or (
            self.eval_every and self.steps % self.eval_every == 0
        )
        upd = np.sqrt(sq)
        self.recorder.step(
            self.steps,
            self.epochs,
            p.cost,
            accuracy(p.a, Y),
            p.grad_norms(upd, self.eta),
            upd,
            self.evaluate() if due else None,
            epoch_done,
        )

    @property
    def epoch_fraction(self) -> float:
        """How much of the current epoch is done, in [0, 1)."""
        return self.batches.fraction

    @property
    def last_grads(self) -> list[Array] | None:
        """``[nabla_w_0, nabla_b_0, ...]`` of the last step (with the penalty term)."""
        p = self._last
        if p is not None and p.fused:  # plain SGD stored -eta * gradient
            return [u / -self.eta for u in p.grads]
        return None if p is None else p.grads

    def dead_warning(self) -> str | None:
        """Why the network cannot learn as it is, if a layer is already dead on the training
        data (see :meth:`.Guard.dead_warning`). None if every layer is alive."""
        return self.guard.dead_warning()

    # ------------------------------------------------------------------- views
    def history_frame(self, columns: list[str] | None = None) -> pd.DataFrame:
        """Per-step history: costs, accuracies and per-layer norms (layers count from 1);
        only ``columns`` if given (a KeyError names an unknown one)."""
        return self.history.frame(columns)

    def history_columns(self, columns: list[str]) -> dict[str, Array]:
        """``columns`` of :meth:`history_frame` as read-only arrays ``(n,)`` (views, no copy:
        valid until the next step)."""
        return {c: self.history.column(c) for c in columns}

    def epoch_frame(self) -> pd.DataFrame:
        """Per-epoch train/test cost and accuracy."""
        return self.epoch_history.frame()

    def config(self) -> dict:
        return {
            "eta": self.eta,
            "batch_size": self.batch_size,
            "optimizer": self.optimizer_name,
            "regularization": self.regularization,
            "lmbda": self.lmbda,
        }


def _check_batch(batch_size: object, net: Network, n: int) -> int:
    """The batch size if it fits the data and the limits (one step's samples x parameters
    at most ``max_step_work``), else ValueError saying which and what to lower."""
    lim = net.limits
    bs = check(TRAINER, "batch_size", batch_size, limits=lim, cap=n)
    work = bs * net.n_parameters()
    if work > lim.max_step_work:
        raise ValueError(
            f"a mini-batch of {bs:,} samples through {net.n_parameters():,} parameters is "
            f"{work:,} multiply-adds a step, over the limit of {lim.max_step_work:,}: "
            f"use a batch of at most {max(1, lim.max_step_work // net.n_parameters()):,} "
            "or a smaller network"
        )
    return bs
