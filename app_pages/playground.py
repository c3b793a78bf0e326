"""Playground: configure a network, train it step by step or continuously, watch every layer."""

import streamlit as st

from backprop.ui import common, controls, exports, sidebar, views
from backprop.ui.session import RUN_KEY, current_run

lim = common.limits()
cfg, uploaded = sidebar.render(lim)

st.title("Playground")
messages = st.container()  # one fixed slot, so a message never shifts the charts below
with messages:
    for notice in st.session_state.pop(sidebar.NOTICES_KEY, []):
        st.warning(common.plain(notice), icon=":material/link_off:")
    try:
        run = current_run(cfg, uploaded)
    except ValueError as e:
        views.setup_problem(e, cfg)
        st.stop()
    for note in run.notes:
        st.info(common.plain(note))
    for warning in run.warnings:
        st.warning(common.plain(warning), icon=":material/heart_broken:")
playing = run.playing
controls.run_controls(run)


@st.fragment(run_every=controls.TICK_SECONDS if playing else None)
def main_panel() -> None:
    """Controls, counters and every view. Step, Epoch and the view pickers rerun only this
    fragment (not the sidebar); during Play it reruns once per frame without the tabs."""
    current = st.session_state.get(RUN_KEY)
    if current is None:  # Reset: the run is rebuilt by the full script
        st.rerun()
    if controls.play_tick(current) or current.playing != playing:
        st.rerun()  # Play ended (or Step paused it): the fragment's timer is set by a full run
    controls.step_controls()
    with st.container():  # fixed slot for the divergence message
        if current.diverged:
            st.error(common.plain(current.diverged), icon=":material/warning:")
    controls.counters(current)
    views.live_charts(current)
    if current.playing:
        st.caption("Layer heatmaps, animation and curves appear when paused.")
    else:
        views.detail_tabs(current)


main_panel()
exports.panel(run)
