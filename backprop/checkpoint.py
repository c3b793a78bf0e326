"""A trainer's state at one step, to go back to it exactly (:meth:`Trainer.checkpoint`).

A checkpoint is cheap enough to take before every frame of Play (a copy of the
parameters, a few numbers and references): what a step replaces (the optimiser's state,
the permutation, the snapshots' list) is kept by reference, what it changes in place (the
weights and biases, the RNG, the history's row count) is copied. Restoring puts back the
parameters, the optimiser, the mini-batch order and its RNG, the counters, the history
(rows past the checkpoint are cleared) and the snapshots, so training on from a restored
checkpoint gives, bit for bit, what training on from that step did the first time.

The live board uses it for Pause: it trains a few frames ahead of the screen, and Pause
brings the trainer back to the frame that was on screen when it was clicked.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .history import History

Array = np.ndarray


@dataclass(frozen=True)
class _Rows:
    """A :class:`History`'s buffer (by reference), its row count and thinning count."""

    data: Array
    n: int
    thinned: int

    @classmethod
    def of(cls, h: History) -> _Rows:
        return cls(h._data, h.n, h.thinned)

    def fits(self, h: History) -> bool:
        """Rows added since can be dropped: the rows up to ``n`` were not thinned since
        (thinning rewrites the buffer in place; growing copies it)."""
        return h.thinned == self.thinned

    def put_back(self, h: History) -> None:
        h._data, h.n = self.data, self.n
        h._data[self.n :] = np.nan  # rows are filled in place from NaN (History.new_row)


@dataclass(frozen=True)
class Checkpoint:
    """What :func:`restore` needs to bring a trainer back to ``steps``."""

    steps: int
    epochs: int
    weights: tuple[Array, ...]
    biases: tuple[Array, ...]
    rng_state: dict
    batches: object  # batches.Checkpoint
    opt: object
    opt_state: dict
    guard_state: dict
    last: tuple
    history: _Rows
    epoch_history: _Rows
    snapshots: tuple[list, int, int]


def take(tr) -> Checkpoint:
    """The trainer ``tr``'s state now (see the module)."""
    net, snaps = tr.net, tr.snapshots
    return Checkpoint(
        tr.steps,
        tr.epochs,
        tuple(w.copy() for w in net.weights),
        tuple(b.copy() for b in net.biases),
        net.rng.bit_generator.state,
        tr.batches.checkpoint(),
        tr.opt,
        dict(tr.opt.__dict__),  # its state is replaced by a step, never changed in place
        {k: (list(v) if isinstance(v, list) else v) for k, v in tr.guard.__dict__.items()},
        (tr.last_update, tr._last),
        _Rows.of(tr.history),
        _Rows.of(tr.epoch_history),
        (list(snaps.items), snaps.nbytes, snaps.every),
    )


def restorable(tr, cp: Checkpoint) -> bool:
    """``cp`` can be restored exactly: same network, data and history rows since."""
    return (
        len(cp.weights) == len(tr.net.weights)
        and all(w.shape == v.shape for w, v in zip(cp.weights, tr.net.weights))
        and cp.history.fits(tr.history)
        and cp.epoch_history.fits(tr.epoch_history)
        and cp.steps <= tr.steps
    )


def restore(tr, cp: Checkpoint) -> None:
    """Put ``tr`` back to ``cp`` (ValueError if not :func:`restorable`)."""
    if not restorable(tr, cp):
        raise ValueError(f"checkpoint at step {cp.steps} no longer fits this trainer")
    net = tr.net
    for w, v in zip(net.weights, cp.weights):
        w[...] = v
    for b, v in zip(net.biases, cp.biases):
        b[...] = v
    net.rng.bit_generator.state = cp.rng_state
    tr.batches.restore(cp.batches)
    tr.opt = cp.opt
    tr.opt.__dict__.update(cp.opt_state)
    tr.guard.__dict__.update(
        {k: (list(v) if isinstance(v, list) else v) for k, v in cp.guard_state.items()}
    )
    tr.last_update, tr._last = cp.last
    tr.steps, tr.epochs = cp.steps, cp.epochs
    if tr.eta_since > cp.steps:  # the steps from here on run at today's eta
        tr.eta_since, tr.eta_norms = cp.steps, tr.weight_norms()
    cp.history.put_back(tr.history)
    cp.epoch_history.put_back(tr.epoch_history)
    items, nbytes, every = cp.snapshots
    snaps = tr.snapshots
    snaps.items, snaps.nbytes, snaps.every = list(items), nbytes, every
