"""Plain-language diagnoses of a training run: what is wrong with it, and why.

:func:`diagnose` runs every check of :data:`CHECKS` on a :class:`~backprop.Trainer` and
returns a :class:`Finding` for each problem found (an empty list for a healthy run, or
before there is enough evidence: see :func:`waiting`). Each check reads the recorded
history (the raw :class:`~backprop.history.History` columns, no DataFrame) and, when it
needs the network's activations, one vectorised forward pass over at most
``SUBSET_SAMPLES`` evenly spaced training columns, shared by all checks (:class:`Context`).
The learning rate is judged on the steps taken at the current one (``Trainer.eta_since``),
and "not learning" on the train accuracy the Playground's counter shows.
Layers count from 1 (``l = 1..L``), as in the history's columns.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from .activations import DEAD, SATURATED, Activation
from .batches import f64
from .network import Network
from .trainer import Trainer

Array = np.ndarray

# ------------------------------------------------------------------- thresholds
MIN_STEPS = 20  # fewer steps than this are too few to judge a trend by
RECENT = 50  # history rows the per-step checks look at (the latest ones)
SUBSET_SAMPLES = 256  # training columns of the forward pass: enough for shares of units
DEAD_SHARE = 0.5  # a layer with half its ReLUs dead has lost half its capacity
SATURATED_PRIME = 0.01  # sigma'(z) under 1 % of its peak passes almost no error (BP1/BP2)
SATURATED_SAMPLES = 0.9  # a unit saturated on 90 % of the samples hardly ever learns
SATURATED_SHARE = 0.5  # as for dead units: half a layer stuck is half its capacity
# Vanishing: the error reaching layer 1 is small next to the output's, and layer 1's
# weights move much more slowly for their size than the output layer's (Nielsen ch. 5's
# "speed of learning"; the second condition spares adam, whose steps do not shrink with
# the gradient). Measured at steps 30-400 over seeds: the deep sigmoid preset mostly
# 0.1-0.3 and 0.04-0.2; healthy tanh/ReLU nets of 2-5 hidden layers never both at once.
VANISHING_DELTA = 0.3  # ||delta_1|| / ||delta_L||
VANISHING_SPEED = 0.2  # (||dw_1|| / ||w_1||) / (||dw_L|| / ||w_L||)
EXPLODING_DELTA = 100.0  # healthy nets stay under ~20 even late in training
MIN_HIDDEN = 2  # vanishing compounds layer by layer (BP2): one hidden layer is not deep
UPDATE_HIGH = 0.25  # ||dw|| / ||w|| a step: the divergence guard's RELATIVE_JUMP
UPDATE_LOW = 1e-5  # ||dw|| / ||w|| a step: 100,000 steps to change a weight by its size
# ||dw|| / ||w|| per unit of eta (the step eta = 1 would take): under this, the steps are
# small because the gradient is (saturated or dead units pass ~no error), not because eta
# is; reaching UPDATE_LOW would take eta > UPDATE_LOW / STALLED_PACE = 10, a runaway rate.
STALLED_PACE = 1e-6
FLAT_COST = 0.01  # relative change of the cost over the recent window that counts as flat
SWING_FLIPS = 0.5  # share of successive cost changes that flip sign: an oscillation...
SWING_SIZE = 0.2  # ...when the median change is 20 % of the cost (healthy: under 10 %)
SWING_FLOOR = 0.1  # and by a tenth of the first cost (not noise near a cost of 0)
RISE = 1.5  # the smoothed train cost grew 1.5-fold over the recent evaluations
EVALS = 20  # evaluated train costs the cost checks need (they look at up to RECENT)
NOT_LEARNING_EPOCHS = 3  # epochs before "not learning" is judged, and at least...
NOT_LEARNING_MIN_STEPS = 250  # ...steps: a plateau of 100 (XOR's ln 2 saddle) is common
NOT_LEARNING_STEPS = 1000  # steps after which it is judged anyway (big data, long epochs)
CHANCE_MARGIN = 0.05  # train accuracy within 5 points of always guessing the top class
OVERFIT_EVALS = 10  # evaluated rows (train and test) in the recent half of the run
OVERFIT_RISE = 0.1  # the test cost rose by 10 % while the train cost fell
OVERFIT_EPOCHS = 5  # epochs before overfitting is judged (a few steps of noise are not)

PROBLEM, WARNING = "problem", "warning"


@dataclass(frozen=True)
class Finding:
    """One diagnosis: ``kind`` (a stable id), ``severity`` (``"problem"`` or
    ``"warning"``), a short ``title``, a one-sentence ``message`` with the numbers, the
    ``evidence`` it was judged on (thresholds included), the Playground ``chart`` that
    shows it and ``advice``."""

    kind: str
    severity: str
    title: str
    message: str
    evidence: dict = field(default_factory=dict)
    chart: str = ""
    advice: str = ""


class Context:
    """What the checks share, computed once and only if a check asks: the recent history
    rows, and one forward pass over an evenly spaced training subset ``(n_in, m)``."""

    def __init__(self, trainer: Trainer) -> None:
        self.trainer, self.net = trainer, trainer.net
        self.history = trainer.history
        self._medians: dict[str, Array] = {}
        self._evaluated: dict[str, tuple[Array, Array]] = {}

    def recent(self, column: str, rows: int = RECENT) -> Array:
        """The last ``rows`` recorded values of ``column`` (NaN where not recorded)."""
        return self.history.column(column)[-rows:]

    def evaluated(self, column: str) -> tuple[Array, Array]:
        """``(steps, values)`` of the rows where ``column`` (e.g. ``train_cost``) was
        evaluated."""
        if column not in self._evaluated:
            values = self.history.column(column)
            ok = ~np.isnan(values)
            self._evaluated[column] = self.history.column("step")[ok], values[ok]
        return self._evaluated[column]

    def layer_medians(self, kind: str) -> Array:
        """Median of ``kind_l`` (``delta_norm``, ``update_norm``: recorded every step) over
        the recent rows, per layer ``l = 1..L``, ``(L,)``."""
        if kind not in self._medians:
            L = self.net.n_layers
            block = np.column_stack([self.recent(f"{kind}_{l}") for l in range(1, L + 1)])
            self._medians[kind] = np.median(block, axis=0)
        return self._medians[kind]

    @cached_property
    def weight_norms(self) -> Array:
        """``||w_l||`` now, ``(L,)``."""
        return np.array([float(np.sqrt(np.vdot(w, w))) for w in self.net.weights])

    @cached_property
    def subset(self) -> tuple[Array, Array]:
        """At most ``SUBSET_SAMPLES`` evenly spaced training columns ``(X, Y)``, float64."""
        tr = self.trainer
        idx = np.linspace(0, tr.n - 1, min(SUBSET_SAMPLES, tr.n)).round().astype(np.int64)
        return f64(tr.X[:, idx]), f64(tr.Y[:, idx])

    @cached_property
    def activations(self) -> list[Array]:
        """``a_l`` of the subset, ``a[0]`` its input: one vectorised forward pass."""
        with np.errstate(all="ignore"):
            return self.net.forward(self.subset[0], keep_z=False)[1]

    @cached_property
    def _at_eta(self) -> Array:
        """Which recorded rows are steps at the current learning rate, ``(n,)`` bool."""
        return self.history.column("step") > self.trainer.eta_since

    def since_eta(self, column: str) -> Array:
        """The values of ``column`` recorded at the current learning rate (the rows after
        step ``trainer.eta_since``)."""
        return self.history.column(column)[self._at_eta]

    @cached_property
    def dead(self) -> tuple[dict[int, int], dict[int, float]]:
        """Per layer of units that die (ReLU: :data:`~backprop.activations.DEAD`), how
        many output 0 on every sample of the subset, and their share of the layer."""
        counts, shares = {}, {}
        for l, act in enumerate(self.net.layer_activations, 1):
            if act.stalls == DEAD and _passes_sigma_prime(self.net, l):
                dead = ~np.any(self.activations[l] > 0, axis=1)
                counts[l], shares[l] = int(dead.sum()), float(dead.mean())
        return counts, shares

    @cached_property
    def saturated(self) -> tuple[dict[int, int], dict[int, float]]:
        """Per layer of units that saturate (sigmoid, tanh:
        :data:`~backprop.activations.SATURATED`), how many have sigma'(z) under
        ``SATURATED_PRIME`` of its peak on at least ``SATURATED_SAMPLES`` of the subset,
        and their share of the layer."""
        counts, shares = {}, {}
        for l, act in enumerate(self.net.layer_activations, 1):
            if act.stalls == SATURATED and _passes_sigma_prime(self.net, l):
                rel = act.prime(None, self.activations[l]) / _peak_prime(act)
                stuck = np.mean(rel < SATURATED_PRIME, axis=1) >= SATURATED_SAMPLES
                counts[l], shares[l] = int(stuck.sum()), float(stuck.mean())
        return counts, shares


Check = Callable[[Trainer, Context], "Finding | None"]
CHECKS: dict[str, Check] = {}
LABELS: dict[str, str] = {}  # what each check looks for, as the Playground lists it


def check(name: str, label: str) -> Callable[[Check], Check]:
    """Register a check under ``name`` (``label``: what it looks for, in a few words)."""

    def register(fn: Check) -> Check:
        CHECKS[name], LABELS[name] = fn, label
        return fn

    return register


# A finding made redundant by a more specific one (its cause) is left out.
SUPERSEDED_BY = {
    "vanishing_gradients": ("dead_relu", "saturated", "learning_rate_high"),
    "not_learning": ("learning_rate_high",),
}


# Findings that often cause others (a runaway learning rate saturates units) come first.
CAUSES = ("learning_rate_high", "exploding_gradients")


def waiting(trainer: Trainer) -> str | None:
    """Why there is nothing to diagnose yet (too few steps), or None."""
    if trainer.steps >= MIN_STEPS and trainer.history.n >= MIN_STEPS:
        return None
    return (
        f"Not enough steps yet: diagnoses need {MIN_STEPS} recorded steps, "
        f"this run has {min(trainer.steps, trainer.history.n)}."
    )


def diagnose(trainer: Trainer, checks: dict[str, Check] | None = None) -> list[Finding]:
    """Every finding of ``checks`` (default :data:`CHECKS`) on the run, problems first
    (:data:`CAUSES` first among them), without those :data:`SUPERSEDED_BY` another;
    ``[]`` for a healthy run or before there is enough evidence (:func:`waiting`)."""
    if waiting(trainer) is not None:
        return []
    ctx = Context(trainer)
    found = [f for fn in (checks or CHECKS).values() if (f := fn(trainer, ctx)) is not None]
    kinds = {f.kind for f in found}
    found = [f for f in found if not kinds.intersection(SUPERSEDED_BY.get(f.kind, ()))]
    return sorted(found, key=lambda f: (f.severity != PROBLEM, f.kind not in CAUSES))


# ------------------------------------------------------------------ unit checks
def _layer_name(net: Network, l: int) -> str:
    return "the output layer" if l == net.n_layers else f"hidden layer {l}"


def _passes_sigma_prime(net: Network, l: int) -> bool:
    """Whether ``sigma'(z_l)`` scales the error of layer ``l``: always for hidden layers
    (BP2); for the output only when BP1 is the general form (not ``a - y`` or a stable
    form from ``z``)."""
    if l < net.n_layers:
        return True
    return not net.uses_shortcut and (net.stable is None or net.stable.delta is None)


def _worst_layer(shares: dict[int, float], threshold: float) -> int | None:
    """The layer with the largest share, if it reaches ``threshold``."""
    if not shares:
        return None
    l = max(shares, key=shares.get)
    return l if shares[l] >= threshold else None


@check("dead_relu", "dead ReLUs")
def dead_relus(trainer: Trainer, ctx: Context) -> Finding | None:
    """Units that die (ReLU: :data:`~backprop.activations.DEAD`) and output 0 on every
    sample of the subset (their sigma' is 0: no error passes through them, so they never
    learn again). A whole dead layer also stops the error to every layer below it."""
    net, (counts, shares) = ctx.net, ctx.dead
    l = _worst_layer(shares, DEAD_SHARE)
    if l is None:
        return None
    m, n = ctx.subset[0].shape[1], net.sizes[l]
    units = f"ReLU units of {_layer_name(net, l)} output 0 on all {m} samples checked"
    if counts[l] == n:
        why = (
            f"All {n} {units}: the layer is dead, so BP2 passes no error to layer {l} or below "
            "and they no longer learn (training goes on for the layers above it)."
        )
    else:
        why = f"{counts[l]} of {n} {units} ({shares[l]:.0%}), so no error reaches them and "
        why += "they never learn."
    return Finding(
        "dead_relu",
        PROBLEM,
        "Dead ReLUs",
        why,
        {"dead_units": counts, "dead_share": shares, "samples": m, "threshold": DEAD_SHARE},
        "Layers tab: a",
        "Lower the learning rate, use leaky_relu (its units cannot die), or Reset with the "
        "he initialisation (zero biases).",
    )


def _peak_prime(act: Activation) -> float:
    """The largest sigma'(z) (at z = 0 for sigmoid and tanh: 1/4 and 1)."""
    zero = np.zeros((1, 1))
    return float(act.prime(zero, act.fn(zero.copy()))[0, 0])


