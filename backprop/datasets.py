"""Datasets for the explorer, all in the book's convention: samples are columns.

Every loader returns a :class:`Dataset` whose ``X_*`` are ``(n_in, m)`` float64 arrays and
``Y_*`` are ``(n_out, m)``: one-hot (one row per class) for classification, ``(1, m)`` for
regression. Randomness comes only from ``np.random.default_rng(seed)``, so the same seed
gives bit-identical arrays.

- 2-D classification (``circle``, ``xor``, ``gauss``, ``spiral`` after TensorFlow
  Playground's ``dataset.ts``, plus ``moons``): points in about ``[-6, 6]^2``. ``noise`` is
  in ``[0, 1]`` on TF Playground's scale divided by 100, so ``noise=0.5`` is its slider at
  "50" (the slider's maximum). Class 1 is TF Playground's positive label (inside the
  circle, same-sign quadrants, the blob at ``(2, 2)``, the spiral starting upward, the
  lower moon). The network sees the chosen ``features`` of the raw ``(x1, x2)``, which are
  kept in ``raw_train`` / ``raw_test`` (unscaled, like TF Playground).
- Regression: ``sine`` is 1-D, ``x`` uniform in ``[-6, 6]`` and
  ``y = 0.5 + 0.4 sin x + 0.1 * noise * U(-1, 1)``; ``plane`` is 2-D, ``(x1, x2)`` uniform
  in ``[-6, 6]^2`` and ``y = 0.5 + (x1 + x2) / 24`` evaluated at a point jittered by
  ``noise * U(-6, 6)`` (TF Playground's recipe), clipped to ``[0, 1]``. Targets always lie
  in ``[0, 1]``, so a sigmoid output (the book's network) can fit them.
- Tables: scikit-learn's bundled ``digits`` (pixels scaled to ``[0, 1]``, 8x8 images),
  ``iris``, ``wine`` and ``breast_cancer`` (features standardised with the training
  mean and standard deviation). Nothing is downloaded.
- :func:`load_mnist` reads MNIST from IDX files or a Keras-style ``mnist.npz`` into
  Nielsen's 50k / 10k / 10k train / validation / test split.
- :func:`load_csv` reads a user's CSV table with pandas, with specific error messages.
"""

from __future__ import annotations

import csv
import gzip
import importlib.util
import io
import math
import os
import re
import struct
import warnings
import zlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .limits import Limits, default_limits
from .params import DATA, check
from .untrusted import load_npz

Array = np.ndarray

CLASSIFICATION_2D = ("circle", "xor", "gauss", "spiral", "moons")
REGRESSION = ("sine", "plane")
TABLES = ("digits", "iris", "wine", "breast_cancer")

DEFAULT_SAMPLES = 500  # synthetic datasets when n_samples is omitted
MIN_CSV_ROWS = 4
MAX_CLASS_VALUES = 20  # an integer-valued CSV target with at most this many values is a class
EXACT_STORAGE_MB = 16  # data sets whose float64 arrays would be larger are stored as float32

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


@dataclass(frozen=True)
class DatasetInfo:
    """What a name in :data:`DATASETS` is: its task, kind (``2d``/``1d``/``table``), blurb."""

    name: str
    task: str
    kind: str
    description: str


DATASETS: dict[str, DatasetInfo] = {
    info.name: info
    for info in (
        DatasetInfo("circle", "classification", "2d", "a disc inside a ring"),
        DatasetInfo("xor", "classification", "2d", "opposite quadrants share a class"),
        DatasetInfo("gauss", "classification", "2d", "two Gaussian blobs"),
        DatasetInfo("spiral", "classification", "2d", "two interleaved spirals"),
        DatasetInfo("moons", "classification", "2d", "two interleaving half circles"),
        DatasetInfo("sine", "regression", "1d", "y = 0.5 + 0.4 sin x on [-6, 6]"),
        DatasetInfo("plane", "regression", "2d", "y = 0.5 + (x1 + x2) / 24 on [-6, 6]^2"),
        DatasetInfo("digits", "classification", "table", "8x8 handwritten digits (1797)"),
        DatasetInfo("iris", "classification", "table", "iris flowers, 4 measurements (150)"),
        DatasetInfo("wine", "classification", "table", "wine cultivars, 13 measurements (178)"),
        DatasetInfo(
            "breast_cancer", "classification", "table", "tumour diagnosis, 30 features (569)"
        ),
    )
}


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


