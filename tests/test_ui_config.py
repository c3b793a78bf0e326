"""The Playground's config, presets and URL codec (backprop/ui/config.py), without streamlit."""

from __future__ import annotations

from dataclasses import fields, replace

import pytest
from helpers import BASE  # a valid config that differs from DEFAULT everywhere
from hypothesis import given
from hypothesis import strategies as st

from backprop import ACTIVATIONS, COSTS, HIDDEN_ACTIVATIONS, INITS, OPTIMIZERS, REGULARIZATIONS
from backprop.datasets import DATASETS, FEATURES
from backprop.limits import Limits
from backprop.ui.config import (
    DATASET_CHOICES,
    DEFAULT,
    ETA_RANGE,
    FIELD_LABELS,
    MAX_PIN_VALUE,
    MAX_URL_VALUE,
    PIN_URL_KEYS,
    PRESETS,
    TRAINING_FIELDS,
    URL_KEYS,
    VIEW_KEYS,
    PlaygroundConfig,
    check,
    data_differs,
    describe_differences,
    differences,
    from_query,
    pin_from_query,
    pin_query,
    to_query,
)

FIELD_OF = {v: k for k, v in URL_KEYS.items()}


def names_key(notice: str, key: str) -> bool:
    """Whether a notice names the URL parameter ``key`` (as ``key=...`` or ``'key'``)."""
    return f"parameter {key}=" in notice or f"parameter {key!r}" in notice


# ------------------------------------------------------------------ the basics
def test_base_differs_from_default_in_every_field_and_is_valid():
    for f in fields(PlaygroundConfig):
        assert getattr(BASE, f.name) != getattr(DEFAULT, f.name), f.name
    assert check(BASE) == BASE


def test_url_keys_cover_every_field_once():
    assert set(URL_KEYS) == {f.name for f in fields(PlaygroundConfig)}
    assert len(set(URL_KEYS.values())) == len(URL_KEYS)


@pytest.mark.parametrize(
    "cfg", [DEFAULT, BASE, *PRESETS.values()], ids=["default", "base", *PRESETS]
)
def test_round_trip(cfg):
    query = to_query(cfg)
    assert set(query) == set(URL_KEYS.values())  # every field, so a copied URL is complete
    assert all(isinstance(v, str) and len(v) <= MAX_URL_VALUE for v in query.values())
    back, notices = from_query(query)
    assert notices == []
    assert back == cfg
    assert to_query(back) == query


@pytest.mark.parametrize("name", list(PRESETS))
def test_presets_are_valid_and_distinct(name):
    preset = PRESETS[name]
    assert check(preset) == preset
    others = [p for n, p in PRESETS.items() if n != name]
    assert preset not in others and preset != DEFAULT


def test_empty_query_is_the_default():
    assert from_query({}) == (DEFAULT, [])


def test_repeated_parameter_uses_the_last_value():
    cfg, notices = from_query({"ds": ["xor", "spiral"], "eta": ["0.5"], "bs": []})
    assert (cfg.dataset, cfg.eta) == ("spiral", 0.5)
    assert cfg.batch_size == DEFAULT.batch_size  # an empty list is an empty value: invalid
    assert len(notices) == 1 and names_key(notices[0], "bs")


def test_zero_hidden_layers_is_valid():
    cfg, notices = from_query({"hidden": ""})
    assert cfg.hidden == () and notices == []


def test_network_key_and_training_fields():
    assert set(TRAINING_FIELDS) == {"optimizer", "eta", "batch_size", "regularization", "lmbda"}
    assert DEFAULT.network_key() == replace(DEFAULT, **BASE.training()).network_key()
    for f in fields(PlaygroundConfig):
        changed = replace(DEFAULT, **{f.name: getattr(BASE, f.name)})
        same = changed.network_key() == DEFAULT.network_key()
        assert same == (f.name in TRAINING_FIELDS), f.name
    assert BASE.training() == {k: getattr(BASE, k) for k in TRAINING_FIELDS}


