"""Backprop against the tests' own finite differences, BP1 shortcut vs general, Trace, gradcheck.

The finite differences come from ``reference.finite_difference_gradients``, which runs its
own forward pass and cost (not ``backprop.gradcheck`` and not the engine's feedforward).
"""

from __future__ import annotations

import itertools
import re

import numpy as np
import pytest
from helpers import assert_close_grad, grads_close
from hypothesis import assume, given
from hypothesis import strategies as st
from reference import (
    finite_difference_gradients,
    ref_activation,
    ref_activation_prime,
    ref_cost,
    ref_cost_grad,
    ref_cost_per_column,
    ref_forward,
)

import backprop
from backprop import ACTIVATIONS, COSTS, HIDDEN_ACTIVATIONS, INITS, Network, Trace, gradcheck

# --------------------------------------------------------------- the documented rules
# The registries the tests were written for: a new entry must come with tests.
EXPECTED_HIDDEN = {"sigmoid", "tanh", "relu", "leaky_relu", "linear"}
EXPECTED_OUTPUTS = EXPECTED_HIDDEN | {"softmax"}
EXPECTED_COSTS = {"quadratic", "cross_entropy", "log_likelihood"}
EXPECTED_INITS = {"standard", "scaled", "xavier", "he"}
# cross_entropy and log_likelihood take logs of the outputs: they need outputs in (0, 1)
NEEDS_PROBABILITIES = {"cross_entropy", "log_likelihood"}
PROBABILITY_OUTPUTS = {"sigmoid", "softmax"}
CANONICAL = {("quadratic", "linear"), ("cross_entropy", "sigmoid"), ("log_likelihood", "softmax")}
KINKED = {"relu", "leaky_relu"}


def allowed(cost: str, output: str) -> bool:
    return cost not in NEEDS_PROBABILITIES or output in PROBABILITY_OUTPUTS


HIDDEN = sorted(HIDDEN_ACTIVATIONS)
OUTPUTS = sorted(ACTIVATIONS)
COST_NAMES = sorted(COSTS)
INIT_NAMES = sorted(INITS)
ALL_COMBOS = list(itertools.product(HIDDEN, OUTPUTS, COST_NAMES, INIT_NAMES))
VALID_COMBOS = [c for c in ALL_COMBOS if allowed(c[2], c[1])]
VALID_PAIRS = sorted((o, c) for o in OUTPUTS for c in COST_NAMES if allowed(c, o))


def test_registries_are_the_documented_ones():
    assert set(HIDDEN_ACTIVATIONS) == EXPECTED_HIDDEN
    assert set(ACTIVATIONS) == EXPECTED_OUTPUTS
    assert set(COSTS) == EXPECTED_COSTS
    assert set(INITS) == EXPECTED_INITS
    assert len(VALID_COMBOS) == 5 * 4 * (6 + 2 + 2)


# ------------------------------------------------------------------------ problems
def make_targets(cost: str, n_out: int, m: int, rng: np.random.Generator) -> np.ndarray:
    if cost == "log_likelihood":  # one-hot: C_x = -ln a_y
        Y = np.zeros((n_out, m))
        Y[rng.integers(0, n_out, m), np.arange(m)] = 1.0
        return Y
    if cost == "cross_entropy":
        return rng.uniform(0.05, 0.95, (n_out, m))
    return rng.uniform(-1.0, 1.0, (n_out, m))


def kink_gap(net: Network, X: np.ndarray) -> float:
    """Smallest |z| over the layers whose activation has a kink at 0 (inf if none)."""
    zs, _ = ref_forward(net.weights, net.biases, _acts(net), X)
    gaps = [np.abs(z).min() for z, act in zip(zs, _acts(net)) if act in KINKED]
    return min(gaps, default=np.inf)


def _acts(net: Network) -> list[str]:
    return [net.activation] * (len(net.sizes) - 2) + [net.output_activation]


def well_posed_problem(net: Network, cost: str, m: int, seed: int):
    """Inputs at least 1e-3 away from every ReLU kink (deterministic search)."""
    for k in range(100):
        rng = np.random.default_rng([seed, k])
        X = rng.uniform(-1.0, 1.0, (net.sizes[0], m))
        if kink_gap(net, X) > 1e-3:
            return X, make_targets(cost, net.sizes[-1], m, rng)
    raise AssertionError("no input away from the ReLU kinks")  # pragma: no cover


