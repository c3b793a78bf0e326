"""``backprop.diagnose`` on constructed runs: each finding fires on a run built to show it,
and not on the same run without the defect (real Networks and Trainers, fixed seeds).

Engine only: the Playground's presets are diagnosed in ``test_diagnose_presets.py``.
"""

from __future__ import annotations

import importlib
from dataclasses import fields

import numpy as np
import pytest

import backprop
from backprop import Network, Trainer
from backprop.datasets import load

dx = importlib.import_module("backprop.diagnose")  # the module (backprop.diagnose: its function)

CIRCLE = load("circle", n_samples=500, seed=0)


def trainer(net: Network, data=CIRCLE, **kw) -> Trainer:
    """A trainer evaluating every step, as the Playground does on small data."""
    kw = {"eta": 0.1, "eval_every": 1, **kw}
    return Trainer(net, data.X_train, data.Y_train, data.X_test, data.Y_test, **kw)


def trained(net: Network, epochs: int, data=CIRCLE, **kw) -> Trainer:
    tr = trainer(net, data, **kw)
    tr.train(epochs)
    return tr


def kinds(tr: Trainer) -> list[str]:
    return [f.kind for f in backprop.diagnose(tr)]


def finding(tr: Trainer, kind: str) -> dx.Finding:
    found = {f.kind: f for f in backprop.diagnose(tr)}
    assert kind in found, f"{kind} not among {list(found)}"
    return found[kind]


def tanh_net(sizes=(2, 4, 4, 2), seed: int = 0) -> Network:
    return Network(list(sizes), "tanh", "softmax", "log_likelihood", "xavier", seed=seed)


def relu_net(seed: int = 0) -> Network:
    return Network([2, 8, 8, 2], "relu", "softmax", "log_likelihood", "he", seed=seed)


# --------------------------------------------------------------- the registry
def test_every_check_is_registered_with_a_label():
    assert set(dx.CHECKS) == set(dx.LABELS)
    expected = {"dead_relu", "saturated", "gradient_flow", "learning_rate", "not_learning"}
    assert expected | {"overfitting"} <= set(dx.CHECKS)
    assert all(callable(fn) and dx.LABELS[name] for name, fn in dx.CHECKS.items())


def test_nothing_is_diagnosed_before_enough_steps():
    tr = trainer(tanh_net(), eta=100.0)  # a run that goes wrong at once
    for _ in range(dx.MIN_STEPS - 1):
        tr.step()
    assert backprop.diagnose(tr) == []
    msg = dx.waiting(tr)
    assert msg and f"{dx.MIN_STEPS}" in msg and f"{dx.MIN_STEPS - 1}" in msg
    tr.step()
    assert dx.waiting(tr) is None
    assert "learning_rate_high" in kinds(tr)


def test_a_subset_of_checks_can_be_run():
    tr = trained(tanh_net(), 3, eta=100.0)
    only = {"dead_relu": dx.CHECKS["dead_relu"]}
    assert backprop.diagnose(tr, only) == []
    assert dx.CHECKS["learning_rate"](tr, dx.Context(tr)).kind == "learning_rate_high"


def test_a_healthy_run_has_no_findings():
    assert kinds(trained(tanh_net(), 5)) == []


def test_the_forward_pass_uses_a_bounded_evenly_spaced_subset():
    digits = load("digits", test_fraction=0.2, seed=0)
    tr = trainer(Network([64, 30, 10], seed=0), digits, eta=3.0)
    ctx = dx.Context(tr)
    X, Y = ctx.subset
    assert X.shape == (64, dx.SUBSET_SAMPLES) and Y.shape == (10, dx.SUBSET_SAMPLES)
    idx = np.linspace(0, tr.n - 1, dx.SUBSET_SAMPLES).round().astype(int)
    assert np.array_equal(X, tr.X[:, idx])
    assert [a.shape[1] for a in ctx.activations] == [dx.SUBSET_SAMPLES] * 3


# ------------------------------------------------------------------ findings
def test_dead_relus_from_a_large_negative_bias():
    net = relu_net()
    net.biases[0][:6] = -50.0  # 6 of the 8 units of layer 1 can never switch on
    f = finding(trained(net, 3), "dead_relu")
    assert f.severity == "problem" and f.evidence["dead_units"][1] == 6
    assert f.evidence["dead_share"][1] == pytest.approx(0.75)
    assert f.evidence["threshold"] == dx.DEAD_SHARE
    assert "6 of 8" in f.message and "hidden layer 1" in f.message
    assert "dead_relu" not in kinds(trained(relu_net(), 3))