# ------------------------------------------------------- invalid single fields
LONG = "9" * (MAX_URL_VALUE + 50)
INVALID = {
    "ds": ["nope", "CIRCLE", "", "circle; drop"],
    "n": ["abc", "nan", "inf", "-5", "0", "9", "1e9", "12.5", "70001"],
    "noise": ["abc", "nan", "inf", "-inf", "-0.1", "1.5"],
    "test": ["0", "0.05", "0.95", "nan", "half"],
    "feat": ["x3", "", ",", "x1,x1", "X1"],
    "seed": ["-1", "abc", "4294967296", "1.5", "inf", "nan"],
    "hidden": ["4,0", "0", "4,-1", "abc", "1000", "257", "4,4,4,4,4,4,4,4,4", "nan", "inf", "4.5"],
    "act": ["softmax", "swish", "", "Tanh"],
    "out": ["swish", "", "gelu"],
    "cost": ["hinge", "", "mse"],
    "init": ["glorot", ""],
    "opt": ["rmsprop", ""],
    "eta": ["0", "-0.1", "1e-6", "2e6", "nan", "inf", "abc", ""],
    "bs": ["0", "-1", "abc", "1e9", "2.5", "10001"],
    "reg": ["l3", "", "L2"],
    "lmbda": ["-1", "101", "nan", "inf", "x"],
}
INVALID_CASES = [(k, v) for k, vals in INVALID.items() for v in vals]
INVALID_CASES += [(k, LONG) for k in URL_KEYS.values()]


def test_invalid_table_covers_every_key():
    assert set(INVALID) == set(URL_KEYS.values())


@pytest.mark.parametrize(
    ("key", "raw"), INVALID_CASES, ids=[f"{k}={v[:12]}" for k, v in INVALID_CASES]
)
def test_invalid_parameter_falls_back_for_that_field_only(key, raw):
    params = to_query(BASE)
    params[key] = raw
    cfg, notices = from_query(params)
    field = FIELD_OF[key]
    assert cfg == replace(BASE, **{field: getattr(DEFAULT, field)})
    assert len(notices) == 1, notices
    assert names_key(notices[0], key), notices[0]
    assert check(cfg) == cfg


def test_long_value_is_refused_without_echoing_it():
    cfg, notices = from_query({"eta": "0." + "1" * 300})
    assert cfg.eta == DEFAULT.eta
    assert "too long" in notices[0] and len(notices[0]) < 200


def test_value_under_the_length_cap_is_parsed_and_rejected():
    raw = "x" * (MAX_URL_VALUE - 1)
    cfg, notices = from_query({"ds": raw})
    assert cfg == DEFAULT
    assert len(notices) == 1 and names_key(notices[0], "ds")


@pytest.mark.parametrize("key", ["foo", "DS", "page", "eta "])
def test_unknown_key_is_ignored_with_a_notice(key):
    params = {**to_query(BASE), key: "1"}
    cfg, notices = from_query(params)
    assert cfg == BASE
    assert len(notices) == 1 and repr(key) in notices[0] and "unknown" in notices[0]


def test_several_invalid_parameters_each_get_a_notice():
    params = {**to_query(BASE), "n": "-1", "eta": "nan", "act": "softmax", "zzz": "1"}
    cfg, notices = from_query(params)
    assert cfg == replace(BASE, n_samples=DEFAULT.n_samples, eta=DEFAULT.eta, activation="tanh")
    assert len(notices) == 4
    for key in ("n", "eta", "act"):
        assert sum(names_key(n, key) for n in notices) == 1, key
    assert any("'zzz'" in n for n in notices)


def test_limits_are_respected():
    lim = Limits(max_layers=2, max_neurons=8)
    cfg, notices = from_query({"hidden": "4,4,4"}, lim)
    assert cfg.hidden == DEFAULT.hidden and names_key(notices[0], "hidden")
    cfg, notices = from_query({"hidden": "9"}, lim)
    assert cfg.hidden == DEFAULT.hidden and names_key(notices[0], "hidden")
    cfg, notices = from_query({"hidden": "8,8"}, lim)
    assert cfg.hidden == (8, 8) and notices == []


def test_valid_edge_values_are_accepted():
    params = {"eta": repr(ETA_RANGE[0]), "bs": "1", "n": "10", "noise": "1", "lmbda": "100"}
    cfg, notices = from_query(params)
    assert notices == []
    assert (cfg.eta, cfg.batch_size, cfg.n_samples, cfg.noise, cfg.lmbda) == (1e-5, 1, 10, 1, 100)
    cfg, notices = from_query({"eta": "1e6", "seed": str(2**32 - 1), "hidden": " 3 , 2 "})
    assert notices == [] and cfg.eta == 1e6 and cfg.seed == 2**32 - 1 and cfg.hidden == (3, 2)


# ------------------------------------------------------------- cost and output
@pytest.mark.parametrize(
    "params",
    [
        {"cost": "cross_entropy", "out": "tanh"},
        {"cost": "log_likelihood", "out": "linear"},
        {"out": "relu"},  # clashes with the default cost, log-likelihood
        {"cost": "cross_entropy", "out": "tanh", "ds": "xor", "eta": "0.5"},
    ],
)
def test_cost_output_clash_resets_both_and_keeps_the_rest(params):
    cfg, notices = from_query(params)
    assert (cfg.output_activation, cfg.cost) == (DEFAULT.output_activation, DEFAULT.cost)
    assert cfg.dataset == params.get("ds", DEFAULT.dataset)
    assert cfg.eta == float(params.get("eta", DEFAULT.eta))
    assert len(notices) == 1 and "clash" in notices[0]
    assert repr(params.get("cost", DEFAULT.cost)) in notices[0]
    assert check(cfg) == cfg


