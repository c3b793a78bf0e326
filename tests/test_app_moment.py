"""Sharing the moment: the URL carries the step and the view, and a fresh session that opens
it replays the same run to the same step (backprop.ui.moment), driven with AppTest."""

from __future__ import annotations

from dataclasses import replace

from helpers import (
    board_header,
    click,
    counters,
    metric,
    open_tab,
    params_of,
    playground,
    query,
    reference_run,
    run,
    same_params,
    texts,
    the_run,
)
from streamlit.testing.v1 import AppTest

from backprop.ui import board, controls, moment
from backprop.ui.config import DEFAULT, MOMENT_URL_KEYS, to_query

VIEW_WIDGETS = (
    ("segmented_control", "graph_view"),
    ("number_input", "graph_sample"),
    ("selectbox", "layers_layer"),
    ("selectbox", "layers_quantity"),
)
SHOWN = ("Step", "Epoch", "Train cost", "Test cost", "Train accuracy", "Test accuracy")


def moment_of(at: AppTest) -> dict[str, str]:
    return {k: v for k, v in query(at).items() if k in MOMENT_URL_KEYS}


def replayed(at: AppTest, frames: int = 500) -> AppTest:
    """``at`` after the board's chunk requests (reruns) until the replay has paused."""
    r = the_run(at)
    for _ in range(frames):
        if not r.play.playing:
            break
        run(at)
    assert not r.play.playing and r.play.target_step is None
    return at


def widget_values(at: AppTest) -> dict[str, object]:
    return {key: getattr(at, kind)(key=key).value for kind, key in VIEW_WIDGETS}


def shown(at: AppTest) -> dict[str, str]:
    return {label: metric(at, label) for label in SHOWN}


def trained_with_a_view(steps_clicks: int = 3) -> AppTest:
    """The default Playground after an Epoch and a few Steps, showing the backward view of
    probe sample 3 and layer 2's deltas in the Layers tab."""
    at = playground()
    click(at, "epoch")
    for _ in range(steps_clicks):
        click(at, "step")
    run(at.segmented_control(key="graph_view").set_value("backward"))
    run(at.number_input(key="graph_sample").set_value(3))
    run(at.selectbox(key="layers_layer").set_value(2))
    run(at.selectbox(key="layers_quantity").set_value("delta"))
    return at


def test_the_url_carries_the_step_and_the_view():
    at = trained_with_a_view()
    steps = the_run(at).trainer.steps
    assert steps == 25 + 3
    assert moment_of(at) == {
        "step": str(steps),
        "view": "backward",
        "sample": "3",
        "layer": "2",
        "q": "delta",
    }
    assert {k: v for k, v in query(at).items() if k not in MOMENT_URL_KEYS} == to_query(DEFAULT)


def test_a_shared_link_replays_to_the_same_step_view_and_numbers(monkeypatch):
    at = trained_with_a_view()
    url, original = query(at), the_run(at)
    monkeypatch.setattr(controls, "FRAME_BUDGET", 1e-4)  # a frame trains a step or two
    monkeypatch.setattr(board, "CHUNK_FRAMES", 2)
    new = playground(url)  # a fresh session: another visitor opening the link
    r = the_run(new)
    assert r is not original
    assert r.play.playing and r.play.target_step == original.trainer.steps
    assert 0 < r.trainer.steps < original.trainer.steps  # in budgeted frames...
    (bar,) = new.get("progress")
    assert "step 28" in bar.proto.text  # ...with a progress bar
    assert query(new) == url  # not rewritten during the replay
    replayed(new)
    assert not new.get("progress")
    assert r.trainer.steps == original.trainer.steps
    assert same_params(params_of(r.net), params_of(original.net))
    assert shown(new) == shown(at)
    assert widget_values(new) == widget_values(at)
    assert query(new) == url
    assert not new.warning, texts(new.warning)
    click(new, "step")  # and it trains on as the original does
    click(at, "step")
    assert same_params(params_of(r.net), params_of(original.net))


def test_the_open_tab_is_shared():
    at = playground()
    at.session_state["detail_tab"] = "Curves"
    run(at)
    assert moment_of(at) == {"tab": "curves"}
    new = playground(query(at))
    assert new.session_state["detail_tab"] == "Curves"
    assert [t.label for t in new.tabs if t.children] == ["Curves"]


