"""Bad input raises ValueError naming the bad value (and the valid choices, for names)."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest

from backprop import (
    ACTIVATIONS,
    COSTS,
    HIDDEN_ACTIVATIONS,
    INITS,
    OPTIMIZERS,
    REGULARIZATIONS,
    Limits,
    Network,
    Trainer,
    gradcheck,
    numerical_gradients,
)


def esc(text: str) -> str:
    return re.escape(text)


def choices(names) -> str:
    return esc("valid choices: " + ", ".join(names))


def data(n_in=2, n_out=2, m=6, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1, 1, (n_in, m))
    Y = np.zeros((n_out, m))
    Y[rng.integers(0, n_out, m), np.arange(m)] = 1.0
    return X, Y


def net(**kw):
    return Network([2, 3, 2], seed=0, **kw)


# ------------------------------------------------------------------ unknown names
BAD_NAMES = ["sigmod", "", "Sigmoid", "softmax ", None, 3, ["relu"]]


@pytest.mark.parametrize("bad", BAD_NAMES)
def test_unknown_hidden_activation(bad):
    with pytest.raises(ValueError, match=esc(f"unknown activation {bad!r}")) as info:
        net(activation=bad)
    assert re.search(choices(HIDDEN_ACTIVATIONS), str(info.value))


def test_output_activation_defaults_to_the_hidden_one():
    assert net(activation="tanh").output_activation == "tanh"
    assert net(activation="tanh", output_activation=None).output_activation == "tanh"


def test_softmax_is_not_a_hidden_activation():
    with pytest.raises(
        ValueError, match=esc("unknown activation 'softmax'") + ".*" + choices(HIDDEN_ACTIVATIONS)
    ):
        net(activation="softmax")


@pytest.mark.parametrize("bad", [b for b in BAD_NAMES if b is not None])  # None: as hidden
def test_unknown_output_activation(bad):
    with pytest.raises(
        ValueError, match=esc(f"unknown output activation {bad!r}") + ".*" + choices(ACTIVATIONS)
    ):
        net(output_activation=bad)


@pytest.mark.parametrize("bad", BAD_NAMES + ["mse", "cross-entropy"])
def test_unknown_cost(bad):
    with pytest.raises(ValueError, match=esc(f"unknown cost {bad!r}") + ".*" + choices(COSTS)):
        net(cost=bad)


@pytest.mark.parametrize("bad", BAD_NAMES + ["glorot", "kaiming"])
def test_unknown_init(bad):
    with pytest.raises(ValueError, match=esc(f"unknown init {bad!r}") + ".*" + choices(INITS)):
        net(init=bad)


@pytest.mark.parametrize("bad", BAD_NAMES + ["rmsprop", "SGD"])
def test_unknown_optimizer(bad):
    X, Y = data()
    with pytest.raises(
        ValueError, match=esc(f"unknown optimizer {bad!r}") + ".*" + choices(OPTIMIZERS)
    ):
        Trainer(net(), X, Y, batch_size=2, optimizer=bad)


@pytest.mark.parametrize("bad", BAD_NAMES + ["l3", "L2", "dropout"])
def test_unknown_regularization(bad):
    X, Y = data()
    with pytest.raises(
        ValueError, match=esc(f"unknown regularization {bad!r}") + ".*" + choices(REGULARIZATIONS)
    ):
        Trainer(net(), X, Y, batch_size=2, regularization=bad)


@pytest.mark.parametrize(
    ("cost", "output"),
    [
        (c, o)
        for c in ("cross_entropy", "log_likelihood")
        for o in HIDDEN_ACTIVATIONS
        if o != "sigmoid"
    ],
)
def test_probability_costs_need_sigmoid_or_softmax_outputs(cost, output):
    pattern = esc(f"cost {cost!r}") + ".*" + esc(f"{output!r}") + ".*valid choices: "
    with pytest.raises(ValueError, match=pattern) as info:
        Network([2, 3, 2], output_activation=output, cost=cost)
    assert "sigmoid" in str(info.value) and "softmax" in str(info.value)


@pytest.mark.parametrize("sizes", [[2, 1], [3, 4, 1], [2, 5, 5, 1]])
def test_softmax_needs_two_outputs(sizes):
    with pytest.raises(ValueError, match=r"softmax needs at least 2 output neurons.*= 1"):
        Network(sizes, output_activation="softmax", cost="log_likelihood")
    Network(sizes[:-1] + [2], output_activation="softmax", cost="log_likelihood")


# -------------------------------------------------------------------------- sizes
@pytest.mark.parametrize(
    ("sizes", "pattern"),
    [
        ([2, 0, 1], r"hidden layer 1 size must be >= 1, got 0"),
        ([2, 3, -4, 1], r"hidden layer 2 size must be >= 1, got -4"),
        ([0, 3, 1], r"input size must be >= 1, got 0"),
        ([2, 3, 0], r"output size must be >= 1, got 0"),
        ([2, -1], r"output size must be >= 1, got -1"),
        ([2, 2.5, 1], r"hidden layer 1 size must be an integer.*, got 2\.5"),
        ([2.5, 3, 1], r"input size must be an integer.*, got 2\.5"),
        ([2, 3, 1.5], r"output size must be an integer.*, got 1\.5"),
        ([2, "abc", 1], r"hidden layer 1 size must be an integer.*, got 'abc'"),
        ([2, "", 1], r"hidden layer 1 size must be an integer.*, got ''"),
        ([2, None, 1], r"hidden layer 1 size must be an integer.*, got None"),
        ([2, float("nan"), 1], r"hidden layer 1 size must be an integer.*, got nan"),
        ([2, float("inf"), 1], r"hidden layer 1 size must be an integer.*, got inf"),
        ([2, True, 1], r"hidden layer 1 size must be an integer.*, got True"),
        ([2, [3], 1], r"hidden layer 1 size must be an integer.*, got \[3\]"),
        ([2, 3 + 0j, 1], r"hidden layer 1 size must be an integer.*"),
        ([2, "3", 1], r"hidden layer 1 size must be an integer.*got '3' \(str\)"),
        ([2, "1e2", 1], r"hidden layer 1 size must be an integer.*got '1e2' \(str\)"),
        ([2, "\uff13", 1], r"hidden layer 1 size must be an integer.*got '\uff13' \(str\)"),
        ([2, b"3", 1], r"hidden layer 1 size must be an integer.*got b'3' \(bytes\)"),
        ([2, 3.0, 1], r"hidden layer 1 size must be an integer.*got 3\.0 \(float\)"),
        ([2.0, 3, 1], r"input size must be an integer.*got 2\.0 \(float\)"),
        ([2, np.float64(3), 1], r"hidden layer 1 size must be an integer"),
        ([2, np.bool_(True), 1], r"hidden layer 1 size must be an integer.*\(bool\)"),
        ([2, np.array([True]), 1], r"hidden layer 1 size must be an integer"),
        ({0: 2, 1: 1}, r"sizes must be a list of layer sizes like \[2, 4, 1\].*\(dict\)"),
        ({2, 3}, r"sizes must be a list of layer sizes like \[2, 4, 1\].*\(set\)"),
        (b"\x02\x03", r"sizes must be a list of layer sizes like \[2, 4, 1\].*\(bytes\)"),
        (np.array([[2, 3]]), r"sizes must be a list of layer sizes"),
        pytest.param(
            [2, 10**5000, 1],
            r"hidden layer 1 size must be <= 256.*got an integer of about 5000 digits",
            id="hidden-10**5000",
        ),
        pytest.param([10**5000, 1], r"input size must be <= 1024.*5000 digits", id="in-10**5000"),
        pytest.param(
            [2, -(10**5000)],
            r"output size must be >= 1.*got a negative integer of about 5000 digits",
            id="out--10**5000",
        ),
        ([2], r"sizes needs an input and an output layer, got \[2\]"),
        ([], r"sizes needs an input and an output layer, got \[\]"),
        ("2,3,1", r"sizes must be a list of layer sizes like \[2, 4, 1\], got '2,3,1'"),
        (5, r"sizes must be a list of layer sizes like \[2, 4, 1\], got 5"),
        (None, r"sizes must be a list of layer sizes.*got None"),
    ],
)
def test_bad_sizes(sizes, pattern):
    with pytest.raises(ValueError, match=pattern):
        Network(sizes)


@pytest.mark.parametrize(
    "sizes",
    [
        [2, 3, 1],
        (2, 3, 1),
        np.array([2, 3, 1]),
        np.array([2, 3, 1], dtype=np.uint8),
        [np.int64(2), np.int32(3), 1],
    ],
)
def test_good_sizes_in_many_forms(sizes):
    assert Network(sizes).sizes == [2, 3, 1]
    assert all(type(n) is int for n in Network(sizes).sizes)


@pytest.mark.parametrize(
    ("limits", "sizes", "pattern"),
    [
        (Limits(max_neurons=8), [2, 9, 1], r"hidden layer 1 size must be <= 8.*got 9"),
        (Limits(max_neurons=8), [2, 8, 100, 1], r"hidden layer 2 size must be <= 8.*got 100"),
        (Limits(max_inputs=4), [5, 3, 1], r"input size must be <= 4.*got 5"),
        (Limits(max_outputs=3), [2, 3, 4], r"output size must be <= 3.*got 4"),
        (Limits(max_layers=2), [2, 3, 3, 3, 1], r"3 hidden layers is over the limit of 2"),
        (Limits(max_layers=0), [2, 3, 1], r"1 hidden layers is over the limit of 0"),
        (
            Limits(max_parameters=20),
            [2, 4, 2],
            r"sizes \[2, 4, 2\] need 22 parameters, over the limit of 20",
        ),
    ],
)
def test_sizes_beyond_the_limits(limits, sizes, pattern):
    with pytest.raises(ValueError, match=pattern):
        Network(sizes, limits=limits)


@pytest.mark.parametrize(
    ("limits", "sizes"),
    [
        (Limits(max_neurons=8), [2, 8, 8, 1]),
        (Limits(max_inputs=4, max_outputs=3), [4, 3]),
        (Limits(max_layers=2), [2, 3, 3, 1]),
        (Limits(max_parameters=22), [2, 4, 2]),
    ],
)
def test_sizes_at_the_limits_are_allowed(limits, sizes):
    assert Network(sizes, limits=limits).n_parameters() == sum(
        (a + 1) * b for a, b in zip(sizes[:-1], sizes[1:])
    )


def test_default_limits_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("BACKPROP_MAX_NEURONS", "5")
    with pytest.raises(ValueError, match=r"hidden layer 1 size must be <= 5.*got 6"):
        Network([2, 6, 1])
    assert Network([2, 6, 1], limits=Limits()).sizes == [2, 6, 1]


@pytest.mark.parametrize(
    ("value", "pattern"),
    [("lots", r"not a whole number"), ("2.5", r"not a whole number"), ("0", r"must be positive")],
)
def test_bad_limits_in_the_environment(value, pattern):
    with pytest.raises(ValueError, match=esc(f"BACKPROP_MAX_NEURONS={value!r}") + ".*" + pattern):
        Limits.from_env({"BACKPROP_MAX_NEURONS": value})


@pytest.mark.parametrize(
    ("seed", "pattern"),
    [
        (-1, r"seed must be >= 0"),
        (2**63, r"seed must be <= "),
        (2**32, r"seed must be <= 4294967295"),
        pytest.param(10**5000, r"seed must be <= .*about 5000 digits", id="10**5000"),
        (2.5, r"seed must be an integer.*\(float\)"),
        (7.0, r"seed must be an integer.*\(float\)"),
        (float("nan"), r"seed must be an integer"),
        ("abc", r"seed must be an integer.*\(str\)"),
        ("7", r"seed must be an integer.*got '7' \(str\)"),
        (b"7", r"seed must be an integer.*\(bytes\)"),
        (True, r"seed must be an integer.*\(bool\)"),
        (np.bool_(False), r"seed must be an integer"),
        ([7], r"seed must be an integer.*\(list\)"),
    ],
)
def test_bad_seed(seed, pattern):
    with pytest.raises(ValueError, match=pattern):
        Network([2, 3, 1], seed=seed)


@pytest.mark.parametrize("seed", [0, 7, np.int64(7), np.uint32(2**32 - 1), 2**32 - 1])
def test_integer_seeds_of_any_kind(seed):
    assert Network([2, 3, 1], seed=seed).seed == int(seed)
    assert type(Network([2, 3, 1], seed=seed).seed) is int


@pytest.mark.parametrize("limits", ["x", {"max_neurons": 8}, 8, Limits])
def test_limits_must_be_a_limits_instance(limits):
    with pytest.raises(TypeError, match=r"limits must be a Limits instance or None, got"):
        Network([2, 3, 1], limits=limits)


# ----------------------------------------------------------------- learning rates
BAD_ETAS = [
    (0, r"must be > 0, got 0"),
    (0.0, r"must be > 0, got 0\.0"),
    (-0.5, r"must be > 0, got -0\.5"),
    (float("nan"), r"must be finite, got nan"),
    (float("inf"), r"must be finite, got inf"),
    (-float("inf"), r"must be finite, got -inf"),
    ("fast", r"must be a number, got 'fast'"),
    (None, r"must be a number, got None"),
    (True, r"must be a number, got True"),
]


@pytest.mark.parametrize(("eta", "pattern"), BAD_ETAS)
def test_bad_eta_in_trainer(eta, pattern):
    X, Y = data()
    with pytest.raises(ValueError, match=r"eta.*" + pattern):
        Trainer(net(), X, Y, eta=eta, batch_size=2)


@pytest.mark.parametrize(("eta", "pattern"), BAD_ETAS)
def test_bad_eta_in_update_mini_batch(eta, pattern):
    X, Y = data()
    n = net()
    before = [w.copy() for w in n.weights]
    with pytest.raises(ValueError, match=r"eta.*" + pattern):
        n.update_mini_batch(X, Y, eta)
    for w, b in zip(n.weights, before):
        np.testing.assert_array_equal(w, b)


@pytest.mark.parametrize(
    ("lmbda", "pattern"),
    [
        (float("nan"), r"must be finite, got nan"),
        (float("inf"), r"must be finite, got inf"),
        (-1.0, r"must be >= 0\.0, got -1\.0"),
        ("big", r"must be a number, got 'big'"),
    ],
)
@pytest.mark.parametrize("regularization", ["none", "l2", "l1"])
def test_bad_lmbda(lmbda, pattern, regularization):
    X, Y = data()
    with pytest.raises(ValueError, match=r"lmbda.*" + pattern):
        Trainer(net(), X, Y, batch_size=2, regularization=regularization, lmbda=lmbda)


@pytest.mark.parametrize(
    ("momentum", "pattern"),
    [
        (1.5, r"must be <= 1\.0, got 1\.5"),
        (-0.1, r"must be >= 0\.0, got -0\.1"),
        (float("nan"), r"must be finite"),
    ],
)
def test_bad_momentum(momentum, pattern):
    X, Y = data()
    with pytest.raises(ValueError, match=r"momentum.*" + pattern):
        Trainer(net(), X, Y, batch_size=2, optimizer="momentum", momentum=momentum)


# -------------------------------------------------------------------- batch sizes
@pytest.mark.parametrize(
    ("batch_size", "pattern"),
    [
        (0, r"batch size must be >= 1, got 0"),
        (-3, r"batch size must be >= 1, got -3"),
        (7, r"batch size must be <= 6.*got 7"),
        (1000, r"batch size must be <= 6.*got 1000"),
        (2.5, r"batch size must be an integer.*, got 2\.5 \(float\)"),
        (4.0, r"batch size must be an integer.*, got 4\.0 \(float\)"),
        (float("nan"), r"batch size must be an integer.*, got nan"),
        ("ten", r"batch size must be an integer.*, got 'ten'"),
        ("4", r"batch size must be an integer.*, got '4' \(str\)"),
        (np.bool_(True), r"batch size must be an integer.*\(bool\)"),
        (None, r"batch size must be an integer.*, got None"),
        pytest.param(10**5000, r"batch size must be <= 6.*5000 digits", id="10**5000"),
    ],
)
def test_bad_batch_size(batch_size, pattern):
    X, Y = data(m=6)
    with pytest.raises(ValueError, match=pattern):
        Trainer(net(), X, Y, batch_size=batch_size)


def test_batch_size_limit():
    X, Y = data(m=40)
    n = Network([2, 3, 2], limits=Limits(max_batch_size=16))
    with pytest.raises(ValueError, match=r"batch size must be <= 16.*got 17"):
        Trainer(n, X, Y, batch_size=17)
    assert Trainer(n, X, Y, batch_size=16).batch_size == 16
    assert Trainer(net(), X, Y, batch_size=40).batch_size == 40


def test_too_many_samples():
    X, Y = data(m=11)
    with pytest.raises(ValueError, match=r"11 training samples is over the limit of 10"):
        Trainer(Network([2, 3, 2], limits=Limits(max_samples=10)), X, Y, batch_size=2)


def test_empty_training_set():
    with pytest.raises(ValueError, match=r"training set is empty|no columns"):
        Trainer(net(), np.zeros((2, 0)), np.zeros((2, 0)), batch_size=1)


@pytest.mark.parametrize(
    ("kw", "pattern"),
    [
        (dict(eval_every=-1), r"eval_every must be >= 0, got -1"),
        (dict(snapshot_every=-2), r"snapshot_every must be >= 0, got -2"),
        (dict(snapshot_every=1.5), r"snapshot_every must be an integer.*, got 1\.5"),
        (dict(eval_every="2"), r"eval_every must be an integer.*, got '2' \(str\)"),
        (dict(probe_size=b"4"), r"probe size must be an integer.*\(bytes\)"),
        (dict(probe_size=0), r"probe size must be >= 1, got 0"),
        (dict(snapshot_budget_mb=-1), r"snapshot budget \(MB\) must be >= 0\.0, got -1"),
        (dict(snapshot_budget_mb=float("nan")), r"snapshot budget \(MB\) must be finite"),
    ],
)
def test_bad_trainer_options(kw, pattern):
    X, Y = data()
    with pytest.raises(ValueError, match=pattern):
        Trainer(net(), X, Y, batch_size=2, **kw)


@pytest.mark.parametrize(
    ("epochs", "pattern"),
    [
        (0, r"epochs must be >= 1, got 0"),
        (-1, r"epochs must be >= 1"),
        (1.5, r"epochs must be an integer.*, got 1\.5"),
        ("2", r"epochs must be an integer.*, got '2' \(str\)"),
        (5, r"epochs must be <= 4.*got 5"),
    ],
)
def test_bad_epochs(epochs, pattern):
    X, Y = data()
    tr = Trainer(Network([2, 3, 2], limits=Limits(max_epochs=4)), X, Y, batch_size=2)
    with pytest.raises(ValueError, match=pattern):
        tr.train(epochs)
    assert tr.steps == 0


# ------------------------------------------------------------------- data arrays
def _nan_at(A, i=0, j=1, value=math.nan):
    A = A.copy()
    A[i, j] = value
    return A


GOOD_X, GOOD_Y = data(m=5)
BAD_XY = [
    (np.zeros((3, 5)), GOOD_Y, r"X must have shape \(2, m\) with samples as columns, got \(3, 5\)"),
    (GOOD_X.T, GOOD_Y, r"X must have shape \(2, m\).*got \(5, 2\)"),
    (np.zeros((2, 5, 1)), GOOD_Y, r"X must have shape \(2, m\).*got \(2, 5, 1\)"),
    (np.zeros(5), GOOD_Y, r"X must have shape \(2, m\).*got \(5,\)"),
    (np.float64(1.0), GOOD_Y, r"X must have shape \(2, m\).*got \(\)"),
    (GOOD_X, np.zeros((3, 5)), r"Y must have shape \(2, m\).*got \(3, 5\)"),
    (GOOD_X, GOOD_Y.T, r"Y must have shape \(2, m\).*got \(5, 2\)"),
    (GOOD_X, GOOD_Y[:, :4], r"X has 5 columns but Y has 4"),
    (_nan_at(GOOD_X), GOOD_Y, r"X contains NaN or infinite values"),
    (_nan_at(GOOD_X, value=np.inf), GOOD_Y, r"X contains NaN or infinite values"),
    (GOOD_X, _nan_at(GOOD_Y, 1, 4), r"Y contains NaN or infinite values"),
    (GOOD_X, _nan_at(GOOD_Y, value=-np.inf), r"Y contains NaN or infinite values"),
    ([["a", "b"], ["c", "d"]], GOOD_Y[:, :2], r"X must be a numeric array"),
    ([[1.0, 2.0], [3.0]], GOOD_Y, r"X must be a numeric array"),
    (GOOD_X, "labels", r"Y must be a numeric array"),
]


@pytest.mark.parametrize(("X", "Y", "pattern"), BAD_XY)
@pytest.mark.parametrize("method", ["backprop", "trace", "cost_of", "accuracy", "trainer"])
def test_bad_x_or_y(X, Y, pattern, method):
    n = net()
    with pytest.raises(ValueError, match=pattern):
        if method == "trainer":
            Trainer(n, X, Y, batch_size=1)
        else:
            getattr(n, method)(X, Y)


@pytest.mark.parametrize(("X", "Y", "pattern"), BAD_XY)
def test_bad_test_set(X, Y, pattern):
    with pytest.raises(ValueError, match=pattern):
        Trainer(net(), GOOD_X, GOOD_Y, X, Y, batch_size=1)


@pytest.mark.parametrize(("X", "Y", "pattern"), BAD_XY)
def test_bad_data_to_gradcheck_and_updates(X, Y, pattern):
    n = net()
    with pytest.raises(ValueError, match=pattern):
        n.update_mini_batch(X, Y, 1.0)
    with pytest.raises(ValueError, match=pattern):
        gradcheck(n, X, Y)
    with pytest.raises(ValueError, match=pattern):
        numerical_gradients(n, X, Y)


@pytest.mark.parametrize(
    "X", [np.zeros((3, 4)), np.zeros(3), _nan_at(np.zeros((2, 4))), [["x", "y"], ["z", "w"]]]
)
def test_bad_x_to_feedforward(X):
    with pytest.raises(ValueError, match=r"^X "):
        net().feedforward(X)


def test_one_of_x_test_and_y_test():
    with pytest.raises(ValueError, match=r"give both X_test and Y_test, or neither"):
        Trainer(net(), GOOD_X, GOOD_Y, GOOD_X, None, batch_size=1)
    with pytest.raises(ValueError, match=r"give both X_test and Y_test, or neither"):
        Trainer(net(), GOOD_X, GOOD_Y, None, GOOD_Y, batch_size=1)


def test_a_single_column_may_be_one_dimensional():
    n = net()
    nb, nw = n.backprop(GOOD_X[:, 0], GOOD_Y[:, 0])
    nb2, nw2 = n.backprop(GOOD_X[:, :1], GOOD_Y[:, :1])
    for a, b in zip(nb + nw, nb2 + nw2):
        np.testing.assert_array_equal(a, b)
    assert n.feedforward([0.5, -0.5]).shape == (2, 1)


@pytest.mark.parametrize("eps", [0, -1e-6, float("nan"), "tiny"])
def test_bad_gradcheck_epsilon(eps):
    with pytest.raises(ValueError, match=r"epsilon must be"):
        gradcheck(net(), GOOD_X, GOOD_Y, eps=eps)


def test_rejected_input_leaves_the_network_untouched():
    n = net()
    before = [p.copy() for p in (*n.weights, *n.biases)]
    state = n.rng.bit_generator.state
    for bad in BAD_XY:
        with pytest.raises(ValueError):
            n.update_mini_batch(bad[0], bad[1], 1.0)
    for p, q in zip((*n.weights, *n.biases), before):
        np.testing.assert_array_equal(p, q)
    assert n.rng.bit_generator.state == state


def test_empty_batch_is_a_clear_value_error():
    net = Network([2, 3, 1], seed=0)
    with pytest.raises(ValueError, match="no columns"):
        net.backprop(np.zeros((2, 0)), np.zeros((1, 0)))
    with pytest.raises(ValueError, match="no columns"):
        Trainer(net, np.ones((2, 4)), np.ones((1, 4)), np.zeros((2, 0)), np.zeros((1, 0)))


def test_log_likelihood_needs_distributions_as_targets():
    net = Network([2, 2], output_activation="softmax", cost="log_likelihood", seed=0)
    with pytest.raises(ValueError, match="summing to 1"):
        net.backprop(np.ones((2, 3)), np.zeros((2, 3)))
    nb, nw = net.backprop(np.ones((2, 2)), np.eye(2))
    assert np.all(np.isfinite(nw[0]))
