"""Optimisers in a registry keyed by name.

An optimiser turns gradients into updates in two phases so that a step can be refused
without losing anything: ``propose(grads, eta) -> (updates, state)`` computes the
updates and the new state without touching the old one; ``commit(state)`` keeps it.
``params`` and ``grads`` are flat lists ``[w_0, b_0, w_1, b_1, ...]``.

``fusable`` marks an optimiser whose update is exactly ``-eta * g`` (plain SGD): without a
penalty the training step then scales its backward pass by ``-eta`` and gets the updates
directly (see :mod:`.proposal`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from .regularization import REGULARIZATIONS  # re-exported: the names used to live here

Array = np.ndarray


class SGD:
    """Plain gradient descent: ``update = -eta * g``."""

    name = "sgd"
    fusable = True  # update = -eta * g: the backward pass can yield it directly

    def __init__(
        self, shapes: Sequence[tuple[int, ...]], dtype: type = np.float64, **_: float
    ) -> None:
        self.shapes = list(shapes)
        self.dtype = dtype  # of the state (zeros), as the parameters

    def propose(self, grads: list[Array], eta: float) -> tuple[list[Array], object]:
        return [g * -eta for g in grads], None

    def commit(self, state: object) -> None:
        pass

    def rescale(self, factor: float) -> None:
        """The learning rate was multiplied by ``factor``: scale state measured in steps."""

    def state(self) -> dict[str, Array]:
        return {}


class Momentum(SGD):
    """Momentum: ``v <- mu v - eta g``; ``update = v``."""

    name = "momentum"
    fusable = False

    def __init__(
        self,
        shapes: Sequence[tuple[int, ...]],
        momentum: float = 0.9,
        dtype: type = np.float64,
        **_: float,
    ) -> None:
        super().__init__(shapes, dtype)
        self.mu = momentum
        self.v = [np.zeros(s, dtype) for s in self.shapes]

    def propose(self, grads: list[Array], eta: float) -> tuple[list[Array], object]:
        v = [self.mu * v - eta * g for v, g in zip(self.v, grads)]
        return v, v

    def commit(self, state: object) -> None:
        self.v = state  # type: ignore[assignment]

    def rescale(self, factor: float) -> None:
        """``v`` sums past ``-eta g``: as if they had been taken with the new eta."""
        if factor != 1.0:
            self.v = [v * factor for v in self.v]

    def state(self) -> dict[str, Array]:
        return {f"v_{i}": v for i, v in enumerate(self.v)}


class Adam(SGD):
    """Adam (Kingma & Ba) with bias correction; ``eta`` is the step size."""

    name = "adam"
    fusable = False

    def __init__(
        self,
        shapes: Sequence[tuple[int, ...]],
        beta1: float = 0.9,
        beta2: float = 0.999,
        eps: float = 1e-8,
        dtype: type = np.float64,
        **_: float,
    ) -> None:
        super().__init__(shapes, dtype)
        self.beta1, self.beta2, self.eps = beta1, beta2, eps
        self.m = [np.zeros(s, dtype) for s in self.shapes]
        self.v = [np.zeros(s, dtype) for s in self.shapes]
        self.t = 0

    def propose(self, grads: list[Array], eta: float) -> tuple[list[Array], object]:
        b1, b2, t = self.beta1, self.beta2, self.t + 1
        m = [b1 * m + (1 - b1) * g for m, g in zip(self.m, grads)]
        v = [b2 * v + (1 - b2) * (g * g) for v, g in zip(self.v, grads)]
        step = eta * math.sqrt(1 - b2**t) / (1 - b1**t)  # a float: float32 stays float32
        updates = [-step * mi / (np.sqrt(vi) + self.eps) for mi, vi in zip(m, v)]
        return updates, (m, v, t)

    def commit(self, state: object) -> None:
        self.m, self.v, self.t = state  # type: ignore[misc]

    def state(self) -> dict[str, Array]:
        out = {f"m_{i}": m for i, m in enumerate(self.m)}
        out.update({f"v_{i}": v for i, v in enumerate(self.v)})
        return out


OPTIMIZERS: dict[str, type[SGD]] = {"sgd": SGD, "momentum": Momentum, "adam": Adam}

__all__ = ["OPTIMIZERS", "REGULARIZATIONS", "SGD", "Adam", "Momentum"]
