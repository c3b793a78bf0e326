"""The Playground's views: live charts (updated in place) and the detail tabs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import streamlit as st

from .. import viz
from ..datasets import Dataset
from ..network import Network
from ..trace import Trace
from ..viz.quantities import LAYER_QUANTITIES
from .common import plain
from .config import UPLOADED, PlaygroundConfig
from .landscape_tab import landscape_tab
from .live import chart, live_chart
from .session import Run

LIVE_GRID = 50  # decision-boundary resolution on the live board (redrawn every frame)
VIEW_LABELS = {"forward": "Forward: a", "backward": "Backward: δ"}
DETAIL_TABS = (
    "Layers",
    "Animation",
    "Neurons",
    "Curves",
    "Pass",
    "Landscape",
    "Compare",
)  # labels (the URL's tab: lower case)
COMPARE_TAB = DETAIL_TABS[-1]  # drawn by the page's ``compare_tab`` (backprop.ui.compare)


def setup_problem(error: ValueError, cfg: PlaygroundConfig) -> None:
    """Why there is no network to show: a missing upload (info) or a clash (error)."""
    if cfg.dataset in UPLOADED and "upload" in str(error):
        st.info(plain(error), icon=":material/upload_file:")
    else:
        st.error(f"Cannot build this network: {plain(error)}", icon=":material/error:")


def probe_trace(run: Run) -> Trace:
    """A trace of the current network on the trainer's fixed probe batch."""
    with np.errstate(all="ignore"):
        return run.net.trace(*run.trainer.probe)


@dataclass(frozen=True)
class OutputChoice:
    """How the output view draws: its test points shown, its classes as flat colours (TF
    Playground's "Show test data" and "Discretize output")."""

    show_test: bool = True
    discretize: bool = False


DEFAULT_OUTPUT = OutputChoice()
SHOW_TEST_KEY, DISCRETIZE_KEY = "show_test", "discretize"  # the toggles' widget keys


def output_choice() -> OutputChoice:
    """The output toggles' session values (their defaults where unset or not a bool)."""
    d, ss = DEFAULT_OUTPUT, st.session_state
    show, hard = ss.get(SHOW_TEST_KEY), ss.get(DISCRETIZE_KEY)
    return OutputChoice(
        show if isinstance(show, bool) else d.show_test,
        hard if isinstance(hard, bool) else d.discretize,
    )


def on_plane(ds: Dataset) -> bool:
    """The output view draws the network over the 2-D input plane."""
    return ds.raw_train is not None and ds.raw_train.shape[0] == 2


def draws_test_points(ds: Dataset) -> bool:
    """The output view draws test points (the plane or a 1-D curve) and there are some."""
    curve = ds.task == "regression" and ds.n_in == 1
    return (on_plane(ds) or curve) and ds.n_test > 0


def can_discretize(ds: Dataset) -> bool:
    """The output view draws classes over the plane (a regression's stays continuous)."""
    return on_plane(ds) and ds.task == "classification"


def output_spec(run: Run, tr: Trace | None = None, choice: OutputChoice | None = None) -> dict:
    """What the run's network computes, as a dict spec (see :func:`net_output_spec`), drawn
    as ``choice`` says (default: the toggles')."""
    choice = choice if choice is not None else output_choice()
    return net_output_spec(run.net, run.dataset, run.trainer.probe, tr, choice)


def net_output_spec(
    net: Network,
    ds: Dataset,
    probe: tuple[np.ndarray, np.ndarray],
    tr: Trace | None = None,
    choice: OutputChoice = DEFAULT_OUTPUT,
) -> dict:
    """What ``net`` computes on ``ds``, as a dict spec: decision boundary, fitted curve,
    first-layer images, or (other data) the output layer's activations on the ``probe``
    batch ``(X, Y)`` (or its trace ``tr``). ``choice``: test points, flat classes."""
    if on_plane(ds):
        return viz.decision_boundary_spec(
            net, ds, grid=LIVE_GRID, show_test=choice.show_test, discretize=choice.discretize
        )
    if ds.task == "regression" and ds.n_in == 1:
        return viz.regression_curve_spec(net, ds, show_test=choice.show_test)
    if ds.image_shape is not None:
        return viz.first_layer_images_spec(net, ds.image_shape)
    if tr is None:
        with np.errstate(all="ignore"):
            tr = net.trace(*probe)
    return viz.layer_heatmap_spec(tr, net.n_layers, "a")


def view_pickers(run: Run, extra: Callable[[], None] | None = None) -> None:
    """The network view (forward/backward) and the probe sample the board's graph shows,
    then ``extra()``'s widgets in the same row."""
    row = {"horizontal": True, "vertical_alignment": "bottom", "gap": "xsmall"}  # one row
    with st.container(key="view-pickers", **row):
        st.segmented_control(
            "Network view",
            list(VIEW_LABELS),
            default="forward",
            format_func=VIEW_LABELS.get,
            key="graph_view",
        )
        n_probe = run.trainer.probe[0].shape[1]
        st.number_input(
            "Sample",
            0,
            n_probe - 1,
            0,
            key="graph_sample",
            width=100,
            help="Which column of the fixed probe batch the graph shows",
        )
        output_toggles(run.dataset)
        if extra is not None:
            extra()


