"""BP1 and the cost at extreme weighted inputs, against a high-precision reference.

The reference is written out again in ``mpmath`` at 400 significant digits from the
definitions (sigma, C, and BP1 as the chain rule ``sum_j dC/da_j da_j/dz_i``), so it is
exact wherever float64 rounds ``a`` to 0 or 1. The (output activation, cost) pairs come
from the engine's validation: every pair the Network constructor accepts is checked.
"""

from __future__ import annotations

import itertools

import mpmath as mp
import numpy as np
import pytest

from backprop import ACTIVATIONS, COSTS, Network, Trainer
from backprop.datasets import load
from backprop.debug import stages

DIGITS = 400  # enough for 1 - a when a = 1 - 1e-326 (a logit gap of 750)
REL, FLOOR = 1e-9, 1e-15  # BP1 within 1e-9 of the largest exact entry, at least 1e-15
COST_REL = 1e-12

GAPS = (0, 1, 5, 10, 20, 26, 30, 34, 36, 38, 40, 50, 100, 300, 500, 700, 708, 709, 710, 720,
        740, 745, 750)  # fmt: skip
PATTERNS = ((1, 0, 0), (0, 0, 1), (1, 0.5, 0), (-1, 0, 0), (1, -1, 0.25))
OFFSET = (0.3, -0.2, 0.1)  # no z is exactly 0 (the ReLU kink)
TARGETS = ((1, 0, 0), (0, 1, 0), (0, 0, 1), (0.2, 0.5, 0.3))


def _accepted(output: str, cost: str) -> bool:
    try:
        Network([1, 3], output_activation=output, cost=cost)
    except ValueError:
        return False
    return True


PAIRS = [p for p in itertools.product(sorted(ACTIVATIONS), sorted(COSTS)) if _accepted(*p)]


# ------------------------------------------------------------------ the reference
def _mp_act(name: str, z: list) -> list:
    if name == "softmax":
        top = max(z)
        e = [mp.exp(v - top) for v in z]
        return [v / mp.fsum(e) for v in e]
    one = {
        "sigmoid": lambda v: 1 / (1 + mp.exp(-v)),
        "tanh": mp.tanh,
        "relu": lambda v: v if v > 0 else mp.mpf(0),
        "leaky_relu": lambda v: v if v > 0 else v / 100,
        "linear": lambda v: v,
    }[name]
    return [one(v) for v in z]


def _mp_jacobian(name: str, z: list, a: list) -> list:
    """``J[j][i] = da_j / dz_i``."""
    n = len(z)
    if name == "softmax":
        return [[a[j] * ((1 if i == j else 0) - a[i]) for i in range(n)] for j in range(n)]
    prime = {
        "sigmoid": lambda v, s: s * (1 - s),
        "tanh": lambda v, s: 1 - s * s,
        "relu": lambda v, s: mp.mpf(1 if v > 0 else 0),
        "leaky_relu": lambda v, s: mp.mpf(1) if v > 0 else mp.mpf(1) / 100,
        "linear": lambda v, s: mp.mpf(1),
    }[name]
    return [[prime(z[j], a[j]) if i == j else mp.mpf(0) for i in range(n)] for j in range(n)]


def _mp_cost(name: str, a: list, y: list):
    if name == "quadratic":
        return mp.fsum((p - q) ** 2 for p, q in zip(a, y)) / 2
    if name == "cross_entropy":
        return -mp.fsum(q * mp.log(p) + (1 - q) * mp.log(1 - p) for p, q in zip(a, y))
    return -mp.fsum(q * mp.log(p) for p, q in zip(a, y) if q)


def _mp_grad(name: str, a: list, y: list) -> list:
    if name == "quadratic":
        return [p - q for p, q in zip(a, y)]
    if name == "cross_entropy":
        return [-q / p + (1 - q) / (1 - p) for p, q in zip(a, y)]
    return [-q / p if q else mp.mpf(0) for p, q in zip(a, y)]


def exact(output: str, cost: str, z: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, float]:
    """``(delta_L, C_x)`` for one column, exact, rounded to float64 at the end."""
    with mp.workdps(DIGITS):
        zs, ys = [mp.mpf(float(v)) for v in z], [mp.mpf(float(v)) for v in y]
        a = _mp_act(output, zs)
        g, J = _mp_grad(cost, a, ys), _mp_jacobian(output, zs, a)
        delta = [mp.fsum(g[j] * J[j][i] for j in range(len(a))) for i in range(len(a))]
        return np.array([float(d) for d in delta]), float(_mp_cost(cost, a, ys))


def _net(output: str, cost: str, z: np.ndarray) -> Network:
    """A network with no hidden layer whose z_L is ``z`` for the input 0."""
    net = Network([1, len(z)], output_activation=output, cost=cost, seed=0)
    net.weights[0][:] = 0.0
    net.biases[0][:, 0] = z
    return net


def _cases():
    for gap, pattern, y in itertools.product(GAPS, PATTERNS, TARGETS):
        yield np.array(OFFSET) + gap * np.array(pattern, dtype=float), np.array(y, dtype=float)


# ----------------------------------------------------------------------- the tests
def test_the_pairs_come_from_validation():
    assert ("softmax", "cross_entropy") in PAIRS and ("sigmoid", "log_likelihood") in PAIRS
    assert ("relu", "cross_entropy") not in PAIRS
    assert len(PAIRS) == sum(
        len(ACTIVATIONS) if c.outputs is None else len(c.outputs) for c in COSTS.values()
    )


