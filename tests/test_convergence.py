"""The engine learns: TF-Playground-style 2-D sets and scikit-learn's 8x8 digits.

Accuracy is measured here (argmax of the network's output against the one-hot targets)
on held-out data, after the last epoch; the settings are fixed, the targets are not
tuned per seed.
"""

from __future__ import annotations

import numpy as np
import pytest

from backprop import Network, Trainer, datasets

ADAM_SOFTMAX = dict(
    net=dict(activation="tanh", output_activation="softmax", cost="log_likelihood", init="xavier"),
    train=dict(optimizer="adam", eta=0.01, batch_size=10),
)
SGD_SIGMOID = dict(
    net=dict(activation="tanh", output_activation="sigmoid", cost="cross_entropy", init="scaled"),
    train=dict(optimizer="sgd", eta=0.1, batch_size=10),
)
MOMENTUM_SIGMOID = dict(
    net=dict(activation="tanh", output_activation="sigmoid", cost="cross_entropy", init="scaled"),
    train=dict(optimizer="momentum", eta=0.02, batch_size=10),
)


def held_out_accuracy(net: Network, X: np.ndarray, Y: np.ndarray) -> float:
    return float(np.mean(np.argmax(net.feedforward(X), axis=0) == np.argmax(Y, axis=0)))


def train(ds, sizes, epochs, seed, config, **extra):
    net = Network(sizes, seed=seed, **config["net"])
    tr = Trainer(net, ds.X_train, ds.Y_train, ds.X_test, ds.Y_test, **config["train"], **extra)
    start = net.cost_of(ds.X_train, ds.Y_train)
    frame = tr.train(epochs)
    assert len(frame) == epochs and tr.epochs == epochs
    assert net.cost_of(ds.X_train, ds.Y_train) < start
    acc = held_out_accuracy(net, ds.X_test, ds.Y_test)
    assert frame["test_accuracy"].iloc[-1] == pytest.approx(acc)
    return net, acc


@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("config", [ADAM_SOFTMAX, SGD_SIGMOID], ids=["adam-softmax", "sgd-sigmoid"])
@pytest.mark.parametrize("name", ["xor", "circle"])
def test_two_dimensional_sets(name, config, seed):
    ds = datasets.load(name, n_samples=500, noise=0.0, seed=seed)
    assert ds.X_train.shape[0] == 2 and ds.Y_train.shape[0] == 2
    assert ds.n_train + ds.n_test == 500
    net, acc = train(ds, [2, 8, 8, 2], 40, seed + 10, config)
    assert acc >= 0.95, f"{name}: test accuracy {acc:.3f}"
    assert held_out_accuracy(net, ds.X_train, ds.Y_train) >= 0.95


SPIRAL_FEATURES = ("x1", "x2", "sin x1", "sin x2")


@pytest.mark.slow
@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize(
    ("config", "epochs"),
    [(ADAM_SOFTMAX, 40), (SGD_SIGMOID, 60), (MOMENTUM_SIGMOID, 60)],
    ids=["adam-softmax", "sgd-sigmoid", "momentum-sigmoid"],
)
def test_spiral(config, epochs, seed):
    ds = datasets.load("spiral", n_samples=500, noise=0.0, features=SPIRAL_FEATURES, seed=seed)
    assert ds.X_train.shape[0] == 4
    _, acc = train(ds, [4, 16, 16, 2], epochs, seed + 10, config)
    assert acc >= 0.95, f"spiral: test accuracy {acc:.3f}"


# ------------------------------------------------------------------------- digits
# scikit-learn's 1797 8x8 digits, pixels in [0, 1]; 75% (1346 images) to train on.
DIGITS_SPLIT = 0.25


@pytest.mark.slow
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_digits_with_the_seeds_defaults(seed):
    """network.py as in chapter 1: [64, 30, 10], sigmoid, quadratic, N(0, 1), eta 3, batch 10."""
    ds = datasets.load("digits", test_fraction=DIGITS_SPLIT, seed=seed)
    assert (ds.n_in, ds.n_out) == (64, 10)
    assert ds.n_train + ds.n_test == 1797
    net = Network([64, 30, 10], seed=seed)
    assert (net.activation, net.cost_name, net.init) == ("sigmoid", "quadratic", "standard")
    tr = Trainer(net, ds.X_train, ds.Y_train, ds.X_test, ds.Y_test, eta=3.0, batch_size=10)
    frame = tr.train(30)
    acc = held_out_accuracy(net, ds.X_test, ds.Y_test)
    assert frame["test_accuracy"].iloc[-1] == pytest.approx(acc)
    assert acc >= 0.95, f"digits, seed defaults: test accuracy {acc:.4f}"


@pytest.mark.slow
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_digits_with_cross_entropy_scaled_init_and_l2(seed):
    """network2.py's choices; lmbda = 5 per 50,000 training images, as for MNIST."""
    ds = datasets.load("digits", test_fraction=DIGITS_SPLIT, seed=seed)
    lmbda = 5.0 * ds.n_train / 50_000
    assert 0.1 <= lmbda <= 5.0
    net = Network([64, 30, 10], cost="cross_entropy", init="scaled", seed=seed)
    tr = Trainer(
        net, ds.X_train, ds.Y_train, ds.X_test, ds.Y_test, eta=0.5, batch_size=10,
        regularization="l2", lmbda=lmbda,
    )  # fmt: skip
    tr.train(30)
    acc = held_out_accuracy(net, ds.X_test, ds.Y_test)
    assert acc >= 0.96, f"digits, cross-entropy + L2: test accuracy {acc:.4f}"
