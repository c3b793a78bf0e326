"""LaTeX pieces for equations with numbers in them: numbers, sums, vectors and matrices."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

Array = np.ndarray

MAX_FULL = 6  # rows and columns up to which a whole vector or matrix is written out
MAX_TERMS = 4  # terms of a sum written out before the rest is elided with \cdots


def num(x: float, digits: int = 4) -> str:
    """``x`` with ``digits`` significant digits; ``1.2 \\times 10^{-5}`` for tiny or huge."""
    x = float(x)
    if math.isnan(x):
        return r"\mathrm{NaN}"
    if math.isinf(x):
        return r"\infty" if x > 0 else r"-\infty"
    if x == 0:
        return "0"
    if 1e-3 <= abs(x) < 1e4:
        s = f"{x:.{digits}g}"
    else:
        mant, exp = f"{x:.{max(digits - 1, 0)}e}".split("e")
        s = rf"{mant} \times 10^{{{int(exp)}}}"
    return "{" + s + "}" if x < 0 else s  # braces: a unary minus, even after \big(


def index(*ij: int | str) -> str:
    """Subscript indices: ``jk`` as the book writes them, ``j,k`` once one has two digits."""
    parts = [str(i) for i in ij]
    return ("," if any(len(p) > 1 for p in parts) else "").join(parts)


def par(x: float, digits: int = 4) -> str:
    """``num(x)`` in parentheses when negative or in scientific form (for products)."""
    s = num(x, digits)
    return f"({s})" if s.startswith("{-") or "times" in s else s


def terms(parts: Sequence[str], max_terms: int = MAX_TERMS) -> str:
    """``p0 + p1 + p2 + \\cdots + p_last`` (at most ``max_terms`` written out)."""
    parts = list(parts)
    if len(parts) > max_terms:
        parts = parts[: max_terms - 1] + [r"\cdots"] + parts[-1:]
    return " + ".join(parts)


def bmatrix(a: Array, digits: int = 3) -> str:
    """A 2-D array (or a 1-D one as a column) as a LaTeX ``bmatrix``."""
    a = np.asarray(a, dtype=np.float64)
    if a.ndim == 1:
        a = a.reshape(-1, 1)
    rows = [" & ".join(num(v, digits) for v in row) for row in a]
    return r"\begin{bmatrix} " + r" \\ ".join(rows) + r" \end{bmatrix}"


def small(*arrays: Array, limit: int = MAX_FULL) -> bool:
    """True when every array has at most ``limit`` rows and columns (worth writing out)."""
    return all(max(np.shape(a) or (1,)) <= limit for a in arrays)


def lines(*parts: str) -> str:
    """Several equations centred one under the other (one ``st.latex`` call renders them)."""
    parts = tuple(p for p in parts if p)
    if len(parts) == 1:
        return parts[0]
    return r"\begin{gathered} " + r" \\ ".join(parts) + r" \end{gathered}"
