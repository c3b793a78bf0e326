"""Trainer: steps and epochs, history, determinism, optimisers, snapshots, divergence guard.

Expected values come from ``helpers`` (the seed port's per-sample gradients, a copy of the
trainer's shuffle) and from the update formulas written out here.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from helpers import params_of, predicted_permutation
from reference import finite_difference_gradients, ref_cost, ref_forward, seed_batch_gradient

from backprop import (
    DivergenceError,
    Limits,
    Network,
    StepResult,
    Trainer,
    proposal,
)
from backprop.divergence import Guard


def blobs(n: int, seed: int = 0):
    """Two Gaussian blobs in 2-D, one-hot targets (2, n)."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 2, n)
    X = rng.normal(0.0, 0.6, (2, n)) + np.where(labels == 1, 1.0, -1.0)
    Y = np.zeros((2, n))
    Y[labels, np.arange(n)] = 1.0
    return X, Y


def ref_accuracy(a, Y):
    return float(np.mean(np.argmax(a, axis=0) == np.argmax(Y, axis=0)))


def ref_outputs(net, X):
    return ref_forward(net.weights, net.biases, ["sigmoid"] * net.n_layers, X)[1][-1]


def opt_state(tr: Trainer):
    return {k: np.array(v, copy=True) for k, v in tr.opt.state().items()}


