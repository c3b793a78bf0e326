"""The app's pages driven headlessly with Streamlit's AppTest: router, Playground, URL state.

Each test starts its own simulated session. AppTest does not run fragments on a timer, so
Play is driven by full reruns (each runs one Play frame of the live fragment).
"""

from __future__ import annotations

import io
import json
import math
import re
from dataclasses import replace
from urllib.parse import parse_qsl

import numpy as np
import pandas as pd
import pytest
from helpers import (
    APP,
    BASE,  # a valid config that differs from DEFAULT everywhere
    PLAYGROUND,
    ROOT,
    board_counters,
    board_header,
    charts,
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
    tab,
    texts,
    the_run,
)
from streamlit.testing.v1 import AppTest

from backprop import Network, read_network
from backprop.datasets import load
from backprop.io import to_json
from backprop.ui import board, controls, exports, session
from backprop.ui.config import DEFAULT, PRESETS, to_query
from backprop.ui.session import build_run
from backprop.viz.quantities import LAYER_QUANTITIES

N_TRAIN = 250  # the default circle: 500 samples, half for training


# ------------------------------------------------------------------------ router
def nav_pages() -> list[str]:
    """The page files the router (explorer.py) registers with st.navigation."""
    return re.findall(r"st\.Page\(\s*\"([^\"]+\.py)\"", (ROOT / "explorer.py").read_text())


def test_home_renders_with_a_link_per_preset():
    at = run(AppTest.from_file(APP, default_timeout=60))
    assert "Backprop Explorer" in texts(at.title)
    links = at.get("page_link")
    by_label = {link.value: link.proto for link in links}
    for name, cfg in PRESETS.items():
        assert name in by_label, name
        assert dict(parse_qsl(by_label[name].query_string)) == to_query(cfg)
    assert not at.error


def test_navigation_lists_home_and_playground():
    pages = nav_pages()
    assert pages[:2] == ["app_pages/home.py", PLAYGROUND]
    assert all((ROOT / p).is_file() for p in pages)


@pytest.mark.parametrize("page", nav_pages())
def test_each_page_renders(page):
    at = run(AppTest.from_file(APP, default_timeout=60))
    at.switch_page(page)
    run(at)
    assert at.title or at.header or at.markdown, f"{page} rendered nothing"
    assert not at.error, texts(at.error)


# ------------------------------------------------------------------ the counters
def test_default_playground():
    at = playground()
    r = the_run(at)
    assert r.cfg == DEFAULT
    assert r.net.sizes == [2, 4, 4, 2]
    assert counters(at) == (0, 0) and r.trainer.steps == 0
    assert metric(at, "Train accuracy").endswith("%")
    assert query(at) == to_query(DEFAULT)  # the URL is written on the first run
    assert at.button(key="play").label == "Play"
    for key in ("step", "epoch", "reset", "train_n"):
        assert at.button(key=key)
    assert list(board_counters(at)) == [
        "Step", "Epoch", "Train cost", "Test cost", "Train accuracy", "Test accuracy"
    ]  # fmt: skip
    assert not at.warning and not at.error


def test_step_trains_exactly_one_batch():
    at = playground()
    r = the_run(at)
    before = params_of(r.net)
    click(at, "step")
    assert the_run(at) is r and r.trainer.steps == 1 and counters(at) == (1, 0)
    assert not same_params(before, params_of(r.net))
    click(at, "step")
    assert r.trainer.steps == 2 and counters(at) == (2, 0)
    run(at)  # a rerun without a click trains nothing
    assert r.trainer.steps == 2 and counters(at) == (2, 0)


def test_the_apps_runs_train_in_float64():
    """The app never asks for float32: its numbers (and bit-for-bit replays) are float64."""
    at = playground({"ds": "digits", "opt": "momentum"})
    r = the_run(at)
    click(at, "step")
    assert r.trainer.steps == 1 and r.trainer.dtype == "float64"
    arrays = [*params_of(r.net), *r.trainer.last_update, *r.trainer.opt.state().values()]
    assert {a.dtype for a in arrays} == {np.dtype(np.float64)}


def test_epoch_trains_one_epoch_of_batches():
    at = playground({"bs": "12"})
    r = the_run(at)
    per_epoch = math.ceil(N_TRAIN / 12)
    click(at, "epoch")
    assert (r.trainer.epochs, r.trainer.steps) == (1, per_epoch)
    assert counters(at) == (per_epoch, 1)
    click(at, "step")
    click(at, "epoch")  # finishes the epoch under way
    assert (r.trainer.epochs, r.trainer.steps) == (2, 2 * per_epoch)
    assert counters(at) == (2 * per_epoch, 2)


def test_reset_gives_the_fresh_network_of_the_same_seed():
    at = playground()
    r = the_run(at)
    initial = params_of(r.net)
    for _ in range(3):
        click(at, "step")
    assert not same_params(initial, params_of(r.net))
    click(at, "reset")
    fresh = the_run(at)
    assert fresh is not r and fresh.trainer.steps == 0 and counters(at) == (0, 0)
    assert same_params(initial, params_of(fresh.net))
    assert fresh.cfg == r.cfg
    # and the seed really is the config's: a network built here from it is identical
    net = Network([2, 4, 4, 2], "tanh", "softmax", "log_likelihood", "xavier", DEFAULT.seed)
    assert same_params(params_of(net), params_of(fresh.net))
    # training after a reset replays the same steps
    click(at, "step")
    assert same_params(params_of(reference_run(DEFAULT, 1).net), params_of(fresh.net))


def test_play_and_pause():
    at = playground()
    r = the_run(at)
    click(at, "play")
    assert r.play.playing is True
    assert at.button(key="play").label == "Pause"
    # the rerun trained one chunk of the live board: at most CHUNK_FRAMES frames of `speed`
    speed = at.select_slider(key="speed").value
    chunk = board.CHUNK_FRAMES * speed
    assert speed <= r.trainer.steps <= chunk
    assert at.tabs  # nothing is hidden while playing
    assert len(at.download_button) == len(
        exports.DOWNLOADS
    )  # downloads stay: each file is made at click time
    steps = r.trainer.steps
    run(at)  # the board's request for the next chunk
    assert steps < r.trainer.steps <= steps + chunk
    click(at, "play")
    assert r.play.playing is False and at.button(key="play").label == "Play"
    steps = r.trainer.steps
    run(at)
    assert r.trainer.steps == steps and counters(at)[0] == steps
    assert at.tabs


