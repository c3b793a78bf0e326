"""A session that starts on a reconnect, said in words instead of a silent reset.

When the server that held a tab's session goes away (a worker crashed or was restarted, or
the balancer sent the tab to another worker), Streamlit's frontend reconnects, and the new
server has no such session: it starts a fresh one and runs the page with what the frontend
sends (measured with Streamlit 1.67, README "Deploy"): the widgets' values and the query
string the *server* last set. A fresh page load sends no widget values, so a session whose
first run arrives with some is a reconnect. The Playground then replays its run from the
seed to the step in that query string (``moment.restore``), and :func:`notice` says so.
"""

from __future__ import annotations

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from .common import plain

SEEN_KEY = "bp_session_seen"  # set on a session's first run
RECONNECT_KEY = "bp_reconnected"  # True for a session that began on a reconnect
RELOAD_PARAM = "reconnected"  # the live board's reload after its session was gone


def _client_widget_ids() -> list[str]:
    """The widgets whose values the frontend sent with this run (Streamlit internals:
    ``SessionState._new_widget_state``; an empty list if they move)."""
    try:
        return list(get_script_run_ctx().session_state._state._new_widget_state.keys())
    except AttributeError:
        return []


def detect() -> bool:
    """On a session's first run: did the frontend send widget values (a reconnect), or did
    the live board load the page again because its session was gone (``reconnected=1``:
    Streamlit's frontend reruns nothing on a reconnect until the next click, and the board,
    on its own line, found the server no longer knew it)? Kept for the session; call at the
    top of the router, before any widget is drawn."""
    if SEEN_KEY not in st.session_state:
        st.session_state[SEEN_KEY] = True
        board = st.query_params.get(RELOAD_PARAM) == "1"
        st.session_state[RECONNECT_KEY] = board or bool(_client_widget_ids())
    if RELOAD_PARAM in st.query_params:
        del st.query_params[RELOAD_PARAM]
    return st.session_state[RECONNECT_KEY]


def notice(step: int | None = None, replaying: bool = False) -> None:
    """If the session began on a reconnect: what the visitor sees instead of the state they
    had, in its runs until the run has been replayed (``replaying``: the replay is under way,
    and the run that ends it says it once more). ``step``: the Playground's run was
    replayed to this step (0: reset)."""
    if not st.session_state.get(RECONNECT_KEY):
        return
    if not replaying:
        st.session_state[RECONNECT_KEY] = False
    if step is None:
        what = "this page started again from its link."
    elif step:
        what = (
            f"the run was replayed from its seed to step {step}, "
            "the last step the server wrote into the link."
        )
    else:
        what = (
            "the run starts again at step 0 (the new session gets the link as the server "
            "last wrote it, without the later Steps)."
        )
    text = (
        "Reconnected: the server this page was on went away and a new session took over, "
        f"so {what} Steps taken after the link was last written are lost."
    )
    st.warning(plain(text), icon=":material/sync_problem:")
