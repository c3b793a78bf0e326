"""The gradient debugger's engine side: stages, gradient checks, bugs and the gradient diff.

Stage numbers are checked against the Trace they came from; the bugs against the check and
against training; the diff against gradients written by the tests' own finite differences
(``helpers``), which never call the engine's backprop.
"""

from __future__ import annotations

import io
import itertools
import json
import pathlib
import zipfile
from dataclasses import replace
from types import SimpleNamespace

import numpy as np
import pytest
from helpers import many_lists, nested, npy_header, peak_bytes, with_members
from reference import finite_difference_gradients

from backprop import ACTIVATIONS, COSTS, HIDDEN_ACTIVATIONS, Network, numerical_gradients
from backprop.datasets import load
from backprop.debug import (
    BUGS,
    EQUATIONS,
    RECIPE,
    BugShapeError,
    Case,
    CaseFileError,
    budget,
    buggy_gradients,
    buggy_step,
    check_gradients,
    compare,
    export_case,
    gradients_file,
    read_case,
    read_gradients,
    sgd_update,
    stages,
    state_dict_keys,
    torch_recipe,
    train_pair,
    training_budget,
)
from backprop.debug.check import (
    EpsSearch,
    constant_factor,
    layer_table,
    suspect,
    verdict_table,
)
from backprop.debug.latex import bmatrix, index, lines, num, par, terms
from backprop.limits import Limits

PAIRS = [
    (o, c)
    for o, c in itertools.product(sorted(ACTIVATIONS), sorted(COSTS))
    if COSTS[c].outputs is None or o in COSTS[c].outputs
]
M = 3
MB = 2**20


@pytest.fixture(scope="module")
def xor():
    return load("xor", n_samples=60, seed=0)


def batch(ds, m=M, start=0):
    return ds.X_train[:, start : start + m], ds.Y_train[:, start : start + m]


def square_net(seed=1) -> Network:
    return Network([2, 2, 2, 2], "tanh", "sigmoid", "quadratic", init="xavier", seed=seed)


def nonsquare_net(seed=1) -> Network:
    return Network([2, 4, 3, 2], "tanh", "sigmoid", "quadratic", init="xavier", seed=seed)


# ----------------------------------------------------------------------------- stages
def expected_keys(L: int) -> list[str]:
    keys = ["input", *[f"forward_{l}" for l in range(1, L + 1)], "cost", "bp1"]
    keys += [f"bp2_{l}" for l in range(L - 1, 0, -1)]
    for l in range(L, 0, -1):
        keys += [f"bp3_{l}", f"bp4_{l}"]
    return keys + ["update"]


@pytest.mark.parametrize("hidden", sorted(HIDDEN_ACTIVATIONS))
@pytest.mark.parametrize("output,cost", PAIRS)
def test_stages_show_the_traces_numbers(xor, hidden, output, cost):
    net = Network([2, 3, 4, 2], hidden, output, cost, init="xavier", seed=3)
    X, Y = batch(xor)
    tr = net.trace(X, Y)
    s, j, k, eta = 1, 2, 1, 0.3
    got = stages(tr, sample=s, neuron=j, source=k, eta=eta)
    L = net.n_layers
    assert [st.key for st in got] == expected_keys(L)
    by = {st.key: st for st in got}
    for st in got:
        assert st.equation in EQUATIONS
        assert st.view == ("forward" if st.equation in ("input", "forward", "cost") else "backward")
        assert st.template and st.numbers and st.title
        for _, arr in st.arrays:
            assert np.all(np.isfinite(arr))
    assert by["input"].values["x"] == tr.x[min(j, 1), s]
    for l in range(1, L + 1):
        st, jj = by[f"forward_{l}"], min(j, net.sizes[l] - 1)
        assert (st.layer, st.neuron) == (l, jj)
        assert st.values["z"] == tr.z[l - 1][jj, s] and st.values["a"] == tr.a[l][jj, s]
        assert st.arrays[0][1] is tr.z[l - 1] and st.arrays[1][1] is tr.a[l]  # not recomputed
        assert num(tr.z[l - 1][jj, s]) in st.numbers[0] and num(tr.a[l][jj, s]) in st.numbers[1]
        assert bool(st.full) == (max(net.weights[l - 1].shape) <= 6)
    cost_stage = by["cost"]
    assert cost_stage.values["cost"] == tr.cost
    col = slice(s, s + 1)  # the engine's C on one column (from z for a stable form)
    assert cost_stage.values["cost_x"] == net.output_cost(
        tr.z[-1][:, col], tr.a[L][:, col], Y[:, col]
    )
    assert cost_stage.values["cost_x"] == pytest.approx(  # the general form, shown: ln(1 - a)
        net.cost.fn(tr.a[L][:, col], tr.y[:, col]),
        rel=1e-8,  # loses digits as a nears 1
    )
    bp1, jj = by["bp1"], min(j, 1)
    assert (bp1.layer, bp1.equation) == (L, "BP1")
    assert bp1.values["delta"] == tr.delta[L - 1][jj, s]
    assert bp1.values["delta_general"] == tr.output_delta_general[jj, s]
    assert bp1.values["grad"] == tr.cost_grad[jj, s]
    if net.uses_shortcut:  # both forms shown, and they agree
        assert bp1.values["delta_shortcut"] == tr.output_delta_shortcut[jj, s]
        diff = np.max(np.abs(tr.output_delta_general - tr.output_delta_shortcut))
        assert bp1.values["max_abs_difference"] == diff < 1e-9
        assert any("shortcut" in line for line in bp1.numbers)
    else:
        assert tr.output_delta_shortcut is None and "delta_shortcut" not in bp1.values
    for l in range(L - 1, 0, -1):
        st, jj = by[f"bp2_{l}"], min(j, net.sizes[l] - 1)
        assert (st.layer, st.equation) == (l, "BP2")
        assert st.values["delta"] == tr.delta[l - 1][jj, s]
        assert st.values["backprop"] * st.values["sigma_prime"] == pytest.approx(
            st.values["delta"], rel=1e-12, abs=1e-15
        )
    for l in range(1, L + 1):
        jj, kk = min(j, net.sizes[l] - 1), min(k, net.sizes[l - 1] - 1)
        assert by[f"bp3_{l}"].values["nabla_b"] == tr.nabla_b[l - 1][jj, 0]
        assert by[f"bp4_{l}"].values["nabla_w"] == tr.nabla_w[l - 1][jj, kk]
        assert by[f"bp4_{l}"].source == kk
    stepped = net.copy()
    stepped.update_mini_batch(X, Y, eta)  # the engine's own SGD step
    for l in range(1, L + 1):
        jj, kk = min(j, net.sizes[l] - 1), min(k, net.sizes[l - 1] - 1)
        assert by["update"].values[f"w{l}"] == pytest.approx(stepped.weights[l - 1][jj, kk])
        assert by["update"].values[f"b{l}"] == pytest.approx(stepped.biases[l - 1][jj, 0])
    # a line per parameter (w, then b, for each layer), ending in its new value
    lines = by["update"].numbers
    assert len(lines) == 2 * L
    for l in range(1, L + 1):
        w_line, b_line = lines[2 * l - 2 : 2 * l]
        assert w_line.startswith(f"w^{{{l}}}_") and "b^" not in w_line
        assert b_line.startswith(f"b^{{{l}}}_") and "w^" not in b_line
        assert w_line.endswith(f"= {num(by['update'].values[f'w{l}'])}")
        assert b_line.endswith(f"= {num(by['update'].values[f'b{l}'])}")