# ---------------------------------------------------------------- steps and epochs
@pytest.mark.parametrize(("n", "bs"), [(25, 10), (21, 10), (20, 10), (7, 7), (5, 1), (9, 4)])
def test_one_step_is_one_mini_batch_and_the_last_batch_is_partial(n, bs):
    X, Y = blobs(n)
    net = Network([2, 4, 2], seed=0)
    tr = Trainer(net, X, Y, eta=1.5, batch_size=bs)
    assert tr.steps == tr.epochs == 0
    bounds = [(lo, min(lo + bs, n)) for lo in range(0, n, bs)]
    per_epoch = -(-n // bs)
    assert len(bounds) == per_epoch  # 25 samples, batches of 10: 3 steps per epoch
    for epoch in range(2):
        perm = predicted_permutation(net, n)
        for k, (lo, hi) in enumerate(bounds):
            idx = perm[lo:hi]
            w0, b0 = [w.copy() for w in net.weights], [b.copy() for b in net.biases]
            nb, nw = seed_batch_gradient(w0, b0, X[:, idx], Y[:, idx])
            r = tr.step()
            assert isinstance(r, StepResult)
            assert r.step == tr.steps == per_epoch * epoch + k + 1
            assert r.epoch_done == (hi == n)
            assert r.epoch == tr.epochs == epoch + (hi == n)
            a = ref_outputs_at(w0, b0, X[:, idx])
            assert r.cost == pytest.approx(ref_cost("quadratic", a, Y[:, idx]))
            if hi < n:
                assert tr.batches.pos == hi
                np.testing.assert_array_equal(tr.batches.perm, perm)
            # exactly this mini-batch was used, with the seed's update rule
            for l in range(2):
                np.testing.assert_allclose(net.weights[l], w0[l] - 1.5 * nw[l], rtol=0, atol=1e-12)
                np.testing.assert_allclose(net.biases[l], b0[l] - 1.5 * nb[l], rtol=0, atol=1e-12)
    df = tr.history_frame()
    assert df["step"].tolist() == list(range(1, 2 * per_epoch + 1))
    assert df["epoch"].tolist() == [0] * (per_epoch - 1) + [1] * per_epoch + [2]


def ref_outputs_at(weights, biases, X):
    return ref_forward(weights, biases, ["sigmoid"] * len(weights), X)[1][-1]


def test_every_sample_is_used_once_per_epoch(monkeypatch):
    X, Y = blobs(23)
    X[0] = np.arange(23)  # tag each column by its index
    net = Network([2, 3, 2], seed=4)
    tr = Trainer(net, X, Y, eta=0.1, batch_size=5)
    seen = []
    original = proposal._scaled_pass  # the training step's backward pass

    def spy(net, Xb, Yb, *args, **kwargs):
        seen.append(Xb[0].astype(int).tolist())
        return original(net, Xb, Yb, *args, **kwargs)

    monkeypatch.setattr(proposal, "_scaled_pass", spy)
    tr.run_epoch()
    assert [len(s) for s in seen] == [5, 5, 5, 5, 3]
    assert sorted(sum(seen, [])) == list(range(23))


def test_run_epoch_finishes_the_current_epoch_and_records_it():
    X, Y = blobs(25, seed=1)
    Xt, Yt = blobs(15, seed=2)
    net = Network([2, 4, 2], seed=1)
    tr = Trainer(net, X, Y, Xt, Yt, eta=1.0, batch_size=10)
    r = tr.run_epoch()
    assert r.epoch_done and r.step == tr.steps == 3 and r.epoch == tr.epochs == 1
    ef = tr.epoch_frame()
    assert list(ef.columns) == [
        "step",
        "epoch",
        "train_cost",
        "train_accuracy",
        "test_cost",
        "test_accuracy",
    ]
    assert len(ef) == 1 and ef["step"].iloc[0] == 3 and ef["epoch"].iloc[0] == 1
    assert ef["train_cost"].iloc[0] == pytest.approx(ref_cost("quadratic", ref_outputs(net, X), Y))
    assert ef["test_cost"].iloc[0] == pytest.approx(ref_cost("quadratic", ref_outputs(net, Xt), Yt))
    assert ef["train_accuracy"].iloc[0] == ref_accuracy(ref_outputs(net, X), Y)
    assert ef["test_accuracy"].iloc[0] == ref_accuracy(ref_outputs(net, Xt), Yt)
    # one step into the next epoch, then run_epoch finishes that epoch only
    tr.step()
    r = tr.run_epoch()
    assert (r.step, r.epoch, tr.steps, tr.epochs) == (6, 2, 6, 2)
    assert tr.epoch_frame()["step"].tolist() == [3, 6]
    frame = tr.train(2)
    assert tr.epochs == 4 and tr.steps == 12
    assert frame["epoch"].tolist() == [1, 2, 3, 4]
    calls = []
    tr.train(1, callback=lambda t: calls.append(t.epochs))
    assert calls == [5]


# ------------------------------------------------------------------------- history
def expected_columns(L):
    cols = [
        "step",
        "epoch",
        "batch_cost",
        "batch_accuracy",
        "train_cost",
        "train_accuracy",
        "test_cost",
        "test_accuracy",
    ]
    for kind in ("delta_norm", "grad_norm", "update_norm"):
        cols += [f"{kind}_{l}" for l in range(1, L + 1)]
    return cols


@pytest.mark.parametrize("sizes", [[2, 2], [2, 4, 2], [2, 3, 3, 2]])
def test_history_columns(sizes):
    X, Y = blobs(12)
    tr = Trainer(Network(sizes, seed=0), X, Y, batch_size=4)
    tr.step()
    df = tr.history_frame()
    assert list(df.columns) == expected_columns(len(sizes) - 1)
    assert df["step"].dtype == np.int64 and df["epoch"].dtype == np.int64
    assert len(df) == 1


@pytest.mark.parametrize(("regularization", "lmbda"), [("none", 0.0), ("l2", 3.0), ("l1", 2.0)])
def test_history_values_match_independent_computation(regularization, lmbda):
    n, bs, eta = 30, 8, 0.7
    X, Y = blobs(n, seed=3)
    Xt, Yt = blobs(10, seed=4)
    net = Network([2, 5, 3, 2], seed=3)
    tr = Trainer(
        net, X, Y, Xt, Yt, eta=eta, batch_size=bs, regularization=regularization, lmbda=lmbda,
        eval_every=3,
    )  # fmt: skip
    rows = []
    for _epoch in range(2):
        perm = predicted_permutation(net, n)
        for lo in range(0, n, bs):
            idx = perm[lo : lo + bs]
            w0, b0 = [w.copy() for w in net.weights], [b.copy() for b in net.biases]
            nb, nw = seed_batch_gradient(w0, b0, X[:, idx], Y[:, idx])
            if regularization == "l2":
                gw = [g + lmbda / n * w for g, w in zip(nw, w0)]
            elif regularization == "l1":
                gw = [g + lmbda / n * np.sign(w) for g, w in zip(nw, w0)]
            else:
                gw = nw
            a = ref_outputs_at(w0, b0, X[:, idx])
            r = tr.step()
            row = {
                "step": r.step,
                "batch_cost": ref_cost("quadratic", a, Y[:, idx]),
                "batch_accuracy": ref_accuracy(a, Y[:, idx]),
            }
            for l in range(3):
                row[f"delta_norm_{l + 1}"] = np.linalg.norm(nb[l])  # norm of mean delta_l
                row[f"grad_norm_{l + 1}"] = np.linalg.norm(gw[l])
                row[f"update_norm_{l + 1}"] = np.linalg.norm(net.weights[l] - w0[l])
                assert row[f"update_norm_{l + 1}"] == pytest.approx(eta * row[f"grad_norm_{l + 1}"])
            if r.epoch_done or r.step % 3 == 0:
                if regularization == "l2":
                    pen = 0.5 * lmbda / n * sum(np.sum(w**2) for w in net.weights)
                elif regularization == "l1":
                    pen = lmbda / n * sum(np.sum(np.abs(w)) for w in net.weights)
                else:
                    pen = 0.0
                row["train_cost"] = ref_cost("quadratic", ref_outputs(net, X), Y) + pen
                row["test_cost"] = ref_cost("quadratic", ref_outputs(net, Xt), Yt) + pen
                row["train_accuracy"] = ref_accuracy(ref_outputs(net, X), Y)
                row["test_accuracy"] = ref_accuracy(ref_outputs(net, Xt), Yt)
            else:
                for c in ("train_cost", "test_cost", "train_accuracy", "test_accuracy"):
                    row[c] = np.nan
            rows.append(row)
    df = tr.history_frame()
    expected = pd.DataFrame(rows)
    assert len(df) == len(expected) == 8
    for c in expected.columns:
        np.testing.assert_allclose(
            df[c].to_numpy(dtype=float), expected[c].to_numpy(dtype=float), rtol=1e-9, atol=1e-13,
            err_msg=c,
        )  # fmt: skip
    assert df["epoch"].tolist() == [0, 0, 0, 1, 1, 1, 1, 2]


# -------------------------------------------------------------------- determinism
def _run(seed, epochs=3, **kw):
    X, Y = blobs(40, seed=10)
    Xt, Yt = blobs(20, seed=11)
    net = Network([2, 6, 2], "tanh", "softmax", "log_likelihood", "xavier", seed=seed)
    tr = Trainer(net, X, Y, Xt, Yt, batch_size=7, eval_every=2, **kw)
    tr.train(epochs)
    return tr


@pytest.mark.parametrize(
    "kw",
    [
        dict(eta=0.5),
        dict(eta=0.1, optimizer="momentum", regularization="l2", lmbda=1.0),
        dict(eta=0.01, optimizer="adam", regularization="l1", lmbda=0.5),
    ],
)
def test_same_seed_gives_bit_identical_history(kw):
    a, b, c = _run(5, **kw), _run(5, **kw), _run(6, **kw)
    pd.testing.assert_frame_equal(a.history_frame(), b.history_frame(), check_exact=True)
    pd.testing.assert_frame_equal(a.epoch_frame(), b.epoch_frame(), check_exact=True)
    for p, q in zip(params_of(a.net), params_of(b.net)):
        np.testing.assert_array_equal(p, q)
    assert not a.history_frame()["batch_cost"].equals(c.history_frame()["batch_cost"])
    assert not np.array_equal(a.net.weights[0], c.net.weights[0])


def test_same_weights_different_shuffle_state_gives_different_runs():
    X, Y = blobs(30, seed=1)
    net1 = Network([2, 3, 2], seed=1)
    net2 = net1.copy()
    net2.rng = np.random.default_rng(99)
    t1, t2 = Trainer(net1, X, Y, batch_size=5), Trainer(net2, X, Y, batch_size=5)
    t1.run_epoch()
    t2.run_epoch()
    assert not np.array_equal(net1.weights[0], net2.weights[0])


# ------------------------------------------------------ optimisers and penalties
@pytest.mark.parametrize("regularization", ["none", "l2", "l1"])
@pytest.mark.parametrize(("optimizer", "eta"), [("sgd", 1.0), ("momentum", 0.2), ("adam", 0.02)])
def test_each_optimizer_and_penalty_reduces_training_cost(optimizer, eta, regularization):
    X, Y = blobs(60, seed=7)
    net = Network([2, 5, 2], "sigmoid", "sigmoid", "cross_entropy", "scaled", seed=7)
    lmbda = 0.0 if regularization == "none" else 0.5
    tr = Trainer(
        net, X, Y, eta=eta, batch_size=10, optimizer=optimizer, regularization=regularization,
        lmbda=lmbda,
    )  # fmt: skip
    before_data, before_total = net.cost_of(X, Y), tr.evaluate()["train_cost"]
    tr.train(15)
    after_data, after_total = net.cost_of(X, Y), tr.evaluate()["train_cost"]
    assert after_data < 0.6 * before_data
    assert after_total < 0.6 * before_total
    assert net.accuracy(X, Y) > 0.9
    if regularization != "none":
        assert after_total > after_data  # the penalty is part of the reported cost


MU, LMBDA, N, BS = 0.8, 1.5, 24, 8


def _optimizer_setup(optimizer, regularization, eta):
    X, Y = blobs(N, seed=2)
    net = Network([2, 3, 2], seed=2)
    tr = Trainer(
        net, X, Y, eta=eta, batch_size=BS, optimizer=optimizer, regularization=regularization,
        lmbda=LMBDA, momentum=MU,
    )  # fmt: skip
    return tr, X, Y, predicted_permutation(net, N)


def _expected_grads(net, X, Y, idx, regularization):
    """Params before the step and the gradient the optimiser should see, [w0, b0, w1, b1]."""
    before = params_of(net)
    nb, nw = seed_batch_gradient(before[0::2], before[1::2], X[:, idx], Y[:, idx])
    grads = []
    for l in range(len(nw)):
        w = before[2 * l]
        pen = {"none": 0.0, "l2": LMBDA / N * w, "l1": LMBDA / N * np.sign(w)}[regularization]
        grads += [nw[l] + pen, nb[l]]
    return before, grads


def _assert_lists_close(got, want, rtol=1e-12, atol=1e-14):
    assert len(got) == len(want)
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w, rtol=rtol, atol=atol)


