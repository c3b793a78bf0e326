"""The generated data sets and :func:`load`, the entry point for every built-in name.

2-D classification after TF Playground's ``dataset.ts`` (``circle``, ``xor``, ``gauss``,
``spiral``) plus ``moons``, and the regressions ``sine`` (1-D) and ``plane`` (2-D); each
generator returns raw points ``(d, n)`` and targets ``(n,)``. :func:`load` also hands the
scikit-learn tables to :mod:`.tables`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np

from ..limits import Limits, default_limits
from ..params import DATA, check
from .core import DEFAULT_SAMPLES, Array
from .dataset import Dataset
from .features import _check_features, _feature_matrix
from .prep import _cols, _one_hot, _split
from .tables import _load_table


def load(
    name: str,
    *,
    n_samples: int | None = None,
    noise: float = 0.0,
    test_fraction: float = 0.5,
    features: Sequence[str] = ("x1", "x2"),
    seed: int = 0,
    limits: Limits | None = None,
) -> Dataset:
    """The dataset ``name`` (a key of :data:`DATASETS`), split into train and test.

    ``n_samples``: points to generate (default 500) or, for tables, a cap on the rows used
    (default all). ``noise`` in ``[0, 1]`` (0.5 = TF Playground's "50"); ``features`` a
    subset of :data:`FEATURES` for 2-D data. ``noise`` and ``features`` do not affect the
    tables or ``sine``. The split is shuffled and, for classes, stratified.
    """
    info = check(DATA, "dataset", name)
    limits = limits or default_limits()
    if n_samples is None:
        n = None if info.kind == "table" else min(DEFAULT_SAMPLES, limits.max_samples)
    else:
        n = check(DATA, "n_samples", n_samples, limits=limits)
    noise = check(DATA, "noise", noise)
    test_fraction = check(DATA, "test_fraction", test_fraction)
    features = _check_features(features)
    seed = check(DATA, "seed", seed, limits=limits)
    rng = np.random.default_rng(seed)

    if info.kind == "table":
        return _load_table(name, n, test_fraction, rng)
    assert n is not None
    raw, target = _GENERATORS[name](rng, n, noise)
    if info.task == "classification":
        tr, te = _split(rng, n, test_fraction, target)
        Y = _one_hot(target, 2)
        class_names: tuple[str, ...] = ("class 0", "class 1")
    else:
        tr, te = _split(rng, n, test_fraction, None)
        Y = target.reshape(1, n)
        class_names = ()
    if info.kind == "1d":
        return Dataset(
            name=name,
            task=info.task,
            X_train=_cols(raw, tr),
            Y_train=_cols(Y, tr),
            X_test=_cols(raw, te),
            Y_test=_cols(Y, te),
            feature_names=("x",),
        )
    raw_train, raw_test = _cols(raw, tr), _cols(raw, te)
    return Dataset(
        name=name,
        task=info.task,
        X_train=_feature_matrix(raw_train, features),
        Y_train=_cols(Y, tr),
        X_test=_feature_matrix(raw_test, features),
        Y_test=_cols(Y, te),
        feature_names=features,
        class_names=class_names,
        raw_train=raw_train,
        raw_test=raw_test,
    )


def _circle(rng: np.random.Generator, n: int, noise: float) -> tuple[Array, Array]:
    """TF Playground's circle: radius < 2.5 (class 1) vs a ring 3.5..5; noisy labels."""
    radius = 5.0
    n1 = n // 2
    r = np.concatenate(
        [rng.uniform(0.0, radius * 0.5, n1), rng.uniform(radius * 0.7, radius, n - n1)]
    )
    angle = rng.uniform(0.0, 2 * np.pi, n)
    raw = np.vstack([r * np.sin(angle), r * np.cos(angle)])
    jitter = rng.uniform(-radius, radius, (2, n)) * noise
    label = np.hypot(*(raw + jitter)) < radius * 0.5
    return raw, label.astype(np.int64)


def _xor(rng: np.random.Generator, n: int, noise: float) -> tuple[Array, Array]:
    """TF Playground's xor: class 1 where ``x1 * x2 >= 0``; points kept 0.3 off the axes."""
    raw = rng.uniform(-5.0, 5.0, (2, n))
    raw += np.where(raw > 0, 0.3, -0.3)
    jitter = rng.uniform(-5.0, 5.0, (2, n)) * noise
    noisy = raw + jitter
    return raw, (noisy[0] * noisy[1] >= 0).astype(np.int64)


def _gauss(rng: np.random.Generator, n: int, noise: float) -> tuple[Array, Array]:
    """Two blobs at ``(2, 2)`` (class 1) and ``(-2, -2)``, variance ``0.5 + 7 * noise``."""
    std = math.sqrt(0.5 + 7.0 * noise)  # TF: variance 0.5 at noise 0, 4 at noise 0.5
    n1 = n // 2
    centre = np.concatenate([np.full(n1, 2.0), np.full(n - n1, -2.0)])
    raw = centre + std * rng.standard_normal((2, n))
    label = np.concatenate([np.ones(n1, np.int64), np.zeros(n - n1, np.int64)])
    return raw, label


def _spiral(rng: np.random.Generator, n: int, noise: float) -> tuple[Array, Array]:
    """Two spirals ``r = 5 i/k``, ``t = 3.5 pi i/k + delta`` (delta 0: class 1, pi: class 0)."""
    parts, labels = [], []
    for k, delta, label in ((n // 2, 0.0, 1), (n - n // 2, np.pi, 0)):
        s = np.arange(k) / k
        r = 5.0 * s
        t = 1.75 * 2 * np.pi * s + delta
        jitter = rng.uniform(-1.0, 1.0, (2, k)) * noise
        parts.append(np.vstack([r * np.sin(t), r * np.cos(t)]) + jitter)
        labels.append(np.full(k, label, np.int64))
    return np.hstack(parts), np.concatenate(labels)


def _moons(rng: np.random.Generator, n: int, noise: float) -> tuple[Array, Array]:
    """scikit-learn's two moons, scaled by 4 to about [-6, 6] x [-3, 3]; N(0, 0.4 noise) jitter."""
    n0 = n // 2
    t = rng.uniform(0.0, np.pi, n)
    upper = np.vstack([np.cos(t[:n0]), np.sin(t[:n0])])  # class 0
    lower = np.vstack([1.0 - np.cos(t[n0:]), 0.5 - np.sin(t[n0:])])  # class 1
    raw = np.hstack([upper, lower]) + 0.4 * noise * rng.standard_normal((2, n))
    raw = 4.0 * (raw - np.array([[0.5], [0.25]]))
    label = np.concatenate([np.zeros(n0, np.int64), np.ones(n - n0, np.int64)])
    return raw, label


def _sine(rng: np.random.Generator, n: int, noise: float) -> tuple[Array, Array]:
    """``x`` in [-6, 6], ``y = 0.5 + 0.4 sin x + 0.1 noise U(-1, 1)`` (always in [0, 1])."""
    x = rng.uniform(-6.0, 6.0, n)
    y = 0.5 + 0.4 * np.sin(x) + 0.1 * noise * rng.uniform(-1.0, 1.0, n)
    return x.reshape(1, n), y


def _plane(rng: np.random.Generator, n: int, noise: float) -> tuple[Array, Array]:
    """TF Playground's plane, rescaled: ``y = 0.5 + (x1 + x2) / 24`` at a jittered point."""
    raw = rng.uniform(-6.0, 6.0, (2, n))
    noisy = raw + rng.uniform(-6.0, 6.0, (2, n)) * noise
    y = np.clip(0.5 + (noisy[0] + noisy[1]) / 24.0, 0.0, 1.0)
    return raw, y


_GENERATORS: dict[str, Callable[[np.random.Generator, int, float], tuple[Array, Array]]] = {
    "circle": _circle,
    "xor": _xor,
    "gauss": _gauss,
    "spiral": _spiral,
    "moons": _moons,
    "sine": _sine,
    "plane": _plane,
}
