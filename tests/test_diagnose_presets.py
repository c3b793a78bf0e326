"""``backprop.diagnose`` on the Playground's own runs (built by ``session.build_run``, as
the page builds them): the presets that train well have no findings after a few epochs,
and the known bad settings are named."""

from __future__ import annotations

import warnings
from dataclasses import replace

import numpy as np
import pytest
from helpers import dataset_for

import backprop
from backprop.ui.config import DEFAULT, PRESETS, PlaygroundConfig
from backprop.ui.diagnoses import EVERY
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


# Runaway learning rates (issue #24): the deep sigmoid digits network saturates within a
# few steps and its cost goes flat; the tanh/softmax circle swings, or saturates under
# momentum and adam. Neither must ever be told to raise the learning rate.
RUNAWAY = {
    "deep sigmoid digits": (PRESETS["Vanishing gradients (deep sigmoid)"], 1000),
    "tanh/softmax circle, sgd": (DEFAULT, 600),
    "tanh/softmax circle, momentum": (replace(DEFAULT, optimizer="momentum"), 600),
    "tanh/softmax circle, adam": (replace(DEFAULT, optimizer="adam"), 600),
}


@pytest.mark.parametrize("eta", [10.0, 30.0, 50.0, 100.0])
@pytest.mark.parametrize("name", list(RUNAWAY))
def test_a_runaway_learning_rate_is_too_high_never_too_low(name, eta):
    """Diagnosed as the Playground's panel does, every ``EVERY`` steps from step 20 on."""
    cfg, steps = RUNAWAY[name]
    run = trained(replace(cfg, eta=eta), 0)
    for at in range(20, steps + 1, EVERY):
        assert run.train(steps=at - run.trainer.steps), run.diverged
        found = kinds(run)
        assert "learning_rate_low" not in found, (at, found)
        assert "learning_rate_high" in found, (at, found)


def test_the_runaway_finding_names_the_step_and_the_layer_it_saturated():
    """The deep sigmoid digits network at eta = 50 (the issue's "raise it to 500")."""
    run = trained(replace(RUNAWAY["deep sigmoid digits"][0], eta=50.0), 0)
    assert run.train(steps=1000)
    found = {f.kind: f for f in backprop.diagnose(run.trainer)}
    assert list(found) == ["learning_rate_high", "saturated"]  # not learning: explained
    high, sat = found["learning_rate_high"], found["saturated"]
    assert sat.message.startswith(high.evidence["stuck"])  # the layer the other names
    assert " sigmoid units of " in high.evidence["stuck"]
    jumps = high.evidence["largest_jump"]
    l = jumps.index(max(jumps)) + 1
    assert jumps[l - 1] >= 1 and max(high.evidence["update_ratio"]) < 0.25  # small steps now
    assert high.message == (
        f"At eta = 50 a step changed the weights of layer {l} by {jumps[l - 1]:.3g} times their "
        f"size (||Δw|| / ||w|| over 25%) and now {high.evidence['stuck']}: steps this large "
        "push units to where sigma'(z) is about 0, and there they barely learn."
    )
    assert high.advice == "Lower the learning rate about tenfold (eta = 5) and continue."


def test_the_learning_rate_is_judged_on_the_steps_taken_at_it():
    """Lowered after the runaway saturated the network: eta = 0.5 is neither too high (the
    big steps were eta = 50's) nor too low (the steps are small because sigma'(z) ~ 0)."""
    run = trained(replace(RUNAWAY["deep sigmoid digits"][0], eta=50.0), 0)
    tr = run.trainer
    assert run.train(steps=300)
    assert "learning_rate_high" in kinds(run)
    norms = [np.linalg.norm(w) for w in tr.net.weights]
    tr.eta = 0.5
    assert tr.eta_since == 300 and tr.eta_norms == pytest.approx(norms, rel=1e-12)
    for at in range(310, 1001, EVERY):
        assert run.train(steps=at - tr.steps), run.diverged
        found = kinds(run)
        assert "saturated" in found, (at, found)
        assert not {"learning_rate_high", "learning_rate_low"} & set(found), (at, found)


def test_sigmoid_quadratic_sitting_at_chance_is_not_learning():
    cfg = replace(DEFAULT, activation="sigmoid", output_activation="sigmoid", cost="quadratic")
    run = trained(replace(cfg, eta=1.0), 12)
    assert run.trainer.history.last_valid("train_accuracy") < 0.55
    assert "not_learning" in kinds(run)
