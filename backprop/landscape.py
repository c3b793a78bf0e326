"""The loss landscape around the trained parameters, after Li et al. 2018.

"Visualizing the Loss Landscape of Neural Nets" (Li, Xu, Taylor, Studer, Goldstein): the
cost is drawn on the plane ``theta + a d1 + b d2`` through the current parameters
``theta = [w_1, b_1, ..., w_L, b_L]``, spanned by two random *filter-normalised* directions
(:func:`directions`), so that the picture does not depend on the scale of each layer's
weights. :func:`project` puts the optimiser's recorded path onto that plane (least
squares), and :func:`interpolation` draws the cost along the straight line from the
initial to the current parameters (Goodfellow et al. 2015).

Every function works on copies of the parameter arrays and never changes the network.
Costs are measured on an evenly spaced subset of the samples (columns), many grid points
per forward pass (batched matrix products). A :class:`Budget` (grid points x samples x
parameters, ``Limits.max_landscape_work``) is checked before anything is allocated: a
request that would pass it is reduced (fewer samples, then a coarser grid), with a note
saying so, rather than refused.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from .batches import f64
from .costs import COSTS
from .network import Network
from .regularization import REGULARIZERS
from .stable import STABLE
from .validation import choose, finite_number, whole_number

Array = np.ndarray
Params = Sequence[Array]  # [w_1, b_1, ..., w_L, b_L]: weights (n_out, n_in), biases (n_out, 1)

CHUNK_FLOATS = 4_000_000  # float64 values one batch of grid points may hold (32 MB)


# ---------------------------------------------------------------------- parameters
def params_of(net: Network) -> list[Array]:
    """Copies of ``[w_1, b_1, ..., w_L, b_L]``."""
    out = []
    for w, b in zip(net.weights, net.biases):
        out += [w.copy(), b.copy()]
    return out


def _check_like(name: str, params: Params, net: Network) -> list[Array]:
    """``params`` as float64 arrays shaped like the network's ``[w_1, b_1, ...]``."""
    shapes = [p.shape for wb in zip(net.weights, net.biases) for p in wb]
    params = [np.asarray(p, dtype=np.float64) for p in params]
    if [p.shape for p in params] != shapes:
        raise ValueError(f"{name} must be shaped like [w_1, b_1, ..., w_L, b_L]: {shapes}")
    return params


def directions(net: Network, rng: np.random.Generator) -> tuple[list[Array], list[Array]]:
    """Two random filter-normalised directions ``(d1, d2)``, each ``[w_1, b_1, ...]``-shaped.

    Each is a Gaussian direction (from ``rng`` only) in which every row of every weight
    part, one neuron's incoming weights (a "filter" of a dense layer), is rescaled to the
    norm of that row of ``w``: ``d_row <- d_row / ||d_row|| * ||w_row||``. The bias parts
    are 0: biases are ignored, Li et al.'s choice. The network is not changed.
    """
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy.random.Generator, got {type(rng).__name__}")
    pair = []
    for _ in range(2):
        d = []
        for w, b in zip(net.weights, net.biases):
            g = rng.standard_normal(w.shape)
            g_norm = np.linalg.norm(g, axis=1, keepdims=True)
            w_norm = np.linalg.norm(w, axis=1, keepdims=True)
            d += [g * (w_norm / np.where(g_norm > 0, g_norm, 1.0)), np.zeros_like(b)]
        pair.append(d)
    return pair[0], pair[1]


PATH_MARGIN = 1.25  # the path's plane reaches this far past the path's farthest point
PATH_FLOATS = 8_000_000  # floats of the path matrix PCA may hold (64 MB); thinned past it


