"""Trainer.checkpoint / restore: back to a step, then training on repeats the same steps.

The reference is the same trainer trained straight through: after a restore and the same
number of steps, every parameter, the history (per step and per epoch), the snapshots,
the optimiser's state and the RNG must equal it bit for bit.
"""

from __future__ import annotations

import hashlib

import numpy as np
import pytest

from backprop import Network, Trainer, datasets
from backprop.limits import Limits
from backprop.optimizers import OPTIMIZERS


def digest(tr: Trainer) -> str:
    """Everything a later step or a view depends on, as one hash."""
    h = hashlib.sha256()
    for a in [*tr.net.weights, *tr.net.biases]:
        h.update(a.tobytes())
    h.update(tr.history_frame().to_numpy().tobytes())
    h.update(tr.epoch_frame().to_numpy().tobytes())
    for snap in tr.snapshots.items:
        h.update(repr((snap.step, snap.epoch)).encode())
        for w in snap.weights:
            h.update(np.asarray(w).tobytes())
    for v in tr.opt.state().values():
        h.update(np.asarray(v).tobytes())
    h.update(repr(tr.net.rng.bit_generator.state).encode())
    h.update(repr((tr.steps, tr.epochs, tr.batches.pos)).encode())
    return h.hexdigest()


def trainer(optimizer: str = "sgd", regularization: str = "none", **kw) -> Trainer:
    d = datasets.load("circle", n_samples=60, seed=3)
    net = Network([2, 4, 3, 2], "tanh", seed=1, **kw)
    return Trainer(
        net, d.X_train, d.Y_train, d.X_test, d.Y_test, eta=0.2, batch_size=7,
        optimizer=optimizer, regularization=regularization, lmbda=0.1,
        eval_every=1, snapshot_every=1, probe_size=8,
    )  # fmt: skip


def steps(tr: Trainer, n: int) -> Trainer:
    for _ in range(n):
        tr.step()
    return tr


@pytest.mark.parametrize("optimizer", sorted(OPTIMIZERS))
@pytest.mark.parametrize(("before", "ahead"), [(0, 5), (4, 1), (9, 13), (5, 40)])
def test_restore_then_train_on_equals_training_straight(optimizer, before, ahead):
    """``ahead`` steps past the checkpoint (across epoch ends: 30 samples, batches of 7),
    back, and as many again: the same as training ``before + ahead`` steps once."""
    straight = steps(trainer(optimizer, "l2"), before + ahead)
    tr = steps(trainer(optimizer, "l2"), before)
    cp = tr.checkpoint()
    steps(tr, ahead + 3)
    tr.restore(cp)
    assert (tr.steps, len(tr.history_frame())) == (before, before)
    assert digest(tr) == digest(steps(trainer(optimizer, "l2"), before))
    assert digest(steps(tr, ahead)) == digest(straight)


def test_a_checkpoint_restores_twice():
    """Restoring does not use the checkpoint up: Pause twice at the same frame."""
    tr = steps(trainer("adam"), 6)
    cp, want = tr.checkpoint(), digest(tr)
    for n in (3, 11):
        steps(tr, n)
        tr.restore(cp)
        assert digest(tr) == want


def test_a_new_learning_rate_applies_from_its_step_and_a_restore_before_it_moves_it():
    """``eta_since``: the steps taken before eta was set (what backprop.diagnose judges
    the learning rate on), and the weights' norms then."""
    tr = steps(trainer(), 4)
    start = [np.linalg.norm(w) for w in tr.initial_params[0::2]]
    assert tr.eta_since == 0 and tr.eta_norms == pytest.approx(start, rel=1e-12)
    cp = tr.checkpoint()
    steps(tr, 3)
    tr.eta = 0.2  # the same value: nothing changes
    assert tr.eta_since == 0
    tr.eta = 0.05
    assert tr.eta_since == 7
    steps(tr, 2)
    tr.restore(cp)  # back to step 4: steps 5 on will run at 0.05
    assert tr.eta == 0.05 and tr.eta_since == 4
    assert tr.eta_norms == pytest.approx([np.linalg.norm(w) for w in cp.weights], rel=1e-12)


def test_history_rows_past_the_checkpoint_are_cleared():
    """A row added later and dropped by the restore leaves no value behind (rows are
    filled from NaN: an evaluation skipped on the retrained step must stay NaN)."""
    tr = steps(trainer(), 2)
    cp = tr.checkpoint()
    steps(tr, 5)
    tr.restore(cp)
    tail = tr.history._data[tr.history.n :]
    assert np.isnan(tail).all()


def test_a_thinned_history_is_not_restorable():
    """Thinning rewrites the history's rows in place: a checkpoint from before it cannot
    be restored exactly, and says so instead of restoring something else."""
    d = datasets.load("circle", n_samples=60, seed=3)
    net = Network([2, 3, 2], seed=0, limits=Limits(max_history=8))
    tr = Trainer(net, d.X_train, d.Y_train, eta=0.1, batch_size=10)
    steps(tr, 3)
    cp = tr.checkpoint()
    steps(tr, 12)
    assert tr.history.thinned > 0
    with pytest.raises(ValueError, match="step 3"):
        tr.restore(cp)


def test_float32_restores_exactly():
    d = datasets.load("circle", n_samples=60, seed=3)
    make = lambda: Trainer(  # noqa: E731
        Network([2, 5, 2], seed=2), d.X_train, d.Y_train, eta=0.5, batch_size=8,
        dtype="float32",
    )  # fmt: skip
    straight = steps(make(), 17)
    tr = steps(make(), 7)
    cp = tr.checkpoint()
    steps(tr, 20)
    tr.restore(cp)
    assert tr.net.weights[0].dtype == np.float32
    assert digest(steps(tr, 10)) == digest(straight)


def test_history_frame_of_some_columns_equals_those_of_the_whole_frame():
    tr = steps(trainer(), 9)
    cols = ["step", "epoch", "batch_cost", "train_cost"]
    part, whole = tr.history_frame(cols), tr.history_frame()
    assert list(part.columns) == cols and part["step"].dtype == np.int64
    assert part.equals(whole[cols])
    with pytest.raises(KeyError):
        tr.history_frame(["no such column"])
