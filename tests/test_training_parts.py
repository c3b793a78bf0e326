"""The parts of a training step, one unit each: the batch order, the penalties, the
proposal (fused plain SGD), the divergence guard and the recorder/evaluator.

Expected values are written out from their definitions here (or come from ``helpers``).
"""

from __future__ import annotations

import numpy as np
import pytest
from reference import finite_difference_gradients, ref_cost, ref_forward, seed_batch_gradient

from backprop import REGULARIZATIONS, REGULARIZERS, Network
from backprop.batches import BatchOrder
from backprop.divergence import (
    COST_JUMP,
    RELATIVE_JUMP,
    WEIGHT_JUMP,
    DivergenceError,
    Guard,
)
from backprop.optimizers import OPTIMIZERS
from backprop.optimizers import REGULARIZATIONS as OPT_REGULARIZATIONS
from backprop.proposal import propose
from backprop.recording import EPOCH_COLUMNS, Evaluator, Recorder


def data(n: int, n_in: int = 3, n_out: int = 2, seed: int = 0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n_in, n))
    Y = np.eye(n_out)[:, rng.integers(0, n_out, n)]
    return X, Y


# ------------------------------------------------------------------------ batch order
def test_batches_follow_the_rngs_permutation_and_the_last_one_is_partial():
    X, Y = data(11)
    order = BatchOrder(X, Y, np.random.default_rng(5))
    perm = np.random.default_rng(5).permutation(11)
    got = []
    for lo in range(0, 11, 4):
        Xb, Yb = order.next(4)
        idx = perm[lo : lo + 4]
        np.testing.assert_array_equal(Xb, X[:, idx])
        np.testing.assert_array_equal(Yb, Y[:, idx])
        assert Xb.dtype == np.float64 and order.pos == min(lo + 4, 11)
        got.append(Xb.shape[1])
    assert got == [4, 4, 3] and order.epoch_done and order.fraction == 1.0
    order.end_epoch()
    assert order.fraction == 0.0 and order.perm is None


def test_restore_puts_back_the_batch_and_the_new_epochs_shuffle():
    X, Y = data(9)
    order = BatchOrder(X, Y, np.random.default_rng(1))
    for _ in range(2):  # once at an epoch's start (a shuffle is drawn), once within it
        cp = order.checkpoint()
        rng_before = order.rng.bit_generator.state
        pos, perm = order.pos, order.perm
        first = order.next(4)
        order.next(4)
        order.restore(cp)
        assert order.pos == pos and order.perm is perm
        assert order.rng.bit_generator.state == rng_before
        again = order.next(4)  # the same batch again, from the same shuffle
        for a, b in zip(first, again):
            np.testing.assert_array_equal(a, b)


def test_float32_rows_are_gathered_without_a_copy_and_cast_per_batch():
    X, Y = data(6)
    X32 = np.asfortranarray(X.astype(np.float32))  # each sample's column contiguous
    order = BatchOrder(X32, Y, np.random.default_rng(0))
    assert np.shares_memory(order.Xr, X32)
    Xb, _ = order.next(3)
    assert Xb.dtype == np.float64


# ----------------------------------------------------------------------- penalties
def test_the_registry_names_are_the_old_tuple_and_importable_from_optimizers():
    assert REGULARIZATIONS == OPT_REGULARIZATIONS == ("none", "l2", "l1")
    assert tuple(REGULARIZERS) == REGULARIZATIONS
    assert all(REGULARIZERS[k].name == k for k in REGULARIZERS)


def _l2(W, lm, n):
    return lm / (2 * n) * sum((w**2).sum() for w in W)


def _l1(W, lm, n):
    return lm / n * sum(abs(w).sum() for w in W)


