"""Training beyond the seed: optimisers, regularisation, epochs, history, snapshots.

One :meth:`Trainer.step` advances exactly one mini-batch; :meth:`Trainer.run_epoch`
finishes the current epoch. Mini-batches are drawn from a permutation made by the
network's own seeded ``np.random.Generator``, so a seed reproduces a run bit for bit.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .history import History, Snapshot, SnapshotBuffer
from .network import Network, accuracy
from .params import TRAINER, check

Array = np.ndarray


RELATIVE_JUMP = 0.25  # an update this large relative to w is checked before it is kept
COST_JUMP = 1e6  # a checked update that multiplies the batch's cost (>= 1) by this diverges
WEIGHT_JUMP = 1e3  # nor may it change a layer's weights by this many times their norm
EVAL_COLUMNS = ("train_cost", "train_accuracy", "test_cost", "test_accuracy")
EVAL_CHUNK = 4096  # columns per forward pass when evaluating big data


class DivergenceError(FloatingPointError):
    """A step produced a non-finite cost, gradient or parameter; nothing was changed.

    ``step`` is the refused step's number, ``cause`` what went wrong (names the layer or
    the cost), ``hint`` what to do about it.
    """

    hint = "Lower the learning rate and continue, or Reset."

    def __init__(self, step: int, cause: str, hint: str | None = None) -> None:
        super().__init__(f"training diverged at step {step}: {cause}")
        self.step, self.cause = step, cause
        if hint is not None:
            self.hint = hint


class DeadNetworkError(DivergenceError):
    """A step that would leave a whole layer with sigma'(z) = 0 on every training sample
    (dead ReLUs, or sigmoid/tanh units saturated at their bounds): it and the layers below
    could never learn again. Nothing was changed."""


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
    skips the history, per step and per epoch (for benchmarks).
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
    ) -> None:
        lim = net.limits
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
        self._eval_sets = [
            (name, X, Y, _evenly(X, cap))
            for name, X, Y in (("train", self.X, self.Y), ("test", self.X_test, self.Y_test))
        ]
        shapes = [p.shape for p in self._params()]
        self.opt_momentum = momentum
        self.opt = opt_cls(shapes, momentum=momentum)
        # rows of the data, C-contiguous, so a mini-batch is one gather and X_b = rows.T
        # (a view when each sample's column is contiguous, as the big data sets store it)
        self._Xr = np.ascontiguousarray(self.X.T)
        self._Yr = np.ascontiguousarray(self.Y.T)
        self._perm: Array | None = None
        self._pos = 0
        self.steps = 0
        self.epochs = 0
        self.record, self.evaluate_epochs = record, evaluate_epochs
        L = net.n_layers
        layer_cols = [
            f"{k}_{l}" for k in ("delta_norm", "grad_norm", "update_norm") for l in range(1, L + 1)
        ]
        self.history = History(
            [
                "step",
                "epoch",
                "batch_cost",
                "batch_accuracy",
                "train_cost",
                "train_accuracy",
                "test_cost",
                "test_accuracy",
                *layer_cols,
            ],
            lim.max_history,
        )
        self.epoch_history = History(
            ["step", "epoch", "train_cost", "train_accuracy", "test_cost", "test_accuracy"],
            lim.max_history,
        )
        probe_size = check(TRAINER, "probe_size", probe_size)
        idx = np.linspace(0, self.n - 1, min(probe_size, self.n)).round().astype(int)
        self.probe = (_f64(self.X[:, idx]), _f64(self.Y[:, idx]))
        budget = lim.snapshot_budget_mb if snapshot_budget_mb is None else snapshot_budget_mb
        budget = check(TRAINER, "snapshot_budget_mb", budget)
        self.snapshots = SnapshotBuffer(
            check(TRAINER, "snapshot_every", snapshot_every), int(budget * 2**20)
        )
        self.last_update: list[Array] | None = None  # [dw_0, db_0, ...] of the last step
        self._last_grads: list[Array] | None = None
        self._w_low: list[float] | None = None  # lower bounds of ||w_l||, see _jumps
        self._has_relu = any(act.name == "relu" for act in net.layer_activations)
        self.snapshot()

    @property
    def eta(self) -> float:
        """The learning rate. Setting it rescales the optimiser's carried motion (momentum's
        velocity holds past ``-eta g`` terms), so a lower eta slows a runaway at once."""
        return self._eta

    @eta.setter
    def eta(self, value: float) -> None:
        value = check(TRAINER, "eta", value)
        self.opt.rescale(value / self._eta)
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
            self.opt = opt_cls([p.shape for p in self._params()], momentum=self.opt_momentum)
        self.eta, self.batch_size, self.optimizer_name = eta, bs, new["optimizer"]
        self.regularization, self.lmbda = new["regularization"], lmbda

    # ------------------------------------------------------------------ helpers
    def _params(self) -> list[Array]:
        out = []
        for w, b in zip(self.net.weights, self.net.biases):
            out += [w, b]
        return out

    def penalty(self) -> float:
        """The regularisation term added to the cost: (lmbda/2n) sum w^2, or (lmbda/n) sum |w|."""
        if self.regularization == "none" or self.lmbda == 0:
            return 0.0
        if self.regularization == "l2":
            return 0.5 * self.lmbda / self.n * sum(float(np.vdot(w, w)) for w in self.net.weights)
        return self.lmbda / self.n * sum(float(np.abs(w).sum()) for w in self.net.weights)

    def evaluate(self) -> dict[str, float]:
        """Train and test cost (with the penalty) and accuracy of the current network."""
        out = {}
        pen = self.penalty()
        for name, X, Y, idx in self._eval_sets:
            if X is None:
                out[f"{name}_cost"] = out[f"{name}_accuracy"] = float("nan")
                continue
            with np.errstate(all="ignore"):
                z, a = self._outputs(X, idx)
            if idx is not None:
                Y = Y[:, idx]
            out[f"{name}_cost"] = self.net.output_cost(z, a, _f64(Y)) + pen
            out[f"{name}_accuracy"] = accuracy(a, Y)
        return out

    def _outputs(self, X: Array, idx: Array | None) -> tuple[Array, Array]:
        """``(z_L, a_L)`` for the columns ``idx`` of ``X`` (all if None), in float64 chunks
        of ``EVAL_CHUNK`` columns, so that no copy of big data is made."""
        m = X.shape[1] if idx is None else len(idx)
        if m <= EVAL_CHUNK and idx is None and X.dtype == np.float64:
            return self.net.outputs(X)
        zs, acts = [], []
        for start in range(0, m, EVAL_CHUNK):
            cols = (
                slice(start, start + EVAL_CHUNK) if idx is None else idx[start : start + EVAL_CHUNK]
            )
            z, a = self.net.outputs(_f64(X[:, cols]))
            zs.append(z)
            acts.append(a)
        return np.hstack(zs), np.hstack(acts)

    def snapshot(self) -> None:
        """Record the parameters and a probe trace now (if snapshots are on)."""
        if self.snapshots.every <= 0:
            return
        with np.errstate(all="ignore"):
            tr = self.net.trace(*self.probe)
        self.snapshots.add(Snapshot(self.steps, self.epochs, tr.weights, tr.biases, tr))

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

    def train(self, epochs: int, callback=None) -> pd.DataFrame:
        """Run ``epochs`` epochs; ``callback(trainer)`` after each. Returns the epoch history."""
        epochs = check(TRAINER, "epochs", epochs, limits=self.net.limits)
        for _ in range(epochs):
            self.run_epoch()
            if callback is not None:
                callback(self)
        return self.epoch_history.frame()

    def _next_batch(self) -> tuple[Array, Array]:
        if self._perm is None:
            self._perm = self.net.rng.permutation(self.n)
            self._pos = 0
        idx = self._perm[self._pos : self._pos + self.batch_size]
        self._pos += len(idx)
        return _f64(self._Xr[idx]).T, _f64(self._Yr[idx]).T  # float32 data: cast per batch

    @property
    def _plain_sgd(self) -> bool:
        """SGD without a penalty: the update is ``-eta`` times the gradient."""
        return self.optimizer_name == "sgd" and (self.regularization == "none" or not self.lmbda)

    def _proposal(self, X: Array, Y: Array) -> tuple[list[Array], list[Array], object, float, list]:
        """Gradients, updates, optimiser state, batch cost and output of one batch.

        Lists are flat ``[w_0, b_0, w_1, b_1, ...]``. For plain SGD the backward pass is
        scaled by ``-eta`` so it yields the updates directly (one pass less per weight).
        """
        net, eta = self.net, self.eta
        plain = self._plain_sgd
        nabla_b, nabla_w, zs, acts, _ = net.gradients(
            X, Y, scale=-eta if plain else 1.0, keep_z=False
        )
        cost = net.output_cost(zs[-1], acts[-1], Y)
        if plain:
            updates = [p for pair in zip(nabla_w, nabla_b) for p in pair]
            return updates, updates, None, cost, acts
        grads = []
        for w, nw, nb in zip(net.weights, nabla_w, nabla_b):
            if self.regularization == "l2" and self.lmbda:
                nw = nw + (self.lmbda / self.n) * w
            elif self.regularization == "l1" and self.lmbda:
                nw = nw + (self.lmbda / self.n) * np.sign(w)
            grads += [nw, nb]
        updates, state = self.opt.propose(grads, eta)
        return grads, updates, state, cost, acts

    def _step(self) -> StepResult:
        step = self.steps + 1
        pos, perm = self._pos, self._perm
        rng_state = self.net.rng.bit_generator.state if perm is None else None
        X, Y = self._next_batch()
        grads, updates, state, cost, acts = self._proposal(X, Y)
        sq = [float(np.vdot(u, u)) for u in updates]  # squared norms, [w_0, b_0, ...]
        error = self._non_finite(cost, acts[-1], grads, updates, sq, step)
        if error is None:
            error = self._apply(updates, sq, X, Y, cost, step)
        if error is not None:
            self._pos, self._perm = pos, perm  # the batch is not consumed
            if rng_state is not None:  # nor the shuffle drawn for a new epoch
                self.net.rng.bit_generator.state = rng_state
            raise error
        self.opt.commit(state)
        self.steps = step
        self.last_update, self._last_grads = updates, grads
        epoch_done = self._pos >= self.n
        if epoch_done:
            self.epochs += 1
            self._perm = None
        if self.record:
            self._record(cost, acts[-1], Y, grads, sq, epoch_done)
        if self.snapshots.due(step) or (epoch_done and self.snapshots.every > 0):
            self.snapshot()
        return StepResult(step, self.epochs, cost, epoch_done)

    @property
    def epoch_fraction(self) -> float:
        """How much of the current epoch is done, in [0, 1)."""
        return 0.0 if self._perm is None else self._pos / self.n

    @property
    def last_grads(self) -> list[Array] | None:
        """``[nabla_w_0, nabla_b_0, ...]`` of the last step (with the penalty term)."""
        g = self._last_grads
        if g is not None and g is self.last_update:  # plain SGD stored -eta * gradient
            return [u / -self.eta for u in g]
        return g

    def _record(
        self, cost: float, a: Array, Y: Array, grads: list[Array], sq: list[float], epoch_done: bool
    ) -> None:
        L = self.net.n_layers
        row = self.history.new_row()
        row[0], row[1], row[2], row[3] = self.steps, self.epochs, cost, accuracy(a, Y)
        upd = np.sqrt(sq)
        if grads is self.last_update:  # plain SGD: gradient = update / -eta
            g = upd / self.eta
        else:
            g = np.sqrt([float(np.vdot(x, x)) for x in grads])
        row[8 : 8 + L] = g[1::2]  # ||nabla_b^l||, the book's speed of learning of layer l
        row[8 + L : 8 + 2 * L] = g[0::2]  # ||nabla_w^l||
        row[8 + 2 * L : 8 + 3 * L] = upd[0::2]  # ||Delta w^l||
        if (epoch_done and self.evaluate_epochs) or (
            self.eval_every and self.steps % self.eval_every == 0
        ):
            ev = self.evaluate()
            row[4:8] = [ev[k] for k in EVAL_COLUMNS]
            if epoch_done:
                erow = self.epoch_history.new_row()
                erow[:] = [self.steps, self.epochs, *row[4:8]]

    def _apply(self, updates, sq, X: Array, Y: Array, cost: float, step: int):
        """Add ``updates`` to the parameters. When the step is risky (:meth:`_jumps`), check
        the result on the batch; if it is unusable, undo it exactly and return the error."""
        params = self._params()
        jumps = self._jumps(sq)
        risky = self._has_relu or max(jumps) > RELATIVE_JUMP  # ReLUs die at any step size
        saved = [p.copy() for p in params] if risky else None
        for p, u in zip(params, updates):
            p += u
        error = self._check_update(X, Y, cost, jumps, step) if risky else None
        if error is not None:
            for p, s in zip(params, saved):
                p[...] = s
            if isinstance(error, DeadNetworkError) and self.net.dead_layers(self.X):
                for p, u in zip(params, updates):  # dead already: this step did no harm
                    p += u
                error = None
        if error is None:
            self._moved(sq)
        return error

    def _jumps(self, sq: list[float]) -> list[float]:
        """``||Delta w_l|| / ||w_l||`` per layer (0 for all-zero weights): exact wherever it
        may exceed ``RELATIVE_JUMP``, otherwise an upper bound. A large jump is how outputs
        explode and sigmoid/tanh units saturate. ``||w_l||`` is tracked as a lower bound
        (``||w + Delta|| >= ||w|| - ||Delta||``), so the pass over the weights that
        computes it exactly is only made every ``~1 / jump`` steps."""
        if self._w_low is None:
            self._w_low = [float(np.sqrt(np.vdot(w, w))) for w in self.net.weights]
        out, low = [], self._w_low
        for l, w in enumerate(self.net.weights):
            d = math.sqrt(sq[2 * l])
            if d > RELATIVE_JUMP * low[l]:
                low[l] = math.sqrt(float(np.vdot(w, w)))
            out.append(d / low[l] if low[l] > 0 else 0.0)
        return out

    def _moved(self, sq: list[float]) -> None:
        """Keep the lower bounds of ``||w_l||`` true after an update of norm ``sqrt(sq)``."""
        low = self._w_low
        for l in range(len(low)):
            low[l] = max(0.0, low[l] - math.sqrt(sq[2 * l]))

    def _check_update(self, X: Array, Y: Array, before: float, jumps: list[float], step: int):
        """Why the just-updated network is unusable, if it is: a parameter overflowed or
        jumped ``WEIGHT_JUMP`` times its size, its cost on this batch overflows or jumps
        ``COST_JUMP``-fold (from ``before``, to at least ``COST_JUMP``), or a layer died
        (checked on the batch, then on all the data)."""
        net = self.net
        for i, p in enumerate(self._params()):
            if not np.all(np.isfinite(p)):
                return DivergenceError(step, f"{_param_name(i)} overflowed to infinity")
        l = int(np.argmax(jumps))
        if jumps[l] > WEIGHT_JUMP:
            return DivergenceError(
                step,
                f"this update would change the weights of layer {l + 1} by {jumps[l]:.3g} "
                "times their size (‖Δw‖ / ‖w‖): training is diverging",
            )
        zs, acts = net.forward(X, keep_z=False)
        cost = net.output_cost(zs[-1], acts[-1], Y)
        if not np.isfinite(cost):
            return DivergenceError(step, f"after this update {_cost_problem(cost, acts[-1])}")
        if cost > COST_JUMP * max(before, 1.0):
            return DivergenceError(
                step,
                f"this update would make the mini-batch cost jump from {before:.3g} to "
                f"{cost:.3g}: training is diverging",
            )
        dead = net.dead_layers(X, acts) and net.dead_layers(self.X)
        return self._dead_error(dead[0], step) if dead else None

    def _non_finite(self, cost, a, grads, updates, sq, step) -> DivergenceError | None:
        """Why this step's cost or updates are unusable, naming the cost or the layer."""
        if not np.isfinite(cost):  # the network was beyond repair before this step
            return DivergenceError(
                step,
                _cost_problem(cost, a),
                "A smaller learning rate cannot fix a network whose cost is already infinite: "
                "Reset, or upload another network.",
            )
        for i, s in enumerate(sq):
            if not np.isfinite(s):
                name = _param_name(i)
                if np.all(np.isfinite(updates[i])):
                    return DivergenceError(
                        step, f"the update to {name} is too large to represent (|update| > 1e154)"
                    )
                bad = "NaN" if np.isnan(grads[i]).any() or np.isnan(updates[i]).any() else "inf"
                return DivergenceError(
                    step, f"the gradient of {name} contains {bad} (learning rate too high?)"
                )
        return None

    def _dead_error(self, l: int, step: int) -> DeadNetworkError:
        """Layer ``l`` died: which units, why nothing below it learns, and what to do."""
        hint = None
        if self.net.layer_activations[l - 1].name == "relu":
            hint = (
                "Lower the learning rate and continue, pick leaky_relu (whose units cannot "
                "die), or Reset."
            )
        return DeadNetworkError(step, f"after this update {self._dead_cause(l)}", hint)

    def _dead_cause(self, l: int) -> str:
        """Why dead layer ``l`` stops learning: its units, and what BP1/BP2 then pass on."""
        net = self.net
        act = net.layer_activations[l - 1].name
        layer = "the output layer" if l == net.n_layers else f"hidden layer {l}"
        how = "output 0" if act == "relu" else "are saturated (a at its bound, sigma'(z) = 0)"
        then = (
            "so delta_L = 0 (BP1) and nothing learns"
            if l == net.n_layers
            else f"so BP2 passes no error to layer {l} or below and they stop learning"
        )
        return (
            f"all {net.sizes[l]} {act} units of {layer} {how} for every one of the {self.n} "
            f"training samples, {then}"
        )

    def dead_warning(self) -> str | None:
        """Why the network cannot learn as it is, if a layer is already dead on the training
        data (sigma'(z_l) = 0 for every unit and sample, e.g. a resumed network with huge
        weights): training would run, with the cost frozen. None if every layer is alive."""
        dead = self.net.dead_layers(self.X)
        if not dead:
            return None
        names = ", ".join(str(l) for l in dead)
        return (
            f"This network is dead on its training data (layer{'s' * (len(dead) > 1)} "
            f"{names}): {self._dead_cause(dead[-1])}. Steps will still run, but cannot "
            "change those layers. Reset to start from fresh weights."
        )

    # ------------------------------------------------------------------- views
    def history_frame(self) -> pd.DataFrame:
        """Per-step history: costs, accuracies and per-layer norms (layers count from 1)."""
        return self.history.frame()

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


def _param_name(i: int) -> str:
    """The name of entry ``i`` of the flat list ``[w_0, b_0, w_1, b_1, ...]`` (layers from 1)."""
    return f"{'wb'[i % 2]} of layer {i // 2 + 1}"


def _cost_problem(cost: float, a: Array) -> str:
    """``"the mini-batch cost overflowed to inf (largest output |a| = 3e+200)"``."""
    what = "is NaN" if np.isnan(cost) else f"overflowed to {cost}"
    finite = np.abs(a[np.isfinite(a)])
    top = f"{float(finite.max()):.3g}" if finite.size else "not finite"
    return f"the mini-batch cost {what} (largest output |a| = {top})"


def _evenly(X: Array | None, cap: int | None) -> Array | None:
    """Indices of at most ``cap`` evenly spaced columns of ``X`` (None: all of them)."""
    if X is None or cap is None or X.shape[1] <= cap:
        return None
    return np.linspace(0, X.shape[1] - 1, cap).round().astype(np.int64)


def _f64(A: Array) -> Array:
    """``A`` as float64 (a copy only if it is stored as float32)."""
    return A if A.dtype == np.float64 else A.astype(np.float64)


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