# ===================================================================== synthetic data
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


# ============================================================================ tables
_BC = ("radius", "texture", "perimeter", "area", "smoothness", "compactness", "concavity",
       "concave points", "symmetry", "fractal dimension")  # fmt: skip
TABLE_FEATURES = {
    "iris": tuple(f"{p} {d} (cm)" for p in ("sepal", "petal") for d in ("length", "width")),
    "wine": (
        "alcohol",
        "malic_acid",
        "ash",
        "alcalinity_of_ash",
        "magnesium",
        "total_phenols",
        "flavanoids",
        "nonflavanoid_phenols",
        "proanthocyanins",
        "color_intensity",
        "hue",
        "od280/od315_of_diluted_wines",
        "proline",
    ),  # fmt: skip
    "breast_cancer": tuple(f"mean {f}" for f in _BC)
    + tuple(f"{f} error" for f in _BC)
    + tuple(f"worst {f}" for f in _BC),
}
TABLE_FILES = {
    "digits": "digits.csv.gz",
    "iris": "iris.csv",
    "wine": "wine_data.csv",
    "breast_cancer": "breast_cancer.csv",
}


def read_table(name: str) -> tuple[Array, Array, tuple[str, ...], tuple[str, ...]]:
    """``(X, y, feature_names, class_names)`` of scikit-learn's bundled table ``name``,
    read from its data file (rows are samples; the target is the last column) without
    importing scikit-learn, which would cost the server ~65 MB and its own BLAS threads."""
    spec = importlib.util.find_spec("sklearn")  # locates the package, runs none of it
    if spec is None or not spec.submodule_search_locations:
        raise ValueError(f"data set {name!r} needs scikit-learn installed (its data files)")
    path = Path(spec.submodule_search_locations[0]) / "datasets" / "data" / TABLE_FILES[name]
    with gzip.open(path, "rt") if path.suffix == ".gz" else path.open() as f:
        header = None if name == "digits" else f.readline().strip().split(",")
        data = np.loadtxt(f, delimiter=",", dtype=np.float64, ndmin=2)
    X, y = data[:, :-1], data[:, -1].astype(np.int64)
    if header is None:  # digits: 8x8 images, classes 0..9
        return X, y, tuple(f"pixel {i}" for i in range(X.shape[1])), tuple(map(str, range(10)))
    return X, y, TABLE_FEATURES[name], tuple(header[2:])


def _load_table(
    name: str, n: int | None, test_fraction: float, rng: np.random.Generator
) -> Dataset:
    X, y, feature_names, class_names = read_table(name)
    n_classes = len(class_names)
    if n is not None and n < len(y):
        keep = rng.permutation(len(y))[:n]
        X, y = X[keep], y[keep]
    tr, te = _split(rng, len(y), test_fraction, y)
    X_train, X_test = X[tr].T.copy(), X[te].T.copy()
    image_shape = None
    if name == "digits":
        X_train /= 16.0
        X_test /= 16.0
        image_shape = (8, 8)
    else:
        X_train, X_test = _standardise(X_train, X_test)
    Y = _one_hot(y, n_classes)
    return Dataset(
        name=name,
        task="classification",
        X_train=X_train,
        Y_train=_cols(Y, tr),
        X_test=X_test,
        Y_test=_cols(Y, te),
        feature_names=feature_names,
        class_names=class_names,
        image_shape=image_shape,
    )


# ============================================================================= MNIST
MNIST_FILES = (
    "train-images-idx3-ubyte",
    "train-labels-idx1-ubyte",
    "t10k-images-idx3-ubyte",
    "t10k-labels-idx1-ubyte",
)
MNIST_NPZ_KEYS = ("x_train", "y_train", "x_test", "y_test")
MNIST_VALIDATION = 10_000  # Nielsen: the last 10k of the 60k training images
_IMAGE = (28, 28)
MNIST_NPZ_MEMBERS = 16  # a Keras mnist.npz holds 4


class MnistFileError(ValueError):
    """MNIST files that cannot be used: missing, corrupt, mismatched or too big."""


def mnist_folder() -> Path | None:
    """The data folder a local user set with ``BACKPROP_DATA_DIR``, if it is a folder."""
    raw = os.environ.get("BACKPROP_DATA_DIR", "").strip()
    if not raw:
        return None
    path = Path(raw).expanduser()
    return path if path.is_dir() else None


