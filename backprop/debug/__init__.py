"""The gradient debugger's logic: step-through stages, gradient checks, bugs, gradient diff.

Pure NumPy (with pandas for tables), like the rest of the engine: no streamlit, no plotly.

- :mod:`.stages`: :func:`stages` turns a Trace into the algorithm's steps with numbers.
- :mod:`.check`: :func:`check_gradients` per layer, capped for big networks, and
  :func:`diagnose`, which names the first failing layer and its equation.
- :mod:`.bugs`: :data:`BUGS` and a separate, buggy backprop (:func:`buggy_gradients`,
  :func:`buggy_step`, :func:`train_pair`); the engine's own path is never touched.
- :mod:`.budget`: :func:`training_budget`, how long the bug gallery's two training runs
  may be.
- :mod:`.diff`: :func:`export_case`, :func:`read_case`, :func:`read_gradients`,
  :func:`compare` for checking one's own backprop against the engine.
"""

from .budget import TrainingBudget, training_budget
from .bugs import BUGS, Bug, BugShapeError, buggy_gradients, buggy_step, train_pair
from .check import CheckResult, Diagnosis, check_gradients, diagnose
from .diff import (
    RECIPE,
    TORCH_RECIPE,
    Case,
    CaseFileError,
    DiffResult,
    compare,
    export_case,
    gradients_file,
    read_case,
    read_gradients,
    state_dict_keys,
    torch_recipe,
)
from .stages import EQUATIONS, Stage, sgd_update, stages

__all__ = [
    "BUGS",
    "EQUATIONS",
    "RECIPE",
    "TORCH_RECIPE",
    "Bug",
    "BugShapeError",
    "Case",
    "CaseFileError",
    "CheckResult",
    "Diagnosis",
    "DiffResult",
    "Stage",
    "TrainingBudget",
    "buggy_gradients",
    "buggy_step",
    "check_gradients",
    "compare",
    "diagnose",
    "export_case",
    "gradients_file",
    "read_case",
    "read_gradients",
    "sgd_update",
    "stages",
    "state_dict_keys",
    "torch_recipe",
    "train_pair",
    "training_budget",
]