def test_a_whole_dead_relu_layer_is_named_and_training_goes_on():
    net = Network([2, 8, 8, 8, 2], "relu", "softmax", "log_likelihood", "he", seed=0)
    net.biases[1][...] = -50.0  # hidden layer 2: z < 0 on every sample
    tr = trained(net, 3)
    assert tr.steps == 75  # 3 epochs of 250 samples in batches of 10: none refused
    f = finding(tr, "dead_relu")
    assert f.evidence["dead_units"][2] == 8 and f.evidence["dead_share"][2] == 1.0
    assert f.message == (
        "All 8 ReLU units of hidden layer 2 output 0 on all 250 samples checked: the layer is "
        "dead, so BP2 passes no error to layer 2 or below and they no longer learn (training "
        "goes on for the layers above it)."
    )


def test_dead_relus_below_the_share_are_not_a_finding():
    net = relu_net()
    net.biases[0][:3] = -50.0  # 3 of 8: under half the layer
    tr = trained(net, 3)
    assert "dead_relu" not in kinds(tr)
    assert dx.Context(tr).activations[1][:3].max() == 0.0  # they are dead all the same


def test_saturated_units_from_huge_weights():
    net = Network([2, 8, 2], "tanh", "softmax", "log_likelihood", "xavier", seed=0)
    net.weights[0] *= 30.0
    f = finding(trained(net, 3), "saturated")
    assert f.severity == "problem" and f.chart.startswith("Layers tab")
    share = f.evidence["saturated_share"][1]
    assert share >= dx.SATURATED_SHARE and f.evidence["saturated_units"][1] == round(8 * share)
    assert f.evidence["prime_threshold"] == dx.SATURATED_PRIME
    plain = Network([2, 8, 2], "tanh", "softmax", "log_likelihood", "xavier", seed=0)
    assert "saturated" not in kinds(trained(plain, 3))


def test_saturation_of_sigmoid_is_judged_relative_to_its_peak():
    sigmoid = backprop.ACTIVATIONS["sigmoid"]
    assert dx._peak_prime(sigmoid) == 0.25 and dx._peak_prime(backprop.ACTIVATIONS["tanh"]) == 1
    # a canonical output (sigmoid + cross-entropy: delta_L = a - y) is never "saturated"
    net = Network([2, 8, 1], "tanh", "sigmoid", "cross_entropy", seed=0)
    assert not dx._passes_sigma_prime(net, 2) and dx._passes_sigma_prime(net, 1)


def test_learning_rate_too_high_swings_the_cost():
    """The issue's trigger: tanh/softmax/log-likelihood at eta = 100."""
    tr = trained(tanh_net(), 5, eta=100.0)
    f = finding(tr, "learning_rate_high")
    ev = f.evidence
    assert f.severity == "problem" and f.chart == "cost curve"
    assert ev["sign_flips"] >= dx.SWING_FLIPS and ev["swing"] >= dx.SWING_SIZE
    assert "eta = 100" in f.message and "eta = 10" in f.advice
    assert "not_learning" not in kinds(tr)  # explained by the learning rate


def test_learning_rate_too_high_by_the_update_ratio_alone():
    """Without evaluations (eval_every=0) the cost is not judged, the steps' size is."""
    tr = trained(tanh_net(), 2, eta=10.0, eval_every=0, evaluate_epochs=False)
    f = finding(tr, "learning_rate_high")
    assert f.evidence["evaluations"] == 0 and max(f.evidence["update_ratio"]) >= dx.UPDATE_HIGH
    assert "||Δw|| / ||w||" in f.message


def test_the_largest_jump_is_a_lower_bound_exact_at_the_first_step():
    """``_largest_jumps`` from the recorded ||Δw_l|| and ||w_l|| when eta was set: never
    more than the true largest ||Δw_l|| / ||w_l|| of a step (measured here around each
    step), and at least the first step's, whose ||w_l|| it knows exactly."""
    tr = trainer(tanh_net(), eta=10.0)
    true = []
    for _ in range(30):
        before = [w.copy() for w in tr.net.weights]
        tr.step()
        true.append(
            [np.linalg.norm(w - v) / np.linalg.norm(v) for w, v in zip(tr.net.weights, before)]
        )
    true = np.array(true)
    bound = dx._largest_jumps(dx.Context(tr))
    assert np.all(bound <= true.max(axis=0) * (1 + 1e-12))
    assert np.all(bound >= true[0] * (1 - 1e-12))
    assert bound.max() >= dx.UPDATE_HIGH  # eta = 10: far too large for this network


