"""Two runs side by side (backprop.ui.compare), driven with AppTest: pin A, change a setting,
train B; the URL carries A (pin, pin_step) and a fresh session replays it from its seed."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from helpers import (
    charts,
    click,
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

from backprop.ui import compare
from backprop.ui.config import DEFAULT, pin_query, to_query

COSTS = ["train_cost", "test_cost", "train_accuracy", "test_accuracy"]


def pinned(at: AppTest) -> compare.Pinned | None:
    if compare.PIN_KEY not in at.session_state:
        return None
    return at.session_state[compare.PIN_KEY]


def trace_names(at: AppTest) -> list[list[str]]:
    """The names of the traces of every Plotly chart shown, in page order."""
    return [[t.get("name") for t in c.figure["data"]] for c in charts(at)]


def steps(at: AppTest, n: int) -> AppTest:
    for _ in range(n):
        click(at, "step")
    return at


def pinned_and_changed(n_a: int = 6, n_b: int = 4) -> AppTest:
    """The default Playground after ``n_a`` steps, pinned as A in the Compare tab, then the
    learning rate changed to 0.3 and ``n_b`` steps of B."""
    at = steps(playground(), n_a)
    open_tab(at, "Compare")
    assert [b.key for b in at.button if b.key == "pin"] == ["pin"]
    click(at, "pin")
    run(at.number_input(key="w_eta").set_value(0.3))
    return steps(at, n_b)


def same_costs(a: pd.DataFrame, b: pd.DataFrame) -> bool:
    return a["step"].tolist() == b["step"].tolist() and all(
        np.array_equal(a[c].to_numpy(), b[c].to_numpy(), equal_nan=True) for c in COSTS
    )


def test_pin_change_a_setting_and_train_b_shows_both():
    at = pinned_and_changed()
    pin, b = pinned(at), the_run(at)
    assert pin is not None and pin.step == 6 and pin.cfg == DEFAULT
    assert b.cfg == replace(DEFAULT, eta=0.3) and b.trainer.steps == 4  # B from the seed
    assert pin.net is not b.net and not same_params(params_of(pin.net), params_of(b.net))
    assert "B differs from A in: learning rate 0.1 → 0.3." in texts(at.markdown)
    assert "A: pinned at step 6 (epoch 0)." in " ".join(texts(at.caption))
    names = trace_names(at)
    assert len(names) == 5  # cost, accuracy, gradient norms, A's and B's output
    cost, accuracy, norms = names[:3]
    assert cost == ["A: train cost", "A: test cost", "B: train cost", "B: test cost"]
    assert accuracy == [n.replace("cost", "accuracy") for n in cost]
    assert norms == [f"{r}: layer {l}" for r in "AB" for l in (1, 2, 3)]
    q = query(at)
    assert q["pin"] == pin_query(DEFAULT, 6)["pin"] and q["pin_step"] == "6"
    assert q["eta"] == "0.3" and q["step"] == "4"
    assert not at.warning and not at.error


def test_a_curves_stay_at_the_pinned_step_while_b_grows():
    at = pinned_and_changed(n_a=3, n_b=2)
    history = pinned(at).history.copy()
    steps(at, 3)
    assert same_costs(pinned(at).history, history) and len(history) == 3
    assert len(the_run(at).trainer.history_frame()) == 5


def test_a_shared_link_replays_a_to_its_step_and_b_to_its_own():
    at = pinned_and_changed(n_a=6, n_b=4)
    url, original_a, original_b = query(at), pinned(at), the_run(at)
    new = playground(url)  # another visitor opens the link
    for _ in range(50):  # B's replay runs in the board's frames
        if not the_run(new).play.playing:
            break
        run(new)
    a, b = pinned(new), the_run(new)
    assert a is not None and a.step == 6 and a.cfg == DEFAULT
    assert same_costs(a.history, original_a.history)  # A replayed: the same numbers
    assert same_params(params_of(a.net), params_of(original_a.net))
    assert b.cfg == original_b.cfg and b.trainer.steps == 4
    assert same_costs(b.trainer.history_frame(), original_b.trainer.history_frame())
    assert "B differs from A in: learning rate 0.1 → 0.3." in texts(new.markdown)
    assert len(charts(new)) == 5
    assert not new.warning, texts(new.warning)
    assert query(new)["pin"] == url["pin"] and query(new)["pin_step"] == "6"


def test_a_long_replay_of_a_goes_on_in_ticks_with_a_progress_bar(monkeypatch):
    monkeypatch.setattr(compare, "REPLAY_BUDGET", 1e-4)  # a tick trains a step or two
    url = {**to_query(DEFAULT), **pin_query(replace(DEFAULT, eta=0.5), 30)}
    new = playground(url)
    replay = new.session_state[compare.REPLAY_KEY]
    assert 0 < replay.run.trainer.steps < 30 and pinned(new) is None
    (bar,) = new.get("progress")
    assert "Replaying the pinned run A to step 30" in bar.proto.text
    for _ in range(100):  # the fragment's timer ticks (AppTest: reruns)
        if pinned(new) is not None:
            break
        run(new)
    a = pinned(new)
    assert a.step == 30 and compare.REPLAY_KEY not in new.session_state
    ref = reference_run(replace(DEFAULT, eta=0.5), 30)
    assert same_params(params_of(a.net), params_of(ref.net))
    assert same_costs(a.history, ref.trainer.history_frame())
    assert replay.run is not the_run(new) and the_run(new).trainer.steps == 0


@pytest.mark.parametrize(
    ("params", "says"),
    [
        ({"pin": "garbage", "pin_step": "3"}, "names no setting"),
        ({"pin": "x" * 5000, "pin_step": "3"}, "longer than"),
        ({"pin": "eta=1&" * 100, "pin_step": "3"}, "more than 32 fields"),
        ({"pin": pin_query(DEFAULT, 0)["pin"], "pin_step": "-4"}, "pin_step"),
        ({"pin": pin_query(DEFAULT, 0)["pin"], "pin_step": "9" * 30}, "too long"),
        ({"pin": pin_query(DEFAULT, 0)["pin"], "pin_step": "25001"}, "<= 25,000"),
        ({"pin": pin_query(DEFAULT, 0)["pin"], "pin_step": "<b>1</b>"}, "pin_step"),
        ({"pin": pin_query(DEFAULT, 0)["pin"]}, "pin_step is missing"),
        ({"pin_step": "5"}, "no 'pin' beside it"),
    ],
)
def test_a_hostile_pin_gives_a_message_and_pins_nothing(params, says):
    at = playground(params)
    msgs = texts(at.warning)
    assert any(says in m and "nothing pinned" in m for m in msgs), msgs
    assert pinned(at) is None and compare.REPLAY_KEY not in at.session_state
    assert not set(query(at)) & {"pin", "pin_step"}  # the URL is cleaned
    open_tab(at, "Compare")
    assert [b.key for b in at.button if b.key == "pin"] == ["pin"]


def test_bad_fields_of_a_pin_fall_back_with_a_notice_and_the_rest_is_pinned():
    raw = pin_query(replace(DEFAULT, eta=0.5), 0)["pin"] + "&hidden=99999&zz=<img>"
    at = playground({"pin": raw, "pin_step": "2"})
    msgs = texts(at.warning)
    assert any(m.startswith("Pinned run A: URL parameter hidden=") for m in msgs), msgs
    assert any("Pinned run A: Ignored unknown URL parameter 'zz'" in m for m in msgs), msgs
    a = pinned(at)
    assert a.cfg == replace(DEFAULT, eta=0.5) and a.step == 2


def test_unpin_and_train_b_to_a_step():
    at = pinned_and_changed(n_a=8, n_b=2)
    click(at, "b_to_a")
    for _ in range(50):
        if not the_run(at).play.playing:
            break
        bars = at.get("progress")
        assert not bars or "Training B to step 8" in bars[0].proto.text
        run(at)
    assert the_run(at).trainer.steps == 8
    assert at.button(key="b_to_a").disabled  # B is there
    click(at, "unpin")
    assert pinned(at) is None and not set(query(at)) & {"pin", "pin_step"}
    assert not charts(at)
    run(at.number_input(key="w_eta").set_value(0.2))  # unpinned: retuned in place again
    assert the_run(at).trainer.steps == 8


def test_another_dataset_is_named_as_a_comparison_across_datasets():
    at = steps(playground(), 2)
    open_tab(at, "Compare")
    click(at, "pin")
    run(at.selectbox(key="w_dataset").set_value("xor"))
    steps(at, 2)
    shown = " ".join(texts(at.info))
    assert "A is trained on circle and B on xor: the comparison is across datasets." in shown
    assert "dataset circle → xor" in texts(at.markdown)[0]


def test_pin_b_as_a_makes_the_current_run_the_new_a():
    at = pinned_and_changed(n_a=3, n_b=5)
    click(at, "repin")
    assert pinned(at).cfg == replace(DEFAULT, eta=0.3) and pinned(at).step == 5
    assert "B has the same settings as A." in texts(at.markdown)
    assert query(at)["pin_step"] == "5"


def test_a_regression_shows_both_fitted_curves_and_no_accuracy():
    cfg = replace(DEFAULT, dataset="sine", output_activation="sigmoid", cost="quadratic")
    at = steps(playground(to_query(cfg)), 3)
    open_tab(at, "Compare")
    click(at, "pin")
    run(at.selectbox(key="w_activation").set_value("relu"))
    steps(at, 2)
    assert "B differs from A in: activation tanh → relu." in texts(at.markdown)
    names = trace_names(at)
    assert len(names) == 4  # cost, gradient norms and the two fitted curves
    assert names[0] == ["A: train cost", "A: test cost", "B: train cost", "B: test cost"]
    titles = [c.title for c in charts(at)]
    assert titles[2:] == ["A at step 3", "B at step 2"]


def test_a_run_retuned_mid_run_is_pinned_with_a_note_that_links_replay_the_last_setting():
    at = steps(playground(), 2)
    run(at.number_input(key="w_eta").set_value(0.2))  # not pinned: retuned in place
    steps(at, 2)
    assert the_run(at).trainer.steps == 4 and the_run(at).retuned
    open_tab(at, "Compare")
    click(at, "pin")
    assert pinned(at).retuned and pinned(at).cfg.eta == 0.2
    note = "A's training settings changed during its run: a link replays it with the last."
    assert note in texts(at.caption)
