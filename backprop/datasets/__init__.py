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

Modules: :mod:`.core` (the registry, storage budget), :mod:`.dataset` (:class:`Dataset`),
:mod:`.features`, :mod:`.synthetic` (the generators and :func:`load`), :mod:`.tables`,
:mod:`.idx` and :mod:`.mnist`, :mod:`.sniff` and :mod:`.csv`, :mod:`.prep` (split,
one-hot, standardise). Uploaded and local files are read only through
:mod:`backprop.untrusted`.
"""

from .core import (
    CLASSIFICATION_2D,
    DATASETS,
    DEFAULT_SAMPLES,
    EXACT_STORAGE_MB,
    REGRESSION,
    TABLES,
    Array,
    DatasetInfo,
    check_memory,
)
from .csv import MAX_CLASS_VALUES, MIN_CSV_ROWS, load_csv
from .dataset import Dataset
from .features import FEATURES
from .mnist import (
    MNIST_FILES,
    MNIST_NPZ_KEYS,
    MNIST_NPZ_MEMBERS,
    MNIST_VALIDATION,
    MnistFileError,
    load_mnist,
    mnist_folder,
)
from .prep import _standardise
from .sniff import CSV_DELIMITERS, SNIFF_LINES, CsvFormat, sniff_csv
from .synthetic import load
from .tables import TABLE_FEATURES, TABLE_FILES, read_table

__all__ = [
    "CLASSIFICATION_2D",
    "CSV_DELIMITERS",
    "DATASETS",
    "DEFAULT_SAMPLES",
    "EXACT_STORAGE_MB",
    "FEATURES",
    "MAX_CLASS_VALUES",
    "MIN_CSV_ROWS",
    "MNIST_FILES",
    "MNIST_NPZ_KEYS",
    "MNIST_NPZ_MEMBERS",
    "MNIST_VALIDATION",
    "REGRESSION",
    "SNIFF_LINES",
    "TABLES",
    "TABLE_FEATURES",
    "TABLE_FILES",
    "Array",
    "CsvFormat",
    "Dataset",
    "DatasetInfo",
    "MnistFileError",
    "_standardise",
    "check_memory",
    "load",
    "load_csv",
    "load_mnist",
    "mnist_folder",
    "read_table",
    "sniff_csv",
]