def test_a_runaway_that_saturated_the_network_is_too_high_once_its_steps_are_small():
    """adam at eta = 10: the first steps change layer 1 by 26 times its size and saturate
    it; later steps are small and the cost's swings too small to count, so the evidence
    is the big step and the saturation it left."""
    tr = trained(tanh_net(), 5, eta=10.0, optimizer="adam")
    f = finding(tr, "learning_rate_high")
    assert max(f.evidence["update_ratio"]) < dx.UPDATE_HIGH <= max(f.evidence["largest_jump"])
    assert f.evidence["stuck"] == "4 of 4 tanh units of hidden layer 1 are saturated"
    assert finding(tr, "saturated").message.startswith(f.evidence["stuck"])
    assert f.message.startswith("At eta = 10 a step changed the weights of layer 1 by ")
    assert "learning_rate_low" not in kinds(tr) and "not_learning" not in kinds(tr)


def test_a_rising_cost_counts_as_too_high():
    rising = np.linspace(0.2, 0.7, 40)
    first, last = dx._cost_trend(rising)
    assert last >= dx.RISE * first
    assert dx._swing(rising)[0] == 0.0  # no oscillation: the rise alone is the evidence
    assert dx._swing(np.tile([0.3, 0.6], 20))[:2] == (1.0, pytest.approx(0.3 / 0.45))


def test_learning_rate_too_low():
    f = finding(trained(tanh_net(), 3, eta=1e-5), "learning_rate_low")
    assert f.severity == "warning"
    assert max(f.evidence["update_ratio"]) < dx.UPDATE_LOW
    assert f.evidence["cost_drift"] < dx.FLAT_COST
    assert "learning_rate_low" not in kinds(trained(tanh_net(), 3, eta=0.1))


def test_vanishing_gradients_in_a_deep_sigmoid_net():
    """Sigmoid units (sigma' <= 1/4) with small weights: BP2 shrinks the error per layer."""
    net = Network([2, 4, 4, 2], "sigmoid", "sigmoid", "quadratic", "xavier", seed=0)
    f = finding(trained(net, 3, eta=3.0), "vanishing_gradients")
    ev = f.evidence
    assert ev["delta_ratio"] < dx.VANISHING_DELTA and ev["speed_ratio"] < dx.VANISHING_SPEED
    assert ev["delta_ratio"] == pytest.approx(ev["delta_norms"][0] / ev["delta_norms"][-1])
    assert f.chart == "Curves tab: per-layer ||delta||"
    assert "vanishing_gradients" not in kinds(trained(tanh_net(), 3))


def test_gradient_flow_needs_two_hidden_layers():
    net = Network([2, 4, 2], "sigmoid", "sigmoid", "quadratic", "xavier", seed=0)
    tr = trained(net, 3, eta=3.0)
    assert dx.gradient_flow(tr, dx.Context(tr)) is None


def test_exploding_gradients_in_a_deep_linear_net():
    """Linear units with N(0, 1) weights: each BP2 step multiplies the error by ~||w||."""
    net = Network([2, 32, 32, 32, 2], "linear", "softmax", "log_likelihood", seed=0)
    f = finding(trained(net, 2, eta=1e-5), "exploding_gradients")
    assert f.evidence["delta_ratio"] > dx.EXPLODING_DELTA
    plain = Network([2, 32, 32, 32, 2], "linear", "softmax", "log_likelihood", "xavier", seed=0)
    assert "exploding_gradients" not in kinds(trained(plain, 2, eta=1e-2))


def test_not_learning_sigmoid_quadratic_at_chance():
    net = Network([2, 4, 4, 2], "sigmoid", "sigmoid", "quadratic", "xavier", seed=0)
    tr = trained(net, 12, eta=1.0)
    f = finding(tr, "not_learning")
    ev = f.evidence
    assert ev["chance"] == pytest.approx(0.5) and ev["train_accuracy"] <= ev["threshold"]
    assert ev["samples"] == CIRCLE.n_train
    # the accuracy the Playground's counter shows: the last evaluated one
    assert ev["train_accuracy"] == tr.history.last_valid("train_accuracy")
    assert f"the train accuracy is {ev['train_accuracy']:.1%} on 250 training samples" in f.message
    assert "not_learning" not in kinds(trained(tanh_net(), 12))


