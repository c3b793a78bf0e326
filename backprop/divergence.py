"""The divergence guard: a step that would break the network is refused and undone.

A step's updates are checked before they are applied (:meth:`Guard.non_finite`: a cost,
gradient or update that is NaN or infinite) and, when the step is large, after
(:meth:`Guard.check_update`: overflow, a jump of the weights or of the cost).
:meth:`Guard.apply` adds the updates and undoes them exactly when the check fails.
A layer that dies (every ReLU outputs 0, or every sigmoid/tanh unit is saturated at its
bound) is not refused: it is a state training can be in, as in PyTorch or TF Playground,
and ``backprop.diagnose`` names it; :meth:`Guard.dead_warning` names a network that is
dead before it trains. Layers count from 1 (``l = 1..L``); flat parameter lists
``[w_0, b_0, w_1, b_1, ...]`` are indexed by Python position ``i`` (layer ``i // 2 + 1``).
"""

from __future__ import annotations

import math

import numpy as np

from .activations import DEAD, SATURATED
from .network import Network
from .precision import norm_limit

Array = np.ndarray

# An update this large relative to the weights, ||Delta w_l|| / ||w_l||, is checked on the
# batch before it is kept: smaller steps change each layer's outputs too little to make
# them explode, so the book's network at eta = 3 never pays the check's extra forward pass.
RELATIVE_JUMP = 0.25
# A checked update that multiplies the batch's cost (taken as at least 1, so a near-zero
# cost may grow freely) by this much diverges: a learning step, even an unlucky one, does
# not raise the cost a million-fold; a runaway learning rate does, on its way to overflow.
COST_JUMP = 1e6
# Nor may an update change a layer's weights by this many times their norm: such a step
# replaces what the layer had learnt by the step itself, which no usable learning rate
# does, and the next steps grow the weights further until they overflow.
WEIGHT_JUMP = 1e3
# What the units of a dead layer do, by how their activation stalls (Activation.stalls)
STALLED = {DEAD: "output 0", SATURATED: "are saturated (a at its bound, sigma'(z) = 0)"}


class DivergenceError(FloatingPointError):
    """A step produced a non-finite cost, gradient or parameter; nothing was changed.

    ``step`` is the refused step's number, ``cause`` what went wrong (names the layer or
    the cost), ``hint`` what to do about it.
    """

    hint = "Lower the learning rate and continue, or Reset."

    def __init__(self, step: int, cause: str, hint: str | None = None) -> None:
        super().__init__(f"training diverged at step {step}: {cause}")
        self.step, self.cause = step, cause
        if hint is not None:
            self.hint = hint


