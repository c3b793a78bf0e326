"""The engine with its defaults is Nielsen's network.py (and network2.py's L2 update).

``reference.SeedNetwork`` is a line-by-line Python 3 port of the seed's per-sample code;
it starts from the engine network's initial weights and both are trained side by side.
"""

from __future__ import annotations

import numpy as np
import pytest
from helpers import predicted_permutation
from reference import SeedNetwork, columns, sigmoid

from backprop import Network, Trainer

SIZES = [4, 6, 5, 3]
EXACT = dict(rtol=0, atol=1e-12)


def make_data(n: int, sizes=SIZES, seed: int = 0):
    rng = np.random.default_rng(seed)
    X = rng.uniform(0.0, 1.0, (sizes[0], n))
    Y = np.zeros((sizes[-1], n))
    Y[rng.integers(0, sizes[-1], n), np.arange(n)] = 1.0
    return X, Y


def assert_same_params(net: Network, seed: SeedNetwork):
    assert len(net.weights) == len(seed.weights)
    for w, sw in zip(net.weights, seed.weights):
        np.testing.assert_allclose(w, sw, **EXACT)
    for b, sb in zip(net.biases, seed.biases):
        np.testing.assert_allclose(b, sb, **EXACT)


def test_defaults_are_the_seeds_choices():
    net = Network(SIZES, seed=3)
    assert net.activation == net.output_activation == "sigmoid"
    assert net.cost_name == "quadratic" and net.init == "standard"
    assert [w.shape for w in net.weights] == [(6, 4), (5, 6), (3, 5)]
    assert [b.shape for b in net.biases] == [(6, 1), (5, 1), (3, 1)]
    # the same seed gives the same network, another seed another one
    again, other = Network(SIZES, seed=3), Network(SIZES, seed=4)
    for w, w2, w3 in zip(net.weights, again.weights, other.weights):
        np.testing.assert_array_equal(w, w2)
        assert not np.array_equal(w, w3)


@pytest.mark.parametrize(
    ("init", "w_std", "b_std"),
    [
        ("standard", 1.0, 1.0),  # network.py: N(0, 1) for both
        ("scaled", 1 / np.sqrt(1000), 1.0),  # network2.py: N(0, 1/n_in) weights
        ("xavier", np.sqrt(2 / (1000 + 200)), 0.0),
        ("he", np.sqrt(2 / 1000), 0.0),
    ],
)
def test_initialisers_have_the_documented_scales(init, w_std, b_std):
    net = Network([1000, 200, 64], init=init, seed=0)
    w, b = net.weights[0], np.concatenate([net.biases[0], net.biases[1]])
    assert w.shape == (200, 1000)
    assert abs(w.mean()) < 0.01 * w_std
    assert w.std() == pytest.approx(w_std, rel=0.01)
    if b_std == 0:
        assert not np.any(b)
    else:
        assert b.std() == pytest.approx(b_std, rel=0.15)
    assert net.weights[1].std() == pytest.approx(
        {"standard": 1.0, "scaled": 1 / np.sqrt(200), "xavier": np.sqrt(2 / 264)}.get(
            init, np.sqrt(2 / 200)
        ),
        rel=0.02,
    )


def test_feedforward_matches_the_seed():
    net = Network(SIZES, seed=1)
    seed = SeedNetwork(net.weights, net.biases)
    X, _ = make_data(7)
    out = net.feedforward(X)
    for k in range(X.shape[1]):
        np.testing.assert_allclose(out[:, k : k + 1], seed.feedforward(X[:, k : k + 1]), **EXACT)


@pytest.mark.parametrize("seed_value", [0, 1, 2])
def test_one_column_backprop_matches_the_seed(seed_value):
    net = Network(SIZES, seed=seed_value)
    seed = SeedNetwork(net.weights, net.biases)
    X, Y = make_data(3, seed=seed_value)
    for k in range(3):
        x, y = X[:, k : k + 1], Y[:, k : k + 1]
        nb, nw = net.backprop(x, y)
        sb, sw = seed.backprop(x, y)
        for a, b in zip(nb + nw, sb + sw):
            assert a.shape == b.shape
            np.testing.assert_allclose(a, b, **EXACT)
        # a 1-D column works too
        nb1, nw1 = net.backprop(x[:, 0], y[:, 0])
        for a, b in zip(nb1 + nw1, sb + sw):
            np.testing.assert_allclose(a, b, **EXACT)


