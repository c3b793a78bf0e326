"""One parameter's gradient comparison and the per-layer table every checker shows.

A :class:`ParamCheck` holds one layer's weights or biases compared entry by entry: the
analytic gradients (backprop's, or uploaded ones) against reference values (central
differences, or the engine's). :func:`gradient_table` turns a list of them into the
table that :func:`backprop.gradcheck.gradcheck`, :func:`backprop.debug.check_gradients`
and :func:`backprop.debug.compare` return: ``layer``, ``param``, ``shape``, (``checked``,)
``max_abs_error``, ``max_rel_error``, ``passed``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

Array = np.ndarray

ATOL, RTOL = 1e-5, 1e-3  # pass when |analytic - numeric| <= ATOL + RTOL |numeric|


def compare(analytic: Array, numeric: Array) -> tuple[float, float]:
    """``(max |a - n|, max |a - n| / max(|a| + |n|, tiny))`` over the entries."""
    diff = np.abs(analytic - numeric)
    denom = np.maximum(np.abs(analytic) + np.abs(numeric), 1e-12)
    return float(diff.max(initial=0.0)), float((diff / denom).max(initial=0.0))


def ratios(analytic: Array, numeric: Array, atol: float = ATOL, rtol: float = RTOL) -> Array:
    """``|a - n| / (atol + rtol |n|)`` per entry (0 where equal, huge where not finite)."""
    diff = np.abs(analytic - numeric)
    with np.errstate(divide="ignore", invalid="ignore"):
        r = np.where(diff == 0, 0.0, diff / (atol + rtol * np.abs(numeric)))
    return np.nan_to_num(r, nan=np.inf)


def ratio(analytic: Array, numeric: Array, atol: float = ATOL, rtol: float = RTOL) -> float:
    """The worst ``|a - n| / (atol + rtol |n|)``: at most 1 passes (inf if not finite)."""
    return float(ratios(analytic, numeric, atol, rtol).max(initial=0.0))


@dataclass(frozen=True, eq=False)
class ParamCheck:
    """One layer's weights or biases: the compared entries (flat ``index``) and both values.

    ``analytic`` and ``numeric`` are 1-D, one value per entry of ``index`` into the
    parameter of ``shape`` (``(n_out, n_in)`` for ``"w"``, ``(n_out, 1)`` for ``"b"``).
    """

    layer: int  # 1..L
    param: str  # "w" or "b"
    shape: tuple[int, int]
    index: Array  # flat indices into the parameter array
    analytic: Array
    numeric: Array

    @classmethod
    def full(cls, layer: int, param: str, analytic: Array, numeric: Array) -> ParamCheck:
        """Every entry of two arrays of the same shape (``numeric`` is the reference)."""
        analytic, numeric = np.asarray(analytic), np.asarray(numeric)
        return cls(layer, param, analytic.shape, np.arange(analytic.size), analytic.ravel(),
                   numeric.ravel())  # fmt: skip

    @property
    def size(self) -> int:
        """Entries of the whole parameter (checked or not)."""
        return int(np.prod(self.shape))

    @property
    def errors(self) -> tuple[float, float]:
        """``(max abs error, max relative error)`` as the engine's gradcheck computes them."""
        return compare(self.analytic, self.numeric)

    def passed(self, atol: float = ATOL, rtol: float = RTOL) -> bool:
        """Every entry within ``|a - n| <= atol + rtol |n|`` (PyTorch's gradcheck rule)."""
        return ratio(self.analytic, self.numeric, atol, rtol) <= 1.0

    def relative_errors(self) -> Array:
        """``|a - n| / (|a| + |n|)`` in the parameter's shape; NaN where not checked."""
        out = np.full(self.shape, np.nan)
        a, n = self.analytic, self.numeric
        out.reshape(-1)[self.index] = np.abs(a - n) / np.maximum(np.abs(a) + np.abs(n), 1e-12)
        return out


def gradient_table(
    params: Iterable[ParamCheck],
    atol: float = ATOL,
    rtol: float = RTOL,
    *,
    checked: bool = False,
) -> pd.DataFrame:
    """One row per :class:`ParamCheck`: ``layer``, ``param``, ``shape``, ``max_abs_error``,
    ``max_rel_error`` and ``passed`` (within ``atol + rtol |n|``); with ``checked``, also
    how many entries were compared (``"7 of 60"``) after ``shape``."""
    rows = []
    for p in params:
        abs_err, rel_err = p.errors
        row = {"layer": p.layer, "param": p.param, "shape": str(p.shape)}
        if checked:
            row["checked"] = f"{len(p.index)} of {p.size}"
        row.update(max_abs_error=abs_err, max_rel_error=rel_err, passed=p.passed(atol, rtol))
        rows.append(row)
    return pd.DataFrame(rows)