def path_directions(
    path_params: Sequence[Params], theta: Params
) -> tuple[list[Array], list[Array], Array]:
    """``(d1, d2, explained)``: the first two principal directions of the path's
    displacements ``theta_t - theta`` (unit vectors, ``[w_1, b_1, ...]``-shaped), and the
    share of the path's squared movement each holds, ``(2,)``.

    Li et al. (section 7) draw optimiser paths on this plane: random directions in many
    dimensions are nearly orthogonal to the path, which then shrinks to a dot at the
    centre, while these hold most of it. The rows of the ``T x parameters`` matrix
    (no centring: displacements from now, as in the paper) are thinned evenly past
    ``PATH_FLOATS``; a path with fewer than two independent moves is refused."""
    theta = [f64(x) for x in theta]
    size = sum(x.size for x in theta)
    keep = max(2, min(len(path_params), PATH_FLOATS // max(size, 1)))
    idx = np.unique(np.linspace(0, len(path_params) - 1, keep).round().astype(np.int64))
    R = np.stack(
        [np.concatenate([(f64(x) - y).ravel() for x, y in zip(path_params[i], theta)]) for i in idx]
    ) if len(path_params) else np.zeros((0, size))  # fmt: skip
    if R.shape[0] < 2 or not np.all(np.isfinite(R)):
        raise ValueError("the path needs at least two finite recorded points to span a plane")
    _, sv, vt = np.linalg.svd(R, full_matrices=False)
    total = float(np.sum(sv**2))
    if sv.size < 2 or total == 0 or sv[1] <= sv[0] * 1e-12:
        raise ValueError("the path moved along one line only: there is no second direction")

    def unflatten(v: Array) -> list[Array]:
        out, at = [], 0
        for x in theta:
            out.append(v[at : at + x.size].reshape(x.shape).copy())
            at += x.size
        return out

    return unflatten(vt[0]), unflatten(vt[1]), sv[:2] ** 2 / total


# -------------------------------------------------------------------------- budget
@dataclass(frozen=True)
class Budget:
    """What one landscape may cost: ``max_work`` grid points x samples x parameters
    (forward passes' multiply-adds, roughly), ``max_samples`` columns, ``max_grid`` points
    a side. :meth:`fit` shrinks a request to fit, samples first (down to ``min_samples``),
    then the grid (down to ``min_grid``), then samples again (down to 1)."""

    max_work: int = 1_000_000_000
    max_samples: int = 512
    min_samples: int = 64
    max_grid: int = 101
    min_grid: int = 5

    @classmethod
    def of(cls, net: Network) -> Budget:
        """The budget the network's limits allow (``BACKPROP_MAX_LANDSCAPE_WORK``)."""
        return cls(max_work=net.limits.max_landscape_work)

    def fit(self, points: int, samples: int, params: int) -> tuple[int, int, list[str]]:
        """``(points, samples, notes)`` within the budget for ``points`` grid points
        (a square grid's side is ``sqrt(points)``: use :meth:`fit_grid` for grids)."""
        s = min(samples, self.max_samples)
        notes = []
        if s < samples:
            notes.append(f"cost measured on {s:,} evenly spaced of {samples:,} samples")
        if points * s * params > self.max_work:
            s2 = max(min(s, self.min_samples), self.max_work // max(1, points * params))
            if s2 < s:
                notes.append(f"{s2:,} samples instead of {s:,}, to stay within the budget")
                s = s2
        if points * s * params > self.max_work:
            k = max(1, self.max_work // max(1, s * params))
            notes.append(f"{k:,} of {points:,} points, to stay within the budget")
            points = k
        return points, s, notes

    def fit_grid(self, n: int, samples: int, params: int) -> tuple[int, int, list[str]]:
        """``(n, samples, notes)``: an ``n x n`` grid and the samples that fit the budget."""
        n0, n = n, min(n, self.max_grid)
        s = min(samples, self.max_samples)
        notes = []
        if n < n0:
            notes.append(f"a {n} x {n} grid (at most {self.max_grid} a side)")
        if s < samples:
            notes.append(f"cost measured on {s:,} evenly spaced of {samples:,} samples")
        work = lambda n, s: n * n * s * params  # noqa: E731
        if work(n, s) > self.max_work and s > self.min_samples:
            s2 = max(self.min_samples, self.max_work // max(1, n * n * params))
            notes.append(f"{s2:,} samples instead of {s:,}, to stay within the budget")
            s = s2
        if work(n, s) > self.max_work and n > self.min_grid:
            side = int(np.sqrt(self.max_work / max(1, s * params)))
            side = max(self.min_grid, side - (side % 2 == 0))  # odd: the grid holds (0, 0)
            notes.append(f"a {side} x {side} grid instead of {n} x {n}, within the budget")
            n = side
        if work(n, s) > self.max_work:
            s2 = max(1, self.max_work // max(1, n * n * params))
            notes.append(f"{s2:,} samples instead of {s:,}, to stay within the budget")
            s = s2
        return n, s, notes


# ---------------------------------------------------------------------- the loss
@dataclass(frozen=True)
class Loss:
    """The cost a landscape draws: the mean cost ``cost`` (a :data:`~.costs.COSTS` name;
    from ``z`` in the stable form where the network's output pair has one) plus the
    weight penalty ``regularization`` of strength ``lmbda`` over ``n_train`` samples."""

    cost: str
    regularization: str = "none"
    lmbda: float = 0.0
    n_train: int = 1

    def __post_init__(self) -> None:
        choose("cost", self.cost, COSTS)
        choose("regularization", self.regularization, REGULARIZERS)
        finite_number("lmbda", self.lmbda, minimum=0.0)
        whole_number("n_train", self.n_train, minimum=1)

    @classmethod
    def of(cls, trainer) -> Loss:
        """The trainer's own cost: its network's cost and its penalty."""
        net = trainer.net
        return cls(net.cost_name, trainer.regularization, trainer.lmbda, trainer.n)

    def data_cost(self, net: Network) -> Callable[[Array, Array, Array], float]:
        """``fn(z_L, a_L, Y) -> mean cost`` for ``net``'s output activation."""
        form = STABLE.get((net.output_activation, self.cost))
        if form is not None:
            return lambda z, a, Y: form.cost(z, Y)
        fn = COSTS[self.cost].fn
        return lambda z, a, Y: fn(a, Y)

    def penalty(self, weights: Sequence[Array]) -> float:
        return REGULARIZERS[self.regularization].penalty(weights, self.lmbda, self.n_train)


def _loss(cost: str | Loss | None, net: Network) -> Loss:
    if isinstance(cost, Loss):
        return cost
    return Loss(net.cost_name if cost is None else cost)


def evenly_spaced(X: Array, Y: Array, k: int) -> tuple[Array, Array]:
    """At most ``k`` evenly spaced columns of ``X`` and ``Y``, as float64."""
    m = X.shape[1]
    if m <= k:
        return f64(X), f64(Y)
    idx = np.linspace(0, m - 1, k).round().astype(np.int64)
    return f64(X[:, idx]), f64(Y[:, idx])


# ------------------------------------------------------------- batched forward passes
Layers = Callable[[slice], list[tuple[Array, Array]]]  # points -> [(W (G, o, i), B (G, o, 1))]


def _costs(net: Network, loss: Loss, X: Array, Y: Array, layers: Layers, k: int) -> Array:
    """The loss at ``k`` parameter points, ``(k,)``: ``layers(sl)`` stacks the weights and
    biases of the points ``sl`` per layer; ``G`` points go through each batched product."""
    m, sigmas = X.shape[1], net.layer_activations
    per_point = net.n_parameters() + 3 * max(net.sizes[1:]) * m  # all layers' W, B; z, a_L
    G = max(1, CHUNK_FLOATS // per_point)
    data_cost, out = loss.data_cost(net), np.empty(k)
    with np.errstate(all="ignore"):
        for start in range(0, k, G):
            sl = slice(start, min(k, start + G))
            stacked = layers(sl)
            a: Array = X  # (n_in, m), broadcast over the points; then (g, n_l, m)
            for l, ((W, B), sigma) in enumerate(zip(stacked, sigmas), 1):
                z = W @ a
                z += B  # z_l = w_l a_{l-1} + b_l, for every point at once
                if l < net.n_layers:
                    a = sigma.fn(z, out=z)  # hidden activations are elementwise
            g, n_out = z.shape[0], z.shape[1]
            zL = np.moveaxis(z, 1, 0).reshape(n_out, g * m)  # (n_out, g m): points side by side
            aL = sigmas[-1].fn(zL)
            for j in range(g):
                cols = slice(j * m, (j + 1) * m)
                c = data_cost(zL[:, cols], aL[:, cols], Y)
                out[start + j] = c + loss.penalty([W[j] for W, _ in stacked])
    return out


def _plane(theta: Params | None, d1: Params, d2: Params, a: Array, b: Array) -> Layers:
    """Points ``theta + a_k d1 + b_k d2`` (``theta`` None: 0), stacked per layer."""

    def layers(sl: slice) -> list[tuple[Array, Array]]:
        out = []
        for i in range(0, len(d1), 2):
            pair = []
            for j in (i, i + 1):
                p = a[sl, None, None] * d1[j] + b[sl, None, None] * d2[j]
                if theta is not None:
                    p += theta[j]
                pair.append(p)
            out.append((pair[0], pair[1]))
        return out

    return layers


# ------------------------------------------------------------------------ surface
@dataclass(frozen=True)
class Surface:
    """The loss over the plane ``theta + a d1 + b d2``: ``alphas`` ``(n,)``, ``betas``
    ``(n,)`` (both ``span * [-1 .. 1]``, symmetric, 0 in the middle for odd ``n``) and
    ``cost`` ``(n, n)``, ``cost[j, i]`` at ``(alphas[i], betas[j])`` (rows are beta, as a
    contour's ``z``). ``samples``: the columns it was measured on; ``notes``: what the
    budget reduced."""

    alphas: Array
    betas: Array
    cost: Array
    samples: int
    notes: tuple[str, ...] = ()


def grid(span: float, n: int) -> Array:
    """``n`` points from ``-span`` to ``span``, exactly symmetric (and 0 if ``n`` is odd)."""
    c = (n - 1) / 2
    return span * ((np.arange(n) - c) / c)


def surface(
    net: Network,
    cost: str | Loss | None,
    X: Array,
    Y: Array,
    d1: Params,
    d2: Params,
    span: float = 1.0,
    n: int = 21,
    max_samples: int | None = None,
    budget: Budget | None = None,
) -> Surface:
    """The loss (``cost``: a :data:`COSTS` name, a :class:`Loss` with the penalty, or None
    for the network's own cost) at the ``n x n`` points ``theta + a d1 + b d2`` of the
    network's parameters ``theta``, ``a, b`` in ``[-span, span]``, on evenly spaced columns
    of ``X`` ``(n_in, m)``, ``Y`` ``(n_out, m)`` (at most ``max_samples``, else the
    budget's). The network is not changed."""
    budget = budget or Budget.of(net)
    if max_samples is not None:
        budget = replace(budget, max_samples=whole_number("max_samples", max_samples))
    span = finite_number("span", span, positive=True)
    n = whole_number("n", n, minimum=2)
    X, Y = net.check_xy(X, Y)
    theta = params_of(net)
    d1, d2 = _check_like("d1", d1, net), _check_like("d2", d2, net)
    n, s, notes = budget.fit_grid(n, X.shape[1], net.n_parameters())
    Xs, Ys = evenly_spaced(X, Y, s)
    alphas, betas = grid(span, n), grid(span, n)
    A, B = np.meshgrid(alphas, betas)  # (n, n): row j is beta_j
    a, b = A.ravel(), B.ravel()
    costs = _costs(net, _loss(cost, net), Xs, Ys, _plane(theta, d1, d2, a, b), a.size)
    return Surface(alphas, betas, costs.reshape(n, n), Xs.shape[1], tuple(notes))


# --------------------------------------------------------------------------- path
@dataclass(frozen=True)
class Path:
    """The optimiser's path on the plane: per recorded point ``steps``, the least-squares
    coordinates ``alphas``, ``betas`` of ``theta_t - theta`` on ``[d1, d2]``, ``off_plane``
    (the share of ``||theta_t - theta||`` the plane leaves out, 0..1) and ``cost`` (the
    actual loss at ``theta_t``, NaN where the budget left it out), each ``(T,)``."""

    steps: Array
    alphas: Array
    betas: Array
    off_plane: Array
    cost: Array
    notes: tuple[str, ...] = ()


def _dot(p: Params, q: Params) -> float:
    return float(sum(np.vdot(x, y) for x, y in zip(p, q)))


def project(
    path_params: Sequence[Params], theta: Params, d1: Params, d2: Params
) -> tuple[Array, Array]:
    """``(alphas, betas)``, each ``(T,)``: the least-squares coordinates of each
    ``theta_t - theta`` on the (flattened) directions ``d1``, ``d2``; exact when
    ``theta_t = theta + a d1 + b d2``. Normal equations of the 2 x 2 Gram matrix, one
    point at a time (no ``T x parameters`` matrix is made)."""
    gram = np.array([[_dot(d1, d1), _dot(d1, d2)], [_dot(d1, d2), _dot(d2, d2)]])
    if not np.all(np.isfinite(gram)) or gram[0, 0] == 0 or gram[1, 1] == 0:
        raise ValueError("the directions must be finite and non-zero")
    rhs = np.empty((2, len(path_params)))
    for t, p in enumerate(path_params):
        r = [x - y for x, y in zip(p, theta)]
        rhs[:, t] = _dot(d1, r), _dot(d2, r)
    coef = np.linalg.lstsq(gram, rhs, rcond=None)[0]
    return coef[0], coef[1]


def off_plane(
    path_params: Sequence[Params], theta: Params, d1: Params, d2: Params, a: Array, b: Array
) -> Array:
    """``||r_t - a_t d1 - b_t d2|| / ||r_t||`` for ``r_t = theta_t - theta`` (0 where
    ``r_t = 0``), ``(T,)``: how much of each displacement the plane misses."""
    out = np.zeros(len(path_params))
    for t, p in enumerate(path_params):
        r = [x - y for x, y in zip(p, theta)]
        rest = [x - a[t] * u - b[t] * v for x, u, v in zip(r, d1, d2)]
        size = np.sqrt(_dot(r, r))
        out[t] = np.sqrt(_dot(rest, rest)) / size if size > 0 else 0.0
    return out


def path_cost(
    net: Network,
    cost: str | Loss | None,
    X: Array,
    Y: Array,
    path_params: Sequence[Params],
    max_samples: int | None = None,
    budget: Budget | None = None,
) -> tuple[Array, list[str]]:
    """``(cost (T,), notes)``: the loss at each parameter point on evenly spaced columns
    of ``X``, ``Y``; points the budget leaves out (evenly thinned, the first and the last
    kept) are NaN."""
    budget = budget or Budget.of(net)
    if max_samples is not None:
        budget = replace(budget, max_samples=whole_number("max_samples", max_samples))
    X, Y = net.check_xy(X, Y)
    T = len(path_params)
    k, s, notes = budget.fit(T, X.shape[1], net.n_parameters())
    k = max(k, min(T, 2))  # the first and the last point are always measured
    keep = np.unique(np.linspace(0, T - 1, k).round().astype(np.int64)) if T else np.arange(0)
    pts = [_check_like("path", path_params[i], net) for i in keep]
    Xs, Ys = evenly_spaced(X, Y, s)

    def layers(sl: slice) -> list[tuple[Array, Array]]:
        return [
            (np.stack([p[i] for p in pts[sl]]), np.stack([p[i + 1] for p in pts[sl]]))
            for i in range(0, 2 * net.n_layers, 2)
        ]

    out = np.full(T, np.nan)
    out[keep] = _costs(net, _loss(cost, net), Xs, Ys, layers, len(pts))
    return out, notes


def trainer_path(trainer) -> tuple[Array, list[list[Array]]]:
    """``(steps (T,), params)``: the trainer's recorded snapshots, oldest first, and its
    current parameters last (if the last snapshot is older)."""
    steps = [s.step for s in trainer.snapshots.items]
    params = [[p for wb in zip(s.weights, s.biases) for p in wb] for s in trainer.snapshots.items]
    if not steps or steps[-1] != trainer.steps:
        steps.append(trainer.steps)
        params.append(params_of(trainer.net))
    return np.asarray(steps, dtype=np.int64), params


# ------------------------------------------------------------------ interpolation
@dataclass(frozen=True)
class Interpolation:
    """The loss along ``(1 - t) theta0 + t theta1``: ``ts`` ``(k,)`` (with 0 and 1
    exactly) and ``cost`` ``(k,)``; ``samples`` and budget ``notes`` as for a surface."""

    ts: Array
    cost: Array
    samples: int
    notes: tuple[str, ...] = ()


def interpolation(
    net: Network,
    cost: str | Loss | None,
    X: Array,
    Y: Array,
    theta0: Params,
    theta1: Params,
    n: int = 41,
    margin: float = 0.25,
    budget: Budget | None = None,
) -> Interpolation:
    """The loss at ``(1 - t) theta0 + t theta1`` for ``n`` values of ``t`` from 0 to 1
    (so ``t = 0`` is ``theta0`` and ``t = 1`` is ``theta1``, exactly) and as many more
    steps of the same size beyond them as ``margin`` (a share of ``[0, 1]``) adds on each
    side; on evenly spaced columns of ``X``, ``Y`` within the budget."""
    budget = budget or Budget.of(net)
    n = whole_number("n", n, minimum=2, maximum=1001)
    margin = finite_number("margin", margin, minimum=0.0, maximum=1.0)
    X, Y = net.check_xy(X, Y)
    t0, t1 = _check_like("theta0", theta0, net), _check_like("theta1", theta1, net)
    extra = int(round(margin * (n - 1)))
    ts = np.arange(-extra, n + extra) / (n - 1)
    k, s, notes = budget.fit(ts.size, X.shape[1], net.n_parameters())
    if k < ts.size:
        ts = ts[np.unique(np.linspace(0, ts.size - 1, k).round().astype(np.int64))]
    Xs, Ys = evenly_spaced(X, Y, s)
    layers = _plane(None, t0, t1, 1.0 - ts, ts)
    costs = _costs(net, _loss(cost, net), Xs, Ys, layers, ts.size)
    return Interpolation(ts, costs, Xs.shape[1], tuple(notes))


def initial_params(trainer) -> list[Array]:
    """The parameters the trainer started from, ``[w_1, b_1, ...]`` (see
    :attr:`Trainer.initial_params`)."""
    return list(trainer.initial_params)


# ------------------------------------------------------------------------ together
@dataclass(frozen=True)
class Landscape:
    """A trainer's landscape: the surface around its parameters, its path on that plane
    and the line from its initial parameters; ``step`` is when it was computed."""

    surface: Surface
    path: Path
    interpolation: Interpolation
    step: int
    seed: int
    notes: tuple[str, ...] = field(default=())
    plane: str = "random"


PLANES = {  # how the plane is spanned (of_trainer's ``plane``)
    "random": "two random filter-normalised directions (Li et al.), from the seed",
    "path": "the path's first two principal directions (PCA, Li et al. section 7)",
}


def of_trainer(
    trainer,
    seed: int = 0,
    n: int = 21,
    span: float = 1.0,
    budget: Budget | None = None,
    plane: str = "random",
) -> Landscape:
    """The landscape of ``trainer``'s loss on its training data (the evenly spaced subset
    the budget allows): the ``plane``'s directions (see :data:`PLANES`: random ones
    from ``np.random.default_rng(seed)``, or the path's principal ones), the ``n x n``
    surface over ``[-span, span]^2`` (for the path's directions, ``span`` times
    ``PATH_MARGIN`` times the path's largest coordinate, so the whole path is on it), the
    recorded path projected on it and the interpolation from the initial parameters.
    Nothing of the trainer is changed."""
    net, loss = trainer.net, Loss.of(trainer)
    seed = whole_number("seed", seed, minimum=net.limits.min_seed, maximum=net.limits.max_seed)
    choose("plane", plane, PLANES)
    span = finite_number("span", span, positive=True)
    budget = budget or Budget.of(net)
    X, Y = trainer.X, trainer.Y
    steps, params = trainer_path(trainer)
    theta = params_of(net)
    extra: tuple[str, ...] = ()
    if plane == "path":
        d1, d2, held = path_directions(params, theta)
        a, b = project(params, theta, d1, d2)
        span *= PATH_MARGIN * max(float(np.max(np.abs(np.concatenate([a, b])))), 1e-12)
        extra = (f"the plane holds {held.sum():.0%} of the path's movement "
                 f"({held[0]:.0%} and {held[1]:.0%})",)  # fmt: skip
    else:
        d1, d2 = directions(net, np.random.default_rng(seed))
        a, b = project(params, theta, d1, d2)
    surf = surface(net, loss, X, Y, d1, d2, span, n, budget=budget)
    costs, path_notes = path_cost(net, loss, X, Y, params, max_samples=surf.samples, budget=budget)
    path = Path(steps, a, b, off_plane(params, theta, d1, d2, a, b), costs, tuple(path_notes))
    line = interpolation(net, loss, X, Y, initial_params(trainer), theta, budget=budget)
    notes = tuple(dict.fromkeys(extra + surf.notes + path.notes + line.notes))
    return Landscape(surf, path, line, trainer.steps, seed, notes, plane)