def check_against_finite_differences(net: Network, X: np.ndarray, Y: np.ndarray) -> float:
    nb, nw = net.backprop(X, Y)
    fb, fw = finite_difference_gradients(net, X, Y)
    assert len(nb) == len(nw) == net.n_layers
    for l in range(net.n_layers):
        assert nw[l].shape == net.weights[l].shape and nb[l].shape == net.biases[l].shape
        assert_close_grad(nw[l], fw[l], what=f"nabla_w[{l}]")
        assert_close_grad(nb[l], fb[l], what=f"nabla_b[{l}]")
    return max(max(np.abs(g).max() for g in fw), max(np.abs(g).max() for g in fb))


# ------------------------------------------------------------------ the full grid
@pytest.mark.parametrize(("hidden", "output", "cost", "init"), ALL_COMBOS)
def test_constructor_rejects_exactly_the_documented_combinations(hidden, output, cost, init):
    kw = dict(activation=hidden, output_activation=output, cost=cost, init=init, seed=0)
    if allowed(cost, output):
        net = Network([2, 3, 2], **kw)
        assert (net.activation, net.output_activation, net.cost_name, net.init) == (
            hidden,
            output,
            cost,
            init,
        )
        return
    valid = ", ".join(COSTS[cost].outputs)
    pattern = (
        re.escape(f"cost {cost!r}")
        + ".*"
        + re.escape(f"output activation {output!r}")
        + ".*"
        + re.escape(f"valid choices: {valid}")
    )
    with pytest.raises(ValueError, match=pattern):
        Network([2, 3, 2], **kw)
    assert set(COSTS[cost].outputs) == PROBABILITY_OUTPUTS


@pytest.mark.parametrize(("hidden", "output", "cost", "init"), VALID_COMBOS)
def test_backprop_matches_finite_differences(hidden, output, cost, init):
    seed = VALID_COMBOS.index((hidden, output, cost, init))
    net = Network([3, 4, 3, 3], hidden, output, cost, init, seed=seed)
    X, Y = well_posed_problem(net, cost, m=4, seed=seed)
    biggest = check_against_finite_differences(net, X, Y)
    assert biggest > 1e-4  # the comparison is not between two arrays of zeros


# -------------------------------------------------------------- random architectures
@st.composite
def problems(draw):
    n_in = draw(st.integers(1, 5))
    hidden = draw(st.lists(st.integers(1, 5), min_size=1, max_size=3))
    act = draw(st.sampled_from(HIDDEN))
    output, cost = draw(st.sampled_from(VALID_PAIRS))
    n_out = draw(st.integers(2 if output == "softmax" else 1, 5))
    init = draw(st.sampled_from(INIT_NAMES))
    m = draw(st.integers(1, 5))
    seed = draw(st.integers(0, 2**32 - 1))
    return [n_in, *hidden, n_out], act, output, cost, init, m, seed


@given(problems())
def test_backprop_matches_finite_differences_on_random_architectures(problem):
    sizes, act, output, cost, init, m, seed = problem
    net = Network(sizes, act, output, cost, init, seed=seed)
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1.0, 1.0, (sizes[0], m))
    Y = make_targets(cost, sizes[-1], m, rng)
    assume(kink_gap(net, X) > 1e-4)
    _, acts = ref_forward(net.weights, net.biases, _acts(net), X)
    if cost in NEEDS_PROBABILITIES:
        # keep ln a and ln(1 - a) where central differences are accurate: at a = 1 - 1e-6,
        # 1 - a has a relative rounding error of 1e-10, so the difference quotient is off by
        # about 1e-4 (seen with a saturated softmax), although backprop is exact there
        assume(np.all((acts[-1] > 1e-3) & (acts[-1] < 1 - 1e-3)))
    check_against_finite_differences(net, X, Y)


def test_my_finite_difference_checker_catches_a_wrong_gradient():
    net = Network([3, 4, 2], seed=3)
    X, Y = well_posed_problem(net, "quadratic", m=5, seed=3)
    nb, nw = net.backprop(X, Y)
    fb, fw = finite_difference_gradients(net, X, Y)
    assert grads_close(nw[0], fw[0])
    assert not grads_close(1.01 * nw[0], fw[0])
    assert not grads_close(nb[1] + 1e-4, fb[1])


# ------------------------------------------------------- BP1: shortcut vs general
def _output_problem(output: str, cost: str, seed: int = 0):
    rng = np.random.default_rng(seed)
    z = rng.normal(0.0, 1.5, (3, 5))
    return z, ref_activation(output, z), make_targets(cost, 3, 5, rng)