def load_mnist(source: Any, *, limits: Limits | None = None) -> Dataset:
    """MNIST in Nielsen's split: 50k train, 10k validation (``X_val``), 10k test.

    ``source`` is (a) a local folder with the four IDX files of :data:`MNIST_FILES`
    (each may end in ``.gz``; a folder with only ``mnist.npz`` also works), (b) a dict
    mapping those four names to binary file-like objects or bytes (gzipped or not), or
    (c) a Keras-style ``.npz`` (path, file-like or bytes) with keys ``x_train``,
    ``y_train``, ``x_test``, ``y_test``. Pixels become ``[0, 1]`` ``(784, m)``, labels
    one-hot ``(10, m)``: float64, or float32 past ``EXACT_STORAGE_MB`` (full MNIST: 212 MB).
    With fewer than 60000 training images the last sixth (``n // 6``) is the validation
    set. Nothing is ever downloaded. Any problem with the files raises
    :class:`MnistFileError` (a ``ValueError``) saying what is wrong.
    """
    try:
        return _load_mnist(source, limits or default_limits())
    except MnistFileError:
        raise
    except ValueError as e:
        raise MnistFileError(str(e)) from None


def _load_mnist(source: Any, limits: Limits) -> Dataset:
    if isinstance(source, Mapping):
        files = _mnist_upload_dict(source, limits)
        return _mnist_from_idx(files, limits)
    if isinstance(source, (str, os.PathLike)):
        path = Path(source).expanduser()
        if path.is_dir():
            return _mnist_from_folder(path, limits)
        if path.is_file():
            data = _read_path(path, "MNIST file", _npz_bound(limits))
            return _mnist_from_npz(data, path.name, limits)
        raise ValueError(f"MNIST source {str(path)!r} is neither a folder nor a file")
    if isinstance(source, (bytes, bytearray, memoryview)) or hasattr(source, "read"):
        name = _name_of(source, "MNIST upload")
        data = _read_bytes(source, name, limits.max_upload_mb * 2**20, limit_is_upload=True)
        if not isinstance(data, bytes):
            raise ValueError(f"{name}: open the file in binary mode")
        return _mnist_from_npz(data, name, limits)
    raise ValueError(
        "MNIST source must be a folder, a dict of the four IDX files or an .npz file, "
        f"got {type(source).__name__}"
    )


def _idx_bound(limits: Limits) -> int:
    """Largest IDX file (decompressed) we accept: a header plus max_samples images."""
    return 16 + limits.max_samples * _IMAGE[0] * _IMAGE[1]


def _npz_bound(limits: Limits) -> int:
    """Largest mnist.npz (uncompressed members) we accept: uint8 images, int64 labels."""
    return limits.max_samples * (_IMAGE[0] * _IMAGE[1] + 8) + 2**20


def _mnist_key(name: str) -> str:
    key = str(name).strip().lower().replace("\\", "/").rsplit("/", 1)[-1]
    key = key.removesuffix(".gz")
    return key.replace(".idx", "-idx")


def _mnist_upload_dict(source: Mapping, limits: Limits) -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    for key, value in source.items():
        base = _mnist_key(key)
        if base not in MNIST_FILES:
            raise ValueError(
                f"unexpected MNIST file {key!r}; expected: {', '.join(MNIST_FILES)} (or .gz)"
            )
        data = _read_bytes(value, str(key), limits.max_upload_mb * 2**20, limit_is_upload=True)
        if not isinstance(data, bytes):
            raise ValueError(f"{key}: open the file in binary mode")
        files[base] = data
    missing = [f for f in MNIST_FILES if f not in files]
    if missing:
        raise ValueError(f"MNIST files missing: {', '.join(missing)}")
    return files


def _mnist_from_folder(folder: Path, limits: Limits) -> Dataset:
    files: dict[str, bytes] = {}
    missing = []
    for base in MNIST_FILES:
        alt = base.replace("-idx", ".idx")
        found = next(
            (folder / c for c in (base, base + ".gz", alt, alt + ".gz") if (folder / c).is_file()),
            None,
        )
        if found is None:
            missing.append(base + "[.gz]")
        else:
            files[base] = _read_path(found, found.name, _idx_bound(limits) + 2**20)
    if missing and len(missing) == len(MNIST_FILES) and (folder / "mnist.npz").is_file():
        data = _read_path(folder / "mnist.npz", "mnist.npz", _npz_bound(limits))
        return _mnist_from_npz(data, "mnist.npz", limits)
    if missing:
        raise ValueError(f"MNIST folder {str(folder)!r} is missing: {', '.join(missing)}")
    return _mnist_from_idx(files, limits)