def test_stages_of_a_single_sample_and_a_network_without_hidden_layers(xor):
    net = Network([2, 2], "sigmoid", "softmax", "log_likelihood", seed=0)
    tr = net.trace(*batch(xor, m=1))
    got = stages(tr)
    assert [s.key for s in got] == expected_keys(1)
    assert "frac{1}{m}" not in got[-3].template  # BP3 for one sample: no mean


def test_sgd_update_is_the_engines_step(xor):
    net = nonsquare_net()
    X, Y = batch(xor, 5)
    w, b = sgd_update(net.trace(X, Y), 0.7)
    net.update_mini_batch(X, Y, 0.7)
    for l in range(net.n_layers):
        np.testing.assert_allclose(w[l], net.weights[l], rtol=0, atol=1e-15)
        np.testing.assert_allclose(b[l], net.biases[l], rtol=0, atol=1e-15)


@pytest.mark.parametrize(
    "kw,name",
    [({"sample": 3}, "sample"), ({"sample": -1}, "sample"), ({"neuron": -1}, "neuron"),
     ({"source": 1.5}, "source"), ({"eta": 0}, "eta"), ({"eta": float("nan")}, "eta")],
)  # fmt: skip
def test_stages_refuse_bad_arguments_naming_them(xor, kw, name):
    tr = nonsquare_net().trace(*batch(xor))
    with pytest.raises(ValueError, match=name):
        stages(tr, **kw)


def test_latex_helpers():
    assert num(0.123456) == "0.1235" and num(-2) == "{-2}" and num(0) == "0"
    assert num(1.5e-7) == r"1.500 \times 10^{-7}" and num(float("nan")) == r"\mathrm{NaN}"
    assert par(-0.5) == "({-0.5})" and par(0.5) == "0.5"
    assert terms(["a", "b", "c", "d", "e"]) == r"a + b + c + \cdots + e"
    assert bmatrix(np.array([[1, -2]])) == r"\begin{bmatrix} 1 & {-2} \end{bmatrix}"
    assert index(1, 2) == "12" and index(10, 2) == "10,2" and index("k", 3) == "k3"
    assert lines("a") == "a" and lines("a", "b").startswith(r"\begin{gathered}")


# ------------------------------------------------------------------------ gradient check
def test_the_correct_path_passes_the_check(xor):
    for net in (square_net(), nonsquare_net(), Network([2, 5, 2], "relu", "softmax",
                                                       "log_likelihood", seed=0)):  # fmt: skip
        res = check_gradients(net, *batch(xor, 8))
        assert res.passed and res.diagnosis() is None and not res.capped
        assert list(res.table["layer"]) == [l for l in range(1, net.n_layers + 1) for _ in "wb"]


def test_the_check_passes_where_outputs_saturate():
    """A softmax output that rounds to 1 (logit gap 40): the central differences use the engine's
    stable cost from z, as the gradients do; the clamped cost from a gave 0
    here."""
    net = Network([1, 3], output_activation="softmax", cost="cross_entropy", seed=0)
    net.weights[0][:] = 0.0
    net.biases[0][:, 0] = [40.0, 0.0, 0.0]
    X, Y = np.zeros((1, 1)), np.array([[0.0], [1.0], [0.0]])
    for per_layer in (3, 2):  # every entry, and a subset (the capped path)
        res = check_gradients(net, X, Y, max_per_layer=per_layer)
        assert res.passed, res.table


def test_capped_check_uses_the_same_central_differences(xor):
    net = Network([2, 30, 2], "sigmoid", "sigmoid", "quadratic", seed=0)
    X, Y = batch(xor, 4)
    res = check_gradients(net, X, Y, max_per_layer=7, seed=3)
    assert res.capped and res.passed
    assert list(res.table["checked"]) == ["7 of 60", "7 of 30", "7 of 60", "2 of 2"]
    num_b, num_w = numerical_gradients(net.copy(), X, Y)
    for p in res.params:
        full = (num_w if p.param == "w" else num_b)[p.layer - 1].ravel()
        np.testing.assert_allclose(p.numeric, full[p.index], rtol=1e-9, atol=1e-12)


def test_the_check_never_changes_the_network(xor):
    net = nonsquare_net()
    before = [w.copy() for w in net.weights] + [b.copy() for b in net.biases]
    check_gradients(net, *batch(xor, 4), max_per_layer=3)
    for a, b in zip(before, net.weights + net.biases):
        assert np.array_equal(a, b)