@pytest.mark.parametrize("regularization", ["none", "l2", "l1"])
def test_momentum_matches_hand_computed_updates(regularization):
    eta = 0.3
    tr, X, Y, perm = _optimizer_setup("momentum", regularization, eta)
    v = None
    for k in range(3):
        before, grads = _expected_grads(tr.net, X, Y, perm[k * BS : (k + 1) * BS], regularization)
        if v is None:
            v = [-eta * g for g in grads]  # v_1 = -eta g_1
        else:
            v = [MU * vi - eta * g for vi, g in zip(v, grads)]  # v <- mu v - eta g
        tr.step()
        _assert_lists_close(params_of(tr.net), [p + vi for p, vi in zip(before, v)])
        _assert_lists_close([tr.opt.state()[f"v_{i}"] for i in range(4)], v)
        _assert_lists_close(tr.last_update, v)
        _assert_lists_close(tr.last_grads, grads)


@pytest.mark.parametrize("regularization", ["none", "l2", "l1"])
def test_adam_matches_kingma_and_ba(regularization):
    """The efficient form of Adam (Kingma & Ba, end of section 2), eps-hat = 1e-8."""
    eta, b1, b2, eps = 0.05, 0.9, 0.999, 1e-8
    tr, X, Y, perm = _optimizer_setup("adam", regularization, eta)
    m = v = None
    for t in range(1, 4):
        before, grads = _expected_grads(tr.net, X, Y, perm[(t - 1) * BS : t * BS], regularization)
        if m is None:
            m, v = [np.zeros_like(g) for g in grads], [np.zeros_like(g) for g in grads]
        m = [b1 * mi + (1 - b1) * g for mi, g in zip(m, grads)]
        v = [b2 * vi + (1 - b2) * g**2 for vi, g in zip(v, grads)]
        alpha_t = eta * np.sqrt(1 - b2**t) / (1 - b1**t)
        update = [-alpha_t * mi / (np.sqrt(vi) + eps) for mi, vi in zip(m, v)]
        tr.step()
        _assert_lists_close(params_of(tr.net), [p + u for p, u in zip(before, update)])
        _assert_lists_close(tr.last_update, update)
        state = tr.opt.state()
        _assert_lists_close([state[f"m_{i}"] for i in range(4)], m)
        _assert_lists_close([state[f"v_{i}"] for i in range(4)], v)
        assert tr.opt.t == t


