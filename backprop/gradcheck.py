"""Gradient checking: backprop against central finite differences, per layer.

The comparison itself (:class:`~backprop.gradtable.ParamCheck`, the table of
:func:`~backprop.gradtable.gradient_table`) is shared with :mod:`backprop.debug`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .gradtable import ATOL, RTOL, ParamCheck, compare, gradient_table
from .network import Network
from .validation import finite_number

__all__ = ["ParamCheck", "check_work", "compare", "gradcheck", "gradient_table",
           "numerical_gradients"]  # fmt: skip

Array = np.ndarray


def numerical_gradients(
    net: Network, X: Array, Y: Array, eps: float = 1e-6
) -> tuple[list[Array], list[Array]]:
    """Central differences ``(C(p + eps) - C(p - eps)) / 2 eps`` for every parameter.

    Returns ``(nabla_b, nabla_w)`` in the shapes of ``net.biases`` and ``net.weights``.
    The network is restored exactly afterwards. ValueError (before any pass) if the two
    forward passes per parameter exceed ``net.limits.max_check_work``. A network trained in
    float32 is checked on a float64 copy (``p + eps`` would round back to ``p``).
    """
    eps = finite_number("epsilon", eps, positive=True)
    net = in_float64(net)
    X, Y = net.check_xy(X, Y)
    check_work(net, X.shape[1], net.n_parameters())
    cost = lambda: net.output_cost(*net.outputs(X), Y)  # noqa: E731
    out_b, out_w = [], []
    for params, out in ((net.biases, out_b), (net.weights, out_w)):
        for p in params:
            g = np.zeros_like(p)
            flat, gflat = p.reshape(-1), g.reshape(-1)
            for i in range(flat.size):
                old = flat[i]
                flat[i] = old + eps
                plus = cost()
                flat[i] = old - eps
                minus = cost()
                flat[i] = old
                gflat[i] = (plus - minus) / (2 * eps)
            out.append(g)
    return out_b, out_w


def in_float64(net: Network) -> Network:
    """``net`` itself if its parameters are float64, else a float64 copy of it."""
    if net.dtype == np.float64:
        return net
    net = net.copy()
    net.cast(np.float64)
    return net


def check_work(net: Network, m: int, entries: int) -> None:
    """ValueError if central differences of ``entries`` parameters on ``m`` samples (two
    forward passes of ``m`` samples through every parameter, per entry) exceed the limit."""
    work = entries * 2 * m * net.n_parameters()
    cap = net.limits.max_check_work
    if work > cap:
        raise ValueError(
            f"a finite-difference check of {entries:,} parameters on {m} samples is {work:,} "
            f"multiply-adds, over the limit of {cap:,} (samples x parameters x forward "
            "passes): use fewer samples, or check_gradients, which checks a subset"
        )


def gradcheck(
    net: Network, X: Array, Y: Array, eps: float = 1e-6, atol: float = ATOL, rtol: float = RTOL
) -> pd.DataFrame:
    """Per layer and parameter kind: max abs and relative error, and pass/fail.

    A row passes when every entry satisfies ``|a - n| <= atol + rtol |n|`` (the same rule
    as PyTorch's gradcheck). Layers count from 1 (layer l is fed by ``weights[l-1]``).
    """
    net = in_float64(net)
    nb, nw = net.backprop(X, Y)
    with np.errstate(all="ignore"):
        num_b, num_w = numerical_gradients(net, X, Y, eps)
    params = [
        ParamCheck.full(l + 1, kind, a, n)
        for l in range(net.n_layers)
        for kind, a, n in (("w", nw[l], num_w[l]), ("b", nb[l], num_b[l]))
    ]
    return gradient_table(params, atol, rtol)
