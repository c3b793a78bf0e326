"""The Playground's configuration, its presets and its URL encoding (no streamlit here).

Every choice a user makes lives in one frozen :class:`PlaygroundConfig`. It is written to
the URL's query parameters (short keys, see :data:`URL_KEYS`) so that copying the address
reproduces the run, seed included. :func:`from_query` reads them back; an invalid or
tampered parameter falls back to its default and yields a notice naming it.

Each field is checked by the engine's own declaration of it (:data:`FIELDS`, constraints of
``backprop.params``, some narrowed to the ranges the sidebar offers and named as a visitor
reads them), so the Playground never accepts what the engine would refuse.

The URL also carries the *moment* of a run, which is not configuration: the step it
reached and what is on screen (:data:`MOMENT_URL_KEYS`, read and written by
``backprop.ui.moment``), and a run pinned for comparison (:data:`PIN_URL_KEYS`: its config
as one URL-encoded query string, :func:`pin_query`, and its step; read back by
:func:`pin_from_query`, used by ``backprop.ui.compare``); :func:`from_query` leaves those
keys alone. :func:`differences` names the fields two configs differ in.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields, replace
from urllib.parse import parse_qsl, urlencode

from ..datasets import DATASETS
from ..limits import Limits, default_limits
from ..params import DATA, NETWORK, NUMBER, TRAINER, WHOLE, Constraint, check_all
from ..validation import finite_number, whole_number

UPLOADED = ("csv", "mnist")  # datasets that come from the user's files

DATASET_CHOICES = tuple(DATASETS) + UPLOADED
MAX_URL_VALUE = 200  # characters; longer parameter values are refused outright
ETA_RANGE = (1e-5, 1e6)  # up to rates that wreck training: the guard explains what happened
LMBDA_RANGE = (0.0, 100.0)

# The config's fields as the engine declares them (URL parsing aside): the same kinds,
# registries and limits; narrower ranges where the sidebar offers less, and whole numbers
# read from text. ``hidden`` is checked as ``hidden_layers`` (its length) and one
# ``hidden_size`` per layer, ``features`` as one ``feature`` each.
FIELDS: dict[str, Constraint] = {
    # the engine's data sets, and the uploads the Playground loads by other functions
    "dataset": replace(DATA["dataset"], options=dict.fromkeys(DATASET_CHOICES)),
    "n_samples": DATA["n_samples"].narrowed(label="number of samples"),
    "noise": DATA["noise"],
    "test_fraction": DATA["test_fraction"].narrowed(
        label="test share", kind=NUMBER, minimum=0.1, maximum=0.9
    ),
    "feature": DATA["feature"],
    "seed": DATA["seed"],  # the seed of the data and of the network: one range, Limits'
    "hidden_layers": NETWORK["hidden_layers"],
    "hidden_size": NETWORK["hidden_size"].narrowed(kind=WHOLE),
    "activation": NETWORK["activation"],
    "output_activation": NETWORK["output_activation"],
    "cost": NETWORK["cost"],
    "init": NETWORK["init"],
    "optimizer": TRAINER["optimizer"],
    "eta": TRAINER["eta"].narrowed(
        label="learning rate", minimum=ETA_RANGE[0], maximum=ETA_RANGE[1], positive=False
    ),
    "batch_size": TRAINER["batch_size"].narrowed(kind=WHOLE),
    "regularization": TRAINER["regularization"],
    "lmbda": TRAINER["lmbda"].narrowed(
        label="lambda", minimum=LMBDA_RANGE[0], maximum=LMBDA_RANGE[1]
    ),
}
_DATA_FIELDS = ("dataset", "n_samples", "noise", "test_fraction")  # in the order checked
_OUTPUT_FIELDS = ("activation", "output_activation", "cost")


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
# layer and quantity, probe sample, the output's test points and flat classes. Not part of
# the config: changing one rebuilds nothing.
MOMENT_URL_KEYS = ("step", "view", "tab", "layer", "q", "sample", "show_test", "discretize")
# A run pinned for comparison (backprop.ui.compare): its config's query string and its step
PIN_URL_KEYS = ("pin", "pin_step")
MAX_PIN_VALUE = 2000  # characters of a pinned config's query string (every field, encoded)
# URL parameters of the view, not of the run (the moment, presentation mode and the pinned
# run): read by the pages that show them, kept when the sidebar rewrites the run's, never
# "unknown"
EDITS_URL_KEY = "edits"  # the hand-edited training data (backprop.ui.handson)
HIDE_URL_KEY = "hide"  # a lesson link's hidden controls (backprop.ui.lessons)
PRESET_URL_KEY = "preset"  # a lesson link's preset, expanded into the config on arrival
VIEW_KEYS = ("present", *MOMENT_URL_KEYS, *PIN_URL_KEYS, EDITS_URL_KEY, HIDE_URL_KEY)

# How a visitor reads each field (the sidebar's words), for naming what differs
FIELD_LABELS = {
    "dataset": "dataset",
    "n_samples": "samples",
    "noise": "noise",
    "test_fraction": "test share",
    "features": "input features",
    "seed": "seed",
    "hidden": "hidden layer sizes",
    "activation": "activation",
    "output_activation": "output activation",
    "cost": "cost",
    "init": "initialisation",
    "optimizer": "optimiser",
    "eta": "learning rate",
    "batch_size": "mini-batch size",
    "regularization": "regularisation",
    "lmbda": "lambda",
}
# the fields that make the data (seed: the network's too)
DATA_FIELDS = (*_DATA_FIELDS, "seed")

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
    data = check_all(FIELDS, {k: getattr(cfg, k) for k in _DATA_FIELDS}, limits=lim)
    feats = tuple(cfg.features)
    for f in feats:
        FIELDS["feature"].check(f)
    if not feats or len(set(feats)) != len(feats):
        raise ValueError(f"features must be distinct and at least one, got {list(feats)}")
    seed = FIELDS["seed"].check(cfg.seed, limits=lim)
    FIELDS["hidden_layers"].check(len(cfg.hidden), limits=lim)
    hidden = tuple(
        FIELDS["hidden_size"].check(h, limits=lim, i=i + 1) for i, h in enumerate(cfg.hidden)
    )
    cost = check_all(FIELDS, {k: getattr(cfg, k) for k in _OUTPUT_FIELDS}, limits=lim)["cost"]
    if cost.outputs is not None and cfg.output_activation not in cost.outputs:
        raise ValueError(
            f"cost {cfg.cost!r} needs output activation {' or '.join(cost.outputs)},"
            f" not {cfg.output_activation!r}"
        )
    later = ("init", *TRAINING_FIELDS)
    train = check_all(FIELDS, {k: getattr(cfg, k) for k in later}, limits=lim)
    return replace(
        cfg,
        n_samples=data["n_samples"],
        noise=data["noise"],
        test_fraction=data["test_fraction"],
        features=feats,
        seed=seed,
        hidden=hidden,
        eta=train["eta"],
        batch_size=train["batch_size"],
        lmbda=train["lmbda"],
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
            low = FIELDS["hidden_size"].minimum  # the upper bound is checked per layer
            return tuple(whole_number("hidden layer size", p, minimum=low) for p in parts)
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
    if name in FIELDS:
        FIELDS[name].check(value, limits=limits)
    else:  # hidden and features, tuples: checked with the other fields' defaults
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


# ------------------------------------------------------------------- comparison
def shown_value(value: object) -> str:
    """A field's value as the diff shows it: ``4, 4`` for a tuple, ``0.3`` for a float."""
    if isinstance(value, tuple):
        return ", ".join(str(v) for v in value)
    if isinstance(value, float):
        return f"{value:.12g}"
    return str(value)