def test_adam_without_epsilon_is_algorithm_1():
    """With eps = 0 the efficient form equals Algorithm 1's bias-corrected m-hat, v-hat."""
    eta, b1, b2 = 0.05, 0.9, 0.999
    tr, X, Y, perm = _optimizer_setup("adam", "none", eta)
    tr.opt.eps = 0.0
    m = v = None
    for t in range(1, 3):
        before, grads = _expected_grads(tr.net, X, Y, perm[(t - 1) * BS : t * BS], "none")
        if m is None:
            m, v = [np.zeros_like(g) for g in grads], [np.zeros_like(g) for g in grads]
        m = [b1 * mi + (1 - b1) * g for mi, g in zip(m, grads)]
        v = [b2 * vi + (1 - b2) * g**2 for vi, g in zip(v, grads)]
        m_hat = [mi / (1 - b1**t) for mi in m]
        v_hat = [vi / (1 - b2**t) for vi in v]
        tr.step()
        expected = [p - eta * mh / np.sqrt(vh) for p, mh, vh in zip(before, m_hat, v_hat)]
        _assert_lists_close(params_of(tr.net), expected, rtol=1e-10)
    # so with eps = 0 the first step moves every parameter by exactly eta against the gradient
    tr2, X, Y, perm = _optimizer_setup("adam", "none", eta)
    tr2.opt.eps = 0.0
    before, grads = _expected_grads(tr2.net, X, Y, perm[:BS], "none")
    tr2.step()
    for p, q, g in zip(params_of(tr2.net), before, grads):
        np.testing.assert_allclose(p - q, -eta * np.sign(g), rtol=1e-12)


# ----------------------------------------------------------------------- snapshots
def test_snapshots_every_k_steps_hold_copies_and_probe_traces():
    n, bs = 50, 5
    X, Y = blobs(n, seed=8)
    net = Network([2, 4, 2], seed=8)
    tr = Trainer(net, X, Y, eta=1.0, batch_size=bs, snapshot_every=3, probe_size=16)
    Xp, Yp = tr.probe
    assert Xp.shape == (2, 16) and Yp.shape == (2, 16)
    cols = [int(np.flatnonzero((Xp[:, [k]] == X).all(axis=0))[0]) for k in range(16)]
    assert cols[0] == 0 and cols[-1] == n - 1 and cols == sorted(cols)
    at = {0: (params_of(net), net.trace(Xp, Yp), 0)}
    for _ in range(12):  # 10 steps per epoch: snapshots at 0, 3, 6, 9, 10 (epoch end), 12
        r = tr.step()
        at[r.step] = (params_of(net), net.trace(Xp, Yp), r.epoch)
    assert tr.snapshots.steps == [0, 3, 6, 9, 10, 12]
    for snap in tr.snapshots.items:
        params, trace, epoch = at[snap.step]
        assert snap.epoch == epoch
        _assert_lists_close([x for wb in zip(snap.weights, snap.biases) for x in wb], params, 0, 0)
        np.testing.assert_array_equal(snap.trace.x, Xp)
        np.testing.assert_array_equal(snap.trace.y, Yp)
        for group in ("z", "a", "delta", "nabla_w", "nabla_b"):
            _assert_lists_close(getattr(snap.trace, group), getattr(trace, group), 0, 0)
        assert snap.trace.cost == trace.cost
        for arr in (*snap.weights, *snap.biases):
            assert not arr.flags.writeable
            assert not any(np.shares_memory(arr, p) for p in (*net.weights, *net.biases))
    saved = [np.array(w) for w in tr.snapshots[1].weights]
    for w in net.weights:
        w *= 0.0
    Xp[...] = 123.0
    _assert_lists_close(list(tr.snapshots[1].weights), saved, 0, 0)
    assert not np.any(tr.snapshots[1].trace.x == 123.0)


def test_no_snapshots_by_default():
    X, Y = blobs(20)
    tr = Trainer(Network([2, 3, 2], seed=0), X, Y, batch_size=5)
    tr.run_epoch()
    assert len(tr.snapshots) == 0


def test_snapshots_stay_within_the_memory_budget_and_span_the_run():
    X, Y = blobs(40, seed=9)
    probe = Trainer(Network([2, 8, 8, 2], seed=9), X, Y, batch_size=4, snapshot_every=1)
    one = probe.snapshots[0].nbytes
    assert one > 0
    budget_mb = 6.5 * one / 2**20
    net = Network([2, 8, 8, 2], seed=9)
    tr = Trainer(net, X, Y, eta=0.5, batch_size=4, snapshot_every=1, snapshot_budget_mb=budget_mb)
    assert tr.snapshots.budget_bytes == int(budget_mb * 2**20)
    for _ in range(100):
        tr.step()
        snaps = tr.snapshots
        steps = snaps.steps
        assert snaps.nbytes == sum(s.nbytes for s in snaps.items)
        assert snaps.nbytes <= snaps.budget_bytes
        assert steps[0] == 0
        assert tr.steps - snaps.every < steps[-1] <= tr.steps  # the latest due snapshot
        assert all(a < b for a, b in zip(steps, steps[1:]))
        assert len(snaps) >= 2
    assert tr.snapshots.every > 1  # the interval doubled as the run grew
    assert len(tr.snapshots) <= 6


