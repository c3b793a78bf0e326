"""``python -m backprop``: trains, writes loadable files, and refuses bad input cleanly."""

import subprocess
import sys

import pandas as pd
from helpers import ROOT

from backprop.cli import main
from backprop.io import read_network


def test_cli_trains_and_writes_loadable_files(tmp_path, capsys):
    out = tmp_path / "run"
    argv = [
        "--dataset",
        "xor",
        "--hidden",
        "4",
        "--activation",
        "tanh",
        "--output-activation",
        "softmax",
        "--cost",
        "log_likelihood",
        "--init",
        "xavier",
        "--eta",
        "0.1",
        "--epochs",
        "3",
        "--out",
        str(out),
    ]
    assert main(argv) == 0
    epochs = pd.read_csv(out / "epochs.csv")
    assert list(epochs["epoch"]) == [1, 2, 3]
    steps = pd.read_csv(out / "history.csv")
    assert steps["step"].iloc[-1] == epochs["step"].iloc[-1] > 0
    net, meta = read_network((out / "network.npz").read_bytes())
    assert net.sizes == [2, 4, 2] and meta["epochs"] == 3
    net_json, _ = read_network((out / "network.json").read_text())
    assert all((a == b).all() for a, b in zip(net.weights, net_json.weights))
    err = capsys.readouterr().err
    assert "epoch" in err and "3/3" in err and "accuracy=" in err  # the progress bar


def test_cli_reports_bad_settings_without_a_traceback(tmp_path, capsys):
    assert main(["--dataset", "xor", "--eta", "-1", "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "eta" in err and "Traceback" not in err


def test_cli_epochs_are_capped_by_the_limit(tmp_path, capsys, monkeypatch):
    """--epochs trained past BACKPROP_MAX_EPOCHS (the CLI ran its own loop)."""
    monkeypatch.setenv("BACKPROP_MAX_EPOCHS", "2")
    argv = ["--dataset", "xor", "--hidden", "3", "--epochs", "3", "--out", str(tmp_path / "r")]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "epochs" in err and "2" in err and "Traceback" not in err
    assert not (tmp_path / "r").exists()  # refused before anything is written
    argv[-3] = "2"
    assert main(argv) == 0
    assert list(pd.read_csv(tmp_path / "r" / "epochs.csv")["epoch"]) == [1, 2]


def test_python_dash_m_backprop_runs():
    r = subprocess.run(
        [sys.executable, "-m", "backprop", "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert r.returncode == 0 and "--epochs" in r.stdout