@pytest.mark.parametrize(
    ("name", "penalty", "grad"),
    [("l2", _l2, lambda w, lm, n: lm / n * w), ("l1", _l1, lambda w, lm, n: lm / n * np.sign(w))],
)
def test_penalties_and_their_gradients_are_the_formulas(name, penalty, grad):
    rng = np.random.default_rng(2)
    W = [rng.normal(size=(3, 4)), rng.normal(size=(2, 3))]
    reg = REGULARIZERS[name]
    assert reg.active(0.5) and not reg.active(0.0)
    assert reg.penalty(W, 0.5, 40) == pytest.approx(penalty(W, 0.5, 40), rel=1e-14)
    assert reg.penalty(W, 0.0, 40) == 0.0
    for w in W:
        np.testing.assert_allclose(reg.grad(w, 0.5, 40), grad(w, 0.5, 40), rtol=1e-15)
        # the gradient is the derivative of the penalty, entry by entry
        eps, num = 1e-6, np.zeros_like(w)
        for j in np.ndindex(w.shape):
            old = w[j]
            w[j] = old + eps
            up = reg.penalty(W, 0.5, 40)
            w[j] = old - eps
            down = reg.penalty(W, 0.5, 40)
            w[j] = old
            num[j] = (up - down) / (2 * eps)
        np.testing.assert_allclose(reg.grad(w, 0.5, 40), num, atol=1e-8)


def test_no_penalty_is_zero_at_any_strength():
    reg, w = REGULARIZERS["none"], np.ones((2, 2))
    assert not reg.active(3.0)
    assert reg.penalty([w], 3.0, 10) == 0.0
    np.testing.assert_array_equal(reg.grad(w, 3.0, 10), np.zeros((2, 2)))


# ------------------------------------------------------------------------ proposal
@pytest.mark.parametrize(
    ("optimizer", "reg", "lmbda", "fused"),
    [
        ("sgd", "none", 0.0, True),
        ("sgd", "l2", 0.0, True),  # a penalty of strength 0 changes nothing
        ("sgd", "l2", 0.5, False),
        ("sgd", "l1", 0.5, False),
        ("momentum", "none", 0.0, False),
        ("adam", "none", 0.0, False),
    ],
)
def test_only_plain_sgd_without_a_penalty_is_fused(optimizer, reg, lmbda, fused):
    X, Y = data(8)
    net = Network([3, 4, 2], seed=0)
    opt = OPTIMIZERS[optimizer]([p.shape for wb in zip(net.weights, net.biases) for p in wb])
    n, eta = 40, 0.7
    p = propose(net, X, Y, eta, opt, REGULARIZERS[reg], lmbda, n)
    assert p.fused is fused
    nb, nw = seed_batch_gradient(net.weights, net.biases, X, Y)
    for i in range(net.n_layers):  # layer l = i + 1
        extra = 0.0 if reg == "none" else REGULARIZERS[reg].grad(net.weights[i], lmbda, n)
        g_w, g_b = p.grads[2 * i], p.grads[2 * i + 1]
        if fused:  # grads are the updates: -eta nabla
            g_w, g_b = g_w / -eta, g_b / -eta
        np.testing.assert_allclose(g_w, nw[i] + extra, rtol=1e-10, atol=1e-13)
        np.testing.assert_allclose(g_b, nb[i], rtol=1e-10, atol=1e-13)
    a = ref_forward(net.weights, net.biases, ["sigmoid"] * 2, X)[1][-1]
    np.testing.assert_allclose(p.a, a, rtol=1e-14)
    assert p.cost == pytest.approx(ref_cost("quadratic", a, Y), rel=1e-14)
    upd = np.sqrt([float(np.vdot(u, u)) for u in p.updates])
    true = [np.linalg.norm(g / -eta if fused else g) for g in p.grads]
    np.testing.assert_allclose(p.grad_norms(upd, eta), true, rtol=1e-12)


# --------------------------------------------------------------------------- guard
def test_thresholds_order_a_checked_step_before_a_refused_one():
    assert 0 < RELATIVE_JUMP < 1 < WEIGHT_JUMP < COST_JUMP


def test_jumps_are_the_relative_update_of_each_layers_weights():
    net = Network([3, 4, 2], seed=0)
    X, _ = data(5)
    guard = Guard(net, X)
    big = [2.0 * w for w in net.weights]  # ||Delta w|| / ||w|| = 2, over RELATIVE_JUMP
    sq = [float(np.vdot(u, u)) for w in big for u in (w, np.zeros(1))]
    np.testing.assert_allclose(guard.jumps(sq), [2.0, 2.0], rtol=1e-12)