@pytest.mark.parametrize("eps", [0, -1e-6, float("nan"), 1.0, "x", 1e-20])
def test_bad_epsilon_is_refused_naming_it(xor, eps):
    with pytest.raises(ValueError, match="epsilon"):
        check_gradients(square_net(), *batch(xor), eps=eps)


def test_suspect_rule_and_constant_factor():
    assert suspect(3, 3, w_ok=False, b_ok=False) == "BP1"
    assert suspect(2, 3, w_ok=False, b_ok=False) == "BP2"
    assert suspect(2, 3, w_ok=True, b_ok=False) == "BP3"
    assert suspect(3, 3, w_ok=False, b_ok=True) == "BP4"
    r = np.array([0.5, -2.0, 0.0, 1e-3])
    assert constant_factor(8 * r, r) == pytest.approx(8)
    assert constant_factor(-r, r) == pytest.approx(-1)
    assert constant_factor(r, r) is None and constant_factor(r + 1, r) is None


# ---------------------------------------------------------------------------------- bugs
EXPECTED = {  # bug -> (first failing layer on the square [2, 2, 2, 2] net, equation)
    "bp1_no_sigma_prime": (3, "BP1"),
    "bp2_no_sigma_prime": (2, "BP2"),
    "bp2_no_transpose": (2, "BP2"),
    "summed_not_averaged": (3, "BP3 and BP4"),  # every gradient off by the factor m
    "bias_wrong_layer": (2, "BP3"),
    "wrong_activation_prime": (2, "BP2"),
}


def test_the_registry_is_complete():
    assert set(BUGS) == set(EXPECTED) | {"update_sign"}
    for key, bug in BUGS.items():
        assert bug.key == key and bug.title and bug.description and bug.symptom
        assert bug.wrong != bug.right
        assert bug.equation in ("BP1", "BP2", "BP3", "BP3 and BP4", "update")


@pytest.mark.parametrize("key", sorted(EXPECTED))
def test_every_bug_is_flagged_by_the_check(xor, key):
    net = square_net()
    X, Y = batch(xor, 8)
    assert BUGS[key].invisible(net, 8) is None
    res = check_gradients(net, X, Y, buggy_gradients(net, X, Y, [key]))
    diag = res.diagnosis()
    assert not res.passed and diag is not None
    assert (diag.layer, diag.equation) == EXPECTED[key]
    if key == "summed_not_averaged":
        assert diag.factor == pytest.approx(8) and "summed" in diag.message
    if key == "bias_wrong_layer":  # only the hidden biases fail
        t = layer_table(res.table)
        assert list(t["weights"]) == ["pass"] * 3 and list(t["biases"]) == ["FAIL", "FAIL", "pass"]


def test_the_update_sign_bug_passes_the_check_but_training_climbs(xor):
    net = square_net()
    X, Y = batch(xor, 8)
    grads = buggy_gradients(net, X, Y, ["update_sign"])
    assert check_gradients(net, X, Y, grads).passed  # the gradient itself is right
    hist = train_pair(net, xor.X_train, xor.Y_train, ["update_sign"], eta=1.0, batch_size=10,
                      steps=60)  # fmt: skip
    assert hist["buggy"].iloc[0] == hist["correct"].iloc[0]  # same start
    assert hist["buggy"].iloc[-1] > hist["buggy"].iloc[0] + 0.05  # the cost rises
    assert hist["correct"].iloc[-1] < hist["correct"].iloc[0]  # and falls without the bug


def test_the_bug_free_copy_matches_the_engine(xor):
    for net in (square_net(), nonsquare_net()):
        X, Y = batch(xor, 5)
        ours, engine = buggy_gradients(net, X, Y), net.backprop(X, Y)
        for a, b in zip(ours[0] + ours[1], engine[0] + engine[1]):
            np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-15)
    hist = train_pair(square_net(), xor.X_train, xor.Y_train, [], eta=0.5, batch_size=10,
                      steps=20)  # fmt: skip
    np.testing.assert_allclose(hist["buggy"], hist["correct"], rtol=1e-10)


@pytest.mark.parametrize(
    "key,needle",
    [("bp2_no_transpose", "BP2 at layer 2: w^3 has shape (2, 3)"),
     ("bias_wrong_layer", "BP3 at layer 2")],
)  # fmt: skip
def test_non_square_layers_turn_bugs_into_shape_errors(xor, key, needle):
    with pytest.raises(BugShapeError) as e:
        buggy_gradients(nonsquare_net(), *batch(xor), [key])
    assert needle in str(e.value)
    with pytest.raises(BugShapeError):
        train_pair(nonsquare_net(), xor.X_train, xor.Y_train, [key], eta=1, batch_size=5, steps=2)


def test_invisible_bugs_say_why(xor):
    linear_out = Network([2, 3, 1], "linear", "linear", "quadratic", seed=0)
    assert "σ'(z) = 1" in BUGS["bp1_no_sigma_prime"].invisible(linear_out, 4)
    assert "σ'(z) = 1" in BUGS["bp2_no_sigma_prime"].invisible(linear_out, 4)
    assert "one sample" in BUGS["summed_not_averaged"].invisible(square_net(), 1)
    assert "no hidden layer" in BUGS["bp2_no_transpose"].invisible(Network([2, 2], seed=0), 4)


def test_unknown_bug_names_the_choices(xor):
    with pytest.raises(ValueError, match="unknown bug 'nope'; valid choices: bp1_no_sigma_prime"):
        buggy_gradients(square_net(), *batch(xor), ["nope"])