@pytest.mark.parametrize(("cost", "output"), sorted(CANONICAL))
def test_canonical_pair_shortcut_equals_general_bp1(cost, output):
    net = Network([2, 4, 3], "tanh", output, cost, seed=1)
    assert net.uses_shortcut
    z, a, Y = _output_problem(output, cost)
    general = net.output_delta(z, a, Y, shortcut=False)
    short = net.output_delta(z, a, Y, shortcut=True)
    np.testing.assert_allclose(short, a - Y, rtol=0, atol=0)
    np.testing.assert_allclose(general, short, rtol=1e-9, atol=1e-12)
    # and in a trace
    X, Y = well_posed_problem(net, cost, m=6, seed=2)
    tr = net.trace(X, Y)
    assert tr.output_delta_shortcut is not None
    np.testing.assert_allclose(tr.output_delta_shortcut, tr.a[-1] - Y, rtol=0, atol=1e-15)
    np.testing.assert_allclose(tr.output_delta_general, tr.output_delta_shortcut, atol=1e-12)
    # the shortcut is what backprop used for delta_L
    np.testing.assert_allclose(tr.delta[-1], tr.output_delta_shortcut, rtol=1e-12, atol=1e-15)


def test_log_likelihood_shortcut_holds_for_soft_targets_that_sum_to_one():
    net = Network([2, 3], "tanh", "softmax", "log_likelihood", seed=1)
    rng = np.random.default_rng(5)
    z = rng.normal(size=(3, 4))
    a = ref_activation("softmax", z)
    Y = rng.dirichlet(np.ones(3), size=4).T
    np.testing.assert_allclose(
        net.output_delta(z, a, Y, shortcut=False), a - Y, rtol=1e-9, atol=1e-12
    )


@pytest.mark.parametrize(("output", "cost"), VALID_PAIRS)
def test_bp1_general_path_is_the_derivative_of_the_per_sample_cost(output, cost):
    """delta_L[:, k] = dC_{x_k}/dz_L[:, k], checked by finite differences in z."""
    net = Network([2, 3], "sigmoid", output, cost, seed=0)
    z, _, Y = _output_problem(output, cost, seed=4)
    a = ref_activation(output, z)
    eps = 1e-6
    numeric = np.zeros_like(z)
    for j, k in np.ndindex(z.shape):
        zp, zm = z.copy(), z.copy()
        zp[j, k] += eps
        zm[j, k] -= eps
        cp = ref_cost_per_column(cost, ref_activation(output, zp), Y)[k]
        cm = ref_cost_per_column(cost, ref_activation(output, zm), Y)[k]
        numeric[j, k] = (cp - cm) / (2 * eps)
    general = net.output_delta(z, a, Y, shortcut=False)
    assert_close_grad(general, numeric, what=f"BP1 {output}/{cost}")
    assert_close_grad(net.output_delta(z, a, Y, shortcut=True), numeric, what="default BP1")
    if (cost, output) not in CANONICAL:
        assert not net.uses_shortcut
        tr = net.trace(np.ones((2, 5)), Y)
        assert tr.output_delta_shortcut is None


# --------------------------------------------------------------------------- Trace
TRACE_CASES = [
    ([2, 3, 2], "sigmoid", "sigmoid", "quadratic"),
    ([3, 5, 4, 3], "tanh", "softmax", "log_likelihood"),
    ([2, 4, 4, 1], "relu", "linear", "quadratic"),
    ([4, 3, 2], "leaky_relu", "sigmoid", "cross_entropy"),
    ([3, 2, 3], "linear", "sigmoid", "log_likelihood"),
    ([2, 3, 3], "tanh", "softmax", "cross_entropy"),
]


def _trace_case(case, m=5):
    sizes, act, out, cost = case
    net = Network(sizes, act, out, cost, seed=11)
    X, Y = well_posed_problem(net, cost, m=m, seed=12)
    return net, X, Y, net.trace(X, Y)


def _all_arrays(tr: Trace):
    arrays = [tr.x, tr.y, tr.cost_grad, tr.output_delta_general]
    if tr.output_delta_shortcut is not None:
        arrays.append(tr.output_delta_shortcut)
    for group in (tr.weights, tr.biases, tr.z, tr.a, tr.delta, tr.nabla_w, tr.nabla_b):
        arrays.extend(group)
    return arrays


