"""Progress on long runs: ``Trainer.train(progress=...)`` draws a tqdm bar on stderr with the
epoch's numbers, and reports each epoch to a callback."""

from __future__ import annotations

import numpy as np
import pytest

import backprop
from backprop import progress


def _trainer(epochs_of_steps: int = 1) -> backprop.Trainer:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(2, 40))
    Y = np.vstack([X[0] > 0, X[0] <= 0]).astype(float)
    net = backprop.Network([2, 3, 2], seed=0)
    return backprop.Trainer(net, X[:, :30], Y[:, :30], X[:, 30:], Y[:, 30:], eta=1.0,
                            batch_size=30 // epochs_of_steps)  # fmt: skip


def test_a_bar_shows_the_epochs_and_the_latest_costs(capsys):
    tr = _trainer()
    tr.train(4, progress=True)
    err = capsys.readouterr().err
    assert "epoch" in err and "4/4" in err
    last = tr.epoch_frame().iloc[-1]
    assert f"cost={last['train_cost']:.4f}" in err
    assert f"accuracy={100 * last['test_accuracy']:.1f}%" in err


def test_short_or_unwatched_runs_and_progress_false_draw_nothing(capsys, monkeypatch):
    _trainer().train(3)  # 3 steps: short, and stderr is captured (not a terminal)
    _trainer().train(3, progress=False)
    assert capsys.readouterr().err == ""
    monkeypatch.setattr(progress, "_watched", lambda: True)
    monkeypatch.setattr(progress, "LONG_RUN", 3)
    _trainer().train(3)  # now long enough and watched: a bar
    assert "3/3" in capsys.readouterr().err


def test_the_callback_sees_every_epoch_and_a_divergence_closes_the_bar(capsys):
    tr, seen = _trainer(), []
    tr.train(3, callback=lambda t: seen.append((t.epochs, t.steps)), progress=True)
    assert seen == [(1, 1), (2, 2), (3, 3)]
    capsys.readouterr()
    bad = _trainer()
    bad.eta = 1e12  # diverges at once
    with pytest.raises(backprop.DivergenceError):
        bad.train(5, progress=True)
    assert "0/5" in capsys.readouterr().err  # the bar was drawn and closed, not left open
