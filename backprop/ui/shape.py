"""The network's shape edited on the board's graph, as TensorFlow Playground does: + and -
buttons add or remove a hidden layer or a neuron of one, and a click on an input feature
switches it on or off. The same change as the sidebar's: a new config, checked against the
limits, then the sidebar's widgets follow it (a refused change is said and changes nothing).
"""

from __future__ import annotations

from dataclasses import replace

import streamlit as st

from ..datasets import DATASETS, FEATURES
from ..limits import Limits
from .config import PlaygroundConfig, check
from .sidebar import CFG_KEY, NOTICES_KEY, apply_config

PENDING_KEY = "shape_pending"  # (event, value) from the board, applied by the next page run
OPS = ("layer+", "layer-", "neuron+", "neuron-")
LABELS = {"x1^2": "x1²", "x2^2": "x2²", "x1*x2": "x1·x2"}  # features as the board writes them
NEW_LAYER_SIZE = 4  # neurons of a layer the + button adds (TF Playground's default is 4)


def features_of(cfg: PlaygroundConfig) -> dict | None:
    """For the board: every input feature and the ones on, where the data has features
    (2-D points); None elsewhere."""
    info = DATASETS.get(cfg.dataset)
    if info is None or info.kind != "2d":
        return None
    return {
        "all": list(FEATURES),
        "labels": [LABELS.get(f, f) for f in FEATURES],
        "on": list(cfg.features),
    }


def of_run(run) -> dict:
    """What the board's shape controls show: the hidden layer sizes and the features."""
    return {"hidden": list(run.cfg.hidden), "features": features_of(run.cfg)}


def take(event: str, value: object) -> str:
    """File a ``shape`` or ``feature`` event of the board for the next page run (which
    applies it before the sidebar is drawn); the whole page reruns."""
    if isinstance(value, dict):
        st.session_state[PENDING_KEY] = (event, value)
    return "app"


def apply_pending(limits: Limits) -> None:
    """Apply the board's pending shape change (call before the sidebar is drawn)."""
    pending = st.session_state.pop(PENDING_KEY, None)
    cfg = st.session_state.get(CFG_KEY)
    if pending is None or cfg is None:
        return
    try:
        new = check(edited(cfg, *pending), limits)
    except ValueError as e:
        st.session_state.setdefault(NOTICES_KEY, []).append(f"{e}. The network is unchanged.")
        return
    apply_config(new)


def edited(cfg: PlaygroundConfig, event: str, value: dict) -> PlaygroundConfig:
    """``cfg`` with one change of the board (checked here only for its form; the limits are
    the sidebar's, checked by the caller): ``shape`` ``{"op": "layer+" | "layer-" |
    "neuron+" | "neuron-", "layer": l}`` (``l`` counts hidden layers from 1) or ``feature``
    ``{"name": f, "on": bool}``."""
    if event == "feature":
        name, on = value.get("name"), value.get("on")
        if name not in FEATURES or not isinstance(on, bool) or features_of(cfg) is None:
            raise ValueError("that input feature cannot be switched here")
        kept = set(cfg.features) - {name} | ({name} if on else set())
        return replace(cfg, features=tuple(f for f in FEATURES if f in kept))
    op, layer = value.get("op"), value.get("layer")
    if event != "shape" or op not in OPS:
        raise ValueError("unknown change of the network's shape")
    hidden = list(cfg.hidden)
    if op == "layer+":
        return replace(cfg, hidden=(*hidden, hidden[-1] if hidden else NEW_LAYER_SIZE))
    if op == "layer-":
        return replace(cfg, hidden=tuple(hidden[:-1]))
    if isinstance(layer, bool) or not isinstance(layer, int) or not 1 <= layer <= len(hidden):
        raise ValueError("no such hidden layer")
    hidden[layer - 1] += 1 if op == "neuron+" else -1
    return replace(cfg, hidden=tuple(hidden))