@pytest.mark.parametrize("case", TRACE_CASES)
def test_trace_shapes(case):
    net, X, Y, tr = _trace_case(case, m=5)
    sizes, L, m = case[0], len(case[0]) - 1, 5
    assert tr.n_layers == L and tr.sizes == tuple(sizes)
    assert tr.x.shape == (sizes[0], m) and tr.y.shape == (sizes[-1], m)
    assert len(tr.a) == L + 1
    for l in range(L + 1):
        assert tr.a[l].shape == (sizes[l], m)
    for group in (tr.weights, tr.biases, tr.z, tr.delta, tr.nabla_w, tr.nabla_b):
        assert len(group) == L
    for l in range(L):
        n_in, n_out = sizes[l], sizes[l + 1]
        assert tr.weights[l].shape == tr.nabla_w[l].shape == (n_out, n_in)
        assert tr.biases[l].shape == tr.nabla_b[l].shape == (n_out, 1)
        assert tr.z[l].shape == tr.delta[l].shape == (n_out, m)
    assert tr.cost_grad.shape == tr.output_delta_general.shape == (sizes[-1], m)
    assert tr.activations == tuple([case[1]] * (L - 1) + [case[2]])
    assert tr.cost_name == case[3]
    assert all(arr.dtype == np.float64 for arr in _all_arrays(tr))
    assert isinstance(tr.cost, float)


@pytest.mark.parametrize("case", TRACE_CASES)
def test_trace_arrays_are_read_only_copies(case):
    net, X, Y, tr = _trace_case(case)
    for arr in _all_arrays(tr):
        assert not arr.flags.writeable
        with pytest.raises(ValueError):
            arr[...] = 0.0
        for p in (*net.weights, *net.biases, X, Y):
            assert not np.shares_memory(arr, p)
    saved = [arr.copy() for arr in _all_arrays(tr)]
    for w, b in zip(net.weights, net.biases):
        w += 1.0
        b *= -2.0
    X += 5.0
    Y[...] = Y[::-1].copy()  # still a valid target for every cost, but different
    net.update_mini_batch(X, Y, eta=0.5)
    for before, arr in zip(saved, _all_arrays(tr)):
        np.testing.assert_array_equal(arr, before)


@pytest.mark.parametrize("case", TRACE_CASES)
def test_trace_forward_quantities_are_consistent(case):
    net, X, Y, tr = _trace_case(case)
    np.testing.assert_array_equal(tr.x, X)
    np.testing.assert_array_equal(tr.y, Y)
    np.testing.assert_array_equal(tr.a[0], X)
    zs, acts = ref_forward(net.weights, net.biases, _acts(net), X)
    for l in range(tr.n_layers):
        np.testing.assert_array_equal(tr.weights[l], net.weights[l])
        np.testing.assert_array_equal(tr.biases[l], net.biases[l])
        name = tr.activations[l]
        # a[l+1] = sigma(z[l]) with the engine's sigma exactly, and the textbook one closely
        np.testing.assert_array_equal(tr.a[l + 1], ACTIVATIONS[name](tr.z[l]))
        np.testing.assert_allclose(tr.a[l + 1], ref_activation(name, tr.z[l]), rtol=1e-13)
        np.testing.assert_allclose(
            tr.z[l], tr.weights[l] @ tr.a[l] + tr.biases[l], rtol=1e-13, atol=1e-14
        )
        np.testing.assert_allclose(tr.z[l], zs[l], rtol=1e-12, atol=1e-13)
    np.testing.assert_allclose(tr.a[-1], net.feedforward(X), rtol=1e-13, atol=1e-15)


