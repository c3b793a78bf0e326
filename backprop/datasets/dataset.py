"""The :class:`Dataset` every loader returns: a train/test split, samples as columns."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .core import Array
from .features import _feature_matrix


@dataclass(frozen=True, eq=False)
class Dataset:
    """A train/test split with samples as columns: ``X`` ``(n_in, m)``, ``Y`` ``(n_out, m)``.

    ``raw_train``/``raw_test`` hold the ``(2, m)`` coordinates of 2-D synthetic data (else
    None). ``target_range`` is the ``(min, max)`` a min-max scaled CSV target came from.
    ``notes`` say how a file was read (its delimiter and decimal mark), for the page.
    Arrays are float64, or float32 for data sets past ``EXACT_STORAGE_MB`` (the engine
    computes in float64 and casts each mini-batch).
    """

    name: str
    task: str
    X_train: Array
    Y_train: Array
    X_test: Array
    Y_test: Array
    feature_names: tuple[str, ...]
    class_names: tuple[str, ...] = ()
    X_val: Array | None = None
    Y_val: Array | None = None
    image_shape: tuple[int, int] | None = None
    raw_train: Array | None = None
    raw_test: Array | None = None
    target_range: tuple[float, float] | None = None
    notes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        pairs = [("train", self.X_train, self.Y_train), ("test", self.X_test, self.Y_test)]
        if self.X_val is not None or self.Y_val is not None:
            pairs.append(("val", self.X_val, self.Y_val))
        for split, X, Y in pairs:
            if X is None or Y is None or X.ndim != 2 or Y.ndim != 2:
                raise ValueError(f"X_{split} and Y_{split} must both be 2-D arrays")
            if X.shape[1] != Y.shape[1]:
                raise ValueError(
                    f"X_{split} has {X.shape[1]} columns but Y_{split} has {Y.shape[1]}"
                )

    @property
    def n_in(self) -> int:
        return int(self.X_train.shape[0])

    def arrays(self) -> list[Array]:
        """Every array the data set holds."""
        every = (self.X_train, self.Y_train, self.X_test, self.Y_test, self.X_val, self.Y_val)
        return [a for a in (*every, self.raw_train, self.raw_test) if a is not None]

    @property
    def nbytes(self) -> int:
        """Bytes of the arrays."""
        return sum(a.nbytes for a in self.arrays())

    @property
    def n_out(self) -> int:
        return int(self.Y_train.shape[0])

    @property
    def n_train(self) -> int:
        return int(self.X_train.shape[1])

    @property
    def n_test(self) -> int:
        return int(self.X_test.shape[1])

    @property
    def n_val(self) -> int:
        return 0 if self.X_val is None else int(self.X_val.shape[1])

    def features_of(self, raw: Array) -> Array:
        """Network inputs ``(n_in, m)`` for raw ``(2, m)`` points ``(x1, x2)``.

        For ``sine`` the raw points are ``(1, m)`` values of ``x`` and are returned as is.
        """
        is_sine = self.name == "sine" and self.feature_names == ("x",)
        if self.raw_train is None and not is_sine:
            raise ValueError(f"features_of applies to the synthetic datasets, not {self.name!r}")
        rows = 1 if is_sine else 2
        try:
            raw = np.asarray(raw, dtype=np.float64)
        except (TypeError, ValueError):
            raise ValueError("raw points must be a numeric array") from None
        if raw.ndim != 2 or raw.shape[0] != rows:
            raise ValueError(f"raw points must have shape ({rows}, m), got {raw.shape}")
        if is_sine:
            return raw.copy()
        return _feature_matrix(raw, self.feature_names)
