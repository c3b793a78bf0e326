"""The :class:`Trace`: every intermediate quantity of one forward and backward pass."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

Array = np.ndarray


def _frozen(arrays) -> tuple[Array, ...]:
    out = []
    for x in arrays:
        c = np.array(x, dtype=np.float64, copy=True)
        c.setflags(write=False)
        out.append(c)
    return tuple(out)


@dataclass(frozen=True)
class Trace:
    """Copies (read-only) of one pass of backprop over a batch of ``m`` columns.

    Layers are ``l = 1..L`` and ``i = l - 1`` their list index (see :mod:`.network`):
    ``z[i] = weights[i] @ a[i] + biases[i]`` is ``z_l`` and ``a[l] = sigma(z[i])`` is
    ``a_l``, so ``a[0]`` is the input and ``a[L]`` the output. ``delta[i] = dC_x/dz_l`` per
    column (BP1 for ``l = L``, BP2 below), ``nabla_b[i]`` (BP3) and ``nabla_w[i]`` (BP4) are
    the gradients of the mean cost.
    """

    x: Array  # (n_in, m)
    y: Array  # (n_out, m)
    weights: tuple[Array, ...]  # (n_{l+1}, n_l)
    biases: tuple[Array, ...]  # (n_{l+1}, 1)
    z: tuple[Array, ...]  # (n_{l+1}, m)
    a: tuple[Array, ...]  # L + 1 entries, a[0] = x
    delta: tuple[Array, ...]  # (n_{l+1}, m)
    nabla_w: tuple[Array, ...]  # (n_{l+1}, n_l)
    nabla_b: tuple[Array, ...]  # (n_{l+1}, 1)
    cost: float  # mean cost over the m columns
    cost_grad: Array  # dC_x/da_L, (n_out, m): the first factor of BP1
    # BP1 the long way, J_sigma^T dC/da: where a saturates it loses accuracy (or overflows);
    # delta[-1] holds what the engine used (a - y, or the stable form from z)
    output_delta_general: Array
    output_delta_shortcut: Array | None  # a - y for a canonical pair, else None
    activations: tuple[str, ...]  # sigma of each weight layer
    cost_name: str

    @property
    def n_layers(self) -> int:
        """Number of weight layers L."""
        return len(self.weights)

    @property
    def sizes(self) -> tuple[int, ...]:
        return (self.x.shape[0],) + tuple(w.shape[0] for w in self.weights)

    @classmethod
    def build(cls, **kw) -> Trace:
        """Make a Trace from arrays, copying each one and making it read-only."""
        for k in ("x", "y", "cost_grad", "output_delta_general"):
            kw[k] = _frozen([kw[k]])[0]
        if kw.get("output_delta_shortcut") is not None:
            kw["output_delta_shortcut"] = _frozen([kw["output_delta_shortcut"]])[0]
        for k in ("weights", "biases", "z", "a", "delta", "nabla_w", "nabla_b"):
            kw[k] = _frozen(kw[k])
        kw["cost"] = float(kw["cost"])
        kw["activations"] = tuple(kw["activations"])
        return cls(**kw)
