"""The classic backprop bugs, injected into a separate copy of the backward pass.

:data:`BUGS` names each bug with the equation it breaks. :func:`buggy_gradients` is a
plain, standalone implementation of backprop (the engine's forward pass, then BP1-BP4
written out again) into which any set of bugs can be switched; :func:`buggy_step` is one
SGD step with it and :func:`train_pair` trains a correct and a buggy copy side by side.
The engine's own path (``Network.gradients``, ``Network.backprop``) is never touched: the
networks passed in are only read, or copied before being trained.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..activations import ACTIVATIONS
from ..network import Network
from ..validation import choose, finite_number, whole_number

Array = np.ndarray


class BugShapeError(ValueError):
    """A bug that makes the arrays' shapes disagree (names the layer and the equation)."""


@dataclass(frozen=True)
class Bug:
    """One classic bug: what the code does wrong, the equation it breaks, what to expect."""

    key: str
    title: str
    equation: str  # "BP1", "BP2", "BP3", "BP3 and BP4" or "update"
    wrong: str  # the wrong line (LaTeX)
    right: str  # the right line (LaTeX)
    description: str
    symptom: str

    def invisible(self, net: Network, m: int) -> str | None:
        """Why this bug cannot show on ``net`` with a batch of ``m`` columns (None: it can)."""
        hidden = net.n_layers > 1
        if self.key == "bp1_no_sigma_prime" and net.output_activation == "linear":
            return "the output activation is linear, so σ'(z) = 1 and forgetting it changes nothing"
        if self.key in ("bp2_no_sigma_prime", "bp2_no_transpose", "bias_wrong_layer",
                        "wrong_activation_prime") and not hidden:  # fmt: skip
            return "the network has no hidden layer, so BP2 is never used"
        if self.key == "bp2_no_sigma_prime" and net.activation == "linear":
            return "the hidden activation is linear, so σ'(z) = 1 and forgetting it changes nothing"
        if self.key == "summed_not_averaged" and m == 1:
            return "with a batch of one sample the sum and the mean are the same"
        return None


BUGS: dict[str, Bug] = {
    b.key: b
    for b in (
        Bug(
            "bp1_no_sigma_prime",
            "Missing σ'(z) in BP1",
            "BP1",
            r"\delta^L = \nabla_a C",
            r"\delta^L = \nabla_a C \odot \sigma'(z^L)",
            "The output error forgets the derivative of the output activation (for softmax: "
            "its Jacobian). For a canonical pair the engine's shortcut δᴸ = a − y has no σ' "
            "to forget; this bug is in the general form.",
            "Every layer fails the check, starting at the output layer: δᴸ is wrong and "
            "BP2 carries the error back. The training curve need not look bad: with a sigmoid "
            "output and the quadratic cost the buggy δᴸ = a − y is exactly the cross-entropy "
            "cost's error, so it may even learn faster. A good-looking curve proves nothing.",
        ),
        Bug(
            "bp2_no_sigma_prime",
            "Missing σ'(z) in BP2",
            "BP2",
            r"\delta^l = (w^{l+1})^T \delta^{l+1}",
            r"\delta^l = \left((w^{l+1})^T \delta^{l+1}\right) \odot \sigma'(z^l)",
            "The hidden layers' errors forget the derivative of the hidden activation.",
            "The output layer passes; the last hidden layer is the first to fail, and every "
            "layer before it fails too.",
        ),
        Bug(
            "bp2_no_transpose",
            "Missing transpose in BP2",
            "BP2",
            r"\delta^l = \left(w^{l+1} \delta^{l+1}\right) \odot \sigma'(z^l)",
            r"\delta^l = \left((w^{l+1})^T \delta^{l+1}\right) \odot \sigma'(z^l)",
            "The error is sent back through w instead of its transpose.",
            "When w^{l+1} is not square the product has the wrong shape and NumPy stops with a "
            "shape error in BP2. When it is square (layers l and l+1 equally wide) nothing "
            "stops it: the numbers are silently wrong, and only the check catches it.",
        ),
        Bug(
            "summed_not_averaged",
            "Gradients summed, not averaged, over the batch",
            "BP3 and BP4",
            r"\frac{\partial C}{\partial w^l} = \sum_x \delta^l_x (a^{l-1}_x)^T",
            r"\frac{\partial C}{\partial w^l} = \frac{1}{m} \sum_x \delta^l_x (a^{l-1}_x)^T",
            "BP3 and BP4 add up the per-sample gradients but forget to divide by the batch size m.",
            "Every gradient is exactly m times too large: the check fails in every layer with "
            "a constant factor m. Training behaves as if the learning rate were m η.",
        ),
        Bug(
            "update_sign",
            "Sign error in the update",
            "update",
            r"w \to w + \eta \frac{\partial C}{\partial w}",
            r"w \to w - \eta \frac{\partial C}{\partial w}",
            "The gradients are right, but the update adds them: gradient ascent.",
            "The gradient check passes in every layer, because the gradient itself is right: "
            "the check never looks at the update. Training climbs the cost instead of "
            "descending it, so the cost curve rises.",
        ),
        Bug(
            "bias_wrong_layer",
            "Bias gradient taken from the wrong layer",
            "BP3",
            r"\frac{\partial C}{\partial b^l} = \delta^{l+1}",
            r"\frac{\partial C}{\partial b^l} = \delta^{l}",
            "A hidden layer's bias gradient is taken from the next layer's error (as when "
            "nabla_b is set before delta is updated in the backward loop).",
            "Only the bias gradients of the hidden layers fail (BP3); the weights pass. If "
            "the layers differ in width, the shapes disagree instead.",
        ),
        Bug(
            "wrong_activation_prime",
            "Wrong activation in the derivative",
            "BP2",
            r"\delta^l = \left((w^{l+1})^T \delta^{l+1}\right) \odot \sigma_{\text{other}}'(z^l)",
            r"\delta^l = \left((w^{l+1})^T \delta^{l+1}\right) \odot \sigma'(z^l)",
            "The hidden layers use the derivative of another activation (sigmoid's "
            "σ(z)(1 − σ(z)) for a tanh network, as when network.py's sigmoid_prime is kept "
            "after switching to tanh; tanh's for a sigmoid network).",
            "The output layer passes; the hidden layers fail, starting at the last one (BP2).",
        ),
    )
}


