"""Cost functions C in a registry keyed by name.

``fn(a, y)`` is the **mean** over the ``m`` columns of the per-sample cost C_x.
``grad(a, y)`` is ``dC_x/da`` per column (shape ``(n_out, m)``), the factor in BP1:
``delta_L = grad(a, y) (.) sigma'(z_L)``. For a canonical pair (``shortcut``) BP1
collapses to ``delta_L = a - y``; the engine uses that and the tests check it against
the general path. Where ``a`` rounds to 0 or 1 these forms lose accuracy (``ln a`` is
clamped at ``ln tiny``): the engine then computes C and BP1 from ``z`` (:mod:`.stable`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .activations import ACTIVATIONS

Array = np.ndarray
_TINY = np.finfo(np.float64).tiny


@dataclass(frozen=True)
class Cost:
    """A named cost with its gradient, the output activations it accepts and its LaTeX."""

    name: str
    fn: Callable[[Array, Array], float]
    grad: Callable[[Array, Array], Array]
    shortcut: str  # output activation for which delta_L = a - y
    outputs: tuple[str, ...] | None  # output activations it is defined for (None: any)
    latex: str = ""  # the per-sample cost C_x = ... in LaTeX


def _quadratic(a: Array, y: Array) -> float:
    d = a - y
    return 0.5 * float(np.einsum("ij,ij->", d, d)) / a.shape[1]  # C_x = ||a - y||^2 / 2


def _quadratic_grad(a: Array, y: Array) -> Array:
    return a - y


def _log(p: Array) -> Array:
    return np.log(np.maximum(p, _TINY))


def _cross_entropy(a: Array, y: Array) -> float:
    # C_x = -sum_j [y_j ln a_j + (1 - y_j) ln(1 - a_j)]   (network2.CrossEntropyCost)
    c = y * _log(a) + (1.0 - y) * _log(1.0 - a)
    return -float(c.sum()) / a.shape[1]


def _cross_entropy_grad(a: Array, y: Array) -> Array:
    return (a - y) / np.maximum(a * (1.0 - a), _TINY)


def _log_likelihood(a: Array, y: Array) -> float:
    return -float((y * _log(a)).sum()) / a.shape[1]  # C_x = -ln a_y for one-hot y


def _log_likelihood_grad(a: Array, y: Array) -> Array:
    return -y / np.maximum(a, _TINY)


COSTS: dict[str, Cost] = {
    "quadratic": Cost(
        "quadratic",
        _quadratic,
        _quadratic_grad,
        "linear",
        None,
        latex=r"C_x = \tfrac{1}{2} \sum_j (a^L_j - y_j)^2",
    ),
    "cross_entropy": Cost(
        "cross_entropy",
        _cross_entropy,
        _cross_entropy_grad,
        "sigmoid",
        ("sigmoid", "softmax"),
        latex=r"C_x = -\sum_j \big[y_j \ln a^L_j + (1 - y_j) \ln(1 - a^L_j)\big]",
    ),
    "log_likelihood": Cost(
        "log_likelihood",
        _log_likelihood,
        _log_likelihood_grad,
        "softmax",
        ("softmax", "sigmoid"),
        latex=r"C_x = -\sum_j y_j \ln a^L_j",
    ),
}


@dataclass(frozen=True)
class OutputError:
    """How BP1 reads for an (output activation, cost) pair: through the Jacobian
    ``delta_L = J_sigma(z_L)^T nabla_a C`` (``jacobian``, an activation with no elementwise
    sigma', i.e. softmax) or ``nabla_a C (.) sigma'(z_L)``; and whether the pair is
    canonical, so that it reduces to ``delta_L = a - y`` (``shortcut``)."""

    jacobian: bool
    shortcut: bool


def output_error(activation: str, cost: str) -> OutputError:
    """The form of BP1 for output ``activation`` with ``cost``, read from the registries
    (the step-through, the pass animation and the engine all ask here)."""
    return OutputError(ACTIVATIONS[activation].prime is None, COSTS[cost].shortcut == activation)
