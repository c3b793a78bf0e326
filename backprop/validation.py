"""Shared checks that turn bad user input into a ``ValueError`` that names it."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import TypeVar

import numpy as np

T = TypeVar("T")


def choose(
    kind: str, name: object, registry: Mapping[str, T], allowed: Iterable[str] | None = None
) -> T:
    """``registry[name]``, or ValueError naming the bad name and the valid choices."""
    valid = list(allowed) if allowed is not None else list(registry)
    if not isinstance(name, str) or name not in valid:
        raise ValueError(f"unknown {kind} {name!r}; valid choices: {', '.join(valid)}")
    return registry[name]


def finite_number(
    name: str,
    value: object,
    *,
    positive: bool = False,
    minimum: float | None = None,
    maximum: float | None = None,
) -> float:
    """``value`` as a float, or ValueError if it is not a finite number in range."""
    if isinstance(value, bool):
        raise ValueError(f"{name} must be a number, got {value!r}")
    try:
        x = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number, got {value!r}") from None
    if not math.isfinite(x):
        raise ValueError(f"{name} must be finite, got {value!r}")
    if positive and x <= 0:
        raise ValueError(f"{name} must be > 0, got {value!r}")
    if minimum is not None and x < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value!r}")
    if maximum is not None and x > maximum:
        raise ValueError(f"{name} must be <= {maximum}, got {value!r}")
    return x


def whole_number(name: str, value: object, *, minimum: int = 1, maximum: int | None = None) -> int:
    """``value`` as an int in ``[minimum, maximum]``, or ValueError naming it."""
    if isinstance(value, bool):
        raise ValueError(f"{name} must be a whole number, got {value!r}")
    if isinstance(value, (int, np.integer)):  # exact, however large
        return _in_range(name, int(value), value, minimum, maximum)
    try:
        f = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a whole number, got {value!r}") from None
    if not math.isfinite(f) or f != int(f):
        raise ValueError(f"{name} must be a whole number, got {value!r}")
    return _in_range(name, int(f), value, minimum, maximum)


def integer(name: str, value: object, *, minimum: int = 1, maximum: int | None = None) -> int:
    """``value`` as an int in ``[minimum, maximum]``, or ValueError naming it. Only Python and
    NumPy integers are taken: a str, bytes, float or bool (NumPy's too) is refused, not
    converted, so ``'7'``, ``b'7'`` and ``7.0`` are errors."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise ValueError(
            f"{name} must be an integer (int or numpy integer), got {shown(value)} "
            f"({type(value).__name__})"
        )
    return _in_range(name, int(value), value, minimum, maximum)


def shown(value: object, width: int = 60) -> str:
    """``repr(value)``, cut to ``width`` characters; an int too long to print in full (over
    Python's 4300-digit conversion limit, say) is described by its number of digits."""
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        n = int(value)
        if n.bit_length() > 64:
            sign = "a negative" if n < 0 else "an"
            return f"{sign} integer of about {int(n.bit_length() * 0.30103)} digits"
    text = repr(value)
    return text if len(text) <= width else text[: width - 3] + "..."


def _in_range(name: str, n: int, value: object, minimum: int, maximum: int | None) -> int:
    if n < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {shown(value)}")
    if maximum is not None and n > maximum:
        raise ValueError(f"{name} must be <= {maximum} (the configured limit), got {shown(value)}")
    return n
