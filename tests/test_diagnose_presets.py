"""``backprop.diagnose`` on the Playground's own runs (built by ``session.build_run``, as
the page builds them): the presets that train well have no findings after a few epochs,
and the known bad settings are named."""

from __future__ import annotations

import warnings
from dataclasses import replace

import pytest
from helpers import dataset_for

import backprop
from backprop.ui.config import DEFAULT, PRESETS, PlaygroundConfig
from backprop.ui.session import Run, build_run


def trained(cfg: PlaygroundConfig, epochs: int) -> Run:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # st.cache_data without a Streamlit runtime
        run = build_run(cfg, dataset_for(cfg))
    assert run.train(epochs=epochs), run.diverged
    return run


def kinds(run: Run) -> list[str]:
    return [f.kind for f in backprop.diagnose(run.trainer)]


HEALTHY = {
    "Playground default": DEFAULT,
    "XOR with 2 hidden neurons": PRESETS["XOR with 2 hidden neurons"],
    "Spiral with tanh": PRESETS["Spiral with tanh"],
}


@pytest.mark.parametrize("name", list(HEALTHY))
@pytest.mark.parametrize("epochs", [3, 10])
def test_presets_that_train_well_have_no_findings(name, epochs):
    run = trained(HEALTHY[name], epochs)
    assert run.trainer.steps >= 20
    assert kinds(run) == []


def test_the_vanishing_gradients_preset_is_diagnosed():
    run = trained(PRESETS["Vanishing gradients (deep sigmoid)"], 3)
    assert "vanishing_gradients" in kinds(run)


def test_eta_100_with_tanh_softmax_swings_the_cost():
    cfg = replace(DEFAULT, eta=100.0)
    assert (cfg.activation, cfg.output_activation, cfg.cost) == (
        "tanh", "softmax", "log_likelihood"
    )  # fmt: skip
    run = trained(cfg, 5)
    (f,) = [f for f in backprop.diagnose(run.trainer) if f.kind == "learning_rate_high"]
    assert f.evidence["evaluations"] >= 20 and f.evidence["swing"] >= 0.2


def test_sigmoid_quadratic_sitting_at_chance_is_not_learning():
    cfg = replace(DEFAULT, activation="sigmoid", output_activation="sigmoid", cost="quadratic")
    run = trained(replace(cfg, eta=1.0), 12)
    assert run.trainer.history.last_valid("train_accuracy") < 0.55
    assert "not_learning" in kinds(run)