def test_apply_refuses_a_weight_jump_and_restores_the_parameters_exactly():
    net = Network([3, 4, 2], seed=0)
    X, Y = data(5)
    guard = Guard(net, X)
    before = [p.copy() for wb in zip(net.weights, net.biases) for p in wb]
    updates = [np.full_like(p, 0.0) for p in before]
    updates[2] = 2 * WEIGHT_JUMP * net.weights[1]  # layer 2 jumps 2000-fold
    sq = [float(np.vdot(u, u)) for u in updates]
    err = guard.apply(updates, sq, X, Y, cost=0.3, step=7)
    assert isinstance(err, DivergenceError) and err.step == 7
    assert "weights of layer 2" in err.cause
    after = [p for wb in zip(net.weights, net.biases) for p in wb]
    for p, q in zip(after, before):
        np.testing.assert_array_equal(p, q)
    small = [np.full_like(p, 1e-3) for p in before]
    assert guard.apply(small, [float(np.vdot(u, u)) for u in small], X, Y, 0.3, 8) is None
    np.testing.assert_array_equal(net.biases[0], before[1] + 1e-3)


def test_non_finite_names_the_cost_or_the_layer():
    net = Network([3, 4, 2], seed=0)
    X, _ = data(5)
    guard = Guard(net, X)
    a = np.ones((2, 5))
    ok = [np.ones((4, 3)), np.ones((4, 1)), np.ones((2, 4)), np.ones((2, 1))]
    sq = [float(np.vdot(u, u)) for u in ok]
    assert guard.non_finite(0.5, a, ok, ok, sq, 3) is None
    err = guard.non_finite(float("inf"), a, ok, ok, sq, 3)
    assert "cost overflowed to inf" in err.cause and "Reset" in err.hint
    bad = [*ok[:3], np.full((2, 1), np.nan)]
    err = guard.non_finite(0.5, a, bad, bad, [*sq[:3], float("nan")], 3)
    assert err.cause == "the gradient of b of layer 2 contains NaN (learning rate too high?)"


def test_apply_keeps_a_large_step_that_kills_a_relu_layer():
    """A dead layer can be computed with: the checked step is kept, not refused."""
    net = Network([2, 3, 2], "relu", "softmax", "log_likelihood", seed=0)
    X, Y = data(10, n_in=2)
    guard = Guard(net, X)
    before = [p.copy() for wb in zip(net.weights, net.biases) for p in wb]
    updates = [np.zeros_like(p) for p in before]
    updates[0] = 0.5 * net.weights[0]  # a jump of 0.5: over RELATIVE_JUMP, so it is checked
    updates[1][...] = -100.0  # every hidden unit now has z < 0 on these samples
    sq = [float(np.vdot(u, u)) for u in updates]
    assert guard.jumps(sq)[0] == pytest.approx(0.5) and RELATIVE_JUMP < 0.5
    assert guard.apply(updates, sq, X, Y, cost=0.7, step=4) is None
    np.testing.assert_array_equal(net.weights[0], 1.5 * before[0])
    np.testing.assert_array_equal(net.biases[0], before[1] - 100.0)
    assert net.dead_layers(X) == [1]
    assert guard.dead_warning() == (
        "This network is dead on its training data (layer 1): all 3 relu units of hidden "
        "layer 1 output 0 for every one of the 10 training samples, so BP2 passes no error to "
        "layer 1 or below and they stop learning. Steps will still run, but cannot change "
        "those layers. Reset to start from fresh weights."
    )