def test_a_budget_below_two_snapshots_keeps_the_first_and_the_latest():
    X, Y = blobs(20, seed=9)
    tr = Trainer(
        Network([2, 3, 2], seed=9), X, Y, batch_size=4, snapshot_every=1, snapshot_budget_mb=0
    )
    for _ in range(7):
        tr.step()
        steps = tr.snapshots.steps
        assert len(steps) == 2 and steps[0] == 0 and 0 < steps[1] <= tr.steps
    # the buffer then holds more than the (zero) budget: it never drops below two snapshots
    assert tr.snapshots.nbytes > tr.snapshots.budget_bytes == 0


# ------------------------------------------------------------------ history limits
def test_history_thinning_keeps_first_and_last_rows_and_stays_bounded():
    n, bs = 30, 5  # 6 steps per epoch
    X, Y = blobs(n, seed=12)

    def run(limits):
        tr = Trainer(Network([2, 3, 2], seed=12, limits=limits), X, Y, eta=0.5, batch_size=bs)
        frames = []
        for _ in range(60):
            tr.step()
            assert tr.history.n <= limits.max_history
            frames.append(tr.history_frame())
        return tr, frames

    full, _ = run(Limits())
    small, frames = run(Limits(max_history=8))
    ref = full.history_frame().set_index("step")
    assert len(ref) == 60
    for k, df in enumerate(frames, start=1):
        assert len(df) <= 8
        assert df["step"].iloc[0] == 1  # the first row is always kept
        assert df["step"].iloc[-1] == k  # the newest row is there
        if k > 1:
            assert df["step"].iloc[-2] == k - 1  # and thinning kept the last row before it
        assert df["step"].is_monotonic_increasing and df["step"].is_unique
    df = small.history_frame()
    assert df["step"].iloc[-1] == small.steps == 60
    assert small.history.thinned > 0
    # the kept rows are the rows of the full-resolution run, unchanged
    pd.testing.assert_frame_equal(df.set_index("step"), ref.loc[df["step"]], check_exact=True)
    ef = small.epoch_frame()
    assert len(ef) <= 8 and ef["epoch"].iloc[0] == 1 and ef["epoch"].iloc[-1] == 10
    fe = full.epoch_frame().set_index("epoch")
    pd.testing.assert_frame_equal(ef.set_index("epoch"), fe.loc[ef["epoch"]], check_exact=True)


# ---------------------------------------------------------------- divergence guard
def _state(tr: Trainer):
    return dict(
        params=params_of(tr.net),
        opt=opt_state(tr),
        t=getattr(tr.opt, "t", None),
        steps=tr.steps,
        epochs=tr.epochs,
        pos=tr.batches.pos,
        perm=None if tr.batches.perm is None else tr.batches.perm.copy(),
        rng=tr.net.rng.bit_generator.state,
        history=tr.history_frame(),
        snaps=tr.snapshots.steps,
    )


def _assert_unchanged(tr: Trainer, before):
    now = _state(tr)
    _assert_lists_close(now["params"], before["params"], 0, 0)
    assert all(np.all(np.isfinite(p)) for p in now["params"])
    assert now["opt"].keys() == before["opt"].keys()
    for k in now["opt"]:
        np.testing.assert_array_equal(now["opt"][k], before["opt"][k])
    for k in ("t", "steps", "epochs", "pos", "rng", "snaps"):
        assert now[k] == before[k], k
    if before["perm"] is None:
        assert now["perm"] is None
    else:
        np.testing.assert_array_equal(now["perm"], before["perm"])
    pd.testing.assert_frame_equal(now["history"], before["history"], check_exact=True)


def _regression(n=20, seed=0):
    rng = np.random.default_rng(seed)
    return rng.uniform(-1, 1, (2, n)), rng.uniform(-1, 1, (1, n))


@pytest.mark.parametrize(("optimizer", "eta"), [("sgd", 1e6), ("momentum", 1e6), ("adam", 1e150)])
def test_divergence_raises_and_changes_nothing(optimizer, eta):
    X, Y = _regression()
    net = Network([2, 8, 1], "relu", "linear", "quadratic", seed=1)
    tr = Trainer(net, X, Y, eta=0.01, batch_size=5, optimizer=optimizer, snapshot_every=1)
    for _ in range(3):
        tr.step()  # some good steps first, so there is state to keep
    tr.eta = eta
    for _ in range(50):
        before = _state(tr)
        try:
            tr.step()
        except DivergenceError as e:
            err = e
            break
    else:
        pytest.fail("training with a huge learning rate never diverged")
    assert isinstance(err, FloatingPointError)
    assert err.step == before["steps"] + 1 > 1  # it failed after some good steps
    assert isinstance(err.cause, str) and err.cause
    assert str(err.step) in str(err)
    _assert_unchanged(tr, before)
    # the same step fails again the same way, still changing nothing
    with pytest.raises(DivergenceError) as again:
        tr.step()
    assert again.value.step == err.step
    _assert_unchanged(tr, before)


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adam"])
def test_lowering_eta_after_divergence_continues_as_if_nothing_happened(optimizer):
    X, Y = _regression(23, seed=3)

    def trainer(eta):
        net = Network([2, 6, 1], "tanh", "linear", "quadratic", seed=4)
        return Trainer(net, X, Y, eta=eta, batch_size=5, optimizer=optimizer)

    tr = trainer(1e300)
    before = _state(tr)
    with pytest.raises(DivergenceError) as info:
        tr.step()  # the very first step: the update overflows
    assert info.value.step == 1
    _assert_unchanged(tr, before)
    tr.eta = 0.05
    tr.train(3)
    clean = trainer(0.05)
    clean.train(3)
    assert tr.steps == clean.steps == 15
    pd.testing.assert_frame_equal(tr.history_frame(), clean.history_frame(), check_exact=True)
    _assert_lists_close(params_of(tr.net), params_of(clean.net), 0, 0)


