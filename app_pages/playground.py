"""Playground: configure a network, train it step by step or continuously, watch every layer."""

from contextlib import nullcontext

import streamlit as st

from backprop.ui import (
    board,
    common,
    compare,
    controls,
    diagnoses,
    exports,
    handson,
    lessons,
    line,
    moment,
    priority,
    reconnect,
    shape,
    sidebar,
    views,
)
from backprop.ui.present import follow, presenting
from backprop.ui.session import RUN_KEY, current_run

present = presenting()
lim = common.limits()
shape.apply_pending(lim)  # a + or - on the board's graph, an input feature switched there
cfg, uploaded = sidebar.render(lim)

board.page_style()
st.title("Playground")
messages = st.container()  # one fixed slot, so a message never shifts the charts below
with messages, line.locked():  # the board's line trains this session's run in another thread
    for notice in st.session_state.pop(sidebar.NOTICES_KEY, []):
        st.warning(common.plain(notice), icon=":material/link_off:")
    try:
        run = current_run(cfg, uploaded, fresh=compare.active())  # pinned: B from the seed
    except ValueError as e:
        views.setup_problem(e, cfg)
        st.stop()
    for note in run.notes:
        st.info(common.plain(note))
    for warning in run.warnings:
        st.warning(common.plain(warning), icon=":material/heart_broken:")
    run = moment.restore(run)  # a shared link's step and view (replayed from the seed)
    replaying = run.play.targeted
    reconnect.notice(run.play.target_step if replaying else run.trainer.steps, replaying)
    compare.restore(run)  # a shared link's pinned run A (replayed below)
    compare.replay_panel()
    handson.restore(run)  # the session's (or a shared link's) hand-edited data
board.reset()  # a full run: the board draws everything anew


@st.fragment
def main_panel() -> None:
    """Controls, view pickers and detail tabs: a click here reruns only this fragment."""
    with priority.interactive(), line.locked():  # other sessions' Play makes way for a click
        _main_panel()


def _main_panel() -> None:
    follow()  # the Present toggle (in the toolbar) changed the page's mode: run it all
    current = st.session_state.get(RUN_KEY)
    if current is None:  # Reset: the run is rebuilt by the full script
        st.rerun()
    handson.process(current)  # a pick in the graph (a full run): the editor shows it
    controls.toolbar(current)
    # outside the board's fragment: a Step does not resend them
    views.view_pickers(current, lambda: handson.data_tools(current))
    live_panel()
    if not lessons.hides("tabs"):
        views.detail_tabs(current, compare.tab)
    moment.to_url(current)  # the open tab and the Layers pickers, once paused
    compare.to_url()  # the pinned run A


@st.fragment
def live_panel() -> None:
    """The live board (with its counters). While playing, the board asks for each next chunk of
    frames; that reruns only this fragment: it trains the chunk and sends it. Any other run
    of it (a Step on the board) is a click, which Play chunks in other sessions make way for."""
    current = st.session_state.get(RUN_KEY)
    if current is None:
        st.rerun()
    with nullcontext() if current.play.playing else priority.interactive(), line.locked():
        _live_panel(current)


def _live_panel(current) -> None:
    handson.process(current)  # a click on the board: a point added, a weight picked
    chunk = None
    if current.play.playing and not board.on_line():  # without the line: Play in chunks
        extras, specs, stopped = board.play_chunk(current, controls.play_tick)
        if stopped:  # the target was reached or training diverged: Play turns back on
            st.rerun()
        chunk = (extras, specs)
    with st.container():  # fixed slot for the divergence message
        if current.diverged:
            st.error(common.plain(current.diverged), icon=":material/warning:")
    if not board.on_line():  # on the line, the board shows it with each frame
        controls.progress(current)
    took_step = board.show(
        current, chunk, present=present, on_step=controls.step,
        findings=diagnoses.summary(current), on_edit=handson.take,
    )  # fmt: skip
    handson.status(current)  # one line: the data and weight edits so far
    handson.to_url()
    diagnoses.panel(current)  # below the board: what is wrong with the run, in words
    moment.to_url(current, board_writes_step=took_step)  # the step and view, once paused


main_panel()
board.sync_point()  # the board's line asks for one run of the page through it (at Pause)
if not lessons.hides("downloads"):
    exports.panel(run)
if not lessons.hidden():  # a teacher's page (a lesson link's students see none of it)
    lessons.builder(views.DETAIL_TABS, run.cfg)