def differences(a: PlaygroundConfig, b: PlaygroundConfig) -> list[tuple[str, str, str]]:
    """``(label, a's value, b's value)`` of every field in which ``b`` differs from ``a``, in
    the order of the config's fields (:data:`FIELD_LABELS` names them); empty if equal."""
    out = []
    for f in fields(PlaygroundConfig):
        va, vb = getattr(a, f.name), getattr(b, f.name)
        if va != vb:
            out.append((FIELD_LABELS.get(f.name, f.name), shown_value(va), shown_value(vb)))
    return out


def describe_differences(a: PlaygroundConfig, b: PlaygroundConfig) -> str:
    """``"B differs from A in: learning rate 3 → 0.3"`` (each changed field, ``; ``
    between them), or that B has A's settings."""
    diff = differences(a, b)
    if not diff:
        return "B has the same settings as A."
    return "B differs from A in: " + "; ".join(f"{n} {va} → {vb}" for n, va, vb in diff) + "."


def data_differs(a: PlaygroundConfig, b: PlaygroundConfig) -> bool:
    """Whether the two configs make different data (:data:`DATA_FIELDS`)."""
    return any(getattr(a, k) != getattr(b, k) for k in DATA_FIELDS)


def pin_query(cfg: PlaygroundConfig, step: int) -> dict[str, str]:
    """The URL parameters of a run pinned at ``step``: ``pin`` (the config's query string,
    :func:`to_query`, URL-encoded) and ``pin_step``."""
    return {"pin": urlencode(to_query(cfg)), "pin_step": str(int(step))}


def pin_from_query(raw: str, limits: Limits | None = None) -> tuple[PlaygroundConfig, list[str]]:
    """The config in a ``pin`` parameter and notices for what fell back to its default
    (as :func:`from_query`; keys of the moment or of another pin are unknown here).
    ValueError if the value is too long, holds too many fields or names no setting."""
    if len(raw) > MAX_PIN_VALUE:
        raise ValueError(f"it is longer than {MAX_PIN_VALUE:,} characters")
    most = 2 * len(URL_KEYS)
    try:
        pairs = parse_qsl(raw, keep_blank_values=True, max_num_fields=most)
    except ValueError:
        raise ValueError(f"it holds more than {most} fields") from None
    params = dict(pairs)  # a repeated key: the last one
    by_key = set(URL_KEYS.values())
    if not by_key & set(params):
        raise ValueError("it names no setting of a run")
    unknown = [k for k in params if k not in by_key]
    cfg, notices = from_query({k: v for k, v in params.items() if k in by_key}, limits)
    return cfg, notices + ([_unknown_notice(unknown)] if unknown else [])
