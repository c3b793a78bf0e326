"""How long the bug gallery's two training runs (correct and buggy) may be.

Both runs train the same network from the same weights (:func:`~backprop.debug.train_pair`);
each step, each run measures its cost on ``n_eval`` training samples and trains one
mini-batch. Work is counted in multiply-adds, ``n_params`` per sample and pass:

    per step = 2 runs * n_params * (2 n_eval + 3 batch)

and the steps are cut so that both runs together stay within ``work`` (a big network must
not stall the page), but never below a floor that still shows a curve. Pure Python.
"""

from __future__ import annotations

from dataclasses import dataclass

STEPS = 150  # training steps of each run (fewer for big networks)
MIN_STEPS = 20  # ... but never fewer
TRAIN_BATCH = 10  # mini-batch size
MAX_EVAL = 500  # training samples the cost curves are measured on, at most
MIN_EVAL = 20  # ... and at least (when the data has them)
EVAL_WORK = 2e6  # samples x parameters of one cost measurement
WORK = 2e9  # multiply-adds for both training runs together


@dataclass(frozen=True)
class TrainingBudget:
    """What each of the two runs may do: ``steps`` mini-batches of ``batch_size`` samples,
    with the cost measured on the first ``n_eval`` training samples."""

    steps: int
    n_eval: int
    batch_size: int


def training_budget(
    n_params: int,
    n_samples: int,
    *,
    max_steps: int = STEPS,
    batch: int = TRAIN_BATCH,
    max_eval: int = MAX_EVAL,
    work: float = WORK,
) -> TrainingBudget:
    """The bug gallery's budget for a network of ``n_params`` parameters trained on
    ``n_samples`` samples (see the module for the work per step)."""
    if n_params < 1 or n_samples < 1:
        raise ValueError(
            f"n_params and n_samples must be at least 1, got {n_params} and {n_samples}"
        )
    n_eval = int(min(n_samples, max_eval, max(MIN_EVAL, EVAL_WORK // n_params)))
    per_step = 2 * n_params * (2 * n_eval + 3 * batch)  # both runs: cost, then a step
    steps = int(min(max_steps, max(MIN_STEPS, work // per_step)))
    return TrainingBudget(steps=steps, n_eval=n_eval, batch_size=min(batch, n_eval))
