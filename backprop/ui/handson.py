"""Hands on: a click on the board's output chart adds (or removes) a training point, a click
on the network graph picks a weight or bias to set by hand.

The board (``board.js``) sends ``click`` ``{x, y, sx, sy, shift}`` (data coordinates and data
units per pixel) and ``pick`` ``{layer, i, j}`` / ``{layer, i, bias}``; :func:`take` files
them as pending and the fragment's next run applies them (:func:`process`), before the
board draws. The data edits are ops (:mod:`backprop.datasets.edits`) in the session, replayed
onto the generated data whenever the run is rebuilt, and in the URL as ``edits``.
"""

from __future__ import annotations

import math

import streamlit as st

from ..datasets import edits
from ..param_edit import MAX_VALUE, check_target, get_parameter, parameter_name, set_parameter
from . import shape
from .common import plain
from .config import EDITS_URL_KEY
from .session import Run

OPS_KEY = "handson_ops"  # the data edits (op strings), the session's truth
DATA_KEY = "handson_data"  # the config fields that made the data the edits apply to
DATA_FIELDS = ("dataset", "n_samples", "noise", "test_fraction", "features", "seed")
URL_READ_KEY = "handson_url_read"
PENDING_KEY = "handson_pending"  # (event, value) from the board, applied in the next run
PICK_KEY = "handson_pick"  # (layer, i, j | None) picked in the graph
VALUE_KEY = "handson_value"
CLASS_KEY = "handson_class"
MESSAGE_KEY = "handson_message"
REMOVE_PX = 6.0  # a click this close to a training point removes it
CLASS_LABELS = {0: "class 0", 1: "class 1"}


def ops() -> list[str]:
    """This session's data edits."""
    return st.session_state.setdefault(OPS_KEY, [])


def read_url() -> None:
    """A shared link's ``edits`` (once per session): checked, or refused with a message."""
    if st.session_state.get(URL_READ_KEY):
        return
    st.session_state[URL_READ_KEY] = True
    raw = st.query_params.get(EDITS_URL_KEY)
    if raw is None:
        return
    try:
        st.session_state[OPS_KEY] = edits.decode(raw)
    except ValueError as e:
        st.session_state[OPS_KEY] = []
        st.session_state[MESSAGE_KEY] = f"The link's data edits were not applied: {e}"


def sync(run: Run) -> None:
    """Make the run train on its generated data with this session's edits applied (if they
    do not apply, they are dropped with a message). A change of the data's settings
    (data set, samples, noise, split, features, seed) drops them; of the network, keeps them."""
    data = tuple(getattr(run.cfg, f) for f in DATA_FIELDS)
    if st.session_state.setdefault(DATA_KEY, data) != data:
        st.session_state[DATA_KEY] = data
        if ops():
            st.session_state[OPS_KEY] = []
            st.session_state[MESSAGE_KEY] = "The data changed: its hand edits were dropped."
    want = ops()
    if run.data_edits == want:
        return
    base = run.base_dataset or run.dataset
    try:
        ds = edits.apply(base, want)
    except ValueError as e:
        st.session_state[MESSAGE_KEY] = f"Data edits dropped: {e}"
        st.session_state[OPS_KEY] = want = []
        ds = base
    run.trainer.set_data(ds.X_train, ds.Y_train)
    bs = min(run.cfg.batch_size, ds.n_train)
    if bs != run.trainer.batch_size:
        run.trainer.configure(batch_size=bs)
    run.base_dataset, run.dataset = (base if want else None), ds
    run.data_edits = list(want)
    edited(run)


def edited(run: Run) -> None:
    """After a hand edit: the costs and accuracies of the run as it now is, and a redraw."""
    run.edited_costs = (run.trainer.steps, run.trainer.evaluate())
    run.revision += 1


def restore(run: Run) -> None:
    """On each full page run: the link's edits (first time), then :func:`sync`."""
    read_url()
    if edits.editable(run.base_dataset or run.dataset) is None:
        return
    sync(run)


def take(event: str, value: object) -> str:
    """File a board event (``click`` or ``pick``) for the next run; returns what reruns:
    the board's fragment for a click, the app for a pick (the editor sits in the row of
    view pickers above the board, outside the board's fragment). A change of the network's
    shape (``shape``, ``feature``) goes to :mod:`.shape` (the whole page)."""
    if event in ("shape", "feature"):
        return shape.take(event, value)
    if isinstance(value, dict):
        st.session_state[PENDING_KEY] = (event, value)
    return "app" if event == "pick" else "fragment"


def _number(v: object) -> float:
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
        raise ValueError("not a finite number")
    return float(v)


def click(run: Run, value: dict) -> None:
    """A click on the output chart at data ``(x, y)``: remove the training point within
    ``REMOVE_PX`` pixels, else add one (of the picked class, the other with shift)."""
    kind = edits.editable(run.dataset)
    if kind is None:
        return
    try:
        x, y = _number(value.get("x")), _number(value.get("y"))
        scale = (_number(value.get("sx")), _number(value.get("sy")))
    except ValueError:
        return
    i = edits.nearest(edits.raw_points(run.dataset), x, y, scale, REMOVE_PX)
    if i is not None:
        op = edits.remove_op(i)
    elif max(abs(x), abs(y)) > edits.PLANE_LIMIT:
        st.session_state[MESSAGE_KEY] = f"Points go within ±{edits.PLANE_LIMIT:g}."
        return
    elif kind == "curve":
        op = edits.add_op(x, y)
    else:
        c = int(st.session_state.get(CLASS_KEY) or 0)
        op = edits.add_op(x, y, 1 - c if value.get("shift") else c)
    st.session_state[OPS_KEY] = [*ops(), op]
    sync(run)


