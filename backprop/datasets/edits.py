"""Hand edits of a training set: points added by a click, points removed.

An edit is an op string: ``"+x,y,c"`` adds the 2-D point ``(x, y)`` of class ``c``,
``"+x,y"`` adds the 1-D sample ``x`` with target ``y`` (``sine``), ``"-i"`` removes training
sample ``i`` (its index in the set as edited so far). :func:`apply` replays ops on a
:class:`Dataset`; :func:`encode`/:func:`decode` write and read them as one compact URL
value, checked as hostile input (sizes before parsing, finite numbers on the plane).
"""

from __future__ import annotations

import math
import re
from dataclasses import replace

import numpy as np

from .core import Array
from .dataset import Dataset

MAX_EDITS = 50  # ops in a URL value, at most
MAX_OP_CHARS = 40  # characters of one op
PLANE_LIMIT = 10.0  # |x|, |y| of an added point (the synthetic data lie within about 6.5)
SEP = ";"
_NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d{1,3})?"
_ADD = re.compile(rf"\+({_NUMBER}),({_NUMBER})(?:,(\d{{1,2}}))?")
_REMOVE = re.compile(r"-(\d{1,7})")


def editable(ds: Dataset) -> str | None:
    """``"plane"`` (2-D points with classes), ``"curve"`` (1-D regression) or None."""
    if ds.raw_train is not None and ds.raw_train.shape[0] == 2 and ds.task != "regression":
        return "plane"
    if ds.task == "regression" and ds.n_in == 1 and ds.raw_train is None:
        return "curve"
    return None


def add_op(x: float, y: float, c: int | None = None) -> str:
    """The op adding ``(x, y)`` (of class ``c`` on the plane), numbers to 4 decimals."""
    head = f"+{round(float(x), 4):g},{round(float(y), 4):g}"
    return head if c is None else f"{head},{int(c)}"


def remove_op(index: int) -> str:
    """The op removing training sample ``index``."""
    return f"-{int(index)}"


def parse_op(op: str) -> tuple[float, float, int | None] | int:
    """An op as ``(x, y, c)`` (c None for 1-D) or a removal's index; ValueError if bad."""
    if not isinstance(op, str) or len(op) > MAX_OP_CHARS:
        raise ValueError("an edit must be a short text")
    if m := _REMOVE.fullmatch(op):
        return int(m.group(1))
    m = _ADD.fullmatch(op)
    if not m:
        raise ValueError(f"edit {op[:MAX_OP_CHARS]!r} is neither '+x,y[,class]' nor '-index'")
    x, y = float(m.group(1)), float(m.group(2))
    if not (math.isfinite(x) and math.isfinite(y)) or max(abs(x), abs(y)) > PLANE_LIMIT:
        raise ValueError(f"edit {op!r}: coordinates must be finite, within ±{PLANE_LIMIT:g}")
    return x, y, None if m.group(3) is None else int(m.group(3))


def encode(ops: list[str]) -> str:
    """The ops as one URL value (``;``-separated)."""
    return SEP.join(ops)


def decode(text: str) -> list[str]:
    """The ops of a URL value, each checked (:func:`parse_op`); ValueError if any is bad."""
    if not isinstance(text, str):
        raise ValueError("edits must be text")
    if len(text) > MAX_EDITS * (MAX_OP_CHARS + 1):
        raise ValueError(f"edits: the value is too long (at most {MAX_EDITS} edits)")
    if text == "":
        return []
    if text.count(SEP) >= MAX_EDITS:
        raise ValueError(f"edits: more than {MAX_EDITS} edits")
    ops = text.split(SEP)
    for op in ops:
        parse_op(op)
    return ops


def _add(ds: Dataset, kind: str, x: float, y: float, c: int | None) -> Dataset:
    if kind == "curve":
        if c is not None:
            raise ValueError("a point on a curve has no class")
        X = np.hstack([ds.X_train, np.array([[x]], ds.X_train.dtype)])
        Y = np.hstack([ds.Y_train, np.array([[y]], ds.Y_train.dtype)])
        return replace(ds, X_train=X, Y_train=Y)
    k = ds.n_out if ds.n_out > 1 else 2
    if c is None or not 0 <= c < k:
        raise ValueError(f"a point on the plane needs a class from 0 to {k - 1}")
    raw = np.hstack([ds.raw_train, np.array([[x], [y]], ds.raw_train.dtype)])
    col = np.zeros((ds.n_out, 1), ds.Y_train.dtype)
    if ds.n_out > 1:
        col[c, 0] = 1.0
    else:
        col[0, 0] = c
    X = np.hstack([ds.X_train, ds.features_of(raw[:, -1:]).astype(ds.X_train.dtype)])
    return replace(ds, X_train=X, Y_train=np.hstack([ds.Y_train, col]), raw_train=raw)


def _remove(ds: Dataset, i: int) -> Dataset:
    if not 0 <= i < ds.n_train:
        raise ValueError(f"edit '-{i}': there is no training sample {i} (0..{ds.n_train - 1})")
    if ds.n_train == 1:
        raise ValueError("the last training sample cannot be removed")
    keep = np.arange(ds.n_train) != i
    raw = None if ds.raw_train is None else ds.raw_train[:, keep]
    return replace(ds, X_train=ds.X_train[:, keep], Y_train=ds.Y_train[:, keep], raw_train=raw)


def apply(ds: Dataset, ops: list[str]) -> Dataset:
    """``ds`` with its training set edited by ``ops`` in order (the test set is kept);
    ValueError (and nothing applied) if the data set is not editable or an op is bad."""
    kind = editable(ds)
    if kind is None and ops:
        raise ValueError(f"the {ds.name!r} data cannot be edited by hand")
    for op in ops:
        parsed = parse_op(op)
        ds = _remove(ds, parsed) if isinstance(parsed, int) else _add(ds, kind, *parsed)
    return ds


def nearest(points: Array, x: float, y: float, scale: tuple[float, float], px: float) -> int | None:
    """The index of the column of ``points`` ``(2, m)`` within ``px`` pixels of ``(x, y)``
    (``scale``: data units per pixel along x and y), the closest one; None if there is none."""
    if points.shape[1] == 0:
        return None
    dx = (points[0] - x) / max(abs(scale[0]), 1e-12)
    dy = (points[1] - y) / max(abs(scale[1]), 1e-12)
    d = np.hypot(dx, dy)
    i = int(np.argmin(d))
    return i if d[i] <= px else None


def raw_points(ds: Dataset) -> Array:
    """The training samples as they are drawn: ``(2, m)`` plane points, or ``(x, y)`` of a curve."""
    if ds.raw_train is not None:
        return ds.raw_train
    return np.vstack([ds.X_train[0], ds.Y_train[0]])
