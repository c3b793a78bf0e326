"""The declared parameter constraints (backprop/params.py) and the fixed ranges of Limits."""

from __future__ import annotations

import re
from dataclasses import fields, replace

import numpy as np
import pytest

from backprop import (
    ACTIVATIONS,
    COSTS,
    HIDDEN_ACTIVATIONS,
    INITS,
    OPTIMIZERS,
    REGULARIZATIONS,
    Network,
)
from backprop.datasets import DATASETS, FEATURES, load
from backprop.limits import Limits
from backprop.params import (
    CHOICE,
    DATA,
    FRACTION,
    INTEGER,
    NETWORK,
    NUMBER,
    TRAINER,
    WHOLE,
    Constraint,
    check,
    check_all,
)
from backprop.precision import DTYPES
from backprop.ui.config import DEFAULT, ETA_RANGE, FIELDS, LMBDA_RANGE, UPLOADED, from_query
from backprop.ui.config import check as check_config

TABLES = {"NETWORK": NETWORK, "TRAINER": TRAINER, "DATA": DATA}
LIM = Limits()

# table, name, a value it refuses, the message (a regular expression)
REFUSED = [
    (NETWORK, "input_size", 0, r"^input size must be >= 1, got 0$"),
    (NETWORK, "input_size", 1025, r"^input size must be <= 1024 \(the configured limit\)"),
    (NETWORK, "output_size", 65, r"^output size must be <= 64 "),
    (NETWORK, "output_size", "3", r"^output size must be an integer .*\(str\)$"),
    (NETWORK, "hidden_size", 257, r"^hidden layer 2 size must be <= 256 "),
    (NETWORK, "hidden_size", 3.0, r"^hidden layer 2 size must be an integer .*\(float\)$"),
    (NETWORK, "hidden_layers", 9, r"^9 hidden layers is over the limit of 8$"),
    (NETWORK, "activation", "softmax", r"^unknown activation 'softmax'; valid choices: sigm"),
    (NETWORK, "output_activation", "nope", r"^unknown output activation 'nope'"),
    (NETWORK, "cost", "nope", r"^unknown cost 'nope'; valid choices: quadratic"),
    (NETWORK, "init", 3, r"^unknown init 3; valid choices: standard"),
    (NETWORK, "seed", -1, r"^seed must be >= 0, got -1$"),
    (NETWORK, "seed", 2**32, r"^seed must be <= 4294967295 \(the configured limit\)"),
    (NETWORK, "seed", True, r"^seed must be an integer .*\(bool\)$"),
    (TRAINER, "eta", 0, r"^eta \(learning rate\) must be > 0, got 0$"),
    (TRAINER, "eta", float("nan"), r"^eta \(learning rate\) must be finite, got nan$"),
    (TRAINER, "eta", "fast", r"^eta \(learning rate\) must be a number, got 'fast'$"),
    (TRAINER, "batch_size", 0, r"^batch size must be >= 1, got 0$"),
    (TRAINER, "batch_size", 10_001, r"^batch size must be <= 10000 "),
    (TRAINER, "optimizer", "sgdd", r"^unknown optimizer 'sgdd'; valid choices: sgd"),
    (TRAINER, "regularization", "l3", r"^unknown regularization 'l3'; valid choices: none"),
    (TRAINER, "lmbda", -0.1, r"^lmbda \(regularisation\) must be >= 0\.0, got -0\.1$"),
    (TRAINER, "momentum", 1.5, r"^momentum must be <= 1\.0, got 1\.5$"),
    (TRAINER, "momentum", -1, r"^momentum must be >= 0\.0, got -1$"),
    (TRAINER, "eval_every", -1, r"^eval_every must be >= 0, got -1$"),
    (TRAINER, "eval_samples", 0, r"^eval_samples must be >= 1, got 0$"),
    (TRAINER, "snapshot_every", 1.0, r"^snapshot_every must be an integer"),
    (TRAINER, "probe_size", 0, r"^probe size must be >= 1, got 0$"),
    (TRAINER, "snapshot_budget_mb", -1, r"^snapshot budget \(MB\) must be >= 0\.0, got -1$"),
    (TRAINER, "epochs", 0, r"^epochs must be >= 1, got 0$"),
    (TRAINER, "epochs", 1001, r"^epochs must be <= 1000 "),
    (TRAINER, "dtype", "float16", r"^unknown dtype 'float16'; valid choices: float64, float32$"),
    (DATA, "dataset", "CSV", r"^unknown dataset 'CSV'; valid choices: circle"),
    (DATA, "n_samples", 9, r"^n_samples must be >= 10, got 9$"),
    (DATA, "n_samples", 70_001, r"^n_samples must be <= 70000 "),
    (DATA, "n_samples", 2.5, r"^n_samples must be a whole number, got 2\.5$"),
    (DATA, "noise", 1.01, r"^noise must be <= 1\.0, got 1\.01$"),
    (DATA, "test_fraction", 1, r"^test_fraction must be between 0 and 1 \(exclusive\), got 1$"),
    (DATA, "test_fraction", 0.0, r"^test_fraction must be between 0 and 1 \(exclusive\)"),
    (DATA, "test_fraction", "x", r"^test_fraction must be a number, got 'x'$"),
    (DATA, "feature", "x3", r"^unknown feature 'x3'; valid choices: x1, x2"),
    (DATA, "seed", 2**32, r"^seed must be <= 4294967295 "),
    (DATA, "seed", "nan", r"^seed must be a whole number, got 'nan'$"),
]


