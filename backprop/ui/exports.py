"""Downloads (network, history, config, training data) and uploading a saved network to resume."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pandas as pd
import streamlit as st

from ..io import read_network, to_json, to_npz
from .common import plain
from .config import to_query
from .session import RUN_KEY, Run, build_run
from .sidebar import apply_config


def _meta(run: Run) -> dict:
    return {"config": to_query(run.cfg), "step": run.trainer.steps, "epoch": run.trainer.epochs}


def network_json(run: Run) -> str:
    """The network now, with the config and step count, as JSON text."""
    return to_json(run.net, _meta(run))


def network_npz(run: Run) -> bytes:
    """The network now as ``.npz`` bytes (read back with ``allow_pickle=False``)."""
    return to_npz(run.net, _meta(run))


def history_csv(run: Run) -> str:
    """The per-step history so far (costs, accuracies, per-layer norms) as CSV."""
    return run.trainer.history_frame().to_csv(index=False)


def config_json(run: Run) -> str:
    """The config as the URL's query parameters, as JSON."""
    return json.dumps(to_query(run.cfg), indent=2)


def data_csv(run: Run) -> str:
    """The training data as trained on (hand edits included): the raw inputs (x1, x2, or
    the features) and the class or target."""
    ds = run.dataset
    if ds.raw_train is not None and ds.raw_train.shape[0] == 2:
        cols = {"x1": ds.raw_train[0], "x2": ds.raw_train[1]}
    else:
        cols = {f: ds.X_train[r] for r, f in enumerate(ds.feature_names)}
    if ds.task == "regression":
        cols.update({f"y{r}" if ds.n_out > 1 else "y": ds.Y_train[r] for r in range(ds.n_out)})
    else:
        cols["class"] = np.argmax(ds.Y_train, axis=0) if ds.n_out > 1 else ds.Y_train[0]
    return pd.DataFrame(cols).to_csv(index=False)


DOWNLOADS = (  # key, label, file suffix, mime type, content
    ("dl_json", "Network (.json)", ".json", "application/json", network_json),
    ("dl_npz", "Network (.npz)", ".npz", "application/octet-stream", network_npz),
    ("dl_history", "History (.csv)", "-history.csv", "text/csv", history_csv),
    ("dl_config", "Config (.json)", "-config.json", "application/json", config_json),
    ("dl_data", "Data (.csv)", "-data.csv", "text/csv", data_csv),
)


def panel(run: Run) -> None:
    """Export the run, or resume from a network file. Each file is made when its button is
    clicked, from the run as it is then, so the panel needs no redraw after a Step."""
    with st.expander("Export and resume", icon=":material/download:"):
        with st.container(horizontal=True):
            for key, label, suffix, mime, content in DOWNLOADS:
                st.download_button(
                    label,
                    lambda content=content: content(run),
                    f"backprop-{run.cfg.dataset}{suffix}",
                    mime,
                    key=key,
                    on_click="ignore",
                )
        f = st.file_uploader(
            "Resume from a saved network (.json or .npz)", type=["json", "npz"], key="resume_file"
        )
        if f is not None and st.session_state.get("resumed_file") != f.file_id:
            _resume(run, f)


def _resume(run: Run, f) -> None:
    try:
        net, _ = read_network(f)
    except ValueError as e:
        st.error(f"Cannot load this network: {plain(e)}")
        return
    ds = run.dataset
    if net.sizes[0] != ds.n_in or net.sizes[-1] != ds.n_out:
        st.error(
            plain(
                f"This network has {net.sizes[0]} inputs and {net.sizes[-1]} outputs, but the "
                f"dataset {run.cfg.dataset!r} needs {ds.n_in} and {ds.n_out}. Pick the dataset "
                "it was trained on first."
            )
        )
        return
    cfg = replace(
        run.cfg,
        hidden=tuple(net.sizes[1:-1]),
        activation=net.activation,
        output_activation=net.output_activation,
        cost=net.cost_name,
        init=net.init,
    )  # the seed stays: it made this dataset (the network brings its own weights)
    try:
        new = build_run(cfg, ds, net=net)
    except ValueError as e:
        st.error(f"Cannot resume from this network: {plain(e)}")
        return
    st.session_state[RUN_KEY] = new
    st.session_state["resumed_file"] = f.file_id
    apply_config(cfg)
    st.success(plain(f"Resumed from {f.name}: {net.sizes}."))
    st.rerun()
