"""Gradient checking per layer, capped for big networks, and what a failure points to.

:func:`check_gradients` compares analytic gradients (the engine's backprop, or any other
``(nabla_b, nabla_w)``, such as a buggy one) with central finite differences. Small
networks use the engine's :func:`~backprop.gradcheck.numerical_gradients` for every
parameter; when a layer has more than ``max_per_layer`` weights (or biases), a random
subset of that many is checked, each by the same central difference, re-running the
forward pass only from the perturbed layer on. :func:`diagnose` names the first failing
layer counting back from the output, as backprop does, and the equation that breaks there.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..gradcheck import numerical_gradients
from ..gradtable import ATOL, RTOL, ParamCheck, gradient_table, ratio, ratios
from ..network import Network
from ..validation import finite_number, whole_number
from .stages import sup

Array = np.ndarray

EPS = 1e-6  # PyTorch's gradcheck default
MAX_PER_LAYER = 50  # weights (and biases) checked per layer of a big network
EPS_RANGE = (1e-12, 0.1)
FALL = 2.0  # a finite-difference error falls at least this much per 10x step of ε


@dataclass(frozen=True)
class EpsVerdict:
    """Why one layer's weights or biases failed, found by checking them at other ε.

    Truncation error (ε too large) falls ~100x per 10x smaller ε, rounding error (ε too
    small) ~10x per 10x larger ε; a backprop bug stays put. ``trail`` holds each ε tried,
    the first the check's own, with the worst ``|a - n| / tolerance`` (at most 1 passes).
    """

    layer: int
    param: str
    cause: str  # "truncation", "rounding", "backprop" or "unknown" (the work limit)
    eps_ok: float | None  # an ε at which it passes (truncation, rounding)
    trail: tuple[tuple[float, float], ...]

    @property
    def explained(self) -> bool:
        """The finite differences' error, not backprop's."""
        return self.cause in ("truncation", "rounding")

    def describe(self) -> str:
        if self.cause == "truncation":
            return f"ε too large (truncation error): passes at ε = {self.eps_ok:.0e}"
        if self.cause == "rounding":
            return f"ε too small (rounding error): passes at ε = {self.eps_ok:.0e}"
        if self.cause == "unknown":
            return "not checked at another ε (the work limit)"
        return "fails at every ε tried: backprop"


@dataclass(frozen=True, eq=False)
class CheckResult:
    """Every checked entry, a per-layer table and the diagnosis of the first failure."""

    params: tuple[ParamCheck, ...]
    table: pd.DataFrame
    n_layers: int
    batch_size: int
    eps: float
    atol: float
    rtol: float
    capped: bool  # some layer was checked on a random subset
    verdicts: tuple[EpsVerdict, ...] = ()  # one per failing layer and kind

    @property
    def passed(self) -> bool:
        """Every entry within tolerance at this ε."""
        return bool(self.table["passed"].all())

    def unexplained(self) -> pd.DataFrame:
        """The table with failures that another ε cures (the finite differences' error)
        marked as passed: what is left is backprop's."""
        ok = {(v.layer, v.param) for v in self.verdicts if v.explained}
        table = self.table.copy()
        hit = [(int(l), p) in ok for l, p in zip(table["layer"], table["param"])]
        table.loc[hit, "passed"] = True
        return table

    def diagnosis(self) -> Diagnosis | None:
        """The first failure from the output that is backprop's (None if none is)."""
        return diagnose(self.unexplained(), self.params, self.batch_size)

    def eps_advice(self) -> str | None:
        """What is wrong with ε, if some failure is the finite differences' own error."""
        parts = []
        for cause, what, law in (
            ("truncation", "too large", "truncation error, which shrinks as ε²"),
            ("rounding", "too small", "rounding error, which grows as 1/ε"),
        ):
            vs = [v for v in self.verdicts if v.cause == cause]
            if vs:
                where = ", ".join(f"layer {v.layer} {v.param} at ε = {v.eps_ok:.0e}" for v in vs)
                parts.append(
                    f"ε = {self.eps:.0e} is {what}: the finite differences' {law}, fails "
                    f"{_count(vs)}, not backprop. Checked again, each passes: {where}."
                )
        return " ".join(parts) or None

    def worst(self) -> dict | None:
        """The entry furthest outside the tolerance: layer, param, index (j, k), both values."""
        best, out = -1.0, None
        for p in self.params:
            if not len(p.index):
                continue
            r = ratios(p.analytic, p.numeric, self.atol, self.rtol)
            i = int(np.argmax(r))
            if r[i] > best:
                best = float(r[i])
                j, k = np.unravel_index(int(p.index[i]), p.shape)
                a, n = float(p.analytic[i]), float(p.numeric[i])
                rel = abs(a - n) / max(abs(a) + abs(n), 1e-12)
                out = {"layer": p.layer, "param": p.param, "index": (int(j), int(k)),
                       "analytic": a, "numeric": n, "rel_error": rel, "ratio": best}  # fmt: skip
        return out


def _count(vs: list[EpsVerdict]) -> str:
    names = [f"layer {v.layer} {'weights' if v.param == 'w' else 'biases'}" for v in vs]
    return ", ".join(names)


@dataclass(frozen=True)
class Diagnosis:
    """Where two sets of gradients first part, going back from the output like backprop."""

    layer: int
    equation: str  # "BP1", "BP2", "BP3", "BP4", or "BP3 and BP4" for a factor m
    message: str
    factor: float | None = None  # analytic = factor x reference in that layer, if constant


def check_gradients(
    net: Network,
    X: Array,
    Y: Array,
    analytic: tuple[list[Array], list[Array]] | None = None,
    *,
    eps: float = EPS,
    atol: float = ATOL,
    rtol: float = RTOL,
    max_per_layer: int = MAX_PER_LAYER,
    seed: int = 0,
) -> CheckResult:
    """``analytic`` ``(nabla_b, nabla_w)`` (default: ``net.backprop``) against central
    differences of the mean cost over the columns of ``X``, per layer and parameter kind.

    ``net`` is used on a copy and never changed. At most ``max_per_layer`` weights and as
    many biases of each layer are checked (a random subset drawn with ``seed``), fewer if
    the two forward passes per entry would exceed ``net.limits.max_check_work``.
    """
    eps = finite_number("epsilon", eps, minimum=EPS_RANGE[0], maximum=EPS_RANGE[1])
    atol = finite_number("atol", atol, minimum=0.0)
    rtol = finite_number("rtol", rtol, minimum=0.0)
    cap = whole_number("max_per_layer", max_per_layer, minimum=1)
    X, Y = net.check_xy(X, Y)
    per_entry = 2 * X.shape[1] * net.n_parameters()  # two forward passes of the batch
    cap = min(cap, max(1, net.limits.max_check_work // (2 * net.n_layers * per_entry)))
    net = net.copy()
    if analytic is None:
        analytic = net.backprop(X, Y)
    nb, nw = _check_analytic(net, analytic)
    rng = np.random.default_rng(seed)
    picks = []
    for w, b in zip(net.weights, net.biases):
        picks.append((_pick(rng, w.size, cap), _pick(rng, b.size, cap)))
    capped = any(len(iw) < w.size or len(ib) < b.size
                 for (iw, ib), w, b in zip(picks, net.weights, net.biases))  # fmt: skip
    capped = capped or net.n_parameters() * per_entry > net.limits.max_check_work
    with np.errstate(all="ignore"):
        if capped:
            num_b, num_w = _subset_numerical(net, X, Y, eps, picks)
        else:
            full_b, full_w = numerical_gradients(net, X, Y, eps)
            num_w = [g.reshape(-1) for g in full_w]
            num_b = [g.reshape(-1) for g in full_b]
    params = [
        ParamCheck(i + 1, kind, a.shape, idx, a.reshape(-1)[idx], n)  # layer l = i + 1
        for i, (iw, ib) in enumerate(picks)
        for kind, idx, a, n in (("w", iw, nw[i], num_w[i]), ("b", ib, nb[i], num_b[i]))
    ]
    table = gradient_table(params, atol, rtol, checked=True)
    budget = net.limits.max_check_work - sum(len(p.index) for p in params) * per_entry
    search = EpsSearch(net, X, Y, atol, rtol, per_entry, budget)
    verdicts = search.verdicts([p for p in params if not p.passed(atol, rtol)], eps)
    return CheckResult(
        tuple(params), table, net.n_layers, X.shape[1], eps, atol, rtol, capped, verdicts
    )


@dataclass
class EpsSearch:
    """The failing groups checked again at 10x smaller and larger ε, then further the way
    their error falls, until each passes (the finite differences' error), stops falling
    (backprop's) or the ε range or the work budget ends."""

    net: Network
    X: Array
    Y: Array
    atol: float
    rtol: float
    per_entry: int  # multiply-adds of one central difference
    budget: int  # multiply-adds left for the search (max_check_work less the check's own)

    def verdicts(self, failing: list[ParamCheck], eps: float) -> tuple[EpsVerdict, ...]:
        trails = {id(p): [(eps, ratio(p.analytic, p.numeric, self.atol, self.rtol))]
                  for p in failing}  # fmt: skip
        found: dict[int, EpsVerdict] = {}
        moving = {id(p): 0 for p in failing}  # 0: both ways; -1: smaller ε; +1: larger ε
        for step in range(1, 13):
            for sign in (-1, 1):
                e = eps * 10.0 ** (sign * step)
                group = [p for p in failing if id(p) not in found and moving[id(p)] in (0, sign)]
                if not group or not EPS_RANGE[0] <= e <= EPS_RANGE[1]:
                    continue
                ratios = self._ratios(group, e)
                for p in group:
                    if ratios is None:
                        found[id(p)] = self._verdict(p, "unknown", None, trails)
                        continue
                    trails[id(p)].append((e, ratios[id(p)]))
                    if ratios[id(p)] <= 1.0:
                        cause = "truncation" if sign < 0 else "rounding"
                        found[id(p)] = self._verdict(p, cause, e, trails)
            for p in failing:
                if id(p) not in found:
                    self._steer(p, trails[id(p)], moving, found)
        for p in failing:
            found.setdefault(id(p), self._verdict(p, "backprop", None, trails))
        return tuple(found[id(p)] for p in failing)

    def _steer(self, p: ParamCheck, trail, moving: dict, found: dict) -> None:
        """Keep going the way the error falls (at least ``FALL`` x per 10x); else backprop."""
        key, r0 = id(p), trail[0][1]
        if moving[key] == 0:
            by_sign = {int(np.sign(np.log10(e / trail[0][0]))): r for e, r in trail[1:]}
            best = min(by_sign, key=by_sign.get, default=None)
            if best is not None and by_sign[best] * FALL < r0:
                moving[key] = best
            else:
                found[key] = self._verdict(p, "backprop", None, {key: trail})
        elif len(trail) >= 2 and not trail[-1][1] * FALL < trail[-2][1]:
            found[key] = self._verdict(p, "backprop", None, {key: trail})

    def _ratios(self, group: list[ParamCheck], e: float) -> dict[int, float] | None:
        """Worst ratio of each group's entries at ``e``; None if over the work budget."""
        work = sum(len(p.index) for p in group) * self.per_entry
        if work > self.budget:
            return None
        self.budget -= work
        empty = np.zeros(0, dtype=int)
        picks = [
            tuple(next((p.index for p in group if p.layer == i + 1 and p.param == k), empty)
                  for k in ("w", "b"))
            for i in range(self.net.n_layers)
        ]  # fmt: skip
        with np.errstate(all="ignore"):
            num_b, num_w = _subset_numerical(self.net, self.X, self.Y, e, picks)
        out = {}
        for p in group:
            n = (num_w if p.param == "w" else num_b)[p.layer - 1]
            out[id(p)] = ratio(p.analytic, n, self.atol, self.rtol)
        return out

    @staticmethod
    def _verdict(p: ParamCheck, cause: str, eps_ok, trails) -> EpsVerdict:
        return EpsVerdict(p.layer, p.param, cause, eps_ok, tuple(trails[id(p)]))


def _pick(rng: np.random.Generator, size: int, cap: int) -> Array:
    if size <= cap:
        return np.arange(size)
    return np.sort(rng.choice(size, cap, replace=False))


def _check_analytic(net: Network, analytic) -> tuple[list[Array], list[Array]]:
    nb, nw = analytic
    if len(nb) != net.n_layers or len(nw) != net.n_layers:
        raise ValueError(f"analytic gradients need {net.n_layers} layers of nabla_b and nabla_w")
    for i, (b, w) in enumerate(zip(nb, nw)):  # layer l = i + 1
        if np.shape(w) != net.weights[i].shape or np.shape(b) != net.biases[i].shape:
            raise ValueError(
                f"analytic gradients of layer {i + 1} have shapes {np.shape(w)}, {np.shape(b)};"
                f" need {net.weights[i].shape}, {net.biases[i].shape}"
            )
    return [np.asarray(b, float) for b in nb], [np.asarray(w, float) for w in nw]


def _subset_numerical(
    net: Network, X: Array, Y: Array, eps: float, picks: list[tuple[Array, Array]]
) -> tuple[list[Array], list[Array]]:
    """Central differences ``(C(p + eps) - C(p - eps)) / 2 eps`` for the picked entries.

    The activations ``a_{l-1}`` feeding layer ``l`` do not depend on its parameters, so each
    cost is recomputed from them on; the result is the one a full forward pass would give.
    """
    _, acts = net.forward(X)
    out_w, out_b = [], []
    for i, (iw, ib) in enumerate(picks):  # layer l = i + 1, fed by acts[i] = a_{l-1}
        for params, idx, out in ((net.weights, iw, out_w), (net.biases, ib, out_b)):
            flat = params[i].reshape(-1)
            g = np.empty(len(idx))
            for n, j in enumerate(idx):
                old = flat[j]
                flat[j] = old + eps
                plus = _cost_from(net, i, acts[i], Y)
                flat[j] = old - eps
                minus = _cost_from(net, i, acts[i], Y)
                flat[j] = old
                g[n] = (plus - minus) / (2 * eps)
            out.append(g)
    return out_b, out_w


def _cost_from(net: Network, i: int, a: Array, Y: Array) -> float:
    """The mean cost when ``a = a_{l-1}`` (the activations feeding layer ``l = i + 1``) goes
    forward, computed from ``z_L`` where the output and cost have a stable form (as the
    engine's)."""
    z = None
    for w, b, act in zip(net.weights[i:], net.biases[i:], net.layer_activations[i:]):
        z = w @ a + b  # z^l = w^l a^{l-1} + b^l
        a = act.fn(z)  # a^l = sigma(z^l)
    return net.output_cost(z, a, Y)


# --------------------------------------------------------------------------- diagnosis
def suspect(layer: int, n_layers: int, w_ok: bool, b_ok: bool) -> str:
    """The equation a failure at ``layer`` points to: both gradients wrong means delta is
    (BP1 at the output, BP2 below); only the bias gradient BP3; only the weights BP4."""
    if not w_ok and not b_ok:
        return "BP1" if layer == n_layers else "BP2"
    return "BP3" if not b_ok else "BP4"


def constant_factor(analytic: Array, reference: Array, tol: float = 1e-4) -> float | None:
    """``f`` if ``analytic = f * reference`` entrywise (f != 1, up to ``tol``), else None."""
    a, r = np.asarray(analytic, float).ravel(), np.asarray(reference, float).ravel()
    big = np.abs(r) > 1e-7 * max(float(np.abs(r).max(initial=0.0)), 1e-300)
    if not np.any(big) or not np.all(np.isfinite(a)):
        return None
    ratios = a[big] / r[big]
    f = float(np.median(ratios))
    if f == 0 or abs(f - 1) < tol or np.any(np.abs(ratios - f) > tol * abs(f)):
        return None
    if np.any(np.abs(a[~big]) > tol * np.abs(a).max()):
        return None
    return f


def diagnose(table: pd.DataFrame, params, batch_size: int | None = None) -> Diagnosis | None:
    """The first failing layer from the output and its equation (None if all pass).

    ``table`` has ``layer``, ``param`` and ``passed`` columns; ``params`` the compared
    arrays (objects with ``layer``, ``param``, ``analytic``, ``numeric``), used to spot a
    constant factor such as the batch size (gradients summed instead of averaged).
    """
    L = int(table["layer"].max())
    for layer in range(L, 0, -1):
        rows = table[table["layer"] == layer].set_index("param")["passed"]
        w_ok, b_ok = bool(rows.get("w", True)), bool(rows.get("b", True))
        if w_ok and b_ok:
            continue
        eq = suspect(layer, L, w_ok, b_ok)
        what = {
            "BP1": "the output error δᴸ is wrong (both gradients of the output layer are off)",
            "BP2": f"the error δ{sup(layer)} is wrong (both gradients of layer {layer} are off)"
            " while every later layer is right",
            "BP3": f"only the bias gradient of layer {layer} is off",
            "BP4": f"only the weight gradient of layer {layer} is off",
        }[eq]
        where = f"First difference at layer {layer} (counting back from the output)"
        msg = f"{where}: {what} → {eq}."
        pairs = [p for p in params if p.layer == layer]
        factor = constant_factor(
            np.concatenate([p.analytic for p in pairs]), np.concatenate([p.numeric for p in pairs])
        )
        if factor is not None:
            times = f"every gradient there is {factor:.4g} × the right one"
            if batch_size and batch_size > 1 and abs(factor - batch_size) < 1e-6 * batch_size:
                eq = "BP3 and BP4"
                msg = (
                    f"{where}: {times}, and {batch_size} is the batch size m: the gradients were"
                    " summed over the batch instead of averaged → BP3 and BP4 (they need the 1/m)."
                )
            elif abs(factor + 1) < 1e-6:
                msg += f" In fact {times}: the sign is flipped."
            else:
                msg += f" In fact {times}."
        return Diagnosis(layer, eq, msg, factor)
    return None


def layer_table(table: pd.DataFrame) -> pd.DataFrame:
    """One row per layer: weights and biases pass or fail, the worst errors, and the
    equation a failure there points to (``"-"`` where the layer passes)."""
    rows = []
    for layer, t in table.groupby("layer", sort=True):
        ok = t.set_index("param")["passed"]
        w_ok, b_ok = bool(ok.get("w", True)), bool(ok.get("b", True))
        rows.append(
            {
                "layer": int(layer),
                "weights": "pass" if w_ok else "FAIL",
                "biases": "pass" if b_ok else "FAIL",
                "max_abs_error": float(t["max_abs_error"].max()),
                "max_rel_error": float(t["max_rel_error"].max()),
                "points to": "-"
                if w_ok and b_ok
                else suspect(int(layer), int(table["layer"].max()), w_ok, b_ok),
            }
        )
    return pd.DataFrame(rows)


def verdict_table(result: CheckResult) -> pd.DataFrame:
    """One row per failing layer and kind: its verdict, the ε that passes and the trail
    of ``ε: |a - n| / tolerance`` tried (above 1 fails)."""
    backprop = result.unexplained()
    L = result.n_layers
    rows = []
    for v in result.verdicts:
        ok = backprop[backprop["layer"] == v.layer].set_index("param")["passed"]
        verdict = v.describe()
        if not v.explained:
            eq = suspect(v.layer, L, bool(ok.get("w", True)), bool(ok.get("b", True)))
            verdict += f" → {eq}"
        rows.append({
            "layer": v.layer,
            "param": v.param,
            "verdict": verdict,
            "trail (ε: error / tolerance)": ", ".join(f"{e:.0e}: {r:.3g}" for e, r in v.trail),
        })  # fmt: skip
    return pd.DataFrame(rows)