def check_bugs(bugs: Iterable[str]) -> frozenset[str]:
    """``bugs`` as a set of keys of :data:`BUGS`, or ValueError naming a bad one."""
    keys = [bugs] if isinstance(bugs, str) else list(bugs)
    for key in keys:
        choose("bug", key, BUGS)
    return frozenset(keys)


def buggy_gradients(
    net: Network, X: Array, Y: Array, bugs: Iterable[str] = ()
) -> tuple[list[Array], list[Array]]:
    """``(nabla_b, nabla_w)`` of the mean cost by a separate backprop with ``bugs`` switched
    on (none: the right gradients). ``net`` is only read. BugShapeError if a bug makes the
    shapes disagree. ``update_sign`` does not change the gradients (see :func:`buggy_step`).
    """
    on = check_bugs(bugs)
    X, Y = net.check_xy(X, Y)
    with np.errstate(all="ignore"):
        zs, acts = net.forward(X)  # the forward pass is shared: the bugs live backwards
        deltas = _deltas(net, zs, acts, Y, on)
        return _gradients(deltas, acts, on)


def _deltas(net: Network, zs: list, acts: list, Y: Array, on: frozenset[str]) -> list[Array]:
    """delta^l per column for every layer: BP1, then BP2 back to the first layer."""
    L, sigmas = net.n_layers, net.layer_activations
    if "bp1_no_sigma_prime" in on:
        delta = net.cost.grad(acts[-1], Y)  # BUG: nabla_a C without sigma'(z^L)
    else:
        delta = net.output_delta(zs[-1], acts[-1], Y)  # BP1
    deltas: list[Array] = [np.empty(0)] * L
    deltas[-1] = delta
    for i in range(L - 2, -1, -1):  # layer l = i + 1, fed by weights[i]
        w_next = net.weights[i + 1]
        if "bp2_no_transpose" in on:
            back = _no_transpose(w_next, deltas[i + 1], i + 1)  # BUG: w, not w^T
        else:
            back = w_next.T @ deltas[i + 1]  # (w^{l+1})^T delta^{l+1}
        if "bp2_no_sigma_prime" in on:
            delta = back  # BUG: no (.) sigma'(z^l)
        elif "wrong_activation_prime" in on:
            other = ACTIVATIONS[sigmas[i].wrong_prime]
            delta = back * other.prime(zs[i], other.fn(zs[i]))  # BUG: another sigma'
        else:
            delta = sigmas[i].backward(zs[i], acts[i + 1], back)  # BP2
        deltas[i] = delta
    return deltas


