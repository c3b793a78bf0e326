"""Step-through: one sample (or a small batch) forward, the cost, then BP1-BP4 and the update."""

import numpy as np
import streamlit as st

from backprop import viz
from backprop.debug import Stage, stages
from backprop.debug.quiz import question
from backprop.debug.stages import clamp_notice
from backprop.ui import debugger, live, present, quiz, stage_player
from backprop.ui.common import plain
from backprop.viz.debug import stage_heatmaps

GRAPH_HEIGHT = 320  # px: the graph sits beside the equations, on one screen with them
GRAPH_MARGIN = {"l": 10, "r": 10, "t": 70, "b": 40}

debugger.stage_style()
present.title("Step-through")
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
quizzing = quiz.toggle(source_row)  # predict, then reveal
asked = {  # the stages' questions, only while quizzing
    s.key: q
    for s in (stage_list if quizzing else ())
    if (q := question(trace, s.key, column, neuron, source, subject.eta)) is not None
}


def render(stage: Stage, index: int) -> None:
    """One stage: its title, then its equations with numbers and the vectors as heatmaps on
    the left, the network graph on the right."""
    with st.container(key="stage-title"):
        st.subheader(f"Stage {index + 1} of {n_stages}: {stage.title}")
    if not quiz.gate(asked.get(stage.key), digest, asked):
        return  # the question first: the numbers after the answer
    left, right = st.columns([3, 2])
    with left:
        with st.container(key="stage-eqs", gap="xsmall"):
            debugger.show_stage(stage)
        heat = debugger.cached_figure(
            ("heat", digest, column, neuron, source, subject.eta, stage.key),
            lambda: stage_heatmaps(stage.arrays, column if m > 1 else None, "The vectors"),
        )
        live.chart(heat, "stage heatmaps", key="stepper_heat")
    with right:
        if notice := clamp_notice(stage, net.sizes, neuron, source):
            st.warning(plain(notice), icon=":material/straighten:")
        names = subject.class_names
        fig = debugger.cached_figure(
            ("graph", digest, column, stage.view, stage.layer, names),
            lambda: viz.network_graph(
                trace, column, stage.view, highlight_layer=stage.layer, class_names=names
            ).update_layout(margin=GRAPH_MARGIN, title_font_size=16),  # narrow: key and title fit
        )
        live.chart(fig, "stage graph", key="stepper_graph", height=GRAPH_HEIGHT)


titles = [f"{k + 1}. {s.title}" for k, s in enumerate(stage_list)]
stage_player.show(titles, lambda i: render(stage_list[i], i))  # Previous / Next / Play
