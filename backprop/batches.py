"""The order of mini-batches: a seeded permutation per epoch, with checkpoints.

The permutation of each epoch is drawn from the network's own ``np.random.Generator`` when
the epoch's first batch is taken, so a seed reproduces the order bit for bit. A step that
is refused puts its batch back with :meth:`BatchOrder.restore` (the position, and the RNG
state if the batch started a new epoch), as if it had never been drawn.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

Array = np.ndarray


@dataclass(frozen=True)
class Checkpoint:
    """Where the order stood: the position, the permutation, the RNG state when it was
    between epochs (the next batch draws a new permutation)."""

    pos: int
    perm: Array | None
    rng_state: dict | None


class BatchOrder:
    """Mini-batches of ``X`` ``(n_in, n)`` and ``Y`` ``(n_out, n)`` in shuffled order.

    The data is kept as C-contiguous rows, so a mini-batch is one gather and
    ``X_b = rows.T`` (a view when each sample's column is contiguous, as the big data sets
    store it, so no copy is made). Batches come as ``dtype`` (float64: float32 data is cast
    per batch; float32: the rows are stored as float32, the one copy made).
    """

    def __init__(
        self, X: Array, Y: Array, rng: np.random.Generator, dtype: type = np.float64
    ) -> None:
        self.n = X.shape[1]
        self.rng = rng
        self.dtype = dtype
        keep = None if dtype == np.float64 else dtype  # float64 keeps float32 data as it is
        self.Xr = np.ascontiguousarray(X.T, dtype=keep)  # (n, n_in)
        self.Yr = np.ascontiguousarray(Y.T, dtype=keep)  # (n, n_out)
        self.perm: Array | None = None  # this epoch's order; None between epochs
        self.pos = 0  # samples of this epoch already drawn

    def next(self, batch_size: int) -> tuple[Array, Array]:
        """The next ``(X_b, Y_b)``, ``(n_in, m)`` and ``(n_out, m)`` of ``dtype``,
        ``m <= batch_size`` (the last batch of an epoch is partial)."""
        if self.perm is None:
            self.perm = self.rng.permutation(self.n)
            self.pos = 0
        idx = self.perm[self.pos : self.pos + batch_size]
        self.pos += len(idx)
        Xb, Yb = np.take(self.Xr, idx, axis=0), np.take(self.Yr, idx, axis=0)  # the gathers
        if self.dtype != np.float64:
            return Xb.T, Yb.T
        return f64(Xb).T, f64(Yb).T

    @property
    def epoch_done(self) -> bool:
        """Every sample of this epoch has been drawn."""
        return self.pos >= self.n

    def end_epoch(self) -> None:
        """Start a new permutation with the next batch."""
        self.perm = None

    @property
    def fraction(self) -> float:
        """How much of the current epoch is done, in [0, 1)."""
        return 0.0 if self.perm is None else self.pos / self.n

    def checkpoint(self) -> Checkpoint:
        """The state to :meth:`restore` if the next batch is refused."""
        state = self.rng.bit_generator.state if self.perm is None else None
        return Checkpoint(self.pos, self.perm, state)

    def restore(self, cp: Checkpoint) -> None:
        """Undo the batches drawn since ``cp`` (and the shuffle drawn for a new epoch)."""
        self.pos, self.perm = cp.pos, cp.perm
        if cp.rng_state is not None:
            self.rng.bit_generator.state = cp.rng_state


def f64(A: Array) -> Array:
    """``A`` as float64 (a copy only if it is stored as float32)."""
    return A if A.dtype == np.float64 else A.astype(np.float64)