# ---------------------------------------------------------------- recorder, evaluator
def test_the_recorder_writes_each_value_into_its_named_column():
    rec = Recorder(n_layers=2, max_rows=100)
    g = np.array([1.0, 2.0, 3.0, 4.0])  # ||nabla w_0||, ||nabla b_0||, ||nabla w_1||, ...
    u = np.array([10.0, 20.0, 30.0, 40.0])
    rec.step(1, 0, 0.5, 0.25, g, u)
    ev = {"train_cost": 1.0, "train_accuracy": 0.5, "test_cost": 2.0, "test_accuracy": 0.75}
    rec.step(2, 1, 0.4, 0.5, g, u, ev, epoch_done=True)
    df = rec.history.frame()
    first = df.iloc[0]
    assert (first["step"], first["epoch"], first["batch_cost"], first["batch_accuracy"]) == (
        1, 0, 0.5, 0.25,
    )  # fmt: skip
    assert [first[f"delta_norm_{l}"] for l in (1, 2)] == [2.0, 4.0]
    assert [first[f"grad_norm_{l}"] for l in (1, 2)] == [1.0, 3.0]
    assert [first[f"update_norm_{l}"] for l in (1, 2)] == [10.0, 30.0]
    assert np.isnan(first["train_cost"])
    assert df.iloc[1][list(ev)].tolist() == list(ev.values())
    ef = rec.epoch_history.frame()
    assert list(ef.columns) == list(EPOCH_COLUMNS) and len(ef) == 1
    assert ef.iloc[0].tolist() == [2, 1, *ev.values()]


def test_the_evaluator_adds_the_penalty_and_gives_nan_without_a_test_set():
    net = Network([3, 4, 2], seed=0)
    X, Y = data(30)
    ev = Evaluator(net, X, Y, None, None).evaluate(penalty=0.25)
    a = ref_forward(net.weights, net.biases, ["sigmoid"] * 2, X)[1][-1]
    assert ev["train_cost"] == pytest.approx(ref_cost("quadratic", a, Y) + 0.25, rel=1e-14)
    assert ev["train_accuracy"] == np.mean(a.argmax(0) == Y.argmax(0))
    assert np.isnan(ev["test_cost"]) and np.isnan(ev["test_accuracy"])


def test_the_evaluators_targets_are_those_of_the_columns_it_measures():
    """Capped at 4 of 9 columns: the evenly spaced columns 0, 3, 5 and 8 (0, 8/3, 16/3, 8
    rounded), whose accuracy the train accuracy is."""
    net = Network([3, 4, 2], seed=0)
    X, Y = data(9)
    ev = Evaluator(net, X, Y, None, None, cap=4)
    np.testing.assert_array_equal(ev.targets("train"), Y[:, [0, 3, 5, 8]])
    a = ref_forward(net.weights, net.biases, ["sigmoid"] * 2, X[:, [0, 3, 5, 8]])[1][-1]
    assert ev.evaluate()["train_accuracy"] == np.mean(a.argmax(0) == Y[:, [0, 3, 5, 8]].argmax(0))
    assert ev.targets("test") is None
    assert Evaluator(net, X, Y, X, Y).targets("train") is Y


def test_the_evaluator_chunks_big_data_to_the_same_numbers(monkeypatch):
    import backprop.recording as recording

    net = Network([3, 4, 2], seed=0)
    X, Y = data(50)
    whole = Evaluator(net, X, Y, X, Y).evaluate()
    monkeypatch.setattr(recording, "EVAL_CHUNK", 7)
    chunked = Evaluator(net, X.astype(np.float32), Y, X, Y).evaluate()
    assert chunked["train_accuracy"] == whole["train_accuracy"]
    assert chunked["train_cost"] == pytest.approx(whole["train_cost"], rel=1e-6)


def test_finite_difference_helper_agrees_with_the_fused_pass():
    """The fused pass (scaled by -eta/m at BP1) is the gradient of the mean cost."""
    net = Network([3, 4, 2], "tanh", "sigmoid", "cross_entropy", seed=1)
    X, Y = data(6)
    opt = OPTIMIZERS["sgd"]([p.shape for wb in zip(net.weights, net.biases) for p in wb])
    p = propose(net, X, Y, 2.0, opt, REGULARIZERS["none"], 0.0, 6)
    nb, nw = finite_difference_gradients(net, X, Y)
    for i in range(net.n_layers):
        np.testing.assert_allclose(p.updates[2 * i] / -2.0, nw[i], atol=1e-7, rtol=1e-5)
        np.testing.assert_allclose(p.updates[2 * i + 1] / -2.0, nb[i], atol=1e-7, rtol=1e-5)