@pytest.mark.parametrize(
    ("out", "cost"),
    [("linear", "quadratic"), ("tanh", "quadratic"), ("sigmoid", "cross_entropy"),
     ("softmax", "cross_entropy"), ("sigmoid", "log_likelihood"), ("relu", "quadratic")],
)  # fmt: skip
def test_compatible_cost_and_output_are_kept(out, cost):
    assert from_query({"out": out, "cost": cost}) == (
        replace(DEFAULT, output_activation=out, cost=cost),
        [],
    )


def test_check_rejects_the_clash_naming_both():
    with pytest.raises(ValueError, match=r"cross_entropy.*tanh"):
        check(replace(DEFAULT, cost="cross_entropy", output_activation="tanh"))


@pytest.mark.parametrize("name", [n for n, d in DATASETS.items() if d.task == "regression"])
def test_regression_dataset_from_the_url_gets_a_single_output_head(name):
    """One regression output cannot be softmax (the network refuses to build)."""
    cfg, notices = from_query({"ds": name})
    assert cfg.dataset == name
    assert (cfg.output_activation, cfg.cost) == ("sigmoid", "quadratic")
    assert len(notices) == 1 and "softmax" in notices[0]
    ok, notices = from_query({"ds": name, "out": "linear", "cost": "quadratic"})
    assert (ok.output_activation, notices) == ("linear", [])


# --------------------------------------------------------------------- fuzzing
VALID_TOKENS = {
    "ds": list(DATASET_CHOICES),
    "act": list(HIDDEN_ACTIVATIONS),
    "out": list(ACTIVATIONS),
    "cost": list(COSTS),
    "init": list(INITS),
    "opt": list(OPTIMIZERS),
    "reg": list(REGULARIZATIONS),
    "feat": [",".join(FEATURES[:k]) for k in range(1, len(FEATURES) + 1)],
}
ANY_TOKEN = sorted({t for ts in VALID_TOKENS.values() for t in ts})
NUMBERS = ["0", "1", "-1", "0.5", "1e-5", "10", "1e400", "nan", "-inf", "256", "257", "4,4", "1,0"]
values = st.one_of(
    st.text(max_size=30),
    st.text(alphabet="0123456789.,-+eE naif", max_size=12),
    st.sampled_from(ANY_TOKEN + NUMBERS),
    st.text(min_size=MAX_URL_VALUE - 2, max_size=MAX_URL_VALUE + 2, alphabet="1,"),
)
keys = st.one_of(st.sampled_from(sorted(URL_KEYS.values())), st.text(max_size=6))
queries = st.dictionaries(keys, st.one_of(values, st.lists(values, max_size=3)), max_size=20)


@given(queries)
def test_from_query_never_raises_and_returns_a_valid_config(params):
    cfg, notices = from_query(params)
    assert isinstance(cfg, PlaygroundConfig)
    assert check(cfg) == cfg
    assert all(isinstance(n, str) and len(n) < 600 for n in notices)
    # what it returns is itself a clean URL
    assert from_query(to_query(cfg)) == (cfg, [])


valid_configs = st.builds(
    PlaygroundConfig,
    dataset=st.sampled_from(DATASET_CHOICES),
    n_samples=st.integers(10, 70_000),
    noise=st.floats(0, 1),
    test_fraction=st.floats(0.1, 0.9),
    features=st.lists(st.sampled_from(FEATURES), min_size=1, max_size=7, unique=True).map(tuple),
    seed=st.integers(0, 2**32 - 1),
    hidden=st.lists(st.integers(1, 256), max_size=8).map(tuple),
    activation=st.sampled_from(HIDDEN_ACTIVATIONS),
    output_activation=st.sampled_from(["sigmoid", "softmax"]),
    cost=st.sampled_from(list(COSTS)),
    init=st.sampled_from(list(INITS)),
    optimizer=st.sampled_from(list(OPTIMIZERS)),
    eta=st.floats(*ETA_RANGE),
    batch_size=st.integers(1, 10_000),
    regularization=st.sampled_from(REGULARIZATIONS),
    lmbda=st.floats(0, 100),
)


@given(valid_configs)
def test_round_trip_of_any_valid_config(cfg):
    if DATASETS.get(cfg.dataset) and DATASETS[cfg.dataset].task == "regression":
        cfg = replace(cfg, output_activation="sigmoid")
    assert check(cfg) == cfg
    assert from_query(to_query(cfg)) == (cfg, [])