def test_network_gradients_is_untouched_by_the_bugs(xor):
    original, original_backprop = Network.gradients, Network.backprop
    net = square_net()
    X, Y = batch(xor, 8)
    before = [a.copy() for part in net.gradients(X, Y)[:2] for a in part]
    params = [p.copy() for p in net.weights + net.biases]
    for key in BUGS:
        buggy_gradients(net, X, Y, [key])
        buggy_step(net.copy(), X, Y, 0.5, [key])
        train_pair(net, X, Y, [key], eta=0.5, batch_size=4, steps=3)
    buggy_gradients(net, X, Y, list(BUGS))  # all at once
    assert Network.gradients is original and Network.__dict__["gradients"] is original
    assert Network.backprop is original_backprop and "gradients" not in vars(net)
    after = [a for part in net.gradients(X, Y)[:2] for a in part]
    assert all(np.array_equal(a, b) for a, b in zip(before, after))
    assert all(np.array_equal(a, b) for a, b in zip(params, net.weights + net.biases))


# ------------------------------------------------------------------------ gradient diff
@pytest.fixture
def case(xor) -> Case:
    return Case.of(nonsquare_net(), *batch(xor, 4))


@pytest.mark.parametrize("fmt", ["npz", "json"])
def test_a_case_round_trips(case, fmt):
    net = case.network()
    back = read_case(export_case(net, case.X, case.Y, fmt))
    assert back.sizes == case.sizes and back.cost == case.cost
    assert (back.activation, back.output_activation) == (case.activation, case.output_activation)
    for a, b in zip(back.weights + back.biases + (back.X, back.Y),
                    case.weights + case.biases + (case.X, case.Y)):  # fmt: skip
        assert np.array_equal(a, b)


def reference_gradients(case: Case):
    """The tests' own finite differences (no engine backprop), as a user's code would give."""
    fake = SimpleNamespace(
        weights=[w.copy() for w in case.weights],
        biases=[b.copy() for b in case.biases],
        sizes=list(case.sizes),
        activation=case.activation,
        output_activation=case.output_activation,
        cost_name=case.cost,
    )
    return finite_difference_gradients(fake, case.X, case.Y)


def test_the_recipe_runs_and_a_correct_upload_passes(case, tmp_path, monkeypatch):
    (tmp_path / "gradient-case.npz").write_bytes(export_case(case.network(), case.X, case.Y))
    monkeypatch.chdir(tmp_path)

    def my_backprop(W, B, X, Y, act, out, cost):
        mine = Case(tuple(case.sizes), act, out, cost, tuple(W), tuple(B), X, Y)
        return reference_gradients(mine)

    assert len(RECIPE.strip().splitlines()) <= 11
    exec(RECIPE, {"my_backprop": my_backprop})  # noqa: S102 - the page's recipe, verbatim
    yours = read_gradients((tmp_path / "my-gradients.npz").read_bytes(), case.sizes)
    res = compare(case.gradients(), yours)
    assert res.passed and res.diagnosis is None and res.table["passed"].all()
    as_json = read_gradients(gradients_file(*reference_gradients(case), fmt="json"), case.sizes)
    assert compare(case.gradients(), as_json).passed


def perturbed(case, layer, param, by=1e-2):
    nb, nw = (list(map(np.copy, g)) for g in case.gradients())
    (nw if param == "w" else nb)[layer - 1][0, 0] += by
    return nb, nw


@pytest.mark.parametrize(
    "change,layer,equation",
    [(("w", 3), 3, "BP4"), (("b", 3), 3, "BP3"), (("w", 1), 1, "BP4"), (("b", 2), 2, "BP3")],
)
def test_a_wrong_upload_names_the_layer_and_equation(case, change, layer, equation):
    param, at = change
    yours = read_gradients(gradients_file(*perturbed(case, at, param)), case.sizes)
    res = compare(case.gradients(), yours)
    assert not res.passed
    assert (res.diagnosis.layer, res.diagnosis.equation) == (layer, equation)
    diff = res.difference(layer, param)
    assert diff[0, 0] == pytest.approx(1e-2) and np.count_nonzero(np.abs(diff) > 1e-9) == 1


def test_buggy_uploads_point_to_bp1_and_bp2(xor):
    net = square_net()
    case = Case.of(net, *batch(xor, 4))
    for key, (layer, eq) in (("bp1_no_sigma_prime", (3, "BP1")), ("bp2_no_sigma_prime",
                                                                    (2, "BP2"))):  # fmt: skip
        g = buggy_gradients(net, case.X, case.Y, [key])
        res = compare(case.gradients(), read_gradients(gradients_file(*g), case.sizes))
        assert (res.diagnosis.layer, res.diagnosis.equation) == (layer, eq)
    g = buggy_gradients(net, case.X, case.Y, ["summed_not_averaged"])
    res = compare(case.gradients(), g, batch_size=4)
    assert res.diagnosis.factor == pytest.approx(4) and "summed" in res.diagnosis.message


def torch_style(case: Case, perturb: str | None = None) -> bytes:
    """The gradients file the page's PyTorch recipe writes, made with NumPy alone:
    ``np.savez(**{k: p.grad.numpy() for k, p in model.named_parameters()})`` of an
    ``nn.Sequential`` (Linear layers at 0, 2, 4, ...), float32, biases 1-D ``(n,)``,
    computed in float32 as torch would (the tests' own finite differences, then rounded)."""
    nb, nw = reference_gradients(case)
    arrays = {}
    for l, (b, w) in enumerate(zip(nb, nw)):
        arrays[f"{2 * l}.weight"] = w.astype(np.float32)  # Linear.weight: (out, in)
        arrays[f"{2 * l}.bias"] = b.reshape(-1).astype(np.float32)
    if perturb:
        arrays[perturb] = -arrays[perturb]
    return npz(**arrays)


def test_a_pytorch_state_dict_upload_is_read_in_layer_order(case):
    yours = read_gradients(torch_style(case), case.sizes)
    assert [b.shape for b in yours[0]] == [(n, 1) for n in case.sizes[1:]]
    assert compare(case.gradients(), yours).passed
    res = compare(case.gradients(), read_gradients(torch_style(case, "2.bias"), case.sizes))
    assert (res.diagnosis.layer, res.diagnosis.equation) == (2, "BP3")


