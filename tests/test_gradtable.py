"""The one gradient-comparison table shared by gradcheck, check_gradients and compare."""

import numpy as np
import pandas as pd
import pytest

from backprop import Network, gradcheck, numerical_gradients
from backprop.debug import buggy_gradients, check_gradients, compare
from backprop.gradtable import ATOL, RTOL, ParamCheck, gradient_table

COLUMNS = ["layer", "param", "shape", "max_abs_error", "max_rel_error", "passed"]


@pytest.fixture
def case():
    net = Network([3, 4, 2], "tanh", "sigmoid", "cross_entropy", seed=3)
    rng = np.random.default_rng(3)
    X = rng.normal(size=(3, 5))
    Y = np.eye(2)[:, rng.integers(0, 2, 5)]
    return net, X, Y


def test_param_check_full_keeps_every_entry():
    a = np.arange(6.0).reshape(3, 2)
    p = ParamCheck.full(2, "w", a, a + 1e-9)
    assert p.shape == (3, 2) and p.size == 6
    np.testing.assert_array_equal(p.index, np.arange(6))
    np.testing.assert_array_equal(p.analytic, a.ravel())
    assert p.passed() and p.errors[0] == pytest.approx(1e-9)
    assert np.isnan(ParamCheck(1, "b", (3, 1), np.array([1]), np.ones(1), np.ones(1))
                    .relative_errors()[0, 0])  # fmt: skip


def test_the_pass_rule_is_atol_plus_rtol_times_the_reference():
    n = np.array([2.0])
    edge = ParamCheck(1, "w", (1, 1), np.arange(1), n + 0.5 * (ATOL + RTOL * 2.0), n)
    assert edge.passed()
    over = ParamCheck(1, "w", (1, 1), np.arange(1), n + 2 * (ATOL + RTOL * 2.0), n)
    assert not over.passed() and over.passed(atol=1.0)
    nan = ParamCheck(1, "w", (1, 1), np.arange(1), np.array([np.nan]), n)
    assert not nan.passed(atol=1e9)


def test_gradient_table_rows_and_columns():
    ok = ParamCheck.full(1, "w", np.ones((2, 3)), np.ones((2, 3)))
    bad = ParamCheck(1, "b", (2, 1), np.array([1]), np.array([1.0]), np.array([2.0]))
    t = gradient_table([ok, bad])
    assert list(t.columns) == COLUMNS
    assert list(t["shape"]) == ["(2, 3)", "(2, 1)"]
    assert list(t["passed"]) == [True, False]
    assert list(t["max_abs_error"]) == [0.0, 1.0]
    assert t["max_rel_error"][1] == pytest.approx(1 / 3)
    t = gradient_table([ok, bad], checked=True)
    assert list(t.columns) == [*COLUMNS[:3], "checked", *COLUMNS[3:]]
    assert list(t["checked"]) == ["6 of 6", "1 of 2"]
    assert gradient_table([bad], atol=1.0)["passed"].all()


def test_the_three_checkers_build_the_same_table(case):
    net, X, Y = case
    nb, nw = net.backprop(X, Y)
    num_b, num_w = numerical_gradients(net, X, Y)
    full = [
        ParamCheck.full(l + 1, kind, a, n)
        for l in range(net.n_layers)
        for kind, a, n in (("w", nw[l], num_w[l]), ("b", nb[l], num_b[l]))
    ]
    engine = gradcheck(net, X, Y)
    pd.testing.assert_frame_equal(engine, gradient_table(full), check_exact=True)

    bad = buggy_gradients(net, X, Y, ["bp2_no_sigma_prime"])
    checked = check_gradients(net, X, Y, bad, max_per_layer=5)
    pd.testing.assert_frame_equal(
        checked.table,
        gradient_table(checked.params, checked.atol, checked.rtol, checked=True),
        check_exact=True,
    )
    diff = compare((nb, nw), bad)
    pd.testing.assert_frame_equal(
        diff.table, gradient_table(diff.params, diff.atol, diff.rtol), check_exact=True
    )
    assert list(engine.columns) == list(diff.table.columns) == COLUMNS
    assert [c for c in checked.table.columns if c != "checked"] == COLUMNS
    # the buggy hidden layer fails in both the check and the diff, the output layer passes
    assert list(checked.table["passed"]) == list(diff.table["passed"]) == [False] * 2 + [True] * 2
    assert list(checked.table["checked"]) == ["5 of 12", "4 of 4", "5 of 8", "2 of 2"]