def _gunzip(data: bytes, name: str, bound: int) -> bytes:
    """``data`` decompressed if it starts with the gzip magic 1f 8b (at most ``bound`` bytes)."""
    if data[:2] != b"\x1f\x8b":
        return data
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as gz:
            out = gz.read(bound + 1)
    except (OSError, EOFError, zlib.error) as e:
        raise ValueError(f"{name}: not a valid gzip file ({e})") from None
    if len(out) > bound:
        raise ValueError(f"{name}: decompresses to more than {bound} bytes, over the limit")
    return out


def _parse_idx(data: bytes, name: str, ndim: int, limits: Limits) -> Array:
    """An IDX array of unsigned bytes with ``ndim`` dimensions, checked thoroughly."""
    data = _gunzip(data, name, _idx_bound(limits))
    if len(data) < 4:
        raise ValueError(f"{name}: truncated, only {len(data)} bytes (no IDX header)")
    if data[0] != 0 or data[1] != 0:
        raise ValueError(
            f"{name}: wrong magic number 0x{data[:4].hex()} (expected 0x000008{ndim:02x});"
            " not an IDX file"
        )
    if data[2] != 0x08:
        raise ValueError(f"{name}: IDX data type code 0x{data[2]:02x} is not 0x08 (unsigned byte)")
    if data[3] != ndim:
        kind = "images" if ndim == 3 else "labels"
        raise ValueError(
            f"{name}: wrong magic number 0x{data[:4].hex()}: {data[3]} dimensions, "
            f"expected {ndim} for {kind} (0x000008{ndim:02x})"
        )
    header = 4 + 4 * ndim
    if len(data) < header:
        raise ValueError(f"{name}: truncated IDX header ({len(data)} of {header} bytes)")
    dims = struct.unpack(f">{ndim}I", data[4:header])
    if dims[0] > limits.max_samples:
        raise ValueError(f"{name}: {dims[0]} items is over the limit of {limits.max_samples}")
    if ndim == 3 and tuple(dims[1:]) != _IMAGE:
        raise ValueError(f"{name}: images are {dims[1]}x{dims[2]}, expected 28x28")
    expected = math.prod(dims)
    body = len(data) - header
    if body < expected:
        raise ValueError(
            f"{name}: truncated, header promises {expected} data bytes but only {body} follow"
        )
    if body > expected:
        raise ValueError(f"{name}: {body - expected} unexpected bytes after the data")
    return np.frombuffer(data, dtype=np.uint8, count=expected, offset=header).reshape(dims)


def _mnist_from_idx(files: Mapping[str, bytes], limits: Limits) -> Dataset:
    arrays = {}
    for base in MNIST_FILES:
        arrays[base] = _parse_idx(files[base], base, 3 if "images" in base else 1, limits)
    parts = []
    for split in ("train", "t10k"):
        images = arrays[f"{split}-images-idx3-ubyte"]
        labels = arrays[f"{split}-labels-idx1-ubyte"]
        if len(images) != len(labels):
            raise ValueError(
                f"{split}-images-idx3-ubyte has {len(images)} images but "
                f"{split}-labels-idx1-ubyte has {len(labels)} labels"
            )
        parts += [images, labels]
    return _mnist_dataset(*parts, names=MNIST_FILES, limits=limits)


