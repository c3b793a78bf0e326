"""Training in float32 (``Trainer(..., dtype="float32")``, ``--dtype float32``).

The float32 step computes what the float64 step computes, to float32's precision: its
gradients and updates agree with float64's per layer, a run learns as the float64 run
does, no array of the step is silently promoted back to float64, a bad dtype is refused
naming the choices, and the networks it leaves behind save and load like any other.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from helpers import params_of

from backprop import Network, Trainer, gradcheck
from backprop.cli import main
from backprop.datasets import load
from backprop.io import read_network, to_json, to_npz
from backprop.precision import DTYPES

F32 = np.dtype(np.float32)
RTOL = 1e-4  # float32 rounds at 6e-8: a small net's gradients agree far closer than this

# (hidden activation, output activation, cost): the book's pair, a shortcut pair, and pairs
# whose cost and BP1 come from the stable forms of z (softplus, log-sum-exp)
PAIRS = [
    ("sigmoid", "sigmoid", "quadratic"),
    ("tanh", "softmax", "log_likelihood"),
    ("relu", "sigmoid", "cross_entropy"),
    ("leaky_relu", "softmax", "cross_entropy"),
    ("tanh", "sigmoid", "log_likelihood"),
    ("sigmoid", "linear", "quadratic"),
]


def batch(n_in: int = 5, n_out: int = 3, m: int = 8, seed: int = 1):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n_in, m))
    Y = np.eye(n_out)[:, rng.integers(0, n_out, m)]  # one-hot: valid for every cost
    return X, Y


def relative(a: np.ndarray, b: np.ndarray) -> float:
    """``||a - b|| / ||b||`` in float64."""
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    return float(np.linalg.norm(a - b) / np.linalg.norm(b))


@pytest.mark.parametrize("act, out, cost", PAIRS)
def test_float32_gradients_match_float64_per_layer(act, out, cost):
    X, Y = batch()
    net64 = Network([5, 6, 4, 3], act, out, cost, seed=3)
    net32 = net64.copy()
    net32.cast(np.float32)
    nb64, nw64 = net64.backprop(X, Y)
    nb32, nw32 = net32.backprop(X.astype(np.float32), Y.astype(np.float32))
    for l, (b32, w32, b64, w64) in enumerate(zip(nb32, nw32, nb64, nw64), 1):
        assert b32.dtype == w32.dtype == F32, l
        assert relative(w32, w64) < RTOL, (l, relative(w32, w64))
        assert relative(b32, b64) < RTOL, (l, relative(b32, b64))


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adam"])
@pytest.mark.parametrize("act, out, cost", PAIRS[:4])
def test_a_float32_step_matches_float64_and_stays_float32(act, out, cost, optimizer):
    X, Y = batch(m=40)
    runs = {}
    for dtype in DTYPES:
        net = Network([5, 6, 4, 3], act, out, cost, seed=3)
        tr = Trainer(net, X, Y, eta=0.05, batch_size=10, optimizer=optimizer, dtype=dtype)
        for _ in range(3):  # the optimiser's state carries over
            tr.step()
        runs[dtype] = tr
    t32, t64 = runs["float32"], runs["float64"]
    state = list(t32.opt.state().values())
    assert {a.dtype for a in [*params_of(t32.net), *t32.last_update, *state]} == {F32}
    assert t32.net.dtype == F32 and t64.net.dtype == np.float64
    for i, (u32, u64) in enumerate(zip(t32.last_update, t64.last_update)):
        assert relative(u32, u64) < 1e-3, (i, relative(u32, u64))  # 3 steps of rounding
    for p32, p64 in zip(params_of(t32.net), params_of(t64.net)):
        assert relative(p32, p64) < RTOL


def digits_runs(epochs: int = 4) -> dict[str, Trainer]:
    d = load("digits", test_fraction=0.2, seed=0)
    runs = {}
    for dtype in DTYPES:
        net = Network([64, 30, 10], seed=0)
        tr = Trainer(net, d.X_train, d.Y_train, d.X_test, d.Y_test, batch_size=10, dtype=dtype)
        runs[dtype] = (tr.evaluate()["train_cost"], tr)
        tr.train(epochs, progress=False)
    return runs


def test_a_float32_run_learns_like_the_float64_run():
    runs = digits_runs()
    (start32, t32), (start64, t64) = runs["float32"], runs["float64"]
    c32, c64 = t32.epoch_frame(), t64.epoch_frame()
    assert start32 == pytest.approx(start64, rel=1e-6)
    assert c32["train_cost"].iloc[-1] < 0.3 * start32  # it learns
    assert np.all(np.diff(c32["train_cost"]) < 0)
    # the same batches in the same order: the curves agree to float32's rounding
    np.testing.assert_allclose(c32["train_cost"], c64["train_cost"], rtol=1e-3)
    np.testing.assert_allclose(c32["test_accuracy"], c64["test_accuracy"], atol=0.01)
    # evaluation stays float64 (the cost of float32 weights, computed in float64)
    assert t32.evaluate()["train_cost"] == t32.net.cost_of(
        t32.X.astype(np.float64), t32.Y.astype(np.float64)
    )


@pytest.mark.parametrize("bad", ["float16", "f32", np.float32, None, 32])
def test_a_bad_dtype_is_refused_naming_the_choices(bad):
    X, Y = batch()
    net = Network([5, 4, 3], seed=0)
    with pytest.raises(ValueError, match=r"^unknown dtype .*; valid choices: float64, float32$"):
        Trainer(net, X, Y, batch_size=4, dtype=bad)
    assert net.dtype == np.float64  # refused before anything changed


def test_a_float64_trainer_keeps_the_networks_own_arrays():
    X, Y = batch()
    net = Network([5, 4, 3], seed=0)
    arrays = [*net.weights, *net.biases]
    tr = Trainer(net, X, Y, batch_size=4)
    assert tr.dtype == "float64"
    tr.step()  # trained in place, as before: no float64 copy was made
    assert all(a is b for a, b in zip(arrays, [*net.weights, *net.biases]))


def test_a_refused_trainer_leaves_the_network_float64():
    X, Y = batch()
    net = Network([5, 4, 3], seed=0)
    with pytest.raises(ValueError, match="probe size"):
        Trainer(net, X, Y, batch_size=4, dtype="float32", probe_size=0)
    assert net.dtype == np.float64


def test_a_float32_guard_names_float32s_limit():
    X, Y = batch(m=10)
    net = Network([5, 4, 3], "linear", cost="quadratic", seed=0)
    tr = Trainer(net, X * 1e10, Y, eta=1e12, batch_size=10, dtype="float32")
    before = params_of(net)
    with pytest.raises(FloatingPointError, match=r"too large to represent \(\|update\| > 1e19\)"):
        tr.step()
    assert all(np.array_equal(a, b) for a, b in zip(before, params_of(net)))  # undone


def test_networks_saved_from_a_float32_run_load_as_float64():
    X, Y = batch(m=30)
    net = Network([5, 4, 3], seed=0)
    Trainer(net, X, Y, eta=1.0, dtype="float32").train(2, progress=False)
    assert net.dtype == F32
    for data in (to_npz(net, {"dtype": "float32"}), to_json(net)):
        loaded, _ = read_network(data)
        for a, b in zip(params_of(loaded), params_of(net)):
            assert a.dtype == np.float64 and np.array_equal(a, b)  # float32 -> float64: exact
        Trainer(loaded, X, Y).step()  # and trains on, in float64
        assert loaded.dtype == np.float64


def test_cli_dtype_float32_writes_a_run(tmp_path):
    out = tmp_path / "run"
    argv = ["--dataset", "digits", "--hidden", "10", "--epochs", "2", "--dtype", "float32"]
    assert main([*argv, "--progress", "off", "--out", str(out)]) == 0
    run = json.loads((out / "run.json").read_text())
    assert run["dtype"] == "float32"
    net, meta = read_network((out / "network.npz").read_bytes())
    assert meta["dtype"] == "float32" and meta["epochs"] == 2
    assert net.dtype == np.float64 and np.all(np.isfinite(net.weights[0]))
    epochs = (out / "epochs.csv").read_text().splitlines()
    assert len(epochs) == 3  # a header and two epochs


def test_cli_refuses_a_bad_dtype(capsys):
    with pytest.raises(SystemExit) as e:
        main(["--dtype", "float16"])
    assert e.value.code == 2
    assert "float64" in capsys.readouterr().err


def test_a_float32_network_is_gradient_checked_in_float64():
    X, Y = batch()
    net = Network([5, 4, 3], "tanh", "softmax", "log_likelihood", seed=0)
    Trainer(net, X, Y, eta=0.1, batch_size=4, dtype="float32").train(2, progress=False)
    weights = [w.copy() for w in net.weights]
    table = gradcheck(net, X, Y)
    assert table["passed"].all() and table["max_rel_error"].max() < 1e-5
    assert net.dtype == F32 and all(np.array_equal(a, b) for a, b in zip(weights, net.weights))
