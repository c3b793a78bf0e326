"""The cost and BP1 from ``z`` in closed forms that stay exact at any logit gap.

Once sigma saturates, ``a`` rounds to 0 or 1 and the general forms lose everything: ``ln a``
is clamped, ``nabla_a C = (a - y) / (a (1 - a))`` overflows and the product of BP1,
``nabla_a C (.) sigma'(z)``, becomes ``inf * 0``. For the (output activation, cost) pairs
where that happens, :data:`STABLE` holds the same quantities written with softplus and
log-sum-exp in terms of ``z`` (samples are columns, ``z`` is ``(n_out, m)``). The general
forms stay in :mod:`.costs` and :mod:`.activations`; the step-through view shows both.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .activations import ACTIVATIONS

Array = np.ndarray
_sigmoid, _softmax = ACTIVATIONS["sigmoid"].fn, ACTIVATIONS["softmax"].fn


@dataclass(frozen=True)
class StableForm:
    """``cost(z, y)``: the mean C over the columns; ``delta(z, a, y)``: BP1's ``delta_L``
    (None where the pair's shortcut ``a - y`` is already exact); ``tex``: the forms, in
    LaTeX, for display."""

    cost: Callable[[Array, Array], float]
    delta: Callable[[Array, Array, Array], Array] | None
    tex: str


def softplus(x: Array) -> Array:
    """``ln(1 + e^x)`` without overflow: ``-ln sigma(-x)``."""
    return np.logaddexp(0.0, x)


def _top_and_rest(z: Array) -> tuple[Array, Array, Array]:
    """``(top, cols, u)``: each column's argmax row, the column indices, and
    ``u = ln sum_{k != top} e^{z_k}`` (shape ``(m,)``), so that ``1 - a_top = sigma(u - z_top)``."""
    cols = np.arange(z.shape[1])
    top = z.argmax(axis=0)
    rest = z.copy()
    rest[top, cols] = -np.inf
    m2 = rest.max(axis=0)  # softmax has at least 2 outputs: finite
    return top, cols, m2 + np.log(np.exp(rest - m2).sum(axis=0))


def log_softmax_pair(z: Array) -> tuple[Array, Array]:
    """``(ln a, ln(1 - a))`` for ``a = softmax(z)``, each ``(n, m)``, exact to rounding."""
    top, cols, u = _top_and_rest(z)
    zt = z[top, cols]
    log_a = z - (zt + softplus(u - zt))  # z_j - ln sum_k e^{z_k}
    log_a[top, cols] = -softplus(u - zt)  # ln a_top = -ln(1 + e^{u - z_top}), no cancelling
    below = np.exp(log_a)
    below[top, cols] = 0.0
    log_1ma = np.log1p(-below)  # a_j <= 1/2 below the top: exact
    log_1ma[top, cols] = -softplus(zt - u)  # ln(1 - a_top) = ln sigma(u - z_top)
    return log_a, log_1ma


def _sigmoid_cross_entropy(z: Array, y: Array) -> float:
    # -[y ln a + (1 - y) ln(1 - a)] with ln a = -softplus(-z), ln(1 - a) = -softplus(z)
    return float((y * softplus(-z) + (1.0 - y) * softplus(z)).sum()) / z.shape[1]


def _softmax_cross_entropy(z: Array, y: Array) -> float:
    log_a, log_1ma = log_softmax_pair(z)
    return -float((y * log_a + (1.0 - y) * log_1ma).sum()) / z.shape[1]


def _sigmoid_log_likelihood(z: Array, y: Array) -> float:
    return float((y * softplus(-z)).sum()) / z.shape[1]  # -y ln a = y softplus(-z)


def _softmax_log_likelihood(z: Array, y: Array) -> float:
    return -float((y * log_softmax_pair(z)[0]).sum()) / z.shape[1]


def _sigmoid_log_likelihood_delta(z: Array, a: Array, y: Array) -> Array:
    """BP1: ``(-y / a) (.) a (1 - a) = -y (1 - a) = -y sigma(-z)``, ``(n, m)``."""
    with np.errstate(over="ignore"):  # e^z overflows to inf for z > 709: sigma(-z) = 0
        return -y * _sigmoid(-z)


def _softmax_cross_entropy_delta(z: Array, a: Array, y: Array) -> Array:
    """BP1 through the softmax Jacobian, ``(n, m)``:
    ``delta_i = (a_i - y_i) - sum_{j != i} (a_j - y_j) a_i / (1 - a_j)``.

    It is ``J^T nabla_a C`` with ``a_j dC/da_j = (a_j - y_j) / (1 - a_j)``. Below the top
    output ``a_j <= 1/2``, so only ``1 / (1 - a_top)`` can blow up; its terms use
    ``a_i / (1 - a_top) = softmax_i`` of ``z`` without the top entry, which is at most 1.
    """
    top, cols = z.argmax(axis=0), np.arange(z.shape[1])
    d = a - y
    below = 1.0 - a
    below[top, cols] = 1.0  # the top's term is taken from z below
    r = d / below
    r[top, cols] = 0.0
    delta = d - a * (r.sum(axis=0) - r)  # the terms j != i, j != top
    rest = z.copy()
    rest[top, cols] = -np.inf
    delta -= d[top, cols] * _softmax(rest)  # the term j = top (0 for i = top)
    return delta


STABLE: dict[tuple[str, str], StableForm] = {
    ("sigmoid", "cross_entropy"): StableForm(
        _sigmoid_cross_entropy,
        None,
        r"C_x = \sum_j \big[y_j \operatorname{softplus}(-z_j)"
        r" + (1 - y_j) \operatorname{softplus}(z_j)\big]",
    ),
    ("softmax", "cross_entropy"): StableForm(
        _softmax_cross_entropy,
        _softmax_cross_entropy_delta,
        r"\delta^{L}_i = (a^{L}_i - y_i) - \sum_{j \ne i} (a^{L}_j - y_j)"
        r" \frac{a^{L}_i}{1 - a^{L}_j}, \quad \ln a^{L}_j = z_j - \ln \textstyle\sum_k e^{z_k}",
    ),
    ("sigmoid", "log_likelihood"): StableForm(
        _sigmoid_log_likelihood,
        _sigmoid_log_likelihood_delta,
        r"\delta^{L} = -y \odot \sigma(-z^{L}), \quad C_x = \sum_j y_j"
        r" \operatorname{softplus}(-z_j)",
    ),
    ("softmax", "log_likelihood"): StableForm(
        _softmax_log_likelihood,
        None,
        r"C_x = -\sum_j y_j \big(z_j - \ln \textstyle\sum_k e^{z_k}\big)",
    ),
}