def _mnist_from_npz(data: bytes, name: str, limits: Limits) -> Dataset:
    if data[:4] != b"PK\x03\x04":
        idx_like = data[:2] in (b"\x1f\x8b", b"\x00\x00")
        hint = " (for IDX files pass a dict of the four files)" if idx_like else ""
        raise MnistFileError(f"{name}: not an .npz file{hint}")

    def check(key: str, shape: tuple[int, ...], dtype: np.dtype) -> None:
        if key in MNIST_NPZ_KEYS and shape and shape[0] > limits.max_samples:
            raise MnistFileError(
                f"{key} has {shape[0]:,} items, over the limit of {limits.max_samples:,} samples"
            )

    try:
        arrays = load_npz(
            data,
            max_bytes=_npz_bound(limits),
            max_members=MNIST_NPZ_MEMBERS,
            error=MnistFileError,
            check=check,
            bound="the MNIST limit",
        )
    except MnistFileError as e:
        raise MnistFileError(f"{name}: {e}") from None
    missing = [k for k in MNIST_NPZ_KEYS if k not in arrays]
    if missing:
        raise MnistFileError(
            f"{name}: missing arrays {', '.join(missing)}; "
            f"expected keys {', '.join(MNIST_NPZ_KEYS)}"
        )
    parts = []
    for xk, yk in (("x_train", "y_train"), ("x_test", "y_test")):
        x, y = arrays[xk], arrays[yk]
        if not np.issubdtype(x.dtype, np.integer):
            raise ValueError(f"{name}: {xk} must hold integer pixels 0-255, got dtype {x.dtype}")
        if x.ndim == 2 and x.shape[1] == 784:
            x = x.reshape(-1, *_IMAGE)
        if x.ndim != 3 or x.shape[1:] != _IMAGE:
            raise ValueError(f"{name}: {xk} has shape {x.shape}, expected (n, 28, 28)")
        if x.size and (x.min() < 0 or x.max() > 255):
            raise ValueError(f"{name}: {xk} has pixel values outside 0-255")
        if y.ndim != 1 or not np.issubdtype(y.dtype, np.integer):
            raise ValueError(
                f"{name}: {yk} must be a 1-D array of integer labels, "
                f"got shape {y.shape} dtype {y.dtype}"
            )
        if len(x) != len(y):
            raise ValueError(f"{name}: {xk} has {len(x)} images but {yk} has {len(y)} labels")
        parts += [x.astype(np.uint8, copy=False), y]
    return _mnist_dataset(*parts, names=MNIST_NPZ_KEYS, limits=limits)


