"""The network's shape edited on the board's graph (TF Playground's + and - buttons and its
input feature switches): the change the sidebar would make, checked as the sidebar checks."""

from __future__ import annotations

import pytest
from helpers import playground, query, run, texts, the_run

from backprop.ui import shape
from backprop.ui.config import DEFAULT, PlaygroundConfig


def board_sends(at, event: str, **value):
    """What the board's ``shape`` or ``feature`` trigger files, then the page run."""
    at.session_state[shape.PENDING_KEY] = (event, value)
    return run(at)


@pytest.mark.parametrize(
    ("event", "value", "hidden", "features"),
    [
        ("shape", {"op": "layer+"}, (4, 4, 4), ("x1", "x2")),
        ("shape", {"op": "layer-"}, (4,), ("x1", "x2")),
        ("shape", {"op": "neuron+", "layer": 2}, (4, 5), ("x1", "x2")),
        ("shape", {"op": "neuron-", "layer": 1}, (3, 4), ("x1", "x2")),
        ("feature", {"name": "x1^2", "on": True}, (4, 4), ("x1", "x2", "x1^2")),
        ("feature", {"name": "x1", "on": False}, (4, 4), ("x2",)),
        ("feature", {"name": "x1", "on": True}, (4, 4), ("x1", "x2")),  # already on
    ],
)
def test_each_change_is_the_config_the_sidebar_would_make(event, value, hidden, features):
    cfg = PlaygroundConfig(hidden=(4, 4), features=("x1", "x2"))
    new = shape.edited(cfg, event, value)
    assert (new.hidden, new.features) == (hidden, features)
    assert new == PlaygroundConfig(hidden=hidden, features=features)  # nothing else changed


@pytest.mark.parametrize(
    ("event", "value", "why"),
    [
        ("shape", {"op": "grow"}, "unknown change"),
        ("shape", {"op": "neuron+", "layer": 3}, "no such hidden layer"),
        ("shape", {"op": "neuron+", "layer": True}, "no such hidden layer"),
        ("shape", {"op": "neuron+", "layer": "1"}, "no such hidden layer"),
        ("feature", {"name": "x3", "on": True}, "cannot be switched"),
        ("feature", {"name": "x1", "on": 1}, "cannot be switched"),
        ("other", {"op": "layer+"}, "unknown change"),
    ],
)
def test_a_malformed_change_is_refused(event, value, why):
    with pytest.raises(ValueError, match=why):
        shape.edited(DEFAULT, event, value)


def test_features_switch_only_where_the_data_has_them():
    assert shape.features_of(DEFAULT)["on"] == list(DEFAULT.features)
    digits = PlaygroundConfig(dataset="digits")
    assert shape.features_of(digits) is None
    with pytest.raises(ValueError, match="cannot be switched"):
        shape.edited(digits, "feature", {"name": "x1", "on": False})


def test_the_board_adds_a_layer_and_a_neuron_and_switches_a_feature():
    at = playground()
    board_sends(at, "shape", op="layer+")
    assert the_run(at).net.sizes == [2, 4, 4, 4, 2]
    assert query(at)["hidden"] == "4,4,4"
    assert at.session_state["w_n_hidden"] == 3  # the sidebar shows it
    board_sends(at, "shape", op="neuron+", layer=3)
    assert the_run(at).net.sizes == [2, 4, 4, 5, 2]
    board_sends(at, "feature", name="sin x1", on=True)
    assert the_run(at).net.sizes == [3, 4, 4, 5, 2]
    assert the_run(at).cfg.features == ("x1", "x2", "sin x1")
    assert at.session_state["w_features"] == ["x1", "x2", "sin x1"]
    assert not at.exception


def test_a_refused_change_is_said_and_changes_nothing():
    at = playground({"hidden": "1"})
    before = the_run(at).net.sizes
    board_sends(at, "shape", op="neuron-", layer=1)  # 0 neurons: below the sidebar's minimum
    assert the_run(at).net.sizes == before and query(at)["hidden"] == "1"
    assert any("The network is unchanged." in t for t in texts(at.warning)), texts(at.warning)
    board_sends(at, "feature", name="x2", on=False)
    board_sends(at, "feature", name="x1", on=False)  # the last feature: no input left
    assert the_run(at).cfg.features == ("x1",)
    assert not at.exception