def output_toggles(ds: Dataset) -> None:
    """TF Playground's checkboxes under its output, where they apply, one above the other
    (the row keeps its width): "Show test data" (the output draws test points) and
    "Discretize output" (it draws classes over the plane)."""
    shown = [
        (SHOW_TEST_KEY, "Show test data", True, draws_test_points(ds)),
        (DISCRETIZE_KEY, "Discretize output", False, can_discretize(ds)),
    ]
    if not any(applies for *_, applies in shown):
        return
    with st.container(key="output-toggles", gap="xsmall", width="content"):
        for key, label, default, applies in shown:
            if applies:  # (no help icon: the row holds them beside the others at 1280 px)
                st.session_state.setdefault(key, default)  # a link's value may be set
                st.toggle(label, key=key)


def detail_tabs(run: Run, compare_tab: Callable[[Run], None] | None = None) -> None:
    """Per-layer heatmaps, snapshot animation, neurons, curves, the pass, the loss landscape
    and (drawn by ``compare_tab``) two runs compared; only the open tab runs."""
    _open_pass_after_step()
    tabs = st.tabs(list(DETAIL_TABS), key="detail_tab", on_change="rerun")
    L = run.net.n_layers
    with tabs[0]:
        if tabs[0].open:
            _layer_pickers("layers", L)
            spec = layer_detail_spec(run)
            if spec is None:
                st.info("No update yet: take a Step.")
            else:
                live_chart(spec, LAYER_DETAIL_KEY, run.revision)
    with tabs[1]:
        if tabs[1].open:
            _animation_tab(run, L)
    with tabs[2]:
        if tabs[2].open:
            _neurons_tab(run)
    with tabs[3]:
        if tabs[3].open:
            _curves_tab(run, L)
    with tabs[4]:
        if tabs[4].open:
            _pass_tab(run)
    with tabs[5]:
        if tabs[5].open:
            landscape_tab(run)
    with tabs[6]:
        if tabs[6].open and compare_tab is not None:
            compare_tab(run)


# Open tabs that show the run at its step and that the live board does not update itself
# (it hands the Layers tab its chart; the Pass tab follows Steps through its own toggle;
# the Landscape is drawn on demand and says when it is older)
STEP_FOLLOWING_TABS = ("Animation", "Neurons", "Curves", COMPARE_TAB)


def step_reruns_panel() -> bool:
    """A Step must rerun the whole panel, not only the board: the open tab draws the run at
    its step (the snapshots, the neuron maps, the curves, or two runs compared) and is not
    a live chart the board updates, so a board-only Step would leave it behind."""
    return st.session_state.get("detail_tab") in STEP_FOLLOWING_TABS


LAYER_DETAIL_KEY = "live_layer"  # the Layers tab's chart (the live board updates it on Step)


def layer_detail_open() -> bool:
    """The Layers tab is the open detail tab (its default)."""
    return st.session_state.get("detail_tab", DETAIL_TABS[0]) == DETAIL_TABS[0]


def layer_detail_pick() -> tuple[object, object]:
    """The Layers tab's picked layer and quantity (their session values)."""
    return st.session_state.get("layers_layer", 1), st.session_state.get("layers_quantity")


def layer_detail_spec(run: Run, pick: tuple[object, object] | None = None) -> dict | None:
    """The Layers tab's heatmap of the picked layer and quantity (``pick``, default their
    session values); None for the update before any Step."""
    L = run.net.n_layers
    layer, quantity = pick if pick is not None else layer_detail_pick()
    layer = layer if isinstance(layer, int) and 1 <= layer <= L else 1
    quantity = quantity if quantity in LAYER_QUANTITIES else next(iter(LAYER_QUANTITIES))
    upd = run.trainer.last_update
    update = upd[2 * (layer - 1)] if upd is not None and quantity == "update" else None
    if quantity == "update" and update is None:
        return None
    return viz.layer_heatmap_spec(probe_trace(run), layer, quantity, update)


def _layer_pickers(prefix: str, L: int, quantities=None) -> tuple[int, str]:
    c1, c2 = st.columns(2)
    # each option's label is the same whatever the depth ("layer 1" stays "layer 1" when it
    # becomes the output): a browser that still shows an old label then still matches it
    layer = c1.selectbox(
        f"Layer ({L} = output)",
        range(1, L + 1),
        key=f"{prefix}_layer",
        format_func="layer {}".format,
    )
    qs = quantities or list(LAYER_QUANTITIES)
    quantity = c2.selectbox(
        "Quantity", qs, key=f"{prefix}_quantity", format_func=lambda q: LAYER_QUANTITIES[q].menu
    )
    return int(layer), quantity


