"""Preparing arrays: the shuffled (stratified) split, one-hot targets, standardised
features, min-max scaled regression targets and the storage dtype, all overflow-safe."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from .core import Array


def _split(
    rng: np.random.Generator, n: int, test_fraction: float, labels: Array | None
) -> tuple[Array, Array]:
    """Shuffled ``(train_idx, test_idx)``, stratified by ``labels``; both non-empty."""
    if labels is None:
        perm = rng.permutation(n)
        k = min(max(int(math.floor(n * test_fraction + 0.5)), 1), n - 1)
        return perm[k:], perm[:k]
    train, test = [], []
    for c in np.unique(labels):
        idx = rng.permutation(np.flatnonzero(labels == c))
        k = int(math.floor(len(idx) * test_fraction + 0.5))
        test.append(idx[:k])
        train.append(idx[k:])
    tr, te = np.concatenate(train), np.concatenate(test)
    if len(te) == 0:
        tr, te = tr[1:], tr[:1]
    elif len(tr) == 0:
        tr, te = te[:1], te[1:]
    return rng.permutation(tr), rng.permutation(te)


def _one_hot(labels: Array, n_classes: int, dtype: type = np.float64) -> Array:
    """``(n_classes, m)`` with a single 1 per column."""
    Y = np.zeros((n_classes, len(labels)), dtype)
    Y[labels, np.arange(len(labels))] = 1.0
    return Y


def _cols(A: Array, idx: Array) -> Array:
    return np.ascontiguousarray(A[:, idx], dtype=np.float64)


def _standardise(
    X_train: Array, X_test: Array, names: Sequence[str] | None = None
) -> tuple[Array, Array]:
    """Rows scaled in place to zero mean, unit std over the training columns (constant rows:
    std 1); returns them.

    Each row is first multiplied by the power of two that brings its largest training |x|
    into [0.5, 1): exact, so ordinary data gives the same bits as without it, while +-1e308
    or a variance past 1e308 (values up to 3.9e201) no longer overflow. ValueError naming
    the feature and its range if a test value still lands beyond float64."""
    top = np.maximum(np.abs(X_train.max(axis=1)), np.abs(X_train.min(axis=1)))[:, None]
    _, e = np.frexp(top)
    lo = np.minimum(X_train.min(axis=1), X_test.min(axis=1, initial=np.inf))
    hi = np.maximum(X_train.max(axis=1), X_test.max(axis=1, initial=-np.inf))
    with np.errstate(over="ignore", invalid="ignore"):
        for X in (X_train, X_test):
            np.ldexp(X, -e, out=X)
        mean = X_train.mean(axis=1, keepdims=True)
        std = X_train.std(axis=1, keepdims=True)
        std[std == 0] = 1.0
        for X in (X_train, X_test):
            X -= mean
            X /= std
        spread = X_test.max(axis=1, initial=0.0) - X_test.min(axis=1, initial=0.0)
    bad = np.flatnonzero(~np.isfinite(spread))
    if bad.size:
        i = int(bad[0])
        name = names[i] if names is not None else f"feature {i}"
        raise ValueError(
            f"column {name!r} spans {lo[i]:.3g} to {hi[i]:.3g}: its test values lie too many "
            "standard deviations from the training mean for float64; rescale or remove it"
        )
    return X_train, X_test


def _to_storage(X: Array, dtype: type, names: Sequence[str], what: str) -> Array:
    """Standardised rows-as-samples ``X`` in the storage ``dtype`` (ValueError naming a
    feature whose values float32 cannot hold)."""
    if dtype == np.float64:
        return X
    top = np.finfo(np.float32).max
    over = np.flatnonzero((X.max(axis=0) > top) | (X.min(axis=0) < -top))
    if over.size:
        raise ValueError(
            f"{what}: feature {names[over[0]]!r} has test values beyond float32 range after "
            "standardising (an outlier far outside the training values); remove it"
        )
    return X.astype(dtype)


def _min_max(v: Array, k: int, target: str, what: str) -> tuple[Array, tuple[float, float]]:
    """``v`` min-max scaled by its first ``k`` (training) values, and their ``(min, max)``.

    The values are first scaled by a power of two (exact), so a range such as +-1.7e308,
    whose width overflows float64, scales too; ValueError naming ``target`` if a test value
    still overflows."""
    lo, hi = float(v[:k].min()), float(v[:k].max())
    _, e = np.frexp(max(abs(lo), abs(hi)))
    with np.errstate(over="ignore", invalid="ignore"):
        vs, los, his = np.ldexp(v, -e), math.ldexp(lo, -int(e)), math.ldexp(hi, -int(e))
        scale = his - los if his > los else 1.0
        out = (vs - los) / scale
    if not np.all(np.isfinite(out)):
        raise ValueError(
            f"{what}: target column {target!r} has test values too far outside the training "
            f"range {lo:.3g} to {hi:.3g} to scale"
        )
    return out, (lo, hi)
