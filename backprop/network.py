"""Nielsen's ``network.py``, vectorised over the batch and generalised.

Samples are columns: ``X`` is ``(n_in, m)``, ``Y`` is ``(n_out, m)``. With the defaults
(sigmoid everywhere, quadratic cost, N(0, 1) initialisation) this is the book's network,
and ``backprop`` on one column returns exactly the seed's ``backprop(x, y)``.

Layer index, one convention throughout the engine: layers are ``l = 1..L`` as in the book
(``L = n_layers``, the weight layers; the input is ``a_0 = X``), and ``i = l - 1`` is the
Python index of layer ``l`` in the per-layer lists ``weights``, ``biases``, ``zs``,
``deltas``, ``nabla_w``, ``nabla_b``: ``weights[i]`` is ``w_l``, ``(sizes[l], sizes[l-1])``,
and ``biases[i]`` is ``b_l``, ``(sizes[l], 1)``. Only the activations start at the input:
``acts[l]`` is ``a_l`` (``acts[0] = X``). Messages, history columns and ``dead_layers``
count layers from 1.

The four equations, for the mean cost C over the ``m`` columns:

- BP1  ``delta_L = nabla_a C_x (.) sigma'(z_L)``          (``a - y`` for canonical pairs)
- BP2  ``delta_l = (w_{l+1}^T delta_{l+1}) (.) sigma'(z_l)``
- BP3  ``dC/db_l = mean over columns of delta_l``
- BP4  ``dC/dw_l = delta_l a_{l-1}^T / m``

Where the output saturates, BP1 and the cost are computed from ``z_L`` in the stable closed
forms of :mod:`.stable` (for the pairs that need them), so they stay exact at any logit gap.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .activations import ACTIVATIONS, Activation
from .costs import COSTS, Cost, output_error
from .limits import Limits, default_limits
from .params import NETWORK, check
from .stable import STABLE, StableForm
from .trace import Trace
from .validation import finite_number, shown

Array = np.ndarray


class Network:
    """A fully connected feed-forward network in the book's notation."""

    def __init__(
        self,
        sizes: Sequence[int],
        activation: str = "sigmoid",
        output_activation: str | None = None,
        cost: str = "quadratic",
        init: str = "standard",
        seed: int | None = None,
        limits: Limits | None = None,
    ) -> None:
        if limits is None:
            limits = default_limits()
        elif not isinstance(limits, Limits):
            raise TypeError(f"limits must be a Limits instance or None, got {shown(limits)}")
        self.limits = limits
        self.sizes = _check_sizes(sizes, self.limits)
        check(NETWORK, "activation", activation)
        output_activation = activation if output_activation is None else output_activation
        check(NETWORK, "output_activation", output_activation)
        cost_obj = check(NETWORK, "cost", cost)
        if cost_obj.outputs is not None and output_activation not in cost_obj.outputs:
            raise ValueError(
                f"cost {cost!r} needs outputs in (0, 1); output activation {output_activation!r}"
                f" is not allowed with it; valid choices: {', '.join(cost_obj.outputs)}"
            )
        if output_activation == "softmax" and self.sizes[-1] < 2:
            raise ValueError("softmax needs at least 2 output neurons, got sizes[-1] = 1")
        init_fn = check(NETWORK, "init", init)
        seed = check(NETWORK, "seed", seed, limits=limits)
        self.activation, self.output_activation = activation, output_activation
        self.cost_name, self.init, self.seed = cost, init, seed
        hidden = [ACTIVATIONS[activation]] * (len(self.sizes) - 2)
        self._acts = hidden + [ACTIVATIONS[output_activation]]
        self.rng = np.random.default_rng(seed)
        self.weights: list[Array] = []
        self.biases: list[Array] = []
        for n_in, n_out in zip(self.sizes[:-1], self.sizes[1:]):
            w, b = init_fn(self.rng, n_out, n_in)
            self.weights.append(w)
            self.biases.append(b)

    # ----------------------------------------------------------------- properties
    @property
    def n_layers(self) -> int:
        """Number of weight layers L (= len(sizes) - 1)."""
        return len(self.sizes) - 1

    @property
    def layer_activations(self) -> list[Activation]:
        """sigma of each weight layer: hidden ones, then the output one."""
        return list(self._acts)

    @property
    def cost(self) -> Cost:
        return COSTS[self.cost_name]

    @property
    def uses_shortcut(self) -> bool:
        """True when BP1 reduces to ``delta_L = a - y`` (a canonical pair)."""
        return output_error(self.output_activation, self.cost_name).shortcut

    @property
    def stable(self) -> StableForm | None:
        """The stable forms of C and BP1 from ``z_L`` the engine uses for this pair, if any."""
        return STABLE.get((self.output_activation, self.cost_name))

    def config(self) -> dict:
        """The choices that, with the parameters, define this network."""
        return {
            "sizes": list(self.sizes),
            "activation": self.activation,
            "output_activation": self.output_activation,
            "cost": self.cost_name,
            "init": self.init,
            "seed": self.seed,
        }

    @property
    def dtype(self) -> np.dtype:
        """The float type the parameters are stored in (float64 unless :meth:`cast`)."""
        return self.weights[0].dtype

    def cast(self, dtype: type[np.floating]) -> None:
        """Store the weights and biases as ``dtype`` (``np.float64`` or ``np.float32``), each
        converted once; a no-op, keeping the same arrays, when they already are."""
        self.weights = [w.astype(dtype, copy=False) for w in self.weights]
        self.biases = [b.astype(dtype, copy=False) for b in self.biases]

    def n_parameters(self) -> int:
        return sum(w.size + b.size for w, b in zip(self.weights, self.biases))

    def copy(self) -> Network:
        """An independent copy (parameters and RNG state)."""
        new = object.__new__(Network)
        new.__dict__.update(self.__dict__)
        new.weights = [w.copy() for w in self.weights]
        new.biases = [b.copy() for b in self.biases]
        new.rng = np.random.default_rng()
        new.rng.bit_generator.state = self.rng.bit_generator.state
        return new

    # -------------------------------------------------------------------- forward
    def feedforward(self, X: Array) -> Array:
        """Output activations ``a_L``, shape ``(n_out, m)``, for input ``X`` ``(n_in, m)``."""
        return self.outputs(X)[1]

    def outputs(self, X: Array) -> tuple[Array, Array]:
        """``(z_L, a_L)``, each ``(n_out, m)``, for input ``X`` ``(n_in, m)``."""
        a = self.check_x(X)
        with np.errstate(over="ignore"):
            for w, b, act in zip(self.weights, self.biases, self._acts):
                z = w @ a + b  # z_l = w_l a_{l-1} + b_l
                a = act.fn(z)  # a_l = sigma(z_l)
        return z, a

    def forward(self, X: Array, keep_z: bool = True) -> tuple[list, list[Array]]:
        """``(zs, activations)``: all weighted inputs ``z_l`` and activations (``a[0] = X``).

        With ``keep_z=False`` each sigma is applied in place and ``zs`` holds ``None``s
        (a training step needs only the activations), except ``z_L`` when the pair's
        stable forms of C and BP1 need it.
        """
        a = X
        zs, acts = [], [X]
        last = self.n_layers if self.stable is not None else 0  # z_L, if the pair needs it
        for l, (w, b, act) in enumerate(zip(self.weights, self.biases, self._acts), 1):
            z = w @ a
            z += b  # z_l = w_l a_{l-1} + b_l
            keep = keep_z or l == last
            a = act.fn(z) if keep else act.fn(z, out=z)  # a_l = sigma(z_l)
            zs.append(z if keep else None)
            acts.append(a)
        return zs, acts

    def dead_layers(self, X: Array, acts: list[Array] | None = None, chunk: int = 1024) -> list:
        """Layers ``l`` (1..L) where ``sigma'(z_l) = 0`` for every unit and every column of
        ``X``: ReLU units that all output 0, or sigmoid/tanh units all saturated at their
        bounds. BP2 then passes no error to layer ``l`` or below (BP1 gives ``delta_L = 0``
        for the output layer unless it is ``a - y`` or a stable form from z), so they never
        learn again. Stops at the first chunk of columns where every such layer is alive.
        ``acts`` (from :meth:`forward` on ``X``) saves recomputing the activations.
        """
        L, sigmas = self.n_layers, self._acts
        general = not self.uses_shortcut and (self.stable is None or self.stable.delta is None)
        candidates = [l for l, s in enumerate(sigmas, 1) if s.can_die and (l < L or general)]
        if not candidates:
            return []
        if acts is not None:
            return [l for l in candidates if not np.any(sigmas[l - 1].prime(None, acts[l]))]
        alive: set[int] = set()
        with np.errstate(all="ignore"):
            for start in range(0, X.shape[1], chunk):
                a = X[:, start : start + chunk]
                for l in range(1, candidates[-1] + 1):
                    sigma = sigmas[l - 1]
                    a = sigma.fn(self.weights[l - 1] @ a + self.biases[l - 1])
                    if l in candidates and l not in alive and np.any(sigma.prime(None, a)):
                        alive.add(l)
                if len(alive) == len(candidates):
                    return []
        return [l for l in candidates if l not in alive]

    # ------------------------------------------------------------------- backward
    def output_delta(self, z: Array | None, a: Array, Y: Array, shortcut: bool = True) -> Array:
        """BP1: ``delta_L`` per column, ``(n_out, m)``. With ``shortcut`` (the engine's way):
        ``a - y`` for a canonical pair, else the pair's stable closed form from ``z``, else
        the general ``nabla_a C_x (.) sigma'(z_L)``; without it, always the general form."""
        if shortcut and self.uses_shortcut:
            return a - Y
        form = self.stable
        if shortcut and form is not None and form.delta is not None:
            return form.delta(z, a, Y)
        g = self.cost.grad(a, Y)  # nabla_a C_x
        return self._acts[-1].backward(z, a, g)  # (.) sigma'(z_L)

    def output_cost(self, z: Array | None, a: Array, Y: Array) -> float:
        """The mean cost C of the outputs ``a = sigma(z_L)``: from ``z`` by the pair's stable
        form (exact where ``a`` rounds to 0 or 1), else from ``a``; ``z`` may be None then."""
        form = self.stable
        return self.cost.fn(a, Y) if form is None else form.cost(z, Y)

    def gradients(
        self, X: Array, Y: Array, shortcut: bool = True, keep_z: bool = True
    ) -> tuple[list[Array], list[Array], list, list[Array], list[Array]]:
        """One unchecked pass: ``(nabla_b, nabla_w, zs, acts, deltas)`` of the mean cost
        over the ``m`` columns of ``X``. ``deltas[i]`` is ``delta_l`` per column,
        ``(sizes[l], m)``; ``nabla_b[i]`` and ``nabla_w[i]`` are shaped like ``b_l``, ``w_l``.
        (The training step fuses ``-eta / m`` into BP1 instead, see :mod:`.proposal`.)
        """
        zs, acts = self.forward(X, keep_z)
        sigmas, weights = self._acts, self.weights
        L, m = self.n_layers, X.shape[1]
        nabla_b, nabla_w, deltas = [None] * L, [None] * L, [None] * L
        delta = self.output_delta(zs[-1], acts[-1], Y, shortcut)  # BP1: delta_L
        for l in range(L, 0, -1):
            i = l - 1
            if l < L:  # BP2: delta_l = (w_{l+1}^T delta_{l+1}) (.) sigma'(z_l)
                delta = sigmas[i].backward(zs[i], acts[l], weights[i + 1].T @ delta)
            deltas[i] = delta
            nabla_b[i] = delta.mean(axis=1, keepdims=True)  # BP3: the mean over the columns
            nabla_w[i] = delta @ acts[l - 1].T / m  # BP4: delta_l a_{l-1}^T / m
        return nabla_b, nabla_w, zs, acts, deltas

    def backprop(self, X: Array, Y: Array) -> tuple[list[Array], list[Array]]:
        """``(nabla_b, nabla_w)``: gradient of the mean cost over the columns of ``X``."""
        X, Y = self.check_xy(X, Y)
        with np.errstate(over="ignore"):
            nabla_b, nabla_w, *_ = self.gradients(X, Y)
        return nabla_b, nabla_w

    def trace(self, X: Array, Y: Array) -> Trace:
        """A :class:`Trace` of one forward and backward pass over ``X``, ``Y``."""
        X, Y = self.check_xy(X, Y)
        with np.errstate(over="ignore"):
            nabla_b, nabla_w, zs, acts, deltas = self.gradients(X, Y)
        general = self.output_delta(zs[-1], acts[-1], Y, shortcut=False)
        shortcut = acts[-1] - Y if self.uses_shortcut else None
        return Trace.build(
            x=X,
            y=Y,
            weights=self.weights,
            biases=self.biases,
            z=zs,
            a=acts,
            delta=deltas,
            nabla_w=nabla_w,
            nabla_b=nabla_b,
            cost=self.output_cost(zs[-1], acts[-1], Y),
            cost_grad=self.cost.grad(acts[-1], Y),
            output_delta_general=general,
            output_delta_shortcut=shortcut,
            activations=[a.name for a in self._acts],
            cost_name=self.cost_name,
        )

    def update_mini_batch(self, X: Array, Y: Array, eta: float) -> None:
        """One plain SGD step, exactly the seed's: ``w -= eta * mean gradient``."""
        eta = finite_number("eta", eta, positive=True)
        nabla_b, nabla_w = self.backprop(X, Y)
        for i in range(self.n_layers):  # layer l = i + 1
            self.weights[i] -= eta * nabla_w[i]
            self.biases[i] -= eta * nabla_b[i]

    # ------------------------------------------------------------------ evaluate
    def cost_of(self, X: Array, Y: Array) -> float:
        """Mean cost over the columns (no regularisation term)."""
        X, Y = self.check_xy(X, Y)
        return self.output_cost(*self.outputs(X), Y)

    def accuracy(self, X: Array, Y: Array) -> float:
        """Share of columns classified right (argmax, or 0.5 threshold for one output)."""
        X, Y = self.check_xy(X, Y)
        return accuracy(self.feedforward(X), Y)

    # ---------------------------------------------------------------- validation
    def check_x(self, X: Array) -> Array:
        """``X`` as a float64 ``(n_in, m)`` array, or ValueError naming the mismatch."""
        return _check_matrix("X", X, self.sizes[0])

    def check_xy(self, X: Array, Y: Array) -> tuple[Array, Array]:
        X = self.check_x(X)
        Y = _check_matrix("Y", Y, self.sizes[-1])
        if X.shape[1] != Y.shape[1]:
            raise ValueError(f"X has {X.shape[1]} columns but Y has {Y.shape[1]}")
        if X.shape[1] == 0:
            raise ValueError("X and Y have no columns: give at least one sample")
        if self.cost_name == "log_likelihood" and not (
            np.all(Y >= 0) and np.allclose(Y.sum(axis=0), 1.0, rtol=0, atol=1e-9)
        ):
            raise ValueError(
                "log_likelihood needs each column of Y to be a distribution over the classes"
                " (non-negative, summing to 1), such as a one-hot vector"
            )
        return X, Y


