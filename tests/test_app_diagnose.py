"""The Playground's Diagnoses panel, driven headlessly with Streamlit's AppTest."""

from __future__ import annotations

import re

import numpy as np
from helpers import board_header, click, metric, playground, run, texts, the_run

import backprop
from backprop.diagnose import LABELS
from backprop.ui import diagnoses
from backprop.ui.config import PRESETS, to_query


def panel_texts(at) -> list[str]:
    """What the panel shows: its captions and its findings' lines."""
    return texts(at.caption) + texts(at.markdown)


def evidence(at) -> list:
    """The findings' folded evidence."""
    return [e for e in at.expander if e.label == "Evidence and what to try"]


def test_the_panel_waits_for_enough_steps():
    at = playground()
    assert any("Not enough steps yet" in t for t in panel_texts(at))
    click(at, "step")
    (line,) = [t for t in panel_texts(at) if "Not enough steps yet" in t]
    assert "this run has 1." in line  # the count follows every Step


def test_no_problems_on_the_default_after_some_epochs():
    at = playground()
    assert the_run(at).train(epochs=5)
    run(at)
    (line,) = [t for t in panel_texts(at) if "no problems found" in t]
    assert "step 125" in line
    for label in LABELS.values():
        assert label in line
    assert not evidence(at)


def test_eta_100_with_tanh_softmax_shows_the_learning_rate_finding():
    at = playground({"eta": "100"})
    r = the_run(at)
    assert (r.cfg.eta, r.cfg.activation, r.cfg.output_activation) == (100.0, "tanh", "softmax")
    assert r.train(epochs=5)
    run(at)
    lines = [t for t in texts(at.markdown) if "Learning rate too high" in t]
    assert len(lines) == 1 and "At eta = 100 the train cost swings" in lines[0]
    assert ":material/error:" in lines[0]  # a problem
    shown = texts(at.caption)
    assert any("Lower the learning rate about tenfold (eta = 10)" in t for t in shown)
    assert any("See:** cost curve" in t and "swing threshold 0.2" in t for t in shown)
    assert len(evidence(at)) == len(diagnoses.findings(r).findings)
    first = texts(at.markdown).index(lines[0])
    assert "Saturated units" in texts(at.markdown)[first + 1]  # the cause comes first


def test_the_findings_are_recomputed_once_every_few_steps(monkeypatch):
    calls = []

    def counting(trainer):
        calls.append(trainer.steps)
        return backprop.diagnose(trainer)

    monkeypatch.setattr(diagnoses, "diagnose", counting)
    at = playground()
    assert the_run(at).train(steps=40)
    run(at)
    for _ in range(diagnoses.EVERY):
        click(at, "step")
    assert calls == [40, 50]  # once at step 40 (its rerun), once when step 50 was reached
    run(at.number_input(key="w_eta").set_value(0.2))  # new settings: diagnosed afresh
    assert calls == [40, 50, 50]


def test_the_board_shows_the_findings_titles_beside_its_counters():
    """The board's line at the end of the counters' row: nothing while too early, the
    titles of the findings (problems first) once judged, and [] when healthy."""
    at = playground({"eta": "100"})
    assert board_header(at)["findings"] is None
    assert the_run(at).train(epochs=5)
    run(at)
    sent = board_header(at)["findings"]
    shown = [(f.severity, f.title) for f in diagnoses.findings(the_run(at)).findings]
    assert [tuple(x) for x in sent] == shown and sent[0][1] == "Learning rate too high"
    healthy = playground()
    assert the_run(healthy).train(epochs=5)
    run(healthy)
    assert board_header(healthy)["findings"] == []


def test_not_learning_quotes_the_accuracy_the_counters_show():
    """The deep sigmoid preset after 500 steps: its train accuracy and the chance level are
    those of the training samples the Train accuracy counter is measured on."""
    at = playground(to_query(PRESETS["Vanishing gradients (deep sigmoid)"]))
    r = the_run(at)
    assert r.train(steps=500)
    run(at)
    (line,) = [t for t in texts(at.markdown) if "**Not learning**" in t]
    counter = metric(at, "Train accuracy")  # "9.9 %"
    m = re.search(r"the train accuracy is ([0-9.]+)% on ([0-9,]+) training samples", line)
    assert m, line
    assert f"{m[1]} %" == counter
    assert int(m[2].replace(",", "")) == r.dataset.n_train  # all of them: the counter's set
    labels = r.dataset.Y_train.argmax(axis=0)
    chance = np.bincount(labels).max() / r.dataset.n_train
    assert f"the {chance:.1%} that always guessing the most frequent class gets" in line