@pytest.mark.parametrize(
    ("table", "name", "value", "pattern"),
    REFUSED,
    ids=[f"{n}={v!r}" for _, n, v, _ in REFUSED],
)
def test_each_constraint_refuses_with_its_message(table, name, value, pattern):
    with pytest.raises(ValueError, match=pattern):
        check(table, name, value, limits=LIM, i=2)


@pytest.mark.parametrize(
    ("table", "name", "value", "expected"),
    [
        (NETWORK, "hidden_size", np.int64(256), 256),
        (NETWORK, "seed", None, None),
        (NETWORK, "seed", np.uint32(2**32 - 1), 2**32 - 1),
        (NETWORK, "cost", "quadratic", COSTS["quadratic"]),
        (NETWORK, "hidden_layers", 8, 8),
        (TRAINER, "eta", "0.5", 0.5),
        (TRAINER, "eval_samples", None, None),
        (TRAINER, "optimizer", "adam", OPTIMIZERS["adam"]),
        (TRAINER, "regularization", "l2", None),
        (DATA, "n_samples", "10", 10),
        (DATA, "test_fraction", 0.999, 0.999),
        (DATA, "dataset", "iris", DATASETS["iris"]),
        (DATA, "seed", 7.0, 7),
    ],
)
def test_a_valid_value_comes_back_converted(table, name, value, expected):
    got = check(table, name, value, limits=LIM)
    assert got == expected and type(got) is type(expected)


def test_every_choice_offers_exactly_its_registry():
    registries = {
        ("NETWORK", "activation"): list(HIDDEN_ACTIVATIONS),
        ("NETWORK", "output_activation"): list(ACTIVATIONS),
        ("NETWORK", "cost"): list(COSTS),
        ("NETWORK", "init"): list(INITS),
        ("TRAINER", "optimizer"): list(OPTIMIZERS),
        ("TRAINER", "regularization"): list(REGULARIZATIONS),
        ("TRAINER", "dtype"): list(DTYPES),
        ("DATA", "dataset"): list(DATASETS),
        ("DATA", "feature"): list(FEATURES),
    }
    declared = {(t, n) for t, table in TABLES.items() for n, c in table.items() if c.kind == CHOICE}
    assert declared == set(registries)
    for (t, name), keys in registries.items():
        table = TABLES[t]
        assert table[name].choices() == keys, name
        assert set(keys) <= set(table[name].registry()), name
        for key in keys:
            check(table, name, key)
    assert NETWORK["activation"].registry() is ACTIVATIONS  # softmax is an output only
    assert "softmax" not in NETWORK["activation"].choices()


def test_bounds_naming_limits_follow_the_limits_given():
    lim = Limits(max_samples=50, max_neurons=4, max_batch_size=20, max_epochs=3)
    assert DATA["n_samples"].bounds(lim) == (10, 50)
    assert NETWORK["hidden_size"].bounds(lim) == (1, 4)
    with pytest.raises(ValueError, match=r"^hidden layer 1 size must be <= 4 "):
        check(NETWORK, "hidden_size", 5, limits=lim, i=1)
    with pytest.raises(ValueError, match=r"^epochs must be <= 3 "):
        check(TRAINER, "epochs", 4, limits=lim)
    # cap lowers the maximum further (the batch size to the training set), never raises it
    assert check(TRAINER, "batch_size", 20, limits=lim, cap=30) == 20
    with pytest.raises(ValueError, match=r"^batch size must be <= 12 "):
        check(TRAINER, "batch_size", 13, limits=lim, cap=12)


