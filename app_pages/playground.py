"""Playground: configure a network, train it step by step or continuously, watch every layer."""

import streamlit as st

from backprop.ui import common, controls, exports, sidebar, views
from backprop.ui.session import RUN_KEY, current_run

lim = common.limits()
cfg, uploaded = sidebar.render(lim)

st.title("Playground")
for notice in st.session_state.pop(sidebar.NOTICES_KEY, []):
    st.warning(common.plain(notice), icon=":material/link_off:")
try:
    run = current_run(cfg, uploaded)
except ValueError as e:
    st.error(f"Cannot build this network: {e}", icon=":material/error:")
    st.stop()
for note in run.notes:
    st.info(note)

controls.buttons(run)
if run.diverged:
    st.error(run.diverged, icon=":material/warning:")


@st.fragment(run_every=controls.TICK_SECONDS if run.playing else None)
def live_panel() -> None:
    """Counters and the three live charts; during Play this alone reruns, once per frame."""
    current = st.session_state.get(RUN_KEY)
    if current is None:
        return
    if controls.play_tick(current):
        st.rerun()  # playing stopped: redraw the whole page (buttons, messages)
    controls.counters(current)
    views.live_charts(current)


live_panel()
if not run.playing:
    views.detail_tabs(run)
    exports.panel(run)
