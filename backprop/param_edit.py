"""Setting one weight or bias of a :class:`Network` by hand, checked."""

from __future__ import annotations

import math

from .network import Network

MAX_VALUE = 1e3  # |value| of a weight or bias set by hand, at most


def parameter_name(layer: int, i: int, j: int | None) -> str:
    """``w[l][i,j]`` or ``b[l][i]`` with ``l`` counted from 1 (the graph's names)."""
    return f"b[{layer}][{i}]" if j is None else f"w[{layer}][{i},{j}]"


def check_target(
    net: Network, layer: object, i: object, j: object = None
) -> tuple[int, int, int | None]:
    """``(layer, i, j)`` as ints if they name a parameter (``layer`` from 1 to
    ``n_layers``, ``j`` None for the bias); ValueError otherwise."""

    def whole(v: object, what: str) -> int:
        if isinstance(v, bool) or not isinstance(v, int):
            if isinstance(v, float) and v.is_integer():
                return int(v)
            raise ValueError(f"{what} must be a whole number")
        return v

    l, i = whole(layer, "layer"), whole(i, "neuron")
    if not 1 <= l <= net.n_layers:
        raise ValueError(f"there is no layer {l} (1..{net.n_layers})")
    n_out, n_in = net.weights[l - 1].shape
    if not 0 <= i < n_out:
        raise ValueError(f"layer {l} has no neuron {i}")
    if j is None:
        return l, i, None
    j = whole(j, "input")
    if not 0 <= j < n_in:
        raise ValueError(f"layer {l} has no input {j}")
    return l, i, j


def get_parameter(net: Network, layer: int, i: int, j: int | None) -> float:
    """``weights[layer - 1][i, j]`` or ``biases[layer - 1][i, 0]``."""
    if j is None:
        return float(net.biases[layer - 1][i, 0])
    return float(net.weights[layer - 1][i, j])


def set_parameter(net: Network, layer: int, i: int, j: int | None, value: object) -> float:
    """Set the weight (or, ``j`` None, the bias) to ``value``; returns the old value.
    ValueError for a bad target or a value that is not finite or over ``MAX_VALUE``."""
    layer, i, j = check_target(net, layer, i, j)
    try:
        v = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ValueError("the value must be a number") from None
    if not math.isfinite(v) or abs(v) > MAX_VALUE:
        raise ValueError(f"the value must be finite and within ±{MAX_VALUE:g}")
    old = get_parameter(net, layer, i, j)
    if j is None:
        net.biases[layer - 1][i, 0] = v
    else:
        net.weights[layer - 1][i, j] = v
    return old
