"""Weight penalties in a registry keyed by name, like activations and costs.

The cost is ``C = C_0 + penalty``, with the penalty scaled by ``lmbda / n`` (``n`` training
samples) as in network2. Biases are never penalised. ``grad(w, lmbda, n)`` is the penalty's
term of ``nabla_w`` for one layer, added to BP4's mean gradient:

- L2: ``penalty = (lmbda / 2n) sum w^2``, ``grad = (lmbda / n) w``
  (so SGD is ``w -> (1 - eta lmbda / n) w - eta nabla_w``, weight decay)
- L1: ``penalty = (lmbda / n) sum |w|``, ``grad = (lmbda / n) sgn(w)``
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

Array = np.ndarray


@dataclass(frozen=True)
class Regularizer:
    """A named weight penalty: ``penalty(weights, lmbda, n) -> float`` and
    ``grad(w, lmbda, n) -> Array`` (shape of ``w``). ``None`` callables: no penalty."""

    name: str
    _penalty: Callable[[Sequence[Array], float, int], float] | None
    _grad: Callable[[Array, float, int], Array] | None

    def active(self, lmbda: float) -> bool:
        """Whether this penalty changes anything at strength ``lmbda``."""
        return self._grad is not None and bool(lmbda)

    def penalty(self, weights: Sequence[Array], lmbda: float, n: int) -> float:
        """The term added to the cost (0.0 when inactive)."""
        if not self.active(lmbda):
            return 0.0
        return self._penalty(weights, lmbda, n)  # type: ignore[misc]

    def grad(self, w: Array, lmbda: float, n: int) -> Array:
        """``d penalty / d w`` for one layer's weights ``w`` ``(n_out, n_in)``."""
        if not self.active(lmbda):
            return np.zeros_like(w)
        return self._grad(w, lmbda, n)  # type: ignore[misc]


def _l2_penalty(weights: Sequence[Array], lmbda: float, n: int) -> float:
    return 0.5 * lmbda / n * sum(float(np.vdot(w, w)) for w in weights)  # (lmbda/2n) sum w^2


def _l2_grad(w: Array, lmbda: float, n: int) -> Array:
    return (lmbda / n) * w


def _l1_penalty(weights: Sequence[Array], lmbda: float, n: int) -> float:
    return lmbda / n * sum(float(np.abs(w).sum()) for w in weights)  # (lmbda/n) sum |w|


def _l1_grad(w: Array, lmbda: float, n: int) -> Array:
    return (lmbda / n) * np.sign(w)


REGULARIZERS: dict[str, Regularizer] = {
    "none": Regularizer("none", None, None),
    "l2": Regularizer("l2", _l2_penalty, _l2_grad),
    "l1": Regularizer("l1", _l1_penalty, _l1_grad),
}

REGULARIZATIONS = tuple(REGULARIZERS)  # the names, as the sidebar and the CLI list them
