"""Weight and bias initialisers in a registry keyed by name.

Each takes ``(rng, n_out, n_in)`` and returns ``(w, b)`` with shapes ``(n_out, n_in)``
and ``(n_out, 1)``. ``standard`` is network.py's N(0, 1); ``scaled`` is network2.py's
default N(0, 1/n_in) for weights with N(0, 1) biases.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

Array = np.ndarray
Init = Callable[[np.random.Generator, int, int], tuple[Array, Array]]


def standard(rng: np.random.Generator, n_out: int, n_in: int) -> tuple[Array, Array]:
    """N(0, 1) weights and biases (network.py)."""
    return rng.standard_normal((n_out, n_in)), rng.standard_normal((n_out, 1))


def scaled(rng: np.random.Generator, n_out: int, n_in: int) -> tuple[Array, Array]:
    """N(0, 1/n_in) weights, N(0, 1) biases (network2.py's default_weight_initializer)."""
    return rng.standard_normal((n_out, n_in)) / np.sqrt(n_in), rng.standard_normal((n_out, 1))


def xavier(rng: np.random.Generator, n_out: int, n_in: int) -> tuple[Array, Array]:
    """Glorot: N(0, 2/(n_in + n_out)) weights, zero biases."""
    w = rng.standard_normal((n_out, n_in)) * np.sqrt(2.0 / (n_in + n_out))
    return w, np.zeros((n_out, 1))


def he(rng: np.random.Generator, n_out: int, n_in: int) -> tuple[Array, Array]:
    """He: N(0, 2/n_in) weights (for ReLU), zero biases."""
    return rng.standard_normal((n_out, n_in)) * np.sqrt(2.0 / n_in), np.zeros((n_out, 1))


INITS: dict[str, Init] = {"standard": standard, "scaled": scaled, "xavier": xavier, "he": he}