def test_play_frame_trains_speed_steps(monkeypatch):
    monkeypatch.setattr(board, "CHUNK_FRAMES", 1)
    at = playground()
    run(at.select_slider(key="speed").set_value(1))
    click(at, "play")
    assert the_run(at).trainer.steps == 1  # one frame of one step
    run(at)
    assert the_run(at).trainer.steps == 2


def test_a_chunk_records_one_frame_per_speed_steps(monkeypatch):
    monkeypatch.setattr(board, "CHUNK_BUDGET", 60.0)  # no time cut on a slow host
    monkeypatch.setattr(controls, "FRAME_BUDGET", 60.0)
    at = playground()
    run(at.select_slider(key="speed").set_value(5))
    click(at, "play")
    assert the_run(at).trainer.steps == 5 * board.CHUNK_FRAMES


DIVERGING = {"act": "relu", "out": "linear", "cost": "quadratic", "hidden": "4", "eta": "10"}
OVERFLOW_IN_CHARTS = "ignore:overflow encountered in cast:RuntimeWarning"  # see the report


@pytest.mark.filterwarnings(OVERFLOW_IN_CHARTS)
def test_play_stops_on_divergence():
    at = playground(DIVERGING)
    r = the_run(at)
    click(at, "play")
    for _ in range(40):  # each rerun is one Play frame of up to 10 steps
        if r.diverged:
            break
        run(at)
    assert r.diverged and not r.play.playing and r.play.target_epochs is None
    assert at.button(key="play").label == "Play"
    (msg,) = texts(at.error)
    assert f"step {r.trainer.steps + 1}" in msg
    assert all(np.all(np.isfinite(p)) for p in params_of(r.net))


def test_step_while_playing_pauses():
    at = playground()
    r = the_run(at)
    click(at, "play")
    steps = r.trainer.steps
    click(at, "step")
    assert r.play.playing is False and r.trainer.steps == steps + 1
    assert at.button(key="play").label == "Play"


def test_step_while_training_to_a_target_pauses_and_drops_the_target():
    at = playground()
    r = the_run(at)
    run(at.number_input(key="n_epochs").set_value(100))
    click(at, "train_n")
    assert r.play.targeted and at.get("progress")
    steps = r.trainer.steps
    click(at, "step")
    assert not r.play.playing and r.play.target_epochs is None
    assert r.trainer.steps == steps + 1 and not at.get("progress")
    assert at.button(key="play").label == "Play"