def _no_transpose(w_next: Array, delta_next: Array, l: int) -> Array:
    try:
        return w_next @ delta_next
    except ValueError as e:
        raise BugShapeError(
            f"BP2 at layer {l}: w^{l + 1} has shape {w_next.shape}, so w^{l + 1} δ^{l + 1} needs"
            f" δ^{l + 1} with {w_next.shape[1]} rows, but δ^{l + 1} has {delta_next.shape[0]}"
            f" (NumPy: {e})"
        ) from None


def _gradients(
    deltas: list[Array], acts: list[Array], on: frozenset[str]
) -> tuple[list[Array], list[Array]]:
    """BP3 and BP4 for every layer, averaged over the columns (or, with a bug, summed)."""
    L, m = len(deltas), acts[0].shape[1]
    scale = 1.0 if "summed_not_averaged" in on else 1.0 / m
    nabla_b, nabla_w = [np.empty(0)] * L, [np.empty(0)] * L
    for i in range(L - 1, -1, -1):  # from the output back, like backprop
        d_b = deltas[i]
        if "bias_wrong_layer" in on and i < L - 1:
            d_b = deltas[i + 1]  # BUG: the next layer's delta
            if d_b.shape != deltas[i].shape:
                raise BugShapeError(
                    f"BP3 at layer {i + 1}: ∂C/∂b^{i + 1} needs {deltas[i].shape[0]} rows like"
                    f" δ^{i + 1}, but it was taken from δ^{i + 2}, which has {d_b.shape[0]}"
                )
        nabla_b[i] = d_b.sum(axis=1, keepdims=True) * scale  # BP3
        nabla_w[i] = (deltas[i] @ acts[i].T) * scale  # BP4
    return nabla_b, nabla_w


def buggy_step(net: Network, X: Array, Y: Array, eta: float, bugs: Iterable[str] = ()) -> None:
    """One SGD step of ``net`` (which the caller owns: pass a copy) with ``bugs`` on."""
    on = check_bugs(bugs)
    eta = finite_number("eta", eta, positive=True)
    nabla_b, nabla_w = buggy_gradients(net, X, Y, on)
    sign = 1.0 if "update_sign" in on else -1.0  # BUG when +1: gradient ascent
    for i in range(net.n_layers):  # layer l = i + 1
        net.weights[i] += sign * eta * nabla_w[i]
        net.biases[i] += sign * eta * nabla_b[i]


def train_pair(
    net: Network,
    X: Array,
    Y: Array,
    bugs: Iterable[str],
    *,
    eta: float,
    batch_size: int,
    steps: int,
    seed: int = 0,
) -> pd.DataFrame:
    """Cost on ``X``, ``Y`` before and after each of ``steps`` SGD steps, for two copies of
    ``net`` started from the same weights and fed the same mini-batches: ``correct`` (the
    engine's ``update_mini_batch``) and ``buggy`` (:func:`buggy_step` with ``bugs``).

    Columns ``step``, ``correct``, ``buggy``; a run whose cost turns NaN or infinite
    stops there (NaN from then on). BugShapeError if a bug breaks the shapes.
    """
    on = check_bugs(bugs)
    X, Y = net.check_xy(X, Y)
    eta = finite_number("eta", eta, positive=True)
    n = X.shape[1]
    batch_size = whole_number("batch size", batch_size, minimum=1, maximum=n)
    steps = whole_number("steps", steps, minimum=1, maximum=10_000)
    rng = np.random.default_rng(seed)
    nets = {"correct": net.copy(), "buggy": net.copy()}
    alive = dict.fromkeys(nets, True)
    rows = []
    with np.errstate(all="ignore"):
        for step in range(steps + 1):
            if step > 0:
                idx = rng.choice(n, size=batch_size, replace=False)
                Xb, Yb = X[:, idx], Y[:, idx]
                if alive["correct"]:
                    nets["correct"].update_mini_batch(Xb, Yb, eta)  # the engine's SGD step
                if alive["buggy"]:
                    buggy_step(nets["buggy"], Xb, Yb, eta, on)
            row = {"step": step}
            for name, nt in nets.items():
                cost = nt.output_cost(*nt.outputs(X), Y) if alive[name] else np.nan
                alive[name] = alive[name] and bool(np.isfinite(cost))
                row[name] = cost if alive[name] else np.nan
            rows.append(row)
    return pd.DataFrame(rows)
