"""Activation functions sigma and their derivatives, in a registry keyed by name.

Each activation maps ``z`` (shape ``(n, m)``) to ``a = sigma(z)``. ``backward(z, a, g)``
returns ``dC/dz`` given ``g = dC/da``: for an elementwise sigma that is ``g * sigma'(z)``
(the Hadamard product of BP1 and BP2); for softmax it is the Jacobian-vector product.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

Array = np.ndarray

DEAD, SATURATED = "dead", "saturated"  # Activation.stalls: how a unit stops learning


@dataclass(frozen=True)
class Activation:
    """A named activation: ``fn(z, out=None) -> a`` and ``prime(z, a) -> sigma'(z)``.

    ``symbol``, ``latex`` and ``prime_latex`` are how the debugger writes it (LaTeX).
    ``fn(z, out=z)`` computes in place. Every ``prime`` is written in terms of ``a`` alone
    (``z`` may be None), so a training step need not keep ``z``.
    """

    name: str
    fn: Callable[..., Array]
    prime: Callable[[Array | None, Array], Array] | None  # None: not elementwise (softmax)
    output_only: bool = False
    # How its units stop passing error back (sigma'(z) = 0, so BP1/BP2 give them none):
    # DEAD for ReLU (sigma' = 0 for every z <= 0: the unit outputs 0), SATURATED for sigmoid
    # and tanh (sigma' -> 0 as |z| grows, exactly 0 once a rounds to its bound); "" if
    # sigma' is never 0 (leaky_relu, linear).
    stalls: str = ""
    symbol: str = ""  # LaTeX name of sigma, as in a^l = symbol(z^l)
    latex: str = ""  # LaTeX definition: sigma(z) = ...
    prime_latex: str | None = None  # LaTeX of sigma'(z) = ...; None: not elementwise
    # The activation whose sigma' the "wrong activation in the derivative" bug uses instead
    # (None: no such bug, as for softmax, which has no elementwise derivative).
    wrong_prime: str | None = None

    @property
    def can_die(self) -> bool:
        """Whether sigma'(z) can be exactly 0, so that a whole layer can stop learning."""
        return bool(self.stalls)

    def __call__(self, z: Array) -> Array:
        return self.fn(z)

    def backward(self, z: Array | None, a: Array, g: Array) -> Array:
        """dC/dz from g = dC/da: ``g * sigma'(z)`` (BP1/BP2), or J^T g for softmax."""
        if self.prime is not None:
            return g * self.prime(z, a)
        return a * (g - np.sum(a * g, axis=0, keepdims=True))


def _sigmoid(z: Array, out: Array | None = None) -> Array:
    # 1 / (1 + exp(-z)), the seed's formula. exp overflows to inf for z < -709, giving the
    # right limit 0; callers silence that warning with np.errstate.
    t = np.negative(z, out=out)
    np.exp(t, out=t)
    t += 1.0
    np.reciprocal(t, out=t)
    return t


def _sigmoid_prime(z: Array | None, a: Array) -> Array:
    return a * (1.0 - a)  # sigma'(z) = sigma(z)(1 - sigma(z))


def _tanh(z: Array, out: Array | None = None) -> Array:
    return np.tanh(z, out=out)


def _tanh_prime(z: Array | None, a: Array) -> Array:
    return 1.0 - a * a


def _relu(z: Array, out: Array | None = None) -> Array:
    return np.maximum(z, 0.0, out=out)


def _relu_prime(z: Array | None, a: Array) -> Array:
    return (a > 0).astype(a.dtype)  # a > 0 exactly where z > 0


LEAKY_SLOPE = 0.01


def _leaky_relu(z: Array, out: Array | None = None) -> Array:
    return np.maximum(z, LEAKY_SLOPE * z, out=out)  # = z if z > 0 else 0.01 z


def _leaky_relu_prime(z: Array | None, a: Array) -> Array:
    one, slope = a.dtype.type(1.0), a.dtype.type(LEAKY_SLOPE)  # float32 stays float32
    return np.where(a > 0, one, slope)  # a > 0 exactly where z > 0


def _linear(z: Array, out: Array | None = None) -> Array:
    if out is None:
        return z.copy()
    if out is not z:
        out[...] = z
    return out


def _linear_prime(z: Array | None, a: Array) -> Array:
    return np.ones_like(a)


def _softmax(z: Array, out: Array | None = None) -> Array:
    e = np.subtract(z, z.max(axis=0, keepdims=True), out=out)
    np.exp(e, out=e)
    e /= e.sum(axis=0, keepdims=True)
    return e


ACTIVATIONS: dict[str, Activation] = {
    "sigmoid": Activation(
        "sigmoid",
        _sigmoid,
        _sigmoid_prime,
        stalls=SATURATED,
        symbol=r"\sigma",
        latex=r"\sigma(z) = \frac{1}{1 + e^{-z}}",
        prime_latex=r"\sigma'(z) = \sigma(z)\,(1 - \sigma(z))",
        wrong_prime="tanh",
    ),
    "tanh": Activation(
        "tanh",
        _tanh,
        _tanh_prime,
        stalls=SATURATED,
        symbol=r"\tanh",
        latex=r"\sigma(z) = \tanh z",
        prime_latex=r"\sigma'(z) = 1 - \tanh^2 z",
        wrong_prime="sigmoid",
    ),
    "relu": Activation(
        "relu",
        _relu,
        _relu_prime,
        stalls=DEAD,
        symbol=r"\operatorname{relu}",
        latex=r"\sigma(z) = \max(0, z)",
        prime_latex=r"\sigma'(z) = 1 \text{ if } z > 0 \text{ else } 0",
        wrong_prime="sigmoid",
    ),
    "leaky_relu": Activation(
        "leaky_relu",
        _leaky_relu,
        _leaky_relu_prime,
        symbol=r"\operatorname{lrelu}",
        latex=r"\sigma(z) = \max(0.01\,z,\ z)",
        prime_latex=r"\sigma'(z) = 1 \text{ if } z > 0 \text{ else } 0.01",
        wrong_prime="sigmoid",
    ),
    "linear": Activation(
        "linear",
        _linear,
        _linear_prime,
        symbol=r"\operatorname{id}",
        latex=r"\sigma(z) = z",
        prime_latex=r"\sigma'(z) = 1",
        wrong_prime="sigmoid",
    ),
    "softmax": Activation(
        "softmax",
        _softmax,
        None,
        output_only=True,
        symbol=r"\operatorname{softmax}",
        latex=r"\sigma(z)_j = e^{z_j} \big/ \textstyle\sum_k e^{z_k}",
    ),
}

HIDDEN_ACTIVATIONS = tuple(k for k, v in ACTIVATIONS.items() if not v.output_only)