@check("saturated", "saturated sigmoid/tanh units")
def saturated_units(trainer: Trainer, ctx: Context) -> Finding | None:
    """Units that saturate (sigmoid, tanh: :data:`~backprop.activations.SATURATED`) whose
    sigma'(z) is under ``SATURATED_PRIME`` of its peak on at least ``SATURATED_SAMPLES`` of
    the subset: BP1/BP2 multiply their error by ~0."""
    net, (counts, shares) = ctx.net, ctx.saturated
    l = _worst_layer(shares, SATURATED_SHARE)
    if l is None:
        return None
    act = net.layer_activations[l - 1].name
    equation = "BP1" if l == net.n_layers else "BP2"  # the output's error, or a hidden layer's
    return Finding(
        "saturated",
        PROBLEM,
        "Saturated units",
        f"{counts[l]} of {net.sizes[l]} {act} units of {_layer_name(net, l)} are saturated "
        f"(sigma'(z) under {SATURATED_PRIME:.0%} of its peak on {SATURATED_SAMPLES:.0%} of the "
        f"samples), so {equation} passes them almost no error and they barely learn.",
        {
            "saturated_units": counts,
            "saturated_share": shares,
            "prime_threshold": SATURATED_PRIME,
            "sample_share": SATURATED_SAMPLES,
            "threshold": SATURATED_SHARE,
        },
        "Layers tab: z",
        "Start from smaller weights (xavier), lower the learning rate, or use cross-entropy "
        "(sigmoid outputs) or log-likelihood (softmax) so the output layer does not saturate.",
    )


