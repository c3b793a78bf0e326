"""Hand edits of the training data (backprop.datasets.edits) and Trainer.set_data."""

from __future__ import annotations

import numpy as np
import pytest

from backprop import Network, Trainer
from backprop.datasets import edits, load


@pytest.fixture(scope="module")
def circle():
    return load("circle", n_samples=60, noise=0.0, test_fraction=0.2, seed=1)


def test_apply_adds_and_removes_points(circle):
    ops = [edits.add_op(1.25, -2.5, 1), edits.add_op(0, 0, 0), edits.remove_op(0)]
    out = edits.apply(circle, ops)
    assert out.n_train == circle.n_train + 1
    np.testing.assert_array_equal(out.raw_train[:, -2], [1.25, -2.5])
    np.testing.assert_array_equal(out.Y_train[:, -2], [0.0, 1.0])  # one-hot class 1
    np.testing.assert_array_equal(out.Y_train[:, -1], [1.0, 0.0])
    np.testing.assert_array_equal(out.raw_train[:, 0], circle.raw_train[:, 1])  # 0 removed
    np.testing.assert_allclose(out.X_train, circle.features_of(out.raw_train))
    assert out.n_test == circle.n_test and circle.n_train == 48  # the original is untouched


def test_curve_points():
    sine = load("sine", n_samples=30, noise=0.0, test_fraction=0.2, seed=0)
    out = edits.apply(sine, [edits.add_op(-1.5, 0.75)])
    assert out.X_train[0, -1] == -1.5 and out.Y_train[0, -1] == 0.75
    with pytest.raises(ValueError, match="no class"):
        edits.apply(sine, ["+1,0.5,1"])


def test_encode_decode_round_trip(circle):
    ops = [edits.add_op(-3.14159, 2.5, 0), edits.remove_op(7), edits.add_op(1e-5, 9.99, 1)]
    text = edits.encode(ops)
    assert edits.decode(text) == ops
    a, b = edits.apply(circle, ops), edits.apply(circle, edits.decode(text))
    np.testing.assert_array_equal(a.X_train, b.X_train)


@pytest.mark.parametrize(
    "text, match",
    [
        ("hello", "neither"),
        ("+1,2,3;<script>", "neither"),
        ("+nan,1,0", "neither"),
        ("+inf,1,0", "neither"),
        ("+1e308,1,0", "within"),
        ("+11,0,1", "within"),
        ("+1,2,0;" * 60, "too long|more than"),
        (";".join(["-1"] * 51), "more than"),
        ("x" * 100_000, "too long"),
    ],
)
def test_hostile_values_are_refused(text, match):
    with pytest.raises(ValueError, match=match):
        edits.decode(text)


def test_bad_ops_apply_nothing(circle):
    with pytest.raises(ValueError, match="no training sample"):
        edits.apply(circle, ["+1,1,0", "-999"])
    with pytest.raises(ValueError, match="class"):
        edits.apply(circle, ["+1,1,2"])
    digits = load("iris", test_fraction=0.2, seed=0)
    with pytest.raises(ValueError, match="cannot be edited"):
        edits.apply(digits, ["+1,1,0"])
    assert edits.apply(digits, []) is digits


def test_nearest_uses_pixels():
    pts = np.array([[0.0, 1.0, 5.0], [0.0, 0.0, 5.0]])
    assert edits.nearest(pts, 0.9, 0.05, (0.1, 0.1), 6) == 1  # 1.1 px away
    assert edits.nearest(pts, 3.0, 3.0, (0.1, 0.1), 6) is None  # 20+ px from any
    assert edits.nearest(pts, 3.0, 3.0, (1.0, 1.0), 6) == 2


def test_set_data_keeps_the_network_and_trains_on_the_new_data(circle):
    net = Network([2, 4, 2], seed=0)
    tr = Trainer(net, circle.X_train, circle.Y_train, eta=1.0, batch_size=10)
    tr.train(epochs=2)
    steps, hist, w = tr.steps, len(tr.history_frame()), [x.copy() for x in net.weights]
    edited = edits.apply(circle, [edits.add_op(0.5, 0.5, 1)] * 3 + ["-0"])
    tr.set_data(edited.X_train, edited.Y_train)
    assert tr.net is net and tr.steps == steps and len(tr.history_frame()) == hist
    assert all(np.array_equal(a, b) for a, b in zip(w, net.weights))
    assert tr.n == edited.n_train == circle.n_train + 2
    seen = []
    orig = tr.batches.next
    tr.batches.next = lambda k: seen.append(orig(k)) or seen[-1]
    tr.run_epoch()
    cols = np.hstack([x for x, _ in seen])
    assert cols.shape[1] == edited.n_train  # one epoch is one pass over the edited set
    assert sum(np.allclose(c, edited.X_train[:, -1]) for c in cols.T) == 3
    assert not all(np.array_equal(a, b) for a, b in zip(w, net.weights))
    assert tr.steps > steps and tr.probe[0].shape[1] == min(16, edited.n_train)
    tr.set_data(edited.X_train[:, :4], edited.Y_train[:, :4])
    assert tr.batch_size == 4  # clamped to the smaller set


def test_set_parameter_checks_the_target_and_the_value():
    from backprop.param_edit import get_parameter, set_parameter

    net = Network([2, 3, 2], seed=0)
    old = float(net.weights[1][1, 2])
    assert set_parameter(net, 2, 1, 2, 1.5) == old and net.weights[1][1, 2] == 1.5
    old_b = get_parameter(net, 1, 0, None)
    assert set_parameter(net, 1, 0, None, -2.0) == old_b and net.biases[0][0, 0] == -2.0
    for value in (float("nan"), float("inf"), 1e3 + 1, "x", None):
        with pytest.raises(ValueError, match="value"):
            set_parameter(net, 2, 1, 2, value)
    for target in ((0, 0, 0), (3, 0, 0), (2, 2, 0), (2, 0, 3), (True, 0, 0), ("1", 0, 0)):
        with pytest.raises(ValueError):
            set_parameter(net, *target, 0.5)
    assert net.weights[1][1, 2] == 1.5  # nothing refused was applied