def _animation_tab(run: Run, L: int) -> None:
    snaps = run.trainer.snapshots
    st.caption(
        plain(
            f"{len(snaps)} snapshots recorded (every {snaps.every} step(s), thinned to stay "
            "within the memory budget). Press play on the chart or drag the slider to scrub "
            "through time."
        )
    )
    if len(snaps) < 2:
        st.info("Train a few steps first: the animation replays recorded snapshots.")
        return
    kind = (
        st.segmented_control(
            "Animate", ["Layer heatmap", "Network graph"], default="Layer heatmap", key="anim_kind"
        )
        or "Layer heatmap"
    )
    if kind == "Network graph":
        view = (
            st.segmented_control(
                "View",
                list(VIEW_LABELS),
                default="forward",
                format_func=VIEW_LABELS.get,
                key="anim_view",
            )
            or "forward"
        )
        chart(viz.network_animation(snaps.items, 0, view), "network animation")
    else:
        qs = ["a", "delta", "w", "nabla_w"]
        layer, quantity = _layer_pickers("anim", L, qs)
        chart(viz.layer_animation(snaps.items, layer, quantity), "layer animation")


def _neurons_tab(run: Run) -> None:
    ds = run.dataset
    if ds.raw_train is not None and ds.raw_train.shape[0] == 2 and run.net.n_layers > 1:
        st.caption(
            "Each hidden neuron's output over the input plane (as in TensorFlow Playground)."
        )
        chart(viz.neuron_maps(run.net, ds), "neuron maps")
    elif ds.image_shape is not None:
        st.caption("Each first-layer neuron's weights drawn as an image.")
        chart(viz.first_layer_images(run.net, ds.image_shape), "first layer images")
    else:
        st.info("Neuron maps need 2-D inputs and a hidden layer; image data shows weights here.")


def _curves_tab(run: Run, L: int) -> None:
    hist = run.trainer.history_frame()
    if run.dataset.task == "classification":
        chart(viz.accuracy_curves(hist), "accuracy")
    c1, c2 = st.columns(2)
    chart(viz.norm_curves(hist, "delta_norm"), "delta norms", where=c1)
    chart(viz.norm_curves(hist, "grad_norm"), "gradient norms", where=c2)
    st.caption(
        "Nielsen's speed of learning: the norm of each layer's delta (= nabla_b). In a deep "
        "sigmoid net the early layers learn orders of magnitude slower (log scale)."
    )
    layer = st.selectbox("Histogram layer", range(1, L + 1), key="hist_layer")
    c1, c2 = st.columns(2)
    snaps = run.trainer.snapshots.items
    chart(viz.histograms_over_time(snaps, int(layer), "w"), "w histograms", where=c1)
    chart(viz.histograms_over_time(snaps, int(layer), "nabla_w"), "nabla_w histograms", where=c2)


PASS_SEQ = "pass_autoplay"  # counts the animations started, so each one plays once
PASS_AFTER_STEP = "pass_after_step_on"  # the toggle's value, kept while its tab is closed


def _stepped_with_pass_on() -> bool:
    """This rerun answers a Step click (the button's value) with the toggle on."""
    return bool(st.session_state.get(PASS_AFTER_STEP) and st.session_state.get("step"))


def _open_pass_after_step() -> None:
    """After a Step with "Animate the pass after each Step" on, the Pass tab opens."""
    if _stepped_with_pass_on():
        st.session_state["detail_tab"] = "Pass"


def _keep_pass_toggle() -> None:
    st.session_state[PASS_AFTER_STEP] = bool(st.session_state.get("pass_after_step"))


def _pass_tab(run: Run) -> None:
    """One pass of backprop on the graph's probe sample, animated phase by phase; played on
    demand (the button) or after each Step (the toggle)."""
    st.caption(
        "One pass of backprop on one probe sample (the graph's Sample): the forward pass, "
        "the cost, BP1, BP2, the gradients (BP3/BP4) and the update. Hover for the numbers; "
        "drag the slider to scrub, Pause stops."
    )
    with st.container(horizontal=True, vertical_alignment="center", key="pass-controls"):
        clicked = st.button("Animate the pass", key="pass_play", icon=":material/play_arrow:")
        st.toggle(
            "Animate the pass after each Step",
            value=bool(st.session_state.get(PASS_AFTER_STEP)),
            key="pass_after_step",
            on_change=_keep_pass_toggle,
            help="Each Step then opens this tab and plays the pass of the updated network",
        )
    stepped = _stepped_with_pass_on()
    tr = probe_trace(run)
    sample = st.session_state.get("graph_sample")
    sample = min(max(0, sample), tr.x.shape[1] - 1) if isinstance(sample, int) else 0
    fig = viz.pass_animation(tr, sample, run.trainer.eta)
    token = 0
    if clicked or stepped:
        token = st.session_state[PASS_SEQ] = st.session_state.get(PASS_SEQ, 0) + 1
    live_chart(fig, "live_pass", run.revision, autoplay=token)
