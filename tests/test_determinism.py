"""The same Playground configuration and seed give bit-identical runs; another seed does not.

Each run is built the way the Playground builds it (``backprop.ui.session.build_run`` on
``backprop.datasets.load``), trained for 2 epochs and 7 steps, and compared exactly: the
per-step and per-epoch histories (``check_exact``) and every weight and bias
(``np.array_equal``). One run is repeated in a fresh interpreter, so state hidden in the
process (a global RNG, a cache) cannot make two in-process runs agree by accident.
"""

from __future__ import annotations

import pickle
import subprocess
import sys
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from helpers import ROOT, dataset_for, digest, train_run

from backprop.ui.config import DEFAULT, PRESETS, PlaygroundConfig
from backprop.ui.session import Run, build_run

EPOCHS, STEPS = 2, 7

CONFIGS: dict[str, PlaygroundConfig] = {
    "default": DEFAULT,
    "preset-xor": PRESETS["XOR with 2 hidden neurons"],
    "preset-spiral": PRESETS["Spiral with tanh"],
    "adam-l2-noise": replace(
        DEFAULT,
        dataset="gauss",
        noise=0.3,
        hidden=(5, 3),
        activation="relu",
        optimizer="adam",
        eta=0.01,
        regularization="l2",
        lmbda=0.5,
        batch_size=7,
        seed=11,
    ),
    "momentum-l1-sigmoid": replace(
        DEFAULT,
        dataset="xor",
        hidden=(6,),
        activation="sigmoid",
        output_activation="sigmoid",
        cost="cross_entropy",
        optimizer="momentum",
        regularization="l1",
        lmbda=0.1,
        seed=3,
    ),
}


def train(cfg: PlaygroundConfig) -> Run:
    return train_run(cfg, EPOCHS, STEPS)


def assert_identical(a: Run, b: Run) -> None:
    pd.testing.assert_frame_equal(
        a.trainer.history_frame(), b.trainer.history_frame(), check_exact=True
    )
    pd.testing.assert_frame_equal(
        a.trainer.epoch_frame(), b.trainer.epoch_frame(), check_exact=True
    )
    assert len(a.net.weights) == len(b.net.weights)
    for x, y in zip(a.net.weights + a.net.biases, b.net.weights + b.net.biases):
        assert x.shape == y.shape and np.array_equal(x, y)


@pytest.mark.parametrize("name", list(CONFIGS))
def test_same_config_and_seed_give_identical_runs(name):
    cfg = CONFIGS[name]
    a, b = train(cfg), train(cfg)
    assert a.trainer.steps == b.trainer.steps > EPOCHS
    assert a.trainer.epochs == EPOCHS
    assert len(a.trainer.epoch_frame()) == EPOCHS
    assert len(a.trainer.history_frame()) == a.trainer.steps
    assert_identical(a, b)
    assert digest(a) == digest(b)


def test_interleaved_runs_do_not_disturb_each_other():
    """Two runs stepped alternately (as two sessions on one server are) equal runs alone."""
    cfg_a, cfg_b = DEFAULT, CONFIGS["adam-l2-noise"]
    alone_a, alone_b = train(cfg_a), train(cfg_b)
    a, b = build_run(cfg_a, dataset_for(cfg_a)), build_run(cfg_b, dataset_for(cfg_b))
    total_a = alone_a.trainer.steps
    total_b = alone_b.trainer.steps
    for i in range(max(total_a, total_b)):
        if i < total_a:
            assert a.train(steps=1)
        if i < total_b:
            assert b.train(steps=1)
    assert_identical(a, alone_a)
    assert_identical(b, alone_b)


def test_fresh_interpreter_gives_the_same_bytes():
    name = "adam-l2-noise"
    cfg = pickle.dumps(CONFIGS[name]).hex()  # the config itself, not its name in this module
    code = (
        "import pickle, sys; sys.path.insert(0, 'tests'); from helpers import digest, train_run; "
        f"cfg = pickle.loads(bytes.fromhex({cfg!r})); "
        f"print(digest(train_run(cfg, {EPOCHS}, {STEPS})))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr[-3000:]
    assert out.stdout.strip().splitlines()[-1] == digest(train(CONFIGS[name]))


@pytest.mark.parametrize("name", ["default", "adam-l2-noise"])
def test_different_seeds_give_different_runs(name):
    cfg = CONFIGS[name]
    a, b = train(cfg), train(replace(cfg, seed=cfg.seed + 1))
    assert digest(a) != digest(b)
    assert not a.trainer.history_frame().equals(b.trainer.history_frame())
    assert not np.array_equal(a.net.weights[0], b.net.weights[0])