def test_state_dict_keys_order_and_names():
    seq = ["10.weight", "10.bias", "0.weight", "0.bias", "2.weight", "2.bias", "note"]
    assert state_dict_keys(seq) == {
        "0.weight": ("weight", 0), "0.bias": ("bias", 0), "2.weight": ("weight", 1),
        "2.bias": ("bias", 1), "10.weight": ("weight", 2), "10.bias": ("bias", 2),
    }  # fmt: skip
    named = ["out.weight", "fc1.weight.grad", "fc1.bias.grad", "out.bias"]  # by appearance
    assert state_dict_keys(named) == {
        "out.weight": ("weight", 0), "out.bias": ("bias", 0),
        "fc1.weight.grad": ("weight", 1), "fc1.bias.grad": ("bias", 1),
    }  # fmt: skip
    nested = ["net.2.weight", "net.0.weight", "net.10.weight"]
    assert [state_dict_keys(nested)[k][1] for k in nested] == [1, 0, 2]
    with pytest.raises(CaseFileError, match="0.weight and 0.weight.grad"):
        state_dict_keys(["0.weight", "0.weight.grad"])


def test_the_pytorch_recipe_writes_out_the_cases_cost(case):
    for cost, needle in (("quadratic", "0.5 * ((a - y) ** 2).sum(dim=1)"),
                         ("cross_entropy", "(1 - y) * torch.log(1 - a)"),
                         ("log_likelihood", "-(y * torch.log(a)).sum(dim=1)")):  # fmt: skip
        recipe = torch_recipe(replace(case, cost=cost))
        assert needle in recipe and ".mean()" in recipe and "named_parameters()" in recipe
        compile(recipe, "recipe", "exec")  # valid Python
    with pytest.raises(ValueError, match="unknown cost"):
        torch_recipe(replace(case, cost="hinge"))


def npz(**arrays) -> bytes:
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    return buf.getvalue()


def good_arrays(case) -> dict:
    nb, nw = case.gradients()
    out = {f"nabla_b_{l}": b for l, b in enumerate(nb)}
    out.update({f"nabla_w_{l}": w for l, w in enumerate(nw)})
    return out