@pytest.mark.parametrize(("optimizer", "eta"), [("sgd", 1e6), ("momentum", 1e6), ("adam", 1e150)])
def test_after_divergence_every_step_either_succeeds_or_changes_nothing(optimizer, eta):
    """A lower eta either continues or is refused changing nothing; it never corrupts."""
    X, Y = _regression(20, seed=5)
    net = Network([2, 8, 1], "relu", "linear", "quadratic", seed=1)
    tr = Trainer(net, X, Y, eta=eta, batch_size=5, optimizer=optimizer)
    with pytest.raises(DivergenceError):
        for _ in range(50):
            tr.step()
    outcomes = []
    for lower in (1e-3, 1e-30, 1e-100, 1e-200):
        tr.eta = lower
        before = _state(tr)
        try:
            tr.step()
        except DivergenceError as e:
            assert e.step == before["steps"] + 1
            _assert_unchanged(tr, before)
            outcomes.append("refused")
        else:
            assert tr.steps == before["steps"] + 1
            assert all(np.all(np.isfinite(p)) for p in params_of(net))
            outcomes.append("stepped")
    # the guard stopped before the weights ran away, so every lower eta continues
    assert outcomes == ["stepped"] * 4


def test_bias_update_overflow_is_caught():
    """All hidden ReLUs dead: weight gradients are 0, only the output bias moves."""
    net = Network([2, 3, 1], "relu", "linear", "quadratic", seed=0)
    net.weights[0][...] = -1.0
    net.biases[0][...] = -10.0
    X, Y = np.ones((2, 4)), np.full((1, 4), 5.0)
    tr = Trainer(net, X, Y, eta=1e308, batch_size=4)
    before = _state(tr)
    with pytest.raises(DivergenceError):
        tr.step()
    _assert_unchanged(tr, before)
    tr.eta = 0.1
    tr.step()
    assert tr.steps == 1 and np.isfinite(net.biases[1]).all()


# ------------------------------------------------------- dead and saturated layers
def _dead_relu_net() -> Network:
    """Every unit of hidden layer 1 has z < 0 on inputs in [0, 1]^2: all output 0."""
    net = Network([2, 3, 4, 2], "relu", "softmax", "log_likelihood", seed=0)
    net.weights[0][...], net.biases[0][...] = -1.0, -0.5
    return net


def test_dead_layers_finds_a_dead_relu_layer_and_the_layers_still_alive():
    X = np.random.default_rng(0).uniform(0, 1, (2, 300))
    net = _dead_relu_net()
    assert net.dead_layers(X) == [1]
    _, acts = net.forward(X)
    assert net.dead_layers(X, acts) == [1]
    assert net.dead_layers(X, chunk=7) == [1]  # chunked: every chunk is checked
    net.weights[0][2], net.biases[0][2, 0] = 0.0, 0.1  # one unit alive on every sample
    assert net.dead_layers(X) == [] and net.dead_layers(X, net.forward(X)[1]) == []
    net.weights[0][2], net.biases[0][2, 0] = 1.0, -1.7  # alive only where x1 + x2 > 1.7
    assert 0 < (X.sum(0) > 1.7).sum() < 30
    assert net.dead_layers(X, chunk=7) == [] and net.dead_layers(X[:, X.sum(0) < 1.7]) == [1]


@pytest.mark.parametrize(
    ("act", "out", "cost", "dead"),
    [
        ("sigmoid", "sigmoid", "quadratic", [1, 2]),  # no shortcut: a saturated output is dead
        ("tanh", "sigmoid", "cross_entropy", [1]),  # a - y: the output still learns
        ("tanh", "softmax", "log_likelihood", [1]),
        ("leaky_relu", "linear", "quadratic", []),  # sigma' never 0
        ("linear", "linear", "quadratic", []),
    ],
)
def test_dead_layers_saturated_units_have_zero_derivative(act, out, cost, dead):
    X = np.random.default_rng(1).uniform(0.5, 1, (2, 50))
    net = Network([2, 3, 2], act, out, cost, seed=0)
    for w, b in zip(net.weights, net.biases):
        w[...], b[...] = 1e3, 1e3  # z ~ 1e3: sigmoid a = 1 and tanh a = 1 exactly
    assert net.dead_layers(X) == dead
    net.weights[0][0, 0] = net.biases[0][0, 0] = 0.0
    net.weights[0][0, 1] = 1.0  # unit 0 of layer 1 now has a moderate z
    assert 1 not in net.dead_layers(X)


