"""Recording a run: train/test evaluation and the per-step and per-epoch history.

:class:`Evaluator` measures cost and accuracy on the training and test sets (an evenly
spaced subset of at most ``eval_samples`` columns of each, in float64 chunks).
:class:`Recorder` writes the history rows by column name. Layers count from 1: the
columns ``delta_norm_l``, ``grad_norm_l``, ``update_norm_l`` are for ``l = 1..L``.
"""

from __future__ import annotations

import numpy as np

from .batches import f64
from .history import History
from .network import Network, accuracy

Array = np.ndarray

EVAL_COLUMNS = ("train_cost", "train_accuracy", "test_cost", "test_accuracy")
EVAL_CHUNK = 4096  # columns per forward pass when evaluating big data
STEP_COLUMNS = ("step", "epoch", "batch_cost", "batch_accuracy", *EVAL_COLUMNS)
EPOCH_COLUMNS = ("step", "epoch", *EVAL_COLUMNS)
LAYER_COLUMNS = ("delta_norm", "grad_norm", "update_norm")  # then _1 .. _L


class Evaluator:
    """Cost and accuracy of ``net`` on ``(X, Y)`` and ``(X_test, Y_test)`` (``None``: NaN).

    ``cap`` (None: all) is the most columns of each set that are used, evenly spaced.
    """

    def __init__(
        self,
        net: Network,
        X: Array,
        Y: Array,
        X_test: Array | None,
        Y_test: Array | None,
        cap: int | None = None,
    ) -> None:
        self.net = net
        pairs = (("train", X, Y), ("test", X_test, Y_test))
        self.sets = [(name, A, B, _evenly(A, cap)) for name, A, B in pairs]

    def evaluate(self, penalty: float = 0.0) -> dict[str, float]:
        """``{train,test}_{cost,accuracy}``: the mean cost plus ``penalty``, and accuracy."""
        out = {}
        for name, X, Y, idx in self.sets:
            if X is None:
                out[f"{name}_cost"] = out[f"{name}_accuracy"] = float("nan")
                continue
            with np.errstate(all="ignore"):
                z, a = self._outputs(X, idx)
            if idx is not None:
                Y = Y[:, idx]
            out[f"{name}_cost"] = self.net.output_cost(z, a, f64(Y)) + penalty
            out[f"{name}_accuracy"] = accuracy(a, Y)
        return out

    def targets(self, name: str = "train") -> Array | None:
        """``Y`` of the columns that :meth:`evaluate` measures the set ``name`` (``"train"``
        or ``"test"``) on (None if there is no such set)."""
        for set_name, _, Y, idx in self.sets:
            if set_name == name:
                return Y if Y is None or idx is None else Y[:, idx]
        return None

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
            z, a = self.net.outputs(f64(X[:, cols]))
            zs.append(z)
            acts.append(a)
        return np.hstack(zs), np.hstack(acts)


class Recorder:
    """The step history (one row a step) and the epoch history of ``n_layers`` layers,
    each at most ``max_rows`` rows (then thinned, see :class:`History`)."""

    def __init__(self, n_layers: int, max_rows: int) -> None:
        L = n_layers
        layers = [f"{k}_{l}" for k in LAYER_COLUMNS for l in range(1, L + 1)]
        self.history = History([*STEP_COLUMNS, *layers], max_rows)
        self.epoch_history = History(list(EPOCH_COLUMNS), max_rows)
        at = self.history.index
        self._at = {c: at[c] for c in STEP_COLUMNS}
        # the L columns of one quantity, found by name (they are adjacent: l = 1..L)
        self._layers = {k: slice(at[f"{k}_1"], at[f"{k}_{L}"] + 1) for k in LAYER_COLUMNS}

    def step(
        self,
        step: int,
        epoch: int,
        batch_cost: float,
        batch_accuracy: float,
        grad_norms: Array,
        update_norms: Array,
        evaluation: dict[str, float] | None = None,
        epoch_done: bool = False,
    ) -> None:
        """One step's row. ``grad_norms`` and ``update_norms`` are flat
        ``[||.w_0||, ||.b_0||, ...]``; ``evaluation`` (from :class:`Evaluator`), if given,
        fills the train/test columns and, at an epoch's end, an epoch row."""
        row, at = self.history.new_row(), self._at
        row[at["step"]], row[at["epoch"]] = step, epoch
        row[at["batch_cost"]], row[at["batch_accuracy"]] = batch_cost, batch_accuracy
        layers = self._layers
        row[layers["delta_norm"]] = grad_norms[1::2]  # ||nabla_b^l||: the speed of learning
        row[layers["grad_norm"]] = grad_norms[0::2]  # ||nabla_w^l||
        row[layers["update_norm"]] = update_norms[0::2]  # ||Delta w^l||
        if evaluation is None:
            return
        for c in EVAL_COLUMNS:
            row[at[c]] = evaluation[c]
        if epoch_done:
            erow, e_at = self.epoch_history.new_row(), self.epoch_history.index
            erow[e_at["step"]], erow[e_at["epoch"]] = step, epoch
            for c in EVAL_COLUMNS:
                erow[e_at[c]] = evaluation[c]


def _evenly(X: Array | None, cap: int | None) -> Array | None:
    """Indices of at most ``cap`` evenly spaced columns of ``X`` (None: all of them)."""
    if X is None or cap is None or X.shape[1] <= cap:
        return None
    return np.linspace(0, X.shape[1] - 1, cap).round().astype(np.int64)