def test_a_link_sets_the_output_toggles_and_refuses_other_values():
    new = playground({"show_test": "0", "discretize": "1"})
    assert new.toggle(key="show_test").value is False
    assert new.toggle(key="discretize").value is True
    assert moment_of(new) == {"show_test": "0", "discretize": "1"}
    assert not new.warning, texts(new.warning)
    header = board_header(new)
    (frame,) = header["frames"]
    (base,) = [u[1] for u in frame["views"]["output"] if u[0] == "base"]
    names = [t["name"] for t in header["bases"][base]["data"]]
    assert names == ["predicted class", "train: class 0", "train: class 1"]
    bad = playground({"show_test": "no", "discretize": "<b>2</b>"})
    assert texts(bad.warning) == [
        "URL parameter show_test='no' is invalid (show_test must be 0 or 1); using '1'.",
        "URL parameter discretize='<b>2</b>' is invalid (discretize must be 0 or 1); using '0'.",
    ]
    assert (bad.toggle(key="show_test").value, bad.toggle(key="discretize").value) == (
        True,
        False,
    )
    assert moment_of(bad) == {}


def test_the_url_is_not_rewritten_while_playing():
    at = playground()
    click(at, "step")
    assert moment_of(at) == {"step": "1"}
    click(at, "play")
    run(at)  # the board's request for the next chunk
    assert the_run(at).trainer.steps > 1 and moment_of(at) == {"step": "1"}
    click(at, "play")  # Pause
    assert moment_of(at) == {"step": str(the_run(at).trainer.steps)}


def test_a_link_opened_in_a_session_that_trained_on_replays_from_the_seed():
    at = playground()
    for _ in range(4):
        click(at, "step")
    url = query(at)
    other = playground()  # a session at a later step of the same config
    click(other, "epoch")
    for k in list(other.query_params):
        del other.query_params[k]
    for k, v in url.items():  # the link pasted into that session's address bar
        other.query_params[k] = v
    replayed(run(other))
    assert counters(other) == (4, 0)
    assert same_params(params_of(the_run(other).net), params_of(reference_run(DEFAULT, 4).net))


def test_a_link_with_another_config_replays_that_config():
    cfg = replace(DEFAULT, dataset="xor", hidden=(3,), eta=0.3, seed=5)
    new = replayed(playground({**to_query(cfg), "step": "30", "view": "backward"}))
    r = the_run(new)
    assert r.cfg == cfg and counters(new) == (30, 1)
    assert same_params(params_of(r.net), params_of(reference_run(cfg, 30).net))
    assert new.segmented_control(key="graph_view").value == "backward"


def test_a_step_at_the_epoch_limit_is_replayed(monkeypatch):
    monkeypatch.setenv("BACKPROP_MAX_EPOCHS", "2")  # 2 epochs of 25 steps
    new = replayed(playground({"step": "50"}))
    assert counters(new) == (50, 2) and not new.warning
    new = playground({"step": "51"})
    (msg,) = texts(new.warning)
    assert "step must be <= 50: 2 epochs of 25 steps" in msg
    assert counters(new) == (0, 0) and not the_run(new).play.playing
    assert "step" not in query(new)  # the URL is cleaned


def test_no_hidden_layer_picks_layer_1_the_output_and_the_page_never_fails():
    """0 hidden layers: the page works and the moment's layer is 1, the output; also when a
    run that does not draw the Layers picker (the board's) reads a value the network no
    longer has: the picker's old label (what Streamlit hands back for an option label the
    browser still shows) or a deeper layer."""
    at = trained_with_a_view(1)  # layer 2 of 3 picked
    run(at.sidebar.number_input(key="w_n_hidden").set_value(0))
    r = the_run(at)
    assert r.net.sizes == [2, 2] and r.net.n_layers == 1
    picker = at.selectbox(key="layers_layer")
    assert (picker.label, picker.options, picker.value) == ("Layer (1 = output)", ["layer 1"], 1)
    assert "layer" not in moment_of(at)  # layer 1: the default, not written
    open_tab(at, "Curves")  # the picker is not drawn
    for stale in ("layer 2 (output)", 3, True, None):
        at.session_state["layers_layer"] = stale
        click(at, "step")  # run() checks: no exception
        steps = str(the_run(at).trainer.steps)
        want = {"step": steps, "tab": "curves", "view": "backward", "sample": "3"}
        assert moment_of(at) == want  # no layer: 1, the output
    values, notices = moment.parse({"layer": "1"}, r)
    assert (values, notices) == ({"layer": 1}, [])
    values, notices = moment.parse({"layer": "2"}, r)
    assert values == {} and notices == [
        "URL parameter layer='2' is invalid (layer must be <= 1 (the configured limit), got '2');"
        " using 1."
    ]