def test_an_epoch_too_long_for_one_click_goes_on_in_frames(monkeypatch):
    monkeypatch.setattr(controls, "EPOCH_BUDGET", 0.0)  # every epoch is "too long"
    monkeypatch.setattr(controls, "FRAME_BUDGET", 1e-4)  # and a frame trains a step or two
    monkeypatch.setattr(board, "CHUNK_FRAMES", 1)
    at = playground()
    r = the_run(at)
    click(at, "step")
    click(at, "epoch")
    assert r.play.playing and (r.play.target_start, r.play.target_epochs) == (0, 1)
    assert at.get("progress")
    for _ in range(200):
        if not r.play.playing:
            break
        run(at)
    assert (r.trainer.epochs, r.trainer.steps) == (1, N_TRAIN // 10)
    assert not r.play.playing and r.play.target_epochs is None and not at.get("progress")


def test_a_batch_over_the_step_work_limit_is_refused_and_the_run_kept(monkeypatch):
    monkeypatch.setenv("BACKPROP_MAX_STEP_WORK", "2000")  # default net: 42 parameters
    at = playground()
    r = the_run(at)
    click(at, "step")
    run(at.number_input(key="w_batch_size").set_value(100))
    (msg,) = texts(at.error)
    assert "a mini-batch of 100 samples through 42 parameters is 4,200 multiply-adds" in msg
    assert "use a batch of at most 47" in msg
    assert the_run(at) is r and r.trainer.batch_size == 10 and r.trainer.steps == 1


# env variable, its value, widget kind and key: every widget a limit caps (README's table)
WIDGET_LIMITS = [
    ("BACKPROP_MAX_EPOCHS", 5, "number_input", "n_epochs"),
    ("BACKPROP_MAX_LAYERS", 3, "number_input", "w_n_hidden"),
    ("BACKPROP_MAX_NEURONS", 7, "number_input", "w_h0"),
    ("BACKPROP_MAX_SAMPLES", 400, "number_input", "w_n_samples"),
    ("BACKPROP_MAX_BATCH_SIZE", 20, "number_input", "w_batch_size"),
]


@pytest.mark.parametrize(
    ("env", "cap", "kind", "key"), WIDGET_LIMITS, ids=[c[0] for c in WIDGET_LIMITS]
)
def test_each_widget_is_capped_by_its_limit(env, cap, kind, key, monkeypatch):
    monkeypatch.setenv(env, str(cap))
    at = playground()
    assert getattr(at, kind)(key=key).max == cap


def test_train_n_epochs_cannot_exceed_the_epoch_limit(monkeypatch):
    """The Epochs box was fixed at 1,000, whatever BACKPROP_MAX_EPOCHS said."""
    monkeypatch.setenv("BACKPROP_MAX_EPOCHS", "3")
    at = playground()
    run(at.number_input(key="n_epochs").set_value(50))  # what a tampered browser sends
    assert at.number_input(key="n_epochs").value <= 3
    click(at, "train_n")
    r = the_run(at)
    for _ in range(200):
        if not r.play.playing:
            break
        run(at)
    assert not r.play.playing and 1 <= r.trainer.epochs <= 3


def test_costs_on_big_data_are_measured_on_a_subset_and_say_so():
    cfg = replace(DEFAULT, n_samples=40_000, hidden=(256, 256))
    r = build_run(cfg, load("circle", n_samples=40_000, test_fraction=0.5, seed=0))
    cap = session.eval_samples(r.net)
    assert cap < 20_000 and any(f"at most {cap:,} evenly spaced samples" in n for n in r.notes)
    assert r.trainer.eval_every > 1
    small = build_run(DEFAULT, load("circle", n_samples=500, test_fraction=0.5, seed=0))
    assert small.notes == [] and small.trainer.eval_every == 1


def test_train_n_epochs():
    """Training to a target runs as many steps as fit a frame's time budget, frame after
    frame, with a progress bar, whatever the Play speed."""
    at = playground()
    r = the_run(at)
    run(at.number_input(key="n_epochs").set_value(100))
    click(at, "train_n")
    assert r.play.target_epochs == 100 and r.play.playing, "100 epochs fit in one frame?"
    assert at.get("progress"), "a progress bar shows while training to a target"
    frames = 1
    for _ in range(500):  # each rerun is one Play frame (fewer steps on a slow host)
        if not r.play.playing:
            break
        run(at)
        frames += 1
    assert not r.play.playing and r.play.target_epochs is None
    assert (r.trainer.epochs, r.trainer.steps) == (100, 100 * N_TRAIN // 10)
    assert counters(at) == (100 * N_TRAIN // 10, 100)
    assert frames < 2500 / 10, "frames ran Play's 10 steps, not the time budget"
    assert at.button(key="play").label == "Play"
    assert not at.get("progress")


# --------------------------------------------------------------- sidebar controls
NETWORK_CHANGES = [
    # widget kind, key, new value, URL key, URL value, expected layer sizes
    ("selectbox", "w_dataset", "xor", "ds", "xor", [2, 4, 4, 2]),
    ("selectbox", "w_dataset", "digits", "ds", "digits", [64, 4, 4, 10]),
    ("number_input", "w_n_samples", 300, "n", "300", [2, 4, 4, 2]),
    ("slider", "w_noise", 0.25, "noise", "0.25", [2, 4, 4, 2]),
    ("slider", "w_test_fraction", 0.3, "test", "0.3", [2, 4, 4, 2]),
    ("multiselect", "w_features", ["x1", "x2", "x1*x2"], "feat", "x1,x2,x1*x2", [3, 4, 4, 2]),
    ("number_input", "w_seed", 7, "seed", "7", [2, 4, 4, 2]),
    ("number_input", "w_n_hidden", 3, "hidden", "4,4,4", [2, 4, 4, 4, 2]),
    ("number_input", "w_n_hidden", 0, "hidden", "", [2, 2]),
    ("number_input", "w_h0", 6, "hidden", "6,4", [2, 6, 4, 2]),
    ("number_input", "w_h1", 1, "hidden", "4,1", [2, 4, 1, 2]),
    ("selectbox", "w_activation", "relu", "act", "relu", [2, 4, 4, 2]),
    ("selectbox", "w_output_activation", "sigmoid", "out", "sigmoid", [2, 4, 4, 2]),
    ("selectbox", "w_cost", "cross_entropy", "cost", "cross_entropy", [2, 4, 4, 2]),
    ("selectbox", "w_init", "he", "init", "he", [2, 4, 4, 2]),
]


@pytest.mark.parametrize(
    ("kind", "key", "value", "url_key", "url_value", "sizes"),
    NETWORK_CHANGES,
    ids=[f"{c[1]}={c[2]}" for c in NETWORK_CHANGES],
)
def test_network_control_rebuilds(kind, key, value, url_key, url_value, sizes):
    at = playground()
    old = the_run(at)
    assert old.train(steps=1)  # a step taken, to see the rebuild start again
    run(getattr(at, kind)(key=key).set_value(value))
    new = the_run(at)
    assert new is not old and new.net is not old.net
    assert new.trainer.steps == 0 and counters(at) == (0, 0)
    assert new.net.sizes == sizes
    assert query(at) == {**to_query(DEFAULT), url_key: url_value}
    assert to_query(new.cfg) == query(at)
    assert not at.error and not at.warning


def test_network_controls_reach_the_network():
    at = playground()
    for key, value in [
        ("w_activation", "leaky_relu"),
        ("w_output_activation", "sigmoid"),
        ("w_cost", "quadratic"),
        ("w_init", "standard"),
    ]:
        run(at.selectbox(key=key).set_value(value))
    net = the_run(at).net
    assert (net.activation, net.output_activation, net.cost_name, net.init) == (
        "leaky_relu",
        "sigmoid",
        "quadratic",
        "standard",
    )
    run(at.number_input(key="w_seed").set_value(5))
    expected = Network([2, 4, 4, 2], "leaky_relu", "sigmoid", "quadratic", "standard", 5)
    assert same_params(params_of(expected), params_of(the_run(at).net))
    ds = the_run(at).dataset
    run(at.number_input(key="w_n_samples").set_value(100))
    assert the_run(at).dataset.n_train == 50 and ds.n_train == N_TRAIN


def test_new_data_button_takes_the_next_seed():
    at = playground()
    old = the_run(at)
    click(at, "regenerate")
    new = the_run(at)
    assert new.cfg.seed == 1 and query(at)["seed"] == "1"
    assert at.number_input(key="w_seed").value == 1
    assert new is not old and not np.array_equal(new.dataset.X_train, old.dataset.X_train)
    click(at, "regenerate")
    assert the_run(at).cfg.seed == 2 and query(at)["seed"] == "2"


TRAINING_CHANGES = [
    # widget kind, key, value, URL key, URL value, trainer attribute, trainer value
    ("selectbox", "w_optimizer", "adam", "opt", "adam", "optimizer_name", "adam"),
    ("selectbox", "w_optimizer", "momentum", "opt", "momentum", "optimizer_name", "momentum"),
    ("number_input", "w_eta", 0.5, "eta", "0.5", "eta", 0.5),
    ("number_input", "w_batch_size", 25, "bs", "25", "batch_size", 25),
    ("number_input", "w_batch_size", 1000, "bs", "1000", "batch_size", N_TRAIN),  # clamped
    ("selectbox", "w_regularization", "l2", "reg", "l2", "regularization", "l2"),
    ("selectbox", "w_regularization", "l1", "reg", "l1", "regularization", "l1"),
]


@pytest.mark.parametrize(
    ("kind", "key", "value", "url_key", "url_value", "attr", "expected"),
    TRAINING_CHANGES,
    ids=[f"{c[1]}={c[2]}" for c in TRAINING_CHANGES],
)
def test_training_control_retunes_in_place(kind, key, value, url_key, url_value, attr, expected):
    at = playground()
    r = the_run(at)
    assert r.train(steps=1)
    net, weights = r.net, params_of(r.net)
    run(getattr(at, kind)(key=key).set_value(value))
    assert the_run(at) is r and r.net is net  # same run, same network
    assert r.trainer.steps == 1 and counters(at) == (1, 0)
    assert same_params(weights, params_of(r.net))
    assert getattr(r.trainer, attr) == expected
    assert query(at) == {**to_query(DEFAULT), url_key: url_value, "step": "1"}  # and the moment
    assert {**to_query(r.cfg), "step": "1"} == query(at)
    click(at, "step")  # and it keeps training from there
    assert r.trainer.steps == 2


def test_lambda_retunes_in_place():
    at = playground()
    r = the_run(at)
    assert at.number_input(key="w_lmbda").proto.disabled  # no regularisation: no lambda
    run(at.selectbox(key="w_regularization").set_value("l2"))
    assert not at.number_input(key="w_lmbda").proto.disabled
    click(at, "step")
    run(at.number_input(key="w_lmbda").set_value(1.5))
    assert the_run(at) is r and r.trainer.steps == 1
    assert (r.trainer.regularization, r.trainer.lmbda) == ("l2", 1.5)
    assert query(at) == {**to_query(DEFAULT), "reg": "l2", "lmbda": "1.5", "step": "1"}


def test_eta_step_uses_the_new_rate():
    """A step after retuning eta moves the weights as a fresh trainer with that eta would."""
    at = playground()
    run(at.number_input(key="w_eta").set_value(0.5))
    r = the_run(at)
    click(at, "step")
    ref = reference_run(replace(DEFAULT, eta=0.5), 1)
    assert same_params(params_of(r.net), params_of(ref.net))
    assert not same_params(params_of(r.net), params_of(reference_run(DEFAULT, 1).net))


# -------------------------------------------------------------------------- presets
@pytest.mark.parametrize("name", [*PRESETS, "Defaults"])
def test_preset_button_applies_its_config(name):
    at = playground({"ds": "gauss", "hidden": "3", "eta": "0.2", "bs": "5"})
    preset = PRESETS.get(name, DEFAULT)
    key = "preset_defaults" if name == "Defaults" else f"preset_{name}"
    click(at, key)
    r = the_run(at)
    assert r.cfg == preset
    assert query(at) == to_query(preset)
    assert r.net.sizes[1:-1] == list(preset.hidden)
    assert (r.net.activation, r.net.output_activation, r.net.cost_name) == (
        preset.activation,
        preset.output_activation,
        preset.cost,
    )
    assert (r.trainer.eta, r.trainer.optimizer_name) == (preset.eta, preset.optimizer)
    # the widgets show it
    assert at.selectbox(key="w_dataset").value == preset.dataset
    assert at.number_input(key="w_n_hidden").value == len(preset.hidden)
    for i, h in enumerate(preset.hidden):
        assert at.number_input(key=f"w_h{i}").value == h
    assert at.number_input(key="w_eta").value == preset.eta
    assert at.selectbox(key="w_cost").value == preset.cost
    click(at, "step")
    assert the_run(at).trainer.steps == 1 and the_run(at).cfg == preset


# ------------------------------------------------------------------------- the URL
def test_url_round_trip_sets_widgets_and_trainer():
    at = playground(to_query(BASE))
    assert not at.warning, texts(at.warning)
    r = the_run(at)
    assert r.cfg == BASE
    assert query(at) == to_query(BASE)
    widgets = {
        ("selectbox", "w_dataset"): "moons",
        ("number_input", "w_n_samples"): 300,
        ("slider", "w_noise"): 0.2,
        ("slider", "w_test_fraction"): 0.3,
        ("multiselect", "w_features"): ["x1", "x2", "x1*x2"],
        ("number_input", "w_seed"): 7,
        ("number_input", "w_n_hidden"): 2,
        ("number_input", "w_h0"): 5,
        ("number_input", "w_h1"): 3,
        ("selectbox", "w_activation"): "relu",
        ("selectbox", "w_output_activation"): "sigmoid",
        ("selectbox", "w_cost"): "cross_entropy",
        ("selectbox", "w_init"): "he",
        ("selectbox", "w_optimizer"): "adam",
        ("number_input", "w_eta"): 0.05,
        ("number_input", "w_batch_size"): 16,
        ("selectbox", "w_regularization"): "l2",
        ("number_input", "w_lmbda"): 0.5,
    }
    for (kind, key), want in widgets.items():
        assert getattr(at, kind)(key=key).value == want, key
    assert r.net.sizes == [3, 5, 3, 2]
    assert (r.net.activation, r.net.output_activation, r.net.cost_name, r.net.init) == (
        "relu",
        "sigmoid",
        "cross_entropy",
        "he",
    )
    assert r.net.seed == 7
    assert r.trainer.config() == {
        "eta": 0.05,
        "batch_size": 16,
        "optimizer": "adam",
        "regularization": "l2",
        "lmbda": 0.5,
    }
    assert r.dataset.n_train == 210  # 300 samples, 30 % for testing
    # the network and data the URL describes, built here, are the same
    ref = reference_run(BASE)
    assert same_params(params_of(r.net), params_of(ref.net))
    assert np.array_equal(r.dataset.X_train, ref.dataset.X_train)


def test_invalid_url_parameters_warn_and_the_page_works():
    at = playground({"eta": "banana", "hidden": "4,0", "n": "-3", "zzz": "1", "act": "relu"})
    warnings = texts(at.warning)
    assert len(warnings) == 4, warnings
    for key in ("eta", "hidden", "n", "zzz"):  # one warning names each bad parameter
        named = [w for w in warnings if f"parameter {key}=" in w or f"parameter {key!r}" in w]
        assert len(named) == 1, (key, warnings)
    r = the_run(at)
    assert r.cfg == replace(DEFAULT, activation="relu")  # the valid parameter is kept
    assert query(at) == to_query(r.cfg)  # the URL is cleaned
    click(at, "step")
    assert r.trainer.steps == 1
    assert not at.warning  # the notices are shown once


def test_url_notice_cannot_inject_markdown():
    at = playground({"ds": "[click me](https://evil.example)", "zz![x](https://e.x/t.png)": "1"})
    warnings = [w.value for w in at.warning]  # the Markdown as sent
    assert len(warnings) == 2
    for w in warnings:
        assert "](" not in w and "https://" not in w, w
    assert "[click me](https://evil.example)" in texts(at.warning)[0]  # shown literally


def test_url_clash_warns_and_uses_the_default_head():
    at = playground({"cost": "cross_entropy", "out": "tanh", "ds": "xor"})
    (w,) = texts(at.warning)
    assert "cross_entropy" in w and "tanh" in w
    r = the_run(at)
    assert r.cfg == replace(DEFAULT, dataset="xor")
    assert query(at)["out"] == "softmax"


def test_regression_url_without_an_output_builds():
    at = playground({"ds": "sine"})
    assert not at.error, texts(at.error)
    r = the_run(at)
    assert r.net.sizes == [1, 4, 4, 1]
    assert (r.cfg.output_activation, r.cfg.cost) == ("sigmoid", "quadratic")
    assert len(at.warning) == 1


def test_page_switch_keeps_the_config_and_run():
    at = playground()
    run(at.selectbox(key="w_dataset").set_value("xor"))
    click(at, "step")
    r = the_run(at)
    at.switch_page("app_pages/home.py")
    run(at)
    at.query_params.clear()  # the navigation menu drops the query string
    at.switch_page(PLAYGROUND)
    run(at)
    assert the_run(at) is r and r.trainer.steps == 1 and r.cfg.dataset == "xor"
    assert at.selectbox(key="w_dataset").value == "xor"
    assert query(at)["ds"] == "xor"


def test_home_preset_link_after_visiting_the_playground():
    """A home page link (query parameters) applies even when the session has a config."""
    at = playground()
    click(at, "step")
    at.switch_page("app_pages/home.py")
    run(at)
    preset = PRESETS["XOR with 2 hidden neurons"]
    at.query_params.clear()
    for k, v in to_query(preset).items():  # what st.page_link(query_params=...) sends
        at.query_params[k] = v
    at.switch_page(PLAYGROUND)
    run(at)
    r = the_run(at)
    assert r.cfg == preset and r.net.sizes == [2, 2, 2] and r.trainer.steps == 0
    assert at.selectbox(key="w_dataset").value == "xor"
    assert at.number_input(key="w_eta").value == preset.eta
    # later widget changes are not overridden by the link's parameters
    run(at.number_input(key="w_eta").set_value(0.2))
    assert the_run(at).cfg.eta == 0.2 and query(at)["eta"] == "0.2"


# -------------------------------------------------------------- invalid widgets
def test_cost_output_clash_in_the_widgets_keeps_the_previous_config():
    at = playground()
    run(at.selectbox(key="w_cost").set_value("cross_entropy"))
    r = the_run(at)
    good = r.cfg
    assert good.cost == "cross_entropy" and not at.error
    click(at, "step")
    run(at.selectbox(key="w_output_activation").set_value("tanh"))
    (err,) = texts(at.sidebar.error)
    assert "cross_entropy" in err and "tanh" in err and "previous" in err
    assert the_run(at) is r and r.cfg == good and r.trainer.steps == 1
    assert query(at) == {**to_query(good), "step": "1"}
    click(at, "step")  # the page still trains
    assert r.trainer.steps == 2
    run(at.selectbox(key="w_output_activation").set_value("sigmoid"))
    assert not at.sidebar.error
    assert the_run(at).cfg.output_activation == "sigmoid" and query(at)["out"] == "sigmoid"


def test_empty_feature_list_is_refused():
    at = playground()
    r = the_run(at)
    run(at.multiselect(key="w_features").set_value([]))
    assert any("feature" in e for e in texts(at.sidebar.error))
    assert the_run(at) is r and r.cfg.features == ("x1", "x2")
    assert query(at)["feat"] == "x1,x2"


def test_a_refused_change_sets_every_widget_back_to_the_config_in_effect():
    """A refusal keeps the config, and no widget may show a value that is not in effect:
    the learning rate typed in the same run as an empty feature list goes back too."""
    at = playground()
    r = the_run(at)
    at.number_input(key="w_eta").set_value(0.5)
    run(at.multiselect(key="w_features").set_value([]))
    (err,) = texts(at.sidebar.error)
    assert "at least one" in err and "previous" in err
    assert the_run(at) is r and r.cfg == DEFAULT and query(at) == to_query(DEFAULT)
    assert at.number_input(key="w_eta").value == DEFAULT.eta
    assert at.multiselect(key="w_features").value == list(DEFAULT.features)
    run(at.number_input(key="w_eta").set_value(0.5))  # the next change is taken
    assert not at.sidebar.error and the_run(at).cfg.eta == 0.5 and query(at)["eta"] == "0.5"


def test_a_refusal_is_shown_at_the_top_of_the_sidebar():
    """Above every control (it was at the very bottom, out of sight of the Data controls)."""
    at = playground()
    run(at.selectbox(key="w_output_activation").set_value("linear"))
    kinds = [c.type for c in at.sidebar.children.values()]
    assert "error" in kinds and "expander" in kinds, kinds
    assert kinds.index("error") < kinds.index("expander"), kinds  # above the Presets
    assert any("needs output activation" in t for t in texts(at.toast))


# ------------------------------------------------------------------- divergence
@pytest.mark.filterwarnings(OVERFLOW_IN_CHARTS)
def test_divergence_is_reported_and_the_network_kept():
    at = playground({**DIVERGING, "eta": "0.1"})
    run(at.number_input(key="w_eta").set_value(10.0))
    r = the_run(at)
    assert r.trainer.eta == 10.0
    for _ in range(40):
        before, steps = params_of(r.net), r.trainer.steps
        with np.errstate(all="ignore"):
            click(at, "step")
        if at.error:
            break
    else:
        pytest.fail("eta=10 on a relu net with a linear output never diverged")
    (msg,) = texts(at.error)
    assert f"step {steps + 1}" in msg
    assert re.search(r"cost|gradient|overflow|too large|diverging|dead|saturated", msg), msg
    assert r.trainer.steps == steps and counters(at)[0] == steps
    after = params_of(r.net)
    assert all(np.all(np.isfinite(p)) for p in after)
    assert same_params(before, after), "the failing step changed the network"
    # stepping again fails the same way and still changes nothing
    with np.errstate(all="ignore"):
        click(at, "step")
    assert texts(at.error) == [msg] and same_params(before, params_of(r.net))
    click(at, "reset")
    assert not at.error and the_run(at).trainer.steps == 0


# Ways to wreck training, each with what the message must name.
WRECKS = {
    # eta = 1e6: the first update is many times the size of the weights it changes
    "eta-1e6": (
        {"eta": "1e6"},
        r"this update would change the weights of layer \d by [0-9.e+]+ times their size",
    ),
    # linear output, quadratic cost: the outputs, and with them the cost, explode
    "cost-explodes": (
        {
            "ds": "sine",
            "act": "relu",
            "out": "linear",
            "cost": "quadratic",
            "hidden": "8",
            "eta": "2",
        },
        r"this update would make the mini-batch cost jump from [0-9.e+]+ to [0-9.e+]+: "
        r"training is diverging",
    ),
}


@pytest.mark.filterwarnings(OVERFLOW_IN_CHARTS)
@pytest.mark.parametrize("name", WRECKS)
def test_wrecked_training_stops_names_the_step_and_cause_and_recovers(name):
    params, cause = WRECKS[name]
    at = playground(params)
    r = the_run(at)
    for _ in range(60):
        before, steps = params_of(r.net), r.trainer.steps
        click(at, "step")
        if at.error:
            break
    else:
        pytest.fail(f"{name}: training never stopped")
    (msg,) = texts(at.error)
    assert f"Training stopped at step {steps + 1}: " in msg, msg
    assert re.search(cause, msg), msg
    when = f"after step {steps}" if steps else "before the first step"
    assert f"The network stays as it was {when}, on screen" in msg and "Reset" in msg, msg
    # nothing lost: the last good network is kept, finite, shown and downloadable
    assert r.trainer.steps == steps and counters(at)[0] == steps
    assert same_params(before, params_of(r.net))
    assert all(np.all(np.isfinite(p)) for p in params_of(r.net))
    saved, meta = read_network(exports.network_json(r))
    assert meta["step"] == steps and same_params(params_of(saved), before)
    # a smaller learning rate continues from that network
    run(at.number_input(key="w_eta").set_value(0.001))
    assert the_run(at) is r and r.trainer.eta == 0.001
    click(at, "step")
    assert not at.error and r.trainer.steps == steps + 1 and counters(at)[0] == steps + 1
    assert r.net.dead_layers(r.trainer.X) == []
    click(at, "reset")
    assert not at.error and the_run(at).trainer.steps == 0


@pytest.mark.parametrize(
    ("params", "title", "what"),
    [
        # a big step pushes every ReLU of the second hidden layer below zero on all the data
        ({"act": "relu", "hidden": "8,8", "eta": "3"}, "Dead ReLUs", "All 8 ReLU units of"),
        # adam at eta = 100 on XOR: one step pushes every tanh unit of a layer to +-1
        ({"ds": "xor", "opt": "adam", "eta": "100"}, "Saturated units", "4 of 4 tanh units"),
    ],
    ids=["dying-relu", "saturation"],
)
def test_a_layer_that_dies_is_a_finding_not_a_stop(params, title, what):
    """A dead layer is a state training can be in: Step goes on, the diagnoses name it."""
    at = playground(params)
    r = the_run(at)
    for step in range(1, 31):
        click(at, "step")
        assert not at.error, texts(at.error)
        assert r.trainer.steps == step and counters(at)[0] == step
    assert r.net.dead_layers(r.trainer.X) != []
    (line,) = [t for t in texts(at.markdown) if f"**{title}**" in t]
    assert what in line, line


@pytest.mark.filterwarnings(OVERFLOW_IN_CHARTS)
def test_a_network_whose_cost_overflows_is_kept_and_reset_starts_afresh():
    """An uploaded network with finite but huge output weights: (a - y)^2 overflows."""
    at = playground()
    net = Network([2, 4, 2], "tanh", "linear", "quadratic", "xavier", 3)
    net.weights[-1][...] = 1e200
    run(at.file_uploader(key="resume_file").upload("huge.json", to_json(net).encode()))
    r = the_run(at)
    click(at, "step")
    (msg,) = texts(at.error)
    assert re.search(
        r"Training stopped at step 1: the mini-batch cost overflowed to inf "
        r"\(largest output \|a\| = [0-9.]+e\+200\)",
        msg,
    ), msg
    assert "Reset, or upload another network" in msg
    assert r.trainer.steps == 0 and same_params(params_of(net), params_of(r.net))
    saved, meta = read_network(exports.network_json(r))
    assert same_params(params_of(saved), params_of(net)) and meta["step"] == 0
    click(at, "reset")
    fresh = the_run(at)
    click(at, "step")
    assert not at.error and fresh.trainer.steps == 1
    assert all(np.abs(w).max() < 1e3 for w in fresh.net.weights)


# --------------------------------------------------------------------- downloads
def test_downloads_are_made_on_click_from_the_current_run():
    at = playground()
    assert {b.key for b in at.download_button} == {k for k, *_ in exports.DOWNLOADS}
    for _ in range(3):
        click(at, "step")  # a fragment-only rerun in the browser: the buttons are not redrawn
    r = the_run(at)
    for make in (exports.network_json, exports.network_npz):
        net, meta = read_network(make(r))
        assert net.sizes == r.net.sizes
        assert same_params(params_of(net), params_of(r.net))
        assert (net.activation, net.output_activation, net.cost_name) == (
            "tanh",
            "softmax",
            "log_likelihood",
        )
        assert meta["step"] == 3 and meta["config"] == to_query(DEFAULT)
    hist = pd.read_csv(io.StringIO(exports.history_csv(r)))
    assert list(hist["step"]) == [1, 2, 3]
    assert json.loads(exports.config_json(r)) == to_query(DEFAULT)
    click(at, "step")  # the same callables see the run as it is at click time
    assert read_network(exports.network_json(r))[1]["step"] == 4


def test_resume_from_a_downloaded_network():
    at = playground()
    for _ in range(4):
        click(at, "step")
    trained = params_of(the_run(at).net)
    data, name = exports.network_json(the_run(at)).encode(), "backprop-circle.json"
    click(at, "reset")
    assert not same_params(trained, params_of(the_run(at).net))
    run(at.file_uploader(key="resume_file").upload(name, data, "application/json"))
    r = the_run(at)
    assert same_params(trained, params_of(r.net))
    assert r.cfg == DEFAULT and not at.error
    click(at, "step")  # training continues from the loaded network
    assert the_run(at) is r and r.trainer.steps == 1


def test_resume_a_different_architecture_updates_the_widgets_and_url():
    at = playground()
    net = Network([2, 3, 2], "relu", "sigmoid", "quadratic", "he", 5)
    run(at.file_uploader(key="resume_file").upload("n.json", to_json(net).encode()))
    r = the_run(at)
    assert same_params(params_of(net), params_of(r.net)) and r.net.sizes == [2, 3, 2]
    assert r.cfg == replace(
        DEFAULT,
        hidden=(3,),
        activation="relu",
        output_activation="sigmoid",
        cost="quadratic",
        init="he",
    )  # the seed (which made the data) stays; the network brings its own weights
    assert at.number_input(key="w_n_hidden").value == 1
    assert at.number_input(key="w_h0").value == 3
    assert at.selectbox(key="w_activation").value == "relu"
    assert at.selectbox(key="w_cost").value == "quadratic"
    assert query(at) == to_query(r.cfg)
    click(at, "step")
    assert the_run(at) is r and r.trainer.steps == 1


def test_resume_refuses_a_bad_file():
    at = playground()
    r = the_run(at)
    run(at.file_uploader(key="resume_file").upload("x.json", b"{not json", "application/json"))
    assert any("Cannot load this network" in e for e in texts(at.error))
    assert the_run(at) is r
    digits_net = Network([64, 3, 10], "sigmoid", "sigmoid", "quadratic", "standard", 1)
    run(at.file_uploader(key="resume_file").set_value(("d.json", to_json(digits_net).encode(), "")))
    (err,) = texts(at.error)
    assert "64 inputs" in err and "'circle'" in err
    assert the_run(at) is r and r.net.sizes == [2, 4, 4, 2]


# ------------------------------------------------------------------ the datasets
@pytest.mark.parametrize("name", ["sine", "plane"])
def test_regression_dataset_switches_the_output_to_sigmoid_quadratic(name):
    at = playground()
    run(at.selectbox(key="w_dataset").set_value(name))
    r = the_run(at)
    assert (r.cfg.output_activation, r.cfg.cost) == ("sigmoid", "quadratic")
    assert at.selectbox(key="w_output_activation").value == "sigmoid"
    assert at.selectbox(key="w_cost").value == "quadratic"
    assert (query(at)["out"], query(at)["cost"]) == ("sigmoid", "quadratic")
    assert r.net.sizes[-1] == 1 and r.dataset.task == "regression"
    assert any("sigmoid" in t.value for t in at.toast)
    assert not at.error
    assert "Train accuracy" not in board_counters(at)
    click(at, "step")
    assert r.trainer.steps == 1


@pytest.mark.parametrize("name", ["csv", "mnist"])
def test_upload_dataset_without_a_file(name, monkeypatch):
    monkeypatch.delenv("BACKPROP_DATA_DIR", raising=False)
    at = playground()
    old = the_run(at)
    run(at.selectbox(key="w_dataset").set_value(name))
    assert any("Upload" in i for i in texts(at.sidebar.info))
    # the main area says what is missing (today as an error: "Cannot build this network")
    assert any("upload it in the sidebar" in m for m in texts(at.main.error) + texts(at.main.info))
    assert "step" not in [b.key for b in at.button]  # no controls without a network
    assert query(at)["ds"] == name
    assert the_run(at) is old  # nothing to build: the last run stays in the session
    run(at.selectbox(key="w_dataset").set_value("circle"))
    assert not at.error and the_run(at) is old and old.cfg == DEFAULT
    click(at, "step")
    assert old.trainer.steps == 1


def test_csv_upload_builds_a_network():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(40, 3))
    label = (x[:, 0] + x[:, 1] > 0).astype(int)
    csv = "a,b,c,label\n" + "\n".join(
        f"{a:.4f},{b:.4f},{c:.4f},{y}" for (a, b, c), y in zip(x, label)
    )
    at = playground()
    run(at.selectbox(key="w_dataset").set_value("csv"))
    run(at.file_uploader(key="csv_file").upload("data.csv", csv.encode(), "text/csv"))
    assert not at.error, texts(at.error)
    r = the_run(at)
    assert r.net.sizes == [3, 4, 4, 2] and r.dataset.task == "classification"
    click(at, "step")
    assert r.trainer.steps == 1


# ------------------------------------------------------------------ detail tabs
def live_charts(node) -> list[str]:
    """Keys of the in-place live charts (custom components keyed ``live_*``) below ``node``."""
    found = []
    for child in getattr(node, "children", {}).values():
        key = getattr(child, "key", None)
        if isinstance(key, str) and key.startswith("live_"):
            found.append(key)
        found += live_charts(child)
    return found


def test_detail_tabs_render():
    at = playground()
    labels = ["Layers", "Animation", "Neurons", "Curves", "Pass", "Landscape", "Compare"]
    assert [t.label for t in at.tabs] == labels
    assert [t.label for t in at.tabs if t.children] == ["Layers"]  # the first is open
    layers = tab(at, "Layers")
    assert layers.selectbox(key="layers_layer").value == 1
    assert live_charts(layers) == ["live_layer"]  # updated in place, like the live panel

    open_tab(at, "Compare")
    assert tab(at, "Compare").button(key="pin") and not charts(tab(at, "Compare"))
    open_tab(at, "Animation")
    assert "Train a few steps" in " ".join(texts(tab(at, "Animation").info))
    open_tab(at, "Neurons")
    assert len(charts(tab(at, "Neurons"))) == 1
    open_tab(at, "Curves")
    curves = tab(at, "Curves")
    assert curves.selectbox(key="hist_layer")
    assert len(charts(curves)) == 5  # accuracy, two norms, two histograms

    for _ in range(3):
        click(at, "step")
    open_tab(at, "Animation")
    anim = tab(at, "Animation")
    assert not anim.info and len(charts(anim)) == 1
    run(anim.button_group(key="anim_kind").set_value("Network graph"))
    assert len(charts(tab(at, "Animation"))) == 1
    open_tab(at, "Layers")


def test_layers_tab_quantities():
    at = playground()
    run(tab(at, "Layers").selectbox(key="layers_layer").set_value(3))
    for quantity in ["update", "a", "delta", "z", "w", "nabla_w", "nabla_b"]:
        run(tab(at, "Layers").selectbox(key="layers_quantity").set_value(quantity))
        layers = tab(at, "Layers")
        assert layers.selectbox(key="layers_layer").value == 3
        if quantity == "update":
            assert "No update yet" in " ".join(texts(layers.info))
            assert not live_charts(layers)
            click(at, "step")
            layers = tab(at, "Layers")
        assert not layers.info and live_charts(layers) == ["live_layer"], quantity


def test_layers_tab_offers_the_quantities_of_the_one_registry():
    at = playground()
    box = tab(at, "Layers").selectbox(key="layers_quantity")
    assert box.options == [q.menu for q in LAYER_QUANTITIES.values()]
    assert box.options == [
        "activations a", "deltas delta", "weighted inputs z", "weights w",
        "gradients nabla_w", "gradients nabla_b", "last update",
    ]  # fmt: skip
    run(box.set_value("nabla_b"))
    shown = tab(at, "Layers").selectbox(key="layers_quantity")
    assert shown.value == "nabla_b" and shown.options[shown.index] == "gradients nabla_b"


def test_digits_chosen_from_the_menu_after_circle_trains_on_all_its_images():
    """circle's 500 samples must not carry over: the Samples control is hidden for a table,
    which has a fixed number of rows (digits: 1,797) and uses them all."""
    at = playground()
    assert the_run(at).dataset.n_train == N_TRAIN
    run(at.selectbox(key="w_dataset").set_value("digits"))
    assert "w_n_samples" not in [w.key for w in at.number_input]  # no Samples control
    r = the_run(at)
    assert r.dataset.n_train + r.dataset.n_test == 1797
    # the default test share 0.5, stratified per digit (178, 182, 177, 183, 181, 182, 181,
    # 179, 174, 180 images, half of each rounded up to the test set): 901 test, 896 train
    assert (r.dataset.n_test, r.trainer.n) == (901, 896)
    click(at, "epoch")
    assert (r.trainer.epochs, r.trainer.steps) == (1, math.ceil(896 / 10))
    assert counters(at) == (90, 1)


def test_tabs_for_a_table_dataset():
    """Digits: no input plane, so Neurons shows first-layer weights as images."""
    at = playground({"ds": "digits", "n": "1797", "hidden": "8"})
    assert the_run(at).net.sizes == [64, 8, 10]
    for label in ("Neurons", "Curves", "Animation", "Layers"):
        open_tab(at, label)
    open_tab(at, "Neurons")
    assert len(charts(tab(at, "Neurons"))) == 1


def test_a_batch_larger_than_the_data_says_so_when_retuned_in_place():
    at = playground()
    r = the_run(at)
    run(at.number_input(key="w_batch_size").set_value(1000))
    assert the_run(at) is r and r.trainer.batch_size == r.dataset.n_train
    assert any("full-batch" in t for t in texts(at.info))
    run(at.number_input(key="w_batch_size").set_value(10))
    assert r.trainer.batch_size == 10 and not any("full-batch" in t for t in texts(at.info))


def test_presentation_mode_is_a_view_parameter_kept_in_the_url():
    """``?present=1`` is no unknown parameter, and a sidebar change keeps it in the URL."""
    at = playground({"present": "1"})
    assert not [w for w in texts(at.warning) if "unknown" in w]
    assert at.toggle(key="present_toggle").value is True
    run(at.number_input(key="w_eta").set_value(0.5))  # the sidebar rewrites the URL
    assert query(at)["present"] == "1" and query(at)["eta"] == "0.5"
    run(at.toggle(key="present_toggle").set_value(False))
    assert "present" not in query(at)


@pytest.mark.parametrize(
    "label, board_steps",
    [("Layers", True), ("Animation", False), ("Neurons", False), ("Curves", False),
     ("Pass", True), ("Landscape", True), ("Compare", False)],
)  # fmt: skip
def test_a_step_reruns_the_panel_when_the_open_tab_follows_the_step(label, board_steps):
    """The board takes a Step by itself (a rerun of its fragment only) only when every view
    on screen follows it: the Layers tab's chart it hands over; a tab that draws the run at
    its step (snapshots, neuron maps, curves, two runs) needs the whole panel's rerun."""
    at = open_tab(playground(), label)
    assert board_header(at)["fastStep"] is board_steps


# ------------------------------------------------------------ the output's toggles
def board_specs(at: AppTest) -> dict[str, dict]:
    """The specs the live board was last sent whole (view -> spec, as the browser decodes
    them): a full page run sends every view's."""
    from backprop.viz import frames

    header = board_header(at)
    (frame,) = header["frames"]
    return {
        name: frames.decoded(header["bases"][ups[0][1]])
        for name, ups in frame["views"].items()
        if ups and ups[0][0] == "base"
    }


def point_counts(spec: dict) -> dict[str, int]:
    """The output view's points by split (its trace names' first word)."""
    counts: dict[str, int] = {}
    for t in spec["data"]:
        split = t["name"].split(":")[0]
        if split in ("train", "test"):
            counts[split] = counts.get(split, 0) + len(t["x"])
    return counts


def test_show_test_data_and_discretize_reach_the_board_and_the_url():
    at = playground()
    assert (at.toggle(key="show_test").value, at.toggle(key="discretize").value) == (True, False)
    assert [t.label for t in at.toggle if t.key in ("show_test", "discretize")] == [
        "Show test data",
        "Discretize output",
    ]
    out = board_specs(at)["output"]
    assert point_counts(out) == {"train": N_TRAIN, "test": 250}
    assert out["data"][0]["type"] == "contour"

    run(at.toggle(key="show_test").set_value(False))
    out = board_specs(at)["output"]
    assert point_counts(out) == {"train": N_TRAIN}  # no test trace: the train points stay
    assert [t["name"] for t in out["data"][1:]] == ["train: class 0", "train: class 1"]
    assert query(at)["show_test"] == "0" and "discretize" not in query(at)

    run(at.toggle(key="discretize").set_value(True))
    plane = board_specs(at)["output"]["data"][0]
    assert plane["type"] == "heatmap" and plane["name"] == "predicted class"
    assert sorted(np.unique(plane["z"]).tolist()) == [0.0, 1.0]
    assert query(at)["discretize"] == "1"

    run(at.toggle(key="show_test").set_value(True))
    run(at.toggle(key="discretize").set_value(False))
    assert point_counts(board_specs(at)["output"]) == {"train": N_TRAIN, "test": 250}
    assert "show_test" not in query(at) and "discretize" not in query(at)


@pytest.mark.parametrize(
    "params, shown",
    [({"ds": "plane", "out": "sigmoid", "cost": "quadratic"}, ["show_test"]),
     ({"ds": "sine", "out": "sigmoid", "cost": "quadratic"}, ["show_test"]),
     ({"ds": "digits"}, []), ({"ds": "iris"}, [])],
)  # fmt: skip
def test_the_output_toggles_show_only_where_they_apply(params, shown):
    """Test points on the plane or a 1-D curve; flat classes on a classification's plane."""
    at = playground(params)
    assert [t.key for t in at.toggle if t.key in ("show_test", "discretize")] == shown


def test_the_graph_names_the_output_neurons_classes_on_the_board():
    graph = board_specs(playground({"ds": "iris"}))["graph"]
    names = [a for a in graph["layout"]["annotations"] if a.get("name", "").startswith("class ")]
    assert [a["text"] for a in names] == ["setosa", "versicolor", "virginica"]
    assert graph["data"][-1]["text"] == [
        "class 'setosa'",
        "class 'versicolor'",
        "class 'virginica'",
    ]
