"""The registry shared by every loader: the names, what each is, and the storage budget.

:data:`DATASETS` maps each built-in name to its :class:`DatasetInfo` (task, kind, blurb);
:func:`check_memory` picks the dtype a data set is stored in (float64, or float32 past
``EXACT_STORAGE_MB``) and refuses one past the session's data budget before it exists.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..limits import Limits

Array = np.ndarray

CLASSIFICATION_2D = ("circle", "xor", "gauss", "spiral", "moons")
REGRESSION = ("sine", "plane")
TABLES = ("digits", "iris", "wine", "breast_cancer")

DEFAULT_SAMPLES = 500  # synthetic datasets when n_samples is omitted
EXACT_STORAGE_MB = 16  # data sets whose float64 arrays would be larger are stored as float32


@dataclass(frozen=True)
class DatasetInfo:
    """What a name in :data:`DATASETS` is: its task, kind (``2d``/``1d``/``table``), blurb."""

    name: str
    task: str
    kind: str
    description: str

    @property
    def generated(self) -> bool:
        """Whether its size is chosen (``n_samples`` points are generated); else it is a
        table with a fixed number of rows."""
        return self.kind != "table"


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
