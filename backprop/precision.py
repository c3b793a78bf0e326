"""The float types a training step computes in, in a registry keyed by name.

``float64`` is the default everywhere and the only type the app uses: its numbers, the
tests' references and a shared link's bit-for-bit replay are float64. ``float32``
(``Trainer(..., dtype="float32")``, ``python -m backprop --dtype float32``) stores the
parameters, the mini-batches and the optimiser's state in float32 for the training step
(forward pass, BP1-BP4, the update): half the memory traffic and twice the SIMD width of
the matrix products, for long runs. Evaluation, probe traces and saved networks stay float64.

In float32 a sigmoid saturates sooner (``a`` rounds to 1 once ``z > 16.6``, against 36.7 in
float64) and values overflow past ``3.4e38``; the divergence guard refuses such steps as
it does in float64 (a layer is only called dead when it is dead in float64 too).
"""

from __future__ import annotations

import math

import numpy as np

Array = np.ndarray

DTYPES: dict[str, type[np.floating]] = {"float64": np.float64, "float32": np.float32}


def dtype_name(dtype: object) -> str:
    """The registry's name of ``dtype`` (a NumPy dtype or scalar type)."""
    return np.dtype(dtype).name  # type: ignore[arg-type]


def norm_limit(dtype: object) -> str:
    """The largest norm whose square ``dtype`` still holds, as a power of ten: ``"1e154"``
    for float64, ``"1e19"`` for float32 (an update's squared norm overflows past it)."""
    return f"1e{int(math.log10(math.sqrt(float(np.finfo(dtype).max))))}"  # type: ignore[arg-type]
