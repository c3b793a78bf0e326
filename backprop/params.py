"""Every parameter the engine takes, declared once, and the one check that enforces them.

In the style of scikit-learn's ``_parameter_constraints``: each table (:data:`NETWORK`,
:data:`TRAINER`, :data:`DATA`) maps an argument's name to a :class:`Constraint` that says
what the argument must be (its kind, its bounds, the registry it is chosen from) and how a
message names it. :func:`check` and :func:`check_all` raise the ``ValueError`` the engine
has always raised, through the helpers of :mod:`.validation`.

A bound given as a string names an attribute of :class:`~.limits.Limits`
(``"max_samples"``, ``"max_seed"``), read from the limits in force at the check. The UI's
config checks (``backprop.ui.config.FIELDS``) are these constraints, narrowed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace

from .activations import ACTIVATIONS, HIDDEN_ACTIVATIONS
from .costs import COSTS
from .inits import INITS
from .limits import Limits, default_limits
from .optimizers import OPTIMIZERS, REGULARIZATIONS
from .precision import DTYPES
from .validation import choose, finite_number, integer, whole_number

# kinds of constraint
INTEGER = "integer"  # a Python or NumPy int only: '3', 3.0 and True are refused
WHOLE = "whole number"  # an int, or a whole float or numeric string ('3', 3.0)
NUMBER = "number"  # a finite float in [minimum, maximum] (> 0 if positive)
FRACTION = "fraction"  # a finite float strictly between minimum and maximum
CHOICE = "choice"  # a name in a registry (or in its allowed subset)
COUNT = "count"  # how many of something (a length), at most maximum
KINDS = (INTEGER, WHOLE, NUMBER, FRACTION, CHOICE, COUNT)

Bound = float | str | None
Registry = Mapping[str, object] | Callable[[], Mapping[str, object]]


@dataclass(frozen=True)
class Constraint:
    """What one parameter must be, and how messages name it (``label``; ``{i}`` in it is
    filled with the ``i`` given to :meth:`check`, e.g. the layer)."""

    name: str
    kind: str
    label: str
    minimum: Bound = None
    maximum: Bound = None
    positive: bool = False  # NUMBER: must be > 0 (checked before minimum)
    options: Registry | None = None  # CHOICE: the registry, or a function returning it
    allowed: tuple[str, ...] | None = None  # CHOICE: the registry's keys that may be picked
    optional: bool = False  # None is accepted as it is

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown kind {self.kind!r} of parameter {self.name!r}")
        if (self.kind == CHOICE) != (self.options is not None):
            raise ValueError(f"parameter {self.name!r}: options go with kind {CHOICE!r} only")

    def registry(self) -> Mapping[str, object]:
        """The registry a CHOICE picks from (name -> object)."""
        reg = self.options
        if reg is None:
            raise TypeError(f"parameter {self.name!r} is not a choice")
        return reg() if callable(reg) else reg

    def choices(self) -> list[str]:
        """The names a CHOICE accepts: ``allowed``, else every key of the registry."""
        return list(self.allowed) if self.allowed is not None else list(self.registry())

    def bounds(self, limits: Limits | None = None) -> tuple[float | None, float | None]:
        """``(minimum, maximum)`` with names of ``Limits`` attributes read from ``limits``
        (default: the limits in force)."""
        if isinstance(self.minimum, str) or isinstance(self.maximum, str):
            limits = limits or default_limits()
        return _resolve(self.minimum, limits), _resolve(self.maximum, limits)

    def check(
        self,
        value: object,
        *,
        limits: Limits | None = None,
        cap: int | None = None,
        i: int | None = None,
    ) -> object:
        """``value`` checked and converted (a CHOICE gives the registry's entry), or
        ValueError naming it. ``cap`` lowers the maximum further (e.g. to the data's n)."""
        if value is None and self.optional:
            return None
        label = self.label if i is None else self.label.format(i=i)
        if self.kind == CHOICE:
            return choose(label, value, self.registry(), self.allowed)
        lo, hi = self.bounds(limits)
        if cap is not None:
            hi = cap if hi is None else min(hi, cap)
        if self.kind == INTEGER:
            return integer(label, value, minimum=int(lo or 0), maximum=_int(hi))
        if self.kind == WHOLE:
            return whole_number(label, value, minimum=int(lo or 0), maximum=_int(hi))
        if self.kind == NUMBER:
            return finite_number(label, value, positive=self.positive, minimum=lo, maximum=hi)
        if self.kind == FRACTION:
            f = finite_number(label, value)
            if not lo < f < hi:  # type: ignore[operator]
                raise ValueError(
                    f"{label} must be between {lo} and {hi} (exclusive), got {value!r}"
                )
            return f
        n = int(value)  # type: ignore[call-overload]  # COUNT
        if hi is not None and n > hi:
            raise ValueError(f"{n} {label} is over the limit of {hi}")
        return n

    def narrowed(self, **changes: object) -> Constraint:
        """A copy with ``changes`` (a label, tighter bounds, fewer choices, an int read from
        text), refused if it would accept a value this constraint refuses."""
        new = replace(self, **changes)  # type: ignore[arg-type]
        if not new.within(self):
            raise ValueError(f"{new!r} accepts values that {self!r} refuses")
        return new

    def within(self, other: Constraint) -> bool:
        """Whether every value this constraint accepts, ``other`` accepts too. WHOLE may
        stand for INTEGER (the same numbers, read from text) and NUMBER for FRACTION (a
        closed range strictly inside the open one)."""
        new, old = self, other
        if new.optional and not old.optional:
            return False
        if CHOICE in (new.kind, old.kind):
            return new.kind == old.kind and set(new.choices()) <= set(old.choices())
        kinds = {(INTEGER, WHOLE), (FRACTION, NUMBER)}
        same = new.kind == old.kind or (old.kind, new.kind) in kinds
        strict = old.kind == FRACTION and new.kind != FRACTION
        positive = not old.positive or new.positive or _tighter(new.minimum, 0, 1, True)
        return (
            same
            and positive
            and _tighter(new.minimum, old.minimum, 1, strict)
            and _tighter(new.maximum, old.maximum, -1, strict)
        )


def _tighter(new: Bound, old: Bound, sign: int, strict: bool) -> bool:
    """Whether bound ``new`` is at least as tight as ``old`` (``sign`` 1 for a minimum, -1
    for a maximum); a bound naming a ``Limits`` attribute can only be kept."""
    if old is None:
        return True
    if new is None:
        return False
    if isinstance(new, str) or isinstance(old, str):
        return new == old
    d = sign * (new - old)
    return d > 0 if strict else d >= 0


def _resolve(bound: Bound, limits: Limits | None) -> float | None:
    return getattr(limits, bound) if isinstance(bound, str) else bound


def _int(bound: float | None) -> int | None:
    return None if bound is None else int(bound)


def _table(*constraints: Constraint) -> dict[str, Constraint]:
    return {c.name: c for c in constraints}


def _datasets() -> Mapping[str, object]:
    from .datasets import DATASETS  # here, not on top: datasets.py checks with this module

    return DATASETS


def _features() -> Mapping[str, object]:
    from .datasets import FEATURES

    return dict.fromkeys(FEATURES)


# ---------------------------------------------------------------------------- tables
NETWORK = _table(
    Constraint("input_size", INTEGER, "input size", 1, "max_inputs"),
    Constraint("hidden_size", INTEGER, "hidden layer {i} size", 1, "max_neurons"),
    Constraint("output_size", INTEGER, "output size", 1, "max_outputs"),
    Constraint("hidden_layers", COUNT, "hidden layers", 0, "max_layers"),
    Constraint("activation", CHOICE, "activation", options=ACTIVATIONS, allowed=HIDDEN_ACTIVATIONS),
    Constraint("output_activation", CHOICE, "output activation", options=ACTIVATIONS),
    Constraint("cost", CHOICE, "cost", options=COSTS),
    Constraint("init", CHOICE, "init", options=INITS),
    Constraint("seed", INTEGER, "seed", "min_seed", "max_seed", optional=True),
)
"""``Network(sizes, activation, output_activation, cost, init, seed)``: ``sizes[0]`` is an
input size, ``sizes[-1]`` an output size, the rest hidden sizes; ``seed=None`` is fresh
entropy."""

TRAINER = _table(
    Constraint("eta", NUMBER, "eta (learning rate)", positive=True),
    Constraint("batch_size", INTEGER, "batch size", 1, "max_batch_size"),  # and <= n
    Constraint("optimizer", CHOICE, "optimizer", options=OPTIMIZERS),
    Constraint("regularization", CHOICE, "regularization", options=dict.fromkeys(REGULARIZATIONS)),
    Constraint("lmbda", NUMBER, "lmbda (regularisation)", 0.0),
    Constraint("momentum", NUMBER, "momentum", 0.0, 1.0),
    Constraint("eval_every", INTEGER, "eval_every", 0),
    Constraint("eval_samples", INTEGER, "eval_samples", 1, optional=True),
    Constraint("snapshot_every", INTEGER, "snapshot_every", 0),
    Constraint("probe_size", INTEGER, "probe size", 1),
    Constraint("snapshot_budget_mb", NUMBER, "snapshot budget (MB)", 0.0),
    Constraint("epochs", INTEGER, "epochs", 1, "max_epochs"),
    Constraint("dtype", CHOICE, "dtype", options=DTYPES),
)
"""``Trainer(...)``, ``Trainer.configure(...)`` and ``Trainer.train(epochs)``."""

DATA = _table(
    Constraint("dataset", CHOICE, "dataset", options=_datasets),
    Constraint("n_samples", WHOLE, "n_samples", "min_samples", "max_samples"),
    Constraint("noise", NUMBER, "noise", 0.0, 1.0),
    Constraint("test_fraction", FRACTION, "test_fraction", 0, 1),
    Constraint("feature", CHOICE, "feature", options=_features),
    Constraint("seed", WHOLE, "seed", "min_seed", "max_seed"),
)
"""``datasets.load(name, n_samples, noise, test_fraction, features, seed)`` (each of
``features`` is a ``feature``) and ``datasets.load_csv(test_fraction, seed)``."""


# ---------------------------------------------------------------------------- checks
def check(
    constraints: Mapping[str, Constraint],
    name: str,
    value: object,
    *,
    limits: Limits | None = None,
    cap: int | None = None,
    i: int | None = None,
) -> object:
    """``value`` of parameter ``name`` checked against its constraint (see
    :meth:`Constraint.check`), or ValueError naming it."""
    return constraints[name].check(value, limits=limits, cap=cap, i=i)


def check_all(
    constraints: Mapping[str, Constraint],
    values: Mapping[str, object],
    *,
    limits: Limits | None = None,
    caps: Mapping[str, int] | None = None,
) -> dict[str, object]:
    """Every value of ``values`` checked, in order; ValueError naming the first bad one."""
    caps = caps or {}
    return {k: check(constraints, k, v, limits=limits, cap=caps.get(k)) for k, v in values.items()}