class Guard:
    """Checks of one network's steps against its training data ``X`` ``(n_in, n)``.

    Keeps lower bounds of ``||w_l||`` between steps (see :meth:`jumps`), so a healthy
    step costs one norm per layer of the update and nothing per weight.
    """

    def __init__(self, net: Network, X: Array) -> None:
        self.net, self.X, self.n = net, X, X.shape[1]
        self._w_low: list[float] | None = None  # lower bounds of ||w_l||, index i = l - 1

    def _params(self) -> list[Array]:
        out = []
        for w, b in zip(self.net.weights, self.net.biases):
            out += [w, b]
        return out

    # ---------------------------------------------------------------- before the update
    def non_finite(
        self,
        cost: float,
        a: Array,
        grads: list[Array],
        updates: list[Array],
        sq: list[float],
        step: int,
    ) -> DivergenceError | None:
        """Why this step's cost or updates are unusable, naming the cost or the layer.
        ``a`` is ``a_L`` of the batch, ``sq`` the squared norms of ``updates``."""
        if not math.isfinite(cost):  # the network was beyond repair before this step
            return DivergenceError(
                step,
                _cost_problem(cost, a),
                "A smaller learning rate cannot fix a network whose cost is already infinite: "
                "Reset, or upload another network.",
            )
        for i, s in enumerate(sq):
            if not math.isfinite(s):
                name = _param_name(i)
                if np.all(np.isfinite(updates[i])):
                    big = norm_limit(updates[i].dtype)
                    return DivergenceError(
                        step, f"the update to {name} is too large to represent (|update| > {big})"
                    )
                bad = "NaN" if np.isnan(grads[i]).any() or np.isnan(updates[i]).any() else "inf"
                return DivergenceError(
                    step, f"the gradient of {name} contains {bad} (learning rate too high?)"
                )
        return None

    # ------------------------------------------------------------------ the update
    def apply(
        self, updates: list[Array], sq: list[float], X: Array, Y: Array, cost: float, step: int
    ) -> DivergenceError | None:
        """Add ``updates`` to the parameters. When the step is large (a jump over
        ``RELATIVE_JUMP``, see :meth:`jumps`), check the result on the batch ``X``, ``Y``;
        if it is unusable, undo it exactly and return the error."""
        params = self._params()
        jumps = self.jumps(sq)
        risky = max(jumps) > RELATIVE_JUMP
        saved = [p.copy() for p in params] if risky else None
        for p, u in zip(params, updates):
            p += u
        error = self.check_update(X, Y, cost, jumps, step) if risky else None
        if error is not None:
            for p, s in zip(params, saved):
                p[...] = s
        else:
            self._moved(sq)
        return error

    def jumps(self, sq: list[float]) -> list[float]:
        """``||Delta w_l|| / ||w_l||`` per layer (0 for all-zero weights): exact wherever it
        may exceed ``RELATIVE_JUMP``, otherwise an upper bound. A large jump is how outputs
        explode and sigmoid/tanh units saturate. ``||w_l||`` is tracked as a lower bound
        (``||w + Delta|| >= ||w|| - ||Delta||``), so the pass over the weights that
        computes it exactly is only made every ``~1 / jump`` steps."""
        if self._w_low is None:
            self._w_low = [float(np.sqrt(np.vdot(w, w))) for w in self.net.weights]
        out, low = [], self._w_low
        for i, w in enumerate(self.net.weights):
            d = math.sqrt(sq[2 * i])
            if d > RELATIVE_JUMP * low[i]:
                low[i] = math.sqrt(float(np.vdot(w, w)))
            out.append(d / low[i] if low[i] > 0 else 0.0)
        return out

    def _moved(self, sq: list[float]) -> None:
        """Keep the lower bounds of ``||w_l||`` true after an update of norm ``sqrt(sq)``."""
        low = self._w_low
        for i in range(len(low)):
            low[i] = max(0.0, low[i] - math.sqrt(sq[2 * i]))

    # ----------------------------------------------------------------- after the update
    def check_update(self, X: Array, Y: Array, before: float, jumps: list[float], step: int):
        """Why the just-updated network is unusable, if it is: a parameter overflowed or
        jumped ``WEIGHT_JUMP`` times its size, or its cost on this batch overflows or jumps
        ``COST_JUMP``-fold (from ``before``, to at least ``COST_JUMP``). A layer that died is
        usable (see the module's docstring)."""
        net = self.net
        for i, p in enumerate(self._params()):
            if not np.all(np.isfinite(p)):
                return DivergenceError(step, f"{_param_name(i)} overflowed to infinity")
        i = int(np.argmax(jumps))
        if jumps[i] > WEIGHT_JUMP:
            return DivergenceError(
                step,
                f"this update would change the weights of layer {i + 1} by {jumps[i]:.3g} "
                "times their size (‖Δw‖ / ‖w‖): training is diverging",
            )
        zs, acts = net.forward(X, keep_z=False)
        cost = net.output_cost(zs[-1], acts[-1], Y)
        if not np.isfinite(cost):
            return DivergenceError(step, f"after this update {_cost_problem(cost, acts[-1])}")
        if cost > COST_JUMP * max(before, 1.0):
            return DivergenceError(
                step,
                f"this update would make the mini-batch cost jump from {before:.3g} to "
                f"{cost:.3g}: training is diverging",
            )
        return None

    # ------------------------------------------------------------------- dead layers
    def dead_cause(self, l: int) -> str:
        """Why dead layer ``l`` (1..L) stops learning: its units, what BP1/BP2 pass on."""
        net = self.net
        act = net.layer_activations[l - 1]
        layer = "the output layer" if l == net.n_layers else f"hidden layer {l}"
        how = STALLED[act.stalls]
        then = (
            "so delta_L = 0 (BP1) and nothing learns"
            if l == net.n_layers
            else f"so BP2 passes no error to layer {l} or below and they stop learning"
        )
        return (
            f"all {net.sizes[l]} {act.name} units of {layer} {how} for every one of the "
            f"{self.n} training samples, {then}"
        )

    def dead_warning(self) -> str | None:
        """Why the network cannot learn as it is, if a layer is already dead on the training
        data (sigma'(z_l) = 0 for every unit and sample, e.g. a resumed network with huge
        weights): training would run, with the cost frozen. None if every layer is alive."""
        dead = self.net.dead_layers(self.X)
        if not dead:
            return None
        names = ", ".join(str(l) for l in dead)
        return (
            f"This network is dead on its training data (layer{'s' * (len(dead) > 1)} "
            f"{names}): {self.dead_cause(dead[-1])}. Steps will still run, but cannot "
            "change those layers. Reset to start from fresh weights."
        )


def _param_name(i: int) -> str:
    """The name of entry ``i`` of the flat list ``[w_0, b_0, w_1, b_1, ...]`` (layers from 1)."""
    return f"{'wb'[i % 2]} of layer {i // 2 + 1}"


def _cost_problem(cost: float, a: Array) -> str:
    """``"the mini-batch cost overflowed to inf (largest output |a| = 3e+200)"``."""
    what = "is NaN" if np.isnan(cost) else f"overflowed to {cost}"
    finite = np.abs(a[np.isfinite(a)])
    top = f"{float(finite.max()):.3g}" if finite.size else "not finite"
    return f"the mini-batch cost {what} (largest output |a| = {top})"