@given(
    valid_configs, st.sampled_from(sorted(URL_KEYS.values())), st.sampled_from(["", "?", "-1e999"])
)
def test_one_bad_parameter_never_disturbs_the_others(cfg, key, raw):
    if DATASETS.get(cfg.dataset) and DATASETS[cfg.dataset].task == "regression":
        cfg = replace(cfg, output_activation="sigmoid")
    params = {**to_query(cfg), key: raw}
    got, notices = from_query(params)
    field = FIELD_OF[key]
    # the bad field falls back; a fallback output may trigger the regression rule on cost
    skip = {field, "cost"} if field == "output_activation" else {field}
    for f in fields(PlaygroundConfig):
        if f.name not in skip:
            assert getattr(got, f.name) == getattr(cfg, f.name), f.name
    if field == "hidden" and raw == "":
        assert got.hidden == () and notices == []  # empty: no hidden layer, valid
    else:
        assert any(names_key(n, key) for n in notices), notices


# ------------------------------------------------------------- two runs compared
def test_equal_configs_have_no_differences():
    assert differences(DEFAULT, replace(DEFAULT)) == []
    assert describe_differences(BASE, BASE) == "B has the same settings as A."


@pytest.mark.parametrize("name", [f.name for f in fields(PlaygroundConfig)])
def test_a_difference_in_one_field_names_exactly_that_field(name):
    b = replace(DEFAULT, **{name: getattr(BASE, name)})
    ((label, va, vb),) = differences(DEFAULT, b)
    assert label == FIELD_LABELS[name]
    assert va != vb
    text = describe_differences(DEFAULT, b)
    assert text == f"B differs from A in: {label} {va} → {vb}."


def test_differences_come_in_field_order_with_readable_values():
    b = replace(DEFAULT, eta=0.3, hidden=(8, 4), activation="relu")
    assert differences(replace(DEFAULT, eta=3.0), b) == [
        ("hidden layer sizes", "4, 4", "8, 4"),
        ("activation", "tanh", "relu"),
        ("learning rate", "3", "0.3"),
    ]
    assert len(differences(DEFAULT, BASE)) == len(fields(PlaygroundConfig))


def test_every_field_has_a_label():
    assert set(FIELD_LABELS) == {f.name for f in fields(PlaygroundConfig)}


def test_data_differs_only_for_the_fields_that_make_the_data():
    assert not data_differs(DEFAULT, replace(DEFAULT, eta=0.5, hidden=(2,), features=("x1",)))
    for name in ("dataset", "n_samples", "noise", "test_fraction", "seed"):
        assert data_differs(DEFAULT, replace(DEFAULT, **{name: getattr(BASE, name)})), name


@pytest.mark.parametrize("cfg", [DEFAULT, BASE, *PRESETS.values()])
def test_a_pin_round_trips_through_its_query_string(cfg):
    q = pin_query(cfg, 123)
    assert set(q) == set(PIN_URL_KEYS) and q["pin_step"] == "123"
    assert "&" in q["pin"] and "," not in q["pin"]  # one URL-encoded value
    assert len(q["pin"]) < MAX_PIN_VALUE
    assert pin_from_query(q["pin"]) == (cfg, [])


def test_the_pin_keys_are_view_keys_not_unknown():
    assert set(PIN_URL_KEYS) <= set(VIEW_KEYS)
    cfg, notices = from_query({**to_query(BASE), **pin_query(DEFAULT, 5)})
    assert cfg == BASE and notices == []


@pytest.mark.parametrize(
    ("raw", "why"),
    [
        ("", "names no setting"),
        ("garbage", "names no setting"),
        ("%zz%%&&==", "names no setting"),
        ("step=4&pin=x", "names no setting"),
        ("eta=1&" * 40, "more than 32 fields"),
        ("ds=" + "x" * MAX_PIN_VALUE, "longer than"),
    ],
)
def test_a_hostile_pin_is_refused_with_the_reason(raw, why):
    with pytest.raises(ValueError, match=why):
        pin_from_query(raw)


def test_bad_and_unknown_fields_of_a_pin_fall_back_with_notices():
    raw = pin_query(replace(DEFAULT, eta=0.5), 0)["pin"]
    raw += "&hidden=999999,4&cost=%3Cb%3E&step=7&pin=ds%3Dxor"
    cfg, notices = pin_from_query(raw, Limits())
    assert cfg == replace(DEFAULT, eta=0.5)  # the bad ones at their defaults, the rest kept
    assert len(notices) == 3, notices
    assert names_key(notices[0], "hidden") and names_key(notices[1], "cost")
    assert "unknown" in notices[2] and "'step'" in notices[2] and "'pin'" in notices[2]
