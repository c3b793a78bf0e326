"""The Playground's configuration, its presets and its URL encoding (no streamlit here).

Every choice a user makes lives in one frozen :class:`PlaygroundConfig`. It is written to
the URL's query parameters (short keys, see :data:`URL_KEYS`) so that copying the address
reproduces the run, seed included. :func:`from_query` reads them back; an invalid or
tampered parameter falls back to its default and yields a notice naming it.

The URL also carries the *moment* of a run, which is not configuration: the step it
reached and what is on screen (:data:`MOMENT_URL_KEYS`, read and written by
``backprop.ui.moment``); :func:`from_query` leaves those keys alone.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields, replace

from .. import ACTIVATIONS, COSTS, HIDDEN_ACTIVATIONS, INITS, OPTIMIZERS, REGULARIZATIONS
from ..datasets import DATASETS, FEATURES
from ..limits import Limits, default_limits
from ..validation import choose, finite_number, whole_number

UPLOADED = ("csv", "mnist")  # datasets that come from the user's files

DATASET_CHOICES = tuple(DATASETS) + UPLOADED
MAX_URL_VALUE = 200  # characters; longer parameter values are refused outright
ETA_RANGE = (1e-5, 1e6)  # up to rates that wreck training: the guard explains what happened
LMBDA_RANGE = (0.0, 100.0)


@dataclass(frozen=True)
class PlaygroundConfig:
    """Everything that defines a Playground run."""

    dataset: str = "circle"
    n_samples: int = 500
    noise: float = 0.0
    test_fraction: float = 0.5
    features: tuple[str, ...] = ("x1", "x2")
    seed: int = 0
    hidden: tuple[int, ...] = (4, 4)
    activation: str = "tanh"
    output_activation: str = "softmax"
    cost: str = "log_likelihood"
    init: str = "xavier"
    optimizer: str = "sgd"
    eta: float = 0.1
    batch_size: int = 10
    regularization: str = "none"
    lmbda: float = 0.0

    def network_key(self) -> tuple:
        """The fields that define the data and the network (changing one rebuilds both)."""
        d = asdict(self)
        for k in TRAINING_FIELDS:
            d.pop(k)
        return tuple(d.items())

    def training(self) -> dict:
        """The fields a running trainer can change in place."""
        return {k: getattr(self, k) for k in TRAINING_FIELDS}


TRAINING_FIELDS = ("optimizer", "eta", "batch_size", "regularization", "lmbda")
DEFAULT = PlaygroundConfig()

URL_KEYS = {
    "dataset": "ds",
    "n_samples": "n",
    "noise": "noise",
    "test_fraction": "test",
    "features": "feat",
    "seed": "seed",
    "hidden": "hidden",
    "activation": "act",
    "output_activation": "out",
    "cost": "cost",
    "init": "init",
    "optimizer": "opt",
    "eta": "eta",
    "batch_size": "bs",
    "regularization": "reg",
    "lmbda": "lmbda",
}

# The moment (backprop.ui.moment): step reached, network view, open detail tab, Layers tab's
# layer and quantity, probe sample. Not part of the config: changing one rebuilds nothing.
MOMENT_URL_KEYS = ("step", "view", "tab", "layer", "q", "sample")
# URL parameters of the view, not of the run (the moment and presentation mode): read by
# the pages that show them, kept when the sidebar rewrites the run's, never "unknown"
VIEW_KEYS = ("present", *MOMENT_URL_KEYS)

PRESETS: dict[str, PlaygroundConfig] = {
    "Nielsen chapter 1 (digits)": PlaygroundConfig(
        dataset="digits",
        n_samples=1797,
        test_fraction=0.2,
        hidden=(30,),
        activation="sigmoid",
        output_activation="sigmoid",
        cost="quadratic",
        init="standard",
        eta=3.0,
        batch_size=10,
    ),
    "XOR with 2 hidden neurons": PlaygroundConfig(
        dataset="xor",
        hidden=(2,),
        activation="tanh",
        output_activation="softmax",
        cost="log_likelihood",
        init="xavier",
        optimizer="adam",
        eta=0.03,
        batch_size=10,
    ),
    "Spiral with tanh": PlaygroundConfig(
        dataset="spiral",
        features=("x1", "x2", "sin x1", "sin x2"),
        hidden=(8, 8, 8),
        activation="tanh",
        output_activation="softmax",
        cost="log_likelihood",
        init="xavier",
        optimizer="adam",
        eta=0.01,
        batch_size=10,
    ),
    "Vanishing gradients (deep sigmoid)": PlaygroundConfig(
        dataset="digits",
        n_samples=1797,
        test_fraction=0.2,
        hidden=(30, 30, 30, 30),
        activation="sigmoid",
        output_activation="sigmoid",
        cost="quadratic",
        init="standard",
        eta=0.1,
        batch_size=10,
    ),
}


# ------------------------------------------------------------------- validation
def check(cfg: PlaygroundConfig, limits: Limits | None = None) -> PlaygroundConfig:
    """``cfg`` with every field validated; ValueError naming the first bad one."""
    lim = limits or default_limits()
    choose("dataset", cfg.dataset, dict.fromkeys(DATASET_CHOICES))
    n = whole_number(
        "number of samples", cfg.n_samples, minimum=lim.min_samples, maximum=lim.max_samples
    )
    noise = finite_number("noise", cfg.noise, minimum=0.0, maximum=1.0)
    test = finite_number("test share", cfg.test_fraction, minimum=0.1, maximum=0.9)
    feats = tuple(cfg.features)
    for f in feats:
        choose("feature", f, dict.fromkeys(FEATURES))
    if not feats or len(set(feats)) != len(feats):
        raise ValueError(f"features must be distinct and at least one, got {list(feats)}")
    seed = whole_number("seed", cfg.seed, minimum=0, maximum=2**32 - 1)
    if len(cfg.hidden) > lim.max_layers:
        raise ValueError(f"{len(cfg.hidden)} hidden layers is over the limit of {lim.max_layers}")
    hidden = tuple(
        whole_number(f"hidden layer {i + 1} size", h, minimum=1, maximum=lim.max_neurons)
        for i, h in enumerate(cfg.hidden)
    )
    choose("activation", cfg.activation, ACTIVATIONS, HIDDEN_ACTIVATIONS)
    choose("output activation", cfg.output_activation, ACTIVATIONS)
    cost = choose("cost", cfg.cost, COSTS)
    if cost.outputs is not None and cfg.output_activation not in cost.outputs:
        raise ValueError(
            f"cost {cfg.cost!r} needs output activation {' or '.join(cost.outputs)},"
            f" not {cfg.output_activation!r}"
        )
    choose("init", cfg.init, INITS)
    choose("optimizer", cfg.optimizer, OPTIMIZERS)
    eta = finite_number("learning rate", cfg.eta, minimum=ETA_RANGE[0], maximum=ETA_RANGE[1])
    bs = whole_number("batch size", cfg.batch_size, minimum=1, maximum=lim.max_batch_size)
    choose("regularization", cfg.regularization, dict.fromkeys(REGULARIZATIONS))
    lmbda = finite_number("lambda", cfg.lmbda, minimum=LMBDA_RANGE[0], maximum=LMBDA_RANGE[1])
    return replace(
        cfg,
        n_samples=n,
        noise=noise,
        test_fraction=test,
        features=feats,
        seed=seed,
        hidden=hidden,
        eta=eta,
        batch_size=bs,
        lmbda=lmbda,
    )


# -------------------------------------------------------------------------- URL
def _fmt(value: object) -> str:
    if isinstance(value, tuple):
        return ",".join(str(v) for v in value)
    if isinstance(value, float):
        return repr(value)
    return str(value)


def to_query(cfg: PlaygroundConfig) -> dict[str, str]:
    """Query parameters for ``cfg``: every field, so a copied URL is complete."""
    return {URL_KEYS[f.name]: _fmt(getattr(cfg, f.name)) for f in fields(cfg)}


def _parse(name: str, raw: str) -> object:
    default = getattr(DEFAULT, name)
    if isinstance(default, tuple):
        parts = [p.strip() for p in raw.split(",") if p.strip()]
        if name == "hidden":
            return tuple(whole_number("hidden layer size", p, minimum=1) for p in parts)
        return tuple(parts)
    if isinstance(default, bool):
        return raw
    if isinstance(default, int):
        return whole_number(name, raw, minimum=0)
    if isinstance(default, float):
        return finite_number(name, raw)
    return raw


def _check_field(name: str, value: object, limits: Limits | None) -> None:
    """Check one field alone (the output/cost pair is checked together afterwards)."""
    if name == "output_activation":
        choose("output activation", value, ACTIVATIONS)
    elif name == "cost":
        choose("cost", value, COSTS)
    else:
        check(replace(DEFAULT, **{name: value}), limits)


def _unknown_notice(keys: list[str], shown: int = 5) -> str:
    """One notice for all unknown keys (a few named, each shortened), however many."""
    names = ", ".join(repr(k if len(k) <= 40 else k[:37] + "...") for k in keys[:shown])
    if len(keys) == 1:
        return f"Ignored unknown URL parameter {names}."
    more = f" and {len(keys) - shown} more" if len(keys) > shown else ""
    return f"Ignored {len(keys)} unknown URL parameters: {names}{more}."


def from_query(
    params: Mapping[str, str | list[str]], limits: Limits | None = None
) -> tuple[PlaygroundConfig, list[str]]:
    """The config in ``params`` and notices for each parameter that fell back to its default.

    Unknown keys are ignored with a notice. After the fields are read one by one, the
    whole config is checked; fields that clash (e.g. cost and output activation) are reset.
    """
    notices: list[str] = []
    values: dict[str, object] = {}
    unknown: list[str] = []
    by_key = {v: k for k, v in URL_KEYS.items()}
    for key, raw in params.items():
        if isinstance(raw, list):
            raw = raw[-1] if raw else ""
        if key not in by_key:
            if key not in VIEW_KEYS:
                unknown.append(key)
            continue
        name = by_key[key]
        if len(raw) > MAX_URL_VALUE:
            notices.append(f"URL parameter {key!r} is too long; using the default.")
            continue
        try:
            value = _parse(name, raw)
            _check_field(name, value, limits)
        except (ValueError, TypeError) as e:
            shown = _fmt(getattr(DEFAULT, name))
            why = str(e) if len(str(e)) <= 160 else str(e)[:157] + "..."
            notices.append(f"URL parameter {key}={raw[:40]!r} is invalid ({why}); using {shown!r}.")
            continue
        values[name] = value
    if unknown:
        notices.append(_unknown_notice(unknown))
    cfg = replace(DEFAULT, **values)
    info = DATASETS.get(cfg.dataset)
    if info is not None and info.task == "regression" and cfg.output_activation == "softmax":
        notices.append(
            f"Dataset {cfg.dataset!r} has one output, which softmax cannot use (URL parameter"
            " 'out'); using a sigmoid output with quadratic cost."
        )
        cfg = replace(cfg, output_activation="sigmoid", cost="quadratic")
    try:
        return check(cfg, limits), notices
    except ValueError as e:
        clash = ("output_activation", "cost")
        notices.append(f"The URL's settings clash ({e}); using the default output and cost.")
        cfg = replace(cfg, **{k: getattr(DEFAULT, k) for k in clash})
    try:
        return check(cfg, limits), notices
    except ValueError as e:  # pragma: no cover - every field was checked alone above
        notices.append(f"The URL's settings are inconsistent ({e}); using the defaults.")
        return DEFAULT, notices
