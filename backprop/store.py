"""One read-only copy of each uploaded data set, shared by every session that loads it.

A hosted demo holds a session's data set as long as the session lives. When several
visitors upload the same file (MNIST, most likely), they get the same :class:`Dataset`,
keyed by the SHA-256 of the file's bytes and the loader's arguments; its arrays are made
read-only, so no session can change another's data. Entries are weak references: a data
set is freed as soon as no session holds it.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable, Hashable, Mapping
from pathlib import Path
from typing import Any

from .datasets import Dataset, load_csv, load_mnist
from .limits import Limits, default_limits
from .untrusted import digest

_LIVE: weakref.WeakValueDictionary[Hashable, Dataset] = weakref.WeakValueDictionary()
_LOCK = threading.Lock()


def shared(key: Hashable, load: Callable[[], Dataset]) -> Dataset:
    """The live data set stored under ``key``, else ``load()`` made read-only and stored."""
    with _LOCK:
        ds = _LIVE.get(key)
    if ds is not None:
        return ds
    ds = read_only(load())
    with _LOCK:
        return _LIVE.setdefault(key, ds)


def read_only(ds: Dataset) -> Dataset:
    """``ds`` with every array marked read-only (in place); returns it."""
    for a in ds.arrays():
        a.flags.writeable = False
    return ds


def shared_csv(
    file: Any,
    target: str | None = None,
    *,
    test_fraction: float = 0.2,
    seed: int = 0,
    limits: Limits | None = None,
) -> Dataset:
    """:func:`~backprop.datasets.load_csv`, shared by the sessions loading the same bytes."""
    limits = limits or default_limits()

    def load() -> Dataset:
        return load_csv(file, target, test_fraction=test_fraction, seed=seed, limits=limits)

    h = digest(file, limits.max_upload_mb * 2**20)
    if h is None:
        return load()
    return shared(("csv", h, target, test_fraction, seed, limits), load)


def shared_mnist(files: Mapping[str, Any], *, limits: Limits | None = None) -> Dataset:
    """:func:`~backprop.datasets.load_mnist` of uploaded files (the four IDX files, or one
    ``.npz`` under any name), shared by the sessions loading the same bytes."""
    limits = limits or default_limits()
    hashes = {name: digest(f, limits.max_upload_mb * 2**20) for name, f in files.items()}
    if len(files) == 1 and next(iter(files)).endswith(".npz"):
        source: Any = next(iter(files.values()))
    else:
        source = dict(files)

    def load() -> Dataset:
        return load_mnist(source, limits=limits)

    if None in hashes.values():
        return load()
    return shared(("mnist", tuple(sorted(hashes.items())), limits), load)


def shared_mnist_folder(folder: Path, *, limits: Limits | None = None) -> Dataset:
    """:func:`~backprop.datasets.load_mnist` of a local data folder, shared by every session
    while its files keep their names, sizes and modification times."""
    limits = limits or default_limits()
    try:
        stats = tuple(
            sorted((p.name, p.stat().st_size, p.stat().st_mtime_ns) for p in folder.iterdir())
        )
    except OSError:
        return load_mnist(folder, limits=limits)
    return shared(
        ("mnist-folder", str(folder), stats, limits), lambda: load_mnist(folder, limits=limits)
    )
