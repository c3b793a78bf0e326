"""Hands on in the Playground (AppTest): board clicks add or remove training points, a
picked weight is set by hand; the edits are in the URL and a fresh session replays them."""

from __future__ import annotations

import numpy as np
from helpers import click, metric, playground, query, run, texts, the_run

from backprop.datasets import edits
from backprop.ui import exports, handson

N_TRAIN = 250  # the default circle: 500 samples, half for training


def board_click(at, **value):
    """What the board's ``click`` trigger files, then the rerun that applies it."""
    at.session_state[handson.PENDING_KEY] = ("click", {"sx": 0.02, "sy": 0.02, **value})
    return run(at)


def test_clicks_add_and_remove_points_and_training_follows():
    at = playground()
    r = the_run(at)
    rev = r.revision
    board_click(at, x=0.5, y=-0.25)
    r = the_run(at)
    assert r.dataset.n_train == r.trainer.n == N_TRAIN + 1 and r.revision > rev
    np.testing.assert_allclose(r.dataset.raw_train[:, -1], [0.5, -0.25])
    assert r.dataset.Y_train[:, -1].tolist() == [1.0, 0.0]  # class 0, the toggle's default
    board_click(at, x=1.0, y=1.0, shift=True)  # shift: the other class
    assert the_run(at).dataset.Y_train[:, -1].tolist() == [0.0, 1.0]
    x0, y0 = the_run(at).dataset.raw_train[:, 0]
    board_click(at, x=float(x0) + 0.05, y=float(y0))  # 2.5 px from sample 0: removes it
    r = the_run(at)
    assert r.dataset.n_train == N_TRAIN + 1 and r.data_edits[-1] == "-0"
    assert exports.data_csv(r).count("\n") == N_TRAIN + 2  # header + rows
    click(at, "step")
    assert the_run(at).trainer.steps == 1 and the_run(at).dataset.n_train == N_TRAIN + 1
    click(at, "handson_reset")
    assert the_run(at).dataset.n_train == the_run(at).trainer.n == N_TRAIN
    assert "edits" not in query(at)


def test_edits_go_in_the_url_and_a_fresh_session_replays_them():
    at = playground()
    board_click(at, x=2.0, y=3.0)
    board_click(at, x=-2.0, y=1.5, shift=True)
    url = query(at)
    assert edits.decode(url["edits"]) == the_run(at).data_edits and len(the_run(at).data_edits) == 2
    fresh = playground(url)
    a, b = the_run(at).dataset, the_run(fresh).dataset
    np.testing.assert_array_equal(a.X_train, b.X_train)
    np.testing.assert_array_equal(a.Y_train, b.Y_train)
    assert the_run(fresh).trainer.n == N_TRAIN + 2


def test_hostile_edits_in_the_url_apply_nothing():
    at = playground({"edits": "+1,1,0;+nan,2,0"})
    assert the_run(at).dataset.n_train == N_TRAIN
    assert any("not applied" in t for t in texts(at.caption))
    at = playground({"edits": "-100000"})  # parses, does not apply
    assert the_run(at).dataset.n_train == N_TRAIN
    assert any("dropped" in t for t in texts(at.caption))


def test_a_picked_weight_is_set_by_hand_and_recorded():
    at = playground()
    click(at, "step")
    at.session_state[handson.PENDING_KEY] = ("pick", {"layer": 2, "i": 1, "j": 0})
    run(at)
    r = the_run(at)
    old = float(r.net.weights[1][1, 0])
    (box,) = [n for n in at.number_input if n.key == handson.VALUE_KEY]
    assert box.value == old and not box.disabled
    rev, cost = r.revision, metric(at, "Train cost")
    box.set_value(1.5)
    click(at, "handson_apply")
    r = the_run(at)
    assert r.net.weights[1][1, 0] == 1.5 and r.revision > rev
    assert metric(at, "Train cost") != cost  # the counters show the edited network's cost
    assert metric(at, "Train cost") == f"{r.trainer.evaluate()['train_cost']:.4g}"
    assert r.param_edits == [f"step 1: w[2][1,0] {old:.4g} → 1.5"]
    assert any("w[2][1,0]" in t for t in texts(at.caption))
    at.session_state[handson.PENDING_KEY] = ("pick", {"layer": 1, "i": 0, "bias": True})
    run(at)
    (box,) = [n for n in at.number_input if n.key == handson.VALUE_KEY]
    assert box.value == float(the_run(at).net.biases[0][0, 0])


def test_bad_picks_are_ignored():
    at = playground()
    for bad in ({"layer": 9, "i": 0, "j": 0}, {"layer": 1, "i": "0", "j": 0}, {"layer": 1}):
        at.session_state[handson.PENDING_KEY] = ("pick", bad)
        run(at)
        assert handson.PICK_KEY not in at.session_state
        (box,) = [n for n in at.number_input if n.key == handson.VALUE_KEY]
        assert box.disabled


def test_a_click_on_the_curve_adds_a_sample_and_new_data_drops_the_edits():
    at = playground({"ds": "sine"})
    n = the_run(at).dataset.n_train
    board_click(at, x=-2.0, y=0.9)
    r = the_run(at)
    assert r.trainer.n == n + 1 and (r.dataset.X_train[0, -1], r.dataset.Y_train[0, -1]) == (
        -2,
        0.9,
    )
    at.sidebar.number_input(key="w_n_samples").set_value(300)
    run(at)
    assert the_run(at).data_edits == [] and "edits" not in query(at)
    assert any("dropped" in t for t in texts(at.caption))


def test_the_add_a_point_hint_shows_only_where_a_click_adds_one():
    for params, hint in (
        (None, handson.ADD_HINT),
        ({"ds": "sine"}, handson.ADD_HINT),
        ({"ds": "digits"}, handson.PICK_HINT),
    ):
        at = playground(params)
        shown = texts(at.caption)
        assert hint in shown, (params, shown)
        other = handson.PICK_HINT if hint == handson.ADD_HINT else handson.ADD_HINT
        assert other not in shown
    assert handson.ADD_HINT == "Click the output chart to add a point, a point to remove it."