# ------------------------------------------------------------- history checks
def _speeds(ctx: Context) -> Array:
    """Each layer's recent ``||Delta w_l|| / ||w_l||`` a step (median), ``(L,)``."""
    with np.errstate(all="ignore"):
        return ctx.layer_medians("update_norm") / ctx.weight_norms


@check("gradient_flow", "vanishing or exploding gradients")
def gradient_flow(trainer: Trainer, ctx: Context) -> Finding | None:
    """The error reaching layer 1 against the output's (``||delta_1|| / ||delta_L||`` of
    the recent rows: Nielsen ch. 5's speed of learning), in networks of at least
    ``MIN_HIDDEN`` hidden layers."""
    net = ctx.net
    L = net.n_layers
    if L - 1 < MIN_HIDDEN:
        return None
    delta, speed = ctx.layer_medians("delta_norm"), _speeds(ctx)
    if not (np.all(np.isfinite(delta)) and delta[-1] > 0 and speed[-1] > 0):
        return None
    ratio, slower = float(delta[0] / delta[-1]), float(speed[0] / speed[-1])
    evidence = {
        "delta_norms": delta.tolist(),
        "delta_ratio": ratio,
        "speed_ratio": slower,
        "rows": len(ctx.recent("step")),
    }
    if ratio < VANISHING_DELTA and slower < VANISHING_SPEED:
        evidence.update(delta_threshold=VANISHING_DELTA, speed_threshold=VANISHING_SPEED)
        return Finding(
            "vanishing_gradients",
            WARNING,
            "Vanishing gradients",
            f"The error reaching layer 1 is {ratio:.2g} of the output layer's "
            f"(||delta_1|| / ||delta_L|| under {VANISHING_DELTA:g}) and its weights change "
            f"{_times_slower(slower)} for their size, so the early layers hardly learn: each "
            "BP2 step multiplies the error by w^T and sigma'(z).",
            evidence,
            "Curves tab: per-layer ||delta||",
            "Use tanh or relu with the xavier or he initialisation, fewer layers, or the adam "
            "optimiser (its steps do not shrink with the gradient).",
        )
    if ratio > EXPLODING_DELTA:
        evidence.update(delta_threshold=EXPLODING_DELTA)
        return Finding(
            "exploding_gradients",
            PROBLEM,
            "Exploding gradients",
            f"The error grows {ratio:.3g}-fold from the output back to layer 1 "
            f"(||delta_1|| / ||delta_L|| over {EXPLODING_DELTA:g}), so the early layers take "
            "huge steps while the late ones barely move.",
            evidence,
            "Curves tab: per-layer ||delta||",
            "Start from smaller weights (xavier or he), lower the learning rate, or use fewer "
            "layers.",
        )
    return None


