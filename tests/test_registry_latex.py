"""Every activation and cost carries its own LaTeX, and the debugger writes it from there."""

import numpy as np
import pytest

from backprop import ACTIVATIONS, COSTS, HIDDEN_ACTIVATIONS, Network
from backprop.debug import buggy_gradients, stages


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_every_activation_has_its_latex(name):
    act = ACTIVATIONS[name]
    assert act.symbol.startswith("\\") and act.symbol.strip() == act.symbol
    assert act.latex.startswith(r"\sigma(z)") and " = " in act.latex
    if act.prime is None:  # softmax: a Jacobian, no elementwise sigma'
        assert act.prime_latex is None and act.wrong_prime is None
    else:
        assert act.prime_latex.startswith(r"\sigma'(z) = ")


@pytest.mark.parametrize("name", HIDDEN_ACTIVATIONS)
def test_the_wrong_prime_bug_uses_another_elementwise_derivative(name):
    act = ACTIVATIONS[name]
    other = ACTIVATIONS[act.wrong_prime]
    assert other.name != name and other.prime is not None
    z = np.linspace(-2, 2, 9).reshape(-1, 1)
    assert not np.allclose(other.prime(z, other.fn(z)), act.prime(z, act.fn(z)))


@pytest.mark.parametrize("name", sorted(COSTS))
def test_every_cost_has_its_latex(name):
    assert COSTS[name].latex.startswith("C_x = ")


def test_the_rendered_strings_stay_the_same():
    assert ACTIVATIONS["sigmoid"].symbol == r"\sigma"
    assert ACTIVATIONS["sigmoid"].latex == r"\sigma(z) = \frac{1}{1 + e^{-z}}"
    assert ACTIVATIONS["sigmoid"].prime_latex == r"\sigma'(z) = \sigma(z)\,(1 - \sigma(z))"
    assert ACTIVATIONS["leaky_relu"].latex == r"\sigma(z) = \max(0.01\,z,\ z)"
    assert ACTIVATIONS["softmax"].latex == r"\sigma(z)_j = e^{z_j} \big/ \textstyle\sum_k e^{z_k}"
    assert COSTS["quadratic"].latex == r"C_x = \tfrac{1}{2} \sum_j (a^L_j - y_j)^2"
    assert COSTS["log_likelihood"].latex == r"C_x = -\sum_j y_j \ln a^L_j"


@pytest.mark.parametrize(
    ("hidden", "output", "cost"),
    [("tanh", "sigmoid", "cross_entropy"), ("relu", "softmax", "log_likelihood"),
     ("leaky_relu", "linear", "quadratic")],
)  # fmt: skip
def test_stages_write_the_registry_latex(hidden, output, cost):
    net = Network([2, 3, 2], hidden, output, cost, seed=0)
    tr = net.trace(np.array([[0.5], [-1.0]]), np.array([[1.0], [0.0]]))
    by_key = {s.key: s for s in stages(tr)}
    h, o = ACTIVATIONS[hidden], ACTIVATIONS[output]
    assert h.latex in by_key["forward_1"].template
    assert rf"a^{{1}} = {h.symbol}(z^{{1}})" in by_key["forward_1"].template
    assert o.latex in by_key["forward_2"].template
    assert COSTS[cost].latex in by_key["cost"].template
    assert h.prime_latex in by_key["bp2_1"].template
    if o.prime is not None:  # softmax's BP1 is written with its Jacobian instead
        assert o.prime_latex in by_key["bp1"].template
    else:
        assert r"J_{\sigma}" in by_key["bp1"].template


def test_the_wrong_prime_bug_follows_the_registry():
    net = Network([2, 3, 2], "tanh", "sigmoid", "quadratic", seed=0)
    X, Y = np.array([[0.5], [-1.0]]), np.array([[1.0], [0.0]])
    zs, acts = net.forward(X)
    sig = ACTIVATIONS[ACTIVATIONS["tanh"].wrong_prime]
    delta2 = net.output_delta(zs[-1], acts[-1], Y)
    delta1 = (net.weights[1].T @ delta2) * sig.prime(zs[0], sig.fn(zs[0]))
    nb, nw = buggy_gradients(net, X, Y, ["wrong_activation_prime"])
    np.testing.assert_allclose(nb[0], delta1, rtol=1e-12)
    np.testing.assert_allclose(nw[0], delta1 @ X.T, rtol=1e-12)
