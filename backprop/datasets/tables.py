"""scikit-learn's bundled tables (``digits``, ``iris``, ``wine``, ``breast_cancer``), read
from the data files installed with it (trusted files; nothing is downloaded)."""

from __future__ import annotations

import gzip
import importlib.util
from pathlib import Path

import numpy as np

from ..extras import needs
from .core import Array
from .dataset import Dataset
from .prep import _cols, _one_hot, _split, _standardise

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
        raise ValueError(needs(f"data set {name!r}", "scikit-learn (its data files)"))
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