def _mnist_dataset(
    x_train: Array,
    y_train: Array,
    x_test: Array,
    y_test: Array,
    *,
    names: Sequence[str],
    limits: Limits,
) -> Dataset:
    for y, label_name in ((y_train, names[1]), (y_test, names[3])):
        bad = (y < 0) | (y > 9)
        if bad.any():
            raise ValueError(
                f"{label_name}: {int(bad.sum())} labels outside 0-9 (e.g. {int(y[bad][0])})"
            )
    n, n_test = len(x_train), len(x_test)
    if n < 6:
        raise ValueError(f"{names[0]}: need at least 6 training images, got {n}")
    if n_test < 1:
        raise ValueError(f"{names[2]}: the test set is empty")
    if n + n_test > limits.max_samples:
        raise ValueError(
            f"MNIST has {n + n_test} images, over the limit of {limits.max_samples} samples"
        )
    n_val = min(MNIST_VALIDATION, n // 6)
    n_train = n - n_val
    dtype = check_memory("MNIST", n + n_test, math.prod(_IMAGE), 10, limits)
    X, Xt = _pixels(x_train, dtype), _pixels(x_test, dtype)
    Y = _one_hot(y_train.astype(np.int64), 10, dtype)
    Yt = _one_hot(y_test.astype(np.int64), 10, dtype)
    return Dataset(
        name="mnist",
        task="classification",
        X_train=X[:, :n_train],
        Y_train=Y[:, :n_train],
        X_test=Xt,
        Y_test=Yt,
        feature_names=tuple(f"pixel {i}" for i in range(X.shape[0])),
        class_names=tuple(str(d) for d in range(10)),
        X_val=X[:, n_train:],
        Y_val=Y[:, n_train:],
        image_shape=_IMAGE,
    )


def _pixels(images: Array, dtype: type = np.float64) -> Array:
    """``(784, m)`` in [0, 1]; Fortran order so each sample (column) is contiguous."""
    X = images.reshape(len(images), -1).astype(dtype)
    X /= 255.0
    return X.T


# =============================================================================== CSV
def load_csv(
    file: Any,
    target: str | None = None,
    *,
    test_fraction: float = 0.2,
    seed: int = 0,
    limits: Limits | None = None,
) -> Dataset:
    """A numeric CSV table (path, file-like of bytes or text, or bytes) as a Dataset.

    The delimiter (comma, semicolon, tab or pipe) and the decimal mark (point, or comma
    when the delimiter is not a comma) are detected from the first lines and said in
    ``notes``. ``target`` names the label column (default: the last). The task is
    classification if the target is non-numeric, or integer-valued with at most 20
    distinct values (classes sorted; ``class_names`` are their labels); otherwise
    regression, with targets min-max scaled to [0, 1] by the training rows
    (``target_range`` keeps the original min, max). Features are standardised with the
    training mean and standard deviation. The arrays must fit ``limits.session_memory_mb``.
    """
    limits = limits or default_limits()
    test_fraction = check(DATA, "test_fraction", test_fraction)
    seed = check(DATA, "seed", seed, limits=limits)
    name = _name_of(file, "uploaded CSV")
    if isinstance(file, (str, os.PathLike)):
        raw = _read_path(Path(file).expanduser(), name, limits.max_upload_mb * 2**20, True)
    else:
        raw = _read_bytes(file, name, limits.max_upload_mb * 2**20, limit_is_upload=True)
    text = _decode_text(raw, name)
    del raw
    if not text.strip():
        raise ValueError(f"{name}: the file is empty")
    fmt = sniff_csv(text)
    n_lines = text.count("\n") + 1
    check_memory(name, min(n_lines, limits.max_samples), fmt.fields - 1, 1, limits)
    df = _read_frame(text, fmt, name, limits)
    del text
    columns = list(df.columns)
    if target is None:
        target = columns[-1]
    elif not isinstance(target, str) or target not in columns:
        raise ValueError(f"target column {target!r} not in {name}; columns: {', '.join(columns)}")
    feature_cols = [c for c in columns if c != target]
    _check_cells(df, name)
    _check_features_numeric(df, feature_cols, name, limits)
    y = df[target].copy()
    n = len(df)
    rng = np.random.default_rng(seed)
    labels, class_names = _csv_classes(y, target, name, limits)
    tr, te = _split(rng, n, test_fraction, labels)
    dtype = check_memory(name, n, len(feature_cols), max(len(class_names), 1), limits)
    X = df[feature_cols].to_numpy(dtype=np.float64)
    del df
    order, k = np.concatenate([tr, te]), len(tr)
    X = X[order]  # rows: the training samples, then the test samples
    _standardise(X[:k].T, X[k:].T, feature_cols)
    X = _to_storage(X, dtype, feature_cols, name)
    if labels is not None:
        Y = _one_hot(labels[order], len(class_names), dtype).T.copy()  # rows are samples
        task, target_range = "classification", None
    else:
        Y, target_range = _min_max(y.to_numpy(dtype=np.float64)[order], k, target, name)
        Y = Y.astype(dtype).reshape(-1, 1)
        task = "regression"
    return Dataset(
        name=name,
        task=task,
        X_train=X[:k].T,  # (n_in, m) views with each sample's column contiguous
        Y_train=Y[:k].T,
        X_test=X[k:].T,
        Y_test=Y[k:].T,
        feature_names=tuple(feature_cols),
        class_names=class_names,
        target_range=target_range,
        notes=(f"Read as {fmt.describe()}.",),
    )


@dataclass(frozen=True)
class CsvFormat:
    """How a CSV was read: its ``delimiter``, ``decimal`` mark and header ``fields``."""

    delimiter: str
    decimal: str
    fields: int

    def describe(self) -> str:
        mark = "comma" if self.decimal == "," else "point"
        return f"{CSV_DELIMITERS[self.delimiter]}-separated, decimal {mark}"


CSV_DELIMITERS = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}
SNIFF_LINES = 50
_NUMBER = r"\s*[+-]?(?:\d+(?:{0}\d*)?|{0}\d+)(?:[eE][+-]?\d+)?\s*"
_DOT_NUMBER = re.compile(_NUMBER.format(r"\.") + "$")
_COMMA_NUMBER = re.compile(_NUMBER.format(",") + "$")


def sniff_csv(text: str) -> CsvFormat:
    """The delimiter that splits the first lines of ``text`` into the same number (>= 2) of
    fields, the one whose cells read as numbers breaking ties; comma if none does. Then a
    decimal comma if the delimiter is not a comma and numbers use commas but never points.
    """
    f = io.StringIO(text)
    lines = [ln for ln in (f.readline() for _ in range(SNIFF_LINES)) if ln.strip()]
    best, best_score, best_cells = ",", None, []
    for d in CSV_DELIMITERS:
        rows = list(csv.reader(lines, delimiter=d))
        h = len(rows[0]) if rows else 0
        if h < 2:
            continue
        cells = [c for r in rows[1:] for c in r]
        numeric = sum(bool(_DOT_NUMBER.match(c) or _COMMA_NUMBER.match(c)) for c in cells)
        agree = sum(len(r) == h for r in rows)
        score = (agree == len(rows), numeric, agree, h)
        if best_score is None or score > best_score:
            best, best_score, best_cells = d, score, cells
    points = any("." in c and _DOT_NUMBER.match(c) for c in best_cells)
    commas = any("," in c and _COMMA_NUMBER.match(c) for c in best_cells)
    decimal = "," if best != "," and commas and not points else "."
    fields = len(next(csv.reader(lines[:1], delimiter=best), [])) if lines else 0
    return CsvFormat(best, decimal, max(fields, 1))