def pick(run: Run, value: dict) -> None:
    """A click on an edge (``j``) or node (``bias``) of the graph: open it in the editor."""
    try:
        j = None if value.get("bias") else value.get("j")
        target = check_target(run.net, value.get("layer"), value.get("i"), j)
    except ValueError:
        return
    st.session_state[PICK_KEY] = target
    st.session_state[VALUE_KEY] = get_parameter(run.net, *target)


def process(run: Run) -> None:
    """Apply the pending board event, if any (call before the board is drawn)."""
    pending = st.session_state.pop(PENDING_KEY, None)
    if pending is None:
        return
    event, value = pending
    if event == "click":
        click(run, value)
    elif event == "pick":
        pick(run, value)


def apply_value(run: Run) -> None:
    """Apply: set the picked parameter to the editor's value, record the edit."""
    target = st.session_state.get(PICK_KEY)
    if target is None:
        return
    try:
        v = st.session_state.get(VALUE_KEY)
        old = set_parameter(run.net, *target, v)
    except ValueError as e:
        st.session_state[MESSAGE_KEY] = f"Not applied: {e}"
        return
    run.param_edits.append(
        f"step {run.trainer.steps}: {parameter_name(*target)} {old:.4g} → {float(v):.4g}"
    )
    edited(run)


def reset_data(run: Run) -> None:
    """Back to the generated data."""
    st.session_state[OPS_KEY] = []
    sync(run)


def data_tools(run: Run) -> None:
    """Beside the view pickers: the class a click adds and Reset data (2-D/1-D data only),
    and the weight/bias editor."""
    kind = edits.editable(run.base_dataset or run.dataset)
    if kind == "plane":
        st.segmented_control(
            "Click adds",
            list(CLASS_LABELS),
            default=0,
            format_func=CLASS_LABELS.get,
            key=CLASS_KEY,
            help="A click on the output chart adds a point of this class (shift: the other); "
            "a click on a point removes it",
        )
    if kind is not None:
        st.button(
            "Reset data",
            key="handson_reset",
            on_click=reset_data,
            args=(run,),
            help="Restore the generated training data",
        )
    editor(run)


def editor(run: Run) -> None:
    """The picked weight or bias, its value and Apply (always there: the row never moves)."""
    target = st.session_state.get(PICK_KEY)
    if target is not None:
        try:
            check_target(run.net, *target)
        except ValueError:
            target = st.session_state[PICK_KEY] = None
    st.session_state.setdefault(VALUE_KEY, 0.0)
    with st.container(horizontal=True, vertical_alignment="bottom", key="handson-editor",
                      gap="small", width="content"):  # fmt: skip
        st.number_input(
            "Edit" if target is None else parameter_name(*target),
            -MAX_VALUE,
            MAX_VALUE,
            key=VALUE_KEY,
            step=0.1,
            format="%.4f",
            width=130,
            disabled=target is None,
            help="Click an edge (its weight) or a node (its bias) of the network graph, "
            f"set a value within ±{MAX_VALUE:g} and Apply",
        )
        st.button("Apply", key="handson_apply", on_click=apply_value, args=(run,),
                  disabled=target is None)  # fmt: skip


def status(run: Run) -> None:
    """One line under the board: a message, or the data and parameter edits so far."""
    with st.container(key="handson-status"):
        st.caption(plain(_status(run)))


def _status(run: Run) -> str:
    message = st.session_state.pop(MESSAGE_KEY, None)
    if message:
        return message
    parts = []
    if run.data_edits:
        n = len(run.data_edits)
        link = "" if n <= edits.MAX_EDITS else f", over {edits.MAX_EDITS}: not in the link"
        parts.append(f"{run.dataset.n_train} training samples ({n} data edits{link})")
    if run.param_edits:
        parts.append("; ".join(run.param_edits[-3:]))
    return " · ".join(parts) or hint(run)


ADD_HINT = "Click the output chart to add a point, a point to remove it."
PICK_HINT = "Click an edge or a node of the network graph to set its weight or bias by hand."


def hint(run: Run) -> str:
    """What a click does: on 2-D or 1-D data it adds a point (:func:`click`); elsewhere (the
    digits, an upload) the output chart takes no click, only the graph does (:func:`pick`)."""
    return ADD_HINT if edits.editable(run.base_dataset or run.dataset) else PICK_HINT


def to_url() -> None:
    """The data edits into the URL as ``edits`` (up to ``edits.MAX_EDITS``)."""
    current = ops()
    want = edits.encode(current) if 0 < len(current) <= edits.MAX_EDITS else None
    if st.query_params.get(EDITS_URL_KEY) == want:
        return
    if want is None:
        st.query_params.pop(EDITS_URL_KEY, None)
    else:
        st.query_params[EDITS_URL_KEY] = want