def _times_slower(ratio: float) -> str:
    """``"12 times more slowly"`` for a speed ratio of 1/12 (``"not at all"`` for 0)."""
    return "not at all" if ratio <= 0 else f"{1 / ratio:.0f} times more slowly"


def _swing(cost: Array) -> tuple[float, float, float]:
    """``(flips, size, median change)`` of a cost series: the share of successive changes
    that flip sign, and the median absolute change relative to the median cost."""
    d = np.diff(cost)
    d = d[d != 0]
    if len(d) < 2:
        return 0.0, 0.0, 0.0
    flips = float(np.mean(np.sign(d[1:]) != np.sign(d[:-1])))
    change = float(np.median(np.abs(d)))
    return flips, change / max(float(np.median(cost)), 1e-300), change


def _cost_trend(cost: Array) -> tuple[float, float]:
    """Mean of the first and of the last quarter of a cost series (smoothed ends)."""
    q = max(1, len(cost) // 4)
    return float(np.mean(cost[:q])), float(np.mean(cost[-q:]))


def _stuck(ctx: Context) -> str | None:
    """The worst layer that the ``dead_relu`` or ``saturated`` check finds stuck, in words
    (``"30 of 30 sigmoid units of hidden layer 4 are saturated"``), or None."""
    net = ctx.net
    for (counts, shares), threshold, state in (
        (ctx.dead, DEAD_SHARE, "dead"),
        (ctx.saturated, SATURATED_SHARE, "saturated"),
    ):
        l = _worst_layer(shares, threshold)
        if l is not None:
            act = net.layer_activations[l - 1].name
            return f"{counts[l]} of {net.sizes[l]} {act} units of {_layer_name(net, l)} are {state}"
    return None


def _largest_jumps(ctx: Context) -> Array:
    """Per layer, the largest ``||Delta w_l|| / ||w_l||`` of a step at the current learning
    rate, ``(L,)`` (0 without steps). Only ``||Delta w_l||`` is recorded: before step t,
    ``||w_l||`` is at most its norm when eta was set plus the norms of the updates since,
    so this is a lower bound (once the history is thinned, each kept row stands for the
    steps to the next)."""
    L = ctx.net.n_layers
    steps = ctx.since_eta("step")
    if not len(steps):
        return np.zeros(L)
    U = np.column_stack([ctx.since_eta(f"update_norm_{l}") for l in range(1, L + 1)])
    gaps = np.diff(steps, append=steps[-1] + 1)[:, None]
    before = np.cumsum(U * gaps, axis=0) - U * gaps  # the updates' norms before step t
    with np.errstate(all="ignore"):
        return np.nan_to_num(np.max(U / (np.array(ctx.trainer.eta_norms) + before), axis=0))


def _share(ratio: float) -> str:
    """``"40% of their size"``, or ``"26 times their size"`` from 1 on."""
    return f"{ratio:.3g} times their size" if ratio >= 1 else f"{ratio:.0%} of their size"


def _why_too_high(swings: bool, rises: bool, ev: dict) -> tuple[str, str] | None:
    """What shows the learning rate is too high, and what it does, from the evidence of
    :func:`learning_rate`; None if nothing does."""
    overshoot = "the steps overshoot the minimum instead of descending"
    n = ev["evaluations"]
    if swings:
        return (
            f"the train cost swings by {ev['swing']:.0%} of itself from one evaluation to the "
            f"next (its change flips sign {ev['sign_flips']:.0%} of the time over the last {n})"
        ), overshoot
    if rises:
        return (
            f"the train cost rose from {ev['cost_first']:.3g} to {ev['cost_last']:.3g} over the "
            f"last {n} evaluations"
        ), overshoot
    speed, jumps = ev["update_ratio"], ev["largest_jump"]
    l = int(np.nanargmax(speed)) + 1
    if speed[l - 1] >= UPDATE_HIGH:
        return (
            f"each step changes the weights of layer {l} by {speed[l - 1]:.0%} of their size "
            f"(||Δw|| / ||w|| over {UPDATE_HIGH:.0%})"
        ), overshoot
    if "stuck" in ev:
        j = int(np.argmax(jumps)) + 1
        return (
            f"a step changed the weights of layer {j} by {_share(jumps[j - 1])} "
            f"(||Δw|| / ||w|| over {UPDATE_HIGH:.0%}) and now {ev['stuck']}"
        ), "steps this large push units to where sigma'(z) is about 0, and there they barely learn"
    return None


@check("learning_rate", "learning rate too high or too low")
def learning_rate(trainer: Trainer, ctx: Context) -> Finding | None:
    """Judged on the steps at the current learning rate (at least ``MIN_STEPS``). Too high:
    the evaluated train cost swings or rises over its last ``RECENT`` values, the recent
    steps change a layer's weights by ``UPDATE_HIGH`` of their size, or a step did and a
    layer is now dead or saturated (such steps push units there). Too low: every layer
    changes by under ``UPDATE_LOW`` a step, the cost is flat, and the steps are small
    because eta is (over ``STALLED_PACE`` per unit of eta), not because the gradient is."""
    if len(ctx.since_eta("step")) < MIN_STEPS:
        return None
    L, eta = ctx.net.n_layers, trainer.eta
    recent = [ctx.since_eta(f"update_norm_{l}")[-RECENT:] for l in range(1, L + 1)]
    with np.errstate(all="ignore"):
        speed = np.median(np.column_stack(recent), axis=0) / ctx.weight_norms
    if not np.any(np.isfinite(speed)):
        return None
    fastest, jumps = float(np.nanmax(speed)), _largest_jumps(ctx)
    costs = ctx.since_eta("train_cost")
    evaluated = costs[~np.isnan(costs)]
    cost = evaluated[-RECENT:]
    judged = len(cost) >= EVALS
    flips, size, change = _swing(cost) if judged else (0.0, 0.0, 0.0)
    first, last = _cost_trend(cost) if judged else (np.nan, np.nan)
    floor = SWING_FLOOR * float(evaluated[0]) if judged else np.inf  # of the first cost
    swings = flips >= SWING_FLIPS and size >= SWING_SIZE and change >= floor
    rises = judged and last >= RISE * first and last - first >= floor
    evidence = {
        "eta": eta,
        "steps_at_eta": trainer.steps - trainer.eta_since,
        "update_ratio": speed.tolist(),
        "largest_jump": jumps.tolist(),
        "evaluations": len(cost),
        "sign_flips": flips,
        "swing": size,
        "cost_first": first,
        "cost_last": last,
        "update_high": UPDATE_HIGH,
        "swing_threshold": SWING_SIZE,
        "flip_threshold": SWING_FLIPS,
        "rise_threshold": RISE,
        "change_floor": floor,
    }
    if max(jumps) >= UPDATE_HIGH and (stuck := _stuck(ctx)) is not None:
        evidence["stuck"] = stuck
    why = _why_too_high(swings, rises, evidence)
    if why is not None:
        return Finding(
            "learning_rate_high",
            PROBLEM,
            "Learning rate too high",
            f"At eta = {eta:g} {why[0]}: {why[1]}.",
            evidence,
            "cost curve",
            f"Lower the learning rate about tenfold (eta = {eta / 10:g}) and continue.",
        )
    pace = fastest / eta  # the step eta = 1 would take
    if fastest >= UPDATE_LOW or not judged or pace < STALLED_PACE:
        return None
    drift = abs(last - first) / max(first, 1e-300)
    if drift >= FLAT_COST:
        return None
    evidence.update(
        update_low=UPDATE_LOW,
        pace=pace,
        stalled_pace=STALLED_PACE,
        cost_drift=drift,
        flat_threshold=FLAT_COST,
    )
    return Finding(
        "learning_rate_low",
        WARNING,
        "Learning rate too low",
        f"At eta = {eta:g} no layer's weights change by more than {fastest:.1e} of their size "
        f"a step (under {UPDATE_LOW:g}) and the train cost moved {drift:.2%} over the last "
        f"{len(cost)} evaluations: learning has all but stopped.",
        evidence,
        "cost curve",
        f"Raise the learning rate about tenfold (eta = {eta * 10:g}).",
    )


# ------------------------------------------------------------- outcome checks
def _chance(Y: Array) -> float:
    """Accuracy of always guessing the most frequent class of ``Y`` ``(n_out, m)``."""
    labels = Y.argmax(axis=0) if Y.shape[0] > 1 else (Y[0] > 0.5).astype(np.int64)
    return float(np.bincount(labels).max() / Y.shape[1])


def _r_squared(a: Array, Y: Array) -> float:
    """``1 - SSE / SST`` of the outputs ``a`` against targets ``Y`` (NaN if Y is constant)."""
    sst = float(np.sum((Y - Y.mean(axis=1, keepdims=True)) ** 2))
    return 1.0 - float(np.sum((a - Y) ** 2)) / sst if sst > 0 else float("nan")


def _train_accuracy(trainer: Trainer) -> tuple[float, Array | None]:
    """The train accuracy the Playground's counter shows (the last evaluated one; evaluated
    now if none was) and the targets of the training samples it is measured on."""
    acc = trainer.history.last_valid("train_accuracy")
    if np.isnan(acc):
        acc = trainer.evaluate()["train_accuracy"]
    return acc, trainer.evaluator.targets("train")


@check("not_learning", "not learning (train accuracy at chance)")
def not_learning(trainer: Trainer, ctx: Context) -> Finding | None:
    """After ``NOT_LEARNING_EPOCHS`` epochs (or ``NOT_LEARNING_STEPS`` steps), the train
    accuracy (as the Playground's counter shows it) within ``CHANCE_MARGIN`` of guessing
    the top class of the same samples; for regression, an R^2 on the subset of at most 0
    (no better than predicting the mean)."""
    early = trainer.epochs < NOT_LEARNING_EPOCHS or trainer.steps < NOT_LEARNING_MIN_STEPS
    if early and trainer.steps < NOT_LEARNING_STEPS:
        return None
    acc, Y = _train_accuracy(trainer)
    chart, advice = (
        "cost curve",
        (
            "Check the learning rate (try 10x higher and lower), give the hidden layers more "
            "units, or use cross-entropy or log-likelihood instead of the quadratic cost."
        ),
    )
    if np.isnan(acc):  # regression
        _, Y = ctx.subset
        m, r2 = Y.shape[1], _r_squared(ctx.activations[-1], Y)
        if not r2 <= 0:
            return None
        return Finding(
            "not_learning",
            PROBLEM,
            "Not learning",
            f"After {trainer.epochs} epochs the outputs explain none of the targets' variance "
            f"(R^2 = {r2:.3g} on {m} training samples): no better than predicting their mean.",
            {"r_squared": r2, "samples": m, "epochs": trainer.epochs, "threshold": 0.0},
            chart,
            advice,
        )
    m, chance = Y.shape[1], _chance(Y)
    if acc > chance + CHANCE_MARGIN:
        return None
    return Finding(
        "not_learning",
        PROBLEM,
        "Not learning",
        f"After {trainer.epochs} epochs ({trainer.steps} steps) the train accuracy is "
        f"{acc:.1%} on {m:,} training samples, within {CHANCE_MARGIN:.0%} of the {chance:.1%} "
        "that always guessing the most frequent class gets.",
        {
            "train_accuracy": acc,
            "chance": chance,
            "samples": m,
            "epochs": trainer.epochs,
            "threshold": chance + CHANCE_MARGIN,
        },
        "Curves tab: accuracy",
        advice,
    )


@check("overfitting", "overfitting (test cost rising)")
def overfitting(trainer: Trainer, ctx: Context) -> Finding | None:
    """Over the evaluations of the recent half of the run: the train cost fell while the
    test cost rose by ``OVERFIT_RISE`` (so their gap grew). Needs test data."""
    if trainer.X_test is None or trainer.epochs < OVERFIT_EPOCHS:
        return None
    steps, train = ctx.evaluated("train_cost")
    test = ctx.history.column("test_cost")[~np.isnan(ctx.history.column("train_cost"))]
    recent = (steps >= trainer.steps / 2) & ~np.isnan(test)
    if recent.sum() < OVERFIT_EVALS:
        return None
    tr0, tr1 = _cost_trend(train[recent])
    te0, te1 = _cost_trend(test[recent])
    if not (tr1 < tr0 and te1 >= (1 + OVERFIT_RISE) * te0 and te1 - tr1 > te0 - tr0):
        return None
    best = int(np.nanargmin(test))
    s0, s1 = int(steps[recent][0]), int(steps[recent][-1])
    return Finding(
        "overfitting",
        WARNING,
        "Overfitting",
        f"From step {s0} to {s1} the train cost fell from {tr0:.3g} to {tr1:.3g} while the "
        f"test cost rose from {te0:.3g} to {te1:.3g}: the network is fitting the training "
        "samples, not the pattern behind them.",
        {
            "train_cost": [tr0, tr1],
            "test_cost": [te0, te1],
            "gap": [te0 - tr0, te1 - tr1],
            "steps": [s0, s1],
            "best_test_step": int(steps[best]),
            "best_test_cost": float(test[best]),
            "threshold": OVERFIT_RISE,
        },
        "cost curve",
        f"Add L2 regularisation (lambda), use more data or a smaller network, or stop "
        f"earlier: the test cost was lowest ({float(test[best]):.3g}) at step {int(steps[best])}.",
    )