def _read_frame(text: str, fmt: CsvFormat, name: str, limits: Limits) -> Any:
    """The table as a pandas DataFrame with string column names, rows checked."""
    import pandas as pd

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", pd.errors.ParserWarning)
            df = pd.read_csv(
                io.StringIO(text),
                sep=fmt.delimiter,
                decimal=fmt.decimal,
                index_col=False,
                nrows=limits.max_samples + 1,
            )
    except pd.errors.EmptyDataError:
        raise ValueError(f"{name}: the file is empty (no columns)") from None
    except (pd.errors.ParserError, pd.errors.ParserWarning) as e:
        msg = str(e).strip().replace("Error tokenizing data. C error: ", "")
        how = fmt.describe()
        raise ValueError(
            f"{name}: malformed CSV (read as {how}), rows have different lengths ({msg})"
        ) from None
    df.columns = [str(c) for c in df.columns]
    columns = list(df.columns)
    if len(df) == 0:
        raise ValueError(f"{name}: has a header ({', '.join(columns)}) but no data rows")
    if len(df) > limits.max_samples:
        raise ValueError(f"{name}: more than {limits.max_samples} rows, over the limit")
    if len(df) < MIN_CSV_ROWS:
        raise ValueError(
            f"{name}: only {len(df)} data rows; need at least {MIN_CSV_ROWS} "
            f"(read as {fmt.describe()})"
        )
    if len(columns) < 2:
        raise ValueError(
            f"{name}: needs a target and at least one feature column, found only "
            f"{columns[0]!r} (read as comma-separated: no comma, semicolon, tab or pipe "
            "splits the header)"
        )
    return df


def _check_features_numeric(df: Any, feature_cols: list[str], name: str, limits: Limits) -> None:
    import pandas as pd

    bad = [c for c in feature_cols if not pd.api.types.is_numeric_dtype(df[c])]
    if bad:
        raise ValueError(
            f"{name}: feature columns are not numeric: {', '.join(map(repr, bad))}; "
            "encode them as numbers or remove them"
        )
    if len(feature_cols) > limits.max_inputs:
        raise ValueError(
            f"{name}: {len(feature_cols)} feature columns is over the limit of {limits.max_inputs}"
        )


def check_memory(what: str, n: int, n_in: int, n_out: int, limits: Limits) -> type:
    """The dtype that ``n`` samples of ``n_in`` inputs and ``n_out`` outputs are stored in
    (float32 past ``EXACT_STORAGE_MB``), or ValueError if they would exceed the session's
    data budget ``limits.session_memory_mb``. Call it before allocating them."""
    cells = n * (n_in + n_out)
    dtype = np.float64 if cells * 8 <= EXACT_STORAGE_MB * 2**20 else np.float32
    need = cells * np.dtype(dtype).itemsize
    if need > limits.session_memory_mb * 2**20:
        raise ValueError(
            f"{what}: {n:,} samples of {n_in:,} inputs and {n_out:,} outputs take "
            f"{need / 2**20:,.0f} MB as {np.dtype(dtype).name}, over this session's data budget "
            f"of {limits.session_memory_mb:,} MB (BACKPROP_SESSION_MEMORY_MB)"
        )
    return dtype


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


def _decode_text(raw: bytes | str, name: str) -> str:
    if isinstance(raw, str):
        if "\x00" in raw:
            raise ValueError(f"{name}: contains NUL characters; it looks binary, not a CSV")
        return raw
    if b"\x00" in raw:
        raise ValueError(
            f"{name}: contains NUL bytes; it looks like a binary file (or UTF-16 text), "
            "not a UTF-8 CSV"
        )
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise ValueError(
            f"{name}: not UTF-8 text (undecodable byte 0x{raw[e.start]:02x} at position "
            f"{e.start}); save it as CSV UTF-8"
        ) from None


