"""MNIST from uploaded IDX / ``.npz`` files or a local folder, in Nielsen's split.

Every byte is read through :mod:`backprop.untrusted` (capped reads, capped gunzip, and
``load_npz``, which checks each ``.npy`` header and refuses pickles before inflating).
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..limits import Limits, default_limits
from ..untrusted import load_npz, name_of, read_path, read_upload
from .core import Array, check_memory
from .dataset import Dataset
from .idx import _IMAGE, _idx_bound, _parse_idx
from .prep import _one_hot

MNIST_FILES = (
    "train-images-idx3-ubyte",
    "train-labels-idx1-ubyte",
    "t10k-images-idx3-ubyte",
    "t10k-labels-idx1-ubyte",
)
MNIST_NPZ_KEYS = ("x_train", "y_train", "x_test", "y_test")
MNIST_VALIDATION = 10_000  # Nielsen: the last 10k of the 60k training images
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
            data = read_path(path, "MNIST file", _npz_bound(limits), error=ValueError)
            return _mnist_from_npz(data, path.name, limits)
        raise ValueError(f"MNIST source {str(path)!r} is neither a folder nor a file")
    if isinstance(source, (bytes, bytearray, memoryview)) or hasattr(source, "read"):
        name = name_of(source, "MNIST upload")
        cap = limits.max_upload_mb * 2**20
        data = read_upload(source, name, cap, error=ValueError, limit_is_upload=True)
        if not isinstance(data, bytes):
            raise ValueError(f"{name}: open the file in binary mode")
        return _mnist_from_npz(data, name, limits)
    raise ValueError(
        "MNIST source must be a folder, a dict of the four IDX files or an .npz file, "
        f"got {type(source).__name__}"
    )


def _npz_bound(limits: Limits) -> int:
    """Largest mnist.npz (uncompressed members) we accept: uint8 images, int64 labels."""
    return limits.max_samples * (_IMAGE[0] * _IMAGE[1] + 8) + 2**20


def _mnist_key(name: str) -> str:
    key = str(name).strip().lower().replace("\\", "/").rsplit("/", 1)[-1]
    key = key.removesuffix(".gz")
    return key.replace(".idx", "-idx")


def _mnist_upload_dict(source: Mapping, limits: Limits) -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    cap = limits.max_upload_mb * 2**20
    for key, value in source.items():
        base = _mnist_key(key)
        if base not in MNIST_FILES:
            raise ValueError(
                f"unexpected MNIST file {key!r}; expected: {', '.join(MNIST_FILES)} (or .gz)"
            )
        data = read_upload(value, str(key), cap, error=ValueError, limit_is_upload=True)
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
            files[base] = read_path(found, found.name, _idx_bound(limits) + 2**20, error=ValueError)
    if missing and len(missing) == len(MNIST_FILES) and (folder / "mnist.npz").is_file():
        data = read_path(folder / "mnist.npz", "mnist.npz", _npz_bound(limits), error=ValueError)
        return _mnist_from_npz(data, "mnist.npz", limits)
    if missing:
        raise ValueError(f"MNIST folder {str(folder)!r} is missing: {', '.join(missing)}")
    return _mnist_from_idx(files, limits)


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
