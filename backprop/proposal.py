"""One training step's proposal: gradients, updates and optimiser state of one batch.

Nothing is changed until the trainer keeps the proposal (the guard may refuse it). Lists
are flat ``[w_0, b_0, w_1, b_1, ...]`` (layer ``l = i // 2 + 1`` of entry ``i``).

For speed, plain SGD without a penalty is *fused*: its update is ``-eta nabla``, so the
backward pass is scaled by ``-eta / m`` at BP1 and BP3/BP4 then give the updates directly
(a row sum and one product each, no pass over the weights to scale them). The gradients
of a fused proposal are then not stored apart: ``nabla = update / -eta``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .network import Network
from .optimizers import SGD
from .regularization import Regularizer

Array = np.ndarray


@dataclass(slots=True)  # not frozen: built once a step, its __init__ stays cheap
class Proposal:
    """``grads`` (``nabla`` with the penalty term; ``updates`` itself when ``fused``),
    ``updates`` (``Delta w``, ``Delta b``), the optimiser's new ``state``, the batch's mean
    cost before the update and its output activations ``a_L`` ``(n_out, m)``."""

    grads: list[Array]
    updates: list[Array]
    state: object
    cost: float
    a: Array
    fused: bool

    def grad_norms(self, update_norms: Array, eta: float) -> Array:
        """``||nabla||`` per entry, given the norms of the updates."""
        if self.fused:  # the gradient is update / -eta
            return update_norms / eta
        return np.sqrt([float(np.vdot(g, g)) for g in self.grads])


def propose(
    net: Network,
    X: Array,
    Y: Array,
    eta: float,
    opt: SGD,
    reg: Regularizer,
    lmbda: float,
    n: int,
) -> Proposal:
    """The step on the batch ``X`` ``(n_in, m)``, ``Y`` ``(n_out, m)`` at learning rate
    ``eta``, with ``reg`` at strength ``lmbda`` over ``n`` training samples."""
    fused = opt.fusable and not reg.active(lmbda)
    nabla_b, nabla_w, cost, a = _scaled_pass(net, X, Y, -eta if fused else 1.0)
    if fused:
        updates = [p for pair in zip(nabla_w, nabla_b) for p in pair]
        return Proposal(updates, updates, None, cost, a, True)
    grads = []
    for w, nw, nb in zip(net.weights, nabla_w, nabla_b):
        if reg.active(lmbda):
            nw = nw + reg.grad(w, lmbda, n)  # nabla_w C = nabla_w C_0 + d penalty / dw
        grads += [nw, nb]
    updates, state = opt.propose(grads, eta)
    return Proposal(grads, updates, state, cost, a, False)


def _scaled_pass(
    net: Network, X: Array, Y: Array, scale: float
) -> tuple[list[Array], list[Array], float, Array]:
    """``(scale nabla_b, scale nabla_w, C, a_L)`` of the mean cost over the ``m`` columns.

    The same equations as :meth:`Network.gradients`, with the factor ``scale / m`` of BP3
    and BP4 taken once, on ``delta_L``, and carried down by BP2 (it is linear in delta).
    """
    zs, acts = net.forward(X, keep_z=False)
    sigmas, weights = net.layer_activations, net.weights
    L, m = net.n_layers, X.shape[1]
    delta = net.output_delta(zs[-1], acts[-1], Y)  # BP1
    delta *= scale / m
    nabla_b, nabla_w = [None] * L, [None] * L
    for l in range(L, 0, -1):
        i = l - 1
        if l < L:  # BP2: delta_l = (w_{l+1}^T delta_{l+1}) (.) sigma'(z_l), times scale / m
            delta = sigmas[i].backward(zs[i], acts[l], weights[i + 1].T @ delta)
        nabla_b[i] = delta.sum(axis=1, keepdims=True)  # BP3, times scale
        nabla_w[i] = delta @ acts[l - 1].T  # BP4, times scale
    return nabla_b, nabla_w, net.output_cost(zs[-1], acts[-1], Y), acts[-1]