def test_bounds_read_the_limits_in_force_when_none_are_given(monkeypatch):
    monkeypatch.setenv("BACKPROP_MAX_SAMPLES", "100")
    assert DATA["n_samples"].bounds() == (10, 100)
    with pytest.raises(ValueError, match=r"^n_samples must be <= 100 "):
        check(DATA, "n_samples", 101)


def test_check_all_converts_in_order_and_names_the_first_bad_value():
    good = {"eta": "0.25", "batch_size": np.int32(4), "lmbda": 0, "optimizer": "sgd"}
    assert check_all(TRAINER, good, caps={"batch_size": 4}) == {
        "eta": 0.25,
        "batch_size": 4,
        "lmbda": 0.0,
        "optimizer": OPTIMIZERS["sgd"],
    }
    with pytest.raises(ValueError, match=r"^batch size must be <= 3 "):
        check_all(TRAINER, {**good, "lmbda": -1}, caps={"batch_size": 3})
    with pytest.raises(ValueError, match=r"^lmbda"):
        check_all(TRAINER, {**good, "lmbda": -1})
    with pytest.raises(KeyError):
        check_all(TRAINER, {"speed": 1})


def test_every_constraint_is_declared_consistently():
    for table in TABLES.values():
        for name, c in table.items():
            assert c.name == name
            assert c.label and c.label == c.label.strip()
            if c.kind in (INTEGER, WHOLE):
                assert isinstance(c.minimum, (int, str)), name  # an int bound prints as one
            if c.kind == FRACTION:
                assert c.minimum is not None and c.maximum is not None, name


# ------------------------------------------------------------------- narrowing
ETA = TRAINER["eta"]


@pytest.mark.parametrize(
    "changes",
    [
        {"label": "learning rate", "minimum": 1e-5, "maximum": 1e6, "positive": False},
        {"minimum": 0.0},  # still > 0: positive stays
        {"maximum": 10.0},
    ],
)
def test_narrowing_within_the_range_is_allowed(changes):
    new = ETA.narrowed(**changes)
    assert new.name == ETA.name
    for k, v in changes.items():
        assert getattr(new, k) == v


@pytest.mark.parametrize(
    ("base", "changes"),
    [
        (ETA, {"positive": False}),  # would take 0
        (ETA, {"positive": False, "minimum": 0.0}),
        (ETA, {"optional": True}),
        (TRAINER["lmbda"], {"minimum": -1.0}),
        (TRAINER["momentum"], {"maximum": 2.0}),
        (TRAINER["momentum"], {"maximum": None}),
        (DATA["test_fraction"], {"kind": NUMBER, "minimum": 0.0, "maximum": 0.9}),  # takes 0
        (DATA["test_fraction"], {"maximum": 2}),
        (DATA["n_samples"], {"maximum": 10**9}),  # a Limits cap may not become a number
        (DATA["n_samples"], {"minimum": 1}),
        (NETWORK["hidden_size"], {"kind": NUMBER}),  # would take 2.5
        (NETWORK["cost"], {"allowed": ("quadratic", "hinge")}),
    ],
)
def test_narrowing_refuses_to_widen(base, changes):
    with pytest.raises(ValueError, match="accepts values that"):
        base.narrowed(**changes)


def test_a_narrowed_constraint_checks_with_its_own_label_and_range():
    lr = ETA.narrowed(label="learning rate", minimum=1e-5, maximum=1e6, positive=False)
    with pytest.raises(ValueError, match=r"^learning rate must be >= 1e-05, got 0$"):
        lr.check(0)
    with pytest.raises(ValueError, match=r"^learning rate must be <= 1000000\.0"):
        lr.check(1e7)
    share = DATA["test_fraction"].narrowed(
        label="test share", kind=NUMBER, minimum=0.1, maximum=0.9
    )
    with pytest.raises(ValueError, match=r"^test share must be >= 0\.1, got 0\.05$"):
        share.check(0.05)


def test_a_malformed_declaration_is_refused():
    with pytest.raises(ValueError, match="unknown kind"):
        Constraint("x", "string", "x")
    with pytest.raises(ValueError, match="options go with kind"):
        Constraint("x", NUMBER, "x", options={"a": 1})
    with pytest.raises(ValueError, match="options go with kind"):
        Constraint("x", CHOICE, "x")


# ---------------------------------------------------------------------- limits
def test_the_seed_range_is_fixed_and_32_bit():
    assert (Limits.min_seed, Limits.max_seed) == (0, 2**32 - 1)
    for c in (NETWORK["seed"], DATA["seed"]):
        assert c.bounds() == (0, 2**32 - 1)
    env = {"BACKPROP_MAX_SEED": "5", "BACKPROP_MIN_SAMPLES": "2"}
    lim = Limits.from_env(env)  # not fields: no environment variable moves them
    assert (lim.max_seed, lim.min_samples) == (2**32 - 1, 10)
    assert not {"min_seed", "max_seed", "min_samples"} & {f.name for f in fields(Limits)}