@pytest.mark.parametrize(("output", "cost"), PAIRS)
def test_bp1_and_the_cost_match_the_exact_values_at_any_logit_gap(output, cost):
    """nabla_b of a layer fed by x = 0 is delta_L itself (BP3 with a_{L-1} = 0, m = 1)."""
    bad = []
    for z, y in _cases():
        net, X, Y = _net(output, cost, z), np.zeros((1, 1)), y.reshape(-1, 1)
        want, c_want = exact(output, cost, z, y)
        got = net.backprop(X, Y)[0][0].ravel()
        c_got = net.cost_of(X, Y)
        tol = max(REL * np.abs(want).max(), FLOOR)
        if not (np.all(np.isfinite(got)) and np.abs(got - want).max() <= tol):
            bad.append(f"z={z.tolist()} y={y.tolist()}: delta {got.tolist()} != {want.tolist()}")
        if not (np.isfinite(c_got) and abs(c_got - c_want) <= COST_REL * abs(c_want) + FLOOR):
            bad.append(f"z={z.tolist()} y={y.tolist()}: cost {c_got!r}, exact {c_want!r}")
    assert not bad, f"{len(bad)} of {2 * len(GAPS) * len(PATTERNS) * len(TARGETS)}:\n" + "\n".join(
        bad[:8]
    )


def test_the_issue_example_gives_the_exact_gradient():
    net = _net("softmax", "cross_entropy", np.array([40.0, 0.0, 0.0]))
    nabla_b = net.backprop(np.zeros((1, 1)), np.array([[0.0], [1.0], [0.0]]))[0][0].ravel()
    np.testing.assert_allclose(nabla_b, [2.0, -1.5, -0.5], rtol=1e-12)


@pytest.mark.parametrize("z", [-720.0, -750.0, -1000.0])
def test_sigmoid_log_likelihood_far_below_zero_still_learns(z):
    """delta = -y (1 - a) -> -1 and C = -ln a = ln(1 + e^-z) -> -z: neither 0 nor clamped."""
    net = _net("sigmoid", "log_likelihood", np.array([z]))
    X, Y = np.zeros((1, 1)), np.ones((1, 1))
    assert net.backprop(X, Y)[0][0][0, 0] == -1.0
    assert net.cost_of(X, Y) == pytest.approx(-z, rel=1e-15)


def test_a_sigmoid_log_likelihood_output_stuck_at_0_is_not_reported_dead():
    """BP1 is -y (1 - a) = -y there, not 0, so the output layer still learns."""
    net = _net("sigmoid", "log_likelihood", np.array([-800.0]))
    X, Y = np.zeros((1, 4)), np.ones((1, 4))
    assert net.feedforward(X).max() == 0.0
    assert net.dead_layers(X) == []
    assert np.all(net.backprop(X, Y)[0][0] == -1.0)


@pytest.mark.parametrize(("output", "cost"), PAIRS)
def test_the_training_path_computes_the_same_bp1(output, cost):
    """A training step keeps no z by default: it must still get the stable BP1 and cost."""
    rng = np.random.default_rng(3)
    net = Network([2, 4, 3], "tanh", output, cost, seed=1)
    net.weights[-1] *= 300.0  # output logits hundreds apart
    X = rng.uniform(-1, 1, (2, 6))
    Y = np.eye(3)[:, rng.integers(0, 3, 6)]
    with np.errstate(all="ignore"):
        full = net.gradients(X, Y)
        lean = net.gradients(X, Y, keep_z=False)
    for a, b in zip(full[0] + full[1], lean[0] + lean[1]):
        np.testing.assert_array_equal(a, b)
        assert np.all(np.isfinite(a))
    np.testing.assert_array_equal(net.output_cost(full[2][-1], full[3][-1], Y), net.cost_of(X, Y))


def test_softmax_cross_entropy_on_digits_is_not_refused_as_diverging():
    """Issue #10: refused at step 4 ("the update to w of layer 1 is too large")."""
    ds = load("digits", test_fraction=0.2, seed=0)
    net = Network([64, 30, 10], "sigmoid", "softmax", "cross_entropy", seed=0)
    trainer = Trainer(net, ds.X_train, ds.Y_train, eta=10.0, batch_size=10)
    for _ in range(20):
        result = trainer.step()
        assert np.isfinite(result.cost)
    assert trainer.steps == 20


def test_step_through_shows_the_general_bp1_and_the_stable_form_the_engine_uses():
    net = _net("softmax", "cross_entropy", np.array([40.0, 0.0, 0.0]))
    tr = net.trace(np.zeros((1, 1)), np.array([[0.0], [1.0], [0.0]]))
    by = {st.key: st for st in stages(tr, neuron=1)}
    bp1, cost = by["bp1"], by["cost"]
    assert cost.values["cost_x"] == pytest.approx(80 - np.log(2), rel=1e-14)  # -ln(1-a0) - ln a1
    assert any("from z" in note for note in cost.notes)
    assert r"J_{\sigma}(z^{L})^{T}\, \nabla_a C" in bp1.template  # the general form
    assert bp1.values["delta_general"] == tr.output_delta_general[1, 0]
    assert bp1.values["delta"] == pytest.approx(-1.5, rel=1e-12)  # what the engine used
    assert any("stable" in note and "from z" in note for note in bp1.notes)
    assert any("-1.5" in line for line in bp1.numbers)