def _first_error(tr: Trainer, steps: int = 100):
    for _ in range(steps):
        before = _state(tr)
        try:
            tr.step()
        except DivergenceError as e:
            return e, before
    pytest.fail("training never stopped")


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adam"])
def test_a_step_that_kills_a_relu_layer_is_taken_and_training_goes_on(optimizer):
    """A dead layer is a state training can be in (as in PyTorch), not a divergence."""
    X, Y = blobs(200)
    net = Network([2, 8, 8, 2], "relu", "softmax", "log_likelihood", seed=0)
    eta = 3.0 if optimizer != "adam" else 10.0
    tr = Trainer(net, X, Y, eta=eta, batch_size=10, optimizer=optimizer)
    died = None
    for step in range(1, 101):
        assert tr.step().step == step
        if died is None and net.dead_layers(X):
            died = step
    assert died is not None and died < 100, "no layer died: the test shows nothing"
    assert net.dead_layers(X) == [2] and tr.steps == 100 and tr.history.n == 100
    assert all(np.all(np.isfinite(p)) for p in params_of(net))


def test_a_dead_relu_layer_trains_on_and_the_layers_above_it_take_plain_sgd_steps():
    """Hidden layer 2 outputs 0 on every sample: BP2 passes no error to it or below, and
    w_3 sees an input of 0; b_3, w_4 and b_4 still learn, ``p - eta dC/dp`` (central
    finite differences of the reference forward pass give ``dC/dp``)."""
    X, Y = blobs(40)
    net = Network([2, 8, 8, 8, 2], "relu", "softmax", "log_likelihood", seed=0)
    net.biases[1][...] = -1e3  # z_2 < 0 on every sample: all 8 units output 0
    tr = Trainer(net, X, Y, eta=0.5, batch_size=10)
    assert net.dead_layers(X) == [2]
    perm = predicted_permutation(net, 40)
    for k in range(4):  # one epoch, batch by batch
        idx = perm[10 * k : 10 * (k + 1)]
        before = params_of(net)  # [w_1, b_1, w_2, b_2, w_3, b_3, w_4, b_4]
        nb, nw = finite_difference_gradients(net, X[:, idx], Y[:, idx])
        fd = [g for pair in zip(nw, nb) for g in pair]
        assert tr.step().step == k + 1
        after = params_of(net)
        for i in range(5):  # w_1 .. w_3: no gradient, so not a bit changes
            assert not np.any(fd[i]) and np.array_equal(after[i], before[i]), i
        for i in (5, 6, 7):  # b_3, w_4, b_4
            assert np.any(fd[i]) and not np.array_equal(after[i], before[i]), i
            np.testing.assert_allclose(after[i], before[i] - 0.5 * fd[i], rtol=1e-6, atol=1e-9)
    assert tr.epochs == 1 and net.dead_layers(X) == [2]
    tr.eta = 1e308  # what cannot be computed is still refused: ||update||^2 overflows
    before = _state(tr)
    with pytest.raises(DivergenceError, match=r"the update to \w of layer \d is too large"):
        tr.step()
    _assert_unchanged(tr, before)


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adam"])
@pytest.mark.parametrize("act", ["sigmoid", "tanh", "relu", "leaky_relu", "linear"])
def test_eta_1e6_is_refused_at_the_first_step_as_a_jump_in_the_weights(act, optimizer):
    X, Y = blobs(100)
    net = Network([2, 5, 2], act, "softmax", "log_likelihood", seed=0)
    tr = Trainer(net, X, Y, eta=1e6, batch_size=10, optimizer=optimizer)
    err, before = _first_error(tr)
    assert err.step == 1 and re.fullmatch(
        r"this update would change the weights of layer [12] by (\S+) times their size "
        r"\(‖Δw‖ / ‖w‖\): training is diverging",
        err.cause,
    ), err.cause
    _assert_unchanged(tr, before)
    tr.eta = 0.5
    tr.train(2)
    assert tr.steps == 20


@pytest.mark.parametrize("act", ["sigmoid", "tanh"])
def test_a_step_that_saturates_a_whole_layer_is_taken(act):
    """adam at eta = 300 saturates whole layers at once: finite, so training goes on."""
    X, Y = blobs(100)
    net = Network([2, 4, 4, 2], act, "softmax", "log_likelihood", seed=0)
    tr = Trainer(net, X, Y, eta=300.0, batch_size=10, optimizer="adam")
    tr.step()
    assert tr.steps == 1 and net.dead_layers(X) == [2]
    assert f"all 4 {act} units of hidden layer 2 are saturated" in tr.dead_warning()
    for _ in range(99):
        tr.step()
    assert tr.steps == 100 and all(np.all(np.isfinite(p)) for p in params_of(net))


def test_an_exploding_cost_is_refused_before_it_overflows():
    X, Y = _regression(40, seed=2)
    net = Network([2, 8, 1], "leaky_relu", "linear", "quadratic", seed=0)
    tr = Trainer(net, X, Y, eta=3.0, batch_size=10)
    err, before = _first_error(tr)
    m = re.fullmatch(
        r"this update would make the mini-batch cost jump from (\S+) to (\S+): training is "
        r"diverging",
        err.cause,
    )
    assert m and float(m[2]) > 1e6 * max(float(m[1]), 1), err.cause
    _assert_unchanged(tr, before)


def test_a_cost_that_already_overflows_names_the_output_and_says_reset():
    X, Y = _regression(20, seed=2)
    net = Network([2, 4, 1], "tanh", "linear", "quadratic", seed=0)
    net.weights[1][...] = 1e200  # finite, but (a - y)^2 overflows
    tr = Trainer(net, X, Y, eta=0.1, batch_size=5)
    err, before = _first_error(tr)
    assert err.step == 1 and re.fullmatch(
        r"the mini-batch cost overflowed to inf \(largest output \|a\| = \S+e\+200\)", err.cause
    ), err.cause
    assert "Reset" in err.hint and "smaller learning rate cannot" in err.hint
    _assert_unchanged(tr, before)


