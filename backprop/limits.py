"""Resource limits for a shared, hosted demo, in one place.

Every size a visitor can ask for is capped here. A local user raises a cap with an
environment variable ``BACKPROP_<NAME>`` (for example ``BACKPROP_MAX_NEURONS=2000``);
code can pass its own :class:`Limits` instead of the defaults.

Two ranges are fixed rather than configurable: seeds (``0 .. 2**32 - 1``, for the engine
and the UI alike) and the smallest number of samples a generated data set may have.
:mod:`backprop.params` declares which parameter each cap bounds.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields, replace
from typing import ClassVar


@dataclass(frozen=True)
class Limits:
    """Caps on what one user may ask of the engine (defaults suit a shared host)."""

    # Fixed ranges (class constants: not fields, so no environment variable changes them).
    # Seeds are 32-bit: a URL and the sidebar's number input carry them exactly (a browser's
    # numbers are exact only to 2**53), every one starts its own np.random.Generator stream,
    # and NumPy's legacy seeding and most other tools take this same range.
    min_seed: ClassVar[int] = 0
    max_seed: ClassVar[int] = 2**32 - 1
    min_samples: ClassVar[int] = 10  # points of a generated data set

    max_layers: int = 8  # hidden layers
    max_neurons: int = 256  # neurons in one hidden layer
    max_inputs: int = 1024  # input features (MNIST has 784)
    max_outputs: int = 64
    max_parameters: int = 1_000_000  # weights + biases of one network
    max_samples: int = 70_000  # rows of one dataset
    max_batch_size: int = 10_000
    # samples x parameters of one mini-batch (~0.1-0.3 s a step on one core), so that a
    # single Step cannot hold a shared server for seconds
    max_step_work: int = 100_000_000
    # samples x parameters x forward passes of one finite-difference gradient check
    max_check_work: int = 1_000_000_000
    # grid points x samples x parameters of one loss landscape (~0.5 s on one core); a
    # larger request is reduced (fewer samples, a coarser grid), see backprop/landscape.py
    max_landscape_work: int = 1_000_000_000
    max_epochs: int = 1_000
    max_history: int = 20_000  # step rows kept before the history is thinned
    snapshot_budget_mb: int = 32  # memory for recorded snapshots, per trainer
    max_upload_mb: int = 50
    # the arrays of one session's data set (float32 past EXACT_STORAGE_MB, see datasets/core.py):
    # full MNIST takes 212 MB, so that two sessions with different big files fit in ~1 GB
    session_memory_mb: int = 256

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Limits:
        """Defaults, overridden by ``BACKPROP_MAX_*`` style environment variables."""
        env = os.environ if environ is None else environ
        changes = {}
        for f in fields(cls):
            raw = env.get("BACKPROP_" + f.name.upper())
            if raw is None:
                continue
            try:
                value = int(raw)
            except ValueError:
                raise ValueError(
                    f"BACKPROP_{f.name.upper()}={raw!r} is not a whole number"
                ) from None
            if value <= 0:
                raise ValueError(f"BACKPROP_{f.name.upper()}={raw!r} must be positive")
            changes[f.name] = value
        return replace(cls(), **changes)


def default_limits() -> Limits:
    """The limits in force for this process (environment read each call)."""
    return Limits.from_env()
