"""A user's CSV table as a :class:`Dataset`, read with pandas, with specific error messages.

The file is read and decoded by :mod:`backprop.untrusted`, its format guessed by
:mod:`.sniff`; every row count, column and cell is checked before the arrays are built.
"""

from __future__ import annotations

import io
import os
import warnings
from pathlib import Path
from typing import Any

import numpy as np

from ..limits import Limits, default_limits
from ..params import DATA, check
from ..untrusted import decode_text, name_of, read_path, read_upload
from .core import Array, check_memory
from .dataset import Dataset
from .prep import _min_max, _one_hot, _split, _standardise, _to_storage
from .sniff import CsvFormat, sniff_csv

MIN_CSV_ROWS = 4
MAX_CLASS_VALUES = 20  # an integer-valued CSV target with at most this many values is a class


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
    name = name_of(file, "uploaded CSV")
    cap = limits.max_upload_mb * 2**20
    if isinstance(file, (str, os.PathLike)):
        raw = read_path(Path(file).expanduser(), name, cap, error=ValueError, limit_is_upload=True)
    else:
        raw = read_upload(file, name, cap, error=ValueError, limit_is_upload=True)
    text = decode_text(raw, name, ValueError)
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
