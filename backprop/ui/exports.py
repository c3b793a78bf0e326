"""Downloads (network, history, config) and uploading a saved network to resume."""

from __future__ import annotations

import json
from dataclasses import replace

import streamlit as st

from ..io import read_network, to_json, to_npz
from .config import to_query
from .session import RUN_KEY, Run, build_run
from .sidebar import apply_config


def _meta(run: Run) -> dict:
    return {"config": to_query(run.cfg), "step": run.trainer.steps, "epoch": run.trainer.epochs}


def panel(run: Run) -> None:
    """Export the run, or resume from a network file."""
    with st.expander("Export and resume", icon=":material/download:"):
        c = st.columns(4)
        stem = f"backprop-{run.cfg.dataset}-step{run.trainer.steps}"
        c[0].download_button(
            "Network (.json)",
            to_json(run.net, _meta(run)),
            f"{stem}.json",
            "application/json",
            key="dl_json",
            on_click="ignore",
        )
        c[1].download_button(
            "Network (.npz)",
            to_npz(run.net, _meta(run)),
            f"{stem}.npz",
            "application/octet-stream",
            key="dl_npz",
            on_click="ignore",
        )
        c[2].download_button(
            "History (.csv)",
            run.trainer.history_frame().to_csv(index=False),
            f"{stem}-history.csv",
            "text/csv",
            key="dl_history",
            on_click="ignore",
        )
        c[3].download_button(
            "Config (.json)",
            json.dumps(to_query(run.cfg), indent=2),
            "backprop-config.json",
            "application/json",
            key="dl_config",
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
        st.error(f"Cannot load this network: {e}")
        return
    ds = run.dataset
    if net.sizes[0] != ds.n_in or net.sizes[-1] != ds.n_out:
        st.error(
            f"This network has {net.sizes[0]} inputs and {net.sizes[-1]} outputs, but the "
            f"dataset {run.cfg.dataset!r} needs {ds.n_in} and {ds.n_out}. Pick the dataset it "
            "was trained on first."
        )
        return
    cfg = replace(
        run.cfg,
        hidden=tuple(net.sizes[1:-1]),
        activation=net.activation,
        output_activation=net.output_activation,
        cost=net.cost_name,
        init=net.init,
        seed=net.seed if net.seed is not None else run.cfg.seed,
    )
    try:
        new = build_run(cfg, ds, net=net)
    except ValueError as e:
        st.error(f"Cannot resume from this network: {e}")
        return
    st.session_state[RUN_KEY] = new
    st.session_state["resumed_file"] = f.file_id
    apply_config(cfg)
    st.success(f"Resumed from {f.name}: {net.sizes}.")
    st.rerun()