# ------------------------------------------------------------ the UI's fields
ENGINE = {
    "dataset": DATA["dataset"],
    "n_samples": DATA["n_samples"],
    "noise": DATA["noise"],
    "test_fraction": DATA["test_fraction"],
    "feature": DATA["feature"],
    "seed": NETWORK["seed"],  # the network's seed: strict ints, and None
    "hidden_layers": NETWORK["hidden_layers"],
    "hidden_size": NETWORK["hidden_size"],
    "activation": NETWORK["activation"],
    "output_activation": NETWORK["output_activation"],
    "cost": NETWORK["cost"],
    "init": NETWORK["init"],
    "optimizer": TRAINER["optimizer"],
    "eta": TRAINER["eta"],
    "batch_size": TRAINER["batch_size"],
    "regularization": TRAINER["regularization"],
    "lmbda": TRAINER["lmbda"],
}


def test_every_ui_field_accepts_only_what_the_engine_accepts():
    assert set(FIELDS) == set(ENGINE)
    for name, field in FIELDS.items():
        engine = ENGINE[name]
        assert field.name == engine.name, name
        if name == "dataset":  # the uploads are loaded by load_csv / load_mnist
            assert field.choices() == [*engine.choices(), *UPLOADED]
        else:
            assert field.within(engine), name
    assert FIELDS["seed"].within(DATA["seed"])


@pytest.mark.parametrize("name", [n for n, c in FIELDS.items() if c.kind == CHOICE])
def test_the_ui_offers_the_engines_choices(name):
    if name != "dataset":
        assert FIELDS[name].choices() == ENGINE[name].choices()
    for choice in FIELDS[name].choices():
        FIELDS[name].check(choice)


def test_ui_and_engine_agree_on_the_seed_cap():
    top = Limits.max_seed
    assert FIELDS["seed"].bounds() == NETWORK["seed"].bounds() == DATA["seed"].bounds()
    assert FIELDS["seed"].bounds() == (0, top)
    cfg, notices = from_query({"seed": str(top)})
    assert notices == [] and cfg.seed == top
    assert Network([2, 3, 2], seed=cfg.seed).seed == top  # the engine takes the UI's largest
    assert load("circle", n_samples=10, seed=cfg.seed).X_train.shape[0] == 2
    message = f"seed must be <= {top} (the configured limit), got {top + 1}"
    cfg, notices = from_query({"seed": str(top + 1)})
    assert cfg.seed == DEFAULT.seed and len(notices) == 1 and message in notices[0]
    for refuse in (
        lambda: Network([2, 3, 2], seed=top + 1),
        lambda: load("circle", n_samples=10, seed=top + 1),
        lambda: check_config(replace(DEFAULT, seed=top + 1)),
    ):
        with pytest.raises(ValueError, match=re.escape(message)):
            refuse()


def test_ui_ranges_come_from_the_declarations():
    lim = Limits(max_samples=60, max_batch_size=7, max_layers=2, max_neurons=5)
    assert FIELDS["n_samples"].bounds(lim) == (Limits.min_samples, 60)
    assert FIELDS["batch_size"].bounds(lim) == (1, 7)
    assert FIELDS["hidden_layers"].bounds(lim) == (0, 2)
    assert FIELDS["hidden_size"].bounds(lim) == (1, 5)
    assert FIELDS["eta"].bounds() == ETA_RANGE and FIELDS["lmbda"].bounds() == LMBDA_RANGE
    assert FIELDS["test_fraction"].bounds() == (0.1, 0.9)
    small = replace(DEFAULT, n_samples=60)
    with pytest.raises(ValueError, match=r"^batch size must be <= 7 "):
        check_config(replace(small, batch_size=8), lim)
    with pytest.raises(ValueError, match=r"^number of samples must be >= 10, got 9$"):
        check_config(replace(DEFAULT, n_samples=9))
    with pytest.raises(ValueError, match=r"^3 hidden layers is over the limit of 2$"):
        check_config(replace(small, hidden=(1, 1, 1)), lim)
    with pytest.raises(ValueError, match=r"^hidden layer 2 size must be <= 5 "):
        check_config(replace(small, hidden=(1, 6)), lim)
    assert check_config(replace(small, hidden=(5, 5), batch_size=7), lim).hidden == (5, 5)
