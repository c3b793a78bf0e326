"""Step-through: one sample (or a small batch) forward, the cost, then BP1-BP4 and the update."""

import numpy as np
import streamlit as st

from backprop import viz
from backprop.debug import Stage, stages
from backprop.debug.stages import clamp_notice
from backprop.ui import debugger
from backprop.ui.common import plain
from backprop.viz.debug import stage_heatmaps

PLAY_KEY = "stage_playing"
SPEED_KEY = "stage_speed"
SPEEDS = (0.3, 0.7, 1.5, 3.0)  # seconds per stage during Play
GRAPH_HEIGHT = 320  # px: the graph sits beside the equations, on one screen with them
GRAPH_MARGIN = {"l": 10, "r": 10, "t": 70, "b": 40}

debugger.stage_style()
st.title("Step-through")
st.caption(
    "One pass of backprop with the engine's own numbers: the input, the forward pass layer by "
    "layer, the cost, the output error (BP1), the hidden layers' errors (BP2), the gradients "
    "(BP3, BP4) and the update. Pick a neuron *j* to see its equation with every number in it."
)

source_row = st.container()  # the Playground's network or the default: when there is a choice
c = st.columns([2, 1, 1, 1, 1, 1], vertical_alignment="bottom")
subject = debugger.choose_subject("stepper", source=source_row, preset=c[0])
X, Y, first = debugger.pick_batch(subject, "stepper", max_m=8, cols=c[1:3])
m = X.shape[1]
column = int(
    c[3].number_input("Sample shown", 0, m - 1, 0, key="stepper_column", disabled=m == 1,
                      help="Which column of the batch the per-sample numbers are for")
)  # fmt: skip
net = subject.net
neuron = int(
    c[4].number_input("Neuron j", 0, max(net.sizes) - 1, 0, key="stepper_neuron",
                      help="A smaller layer shows its last neuron instead, and says so")
)  # fmt: skip
source = int(
    c[5].number_input("Input k (BP4)", 0, max(net.sizes) - 1, 0, key="stepper_source_k",
                      help="The input of the weight w_jk in BP4 and the update")
)  # fmt: skip
column = min(column, m - 1)
with np.errstate(all="ignore"):
    trace = net.trace(X, Y)
stage_list = stages(trace, sample=column, neuron=neuron, source=source, eta=subject.eta)
digest = debugger.fingerprint(trace)
n_stages = len(stage_list)


INDEX_KEY = "stage_index"  # the current stage; the "stage" selector mirrors it when shown


def _stop() -> None:
    st.session_state[PLAY_KEY] = False


def _prev() -> None:
    _stop()
    st.session_state[INDEX_KEY] = max(0, st.session_state.get(INDEX_KEY, 0) - 1)


def _next(n: int) -> None:
    _stop()
    st.session_state[INDEX_KEY] = min(n - 1, st.session_state.get(INDEX_KEY, 0) + 1)


def _jump() -> None:
    _stop()
    st.session_state[INDEX_KEY] = st.session_state["stage"]


def _set_playing(playing: bool, n: int) -> None:
    """Play or Pause; idempotent (not a toggle), so a click delivered twice cannot undo itself."""
    if (
        playing
        and not st.session_state.get(PLAY_KEY)
        and st.session_state.get(INDEX_KEY, 0) >= n - 1
    ):
        st.session_state[INDEX_KEY] = 0  # Play from the end starts again
    st.session_state[PLAY_KEY] = playing


def render(stage: Stage, index: int) -> None:
    """One stage: its title, then its equations with numbers and the vectors as heatmaps on
    the left, the network graph on the right."""
    with st.container(key="stage-title"):
        st.subheader(f"Stage {index + 1} of {n_stages}: {stage.title}")
    left, right = st.columns([3, 2])
    with left:
        with st.container(key="stage-eqs", gap="xsmall"):
            debugger.show_stage(stage)
        heat = debugger.cached_figure(
            ("heat", digest, column, neuron, source, subject.eta, stage.key),
            lambda: stage_heatmaps(stage.arrays, column if m > 1 else None, "The vectors"),
        )
        st.plotly_chart(heat, key="stepper_heat")
    with right:
        if notice := clamp_notice(stage, net.sizes, neuron, source):
            st.warning(plain(notice), icon=":material/straighten:")
        fig = debugger.cached_figure(
            ("graph", digest, column, stage.view, stage.layer),
            lambda: viz.network_graph(
                trace, column, stage.view, highlight_layer=stage.layer
            ).update_layout(margin=GRAPH_MARGIN),  # narrow: its key must fit the column
        )
        st.plotly_chart(fig, key="stepper_graph", height=GRAPH_HEIGHT)


playing = bool(st.session_state.get(PLAY_KEY, False))
speed = st.session_state.get(SPEED_KEY, SPEEDS[1])
speed = speed if speed in SPEEDS else SPEEDS[1]


@st.fragment(run_every=speed if playing else None)
def stepper(decorated_playing: bool) -> None:
    """Controls and the current stage; during Play this alone reruns, one stage per tick.

    While playing, the "stage" selector is replaced by a read-only copy: a timer tick can
    carry the browser's previous selection, which must not count as a jump back.
    """
    ss = st.session_state
    if bool(ss.get(PLAY_KEY, False)) != decorated_playing:
        st.rerun()  # Play or Pause was pressed: rerun the page to start or stop the timer
    if not isinstance(ss.get(INDEX_KEY), int) or not 0 <= ss[INDEX_KEY] < n_stages:
        ss[INDEX_KEY] = 0
    if decorated_playing:
        ss[INDEX_KEY] = min(ss[INDEX_KEY] + 1, n_stages - 1)
        if ss[INDEX_KEY] == n_stages - 1:
            ss[PLAY_KEY] = False
            st.rerun()  # the last stage: stop the timer
    i = ss[INDEX_KEY]
    with st.container(horizontal=True, vertical_alignment="center", key="stage-controls"):
        st.button("Previous", key="stage_prev", on_click=_prev, icon=":material/skip_previous:",
                  disabled=i == 0)  # fmt: skip
        st.button("Next", key="stage_next", on_click=_next, args=(n_stages,),
                  icon=":material/skip_next:", disabled=i == n_stages - 1)  # fmt: skip
        label, icon = ("Pause", ":material/pause:") if decorated_playing else (
            "Play", ":material/play_arrow:")  # fmt: skip
        st.button(label, key="stage_play", on_click=_set_playing,
                  args=(not decorated_playing, n_stages),
                  icon=icon, type="primary")  # fmt: skip
        titles = [f"{k + 1}. {s.title}" for k, s in enumerate(stage_list)]
        if decorated_playing:
            st.selectbox("Stage", [titles[i]], disabled=True, label_visibility="collapsed")
        else:
            ss["stage"] = i
            st.selectbox("Stage", range(n_stages), key="stage", on_change=_jump,
                         format_func=titles.__getitem__, label_visibility="collapsed")  # fmt: skip
        st.selectbox("Seconds per stage (Play)", SPEEDS, index=1, key=SPEED_KEY, width=150,
                     format_func="{:g} s per stage".format,
                     label_visibility="collapsed")  # fmt: skip
    render(stage_list[i], i)


stepper(playing)