@pytest.mark.parametrize("case", TRACE_CASES)
def test_trace_backward_quantities_satisfy_bp1_to_bp4(case):
    net, X, Y, tr = _trace_case(case)
    L, m = tr.n_layers, X.shape[1]
    cost, out = tr.cost_name, tr.activations[-1]
    aL, zL = tr.a[-1], tr.z[-1]
    # BP1, independently: dC/da (.) sigma'(z), or J_softmax^T dC/da column by column
    g = ref_cost_grad(cost, aL, Y)
    np.testing.assert_allclose(tr.cost_grad, g, rtol=1e-10, atol=1e-12)
    if out == "softmax":
        bp1 = np.column_stack(
            [
                (np.diag(aL[:, k]) - np.outer(aL[:, k], aL[:, k])).T @ g[:, k]
                for k in range(aL.shape[1])
            ]
        )
    else:
        bp1 = g * ref_activation_prime(out, zL)
    np.testing.assert_allclose(tr.output_delta_general, bp1, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(tr.delta[-1], bp1, rtol=1e-9, atol=1e-12)
    # BP2, one column at a time
    for l in range(L - 1):
        sp = ref_activation_prime(tr.activations[l], tr.z[l])
        for k in range(m):
            expected = (tr.weights[l + 1].T @ tr.delta[l + 1][:, k]) * sp[:, k]
            np.testing.assert_allclose(tr.delta[l][:, k], expected, rtol=1e-12, atol=1e-15)
    # BP3, BP4: the gradients of the mean cost
    for l in range(L):
        np.testing.assert_allclose(
            tr.nabla_w[l], tr.delta[l] @ tr.a[l].T / m, rtol=1e-12, atol=1e-15
        )
        np.testing.assert_allclose(
            tr.nabla_b[l], tr.delta[l].mean(axis=1, keepdims=True), rtol=1e-12, atol=1e-15
        )
    nb, nw = net.backprop(X, Y)
    for l in range(L):
        np.testing.assert_array_equal(tr.nabla_w[l], nw[l])
        np.testing.assert_array_equal(tr.nabla_b[l], nb[l])
    assert tr.cost == pytest.approx(net.cost_of(X, Y), rel=1e-13, abs=1e-15)
    assert tr.cost == pytest.approx(ref_cost(cost, aL, Y), rel=1e-12)


# ------------------------------------------------------------------------ gradcheck
def _gradcheck_problem():
    net = Network([3, 5, 4, 2], "tanh", "sigmoid", "cross_entropy", "standard", seed=21)
    X, Y = well_posed_problem(net, "cross_entropy", m=6, seed=22)
    return net, X, Y


def test_gradcheck_passes_for_a_correct_network():
    net, X, Y = _gradcheck_problem()
    before = [p.copy() for p in (*net.weights, *net.biases)]
    table = gradcheck(net, X, Y)
    assert list(table.columns) == [
        "layer",
        "param",
        "shape",
        "max_abs_error",
        "max_rel_error",
        "passed",
    ]
    assert list(zip(table["layer"], table["param"])) == [
        (l, k) for l in (1, 2, 3) for k in ("w", "b")
    ]
    assert table["passed"].all()
    assert (table["max_abs_error"] < 1e-7).all()
    # the checker restores every parameter exactly
    for p, q in zip((*net.weights, *net.biases), before):
        np.testing.assert_array_equal(p, q)


def _patch_gradients(monkeypatch, *, layer: int, kind: str, factor: float = 1.1):
    original = Network.gradients

    def buggy(self, X, Y, *args, **kwargs):
        nabla_b, nabla_w, zs, acts, deltas = original(self, X, Y, *args, **kwargs)
        target = nabla_w if kind == "w" else nabla_b
        target[layer] = target[layer] * factor
        return nabla_b, nabla_w, zs, acts, deltas

    monkeypatch.setattr(Network, "gradients", buggy)


@pytest.mark.parametrize(("layer", "kind"), [(0, "w"), (1, "b"), (2, "w")])
def test_gradcheck_fails_when_backprop_is_wrong(monkeypatch, layer, kind):
    net, X, Y = _gradcheck_problem()
    fb, fw = finite_difference_gradients(net, X, Y)
    assert np.abs((fw if kind == "w" else fb)[layer]).max() > 1e-2  # a 10% error shows
    _patch_gradients(monkeypatch, layer=layer, kind=kind)
    table = gradcheck(net, X, Y)
    bad = (table["layer"] == layer + 1) & (table["param"] == kind)
    assert bad.sum() == 1
    assert not table.loc[bad, "passed"].item()
    assert table.loc[bad, "max_rel_error"].item() > 0.01
    assert table.loc[~bad, "passed"].all()
    # the tests' own checker sees the same bug
    nb, nw = net.backprop(X, Y)
    got, want = (nw, fw) if kind == "w" else (nb, fb)
    assert not grads_close(got[layer], want[layer])


def test_gradcheck_refuses_a_check_over_the_work_limit(monkeypatch):
    """The library's full check ignored max_check_work (only the app's capped one read it)."""
    monkeypatch.setenv("BACKPROP_MAX_CHECK_WORK", "34991")
    net, X, Y = _gradcheck_problem()  # 54 parameters, 6 samples: 54 x 2 x 6 x 54 = 34,992
    assert net.n_parameters() == 54
    with pytest.raises(ValueError, match=r"34,992 multiply-adds, over the limit of 34,991"):
        gradcheck(net, X, Y)
    assert backprop.numerical_gradients(net, X[:, :5], Y[:, :5])  # 29,160: within
    monkeypatch.setenv("BACKPROP_MAX_CHECK_WORK", "34992")
    net, X, Y = _gradcheck_problem()
    assert gradcheck(net, X, Y)["passed"].all()


def test_gradcheck_is_exported():
    assert backprop.gradcheck is gradcheck