def accuracy(a: Array, Y: Array) -> float:
    """Share of columns where output ``a`` picks the class of ``Y`` (NaN if not classes)."""
    if a.shape[1] == 0:
        return float("nan")
    m = a.shape[1]  # count / m: the mean of the booleans, without np.mean's overhead
    if Y.shape[0] > 1:
        return np.count_nonzero(a.argmax(axis=0) == Y.argmax(axis=0)) / m
    if not np.all((Y == 0) | (Y == 1)):
        return float("nan")  # regression targets: accuracy is undefined
    return np.count_nonzero((a[0] > 0.5) == (Y[0] > 0.5)) / m


def _check_sizes(sizes: Sequence[int], limits: Limits) -> list[int]:
    """``sizes`` (a list, tuple, range or 1-D array of integers) as a list of ints within
    ``limits``, or ValueError naming the layer; a dict, set, str or bytes is refused."""
    listlike = isinstance(sizes, (list, tuple, range))
    if not (listlike or (isinstance(sizes, np.ndarray) and sizes.ndim == 1)):
        raise ValueError(
            f"sizes must be a list of layer sizes like [2, 4, 1], got {shown(sizes)} "
            f"({type(sizes).__name__})"
        )
    if len(sizes) < 2:
        raise ValueError(f"sizes needs an input and an output layer, got {list(sizes)!r}")
    check(NETWORK, "hidden_layers", len(sizes) - 2, limits=limits)
    out = []
    for i, n in enumerate(sizes):
        kind = "input" if i == 0 else "output" if i == len(sizes) - 1 else "hidden"
        out.append(check(NETWORK, f"{kind}_size", n, limits=limits, i=i))
    n_params = sum((a + 1) * b for a, b in zip(out[:-1], out[1:]))
    if n_params > limits.max_parameters:
        raise ValueError(
            f"sizes {out} need {n_params} parameters, over the limit of {limits.max_parameters}"
        )
    return out


def _check_matrix(name: str, A: Array, rows: int) -> Array:
    """``A`` as a float64 ``(rows, m)`` array; float32 arrays (big data sets) are kept as
    they are, without a copy (products with the float64 weights are float64)."""
    try:
        if not (isinstance(A, np.ndarray) and A.dtype == np.float32):
            A = np.asarray(A, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a numeric array") from None
    if A.ndim == 1 and A.shape[0] == rows:
        A = A.reshape(rows, 1)
    if A.ndim != 2 or A.shape[0] != rows:
        raise ValueError(
            f"{name} must have shape ({rows}, m) with samples as columns, got {A.shape}"
        )
    if not np.all(np.isfinite(A)):
        raise ValueError(f"{name} contains NaN or infinite values")
    return A