def test_batch_backprop_is_the_mean_of_the_seeds_per_sample_gradients():
    net = Network(SIZES, seed=5)
    seed = SeedNetwork(net.weights, net.biases)
    X, Y = make_data(9, seed=5)
    nb, nw = net.backprop(X, Y)
    per_sample = [seed.backprop(x, y) for x, y in columns(X, Y)]
    for l in range(len(SIZES) - 1):
        np.testing.assert_allclose(nb[l], np.mean([p[0][l] for p in per_sample], axis=0), **EXACT)
        np.testing.assert_allclose(nw[l], np.mean([p[1][l] for p in per_sample], axis=0), **EXACT)


@pytest.mark.parametrize(("seed_value", "eta", "batch"), [(0, 3.0, 10), (7, 0.5, 4), (42, 1.0, 1)])
def test_update_mini_batch_matches_the_seed_over_several_steps(seed_value, eta, batch):
    net = Network(SIZES, seed=seed_value)
    seed = SeedNetwork(net.weights, net.biases)
    assert_same_params(net, seed)
    X, Y = make_data(60, seed=seed_value)
    start = [w.copy() for w in net.weights]
    for k in range(0, 60, batch):
        Xb, Yb = X[:, k : k + batch], Y[:, k : k + batch]
        net.update_mini_batch(Xb, Yb, eta)
        seed.update_mini_batch(columns(Xb, Yb), eta)
        assert_same_params(net, seed)
    # the parameters really moved (so the agreement above is not trivial)
    assert max(np.abs(w - s).max() for w, s in zip(net.weights, start)) > 1e-2


def test_seed_port_is_plain_sigmoid():
    z = np.array([[-2.0], [0.0], [3.0]])
    np.testing.assert_allclose(sigmoid(z), 1 / (1 + np.exp(-z)))


def test_trainer_sgd_full_batch_equals_update_mini_batch():
    net = Network(SIZES, seed=9)
    ref = net.copy()
    seed = SeedNetwork(net.weights, net.biases)
    X, Y = make_data(20, seed=9)
    tr = Trainer(net, X, Y, eta=2.0, batch_size=20, optimizer="sgd", regularization="none")
    for epoch in range(5):
        r = tr.step()
        assert r.epoch_done and r.epoch == epoch + 1
        ref.update_mini_batch(X, Y, 2.0)
        seed.update_mini_batch(columns(X, Y), 2.0)
        for a, b in zip(net.weights + net.biases, ref.weights + ref.biases):
            np.testing.assert_allclose(a, b, **EXACT)
        assert_same_params(net, seed)


@pytest.mark.parametrize(("batch", "lmbda"), [(25, 5.0), (10, 0.1), (7, 2.0)])
def test_trainer_sgd_l2_equals_network2_update(batch, lmbda):
    net = Network(SIZES, seed=13)
    seed = SeedNetwork(net.weights, net.biases)
    n, eta = 25, 0.8
    X, Y = make_data(n, seed=13)
    tr = Trainer(
        net, X, Y, eta=eta, batch_size=batch, optimizer="sgd", regularization="l2", lmbda=lmbda
    )
    for epoch in range(3):
        perm = predicted_permutation(net, n)
        for k in range(0, n, batch):
            idx = perm[k : k + batch]
            tr.step()
            seed.update_mini_batch_l2(columns(X[:, idx], Y[:, idx]), eta, lmbda, n)
            assert_same_params(net, seed)
        assert tr.epochs == epoch + 1


@pytest.mark.parametrize(("batch", "eta"), [(10, 3.0), (7, 0.5)])
def test_trainer_sgd_epoch_equals_the_seeds_sgd_epoch(batch, eta):
    """One epoch of network.py's SGD (the benchmark's loop) is one Trainer epoch, given the
    same shuffle (25 samples: the last mini-batch is short)."""
    net = Network(SIZES, seed=17)
    seed = SeedNetwork(net.weights, net.biases)
    n = 25
    X, Y = make_data(n, seed=17)
    rng = np.random.default_rng()
    rng.bit_generator.state = net.rng.bit_generator.state
    tr = Trainer(net, X, Y, eta=eta, batch_size=batch, optimizer="sgd", regularization="none")
    tr.run_epoch()
    seed.sgd_epoch(columns(X, Y), batch, eta, rng)
    assert tr.epochs == 1
    assert_same_params(net, seed)
    # the shuffle matters: the seed's epoch in another order ends elsewhere
    fresh = Network(SIZES, seed=17)
    other = SeedNetwork(fresh.weights, fresh.biases)
    other.sgd_epoch(columns(X, Y), batch, eta, np.random.default_rng(12345))
    assert max(np.abs(w - s).max() for w, s in zip(net.weights, other.weights)) > 1e-9