def test_a_net_dead_before_the_step_still_trains_what_it_can():
    X = np.random.default_rng(0).uniform(0, 1, (2, 40))
    Y = np.eye(2)[:, np.arange(40) % 2]
    net = _dead_relu_net()
    tr = Trainer(net, X, Y, eta=0.5, batch_size=10)
    b_out = net.biases[-1].copy()
    tr.train(2)
    assert tr.steps == 8 and not np.array_equal(b_out, net.biases[-1])


def _huge(net: Network, value: float = 1e300) -> Network:
    """Every weight and bias set to ``value`` (a resumed file could hold these)."""
    for w, b in zip(net.weights, net.biases):
        w[...], b[...] = value, value
    return net


def test_a_network_dead_from_the_start_is_named_in_a_warning():
    """Weights of 1e300 saturate every tanh unit: steps are accepted and nothing learns (no
    parameter moves), so the trainer must say so before training."""
    X, Y = blobs(60)
    net = _huge(Network([2, 4, 4, 2], "tanh", "softmax", "log_likelihood", seed=0))
    tr = Trainer(net, X, Y, eta=0.1, batch_size=10)
    warning = tr.dead_warning()
    assert warning is not None
    assert "(layers 1, 2)" in warning and "4 tanh units of hidden layer 2" in warning
    assert "sigma'(z) = 0" in warning and "BP2 passes no error to layer 2" in warning
    assert f"{X.shape[1]} training samples" in warning and "Reset" in warning
    before = [p.copy() for p in net.weights + net.biases]
    for _ in range(5):
        tr.step()  # accepted
    assert tr.steps == 5
    # what the warning is about: nothing moves
    assert all(np.array_equal(a, b) for a, b in zip(before, net.weights + net.biases))


def test_a_dead_output_layer_is_named_and_a_live_network_has_no_warning():
    X, Y = blobs(60)
    net = _huge(Network([2, 3, 2], "sigmoid", "sigmoid", "quadratic", seed=0))
    warning = Trainer(net, X, Y, batch_size=10).dead_warning()
    assert "(layers 1, 2)" in warning and "the output layer" in warning and "BP1" in warning
    assert Trainer(Network([2, 3, 2], seed=0), X, Y, batch_size=10).dead_warning() is None


def test_healthy_training_skips_the_post_update_check(monkeypatch):
    """The check costs a forward pass: the book's network at eta = 3 must not pay it, nor
    ReLU networks taking small steps (a unit that dies is not a reason to refuse one)."""
    X, Y = blobs(300)
    calls = []
    real = Guard.check_update
    monkeypatch.setattr(Guard, "check_update", lambda *a: calls.append(1) or real(*a))
    net = Network([2, 30, 2], "sigmoid", seed=0)
    Trainer(net, X, Y, eta=3.0, batch_size=10).train(3)
    assert calls == []
    relu = Network([2, 30, 2], "relu", "softmax", "log_likelihood", seed=0)
    tr = Trainer(relu, X, Y, eta=0.1, batch_size=10)
    tr.train(1)
    assert calls == [] and tr.steps == 30
    tr.eta = 1e4  # a jump of the weights: now each step is checked
    tr.step()
    assert len(calls) == 1


# ------------------------------------------------------------------ limits on work
def test_a_step_over_the_work_limit_is_refused_naming_the_numbers_and_a_fix():
    X, Y = blobs(200)
    lim = Limits(max_step_work=1_000)
    net = Network([2, 10, 2], limits=lim)  # 52 parameters: at most 19 samples a step
    with pytest.raises(ValueError) as e:
        Trainer(net, X, Y, batch_size=20)
    assert str(e.value) == (
        "a mini-batch of 20 samples through 52 parameters is 1,040 multiply-adds a step, "
        "over the limit of 1,000: use a batch of at most 19 or a smaller network"
    )
    tr = Trainer(net, X, Y, batch_size=19)
    with pytest.raises(ValueError, match="at most 19"):
        tr.configure(batch_size=50, eta=0.5)
    assert (tr.batch_size, tr.eta) == (19, 3.0)  # nothing applied


def test_evaluation_uses_at_most_eval_samples_evenly_spaced_columns():
    X, Y = blobs(301)
    net = Network([2, 5, 2], seed=0)
    full = Trainer(net, X, Y, X[:, :20], Y[:, :20])
    capped = Trainer(net, X, Y, X[:, :20], Y[:, :20], eval_samples=31)
    idx = np.arange(0, 301, 10)  # 31 evenly spaced columns, first and last included
    a = net.feedforward(X[:, idx])
    ev = capped.evaluate()
    assert ev["train_cost"] == net.cost.fn(a, Y[:, idx]) != full.evaluate()["train_cost"]
    assert ev["test_cost"] == full.evaluate()["test_cost"]  # 20 columns: under the cap


def test_snapshots_stay_under_their_count_cap_and_span_the_run():
    X, Y = blobs(50)
    tr = Trainer(Network([2, 3, 2], seed=0), X, Y, batch_size=5, snapshot_every=1)
    for _ in range(1000):
        tr.step()
    steps, every = tr.snapshots.steps, tr.snapshots.every
    assert 100 <= len(steps) <= 256 and every in (4, 8, 16)  # thinned by halving
    assert steps[0] == 0 and steps[-1] == 1000 and steps == sorted(set(steps))
    assert sum(s % every == 0 for s in steps) >= len(steps) / 2  # (epoch ends add a few)