def _check_cells(df: Any, name: str) -> None:
    """ValueError naming each column with missing (NaN/empty) or infinite cells."""
    problems = []
    for c in df.columns:
        col = df[c]
        n_missing = int(col.isna().sum())
        n_inf = 0
        if col.dtype.kind == "f":
            n_inf = int(np.isinf(col.to_numpy()).sum())
        if n_missing or n_inf:
            what = [
                f"{n_missing} missing" if n_missing else "",
                f"{n_inf} infinite" if n_inf else "",
            ]
            problems.append(f"{c!r} ({', '.join(w for w in what if w)})")
    if problems:
        raise ValueError(
            f"{name}: missing or non-finite cells in columns {'; '.join(problems)}; "
            "fill or remove those rows"
        )


def _csv_classes(
    y: Any, target: str, name: str, limits: Limits
) -> tuple[Array | None, tuple[str, ...]]:
    """``(labels, class_names)`` if the target is categorical, else ``(None, ())``."""
    import pandas as pd

    numeric = pd.api.types.is_numeric_dtype(y) and not pd.api.types.is_bool_dtype(y)
    if numeric:
        v = y.to_numpy(dtype=np.float64)
        values = np.unique(v)
        if len(values) < 2:
            raise ValueError(
                f"{name}: target column {target!r} has a single value {values[0]:g}; "
                "need at least 2 classes or distinct values"
            )
        if not (np.all(values == np.round(values)) and len(values) <= MAX_CLASS_VALUES):
            return None, ()
        labels = np.searchsorted(values, v)
        names = tuple(str(int(c)) for c in values)
    else:
        s = y.astype(str).to_numpy()
        values, labels = np.unique(s, return_inverse=True)
        names = tuple(str(c) for c in values)
        if len(values) < 2:
            raise ValueError(
                f"{name}: target column {target!r} has one class only ({names[0]!r}); "
                "need at least 2"
            )
    if len(names) > limits.max_outputs:
        raise ValueError(
            f"{name}: target column {target!r} has {len(names)} classes, over the limit "
            f"of {limits.max_outputs}"
        )
    return np.asarray(labels, dtype=np.int64), names


# =========================================================================== helpers
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


def _name_of(file: object, default: str) -> str:
    if isinstance(file, (str, os.PathLike)):
        return Path(file).name or default
    name = getattr(file, "name", None)
    return Path(name).name if isinstance(name, str) and name else default


def _read_path(path: Path, name: str, max_bytes: int, limit_is_upload: bool = False) -> bytes:
    try:
        if not path.is_file():
            raise ValueError(f"no such file: {str(path)!r}")
        size = path.stat().st_size
        if size > max_bytes:
            raise ValueError(_too_big(name, size, max_bytes, limit_is_upload))
        return path.read_bytes()
    except OSError as e:
        raise ValueError(f"cannot read {str(path)!r}: {e}") from None


def _read_bytes(
    src: Any, name: str, max_bytes: int, *, limit_is_upload: bool = False
) -> bytes | str:
    """Contents of bytes or a file-like, refusing more than ``max_bytes`` (checked early)."""
    if isinstance(src, (bytes, bytearray, memoryview)):
        data = bytes(src)
        if len(data) > max_bytes:
            raise ValueError(_too_big(name, len(data), max_bytes, limit_is_upload))
        return data
    if not hasattr(src, "read"):
        raise ValueError(f"{name}: expected a path, bytes or a file-like object, got {type(src)}")
    size = getattr(src, "size", None)
    if not isinstance(size, int):
        size = None
        try:
            if src.seekable():
                pos = src.tell()
                size = src.seek(0, io.SEEK_END) - pos
                src.seek(pos)
        except (AttributeError, OSError, ValueError):
            size = None
    if size is not None and size > max_bytes:
        raise ValueError(_too_big(name, size, max_bytes, limit_is_upload))
    data = src.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise ValueError(_too_big(name, None, max_bytes, limit_is_upload))
    return bytes(data) if isinstance(data, (bytearray, memoryview)) else data


def _too_big(name: str, size: int | None, max_bytes: int, upload: bool) -> str:
    got = "" if size is None else f" ({size / 2**20:.1f} MB)"
    limit = f"{max_bytes / 2**20:g} MB"
    if size is not None and float(f"{size / 2**20:.1f}") <= max_bytes / 2**20:
        got, limit = f" ({size:,} bytes)", f"{limit} ({max_bytes:,} bytes)"  # 1.0 MB > 1 MB
    if upload:
        limit += " (limits.max_upload_mb)"
    return f"{name}: file too big{got}; the limit is {limit}"
