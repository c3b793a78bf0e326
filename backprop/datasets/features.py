"""TF Playground's input features of a 2-D point ``(x1, x2)``: x1, x2, x1², x2², x1·x2,
sin x1, sin x2; the network sees the chosen ones as its ``(len(features), m)`` inputs."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from ..params import DATA, check
from .core import Array

_FEATURE_FNS: dict[str, Callable[[Array, Array], Array]] = {
    "x1": lambda x1, x2: x1,
    "x2": lambda x1, x2: x2,
    "x1^2": lambda x1, x2: x1 * x1,
    "x2^2": lambda x1, x2: x2 * x2,
    "x1*x2": lambda x1, x2: x1 * x2,
    "sin x1": lambda x1, x2: np.sin(x1),
    "sin x2": lambda x1, x2: np.sin(x2),
}
FEATURES = tuple(_FEATURE_FNS)


def _feature_matrix(raw: Array, features: Sequence[str]) -> Array:
    """``(len(features), m)`` inputs from raw ``(2, m)`` coordinates."""
    x1, x2 = raw[0], raw[1]
    return np.vstack([_FEATURE_FNS[f](x1, x2) for f in features]).astype(np.float64)


def _check_features(features: object) -> tuple[str, ...]:
    if isinstance(features, str) or not isinstance(features, Sequence):
        raise ValueError(
            f"features must be a list of feature names, got {features!r}; "
            f"valid choices: {', '.join(FEATURES)}"
        )
    out = tuple(features)
    if not out:
        raise ValueError(f"choose at least one feature; valid choices: {', '.join(FEATURES)}")
    for f in out:
        check(DATA, "feature", f)
    dupes = sorted({f for f in out if out.count(f) > 1})
    if dupes:
        raise ValueError(f"features are repeated: {', '.join(dupes)}")
    return out