def malformed(case) -> dict[str, tuple[bytes, str]]:
    """name -> (file bytes, a piece of the expected message)."""
    good = good_arrays(case)
    nb, nw = case.gradients()
    transposed = {**good, "nabla_w_1": good["nabla_w_1"].T}
    flat_bias = {**good, "nabla_b_0": np.zeros(5)}  # 1-D is fine, but 4 entries are needed
    missing = {k: v for k, v in good.items() if k != "nabla_w_2"}
    gap = {k: v for k, v in good.items() if k != "nabla_w_1"}
    extra = {**good, "nabla_w_3": np.zeros((2, 2)), "nabla_b_3": np.zeros((2, 1))}
    nan = {**good, "nabla_b_2": np.full((2, 1), np.nan)}
    text = {**good, "nabla_w_0": np.array([["a"] * 2] * 4)}
    real = gradients_file(nb, nw)
    return {
        "transposed": (npz(**transposed), "(4, 3), but the book's shape for this network is (3, 4)"
                       " (it looks transposed)"),
        "flat bias": (npz(**flat_bias), "nabla_b_0 (layer 1) has shape (5,)"),
        "missing layer": (npz(**missing), "needs 3 arrays, got 2"),
        "gap": (npz(**gap), "no 'nabla_w_1' entry"),
        "extra layer": (npz(**extra), "needs 3 arrays, got 4"),
        "nan": (npz(**nan), "nabla_b_2 contains NaN"),
        "text": (npz(**text), "must hold real numbers"),
        "truncated": (real[: len(real) // 2], "damaged or truncated"),
        "corrupt": (b"PK\x03\x04" + bytes(range(256)) * 4, "damaged or truncated"),
        "binary": (bytes([0x80, 0xFF, 0x00, 0x13]) * 50, "neither an .npz archive nor UTF-8"),
        "empty": (b"", "empty"),
        "not json": (b"{nabla_b: 1", "not valid JSON"),
        "json list": (b"[1, 2, 3]", "must hold a JSON object"),
        "json ragged": (json.dumps({"nabla_b": [[[1.0], [2.0, 3.0]]] * 3,
                                    "nabla_w": [w.tolist() for w in nw]}).encode(),
                        "not a rectangular array"),  # fmt: skip
        "json null": (json.dumps({"nabla_b": [[[None]] * 4, [[0]] * 3, [[0]] * 2],
                                  "nabla_w": [w.tolist() for w in nw]}).encode(),
                      "must hold real numbers"),  # fmt: skip
        "json NaN": (json.dumps({"nabla_b": [[[float("nan")]] * 4, [[0]] * 3, [[0]] * 2],
                                 "nabla_w": [w.tolist() for w in nw]}).encode(),
                     "nabla_b_0 contains NaN"),
        "a case, not gradients": (export_case(case.network(), case.X, case.Y), "no nabla_b"),
    }  # fmt: skip


def test_malformed_gradient_files_raise_clear_value_errors(case):
    for name, (data, needle) in malformed(case).items():
        with pytest.raises(CaseFileError) as e:
            read_gradients(data, case.sizes)
        assert isinstance(e.value, ValueError)
        assert needle in str(e.value), f"{name}: {e.value}"


def test_oversize_files_are_refused(case):
    big = b"{" + b" " * (2**20 + 10) + b"}"
    with pytest.raises(CaseFileError, match="larger than the upload limit of 1 MB"):
        read_gradients(big, case.sizes, limits=Limits(max_upload_mb=1))
    buf = io.BytesIO()
    np.savez_compressed(buf, nabla_b_0=np.zeros((400_000, 1)))  # a few kB, 3.2 MB unpacked
    bomb = buf.getvalue()
    assert len(bomb) < 2**20
    with pytest.raises(CaseFileError, match="unpacks to .* over the upload limit of 1 MB"):
        read_gradients(bomb, case.sizes, limits=Limits(max_upload_mb=1))


def test_malformed_case_files_raise_clear_value_errors(case):
    good = export_case(case.network(), case.X, case.Y, "json")
    doc = json.loads(good)
    bad = {
        "other format": ({**doc, "format": "something-else"}, "not a gradient test case"),
        "new version": ({**doc, "version": 2}, "unknown test case version 2"),
        "no X": ({k: v for k, v in doc.items() if k != "X"}, "no 'X' entry"),
        "bad name": ({**doc, "activation": "swish"}, "unknown activation 'swish'"),
        "bad shape": ({**doc, "weights": doc["weights"][:2]}, "needs 3 arrays, got 2"),
        "batch": ({**doc, "X": [[1.0, 2.0]]}, "does not fit the network"),
    }
    for name, (d, needle) in bad.items():
        with pytest.raises(CaseFileError) as e:
            read_case(json.dumps(d).encode())
        assert needle in str(e.value), f"{name}: {e.value}"


class Trap:
    """Unpickling this creates ``path``: proof that a file was (or was not) unpickled."""

    def __init__(self, path: pathlib.Path) -> None:
        self.path = path

    def __reduce__(self):
        return (pathlib.Path.touch, (self.path,))


def test_a_pickled_object_array_is_refused_without_unpickling(case, tmp_path):
    proof, marker = tmp_path / "proof", tmp_path / "marker"
    armed = npz(nabla_b_0=np.array([Trap(proof)], dtype=object))
    with np.load(io.BytesIO(armed), allow_pickle=True) as f:
        f["nabla_b_0"]  # the trap is real: loading with pickles allowed springs it
    assert proof.exists()
    good = good_arrays(case)
    data = npz(**{**good, "nabla_b_0": np.array([Trap(marker)], dtype=object)})
    with pytest.raises(CaseFileError, match="pickled"):
        read_gradients(data, case.sizes)
    doc = dict(np.load(io.BytesIO(export_case(case.network(), case.X, case.Y))))
    with pytest.raises(CaseFileError, match="pickled"):
        read_case(npz(**{**doc, "X": np.array([Trap(marker)], dtype=object)}))
    assert not marker.exists()


def test_case_npz_members_are_checked_before_loading(case):
    """A member whose header promises more data than it holds is refused as truncated."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        header = io.BytesIO()
        np.lib.format.write_array_header_1_0(
            header, {"descr": "<f8", "fortran_order": False, "shape": (10**6, 1)}
        )
        zf.writestr("nabla_b_0.npy", header.getvalue() + b"\0" * 16)
    with pytest.raises(CaseFileError, match="truncated"):
        read_gradients(buf.getvalue(), case.sizes)


def case_arrays(case: Case) -> dict[str, np.ndarray]:
    with np.load(io.BytesIO(export_case(case.network(), case.X, case.Y))) as z:
        return {k: z[k] for k in z.files}


@pytest.mark.parametrize("prefix", ["nabla_w", "nabla_b"])
def test_a_huge_gradient_index_is_a_gap_found_at_no_cost(case, prefix):
    """A 1.4 KB gradients file with ``nabla_w_10000000`` cost 1.6 s and +1 GB."""
    bad = with_members(npz(**good_arrays(case)), {f"{prefix}_10000000.npy": np.zeros((1, 1))})
    raised, peak = peak_bytes(lambda: read_gradients(bad, case.sizes))
    assert peak < 5 * MB, f"refusing it allocated {peak / MB:.0f} MB"
    assert isinstance(raised, CaseFileError), raised
    assert f"no '{prefix}_3' entry (but has '{prefix}_10000000')" in str(raised)


def test_more_members_than_a_gradients_file_has_are_refused_unread(case):
    bad = with_members(npz(**good_arrays(case)), {f"x_{i}.npy": b"" for i in range(200)})
    with pytest.raises(CaseFileError, match=r"has 206 members .* at most"):
        read_gradients(bad, case.sizes)


@pytest.mark.parametrize(
    ("X", "Y"),
    [
        (np.zeros((2, 3_000_000), np.int8), np.zeros((2, 3_000_000), np.int8)),
        (npy_header((2, 2**40), "<f8"), npy_header((2, 2**40), "<f8")),
    ],
    ids=["3M-columns", "header-2**40-columns"],
)
def test_a_case_batch_over_the_limits_is_refused_before_loading(case, X, Y):
    """A 15 KB case whose batch had 3,000,000 columns was accepted (then +1 GB to use)."""
    arrays = {k: v for k, v in case_arrays(case).items() if k not in "XY"}
    bad = with_members(npz(**arrays), {"X.npy": X, "Y.npy": Y})
    raised, peak = peak_bytes(lambda: read_case(bad).gradients())
    assert peak < 5 * MB, f"refusing it allocated {peak / MB:.0f} MB"
    assert isinstance(raised, CaseFileError), raised
    assert "samples (columns), over the limit of 10,000" in str(raised)


def test_a_json_case_batch_over_the_limits_is_refused(case):
    net = case.network()
    X, Y = np.zeros((2, 11)), np.zeros((2, 11))
    data = export_case(net, X, Y, "json")
    with pytest.raises(CaseFileError, match="batch size must be <= 10"):
        read_case(data, limits=Limits(max_batch_size=10))
    work = Limits(max_step_work=10 * net.n_parameters())  # one backprop of 11 columns: over
    with pytest.raises(CaseFileError, match="multiply-adds a step, over the limit"):
        read_case(data, limits=work)
    assert read_case(export_case(net, X[:, :10], Y[:, :10], "json"), limits=work).X.shape == (2, 10)


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ('{"nabla_b": ' + many_lists(50_000) + "}", "JSON lists and objects"),
        ('{"nabla_b": [' + "0," * 2_000_000 + "0]}", "JSON values"),
        ('{"nabla_b": ' + nested(600) + "}", "nested more than 32 levels deep"),
    ],
    ids=["50k-lists", "2M-values", "600-deep"],
)
def test_json_larger_than_any_gradients_file_is_refused_before_parsing(case, text, match):
    raised, peak = peak_bytes(lambda: read_gradients(text, case.sizes))
    assert peak < 2 * MB, f"reading {len(text) / MB:.1f} MB of text allocated {peak / MB:.0f} MB"
    assert isinstance(raised, CaseFileError) and match in str(raised), raised


def test_the_largest_batch_the_limits_allow_still_loads():
    lim = Limits(max_batch_size=1_000)
    net = Network([lim.max_inputs, 8, lim.max_outputs], cost="quadratic", seed=0)
    X = np.ones((lim.max_inputs, lim.max_batch_size))
    Y = np.zeros((lim.max_outputs, lim.max_batch_size))
    for fmt in ("npz", "json"):
        assert read_case(export_case(net, X, Y, fmt), limits=lim).X.shape == X.shape
    nb, nw = net.backprop(X[:, :2], Y[:, :2])
    transposed = gradients_file(nb, [w.T for w in nw], "json")  # told it is transposed
    with pytest.raises(CaseFileError, match="looks transposed"):
        read_gradients(transposed, net.sizes, limits=lim)


# ------------------------------------------------------------------------------ figures
def test_the_debug_figures_show_the_arrays_as_float32(xor):
    from backprop.viz.debug import cost_pair, difference_heatmap, gradient_scatter, stage_heatmaps

    net = square_net()
    X, Y = batch(xor, 4)
    res = check_gradients(net, X, Y)
    groups = [(f"layer {p.layer} {p.param}", p.analytic, p.numeric) for p in res.params]
    fig = gradient_scatter(groups)
    assert len(fig.data) == 1 + len(groups) and fig.data[0].name == "analytic = numeric"
    for tr, p in zip(fig.data[1:], res.params):
        assert tr.x.dtype == np.float32 and np.allclose(tr.x, p.numeric, rtol=1e-6, atol=1e-9)
        assert np.allclose(tr.y, p.analytic, rtol=1e-6, atol=1e-9)
    hist = train_pair(net, xor.X_train, xor.Y_train, ["update_sign"], eta=1.0, batch_size=5,
                      steps=5)  # fmt: skip
    pair = cost_pair(hist)
    assert [t.name for t in pair.data] == ["correct backprop", "with the bug"]
    assert np.allclose(pair.data[1].y, hist["buggy"], rtol=1e-6)
    diff = np.arange(6.0).reshape(3, 2) - 2
    heat = difference_heatmap(diff, 2, "w")
    assert heat.data[0].z.dtype == np.float32 and heat.data[0].zmin == -heat.data[0].zmax == -3
    tr = net.trace(X, Y)
    st = stages(tr, sample=2)[1]
    sh = stage_heatmaps(st.arrays, sample=2)
    assert len(sh.data) == 2 and np.array_equal(sh.data[0].z, tr.z[0].astype(np.float32))
    assert sh.layout.shapes[0].x0 == 1.5  # column 2 outlined


def test_a_big_check_is_cut_to_the_work_limit():
    lim = Limits(max_check_work=200_000)
    net = Network([3, 20, 20, 2], "tanh", seed=0, limits=lim)  # 542 parameters
    X = np.random.default_rng(0).normal(size=(3, 4))
    Y = np.eye(2)[:, [0, 1, 0, 1]]
    result = check_gradients(net, X, Y)
    # 2 forward passes x 4 samples x 542 parameters per entry, 2 kinds x 3 layers:
    per_layer = 200_000 // (2 * 3 * 2 * 4 * 542)
    assert per_layer == 7
    assert all(len(p.index) <= per_layer for p in result.params)
    assert list(result.table["checked"])[:2] == ["7 of 60", "7 of 20"]
    assert all(result.table["passed"])


# ------------------------------------------------- finite-difference error vs backprop
def _issue_net() -> tuple[Network, np.ndarray, np.ndarray]:
    """The debugger pages' first default: [2, 3, 2] tanh/softmax on 8 XOR samples."""
    ds = load("xor", n_samples=200, seed=0)
    net = Network([2, 3, 2], "tanh", "softmax", "log_likelihood", init="xavier", seed=0)
    return net, ds.X_train[:, :8], ds.Y_train[:, :8]


def test_eps_too_large_is_truncation_not_bp4():
    """At eps = 1e-2 the check blamed BP4 for the finite differences' own O(eps^2) error."""
    net, X, Y = _issue_net()
    res = check_gradients(net, X, Y, eps=1e-2)
    assert not res.passed  # at this eps some entries are outside the tolerance
    assert res.diagnosis() is None  # ... and none of it is backprop's
    assert res.verdicts and all(v.cause == "truncation" for v in res.verdicts)
    for v in res.verdicts:
        (e0, r0), *rest = v.trail
        assert e0 == 1e-2 and r0 > 1 and v.eps_ok < 1e-2
        at_ok = dict(v.trail)[v.eps_ok]
        assert at_ok <= 1 and r0 / at_ok > 30  # ~100x per 10x smaller eps: eps^2
        again = check_gradients(net, X, Y, eps=v.eps_ok).table
        row = (again["layer"] == v.layer) & (again["param"] == v.param)
        assert again.loc[row, "passed"].item()  # it does pass at the eps it names
    advice = res.eps_advice()
    assert "ε = 1e-02 is too large" in advice and "truncation" in advice
    assert f"{res.verdicts[0].eps_ok:.0e}" in advice


def test_eps_too_small_is_rounding_not_bp3():
    net, X, Y = _issue_net()
    res = check_gradients(net, X, Y, eps=1e-12)
    assert not res.passed and res.diagnosis() is None
    assert res.verdicts and all(v.cause == "rounding" and v.eps_ok > 1e-12 for v in res.verdicts)
    assert "ε = 1e-12 is too small" in res.eps_advice() and "rounding" in res.eps_advice()
    table = verdict_table(res)
    assert all("ε too small (rounding error): passes at ε = " in t for t in table["verdict"])


@pytest.mark.parametrize("eps", [1e-2, 1e-6, 1e-12])
@pytest.mark.parametrize("key", ["summed_not_averaged", "bias_wrong_layer", "bp2_no_transpose"])
def test_a_real_bug_is_still_blamed_at_any_eps(xor, key, eps):
    net = square_net()
    X, Y = batch(xor, 8)
    res = check_gradients(net, X, Y, buggy_gradients(net, X, Y, [key]), eps=eps)
    diag = res.diagnosis()
    assert diag is not None and diag.layer == EXPECTED[key][0]
    if eps == 1e-6:  # at 1e-2 the factor m of a summed gradient is blurred to 8.00004
        assert diag.equation == EXPECTED[key][1]
    assert any(v.cause == "backprop" for v in res.verdicts)
    assert "→" in " ".join(verdict_table(res)["verdict"])


def test_the_worst_entry_is_reported_with_both_values():
    net, X, Y = _issue_net()
    res = check_gradients(net, X, Y, eps=1e-2)
    w = res.worst()
    ratios = [
        (np.abs(p.analytic - p.numeric) / (res.atol + res.rtol * np.abs(p.numeric)), p)
        for p in res.params
    ]
    top, p = max(((r.max(), p) for r, p in ratios), key=lambda t: t[0])
    assert (w["layer"], w["param"]) == (p.layer, p.param) and w["ratio"] == pytest.approx(top)
    j, k = w["index"]
    full_a = net.backprop(X, Y)[1 if p.param == "w" else 0][p.layer - 1]
    assert full_a[j, k] == pytest.approx(w["analytic"])
    assert abs(w["analytic"] - w["numeric"]) / (abs(w["analytic"]) + abs(w["numeric"])) == (
        pytest.approx(w["rel_error"])
    )


def test_the_eps_search_stays_within_the_work_limit():
    """With no work left after the check itself, failures are not re-checked: backprop is
    blamed as before, and the verdict says why."""
    net, X, Y = _issue_net()
    res = check_gradients(net, X, Y, eps=1e-2)
    failing = [p for p in res.params if not p.passed()]
    per_entry = 2 * X.shape[1] * net.n_parameters()
    need = sum(len(p.index) for p in failing) * per_entry  # one more eps for each
    assert all(
        v.cause == "unknown"
        for v in EpsSearch(net, X, Y, res.atol, res.rtol, per_entry, need - 1).verdicts(
            failing, 1e-2
        )
    )
    verdicts = EpsSearch(net, X, Y, res.atol, res.rtol, per_entry, 0).verdicts(failing, 1e-2)
    blind = replace(res, verdicts=verdicts)
    assert blind.diagnosis() is not None and blind.eps_advice() is None
    assert "the work limit" in verdict_table(blind)["verdict"].iloc[0]


def test_relative_error_heatmaps_one_per_layer_with_the_biases_last():
    from backprop.viz.debug import relative_error_heatmaps

    net, X, Y = _issue_net()
    res = check_gradients(net, X, Y, eps=1e-2)
    errs = {(p.layer, p.param): p.relative_errors() for p in res.params}
    fig = relative_error_heatmaps([(l, errs[l, "w"], errs[l, "b"]) for l in (1, 2)], rtol=1e-3)
    assert len(fig.data) == 2 and list(fig.data[0].x) == ["0", "1", "b"]
    z = np.asarray(fig.data[1].z, dtype=float)
    assert z.shape == (2, 4)
    want = np.log10(np.maximum(errs[2, "w"], 1e-16))
    assert np.allclose(z[:, :3], want, atol=1e-5)
    assert "rtol 0.001" in fig.data[0].colorbar.ticktext


# ------------------------------------------------------------------ the gallery's budget
def _old_page_budget(n_params: int, n: int) -> tuple[int, int, int]:
    """The arithmetic the bug gallery page did itself before it moved to ``budget``."""
    n_eval = int(min(n, 500, max(20, 2e6 // n_params)))
    per_step = 2 * n_params * (2 * n_eval + 3 * 10)
    return int(min(150, max(20, 2e9 // per_step))), n_eval, min(10, n_eval)


@pytest.mark.parametrize("n_params", [18, 27, 1_000, 10_000, 50_000, 200_000, 10**6, 10**7])
@pytest.mark.parametrize("n", [4, 15, 200, 5_000])
def test_the_training_budget_is_the_pages_old_arithmetic(n_params, n):
    b = training_budget(n_params, n)
    assert (b.steps, b.n_eval, b.batch_size) == _old_page_budget(n_params, n)


def test_the_training_budget_caps_big_networks_and_keeps_a_floor():
    small = training_budget(18, 400)
    assert (small.steps, small.n_eval, small.batch_size) == (budget.STEPS, 400, 10)
    mid = training_budget(200_000, 400)  # 2e6 // 2e5 = 10 samples: the floor of 20
    assert mid.n_eval == budget.MIN_EVAL and mid.steps == 71
    per_step = 2 * 200_000 * (2 * mid.n_eval + 3 * budget.TRAIN_BATCH)
    assert mid.steps * per_step <= budget.WORK < (mid.steps + 1) * per_step
    huge = training_budget(10**7, 400)
    assert huge.steps == budget.MIN_STEPS and huge.n_eval == budget.MIN_EVAL
    steps = [training_budget(p, 400).steps for p in (10**3, 10**4, 10**5, 10**6)]
    assert steps == sorted(steps, reverse=True)  # more parameters, never more steps


def test_the_training_budget_follows_tiny_data_and_its_arguments():
    tiny = training_budget(18, 6)
    assert (tiny.n_eval, tiny.batch_size) == (6, 6)
    b = training_budget(18, 400, max_steps=30, batch=4, max_eval=50)
    assert (b.steps, b.n_eval, b.batch_size) == (30, 50, 4)


@pytest.mark.parametrize(("n_params", "n"), [(0, 10), (10, 0), (-3, 10)])
def test_the_training_budget_refuses_empty_networks_and_data(n_params, n):
    with pytest.raises(ValueError, match="at least 1"):
        training_budget(n_params, n)