def test_not_learning_waits_for_epochs_and_steps():
    net = Network([2, 4, 4, 2], "sigmoid", "sigmoid", "quadratic", "xavier", seed=0)
    tr = trained(net, dx.NOT_LEARNING_EPOCHS, eta=1.0)  # 75 steps: a plateau, maybe
    assert tr.steps < dx.NOT_LEARNING_MIN_STEPS and "not_learning" not in kinds(tr)


def test_not_learning_regression_by_r_squared():
    sine = load("sine", n_samples=200, seed=0)
    net = Network([1, 8, 1], "tanh", "linear", "quadratic", "xavier", seed=0)
    f = finding(trained(net, 30, sine, eta=1e-5), "not_learning")
    assert f.evidence["r_squared"] <= 0 and "R^2" in f.message
    net = Network([1, 8, 1], "tanh", "linear", "quadratic", "xavier", seed=0)
    assert "not_learning" not in kinds(trained(net, 30, sine, eta=0.1))


def test_chance_is_the_most_frequent_class():
    Y = np.array([[1, 0, 0, 1, 0], [0, 1, 1, 0, 1]], dtype=float)
    assert dx._chance(Y) == pytest.approx(0.6)
    assert dx._chance(np.array([[1.0, 0.0, 0.0, 0.0]])) == pytest.approx(0.75)


def test_overfitting_a_big_net_on_few_noisy_samples():
    moons = load("moons", n_samples=400, noise=0.5, test_fraction=0.9, seed=0)
    net = tanh_net((2, 64, 64, 2))
    tr = trained(net, 100, moons, eta=0.01, optimizer="adam")
    f = finding(tr, "overfitting")
    ev = f.evidence
    assert ev["train_cost"][1] < ev["train_cost"][0]
    assert ev["test_cost"][1] >= (1 + dx.OVERFIT_RISE) * ev["test_cost"][0]
    assert ev["gap"][1] > ev["gap"][0] and ev["best_test_step"] < tr.steps
    assert f"step {ev['best_test_step']}" in f.advice
    # the same network on plenty of data generalises
    many = load("moons", n_samples=400, noise=0.5, test_fraction=0.5, seed=0)
    tr = trained(tanh_net((2, 64, 64, 2)), 20, many, eta=0.01, optimizer="adam")
    assert "overfitting" not in kinds(tr)


def test_overfitting_needs_test_data():
    net = tanh_net()
    tr = Trainer(net, CIRCLE.X_train, CIRCLE.Y_train, eta=0.1, eval_every=1)
    tr.train(dx.OVERFIT_EPOCHS)
    assert dx.overfitting(tr, dx.Context(tr)) is None


# ------------------------------------------------------------- the findings
def test_findings_are_complete_and_problems_come_first():
    net = relu_net()
    net.biases[0][:6] = -50.0
    found = backprop.diagnose(trained(net, 3, eta=1e-6))
    assert {f.kind for f in found} >= {"dead_relu", "learning_rate_low"}
    severities = [f.severity for f in found]
    assert severities == sorted(severities, key=lambda s: s != dx.PROBLEM)
    for f in found:
        for fld in fields(dx.Finding):
            assert getattr(f, fld.name), (f.kind, fld.name)
        assert f.severity in (dx.PROBLEM, dx.WARNING) and f.message.endswith(".")


def test_diagnose_does_not_change_the_run():
    tr = trained(tanh_net(), 3, eta=100.0)
    before = [p.copy() for p in (*tr.net.weights, *tr.net.biases)]
    state, n = tr.net.rng.bit_generator.state, tr.history.n
    backprop.diagnose(tr)
    assert all(np.array_equal(a, b) for a, b in zip(before, (*tr.net.weights, *tr.net.biases)))
    assert tr.net.rng.bit_generator.state == state and tr.history.n == n
    assert not tr.history.column("step").flags.writeable


def test_saturated_units_name_the_equation_of_their_layer():
    """A saturated hidden layer gets almost no error through BP2; a saturated output layer
    (sigmoid with the quadratic cost: BP1 multiplies by sigma'(z)) through BP1."""
    hidden = Network([2, 8, 2], "tanh", "softmax", "log_likelihood", "xavier", seed=0)
    hidden.weights[0] *= 30.0
    f = finding(trained(hidden, 3), "saturated")
    assert "of hidden layer 1 are saturated" in f.message and "so BP2 passes" in f.message
    output = Network([2, 3, 2], "sigmoid", "sigmoid", "quadratic", seed=0)
    output.weights[1] *= 200.0
    output.biases[1] += 50.0
    f = finding(trained(output, 3), "saturated")
    assert "of the output layer are saturated" in f.message and "so BP1 passes" in f.message
